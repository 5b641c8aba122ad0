"""Harness overhead: cnncalc's timing code against a bare hand-written loop, same module, one run.

For each torchvision model the same module and the same input are timed in
interleaved rounds (A B, then B A, ...) by

- cnncalc: `cnncalc.bench.measure_module` (the code `cnncalc bench` runs: memory
  probe, first call, warm-up, then one timer reading per call), and
- bare: ``for _ in range(n): model(x)`` between two clock readings
  (``torch.cuda.synchronize()`` after the loop on CUDA),

with the same number of warm-up and timed calls. The ratio of the mean time per
call (cnncalc / bare, the median over rounds of each) is the harness overhead;
the requirement is that it stays within 3 %.

    .venv/bin/python benchmarks/harness_overhead.py [--device cpu|cuda] [--rounds 7] [--iters 30]

Timings on a machine shared with other jobs are noisy: run it on a quiet one.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torchvision

from cnncalc.bench import measure_module
from cnncalc.bench.timing import resolve_device

MODELS = (("resnet18", 1), ("mobilenet_v2", 1), ("resnet18", 8))


def cnncalc_loop(model: torch.nn.Module, batch: int, device: str, warmup: int, iters: int) -> float:
    """Mean ms per call as `cnncalc bench` measures it (min_time 0: exactly `iters` timed calls)."""
    timing, _ = measure_module(lambda: model, (3, 224, 224), batch=batch, kind=device, dtype="fp32",
                               warmup=warmup, min_iters=iters, min_time=0.0)
    return timing.mean_ms


def bare_loop(model: torch.nn.Module, x: torch.Tensor, device: str, warmup: int, iters: int) -> float:
    """Mean ms per call of a plain loop."""
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        if device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter_ns()
        for _ in range(iters):
            model(x)
        if device == "cuda":
            torch.cuda.synchronize()
        return (time.perf_counter_ns() - t0) / iters / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--iters", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    device = resolve_device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"{args.rounds} interleaved rounds of {args.warmup} warm-up + {args.iters} timed calls")
    print(f"{'model':<14}{'batch':>6}{'cnncalc ms':>12}{'bare ms':>10}{'ratio':>8}  within 3%")
    worst = 0.0
    for name, batch in MODELS:
        model = getattr(torchvision.models, name)().eval().to(device)
        x = torch.randn(batch, 3, 224, 224, device=device)
        ours: list[float] = []
        bare: list[float] = []
        for r in range(args.rounds):
            if r % 2 == 0:
                ours.append(cnncalc_loop(model, batch, device, args.warmup, args.iters))
                bare.append(bare_loop(model, x, device, args.warmup, args.iters))
            else:
                bare.append(bare_loop(model, x, device, args.warmup, args.iters))
                ours.append(cnncalc_loop(model, batch, device, args.warmup, args.iters))
        a, b = statistics.median(ours), statistics.median(bare)
        ratio = a / b
        worst = max(worst, abs(ratio - 1))
        print(f"{name:<14}{batch:>6}{a:>12.3f}{b:>10.3f}{ratio:>8.3f}  {'yes' if abs(ratio - 1) <= 0.03 else 'NO'}")
    print(f"largest deviation {100 * worst:.1f}% ({'PASS' if worst <= 0.03 else 'FAIL'}: requirement 3%)")


if __name__ == "__main__":
    main()
