"""The AWS stand-in and its fake account, proved with hand-written Terraform JSON.

The stack is what an EKS cluster's synthesized stack holds (two IAM roles and
their policy attachments, the cluster, an admin access entry and its policy
association, a node group, the data sources), plus a kubernetes provider that
authenticates with ``aws eks get-token`` through its exec plugin and one
ServiceAccount on the cluster. It is applied once from empty state, as the
GitLab pipeline's role (web identity); each test then works on a copy.
Tests of the fake ``aws`` and of EKS's authentication alone run no Terraform.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))

import cloud as clouds  # noqa: E402
import cloud_aws  # noqa: E402
from harness import (NO_AWS_CREDENTIALS, TerraformMissing, Workspace, _environment,  # noqa: E402
                     changes, deferred_reads, terraform_binary)

REGION, NAME, STACK = "eu-west-1", "edge-eks", "eks"
ADMIN_POLICY = "arn:${data.aws_partition.partition.partition}:eks::aws:cluster-access-policy/" \
    "AmazonEKSClusterAdminPolicy"
TWENTY_MINUTES = 20 * 60
SERVICE_ACCOUNT = "kubernetes_service_account_v1.deployer"


def _role_policy(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service},
        "Action": ["sts:AssumeRole", "sts:TagSession"]}]})


def _attachment(role: str, policy: str) -> dict:
    return {"role": f"${{aws_iam_role.{role}.name}}",
            "policy_arn": f"arn:${{data.aws_partition.partition.partition}}:iam::aws:policy/{policy}"}


NODE_POLICIES = {"node-worker": "AmazonEKSWorkerNodePolicy", "node-cni": "AmazonEKS_CNI_Policy",
                 "node-ecr": "AmazonEC2ContainerRegistryReadOnly"}


def eks_stack(version: str = "1.33", instance_types: tuple = ("m6i.large",),
              desired: int = 2, labels: dict | None = None,
              exec_env: dict | None = None) -> dict:
    """An EKS cluster's stack as fleetform synthesizes it (spec), in Terraform JSON."""
    exec_plugin = {"api_version": "client.authentication.k8s.io/v1beta1", "command": "aws",
                   "args": ["eks", "get-token", "--cluster-name",
                            "${aws_eks_access_policy_association.admin.cluster_name}",
                            "--region", REGION, "--output", "json"]}
    if exec_env:
        exec_plugin["env"] = exec_env
    tags = {"fleetform/cluster": NAME}
    return {
        "terraform": {"required_providers": {
            "aws": {"source": "hashicorp/aws", "version": "6.58.0"},
            "kubernetes": {"source": "hashicorp/kubernetes", "version": "2.38.0"}}},
        "provider": {
            "aws": [{"region": REGION}],
            "kubernetes": [{
                "host": "${aws_eks_cluster.cluster.endpoint}",
                "cluster_ca_certificate":
                    "${base64decode(aws_eks_cluster.cluster.certificate_authority[0].data)}",
                "exec": [exec_plugin]}]},
        "data": {
            "aws_partition": {"partition": {}},
            "aws_caller_identity": {"current": {}},
            "aws_iam_session_context": {"current": {
                "arn": "${data.aws_caller_identity.current.arn}"}},
            "aws_eks_cluster_versions": {"offered": {}},
            "aws_vpc": {"default": {"default": True}},
            "aws_subnets": {"default": {"filter": [
                {"name": "vpc-id", "values": ["${data.aws_vpc.default.id}"]},
                {"name": "default-for-az", "values": ["true"]}]}},
        },
        "resource": {
            "aws_iam_role": {
                "cluster-role": {"name_prefix": f"{NAME}-cluster-",
                                 "assume_role_policy": _role_policy("eks.amazonaws.com"),
                                 "tags": tags},
                "node-role": {"name_prefix": f"{NAME}-nodes-",
                              "assume_role_policy": _role_policy("ec2.amazonaws.com"),
                              "tags": tags}},
            "aws_iam_role_policy_attachment": {
                "cluster-policy": _attachment("cluster-role", "AmazonEKSClusterPolicy"),
                **{k: _attachment("node-role", v) for k, v in NODE_POLICIES.items()}},
            "aws_eks_cluster": {"cluster": {
                "name": NAME, "role_arn": "${aws_iam_role.cluster-role.arn}", "version": version,
                "vpc_config": [{"subnet_ids": "${data.aws_subnets.default.ids}",
                                "endpoint_public_access": True,
                                "endpoint_private_access": False}],
                "access_config": [{"authentication_mode": "API",
                                   "bootstrap_cluster_creator_admin_permissions": False}],
                "tags": tags,
                "depends_on": ["aws_iam_role_policy_attachment.cluster-policy"],
                "lifecycle": {"precondition": [{
                    "condition": "${contains(data.aws_eks_cluster_versions.offered"
                                 f'.cluster_versions[*].cluster_version, "{version}")}}',
                    "error_message": f"EKS does not offer Kubernetes {version}"}]}}},
            "aws_eks_access_entry": {"admin": {
                "cluster_name": "${aws_eks_cluster.cluster.name}",
                "principal_arn": "${data.aws_iam_session_context.current.issuer_arn}",
                "type": "STANDARD"}},
            "aws_eks_access_policy_association": {"admin": {
                "cluster_name": "${aws_eks_access_entry.admin.cluster_name}",
                "principal_arn": "${aws_eks_access_entry.admin.principal_arn}",
                "policy_arn": ADMIN_POLICY, "access_scope": [{"type": "cluster"}]}},
            "aws_eks_node_group": {"pool-default": {
                "cluster_name": "${aws_eks_cluster.cluster.name}", "node_group_name": "default",
                "node_role_arn": "${aws_iam_role.node-role.arn}",
                "subnet_ids": "${data.aws_subnets.default.ids}",
                "instance_types": list(instance_types),
                "version": "${aws_eks_cluster.cluster.version}",
                "scaling_config": [{"desired_size": desired, "min_size": 2, "max_size": 4}],
                "labels": labels if labels is not None else {"pool": "default"},
                "taint": [{"key": "dedicated", "value": "edge", "effect": "NO_SCHEDULE"}],
                "tags": tags,
                "depends_on": [f"aws_iam_role_policy_attachment.{k}" for k in NODE_POLICIES],
                "lifecycle": {"ignore_changes": ["scaling_config[0].desired_size"]}}},
            "kubernetes_service_account_v1": {"deployer": {
                "metadata": [{"name": "fleetform-deployer", "namespace": "kube-system"}]}},
        },
    }


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    try:
        terraform_binary()
    except TerraformMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    ws = Workspace(tmp_path_factory.mktemp("aws") / "ws")
    ws.put_stack(STACK, eks_stack())
    ws.init(STACK)
    result = ws.apply(STACK)
    return ws, result


