"""A small typed CDKTF binding of the Terraform provider ``argoproj-labs/argocd``.

No prebuilt binding exists, so this module binds by hand the provider and the
two resources fleetform uses: ``argocd_account_token`` and ``argocd_cluster``.
Each class declares its attributes explicitly (one keyword argument per
Terraform attribute or block) and synthesizes them itself.

Blocks (``kubernetes``, ``config``, ``tls_client_config``, ``metadata``) take
either the typed dataclass of this module or a plain mapping with the same
keys; an unknown key is a :class:`~fleetform.errors.ConfigError` naming it.
In Terraform JSON a block is a list of objects, which is what is emitted.

The attribute names follow the provider's documented schema (provider docs,
``docs/index.md`` and ``docs/resources/{cluster,account_token}.md`` of
argoproj-labs/terraform-provider-argocd, 7.x).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Mapping, Optional, Sequence, Union

import jsii
from cdktf import (ITerraformDependable, TerraformCount, TerraformProvider,
                   TerraformProviderGeneratorMetadata, TerraformResource,
                   TerraformResourceLifecycle)
from cdktf import ITerraformIterator
from constructs import Construct

from ..errors import ConfigError
from .alias import AliasedProvider

#: Registry source of the provider.
ARGOCD_PROVIDER_SOURCE = "argoproj-labs/argocd"
#: Version constraint: any 7.x from 7.12 on (the schema bound here is 7.x's).
ARGOCD_PROVIDER_VERSION = "~> 7.12"

_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="argocd", provider_version_constraint=ARGOCD_PROVIDER_VERSION)

# --------------------------------------------------------------------------
# Schema: attribute name -> kind, where kind is a scalar type name or a _Block.
# --------------------------------------------------------------------------

_STRING, _BOOL, _STRING_LIST, _STRING_MAP = "string", "boolean", "stringList", "stringMap"


@dataclass(frozen=True)
class _Block:
    """A nested block: emitted as a one-element list of objects."""

    type_name: str
    attributes: Mapping[str, Union[str, "_Block"]]


_KUBERNETES_EXEC = _Block("ArgocdProviderKubernetesExec", {
    "api_version": _STRING, "command": _STRING, "args": _STRING_LIST, "env": _STRING_MAP,
})
_KUBERNETES = _Block("ArgocdProviderKubernetes", {
    "host": _STRING, "cluster_ca_certificate": _STRING, "token": _STRING,
    "client_certificate": _STRING, "client_key": _STRING, "insecure": _BOOL,
    "username": _STRING, "password": _STRING, "config_context": _STRING,
    "config_context_auth_info": _STRING, "config_context_cluster": _STRING,
    "exec": _KUBERNETES_EXEC,
})
_PROVIDER = _Block("ArgocdProvider", {
    "server_addr": _STRING, "auth_token": _STRING, "username": _STRING, "password": _STRING,
    "insecure": _BOOL, "grpc_web": _BOOL, "grpc_web_root_path": _STRING,
    "plain_text": _BOOL, "port_forward": _BOOL, "port_forward_with_namespace": _STRING,
    "use_local_config": _BOOL, "config_path": _STRING, "context": _STRING,
    "cert_file": _STRING, "client_cert_file": _STRING, "client_cert_key": _STRING,
    "headers": _STRING_LIST, "user_agent": _STRING, "kubernetes": _KUBERNETES,
})
#: What the provider block synthesizes: its schema plus the meta-argument ``alias``.
_ALIASED_PROVIDER = _Block("ArgocdProvider", {**_PROVIDER.attributes, "alias": _STRING})
_ACCOUNT_TOKEN = _Block("ArgocdAccountToken", {
    "account": _STRING, "expires_in": _STRING, "renew_after": _STRING, "renew_before": _STRING,
})
_TLS_CLIENT_CONFIG = _Block("ArgocdClusterConfigTlsClientConfig", {
    "ca_data": _STRING, "cert_data": _STRING, "key_data": _STRING, "insecure": _BOOL,
    "server_name": _STRING,
})
_CLUSTER_CONFIG = _Block("ArgocdClusterConfig", {
    "bearer_token": _STRING, "username": _STRING, "password": _STRING,
    "tls_client_config": _TLS_CLIENT_CONFIG,
})
_CLUSTER_METADATA = _Block("ArgocdClusterMetadata", {
    "labels": _STRING_MAP, "annotations": _STRING_MAP,
})
_CLUSTER = _Block("ArgocdCluster", {
    "server": _STRING, "name": _STRING, "shard": _STRING, "namespaces": _STRING_LIST,
    "project": _STRING, "config": _CLUSTER_CONFIG, "metadata": _CLUSTER_METADATA,
})

# --------------------------------------------------------------------------
# Typed blocks
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ArgocdProviderKubernetesExec:
    """``kubernetes.exec``: an exec credential plugin (e.g. ``aws eks get-token``)."""

    api_version: str
    command: str
    args: Optional[Sequence[str]] = None
    env: Optional[Mapping[str, str]] = None


@dataclass(frozen=True)
class ArgocdProviderKubernetes:
    """``kubernetes`` block of the provider: reach Argo CD through the Kubernetes API
    (with ``port_forward``/``port_forward_with_namespace``). Every field is optional."""

    host: Optional[str] = None
    cluster_ca_certificate: Optional[str] = None
    token: Optional[str] = None
    client_certificate: Optional[str] = None
    client_key: Optional[str] = None
    insecure: Optional[bool] = None
    username: Optional[str] = None
    password: Optional[str] = None
    config_context: Optional[str] = None
    config_context_auth_info: Optional[str] = None
    config_context_cluster: Optional[str] = None
    exec: Optional[ArgocdProviderKubernetesExec] = None


@dataclass(frozen=True)
class ArgocdClusterTlsClientConfig:
    """``config.tls_client_config`` of ``argocd_cluster``.

    Attributes:
        ca_data: PEM CA bundle of the cluster's API server (not base64).
        cert_data: PEM client certificate. Default: none.
        key_data: PEM client key (sensitive). Default: none.
        insecure: skip TLS verification. Default: False (provider default).
        server_name: SNI server name. Default: the server's hostname.
    """

    ca_data: Optional[str] = None
    cert_data: Optional[str] = None
    key_data: Optional[str] = None
    insecure: Optional[bool] = None
    server_name: Optional[str] = None


@dataclass(frozen=True)
class ArgocdClusterConfig:
    """``config`` of ``argocd_cluster``: how Argo CD authenticates to the cluster.

    Attributes:
        bearer_token: a bearer token (sensitive). Default: none.
        username / password: basic authentication. Default: none.
        tls_client_config: TLS settings. Default: none.
    """

    bearer_token: Optional[str] = None
    username: Optional[str] = None
    password: Optional[str] = None
    tls_client_config: Optional[Union[ArgocdClusterTlsClientConfig, Mapping[str, Any]]] = None


@dataclass(frozen=True)
class ArgocdClusterMetadata:
    """``metadata`` of ``argocd_cluster``: labels select clusters in ApplicationSets;
    annotations carry free-form metadata. Both update in place."""

    labels: Optional[Mapping[str, str]] = None
    annotations: Optional[Mapping[str, str]] = None


BlockInput = Union[Any, Mapping[str, Any]]

# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _as_mapping(value: Any, field: str) -> Mapping[str, Any]:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, Mapping):
        return value
    raise ConfigError(f"must be a mapping of block attributes, got {type(value).__name__}",
                      field=field)


def _normalize(block: _Block, value: Any, field: str) -> dict[str, Any]:
    """Check ``value`` against ``block``; return ``{attribute: value}`` without Nones."""
    out: dict[str, Any] = {}
    for key, item in _as_mapping(value, field).items():
        where = f"{field}.{key}" if field else key
        if key not in block.attributes:
            raise ConfigError(
                f"unknown attribute (allowed: {', '.join(sorted(block.attributes))})",
                field=where)
        if item is None:
            continue
        kind = block.attributes[key]
        if isinstance(kind, _Block):
            out[key] = _normalize(kind, item, where)
        elif kind == _STRING_LIST:
            if isinstance(item, (str, bytes)) or not isinstance(item, Sequence):
                raise ConfigError(f"must be a list of strings, got {type(item).__name__}",
                                  field=where)
            out[key] = list(item)
        elif kind == _STRING_MAP:
            if not isinstance(item, Mapping):
                raise ConfigError(f"must be a mapping of strings, got {type(item).__name__}",
                                  field=where)
            out[key] = dict(item)
        elif kind == _BOOL:
            # A bool, or a token (a string) resolved by Terraform.
            if not isinstance(item, (bool, str)):
                raise ConfigError(f"must be a boolean, got {type(item).__name__}", field=where)
            out[key] = item
        else:
            if not isinstance(item, str):
                raise ConfigError(f"must be a string, got {type(item).__name__}", field=where)
            out[key] = item
    return out


def _to_json(block: _Block, values: Mapping[str, Any]) -> dict[str, Any]:
    """Terraform JSON: blocks become one-element lists of objects."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        kind = block.attributes[key]
        out[key] = [_to_json(kind, value)] if isinstance(kind, _Block) else value
    return out


