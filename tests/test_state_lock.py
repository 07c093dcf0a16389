"""Plans and applies of the same cluster at once, against a loopback GitLab state with locking.

The real ``terraform`` runs the commands the generated pipeline's jobs run
(:func:`plan_commands`, :func:`apply_commands`) with fleetform's HTTP backend
settings, on a stack of ``terraform_data`` only (no provider to download). The
state server answers like GitLab: a second lock gets ``423 Locked`` with the
holder's lock info.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from support.fleets import ROOT
from fleetform.commands.pipeline import apply_commands, plan_commands, stack_dir
from fleetform.fleet.provider_lock import HEADER
from support.fake_gitlab import FakeGitLab

NAME = "lockdemo"

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None,
                                reason="terraform is not installed")


@pytest.fixture(scope="module")
def backend() -> dict:
    """fleetform's HTTP backend block for GitLab state, with a placeholder address."""
    from cdktf import TerraformStack, Testing

    from fleetform.fleet.state import configure_backend

    stack = TerraformStack(Testing.app(), NAME)
    configure_backend(stack, NAME, {"FLEETFORM_STATE": "gitlab",
                                    "FLEETFORM_GITLAB_API_URL": "http://placeholder/api/v4",
                                    "FLEETFORM_GITLAB_PROJECT_ID": "1217"})
    return json.loads(Testing.synth(stack))["terraform"]["backend"]


def checkout(root: Path, backend: dict, gitlab: FakeGitLab, hold_until: Path | None = None
             ) -> Path:
    """A CI job's checkout holding the synthesized stack ``lockdemo``.

    ``hold_until``: its apply (holding the state's lock) lasts until that file exists
    (two minutes at most), so a test decides when the lock is released.
    """
    text = json.dumps(backend).replace("http://placeholder/api/v4", gitlab.api_url)
    wait = (f"for i in $(seq 1 1200); do [ -e '{hold_until}' ] && exit 0; sleep 0.1; done; "
            "exit 1")
    provisioner = [{"local-exec": {"command": wait}}] if hold_until else []
    stack = {
        "terraform": {"backend": json.loads(text)},
        "variable": {"rev": {"type": "string"}},
        "resource": {"terraform_data": {"cluster": {
            "input": "${var.rev}", "triggers_replace": ["${var.rev}"],
            **({"provisioner": provisioner} if provisioner else {})}}},
    }
    directory = root / stack_dir(NAME)
    directory.mkdir(parents=True)
    (directory / "cdk.tf.json").write_text(json.dumps(stack))
    # terraform_data is built in: the stack's lock names no provider
    (directory / ".terraform.lock.hcl").write_text(HEADER)
    return root


def job_env(tmp_path: Path, gitlab: FakeGitLab, rev: str) -> dict[str, str]:
    """What a plan or apply job has: GitLab state credentials, no CLI config of the user's."""
    config = tmp_path / "terraformrc"
    config.write_text("")
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "true", "TF_INPUT": "false", "TF_VAR_rev": rev,
            "TF_HTTP_USERNAME": gitlab.user, "TF_HTTP_PASSWORD": gitlab.token,
            # as the child pipeline's variables: fleetform batch from this checkout
            "PYTHONPATH": str(ROOT / "constructs")}


def script(commands: list[str]) -> list[str]:
    return ["bash", "-ec", "\n".join(commands)]


