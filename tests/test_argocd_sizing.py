"""Argo CD sized for the fleet: high availability, controller shards, and which shard serves
which cluster, checked on the argo-cd chart's own rendered objects.

The chart is the upstream argo-cd chart with its redis-ha dependency, vendored
(``tests/fixtures/charts/PROVENANCE.md``) and rendered by real Helm with the values
the management stack synthesizes.
"""

from __future__ import annotations

import json
import random
import statistics
import textwrap
from pathlib import Path

import pytest
import yaml

from support.fleets import CLEAN_ENV, synth_stacks, write_cluster
from fleetform.constructs.argocd_sizing import (ArgoCdSizing, check_nodes, controller_shards,
                                                shard_loads)
from fleetform.constructs.props import Autoscale, NodePool, Taint
from fleetform.errors import ConfigError
from fleetform.fleet.config import load_fleet

CHART = Path(__file__).parent / "fixtures" / "charts" / "argo-cd-10.1.1.tgz"

MANAGEMENT = """\
role: management
region: fra1
kubernetes_version: "1.33"
node_pools: [{name: default, size: s-4vcpu-8gb, count: 3}]
labels: [global]
argocd:
  hostname: argocd.example.com
  repositories:
    global: {url: "https://gitlab.example.com/acme/fleet.git", path: manifests/global}
"""

WORKER = """\
role: worker
region: ams3
kubernetes_version: "1.33"
node_pools: [{name: default, size: s-2vcpu-4gb, count: 2}]
labels: [global]
"""


def worker_names(count: int) -> list[str]:
    return [f"w-{i:04d}" for i in range(1, count + 1)]


def fleet_dir(tmp: Path, workers: int, management: str = MANAGEMENT) -> Path:
    clusters = tmp / "clusters"
    write_cluster(clusters, "mgmt", management)
    for name in worker_names(workers):
        write_cluster(clusters, name, WORKER)
    return clusters


def argocd_values(stack: dict) -> dict:
    (release,) = [r for r in stack["resource"]["helm_release"].values()
                  if r["chart"] == "argo-cd"]
    return yaml.safe_load(release["values"][0])


def render(values: dict) -> dict[tuple[str, str], dict]:
    """The argo-cd chart's objects for ``values``, by (kind, name)."""
    import helm_python as helm

    with helm.Chart.load_archive(CHART.read_bytes()) as chart:
        out = chart.render(values, name="argocd", namespace="argocd", is_install=True)
    objects = {}
    for file, text in out.items():
        if file.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def env_of(workload: dict) -> dict[str, object]:
    (container,) = [c for c in workload["spec"]["template"]["spec"]["containers"]
                    if c["name"] == "application-controller"]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


# --------------------------------------------------------------------------- sizing


@pytest.mark.parametrize("clusters, ha, replicas, processors, client", [
    (1, False, 1, (20, 10), (50, 100)),
    (5, False, 1, (20, 10), (50, 100)),
    (6, True, 2, (20, 10), (50, 100)),
    (12, True, 2, (50, 25), (100, 200)),
    (200, True, 4, (50, 25), (100, 200)),
    (1001, True, 21, (50, 25), (100, 200)),
])
def test_the_sizing_follows_the_fleet(clusters, ha, replicas, processors, client):
    sizing = ArgoCdSizing.for_fleet(clusters)

    assert sizing.high_availability is ha
    assert sizing.controller_replicas == replicas
    assert (sizing.status_processors, sizing.operation_processors) == processors
    assert (sizing.client_qps, sizing.client_burst) == client


def test_a_small_fleet_keeps_the_charts_defaults():
    assert ArgoCdSizing.for_fleet(2).chart_values() == {}


def test_choices_override_the_fleets_size():
    assert not ArgoCdSizing.for_fleet(200, high_availability=False).high_availability
    assert ArgoCdSizing.for_fleet(2, high_availability=True).controller_replicas == 2
    assert ArgoCdSizing.for_fleet(200, controller_replicas=10).controller_replicas == 10


