"""The options of the commands that read a change (changed, pipeline, diff), and the
change they name."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from ...errors import ConfigError
from ..changes import Changes, changed_clusters, ci_changes
from ..changes.tree import RENAME_TRAILER, parse_renames
from .arguments import Arguments


@dataclass(frozen=True)
class ChangeArguments(Arguments):
    """The options of :func:`add_base_arguments`."""

    base: Optional[str]
    ci: bool
    root: Path
    renamed: list[str]


def add_base_arguments(parser: argparse.ArgumentParser) -> None:
    """``--base REF`` | ``--ci``, ``--root`` and ``--renamed``: the commands that compare
    two commits (changed, pipeline, diff)."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", metavar="REF",
                       help="compare HEAD with its merge base with REF (REF...HEAD)")
    which.add_argument("--ci", action="store_true",
                       help="choose the base from GitLab CI variables: the merge request's "
                            "diff base; on the default branch each cluster's last successful "
                            "apply; every cluster for schedules; every cluster, with a "
                            "warning, when the base cannot be used")
    parser.add_argument("-C", "--root", default=".", type=Path, metavar="DIR",
                        help="project directory (default: the current directory)")
    parser.add_argument("--renamed", action="append", default=[], metavar="OLD=NEW",
                        help="a cluster renamed whose state was moved (also the commit "
                             f"trailer '{RENAME_TRAILER}: OLD -> NEW'); repeatable")


def add_working_tree_option(parser: argparse.ArgumentParser) -> None:
    """``--working-tree`` (changed, diff); :func:`changes_from_args` refuses it with ``--ci``."""
    parser.add_argument("--working-tree", action="store_true",
                        help="compare the working tree (uncommitted and untracked files "
                             "included) instead of HEAD")


def check_working_tree(args: ChangeArguments) -> None:
    """``--working-tree`` is not given with ``--ci``."""
    if args.ci and getattr(args, "working_tree", False):
        raise ConfigError("cannot be combined with --ci", field="--working-tree")


def changes_from_args(args: ChangeArguments, env: Mapping[str, str] | None = None) -> Changes:
    """The change the base options name (:func:`add_base_arguments`)."""
    env = os.environ if env is None else env
    check_working_tree(args)
    working_tree = getattr(args, "working_tree", False)
    renamed = parse_renames(getattr(args, "renamed", []))
    if args.ci:
        extra = " ".join(f"{o}={n}" for o, n in sorted(renamed))
        return ci_changes(args.root, {**env, "FLEETFORM_RENAMED":
                                      f"{env.get('FLEETFORM_RENAMED', '')} {extra}".strip()})
    assert args.base is not None  # the parser asks for --base or --ci
    return changed_clusters(args.root, args.base, working_tree=working_tree, renamed=renamed)


def warn(changes: Changes) -> None:
    """Say on stderr why every cluster is planned, when a base could not be used."""
    if changes.warning:
        print(f"fleetform: WARNING: {changes.warning}: planning every cluster", file=sys.stderr)
