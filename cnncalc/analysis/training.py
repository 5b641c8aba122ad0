"""Training memory: what autograd keeps for the backward pass, and the peak of a training step.

Each layer's ``SAVED`` rule (`cnncalc.layers.saved`) says which tensors it keeps: the
storage of an input or of its output, or tensors of its own (statistics, indices,
noise). Following every value's storage through views and in-place layers, each
storage is counted once (`LayerMemory.first` sums to `Training.saved`); parameters
and buffers never are. With parameters, gradients and the optimizer's state, the
step's peak comes from tensor lifetimes along the forward and backward order
(`cnncalc.analysis.step`), and `Training.fit` answers the largest batch under a budget.

Conventions: layers run in place exactly where cnncalc's torch module runs them in
place (`cnncalc.analysis.inplace`, the rule `cnncalc.torch.lower` follows), as torchvision's models do
(``ReLU(inplace=True)``, ``out += identity``). The device is CUDA by default: there
a dropout keeps a one-byte mask, Adam runs its foreach implementation (one
parameter-sized temporary) and its step counters live on the host; ``device="cpu"``
follows torch on the CPU (float noise, single-tensor Adam), as `verify --train`
measures it. Mixed precision (``amp``) follows torch.autocast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from cnncalc.analysis import LayerReport, Report, analyze_graph
from cnncalc.analysis.inplace import in_place, saved_rule
from cnncalc.analysis.step import ZERO, Bytes, Event, Node, Timeline, simulate, total
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph
from cnncalc.layers.base import numel
from cnncalc.layers.memory import ITEMSIZE, Context, Effect, Piece, worked
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg
from cnncalc.spec import INPUT

OPTIMIZERS = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}  # parameter-sized state tensors per parameter
AMP = {"bf16": "bfloat16", "bfloat16": "bfloat16", "fp16": "float16", "float16": "float16"}
DEVICES = ("cuda", "cpu")


@dataclass(frozen=True)
class LayerMemory:
    """One layer's part: what its rule keeps (`effect`), the bytes of the distinct storages it keeps
    (`saved`) and of those no earlier layer kept (`first`), and the storages themselves."""

    name: str
    effect: Effect
    records: bool  # autograd records it: an input requires grad, or it has parameters
    in_place: bool
    saved: Bytes
    first: Bytes
    storages: tuple[int, ...]


@dataclass(frozen=True)
class Fit:
    """The answer to `--fit`: the largest batch whose step peaks within `budget` bytes (0: none does)."""

    budget: int
    batch: int
    peak: int  # at that batch
    next_peak: int  # one sample more


@dataclass(frozen=True)
class Training:
    """The training memory of a network at `report.batch` (every figure is affine in the batch)."""

    report: Report
    optimizer: str
    amp: str | None
    device: str
    layers: tuple[LayerMemory, ...]
    storage_bytes: tuple[Bytes, ...]
    saved_total: Bytes  # every kept storage once, the network's input included, parameter casts not
    param_casts: Bytes  # low-precision weight copies kept under autocast
    params: int  # bytes
    buffers: int
    optimizer_state: int
    batch_data: Bytes  # the input batch and its int64 targets
    timeline: Timeline
    min_batch: int = 1
    fit_answer: Fit | None = None

    def _at(self, b: Bytes) -> int:
        return b.at(self.report.batch)

    @property
    def saved(self) -> int:
        return self._at(self.saved_total)

    @property
    def grads(self) -> int:
        return self.params

    def peak(self, batch: int | None = None) -> Event:
        return self.timeline.peak(self.report.batch if batch is None else batch)

    @cached_property
    def by_name(self) -> dict[str, LayerMemory]:
        return {m.name: m for m in self.layers}

    def part(self, row: LayerReport) -> tuple[int, int]:
        """A table row's saved bytes and those it is the first to keep; a block instance collapsed
        into one row (`cnncalc.analysis.collapse`) keeps the distinct storages of its layers."""
        by_name = self.by_name
        if row.name in by_name:
            m = by_name[row.name]
            return self._at(m.saved), self._at(m.first)
        depth = len(row.scope)
        members = [by_name[r.name] for r in self.report.layers if len(r.scope) > depth and r.scope[depth] == row.name]
        ids = sorted({sid for m in members for sid in m.storages})
        return self._at(total([self.storage_bytes[s] for s in ids])), self._at(total([m.first for m in members]))


def analyze_training(graph: Graph, *, batch: int = 1, dtype: str = "fp32", optimizer: str = "sgd",
                     amp: str | None = None, device: str = "cuda", budget: int | None = None,
                     report: Report | None = None, accumulate_in_place: bool = True) -> Training:
    """The training memory of `graph` (see the module docstring); with `budget` (bytes), the largest
    batch that fits (`Training.fit_answer`); `report` if already analysed."""
    if optimizer not in OPTIMIZERS:
        raise CnnCalcError(f"unknown optimizer {optimizer!r}; use one of {', '.join(OPTIMIZERS)}")
    if device not in DEVICES:
        raise CnnCalcError(f"unknown device {device!r}; use cuda or cpu")
    report = report if report is not None else analyze_graph(graph, batch=batch, dtype=dtype)
    param_dtype = report.dtype
    if param_dtype == "int8":
        raise CnnCalcError("training in int8 is not modelled: use --dtype fp32, fp16 or bf16 (or --amp)")
    low = None
    if amp is not None:
        if amp not in AMP:
            raise CnnCalcError(f"unknown --amp {amp!r}; use bf16 or fp16")
        if param_dtype != "float32":
            raise CnnCalcError("--amp keeps float32 master weights: leave --dtype at fp32")
        low = AMP[amp]
    if not report.totals.params:
        raise CnnCalcError(f"{report.name} has no parameters: there is nothing to train")
    size = ITEMSIZE[param_dtype]
    inplace = in_place(graph, report)
    rows = {r.name: r for r in report.layers}
    storages: list[Bytes] = [Bytes(numel(report.input_shape) * size)]
    values = {INPUT: (0, param_dtype, False, False)}  # name -> (storage, dtype, channels last, requires grad)
    casts: set[int] = set()
    seen: set[int] = set()
    layers: list[LayerMemory] = []
    nodes: list[Node] = []
    min_batch = 1

    def new(p: Piece) -> int:
        elements = p.elements(1)
        storages.append(Bytes(elements * ITEMSIZE[p.dtype]) if p.batched else Bytes(0, elements * ITEMSIZE[p.dtype]))
        return len(storages) - 1

    for node in graph.order:
        bound = rows[node.name].bound
        assert bound is not None
        ins = [values[i] for i in node.inputs]
        ctx = Context(tuple(v[3] for v in ins), tuple(v[1] for v in ins), tuple(v[2] for v in ins),
                      node.name in inplace, low, device, param_dtype)
        effect = saved_rule(node.layer)(bound, ctx)
        records = any(ctx.grads) or bound.params.value > 0
        min_batch = max(min_batch, effect.min_batch if records else 1)
        shared = effect.output == "shared"
        out = ins[0][0] if shared else new(Piece(Msg("output"), "new", bound.output, effect.dtype))
        created = [] if shared else [out]
        kept: list[int] = []
        temporaries = list(effect.temporaries)
        for p in effect.pieces:
            if not records:
                temporaries += [p] if p.source in ("new", "weight") else []
            elif p.source == "input":
                kept.append(ins[p.index][0])
            elif p.source == "output":
                kept.append(out)
            else:
                ids = [new(p) for _ in range(1 if p.source == "weight" else p.copies)]
                if p.source == "weight":
                    casts.update(ids)
                created += ids
                kept += ids
        distinct = list(dict.fromkeys(s for s in kept if s not in casts))
        first = [s for s in distinct if s not in seen]
        seen.update(distinct)
        layers.append(LayerMemory(node.name, effect, records, node.name in inplace,
                                  total([storages[s] for s in distinct]), total([storages[s] for s in first]),
                                  tuple(distinct)))
        grads = tuple((i, Bytes(numel(shape) * ITEMSIZE[v[1]]))
                      for i, v, shape in zip(node.inputs, ins, bound.inputs, strict=True) if v[3])
        nodes.append(Node(node.name, tuple(created), tuple(v[0] for v in ins), tuple(dict.fromkeys(kept)), grads,
                          records, effect.passes_grad, Bytes(0, int(bound.params.value) * size),
                          total([_piece_bytes(p) for p in temporaries]),
                          total([_piece_bytes(p) for p in effect.scratch]),
                          total([_piece_bytes(p) for p in effect.accumulate])))
        values[node.name] = (out, effect.dtype, effect.channels_last, records)

    params = sum(r.params for r in report.layers) * size
    counters = sum(saved_rule(n.layer).counters for n in graph.order)
    buffers = sum(r.buffers for r in report.layers) * size + 8 * counters
    state, step = _optimizer(optimizer, device, report, size)
    out_shape = report.totals.output_shape
    targets = Bytes(numel(out_shape[1:]) * 8)  # class indices, int64, one per sample (and position)
    out_storage, out_dtype = values[graph.output][0], values[graph.output][1]
    logits = Bytes(numel(out_shape) * ITEMSIZE["float32" if low else out_dtype])
    persistent = Bytes(0, params + buffers + state) + storages[0] + targets
    timeline = simulate(nodes, storages, persistent, graph.output, out_storage, logits, step,
                        held=frozenset({0}), accumulate_in_place=accumulate_in_place)
    saved_ids = sorted(seen)
    if report.batch < min_batch and budget is None:
        raise CnnCalcError(f"batch norm on one value per channel cannot train at batch {report.batch} (torch: "
                           "\"Expected more than 1 value per channel when training\"); use --batch 2 or more")
    answer = None
    if budget is not None:
        largest = timeline.fit(budget)
        largest = largest if largest >= min_batch else 0
        answer = Fit(budget, largest, timeline.peak(largest).live.at(largest) if largest else 0,
                     timeline.peak(max(largest + 1, min_batch)).live.at(max(largest + 1, min_batch)))
    return Training(report, optimizer, amp, device, tuple(layers), tuple(storages),
                    total([storages[s] for s in saved_ids]), total([storages[s] for s in sorted(casts)]),
                    params, buffers, state, storages[0] + targets, timeline, min_batch, answer)


def saved_lines(rows: Sequence[LayerReport], training: Training | None = None) -> list[Worked]:
    """The worked line of what each row keeps at batch 1 (`cnncalc explain/layer --train`): as in its
    network's `training`, or for a layer on its own, whose inputs require grad, in float32."""
    lines = []
    for row in rows:
        assert row.bound is not None
        rule = saved_rule(row.bound.layer)
        if training is not None:
            effect = training.by_name[row.name].effect
        else:
            n = len(row.bound.inputs)
            effect = rule(row.bound, Context((True,) * n, ("float32",) * n, (False,) * n))
        lines.append(worked(rule, effect))
    return lines


