"""Time `cnncalc shapes resnet50` against the tools users would otherwise reach for.

Each tool runs as a whole process (interpreter start, imports, model build,
analysis, printing), the way a user runs it from a shell, interleaved over
several rounds; the script prints median wall times and ratios to cnncalc.

    .venv/bin/python benchmarks/startup.py [--rounds 5] [--net resnet50]

Needs torch and torchvision (the [torchvision] extra); torchinfo, fvcore and
ptflops are used when installed (`pip install torchinfo ptflops fvcore`).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
CNNCALC = str(Path(PY).with_name("cnncalc")) if shutil.which("cnncalc") is None else shutil.which("cnncalc")

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


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--net", default="resnet50")
    args = parser.parse_args()
    commands = {"cnncalc shapes": [CNNCALC, "shapes", args.net], "cnncalc shapes --format json": [
        CNNCALC, "shapes", args.net, "--format", "json"]}
    for name, (module, code) in SCRIPTS.items():
        if importlib.util.find_spec(module) and importlib.util.find_spec("torchvision"):
            commands[f"{name} (torchvision {args.net})"] = [PY, "-c", code.format(net=args.net)]
        else:
            print(f"skipping {name}: not installed")
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.rounds):
        for name, cmd in commands.items():  # interleaved, so machine load affects all alike
            times[name].append(timed(cmd))
    base = statistics.median(times["cnncalc shapes"])
    print(f"{args.net}, whole processes, median of {args.rounds} rounds:")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"  {name:45s} {med * 1000:8.0f} ms   {med / base:6.1f}× cnncalc")


if __name__ == "__main__":
    main()
