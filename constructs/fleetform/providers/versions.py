"""The Terraform providers fleetform's stacks require, each pinned to one exact version.

Each version is the one whose schema the bindings here are written for and the
suite checks (``tests/terraform/schemas*.py``): a stack never asks Terraform for
a provider the suite has not seen. The fleet's dependency lock file
(``.terraform.lock.hcl``, written by ``fleetform lock``) holds these versions
with their checksums. Importing this module loads no cdktf.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The registry a source without a hostname is installed from.
DEFAULT_REGISTRY = "registry.terraform.io"


@dataclass(frozen=True)
class ProviderPin:
    """A provider's source (``namespace/type``) and the one version stacks require."""

    source: str
    version: str

    @property
    def address(self) -> str:
        """The provider's address as the lock file names it (``registry.terraform.io/ns/type``)."""
        return provider_address(self.source)


def provider_address(source: str) -> str:
    """``required_providers``' ``source`` as a full address: ``helm`` ->
    ``registry.terraform.io/hashicorp/helm``, ``hashicorp/aws`` ->
    ``registry.terraform.io/hashicorp/aws``; a source with a hostname stays."""
    parts = source.lower().split("/")
    if len(parts) == 1:
        parts = ["hashicorp", *parts]
    if len(parts) == 2:
        parts = [DEFAULT_REGISTRY, *parts]
    return "/".join(parts)


#: Every provider a fleetform stack may require, by local name.
PROVIDERS: dict[str, ProviderPin] = {
    "argocd": ProviderPin("argoproj-labs/argocd", "7.12.5"),
    "aws": ProviderPin("hashicorp/aws", "6.58.0"),
    "azurerm": ProviderPin("hashicorp/azurerm", "4.81.0"),
    "digitalocean": ProviderPin("digitalocean/digitalocean", "2.71.0"),
    "google": ProviderPin("hashicorp/google", "7.45.0"),
    # fleetform.providers.helm writes it as the prebuilt helm binding did (source "helm").
    "helm": ProviderPin("hashicorp/helm", "3.1.1"),
    "kubernetes": ProviderPin("hashicorp/kubernetes", "2.38.0"),
    "random": ProviderPin("hashicorp/random", "3.7.2"),
}
