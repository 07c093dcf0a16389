"""What a change does to the applications: routing and rendered manifests, per cluster.

Routing is the ApplicationSet expansion of each side (the same
:func:`fleetform.fleet.repositories.plan` that ``preview`` and ``validate`` use):
per cluster, the Applications gained and lost, with why (a label added or
removed, an app directory added or removed, a repository changed, a new or
removed cluster).

Manifests: a (cluster, application) pair is *affected* when its chart's
files, its value files' contents or its cluster's Kubernetes minor differ
between the sides (or it exists on one side only). Only affected pairs are
rendered, with real Helm at the cluster's Kubernetes version, and each
distinct (chart content, values content, Kubernetes version) once per run.
Pairs whose rendered objects differ get a per-object summary and a unified
diff of the YAML; Secrets' ``data`` and ``stringData`` values are redacted.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from ...errors import ConfigError
from ...fleet.config import Fleet, load_fleet
from ...fleet.repositories import (NO_FETCHER, Deployment, RepoLocation, locate, merge_values,
                                   plan, scan_apps)
from ...fleet.repository_fetch import RepositoryFetcher
from ...fleet.yamlfile import load_yaml_all, read_yaml
from ...render import ChartDependencies, complete_chart
from ...render.helm import Charts, captured_stderr, object_key, render_documents
from ..validate import k8s_validator, kubernetes_minor, removed_api, schema_version
from .sides import Side

REDACTED = "(redacted)"
REDACTED_CHANGED = "(redacted, changed)"


@dataclass
class SideApps:
    """One side's fleet and every Application its ApplicationSets generate.

    ``fleet`` is None for a side without clusters yet (the merge request that
    adds the first ones): nothing deployed there.
    """

    side: Side
    fleet: Fleet | None
    #: ``{(cluster, application): deployment}``
    deployments: dict[tuple[str, str], Deployment]
    #: Labels whose repository could not be read on this side: ``{label: why}``.
    unavailable: dict[str, str] = field(default_factory=dict)

    def without(self, labels: set[str]) -> "SideApps":
        """This side with the Applications of ``labels`` left out."""
        kept = {k: d for k, d in self.deployments.items() if d.label not in labels}
        return SideApps(self.side, self.fleet, kept, self.unavailable)

    @property
    def clusters(self) -> Mapping[str, Any]:
        return self.fleet.clusters if self.fleet is not None else {}


def load_side(side: Side, overrides: Mapping[str, Path] | None, remotes: set[str] | None,
              fetcher: RepositoryFetcher | None = None,
              not_fetched: str = NO_FETCHER) -> SideApps:
    """Load a side's fleet and expand its ApplicationSets; ConfigError when it cannot be.

    Repositories in this checkout are read from the side's tree; others are
    cloned by ``fetcher`` at the side's configured revision (a changed revision
    compares the two). A repository that cannot be read (not fetched, private
    without its credentials) is listed in ``unavailable``, not an error: the
    rest of the fleet is still compared.
    """
    directory = side.clusters_dir
    if not directory.is_dir() or not any(p.is_dir() and not p.name.startswith(".")
                                         for p in directory.iterdir()):
        return SideApps(side, None, {})
    fleet = load_fleet(side.clusters_dir)
    locations, missing = locate(fleet, overrides, root=side.checkout, remotes=remotes,
                                fetcher=fetcher, not_fetched=not_fetched)
    repositories = fleet.management.spec.argocd.repositories  # type: ignore[union-attr]
    for error in list(missing):
        # This repository, without the label's path on this side (its last app was
        # removed): Argo CD's git generator finds no directory there, so no app.
        label = (error.field or "").removeprefix("argocd.repositories.").removesuffix(".path")
        if error.field and error.field.endswith(".path") and label in repositories:
            locations[label] = RepoLocation(label, repositories[label], side.checkout, "remote")
            missing.remove(error)
    unavailable = {}
    for error in missing:
        label = (error.field or "").removeprefix("argocd.repositories.").split(".")[0]
        unavailable[label] = error.message
    scanned = {label: scan_apps(location) for label, location in locations.items()}
    deployments = plan(fleet.clusters.values(), locations, scanned)
    return SideApps(side, fleet, {(d.cluster.name, d.application): d for d in deployments},
                    unavailable)


# --------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class RoutedApp:
    """An Application a cluster gains or loses, and why."""

    application: str
    app: str
    label: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"application": self.application, "app": self.app, "label": self.label,
                "reason": self.reason}


@dataclass(frozen=True)
class ClusterRouting:
    cluster: str
    gained: tuple[RoutedApp, ...]
    lost: tuple[RoutedApp, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"cluster": self.cluster, "gained": [a.to_dict() for a in self.gained],
                "lost": [a.to_dict() for a in self.lost]}


def _reason(d: Deployment, this: SideApps, other: SideApps, gained: bool) -> str:
    cluster, label = d.cluster.name, d.label
    if other.fleet is None or cluster not in other.fleet.clusters:
        return "new cluster" if gained else "cluster removed"
    if label not in other.fleet.clusters[cluster].labels:
        return f"label {label} {'added to' if gained else 'removed from'} the cluster"
    repositories = other.fleet.management.spec.argocd.repositories  # type: ignore[union-attr]
    before = repositories.get(label)
    now = d.location.repository
    if before is not None and (before.url, before.path, before.revision) != \
            (now.url, now.path, now.revision):
        a, b = (before, now) if gained else (now, before)
        moved = [f"{k} {getattr(a, k) or '/'!s} -> {getattr(b, k) or '/'!s}"
                 for k in ("url", "path", "revision") if getattr(a, k) != getattr(b, k)]
        return f"repository of label {label} changed ({', '.join(moved)})"
    return f"app {'added to' if gained else 'removed from'} repository {label}"


def routing(old: SideApps, new: SideApps) -> list[ClusterRouting]:
    """Per cluster (either side), the Applications gained and lost."""
    out = []
    for cluster in sorted(set(old.clusters) | set(new.clusters)):
        gained = tuple(RoutedApp(d.application, d.app.key, d.label, _reason(d, new, old, True))
                       for key, d in sorted(new.deployments.items())
                       if key[0] == cluster and key not in old.deployments)
        lost = tuple(RoutedApp(d.application, d.app.key, d.label, _reason(d, old, new, False))
                     for key, d in sorted(old.deployments.items())
                     if key[0] == cluster and key not in new.deployments)
        if gained or lost:
            out.append(ClusterRouting(cluster, gained, lost))
    return out


# --------------------------------------------------------------------------- manifests


@dataclass(frozen=True)
class ObjectChange:
    kind: str
    namespace: str
    name: str
    api_version: str
    action: str  # "add", "change" or "remove"

    @property
    def ident(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace \
            else f"{self.kind} {self.name}"

    def to_dict(self) -> dict[str, str]:
        return {"apiVersion": self.api_version, "kind": self.kind,
                "namespace": self.namespace, "name": self.name, "action": self.action}


@dataclass
class PairDiff:
    """One (cluster, application) whose rendered manifests differ (or cannot be compared)."""

    cluster: str
    application: str
    app: str
    label: str
    status: str  # "changed", "added", "removed", "error" or "not rendered"
    kubernetes: str
    objects: list[ObjectChange] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Objects rendered on the newest side (None: not rendered there).
    rendered_objects: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"cluster": self.cluster, "application": self.application, "app": self.app,
                "label": self.label, "status": self.status, "kubernetes": self.kubernetes,
                "objects": [o.to_dict() for o in self.objects],
                "rendered_objects": self.rendered_objects,
                "problems": list(self.problems), "diff": list(self.diff)}


@dataclass
class _Rendered:
    objects: dict[tuple[str, str, str, str], dict] | None
    error: str | None = None
    missing: tuple[str, ...] = ()


class Renderer:
    """Renders (chart, values, Kubernetes minor) once each; counts what it renders."""

    def __init__(self, dependencies: ChartDependencies | None = None) -> None:
        #: Fetches the dependencies charts do not vendor (None: such charts are not rendered).
        self.dependencies = dependencies
        self.renders = 0
        self._cache: dict[tuple[str, ...], _Rendered] = {}
        self._hashes: dict[Path, str] = {}
        self._charts = Charts()

    def chart_hash(self, directory: Path) -> str:
        if directory not in self._hashes:
            digest = hashlib.sha256()
            for path in sorted(p for p in directory.rglob("*") if p.is_file()):
                content = path.read_bytes()
                rel = path.relative_to(directory).as_posix().encode()
                digest.update(len(rel).to_bytes(8, "big") + rel)
                digest.update(len(content).to_bytes(8, "big") + content)
            self._hashes[directory] = digest.hexdigest()
        return self._hashes[directory]

    @staticmethod
    def values_hash(d: Deployment) -> str:
        digest = hashlib.sha256()
        for f in d.value_files:
            content = f.local.read_bytes() if f.exists else b""
            digest.update(f.exists.to_bytes(1, "big") + len(content).to_bytes(8, "big") + content)
        return digest.hexdigest()

    def fingerprint(self, d: Deployment) -> tuple[str, ...]:
        """What a pair's rendered manifests depend on: equal fingerprints, equal objects."""
        return (self.chart_hash(d.app.directory), self.values_hash(d),
                kubernetes_minor(d.cluster.spec.kubernetes_version), d.app.namespace, d.app.name)

    def render(self, d: Deployment) -> _Rendered:
        key = self.fingerprint(d)
        if key not in self._cache:
            self._cache[key] = self._render(d, key[2])
        return self._cache[key]

    def _render(self, d: Deployment, minor: str) -> _Rendered:
        import helm_python as helm

        values: dict = {}
        for f in d.value_files:
            if not f.exists:
                continue
            try:
                data = read_yaml(f.local)
            except ConfigError as exc:
                return _Rendered(None, error=f"{f.path}: {exc.message}")
            if data is not None and not isinstance(data, dict):
                return _Rendered(None, error=f"{f.path}: values must be a mapping")
            values = merge_values(values, data or {})
        try:
            # Helm reads a copy without links (those leaving the repository are refused).
            directory = self._charts.copy(d.app.directory, d.location.checkout)
        except ConfigError as exc:
            return _Rendered(None, error=str(exc))
        except OSError as exc:
            return _Rendered(None, error=f"{d.app.directory}: cannot be copied for Helm "
                                         f"({exc.strerror or exc})")
        try:
            _, unavailable = complete_chart(directory, source=d.app.directory,
                                            root=d.location.checkout,
                                            dependencies=self.dependencies)
            if unavailable:
                return _Rendered(None, missing=tuple(str(u) for u in unavailable))
            chart = self._charts.load(directory)
            self.renders += 1
            with captured_stderr():
                documents = render_documents(chart, values, name=d.app.name,
                                             namespace=d.app.namespace, kube_minor=minor)
        except helm.HelmError as exc:
            return _Rendered(None, error=self._charts.original(
                " ".join(exc.detail.split()), d.app.directory, str(d.app.directory)))
        objects: dict[tuple[str, str, str, str], dict] = {}
        for name, text in documents:
            if name.endswith("NOTES.txt") or not text.strip():
                continue
            try:
                docs = load_yaml_all(text)
            except ConfigError as exc:
                return _Rendered(None, error=f"{name}: rendered output: {exc.message}")
            for obj in docs:
                if isinstance(obj, dict) and obj.get("kind"):
                    objects[object_key(obj, d.app.namespace)] = obj
        return _Rendered(objects)

    def close(self) -> None:
        self._charts.close()


