"""``fleetform validate``: check the fleet and its manifest repositories as a whole.

What is checked, in order:

* the fleet configuration (``config.load_fleet``: schema, one management
  cluster, every label a cluster carries has a repository);
* that every label's repository is available locally (see :mod:`fleetform.fleet.repositories`);
* the ApplicationSets the management stack generates, against the strict Argo CD schema,
  and each label's waves (every cluster of the label in one, no wave without a cluster);
* the layout of each repository: ``apps/<namespace>/<app>/`` are Helm charts,
  every ``values/<cluster>/`` names a cluster and every ``values/<cluster>/<app>/``
  an app of that repository, with a ``values.yaml`` (closest names suggested);
* Application name collisions across the fleet;
* every app, for every cluster that receives it, with exactly the value files
  Argo CD passes: ``helm lint`` (for the cluster's Kubernetes version), a real
  Helm render, and every rendered object against the Kubernetes schemas of
  the cluster's version (strict: unknown fields are errors) or, for Argo CD
  kinds, against the strict Argo CD schemas.

Each distinct (chart, value file contents) combination is rendered once,
however many clusters receive it. The dependencies a chart does not vendor in
``charts/`` are fetched (:mod:`fleetform.render`: the chart repository or OCI
registry, ``Chart.lock`` honoured, a cache shared across runs). A chart with a
dependency that cannot be fetched (or with ``--no-fetch``) is linted, reported
as "not rendered" with a warning naming each dependency and why, and fails the
run only with ``--strict``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence

from ...errors import ConfigError, ConfigErrors
from ...fleet.config import Fleet, load_fleet
from ...fleet.repositories import (NO_FETCH_OPTION, NO_FETCHER, check_cluster_names, display,
                                   locate, parse_overrides, plan, scan_apps)
from ...fleet.repository_fetch import RepositoryFetcher
from ...render import ChartDependencies
from ..repository_options import add_repository_options
from .checks import Run
from .report import (CHECKED_WITHOUT_RENDER, NOT_CHECKED, NotRendered, Problem, Progress,
                     Report)
from .schemas import (ARGOCD_KINDS, SCHEMAS_ENV, minor_key, check_kubernetes_version,
                      default_schemas_dir, schema_version)


# --------------------------------------------------------------------------- the run


def upgraded(fleet: Fleet, version: str) -> Fleet:
    """``fleet`` with every cluster running Kubernetes ``version``."""
    clusters = {name: dataclasses.replace(
        cluster, spec=cluster.spec.model_copy(update={"kubernetes_version": version}))
        for name, cluster in fleet.clusters.items()}
    return Fleet(root=fleet.root, clusters=clusters)


def _schemas_dir(given: str | Path | None, clusters_dir: Path,
                 env: Mapping[str, str] | None) -> Path:
    """``--argocd-schemas``, checked, else the default (see :func:`default_schemas_dir`)."""
    if given is None:
        return default_schemas_dir(clusters_dir, env)
    schemas_dir = Path(given)
    if not (schemas_dir / ARGOCD_KINDS["Application"]).is_file():
        raise ConfigError(f"no Argo CD schemas (expected {', '.join(ARGOCD_KINDS.values())})",
                          file=schemas_dir, field="--argocd-schemas")
    return schemas_dir


def _scanned(run: Run, locations: Mapping[str, RepoLocation]) -> dict[str, list[AppDir]]:
    """Each repository's apps; one that cannot be read (links leaving it) is reported and
    left out, whole."""
    scanned = {}
    for label, location in locations.items():
        try:
            scanned[label] = scan_apps(location)
        except ConfigError as exc:
            for e in exc.errors if isinstance(exc, ConfigErrors) else [exc]:
                run.error(e.message, file=display(Path(e.file)) if e.file else None,
                          field=e.field, label=label)
    return scanned


def _render(run: Run, deployments: list[Deployment]) -> None:
    """Lint and render each distinct (chart, values) of ``deployments`` once; the charts
    left unrendered for want of a dependency get one warning per dependency."""
    combos = run.combinations(deployments)
    run.report.combinations = len(combos)
    run.progress.start(len(combos))
    not_rendered: dict[Path, NotRendered] = {}
    for combo in combos:
        run.charts.check_combination(combo, not_rendered)
        run.progress.advance(f"{combo.app.label}: {combo.app.key}")
    for entry in not_rendered.values():
        for d in entry.dependencies:
            run.warning(f"not rendered: dependency {d['name']} {d['version']} from "
                        f"{d['repository'] or '(no repository)'}: {d['reason']}",
                        file=entry.chart, field=f"dependencies.{d['name']}",
                        label=entry.label, app=entry.app, clusters=tuple(entry.clusters))
    run.report.not_rendered = list(not_rendered.values())


def validate_fleet(clusters_dir: str | Path = "clusters", *,
                   repos: Mapping[str, Path] | None = None,
                   schemas_dir: str | Path | None = None,
                   clusters: Sequence[str] | None = None,
                   progress: Progress | None = None,
                   env: Mapping[str, str] | None = None,
                   kubernetes_version: str | None = None,
                   fetcher: RepositoryFetcher | None = None,
                   not_fetched: str = NO_FETCHER,
                   dependencies: ChartDependencies | None = None) -> Report:
    """Validate the fleet in ``clusters_dir`` and its manifest repositories.

    ``kubernetes_version`` (``X.Y``) checks the fleet as if every cluster ran
    that version: charts render with it, objects are checked against its
    schemas, and APIs it no longer serves are errors. It must be a version
    kubernetes-validate ships schemas for (see :func:`shipped_minors`).

    ``repos`` overrides where labels' repositories are (``{label: checkout}``);
    ``schemas_dir`` is the Argo CD schema directory (default: ``$FLEETFORM_ARGOCD_SCHEMAS``,
    else the schemas shipped with fleetform); ``clusters`` limits
    rendering to those clusters (layout checks stay fleet-wide); ``fetcher``
    clones the repositories not in this checkout (none are cloned without one;
    ``not_fetched`` then says why, see :func:`fleetform.fleet.repositories.locate`).
    ``dependencies`` fetches the dependencies that charts do not vendor; without it
    such charts are not rendered.
    Problems are returned in the report; usage errors raise ConfigError.
    """
    started = time.perf_counter()
    progress = progress or Progress()
    clusters_dir = Path(clusters_dir)
    report = Report(kubernetes_version=check_kubernetes_version(kubernetes_version))
    schemas_dir = _schemas_dir(schemas_dir, clusters_dir, env)
    try:
        fleet = load_fleet(clusters_dir)
    except ConfigError as exc:
        errors = exc.errors if isinstance(exc, ConfigErrors) else [exc]
        report.problems.extend(Problem("error", e.message, file=e.file, field=e.field)
                               for e in errors)
        report.seconds = time.perf_counter() - started
        return report
    check_cluster_names(fleet, clusters)
    if report.kubernetes_version:
        fleet = upgraded(fleet, report.kubernetes_version)
    selected = fleet.select(list(clusters or []))
    report.clusters = [c.name for c in selected]

    locations, missing = locate(fleet, repos, fetcher=fetcher, not_fetched=not_fetched)
    for e in missing:
        label = e.field.rsplit(".", 1)[-1] if e.field else None
        report.problems.append(Problem("error", e.message, file=e.file, field=e.field,
                                       label=label))
    report.repositories = {label: loc.describe() for label, loc in locations.items()}

    run = Run(fleet, locations, schemas_dir, report, progress, dependencies=dependencies)
    try:
        run.check_applicationsets()
        run.check_rollouts()
        scanned = _scanned(run, locations)
        locations = {label: loc for label, loc in locations.items() if label in scanned}
        charts = {label: run.check_layout(locations[label], apps, scanned)
                  for label, apps in scanned.items()}
        run.check_collisions(plan(fleet.clusters.values(), locations, scanned))
        deployments = plan(selected, locations, charts)
        report.pairs = len(deployments)
        for cluster in selected:
            version, note = schema_version(cluster.spec.kubernetes_version)
            report.schema_versions[cluster.name] = version
            if note:
                run.warning(note, file=display(cluster.file), field="kubernetes_version")
        _render(run, deployments)
    finally:
        run.close()
        if dependencies is not None:
            report.chart_downloads = dependencies.downloads
            report.chart_cache_hits = dependencies.cache_hits
    # Two labels may share a repository directory: report each finding once.
    report.problems = list(dict.fromkeys(report.problems))
    report.seconds = time.perf_counter() - started
    return report


# --------------------------------------------------------------------------- CLI


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
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")


class _RichProgress(Progress):
    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn,
                                   TimeElapsedColumn)

        # Refreshed by hand: a refresh thread would write while Helm's stderr is captured.
        self.bar = Bar(TextColumn("validate"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.description}"), TimeElapsedColumn(),
                       console=Console(stderr=True), transient=True, auto_refresh=False)
        self.task = None

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("", total=total)
        self.bar.refresh()

    def advance(self, description: str) -> None:
        self.bar.update(self.task, advance=1, description=description)
        self.bar.refresh()

    def stop(self) -> None:
        self.bar.stop()


def format_text(report: Report, strict: bool = False) -> str:
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


def run(args: argparse.Namespace) -> int:
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
    if args.format == "json":
        print(json.dumps(report.to_dict(args.strict), indent=2))
    else:
        print(format_text(report, args.strict))
    return 0 if report.ok(args.strict) else 1
