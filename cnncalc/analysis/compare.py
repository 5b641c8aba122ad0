"""Side-by-side totals of several networks, with ratios to the first, their model sizes and accuracies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnncalc.analysis.accuracy import report_accuracy
from cnncalc.analysis.report import Report, dtype_info
from cnncalc.analysis.size import ModelSize, model_size
from cnncalc.errors import CnnCalcError
from cnncalc.spec import Published


@dataclass(frozen=True)
class ComparisonRow:
    report: Report
    params_ratio: float  # this network's params / the first network's
    macs_ratio: float
    flops_ratio: float
    activations_ratio: float
    size: ModelSize | None = None  # the parameters' storage (`cnncalc.analysis.size`)
    size_ratio: float = 1.0
    accuracy: Published | None = None  # published accuracy, where known (`cnncalc.analysis.accuracy`)


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("inf") if a else 1.0


def per_network(values: Sequence[float] | None, count: int, option: str) -> list[float | None]:
    """One value for every network, one per network, or none (None each)."""
    if not values:
        return [None] * count
    if len(values) == 1:
        return [values[0]] * count
    if len(values) != count:
        raise CnnCalcError(f"{option}: give one value for all networks or one per network ({count}), "
                           f"received {len(values)}")
    return list(values)


def compare_reports(reports: Sequence[Report], bits: Sequence[int] | None = None,
                    sparsity: Sequence[float] | None = None,
                    index_bits: Sequence[int] | None = None) -> list[ComparisonRow]:
    """Ratios of each report's totals to the first report's (1.0 for the first).

    The model size is at each report's dtype unless `bits` says otherwise; `bits` and
    `sparsity` hold one value for all or one per report, and so does `index_bits` (a sparse index counted).
    """
    n = len(reports)
    chosen_bits = per_network(bits, n, "--bits")
    chosen_sparsity = per_network(sparsity, n, "--sparsity")
    chosen_index = per_network(index_bits, n, "--index-bits")
    sizes = [model_size(r.totals.params, int(b) if b is not None else dtype_info(r.dtype)[1] * 8,
                        float(f or 0.0), int(i or 0))
             for r, b, f, i in zip(reports, chosen_bits, chosen_sparsity, chosen_index, strict=True)]
    base = reports[0].totals
    return [
        ComparisonRow(
            r,
            params_ratio=_ratio(r.totals.params, base.params),
            macs_ratio=_ratio(r.totals.macs, base.macs),
            flops_ratio=_ratio(r.totals.flops, base.flops),
            activations_ratio=_ratio(r.totals.activations, base.activations),
            size=size,
            size_ratio=_ratio(size.bytes, sizes[0].bytes),
            accuracy=report_accuracy(r),
        )
        for r, size in zip(reports, sizes, strict=True)
    ]
