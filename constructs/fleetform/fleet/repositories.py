"""Where each label's manifest repository is on disk, and what Argo CD deploys from it.

A label's repository is a Git URL plus a ``path`` inside it (see
:class:`fleetform.fleet.cluster_yaml.Repository`). ``validate`` and ``preview`` work on a
local working tree of that repository, found in this order:

1. an explicit override ``--repo LABEL=DIR`` (or ``FLEETFORM_REPOS="LABEL=DIR ..."``):
   ``DIR`` is a checkout of the repository's URL; its ``path`` is applied inside it;
2. this checkout, when the URL is one of its Git remotes;
3. this checkout, when ``path`` is not empty and exists in it (the example fleet:
   ``manifests/global`` of the fleet repository itself);
4. otherwise, when a :class:`RepositoryFetcher` is given (``validate``, ``preview`` and ``diff``
   give one unless ``--no-fetch``), a shallow Git clone of the URL at the revision,
   with the repository's credentials from the environment, in a temporary directory.

"This checkout" is the Git working tree that holds the clusters directory (the
directory's parent when it is not in a Git working tree).

:func:`plan` then lists every (cluster, app) pair exactly as the ApplicationSets
select them: a cluster that carries a label (not turned off) receives every
``apps/<namespace>/<app>/`` directory of that label's repository, with the value
files :func:`fleetform.constructs.applicationsets.value_files` names.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ..constructs.applicationsets import application_name, apps_dir, value_files
from ..constructs.props import merge_values
from ..errors import ConfigError, ConfigErrors, closest
from .cluster_yaml import Repository
from .config import Cluster, Fleet
from .links import check_inside, link_problem, outside_links
from .repository_fetch import RepositoryFetcher, normalize_git_url

#: Environment variable with ``LABEL=DIR`` overrides, separated by spaces or commas.
REPOS_ENV = "FLEETFORM_REPOS"

#: Why a repository outside the checkout was not cloned and what to do, for a command
#: whose ``--no-fetch`` turned fetching off (``{label}`` is the label's name).
NO_FETCH_OPTION = "fetching is off (--no-fetch): pass --repo {label}=DIR with DIR a checkout of it"
#: The same, for a Python caller of :func:`locate` that gave no fetcher.
NO_FETCHER = ("no fetcher was given to clone it (fetcher=RepositoryFetcher()): give one, "
              "or a checkout of it for label '{label}' in the overrides")


def display(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    # The parent only is resolved: a symbolic link is shown as itself, not as its target.
    absolute = Path(os.path.abspath(path))
    try:
        return str((absolute.parent.resolve() / absolute.name).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def checkout_root(clusters_dir: Path) -> Path:
    """The Git working tree holding ``clusters_dir`` (its parent outside Git)."""
    start = clusters_dir.resolve().parent
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def git_remote_urls(root: Path) -> set[str]:
    """The normalized remote URLs in ``root``'s Git config (empty when there are none)."""
    git = root / ".git"
    if git.is_file():  # a worktree: "gitdir: <path>"
        text = git.read_text(encoding="utf-8", errors="replace").strip()
        if not text.startswith("gitdir:"):
            return set()
        git = (root / text[len("gitdir:"):].strip()).resolve()
        common = git / "commondir"
        if common.is_file():
            git = (git / common.read_text().strip()).resolve()
    config = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        config.read(git / "config", encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return set()
    return {normalize_git_url(config[s]["url"]) for s in config.sections()
            if s.startswith('remote "') and "url" in config[s]}


def parse_overrides(items: Sequence[str] | None, env: Mapping[str, str] | None = None
                    ) -> dict[str, Path]:
    """``LABEL=DIR`` items (from ``--repo``, else ``$FLEETFORM_REPOS``) as a mapping."""
    env = os.environ if env is None else env
    source = "--repo"
    if not items:
        items = [i for i in re.split(r"[\s,]+", env.get(REPOS_ENV, "")) if i]
        source = REPOS_ENV
    out: dict[str, Path] = {}
    for item in items:
        label, sep, directory = item.partition("=")
        if not sep or not label or not directory:
            raise ConfigError(f"expected LABEL=DIR, got {item!r}", field=source)
        if label in out:
            raise ConfigError(f"label {label!r} given twice", field=source)
        out[label] = Path(directory).expanduser()
    return out


def check_cluster_names(fleet: Fleet, names: Sequence[str] | None, *,
                        field: str = "--cluster") -> None:
    """Raise ConfigError, with the closest name, for a name that is not a cluster."""
    for name in names or []:
        if name not in fleet.clusters:
            raise ConfigError(f"no such cluster {name!r}{closest(name, fleet.clusters)} "
                              f"(known: {', '.join(sorted(fleet.clusters))})", field=field)


@dataclass(frozen=True)
class RepoLocation:
    """A label's repository, found on disk.

    ``checkout`` is the working tree of ``repository.url``; ``directory`` the
    repository's ``path`` inside it (what holds ``apps/`` and ``values/``).
    ``source`` says how it was found: ``override``, ``remote``, ``path`` or
    ``fetched`` (a shallow clone of the URL at the revision).
    """

    label: str
    repository: Repository
    checkout: Path
    source: str

    @property
    def directory(self) -> Path:
        return self.checkout / self.repository.path if self.repository.path else self.checkout

    def local(self, repo_relative: str) -> Path:
        """The local file of a repository-relative path such as a value file."""
        return self.checkout / repo_relative

    def describe(self) -> str:
        how = {"override": "from --repo", "remote": "this checkout: its URL is a Git remote",
               "path": "this checkout: the path exists",
               "fetched": f"cloned from {self.repository.url} at {self.repository.revision}",
               }[self.source]
        return f"{display(self.directory)} ({how})"


def locate(fleet: Fleet, overrides: Mapping[str, Path] | None = None, *,
           root: Path | None = None, remotes: set[str] | None = None,
           fetcher: RepositoryFetcher | None = None, not_fetched: str = NO_FETCHER
           ) -> tuple[dict[str, RepoLocation], list[ConfigError]]:
    """Find every label's repository; returns the found ones and one error per missing one.

    ``root`` is the checkout to look in (default: the one holding the clusters
    directory) and ``remotes`` its normalized Git remote URLs (default: read
    from ``root``; given for a tree extracted from Git objects, which has none).
    Repositories not in this checkout are cloned with ``fetcher`` when one is
    given; without one, each gets an error ending with ``not_fetched`` (why
    fetching is off and what to do instead, ``{label}`` replaced: the caller
    knows the reason, e.g. :data:`NO_FETCH_OPTION`). An override for a label
    that has no repository is a usage error (raised).
    """
    overrides = dict(overrides or {})
    management = fleet.management.spec
    repositories = management.argocd.repositories  # type: ignore[union-attr]
    management_file = fleet.management.file
    unknown = [label for label in overrides if label not in repositories]
    if unknown:
        raise ConfigError(
            f"no repository for label {unknown[0]!r}{closest(unknown[0], repositories)} "
            f"(labels with a repository: {', '.join(sorted(repositories)) or 'none'})",
            field="--repo")
    root = checkout_root(fleet.root) if root is None else root
    remotes = git_remote_urls(root) if remotes is None else remotes
    found: dict[str, RepoLocation] = {}
    errors: list[ConfigError] = []
    for label in sorted(repositories):
        try:
            found[label] = _locate_one(label, repositories[label], overrides.get(label),
                                       root=root, remotes=remotes, fetcher=fetcher,
                                       not_fetched=not_fetched, file=management_file)
        except ConfigError as exc:
            errors.append(exc)
    return found, errors


def _locate_one(label: str, repo: Repository, override: Path | None, *, root: Path,
                remotes: set[str], fetcher: RepositoryFetcher | None, not_fetched: str,
                file: Path) -> RepoLocation:
    """Where ``label``'s repository is, in :func:`locate`'s order: the override, this
    checkout (its remote, then its path), a clone; ConfigError naming ``file``'s field."""
    field = f"argocd.repositories.{label}"
    if override is not None:
        location = RepoLocation(label, repo, override, "override")
        if not location.directory.is_dir():
            what = (f"{display(location.directory)} (path {repo.path!r} inside it)"
                    if repo.path else display(location.checkout))
            raise ConfigError(f"--repo {label}={override}: {what} is not a directory; DIR is "
                              f"a checkout of {repo.url}", file=file, field=field)
    elif normalize_git_url(repo.url) in remotes:
        location = RepoLocation(label, repo, root, "remote")
        if not location.directory.is_dir():
            raise ConfigError(f"path {repo.path!r} does not exist in this checkout "
                              f"({display(root)}) of {repo.url}", file=file,
                              field=f"{field}.path")
    elif repo.path and (root / repo.path).is_dir():
        location = RepoLocation(label, repo, root, "path")
    elif fetcher is not None:
        checkout = fetcher.fetch(label, repo, file=file, field=field)
        location = RepoLocation(label, repo, checkout, "fetched")
        if not location.directory.is_dir():
            raise ConfigError(f"path {repo.path!r} does not exist in {repo.url} at "
                              f"{repo.revision}", file=file, field=f"{field}.path")
    else:
        where = f"{repo.url}" + (f" path {repo.path!r}" if repo.path else "")
        raise ConfigError(f"repository {where} is not in this checkout and "
                          f"{not_fetched.replace('{label}', label)}", file=file, field=field)
    try:
        check_inside(location.directory, location.checkout)
    except ConfigError as exc:
        raise ConfigError(f"{exc.file}: {exc.message}", file=file,
                          field=f"{field}.path") from None
    return location


def locate_or_raise(fleet: Fleet, overrides: Mapping[str, Path] | None = None,
                    **kwargs) -> dict[str, RepoLocation]:
    """:func:`locate`, raising its errors."""
    found, errors = locate(fleet, overrides, **kwargs)
    if errors:
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)
    return found


