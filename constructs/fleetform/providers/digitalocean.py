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
sources ``digitalocean_kubernetes_cluster`` and
``digitalocean_kubernetes_versions``. Not bound: the cluster's GPU-plugin,
control-plane-firewall, routing-agent, autoscaler and ``timeouts`` blocks.

Arguments are checked when a construct is created (a wrong type is a
``TypeError`` naming the class and the argument, as with the prebuilt
binding); a Terraform token is accepted wherever its type fits.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, fields
from typing import Any, Mapping, Optional, Sequence, Union

import jsii
from cdktf import (ITerraformDependable, TerraformDataSource, TerraformProvider,
                   TerraformProviderGeneratorMetadata, TerraformResource,
                   TerraformResourceLifecycle)
from constructs import Construct

from .alias import AliasedProvider

#: Registry source of the provider.
DIGITALOCEAN_PROVIDER_SOURCE = "digitalocean/digitalocean"
#: The provider version the schema here is taken from (the one
#: cdktf-cdktf-provider-digitalocean 13.14 binds), written to
#: ``required_providers`` as the prebuilt binding does.
DIGITALOCEAN_PROVIDER_VERSION = "2.71.0"
#: The prebuilt binding's version constraint, kept in its generator metadata.
DIGITALOCEAN_PROVIDER_CONSTRAINT = "~> 2.19"

_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="digitalocean", provider_version=DIGITALOCEAN_PROVIDER_VERSION,
    provider_version_constraint=DIGITALOCEAN_PROVIDER_CONSTRAINT)

# Argument kinds, checked on creation.
_STR, _BOOL, _NUM, _STR_LIST, _STR_MAP = "string", "boolean", "number", "list of strings", \
    "map of strings"


def _is_resolvable(value: Any) -> bool:
    """A jsii object (an IResolvable such as a Terraform expression), not a Python value."""
    return hasattr(value, "__jsii_ref__") or hasattr(type(value), "__jsii_type__")


def _fits(kind: str, value: Any) -> bool:
    if _is_resolvable(value):
        return True
    if kind == _STR:
        return isinstance(value, str)
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _NUM:  # a number token is a float
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == _STR_LIST:
        return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
    if kind == _STR_MAP:
        return isinstance(value, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    raise AssertionError(kind)


def _checked(owner: str, schema: Mapping[str, str], values: Mapping[str, Any]) -> dict:
    """``values`` without unset (None) arguments; TypeError naming a mistyped one."""
    out = {}
    for name, value in values.items():
        if value is None:
            continue
        kind = schema[name]
        if not _fits(kind, value):
            raise TypeError(f"{owner}: {name} must be a {kind} or a Terraform token, "
                            f"got {type(value).__name__} {value!r}")
        out[name] = list(value) if kind == _STR_LIST else \
            dict(value) if kind == _STR_MAP else value
    return out


def _block(owner: str, cls: type, value: Any) -> Any:
    """A block given as its dataclass or a mapping of the same keys, as a dataclass."""
    if isinstance(value, cls) or _is_resolvable(value):
        return value
    if isinstance(value, Mapping):
        try:
            return cls(**value)
        except TypeError as exc:
            raise TypeError(f"{owner}: {exc}") from None
    raise TypeError(f"{owner} must be a {cls.__name__} or a mapping, "
                    f"got {type(value).__name__} {value!r}")


def _json(value: Any) -> Any:
    """A block dataclass as its Terraform JSON object, recursively, without unset attributes."""
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _json(getattr(value, f.name)) for f in fields(value)
                if getattr(value, f.name) is not None}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


# --------------------------------------------------------------------------
# Provider
# --------------------------------------------------------------------------

