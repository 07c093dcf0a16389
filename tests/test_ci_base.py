"""What GitLab CI plans, on generated Git histories: nothing a pipeline missed is lost.

The default branch compares each cluster with the commit of its last successful
apply, read from a loopback GitLab (deployments of the environment
``fleet/<name>``, with the job token). A base that cannot be used plans every
cluster, with a warning.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from support.git_repo import FAKE_WORKER, GitRepo
from fleetform.integrations.git import ZERO_SHA
from fleetform.commands.changes import ci_changes
from support.cli import fleetform
from support.fake_gitlab import FakeGitLab

MGMT, PROD = "do-management", "do-production"


def affected(changes) -> list[str]:
    return [c.name for c in changes.affected]


def by_name(changes, name):
    return next(c for c in changes.affected if c.name == name)


def push_env(gitlab: FakeGitLab, before: str = ZERO_SHA, **extra) -> dict[str, str]:
    """A push pipeline on main, as GitLab CI describes it."""
    return {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main",
            "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_BEFORE_SHA": before,
            "CI_API_V4_URL": gitlab.api_url, "CI_PROJECT_ID": gitlab.project,
            "CI_JOB_TOKEN": gitlab.token, **extra}


def pipeline_cli(repo: GitRepo, env: dict[str, str]) -> tuple[dict, str]:
    """``fleetform pipeline --ci`` in a subprocess with exactly ``env``: (pipeline, stderr)."""
    proc = fleetform("pipeline", "--ci", "-C", str(repo.path), env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load(proc.stdout), proc.stderr


def plans(pipeline: dict) -> list[str]:
    return [n.split(":", 1)[1] for n in pipeline if n.startswith("plan:")]


# --------------------------------------------------------------------------- default branch


def test_a_failed_pipeline_then_a_new_push_still_plans_the_cluster(fleet_repo, gitlab):
    # GIVEN everything applied at C0
    c0 = fleet_repo.head()
    gitlab.deploy(MGMT, c0)
    gitlab.deploy(PROD, c0)
    # AND a push C1 changing do-production whose pipeline failed (no apply recorded)
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    c1 = fleet_repo.commit("do-production: change")
    gitlab.deploy(PROD, c1, status="failed")
    # WHEN the next push C2 changes only the README
    fleet_repo.write("README.md", "docs\n")
    fleet_repo.commit("docs")
    pipeline, _ = pipeline_cli(fleet_repo, push_env(gitlab, before=c1))
    # THEN do-production is still planned (and can be applied), compared with C0
    assert plans(pipeline) == [PROD]
    assert f"apply:{PROD}" in pipeline
    changes = ci_changes(fleet_repo.path, push_env(gitlab, before=c1))
    assert by_name(changes, PROD).base == c0
    assert by_name(changes, PROD).reason == \
        f"clusters/{PROD}/ changed since its last apply ({c0[:12]})"


def test_an_apply_that_was_never_run_is_planned_again(fleet_repo, gitlab):
    c0 = fleet_repo.head()
    gitlab.deploy(MGMT, c0)
    gitlab.deploy(PROD, c0)
    fleet_repo.append(f"clusters/{MGMT}/cluster.yaml")
    c1 = fleet_repo.commit()                      # planned, its manual apply never run
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    c2 = fleet_repo.commit()
    changes = ci_changes(fleet_repo.path, push_env(gitlab, before=c1))
    assert affected(changes) == [MGMT, PROD]
    # Once both are applied at C2, a push that changes nothing of theirs plans nothing.
    gitlab.deploy(MGMT, c2)
    gitlab.deploy(PROD, c2)
    fleet_repo.write("manifests/global/values/do-production/nginx/values.yaml", "replicas: 3\n")
    fleet_repo.commit()
    changes = ci_changes(fleet_repo.path, push_env(gitlab, before=c2))
    assert changes.affected == () and changes.warning is None and changes.per_cluster


def test_each_cluster_is_compared_with_its_own_last_apply(fleet_repo, gitlab):
    c0 = fleet_repo.head()
    fleet_repo.write("constructs/fleetform/stacks.py", "STACK = 2\n")
    c1 = fleet_repo.commit("shared code")
    gitlab.deploy(MGMT, c1)                       # management applied the new code ...
    gitlab.deploy(PROD, c0)                       # ... do-production not yet
    fleet_repo.write("README.md", "docs\n")
    fleet_repo.commit()
    changes = ci_changes(fleet_repo.path, push_env(gitlab, before=c1))
    assert affected(changes) == [PROD]
    assert "shared code or dependencies changed" in by_name(changes, PROD).reason


def test_a_force_push_that_drops_an_applied_commit_plans_the_cluster(fleet_repo, gitlab):
    # GIVEN C1 (a do-production change) applied, then main force-pushed back to C0 + docs
    c0 = fleet_repo.head()
    gitlab.deploy(MGMT, c0)
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml", "ha: true\n")
    c1 = fleet_repo.commit("do-production: HA")
    gitlab.deploy(PROD, c1)
    fleet_repo.git("reset", "-q", "--hard", c0)
    fleet_repo.write("README.md", "docs\n")
    fleet_repo.commit("docs")
    # WHEN the pipeline of the force push runs (CI_COMMIT_BEFORE_SHA is the dropped C1)
    changes = ci_changes(fleet_repo.path, push_env(gitlab, before=c1))
    # THEN do-production is planned: what is deployed (C1) differs from HEAD
    assert affected(changes) == [PROD]
    assert by_name(changes, PROD).base == c1


def test_an_applied_commit_missing_from_the_clone_plans_the_cluster(fleet_repo, gitlab, tmp_path):
    # A fresh clone after a force push does not have the dropped commit.
    gitlab.deploy(MGMT, fleet_repo.head())
    gitlab.deploy(PROD, "1" * 40)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(fleet_repo.path), str(clone)], check=True,
                   capture_output=True, timeout=60)
    changes = ci_changes(clone, push_env(gitlab))
    assert affected(changes) == [PROD]
    assert by_name(changes, PROD).reason == (
        "its last applied commit 111111111111 is not in this clone (a force push dropped it?)")


def test_a_cluster_never_applied_is_planned(fleet_repo, gitlab):
    gitlab.deploy(MGMT, fleet_repo.head())
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    fleet_repo.commit("add staging")
    changes = ci_changes(fleet_repo.path, push_env(gitlab))
    assert affected(changes) == [PROD, "do-staging"]
    assert by_name(changes, "do-staging").reason == \
        "no successful apply recorded (environment fleet/do-staging)"


def test_a_removed_cluster_is_listed_for_retirement_until_its_environment_is_stopped(
        fleet_repo, gitlab):
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    c0 = fleet_repo.commit()
    for name in (MGMT, PROD, "do-staging"):
        gitlab.deploy(name, c0)
    fleet_repo.remove("clusters/do-staging")
    fleet_repo.commit("retire staging")
    fleet_repo.write("README.md", "docs\n")
    fleet_repo.commit("a later push")
    changes = ci_changes(fleet_repo.path, push_env(gitlab))
    assert changes.affected == ()
    [removed] = changes.removed
    assert (removed.name, removed.role, removed.last_commit) == ("do-staging", "worker", c0)
    gitlab.stop("do-staging")
    assert ci_changes(fleet_repo.path, push_env(gitlab)).removed == ()


def test_environments_are_read_page_by_page(fleet_repo, gitlab):
    # The fake serves two environments a page: five clusters take three pages.
    for name in ("aa", "bb", "cc"):
        fleet_repo.write(f"clusters/{name}/cluster.yaml", FAKE_WORKER)
    c0 = fleet_repo.commit()
    for name in (MGMT, PROD, "aa", "bb", "cc"):
        gitlab.deploy(name, c0)
    assert ci_changes(fleet_repo.path, push_env(gitlab)).affected == ()


def test_gitlab_unreachable_or_refusing_plans_every_cluster_loudly(fleet_repo, gitlab):
    gitlab.deploy(MGMT, fleet_repo.head())
    gitlab.deploy(PROD, fleet_repo.head())
    gitlab.fail_api = 403
    changes = ci_changes(fleet_repo.path, push_env(gitlab))
    assert affected(changes) == [MGMT, PROD]
    assert changes.warning == ("what was last applied cannot be read from GitLab "
                               "(GET /projects/1217/environments: HTTP 403 Forbidden)")
    assert gitlab.token not in changes.warning
    # A wrong token is refused the same way.
    gitlab.fail_api = None
    changes = ci_changes(fleet_repo.path, push_env(gitlab, CI_JOB_TOKEN="wrong"))
    assert "HTTP 401" in changes.warning and affected(changes) == [MGMT, PROD]


def test_the_warning_heads_the_generated_pipeline(fleet_repo, gitlab):
    gitlab.fail_api = 500
    pipeline, err = pipeline_cli(fleet_repo, push_env(gitlab))
    assert plans(pipeline) == [MGMT, PROD]
    assert "fleetform: WARNING: what was last applied cannot be read from GitLab" in err


def test_a_scheduled_pipeline_plans_every_cluster(fleet_repo, gitlab):
    c0 = fleet_repo.head()
    gitlab.deploy(MGMT, c0)
    gitlab.deploy(PROD, c0)
    env = push_env(gitlab, CI_PIPELINE_SOURCE="schedule")
    changes = ci_changes(fleet_repo.path, env)
    assert affected(changes) == [MGMT, PROD] and changes.warning is None
    assert changes.note == "scheduled pipeline: every cluster is planned (drift check)"
    pipeline, _ = pipeline_cli(fleet_repo, env)
    assert plans(pipeline) == [MGMT, PROD]
    assert f"apply:{PROD}" in pipeline  # drift found on the default branch can be applied
    # The same by hand: FLEETFORM_PLAN_ALL (e.g. set when running a pipeline).
    changes = ci_changes(fleet_repo.path, push_env(gitlab, FLEETFORM_PLAN_ALL="true"))
    assert affected(changes) == [MGMT, PROD]


# --------------------------------------------------------------------------- one failure rule


def mr_env(base: str, **extra) -> dict[str, str]:
    return {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "7",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_DEFAULT_BRANCH": "main",
            "CI_COMMIT_BEFORE_SHA": ZERO_SHA, **extra}


def test_an_orphan_branch_plans_every_cluster_loudly(fleet_repo):
    # GIVEN a merge request from a branch with no history in common with main
    base = fleet_repo.head()
    fleet_repo.git("checkout", "-q", "--orphan", "orphan")
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit("unrelated history")
    # WHEN
    changes = ci_changes(fleet_repo.path, mr_env(base))
    # THEN every cluster is planned, and the job says why (it used to fail)
    assert affected(changes) == [MGMT, PROD]
    assert changes.warning == (f"the merge request base cannot be used ('{base}' and HEAD "
                               "have no common ancestor)")


def test_an_orphan_branch_pipeline_plans_every_cluster_loudly(fleet_repo):
    fleet_repo.git("update-ref", "refs/remotes/origin/main", "main")
    fleet_repo.git("checkout", "-q", "--orphan", "orphan")
    fleet_repo.commit("unrelated history")
    changes = ci_changes(fleet_repo.path, {"CI_PIPELINE_SOURCE": "push",
                                           "CI_COMMIT_BRANCH": "orphan",
                                           "CI_DEFAULT_BRANCH": "main"})
    assert affected(changes) == [MGMT, PROD]
    assert changes.warning.startswith("the default branch cannot be compared with")


def test_a_shallow_clone_without_the_merge_request_base_plans_every_cluster(fleet_repo,
                                                                             tmp_path):
    base = fleet_repo.head()
    for _ in range(3):
        fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
        fleet_repo.commit()
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{fleet_repo.path}",
                    str(clone)], check=True, capture_output=True, timeout=60)
    # origin cannot serve the base either (it is gone there too)
    subprocess.run(["git", "remote", "set-url", "origin", str(tmp_path / "gone")], cwd=clone,
                   check=True, timeout=60)
    changes = ci_changes(clone, mr_env(base))
    assert affected(changes) == [MGMT, PROD]
    assert "this clone is shallow" in changes.warning


def test_a_merge_request_base_missing_from_a_shallow_clone_is_fetched(fleet_repo, tmp_path):
    base = fleet_repo.head()
    for _ in range(3):
        fleet_repo.write("README.md", f"{_}\n")
        fleet_repo.commit()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit()
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{fleet_repo.path}",
                    str(clone)], check=True, capture_output=True, timeout=60)
    changes = ci_changes(clone, mr_env(base))
    assert changes.warning is None and affected(changes) == [PROD]


def test_a_merge_request_without_a_diff_base_plans_every_cluster(fleet_repo):
    changes = ci_changes(fleet_repo.path, mr_env(""))
    assert affected(changes) == [MGMT, PROD]
    assert changes.warning == "the merge request pipeline has no CI_MERGE_REQUEST_DIFF_BASE_SHA"


def test_the_warning_exit_code_comes_after_the_pipeline_is_written(fleet_repo, gitlab, tmp_path):
    out = tmp_path / "child.yml"

    def run(env):
        return fleetform("pipeline", "--ci", "-C", str(fleet_repo.path), "-o", str(out),
                         "--warning-exit-code", "3", env=env, timeout=120)

    gitlab.fail_api = 503
    proc = run(push_env(gitlab))
    assert proc.returncode == 3, proc.stderr
    assert plans(yaml.safe_load(out.read_text())) == [MGMT, PROD]
    gitlab.fail_api = None
    gitlab.deploy(MGMT, fleet_repo.head())
    gitlab.deploy(PROD, fleet_repo.head())
    proc = run(push_env(gitlab))
    assert proc.returncode == 0, proc.stderr
    assert plans(yaml.safe_load(out.read_text())) == []
