"""The one error type users see: what is wrong, in which file, at which field."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Iterable


class ConfigError(Exception):
    """A user's mistake in fleet configuration or construct props.

    ``file`` and ``field`` locate the mistake; ``str(error)`` is a one-line
    message of the form ``<file>: <field>: <message>`` that the CLI prints as is.
    """

    def __init__(self, message: str, *, file: str | Path | None = None,
                 field: str | None = None) -> None:
        self.file = str(file) if file is not None else None
        self.field = field
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [p for p in (self.file, self.field) if p]
        return ": ".join(_shorten(p) for p in [*parts, self.message])


#: The longest part (file, field, message) of a rendered error: a message quotes
#: what was given, which can be a megabyte-long value or key.
MAX_PART = 500


def _shorten(text: str) -> str:
    """``text``, its middle elided when longer than :data:`MAX_PART`."""
    if len(text) <= MAX_PART:
        return text
    half = (MAX_PART - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"


class ConfigErrors(ConfigError):
    """Several independent ConfigErrors, reported together (one per line)."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.message, file=first.file, field=first.field)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


def closest(name: str, candidates: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest candidate, or ``""``."""
    match = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""
