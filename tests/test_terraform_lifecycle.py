"""Real Terraform plans and applies synthesized stacks, through a cluster's life.

The ``terraform`` binary runs ``init``, ``plan -input=false`` and ``apply``
offline against stand-in providers that serve the pinned providers' schemas
over a fake cloud (``tests/terraform/``). The cloud keeps its clusters,
Kubernetes objects, Helm releases and Argo CD between runs, issues DOKS
kubeconfig tokens that expire after 7 days on its own clock, and refuses
requests made with an unknown or expired token, as the real APIs do.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from support.fleets import CLEAN_ENV, LOCK, write_cluster

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))

from harness import (TerraformMissing, Workspace, changes, deferred_reads,  # noqa: E402
                     terraform_binary)

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
    tags: [fleetform]
    maintenance_window: {day: saturday, start_time: "02:00"}
"""
MGMT, WORKER_NAME = "mgmt", "edge-1"
EIGHT_DAYS = 8 * 24 * 3600


@pytest.fixture(scope="session")
def terraform_available():
    try:
        return terraform_binary()
    except TerraformMissing as exc:
        pytest.fail(str(exc), pytrace=False)


def _synth(tmp: Path, worker: str = WORKER) -> dict[str, dict]:
    from fleetform.fleet.app import synth

    clusters = tmp / "clusters"
    write_cluster(clusters, MGMT, MANAGEMENT)
    write_cluster(clusters, WORKER_NAME, worker)
    out = tmp / "out"
    synth(clusters, out, env=CLEAN_ENV, lock_file=LOCK)
    return {p.name: json.loads((p / "cdk.tf.json").read_text())
            for p in sorted((out / "stacks").iterdir())}


class Deployed:
    """A fleet applied from empty state: the management cluster, then the worker."""

    def __init__(self, workspace: Workspace, management_apply, worker_apply, token: str):
        self.workspace = workspace
        self.management_apply = management_apply
        self.worker_apply = worker_apply
        self.token = token

    def copy(self, tmp: Path) -> Workspace:
        return self.workspace.copy(tmp / "ws")


@pytest.fixture(scope="session")
def deployed(tmp_path_factory, terraform_available) -> Deployed:
    tmp = tmp_path_factory.mktemp("deployed")
    stacks = _synth(tmp)
    ws = Workspace(tmp / "ws")
    for name, document in stacks.items():
        ws.put_stack(name, document)
        ws.init(name)
    management_apply = ws.apply(MGMT)
    management_apply.check()
    token = ws.output(MGMT, "automation_user_token")
    worker_apply = ws.apply(WORKER_NAME, env={"TF_VAR_argocd_auth_token": token})
    worker_apply.check()
    return Deployed(ws, management_apply, worker_apply, token)


def _worker_env(deployed: Deployed) -> dict:
    return {"TF_VAR_argocd_auth_token": deployed.token}


def _argocd(ws: Workspace) -> dict:
    (instance,) = ws.cloud()["argocd"].values()
    return instance


# --- 1. empty state: the management cluster ------------------------------------------------

def test_management_applies_from_empty_state_without_an_admin_password(deployed):
    # TF_VAR_argocd_admin_password is not set and -input=false: nothing may ask for it.
    assert "argocd_admin_password" not in json.dumps(deployed.workspace.env)
    assert "Apply complete!" in deployed.management_apply.stdout
    cloud = deployed.workspace.cloud()
    (cluster,) = [c for c in cloud["clusters"].values() if c["name"] == MGMT]
    assert cloud["argocd"][cluster["id"]]["hostname"] == "argocd.example.com"


def test_management_outputs_are_sensitive(deployed):
    outputs = deployed.workspace.outputs(MGMT)

    for name in ("admin_password", "automation_user_token", "kubeconfig"):
        assert outputs[name]["sensitive"] is True, name
        assert outputs[name]["value"], name
    assert deployed.token in _argocd(deployed.workspace)["tokens"]
    for name in ("admin_password", "automation_user_token"):
        assert deployed.workspace.output(MGMT, name) not in deployed.management_apply.output


# --- 2. a worker registers with the management output's token -------------------------------

