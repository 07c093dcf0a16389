"""Build the CDKTF app from ``clusters/`` and synthesize it without half-written output."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Mapping, Sequence

from .config import Fleet, load_fleet

SELECT_ENV = "FLEETFORM_CLUSTERS"


def selected_names(names: Sequence[str] | None, env: Mapping[str, str]) -> list[str]:
    """Clusters asked for on the command line, else in ``FLEETFORM_CLUSTERS``."""
    if names:
        return list(names)
    return [n for n in re.split(r"[\s,]+", env.get(SELECT_ENV, "")) if n]


def build_app(fleet: Fleet, *, names: Sequence[str] | None = None,
              outdir: str | Path | None = None, env: Mapping[str, str] | None = None):
    """A cdktf App with one ClusterStack per selected cluster (all by default)."""
    from cdktf import App

    from .stacks import ClusterStack

    env = os.environ if env is None else env
    chosen = fleet.select(list(names or []))
    kwargs = {"stack_traces": False}
    if outdir is not None:
        kwargs["outdir"] = str(outdir)
    app = App(**kwargs)
    for cluster in chosen:
        ClusterStack(app, fleet, cluster, env=env)
    return app


def synth(clusters_dir: str | Path, outdir: str | Path, *,
          names: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """Validate the fleet, then synthesize the selected stacks into ``outdir``.

    The whole fleet is validated before anything is written. Stacks are
    synthesized into a temporary sibling directory that replaces ``outdir``
    only once complete, so a failed or interrupted synth leaves the previous
    output as it was. Returns the names of the synthesized stacks.
    """
    env = os.environ if env is None else env
    fleet = load_fleet(clusters_dir)
    names = selected_names(names, env)
    chosen = [c.name for c in fleet.select(names)]
    outdir = Path(outdir)

    if env.get("CDKTF_OUTDIR"):
        # Run by the cdktf CLI, which owns its output directory.
        build_app(fleet, names=chosen, env=env).synth()
        return chosen

    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        build_app(fleet, names=chosen, outdir=staging, env=env).synth()
        _replace_dir(staging, outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return chosen


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target`` with two renames; the old copy is removed last."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("clusters", nargs="*", metavar="CLUSTER",
                        help=f"clusters to synthesize (default: ${SELECT_ENV}, else all)")
    parser.add_argument("--clusters-dir", default="clusters", type=Path,
                        help="directory of cluster directories (default: clusters)")
    parser.add_argument("--out", default="cdktf.out", type=Path,
                        help="output directory (default: cdktf.out)")


def run(args: argparse.Namespace) -> int:
    names = synth(args.clusters_dir, args.out, names=args.clusters)
    print(f"synthesized {len(names)} stack(s) into {args.out}/stacks: {', '.join(names)}")
    return 0
