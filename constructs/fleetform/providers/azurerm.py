"""A small typed CDKTF binding of the few ``hashicorp/azurerm`` types an AKS cluster needs.

Hand-written for the reason the AWS one is (the prebuilt binding is hundreds of MB):
the classes keep the prebuilt binding's names and keyword arguments and synthesize
its JSON (a block of at most one item as an object). The provider's version is
pinned exactly: the schema bound here is that tag's.

Bound: the provider (``features``); ``azurerm_resource_group``,
``azurerm_kubernetes_cluster`` (``default_node_pool``, ``identity``),
``azurerm_kubernetes_cluster_node_pool``; the data sources ``azurerm_resource_group``,
``azurerm_kubernetes_service_versions`` and ``azurerm_location``.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

import jsii
from constructs import Construct

from ..cdk import TerraformProviderGeneratorMetadata
from .alias import AliasedProvider
from .binding import (BOOLEAN, NUMBER, STRING, STRING_LIST, STRING_MAP, DataSource, Resource,
                      as_block, block_fields, checked, required, to_json)
from .versions import PROVIDERS

AZURERM_PROVIDER_SOURCE = "hashicorp/azurerm"
#: The provider version, pinned exactly: the schema bound here is this tag's.
AZURERM_PROVIDER_VERSION = PROVIDERS["azurerm"].version

_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="azurerm", provider_version=AZURERM_PROVIDER_VERSION,
    provider_version_constraint=AZURERM_PROVIDER_VERSION)



class AzurermProvider(AliasedProvider):
    """The ``azurerm`` provider for one subscription (``features {}`` as it requires).

    Credentials are never arguments: the provider reads ``ARM_CLIENT_ID``,
    ``ARM_TENANT_ID`` and a secret, an OIDC token (``ARM_USE_OIDC``), or the Azure
    CLI's login from the environment.
    """

    def __init__(self, scope: Construct, id: str, *, alias: Optional[str] = None,
                 subscription_id: Optional[str] = None,
                 resource_provider_registrations: Optional[str] = None) -> None:
        self._fleetform_attributes = {
            "features": {},
            **checked("AzurermProvider", {"subscription_id": STRING,
                                          "resource_provider_registrations": STRING},
                      {"subscription_id": subscription_id,
                       "resource_provider_registrations": resource_provider_registrations})}
        super().__init__(scope, id, alias=alias, terraform_resource_type="azurerm",
                         terraform_generator_metadata=_METADATA,
                         terraform_provider_source=AZURERM_PROVIDER_SOURCE)

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {**{k: to_json(v) for k, v in self._fleetform_attributes.items()},
                **self.alias_attributes()}


class AzurermResource(Resource):
    """A resource of the azurerm provider."""

    _metadata = _METADATA

    @builtins.property
    def id(self) -> str:
        """The resource's Azure ID (a token)."""
        return self._reference("id")


class AzurermDataSource(DataSource):
    """A data source of the azurerm provider."""

    _metadata = _METADATA


class ResourceGroup(AzurermResource):
    """``azurerm_resource_group``."""

    _type = "azurerm_resource_group"

    def __init__(self, scope: Construct, id: str, *, name: str, location: str,
                 tags: Optional[Mapping[str, str]] = None, **meta: Any) -> None:
        attributes = checked("ResourceGroup", {"name": STRING, "location": STRING,
                                               "tags": STRING_MAP},
                             {"name": name, "location": location, "tags": tags})
        required("ResourceGroup", attributes, "name", "location")
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def name(self) -> str:
        """The group's name (a token)."""
        return self._reference("name")


class DataAzurermResourceGroup(AzurermDataSource):
    """Data source ``azurerm_resource_group``: an existing group (the plan fails without it)."""

    _type = "azurerm_resource_group"

    def __init__(self, scope: Construct, id: str, *, name: str, **meta: Any) -> None:
        attributes = checked("DataAzurermResourceGroup", {"name": STRING}, {"name": name})
        required("DataAzurermResourceGroup", attributes, "name")
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def name(self) -> str:
        """The group's name (a token)."""
        return self._reference("name")


class DataAzurermLocation(AzurermDataSource):
    """Data source ``azurerm_location``: a location, read at plan time (fails on one that
    does not exist)."""

    _type = "azurerm_location"

    def __init__(self, scope: Construct, id: str, *, location: str, **meta: Any) -> None:
        attributes = checked("DataAzurermLocation", {"location": STRING}, {"location": location})
        required("DataAzurermLocation", attributes, "location")
        super().__init__(scope, id, attributes, **meta)


class DataAzurermKubernetesServiceVersions(AzurermDataSource):
    """Data source ``azurerm_kubernetes_service_versions``: AKS versions in a location."""

    _type = "azurerm_kubernetes_service_versions"

    def __init__(self, scope: Construct, id: str, *, location: str,
                 version_prefix: Optional[str] = None, include_preview: Optional[bool] = None,
                 **meta: Any) -> None:
        attributes = checked("DataAzurermKubernetesServiceVersions", {
            "location": STRING, "version_prefix": STRING, "include_preview": BOOLEAN}, {
            "location": location, "version_prefix": version_prefix,
            "include_preview": include_preview})
        required("DataAzurermKubernetesServiceVersions", attributes, "location")
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def latest_version(self) -> str:
        """The newest version matching ``version_prefix`` (a token)."""
        return self._reference("latest_version")


