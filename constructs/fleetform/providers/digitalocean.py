"""A small typed CDKTF binding of the few ``digitalocean/digitalocean`` types fleetform uses.

Why not the prebuilt ``cdktf-cdktf-provider-digitalocean``: importing it
imports all 139 of its submodules and loads its jsii assembly into node,
about a second of every synth (measured by ``bench/bench.py``) and memory in
both processes, for the five types used here. The classes keep the prebuilt
names and keyword arguments, and synthesize the same Terraform JSON
(``tests/test_digitalocean_binding.py`` compares them), so switching back is
an import change.

Bound: the provider, ``digitalocean_kubernetes_cluster`` (with its
``node_pool``, ``node_pool.taint`` and ``maintenance_policy`` blocks and its
scalar arguments), ``digitalocean_kubernetes_node_pool``, and the data
sources ``digitalocean_kubernetes_cluster``, ``digitalocean_kubernetes_versions``,
``digitalocean_regions`` and ``digitalocean_sizes`` (with ``filter``). Not bound:
the cluster's GPU-plugin, control-plane-firewall, routing-agent, autoscaler and
``timeouts`` blocks, and the list data sources' ``sort``.

Arguments are checked when a construct is created (a wrong type is a
``TypeError`` naming the class and the argument, as with the prebuilt
binding); a Terraform token is accepted wherever its type fits.
"""

from __future__ import annotations

import builtins
from typing import Any, Mapping, Optional, Sequence, Union

import jsii
from constructs import Construct

from ..cdk import TerraformProviderGeneratorMetadata
from .alias import AliasedProvider
from .binding import BindingError, DataSource, Resource
from .digitalocean_blocks import (BOOLEAN, NUMBER, POOL, STRING, STRING_LIST, STRING_MAP,
                                  DataDigitaloceanRegionsFilter, DataDigitaloceanSizesFilter,
                                  KubernetesClusterMaintenancePolicy, KubernetesClusterNodePool,
                                  KubernetesClusterNodePoolTaint, KubernetesNodePoolTaint,
                                  as_block, checked, is_resolvable, taints, to_json)
from .versions import PROVIDERS

#: Registry source of the provider.
DIGITALOCEAN_PROVIDER_SOURCE = "digitalocean/digitalocean"
#: The provider version the schema here is taken from (the one
#: cdktf-cdktf-provider-digitalocean 13.14 binds), written to
#: ``required_providers`` as the prebuilt binding does.
DIGITALOCEAN_PROVIDER_VERSION = PROVIDERS["digitalocean"].version
#: The prebuilt binding's version constraint, kept in its generator metadata.
DIGITALOCEAN_PROVIDER_CONSTRAINT = "~> 2.19"

_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="digitalocean", provider_version=DIGITALOCEAN_PROVIDER_VERSION,
    provider_version_constraint=DIGITALOCEAN_PROVIDER_CONSTRAINT)

# --------------------------------------------------------------------------
# Provider
# --------------------------------------------------------------------------

_PROVIDER = {
    "api_endpoint": STRING, "http_retry_max": NUMBER, "http_retry_wait_max": NUMBER,
    "http_retry_wait_min": NUMBER, "requests_per_second": NUMBER, "spaces_access_id": STRING,
    "spaces_endpoint": STRING, "spaces_secret_key": STRING, "token": STRING,
}


class DigitaloceanProvider(AliasedProvider):
    """The ``digitalocean`` provider.

    Leave ``token`` (and the Spaces keys) unset to let the provider read
    ``DIGITALOCEAN_TOKEN`` itself; if given, it must be a Terraform reference
    such as a sensitive variable's ``string_value``: a literal would end up in
    ``cdktf.out``.
    """

    def __init__(self, scope: Construct, id: str, *, alias: Optional[str] = None,
                 api_endpoint: Optional[str] = None, http_retry_max: Optional[float] = None,
                 http_retry_wait_max: Optional[float] = None,
                 http_retry_wait_min: Optional[float] = None,
                 requests_per_second: Optional[float] = None,
                 spaces_access_id: Optional[str] = None, spaces_endpoint: Optional[str] = None,
                 spaces_secret_key: Optional[str] = None, token: Optional[str] = None) -> None:
        self._fleetform_attributes = checked("DigitaloceanProvider", _PROVIDER, {
            "api_endpoint": api_endpoint, "http_retry_max": http_retry_max,
            "http_retry_wait_max": http_retry_wait_max,
            "http_retry_wait_min": http_retry_wait_min,
            "requests_per_second": requests_per_second, "spaces_access_id": spaces_access_id,
            "spaces_endpoint": spaces_endpoint, "spaces_secret_key": spaces_secret_key,
            "token": token})
        super().__init__(scope, id, alias=alias, terraform_resource_type="digitalocean",
                         terraform_generator_metadata=_METADATA,
                         terraform_provider_source=DIGITALOCEAN_PROVIDER_SOURCE)

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {**self._fleetform_attributes, **self.alias_attributes()}


