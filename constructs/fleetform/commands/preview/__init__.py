"""``fleetform preview``: what deploys where, computed as the ApplicationSets select it.

A cluster that carries a label receives every ``apps/<namespace>/<app>/`` chart
of that label's repository, with the value files ``values.yaml`` then
``values/<cluster>/<app>/values.yaml`` (when it exists). ``preview`` lists
those (cluster, app) pairs as a table, and draws clusters → labels →
repositories → apps as Mermaid text or an SVG image. Nothing is rendered:
see ``fleetform validate`` for that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ...errors import ConfigError
from ...fleet.config import Cluster, Fleet, load_fleet
from ...fleet.repositories import (NO_FETCHER, Deployment, RepoLocation, check_cluster_names,
                                   closest, display, locate_or_raise, merge_values, plan,
                                   scan_apps)
from ...fleet.repository_fetch import RepositoryFetcher
from ...fleet.yamlfile import read_yaml
from .diagram import Graph, Node

LAYERS = ["Clusters", "Labels", "Repositories", "Applications"]


@dataclass(frozen=True)
class Row:
    """One Application: an app of a label's repository on a cluster."""

    deployment: Deployment
    chart: str
    version: str
    dependencies: tuple[str, ...]
    cluster_values: dict | None  # merged per-cluster values; None when unreadable

    @property
    def cluster(self) -> str:
        return self.deployment.cluster.name

    def to_dict(self) -> dict[str, Any]:
        d = self.deployment
        return {
            "cluster": d.cluster.name, "label": d.label,
            "repository": {"url": d.location.repository.url,
                           "revision": d.location.repository.revision,
                           "path": d.location.repository.path},
            "application": d.application, "namespace": d.app.namespace, "app": d.app.name,
            "chart": self.chart, "version": self.version,
            "dependencies": list(self.dependencies),
            "value_files": [{"path": f.path, "exists": f.exists} for f in d.value_files],
            "cluster_values": self.cluster_values,
        }


def _chart_info(directory: Path) -> tuple[str, str, tuple[str, ...]]:
    try:
        meta = read_yaml(directory / "Chart.yaml")
    except ConfigError:
        return "?", "?", ()
    if not isinstance(meta, dict):
        return "?", "?", ()
    deps = tuple(f"{d.get('name')} {d.get('version')}" for d in meta.get("dependencies") or []
                 if isinstance(d, dict))
    return str(meta.get("name", "?")), str(meta.get("version", "?")), deps


def _cluster_values(d: Deployment) -> dict | None:
    merged: dict = {}
    for f in d.value_files[1:]:
        if not f.exists:
            continue
        try:
            data = read_yaml(f.local)
        except ConfigError:
            return None
        if data is None:
            continue
        if not isinstance(data, dict):
            return None
        merged = merge_values(merged, data)
    return merged


def flatten(values: dict, prefix: str = "") -> list[str]:
    """``a.b=value`` for every leaf of a values mapping (lists shown as JSON)."""
    out = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.extend(flatten(value, name + "."))
        else:
            out.append(f"{name}={json.dumps(value) if not isinstance(value, str) else value}")
    return out


