"""``fleetform diff``: what a change does to the fleet (:mod:`fleetform.commands.diff`)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ...fleet.repositories import NO_FETCH_OPTION, REPOS_ENV, parse_overrides
from ...integrations import merge_request_note
from ...integrations.files import write_atomically
from ...integrations.gitlab import GitLabError
from ..diff import build_diff
from ..diff.report import FleetDiff, format_markdown, format_text
from .change_options import (ChangeArguments, add_base_arguments, add_working_tree_option, changes_from_args,
                             check_working_tree)
from .views import as_json, check_output_dirs, lines, show


@dataclass(frozen=True)
class DiffArguments(ChangeArguments):
    working_tree: bool
    format: str
    gate: bool
    markdown: Optional[Path]
    json: Optional[Path]
    repo: Optional[list[str]]
    no_fetch: bool


read = DiffArguments.read


def _colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


VIEWS = {"text": lines(lambda diff: format_text(diff, _colour())),
         "json": as_json(FleetDiff.to_dict), "markdown": format_markdown}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Show what a change does to the fleet: Terraform resources per "
                          "cluster stack, applications gained and lost per cluster, and the "
                          "rendered manifests that differ; --gate fails on risky changes.")
    add_base_arguments(parser)
    add_working_tree_option(parser)
    parser.add_argument("--format", choices=tuple(VIEWS), default="text",
                        help="standard output's format (default: text)")
    parser.add_argument("--gate", action="store_true",
                        help="exit 1 when a safety gate is violated and not overridden")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="also write the Markdown report (a merge request note) to FILE")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the JSON report to FILE")
    parser.add_argument("--repo", action="append", metavar="LABEL=DIR",
                        help="a checkout of LABEL's repository when it is not in this one "
                             f"(repeatable; env {REPOS_ENV}); used for both sides")
    parser.add_argument("--no-fetch", action="store_true",
                        help="stay offline: do not clone repositories that are not in this "
                             "checkout (by default each side's revision is cloned, to compare "
                             "them), nor fetch the chart dependencies that charts do not vendor "
                             "(by default each side's versions, through the chart cache)")


def run(args: DiffArguments) -> int:
    check_working_tree(args)
    check_output_dirs(args, "markdown", "json")
    changes = changes_from_args(args)
    diff = build_diff(args.root, changes, working=args.working_tree,
                      overrides=parse_overrides(args.repo), fetch=not args.no_fetch,
                      not_fetched=NO_FETCH_OPTION)
    diff.gated = args.gate
    markdown = format_markdown(diff)
    if args.markdown:
        write_atomically(args.markdown, markdown, field="--markdown")
    if args.json:
        write_atomically(args.json, VIEWS["json"](diff), field="--json")
    show(VIEWS, args.format, diff)
    if args.ci and merge_request_note.wanted(os.environ):
        try:
            posted = merge_request_note.post(markdown, os.environ)
            print(f"fleetform diff: {posted} on merge request "
                  f"!{os.environ['CI_MERGE_REQUEST_IID']}", file=sys.stderr)
        except GitLabError as exc:
            print(f"fleetform diff: warning: {exc}", file=sys.stderr)
    return 1 if args.gate and diff.blocking else 0
