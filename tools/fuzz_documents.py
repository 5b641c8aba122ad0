"""Fuzz the YAML language: random network files, mostly almost right, each read and analysed in-process.

Every document must either analyse or raise `CnnCalcError` (the one-line message the CLI
prints with exit status 2) within `--limit` seconds: any other exception is a bug (a
traceback), and a document still running at the limit is a hang. The documents mix
plausible networks (real layer kinds and arguments, blocks, repeat, if, from, vars,
expressions) with the hostile pieces of issue 16 (huge numbers and repeats, aliases,
deep nesting, control characters, keyword and newline names, markup, cycles through
skipped entries), and some are then cut or have characters flipped.

    python tools/fuzz_documents.py -n 100000 --seed 0     # the README's run
    python tools/fuzz_documents.py -n 200 --seed 3 -v      # print each failure

`document(rng)` is also the generator of tests/dsl/test_fuzz.py (fixed seeds, in the suite).
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

KINDS = ["conv", "relu", "maxpool", "avgpool", "bn", "linear", "flatten", "dropout", "global_avgpool", "add",
         "concat", "mul", "split", "lrn", "sigmoid", "softmax", "convtranspose", "adaptive_avgpool", "identity",
         "channel_shuffle", "groupnorm", "layernorm", "spp", "prelu", "leaky_relu", "pad_channels", "scale",
         "stochastic_depth", "subsample", "rbf", "tableconv", "minpool", "nonsense"]
ARGS = ["out", "kernel", "stride", "padding", "dilation", "groups", "bias", "p", "ceil_mode", "size", "parts",
        "dim", "negative_slope", "affine", "num_groups", "levels", "alpha", "beta", "k", "output_padding", "x"]
NAMES = ["a", "b", "c", "global", "class", "lambda", "conv1", "relu1", "b1", "my-layer", "None", "d", "e", "f"]
BAD_NAMES = ["in", "input", "x\n", "s.0", "[/bogus]", "ü", "a b"]
HOSTILE_NUMBERS = ["1e999999999", "9" * 120, "-1", "0", ".nan", ".inf", "1e30", "2.5", "-0.0", "0x10", "1_000",
                   "200000", "${2**300}", "${1/0}", "${x}", "$i", "${i * 2 + 1}", "true", "null", "~", "2024-01-01",
                   '"3"', "[1, 2]", "[]", "{}"]
TEXTS = ['"[/bogus]"', '"\\e[31mred"', '"C:\\\\users"', '"\\"\\"\\""', "'it''s'", "2024-01-01", "=", '"\\x00"',
         "&t text", "*t", "!!python/object:os.system x", "!!binary aGk=", "[x, [y]]"]


def _quoted(text: str) -> str:
    """An expression in quotes (``{`` would open a YAML mapping), anything else as it is."""
    return json.dumps(text) if text.startswith("$") else text


def _number(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return _quoted(rng.choice(HOSTILE_NUMBERS))
    return str(rng.choice([1, 2, 3, 4, 8, 16, 32, 64, 5, 7, 0, 11]))


def _args(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.2:
        return "null"
    if roll < 0.4:
        return _number(rng)
    items = [f"{arg}: {_number(rng) if rng.random() < 0.95 else rng.choice(TEXTS)}"
             for arg in rng.sample(ARGS, rng.randint(0, 4))]
    return "{" + ", ".join(items) + "}"


def _entry(rng: random.Random, kinds: list[str], names: list[str]) -> str:
    kind = rng.choice(kinds)
    if rng.random() < 0.2:
        return kind
    parts = [f"{kind}: {_args(rng)}"]
    if kind in ("add", "concat", "mul") and rng.random() < 0.7:
        parts = [f"{kind}: [{', '.join(rng.choice(names) for _ in range(rng.randint(1, 3)))}]"]
    if rng.random() < 0.5:
        name = rng.choice(NAMES if rng.random() < 0.95 else BAD_NAMES)
        names.append(name)
        parts.append(f"name: {json.dumps(name)}")
    if rng.random() < 0.2:
        parts.append(f"from: {json.dumps(rng.choice(names))}")
    if rng.random() < 0.2:
        parts.append(f"repeat: {_quoted(rng.choice(['0', '1', '2', '3', '$n', '100000', '${n * 2}', '-1', '1.5']))}")
    if rng.random() < 0.1:
        parts.append(f"if: {_quoted(rng.choice(['true', 'false', '0', '${n > 1}', 'maybe', '${i == 0}']))}")
    return "{" + ", ".join(parts) + "}"


def _layers(rng: random.Random, kinds: list[str], count: int, indent: str) -> str:
    names = ["input", "in", "a"]
    return "".join(f"{indent}- {_entry(rng, kinds, names)}\n" for _ in range(count))


def _hostile(rng: random.Random) -> str:
    """One of issue 16's shapes of trouble, as a whole document."""
    header = "name: h\ninput: [3, 8, 8]\n"
    choice = rng.randrange(8)
    if choice == 0:
        return header + "notes: &a [*a]\nlayers: [relu]\n"
    if choice == 1:
        depth = rng.choice([10, 63, 64, 65, 600])
        return header + "layers: [relu]\nnotes: " + "[" * depth + "]" * depth + "\n"
    if choice == 2:
        text = header + "blocks:\n"
        for k in range(8):
            inner = f"{{b{k + 1}, repeat: 10}}" if k < 7 else "{relu, repeat: 0}"
            text += f"  b{k}:\n    layers:\n      - {inner}\n"
        return text + "layers:\n  - b0\n"
    if choice == 3:
        return header + f"layers:\n  - {{conv: {'9' * rng.choice([99, 100, 101, 5000])}}}\n"
    if choice == 4:
        chain = "".join(f"  - {{relu, name: r{k}, from: r{k + 1}, repeat: 0}}\n" for k in range(rng.choice([5, 1500])))
        return header + "layers:\n" + chain + f"  - {{relu, name: r{rng.choice([0, 1, 1500])}}}\n"
    if choice == 5:
        title = rng.choice(TEXTS)  # then the out: the order the README's run drew them in
        return header + f"title: {title}\nlayers: [relu]\nout: {rng.choice(['input', 'nothere', 'relu1'])}\n"
    if choice == 6:
        return header + f"layers:\n  - {{relu, repeat: {rng.choice([2000, 10001, 200000])}}}\n"
    return "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{k}: &a{k} [{', '.join(['*a' if k == 0 else f'*a{k - 1}'] * 10)}]\n" for k in range(5)) + header + \
        "layers: [relu]\n"


