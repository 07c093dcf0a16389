"""Secret hygiene: no secret from the environment reaches cdktf.out, a command's output or
a generated file, and every output or variable that carries a secret is sensitive.

Every secret input fleetform knows of is set to a sentinel value, then the real commands
run in a copy of the project: ``python main.py`` (synth) and every other command
registered in ``fleetform.commands.cli.COMMANDS`` (validate, preview, changed, pipeline, ...). A
command added to the CLI without a run here fails ``test_every_command_is_covered``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from conftest import CLEAN_ENV, CLUSTERS, MANIFESTS, ROOT, SCHEMAS

from fleetform.commands import cli

#: Every secret input, set to a value that must never be seen again.
SECRETS = {
    "DIGITALOCEAN_TOKEN": "dop_v1_sentinel0do0token0a1f5c",
    "DIGITALOCEAN_ACCESS_TOKEN": "dop_v1_sentinel0do0access0token0c277",
    "TF_VAR_argocd_auth_token": "sentinel-tfvar-argocd-auth-token-91ab",
    "ARGOCD_AUTH_TOKEN": "sentinel-argocd-auth-token-e3d0",
    "TF_VAR_argocd_admin_password": "sentinel-admin-password-4c8e",
    "TF_VAR_argocd_management_token": "sentinel-management-token-7d21",
    "TF_VAR_global_repo_token": "sentinel-global-repo-token-b6f1",
    "TF_HTTP_PASSWORD": "sentinel-tf-http-password-0d93",
    "CI_JOB_TOKEN": "sentinel-ci-job-token-2e7a",
}
#: What makes the secrets above take effect: GitLab state, a private repository.
SETTINGS = {
    "FLEETFORM_STATE": "gitlab",
    "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
    "CI_PROJECT_ID": "4242",
    "TF_HTTP_USERNAME": "gitlab-ci-token",
    "FLEETFORM_ARGOCD_SCHEMAS": str(SCHEMAS),
}
CREDENTIALS = {"username": "deploy", "password_variable": "global_repo_token"}

#: How each command runs in the project copy (argv after the Python interpreter).
RUNS = {
    "synth": ["main.py"],
    "validate": ["-m", "fleetform.commands.cli", "validate"],
    "preview": ["-m", "fleetform.commands.cli", "preview", "--diagram", "preview/fleet.svg"],
    "changed": ["-m", "fleetform.commands.cli", "changed", "--base", "HEAD~1"],
    "pipeline": ["-m", "fleetform.commands.cli", "pipeline", "--base", "HEAD~1",
                 "-o", "generated/pipeline.yml"],
    "diff": ["-m", "fleetform.commands.cli", "diff", "--base", "HEAD~1",
             "--markdown", "preview/diff.md", "--json", "preview/diff.json"],
    "move-state": ["-m", "fleetform.commands.cli", "move-state", "do-production", "do-prod",
                   "--state", "local", "-C", "states"],
}
#: Text in an output's value or a provider/secret attribute that means "a secret".
SECRET_REFERENCE = re.compile(r"kube_config|raw_config|token|password|jwt|random_password")
SECRET_NAME = re.compile(r"token|password|secret|credential|kubeconfig|jwt", re.I)


def forms(secret: str) -> set[str]:
    """The secret as it could leak: as is, base64 (Kubernetes Secret data), URL-quoted."""
    encoded = base64.b64encode(secret.encode()).decode()
    return {secret, encoded.rstrip("="), quote(secret, safe=""), json.dumps(secret)[1:-1]}


def leaks(text: str | bytes) -> list[str]:
    """The names of the secrets found in ``text``."""
    data = text.encode() if isinstance(text, str) else text
    return sorted(name for name, secret in SECRETS.items()
                  if any(form.encode() in data for form in forms(secret)))


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com",
                    "-c", "commit.gpgsign=false", *args],
                   cwd=project, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project copy in Git: base commit, then a commit that changes do-production.

    The management cluster's ``global`` repository is private (credentials from
    ``TF_VAR_global_repo_token``).
    """
    project = tmp_path_factory.mktemp("secrets")
    shutil.copy(ROOT / "main.py", project / "main.py")
    shutil.copytree(CLUSTERS, project / "clusters")
    shutil.copytree(MANIFESTS, project / "manifests")
    (project / "preview").mkdir()
    (project / "states").mkdir()
    (project / "states" / "terraform.do-production.tfstate").write_text('{"version": 4}\n')
    management = project / "clusters" / "do-management" / "cluster.yaml"
    doc = yaml.safe_load(management.read_text())
    doc["argocd"]["repositories"]["global"]["credentials"] = dict(CREDENTIALS)
    management.write_text(yaml.safe_dump(doc, sort_keys=False))
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    production = project / "clusters" / "do-production" / "cluster.yaml"
    production.write_text(production.read_text() + "ha: true\n")
    git(project, "commit", "-q", "-a", "-m", "production: HA control plane")
    return project


