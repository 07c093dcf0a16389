"""ArgoCluster registers any cluster (here an EKS-like one) in a remote Argo CD."""

from __future__ import annotations

import json

import pytest
from cdktf import TerraformStack, TerraformVariable, Testing

from fleetform.constructs.argo_cluster import (AUTH_TOKEN_VARIABLE, ArgoCluster,
                                          ArgoClusterProps)
from fleetform.providers.argocd import ArgocdCluster
from fleetform.constructs.cluster_access import ClusterAccess

EKS_ENDPOINT = "https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"
LABELS = {"global": "true", "production": "true", "example.com/tier": "gold"}
SENTINEL = "sentinel-secret-7f3a9c0e-do-not-leak"


def eks_stack(labels=LABELS, **props) -> tuple[dict, ArgoCluster]:
    """A stack registering an EKS-like cluster given as plain strings and variables."""
    stack = TerraformStack(Testing.app(), "test")
    ca = TerraformVariable(stack, "eks_ca", type="string")
    token = TerraformVariable(stack, "eks_token", type="string", sensitive=True)
    access = ClusterAccess(name="eks-prod", endpoint=EKS_ENDPOINT,
                           cluster_ca_certificate=ca.string_value, token=token.string_value)
    construct = ArgoCluster(stack, "argo-cluster", props=ArgoClusterProps(
        cluster=access, argocd_server="argocd.example.com:443", labels=labels, **props))
    return json.loads(Testing.synth(stack)), construct


def one(stack: dict, kind: str) -> dict:
    items = stack["resource"][kind]
    assert len(items) == 1, sorted(items)
    return next(iter(items.values()))


@pytest.fixture(scope="module")
def eks() -> tuple[dict, ArgoCluster]:
    # Secrets in the environment must never reach the JSON.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TF_VAR_argocd_auth_token", SENTINEL)
        mp.setenv("ARGOCD_AUTH_TOKEN", SENTINEL)
        return eks_stack(annotations={"example.com/owner": "https://gitlab.com/example/team"})


@pytest.fixture(scope="module")
def synthesized(eks) -> dict:
    return eks[0]


def test_kubernetes_provider_is_aliased_and_configured_from_cluster_access(synthesized):
    providers = synthesized["provider"]["kubernetes"]
    assert providers == [{"alias": "argo-cluster", "host": EKS_ENDPOINT,
                          "cluster_ca_certificate": "${var.eks_ca}",
                          "token": "${var.eks_token}"}]
    for kind, items in synthesized["resource"].items():
        if kind.startswith("kubernetes_"):
            for item in items.values():
                assert item["provider"] == "kubernetes.argo-cluster", kind


def test_nothing_is_tied_to_digitalocean(synthesized):
    text = json.dumps(synthesized)
    assert "digitalocean" not in text
    assert set(synthesized["terraform"]["required_providers"]) == {"argocd", "kubernetes"}


def test_argocd_manager_service_account_and_cluster_admin_rbac(synthesized):
    service_account = one(synthesized, "kubernetes_service_account_v1")
    assert service_account["metadata"] == {"name": "argocd-manager", "namespace": "kube-system"}
    role = one(synthesized, "kubernetes_cluster_role_v1")
    assert role["metadata"] == {"name": "argocd-manager-role"}
    assert role["rule"] == [
        {"api_groups": ["*"], "resources": ["*"], "verbs": ["*"]},
        {"non_resource_urls": ["*"], "verbs": ["*"]},
    ]
    binding = one(synthesized, "kubernetes_cluster_role_binding_v1")
    (role_id,) = synthesized["resource"]["kubernetes_cluster_role_v1"]
    (sa_id,) = synthesized["resource"]["kubernetes_service_account_v1"]
    assert binding["role_ref"] == {"api_group": "rbac.authorization.k8s.io",
                                   "kind": "ClusterRole",
                                   "name": f"${{kubernetes_cluster_role_v1.{role_id}.metadata[0].name}}"}
    assert binding["subject"] == [{
        "kind": "ServiceAccount",
        "name": f"${{kubernetes_service_account_v1.{sa_id}.metadata[0].name}}",
        "namespace": f"${{kubernetes_service_account_v1.{sa_id}.metadata[0].namespace}}"}]


def test_long_lived_token_secret_for_the_service_account(synthesized):
    secret = one(synthesized, "kubernetes_secret_v1")
    (sa_id,) = synthesized["resource"]["kubernetes_service_account_v1"]
    assert secret["type"] == "kubernetes.io/service-account-token"
    assert secret["wait_for_service_account_token"] is True
    assert secret["metadata"]["namespace"] == "kube-system"
    assert secret["metadata"]["annotations"] == {
        "kubernetes.io/service-account.name":
            f"${{kubernetes_service_account_v1.{sa_id}.metadata[0].name}}"}
    assert "data" not in secret  # Kubernetes fills it in


