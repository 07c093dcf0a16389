"""``fleetform synth``: one Terraform stack per cluster into ``cdktf.out``
(:func:`fleetform.fleet.app.synth`, which ``main.py`` also runs for ``cdktf synth``)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ...fleet.app import SELECT_ENV, synth
from ...fleet.provider_lock import LOCK_ENV, LOCK_FILE
from .arguments import Arguments


@dataclass(frozen=True)
class SynthArguments(Arguments):
    clusters: list[str]
    clusters_dir: Path
    out: Path
    lock_file: Optional[Path]


read = SynthArguments.read


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("clusters", nargs="*", metavar="CLUSTER",
                        help=f"clusters to synthesize (default: ${SELECT_ENV}, else all)")
    parser.add_argument("--clusters-dir", default="clusters", type=Path,
                        help="directory of cluster directories (default: clusters)")
    parser.add_argument("--out", default="cdktf.out", type=Path,
                        help="output directory (default: cdktf.out)")
    parser.add_argument("--lock-file", default=None, type=Path, metavar="FILE",
                        help=f"the fleet's provider lock, written by fleetform lock (default: "
                             f"${LOCK_ENV}, else {LOCK_FILE}; {LOCK_ENV}=none: stacks without "
                             "lock files, only to compare them, as fleetform diff does)")


def run(args: SynthArguments) -> int:
    lock_file = args.lock_file
    if lock_file is None:
        chosen = os.environ.get(LOCK_ENV, "") or LOCK_FILE
        lock_file = None if chosen == "none" else Path(chosen)
    names = synth(args.clusters_dir, args.out, names=args.clusters, lock_file=lock_file)
    print(f"synthesized {len(names)} stack(s) into {args.out}/stacks: {', '.join(names)}")
    return 0
