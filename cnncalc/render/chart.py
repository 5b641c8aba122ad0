"""Charts with matplotlib: the zoo as accuracy against operations, and where a network's costs are.

`bubble_chart` is the chart of Canziani, Paszke and Culurciello ("An Analysis of
Deep Neural Network Models for Practical Applications", 2016): MACs on a log x
axis, ImageNet top-1 on y where it is known (parameters where it is not), bubble
area proportional to the parameters, each bubble labelled. `cost_chart` shows a
network's parameters and MACs per layer (or per block instance with ``--depth``).

matplotlib (the ``plot`` extra) is imported inside the functions that draw, so
nothing else pays for it; `points` and `bars` only read the reports. Each image
carries its numbers as JSON in its ``Description`` metadata, so a test can hold
the picture to the analysis without reading pixels.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import LayerReport, Report
from cnncalc.analysis.accuracy import report_accuracy
from cnncalc.errors import CnnCalcError
from cnncalc.render.diagram import category, colour
from cnncalc.render.tables import human

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FORMATS = ("svg", "png", "pdf")
BUBBLE_SIZE = (10.0, 6.5)  # inches; at DPI, the PNG is 1000×650 pixels
LARGE_BUBBLE_SIZE = (13.0, 8.5)  # for more than 12 networks: 1300×850 pixels
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")
DPI = 100
MAX_AREA = 3000.0  # points² of the largest bubble
MISSING_MATPLOTLIB = ("--plot needs matplotlib: pip install 'cnncalc[plot]' (or pip install matplotlib), "
                      "or draw the layer graph with `cnncalc draw`, which needs none")


@dataclass(frozen=True)
class Point:
    name: str
    family: str
    macs: int
    params: int
    top1: float | None  # ImageNet top-1 in percent, None where not known
    source: str  # where top1 comes from


@dataclass(frozen=True)
class Bar:
    name: str
    category: str
    params: int
    macs: int


def points(reports: Sequence[Report]) -> list[Point]:
    """One bubble per network: its MACs, parameters and (where known) ImageNet top-1."""
    result = []
    for r in reports:
        accuracy = report_accuracy(r)
        result.append(Point(r.name, r.family or "Other", r.totals.macs, r.totals.params,
                            accuracy.top1 if accuracy else None, accuracy.source if accuracy else ""))
    return result


def bars(rows: Sequence[LayerReport]) -> list[Bar]:
    """One bar per row that has parameters or MACs (collapsed block instances are 'block')."""
    return [Bar(r.name, "block" if r.bound is None else category(r.type), r.params, r.macs)
            for r in rows if r.params or r.macs]


def _figure(size: tuple[float, float]) -> Figure:
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise CnnCalcError(MISSING_MATPLOTLIB) from None
    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "cnncalc", "font.size": 9,
                                "font.family": ["DejaVu Sans", "sans-serif"]})
    return Figure(figsize=size, dpi=DPI)


def _save(fig: Figure, fmt: str, data: Any) -> bytes:
    if fmt not in FORMATS:
        raise CnnCalcError(f"a chart is written as {', '.join(FORMATS)}, not {fmt!r}")
    description = json.dumps(data, separators=(",", ":"))
    metadata: dict[str, dict[str, Any]] = {
        "svg": {"Date": None, "Creator": "cnncalc", "Description": description},
        "png": {"Software": "cnncalc", "Description": description},
        "pdf": {"Creator": "cnncalc", "Producer": "cnncalc", "CreationDate": None, "Subject": description},
    }
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata[fmt])
    return buffer.getvalue()


def _short(v: float) -> str:
    """human() without a fraction that says nothing: '1 G', '2.50 M', '100 M'."""
    return human(v).replace(".00 ", " ")


def _y_positions(data: Sequence[Point], ax: Axes) -> dict[str, float]:
    """Top-1 where known; below a dashed line, in three staggered rows, where not; parameters if none is."""
    known = [p.top1 for p in data if p.top1 is not None]
    if not known:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(_formatter())
        ax.set_ylabel("parameters (ImageNet top-1 not known for these networks)")
        return {p.name: float(p.params) for p in data}
    lo, hi = min(known), max(known)
    span = max(hi - lo, 4.0)
    ax.set_ylabel("ImageNet top-1 accuracy (%)")
    if len(known) == len(data):
        ax.set_ylim(lo - 0.15 * span, hi + 0.15 * span)
        return {p.name: float(p.top1) for p in data if p.top1 is not None}
    floor = lo - 0.2 * span  # below it: the networks whose top-1 is not known
    ax.set_ylim(lo - 0.75 * span, hi + 0.15 * span)
    ax.axhline(floor, color="#999999", linewidth=0.8, linestyle="--")
    ax.text(0.005, floor, " top-1 not known ", transform=ax.get_yaxis_transform(), va="top", color="#666666",
            fontsize=8)
    ax.set_yticks([t for t in ax.get_yticks() if floor < t <= hi + 0.15 * span])
    unknown = sorted((p for p in data if p.top1 is None), key=lambda p: p.macs)
    rows = {p.name: lo - (0.35 + 0.13 * (k % 3)) * span for k, p in enumerate(unknown)}
    return {p.name: float(p.top1) if p.top1 is not None else rows[p.name] for p in data}


Box = tuple[float, float, float, float]  # left, bottom, width, height in pixels


def _overlaps(box: Box, placed: Sequence[Box]) -> bool:
    x, y, w, h = box
    return any(x < a + aw and a < x + w and y < b + bh and b < y + h for a, b, aw, bh in placed)


def _place_labels(ax: Axes, items: Sequence[tuple[str, float, float, float]]) -> None:
    """Label each bubble beside it, moved up or down (with a leader line) where labels would overlap."""
    to_px = ax.figure.dpi / 72.0
    placed: list[Box] = []
    for name, x, y, radius in sorted(items, key=lambda i: (i[1], i[2])):
        px, py = ax.transData.transform((x, y))
        width = len(name) * 8 * 0.6  # points, at 8 pt
        candidates = [(dx, float(dy)) for dy in (0, 9, -9, 18, -18, 27, -27, 36, -36, 45, -45)
                      for dx in (radius + 2, -(radius + 2) - width)]
        boxes = [(px + dx * to_px, py + (dy - 5) * to_px, width * to_px, 10 * to_px) for dx, dy in candidates]
        k = next((k for k, box in enumerate(boxes) if not _overlaps(box, placed)), 0)
        placed.append(boxes[k])
        dx, dy = candidates[k]
        arrow = {"arrowstyle": "-", "color": "#999999", "linewidth": 0.5} if abs(dy) > radius else None
        ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points", ha="left", va="center",
                    fontsize=8, arrowprops=arrow)


def bubble_chart(data: Sequence[Point], fmt: str, title: str = "") -> bytes:
    """ImageNet top-1 (or parameters) against MACs, bubble area ∝ parameters, as `fmt` (svg, png, pdf)."""
    if not data:
        raise CnnCalcError("nothing to plot: no networks")
    fig = _figure(BUBBLE_SIZE if len(data) <= 12 else LARGE_BUBBLE_SIZE)
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(_formatter())
    ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    macs = [p.macs for p in data]
    ax.set_xlim(min(macs) / 2.0, max(macs) * 2.5)
    scale = (MAX_AREA if len(data) <= 12 else MAX_AREA / 2) / max(max(p.params for p in data), 1)
    families = list(dict.fromkeys(p.family for p in data))
    y = _y_positions(data, ax)
    for p in data:
        ax.scatter([p.macs], [y[p.name]], s=p.params * scale, color=PALETTE[families.index(p.family) % len(PALETTE)],
                   alpha=0.55, edgecolors="#333333", linewidths=0.6, zorder=2)
    ax.set_xlabel("MACs per image (multiply-accumulates, batch 1, log scale)")
    ax.set_title(title or "Accuracy, operations and parameters; bubble area ∝ parameters", fontsize=11)
    if any(p.top1 is not None for p in data):
        fig.text(0.01, 0.01, "top-1: ImageNet-1K validation accuracy of torchvision's IMAGENET1K_V1 weights",
                 fontsize=7, color="#666666")
    fig.subplots_adjust(left=0.08, right=0.83, top=0.93, bottom=0.12)
    _place_labels(ax, [(p.name, p.macs, y[p.name], (p.params * scale) ** 0.5 / 2) for p in data])
    _legends(ax, families, scale, max(p.params for p in data))
    return _save(fig, fmt, {"points": [asdict(p) for p in data]})


def _legends(ax: Axes, families: Sequence[str], scale: float, largest: int) -> None:
    """The families' colours, and three bubbles of known size."""
    from matplotlib.lines import Line2D

    marks = [Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=PALETTE[k % len(PALETTE)],
                    alpha=0.7, markeredgecolor="#333333", markeredgewidth=0.6) for k in range(len(families))]
    first = ax.legend(marks, families, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, title="family",
                      title_fontsize=7, frameon=False)
    ax.add_artist(first)
    sizes = [v for v in (1e6, 1e7, 1e8) if v <= largest * 1.5] or [float(largest)]
    diameters = [(v * scale) ** 0.5 for v in sizes]
    bubbles = [Line2D([], [], marker="o", linestyle="", markersize=d, markerfacecolor="#ffffff",
                      markeredgecolor="#333333", markeredgewidth=0.6) for d in diameters]
    ax.legend(bubbles, [_short(v) for v in sizes], loc="lower left", bbox_to_anchor=(1.01, 0.0),
              fontsize=7, labelspacing=max(diameters) / 7 * 0.8, borderpad=max(diameters) / 14, handletextpad=0.8,
              handlelength=max(diameters) / 7, frameon=False, title="parameters", title_fontsize=7)


