"""Typed values the constructs take: node pools, maintenance window, repositories.

Frozen dataclasses, pure Python (no cdktf), so the fleet's ``cluster.yaml``
models convert into them without loading any provider.
"""

from __future__ import annotations

import collections.abc
from dataclasses import dataclass, field
from re import Pattern
from typing import Any, Literal, Mapping, Protocol, Sequence, get_args

from ..errors import ConfigError
from .formats import (DNS1123_LABEL, DO_TAG, DROPLET_SIZE, GIT_URL, MAX_REVISION_LENGTH, REVISION,
                      START_TIME, TF_VARIABLE_NAME, check_instance, check_int, check_str,
                      go_template_problem, is_token, short)
from .labels import check_label_key, check_label_value
from .rollout import Rollout, check_rollout

#: The argo-cd Helm chart version installed by default (Argo CD v3.4).
DEFAULT_ARGOCD_CHART_VERSION = "10.1.3"
#: The argocd-apps Helm chart version that carries the ApplicationSets.
DEFAULT_ARGOCD_APPS_CHART_VERSION = "2.0.5"
#: How long the automation token lives, and how long before its expiry Terraform renews it.
DEFAULT_TOKEN_EXPIRES_IN = "2160h"  # 90 days
DEFAULT_TOKEN_RENEW_BEFORE = "720h"  # 30 days
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
#: The day of a maintenance window (``any``: DigitalOcean chooses).
Day = Literal["any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
              "sunday"]
TAINT_EFFECTS: tuple[str, ...] = get_args(TaintEffect)
DAYS: tuple[str, ...] = get_args(Day)
#: A node pool's size bounds: a fixed count, and each autoscaling bound.
MIN_NODES, MAX_NODES = 1, 1000


def sizing_problem(count: object, autoscale: object) -> str | None:
    """Why a pool with this ``count`` and ``autoscale`` is not sized (None: it is)."""
    if (count is None) == (autoscale is None):
        return "set exactly one of count or autoscale"
    return None


def autoscale_problem(min_nodes: int, max_nodes: int) -> str | None:
    """Why these autoscaling bounds are not a range (None: they are)."""
    if max_nodes < min_nodes:
        return f"must be >= min_nodes (got {max_nodes} < {min_nodes})"
    return None


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
        rollout: the waves in which its applications reach the clusters (Argo CD's
            RollingSync, :mod:`fleetform.constructs.rollout`). Default: None, every
            cluster at once.
    """

    url: str
    revision: str = "HEAD"
    path: str = ""
    credentials: RepositoryCredentials | None = None
    rollout: Rollout | None = None


class RepositoryLocation(Protocol):
    """Where a label's charts are: what the ApplicationSet rules read of a repository."""

    @property
    def url(self) -> str: ...

    @property
    def revision(self) -> str: ...

    @property
    def path(self) -> str: ...


# --- Validation ----------------------------------------------------------------
# The containers (DoksClusterProps, ArgoCdProps) call these when they are built,
# so an error names the whole path of the prop: node_pools[1].autoscale.max_nodes.

#: Terraform variables fleetform's constructs declare: a repository password must not reuse them.
RESERVED_VARIABLES = frozenset({"argocd_admin_password", "argocd_management_token",
                                "argocd_auth_token"})


