"""``fleetform diff --base REF | --ci``: what a change does to the fleet, on both layers.

Both sides come from Git objects: the merge base of REF and HEAD (what the
merge request shows), each extracted with ``git archive`` (``--working-tree``
compares the working tree instead of HEAD). Then:

1. **Stacks**: the clusters ``fleetform changed`` finds affected are
   synthesized on both sides, each side with its own code (in parallel
   subprocesses), and their Terraform JSON compared per address
   (:mod:`.stacks`; sensitive values redacted). Removed clusters are
   synthesized on the base side only.
2. **Routing**: the ApplicationSet expansion of both sides; per cluster,
   the Applications gained and lost, and why (:mod:`.apps`).
3. **Manifests**: the (cluster, application) pairs whose chart, values or
   Kubernetes version differ are rendered with real Helm at their cluster's
   version, on both sides; pairs whose objects differ get a per-object
   summary and a unified diff (Secrets redacted).

``--gate`` exits 1 when a gate (:mod:`.gates`) is violated and not allowed
by an override. ``--format`` chooses stdout's format; ``--markdown FILE`` and
``--json FILE`` also write those (the merge request job's artifacts). With
``--ci`` in a merge request pipeline and ``FLEETFORM_MR_NOTE_TOKEN`` set, the
Markdown report is posted as one merge request note, updated on later runs.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Mapping

from ...constructs.rollout import waves
from ...errors import ConfigError, ConfigErrors
from ...fleet.config import Fleet
from ...fleet.repository_fetch import RepositoryFetcher
from ...integrations.git import Git
from ...render import ChartCache, ChartDependencies, default_cache_dir
from ..changes import CLUSTER_FILE, Changes
from . import gates
from .apps import Renderer, SideApps, load_side, manifests, routing
from .report import FleetDiff
from .sides import Side, collect, extract, remotes_of, synth_side, working_tree
from .stacks import diff_stacks


def _located(error: ConfigError, side: Side) -> ConfigError:
    """``error`` with the side's temporary directory shown as ``<commit>:``."""
    if isinstance(error, ConfigErrors):
        return ConfigErrors([_located(e, side) for e in error.errors])
    if side.commit is None:
        return error
    prefix = str(side.checkout) + "/"

    def local(text: str | None) -> str | None:
        return None if text is None else text.replace(prefix, f"{side.commit[:12]}:")
    return ConfigError(f"{local(error.message)} (the {side.name} side)", file=local(error.file),
                       field=error.field)


#: Why a repository outside the checkout was not cloned, for a caller of build_diff.
NO_FETCH_ARGUMENT = ("fetching is off (fetch=False): give a checkout of it for label '{label}' "
                     "in overrides")


