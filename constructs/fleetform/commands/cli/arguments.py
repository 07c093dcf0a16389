"""The commands' typed arguments: what a command's ``run`` receives, in place of argparse's
namespace.

Each command declares a frozen dataclass of its options (a subclass of
:class:`Arguments`) beside its ``configure``; :meth:`Arguments.read` builds it from
the parsed namespace. ``tests/test_cli.py`` checks that every field is an option the
parser declares and every option a field, so the two cannot drift apart.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from typing import TypeVar

A = TypeVar("A", bound="Arguments")


@dataclass(frozen=True)
class Arguments:
    """Base of a command's arguments."""

    @classmethod
    def read(cls: type[A], namespace: argparse.Namespace) -> A:
        """The command's arguments, from what its parser parsed."""
        return cls(**{f.name: getattr(namespace, f.name) for f in fields(cls)})
