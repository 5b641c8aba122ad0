"""Run `cnncalc verify NAME --against torchvision:MODEL` for every zoo network that is a torchvision model.

    .venv/bin/python tools/verify_zoo.py [--size N | --native] [--readme] [NAME ...]

Each network runs in its own process, through the command line exactly as a user
types it, with ``--format json``; the receptive fields are measured on up to three
layers whose fields are at most 64 pixels wide (``--rf``), as the test suite does.
By default every network runs at the smallest of 64, 96, 128 pixels it accepts
(the outputs comparison is as strict at any size: the same weights, the same
function), ``--size N`` at N×N, ``--native`` at its own input. The table printed
(Markdown) is what `--readme` writes between ``<!-- verify-zoo:begin -->`` and
``<!-- verify-zoo:end -->`` in README.md. Exit status 1 if any network fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import update_readme  # noqa: E402  (tools/, beside this script: the README's sections)

RF_LIMIT = 64


def pairs() -> list[tuple[str, str]]:
    """(zoo name, torchvision model) for every zoo network that is a torchvision model (X_tv: torchvision's X)."""
    import torchvision

    from cnncalc import zoo

    return zoo.torchvision_pairs(set(torchvision.models.list_models(module=torchvision.models)))


def input_size(name: str, size: int | None, native: bool) -> tuple[int, ...]:
    import cnncalc
    from cnncalc import zoo

    if native:
        return cnncalc.load(name).spec.input_shape
    if size is None:
        return zoo.small_input(name)
    channels, *spatial = cnncalc.load(name).spec.input_shape
    return (channels, *[size] * len(spatial))


def small_fields(name: str, shape: tuple[int, ...]) -> list[str]:
    """Up to three layers whose receptive fields are at most RF_LIMIT pixels, spread over the network."""
    import cnncalc

    rows = cnncalc.analyze(name, input_shape=shape).layers
    small = [r.name for r in rows if not r.rf.whole and max(r.rf.size_ints()) <= RF_LIMIT]
    return list(dict.fromkeys([small[len(small) * k // 3] for k in (1, 2)] + [small[-1]])) if small else []


def run(name: str, model: str, shape: tuple[int, ...]) -> dict[str, object]:
    command = [str(Path(sys.executable).with_name("cnncalc")), "verify", name, "--against", f"torchvision:{model}",
               "--input", "x".join(map(str, shape)), "--format", "json"]
    for layer in small_fields(name, shape):
        command += ["--rf", layer]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    result: dict[str, object] = {"name": name, "model": model, "shape": shape, "code": proc.returncode,
                                 "seconds": seconds, "error": proc.stderr.strip().splitlines()[-1:] or [""]}
    try:
        result["data"] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        result["data"] = None
    return result


def row(result: dict[str, object]) -> str:
    data = result["data"]
    shape = "×".join(map(str, result["shape"]))  # type: ignore[call-overload]
    if not isinstance(data, dict):
        return f"| {result['name']} | {result['model']} | {shape} | | | | ✗ {result['error'][0]} | |"  # type: ignore[index]
    checks = {c["what"]: c for c in data["against"]["checks"]}
    outputs = checks.get("outputs", {})
    verdict = "✓" if result["code"] == 0 else f"✗ (exit {result['code']})"
    layers = sum(1 for r in data["layers"] if r["ok"])
    fields = sum(1 for f in data["receptive_fields"] if f["ok"])
    return (f"| {result['name']} | {result['model']} | {shape} | {data['totals'][0]['ours']:,} | "
            f"{checks['MACs']['ours']:,} | {_last(outputs.get('ours'))} / {_last(outputs.get('theirs'))} | "
            f"{layers}/{len(data['layers'])} layers, {fields}/{len(data['receptive_fields'])} fields | {verdict} | "
            f"{result['seconds']:.0f} s |")


def _last(text: object) -> str:
    """The number at the end of a cell such as 'max |Δ| 6.6e-07'."""
    return str(text).split()[-1] if text else "—"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these zoo networks")
    parser.add_argument("--size", type=int, help="run every network at N×N")
    parser.add_argument("--native", action="store_true", help="run every network at its own input")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    import torch
    import torchvision

    todo = [p for p in pairs() if not args.names or p[0] in args.names]
    lines = ["| network | reference | input | params | MACs | outputs: max abs Δ / max abs output | "
             "analytic vs torch | verify | time |", "|---|---|---|---:|---:|---|---|---|---:|"]
    failed = 0
    start = time.perf_counter()
    for name, model in todo:
        result = run(name, model, input_size(name, args.size, args.native))
        failed += result["code"] != 0
        lines.append(row(result))
        print(lines[-1], flush=True)
    total = time.perf_counter() - start
    cpu = f"{os.cpu_count()}-core {platform.machine()} CPU"
    summary = (f"{len(todo) - failed} of {len(todo)} pass; {time.strftime('%Y-%m-%d')}, torch {torch.__version__}, "
               f"torchvision {torchvision.__version__}, {cpu}, {total / 60:.0f} min in all.")
    table = "\n".join(lines) + "\n\n" + summary + "\n"
    print("\n" + summary)
    if args.readme and not update_readme.write_section("verify-zoo", table):
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
