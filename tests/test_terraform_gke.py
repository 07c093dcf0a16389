"""Real Terraform plans and applies GKE clusters' stacks, synthesized by the app.

As ``test_terraform_eks.py`` and ``test_terraform_aks.py`` do for EKS and AKS: fleets are
written as ``cluster.yaml`` files in a temporary directory, synthesized by the real app,
and the ``terraform`` binary runs ``init``, ``plan -input=false`` and ``apply`` offline
against the stand-in providers (``tests/terraform/``). The fake Google project answers the
google provider as the GitLab pipeline (workload identity federation impersonating the
deployer service account, ``cloud_google.workload_identity_env``, in ``Workspace.env``);
the Kubernetes, Helm and Argo CD providers of a GKE cluster get their tokens from the
fake ``gke-gcloud-auth-plugin`` through their exec plugins (one-hour OAuth tokens on the
cloud's clock), and the fake GKE lets in principals whose IAM roles on the project allow
the request.

Two fleets are applied once per module from empty state and copied by the tests that
change them: a DOKS management cluster with a GKE worker, and a management cluster on GKE.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))

import cloud_google  # noqa: E402
from harness import (Workspace, attached_providers,  # noqa: E402
                     changes, deferred_reads)
from support.terraform_fleet import (  # noqa: F401 (terraform_available: a fixture)
    Deployed, deploy, registration as _registered, calls_since as _calls_since,
    managed as _managed,
    of_type as _of_type, one_line as _one_line, replaced as _replaced, synth_fleet as _synth,
    terraform_available)

MGMT, WORKER = "mgmt", "gke-production"
GKE_MGMT = "gke-mgmt"
REGION = "europe-west1"
PROJECT = cloud_google.PROJECT
#: The IAM member the pipeline acts as (the impersonated deployer service account).
DEPLOYER = f"serviceAccount:{cloud_google.DEPLOYER_SA}"
PLUGIN_RUN = ["gke-gcloud-auth-plugin", "--use_application_default_credentials", 0]
TWO_HOURS, THIRTY_DAYS = 2 * 3600, 30 * 24 * 3600
#: What "1.33" and "1.34" resolve to (the newest patch GKE offers, cloud_google).
V133, V134 = "1.33.7-gke.1202000", "1.34.4-gke.1047000"
#: What GKE offers for masters in every location, newest first (cloud_google).
OFFERED = ", ".join(cloud_google.MASTER_VERSIONS)

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
#: A regional GKE worker: the default pool autoscaled, a further pool with a count, labels
#: and a taint, in the fake's project, without a release channel.
WORKER_YAML = f"""
    cloud: gcp
    role: worker
    region: {REGION}
    kubernetes_version: "1.33"
    node_pools:
      - name: default
        size: e2-standard-4
        autoscale: {{min_nodes: 1, max_nodes: 3}}
      - name: batch
        size: c3-standard-4
        count: 1
        labels: {{workload: batch}}
        taints: [{{key: workload, value: batch, effect: NoSchedule}}]
    labels: [global, production]
    tags: [fleetform, production]
    gcp:
      project: {PROJECT}
"""
GKE_MANAGEMENT_YAML = f"""
    cloud: gcp
    role: management
    region: europe-west4
    kubernetes_version: "1.33"
    node_pools: [{{name: system, size: e2-standard-4, autoscale: {{min_nodes: 1, max_nodes: 3}}}}]
    labels: [global, management]
    tags: [fleetform]
    gcp:
      project: {PROJECT}
    argocd:
      hostname: argocd.gke.example.com
      repositories:
        global: {{url: "https://gitlab.com/acme/apps.git", path: global}}
        management: {{url: "https://gitlab.com/acme/apps.git", path: management}}