def build_diff(root: Path | str, changes: Changes, *, working: bool = False,
               overrides: Mapping[str, Path] | None = None,
               env: Mapping[str, str] | None = None, fetch: bool = True,
               not_fetched: str = NO_FETCH_ARGUMENT) -> FleetDiff:
    """Compare ``changes.merge_base`` with ``changes.head`` (or the working tree).

    ``fetch``: clone repositories that are not in this checkout, at each side's
    revision (otherwise they must be given in ``overrides``; ``not_fetched`` says
    so in the warning of each repository left out), and fetch the dependencies
    charts do not vendor, each side at its own versions (otherwise such charts
    are not rendered).
    """
    env = os.environ if env is None else env
    if changes.base is None or changes.merge_base is None:
        raise ConfigError(f"no base commit to compare with ({changes.note or 'none given'}): "
                          "fleetform diff needs one", field="--base")
    git = Git(root)
    renderer = Renderer(ChartDependencies(ChartCache(default_cache_dir(env)), env=env)
                        if fetch else None)
    fetcher = RepositoryFetcher(env) if fetch else None
    with tempfile.TemporaryDirectory(prefix="fleetform-diff-") as tmp:
        work = Path(tmp)
        old = extract(git, changes.merge_base, work / "base", "base")
        new = working_tree(git, "head") if working else \
            extract(git, changes.head or "HEAD", work / "head", "head")
        base_names = [c.name for c in changes.affected
                      if (old.clusters_dir / c.name / CLUSTER_FILE).is_file()]
        base_names += [c.name for c in changes.removed]
        head_names = changes.names
        procs: list[subprocess.Popen | None] = []
        try:
            procs = [synth_side(old, base_names, work / "synth-base", env),
                     synth_side(new, head_names, work / "synth-head", env)]
            sides, warnings = _load_sides((old, new), remotes_of(git), overrides, fetcher,
                                          not_fetched)
            routes = routing(*sides)
            pairs, affected = manifests(*sides, renderer)
            stacks = []
            for side, proc in zip((old, new), procs):
                try:
                    stacks.append(collect(side, proc))
                except ConfigError as exc:
                    raise _located(exc, side) from None
            procs = []
        finally:
            _release(procs, renderer, fetcher)
        stack_diffs = diff_stacks(*stacks)
        override = gates.read_override(env, new.project, changes.paths)
        violations = gates.check(base=sides[0].fleet, head=sides[1].fleet, routing=routes,
                                 pairs=pairs, removed_stacks=[c.name for c in changes.removed],
                                 override=override)
    return FleetDiff(
        rollouts=_rollouts(sides[1].fleet, pairs),
        base=changes.base, merge_base=changes.merge_base,
        head=None if working else changes.head, note=changes.note,
        stacks=stack_diffs, routing=routes, pairs=pairs,
        pairs_total=len(set(sides[0].deployments) | set(sides[1].deployments)),
        pairs_affected=affected, renders=renderer.renders,
        synthesized={"base": base_names, "head": list(head_names)},
        violations=violations, override=override, warnings=warnings)


def _load_sides(sides: tuple[Side, Side], remotes: set[str],
                overrides: Mapping[str, Path] | None, fetcher: RepositoryFetcher | None,
                not_fetched: str) -> tuple[list[SideApps], list[str]]:
    """Both sides' fleets and applications, and a warning per label left out: a label
    whose repository one side cannot read is compared on neither."""
    loaded = []
    for side in sides:
        try:
            loaded.append(load_side(side, overrides,
                                    remotes if side.commit is not None else None,
                                    fetcher, not_fetched))
        except ConfigError as exc:
            raise _located(exc, side) from None
    unavailable = {**loaded[0].unavailable, **loaded[1].unavailable}
    warnings = [f"repository of label {label!r} not compared ({why}); its applications "
                "are left out of routing, manifests and gates"
                for label, why in sorted(unavailable.items())]
    return [side.without(set(unavailable)) for side in loaded], warnings


def _release(procs: list[subprocess.Popen | None], renderer: Renderer,
             fetcher: RepositoryFetcher | None) -> None:
    """Stop the synths still running (a diff that failed) and close the caches."""
    for proc in procs:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
    renderer.close()
    if renderer.dependencies is not None:
        renderer.dependencies.close()
    if fetcher is not None:
        fetcher.close()


def _rollouts(fleet: Fleet | None, pairs: list) -> dict[str, dict[str, list[str]]]:
    """The waves of each waved label that the changed manifests reach, in their order."""
    if fleet is None:
        return {}
    repositories = fleet.management.spec.argocd.repositories  # type: ignore[union-attr]
    out = {}
    for label, repository in sorted(repositories.items()):
        if repository.rollout is None:
            continue
        changed = {p.cluster for p in pairs if p.label == label and p.status != "removed"}
        by_wave = waves(repository.rollout, {c: dict(fleet.clusters[c].labels)
                                              for c in changed if c in fleet.clusters})
        reached = {wave: names for wave, names in by_wave.items() if names}
        if reached:
            out[label] = reached
    return out


# --------------------------------------------------------------------------- CLI


