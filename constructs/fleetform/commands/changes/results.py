"""What ``fleetform changed`` reports: the clusters a change affects or removes, and why."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ...fleet.clouds import DEFAULT_CLOUD
from ...fleet.config import CLUSTER_FILE  # noqa: F401 - part of this module's API

#: Where a checkout keeps its clusters, one directory each.
CLUSTERS_DIR = "clusters"


#: Project-relative paths whose change affects every cluster (fnmatch patterns;
#: a pattern ending in ``/`` matches everything below that directory).
SHARED_PATTERNS = ("constructs/", "main.py", "cdktf.json", "Pipfile*", "pyproject.toml",
                   "package*.json")


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
    #: Its cloud (``cloud:``) and region, which decide its jobs' credentials.
    cloud: str = DEFAULT_CLOUD
    region: str | None = None

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
    #: The management Argo CD's API address (``host:port``) a worker registered
    #: through (its ``argocd.server``, else the management ``argocd.hostname`` on
    #: port 443), as of ``last_commit``; None when neither is known.
    argocd_server: str | None = None
    #: The worker's ``argocd.grpc_web`` and ``argocd.insecure``, how it reached Argo CD.
    argocd_grpc_web: bool = True
    argocd_insecure: bool = False
    #: The management cluster as of ``last_commit``, when known.
    management: str | None = None
    #: Its cloud and region as of ``last_commit`` (the default cloud when unknown).
    cloud: str = DEFAULT_CLOUD
    region: str | None = None
    #: The command that makes the management cluster kubectl's context, when known.
    management_kubeconfig: str | None = None

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
