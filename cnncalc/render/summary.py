"""The sentences of the `shapes` and `compare` summaries, as messages: every string of them is here.

`totals_lines` gives the labelled lines under the `shapes` table; `shapes_title`
and `compare_title` the tables' titles; `ratio_text` the ratios of `compare`.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnncalc.analysis import Report
from cnncalc.analysis.compare import ComparisonRow
from cnncalc.homework.layout import in_layout
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.text import ENGLISH, Language, Msg
from cnncalc.render.tables import human, human_bytes


def totals_lines(report: Report, rf: str, language: Language = ENGLISH, layout: str = "chw") -> list[tuple[str, str]]:
    """The labelled lines under the `shapes` table; `rf` is the field as the table writes it."""
    t = report.totals
    per = Msg(" (batch {n})", n=report.batch).render(language) if report.batch != 1 else ""

    def tr(msg: Msg) -> str:
        return msg.render(language)

    return [
        (tr(Msg("params")), tr(Msg("{n} ({h}), trainable {t}; buffers {b}", n=f"{t.params:,}", h=human(t.params),
                                   t=f"{t.trainable_params:,}", b=f"{t.buffers:,}"))),
        ("MACs" + per, f"{t.macs:,} ({human(t.macs)})"),
        ("FLOPs" + per, tr(Msg("{n} ({h}; 2·MACs + other ops, README conventions)", n=f"{t.flops:,}",
                               h=human(t.flops)))),
        (tr(Msg("activations")) + per, tr(Msg("{n} elements", n=f"{t.activations:,}"))),
        (tr(Msg("memory ({dtype})", dtype=report.dtype)),
         tr(Msg("params {p}, activations {a}, peak activations {k}", p=human_bytes(t.param_bytes),
                a=human_bytes(t.activation_bytes), k=human_bytes(t.peak_activation_bytes)))),
        (tr(Msg("depth")), tr(Msg("{n} (conv/linear layers on the longest path)", n=t.depth))),
        (tr(Msg("output")), fmt_shape(in_layout(t.output_shape, layout))),
        (tr(Msg("receptive field")), tr(Msg("{rf} (size / jump, input pixels)", rf=rf))),
    ]


def shapes_title(report: Report, language: Language = ENGLISH, layout: str = "chw") -> str:
    title = report.name if report.title == report.name else f"{report.title} — {report.name}"
    return Msg("{title}, input {shape}", title=title,
               shape=fmt_shape(in_layout(report.input_shape, layout))).render(language)


def compare_title(count: int, first: str, inputs: Sequence[tuple[int, ...]], language: Language = ENGLISH,
                  layout: str = "chw") -> str:
    title = Msg("{n} networks, ratios to {first}", n=count, first=first)
    if len(set(inputs)) == 1:
        title = Msg("{title}, input {shape}", title=title, shape=fmt_shape(in_layout(inputs[0], layout)))
    return title.render(language)


def compare_notes(rows: Sequence[ComparisonRow], language: Language = ENGLISH) -> list[str]:
    """The lines under the `compare` table: how the model size is counted, where each accuracy comes from."""
    lines = []
    sizes = [r.size for r in rows if r.size is not None]
    uniform = bool(sizes) and len({s.bits for s in sizes}) == 1 and not any(s.sparsity for s in sizes)
    if uniform:
        mib = ", ".join(f"{r.report.name} {r.size.mib:.2f}" for r in rows if r.size is not None)
        lines.append(Msg("param MB: {bits}-bit parameters, MB = 10⁶ bytes (in MiB = 2²⁰ bytes: {mib})",
                         bits=sizes[0].bits, mib=mib).render(language))
    for r in rows:
        size = r.size
        if size is None or uniform:  # all alike: said in one line
            continue
        how = Msg("{name}: {bits}-bit parameters, {mb} MB ({mib} MiB)", name=r.report.name, bits=size.bits,
                  mb=f"{size.mb:.3f}", mib=f"{size.mib:.3f}")
        if size.sparsity:
            index = Msg("a {i}-bit index per stored parameter counted", i=size.index_bits) if size.index_counted \
                else Msg("the sparse index not counted (--index-bits)")
            how = Msg("{how}: {f}% pruned, {n} stored, {index}", how=how, f=f"{size.sparsity * 100:g}",
                      n=f"{size.stored:,}", index=index)
        lines.append(how.render(language))
    cited = set()
    for r in rows:
        a = r.accuracy
        if a is not None and r.report.name not in cited:
            cited.add(r.report.name)
            lines.append(Msg("{name}: top-1 / top-5 {acc} % on {dataset} ({source})", name=r.report.name,
                             acc=" / ".join("—" if v is None else f"{v:g}" for v in (a.top1, a.top5)),
                             dataset=a.dataset, source=a.source).render(language))
    return lines


def ratio_text(ratio: float, language: Language = ENGLISH) -> str:
    if ratio == 1:
        return "1×"
    if ratio < 1:
        return Msg("{r}× fewer", r=f"{1 / ratio:.1f}").render(language) if ratio > 0 else "—"
    return Msg("{r}× more", r=f"{ratio:.1f}").render(language)


__all__ = ["compare_notes", "compare_title", "ratio_text", "shapes_title", "totals_lines"]