def test_worker_registers_in_argocd_with_its_labels(deployed):
    clusters = _argocd(deployed.workspace)["clusters"]

    (registration,) = clusters.values()
    assert registration["name"] == WORKER_NAME
    assert registration["labels"] == {"global": "true", "edge": "true"}
    # Argo CD keeps the ServiceAccount's token, never a DOKS kubeconfig token.
    assert registration["bearer_token"].startswith("sa-")
    assert registration["bearer_token"] not in deployed.workspace.cloud()["tokens"]


def test_worker_is_refused_without_the_management_token(deployed, tmp_path):
    ws = deployed.copy(tmp_path)
    result = ws.plan(WORKER_NAME, env={"TF_VAR_argocd_auth_token": "not-a-token"})

    assert result.returncode != 0
    assert "Unauthenticated" in result.output


def test_nothing_changes_on_a_second_plan(deployed, tmp_path):
    ws = deployed.copy(tmp_path)
    for stack, env in ((MGMT, None), (WORKER_NAME, _worker_env(deployed))):
        ws.plan(stack, "-detailed-exitcode", env=env)
        assert changes(ws.plan_json(stack, env=env)) == {}, stack


# --- 3. routine change ---------------------------------------------------------------------

def _resynth_worker(ws: Workspace, tmp: Path, text: str) -> None:
    ws.put_stack(WORKER_NAME, _synth(tmp / "resynth", worker=text)[WORKER_NAME])


ROUTINE = WORKER.replace('start_time: "02:00"', 'start_time: "05:00"') \
    .replace("count: 1,", "count: 3,")


def _assert_routine_change(ws: Workspace, deployed: Deployed) -> None:
    env = _worker_env(deployed)
    result = ws.plan(WORKER_NAME, env=env)
    result.check()
    plan = ws.plan_json(WORKER_NAME, env=env)
    planned = changes(plan)

    cluster = next(a for a in planned if a.startswith("digitalocean_kubernetes_cluster."))
    pool = next(a for a in planned if a.startswith("digitalocean_kubernetes_node_pool."))
    assert planned == {cluster: ["update"], pool: ["update"]}, planned
    # The providers' credentials were known and valid at plan time: the objects on the
    # worker and in Argo CD were refreshed (the stand-ins refuse an unknown token).
    assert deferred_reads(plan) == []
    assert "will be read during apply" not in result.output
    ws.run(WORKER_NAME, "apply", "-input=false", "-no-color", "tfplan", env=env).check()


def test_routine_change_plans_with_valid_credentials_and_replaces_nothing(deployed, tmp_path):
    ws = deployed.copy(tmp_path)
    ws.add_doks_version("1.33.2-do.0")  # a new patch in the 1.33 prefix, no commit needed
    _resynth_worker(ws, tmp_path, ROUTINE)

    _assert_routine_change(ws, deployed)
    (cluster,) = [c for c in ws.cloud()["clusters"].values() if c["name"] == WORKER_NAME]
    assert cluster["version"] == "1.33.2-do.0"
    assert cluster["spec"]["maintenance_policy"][0]["start_time"] == "05:00"


def test_routine_change_eight_days_after_the_last_apply(deployed, tmp_path):
    # The kubeconfig token in state has expired, and the cluster has a change pending.
    ws = deployed.copy(tmp_path)
    ws.advance_clock(EIGHT_DAYS)
    ws.add_doks_version("1.33.2-do.0")
    _resynth_worker(ws, tmp_path, ROUTINE)

    _assert_routine_change(ws, deployed)


# --- 4. label change ------------------------------------------------------------------------

def test_label_change_updates_the_registration_in_place(deployed, tmp_path):
    ws = deployed.copy(tmp_path)
    _resynth_worker(ws, tmp_path, WORKER.replace("labels: [global, edge]",
                                                       "labels: [global, edge, management]"))
    env = _worker_env(deployed)

    ws.plan(WORKER_NAME, env=env).check()
    planned = changes(ws.plan_json(WORKER_NAME, env=env))
    (registration,) = [a for a in planned if a.startswith("argocd_cluster.")]
    assert planned == {registration: ["update"]}
    ws.run(WORKER_NAME, "apply", "-input=false", "-no-color", "tfplan", env=env).check()
    (stored,) = _argocd(ws)["clusters"].values()
    assert stored["labels"] == {"global": "true", "edge": "true", "management": "true"}


# --- 5. token expiry ------------------------------------------------------------------------