@dataclass(frozen=True)
class AppDir:
    """A chart directory ``apps/<namespace>/<name>/`` of a label's repository."""

    label: str
    namespace: str
    name: str
    directory: Path

    @property
    def key(self) -> str:
        """``<namespace>/<name>``, how the app is named in messages."""
        return f"{self.namespace}/{self.name}"


def refused_links(location: RepoLocation) -> list[ConfigError]:
    """One error for each symbolic link under ``apps/`` and ``values/`` that Argo CD refuses.

    Links leaving the repository's checkout, loops and dangling links (see
    :mod:`fleetform.links`): nothing is read through them.
    """
    root = Path(os.path.realpath(location.checkout))
    errors: list[ConfigError] = []
    for name in ("apps", "values"):
        top = location.directory / name
        if top.is_symlink():
            problem = link_problem(top, root)
            if problem is not None:
                errors.append(problem)
                continue
        if top.is_dir():
            errors.extend(outside_links(top, location.checkout))
    return errors


def scan_apps(location: RepoLocation) -> list[AppDir]:
    """Every ``apps/*/*`` directory, as the ApplicationSet's git generator matches them.

    Raises ConfigError (one line per link) when ``apps/`` or ``values/`` holds
    a symbolic link that :func:`refused_links` refuses: nothing of such a
    repository is read.
    """
    errors = refused_links(location)
    if errors:
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)
    base = location.checkout / apps_dir(location.repository)
    if not base.is_dir():
        return []
    apps = []
    for namespace in sorted(p for p in base.iterdir() if p.is_dir()):
        for app in sorted(p for p in namespace.iterdir() if p.is_dir()):
            apps.append(AppDir(location.label, namespace.name, app.name, app))
    return apps


