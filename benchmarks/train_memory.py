"""`verify --train` over the whole zoo: saved bytes exact per layer, the step's peak, torchvision too.

For every zoo network (or those named), at its own input (``--small``: the smallest of
64, 96, 128 pixels it accepts) and batch 1 and 2 in float32 on the CPU:
`cnncalc.verify.training.verify_training` measures what autograd keeps in
cnncalc's own module (per layer and in total), the peak of an SGD training step
(a live-storage tracker), and, where the network is a torchvision model, what
torchvision's own model keeps; everything must equal the analysis to the byte.
At a small input a network can shrink to 1×1 before a batch norm, which cannot train
at batch 1 (torch refuses it, and so does cnncalc): run those at ``--batch 2,3``.
One line per network, then ALL EXACT or the mismatches; exit status 1 on any. A network
whose check would not fit in half the machine's memory (`cnncalc.torch.budget`) is measured
without torchvision's model beside it, or, if it still would not, refused with its reason and
counted apart.

    .venv/bin/python benchmarks/train_memory.py [NAME ...] [--small] [--batch 1,2] [--optimizer sgd] [--no-peak]

The README's "Will it fit?" section quotes the last run.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

import cnncalc
from cnncalc import zoo
from cnncalc.errors import CnnCalcError
from cnncalc.verify.training import verify_training


def pairs() -> dict[str, str]:
    """Zoo network -> torchvision model (`zoo.torchvision_pairs`: ``X_tv`` is torchvision's X)."""
    import torchvision

    return dict(zoo.torchvision_pairs(set(torchvision.models.list_models(module=torchvision.models))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--batch", default="1,2")
    parser.add_argument("--optimizer", default="sgd")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-peak", action="store_true", help="only the saved bytes (much faster)")
    parser.add_argument("--small", action="store_true",
                        help="each network at the smallest of 64, 96, 128 pixels it accepts (zoo.small_input)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    batches = [int(b) for b in args.batch.split(",")]
    tv = pairs()
    bad = refused = 0
    print(f"torch {torch.__version__}, batches {batches}, optimizer {args.optimizer}")
    for name in args.names or zoo.names():
        start = time.perf_counter()
        against = f"torchvision:{tv[name]}" if name in tv else None
        graph = cnncalc.load(name, input_shape=zoo.small_input(name) if args.small else None)
        result = None
        for reference in dict.fromkeys([against, None]):  # without torchvision's copy if both do not fit
            try:
                result = verify_training(graph, batches=batches, optimizer=args.optimizer, against=reference,
                                         peak=not args.no_peak)
                break
            except CnnCalcError as error:  # more than the machine can hold (torch.budget): said, not measured
                print(f"{name:22s} refused{' with ' + reference if reference else ''}: {error}", flush=True)
        if result is None:
            refused += 1
            continue
        against = reference
        saved = [t for t in result.totals if t.what.startswith("saved") and "torchvision" not in t.what]
        cells = "  ".join(f"b{b}: {t.cell.ours:,} B" for b, t in zip(batches, saved, strict=True))
        peaks = "" if args.no_peak else "  peak " + ("exact" if all(p.ok for p in result.measured) else "DIFF")
        mark = "exact" if result.ok else "MISMATCH"
        shape = "×".join(map(str, graph.spec.input_shape))
        print(f"{name:22s} {shape:10s} {mark:8s} saved {cells}{peaks}  {'(torchvision too)' if against else ''}  "
              f"{time.perf_counter() - start:.0f} s", flush=True)
        lines = result.mismatches() + [f"{p.what}: {p.cell.ours:,} (analytic) != {p.cell.theirs:,}"
                                       for p in result.measured if not p.ok]
        for line in lines[:10]:
            print("   ", line)
        bad += not result.ok or not all(p.ok for p in result.measured)
    print(("ALL EXACT" if not bad else f"{bad} networks differ") + (f"; {refused} refused" if refused else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
