"""Aliased hand-written providers: the alias reaches the JSON, resources and Python readers."""

from __future__ import annotations

import json
import re

import pytest
from cdktf import TerraformStack, Testing

from fleetform.providers.argocd import ArgocdCluster, ArgocdProvider
from fleetform.providers.kubernetes import (KubernetesProvider, ServiceAccountV1,
                                          ServiceAccountV1Metadata)


def _synth(stack: TerraformStack) -> dict:
    return json.loads(Testing.synth(stack))


def test_alias_is_readable_and_reaches_provider_block_and_resources():
    stack = TerraformStack(Testing.app(), "alias")
    default = KubernetesProvider(stack, "default", host="https://a")
    worker = KubernetesProvider(stack, "worker", alias="worker", host="https://b")
    ServiceAccountV1(stack, "sa", provider=worker,
                     metadata=ServiceAccountV1Metadata(name="x", namespace="y"))
    ServiceAccountV1(stack, "sa-default",
                     metadata=ServiceAccountV1Metadata(name="z", namespace="y"))

    synthesized = _synth(stack)

    assert (default.alias, worker.alias) == (None, "worker")
    assert (default.fqn, worker.fqn) == ("kubernetes", "kubernetes.worker")
    assert sorted(synthesized["provider"]["kubernetes"], key=lambda p: p["host"]) == [
        {"host": "https://a"}, {"alias": "worker", "host": "https://b"}]
    accounts = synthesized["resource"]["kubernetes_service_account_v1"]
    assert accounts["sa"]["provider"] == "kubernetes.worker"
    assert "provider" not in accounts["sa-default"]


def test_alias_set_after_construction_is_synthesized():
    stack = TerraformStack(Testing.app(), "late")
    provider = ArgocdProvider(stack, "argocd", server_addr="a.example.com:443")
    ArgocdCluster(stack, "c", provider=provider, server="https://k", config={"bearer_token": "t"})
    provider.alias = "late"

    synthesized = _synth(stack)

    assert synthesized["provider"]["argocd"][0]["alias"] == "late"
    assert synthesized["resource"]["argocd_cluster"]["c"]["provider"] == "argocd.late"

    provider.alias = None
    synthesized = _synth(stack)
    assert "alias" not in synthesized["provider"]["argocd"][0]
    assert synthesized["resource"]["argocd_cluster"]["c"]["provider"] == "argocd"
    with pytest.raises(TypeError, match="alias must be a string"):
        provider.alias = 7


def test_hcl_output_carries_the_alias():
    stack = TerraformStack(Testing.app(), "hcl-alias")
    ArgocdProvider(stack, "argocd", alias="mgmt", server_addr="a.example.com:443")

    assert re.search(r'provider "argocd" \{[^}]*\balias\s*=\s*"mgmt"', Testing.synth_hcl(stack))


def test_synth_does_not_ask_python_for_the_alias(monkeypatch):
    """cdktf reads ``alias`` several times per resource; each read used to be a callback."""
    import jsii._kernel as kernel

    asked: list[str] = []
    handle = kernel._handle_callback

    def counting(k, callback):
        asked.append(callback.cookie)
        return handle(k, callback)

    monkeypatch.setattr(kernel, "_handle_callback", counting)
    stack = TerraformStack(Testing.app(), "callbacks")
    provider = KubernetesProvider(stack, "k", alias="w", host="https://h")
    for i in range(3):
        ServiceAccountV1(stack, f"sa{i}", provider=provider,
                         metadata=ServiceAccountV1Metadata(name=f"sa{i}", namespace="n"))
    _synth(stack)

    assert "alias" not in asked
    assert 0 < asked.count("fqn") <= 3 * 2  # at most one per resource and synth pass
