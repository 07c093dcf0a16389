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

Shallow clones: the base commit and the merge base must be in the clone.
GitLab CI clones 20 commits deep by default; the job that runs this command
sets ``GIT_DEPTH: 0`` (full history). Elsewhere ``git fetch --unshallow`` (or
``git fetch --depth=N origin <base>``) fetches what is missing; the error says so.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Mapping

import yaml

from ..errors import ConfigError
from ..fleet.config import DNS1123_LABEL

CLUSTERS_DIR = "clusters"
CLUSTER_FILE = "cluster.yaml"
ROLES = ("management", "worker")
#: Project-relative paths whose change affects every cluster (fnmatch patterns;
#: a pattern ending in ``/`` matches everything below that directory).
SHARED_PATTERNS = ("constructs/", "main.py", "cdktf.json", "Pipfile*", "pyproject.toml",
                   "package*.json")
ZERO_SHA = "0" * 40


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

    def files_under(self, commit: str, directory: str) -> list[str]:
        """Files below the project-relative ``directory`` at ``commit`` (relative to it)."""
        proc = self._run("ls-tree", "-r", "-z", "--name-only", "--full-tree",
                         f"{commit}:{self.prefix}{directory}", check=False)
        return _split_z(proc.stdout) if proc.returncode == 0 else []

    def read(self, commit: str, path: str) -> bytes | None:
        """The project-relative file ``path`` at ``commit``; None when absent."""
        proc = self._run("cat-file", "blob", f"{commit}:{self.prefix}{path}", check=False)
        return proc.stdout if proc.returncode == 0 else None


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

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class RemovedCluster:
    """A cluster whose ``cluster.yaml`` is gone: to retire by hand, never destroyed here."""

    name: str
    role: str
    #: The last compared commit that still has the cluster (the merge base).
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

    #: The base as given (a ref), or None when there was nothing to compare with.
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
            "changed_paths": list(self.paths),
            "affected": [{"name": c.name, "role": c.role, "added": c.added,
                          "reason": c.reason, "paths": list(c.paths)} for c in self.affected],
            "removed": [{"name": c.name, "role": c.role, "last_commit": c.last_commit,
                         "protected": c.protected, "reason": c.reason} for c in self.removed],
            "unaffecting_paths": list(self.unaffecting),
        }

    def summary(self) -> str:
        """A plain, human-readable account (what ``fleetform changed`` prints)."""
        lines = []
        if self.base is None:
            lines.append(f"no base to compare with: every cluster is affected"
                         f"{f' ({self.note})' if self.note else ''}")
        else:
            head = self.head[:12] if self.head else "the working tree"
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

    def names(self) -> list[str]:
        """Cluster directories that hold a cluster.yaml."""
        if self._names is None:
            if self.commit is None:
                root = self.git.root / CLUSTERS_DIR
                found = [p.parent.name for p in root.glob(f"*/{CLUSTER_FILE}")] \
                    if root.is_dir() else []
            else:
                found = [f.split("/")[0] for f in self.git.files_under(self.commit, CLUSTERS_DIR)
                         if f.count("/") == 1 and f.endswith("/" + CLUSTER_FILE)]
            self._names = sorted(n for n in found if not n.startswith("."))
        return self._names

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


def every_cluster(git: Git, *, note: str | None = None) -> Changes:
    """Every cluster at HEAD as affected: when there is no base to compare with."""
    head = git.commit("HEAD")
    if head is None:
        raise ConfigError("the repository has no commit yet", file=git.root, field="HEAD")
    specs = _specs(_Tree(git, head), strict=True)
    affected = sorted((AffectedCluster(name=n, role=s.role, paths=(),
                                       reasons=("no base commit to compare with",))
                       for n, s in specs.items()), key=_order)
    return Changes(base=None, base_commit=None, merge_base=None, head=head, paths=(),
                   affected=tuple(affected), removed=(), note=note)


def _unknown_base(git: Git, base: str) -> ConfigError:
    hint = ""
    if git.is_shallow():
        hint = (": this clone is shallow, so the commit may be missing: fetch it "
                "(git fetch --depth=50 origin <branch>, or git fetch --unshallow; in GitLab "
                "CI set GIT_DEPTH: 0)")
    return ConfigError(f"unknown revision {base!r}{hint}", field="--base")


