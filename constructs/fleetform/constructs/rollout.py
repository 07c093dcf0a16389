"""Waves: a label's applications rolled out across its clusters step by step.

A repository may declare a rollout: the cluster label that names each cluster's
wave (``wave`` by default) and the waves in order. Its ApplicationSet then uses
Argo CD's progressive syncs (``RollingSync``, beta since Argo CD 3.3): each
generated Application carries its cluster's wave as the label
:data:`WAVE_LABEL`, and one step per wave selects them. Argo CD syncs a step's
Applications (at most ``max_update`` at a time), waits for all of them to be
Healthy, then goes on to the next step. ``max_update: 0`` makes a step wait for
someone to sync it by hand.

Argo CD leaves an Application that no step selects out of the rollout, unsynced:
:func:`rollout_problems` refuses the setups that would do that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from ..errors import ConfigError
from .labels import check_label_key, check_label_value

#: The label of each generated Application that holds its cluster's wave.
WAVE_LABEL = "fleetform.io/wave"
#: The Argo CD version whose RollingSync the generated ApplicationSets are written for
#: (progressive syncs are beta, and on by a parameter, since 3.3).
ARGOCD_VERSION_NEEDED = (3, 3)
#: The ``argocd-cmd-params-cm`` key that turns progressive syncs on.
PROGRESSIVE_SYNCS_PARAM = "applicationsetcontroller.enable.progressive.syncs"

_PERCENT = re.compile(r"^(100|[1-9]?[0-9])%$")


@dataclass(frozen=True)
class RolloutStep:
    """One wave: the clusters whose wave label has ``value``.

    Attributes:
        value: the wave label's value on the clusters of this wave.
        max_update: how many of its Applications Argo CD syncs at a time, a number or
            a percentage (``"25%"``); 0 waits for a sync by hand. Default: all at once.
    """

    value: str
    max_update: int | str | None = None


@dataclass(frozen=True)
class Rollout:
    """The waves in which a label's applications reach its clusters, in order.

    Attributes:
        steps: the waves, first to last.
        label: the cluster label naming each cluster's wave. Default: ``wave``.
    """

    steps: Sequence[RolloutStep]
    label: str = "wave"


def check_rollout(rollout: Any, field: str) -> None:
    """Raise ConfigError naming the first invalid attribute of ``rollout``."""
    if not isinstance(rollout, Rollout):
        raise ConfigError(f"must be a Rollout(steps=[...]), got {type(rollout).__name__}",
                          field=field)
    try:
        check_label_key(rollout.label)
    except ValueError as exc:
        raise ConfigError(str(exc), field=f"{field}.label") from None
    if isinstance(rollout.steps, (str, bytes)) or not rollout.steps:
        raise ConfigError("must list at least one wave", field=f"{field}.steps")
    seen: set[str] = set()
    for i, step in enumerate(rollout.steps):
        where = f"{field}.steps[{i}]"
        if not isinstance(step, RolloutStep):
            raise ConfigError(f"must be a RolloutStep, got {type(step).__name__}", field=where)
        try:
            check_label_value(step.value)
        except ValueError as exc:
            raise ConfigError(str(exc), field=f"{where}.value") from None
        if not step.value:
            raise ConfigError("must be a wave name, not empty", field=f"{where}.value")
        if step.value in seen:
            raise ConfigError(f"wave {step.value!r} is listed twice", field=f"{where}.value")
        seen.add(step.value)
        m = step.max_update
        if m is not None and not (isinstance(m, int) and not isinstance(m, bool) and m >= 0
                                  or isinstance(m, str) and _PERCENT.match(m)):
            raise ConfigError(f"must be a number of applications (0 or more) or a percentage "
                              f"such as '25%', got {m!r}", field=f"{where}.max_update")


def application_labels(rollout: Any) -> dict[str, str]:
    """The labels a generated Application gets for the rollout (a Go template)."""
    return {WAVE_LABEL: f'{{{{ index .metadata.labels "{rollout.label}" }}}}'}


def strategy(rollout: Any) -> dict[str, Any]:
    """The ApplicationSet's ``strategy``: one RollingSync step per wave."""
    steps = []
    for step in rollout.steps:
        entry: dict[str, Any] = {"matchExpressions": [
            {"key": WAVE_LABEL, "operator": "In", "values": [step.value]}]}
        if step.max_update is not None:
            entry["maxUpdate"] = step.max_update
        steps.append(entry)
    return {"type": "RollingSync", "rollingSync": {"steps": steps}}


def waves(rollout: Any, clusters: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """``{wave: [clusters]}`` in the rollout's order, of ``clusters`` (name -> labels)."""
    out: dict[str, list[str]] = {step.value: [] for step in rollout.steps}
    for name, labels in sorted(clusters.items()):
        wave = labels.get(rollout.label)
        if wave in out:
            out[wave].append(name)
    return out


def rollout_problems(rollout: Any, clusters: Mapping[str, Mapping[str, str]]
                     ) -> Iterable[tuple[str | None, str, str]]:
    """What Argo CD would get stuck on: ``(cluster or None, field, message)`` for each
    cluster of the label that no wave selects, and each wave that selects no cluster."""
    by_wave = waves(rollout, clusters)
    names = ", ".join(repr(s.value) for s in rollout.steps)
    for name, labels in sorted(clusters.items()):
        wave = labels.get(rollout.label)
        if wave not in by_wave:
            got = f"its {rollout.label!r} label is {wave!r}" if wave is not None else \
                f"it has no {rollout.label!r} label"
            yield (name, f"labels.{rollout.label}",
                   f"in no wave of the rollout ({got}; the waves: {names}): Argo CD would "
                   "never sync its applications; give it one of the waves")
    for i, step in enumerate(rollout.steps):
        if not by_wave[step.value]:
            yield (None, f"steps[{i}]",
                   f"wave {step.value!r} has no cluster (no cluster with the label carries "
                   f"{rollout.label}: {step.value}): a step that selects no application; "
                   "remove it, or give a cluster that wave")


def uses_rollouts(repositories: Mapping[str, Any]) -> bool:
    return any(getattr(r, "rollout", None) is not None for r in repositories.values())