def _to_hcl(block: _Block, values: Mapping[str, Any]) -> dict[str, Any]:
    """The typed attribute form cdktf's HCL renderer expects."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        kind = block.attributes[key]
        if isinstance(kind, _Block):
            out[key] = {"value": [_to_hcl(kind, value)], "isBlock": True, "type": "list",
                        "storageClassType": f"{kind.type_name}List"}
        elif kind == _STRING_LIST:
            out[key] = {"value": value, "isBlock": False, "type": "list",
                        "storageClassType": kind}
        elif kind == _STRING_MAP:
            out[key] = {"value": value, "isBlock": False, "type": "map",
                        "storageClassType": kind}
        else:
            out[key] = {"value": value, "isBlock": False, "type": "simple",
                        "storageClassType": kind}
    return out


# --------------------------------------------------------------------------
# Provider
# --------------------------------------------------------------------------


class ArgocdProvider(AliasedProvider):
    """The ``argocd`` provider: the Argo CD API server to manage and how to log in.

    Secrets (``auth_token``, ``password``) should be Terraform tokens, e.g. a
    sensitive ``TerraformVariable``'s ``string_value``, never literals: a literal
    ends up in ``cdktf.out``. Leaving them unset lets the provider read
    ``ARGOCD_AUTH_TOKEN`` / ``ARGOCD_AUTH_PASSWORD`` itself.

    ``alias`` (optional) names this configuration, so that several ``argocd``
    providers can live in one stack; resources then pass ``provider=``.
    """

    def __init__(self, scope: Construct, id: str, *,
                 server_addr: Optional[str] = None,
                 auth_token: Optional[str] = None,
                 username: Optional[str] = None,
                 password: Optional[str] = None,
                 insecure: Optional[bool] = None,
                 grpc_web: Optional[bool] = None,
                 grpc_web_root_path: Optional[str] = None,
                 plain_text: Optional[bool] = None,
                 port_forward: Optional[bool] = None,
                 port_forward_with_namespace: Optional[str] = None,
                 use_local_config: Optional[bool] = None,
                 config_path: Optional[str] = None,
                 context: Optional[str] = None,
                 cert_file: Optional[str] = None,
                 client_cert_file: Optional[str] = None,
                 client_cert_key: Optional[str] = None,
                 headers: Optional[Sequence[str]] = None,
                 user_agent: Optional[str] = None,
                 kubernetes: Optional[BlockInput] = None,
                 alias: Optional[str] = None) -> None:
        values = _normalize(_PROVIDER, {
            "server_addr": server_addr, "auth_token": auth_token, "username": username,
            "password": password, "insecure": insecure, "grpc_web": grpc_web,
            "grpc_web_root_path": grpc_web_root_path, "plain_text": plain_text,
            "port_forward": port_forward,
            "port_forward_with_namespace": port_forward_with_namespace,
            "use_local_config": use_local_config, "config_path": config_path,
            "context": context, "cert_file": cert_file, "client_cert_file": client_cert_file,
            "client_cert_key": client_cert_key, "headers": headers, "user_agent": user_agent,
            "kubernetes": kubernetes,
        }, "")
        if alias is not None and not isinstance(alias, str):
            raise ConfigError(f"must be a string, got {type(alias).__name__}", field="alias")
        self._fleetform_values = values
        super().__init__(scope, id, alias=alias, terraform_resource_type="argocd",
                         terraform_generator_metadata=_METADATA,
                         terraform_provider_source=ARGOCD_PROVIDER_SOURCE)

    @builtins.property
    def attributes(self) -> Mapping[str, Any]:
        """The provider's configured attributes (tokens unresolved), read-only."""
        return dict(self._fleetform_values)

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return _to_json(_ALIASED_PROVIDER, {**self._fleetform_values, **self.alias_attributes()})

    @jsii.member(jsii_name="synthesizeHclAttributes")
    def _synthesize_hcl_attributes(self) -> Mapping[str, Any]:
        return _to_hcl(_ALIASED_PROVIDER, {**self._fleetform_values, **self.alias_attributes()})


