"""`cnncalc verify --train`: the training memory, measured in torch, against the analytic rules.

Saved for the backward pass: the network's module (`cnncalc.torch.lower`, in place
where torchvision would be) runs one forward in training mode under
``torch.autograd.graph.saved_tensors_hooks``; each tensor autograd packs is
attributed to the layer running (forward hooks), and each storage is counted
once, by ``untyped_storage().data_ptr()``, whole even when a view of it is kept,
parameters and buffers excluded. Per layer and in total this must equal
`cnncalc.analysis.training` to the byte, at every batch asked for. Under
``--amp``, autocast's weight copies are counted apart, as the analysis reports them.

The peak of a training step (cross-entropy loss, backward, optimizer step; the second step, as in a loop) is
measured and reported beside the simulation's, not checked: on a GPU by ``torch.cuda.max_memory_allocated``,
which adds cuDNN's workspaces and the allocator's 512-byte rounding to the tensors; on the CPU by a
dispatch-level tracker of live storages, against the simulation run as that tracker makes autograd run (a second
gradient is always summed into a new tensor). They agree to the byte on the zoo's networks
(benchmarks/train_memory.py); kernels that allocate temporaries of their own (3-D and transposed convolutions on
the CPU) add to the measured peak. With ``against="torchvision:NAME"`` torchvision's own model is measured
too, and its saved bytes must equal ours. What it would allocate is checked first (`budget.check_training`)."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import analyze_graph
from cnncalc.analysis.training import AMP, OPTIMIZERS, analyze_training
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph
from cnncalc.layers.base import Shape
from cnncalc.verify import Cell, TotalCheck, _check_device

if TYPE_CHECKING:  # torch is imported inside the functions, as everywhere in cnncalc.verify
    import torch
    from torch import nn

RULES_TORCH = "2.14"  # the torch version whose autograd formulas the rules follow (README, "Will it fit?")


@dataclass(frozen=True)
class Saved:
    """What one forward kept: in total, autocast's weight copies, and per layer (own and first saver)."""

    total: int
    casts: int
    own: dict[str, int]
    first: dict[str, int]


@dataclass(frozen=True)
class SavedCheck:
    name: str
    type: str
    batch: int
    saved: Cell
    first: Cell

    @property
    def ok(self) -> bool:
        return self.saved.ok and self.first.ok


@dataclass(frozen=True)
class TrainingResult:
    name: str
    input_shape: Shape
    device: str
    optimizer: str
    amp: str | None
    torch_version: str
    layers: tuple[SavedCheck, ...]
    totals: tuple[TotalCheck, ...]
    measured: tuple[TotalCheck, ...] = ()  # reported, not checked (the GPU's peak)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.layers) and all(c.ok for c in self.totals)

    def mismatches(self) -> list[str]:
        lines = [f"{c.name} (batch {c.batch}): saved {c.saved.ours} (analytic) != {c.saved.theirs} (torch)"
                 + ("" if c.first.ok else f", first saved here {c.first.ours} != {c.first.theirs}")
                 for c in self.layers if not c.ok]
        return lines + [f"{t.what}: {t.cell.ours} != {t.cell.theirs}" for t in self.totals if not t.ok]


def measure_saved(module: nn.Module, x: torch.Tensor, layers: dict[str, nn.Module] | None = None,
                  autocast: torch.dtype | None = None) -> Saved:
    """The storages autograd keeps while `module` runs `x` in training mode (see the module docstring)."""
    import torch

    exclude = {t.untyped_storage().data_ptr() for t in (*module.parameters(), *module.buffers())}
    running: list[str] = []
    own: dict[str, dict[int, int]] = {}
    first: dict[int, tuple[str, int]] = {}
    casts: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        ptr, nbytes = storage.data_ptr(), storage.nbytes()
        if autocast is not None and ptr not in exclude and _parameter_cast(t):
            casts[ptr] = nbytes
        elif ptr not in exclude:
            layer = running[-1] if running else ""
            own.setdefault(layer, {})[ptr] = nbytes
            first.setdefault(ptr, (layer, nbytes))
        # a detached alias: the tensor itself, kept by its own grad_fn, would be a cycle that nothing frees
        return t.detach()

    def enter(name: str) -> Any:
        return lambda module, args: running.append(name)  # a pre-hook returning None keeps the arguments

    def leave(module: nn.Module, args: Any, output: Any) -> None:
        running.pop()

    handles = []
    for name, sub in (layers or {}).items():
        handles += [sub.register_forward_pre_hook(enter(name)), sub.register_forward_hook(leave)]
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), \
                torch.autocast(x.device.type, autocast or torch.float32, enabled=autocast is not None):
            out = module(x)  # kept until counted: the graph holds every saved tensor, no address is reused
    finally:
        for handle in handles:
            handle.remove()
    firsts: dict[str, int] = {}
    for layer, nbytes in first.values():
        firsts[layer] = firsts.get(layer, 0) + nbytes
    del out
    return Saved(sum(n for _, n in first.values()), sum(casts.values()), {k: sum(v.values()) for k, v in own.items()},
                 firsts)


