"""Which clusters a Git change affects: ``fleetform changed --base REF``.

What is compared: ``REF...HEAD``, i.e. HEAD against its merge base with REF
(what a merge request shows). ``--working-tree`` compares the working tree
instead of HEAD (staged, unstaged and untracked files, ignored ones excepted),
to preview locally what the pipeline will do once committed. CI always
compares commits: a clean checkout gives the same answer on every run.

Rules, on paths relative to the project directory:

* ``clusters/<x>/...`` affects cluster ``x`` (a directory that is new since the
  merge base is an *added* cluster).
* ``clusters/<x>/cluster.yaml`` gone since the merge base: ``x`` is *removed*.
  A removed cluster is reported for retirement (deregister from Argo CD, then
  destroy by hand); nothing ever destroys it automatically.
* Shared code or dependencies (:data:`SHARED_PATTERNS`: ``constructs/``,
  ``main.py``, ``cdktf.json``, ``Pipfile*``, ``pyproject.toml``,
  ``package*.json``) affect every cluster.
* Workers register in Argo CD through the management cluster's
  ``argocd.hostname`` (unless they set ``argocd.server``): when the management
  cluster's Argo CD address changes, or another cluster becomes the management
  cluster, every worker is affected too.
* Anything else affects no stack. In particular ``manifests/``: the management
  stack renders ApplicationSets from the management ``cluster.yaml`` only (label,
  repository URL, revision and path); their ``git`` generators read
  ``manifests/`` inside the cluster at sync time, so Argo CD deploys a
  ``manifests/`` change after the merge and no Terraform plan is needed. Tests,
  docs and CI files (``.gitlab-ci.yml``, ``fleet``) do not change what a stack
  synthesizes either.

Only Git and each cluster's ``role`` (plus the management cluster's Argo CD
address) are read: the full validation of ``cluster.yaml`` is ``fleetform synth``'s
job. The management cluster is listed first.

A cluster is a real directory holding a regular ``cluster.yaml``: a symbolic
link in either place is refused, as synth and validate refuse it (what a link
points at is not what Git compares). A cluster directory removed and another
added with the very same ``cluster.yaml`` is a rename: it stops with the steps
that move the cluster's state first (see :func:`check_renames`).

Shallow clones: the base commit and the merge base must be in the clone.
GitLab CI clones 20 commits deep by default; the job that runs this command
sets ``GIT_DEPTH: 0`` (full history). Elsewhere ``git fetch --unshallow`` (or
``git fetch --depth=N origin <base>``) fetches what is missing; the error says so.
In GitLab CI (``--ci``) a base that cannot be used never fails the job and never
plans less: every cluster is planned, with a warning (see :func:`ci_changes`).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Callable, Mapping

import yaml

from ..errors import ConfigError
from ..fleet.config import DNS1123_LABEL, symlinked_cluster
from .gitlab import ENVIRONMENT_PREFIX, AppliedUnknown, applied_commits

CLUSTERS_DIR = "clusters"
CLUSTER_FILE = "cluster.yaml"
ROLES = ("management", "worker")
#: Project-relative paths whose change affects every cluster (fnmatch patterns;
#: a pattern ending in ``/`` matches everything below that directory).
SHARED_PATTERNS = ("constructs/", "main.py", "cdktf.json", "Pipfile*", "pyproject.toml",
                   "package*.json")
ZERO_SHA = "0" * 40
#: Git's file mode of a symbolic link.
SYMLINK_MODE = "120000"
#: The commit trailer that records a cluster rename whose state was moved.
RENAME_TRAILER = "Fleetform-Renamed"


class BaseUnavailable(ConfigError):
    """The base of a comparison cannot be used here: unknown, unrelated, missing from a
    shallow clone. ``--ci`` plans every cluster instead; ``--base`` reports it."""


class Git:
    """Runs git in the project directory ``root``; git failures become ConfigErrors."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise ConfigError("no such directory", file=self.root, field="--root")
        top = self._run("rev-parse", "--show-prefix", check=False)
        if top.returncode != 0:
            raise ConfigError("is not inside a Git repository", file=self.root)
        #: The project directory's path inside the repository ('' or 'sub/dir/').
        self.prefix = top.stdout.decode().strip()

    def _run(self, *args: str, check: bool = True,
             timeout: float = 120) -> subprocess.CompletedProcess:
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
        proc = self._run("rev-parse", "--verify", "--quiet", "--end-of-options",
                         f"{ref}^{{commit}}", check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.decode().strip() or None

    def is_shallow(self) -> bool:
        proc = self._run("rev-parse", "--is-shallow-repository", check=False)
        return proc.stdout.decode().strip() == "true"

    def merge_base(self, a: str, b: str) -> str | None:
        proc = self._run("merge-base", a, b, check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.decode().strip() or None

    def fetch_branch(self, remote: str, branch: str, ref: str) -> bool:
        """Fetch ``branch`` of ``remote`` into ``ref``; False when that fails."""
        proc = self._run("fetch", "--quiet", "--no-tags", remote,
                         f"+refs/heads/{branch}:{ref}", check=False)
        return proc.returncode == 0

    def fetch_commit(self, remote: str, sha: str) -> str | None:
        """Fetch the commit ``sha`` from ``remote`` when it is missing here; None on failure."""
        if self.commit(sha):
            return self.commit(sha)
        if not re.fullmatch(r"[0-9a-f]{40}", sha):
            return None
        self._run("fetch", "--quiet", "--no-tags", remote, sha, check=False)
        return self.commit(sha)

    def unshallow(self, remote: str) -> bool:
        """Fetch the rest of a shallow clone's history; False when not shallow or it fails."""
        if not self.is_shallow():
            return False
        proc = self._run("fetch", "--quiet", "--no-tags", "--unshallow", remote, check=False,
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
        paths = _split_z(self._run(*args, "--").stdout)
        if head is None:
            paths += _split_z(self._run("ls-files", "-z", "--others", "--exclude-standard",
                                        "--", ".").stdout)
        return sorted(set(paths))

    def tree(self, commit: str, directory: str) -> list[tuple[str, str]]:
        """``(mode, path)`` of the files below the project-relative ``directory`` at
        ``commit`` (paths relative to it; a symbolic link is one file of mode 120000)."""
        proc = self._run("ls-tree", "-r", "-z", "--full-tree",
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
        proc = self._run("cat-file", "blob", f"{commit}:{self.prefix}{path}", check=False)
        return proc.stdout if proc.returncode == 0 else None

    def trailers(self, base: str, head: str, key: str) -> list[str]:
        """The values of trailer ``key`` in the messages of the commits ``base..head``."""
        proc = self._run("log", "-z", f"--format=%(trailers:key={key},valueonly)",
                         f"{base}..{head}", "--", check=False)
        if proc.returncode != 0:
            return []
        return [line.strip() for block in _split_z(proc.stdout)
                for line in block.splitlines() if line.strip()]


def _split_z(data: bytes) -> list[str]:
    return [p for p in data.decode("utf-8", errors="surrogateescape").split("\0") if p]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class AffectedCluster:
    """A cluster whose stack the change may alter: synthesize and plan it."""

    name: str
    role: str
    #: Why it is affected, one entry per rule that matched.
    reasons: tuple[str, ...]
    #: The changed paths that made it affected.
    paths: tuple[str, ...]
    #: True when the cluster did not exist at the merge base.
    added: bool = False
    #: The commit this cluster was compared with, when it has its own (the default
    #: branch compares each cluster with its last successful apply); None otherwise.
    base: str | None = None

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class RemovedCluster:
    """A cluster whose ``cluster.yaml`` is gone: to retire by hand, never destroyed here."""

    name: str
    role: str
    #: The last commit known to have the cluster (the merge base, or its last apply).
    last_commit: str
    #: Whether its stack refuses destruction (``prevent_destroy``, on for management).
    protected: bool

    @property
    def reason(self) -> str:
        return (f"{CLUSTERS_DIR}/{self.name}/{CLUSTER_FILE} was removed: retire it by hand "
                f"(deregister from Argo CD, then destroy); it is never destroyed automatically")


@dataclass(frozen=True)
class Changes:
    """What a change does to the fleet: clusters to plan, clusters to retire."""

    #: The base as given (a ref), or None when there was nothing to compare with
    #: (or when each cluster has its own base: see ``per_cluster``).
    base: str | None
    base_commit: str | None
    merge_base: str | None
    #: The compared commit, or None for the working tree.
    head: str | None
    paths: tuple[str, ...]
    affected: tuple[AffectedCluster, ...]
    removed: tuple[RemovedCluster, ...]
    #: Changed paths that affect no stack (manifests/, docs, tests, CI files, ...).
    unaffecting: tuple[str, ...] = field(default=())
    #: How the base was chosen (``--ci``), for the summary.
    note: str | None = None
    #: Why every cluster is planned although a base was expected (it could not be
    #: used): printed as a warning, never silent.
    warning: str | None = None
    #: True when each cluster was compared with its own last apply (``AffectedCluster.base``).
    per_cluster: bool = False

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.affected]

    def to_json(self) -> dict:
        return {
            "base": self.base,
            "base_commit": self.base_commit,
            "merge_base": self.merge_base,
            "head": self.head if self.head is not None else "working tree",
            "note": self.note,
            "warning": self.warning,
            "per_cluster": self.per_cluster,
            "changed_paths": list(self.paths),
            "affected": [{"name": c.name, "role": c.role, "added": c.added,
                          "reason": c.reason, "paths": list(c.paths), "base": c.base}
                         for c in self.affected],
            "removed": [{"name": c.name, "role": c.role, "last_commit": c.last_commit,
                         "protected": c.protected, "reason": c.reason} for c in self.removed],
            "unaffecting_paths": list(self.unaffecting),
        }

    def summary(self) -> str:
        """A plain, human-readable account (what ``fleetform changed`` prints)."""
        lines = []
        if self.warning:
            lines.append(f"WARNING: {self.warning}: planning every cluster")
        head = self.head[:12] if self.head else "the working tree"
        if self.per_cluster:
            lines.append(f"changes since each cluster's last successful apply to {head}"
                         f"{f' [{self.note}]' if self.note else ''}")
        elif self.base is None:
            lines.append(f"no base to compare with: every cluster is affected"
                         f"{f' ({self.note})' if self.note else ''}")
        else:
            lines.append(f"changes from {self.base} (merge base {self.merge_base[:12]}) to {head}: "
                         f"{len(self.paths)} path(s){f' [{self.note}]' if self.note else ''}")
        width = max([len(c.name) for c in (*self.affected, *self.removed)] + [0])
        if self.affected:
            lines.append(f"affected clusters ({len(self.affected)}):")
            for c in self.affected:
                lines.append(f"  {c.name:<{width}}  {c.role:<10}  {c.reason}")
        else:
            lines.append("no cluster is affected")
        if self.removed:
            lines.append(f"removed clusters ({len(self.removed)}): retire by hand "
                         "(deregister from Argo CD, then destroy); never destroyed automatically:")
            for c in self.removed:
                lines.append(f"  {c.name:<{width}}  {c.role:<10}  last in {c.last_commit[:12]}")
        if self.unaffecting:
            shown = ", ".join(self.unaffecting[:5])
            more = f", +{len(self.unaffecting) - 5} more" if len(self.unaffecting) > 5 else ""
            lines.append(f"affecting no stack ({len(self.unaffecting)}): {shown}{more}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- rules


def is_shared(path: str) -> bool:
    """Whether a change to ``path`` (project-relative) affects every cluster."""
    for pattern in SHARED_PATTERNS:
        if pattern.endswith("/"):
            if path.startswith(pattern):
                return True
        elif "/" not in path and fnmatch.fnmatchcase(path, pattern):
            return True
    return False


def cluster_of(path: str) -> str | None:
    """The cluster directory a path lies in (``clusters/<x>/...`` → x), else None."""
    parts = PurePosixPath(path).parts
    if len(parts) >= 3 and parts[0] == CLUSTERS_DIR and not parts[1].startswith("."):
        return parts[1]
    return None


@dataclass(frozen=True)
class _Spec:
    """The little of a cluster.yaml this module reads."""

    role: str
    argocd_hostname: str | None
    prevent_destroy: bool | None


def _parse(text: bytes | str | None, file: str, *, strict: bool) -> _Spec | None:
    """Read role (and what workers depend on) from one cluster.yaml.

    ``strict`` raises ConfigError on a bad file (the compared side); otherwise
    an unreadable file (the base side) gives None.
    """
    def fail(message: str, field: str | None = None) -> None:
        if strict:
            raise ConfigError(message, file=file, field=field)

    if text is None:
        fail("cannot be read")
        return None
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        fail(f"invalid YAML{where}")
        return None
    if not isinstance(data, dict):
        fail("must be a mapping of settings")
        return None
    role = data.get("role")
    if role not in ROLES:
        fail(f"must be 'management' or 'worker', got {role!r}" if role is not None
             else "is required ('management' or 'worker')", "role")
        return None
    argocd = data.get("argocd")
    hostname = argocd.get("hostname") if isinstance(argocd, dict) else None
    prevent = data.get("prevent_destroy")
    return _Spec(role=role, argocd_hostname=hostname if isinstance(hostname, str) else None,
                 prevent_destroy=prevent if isinstance(prevent, bool) else None)


class _Tree:
    """The clusters of one side of the comparison: a commit, or the working tree."""

    def __init__(self, git: Git, commit: str | None) -> None:
        self.git = git
        self.commit = commit
        self._names: list[str] | None = None
        self._links: list[str] = []

    def _scan(self) -> None:
        if self.commit is None:
            root = self.git.root / CLUSTERS_DIR
            found, links = [], []
            if root.is_dir():
                for entry in sorted(root.iterdir()):
                    if entry.is_symlink():
                        links.append(entry.name)
                    elif (entry / CLUSTER_FILE).is_symlink():
                        links.append(f"{entry.name}/{CLUSTER_FILE}")
                    elif (entry / CLUSTER_FILE).is_file():
                        found.append(entry.name)
        else:
            found, links = [], []
            for mode, path in self.git.tree(self.commit, CLUSTERS_DIR):
                depth = path.count("/")
                if mode == SYMLINK_MODE and (depth == 0 or (
                        depth == 1 and path.endswith("/" + CLUSTER_FILE))):
                    links.append(path)
                elif depth == 1 and path.endswith("/" + CLUSTER_FILE):
                    found.append(path.split("/")[0])
        self._names = sorted(n for n in found if not n.startswith("."))
        self._links = sorted(p for p in links if not p.startswith("."))

    def names(self) -> list[str]:
        """Cluster directories that hold a cluster.yaml (symbolic links excluded)."""
        if self._names is None:
            self._scan()
        return self._names

    def links(self) -> list[str]:
        """Cluster directories or cluster.yaml files that are symbolic links."""
        if self._names is None:
            self._scan()
        return self._links

    def link_target(self, path: str) -> str:
        """What the link ``clusters/<path>`` points to."""
        if self.commit is None:
            try:
                return os.readlink(self.git.root / CLUSTERS_DIR / path)
            except OSError:
                return "?"
        data = self.git.read(self.commit, f"{CLUSTERS_DIR}/{path}")
        return data.decode("utf-8", errors="replace") if data is not None else "?"

    def has_dir(self, name: str) -> bool:
        if self.commit is None:
            return (self.git.root / CLUSTERS_DIR / name).is_dir()
        return bool(self.git.files_under(self.commit, f"{CLUSTERS_DIR}/{name}"))

    def read(self, name: str) -> bytes | None:
        path = f"{CLUSTERS_DIR}/{name}/{CLUSTER_FILE}"
        if self.commit is None:
            try:
                return (self.git.root / path).read_bytes()
            except OSError:
                return None
        return self.git.read(self.commit, path)

    def file(self, name: str) -> str:
        where = "" if self.commit is None else f"{self.commit[:12]}:"
        return f"{where}{CLUSTERS_DIR}/{name}/{CLUSTER_FILE}"


def _check_name(name: str) -> None:
    """Cluster names end up in job names and commands: only DNS-1123 labels pass."""
    if not DNS1123_LABEL.fullmatch(name) or len(name) > 63:
        raise ConfigError(
            "the cluster's directory name must be a DNS-1123 label "
            f"(lowercase letters, digits and '-', at most 63), got {name!r}",
            file=f"{CLUSTERS_DIR}/{name}", field="name")


def _order(item) -> tuple:
    return (item.role != "management", item.name)


def _specs(tree: _Tree, *, strict: bool) -> dict[str, _Spec]:
    if strict and tree.links():
        link = tree.links()[0]
        raise symlinked_cluster(f"{CLUSTERS_DIR}/{link}", tree.link_target(link))
    out = {}
    for name in tree.names():
        if strict:
            _check_name(name)
        spec = _parse(tree.read(name), tree.file(name), strict=strict)
        if spec is not None:
            out[name] = spec
    return out


def _management(specs: Mapping[str, _Spec]) -> tuple[str, _Spec] | None:
    found = [(n, s) for n, s in specs.items() if s.role == "management"]
    return found[0] if len(found) == 1 else None


def every_cluster(git: Git, *, note: str | None = None, warning: str | None = None,
                  reason: str = "no base commit to compare with") -> Changes:
    """Every cluster at HEAD as affected: when there is no base to compare with.

    ``warning`` says why a base that was expected could not be used.
    """
    head = git.commit("HEAD")
    if head is None:
        raise ConfigError("the repository has no commit yet", file=git.root, field="HEAD")
    specs = _specs(_Tree(git, head), strict=True)
    affected = sorted((AffectedCluster(name=n, role=s.role, paths=(), reasons=(reason,))
                       for n, s in specs.items()), key=_order)
    return Changes(base=None, base_commit=None, merge_base=None, head=head, paths=(),
                   affected=tuple(affected), removed=(), note=note, warning=warning)


def _unknown_base(git: Git, base: str) -> BaseUnavailable:
    hint = ""
    if git.is_shallow():
        hint = (": this clone is shallow, so the commit may be missing: fetch it "
                "(git fetch --depth=50 origin <branch>, or git fetch --unshallow; in GitLab "
                "CI set GIT_DEPTH: 0)")
    return BaseUnavailable(f"unknown revision {base!r}{hint}", field="--base")


# --------------------------------------------------------------------------- renames


def parse_renames(values) -> set[tuple[str, str]]:
    """``OLD -> NEW`` (or ``OLD=NEW``) pairs, from trailers, options or a variable."""
    pairs = set()
    for value in values:
        text = re.sub(r"\s*(?:->|=)\s*", "=", value.strip())
        for item in filter(None, re.split(r"[,\s]+", text)):
            match = re.fullmatch(r"([a-z0-9-]+)=([a-z0-9-]+)", item)
            if match is None:
                raise ConfigError(f"must be OLD -> NEW (cluster names), got {item!r}",
                                  field=RENAME_TRAILER)
            pairs.add((match.group(1), match.group(2)))
    return pairs


def check_renames(old: _Tree, new: _Tree, added: list[str], removed: list[str],
                  acknowledged: set[tuple[str, str]]) -> dict[str, str]:
    """``{new name: old name}`` of the renames whose state was moved (acknowledged).

    A cluster added with exactly the ``cluster.yaml`` of a cluster removed in the
    same change is a rename. Planned as is, it would create a second cluster and
    leave the old one running with an orphaned state: unless acknowledged (the
    state was moved), stop with the steps.
    """
    if not added or not removed:
        return {}
    before = {name: old.read(name) for name in removed}
    renamed: dict[str, str] = {}
    for name in added:
        content = new.read(name)
        match = next((o for o, text in before.items() if text is not None and text == content
                      and o not in renamed.values()), None)
        if match is None:
            continue
        if (match, name) not in acknowledged:
            raise ConfigError(
                f"renamed from {CLUSTERS_DIR}/{match} (same {CLUSTER_FILE}): planned as is, it "
                f"would create a second cluster and orphan {match}'s state. Move the state "
                f"first (./fleet move-state {match} {name}), then record it in a commit "
                f"with the trailer '{RENAME_TRAILER}: {match} -> {name}' "
                "(README: Renaming a cluster)", file=f"{CLUSTERS_DIR}/{name}")
        renamed[name] = match
    return renamed


# --------------------------------------------------------------------------- comparison


def changed_clusters(root: Path | str, base: str, *, working_tree: bool = False,
                     note: str | None = None, direct: bool = False,
                     renamed: set[tuple[str, str]] = frozenset()) -> Changes:
    """The clusters that the change ``base...HEAD`` (or the working tree) affects.

    ``direct`` compares ``base`` with HEAD itself rather than their merge base:
    what differs between a deployed commit and HEAD, even when ``base`` is not an
    ancestor (a force push dropped it). ``renamed`` holds acknowledged renames
    (``(old, new)``), in addition to the trailers of the compared commits.
    """
    git = Git(root)
    if not base or base.startswith("-"):
        raise ConfigError(f"must be a commit, branch or tag, got {base!r}", field="--base")
    head = git.commit("HEAD")
    if head is None:
        raise ConfigError("the repository has no commit yet", file=git.root, field="HEAD")
    base_commit = git.commit(base)
    if base_commit is None:
        raise _unknown_base(git, base)
    merge_base = base_commit if direct else git.merge_base(base_commit, head)
    if merge_base is None:
        shallow = (" (this clone is shallow: fetch more history with git fetch --unshallow, "
                   "or GIT_DEPTH: 0 in GitLab CI)") if git.is_shallow() else ""
        raise BaseUnavailable(f"{base!r} and HEAD have no common ancestor{shallow}",
                              field="--base")

    paths = git.changed_paths(merge_base, None if working_tree else head)
    old, new = _Tree(git, merge_base), _Tree(git, None if working_tree else head)
    new_specs = _specs(new, strict=True)
    old_names = set(old.names())

    shared = [p for p in paths if is_shared(p)]
    by_cluster: dict[str, list[str]] = {}
    unaffecting: list[str] = []
    for path in paths:
        name = cluster_of(path)
        if name is not None:
            by_cluster.setdefault(name, []).append(path)
        elif not is_shared(path):
            unaffecting.append(path)

    reasons: dict[str, list[str]] = {}
    touched: dict[str, list[str]] = {}
    removed_names: list[str] = []
    for name, cluster_paths in sorted(by_cluster.items()):
        _check_name(name)
        if name in new_specs:
            added = name not in old_names
            reasons.setdefault(name, []).append(
                f"new cluster ({CLUSTERS_DIR}/{name}/ added)" if added
                else f"{CLUSTERS_DIR}/{name}/ changed")
            touched.setdefault(name, []).extend(cluster_paths)
        elif name in old_names:
            removed_names.append(name)
        elif new.has_dir(name):
            raise ConfigError(f"missing {CLUSTER_FILE}", file=f"{CLUSTERS_DIR}/{name}")
        else:
            # Files added and removed again, or only non-cluster files that are gone.
            unaffecting.extend(cluster_paths)

    acknowledged = set(renamed) | parse_renames(
        git.trailers(merge_base, head, RENAME_TRAILER))
    renames = check_renames(old, new, [n for n in reasons if n not in old_names],
                            removed_names, acknowledged)
    removed: list[RemovedCluster] = []
    for name in removed_names:
        if name in renames.values():
            continue
        spec = _parse(old.read(name), old.file(name), strict=False)
        role = spec.role if spec else "unknown"
        protected = spec.prevent_destroy if spec and spec.prevent_destroy is not None \
            else role == "management"
        removed.append(RemovedCluster(name=name, role=role, last_commit=merge_base,
                                      protected=protected))
    for name, previous in renames.items():
        reasons[name] = [f"renamed from {previous} (its state was moved: "
                         f"{RENAME_TRAILER}: {previous} -> {name})"]

    if shared:
        more = f", +{len(shared) - 1} more" if len(shared) > 1 else ""
        for name in new_specs:
            reasons.setdefault(name, []).append(
                f"shared code or dependencies changed ({shared[0]}{more})")
            touched.setdefault(name, []).extend(shared)

    worker_reason = _management_moved(old, new_specs)
    if worker_reason:
        for name, spec in new_specs.items():
            if spec.role == "worker" and name in old_names:
                reasons.setdefault(name, []).append(worker_reason)

    affected = [AffectedCluster(name=n, role=new_specs[n].role, reasons=tuple(r),
                                paths=tuple(dict.fromkeys(touched.get(n, []))),
                                added=n not in old_names)
                for n, r in reasons.items()]
    return Changes(base=base, base_commit=base_commit, merge_base=merge_base,
                   head=None if working_tree else head, paths=tuple(paths),
                   affected=tuple(sorted(affected, key=_order)),
                   removed=tuple(sorted(removed, key=_order)),
                   unaffecting=tuple(sorted(unaffecting)), note=note)


def _management_moved(old: _Tree, new_specs: Mapping[str, _Spec]) -> str | None:
    """Why workers are affected by a management change, if they are.

    A worker registers through the management cluster's ``argocd.hostname``
    (see ``Fleet.argocd_server``): its stack changes when that address does.
    """
    new = _management(new_specs)
    if new is None:
        return None
    name, spec = new
    before = _parse(old.read(name), old.file(name), strict=False) \
        if name in old.names() else None
    if before is None or before.role != "management":
        previous = _management(_specs(old, strict=False))
        if previous is None:
            return None  # no management before: every worker is new or was invalid
        return (f"the management cluster changed ({previous[0]} -> {name}): "
                "workers register in its Argo CD")
    if before.argocd_hostname != spec.argocd_hostname:
        return (f"the management Argo CD address changed ({before.argocd_hostname} -> "
                f"{spec.argocd_hostname}): workers register through it")
    return None


# --------------------------------------------------------------------------- last applied


#: ``{cluster name: commit of its last successful apply}``; raises AppliedUnknown.
AppliedSource = Callable[[], Mapping[str, str]]


def since_applied(root: Path | str, applied: Mapping[str, str], *,
                  renamed: set[tuple[str, str]] = frozenset(),
                  note: str | None = None) -> Changes:
    """Each cluster compared with the commit of its last successful apply.

    ``applied`` maps cluster names to commits (GitLab: the last successful
    deployment of environment ``fleet/<name>``). A cluster with no recorded
    apply, or whose commit is not in the clone even after fetching it, is
    planned: what is deployed is unknown. A cluster compared with its commit is
    planned when anything that affects it differs (``REF`` compared directly with
    HEAD, so a force push that dropped the applied commit is seen as a change).
    A name with a recorded apply that is no longer under ``clusters/`` is
    reported for retirement.
    """
    git = Git(root)
    head = git.commit("HEAD")
    if head is None:
        raise ConfigError("the repository has no commit yet", file=git.root, field="HEAD")
    specs = _specs(_Tree(git, head), strict=True)
    groups: dict[str, list[str]] = {}
    affected: list[AffectedCluster] = []
    for name, spec in specs.items():
        sha = applied.get(name)
        commit = git.fetch_commit("origin", sha) if sha else None
        if commit is None:
            why = (f"no successful apply recorded (environment {ENVIRONMENT_PREFIX}{name})"
                   if not sha else f"its last applied commit {sha[:12]} is not in this "
                                   "clone (a force push dropped it?)")
            affected.append(AffectedCluster(name=name, role=spec.role, reasons=(why,),
                                            paths=(), added=not sha))
        else:
            groups.setdefault(commit, []).append(name)
    paths: set[str] = set()
    unaffecting: set[str] = set()
    for commit, names in groups.items():
        changes = changed_clusters(root, commit, direct=True, renamed=renamed)
        paths.update(changes.paths)
        unaffecting.update(changes.unaffecting)
        for cluster in changes.affected:
            if cluster.name in names:
                affected.append(replace(
                    cluster, base=commit,
                    reasons=tuple(f"{r} since its last apply ({commit[:12]})"
                                  for r in cluster.reasons)))
    removed = []
    for name, sha in sorted(applied.items()):
        if name in specs:
            continue
        commit = git.commit(sha) if sha else None
        spec = _parse(git.read(commit, f"{CLUSTERS_DIR}/{name}/{CLUSTER_FILE}"), name,
                      strict=False) if commit else None
        role = spec.role if spec else "unknown"
        protected = spec.prevent_destroy if spec and spec.prevent_destroy is not None \
            else role == "management"
        removed.append(RemovedCluster(name=name, role=role, last_commit=sha,
                                      protected=protected))
    return Changes(base=None, base_commit=None, merge_base=None, head=head,
                   paths=tuple(sorted(paths)), affected=tuple(sorted(affected, key=_order)),
                   removed=tuple(sorted(removed, key=_order)),
                   unaffecting=tuple(sorted(unaffecting)),
                   note=note, per_cluster=True)


# --------------------------------------------------------------------------- CI base


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def ci_changes(root: Path | str, env: Mapping[str, str], *,
               applied: AppliedSource | None = None) -> Changes:
    """The changes of the pipeline GitLab CI runs, from its predefined variables.

    * merge request pipelines: what the merge request brings
      (``CI_MERGE_REQUEST_DIFF_BASE_SHA...HEAD``, the base fetched when missing);
    * scheduled pipelines, and any pipeline with ``FLEETFORM_PLAN_ALL=true``:
      every cluster (drift, and anything missed);
    * the default branch: each cluster against the commit of its last successful
      apply (:func:`since_applied`, read from GitLab deployments), so a failed,
      cancelled or never-applied pipeline, or a force push, loses nothing;
    * other branches: what the branch brings compared with the default branch
      (fetched from ``origin`` when it is not in the clone).

    One rule when that base cannot be used (not in the clone, no common history,
    shallow clone, default branch missing, GitLab unreachable): every cluster is
    planned and ``warning`` says why. Planning more is safe; planning less is not.
    """
    git = Git(root)
    renamed = parse_renames([env.get("FLEETFORM_RENAMED", "")])
    source = env.get("CI_PIPELINE_SOURCE", "").strip()
    branch = env.get("CI_COMMIT_BRANCH", "").strip()
    default = env.get("CI_DEFAULT_BRANCH", "").strip()

    def fallback(why: str) -> Changes:
        return every_cluster(git, warning=why, reason=f"planned because {why}")

    def compare(ref: str, note: str) -> Changes:
        try:
            return changed_clusters(root, ref, note=note, renamed=renamed)
        except BaseUnavailable:
            # A shallow clone may lack the history between the two: fetch it once.
            if not git.unshallow("origin"):
                raise
        return changed_clusters(root, ref, note=note, renamed=renamed)

    if source == "merge_request_event" or env.get("CI_MERGE_REQUEST_IID"):
        mr_base = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA", "").strip()
        if not mr_base:
            return fallback("the merge request pipeline has no CI_MERGE_REQUEST_DIFF_BASE_SHA")
        if git.fetch_commit("origin", mr_base) is None:
            target = env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "").strip()
            if target:
                git.fetch_branch("origin", target, f"refs/remotes/origin/{target}")
        try:
            return compare(mr_base, "merge request diff base")
        except BaseUnavailable as exc:
            return fallback(f"the merge request base cannot be used ({exc.message})")
    if source == "schedule" or _truthy(env.get("FLEETFORM_PLAN_ALL")):
        why = "scheduled pipeline" if source == "schedule" else "FLEETFORM_PLAN_ALL is set"
        return every_cluster(git, note=f"{why}: every cluster is planned (drift check)",
                             reason=f"{why}: every cluster is planned")
    if branch and default and branch == default:
        try:
            deployed = applied() if applied is not None else applied_commits(env)
        except AppliedUnknown as exc:
            return fallback(f"what was last applied cannot be read from GitLab ({exc})")
        return since_applied(root, deployed, renamed=renamed,
                             note=f"GitLab deployments of {ENVIRONMENT_PREFIX}<cluster>")
    if branch and default:
        ref = f"refs/remotes/origin/{default}"
        if git.commit(ref) is None and not git.fetch_branch("origin", default, ref):
            return fallback(f"the default branch {default} could not be fetched from origin")
        try:
            return compare(ref, f"branch compared with {default}")
        except BaseUnavailable as exc:
            return fallback(f"the default branch cannot be compared with ({exc.message})")
    return fallback("no branch or merge request to compare (CI_COMMIT_BRANCH and "
                    "CI_DEFAULT_BRANCH are not both set)")


def ci_applies(env: Mapping[str, str]) -> bool:
    """Whether the pipeline GitLab CI runs may apply: default branch, not a merge request."""
    branch = env.get("CI_COMMIT_BRANCH", "")
    return (env.get("CI_PIPELINE_SOURCE") != "merge_request_event"
            and bool(branch) and branch == env.get("CI_DEFAULT_BRANCH"))


# --------------------------------------------------------------------------- CLI


def add_base_arguments(parser: argparse.ArgumentParser) -> None:
    """``--base REF`` | ``--ci``, and ``--root``: shared by ``changed`` and ``pipeline``."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", metavar="REF",
                       help="compare HEAD with its merge base with REF (REF...HEAD)")
    which.add_argument("--ci", action="store_true",
                       help="choose the base from GitLab CI variables: the merge request's "
                            "diff base; on the default branch each cluster's last successful "
                            "apply; every cluster for schedules; every cluster, with a "
                            "warning, when the base cannot be used")
    parser.add_argument("-C", "--root", default=".", type=Path, metavar="DIR",
                        help="project directory (default: the current directory)")
    parser.add_argument("--renamed", action="append", default=[], metavar="OLD=NEW",
                        help="a cluster renamed whose state was moved (also the commit "
                             f"trailer '{RENAME_TRAILER}: OLD -> NEW'); repeatable")


def warn(changes: Changes) -> None:
    """Say on stderr why every cluster is planned, when a base could not be used."""
    if changes.warning:
        print(f"fleetform: WARNING: {changes.warning}: planning every cluster", file=sys.stderr)


def changes_from_args(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Changes:
    env = os.environ if env is None else env
    renamed = parse_renames(getattr(args, "renamed", []))
    if args.ci:
        extra = " ".join(f"{o}={n}" for o, n in sorted(renamed))
        return ci_changes(args.root, {**env, "FLEETFORM_RENAMED":
                                      f"{env.get('FLEETFORM_RENAMED', '')} {extra}".strip()})
    return changed_clusters(args.root, args.base,
                            working_tree=getattr(args, "working_tree", False),
                            renamed=renamed)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("List the clusters a change affects (REF...HEAD): their stacks "
                          "need a plan. Removed clusters are listed for retirement, "
                          "never destroyed.")
    add_base_arguments(parser)
    parser.add_argument("--working-tree", action="store_true",
                        help="compare the working tree (uncommitted and untracked files "
                             "included) instead of HEAD")
    parser.add_argument("--format", choices=("plain", "json"), default="plain",
                        help="output format (default: plain)")


def run(args: argparse.Namespace) -> int:
    if args.ci and args.working_tree:
        raise ConfigError("cannot be combined with --ci", field="--working-tree")
    changes = changes_from_args(args)
    warn(changes)
    if args.format == "json":
        print(json.dumps(changes.to_json(), indent=2))
    else:
        print(changes.summary())
    return 0
