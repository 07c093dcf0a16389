"""The fleet's configuration: one validated ``clusters/<name>/cluster.yaml`` per cluster.

``load_fleet(root)`` reads every cluster directory, validates each file against
one schema (unknown keys are errors) and then the fleet as a whole (exactly one
management cluster, every routing label has a repository, ...). Every problem
is a :class:`~fleetform.errors.ConfigError` naming the file and the field.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Literal, Mapping, Union, get_args, get_origin

import yaml
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints,
                      ValidationError, field_validator, model_validator)

from ..constructs import props
from ..constructs.formats import (DNS1123_LABEL, GIT_URL, HOSTNAME, SERVER,
                                 check_token_lifetime, go_template_problem)
from ..constructs.labels import (check_label_key, check_label_value, label_name, label_slug,
                                routing_labels)
from ..constructs.props import (DEFAULT_ARGOCD_APPS_CHART_VERSION, DEFAULT_ARGOCD_CHART_VERSION,
                                RESERVED_VARIABLES, check_apps_chart_version)
from ..errors import ConfigError, ConfigErrors, closest

CLUSTER_FILE = "cluster.yaml"
# Python patterns end with \Z, not $ (see fleetform.constructs.formats).
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
TF_VARIABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# Formats checked locally. Which regions, sizes and versions exist is only known
# to DigitalOcean (and changes): these catch what can never be one.
DNS_LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
#: A DigitalOcean region slug: city code and a digit (fra1, nyc3, sgp1).
REGION_PATTERN = r"^[a-z]{3}[0-9]$"
#: ``1.33`` (the newest 1.33.x DigitalOcean offers) or an exact ``1.33.1-do.0``. A
#: ``1.33.1`` would be neither: DOKS names every version with its ``-do.N`` build.
KUBERNETES_VERSION_PATTERN = \
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)-do\.(0|[1-9][0-9]*))?$"
#: A droplet size slug: a family, then dash-separated parts (s-2vcpu-4gb, c-4,
#: so1_5-2vcpu-16gb, gpu-h100x1-80gb).
SIZE_PATTERN = r"^[a-z][a-z0-9_]*(-[a-z0-9_]+)+$"
START_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
CHART_VERSION_PATTERN = r"^[0-9]+\.[0-9]+\.[0-9]+$"
REVISION_PATTERN = r"^[^\s-][^\s]*$"

#: What each pattern means, for messages: "must be <this>, got 'v1.33'".
FORMATS = {
    DNS_LABEL_PATTERN: "a DNS-1123 label: lowercase letters, digits and '-', starting and "
                       "ending with a letter or digit",
    REGION_PATTERN: "a DigitalOcean region slug: three lowercase letters and a digit, such as "
                    "fra1 or nyc3 (doctl kubernetes options regions)",
    KUBERNETES_VERSION_PATTERN: "a DOKS Kubernetes version: 1.33 (the newest 1.33.x) or "
                                "exact, such as 1.33.1-do.0 (doctl kubernetes options versions)",
    SIZE_PATTERN: "a DigitalOcean droplet size slug such as s-2vcpu-4gb or c-4 (doctl "
                  "kubernetes options sizes)",
    START_TIME_PATTERN: "a UTC time HH:MM, such as 03:00",
    UUID_PATTERN: "a VPC UUID: 8-4-4-4-12 lowercase hexadecimal digits",
    CHART_VERSION_PATTERN: "a chart version X.Y.Z, such as 10.1.3",
    REVISION_PATTERN: "a branch, tag or commit (no spaces, not starting with '-')",
    TF_VARIABLE_NAME.pattern: "a Terraform variable name: lowercase letters, digits and '_', "
                              "not starting with a digit",
}

DnsName = Annotated[str, StringConstraints(max_length=63, pattern=DNS_LABEL_PATTERN)]

#: Label keys Argo CD sets itself on cluster secrets (``argocd.argoproj.io/secret-type``):
#: a routing label there would overwrite them.
RESERVED_LABEL_PREFIX = "argocd.argoproj.io/"
#: Terraform reads these in any string of the synthesized JSON as an expression
#: or a template directive: a literal one in configuration would be evaluated.
TERRAFORM_TEMPLATE = re.compile(r"[$%]\{")


def _no_terraform_template(v: str) -> str:
    if TERRAFORM_TEMPLATE.search(v):
        raise ValueError(f"must not contain '${{' or '%{{' (Terraform would evaluate it), "
                         f"got {v!r}")
    return v


def _label_key(key: str) -> str:
    check_label_key(key)
    return key


def _label_value(value: str) -> str:
    check_label_value(value)
    return value


def _routing_label_key(key: str) -> str:
    check_label_key(key)
    if key.startswith(RESERVED_LABEL_PREFIX):
        raise ValueError(f"label keys under {RESERVED_LABEL_PREFIX} are reserved for Argo CD "
                         "itself")
    return key


# Keys are checked one by one, so several bad keys give one error each.
LabelKey = Annotated[str, AfterValidator(_label_key)]
LabelValue = Annotated[str, AfterValidator(_label_value)]
RoutingLabelKey = Annotated[str, AfterValidator(_routing_label_key)]


def _routing_label_value(value: str) -> str:
    check_label_value(value)
    if value.lower() == "false" and value != "false":
        raise ValueError(f"write 'false' in lowercase, got {value!r}: label values are "
                         "case-sensitive, and only 'false' or '' turn a label off")
    return value


RoutingLabelValue = Annotated[str, AfterValidator(_routing_label_value)]


def _no_go_template(v: str) -> str:
    problem = go_template_problem(v)
    if problem:
        raise ValueError(problem)
    return v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Autoscale(_Strict):
    """Autoscaling bounds of a node pool."""

    min_nodes: int = Field(ge=1, le=1000)
    max_nodes: int = Field(ge=1, le=1000)

    @model_validator(mode="after")
    def _bounds(self) -> "Autoscale":
        if self.max_nodes < self.min_nodes:
            raise ValueError(
                f"max_nodes must be >= min_nodes (got {self.max_nodes} < {self.min_nodes})")
        return self


class Taint(_Strict):
    """A Kubernetes taint applied to every node of a pool."""

    key: str
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]

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


class NodePool(_Strict):
    """A DOKS node pool: fixed ``count`` or ``autoscale`` bounds, never both."""

    name: DnsName
    size: Annotated[str, StringConstraints(pattern=SIZE_PATTERN, max_length=64)]
    count: int | None = Field(default=None, ge=1, le=1000)
    autoscale: Autoscale | None = None
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=list)
    tags: list[DnsName] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_sizing(self) -> "NodePool":
        if (self.count is None) == (self.autoscale is None):
            raise ValueError("set exactly one of count or autoscale")
        return self

    def to_props(self) -> props.NodePool:
        """The pool as :class:`~fleetform.constructs.props.NodePool` for DoksCluster."""
        autoscale = self.autoscale
        return props.NodePool(
            name=self.name, size=self.size, count=self.count,
            autoscale=props.Autoscale(min_nodes=autoscale.min_nodes,
                                      max_nodes=autoscale.max_nodes) if autoscale else None,
            labels=dict(self.labels),
            taints=tuple(props.Taint(key=t.key, value=t.value, effect=t.effect)
                         for t in self.taints),
            tags=tuple(self.tags))


class MaintenanceWindow(_Strict):
    """DOKS maintenance window: a day and a UTC start time ``HH:MM``."""

    day: Literal["any", "monday", "tuesday", "wednesday", "thursday", "friday",
                 "saturday", "sunday"]
    start_time: Annotated[str, StringConstraints(pattern=START_TIME_PATTERN)]

    def to_props(self) -> props.MaintenanceWindow:
        """The window as :class:`~fleetform.constructs.props.MaintenanceWindow`."""
        return props.MaintenanceWindow(day=self.day, start_time=self.start_time)


class RepositoryCredentials(_Strict):
    """HTTPS credentials for a private repository.

    The password never appears in configuration: ``password_variable`` names a
    sensitive Terraform variable, set through ``TF_VAR_<password_variable>``.
    """

    username: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    password_variable: Annotated[str, StringConstraints(pattern=TF_VARIABLE_NAME.pattern,
                                                        max_length=64)]

    @field_validator("username")
    @classmethod
    def _username(cls, v: str) -> str:
        return _no_terraform_template(v)

    @field_validator("password_variable")
    @classmethod
    def _not_reserved(cls, v: str) -> str:
        if v in RESERVED_VARIABLES:
            raise ValueError(f"{v!r} is a variable of fleetform's own stacks; choose another "
                             "name, such as <label>_repo_token")
        return v


class Repository(_Strict):
    """The Git repository of Helm charts that one routing label deploys."""

    url: Annotated[str, StringConstraints(max_length=2048)]
    revision: Annotated[str, StringConstraints(min_length=1, max_length=255,
                                               pattern=REVISION_PATTERN)] = "HEAD"
    path: Annotated[str, StringConstraints(max_length=255)] = ""
    credentials: RepositoryCredentials | None = None

    @field_validator("url", "revision", "path")
    @classmethod
    def _literal(cls, v: str) -> str:
        return _no_go_template(_no_terraform_template(v))

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

    def to_props(self) -> props.Repository:
        """The repository as :class:`~fleetform.constructs.props.Repository` for ArgoCd."""
        creds = self.credentials
        return props.Repository(
            url=self.url, revision=self.revision, path=self.path,
            credentials=props.RepositoryCredentials(
                username=creds.username, password_variable=creds.password_variable)
            if creds else None)


class AutomationToken(_Strict):
    """Lifetime of the automation account's API token (worker registration).

    ``expires_in`` (default ``2160h``, 90 days) and ``renew_before`` (default
    ``720h``, 30 days): once less than ``renew_before`` remains, the next plan of
    the management stack replaces the token.
    """

    expires_in: str = "2160h"
    renew_before: str = "720h"

    @model_validator(mode="after")
    def _lifetime(self) -> "AutomationToken":
        try:
            check_token_lifetime(self.expires_in, self.renew_before, prefix="")
        except ConfigError as exc:
            raise ValueError(f"{exc.field}: {exc.message}") from None
        return self


class ManagementArgoCd(_Strict):
    """Argo CD as installed on the management cluster.

    ``repositories`` maps every routing label to the repository it deploys.
    ``hostname`` (optional) exposes the Argo CD server through an Ingress.
    ``admin_enabled`` can be turned off once SSO is configured.
    """

    chart_version: Annotated[str, StringConstraints(pattern=CHART_VERSION_PATTERN)] = \
        DEFAULT_ARGOCD_CHART_VERSION
    apps_chart_version: Annotated[str, StringConstraints(pattern=CHART_VERSION_PATTERN)] = \
        DEFAULT_ARGOCD_APPS_CHART_VERSION
    hostname: str | None = None
    admin_enabled: bool = True
    automation_token: AutomationToken = Field(default_factory=AutomationToken)
    repositories: dict[LabelKey, Repository] = Field(default_factory=dict)

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


class WorkerArgoCd(_Strict):
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


class _ClusterBase(_Strict):
    region: Annotated[str, StringConstraints(pattern=REGION_PATTERN)]
    kubernetes_version: Annotated[str, StringConstraints(pattern=KUBERNETES_VERSION_PATTERN)]
    node_pools: list[NodePool] = Field(min_length=1)
    labels: dict[RoutingLabelKey, RoutingLabelValue] = Field(default_factory=dict)
    tags: list[DnsName] = Field(default_factory=list)
    ha: bool = False
    auto_upgrade: bool = True
    surge_upgrade: bool = True
    maintenance_window: MaintenanceWindow | None = None
    vpc_uuid: Annotated[str, StringConstraints(pattern=UUID_PATTERN)] | None = None
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
    def _unique_pools(self) -> "_ClusterBase":
        seen: set[str] = set()
        for i, pool in enumerate(self.node_pools):
            if pool.name in seen:
                raise ValueError(f"node_pools[{i}].name: duplicate node pool name {pool.name!r}")
            seen.add(pool.name)
        return self


#: Defaults of the ``fleetform diff --gate`` limits (see :class:`DiffGates`).
DEFAULT_MAX_CLUSTERS_LOSING_APPS = 2
DEFAULT_MAX_REMOVED_APPS = 5


class DiffGates(_Strict):
    """Limits ``fleetform diff --gate`` holds a change to (management ``cluster.yaml``).

    ``max_clusters_losing_apps`` (default 2): how many clusters a change may
    remove applications from. ``max_removed_apps`` (default 5): how many
    (cluster, application) pairs it may remove in total. A change past either
    limit fails the gate unless it carries an override.
    """

    max_clusters_losing_apps: int = Field(default=DEFAULT_MAX_CLUSTERS_LOSING_APPS, ge=0,
                                          le=100_000)
    max_removed_apps: int = Field(default=DEFAULT_MAX_REMOVED_APPS, ge=0, le=1_000_000)


class ManagementCluster(_ClusterBase):
    """A management cluster: runs Argo CD for the whole fleet."""

    role: Literal["management"]
    argocd: ManagementArgoCd = Field(default_factory=ManagementArgoCd)
    #: Limits of ``fleetform diff --gate``.
    gates: DiffGates = Field(default_factory=DiffGates)


class WorkerCluster(_ClusterBase):
    """A worker cluster: registers itself in the management Argo CD."""

    role: Literal["worker"]
    argocd: WorkerArgoCd = Field(default_factory=WorkerArgoCd)


ClusterSpec = Annotated[Union[ManagementCluster, WorkerCluster], Field(discriminator="role")]


class _Document(BaseModel):
    spec: ClusterSpec


#: The model of each role, as the discriminated union names them in error locations.
_ROLE_MODELS = {"management": ManagementCluster, "worker": WorkerCluster}


@dataclass(frozen=True)
class Cluster:
    """One cluster of the fleet: its name (the directory's), file and spec."""

    name: str
    file: Path
    spec: ManagementCluster | WorkerCluster

    @property
    def role(self) -> str:
        return self.spec.role

    @property
    def labels(self) -> Mapping[str, str]:
        """Every label the cluster carries, as registered in Argo CD."""
        return self.spec.labels

    @property
    def routing_labels(self) -> Mapping[str, str]:
        """The labels whose applications the cluster receives: those not turned off
        (a value of ``false`` or ``""``)."""
        return routing_labels(self.spec.labels)

    @property
    def protected(self) -> bool:
        """Whether Terraform refuses to destroy this cluster (``prevent_destroy``)."""
        if self.spec.prevent_destroy is None:
            return self.role == "management"
        return self.spec.prevent_destroy


@dataclass(frozen=True)
class Fleet:
    """Every cluster under ``clusters/``, validated together."""

    root: Path
    clusters: Mapping[str, Cluster]

    @property
    def management(self) -> Cluster:
        return next(c for c in self.clusters.values() if c.role == "management")

    @property
    def workers(self) -> list[Cluster]:
        return [c for c in self.clusters.values() if c.role == "worker"]

    def argocd_server(self, cluster: Cluster) -> str:
        """The management Argo CD API address a worker registers through."""
        assert isinstance(cluster.spec, WorkerCluster)
        if cluster.spec.argocd.server:
            return cluster.spec.argocd.server
        hostname = self.management.spec.argocd.hostname  # type: ignore[union-attr]
        return f"{hostname}:443"

    def select(self, names: list[str] | None) -> list[Cluster]:
        """The clusters named (all when ``names`` is empty), management first."""
        if names:
            unknown = [n for n in names if n not in self.clusters]
            if unknown:
                raise ConfigError(
                    f"no such cluster {', '.join(map(repr, unknown))} "
                    f"(known: {', '.join(sorted(self.clusters))})",
                    file=self.root, field="selection")
            chosen = [self.clusters[n] for n in dict.fromkeys(names)]
        else:
            chosen = list(self.clusters.values())
        return sorted(chosen, key=lambda c: (c.role != "management", c.name))


# libyaml's parser when PyYAML has it (several times faster on a large fleet);
# the constructors, and so what the documents become, are the same.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that rejects a key given twice (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *anchor`: construct_mapping merges it, explicit keys win
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)


