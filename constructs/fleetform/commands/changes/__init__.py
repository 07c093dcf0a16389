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
* A cluster's Argo CD controller shard depends on the fleet's size and the
  controller's replicas (``argocd.controller_replicas``): a cluster added or
  removed, or a new replica count, affects the clusters whose shard it moves.
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

from dataclasses import replace
from pathlib import Path
from typing import Callable, Mapping

from ...errors import ConfigError
from ...fleet.clouds import CLOUDS
from ...fleet.cluster_yaml import argocd_server
from ...integrations.git import BaseUnavailable, Git
from ...integrations.gitlab import ENVIRONMENT_PREFIX, GitLabError, applied_commits
from .results import (AffectedCluster, CLUSTERS_DIR, CLUSTER_FILE, Changes, RemovedCluster,
                      cluster_of, is_shared)
from .tree import (RENAME_TRAILER, Spec, Tree, check_name, check_renames, management,
                   management_moved, order, parse, parse_renames, read_specs, shards_moved)


# --------------------------------------------------------------------------- rules


def every_cluster(git: Git, *, note: str | None = None, warning: str | None = None,
                  reason: str = "no base commit to compare with") -> Changes:
    """Every cluster at HEAD as affected: when there is no base to compare with.

    ``warning`` says why a base that was expected could not be used.
    """
    head = git.commit("HEAD")
    if head is None:
        raise ConfigError("the repository has no commit yet", file=git.root, field="HEAD")
    specs = read_specs(Tree(git, head), strict=True)
    affected = sorted((AffectedCluster(name=n, role=s.role, paths=(), reasons=(reason,),
                                       cloud=s.cloud, region=s.region)
                       for n, s in specs.items()), key=order)
    return Changes(base=None, base_commit=None, merge_base=None, head=head, paths=(),
                   affected=tuple(affected), removed=(), note=note, warning=warning)


def _unknown_base(git: Git, base: str) -> BaseUnavailable:
    hint = ""
    if git.is_shallow():
        hint = (": this clone is shallow, so the commit may be missing: fetch it "
                "(git fetch --depth=50 origin <branch>, or git fetch --unshallow; in GitLab "
                "CI set GIT_DEPTH: 0)")
    return BaseUnavailable(f"unknown revision {base!r}{hint}", field="--base")


def _removed(tree: Tree | None, name: str, last_commit: str) -> RemovedCluster:
    """Cluster ``name`` as ``tree`` (its last commit, None when unknown) had it."""
    spec = parse(tree.read(name), tree.file(name), strict=False) if tree else None
    role = spec.role if spec else "unknown"
    manager = management(read_specs(tree, strict=False)) if tree else None
    server = argocd_server(spec.argocd_server if spec else None,
                           manager[1].argocd_hostname if manager else None)
    return RemovedCluster(name=name, role=role, last_commit=last_commit,
                          protected=spec.protected if spec else False,
                          argocd_server=server,
                          argocd_grpc_web=spec.grpc_web if spec else True,
                          argocd_insecure=spec.insecure if spec else False,
                          management=manager[0] if manager else None,
                          management_kubeconfig=CLOUDS[manager[1].cloud].kubeconfig_command
                          .format(name=manager[0], region=manager[1].region or "<region>")
                          if manager else None,
                          **({"cloud": spec.cloud, "region": spec.region} if spec else {}))


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
    base_commit, merge_base, head = _compared_commits(git, base, direct=direct)
    paths = git.changed_paths(merge_base, None if working_tree else head)
    old, new = Tree(git, merge_base), Tree(git, None if working_tree else head)
    new_specs = read_specs(new, strict=True)
    old_names = set(old.names())

    reasons = _Reasons()
    shared, removed_names, unaffecting = _clusters_touched(paths, reasons, old_names, new,
                                                           new_specs)
    acknowledged = set(renamed) | parse_renames(
        git.trailers(merge_base, head, RENAME_TRAILER))
    renames = check_renames(old, new, [n for n in reasons.by_name if n not in old_names],
                            removed_names, acknowledged)
    removed = [_removed(old, name, merge_base) for name in removed_names
               if name not in renames.values()]
    for name, previous in renames.items():
        reasons.by_name[name] = [f"renamed from {previous} (its state was moved: "
                                 f"{RENAME_TRAILER}: {previous} -> {name})"]
    _fleet_moved(reasons, shared, old, old_names, new_specs)

    affected = [AffectedCluster(name=n, role=new_specs[n].role, reasons=tuple(r),
                                paths=tuple(dict.fromkeys(reasons.paths.get(n, []))),
                                added=n not in old_names, cloud=new_specs[n].cloud,
                                region=new_specs[n].region)
                for n, r in reasons.by_name.items()]
    return Changes(base=base, base_commit=base_commit, merge_base=merge_base,
                   head=None if working_tree else head, paths=tuple(paths),
                   affected=tuple(sorted(affected, key=order)),
                   removed=tuple(sorted(removed, key=order)),
                   unaffecting=tuple(sorted(unaffecting)), note=note)


