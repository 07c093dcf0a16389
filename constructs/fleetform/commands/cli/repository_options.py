"""The options of the commands that read the label repositories (validate, preview)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ...fleet.repositories import REPOS_ENV
from .arguments import Arguments


@dataclass(frozen=True)
class RepositoryArguments(Arguments):
    """The options of :func:`add_repository_options`."""

    clusters_dir: Path
    repo: Optional[list[str]]
    no_fetch: bool


def add_repository_options(parser: argparse.ArgumentParser) -> None:
    """``--clusters-dir``, ``--repo`` and ``--no-fetch``: the commands that read the label
    repositories (validate, preview)."""
    parser.add_argument("--clusters-dir", default="clusters", type=Path,
                        help="directory of cluster directories (default: clusters)")
    parser.add_argument("--repo", action="append", metavar="LABEL=DIR",
                        help="use DIR, a checkout of the label's repository URL, for LABEL "
                             "(repeatable; default: this checkout when the URL is one of its "
                             "remotes or the repository's path exists in it, else a "
                             f"shallow clone of its URL; env {REPOS_ENV})")
    parser.add_argument("--no-fetch", action="store_true",
                        help="stay offline: do not clone repositories that are not in this "
                             "checkout (default: a shallow clone of the URL and revision, into "
                             "a temporary directory removed afterwards), nor fetch the chart "
                             "dependencies that charts do not vendor (default: from their "
                             "chart repository or OCI registry, through the chart cache)")
