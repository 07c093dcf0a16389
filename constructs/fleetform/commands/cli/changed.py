"""``fleetform changed``: the clusters a change affects (:mod:`fleetform.commands.changes`)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from ..changes.results import Changes
from .change_options import (ChangeArguments, add_base_arguments, add_working_tree_option, changes_from_args,
                             warn)
from .views import as_json, lines, show

@dataclass(frozen=True)
class ChangedArguments(ChangeArguments):
    working_tree: bool
    format: str


read = ChangedArguments.read
VIEWS = {"plain": lines(Changes.summary), "json": as_json(Changes.to_json)}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("List the clusters a change affects (REF...HEAD): their stacks "
                          "need a plan. Removed clusters are listed for retirement, "
                          "never destroyed.")
    add_base_arguments(parser)
    add_working_tree_option(parser)
    parser.add_argument("--format", choices=tuple(VIEWS), default="plain",
                        help="output format (default: plain)")


def run(args: ChangedArguments) -> int:
    changes = changes_from_args(args)
    warn(changes)
    show(VIEWS, args.format, changes)
    return 0
