"""The checks of ``fleetform validate``: repository layout, apps, values, collisions, renders."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Mapping

from ...constructs.applicationsets import applicationsets
from ...constructs.rollout import rollout_problems
from ...errors import ConfigError
from ...fleet.config import DNS1123_LABEL, Fleet
from ...fleet.repositories import (AppDir, Deployment, RepoLocation, ValueFile, closest, display,
                                   merge_values)
from ...fleet.yamlfile import read_yaml
from ...render import NOT_FETCHED, ChartDependencies
from .render import ChartChecks, Combination
from .report import Findings, Progress, Report
from .schemas import ArgoSchemas


EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


#: Helm's limit on release names (the app's directory name).
MAX_RELEASE_NAME = 53


VALUES_FILE = "values.yaml"


class Run:
    """One validate run over a loaded fleet: the fleet's, the repositories' and the values'
    checks here, the charts' in :attr:`charts`; all put what they find in :attr:`findings`
    (the problems of ``report``)."""

    def __init__(self, fleet: Fleet, locations: dict[str, RepoLocation],
                 schemas_dir: Path | None, report: Report, progress: Progress,
                 dependencies: ChartDependencies | None = None,
                 not_fetched: str = NOT_FETCHED) -> None:
        self.fleet = fleet
        self.locations = locations
        self.report = report
        self.progress = progress
        self.findings = Findings(report)
        self.error, self.warning = self.findings.error, self.findings.warning
        self.schemas = ArgoSchemas(schemas_dir, self.findings)
        self.charts = ChartChecks(self.findings, report, locations, self.schemas,
                                  dependencies=dependencies, not_fetched=not_fetched)
        self._parsed: dict[Path, dict | None] = {}

    def close(self) -> None:
        self.charts.close()

    # -- fleet-level checks -----------------------------------------------

    def check_applicationsets(self) -> None:
        repositories = self.fleet.management.spec.argocd.repositories  # type: ignore[union-attr]
        for label, appset in zip(sorted(repositories), applicationsets(repositories)):
            self.report.applicationsets += 1
            problem = self.schemas.error("ApplicationSet", appset)
            if problem:
                self.error(f"the generated ApplicationSet {appset['metadata']['name']} is "
                           f"invalid: {problem}", file=display(self.fleet.management.file),
                           field=f"argocd.repositories.{label}", label=label)

    def check_rollouts(self) -> None:
        """Each label's waves: every cluster of the label in one, no wave without a cluster."""
        management = self.fleet.management
        repositories = management.spec.argocd.repositories  # type: ignore[union-attr]
        for label, repository in sorted(repositories.items()):
            if repository.rollout is None:
                continue
            carrying = {c.name: dict(c.labels) for c in self.fleet.clusters.values()
                        if label in c.routing_labels}
            for cluster, field, message in rollout_problems(repository.rollout, carrying):
                if cluster is None:
                    self.error(message, file=display(management.file),
                               field=f"argocd.repositories.{label}.rollout.{field}",
                               label=label)
                else:
                    self.error(f"label {label!r}: {message}",
                               file=display(self.fleet.clusters[cluster].file), field=field,
                               label=label)

    def check_layout(self, location: RepoLocation, apps: list[AppDir],
                     all_apps: Mapping[str, list[AppDir]]) -> list[AppDir]:
        """Check a repository's directories; returns the apps that are charts."""
        label = location.label
        base = location.directory
        for entry in sorted(base.iterdir()):
            if entry.is_dir() and entry.name not in ("apps", "values"):
                hint = closest(entry.name, ["apps", "values"])
                if hint:
                    self.error(f"stray directory{hint}: Argo CD only reads apps/ and values/",
                               file=display(entry), label=label)
        apps_root = base / "apps"
        if not apps_root.is_dir():
            self.warning("no apps/ directory: this label deploys nothing",
                         file=display(base), label=label)
        else:
            for entry in sorted(apps_root.iterdir()):
                if entry.is_file():
                    self.warning("stray file: Argo CD only deploys directories "
                                 "apps/<namespace>/<app>/", file=display(entry), label=label)
                    continue
                if not DNS1123_LABEL.fullmatch(entry.name) or len(entry.name) > 63:
                    self.error(f"namespace {entry.name!r} is not a DNS-1123 label (lowercase "
                               "letters, digits and '-', at most 63)",
                               file=display(entry), label=label)
                for sub in sorted(entry.iterdir()):
                    if sub.is_file():
                        self.warning("stray file: Argo CD only deploys directories "
                                     "apps/<namespace>/<app>/", file=display(sub), label=label)
        charts = []
        for app in apps:
            if self.check_app(app):
                charts.append(app)
        self.check_values(location, apps, all_apps)
        return charts

    def check_app(self, app: AppDir) -> bool:
        where = {"label": app.label, "app": app.key}
        ok = True
        if not DNS1123_LABEL.fullmatch(app.name) or len(app.name) > MAX_RELEASE_NAME:
            self.error(f"app name {app.name!r} is not a valid Helm release name (lowercase "
                       f"letters, digits and '-', at most {MAX_RELEASE_NAME})",
                       file=display(app.directory), **where)
            ok = False
        chart_file = app.directory / "Chart.yaml"
        if not chart_file.is_file():
            hint = closest("Chart.yaml", [p.name for p in app.directory.iterdir()])
            self.error(f"not a Helm chart: no Chart.yaml{hint}; Argo CD creates an "
                       "Application for every apps/<namespace>/<app>/ directory",
                       file=display(app.directory), **where)
            return False
        try:
            meta = read_yaml(chart_file)
        except ConfigError as exc:
            self.error(exc.message, file=display(chart_file), **where)
            return False
        if not isinstance(meta, dict):
            self.error("must be a mapping (apiVersion, name, version, ...)",
                       file=display(chart_file), **where)
            return False
        deps = meta.get("dependencies") or []
        if not isinstance(deps, list):
            self.error("must be a list", file=display(chart_file), field="dependencies", **where)
            return False
        for i, dep in enumerate(deps):
            if not isinstance(dep, dict):
                self.error("must be a mapping", file=display(chart_file),
                           field=f"dependencies[{i}]", **where)
                ok = False
                continue
            version = str(dep.get("version", ""))
            if not EXACT_VERSION.fullmatch(version):
                self.warning(f"dependency {dep.get('name')!r} is not pinned to an exact version "
                             f"(got {version!r}): the version Argo CD builds may change "
                             "between syncs", file=display(chart_file),
                             field=f"dependencies[{i}].version", **where)
            if not dep.get("repository"):
                self.error(f"dependency {dep.get('name')!r} has no repository URL",
                           file=display(chart_file), field=f"dependencies[{i}].repository",
                           **where)
                ok = False
        return ok

    def check_values(self, location: RepoLocation, apps: list[AppDir],
                     all_apps: Mapping[str, list[AppDir]]) -> None:
        label = location.label
        root = location.directory / "values"
        if not root.is_dir():
            return
        clusters = self.fleet.clusters
        app_names = {a.name for a in apps}
        for entry in sorted(root.iterdir()):
            if entry.is_file():
                self.error("stray file: per-cluster values go in "
                           f"values/<cluster>/<app>/{VALUES_FILE}", file=display(entry),
                           label=label)
                continue
            name = entry.name
            if name not in clusters:
                self.error(f"no cluster named {name!r}{closest(name, clusters)}: "
                           "these values are never used", file=display(entry), label=label)
                continue
            if label not in clusters[name].labels:
                self.warning(f"cluster {name!r} does not carry label {label!r}: these values "
                             "are not used until it does", file=display(entry), label=label)
            elif label not in clusters[name].routing_labels:
                self.warning(f"cluster {name!r} has label {label!r} turned off "
                             f"({clusters[name].labels[label]!r}): these values are not used "
                             "until it is on", file=display(entry), label=label)
            for sub in sorted(entry.iterdir()):
                if sub.is_file():
                    self.error(f"stray file: values of an app go in "
                               f"values/{name}/<app>/{VALUES_FILE}", file=display(sub),
                               label=label, clusters=(name,))
                    continue
                if sub.name not in app_names:
                    elsewhere = sorted(other for other, others in all_apps.items()
                                       if other != label and sub.name in {a.name for a in others})
                    hint = (f" (it is an app of repository {elsewhere[0]!r}: its values go "
                            "there)" if elsewhere else closest(sub.name, app_names))
                    self.error(f"no app {sub.name!r} in repository {label!r}{hint}: these "
                               "values are never used", file=display(sub), label=label,
                               clusters=(name,))
                    continue
                for file in sorted(sub.iterdir()):
                    if file.name == VALUES_FILE:
                        continue
                    hint = closest(file.name, [VALUES_FILE])
                    message = (f"stray {'file' if file.is_file() else 'directory'}{hint}: "
                               f"Argo CD only reads {VALUES_FILE} here")
                    (self.error if hint else self.warning)(
                        message, file=display(file), label=label, clusters=(name,),
                        app=next(a.key for a in apps if a.name == sub.name))

    def check_collisions(self, deployments: list[Deployment]) -> None:
        by_name: dict[str, list[Deployment]] = {}
        for d in deployments:
            by_name.setdefault(d.application, []).append(d)
        for name, group in sorted(by_name.items()):
            if len(group) < 2:
                continue
            sources = "; ".join(f"repository {d.label!r} app {d.app.key} on {d.cluster.name}"
                                for d in group)
            last = group[-1]
            self.error(f"Application {name!r} would be generated {len(group)} times ({sources}): "
                       "Argo CD keeps only one; rename an app", file=display(last.app.directory),
                       label=last.label, app=last.app.key,
                       clusters=tuple(dict.fromkeys(d.cluster.name for d in group)))

    # -- per (cluster, app) -------------------------------------------------

    def parsed_values(self, file: ValueFile, d: Deployment) -> dict | None:
        """The mapping in a value file (None, reported once, when it is not one)."""
        if file.local in self._parsed:
            return self._parsed[file.local]
        where = {"file": display(file.local), "label": d.label, "app": d.app.key}
        data: dict | None = None
        try:
            loaded = read_yaml(file.local)
        except ConfigError as exc:
            self.error(exc.message, **where)
        else:
            if loaded is None:
                data = {}
            elif isinstance(loaded, dict):
                data = loaded
            else:
                self.error(f"values must be a mapping, got {type(loaded).__name__}", **where)
        self._parsed[file.local] = data
        return data

    def combinations(self, deployments: list[Deployment]) -> list[Combination]:
        combos: dict[tuple[Path, str], Combination] = {}
        for d in deployments:
            files = tuple(f for f in d.value_files if f.exists)
            merged: dict = {}
            digest = hashlib.sha256()
            broken = False
            for f in files:
                values = self.parsed_values(f, d)
                if values is None:
                    broken = True
                    continue
                merged = merge_values(merged, values)
                content = f.local.read_bytes()
                digest.update(len(content).to_bytes(8, "big") + content)
            if broken:
                continue
            key = (d.app.directory.resolve(), digest.hexdigest())
            if key not in combos:
                combos[key] = Combination(d.location, d.app, files, merged)
            combos[key].deployments.append(d)
        return list(combos.values())
