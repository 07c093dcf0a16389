"""fleetform: CDKTF constructs and tooling to run a fleet of Kubernetes clusters.

Public constructs: :class:`fleetform.constructs.doks_cluster.DoksCluster`,
:class:`fleetform.constructs.argocd.ArgoCd` and
:class:`fleetform.constructs.argo_cluster.ArgoCluster`.
Modules are imported on demand: importing ``fleetform`` loads no provider.
"""

import os

# jsii prints a large end-of-life banner on every run under Node 20.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

__version__ = "0.1.0"
