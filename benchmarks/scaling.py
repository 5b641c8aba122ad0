"""Show that analysis time grows linearly with the number of layers.

Generates chains of conv+bn+relu units (and, with --branches, residual adds),
analyses each size in-process and prints the time per layer, which should stay
flat as the network grows.

    .venv/bin/python benchmarks/scaling.py
"""

from __future__ import annotations

import argparse
import time

import cnncalc


def network(units: int) -> str:
    return f"""\
name: generated
input: [16, 32, 32]
blocks:
  unit:
    layers:
      - {{conv: {{out: 16, kernel: 3, padding: 1, bias: false}}}}
      - bn
      - relu
      - {{add: [relu1, in]}}
layers:
  - {{unit, repeat: {units}}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2500,5000,10000",
                        help="layer counts (10,000 at most: the language's limit, README \"Errors\")")
    args = parser.parse_args()
    print(f"{'layers':>8} {'parse+expand+analyse':>22} {'per layer':>12}")
    for size in (int(s) for s in args.sizes.split(",")):
        text = network(size // 4)
        best = min(_time(text) for _ in range(3))
        print(f"{size:8d} {best * 1000:19.0f} ms {best / size * 1e6:9.1f} µs")


def _time(text: str) -> float:
    start = time.perf_counter()
    cnncalc.analyze_text(text)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
