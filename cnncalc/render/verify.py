"""Rendering of `cnncalc verify` results: a rich table with ✓/✗ per cell, or JSON. Never computes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cnncalc.layers.base import fmt_shape
from cnncalc.render.tables import to_json
from cnncalc.verify import Cell, VerifyResult

if TYPE_CHECKING:
    from rich.console import Console

OK, BAD = "✓", "✗"


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def cell_dict(cell: Cell) -> dict[str, Any]:
    return {"ours": _plain(cell.ours), "theirs": _plain(cell.theirs), "ok": cell.ok}


def verify_dict(result: VerifyResult) -> dict[str, Any]:
    """The verify result as plain data (the `--format json` output)."""
    return {
        "name": result.name, "input_shape": list(result.input_shape), "device": result.device, "ok": result.ok,
        "layers": [
            {"name": r.name, "type": r.type, "ok": r.ok,
             **{k: cell_dict(getattr(r, k)) for k in ("shape", "params", "buffers", "macs")}}
            for r in result.layers
        ],
        "totals": [{"what": t.what, **cell_dict(t.cell), "note": t.note} for t in result.totals],
        "receptive_fields": [
            {"name": f.name, "status": f.status, "analytic": list(f.analytic), "measured": list(f.measured),
             "expected": list(f.expected), "at_most": list(f.at_most), "inputs": [list(s) for s in f.inputs],
             "ok": f.ok}
            for f in result.fields
        ],
        "against": None if result.against is None else {
            "model": result.against,
            "checks": [{"what": t.what, **cell_dict(t.cell), "ok": t.ok, "note": t.note}
                       for t in result.against_checks],
            "error": result.against_error,
        },
        "mismatches": result.mismatches(),
    }


def verify_text(result: VerifyResult) -> str:
    return to_json(verify_dict(result))


def _value(v: Any) -> str:
    if isinstance(v, tuple):
        return fmt_shape(v)
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _cell(cell: Cell) -> str:
    if cell.ok:
        return f"{_value(cell.ours)} {OK}"
    return f"[red]{_value(cell.ours)} ≠ {_value(cell.theirs)} {BAD}[/]"


def print_verify(console: Console, result: VerifyResult) -> None:
    from rich.table import Table

    table = Table(title=f"{result.name} — analytic vs torch on {result.device}, input "
                        f"{fmt_shape(result.input_shape)} (✓ agree, ✗ analytic ≠ torch)", title_justify="left")
    for col, right in (("layer", False), ("type", False), ("output", False), ("params", True),
                       ("buffers", True), ("MACs (fvcore)", True)):
        table.add_column(col, justify="right" if right else "left", no_wrap=col == "layer")
    for r in result.layers:
        table.add_row(r.name, r.type, _cell(r.shape), _cell(r.params), _cell(r.buffers), _cell(r.macs))
    console.print(table)

    totals = Table(title="totals", title_justify="left")
    for col in ("", "analytic", "torch", "", "how"):
        totals.add_column(col)
    for t in result.totals:
        totals.add_row(t.what, _value(t.cell.ours), _value(t.cell.theirs), OK if t.ok else f"[red]{BAD}[/]", t.note)
    console.print(totals)

    if result.fields:
        fields = Table(title="receptive fields (gradient of a central unit, through a linear copy)",
                       title_justify="left")
        for col in ("layer", "analytic", "measured", "", "measured on input", "status"):
            fields.add_column(col)
        for f in result.fields:
            if f.status == "global":
                fields.add_row(f.name, "global", "—", "", "", "sees the whole input: not measured")
                continue
            mark = OK if f.ok else f"[red]{BAD}[/]"
            status = {"exact": "must be equal", "bound": "analytic is the largest over units: measured ≤",
                      "approximate": "the recurrence is only an estimate here: not checked",
                      "unmeasured": "no input size holds this field"}[f.status]
            if f.clipped:
                status += f"; no input holds it: clipped to the input, expected {fmt_shape(f.expected)}"
            fields.add_row(f.name, fmt_shape(f.analytic), fmt_shape(f.measured), mark,
                           ", ".join(fmt_shape(s) for s in f.inputs), status)
        console.print(fields)

    if result.against is not None:
        against = Table(title=f"against {result.against}", title_justify="left")
        for col in ("", "cnncalc", result.against, "", "note"):
            against.add_column(col)
        for t in result.against_checks:
            against.add_row(t.what, _value(t.cell.ours), _value(t.cell.theirs), OK if t.ok else f"[red]{BAD}[/]",
                            t.note)
        console.print(against)

    bad = result.mismatches()
    if bad:
        console.print(f"[red]{len(bad)} mismatch{'es' if len(bad) != 1 else ''}:[/]")
        for line in bad:
            console.print(f"  {BAD} {line}", highlight=False)
    elif result.against_error is None:  # otherwise the one-line error follows on stderr
        console.print(f"{OK} every number agrees", highlight=False)
