"""``fleetform drift``: the clusters whose real state drifted (:mod:`fleetform.commands.drift`)."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
import os
import sys

from ...integrations.files import write_atomically
from ...integrations.gitlab import GitLabError
from ..drift import DRIFTED, LABEL, TOKEN_ENV, DriftReport, format_markdown, format_text, keep_issue
from ..plans import load
from .report_options import ReportArguments, add_report_options, check_report_options


@dataclass(frozen=True)
class DriftArguments(ReportArguments):
    issue: bool


read = DriftArguments.read


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Report drift: per planned cluster, the resources whose real state "
                          "differs from the default branch and what changed outside "
                          "Terraform (data sources excluded); exit 2 when any did, or a "
                          "plan failed.")
    add_report_options(parser)
    parser.add_argument("--issue", action="store_true",
                        help=f"keep one GitLab issue (label {LABEL}) up to date: opened on "
                             f"drift, closed when clean (needs {TOKEN_ENV})")


def run(args: DriftArguments) -> int:
    check_report_options(args)
    report = DriftReport(load(args.stacks_dir, args.clusters or None),
                         os.environ.get("CI_COMMIT_SHA", ""))
    markdown = format_markdown(report)
    if args.markdown:
        write_atomically(args.markdown, markdown, field="--markdown")
    if args.json:
        write_atomically(args.json, json.dumps(report.to_dict(), indent=2) + "\n",
                         field="--json")
    print(format_text(report))
    if args.issue:
        try:
            print(f"fleetform drift: {keep_issue(report, markdown, os.environ)}",
                  file=sys.stderr)
        except GitLabError as exc:
            print(f"fleetform drift: warning: {exc}", file=sys.stderr)
    return 0 if report.ok else DRIFTED
