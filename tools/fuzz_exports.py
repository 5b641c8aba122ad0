"""Fuzz `cnncalc export`: random valid networks in hostile dress, each exported, imported and run with torch.

The networks are tests/network_strategies.py's (chains and branches merged by add, concat
and mul; 1-D to 3-D; random kernels, strides, paddings, dilations, groups; pooling,
transposed convolutions, linear heads), drawn by hypothesis from `--seed`, then dressed by
`case` in issue 16's hostile text: titles, notes, sources and file names that close
docstrings and strings, end comments, carry backslashes, quotes, ``#``, unicode and
line breaks followed by code; layer, block, argument and var names that are Python
keywords, names of the generated code or of `nn.Module`'s attributes, or have ``-``;
the network sometimes wrapped in a block used twice (its class written once).

Each case is loaded with cnncalc (a `CnnCalcError` there is a refusal, counted), analysed,
exported (`export_source`), written to a temporary folder and imported as a module
(importlib), and its top class built and run with torch on a random batch of two.
Anything else is a bug: an exception at export, import or run; an output shape or
parameter count other than the analysis'; a warning from compiling the file; code from
the input that ran (the hostile texts try to create a file, set an environment variable
and an attribute of `builtins`: none of them may have happened); a case still running
after `--limit` seconds of CPU (a hang). Exit status 1 if any case is a bug.

    python tools/fuzz_exports.py -n 10000 --seed 0     # the README's run
    python tools/fuzz_exports.py -n 200 --seed 3 -v     # print each failure

`case(network, rng)` and `check(text, filename)` are also used by
tests/pytorch/test_fuzz_exports.py (fixed seeds, in the suite).
"""

from __future__ import annotations

import builtins
import importlib.util
import os
import random
import re
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # network_strategies: the random networks of the property tests
sys.path.insert(0, str(ROOT / "tools"))  # fuzz_documents: the CPU-time limit and the command line

from fuzz_documents import Hang, arguments, limited  # noqa: E402

CANARY_DIR = Path(tempfile.gettempdir()) / f"cnncalc-fuzz-exports-{os.getpid()}"
CANARY = CANARY_DIR / "RAN"
ENV = "CNNCALC_FUZZ_RAN"
ATTR = "cnncalc_fuzz_ran"
LAST_TRACEBACK = [""]  # of the last bug that raised, for -v

# statements that each leave a trace if they ever run
RUN = [f"__import__('os').system('touch {CANARY}')", f"open({str(CANARY)!r}, 'w').close()",
       f"__import__('os').environ.__setitem__({ENV!r}, '1')", f"setattr(__import__('builtins'), {ATTR!r}, 1)"]
# ways out of a docstring, a string literal or a comment, then a statement on a line of its own
BREAKS = ['"""\n{run}\n"""', "'''\n{run}\n'''", '\\"""\n{run}\n"""', "\n{run}\n#", "\u2028{run}\u2028",
          '"); {run}; ("', "'); {run}; ('", '"""); {run} #',
          "{{run}}", "\\\n{run}", "# {run}\n{run}", "\"\"\"\n    {run}\n    \"\"\"", "\t\n{run}\n\t",
          "\x85{run}\x85"]  # (NEL: a line break to YAML when written as it is, refused when escaped)
REFUSED = ["\r\n{run}\n", "\x0c\n{run}\n", "\x1b[31m"]  # control characters: refused
TEXTS = ["C:\\users\\net\\", 'ends in a quote "', "ends in a backslash \\", "\\N{", "\\x4", "\\u12", "\\d+",
         "'''", '"""', '""""', "# not a comment", "{x}", "%s %d", "ü ß Ж 你好 🙂", "\u00a0non-breaking",
         "a\ttab", "*bold* [/bogus] [red]", "$x ${1 + 1}", "", " ", "x" * 3000, "\n\n\n", "é\u0301",
         "line one\nline two\n  indented"]
NAMES = ["global", "class", "lambda", "def", "return", "match", "case", "type", "_", "None_", "True_", "async",
         "await", "forward", "training", "self", "x", "torch", "nn", "math", "i", "in_channels", "out", "my-layer",
         "my_layer", "my--layer", "print", "__init__", "__class__", "__dict__", "_modules", "_parameters",
         "add_module", "state_dict", "model", "channels", "load_torchvision_state_dict", "make_divisible",
         "Sequence", "OrderedDict", "super", "getattr", "eval", "train", "to", "cuda", "apply", "children",
         "parameters", "weight", "bias", "T_destination", "dump_patches", "call_super_init", "_version", "l1",
         "l2", "l10", "Conv2d", "Module", "Sequential", "Tensor", "A-B", "a-", "_-_", "dim", "getattr_"]
