"""`fleetform pipeline`: user errors are one line, with a non-zero exit and no file written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fleetform.commands.cli import main
from fleetform.integrations.git import ZERO_SHA
from support.cli import fleetform


def cli(args, env=None) -> subprocess.CompletedProcess:
    return fleetform(*args, env=env)


def test_an_unknown_base_fails_without_writing_the_pipeline(fleet_repo, tmp_path):
    out = tmp_path / "child.yml"
    proc = cli(["pipeline", "--base", "origin/nope", "-o", str(out), "-C", str(fleet_repo.path)])
    assert proc.returncode == 2
    assert proc.stderr == "error: --base: unknown revision 'origin/nope'\n"
    assert not out.exists()


def test_a_merge_request_base_missing_from_the_clone_plans_every_cluster_loudly(fleet_repo):
    # One rule for a base that cannot be used: plan everything, and say so.
    env = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_BEFORE_SHA": ZERO_SHA,
           "CI_MERGE_REQUEST_DIFF_BASE_SHA": "ab" * 20, "CI_DEFAULT_BRANCH": "main"}
    proc = cli(["pipeline", "--ci", "-C", str(fleet_repo.path)], env)
    assert proc.returncode == 0, proc.stderr
    warning = (f"WARNING: the merge request base cannot be used (unknown revision "
               f"'{'ab' * 20}'): planning every cluster")
    assert f"fleetform: {warning}" in proc.stderr
    assert f"# {warning}" in proc.stdout
    assert "plan:do-management" in proc.stdout and "plan:do-production" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_an_output_that_cannot_be_written_is_named(fleet_repo, tmp_path, capsys):
    target = tmp_path / "a-directory"
    target.mkdir()
    code = main(["pipeline", "--base", "HEAD", "-o", str(target), "-C", str(fleet_repo.path)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {target}: --output: cannot be written (")
    assert err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory", "repo"]  # no temp file


def test_base_and_ci_are_exclusive(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["pipeline", "--base", "HEAD", "--ci"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
