"""The Google stand-in and its fake project, proved with hand-written Terraform JSON.

The stack is what a GKE cluster's synthesized stack holds (spec: the engine versions and
machine types data sources, a cluster without its default node pool, two node pools,
one fixed and one autoscaled), plus a kubernetes provider that authenticates with
``gke-gcloud-auth-plugin`` through its exec plugin and one ServiceAccount on the
cluster. It is applied once from empty state with the GitLab pipeline's credentials
(workload identity federation impersonating the deployer service account); each test
then works on a copy. Tests of the fake plugin and of GKE's authentication alone run no
Terraform.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))

import cloud as clouds  # noqa: E402
import cloud_google as gcp  # noqa: E402
from harness import TerraformMissing, Workspace, _environment, changes, terraform_binary  # noqa: E402

REGION, ZONE, NAME, STACK = "europe-west1", "europe-west1-b", "edge-gke", "gke"
FIRST_VERSION, NEXT_VERSION = "1.33.5-gke.1080000", "1.33.7-gke.1202000"
TWO_HOURS = 2 * 3600
ADC_FLAG = "--use_application_default_credentials"
CLUSTER_ID = f"projects/{gcp.PROJECT}/locations/{REGION}/clusters/{NAME}"
DEPLOYER = f"serviceAccount:{gcp.DEPLOYER_SA}"


def _pool(name: str, machine_type: str, labels: dict, *, node_count: int | None = None,
          autoscaling: tuple | None = None, taint_effect: str = "NO_SCHEDULE",
          oauth_scopes: tuple = ("https://www.googleapis.com/auth/cloud-platform",)) -> dict:
    pool = {
        "name": name, "cluster": "${google_container_cluster.cluster.id}",
        "location": REGION, "project": gcp.PROJECT,
        "version": "${google_container_cluster.cluster.master_version}",
        "management": [{"auto_repair": True, "auto_upgrade": True}],
        "node_config": [{
            "machine_type": machine_type, "labels": labels,
            "taint": [{"key": "dedicated", "value": name, "effect": taint_effect}],
            "resource_labels": {"fleetform-pool": name},
            "oauth_scopes": list(oauth_scopes)}],
    }
    if autoscaling:
        pool.update(autoscaling=[{"min_node_count": autoscaling[0],
                                  "max_node_count": autoscaling[1]}],
                    initial_node_count=autoscaling[0],
                    lifecycle={"ignore_changes": ["node_count"]})
    else:
        pool["node_count"] = node_count
    return pool


def gke_stack(version: str = FIRST_VERSION, node_count: int = 2, labels: dict | None = None,
              edge_machine_type: str = "n2-standard-4", deletion_protection: bool = False,
              exec_args: list | None = None, precondition: bool = True,
              cluster_labels: dict | None = None, extra_pools: dict | None = None,
              default_pool_name: str = "default",
              default_scopes: tuple = ("https://www.googleapis.com/auth/cloud-platform",)
              ) -> dict:
    """A GKE cluster's stack as fleetform synthesizes it (spec), in Terraform JSON."""
    plugin = {"api_version": "client.authentication.k8s.io/v1beta1",
              "command": "gke-gcloud-auth-plugin"}
    plugin["args"] = [ADC_FLAG] if exec_args is None else exec_args
    if not plugin["args"]:
        del plugin["args"]
    cluster = {
        "name": NAME, "location": REGION, "project": gcp.PROJECT,
        "remove_default_node_pool": True, "initial_node_count": 1,
        "deletion_protection": deletion_protection, "min_master_version": version,
        "release_channel": [{"channel": "UNSPECIFIED"}],
        "resource_labels": cluster_labels if cluster_labels is not None
        else {"fleetform-cluster": NAME},
    }
    if precondition:
        cluster["lifecycle"] = {"precondition": [{
            "condition": "${contains(data.google_container_engine_versions.offered"
                         f'.valid_master_versions, "{version}")}}',
            "error_message": f"GKE does not offer Kubernetes {version} in {REGION}"}]}
    pools = {
        "pool-default": _pool(default_pool_name, "e2-standard-4",
                              labels if labels is not None else {"pool": "default"},
                              node_count=node_count, oauth_scopes=default_scopes),
        "pool-edge": _pool("edge", edge_machine_type, {"pool": "edge"}, autoscaling=(1, 3),
                           taint_effect="NO_EXECUTE"),
        **(extra_pools or {}),
    }
    return {
        "terraform": {"required_providers": {
            "google": {"source": "hashicorp/google", "version": "7.45.0"},
            "kubernetes": {"source": "hashicorp/kubernetes", "version": "2.38.0"}}},
        "provider": {
            "google": [{"project": gcp.PROJECT}],
            "kubernetes": [{
                "host": "https://${google_container_cluster.cluster.endpoint}",
                "cluster_ca_certificate": "${base64decode(google_container_cluster.cluster"
                                          ".master_auth[0].cluster_ca_certificate)}",
                "exec": [plugin]}]},
        "data": {
            "google_container_engine_versions": {
                "versions": {"location": REGION, "version_prefix": "1.33."},
                "offered": {"location": REGION}},
            "google_compute_machine_types": {"types": {
                "zone": ZONE, "filter": 'name = "e2-standard-4"'}},
            "google_client_config": {"current": {}},
        },
        "resource": {
            "google_container_cluster": {"cluster": cluster},
            "google_container_node_pool": pools,
            "kubernetes_service_account_v1": {"deployer": {
                "metadata": [{"name": "fleetform-deployer", "namespace": "kube-system"}]}},
        },
        "output": {
            "latest_133": {"value": "${data.google_container_engine_versions.versions"
                                    ".latest_master_version}"},
            "machine_types": {"value": "${data.google_compute_machine_types.types"
                                       ".machine_types[*].name}"},
        },
    }


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    try:
        terraform_binary()
    except TerraformMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    ws = Workspace(tmp_path_factory.mktemp("google") / "ws")
    ws.put_stack(STACK, gke_stack())
    ws.init(STACK)
    result = ws.apply(STACK)
    return ws, result


