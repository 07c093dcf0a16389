"""EksCluster: the synthesized AWS resources, and the access it gives the providers."""

from __future__ import annotations

import json

import pytest
from cdktf import TerraformOutput, TerraformStack, Testing

from fleetform import (ArgoCd, ArgoCdProps, ArgoCluster, ArgoClusterProps, Autoscale, EksCluster,
                       EksClusterProps, NodePool, Taint)
from fleetform.providers.aws import AwsProvider

POOLS = (
    NodePool(name="default", size="m6i.large", autoscale=Autoscale(min_nodes=2, max_nodes=5)),
    NodePool(name="batch", size="c6i.xlarge", count=1, labels={"workload": "batch"},
             taints=[Taint(key="workload", value="batch", effect="NoSchedule"),
                     Taint(key="spot", effect="PreferNoSchedule")], tags=("batch",)),
)
ADMIN = "arn:aws:iam::111122223333:role/platform-admin"


def _stack(**overrides) -> tuple[TerraformStack, EksCluster]:
    stack = TerraformStack(Testing.app(), "test")
    AwsProvider(stack, "aws", region="eu-west-1")
    props = EksClusterProps(**{"name": "eks-1", "region": "eu-west-1",
                               "kubernetes_version": "1.33", "node_pools": POOLS,
                               "tags": {"team": "platform"}, **overrides})
    return stack, EksCluster(stack, "eks", props=props)


def _synth(**overrides) -> dict:
    stack, cluster = _stack(**overrides)
    TerraformOutput(stack, "kubeconfig", value=cluster.kubeconfig)
    return json.loads(Testing.synth(stack))


@pytest.fixture(scope="module")
def synth():
    return _synth()


def _one(doc: dict, section: str, kind: str) -> dict:
    items = doc[section][kind]
    assert len(items) == 1, sorted(items)
    return next(iter(items.values()))


def _ref(kind: str, doc: dict, section: str = "resource") -> str:
    (name,) = doc[section][kind]
    return f"{'data.' if section == 'data' else ''}{kind}.{name}"


def test_the_cluster_uses_access_entries_and_the_default_vpcs_subnets(synth):
    cluster = _one(synth, "resource", "aws_eks_cluster")
    assert cluster["name"] == "eks-1" and cluster["version"] == "1.33"
    assert cluster["access_config"] == {"authentication_mode": "API",
                                        "bootstrap_cluster_creator_admin_permissions": False}
    subnets = f"${{{_ref('aws_subnets', synth, 'data')}.ids}}"
    assert cluster["vpc_config"] == {"subnet_ids": subnets, "endpoint_public_access": True,
                                     "endpoint_private_access": False}
    assert cluster["tags"] == {"team": "platform"}
    vpc = _one(synth, "data", "aws_vpc")
    assert vpc["default"] is True
    filters = _one(synth, "data", "aws_subnets")["filter"]
    zones = _ref("aws_availability_zones", synth, "data")
    assert filters == [{"name": "vpc-id", "values": [f"${{{_ref('aws_vpc', synth, 'data')}.id}}"]},
                       {"name": "default-for-az", "values": ["true"]},
                       {"name": "availability-zone", "values": f"${{{zones}.names}}"}]
    # Not us-east-1e and its like, where EKS places no control plane.
    zones_data = _one(synth, "data", "aws_availability_zones")
    assert (zones_data["state"], zones_data["exclude_zone_ids"]) == (
        "available", ["use1-az3", "usw1-az2", "cac1-az3"])


def test_given_subnets_replace_the_default_vpc():
    doc = _synth(subnet_ids=("subnet-0123456789abcdef0", "subnet-0123456789abcdef1"))
    assert not {"aws_vpc", "aws_subnets", "aws_availability_zones"} & set(doc["data"])
    cluster = _one(doc, "resource", "aws_eks_cluster")
    assert cluster["vpc_config"]["subnet_ids"] == ["subnet-0123456789abcdef0",
                                                   "subnet-0123456789abcdef1"]
    for group in doc["resource"]["aws_eks_node_group"].values():
        assert group["subnet_ids"] == cluster["vpc_config"]["subnet_ids"]


def test_an_unoffered_version_fails_the_plan_naming_what_eks_offers(synth):
    [check] = _one(synth, "resource", "aws_eks_cluster")["lifecycle"]["precondition"]
    versions = f"{_ref('aws_eks_cluster_versions', synth, 'data')}.cluster_versions[*]" \
               ".cluster_version"
    assert check["condition"] == f'${{contains({versions}, "1.33")}}'
    assert check["error_message"] == (
        'Cluster eks-1: kubernetes_version "1.33" is not a version EKS offers '
        f'(${{join(", ", {versions})}}).')


