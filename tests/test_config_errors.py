"""cluster.yaml mistakes: one message naming the file and the field."""

import re

import pytest
from support.fleets import write_cluster

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
    ("{global: 'true', production: 'False'}",
     "labels.production: write 'false' in lowercase, got 'False': label values are "
     "case-sensitive, and only 'false' or '' turn a label off"),
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


# --- formats, unknown keys, several bad labels ----------------------------------------

FORMAT_CASES = {
    "region": ("region: fra1", "region: Frankfurt",
               "region: must be a DigitalOcean region slug: three lowercase letters and a "
               "digit, such as fra1 or nyc3 (doctl kubernetes options regions), got 'Frankfurt'"),
    "version with v": ('kubernetes_version: "1.33"', 'kubernetes_version: "v1.33"',
                       "kubernetes_version: must be a DOKS Kubernetes version: 1.33 (the newest "
                       "1.33.x) or exact, such as 1.33.1-do.0 (doctl kubernetes options "
                       "versions), got 'v1.33'"),
    # DOKS names every version X.Y.Z-do.N: X.Y.Z alone would match none of them.
    "version without build": ('kubernetes_version: "1.33"', 'kubernetes_version: "1.33.1"',
                              "kubernetes_version: must be a DOKS Kubernetes version"),
    "version wildcard": ('kubernetes_version: "1.33"', 'kubernetes_version: "1.33.x"',
                         "got '1.33.x'"),
    "size": ("size: s-2vcpu-4gb", "size: huge",
             "node_pools[0].size: must be a DigitalOcean droplet size slug such as s-2vcpu-4gb "
             "or c-4 (doctl kubernetes options sizes), got 'huge'"),
    "size in capitals": ("size: s-2vcpu-4gb", "size: S-2VCPU-4GB", "got 'S-2VCPU-4GB'"),
    "pool name": ("name: default", "name: Default_Pool",
                  "node_pools[0].name: must be a DNS-1123 label: lowercase letters, digits and "
                  "'-', starting and ending with a letter or digit, got 'Default_Pool'"),
}


@pytest.mark.parametrize("old, new, expected", FORMAT_CASES.values(), ids=FORMAT_CASES.keys())
def test_a_malformed_value_says_which_format_is_expected(fleet_dir, old, new, expected):
    assert old in WORKER
    message = _error(fleet_dir, "fmt", WORKER.replace(old, new))

    assert expected in message
    assert "invalid value" not in message


@pytest.mark.parametrize("extra, expected", [
    ("    maintenance_window: {day: sunday, start_time: '3am'}\n",
     "maintenance_window.start_time: must be a UTC time HH:MM, such as 03:00, got '3am'"),
    ("    vpc_uuid: my-vpc\n", "vpc_uuid: must be a VPC UUID: 8-4-4-4-12 lowercase hexadecimal"),
    ("    tags: [Fleet Form]\n", "tags[0]: must be a DNS-1123 label"),
])
def test_other_formats_are_explained(fleet_dir, extra, expected):
    message = _error(fleet_dir, "fmt", WORKER + extra)

    assert expected in message


def test_every_format_the_schema_checks_has_an_explanation():
    from fleetform.fleet.clouds import MODELS
    from fleetform.fleet.cluster_yaml_fields import FORMATS

    def patterns(node):
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                yield node["pattern"]
            for value in node.values():
                yield from patterns(value)
        elif isinstance(node, list):
            for value in node:
                yield from patterns(value)

    # Every cloud's and role's model.
    found = {p for model in MODELS.values() for p in patterns(model.model_json_schema())}
    assert len(found) >= 14
    assert found <= set(FORMATS), sorted(found - set(FORMATS))


@pytest.mark.parametrize("version", ["1.33", "1.9", "1.33.1-do.0", "1.30.10-do.2"])
@pytest.mark.parametrize("size", ["c-4", "s-4vcpu-8gb-amd", "so1_5-2vcpu-16gb",
                                  "gpu-h100x1-80gb"])
def test_well_formed_slugs_and_versions_are_accepted(fleet_dir, version, size):
    write_cluster(fleet_dir, "ok", WORKER.replace('"1.33"', f'"{version}"')
                  .replace("s-2vcpu-4gb", size) + "    argocd: {server: 'a.example.com:443'}\n")

    fleet = load_fleet(fleet_dir)

    spec = fleet.clusters["ok"].spec
    assert spec.kubernetes_version == version and spec.node_pools[0].size == size


