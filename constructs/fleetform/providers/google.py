"""A small typed CDKTF binding of the few ``hashicorp/google`` types a GKE cluster needs.

Hand-written for the reason the AWS one is (the prebuilt binding is hundreds of MB):
the classes keep the prebuilt binding's names and keyword arguments and synthesize
its JSON (a block of at most one item as an object). The provider's version is
pinned exactly: the schema bound here is that tag's.

Bound: the provider; ``google_container_cluster`` (``release_channel``),
``google_container_node_pool`` (``autoscaling``, ``management``, ``node_config`` with
its ``taint``); the data source ``google_container_engine_versions``.
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
                      as_block, block_fields, blocks, checked, required, to_json)
from .versions import PROVIDERS

GOOGLE_PROVIDER_SOURCE = "hashicorp/google"
#: The provider version, pinned exactly: the schema bound here is this tag's.
GOOGLE_PROVIDER_VERSION = PROVIDERS["google"].version

_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="google", provider_version=GOOGLE_PROVIDER_VERSION,
    provider_version_constraint=GOOGLE_PROVIDER_VERSION)



class GoogleProvider(AliasedProvider):
    """The ``google`` provider for one project.

    Credentials are never arguments: the provider reads Application Default
    Credentials (``GOOGLE_APPLICATION_CREDENTIALS``: a workload identity
    federation config in CI) from the environment.
    """

    def __init__(self, scope: Construct, id: str, *, alias: Optional[str] = None,
                 project: Optional[str] = None, region: Optional[str] = None,
                 zone: Optional[str] = None) -> None:
        self._fleetform_attributes = checked(
            "GoogleProvider", {"project": STRING, "region": STRING, "zone": STRING},
            {"project": project, "region": region, "zone": zone})
        super().__init__(scope, id, alias=alias, terraform_resource_type="google",
                         terraform_generator_metadata=_METADATA,
                         terraform_provider_source=GOOGLE_PROVIDER_SOURCE)

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {**{k: to_json(v) for k, v in self._fleetform_attributes.items()},
                **self.alias_attributes()}


class GoogleResource(Resource):
    """A resource of the google provider."""

    _metadata = _METADATA

    @builtins.property
    def id(self) -> str:
        """The resource's ID (a token)."""
        return self._reference("id")


@dataclass(frozen=True)
class ContainerClusterReleaseChannel:
    """``release_channel``: ``UNSPECIFIED``, ``RAPID``, ``REGULAR``, ``STABLE`` or
    ``EXTENDED``."""

    channel: str

    def __post_init__(self) -> None:
        block_fields("ContainerClusterReleaseChannel", self, {"channel": STRING})


_CLUSTER = {"name": STRING, "location": STRING, "project": STRING,
            "remove_default_node_pool": BOOLEAN, "initial_node_count": NUMBER,
            "deletion_protection": BOOLEAN, "min_master_version": STRING,
            "resource_labels": STRING_MAP}


class ContainerCluster(GoogleResource):
    """``google_container_cluster``: a GKE control plane.

    Read ``master_auth[0].cluster_ca_certificate`` (base64 PEM) with
    ``get_string_attribute``.
    """

    _type = "google_container_cluster"

    def __init__(self, scope: Construct, id: str, *, name: str,
                 location: Optional[str] = None, project: Optional[str] = None,
                 remove_default_node_pool: Optional[bool] = None,
                 initial_node_count: Optional[float] = None,
                 deletion_protection: Optional[bool] = None,
                 min_master_version: Optional[str] = None,
                 release_channel: Optional[Union[ContainerClusterReleaseChannel,
                                                 Mapping[str, Any]]] = None,
                 resource_labels: Optional[Mapping[str, str]] = None, **meta: Any) -> None:
        attributes = checked("ContainerCluster", _CLUSTER, {
            "name": name, "location": location, "project": project,
            "remove_default_node_pool": remove_default_node_pool,
            "initial_node_count": initial_node_count, "deletion_protection": deletion_protection,
            "min_master_version": min_master_version, "resource_labels": resource_labels})
        required("ContainerCluster", attributes, "name")
        if release_channel is not None:
            attributes["release_channel"] = as_block("ContainerCluster: release_channel",
                                                     ContainerClusterReleaseChannel,
                                                     release_channel)
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def name(self) -> str:
        """The cluster's name (a token)."""
        return self._reference("name")

    @builtins.property
    def endpoint(self) -> str:
        """The API server's IP address (a token)."""
        return self._reference("endpoint")

    @builtins.property
    def master_version(self) -> str:
        """The control plane's current version (a token)."""
        return self._reference("master_version")


