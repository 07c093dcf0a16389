"""What the Terraform scenarios of each cloud share (``tests/test_terraform_{eks,aks,gke}.py``):
a fleet synthesized by the app from ``cluster.yaml`` texts, a DOKS management cluster and
a worker applied from empty state, and readings of plans and of the fake cloud."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "terraform"))

from harness import TerraformMissing, Workspace, terraform_binary  # noqa: E402


@pytest.fixture(scope="module")
def terraform_available():
    try:
        return terraform_binary()
    except TerraformMissing as exc:
        pytest.fail(str(exc), pytrace=False)


def synth_fleet(tmp: Path, clusters: Mapping[str, str], names: list[str] | None = None
                ) -> dict[str, dict]:
    """``{stack: cdk.tf.json}`` of a fleet synthesized by the app from ``clusters``
    (name -> cluster.yaml text), written under ``tmp``."""
    from support.fleets import CLEAN_ENV, synth_stacks, write_cluster

    for name, text in clusters.items():
        write_cluster(tmp / "clusters", name, text)
    return synth_stacks(tmp / "clusters", tmp / "out", names=names, env=CLEAN_ENV)


@dataclass
class Deployed:
    """A management cluster and a worker, applied from empty state."""

    workspace: Workspace
    worker_apply: object
    token: str

    @property
    def env(self) -> dict[str, str]:
        return {"TF_VAR_argocd_auth_token": self.token}

    def copy(self, tmp: Path) -> Workspace:
        return self.workspace.copy(tmp / "ws")


def deploy(tmp: Path, clusters: Mapping[str, str], management: str, worker: str,
           prepare: Callable[[Workspace], object] | None = None) -> Deployed:
    """Synthesize ``clusters``, apply ``management``, then ``worker`` with its automation
    token; ``prepare`` sets up the cloud first."""
    stacks = synth_fleet(tmp, clusters)
    ws = Workspace(tmp / "ws")
    if prepare is not None:
        prepare(ws)
    for name, document in stacks.items():
        ws.put_stack(name, document)
        ws.init(name)
    ws.apply(management).check()
    token = ws.output(management, "automation_user_token")
    worker_apply = ws.apply(worker, env={"TF_VAR_argocd_auth_token": token})
    worker_apply.check()
    return Deployed(ws, worker_apply, token)


def doks_id(ws: Workspace, name: str) -> str:
    (found,) = [c["id"] for c in ws.cloud()["clusters"].values()
                if c["name"] == name and c.get("kind", "doks") == "doks"]
    return found


def registration(ws: Workspace, management: str) -> dict:
    """The worker's registration in the DOKS management cluster's Argo CD."""
    (found,) = ws.cloud()["argocd"][doks_id(ws, management)]["clusters"].values()
    return found


def calls_since(ws: Workspace, start: int, cluster: str) -> list:
    """Kubernetes API calls to ``cluster`` logged after the first ``start`` entries."""
    return [entry for entry in ws.cloud()["log"][start:] if entry[1] == cluster]


def one_line(result) -> str:
    return " ".join(result.output.replace("│", " ").split())


def replaced(plan: dict) -> list[str]:
    """Addresses a saved plan deletes (replacements included)."""
    return [c["address"] for c in plan.get("resource_changes", [])
            if "delete" in c["change"]["actions"]]


def managed(plan: dict) -> dict[str, list[str]]:
    """``{address: actions}`` of every resource the plan holds, changed or not."""
    return {c["address"]: c["change"]["actions"] for c in plan.get("resource_changes", [])
            if c["mode"] == "managed"}


def of_type(plan: dict, kind: str) -> list[dict]:
    return [c for c in plan.get("resource_changes", []) if c["type"] == kind]
