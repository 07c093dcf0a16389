"""What ``fleetform validate`` found: problems, the report and its progress callbacks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


#: Clusters named in a one-line message before "and N more" (JSON lists them all).
MAX_LISTED = 6


@dataclass(frozen=True)
class Problem:
    """One finding: where (file, field), what, and in which repository/app/clusters."""

    severity: str  # "error" or "warning"
    message: str
    file: str | None = None
    field: str | None = None
    label: str | None = None
    app: str | None = None
    clusters: tuple[str, ...] = ()
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.field) if p)
        context = []
        if self.label:
            context.append(f"repository {self.label!r}")
        if self.app:
            context.append(f"app {self.app}")
        if self.clusters:
            noun = "cluster" if len(self.clusters) == 1 else "clusters"
            names = ", ".join(self.clusters[:MAX_LISTED])
            if len(self.clusters) > MAX_LISTED:
                names += f" and {len(self.clusters) - MAX_LISTED} more"
            context.append(f"{noun} {names}")
        if self.values:
            context.append(f"values {' + '.join(self.values)}")
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} [{'; '.join(context)}]" if context else text

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "message": self.message, "file": self.file,
                "field": self.field, "repository": self.label, "app": self.app,
                "clusters": list(self.clusters), "values": list(self.values)}


@dataclass
class NotRendered:
    """A chart not rendered because dependencies it does not vendor could not be had."""

    label: str
    app: str
    chart: str
    clusters: list[str]
    dependencies: list[dict[str, str]]

    def to_dict(self) -> dict[str, Any]:
        return {"repository": self.label, "app": self.app, "chart": self.chart,
                "clusters": self.clusters, "dependencies": self.dependencies,
                "checked": list(CHECKED_WITHOUT_RENDER), "not_checked": list(NOT_CHECKED)}


CHECKED_WITHOUT_RENDER = ("Chart.yaml", "value files (YAML)", "helm lint of the chart itself")


NOT_CHECKED = ("templates of the dependencies", "rendered objects against schemas")


@dataclass
class Report:
    """Everything ``validate`` found and did."""

    problems: list[Problem] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)
    repositories: dict[str, str] = field(default_factory=dict)
    pairs: int = 0
    combinations: int = 0
    renders: int = 0
    lints: int = 0
    not_rendered: list[NotRendered] = field(default_factory=list)
    objects: int = 0
    argocd_objects: int = 0
    unchecked_kinds: Counter = field(default_factory=Counter)
    applicationsets: int = 0
    schema_versions: dict[str, str] = field(default_factory=dict)
    #: ``--kubernetes-version``: the version every cluster was checked as running.
    kubernetes_version: str | None = None
    #: Upstream charts downloaded, and those taken from the chart cache.
    chart_downloads: int = 0
    chart_cache_hits: int = 0
    seconds: float = 0.0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    def to_dict(self, strict: bool = False) -> dict[str, Any]:
        return {
            "ok": self.ok(strict), "strict": strict,
            "summary": {
                "clusters": len(self.clusters), "repositories": len(self.repositories),
                "pairs": self.pairs, "combinations": self.combinations,
                "renders": self.renders, "lints": self.lints,
                "not_rendered": len(self.not_rendered), "objects": self.objects,
                "argocd_objects": self.argocd_objects,
                "applicationsets": self.applicationsets,
                "chart_downloads": self.chart_downloads,
                "chart_cache_hits": self.chart_cache_hits,
                "errors": len(self.errors), "warnings": len(self.warnings),
                "seconds": round(self.seconds, 3),
            },
            "repositories": self.repositories,
            "kubernetes_version": self.kubernetes_version,
            "kubernetes_schemas": self.schema_versions,
            "problems": [p.to_dict() for p in self.problems],
            "not_rendered": [n.to_dict() for n in self.not_rendered],
            "unchecked_kinds": [{"apiVersion": a, "kind": k, "count": n}
                                for (a, k), n in sorted(self.unchecked_kinds.items())],
        }


class Progress:
    """Progress callbacks (no-ops here; the CLI plugs in a rich progress bar)."""

    def start(self, total: int) -> None:
        """``total`` combinations are about to be checked."""

    def advance(self, description: str) -> None:
        """One combination is done."""


class Findings:
    """Where every check of a run puts what it finds: the problems of ``report``."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def error(self, message: str, **where: Any) -> None:
        self.report.problems.append(Problem("error", message, **where))

    def warning(self, message: str, **where: Any) -> None:
        self.report.problems.append(Problem("warning", message, **where))
