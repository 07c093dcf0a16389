"""The plan report and the drift report, from real plans of the stand-in providers.

A management cluster and two DigitalOcean workers are applied from empty state
(``tests/terraform/``). Then, as the child pipeline's jobs do, ``fleetform batch
plan`` plans the stacks and ``fleetform plans`` / ``fleetform drift`` read what it
left: a change, a stack without changes, a replacement that trips a plan gate, a
plan that fails; and a fleet changed behind Terraform's back (a registration's
labels edited in Argo CD), where data that changed (a size DigitalOcean
withdrew) is not drift.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from support.fleets import synth_stacks, write_cluster
from fleetform.commands.batch import Batch
from fleetform.commands.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))
from harness import TerraformMissing, Workspace, terraform_binary  # noqa: E402

MANAGEMENT = """
    role: management
    region: fra1
    kubernetes_version: "1.33"
    node_pools: [{name: default, size: s-4vcpu-8gb, autoscale: {min_nodes: 2, max_nodes: 4}}]
    labels: [global, management]
    maintenance_window: {day: sunday, start_time: "03:00"}
    argocd:
      hostname: argocd.example.com
      repositories:
        global: {url: "https://gitlab.com/acme/apps.git", path: global}
        management: {url: "https://gitlab.com/acme/apps.git", path: management}
        edge: {url: "https://gitlab.com/acme/apps.git", path: edge}
"""
WORKER = """
    role: worker
    region: fra1
    kubernetes_version: "1.33"
    node_pools:
      - {name: default, size: s-2vcpu-4gb, autoscale: {min_nodes: 2, max_nodes: 5}}
      - {name: batch, size: c-4, count: 1, labels: {workload: batch}}
    labels: [global, edge]
    maintenance_window: {day: saturday, start_time: "02:00"}
"""
MGMT, RELABELLED, RESIZED, BROKEN = "mgmt", "edge-1", "edge-2", "edge-3"
ALL = [MGMT, RELABELLED, RESIZED, BROKEN]


class Fleet:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.ws = Workspace(root / "ws")
        self.token = ""

    @property
    def stacks(self) -> Path:
        return self.ws.root / "cdktf.out" / "stacks"

    @property
    def env(self) -> dict[str, str]:
        return {**{k: v for k, v in self.ws.env.items() if v is not None},
                "TF_VAR_argocd_auth_token": self.token}

    def put(self, clusters: dict[str, str]) -> None:
        """Synthesize ``clusters`` (name -> cluster.yaml) into the workspace's stacks."""
        tmp = self.root / f"synth-{len(list(self.root.glob('synth-*')))}"
        for name, text in clusters.items():
            write_cluster(tmp / "clusters", name, text)
        for name, document in synth_stacks(tmp / "clusters", tmp / "out").items():
            self.ws.put_stack(name, document)
            if not (self.ws.stack(name) / ".terraform.lock.hcl").exists():
                self.ws.init(name)

    def plan(self, names: list[str]) -> str:
        """``fleetform batch plan`` (no lock, as merge requests and schedules plan)."""
        out = io.StringIO()
        batch = Batch("plan", names, stacks_dir=self.stacks, jobs=2, lock=False,
                      record=False, env=self.env, out=out)
        batch.report(batch.run())
        return out.getvalue()

    def copy(self, root: Path) -> "Fleet":
        copied = Fleet.__new__(Fleet)
        copied.root, copied.ws, copied.token = root, self.ws.copy(root / "ws"), self.token
        return copied


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Fleet:
    try:
        terraform_binary()
    except TerraformMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    fleet = Fleet(tmp_path_factory.mktemp("plans"))
    fleet.put({MGMT: MANAGEMENT, RELABELLED: WORKER, RESIZED: WORKER})
    fleet.ws.apply(MGMT).check()
    fleet.token = fleet.ws.output(MGMT, "automation_user_token")
    for name in (RELABELLED, RESIZED):
        fleet.ws.apply(name, env={"TF_VAR_argocd_auth_token": fleet.token}).check()
    return fleet


