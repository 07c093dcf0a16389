"""The merge request job that runs `fleetform diff --ci --gate` (.gitlab-ci.yml)."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from support.fleets import ROOT
from test_pipeline import check_gitlab_schema


@pytest.fixture(scope="module")
def job() -> dict:
    return yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())["diff"]


def test_the_diff_job_runs_on_merge_requests_only_with_the_gates(job):
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["script"] == [
        "./fleet diff --ci --gate --markdown fleet-diff.md --json fleet-diff.json"]
    assert job["stage"] == "changes"
    assert job["variables"] == {"GIT_DEPTH": "0"}  # the diff base must be in the clone
    assert "allow_failure" not in job  # a violated gate fails the pipeline


def test_the_reports_are_artifacts_shown_on_the_merge_request_even_when_a_gate_fails(job):
    assert job["artifacts"]["expose_as"] == "fleet diff"
    assert job["artifacts"]["paths"] == ["fleet-diff.md", "fleet-diff.json"]
    assert job["artifacts"]["when"] == "always"


def test_the_diff_job_holds_no_deploy_secret(job, tmp_path):
    pipeline = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())
    assert job["extends"] == ".no-secrets" and "before_script" not in job
    assert pipeline[".no-secrets"]["interruptible"] is True
    [unset] = pipeline[".no-secrets"]["before_script"]
    script = tmp_path / "job.sh"
    script.write_text(f"{unset}\nenv\n")
    env = {"PATH": "/usr/bin:/bin", "DIGITALOCEAN_TOKEN": "dop_v1_x", "TF_HTTP_PASSWORD": "p",
           "TF_VAR_argocd_auth_token": "a", "TF_VAR_global_repo_token": "g",
           "FLEETFORM_MR_NOTE_TOKEN": "kept", "CI_MERGE_REQUEST_IID": "7"}

    out = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True,
                         check=True, timeout=30).stdout

    names = {line.split("=", 1)[0] for line in out.splitlines()}
    assert not names & {"DIGITALOCEAN_TOKEN", "TF_HTTP_PASSWORD", "TF_VAR_argocd_auth_token",
                        "TF_VAR_global_repo_token"}
    assert {"FLEETFORM_MR_NOTE_TOKEN", "CI_MERGE_REQUEST_IID"} <= names


def test_the_pipeline_with_the_diff_job_is_valid_gitlab_ci():
    proc = check_gitlab_schema(ROOT / ".gitlab-ci.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_rejects_a_misspelt_expose_as(job, tmp_path):
    pipeline = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())
    pipeline["diff"]["artifacts"]["expose"] = pipeline["diff"]["artifacts"].pop("expose_as")
    file = tmp_path / "bad.yml"
    file.write_text(yaml.safe_dump(pipeline))

    proc = check_gitlab_schema(file)

    assert proc.returncode == 1 and "'expose' was unexpected" in proc.stdout


def test_gitlab_ci_local_runs_the_diff_job_of_a_merge_request(tmp_path):
    import json
    import shutil

    from support.git_repo import GitRepo
    from support.checkout import copy_project, link_environments
    from test_pipeline import GITLAB_CI_LOCAL, gitlab_ci_local

    if shutil.which("rsync") is None:
        pytest.skip("gitlab-ci-local needs rsync, which is not installed "
                    "(./fleet test installs it with apt-get when run as root)")
    assert GITLAB_CI_LOCAL.exists(), "node_modules is missing: run ./fleet test (npm ci)"

    # GIVEN the project in Git, and a merge request changing one cluster's values of an app
    project = copy_project(tmp_path / "project", skip=("tests/",))
    repo = GitRepo(project)
    repo.git("config", "user.name", "Test")
    repo.git("config", "user.email", "test@example.com")
    base = repo.commit("fleet")
    # The target branch (what gitlab-ci-local compares rules:changes with)
    repo.git("update-ref", "refs/remotes/origin/main", base)
    values = project / "manifests/production/values/do-production/microservice-01/values.yaml"
    values.write_text("replicaCount: 4\nimage: {tag: '2.0.0'}\n"
                      "ingress: {hostname: shop.example.com}\n")
    repo.commit("microservice-01 2.0.0 on do-production")
    link_environments(project, node_modules=False)

    # WHEN the merge request pipeline's diff job runs, with a deploy secret in the project
    run = gitlab_ci_local(project, "--variable", "CI_PIPELINE_SOURCE=merge_request_event",
                          "--variable", f"CI_MERGE_REQUEST_DIFF_BASE_SHA={base}",
                          "--variable", "DIGITALOCEAN_TOKEN=dop_v1_never_seen", "diff")

    # THEN it passes its gates and leaves both reports as artifacts
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS  diff" in run.stdout
    artifacts = project / ".gitlab-ci-local" / "artifacts" / "diff"
    report = json.loads((artifacts / "fleet-diff.json").read_text())
    assert [(p["cluster"], p["application"]) for p in report["manifests"]] == [
        ("do-production", "do-production-microservice-01")]
    assert report["gates"]["passed"] and report["gates"]["enforced"]
    markdown = (artifacts / "fleet-diff.md").read_text()
    assert "<summary><b>do-production</b>: 1 manifest change(s)</summary>" in markdown
    assert "dop_v1_never_seen" not in run.stdout + markdown