# --------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------


class _ArgocdResource(TerraformResource):
    """Shared synthesis of the hand-written argocd resources."""

    _schema: _Block

    def __init__(self, scope: Construct, id: str, *, resource_type: str,
                 values: dict[str, Any],
                 count: Optional[Union[int, TerraformCount]] = None,
                 depends_on: Optional[Sequence[ITerraformDependable]] = None,
                 for_each: Optional[ITerraformIterator] = None,
                 lifecycle: Optional[TerraformResourceLifecycle] = None,
                 provider: Optional[TerraformProvider] = None) -> None:
        self._fleetform_values = values
        super().__init__(scope, id, terraform_resource_type=resource_type,
                         terraform_generator_metadata=_METADATA,
                         count=count, depends_on=depends_on, for_each=for_each,
                         lifecycle=lifecycle, provider=provider)

    @builtins.property
    def attributes(self) -> Mapping[str, Any]:
        """The resource's configured attributes (tokens unresolved), read-only."""
        return dict(self._fleetform_values)

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return _to_json(self._schema, self._fleetform_values)

    @jsii.member(jsii_name="synthesizeHclAttributes")
    def _synthesize_hcl_attributes(self) -> Mapping[str, Any]:
        return _to_hcl(self._schema, self._fleetform_values)

    @builtins.property
    def id(self) -> str:
        """The resource's Terraform ``id`` (a token)."""
        return self.get_string_attribute("id")


