"""The schema of ``cluster.yaml``: strict pydantic models, unknown keys are errors."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (BaseModel, ConfigDict, Field, StringConstraints, field_validator,
                      model_validator)

from ..constructs import formats, props, rollout
from ..constructs.formats import GIT_URL, HOSTNAME, SERVER, check_token_lifetime
from ..constructs.labels import check_label_key, check_label_value, label_name, label_slug
from ..constructs.props import (DEFAULT_ARGOCD_APPS_CHART_VERSION, DEFAULT_ARGOCD_CHART_VERSION,
                                DEFAULT_TOKEN_EXPIRES_IN, DEFAULT_TOKEN_RENEW_BEFORE, MAX_NODES,
                                MIN_NODES, RESERVED_VARIABLES, autoscale_problem,
                                check_apps_chart_version, sizing_problem)
from ..errors import ConfigError
from .cluster_yaml_fields import (DnsName, LabelKey, LabelValue, RoutingLabelKey,
                                  RoutingLabelValue, no_go_template, no_terraform_template)


class Section(BaseModel):
    """A section of ``cluster.yaml``: strict (unknown keys and wrong types are errors), frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    #: The constructs' props class this section becomes (its fields are this model's).
    props_type: ClassVar[type | None] = None

    def to_props(self) -> Any:
        """This section as its :attr:`props_type`, nested sections converted alike."""
        assert self.props_type is not None, type(self).__name__
        return self.props_type(**{f.name: _as_prop(getattr(self, f.name))
                                  for f in dataclasses.fields(self.props_type)})


def _as_prop(value: object) -> object:
    if isinstance(value, Section):
        return value.to_props()
    if isinstance(value, list):
        return tuple(_as_prop(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_prop(v) for k, v in value.items()}
    return value


class Autoscale(Section):
    """Autoscaling bounds of a node pool."""

    props_type = props.Autoscale

    min_nodes: int = Field(ge=MIN_NODES, le=MAX_NODES)
    max_nodes: int = Field(ge=MIN_NODES, le=MAX_NODES)

    @model_validator(mode="after")
    def _bounds(self) -> "Autoscale":
        problem = autoscale_problem(self.min_nodes, self.max_nodes)
        if problem:
            raise ValueError(f"max_nodes {problem}")
        return self


class Taint(Section):
    """A Kubernetes taint applied to every node of a pool."""

    props_type = props.Taint

    key: str
    value: str = ""
    effect: props.TaintEffect

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        check_label_key(v)
        return v

    @field_validator("value")
    @classmethod
    def _value(cls, v: str) -> str:
        check_label_value(v)
        return v


class NodePool(Section):
    """A node pool: fixed ``count`` or ``autoscale`` bounds, never both. ``size`` is the
    cloud's machine type: each cloud's model narrows it to its format."""

    props_type = props.NodePool

    name: DnsName
    size: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    count: int | None = Field(default=None, ge=MIN_NODES, le=MAX_NODES)
    autoscale: Autoscale | None = None
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=list)
    tags: list[DnsName] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_sizing(self) -> "NodePool":
        problem = sizing_problem(self.count, self.autoscale)
        if problem:
            raise ValueError(problem)
        return self


class MaintenanceWindow(Section):
    """DOKS maintenance window: a day and a UTC start time ``HH:MM``."""

    props_type = props.MaintenanceWindow

    day: props.Day
    start_time: Annotated[str, StringConstraints(pattern=formats.START_TIME)]


class RepositoryCredentials(Section):
    """HTTPS credentials for a private repository.

    The password never appears in configuration: ``password_variable`` names a
    sensitive Terraform variable, set through ``TF_VAR_<password_variable>``.
    """

    props_type = props.RepositoryCredentials

    username: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    password_variable: Annotated[str, StringConstraints(pattern=formats.TF_VARIABLE_NAME,
                                                        max_length=64)]

    @field_validator("username")
    @classmethod
    def _username(cls, v: str) -> str:
        return no_terraform_template(v)

    @field_validator("password_variable")
    @classmethod
    def _not_reserved(cls, v: str) -> str:
        if v in RESERVED_VARIABLES:
            raise ValueError(f"{v!r} is a variable of fleetform's own stacks; choose another "
                             "name, such as <label>_repo_token")
        return v


class RolloutStep(Section):
    """One wave: the clusters whose wave label is ``value``; ``max_update`` at a time."""

    props_type = rollout.RolloutStep

    value: Annotated[str, StringConstraints(min_length=1, max_length=63)]
    max_update: int | str | None = None


