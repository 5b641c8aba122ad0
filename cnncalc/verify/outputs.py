"""`verify --against SRC`: our network and the PyTorch model, given the same weights, give the same output.

Run after the parameter shapes were found equal and in the same order: the
reference model's parameters and buffers (batch norm's running statistics) are
copied into the network cnncalc builds, one tensor at a time in that order, and
both run on the same random input. The outputs must agree to float32 rounding
(a relative tolerance of 1e-4 of the output's largest value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc.analysis import Report
from cnncalc.graph import Graph
from cnncalc.verify import Cell, TotalCheck

if TYPE_CHECKING:
    import torch

TOLERANCE = 1e-4


def compare_outputs(graph: Graph, report: Report, against: str) -> TotalCheck:
    import torch

    from cnncalc.sources import parse
    from cnncalc.torch.importer_sources import build
    from cnncalc.torch.lower import lower

    source = parse(against if ":" in against else f"torchvision:{against}")
    assert source is not None
    theirs = build(source, meta=False)
    ours = lower(graph, report).module
    with torch.no_grad():
        for mine, their in zip(ours.parameters(), theirs.parameters(), strict=True):
            mine.copy_(their)
        for buffer, their_buffer in zip(_buffers(ours), _buffers(theirs), strict=True):
            buffer.copy_(their_buffer)
        generator = torch.Generator().manual_seed(0)
        x = torch.randn((2, *report.input_shape), generator=generator)
        a, b = ours(x), theirs(x)
    if a.shape != b.shape:
        return TotalCheck("outputs", Cell(tuple(a.shape[1:]), tuple(b.shape[1:])), "different output shapes")
    difference = float((a - b).abs().max())
    scale = max(1.0, float(b.abs().max()))
    agree = difference <= TOLERANCE * scale
    shown = f"equal within {TOLERANCE:g}·max|out|"
    return TotalCheck("outputs", Cell(shown, shown if agree else f"max |difference| {difference:.3g}"),
                      f"same weights, a random 2×{'×'.join(map(str, report.input_shape))} input; max |difference| "
                      f"{difference:.2g}")


def _buffers(module: torch.nn.Module) -> list[torch.Tensor]:
    return [b for name, b in module.named_buffers() if not name.endswith("num_batches_tracked")]


__all__ = ["compare_outputs"]
