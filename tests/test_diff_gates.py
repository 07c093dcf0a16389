"""`fleetform diff --gate`: each safety gate passing and failing, and the override."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.git_repo import GitRepo
from fleetform.commands.cli import main
from fleetform.commands.diff import gates
from fleetform.fleet.config import Cluster, Fleet, parse_cluster
from test_diff import MANAGEMENT, diff_of, fleet, worker  # noqa: F401 (fixture)


def gate_names(diff, allowed: bool = False) -> list[str]:
    return [v.gate for v in diff.violations if v.allowed is allowed]


def run_gate(repo: GitRepo, base: str, capsys, *extra: str) -> tuple[int, str]:
    code = main(["diff", "--base", base, "-C", str(repo.path), "--gate", *extra])
    return code, capsys.readouterr().out


def remove_settings(repo: GitRepo) -> None:
    repo.remove("manifests/global/apps/base/settings")
    repo.commit("no more settings")


# --------------------------------------------------------------------------- removed apps


def test_removing_apps_from_more_clusters_than_allowed_fails_the_gate(fleet, capsys):
    base = fleet.head()
    remove_settings(fleet)  # from mgmt, w1 and w2; the default limit is 2

    code, out = run_gate(fleet, base, capsys)

    assert code == 1
    assert ("gate clusters-losing-apps: applications removed from 3 clusters (mgmt, w1, w2); "
            "the limit is 2 (gates.max_clusters_losing_apps, clusters/mgmt/cluster.yaml of the "
            "base)") in out.splitlines()
    assert out.rstrip().endswith("gates: FAILED: 1 violation(s)")


def test_the_limits_come_from_the_base_so_a_change_cannot_loosen_its_own_gate(fleet):
    base = fleet.head()
    fleet.write("clusters/mgmt/cluster.yaml",
                MANAGEMENT + "gates: {max_clusters_losing_apps: 10}\n")
    remove_settings(fleet)

    assert gate_names(diff_of(fleet, base)) == ["clusters-losing-apps"]


def test_limits_configured_before_the_change_let_it_pass(fleet, capsys):
    fleet.write("clusters/mgmt/cluster.yaml",
                MANAGEMENT + "gates: {max_clusters_losing_apps: 3}\n")
    base = fleet.commit("three clusters may lose apps at once")
    remove_settings(fleet)

    code, out = run_gate(fleet, base, capsys)

    assert code == 0
    assert out.rstrip().endswith("gates: passed: 0 violation(s)")


def test_removing_more_apps_in_total_than_allowed_fails_the_gate(fleet):
    fleet.write("clusters/mgmt/cluster.yaml", MANAGEMENT
                + "gates: {max_clusters_losing_apps: 5, max_removed_apps: 2}\n")
    base = fleet.commit("at most two apps removed")
    remove_settings(fleet)

    diff = diff_of(fleet, base)

    assert gate_names(diff) == ["removed-apps"]
    assert [v.message for v in diff.violations] == [
        "3 applications removed in total; the limit is 2 (gates.max_removed_apps, "
        "clusters/mgmt/cluster.yaml of the base)"]


# --------------------------------------------------------------------------- labels


def _fleet(*clusters: tuple[str, str]) -> Fleet:
    parsed: dict[str, Cluster] = {}
    import yaml
    for name, text in clusters:
        parsed[name] = parse_cluster(name, Path(f"clusters/{name}/cluster.yaml"),
                                     yaml.safe_load(text))
    return Fleet(root=Path("clusters"), clusters=parsed)


def test_a_label_whose_applicationset_matches_no_cluster_fails_the_gate():
    # load_fleet refuses a repository no cluster carries; the gate checks the
    # generated ApplicationSets' selectors themselves, whatever the loader let through.
    lonely = _fleet(("mgmt", MANAGEMENT), ("w1", worker("[global]")))
    served = _fleet(("mgmt", MANAGEMENT), ("w1", worker("[global, web]")))

    found = gates.check(base=None, head=lonely, routing=[], pairs=[], removed_stacks=[],
                        override=gates.Override(frozenset(), ()))

    assert [(v.gate, v.message) for v in found] == [
        ("unmatched-label", "the ApplicationSet of label 'web' matches no cluster")]
    assert gates.unmatched_labels(served) == []


# --------------------------------------------------------------------------- renders


def test_an_app_that_renders_to_no_objects_fails_the_gate(fleet, capsys):
    base = fleet.head()
    fleet.write("manifests/global/values/w2/settings/values.yaml", "enabled: false\n")
    fleet.commit("settings off on w2")

    code, out = run_gate(fleet, base, capsys)

    assert code == 1
    assert ("gate empty-app: w2-settings on w2 (global: base/settings) renders to no objects: "
            "Argo CD would deploy nothing, or prune what it deployed") in out.splitlines()


def test_an_app_that_still_renders_objects_passes(fleet, capsys):
    base = fleet.head()
    fleet.write("manifests/global/values/w2/settings/values.yaml", "colour: red\n")
    fleet.commit("red on w2")

    code, out = run_gate(fleet, base, capsys)

    assert code == 0, out
    assert "      ~ ConfigMap base/settings" in out.splitlines()


def test_an_app_that_cannot_render_fails_the_gate(fleet):
    base = fleet.head()
    fleet.write("manifests/web/apps/web/shop/templates/broken.yaml", "{{ .Values.nope.deeper }}\n")
    fleet.commit("broken template")

    diff = diff_of(fleet, base)

    assert gate_names(diff) == ["render-error"]
    assert "nil pointer evaluating interface {}.deeper" in diff.violations[0].message


def test_an_api_the_clusters_new_version_removed_fails_the_gate(fleet, capsys):
    fleet.write("clusters/w1/cluster.yaml", worker("[global, web]", "1.25"))
    fleet.write("manifests/web/values/w1/shop/values.yaml", "tag: '1.1'\nautoscale: true\n")
    base = fleet.commit("w1 on 1.25, autoscaled")
    fleet.write("manifests/web/values/w1/shop/values.yaml", "tag: '1.2'\nautoscale: true\n")
    fleet.commit("w1 runs 1.2")
    assert run_gate(fleet, base, capsys)[0] == 0  # 1.25 still serves autoscaling/v2beta2

    fleet.write("clusters/w1/cluster.yaml", worker("[global, web]", "1.26"))
    fleet.commit("w1 to 1.26")
    code, out = run_gate(fleet, base, capsys)

    assert code == 1
    assert ("gate removed-api: w1-shop on w1 (web: web/shop): Kubernetes 1.26 does not serve "
            "autoscaling/v2beta2 HorizontalPodAutoscaler web/shop: removed in 1.26 "
            "(served until 1.25)") in out.splitlines()


# --------------------------------------------------------------------------- removed cluster, override


@pytest.fixture
def cluster_removed(fleet) -> tuple[GitRepo, str]:
    base = fleet.head()
    fleet.remove("clusters/w2")
    fleet.commit("retire w2")
    return fleet, base


def test_a_removed_cluster_stack_fails_the_gate(cluster_removed, capsys):
    repo, base = cluster_removed

    code, out = run_gate(repo, base, capsys)

    assert code == 1
    assert ("gate removed-cluster: the stack of cluster w2 is removed (clusters/w2/ is gone): "
            "retire it by hand") in out.splitlines()


def test_an_override_in_the_merge_request_description_lets_it_through(cluster_removed):
    repo, base = cluster_removed
    env = {"CI_MERGE_REQUEST_DESCRIPTION": "Retire w2.\n\nfleetform-allow: removed-cluster\n"}

    diff = diff_of(repo, base, env=env)

    assert gate_names(diff) == [] and gate_names(diff, allowed=True) == ["removed-cluster"]
    assert diff.override.sources == ("merge request description",)
    assert not diff.blocking


def test_an_override_for_another_gate_does_not_let_it_through(cluster_removed):
    repo, base = cluster_removed
    env = {"CI_MERGE_REQUEST_DESCRIPTION": "fleetform-allow: removed-apps, remvoed-cluster"}

    diff = diff_of(repo, base, env=env)

    assert gate_names(diff) == ["removed-cluster"]
    assert diff.override.unknown == ("remvoed-cluster",)


def test_an_override_file_in_the_change_lets_it_through(fleet, capsys):
    base = fleet.head()
    fleet.remove("clusters/w2")
    fleet.write(".fleetform-allow", "# w2 is retired, see the runbook\nremoved-cluster\n")
    fleet.commit("retire w2, deliberately")

    code, out = run_gate(fleet, base, capsys)

    assert code == 0
    assert "override from .fleetform-allow (changed by this change): removed-cluster" in out
    assert ("gate removed-cluster: the stack of cluster w2 is removed (clusters/w2/ is gone): "
            "retire it by hand (allowed by override)") in out.splitlines()


def test_an_override_file_left_from_an_earlier_change_does_not_count(fleet):
    fleet.write(".fleetform-allow", "removed-cluster\n")
    base = fleet.commit("an earlier, deliberate change")
    fleet.remove("clusters/w2")
    fleet.commit("retire w2")

    assert gate_names(diff_of(fleet, base)) == ["removed-cluster"]


def test_without_gate_violations_are_reported_but_do_not_fail(cluster_removed, capsys):
    repo, base = cluster_removed

    code = main(["diff", "--base", base, "-C", str(repo.path), "--format", "json"])
    data = json.loads(capsys.readouterr().out)

    assert code == 0
    assert data["gates"] == {
        "enforced": False, "passed": False,
        "violations": [{"gate": "removed-cluster", "allowed": False, "message":
                        "the stack of cluster w2 is removed (clusters/w2/ is gone): "
                        "retire it by hand"}],
        "override": {"gates": [], "sources": [], "unknown": []}}


def test_a_new_app_that_renders_to_no_objects_fails_the_gate(fleet):
    base = fleet.head()
    fleet.write("manifests/web/apps/web/empty/Chart.yaml",
                "apiVersion: v2\nname: empty\nversion: 0.1.0\n")
    fleet.write("manifests/web/apps/web/empty/templates/nothing.yaml", "# nothing yet\n")
    fleet.commit("an app with nothing in it")

    diff = diff_of(fleet, base)

    assert [(v.gate, v.message) for v in diff.violations] == [
        ("empty-app", "w1-empty on w1 (web: web/empty) renders to no objects: Argo CD would "
                      "deploy nothing, or prune what it deployed")]