class Rollout(Section):
    """The waves in which a label's applications reach its clusters (Argo CD's RollingSync).

    ``steps: [canary, "1", {value: "2", max_update: "25%"}]``: a wave's name, or a mapping
    with its ``max_update``.
    """

    props_type = rollout.Rollout

    label: str = "wave"
    steps: list[RolloutStep] = Field(min_length=1)

    @field_validator("steps", mode="before")
    @classmethod
    def _names(cls, v: object) -> object:
        # A wave by name alone; a bare number (1) is the name "1", as Argo CD compares text.
        if isinstance(v, list):
            return [{"value": str(x)} if isinstance(x, (str, int)) and not isinstance(x, bool)
                    else x for x in v]
        return v

    @model_validator(mode="after")
    def _rules(self) -> "Rollout":
        try:
            rollout.check_rollout(self.to_props(), "rollout")
        except ConfigError as exc:
            raise ValueError(f"{(exc.field or '').removeprefix('rollout.')}: {exc.message}")
        return self


class Repository(Section):
    """The Git repository of Helm charts that one routing label deploys."""

    props_type = props.Repository

    url: Annotated[str, StringConstraints(max_length=2048)]
    revision: Annotated[str, StringConstraints(pattern=formats.REVISION, min_length=1,
                                               max_length=formats.MAX_REVISION_LENGTH)] = "HEAD"
    path: Annotated[str, StringConstraints(max_length=255)] = ""
    credentials: RepositoryCredentials | None = None
    rollout: Rollout | None = None

    @field_validator("url", "revision", "path")
    @classmethod
    def _literal(cls, v: str) -> str:
        return no_go_template(no_terraform_template(v))

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not GIT_URL.match(v):
            raise ValueError(
                f"must be a Git URL (https://host/repo.git, ssh://git@host/repo.git "
                f"or git@host:repo.git), got {v!r}")
        return v

    @field_validator("path")
    @classmethod
    def _path(cls, v: str) -> str:
        v = v.strip("/")
        if v.startswith(".") and v not in ("", ".") or ".." in v.split("/"):
            raise ValueError(f"must be a relative path inside the repository, got {v!r}")
        return "" if v == "." else v


class AutomationToken(Section):
    """Lifetime of the automation account's API token (worker registration).

    ``expires_in`` (default ``2160h``, 90 days) and ``renew_before`` (default
    ``720h``, 30 days): once less than ``renew_before`` remains, the next plan of
    the management stack replaces the token.
    """

    expires_in: str = DEFAULT_TOKEN_EXPIRES_IN
    renew_before: str = DEFAULT_TOKEN_RENEW_BEFORE

    @model_validator(mode="after")
    def _lifetime(self) -> "AutomationToken":
        try:
            check_token_lifetime(self.expires_in, self.renew_before, prefix="")
        except ConfigError as exc:
            raise ValueError(f"{exc.field}: {exc.message}") from None
        return self


class ManagementArgoCd(Section):
    """Argo CD as installed on the management cluster.

    ``repositories`` maps every routing label to the repository it deploys.
    ``hostname`` (optional) exposes the Argo CD server through an Ingress.
    ``admin_enabled`` can be turned off once SSO is configured.
    ``high_availability`` and ``controller_replicas`` override how Argo CD is sized for
    the fleet (:class:`fleetform.constructs.argocd_sizing.ArgoCdSizing`).
    """

    chart_version: Annotated[str, StringConstraints(pattern=formats.CHART_VERSION)] = \
        DEFAULT_ARGOCD_CHART_VERSION
    apps_chart_version: Annotated[str, StringConstraints(pattern=formats.CHART_VERSION)] = \
        DEFAULT_ARGOCD_APPS_CHART_VERSION
    hostname: str | None = None
    admin_enabled: bool = True
    automation_token: AutomationToken = Field(default_factory=AutomationToken)
    repositories: dict[LabelKey, Repository] = Field(default_factory=dict)
    #: Argo CD highly available (several replicas, Redis HA); default: from the fleet's size.
    high_availability: bool | None = None
    #: Application-controller replicas (shards); default: from the fleet's size.
    controller_replicas: int | None = Field(default=None, ge=1)

    @field_validator("apps_chart_version")
    @classmethod
    def _apps_chart_version(cls, v: str) -> str:
        return check_apps_chart_version(v)

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, v: str | None) -> str | None:
        if v is not None and not HOSTNAME.match(v):
            raise ValueError(f"must be a DNS hostname such as argocd.example.com, got {v!r}")
        return v

    @field_validator("repositories")
    @classmethod
    def _labels(cls, v: dict[str, Repository]) -> dict[str, Repository]:
        seen: dict[str, str] = {}
        for key in v:
            # The ApplicationSet, the credentials' Secret and variable are named
            # after the label: two labels must not give the same names.
            # Names are cut at 63 characters, so compare each kind of name, not the slug.
            for derived in (label_slug(key), label_name("label", key),
                            label_name("repository", key)):
                if derived in seen:
                    raise ValueError(
                        f"repositories.{key}: label {key!r} and {seen[derived]!r} give the "
                        f"same resource names ({derived!r}): labels must differ in more "
                        "than case and punctuation")
                seen[derived] = key
        return v


