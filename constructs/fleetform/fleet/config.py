"""The fleet's configuration: one validated ``clusters/<name>/cluster.yaml`` per cluster.

``load_fleet(root)`` reads every cluster directory, validates each file against
one schema (unknown keys are errors) and then the fleet as a whole (exactly one
management cluster, every routing label has a repository, ...). Every problem
is a :class:`~fleetform.errors.ConfigError` naming the file and the field.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Mapping, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..constructs.argocd_sizing import ArgoCdSizing, check_nodes, controller_shards
from ..constructs.formats import DNS1123_LABEL
from ..constructs.labels import routing_labels
from ..errors import ConfigError, ConfigErrors, closest
from .cluster_yaml import ClusterBase, ManagementCluster, WorkerCluster, argocd_server, protected
from .clouds import (CLOUDS, DEFAULT_CLOUD, MODELS, Cloud, Document, other_clouds_key,
                     other_clouds_value, unknown_cloud)
from .cluster_yaml_fields import FORMATS
from .yamlfile import read_yaml

CLUSTER_FILE = "cluster.yaml"


@dataclass(frozen=True)
class Cluster:
    """One cluster of the fleet: its name (the directory's), file and spec (the model of
    its cloud and role: an instance of ``ManagementCluster`` or ``WorkerCluster``)."""

    name: str
    file: Path
    spec: ClusterBase

    @property
    def role(self) -> str:
        return self.spec.role  # type: ignore[attr-defined]

    @property
    def cloud(self) -> Cloud:
        """The cloud the cluster is in (``cloud:``)."""
        return CLOUDS[self.spec.cloud]

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
        return protected(self.role, self.spec.prevent_destroy)


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

    @property
    def argocd_sizing(self) -> ArgoCdSizing:
        """The management Argo CD sized for this fleet (``argocd.high_availability`` and
        ``argocd.controller_replicas`` of the management ``cluster.yaml`` override it)."""
        settings = self.management.spec.argocd  # type: ignore[union-attr]
        return ArgoCdSizing.for_fleet(len(self.clusters),
                                      high_availability=settings.high_availability,
                                      controller_replicas=settings.controller_replicas)

    def controller_shards(self) -> dict[str, int]:
        """The application-controller shard of every cluster; empty with one replica
        (registrations then name no shard, as before sharding)."""
        replicas = self.argocd_sizing.controller_replicas
        return controller_shards(self.clusters, replicas) if replicas > 1 else {}

    def argocd_server(self, cluster: Cluster) -> str:
        """The management Argo CD API address a worker registers through."""
        assert isinstance(cluster.spec, WorkerCluster)
        hostname = self.management.spec.argocd.hostname  # type: ignore[union-attr]
        return argocd_server(cluster.spec.argocd.server, hostname) or f"{hostname}:443"

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


def _field_parts(loc: tuple) -> tuple:
    """``loc`` without the document's wrapper levels (``spec``, the cloud and role's model)."""
    parts = tuple(loc)
    if parts[:1] == ("spec",):
        parts = parts[1:]
        if parts[:1] and parts[0] in MODELS:
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
    if len(loc) < 2 or loc[0] != "spec" or loc[1] not in MODELS:
        return []
    tp: object = MODELS[loc[1]]
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
    if len(loc) == 3 and loc[0] == "spec" and loc[1] in MODELS:
        this = CLOUDS[loc[1].split("/")[0]]
        other = other_clouds_key(this.name, str(loc[2]))
        if other is not None:
            return (f"is a key of {other.title} clusters (cloud: {other.name}), and this "
                    f"cluster is cloud: {this.name}{_default(this)}; {this.title} clusters' "
                    f"own keys are {', '.join(this.keys)}")
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
        msg = f"must be {expected}, got {_short(err['input'])}" + _other_cloud(err)
    return msg


def _other_cloud(err: dict) -> str:
    """For a value of another cloud's format (``fra1`` in an EKS cluster), which cloud."""
    loc = err["loc"]
    if len(loc) < 3 or loc[0] != "spec" or loc[1] not in MODELS or \
            loc[-1] not in ("region", "kubernetes_version", "size"):
        return ""
    this = CLOUDS[loc[1].split("/")[0]]
    other = other_clouds_value(this.name, loc[-1], err["input"])
    if other is None:
        return ""
    what = {"kubernetes_version": "version"}.get(loc[-1], loc[-1])
    article = "an" if other.title[0] in "AEIOU" else "a"
    return (f" ({_short(err['input'])} is {article} {other.title} {what}, and this cluster is "
            f"cloud: {this.name}{_default(this)})")


