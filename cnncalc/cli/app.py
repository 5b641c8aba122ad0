"""The typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="cnncalc",
    help="Shapes, parameters, receptive fields, MACs/FLOPs and memory of convolutional networks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def cnncalc() -> None:
    """The group's callback: it keeps `cnncalc COMMAND` a group when typer is given one command (`cli.invoked`)."""
