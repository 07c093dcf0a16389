"""AksCluster and GkeCluster: the synthesized Azure and Google resources, their props'
checks, and the access they give the providers."""

from __future__ import annotations

import dataclasses
import json

import pytest
from cdktf import TerraformStack, Testing

from fleetform import (AksCluster, AksClusterProps, ArgoCluster, ArgoClusterProps, Autoscale,
                       ConfigError, GkeCluster, GkeClusterProps, NodePool, Taint)
from fleetform.providers.azurerm import AzurermProvider
from fleetform.providers.google import GoogleProvider

AKS_POOLS = (
    NodePool(name="system", size="Standard_D4s_v5", autoscale=Autoscale(min_nodes=2, max_nodes=5)),
    NodePool(name="batch", size="Standard_F8s_v2", count=1, labels={"workload": "batch"},
             taints=[Taint(key="workload", value="batch", effect="NoSchedule")]),
)
GKE_POOLS = (
    NodePool(name="default", size="e2-standard-4", autoscale=Autoscale(min_nodes=1, max_nodes=3)),
    NodePool(name="batch", size="c3-standard-8", count=2,
             taints=[Taint(key="workload", value="batch", effect="NoExecute")]),
)
AKS = dict(name="aks-1", location="westeurope", kubernetes_version="1.33", node_pools=AKS_POOLS)
GKE = dict(name="gke-1", location="europe-west1", project="acme-staging",
           kubernetes_version="1.33", node_pools=GKE_POOLS)


def _synth(kind: str, register: bool = False, **overrides) -> dict:
    stack = TerraformStack(Testing.app(), "t")
    if kind == "aks":
        AzurermProvider(stack, "azurerm")
        cluster = AksCluster(stack, "aks", props=AksClusterProps(**{**AKS, **overrides}))
    else:
        GoogleProvider(stack, "google", project="acme-staging")
        cluster = GkeCluster(stack, "gke", props=GkeClusterProps(**{**GKE, **overrides}))
    if register:
        ArgoCluster(stack, "argo-cluster", props=ArgoClusterProps(
            cluster=cluster.access, argocd_server="argocd.example.com", labels={"global": "true"}))
    return json.loads(Testing.synth(stack))


def _one(doc: dict, section: str, kind: str) -> tuple[str, dict]:
    items = doc[section][kind]
    assert len(items) == 1, sorted(items)
    [(name, body)] = items.items()
    return f"{'data.' if section == 'data' else ''}{kind}.{name}", body


def test_an_aks_cluster_has_its_default_pool_further_pools_and_a_resource_group():
    doc = _synth("aks", tags={"team": "platform"})
    group, group_body = _one(doc, "resource", "azurerm_resource_group")
    assert group_body["name"] == "aks-1-aks" and group_body["tags"] == {"team": "platform"}
    ref, cluster = _one(doc, "resource", "azurerm_kubernetes_cluster")
    assert cluster["resource_group_name"] == f"${{{group}.name}}"
    assert cluster["identity"] == {"type": "SystemAssigned"}
    assert cluster["local_account_disabled"] is False
    pool = cluster["default_node_pool"]
    assert (pool["name"], pool["vm_size"], pool["auto_scaling_enabled"], pool["min_count"],
            pool["max_count"]) == ("system", "Standard_D4s_v5", True, 2, 5)
    assert pool["orchestrator_version"] == cluster["kubernetes_version"]
    assert cluster["lifecycle"]["ignore_changes"] == ["default_node_pool[0].node_count"]
    _, extra = _one(doc, "resource", "azurerm_kubernetes_cluster_node_pool")
    assert extra["kubernetes_cluster_id"] == f"${{{ref}.id}}"
    assert extra["node_taints"] == ["workload=batch:NoSchedule"]
    assert (extra["node_count"], extra["node_labels"]) == (1, {"workload": "batch"})
    assert extra["orchestrator_version"] == cluster["kubernetes_version"]
    # The location must exist: the plan reads it.
    assert _one(doc, "data", "azurerm_location")[1]["location"] == "westeurope"