def document(rng: random.Random) -> str:
    """A random network file: plausible, hostile, or damaged."""
    if rng.random() < 0.02:  # whole hostile documents (a few take a second: the others are many more)
        return _hostile(rng)
    kinds = KINDS + [f"blk{k}" for k in range(rng.randint(0, 2))]
    rank = rng.choice([1, 2, 2, 2, 3])
    shape = [rng.choice([1, 3, 4, 16])] + [rng.choice([1, 5, 8, 16, 32])] * rank
    lines = [f"name: {rng.choice(['net'] * 9 + ['n-1', '1bad', 'global'])}",
             f"input: {json.dumps(shape) if rng.random() < 0.95 else rng.choice(HOSTILE_NUMBERS)}",
             f"vars: {{n: {_number(rng)}, x: {_number(rng)}}}"]
    if rng.random() < 0.3:
        lines.append(f"title: {rng.choice([*TEXTS, '|', '>-'])}" + ("\n  multi\n  line" if rng.random() < 0.5 else ""))
    if rng.random() < 0.3:
        lines.append(f"defaults: {{conv: {{bias: {rng.choice(['true', 'false', '3'])}}}}}")
    blocks = [k for k in kinds if k.startswith("blk")]
    if blocks:
        lines.append("blocks:")
        for name in blocks:
            lines.append(f"  {name}:")
            lines.append(f"    args: {{w: {_quoted(rng.choice(['null', '4', '$n']))}}}")
            lines.append("    layers:")
            lines.append(_layers(rng, KINDS + blocks, rng.randint(1, 3), "      ").rstrip("\n"))
            if rng.random() < 0.2:
                lines.append(f"    out: {rng.choice(['in', 'a', 'nothere'])}")
    lines.append("layers:")
    lines.append(_layers(rng, kinds, rng.randint(1, 8), "  ").rstrip("\n"))
    if rng.random() < 0.1:
        lines.append(f"out: {rng.choice(['input', 'a', 'nothere'])}")
    text = "\n".join(lines) + "\n"
    roll = rng.random()
    if roll < 0.05:
        text = text[: rng.randrange(len(text) + 1)]
    elif roll < 0.1:
        k = rng.randrange(len(text))
        text = text[:k] + rng.choice(["\x00", "\x1b", "{", "]", ":", "\t", "\n- ", "'", "&x ", "*x", "²", "\u202e"]) \
            + text[k + 1:]
    return text


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang


def limited(run: Callable[[], str], limit: float) -> tuple[str, float]:
    """`run()`'s outcome under a limit of `limit` CPU seconds (past it: a hang, a bug), and the CPU it took."""
    signal.signal(signal.SIGVTALRM, _alarm)
    begin = time.process_time()
    signal.setitimer(signal.ITIMER_VIRTUAL, limit)
    try:
        outcome = run()
    except Hang:
        outcome = f"bug: still running after {limit:g} s of CPU"
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    return outcome, time.process_time() - begin


def arguments(doc: str, what: str, limit: float) -> argparse.Namespace:
    """The fuzzers' command line: -n cases of `what`, --seed, --limit (CPU seconds, default `limit`), -v."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help=f"how many {what}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=float, default=limit, help="CPU seconds a case may take (CPU time, so "
                        "that a busy machine does not make a slow case look like a hang)")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args()


def check(text: str) -> str:
    """'ok', 'refused' (a CnnCalcError of one line) or 'bug: ...' (anything else)."""
    import cnncalc
    from cnncalc.errors import CnnCalcError

    try:
        cnncalc.analyze_text(text, "fuzz.yaml")
    except CnnCalcError as exc:
        message = f"cnncalc: {exc}"
        return "refused" if "\n" not in message else f"bug: a message of several lines: {message!r}"
    except Hang:
        raise
    except Exception as exc:
        return f"bug: {type(exc).__name__}: {exc}"[:300]
    return "ok"


def main() -> int:
    args = arguments(__doc__, "documents", 10.0)
    rng = random.Random(args.seed)
    counts: Counter[str] = Counter()
    slowest = 0.0
    started, cpu = time.perf_counter(), time.process_time()
    for k in range(args.n):
        text = document(rng)
        outcome, took = limited(lambda: check(text), args.limit)  # noqa: B023 (called at once)
        slowest = max(slowest, took)
        counts[outcome.split(":")[0]] += 1
        if outcome.startswith("bug") and args.verbose:
            print(f"--- document {k} ({outcome})\n{text[:2000]}", file=sys.stderr)
            traceback.print_exc()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{args.n:,} documents (seed {args.seed}): {counts['ok']:,} analysed, {counts['refused']:,} refused with "
          f"one line, {counts['bug']:,} tracebacks or hangs; slowest {slowest:.2f} s of CPU, {cpu:.0f} s of CPU "
          f"({elapsed:.0f} s) in all")
    return 1 if counts["bug"] else 0


if __name__ == "__main__":
    sys.exit(main())
