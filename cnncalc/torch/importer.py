"""A PyTorch model -> the operations cnncalc's layer kinds compute, in the order they run.

The model is traced with ``torch.fx`` (modules the table in `importer_table` maps,
and every other torch.nn module without children, are leaves; everything else is
traced through), and the input shape is propagated on the meta device. Each call
becomes an `Op`: a layer kind with its arguments, where it sits in the module
tree (the module paths name the layers), and which ops it reads. A call cnncalc
has no kind for is an error naming the call and its place in the model — or,
with ``allow_uncounted``, an ``uncounted`` layer that keeps its traced output
shape and its parameters and is listed as not counted. `cnncalc.torch.importer_yaml`
writes the ops as a network file.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import fx, nn
from torch.fx.passes.shape_prop import ShapeProp, TensorMetadata

from cnncalc import layers
from cnncalc.errors import CnnCalcError, Location
from cnncalc.layers import torchop
from cnncalc.torch import importer_functions as functions
from cnncalc.torch import importer_layout as layout
from cnncalc.torch import importer_table as table

INPUT = -1  # the network's input, as an op's input
Shape = tuple[int, ...]
CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)


@dataclass
class Op:
    """One layer: its kind and YAML arguments, spelling, place in the module tree and inputs."""

    kind: str
    args: dict[str, Any]
    torch: str
    inputs: list[int]
    output: Shape
    scopes: list[tuple[str, str]]  # the enclosing module instances: (path, class name), outermost first
    leaf: str = ""  # the module's own attribute name for a module call ("conv1", "0"), "" for a function
    module_path: str = ""  # the module's full path for a module call
    notes: list[str] = field(default_factory=list)


@dataclass
class Traced:
    """The ops of a model, its input shape, and the index of the op that is its output."""

    ops: list[Op]
    input_shape: Shape
    output: int
    classes: dict[str, str]  # module path -> class name ("" is the model itself)


class _Tracer(fx.Tracer):
    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        if table.module_rule(m) is not None:
            return True
        return type(m).__module__.startswith("torch.nn") and not isinstance(m, CONTAINERS)


def trace(model: nn.Module, input_shape: Shape, source: str, *, allow_uncounted: bool = False) -> Traced:
    """The model's ops for an input of `input_shape` (channels first, without the batch)."""
    model = model.eval()
    try:
        graph = _Tracer(autowrap_functions=functions.WRAPPED).trace(model)
    except Exception as exc:  # fx cannot trace data-dependent control flow
        raise CnnCalcError(f"torch.fx cannot trace the model: {type(exc).__name__}: {_first_line(exc)}; cnncalc "
                           "imports models that fx can trace", Location(source)) from None
    module = fx.GraphModule(model, graph)
    _propagate(module, model, input_shape, source)
    classes = {path: type(m).__name__ for path, m in model.named_modules()}
    return _Reader(module, input_shape, source, allow_uncounted, classes).read()


def _propagate(module: fx.GraphModule, model: nn.Module, input_shape: Shape, source: str) -> None:
    """Shapes on the meta device (no memory, no arithmetic); on the CPU if the model makes real tensors."""
    try:
        meta = copy.deepcopy(module).to("meta")
        ShapeProp(meta).propagate(torch.empty((1, *input_shape), device="meta"))
        for mine, theirs in zip(module.graph.nodes, meta.graph.nodes, strict=True):
            mine.meta.update(theirs.meta)
        return
    except Exception:  # retried on the CPU, which reports the real problem
        pass
    try:
        with torch.no_grad():
            ShapeProp(module).propagate(torch.zeros((1, *input_shape)))
    except Exception as exc:
        raise CnnCalcError(f"the model does not run on a {'×'.join(map(str, input_shape))} input: "
                           f"{type(exc).__name__}: {_first_line(exc)}", Location(source)) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]


def _shape(node: Any) -> Shape | None:
    meta = node.meta.get("tensor_meta") if isinstance(node, fx.Node) else None
    return tuple(meta.shape) if isinstance(meta, TensorMetadata) else None


