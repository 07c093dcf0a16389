"""Clusters in any cloud: ``cloud:`` in cluster.yaml, its keys, and one stack builder per cloud."""

from __future__ import annotations

import json

import pytest
from support.fleets import CLEAN_ENV, synth_stacks, write_cluster  # noqa: F401

from fleetform.errors import ConfigError
from fleetform.fleet.clouds import CLOUDS, MODELS
from fleetform.fleet.config import load_fleet

EKS_WORKER = """
    cloud: aws
    role: worker
    region: eu-west-1
    kubernetes_version: "1.33"
    node_pools:
      - {name: default, size: m6i.large, autoscale: {min_nodes: 2, max_nodes: 4}}
      - {name: batch, size: c6i.xlarge, count: 1}
    labels: [global]
    argocd: {server: "argocd.example.com:443"}
"""


def _error(fleet_dir, text, name="eks-1") -> str:
    file = write_cluster(fleet_dir, name, text)
    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)
    message = str(info.value)
    assert message.startswith(f"{file}: "), message
    return message.removeprefix(f"{file}: ")


def test_every_cloud_has_a_model_per_role_and_its_own_keys():
    assert set(CLOUDS) == {"digitalocean", "aws", "azure", "gcp"}
    assert set(MODELS) == {f"{c}/{r}" for c in CLOUDS for r in ("management", "worker")}
    assert (CLOUDS["aws"].keys, CLOUDS["azure"].keys, CLOUDS["gcp"].keys) == (
        ("aws",), ("azure",), ("gcp",))
    assert set(CLOUDS["digitalocean"].keys) == {"ha", "auto_upgrade", "surge_upgrade",
                                                "maintenance_window", "vpc_uuid"}


def test_a_cluster_without_cloud_is_digitaloceans(fleet_dir):
    fleet = load_fleet(fleet_dir)
    assert {c.cloud.name for c in fleet.clusters.values()} == {"digitalocean"}


def test_an_eks_worker_loads_beside_doks_clusters(fleet_dir):
    write_cluster(fleet_dir, "eks-1", EKS_WORKER)
    cluster = load_fleet(fleet_dir).clusters["eks-1"]
    assert cluster.cloud.name == "aws" and cluster.role == "worker"
    assert cluster.spec.aws.subnet_ids is None
    assert [p.size for p in cluster.spec.node_pools] == ["m6i.large", "c6i.xlarge"]


@pytest.mark.parametrize("change, message", [
    (("region: eu-west-1", "region: fra1"),
     "region: must be an AWS region such as eu-west-1 or us-east-1 (aws account list-regions), "
     "got 'fra1' ('fra1' is a DigitalOcean region, and this cluster is cloud: aws)"),
    (("size: m6i.large", "size: s-2vcpu-4gb"),
     "node_pools[0].size: must be an EC2 instance type such as m6i.large or t3.medium, got "
     "'s-2vcpu-4gb' ('s-2vcpu-4gb' is a DigitalOcean size, and this cluster is cloud: aws)"),
    (('kubernetes_version: "1.33"', 'kubernetes_version: "1.33.1-do.0"'),
     "kubernetes_version: must be an EKS Kubernetes version: a minor version such as 1.33"),
    (("cloud: aws", "cloud: oracle"),
     "cloud: must be one of digitalocean, aws, azure, gcp (default digitalocean), got "
     "'oracle'"),
    (("labels: [global]", "labels: [global]\n    ha: true"),
     "ha: is a key of DigitalOcean clusters (cloud: digitalocean), and this cluster is "
     "cloud: aws; AWS clusters' own keys are aws"),
    (("labels: [global]", "labels: [global]\n    aws: {subnet_ids: [subnet-0123456789abcdef0]}"),
     "aws.subnet_ids: EKS needs at least two subnets, in two availability zones (got 1)"),
    (("labels: [global]", "labels: [global]\n    aws: {subnets: []}"),
     "aws.subnets: unknown key (did you mean 'subnet_ids'?)"),
    (("labels: [global]", "labels: [global]\n    aws: {endpoint_public_access: false}"),
     "aws: endpoint_public_access: the API server needs an endpoint"),
    (("labels: [global]", "labels: [global]\n    aws: {admin_principal_arns: [me]}"),
     "aws.admin_principal_arns[0]: must be the ARN of an IAM role or user"),
])
def test_a_mistake_about_clouds_is_one_line_naming_the_field_and_the_clouds(
        fleet_dir, change, message):
    old, new = change
    assert old in EKS_WORKER
    assert _error(fleet_dir, EKS_WORKER.replace(old, new)).startswith(message)


