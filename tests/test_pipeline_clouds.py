"""The pipeline of a fleet in several clouds: each plan and apply job holds clusters of
one cloud and gets that cloud's credentials only, AWS, Azure and Google ones short-lived
through a GitLab ID token; a removed cluster's retirement has its own cloud's steps."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support.git_repo import FAKE_WORKER
from support.fleets import ROOT
from fleetform.commands.changes import changed_clusters
from fleetform.commands.pipeline import SYNTH_JOB, UNSET_SECRETS, generate, plan_commands, \
    render, retirement_steps
from fleetform.fleet.clouds import CLOUDS
from fleetform.fleet.clouds.aws import CI as AWS_CI
from test_pipeline import check_gitlab_schema, jobs

AWS_ID_TOKEN = AWS_CI.id_token
AWS_ROLE_VARIABLE = "FLEETFORM_AWS_ROLE_ARN"
EKS = "eks-production"
SH = shutil.which("sh")
EKS_WORKER = "cloud: aws\nrole: worker\nregion: eu-west-1\nlabels: [global]\n"
EKS_MANAGEMENT = ("cloud: aws\nrole: management\nregion: us-east-2\n"
                  "argocd:\n  hostname: argocd.example.com\n")
AKS_WORKER = "cloud: azure\nrole: worker\nregion: westeurope\nlabels: [global]\n"
GKE_WORKER = "cloud: gcp\nrole: worker\nregion: europe-west1\nlabels: [global]\n"


def batch_clusters(job: dict) -> list[str]:
    """The clusters a plan or apply job runs ``fleetform batch`` on (its last line)."""
    words = job["script"][-1].split()
    assert words[:4] == ["python3", "-m", "fleetform.commands.cli", "batch"], words
    assert words[5] == "--jobs", words
    return [w for w in words[7:] if not w.startswith("--")]


@pytest.fixture
def eks_change(fleet_repo):
    """A commit that adds an EKS worker beside the fake fleet's DOKS clusters."""
    base = fleet_repo.head()
    fleet_repo.write(f"clusters/{EKS}/cluster.yaml", EKS_WORKER)
    fleet_repo.write("constructs/fleetform/stacks.py", "STACK = 2\n")
    fleet_repo.commit()
    return changed_clusters(fleet_repo.path, base)


def test_changed_reads_each_clusters_cloud_and_region(eks_change):
    clouds = {c.name: (c.cloud, c.region) for c in eks_change.affected}
    assert clouds == {"do-management": ("digitalocean", None),
                      "do-production": ("digitalocean", None), EKS: ("aws", "eu-west-1")}


@pytest.mark.parametrize("apply", [False, True])
def test_only_the_aws_clusters_plan_and_apply_jobs_get_an_id_token(eks_change, apply):
    # GIVEN a change affecting two DigitalOcean clusters and an EKS worker
    # WHEN its pipeline is generated
    pipeline = jobs(generate(eks_change, apply=apply))
    # THEN only the EKS worker's jobs (a batch of its own) get an ID token
    with_token = sorted(name for name, job in pipeline.items() if "id_tokens" in job)
    assert with_token == sorted([f"plan:{EKS}"] + ([f"apply:{EKS}"] if apply else []))
    for name in with_token:
        job = pipeline[name]
        assert batch_clusters(job) == [EKS]
        assert job["environment"]["name"] == f"fleet/{EKS}"
        assert job["id_tokens"] == {AWS_ID_TOKEN: {"aud": "$CI_SERVER_URL"}}
        variables = job["variables"]
        assert variables["AWS_ROLE_ARN"] == f"${AWS_ROLE_VARIABLE}"
        # The token file is outside the project directory: never in an artifact.
        assert variables["AWS_WEB_IDENTITY_TOKEN_FILE"].startswith("${CI_BUILDS_DIR}/")
        assert variables["TF_HTTP_PASSWORD"] == "$CI_JOB_TOKEN"
        assert job["after_script"] == ['rm -f "$AWS_WEB_IDENTITY_TOKEN_FILE"']
        # No stored AWS key anywhere in the job.
        assert "AWS_ACCESS_KEY_ID" not in yaml.safe_dump(job)
    # AND the DigitalOcean clusters' plan and apply jobs name no AWS variable
    for name, job in pipeline.items():
        if name.startswith(("plan:", "apply:")) and name not in with_token:
            assert "AWS_" not in yaml.safe_dump(job), name


