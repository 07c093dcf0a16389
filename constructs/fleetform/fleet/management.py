"""The management cluster's stack: Argo CD for the whole fleet, and its outputs."""

from __future__ import annotations

from typing import Mapping

from ..cdk import TerraformOutput, TerraformStack

from ..constructs.argocd import ArgoCd, ArgoCdProps
from ..constructs.cluster_access import ClusterAccess
from .cluster_yaml import ManagementCluster
from .config import Cluster, Fleet


def build_management(stack: TerraformStack, fleet: Fleet, cluster: Cluster, *,
                     access: ClusterAccess, env: Mapping[str, str]) -> ArgoCd:
    """Add Argo CD, configured from the management ``cluster.yaml``, and its outputs.

    ``access`` is the management cluster's admin access (its DoksCluster's).
    """
    spec = cluster.spec
    assert isinstance(spec, ManagementCluster)
    argocd = ArgoCd(stack, "argocd", props=ArgoCdProps(
        cluster=access,
        cluster_name=cluster.name,
        cluster_labels=dict(cluster.labels),
        repositories={label: repository.to_props()
                      for label, repository in spec.argocd.repositories.items()},
        chart_version=spec.argocd.chart_version,
        apps_chart_version=spec.argocd.apps_chart_version,
        hostname=spec.argocd.hostname,
        admin_enabled=spec.argocd.admin_enabled,
        prevent_destroy=cluster.protected,
        token_expires_in=spec.argocd.automation_token.expires_in,
        token_renew_before=spec.argocd.automation_token.renew_before,
        sizing=fleet.argocd_sizing,
        shard=fleet.controller_shards().get(cluster.name),
    ))
    TerraformOutput(stack, "admin_password", value=argocd.admin_password, sensitive=True,
                    description="Argo CD admin password")
    TerraformOutput(stack, "automation_user_token", value=argocd.automation_token,
                    sensitive=True,
                    description="API token of the Argo CD 'automation' account: set it as "
                                "TF_VAR_argocd_auth_token for worker stacks")
    if argocd.url:
        TerraformOutput(stack, "argocd_url", value=argocd.url, description="Argo CD URL")
    return argocd
