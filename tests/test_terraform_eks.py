"""Real Terraform plans and applies EKS clusters' stacks, synthesized by the app.

As ``test_terraform_lifecycle.py`` does for DOKS: fleets are written as
``cluster.yaml`` files in a temporary directory, synthesized by the real app,
and the ``terraform`` binary runs ``init``, ``plan -input=false`` and ``apply``
offline against the stand-in providers (``tests/terraform/``). The fake AWS
account answers the aws provider; the Kubernetes, Helm and Argo CD providers of
an EKS cluster get their tokens from the fake ``aws eks get-token`` through
their exec plugins (tokens live 15 minutes on the cloud's clock), and the fake
EKS lets in only principals with an access entry. Credentials are the GitLab
pipeline's by default (the ``fleetform-deployer`` role, through a web identity).

Two fleets are applied once per module from empty state and copied by the tests
that change them: a DOKS management cluster with the README's EKS worker, and a
management cluster on EKS.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))

import cloud_aws  # noqa: E402
from harness import (Workspace, attached_providers,  # noqa: E402
                     changes, deferred_reads)
from support.terraform_fleet import (  # noqa: F401 (terraform_available: a fixture)
    Deployed, deploy, calls_since as _calls_since, doks_id as _doks_id, managed as _managed,
    one_line as _one_line, replaced as _replaced, synth_fleet as _synth, terraform_available)

MGMT, WORKER = "mgmt", "eks-production"
EKS_MGMT = "eks-mgmt"
REGION = "eu-west-1"
OPERATOR = "operator"
OPERATOR_ARN = f"arn:aws:iam::{cloud_aws.ACCOUNT}:user/{OPERATOR}"
DEPLOYER = cloud_aws.DEPLOYER_ROLE_ARN
ONE_DAY = 24 * 3600

MANAGEMENT_YAML = """
    role: management
    region: fra1
    kubernetes_version: "1.33"
    node_pools: [{name: default, size: s-4vcpu-8gb, autoscale: {min_nodes: 2, max_nodes: 4}}]
    labels: [global, management]
    argocd:
      hostname: argocd.example.com
      repositories:
        global: {url: "https://gitlab.com/acme/apps.git", path: global}
        management: {url: "https://gitlab.com/acme/apps.git", path: management}
        production: {url: "https://gitlab.com/acme/apps.git", path: production}
"""
#: The README's EKS worker ("A production cluster in another cloud"), with an operator
#: who plans too listed in aws.admin_principal_arns.
WORKER_YAML = f"""
    cloud: aws
    role: worker
    region: {REGION}
    kubernetes_version: "1.33"
    node_pools:
      - name: default
        size: m6i.large
        autoscale: {{min_nodes: 2, max_nodes: 5}}
      - name: batch
        size: c6i.xlarge
        count: 1
        labels: {{workload: batch}}
        taints: [{{key: workload, value: batch, effect: NoSchedule}}]
    labels: [global, production]
    tags: [fleetform, production]
    aws:
      admin_principal_arns: ["{OPERATOR_ARN}"]
"""
EKS_MANAGEMENT_YAML = """
    cloud: aws
    role: management
    region: eu-central-1
    kubernetes_version: "1.33"
    node_pools: [{name: default, size: m6i.xlarge, autoscale: {min_nodes: 2, max_nodes: 4}}]
    labels: [global, management]
    tags: [fleetform]
    argocd:
      hostname: argocd.eks.example.com
      repositories:
        global: {url: "https://gitlab.com/acme/apps.git", path: global}
        management: {url: "https://gitlab.com/acme/apps.git", path: management}