def test_an_aks_version_prefix_is_resolved_at_plan_time_and_checked():
    doc = _synth("aks")
    reads = doc["data"]["azurerm_kubernetes_service_versions"]
    prefixed = next(f"data.azurerm_kubernetes_service_versions.{n}" for n, r in reads.items()
                    if r.get("version_prefix") == "1.33.")
    _, cluster = _one(doc, "resource", "azurerm_kubernetes_cluster")
    assert cluster["kubernetes_version"] == f"${{{prefixed}.latest_version}}"
    [check] = cluster["lifecycle"]["precondition"]
    # latest_version is "0.0.0" when nothing matches: it must be one of the versions.
    assert check["condition"] == f"${{contains({prefixed}.versions, {prefixed}.latest_version)}}"
    assert check["error_message"].startswith(
        'Cluster aks-1: kubernetes_version "1.33" matches no AKS version Azure offers in '
        "westeurope (")


def test_an_exact_aks_version_is_checked_against_what_is_offered():
    doc = _synth("aks", kubernetes_version="1.33.2")
    _, cluster = _one(doc, "resource", "azurerm_kubernetes_cluster")
    assert cluster["kubernetes_version"] == "1.33.2"
    [check] = cluster["lifecycle"]["precondition"]
    assert '"1.33.2")' in check["condition"] and "contains(" in check["condition"]


def test_a_given_resource_group_is_read_not_created():
    doc = _synth("aks", resource_group="platform-rg")
    assert "azurerm_resource_group" not in doc["resource"]
    assert _one(doc, "data", "azurerm_resource_group")[1]["name"] == "platform-rg"


def test_aks_providers_use_the_local_admins_client_certificate_and_argocd_a_service_account():
    doc = _synth("aks", register=True)
    ref, _ = _one(doc, "resource", "azurerm_kubernetes_cluster")
    [provider] = doc["provider"]["kubernetes"]
    # The endpoint from the FQDN: kube_config is sensitive as a whole.
    assert provider["host"] == f"https://${{{ref}.fqdn}}:443"
    assert provider["client_certificate"] == \
        f"${{base64decode({ref}.kube_config[0].client_certificate)}}"
    assert provider["client_key"] == f"${{base64decode({ref}.kube_config[0].client_key)}}"
    _, registration = _one(doc, "resource", "argocd_cluster")
    config = registration["config"][0]
    assert config["bearer_token"].startswith("${kubernetes_secret_v1.")
    assert "cert_data" not in config.get("tls_client_config", [{}])[0]


def test_a_gke_cluster_drops_its_default_pool_and_has_one_pool_each():
    doc = _synth("gke", labels={"team": "platform"}, prevent_destroy=True)
    ref, cluster = _one(doc, "resource", "google_container_cluster")
    assert (cluster["remove_default_node_pool"], cluster["initial_node_count"]) == (True, 1)
    assert cluster["deletion_protection"] is True
    assert cluster["lifecycle"]["prevent_destroy"] is True
    assert cluster["release_channel"] == {"channel": "UNSPECIFIED"}
    assert cluster["resource_labels"] == {"team": "platform"}
    pools = {p["name"]: p for p in doc["resource"]["google_container_node_pool"].values()}
    default, batch = pools["default"], pools["batch"]
    assert default["autoscaling"] == {"min_node_count": 1, "max_node_count": 3}
    assert default["initial_node_count"] == 1 and "node_count" not in default
    assert batch["node_count"] == 2
    assert batch["node_config"]["taint"] == [{"key": "workload", "value": "batch",
                                               "effect": "NO_EXECUTE"}]
    assert batch["node_config"]["machine_type"] == "c3-standard-8"
    for pool in pools.values():
        assert pool["cluster"] == f"${{{ref}.id}}"
        # Without a channel, nodes get the control plane's (resolved) version.
        assert pool["version"] == cluster["min_master_version"]
        assert pool["management"] == {"auto_repair": True, "auto_upgrade": False}


