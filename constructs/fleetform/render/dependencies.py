"""A chart's dependencies, fetched into the copy Helm renders when the chart does not vendor them.

For every dependency Helm reports missing from ``charts/``:

* the version is the one ``Chart.lock`` pins, when there is a lock (whose digest
  must match ``Chart.yaml``'s dependencies, as ``helm dependency build``
  requires); else the highest version the repository offers that satisfies
  the constraint in ``Chart.yaml``;
* the archive comes from the cache, else from the repository (``https://``
  chart repository, ``oci://`` registry) and then goes into the cache;
  ``file://`` dependencies are copied from the repository checkout;
* it is unpacked, checked (:func:`fleetform.render.cache.unpack_chart`), into
  ``charts/<name>/`` of the copy, where Helm finds it as if it were vendored.

A dependency that cannot be had is an :class:`Unavailable` whose reason says
what to do; the other dependencies and charts go on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import ConfigError
from ..fleet.links import copy_tree
from .cache import ChartCache, unpack_chart
from .sources import (FetchError, HttpRepository, OciRegistry, credentials_for,
                      credentials_from_env)

#: The reason given for a dependency when fetching is off.
NOT_FETCHED = ("not fetched (--no-fetch): vendor it into charts/ (helm dependency build) "
               "to render it offline")


@dataclass(frozen=True)
class Unavailable:
    """A dependency that is not in the chart Helm renders, and why."""

    name: str
    version: str
    repository: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name} {self.version} from {self.repository or '(no repository)'}: " \
               f"{self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "repository": self.repository,
                "reason": self.reason}


# --------------------------------------------------------------------------- Chart.lock


def _go_json(value: Any) -> str:
    """``value`` as Go's ``encoding/json`` writes it (compact, HTML characters escaped)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def _sanitized(text: Any) -> str:
    # Helm's chart loader maps whitespace to a space and drops unprintable characters.
    return "".join(" " if c.isspace() else c for c in str(text) if c.isspace() or c.isprintable())


def _go_dependency(d: Mapping[str, Any]) -> dict[str, Any]:
    """A dependency as Helm's ``chart.Dependency`` struct marshals it (field order, omitempty)."""
    out: dict[str, Any] = {"name": _sanitized(d.get("name", ""))}
    if d.get("version"):
        out["version"] = _sanitized(d["version"])
    out["repository"] = _sanitized(d.get("repository", ""))
    if d.get("condition"):
        out["condition"] = _sanitized(d["condition"])
    if d.get("tags"):
        out["tags"] = [_sanitized(t) for t in d["tags"]]
    if d.get("enabled"):
        out["enabled"] = True
    if d.get("import-values"):
        out["import-values"] = json.loads(json.dumps(d["import-values"], sort_keys=True))
    if d.get("alias"):
        out["alias"] = _sanitized(d["alias"])
    return out


def lock_digest(requirements: Iterable[Mapping[str, Any]],
                locked: Iterable[Mapping[str, Any]]) -> str:
    """The ``digest`` of a ``Chart.lock``, as Helm computes it (``resolver.HashReq``)."""
    pair = [[_go_dependency(d) for d in requirements], [_go_dependency(d) for d in locked]]
    return "sha256:" + hashlib.sha256(_go_json(pair).encode()).hexdigest()


def read_lock(chart_dir: Path, shown: Path) -> dict[str, str] | None:
    """``{name: version}`` pinned by the chart's ``Chart.lock`` (None without one).

    Raises FetchError when the lock is out of sync with ``Chart.yaml``.
    """
    from ..fleet.yamlfile import read_yaml

    lock_file = chart_dir / "Chart.lock"
    if not lock_file.is_file():
        return None
    try:
        lock = read_yaml(lock_file) or {}
        chart = read_yaml(chart_dir / "Chart.yaml") or {}
    except ConfigError as exc:
        raise FetchError(f"{shown / 'Chart.lock'}: {exc.message}") from None
    locked = lock.get("dependencies") if isinstance(lock, dict) else None
    required = chart.get("dependencies") if isinstance(chart, dict) else None
    if not isinstance(locked, list) or not all(isinstance(d, dict) for d in locked):
        raise FetchError(f"{shown / 'Chart.lock'} has no list of dependencies")
    required = [d for d in required or [] if isinstance(d, dict)]
    if lock_digest(required, locked) != lock.get("digest"):
        raise FetchError(f"{shown / 'Chart.lock'} is out of sync with Chart.yaml (its digest "
                         "does not match the dependencies): run helm dependency update and "
                         "commit Chart.lock")
    return {str(d.get("name")): str(d.get("version")) for d in locked}


