"""A ``forward`` method written as straight-line Python, as a person writes one.

Shared by the torch backend (the flat forward of `build_module`) and by
`cnncalc export` (the forward of each block class). A forward is a list of
`Step`: a call of a submodule, a merge written as an expression (``a + b``,
``torch.cat([a, b], dim=1)``), a submodule that may be absent (an optional
entry: the value passes through), or a loop over repeated copies. The main path
is carried in ``x``; a value read later or more than once gets its own name and
is deleted after its last use (torch.fx writes ``x = None`` for the same reason:
an intermediate should not live until the function returns); an addition whose
left operand is dead afterwards accumulates in place (``out += identity``) where
the lowering allows it (`cnncalc.analysis.inplace.in_place`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnncalc.torch.codegen import identifier


@dataclass(frozen=True)
class Step:
    out: str  # the value it makes (a key, unique in the forward)
    inputs: tuple[str, ...]  # the values it reads
    call: str = ""  # code of the module to call, e.g. "self.conv1"
    merge: str = ""  # "add", "mul" or "cat": written as an expression instead of a call
    inplace: bool = False  # an add that may write into its first input
    optional: bool = False  # `call` may be None: the input passes through
    loop: tuple[str, str] | None = None  # (count, code of the i-th copy's module): copies in a chain
    hint: str = ""  # a name for the variable
    wrap: str = ""  # a function applied to the result (the receptive-field stand-in's `support`)
    guard: str = ""  # a merge made only where this holds (``self.use_add``) ...
    passes: str = ""  # ... else the step's value is this one


def forward_lines(steps: Sequence[Step], outputs: Sequence[str], source: str = "input",
                  indent: str = "        ") -> list[str]:
    """The body of ``forward(self, x)``: `steps` in order, returning `outputs` (a tuple if several)."""
    last: dict[str, int] = {}
    for k, step in enumerate(steps):
        for v in (*step.inputs, *([step.passes] if step.passes else [])):
            last[v] = k
    for v in outputs:
        last[v] = len(steps) + 1
    var = {source: "x"}
    holds = {"x": source}  # live variable -> the value it holds
    lines: list[str] = []

    def dead(value: str, k: int) -> bool:
        return last.get(value, -1) <= k

    for k, step in enumerate(steps):
        args = [var[v] for v in step.inputs]
        first = args[0] if args else ""
        if step.guard:
            target = var[step.passes] if dead(step.passes, k) else identifier(step.hint or step.out, set(holds))
            lines += _guarded(step, target, args, var[step.passes], indent)
        elif step.merge == "add" and step.inplace and dead(step.inputs[0], k) and first not in args[1:]:
            target = first
            lines += [f"{indent}{target} += {a}" for a in args[1:]]
        else:
            if first and dead(step.inputs[0], k) and step.inputs.count(step.inputs[0]) == 1:
                target = first  # the chain goes on in the same variable
            elif dead(holds.get("x", ""), k):
                target = "x"
            else:
                chained = last.get(step.out) == k + 1 and sum(step.out in s.inputs for s in steps) == 1
                target = identifier("out" if chained else (step.hint or step.out), set(holds))
            lines += _statement(step, target, args, indent)
        var[step.out] = target
        holds[target] = step.out
        if step.wrap:
            lines.append(f"{indent}{target} = {step.wrap}({target})")
        gone = sorted({name for name, value in holds.items() if name != "x" and dead(value, k)})
        for name in gone:
            del holds[name]
        if gone and k < len(steps) - 1:
            lines.append(f"{indent}del {', '.join(gone)}")
    result = [var[v] for v in outputs]
    lines.append(f"{indent}return {result[0] if len(result) == 1 else '(' + ', '.join(result) + ',)'}")
    return lines


def _guarded(step: Step, target: str, args: list[str], passed: str, indent: str) -> list[str]:
    """A merge made only where `step.guard` holds, else the value `passed` (as torchvision's
    ``if self.use_res_connect: result += input``)."""
    head = [] if target == passed else [f"{indent}{target} = {passed}"]
    if step.merge == "add" and step.inplace and args and passed == args[0] == target and args.count(passed) == 1:
        others = [a for a in args if a != passed]
        return [*head, f"{indent}if {step.guard}:", *[f"{indent}    {target} += {a}" for a in others]]
    return [*head, f"{indent}if {step.guard}:", *_statement(step, target, args, indent + "    ")]


def _statement(step: Step, target: str, args: list[str], indent: str) -> list[str]:
    if step.merge == "cat":
        return [f"{indent}{target} = torch.cat([{', '.join(args)}], dim=1)"]
    if step.merge:
        return [f"{indent}{target} = {(' + ' if step.merge == 'add' else ' * ').join(args)}"]
    if step.loop is not None:
        count, copy = step.loop
        head = [] if target == args[0] else [f"{indent}{target} = {args[0]}"]
        return [*head, f"{indent}for i in range({count}):", f"{indent}    {target} = {copy}({target})"]
    if step.optional:
        return [f"{indent}if {step.call} is not None:", f"{indent}    {target} = {step.call}({args[0]})"] \
            if target == args[0] else [f"{indent}{target} = {args[0]} if {step.call} is None else "
                                       f"{step.call}({args[0]})"]
    return [f"{indent}{target} = {step.call}({', '.join(args)})"]
