"""Export every zoo network (family variants included) and the networks of examples/*.yaml; check each file.

    .venv/bin/python tools/export_zoo.py [--readme] [NAME_OR_FILE ...]

For each network: `cnncalc export` at the smallest of 64, 96, 128 pixels the network
accepts (its own input when none is smaller or it refuses them all), the file run
as a module, its top class built with its defaults, and compared with
`cnncalc.torch.lower.build_module` of the same network: the state_dict keys in the
same order with the same shapes, and the outputs for the same random weights
(variances positive) and the same random input, within 1e-4 relative, 1e-5
absolute. The table also says how the file is written: ``classes`` (one class per
block), or ``flat`` (the last resort: the network as one class whose submodules
keep the YAML's paths), and lists the blocks written once per instance. Exit
status 1 if any network fails. ``--readme`` writes the summary between
``<!-- export-zoo:begin -->`` and ``<!-- export-zoo:end -->`` in README.md.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

import update_readme  # noqa: E402  (tools/, beside this script: the README's sections)


def check(name: str) -> dict[str, Any]:
    """Export `name`, run the file, compare it with build_module."""
    import torch
    from torch import nn

    import cnncalc
    from cnncalc import zoo
    from cnncalc.torch import export
    from cnncalc.torch.lower import build_module

    start = time.perf_counter()
    shape = zoo.small_input(name)
    fallbacks: list[str] = []
    original = export.flat.classes

    def flat(*args: Any) -> Any:
        fallbacks.append("flat")
        return original(*args)

    export.flat.classes = flat
    try:
        source = export.export_source(name, input_shape=shape)
    finally:
        export.flat.classes = original
    namespace: dict[str, Any] = {"__name__": "exported"}
    exec(compile(source, f"{Path(name).stem}.py", "exec"), namespace)  # the file cnncalc wrote, as a user runs it
    top = [v for v in namespace.values()
           if isinstance(v, type) and issubclass(v, nn.Module) and v.__module__ == "exported"][-1]
    ours = top().eval()
    reference = build_module(cnncalc.load(name, input_shape=shape)).eval()
    mine, theirs = ours.state_dict(), reference.state_dict()
    keys = list(mine) == list(theirs) and all(mine[k].shape == theirs[k].shape for k in mine)
    delta = None
    if keys:
        torch.manual_seed(0)
        weights = {k: (torch.rand_like(v) + 0.5 if k.endswith("running_var") else torch.randn_like(v) * 0.05)
                   if v.is_floating_point() else v.clone() for k, v in theirs.items()}
        reference.load_state_dict(weights)
        ours.load_state_dict(weights)
        x = torch.randn(2, *shape)
        with torch.no_grad():
            expected, got = reference(x), ours(x)
        delta = float((got - expected).abs().max())
        keys = keys and bool(torch.allclose(got, expected, rtol=1e-4, atol=1e-5))
    classes = re.findall(r"^class (\w+)\(", source, re.M)
    repeated = sorted({c.rstrip("0123456789") for c in classes if re.search(r"[A-Za-z]\d+$", c)
                       and c.rstrip("0123456789") in classes})
    return {"name": name, "shape": shape, "ok": keys, "delta": delta, "how": "flat" if fallbacks else "classes",
            "classes": len(classes), "per_instance": repeated, "lines": source.count("\n"),
            "seconds": time.perf_counter() - start}


def row(r: dict[str, Any]) -> str:
    shape = "×".join(map(str, r["shape"]))
    delta = "—" if r["delta"] is None else f"{r['delta']:.1e}"
    written = r["how"] + (f" (per instance: {', '.join(r['per_instance'])})" if r["per_instance"] else "")
    verdict = "✓" if r["ok"] else "✗"
    return f"| {r['name']} | {shape} | {written} | {r['lines']} | {delta} | {verdict} | {r['seconds']:.0f} s |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these zoo networks or files")
    parser.add_argument("--readme", action="store_true", help="write the summary into README.md")
    args = parser.parse_args()
    import torch

    from cnncalc import zoo

    examples = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "examples").glob("*.yaml"))
                if "\nlayers:" in p.read_text(encoding="utf-8")]  # networks, not answer files
    todo = args.names or [*zoo.names(), *examples]
    lines = ["| network | input | written as | lines | max abs Δ of outputs | state_dict and outputs | time |",
             "|---|---|---|---:|---:|---|---:|"]
    results = []
    start = time.perf_counter()
    for name in todo:
        try:
            result = check(name)
        except Exception as exc:  # a failure of one network is a row of the table, not the end of the run
            result = {"name": name, "shape": (), "ok": False, "delta": None, "how": f"error: {exc}"[:120],
                      "per_instance": [], "lines": 0, "seconds": 0.0}
        results.append(result)
        lines.append(row(result))
        print(lines[-1], flush=True)
    failed = [r["name"] for r in results if not r["ok"]]
    flat = [r["name"] for r in results if r["how"] == "flat"]
    summary = (f"{len(results) - len(failed)} of {len(results)} exports load `build_module`'s state_dict and give its "
               f"outputs; {len(results) - len(flat)} are written as a class per block"
               + (f", {len(flat)} as one class ({', '.join(flat)})" if flat else "")
               + (f"; failed: {', '.join(failed)}" if failed else "")
               + f". {time.strftime('%Y-%m-%d')}, torch {torch.__version__}, "
               f"{(time.perf_counter() - start) / 60:.0f} min in all (`tools/export_zoo.py`).")
    print("\n" + summary)
    if args.readme and not update_readme.write_section("export-zoo", summary + "\n"):
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