def _copy(applied, tmp_path) -> Workspace:
    return applied[0].copy(tmp_path / "ws")


def _one_line(result) -> str:
    return " ".join(result.output.replace("│", " ").split())


# --- from empty state ----------------------------------------------------------------------

def test_the_stack_applies_from_empty_state_as_the_pipelines_role(applied):
    ws, result = applied
    assert result.returncode == 0, result.output[-6000:]
    cluster = ws.eks_cluster(NAME)
    assert cluster["region"] == REGION and cluster["version"] == "1.33"
    assert cluster["endpoint"].endswith(f".gr7.{REGION}.eks.amazonaws.com")
    # The access entry is the role behind the assumed-role session (aws_iam_session_context).
    entry = cluster["access_entries"][cloud_aws.DEPLOYER_ROLE_ARN]
    assert list(entry["policies"]) == [
        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"]
    assert list(cluster["access_entries"]) == [cloud_aws.DEPLOYER_ROLE_ARN]  # no bootstrap
    (group,) = ws.cloud()["aws"]["nodegroups"].values()
    assert (group["instance_types"], group["version"]) == (["m6i.large"], "1.33")
    assert group["taints"] == [{"key": "dedicated", "value": "edge", "effect": "NO_SCHEDULE"}]
    roles = ws.cloud()["aws"]["roles"]
    assert [sorted(r["attached"]) for n, r in roles.items() if n.startswith(f"{NAME}-nodes-")] \
        == [sorted(f"arn:aws:iam::aws:policy/{p}" for p in NODE_POLICIES.values())]
    # name_prefix: the prefix and the SDK's 26-character unique suffix
    (cluster_role,) = [n for n in roles if n.startswith(f"{NAME}-cluster-")]
    assert len(cluster_role) == len(f"{NAME}-cluster-") + 26
    objects = ws.cloud()["objects"][cluster["id"]]
    assert "kubernetes_service_account_v1/kube-system/fleetform-deployer" in objects


def test_the_kubernetes_provider_authenticated_with_a_token_from_aws_eks_get_token(applied):
    ws, _ = applied
    cloud = ws.cloud()
    assert cloud["exec"] and all(run[:3] == ["aws", "eks", "get-token"] and run[-1] == 0
                                 for run in cloud["exec"])
    calls = [e for e in cloud["log"] if e[1] == NAME]
    assert calls and all(e[0] == "ok" and e[3] == cloud_aws.DEPLOYER_ROLE_ARN for e in calls)


# --- twenty minutes later: the token in the last run has expired ----------------------------

def test_a_plan_twenty_minutes_later_changes_nothing_and_authenticates_afresh(
        applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.advance_clock(TWENTY_MINUTES)
    runs_before = len(ws.cloud()["exec"])

    result = ws.plan(STACK, "-detailed-exitcode")

    assert result.returncode == 0, result.output[-6000:]
    plan = ws.plan_json(STACK)
    assert changes(plan) == {} and deferred_reads(plan) == []
    cloud = ws.cloud()
    assert len(cloud["exec"]) == runs_before + 1  # the provider ran the plugin again
    refreshed = [e for e in cloud["log"] if e[2].startswith("GET ")][-1]
    assert refreshed[0] == "ok" and refreshed[3] == cloud_aws.DEPLOYER_ROLE_ARN


def test_a_token_is_refused_once_fifteen_minutes_old(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    token = _get_token(ws, ws.env)
    config = _kube_config(ws, token)

    with clouds.opened(ws.cloud_file) as cloud:
        assert clouds.kube_api(cloud, config, "GET /version")
        cloud["now"] += cloud_aws.EKS_TOKEN_LIFETIME
        with pytest.raises(clouds.ApiError, match=r"^GET /version: Unauthorized$"):
            clouds.kube_api(cloud, config, "GET /version")
        assert cloud["log"][-1][0] == "expired"


# --- principals without access -------------------------------------------------------------

def test_a_principal_without_an_access_entry_is_refused_by_the_kubernetes_api(
        applied, tmp_path):
    ws = _copy(applied, tmp_path)
    intruder = ws.aws_user_env("intruder")

    result = ws.plan(STACK, env=intruder)

    assert result.returncode != 0
    assert f"GET /{SERVICE_ACCOUNT.replace('.deployer', '')}" in result.output or \
        "Unauthorized" in result.output, result.output[-4000:]
    assert "Unauthorized" in result.output
    last = ws.cloud()["log"][-1]
    assert last[:2] == ["unauthorized", NAME]
    assert last[3] == f"arn:aws:iam::{cloud_aws.ACCOUNT}:user/intruder"


def test_an_access_entry_without_an_admin_policy_is_forbidden(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    viewer = ws.aws_user_env("viewer")
    viewer_arn = f"arn:aws:iam::{cloud_aws.ACCOUNT}:user/viewer"
    ws.grant_eks_access(NAME, viewer_arn, policy=None)
    config = _kube_config(ws, _get_token(ws, _environment(ws.env, viewer)))

    with clouds.opened(ws.cloud_file) as cloud:
        with pytest.raises(clouds.ApiError, match='Forbidden: User "arn:aws:iam::111122223333:'
                                                  'user/viewer" cannot get'):
            clouds.kube_api(cloud, config, "GET /api/v1/namespaces")
    ws.grant_eks_access(NAME, viewer_arn, policy="AmazonEKSViewPolicy")
    with clouds.opened(ws.cloud_file) as cloud:
        clouds.kube_api(cloud, config, "GET /api/v1/namespaces")
        with pytest.raises(clouds.ApiError, match="Forbidden"):
            clouds.kube_api(cloud, config, "POST /apis/kubernetes_service_account_v1")


def test_a_token_for_another_cluster_is_refused(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    config = _kube_config(ws, _get_token(ws, ws.env, cluster="another-cluster"))

    with clouds.opened(ws.cloud_file) as cloud:
        with pytest.raises(clouds.ApiError, match="Unauthorized"):
            clouds.kube_api(cloud, config, "GET /version")


# --- no credentials ------------------------------------------------------------------------

def test_without_aws_credentials_the_plan_fails_with_the_providers_message(applied, tmp_path):
    ws = _copy(applied, tmp_path)

    result = ws.plan(STACK, env=NO_AWS_CREDENTIALS)

    assert result.returncode != 0
    message = _one_line(result)
    assert "Error: No valid credential sources found" in message, message
    assert "Please see https://registry.terraform.io/providers/hashicorp/aws for more " \
           "information about providing credentials." in message


# --- what the provider plans: in-place updates and replacements ----------------------------

def test_a_version_upgrade_updates_cluster_and_node_group_in_place(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, eks_stack(version="1.34"))

    ws.plan(STACK).check()
    plan = ws.plan_json(STACK)

    assert changes(plan) == {"aws_eks_cluster.cluster": ["update"],
                             "aws_eks_node_group.pool-default": ["update"]}
    after = next(c["change"] for c in plan["resource_changes"]
                 if c["address"] == "aws_eks_cluster.cluster")
    # endpoint and CA stay known: the providers on the cluster keep working in this plan
    assert after["after"]["endpoint"] == ws.eks_cluster(NAME)["endpoint"]
    assert after["after"]["certificate_authority"][0]["data"] == ws.eks_cluster(NAME)["ca"]
    assert deferred_reads(plan) == []
    ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan").check()
    assert ws.eks_cluster(NAME)["version"] == "1.34"
    (group,) = ws.cloud()["aws"]["nodegroups"].values()
    assert group["version"] == "1.34" and group["release_version"].startswith("1.34.")


def test_node_group_instance_types_replace_and_an_unknown_one_is_refused(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, eks_stack(instance_types=("m6i.huge",), labels={"pool": "big"}))

    ws.plan(STACK).check()
    assert changes(ws.plan_json(STACK)) == {
        "aws_eks_node_group.pool-default": ["delete", "create"]}
    result = ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan")

    assert result.returncode != 0
    assert "creating EKS Node Group (edge-eks:default): operation error EKS: " \
           "CreateNodegroup, https response error StatusCode: 400" in _one_line(result)
    assert "InvalidParameterException: The following supplied instance types do not " \
           "exist: [m6i.huge]" in _one_line(result)


# --- the fake aws CLI alone ----------------------------------------------------------------

def _get_token(ws: Workspace, env: dict, cluster: str = NAME) -> str:
    proc = _aws(ws, env, "eks", "get-token", "--cluster-name", cluster, "--region", REGION,
                "--output", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["status"]["token"]


def _aws(ws: Workspace, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["aws", *args], env=_environment(env), capture_output=True,
                          text=True, timeout=60)


def _kube_config(ws: Workspace, token: str) -> dict:
    cluster = ws.eks_cluster(NAME)
    return {"host": cluster["endpoint"], "cluster_ca_certificate": cluster["ca_pem"],
            "token": token}


def test_aws_eks_get_token_prints_an_exec_credential_valid_14_minutes(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    proc = _aws(ws, ws.env, "eks", "get-token", "--cluster-name", NAME, "--region", REGION)

    credential = json.loads(proc.stdout)
    assert credential["kind"] == "ExecCredential"
    assert credential["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert credential["status"]["expirationTimestamp"] == \
        cloud_aws.iso(ws.cloud()["now"], 14 * 60)
    claims = cloud_aws.decode_eks_token(credential["status"]["token"])
    assert claims["host"] == f"sts.{REGION}.amazonaws.com"
    assert claims["issued"] == ws.cloud()["now"]
    assert claims["access_key"].startswith("ASIA")  # the assumed role's session


def test_aws_without_credentials_fails_as_the_cli_does(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    proc = _aws(ws, _environment(ws.env, NO_AWS_CREDENTIALS), "eks", "get-token",
                "--cluster-name", NAME, "--region", REGION)

    assert proc.returncode == 255
    assert proc.stdout == ""
    assert "Unable to locate credentials. You can configure credentials by running " \
           '"aws configure".' in proc.stderr


def test_aws_refuses_what_it_does_not_model(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    proc = _aws(ws, ws.env, "eks", "describe-cluster", "--name", NAME)

    assert proc.returncode == 252
    assert "only `aws eks get-token" in proc.stderr


def test_a_failing_exec_plugin_fails_as_client_go_does(applied, tmp_path):
    # The exec env (over the process env) points the CLI at a role that does not exist.
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, eks_stack(exec_env={
        "AWS_ROLE_ARN": f"arn:aws:iam::{cloud_aws.ACCOUNT}:role/nobody"}))

    result = ws.plan(STACK)

    assert result.returncode != 0
    message = _one_line(result)
    assert "getting credentials: exec: executable aws failed with exit code 255" in message, \
        message
    assert "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity " \
           "operation: Not authorized to perform sts:AssumeRoleWithWebIdentity" in message


def test_a_role_the_provider_cannot_assume_fails_the_plan(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    result = ws.plan(STACK, env={"AWS_ROLE_ARN": f"arn:aws:iam::{cloud_aws.ACCOUNT}:role/nobody"})

    assert result.returncode != 0
    assert "Cannot assume IAM Role with web identity" in _one_line(result)
