"""The hand-written argoproj-labs/argocd binding synthesizes what the provider's schema accepts."""

from __future__ import annotations

import json

import pytest
from cdktf import TerraformOutput, TerraformStack, TerraformVariable, Testing

from fleetform.providers.argocd import (ARGOCD_PROVIDER_SOURCE, ARGOCD_PROVIDER_VERSION,
                                        ArgocdAccountToken, ArgocdCluster, ArgocdProvider)
from fleetform.providers.argocd_blocks import (ArgocdClusterConfig, ArgocdClusterMetadata,
                                               ArgocdClusterTlsClientConfig,
                                               ArgocdProviderKubernetes)
from fleetform.errors import ConfigError

# The provider's documented schema (docs/index.md, docs/resources/cluster.md and
# account_token.md of argoproj-labs/terraform-provider-argocd 7.x), written out
# independently of the binding: a key the binding emits must be one of these.
# A dict is a block (a list of objects in Terraform JSON).
PROVIDER_SCHEMA = {
    "alias": str, "server_addr": str, "auth_token": str, "username": str, "password": str,
    "insecure": bool, "grpc_web": bool, "grpc_web_root_path": str, "plain_text": bool,
    "port_forward": bool, "port_forward_with_namespace": str, "use_local_config": bool,
    "config_path": str, "context": str, "cert_file": str, "client_cert_file": str,
    "client_cert_key": str, "headers": list, "user_agent": str,
    "kubernetes": {"host": str, "cluster_ca_certificate": str, "token": str,
                   "client_certificate": str, "client_key": str, "insecure": bool,
                   "username": str, "password": str, "config_context": str,
                   "config_context_auth_info": str, "config_context_cluster": str,
                   "exec": {"api_version": str, "command": str, "args": list, "env": dict}},
}
META = {"provider": str, "depends_on": list, "lifecycle": dict, "count": int,
        "for_each": str, "//": dict}
CLUSTER_SCHEMA = {
    **META, "server": str, "name": str, "shard": str, "namespaces": list, "project": str,
    "config": {"bearer_token": str, "username": str, "password": str,
               "tls_client_config": {"ca_data": str, "cert_data": str, "key_data": str,
                                     "insecure": bool, "server_name": str}},
    "metadata": {"labels": dict, "annotations": dict},
}
TOKEN_SCHEMA = {**META, "account": str, "expires_in": str, "renew_after": str,
                "renew_before": str}


def check_schema(obj: dict, schema: dict, path: str = "") -> None:
    """Fail on an attribute the schema does not know, or a block not shaped as a list of one."""
    for key, value in obj.items():
        where = f"{path}.{key}" if path else key
        assert key in schema, f"unknown attribute {where}"
        kind = schema[key]
        if isinstance(kind, dict) and key not in ("lifecycle", "//"):
            assert isinstance(value, list) and len(value) == 1, f"{where} must be a list of one"
            check_schema(value[0], kind, where)
        elif kind is dict and key in ("lifecycle", "//"):
            assert isinstance(value, dict)
        else:
            assert isinstance(value, kind), f"{where}: {value!r} is not {kind.__name__}"


@pytest.fixture(scope="module")
def synthesized() -> dict:
    stack = TerraformStack(Testing.app(), "test")
    token_var = TerraformVariable(stack, "argocd_auth_token", type="string", sensitive=True)
    default = ArgocdProvider(stack, "argocd-default", server_addr="argocd.example.com:443",
                             auth_token=token_var.string_value, grpc_web=True)
    management = ArgocdProvider(
        stack, "argocd-kube", alias="management", port_forward_with_namespace="argocd",
        username="admin", password=token_var.string_value, plain_text=False,
        kubernetes=ArgocdProviderKubernetes(host="https://10.0.0.1", token="${var.k}",
                                            cluster_ca_certificate="PEM"))
    automation = ArgocdAccountToken(stack, "automation", account="automation",
                                    expires_in="8760h", renew_before="720h",
                                    provider=management)
    ArgocdCluster(
        stack, "worker", server="https://1.2.3.4:6443", name="worker-1",
        config=ArgocdClusterConfig(
            bearer_token=automation.jwt,
            tls_client_config=ArgocdClusterTlsClientConfig(ca_data="-----BEGIN", insecure=False)),
        metadata=ArgocdClusterMetadata(labels={"global": "true", "example.com/tier": "gold"},
                                       annotations={"example.com/url": "https://x/y"}),
        namespaces=["apps"], project="default", depends_on=[automation])
    ArgocdCluster(stack, "plain", server="https://5.6.7.8",
                  config={"bearer_token": "t", "tls_client_config": {"insecure": True}},
                  provider=default)
    TerraformOutput(stack, "jwt", value=automation.jwt, sensitive=True)
    TerraformOutput(stack, "token_id", value=automation.id)
    return json.loads(Testing.synth(stack))


def test_required_provider_source_and_version(synthesized):
    assert synthesized["terraform"]["required_providers"]["argocd"] == {
        "source": "argoproj-labs/argocd", "version": ARGOCD_PROVIDER_VERSION}
    assert ARGOCD_PROVIDER_SOURCE == "argoproj-labs/argocd"
    # pinned exactly: the version whose schema the stand-in serves (tests/terraform)
    assert ARGOCD_PROVIDER_VERSION == "7.12.5"


