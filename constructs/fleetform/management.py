"""The management cluster's stack: Argo CD for the whole fleet, and its outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from cdktf import TerraformOutput

from .argocd import ArgoCd, ArgoCdProps
from .config import Cluster, Fleet, ManagementCluster

if TYPE_CHECKING:
    from .stacks import ClusterStack


def build_management(stack: "ClusterStack", fleet: Fleet, cluster: Cluster, *,
                     env: Mapping[str, str]) -> ArgoCd:
    """Add Argo CD, configured from the management ``cluster.yaml``, and its outputs."""
    spec = cluster.spec
    assert isinstance(spec, ManagementCluster)
    argocd = ArgoCd(stack, "argocd", props=ArgoCdProps(
        cluster=stack.doks.access,
        cluster_name=cluster.name,
        cluster_labels=dict(cluster.labels),
        repositories=dict(spec.argocd.repositories),
        chart_version=spec.argocd.chart_version,
        apps_chart_version=spec.argocd.apps_chart_version,
        hostname=spec.argocd.hostname,
        admin_enabled=spec.argocd.admin_enabled,
        prevent_destroy=cluster.protected,
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