def changed_clusters(root: Path | str, base: str, *, working_tree: bool = False,
                     note: str | None = None) -> Changes:
    """The clusters that the change ``base...HEAD`` (or the working tree) affects."""
    git = Git(root)
    if not base or base.startswith("-"):
        raise ConfigError(f"must be a commit, branch or tag, got {base!r}", field="--base")
    head = git.commit("HEAD")
    if head is None:
        raise ConfigError("the repository has no commit yet", file=git.root, field="HEAD")
    base_commit = git.commit(base)
    if base_commit is None:
        raise _unknown_base(git, base)
    merge_base = git.merge_base(base_commit, head)
    if merge_base is None:
        shallow = (" (this clone is shallow: fetch more history with git fetch --unshallow, "
                   "or GIT_DEPTH: 0 in GitLab CI)") if git.is_shallow() else ""
        raise ConfigError(f"{base!r} and HEAD have no common ancestor{shallow}", field="--base")

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
    removed: list[RemovedCluster] = []
    for name, cluster_paths in sorted(by_cluster.items()):
        _check_name(name)
        if name in new_specs:
            added = name not in old_names
            reasons.setdefault(name, []).append(
                f"new cluster ({CLUSTERS_DIR}/{name}/ added)" if added
                else f"{CLUSTERS_DIR}/{name}/ changed")
            touched.setdefault(name, []).extend(cluster_paths)
        elif name in old_names:
            spec = _parse(old.read(name), old.file(name), strict=False)
            role = spec.role if spec else "unknown"
            protected = spec.prevent_destroy if spec and spec.prevent_destroy is not None \
                else role == "management"
            removed.append(RemovedCluster(name=name, role=role, last_commit=merge_base,
                                          protected=protected))
        elif new.has_dir(name):
            raise ConfigError(f"missing {CLUSTER_FILE}", file=f"{CLUSTERS_DIR}/{name}")
        else:
            # Files added and removed again, or only non-cluster files that are gone.
            unaffecting.extend(cluster_paths)

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


# --------------------------------------------------------------------------- CI base


def ci_changes(root: Path | str, env: Mapping[str, str]) -> Changes:
    """The changes of the pipeline GitLab CI runs, from its predefined variables.

    * merge request pipelines: ``CI_MERGE_REQUEST_DIFF_BASE_SHA``;
    * branch pipelines: ``CI_COMMIT_BEFORE_SHA`` (the previous tip), when it is
      a real commit present in the clone;
    * otherwise (new branch, force push): the default branch, fetched from
      ``origin`` when it is not in the clone;
    * with none of these (first push of the default branch, scheduled or web
      pipelines): every cluster.
    """
    git = Git(root)
    mr_base = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA", "").strip()
    if mr_base:
        return changed_clusters(root, mr_base, note="merge request diff base")
    before = env.get("CI_COMMIT_BEFORE_SHA", "").strip()
    if before and before != ZERO_SHA and git.commit(before):
        return changed_clusters(root, before, note="previous tip of the branch")
    branch = env.get("CI_COMMIT_BRANCH", "").strip()
    default = env.get("CI_DEFAULT_BRANCH", "").strip()
    if branch and default and branch != default:
        ref = f"refs/remotes/origin/{default}"
        if git.commit(ref) is None and not git.fetch_branch("origin", default, ref):
            print(f"fleetform: could not fetch {default} from origin: planning every cluster",
                  file=sys.stderr)
            return every_cluster(git, note=f"{default} could not be fetched")
        return changed_clusters(root, ref, note=f"new branch, compared with {default}")
    return every_cluster(git, note="first push, or a pipeline not started by a push")


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
                       help="choose the base from GitLab CI variables "
                            "(merge request diff base, previous push, else the default branch)")
    parser.add_argument("-C", "--root", default=".", type=Path, metavar="DIR",
                        help="project directory (default: the current directory)")


def changes_from_args(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Changes:
    env = os.environ if env is None else env
    if args.ci:
        return ci_changes(args.root, env)
    return changed_clusters(args.root, args.base,
                            working_tree=getattr(args, "working_tree", False))


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
    if args.format == "json":
        print(json.dumps(changes.to_json(), indent=2))
    else:
        print(changes.summary())
    return 0

