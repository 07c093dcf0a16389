"""Typed values the constructs take: node pools, maintenance window, repositories.

Frozen dataclasses, pure Python (no cdktf), so the fleet's ``cluster.yaml``
models convert into them without loading any provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Protocol, Sequence

#: The argo-cd Helm chart version installed by default (Argo CD v3.4).
DEFAULT_ARGOCD_CHART_VERSION = "10.1.3"
#: The argocd-apps Helm chart version that carries the ApplicationSets.
DEFAULT_ARGOCD_APPS_CHART_VERSION = "2.0.5"
#: The first argocd-apps chart that renders an ApplicationSet's ``goTemplateOptions``
#: (templates/applicationsets.yaml at tag argocd-apps-2.0.3; 2.0.2 drops the field).
MIN_ARGOCD_APPS_CHART_VERSION = "2.0.3"


def check_apps_chart_version(version: str) -> str:
    """``version`` if it is an argocd-apps chart version that renders ``goTemplateOptions``.

    Raises ValueError otherwise: an older chart drops the field without a word,
    and Argo CD then renders a missing key as an empty string.
    """
    parts = str(version).split(".")
    given = tuple(int(p) for p in parts) if len(parts) == 3 and all(
        p.isdigit() for p in parts) else None
    minimum = tuple(int(p) for p in MIN_ARGOCD_APPS_CHART_VERSION.split("."))
    if given is None or given < minimum:
        raise ValueError(
            f"must be an argocd-apps chart version X.Y.Z, {MIN_ARGOCD_APPS_CHART_VERSION} or "
            f"later (earlier ones drop the ApplicationSets' goTemplateOptions), got {version!r}")
    return str(version)

TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


@dataclass(frozen=True)
class Autoscale:
    """Autoscaling bounds of a node pool."""

    min_nodes: int
    max_nodes: int


@dataclass(frozen=True)
class Taint:
    """A Kubernetes taint applied to every node of a pool. ``value`` defaults to empty."""

    key: str
    effect: TaintEffect
    value: str = ""


@dataclass(frozen=True)
class NodePool:
    """A DOKS node pool: a fixed ``count`` or ``autoscale`` bounds, never both.

    Attributes:
        name: the pool's name (a DNS-1123 label).
        size: the droplet size slug, e.g. ``s-2vcpu-4gb``.
        count: a fixed number of nodes. Default: None (then ``autoscale`` is required).
        autoscale: autoscaling bounds. Default: None.
        labels: Kubernetes labels of the nodes. Default: none.
        taints: taints of the nodes. Default: none.
        tags: DigitalOcean tags of the pool. Default: none.
    """

    name: str
    size: str
    count: int | None = None
    autoscale: Autoscale | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: Sequence[Taint] = ()
    tags: Sequence[str] = ()


@dataclass(frozen=True)
class MaintenanceWindow:
    """DOKS maintenance window: a day (or ``any``) and a UTC start time ``HH:MM``."""

    day: str
    start_time: str


@dataclass(frozen=True)
class RepositoryCredentials:
    """HTTPS credentials of a private repository.

    The password never appears in configuration: ``password_variable`` names a
    sensitive Terraform variable, set through ``TF_VAR_<password_variable>``.
    """

    username: str
    password_variable: str


@dataclass(frozen=True)
class Repository:
    """The Git repository of Helm charts that one routing label deploys.

    Attributes:
        url: the Git URL.
        revision: branch, tag or commit. Default: ``HEAD``.
        path: where ``apps/`` and ``values/`` are inside the repository. Default: the root.
        credentials: for a private repository. Default: None (public).
    """

    url: str
    revision: str = "HEAD"
    path: str = ""
    credentials: RepositoryCredentials | None = None


class RepositoryLocation(Protocol):
    """Where a label's charts are: what the ApplicationSet rules read of a repository."""

    @property
    def url(self) -> str: ...

    @property
    def revision(self) -> str: ...

    @property
    def path(self) -> str: ...