def _redact(obj: dict, other: dict | None) -> dict:
    """A Secret with its values replaced (saying whether each changed against ``other``)."""
    if obj.get("kind") != "Secret" or str(obj.get("apiVersion")) != "v1":
        return obj
    out = dict(obj)
    for section in ("data", "stringData"):
        if isinstance(obj.get(section), dict):
            before = (other or {}).get(section) if isinstance((other or {}).get(section),
                                                              dict) else {}
            out[section] = {k: REDACTED if other is None or before.get(k) == v
                            else REDACTED_CHANGED for k, v in obj[section].items()}
    return out


def _text(objects: Mapping[tuple, dict], others: Mapping[tuple, dict]) -> list[str]:
    lines: list[str] = []
    for key in sorted(objects):
        obj = _redact(objects[key], others.get(key) if others is not objects else None)
        kind, ns, name = key[1], key[2], key[3]
        lines.append(f"# {kind} {ns + '/' if ns else ''}{name}")
        lines.extend(yaml.safe_dump(json.loads(json.dumps(obj, default=str)), sort_keys=True,
                                    default_flow_style=False, width=1000).splitlines())
        lines.append("---")
    return lines


def _removed_apis(objects: Mapping[tuple, dict], version: str) -> list[str]:
    """Objects whose API the cluster's Kubernetes version does not serve."""
    minor, _ = schema_version(version)
    out = []
    for key, obj in sorted(objects.items()):
        api, kind = str(obj.get("apiVersion", "")), key[1]
        group = api.rsplit("/", 1)[0] if "/" in api else ""
        if ("." not in group or group.endswith(".k8s.io")) and \
                k8s_validator(minor, api, kind) is None:
            why = removed_api(minor, api, kind) or "removed, or never served"
            out.append(f"Kubernetes {minor} does not serve {api} {kind} "
                       f"{key[2] + '/' if key[2] else ''}{key[3]}: {why}")
    return out


