"""Show that analysis time grows linearly with the number of layers.

Generates chains of conv+bn+relu units (and, with --branches, residual adds),
analyses each size in-process and prints the time per layer, which should stay
flat as the network grows: with Python's default garbage-collector thresholds,
and with the command line's (`cnncalc.cli` runs the cyclic collector every
50,000 allocations, not 700; at 700 it rescans the growing analysis again and
again, and the time per layer grows with the network).

    .venv/bin/python benchmarks/scaling.py
"""

from __future__ import annotations

import argparse
import gc
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
    print("parse + expand + analyse, best of 3, at Python's default GC thresholds and at the command line's")
    print(f"{'layers':>8} " + "   ".join(f"{name:>16} {'per layer':>12}" for name in ("default GC", "CLI's GC")))
    default = gc.get_threshold()
    for size in (int(s) for s in args.sizes.split(",")):
        text = network(size // 4)
        times = []
        for threshold in (default, (50_000, *default[1:])):
            gc.set_threshold(*threshold)
            times.append(min(_time(text) for _ in range(3)))
        gc.set_threshold(*default)
        print(f"{size:8d} " + "   ".join(f"{t * 1000:13.0f} ms {t / size * 1e6:9.1f} µs" for t in times))


def _time(text: str) -> float:
    start = time.perf_counter()
    cnncalc.analyze_text(text)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
