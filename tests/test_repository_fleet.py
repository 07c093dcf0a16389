"""The repository's own fleet: what every valid fleet has, whatever its clusters.

``clusters/`` and ``manifests/`` are user data: a commit adds, changes or
removes clusters and labels, and these checks must hold for any fleet that is
valid. They assert nothing about which clusters or labels exist; everything
they expect is read from the fleet's own ``cluster.yaml`` files. The rest of the
suite tests fleetform on the test fleet (``tests/fixtures/fleet``) and on fleets
it writes itself. ``FLEETFORM_TEST_FLEET=<clusters dir>`` points these checks at
another fleet.
"""

from __future__ import annotations

import json

import pytest
import yaml
from support.fleets import CLEAN_ENV, REPOSITORY_CLUSTERS, only, resources, synth_stacks

from fleetform.commands.validate import validate_fleet
from fleetform.constructs.applicationsets import applicationset_name
from fleetform.fleet.clouds import CLOUDS
from fleetform.fleet.config import CLUSTER_FILE, load_fleet
from fleetform.fleet.repository_fetch import RepositoryFetcher

SENTINEL = "sentinel-secret-3f9a1c"

pytestmark = pytest.mark.repository_fleet


@pytest.fixture(scope="module")
def fleet():
    return load_fleet(REPOSITORY_CLUSTERS)


def _secret_env(fleet) -> dict[str, str]:
    """Every secret a stack could read from the environment, set to a sentinel."""
    env = {"TF_VAR_argocd_auth_token": SENTINEL,
           "TF_VAR_argocd_admin_password": SENTINEL, "TF_VAR_argocd_management_token": SENTINEL,
           "TF_HTTP_PASSWORD": SENTINEL,
           **{name: SENTINEL for cloud in CLOUDS.values() for name in cloud.credentials}}
    for repository in fleet.management.spec.argocd.repositories.values():
        if repository.credentials:
            env[f"TF_VAR_{repository.credentials.password_variable}"] = SENTINEL
    return env


@pytest.fixture(scope="module")
def stacks(fleet, tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("repository-fleet") / "cdktf.out"
    return synth_stacks(REPOSITORY_CLUSTERS, out, env={**CLEAN_ENV, **_secret_env(fleet)})


def test_every_cluster_directory_is_a_cluster_of_the_fleet(fleet):
    directories = sorted(p.name for p in REPOSITORY_CLUSTERS.iterdir()
                         if p.is_dir() and not p.name.startswith("."))

    assert sorted(fleet.clusters) == directories
    assert all((REPOSITORY_CLUSTERS / name / CLUSTER_FILE).is_file() for name in directories)
    assert fleet.management.role == "management"


def test_one_stack_per_cluster(fleet, stacks):
    assert sorted(stacks) == sorted(fleet.clusters)


#: Each cloud's cluster resource, the attribute holding the region (None: the provider's),
#: its node pool resource, the attribute naming a pool, and the cluster resource's own
#: first pool's block (None: every pool is a node pool resource).
CLUSTER_RESOURCES = {
    "digitalocean": ("digitalocean_kubernetes_cluster", "region",
                     "digitalocean_kubernetes_node_pool", "name", "node_pool"),
    "aws": ("aws_eks_cluster", None, "aws_eks_node_group", "node_group_name", None),
    "azure": ("azurerm_kubernetes_cluster", "location", "azurerm_kubernetes_cluster_node_pool",
              "name", "default_node_pool"),
    "gcp": ("google_container_cluster", "location", "google_container_node_pool", "name", None),
}


def test_every_stack_creates_its_cluster_as_configured(fleet, stacks):
    assert set(CLUSTER_RESOURCES) == set(CLOUDS)
    for name, cluster in fleet.clusters.items():
        stack = stacks[name]
        kind, region, pool_kind, pool_name, first = CLUSTER_RESOURCES[cluster.cloud.name]
        resource = only(stack, kind)
        assert resource["name"] == name, name
        if region:
            assert resource[region] == cluster.spec.region, name
        pools = cluster.spec.node_pools
        if first:
            assert resource[first]["name"] == pools[0].name, name
            pools = pools[1:]
        extra = sorted(p[pool_name] for p in resources(stack, pool_kind).values())
        assert extra == sorted(p.name for p in pools), name
        assert resource.get("lifecycle", {}).get("prevent_destroy", False) == \
            cluster.protected, name


def test_every_worker_registers_in_argocd_with_its_labels(fleet, stacks):
    for cluster in fleet.workers:
        registration = only(stacks[cluster.name], "argocd_cluster")
        assert registration["name"] == cluster.name
        assert registration["metadata"] == [{"labels": dict(cluster.labels)}], cluster.name


def test_the_management_cluster_routes_every_label_to_its_repository(fleet, stacks):
    stack = stacks[fleet.management.name]
    release = next(r for r in resources(stack, "helm_release").values()
                   if r["chart"] == "argocd-apps")
    appsets = yaml.safe_load(release["values"][0])["applicationsets"]
    repositories = fleet.management.spec.argocd.repositories

    assert sorted(appsets) == sorted(applicationset_name(label) for label in repositories)
    for label, repository in repositories.items():
        git = appsets[applicationset_name(label)]["generators"][0]["matrix"]["generators"][1]
        assert git["git"]["repoURL"] == repository.url, label


def test_no_secret_reaches_the_synthesized_stacks(stacks):
    for name, stack in stacks.items():
        assert SENTINEL not in json.dumps(stack), name


def test_the_fleet_and_its_repositories_validate():
    with RepositoryFetcher() as fetcher:
        report = validate_fleet(REPOSITORY_CLUSTERS, fetcher=fetcher)

    errors = [str(e) for e in report.errors]
    unreachable = [e for e in errors if ": cannot fetch " in e]
    if errors and len(unreachable) == len(errors):
        pytest.skip("repositories not reachable from here: " + "; ".join(unreachable))
    assert errors == []
