"""Rendering a chart offline with Helm, and what ``fleetform validate`` renders: combinations."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import posixpath
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from ...errors import ConfigError
from ...fleet.repositories import AppDir, Deployment, RepoLocation, ValueFile, display
from ...fleet.yamlfile import load_yaml_all
from ...render import complete_chart
from .report import NotRendered
from .schemas import ARGOCD_KINDS, k8s_validator, removed_api, schema_version


def path_text(path: Sequence[Any]) -> str:
    """A JSON Schema error path as text: ``spec.template[0].name``, or ``(top level)``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out or "(top level)"


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())


@contextlib.contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """Capture what the native Helm library writes to file descriptor 2.

    Helm's lint logs a failing ``required`` as a warning on stderr instead of
    returning it; capturing keeps the output clean and turns it into a finding.
    """
    lines: list[str] = []
    sys.stderr.flush()
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = os.dup(2)
        try:
            os.dup2(sink.fileno(), 2)
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode("utf-8", "replace").splitlines())


#: The helm-python-sdk whose private API (``_native.call_string``, ``Chart._raw``) rendering
#: at a cluster's Kubernetes version was checked against; ``tests/test_validate.py`` fails
#: on any other, so that an upgrade means checking that API again.
VERIFIED_HELM_SDK_VERSION = "0.2.2"


@functools.lru_cache(maxsize=None)
def native_render() -> Any:
    """helm-python-sdk's native call, if the installed SDK is the one checked; a ConfigError
    saying what to install otherwise (its private API may have changed in another)."""
    from importlib.metadata import version

    installed = version("helm-python-sdk")
    try:
        import helm_python
        from helm_python import _native

        call = _native.call_string
        usable = installed == VERIFIED_HELM_SDK_VERSION and callable(call) \
            and hasattr(helm_python.Chart, "_raw")
    except (ImportError, AttributeError):
        usable = False
    if not usable:
        raise ConfigError(
            f"rendering charts at a cluster's Kubernetes version needs helm-python-sdk "
            f"{VERIFIED_HELM_SDK_VERSION}, whose internals fleetform uses (installed: "
            f"{installed}): pip install 'helm-python-sdk=={VERIFIED_HELM_SDK_VERSION}'",
            field="helm-python-sdk")
    return call


def render_documents(chart: Any, values: dict, *, name: str, namespace: str,
                     kube_minor: str | None = None) -> list[tuple[str, str]]:
    """Render a loaded chart offline as Argo CD would install it: ``(file, YAML)`` pairs.

    The chart's ``crds/`` files come first, then its templates by file name.
    ``kube_minor`` (``1.33``) is the cluster's Kubernetes version as templates
    see it in ``.Capabilities.KubeVersion`` (default: Helm's built-in one).
    Raises ``helm_python.HelmError`` when the chart cannot be rendered.
    """
    if kube_minor is None:
        rendered = chart.render(values, name=name, namespace=namespace, is_install=True)
    else:
        # Chart.render (helm-python-sdk 0.2.2) does not pass kube_version, which the
        # native library's render options accept (as helm template --kube-version).
        options = {"name": name, "namespace": namespace, "is_install": True,
                   "kube_version": f"v{kube_minor}.0"}
        rendered = json.loads(native_render()(
            "helm_render", chart._raw(), json.dumps(values), json.dumps(options)))
    documents = [(c.get("filename") or c.get("name", "crds"), c.get("data", ""))
                 for c in chart.crds]
    return documents + sorted(rendered.items())


_REQUIRED = re.compile(r'WARN missing required values message="(.*)"')


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


