"""A small typed binding of ``hashicorp/helm`` 3.1: the provider and ``helm_release``.

Why not the prebuilt ``cdktf-cdktf-provider-helm``: it exists for CDKTF only, where
this one runs on CDK Terrain as well (:mod:`fleetform.cdk`), and it was the last
prebuilt binding on the synth path (importing and loading its jsii assembly cost a
management synth about 45 ms more than this module). The classes keep the
prebuilt names and keyword arguments for what the Argo CD construct sets, and
synthesize the same Terraform JSON, provider requirement included
(``tests/test_helm_binding.py``), so stacks and state are unchanged.

Bound: the provider's ``kubernetes`` (host, CA, token or client certificate, or an
``exec`` credential plugin), and ``helm_release``'s chart, repository, version,
name, namespace, values, ``set_sensitive``, ``wait``, ``timeout``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

import jsii
from constructs import Construct

from ..cdk import (ITerraformDependable, TerraformProvider, TerraformProviderGeneratorMetadata,
                   TerraformResourceLifecycle)
from .alias import AliasedProvider
from .binding import (BOOLEAN, NUMBER, STRING, STRING_LIST, STRING_MAP, Resource, as_block,
                      block_fields, blocks, checked, required, to_json)
from .versions import PROVIDERS

#: What the prebuilt binding writes in ``required_providers`` (``helm`` is
#: ``registry.terraform.io/hashicorp/helm``).
HELM_PROVIDER_SOURCE = "helm"
HELM_PROVIDER_VERSION = PROVIDERS["helm"].version
_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="helm", provider_version=HELM_PROVIDER_VERSION,
    provider_version_constraint="~> 3.0")


@dataclass(frozen=True)
class HelmProviderKubernetesExec:
    """``kubernetes.exec``: a credential plugin (``aws eks get-token`` on EKS)."""

    api_version: str
    command: str
    args: Optional[Sequence[str]] = None
    env: Optional[Mapping[str, str]] = None

    def __post_init__(self) -> None:
        block_fields("HelmProviderKubernetesExec", self, {
            "api_version": STRING, "command": STRING, "args": STRING_LIST, "env": STRING_MAP})


@dataclass(frozen=True)
class HelmProviderKubernetes:
    """The provider's ``kubernetes``: the cluster and one way to authenticate."""

    host: Optional[str] = None
    cluster_ca_certificate: Optional[str] = None
    token: Optional[str] = None
    client_certificate: Optional[str] = None
    client_key: Optional[str] = None
    exec: Optional[HelmProviderKubernetesExec] = None

    def __post_init__(self) -> None:
        block_fields("HelmProviderKubernetes", self, {
            name: STRING for name in ("host", "cluster_ca_certificate", "token",
                                      "client_certificate", "client_key")})
        if self.exec is not None:
            object.__setattr__(self, "exec", as_block("HelmProviderKubernetes.exec",
                                                      HelmProviderKubernetesExec, self.exec))


class HelmProvider(AliasedProvider):
    """The ``helm`` provider, configured for one cluster."""

    def __init__(self, scope: Construct, id: str, *, alias: Optional[str] = None,
                 kubernetes: Optional[HelmProviderKubernetes] = None) -> None:
        self._fleetform_attributes = {} if kubernetes is None else {
            "kubernetes": to_json(as_block("HelmProvider.kubernetes", HelmProviderKubernetes,
                                           kubernetes))}
        super().__init__(scope, id, alias=alias, terraform_resource_type="helm",
                         terraform_generator_metadata=_METADATA,
                         terraform_provider_source=HELM_PROVIDER_SOURCE)

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {**self._fleetform_attributes, **self.alias_attributes()}


@dataclass(frozen=True)
class ReleaseSetSensitive:
    """One ``set_sensitive`` value: hidden in plans, passed to Helm as ``--set``."""

    name: str
    value: str
    type: Optional[str] = None

    def __post_init__(self) -> None:
        block_fields("ReleaseSetSensitive", self, {"name": STRING, "value": STRING,
                                                   "type": STRING})


_RELEASE = {"name": STRING, "chart": STRING, "namespace": STRING, "create_namespace": BOOLEAN,
            "repository": STRING, "version": STRING, "values": STRING_LIST, "wait": BOOLEAN,
            "timeout": NUMBER}


class Release(Resource):
    """``helm_release``: a chart installed and upgraded in the provider's cluster."""

    _type = "helm_release"
    _metadata = _METADATA

    def __init__(self, scope: Construct, id: str, *, name: str, chart: str,
                 namespace: Optional[str] = None, create_namespace: Optional[bool] = None,
                 repository: Optional[str] = None, version: Optional[str] = None,
                 values: Optional[Sequence[str]] = None,
                 set_sensitive: Optional[Sequence[ReleaseSetSensitive]] = None,
                 wait: Optional[bool] = None, timeout: Optional[int] = None,
                 provider: Optional[TerraformProvider] = None,
                 depends_on: Optional[Sequence[ITerraformDependable]] = None,
                 lifecycle: Optional[TerraformResourceLifecycle] = None) -> None:
        attributes = checked("Release", _RELEASE, {
            "name": name, "chart": chart, "namespace": namespace,
            "create_namespace": create_namespace, "repository": repository,
            "version": version, "values": values, "wait": wait, "timeout": timeout})
        required("Release", attributes, "name", "chart")
        sensitive = blocks("Release.set_sensitive", ReleaseSetSensitive, set_sensitive)
        if sensitive is not None:
            attributes["set_sensitive"] = sensitive
        super().__init__(scope, id, attributes, provider=provider, depends_on=depends_on,
                         lifecycle=lifecycle)
