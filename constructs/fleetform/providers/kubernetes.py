"""A small typed CDKTF binding of the few ``hashicorp/kubernetes`` resources fleetform uses.

Why not the prebuilt ``cdktf-cdktf-provider-kubernetes``: loading its jsii
assembly costs about 5 s and 370 MB in every process (measured by
``bench/bench.py``), more than the rest of a synth together, for the five
types used here. The classes keep the prebuilt names and keyword arguments,
and synthesize the same Terraform JSON, so switching back is an import change.

Bound: the provider (with its ``exec`` credential plugin block), ``kubernetes_secret_v1``, ``kubernetes_service_account_v1``,
``kubernetes_cluster_role_v1`` and ``kubernetes_cluster_role_binding_v1``.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

import jsii
from constructs import Construct

from ..cdk import TerraformProviderGeneratorMetadata, TerraformResource
from .alias import AliasedProvider
from .binding import (BOOLEAN, STRING, STRING_LIST, STRING_MAP, BindingError, Resource, as_block,
                      block_fields, checked, to_json)
from .versions import PROVIDERS

#: Registry source and version of the provider (the one cdktf-cdktf-provider-kubernetes 12.1 binds).
KUBERNETES_PROVIDER_SOURCE = "hashicorp/kubernetes"
KUBERNETES_PROVIDER_VERSION = PROVIDERS["kubernetes"].version

#: A key of a Secret's ``data`` (Kubernetes: alphanumerics, '-', '_' and '.').
_DATA_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_IDENTIFIER = re.compile(r"[a-zA-Z_][-a-zA-Z0-9_]*")

_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="kubernetes", provider_version=KUBERNETES_PROVIDER_VERSION,
    provider_version_constraint=KUBERNETES_PROVIDER_VERSION)


@dataclass(frozen=True)
class KubernetesProviderExec:
    """The provider's ``exec`` block: a credential plugin run for each API client
    (``aws eks get-token`` on EKS), printing an ExecCredential."""

    api_version: str
    command: str
    args: Optional[Sequence[str]] = None
    env: Optional[Mapping[str, str]] = None

    def __post_init__(self) -> None:
        block_fields("KubernetesProviderExec", self, {
            "api_version": STRING, "command": STRING, "args": STRING_LIST, "env": STRING_MAP})


#: The provider's arguments (its ``exec`` block aside).
_PROVIDER = {"host": STRING, "cluster_ca_certificate": STRING, "token": STRING,
             "client_certificate": STRING, "client_key": STRING}


class KubernetesProvider(AliasedProvider):
    """The ``kubernetes`` provider, configured with a bearer token, a client certificate,
    or an ``exec`` credential plugin.

    Attributes are Terraform expressions or literals; ``token`` and
    ``client_key`` must be references (a literal would end up in ``cdktf.out``).
    """

    def __init__(self, scope: Construct, id: str, *, alias: Optional[str] = None,
                 host: Optional[str] = None, cluster_ca_certificate: Optional[str] = None,
                 token: Optional[str] = None, client_certificate: Optional[str] = None,
                 client_key: Optional[str] = None,
                 exec: Optional[Sequence[KubernetesProviderExec]] = None) -> None:
        attributes = checked("KubernetesProvider", _PROVIDER, {
            "host": host, "cluster_ca_certificate": cluster_ca_certificate, "token": token,
            "client_certificate": client_certificate, "client_key": client_key})
        # A list of one, as the prebuilt binding takes it (the schema's block is a list).
        if exec is not None:
            attributes["exec"] = [as_block(f"KubernetesProvider: exec[{i}]",
                                           KubernetesProviderExec, e)
                                  for i, e in enumerate(exec)]
        self._fleetform_attributes = to_json(attributes)
        super().__init__(scope, id, alias=alias, terraform_resource_type="kubernetes",
                         terraform_generator_metadata=_METADATA,
                         terraform_provider_source=KUBERNETES_PROVIDER_SOURCE)

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {**self._fleetform_attributes, **self.alias_attributes()}


@dataclass(frozen=True)
class ObjectMetadata:
    """``metadata`` block: name, namespace, labels and annotations."""

    name: Optional[str] = None
    namespace: Optional[str] = None
    labels: Optional[Mapping[str, str]] = None
    annotations: Optional[Mapping[str, str]] = None

    def __post_init__(self) -> None:
        block_fields("metadata", self, _METADATA_FIELDS)


#: A metadata block's arguments.
_METADATA_FIELDS = {"name": STRING, "namespace": STRING, "labels": STRING_MAP,
                    "annotations": STRING_MAP}


@dataclass(frozen=True)
class ClusterObjectMetadata:
    """``metadata`` block of a cluster-scoped object: no ``namespace``.

    The provider's schema for ClusterRole and ClusterRoleBinding has no
    ``namespace`` in ``metadata`` (``metadataSchemaRBAC(..., namespaced=false)``
    in terraform-provider-kubernetes v2.38.0), so Terraform rejects one.
    """

    name: Optional[str] = None
    labels: Optional[Mapping[str, str]] = None
    annotations: Optional[Mapping[str, str]] = None

    def __post_init__(self) -> None:
        block_fields("metadata", self, _METADATA_FIELDS)


# The prebuilt binding has one metadata class per resource; these names keep its API.
SecretV1Metadata = ServiceAccountV1Metadata = ObjectMetadata
ClusterRoleV1Metadata = ClusterRoleBindingV1Metadata = ClusterObjectMetadata


def _namespace(metadata: Any) -> Any:
    return metadata.get("namespace") if isinstance(metadata, Mapping) \
        else getattr(metadata, "namespace", None)


def _cluster_scoped(metadata: Any, resource_type: str) -> Any:
    """Refuse a namespace on a cluster-scoped object's metadata."""
    if _namespace(metadata) is not None:
        raise BindingError(f"{resource_type} is cluster-scoped: its metadata takes no "
                           f"namespace (got {_namespace(metadata)!r})", field="metadata.namespace")
    return metadata


