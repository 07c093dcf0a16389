"""The chart checks of ``fleetform validate``: each combination of a chart and its values
linted and rendered with Helm (:mod:`fleetform.render.helm`), then every object checked
against the schemas of its clusters' Kubernetes versions and Argo CD's."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ...errors import ConfigError
from ...fleet.repositories import AppDir, Deployment, RepoLocation, ValueFile, display
from ...fleet.yamlfile import load_yaml_all
from ...render import NOT_FETCHED, ChartDependencies, Unavailable, complete_chart
from ...render.helm import Charts, captured_stderr, object_key, render_documents
from .report import Findings, NotRendered, Report
from .schemas import ARGOCD_KINDS, ArgoSchemas, k8s_validator, path_text, removed_api, \
    schema_version

#: How Helm's lint logs a failing ``required`` (on stderr, not in its result).
_REQUIRED = re.compile(r'WARN missing required values message="(.*)"')


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())


@dataclass
class Combination:
    """A distinct (chart, value file contents): rendered once for all its clusters."""

    location: RepoLocation
    app: AppDir
    files: tuple[ValueFile, ...]
    values: dict
    deployments: list[Deployment] = field(default_factory=list)

    @property
    def clusters(self) -> tuple[str, ...]:
        return tuple(d.cluster.name for d in self.deployments)

    @property
    def minors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for d in self.deployments:
            out.setdefault(schema_version(d.cluster.spec.kubernetes_version)[0], []).append(
                d.cluster.name)
        return out


class ChartChecks:
    """Helm lint and render of each combination, then schema checks of what it renders:
    problems go to ``findings``, counts to ``report``. ``close()`` releases the charts."""

    def __init__(self, findings: Findings, report: Report, locations: Mapping[str, RepoLocation],
                 schemas: ArgoSchemas, dependencies: ChartDependencies | None = None,
                 not_fetched: str = NOT_FETCHED) -> None:
        self.findings = findings
        self.error, self.warning = findings.error, findings.warning
        self.report = report
        self.locations = locations
        self.schemas = schemas
        #: Fetches the dependencies charts do not vendor (None: they are not rendered).
        self.dependencies = dependencies
        self.not_fetched = not_fetched
        self.charts = Charts()

    def close(self) -> None:
        self.charts.close()

    def chart_copy(self, app: AppDir) -> Path:
        """The chart Helm reads: a copy of ``app``'s directory without a single link.

        Helm follows symbolic links itself; what it gets holds regular files and
        directories only, copied through links that stay in the repository
        (ConfigError for any other, see :func:`fleetform.fleet.links.copy_tree`).
        """
        return self.charts.copy(app.directory, self.locations[app.label].checkout)

    def check_combination(self, combo: Combination, not_rendered: dict[Path, NotRendered]
                          ) -> None:
        """Lint and render ``combo``, then check the objects it renders; a chart whose
        dependencies are missing is linted and recorded in ``not_rendered``, not rendered."""
        app = combo.app
        where = {"label": app.label, "app": app.key, "clusters": combo.clusters,
                 "values": tuple(posixpath.relpath(f.path, combo.location.repository.path or ".")
                                 for f in combo.files)}
        chart_file = display(app.directory / "Chart.yaml")
        chart_dir = self._copy_for_helm(app, chart_file, where)
        if chart_dir is None:
            return
        missing = self._complete(app, chart_dir, chart_file, where)
        if missing is None:
            return
        lint_texts = self._lint(combo, chart_dir, chart_file, missing, where)
        if missing:
            entry = not_rendered.get(chart_dir)
            if entry is None:
                entry = not_rendered[chart_dir] = NotRendered(
                    app.label, app.key, chart_file, [], [d.to_dict() for d in missing])
            entry.clusters.extend(c for c in combo.clusters if c not in entry.clusters)
            return
        self._render(combo, chart_dir, chart_file, lint_texts, where)

    def _copy_for_helm(self, app: AppDir, chart_file: str, where: dict[str, Any]
                       ) -> Path | None:
        """:meth:`chart_copy`, or None with the error recorded."""
        try:
            return self.chart_copy(app)
        except ConfigError as exc:
            self.error(exc.message, file=display(Path(exc.file)) if exc.file else chart_file,
                       **where)
        except OSError as exc:
            self.error(f"cannot be copied for Helm ({exc.strerror or exc})",
                       file=display(Path(exc.filename)) if exc.filename else chart_file,
                       **where)
        return None

    def _complete(self, app: AppDir, chart_dir: Path, chart_file: str,
                  where: dict[str, Any]) -> list[Unavailable] | None:
        """The dependencies still missing from ``chart_dir`` once those that can be are
        fetched (see :func:`complete_chart`); None when they cannot be read."""
        import helm_python as helm

        try:
            statuses, missing = complete_chart(
                chart_dir, source=app.directory, root=self.locations[app.label].checkout,
                dependencies=self.dependencies, not_fetched=self.not_fetched)
        except helm.HelmError as exc:
            self.error("cannot read the chart's dependencies: "
                       f"{self._local_paths(_one_line(exc.detail), app)}",
                       file=chart_file, **where)
            return None
        for dep in statuses:
            if dep.get("status") not in ("ok", "unpacked"):
                self.error(f"dependency {dep['name']} {dep['version']} in charts/: "
                           f"{dep['status']}", file=chart_file, field="dependencies", **where)
        return missing

    def _lint(self, combo: Combination, chart_dir: Path, chart_file: str,
              missing: list[Unavailable], where: dict[str, Any]) -> set[str]:
        """``helm lint`` once per Kubernetes version among the clusters (deprecated APIs
        differ); returns the messages, which a render's error need not repeat."""
        import helm_python as helm

        app = combo.app
        lint_texts: set[str] = set()
        for minor, clusters in combo.minors.items():
            lint_where = {**where, "clusters": tuple(clusters)}
            with captured_stderr() as logged:
                try:
                    result = helm.lint(chart_dir, combo.values, namespace=app.namespace,
                                       kube_version=f"v{minor}.0")
                except helm.HelmError as exc:
                    result = {"messages": [{"severity": 3, "path": "",
                                            "error": exc.detail}]}
            self.report.lints += 1
            for line in logged:
                m = _REQUIRED.search(line)
                if m and missing:  # a render reports it otherwise
                    self.error(f"template error: {m.group(1)}", file=chart_file, **lint_where)
            for message in result.get("messages", []):
                severity, text = message.get("severity", 0), _one_line(message.get("error", ""))
                if severity < 2 or (missing and "missing these dependencies" in text):
                    continue
                lint_texts.add(text)
                path = message.get("path") or ""
                file = self._error_file(text, app) or (
                    display(app.directory / path) if path and not os.path.isabs(path)
                    else chart_file)
                (self.error if severity >= 3 else self.warning)(
                    f"helm lint: {self._local_paths(text, app)}", file=file, **lint_where)
        return lint_texts

    def _render(self, combo: Combination, chart_dir: Path, chart_file: str,
                lint_texts: set[str], where: dict[str, Any]) -> None:
        """Render ``combo`` and check its objects; a render error already given by lint
        is not repeated."""
        import helm_python as helm

        app = combo.app
        try:
            with captured_stderr():
                documents = render_documents(self.charts.load(chart_dir), combo.values,
                                             name=app.name, namespace=app.namespace,
                                             kube_minor=self.report.kubernetes_version)
        except helm.HelmError as exc:
            self.report.renders += 1
            text = _one_line(exc.detail)
            what = ("cannot load the chart" if isinstance(exc, helm.HelmChartLoadError) else
                    "values rejected" if isinstance(exc, helm.HelmValuesError) else
                    "template error")
            if not any(text in t or t in text for t in lint_texts):
                self.error(f"{what}: {self._local_paths(text, app)}",
                           file=self._error_file(text, app) or chart_file, **where)
            return
        self.report.renders += 1
        self.check_objects(combo, documents, where)

    @staticmethod
    def _template_file(name: str, app: AppDir) -> Path:
        # Rendered names are "<chart name>/templates/x.yaml" (subcharts: ".../charts/<sub>/...").
        return app.directory / name.split("/", 1)[1] if "/" in name else app.directory / name

    def _local_paths(self, text: str, app: AppDir) -> str:
        """Template names in a Helm message rewritten as the files the user edits."""
        def local(m: re.Match) -> str:
            return display(self._template_file(m.group(1), app))
        text = self.charts.original(text, app.directory, display(app.directory))
        return re.sub(r"\b([\w.-]+/(?:charts/[\w.-]+/)*templates/[\w./-]+?)(?=[:\s)\"]|$)",
                      local, text)

    def _error_file(self, text: str, app: AppDir) -> str | None:
        m = re.search(r"\b([\w.-]+/(?:charts/[\w.-]+/)*templates/[\w./-]+?):(\d+)(?::(\d+))?", text)
        if not m:
            return None
        return f"{display(self._template_file(m.group(1), app))}:{m.group(2)}"

    def check_objects(self, combo: Combination, documents: list[tuple[str, str]],
                      where: dict[str, Any]) -> None:
        """Check the objects ``combo`` renders against the schemas of each Kubernetes
        version among its clusters (Argo CD's kinds against Argo CD's schemas)."""
        objects = self._rendered_objects(combo.app, documents, where)
        for minor, clusters in combo.minors.items():
            obj_where = {**where, "clusters": tuple(clusters)}
            for file, obj in objects:
                self._check_object(minor, file, obj, obj_where)

    def _rendered_objects(self, app: AppDir, documents: list[tuple[str, str]],
                          where: dict[str, Any]) -> list[tuple[str, dict]]:
        """``(file, object)`` of each Kubernetes object rendered; a document that is not
        one, or an object rendered twice, is recorded as an error instead."""
        seen: dict[tuple, str] = {}
        objects: list[tuple[str, dict]] = []
        for name, text in documents:
            if name.endswith("NOTES.txt") or not text.strip():
                continue
            file = display(self._template_file(name, app)) if "/" in name else \
                display(app.directory / "crds" / name)
            try:
                docs = load_yaml_all(text)
            except ConfigError as exc:
                self.error(f"rendered output: {exc.message}", file=file, **where)
                continue
            for obj in docs:
                if obj is None:
                    continue
                if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind"):
                    self.error("rendered document is not a Kubernetes object (apiVersion and "
                               "kind are required)", file=file, **where)
                    continue
                meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
                ident = f"{obj['kind']}/{meta.get('name') or meta.get('generateName') or '?'}"
                if not meta.get("name") and not meta.get("generateName"):
                    self.error("metadata.name is required", file=file, field=ident, **where)
                    continue
                key = object_key(obj, app.namespace)
                if meta.get("name") and key in seen:
                    self.error(f"rendered twice (also in {seen[key]}): Argo CD would apply "
                               "only one", file=file, field=ident, **where)
                    continue
                seen[key] = file
                objects.append((file, obj))
        return objects

    def _check_object(self, minor: str, file: str, obj: dict, where: dict[str, Any]) -> None:
        """One object against Kubernetes ``minor``'s schema of its kind (or Argo CD's)."""
        import jsonschema

        kind, api_version = str(obj["kind"]), str(obj["apiVersion"])
        meta = obj["metadata"]
        ident = f"{kind}/{meta.get('name') or meta.get('generateName')}"
        if kind in ARGOCD_KINDS and api_version.startswith("argoproj.io/"):
            if self.schemas.validator(kind) is None:
                self.report.unchecked_kinds[(api_version, kind)] += 1
                return
            self.report.argocd_objects += 1
            problem = self.schemas.error(kind, obj)
            if problem:
                self.error(f"Argo CD schema: {problem}", file=file, field=ident, **where)
            return
        validator = k8s_validator(minor, api_version, kind)
        if validator is None:
            group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
            if "." not in group or group.endswith(".k8s.io"):
                removed = removed_api(minor, api_version, kind)
                self.error(f"Kubernetes {minor} has no {kind} in {api_version}"
                           + (f": {removed}" if removed else
                              " (misspelled, or removed from this version)"),
                           file=file, field=ident, **where)
            else:
                self.report.unchecked_kinds[(api_version, kind)] += 1
            return
        self.report.objects += 1
        error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
        if error is not None:
            self.error(f"Kubernetes {minor} schema: {path_text(error.absolute_path)}: "
                       f"{error.message}", file=file, field=ident, **where)