def run_cli(argv: list[str], monkeypatch, tmp_path: Path, **env: str) -> tuple[int, str]:
    for key in ("CI_MERGE_REQUEST_DESCRIPTION", "CI_MERGE_REQUEST_IID", "CI_COMMIT_SHA",
                "FLEETFORM_MR_NOTE_TOKEN", "FLEETFORM_OVERRIDE_FILE_CHANGED"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    code = main(argv)
    monkeypatch.undo()
    return code, out.getvalue()


def sensitive_values(plan: dict) -> set[str]:
    """Every sensitive string the raw plan JSON holds in clear."""
    found: set[str] = set()

    def walk(value, mask):
        if mask is True:
            for text in json.dumps(value).split('"'):
                if len(text) >= 12:
                    found.add(text)
        elif isinstance(mask, dict) and isinstance(value, dict):
            for key in value:
                walk(value[key], mask.get(key))
        elif isinstance(mask, list) and isinstance(value, list):
            for item, sub in zip(value, mask):
                walk(item, sub)

    for change in plan.get("resource_changes", []):
        walk(change["change"].get("before"), change["change"].get("before_sensitive"))
        walk(change["change"].get("after"), change["change"].get("after_sensitive"))
    return found


@pytest.fixture(scope="module")
def merge_request(deployed, tmp_path_factory):
    """The merge request's plans: edge-1 gains a label, edge-2's batch pool a bigger
    size, edge-3 (new) a size DigitalOcean does not have; the management cluster is
    unchanged."""
    fleet = deployed.copy(tmp_path_factory.mktemp("merge-request"))
    fleet.put({MGMT: MANAGEMENT,
               RELABELLED: WORKER.replace("labels: [global, edge]",
                                          "labels: [global, edge, management]"),
               RESIZED: WORKER.replace("size: c-4", "size: c-2"),
               BROKEN: WORKER.replace("size: c-4", "size: c-64")})
    return fleet, fleet.plan(ALL)


def test_the_report_has_a_line_per_changed_or_failed_cluster_and_the_clean_ones_on_one(
        merge_request, monkeypatch, tmp_path):
    fleet, batch_output = merge_request
    assert f"{MGMT}: no changes" in batch_output

    code, text = run_cli(["plans", "--stacks-dir", str(fleet.stacks), "--markdown", "r.md",
                          "--json", "r.json"], monkeypatch, tmp_path, CI_COMMIT_SHA="c0ffee" * 6)

    assert code == 0  # not gated
    lines = text.splitlines()
    assert lines[0] == ("fleetform plans: 4 cluster(s): 2 with changes, 1 without, "
                        "1 failed or not planned")
    assert lines[1] == f"  {RELABELLED}: 0 to add, 1 to change, 0 to replace, 0 to destroy"
    assert lines[2] == f"  {RESIZED}: 0 to add, 0 to change, 1 to replace, 0 to destroy"
    assert lines[3].startswith(f"  {BROKEN}: plan FAILED: at plan: Error: Resource "
                               "precondition failed")
    assert lines[4] == f"  no changes: {MGMT}"
    # per cluster: each resource and the attributes that change
    report = json.loads((tmp_path / "r.json").read_text())
    by_name = {c["cluster"]: c for c in report["clusters"]}
    (registration,) = by_name[RELABELLED]["resources"]
    assert registration["type"] == "argocd_cluster" and registration["action"] == "update"
    assert {"path": "metadata[0].labels.management", "before": None, "after": "true"} \
        in registration["attributes"]
    (pool,) = by_name[RESIZED]["resources"]
    assert pool["type"] == "digitalocean_kubernetes_node_pool" and pool["action"] == "replace"
    assert {"path": "size", "before": "c-4", "after": "c-2", "forces_replacement": True} \
        in pool["attributes"]
    # Markdown: the summary on top, every cluster's resources collapsed
    markdown = (tmp_path / "r.md").read_text()
    assert markdown.startswith(f"<!-- fleetform-plans {'c0ffee' * 6} -->\n### fleetform plans")
    assert f"- No changes: {MGMT}" in markdown
    assert f"- **{BROKEN}**: ❌ plan FAILED: at plan: Error: Resource precondition" in markdown
    assert f"<details><summary><b>{RESIZED}</b>: 0 to add, 0 to change, 1 to replace" in markdown
    assert '    size: "c-4" -> "c-2" (forces replacement)' in markdown


def test_no_secret_of_the_plans_reaches_the_summaries_or_the_report(
        merge_request, monkeypatch, tmp_path):
    fleet, _ = merge_request
    raw = json.loads(fleet.ws.run(RELABELLED, "show", "-json", "plan.cache").check().stdout)
    # (a value sensitive in one attribute may be shown in another: Terraform's own
    # plan.txt shows it, then it is no secret)
    shown = (fleet.stacks / RELABELLED / "plan.txt").read_text()
    secrets = {s for s in sensitive_values(raw) if s not in shown}
    assert secrets, "the plan holds no sensitive value: nothing to check"  # its bearer token

    run_cli(["plans", "--stacks-dir", str(fleet.stacks), "--markdown", "r.md", "--json",
             "r.json"], monkeypatch, tmp_path)

    written = [(tmp_path / "r.md").read_text(), (tmp_path / "r.json").read_text()]
    written += [(fleet.stacks / n / f).read_text() for n in ALL
                for f in ("plan-summary.json", "result.json", "plan.log", "plan.txt")
                if (fleet.stacks / n / f).exists()]
    assert [s for s in secrets if any(s in text for text in written)] == []


def test_a_replaced_node_pool_and_a_failed_plan_fail_the_gate_until_allowed(
        merge_request, monkeypatch, tmp_path):
    fleet, _ = merge_request
    gated = ["plans", "--gate", "--stacks-dir", str(fleet.stacks)]

    code, text = run_cli(gated, monkeypatch, tmp_path)
    assert code == 1
    assert (f"gate plan-destroys-node-pool: the plan of {RESIZED} replaces "
            "digitalocean_kubernetes_node_pool.") in text
    assert "allowed by override" not in text

    # The merge request allows the gate: the failed plan still fails the job.
    code, text = run_cli(gated, monkeypatch, tmp_path,
                         CI_MERGE_REQUEST_DESCRIPTION="Bigger pool.\nfleetform-allow: "
                                                      "plan-destroys-node-pool\n")
    assert "(allowed by override)" in text
    assert code == 1
    # Without the failed stack, the allowed replacement passes.
    code, _ = run_cli([*gated, MGMT, RELABELLED, RESIZED], monkeypatch, tmp_path,
                      CI_MERGE_REQUEST_DESCRIPTION="fleetform-allow: plan-destroys-node-pool")
    assert code == 0
    # A changed .fleetform-allow allows it too (the child pipeline says when it changed).
    (tmp_path / ".fleetform-allow").write_text("plan-destroys-node-pool  # reviewed\n")
    code, _ = run_cli([*gated, MGMT, RELABELLED, RESIZED], monkeypatch, tmp_path,
                      FLEETFORM_OVERRIDE_FILE_CHANGED="true")
    assert code == 0
    code, _ = run_cli([*gated, MGMT, RELABELLED, RESIZED], monkeypatch, tmp_path)
    assert code == 1


def test_drift_made_behind_terraforms_back_is_reported_and_changed_data_is_not(
        deployed, tmp_path, monkeypatch):
    fleet = deployed.copy(tmp_path / "drift")
    before = json.loads(fleet.ws.run(RESIZED, "show", "-json").check().stdout)
    # Someone edits edge-1's registration in Argo CD by hand; DigitalOcean withdraws c-4
    # (every cluster's sizes data source changes; their running pools keep it).
    from harness import clouds
    with clouds.opened(fleet.ws.cloud_file) as cloud:
        (instance,) = cloud["argocd"].values()
        (server,) = [s for s, c in instance["clusters"].items()
                     if c.get("name") == RELABELLED]
        instance["clusters"][server]["labels"] = {"global": "true", "edge": "true",
                                                  "by-hand": "true"}
    fleet.ws.withdraw(size="c-4")
    # and edge-3's first plan fails
    fleet.put({MGMT: MANAGEMENT, RELABELLED: WORKER, RESIZED: WORKER,
               BROKEN: WORKER.replace("size: c-4", "size: c-64")})

    fleet.plan(ALL)
    code, text = run_cli(["drift", "--stacks-dir", str(fleet.stacks), "--json", "d.json",
                          "--markdown", "d.md"], monkeypatch, tmp_path)

    assert code == 2
    assert text.splitlines()[0] == ("fleetform drift: 4 cluster(s): 1 drifted, 1 could not "
                                    "be checked, 2 clean")
    report = json.loads((tmp_path / "d.json").read_text())
    (drifted,) = report["drifted"]
    assert drifted["cluster"] == RELABELLED
    (differs,) = drifted["differs"]
    assert differs["type"] == "argocd_cluster" and differs["action"] == "update"
    assert {a["path"] for a in differs["attributes"]} >= {"metadata[0].labels.by-hand"}
    assert [c["type"] for c in drifted["changed_outside_terraform"]] == ["argocd_cluster"]
    assert [(f["cluster"], f["status"]) for f in report["failed"]] == [(BROKEN, "failed")]
    assert report["clean"] == [RESIZED, MGMT]
    # The data source's answer did change under edge-2: not reported.
    planned = json.loads(fleet.ws.run(RESIZED, "show", "-json", "plan.cache").check().stdout)

    def c4_available(values: dict) -> bool:
        (found,) = [r["values"]["sizes"] for r in values["root_module"]["resources"]
                    if r["type"] == "digitalocean_sizes"]
        return next(s["available"] for s in found if s["slug"] == "c-4")

    assert c4_available(before["values"]) and not c4_available(planned["prior_state"]["values"])
    markdown = (tmp_path / "d.md").read_text()
    assert "**Not checked** (their plan failed or did not run):" in markdown
    assert f"Clean: {RESIZED}, {MGMT}" in markdown
