"""The pipeline of a fleet in several clouds: each cluster's jobs get its own cloud's
credentials, AWS ones short-lived through a GitLab ID token, and its retirement its
own cloud's steps."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT
from fleetform.commands.gitdiff import changed_clusters
from fleetform.commands.pipeline import UNSET_SECRETS, generate, render, retirement_steps
from fleetform.fleet.clouds.aws import CI as AWS_CI
from test_pipeline import check_gitlab_schema, jobs

AWS_ID_TOKEN = AWS_CI.id_token
AWS_ROLE_VARIABLE = "FLEETFORM_AWS_ROLE_ARN"
EKS = "eks-production"
SH = shutil.which("sh")
EKS_WORKER = "cloud: aws\nrole: worker\nregion: eu-west-1\nlabels: [global]\n"
EKS_MANAGEMENT = ("cloud: aws\nrole: management\nregion: us-east-2\n"
                  "argocd:\n  hostname: argocd.example.com\n")


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
    pipeline = jobs(generate(eks_change, apply=apply))
    with_token = sorted(name for name, job in pipeline.items() if "id_tokens" in job)
    assert with_token == sorted([f"plan:{EKS}"] + ([f"apply:{EKS}"] if apply else []))
    for name in with_token:
        job = pipeline[name]
        assert job["id_tokens"] == {AWS_ID_TOKEN: {"aud": "$CI_SERVER_URL"}}
        variables = job["variables"]
        assert variables["AWS_ROLE_ARN"] == f"${AWS_ROLE_VARIABLE}"
        # The token file is outside the project directory: never in an artifact.
        assert variables["AWS_WEB_IDENTITY_TOKEN_FILE"].startswith("${CI_BUILDS_DIR}/")
        assert variables["TF_HTTP_PASSWORD"] == "$CI_JOB_TOKEN"
        assert job["after_script"] == ['rm -f "$AWS_WEB_IDENTITY_TOKEN_FILE"']
        # No stored AWS key anywhere in the job.
        assert "AWS_ACCESS_KEY_ID" not in yaml.safe_dump(job)


def test_an_aws_job_writes_the_token_then_runs_terraform(eks_change, tmp_path):
    """The job's first lines, run by sh as GitLab would: they write the ID token where the
    AWS SDKs read it, and stop with a clear message without a role or the AWS CLI."""
    job = generate(eks_change, apply=True)[f"plan:{EKS}"]
    check, cli, write, *rest = job["script"]
    assert rest[0] == f"cd cdktf.out/stacks/{EKS}" and rest[1] == "terraform init"
    token_file = tmp_path / "builds" / ".fleetform-aws-7.jwt"
    token_file.parent.mkdir()
    env = {"PATH": os.environ["PATH"], "CI_BUILDS_DIR": str(tmp_path / "builds"),
           "CI_JOB_ID": "7", "CI_PROJECT_ID": "42", AWS_ID_TOKEN: "eyJ.header.sig"}
    shell = "\n".join(f'export {k}="{v}"' for k, v in job["variables"].items()
                      if k.startswith("AWS_"))

    missing_role = subprocess.run([SH, "-c", f"{shell}\n{check}"], env=env,
                                  capture_output=True, text=True)
    assert missing_role.returncode == 1
    assert f"set the CI/CD variable {AWS_ROLE_VARIABLE} (environment fleet/{EKS}): the IAM " \
        "role this cluster's jobs assume" in missing_role.stderr

    env[AWS_ROLE_VARIABLE] = "arn:aws:iam::111122223333:role/fleet-eks-production"
    written = subprocess.run([SH, "-c", f"{shell}\n{check}\n{write}\necho $AWS_ROLE_ARN"],
                             env=env, capture_output=True, text=True)
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == env[AWS_ROLE_VARIABLE]
    assert token_file.read_text() == "eyJ.header.sig"

    no_cli = subprocess.run([SH, "-c", cli], env={"PATH": str(tmp_path)},
                            capture_output=True, text=True)
    assert no_cli.returncode == 1 and "needs the AWS CLI v2" in no_cli.stderr


def test_jobs_that_run_repository_code_unset_every_clouds_credentials(eks_change):
    for name in ("DIGITALOCEAN_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "TF_HTTP_PASSWORD"):
        assert f" {name} " in UNSET_SECRETS
    synth = generate(eks_change, apply=True)[f"synth:{EKS}"]
    assert synth["script"][0] == UNSET_SECRETS and "id_tokens" not in synth
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
    [removed] = changed_clusters(fleet_repo.path, base).removed
    assert (removed.cloud, removed.region) == ("aws", "eu-west-1")

    text = "\n".join(retirement_steps(removed))
    assert "AWS credentials with the cluster's admin rights" in text
    assert "DIGITALOCEAN_TOKEN" not in text
    assert "Service of type LoadBalancer" in text


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
    fleet_repo.write(f"clusters/{AKS}/cluster.yaml",
                     "cloud: azure\nrole: worker\nregion: westeurope\nlabels: [global]\n")
    fleet_repo.write(f"clusters/{GKE}/cluster.yaml",
                     "cloud: gcp\nrole: worker\nregion: europe-west1\nlabels: [global]\n")
    fleet_repo.commit()
    return changed_clusters(fleet_repo.path, base)


def test_each_clouds_jobs_get_that_clouds_id_token_only(four_cloud_change):
    pipeline = jobs(generate(four_cloud_change, apply=True))
    tokens = {name: list(job.get("id_tokens", {})) for name, job in pipeline.items()
              if name.startswith(("plan:", "apply:"))}
    assert tokens == {
        f"plan:{EKS}": [AWS_ID_TOKEN], f"apply:{EKS}": [AWS_ID_TOKEN],
        f"plan:{AKS}": ["FLEETFORM_AZURE_ID_TOKEN"], f"apply:{AKS}": ["FLEETFORM_AZURE_ID_TOKEN"],
        f"plan:{GKE}": ["FLEETFORM_GCP_ID_TOKEN"], f"apply:{GKE}": ["FLEETFORM_GCP_ID_TOKEN"]}
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


def test_a_four_cloud_pipeline_is_valid_gitlab_ci(four_cloud_change, tmp_path):
    file = tmp_path / "four.yml"
    file.write_text(render(four_cloud_change, apply=True))
    proc = check_gitlab_schema(file)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_clouds_credentials_are_unset_where_repository_code_runs():
    from fleetform.fleet.clouds import CLOUDS
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
