"""A worker's stack: its DOKS cluster, registered in the management Argo CD with its labels."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
import yaml
from cdktf import Testing

from fleetform.fleet.config import load_fleet
from fleetform.errors import ConfigError

from support.fleets import CLEAN_ENV, CLUSTERS, only, resources, synth_stacks, write_cluster

SENTINEL = "sentinel-argocd-token-5d1e2b7a"
SECRET_ENV = {"TF_VAR_argocd_auth_token": SENTINEL, "ARGOCD_AUTH_TOKEN": SENTINEL,
              "DIGITALOCEAN_TOKEN": SENTINEL}


@pytest.fixture(scope="module")
def staging_out(tmp_path_factory):
    """The example fleet plus a worker ``do-staging`` (labels global, staging).

    Synthesized with secrets in the environment, which must not reach the output.
    """
    root = tmp_path_factory.mktemp("staging")
    clusters = root / "clusters"
    shutil.copytree(CLUSTERS, clusters)
    management_file = clusters / "do-management" / "cluster.yaml"
    management = yaml.safe_load(management_file.read_text())
    # Every routing label needs a repository in the management cluster.
    management["argocd"]["repositories"]["staging"] = {
        "url": "https://gitlab.com/example/fleetform.git", "revision": "main",
        "path": "manifests/staging"}
    management_file.write_text(yaml.safe_dump(management, sort_keys=False))
    write_cluster(clusters, "do-staging", """
        role: worker
        region: ams3
        kubernetes_version: "1.33"
        node_pools:
          - name: default
            size: s-2vcpu-4gb
            count: 2
        labels: [global, staging]
        argocd:
          grpc_web: true
        """)
    out = root / "cdktf.out"
    with pytest.MonkeyPatch.context() as mp:
        for name, value in SECRET_ENV.items():
            mp.setenv(name, value)
        synth_stacks(clusters, out, names=["do-staging"], env={**CLEAN_ENV, **SECRET_ENV})
    return out


@pytest.fixture(scope="module")
def staging(staging_out) -> dict:
    return json.loads((staging_out / "stacks" / "do-staging" / "cdk.tf.json").read_text())


@pytest.fixture(scope="module")
def production(example_stacks) -> dict:
    return example_stacks["do-production"]


def test_production_has_its_doks_cluster(production):
    cluster = only(production, "digitalocean_kubernetes_cluster")
    assert cluster["name"] == "do-production"


def test_production_creates_argocd_manager_and_token_secret(production):
    service_account = only(production, "kubernetes_service_account_v1")
    assert service_account["metadata"] == {"name": "argocd-manager", "namespace": "kube-system"}
    secret = only(production, "kubernetes_secret_v1")
    assert secret["type"] == "kubernetes.io/service-account-token"
    (sa_id,) = resources(production, "kubernetes_service_account_v1")
    assert secret["metadata"]["annotations"]["kubernetes.io/service-account.name"] == \
        f"${{kubernetes_service_account_v1.{sa_id}.metadata[0].name}}"
    only(production, "kubernetes_cluster_role_binding_v1")


def test_production_worker_resources_go_through_the_worker_provider(production):
    (provider,) = production["provider"]["kubernetes"]
    (cluster_id,) = production["resource"]["digitalocean_kubernetes_cluster"]
    assert provider["host"] == f"${{digitalocean_kubernetes_cluster.{cluster_id}.endpoint}}"
    assert provider["token"] == \
        f"${{digitalocean_kubernetes_cluster.{cluster_id}.kube_config[0].token}}"
    for kind in ("kubernetes_service_account_v1", "kubernetes_cluster_role_v1",
                 "kubernetes_cluster_role_binding_v1", "kubernetes_secret_v1"):
        assert only(production, kind)["provider"] == f"kubernetes.{provider['alias']}"


def test_production_registration_labels_exactly(production):
    registration = only(production, "argocd_cluster")
    assert registration["name"] == "do-production"
    assert registration["metadata"] == [{"labels": {"global": "true", "production": "true"}}]


def test_production_registers_the_service_account_token_not_the_doks_token(production):
    registration = only(production, "argocd_cluster")
    (secret_id,) = resources(production, "kubernetes_secret_v1")
    config = registration["config"][0]
    assert config["bearer_token"] == f"${{kubernetes_secret_v1.{secret_id}.data.token}}"
    assert config["tls_client_config"][0]["ca_data"] == \
        f'${{kubernetes_secret_v1.{secret_id}.data["ca.crt"]}}'
    assert "kube_config" not in json.dumps(registration)


def test_production_argocd_provider_wiring(production):
    (provider,) = production["provider"]["argocd"]
    assert provider["server_addr"] == "argocd.example.com:443"
    assert provider["auth_token"] == "${var.argocd_auth_token}"
    assert only(production, "argocd_cluster")["provider"] == f"argocd.{provider['alias']}"
    variable = production["variable"]["argocd_auth_token"]
    assert variable["sensitive"] is True
    assert "TF_VAR_argocd_auth_token" in variable["description"]
    assert production["terraform"]["required_providers"]["argocd"]["source"] == \
        "argoproj-labs/argocd"


def test_production_outputs_are_not_secret(production):
    outputs = production["output"]
    assert outputs["argocd_cluster_name"]["value"] == "do-production"
    assert outputs["argocd_cluster_labels"]["value"] == {"global": "true", "production": "true"}
    for name in ("argocd_cluster_name", "argocd_cluster_labels"):
        assert "sensitive" not in outputs[name]


def test_management_stack_registers_no_worker(example_stacks):
    management = example_stacks["do-management"]
    assert not resources(management, "argocd_cluster")
    names = [sa["metadata"].get("name")
             for sa in resources(management, "kubernetes_service_account_v1").values()]
    assert "argocd-manager" not in names


def test_staging_is_registered_with_its_labels(staging):
    registration = only(staging, "argocd_cluster")
    assert registration["name"] == "do-staging"
    assert registration["metadata"] == [{"labels": {"global": "true", "staging": "true"}}]
    assert only(staging, "digitalocean_kubernetes_cluster")["region"] == "ams3"


def test_staging_uses_management_hostname_and_grpc_web(staging):
    (provider,) = staging["provider"]["argocd"]
    # No argocd.server in do-staging: the management cluster's hostname on 443.
    assert provider["server_addr"] == "argocd.example.com:443"
    assert provider["grpc_web"] is True
    assert provider["insecure"] is False


def test_no_secret_from_the_environment_in_any_output_file(staging_out):
    files = [p for p in staging_out.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert SENTINEL not in path.read_text(errors="replace"), path


def test_a_construct_error_names_the_cluster_file():
    from fleetform.fleet.stacks import ClusterStack

    fleet = load_fleet(CLUSTERS)
    production = fleet.clusters["do-production"]
    # Bypass the schema (which would catch it first) to reach ArgoCluster's own check.
    spec = production.spec.model_copy(update={"labels": {"argocd.argoproj.io/x": "y"}})
    broken = dataclasses.replace(production, spec=spec)
    with pytest.raises(ConfigError) as info:
        ClusterStack(Testing.app(), fleet, broken, env=CLEAN_ENV)
    assert info.value.file == str(production.file)
    assert info.value.field == "labels.argocd.argoproj.io/x"
    assert str(info.value).startswith(f"{production.file}: labels.argocd.argoproj.io/x: ")
