"""Argument checking and the nested blocks of the DigitalOcean binding (``digitalocean.py``).

A block is a frozen dataclass, given as itself or as a mapping of the same keys;
its arguments are checked when it is built (``binding.py``), and a Terraform token
is accepted wherever its type fits.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping, Optional, Sequence, Union

from .binding import (BOOLEAN, NUMBER, STRING, STRING_LIST, STRING_MAP,  # noqa: F401
                      BindingError, as_block, checked, fits, is_resolvable, to_json)


@dataclass(frozen=True)
class KubernetesClusterNodePoolTaint:
    """One ``taint`` of a node pool: ``effect`` is NoSchedule, PreferNoSchedule or NoExecute."""

    effect: str
    key: str
    value: str


#: The node pool resource's taint block is the same.
KubernetesNodePoolTaint = KubernetesClusterNodePoolTaint

#: The arguments of a node pool, in both the cluster's block and the pool resource.
POOL = {"name": STRING, "size": STRING, "auto_scale": BOOLEAN, "labels": STRING_MAP,
        "max_nodes": NUMBER, "min_nodes": NUMBER, "node_count": NUMBER, "tags": STRING_LIST}


def taints(owner: str, taint: Any) -> Any:
    """A list of taints given as blocks or mappings, as blocks; a token as is."""
    if taint is None or is_resolvable(taint):
        return taint
    if not isinstance(taint, (list, tuple)):
        raise BindingError(f"{owner}: taint must be a list of taints, got {type(taint).__name__}")
    return [as_block(f"{owner}: taint[{i}]", KubernetesClusterNodePoolTaint, t)
            for i, t in enumerate(taint)]


@dataclass(frozen=True)
class KubernetesClusterNodePool:
    """The cluster's default ``node_pool`` block: a fixed ``node_count``, or
    ``auto_scale`` between ``min_nodes`` and ``max_nodes``."""

    name: str
    size: str
    auto_scale: Optional[bool] = None
    labels: Optional[Mapping[str, str]] = None
    max_nodes: Optional[float] = None
    min_nodes: Optional[float] = None
    node_count: Optional[float] = None
    tags: Optional[Sequence[str]] = None
    taint: Optional[Sequence[Union[KubernetesClusterNodePoolTaint, Mapping[str, str]]]] = None

    def __post_init__(self) -> None:
        owner = "KubernetesClusterNodePool"
        given = checked(owner, POOL, {f.name: getattr(self, f.name) for f in fields(self)
                                      if f.name != "taint"})
        for name, value in given.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "taint", taints(owner, self.taint))


@dataclass(frozen=True)
class KubernetesClusterMaintenancePolicy:
    """``maintenance_policy`` block: ``day`` (``any`` or a weekday) and UTC ``start_time``."""

    day: Optional[str] = None
    start_time: Optional[str] = None

    def __post_init__(self) -> None:
        checked("KubernetesClusterMaintenancePolicy", {"day": STRING, "start_time": STRING},
                {"day": self.day, "start_time": self.start_time})


@dataclass(frozen=True)
class DataDigitaloceanRegionsFilter:
    """A ``filter``: records whose ``key`` matches one of ``values`` (each, with ``all``);
    ``match_by`` is ``exact`` (the provider's default), ``re`` or ``substring``."""

    key: str
    values: Sequence[str]
    all: Optional[bool] = None
    match_by: Optional[str] = None

    def __post_init__(self) -> None:
        given = checked("filter", {"key": STRING, "values": STRING_LIST, "all": BOOLEAN,
                                   "match_by": STRING},
                        {f.name: getattr(self, f.name) for f in fields(self)})
        object.__setattr__(self, "values", given["values"])


#: The sizes data source's filter block is the same.
DataDigitaloceanSizesFilter = DataDigitaloceanRegionsFilter