def _copy(applied, tmp_path) -> Workspace:
    return applied[0].copy(tmp_path / "ws")


def _one_line(result) -> str:
    return " ".join(result.output.replace("│", " ").split())


def _cluster(ws: Workspace) -> dict:
    return ws.cloud()["clusters"][CLUSTER_ID]


def _pools(ws: Workspace) -> dict:
    return {p["name"]: p for p in ws.cloud()["google"]["node_pools"].values()}


def _change(plan: dict, address: str) -> dict:
    return next(c["change"] for c in plan["resource_changes"] if c["address"] == address)


# --- from empty state ----------------------------------------------------------------------

def test_the_stack_applies_from_empty_state_with_workload_identity(applied):
    ws, result = applied
    assert result.returncode == 0, result.output[-6000:]
    cluster = _cluster(ws)
    assert (cluster["master_version"], cluster["release_channel"]) == (FIRST_VERSION,
                                                                       "UNSPECIFIED")
    assert cluster["labels"] == {"fleetform-cluster": NAME, "goog-terraform-provisioned": "true"}
    pools = _pools(ws)
    # remove_default_node_pool: only the two pools of the stack remain
    assert sorted(pools) == ["default", "edge"]
    assert pools["default"]["size"] == 2 and pools["default"]["version"] == FIRST_VERSION
    assert pools["edge"]["autoscaling"]["max_node_count"] == 3
    assert pools["edge"]["node_config"]["taints"] == [
        {"key": "dedicated", "value": "edge", "effect": "NO_EXECUTE"}]
    assert pools["default"]["locations"] == gcp.zones(REGION)
    # the ServiceAccount went to the cluster, authenticated by the plugin's token
    assert "kubernetes_service_account_v1/kube-system/fleetform-deployer" in \
        ws.cloud()["objects"][CLUSTER_ID]
    assert ["gke-gcloud-auth-plugin", ADC_FLAG, 0] in ws.cloud()["exec"]
    assert [e for e in ws.cloud()["log"] if e[1] == NAME][-1][0::3] == ["ok", DEPLOYER]
    # every Google API call was the impersonated deployer's
    assert {c[1] for c in ws.cloud()["google"]["calls"]} == {DEPLOYER}
    assert ws.outputs(STACK)["latest_133"]["value"] == NEXT_VERSION
    assert ws.outputs(STACK)["machine_types"]["value"] == ["e2-standard-4"]


