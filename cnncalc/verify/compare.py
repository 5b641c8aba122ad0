"""Our lowered network against a reference model: counts, MACs, parameter pairing and outputs.

`counts` builds nothing real (the meta device where the reference allows it);
`compare` builds the reference on the CPU, copies its weights into ours and runs
both (see `cnncalc.verify.against` for the method and the tolerance).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import Report
from cnncalc.graph import Graph
from cnncalc.verify import Cell, TotalCheck
from cnncalc.verify.against import (
    DTYPE,
    TOLERANCE,
    AgainstError,
    build,
    copy_into,
    fvcore_macs,
    named_tensors,
    ordered,
    pair,
    perturb,
    title,
)
from cnncalc.verify.diagnose import first_difference

if TYPE_CHECKING:
    import torch
    from torch import nn

    from cnncalc.torch.lower import Built

BUFFERS_NOTE = "without num_batches_tracked"
SEED = 0


def counts(built: Built, report: Report, name: str, options: Mapping[str, Any]) -> tuple[TotalCheck, ...]:
    """Params, buffers, output shape and parameter pairing, with nothing computed (meta tensors)."""
    import torch

    theirs = build(name, options, meta=True)
    if not _on_meta(theirs):
        theirs = theirs.to("meta")
    try:
        with torch.no_grad():
            out = theirs(torch.zeros((1, *report.input_shape), device="meta"))
    except Exception as exc:  # third-party code: one line
        raise AgainstError(f"cannot run {title(name)} on {_shape(report.input_shape)}: {exc}") from None
    return (*_totals(report, theirs), TotalCheck("output shape", Cell(report.totals.output_shape, _out_shape(out))),
            _pairing(built.module, theirs)[0])


def compare(graph: Graph, built: Built, name: str, options: Mapping[str, Any], device: str) -> (
        tuple[TotalCheck, ...]):
    """Every check of `counts`, MACs against fvcore's count of the reference, and the outputs."""
    import torch

    report = built.report
    theirs = build(name, options)
    generator = torch.Generator().manual_seed(SEED)
    x = torch.randn((1, *report.input_shape), generator=generator)
    try:
        macs = fvcore_macs(theirs, x)
    except Exception as exc:  # third-party code: one line
        raise AgainstError(f"cannot run {title(name)} on {_shape(report.input_shape)}: "
                           f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}") from None
    pairing, pairs = _pairing(built.module, theirs)
    checks = [*_totals(report, theirs),
              TotalCheck("MACs", Cell(report.totals.macs, macs), "fvcore: conv + linear of the reference")]
    if not pairing.ok:
        checks += [TotalCheck("output shape", Cell(report.totals.output_shape, None), "not run"), pairing,
                   TotalCheck("outputs", Cell("not compared", ""), verdict=False,
                              detail="not compared: the parameters do not pair")]
        return tuple(checks)
    perturb(theirs)
    dtype = getattr(torch, DTYPE)
    theirs = theirs.to(device=device, dtype=dtype)
    ours = built.module.to(dtype=dtype)
    copy_into(ours, theirs, pairs)
    x = x.to(device=device, dtype=dtype)
    try:
        with torch.no_grad():
            expected = theirs(x)
    except Exception as exc:  # third-party code: one line
        raise AgainstError(f"cannot run {title(name)}: {type(exc).__name__}: {exc}") from None
    with torch.no_grad():
        got = ours(x)
    if isinstance(got, tuple):  # the network's output, then its dead-end branches (`side_outputs`)
        got = got[0]
    checks += [TotalCheck("output shape", Cell(report.totals.output_shape, _out_shape(expected))), pairing]
    checks.append(_outputs(graph, built, theirs, x, got, expected, pairs))
    return tuple(checks)


def _outputs(graph: Graph, built: Built, theirs: nn.Module, x: torch.Tensor, got: torch.Tensor,
             expected: torch.Tensor, pairs: list[tuple[str, str]]) -> TotalCheck:
    note = f"{DTYPE}, the reference's weights; |Δ| ≤ {TOLERANCE:g}·max|output|"
    if tuple(got.shape) != tuple(expected.shape):
        return TotalCheck("outputs", Cell(_shape(got.shape[1:]), _shape(expected.shape[1:])), note, verdict=False,
                          detail="the output shapes differ")
    difference = float((got - expected).abs().max())
    scale = float(expected.abs().max())
    ok = difference <= TOLERANCE * max(scale, 1e-300)
    cell = Cell(f"max |Δ| {difference:.2g}", f"max |output| {scale:.3g}")
    if ok:
        return TotalCheck("outputs", cell, note, verdict=True)
    where = first_difference(graph, built, theirs, x, _partners(built, pairs))
    return TotalCheck("outputs", cell, note, verdict=False,
                      detail=f"differ by up to {difference:.3g} (outputs up to {scale:.3g}); {where}")


def _totals(report: Report, theirs: nn.Module) -> list[TotalCheck]:
    params, buffers = named_tensors(theirs)
    return [TotalCheck("params", Cell(report.totals.params, sum(t.numel() for _, t in params))),
            TotalCheck("buffers", Cell(report.totals.buffers, sum(t.numel() for _, t in buffers)), BUFFERS_NOTE)]


def _pairing(ours: nn.Module, theirs: nn.Module) -> tuple[TotalCheck, list[tuple[str, str]]]:
    """The "parameter shapes" check: every tensor of ours with a partner of the same shape in theirs."""
    our_params, our_buffers = named_tensors(ours)
    their_params, their_buffers = named_tensors(theirs)
    pairs, problem = pair(our_params, their_params)
    if not problem:
        buffer_pairs, problem = pair(our_buffers, their_buffers)
        pairs += buffer_pairs
    order = ordered(our_params, their_params)
    note = "paired by shape, in order within each shape" + (f"; {order}" if order and not problem else
                                                             "; same registration order" if not problem else "")
    ours_text, theirs_text = f"{len(our_params)} tensors", f"{len(their_params)} tensors"
    if problem:
        theirs_text += f"; {problem}"
    return TotalCheck("parameter shapes", Cell(ours_text, theirs_text), note, verdict=not problem,
                      detail=problem), pairs


def _partners(built: Built, pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Our layer -> the reference module that holds the partners of all its tensors and no others
    (ConvNeXt's block holds its layer_scale and its children's tensors: no partner)."""
    layer_of_path = {path: layer for layer, path in built.paths.items()}
    owners: dict[str, set[str]] = {}
    under: dict[str, set[str]] = {}  # reference module -> our layers whose partners it holds (recursively)
    for ours, theirs in pairs:
        path = ours.rpartition(".")[0]
        while path and path not in layer_of_path:
            path = path.rpartition(".")[0]
        if not path:
            continue
        layer = layer_of_path[path]
        owner = theirs.rpartition(".")[0]
        owners.setdefault(layer, set()).add(owner)
        parts = owner.split(".") if owner else []
        for k in range(len(parts) + 1):
            under.setdefault(".".join(parts[:k]), set()).add(layer)
    return {layer: owner for layer, found in owners.items() if len(found) == 1
            and under[owner := next(iter(found))] == {layer}}


def _on_meta(module: nn.Module) -> bool:
    return any(t.is_meta for t in module.parameters())


def _out_shape(out: Any) -> tuple[int, ...] | None:
    return tuple(out.shape[1:]) if hasattr(out, "shape") else None


def _shape(shape: Any) -> str:
    return "×".join(map(str, shape))


__all__ = ["compare", "counts"]
