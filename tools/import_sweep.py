"""Import every torchvision classification model and hold it to torchvision's own counts.

    .venv/bin/python tools/import_sweep.py            # all models, a table and a summary line
    .venv/bin/python tools/import_sweep.py resnet18   # some models

For each model: ``cnncalc.load("torchvision:NAME")`` (traced, written as a network
file and read back), then params, buffers, output shape and MACs (conv + linear)
against ../shared/reference/torchvision_counts.json (measured from torchvision
0.29.1 with fvcore), and cnncalc's ``--as fvcore`` total against fvcore's total
there. A model the reference does not list is only imported. The README's "Bring
your own PyTorch model" section records the last summary line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cnncalc  # noqa: E402
from cnncalc.analysis import analyze_graph  # noqa: E402
from cnncalc.analysis.conventions import counted  # noqa: E402
from cnncalc.errors import CnnCalcError  # noqa: E402

MACS = ("fvcore_conv", "fvcore_linear", "fvcore_matmul", "fvcore_addmm", "fvcore_einsum", "fvcore_bmm")


def reference() -> dict[str, Any]:
    for folder in ROOT.parents:
        path = folder / "shared" / "reference" / "torchvision_counts.json"
        if path.is_file():
            models: dict[str, Any] = json.loads(path.read_text())["models"]
            return models
    return {}


def check(name: str, expected: dict[str, Any] | None) -> tuple[str, str]:
    """(verdict, detail): ok, differs, unsupported (cnncalc has no kind for an op) or error."""
    shape = tuple(expected["input"]) if expected else None
    try:
        graph = cnncalc.load(f"torchvision:{name}", input_shape=shape)
    except CnnCalcError as exc:
        return "unsupported", str(exc).split(": ", 1)[-1][:150]
    report = analyze_graph(graph)
    if expected is None:
        return "imported", "no reference counts"
    ours = {"params": report.totals.params, "buffers": report.totals.buffers,
            "output_shape": list(report.totals.output_shape), "macs": report.totals.macs,
            "fvcore_total": counted(graph, report, ["fvcore"]).totals["fvcore"]}
    theirs = {**{k: expected[k] for k in ("params", "buffers", "output_shape", "fvcore_total")},
              "macs": sum(expected.get(k, 0) for k in MACS)}
    wrong = [f"{k}: {ours[k]} vs {theirs[k]}" for k in ours if ours[k] != theirs[k]]
    return ("differs", "; ".join(wrong)) if wrong else ("ok", "")


def main(names: list[str]) -> int:
    import torchvision

    counts = reference()
    names = names or sorted(torchvision.models.list_models(module=torchvision.models))
    tally: dict[str, int] = {}
    start = time.perf_counter()
    for name in names:
        verdict, detail = check(name, counts.get(name))
        tally[verdict] = tally.get(verdict, 0) + 1
        print(f"{name:24} {verdict:11} {detail}", flush=True)
    summary = ", ".join(f"{n} {v}" for v, n in sorted(tally.items()))
    print(f"{len(names)} torchvision classification models: {summary} ({time.perf_counter() - start:.0f} s)")
    return 0 if not tally.keys() - {"ok", "imported"} else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
