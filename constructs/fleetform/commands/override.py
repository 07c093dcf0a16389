"""A change's gates: what one violation says, and the reviewable override that allows it.

Two commands gate a merge request: ``fleetform diff --gate`` (offline, before any
plan: :mod:`fleetform.commands.diff.gates`) and ``fleetform plans --gate`` (the plans
against real state: :mod:`fleetform.commands.plans`). One override serves both: a
line ``fleetform-allow: GATE[, GATE...]`` (or ``all``) in the merge request
description, or the file ``.fleetform-allow`` added or changed by the change.

Only the standard library is used: the plan report runs with the job image's Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

#: The gates of ``fleetform diff``.
DIFF_GATES = ("clusters-losing-apps", "removed-apps", "unmatched-label", "empty-app",
              "removed-cluster", "removed-api", "render-error")
#: The gates of ``fleetform plans``: a plan destroys or replaces one of these.
PLAN_GATES = ("plan-destroys-cluster", "plan-destroys-node-pool", "plan-destroys-argocd",
              "plan-destroys-registration")
ALL_GATES = DIFF_GATES + PLAN_GATES
OVERRIDE_FILE = ".fleetform-allow"
DESCRIPTION_ENV = "CI_MERGE_REQUEST_DESCRIPTION"
_OVERRIDE_LINE = re.compile(r"^\s*fleetform-allow:\s*(.*?)\s*$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Violation:
    gate: str
    message: str
    allowed: bool = False

    def __str__(self) -> str:
        return f"gate {self.gate}: {self.message}" + (" (allowed by override)"
                                                      if self.allowed else "")

    def to_dict(self) -> dict[str, Any]:
        return {"gate": self.gate, "message": self.message, "allowed": self.allowed}


@dataclass(frozen=True)
class Override:
    """Gates a change is allowed to violate, and where that was said."""

    gates: frozenset[str]
    sources: tuple[str, ...]
    unknown: tuple[str, ...] = ()

    def allows(self, gate: str) -> bool:
        return "all" in self.gates or gate in self.gates


def _names(text: str) -> list[str]:
    return [n.strip().lower() for n in re.split(r"[\s,]+", text) if n.strip()]


def read_override(env: Mapping[str, str], project: Path, changed_paths: Iterable[str]
                  ) -> Override:
    """The override of this change: MR description line(s) and/or a changed allow file."""
    names: list[str] = []
    sources: list[str] = []
    description = env.get(DESCRIPTION_ENV, "")
    found = _OVERRIDE_LINE.findall(description)
    if found:
        sources.append("merge request description")
        for line in found:
            names.extend(_names(line))
    file = project / OVERRIDE_FILE
    if OVERRIDE_FILE in set(changed_paths) and file.is_file():
        sources.append(f"{OVERRIDE_FILE} (changed by this change)")
        for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
            names.extend(_names(line.split("#", 1)[0]))
    unknown = tuple(n for n in dict.fromkeys(names) if n not in ALL_GATES and n != "all")
    return Override(frozenset(names), tuple(sources), unknown)
