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


def _role_policy(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service},
        "Action": ["sts:AssumeRole", "sts:TagSession"]}]})


def _attachment(role: str, policy: str) -> dict:
    partition = "${data.aws_partition.partition.partition}"
    return {"role": f"${{aws_iam_role.{role}.name}}",
            "policy_arn": f"arn:{partition}:iam::aws:policy/{policy}"}


NODE_POLICIES = {"node-worker": "AmazonEKSWorkerNodePolicy", "node-cni": "AmazonEKS_CNI_Policy",
                 "node-ecr": "AmazonEC2ContainerRegistryReadOnly"}


def eks_stack(version: str = "1.33", instance_types: tuple = ("m6i.large",),
              desired: int = 2, max_size: int = 4, labels: dict | None = None,
              taint_effect: str = "NO_SCHEDULE", exec_env: dict | None = None) -> dict:
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
                "scaling_config": [{"desired_size": desired, "min_size": 2,
                                    "max_size": max_size}],
                "labels": labels if labels is not None else {"pool": "default"},
                "taint": [{"key": "dedicated", "value": "edge", "effect": taint_effect}],
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
    assert "Error: GET /kubernetes_service_account_v1/kube-system/fleetform-deployer: " \
           "Unauthorized" in result.output, result.output[-4000:]
    assert "aws_eks_access_entry.admin must be replaced" in result.output  # whoever plans
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


def test_node_group_scaling_labels_and_taints_update_in_place(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, eks_stack(desired=3, max_size=6, labels={"pool": "edge"},
                                  taint_effect="NO_EXECUTE"))

    ws.plan(STACK).check()
    assert changes(ws.plan_json(STACK)) == {"aws_eks_node_group.pool-default": ["update"]}
    ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan").check()

    (group,) = ws.cloud()["aws"]["nodegroups"].values()
    # desired_size is in ignore_changes: the autoscaler's, not the configuration's
    assert group["scaling"] == {"desired_size": 2, "max_size": 6, "min_size": 2}
    assert group["labels"] == {"pool": "edge"}
    assert group["taints"] == [{"key": "dedicated", "value": "edge", "effect": "NO_EXECUTE"}]


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


