"""cluster.yaml mistakes: one message naming the file and the field."""

import re

import pytest
from conftest import write_cluster

from fleetform.fleet.config import load_fleet
from fleetform.errors import ConfigError

WORKER = """
    role: worker
    region: fra1
    kubernetes_version: "1.33"
    node_pools:
      - name: default
        size: s-2vcpu-4gb
        count: 2
    labels: [global, production]
"""


def _error(fleet_dir, name, text) -> str:
    file = write_cluster(fleet_dir, name, text)
    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)
    message = str(info.value)
    assert str(file) in message or str(file.parent) in message, message
    return message


def test_yaml_syntax_error_names_line(fleet_dir):
    message = _error(fleet_dir, "broken", "role: worker\nregion: [fra1\n")

    assert "invalid YAML" in message and re.search(r"line \d+", message)


def test_unknown_key(fleet_dir):
    message = _error(fleet_dir, "typo", WORKER + "    regoin: fra1\n")

    assert "regoin: unknown key" in message


def test_unknown_nested_key(fleet_dir):
    message = _error(fleet_dir, "typo", WORKER.replace("count: 2", "count: 2\n        sise: x"))

    assert "node_pools[0].sise: unknown key" in message


def test_wrong_type(fleet_dir):
    message = _error(fleet_dir, "wrong", WORKER.replace("count: 2", "count: two"))

    assert "node_pools[0].count" in message and "integer" in message


def test_string_for_bool_is_rejected(fleet_dir):
    message = _error(fleet_dir, "wrong", WORKER + "    ha: 'yes'\n")

    assert "ha" in message and "bool" in message


def test_invalid_cluster_name(fleet_dir):
    message = _error(fleet_dir, "Prod_EU", WORKER)

    assert "name" in message and "DNS-1123" in message and "'Prod_EU'" in message


def test_min_greater_than_max(fleet_dir):
    text = WORKER.replace("count: 2", "autoscale: {min_nodes: 3, max_nodes: 1}")
    message = _error(fleet_dir, "pools", text)

    assert "node_pools[0].autoscale" in message
    assert "max_nodes must be >= min_nodes (got 1 < 3)" in message


def test_count_and_autoscale_together(fleet_dir):
    text = WORKER.replace("count: 2", "count: 2\n        autoscale: {min_nodes: 1, max_nodes: 2}")
    message = _error(fleet_dir, "pools", text)

    assert "node_pools[0]" in message and "exactly one of count or autoscale" in message


def test_duplicate_node_pool_names(fleet_dir):
    text = WORKER.replace("labels:", """  - name: default
        size: s-2vcpu-4gb
        count: 1
    labels:""")
    message = _error(fleet_dir, "pools", text)

    assert "node_pools[1].name: duplicate node pool name 'default'" in message


def test_duplicate_yaml_key(fleet_dir):
    message = _error(fleet_dir, "dup", WORKER + "    region: ams3\n")

    assert "duplicate key 'region'" in message


def test_cluster_yml_next_to_cluster_yaml_is_a_duplicate(fleet_dir):
    write_cluster(fleet_dir, "twice", WORKER)
    (fleet_dir / "twice" / "cluster.yml").write_text("role: worker\n")

    with pytest.raises(ConfigError, match=r"twice/cluster.yml: duplicate cluster definition"):
        load_fleet(fleet_dir)


def test_empty_file(fleet_dir):
    message = _error(fleet_dir, "empty", "")

    assert "is empty" in message


def test_name_key_is_rejected(fleet_dir):
    message = _error(fleet_dir, "named", WORKER + "    name: other\n")

    assert "name: unknown key: a cluster is named after its directory" in message


def test_invalid_role(fleet_dir):
    message = _error(fleet_dir, "odd", WORKER.replace("role: worker", "role: manager"))

    assert "role" in message and "'manager'" in message


def test_no_management_cluster(fleet_dir):
    (fleet_dir / "do-management" / "cluster.yaml").unlink()
    (fleet_dir / "do-management").rmdir()

    with pytest.raises(ConfigError, match="no management cluster"):
        load_fleet(fleet_dir)


def test_two_management_clusters(fleet_dir):
    text = (fleet_dir / "do-management" / "cluster.yaml").read_text()
    file = write_cluster(fleet_dir, "do-management-2", text)

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert "exactly one management cluster is allowed, found 2" in str(info.value)
    assert str(file) in str(info.value)


