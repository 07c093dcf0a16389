"""The two sides ``fleetform diff`` compares, built from Git objects.

A side is the project as of one commit, extracted with ``git archive`` into a
temporary directory (so a clean CI checkout, or one with local edits, gives
the same answer), or the working tree itself (``--working-tree``). Each side
synthesizes its own stacks with its own code, in a subprocess: a change to
``constructs/`` shows what the new code synthesizes against what the old code
did.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ...errors import ConfigError
from ...fleet.provider_lock import LOCK_ENV
from ...fleet.repositories import git_remote_urls
from ...integrations.git import Git
from ..changes import CLUSTERS_DIR

#: Seconds a side's synth may take (a 200-cluster fleet takes well under a minute).
SYNTH_TIMEOUT = 900


@dataclass(frozen=True)
class Side:
    """One side of the comparison: the project directory as of ``commit``.

    ``commit`` is None for the working tree. ``project`` holds ``clusters/``;
    ``checkout`` is the top of the repository (where manifest repositories that
    live in this repository are found).
    """

    name: str
    commit: str | None
    checkout: Path
    project: Path

    @property
    def clusters_dir(self) -> Path:
        return self.project / CLUSTERS_DIR

    @property
    def label(self) -> str:
        return self.commit[:12] if self.commit else "working tree"


def toplevel(git: Git) -> Path:
    """The top directory of the repository ``git`` works in."""
    return Path(git.run("rev-parse", "--show-toplevel").stdout.decode().strip())


def extract(git: Git, commit: str, target: Path, name: str) -> Side:
    """``commit`` of the repository, written below ``target`` from Git objects."""
    target.mkdir(parents=True, exist_ok=True)
    top = toplevel(git)
    proc = subprocess.Popen(["git", "archive", "--format=tar", commit], cwd=top,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            archive.extractall(target, filter="data")
    except (tarfile.TarError, OSError) as exc:
        proc.kill()
        raise ConfigError(f"cannot extract commit {commit[:12]} ({exc})", file=git.root) from None
    finally:
        error = proc.stderr.read().decode(errors="replace").strip()
        proc.wait()
    if proc.returncode != 0:
        last = (error.splitlines() or ["no output"])[-1]
        raise ConfigError(f"git archive {commit[:12]} failed: {last}", file=git.root)
    return Side(name, commit, target, target / git.prefix if git.prefix else target)


def working_tree(git: Git, name: str) -> Side:
    """The working tree as it is (uncommitted and untracked files included)."""
    return Side(name, None, toplevel(git), git.root.resolve())


def remotes_of(git: Git) -> set[str]:
    """The Git remotes of the real checkout: what extracted sides resolve repositories by."""
    return git_remote_urls(toplevel(git))


def _cli_module(code: Path) -> str:
    """The side's command-line module (its package layout may predate ``fleetform.commands``)."""
    if not (code / "fleetform" / "commands" / "cli.py").is_file() and \
            (code / "fleetform" / "cli.py").is_file():
        return "fleetform.cli"
    return "fleetform.commands.cli"


def synth_side(side: Side, names: Sequence[str], workdir: Path,
               env: Mapping[str, str] | None = None) -> subprocess.Popen | None:
    """Start synthesizing ``names`` of ``side`` with the side's own code; None when none.

    The output goes to ``workdir``; :func:`collect` waits and reads it.
    """
    if not names:
        return None
    env = dict(os.environ if env is None else env)
    env.pop("FLEETFORM_CLUSTERS", None)
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    # The stacks are compared, never run: no provider lock (a side may predate it).
    env[LOCK_ENV] = "none"
    code = side.project / "constructs"
    if (code / "fleetform").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(
            [str(code), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    out = workdir / "cdktf.out"
    shutil.rmtree(out, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    log = tempfile.TemporaryFile(mode="w+b", dir=workdir)
    # Run from the side's project directory: local state paths come out alike on both sides.
    proc = subprocess.Popen([sys.executable, "-m", _cli_module(code), "synth",
                             "--clusters-dir", str(side.clusters_dir), "--out", str(out),
                             *names], cwd=side.project, env=env, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT)
    proc.log = log  # type: ignore[attr-defined]
    proc.out = out  # type: ignore[attr-defined]
    return proc


def collect(side: Side, proc: subprocess.Popen | None) -> dict[str, dict]:
    """Wait for a synth started by :func:`synth_side`; ``{stack: Terraform JSON}``."""
    if proc is None:
        return {}
    try:
        proc.wait(timeout=SYNTH_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise ConfigError(f"synth of the {side.name} side ({side.label}) did not finish within "
                          f"{SYNTH_TIMEOUT} s", file=side.clusters_dir) from None
    proc.log.seek(0)  # type: ignore[attr-defined]
    output = proc.log.read().decode("utf-8", errors="replace")  # type: ignore[attr-defined]
    proc.log.close()  # type: ignore[attr-defined]
    if proc.returncode != 0:
        lines = [line for line in output.strip().splitlines() if line.strip()]
        shown = "\n".join(lines[-3:]) if lines else f"exit {proc.returncode}"
        raise ConfigError(f"synth of the {side.name} side ({side.label}) failed: {shown}",
                          file=side.clusters_dir)
    stacks = {}
    for stack in sorted((proc.out / "stacks").iterdir()):  # type: ignore[attr-defined]
        stacks[stack.name] = json.loads((stack / "cdk.tf.json").read_text(encoding="utf-8"))
    return stacks