# --------------------------------------------------------------------------
# Resources and data sources
# --------------------------------------------------------------------------


class _DigitaloceanResource(Resource):
    _metadata = _METADATA

    @builtins.property
    def id(self) -> str:
        """The resource's ID (a token)."""
        return self._reference("id")


class _DigitaloceanDataSource(DataSource):
    _metadata = _METADATA


_CLUSTER = {
    "name": STRING, "region": STRING, "version": STRING, "auto_upgrade": BOOLEAN,
    "cluster_subnet": STRING, "destroy_all_associated_resources": BOOLEAN, "ha": BOOLEAN,
    "kubeconfig_expire_seconds": NUMBER, "registry_integration": BOOLEAN,
    "service_subnet": STRING, "surge_upgrade": BOOLEAN, "tags": STRING_LIST, "vpc_uuid": STRING,
}


class KubernetesCluster(_DigitaloceanResource):
    """``digitalocean_kubernetes_cluster``: a DOKS cluster and its default node pool.

    ``kube_config`` attributes are read with ``get_string_attribute``, e.g.
    ``cluster.get_string_attribute("kube_config[0].raw_config")``.
    """

    _type = "digitalocean_kubernetes_cluster"

    def __init__(self, scope: Construct, id: str, *, name: str, region: str, version: str,
                 node_pool: Union[KubernetesClusterNodePool, Mapping[str, Any]],
                 auto_upgrade: Optional[bool] = None, cluster_subnet: Optional[str] = None,
                 destroy_all_associated_resources: Optional[bool] = None,
                 ha: Optional[bool] = None, kubeconfig_expire_seconds: Optional[float] = None,
                 maintenance_policy: Optional[
                     Union[KubernetesClusterMaintenancePolicy, Mapping[str, Any]]] = None,
                 registry_integration: Optional[bool] = None,
                 service_subnet: Optional[str] = None, surge_upgrade: Optional[bool] = None,
                 tags: Optional[Sequence[str]] = None, vpc_uuid: Optional[str] = None,
                 **meta: Any) -> None:
        attributes = checked("KubernetesCluster", _CLUSTER, {
            "name": name, "region": region, "version": version, "auto_upgrade": auto_upgrade,
            "cluster_subnet": cluster_subnet,
            "destroy_all_associated_resources": destroy_all_associated_resources, "ha": ha,
            "kubeconfig_expire_seconds": kubeconfig_expire_seconds,
            "registry_integration": registry_integration, "service_subnet": service_subnet,
            "surge_upgrade": surge_upgrade, "tags": tags, "vpc_uuid": vpc_uuid})
        for argument in ("name", "region", "version"):
            if argument not in attributes:
                raise BindingError(f"KubernetesCluster: {argument} is required")
        attributes["node_pool"] = as_block("KubernetesCluster: node_pool",
                                           KubernetesClusterNodePool, node_pool)
        if maintenance_policy is not None:
            attributes["maintenance_policy"] = as_block(
                "KubernetesCluster: maintenance_policy", KubernetesClusterMaintenancePolicy,
                maintenance_policy)
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def name(self) -> str:
        """The cluster's name (a token)."""
        return self._reference("name")

    @builtins.property
    def endpoint(self) -> str:
        """The Kubernetes API server URL (a token)."""
        return self._reference("endpoint")

    @builtins.property
    def urn(self) -> str:
        """The cluster's uniform resource name (a token)."""
        return self._reference("urn")


_NODE_POOL = {**POOL, "cluster_id": STRING}


