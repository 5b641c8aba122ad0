"""The live tensor bytes of one training step, simulated from tensor lifetimes, layer by layer.

The step is the steady state of the usual loop (the second and later steps)::

    optimizer.zero_grad(set_to_none=True)        # the default: gradients are freed
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    del logits, loss                              # before the optimizer's step
    optimizer.step()

Forward: parameters, buffers, optimizer state, the batch and its targets are held
throughout; each layer's new tensors appear, and a storage no layer keeps for the
backward is freed after its last reader. Backward, in reverse order, as torch's
engine runs it: a layer receives its output's gradient, allocates its inputs'
gradients (add, concat and reshapes pass views of the incoming one) and its
parameters' (kept as ``.grad``), then drops the incoming gradient and the storages
only it (and later layers) kept; AccumulateGrad then copies a parameter's gradient
made in another layout (channels last) into the parameter's. A second gradient for
a value with two readers is summed in place when one side is held by the engine
alone, else into a new tensor.
The step: the optimizer's temporaries on top of parameters, gradients and state.

All sizes are `Bytes`, affine in the batch, so one simulation answers every batch
size, and the largest batch under a budget is a division (`Timeline.fit`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bytes:
    """``per_sample·N + fixed`` bytes: every tensor of a training step is affine in the batch N."""

    per_sample: int = 0
    fixed: int = 0

    def at(self, batch: int) -> int:
        return self.per_sample * batch + self.fixed

    def __add__(self, other: Bytes) -> Bytes:
        return Bytes(self.per_sample + other.per_sample, self.fixed + other.fixed)

    def __sub__(self, other: Bytes) -> Bytes:
        return Bytes(self.per_sample - other.per_sample, self.fixed - other.fixed)


ZERO = Bytes()


def total(items: list[Bytes] | tuple[Bytes, ...]) -> Bytes:
    return Bytes(sum(b.per_sample for b in items), sum(b.fixed for b in items))


@dataclass(frozen=True)
class Node:
    """One layer as the simulation sees it (built by `cnncalc.analysis.training`)."""

    name: str
    created: tuple[int, ...]  # storages it makes in the forward (its output, what it keeps, casts)
    uses: tuple[int, ...]  # storages of its inputs
    kept: tuple[int, ...]  # storages it keeps for its backward (parameter casts included)
    inputs: tuple[tuple[str, Bytes], ...]  # (value, gradient size) of each input that requires grad
    records: bool  # autograd recorded it (an input requires grad, or it has parameters)
    passes_grad: bool  # its backward hands out (views of) the incoming gradient
    param_grads: Bytes  # the gradients of its parameters
    temporaries: Bytes = ZERO  # alive only inside its forward
    scratch: Bytes = ZERO  # alive only inside its backward
    accumulate: Bytes = ZERO  # AccumulateGrad's layout copies of its parameters' gradients, after its backward


@dataclass(frozen=True)
class Event:
    """A moment of the step: the live bytes then, the phase and the layer running."""

    live: Bytes
    phase: str  # "forward", "backward", "optimizer step"
    layer: str


@dataclass(frozen=True)
class Timeline:
    events: tuple[Event, ...]

    def peak(self, batch: int) -> Event:
        """The moment with the most live bytes at `batch` (the first such moment)."""
        return max(self.events, key=lambda e: e.live.at(batch))

    def fit(self, budget: int) -> int:
        """The largest batch whose peak is at most `budget` bytes (0 if none)."""
        largest: int | None = None
        for e in self.events:
            if e.live.per_sample <= 0:
                if e.live.fixed > budget:
                    return 0
                continue
            n = (budget - e.live.fixed) // e.live.per_sample
            largest = n if largest is None else min(largest, n)
        return max(largest if largest is not None else 0, 0)


def simulate(nodes: list[Node], storages: list[Bytes], persistent: Bytes, output: str, output_storage: int,
             logits: Bytes, step: Bytes, *, held: frozenset[int] = frozenset(),
             accumulate_in_place: bool = True) -> Timeline:
    """The events of one step. `storages[sid]` are sizes; `held`: storages counted in `persistent`
    (the batch); `logits`: the log-softmax cross-entropy keeps (the logits' size); `step`: the
    optimizer's temporaries. `accumulate_in_place` False models a CPU tracker under a dispatch mode,
    which makes autograd sum every second gradient into a new tensor."""
    events: list[Event] = []
    savers: dict[int, int] = {}  # storage -> the earliest layer keeping it
    last_use: dict[int, int] = {}
    for i, node in enumerate(nodes):
        for sid in node.kept:
            savers.setdefault(sid, i)
        for sid in node.uses:
            last_use[sid] = i
    live: dict[int, Bytes] = {}
    cur = persistent
    events.append(Event(cur, "forward", "(start)"))
    for i, node in enumerate(nodes):
        for sid in node.created:
            if sid not in live and sid not in held:
                live[sid] = storages[sid]
                cur = cur + storages[sid]
        events.append(Event(cur + node.temporaries, "forward", node.name))
        for sid in {*node.uses, *node.created}:
            if sid in live and sid not in savers and last_use.get(sid, -1) <= i and sid != output_storage:
                cur = cur - live.pop(sid)
    # F.cross_entropy: log_softmax's output (kept by nll_loss), the loss and nll_loss's total_weight
    word = Bytes(0, 4)
    cur = cur + logits + word + word
    events.append(Event(cur, "forward", "(loss)"))

    refs: dict[str, int] = {}  # gradient tensors: how many holders
    size: dict[str, Bytes] = {}
    grads: dict[str, str] = {}  # value -> its pending gradient
    serial = [0]

    def alloc(nbytes: Bytes, layer: str) -> str:
        nonlocal cur
        serial[0] += 1
        key = f"g{serial[0]}"
        size[key], refs[key] = nbytes, 1
        cur = cur + nbytes
        events.append(Event(cur, "backward", layer))
        return key

    def unref(key: str) -> None:
        nonlocal cur
        refs[key] -= 1
        if refs[key] == 0:
            cur = cur - size.pop(key)
            del refs[key]

    def give(value: str, key: str, nbytes: Bytes, layer: str) -> None:
        if value not in grads:
            grads[value] = key
            return
        old = grads[value]
        if accumulate_in_place and refs[old] == 1:
            unref(key)
        elif accumulate_in_place and refs[key] == 1:
            grads[value] = key
            unref(old)
        else:
            grads[value] = alloc(nbytes, layer)
            unref(old)
            unref(key)

    # loss.backward(): the root gradient (a scalar), nll_loss's gradient, log_softmax's: d(logits)
    cur = cur + word + logits
    events.append(Event(cur, "backward", "(loss)"))
    cur = cur - word + logits
    events.append(Event(cur, "backward", "(loss)"))
    cur = cur - logits - logits
    grads[output], size["dlogits"], refs["dlogits"] = "dlogits", logits, 1
    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        incoming = grads.pop(node.name, None)
        given: list[tuple[str, str, Bytes]] = []
        if incoming is not None and node.records:
            cur = cur + node.param_grads
            events.append(Event(cur, "backward", node.name))
            for value, nbytes in node.inputs:
                if node.passes_grad:
                    refs[incoming] += 1
                    given.append((value, incoming, nbytes))
                else:
                    given.append((value, alloc(nbytes, node.name), nbytes))
            events.append(Event(cur + node.scratch, "backward", node.name))
        if incoming is not None:
            unref(incoming)
        for sid in node.kept:
            if sid in live and savers[sid] == i and sid != output_storage:
                cur = cur - live.pop(sid)
        if incoming is not None and node.records and node.accumulate != ZERO:
            events.append(Event(cur + node.accumulate, "backward", node.name))
        for value, key, nbytes in given:
            give(value, key, nbytes, node.name)
    cur = cur - word  # the root gradient, held until backward() returns
    events.append(Event(cur, "backward", "(end)"))
    cur = cur - storages[output_storage] - word  # the caller drops the logits and the loss
    events.append(Event(cur + step, "optimizer step", "(step)"))
    return Timeline(tuple(events))


__all__ = ["ZERO", "Bytes", "Event", "Node", "Timeline", "simulate", "total"]