def cost_chart(report: Report, data: Sequence[Bar], fmt: str, per: str = "layer") -> bytes:
    """Horizontal bars of each layer's (or block's) parameters and MACs, coloured by layer category."""
    if not data:
        raise CnnCalcError(f"nothing to plot: no layer of {report.name} has parameters or MACs")
    height = 1.6 + 0.2 * len(data)
    fig = _figure((11.0, height))
    left, right = fig.subplots(1, 2, sharey=True)
    names = [b.name for b in data]
    ys = list(range(len(data)))
    colours = [colour(b.category) for b in data]
    for ax, what, values, total in ((left, "parameters", [b.params for b in data], report.totals.params),
                                    (right, "MACs", [b.macs for b in data], report.totals.macs)):
        ax.barh(ys, values, color=colours, edgecolor="#555555", linewidth=0.5)
        ax.set_title(f"{what} (total {human(total)})", fontsize=10)
        ax.xaxis.set_major_formatter(_formatter())
        ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for yv, v in zip(ys, values, strict=True):
            if total and v / total >= 0.01:
                ax.text(v, yv, f" {100 * v / total:.1f}%", va="center", fontsize=7)
        ax.margins(x=0.16)
    left.set_yticks(ys, names, fontsize=7)
    left.set_ylim(len(data) - 0.5, -0.5)  # the first row on top
    cats = list(dict.fromkeys(b.category for b in data))
    from matplotlib.patches import Patch

    fig.legend([Patch(facecolor=colour(c), edgecolor="#555555") for c in cats], cats, loc="upper center",
               bbox_to_anchor=(0.5, 1 - 0.45 / height), ncol=len(cats), fontsize=7, frameon=False)
    fig.suptitle(f"{report.title or report.name}: parameters and MACs per {per}", fontsize=11)
    label_width = max(len(n) for n in names) * 7 * 0.6 / 72 + 0.3  # inches for the row names
    fig.subplots_adjust(left=min(0.45, label_width / 11.0), right=0.96, top=1 - 1.0 / height,
                        bottom=0.45 / height, wspace=0.1)
    return _save(fig, fmt, {"network": report.name, "bars": [asdict(b) for b in data]})


def _formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: _short(v) if v else "0")


__all__ = ["BUBBLE_SIZE", "DPI", "FORMATS", "MISSING_MATPLOTLIB", "Bar", "Point", "bars", "bubble_chart",
           "cost_chart", "points"]
