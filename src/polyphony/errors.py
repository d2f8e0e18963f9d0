"""Errors a user can act on.

An `InputError` is the user's mistake or a bad file: the CLI prints it as one line (file,
problem, what to do) with no traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def one_line(exc: BaseException, width: int = 150) -> str:
    """A third-party exception in one short line, its type and its message's first line:
    libraries such as torch and ONNX Runtime write messages pages long."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    text = text if len(text) <= width else text[:width - 3] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class PolyphonyError(Exception):
    """Base class of the errors polyphony reports to the user without a traceback."""

    def __init__(self, problem: str, *, path: str | Path | None = None,
                 hint: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.hint = hint

    def located(self, path: str | Path) -> PolyphonyError:
        """Attach the file the error came from, if it does not name one yet."""
        if self.path is None:
            self.path = str(path)
        return self

    def __str__(self) -> str:
        """One line, whatever a quoted piece of a bad file holds (line breaks, control
        characters): the CLI prints exactly this."""
        where = f"{self.path}: " if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return _CONTROL.sub(" ", f"{where}{self.problem}{hint}")


class InputError(PolyphonyError):
    """A file or argument that cannot be used as given."""


class UsageError(PolyphonyError):
    """Options that do not fit together; the command exits with status 2."""


class ConsentError(PolyphonyError):
    """Audio whose consent record is missing or does not cover the requested processing."""


class InternalError(PolyphonyError):
    """An unexpected error (a bug) met while processing one input: reported as that
    input's failure, so that the other inputs of a run still get their results."""

    @classmethod
    def of(cls, exc: BaseException) -> InternalError:
        return cls(f"internal error ({type(exc).__name__}: {exc})",
                   hint="a bug in polyphony, not in the file: please report it")


class ModelError(PolyphonyError):
    """A bundled model that is missing or does not match its registered checksum."""