_RESULTS: dict[tuple[Path, str], subprocess.CompletedProcess] = {}


def run(project: Path, command: str) -> subprocess.CompletedProcess:
    """Run ``command`` once a module, with every secret in the environment."""
    if (project, command) not in _RESULTS:
        env = {**os.environ, **CLEAN_ENV, **SETTINGS, **SECRETS}
        _RESULTS[project, command] = subprocess.run([sys.executable, *RUNS[command]], cwd=project,
                                           env=env, capture_output=True, text=True,
                                           timeout=600)
    return _RESULTS[project, command]


def scan(directory: Path) -> dict[str, list[str]]:
    """``{file: [secrets found]}`` for every file under ``directory``."""
    found = {}
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink():
            names = leaks(path.read_bytes())
            if names:
                found[str(path.relative_to(directory))] = names
    return found


def stacks(project: Path) -> dict[str, dict]:
    root = project / "cdktf.out" / "stacks"
    return {p.name: json.loads((p / "cdk.tf.json").read_text()) for p in sorted(root.iterdir())}


# --- Every command ----------------------------------------------------------------------

def test_synth_is_a_registered_command():
    assert "synth" in cli.COMMANDS


def test_every_command_is_covered():
    """A new command needs a run in RUNS: it is then checked by the tests below."""
    assert set(cli.COMMANDS) <= set(RUNS), \
        f"no secret-hygiene run for {sorted(set(cli.COMMANDS) - set(RUNS))}: add it to RUNS"


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_no_secret_in_what_a_command_prints_or_writes(project, command):
    result = run(project, command)

    assert result.returncode == 0, f"{command}: {result.stderr[-2000:]}"
    assert leaks(result.stdout) == [], f"{command} printed a secret on stdout"
    assert leaks(result.stderr) == [], f"{command} printed a secret on stderr"
    assert scan(project) == {}, f"a secret was written to a file after {command}"


def test_generated_pipeline_reads_credentials_at_run_time(project):
    if "pipeline" not in cli.COMMANDS:
        pytest.fail("fleetform pipeline is not registered in cli.COMMANDS")
    assert run(project, "pipeline").returncode == 0
    pipeline = (project / "generated" / "pipeline.yml").read_text()

    assert leaks(pipeline) == []
    assert "$CI_JOB_TOKEN" in pipeline  # expanded by GitLab in the job, not here
    assert "plan:do-production" in pipeline


# --- A hostile merge request: links to the job's environment --------------------------------

#: Prints the file ``files/env`` of its chart, NUL bytes as spaces.
LEAKING_TEMPLATE = '{{ fail (.Files.Get "files/env" | replace "\\x00" " ") }}\n'
#: What each command does with the links below: exit code and the link it names.
HOSTILE_OUTCOME = {"validate": (1, "files/env"), "preview": (2, "files/env"),
                   "synth": (0, None), "changed": (0, None), "pipeline": (0, None)}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The project, plus a commit adding a chart that reads ``/proc/self/environ``
    through a link and a cluster's value file that is a link to it."""
    project = tmp_path_factory.mktemp("hostile")
    shutil.copy(ROOT / "main.py", project / "main.py")
    shutil.copytree(CLUSTERS, project / "clusters")
    shutil.copytree(MANIFESTS, project / "manifests")
    (project / "preview").mkdir()
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    chart = project / "manifests/global/apps/web/leak"
    (chart / "templates").mkdir(parents=True)
    (chart / "files").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: leak\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("")
    (chart / "templates" / "leak.yaml").write_text(LEAKING_TEMPLATE)
    (chart / "files" / "env").symlink_to("/proc/self/environ")
    values = project / "manifests/global/values/do-production/leak/values.yaml"
    values.parent.mkdir(parents=True)
    values.symlink_to("/proc/self/environ")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "a chart")
    return project


def test_hostile_project_is_a_real_threat(hostile):
    """Followed, the link does hold the secrets (so the test below can fail)."""
    env = {**os.environ, **SECRETS}
    read = subprocess.run([sys.executable, "-c",
                           "print(open('manifests/global/apps/web/leak/files/env').read())"],
                          cwd=hostile, env=env, capture_output=True, text=True, timeout=60)
    assert "DIGITALOCEAN_TOKEN" in leaks(read.stdout)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_no_secret_leaks_through_links_to_the_environment(hostile, command):
    result = run(hostile, command)

    assert leaks(result.stdout) == [], f"{command} printed a secret on stdout"
    assert leaks(result.stderr) == [], f"{command} printed a secret on stderr"
    assert scan(hostile) == {}, f"a secret was written to a file after {command}"
    code, named = HOSTILE_OUTCOME.get(command, (None, None))
    if code is not None:
        assert result.returncode == code, f"{command}: {result.stderr[-2000:]}"
    if named:
        assert f"{named}: symbolic link to /proc/self/environ, outside the repository" in \
            result.stdout + result.stderr
    assert "Traceback" not in result.stderr


