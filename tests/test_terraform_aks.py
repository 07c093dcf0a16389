"""Real Terraform plans and applies AKS clusters' stacks, synthesized by the app.

As ``test_terraform_eks.py`` does for EKS: fleets are written as ``cluster.yaml``
files in a temporary directory, synthesized by the real app, and the ``terraform``
binary runs ``init``, ``plan -input=false`` and ``apply`` offline against the
stand-in providers (``tests/terraform/``). The fake Azure answers the azurerm
provider as the GitLab pipeline's app registration (OIDC with an ID token file,
``cloud_azure.oidc_env``, in ``Workspace.env``); the Kubernetes, Helm and Argo CD
providers of an AKS cluster take the local account's client certificate from the
cluster resource's ``kube_config``, which the fake AKS checks against the cluster's
CA on the cloud's clock (two years).

Two fleets are applied once per module from empty state and copied by the tests
that change them: a DOKS management cluster with an AKS worker, and a management
cluster on AKS.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))

import cloud as clouds  # noqa: E402
import cloud_azure  # noqa: E402
from harness import (Workspace, attached_providers,  # noqa: E402
                     changes, deferred_reads)
from support.terraform_fleet import (  # noqa: F401 (terraform_available: a fixture)
    Deployed, deploy, registration as _registered, calls_since as _calls_since,
    managed as _managed,
    of_type as _of_type, one_line as _one_line, replaced as _replaced, synth_fleet as _synth,
    terraform_available)

MGMT, WORKER = "mgmt", "aks-production"
AKS_MGMT = "aks-mgmt"
LOCATION = "westeurope"
SUBSCRIPTION = cloud_azure.SUBSCRIPTION_ID
DEPLOYER = cloud_azure.DEPLOYER_APP
#: The user of AKS's local-account client certificate (its CN).
LOCAL_ADMIN = "masterclient"
THIRTY_DAYS = 30 * 24 * 3600
#: What AKS offers in westeurope (cloud_azure.AKS_VERSIONS), previews included.
#: The versions the message lists: those a cluster can be created with (no previews, which
#: the fake offers too: 1.35.0 and 1.35.1).
OFFERED = "1.32.9, 1.32.10, 1.33.6, 1.33.7, 1.34.2, 1.34.3"

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
#: An AKS worker: the default pool autoscaled, a further pool with a count, labels and a
#: taint, in the fake's subscription.
WORKER_YAML = f"""
    cloud: azure
    role: worker
    region: {LOCATION}
    kubernetes_version: "1.33"
    node_pools:
      - name: default
        size: Standard_D4s_v5
        autoscale: {{min_nodes: 2, max_nodes: 5}}
      - name: batch
        size: Standard_F4s_v2
        count: 1
        labels: {{workload: batch}}
        taints: [{{key: workload, value: batch, effect: NoSchedule}}]
    labels: [global, production]
    tags: [fleetform, production]
    azure:
      subscription_id: {SUBSCRIPTION}
"""
AKS_MANAGEMENT_YAML = f"""
    cloud: azure
    role: management
    region: northeurope
    kubernetes_version: "1.33"
    node_pools: [{{name: system, size: Standard_D4s_v5, autoscale: {{min_nodes: 2, max_nodes: 4}}}}]
    labels: [global, management]
    tags: [fleetform]
    azure:
      subscription_id: {SUBSCRIPTION}
    argocd:
      hostname: argocd.aks.example.com
      repositories:
        global: {{url: "https://gitlab.com/acme/apps.git", path: global}}
        management: {{url: "https://gitlab.com/acme/apps.git", path: management}}
