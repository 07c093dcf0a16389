"""``fleetform preview``: what deploys where, as a table and a diagram
(:mod:`fleetform.commands.preview`)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ...constructs.rollout import waves
from ...errors import ConfigError
from ...fleet.repositories import NO_FETCH_OPTION, parse_overrides
from ...fleet.repository_fetch import RepositoryFetcher
from ..preview import LAYERS, Preview, build_preview, flatten
from ..preview.diagram import Graph, mermaid, svg
from .repository_options import RepositoryArguments, add_repository_options
from .views import as_json, show


@dataclass(frozen=True)
class PreviewArguments(RepositoryArguments):
    only_clusters: Optional[list[str]]
    only_apps: Optional[list[str]]
    diagram: Optional[str]
    format: str


read = PreviewArguments.read


def configure(parser: argparse.ArgumentParser) -> None:
    add_repository_options(parser)
    parser.add_argument("--cluster", action="append", metavar="NAME", dest="only_clusters",
                        help="only this cluster (repeatable)")
    parser.add_argument("--app", action="append", metavar="NAME", dest="only_apps",
                        help="only this app, by name or NAMESPACE/NAME (repeatable)")
    parser.add_argument("--diagram", metavar="PATH",
                        help="write the diagram: PATH.svg (an image), PATH.mmd (Mermaid), "
                             "or - (Mermaid on stdout instead of the table)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _table(preview: Preview):
    from rich.table import Table

    table = Table(show_lines=True)
    for column in ("Cluster", "Label", "Application / namespace", "Chart", "Value files",
                   "Cluster values"):
        table.add_column(column, overflow="fold", no_wrap=column == "Value files")
    for row in preview.rows:
        d = row.deployment
        base = d.location.repository.path
        files = []
        for i, f in enumerate(d.value_files):
            rel = f.path[len(base) + 1:] if base and f.path.startswith(base + "/") else f.path
            if i == 0:
                rel = "values.yaml (the chart's)"
            files.append(f"✓ {rel}" if f.exists else f"· {rel} (absent)")
        chart = f"{row.chart} {row.version}"
        if row.dependencies:
            chart += "\n→ " + "\n→ ".join(row.dependencies)
        values = ("(unreadable: see fleetform validate)" if row.cluster_values is None
                  else "\n".join(flatten(row.cluster_values)) or "-")
        cluster = row.cluster if row.cluster not in preview.shards else \
            f"{row.cluster}\nshard {preview.shards[row.cluster]}"
        table.add_row(cluster, d.label, f"{d.application}\nin {d.app.namespace}", chart,
                      "\n".join(files), values)
    return table


def _waves(preview: Preview) -> dict[str, dict[str, list[str]]]:
    """``{label: {wave: [clusters]}}`` of the labels that roll out in waves."""
    fleet = preview.fleet
    repositories = fleet.management.spec.argocd.repositories  # type: ignore[union-attr,attr-defined]
    return {label: waves(r.rollout, {c.name: dict(c.labels) for c in fleet.clusters.values()
                                     if label in c.routing_labels})
            for label, r in sorted(repositories.items()) if r.rollout is not None}


def _argocd(preview: Preview) -> dict[str, Any]:
    sizing = preview.fleet.argocd_sizing
    return {"high_availability": sizing.high_availability,
            "controller_replicas": sizing.controller_replicas,
            "shards": preview.shards,
            "load": [{"shard": i, "clusters": c, "applications": a}
                     for i, (c, a) in enumerate(preview.shard_load)],
            "waves": _waves(preview)}


def run(args: PreviewArguments) -> int:
    target = args.diagram
    if target and target != "-" and Path(target).suffix not in (".svg", ".mmd"):
        raise ConfigError(f"must end in .svg or .mmd (or be -), got {target!r}",
                          field="--diagram")
    repos = parse_overrides(args.repo)
    if args.no_fetch:
        return _run(args, build_preview(args.clusters_dir, repos=repos,
                                        clusters=args.only_clusters, apps=args.only_apps,
                                        not_fetched=NO_FETCH_OPTION))
    with RepositoryFetcher() as fetcher:  # the table reads the clones' value files
        return _run(args, build_preview(args.clusters_dir, repos=repos,
                                        clusters=args.only_clusters, apps=args.only_apps,
                                        fetcher=fetcher))


@dataclass(frozen=True)
class Shown:
    """What ``preview`` shows: the preview, its graph, and where the diagram was written."""

    preview: Preview
    graph: Graph
    diagram: str | None


def _json(shown: Shown) -> dict[str, Any]:
    preview, graph = shown.preview, shown.graph
    return {
        "clusters": [c.name for c in preview.clusters],
        "applications": [r.to_dict() for r in preview.rows],
        "argocd": _argocd(preview),
        "graph": {"nodes": [{"id": n.id, "layer": LAYERS[n.layer], "lines": n.lines}
                            for n in graph.nodes.values()],
                  "edges": [list(e) for e in graph.edges]},
    }


def _text(shown: Shown) -> str:
    from rich.console import Console

    preview = shown.preview
    # Not a terminal: wide enough that cells do not wrap (the table takes what it needs).
    console = Console(width=None if sys.stdout.isatty() else 240, highlight=False)
    with console.capture() as captured:
        if preview.rows:
            console.print("What deploys where, as the ApplicationSets select it:")
            console.print(_table(preview))
        counts = {c.name: sum(1 for r in preview.rows if r.cluster == c.name)
                  for c in preview.clusters}
        if not preview.rows:
            console.print("nothing matches: the apps named are not deployed to the clusters "
                          "named")
        else:
            console.print(f"{_count(len(preview.rows), 'application')} on "
                          f"{_count(len(preview.clusters), 'cluster')} ("
                          + ", ".join(f"{name}: {n}" for name, n in counts.items()) + ")")
        sizing = preview.fleet.argocd_sizing
        if sizing.high_availability or preview.shard_load:
            console.print(
                f"Argo CD: {'highly available' if sizing.high_availability else 'one replica'}, "
                f"{_count(sizing.controller_replicas, 'controller shard')}"
                + (": " + "; ".join(f"shard {i}: {_count(c, 'cluster')}, "
                                    f"{_count(a, 'application')}"
                                    for i, (c, a) in enumerate(preview.shard_load))
                   if preview.shard_load else ""))
        for label, by_wave in _waves(preview).items():
            console.print(f"label {label} rolls out in waves: " + " -> ".join(
                f"{wave} ({', '.join(names) or 'no cluster'})" for wave, names in by_wave.items()))
        if shown.diagram:
            console.print(f"diagram written to {shown.diagram} ({len(shown.graph.nodes)} nodes, "
                          f"{len(shown.graph.edges)} edges)")
    return captured.get()


VIEWS = {"text": _text, "json": as_json(_json)}


def _run(args: PreviewArguments, preview: Preview) -> int:
    target = args.diagram
    graph = preview.graph()
    if target == "-":
        sys.stdout.write(mermaid(graph))
        return 0
    if target:
        path = Path(target)
        if not path.parent.is_dir():
            raise ConfigError("directory does not exist", file=path.parent, field="--diagram")
        text = svg(graph, title="fleetform: clusters → labels → repositories → apps") \
            if path.suffix == ".svg" else mermaid(graph)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:  # a directory, /proc/..., a read-only file system...
            raise ConfigError(f"cannot be written ({exc.strerror})", file=path,
                              field="--diagram") from None
    show(VIEWS, args.format, Shown(preview, graph, target))
    return 0