# --- The synthesized stacks ------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthesized(project) -> dict[str, dict]:
    result = run(project, "synth")
    assert result.returncode == 0, result.stderr[-2000:]
    return stacks(project)


def test_cdktf_out_holds_no_secret(project, synthesized):
    assert sorted(synthesized) == ["do-management", "do-production"]
    assert scan(project / "cdktf.out") == {}


def test_state_backend_credentials_are_not_synthesized(synthesized):
    for name, stack in synthesized.items():
        backend = stack["terraform"]["backend"]
        assert list(backend) == ["http"], name
        assert not {"username", "password"} & set(backend["http"]), name
        assert backend["http"]["address"] == \
            f"https://gitlab.example.com/api/v4/projects/4242/terraform/state/{name}"


def sensitive_outputs_problems(stack: dict) -> list[str]:
    problems = []
    for name, output in stack.get("output", {}).items():
        carries = SECRET_REFERENCE.search(json.dumps(output["value"])) or SECRET_NAME.search(name)
        if carries and output.get("sensitive") is not True:
            problems.append(f"output {name} is not sensitive: {output['value']}")
    return problems


def _references(value) -> set[str]:
    return set(re.findall(r"\bvar\.([A-Za-z0-9_-]+)", json.dumps(value)))


def secret_variables(stack: dict) -> set[str]:
    """Variables that carry a secret: by name, by TF_VAR_ secret, or by where they are used."""
    variables = set(stack.get("variable", {}))
    carrying = {v for v in variables if SECRET_NAME.search(v)}
    carrying |= {k[len("TF_VAR_"):] for k in SECRETS if k.startswith("TF_VAR_")} & variables
    for providers in stack.get("provider", {}).values():
        for provider in providers:
            for key, value in provider.items():
                if SECRET_NAME.search(key) or key in ("kubernetes",):
                    carrying |= _references(value)
    for secret in stack.get("resource", {}).get("kubernetes_secret_v1", {}).values():
        carrying |= _references(secret.get("data"))
    for release in stack.get("resource", {}).get("helm_release", {}).values():
        carrying |= _references(release.get("set_sensitive"))
    return carrying


def test_outputs_and_variables_carrying_secrets_are_sensitive(synthesized):
    management, worker = synthesized["do-management"], synthesized["do-production"]

    assert {"kubeconfig", "admin_password", "automation_user_token"} <= set(management["output"])
    assert "kubeconfig" in worker["output"]
    assert {"argocd_admin_password", "global_repo_token"} <= secret_variables(management)
    assert "argocd_auth_token" in secret_variables(worker)
    for name, stack in synthesized.items():
        assert sensitive_outputs_problems(stack) == [], name
        for variable in secret_variables(stack):
            assert stack["variable"][variable].get("sensitive") is True, (name, variable)


def test_repository_password_comes_from_the_sensitive_variable(synthesized):
    management = synthesized["do-management"]
    secrets = management["resource"]["kubernetes_secret_v1"].values()
    repository = [s for s in secrets
                  if s["metadata"]["labels"].get("argocd.argoproj.io/secret-type") == "repository"]

    assert [s["data"]["password"] for s in repository] == ["${var.global_repo_token}"]
    assert [s["data"]["username"] for s in repository] == ["deploy"]


def test_admin_disabled_uses_a_sensitive_management_token(fleet_dir, tmp_path, monkeypatch):
    """The other provider configuration (admin off): synthesized in process, same checks."""
    from conftest import synth_stacks

    management = fleet_dir / "do-management" / "cluster.yaml"
    doc = yaml.safe_load(management.read_text())
    doc["argocd"]["admin_enabled"] = False
    doc["argocd"]["repositories"]["global"]["credentials"] = dict(CREDENTIALS)
    management.write_text(yaml.safe_dump(doc))
    for key, value in {**SETTINGS, **SECRETS}.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "cdktf.out"

    result = synth_stacks(fleet_dir, out, env={**CLEAN_ENV, **SETTINGS, **SECRETS})

    assert scan(out) == {}
    stack = result["do-management"]
    (argocd,) = stack["provider"]["argocd"]
    assert argocd["auth_token"] == "${var.argocd_management_token}"
    assert "password" not in argocd
    assert "argocd_management_token" in secret_variables(stack)
    for name, stack in result.items():
        assert sensitive_outputs_problems(stack) == [], name
        for variable in secret_variables(stack):
            assert stack["variable"][variable].get("sensitive") is True, (name, variable)
