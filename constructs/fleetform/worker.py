"""A worker cluster's stack: registration in the management Argo CD."""

from __future__ import annotations

from typing import Mapping, TYPE_CHECKING

from .config import Cluster, Fleet

if TYPE_CHECKING:
    from .stacks import ClusterStack


def build_worker(stack: "ClusterStack", fleet: Fleet, cluster: Cluster, *,
                 env: Mapping[str, str]) -> None:
    """Register the worker in the management Argo CD with its labels."""