#: Upper bound of a configuration file's size: a cluster.yaml is a few hundred bytes.
MAX_YAML_BYTES = 1024 * 1024
#: Upper bound of the nodes of a document once aliases are expanded: bounds the
#: work of everything that walks the parsed data (a "billion laughs" document
#: is a few lines whose aliases expand to billions of nodes).
MAX_YAML_NODES = 20_000


def _expanded_nodes(node: yaml.Node, path: Path) -> int:
    """The node count of ``node`` with every alias expanded; ConfigError past the limit."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ConfigError("invalid YAML: an alias refers to a node that contains it",
                              file=path)
        active.add(key)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            children = n.value
        elif isinstance(n, yaml.MappingNode):
            children = [c for pair in n.value for c in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_YAML_NODES:
                raise ConfigError(f"invalid YAML: more than {MAX_YAML_NODES} values "
                                  "(each alias counts as the node it repeats)", file=path)
        active.discard(key)
        sizes[key] = total
        return total

    return size(node)


def read_yaml(path: Path) -> object:
    """Parse one YAML file, with duplicate keys and syntax errors as ConfigError.

    Parsing is bounded: files over :data:`MAX_YAML_BYTES` and documents whose
    aliases expand past :data:`MAX_YAML_NODES` values are refused before
    anything is built from them.
    """
    try:
        if not path.is_file():  # e.g. a link to /dev/zero, which never ends
            raise ConfigError("is not a regular file", file=path)
        with path.open("rb") as stream:
            data = stream.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise ConfigError(f"is larger than {MAX_YAML_BYTES // 1024} KiB", file=path)
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text", file=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror})", file=path) from None
    try:
        loader = _UniqueKeyLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _expanded_nodes(node, path)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(f"invalid YAML: {where}{exc.problem or exc.context}",
                          file=path) from None
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        raise ConfigError(f"invalid YAML: {type(exc).__name__}", file=path) from None


def _field_parts(loc: tuple) -> tuple:
    """``loc`` without the document's wrapper levels (``spec``, the role's model)."""
    parts = tuple(loc)
    if parts[:1] == ("spec",):
        parts = parts[1:]
        if parts[:1] and parts[0] in _ROLE_MODELS:
            parts = parts[1:]
    # "[key]": pydantic's marker for an error in a mapping's key rather than its value.
    return tuple(p for p in parts if p != "[key]" and not (
        isinstance(p, str) and p.startswith(("function-", "tagged-union"))))


def _loc(loc: tuple) -> str:
    out = ""
    for part in _field_parts(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _unwrap(tp: object) -> object:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _known_keys(loc: tuple) -> list[str]:
    """The keys the model at ``loc`` (the location of an unknown key) accepts."""
    if len(loc) < 2 or loc[0] != "spec" or loc[1] not in _ROLE_MODELS:
        return []
    tp: object = _ROLE_MODELS[loc[1]]
    for part in loc[2:-1]:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            field = tp.model_fields.get(part)
            if field is None:
                return []
            tp = field.annotation
        elif get_origin(tp) is list and isinstance(part, int):
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _unknown_key(loc: tuple) -> str:
    known = _known_keys(loc)
    if not known:
        return "unknown key"
    hint = closest(str(loc[-1]), known)
    if hint:
        return f"unknown key{hint}"
    return f"unknown key (known keys: {', '.join(known)})"


def _message(err: dict) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return _unknown_key(err["loc"])
    if kind == "missing":
        return "is required"
    if kind == "union_tag_invalid":
        # The input is the whole document: show the role only.
        role = err["input"].get("role") if isinstance(err["input"], dict) else err["input"]
        return f"must be 'management' or 'worker', got {_short(role)}"
    if kind == "union_tag_not_found":
        return "is required ('management' or 'worker')"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if "input" in err and kind.endswith("_type"):
        msg = f"{msg} (got {type(err['input']).__name__} {_short(err['input'])})"
    elif kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern")
        expected = FORMATS.get(pattern, f"a string matching {pattern}")
        msg = f"must be {expected}, got {_short(err['input'])}"
    return msg


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_cluster(name: str, file: Path, data: object) -> Cluster:
    """Validate one parsed ``cluster.yaml`` document."""
    if not DNS1123_LABEL.fullmatch(name) or len(name) > 63:
        raise ConfigError(
            "the cluster's directory name must be a DNS-1123 label "
            f"(lowercase letters, digits and '-', at most 63), got {name!r}",
            file=file, field="name")
    if data is None:
        raise ConfigError("is empty: a cluster needs at least role, region, "
                          "kubernetes_version and node_pools", file=file)
    if not isinstance(data, dict):
        raise ConfigError(f"must be a mapping of settings, got {type(data).__name__}",
                          file=file)
    if "name" in data:
        raise ConfigError("unknown key: a cluster is named after its directory",
                          file=file, field="name")
    try:
        doc = _Document.model_validate({"spec": data})
    except ValidationError as exc:
        errors = [ConfigError(_message(e), file=file,
                              field="role" if e["type"].startswith("union_tag")
                              else _loc(e["loc"]) or None)
                  for e in exc.errors(include_url=False)]
        raise (errors[0] if len(errors) == 1 else ConfigErrors(errors)) from None
    return Cluster(name=name, file=file, spec=doc.spec)


def load_cluster(directory: Path) -> Cluster:
    """Load ``<directory>/cluster.yaml``."""
    file = directory / CLUSTER_FILE
    if (directory / "cluster.yml").exists():
        raise ConfigError(f"duplicate cluster definition: use only {CLUSTER_FILE}",
                          file=directory / "cluster.yml")
    return parse_cluster(directory.name, file, read_yaml(file))


def _link_text(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:
        return "?"


def symlinked_cluster(path: Path | str, target: str) -> ConfigError:
    """The error for a cluster directory or ``cluster.yaml`` that is a symbolic link to
    ``target``: one message for synth, validate and changed (which reads links from Git,
    where a linked directory is a single file: never planned, if it were accepted)."""
    if Path(path).name == CLUSTER_FILE:
        return ConfigError(f"is a symbolic link (to {target}): a cluster's definition must "
                           "be a file of its own directory", file=path)
    return ConfigError(f"is a symbolic link (to {target}): a cluster must be a real "
                       "directory, not a link to one", file=path)


def _entry_problem(entry: Path) -> ConfigError | None:
    """Why an entry of the clusters directory is not a cluster directory (None: it is one).

    Only real directories are clusters. A symbolic link is refused whatever it
    points to: a link to another cluster's directory would give one cluster two
    stacks, and one leading elsewhere would read a cluster from outside the
    repository. Markdown files (a README) are allowed beside the clusters.
    """
    if entry.is_symlink():
        target = _link_text(entry)
        try:
            os.stat(entry)
        except OSError as exc:
            what = ("a symbolic link loop" if exc.errno == errno.ELOOP else
                    f"a dangling symbolic link ({target} does not exist)"
                    if exc.errno == errno.ENOENT else f"unreadable ({exc.strerror})")
            return ConfigError(f"is {what}: a cluster is a directory <name>/ holding "
                               f"{CLUSTER_FILE}", file=entry)
        return symlinked_cluster(entry, target)
    if entry.is_dir():
        file = entry / CLUSTER_FILE
        if file.is_symlink():
            return symlinked_cluster(file, _link_text(file))
        return None
    if entry.suffix.lower() == ".md":
        return None
    hint = (f" (move it to {entry.stem}/{CLUSTER_FILE})"
            if entry.suffix.lower() in (".yaml", ".yml") else "")
    return ConfigError(f"is not a directory: a cluster is a directory <name>/ holding "
                       f"{CLUSTER_FILE}{hint}; only Markdown files and dotfiles may sit "
                       "beside them", file=entry)


def load_fleet(root: Path | str) -> Fleet:
    """Load and validate every ``<root>/<name>/cluster.yaml`` as one fleet.

    A cluster directory or ``cluster.yaml`` that is a symbolic link is an error
    (:func:`symlinked_cluster`).
    """
    root = Path(root)
    if not root.is_dir():
        raise ConfigError("no clusters directory", file=root)
    clusters: dict[str, Cluster] = {}
    errors: list[ConfigError] = []
    directories = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        problem = _entry_problem(entry)
        if problem is not None:
            errors.append(problem)
        elif entry.is_dir():
            directories.append(entry)
    for directory in directories:
        if not (directory / CLUSTER_FILE).exists() and not (directory / "cluster.yml").exists():
            errors.append(ConfigError(f"missing {CLUSTER_FILE}", file=directory))
            continue
        try:
            cluster = load_cluster(directory)
        except ConfigErrors as exc:
            errors.extend(exc.errors)
            continue
        except ConfigError as exc:
            errors.append(exc)
            continue
        if cluster.name in clusters:  # pragma: no cover - a file system has unique names
            errors.append(ConfigError("duplicate cluster name", file=cluster.file, field="name"))
        clusters[cluster.name] = cluster
    if errors:
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)
    if not clusters:
        raise ConfigError(f"no cluster directories (expected <name>/{CLUSTER_FILE})", file=root)
    fleet = Fleet(root=root, clusters=clusters)
    check_fleet(fleet)
    return fleet


def check_fleet(fleet: Fleet) -> None:
    """Checks that span files: one management cluster, labels ↔ repositories."""
    managers = [c for c in fleet.clusters.values() if c.role == "management"]
    if not managers:
        raise ConfigError("no management cluster: exactly one cluster.yaml needs "
                          "'role: management'", file=fleet.root, field="role")
    if len(managers) > 1:
        names = ", ".join(str(c.file) for c in managers)
        raise ConfigError(f"exactly one management cluster is allowed, found {len(managers)}: "
                          f"{names}", file=managers[1].file, field="role")
    management = managers[0]
    repositories = management.spec.argocd.repositories  # type: ignore[union-attr]
    errors: list[ConfigError] = []
    used: set[str] = set()
    for cluster in fleet.clusters.values():
        used.update(cluster.labels)  # a label turned off still names its repository
        for label in cluster.routing_labels:
            if label not in repositories:
                errors.append(ConfigError(
                    f"label {label!r} has no repository: add argocd.repositories.{label} "
                    f"to {management.file}", file=cluster.file, field=f"labels.{label}"))
    for label in repositories:
        if label not in used:
            errors.append(ConfigError(
                f"repository for label {label!r}, which no cluster carries",
                file=management.file, field=f"argocd.repositories.{label}"))
    for cluster in fleet.workers:
        if not cluster.spec.argocd.server and not management.spec.argocd.hostname:  # type: ignore[union-attr]
            errors.append(ConfigError(
                "the management Argo CD address is unknown: set argocd.server here, "
                f"or argocd.hostname in {management.file}",
                file=cluster.file, field="argocd.server"))
    if errors:
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)
