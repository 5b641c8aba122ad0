"""The network as one class, every layer a submodule under its YAML path: the export's last resort.

Used where the blocks cannot be written as classes (a name that reaches inside
another block's instance, copies the entries cannot describe once for all
instances). The block instances are plain ``nn.Module`` containers, so the
state_dict is still `build_module`'s; the forward is the flat one `build_module`
runs, with merges written as expressions.
"""

from __future__ import annotations

from typing import Any

from cnncalc.graph import Graph
from cnncalc.spec import INPUT
from cnncalc.torch.classes import Names
from cnncalc.torch.codegen import attr, class_name
from cnncalc.torch.ctor import read
from cnncalc.torch.forward import Step, forward_lines
from cnncalc.torch.lower import access
from cnncalc.torch.written import Written


def classes(graph: Graph, built: Any) -> tuple[list[Written], Written]:
    top = Written(class_name(graph.spec.name), "nn.Module", Names(), [], None, None, {"": {}})
    made: set[str] = set()
    for node in graph.spec.layers:
        path = built.paths[node.name]
        parts = path.split(".")
        for k in range(1, len(parts)):
            prefix = ".".join(parts[:k])
            if prefix not in made:
                made.add(prefix)
                top.body.append(_set(".".join(parts[: k - 1]), parts[k - 1], "nn.Module()"))
        module = built.submodule(node.name)
        if getattr(module, "MERGE", ""):
            continue
        call = read(module)
        top.customs |= call.customs()
        top.body.append(_set(".".join(parts[:-1]), parts[-1], call.render()))
    steps = []
    for node in graph.order:
        module = built.submodule(node.name)
        merge = getattr(module, "MERGE", "")
        steps.append(Step(node.name, node.inputs, call=access("self", built.paths[node.name]), merge=merge,
                          inplace=bool(getattr(module, "inplace", False)) and merge == "add",
                          hint=node.name.rsplit(".", 1)[-1]))
    top.forward = forward_lines(steps, [graph.output], INPUT)
    return [], top


def _set(owner_path: str, name: str, value: str) -> str:
    owner = access("self", owner_path) if owner_path else "self"
    target = attr(owner, name)
    return f"{target} = {value}" if not target.startswith("getattr(") else f"{owner}.add_module({name!r}, {value})"
