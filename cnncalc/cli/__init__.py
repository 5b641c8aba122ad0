"""The `cnncalc` command line: thin typer commands over the library.

Each command parses its options, makes one library call and hands the result to
`cnncalc.render`. A `CnnCalcError` becomes one line on stderr and exit status 2.
The commands live in modules by what they need: `network` (shapes, compare,
list), `homework` (layer, explain, check, quiz), `verify` (verify, export),
`imports` (import, conventions, `--as`), `bench` and `draw` (draw, and the files of the --plot
options); they share `options` and register on `app.app`.
"""

from __future__ import annotations

import sys

from cnncalc.cli import bench, draw, homework, imports, network, verify
from cnncalc.cli.app import app
from cnncalc.errors import CnnCalcError


def main() -> None:
    """Entry point: run the app; user errors become one line and exit status 2."""
    try:
        app()
    except CnnCalcError as exc:
        sys.stderr.write(f"cnncalc: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("cnncalc: interrupted\n")
        sys.exit(130)


__all__ = ["app", "bench", "draw", "homework", "imports", "main", "network", "verify"]
