"""The nested blocks of the Argo CD provider binding: their typed inputs, schema and encoding.

Its argument kinds and its error are the bindings' own (:mod:`.binding`); what differs
is the schema, declared as :class:`Block` trees here, from which both the Terraform
JSON and the typed form of cdktf's HCL renderer are written.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Mapping, Optional, Sequence, Union

from .binding import (BOOLEAN as _BOOL, STRING as _STRING, STRING_LIST as _STRING_LIST,
                      STRING_MAP as _STRING_MAP, BindingError)

#: How cdktf's HCL renderer names each kind's storage class.
_STORAGE = {_STRING: "string", _BOOL: "boolean", _STRING_LIST: "stringList",
            _STRING_MAP: "stringMap"}


@dataclass(frozen=True)
class Block:
    """A nested block: emitted as a one-element list of objects."""

    type_name: str
    attributes: Mapping[str, Union[str, "Block"]]


_KUBERNETES_EXEC = Block("ArgocdProviderKubernetesExec", {
    "api_version": _STRING, "command": _STRING, "args": _STRING_LIST, "env": _STRING_MAP,
})


_KUBERNETES = Block("ArgocdProviderKubernetes", {
    "host": _STRING, "cluster_ca_certificate": _STRING, "token": _STRING,
    "client_certificate": _STRING, "client_key": _STRING, "insecure": _BOOL,
    "username": _STRING, "password": _STRING, "config_context": _STRING,
    "config_context_auth_info": _STRING, "config_context_cluster": _STRING,
    "exec": _KUBERNETES_EXEC,
})


#: The ``argocd`` provider block's schema.
PROVIDER = Block("ArgocdProvider", {
    "server_addr": _STRING, "auth_token": _STRING, "username": _STRING, "password": _STRING,
    "insecure": _BOOL, "grpc_web": _BOOL, "grpc_web_root_path": _STRING,
    "plain_text": _BOOL, "port_forward": _BOOL, "port_forward_with_namespace": _STRING,
    "use_local_config": _BOOL, "config_path": _STRING, "context": _STRING,
    "cert_file": _STRING, "client_cert_file": _STRING, "client_cert_key": _STRING,
    "headers": _STRING_LIST, "user_agent": _STRING, "kubernetes": _KUBERNETES,
})


#: What the provider block synthesizes: its schema plus the meta-argument ``alias``.
ALIASED_PROVIDER = Block("ArgocdProvider", {**PROVIDER.attributes, "alias": _STRING})


#: The ``argocd_account_token`` resource's schema.
ACCOUNT_TOKEN = Block("ArgocdAccountToken", {
    "account": _STRING, "expires_in": _STRING, "renew_after": _STRING, "renew_before": _STRING,
})


_TLS_CLIENT_CONFIG = Block("ArgocdClusterConfigTlsClientConfig", {
    "ca_data": _STRING, "cert_data": _STRING, "key_data": _STRING, "insecure": _BOOL,
    "server_name": _STRING,
})


_CLUSTER_CONFIG = Block("ArgocdClusterConfig", {
    "bearer_token": _STRING, "username": _STRING, "password": _STRING,
    "tls_client_config": _TLS_CLIENT_CONFIG,
})


_CLUSTER_METADATA = Block("ArgocdClusterMetadata", {
    "labels": _STRING_MAP, "annotations": _STRING_MAP,
})


#: The ``argocd_cluster`` resource's schema.
CLUSTER = Block("ArgocdCluster", {
    "server": _STRING, "name": _STRING, "shard": _STRING, "namespaces": _STRING_LIST,
    "project": _STRING, "config": _CLUSTER_CONFIG, "metadata": _CLUSTER_METADATA,
})


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


def _as_mapping(value: Any, field: str) -> Mapping[str, Any]:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, Mapping):
        return value
    raise BindingError(f"must be a mapping of block attributes, got {type(value).__name__}",
                      field=field)


def normalize(block: Block, value: Any, field: str) -> dict[str, Any]:
    """Check ``value`` against ``block``; return ``{attribute: value}`` without Nones."""
    out: dict[str, Any] = {}
    for key, item in _as_mapping(value, field).items():
        where = f"{field}.{key}" if field else key
        if key not in block.attributes:
            raise BindingError(
                f"unknown attribute (allowed: {', '.join(sorted(block.attributes))})",
                field=where)
        if item is None:
            continue
        kind = block.attributes[key]
        if isinstance(kind, Block):
            out[key] = normalize(kind, item, where)
        elif kind == _STRING_LIST:
            if isinstance(item, (str, bytes)) or not isinstance(item, Sequence):
                raise BindingError(f"must be a list of strings, got {type(item).__name__}",
                                  field=where)
            out[key] = list(item)
        elif kind == _STRING_MAP:
            if not isinstance(item, Mapping):
                raise BindingError(f"must be a mapping of strings, got {type(item).__name__}",
                                  field=where)
            out[key] = dict(item)
        elif kind == _BOOL:
            # A bool, or a token (a string) resolved by Terraform.
            if not isinstance(item, (bool, str)):
                raise BindingError(f"must be a boolean, got {type(item).__name__}", field=where)
            out[key] = item
        else:
            if not isinstance(item, str):
                raise BindingError(f"must be a string, got {type(item).__name__}", field=where)
            out[key] = item
    return out


def to_json(block: Block, values: Mapping[str, Any]) -> dict[str, Any]:
    """Terraform JSON: blocks become one-element lists of objects."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        kind = block.attributes[key]
        out[key] = [to_json(kind, value)] if isinstance(kind, Block) else value
    return out


def to_hcl(block: Block, values: Mapping[str, Any]) -> dict[str, Any]:
    """The typed attribute form cdktf's HCL renderer expects."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        kind = block.attributes[key]
        if isinstance(kind, Block):
            out[key] = {"value": [to_hcl(kind, value)], "isBlock": True, "type": "list",
                        "storageClassType": f"{kind.type_name}List"}
        elif kind == _STRING_LIST:
            out[key] = {"value": value, "isBlock": False, "type": "list",
                        "storageClassType": _STORAGE[kind]}
        elif kind == _STRING_MAP:
            out[key] = {"value": value, "isBlock": False, "type": "map",
                        "storageClassType": _STORAGE[kind]}
        else:
            out[key] = {"value": value, "isBlock": False, "type": "simple",
                        "storageClassType": _STORAGE[kind]}
    return out
