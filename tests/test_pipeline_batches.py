"""The child pipeline's batched plan jobs, run by gitlab-ci-local against the stand-in providers.

A project copy with a management cluster and eleven DigitalOcean workers, its provider
lock computed from the stand-ins (tests/terraform), gets a library change (every
cluster affected). `fleetform pipeline` writes the child pipeline; gitlab-ci-local
(shell executor) runs its synth job in the project directory, as
tests/test_pipeline.py does, then its plan jobs with ``--shell-isolation``: each in a
clean checkout of its own with only the synth job's artifact and the provider cache
(``cache:`` keyed on the lock file), as on a runner. Their state is GitLab-managed,
served by the loopback fake GitLab (support/fake_gitlab.py). The plan jobs' ``python3``
has the standard library only, as a job image without the project's environment.

gitlab-ci-local keys a cache on its ``key:files`` only, not its ``prefix``: the
management job's cache and the workers' are one here (on GitLab, two), so the worker
jobs find every provider they need already cached by the management plan.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from support.fleets import ROOT, WORKER_YAML, write_cluster
from support.git_repo import GitRepo
from fleetform.commands.cli import main
from fleetform.commands.pipeline import plan_commands
from support.checkout import copy_project, link_environments
from support.fake_gitlab import FakeGitLab

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))
from harness import TerraformMissing, Workspace, write_packaged_mirror  # noqa: E402

GITLAB_CI_LOCAL = ROOT / "node_modules" / ".bin" / "gitlab-ci-local"
MGMT = "do-management"
#: The fixture fleet's worker and ten more: three batches of at most four.
WORKERS = ["do-production", *(f"do-worker-{i:02d}" for i in range(1, 11))]
BATCHES = {
    f"plan:{MGMT}": [MGMT],
    "plan:digitalocean 1/3": WORKERS[0:4],
    "plan:digitalocean 2/3": WORKERS[4:8],
    "plan:digitalocean 3/3": WORKERS[8:11],
}
#: The stack whose lock names a provider version the mirror lacks (batch 2/3).
BROKEN = "do-worker-05"
#: A Kubernetes provider version no mirror here has.
MISSING_VERSION = "2.39.0"
_SUMMARY = re.compile(r"^fleetform batch plan: (\d+) stack\(s\); providers (\d+) from the "
                      r"cache, (\d+) downloaded$", re.M)


def gitlab_ci_local(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CI", "GITLAB", "FLEETFORM", "TF_", "PYTHON"))}
    env.update(HOME=str(project.parent / "home"), FORCE_COLOR="0", NO_COLOR="1")
    return subprocess.run([str(GITLAB_CI_LOCAL), *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)


def safe_job_name(name: str) -> str:
    """gitlab-ci-local's file name of a job (``Utils.safeDockerString``)."""
    return re.sub(r"[^\w-]+", lambda m: base64.urlsafe_b64encode(m.group().encode())
                  .decode().rstrip("="), name, flags=re.ASCII)


def locked_versions(lock: Path) -> dict[str, str]:
    return dict(re.findall(r'^provider\s+"([^"]+)"\s*\{\s*\n\s*version\s*=\s*"([^"]+)"',
                           lock.read_text(), re.M))