@pytest.mark.parametrize("stack", [MGMT, WORKER_NAME])
def test_plan_after_the_kubeconfig_token_expired_authenticates(deployed, tmp_path, stack):
    ws = deployed.copy(tmp_path)
    ws.advance_clock(EIGHT_DAYS)
    env = _worker_env(deployed) if stack == WORKER_NAME else None

    result = ws.plan(stack, env=env)

    assert result.returncode == 0, result.output[-4000:]
    assert changes(ws.plan_json(stack, env=env)) == {}
    refused = [entry for entry in ws.cloud()["log"] if entry[0] != "ok"]
    assert refused == []


# --- what DigitalOcean does not have: a version, a region, a size --------------------------

def _plan_worker(tmp_path: Path, worker: str):
    stacks = _synth(tmp_path, worker=worker)
    ws = Workspace(tmp_path / "ws")
    ws.put_stack(WORKER_NAME, stacks[WORKER_NAME])
    ws.init(WORKER_NAME)
    result = ws.plan(WORKER_NAME, env={"TF_VAR_argocd_auth_token": "token"})
    return result, " ".join(result.output.split()), ws


def test_a_version_prefix_no_doks_version_has_fails_the_plan_naming_what_exists(
        terraform_available, tmp_path):
    result, message, _ws = _plan_worker(
        tmp_path, WORKER.replace('kubernetes_version: "1.33"', 'kubernetes_version: "1.99"'))

    assert result.returncode != 0
    assert (f'Cluster {WORKER_NAME}: kubernetes_version "1.99" matches no DOKS version '
            "DigitalOcean offers (1.33.1-do.0, 1.32.5-do.0, 1.31.9-do.0)") in message, message


def test_a_region_digitalocean_does_not_have_fails_the_plan_naming_the_regions(
        terraform_available, tmp_path):
    result, message, ws = _plan_worker(tmp_path, WORKER.replace("region: fra1", "region: xyz9"))

    assert result.returncode != 0
    assert (f'Cluster {WORKER_NAME}: region "xyz9" is not a DigitalOcean region. Regions '
            "taking new clusters: ams3, blr1, fra1, lon1, nyc1, nyc3, sfo3, sgp1, syd1, "
            "tor1.") in message, message
    assert message.count("Resource precondition failed") == 1, message
    assert ws.cloud()["clusters"] == {}


def test_a_size_digitalocean_does_not_have_fails_the_plan_naming_the_pool_and_the_sizes(
        terraform_available, tmp_path):
    result, message, _ws = _plan_worker(tmp_path, WORKER.replace("size: c-4", "size: c-64"))

    assert result.returncode != 0
    assert (f'Cluster {WORKER_NAME}: node_pools[1] size "c-64" is not a DigitalOcean Droplet '
            "size. Sizes on offer in fra1: c-2, c-4, s-1vcpu-2gb, s-2vcpu-4gb, "
            "s-4vcpu-8gb.") in message, message
    assert message.count("Resource precondition failed") == 1, message


def test_each_size_and_the_region_get_their_own_error(terraform_available, tmp_path):
    worker = WORKER.replace("region: fra1", "region: xyz9") \
        .replace("size: c-4", "size: c-64").replace("size: s-2vcpu-4gb", "size: s-2vcpu-5gb")
    result, message, _ws = _plan_worker(tmp_path, worker)

    assert result.returncode != 0
    assert message.count("Resource precondition failed") == 3, message
    assert 'region "xyz9" is not a DigitalOcean region' in message
    assert ('node_pools[0] size "s-2vcpu-5gb" is not a DigitalOcean Droplet size. Sizes on '
            "offer in xyz9: none.") in message, message
    assert 'node_pools[1] size "c-64" is not a DigitalOcean Droplet size' in message


def test_a_running_cluster_plans_when_its_size_and_region_take_no_new_clusters(
        deployed, tmp_path):
    # DigitalOcean withdraws c-4 and closes fra1 to new resources: the running cluster
    # keeps both, and its plans must go on working (a change of labels, a token renewal).
    ws = deployed.copy(tmp_path)
    ws.withdraw(size="c-4", region="fra1")

    result = ws.plan(WORKER_NAME, env=_worker_env(deployed))

    assert result.returncode == 0, result.output[-4000:]
    assert changes(ws.plan_json(WORKER_NAME, env=_worker_env(deployed))) == {}
