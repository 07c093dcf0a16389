"""A small typed CDKTF binding of the Terraform provider ``argoproj-labs/argocd``.

No prebuilt binding exists, so this module binds by hand the provider and the
two resources fleetform uses: ``argocd_account_token`` and ``argocd_cluster``.
Each class declares its attributes explicitly (one keyword argument per
Terraform attribute or block) and synthesizes them itself.

Blocks (``kubernetes``, ``config``, ``tls_client_config``, ``metadata``) take
either the typed dataclass of this module or a plain mapping with the same
keys; an unknown key is a :class:`~fleetform.providers.binding.BindingError` (a
ConfigError) naming it.
In Terraform JSON a block is a list of objects, which is what is emitted.

The attribute names follow the provider's documented schema (provider docs,
``docs/index.md`` and ``docs/resources/{cluster,account_token}.md`` of
argoproj-labs/terraform-provider-argocd, 7.x).
"""

from __future__ import annotations

import builtins
from typing import Any, Mapping, Optional, Sequence, Union

import jsii
from constructs import Construct

from ..cdk import ITerraformIterator
from ..cdk import (ITerraformDependable, TerraformCount, TerraformProvider,
                   TerraformProviderGeneratorMetadata, TerraformResource,
                   TerraformResourceLifecycle)

from .alias import AliasedProvider
from .binding import BindingError
from .argocd_blocks import (BlockInput, ACCOUNT_TOKEN, ALIASED_PROVIDER, Block, CLUSTER,
                            PROVIDER, normalize, to_hcl, to_json)
from .versions import PROVIDERS

#: Registry source of the provider.
ARGOCD_PROVIDER_SOURCE = "argoproj-labs/argocd"
#: The provider version, pinned exactly: the schema bound here is this version's.
ARGOCD_PROVIDER_VERSION = PROVIDERS["argocd"].version

_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="argocd", provider_version=ARGOCD_PROVIDER_VERSION,
    provider_version_constraint=ARGOCD_PROVIDER_VERSION)

# --------------------------------------------------------------------------
# Schema: attribute name -> kind, where kind is a scalar type name or a Block.
# --------------------------------------------------------------------------
# Typed blocks
# --------------------------------------------------------------------------
# Rendering
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
        values = normalize(PROVIDER, {
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
            raise BindingError(f"must be a string, got {type(alias).__name__}", field="alias")
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
        return to_json(ALIASED_PROVIDER, {**self._fleetform_values, **self.alias_attributes()})

    @jsii.member(jsii_name="synthesizeHclAttributes")
    def _synthesize_hcl_attributes(self) -> Mapping[str, Any]:
        return to_hcl(ALIASED_PROVIDER, {**self._fleetform_values, **self.alias_attributes()})


# --------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------


class _ArgocdResource(TerraformResource):
    """Shared synthesis of the hand-written argocd resources."""

    _schema: Block

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
        return to_json(self._schema, self._fleetform_values)

    @jsii.member(jsii_name="synthesizeHclAttributes")
    def _synthesize_hcl_attributes(self) -> Mapping[str, Any]:
        return to_hcl(self._schema, self._fleetform_values)

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

    _schema = ACCOUNT_TOKEN

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
        values = normalize(ACCOUNT_TOKEN, {
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

    _schema = CLUSTER

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
            raise BindingError("is required", field="server")
        if config is None:
            raise BindingError("is required", field="config")
        values = normalize(CLUSTER, {
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