@dataclass
class Pipeline:
    """The project after its synth and plan jobs ran, and what they left."""

    project: Path
    gitlab: FakeGitLab
    variables: list[str]
    #: the plan stage's gitlab-ci-local run, and what it left (the tests run jobs again):
    run: subprocess.CompletedProcess
    #: ``{job: log}``
    logs: dict[str, str] = field(default_factory=dict)
    #: ``{cluster: ...}``: ``result.json``, ``plan.txt``, the providers of its lock file, its
    #: state's lock events; the clusters with a saved plan (``plan.cache``)
    results: dict[str, dict] = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)
    providers: dict[str, int] = field(default_factory=dict)
    lock_events: dict[str, list[str]] = field(default_factory=dict)
    saved: set[str] = field(default_factory=set)

    def log(self, job: str) -> str:
        return (self.project / ".gitlab-ci-local" / "output" /
                f"{safe_job_name(job)}.log").read_text()

    def artifact(self, job: str, cluster: str, file: str) -> Path:
        return (self.project / ".gitlab-ci-local" / "artifacts" / safe_job_name(job) /
                "cdktf.out" / "stacks" / cluster / file)

    def result(self, job: str, cluster: str) -> dict:
        return json.loads(self.artifact(job, cluster, "result.json").read_text())

    def plan_jobs(self, *jobs: str) -> subprocess.CompletedProcess:
        """Run plan jobs again, as a new pipeline would: their earlier artifacts gone
        (gitlab-ci-local would add to them), the synth job's and the cache kept."""
        for job in jobs:
            shutil.rmtree(self.project / ".gitlab-ci-local" / "artifacts" / safe_job_name(job),
                          ignore_errors=True)
        return gitlab_ci_local(self.project, "--file", "child-pipeline.yml",
                               "--shell-isolation", *self.variables, *jobs)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    if shutil.which("rsync") is None:
        pytest.skip("gitlab-ci-local needs rsync, which is not installed "
                    "(./fleet test installs it with apt-get when run as root)")
    try:
        standins = Workspace(tmp_path_factory.mktemp("standins"))
    except TerraformMissing as exc:
        pytest.skip(str(exc))
    assert GITLAB_CI_LOCAL.exists(), "node_modules is missing: run ./fleet test (npm ci)"
    tmp = tmp_path_factory.mktemp("batches")

    # GIVEN the project with a management cluster and eleven DigitalOcean workers
    project = copy_project(tmp / "project", skip=("tests/",))
    repo = GitRepo(project)
    repo.git("remote", "add", "origin", "git@gitlab.example.com:example/fleetform.git")
    for name in WORKERS[1:]:
        write_cluster(project / "clusters", name, WORKER_YAML)
    # ... whose provider lock is the stand-ins' (what `./fleet lock` writes from a mirror)
    mirror = write_packaged_mirror(tmp, ("linux_amd64",))
    lock = subprocess.run(
        [sys.executable, "-m", "fleetform.commands.cli", "lock", "--fs-mirror", str(mirror),
         "--platform", "linux_amd64", "--lock-file", str(project / ".terraform.lock.hcl")],
        cwd=project, capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith(("CI", "GITLAB", "TF_"))})
    assert lock.returncode == 0, lock.stdout + lock.stderr
    base = repo.commit("fleet")
    # ... and a library change: every cluster is affected
    library = project / "constructs" / "fleetform" / "fleet" / "state.py"
    library.write_text(library.read_text() + "\n# a library change\n")
    repo.commit("library change")
    link_environments(project, node_modules=False)

    # WHEN its child pipeline (default branch: plans that an apply uses, with the state
    # lock; and the report of a merge request's) is generated with batches of four, two
    # stacks at a time
    assert main(["pipeline", "--base", base, "--apply", "--batch-size", "4", "--parallel", "2",
                 "--report", "plans", "-o", str(project / "child-pipeline.yml"),
                 "-C", str(project)]) == 0
    child = yaml.safe_load((project / "child-pipeline.yml").read_text())
    assert [n for n in child if n.startswith("plan:")] == list(BATCHES)
    for job, names in BATCHES.items():
        assert child[job]["script"] == plan_commands(names, lock=True, parallel=2)

    with FakeGitLab() as gitlab:
        # ... and gitlab-ci-local runs it with the stand-ins' environment (the CI/CD
        # variables), GitLab's API and state at the fake, authenticated as the job
        env = standins.env
        variables = [option for name, value in {
            "TF_CLI_CONFIG_FILE": env["TF_CLI_CONFIG_FILE"],
            "FLEETFORM_STANDIN_CLOUD": env["FLEETFORM_STANDIN_CLOUD"],
            "DIGITALOCEAN_TOKEN": env["DIGITALOCEAN_TOKEN"],
            "TF_VAR_argocd_auth_token": "automation-token",
            "CI_API_V4_URL": gitlab.api_url, "CI_PROJECT_ID": gitlab.project,
            "CI_JOB_TOKEN": gitlab.token}.items() for option in ("--variable", f"{name}={value}")]
        synth = gitlab_ci_local(project, "--file", "child-pipeline.yml", *variables, "synth")
        assert synth.returncode == 0, synth.stdout + synth.stderr
        assert "PASS  synth" in synth.stdout
        # ... then the plan jobs, each in a clean checkout with the synth job's artifact
        # and the provider cache (no .terraform/ or providers left by an earlier job),
        # with the job image's Python: the standard library only (-S: no site-packages)
        image = tmp / "job-image"
        image.mkdir()
        (image / "python3").write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
        (image / "python3").chmod(0o755)
        variables += ["--variable", f"PATH={image}{os.pathsep}{os.environ['PATH']}"]
        run = gitlab_ci_local(project, "--file", "child-pipeline.yml", "--shell-isolation",
                              "--concurrency", "2", *variables, "--stage", "plan")
        done = Pipeline(project, gitlab, variables, run)
        for job, names in BATCHES.items():
            done.logs[job] = done.log(job)
            for name in names:
                if not done.artifact(job, name, "result.json").is_file():
                    continue  # (the test says which job failed)
                done.results[name] = done.result(job, name)
                done.plans[name] = done.artifact(job, name, "plan.txt").read_text()
                done.providers[name] = len(locked_versions(
                    done.artifact(job, name, ".terraform.lock.hcl")))
                done.lock_events[name] = [event for event, _ in gitlab.lock_events(name)]
                if done.artifact(job, name, "plan.cache").is_file():
                    done.saved.add(name)
        yield done