def compare_pair(key: tuple[str, str], old: Deployment | None, new: Deployment | None,
                 renderer: Renderer, labels: tuple[str, str]) -> PairDiff | None:
    """The manifest change of one affected pair; None when the rendered objects are equal."""
    d = new or old
    assert d is not None
    kube = kubernetes_minor(d.cluster.spec.kubernetes_version)
    if old is not None and new is not None:
        before = kubernetes_minor(old.cluster.spec.kubernetes_version)
        kube = kube if before == kube else f"{before} -> {kube}"
    pair = PairDiff(key[0], key[1], d.app.key, d.label,
                    "changed" if old and new else "added" if new else "removed", kube)
    a = renderer.render(old) if old is not None else _Rendered({})
    b = renderer.render(new) if new is not None else _Rendered({})
    for side, result in (("base", a), ("head", b)):
        if result.error:
            pair.problems.append(f"{side}: cannot render: {result.error}")
        if result.missing:
            pair.problems.extend(f"{side}: not rendered: dependency {m}" for m in result.missing)
    if a.objects is None or b.objects is None:
        pair.status = "error" if (a.error or b.error) else "not rendered"
        pair.rendered_objects = len(b.objects) if b.objects is not None and new else None
        return pair
    pair.rendered_objects = len(b.objects) if new is not None else None
    if new is not None:
        pair.problems.extend(_removed_apis(b.objects, new.cluster.spec.kubernetes_version))
    if a.objects == b.objects and not pair.problems and (new is None or b.objects):
        return None  # an app rendering nothing is reported even when it did before
    for k in sorted(set(a.objects) | set(b.objects)):
        action = ("add" if k not in a.objects else "remove" if k not in b.objects
                  else "change" if a.objects[k] != b.objects[k] else None)
        if action:
            obj = b.objects.get(k) or a.objects[k]
            pair.objects.append(ObjectChange(k[1], k[2], k[3], str(obj.get("apiVersion", "")),
                                             action))
    pair.diff = list(difflib.unified_diff(
        _text(a.objects, a.objects), _text(b.objects, a.objects),
        f"{labels[0]}/{key[0]}/{key[1]}", f"{labels[1]}/{key[0]}/{key[1]}", n=3,
        lineterm=""))
    return pair


def manifests(old: SideApps, new: SideApps, renderer: Renderer) -> tuple[list[PairDiff], int]:
    """The pairs whose manifests differ, and how many pairs were affected (rendered)."""
    out, affected = [], 0
    labels = (old.side.label, new.side.label)
    for key in sorted(set(old.deployments) | set(new.deployments)):
        a, b = old.deployments.get(key), new.deployments.get(key)
        if a is not None and b is not None and renderer.fingerprint(a) == renderer.fingerprint(b):
            continue
        affected += 1
        pair = compare_pair(key, a, b, renderer, labels)
        if pair is not None:
            out.append(pair)
    return out, affected