class RenderChecks:
    """The rendering half of a validate run: Helm lint and render, then schema checks."""

    def chart(self, directory: Path):
        import helm_python as helm

        if directory not in self._charts:
            self._charts[directory] = helm.Chart.load(directory)
        return self._charts[directory]

    def close(self) -> None:
        for chart in self._charts.values():
            chart.close()
        self._copies.close()

    def check_combination(self, combo: Combination, not_rendered: dict[Path, NotRendered]
                          ) -> None:
        import helm_python as helm

        app = combo.app
        where = {"label": app.label, "app": app.key, "clusters": combo.clusters,
                 "values": tuple(posixpath.relpath(f.path, combo.location.repository.path or ".")
                                 for f in combo.files)}
        chart_file = display(app.directory / "Chart.yaml")
        try:
            chart_dir = self.chart_copy(app)
        except ConfigError as exc:
            self.error(exc.message, file=display(Path(exc.file)) if exc.file else chart_file,
                       **where)
            return
        except OSError as exc:
            self.error(f"cannot be copied for Helm ({exc.strerror or exc})",
                       file=display(Path(exc.filename)) if exc.filename else chart_file,
                       **where)
            return
        try:
            statuses, missing = complete_chart(
                chart_dir, source=app.directory, root=self.locations[app.label].checkout,
                dependencies=self.dependencies, not_fetched=self.not_fetched)
        except helm.HelmError as exc:
            self.error("cannot read the chart's dependencies: "
                       f"{self._local_paths(_one_line(exc.detail), app)}",
                       file=chart_file, **where)
            return
        for dep in statuses:
            if dep.get("status") not in ("ok", "unpacked"):
                self.error(f"dependency {dep['name']} {dep['version']} in charts/: "
                           f"{dep['status']}", file=chart_file, field="dependencies", **where)

        # Lint once per Kubernetes version among the clusters (deprecated APIs differ).
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

        if missing:
            entry = not_rendered.get(chart_dir)
            if entry is None:
                entry = not_rendered[chart_dir] = NotRendered(
                    app.label, app.key, chart_file, [], [d.to_dict() for d in missing])
            entry.clusters.extend(c for c in combo.clusters if c not in entry.clusters)
            return

        try:
            with captured_stderr():
                documents = render_documents(self.chart(chart_dir), combo.values,
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
        text = self._copies.original(text, app.directory, display(app.directory))
        return re.sub(r"\b([\w.-]+/(?:charts/[\w.-]+/)*templates/[\w./-]+?)(?=[:\s)\"]|$)",
                      local, text)

    def _error_file(self, text: str, app: AppDir) -> str | None:
        m = re.search(r"\b([\w.-]+/(?:charts/[\w.-]+/)*templates/[\w./-]+?):(\d+)(?::(\d+))?", text)
        if not m:
            return None
        return f"{display(self._template_file(m.group(1), app))}:{m.group(2)}"

    def check_objects(self, combo: Combination, documents: list[tuple[str, str]],
                      where: dict[str, Any]) -> None:
        import jsonschema

        app = combo.app
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
                key = (str(obj["apiVersion"]).split("/")[0] if "/" in str(obj["apiVersion"])
                       else "", obj["kind"], meta.get("namespace") or app.namespace,
                       meta.get("name"))
                if meta.get("name") and key in seen:
                    self.error(f"rendered twice (also in {seen[key]}): Argo CD would apply "
                               "only one", file=file, field=ident, **where)
                    continue
                seen[key] = file
                objects.append((file, obj))

        for minor, clusters in combo.minors.items():
            obj_where = {**where, "clusters": tuple(clusters)}
            for file, obj in objects:
                kind, api_version = str(obj["kind"]), str(obj["apiVersion"])
                meta = obj["metadata"]
                ident = f"{kind}/{meta.get('name') or meta.get('generateName')}"
                if kind in ARGOCD_KINDS and api_version.startswith("argoproj.io/"):
                    if self.argocd_validator(kind) is None:
                        self.report.unchecked_kinds[(api_version, kind)] += 1
                        continue
                    self.report.argocd_objects += 1
                    problem = self.argocd_error(kind, obj)
                    if problem:
                        self.error(f"Argo CD schema: {problem}", file=file, field=ident,
                                   **obj_where)
                    continue
                validator = k8s_validator(minor, api_version, kind)
                if validator is None:
                    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
                    if "." not in group or group.endswith(".k8s.io"):
                        removed = removed_api(minor, api_version, kind)
                        self.error(f"Kubernetes {minor} has no {kind} in {api_version}"
                                   + (f": {removed}" if removed else
                                      " (misspelled, or removed from this version)"),
                                   file=file, field=ident, **obj_where)
                    else:
                        self.report.unchecked_kinds[(api_version, kind)] += 1
                    continue
                self.report.objects += 1
                error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
                if error is not None:
                    self.error(f"Kubernetes {minor} schema: {path_text(error.absolute_path)}: "
                               f"{error.message}", file=file, field=ident, **obj_where)
