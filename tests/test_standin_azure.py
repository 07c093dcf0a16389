"""The azurerm stand-in and its fake Azure, proved with hand-written Terraform JSON.

The stack is what an AKS cluster's synthesized stack holds (spec: a resource group,
the cluster with its default pool, one further pool, the location and versions data
sources), plus a kubernetes provider configured from the cluster's ``kube_config``
(its local-account client certificate) and one ServiceAccount on the cluster. It is
applied once from empty state, as the GitLab pipeline's app registration (OIDC with
an ID token file); each test then works on a copy. Tests of the fake Azure and of
AKS's authentication alone run no Terraform.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))

import cloud as clouds  # noqa: E402
import cloud_azure  # noqa: E402
from harness import (TerraformMissing, Workspace, _environment, changes,  # noqa: E402
                     deferred_reads, terraform_binary)

LOCATION, NAME, STACK = "westeurope", "edge-aks", "aks"
GROUP = f"{NAME}-aks"
CLUSTER = "azurerm_kubernetes_cluster.cluster"
POOL = "azurerm_kubernetes_cluster_node_pool.pool-workers"
KUBE = "azurerm_kubernetes_cluster.cluster.kube_config[0]"
TWO_YEARS = 2 * 365 * 24 * 3600


def aks_stack(prefix: str = "1.33.", count: int = 2, tags: dict | None = None,
              vm_size: str = "Standard_D4ds_v5", temporary: str | None = "systemtmp",
              dns_prefix: str = NAME, location: str = LOCATION,
              extra_pool: dict | None = None) -> dict:
    """An AKS cluster's stack as fleetform synthesizes it (spec), in Terraform JSON."""
    tags = tags if tags is not None else {"fleetform/cluster": NAME}
    version = "${data.azurerm_kubernetes_service_versions.versions.latest_version}"
    default_pool = {"name": "system", "vm_size": vm_size, "node_count": count,
                    "node_labels": {"pool": "system"}, "orchestrator_version": version,
                    "tags": tags}
    if temporary:
        default_pool["temporary_name_for_rotation"] = temporary
    pools = {"pool-workers": {
        "name": "workers", "kubernetes_cluster_id": f"${{{CLUSTER}.id}}",
        "vm_size": "Standard_D4s_v5", "auto_scaling_enabled": True, "min_count": 1,
        "max_count": 3, "node_labels": {"pool": "workers"},
        "node_taints": ["dedicated=workers:NoSchedule"], "orchestrator_version": version,
        "tags": tags}}
    if extra_pool:
        pools["pool-extra"] = dict(extra_pool, kubernetes_cluster_id=f"${{{CLUSTER}.id}}")
    return {
        "terraform": {"required_providers": {
            "azurerm": {"source": "hashicorp/azurerm", "version": "4.81.0"},
            "kubernetes": {"source": "hashicorp/kubernetes", "version": "2.38.0"}}},
        "provider": {
            "azurerm": [{"features": [{}], "subscription_id": cloud_azure.SUBSCRIPTION_ID}],
            "kubernetes": [{
                "host": f"${{{KUBE}.host}}",
                "client_certificate": f"${{base64decode({KUBE}.client_certificate)}}",
                "client_key": f"${{base64decode({KUBE}.client_key)}}",
                "cluster_ca_certificate": f"${{base64decode({KUBE}.cluster_ca_certificate)}}"}]},
        "data": {
            "azurerm_location": {"location": {"location": location}},
            "azurerm_kubernetes_service_versions": {
                "versions": {"location": "${data.azurerm_location.location.location}",
                             "version_prefix": prefix, "include_preview": False},
                "offered": {"location": "${data.azurerm_location.location.location}"}},
        },
        "resource": {
            "azurerm_resource_group": {"group": {"name": GROUP, "location": location,
                                                 "tags": tags}},
            "azurerm_kubernetes_cluster": {"cluster": {
                "name": NAME, "location": "${azurerm_resource_group.group.location}",
                "resource_group_name": "${azurerm_resource_group.group.name}",
                "dns_prefix": dns_prefix, "kubernetes_version": version, "sku_tier": "Free",
                "tags": tags, "local_account_disabled": False,
                "identity": [{"type": "SystemAssigned"}],
                "default_node_pool": [default_pool],
                "lifecycle": {"precondition": [{
                    "condition": "${data.azurerm_kubernetes_service_versions.versions"
                                 '.latest_version != "0.0.0"}',
                    "error_message": f"AKS offers no Kubernetes {prefix}x in {location}"}]}}},
            "azurerm_kubernetes_cluster_node_pool": pools,
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
    ws = Workspace(tmp_path_factory.mktemp("azure") / "ws")
    ws.put_stack(STACK, aks_stack())
    ws.init(STACK)
    result = ws.apply(STACK)
    return ws, result


def _copy(applied, tmp_path) -> Workspace:
    return applied[0].copy(tmp_path / "ws")


def _one_line(result) -> str:
    return " ".join(result.output.replace("│", " ").split())


def _aks(ws: Workspace, name: str = NAME) -> dict:
    (found,) = [c for c in cloud_azure.aks_clusters(ws.cloud()) if c["name"] == name]
    return found


def _change(plan: dict, address: str) -> dict:
    return next(c["change"] for c in plan["resource_changes"] if c["address"] == address)


def _state_resource(ws: Workspace, address: str) -> dict:
    shown = json.loads(ws.run(STACK, "show", "-json").check().stdout)
    return next(r for r in shown["values"]["root_module"]["resources"]
                if r["address"] == address)


# --- from empty state ----------------------------------------------------------------------

def test_the_stack_applies_from_empty_state_as_the_pipelines_app(applied):
    ws, result = applied
    assert result.returncode == 0, result.output[-6000:]
    cluster = _aks(ws)
    assert (cluster["location"], cluster["version"], cluster["current_version"]) == \
        (LOCATION, "1.33.7", "1.33.7")
    assert cluster["resource_group"] == GROUP and cluster["creator"] == cloud_azure.DEPLOYER_APP
    assert cluster["fqdn"].startswith(f"{NAME}-") and \
        cluster["fqdn"].endswith(f".hcp.{LOCATION}.azmk8s.io")
    assert cluster["endpoint"] == f"https://{cluster['fqdn']}:443"
    system, workers = cluster["pools"]["system"], cluster["pools"]["workers"]
    assert (system["mode"], system["vm_size"], system["count"]) == \
        ("System", "Standard_D4ds_v5", 2)
    assert (workers["mode"], workers["auto_scaling"], workers["min_count"],
            workers["max_count"], workers["count"]) == ("User", True, 1, 3, 1)
    assert workers["taints"] == ["dedicated=workers:NoSchedule"]
    assert ws.cloud()["azure"]["resource_groups"][GROUP.lower()]["location"] == LOCATION
    objects = ws.cloud()["objects"][cluster["id"]]
    assert "kubernetes_service_account_v1/kube-system/fleetform-deployer" in objects
    calls = ws.cloud()["azure"]["calls"]
    assert calls and all(app == cloud_azure.DEPLOYER_APP and outcome == "ok"
                         for _, app, outcome in calls)


def test_kube_config_holds_the_local_accounts_base64_certificate_valid_two_years(applied):
    ws, _ = applied
    cluster = _aks(ws)
    values = _state_resource(ws, CLUSTER)["values"]
    (kube,) = values["kube_config"]
    assert kube["host"] == cluster["endpoint"]
    assert kube["username"] == f"clusterUser_{GROUP}_{NAME}"
    assert base64.b64decode(kube["client_certificate"]).decode() == cluster["client_cert_pem"]
    assert base64.b64decode(kube["client_key"]).decode().startswith(
        "-----BEGIN RSA PRIVATE KEY-----")
    assert base64.b64decode(kube["cluster_ca_certificate"]).decode() == cluster["ca_pem"]
    assert values["kube_admin_config"] == []  # no Entra ID integration: no admin config
    assert "client-certificate-data: " + kube["client_certificate"] in values["kube_config_raw"]
    from cryptography import x509
    cert = x509.load_pem_x509_certificate(cluster["client_cert_pem"].encode())
    assert cert.subject.rfc4514_string() == "CN=masterclient,O=system:masters"
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert lifetime.total_seconds() == TWO_YEARS
    assert int(cert.not_valid_before_utc.timestamp()) == ws.cloud()["now"]


def test_the_kubernetes_provider_authenticated_with_the_client_certificate(applied):
    ws, _ = applied
    entries = [e for e in ws.cloud()["log"] if e[1] == NAME]
    assert entries and all(e[0] == "ok" and e[3] == "masterclient" for e in entries)


def test_the_data_sources_read_as_the_provider_does(applied):
    ws, _ = applied
    shown = json.loads(ws.run(STACK, "show", "-json").check().stdout)
    data = {r["address"]: r["values"] for r in shown["values"]["root_module"]["resources"]
            if r["mode"] == "data"}
    versions = data["data.azurerm_kubernetes_service_versions.versions"]
    assert (versions["versions"], versions["latest_version"], versions["default_version"]) == \
        (["1.33.6", "1.33.7"], "1.33.7", "1.33.7")
    offered = data["data.azurerm_kubernetes_service_versions.offered"]
    assert offered["include_preview"] is True and offered["latest_version"] == "1.35.1"
    location = data["data.azurerm_location.location"]
    assert location["display_name"] == "West Europe"
    assert sorted(z["logical_zone"] for z in location["zone_mappings"]) == ["1", "2", "3"]


# --- later ---------------------------------------------------------------------------------

def test_a_plan_a_month_later_changes_nothing_and_authenticates(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.advance_clock(30 * 24 * 3600)
    before = len(ws.cloud()["log"])

    result = ws.plan(STACK, "-detailed-exitcode")

    assert result.returncode == 0, result.output[-6000:]
    plan = ws.plan_json(STACK)
    assert changes(plan) == {} and deferred_reads(plan) == []
    refreshed = ws.cloud()["log"][before:]
    assert refreshed and refreshed[-1][:2] == ["ok", NAME] and refreshed[-1][3] == "masterclient"


def test_an_in_place_update_plans_kube_config_known_and_applies(applied, tmp_path):
    """Node count, tags and version change in place; kube_config stays known in the plan
    (the cluster's CustomizeDiff marks only oidc_issuer_url new-computed), so the
    kubernetes provider keeps working in the same plan."""
    ws = _copy(applied, tmp_path)
    before = _state_resource(ws, CLUSTER)["values"]["kube_config"]
    ws.put_stack(STACK, aks_stack(prefix="1.34.", count=3,
                                  tags={"fleetform/cluster": NAME, "team": "edge"}))

    ws.plan(STACK).check()
    plan = ws.plan_json(STACK)

    assert changes(plan) == {CLUSTER: ["update"], POOL: ["update"],
                             "azurerm_resource_group.group": ["update"]}
    cluster = _change(plan, CLUSTER)
    assert "kube_config" not in cluster["after_unknown"]
    assert "kube_config_raw" not in cluster["after_unknown"]
    assert cluster["after"]["kube_config"] == before
    assert cluster["after"]["kubernetes_version"] == "1.34.3"
    assert cluster["after"]["default_node_pool"][0]["node_count"] == 3
    assert cluster["after_sensitive"]["kube_config"] == [{}] or \
        cluster["after_sensitive"]["kube_config"] is True
    assert deferred_reads(plan) == []

    ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan").check()
    aks = _aks(ws)
    assert (aks["version"], aks["current_version"]) == ("1.34.3", "1.34.3")
    assert aks["tags"] == {"fleetform/cluster": NAME, "team": "edge"}
    assert aks["pools"]["system"]["count"] == 3
    assert aks["pools"]["system"]["orchestrator_version"] == "1.34.3"
    assert aks["pools"]["workers"]["orchestrator_version"] == "1.34.3"
    assert ws.run(STACK, "plan", "-detailed-exitcode", "-input=false", "-no-color").returncode \
        == 0


def test_a_replacement_plans_kube_config_unknown(applied, tmp_path):
    """A ForceNew change (dns_prefix) replaces the cluster: its credentials are unknown
    in the plan, so a provider configured from them cannot reach the cluster while
    planning (client-go with no host dials localhost), as with the real providers."""
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, aks_stack(dns_prefix="edge-aks-2"))

    result = ws.plan(STACK)

    assert result.returncode != 0
    assert "Error: GET /kubernetes_service_account_v1/kube-system/fleetform-deployer: Get " \
           '"http://localhost/kubernetes_service_account_v1/kube-system/fleetform-deployer": ' \
           "dial tcp [::1]:80: connect: connection refused" in result.output
    assert "azurerm_kubernetes_cluster.cluster must be replaced" in result.output
    ws.plan(STACK, f"-target={CLUSTER}", f"-target={POOL}").check()
    plan = ws.plan_json(STACK)
    assert changes(plan) == {CLUSTER: ["delete", "create"], POOL: ["delete", "create"]}
    cluster = _change(plan, CLUSTER)
    assert cluster["after_unknown"]["kube_config"] is True
    assert cluster["after_unknown"]["fqdn"] is True
    assert cluster["after"]["dns_prefix"] == "edge-aks-2"
    # the pool's kubernetes_cluster_id (ForceNew) is unknown now: the pool is replaced too
    assert _change(plan, POOL)["after_unknown"]["kubernetes_cluster_id"] is True


def test_a_default_pool_resize_needs_a_temporary_name_to_rotate_in_place(applied, tmp_path):
    """vm_size is not ForceNew: the plan is an update either way; without
    temporary_name_for_rotation the update fails as resourceKubernetesClusterUpdate says."""
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, aks_stack(vm_size="Standard_D8s_v5", temporary=None))

    ws.plan(STACK).check()
    assert changes(ws.plan_json(STACK)) == {CLUSTER: ["update"]}
    result = ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan")

    assert result.returncode != 0
    assert "`temporary_name_for_rotation` must be specified when updating any of the " \
           'following properties ["default_node_pool.0.name" ' in _one_line(result)
    assert '"default_node_pool.0.vm_size" "default_node_pool.0.zones"]' in _one_line(result)

    ws.put_stack(STACK, aks_stack(vm_size="Standard_D8s_v5"))
    ws.plan(STACK).check()
    assert changes(ws.plan_json(STACK)) == {CLUSTER: ["update"]}
    ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan").check()
    assert _aks(ws)["pools"]["system"]["vm_size"] == "Standard_D8s_v5"
    rotation = [c[0].split("managedClusters/")[1] for c in ws.cloud()["azure"]["calls"]
                if "/agentPools/" in c[0]]
    assert rotation[-4:] == ["agentPools/systemtmp/write", "agentPools/system/delete",
                             "agentPools/system/write", "agentPools/systemtmp/delete"]


# --- failures as the real ones -------------------------------------------------------------

def test_without_credentials_the_plan_fails_with_the_providers_message(applied, tmp_path):
    ws = _copy(applied, tmp_path)

    result = ws.plan(STACK, env=cloud_azure.NO_AZURE_CREDENTIALS)

    assert result.returncode != 0
    assert "Error: unable to build authorizer for Resource Manager API: could not configure " \
           "AzureCli Authorizer: could not parse Azure CLI version: launching Azure CLI: " \
           'exec: "az": executable file not found in $PATH' in _one_line(result), \
        result.output[-3000:]
    assert 'with provider["registry.terraform.io/hashicorp/azurerm"]' in _one_line(result)


def test_an_id_token_of_another_branch_is_refused_by_entra_id(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    other = cloud_azure.id_token(
        subject="project_path:acme/fleet:ref_type:branch:ref:feature")

    result = ws.plan(STACK, env=cloud_azure.oidc_env(ws.root, token=other))

    assert result.returncode != 0
    message = _one_line(result)
    assert "building account: could not acquire access token to parse claims: " \
           "clientCredentialsToken: received HTTP status 400 with response: " in message
    assert "AADSTS70021: No matching federated identity record found for presented " \
           "assertion. Assertion Issuer: 'https://gitlab.com'. Assertion Subject: " \
           "'project_path:acme/fleet:ref_type:branch:ref:feature'." in message


def test_an_unknown_location_fails_enhanced_validation_at_plan(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, aks_stack(location="marsnorth"))

    result = ws.plan(STACK)

    assert result.returncode != 0
    message = _one_line(result)
    assert 'Error: "marsnorth" was not found in the list of supported Azure Locations: ' \
           '"eastus,eastus2,' in message, message[-3000:]
    # with enhanced validation off, the data source's read fails instead
    result = ws.plan(STACK, env={"ARM_PROVIDER_ENHANCED_VALIDATION_LOCATIONS": "false"})
    assert result.returncode != 0
    assert 'Error: no location was found for "marsnorth"' in _one_line(result)


def test_an_unknown_vm_size_is_refused_by_aks_at_create(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, aks_stack(extra_pool={"name": "extra", "vm_size": "Standard_D4s_v9",
                                              "node_count": 1}))

    ws.plan(STACK).check()
    assert changes(ws.plan_json(STACK)) == {
        "azurerm_kubernetes_cluster_node_pool.pool-extra": ["create"]}
    result = ws.run(STACK, "apply", "-input=false", "-no-color", "tfplan")

    assert result.returncode != 0
    message = _one_line(result)
    assert "creating Agent Pool (Subscription: " in message
    assert 'Agent Pool Name: "extra"): performing CreateOrUpdate: unexpected status 400 ' \
           "(400 Bad Request) with error: BadRequest: The VM size of AgentPoolProfile:extra " \
           "is not allowed in your subscription in location 'westeurope'." in message


def test_a_version_prefix_aks_does_not_offer_fails_the_precondition(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.put_stack(STACK, aks_stack(prefix="1.29."))

    result = ws.plan(STACK)

    assert result.returncode != 0
    assert "AKS offers no Kubernetes 1.29.x in westeurope" in _one_line(result)


def test_an_expired_client_certificate_is_refused_until_certificates_are_rotated(
        applied, tmp_path):
    ws = _copy(applied, tmp_path)
    ws.advance_clock(TWO_YEARS + 24 * 3600)

    result = ws.plan(STACK)

    assert result.returncode != 0
    assert "Error: GET /kubernetes_service_account_v1/kube-system/fleetform-deployer: " \
           "Unauthorized" in result.output, result.output[-3000:]
    assert ws.cloud()["log"][-1][:2] == ["expired", NAME]
    with clouds.opened(ws.cloud_file) as cloud:  # az aks rotate-certs
        (cluster,) = cloud_azure.aks_clusters(cloud)
        cloud_azure.rotate_certificates(cloud, cluster)
    # the refresh reads the new kube_config before the kubernetes provider needs it
    result = ws.plan(STACK, "-detailed-exitcode")
    assert result.returncode == 0, result.output[-3000:]
    assert ws.cloud()["log"][-1][0] == "ok"


# --- the behaviours alone (no Terraform) ----------------------------------------------------

@pytest.fixture
def bare(tmp_path, monkeypatch):
    """A new cloud, and this process's environment the pipeline's (as a provider's is)."""
    import standin_azure

    ws = Workspace(tmp_path / "ws")
    for name in cloud_azure.CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in _environment(ws.env).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(standin_azure, "SUPPORTED_LOCATIONS", None)
    return ws


PROVIDER = {"features": [{}], "subscription_id": cloud_azure.SUBSCRIPTION_ID}


def _behave(ws: Workspace, type_name: str, op: str, *args, config: dict | None = None):
    import standin

    with clouds.opened(ws.cloud_file) as cloud:
        return standin.BEHAVIOUR[type_name][op](
            standin.Ctx(cloud, config or PROVIDER, "azurerm"), *args)


def _group(ws: Workspace, name: str = "probe-rg") -> None:
    _behave(ws, "azurerm_resource_group", "create",
            {"name": name, "location": LOCATION, "tags": None, "managed_by": None})


def _cluster_plan(version: str | None = "1.33.7", vm_size: str = "Standard_D2s_v5",
                  name: str = "probe") -> dict:
    return {"name": name, "location": "West Europe", "resource_group_name": "probe-rg",
            "dns_prefix": name, "kubernetes_version": version, "sku_tier": "Free",
            "tags": None, "identity": [{"type": "SystemAssigned"}],
            "default_node_pool": [{"name": "system", "vm_size": vm_size, "node_count": 1,
                                   "orchestrator_version": None, "tags": None}]}


def test_configure_reads_arm_variables_and_signs_in_as_entra_id_does(bare, monkeypatch):
    import standin_azure

    with clouds.opened(bare.cloud_file) as cloud:
        standin_azure.configure(cloud, PROVIDER)
        assert cloud["azure"]["calls"][-1] == [
            "Microsoft.Resources/subscriptions/providers/read", cloud_azure.DEPLOYER_APP, "ok"]
        assert standin_azure.SUPPORTED_LOCATIONS[:2] == ["eastus", "eastus2"]
        secret_env = cloud_azure.secret_env(cloud)
    for name, value in _environment(secret_env).items():
        monkeypatch.setenv(name, value)
    for name in set(cloud_azure.CREDENTIAL_VARIABLES) - set(_environment(secret_env)):
        monkeypatch.delenv(name, raising=False)
    with clouds.opened(bare.cloud_file) as cloud:
        standin_azure.configure(cloud, PROVIDER)
        assert cloud["azure"]["calls"][-1][1] == cloud_azure.CI_APP
        monkeypatch.setenv("ARM_CLIENT_SECRET", "not-the-secret")
        with pytest.raises(clouds.ApiError, match="received HTTP status 401 with response: "
                                                  '{"error":"invalid_client",'
                                                  '"error_description":"AADSTS7000215: Invalid '
                                                  "client secret provided."):
            standin_azure.configure(cloud, PROVIDER)
        monkeypatch.setenv("ARM_TENANT_ID", "00000000-0000-0000-0000-000000000000")
        with pytest.raises(clouds.ApiError, match="AADSTS90002: Tenant "
                                                  "'00000000-0000-0000-0000-000000000000' not "
                                                  "found."):
            standin_azure.configure(cloud, PROVIDER)
        monkeypatch.setenv("ARM_TENANT_ID", cloud_azure.TENANT_ID)
        monkeypatch.setenv("ARM_CLIENT_SECRET", secret_env["ARM_CLIENT_SECRET"])
        with pytest.raises(clouds.ApiError, match="SubscriptionNotFound: The subscription "
                                                  "'11111111-2222-3333-4444-555555555555' could "
                                                  "not be found."):
            standin_azure.configure(cloud, {"features": [{}], "subscription_id":
                                            "11111111-2222-3333-4444-555555555555"})
        # OIDC with the token itself (ARM_OIDC_TOKEN) rather than a file
        for name in ("ARM_CLIENT_SECRET",):
            monkeypatch.delenv(name)
        monkeypatch.setenv("ARM_CLIENT_ID", cloud_azure.DEPLOYER_CLIENT_ID)
        monkeypatch.setenv("ARM_OIDC_TOKEN", cloud_azure.id_token())
        with pytest.raises(clouds.ApiError, match="no Authorizer could be configured"):
            standin_azure.configure(cloud, {**PROVIDER, "use_cli": False})  # no ARM_USE_OIDC
        monkeypatch.setenv("ARM_USE_OIDC", "true")
        standin_azure.configure(cloud, PROVIDER)
        assert cloud["azure"]["calls"][-1][1] == cloud_azure.DEPLOYER_APP
        monkeypatch.setenv("ARM_USE_CLI", "false")
        with pytest.raises(clouds.ApiError, match="^`subscription_id` is a required provider "
                                                  "property when performing a plan/apply "
                                                  "operation$"):
            standin_azure.configure(cloud, {"features": [{}]})


def test_an_oidc_token_file_that_is_missing_fails_as_the_provider_reads_it(bare, monkeypatch):
    import standin_azure

    monkeypatch.setenv("ARM_OIDC_TOKEN_FILE_PATH", "/nonexistent/token")
    with clouds.opened(bare.cloud_file) as cloud:
        with pytest.raises(clouds.ApiError, match='^reading OIDC Token from file '
                                                  '"/nonexistent/token": open '
                                                  "/nonexistent/token: no such file or "
                                                  "directory$"):
            standin_azure.configure(cloud, PROVIDER)


def test_an_app_without_a_role_is_refused_by_arm(bare, monkeypatch):
    with clouds.opened(bare.cloud_file) as cloud:
        app = cloud_azure.add_app(cloud, "no-role", secret=True, role=None)
        env = cloud_azure.secret_env(cloud, "no-role")
    for name, value in _environment(env).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ARM_USE_OIDC", raising=False)
    with pytest.raises(clouds.ApiError, match=f"AuthorizationFailed: The client "
                                              f"'{app['client_id']}' with object id "
                                              f"'{app['object_id']}' does not have "
                                              "authorization to perform action "
                                              "'Microsoft.Resources/subscriptions/"
                                              "resourcegroups/write'"):
        _group(bare)


def test_kubernetes_service_versions_filters_as_the_data_source_does(bare):
    def read(**config):
        return _behave(bare, "azurerm_kubernetes_service_versions", "data",
                       {"location": "West Europe", "version_prefix": None,
                        "include_preview": None, **config})

    everything = read()
    assert everything["versions"][-2:] == ["1.35.0", "1.35.1"]  # include_preview defaults true
    assert (everything["latest_version"], everything["default_version"]) == ("1.35.1", "1.33.7")
    ga = read(include_preview=False)
    assert ga["latest_version"] == "1.34.3" and "1.35.0" not in ga["versions"]
    assert read(version_prefix="1.32.")["versions"] == ["1.32.9", "1.32.10"]
    assert read(version_prefix="1.32.")["latest_version"] == "1.32.10"  # not "1.32.9"
    none = read(version_prefix="1.29.")
    assert (none["versions"], none["latest_version"], none["default_version"]) == \
        ([], "0.0.0", "0.0.0")
    assert read(version_prefix="1.34.")["default_version"] == "0.0.0"
    lagging = _behave(bare, "azurerm_kubernetes_service_versions", "data",
                      {"location": "brazilsouth", "version_prefix": None,
                       "include_preview": True})
    assert lagging["latest_version"] == "1.34.3"
    with pytest.raises(clouds.ApiError, match='^no Kubernetes Service versions found for '
                                              'location "francesouth"$'):
        _behave(bare, "azurerm_kubernetes_service_versions", "data",
                {"location": "francesouth", "version_prefix": None, "include_preview": None})


def test_location_and_resource_group_data_sources(bare):
    found = _behave(bare, "azurerm_location", "data", {"location": "North Europe"})
    assert (found["location"], found["display_name"]) == ("northeurope", "North Europe")
    assert found["id"] == f"/subscriptions/{cloud_azure.SUBSCRIPTION_ID}/locations/northeurope"
    assert _behave(bare, "azurerm_location", "data", {"location": "ukwest"})[
        "zone_mappings"] == []
    with pytest.raises(clouds.ApiError, match='^no location was found for "europe"$'):
        _behave(bare, "azurerm_location", "data", {"location": "europe"})  # logical only
    with pytest.raises(clouds.ApiError, match=r'^"Resource Group \(Subscription: '):
        _behave(bare, "azurerm_resource_group", "data", {"name": "nowhere"})
    with pytest.raises(clouds.ApiError, match=r'^creating "Resource Group \(Subscription: .+'
                       r"LocationNotAvailableForResourceGroup: The provided location "
                       r"'marsnorth' is not available for resource group. List of available "
                       r"regions is 'eastus,eastus2,"):
        _behave(bare, "azurerm_resource_group", "create",
                {"name": "mars", "location": "Mars North", "tags": None, "managed_by": None})
    _group(bare, "Probe-RG")
    group = _behave(bare, "azurerm_resource_group", "data", {"name": "probe-rg"})
    assert group["location"] == LOCATION and group["tags"] == {}


def test_enhanced_validation_checks_locations_once_configured(bare):
    import standin_azure

    assert standin_azure.cluster_validate({"location": "marsnorth"}) == []  # validate walk
    with clouds.opened(bare.cloud_file) as cloud:
        standin_azure.configure(cloud, PROVIDER)
    (error,) = standin_azure.cluster_validate({"location": "Mars North"})
    assert error.startswith('"marsnorth" was not found in the list of supported Azure '
                            'Locations: "eastus,eastus2,')
    assert standin_azure.cluster_validate({"location": "West Europe"}) == []
    with clouds.opened(bare.cloud_file) as cloud:
        standin_azure.configure(cloud, {**PROVIDER, "features": [
            {"enhanced_validation": [{"locations": False}]}]})
    assert standin_azure.SUPPORTED_LOCATIONS is None
    assert standin_azure.node_pool_validate({"name": "Workers"}) == [
        'the "name" must begin with a lowercase letter, contain only lowercase letters and '
        'numbers and be between 1 and 12 characters in length, got "Workers"']


def test_create_cluster_refuses_what_aks_refuses(bare):
    with pytest.raises(clouds.ApiError, match="ResourceGroupNotFound: Resource group "
                                              "'probe-rg' could not be found."):
        _behave(bare, "azurerm_kubernetes_cluster", "create", _cluster_plan())
    _group(bare)
    with pytest.raises(clouds.ApiError, match=r"^creating Kubernetes Cluster \(Subscription: "
                       r'".+"\nResource Group Name: "probe-rg"\nKubernetes Cluster Name: '
                       r'"probe"\): performing CreateOrUpdate: unexpected status 400 \(400 Bad '
                       r"Request\) with error: AgentPoolK8sVersionNotSupported: Version 1.29.2 "
                       r"is not supported in this region. Please use \[az aks get-versions\]"):
        _behave(bare, "azurerm_kubernetes_cluster", "create", _cluster_plan("1.29.2"))
    with pytest.raises(clouds.ApiError, match="BadRequest: The VM size of "
                                              "AgentPoolProfile:system is not allowed in your "
                                              "subscription in location 'westeurope'"):
        _behave(bare, "azurerm_kubernetes_cluster", "create",
                _cluster_plan(vm_size="Standard_D2s_v9"))
    plan = _cluster_plan()
    plan["location"] = "francesouth"
    with pytest.raises(clouds.ApiError, match="LocationNotAvailableForResourceType: The "
                                              "provided location 'francesouth' is not "
                                              "available for resource type "
                                              "'Microsoft.ContainerService/managedClusters'"):
        _behave(bare, "azurerm_kubernetes_cluster", "create", plan)
    plan = _cluster_plan()
    plan["default_node_pool"][0]["orchestrator_version"] = "1.32.10"
    with pytest.raises(clouds.ApiError, match="^version mismatch between the control plane "
                                              "running 1.33.7 and default node pool running "
                                              "1.32.10, they must use the same kubernetes "
                                              "versions$"):
        _behave(bare, "azurerm_kubernetes_cluster", "create", plan)
    created = _behave(bare, "azurerm_kubernetes_cluster", "create", _cluster_plan("1.33"))
    # a major.minor alias: the newest GA patch runs, the alias stays requested
    assert (created["kubernetes_version"], created["current_kubernetes_version"]) == \
        ("1.33", "1.33.7")
    assert created["location"] == "westeurope"  # normalised (the schema's StateFunc)
    with pytest.raises(clouds.ApiError, match='^a resource with the ID "/subscriptions/.+/'
                                              'managedClusters/probe" already exists'):
        _behave(bare, "azurerm_kubernetes_cluster", "create", _cluster_plan())


def test_upgrades_go_one_minor_at_a_time_and_pools_not_past_the_control_plane(bare):
    _group(bare)
    created = _behave(bare, "azurerm_kubernetes_cluster", "create", _cluster_plan("1.32.10"))
    skip = dict(created, kubernetes_version="1.34.3")
    with pytest.raises(clouds.ApiError, match="Upgrading Kubernetes version 1.32.10 to 1.34.3 "
                                              "is not allowed"):
        _behave(bare, "azurerm_kubernetes_cluster", "update", created, skip)
    pool = {"name": "workers", "kubernetes_cluster_id": created["id"],
            "vm_size": "Standard_D4s_v5", "node_count": 1, "orchestrator_version": "1.33.7",
            "mode": "User", "priority": "Regular", "tags": None}
    with pytest.raises(clouds.ApiError, match='The Kubernetes/Orchestrator Version "1.33.7" is '
                                              'not available for Node Pool "workers"'):
        _behave(bare, "azurerm_kubernetes_cluster_node_pool", "create", pool)
    upgraded = _behave(bare, "azurerm_kubernetes_cluster", "update", created,
                       dict(created, kubernetes_version="1.33.7"))
    assert upgraded["current_kubernetes_version"] == "1.33.7"
    made = _behave(bare, "azurerm_kubernetes_cluster_node_pool", "create", pool)
    assert made["id"] == f"{created['id']}/agentPools/workers"
    with pytest.raises(clouds.ApiError, match="`temporary_name_for_rotation` must be specified "
                                              'when updating any of the following properties '
                                              r'\["fips_enabled" '):
        _behave(bare, "azurerm_kubernetes_cluster_node_pool", "update", made,
                dict(made, vm_size="Standard_D8s_v5"))


# --- AKS's authentication alone -----------------------------------------------------------

def _kube_config(cluster: dict, **overrides) -> dict:
    return {"host": cluster["endpoint"], "cluster_ca_certificate": cluster["ca_pem"],
            "client_certificate": cluster["client_cert_pem"],
            "client_key": cluster["client_key_pem"], **overrides}


def test_aks_refuses_a_wrong_or_expired_certificate_as_kube_apiserver_does(bare):
    _group(bare)
    _behave(bare, "azurerm_kubernetes_cluster", "create", _cluster_plan())
    _behave(bare, "azurerm_kubernetes_cluster", "create", _cluster_plan(name="other"))
    with clouds.opened(bare.cloud_file) as cloud:
        probe, other = sorted(cloud_azure.aks_clusters(cloud), key=lambda c: c["name"] != "probe")
        assert clouds.kube_api(cloud, _kube_config(probe), "GET /version") == probe["id"]
        assert cloud["log"][-1] == ["ok", "probe", "GET /version", "masterclient"]
        # another cluster's certificate: not signed by this cluster's CA
        with pytest.raises(clouds.ApiError, match="^GET /version: Unauthorized$"):
            clouds.kube_api(cloud, _kube_config(probe, client_certificate=other[
                "client_cert_pem"], client_key=other["client_key_pem"]), "GET /version")
        assert cloud["log"][-1][0] == "unknown-authority"
        with pytest.raises(clouds.ApiError, match="^GET /version: tls: private key does not "
                                                  "match public key$"):
            clouds.kube_api(cloud, _kube_config(probe, client_key=other["client_key_pem"]),
                            "GET /version")
        with pytest.raises(clouds.ApiError, match="failed to find any PEM data in certificate "
                                                  "input"):  # base64decode forgotten
            clouds.kube_api(cloud, _kube_config(probe, client_certificate=base64.b64encode(
                probe["client_cert_pem"].encode()).decode()), "GET /version")
        with pytest.raises(clouds.ApiError, match="x509: certificate signed by unknown "
                                                  "authority"):
            clouds.kube_api(cloud, _kube_config(probe, cluster_ca_certificate=other["ca_pem"]),
                            "GET /version")
        # the local account's static token (kube_config.password) works too
        assert clouds.kube_api(cloud, {"host": probe["endpoint"], "cluster_ca_certificate":
                                       probe["ca_pem"], "token": probe["token"]}, "GET /version")
        old = _kube_config(probe)
        cloud["now"] += cloud_azure.CLIENT_CERT_LIFETIME
        with pytest.raises(clouds.ApiError, match="^GET /version: Unauthorized$"):
            clouds.kube_api(cloud, old, "GET /version")
        assert cloud["log"][-1][:2] == ["expired", "probe"]
        assert cloud_azure.client_certificate_expiry(probe) == cloud_azure.iso(cloud["now"])
        cloud_azure.rotate_certificates(cloud, probe)
        with pytest.raises(clouds.ApiError, match="certificate signed by unknown authority"):
            clouds.kube_api(cloud, old, "GET /version")  # the old CA no longer matches
        assert clouds.kube_api(cloud, _kube_config(probe), "GET /version") == probe["id"]


@pytest.mark.parametrize("shape", ["kubernetes", "helm"])
def test_each_providers_client_certificate_shape_reaches_aks(bare, shape):
    """kubernetes: provider attributes; helm 3.x: the kubernetes object (each passes
    client_certificate / client_key / cluster_ca_certificate)."""
    import standin

    _group(bare)
    _behave(bare, "azurerm_kubernetes_cluster", "create", _cluster_plan())
    with clouds.opened(bare.cloud_file) as cloud:
        (cluster,) = cloud_azure.aks_clusters(cloud)
        kube = _kube_config(cluster)
        if shape == "kubernetes":
            reached = standin._kube(standin.Ctx(cloud, kube, shape), "GET /version")
        else:
            reached = standin._helm_kube(standin.Ctx(cloud, {"kubernetes": kube}, shape),
                                         "helm status x")
        assert reached == cluster["id"]
        assert cloud["log"][-1][0] == "ok"


def test_destroy_removes_everything_and_a_group_with_a_cluster_is_kept(applied, tmp_path,
                                                                      monkeypatch):
    ws = _copy(applied, tmp_path)
    for name, value in _environment(ws.env).items():  # the provider's environment
        monkeypatch.setenv(name, value)
    cluster = _aks(ws)
    with clouds.opened(ws.cloud_file) as cloud:  # a resource group deleted with a cluster in it
        cloud["azure"]["resource_groups"]["other-rg"] = {
            "id": cloud_azure.resource_group_id("other-rg"), "name": "other-rg",
            "location": LOCATION, "tags": {}, "managed_by": None}
        cloud["clusters"]["aks-other"] = dict(cluster, id="aks-other", name="other",
                                              resource_group="other-rg",
                                              arm_id=cloud_azure.cluster_id("other-rg", "other"))

    result = ws.run(STACK, "destroy", "-auto-approve", "-input=false", "-no-color")

    assert result.returncode == 0, result.output[-3000:]
    assert [c["name"] for c in cloud_azure.aks_clusters(ws.cloud())] == ["other"]
    assert list(ws.cloud()["azure"]["resource_groups"]) == ["other-rg"]
    import standin_azure
    with clouds.opened(ws.cloud_file) as cloud, pytest.raises(
            clouds.ApiError, match='^deleting Resource Group "other-rg": the Resource Group '
                                   "still contains Resources."):
        standin_azure.resource_group_delete(
            __import__("standin").Ctx(cloud, PROVIDER, "azurerm"),
            {"id": cloud_azure.resource_group_id("other-rg"), "name": "other-rg"})


def test_the_features_block_is_required(applied, tmp_path):
    ws = _copy(applied, tmp_path)
    stack = aks_stack()
    del stack["provider"]["azurerm"][0]["features"]
    ws.put_stack(STACK, stack)

    result = ws.plan(STACK)

    assert result.returncode != 0
    assert 'Insufficient features blocks' in _one_line(result)