def _default(cloud: Cloud) -> str:
    return " (the default)" if cloud.name == DEFAULT_CLOUD else ""


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
    if "cloud" in data:
        problem = unknown_cloud(data["cloud"])
        if problem:
            raise ConfigError(problem, file=file, field="cloud")
    cloud = CLOUDS[data.get("cloud", DEFAULT_CLOUD)]
    if len(name) > cloud.max_name_length:
        raise ConfigError(f"the cluster's directory name is its name in {cloud.title}, which "
                          f"takes at most {cloud.max_name_length} characters, got "
                          f"{len(name)}", file=file, field="name")
    try:
        doc = Document.model_validate({"spec": data})
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
    return parse_cluster(directory.name, file, read_yaml(file, strict_booleans=True))


def _link_text(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:
        return "?"


#: What :func:`broken_link` says of a link whose target is missing, or that loops.
LINK_DANGLING = "which does not exist"
LINK_LOOP = "a loop of symbolic links"


def broken_link(link: Path) -> str | None:
    """Why the symbolic link ``link`` leads nowhere (a phrase for :func:`symlinked_cluster`),
    or None when what it points at exists."""
    try:
        os.stat(link)
    except OSError as exc:
        return (LINK_LOOP if exc.errno == errno.ELOOP else
                LINK_DANGLING if exc.errno == errno.ENOENT else
                f"which cannot be read ({exc.strerror})")
    return None


def symlinked_cluster(path: Path | str, target: str, broken: str | None = None) -> ConfigError:
    """The error for a cluster directory or ``cluster.yaml`` that is a symbolic link to
    ``target`` (``broken``: why it leads nowhere, see :func:`broken_link`): one message
    for synth, validate and changed (which reads links from Git, where a linked
    directory is a single file: never planned, if it were accepted)."""
    to = f"to {target}, {broken}" if broken else f"to {target}"
    if Path(path).name == CLUSTER_FILE:
        return ConfigError(f"is a symbolic link ({to}): a cluster's definition must "
                           "be a file of its own directory", file=path)
    return ConfigError(f"is a symbolic link ({to}): a cluster must be a real "
                       "directory, not a link to one", file=path)


def _entry_problem(entry: Path) -> ConfigError | None:
    """Why an entry of the clusters directory is not a cluster directory (None: it is one).

    Only real directories are clusters. A symbolic link is refused whatever it
    points to: a link to another cluster's directory would give one cluster two
    stacks, and one leading elsewhere would read a cluster from outside the
    repository. Markdown files (a README) are allowed beside the clusters.
    """
    if entry.is_symlink():
        return symlinked_cluster(entry, _link_text(entry), broken_link(entry))
    if entry.is_dir():
        file = entry / CLUSTER_FILE
        if file.is_symlink():
            return symlinked_cluster(file, _link_text(file), broken_link(file))
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
    # A rollout's wave label (wave: canary) names a cluster's wave, not a repository.
    waves = {r.rollout.label for r in repositories.values() if r.rollout is not None}
    for cluster in fleet.clusters.values():
        used.update(cluster.labels)  # a label turned off still names its repository
        for label in cluster.routing_labels:
            if label not in repositories and label not in waves:
                errors.append(ConfigError(
                    f"label {label!r} has no repository: add argocd.repositories.{label} "
                    f"to {management.file}", file=cluster.file, field=f"labels.{label}"))
    for label in repositories:
        if label not in used:
            errors.append(ConfigError(
                f"repository for label {label!r}, which no cluster carries",
                file=management.file, field=f"argocd.repositories.{label}"))
    try:
        sizing = fleet.argocd_sizing
    except ConfigError as exc:
        errors.append(ConfigError(exc.message, file=management.file, field=f"argocd.{exc.field}"))
    else:
        try:
            check_nodes(sizing, [p.to_props() for p in management.spec.node_pools])
        except ConfigError as exc:
            errors.append(ConfigError(exc.message, file=management.file, field=exc.field))
    for cluster in fleet.workers:
        if not cluster.spec.argocd.server and not management.spec.argocd.hostname:  # type: ignore[union-attr]
            errors.append(ConfigError(
                "the management Argo CD address is unknown: set argocd.server here, "
                f"or argocd.hostname in {management.file}",
                file=cluster.file, field="argocd.server"))
    if errors:
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)