@pytest.mark.parametrize("old, new, expected", [
    ("region: fra1", "regoin: fra1", "regoin: unknown key (did you mean 'region'?)"),
    ("count: 2", "cuont: 2", "node_pools[0].cuont: unknown key (did you mean 'count'?)"),
    ("labels:", "lables:", "lables: unknown key (did you mean 'labels'?)"),
])
def test_an_unknown_key_suggests_the_closest_known_one(fleet_dir, old, new, expected):
    message = _error(fleet_dir, "typo", WORKER.replace(old, new))

    assert expected in message


def test_unknown_nested_keys_suggest_from_their_own_section(fleet_dir):
    message = _error(fleet_dir, "typo", WORKER + (
        "    argocd: {server: 'a.example.com:443', grcp_web: true}\n"
        "    maintenance_window: {day: sunday, strat_time: '03:00'}\n"))

    assert "argocd.grcp_web: unknown key (did you mean 'grpc_web'?)" in message
    assert "maintenance_window.strat_time: unknown key (did you mean 'start_time'?)" in message


def test_an_unknown_key_in_a_repository_suggests_the_closest(fleet_dir):
    file = fleet_dir / "do-management" / "cluster.yaml"
    file.write_text(file.read_text().replace("revision: main", "revison: main", 1))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert ("argocd.repositories.global.revison: unknown key (did you mean 'revision'?)"
            in str(info.value))


def test_an_unknown_key_like_no_other_lists_the_known_ones(fleet_dir):
    message = _error(fleet_dir, "typo", WORKER + "    argocd: {zzzz: 1}\n")

    assert "argocd.zzzz: unknown key (known keys: server, grpc_web, insecure)" in message


def test_several_bad_label_keys_give_one_line_each(fleet_dir):
    file = write_cluster(fleet_dir, "lbl", WORKER.replace(
        "[global, production]", "{global: 'true', 'bad key!': 'true', 'also bad!': x, "
        "argocd.argoproj.io/secret-type: y}"))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    lines = str(info.value).splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{file}: labels.bad key!: invalid label key 'bad key!'")
    assert lines[1].startswith(f"{file}: labels.also bad!: invalid label key 'also bad!'")
    assert lines[2] == (f"{file}: labels.argocd.argoproj.io/secret-type: label keys under "
                        "argocd.argoproj.io/ are reserved for Argo CD itself")


def test_several_bad_node_labels_give_one_line_each(fleet_dir):
    file = write_cluster(fleet_dir, "lbl", WORKER.replace(
        "count: 2", "count: 2\n        labels: {'a b': x, ok: 'not ok', 'c d': y}"))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    lines = str(info.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "node_pools[0].labels.a b", "node_pools[0].labels.ok", "node_pools[0].labels.c d"]
    assert all(line.startswith(str(file)) for line in lines)


def test_a_label_named_like_a_role_keeps_its_name_in_the_field(fleet_dir):
    message = _error(fleet_dir, "lbl", WORKER.replace("[global, production]",
                                                      "{global: 'true', worker: 'no way!'}"))

    assert "labels.worker: invalid label value 'no way!'" in message


def test_check_labels_reports_every_bad_label():
    from fleetform.constructs.labels import check_labels

    with pytest.raises(ConfigError) as info:
        check_labels({"ok": "true", "bad key!": "true", "env": "not ok!"}, field="cluster_labels")

    lines = str(info.value).splitlines()
    assert [line.split(": ")[0] for line in lines] == ["cluster_labels.bad key!",
                                                       "cluster_labels.env"]


# --- what else sits in clusters/ ---------------------------------------------------------


def _load_error(fleet_dir) -> str:
    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)
    return str(info.value)


def test_a_cluster_file_in_the_wrong_place_is_refused(fleet_dir):
    (fleet_dir / "do-staging.yaml").write_text(WORKER)

    assert _load_error(fleet_dir) == (
        f"{fleet_dir}/do-staging.yaml: is not a directory: a cluster is a directory <name>/ "
        "holding cluster.yaml (move it to do-staging/cluster.yaml); only Markdown files and "
        "dotfiles may sit beside them")