def _parameter_cast(t: torch.Tensor) -> bool:
    """A low-precision copy of a parameter (or a view of one): autocast's weight casts."""
    fn, cast = t.grad_fn, False
    while fn is not None:
        name = type(fn).__name__
        if name.startswith("ToCopyBackward"):
            cast = True
        elif name == "AccumulateGrad":
            return cast
        elif not name.startswith(("TBackward", "ViewBackward", "TransposeBackward", "PermuteBackward")):
            return False
        following = [f for f, _ in fn.next_functions if f is not None]
        if len(following) != 1:
            return False
        fn = following[0]
    return False


def live_storages() -> Any:
    """A dispatch mode counting the bytes of live tensor storages, from each op's results until their
    storage is freed (`current`, and `peak` since it was last reset): the CPU's view of
    ``torch.cuda.memory_allocated``, without allocator rounding or kernels' own scratch space."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    class LiveStorages(TorchDispatchMode):  # type: ignore[misc,no-untyped-call]
        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self.live: dict[int, int] = {}
            self.refs: dict[int, Any] = {}
            self.current = self.peak = 0

        def add(self, t: torch.Tensor) -> None:
            storage = t.untyped_storage()
            key, nbytes = storage.data_ptr(), storage.nbytes()
            if key in self.live or nbytes == 0:
                return
            self.live[key] = nbytes
            self.current += nbytes
            self.peak = max(self.peak, self.current)

            def gone(_: Any, key: int = key, nbytes: int = nbytes) -> None:
                if self.live.get(key) == nbytes:
                    del self.live[key]
                    self.refs.pop(key, None)
                    self.current -= nbytes

            self.refs[key] = weakref.ref(storage, gone)

        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            out = func(*args, **(kwargs or {}))
            for t in torch.utils._pytree.tree_flatten(out)[0]:
                if isinstance(t, torch.Tensor):
                    self.add(t)
            return out

    return LiveStorages()


def optimizer_for(name: str, params: Any) -> torch.optim.Optimizer:
    """torch's optimizer as the analysis models it, with its default implementation for the device."""
    import torch

    if name in ("sgd", "momentum"):
        return torch.optim.SGD(params, lr=0.01, momentum=0.9 if name == "momentum" else 0.0)
    return (torch.optim.Adam if name == "adam" else torch.optim.AdamW)(params, lr=1e-3)


def measure_peak(module: nn.Module, x: torch.Tensor, target: torch.Tensor, optimizer: str) -> int:
    """The peak bytes of the second training step: the CPU tracker's, or on a GPU the allocator's
    peak less what else the device holds (anything but the parameters, buffers, optimizer state and batch)."""
    import torch
    from torch import nn

    opt = optimizer_for(optimizer, module.parameters())
    cuda = x.device.type == "cuda"
    tracker = live_storages()
    for t in (*module.parameters(), *module.buffers(), x, target):
        tracker.add(t)
    for step in range(2):
        opt.zero_grad(set_to_none=True)
        if step and cuda:
            torch.cuda.synchronize(x.device)
            state = [t for s in opt.state.values() for t in s.values() if isinstance(t, torch.Tensor) and t.is_cuda]
            known = sum(t.untyped_storage().nbytes() for t in (*module.parameters(), *module.buffers(), x, target,
                                                               *state))
            other = torch.cuda.memory_allocated(x.device) - known
            torch.cuda.reset_peak_memory_stats(x.device)
        tracker.peak = tracker.current
        with contextlib.nullcontext() if cuda else tracker:
            out = module(x)  # held by the caller through the backward, as in a training loop
            loss = nn.functional.cross_entropy(out, target)
            loss.backward()  # type: ignore[no-untyped-call]
            del out, loss
            opt.step()
    return torch.cuda.max_memory_allocated(x.device) - other if cuda else tracker.peak


