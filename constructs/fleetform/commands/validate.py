"""``fleetform validate``: check the fleet and its manifest repositories as a whole.

What is checked, in order:

* the fleet configuration (``config.load_fleet``: schema, one management
  cluster, every label a cluster carries has a repository);
* that every label's repository is available locally (see :mod:`fleetform.fleet.repositories`);
* the ApplicationSets the management stack generates, against the strict Argo CD schema;
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
however many clusters receive it. A chart whose dependencies are not vendored
in ``charts/`` cannot be rendered offline: it is linted, reported as "not
rendered" with a warning, and fails the run only with ``--strict``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import posixpath
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import yaml

from ..constructs.applicationsets import applicationsets
from ..errors import ConfigError, ConfigErrors
from ..fleet.config import DNS1123_LABEL, Fleet, load_fleet, read_yaml
from ..fleet.links import ChartCopies
from ..fleet.repositories import (AppDir, Deployment, RepoLocation, ValueFile,
                                  add_repository_options, check_cluster_names, closest, display,
                                  locate, merge_values, parse_overrides, plan, scan_apps,
                                  RepositoryFetcher)

#: Environment variable naming the directory of the Argo CD JSON Schemas.
SCHEMAS_ENV = "FLEETFORM_ARGOCD_SCHEMAS"
#: Argo CD kinds and their schema file.
ARGOCD_KINDS = {"Application": "application.json", "ApplicationSet": "applicationset.json",
                "AppProject": "appproject.json"}
EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
#: Helm's limit on release names (the app's directory name).
MAX_RELEASE_NAME = 53
VALUES_FILE = "values.yaml"
#: Clusters named in a one-line message before "and N more" (JSON lists them all).
MAX_LISTED = 6


# --------------------------------------------------------------------------- results


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
    """A chart whose dependencies are not available offline."""

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


# --------------------------------------------------------------------------- helpers


def kubernetes_minor(version: str) -> str:
    """``1.33`` of ``1.33``, ``1.33.1`` or ``1.33.1-do.0``."""
    return ".".join(version.split("-")[0].split(".")[:2])


def _minor_key(minor: str) -> tuple[int, int]:
    major, _, rest = minor.partition(".")
    return int(major), int(rest or 0)


def schema_version(version: str) -> tuple[str, str | None]:
    """The Kubernetes schema version kubernetes-validate has for ``version``.

    The same minor when shipped; otherwise the newest older one (or the oldest
    shipped), with a note saying so.
    """
    from kubernetes_validate.utils import all_versions

    wanted = kubernetes_minor(version)
    shipped = sorted({kubernetes_minor(v) for v in all_versions()}, key=_minor_key)
    if wanted in shipped:
        return wanted, None
    older = [v for v in shipped if _minor_key(v) < _minor_key(wanted)]
    chosen = older[-1] if older else shipped[0]
    return chosen, (f"no Kubernetes {wanted} schemas in kubernetes-validate: "
                    f"checking against {chosen}")


@functools.lru_cache(maxsize=None)
def _k8s_registry(minor: str):
    """The shared definitions of the strict schemas of one Kubernetes minor, as a registry."""
    from kubernetes_validate.utils import schema_contents
    from referencing import Registry, Resource

    definitions = schema_contents(f"kubernetes-json-schema/v{minor}.0-local-strict/"
                                  "_definitions.json", minor)
    return Resource.from_contents(definitions) @ Registry()


@functools.lru_cache(maxsize=None)
def k8s_validator(minor: str, api_version: str, kind: str):
    """A cached strict validator for ``kind`` in ``api_version`` (None: no such schema).

    The same schema files and resolution as ``kubernetes_validate.validate``,
    which re-reads them (1.4 MB of definitions) on every call: cached here, a
    large fleet's objects are checked in milliseconds instead of seconds.
    """
    import jsonschema
    from kubernetes_validate.utils import schema_contents
    from referencing import Resource

    if not re.match(r"^[A-Za-z0-9]+$", kind) or not re.match(r"^[a-z0-9.-]+(/[a-z0-9]+)?$",
                                                             api_version):
        return None  # not a name a schema file can have
    # rbac.authorization.k8s.io/v1 -> rbac-v1; v1 -> v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = schema_contents(f"kubernetes-json-schema/v{minor}.0-local-strict/"
                                 f"{kind.lower()}-{group_version}.json", minor)
    except FileNotFoundError:
        return None
    registry = Resource.from_contents(schema) @ _k8s_registry(minor)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def shipped_minors() -> list[str]:
    """The Kubernetes minors kubernetes-validate has schemas for, oldest first."""
    from kubernetes_validate.utils import all_versions

    return sorted({kubernetes_minor(v) for v in all_versions()}, key=_minor_key)


def removed_api(minor: str, api_version: str, kind: str) -> str | None:
    """Why Kubernetes ``minor`` has no ``kind`` in ``api_version``, when an older one served it.

    ``"removed in 1.26 (served until 1.25)"`` when the newest shipped version
    before ``minor`` that has the schema is 1.25; None when no shipped older
    version has it either.
    """
    shipped = shipped_minors()
    older = [m for m in shipped if _minor_key(m) < _minor_key(minor)]
    for candidate in reversed(older):
        if k8s_validator(candidate, api_version, kind) is not None:
            removed = shipped[shipped.index(candidate) + 1]
            return f"removed in {removed} (served until {candidate})"
    return None


#: The strict Argo CD v3.4 schemas shipped with fleetform.
PACKAGED_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "argocd"


def default_schemas_dir(clusters_dir: Path, env: Mapping[str, str] | None = None) -> Path:
    """``$FLEETFORM_ARGOCD_SCHEMAS``, else the schemas shipped with fleetform."""
    env = os.environ if env is None else env
    if env.get(SCHEMAS_ENV):
        return Path(env[SCHEMAS_ENV])
    return PACKAGED_SCHEMAS


def _path_text(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out or "(top level)"


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())


@contextlib.contextmanager
def _captured_stderr() -> Iterator[list[str]]:
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
        from helm_python import _native

        # Chart.render (helm-python-sdk 0.2.2) does not pass kube_version, which the
        # native library's render options accept (as helm template --kube-version).
        options = {"name": name, "namespace": namespace, "is_install": True,
                   "kube_version": f"v{kube_minor}.0"}
        rendered = json.loads(_native.call_string(
            "helm_render", chart._raw(), json.dumps(values), json.dumps(options)))
    documents = [(c.get("filename") or c.get("name", "crds"), c.get("data", ""))
                 for c in chart.crds]
    return documents + sorted(rendered.items())


# libyaml's loader when PyYAML has it: rendered output can be large.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_REQUIRED = re.compile(r'WARN missing required values message="(.*)"')


# --------------------------------------------------------------------------- the run


@dataclass
class _Combination:
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


class _Run:
    def __init__(self, fleet: Fleet, locations: dict[str, RepoLocation],
                 schemas_dir: Path | None, report: Report, progress: Progress) -> None:
        self.fleet = fleet
        self.locations = locations
        self.schemas_dir = schemas_dir
        self.report = report
        self.progress = progress
        self._argocd_validators: dict[str, Any] = {}
        self._schemas_warned = False
        self._parsed: dict[Path, dict | None] = {}
        self._charts: dict[Path, Any] = {}
        self._copies = ChartCopies()

    # -- reporting ---------------------------------------------------------

    def error(self, message: str, **where: Any) -> None:
        self.report.problems.append(Problem("error", message, **where))

    def warning(self, message: str, **where: Any) -> None:
        self.report.problems.append(Problem("warning", message, **where))

    # -- Argo CD schemas ---------------------------------------------------

    def argocd_validator(self, kind: str):
        """A Draft 7 validator for an Argo CD kind, or None when the schemas are missing."""
        if kind in self._argocd_validators:
            return self._argocd_validators[kind]
        import jsonschema

        file = self.schemas_dir / ARGOCD_KINDS[kind] if self.schemas_dir else None
        validator = None
        if file is not None and file.is_file():
            try:
                schema = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot read the Argo CD schema ({exc})", file=file) from None
            validator = jsonschema.Draft7Validator(schema)
        elif not self._schemas_warned:
            self._schemas_warned = True
            self.warning(f"no Argo CD schemas here: Argo CD objects are not schema-checked "
                         f"(set --argocd-schemas or ${SCHEMAS_ENV})",
                         file=display(self.schemas_dir) if self.schemas_dir else None)
        self._argocd_validators[kind] = validator
        return validator

    def argocd_error(self, kind: str, obj: dict) -> str | None:
        """The first schema violation of an Argo CD object as text, or None."""
        import jsonschema

        validator = self.argocd_validator(kind)
        if validator is None:
            return None
        error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
        if error is None:
            return None
        return f"{_path_text(error.absolute_path)}: {error.message}"

    # -- fleet-level checks -----------------------------------------------

    def check_applicationsets(self) -> None:
        repositories = self.fleet.management.spec.argocd.repositories  # type: ignore[union-attr]
        for label, appset in zip(sorted(repositories), applicationsets(repositories)):
            self.report.applicationsets += 1
            problem = self.argocd_error("ApplicationSet", appset)
            if problem:
                self.error(f"the generated ApplicationSet {appset['metadata']['name']} is "
                           f"invalid: {problem}", file=display(self.fleet.management.file),
                           field=f"argocd.repositories.{label}", label=label)

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

    def combinations(self, deployments: list[Deployment]) -> list[_Combination]:
        combos: dict[tuple[Path, str], _Combination] = {}
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
                combos[key] = _Combination(d.location, d.app, files, merged)
            combos[key].deployments.append(d)
        return list(combos.values())

    def chart(self, directory: Path):
        import helm_python as helm

        if directory not in self._charts:
            self._charts[directory] = helm.Chart.load(directory)
        return self._charts[directory]

    def chart_copy(self, app: AppDir) -> Path:
        """The chart Helm reads: a copy of ``app``'s directory without a single link.

        Helm follows symbolic links itself; what it gets holds regular files and
        directories only, copied through links that stay in the repository
        (ConfigError for any other, see :func:`fleetform.links.copy_tree`).
        """
        return self._copies.get(app.directory, self.locations[app.label].checkout)

    def close(self) -> None:
        for chart in self._charts.values():
            chart.close()
        self._copies.close()

    def check_combination(self, combo: _Combination, not_rendered: dict[Path, NotRendered]
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
            dependencies = helm.dependency_list(chart_dir)
        except helm.HelmError as exc:
            self.error("cannot read the chart's dependencies: "
                       f"{self._local_paths(_one_line(exc.detail), app)}",
                       file=chart_file, **where)
            return
        missing = [d for d in dependencies if d.get("status") == "missing"]
        for dep in dependencies:
            if dep.get("status") not in ("ok", "unpacked", "missing"):
                self.error(f"dependency {dep['name']} {dep['version']} in charts/: "
                           f"{dep['status']}", file=chart_file, field="dependencies", **where)

        # Lint once per Kubernetes version among the clusters (deprecated APIs differ).
        lint_texts: set[str] = set()
        for minor, clusters in combo.minors.items():
            lint_where = {**where, "clusters": tuple(clusters)}
            with _captured_stderr() as logged:
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
                    app.label, app.key, chart_file, [],
                    [{k: str(d.get(k, "")) for k in ("name", "version", "repository", "status")}
                     for d in missing])
            entry.clusters.extend(c for c in combo.clusters if c not in entry.clusters)
            return

        try:
            with _captured_stderr():
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

    def check_objects(self, combo: _Combination, documents: list[tuple[str, str]],
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
                docs = list(yaml.load_all(text, Loader=_YAML_LOADER))
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                at = f" (rendered line {mark.line + 1})" if mark else ""
                self.error(f"rendered output is not valid YAML{at}: "
                           f"{getattr(exc, 'problem', None) or exc}", file=file, **where)
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
                    self.error(f"Kubernetes {minor} schema: {_path_text(error.absolute_path)}: "
                               f"{error.message}", file=file, field=ident, **obj_where)


def check_kubernetes_version(version: str | None) -> str | None:
    """``--kubernetes-version``: an ``X.Y`` kubernetes-validate has schemas for, offline."""
    if version is None:
        return None
    shipped = shipped_minors()
    if not re.fullmatch(r"[0-9]+\.[0-9]+", version):
        raise ConfigError(f"must be a Kubernetes minor version such as {shipped[-1]}, "
                          f"got {version!r}", field="--kubernetes-version")
    if version not in shipped:
        raise ConfigError(f"no Kubernetes {version} schemas are available offline "
                          f"(kubernetes-validate has {shipped[0]} to {shipped[-1]})",
                          field="--kubernetes-version")
    return version


def upgraded(fleet: Fleet, version: str) -> Fleet:
    """``fleet`` with every cluster running Kubernetes ``version``."""
    clusters = {name: dataclasses.replace(
        cluster, spec=cluster.spec.model_copy(update={"kubernetes_version": version}))
        for name, cluster in fleet.clusters.items()}
    return Fleet(root=fleet.root, clusters=clusters)


def validate_fleet(clusters_dir: str | Path = "clusters", *,
                   repos: Mapping[str, Path] | None = None,
                   schemas_dir: str | Path | None = None,
                   clusters: Sequence[str] | None = None,
                   progress: Progress | None = None,
                   env: Mapping[str, str] | None = None,
                   kubernetes_version: str | None = None,
                   fetcher: RepositoryFetcher | None = None) -> Report:
    """Validate the fleet in ``clusters_dir`` and its manifest repositories.

    ``kubernetes_version`` (``X.Y``) checks the fleet as if every cluster ran
    that version: charts render with it, objects are checked against its
    schemas, and APIs it no longer serves are errors. It must be a version
    kubernetes-validate ships schemas for (see :func:`shipped_minors`).

    ``repos`` overrides where labels' repositories are (``{label: checkout}``);
    ``schemas_dir`` is the Argo CD schema directory (default: ``$FLEETFORM_ARGOCD_SCHEMAS``,
    else the schemas shipped with fleetform); ``clusters`` limits
    rendering to those clusters (layout checks stay fleet-wide); ``fetcher``
    clones the repositories not in this checkout (none are cloned without one).
    Problems are returned in the report; usage errors raise ConfigError.
    """
    started = time.perf_counter()
    progress = progress or Progress()
    clusters_dir = Path(clusters_dir)
    report = Report(kubernetes_version=check_kubernetes_version(kubernetes_version))
    if schemas_dir is not None:
        schemas_dir = Path(schemas_dir)
        if not (schemas_dir / ARGOCD_KINDS["Application"]).is_file():
            raise ConfigError(f"no Argo CD schemas (expected {', '.join(ARGOCD_KINDS.values())})",
                              file=schemas_dir, field="--argocd-schemas")
    else:
        schemas_dir = default_schemas_dir(clusters_dir, env)

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

    locations, missing = locate(fleet, repos, fetcher=fetcher)
    for e in missing:
        label = e.field.rsplit(".", 1)[-1] if e.field else None
        report.problems.append(Problem("error", e.message, file=e.file, field=e.field,
                                       label=label))
    report.repositories = {label: loc.describe() for label, loc in locations.items()}

    run = _Run(fleet, locations, schemas_dir, report, progress)
    try:
        run.check_applicationsets()
        scanned = {}
        for label, location in locations.items():
            try:
                scanned[label] = scan_apps(location)
            except ConfigError as exc:  # links leaving the repository: read nothing of it
                for e in exc.errors if isinstance(exc, ConfigErrors) else [exc]:
                    run.error(e.message, file=display(Path(e.file)) if e.file else None,
                              field=e.field, label=label)
        locations = {label: loc for label, loc in locations.items() if label in scanned}
        charts = {label: run.check_layout(locations[label], apps, scanned)
                  for label, apps in scanned.items()}
        everything = plan(fleet.clusters.values(), locations, scanned)
        run.check_collisions(everything)
        deployments = plan(selected, locations, charts)
        report.pairs = len(deployments)
        for cluster in selected:
            version, note = schema_version(cluster.spec.kubernetes_version)
            report.schema_versions[cluster.name] = version
            if note:
                run.warning(note, file=display(cluster.file), field="kubernetes_version")
        combos = run.combinations(deployments)
        report.combinations = len(combos)
        progress.start(len(combos))
        not_rendered: dict[Path, NotRendered] = {}
        for combo in combos:
            run.check_combination(combo, not_rendered)
            progress.advance(f"{combo.app.label}: {combo.app.key}")
        for entry in not_rendered.values():
            deps = ", ".join(f"{d['name']} {d['version']} from {d['repository']}"
                             for d in entry.dependencies)
            run.warning(f"dependencies not available offline, not rendered: {deps}",
                        file=entry.chart, field="dependencies", label=entry.label,
                        app=entry.app, clusters=tuple(entry.clusters))
        report.not_rendered = list(not_rendered.values())
    finally:
        run.close()
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
                        help="fail on warnings too, e.g. charts not rendered because their "
                             "dependencies are not available offline")
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
        versions = ", ".join(sorted(set(report.schema_versions.values()), key=_minor_key))
        lines.append(
            f"{report.pairs} (cluster, app) pairs on {len(report.clusters)} clusters -> "
            f"{report.combinations} distinct (chart, values) combinations: {report.renders} "
            f"rendered, {report.combinations - report.renders} not rendered; "
            f"{report.lints} lint runs")
        lines.append(
            f"{report.objects} objects checked against Kubernetes {versions or '-'} schemas, "
            f"{report.argocd_objects} against Argo CD schemas; {report.applicationsets} "
            "generated ApplicationSets checked")
        if report.not_rendered:
            lines.append(
                f"not rendered: {len(report.not_rendered)} chart(s) whose dependencies are not "
                f"available offline; checked: {', '.join(CHECKED_WITHOUT_RENDER)}; not checked: "
                f"{', '.join(NOT_CHECKED)} (vendor them into charts/ with helm dependency build "
                "to render them; --strict fails on this)")
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
    try:
        report = validate_fleet(args.clusters_dir, repos=repos, schemas_dir=args.argocd_schemas,
                                clusters=args.only, progress=progress,
                                kubernetes_version=args.kubernetes_version, fetcher=fetcher)
    finally:
        if isinstance(progress, _RichProgress):
            progress.stop()
        if fetcher is not None:
            fetcher.close()
    if args.format == "json":
        print(json.dumps(report.to_dict(args.strict), indent=2))
    else:
        print(format_text(report, args.strict))
    return 0 if report.ok(args.strict) else 1