VAR_NAMES = ["self", "x", "torch", "nn", "num_classes", "w", "super", "forward",
             "model", "width_", "_", "math", "ceil", "make_divisible", "print", "in_channels"]
REFUSED_VARS = ["class", "i"]  # a keyword no expression can name; the copy index
NET_NAMES = ["random", "global", "class", "n-1", "x", "torch", "nn", "Module", "Sequential", "Tensor", "self",
             "my-net", "my_net", "None", "net__", "_", "a-b-c", "Net", "model", "forward"]


def _text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return rng.choice(REFUSED).replace("{run}", rng.choice(RUN))
    if roll < 0.5:
        return rng.choice(BREAKS).replace("{run}", rng.choice(RUN))
    if roll < 0.9:
        return rng.choice(TEXTS)
    return "".join(rng.choice([*TEXTS, *BREAKS]).replace("{run}", rng.choice(RUN)) for _ in range(rng.randint(2, 4)))


def _var(rng: random.Random) -> str:
    return rng.choice(REFUSED_VARS if rng.random() < 0.05 else VAR_NAMES)


def filename(rng: random.Random) -> str:
    """A network file's name as `export` prints it into the header."""
    stem = rng.choice(["net", _text(rng).replace("/", "|"), "C:\\users\\net", 'a """ b', "net'\n", "ü"])
    return stem + rng.choice([".yaml", ".yml", ""])


def _rename(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_rename(v, names) for v in value]
    return value


def case(network: str, rng: random.Random) -> str:
    """`network` (YAML from network_strategies) with hostile names and text: still valid, still the same network."""
    doc = yaml.safe_load(network)
    kept = {e["name"] for e in doc["layers"]}
    pool = rng.sample([n for n in NAMES if n not in kept], len(doc["layers"]))
    names = {e["name"]: (pool.pop() if pool and rng.random() < 0.6 else e["name"]) for e in doc["layers"]}
    entries = []
    for entry in doc["layers"]:
        kind = next(k for k in entry if k not in ("name", "from"))
        new = {kind: _rename(entry[kind], names) if isinstance(entry[kind], list) else entry[kind],
               "name": names[entry["name"]]}
        if "from" in entry:
            new["from"] = names.get(entry["from"], entry["from"])
        entries.append(new)
    out: dict[str, Any] = {"name": rng.choice(NET_NAMES)}
    for key in ("title", "notes", "source"):
        if rng.random() < 0.7:
            out[key] = _text(rng)
    out["input"] = doc["input"]
    convs = [e for e in entries if isinstance(e.get("conv"), dict)]
    if convs and rng.random() < 0.4:  # a conv's width as a var: a keyword argument of the top class
        var, target = _var(rng), rng.choice(convs)
        out["vars"] = {var: target["conv"]["out"]}
        target["conv"] = {**target["conv"], "out": f"${var}"}
    if rng.random() < 0.35:
        block, arg = rng.choice([n for n in NAMES if n != "torch"]), _var(rng)  # `torch:` is a key
        inner = [{k: ("in" if v == "input" else _rename(v, {"input": "in"})) if k in ("from",) or isinstance(v, list)
                  else v for k, v in e.items()} for e in entries]
        widths = [e for e in inner if isinstance(e.get("conv"), dict) and not str(e["conv"]["out"]).startswith("$")]
        value = None
        if widths:
            target = rng.choice(widths)
            value = target["conv"]["out"]
            target["conv"] = {**target["conv"], "out": f"${arg}"}
        args = {arg: None if value is not None else rng.choice([1, None])}
        out["blocks"] = {block: {"args": args, "layers": inner}}
        call = {arg: value if value is not None else 1}
        first, second = rng.sample(NAMES, 2)
        if rng.random() < 0.5:
            entries = [{block: call, "name": first}]
        else:  # twice from the input, merged: one class, two instances
            entries = [{block: call, "name": first}, {block: dict(call), "name": second, "from": "input"},
                       {"add": [first, second], "name": rng.choice([n for n in NAMES if n not in (first, second)])}]
    out["layers"] = entries
    return yaml.safe_dump(out, sort_keys=False, allow_unicode=rng.random() < 0.5, default_flow_style=None)


def _traces() -> list[str]:
    found = []
    if CANARY.exists():
        found.append(f"{CANARY} was created")
    if ENV in os.environ:
        found.append(f"${ENV} was set")
    if hasattr(builtins, ATTR):
        found.append(f"builtins.{ATTR} was set")
    return found


def _reset() -> None:
    CANARY_DIR.mkdir(exist_ok=True)
    CANARY.unlink(missing_ok=True)
    os.environ.pop(ENV, None)
    if hasattr(builtins, ATTR):
        delattr(builtins, ATTR)