def _piece_bytes(p: Piece) -> Bytes:
    n = p.copies * p.elements(1) * ITEMSIZE[p.dtype]
    return Bytes(n) if p.batched else Bytes(0, n)


def _optimizer(optimizer: str, device: str, report: Report, size: int) -> tuple[int, Bytes]:
    """The optimizer's state and its step's temporaries, in bytes.

    Momentum keeps one buffer per parameter, Adam and AdamW two (exp_avg, exp_avg_sq) and a
    float32 step counter per tensor, on the host unless on the CPU. Their step: SGD and momentum
    update in place; Adam on CUDA (foreach) makes one parameter-sized list (the square roots),
    on the CPU (one tensor at a time) two temporaries of a parameter while the previous one's
    denominator is still referenced.
    """
    tensors = [n for r in report.layers for n in (r.weights, r.biases) if n]
    params = sum(tensors) * size
    state = OPTIMIZERS[optimizer] * params
    if optimizer in ("sgd", "momentum"):
        return state, ZERO
    if device == "cuda":
        return state, Bytes(0, params)
    state += 4 * len(tensors)
    worst = max((2 * n + (tensors[k - 1] if k else 0) for k, n in enumerate(tensors)), default=0)
    return state, Bytes(0, worst * size)


__all__ = ["AMP", "DEVICES", "OPTIMIZERS", "Fit", "LayerMemory", "Training", "analyze_training", "in_place",
           "saved_lines", "saved_rule"]