class _Reasons:
    """Why each affected cluster is affected, and the changed paths that make it so."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[str]] = {}
        self.paths: dict[str, list[str]] = {}

    def add(self, name: str, reason: str, paths: list[str] | tuple[str, ...] = ()) -> None:
        self.by_name.setdefault(name, []).append(reason)
        if paths:
            self.paths.setdefault(name, []).extend(paths)


def _compared_commits(git: Git, base: str, *, direct: bool) -> tuple[str, str, str]:
    """``(base commit, merge base, HEAD)``; ``direct``: the base commit is the merge base.

    BaseUnavailable when ``base`` is unknown or shares no history with HEAD.
    """
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
    return base_commit, merge_base, head


def _clusters_touched(paths: list[str], reasons: _Reasons, old_names: set[str], new: Tree,
                      new_specs: Mapping[str, Spec]
                      ) -> tuple[list[str], list[str], list[str]]:
    """Record in ``reasons`` the clusters whose own directory changed; returns the shared
    paths, the clusters removed and the paths that affect no cluster."""
    shared = [p for p in paths if is_shared(p)]
    by_cluster: dict[str, list[str]] = {}
    unaffecting: list[str] = []
    for path in paths:
        name = cluster_of(path)
        if name is not None:
            by_cluster.setdefault(name, []).append(path)
        elif not is_shared(path):
            unaffecting.append(path)

    removed: list[str] = []
    for name, cluster_paths in sorted(by_cluster.items()):
        check_name(name)
        if name in new_specs:
            reasons.add(name, f"new cluster ({CLUSTERS_DIR}/{name}/ added)"
                        if name not in old_names else f"{CLUSTERS_DIR}/{name}/ changed",
                        cluster_paths)
        elif name in old_names:
            removed.append(name)
        elif new.has_dir(name):
            raise ConfigError(f"missing {CLUSTER_FILE}", file=f"{CLUSTERS_DIR}/{name}")
        else:
            # Files added and removed again, or only non-cluster files that are gone.
            unaffecting.extend(cluster_paths)
    return shared, removed, unaffecting


def _fleet_moved(reasons: _Reasons, shared: list[str], old: Tree, old_names: set[str],
                 new_specs: Mapping[str, Spec]) -> None:
    """Record the clusters a fleet-wide change affects: shared code, the management
    cluster's Argo CD address, the controller shards."""
    if shared:
        more = f", +{len(shared) - 1} more" if len(shared) > 1 else ""
        for name in new_specs:
            reasons.add(name, f"shared code or dependencies changed ({shared[0]}{more})",
                        shared)
    worker_reason = management_moved(old, new_specs)
    if worker_reason:
        for name, spec in new_specs.items():
            if spec.role == "worker" and name in old_names:
                reasons.add(name, worker_reason)
    for name, reason in shards_moved(old, new_specs).items():
        reasons.add(name, reason)


# --------------------------------------------------------------------------- last applied


#: ``{cluster name: commit of its last successful apply}``; raises GitLabError.
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
    specs = read_specs(Tree(git, head), strict=True)
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
                                            paths=(), added=not sha, cloud=spec.cloud,
                                            region=spec.region))
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
        removed.append(_removed(Tree(git, commit) if commit else None, name, sha))
    return Changes(base=None, base_commit=None, merge_base=None, head=head,
                   paths=tuple(sorted(paths)), affected=tuple(sorted(affected, key=order)),
                   removed=tuple(sorted(removed, key=order)),
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
        except GitLabError as exc:
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


def ci_report(env: Mapping[str, str]) -> str | None:
    """The report after the plans of the pipeline GitLab CI runs: ``plans`` for a merge
    request, ``drift`` for a schedule, none for branch pushes."""
    if env.get("CI_PIPELINE_SOURCE") == "merge_request_event" or env.get("CI_MERGE_REQUEST_IID"):
        return "plans"
    return "drift" if env.get("CI_PIPELINE_SOURCE") == "schedule" else None


# --------------------------------------------------------------------------- CLI