def test_label_without_repository(fleet_dir):
    message = _error(fleet_dir, "edge", WORKER.replace("[global, production]", "[global, edge]")
                     + "    argocd: {server: 'argocd.example.com:443'}\n")

    assert "labels.edge: label 'edge' has no repository" in message
    assert "argocd.repositories.edge" in message


def test_repository_for_no_label(fleet_dir):
    file = fleet_dir / "do-management" / "cluster.yaml"
    file.write_text(file.read_text() + """    staging:
      url: https://gitlab.com/example/staging.git
""")

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert f"{file}: argocd.repositories.staging: repository for label 'staging'" in str(info.value)


def test_malformed_repository_url(fleet_dir):
    file = fleet_dir / "do-management" / "cluster.yaml"
    file.write_text(file.read_text().replace(
        "url: https://gitlab.com/example/fleetform.git\n      revision: main\n      path: manifests/global",
        "url: gitlab.com/example/fleetform\n      revision: main\n      path: manifests/global", 1))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert "argocd.repositories.global.url: must be a Git URL" in str(info.value)


@pytest.mark.parametrize("labels, expected", [
    ("{'bad key!': 'true'}", "invalid label key 'bad key!'"),
    ("{global: 'https://example.com/x'}", "invalid label value 'https://example.com/x'"),
    ("{global: '" + "x" * 64 + "'}", "invalid label value"),
])
def test_invalid_label(fleet_dir, labels, expected):
    message = _error(fleet_dir, "lbl", WORKER.replace("[global, production]", labels))

    assert "labels" in message and expected in message


def test_several_broken_files_are_all_reported(fleet_dir):
    write_cluster(fleet_dir, "a-broken", "role: worker\nregion: [\n")
    write_cluster(fleet_dir, "b-broken", WORKER + "    extra: 1\n")

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    lines = str(info.value).splitlines()
    assert any("a-broken" in line and "invalid YAML" in line for line in lines)
    assert any("b-broken" in line and "extra: unknown key" in line for line in lines)


@pytest.mark.parametrize("name", ["argocd_admin_password", "argocd_management_token",
                                  "argocd_auth_token"])
def test_repository_password_variable_cannot_reuse_a_stack_variable(fleet_dir, name):
    file = fleet_dir / "do-management" / "cluster.yaml"
    file.write_text(file.read_text().replace(
        "      path: manifests/global\n",
        "      path: manifests/global\n      credentials:\n        username: deploy\n"
        f"        password_variable: {name}\n", 1))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert "argocd.repositories.global.credentials.password_variable" in str(info.value)
    assert "variable of fleetform's own stacks" in str(info.value)


def test_apps_chart_version_older_than_go_template_options(tmp_path):
    message = _error(tmp_path, "mgmt", """
        role: management
        region: fra1
        kubernetes_version: "1.33"
        node_pools: [{name: default, size: s-2vcpu-4gb, count: 2}]
        labels: [global]
        argocd:
          apps_chart_version: 2.0.2
          repositories:
            global: {url: "https://gitlab.com/acme/apps.git"}
    """)

    assert "argocd.apps_chart_version" in message and "2.0.3 or later" in message, message


MANAGEMENT_GATES = """
    role: management
    region: fra1
    kubernetes_version: "1.33"
    node_pools: [{name: default, size: s-2vcpu-4gb, count: 2}]
    labels: [global, production, management]
    argocd:
      hostname: argocd.example.com
      repositories:
        global: {url: "https://gitlab.com/example/fleetform.git", path: manifests/global}
        production: {url: "https://gitlab.com/example/fleetform.git", path: manifests/production}
        management: {url: "https://gitlab.com/example/fleetform.git", path: manifests/management}
"""


@pytest.mark.parametrize("gates, expected", [
    ("{max_removed_apps: -1}", "gates.max_removed_apps: Input should be greater than or equal to 0"),
    ("{max_clusters_losing_apps: '3'}", "gates.max_clusters_losing_apps: Input should be a valid integer"),
    ("{max_removed: 3}", "gates.max_removed: unknown key"),
])
def test_diff_gates_are_validated(fleet_dir, gates, expected):
    message = _error(fleet_dir, "do-management", MANAGEMENT_GATES + f"    gates: {gates}\n")

    assert expected in message


def test_diff_gates_belong_to_the_management_cluster(fleet_dir):
    message = _error(fleet_dir, "edge", WORKER + "    gates: {max_removed_apps: 3}\n")

    assert "gates: unknown key" in message
