"""``fleetform validate``: the fleet and its repositories, checked offline
(:mod:`fleetform.commands.validate`)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ...fleet.repositories import NO_FETCH_OPTION, parse_overrides
from ...fleet.repository_fetch import RepositoryFetcher
from ...render import ChartDependencies
from ..validate import validate_fleet
from ..validate.report import CHECKED_WITHOUT_RENDER, NOT_CHECKED, Progress, Report
from ..validate.schemas import SCHEMAS_ENV, minor_key
from .repository_options import RepositoryArguments, add_repository_options
from .views import View, as_json, lines, show


@dataclass(frozen=True)
class ValidateArguments(RepositoryArguments):
    only: Optional[list[str]]
    argocd_schemas: Optional[Path]
    kubernetes_version: Optional[str]
    strict: bool
    format: str


read = ValidateArguments.read


def configure(parser: argparse.ArgumentParser) -> None:
    add_repository_options(parser)
    parser.add_argument("--cluster", action="append", metavar="NAME", dest="only",
                        help="render only for this cluster (repeatable); the layout checks "
                             "stay fleet-wide")
    parser.add_argument("--argocd-schemas", type=Path, metavar="DIR",
                        help=f"directory of the Argo CD JSON Schemas (default: ${SCHEMAS_ENV}, "
                             "else the Argo CD v3.4 schemas shipped with fleetform)")
    parser.add_argument("--kubernetes-version", metavar="X.Y",
                        help="check as if every cluster ran Kubernetes X.Y (an upgrade or a "
                             "replacement cluster): render with it, check its schemas, flag "
                             "APIs it no longer serves")
    parser.add_argument("--strict", action="store_true",
                        help="fail on warnings too, e.g. charts not rendered because a "
                             "dependency could not be fetched")
    parser.add_argument("--format", choices=tuple(views(False)), default="text",
                        help="output format (default: text)")


class _RichProgress(Progress):
    """A progress bar on a terminal's standard error."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn,
                                   TimeElapsedColumn)

        # Refreshed by hand: a refresh thread would write while Helm's stderr is captured.
        self.bar = Bar(TextColumn("validate"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.description}"), TimeElapsedColumn(),
                       console=Console(stderr=True), transient=True, auto_refresh=False)
        self.task: Any = None  # rich's TaskID, once started

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("", total=total)
        self.bar.refresh()

    def advance(self, description: str) -> None:
        self.bar.update(self.task, advance=1, description=description)
        self.bar.refresh()

    def stop(self) -> None:
        self.bar.stop()


def views(strict: bool) -> dict[str, View]:
    """The report's views; ``strict`` counts warnings as failures."""
    return {"text": lines(lambda report: format_text(report, strict)),
            "json": as_json(lambda report: report.to_dict(strict))}


def format_text(report: Report, strict: bool = False) -> str:
    """The report as text: repositories, problems, what was checked, and the verdict."""
    lines = []
    if report.kubernetes_version:
        lines.append(f"as if every cluster ran Kubernetes {report.kubernetes_version}")
    for label, where in sorted(report.repositories.items()):
        lines.append(f"repository {label}: {where}")
    for p in report.errors + report.warnings:
        lines.append(f"{p.severity}: {p}")
    if report.clusters:
        versions = ", ".join(sorted(set(report.schema_versions.values()), key=minor_key))
        lines.append(
            f"{report.pairs} (cluster, app) pairs on {len(report.clusters)} clusters -> "
            f"{report.combinations} distinct (chart, values) combinations: {report.renders} "
            f"rendered, {report.combinations - report.renders} not rendered; "
            f"{report.lints} lint runs")
        lines.append(
            f"{report.objects} objects checked against Kubernetes {versions or '-'} schemas, "
            f"{report.argocd_objects} against Argo CD schemas; {report.applicationsets} "
            "generated ApplicationSets checked")
        if report.chart_downloads or report.chart_cache_hits:
            lines.append(f"upstream charts: {report.chart_downloads} download(s), "
                         f"{report.chart_cache_hits} from the chart cache")
        if report.not_rendered:
            lines.append(
                f"not rendered: {len(report.not_rendered)} chart(s) with dependencies that "
                f"could not be had (above); checked: {', '.join(CHECKED_WITHOUT_RENDER)}; not "
                f"checked: {', '.join(NOT_CHECKED)} (--strict fails on this)")
        if report.unchecked_kinds:
            kinds = ", ".join(f"{k} ({a}) x{n}"
                              for (a, k), n in sorted(report.unchecked_kinds.items()))
            lines.append(f"no schema, not checked: {kinds}")
    verdict = "OK" if report.ok(strict) else "FAILED"
    lines.append(f"validate: {verdict}: {len(report.errors)} error(s), "
                 f"{len(report.warnings)} warning(s){' (strict)' if strict else ''} "
                 f"in {report.seconds:.2f}s")
    return "\n".join(lines)


def run(args: ValidateArguments) -> int:
    repos = parse_overrides(args.repo)
    progress: Progress | None = None
    if args.format == "text" and sys.stderr.isatty():
        progress = _RichProgress()
    fetcher = None if args.no_fetch else RepositoryFetcher()
    charts = None if args.no_fetch else ChartDependencies()
    try:
        report = validate_fleet(args.clusters_dir, repos=repos, schemas_dir=args.argocd_schemas,
                                clusters=args.only, progress=progress,
                                kubernetes_version=args.kubernetes_version, fetcher=fetcher,
                                not_fetched=NO_FETCH_OPTION, dependencies=charts)
    finally:
        if isinstance(progress, _RichProgress):
            progress.stop()
        if fetcher is not None:
            fetcher.close()
        if charts is not None:
            charts.close()
    show(views(args.strict), args.format, report)
    return 0 if report.ok(args.strict) else 1