class KubernetesNodePool(_DigitaloceanResource):
    """``digitalocean_kubernetes_node_pool``: an extra node pool of a cluster."""

    _type = "digitalocean_kubernetes_node_pool"

    def __init__(self, scope: Construct, id: str, *, cluster_id: str, name: str, size: str,
                 auto_scale: Optional[bool] = None, labels: Optional[Mapping[str, str]] = None,
                 max_nodes: Optional[float] = None, min_nodes: Optional[float] = None,
                 node_count: Optional[float] = None, tags: Optional[Sequence[str]] = None,
                 taint: Optional[Sequence[Union[KubernetesNodePoolTaint,
                                                Mapping[str, str]]]] = None,
                 **meta: Any) -> None:
        attributes = checked("KubernetesNodePool", _NODE_POOL, {
            "cluster_id": cluster_id, "name": name, "size": size, "auto_scale": auto_scale,
            "labels": labels, "max_nodes": max_nodes, "min_nodes": min_nodes,
            "node_count": node_count, "tags": tags})
        for argument in ("cluster_id", "name", "size"):
            if argument not in attributes:
                raise BindingError(f"KubernetesNodePool: {argument} is required")
        if taint is not None:
            attributes["taint"] = taints("KubernetesNodePool", taint)
        super().__init__(scope, id, attributes, **meta)


class DataDigitaloceanKubernetesCluster(_DigitaloceanDataSource):
    """Data source ``digitalocean_kubernetes_cluster``: an existing cluster, read on every plan.

    ``kube_config`` attributes are read with ``get_string_attribute``, e.g.
    ``live.get_string_attribute("kube_config[0].token")``.
    """

    _type = "digitalocean_kubernetes_cluster"

    def __init__(self, scope: Construct, id: str, *, name: str,
                 kubeconfig_expire_seconds: Optional[float] = None,
                 tags: Optional[Sequence[str]] = None, **meta: Any) -> None:
        attributes = checked("DataDigitaloceanKubernetesCluster",
                             {"name": STRING, "kubeconfig_expire_seconds": NUMBER,
                              "tags": STRING_LIST},
                             {"name": name, "kubeconfig_expire_seconds": kubeconfig_expire_seconds,
                              "tags": tags})
        if "name" not in attributes:
            raise BindingError("DataDigitaloceanKubernetesCluster: name is required")
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def endpoint(self) -> str:
        """The Kubernetes API server URL (a token)."""
        return self._reference("endpoint")


class DataDigitaloceanKubernetesVersions(_DigitaloceanDataSource):
    """Data source ``digitalocean_kubernetes_versions``: the DOKS versions on offer."""

    _type = "digitalocean_kubernetes_versions"

    def __init__(self, scope: Construct, id: str, *, version_prefix: Optional[str] = None,
                 **meta: Any) -> None:
        super().__init__(scope, id, checked("DataDigitaloceanKubernetesVersions",
                                            {"version_prefix": STRING},
                                            {"version_prefix": version_prefix}), **meta)

    @builtins.property
    def latest_version(self) -> str:
        """The newest version matching ``version_prefix`` (a token)."""
        return self._reference("latest_version")



# List data sources: the provider's datalist reads every record, then filters them.



class _DataList(_DigitaloceanDataSource):
    def __init__(self, scope: Construct, id: str, *,
                 filter: Optional[Sequence[Union[DataDigitaloceanRegionsFilter,
                                                 Mapping[str, Any]]]] = None,
                 **meta: Any) -> None:
        owner = f"{type(self).__name__}: filter"
        if filter is not None and not is_resolvable(filter):
            if not isinstance(filter, (list, tuple)):
                raise BindingError(f"{owner} must be a list, got {type(filter).__name__}")
            filter = [as_block(f"{owner}[{i}]", DataDigitaloceanRegionsFilter, f)
                      for i, f in enumerate(filter)]
        super().__init__(scope, id, {} if filter is None else {"filter": filter}, **meta)

    def _records(self, name: str) -> Any:
        return self.interpolation_for_attribute(name)  # type: ignore[attr-defined]


class DataDigitaloceanRegions(_DataList):
    """Data source ``digitalocean_regions``: the regions, each with ``slug``, ``name``,
    ``available`` (takes new resources), ``sizes`` (offered there) and ``features``."""

    _type = "digitalocean_regions"

    @builtins.property
    def regions(self) -> Any:
        """The matching regions (a token for a list of objects)."""
        return self._records("regions")


class DataDigitaloceanSizes(_DataList):
    """Data source ``digitalocean_sizes``: the Droplet sizes, each with ``slug``,
    ``available``, ``regions`` (offering it), ``vcpus``, ``memory``, ``disk`` and prices."""

    _type = "digitalocean_sizes"

    @builtins.property
    def sizes(self) -> Any:
        """The matching sizes (a token for a list of objects)."""
        return self._records("sizes")
