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


# --------------------------------------------------------------------------- CDK Terrain

#: The Node the CDK Terrain CLI (cdktn-cli 0.24) needs.
CDKTN_CLI_NODE = (22, 19)


def node_version() -> tuple[int, int]:
    found = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=60)
    major, minor, *_ = found.stdout.strip().lstrip("v").split(".")
    return int(major), int(minor)


@pytest.fixture(scope="module")
def cdktn_clone(clone) -> Path:
    """The clone with ./fleet's CDK Terrain environment (and CLI) from this checkout."""
    wanted = [".venv-cdktn"] + (["cdk-terrain/node_modules"]
                                if node_version() >= CDKTN_CLI_NODE else [])
    for rel in wanted:
        if not (ROOT / rel).exists():
            pytest.fail(f"{rel} is missing: ./fleet test builds it", pytrace=False)
        if not (clone / rel).exists():
            (clone / rel).symlink_to(ROOT / rel)
    return clone


def _stack_files(clone: Path) -> dict[str, bytes]:
    return {str(p.relative_to(clone / "cdktf.out" / "stacks")): p.read_bytes()
            for p in sorted((clone / "cdktf.out" / "stacks").rglob("*")) if p.is_file()}


def test_fleet_synth_on_cdk_terrain_writes_what_it_writes_on_cdktf(cdktn_clone):
    shutil.rmtree(cdktn_clone / "cdktf.out", ignore_errors=True)
    assert _run(cdktn_clone, "./fleet", "synth").returncode == 0
    on_cdktf = _stack_files(cdktn_clone)

    proc = _run(cdktn_clone, "./fleet", "synth", FLEETFORM_CDK="cdktn")

    assert proc.returncode == 0, proc.output
    assert _stacks(cdktn_clone) == sorted(load_fleet(cdktn_clone / "clusters").clusters)
    # The same files, the same bytes, but for the CDK's own version in the metadata.
    on_cdktn = _stack_files(cdktn_clone)
    assert sorted(on_cdktn) == sorted(on_cdktf)
    for name, data in on_cdktf.items():
        assert on_cdktn[name] == data.replace(b'"version": "0.21.0"', b'"version": "0.24.0"',
                                              1), name


def test_fleet_cdktn_deploys_like_fleet_cdktf_or_says_which_node_it_needs(cdktn_clone):
    fleet = load_fleet(cdktn_clone / "clusters")
    worker = (fleet.workers or [fleet.management])[0].name

    proc = _run(cdktn_clone, "./fleet", "cdktn", "deploy", worker, "--auto-approve",
                DIGITALOCEAN_TOKEN="fake-token-for-test")

    assert proc.returncode != 0, proc.output
    assert "fake-token-for-test" not in proc.output
    if node_version() < CDKTN_CLI_NODE:
        # cdktn-cli 0.24 fails on an older Node with a TypeError deep in its bundle:
        # ./fleet says so first, and what does the same.
        assert proc.returncode == 1
        assert "the CDK Terrain CLI (cdktn-cli 0.24) needs Node 22.19 or later" in proc.output
        assert "FLEETFORM_CDK=cdktn ./fleet synth" in proc.output
        assert "TypeError" not in proc.output
        return
    offline = ("Failed to query available provider packages" in proc.output
               or "registry.terraform.io" in proc.output)
    refused = "Terraform has been successfully initialized" in proc.output
    assert offline or refused, proc.output
