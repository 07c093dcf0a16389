"""``fleetform batch plan|apply``: many stacks at once (:mod:`fleetform.commands.batch`).

Like the batch module, this imports the standard library only: the pipeline's
jobs run it with the job image's Python.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from ..batch import DEFAULT_JOBS, STACKS_DIR, Batch, check_request
from .arguments import Arguments


@dataclass(frozen=True)
class BatchArguments(Arguments):
    command: str
    clusters: list[str]
    stacks_dir: Path
    jobs: int
    lock: bool
    record: bool


read = BatchArguments.read


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Plan or apply synthesized stacks, several at a time, sharing one "
                          "provider cache (TF_PLUGIN_CACHE_DIR); each keeps its own output, "
                          "state and lock.")
    parser.add_argument("command", choices=("plan", "apply"))
    parser.add_argument("clusters", nargs="+", metavar="CLUSTER")
    parser.add_argument("--stacks-dir", type=Path, default=Path(STACKS_DIR), metavar="DIR",
                        help=f"where the synthesized stacks are (default: {STACKS_DIR})")
    parser.add_argument("-j", "--jobs", type=int, default=DEFAULT_JOBS, metavar="N",
                        help=f"stacks at a time (default: {DEFAULT_JOBS})")
    parser.add_argument("--lock", action=argparse.BooleanOptionalAction, default=True,
                        help="plans take the state lock (default); --no-lock for a plan no "
                             "one applies")
    parser.add_argument("--record", action=argparse.BooleanOptionalAction, default=False,
                        help="record each applied cluster as a GitLab deployment of "
                             "fleet/<name> (default: no)")


def run(args: BatchArguments) -> int:
    names = check_request(args.stacks_dir, args.clusters, args.jobs)
    batch = Batch(args.command, names, stacks_dir=args.stacks_dir, jobs=args.jobs,
                  lock=args.lock, record=args.record, env=os.environ)
    results = batch.run()
    batch.report(results)
    return 1 if any(r.status in ("failed", "not-started") for r in results) else 0