def test_argocd_gets_the_service_account_token_and_ca_not_the_admin_token(synthesized):
    cluster = one(synthesized, "argocd_cluster")
    (secret_id,) = synthesized["resource"]["kubernetes_secret_v1"]
    assert cluster["name"] == "eks-prod"
    assert cluster["server"] == EKS_ENDPOINT
    assert cluster["config"] == [{
        "bearer_token": f"${{kubernetes_secret_v1.{secret_id}.data.token}}",
        "tls_client_config": [{"ca_data": f'${{kubernetes_secret_v1.{secret_id}.data["ca.crt"]}}'}],
    }]
    assert "var.eks_token" not in json.dumps(cluster)
    (binding_id,) = synthesized["resource"]["kubernetes_cluster_role_binding_v1"]
    assert cluster["depends_on"] == [f"kubernetes_cluster_role_binding_v1.{binding_id}"]


def test_labels_and_annotations_are_argocd_cluster_metadata(synthesized):
    cluster = one(synthesized, "argocd_cluster")
    assert cluster["metadata"] == [{
        "labels": LABELS,
        "annotations": {"example.com/owner": "https://gitlab.com/example/team"}}]


def test_argocd_provider_uses_server_and_sensitive_token_variable(synthesized):
    (provider,) = synthesized["provider"]["argocd"]
    assert provider == {"alias": "argo-cluster", "server_addr": "argocd.example.com:443",
                        "auth_token": "${var.argocd_auth_token}",
                        "grpc_web": True, "insecure": False}
    assert one(synthesized, "argocd_cluster")["provider"] == "argocd.argo-cluster"
    variable = synthesized["variable"][AUTH_TOKEN_VARIABLE]
    assert variable["sensitive"] is True and variable["nullable"] is False
    assert variable["type"] == "string" and "default" not in variable
    assert "TF_VAR_argocd_auth_token" in variable["description"]
    assert "GitLab CI/CD variable" in variable["description"]
    (validation,) = variable["validation"]
    assert validation["condition"] == "${length(trimspace(var.argocd_auth_token)) > 0}"
    assert "TF_VAR_argocd_auth_token" in validation["error_message"]


def test_no_secret_from_the_environment_in_the_json(synthesized):
    assert SENTINEL not in json.dumps(synthesized)


def test_read_only_attributes(eks):
    _, construct = eks
    assert isinstance(construct.registration, ArgocdCluster)
    assert construct.service_account_name == "argocd-manager"
    assert construct.service_account_namespace == "kube-system"
    assert construct.token_secret_name == "argocd-manager-token"
    assert construct.name == "eks-prod" and construct.server == EKS_ENDPOINT
    assert dict(construct.labels) == LABELS
    with pytest.raises(TypeError):
        construct.labels["global"] = "false"  # type: ignore[index]
    assert construct.auth_token_variable is not None
    assert construct.auth_token_variable.node.id == AUTH_TOKEN_VARIABLE


def test_changing_labels_is_an_in_place_update(synthesized):
    changed, _ = eks_stack(labels={"global": "true", "staging": "true"},
                           annotations={"example.com/owner": "https://gitlab.com/example/team"})
    # Same resources at the same addresses...
    assert {k: sorted(v) for k, v in changed["resource"].items()} == \
        {k: sorted(v) for k, v in synthesized["resource"].items()}
    # ...with identical attributes, except the labels.
    for kind, items in synthesized["resource"].items():
        for address, before in items.items():
            after = changed["resource"][kind][address]
            if kind == "argocd_cluster":
                before, after = json.loads(json.dumps(before)), json.loads(json.dumps(after))
                assert before["metadata"][0].pop("labels") == LABELS
                assert after["metadata"][0].pop("labels") == {"global": "true", "staging": "true"}
            assert after == before, f"{kind}.{address} changed"
    assert changed["provider"] == synthesized["provider"]
    assert changed["variable"] == synthesized["variable"]


def test_grpc_web_defaults_to_true_as_in_cluster_yaml():
    """One default: an Argo CD behind an HTTPS ingress, as cluster.yaml's argocd.grpc_web."""
    from dataclasses import fields

    from fleetform.fleet.cluster_yaml import WorkerArgoCd
    default = {f.name: f.default for f in fields(ArgoClusterProps)}["grpc_web"]
    assert default is True
    assert WorkerArgoCd().grpc_web is default


