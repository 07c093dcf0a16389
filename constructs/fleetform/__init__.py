"""fleetform: CDKTF constructs and tooling to run a fleet of Kubernetes clusters.

The constructs and their props are importable from here::

    from fleetform import ArgoCd, ArgoCdProps, ArgoCluster, ArgoClusterProps, ClusterAccess, \\
        DoksCluster, DoksClusterProps, EksCluster, EksClusterProps, NodePool

Each name is imported on first use: importing ``fleetform`` loads no cdktf
and no provider, and ``from fleetform import ArgoCluster`` loads only the
providers ArgoCluster needs. Layers (imports only go down): ``fleetform.commands``
(the command line) -> ``fleetform.render`` (charts' dependencies) -> ``fleetform.fleet``
(the app) -> ``fleetform.integrations`` (Git, GitLab, atomic files) ->
``fleetform.constructs`` -> ``fleetform.providers``; ``fleetform.errors`` is importable
from all.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

# jsii prints a large end-of-life banner on every run under Node 20. The
# package's fleetform-jsii-node.pth sets this at interpreter start-up, before
# any import; this covers a fleetform that is on sys.path without being
# installed (the banner is printed when cdktf is first imported).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    "DoksCluster": "fleetform.constructs.doks_cluster",
    "DoksClusterProps": "fleetform.constructs.doks_cluster",
    "EksCluster": "fleetform.constructs.eks_cluster",
    "EksClusterProps": "fleetform.constructs.eks_cluster",
    "AksCluster": "fleetform.constructs.aks_cluster",
    "AksClusterProps": "fleetform.constructs.aks_cluster",
    "GkeCluster": "fleetform.constructs.gke_cluster",
    "GkeClusterProps": "fleetform.constructs.gke_cluster",
    "ArgoCd": "fleetform.constructs.argocd",
    "ArgoCdProps": "fleetform.constructs.argocd",
    "ArgoCdSizing": "fleetform.constructs.argocd_sizing",
    "controller_shards": "fleetform.constructs.argocd_sizing",
    "ArgoCluster": "fleetform.constructs.argo_cluster",
    "ArgoClusterProps": "fleetform.constructs.argo_cluster",
    "ClusterAccess": "fleetform.constructs.cluster_access",
    "ExecCredential": "fleetform.constructs.cluster_access",
    "NodePool": "fleetform.constructs.props",
    "Autoscale": "fleetform.constructs.props",
    "Taint": "fleetform.constructs.props",
    "MaintenanceWindow": "fleetform.constructs.props",
    "Repository": "fleetform.constructs.props",
    "RepositoryCredentials": "fleetform.constructs.props",
    "DEFAULT_ARGOCD_CHART_VERSION": "fleetform.constructs.props",
    "DEFAULT_ARGOCD_APPS_CHART_VERSION": "fleetform.constructs.props",
    "ConfigError": "fleetform.errors",
}

__all__ = [
    "__version__", "DoksCluster", "DoksClusterProps", "EksCluster", "EksClusterProps",
    "AksCluster", "AksClusterProps", "GkeCluster", "GkeClusterProps", "ArgoCd",
    "ArgoCdProps", "ArgoCdSizing", "controller_shards", "ArgoCluster", "ArgoClusterProps",
    "ClusterAccess", "ExecCredential", "NodePool", "Autoscale", "Taint", "MaintenanceWindow",
    "Repository",
    "RepositoryCredentials", "DEFAULT_ARGOCD_CHART_VERSION", "DEFAULT_ARGOCD_APPS_CHART_VERSION",
    "ConfigError",
]

if TYPE_CHECKING:
    # What type checkers see; at run time __getattr__ imports each name on first use.
    from .constructs.argo_cluster import (ArgoCluster as ArgoCluster,
                                          ArgoClusterProps as ArgoClusterProps)
    from .constructs.argocd import ArgoCd as ArgoCd, ArgoCdProps as ArgoCdProps
    from .constructs.argocd_sizing import (ArgoCdSizing as ArgoCdSizing,
                                           controller_shards as controller_shards)
    from .constructs.cluster_access import (ClusterAccess as ClusterAccess,
                                            ExecCredential as ExecCredential)
    from .constructs.doks_cluster import (DoksCluster as DoksCluster,
                                          DoksClusterProps as DoksClusterProps)
    from .constructs.aks_cluster import (AksCluster as AksCluster,
                                         AksClusterProps as AksClusterProps)
    from .constructs.eks_cluster import (EksCluster as EksCluster,
                                         EksClusterProps as EksClusterProps)
    from .constructs.gke_cluster import (GkeCluster as GkeCluster,
                                         GkeClusterProps as GkeClusterProps)
    from .constructs.props import (
        DEFAULT_ARGOCD_APPS_CHART_VERSION as DEFAULT_ARGOCD_APPS_CHART_VERSION,
        DEFAULT_ARGOCD_CHART_VERSION as DEFAULT_ARGOCD_CHART_VERSION, Autoscale as Autoscale,
        MaintenanceWindow as MaintenanceWindow, NodePool as NodePool, Repository as Repository,
        RepositoryCredentials as RepositoryCredentials, Taint as Taint)
    from .errors import ConfigError as ConfigError


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fleetform' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
