"""Terraform plans the management Argo CD sized for 3, 200 and 1,000 workers, and a worker's
registration reaches Argo CD with its shard (the stand-in providers, ``tests/terraform/``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from support.fleets import CLEAN_ENV, synth_stacks
from support.terraform_fleet import Workspace, of_type, registration, terraform_available  # noqa: F401
from test_argocd_sizing import fleet_dir
from fleetform.constructs.argocd_sizing import ArgoCdSizing, shard_loads
from fleetform.fleet.config import load_fleet


def planned_argocd_values(ws: Workspace) -> dict:
    ws.plan("mgmt").check()
    (release,) = [c for c in of_type(ws.plan_json("mgmt"), "helm_release")
                  if c["change"]["after"]["chart"] == "argo-cd"]
    return yaml.safe_load(release["change"]["after"]["values"][0])


@pytest.mark.parametrize("workers", [3, 200, 1000])
def test_the_management_plan_sizes_argo_cd_for_the_fleet(tmp_path, terraform_available,
                                                         workers):
    clusters = fleet_dir(tmp_path, workers)
    stacks = synth_stacks(clusters, tmp_path / "out", names=["mgmt"], env=CLEAN_ENV)
    ws = Workspace(tmp_path / "ws")
    ws.put_stack("mgmt", stacks["mgmt"])
    ws.init("mgmt").check()

    values = planned_argocd_values(ws)

    sizing = ArgoCdSizing.for_fleet(workers + 1)
    assert values.get("controller", {}).get("replicas", 1) == sizing.controller_replicas
    assert ("redis-ha" in values) is sizing.high_availability is (workers >= 5)
    # Every cluster's shard, as its registration will carry it: balanced.
    shards = load_fleet(clusters).controller_shards()
    if sizing.controller_replicas > 1:
        loads = shard_loads(shards, sizing.controller_replicas)
        assert len(shards) == workers + 1 and max(loads) - min(loads) <= 1
    else:
        assert shards == {}


def test_a_worker_of_200_registers_with_its_shard(tmp_path, terraform_available):
    clusters = fleet_dir(tmp_path, 199)
    sample = ["w-0001", "w-0077", "w-0150", "w-0199"]
    stacks = synth_stacks(clusters, tmp_path / "out", names=["mgmt", *sample], env=CLEAN_ENV)
    shards = load_fleet(clusters).controller_shards()

    # The fleet's 200 shards, balanced over the 4 replicas; the synthesized registrations
    # (a sample of workers, and the management cluster's own) carry theirs.
    assert shard_loads(shards, 4) == [50, 50, 50, 50]
    registered = {name: int(next(iter(stacks[name]["resource"]["argocd_cluster"].values()))
                            ["shard"]) for name in sample}
    in_cluster = [s for s in stacks["mgmt"]["resource"]["kubernetes_secret_v1"].values()
                  if "cluster-in-cluster" in json.dumps(s["metadata"])]
    registered["mgmt"] = int(in_cluster[0]["data"]["shard"])
    assert registered == {name: shards[name] for name in registered}

    # Applied, the worker's registration reaches Argo CD with it.
    ws = Workspace(tmp_path / "ws")
    for name in ("mgmt", "w-0001"):
        ws.put_stack(name, stacks[name])
        ws.init(name).check()
    ws.apply("mgmt").check()
    token = ws.output("mgmt", "automation_user_token")
    ws.apply("w-0001", env={"TF_VAR_argocd_auth_token": token}).check()

    assert registration(ws, "mgmt")["shard"] == str(shards["w-0001"])