@dataclass(frozen=True)
class ClusterRoleV1Rule:
    """One ``rule`` of a ClusterRole."""

    verbs: Sequence[str]
    api_groups: Optional[Sequence[str]] = None
    resources: Optional[Sequence[str]] = None
    resource_names: Optional[Sequence[str]] = None
    non_resource_urls: Optional[Sequence[str]] = None

    def __post_init__(self) -> None:
        block_fields("ClusterRoleV1Rule", self, {
            "verbs": STRING_LIST, "api_groups": STRING_LIST, "resources": STRING_LIST,
            "resource_names": STRING_LIST, "non_resource_urls": STRING_LIST})


@dataclass(frozen=True)
class ClusterRoleBindingV1RoleRef:
    """``role_ref`` of a ClusterRoleBinding."""

    api_group: str
    kind: str
    name: str

    def __post_init__(self) -> None:
        block_fields("ClusterRoleBindingV1RoleRef", self,
                     {"api_group": STRING, "kind": STRING, "name": STRING})


@dataclass(frozen=True)
class ClusterRoleBindingV1Subject:
    """One ``subject`` of a ClusterRoleBinding."""

    kind: str
    name: str
    namespace: Optional[str] = None
    api_group: Optional[str] = None

    def __post_init__(self) -> None:
        block_fields("ClusterRoleBindingV1Subject", self, {
            "kind": STRING, "name": STRING, "namespace": STRING, "api_group": STRING})


class _MetadataReference:
    """``resource.metadata.name`` / ``.namespace`` as Terraform references."""

    def __init__(self, resource: TerraformResource) -> None:
        self._resource = resource

    @property
    def name(self) -> str:
        return self._resource.get_string_attribute("metadata[0].name")

    @property
    def namespace(self) -> str:
        return self._resource.get_string_attribute("metadata[0].namespace")


class _KubernetesResource(Resource):
    """A kubernetes resource type: subclasses set ``_type``."""

    _metadata = _METADATA

    def __init__(self, scope: Construct, id: str, attributes: Mapping[str, Any],
                 **meta: Any) -> None:
        super().__init__(scope, id, {name: to_json(value) for name, value in attributes.items()
                                     if value is not None}, **meta)

    @builtins.property
    def metadata(self) -> _MetadataReference:
        """References to the object's ``metadata.name`` and ``metadata.namespace``."""
        return _MetadataReference(self)


class SecretV1(_KubernetesResource):
    """``kubernetes_secret_v1``. ``data`` values are plain text (the provider encodes them)."""

    _type = "kubernetes_secret_v1"

    def __init__(self, scope: Construct, id: str, *, metadata: ObjectMetadata,
                 data: Optional[Mapping[str, str]] = None, type: Optional[str] = None,
                 wait_for_service_account_token: Optional[bool] = None,
                 **meta: Any) -> None:
        super().__init__(scope, id, {
            "metadata": as_block(f"{self._type}: metadata", ObjectMetadata, metadata),
            **checked(self._type, {"data": STRING_MAP, "type": STRING,
                                   "wait_for_service_account_token": BOOLEAN},
                      {"data": data, "type": type,
                       "wait_for_service_account_token": wait_for_service_account_token})},
            **meta)

    @builtins.property
    def data(self) -> Any:
        """The Secret's data map (sensitive), e.g. a service-account token."""
        return self.interpolation_for_attribute("data")

    def data_value(self, key: str) -> str:
        """One value of ``data`` (sensitive), as a string token: ``data["<key>"]``.

        One jsii call, where ``Token.as_string(Fn.lookup(secret.data, key))``
        takes three.
        """
        if not isinstance(key, str) or not _DATA_KEY.fullmatch(key):
            raise ValueError(f"not a Secret data key: {key!r}")
        # The same expression cdktf writes for the lookup: data.token, data["ca.crt"].
        path = f"data.{key}" if _IDENTIFIER.fullmatch(key) else f'data["{key}"]'
        return self.get_string_attribute(path)


class ServiceAccountV1(_KubernetesResource):
    """``kubernetes_service_account_v1``."""

    _type = "kubernetes_service_account_v1"

    def __init__(self, scope: Construct, id: str, *, metadata: ObjectMetadata,
                 **meta: Any) -> None:
        super().__init__(scope, id, {"metadata": metadata}, **meta)


class ClusterRoleV1(_KubernetesResource):
    """``kubernetes_cluster_role_v1``."""

    _type = "kubernetes_cluster_role_v1"

    def __init__(self, scope: Construct, id: str, *, metadata: ClusterObjectMetadata,
                 rule: Sequence[ClusterRoleV1Rule], **meta: Any) -> None:
        super().__init__(scope, id, {"metadata": _cluster_scoped(metadata, self._type),
                                     "rule": list(rule)}, **meta)


class ClusterRoleBindingV1(_KubernetesResource):
    """``kubernetes_cluster_role_binding_v1``."""

    _type = "kubernetes_cluster_role_binding_v1"

    def __init__(self, scope: Construct, id: str, *, metadata: ClusterObjectMetadata,
                 role_ref: ClusterRoleBindingV1RoleRef,
                 subject: Sequence[ClusterRoleBindingV1Subject], **meta: Any) -> None:
        super().__init__(scope, id, {"metadata": _cluster_scoped(metadata, self._type),
                                     "role_ref": role_ref,
                                     "subject": list(subject)}, **meta)
