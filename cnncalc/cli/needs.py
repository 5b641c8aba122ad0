"""What a command needs beyond the analytic core, checked before it starts.

The analytic commands need only the core (typer, rich, pyyaml: `pip install cnncalc`). The
others need an optional Python package (an extra: ``pip install 'cnncalc[torch]'``) or a
program on the PATH. Each such command calls `require` first, so that a missing one is one line
naming the command's need and the exact command that installs it, with exit status 2 — never a
traceback half-way through. The check imports nothing: modules are looked up with
`importlib.util.find_spec`, programs with `shutil.which`.

To give a command a new need:

1. add it to `NEEDS` below: a Python module with the pip extra that installs it (declared in
   pyproject.toml and listed in its ``all`` extra, which `make run` installs), or a program
   with the Debian package that installs it (`make run` installs those with apt-get) and where
   to get it elsewhere;
2. call ``require("COMMAND", "NEED", ...)`` first thing in the command (a need that depends on
   an option is written ``"NEED" if option else None``);
3. add a row to ``tests/cli/test_needs.py`` that runs the command without it.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass

from cnncalc.errors import CnnCalcError


@dataclass(frozen=True)
class Need:
    """Something a command uses that the core does not install, and how to get it."""

    what: str                   # as users know it, for the message: "PyTorch", "Graphviz (dot)"
    module: str | None = None   # a Python module, found with importlib.util.find_spec
    extra: str | None = None    # the pip extra of cnncalc that installs the module
    program: str | None = None  # a program, found on the PATH with shutil.which
    debian: str | None = None   # the Debian/Ubuntu package that installs the program
    elsewhere: str | None = None  # where to get the program on other systems

    def present(self) -> bool:
        if self.module is not None:
            try:
                return importlib.util.find_spec(self.module) is not None
            except (ImportError, ValueError):  # a broken or half-removed installation
                return False
        return self.program is not None and shutil.which(self.program) is not None


NEEDS: dict[str, Need] = {
    "torch": Need("PyTorch", module="torch", extra="torch"),
    "fvcore": Need("fvcore", module="fvcore", extra="torch"),
    "torchvision": Need("torchvision", module="torchvision", extra="torchvision"),
    "dot": Need("Graphviz (dot)", program="dot", debian="graphviz", elsewhere="https://graphviz.org"),
}


def install_command(needs: list[Need]) -> str:
    """The one command line (or two, joined) that installs `needs`.

    >>> install_command([NEEDS["torch"], NEEDS["fvcore"], NEEDS["torchvision"]])
    "pip install 'cnncalc[torch,torchvision]'"
    >>> install_command([Need("Graphviz (dot)", program="dot", debian="graphviz", elsewhere="https://graphviz.org")])
    'sudo apt-get install graphviz (elsewhere: https://graphviz.org)'
    """
    extras = list(dict.fromkeys(n.extra for n in needs if n.extra))
    packages = list(dict.fromkeys(n.debian for n in needs if n.debian))
    places = list(dict.fromkeys(n.elsewhere for n in needs if n.elsewhere))
    parts = [f"pip install 'cnncalc[{','.join(extras)}]'"] if extras else []
    if packages:
        parts.append(f"sudo apt-get install {' '.join(packages)}" + (f" (elsewhere: {', '.join(places)})"
                                                                     if places else ""))
    return " and ".join(parts)


def require(command: str, *names: str | None) -> None:
    """Raise `CnnCalcError` (one line, exit status 2) naming what `command` lacks and how to install it.

    `names` are keys of `NEEDS`; None stands for a need the given options do not have.
    """
    missing = [NEEDS[n] for n in names if n is not None and not NEEDS[n].present()]
    if missing:
        whats = [n.what for n in missing]
        what = whats[0] if len(whats) == 1 else f"{', '.join(whats[:-1])} and {whats[-1]}"
        verb = "is" if len(missing) == 1 else "are"
        raise CnnCalcError(f"{command} needs {what}, which {verb} not installed: {install_command(missing)}")


def system_packages() -> list[str]:
    """``PROGRAM:PACKAGE`` for each program the commands use: `make run` apt-get installs the missing ones."""
    return list(dict.fromkeys(f"{n.program}:{n.debian}" for n in NEEDS.values() if n.program and n.debian))