@dataclass
class Preview:
    """The (cluster, app) rows of a fleet, narrowed by cluster and app names."""

    fleet: Fleet
    locations: dict[str, RepoLocation]
    clusters: list[Cluster]
    rows: list[Row]

    def graph(self) -> Graph:
        """Clusters → labels → repositories → apps of the rows (and the clusters' labels)."""
        graph = Graph(LAYERS)
        by_app: dict[str, list[str]] = {}
        for row in self.rows:
            if any(f.exists for f in row.deployment.value_files[1:]):
                by_app.setdefault(_app_id(row.deployment), []).append(row.cluster)
        routed = {(r.cluster, r.deployment.label) for r in self.rows}
        for cluster in self.clusters:
            spec = cluster.spec
            graph.add(Node(f"cluster:{cluster.name}", 0,
                           [cluster.name, f"{cluster.role} · k8s {spec.kubernetes_version}"],
                           tooltip=f"{cluster.name} ({cluster.role}, {spec.region})"))
        for cluster in self.clusters:
            for label in sorted(cluster.routing_labels):
                if self.narrowed_to_apps and (cluster.name, label) not in routed:
                    continue
                graph.add(Node(f"label:{label}", 1, [label], tooltip=f"label {label}"))
                graph.link(f"cluster:{cluster.name}", f"label:{label}")
                location = self.locations.get(label)
                if location is None:
                    continue
                repo = location.repository
                repo_id = f"repo:{repo.url}#{repo.path}@{repo.revision}"
                graph.add(Node(repo_id, 2, [_short_url(repo.url),
                                            f"{repo.path or '/'} @ {repo.revision}"],
                               tooltip=f"{repo.url} path {repo.path or '/'} "
                                       f"revision {repo.revision}"))
                graph.link(f"label:{label}", repo_id)
        for row in self.rows:
            d = row.deployment
            repo = d.location.repository
            repo_id = f"repo:{repo.url}#{repo.path}@{repo.revision}"
            lines = [d.app.name, f"ns {d.app.namespace} · chart {row.version}"]
            if row.dependencies:
                lines.append(f"needs {', '.join(row.dependencies)}")
            clusters = by_app.get(_app_id(d))
            if clusters:
                lines.append(f"values for {', '.join(dict.fromkeys(clusters))}")
            node = graph.add(Node(_app_id(d), 3, lines, tooltip=display(d.app.directory)))
            if len(lines) > len(node.lines):  # another row knows more (values of a cluster)
                node.lines = lines
            graph.link(repo_id, node.id)
        return graph

    narrowed_to_apps: bool = False
    #: The controller shard of every cluster of the fleet (empty with one controller), and
    #: each shard's load over the whole fleet: (clusters, applications).
    shards: dict[str, int] = field(default_factory=dict)
    shard_load: list[tuple[int, int]] = field(default_factory=list)


def _app_id(d: Deployment) -> str:
    repo = d.location.repository
    return f"app:{repo.url}#{repo.path}@{repo.revision}:{d.app.key}"


def _short_url(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def build_preview(clusters_dir: str | Path = "clusters", *, repos: dict[str, Path] | None = None,
                  clusters: Sequence[str] | None = None, apps: Sequence[str] | None = None,
                  fetcher: RepositoryFetcher | None = None,
                  not_fetched: str = NO_FETCHER) -> Preview:
    """Every (cluster, app) pair of the fleet, narrowed to ``clusters`` and ``apps`` names.

    ``fetcher`` clones the repositories not in this checkout; the preview reads
    their files until it is closed (without one, ``not_fetched`` says why a
    repository was not cloned). Raises ConfigError for an unknown cluster or
    app name, or a repository that cannot be found (or fetched).
    """
    fleet = load_fleet(clusters_dir)
    check_cluster_names(fleet, clusters)
    locations = locate_or_raise(fleet, repos, fetcher=fetcher, not_fetched=not_fetched)
    scanned = {label: scan_apps(loc) for label, loc in locations.items()}
    known = {a.name for found in scanned.values() for a in found} | \
            {a.key for found in scanned.values() for a in found}
    for name in apps or []:
        if name not in known:
            names = sorted({a.name for found in scanned.values() for a in found})
            raise ConfigError(f"no such app {name!r}{closest(name, known)} "
                              f"(known: {', '.join(names) or 'none'})", field="--app")
    selected = fleet.select(list(clusters or []))
    deployments = plan(selected, locations, scanned)
    if apps:
        wanted = set(apps)
        deployments = [d for d in deployments if d.app.name in wanted or d.app.key in wanted]
        receiving = {d.cluster.name for d in deployments}
        selected = [c for c in selected if c.name in receiving]
    charts = {}
    rows = []
    for d in deployments:
        if d.app.directory not in charts:
            charts[d.app.directory] = _chart_info(d.app.directory)
        name, version, deps = charts[d.app.directory]
        rows.append(Row(d, name, version, deps, _cluster_values(d)))
    shards = fleet.controller_shards()
    load = [[0, 0] for _ in range(fleet.argocd_sizing.controller_replicas if shards else 0)]
    for name, shard in shards.items():
        load[shard][0] += 1
    for d in plan(fleet.clusters.values(), locations, scanned) if shards else []:
        load[shards[d.cluster.name]][1] += 1
    return Preview(fleet, locations, selected, rows, narrowed_to_apps=bool(apps),
                   shards=shards, shard_load=[(c, a) for c, a in load])


# --------------------------------------------------------------------------- CLI