_POOL = {"name": STRING, "vm_size": STRING, "node_count": NUMBER,
         "auto_scaling_enabled": BOOLEAN, "min_count": NUMBER, "max_count": NUMBER,
         "node_labels": STRING_MAP, "orchestrator_version": STRING, "tags": STRING_MAP}


@dataclass(frozen=True)
class KubernetesClusterDefaultNodePool:
    """``default_node_pool``: the cluster's first pool (it runs the system pods)."""

    name: str
    vm_size: str
    node_count: Optional[float] = None
    auto_scaling_enabled: Optional[bool] = None
    min_count: Optional[float] = None
    max_count: Optional[float] = None
    node_labels: Optional[Mapping[str, str]] = None
    orchestrator_version: Optional[str] = None
    temporary_name_for_rotation: Optional[str] = None
    tags: Optional[Mapping[str, str]] = None

    def __post_init__(self) -> None:
        block_fields("KubernetesClusterDefaultNodePool", self,
                     {**_POOL, "temporary_name_for_rotation": STRING})


@dataclass(frozen=True)
class KubernetesClusterIdentity:
    """``identity``: ``SystemAssigned`` (or ``UserAssigned`` with ``identity_ids``)."""

    type: str
    identity_ids: Optional[Sequence[str]] = None

    def __post_init__(self) -> None:
        block_fields("KubernetesClusterIdentity", self,
                     {"type": STRING, "identity_ids": STRING_LIST})


_CLUSTER = {"name": STRING, "location": STRING, "resource_group_name": STRING,
            "dns_prefix": STRING, "kubernetes_version": STRING, "sku_tier": STRING,
            "local_account_disabled": BOOLEAN, "tags": STRING_MAP}


class KubernetesCluster(AzurermResource):
    """``azurerm_kubernetes_cluster``: an AKS cluster and its default node pool.

    Read ``kube_config[0].<attribute>`` (base64 values, sensitive) with
    ``get_string_attribute``.
    """

    _type = "azurerm_kubernetes_cluster"

    def __init__(self, scope: Construct, id: str, *, name: str, location: str,
                 resource_group_name: str,
                 default_node_pool: Union[KubernetesClusterDefaultNodePool, Mapping[str, Any]],
                 dns_prefix: Optional[str] = None, kubernetes_version: Optional[str] = None,
                 identity: Optional[Union[KubernetesClusterIdentity, Mapping[str, Any]]] = None,
                 sku_tier: Optional[str] = None, local_account_disabled: Optional[bool] = None,
                 tags: Optional[Mapping[str, str]] = None, **meta: Any) -> None:
        attributes = checked("KubernetesCluster", _CLUSTER, {
            "name": name, "location": location, "resource_group_name": resource_group_name,
            "dns_prefix": dns_prefix, "kubernetes_version": kubernetes_version,
            "sku_tier": sku_tier, "local_account_disabled": local_account_disabled,
            "tags": tags})
        required("KubernetesCluster", attributes, "name", "location", "resource_group_name")
        attributes["default_node_pool"] = as_block("KubernetesCluster: default_node_pool",
                                                   KubernetesClusterDefaultNodePool,
                                                   default_node_pool)
        if identity is not None:
            attributes["identity"] = as_block("KubernetesCluster: identity",
                                              KubernetesClusterIdentity, identity)
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def name(self) -> str:
        """The cluster's name (a token)."""
        return self._reference("name")


class KubernetesClusterNodePool(AzurermResource):
    """``azurerm_kubernetes_cluster_node_pool``: a further node pool of an AKS cluster.

    ``node_taints`` are ``key=value:Effect`` strings.
    """

    _type = "azurerm_kubernetes_cluster_node_pool"

    def __init__(self, scope: Construct, id: str, *, name: str, kubernetes_cluster_id: str,
                 vm_size: Optional[str] = None, node_count: Optional[float] = None,
                 auto_scaling_enabled: Optional[bool] = None, min_count: Optional[float] = None,
                 max_count: Optional[float] = None,
                 node_labels: Optional[Mapping[str, str]] = None,
                 node_taints: Optional[Sequence[str]] = None,
                 orchestrator_version: Optional[str] = None,
                 tags: Optional[Mapping[str, str]] = None, **meta: Any) -> None:
        attributes = checked("KubernetesClusterNodePool", {
            **_POOL, "kubernetes_cluster_id": STRING, "node_taints": STRING_LIST}, {
            "name": name, "kubernetes_cluster_id": kubernetes_cluster_id, "vm_size": vm_size,
            "node_count": node_count, "auto_scaling_enabled": auto_scaling_enabled,
            "min_count": min_count, "max_count": max_count, "node_labels": node_labels,
            "node_taints": node_taints, "orchestrator_version": orchestrator_version,
            "tags": tags})
        required("KubernetesClusterNodePool", attributes, "name", "kubernetes_cluster_id")
        super().__init__(scope, id, attributes, **meta)