"""


def _fleet(worker: str = WORKER_YAML) -> dict[str, str]:
    return {MGMT: MANAGEMENT_YAML, WORKER: worker}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, terraform_available) -> Deployed:
    return deploy(tmp_path_factory.mktemp("gke-worker"), _fleet(), MGMT, WORKER)


@pytest.fixture(scope="module")
def gke_management(tmp_path_factory, terraform_available):
    """The management cluster on GKE, applied from empty state: (workspace, apply)."""
    tmp = tmp_path_factory.mktemp("gke-management")
    (document,) = _synth(tmp, {GKE_MGMT: GKE_MANAGEMENT_YAML}).values()
    ws = Workspace(tmp / "ws")
    ws.put_stack(GKE_MGMT, document)
    ws.init(GKE_MGMT)
    result = ws.apply(GKE_MGMT)
    result.check()
    return ws, result


def _gke(ws: Workspace, name: str) -> dict:
    found = [c for c in cloud_google.gke_clusters(ws.cloud()) if c["name"] == name]
    assert len(found) == 1, f"{len(found)} GKE clusters named {name}"
    return found[0]


def _pools(ws: Workspace, name: str) -> dict[str, dict]:
    cluster = _gke(ws, name)
    return {p["name"]: p for p in ws.cloud()["google"]["node_pools"].values()
            if p["cluster_id"] == cluster["id"]}


def _google_ok(calls: list) -> None:
    """Every Google API call was the pipeline's service account's, and allowed."""
    assert calls and all(c[1] == DEPLOYER and c[2] == "ok" for c in calls), calls


# --- 1. a DOKS management cluster and a GKE worker, from empty state -----------------------

def test_the_gke_worker_applies_from_empty_state_as_the_pipelines_service_account(deployed):
    ws = deployed.workspace
    # the cluster, its two pools, the argocd-manager ServiceAccount, its token Secret,
    # ClusterRole and binding, the registration
    assert "Apply complete! Resources: 8 added, 0 changed, 0 destroyed." in \
        deployed.worker_apply.stdout
    cluster = _gke(ws, WORKER)
    # "1.33": the newest 1.33 patch GKE offers in the region, resolved at plan time
    assert (cluster["project"], cluster["location"]) == (PROJECT, REGION)
    assert cluster["master_version"] == V133
    assert cluster["release_channel"] == "UNSPECIFIED"
    # a regional cluster: nodes in each of the region's zones
    assert cluster["node_locations"] == cloud_google.zones(REGION)
    # tags are GCP labels with empty values, beside the provider's attribution label
    assert cluster["labels"] == {"fleetform": "", "production": "",
                                 "goog-terraform-provisioned": "true"}
    # GKE's default pool was removed once the cluster existed
    assert f"{cluster['id']}/nodePools/default-pool" not in ws.cloud()["google"]["node_pools"]
    # Every Google API call was the pipeline's (federated, impersonating the deployer).
    _google_ok(ws.cloud()["google"]["calls"])


def test_each_pool_is_a_gke_node_pool(deployed):
    pools = _pools(deployed.workspace, WORKER)

    assert set(pools) == {"default", "batch"}
    default, batch = pools["default"], pools["batch"]
    assert default["node_config"]["machine_type"] == "e2-standard-4"
    assert (default["autoscaling"]["min_node_count"], default["autoscaling"]["max_node_count"],
            default["size"]) == (1, 3, 1)
    assert (default["node_config"]["labels"], default["node_config"]["taints"]) == ({}, [])
    assert batch["node_config"]["machine_type"] == "c3-standard-4"
    assert (batch["autoscaling"], batch["size"]) == (None, 1)
    assert batch["node_config"]["labels"] == {"workload": "batch"}
    assert batch["node_config"]["taints"] == [
        {"key": "workload", "value": "batch", "effect": "NO_SCHEDULE"}]
    # no release channel: the nodes at the control plane's version, not upgraded by GKE
    assert default["version"] == batch["version"] == V133
    assert default["management"] == batch["management"] == {"auto_repair": True,
                                                            "auto_upgrade": False}
    assert default["node_config"]["resource_labels"] == \
        batch["node_config"]["resource_labels"] == {"fleetform": "", "production": ""}
    assert default["node_config"]["oauth_scopes"] == [cloud_google.CLOUD_PLATFORM]


def test_the_gke_worker_registers_in_the_management_argocd_with_its_labels(deployed):
    ws = deployed.workspace
    cluster = _gke(ws, WORKER)
    registration = _registered(ws, MGMT)

    assert registration["name"] == WORKER
    assert registration["server"] == cluster["endpoint"]
    assert registration["labels"] == {"global": "true", "production": "true"}
    # Argo CD keeps the argocd-manager ServiceAccount's token and the cluster's CA, never
    # a Google access token (which would be dead an hour later).
    token = registration["bearer_token"]
    assert token.startswith("sa-") and not token.startswith("ya29.")
    secret = ws.cloud()["objects"][cluster["id"]][
        "kubernetes_secret_v1/kube-system/argocd-manager-token"]
    assert token == secret["data"]["token"]
    assert registration["ca_data"] == cluster["ca_pem"]
    stored = json.dumps(registration)
    assert "ya29." not in stored and deployed.token not in stored
    (resource,) = [r for r in json.loads(
        (ws.root / f"terraform.{WORKER}.tfstate").read_text())["resources"]
        if r["type"] == "argocd_cluster"]
    (config,) = resource["instances"][0]["attributes"]["config"]
    assert not config.get("exec_provider_config")
    # nor anywhere in the worker's state
    assert "ya29." not in (ws.root / f"terraform.{WORKER}.tfstate").read_text()


def test_the_worker_stack_reached_the_cluster_with_tokens_from_the_plugin(deployed):
    cloud = deployed.workspace.cloud()
    calls = [entry for entry in cloud["log"] if entry[1] == WORKER]

    assert {entry[2] for entry in calls} >= {
        "POST /apis/kubernetes_service_account_v1", "POST /apis/kubernetes_secret_v1",
        "POST /apis/kubernetes_cluster_role_v1", "POST /apis/kubernetes_cluster_role_binding_v1"}
    # the deployer's OAuth tokens, accepted by GKE (its IAM role on the project)
    assert all(entry[0] == "ok" and entry[3] == DEPLOYER for entry in calls), calls
    assert cloud["exec"] and all(run == PLUGIN_RUN for run in cloud["exec"]), cloud["exec"]


# --- 2. the management cluster on GKE -------------------------------------------------------

def test_argocd_installs_on_a_gke_management_cluster_through_the_plugin(gke_management):
    ws, result = gke_management
    cloud = ws.cloud()
    cluster = _gke(ws, GKE_MGMT)

    assert "Apply complete!" in result.stdout
    assert (cluster["location"], cluster["master_version"]) == ("europe-west4", V133)
    assert set(cloud["releases"][cluster["id"]]) == {"argocd/argocd", "argocd/argocd-apps"}
    assert cloud["argocd"][cluster["id"]]["hostname"] == "argocd.gke.example.com"
    calls = [entry for entry in cloud["log"] if entry[1] == GKE_MGMT]
    # helm's, kubernetes' and argocd's (port-forward) clients, each with the plugin's token
    assert {"helm install argocd", "helm install argocd-apps",
            "POST /apis/kubernetes_secret_v1",
            "port-forward to argocd-server in argocd"} <= {entry[2] for entry in calls}
    assert all(entry[0] == "ok" and entry[3] == DEPLOYER for entry in calls), calls
    assert cloud["exec"] and all(run == PLUGIN_RUN for run in cloud["exec"]), cloud["exec"]
    _google_ok(cloud["google"]["calls"])
    # the management cluster registered in-cluster (a cluster Secret) with its own labels
    own = cloud["objects"][cluster["id"]]["kubernetes_secret_v1/argocd/cluster-in-cluster"]
    assert own["data"]["server"] == "https://kubernetes.default.svc"
    assert own["metadata"][0]["labels"] == {"argocd.argoproj.io/secret-type": "cluster",
                                            "global": "true", "management": "true"}


def test_a_gke_management_clusters_outputs_are_a_doks_ones(gke_management, deployed):
    ws, result = gke_management
    outputs = ws.outputs(GKE_MGMT)
    doks = deployed.workspace.outputs(MGMT)

    for name in ("admin_password", "automation_user_token"):
        assert outputs[name]["sensitive"] is True, name
        assert outputs[name]["value"], name
        assert outputs[name]["value"] not in result.output, name
    assert outputs["argocd_url"]["value"] == "https://argocd.gke.example.com"
    cluster = _gke(ws, GKE_MGMT)
    instance = ws.cloud()["argocd"][cluster["id"]]
    assert instance["tokens"][outputs["automation_user_token"]["value"]] == "automation"
    assert outputs["endpoint"]["value"] == cluster["endpoint"]
    assert "ya29." not in json.dumps(outputs)  # no Google token in any output
    # README ("Argo CD on the management cluster"): argocd_url, admin_password,
    # automation_user_token, kubeconfig and endpoint, whatever the cloud.
    assert set(doks) == {"admin_password", "automation_user_token", "argocd_url",
                         "endpoint", "kubeconfig"}
    assert set(outputs) == set(doks), \
        f"the GKE management stack's outputs lack {sorted(set(doks) - set(outputs))}"
    # as EKS' from the AWS CLI, a GKE kubeconfig's token comes from the plugin
    kubeconfig = yaml.safe_load(outputs["kubeconfig"]["value"])
    (entry,) = kubeconfig["clusters"]
    assert entry["cluster"]["server"] == cluster["endpoint"]
    (user,) = kubeconfig["users"]
    assert list(user["user"]) == ["exec"]
    assert user["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"


# --- 3. routine changes on the applied GKE worker -------------------------------------------

CLUSTER_TYPE, POOL_TYPE = "google_container_cluster", "google_container_node_pool"
ROUTINE = {
    # a fixed pool's count
    "count": (WORKER_YAML.replace("count: 1", "count: 3"), {POOL_TYPE: ["batch"]}),
    # a tag (GCP labels on the cluster and on every pool's nodes)
    "tag": (WORKER_YAML.replace("tags: [fleetform, production]",
                                "tags: [fleetform, production, team-payments]"),
            {CLUSTER_TYPE: None, POOL_TYPE: ["batch", "default"]}),
    # a Kubernetes version bump by prefix to the next minor GKE offers; without a release
    # channel the pools follow the control plane in the same apply
    "version": (WORKER_YAML.replace('kubernetes_version: "1.33"', 'kubernetes_version: "1.34"'),
                {CLUSTER_TYPE: None, POOL_TYPE: ["batch", "default"]}),
}
#: Resource types a routine change must never replace.
KEPT = (CLUSTER_TYPE, POOL_TYPE, "kubernetes_service_account_v1", "kubernetes_secret_v1",
        "kubernetes_cluster_role_v1", "kubernetes_cluster_role_binding_v1", "argocd_cluster")
#: What the worker stack's refresh reads on the cluster.
REFRESHED = {"GET /kubernetes_service_account_v1/kube-system/argocd-manager",
             "GET /kubernetes_secret_v1/kube-system/argocd-manager-token",
             "GET /kubernetes_cluster_role_v1//argocd-manager-role",
             "GET /kubernetes_cluster_role_binding_v1//argocd-manager-role-binding"}


@pytest.mark.parametrize("change", list(ROUTINE))
def test_a_routine_change_authenticates_at_plan_time_and_replaces_nothing(
        deployed, tmp_path, change):
    ws = deployed.copy(tmp_path)
    text, updated_types = ROUTINE[change]
    ws.put_stack(WORKER, _synth(tmp_path / "resynth", _fleet(text), names=[WORKER])[WORKER])
    start, runs = len(ws.cloud()["log"]), len(ws.cloud()["exec"])
    api_start = len(ws.cloud()["google"]["calls"])

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
        expected |= {c["address"] for c in _of_type(plan, kind)
                     if names is None or c["change"]["after"]["name"] in names}
    assert changes(plan) == {address: ["update"] for address in expected}
    # The endpoint and CA stay known through the cluster's in-place update: the Kubernetes
    # and Argo CD providers were configured at plan time and refreshed what is on the
    # cluster with a token from the plugin.
    for cluster_change in _of_type(plan, CLUSTER_TYPE):
        unknown = cluster_change["change"]["after_unknown"]
        assert not unknown.get("endpoint") and not unknown.get("master_auth"), unknown
    if change == "version":
        # the version resolved at plan time, the pools' the same as the control plane's
        (cluster_change,) = _of_type(plan, CLUSTER_TYPE)
        assert cluster_change["change"]["after"]["min_master_version"] == V134
        assert {c["change"]["after"]["version"] for c in _of_type(plan, POOL_TYPE)} == {V134}
    assert deferred_reads(plan) == []
    assert "will be read during apply" not in result.output
    refreshed = _calls_since(ws, start, WORKER)
    assert {e[2] for e in refreshed} == REFRESHED
    assert all(e[0] == "ok" and e[3] == DEPLOYER for e in refreshed), refreshed
    fresh = ws.cloud()["exec"][runs:]
    assert fresh and all(run == PLUGIN_RUN for run in fresh), fresh
    _google_ok(ws.cloud()["google"]["calls"][api_start:])

    ws.run(WORKER, "apply", "-input=false", "-no-color", "tfplan", env=deployed.env).check()
    cluster, pools = _gke(ws, WORKER), _pools(ws, WORKER)
    if change == "count":
        assert (pools["batch"]["size"], pools["batch"]["autoscaling"]) == (3, None)
        assert pools["default"]["size"] == 1
    elif change == "tag":
        tags = {"fleetform": "", "production": "", "team-payments": ""}
        assert cluster["labels"] == {**tags, "goog-terraform-provisioned": "true"}
        assert {p: pool["node_config"]["resource_labels"] for p, pool in pools.items()} == \
            {"default": tags, "batch": tags}
    else:
        assert cluster["master_version"] == V134
        assert {p: pool["version"] for p, pool in pools.items()} == \
            {"default": V134, "batch": V134}
    # the same cluster, reached where Argo CD registered it
    before = _gke(deployed.workspace, WORKER)
    assert (cluster["id"], cluster["endpoint"], cluster["ca_pem"]) == \
        (before["id"], before["endpoint"], before["ca_pem"])
    assert _registered(ws, MGMT)["server"] == cluster["endpoint"]
    assert [e for e in ws.cloud()["log"][start:] if e[0] != "ok"] == []
    if change == "version":
        # nothing left for a later plan: the pools did not follow the control plane late
        after = ws.plan(WORKER, "-detailed-exitcode", env=deployed.env)
        assert after.returncode == 0, after.output[-6000:]


# --- 4. long after the last apply -----------------------------------------------------------

@pytest.mark.parametrize("stack", [WORKER, GKE_MGMT])
def test_a_plan_long_after_the_last_apply_gets_fresh_tokens_and_changes_nothing(
        request, tmp_path, stack):
    if stack == WORKER:
        deployed = request.getfixturevalue("deployed")
        ws, env = deployed.copy(tmp_path), deployed.env
    else:
        ws, env = request.getfixturevalue("gke_management")[0].copy(tmp_path / "ws"), None

    for delay in (TWO_HOURS, THIRTY_DAYS - TWO_HOURS):
        ws.advance_clock(delay)
        cloud = ws.cloud()
        start, runs, api_start = (len(cloud["log"]), len(cloud["exec"]),
                                  len(cloud["google"]["calls"]))

        result = ws.plan(stack, "-detailed-exitcode", env=env)

        assert result.returncode == 0, result.output[-6000:]  # 0: no changes (2: some)
        assert "No changes." in result.stdout
        cloud = ws.cloud()
        fresh = cloud["exec"][runs:]
        assert fresh and all(run == PLUGIN_RUN for run in fresh), fresh
        # The fake GKE refuses a token an hour old: these calls had new ones.
        calls = _calls_since(ws, start, stack)
        assert calls and all(e[0] == "ok" and e[3] == DEPLOYER for e in calls), calls
        assert [e for e in cloud["log"][start:] if e[0] != "ok"] == []
        _google_ok(cloud["google"]["calls"][api_start:])
    plan = ws.plan_json(stack, env=env)
    assert changes(plan) == {} and deferred_reads(plan) == []


# --- 5. terraform validate: a mixed fleet using every GKE option ----------------------------

EVERY_OPTION = {
    "gke-edge": {
        "cloud": "gcp", "role": "worker", "region": "europe-west1-b",
        "kubernetes_version": "1.34",
        "node_pools": [
            {"name": "default", "size": "e2-standard-4",
             "autoscale": {"min_nodes": 1, "max_nodes": 6}, "labels": {"pool": "default"}},
            {"name": "batch", "size": "c3-standard-8", "count": 2,
             "labels": {"workload": "batch", "team": "data"},
             "taints": [{"key": "workload", "value": "batch", "effect": "NoSchedule"},
                        {"key": "spot", "effect": "PreferNoSchedule"}]},
            {"name": "gpu", "size": "g2-standard-4",
             "autoscale": {"min_nodes": 1, "max_nodes": 2},
             "taints": [{"key": "nvidia.com/gpu", "effect": "NoExecute"}]}],
        "labels": {"global": "true", "edge": "true"},
        "tags": ["fleetform", "edge"],
        "prevent_destroy": True,
        "argocd": {"server": "argocd.internal.example.com:8443", "grpc_web": False},
        "gcp": {"project": PROJECT, "release_channel": "REGULAR"},
    },
    "gke-regional": {
        "cloud": "gcp", "role": "worker", "region": "us-central1",
        "kubernetes_version": "1.33.5-gke.1080000",
        "node_pools": [{"name": "default", "size": "n2-standard-4", "count": 1}],
        "labels": ["global"],
        "gcp": {"project": PROJECT, "release_channel": "UNSPECIFIED"},
    },
    "doks-edge": {
        "role": "worker", "region": "ams3", "kubernetes_version": "1.33",
        "node_pools": [{"name": "default", "size": "s-2vcpu-4gb", "count": 2}],
        "labels": ["global", "edge"],
    },
}


def test_every_stack_of_a_mixed_fleet_with_every_gke_option_passes_validate(
        terraform_available, tmp_path):
    management = MANAGEMENT_YAML.replace(
        "production: {url", "edge: {url: \"https://gitlab.com/acme/apps.git\", path: edge}\n"
        "        production: {url")
    fleet = {MGMT: management, WORKER: WORKER_YAML,
             **{name: yaml.safe_dump(spec, sort_keys=False)
                for name, spec in EVERY_OPTION.items()}}
    stacks = _synth(tmp_path, fleet)
    assert set(stacks) == {MGMT, WORKER, *EVERY_OPTION}
    edge = stacks["gke-edge"]["resource"]
    (cluster,) = edge[CLUSTER_TYPE].values()
    assert cluster["lifecycle"]["prevent_destroy"] is True
    assert cluster["deletion_protection"] is True
    assert cluster["location"] == "europe-west1-b"
    assert cluster["release_channel"] == {"channel": "REGULAR"}
    assert cluster["resource_labels"] == {"fleetform": "", "edge": ""}
    pools = {p["name"]: p for p in edge[POOL_TYPE].values()}
    assert set(pools) == {"default", "batch", "gpu"}
    # on a channel GKE upgrades the nodes: no version of their own
    assert all("version" not in p and p["management"]["auto_upgrade"] is True
               for p in pools.values())
    assert pools["batch"]["node_config"]["taint"] == [
        {"key": "workload", "value": "batch", "effect": "NO_SCHEDULE"},
        {"key": "spot", "value": "", "effect": "PREFER_NO_SCHEDULE"}]
    assert pools["gpu"]["node_config"]["taint"] == [
        {"key": "nvidia.com/gpu", "value": "", "effect": "NO_EXECUTE"}]
    assert pools["batch"]["node_count"] == 2 and "autoscaling" not in pools["batch"]
    assert pools["default"]["autoscaling"] == {"min_node_count": 1, "max_node_count": 6}
    assert pools["default"]["node_config"]["labels"] == {"pool": "default"}
    assert pools["batch"]["node_config"]["labels"] == {"workload": "batch", "team": "data"}
    assert all(p["location"] == "europe-west1-b" for p in pools.values())
    regional = stacks["gke-regional"]["resource"]
    (cluster,) = regional[CLUSTER_TYPE].values()
    assert cluster["deletion_protection"] is False and "prevent_destroy" not in \
        cluster.get("lifecycle", {})
    assert cluster["min_master_version"] == "1.33.5-gke.1080000"
    (pool,) = regional[POOL_TYPE].values()
    assert pool["version"] == "1.33.5-gke.1080000" and pool["node_count"] == 1
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


# --- 6. a version GKE does not offer --------------------------------------------------------

def test_a_gke_version_prefix_matching_nothing_fails_the_plan_naming_the_versions(
        terraform_available, tmp_path):
    stacks = _synth(tmp_path, _fleet(WORKER_YAML.replace('kubernetes_version: "1.33"',
                                                         'kubernetes_version: "1.99"')),
                    names=[WORKER])
    ws = Workspace(tmp_path / "ws")
    ws.put_stack(WORKER, stacks[WORKER])
    ws.init(WORKER)

    result = ws.plan(WORKER, env={"TF_VAR_argocd_auth_token": "token"})

    assert result.returncode != 0
    message = _one_line(result)
    assert message.count("Error:") == 1, message
    assert message.count("Resource precondition failed") == 1, message
    assert (f'Cluster {WORKER}: kubernetes_version "1.99" matches no GKE version offered '
            f"in {REGION} ({OFFERED}): give a MAJOR.MINOR prefix of one of them, such as "
            '"1.33", or one of them exactly.') in message, message
    cloud = ws.cloud()
    assert cloud_google.gke_clusters(cloud) == [] and cloud["google"]["node_pools"] == {}
    # only reads (the server config), all the pipeline's
    calls = cloud["google"]["calls"]
    _google_ok(calls)
    assert {c[0] for c in calls} == {"container.clusters.list"}, calls
    assert cloud["log"] == [] and cloud["exec"] == []
