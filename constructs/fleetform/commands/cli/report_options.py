"""The options of the commands that report planned stacks (plans, drift), and where
their reports go."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ...errors import ConfigError
from ..plans import STACKS_DIR, is_cluster_name
from .arguments import Arguments


@dataclass(frozen=True)
class ReportArguments(Arguments):
    """The options of :func:`add_report_options`."""

    clusters: list[str]
    stacks_dir: Path
    markdown: Optional[Path]
    json: Optional[Path]


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """The planned clusters to report and where the report goes (plans, drift)."""
    parser.add_argument("clusters", nargs="*", metavar="CLUSTER",
                        help="the clusters to report (default: every stack in --stacks-dir)")
    parser.add_argument("--stacks-dir", type=Path, default=Path(STACKS_DIR), metavar="DIR",
                        help=f"where the planned stacks are (default: {STACKS_DIR})")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write Markdown to FILE")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write JSON to FILE")


def check_report_options(args: ReportArguments) -> None:
    """The stacks directory exists and every CLUSTER is a cluster's name."""
    if not args.stacks_dir.is_dir():
        raise ConfigError("is not a directory: synthesize and plan the stacks first "
                          "(./fleet synth, fleetform batch plan)", file=args.stacks_dir,
                          field="--stacks-dir")
    for name in args.clusters:
        if not is_cluster_name(name):
            raise ConfigError(f"is not a cluster name: {name!r}", field="CLUSTER")