def test_given_auth_token_expression_grpc_web_and_insecure():
    stack = TerraformStack(Testing.app(), "given")
    token = TerraformVariable(stack, "mgmt_token", type="string", sensitive=True)
    access = ClusterAccess(name="kind", endpoint="https://127.0.0.1:6443",
                           cluster_ca_certificate="-----BEGIN CERTIFICATE-----",
                           token="${var.kind_token}")
    construct = ArgoCluster(stack, "kind", props=ArgoClusterProps(
        cluster=access, argocd_server="10.0.0.5:8443", labels={}, auth_token=token.string_value,
        grpc_web=True, insecure=True))
    synthesized = json.loads(Testing.synth(stack))
    assert construct.auth_token_variable is None
    assert AUTH_TOKEN_VARIABLE not in synthesized["variable"]
    (provider,) = synthesized["provider"]["argocd"]
    assert provider["auth_token"] == "${var.mgmt_token}"
    assert provider["grpc_web"] is True and provider["insecure"] is True
    assert provider["server_addr"] == "10.0.0.5:8443"
    # No labels and no annotations: no metadata block at all.
    assert "metadata" not in one(synthesized, "argocd_cluster")


def test_two_registrations_in_one_stack_share_the_variable_not_the_providers():
    stack = TerraformStack(Testing.app(), "two")
    for name in ("a", "b"):
        access = ClusterAccess(name=name, endpoint=f"https://{name}.example.com",
                               cluster_ca_certificate="PEM", token=f"${{var.{name}}}")
        ArgoCluster(stack, f"register-{name}", props=ArgoClusterProps(
            cluster=access, argocd_server="argocd.example.com", labels={"global": "true"}))
    synthesized = json.loads(Testing.synth(stack))
    assert sorted(p["alias"] for p in synthesized["provider"]["kubernetes"]) == \
        ["register-a", "register-b"]
    assert sorted(p["alias"] for p in synthesized["provider"]["argocd"]) == \
        ["register-a", "register-b"]
    assert list(synthesized["variable"]) == [AUTH_TOKEN_VARIABLE]
    providers = sorted(c["provider"] for c in synthesized["resource"]["argocd_cluster"].values())
    assert providers == ["argocd.register-a", "argocd.register-b"]


CERT_ACCESS = dict(name="aks-prod", endpoint="https://aks-prod.hcp.westeurope.azmk8s.io:443",
                   cluster_ca_certificate="${var.aks_ca}",
                   client_certificate="${var.aks_client_certificate}",
                   client_key="${var.aks_client_key}")


def test_client_certificate_configures_the_kubernetes_provider():
    """An AKS-style cluster (local admin client certificate) registers as any other."""
    stack = TerraformStack(Testing.app(), "aks")
    ArgoCluster(stack, "aks", props=ArgoClusterProps(
        cluster=ClusterAccess(**CERT_ACCESS), argocd_server="argocd.example.com",
        labels={"global": "true"}))
    synthesized = json.loads(Testing.synth(stack))
    (kubernetes,) = synthesized["provider"]["kubernetes"]
    assert kubernetes == {"alias": "aks", "host": CERT_ACCESS["endpoint"],
                          "cluster_ca_certificate": "${var.aks_ca}",
                          "client_certificate": "${var.aks_client_certificate}",
                          "client_key": "${var.aks_client_key}"}
    # Argo CD still gets the argocd-manager ServiceAccount's token, not the certificate.
    config = one(synthesized, "argocd_cluster")["config"][0]
    assert "aks_client" not in json.dumps(config)
    assert "bearer_token" in config
    assert "kubernetes_service_account_v1" in synthesized["resource"]


def test_client_certificate_registered_in_argocd_when_asked():
    stack = TerraformStack(Testing.app(), "aks")
    registration = ArgoCluster(stack, "aks", props=ArgoClusterProps(
        cluster=ClusterAccess(**CERT_ACCESS), argocd_server="argocd.example.com",
        labels={"global": "true"}, argocd_credentials="client-certificate"))
    synthesized = json.loads(Testing.synth(stack))
    cluster = one(synthesized, "argocd_cluster")
    assert cluster["config"] == [{"tls_client_config": [{
        "ca_data": "${var.aks_ca}", "cert_data": "${var.aks_client_certificate}",
        "key_data": "${var.aks_client_key}"}]}]
    assert cluster["server"] == CERT_ACCESS["endpoint"]
    assert cluster["metadata"][0]["labels"] == {"global": "true"}
    # Nothing is created on the cluster: no kubernetes provider, no ServiceAccount.
    assert set(synthesized["resource"]) == {"argocd_cluster"}
    assert "kubernetes" not in synthesized["provider"]
    assert registration.kubernetes_provider is None
