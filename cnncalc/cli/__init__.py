"""The `cnncalc` command line: thin typer commands over the library.

Each command parses its options, makes one library call and hands the result to
`cnncalc.render`. A `CnnCalcError` becomes one line on stderr and exit status 2.
The commands live in modules by what they need: `network` (shapes, compare,
list), `homework` (layer, explain, check, quiz), `verify` (verify, export),
`imports` (import, conventions, `--as`), `bench` and `draw` (draw, and the files of the --plot
options); they share `options` and register on `app.app`.
"""

from __future__ import annotations

import gc

# A command is a short process that builds some 10⁵ long-lived objects (formula trees, reports) and few
# cycles; at the default threshold (700 allocations) the cyclic collector rescans them again and again:
# 6 % of `shapes resnet152`, 11 % of a `compare` of five networks. Set before the imports below, which
# allocate too; garbage cycles are still collected, every 50,000 allocations.
gc.set_threshold(50_000)

import copy  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402

import typer.main  # noqa: E402

from cnncalc.cli import bench, draw, homework, imports, network, verify  # noqa: E402
from cnncalc.cli.app import app  # noqa: E402
from cnncalc.errors import CnnCalcError  # noqa: E402


def invoked(argv: Sequence[str]) -> typer.Typer:
    """The app with only the command the command line names, when it names one.

    Typer builds a click command for every registered command on each call, reading
    each signature and its options (about 40 ms for fourteen); one is enough to run
    one. The whole app answers `--help`, no arguments and an unknown command (whose
    error suggests the names).
    """
    name = argv[0] if argv else ""
    chosen = [c for c in app.registered_commands
              if (c.name or typer.main.get_command_name(c.callback.__name__ if c.callback else "")) == name]
    if not chosen:
        return app
    one = copy.copy(app)
    one.registered_commands = chosen
    return one


def main() -> None:
    """Entry point: run the app; user errors become one line and exit status 2."""
    try:
        invoked(sys.argv[1:])()
    except CnnCalcError as exc:
        sys.stderr.write(f"cnncalc: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("cnncalc: interrupted\n")
        sys.exit(130)


__all__ = ["app", "bench", "draw", "homework", "imports", "invoked", "main", "network", "verify"]
