"""A small reader of a Git repository: revisions, changed paths and trees, through git itself."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from ..errors import ConfigError


ZERO_SHA = "0" * 40


#: Git's file mode of a symbolic link.
SYMLINK_MODE = "120000"


class BaseUnavailable(ConfigError):
    """The base of a comparison cannot be used here: unknown, unrelated, missing from a
    shallow clone. ``--ci`` plans every cluster instead; ``--base`` reports it."""


class Git:
    """Runs git in the project directory ``root``; git failures become ConfigErrors."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise ConfigError("no such directory", file=self.root, field="--root")
        top = self.run("rev-parse", "--show-prefix", check=False)
        if top.returncode != 0:
            raise ConfigError("is not inside a Git repository", file=self.root)
        #: The project directory's path inside the repository ('' or 'sub/dir/').
        self.prefix = top.stdout.decode().strip()

    def run(self, *args: str, check: bool = True,
            timeout: float = 120) -> subprocess.CompletedProcess:
        """``git ARGS`` in ``root``, never prompting; ``check``: a failure raises ConfigError."""
        # Never prompt (credentials, SSH host keys): CI has no one to answer.
        env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0",
               "GIT_OPTIONAL_LOCKS": "0"}
        try:
            proc = subprocess.run(["git", *args], cwd=self.root, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout)
        except FileNotFoundError:
            raise ConfigError("git is not installed (fleetform changed needs it)",
                              field="git") from None
        except subprocess.TimeoutExpired:
            raise ConfigError(f"git {args[0]} did not finish within {timeout:.0f} s",
                              file=self.root) from None
        if check and proc.returncode != 0:
            message = proc.stderr.decode(errors="replace").strip().splitlines()
            raise ConfigError(f"git {args[0]} failed: {message[-1] if message else 'no output'}",
                              file=self.root)
        return proc

    def commit(self, ref: str) -> str | None:
        """The commit ``ref`` names, or None when it names none here."""
        if not ref or ref.startswith("-"):
            return None
        proc = self.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                        f"{ref}^{{commit}}", check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.decode().strip() or None

    def is_shallow(self) -> bool:
        proc = self.run("rev-parse", "--is-shallow-repository", check=False)
        return proc.stdout.decode().strip() == "true"

    def merge_base(self, a: str, b: str) -> str | None:
        proc = self.run("merge-base", a, b, check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.decode().strip() or None

    def fetch_branch(self, remote: str, branch: str, ref: str) -> bool:
        """Fetch ``branch`` of ``remote`` into ``ref``; False when that fails."""
        proc = self.run("fetch", "--quiet", "--no-tags", remote,
                        f"+refs/heads/{branch}:{ref}", check=False)
        return proc.returncode == 0

    def fetch_commit(self, remote: str, sha: str) -> str | None:
        """Fetch the commit ``sha`` from ``remote`` when it is missing here; None on failure."""
        if self.commit(sha):
            return self.commit(sha)
        if not re.fullmatch(r"[0-9a-f]{40}", sha):
            return None
        self.run("fetch", "--quiet", "--no-tags", remote, sha, check=False)
        return self.commit(sha)

    def unshallow(self, remote: str) -> bool:
        """Fetch the rest of a shallow clone's history; False when not shallow or it fails."""
        if not self.is_shallow():
            return False
        proc = self.run("fetch", "--quiet", "--no-tags", "--unshallow", remote, check=False,
                        timeout=600)
        return proc.returncode == 0

    def changed_paths(self, base: str, head: str | None) -> list[str]:
        """Project-relative paths that differ between ``base`` and ``head``.

        ``head=None`` compares the working tree (with the index) and adds
        untracked files that are not ignored. Renames count as a removal plus
        an addition, so both directories are seen.
        """
        args = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--relative", base]
        if head is not None:
            args.append(head)
        paths = _split_z(self.run(*args, "--").stdout)
        if head is None:
            paths += _split_z(self.run("ls-files", "-z", "--others", "--exclude-standard",
                                       "--", ".").stdout)
        return sorted(set(paths))

    def tree(self, commit: str, directory: str) -> list[tuple[str, str]]:
        """``(mode, path)`` of the files below the project-relative ``directory`` at
        ``commit`` (paths relative to it; a symbolic link is one file of mode 120000)."""
        proc = self.run("ls-tree", "-r", "-z", "--full-tree",
                        f"{commit}:{self.prefix}{directory}", check=False)
        if proc.returncode != 0:
            return []
        entries = []
        for item in _split_z(proc.stdout):
            meta, _, path = item.partition("\t")
            entries.append((meta.split(" ")[0], path))
        return entries

    def files_under(self, commit: str, directory: str) -> list[str]:
        """Files below the project-relative ``directory`` at ``commit`` (relative to it)."""
        return [path for _, path in self.tree(commit, directory)]

    def read(self, commit: str, path: str) -> bytes | None:
        """The project-relative file ``path`` at ``commit``; None when absent."""
        proc = self.run("cat-file", "blob", f"{commit}:{self.prefix}{path}", check=False)
        return proc.stdout if proc.returncode == 0 else None

    def entry(self, commit: str, path: str) -> tuple[str, bytes | None] | None:
        """``(mode, target)`` of ``path`` (relative to the repository's top) at ``commit``,
        ``target`` being a symbolic link's text (None for anything else); None when absent."""
        if path in ("", "."):
            return ("040000", None)
        proc = self.run("--literal-pathspecs", "ls-tree", "-z", "--full-tree", commit, "--",
                        path, check=False)
        found = [item for item in _split_z(proc.stdout) if item.partition("\t")[2] == path] \
            if proc.returncode == 0 else []
        if not found:
            return None
        mode, _, sha = found[0].partition("\t")[0].split(" ")
        if mode != SYMLINK_MODE:
            return (mode, None)
        blob = self.run("cat-file", "blob", sha, check=False)
        return (mode, blob.stdout if blob.returncode == 0 else b"")

    def trailers(self, base: str, head: str, key: str) -> list[str]:
        """The values of trailer ``key`` in the messages of the commits ``base..head``."""
        proc = self.run("log", "-z", f"--format=%(trailers:key={key},valueonly)",
                        f"{base}..{head}", "--", check=False)
        if proc.returncode != 0:
            return []
        return [line.strip() for block in _split_z(proc.stdout)
                for line in block.splitlines() if line.strip()]


def _split_z(data: bytes) -> list[str]:
    return [p for p in data.decode("utf-8", errors="surrogateescape").split("\0") if p]