class WorkerArgoCd(Section):
    """How a worker reaches the management Argo CD to register itself.

    ``server`` is the Argo CD API address (``host[:port]``); when omitted, the
    management cluster's ``argocd.hostname`` on port 443 is used. ``grpc_web``
    (default: true) wraps the API's gRPC in HTTP/1.1, which is what gets through
    an HTTPS ingress such as the example fleet's ``argocd-ingress``; set it to
    false for a server reached directly or through a gRPC-capable proxy.
    """

    server: str | None = None
    grpc_web: bool = True
    insecure: bool = False

    @field_validator("server")
    @classmethod
    def _server(cls, v: str | None) -> str | None:
        if v is not None and not SERVER.match(v):
            raise ValueError(f"must be host[:port] such as argocd.example.com:443, got {v!r}")
        return v


class ClusterBase(Section):
    """What every cluster.yaml has, whatever its cloud. Each cloud's model
    (``fleet/clouds/``) narrows ``region``, ``kubernetes_version`` and the pools'
    ``size`` to its formats and adds its own keys."""

    #: The cloud's name (``cloud:``); each cloud's model fixes it.
    cloud: str
    region: str
    kubernetes_version: str
    node_pools: list[NodePool] = Field(min_length=1)
    labels: dict[RoutingLabelKey, RoutingLabelValue] = Field(default_factory=dict)
    tags: list[DnsName] = Field(default_factory=list)
    prevent_destroy: bool | None = None

    @field_validator("labels", mode="before")
    @classmethod
    def _label_list(cls, v: object) -> object:
        # `labels: [global, production]` is shorthand for `{global: "true", ...}`.
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return {x: "true" for x in v}
        # `production: false` (a YAML boolean) is the label value "false".
        if isinstance(v, dict):
            return {k: ("true" if x else "false") if isinstance(x, bool) else x
                    for k, x in v.items()}
        return v

    @model_validator(mode="after")
    def _unique_pools(self) -> "ClusterBase":
        seen: set[str] = set()
        for i, pool in enumerate(self.node_pools):
            if pool.name in seen:
                raise ValueError(f"node_pools[{i}].name: duplicate node pool name {pool.name!r}")
            seen.add(pool.name)
        return self


#: Defaults of the ``fleetform diff --gate`` limits (see :class:`DiffGates`).
DEFAULT_MAX_CLUSTERS_LOSING_APPS = 2


DEFAULT_MAX_REMOVED_APPS = 5


class DiffGates(Section):
    """Limits ``fleetform diff --gate`` holds a change to (management ``cluster.yaml``).

    ``max_clusters_losing_apps`` (default 2): how many clusters a change may
    remove applications from. ``max_removed_apps`` (default 5): how many
    (cluster, application) pairs it may remove in total. A change past either
    limit fails the gate unless it carries an override.
    """

    max_clusters_losing_apps: int = Field(default=DEFAULT_MAX_CLUSTERS_LOSING_APPS, ge=0,
                                          le=100_000)
    max_removed_apps: int = Field(default=DEFAULT_MAX_REMOVED_APPS, ge=0, le=1_000_000)


class ManagementCluster(Section):
    """The keys of a management cluster, which runs Argo CD for the whole fleet (a
    cloud's model adds them to its own: ``fleet/clouds/``)."""

    role: Literal["management"]
    argocd: ManagementArgoCd = Field(default_factory=ManagementArgoCd)
    #: Limits of ``fleetform diff --gate``.
    gates: DiffGates = Field(default_factory=DiffGates)


class WorkerCluster(Section):
    """The keys of a worker cluster, which registers itself in the management Argo CD."""

    role: Literal["worker"]
    argocd: WorkerArgoCd = Field(default_factory=WorkerArgoCd)


#: The model of each role's own keys.
ROLE_MODELS = {"management": ManagementCluster, "worker": WorkerCluster}
ROLES = tuple(ROLE_MODELS)


def protected(role: str, prevent_destroy: bool | None) -> bool:
    """Whether Terraform refuses to destroy a cluster: ``prevent_destroy``, by default
    for the management cluster only."""
    return role == "management" if prevent_destroy is None else prevent_destroy


def argocd_server(server: str | None, management_hostname: str | None) -> str | None:
    """The Argo CD API address a worker registers through: its own ``argocd.server``,
    else the management cluster's ``argocd.hostname`` on port 443 (None: neither)."""
    if server:
        return server
    return f"{management_hostname}:443" if management_hostname else None