_PROVIDER = {
    "api_endpoint": _STR, "http_retry_max": _NUM, "http_retry_wait_max": _NUM,
    "http_retry_wait_min": _NUM, "requests_per_second": _NUM, "spaces_access_id": _STR,
    "spaces_endpoint": _STR, "spaces_secret_key": _STR, "token": _STR,
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
        self._fleetform_attributes = _checked("DigitaloceanProvider", _PROVIDER, {
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
# Blocks
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class KubernetesClusterNodePoolTaint:
    """One ``taint`` of a node pool: ``effect`` is NoSchedule, PreferNoSchedule or NoExecute."""

    effect: str
    key: str
    value: str


#: The node pool resource's taint block is the same.
KubernetesNodePoolTaint = KubernetesClusterNodePoolTaint

_POOL = {"name": _STR, "size": _STR, "auto_scale": _BOOL, "labels": _STR_MAP,
         "max_nodes": _NUM, "min_nodes": _NUM, "node_count": _NUM, "tags": _STR_LIST}


def _taints(owner: str, taint: Any) -> Any:
    if taint is None or _is_resolvable(taint):
        return taint
    if not isinstance(taint, (list, tuple)):
        raise TypeError(f"{owner}: taint must be a list of taints, got {type(taint).__name__}")
    return [_block(f"{owner}: taint[{i}]", KubernetesClusterNodePoolTaint, t)
            for i, t in enumerate(taint)]


@dataclass(frozen=True)
class KubernetesClusterNodePool:
    """The cluster's default ``node_pool`` block: a fixed ``node_count``, or
    ``auto_scale`` between ``min_nodes`` and ``max_nodes``."""

    name: str
    size: str
    auto_scale: Optional[bool] = None
    labels: Optional[Mapping[str, str]] = None
    max_nodes: Optional[float] = None
    min_nodes: Optional[float] = None
    node_count: Optional[float] = None
    tags: Optional[Sequence[str]] = None
    taint: Optional[Sequence[Union[KubernetesClusterNodePoolTaint, Mapping[str, str]]]] = None

    def __post_init__(self) -> None:
        owner = "KubernetesClusterNodePool"
        checked = _checked(owner, _POOL, {f.name: getattr(self, f.name) for f in fields(self)
                                          if f.name != "taint"})
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "taint", _taints(owner, self.taint))


@dataclass(frozen=True)
class KubernetesClusterMaintenancePolicy:
    """``maintenance_policy`` block: ``day`` (``any`` or a weekday) and UTC ``start_time``."""

    day: Optional[str] = None
    start_time: Optional[str] = None

    def __post_init__(self) -> None:
        _checked("KubernetesClusterMaintenancePolicy", {"day": _STR, "start_time": _STR},
                 {"day": self.day, "start_time": self.start_time})


# --------------------------------------------------------------------------
# Resources and data sources
# --------------------------------------------------------------------------


class _Attributes:
    """Synthesis of the attributes given at construction, and references to any attribute."""

    _fleetform_attributes: dict

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {name: _json(value) for name, value in self._fleetform_attributes.items()}

    def _reference(self, attribute: str) -> str:
        return self.get_string_attribute(attribute)  # type: ignore[attr-defined]


class _DigitaloceanResource(_Attributes, TerraformResource):
    _type: str

    def __init__(self, scope: Construct, id: str, attributes: dict, *,
                 provider: Optional[TerraformProvider] = None,
                 depends_on: Optional[Sequence[ITerraformDependable]] = None,
                 lifecycle: Optional[TerraformResourceLifecycle] = None) -> None:
        self._fleetform_attributes = attributes
        super().__init__(scope, id, terraform_resource_type=self._type,
                         terraform_generator_metadata=_METADATA, provider=provider,
                         depends_on=depends_on, lifecycle=lifecycle)

    @builtins.property
    def id(self) -> str:
        """The resource's ID (a token)."""
        return self._reference("id")


class _DigitaloceanDataSource(_Attributes, TerraformDataSource):
    _type: str

    def __init__(self, scope: Construct, id: str, attributes: dict, *,
                 provider: Optional[TerraformProvider] = None,
                 depends_on: Optional[Sequence[ITerraformDependable]] = None) -> None:
        self._fleetform_attributes = attributes
        super().__init__(scope, id, terraform_resource_type=self._type,
                         terraform_generator_metadata=_METADATA, provider=provider,
                         depends_on=depends_on)


_CLUSTER = {
    "name": _STR, "region": _STR, "version": _STR, "auto_upgrade": _BOOL,
    "cluster_subnet": _STR, "destroy_all_associated_resources": _BOOL, "ha": _BOOL,
    "kubeconfig_expire_seconds": _NUM, "registry_integration": _BOOL,
    "service_subnet": _STR, "surge_upgrade": _BOOL, "tags": _STR_LIST, "vpc_uuid": _STR,
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
        attributes = _checked("KubernetesCluster", _CLUSTER, {
            "name": name, "region": region, "version": version, "auto_upgrade": auto_upgrade,
            "cluster_subnet": cluster_subnet,
            "destroy_all_associated_resources": destroy_all_associated_resources, "ha": ha,
            "kubeconfig_expire_seconds": kubeconfig_expire_seconds,
            "registry_integration": registry_integration, "service_subnet": service_subnet,
            "surge_upgrade": surge_upgrade, "tags": tags, "vpc_uuid": vpc_uuid})
        for argument in ("name", "region", "version"):
            if argument not in attributes:
                raise TypeError(f"KubernetesCluster: {argument} is required")
        attributes["node_pool"] = _block("KubernetesCluster: node_pool",
                                         KubernetesClusterNodePool, node_pool)
        if maintenance_policy is not None:
            attributes["maintenance_policy"] = _block(
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


_NODE_POOL = {**_POOL, "cluster_id": _STR}


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
        attributes = _checked("KubernetesNodePool", _NODE_POOL, {
            "cluster_id": cluster_id, "name": name, "size": size, "auto_scale": auto_scale,
            "labels": labels, "max_nodes": max_nodes, "min_nodes": min_nodes,
            "node_count": node_count, "tags": tags})
        for argument in ("cluster_id", "name", "size"):
            if argument not in attributes:
                raise TypeError(f"KubernetesNodePool: {argument} is required")
        if taint is not None:
            attributes["taint"] = _taints("KubernetesNodePool", taint)
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
        attributes = _checked("DataDigitaloceanKubernetesCluster",
                              {"name": _STR, "kubeconfig_expire_seconds": _NUM,
                               "tags": _STR_LIST},
                              {"name": name, "kubeconfig_expire_seconds": kubeconfig_expire_seconds,
                               "tags": tags})
        if "name" not in attributes:
            raise TypeError("DataDigitaloceanKubernetesCluster: name is required")
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
        super().__init__(scope, id, _checked("DataDigitaloceanKubernetesVersions",
                                             {"version_prefix": _STR},
                                             {"version_prefix": version_prefix}), **meta)

    @builtins.property
    def latest_version(self) -> str:
        """The newest version matching ``version_prefix`` (a token)."""
        return self._reference("latest_version")
