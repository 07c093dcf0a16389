"""``fleetform new``: the platform's everyday changes, each one command and one commit.

* ``new cluster NAME --like OTHER``: OTHER's ``cluster.yaml`` (comments and layout
  kept) with what differs (``--region``, ``--kubernetes-version``, ``--labels``), and
  OTHER's per-cluster values copied to NAME in every label repository of this
  checkout; the repositories elsewhere are named, with the paths to copy. Without
  ``--like``, the cloud's example worker (``--cloud``).
* ``new label LABEL``: a repository for LABEL in the management ``cluster.yaml`` (a new
  one scaffolded in this checkout with ``--path``, or an existing one with ``--url``),
  and the label added to the clusters named with ``--on``.
* ``new fleet DIR``: a project of one's own (:mod:`fleetform.commands.new.fleet`).

Each checks the result as a fleet before writing anything, writes every file to the
side and moves them into place together, then runs ``validate``; ``--dry-run``
prints what it would write.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ...constructs.labels import check_labels
from ...errors import ConfigError, closest
from ...fleet import roundtrip
from ...fleet.clouds import CLOUDS, DEFAULT_CLOUD
from ...fleet.config import CLUSTER_FILE, Fleet, check_fleet, load_fleet, parse_cluster
from ...fleet.links import copy_tree
from ...fleet.repositories import NO_FETCHER, checkout_root, display, locate
from ...fleet.yamlfile import load_yaml
from .fleet import EXAMPLE_CHART, check_name


@dataclass
class Change:
    """What a ``new`` command writes: files (new or edited) and directories copied."""

    root: Path
    writes: dict[Path, str] = field(default_factory=dict)
    copies: list[tuple[Path, Path]] = field(default_factory=list)
    #: What to do by hand: repositories outside this checkout.
    notes: list[str] = field(default_factory=list)

    def files(self) -> list[str]:
        out = [display(p) for p in self.writes]
        for source, target in self.copies:
            out.extend(display(target / p.relative_to(source))
                       for p in sorted(source.rglob("*")) if p.is_file())
        return out

    def apply(self) -> None:
        """Write everything to the side, then move it into place; nothing is left half-written
        when a step fails (the moves already made are undone)."""
        staged: list[tuple[Path, Path]] = []
        scratch: list[Path] = []
        created: list[Path] = []  # directories made here, removed again on a failure
        try:
            for target, text in self.writes.items():
                _make_dirs(target.parent, created)
                fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".fleetform-new-")
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                staged.append((Path(temporary), target))
            for source, target in self.copies:
                _make_dirs(target.parent, created)
                holder = Path(tempfile.mkdtemp(dir=target.parent, prefix=".fleetform-new-"))
                scratch.append(holder)
                copy_tree(source, holder / target.name, self.root)
                staged.append((holder / target.name, target))
        except BaseException:
            for temporary, _ in staged:
                if temporary.is_file():
                    temporary.unlink()
            for holder in scratch:
                shutil.rmtree(holder, ignore_errors=True)
            _remove_dirs(created)
            raise
        done: list[tuple[Path, Path, Path | None]] = []
        try:
            for temporary, target in staged:
                backup = None
                if target.is_file():  # an edited file: keep the original until all moved
                    backup = target.with_name(f".{target.name}.fleetform-old")
                    os.replace(target, backup)
                os.rename(temporary, target)
                done.append((temporary, target, backup))
        except BaseException:
            for _temporary, target, backup in reversed(done):
                if target.is_dir():
                    shutil.rmtree(target)
                elif backup is None:
                    target.unlink()
                if backup is not None:
                    os.replace(backup, target)
            for holder in scratch:
                shutil.rmtree(holder, ignore_errors=True)
            _remove_dirs(created)
            raise
        finally:
            for holder in scratch:
                shutil.rmtree(holder, ignore_errors=True)
        for _temporary, _target, backup in done:
            if backup is not None:
                backup.unlink()


def _make_dirs(directory: Path, created: list[Path]) -> None:
    """``mkdir -p``, recording each directory it makes (outermost first)."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for d in reversed(missing):
        d.mkdir()
        created.append(d)


def _remove_dirs(created: list[Path]) -> None:
    for d in reversed(created):
        try:
            d.rmdir()
        except OSError:
            pass


# --------------------------------------------------------------------------- checks


def _checked_fleet(fleet: Fleet, edits: dict[str, tuple[Path, str]]) -> Fleet:
    """The fleet with ``edits`` (cluster name -> its file and new text), checked as
    ``load_fleet`` checks it; ConfigError naming the file and field otherwise."""
    clusters = dict(fleet.clusters)
    for name, (file, text) in edits.items():
        clusters[name] = parse_cluster(name, file, load_yaml(text, file=str(file),
                                                            strict_booleans=True))
    changed = Fleet(root=fleet.root, clusters=clusters)
    check_fleet(changed)
    return changed


# --------------------------------------------------------------------------- new cluster


