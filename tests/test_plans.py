"""The plan summaries, the plan report's gates, its part of the merge request note, and the
drift issue, on plans written here (tests/test_terraform_plans.py has real ones)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetform.integrations import merge_request_note as mrnote
from fleetform.integrations.gitlab import GitLabError
from fleetform.commands.cli import main
from fleetform.commands.drift import LABEL, DriftReport, keep_issue
from fleetform.integrations.terraform_plan import SENSITIVE, SUMMARY_FILE, UNKNOWN, summarize
from fleetform.commands.plans import load
from support.fake_gitlab import FakeGitLab

TOKEN = "glpat-test-token-456"
SECRET = "s3cret-bearer-token-0123456789"


def change(address: str, actions: list[str], before=None, after=None, *, mode="managed",
           **more) -> dict:
    kind = address.split(".")[-2] if address.startswith("data.") else address.split(".")[0]
    return {"address": address, "mode": mode, "type": kind,
            "change": {"actions": actions, "before": before, "after": after,
                       "after_unknown": more.pop("after_unknown", {}),
                       "before_sensitive": more.pop("before_sensitive", {}),
                       "after_sensitive": more.pop("after_sensitive", {}), **more}}


PLAN = {
    "terraform_version": "1.11.4",
    "resource_changes": [
        change("argocd_cluster.registration", ["update"],
               {"server": "https://k8s", "config": [{"bearer_token": SECRET}],
                "metadata": [{"labels": {"edge": "true"}}]},
               {"server": "https://k8s", "config": [{"bearer_token": SECRET + "-new"}],
                "metadata": [{"labels": {"edge": "true", "canary": "true"}}]},
               before_sensitive={"config": [{"bearer_token": True}]},
               after_sensitive={"config": [{"bearer_token": True}]}),
        change("digitalocean_kubernetes_node_pool.batch", ["delete", "create"],
               {"size": "c-4", "node_count": 1, "id": "pool-1"},
               {"size": "c-8", "node_count": 1, "id": None},
               after_unknown={"id": True}, replace_paths=[["size"]]),
        change("helm_release.argo_cd", ["delete"], {"chart": "argo-cd", "name": "argocd"}),
        change("kubernetes_secret_v1.token", ["create"], None,
               {"data": {"token": SECRET}}, after_sensitive={"data": True}),
        change("data.digitalocean_sizes.sizes", ["read"], mode="data"),
        change("random_password.admin", ["no-op"], {"result": SECRET}, {"result": SECRET},
               before_sensitive={"result": True}, after_sensitive={"result": True}),
    ],
    "resource_drift": [
        change("argocd_cluster.registration", ["update"],
               {"metadata": [{"labels": {"edge": "true"}}]},
               {"metadata": [{"labels": {"edge": "true", "by-hand": "true"}}]}),
        change("data.digitalocean_sizes.sizes", ["update"], mode="data"),
    ],
    "output_changes": {"automation_user_token": {"actions": ["update"], "before": SECRET,
                                                 "after": None, "after_sensitive": True,
                                                 "before_sensitive": True}},
}


def test_a_summary_lists_managed_changes_with_their_attributes_and_no_secret():
    summary = summarize(PLAN, "edge-1")

    assert SECRET not in json.dumps(summary)
    assert summary["counts"] == {"add": 1, "change": 1, "replace": 1, "destroy": 1, "forget": 0}
    by_address = {r["address"]: r for r in summary["resources"]}
    # Data sources' reads and no-ops are no changes.
    assert list(by_address) == ["argocd_cluster.registration",
                                "digitalocean_kubernetes_node_pool.batch",
                                "helm_release.argo_cd", "kubernetes_secret_v1.token"]
    assert by_address["argocd_cluster.registration"]["attributes"] == [
        {"path": "config[0].bearer_token", "before": SENSITIVE, "after": SENSITIVE},
        {"path": "metadata[0].labels.canary", "before": None, "after": "true"}]
    assert by_address["digitalocean_kubernetes_node_pool.batch"]["attributes"] == [
        {"path": "id", "before": "pool-1", "after": UNKNOWN},
        {"path": "size", "before": "c-4", "after": "c-8", "forces_replacement": True}]
    assert by_address["helm_release.argo_cd"]["chart"] == "argo-cd"
    assert "attributes" not in by_address["kubernetes_secret_v1.token"]  # a create: all new
    # What changed outside Terraform: managed resources only.
    (drift,) = summary["drift"]
    assert drift["attributes"] == [{"path": "metadata[0].labels.by-hand", "before": None,
                                    "after": "true"}]
    assert summary["outputs"] == [{"name": "automation_user_token", "action": "update",
                                   "sensitive": True}]


def write_stack(stacks: Path, name: str, result: dict, summary: dict | None = None) -> None:
    stack = stacks / name
    stack.mkdir(parents=True, exist_ok=True)
    (stack / "cdk.tf.json").write_text("{}")
    (stack / "result.json").write_text(json.dumps({"cluster": name, "command": "plan",
                                                   **result}))
    if summary is not None:
        (stack / SUMMARY_FILE).write_text(json.dumps(summary))


@pytest.fixture
def stacks(tmp_path) -> Path:
    stacks = tmp_path / "stacks"
    write_stack(stacks, "edge-1", {"status": "changes"}, summarize(PLAN, "edge-1"))
    write_stack(stacks, "edge-2", {"status": "no-changes"}, summarize({}, "edge-2"))
    write_stack(stacks, "edge-3", {"status": "failed", "failed_step": "init",
                                   "error": "Error: Failed to query available provider packages"})
    (stacks / "edge-4").mkdir()
    (stacks / "edge-4" / "cdk.tf.json").write_text("{}")  # synthesized, its job never ran
    write_stack(stacks, "edge-5", {"status": "changes"})  # its summary is missing
    return stacks


def test_failed_unplanned_and_unreadable_stacks_are_never_clean(stacks):
    plans = {p.cluster: p for p in load(stacks)}

    assert {n: p.status for n, p in plans.items()} == {
        "edge-1": "changes", "edge-2": "no-changes", "edge-3": "failed",
        "edge-4": "not-planned", "edge-5": "failed"}
    assert plans["edge-3"].headline() == ("plan FAILED: at init: Error: Failed to query "
                                          "available provider packages")
    assert plans["edge-4"].headline() == "not planned (its plan job did not run)"
    assert plans["edge-5"].error == "plan-summary.json is missing or unreadable"
    report = DriftReport(list(plans.values()))
    assert [p.cluster for p in report.drifted] == ["edge-1"]
    assert [p.cluster for p in report.unknown] == ["edge-3", "edge-4", "edge-5"]
    assert [p.cluster for p in report.clean] == ["edge-2"]


def test_every_plan_gate_names_the_cluster_and_the_resource(stacks, tmp_path, monkeypatch,
                                                            capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI_MERGE_REQUEST_DESCRIPTION", raising=False)

    assert main(["plans", "--gate", "--stacks-dir", str(stacks), "edge-1", "edge-2"]) == 1
    out = capsys.readouterr().out
    assert "gate plan-destroys-node-pool: the plan of edge-1 replaces " \
        "digitalocean_kubernetes_node_pool.batch" in out
    assert "gate plan-destroys-argocd: the plan of edge-1 destroys helm_release.argo_cd" in out
    assert "plan-destroys-registration" not in out  # an update, not a replacement
    monkeypatch.setenv("CI_MERGE_REQUEST_DESCRIPTION",
                       "fleetform-allow: plan-destroys-node-pool, plan-destroys-argocd")
    assert main(["plans", "--gate", "--stacks-dir", str(stacks), "edge-1", "edge-2"]) == 0
    # Not gated, the report never fails the job.
    assert main(["plans", "--stacks-dir", str(stacks)]) == 0


@pytest.mark.parametrize("argv, message", [
    (["--stacks-dir", "missing"], "missing: --stacks-dir: is not a directory"),
    (["../etc"], "CLUSTER: is not a cluster name: '../etc'"),
])
def test_bad_arguments_are_errors_naming_the_option(stacks, tmp_path, monkeypatch, capsys,
                                                    argv, message):
    monkeypatch.chdir(tmp_path)
    args = argv if argv[0] == "--stacks-dir" else ["--stacks-dir", str(stacks), *argv]
    for command in ("plans", "drift"):
        assert main([command, *args]) == 2
        assert message in capsys.readouterr().err


def test_the_plans_part_and_the_diff_part_share_one_note_without_overwriting_each_other():
    with FakeGitLab(project="42", token=TOKEN) as gitlab:
        env = {"CI_API_V4_URL": gitlab.api_url, "CI_PROJECT_ID": "42",
               "CI_MERGE_REQUEST_IID": "7", mrnote.TOKEN_ENV: TOKEN, "CI_COMMIT_SHA": "abc"}
        diff = f"{mrnote.NOTE_MARKER}\n### fleetform diff\n\nthe diff\n"
        plans = f"{mrnote.plans_heading('abc')}\n### fleetform plans\n\nthe plans\n"

        assert mrnote.post(plans, env, part="plans") == "created note 100"
        assert mrnote.post(diff, env) == "updated note 100"
        (note,) = gitlab.notes["7"]
        assert note["body"] == diff + "\n" + plans
        # The plans of a rerun replace their part only.
        mrnote.post(plans.replace("the plans", "newer plans"), env, part="plans")
        assert note["body"] == diff + "\n" + plans.replace("the plans", "newer plans")
        # A new commit's diff drops the plans of the old one (its own come later).
        mrnote.post(diff.replace("the diff", "next diff"), {**env, "CI_COMMIT_SHA": "def"})
        assert note["body"] == diff.replace("the diff", "next diff")
        assert len(gitlab.notes["7"]) == 1


def test_the_drift_issue_opens_on_drift_is_updated_and_closes_when_clean(stacks):
    plans = {p.cluster: p for p in load(stacks)}
    drifted = DriftReport([plans["edge-1"], plans["edge-2"]])
    clean = DriftReport([plans["edge-2"]])
    with FakeGitLab(project="42", token=TOKEN) as gitlab:
        env = {"CI_API_V4_URL": gitlab.api_url, "CI_PROJECT_ID": "42",
               "FLEETFORM_DRIFT_ISSUE_TOKEN": TOKEN}

        assert keep_issue(clean, "clean", env) == "no drift issue to open or close"
        assert keep_issue(drifted, "first", env) == "opened issue #1"
        assert keep_issue(drifted, "second", env) == "updated issue #1"
        (issue,) = gitlab.issues
        assert (issue["title"], issue["description"], issue["labels"], issue["state"]) == \
            ("fleetform: drift on 1 cluster(s)", "second", [LABEL], "opened")
        assert keep_issue(clean, "all clean", env) == "closed issue #1"
        assert (issue["state"], issue["description"]) == ("closed", "all clean")
        assert issue["title"] == "fleetform: the fleet is clean"
        # Drift again: a new issue (the closed one stays the record of the last).
        assert keep_issue(drifted, "again", env) == "opened issue #2"
        # A refused token is an error that does not show it.
        with pytest.raises(GitLabError) as info:
            keep_issue(drifted, "x", {**env, "FLEETFORM_DRIFT_ISSUE_TOKEN": "wrong-token"})
        assert "HTTP 401" in str(info.value) and "wrong-token" not in str(info.value)