@dataclass(frozen=True)
class ContainerNodePoolAutoscaling:
    """``autoscaling``: the pool's bounds per zone."""

    min_node_count: Optional[float] = None
    max_node_count: Optional[float] = None

    def __post_init__(self) -> None:
        block_fields("ContainerNodePoolAutoscaling", self,
                     {"min_node_count": NUMBER, "max_node_count": NUMBER})


@dataclass(frozen=True)
class ContainerNodePoolManagement:
    """``management``: node auto-repair and auto-upgrade."""

    auto_repair: Optional[bool] = None
    auto_upgrade: Optional[bool] = None

    def __post_init__(self) -> None:
        block_fields("ContainerNodePoolManagement", self,
                     {"auto_repair": BOOLEAN, "auto_upgrade": BOOLEAN})


@dataclass(frozen=True)
class ContainerNodePoolNodeConfigTaint:
    """One ``node_config.taint``: ``effect`` is NO_SCHEDULE, PREFER_NO_SCHEDULE or
    NO_EXECUTE."""

    key: str
    value: str
    effect: str

    def __post_init__(self) -> None:
        block_fields("ContainerNodePoolNodeConfigTaint", self,
                     {"key": STRING, "value": STRING, "effect": STRING})


@dataclass(frozen=True)
class ContainerNodePoolNodeConfig:
    """``node_config``: the nodes' machine type, Kubernetes labels, taints, GCP labels."""

    machine_type: Optional[str] = None
    labels: Optional[Mapping[str, str]] = None
    resource_labels: Optional[Mapping[str, str]] = None
    oauth_scopes: Optional[Sequence[str]] = None
    taint: Optional[Sequence[Union[ContainerNodePoolNodeConfigTaint, Mapping[str, Any]]]] = None

    def __post_init__(self) -> None:
        block_fields("ContainerNodePoolNodeConfig", self, {
            "machine_type": STRING, "labels": STRING_MAP, "resource_labels": STRING_MAP,
            "oauth_scopes": STRING_LIST})
        object.__setattr__(self, "taint", blocks("ContainerNodePoolNodeConfig: taint",
                                                 ContainerNodePoolNodeConfigTaint, self.taint))


class ContainerNodePool(GoogleResource):
    """``google_container_node_pool``: a node pool of a GKE cluster."""

    _type = "google_container_node_pool"

    def __init__(self, scope: Construct, id: str, *, cluster: str,
                 name: Optional[str] = None, location: Optional[str] = None,
                 project: Optional[str] = None, node_count: Optional[float] = None,
                 initial_node_count: Optional[float] = None, version: Optional[str] = None,
                 autoscaling: Optional[Union[ContainerNodePoolAutoscaling,
                                             Mapping[str, Any]]] = None,
                 management: Optional[Union[ContainerNodePoolManagement,
                                            Mapping[str, Any]]] = None,
                 node_config: Optional[Union[ContainerNodePoolNodeConfig,
                                             Mapping[str, Any]]] = None,
                 **meta: Any) -> None:
        attributes = checked("ContainerNodePool", {
            "cluster": STRING, "name": STRING, "location": STRING, "project": STRING,
            "node_count": NUMBER, "initial_node_count": NUMBER, "version": STRING}, {
            "cluster": cluster, "name": name, "location": location, "project": project,
            "node_count": node_count, "initial_node_count": initial_node_count,
            "version": version})
        required("ContainerNodePool", attributes, "cluster")
        for key, cls, value in (("autoscaling", ContainerNodePoolAutoscaling, autoscaling),
                                ("management", ContainerNodePoolManagement, management),
                                ("node_config", ContainerNodePoolNodeConfig, node_config)):
            if value is not None:
                attributes[key] = as_block(f"ContainerNodePool: {key}", cls, value)
        super().__init__(scope, id, attributes, **meta)


class DataGoogleContainerEngineVersions(DataSource):
    """Data source ``google_container_engine_versions``: GKE versions in a location."""

    _type = "google_container_engine_versions"
    _metadata = _METADATA

    def __init__(self, scope: Construct, id: str, *, location: Optional[str] = None,
                 project: Optional[str] = None, version_prefix: Optional[str] = None,
                 **meta: Any) -> None:
        super().__init__(scope, id, checked("DataGoogleContainerEngineVersions", {
            "location": STRING, "project": STRING, "version_prefix": STRING}, {
            "location": location, "project": project, "version_prefix": version_prefix}),
            **meta)

    @builtins.property
    def latest_master_version(self) -> str:
        """The newest control plane version matching ``version_prefix`` (a token)."""
        return self._reference("latest_master_version")
