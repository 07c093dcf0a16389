"""A copy of the project runs the cdktf CLI's synth and deploy, with no pipenv on PATH.

What this proves: ``cdktf.json``, ``./fleet`` and ``main.py`` (which cdktf runs as
the app) work in a new checkout of this working tree, whatever fleet clusters/
holds, and hand the synthesized stacks to Terraform. What it does not prove:
installing from ``Pipfile.lock`` and ``package-lock.json``, since the copy's
environments are linked to this checkout's, not installed (see
``support/checkout.py``; a real install costs minutes and the registries). That is
proved by running the README's test command on a fresh clone, which installs both
(``.ci/run`` does, on every submission). Without a registry, Terraform cannot
download providers, so ``deploy`` ends at ``terraform init``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support.checkout import copy_project, fleet_env, link_environments

from fleetform.fleet.config import load_fleet

#: A fresh clone holds the user's fleet: what it builds is checked for any valid fleet.
pytestmark = pytest.mark.repository_fleet

ROOT = Path(__file__).resolve().parent.parent
#: What a run must not print: cdktf's telemetry failing offline, npm's update notice,
#: and the app failing to start.
NOISE = ("checkpoint", "New minor version of npm", "New major version of npm", "pipenv",
         "not found")


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed")
    if not (ROOT / "node_modules" / ".bin" / "cdktf").exists():
        pytest.skip("node_modules is missing: run ./fleet test (npm ci)")
    project = copy_project(tmp_path_factory.mktemp("fresh") / "fleetform", skip=("tests/",),
                           fleet="repository")
    link_environments(project)
    return project


def _run(clone: Path, *argv: str, **env: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(argv), cwd=clone, capture_output=True, text=True, timeout=600,
                          env=fleet_env(clone, clone.parent / "home", **env))
    proc.output = proc.stdout + proc.stderr
    return proc


def _stacks(clone: Path) -> list[str]:
    return sorted(p.name for p in (clone / "cdktf.out" / "stacks").iterdir())


def test_pipenv_is_not_on_the_tests_path(clone):
    env = fleet_env(clone, clone.parent / "home")
    assert shutil.which("pipenv", path=env["PATH"]) is None
    assert shutil.which("npx", path=env["PATH"]) and shutil.which("terraform", path=env["PATH"])


def test_fleet_cdktf_synth_builds_every_cluster_without_noise(clone):
    shutil.rmtree(clone / "cdktf.out", ignore_errors=True)

    proc = _run(clone, "./fleet", "cdktf", "synth")

    assert proc.returncode == 0, proc.output
    clusters = sorted(load_fleet(clone / "clusters").clusters)
    assert _stacks(clone) == clusters
    assert "Generated Terraform code for the stacks: " in proc.output  # wrapped to the width
    assert not [n for n in NOISE if n in proc.output], proc.output


def test_fleet_cdktf_deploy_hands_the_stack_to_terraform_and_fails_where_it_must(clone):
    fleet = load_fleet(clone / "clusters")
    worker = (fleet.workers or [fleet.management])[0].name

    proc = _run(clone, "./fleet", "cdktf", "deploy", worker, "--auto-approve",
                DIGITALOCEAN_TOKEN="fake-token-for-test")

    # Terraform ran on the stack: init failed at the registry (offline), or, with a
    # registry, init passed and the fake token was refused. Either way deploy fails.
    offline = ("Failed to query available provider packages" in proc.output
               or "registry.terraform.io" in proc.output)
    refused = "Terraform has been successfully initialized" in proc.output
    assert offline or refused, proc.output
    assert proc.returncode != 0, proc.output
    assert not [n for n in NOISE if n in proc.output], proc.output
    assert "fake-token-for-test" not in proc.output
    stack = json.loads((clone / "cdktf.out" / "stacks" / worker / "cdk.tf.json").read_text())
    assert "fake-token-for-test" not in json.dumps(stack)


def test_npx_cdktf_synth_works_too(clone):
    shutil.rmtree(clone / "cdktf.out", ignore_errors=True)

    # Set here so that the suite never reports to HashiCorp (./fleet cdktf sets it itself).
    proc = _run(clone, "npx", "--no-install", "cdktf", "synth", CHECKPOINT_DISABLE="1")

    assert proc.returncode == 0, proc.output
    assert _stacks(clone) == sorted(load_fleet(clone / "clusters").clusters)
    assert "pipenv" not in proc.output
