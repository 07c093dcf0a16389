"""The clusters of a Git revision (each cluster.yaml read from the tree), and declared renames."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Mapping

from ...constructs.argocd_sizing import ArgoCdSizing, controller_shards
from ...errors import ConfigError
from ...fleet.clouds import CLOUDS, DEFAULT_CLOUD
from ...fleet.cluster_yaml import ROLES, WorkerArgoCd, protected
from ...fleet.config import DNS1123_LABEL, LINK_DANGLING, LINK_LOOP, broken_link, symlinked_cluster
from ...fleet.yamlfile import load_yaml
from ...integrations.git import Git, SYMLINK_MODE
from .results import CLUSTERS_DIR, CLUSTER_FILE


#: The commit trailer that records a cluster rename whose state was moved.
RENAME_TRAILER = "Fleetform-Renamed"


#: A worker's ``argocd`` defaults, as the cluster.yaml model has them.
_WORKER_ARGOCD = WorkerArgoCd()


@dataclass(frozen=True)
class Spec:
    """The little of a cluster.yaml this module reads: it reads the files of any
    revision, valid or not, which the model (``fleet.cluster_yaml``) would refuse;
    defaults and rules are the model's."""

    role: str
    argocd_hostname: str | None
    prevent_destroy: bool | None
    #: A worker's own ``argocd.server``, ``grpc_web`` and ``insecure``.
    argocd_server: str | None = None
    grpc_web: bool = _WORKER_ARGOCD.grpc_web
    insecure: bool = _WORKER_ARGOCD.insecure
    #: The cloud (``cloud:``, a known one or the default) and ``region``.
    cloud: str = DEFAULT_CLOUD
    region: str | None = None
    #: The management cluster's ``argocd.high_availability`` and ``controller_replicas``.
    high_availability: bool | None = None
    controller_replicas: int | None = None

    @property
    def protected(self) -> bool:
        return protected(self.role, self.prevent_destroy)


def parse(text: bytes | str | None, file: str, *, strict: bool) -> Spec | None:
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
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        data = load_yaml(text, file=file, strict_booleans=True)
    except UnicodeDecodeError:
        fail("is not UTF-8 text")
        return None
    except ConfigError as exc:
        fail(exc.message)
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
    argocd = argocd if isinstance(argocd, dict) else {}
    hostname, server = argocd.get("hostname"), argocd.get("server")
    grpc_web, insecure = argocd.get("grpc_web"), argocd.get("insecure")
    prevent = data.get("prevent_destroy")
    cloud, region = data.get("cloud", DEFAULT_CLOUD), data.get("region")
    if cloud not in CLOUDS:
        fail(f"must be one of {', '.join(CLOUDS)}, got {cloud!r}", "cloud")
        cloud = DEFAULT_CLOUD
    return Spec(role=role, cloud=cloud, region=region if isinstance(region, str) else None, argocd_hostname=hostname if isinstance(hostname, str) else None,
                prevent_destroy=prevent if isinstance(prevent, bool) else None,
                argocd_server=server if isinstance(server, str) else None,
                grpc_web=grpc_web if isinstance(grpc_web, bool) else _WORKER_ARGOCD.grpc_web,
                insecure=insecure if isinstance(insecure, bool) else _WORKER_ARGOCD.insecure,
                high_availability=_typed(argocd.get("high_availability"), bool),
                controller_replicas=_typed(argocd.get("controller_replicas"), int))


def _typed(value: object, kind: type) -> object:
    return value if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)) \
        else None


class Tree:
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

    def broken(self, path: str) -> str | None:
        """Why the link ``clusters/<path>`` leads nowhere (see
        :func:`fleetform.fleet.config.broken_link`), None when its target exists."""
        if self.commit is None:
            return broken_link(self.git.root / CLUSTERS_DIR / path)
        current = posixpath.normpath(f"{self.git.prefix}{CLUSTERS_DIR}/{path}")
        seen: set[str] = set()
        while True:
            entry = self.git.entry(self.commit, current)
            if entry is None:
                return LINK_DANGLING
            mode, target = entry
            if mode != SYMLINK_MODE:
                return None
            if current in seen:
                return LINK_LOOP
            seen.add(current)
            text = (target or b"").decode("utf-8", errors="surrogateescape")
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), text))
            if text.startswith("/") or joined == ".." or joined.startswith("../"):
                # Outside the repository Git knows nothing: ask this machine, as synth would.
                top = self.git.root.joinpath(*[".."] * self.git.prefix.count("/"))
                return broken_link(top / joined)
            current = joined

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