def new_cluster(clusters_dir: Path, name: str, *, like: str | None = None,
                cloud: str | None = None, region: str | None = None,
                kubernetes_version: str | None = None,
                labels: dict[str, str] | None = None) -> Change:
    """The change that adds cluster ``name`` (see the module's docstring)."""
    fleet = load_fleet(clusters_dir)
    check_name(name, "NAME")
    directory = clusters_dir / name
    if directory.exists() or name in fleet.clusters:
        raise ConfigError("already exists: choose another name", file=directory, field="NAME")
    change = Change(root=checkout_root(clusters_dir))
    other = None
    if like is not None:
        other = fleet.clusters.get(like)
        if other is None:
            raise ConfigError(f"no cluster {like!r}{closest(like, fleet.clusters)} (clusters: "
                              f"{', '.join(sorted(fleet.clusters))})", field="--like")
        if other.role == "management":
            raise ConfigError(f"{like!r} is the management cluster, and a fleet has one: take "
                              "a worker to copy", field="--like")
        if cloud is not None and cloud != other.spec.cloud:
            raise ConfigError(f"{like!r} is in {other.spec.cloud}, not {cloud}: take --like a "
                              f"cluster in {cloud}, or leave --like out for {cloud}'s example",
                              field="--cloud")
        document = roundtrip.load(other.file.read_text(encoding="utf-8"), other.file)
    else:
        cloud = cloud or DEFAULT_CLOUD
        if cloud not in CLOUDS:
            raise ConfigError(f"must be one of {', '.join(CLOUDS)}, got {cloud!r}",
                              field="--cloud")
        document = roundtrip.load(CLOUDS[cloud].worker_example, f"{cloud}'s example")
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if region is not None:
        roundtrip.set_value(document, "region", region)
    if kubernetes_version is not None:
        roundtrip.set_value(document, "kubernetes_version",
                            DoubleQuotedScalarString(kubernetes_version))
    if labels is not None:
        roundtrip.set_labels(document, labels)
    file = directory / CLUSTER_FILE
    text = roundtrip.dump(document)
    changed = _checked_fleet(fleet, {name: (file, text)})
    change.writes[file] = text
    if other is not None:
        _copy_values(change, changed, like or "", name)
    return change


def _copy_values(change: Change, fleet: Fleet, like: str, name: str) -> None:
    """OTHER's ``values/<like>/`` to ``values/<name>/`` in each repository of a label
    ``name`` carries: copied here, or named in ``change.notes`` when elsewhere."""
    cluster = fleet.clusters[name]
    locations, _ = locate(fleet, None, fetcher=None, not_fetched=NO_FETCHER)
    for label in sorted(cluster.routing_labels):
        location = locations.get(label)
        if location is None:
            repository = fleet.management.spec.argocd.repositories[label]  # type: ignore[union-attr]
            base = f"{repository.path.strip('/')}/" if repository.path.strip("/") else ""
            change.notes.append(
                f"label {label!r}: its repository is not in this checkout; if it has "
                f"{base}values/{like}/, copy it to {base}values/{name}/ in {repository.url} "
                f"(revision {repository.revision})")
            continue
        source = location.directory / "values" / like
        if source.is_dir():
            target = location.directory / "values" / name
            if target.exists():
                raise ConfigError("already exists: a new cluster's values must not be there "
                                  "before it", file=target, field="NAME")
            change.copies.append((source, target))


# --------------------------------------------------------------------------- new label


def new_label(clusters_dir: Path, label: str, *, path: str | None = None,
              url: str | None = None, revision: str | None = None,
              on: list[str] | None = None) -> Change:
    """The change that adds routing label ``label`` (see the module's docstring)."""
    fleet = load_fleet(clusters_dir)
    check_labels({label: "true"}, field="LABEL")
    management = fleet.management
    repositories = management.spec.argocd.repositories  # type: ignore[union-attr]
    if label in repositories:
        raise ConfigError(f"label {label!r} already has a repository",
                          file=management.file, field=f"argocd.repositories.{label}")
    if path is None and url is None:
        raise ConfigError("give --path (a new repository in this checkout) or --url (an "
                          "existing one)", field="--path")
    change = Change(root=checkout_root(clusters_dir))
    if url is None:
        url, default_revision = _checkout_url(fleet)
        revision = revision or default_revision
        scaffold = change.root / (path or "")
        if scaffold.exists():
            raise ConfigError("already exists: --path is for a new repository (give --url for "
                              "an existing one)", file=scaffold, field="--path")
        for rel, text in EXAMPLE_CHART.items():
            change.writes[scaffold / "apps" / "default" / "hello" / rel] = \
                text.replace("{label}", label)
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap(url=url, revision=revision or "main")
    if path:
        entry["path"] = path.strip("/")
    edits: dict[str, tuple[Path, str]] = {}
    document = roundtrip.load(management.file.read_text(encoding="utf-8"), management.file)
    argocd = document.setdefault("argocd", CommentedMap())
    argocd.setdefault("repositories", CommentedMap())[label] = entry
    if management.name in (on or []):
        roundtrip.set_labels(document, {**roundtrip.labels_of(document), label: "true"})
    edits[management.name] = (management.file, roundtrip.dump(document))
    for name in on or []:
        if name == management.name:
            continue
        cluster = fleet.clusters.get(name)
        if cluster is None:
            raise ConfigError(f"no cluster {name!r}{closest(name, fleet.clusters)}", field="--on")
        doc = roundtrip.load(cluster.file.read_text(encoding="utf-8"), cluster.file)
        roundtrip.set_labels(doc, {**roundtrip.labels_of(doc), label: "true"})
        edits[name] = (cluster.file, roundtrip.dump(doc))
    _checked_fleet(fleet, edits)
    for file, text in edits.values():
        change.writes[file] = text
    return change


def _checkout_url(fleet: Fleet) -> tuple[str, str]:
    """The URL and revision the repositories in this checkout are given with."""
    locations, _ = locate(fleet, None, fetcher=None, not_fetched=NO_FETCHER)
    for location in locations.values():
        return location.repository.url, location.repository.revision
    raise ConfigError("no repository of this checkout to take the URL from: give --url and "
                      "--revision", field="--url")


# --------------------------------------------------------------------------- CLI