"""


def _fleet(worker: str = WORKER_YAML) -> dict[str, str]:
    return {MGMT: MANAGEMENT_YAML, WORKER: worker}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, terraform_available) -> Deployed:
    # The operator exists in IAM before the apply.
    return deploy(tmp_path_factory.mktemp("eks-worker"), _fleet(), MGMT, WORKER,
                  prepare=lambda ws: ws.aws_profile_env("ops", user=OPERATOR))


@pytest.fixture(scope="module")
def eks_management(tmp_path_factory, terraform_available):
    """The management cluster on EKS, applied from empty state: (workspace, apply)."""
    tmp = tmp_path_factory.mktemp("eks-management")
    (document,) = _synth(tmp, {EKS_MGMT: EKS_MANAGEMENT_YAML}).values()
    ws = Workspace(tmp / "ws")
    ws.put_stack(EKS_MGMT, document)
    ws.init(EKS_MGMT)
    result = ws.apply(EKS_MGMT)
    result.check()
    return ws, result


def _argocd(ws: Workspace, cluster_id: str) -> dict:
    return ws.cloud()["argocd"][cluster_id]


def _node_groups(ws: Workspace, cluster: str) -> dict[str, dict]:
    return {g["name"]: g for g in ws.cloud()["aws"]["nodegroups"].values()
            if g["cluster"] == cluster}


# --- 1. a DOKS management cluster and an EKS worker, from empty state -----------------------

def test_the_eks_worker_applies_from_empty_state_as_the_pipelines_role(deployed):
    ws = deployed.workspace
    assert "Apply complete! Resources: 18 added, 0 changed, 0 destroyed." in \
        deployed.worker_apply.stdout
    cluster = ws.eks_cluster(WORKER)
    assert (cluster["region"], cluster["version"]) == (REGION, "1.33")
    assert cluster["authentication_mode"] == "API"
    # The runner (the role behind the pipeline's session) and the listed operator are
    # admins; nobody else (no bootstrap entry for the creator).
    admin = cloud_aws.ACCESS_POLICY_PREFIX + "AmazonEKSClusterAdminPolicy"
    assert {p: list(e["policies"]) for p, e in cluster["access_entries"].items()} == \
        {DEPLOYER: [admin], OPERATOR_ARN: [admin]}
    assert cluster["tags"] == {"fleetform": "", "production": ""}


def test_each_pool_is_a_managed_node_group(deployed):
    groups = _node_groups(deployed.workspace, WORKER)

    assert set(groups) == {"default", "batch"}
    default, batch = groups["default"], groups["batch"]
    assert default["instance_types"] == ["m6i.large"]
    assert default["scaling"] == {"desired_size": 2, "min_size": 2, "max_size": 5}
    assert (default["labels"], default["taints"]) == ({}, [])
    assert batch["instance_types"] == ["c6i.xlarge"]
    assert batch["scaling"] == {"desired_size": 1, "min_size": 1, "max_size": 1}
    assert batch["labels"] == {"workload": "batch"}
    assert batch["taints"] == [{"key": "workload", "value": "batch", "effect": "NO_SCHEDULE"}]
    assert default["version"] == batch["version"] == "1.33"
    assert default["tags"] == batch["tags"] == {"fleetform": "", "production": ""}


def test_the_eks_worker_registers_in_the_management_argocd_with_its_labels(deployed):
    ws = deployed.workspace
    cluster = ws.eks_cluster(WORKER)
    (registration,) = _argocd(ws, _doks_id(ws, MGMT))["clusters"].values()

    assert registration["name"] == WORKER
    assert registration["server"] == cluster["endpoint"]
    assert registration["labels"] == {"global": "true", "production": "true"}
    # Argo CD keeps the argocd-manager ServiceAccount's token and the cluster's CA,
    # never an EKS token (which would be dead 15 minutes later).
    token = registration["bearer_token"]
    assert token.startswith("sa-") and not token.startswith(cloud_aws.EKS_TOKEN_PREFIX)
    secret = ws.cloud()["objects"][cluster["id"]][
        "kubernetes_secret_v1/kube-system/argocd-manager-token"]
    assert token == secret["data"]["token"]
    assert registration["ca_data"] == cluster["ca_pem"]
    assert deployed.token not in json.dumps(registration)


def test_the_worker_stack_reached_the_cluster_with_tokens_from_aws_eks_get_token(deployed):
    cloud = deployed.workspace.cloud()
    calls = [entry for entry in cloud["log"] if entry[1] == WORKER]

    assert {entry[2] for entry in calls} >= {
        "POST /apis/kubernetes_service_account_v1", "POST /apis/kubernetes_secret_v1",
        "POST /apis/kubernetes_cluster_role_v1", "POST /apis/kubernetes_cluster_role_binding_v1"}
    assert all(entry[0] == "ok" and entry[3] == DEPLOYER for entry in calls), calls
    runs = [run for run in cloud["exec"] if "get-token" in run]
    assert runs and all(run[:-1] == ["aws", "eks", "get-token", "--cluster-name", WORKER,
                                     "--region", REGION, "--output", "json"] and run[-1] == 0
                        for run in runs), runs


# --- 2. the management cluster on EKS -------------------------------------------------------

def test_argocd_installs_on_an_eks_management_cluster_through_the_exec_plugin(eks_management):
    ws, result = eks_management
    cloud = ws.cloud()
    cluster = ws.eks_cluster(EKS_MGMT)

    assert "Apply complete!" in result.stdout
    assert set(cloud["releases"][cluster["id"]]) == {"argocd/argocd", "argocd/argocd-apps"}
    assert cloud["argocd"][cluster["id"]]["hostname"] == "argocd.eks.example.com"
    calls = [entry for entry in cloud["log"] if entry[1] == EKS_MGMT]
    # helm's, kubernetes' and argocd's (port-forward) clients, each with the plugin's token
    assert {"helm install argocd", "helm install argocd-apps",
            "POST /apis/kubernetes_secret_v1",
            "port-forward to argocd-server in argocd"} <= {entry[2] for entry in calls}
    assert all(entry[0] == "ok" and entry[3] == DEPLOYER for entry in calls), calls
    assert cloud["exec"] and all(run[:5] == ["aws", "eks", "get-token", "--cluster-name",
                                             EKS_MGMT] and run[-1] == 0
                                 for run in cloud["exec"])


def test_an_eks_management_clusters_outputs_are_a_doks_ones(eks_management, deployed):
    ws, result = eks_management
    outputs = ws.outputs(EKS_MGMT)
    doks = deployed.workspace.outputs(MGMT)

    assert set(outputs) == set(doks) == {"admin_password", "automation_user_token",
                                         "argocd_url", "endpoint", "kubeconfig"}
    for name in ("admin_password", "automation_user_token"):
        assert outputs[name]["sensitive"] is True, name
        assert outputs[name]["value"], name
        assert outputs[name]["value"] not in result.output, name
    assert outputs["argocd_url"]["value"] == "https://argocd.eks.example.com"
    cluster = ws.eks_cluster(EKS_MGMT)
    instance = ws.cloud()["argocd"][cluster["id"]]
    assert instance["tokens"][outputs["automation_user_token"]["value"]] == "automation"
    assert outputs["endpoint"]["value"] == cluster["endpoint"]
    # EKS' kubeconfig holds no secret (DOKS' does, so it is sensitive there)
    kubeconfig = json.loads(outputs["kubeconfig"]["value"])
    (user,) = kubeconfig["users"]
    assert list(user["user"]) == ["exec"]
    assert user["user"]["exec"]["args"][:2] == ["eks", "get-token"]


# --- 3. routine changes on the applied EKS worker -------------------------------------------

ROUTINE = {
    # a fixed pool's count
    "count": (WORKER_YAML.replace("count: 1", "count: 3"), {"aws_eks_node_group": ["batch"]}),
    # a tag (on every resource that takes tags)
    "tag": (WORKER_YAML.replace("tags: [fleetform, production]",
                                "tags: [fleetform, production, team-payments]"),
            {"aws_eks_cluster": None, "aws_eks_node_group": ["batch", "default"],
             "aws_iam_role": None}),
    # a Kubernetes version bump (EKS offers 1.34): the nodes follow the control plane
    "version": (WORKER_YAML.replace('kubernetes_version: "1.33"', 'kubernetes_version: "1.34"'),
                {"aws_eks_cluster": None, "aws_eks_node_group": ["batch", "default"]}),
}
#: Resource types a routine change must never replace.
KEPT = ("aws_eks_cluster", "aws_eks_node_group", "aws_eks_access_entry",
        "aws_eks_access_policy_association", "aws_iam_role", "kubernetes_service_account_v1",
        "kubernetes_secret_v1", "kubernetes_cluster_role_v1",
        "kubernetes_cluster_role_binding_v1", "argocd_cluster")


@pytest.mark.parametrize("change", list(ROUTINE))
def test_a_routine_change_authenticates_at_plan_time_and_replaces_nothing(
        deployed, tmp_path, change):
    ws = deployed.copy(tmp_path)
    text, updated_types = ROUTINE[change]
    ws.put_stack(WORKER, _synth(tmp_path / "resynth", _fleet(text), names=[WORKER])[WORKER])
    start = len(ws.cloud()["log"])

    result = ws.plan(WORKER, env=deployed.env)
    result.check()
    plan = ws.plan_json(WORKER, env=deployed.env)

    held = _managed(plan)
    assert _replaced(plan) == []
    for kind in KEPT:
        found = [a for a in held if a.startswith(f"{kind}.")]
        assert found and all(held[a] in (["no-op"], ["update"]) for a in found), (kind, held)
    expected = set()
    for kind, names in updated_types.items():
        expected |= {c["address"] for c in plan["resource_changes"] if c["type"] == kind
                     and (names is None or c["change"]["after"]["node_group_name"] in names)}
    assert changes(plan) == {address: ["update"] for address in expected}
    # The Kubernetes and Argo CD providers were configured at plan time (the endpoint, CA
    # and the plugin's arguments known) and refreshed what is on the cluster with a token
    # from the plugin.
    assert deferred_reads(plan) == []
    assert "will be read during apply" not in result.output
    refreshed = _calls_since(ws, start, WORKER)
    assert {e[2] for e in refreshed} == {
        "GET /kubernetes_service_account_v1/kube-system/argocd-manager",
        "GET /kubernetes_secret_v1/kube-system/argocd-manager-token",
        "GET /kubernetes_cluster_role_v1//argocd-manager-role",
        "GET /kubernetes_cluster_role_binding_v1//argocd-manager-role-binding"}
    assert all(e[0] == "ok" and e[3] == DEPLOYER for e in refreshed), refreshed

    ws.run(WORKER, "apply", "-input=false", "-no-color", "tfplan", env=deployed.env).check()
    cluster, groups = ws.eks_cluster(WORKER), _node_groups(ws, WORKER)
    if change == "count":
        assert groups["batch"]["scaling"] == {"desired_size": 3, "min_size": 3, "max_size": 3}
    elif change == "tag":
        tags = {"fleetform": "", "production": "", "team-payments": ""}
        assert cluster["tags"] == groups["default"]["tags"] == groups["batch"]["tags"] == tags
    else:
        assert cluster["version"] == "1.34"
        assert {g["version"] for g in groups.values()} == {"1.34"}
    # Argo CD still reaches the cluster where it was registered
    (registration,) = _argocd(ws, _doks_id(ws, MGMT))["clusters"].values()
    assert registration["server"] == cluster["endpoint"]


# --- 4. a day after the last apply ----------------------------------------------------------

@pytest.mark.parametrize("stack", [WORKER, EKS_MGMT])
def test_a_plan_a_day_after_the_last_apply_authenticates_afresh(
        request, tmp_path, stack):
    if stack == WORKER:
        deployed = request.getfixturevalue("deployed")
        ws, env = deployed.copy(tmp_path), deployed.env
    else:
        ws, env = request.getfixturevalue("eks_management")[0].copy(tmp_path / "ws"), None
    ws.advance_clock(ONE_DAY)
    start, runs = len(ws.cloud()["log"]), len(ws.cloud()["exec"])

    result = ws.plan(stack, "-detailed-exitcode", env=env)

    assert result.returncode == 0, result.output[-6000:]  # 0: no changes (2: some)
    assert "No changes." in result.stdout
    cloud = ws.cloud()
    fresh = cloud["exec"][runs:]
    assert fresh and all(run[:3] == ["aws", "eks", "get-token"] and run[-1] == 0
                         for run in fresh)
    # The fake EKS refuses a token 15 minutes old: these calls had new ones.
    calls = _calls_since(ws, start, stack)
    assert calls and all(e[0] == "ok" and e[3] == DEPLOYER for e in calls), calls
    assert [e for e in cloud["log"][start:] if e[0] != "ok"] == []


# --- 5. terraform validate: a mixed fleet using every EKS option ----------------------------

EVERY_OPTION = {
    "eks-edge": {
        "cloud": "aws", "role": "worker", "region": "us-east-1",
        "kubernetes_version": "1.32",
        "node_pools": [
            {"name": "default", "size": "m7g.large",
             "autoscale": {"min_nodes": 1, "max_nodes": 6}},
            {"name": "batch", "size": "c6i.2xlarge", "count": 2,
             "labels": {"workload": "batch", "team": "data"},
             "taints": [{"key": "workload", "value": "batch", "effect": "NoSchedule"},
                        {"key": "spot", "effect": "PreferNoSchedule"}],
             "tags": ["batch"]},
            {"name": "gpu", "size": "g5.xlarge", "autoscale": {"min_nodes": 1, "max_nodes": 2},
             "taints": [{"key": "nvidia.com/gpu", "effect": "NoExecute"}]}],
        "labels": {"global": "true", "edge": "true"},
        "tags": ["fleetform", "edge"],
        "prevent_destroy": True,
        "argocd": {"server": "argocd.internal.example.com:8443", "grpc_web": False},
        "aws": {
            "subnet_ids": ["subnet-0abc1234", "subnet-0def5678"],
            "endpoint_public_access": True, "endpoint_private_access": True,
            "public_access_cidrs": ["203.0.113.0/24", "198.51.100.7/32"],
            "admin_principal_arns": [f"arn:aws:iam::{cloud_aws.ACCOUNT}:role/platform-admin",
                                     OPERATOR_ARN]},
    },
    "eks-private": {
        "cloud": "aws", "role": "worker", "region": "eu-west-1", "kubernetes_version": "1.33",
        "node_pools": [{"name": "default", "size": "t3.large", "count": 3}],
        "labels": ["global"],
        "aws": {"subnet_ids": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210",
                               "subnet-00aa11bb22cc33dd4"],
                "endpoint_public_access": False, "endpoint_private_access": True},
    },
    "doks-edge": {
        "role": "worker", "region": "ams3", "kubernetes_version": "1.33",
        "node_pools": [{"name": "default", "size": "s-2vcpu-4gb", "count": 2}],
        "labels": ["global", "edge"],
    },
}


def test_every_stack_of_a_mixed_fleet_with_every_eks_option_passes_validate(
        terraform_available, tmp_path):
    management = MANAGEMENT_YAML.replace(
        "production: {url", "edge: {url: \"https://gitlab.com/acme/apps.git\", path: edge}\n"
        "        production: {url")
    fleet = {MGMT: management, WORKER: WORKER_YAML,
             **{name: yaml.safe_dump(spec, sort_keys=False)
                for name, spec in EVERY_OPTION.items()}}
    stacks = _synth(tmp_path, fleet)
    assert set(stacks) == {MGMT, WORKER, *EVERY_OPTION}
    edge = stacks["eks-edge"]["resource"]
    (cluster,) = edge["aws_eks_cluster"].values()
    assert cluster["lifecycle"]["prevent_destroy"] is True
    assert cluster["vpc_config"]["public_access_cidrs"] == ["203.0.113.0/24",
                                                            "198.51.100.7/32"]
    assert len(edge["aws_eks_access_entry"]) == 3  # the runner and two listed principals
    ws = Workspace(tmp_path / "ws")

    problems = {}
    with attached_providers(ws) as attach:
        for name, document in stacks.items():
            ws.put_stack(name, document)
            init = ws.run(name, "init", "-input=false", "-no-color", "-backend=false",
                          env=attach)
            if init.returncode:
                problems[name] = init.output[-3000:]
                continue
            report = json.loads(ws.run(name, "validate", "-no-color", "-json",
                                       env=attach).stdout)
            found = [f"{d['severity']}: {d['summary']}: {d.get('detail', '')}"
                     for d in report["diagnostics"]]
            if not report["valid"] or found:
                problems[name] = "\n".join(found)

    assert problems == {}


# --- 6. a version EKS does not offer ----------------------------------------------------------

def test_an_eks_version_eks_does_not_offer_fails_the_plan_naming_the_versions(
        terraform_available, tmp_path):
    stacks = _synth(tmp_path, _fleet(WORKER_YAML.replace('kubernetes_version: "1.33"',
                                                         'kubernetes_version: "1.99"')),
                    names=[WORKER])
    ws = Workspace(tmp_path / "ws")
    ws.put_stack(WORKER, stacks[WORKER])
    ws.init(WORKER)
    calls = len(ws.aws_calls())

    result = ws.plan(WORKER, env={"TF_VAR_argocd_auth_token": "token"})

    assert result.returncode != 0
    message = _one_line(result)
    assert message.count("Error:") == 1, message
    assert message.count("Resource precondition failed") == 1, message
    assert (f'Cluster {WORKER}: kubernetes_version "1.99" is not a version EKS offers '
            "(1.34, 1.33, 1.32, 1.31, 1.30).") in message, message
    cloud = ws.cloud()
    assert cloud_aws.eks_clusters(cloud) == [] and cloud["aws"]["nodegroups"] == {}
    assert set(cloud["aws"]["roles"]) == {cloud_aws.DEPLOYER_ROLE}
    made = [c for c in ws.aws_calls()[calls:] if c[0].split(":")[-1].startswith(
        ("Create", "Attach", "Associate"))]
    assert made == []


# --- 7. another identity plans after the pipeline's apply -----------------------------------

def test_a_plan_by_a_listed_operator_keeps_the_pipelines_access_and_authenticates(
        deployed, tmp_path):
    ws = deployed.copy(tmp_path)
    operator = {**ws.aws_profile_env("ops", user=OPERATOR), **deployed.env}
    start, calls = len(ws.cloud()["log"]), len(ws.aws_calls())

    result = ws.plan(WORKER, "-detailed-exitcode", env=operator)

    assert result.returncode == 0, result.output[-6000:]
    plan = ws.plan_json(WORKER, env=operator)
    assert changes(plan) == {}
    # The runner's access entry is the pipeline's still (ignore_changes on principal_arn):
    # replacing it would lock the pipeline out.
    (runner,) = [c for c in plan["resource_changes"]
                 if c["address"].startswith("aws_eks_access_entry.eks_admin_")]
    assert runner["change"]["actions"] == ["no-op"]
    assert runner["change"]["after"]["principal_arn"] == DEPLOYER
    assert set(ws.eks_cluster(WORKER)["access_entries"]) == {DEPLOYER, OPERATOR_ARN}
    # Who called: the operator, for AWS and (through its own access entry) Kubernetes.
    assert {c[1] for c in ws.aws_calls()[calls:]} == {OPERATOR_ARN}
    refreshed = _calls_since(ws, start, WORKER)
    assert refreshed and all(e[0] == "ok" and e[3] == OPERATOR_ARN for e in refreshed), \
        refreshed