def test_markdown_and_dotfiles_beside_the_clusters_are_allowed(fleet_dir):
    (fleet_dir / "README.md").write_text("# clusters\n")
    (fleet_dir / ".gitkeep").write_text("")

    assert sorted(load_fleet(fleet_dir).clusters) == ["do-management", "do-production"]


def test_a_symlinked_cluster_directory_is_refused(fleet_dir):
    (fleet_dir / "do-copy").symlink_to("do-production")

    assert _load_error(fleet_dir) == (
        f"{fleet_dir}/do-copy: is a symbolic link (to do-production): a cluster must be a "
        "real directory, not a link to one")


def test_a_cluster_directory_linked_outside_is_refused(fleet_dir, tmp_path):
    outside = tmp_path / "elsewhere" / "do-outside"
    write_cluster(outside.parent, "do-outside", WORKER)
    (fleet_dir / "do-outside").symlink_to(outside)

    assert _load_error(fleet_dir) == (
        f"{fleet_dir}/do-outside: is a symbolic link (to {outside}): a cluster must be a real "
        "directory, not a link to one")


def test_a_dangling_link_in_clusters_is_refused(fleet_dir):
    (fleet_dir / "do-gone").symlink_to("do-removed")

    assert _load_error(fleet_dir) == (
        f"{fleet_dir}/do-gone: is a symbolic link (to do-removed, which does not exist): a "
        "cluster must be a real directory, not a link to one")


def test_a_link_loop_in_clusters_is_refused(fleet_dir):
    (fleet_dir / "do-a").symlink_to("do-b")
    (fleet_dir / "do-b").symlink_to("do-a")

    assert _load_error(fleet_dir).splitlines() == [
        f"{fleet_dir}/do-a: is a symbolic link (to do-b, a loop of symbolic links): a cluster "
        "must be a real directory, not a link to one",
        f"{fleet_dir}/do-b: is a symbolic link (to do-a, a loop of symbolic links): a cluster "
        "must be a real directory, not a link to one"]


def test_a_symlinked_cluster_file_is_refused(fleet_dir, tmp_path):
    file = fleet_dir / "do-production" / "cluster.yaml"
    elsewhere = tmp_path / "elsewhere.yaml"
    file.rename(elsewhere)
    file.symlink_to(elsewhere)

    assert _load_error(fleet_dir) == (
        f"{file}: is a symbolic link (to {elsewhere}): a cluster's definition must be a file "
        "of its own directory")


# --- strings written into the ApplicationSets' Go templates ---------------------------------


@pytest.mark.parametrize("field, old, new", [
    ("revision", "revision: main\n      path: manifests/global",
     'revision: "main{{"\n      path: manifests/global'),
    ("revision", "revision: main\n      path: manifests/global",
     'revision: "v1}}"\n      path: manifests/global'),
    ("path", "path: manifests/global", 'path: "manifests/{{ .name }}"'),
    ("url", "url: https://gitlab.com/example/fleetform.git\n      revision: main\n      "
            "path: manifests/global",
     'url: "https://gitlab.com/example/{{.x}}.git"\n      revision: main\n      '
     "path: manifests/global"),
])
def test_go_template_delimiters_in_a_repository_are_refused(fleet_dir, field, old, new):
    file = fleet_dir / "do-management" / "cluster.yaml"
    assert old in file.read_text()
    file.write_text(file.read_text().replace(old, new, 1))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert str(info.value).startswith(
        f"{file}: argocd.repositories.global.{field}: must not contain '{{{{' or '}}}}' (it is "
        "written into an ApplicationSet, a Go template, whose generation it would break for "
        "every cluster of the label), got ")


def test_automation_token_renewal_window_longer_than_its_lifetime(fleet_dir):
    file = fleet_dir / "do-management" / "cluster.yaml"
    text = file.read_text()
    assert "\nargocd:\n" in text
    file.write_text(text.replace("\nargocd:\n", "\nargocd:\n  automation_token: "
                                 "{expires_in: 720h, renew_before: 2160h}\n", 1))

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert str(info.value) == (
        f"{file}: argocd.automation_token: renew_before: must be shorter than expires_in "
        "(720h) and longer than 0, got '2160h'")
