"""The fleet's provider lock (`fleetform lock`, synth) and `fleetform batch` with real Terraform.

Terraform runs offline against the stand-in providers (tests/terraform): the lock is
computed with `terraform providers lock -fs-mirror=` over packaged stand-ins, and
`terraform init -lockfile=readonly` installs them from a mirror, as CI does from the
registry.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.fleets import CLEAN_ENV, CLUSTERS, LOCK, ROOT
from fleetform.errors import ConfigError
from fleetform.fleet.app import synth
from fleetform.fleet.provider_lock import HEADER, parse_lock, read_lock
from fleetform.providers.versions import PROVIDERS
from support.cli import fleetform as run_fleetform
from support.fake_gitlab import FakeGitLab

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))
from harness import TerraformMissing, Workspace, terraform_binary, write_packaged_mirror  # noqa: E402
from schemas import PROVIDERS as STANDIN_PROVIDERS  # noqa: E402

PLATFORMS = ("linux_amd64", "darwin_arm64")


@pytest.fixture(scope="module")
def terraform():
    try:
        return terraform_binary()
    except TerraformMissing as exc:
        pytest.skip(str(exc))


def fleetform(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_fleetform(*args, cwd=cwd, env=env, timeout=600)


@pytest.fixture(scope="module")
def standin_lock(tmp_path_factory, terraform) -> Path:
    """The lock `fleetform lock` writes for the stand-in providers, for two platforms."""
    root = tmp_path_factory.mktemp("lock")
    mirror = write_packaged_mirror(root, PLATFORMS)
    run = fleetform("lock", "--fs-mirror", str(mirror), "--platform", PLATFORMS[0],
                    "--platform", PLATFORMS[1], "--lock-file", str(root / "fleet.lock.hcl"),
                    cwd=root)
    assert run.returncode == 0, run.stderr
    assert run.stdout.rstrip().endswith(f"wrote {root / 'fleet.lock.hcl'}")
    return root / "fleet.lock.hcl"


# --------------------------------------------------------------------------- the lock file


def test_the_repositorys_lock_pins_every_provider_at_the_version_the_stand_ins_serve():
    # The versions whose schemas the suite checks are the versions stacks require and the
    # lock holds: a stack never runs a provider the suite has not seen.
    locked = read_lock(LOCK)
    for name, pin in PROVIDERS.items():
        namespace, version = STANDIN_PROVIDERS[name][0], STANDIN_PROVIDERS[name][1]
        assert pin.source == f"{namespace}/{name}"
        assert pin.version == version, name
        assert locked[pin.address].version == version, name
    assert set(locked) == {pin.address for pin in PROVIDERS.values()}


def test_fleetform_lock_writes_every_pinned_provider_with_checksums(standin_lock):
    locked = read_lock(standin_lock)
    assert {entry.address: entry.version for entry in locked.values()} == {
        pin.address: pin.version for pin in PROVIDERS.values()}
    assert all(entry.hashes >= 1 for entry in locked.values())
    assert standin_lock.read_text().startswith(HEADER)


def test_a_lock_that_cannot_be_computed_writes_nothing(tmp_path, terraform):
    # GIVEN a mirror without the AWS provider
    mirror = write_packaged_mirror(tmp_path, ("linux_amd64",))
    for path in (mirror / "registry.terraform.io" / "hashicorp" / "aws").iterdir():
        path.unlink()
    target = tmp_path / "fleet.lock.hcl"
    target.write_text(LOCK.read_text())
    run = fleetform("lock", "--fs-mirror", str(mirror), "--platform", "linux_amd64",
                    "--lock-file", str(target), cwd=tmp_path)
    # THEN one error line naming what failed, and the previous file as it was
    assert run.returncode == 2
    assert run.stderr.startswith("error: lock: terraform providers lock failed, nothing was "
                                 "written: "), run.stderr
    assert "hashicorp/aws" in run.stderr and "Traceback" not in run.stderr
    assert target.read_text() == LOCK.read_text()


@pytest.mark.parametrize("text, says", [
    ("provider \"registry.terraform.io/hashicorp/random\" {\n  version = \"3.7.2\"\n",
     "line 1: the block of registry.terraform.io/hashicorp/random is not closed"),
    ("provider \"registry.terraform.io/hashicorp/random\" {\n  version = \"3.7.2\"\n  hashes = [\n"
     "  ]\n}\n", "line 1: the block of registry.terraform.io/hashicorp/random has no checksums"),
    ("terraform {\n}\n", "line 1: expected a provider block"),
])
def test_a_broken_lock_file_is_named_with_its_line(tmp_path, text, says):
    with pytest.raises(ConfigError) as caught:
        parse_lock(text, tmp_path / "x.hcl")
    assert says in str(caught.value)


# --------------------------------------------------------------------------- synth


def test_each_stack_gets_the_lock_entries_of_the_providers_it_requires(tmp_path):
    synth(CLUSTERS, tmp_path / "out", env=CLEAN_ENV, lock_file=LOCK)
    fleet_lock = read_lock(LOCK)
    for stack in (tmp_path / "out" / "stacks").iterdir():
        document = json.loads((stack / "cdk.tf.json").read_text())
        required = document["terraform"]["required_providers"]
        locked = parse_lock((stack / ".terraform.lock.hcl").read_text(), stack)
        assert sorted(locked) == sorted(PROVIDERS[name].address for name in required)
        for address, entry in locked.items():
            assert entry.block == fleet_lock[address].block  # Terraform's block, as written
    worker = read_lock(tmp_path / "out" / "stacks" / "do-production" / ".terraform.lock.hcl")
    assert "registry.terraform.io/hashicorp/helm" not in worker


def test_synth_refuses_a_provider_the_lock_lacks_and_writes_nothing(tmp_path):
    # GIVEN a lock without the Helm provider, and a previous output
    lock = tmp_path / "fleet.lock.hcl"
    blocks = re.split(r"\n(?=provider )", LOCK.read_text())
    lock.write_text("\n".join(b for b in blocks if "hashicorp/helm" not in b))
    out = tmp_path / "out"
    synth(CLUSTERS, out, names=["do-production"], env=CLEAN_ENV, lock_file=LOCK)
    before = sorted(p.name for p in (out / "stacks").iterdir())
    # WHEN the management stack (which installs Argo CD with Helm) is synthesized
    with pytest.raises(ConfigError) as caught:
        synth(CLUSTERS, out, env=CLEAN_ENV, lock_file=lock)
    # THEN the error names the lock file, the stack, the provider and the command to run
    assert str(caught.value) == (
        f"{lock}: has no entry for registry.terraform.io/hashicorp/helm, which stack "
        "do-management requires (3.1.1): run ./fleet lock")
    assert sorted(p.name for p in (out / "stacks").iterdir()) == before


def test_synth_refuses_a_lock_of_another_version(tmp_path):
    lock = tmp_path / "fleet.lock.hcl"
    lock.write_text(LOCK.read_text().replace('version     = "2.38.0"', 'version     = "2.37.1"'))
    with pytest.raises(ConfigError) as caught:
        synth(CLUSTERS, tmp_path / "out", env=CLEAN_ENV, lock_file=lock)
    assert "locks registry.terraform.io/hashicorp/kubernetes 2.37.1, and stack do-management " \
           "requires 2.38.0: run ./fleet lock" in str(caught.value)


def test_synth_without_a_lock_file_says_how_to_write_one(tmp_path):
    run = fleetform("synth", "--clusters-dir", str(CLUSTERS), "--out", str(tmp_path / "out"),
                    cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr == ("error: .terraform.lock.hcl: is missing: the fleet's providers are "
                          "not locked; run ./fleet lock (README: Provider lock)\n")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- batch, for real


@pytest.fixture
def batch_workspace(tmp_path, standin_lock) -> tuple[Workspace, dict]:
    """The test fleet synthesized with the stand-in lock into a Terraform workspace; the
    environment of a plan job (stand-ins, a provider cache, the Argo CD token)."""
    workspace = Workspace(tmp_path / "ws")
    out = tmp_path / "ws" / "cdktf.out"
    synth(CLUSTERS, out, env=CLEAN_ENV, lock_file=standin_lock)
    for stack in (out / "stacks").iterdir():
        workspace.put_stack(stack.name, json.loads((stack / "cdk.tf.json").read_text()))
    env = {k: v for k, v in {**workspace.env,
                             "TF_PLUGIN_CACHE_DIR": str(tmp_path / "ws" / ".terraform-providers"),
                             "TF_VAR_argocd_auth_token": "automation-token"}.items()
           if v is not None}
    return workspace, env


def batch(workspace: Workspace, env: dict, *args: str) -> subprocess.CompletedProcess:
    return fleetform("batch", *args, cwd=workspace.root, env=env)


def result(workspace: Workspace, name: str) -> dict:
    return json.loads((workspace.stack(name) / "result.json").read_text())


def test_a_batch_plans_every_stack_and_a_warm_cache_downloads_nothing(batch_workspace):
    workspace, env = batch_workspace
    # WHEN both stacks are planned in one batch, then again
    first = batch(workspace, env, "plan", "--jobs", "2", "do-management", "do-production")
    # THEN each has its own plan, log and result, and the summary has a line each
    assert first.returncode == 0, first.stdout + first.stderr
    for name in ("do-management", "do-production"):
        assert result(workspace, name)["status"] == "changes"
        assert "Terraform will perform the following actions" in \
            (workspace.stack(name) / "plan.txt").read_text()
        assert "-lockfile=readonly" in (workspace.stack(name) / "plan.log").read_text()
    assert re.search(r"^  do-management: \d+ to add, 0 to change, 0 to destroy$", first.stdout,
                     re.M)
    assert re.search(r"providers \d+ from the cache, [1-9]\d* downloaded", first.stdout)
    # (a new job: the stacks come from artifacts, without .terraform/; the cache is restored)
    import shutil
    for name in ("do-management", "do-production"):
        shutil.rmtree(workspace.stack(name) / ".terraform")
    second = batch(workspace, env, "plan", "--jobs", "2", "do-management", "do-production")
    assert second.returncode == 0, second.stdout
    assert re.search(r"providers [1-9]\d* from the cache, 0 downloaded", second.stdout)


def test_a_provider_outside_the_lock_fails_before_touching_state(batch_workspace):
    workspace, env = batch_workspace
    # GIVEN a worker whose stack requires a kubernetes provider version its lock lacks
    stack = workspace.stack("do-production")
    document = json.loads((stack / "cdk.tf.json").read_text())
    document["terraform"]["required_providers"]["kubernetes"]["version"] = "2.39.0"
    (stack / "cdk.tf.json").write_text(json.dumps(document))
    # WHEN the batch plans it with the management stack
    run = batch(workspace, env, "plan", "do-management", "do-production")
    # THEN its init fails, no state exists for it, and the other stack's plan is there
    assert run.returncode == 1
    failed = result(workspace, "do-production")
    assert failed["status"] == "failed" and failed["failed_step"] == "init"
    # the summary line says why, not only that the query failed
    assert ("do-production: FAILED at init: Error: Failed to query available provider packages: "
            "Could not retrieve the list of available versions") in run.stdout
    assert not (workspace.root / "terraform.do-production.tfstate").exists()
    assert not (stack / "plan.cache").exists()
    assert result(workspace, "do-management")["status"] == "changes"


def test_a_batch_apply_records_each_cluster_and_a_failure_stops_the_rest(batch_workspace):
    workspace, env = batch_workspace
    plan = batch(workspace, env, "plan", "do-management", "do-production")
    assert plan.returncode == 0, plan.stdout
    # GIVEN the worker's saved plan is gone (its apply will fail)
    (workspace.stack("do-production") / "plan.cache").unlink()
    with FakeGitLab() as gitlab:
        ci = {"CI_API_V4_URL": gitlab.api_url, "CI_PROJECT_ID": gitlab.project,
              "CI_JOB_TOKEN": gitlab.token, "CI_COMMIT_SHA": "c" * 40,
              "CI_COMMIT_REF_NAME": "main"}
        # WHEN the batch applies, one stack at a time: the worker first, then management
        run = batch(workspace, {**env, **ci}, "apply", "--jobs", "1", "--record",
                    "do-production", "do-management")
    # THEN the failure is reported, the stack after it is not applied, nothing recorded
    assert run.returncode == 1
    assert "do-production: FAILED at apply: " in run.stdout
    assert "do-management: not applied (stopped: an apply failed" in run.stdout
    assert result(workspace, "do-management")["status"] == "not-started"  # not the plan's
    assert gitlab.recorded == []
    # AND applied in the right order, each applied cluster is recorded as a deployment
    with FakeGitLab() as gitlab:
        ci.update(CI_API_V4_URL=gitlab.api_url, CI_JOB_TOKEN=gitlab.token)
        run = batch(workspace, {**env, **ci}, "apply", "--record", "do-management")
        assert run.returncode == 0, run.stdout
        assert result(workspace, "do-management")["status"] == "applied"
        assert result(workspace, "do-management")["recorded"] is True
        assert [(f["environment"], f["sha"], f["status"]) for f in gitlab.recorded] == [
            ("fleet/do-management", "c" * 40, "success")]