def test_one_node_group_per_pool_with_its_instance_type_labels_and_taints(synth):
    groups = {g["node_group_name"]: g for g in synth["resource"]["aws_eks_node_group"].values()}
    assert set(groups) == {"batch", "default"}
    cluster = _ref("aws_eks_cluster", synth)
    default, batch = groups["default"], groups["batch"]
    assert default["instance_types"] == ["m6i.large"]
    assert default["scaling_config"] == {"desired_size": 2, "min_size": 2, "max_size": 5}
    # The autoscaler moves the size between the bounds: Terraform leaves it be.
    assert default["lifecycle"] == {"ignore_changes": ["scaling_config[0].desired_size"]}
    assert batch["scaling_config"] == {"desired_size": 1, "min_size": 1, "max_size": 1}
    assert "lifecycle" not in batch
    assert batch["labels"] == {"workload": "batch"}
    assert batch["taint"] == [{"key": "workload", "value": "batch", "effect": "NO_SCHEDULE"},
                              {"key": "spot", "effect": "PREFER_NO_SCHEDULE"}]
    assert batch["tags"] == {"team": "platform", "batch": ""}
    for group in groups.values():
        assert group["cluster_name"] == f"${{{cluster}.name}}"
        # Nodes are upgraded with the control plane.
        assert group["version"] == f"${{{cluster}.version}}"
        assert len(group["depends_on"]) == 3


def test_the_roles_trust_eks_and_ec2_and_carry_the_documented_policies(synth):
    roles = synth["resource"]["aws_iam_role"]
    trusted = {json.loads(r["assume_role_policy"])["Statement"][0]["Principal"]["Service"]:
               r["name_prefix"] for r in roles.values()}
    assert trusted == {"eks.amazonaws.com": "eks-1-cluster-", "ec2.amazonaws.com": "eks-1-node-"}
    policies = sorted(a["policy_arn"] for a in
                      synth["resource"]["aws_iam_role_policy_attachment"].values())
    partition = f"${{{_ref('aws_partition', synth, 'data')}.partition}}"
    assert policies == sorted(f"arn:{partition}:iam::aws:policy/{p}" for p in (
        "AmazonEKSClusterPolicy", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy",
        "AmazonEC2ContainerRegistryReadOnly"))


def test_role_name_prefixes_fit_iams_limit():
    doc = _synth(name="a" * 63)
    for role in doc["resource"]["aws_iam_role"].values():
        assert len(role["name_prefix"]) <= 38


def test_the_identity_terraform_runs_as_and_given_principals_are_cluster_admins():
    doc = _synth(admin_principal_arns=(ADMIN,))
    session = _ref("aws_iam_session_context", doc, "data")
    caller = _ref("aws_caller_identity", doc, "data")
    assert _one(doc, "data", "aws_iam_session_context")["arn"] == f"${{{caller}.arn}}"
    principals = sorted(e["principal_arn"] for e in doc["resource"]["aws_eks_access_entry"].values())
    assert principals == sorted([ADMIN, f"${{{session}.issuer_arn}}"])
    # The first runner's access is kept when another identity plans.
    runner = next(e for e in doc["resource"]["aws_eks_access_entry"].values()
                  if e["principal_arn"] != ADMIN)
    assert runner["lifecycle"] == {"ignore_changes": ["principal_arn"]}
    for association in doc["resource"]["aws_eks_access_policy_association"].values():
        assert association["policy_arn"].endswith(
            ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
        assert association["access_scope"] == {"type": "cluster"}


def test_providers_get_a_fresh_token_from_the_aws_cli_once_admin_access_exists():
    stack, cluster = _stack()
    ArgoCluster(stack, "argo-cluster", props=ArgoClusterProps(
        cluster=cluster.access, argocd_server="argocd.example.com", labels={"global": "true"}))
    doc = json.loads(Testing.synth(stack))
    [provider] = doc["provider"]["kubernetes"]
    association = _ref("aws_eks_access_policy_association", doc)
    cluster_ref = _ref("aws_eks_cluster", doc)
    assert provider["host"] == f"${{{cluster_ref}.endpoint}}"
    assert provider["cluster_ca_certificate"] == \
        f"${{base64decode({cluster_ref}.certificate_authority[0].data)}}"
    assert provider["exec"] == [{
        "api_version": "client.authentication.k8s.io/v1beta1", "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", f"${{{association}.cluster_name}}",
                 "--region", "eu-west-1", "--output", "json"]}]
    assert "token" not in provider
    # Argo CD keeps the argocd-manager ServiceAccount's long-lived token, never an EKS one.
    registration = _one(doc, "resource", "argocd_cluster")
    assert registration["config"][0]["bearer_token"].startswith(
        "${kubernetes_secret_v1.")


def test_argocd_on_an_eks_cluster_reaches_it_with_the_same_plugin():
    stack, cluster = _stack()
    ArgoCd(stack, "argocd", props=ArgoCdProps(cluster=cluster.access, cluster_name="eks-1"))
    doc = json.loads(Testing.synth(stack))
    exec_block = doc["provider"]["kubernetes"][0]["exec"][0]
    assert doc["provider"]["helm"][0]["kubernetes"]["exec"] == exec_block
    # The argocd provider reaches the API server through a port-forward, as the others.
    assert doc["provider"]["argocd"][0]["kubernetes"][0]["exec"] == [exec_block]
    assert exec_block["command"] == "aws" and exec_block["args"][:2] == ["eks", "get-token"]


def test_the_kubeconfig_output_holds_no_secret(synth):
    value = synth["output"]["kubeconfig"]["value"]
    assert '"command" = "aws"' in value and '"get-token"' in value
    # No credential: the user's own AWS identity gets the token when kubectl runs.
    assert "token" not in value.replace("get-token", "")