def test_every_plan_job_plans_its_batch_and_a_warm_cache_downloads_nothing(pipeline):
    run = pipeline.run
    # THEN every plan job passes
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-4000:]
    for job in BATCHES:
        assert f"PASS  {job}" in run.stdout, run.stdout[-8000:]
    # AND every cluster was planned, against its GitLab-managed state, with the lock:
    # taken and released once, nothing left locked and no state written
    assert sorted(pipeline.results) == sorted([MGMT, *WORKERS])
    for name, result in pipeline.results.items():
        assert result["status"] == "changes", (name, result)
        assert re.fullmatch(r"\d+ to add, 0 to change, 0 to destroy", result["summary"]), result
        assert pipeline.lock_events[name] == ["lock", "unlock"], name
        assert "Terraform will perform the following actions" in pipeline.plans[name]
    assert pipeline.saved == set(pipeline.results)  # for the apply jobs
    assert pipeline.gitlab.locks == {} and pipeline.gitlab.states == {}
    # AND each job's log has each stack's log, then its summary: one line per cluster
    for job, names in BATCHES.items():
        log = pipeline.logs[job]
        for name in names:
            assert f"plan {name}: {pipeline.results[name]['summary']}" in log
            assert f"  {name}: {pipeline.results[name]['summary']}" in log
        assert "terraform init -input=false -no-color -lockfile=readonly" in log
    # AND each provider is downloaded once in the whole pipeline, by the first stack
    # planned: the management job's (the workers' jobs get it from its cache)
    mgmt_providers = pipeline.providers[MGMT]
    assert _SUMMARY.findall(pipeline.logs[f"plan:{MGMT}"]) == [("1", "0", str(mgmt_providers))]
    for job, names in list(BATCHES.items())[1:]:
        cached = sum(pipeline.providers[name] for name in names)
        assert _SUMMARY.findall(pipeline.logs[job]) == [(str(len(names)), str(cached), "0")], job
    for name, result in pipeline.results.items():
        assert result["providers_downloaded"] + result["providers_cached"] == \
            pipeline.providers[name] > 0, name

    # WHEN the management plan job runs again (a new pipeline: a clean checkout, the cache
    # its first run pushed)
    again = pipeline.plan_jobs(f"plan:{MGMT}")
    # THEN it downloads nothing: every provider comes from the cache
    assert again.returncode == 0, again.stdout[-6000:] + again.stderr[-3000:]
    assert _SUMMARY.findall(pipeline.log(f"plan:{MGMT}")) == [("1", str(mgmt_providers), "0")]
    assert pipeline.result(f"plan:{MGMT}", MGMT)["status"] == "changes"
    assert [e for e, _ in pipeline.gitlab.lock_events(MGMT)] == ["lock", "unlock"] * 2


