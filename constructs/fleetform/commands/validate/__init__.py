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

import dataclasses
import time
from pathlib import Path
from typing import Mapping, Sequence

from ...errors import ConfigError, ConfigErrors
from ...fleet.config import Fleet, load_fleet
from ...fleet.repositories import NO_FETCHER, check_cluster_names, display, locate, plan, scan_apps
from ...fleet.repository_fetch import RepositoryFetcher
from ...render import ChartDependencies
from .checks import Run
from .report import NotRendered, Problem, Progress, Report
from .schemas import (ARGOCD_KINDS, check_kubernetes_version, default_schemas_dir, k8s_validator,
                      kubernetes_minor, removed_api, schema_version)

#: What other capabilities use of validate's (diff checks its rendered objects with it).
__all__ = ["validate_fleet", "upgraded", "Report", "Problem", "Progress", "NotRendered",
           "ARGOCD_KINDS", "check_kubernetes_version", "default_schemas_dir", "k8s_validator",
           "kubernetes_minor", "removed_api", "schema_version"]


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