class ArgocdAccountToken(_ArgocdResource):
    """``argocd_account_token``: an API token (JWT) of an Argo CD local account.

    Props:
        account: the account. Default: the provider's own account.
        expires_in: lifetime such as ``"720h"``. Default: never expires.
        renew_after: regenerate when older than this. Default: never.
        renew_before: regenerate when less than this remains. Default: never.

    Attributes:
        jwt: the token; the provider marks it sensitive, so an output of it must
            be ``sensitive=True``. It is stored in the Terraform state.
        id, issued_at, expires_at: as the provider reports them.
    """

    _schema = _ACCOUNT_TOKEN

    def __init__(self, scope: Construct, id: str, *,
                 account: Optional[str] = None,
                 expires_in: Optional[str] = None,
                 renew_after: Optional[str] = None,
                 renew_before: Optional[str] = None,
                 count: Optional[Union[int, TerraformCount]] = None,
                 depends_on: Optional[Sequence[ITerraformDependable]] = None,
                 for_each: Optional[ITerraformIterator] = None,
                 lifecycle: Optional[TerraformResourceLifecycle] = None,
                 provider: Optional[TerraformProvider] = None) -> None:
        values = _normalize(_ACCOUNT_TOKEN, {
            "account": account, "expires_in": expires_in, "renew_after": renew_after,
            "renew_before": renew_before}, "")
        super().__init__(scope, id, resource_type="argocd_account_token", values=values,
                         count=count, depends_on=depends_on, for_each=for_each,
                         lifecycle=lifecycle, provider=provider)

    @builtins.property
    def jwt(self) -> str:
        """The raw JWT (sensitive)."""
        return self.get_string_attribute("jwt")

    @builtins.property
    def issued_at(self) -> str:
        """Unix time the token was issued."""
        return self.get_string_attribute("issued_at")

    @builtins.property
    def expires_at(self) -> str:
        """Unix time the token expires (when ``expires_in`` is set)."""
        return self.get_string_attribute("expires_at")


class ArgocdCluster(_ArgocdResource):
    """``argocd_cluster``: a Kubernetes cluster registered in Argo CD.

    Props:
        server: the cluster's API server URL (``https://...``). Required.
        config: how Argo CD authenticates (:class:`ArgocdClusterConfig` or a
            mapping with ``bearer_token``, ``tls_client_config: {ca_data, insecure}``).
        name: the name shown in Argo CD. Default: the server URL.
        metadata: :class:`ArgocdClusterMetadata` (``labels``, ``annotations``).
            Default: none. Changing it updates the cluster in place.
        namespaces: restrict Argo CD to these namespaces. Default: all.
        project: scope the cluster to an Argo CD project. Default: global.
        shard: application-controller shard. Default: computed by Argo CD.
        count, depends_on, for_each, lifecycle, provider: Terraform meta-arguments.
    """

    _schema = _CLUSTER

    def __init__(self, scope: Construct, id: str, *,
                 server: str,
                 config: BlockInput,
                 name: Optional[str] = None,
                 metadata: Optional[BlockInput] = None,
                 namespaces: Optional[Sequence[str]] = None,
                 project: Optional[str] = None,
                 shard: Optional[str] = None,
                 count: Optional[Union[int, TerraformCount]] = None,
                 depends_on: Optional[Sequence[ITerraformDependable]] = None,
                 for_each: Optional[ITerraformIterator] = None,
                 lifecycle: Optional[TerraformResourceLifecycle] = None,
                 provider: Optional[TerraformProvider] = None) -> None:
        if server is None:
            raise ConfigError("is required", field="server")
        if config is None:
            raise ConfigError("is required", field="config")
        values = _normalize(_CLUSTER, {
            "server": server, "name": name, "shard": shard, "namespaces": namespaces,
            "project": project, "config": config, "metadata": metadata}, "")
        super().__init__(scope, id, resource_type="argocd_cluster", values=values,
                         count=count, depends_on=depends_on, for_each=for_each,
                         lifecycle=lifecycle, provider=provider)

    @builtins.property
    def server(self) -> str:
        """The registered server URL (a token)."""
        return self.get_string_attribute("server")

    @builtins.property
    def cluster_name(self) -> str:
        """The registered cluster name (a token)."""
        return self.get_string_attribute("name")
