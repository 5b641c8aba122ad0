"""The one exception users see, with the place in their file it is about.

Every problem with what a user gave (YAML syntax, an unknown layer type, a
shape that does not fit, a name that is not defined ...) is a `CnnCalcError`.
Its string is one line: ``file:line:column: message``. The CLI prints that line
and exits with status 2; the library lets it propagate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A 1-based place in a source file."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


class CnnCalcError(Exception):
    """A problem with the user's input, located in their file where possible."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"

    def at(self, location: Location | None) -> CnnCalcError:
        """This error, placed at `location` unless it already has a place."""
        if self.location is None and location is not None:
            self.location = location
        return self


class LayerError(CnnCalcError):
    """Raised by a layer rule (bad argument, input that does not fit).

    Layer code knows nothing of files; the analysis adds the layer's name and
    location before the error reaches the user.
    """

    def __init__(self, message: str, arg: str | None = None, *, about_name: bool = False) -> None:
        super().__init__(message)
        self.arg = arg
        self.about_name = about_name  # the argument's name is wrong (point at the key, not the value)


class ExprError(CnnCalcError):
    """An expression that is not safe arithmetic, or that cannot be evaluated."""


class UnknownArchitecture(CnnCalcError):
    """A network name that is neither a zoo entry nor an existing file."""