# --------------------------------------------------------------------------- versions


def _clean(version: str) -> str:
    import nodesemver

    return nodesemver.clean(version, loose=True) or version


def best_version(available: Iterable[str], constraint: str) -> str | None:
    """The highest of ``available`` satisfying Helm's ``constraint`` (``~1.2``, ``>=1, <2``)."""
    import nodesemver

    versions = list(available)
    by_clean: dict[str, str] = {}
    for v in versions:
        cleaned = nodesemver.clean(v, loose=True)
        if cleaned:
            by_clean.setdefault(cleaned, v)
    # Helm (Masterminds semver) also accepts commas between the parts of a range.
    best = nodesemver.max_satisfying(list(by_clean), constraint.replace(",", " ").strip() or "*",
                                     loose=True)
    return by_clean.get(best) if best else None


# --------------------------------------------------------------------------- fetching


class ChartDependencies:
    """Fetches the dependencies that charts do not vendor (see the module's docstring).

    Within a run each archive is fetched once whatever number of charts and
    clusters use it; ``downloads`` and ``cache_hits`` count what was fetched.
    ``env`` holds the credentials of private chart repositories
    (:data:`fleetform.render.sources.CHART_CREDENTIALS_ENV`); a malformed one is a
    ConfigError here.
    """

    def __init__(self, cache: ChartCache | None = None, *,
                 env: Mapping[str, str] | None = None) -> None:
        import os

        self.cache = cache if cache is not None else ChartCache()
        self.credentials = credentials_from_env(os.environ if env is None else env)
        self.cache_hits = 0
        self._sources: dict[str, HttpRepository | OciRegistry] = {}
        self._archives: dict[tuple[str, str, str], tuple[bytes, str] | FetchError] = {}
        self._completed: dict[Path, list[Unavailable]] = {}

    @property
    def downloads(self) -> int:
        return sum(s.downloads for s in self._sources.values())

    def _source(self, repository: str) -> HttpRepository | OciRegistry:
        if repository not in self._sources:
            credentials = credentials_for(repository, self.credentials)
            self._sources[repository] = (OciRegistry if repository.startswith("oci://")
                                         else HttpRepository)(repository, credentials)
        return self._sources[repository]

    def close(self) -> None:
        for source in self._sources.values():
            if isinstance(source, OciRegistry):
                source.close()

    def __enter__(self) -> "ChartDependencies":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def complete(self, chart_dir: Path, missing: Iterable[Mapping[str, Any]], *,
                 source: Path, root: Path) -> list[Unavailable]:
        """Unpack each ``missing`` dependency (Helm's ``dependency list`` entries) into
        ``chart_dir/charts/``; one :class:`Unavailable` for each that could not be.

        ``chart_dir`` is the link-free copy of ``source``, a chart of the checkout ``root``.
        """
        if chart_dir in self._completed:  # the same copy again (another combination)
            return list(self._completed[chart_dir])
        self._completed[chart_dir] = out = self._complete(chart_dir, list(missing),
                                                          source=source, root=root)
        return list(out)

    def _complete(self, chart_dir: Path, missing: list[Mapping[str, Any]], *,
                  source: Path, root: Path) -> list[Unavailable]:
        try:
            pinned = read_lock(chart_dir, source)
        except FetchError as exc:
            return [Unavailable(str(d.get("name")), str(d.get("version")),
                                str(d.get("repository") or ""), exc.reason) for d in missing]
        out = []
        for dep in missing:
            name, constraint = str(dep.get("name")), str(dep.get("version") or "")
            repository = str(dep.get("repository") or "").strip()
            version = (pinned or {}).get(name)
            try:
                if pinned is not None and version is None:
                    raise FetchError(f"{source / 'Chart.lock'} does not pin it: run helm "
                                     "dependency update and commit Chart.lock")
                self._place(chart_dir, name, version, constraint, repository, source, root)
            except FetchError as exc:
                out.append(Unavailable(name, version or constraint, repository, exc.reason))
        return out

    def _place(self, chart_dir: Path, name: str, version: str | None, constraint: str,
               repository: str, source: Path, root: Path) -> None:
        target = chart_dir / "charts" / name
        target.parent.mkdir(exist_ok=True)
        if repository.startswith("file://"):
            local = (source / repository[len("file://"):]).resolve()
            try:
                copy_tree(source / repository[len("file://"):], target, root)
            except ConfigError as exc:
                raise FetchError(f"{repository}: {exc.message}") from None
            except OSError as exc:
                raise FetchError(f"{repository} ({local}) cannot be read "
                                 f"({exc.strerror or exc})") from None
            return
        if not repository:
            raise FetchError("no repository: vendor it into charts/, or give its repository")
        if repository.startswith(("@", "alias:")):
            raise FetchError(f"{repository!r} names a repository of a Helm configuration, which "
                             "fleetform does not read: give the repository's URL")
        if not repository.startswith(("https://", "http://", "oci://")):
            raise FetchError(f"unsupported repository {repository!r}: an https://, oci:// or "
                             "file:// URL")
        data, digest = self.archive(repository, name, version or constraint,
                                    exact=version is not None)
        unpack_chart(data, target, shown=f"{name} {digest} from {repository}")

    def archive(self, repository: str, name: str, wanted: str, *,
                exact: bool = False) -> tuple[bytes, str]:
        """The archive and digest of the chart ``name`` that ``wanted`` (a version or a
        constraint) selects in ``repository``; FetchError saying why not."""
        import nodesemver

        is_version = exact or bool(nodesemver.valid(wanted.lstrip("="), loose=True))
        if is_version:
            version = _clean(wanted.lstrip("="))
            cached = self._cached(repository, name, version)
            if cached is not None:
                return cached
        source = self._source(repository)
        if isinstance(source, OciRegistry):
            available = [wanted] if is_version else source.tags(name)
        else:
            entries = {e.version: e for e in source.versions(name)}
            available = list(entries)
        chosen = wanted if is_version and isinstance(source, OciRegistry) else \
            best_version(available, wanted)
        if chosen is None:
            raise self._no_version(source, name, wanted, available)
        key = (repository, name, _clean(chosen))
        if key not in self._archives:
            cached = self._cached(repository, name, _clean(chosen))
            if cached is not None:
                return cached
            try:
                result = source.archive(name, chosen) if isinstance(source, OciRegistry) \
                    else source.archive(entries[chosen])
                self.cache.put(repository, name, _clean(chosen), result[0])
            except FetchError as exc:
                result = self._no_version(source, name, wanted) if exc.not_found else exc
            self._archives[key] = result
        result = self._archives[key]
        if isinstance(result, FetchError):
            raise result
        return result

    @staticmethod
    def _no_version(source: HttpRepository | OciRegistry, name: str, wanted: str,
                    available: list[str] | None = None) -> FetchError:
        if available is None:  # an OCI tag that is not there: say which are
            try:
                available = source.tags(name)  # type: ignore[union-attr]
            except FetchError:
                available = []
        newest = best_version(available, "*")
        return FetchError(f"no version of {name} matching {wanted!r} in {source.url}"
                          + (f" (the newest is {newest})" if newest else ""))

    def _cached(self, repository: str, name: str, version: str) -> tuple[bytes, str] | None:
        key = (repository, name, version)
        if key in self._archives and not isinstance(self._archives[key], FetchError):
            return self._archives[key]  # type: ignore[return-value]
        hit = self.cache.get(repository, name, version)
        if hit is not None:
            self.cache_hits += 1
            self._archives[key] = hit
        return hit


