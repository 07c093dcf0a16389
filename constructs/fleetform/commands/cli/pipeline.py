"""``fleetform pipeline``: the GitLab child pipeline of a change
(:mod:`fleetform.commands.pipeline`)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ...errors import ConfigError
from ...integrations.files import write_atomically
from ..changes import ci_applies, ci_report
from ..pipeline import DEFAULT_PARALLEL, REPORTS, render
from ..pipeline.batches import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE
from .change_options import ChangeArguments, add_base_arguments, changes_from_args, warn


@dataclass(frozen=True)
class PipelineArguments(ChangeArguments):
    apply: Optional[bool]
    batch_size: int
    parallel: int
    report: Optional[str]
    output: Optional[Path]
    warning_exit_code: int


read = PipelineArguments.read


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Generate the GitLab child pipeline of a change: synth and plan "
                          "for each affected cluster, manual apply on the default branch, "
                          "retirement steps for removed clusters.")
    add_base_arguments(parser)
    parser.add_argument("--apply", action=argparse.BooleanOptionalAction, default=None,
                        help="add manual apply jobs (default: with --ci, on the default "
                             "branch outside merge requests; otherwise no)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N",
                        help="workers planned and applied per job, one cloud per job "
                             f"(default: {DEFAULT_BATCH_SIZE}; 1: a job per cluster)")
    parser.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL, metavar="N",
                        help="stacks a job plans or applies at a time, in parallel "
                             f"processes (default: {DEFAULT_PARALLEL})")
    parser.add_argument("--report", choices=(*REPORTS, "none"), default=None,
                        help="a job after the plans: plans (the report and its gates), "
                             "drift, or none (default: with --ci, plans for merge requests, "
                             "drift for schedules; otherwise none)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write the pipeline to FILE (default: standard output)")
    parser.add_argument("--warning-exit-code", type=int, default=0, metavar="N",
                        help="exit with N (after writing the pipeline) when every cluster is "
                             "planned because a base could not be used; GitLab CI shows "
                             "the job as passed with warnings with allow_failure:exit_codes "
                             "(default: 0)")


def run(args: PipelineArguments) -> int:
    changes = changes_from_args(args)
    warn(changes)
    if not 1 <= args.batch_size <= MAX_BATCH_SIZE:
        raise ConfigError(f"must be 1 to {MAX_BATCH_SIZE}, got {args.batch_size}",
                          field="--batch-size")
    if not 1 <= args.parallel <= 64:
        raise ConfigError(f"must be 1 to 64, got {args.parallel}", field="--parallel")
    apply = args.apply if args.apply is not None else (args.ci and ci_applies(os.environ))
    report = (ci_report(os.environ) if args.ci else None) if args.report is None \
        else (None if args.report == "none" else args.report)
    text = render(changes, apply=apply, batch_size=args.batch_size, parallel=args.parallel,
                  report=report)
    if args.output is None:
        sys.stdout.write(text)
        print(changes.summary(), file=sys.stderr)
    else:
        write_atomically(args.output, text, field="--output")
        print(changes.summary())
        print(f"wrote {args.output} ({len(changes.affected)} cluster(s), "
              f"{'with' if apply else 'without'} apply jobs)")
    if changes.warning and not 0 <= args.warning_exit_code <= 255:
        raise ConfigError(f"must be 0 to 255, got {args.warning_exit_code}",
                          field="--warning-exit-code")
    return args.warning_exit_code if changes.warning else 0
