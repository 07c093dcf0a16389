"""`fleetform move-state OLD NEW`: a renamed cluster keeps its state (local and GitLab)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fleetform.commands.cli import main
from support.cli import fleetform
from support.fake_gitlab import FakeGitLab

STATE = json.dumps({"version": 4, "serial": 7, "lineage": "abc",
                    "resources": [{"type": "digitalocean_kubernetes_cluster"}]}).encode()


def cli(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    return fleetform("move-state", *args, env=env, cwd=cwd, timeout=60)


# --------------------------------------------------------------------------- local state


def test_local_state_and_its_backup_move_to_the_new_name(tmp_path):
    (tmp_path / "terraform.do-production.tfstate").write_bytes(STATE)
    (tmp_path / "terraform.do-production.tfstate.backup").write_bytes(b"{}")
    proc = cli("do-production", "do-prod", "-C", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "terraform.do-prod.tfstate").read_bytes() == STATE
    assert (tmp_path / "terraform.do-prod.tfstate.backup").read_bytes() == b"{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "terraform.do-prod.tfstate", "terraform.do-prod.tfstate.backup"]
    assert "Fleetform-Renamed: do-production -> do-prod" in proc.stdout


def test_local_state_is_never_overwritten(tmp_path):
    (tmp_path / "terraform.do-production.tfstate").write_bytes(STATE)
    (tmp_path / "terraform.do-prod.tfstate").write_bytes(b"other")
    proc = cli("do-production", "do-prod", "-C", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr == (f"error: {tmp_path}/terraform.do-prod.tfstate: already exists: "
                           "moving do-production's state would overwrite it\n")
    assert (tmp_path / "terraform.do-production.tfstate").read_bytes() == STATE
    assert (tmp_path / "terraform.do-prod.tfstate").read_bytes() == b"other"


def test_a_missing_local_state_is_named(tmp_path, capsys):
    assert main(["move-state", "do-production", "do-prod", "-C", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path}/terraform.do-production.tfstate: "
                          "no local state for do-production here")
    assert err.count("\n") == 1


@pytest.mark.parametrize("args, message", [
    (["Prod", "do-prod"], "error: OLD: must be a cluster name (a DNS-1123 label), got 'Prod'\n"),
    (["do-prod", "../x"], "error: NEW: must be a cluster name (a DNS-1123 label), got '../x'\n"),
    (["do-prod", "do-prod"], "error: NEW: must differ from OLD\n"),
])
def test_names_must_be_cluster_names(tmp_path, args, message):
    proc = cli(*args, "-C", str(tmp_path))
    assert (proc.returncode, proc.stderr) == (2, message)


# --------------------------------------------------------------------------- GitLab state


def gitlab_env(gitlab: FakeGitLab, **extra) -> dict[str, str]:
    return {"FLEETFORM_STATE": "gitlab", "FLEETFORM_GITLAB_API_URL": gitlab.api_url,
            "FLEETFORM_GITLAB_PROJECT_ID": gitlab.project,
            "TF_HTTP_USERNAME": gitlab.user, "TF_HTTP_PASSWORD": gitlab.token, **extra}


def test_gitlab_state_is_copied_under_the_lock_then_the_old_one_deleted(gitlab):
    gitlab.states["do-production"] = STATE
    proc = cli("do-production", "do-prod", env=gitlab_env(gitlab))
    assert proc.returncode == 0, proc.stderr
    assert gitlab.states == {"do-prod": STATE}
    assert gitlab.locks == {}
    events = gitlab.lock_events("do-production")
    assert [kind for kind, _ in events] == ["lock", "unlock"]
    assert "stop the environment fleet/do-production" in proc.stdout
    assert gitlab.token not in proc.stdout + proc.stderr
    assert "digitalocean_kubernetes_cluster" not in proc.stdout + proc.stderr


def test_a_locked_gitlab_state_is_left_alone(gitlab):
    gitlab.states["do-production"] = STATE
    gitlab.locks["do-production"] = {"ID": "x1", "Who": "apply:do-production",
                                     "Operation": "OperationTypeApply"}
    proc = cli("do-production", "do-prod", env=gitlab_env(gitlab))
    assert proc.returncode == 2
    assert proc.stderr == (f"error: {gitlab.state_address('do-production')}: lock: is locked by "
                           "apply:do-production (OperationTypeApply, ID x1): retry once that "
                           "run is over\n")
    assert gitlab.states == {"do-production": STATE}


def test_an_existing_gitlab_state_is_never_overwritten(gitlab):
    gitlab.states["do-production"] = STATE
    gitlab.states["do-prod"] = b'{"serial": 1}'
    proc = cli("do-production", "do-prod", env=gitlab_env(gitlab))
    assert proc.returncode == 2
    assert "already exists: moving do-production's state would overwrite it" in proc.stderr
    assert gitlab.states == {"do-production": STATE, "do-prod": b'{"serial": 1}'}
    assert gitlab.locks == {}  # unlocked again


def test_gitlab_state_without_credentials_or_api_is_a_clear_error(gitlab):
    proc = cli("do-production", "do-prod",
               env=gitlab_env(gitlab, TF_HTTP_PASSWORD=""))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: environment: TF_HTTP_PASSWORD: GitLab state needs")
    proc = cli("do-production", "do-prod", "--state", "gitlab",
               env={"TF_HTTP_PASSWORD": "x"})
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: environment: FLEETFORM_GITLAB_API_URL: ")


def test_a_missing_gitlab_state_is_named(gitlab):
    proc = cli("do-production", "do-prod", env=gitlab_env(gitlab))
    assert proc.returncode == 2
    assert proc.stderr == (f"error: {gitlab.state_address('do-production')}: "
                           "no state named do-production\n")
    assert gitlab.locks == {} and gitlab.states == {}