def check_name(name: str) -> None:
    """Cluster names end up in job names and commands: only DNS-1123 labels pass."""
    if not DNS1123_LABEL.fullmatch(name) or len(name) > 63:
        raise ConfigError(
            "the cluster's directory name must be a DNS-1123 label "
            f"(lowercase letters, digits and '-', at most 63), got {name!r}",
            file=f"{CLUSTERS_DIR}/{name}", field="name")


def order(item) -> tuple:
    """Sort key of clusters: the management cluster first, then by name."""
    return (item.role != "management", item.name)


def read_specs(tree: Tree, *, strict: bool) -> dict[str, Spec]:
    """``{name: Spec}`` of every cluster of ``tree`` (``strict``: bad files and links raise)."""
    if strict and tree.links():
        link = tree.links()[0]
        raise symlinked_cluster(f"{CLUSTERS_DIR}/{link}", tree.link_target(link),
                                tree.broken(link))
    out = {}
    for name in tree.names():
        if strict:
            check_name(name)
        spec = parse(tree.read(name), tree.file(name), strict=strict)
        if spec is not None:
            out[name] = spec
    return out


def management(specs: Mapping[str, Spec]) -> tuple[str, Spec] | None:
    """``(name, spec)`` of the one management cluster of ``specs``; None unless exactly one."""
    found = [(n, s) for n, s in specs.items() if s.role == "management"]
    return found[0] if len(found) == 1 else None


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


def check_renames(old: Tree, new: Tree, added: list[str], removed: list[str],
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


def management_moved(old: Tree, new_specs: Mapping[str, Spec]) -> str | None:
    """Why workers are affected by a management change, if they are.

    A worker registers through the management cluster's ``argocd.hostname``
    (see ``Fleet.argocd_server``): its stack changes when that address does.
    """
    new = management(new_specs)
    if new is None:
        return None
    name, spec = new
    before = parse(old.read(name), old.file(name), strict=False) \
        if name in old.names() else None
    if before is None or before.role != "management":
        previous = management(read_specs(old, strict=False))
        if previous is None:
            return None  # no management before: every worker is new or was invalid
        return (f"the management cluster changed ({previous[0]} -> {name}): "
                "workers register in its Argo CD")
    if before.argocd_hostname != spec.argocd_hostname:
        return (f"the management Argo CD address changed ({before.argocd_hostname} -> "
                f"{spec.argocd_hostname}): workers register through it")
    return None


def _shards(names: list[str], spec: Spec) -> dict[str, int]:
    """Every cluster's controller shard, as ``Fleet.controller_shards`` computes it."""
    try:
        sizing = ArgoCdSizing.for_fleet(len(names), high_availability=spec.high_availability,
                                        controller_replicas=spec.controller_replicas)
    except ConfigError:
        return {}  # synth reports it
    replicas = sizing.controller_replicas
    return controller_shards(names, replicas) if replicas > 1 else {}


def shards_moved(old: Tree, new_specs: Mapping[str, Spec]) -> dict[str, str]:
    """The clusters of both sides whose Argo CD controller shard the change moves, and why.

    A cluster's shard depends on the whole fleet (its size, the controller's replicas):
    adding a cluster can move a few others, and a new replica moves its share. Only
    names and the management cluster's file are read.
    """
    new = management(new_specs)
    if new is None or new[0] not in old.names():
        return {}  # a new management cluster: management_moved covers the workers
    before = parse(old.read(new[0]), old.file(new[0]), strict=False)
    old_names, new_names = sorted(old.names()), sorted(new_specs)
    if before is None or (old_names == new_names and
                          (before.high_availability, before.controller_replicas) ==
                          (new[1].high_availability, new[1].controller_replicas)):
        return {}
    was, now = _shards(old_names, before), _shards(new_names, new[1])
    return {name: (f"its Argo CD controller shard moves ({was.get(name, 'none')} -> "
                   f"{now.get(name, 'none')}): the fleet's size or the controller's replicas "
                   "changed")
            for name in new_names if name in old_names and was.get(name) != now.get(name)}
