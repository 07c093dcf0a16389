"""DoksCluster: the synthesized DigitalOcean resources and attributes."""

import json

import pytest
from cdktf import TerraformOutput, TerraformStack, Testing
from fleetform.providers.digitalocean import DigitaloceanProvider

from fleetform.constructs.doks_cluster import DoksCluster, DoksClusterProps
from fleetform.constructs.props import Autoscale, MaintenanceWindow, NodePool, Taint
from fleetform.errors import ConfigError

POOLS = (
    NodePool(name="default", size="s-2vcpu-4gb", autoscale=Autoscale(min_nodes=2, max_nodes=5)),
    NodePool(name="batch", size="c-4", count=1, labels={"workload": "batch"},
             taints=[Taint(key="workload", value="batch", effect="NoSchedule")]),
)


def _synth(**overrides):
    stack = TerraformStack(Testing.app(), "test")
    DigitaloceanProvider(stack, "do")
    props = DoksClusterProps(**{
        "name": "edge-1", "region": "ams3", "kubernetes_version": "1.33",
        "node_pools": POOLS, "tags": ("fleet",), "ha": True,
        "maintenance_window": MaintenanceWindow(day="sunday", start_time="03:00"),
        **overrides})
    cluster = DoksCluster(stack, "doks", props=props)
    TerraformOutput(stack, "kubeconfig", value=cluster.kubeconfig, sensitive=True)
    TerraformOutput(stack, "ca", value=cluster.ca_certificate)
    TerraformOutput(stack, "token", value=cluster.access.token, sensitive=True)
    return json.loads(Testing.synth(stack))


@pytest.fixture(scope="module")
def synth():
    return _synth()


def _one(doc, section, kind):
    items = doc[section][kind]
    assert len(items) == 1
    return next(iter(items.values()))


def test_cluster_resource_carries_props(synth):
    cluster = _one(synth, "resource", "digitalocean_kubernetes_cluster")

    assert cluster["name"] == "edge-1"
    assert cluster["region"] == "ams3"
    assert cluster["ha"] is True
    assert cluster["tags"] == ["fleet"]
    assert cluster["maintenance_policy"] == {"day": "sunday", "start_time": "03:00"}
    assert cluster["node_pool"] == {"name": "default", "size": "s-2vcpu-4gb", "auto_scale": True,
                                    "min_nodes": 2, "max_nodes": 5}
    assert "prevent_destroy" not in cluster["lifecycle"]


def _versions(doc) -> tuple[str, str]:
    """The ids of the prefixed and the unfiltered versions data sources."""
    sources = doc["data"]["digitalocean_kubernetes_versions"]
    (prefixed,) = [k for k, v in sources.items() if "version_prefix" in v]
    (offered,) = [k for k, v in sources.items() if "version_prefix" not in v]
    return prefixed, offered


def test_version_prefix_resolves_through_the_versions_data_source(synth):
    prefixed, _ = _versions(synth)
    cluster = _one(synth, "resource", "digitalocean_kubernetes_cluster")

    assert synth["data"]["digitalocean_kubernetes_versions"][prefixed]["version_prefix"] == "1.33."
    assert cluster["version"] == \
        f"${{data.digitalocean_kubernetes_versions.{prefixed}.latest_version}}"


def test_a_prefix_nothing_matches_fails_the_plan_naming_cluster_field_and_versions(synth):
    prefixed, offered = _versions(synth)
    (check,) = [c for c in _one(synth, "resource", "digitalocean_kubernetes_cluster")
                ["lifecycle"]["precondition"] if "kubernetes_version" in c["error_message"]]

    assert check["condition"] == (
        f"${{try(length(data.digitalocean_kubernetes_versions.{prefixed}.latest_version), 0) > 0}}")
    # The prefix comes from the data source: bumping the version changes only version_prefix.
    assert check["error_message"].startswith(
        'Cluster edge-1: kubernetes_version "${trimsuffix(data.digitalocean_kubernetes_versions.'
        f'{prefixed}.version_prefix, ".")}}" matches no DOKS version DigitalOcean offers '
        f'(${{join(", ", data.digitalocean_kubernetes_versions.{offered}.valid_versions)}})')


def test_exact_version_is_used_as_is():
    doc = _synth(kubernetes_version="1.33.1-do.0")

    assert _one(doc, "resource", "digitalocean_kubernetes_cluster")["version"] == "1.33.1-do.0"
    assert "digitalocean_kubernetes_versions" not in doc.get("data", {})
    checks = _one(doc, "resource", "digitalocean_kubernetes_cluster")["lifecycle"]["precondition"]
    assert not [c for c in checks if "kubernetes_version" in c["error_message"]]


def test_extra_pools_are_node_pool_resources(synth):
    pool = _one(synth, "resource", "digitalocean_kubernetes_node_pool")

    assert pool["name"] == "batch"
    assert pool["node_count"] == 1
    assert pool["labels"] == {"workload": "batch"}
    assert pool["taint"] == [{"key": "workload", "value": "batch", "effect": "NoSchedule"}]
    assert pool["cluster_id"].startswith("${digitalocean_kubernetes_cluster.")


def test_attributes_reference_the_cluster_and_kubeconfig_is_sensitive(synth):
    outputs = synth["output"]

    assert outputs["kubeconfig"]["sensitive"] is True
    assert outputs["kubeconfig"]["value"].endswith(".kube_config[0].raw_config}")
    assert outputs["ca"]["value"].startswith("${base64decode(")


def test_provider_credentials_come_from_the_cluster_resource_not_a_data_source(synth):
    # A data source referring to the cluster is read only during apply while the
    # cluster has a change pending; the resource's refresh renews an expired token
    # (tests/test_terraform_lifecycle.py runs both cases through Terraform).
    assert "digitalocean_kubernetes_cluster" not in synth.get("data", {})
    assert synth["output"]["token"]["value"].startswith("${digitalocean_kubernetes_cluster.")
    assert synth["output"]["token"]["value"].endswith(".kube_config[0].token}")


def test_prevent_destroy():
    doc = _synth(prevent_destroy=True)

    cluster = _one(doc, "resource", "digitalocean_kubernetes_cluster")
    assert cluster["lifecycle"]["prevent_destroy"] is True


def test_no_node_pool_is_an_error():
    with pytest.raises(ConfigError, match="node_pools: a cluster needs at least one node pool"):
        _synth(node_pools=())


def test_duplicate_pool_names_are_an_error():
    with pytest.raises(ConfigError, match=r"node_pools\[1\].name: duplicate node pool name"):
        _synth(node_pools=(POOLS[0], POOLS[0]))