def run(commands, cwd, env, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run(script(commands), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def wait_for(condition, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_plan_during_an_apply_waits_for_the_lock_and_plans_the_new_state(
        tmp_path, backend, gitlab):
    # GIVEN the apply job of one pipeline, applying a slow change (it holds the lock until
    # the plan below has asked for it, however long that takes on a busy machine)
    release = tmp_path / "release-the-lock"
    applier = checkout(tmp_path / "apply-job", backend, gitlab, hold_until=release)
    first = run(plan_commands([NAME], lock=True), applier, job_env(tmp_path, gitlab, "1"))
    assert first.returncode == 0, first.stderr
    apply = subprocess.Popen(script(apply_commands([NAME])), cwd=applier,
                             env=job_env(tmp_path, gitlab, "1"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: gitlab.locks.get(NAME, {}).get("Operation") == "OperationTypeApply")
        apply_id = gitlab.locks[NAME]["ID"]
        # WHEN the next pipeline's plan job of the same cluster starts meanwhile
        planner = checkout(tmp_path / "plan-job", backend, gitlab)
        planning = subprocess.Popen(script(plan_commands([NAME], lock=True)), cwd=planner,
                                    env=job_env(tmp_path, gitlab, "2"), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: any(kind == "locked" for kind, _ in gitlab.lock_events(NAME)),
                     timeout=120)
        finally:
            release.touch()
            plan_out, plan_err = planning.communicate(timeout=180)
    finally:
        release.touch()
        out, err = apply.communicate(timeout=180)
    plan = subprocess.CompletedProcess(planning.args, planning.returncode, plan_out, plan_err)
    # THEN both succeed: the plan waited for the apply's lock instead of failing
    assert apply.returncode == 0, err
    assert plan.returncode == 0, plan.stderr
    events = gitlab.lock_events(NAME)
    plan_id = next(i for kind, i in events if kind == "locked")  # refused (423) ...
    assert plan_id != apply_id
    assert events.index(("unlock", apply_id)) < events.index(("lock", plan_id))  # ... then got it
    assert events[-1] == ("unlock", plan_id) and NAME not in gitlab.locks
    # AND it planned against the state the apply wrote
    readable = (planner / stack_dir(NAME) / "plan.txt").read_text()
    assert "terraform_data.cluster must be replaced" in readable
    assert '"1" -> "2"' in readable


def hold_lock(gitlab: FakeGitLab, seconds: float) -> threading.Timer:
    """Take the state's lock as another run would, and release it after ``seconds``."""
    gitlab.locks[NAME] = {"ID": "held-by-another-run", "Operation": "OperationTypeApply",
                          "Who": "apply:lockdemo", "Version": "1.11.4", "Info": "",
                          "Created": "2026-01-01T00:00:00Z", "Path": ""}
    timer = threading.Timer(seconds, lambda: gitlab.locks.pop(NAME, None))
    timer.start()
    return timer


def test_without_a_lock_timeout_a_plan_during_an_apply_fails_at_once(tmp_path, backend, gitlab):
    # What the lock timeout fixes: Terraform's default is to give up on the first refusal.
    job = checkout(tmp_path / "job", backend, gitlab)
    env = job_env(tmp_path, gitlab, "1")
    assert run([f"cd {stack_dir(NAME)}", "terraform init"], job, env).returncode == 0
    timer = hold_lock(gitlab, 30)
    try:
        proc = run([f"cd {stack_dir(NAME)}", "terraform plan -out=plan.cache"], job, env)
    finally:
        timer.cancel()
    assert proc.returncode == 1
    text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr)
    assert "Error acquiring the state lock" in text
    assert "held-by-another-run" in text, text  # who holds it, from the 423 answer


def test_an_apply_waits_for_a_lock_held_by_a_plan(tmp_path, backend, gitlab):
    job = checkout(tmp_path / "job", backend, gitlab)
    env = job_env(tmp_path, gitlab, "1")
    assert run(plan_commands([NAME], lock=True), job, env).returncode == 0
    timer = hold_lock(gitlab, 3)
    try:
        started = time.monotonic()
        proc = run(apply_commands([NAME]), job, env)
    finally:
        timer.cancel()
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started >= 3
    assert json.loads(gitlab.states[NAME])["resources"][0]["type"] == "terraform_data"


def test_a_merge_request_plan_reads_a_locked_state_without_taking_the_lock(
        tmp_path, backend, gitlab):
    # Developers may not lock GitLab state: merge request plans never ask for the lock.
    job = checkout(tmp_path / "job", backend, gitlab)
    timer = hold_lock(gitlab, 60)
    try:
        proc = run(plan_commands([NAME], lock=False), job, job_env(tmp_path, gitlab, "1"),
                   timeout=60)
    finally:
        timer.cancel()
    assert proc.returncode == 0, proc.stderr
    assert gitlab.lock_events(NAME) == []
