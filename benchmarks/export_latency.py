"""Latency of the files `cnncalc export` writes against torchvision's own models, on CPU.

    python benchmarks/export_latency.py [--threads 2] [--reps 15] [--batches 1 16]
        [--nets resnet50 densenet121 mobilenet_v2]

Each network is exported, the file imported as a module, and its model timed
against torchvision's (``weights=None``), both in eval mode under
``torch.inference_mode``, interleaved (one call of each per repetition, so that
load on the machine hits both alike), after a warm-up; the median of the
repetitions and the ratio exported / torchvision are printed. The target (issue
10): a ratio within 1.05 at batch 1 and 16. `build_module` (what `bench` and
`verify` run) is timed beside them.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torchvision

import cnncalc
from cnncalc.torch.export import export_source
from cnncalc.torch.lower import build_module


def exported(name: str) -> torch.nn.Module:
    """The exported file of `name`, written to a temporary folder and imported."""
    folder = Path(tempfile.mkdtemp(prefix="cnncalc-export-"))
    path = folder / f"{name}_export.py"
    path.write_text(export_source(name), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    classes = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, torch.nn.Module)
               and v.__module__ == path.stem]
    return classes[-1]().eval()  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--nets", nargs="+", default=["resnet50", "densenet121", "mobilenet_v2"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"CPU, {args.threads} threads, median of {args.reps} interleaved runs, torch {torch.__version__}")
    for name in args.nets:
        models = {
            "torchvision": getattr(torchvision.models, name)(weights=None).eval(),
            "exported file": exported(name),
            "build_module": build_module(cnncalc.load(name)).eval(),
        }
        for batch in args.batches:
            x = torch.randn(batch, 3, 224, 224)
            times: dict[str, list[float]] = {k: [] for k in models}
            with torch.inference_mode():
                for model in models.values():  # warm-up
                    model(x)
                    model(x)
                for _ in range(args.reps):
                    for label, model in models.items():
                        start = time.perf_counter()
                        model(x)
                        times[label].append(time.perf_counter() - start)
            base = statistics.median(times["torchvision"])
            for label, samples in times.items():
                median = statistics.median(samples)
                print(f"{name:14s} batch {batch:3d}  {label:14s} {median * 1e3:9.2f} ms   ratio {median / base:.3f}",
                      flush=True)


if __name__ == "__main__":
    main()