def test_the_plans_job_reports_every_batchs_plans_with_the_job_images_python(pipeline):
    # WHEN the report stage's plans job runs: no needs, so the artifacts of every job of
    # the stages before (gitlab-ci-local, like GitLab, hands them over)
    run = gitlab_ci_local(pipeline.project, "--file", "child-pipeline.yml",
                          "--shell-isolation", *pipeline.variables, "plans")
    # THEN it reports every cluster as its plan job left it (the tests run in any order:
    # batch 2/3 may have been planned again with a broken stack by then)
    results = {name: pipeline.result(job, name) for job, names in BATCHES.items()
               for name in names}
    failed = sorted(n for n, r in results.items() if r["status"] == "failed")
    assert failed in ([], [BROKEN])
    log = pipeline.log("plans")
    assert f"fleetform plans: 12 cluster(s): {12 - len(failed)} with changes, 0 without, " \
           f"{len(failed)} failed or not planned" in log
    for name, result in results.items():
        line = (rf"{name}: plan FAILED: at init: Error: " if name in failed
                else rf"{name}: \d+ to add, 0 to change, 0 to replace, 0 to destroy$")
        assert re.search(rf"^plans > +{line}", log, re.M) or re.search(rf"^  {line}", log, re.M), \
            (name, log[-3000:])
    report = json.loads((pipeline.project / ".gitlab-ci-local" / "artifacts" / "plans" /
                         "fleet-plans.json").read_text())
    assert report["gates"]["violations"] == [] and len(report["clusters"]) == 12
    # AND it passes when every plan did (every plan creates, none destroys), and fails
    # when one failed: what it would do is unknown
    assert (run.returncode == 0) == (not failed), run.stdout[-6000:] + run.stderr[-3000:]


def test_a_stack_whose_lock_names_a_version_the_mirror_lacks_fails_alone_at_init(pipeline):
    # GIVEN the synth job's stack of one worker of batch 2/3 requires and locks a Kubernetes
    # provider version the mirror (the registry, here) does not have (its artifact edited:
    # synth refuses a fleet lock of another version than the stacks require)
    job, names = "plan:digitalocean 2/3", BATCHES["plan:digitalocean 2/3"]
    stack = pipeline.project / ".gitlab-ci-local" / "artifacts" / "synth" / "cdktf.out" / \
        "stacks" / BROKEN
    document = json.loads((stack / "cdk.tf.json").read_text())
    required = document["terraform"]["required_providers"]["kubernetes"]
    locked = locked_versions(stack / ".terraform.lock.hcl")
    version = locked["registry.terraform.io/hashicorp/kubernetes"]
    assert required["version"] == version != MISSING_VERSION
    required["version"] = MISSING_VERSION
    (stack / "cdk.tf.json").write_text(json.dumps(document, indent=2))
    lock = (stack / ".terraform.lock.hcl").read_text()
    block = f'provider "registry.terraform.io/hashicorp/kubernetes" {{\n  version     = "{version}"'
    assert block in lock
    (stack / ".terraform.lock.hcl").write_text(
        lock.replace(block, block.replace(version, MISSING_VERSION)))
    before = len(pipeline.gitlab.requests)
    locks_before = {name: len(pipeline.gitlab.lock_events(name)) for name in names}

    # WHEN that batch's plan job runs
    run = pipeline.plan_jobs(job)

    # THEN the job fails, naming that cluster and the step
    assert run.returncode == 1, run.stdout[-6000:] + run.stderr[-3000:]
    assert f"FAIL  {job}" in run.stdout + run.stderr
    log = pipeline.log(job)
    assert f"  {BROKEN}: FAILED at init: Error:" in log
    failed = pipeline.result(job, BROKEN)
    assert failed["status"] == "failed" and failed["failed_step"] == "init", failed
    assert not pipeline.artifact(job, BROKEN, "plan.cache").exists()
    assert f"version {MISSING_VERSION} is no longer" in \
        pipeline.artifact(job, BROKEN, "plan.log").read_text()
    # AND it wrote nothing to its GitLab-managed state: no state, no lock taken
    written = [(method, path) for method, path, _, _ in pipeline.gitlab.requests[before:]
               if method != "GET" and path.startswith(
                   f"/api/v4/projects/{pipeline.gitlab.project}/terraform/state/{BROKEN}")]
    assert written == []
    assert BROKEN not in pipeline.gitlab.states and pipeline.gitlab.locks == {}
    # AND the other clusters of the job still get their plans, each with its own state
    # lock, and the job's summary lists every cluster
    summary = log[log.index("fleetform batch plan:"):]
    for name in names:
        if name == BROKEN:
            continue
        assert pipeline.artifact(job, name, "result.json").is_file(), f"{name} was not planned"
        result = pipeline.result(job, name)
        assert result["status"] == "changes", (name, result)
        assert f"  {name}: {result['summary']}" in summary
        assert [e for e, _ in pipeline.gitlab.lock_events(name)[locks_before[name]:]] == [
            "lock", "unlock"], name
        assert "Terraform will perform the following actions" in \
            pipeline.artifact(job, name, "plan.txt").read_text()
    assert _SUMMARY.search(log).group(1) == str(len(names))
