"""Side-by-side totals of several networks, with ratios to the first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnncalc.analysis.report import Report


@dataclass(frozen=True)
class ComparisonRow:
    report: Report
    params_ratio: float  # this network's params / the first network's
    macs_ratio: float
    flops_ratio: float
    activations_ratio: float


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("inf") if a else 1.0


def compare_reports(reports: Sequence[Report]) -> list[ComparisonRow]:
    """Ratios of each report's totals to the first report's (1.0 for the first)."""
    base = reports[0].totals
    return [
        ComparisonRow(
            r,
            params_ratio=_ratio(r.totals.params, base.params),
            macs_ratio=_ratio(r.totals.macs, base.macs),
            flops_ratio=_ratio(r.totals.flops, base.flops),
            activations_ratio=_ratio(r.totals.activations, base.activations),
        )
        for r in reports
    ]
