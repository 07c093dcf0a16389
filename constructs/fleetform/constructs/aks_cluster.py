"""AksCluster: an Azure Kubernetes Service cluster with its node pools."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

from constructs import Construct

from ..cdk import Fn, Precondition, TerraformResourceLifecycle
from ..errors import ConfigError
from ..providers import azurerm
from .cluster_access import ClusterAccess
from .formats import (AKS_POOL_NAME, AKS_VERSION, AZURE_LOCATION, AZURE_RESOURCE_GROUP,
                      AZURE_VM_SIZE, DNS1123_LABEL, check_bool, check_instance, check_str)
from .props import NodePool, check_labels_map, check_node_pools

#: An exact AKS version (anything else is a prefix).
EXACT_AKS_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\Z")
SKU_TIERS = ("Free", "Standard", "Premium")
SkuTier = Literal["Free", "Standard", "Premium"]
#: The name AKS gives the default pool while it rotates it (a change of its VM size).
ROTATION_POOL_NAME = "fleetformtmp"
_TAG_KEY = re.compile(r"^[^<>%&\\?/]{1,512}\Z")


@dataclass(frozen=True)
class AksClusterProps:
    """Props of :class:`AksCluster`, validated when built (a ConfigError names the prop).

    Attributes:
        name: the cluster's name in Azure (a DNS-1123 label).
        location: the Azure location, e.g. ``westeurope``; one that does not exist fails
            the plan.
        kubernetes_version: an AKS version prefix (``1.33``: the newest 1.33.x offered in
            the location, resolved at plan time) or an exact ``1.33.2``.
        node_pools: at least one :class:`~fleetform.NodePool`; names of 1 to 12
            lowercase letters and digits (AKS's rule), ``size`` an Azure VM size. The
            first is the default pool, which runs the system pods and takes no taints.
        resource_group: an existing resource group. Default: a new one, ``<name>-aks``.
        tags: Azure tags of every resource. Default: none.
        sku_tier: the control plane's tier (``Standard``: the uptime SLA). Default: Free.
        prevent_destroy: make Terraform refuse to destroy the cluster. Default: False.
    """

    name: str
    location: str
    kubernetes_version: str
    node_pools: Sequence[NodePool]
    resource_group: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    sku_tier: SkuTier = "Free"
    prevent_destroy: bool = False

    def __post_init__(self) -> None:
        check_str(self.name, "name", "a DNS-1123 label (lowercase letters, digits and '-', "
                  "at most 63) such as my-cluster", DNS1123_LABEL)
        if len(self.name) > 63:
            raise ConfigError(f"must be at most 63 characters, got {len(self.name)}", field="name")
        check_str(self.location, "location", "an Azure location such as westeurope",
                  AZURE_LOCATION)
        check_str(self.kubernetes_version, "kubernetes_version",
                  "an AKS version: a prefix such as 1.33 (the newest 1.33.x) or an exact "
                  "1.33.2", AKS_VERSION)
        check_node_pools(self.node_pools, "node_pools", size=AZURE_VM_SIZE,
                         size_hint="an Azure VM size such as Standard_D4s_v5",
                         name=AKS_POOL_NAME,
                         name_hint="an AKS pool name: a lowercase letter, then up to 11 "
                                   "lowercase letters or digits")
        if self.node_pools[0].taints:
            raise ConfigError("the first pool is AKS's default pool, which runs the system "
                              "pods and takes no taints: taint a further pool",
                              field="node_pools[0].taints")
        if self.resource_group is not None:
            check_str(self.resource_group, "resource_group", "an Azure resource group name",
                      AZURE_RESOURCE_GROUP)
        check_labels_map(self.tags, "tags", "tag names to values", _TAG_KEY,
                         "a tag name of 1 to 512 characters without <>%&\\?/", 256)
        if self.sku_tier not in SKU_TIERS:
            raise ConfigError(f"must be one of {', '.join(SKU_TIERS)}, got {self.sku_tier!r}",
                              field="sku_tier")
        check_bool(self.prevent_destroy, "prevent_destroy")


def _dns_prefix(name: str) -> str:
    """AKS's DNS prefix: 1 to 54 letters, digits and '-', starting with a letter."""
    prefix = name if name[0].isalpha() else f"k{name}"
    return prefix[:54].rstrip("-")


def _scaling(pool: NodePool) -> dict:
    if pool.autoscale is not None:
        return {"auto_scaling_enabled": True, "min_count": pool.autoscale.min_nodes,
                "max_count": pool.autoscale.max_nodes}
    return {"node_count": pool.count}


class AksCluster(Construct):
    """An Azure Kubernetes Service cluster, its resource group and its node pools.

    The stack must configure the ``azurerm`` provider (credentials from the
    environment, never from synthesized JSON). The cluster has a system-assigned
    identity and keeps AKS's local admin account, whose client certificate the
    providers use.

    The plan fails before anything is created when the location does not exist
    (``azurerm_location``), or when ``kubernetes_version`` matches no version Azure
    offers there (``azurerm_kubernetes_service_versions``), naming what it offers.
    VM sizes are checked for their form only: the provider has no data source
    listing them; Azure's API refuses one that does not exist at apply.

    Attributes:
        cluster: the ``azurerm_kubernetes_cluster`` resource.
        node_pools: one ``azurerm_kubernetes_cluster_node_pool`` per further pool.
        endpoint: the Kubernetes API server URL.
        ca_certificate: the API server's CA certificate (PEM).
        access: admin access for providers: the local admin's client certificate, read
            from the cluster resource, which every plan refreshes.
        kubeconfig: the admin kubeconfig (sensitive).
    """

    def __init__(self, scope: Construct, id: str, *, props: AksClusterProps) -> None:
        check_instance(props, "props", AksClusterProps, "AksClusterProps(name=..., ...)")
        super().__init__(scope, id)
        self.props = props
        azurerm.DataAzurermLocation(self, "location", location=props.location)
        version, checks = self._version()
        tags = dict(props.tags) or None
        if props.resource_group is not None:
            group = azurerm.DataAzurermResourceGroup(self, "resource-group",
                                                     name=props.resource_group).name
        else:
            group = azurerm.ResourceGroup(self, "resource-group", name=f"{props.name}-aks",
                                          location=props.location, tags=tags).name

        default_pool, *extra_pools = props.node_pools
        self.cluster = azurerm.KubernetesCluster(
            self, "cluster",
            name=props.name, location=props.location, resource_group_name=group,
            dns_prefix=_dns_prefix(props.name), kubernetes_version=version,
            sku_tier=props.sku_tier, local_account_disabled=False,
            identity=azurerm.KubernetesClusterIdentity(type="SystemAssigned"),
            default_node_pool=azurerm.KubernetesClusterDefaultNodePool(
                name=default_pool.name, vm_size=default_pool.size,
                node_labels=dict(default_pool.labels) or None, orchestrator_version=version,
                temporary_name_for_rotation=ROTATION_POOL_NAME, tags=tags,
                **_scaling(default_pool)),
            tags=tags,
            lifecycle=TerraformResourceLifecycle(
                prevent_destroy=True if props.prevent_destroy else None,
                precondition=checks or None,
                # The cluster autoscaler owns the count between the bounds.
                ignore_changes=["default_node_pool[0].node_count"]
                if default_pool.autoscale is not None else None),
        )
        cluster_id = self.cluster.id
        self.node_pools = [azurerm.KubernetesClusterNodePool(
            self, f"pool-{pool.name}", name=pool.name, kubernetes_cluster_id=cluster_id,
            vm_size=pool.size, node_labels=dict(pool.labels) or None,
            node_taints=[f"{t.key}={t.value}:{t.effect}" for t in pool.taints] or None,
            orchestrator_version=version,
            tags={**(tags or {}), **{tag: "" for tag in pool.tags}} or None,
            lifecycle=TerraformResourceLifecycle(ignore_changes=["node_count"])
            if pool.autoscale is not None else None,
            **_scaling(pool)) for pool in extra_pools]

        config = "kube_config[0]"
        # From the cluster's FQDN, not kube_config's host: the provider marks all of
        # kube_config sensitive, which would make the endpoint (an output, Argo CD's
        # server address) sensitive too.
        self.endpoint: str = f"https://{self.cluster.get_string_attribute('fqdn')}:443"
        self.ca_certificate: str = Fn.base64decode(
            self.cluster.get_string_attribute(f"{config}.cluster_ca_certificate"))
        self.kubeconfig: str = self.cluster.get_string_attribute("kube_config_raw")
        # As on DOKS, credentials come from the resource, not from a data source: the
        # provider's read fetches them on every plan's refresh, so they are known at
        # plan time after the first apply, and the certificate lives two years.
        self.access = ClusterAccess(
            name=props.name, endpoint=self.endpoint, cluster_ca_certificate=self.ca_certificate,
            client_certificate=Fn.base64decode(
                self.cluster.get_string_attribute(f"{config}.client_certificate")),
            client_key=Fn.base64decode(
                self.cluster.get_string_attribute(f"{config}.client_key")))

    def _version(self) -> tuple[str, list[Precondition]]:
        """The version to create, and the precondition that it is offered."""
        props = self.props
        offered = azurerm.DataAzurermKubernetesServiceVersions(
            self, "offered", location=props.location, include_preview=False)
        listed = f'join(", ", {offered.fqn}.versions)'
        if EXACT_AKS_VERSION.match(props.kubernetes_version):
            return props.kubernetes_version, [Precondition(
                condition=f'${{contains({offered.fqn}.versions, "{props.kubernetes_version}")}}',
                error_message=(
                    f'Cluster {props.name}: kubernetes_version "{props.kubernetes_version}" '
                    f'is not an AKS version Azure offers in {props.location} (${{{listed}}}).'))]
        versions = azurerm.DataAzurermKubernetesServiceVersions(
            self, "versions", location=props.location,
            version_prefix=props.kubernetes_version + ".", include_preview=False)
        # The data source gives "0.0.0" as latest_version when nothing matches the prefix
        # (kubernetes_service_versions_data_source.go, v4.81.0): check it is one offered.
        return versions.latest_version, [Precondition(
            condition=(f"${{contains({versions.fqn}.versions, "
                       f"{versions.fqn}.latest_version)}}"),
            error_message=(
                f'Cluster {props.name}: kubernetes_version "{props.kubernetes_version}" matches '
                f'no AKS version Azure offers in {props.location} (${{{listed}}}): give a '
                'MAJOR.MINOR prefix of one of them, such as "1.33", or one of them exactly.'))]
