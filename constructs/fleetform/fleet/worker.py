"""A worker cluster's stack: registration in the management Argo CD."""

from __future__ import annotations

from typing import Mapping

from ..cdk import TerraformOutput, TerraformStack

from ..constructs.argo_cluster import ArgoCluster, ArgoClusterProps
from ..constructs.cluster_access import ClusterAccess
from ..errors import ConfigError
from .cluster_yaml import WorkerCluster
from .config import Cluster, Fleet


def build_worker(stack: TerraformStack, fleet: Fleet, cluster: Cluster, *,
                 access: ClusterAccess, env: Mapping[str, str]) -> ArgoCluster:
    """Register the worker in the management Argo CD with its labels.

    ``access`` is the worker's admin access (its DoksCluster's).

    The Argo CD API token is not read from ``env``: it reaches Terraform at
    plan/apply time through ``TF_VAR_argocd_auth_token`` (see
    :func:`fleetform.constructs.argo_cluster.auth_token_variable`), so it never appears
    in ``cdktf.out``.
    """
    spec = cluster.spec
    assert isinstance(spec, WorkerCluster)
    try:
        props = ArgoClusterProps(
            cluster=access,
            argocd_server=fleet.argocd_server(cluster),
            labels=dict(cluster.labels),
            grpc_web=spec.argocd.grpc_web,
            insecure=spec.argocd.insecure,
            shard=fleet.controller_shards().get(cluster.name),
        )
        registration = ArgoCluster(stack, "argo-cluster", props=props)
    except ConfigError as exc:
        # The props come from cluster.yaml: point the user at that file.
        raise ConfigError(exc.message, file=cluster.file, field=exc.field) from None
    TerraformOutput(stack, "argocd_cluster_name", value=registration.name,
                    description="The cluster's name in the management Argo CD")
    TerraformOutput(stack, "argocd_cluster_labels", value=dict(registration.labels),
                    description="Routing labels of the cluster in Argo CD")
    return registration
