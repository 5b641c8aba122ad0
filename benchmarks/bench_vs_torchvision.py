"""The same network built by cnncalc and by torchvision: latency within 5 %, in one run.

For resnet50 and mobilenet_v2, `cnncalc.torch.lower.build_module` (from the
zoo's YAML) and torchvision's model are timed by the same code `cnncalc bench`
uses (`cnncalc.bench.measure_module`), in interleaved rounds (cnncalc first in
even rounds, torchvision first in odd ones). The ratio of the median latencies
(cnncalc / torchvision, median over rounds of each) must stay within 5 %. Their
parameter counts are printed too: they must be equal for the comparison to mean
anything.

    .venv/bin/python benchmarks/bench_vs_torchvision.py [--device cpu|cuda] [--batch 1] [--rounds 5] [--threads N]

Timings on a machine shared with other jobs are noisy: run it on a quiet one.
"""

from __future__ import annotations

import argparse
import statistics

import torch
import torchvision

import cnncalc
from cnncalc.bench import measure_module
from cnncalc.bench.timing import resolve_device
from cnncalc.torch.lower import build_module

NETWORKS = ("resnet50", "mobilenet_v2")


def median_ms(model: torch.nn.Module, batch: int, device: str, args: argparse.Namespace) -> float:
    timing, _ = measure_module(lambda: model, (3, 224, 224), batch=batch, kind=device, dtype=args.dtype,
                               channels_last=args.channels_last, warmup=args.warmup, min_iters=args.iters,
                               min_time=0.0)
    return timing.median_ms


def params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--dtype", default="fp32")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    device = resolve_device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}, "
          f"{args.dtype}{', channels-last' if args.channels_last else ''}; {args.rounds} interleaved rounds of "
          f"{args.warmup} warm-up + {args.iters} timed calls")
    print(f"{'network':<14}{'params cnncalc':>16}{'torchvision':>13}{'cnncalc ms':>12}{'tv ms':>10}{'ratio':>8}"
          "  within 5%")
    worst = 0.0
    for name in NETWORKS:
        ours_model = build_module(cnncalc.load(name), device=device)
        tv_model = getattr(torchvision.models, name)().to(device)
        ours: list[float] = []
        theirs: list[float] = []
        for r in range(args.rounds):
            pair = [(ours, ours_model), (theirs, tv_model)]
            for times, model in pair if r % 2 == 0 else pair[::-1]:
                times.append(median_ms(model, args.batch, device, args))
        a, b = statistics.median(ours), statistics.median(theirs)
        ratio = a / b
        worst = max(worst, abs(ratio - 1))
        print(f"{name:<14}{params(ours_model):>16,}{params(tv_model):>13,}{a:>12.3f}{b:>10.3f}{ratio:>8.3f}  "
              f"{'yes' if abs(ratio - 1) <= 0.05 else 'NO'}")
    print(f"largest deviation {100 * worst:.1f}% ({'PASS' if worst <= 0.05 else 'FAIL'}: requirement 5%)")


if __name__ == "__main__":
    main()