@pytest.mark.parametrize("kwargs, field, message", [
    ({"clusters": 0}, "clusters", "must be a number of clusters >= 1 (got 0)"),
    ({"clusters": 3, "controller_replicas": 0}, "controller_replicas",
     "must be between 1 and the number of clusters (3) (got 0)"),
    ({"clusters": 3, "controller_replicas": 4}, "controller_replicas",
     "must be between 1 and the number of clusters (3) (got 4)"),
])
def test_impossible_sizings_name_the_field(kwargs, field, message):
    with pytest.raises(ConfigError) as raised:
        ArgoCdSizing.for_fleet(**kwargs)
    assert (raised.value.field, raised.value.message) == (field, message)


# --------------------------------------------------------------------------- shards


@pytest.mark.parametrize("clusters", [3, 200, 1000])
def test_shards_are_balanced_to_within_one_cluster(clusters):
    names = ["mgmt", *worker_names(clusters)]
    for replicas in {ArgoCdSizing.for_fleet(len(names)).controller_replicas, 2, 3, 7}:
        shards = controller_shards(names, replicas)
        loads = shard_loads(shards, replicas)

        assert sorted(shards) == sorted(names)
        assert max(loads) - min(loads) <= 1, (replicas, loads)


def random_fleet(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"c-{rng.getrandbits(40):010x}" for _ in range(count)]


@pytest.mark.parametrize("clusters, replicas, mean_at_most, max_at_most", [
    (200, 4, 2, 4), (1000, 20, 5, 12)])
def test_adding_a_cluster_moves_few_others(clusters, replicas, mean_at_most, max_at_most):
    """Balance to within one cluster and no move at all cannot both hold (README); over
    100 fleets, the clusters a new one moves stay few."""
    moves = []
    for seed in range(100):
        names = random_fleet(clusters, seed)
        before = controller_shards(names, replicas)
        after = controller_shards([*names, "added"], replicas)
        moves.append(sum(before[n] != after[n] for n in names))

    assert statistics.mean(moves) <= mean_at_most and max(moves) <= max_at_most


def test_a_new_replica_takes_its_share_from_the_others():
    names = random_fleet(200, 1)
    before = controller_shards(names, 4)
    after = controller_shards(names, 5)
    moved = [n for n in names if before[n] != after[n]]
    to_new = [n for n in moved if after[n] == 4]

    assert len(to_new) == 40  # its share: 200 / 5
    assert len(moved) - len(to_new) == 4  # and a few re-dealt to keep the balance


# --------------------------------------------------------------------------- node pools


def test_high_availability_needs_three_schedulable_nodes():
    sizing = ArgoCdSizing.for_fleet(200)
    tainted = NodePool(name="gpu", size="g", count=5,
                       taints=(Taint(key="gpu", value="true", effect="NoSchedule"),))
    small = NodePool(name="default", size="s", autoscale=Autoscale(min_nodes=2, max_nodes=5))

    check_nodes(sizing, [NodePool(name="default", size="s", count=3)])
    with pytest.raises(ConfigError) as raised:
        check_nodes(sizing, [tainted, small])

    assert raised.value.field == "node_pools[1].autoscale.min_nodes"
    assert raised.value.message == (
        "Argo CD is highly available for this fleet (200 clusters): Redis HA needs 3 nodes, "
        "one for each of its servers, and the node pools have 2 that Argo CD can run on: "
        "raise node_pools[1].autoscale.min_nodes (pool 'default') to 3, or set "
        "argocd.high_availability: false")
    check_nodes(ArgoCdSizing.for_fleet(200, high_availability=False), [small])


def test_cluster_yaml_names_the_management_pool_that_cannot_hold_it(tmp_path):
    clusters = fleet_dir(tmp_path, 6, MANAGEMENT.replace("count: 3", "count: 1"))

    with pytest.raises(ConfigError) as raised:
        load_fleet(clusters)

    assert Path(raised.value.file) == clusters / "mgmt" / "cluster.yaml"
    assert raised.value.field == "node_pools[0].count"
    assert "raise node_pools[0].count (pool 'default') to 3" in raised.value.message


