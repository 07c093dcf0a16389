"""``fleetform plans``: every planned cluster's plan, gated (:mod:`fleetform.commands.plans`)."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
import os
import sys
from pathlib import Path

from ...integrations import merge_request_note
from ...integrations.files import write_atomically
from ...integrations.gitlab import GitLabError
from ..plans import build, format_markdown, format_text
from .report_options import ReportArguments, add_report_options, check_report_options


@dataclass(frozen=True)
class PlansArguments(ReportArguments):
    gate: bool
    note: bool


read = PlansArguments.read


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Report every planned cluster's plan (fleetform batch plan's "
                          "results): what each adds, changes, replaces and destroys; "
                          "--gate fails on a plan that destroys or replaces a cluster, a "
                          "node pool, the Argo CD release or a registration.")
    add_report_options(parser)
    parser.add_argument("--gate", action="store_true",
                        help="exit 1 when a plan trips a gate the override does not allow, "
                             "or a plan failed")
    parser.add_argument("--note", action="store_true",
                        help=f"post the report on the merge request's note (needs "
                             f"{merge_request_note.TOKEN_ENV} and a merge request pipeline)")


def run(args: PlansArguments) -> int:
    check_report_options(args)
    report = build(args.stacks_dir, os.environ, project=Path.cwd(), gated=args.gate,
                   names=args.clusters or None)
    markdown = format_markdown(report)
    if args.markdown:
        write_atomically(args.markdown, markdown, field="--markdown")
    if args.json:
        write_atomically(args.json, json.dumps(report.to_dict(), indent=2) + "\n",
                         field="--json")
    print(format_text(report))
    if report.override and report.override.unknown:
        print(f"fleetform plans: warning: the override names unknown gates: "
              f"{', '.join(report.override.unknown)}", file=sys.stderr)
    if args.note and merge_request_note.wanted(os.environ):
        try:
            posted = merge_request_note.post(markdown, os.environ, part="plans")
            print(f"fleetform plans: {posted} on "
                  f"merge request !{os.environ['CI_MERGE_REQUEST_IID']}", file=sys.stderr)
        except GitLabError as exc:
            print(f"fleetform plans: warning: {exc}", file=sys.stderr)
    return 1 if args.gate and (report.blocking or report.failed) else 0