def verify_training(graph: Graph, *, batches: Sequence[int] = (1, 2), device: str = "cpu", optimizer: str = "sgd",
                    amp: str | None = None, against: str | None = None, peak: bool = True) -> TrainingResult:
    """Measure the training memory of `graph` and compare it with the analysis (module docstring);
    `peak`: also run two training steps and report their peak."""
    import torch

    from cnncalc.torch import budget
    from cnncalc.torch.lower import lower
    from cnncalc.verify import against as against_lib

    _check_device(device)
    if optimizer not in OPTIMIZERS:
        raise CnnCalcError(f"unknown optimizer {optimizer!r}; use one of {', '.join(OPTIMIZERS)}")
    low = getattr(torch, AMP[amp]) if amp in AMP else None
    if amp is not None and low is None:
        raise CnnCalcError(f"unknown --amp {amp!r}; use bf16 or fp16")
    reference = against_lib.parse(against) if against is not None else None
    rules = "cuda" if device.startswith("cuda") else "cpu"
    report = analyze_graph(graph)
    analyze_training(graph, batch=min(batches))  # refuses what cannot train (no parameters) before torch runs
    largest = analyze_training(graph, batch=max(batches), optimizer=optimizer, amp=amp, device=rules)
    budget.check_training(largest, device, "verify --train", against=reference is not None)
    built = lower(graph, report, inplace=True, device=device)
    module = built.module.train()
    layers_of = {name: built.submodule(name) for name in built.paths}
    checks: list[SavedCheck] = []
    totals: list[TotalCheck] = []
    measured: list[TotalCheck] = []
    for batch in batches:
        torch.manual_seed(0)
        ours = analyze_training(graph, batch=batch, optimizer=optimizer, amp=amp, device=rules,
                                accumulate_in_place=rules == "cuda")
        x = torch.randn((batch, *report.input_shape), device=device)
        theirs = measure_saved(module, x, layers_of, low)
        for row, mem in zip(report.layers, ours.layers, strict=True):
            checks.append(SavedCheck(row.name, row.type, batch, Cell(mem.saved.at(batch), theirs.own.get(row.name, 0)),
                                     Cell(mem.first.at(batch), theirs.first.get(row.name, 0))))
        totals.append(TotalCheck(f"saved, batch {batch}", Cell(ours.saved, theirs.total),
                                 "every storage once, parameters and buffers excluded"))
        if low is not None:
            totals.append(TotalCheck(f"weight casts, batch {batch}", Cell(ours.param_casts.at(batch), theirs.casts),
                                     "autocast's low-precision weight copies"))
        if reference is not None:
            totals.append(TotalCheck(f"saved, batch {batch}, {against}",
                                     Cell(ours.saved, _torchvision_saved(*reference, x, low))))
        if peak and low is None:
            target = _targets(batch, report.totals.output_shape, device)
            cell = Cell(ours.peak().live.at(batch), measure_peak(module, x, target, optimizer))
            note = ("live tensor storages (a dispatch-level tracker), second step" if rules == "cpu" else
                    "torch.cuda.max_memory_allocated, second step: adds cuDNN workspaces and 512-byte rounding")
            measured.append(TotalCheck(f"step peak, batch {batch}, {optimizer}", cell, note))
    return TrainingResult(report.name, report.input_shape, device, optimizer, amp, torch.__version__, tuple(checks),
                          tuple(totals), tuple(measured))


def _targets(batch: int, output: Shape, device: str) -> torch.Tensor:
    """Class indices for cross-entropy: one per sample (and per position of a spatial output)."""
    import torch

    return torch.randint(0, output[0], (batch, *output[1:]), device=device)


def _torchvision_saved(name: str, options: dict[str, Any], x: torch.Tensor, low: torch.dtype | None) -> int:
    import torch

    from cnncalc.verify import against as against_lib

    torch.manual_seed(0)
    try:
        model = against_lib.build(name, options)
    except against_lib.AgainstError as exc:
        raise CnnCalcError(str(exc)) from None
    return measure_saved(model.to(x.device).train(), x, autocast=low).total


__all__ = [
    "RULES_TORCH",
    "Saved",
    "SavedCheck",
    "TrainingResult",
    "live_storages",
    "measure_peak",
    "measure_saved",
    "optimizer_for",
    "verify_training",
]
