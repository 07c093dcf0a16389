"""Safety gates of ``fleetform diff --gate``, and their reviewable override.

Gates (each a name an override can list):

``clusters-losing-apps``
    the change removes applications from more clusters than
    ``gates.max_clusters_losing_apps`` (management ``cluster.yaml``, default 2);
``removed-apps``
    it removes more (cluster, application) pairs than ``gates.max_removed_apps``
    (default 5);
``unmatched-label``
    a label's ApplicationSet selects no cluster;
``empty-app``
    an application the change affects renders to no objects;
``removed-cluster``
    a cluster's stack is removed (its directory is gone);
``removed-api``
    an affected application renders an API its cluster's Kubernetes version
    does not serve;
``render-error``
    an affected application cannot be rendered.

The limits are read from the *base* side's management cluster: a merge request
cannot loosen the gate it is checked against (the new limits apply once merged).

Override (:mod:`fleetform.commands.override`, shared with the plan gates of
``fleetform plans``): a line ``fleetform-allow: GATE[, GATE...]`` (or ``all``) in the merge
request description (``CI_MERGE_REQUEST_DESCRIPTION``; GitLab reads it when the
pipeline starts, so re-run the pipeline after editing the description), or the
file ``.fleetform-allow`` (one gate a line, ``#`` comments) added or changed by
the change itself, so it is reviewed with it and stops counting once merged.
Violations an override allows are still reported, as allowed.
"""

from __future__ import annotations

from typing import Sequence

from ...constructs.applicationsets import applicationsets
from ...fleet.cluster_yaml import DEFAULT_MAX_CLUSTERS_LOSING_APPS, DEFAULT_MAX_REMOVED_APPS
from ...fleet.config import Fleet
from ..override import (DESCRIPTION_ENV, DIFF_GATES, OVERRIDE_FILE, Override,  # noqa: F401
                        Violation, read_override)
from .apps import ClusterRouting, PairDiff

GATES = DIFF_GATES


def limits(base: Fleet | None, head: Fleet | None) -> tuple[int, int, str]:
    """``(max clusters losing apps, max removed apps, where from)``: the base side's."""
    for fleet, where in ((base, "base"), (head, "head")):
        if fleet is not None:
            gates = fleet.management.spec.gates  # type: ignore[union-attr]
            return gates.max_clusters_losing_apps, gates.max_removed_apps, \
                f"clusters/{fleet.management.name}/cluster.yaml of the {where}"
    return DEFAULT_MAX_CLUSTERS_LOSING_APPS, DEFAULT_MAX_REMOVED_APPS, "defaults"


def unmatched_labels(fleet: Fleet) -> list[str]:
    """Labels whose generated ApplicationSet's cluster selector matches no cluster."""
    repositories = fleet.management.spec.argocd.repositories  # type: ignore[union-attr]
    out = []
    for label, appset in zip(sorted(repositories), applicationsets(repositories)):
        matrix = appset["spec"]["generators"][0]["matrix"]["generators"]
        selector = next(g["clusters"]["selector"] for g in matrix if "clusters" in g)
        keys = [e["key"] for e in selector.get("matchExpressions", [])
                if e.get("operator") == "Exists"]
        if not any(all(k in c.labels for k in keys) for c in fleet.clusters.values()):
            out.append(label)
    return out


def check(*, base: Fleet | None, head: Fleet | None, routing: Sequence[ClusterRouting],
          pairs: Sequence[PairDiff], removed_stacks: Sequence[str],
          override: Override) -> list[Violation]:
    """Every gate the change violates, each marked allowed when the override says so."""
    max_clusters, max_apps, source = limits(base, head)
    found: list[tuple[str, str]] = []
    losing = [r for r in routing if r.lost]
    lost = sum(len(r.lost) for r in routing)
    if len(losing) > max_clusters:
        names = ", ".join(r.cluster for r in losing[:8]) + (", ..." if len(losing) > 8 else "")
        found.append(("clusters-losing-apps",
                      f"applications removed from {len(losing)} clusters ({names}); the limit "
                      f"is {max_clusters} (gates.max_clusters_losing_apps, {source})"))
    if lost > max_apps:
        found.append(("removed-apps",
                      f"{lost} applications removed in total; the limit is {max_apps} "
                      f"(gates.max_removed_apps, {source})"))
    for label in unmatched_labels(head) if head is not None else ():
        found.append(("unmatched-label",
                      f"the ApplicationSet of label {label!r} matches no cluster"))
    for pair in pairs:
        where = f"{pair.application} on {pair.cluster} ({pair.label}: {pair.app})"
        if pair.rendered_objects == 0:
            found.append(("empty-app", f"{where} renders to no objects: Argo CD would deploy "
                                       "nothing, or prune what it deployed"))
        for problem in pair.problems:
            if problem.startswith("head: cannot render"):
                found.append(("render-error", f"{where}: {problem[6:]}"))
            elif "does not serve" in problem:
                found.append(("removed-api", f"{where}: {problem}"))
    for name in removed_stacks:
        found.append(("removed-cluster", f"the stack of cluster {name} is removed "
                                         f"(clusters/{name}/ is gone): retire it by hand"))
    return [Violation(gate, message, override.allows(gate)) for gate, message in found]
