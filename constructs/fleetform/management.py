"""The management cluster's stack: Argo CD for the whole fleet."""

from __future__ import annotations

from typing import Mapping, TYPE_CHECKING

from .config import Cluster, Fleet

if TYPE_CHECKING:
    from .stacks import ClusterStack


def build_management(stack: "ClusterStack", fleet: Fleet, cluster: Cluster, *,
                     env: Mapping[str, str]) -> None:
    """Add Argo CD and its outputs to the management cluster's stack."""