def test_cluster_yaml_can_turn_it_off_or_size_the_controller(tmp_path):
    off = fleet_dir(tmp_path / "off", 6, MANAGEMENT.replace("count: 3", "count: 1") +
                    "  high_availability: false\n")
    sized = fleet_dir(tmp_path / "sized", 6, MANAGEMENT + "  controller_replicas: 3\n")

    assert not load_fleet(off).argocd_sizing.high_availability
    assert load_fleet(sized).argocd_sizing.controller_replicas == 3
    assert sorted(set(load_fleet(sized).controller_shards().values())) == [0, 1, 2]


# --------------------------------------------------------------------------- synthesized


def test_a_200_cluster_fleet_gets_an_ha_sharded_argo_cd(tmp_path):
    clusters = fleet_dir(tmp_path, 199)
    fleet = load_fleet(clusters)
    stacks = synth_stacks(clusters, tmp_path / "out", names=["mgmt", "w-0001", "w-0002"],
                          env=CLEAN_ENV)

    objects = render(argocd_values(stacks["mgmt"]))

    controller = objects[("StatefulSet", "argocd-application-controller")]
    assert controller["spec"]["replicas"] == 4
    env = env_of(controller)
    assert env["ARGOCD_CONTROLLER_REPLICAS"] == "4"
    assert (env["ARGOCD_K8S_CLIENT_QPS"], env["ARGOCD_K8S_CLIENT_BURST"]) == ("100", "200")
    params = objects[("ConfigMap", "argocd-cmd-params-cm")]["data"]
    assert params["controller.status.processors"] == "50"
    assert params["controller.operation.processors"] == "25"
    for name in ("argocd-server", "argocd-repo-server", "argocd-applicationset-controller"):
        assert objects[("Deployment", name)]["spec"]["replicas"] == 2
    assert objects[("StatefulSet", "argocd-redis-ha-server")]["spec"]["replicas"] == 3
    assert ("Deployment", "argocd-redis") not in objects  # the single Redis is gone
    budgets = {name for kind, name in objects if kind == "PodDisruptionBudget"}
    assert budgets == {"argocd-application-controller", "argocd-server", "argocd-repo-server",
                       "argocd-applicationset-controller", "argocd-redis-ha-pdb",
                       "argocd-redis-ha-haproxy-pdb"}
    spread = controller["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert spread[0]["topologyKey"] == "kubernetes.io/hostname"

    # Every registration names its shard: the management cluster's own Secret, the workers'
    # argocd_cluster resources.
    shards = fleet.controller_shards()
    (in_cluster,) = [s for s in stacks["mgmt"]["resource"]["kubernetes_secret_v1"].values()
                     if "cluster-in-cluster" in json.dumps(s["metadata"])]
    assert in_cluster["data"]["shard"] == str(shards["mgmt"])
    for name in ("w-0001", "w-0002"):
        (registration,) = stacks[name]["resource"]["argocd_cluster"].values()
        assert registration["shard"] == str(shards[name])


def test_a_two_cluster_fleet_keeps_todays_footprint(tmp_path):
    clusters = fleet_dir(tmp_path, 1)
    stacks = synth_stacks(clusters, tmp_path / "out", env=CLEAN_ENV)

    objects = render(argocd_values(stacks["mgmt"]))

    assert objects[("StatefulSet", "argocd-application-controller")]["spec"]["replicas"] == 1
    assert objects[("Deployment", "argocd-redis")]["spec"]["replicas"] == 1
    assert not any(kind == "PodDisruptionBudget" for kind, _ in objects)
    assert not any("redis-ha" in name for _, name in objects)
    (registration,) = stacks["w-0001"]["resource"]["argocd_cluster"].values()
    assert "shard" not in registration
    assert "shard" not in json.dumps(stacks["mgmt"]["resource"]["kubernetes_secret_v1"])


# --------------------------------------------------------------------------- errors, preview


def test_too_many_controller_replicas_in_cluster_yaml_names_the_field(tmp_path):
    clusters = fleet_dir(tmp_path, 2, MANAGEMENT + "  controller_replicas: 9\n")

    with pytest.raises(ConfigError) as raised:
        load_fleet(clusters)

    assert raised.value.field == "argocd.controller_replicas"
    assert raised.value.message == "must be between 1 and the number of clusters (3) (got 9)"


@pytest.mark.parametrize("shard, message", [
    (4, "must be a controller shard from 0 to 3 (the controller has 4 replica(s)), got 4"),
    (-1, "must be a controller shard from 0 to 3 (the controller has 4 replica(s)), got -1"),
    ("1", "must be a controller shard from 0 to 3 (the controller has 4 replica(s)), got '1'"),
])
def test_argocd_props_refuse_a_shard_the_controller_does_not_have(shard, message):
    from fleetform.constructs.argocd import ArgoCdProps
    from fleetform.constructs.cluster_access import ClusterAccess

    access = ClusterAccess(name="mgmt", endpoint="https://mgmt.example.com",
                           cluster_ca_certificate="ca", token="${var.token}")
    with pytest.raises(ConfigError) as raised:
        ArgoCdProps(cluster=access, cluster_name="mgmt", sizing=ArgoCdSizing.for_fleet(200),
                    shard=shard)
    assert (raised.value.field, raised.value.message) == ("shard", message)


def test_preview_shows_each_clusters_shard_and_the_load_per_shard(tmp_path, capsys,
                                                                  monkeypatch):
    from fleetform.commands.cli import main

    clusters = fleet_dir(tmp_path, 11)
    app = tmp_path / "manifests" / "global" / "apps" / "web" / "site"
    (app / "templates").mkdir(parents=True)
    (app / "Chart.yaml").write_text("apiVersion: v2\nname: site\nversion: 1.0.0\n")
    monkeypatch.chdir(tmp_path)
    shards = load_fleet(clusters).controller_shards()

    assert main(["preview", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["argocd"]["shards"] == shards and doc["argocd"]["controller_replicas"] == 2
    assert doc["argocd"]["load"] == [{"shard": 0, "clusters": 6, "applications": 6},
                                     {"shard": 1, "clusters": 6, "applications": 6}]

    assert main(["preview"]) == 0
    out = capsys.readouterr().out
    assert "Argo CD: highly available, 2 controller shards: shard 0: 6 clusters, " \
           "6 applications; shard 1: 6 clusters, 6 applications" in out
    assert f"shard {shards['w-0001']}" in out


# --------------------------------------------------------------------------- changes


def test_the_clusters_whose_shard_a_change_moves_are_planned_too(tmp_path):
    from support.git_repo import GitRepo
    from fleetform.commands.changes import changed_clusters

    repo = GitRepo(tmp_path / "fleet")
    repo.write("clusters/mgmt/cluster.yaml", MANAGEMENT)
    names = worker_names(42)
    for name in names:
        repo.write(f"clusters/{name}/cluster.yaml", WORKER)
    base = repo.commit("43 clusters")
    repo.write("clusters/w-0043/cluster.yaml", WORKER)
    added = repo.commit("one more")

    before = controller_shards(["mgmt", *names], 2)
    after = controller_shards(["mgmt", *names, "w-0043"], 2)
    moved = sorted(n for n in before if before[n] != after[n])
    assert len(moved) == 1  # this fleet's addition moves one other cluster
    changes = changed_clusters(repo.path, base, direct=True)
    affected = {c.name: c.reasons for c in changes.affected}
    assert sorted(affected) == sorted({"w-0043", *moved})  # w-0043 added, and the one it moved
    for name in moved:
        assert affected[name] == (f"its Argo CD controller shard moves ({before[name]} -> "
                                  f"{after[name]}): the fleet's size or the controller's "
                                  "replicas changed",)

    repo.append("clusters/mgmt/cluster.yaml", "  controller_replicas: 3\n")
    repo.commit("a third controller replica")
    third = controller_shards(["mgmt", *names, "w-0043"], 3)
    replicas = {c.name for c in changed_clusters(repo.path, added, direct=True).affected}
    assert replicas == {"mgmt"} | {n for n in third if third[n] != after[n]}
    assert len(replicas) > 10