def check_sequence(value: Any, field: str, what: str) -> None:
    """A list or tuple (a string is not a sequence of ``what``)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, collections.abc.Sequence):
        raise ConfigError(f"must be a list of {what}, got {type(value).__name__} {short(value)}",
                          field=field)


def check_node_pools(pools: Any, field: str, *, size: Pattern[str], size_hint: str,
                     name: Pattern[str] | None = None, name_hint: str = "") -> None:
    """At least one valid pool, with distinct names: the cloud's machine type ``size``
    (``size_hint`` says what it is) and, where the cloud narrows them, pool names."""
    check_sequence(pools, field, "NodePool")
    if not pools:
        raise ConfigError("a cluster needs at least one node pool", field=field)
    names: list[str] = []
    for i, pool in enumerate(pools):
        check_node_pool(pool, f"{field}[{i}]", size=size, size_hint=size_hint)
        if name is not None:
            check_str(pool.name, f"{field}[{i}].name", name_hint, name, tokens=False)
        if pool.name in names:
            raise ConfigError(f"duplicate node pool name {pool.name!r}",
                              field=f"{field}[{i}].name")
        names.append(pool.name)


def check_labels_map(labels: Any, field: str, what: str, key: Pattern[str],
                     key_hint: str, max_value: int) -> None:
    """A mapping of cloud labels or tags: keys of format ``key``, values of at most
    ``max_value`` characters."""
    check_mapping(labels, field, what)
    for k, v in labels.items():
        check_str(k, field, key_hint, key, tokens=False)
        if not isinstance(v, str) or len(v) > max_value:
            raise ConfigError(f"must be a string of at most {max_value} characters",
                              field=f"{field}.{k}")


def check_mapping(value: Any, field: str, what: str) -> None:
    if not isinstance(value, collections.abc.Mapping):
        raise ConfigError(f"must be a mapping of {what}, got {type(value).__name__} "
                          f"{short(value)}", field=field)


def _check_label_pair(key: Any, value: Any, field: str) -> None:
    try:
        check_label_key(key)
        check_label_value(value)
    except ValueError as exc:
        raise ConfigError(str(exc), field=f"{field}.{key}") from None


def check_node_pool(pool: Any, field: str, *, size: Pattern[str] = DROPLET_SIZE,
                    size_hint: str = "a droplet size slug such as s-2vcpu-4gb") -> None:
    """Raise ConfigError naming the first invalid attribute of ``pool``.

    ``size`` is the cloud's machine type format, ``size_hint`` says what it is
    (defaults: DigitalOcean's droplet sizes).
    """
    check_instance(pool, field, NodePool,
                   "NodePool(name=..., size=..., count=... or autoscale=Autoscale(...))")
    check_str(pool.name, f"{field}.name",
              "a DNS-1123 label (lowercase letters, digits and '-', at most 63)", DNS1123_LABEL,
              tokens=False)
    if len(pool.name) > 63:
        raise ConfigError(f"must be at most 63 characters, got {len(pool.name)}",
                          field=f"{field}.name")
    check_str(pool.size, f"{field}.size", size_hint, size)
    problem = sizing_problem(pool.count, pool.autoscale)
    if problem:
        raise ConfigError(f"{problem} (got count={short(pool.count)}, "
                          f"autoscale={short(pool.autoscale)})", field=field)
    if pool.count is not None:
        check_int(pool.count, f"{field}.count", MIN_NODES, MAX_NODES)
    if pool.autoscale is not None:
        scale = pool.autoscale
        check_instance(scale, f"{field}.autoscale", Autoscale,
                       "Autoscale(min_nodes=..., max_nodes=...)")
        check_int(scale.min_nodes, f"{field}.autoscale.min_nodes", MIN_NODES, MAX_NODES)
        check_int(scale.max_nodes, f"{field}.autoscale.max_nodes", MIN_NODES, MAX_NODES)
        problem = autoscale_problem(scale.min_nodes, scale.max_nodes)
        if problem:
            raise ConfigError(problem, field=f"{field}.autoscale.max_nodes")
    check_mapping(pool.labels, f"{field}.labels", "label keys to values")
    for key, value in pool.labels.items():
        _check_label_pair(key, value, f"{field}.labels")
    check_sequence(pool.taints, f"{field}.taints", "Taint")
    for i, taint in enumerate(pool.taints):
        where = f"{field}.taints[{i}]"
        check_instance(taint, where, Taint, "Taint(key=..., value=..., effect='NoSchedule')")
        _check_label_pair(taint.key, taint.value, where)
        if taint.effect not in TAINT_EFFECTS:
            raise ConfigError(f"must be one of {', '.join(TAINT_EFFECTS)}, got {short(taint.effect)}",
                              field=f"{where}.effect")
    check_tags(pool.tags, f"{field}.tags")


def check_tags(tags: Any, field: str) -> None:
    check_sequence(tags, field, "DigitalOcean tags")
    for i, tag in enumerate(tags):
        check_str(tag, f"{field}[{i}]", "a DigitalOcean tag (letters, digits, ':', '-', '_')",
                  DO_TAG)


def check_maintenance_window(window: Any, field: str) -> None:
    check_instance(window, field, MaintenanceWindow,
                   "MaintenanceWindow(day='sunday', start_time='03:00')")
    if window.day not in DAYS:
        raise ConfigError(f"must be one of {', '.join(DAYS)}, got {short(window.day)}",
                          field=f"{field}.day")
    check_str(window.start_time, f"{field}.start_time", "a UTC time HH:MM such as 03:00",
              START_TIME, tokens=False)


def check_repository(repository: Any, field: str) -> None:
    """Raise ConfigError naming the first invalid attribute of ``repository``."""
    check_instance(repository, field, Repository, "Repository(url=..., revision=..., path=...)")
    check_str(repository.url, f"{field}.url",
              "a Git URL (https://host/repo.git, ssh://git@host/repo.git or git@host:repo.git)",
              GIT_URL)
    check_str(repository.revision, f"{field}.revision",
              "a branch, tag or commit (no spaces, not starting with '-')", REVISION)
    if len(repository.revision) > MAX_REVISION_LENGTH:
        raise ConfigError(f"must be at most {MAX_REVISION_LENGTH} characters, got "
                          f"{len(repository.revision)}", field=f"{field}.revision")
    path = repository.path
    if not isinstance(path, str) or (not is_token(path) and (
            path.startswith(("/", ".")) and path not in ("", ".") or ".." in path.split("/"))):
        raise ConfigError(f"must be a relative path inside the repository ('' for its root), "
                          f"got {short(path)}", field=f"{field}.path")
    for name in ("url", "revision", "path"):
        problem = go_template_problem(getattr(repository, name))
        if problem:
            raise ConfigError(problem, field=f"{field}.{name}")
    if repository.rollout is not None:
        check_rollout(repository.rollout, f"{field}.rollout")
    creds = repository.credentials
    if creds is not None:
        check_instance(creds, f"{field}.credentials", RepositoryCredentials,
                       "RepositoryCredentials(username=..., password_variable=...)")
        check_str(creds.username, f"{field}.credentials.username", "a non-empty user name")
        check_str(creds.password_variable, f"{field}.credentials.password_variable",
                  "a Terraform variable name (lowercase letters, digits and '_')",
                  TF_VARIABLE_NAME, tokens=False)
        if creds.password_variable in RESERVED_VARIABLES:
            raise ConfigError(f"{creds.password_variable!r} is a variable of fleetform's own "
                              "stacks; choose another name, such as <label>_repo_token",
                              field=f"{field}.credentials.password_variable")


def merge_values(base: Mapping, override: Mapping) -> dict:
    """Helm's merge of ``-f`` files: maps merge recursively, anything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_values(out[key], value)
        else:
            out[key] = value
    return out
