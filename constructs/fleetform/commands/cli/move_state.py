"""``fleetform move-state OLD NEW``: a renamed cluster's state (:mod:`fleetform.commands.move_state`)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from ...fleet.state import BACKENDS
from ...integrations.gitlab import ENVIRONMENT_PREFIX
from ..changes.tree import RENAME_TRAILER
from ..move_state import move_state
from .arguments import Arguments


@dataclass(frozen=True)
class MoveStateArguments(Arguments):
    old: str
    new: str
    state: Optional[str]
    root: Path


read = MoveStateArguments.read


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Move a cluster's Terraform state to a new cluster name, for a "
                          "renamed cluster directory (local or GitLab-managed state).")
    parser.add_argument("old", metavar="OLD", help="the cluster's previous name")
    parser.add_argument("new", metavar="NEW", help="its new name (the new directory)")
    parser.add_argument("--state", choices=BACKENDS, default=None,
                        help="where the state is (default: FLEETFORM_STATE, else local)")
    parser.add_argument("-C", "--root", default=".", type=Path, metavar="DIR",
                        help="project directory, which holds local state (default: .)")


def run(args: MoveStateArguments, env: Mapping[str, str] | None = None) -> int:
    kind, where = move_state(args.root, args.old, args.new, state=args.state,
                             env=os.environ if env is None else env)
    print(f"moved the state of {args.old} to {args.new} ({where})")
    print(f"next: commit the rename with the trailer '{RENAME_TRAILER}: {args.old} -> "
          f"{args.new}'" + (f", and stop the environment {ENVIRONMENT_PREFIX}{args.old} "
                            "in GitLab (Operate > Environments)" if kind == "gitlab" else ""))
    return 0
