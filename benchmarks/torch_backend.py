"""Latency of the module cnncalc builds from archs/resnet50.yaml vs torchvision's resnet50, on CPU.

    python benchmarks/torch_backend.py [--threads 2] [--reps 15] [--batches 1 16]

Both models run in eval mode under ``torch.inference_mode``, interleaved (one run
of each per repetition, so that load on the machine hits both alike), after a
warm-up; the median of the repetitions is reported, with the ratio
cnncalc / torchvision (the requirement: within 5%, a ratio <= 1.05). The
cnncalc module is timed twice: as `build_module` makes it (activations in place
where that is safe, as torchvision's ReLU(inplace=True)) and fully out of place.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
import torchvision

import cnncalc
from cnncalc.torch.lower import build_module


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    graph = cnncalc.load("resnet50")
    models = {
        "torchvision": torchvision.models.resnet50(weights=None).eval(),
        "cnncalc": build_module(graph).eval(),
        "cnncalc (out of place)": build_module(graph, inplace=False).eval(),
    }
    print(f"resnet50 on CPU, {args.threads} threads, median of {args.reps} interleaved runs, torch {torch.__version__}")
    for batch in args.batches:
        x = torch.randn(batch, 3, 224, 224)
        times: dict[str, list[float]] = {name: [] for name in models}
        with torch.inference_mode():
            for model in models.values():  # warm-up
                model(x)
            for _ in range(args.reps):
                for name, model in models.items():
                    times[name].append(timed(lambda model=model, x=x: model(x)))  # type: ignore[misc]
        base = statistics.median(times["torchvision"])
        for name, samples in times.items():
            median = statistics.median(samples)
            print(f"batch {batch:3d}  {name:24s} {median * 1e3:9.2f} ms   ratio {median / base:.3f}")


if __name__ == "__main__":
    main()