def complete_chart(chart_dir: Path, *, source: Path, root: Path,
                   dependencies: ChartDependencies | None,
                   not_fetched: str = NOT_FETCHED) -> tuple[list[dict], list[Unavailable]]:
    """Helm's ``dependency list`` of a chart copy after fetching what it lacks.

    Returns the statuses of those in ``charts/`` (``ok``, ``unpacked``, ``wrong
    version``, ... as Helm gives them) and the dependencies still missing, each
    with its reason (``not_fetched`` for all of them when ``dependencies`` is
    None). Raises ``helm_python.HelmError`` when Helm cannot read the chart's
    dependencies.
    """
    import helm_python as helm

    statuses = helm.dependency_list(chart_dir)
    missing = [d for d in statuses if d.get("status") == "missing"]
    if not missing:
        return statuses, []
    if dependencies is None:
        return [d for d in statuses if d not in missing], [Unavailable(str(d.get("name")), str(d.get("version")),
                                      str(d.get("repository") or ""), not_fetched)
                          for d in missing]
    unavailable = dependencies.complete(chart_dir, missing, source=source, root=root)
    statuses = helm.dependency_list(chart_dir)
    named = {u.name for u in unavailable}
    unavailable.extend(Unavailable(str(d.get("name")), str(d.get("version")),
                                   str(d.get("repository") or ""),
                                   "fetched, but Helm does not find it in charts/")
                       for d in statuses if d.get("status") == "missing"
                       and d.get("name") not in named)
    return [d for d in statuses if d.get("status") != "missing"], unavailable