class _Reader:
    def __init__(self, module: fx.GraphModule, input_shape: Shape, source: str, allow_uncounted: bool,
                 classes: dict[str, str]) -> None:
        self.module, self.input_shape, self.source = module, input_shape, source
        self.allow_uncounted = allow_uncounted
        self.ops: list[Op] = []
        self.value: dict[fx.Node, int] = {}  # a tensor node -> the op that makes it (INPUT for the input)
        self.params: set[fx.Node] = set()  # get_attr nodes (parameters and buffers used by functions)
        self.classes = classes  # module path -> class name, of the model as written
        self.last: set[fx.Node] = set()  # tensors in channels-last order (`importer_layout`)
        self.parts: dict[fx.Node, Any] = {}  # chunk/split calls -> their parts (a count or the sizes)

    def read(self) -> Traced:
        output = None
        for node in self.module.graph.nodes:
            if node.op == "placeholder":
                if node in self.value or self.value:
                    raise self.error(node, "a model with more than one input", "cnncalc networks take one input")
                self.value[node] = INPUT
            elif node.op == "get_attr":
                self.params.add(node)
            elif node.op == "output":
                output = self.result(node)
            elif _shape(node) is not None:
                self.call(node)
            elif node.args and isinstance(node.args[0], fx.Node) and _shape(node.args[0]) is not None:
                self.chunk(node)
        assert output is not None
        return Traced(self.ops, self.input_shape, output, self.classes)

    def result(self, node: fx.Node) -> int:
        value = node.args[0]
        if not isinstance(value, fx.Node) or value not in self.value:
            raise self.error(node, "a model whose output is not one tensor", "cnncalc networks have one output")
        return self.value[value]

    # -- one call ---------------------------------------------------------------------------------

    def chunk(self, node: fx.Node) -> None:
        """A call that makes no tensor: remember a chunk or split of the channels for its ``x[k]``."""
        source = node.args[0]
        assert isinstance(source, fx.Node)
        found = layout.chunking(node, self.input_of(source)[0])
        if isinstance(found, table.Unsupported):
            raise self.error(node, found.what, "cnncalc has no layer kind for it")
        if found is not None:
            self.parts[node] = found

    def call(self, node: fx.Node) -> None:
        tensors = [a for a in layout.flat(node.args, node.kwargs) if isinstance(a, fx.Node) and _shape(a) is not None]
        part = layout.chunk_part(node, self.parts)
        dims = layout.permute_dims(self.module, node)
        mapped: table.Mapped | table.Unsupported
        if part is not None:
            source = part[0].args[0]
            assert isinstance(source, fx.Node)
            tensors, mapped = [source], part[1]
        elif dims is not None and tensors:
            after = layout.after_permute(dims, tensors[0] in self.last)
            if after is None or tensors[0] not in self.value:
                self.unsupported(node, tensors, f"{self.what(node)}({dims}) (cnncalc follows a permute of the "
                                 "channels to the last dimension and back, no other)")
                return
            if after:
                self.last.add(node)
            if node.op == "call_module":  # torchvision's Permute module: an identity, numbered as in its Sequential
                self.add(node, table.Mapped("identity"), [self.value[tensors[0]]], self.input_of(tensors[0]))
            else:  # no layer: the next calls see it channels first
                self.value[node] = self.value[tensors[0]]
            return
        elif any(t in self.params for t in tensors):
            mapped = self.with_parameter(node, tensors)
            tensors = [t for t in tensors if t not in self.params]
        else:
            mapped = self.mapped(node, tensors)
        if isinstance(mapped, table.Unsupported):
            self.unsupported(node, tensors, mapped.what)
            return
        last = {t in self.last for t in tensors}
        if True in last and (len(last) > 1 or (mapped.kind and mapped.kind not in layout.POSITIONWISE)):
            self.unsupported(node, tensors, f"{self.what(node)} on a channels-last tensor (cnncalc follows "
                             "channels-last tensors through calls that treat every position alike)")
            return
        if True in last:
            self.last.add(node)
        missing = [t for t in tensors if t not in self.value]
        if missing:
            self.unsupported(node, tensors, f"{self.what(node)} on a value cnncalc did not import")
            return
        if not mapped.kind:  # passes its input through
            self.value[node] = self.value[tensors[0]]
            return
        output = _shape(node)
        assert output is not None
        inputs = [self.value[t] for t in tensors]
        if mapped.then_flatten:
            pooled = (output[1], *(1,) * (len(self.input_of(tensors[0])) - 1))
            self.add(node, table.Mapped(mapped.kind, mapped.args, mapped.torch), inputs, pooled)
            self.add(node, table.Mapped("flatten", torch="x.flatten"), [len(self.ops) - 1], output[1:])
        else:
            self.add(node, mapped, inputs, self.input_of(node))

    def with_parameter(self, node: fx.Node, tensors: list[fx.Node]) -> table.Mapped | table.Unsupported:
        """A call on a parameter of the model: a per-channel learned factor is ``scale`` (layer scale)."""
        what = self.what(node)
        params = [t for t in tensors if t in self.params]
        others = [t for t in tensors if t not in self.params]
        if what in ("*", "torch.mul", "x.mul") and len(params) == 1 and len(others) == 1:
            shape = self.input_of(params[0])
            if math.prod(shape) == self.input_of(others[0])[0] and max(shape, default=1) == math.prod(shape):
                return table.Mapped("scale")
        return table.Unsupported(f"{what} with a parameter of the model (a learned scale or bias)")

    def mapped(self, node: fx.Node, tensors: list[fx.Node]) -> table.Mapped | table.Unsupported:
        inputs = tuple(self.input_of(t) for t in tensors)
        output = _shape(node)
        last = any(t in self.last for t in tensors)
        args, kwargs = layout.shapes_of(node.args, _shape), layout.shapes_of(node.kwargs, _shape)
        call = table.Call(None, args, kwargs, inputs, output[1:] if output else None, last)
        if node.op == "call_module":
            submodule = self.module.get_submodule(str(node.target))
            rule = table.module_rule(submodule)
            if rule is None:
                return table.Unsupported(self.what(node))
            return rule(table.Call(submodule, call.args, call.kwargs, inputs, call.output, last))
        target = node.target if node.op == "call_function" else str(node.target)
        rule = functions.function_rule(target)
        return rule(call) if rule is not None else table.Unsupported(self.what(node))

    def input_of(self, node: fx.Node) -> Shape:
        shape = _shape(node)
        assert shape is not None
        if node in self.params:
            return shape
        return layout.channels_first(shape[1:]) if node in self.last else shape[1:]

    def add(self, node: fx.Node, mapped: table.Mapped, inputs: list[int], output: Shape) -> None:
        stack = list((node.meta.get("nn_module_stack") or {}).values())
        if node.op == "call_module":
            stack = stack[:-1]
        scopes = [(str(path), cls.__name__ if isinstance(cls, type) else str(cls)) for path, cls in stack]
        path = str(node.target) if node.op == "call_module" else ""
        leaf = path.rsplit(".", 1)[-1] if path else ""
        spelling = mapped.torch
        if spelling and mapped.kind != "uncounted":
            defaults = torchop.spellings(layers.require(mapped.kind), len(self.ops[inputs[0]].output) - 1
                                         if inputs[0] != INPUT else len(self.input_shape) - 1)
            spelling = "" if defaults and spelling == defaults[0] else spelling
        self.ops.append(Op(mapped.kind, dict(mapped.args), spelling, inputs, output, scopes, leaf, path))
        self.value[node] = len(self.ops) - 1

    # -- what cnncalc cannot import ---------------------------------------------------------------

    def what(self, node: fx.Node) -> str:
        if node.op == "call_module":
            cls = type(self.module.get_submodule(str(node.target)))
            return f"nn.{cls.__name__}" if cls.__module__.startswith("torch.nn") else cls.__name__
        return functions.describe(node.target if node.op == "call_function" else str(node.target))

    def where(self, node: fx.Node) -> str:
        """``layer1.0.conv1`` for a module; ``the forward of features.1.0.block (CNBlock)`` for a function."""
        if node.op == "call_module":
            return str(node.target)
        stack = list((node.meta.get("nn_module_stack") or {}).values())
        scope = str(stack[-1][0]) if stack else ""
        if not scope:
            return f"the model's forward ({self.classes.get('', 'the model')})"
        return f"the forward of {scope} ({self.classes.get(scope, 'a module')})"

    def error(self, node: fx.Node, what: str, why: str) -> CnnCalcError:
        return CnnCalcError(f"{what} in {self.where(node)}: {why}", Location(self.source))

    def unsupported(self, node: fx.Node, tensors: list[fx.Node], what: str) -> None:
        if not self.allow_uncounted:
            raise self.error(node, what, f"cnncalc has no layer kind for it; `cnncalc import {self.source} "
                             "--allow-uncounted -o net.yaml` writes it as an 'uncounted' layer (traced shape and "
                             "parameters, no MACs) that net.yaml's analysis lists as not counted")
        output = _shape(node)
        if output is None:
            raise self.error(node, what, "it makes no tensor cnncalc can follow")
        params = 0
        if node.op == "call_module":
            params = sum(p.numel() for p in self.module.get_submodule(str(node.target)).parameters())
        inputs = [self.value[t] for t in tensors if t in self.value] or [INPUT]
        self.add(node, table.Mapped("uncounted", {"op": self.what(node), "out": list(output[1:]), "params": params}),
                 inputs, output[1:])


__all__ = ["INPUT", "Op", "Traced", "trace"]