def test_aws_takes_keys_of_a_profile_and_eks_knows_the_user(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    env = _environment(ws.env, ws.aws_profile_env("ops", user="operator"))
    operator = f"arn:aws:iam::{cloud_aws.ACCOUNT}:user/operator"
    config = _kube_config(ws, _get_token(ws, env))

    with clouds.opened(ws.cloud_file) as cloud:
        with pytest.raises(clouds.ApiError, match="Unauthorized"):
            clouds.kube_api(cloud, config, "GET /version")
    ws.grant_eks_access(NAME, operator)
    with clouds.opened(ws.cloud_file) as cloud:
        clouds.kube_api(cloud, config, "GET /version")
        assert cloud["log"][-1] == ["ok", NAME, "GET /version", operator]


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


# --- the behaviours alone (no Terraform) ----------------------------------------------------

@pytest.fixture
def bare(tmp_path, monkeypatch):
    """A new cloud, and this process's environment the pipeline's (as a provider's is)."""
    import kube_exec

    ws = Workspace(tmp_path / "ws")
    for name in cloud_aws.CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in _environment(ws.env).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(kube_exec, "_CACHE", {})
    return ws


def _behave(ws: Workspace, type_name: str, op: str, *args, region: str = REGION):
    import standin

    with clouds.opened(ws.cloud_file) as cloud:
        return standin.BEHAVIOUR[type_name][op](standin.Ctx(cloud, {"region": region}, "aws"),
                                                *args)


def _cluster(ws: Workspace, region: str, role_arn: str, version: str = "1.33") -> dict:
    subnets = [s["id"] for s in ws.cloud()["aws"]["subnets"][region]]
    return {"name": "probe", "region": region, "role_arn": role_arn, "version": version,
            "vpc_config": [{"subnet_ids": subnets}], "access_config": [], "tags": None}


def test_create_cluster_needs_the_role_its_policy_and_supported_zones(bare):
    ws = bare
    role_arn = f"arn:aws:iam::{cloud_aws.ACCOUNT}:role/probe-cluster"
    with pytest.raises(clouds.ApiError, match=f"creating EKS Cluster \\(probe\\): operation "
                       f"error EKS: CreateCluster, .*InvalidParameterException: roleArn, "
                       f"{role_arn}, does not exist"):
        _behave(ws, "aws_eks_cluster", "create", _cluster(ws, REGION, role_arn))
    with clouds.opened(ws.cloud_file) as cloud:
        cloud_aws.add_role(cloud, "probe-cluster", cloud_aws.trust_policy("eks.amazonaws.com"))
    with pytest.raises(clouds.ApiError, match="Please ensure the following policy is attached: "
                                              "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"):
        _behave(ws, "aws_eks_cluster", "create", _cluster(ws, REGION, role_arn))
    with clouds.opened(ws.cloud_file) as cloud:
        cloud["aws"]["roles"]["probe-cluster"]["attached"].append(
            "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")
    with pytest.raises(clouds.ApiError, match="unsupported Kubernetes version 1.29"):
        _behave(ws, "aws_eks_cluster", "create", _cluster(ws, REGION, role_arn, "1.29"))
    # us-east-1's default subnets include us-east-1e (use1-az3): no control plane there
    with pytest.raises(clouds.ApiError, match="UnsupportedAvailabilityZoneException: Cannot "
                       "create cluster 'probe' because EKS does not support creating control "
                       "plane instances in us-east-1e"):
        _behave(ws, "aws_eks_cluster", "create", _cluster(ws, "us-east-1", role_arn),
                region="us-east-1")
    created = _behave(ws, "aws_eks_cluster", "create", _cluster(ws, REGION, role_arn))
    assert created["endpoint"] == ws.eks_cluster("probe")["endpoint"]
    # no access_config: EKS's default gives the creator (the role, not its session) admin
    assert list(ws.eks_cluster("probe")["access_entries"]) == [cloud_aws.DEPLOYER_ROLE_ARN]


def test_a_role_name_prefix_past_38_characters_is_refused_at_validation():
    import standin_aws

    assert standin_aws.role_validate({"name_prefix": "edge-eks-nodes-"}) == []
    prefix = "a" * 30 + "-cluster-"  # the spec's "<name[:30]>-cluster-": 39 characters
    assert standin_aws.role_validate({"name_prefix": prefix}) == [
        f"expected length of name_prefix to be in the range (1 - 38), got {prefix}"]


def test_the_provider_refuses_a_region_aws_does_not_have(bare):
    import standin_aws

    with clouds.opened(bare.cloud_file) as cloud:
        with pytest.raises(clouds.ApiError, match="^Invalid AWS Region: eu-mars-1$"):
            standin_aws.configure(cloud, {"region": "eu-mars-1"})
        standin_aws.configure(cloud, {"region": "eu-west-1"})
        assert cloud["aws"]["calls"][-1][0] == "sts:GetCallerIdentity"


def test_session_context_maps_an_assumed_role_to_its_role(bare):
    session = f"arn:aws:sts::{cloud_aws.ACCOUNT}:assumed-role/{cloud_aws.DEPLOYER_ROLE}/s-1"
    out = _behave(bare, "aws_iam_session_context", "data", {"arn": session})
    assert (out["issuer_arn"], out["issuer_name"], out["session_name"]) == \
        (cloud_aws.DEPLOYER_ROLE_ARN, cloud_aws.DEPLOYER_ROLE, "s-1")
    user = f"arn:aws:iam::{cloud_aws.ACCOUNT}:user/someone"
    assert _behave(bare, "aws_iam_session_context", "data", {"arn": user})["issuer_arn"] == user
    me = _behave(bare, "aws_caller_identity", "data", {})
    assert me["arn"].startswith(f"arn:aws:sts::{cloud_aws.ACCOUNT}:assumed-role/"
                                f"{cloud_aws.DEPLOYER_ROLE}/")


def test_cluster_versions_lists_what_eks_offers(bare):
    def versions(**config):
        out = _behave(bare, "aws_eks_cluster_versions", "data", config)
        return [(v["cluster_version"], v["version_status"]) for v in out["cluster_versions"]]

    assert versions() == [("1.34", "STANDARD_SUPPORT"), ("1.33", "STANDARD_SUPPORT"),
                          ("1.32", "STANDARD_SUPPORT"), ("1.31", "EXTENDED_SUPPORT"),
                          ("1.30", "EXTENDED_SUPPORT")]
    assert versions(include_all=True)[-1] == ("1.29", "UNSUPPORTED")
    assert versions(default_only=True) == [("1.33", "STANDARD_SUPPORT")]
    assert [v for v, _ in versions(version_status="EXTENDED_SUPPORT")] == ["1.31", "1.30"]
    bare.add_eks_version("1.35")
    assert versions()[0] == ("1.35", "STANDARD_SUPPORT")


def test_default_vpc_and_subnets(bare):
    vpc = _behave(bare, "aws_vpc", "data", {"default": True})
    subnets = _behave(bare, "aws_subnets", "data", {"filter": [
        {"name": "vpc-id", "values": [vpc["id"]]},
        {"name": "default-for-az", "values": ["true"]}]})
    assert len(subnets["ids"]) == 3
    east = _behave(bare, "aws_subnets", "data", {"filter": [
        {"name": "default-for-az", "values": ["true"]}]}, region="us-east-1")
    assert len(east["ids"]) == 6
    vpc_id, ids = bare.add_aws_vpc(REGION)
    assert _behave(bare, "aws_subnets", "data", {"filter": [
        {"name": "vpc-id", "values": [vpc_id]}]})["ids"] == ids


@pytest.mark.parametrize("shape", ["kubernetes", "helm", "argocd"])
def test_each_providers_exec_shape_gets_a_token_from_aws(bare, shape):
    """kubernetes: an exec block; helm 3.x: kubernetes.exec object; argocd: kubernetes[0].exec."""
    ws = bare
    with clouds.opened(ws.cloud_file) as cloud:
        cluster = {"id": "eks-x", "kind": "eks", "name": "x", "region": REGION,
                   "endpoint": cloud_aws.new_endpoint(REGION), "ca_pem": "PEM",
                   "access_entries": {}}
        cloud["clusters"]["eks-x"] = cluster
    ws.grant_eks_access("x", cloud_aws.DEPLOYER_ROLE_ARN)
    plugin = {"api_version": "client.authentication.k8s.io/v1beta1", "command": "aws",
              "args": ["eks", "get-token", "--cluster-name", "x", "--region", REGION]}
    kube = {"host": cluster["endpoint"], "cluster_ca_certificate": "PEM"}
    config = {"kubernetes": dict(kube, exec=[plugin]), "helm": dict(kube, exec=plugin),
              "argocd": dict(kube, exec=[plugin])}[shape]

    with clouds.opened(ws.cloud_file) as cloud:
        assert clouds.kube_api(cloud, config, "GET /version") == "eks-x"
        assert cloud["log"][-1] == ["ok", "x", "GET /version", cloud_aws.DEPLOYER_ROLE_ARN]
        assert cloud["exec"][-1][:3] == ["aws", "eks", "get-token"]


def test_a_missing_exec_command_fails_as_client_go_does(bare):
    plugin = {"api_version": "client.authentication.k8s.io/v1beta1", "command": "no-such-aws"}
    with clouds.opened(bare.cloud_file) as cloud:
        cloud["clusters"]["eks-x"] = {"id": "eks-x", "kind": "eks", "name": "x",
                                      "endpoint": "https://X", "ca_pem": "PEM",
                                      "access_entries": {}}
        with pytest.raises(clouds.ApiError, match="^GET /version: getting credentials: exec: "
                                                  "executable no-such-aws not found"):
            clouds.kube_api(cloud, {"host": "https://X", "cluster_ca_certificate": "PEM",
                                    "exec": [plugin]}, "GET /version")