def test_a_gke_release_channel_upgrades_the_nodes_itself():
    doc = _synth("gke", release_channel="REGULAR")
    for pool in doc["resource"]["google_container_node_pool"].values():
        assert "version" not in pool and pool["management"]["auto_upgrade"] is True


def test_gke_providers_get_a_token_from_the_auth_plugin():
    doc = _synth("gke", register=True)
    ref, _ = _one(doc, "resource", "google_container_cluster")
    [provider] = doc["provider"]["kubernetes"]
    assert provider["host"] == f"https://${{{ref}.endpoint}}"
    assert provider["exec"] == [{"api_version": "client.authentication.k8s.io/v1beta1",
                                 "command": "gke-gcloud-auth-plugin",
                                 "args": ["--use_application_default_credentials"]}]
    assert "token" not in provider


@pytest.mark.parametrize("kind, overrides, message", [
    ("aks", {"location": "eu-west-1"}, "location: must be an Azure location"),
    ("aks", {"kubernetes_version": "1.33.1-do.0"}, "kubernetes_version: must be an AKS version"),
    ("aks", {"node_pools": [dataclasses.replace(AKS_POOLS[0], name="system-pool")]},
     "node_pools[0].name: must be an AKS pool name: a lowercase letter, then up to 11"),
    ("aks", {"node_pools": [dataclasses.replace(AKS_POOLS[0], size="m6i.large")]},
     "node_pools[0].size: must be an Azure VM size such as Standard_D4s_v5"),
    ("aks", {"node_pools": [AKS_POOLS[1]]},
     "node_pools[0].taints: the first pool is AKS's default pool"),
    ("aks", {"sku_tier": "Gold"}, "sku_tier: must be one of Free, Standard, Premium"),
    ("gke", {"name": "g" * 41}, "name: GKE names a cluster with at most 40 characters"),
    ("gke", {"location": "us-east-1"}, "location: must be a GCP region such as europe-west1"),
    ("gke", {"project": "Acme"}, "project: must be a GCP project ID"),
    ("gke", {"node_pools": [dataclasses.replace(GKE_POOLS[0], size="Standard_D4s_v5")]},
     "node_pools[0].size: must be a Compute Engine machine type"),
    ("gke", {"release_channel": "BETA"}, "release_channel: must be one of UNSPECIFIED, RAPID"),
    ("gke", {"labels": {"Team": "x"}}, "labels: must be a GCP label key"),
])
def test_bad_props_name_the_prop(kind, overrides, message):
    props = AksClusterProps if kind == "aks" else GkeClusterProps
    with pytest.raises(ConfigError) as info:
        props(**{**(AKS if kind == "aks" else GKE), **overrides})
    assert str(info.value).startswith(message), str(info.value)


def test_on_a_release_channel_the_version_is_the_channels_newest_of_the_prefix():
    doc = _synth("gke", release_channel="STABLE")
    reads = doc["data"]["google_container_engine_versions"]
    prefixed = next(f"data.google_container_engine_versions.{n}" for n, r in reads.items()
                    if r.get("version_prefix") == "1.33.")
    _, cluster = _one(doc, "resource", "google_container_cluster")
    latest = f'lookup({prefixed}.release_channel_latest_version, "STABLE", "")'
    assert cluster["min_master_version"] == f"${{{latest}}}"
    [check] = cluster["lifecycle"]["precondition"]
    assert check["condition"] == f"${{try(length({latest}), 0) > 0}}"
    assert "in europe-west1 in the STABLE channel (" in check["error_message"]


def test_a_gke_stack_has_a_kubeconfig_without_secrets():
    stack = TerraformStack(Testing.app(), "t")
    GoogleProvider(stack, "google", project="acme-staging")
    cluster = GkeCluster(stack, "gke", props=GkeClusterProps(**GKE))
    from cdktf import TerraformOutput
    TerraformOutput(stack, "kubeconfig", value=cluster.kubeconfig)
    value = json.loads(Testing.synth(stack))["output"]["kubeconfig"]["value"]
    assert '"command" = "gke-gcloud-auth-plugin"' in value
    assert '"--use_application_default_credentials"' in value
