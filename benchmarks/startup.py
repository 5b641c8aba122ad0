"""Time cnncalc's analytic commands against torchinfo (and fvcore, ptflops) on the same network.

Each command runs as a whole process (interpreter start, imports, model build,
analysis, printing into a pipe), the way a user runs it from a shell, the
commands interleaved over several rounds so that load on the machine hits all
alike, after an untimed warm-up round (as a user's shell runs them, with their bytecode
cached); the script prints each median and its ratio to torchinfo's, and checks
the targets of issue 10 (shapes table <= 0.03x, JSON <= 0.025x, compare of five
networks <= 0.03x of torchinfo on the largest of them). A "floor" row times an
interpreter that only imports typer and PyYAML, which every command needs before
any of cnncalc's own code runs.

    .venv/bin/python benchmarks/startup.py [--rounds 5] [--net resnet152]
        [--before "env PYTHONPATH=/tmp/old /work/main/.venv/bin/python -P -m cnncalc"]

``--before`` times a second cnncalc (an older checkout) in the same run, for
before/after figures (``-P``: without it, ``-m`` puts the current folder first on
the path, and a run from a checkout would time that checkout's code twice).
Needs torch and torchvision; torchinfo, fvcore and ptflops are used when installed (``pip install 'cnncalc[bench]'``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
CNNCALC = shutil.which("cnncalc") or str(Path(PY).with_name("cnncalc"))
FIVE = ["vgg19", "inception_v3", "densenet201", "mobilenet_v2"]  # compared with --net (the largest)
TARGETS = {"shapes": 0.03, "shapes --format json": 0.025, "compare (5 networks)": 0.03}

SCRIPTS = {
    "torchinfo": (
        "torchinfo",
        "import torchvision, torchinfo; m = torchvision.models.{net}(weights=None);"
        "torchinfo.summary(m, input_size=(1, 3, 224, 224), verbose=1)",
    ),
    "fvcore": (
        "fvcore",
        "import torch, torchvision; from fvcore.nn import FlopCountAnalysis, flop_count_table;"
        "m = torchvision.models.{net}(weights=None).eval();"
        "print(flop_count_table(FlopCountAnalysis(m, torch.zeros(1, 3, 224, 224))))",
    ),
    "ptflops": (
        "ptflops",
        "import torchvision; from ptflops import get_model_complexity_info;"
        "m = torchvision.models.{net}(weights=None);"
        "print(get_model_complexity_info(m, (3, 224, 224), print_per_layer_stat=True))",
    ),
}


# as a user's shell runs them: bytecode cached (a sandbox's PYTHONDONTWRITEBYTECODE would make every
# process recompile cnncalc's sources, about a third of its time, while torch's wheels carry theirs)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed:\n{proc.stderr[-2000:]}")
    return elapsed


def cnncalc_commands(prefix: list[str], net: str, label: str) -> dict[str, list[str]]:
    return {
        f"{label}--help": [*prefix, "--help"],
        f"{label}list": [*prefix, "list"],
        f"{label}shapes": [*prefix, "shapes", net],
        f"{label}shapes --format json": [*prefix, "shapes", net, "--format", "json"],
        f"{label}compare (5 networks)": [*prefix, "compare", net, *FIVE],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--net", default="resnet152")
    parser.add_argument("--before", help="command line of another cnncalc to time beside this one")
    parser.add_argument("--tools", nargs="+", default=list(SCRIPTS), help="which of torchinfo, fvcore, ptflops")
    args = parser.parse_args()
    commands = cnncalc_commands([CNNCALC], args.net, "")
    # what any cnncalc command pays before its own code runs: the interpreter, typer (the CLI) and PyYAML
    commands["floor: python -c 'import typer, yaml'"] = [PY, "-c", "import typer, yaml"]
    if args.before:
        commands |= cnncalc_commands(shlex.split(args.before), args.net, "before: ")
    for name, (module, code) in SCRIPTS.items():
        if name not in args.tools:
            continue
        if importlib.util.find_spec(module) and importlib.util.find_spec("torchvision"):
            commands[f"{name} (torchvision {args.net})"] = [PY, "-c", code.format(net=args.net)]
        else:
            print(f"skipping {name}: not installed")
    times: dict[str, list[float]] = {k: [] for k in commands}
    for cmd in commands.values():  # a warm-up round, untimed: bytecode written, files in the page cache
        timed(cmd)
    for _ in range(args.rounds):
        for name, cmd in commands.items():  # interleaved, so machine load affects all alike
            times[name].append(timed(cmd))
    reference = f"torchinfo (torchvision {args.net})"
    base = statistics.median(times[reference]) if reference in times else None
    print(f"{args.net}, whole processes into a pipe, median of {args.rounds} interleaved rounds:")
    for name, values in times.items():
        med = statistics.median(values)
        ratio = f"{med / base:7.3f}× torchinfo" if base else ""
        target = TARGETS.get(name)
        verdict = "" if target is None or base is None else (
            f"  target <= {target}: {'met' if med / base <= target else 'NOT met'}")
        print(f"  {name:42s} {med * 1000:8.0f} ms  {ratio}{verdict}")


if __name__ == "__main__":
    main()
