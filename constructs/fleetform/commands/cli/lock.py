"""``fleetform lock``: the fleet's provider lock file (:mod:`fleetform.commands.lock`)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Optional

from ...fleet.provider_lock import LOCK_FILE
from ..lock import DEFAULT_PLATFORMS, lock_providers
from .arguments import Arguments


@dataclass(frozen=True)
class LockArguments(Arguments):
    lock_file: Path
    platforms: Optional[list[str]]
    fs_mirror: Optional[Path]
    net_mirror: Optional[str]


read = LockArguments.read


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Write the fleet's provider lock file: every provider fleetform's "
                          "stacks may require, at its pinned version, with checksums for "
                          "each platform (terraform providers lock).")
    parser.add_argument("--lock-file", type=Path, default=Path(LOCK_FILE), metavar="FILE",
                        help=f"the lock file to write (default: {LOCK_FILE})")
    parser.add_argument("--platform", action="append", metavar="OS_ARCH", dest="platforms",
                        help="a platform to lock checksums for; repeat for more (default: "
                             + ", ".join(DEFAULT_PLATFORMS) + ")")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--fs-mirror", type=Path, metavar="DIR",
                        help="read the providers from a filesystem mirror of packaged "
                             "providers instead of the registry (offline)")
    source.add_argument("--net-mirror", metavar="URL",
                        help="read the providers from a network mirror instead of the registry")


def run(args: LockArguments) -> int:
    locked = lock_providers(args.lock_file, args.platforms or list(DEFAULT_PLATFORMS),
                            fs_mirror=args.fs_mirror, net_mirror=args.net_mirror,
                            starting=partial(print, flush=True))
    for entry in locked:
        print(f"  {entry.address} {entry.version} ({entry.hashes} checksums)")
    print(f"wrote {args.lock_file}")
    return 0