def fake_job_checkout(tmp_path, names: list[str]) -> tuple[dict[str, str], Path]:
    """A checkout as a plan job finds it: the synthesized stacks of ``names`` (with their
    provider lock) from the synth job, and on a PATH of its own only what the script
    runs: ``python3`` (this interpreter), ``mkdir``, ``cat`` and a ``terraform`` that
    records each command with the AWS credentials it sees (no ``aws``), and shows a
    plan that changes nothing. Returns the
    environment GitLab gives the job (without the CI/CD variables), and the record."""
    project = tmp_path / "project"
    for name in names:
        stack = project / "cdktf.out" / "stacks" / name
        stack.mkdir(parents=True)
        (stack / "cdk.tf.json").write_text("{}\n")
        (stack / ".terraform.lock.hcl").write_text(
            'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.0.0"\n'
            '  hashes = [\n    "h1:c3RhbmQtaW4=",\n  ]\n}\n')
    (project / "constructs").symlink_to(ROOT / "constructs")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("mkdir", "cat"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    (bin_dir / "python3").write_text(f'#!{SH}\nexec "{sys.executable}" "$@"\n')
    record = tmp_path / "terraform.log"
    (bin_dir / "terraform").write_text(
        f"#!{SH}\n"
        'token=$(cat "$AWS_WEB_IDENTITY_TOKEN_FILE" 2>/dev/null || echo none)\n'
        f'printf \'%s role=%s token=%s\\n\' "$1" "$AWS_ROLE_ARN" "$token" >> "{record}"\n'
        # show -json: a plan that changes nothing
        'if [ "$1 $2" = "show -json" ]; then echo \'{"format_version": "1.2"}\'; fi\n')
    for tool in ("python3", "terraform"):
        (bin_dir / tool).chmod(0o755)
    (tmp_path / "builds").mkdir()
    env = {"PATH": str(bin_dir), "CI_PROJECT_DIR": str(project),
           "CI_BUILDS_DIR": str(tmp_path / "builds"), "CI_JOB_ID": "7", "CI_PROJECT_ID": "42",
           "CI_JOB_TOKEN": "job-token"}
    return env, record


def job_shell(pipeline: dict, name: str) -> str:
    """Job ``name``'s script as GitLab's runner runs it with sh: the pipeline's and the
    job's variables (expanded), then each line, stopping at the first that fails."""
    variables = {**pipeline["variables"], **pipeline[name]["variables"]}
    return "\n".join(["set -e", *(f'export {k}="{v}"' for k, v in variables.items()),
                      *pipeline[name]["script"]])


def test_an_aws_job_writes_the_token_then_runs_terraform(eks_change, tmp_path):
    """The job's whole script, run by sh as GitLab would over a synthesized stack: it
    writes the ID token where the AWS SDKs read it before ``fleetform batch`` runs
    Terraform, and stops with a clear message, before any Terraform, without a role or
    the AWS CLI."""
    # GIVEN the EKS worker's plan job: checks and set-up, then the batch plan
    pipeline = generate(eks_change, apply=True)
    job = pipeline[f"plan:{EKS}"]
    check, cli, write, *rest = job["script"]
    assert rest == plan_commands([EKS], lock=True)
    assert pipeline[f"apply:{EKS}"]["script"][:3] == [check, cli, write]
    # AND a checkout holding its synthesized stack, with the ID token GitLab gives the job
    env, record = fake_job_checkout(tmp_path, [EKS])
    env[AWS_ID_TOKEN] = "eyJ.header.sig"
    token_file = tmp_path / "builds" / ".fleetform-aws-7.jwt"
    project = env["CI_PROJECT_DIR"]
    script = job_shell(pipeline, f"plan:{EKS}")

    # WHEN the role's CI/CD variable is not set THEN the job stops, naming it
    missing_role = subprocess.run([SH, "-c", script], env=env, cwd=project,
                                  capture_output=True, text=True)
    assert missing_role.returncode == 1
    assert f"set the CI/CD variable {AWS_ROLE_VARIABLE} (environment fleet/{EKS}): the IAM " \
        "role this cluster's jobs assume" in missing_role.stderr
    assert not record.exists() and not token_file.exists()

    # WHEN the role is set but the image has no AWS CLI THEN the job stops, saying so
    env[AWS_ROLE_VARIABLE] = "arn:aws:iam::111122223333:role/fleet-eks-production"
    no_cli = subprocess.run([SH, "-c", script], env=env, cwd=project,
                            capture_output=True, text=True)
    assert no_cli.returncode == 1 and "needs the AWS CLI v2" in no_cli.stderr
    assert not record.exists()

    # WHEN it has both THEN the token is written, and every Terraform command of the
    # batch runs with the role and the token already in place
    aws = tmp_path / "bin" / "aws"
    aws.write_text(f"#!{SH}\nexit 0\n")
    aws.chmod(0o755)
    planned = subprocess.run([SH, "-c", script], env=env, cwd=project,
                             capture_output=True, text=True)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert token_file.read_text() == "eyJ.header.sig"
    seen = f"role={env[AWS_ROLE_VARIABLE]} token=eyJ.header.sig"
    assert record.read_text().splitlines() == [f"{step} {seen}"
                                               for step in ("init", "plan", "show", "show")]
    assert f"{EKS}: no changes" in planned.stdout


def test_jobs_that_run_repository_code_unset_every_clouds_credentials(eks_change):
    for name in ("DIGITALOCEAN_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "TF_HTTP_PASSWORD"):
        assert f" {name} " in UNSET_SECRETS
    # The one synth job runs the repository's code (every affected stack's synthesis):
    # no secret and no ID token reach it.
    pipeline = generate(eks_change, apply=True)
    synth = pipeline[SYNTH_JOB]
    assert synth["script"] == [UNSET_SECRETS, f"./fleet synth {' '.join(eks_change.names)}"]
    assert EKS in eks_change.names
    # (no environment: fleet/* variables do not reach it; no job variable: no state password)
    assert "id_tokens" not in synth and "environment" not in synth
    assert "variables" not in synth
    # The root pipeline's jobs (test, changes) unset the same list.
    root = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())
    assert root[".no-secrets"]["before_script"] == [UNSET_SECRETS]


def test_a_pipeline_with_aws_clusters_is_valid_gitlab_ci(eks_change, tmp_path):
    files = []
    for apply in (False, True):
        file = tmp_path / f"eks-{apply}.yml"
        file.write_text(render(eks_change, apply=apply))
        files.append(file)
    proc = check_gitlab_schema(*files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_removed_eks_worker_is_retired_with_awss_steps(fleet_repo):
    fleet_repo.write(f"clusters/{EKS}/cluster.yaml", EKS_WORKER)
    base = fleet_repo.commit()
    fleet_repo.remove(f"clusters/{EKS}")
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    [removed] = changes.removed
    assert (removed.cloud, removed.region) == ("aws", "eu-west-1")

    text = "\n".join(retirement_steps(removed))
    assert "AWS credentials with the cluster's admin rights" in text
    assert "DIGITALOCEAN_TOKEN" not in text
    assert "Service of type LoadBalancer" in text
    # The pipeline's retire job prints those steps, and gets no credentials.
    retire = generate(changes, apply=True)[f"retire:{EKS}"]
    [printed] = retire["script"]
    assert "AWS credentials with the cluster" in printed and "DIGITALOCEAN_TOKEN" not in printed
    assert retire["when"] == "manual" and "id_tokens" not in retire
    assert "environment" not in retire


def test_the_deregistration_reaches_an_eks_management_cluster_with_the_aws_cli(fleet_repo):
    fleet_repo.write("clusters/do-management/cluster.yaml",
                     EKS_MANAGEMENT.replace("argocd:\n  hostname: argocd.example.com\n", ""))
    fleet_repo.write("clusters/do-production/cluster.yaml", "role: worker\nlabels: [global]\n")
    base = fleet_repo.commit()
    fleet_repo.remove("clusters/do-production")
    fleet_repo.commit()
    [removed] = changed_clusters(fleet_repo.path, base).removed

    text = "\n".join(retirement_steps(removed))
    assert "aws eks update-kubeconfig --name do-management --region us-east-2" in text
    assert "doctl" not in text


AKS, GKE = "aks-production", "gke-staging"


@pytest.fixture
def four_cloud_change(fleet_repo):
    """A commit adding an AKS and a GKE worker (and an EKS one)."""
    base = fleet_repo.head()
    fleet_repo.write(f"clusters/{EKS}/cluster.yaml", EKS_WORKER)
    fleet_repo.write(f"clusters/{AKS}/cluster.yaml", AKS_WORKER)
    fleet_repo.write(f"clusters/{GKE}/cluster.yaml", GKE_WORKER)
    fleet_repo.commit()
    return changed_clusters(fleet_repo.path, base)


#: Workers per cloud of :func:`batched_four_cloud_change`, and its batch size: each
#: cloud's workers are three jobs (2, 2 and 1).
WORKERS_PER_CLOUD, SMALL_BATCH = 5, 2


@pytest.fixture
def batched_four_cloud_change(fleet_repo):
    """A library change affecting the management cluster and five workers in each of
    the four clouds (do-production and four more DigitalOcean ones)."""
    workers = {"do": FAKE_WORKER, "eks": EKS_WORKER, "aks": AKS_WORKER, "gke": GKE_WORKER}
    for prefix, text in workers.items():
        for i in range(1, WORKERS_PER_CLOUD + (prefix != "do")):
            fleet_repo.write(f"clusters/{prefix}-{i}/cluster.yaml", text)
    base = fleet_repo.commit()
    fleet_repo.write("constructs/fleetform/stacks.py", "STACK = 2\n")
    fleet_repo.commit()
    return changed_clusters(fleet_repo.path, base)


def test_each_clouds_jobs_get_that_clouds_id_token_only(four_cloud_change):
    # GIVEN a change adding one worker in each of AWS, Azure and Google Cloud
    # WHEN its pipeline is generated
    pipeline = jobs(generate(four_cloud_change, apply=True))
    # THEN each is a batch of its own, whose jobs get its cloud's ID token only
    tokens = {name: list(job.get("id_tokens", {})) for name, job in pipeline.items()
              if name.startswith(("plan:", "apply:"))}
    assert tokens == {
        f"plan:{EKS}": [AWS_ID_TOKEN], f"apply:{EKS}": [AWS_ID_TOKEN],
        f"plan:{AKS}": ["FLEETFORM_AZURE_ID_TOKEN"], f"apply:{AKS}": ["FLEETFORM_AZURE_ID_TOKEN"],
        f"plan:{GKE}": ["FLEETFORM_GCP_ID_TOKEN"], f"apply:{GKE}": ["FLEETFORM_GCP_ID_TOKEN"]}
    for name in tokens:
        assert batch_clusters(pipeline[name]) == [name.split(":", 1)[1]]
    aks = pipeline[f"plan:{AKS}"]
    assert aks["id_tokens"]["FLEETFORM_AZURE_ID_TOKEN"]["aud"] == "api://AzureADTokenExchange"
    assert aks["variables"]["ARM_USE_OIDC"] == "true"
    gke = pipeline[f"plan:{GKE}"]
    assert gke["id_tokens"]["FLEETFORM_GCP_ID_TOKEN"]["aud"] == \
        "https://iam.googleapis.com/$FLEETFORM_GCP_WORKLOAD_IDENTITY_PROVIDER"


def test_a_gke_job_writes_a_workload_identity_federation_config(four_cloud_change, tmp_path):
    """The GKE job's set-up lines, run by sh: the ID token in a file, and Application
    Default Credentials (an external_account config) pointing at it."""
    job = generate(four_cloud_change, apply=False)[f"plan:{GKE}"]
    setup = [line for line in job["script"] if line.startswith("printf")]
    # They run before Terraform does (the batch plan, the script's last lines).
    assert len(setup) == 2
    assert job["script"][-2:] == plan_commands([GKE], lock=False)
    assert job["script"][-4:-2] == setup
    (tmp_path / "builds").mkdir()
    env = {"PATH": os.environ["PATH"], "CI_BUILDS_DIR": str(tmp_path / "builds"),
           "CI_JOB_ID": "9", "FLEETFORM_GCP_ID_TOKEN": "eyJ.gitlab.token",
           "FLEETFORM_GCP_WORKLOAD_IDENTITY_PROVIDER":
               "projects/123/locations/global/workloadIdentityPools/gitlab/providers/gitlab",
           "FLEETFORM_GCP_SERVICE_ACCOUNT": "fleet@acme-staging.iam.gserviceaccount.com"}
    exports = "\n".join(f'export {k}="{v}"' for k, v in job["variables"].items()
                        if k.startswith(("GOOGLE_", "FLEETFORM_")))
    run = subprocess.run([SH, "-c", "\n".join([exports, *setup, 'cat "$GOOGLE_APPLICATION_'
                                                                 'CREDENTIALS"'])],
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    config = json.loads(run.stdout)
    token_file = tmp_path / "builds" / ".fleetform-gcp-9.jwt"
    assert config["type"] == "external_account"
    assert config["audience"] == ("//iam.googleapis.com/projects/123/locations/global/"
                                  "workloadIdentityPools/gitlab/providers/gitlab")
    assert config["credential_source"] == {"file": str(token_file)}
    assert config["service_account_impersonation_url"].endswith(
        "/serviceAccounts/fleet@acme-staging.iam.gserviceaccount.com:generateAccessToken")
    assert token_file.read_text() == "eyJ.gitlab.token"
    assert job["after_script"] == [
        'rm -f "$FLEETFORM_GCP_TOKEN_FILE" "$GOOGLE_APPLICATION_CREDENTIALS"']


def test_a_four_cloud_pipeline_is_valid_gitlab_ci(four_cloud_change, batched_four_cloud_change,
                                                 tmp_path):
    files = [tmp_path / "four.yml", tmp_path / "four-batched.yml"]
    files[0].write_text(render(four_cloud_change, apply=True))
    files[1].write_text(render(batched_four_cloud_change, apply=True, batch_size=SMALL_BATCH))
    proc = check_gitlab_schema(*files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("apply", [False, True])
def test_clusters_of_different_clouds_never_share_a_batch_job(batched_four_cloud_change,
                                                              apply):
    # GIVEN a change affecting the management cluster and five workers in each cloud
    change = batched_four_cloud_change
    cloud_of = {c.name: c.cloud for c in change.affected}
    assert sorted(set(cloud_of.values())) == sorted(["aws", "azure", "digitalocean", "gcp"])
    # WHEN its pipeline is generated with batches small enough for several per cloud
    pipeline = jobs(generate(change, apply=apply, batch_size=SMALL_BATCH))
    steps = [s for s in ("plan", "apply") if s == "plan" or apply]
    for step in steps:
        named = {n: j for n, j in pipeline.items() if n.startswith(f"{step}:")}
        # THEN every affected cluster is in exactly one of the step's jobs
        members = {n: batch_clusters(j) for n, j in named.items()}
        assert sorted(c for names in members.values() for c in names) == sorted(cloud_of)
        batched: dict[str, int] = {}
        for name, job in named.items():
            # AND a job's clusters are all of one cloud
            clouds = {cloud_of[c] for c in members[name]}
            assert len(clouds) == 1, (name, members[name])
            [cloud] = clouds
            if len(members[name]) > 1:
                batched[cloud] = batched.get(cloud, 0) + 1
                assert name.startswith(f"{step}:{cloud} ")
                assert job["environment"]["name"] == "fleet/batches"
            # AND only that cloud's ID token and variables reach it
            ci = CLOUDS[cloud].ci
            assert job.get("id_tokens", {}) == (
                {ci.id_token: {"aud": ci.audience}} if ci else {}), name
            others = {v for other in CLOUDS.values() if other.ci and other.ci is not ci
                      for v in (other.ci.id_token, *other.ci.variables,
                                *(r for r, _ in other.ci.required))}
            text = yaml.safe_dump(job)
            assert not [v for v in others if v in text], name
        # AND each cloud's workers made several batch jobs
        assert batched == {"aws": 2, "azure": 2, "digitalocean": 2, "gcp": 2}


def test_every_clouds_credentials_are_unset_where_repository_code_runs():
    for cloud in CLOUDS.values():
        for name in cloud.credentials:
            assert f" {name} " in UNSET_SECRETS, name


@pytest.mark.parametrize("cloud, text, says", [
    ("azure", "cloud: azure\nrole: worker\nregion: westeurope\nlabels: [global]\n",
     ["Azure credentials with Contributor", "node resource group (MC_...)"]),
    ("gcp", "cloud: gcp\nrole: worker\nregion: europe-west1\nlabels: [global]\n",
     ["Google credentials with the Kubernetes Engine Admin role", "deletion protection"]),
])
def test_a_removed_cluster_is_retired_with_its_clouds_steps(fleet_repo, cloud, text, says):
    fleet_repo.write("clusters/gone/cluster.yaml", text)
    base = fleet_repo.commit()
    fleet_repo.remove("clusters/gone")
    fleet_repo.commit()
    [removed] = changed_clusters(fleet_repo.path, base).removed
    assert removed.cloud == cloud

    steps = "\n".join(retirement_steps(removed))
    for phrase in says:
        assert phrase in steps
    assert "DIGITALOCEAN_TOKEN" not in steps