@dataclass(frozen=True)
class ValueFile:
    """One value file Argo CD passes to Helm: its repository-relative and local path."""

    path: str
    local: Path

    @property
    def exists(self) -> bool:
        return self.local.is_file()


@dataclass(frozen=True)
class Deployment:
    """One Application: ``app`` of ``location`` on ``cluster``, with its value files."""

    cluster: Cluster
    location: RepoLocation
    app: AppDir
    application: str
    value_files: tuple[ValueFile, ...]

    @property
    def label(self) -> str:
        return self.location.label


def deployment(cluster: Cluster, location: RepoLocation, app: AppDir) -> Deployment:
    files = value_files(location.repository, app.namespace, cluster.name, app.name)
    return Deployment(cluster=cluster, location=location, app=app,
                      application=application_name(cluster.name, app.name),
                      value_files=tuple(ValueFile(f, location.local(f)) for f in files))


def plan(clusters: Iterable[Cluster], locations: Mapping[str, RepoLocation],
         apps: Mapping[str, Sequence[AppDir]]) -> list[Deployment]:
    """Every (cluster, app) pair, in cluster then label then app order.

    A cluster receives a label's apps when it carries the label with a value
    other than ``false`` or ``""``, as the ApplicationSet's selector says.
    Labels whose repository was not found are skipped.
    """
    out = []
    for cluster in clusters:
        for label in sorted(cluster.routing_labels):
            if label not in locations:
                continue
            out.extend(deployment(cluster, locations[label], app) for app in apps.get(label, ()))
    return out