def test_an_aws_key_on_a_digitalocean_cluster_names_both_clouds(fleet_dir):
    text = EKS_WORKER.replace("    cloud: aws\n", "").replace(
        "region: eu-west-1", "region: fra1").replace("m6i.large", "s-2vcpu-4gb").replace(
        "c6i.xlarge", "c-4") + "    aws: {}\n"
    assert _error(fleet_dir, text) == (
        "aws: is a key of AWS clusters (cloud: aws), and this cluster is cloud: digitalocean "
        "(the default); DigitalOcean clusters' own keys are ha, auto_upgrade, surge_upgrade, "
        "maintenance_window, vpc_uuid")


def test_an_empty_aws_section_is_the_defaults(fleet_dir):
    write_cluster(fleet_dir, "eks-1", EKS_WORKER + "    aws:\n")
    assert load_fleet(fleet_dir).clusters["eks-1"].spec.aws.endpoint_public_access is True


def test_writing_the_default_cloud_changes_nothing(fleet_dir, tmp_path):
    before = synth_stacks(fleet_dir, tmp_path / "before", names=["do-production"])
    file = fleet_dir / "do-production" / "cluster.yaml"
    file.write_text("cloud: digitalocean\n" + file.read_text())
    after = synth_stacks(fleet_dir, tmp_path / "after", names=["do-production"])
    assert json.dumps(after, sort_keys=True) == json.dumps(before, sort_keys=True)


def test_a_mixed_fleet_builds_each_cluster_in_its_cloud(fleet_dir, tmp_path):
    write_cluster(fleet_dir, "eks-1", EKS_WORKER)
    stacks = synth_stacks(fleet_dir, tmp_path / "out", names=["do-production", "eks-1"])
    assert set(stacks["eks-1"]["provider"]) == {"aws", "kubernetes", "argocd"}
    assert "digitalocean_kubernetes_cluster" not in stacks["eks-1"]["resource"]
    assert "aws_eks_cluster" not in stacks["do-production"]["resource"]
    assert stacks["eks-1"]["terraform"]["required_providers"]["aws"] == {
        "source": "hashicorp/aws", "version": "6.58.0"}
    (registration,) = stacks["eks-1"]["resource"]["argocd_cluster"].values()
    assert registration["metadata"] == [{"labels": {"global": "true"}}]
    assert set(stacks["eks-1"]["output"]) == {"endpoint", "kubeconfig", "argocd_cluster_name",
                                              "argocd_cluster_labels"}
    assert stacks["eks-1"]["output"]["kubeconfig"].get("sensitive") is None


def test_the_management_cluster_may_be_in_aws(fleet_dir, tmp_path):
    management = fleet_dir / "do-management" / "cluster.yaml"
    text = management.read_text()
    for old, new in (("region: fra1", "region: us-east-2"), ("ha: true\n", ""),
                     ('maintenance_window: {day: sunday, start_time: "03:00"}\n', "")):
        assert old in text
        text = text.replace(old, new)
    text = "cloud: aws\n" + text.replace("s-4vcpu-8gb", "m6i.xlarge").replace(
        "s-2vcpu-4gb", "m6i.large")
    management.write_text(text)
    stacks = synth_stacks(fleet_dir, tmp_path / "out", names=["do-management"])
    stack = stacks["do-management"]
    assert "aws_eks_cluster" in stack["resource"] and "helm_release" in stack["resource"]
    [helm] = stack["provider"]["helm"]
    assert helm["kubernetes"]["exec"]["command"] == "aws"
    assert {"admin_password", "automation_user_token"} <= set(stack["output"])
    assert stack["output"]["automation_user_token"]["sensitive"] is True


