"""The repository's own fleet is user data: only the repository-fleet checks read it.

``clusters/`` and ``manifests/`` of this checkout change whenever a user adds a
cluster. A test that reads them, directly or through a command it runs in this
checkout, would pass or fail with the user's fleet; every other test builds the
fleet it needs. This guard makes that a rule rather than a hope: an audit hook
(``sys.addaudithook``) sees every ``open``, directory listing and process start of
the test process, and a test not marked ``@pytest.mark.repository_fleet`` that
reads the fleet, or starts fleetform in this checkout, fails naming what it read.
The suite runs in an empty working directory (``conftest``), so a command started
without a ``cwd`` does not run in this checkout by accident.

Because no other test depends on the repository's fleet, "adding a cluster keeps
the suite green" is proved by running the repository-fleet checks on a copy with
a cluster added (``test_adding_a_cluster.py``), not the whole suite a second time.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent.parent
#: The user data of this checkout.
FLEET_DATA = tuple(str(ROOT / part) for part in ("clusters", "manifests"))
#: Words of a command line that runs fleetform (or the app) in the process it starts.
FLEETFORM_COMMANDS = ("main.py", "fleet", "fleetform", "fleetform.commands.cli", "cdktf")
MARKER = "repository_fleet"


class Guard:
    """What the test running now read of the repository's fleet."""

    def __init__(self) -> None:
        self.active = False
        self.reads: list[str] = []

    def audit(self, event: str, args: tuple) -> None:
        if not self.active:
            return
        if event == "open" or event in ("os.listdir", "os.scandir"):
            path = args[0] if args else None
            if isinstance(path, int) or path is None:
                return
            if event == "open" and args[1] is None and not os.path.isabs(os.fsdecode(path)):
                return  # os.open, maybe relative to a dir_fd the event does not carry
            try:
                where = os.path.abspath(os.fsdecode(os.fspath(path)))
            except (TypeError, ValueError):
                return
            if any(where == d or where.startswith(d + os.sep) for d in FLEET_DATA):
                self.reads.append(f"{event} {where}")
        elif event == "subprocess.Popen":
            _, argv, cwd, _ = args
            argv = [os.fsdecode(a) for a in (argv or [])
                    if isinstance(a, (str, bytes, os.PathLike))]
            words = [os.path.basename(a) for a in argv]
            if not words or words[0] == "git" \
                    or not any(w in FLEETFORM_COMMANDS for w in words[:4]):
                return
            where = os.path.abspath(os.fsdecode(cwd)) if cwd is not None else os.getcwd()
            if where == str(ROOT) or any(where.startswith(d) for d in FLEET_DATA):
                shown = " ".join([words[0], *argv[1:]])
                self.reads.append(f"runs {shown[:300]} in {where}")

    @contextmanager
    def watching(self, allowed: bool) -> Iterator[list[str]]:
        """Record the reads of one test phase; yields them (empty when ``allowed``)."""
        self.active, self.reads = not allowed, []
        try:
            yield self.reads
        finally:
            self.active = False


GUARD = Guard()
sys.addaudithook(GUARD.audit)