def test_providers_synthesize_known_attributes_only(synthesized):
    providers = synthesized["provider"]["argocd"]
    assert len(providers) == 2
    for provider in providers:
        check_schema(provider, PROVIDER_SCHEMA)
    default = next(p for p in providers if "alias" not in p)
    assert default == {"server_addr": "argocd.example.com:443",
                       "auth_token": "${var.argocd_auth_token}", "grpc_web": True}
    aliased = next(p for p in providers if p.get("alias") == "management")
    assert aliased["kubernetes"] == [{"host": "https://10.0.0.1", "token": "${var.k}",
                                      "cluster_ca_certificate": "PEM"}]
    assert aliased["plain_text"] is False


def test_account_token_attributes_and_sensitive_jwt(synthesized):
    token = synthesized["resource"]["argocd_account_token"]["automation"]
    check_schema(token, TOKEN_SCHEMA)
    assert token["account"] == "automation"
    assert token["expires_in"] == "8760h" and token["renew_before"] == "720h"
    assert token["provider"] == "argocd.management"
    assert synthesized["output"]["jwt"] == {
        "value": "${argocd_account_token.automation.jwt}", "sensitive": True}
    assert synthesized["output"]["token_id"]["value"] == "${argocd_account_token.automation.id}"


def test_cluster_blocks_are_lists_of_objects(synthesized):
    cluster = synthesized["resource"]["argocd_cluster"]["worker"]
    check_schema(cluster, CLUSTER_SCHEMA)
    assert cluster["server"] == "https://1.2.3.4:6443"
    assert cluster["name"] == "worker-1"
    assert cluster["config"] == [{
        "bearer_token": "${argocd_account_token.automation.jwt}",
        "tls_client_config": [{"ca_data": "-----BEGIN", "insecure": False}]}]
    # Label keys are emitted verbatim (cdktf snake-cases provider keys, not these).
    assert cluster["metadata"] == [{"labels": {"global": "true", "example.com/tier": "gold"},
                                    "annotations": {"example.com/url": "https://x/y"}}]
    assert cluster["namespaces"] == ["apps"] and cluster["project"] == "default"
    assert cluster["depends_on"] == ["argocd_account_token.automation"]
    assert "provider" not in cluster


def test_cluster_accepts_mappings_for_blocks(synthesized):
    cluster = synthesized["resource"]["argocd_cluster"]["plain"]
    check_schema(cluster, CLUSTER_SCHEMA)
    assert cluster["config"] == [{"bearer_token": "t", "tls_client_config": [{"insecure": True}]}]
    assert cluster["provider"] == "argocd"
    assert "metadata" not in cluster and "name" not in cluster


def test_hcl_synthesis_renders_blocks():
    stack = TerraformStack(Testing.app(), "hcl")
    ArgocdProvider(stack, "argocd", server_addr="a.example.com:443")
    ArgocdCluster(stack, "c", server="https://1.2.3.4", name="c",
                  config={"bearer_token": "t", "tls_client_config": {"ca_data": "PEM"}},
                  metadata={"labels": {"global": "true"}})
    hcl = Testing.synth_hcl(stack)
    assert 'server_addr = "a.example.com:443"' in hcl
    assert "config {" in hcl and "tls_client_config {" in hcl and "metadata {" in hcl
    assert 'ca_data = "PEM"' in hcl and 'global = "true"' in hcl


@pytest.mark.parametrize("kwargs, field, fragment", [
    ({"config": {"bearer_tokn": "t"}}, "config.bearer_tokn", "unknown attribute"),
    ({"config": {"tls_client_config": {"ca": "x"}}}, "config.tls_client_config.ca",
     "allowed: ca_data"),
    ({"config": "token"}, "config", "must be a mapping"),
    ({"config": {}, "metadata": {"labels": ["global"]}}, "metadata.labels",
     "must be a mapping of strings"),
    ({"config": {}, "namespaces": "apps"}, "namespaces", "must be a list of strings"),
    ({"config": {"tls_client_config": {"insecure": "yes", "ca_data": 1}}},
     "config.tls_client_config.ca_data", "must be a string"),
    ({"config": None}, "config", "is required"),
])
def test_cluster_rejects_bad_props(kwargs, field, fragment):
    stack = TerraformStack(Testing.app(), "bad")
    with pytest.raises(ConfigError) as info:
        ArgocdCluster(stack, "c", server="https://1.2.3.4", **kwargs)
    assert info.value.field == field
    assert fragment in str(info.value)


def test_provider_rejects_unknown_kubernetes_attribute():
    stack = TerraformStack(Testing.app(), "bad")
    with pytest.raises(ConfigError, match=r"kubernetes\.hostname: unknown attribute"):
        ArgocdProvider(stack, "argocd", kubernetes={"hostname": "x"})
    with pytest.raises(ConfigError, match=r"insecure: must be a boolean"):
        ArgocdProvider(stack, "argocd2", insecure=1)