def test_the_state_holds_what_the_provider_reads(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.run(STACK, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color").check()
    state = json.loads(ws.run(STACK, "show", "-json").check().stdout)
    resources = {r["address"]: r["values"] for r in
                 state["values"]["root_module"]["resources"]}
    cluster = resources["google_container_cluster.cluster"]
    assert cluster["id"] == CLUSTER_ID
    assert cluster["endpoint"] == _cluster(ws)["ip"]
    assert cluster["master_auth"][0]["cluster_ca_certificate"] == _cluster(ws)["ca"]
    assert cluster["deletion_policy"] == "DELETE"
    assert cluster["terraform_labels"] == {"fleetform-cluster": NAME,
                                           "goog-terraform-provisioned": "true"}
    # the cluster's node_pool lists the separately managed pools (the SDK reads them all)
    assert sorted(p["name"] for p in cluster["node_pool"]) == ["default", "edge"]
    pool = resources["google_container_node_pool.pool-default"]
    assert pool["id"] == f"{CLUSTER_ID}/nodePools/default"
    assert len(pool["instance_group_urls"]) == 3
    assert pool["node_config"][0]["effective_taints"] == [
        {"key": "dedicated", "value": "default", "effect": "NO_SCHEDULE"}]
    config = resources["data.google_client_config.current"]
    assert config["project"] == gcp.PROJECT and config["access_token"].startswith("ya29.")


# --- later plans ---------------------------------------------------------------------------

def test_a_plan_two_hours_later_has_no_changes_and_a_fresh_token(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.advance_clock(TWO_HOURS)
    runs = len(ws.cloud()["exec"])

    result = ws.plan(STACK)
    assert result.returncode == 0, result.output[-4000:]
    assert changes(ws.plan_json(STACK)) == {}
    # the refresh of the ServiceAccount ran the plugin again, and GKE took its new token
    assert len(ws.cloud()["exec"]) > runs
    last = [e for e in ws.cloud()["log"] if e[1] == NAME][-1]
    assert last[0] == "ok" and last[3] == DEPLOYER


def test_an_in_place_change_keeps_endpoint_and_ca_known(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, gke_stack(node_count=3, labels={"pool": "default", "tier": "edge"},
                                  cluster_labels={"fleetform-cluster": NAME, "team": "edge"}))

    ws.plan(STACK).check()
    plan = ws.plan_json(STACK)
    assert changes(plan) == {"google_container_cluster.cluster": ["update"],
                             "google_container_node_pool.pool-default": ["update"]}
    after = _change(plan, "google_container_cluster.cluster")["after"]
    cluster = _cluster(ws)
    # no CustomizeDiff marks them new-computed: the kubernetes provider works in this plan
    assert after["endpoint"] == cluster["ip"]
    assert after["master_auth"][0]["cluster_ca_certificate"] == cluster["ca"]
    # the attribution label stays (it is in effective_labels already)
    assert after["effective_labels"] == {"fleetform-cluster": NAME, "team": "edge",
                                         "goog-terraform-provisioned": "true"}
    ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan").check()

    pools = _pools(ws)
    assert pools["default"]["size"] == 3
    assert pools["default"]["node_config"]["labels"] == {"pool": "default", "tier": "edge"}
    assert _cluster(ws)["labels"]["team"] == "edge"
    ws.plan(STACK).check()
    assert changes(ws.plan_json(STACK)) == {}


def test_a_master_upgrade_reaches_the_pools_one_apply_later(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, gke_stack(version=NEXT_VERSION))

    ws.plan(STACK).check()
    plan = ws.plan_json(STACK)
    assert changes(plan) == {"google_container_cluster.cluster": ["update"]}
    after = _change(plan, "google_container_cluster.cluster")["after"]
    # master_version is computed-only and kept from state: the pools read the old one
    assert after["master_version"] == FIRST_VERSION
    assert after["endpoint"] == _cluster(ws)["ip"]
    ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan").check()
    assert _cluster(ws)["master_version"] == NEXT_VERSION
    assert {p["version"] for p in _pools(ws).values()} == {FIRST_VERSION}

    ws.plan(STACK).check()
    assert changes(ws.plan_json(STACK)) == {"google_container_node_pool.pool-default": ["update"],
                                            "google_container_node_pool.pool-edge": ["update"]}
    ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan").check()
    assert {p["version"] for p in _pools(ws).values()} == {NEXT_VERSION}


def test_a_master_upgrade_with_a_pool_change_fails_the_final_plan(applied, tmp_path):
    # A pool planned for an update with version = the old master_version is planned again
    # during apply with the new one: Terraform refuses the inconsistent final plan.
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, gke_stack(version=NEXT_VERSION, node_count=3))

    ws.plan(STACK).check()
    result = ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan")

    assert result.returncode != 0
    message = _one_line(result)
    assert "Provider produced inconsistent final plan" in message
    assert f'.version: was cty.StringVal("{FIRST_VERSION}"), but now ' \
           f'cty.StringVal("{NEXT_VERSION}")' in message
    assert _cluster(ws)["master_version"] == NEXT_VERSION  # the cluster was upgraded


def test_machine_type_updates_in_place_and_forcenew_fields_replace(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    # v7.45.0 updates node_config.machine_type in place (UpdateNodePool); the pool's name and
    # node_config.oauth_scopes are ForceNew.
    ws.put_stack(STACK, gke_stack(edge_machine_type="n2-standard-8", default_pool_name="main",
                                  default_scopes=(gcp.CLOUD_PLATFORM, gcp.USERINFO_EMAIL)))

    ws.plan(STACK).check()
    plan = ws.plan_json(STACK)
    assert changes(plan) == {"google_container_node_pool.pool-default": ["delete", "create"],
                             "google_container_node_pool.pool-edge": ["update"]}
    replaced = {tuple(p) for p in plan["resource_changes"][
        [c["address"] for c in plan["resource_changes"]].index(
            "google_container_node_pool.pool-default")]["change"].get("replace_paths", [])}
    assert ("name",) in replaced and ("node_config", 0, "oauth_scopes") in replaced
    ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan").check()
    assert sorted(_pools(ws)) == ["edge", "main"]
    assert _pools(ws)["edge"]["node_config"]["machine_type"] == "n2-standard-8"


# --- failures ------------------------------------------------------------------------------

def test_no_credentials_fail_as_the_provider_does(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    result = ws.plan(STACK, env=gcp.NO_GOOGLE_CREDENTIALS)

    assert result.returncode != 0
    assert "Attempted to load application default credentials since neither `credentials` " \
           "nor `access_token` was set in the provider block. No credentials loaded. To use " \
           "your gcloud credentials, run 'gcloud auth application-default login'. Original " \
           "error: google: could not find default credentials. See " \
           "https://cloud.google.com/docs/authentication/external/set-up-adc for more " \
           "information" in _one_line(result)


def test_an_unknown_machine_type_is_refused_by_gke_at_create(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, gke_stack(extra_pools={"pool-big": _pool(
        "big", "e2-standard-99", {"pool": "big"}, node_count=1)}))

    ws.plan(STACK).check()
    assert changes(ws.plan_json(STACK)) == {"google_container_node_pool.pool-big": ["create"]}
    result = ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan")

    assert result.returncode != 0
    assert 'error creating NodePool: googleapi: Error 400: Machine type "e2-standard-99" ' \
           f'does not exist in zone "{REGION}-b"., badRequest' in _one_line(result)
    assert "big" not in _pools(ws)


def test_an_unknown_version_fails_the_precondition_or_the_api(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.put_stack(STACK, gke_stack(version="1.99.0-gke.1"))
    ws.init(STACK)
    result = ws.plan(STACK)
    assert result.returncode != 0
    assert "GKE does not offer Kubernetes 1.99.0-gke.1 in europe-west1" in _one_line(result)

    ws.put_stack(STACK, gke_stack(version="1.99.0-gke.1", precondition=False))
    result = ws.apply(STACK)
    assert result.returncode != 0
    assert 'googleapi: Error 400: Master version "1.99.0-gke.1" is unsupported., badRequest' \
        in _one_line(result)
    assert ws.cloud()["clusters"] == {}


def test_deletion_protection_refuses_the_destroy(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, gke_stack(deletion_protection=True))
    ws.apply(STACK).check()  # an update of the state only

    result = ws.run(STACK, "destroy", "-auto-approve", "-input=false", "-no-color")

    assert result.returncode != 0
    assert "Cannot destroy cluster because deletion_protection is set to true. Set it to " \
           "false to proceed with cluster deletion." in _one_line(result)
    assert CLUSTER_ID in ws.cloud()["clusters"]


def test_the_plugin_without_its_adc_flag_needs_gcloud(applied, tmp_path):
    # The spec's exec block names the command only: the real plugin then runs
    # `gcloud config config-helper`, not ADC.
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, gke_stack(exec_args=[]))

    result = ws.plan(STACK)

    assert result.returncode != 0
    message = _one_line(result)
    assert "getting credentials: exec: executable gke-gcloud-auth-plugin failed with exit " \
           "code 1" in message, message
    assert "print credential failed with error: failed to retrieve access token: failure " \
           "while executing gcloud, with args [config config-helper --format=json]: exec: " \
           '"gcloud": executable file not found in $PATH' in message


# --- the fake plugin and GKE's authentication alone -------------------------------------------

def _plugin(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["gke-gcloud-auth-plugin", *args], env=_environment(env),
                          capture_output=True, text=True, timeout=60)


def _kube(ws: Workspace, token: str) -> dict:
    cluster = _cluster(ws)
    return {"host": cluster["endpoint"], "cluster_ca_certificate": cluster["ca_pem"],
            "token": token}


def test_the_plugin_prints_an_exec_credential_valid_one_hour(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    proc = _plugin(ws.env, ADC_FLAG)

    assert proc.returncode == 0, proc.stderr
    credential = json.loads(proc.stdout)
    assert (credential["kind"], credential["apiVersion"]) == (
        "ExecCredential", "client.authentication.k8s.io/v1beta1")
    assert credential["spec"] == {"interactive": False}
    now = ws.cloud()["now"]
    assert credential["status"]["expirationTimestamp"] == gcp.iso(now, 3600)
    with clouds.opened(ws.cloud_file) as cloud:
        claims, why = gcp.token_claims(cloud, credential["status"]["token"])
    assert why == "ok" and claims["p"] == DEPLOYER


def test_gke_takes_tokens_for_an_hour_and_only_from_principals_of_the_project(applied,
                                                                              tmp_path):
    ws = _copy(applied, tmp_path)
    token = json.loads(_plugin(ws.env, ADC_FLAG).stdout)["status"]["token"]
    config, forged = _kube(ws, token), _kube(ws, "ya29.not-from-google")
    with clouds.opened(ws.cloud_file) as cloud:
        assert clouds.kube_api(cloud, config, "GET /version") == CLUSTER_ID
    ws.advance_clock(3600)
    with clouds.opened(ws.cloud_file) as cloud:
        with pytest.raises(clouds.ApiError, match="^GET /version: Unauthorized$"):
            clouds.kube_api(cloud, config, "GET /version")
        assert cloud["log"][-1][0] == "expired"
        with pytest.raises(clouds.ApiError, match="Unauthorized"):
            clouds.kube_api(cloud, forged, "GET /version")
    # a key of a service account with no role on the project: authenticated, forbidden
    outsider = f"outsider@{gcp.PROJECT}.iam.gserviceaccount.com"
    env = _environment(ws.env, gcp.service_account_key_env(ws.root, ws.cloud_file, outsider))
    config = _kube(ws, json.loads(_plugin(env, ADC_FLAG).stdout)["status"]["token"])
    with clouds.opened(ws.cloud_file) as cloud:
        with pytest.raises(clouds.ApiError, match='Forbidden: User "outsider@'):
            clouds.kube_api(cloud, config, "GET /api/v1/namespaces")
        gcp.grant(cloud, f"serviceAccount:{outsider}", "roles/container.viewer")
    with clouds.opened(ws.cloud_file) as cloud:
        clouds.kube_api(cloud, config, "GET /api/v1/namespaces")
        with pytest.raises(clouds.ApiError, match="Forbidden"):
            clouds.kube_api(cloud, config, "POST /api/v1/namespaces")


def test_the_plugin_reads_adc_not_the_providers_variables(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    none = _plugin(_environment(ws.env, gcp.NO_GOOGLE_CREDENTIALS), ADC_FLAG)
    assert none.returncode == 1 and none.stdout == ""
    assert "print credential failed with error: failed to retrieve access token: getting " \
           "google default token failed after multiple retries: cannot construct google " \
           "default token source: google: could not find default credentials. See " \
           "https://cloud.google.com/docs/authentication/external/set-up-adc for more " \
           "information" in none.stderr
    assert none.stderr.startswith("F0528 ")
    # GOOGLE_OAUTH_ACCESS_TOKEN is the provider's, not ADC
    token_env = gcp.access_token_env(ws.cloud_file)
    assert _plugin(_environment(ws.env, token_env), ADC_FLAG).returncode == 1
    # gcloud's ADC file (gcloud auth application-default login) is ADC
    adc = gcp.gcloud_adc_env(ws.root, ws.cloud_file, "ops@example.com",
                             roles=("roles/container.admin",))
    proc = _plugin(_environment(ws.env, adc), ADC_FLAG)
    assert proc.returncode == 0, proc.stderr
    # CLOUDSDK_AUTH_ACCESS_TOKEN (gcloud mode): sent as it is, with no expiry
    sdk = gcp.access_token_env(ws.cloud_file, variable="CLOUDSDK_AUTH_ACCESS_TOKEN")
    credential = json.loads(_plugin(_environment(ws.env, sdk)).stdout)
    assert credential["status"] == {"token": sdk["CLOUDSDK_AUTH_ACCESS_TOKEN"]}


def test_a_gitlab_job_of_another_project_cannot_impersonate_the_deployer(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    env = _environment(ws.env, gcp.workload_identity_env(ws.root, ws.cloud_file,
                                                          project_path="someone/else"))
    proc = _plugin(env, ADC_FLAG)
    assert proc.returncode == 1
    assert "cannot retrieve default token from google default token source: " \
           "oauth2/google/externalaccount: unable to generate access token; IAM returned " \
           "status code 403" in proc.stderr


# --- the behaviours alone (no Terraform) ------------------------------------------------------

@pytest.fixture
def bare(tmp_path, monkeypatch):
    """A new cloud, and this process's environment the pipeline's (as a provider's is)."""
    ws = Workspace(tmp_path / "ws")
    for name in gcp.CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in _environment(ws.env).items():
        monkeypatch.setenv(name, value)
    return ws


def _behave(ws: Workspace, type_name: str, op: str, *args, config: dict | None = None):
    import standin

    with clouds.opened(ws.cloud_file) as cloud:
        return standin.BEHAVIOUR[type_name][op](
            standin.Ctx(cloud, config or {"project": gcp.PROJECT}, "google"), *args)


def test_engine_versions_filter_by_prefix_and_leave_latest_unset(bare):
    out = _behave(bare, "google_container_engine_versions", "data",
                  {"location": REGION, "version_prefix": "1.34."})
    assert out["valid_master_versions"] == ["1.34.4-gke.1047000", "1.34.3-gke.1318000"]
    assert out["latest_master_version"] == "1.34.4-gke.1047000"
    assert out["release_channel_default_version"]["REGULAR"] == "1.34.3-gke.1318000"
    assert out["release_channel_latest_version"] == {"RAPID": "1.34.4-gke.1047000",
                                                     "REGULAR": "1.34.4-gke.1047000"}
    none = _behave(bare, "google_container_engine_versions", "data",
                   {"location": REGION, "version_prefix": "1.40."})
    assert none["latest_master_version"] is None and none["valid_master_versions"] == []
    with pytest.raises(clouds.ApiError, match="^Cannot determine location"):
        _behave(bare, "google_container_engine_versions", "data", {})


def test_machine_types_filter_and_zones(bare):
    def names(zone: str, flt: str | None) -> list:
        out = _behave(bare, "google_compute_machine_types", "data", {"zone": zone, "filter": flt})
        return [m["name"] for m in out["machine_types"]]

    assert names(ZONE, 'name = "e2-standard-4"') == ["e2-standard-4"]
    assert names(ZONE, "name = t2a-standard-*") == []  # no Arm machines in europe-west1
    assert names("europe-west4-a", 'name = "t2a-*" AND guestCpus >= 4') == [
        "t2a-standard-4", "t2a-standard-8"]
    with pytest.raises(clouds.ApiError, match="Invalid list filter expression"):
        names(ZONE, "cpus = 4")
    with pytest.raises(clouds.ApiError, match="googleapi: Error 404: The resource "
                                              f"'projects/{gcp.PROJECT}/zones/' was not found"):
        names("", None)


def test_client_config_returns_the_credentials_token(bare):
    out = _behave(bare, "google_client_config", "data", {},
                  config={"project": gcp.PROJECT, "region": REGION})
    assert out["id"] == f"projects/{gcp.PROJECT}/regions/{REGION}/zones/"
    with clouds.opened(bare.cloud_file) as cloud:
        assert gcp.token_claims(cloud, out["access_token"])[0]["p"] == DEPLOYER


def test_the_provider_takes_an_access_token_and_google_refuses_an_expired_one(bare,
                                                                             monkeypatch):
    env = gcp.access_token_env(bare.cloud_file)
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    out = _behave(bare, "google_client_config", "data", {})
    assert out["access_token"] == env["GOOGLE_OAUTH_ACCESS_TOKEN"]
    bare.advance_clock(3600)
    with pytest.raises(clouds.ApiError, match="^Error retrieving available container cluster "
                       "versions: googleapi: Error 401: Request had invalid authentication "
                       "credentials"):
        _behave(bare, "google_container_engine_versions", "data", {"location": REGION})


def test_a_cluster_name_is_validated_as_the_provider_does():
    import standin_google

    assert standin_google.cluster_validate({"name": "edge-gke"}) == []
    assert standin_google.cluster_validate({"name": "Edge_"}) == [
        '"name" can only contain lowercase letters, numbers and hyphens',
        '"name" must start with a letter', '"name" must end with a number or a letter']
    assert standin_google.node_pool_validate({"node_config": [{"taint": [
        {"key": "a", "value": "b", "effect": "NoSchedule"}]}]}) == [
        'expected node_config.0.taint.0.effect to be one of ["NO_SCHEDULE" '
        '"PREFER_NO_SCHEDULE" "NO_EXECUTE"], got NoSchedule']
