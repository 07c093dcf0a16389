"""`fleetform pipeline` and `.gitlab-ci.yml`: valid GitLab CI that plans exactly what changed.

Terraform cannot reach a provider registry here, so plan and apply jobs are
checked by the commands they would run; the synth job really runs, through
gitlab-ci-local (shell executor), in a copy of the project.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support.git_repo import FAKE_WORKER, GitRepo
from support.fleets import ROOT
from fleetform.commands.cli import main
from fleetform.integrations.git import ZERO_SHA
from fleetform.commands.changes import changed_clusters, ci_changes
from fleetform.commands.changes.results import AffectedCluster, Changes
from fleetform.commands.pipeline import PLAN_EXPIRE, UNSET_SECRETS, apply_commands, generate, \
    plan_commands, render, retirement_steps
from support.checkout import copy_project, link_environments
from support.cli import fleetform
from support.fake_gitlab import FakeGitLab

MGMT, PROD = "do-management", "do-production"
GITLAB_CI_LOCAL = ROOT / "node_modules" / ".bin" / "gitlab-ci-local"


def jobs(pipeline: dict) -> dict[str, dict]:
    return {k: v for k, v in pipeline.items() if k not in ("stages", "variables", "default",
                                                            "workflow", "include")}


def needs(job: dict) -> list[tuple[str, bool]]:
    return [(n["job"], n["artifacts"]) for n in job["needs"]]


@pytest.fixture
def prod_change(fleet_repo):
    """The changes of a commit that touches only clusters/do-production/."""
    base = fleet_repo.head()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit()
    return changed_clusters(fleet_repo.path, base)


@pytest.fixture
def fleet_change(fleet_repo):
    """Shared code changed (every cluster) and a cluster removed."""
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    base = fleet_repo.commit()
    fleet_repo.write("constructs/fleetform/stacks.py", "STACK = 2\n")
    fleet_repo.remove("clusters/do-staging")
    fleet_repo.commit()
    return changed_clusters(fleet_repo.path, base)


# --------------------------------------------------------------------------- jobs


def test_a_worker_change_gives_one_synth_and_that_workers_plan_only(prod_change):
    pipeline = generate(prod_change, apply=False)
    assert list(jobs(pipeline)) == ["synth", f"plan:{PROD}"]
    assert pipeline["stages"] == ["synth", "plan", "report", "apply", "retire"]
    assert pipeline["variables"]["FLEETFORM_STATE"] == "gitlab"


def test_one_synth_job_synthesizes_every_affected_stack_with_the_pipenv_cache(fleet_change):
    synth = generate(fleet_change, apply=False)["synth"]
    assert synth["script"] == [UNSET_SECRETS, f"./fleet synth {MGMT} {PROD}"]
    assert synth["interruptible"] is True
    assert synth["artifacts"]["paths"] == ["cdktf.out/stacks/"]
    assert synth["needs"] == []
    [cache] = synth["cache"]
    assert cache["key"]["files"] == ["Pipfile.lock"] and cache["paths"] == [".venv/"]


def test_the_plan_job_plans_its_batch_with_the_lock_file_and_gitlab_state(prod_change):
    plan = generate(prod_change, apply=False)[f"plan:{PROD}"]
    assert plan["script"] == [
        "mkdir -p .terraform-providers",
        f"python3 -m fleetform.commands.cli batch plan --jobs 4 --no-lock {PROD}"]
    assert plan["script"] == plan_commands([PROD], lock=False)
    # The state backend authenticates as the job: the token is expanded by GitLab; the
    # providers come from the shared cache.
    assert plan["variables"] == {"TF_HTTP_USERNAME": "gitlab-ci-token",
                                 "TF_HTTP_PASSWORD": "$CI_JOB_TOKEN",
                                 "TF_PLUGIN_CACHE_DIR": "$CI_PROJECT_DIR/.terraform-providers"}
    [cache] = plan["cache"]
    assert cache["key"] == {"files": [".terraform.lock.hcl"], "prefix": "providers-digitalocean"}
    assert cache["paths"] == [".terraform-providers/"]
    assert needs(plan) == [("synth", True)]
    # Nothing applies a merge request's plan: only what people read is kept, also
    # when the plan failed.
    artifacts = plan["artifacts"]
    assert artifacts["paths"] == [f"cdktf.out/stacks/{PROD}/{f}"
                                  for f in ("plan.txt", "plan.log", "result.json",
                                            "plan-summary.json")]
    assert artifacts["access"] == "developer" and artifacts["when"] == "always"
    # Environment-scoped secrets reach it; preparing creates no deployment.
    assert plan["environment"] == {"name": f"fleet/{PROD}", "action": "prepare"}
    assert plan["interruptible"] is True


def test_a_saved_plan_is_downloadable_by_no_one_and_kept_only_as_long_as_an_apply_uses_it(
        prod_change):
    plan = generate(prod_change, apply=True)[f"plan:{PROD}"]
    artifacts = plan["artifacts"]
    assert artifacts["paths"] == [f"cdktf.out/stacks/{PROD}/"]  # plan.cache, plan.txt, lock file
    assert artifacts["exclude"] == [f"cdktf.out/stacks/{PROD}/.terraform/**/*"]
    # GitLab's UI and API serve it to no one; the apply job still gets it (needs).
    assert artifacts["access"] == "none"
    assert artifacts["expire_in"] == PLAN_EXPIRE == "2 days"
    # It holds the state lock: cancelling it would leave the lock behind.
    assert plan["interruptible"] is False


@pytest.mark.parametrize("apply", [False, True])
def test_only_plans_that_feed_an_apply_lock_the_state(fleet_change, apply):
    # Merge requests: nothing applies the plan, and GitLab lets only Maintainers lock the
    # state, so a Developer's plan reads it without the lock. The default branch: the
    # plan feeds an apply, so it takes the lock.
    pipeline = generate(fleet_change, apply=apply)
    for name in (MGMT, PROD):
        script = pipeline[f"plan:{name}"]["script"]
        assert ("--no-lock" in script[-1].split()) is not apply
        assert script == plan_commands([name], lock=apply)
        assert (f"apply:{name}" in pipeline) is apply


def test_the_rendered_pipeline_locks_the_state_only_with_apply_jobs(prod_change):
    assert "batch plan --jobs 4 --no-lock" in render(prod_change, apply=False)
    assert "--no-lock" not in render(prod_change, apply=True)


def test_the_apply_job_is_the_one_manual_action_and_applies_the_saved_plan(prod_change):
    pipeline = generate(prod_change, apply=True)
    assert list(jobs(pipeline)) == ["synth", f"plan:{PROD}", f"apply:{PROD}"]
    apply = pipeline[f"apply:{PROD}"]
    # Blocking: whatever comes after it waits until someone runs it.
    assert apply["when"] == "manual" and apply["allow_failure"] is False
    assert apply["script"] == apply_commands([PROD]) == [
        "mkdir -p .terraform-providers",
        f"python3 -m fleetform.commands.cli batch apply --jobs 4 {PROD}"]
    assert apply["interruptible"] is False
    # A job of one cluster: GitLab records its deployment (no --record).
    assert apply["environment"] == {"name": f"fleet/{PROD}", "action": "start"}
    assert needs(apply) == [(f"plan:{PROD}", True)]
    assert apply["resource_group"] == f"fleetform-{PROD}"
    assert apply["variables"]["TF_HTTP_PASSWORD"] == "$CI_JOB_TOKEN"
    assert apply["cache"][0]["policy"] == "pull"


def test_management_jobs_come_before_the_workers(fleet_change):
    pipeline = generate(fleet_change, apply=True)
    assert needs(pipeline[f"plan:{PROD}"]) == [("synth", True), (f"plan:{MGMT}", False)]
    assert needs(pipeline[f"apply:{PROD}"]) == [(f"plan:{PROD}", True), (f"apply:{MGMT}", False)]
    assert needs(pipeline[f"plan:{MGMT}"]) == [("synth", True)]
    assert needs(pipeline[f"apply:{MGMT}"]) == [(f"plan:{MGMT}", True)]
    # The management apply is the one manual action; the workers' follow it.
    assert pipeline[f"apply:{MGMT}"]["when"] == "manual"
    assert "when" not in pipeline[f"apply:{PROD}"]
    # Its stack has more providers than a worker's: a cache of its own.
    assert pipeline[f"plan:{MGMT}"]["cache"][0]["key"]["prefix"] == \
        "providers-management-digitalocean"


def big_change(count: int, *, management: bool = True) -> Changes:
    """Every cluster of a fleet of ``count`` DigitalOcean workers (and a management
    cluster) affected, as a library change makes them."""
    clusters = [AffectedCluster(f"worker-{i:04d}", "worker", ("library",), ("constructs/x",))
                for i in range(count)]
    if management:
        clusters.insert(0, AffectedCluster(MGMT, "management", ("library",), ("constructs/x",)))
    return Changes(base="HEAD~1", base_commit="a" * 40, merge_base="a" * 40, head="b" * 40,
                   paths=("constructs/x",), affected=tuple(clusters), removed=())


def test_200_clusters_are_one_synth_21_plan_jobs_and_one_manual_action():
    # GIVEN a library change that affects a management cluster and 200 workers
    pipeline = generate(big_change(200), apply=True)
    named = jobs(pipeline)
    plans = [n for n in named if n.startswith("plan:")]
    applies = [n for n in named if n.startswith("apply:")]
    # THEN one synth job, the management plan and 20 batches of 10
    assert [n for n in named if n.startswith("synth")] == ["synth"]
    assert plans[0] == f"plan:{MGMT}" and len(plans) == 21
    assert plans[1:3] == ["plan:digitalocean 1/20", "plan:digitalocean 2/20"]
    planned = [w for n in plans for w in named[n]["script"][-1].split()[7:]]
    assert sorted(planned) == sorted([MGMT] + [f"worker-{i:04d}" for i in range(200)])
    assert all(len(named[n]["script"][-1].split()[7:]) == 10 for n in plans[1:])
    # AND applying everything is one manual action
    assert [n for n in applies if named[n].get("when") == "manual"] == [f"apply:{MGMT}"]
    assert len(named) == 1 + 21 + 21
    # AND a batch names the environment the fleet/* variables reach, and records each
    # applied cluster's own deployment itself
    apply = named["apply:digitalocean 1/20"]
    assert apply["environment"] == {"name": "fleet/batches", "action": "prepare"}
    assert "--record" in apply["script"][-1].split()
    assert "resource_group" not in apply
    # AND only the first plan job of each cache pushes it
    policies = [named[n]["cache"][0]["policy"] for n in plans]
    assert policies == ["pull-push", "pull-push"] + ["pull"] * 19


def test_applies_run_in_doubling_waves_after_the_management_apply():
    pipeline = generate(big_change(200), apply=True)
    named = jobs(pipeline)
    after = {n: [j for j, _ in needs(job) if j.startswith("apply:")]
             for n, job in named.items() if n.startswith("apply:")}
    batch = [f"apply:digitalocean {i}/20" for i in range(1, 21)]
    # wave 1: batch 1 after the management apply; wave 2: batches 2-3 after batch 1;
    # wave 3: 4-7 after 2-3; wave 4: 8-15; wave 5: 16-20
    assert after[batch[0]] == [f"apply:{MGMT}"]
    assert after[batch[1]] == after[batch[2]] == [batch[0]]
    assert after[batch[3]] == after[batch[6]] == batch[1:3]
    assert after[batch[7]] == batch[3:7]
    assert after[batch[15]] == after[batch[19]] == batch[7:15]


def test_1000_clusters_stay_within_gitlabs_limits():
    pipeline = generate(big_change(1000), apply=True)
    named = jobs(pipeline)
    # GitLab.com Free: 500 jobs in active pipelines; every job: 50 needs at most
    assert len(named) < 500
    assert max(len(job["needs"]) for job in named.values()) <= 50
    assert sum(1 for job in named.values() if job.get("when") == "manual") == 1


def test_without_the_management_cluster_the_first_worker_batch_is_the_manual_action():
    pipeline = generate(big_change(25, management=False), apply=True)
    named = jobs(pipeline)
    assert [n for n, j in named.items() if j.get("when") == "manual"] == \
        ["apply:digitalocean 1/3"]
    assert needs(named["plan:digitalocean 1/3"]) == [("synth", True)]


def test_the_batch_size_is_an_option(fleet_repo, tmp_path):
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    fleet_repo.write("clusters/do-qa/cluster.yaml", FAKE_WORKER)
    base = fleet_repo.commit()
    fleet_repo.write("constructs/fleetform/stacks.py", "STACK = 2\n")
    fleet_repo.commit()
    out = tmp_path / "child.yml"
    assert main(["pipeline", "--base", base, "--batch-size", "2", "--parallel", "2",
                 "-o", str(out), "-C", str(fleet_repo.path)]) == 0
    text = out.read_text()
    pipeline = yaml.safe_load(text)
    assert list(jobs(pipeline)) == ["synth", f"plan:{MGMT}", "plan:digitalocean 1/2",
                                    "plan:digitalocean 2/2"]
    assert pipeline["plan:digitalocean 1/2"]["script"][-1].endswith(
        "batch plan --jobs 2 --no-lock do-production do-qa")
    # The header says which clusters each batch holds.
    assert "# plan:digitalocean 1/2: do-production, do-qa\n" in text
    assert main(["pipeline", "--base", base, "--batch-size", "0",
                 "-C", str(fleet_repo.path)]) == 2


def test_a_removed_cluster_gets_a_manual_job_that_only_prints_the_retirement(fleet_change):
    retire = generate(fleet_change, apply=True)["retire:do-staging"]
    assert retire["when"] == "manual" and retire["stage"] == "retire"
    [command] = retire["script"]
    words = shlex.split(command)
    # One printf of quoted lines: nothing else runs.
    assert words[:2] == ["printf", "%s\\n"]
    [removed] = fleet_change.removed
    assert words[2:] == retirement_steps(removed)
    text = "\n".join(words[2:])
    assert text.index("argocd cluster rm do-staging") < text.index("terraform destroy")
    # Which credential deregisters: the automation token, read from the environment.
    assert 'ARGOCD_AUTH_TOKEN="$TF_VAR_argocd_auth_token" argocd cluster rm do-staging' in text
    assert "--auth-token" not in text
    assert f"git worktree add ../retire-do-staging {removed.last_commit}" in text
    assert "prevent_destroy" not in text


def retire_lines(fleet_repo, worker_yaml: str, management_yaml: str | None = None) -> list[str]:
    """The printed retirement steps after removing worker do-staging."""
    fleet_repo.write("clusters/do-staging/cluster.yaml", worker_yaml)
    if management_yaml is not None:
        fleet_repo.write(f"clusters/{MGMT}/cluster.yaml", management_yaml)
    base = fleet_repo.commit()
    fleet_repo.remove("clusters/do-staging")
    fleet_repo.commit()
    [command] = generate(changed_clusters(fleet_repo.path, base),
                         apply=False)["retire:do-staging"]["script"]
    return shlex.split(command)[2:]


def rm_words(lines: list[str]) -> list[str]:
    [line] = [line for line in lines if "argocd cluster rm" in line]
    return line.split()


def test_the_deregistration_reaches_the_management_argocd_over_grpc_web(fleet_repo):
    # GIVEN a worker with no argocd.server: it registered through the management
    # cluster's argocd.hostname on port 443, over gRPC-web (the defaults)
    words = rm_words(retire_lines(fleet_repo, FAKE_WORKER))
    # THEN the printed command names that server and protocol, and the token is
    # in the environment, not in the command line
    assert words == ['ARGOCD_AUTH_TOKEN="$TF_VAR_argocd_auth_token"', "argocd", "cluster",
                     "rm", "do-staging", "--server", "argocd.example.com:443", "--grpc-web"]


def test_the_deregistration_uses_the_workers_own_argocd_settings(fleet_repo):
    words = rm_words(retire_lines(
        fleet_repo, FAKE_WORKER + "argocd:\n  server: argo.internal:8443\n"
                                  "  grpc_web: false\n  insecure: true\n"))
    assert words[4:] == ["do-staging", "--server", "argo.internal:8443", "--insecure"]


def test_without_an_argocd_address_the_deregistration_goes_through_the_management_cluster(
        fleet_repo):
    # GIVEN a management cluster.yaml without argocd.hostname, a worker without argocd.server
    lines = retire_lines(fleet_repo, FAKE_WORKER, "role: management\n")
    # THEN the command reaches Argo CD through the management cluster's Kubernetes API,
    # and the steps say why and how to give a public address instead
    assert rm_words(lines)[4:] == ["do-staging", "--port-forward",
                                   "--port-forward-namespace", "argocd"]
    text = "\n".join(lines)
    assert f"No Argo CD address is configured (argocd.hostname in clusters/{MGMT}/cluster.yaml" in text
    assert f"kubeconfig save {MGMT}" in text
    assert "--server <host>:443 --grpc-web" in text


def test_retiring_the_management_cluster_warns_about_workers_and_prevent_destroy(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.remove(f"clusters/{MGMT}")
    fleet_repo.commit()
    [command] = generate(changed_clusters(fleet_repo.path, base),
                         apply=False)[f"retire:{MGMT}"]["script"]
    text = "\n".join(shlex.split(command))
    assert "retire or move every worker first" in text
    assert "set 'prevent_destroy: false'" in text
    assert "argocd cluster rm" not in text  # the automation token may not remove it


def test_no_job_destroys_anything(fleet_change):
    pipeline = generate(fleet_change, apply=True)
    for name, job in jobs(pipeline).items():
        if name.startswith("retire:"):
            continue
        assert not any("destroy" in line for line in job["script"]), name


def test_nothing_changed_gives_a_single_no_op_job(fleet_repo):
    pipeline = generate(changed_clusters(fleet_repo.path, "HEAD"), apply=True)
    assert list(jobs(pipeline)) == ["no-changes"]
    assert pipeline["no-changes"]["script"][0].startswith("echo ")


def test_merge_requests_get_plans_and_the_default_branch_manual_applies(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit()
    mr = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
          "CI_COMMIT_BEFORE_SHA": ZERO_SHA, "CI_DEFAULT_BRANCH": "main"}
    with FakeGitLab() as gitlab:
        gitlab.deploy(MGMT, base)
        gitlab.deploy(PROD, base)
        push = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main",
                "CI_COMMIT_BEFORE_SHA": base, "CI_DEFAULT_BRANCH": "main",
                "CI_API_V4_URL": gitlab.api_url, "CI_PROJECT_ID": gitlab.project,
                "CI_JOB_TOKEN": gitlab.token}
        for env, expected in ((mr, []), (push, [f"apply:{PROD}"])):
            text = run_cli(["pipeline", "--ci", "-C", str(fleet_repo.path)], env)
            applies = [n for n in jobs(yaml.safe_load(text)) if n.startswith("apply:")]
            assert applies == expected


def test_a_report_job_follows_every_plan_job_merge_requests_plans_schedules_drift(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.write(".fleetform-allow", "plan-destroys-node-pool\n")
    fleet_repo.commit()
    mr = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
          "CI_DEFAULT_BRANCH": "main"}
    schedule = {"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BRANCH": "main",
                "CI_DEFAULT_BRANCH": "main"}
    merge_request = yaml.safe_load(run_cli(["pipeline", "--ci", "-C", str(fleet_repo.path)],
                                           mr))
    scheduled = yaml.safe_load(run_cli(["pipeline", "--ci", "-C", str(fleet_repo.path)],
                                       schedule))

    plans, drift = merge_request["plans"], scheduled["drift"]
    assert "drift" not in merge_request and "plans" not in scheduled
    for job in (plans, drift):
        # After every plan job, however many (no needs: GitLab's 50 do not apply), also
        # when one failed; no environment, so no fleet/* secret reaches it.
        assert job["stage"] == "report" and job["when"] == "always"
        assert "needs" not in job and "environment" not in job
    assert plans["script"] == ["python3 -m fleetform.commands.cli plans --gate --note "
                               "--markdown fleet-plans.md --json fleet-plans.json"]
    # The change edits .fleetform-allow: the plan gates read it.
    assert plans["variables"] == {"FLEETFORM_OVERRIDE_FILE_CHANGED": "true"}
    assert plans["artifacts"]["expose_as"] == "fleet plans"
    assert drift["script"] == ["python3 -m fleetform.commands.cli drift --issue "
                               "--markdown fleet-drift.md --json fleet-drift.json"]
    assert drift["allow_failure"] == {"exit_codes": [2]}
    assert set(jobs(scheduled)) >= {f"plan:{MGMT}", f"plan:{PROD}"}
    # --report chooses outside CI; a branch push has none.
    assert "plans" not in yaml.safe_load(run_cli(["pipeline", "--base", base, "-C",
                                                  str(fleet_repo.path)], {}))
    chosen = yaml.safe_load(run_cli(["pipeline", "--base", base, "--report", "drift", "-C",
                                     str(fleet_repo.path)], {}))
    assert "drift" in chosen and "variables" not in chosen["drift"]


def run_cli(argv, env) -> str:
    """Run ``fleetform`` in a subprocess with exactly ``env`` (plus PATH); return stdout."""
    proc = fleetform(*argv, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_yaml_is_plain_and_says_what_it_was_generated_from(prod_change):
    text = render(prod_change, apply=False)
    assert text.startswith("# Generated by `fleetform pipeline`: do not edit.\n")
    assert f"# Changes: {prod_change.base} ({prod_change.merge_base}...{prod_change.head})" in text
    assert "&id" not in text and "*id" not in text  # no YAML aliases
    assert yaml.safe_load(text) == generate(prod_change, apply=False)


def test_the_cli_writes_the_file_and_prints_the_summary(fleet_repo, tmp_path, capsys):
    base = fleet_repo.head()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit()
    out = tmp_path / "ci" / "child.yml"
    assert main(["pipeline", "--base", base, "--apply", "-o", str(out),
                 "-C", str(fleet_repo.path)]) == 0
    printed = capsys.readouterr().out
    assert f"{PROD}  worker" in printed
    assert printed.rstrip().endswith(f"wrote {out} (1 cluster(s), with apply jobs)")
    assert list(jobs(yaml.safe_load(out.read_text()))) == [
        "synth", f"plan:{PROD}", f"apply:{PROD}"]


def test_no_secret_or_trace_in_the_generated_pipeline(fleet_change, monkeypatch):
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", "dop_v1_secretvalue")
    monkeypatch.setenv("TF_VAR_argocd_auth_token", "argocd-secret")
    text = render(fleet_change, apply=True)
    assert "secretvalue" not in text and "argocd-secret" not in text
    for job in jobs(yaml.safe_load(text)).values():
        for line in job["script"]:
            assert not {"set", "env", "printenv", "export"} & set(line.split()[:2]), line


# --------------------------------------------------------------------------- .gitlab-ci.yml


@pytest.fixture(scope="module")
def root_ci() -> dict:
    return yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())


def test_root_pipeline_tests_then_generates_then_triggers_the_child(root_ci):
    assert root_ci["stages"] == ["test", "changes", "clusters"]
    assert root_ci["test"]["script"] == ["./fleet test -q"]
    changes = root_ci["changes"]
    assert changes["stage"] == "changes"
    assert changes["script"] == [
        "./fleet pipeline --ci --output child-pipeline.yml --warning-exit-code 3"]
    # Planning every cluster for want of a base shows as "passed with warnings", and the
    # child pipeline still runs.
    assert changes["allow_failure"] == {"exit_codes": [3]}
    assert changes["artifacts"]["when"] == "always"
    assert changes["artifacts"]["paths"] == ["child-pipeline.yml"]
    assert changes["variables"]["GIT_DEPTH"] == "0"  # the base must be in the clone
    trigger = root_ci["clusters"]["trigger"]
    assert trigger == {"include": [{"artifact": "child-pipeline.yml", "job": "changes"}],
                       "strategy": "depend"}


def test_root_pipeline_caches_pipenv_and_npm_on_their_lock_files(root_ci):
    keys = {c["key"]["prefix"]: c for c in root_ci["test"]["cache"]}
    assert keys["pipenv"]["key"]["files"] == ["Pipfile.lock"]
    assert keys["pipenv"]["paths"] == [".venv/"]
    assert keys["npm"]["key"]["files"] == ["package-lock.json"]
    assert keys["npm"]["paths"] == ["node_modules/"]
    [changes_cache] = root_ci["changes"]["cache"]
    assert changes_cache["key"]["files"] == ["Pipfile.lock"] and changes_cache["policy"] == "pull"


def test_root_pipeline_never_traces_or_dumps_the_environment():
    text = (ROOT / ".gitlab-ci.yml").read_text()
    code = [line.split("#")[0] for line in text.splitlines()]
    for word in ("set -x", "set -o xtrace", "printenv", "env ", "export -p", "CI_DEBUG_TRACE"):
        assert not any(word in line for line in code), word


# --------------------------------------------------------------------------- GitLab's schema


def check_gitlab_schema(*files: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema (GitLab CI schema) "
                                                   "is not installed")
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.gitlab-ci", *map(str, files)],
                          capture_output=True, text=True, timeout=120)


def test_every_pipeline_shape_is_valid_gitlab_ci(prod_change, fleet_change, fleet_repo, tmp_path):
    files = [ROOT / ".gitlab-ci.yml"]
    shapes = {
        "prod-plan": (prod_change, False, "plans"), "prod-apply": (prod_change, True, None),
        "fleet-apply": (fleet_change, True, "drift"), "fleet-plan": (fleet_change, False, None),
        "nothing": (changed_clusters(fleet_repo.path, "HEAD"), True, "plans"),
        "every": (ci_changes(fleet_repo.path, {"CI_COMMIT_BRANCH": "main",
                                               "CI_DEFAULT_BRANCH": "main"}), True, "drift"),
    }
    for name, (changes, apply, report) in shapes.items():
        file = tmp_path / f"{name}.yml"
        file.write_text(render(changes, apply=apply, report=report))
        files.append(file)
    proc = check_gitlab_schema(*files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_rejects_an_invalid_pipeline(prod_change, tmp_path):
    # The check above can fail: a job with a misspelt keyword is rejected.
    pipeline = generate(prod_change, apply=True)
    pipeline[f"apply:{PROD}"]["when"] = "by-hand"
    pipeline["synth"]["artifact"] = pipeline["synth"].pop("artifacts")
    file = tmp_path / "bad.yml"
    file.write_text(yaml.safe_dump(pipeline))
    proc = check_gitlab_schema(file)
    assert proc.returncode == 1
    assert "'by-hand' is not one of" in proc.stdout
    assert "'artifact' was unexpected" in proc.stdout


# --------------------------------------------------------------------------- gitlab-ci-local


def gitlab_ci_local(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CI", "GITLAB", "FLEETFORM", "TF_", "PYTHON"))}
    env.update(HOME=str(project.parent / "home"), FORCE_COLOR="0", NO_COLOR="1")
    return subprocess.run([str(GITLAB_CI_LOCAL), *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)


def test_fleet_runs_from_a_venv_built_in_another_directory(tmp_path):
    # GIVEN a checkout whose .venv was built elsewhere (a CI cache restored into
    # another project directory): its scripts' #! lines point at a directory
    # that does not exist here
    project = copy_project(tmp_path / "project", skip=("tests/",))
    repo = GitRepo(project)
    gitdiff = project / "constructs" / "fleetform" / "commands" / "changes" / "results.py"
    gitdiff.write_text(gitdiff.read_text().replace('"no cluster is affected"',
                                                   '"no cluster is affected (this checkout)"'))
    repo.commit("fleet")
    link_environments(project, built_in=tmp_path / "elsewhere", node_modules=False)
    assert not (tmp_path / "elsewhere" / ".venv").exists()
    # WHEN
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CI", "GITLAB", "FLEETFORM", "PYTHON"))}
    proc = subprocess.run([str(project / "fleet"), "changed", "--base", "HEAD"], cwd=project,
                          env=env, capture_output=True, text=True, timeout=120)
    # THEN ./fleet runs this checkout's fleetform with that venv, and says it moved
    assert proc.returncode == 0, proc.stderr
    assert "no cluster is affected (this checkout)" in proc.stdout
    assert proc.stderr == (f"fleet: .venv was built in {tmp_path / 'elsewhere'}; "
                           f"using it from {project}\n")


def test_gitlab_ci_local_runs_exactly_the_changed_clusters_jobs(tmp_path):
    if shutil.which("rsync") is None:
        pytest.skip("gitlab-ci-local needs rsync, which is not installed "
                    "(./fleet test installs it with apt-get when run as root)")
    assert GITLAB_CI_LOCAL.exists(), "node_modules is missing: run ./fleet test (npm ci)"

    # GIVEN the project in a Git repository, and a commit touching only clusters/do-production/
    project = copy_project(tmp_path / "project", skip=("tests/",))
    repo = GitRepo(project)
    repo.git("remote", "add", "origin", "git@gitlab.example.com:example/fleetform.git")
    repo.git("config", "user.name", "Test")
    repo.git("config", "user.email", "test@example.com")
    base = repo.commit("fleet")
    # The default branch as fetched (what gitlab-ci-local compares rules:changes with)
    repo.git("update-ref", "refs/remotes/origin/main", base)
    cluster_yaml = project / "clusters" / PROD / "cluster.yaml"
    assert "max_nodes: 5" in cluster_yaml.read_text()
    cluster_yaml.write_text(cluster_yaml.read_text().replace("max_nodes: 5", "max_nodes: 6"))
    repo.commit("do-production: one more node")
    # ... with a cached .venv built in another directory (its scripts' #! lines point there)
    link_environments(project, built_in=tmp_path / "elsewhere", node_modules=False)

    # WHEN the root pipeline's `changes` job runs, as on a push to main, with both
    # clusters last applied at the base commit (GitLab deployments, read with the job token)
    listed = gitlab_ci_local(project, "--list-json")
    assert listed.returncode == 0, listed.stderr
    # (a change to clusters/ only: the fleet checks, not the suite; on a push, no diff job)
    assert {j["name"]: j["when"] for j in json.loads(listed.stdout)} == {
        "test": "never", "fleet-checks": "on_success", "changes": "on_success",
        "clusters": "on_success", "diff": "never"}
    with FakeGitLab() as gitlab:
        gitlab.deploy(MGMT, base)
        gitlab.deploy(PROD, base)
        run = gitlab_ci_local(project, "--variable", f"CI_COMMIT_BEFORE_SHA={base}",
                              "--variable", f"CI_API_V4_URL={gitlab.api_url}",
                              "--variable", f"CI_JOB_TOKEN={gitlab.token}", "changes")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS  changes" in run.stdout
    assert "WARNING" not in run.stdout
    assert f".venv was built in {tmp_path / 'elsewhere'}" in run.stdout + run.stderr

    # THEN the child pipeline (the artifact the trigger job includes) has that cluster's jobs only
    child = project / ".gitlab-ci-local" / "artifacts" / "changes" / "child-pipeline.yml"
    pipeline = yaml.safe_load(child.read_text())
    assert list(jobs(pipeline)) == ["synth", f"plan:{PROD}", f"apply:{PROD}"]
    assert pipeline[f"plan:{PROD}"]["script"] == plan_commands([PROD], lock=True)
    assert pipeline[f"apply:{PROD}"]["when"] == "manual"
    shutil.copy2(child, project / "child-pipeline.yml")
    listed = gitlab_ci_local(project, "--file", "child-pipeline.yml", "--list-json")
    assert listed.returncode == 0, listed.stderr
    assert {j["name"]: j["when"] for j in json.loads(listed.stdout)} == {
        "synth": "on_success", f"plan:{PROD}": "on_success",
        f"apply:{PROD}": "manual"}

    # AND its synth job produces that stack only, with GitLab-managed state
    run = gitlab_ci_local(project, "--file", "child-pipeline.yml", "synth")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS  synth" in run.stdout
    assert sorted(p.name for p in (project / "cdktf.out" / "stacks").iterdir()) == [PROD]
    # ... with its providers' entries of the fleet's lock file, for terraform init
    lock = (project / "cdktf.out" / "stacks" / PROD / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/digitalocean/digitalocean"' in lock
    assert "hashicorp/helm" not in lock  # a worker's stack has no Helm release
    stack = json.loads((project / "cdktf.out" / "stacks" / PROD / "cdk.tf.json").read_text())
    http = stack["terraform"]["backend"]["http"]
    assert http["address"] == ("https://gitlab.example.com/api/v4/projects/1217/"
                               f"terraform/state/{PROD}")
    assert "password" not in http and "username" not in http
    artifacts = list((project / ".gitlab-ci-local" / "artifacts").glob(
        f"*/cdktf.out/stacks/{PROD}/cdk.tf.json"))
    assert len(artifacts) == 1, "the synth job's artifact holds the stack"

    # AND when GitLab cannot say what was applied, the job plans every cluster, exits 3
    # (allowed: "passed with warnings") and still hands the child pipeline on
    run = gitlab_ci_local(project, "--variable", f"CI_COMMIT_BEFORE_SHA={base}",
                          "--variable", "CI_API_V4_URL=http://127.0.0.1:9/api/v4",
                          "--variable", "CI_JOB_TOKEN=job-token", "changes")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING: what was last applied cannot be read from GitLab" in run.stdout + run.stderr
    assert "WARN  changes" in run.stdout
    pipeline = yaml.safe_load(child.read_text())
    assert list(jobs(pipeline)) == ["synth", *(f"{step}:{name}" for step in ("plan", "apply")
                                               for name in (MGMT, PROD))]