def test_validate_and_preview_see_an_eks_cluster_like_any_other(fleet_dir):
    import shutil

    from support.fleets import MANIFESTS, SCHEMAS
    from fleetform.commands.preview import build_preview
    from fleetform.commands.validate import validate_fleet

    shutil.copytree(MANIFESTS, fleet_dir.parent / "manifests")
    write_cluster(fleet_dir, "eks-1", EKS_WORKER)
    report = validate_fleet(fleet_dir, schemas_dir=SCHEMAS, clusters=["eks-1"])
    assert report.ok(), [str(p) for p in report.errors]
    preview = build_preview(fleet_dir, clusters=["eks-1"])
    assert {row.deployment.cluster.name for row in preview.rows} == {"eks-1"}
    assert preview.rows, "the global label's applications reach the EKS cluster"


AKS_WORKER = """
    cloud: azure
    role: worker
    region: westeurope
    kubernetes_version: "1.33"
    node_pools:
      - {name: system, size: Standard_D4s_v5, count: 2}
      - {name: batch, size: Standard_F8s_v2, count: 1,
         taints: [{key: workload, value: batch, effect: NoSchedule}]}
    labels: [global]
    argocd: {server: "argocd.example.com:443"}
    azure: {subscription_id: 00000000-0000-0000-0000-000000000000, sku_tier: Standard}
"""
GKE_WORKER = """
    cloud: gcp
    role: worker
    region: europe-west1
    kubernetes_version: "1.33"
    node_pools: [{name: default, size: e2-standard-4, autoscale: {min_nodes: 1, max_nodes: 3}}]
    labels: [global]
    argocd: {server: "argocd.example.com:443"}
    gcp: {project: acme-staging, release_channel: REGULAR}
"""


def test_aks_and_gke_workers_load_and_build_in_their_clouds(fleet_dir, tmp_path):
    write_cluster(fleet_dir, "aks-1", AKS_WORKER)
    write_cluster(fleet_dir, "gke-1", GKE_WORKER)
    fleet = load_fleet(fleet_dir)
    assert fleet.clusters["aks-1"].spec.azure.sku_tier == "Standard"
    assert fleet.clusters["gke-1"].spec.gcp.project == "acme-staging"
    stacks = synth_stacks(fleet_dir, tmp_path / "out", names=["aks-1", "gke-1"])
    assert "azurerm_kubernetes_cluster" in stacks["aks-1"]["resource"]
    assert stacks["aks-1"]["provider"]["azurerm"][0]["subscription_id"] == \
        "00000000-0000-0000-0000-000000000000"
    assert "google_container_cluster" in stacks["gke-1"]["resource"]
    assert stacks["gke-1"]["provider"]["google"] == [{"project": "acme-staging"}]
    for name in ("aks-1", "gke-1"):
        (registration,) = stacks[name]["resource"]["argocd_cluster"].values()
        assert registration["metadata"] == [{"labels": {"global": "true"}}]


@pytest.mark.parametrize("text, change, message", [
    (AKS_WORKER, ("name: system", "name: system-pool"),
     "node_pools[0].name: must be an AKS node pool name: a lowercase letter, then up to 11"),
    (AKS_WORKER, ("region: westeurope", "region: eu-west-1"),
     "region: must be an Azure location such as westeurope or eastus2 (az account "
     "list-locations), got 'eu-west-1' ('eu-west-1' is an AWS region, and this cluster is "
     "cloud: azure)"),
    (AKS_WORKER, ("count: 2}", "count: 2, taints: [{key: a, effect: NoSchedule}]}"),
     "node_pools[0].taints: the first pool is AKS's default pool"),
    (GKE_WORKER, ("gcp: {project: acme-staging, release_channel: REGULAR}", "gcp: {}"),
     "gcp.project: is required"),
    (GKE_WORKER, ("size: e2-standard-4", "size: m6i.large"),
     "node_pools[0].size: must be a Compute Engine machine type such as e2-standard-4, got "
     "'m6i.large' ('m6i.large' is an AWS size, and this cluster is cloud: gcp)"),
    (GKE_WORKER, ("release_channel: REGULAR", "release_channel: beta"), "gcp.release_channel: "),
])
def test_aks_and_gke_mistakes_name_the_field(fleet_dir, text, change, message):
    old, new = change
    assert old in text
    assert _error(fleet_dir, text.replace(old, new)).startswith(message)


def test_a_gke_cluster_name_is_at_most_40_characters(fleet_dir):
    assert _error(fleet_dir, GKE_WORKER, name="g" * 41).startswith(
        "name: the cluster's directory name is its name in Google Cloud, which takes at "
        "most 40 characters, got 41")