def _import(source: str, folder: Path, module: str) -> Any:
    """The exported file, written to `folder` and imported as `module`, as a user would."""
    path = folder / f"{module}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(module, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[module] = loaded
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spec.loader.exec_module(loaded)
    finally:
        del sys.modules[module]
    mine = [w for w in caught if str(path) in str(w.filename) or issubclass(w.category, SyntaxWarning)]
    if mine:
        raise AssertionError(f"{mine[0].category.__name__} from the exported file: {mine[0].message}")
    return loaded


def check(text: str, name: str = "net.yaml", folder: Path | None = None) -> str:
    """'ok', 'refused' (a one-line CnnCalcError on loading) or 'bug: ...'."""
    import torch

    import cnncalc
    from cnncalc.analysis import analyze_graph
    from cnncalc.errors import CnnCalcError
    from cnncalc.torch.export import export_source

    _reset()
    try:
        graph = cnncalc.load_text_graph(text, name)
        report = analyze_graph(graph)
    except CnnCalcError as exc:
        message = f"cnncalc: {exc}".replace(name, "FILE")  # the file's own name may have a line break
        return "refused" if "\n" not in message else f"bug: a message of several lines: {message!r}"
    try:
        source = export_source(name, text=text)
        with tempfile.TemporaryDirectory() as tmp:
            module = _import(source, folder or Path(tmp), f"fuzz_export_{os.getpid()}")
        main = re.search(r"^    model = (\w+)\(\)\.eval\(\)$", source, re.M)
        if main is None:
            return "bug: the file builds no model under `if __name__ == \"__main__\":`"
        model = getattr(module, main.group(1))().eval()
        torch.manual_seed(0)
        with torch.no_grad():
            y = model(torch.randn(2, *graph.spec.input_shape))
        traces = _traces()
        if traces:
            return f"bug: code from the input ran: {', '.join(traces)}"
        params = sum(p.numel() for p in model.parameters())
        if tuple(y.shape) != (2, *report.totals.output_shape):
            return f"bug: output {tuple(y.shape)}, the analysis says (2, {fmt(report.totals.output_shape)})"
        if params != report.totals.params:
            return f"bug: {params:,} parameters, the analysis says {report.totals.params:,}"
    except Hang:
        raise
    except Exception as exc:
        LAST_TRACEBACK[0] = traceback.format_exc()
        traces = _traces()
        ran = f" (and code from the input ran: {', '.join(traces)})" if traces else ""
        return f"bug: {type(exc).__name__}: {exc}{ran}"[:400]
    return "ok"


def fmt(shape: tuple[int, ...]) -> str:
    return ", ".join(map(str, shape))


def each(n: int, seed: int, visit: Callable[[int, str, str], None]) -> int:
    """Calls visit(k, text, filename) for `n` cases drawn from `seed`; returns how many were drawn."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed
    from hypothesis import strategies as st
    from network_strategies import networks

    drawn = [0]

    @fixed(seed)
    @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(networks(), st.integers(0, 2**64 - 1))
    def one(network: str, salt: int) -> None:
        rng = random.Random(salt)
        visit(drawn[0], case(network, rng), filename(rng))
        drawn[0] += 1

    one()
    return drawn[0]


def main() -> int:
    args = arguments(__doc__, "networks (each exported, imported, built and run)", 30.0)
    import torch

    torch.set_num_threads(1)
    counts: Counter[str] = Counter()
    slowest = [0.0]
    started, cpu = time.perf_counter(), time.process_time()

    def visit(k: int, text: str, name: str) -> None:
        outcome, took = limited(lambda: check(text, name), args.limit)
        slowest[0] = max(slowest[0], took)
        counts[outcome.split(":")[0]] += 1
        if outcome.startswith("bug") and args.verbose:
            print(f"--- case {k}, file {name!r} ({outcome})\n{text[:3000]}\n{LAST_TRACEBACK[0]}", file=sys.stderr,
                  flush=True)
            LAST_TRACEBACK[0] = ""
        if args.verbose and k % 500 == 499:
            print(f"{k + 1:,} cases: {dict(counts)}", file=sys.stderr, flush=True)

    try:
        drawn = each(args.n, args.seed, visit)
    finally:
        _reset()
        CANARY_DIR.rmdir()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{drawn:,} exports (seed {args.seed}): {counts['ok']:,} imported and ran with the analysis' output shape "
          f"and parameters, {counts['refused']:,} refused with one line on loading, {counts['bug']:,} tracebacks, "
          f"hangs, wrong numbers or executed code; slowest {slowest[0]:.2f} s of CPU, {cpu:.0f} s of CPU "
          f"({elapsed:.0f} s) in all")
    return 1 if counts["bug"] or drawn < args.n else 0


if __name__ == "__main__":
    sys.exit(main())