"""


def _fleet(worker: str = WORKER_YAML) -> dict[str, str]:
    return {MGMT: MANAGEMENT_YAML, WORKER: worker}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, terraform_available) -> Deployed:
    return deploy(tmp_path_factory.mktemp("aks-worker"), _fleet(), MGMT, WORKER)


@pytest.fixture(scope="module")
def aks_management(tmp_path_factory, terraform_available):
    """The management cluster on AKS, applied from empty state: (workspace, apply)."""
    tmp = tmp_path_factory.mktemp("aks-management")
    (document,) = _synth(tmp, {AKS_MGMT: AKS_MANAGEMENT_YAML}).values()
    ws = Workspace(tmp / "ws")
    ws.put_stack(AKS_MGMT, document)
    ws.init(AKS_MGMT)
    result = ws.apply(AKS_MGMT)
    result.check()
    return ws, result


def _aks(ws: Workspace, name: str) -> dict:
    found = [c for c in cloud_azure.aks_clusters(ws.cloud()) if c["name"] == name]
    assert len(found) == 1, f"{len(found)} AKS clusters named {name}"
    return found[0]


# --- 1. a DOKS management cluster and an AKS worker, from empty state -----------------------

def test_the_aks_worker_applies_from_empty_state_as_the_pipelines_app(deployed):
    ws = deployed.workspace
    # the resource group, the cluster, its further pool, the argocd-manager
    # ServiceAccount, its token Secret, ClusterRole and binding, the registration
    assert "Apply complete! Resources: 8 added, 0 changed, 0 destroyed." in \
        deployed.worker_apply.stdout
    cluster = _aks(ws, WORKER)
    # "1.33": the newest 1.33 patch offered in westeurope, resolved at plan time
    assert (cluster["location"], cluster["version"], cluster["current_version"]) == \
        (LOCATION, "1.33.7", "1.33.7")
    assert (cluster["resource_group"], cluster["sku_tier"]) == (f"{WORKER}-aks", "Free")
    assert cluster["local_account_disabled"] is False
    assert cluster["tags"] == {"fleetform": "", "production": ""}
    assert cluster["identity"]["type"] == "SystemAssigned"
    assert cluster["creator"] == DEPLOYER
    group = cloud_azure.resource_group(ws.cloud(), f"{WORKER}-aks")
    assert (group["location"], group["tags"]) == (LOCATION, {"fleetform": "", "production": ""})
    # Every ARM call was the pipeline's app, and none was refused.
    calls = ws.cloud()["azure"]["calls"]
    assert calls and all(c[1] == DEPLOYER and c[2] == "ok" for c in calls), calls


def test_each_pool_is_an_agent_pool(deployed):
    cluster = _aks(deployed.workspace, WORKER)
    pools = cluster["pools"]

    assert set(pools) == {"default", "batch"} and cluster["default_pool"] == "default"
    default, batch = pools["default"], pools["batch"]
    assert (default["mode"], default["vm_size"]) == ("System", "Standard_D4s_v5")
    assert (default["auto_scaling"], default["min_count"], default["max_count"],
            default["count"]) == (True, 2, 5, 2)
    assert (default["labels"], default["taints"]) == ({}, [])
    assert (batch["mode"], batch["vm_size"]) == ("User", "Standard_F4s_v2")
    assert (batch["auto_scaling"], batch["count"]) == (False, 1)
    assert batch["labels"] == {"workload": "batch"}
    assert batch["taints"] == ["workload=batch:NoSchedule"]
    assert default["orchestrator_version"] == batch["orchestrator_version"] == "1.33.7"
    assert default["tags"] == batch["tags"] == {"fleetform": "", "production": ""}


def test_the_aks_worker_registers_in_the_management_argocd_with_its_labels(deployed):
    ws = deployed.workspace
    cluster = _aks(ws, WORKER)
    registration = _registered(ws, MGMT)

    assert registration["name"] == WORKER
    assert registration["server"] == cluster["endpoint"]
    assert registration["labels"] == {"global": "true", "production": "true"}
    # Argo CD keeps the argocd-manager ServiceAccount's token and the cluster's CA, never
    # the local account's client certificate, key or token.
    token = registration["bearer_token"]
    assert token.startswith("sa-")
    secret = ws.cloud()["objects"][cluster["id"]][
        "kubernetes_secret_v1/kube-system/argocd-manager-token"]
    assert token == secret["data"]["token"]
    assert registration["ca_data"] == cluster["ca_pem"]
    stored = json.dumps(registration)
    for credential in (cluster["client_cert_pem"], cluster["client_key_pem"],
                       cluster["token"], deployed.token):
        assert credential not in stored
    assert "PRIVATE KEY" not in stored
    (resource,) = [r for r in json.loads(
        (ws.root / f"terraform.{WORKER}.tfstate").read_text())["resources"]
        if r["type"] == "argocd_cluster"]
    (tls,) = resource["instances"][0]["attributes"]["config"][0]["tls_client_config"]
    assert not tls.get("cert_data") and not tls.get("key_data")


def test_the_worker_stack_reached_the_cluster_with_the_local_accounts_certificate(deployed):
    cloud = deployed.workspace.cloud()
    calls = [entry for entry in cloud["log"] if entry[1] == WORKER]

    assert {entry[2] for entry in calls} >= {
        "POST /apis/kubernetes_service_account_v1", "POST /apis/kubernetes_secret_v1",
        "POST /apis/kubernetes_cluster_role_v1", "POST /apis/kubernetes_cluster_role_binding_v1"}
    # the client certificate's CN, accepted by the API server (no bearer token used)
    assert all(entry[0] == "ok" and entry[3] == LOCAL_ADMIN for entry in calls), calls


# --- 2. the management cluster on AKS -------------------------------------------------------

def test_argocd_installs_on_an_aks_management_cluster_with_the_client_certificate(
        aks_management):
    ws, result = aks_management
    cloud = ws.cloud()
    cluster = _aks(ws, AKS_MGMT)

    assert "Apply complete!" in result.stdout
    assert (cluster["location"], cluster["version"]) == ("northeurope", "1.33.7")
    assert set(cloud["releases"][cluster["id"]]) == {"argocd/argocd", "argocd/argocd-apps"}
    assert cloud["argocd"][cluster["id"]]["hostname"] == "argocd.aks.example.com"
    calls = [entry for entry in cloud["log"] if entry[1] == AKS_MGMT]
    # helm's, kubernetes' and argocd's (port-forward) clients, each with the certificate
    assert {"helm install argocd", "helm install argocd-apps",
            "POST /apis/kubernetes_secret_v1",
            "port-forward to argocd-server in argocd"} <= {entry[2] for entry in calls}
    assert all(entry[0] == "ok" and entry[3] == LOCAL_ADMIN for entry in calls), calls
    # the management cluster registered in-cluster (a cluster Secret) with its own labels
    own = cloud["objects"][cluster["id"]]["kubernetes_secret_v1/argocd/cluster-in-cluster"]
    assert own["data"]["server"] == "https://kubernetes.default.svc"
    assert own["metadata"][0]["labels"] == {"argocd.argoproj.io/secret-type": "cluster",
                                            "global": "true", "management": "true"}


def test_an_aks_management_clusters_outputs_are_a_doks_ones(aks_management, deployed):
    ws, result = aks_management
    outputs = ws.outputs(AKS_MGMT)
    doks = deployed.workspace.outputs(MGMT)

    assert set(outputs) == set(doks) == {"admin_password", "automation_user_token",
                                         "argocd_url", "endpoint", "kubeconfig"}
    # AKS' kubeconfig holds the client key, so it is sensitive (as DOKS' token)
    for name in ("admin_password", "automation_user_token", "kubeconfig"):
        assert outputs[name]["sensitive"] is True, name
        assert outputs[name]["value"], name
        assert outputs[name]["value"] not in result.output, name
    assert outputs["argocd_url"]["value"] == "https://argocd.aks.example.com"
    cluster = _aks(ws, AKS_MGMT)
    instance = ws.cloud()["argocd"][cluster["id"]]
    assert instance["tokens"][outputs["automation_user_token"]["value"]] == "automation"
    assert outputs["endpoint"]["value"] == cluster["endpoint"]
    kubeconfig = yaml.safe_load(outputs["kubeconfig"]["value"])
    (entry,) = kubeconfig["clusters"]
    assert entry["cluster"]["server"] == cluster["endpoint"]
    (user,) = kubeconfig["users"]
    assert "client-certificate-data" in user["user"] and "client-key-data" in user["user"]


# --- 3. routine changes on the applied AKS worker -------------------------------------------

CLUSTER_TYPE, POOL_TYPE, GROUP_TYPE = ("azurerm_kubernetes_cluster",
                                       "azurerm_kubernetes_cluster_node_pool",
                                       "azurerm_resource_group")
ROUTINE = {
    # a fixed pool's count
    "count": (WORKER_YAML.replace("count: 1", "count: 3"), {POOL_TYPE}),
    # a tag (on every resource that takes tags)
    "tag": (WORKER_YAML.replace("tags: [fleetform, production]",
                                "tags: [fleetform, production, team-payments]"),
            {CLUSTER_TYPE, POOL_TYPE, GROUP_TYPE}),
    # a version bump by prefix (the newest 1.34 patch): the pools follow the control plane
    "version": (WORKER_YAML.replace('kubernetes_version: "1.33"', 'kubernetes_version: "1.34"'),
                {CLUSTER_TYPE, POOL_TYPE}),
    # a version bump to an exact version offered
    "exact version": (WORKER_YAML.replace('kubernetes_version: "1.33"',
                                          'kubernetes_version: "1.34.2"'),
                      {CLUSTER_TYPE, POOL_TYPE}),
}
#: Resource types a routine change must never replace.
KEPT = (GROUP_TYPE, CLUSTER_TYPE, POOL_TYPE, "kubernetes_service_account_v1",
        "kubernetes_secret_v1", "kubernetes_cluster_role_v1",
        "kubernetes_cluster_role_binding_v1", "argocd_cluster")
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
    start, arm_start = len(ws.cloud()["log"]), len(ws.cloud()["azure"]["calls"])

    result = ws.plan(WORKER, env=deployed.env)
    result.check()
    plan = ws.plan_json(WORKER, env=deployed.env)

    held = _managed(plan)
    assert _replaced(plan) == []
    for kind in KEPT:
        found = [a for a in held if a.startswith(f"{kind}.")]
        assert found and all(held[a] in (["no-op"], ["update"]) for a in found), (kind, held)
    expected = {c["address"] for kind in updated_types for c in _of_type(plan, kind)}
    assert changes(plan) == {address: ["update"] for address in expected}
    # kube_config stays known through the cluster's in-place update: the Kubernetes and
    # Argo CD providers were configured at plan time and refreshed what is on the
    # cluster with the local account's certificate.
    (cluster_change,) = _of_type(plan, CLUSTER_TYPE)
    unknown = cluster_change["change"]["after_unknown"]
    assert not unknown.get("kube_config") and not unknown.get("kube_config_raw"), unknown
    assert deferred_reads(plan) == []
    assert "will be read during apply" not in result.output
    refreshed = _calls_since(ws, start, WORKER)
    assert {e[2] for e in refreshed} == REFRESHED
    assert all(e[0] == "ok" and e[3] == LOCAL_ADMIN for e in refreshed), refreshed
    # azurerm signed in as the pipeline's app and read the cluster's credentials
    arm = ws.cloud()["azure"]["calls"][arm_start:]
    assert ["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
            DEPLOYER, "ok"] in arm
    assert all(c[1] == DEPLOYER and c[2] == "ok" for c in arm), arm

    ws.run(WORKER, "apply", "-input=false", "-no-color", "tfplan", env=deployed.env).check()
    cluster = _aks(ws, WORKER)
    pools = cluster["pools"]
    if change == "count":
        assert (pools["batch"]["count"], pools["batch"]["auto_scaling"]) == (3, False)
        assert pools["default"]["count"] == 2
    elif change == "tag":
        tags = {"fleetform": "", "production": "", "team-payments": ""}
        assert cluster["tags"] == pools["default"]["tags"] == pools["batch"]["tags"] == tags
        assert cloud_azure.resource_group(ws.cloud(), f"{WORKER}-aks")["tags"] == tags
    else:
        version = "1.34.3" if change == "version" else "1.34.2"
        assert (cluster["version"], cluster["current_version"]) == (version, version)
        assert {p["current_orchestrator_version"] for p in pools.values()} == {version}
    # the same cluster, reached where Argo CD registered it, with the same credentials
    before = _aks(deployed.workspace, WORKER)
    assert (cluster["id"], cluster["endpoint"]) == (before["id"], before["endpoint"])
    assert cluster["client_cert_pem"] == before["client_cert_pem"]
    assert _registered(ws, MGMT)["server"] == cluster["endpoint"]
    assert [e for e in ws.cloud()["log"][start:] if e[0] != "ok"] == []


# --- 4. long after the last apply -----------------------------------------------------------

def _plan_authenticates(ws: Workspace, stack: str, env: dict | None,
                        exit_code: int = 0):
    """Plan ``stack`` with -detailed-exitcode; check it exits ``exit_code`` (0: no
    changes, 2: some), that every call to the cluster was the local admin's, accepted,
    and every ARM call the pipeline's app's. The saved plan, as JSON."""
    start, arm_start = len(ws.cloud()["log"]), len(ws.cloud()["azure"]["calls"])

    result = ws.plan(stack, "-detailed-exitcode", env=env)

    assert result.returncode == exit_code, result.output[-6000:]
    cloud = ws.cloud()
    calls = _calls_since(ws, start, stack)
    assert calls and all(e[0] == "ok" and e[3] == LOCAL_ADMIN for e in calls), calls
    assert [e for e in cloud["log"][start:] if e[0] != "ok"] == []
    arm = cloud["azure"]["calls"][arm_start:]
    assert arm and all(c[1] == DEPLOYER and c[2] == "ok" for c in arm), arm
    assert ["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
            DEPLOYER, "ok"] in arm
    return result, ws.plan_json(stack, env=env)


@pytest.mark.parametrize("stack", [WORKER, AKS_MGMT])
def test_a_plan_thirty_days_after_the_last_apply_authenticates_and_changes_nothing(
        request, tmp_path, stack):
    if stack == WORKER:
        deployed = request.getfixturevalue("deployed")
        ws, env = deployed.copy(tmp_path), deployed.env
    else:
        ws, env = request.getfixturevalue("aks_management")[0].copy(tmp_path / "ws"), None
    ws.advance_clock(THIRTY_DAYS)

    result, plan = _plan_authenticates(ws, stack, env)

    assert "No changes." in result.stdout
    assert changes(plan) == {} and deferred_reads(plan) == []


def test_a_plan_after_the_certificates_were_rotated_authenticates_with_the_new_ones(
        deployed, tmp_path):
    ws = deployed.copy(tmp_path)
    ws.advance_clock(THIRTY_DAYS)
    old = _aks(ws, WORKER)["client_cert_pem"]
    with clouds.opened(ws.cloud_file) as cloud:  # az aks rotate-certs
        (cluster,) = [c for c in cloud_azure.aks_clusters(cloud) if c["name"] == WORKER]
        cloud_azure.rotate_certificates(cloud, cluster)
    assert _aks(ws, WORKER)["client_cert_pem"] != old

    # The refresh reads the new certificate before the providers are configured; the
    # only change is the kubeconfig output (its certificate is the new one): exit code 2.
    result, plan = _plan_authenticates(ws, WORKER, deployed.env, exit_code=2)

    assert changes(plan) == {} and _replaced(plan) == []
    assert deferred_reads(plan) == []
    assert {name: c["actions"] for name, c in plan["output_changes"].items()
            if c["actions"] != ["no-op"]} == {"kubeconfig": ["update"]}
    assert "You can apply this plan to save these new output values" in result.stdout
    ws.run(WORKER, "apply", "-input=false", "-no-color", "tfplan", env=deployed.env).check()
    rotated = _aks(ws, WORKER)
    kubeconfig = yaml.safe_load(ws.output(WORKER, "kubeconfig"))
    (user,) = kubeconfig["users"]
    assert base64.b64decode(user["user"]["client-certificate-data"]).decode() == \
        rotated["client_cert_pem"]


# --- 5. terraform validate: a mixed fleet using every AKS option ----------------------------

#: A resource group made outside fleetform, which azure.resource_group names.
GIVEN_GROUP = "platform-clusters"
EVERY_OPTION = {
    "aks-edge": {
        "cloud": "azure", "role": "worker", "region": "northeurope",
        "kubernetes_version": "1.34.2",
        "node_pools": [
            {"name": "system", "size": "Standard_D4s_v5",
             "autoscale": {"min_nodes": 1, "max_nodes": 6},
             "labels": {"pool": "system"}, "tags": ["system"]},
            {"name": "batch", "size": "Standard_F4s_v2", "count": 2,
             "labels": {"workload": "batch", "team": "data"},
             "taints": [{"key": "workload", "value": "batch", "effect": "NoSchedule"},
                        {"key": "spot", "effect": "PreferNoSchedule"}],
             "tags": ["batch"]},
            {"name": "gpu", "size": "Standard_NC4as_T4_v3",
             "autoscale": {"min_nodes": 1, "max_nodes": 2},
             "taints": [{"key": "nvidia.com/gpu", "effect": "NoExecute"}]}],
        "labels": {"global": "true", "edge": "true"},
        "tags": ["fleetform", "edge"],
        "prevent_destroy": True,
        "argocd": {"server": "argocd.internal.example.com:8443", "grpc_web": False},
        "azure": {"subscription_id": SUBSCRIPTION, "resource_group": GIVEN_GROUP,
                  "sku_tier": "Standard"},
    },
    "aks-premium": {
        "cloud": "azure", "role": "worker", "region": "swedencentral",
        "kubernetes_version": "1.33",
        "node_pools": [{"name": "default", "size": "Standard_D2s_v5", "count": 3}],
        "labels": ["global"],
        "azure": {"sku_tier": "Premium"},
    },
    "doks-edge": {
        "role": "worker", "region": "ams3", "kubernetes_version": "1.33",
        "node_pools": [{"name": "default", "size": "s-2vcpu-4gb", "count": 2}],
        "labels": ["global", "edge"],
    },
}


def test_every_stack_of_a_mixed_fleet_with_every_aks_option_passes_validate(
        terraform_available, tmp_path):
    management = MANAGEMENT_YAML.replace(
        "production: {url", "edge: {url: \"https://gitlab.com/acme/apps.git\", path: edge}\n"
        "        production: {url")
    fleet = {MGMT: management, WORKER: WORKER_YAML,
             **{name: yaml.safe_dump(spec, sort_keys=False)
                for name, spec in EVERY_OPTION.items()}}
    stacks = _synth(tmp_path, fleet)
    assert set(stacks) == {MGMT, WORKER, *EVERY_OPTION}
    edge = stacks["aks-edge"]
    (cluster,) = edge["resource"][CLUSTER_TYPE].values()
    assert cluster["lifecycle"]["prevent_destroy"] is True
    assert cluster["sku_tier"] == "Standard"
    assert GROUP_TYPE not in edge["resource"]  # the given group is read, not made
    (group,) = edge["data"]["azurerm_resource_group"].values()
    assert group["name"] == GIVEN_GROUP
    assert len(edge["resource"][POOL_TYPE]) == 2
    assert (edge["provider"]["azurerm"][0]["subscription_id"]) == SUBSCRIPTION
    premium = stacks["aks-premium"]
    (cluster,) = premium["resource"][CLUSTER_TYPE].values()
    assert cluster["sku_tier"] == "Premium" and "prevent_destroy" not in cluster["lifecycle"]
    assert "subscription_id" not in premium["provider"]["azurerm"][0]  # ARM_SUBSCRIPTION_ID
    ws = Workspace(tmp_path / "ws")
    with clouds.opened(ws.cloud_file) as cloud:  # the given group exists in Azure
        cloud["azure"]["resource_groups"][GIVEN_GROUP] = {
            "id": cloud_azure.resource_group_id(GIVEN_GROUP), "name": GIVEN_GROUP,
            "location": "northeurope", "tags": {}, "managed_by": None}

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
    # The given resource group is read at plan time (the data source), not made.
    ws.init("aks-edge")
    result = ws.plan("aks-edge", env={"TF_VAR_argocd_auth_token": "token"})
    result.check()
    plan = ws.plan_json("aks-edge", env={"TF_VAR_argocd_auth_token": "token"})
    assert [c for c in plan["resource_changes"] if c["type"] == GROUP_TYPE] == []
    (cluster,) = _of_type(plan, CLUSTER_TYPE)
    after = cluster["change"]["after"]
    assert (after["resource_group_name"], after["kubernetes_version"], after["sku_tier"]) == \
        (GIVEN_GROUP, "1.34.2", "Standard")
    assert {c["change"]["after"]["name"] for c in _of_type(plan, POOL_TYPE)} == {"batch", "gpu"}
    assert ["Microsoft.Resources/subscriptions/resourcegroups/read", DEPLOYER, "ok"] in \
        ws.cloud()["azure"]["calls"]


# --- 6. a version or a location AKS does not offer ------------------------------------------

def _failed_plan(tmp_path: Path, worker: str):
    stacks = _synth(tmp_path, _fleet(worker), names=[WORKER])
    ws = Workspace(tmp_path / "ws")
    ws.put_stack(WORKER, stacks[WORKER])
    ws.init(WORKER)
    result = ws.plan(WORKER, env={"TF_VAR_argocd_auth_token": "token"})
    return ws, result


def _nothing_made(ws: Workspace) -> None:
    cloud = ws.cloud()
    assert cloud_azure.aks_clusters(cloud) == []
    assert cloud["azure"]["resource_groups"] == {}
    written = [c for c in cloud["azure"]["calls"] if c[0].endswith(("/write", "/delete"))]
    assert written == []
    assert cloud["log"] == []


def test_an_aks_version_prefix_matching_nothing_fails_the_plan_naming_the_versions(
        terraform_available, tmp_path):
    ws, result = _failed_plan(tmp_path, WORKER_YAML.replace('kubernetes_version: "1.33"',
                                                            'kubernetes_version: "1.99"'))

    assert result.returncode != 0
    message = _one_line(result)
    assert message.count("Error:") == 1, message
    assert message.count("Resource precondition failed") == 1, message
    assert (f'Cluster {WORKER}: kubernetes_version "1.99" matches no AKS version Azure offers '
            f"in {LOCATION} ({OFFERED}): give a MAJOR.MINOR prefix of one of them, such as "
            '"1.33", or one of them exactly.') in message, message
    _nothing_made(ws)


def test_an_unknown_location_fails_the_plan(terraform_available, tmp_path):
    ws, result = _failed_plan(tmp_path, WORKER_YAML.replace(f"region: {LOCATION}",
                                                            "region: westeurope9"))

    assert result.returncode != 0
    # The provider's enhanced validation (on by default) refuses the location in every
    # block that has one, before the azurerm_location data source is read.
    errors = {e.split(" with ")[0].strip()
              for e in _one_line(result).split("Error: ")[1:]}
    assert len(errors) == 1, errors
    (error,) = errors
    assert error.startswith('"westeurope9" was not found in the list of supported Azure '
                            'Locations: "eastus,'), error
    assert ",westeurope," in error
    _nothing_made(ws)

