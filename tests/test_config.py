"""cluster.yaml schema: what valid files mean."""

from pathlib import Path

from support.fleets import CLUSTERS, write_cluster

from fleetform.fleet.config import load_fleet, parse_cluster

BASE = {
    "role": "worker",
    "region": "fra1",
    "kubernetes_version": "1.33",
    "node_pools": [{"name": "default", "size": "s-2vcpu-4gb", "count": 2}],
}


def test_example_fleet_loads_with_one_management_cluster():
    fleet = load_fleet(CLUSTERS)

    assert fleet.management.name == "do-management"
    assert [c.name for c in fleet.workers] == ["do-production"]
    assert dict(fleet.clusters["do-production"].labels) == {"global": "true", "production": "true"}
    assert sorted(fleet.management.spec.argocd.repositories) == ["global", "management", "production"]


def test_label_list_is_shorthand_for_true_values():
    cluster = parse_cluster("w", Path("w/cluster.yaml"), {**BASE, "labels": ["global", "edge"]})

    assert dict(cluster.labels) == {"global": "true", "edge": "true"}


def test_label_mapping_keeps_values():
    cluster = parse_cluster("w", Path("w/cluster.yaml"),
                            {**BASE, "labels": {"global": "true", "tier": "gold"}})

    assert dict(cluster.labels) == {"global": "true", "tier": "gold"}


def test_false_or_empty_turns_a_label_off_and_a_yaml_boolean_is_its_text():
    cluster = parse_cluster("w", Path("w/cluster.yaml"), {**BASE, "labels": {
        "global": True, "production": False, "canary": "false", "edge": "", "tier": "gold"}})

    assert dict(cluster.labels) == {"global": "true", "production": "false", "canary": "false",
                                    "edge": "", "tier": "gold"}
    assert dict(cluster.routing_labels) == {"global": "true", "tier": "gold"}


def test_a_label_turned_off_needs_no_repository(fleet_dir):
    write_cluster(fleet_dir, "do-canary", """
        role: worker
        region: fra1
        kubernetes_version: "1.33"
        node_pools: [{name: default, size: s-2vcpu-4gb, count: 1}]
        labels: {global: true, staging: false}
    """)

    fleet = load_fleet(fleet_dir)

    assert dict(fleet.clusters["do-canary"].routing_labels) == {"global": "true"}


def test_a_repository_whose_label_is_only_carried_turned_off_is_still_in_use(fleet_dir):
    file = fleet_dir / "do-production" / "cluster.yaml"
    file.write_text(file.read_text().replace("labels: [global, production]",
                                             "labels: {global: 'true', production: 'false'}"))

    fleet = load_fleet(fleet_dir)

    assert "production" in fleet.management.spec.argocd.repositories
    assert dict(fleet.clusters["do-production"].routing_labels) == {"global": "true"}


def test_management_is_protected_by_default_and_workers_are_not():
    fleet = load_fleet(CLUSTERS)

    assert fleet.management.protected is True
    assert fleet.clusters["do-production"].protected is False


def test_prevent_destroy_opt_out_and_opt_in():
    off = parse_cluster("m", Path("m/cluster.yaml"),
                        {**BASE, "role": "management", "prevent_destroy": False})
    on = parse_cluster("w", Path("w/cluster.yaml"), {**BASE, "prevent_destroy": True})

    assert off.protected is False
    assert on.protected is True


def test_worker_server_defaults_to_management_hostname(fleet_dir):
    text = (fleet_dir / "do-production" / "cluster.yaml").read_text()
    (fleet_dir / "do-production" / "cluster.yaml").write_text(
        text.replace("argocd:\n  server: argocd.example.com:443\n", ""))

    fleet = load_fleet(fleet_dir)

    assert fleet.argocd_server(fleet.clusters["do-production"]) == "argocd.example.com:443"


def test_selection_orders_management_first(fleet_dir):
    write_cluster(fleet_dir, "aa-edge", """
        role: worker
        region: ams3
        kubernetes_version: "1.33"
        node_pools: [{name: default, size: s-2vcpu-4gb, count: 1}]
        labels: [global]
        argocd: {server: "argocd.example.com:443"}
    """)
    fleet = load_fleet(fleet_dir)

    assert [c.name for c in fleet.select([])] == ["do-management", "aa-edge", "do-production"]
    assert [c.name for c in fleet.select(["do-production", "aa-edge"])] == \
        ["aa-edge", "do-production"]


def test_workers_use_grpc_web_by_default_to_get_through_an_https_ingress():
    cluster = parse_cluster("w", Path("w/cluster.yaml"), dict(BASE))
    direct = parse_cluster("w", Path("w/cluster.yaml"),
                           {**BASE, "argocd": {"server": "argocd.internal:8080",
                                               "grpc_web": False}})

    assert cluster.spec.argocd.grpc_web is True
    assert direct.spec.argocd.grpc_web is False


def test_diff_gates_default_and_configured(fleet_dir):
    management = fleet_dir / "do-management" / "cluster.yaml"
    assert load_fleet(fleet_dir).management.spec.gates.max_removed_apps == 5
    management.write_text(management.read_text() + "gates: {max_removed_apps: 40}\n")

    gates = load_fleet(fleet_dir).management.spec.gates

    assert (gates.max_removed_apps, gates.max_clusters_losing_apps) == (40, 2)
