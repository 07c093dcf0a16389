"""Fetching a label's repository when no local checkout has it: a shallow clone, time-bounded."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Mapping

from ..errors import ConfigError
from .cluster_yaml import Repository


def normalize_git_url(url: str) -> str:
    """``host/owner/repo`` of a Git URL, so https, ssh and scp forms compare equal."""
    url = url.strip()
    m = re.match(r"^[a-z+]+://(?:[^@/]+@)?([^/:]+)(?::\d+)?/(.*)$", url)
    if m is None:
        m = re.match(r"^(?:[^@/]+@)?([^/:]+):(.*)$", url)  # git@host:owner/repo
    if m is None:
        return url.rstrip("/").lower()
    host, path = m.group(1).lower(), m.group(2).strip("/")
    if path.endswith(".git"):
        path = path[:-4]
    return f"{host}/{path}"


#: Seconds one git command of a fetch may take.
GIT_TIMEOUT = 300


class RepositoryFetcher:
    """Shallow clones of labels' repositories, made on demand into a temporary directory.

    One clone per (URL, revision), shared by the labels that use it; :meth:`close`
    (or leaving the ``with`` block) removes them all. A repository with
    ``credentials`` is fetched with its username and the password in
    ``TF_VAR_<password_variable>``: git reads them from a credential helper that
    takes them from its environment, so they appear neither in a command line nor
    in a file. git never prompts (an unreachable or private repository fails at
    once), and its configuration (``url.<base>.insteadOf`` mirrors, proxies, SSH
    keys) applies as usual.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = dict(os.environ if env is None else env)
        self.directory: Path | None = None
        self._clones: dict[tuple[str, str], Path | ConfigError] = {}

    def __enter__(self) -> "RepositoryFetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
            self._clones.clear()

    def fetch(self, label: str, repo: Repository, *, file: Path, field: str) -> Path:
        """The checkout of ``repo`` at its revision; ConfigError (one line) when it fails."""
        key = (repo.url, repo.revision)
        if key not in self._clones:
            self._clones[key] = self._clone(repo)
        result = self._clones[key]
        if isinstance(result, Path):
            return result
        variable = (f"TF_VAR_{repo.credentials.password_variable}"
                    if repo.credentials else None)
        credentials = f"the credentials ({variable})" if variable else "access to it"
        if variable and not self.env.get(variable):
            credentials = f"the credentials ({variable} is not set)"
        raise ConfigError(
            f"cannot fetch {repo.url} at {repo.revision} ({result.message}): check the "
            f"network and {credentials}, or pass --repo {label}=DIR with DIR a checkout of "
            "it", file=file, field=field)

    def _clone(self, repo: Repository) -> Path | ConfigError:
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="fleetform-repos-"))
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{normalize_git_url(repo.url)}@{repo.revision}")
        target = self.directory / name[:120]
        env = self._git_env(repo)
        steps = (["init", "-q", str(target)],
                 # "--": a URL or revision is never read as an option (--upload-pack=...).
                 ["-C", str(target), "fetch", "-q", "--depth", "1", "--no-tags", "--",
                  repo.url, repo.revision],
                 ["-C", str(target), "-c", "advice.detachedHead=false", "checkout", "-q",
                  "FETCH_HEAD"])
        for step in steps:
            try:
                proc = subprocess.run(["git", *step], env=env, capture_output=True, text=True,
                                      timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL)
            except FileNotFoundError:
                return ConfigError("git is not installed")
            except subprocess.TimeoutExpired:
                return ConfigError(f"git took more than {GIT_TIMEOUT}s")
            if proc.returncode != 0:
                return ConfigError(_git_reason(proc.stderr))
        return target

    def _git_env(self, repo: Repository) -> dict[str, str]:
        env = {k: v for k, v in self.env.items()
               if k not in ("GIT_ASKPASS", "SSH_ASKPASS", "GIT_DIR", "GIT_WORK_TREE")}
        env["GIT_TERMINAL_PROMPT"] = "0"
        if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        config: list[tuple[str, str]] = []
        password = (self.env.get(f"TF_VAR_{repo.credentials.password_variable}")
                    if repo.credentials else None)
        if repo.credentials and password:
            env["FLEETFORM_GIT_USERNAME"] = repo.credentials.username
            env["FLEETFORM_GIT_PASSWORD"] = password
            # An empty helper first drops the user's own helpers for this fetch.
            config += [("credential.helper", ""),
                       ("credential.helper",
                        '!f() { test "$1" = get || return 0; '
                        'printf "username=%s\npassword=%s\n" '
                        '"$FLEETFORM_GIT_USERNAME" "$FLEETFORM_GIT_PASSWORD"; }; f')]
        if config:
            # Added after any GIT_CONFIG_* the caller set, which stay in force.
            try:
                count = int(env.get("GIT_CONFIG_COUNT", "0"))
            except ValueError:
                count = 0
            for i, (key, value) in enumerate(config, start=count):
                env[f"GIT_CONFIG_KEY_{i}"] = key
                env[f"GIT_CONFIG_VALUE_{i}"] = value
            env["GIT_CONFIG_COUNT"] = str(count + len(config))
        return env


def _git_reason(stderr: str) -> str:
    """git's own one-line reason for a failure (its first ``fatal:`` line)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            reason = line.split(":", 1)[1].strip()
            return reason if len(reason) <= 200 else reason[:197] + "..."
    return lines[-1][:200] if lines else "git failed"
