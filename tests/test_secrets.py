"""Secret hygiene: no secret from the environment reaches cdktf.out, a command's output, a
file it writes anywhere, or a request body it sends; every output or variable that carries
a secret is sensitive.

Every secret input fleetform knows of is set to a sentinel value, then the real commands
run in a copy of the project, each command in every mode that reads a credential:
``python main.py`` (synth), validate, preview, and ``changed``, ``pipeline``, ``diff``
and ``move-state`` both locally and as their CI jobs run them, against a loopback GitLab
(``support/fake_gitlab.py``) that accepts the sentinel tokens. Each run gets its own
``HOME`` and ``TMPDIR``; after it, the project (Git's objects included, decompressed),
its home and temporary directories and every request the GitLab received (bodies and
headers other than the credential's own) are scanned for any form of any secret, and
each CI run must have sent its credential (so the code that sends it ran). A command
added to the CLI without a run here fails ``test_every_command_is_covered``.
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
from typing import Iterator
from urllib.parse import quote

import pytest
import yaml
from support.fleets import CLEAN_ENV, CLUSTERS, MANIFESTS, ROOT, SCHEMAS

from fleetform.commands import cli
from fleetform.fleet.provider_lock import HEADER
from support.fake_gitlab import FakeGitLab

sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))
from harness import write_packaged_mirror  # noqa: E402

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
    "FLEETFORM_GITLAB_TOKEN": "glpat-sentinel-gitlab-token-5a0e",
    "FLEETFORM_MR_NOTE_TOKEN": "glpat-sentinel-mr-note-token-99c1",
}
#: The headers that carry a credential to GitLab, and the one that may carry each secret.
CREDENTIAL_HEADERS = {"PRIVATE-TOKEN": ("FLEETFORM_GITLAB_TOKEN", "FLEETFORM_MR_NOTE_TOKEN"),
                      "JOB-TOKEN": ("CI_JOB_TOKEN",), "Authorization": ("TF_HTTP_PASSWORD",)}
#: What makes the secrets above take effect: GitLab state, a private repository.
SETTINGS = {
    "FLEETFORM_STATE": "gitlab",
    "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
    "CI_PROJECT_ID": "4242",
    "TF_HTTP_USERNAME": "gitlab-ci-token",
    "FLEETFORM_ARGOCD_SCHEMAS": str(SCHEMAS),
}
CREDENTIALS = {"username": "deploy", "password_variable": "global_repo_token"}

#: How each command runs in the project copy: argv after the Python interpreter, and the
#: environment of its mode (``GITLAB`` stands for the loopback GitLab's API URL, ``BASE``
#: for the base commit, ``None`` removes a variable).
RUNS: dict[str, tuple[list[str], dict[str, str | None]]] = {
    "synth": (["main.py"], {}),
    "validate": (["-m", "fleetform.commands.cli", "validate"], {}),
    "preview": (["-m", "fleetform.commands.cli", "preview", "--diagram", "preview/fleet.svg"],
                {}),
    "changed": (["-m", "fleetform.commands.cli", "changed", "--base", "HEAD~1"], {}),
    "changed --ci": (["-m", "fleetform.commands.cli", "changed", "--ci"],
                     {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main",
                      "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_BEFORE_SHA": "BASE",
                      "CI_API_V4_URL": "GITLAB"}),
    "pipeline": (["-m", "fleetform.commands.cli", "pipeline", "--base", "HEAD~1",
                  "-o", "generated/pipeline.yml"], {}),
    "pipeline --ci": (["-m", "fleetform.commands.cli", "pipeline", "--ci", "--apply",
                       "-o", "generated/pipeline-ci.yml"],
                      {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main",
                       "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_BEFORE_SHA": "BASE",
                       "CI_API_V4_URL": "GITLAB", "FLEETFORM_GITLAB_TOKEN": None}),
    "diff": (["-m", "fleetform.commands.cli", "diff", "--base", "HEAD~1",
              "--markdown", "preview/diff.md", "--json", "preview/diff.json"], {}),
    "diff --ci": (["-m", "fleetform.commands.cli", "diff", "--ci", "--gate",
                   "--markdown", "preview/diff-ci.md"],
                  {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "7",
                   "CI_MERGE_REQUEST_DIFF_BASE_SHA": "BASE", "CI_DEFAULT_BRANCH": "main",
                   "CI_API_V4_URL": "GITLAB"}),
    "lock": (["-m", "fleetform.commands.cli", "lock", "--fs-mirror", "mirror", "--platform",
              "linux_amd64", "--lock-file", "generated/lock.hcl"], {}),
    "batch": (["-m", "fleetform.commands.cli", "batch", "plan", "--stacks-dir", "batch-stacks",
               "--jobs", "2", "do-production", "do-staging"], {}),
    # The reports of what batch plan leaves (or, run first, of stacks not planned yet).
    "plans": (["-m", "fleetform.commands.cli", "plans", "--stacks-dir", "batch-stacks",
               "--markdown", "preview/plans.md", "--json", "preview/plans.json"], {}),
    # (a directory of no stacks: its exit status must not depend on whether batch ran
    # first; it still asks GitLab for the drift issue, with the token)
    "drift": (["-m", "fleetform.commands.cli", "drift", "--issue", "--stacks-dir",
               "clusters", "--markdown", "preview/drift.md"],
              {"CI_API_V4_URL": "GITLAB", "CI_PROJECT_ID": "4242"}),
    # A dry run: the other runs see the project unchanged.
    "new": (["-m", "fleetform.commands.cli", "new", "cluster", "do-extra", "--like",
             "do-production", "--dry-run"], {}),
    "move-state": (["-m", "fleetform.commands.cli", "move-state", "do-production", "do-prod",
                    "--state", "local", "-C", "states"], {}),
    "move-state --state gitlab": (["-m", "fleetform.commands.cli", "move-state",
                                   "do-production", "do-prod", "--state", "gitlab"],
                                  {"FLEETFORM_GITLAB_API_URL": "GITLAB",
                                   "FLEETFORM_GITLAB_PROJECT_ID": "4242"}),
}
#: The credential each CI run must have sent (header, secret), proving it ran that code.
SENT = {"changed --ci": ("PRIVATE-TOKEN", "FLEETFORM_GITLAB_TOKEN"),
        "pipeline --ci": ("JOB-TOKEN", "CI_JOB_TOKEN"),
        "diff --ci": ("PRIVATE-TOKEN", "FLEETFORM_MR_NOTE_TOKEN"),
        "move-state --state gitlab": ("Authorization", "TF_HTTP_PASSWORD")}
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


def git(project: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com",
                           "-c", "commit.gpgsign=false", *args],
                          cwd=project, check=True, capture_output=True, timeout=60).stdout


#: The loopback GitLab of each project, accepting the sentinel credentials.
_GITLABS: dict[Path, FakeGitLab] = {}


def serve_gitlab(project: Path) -> FakeGitLab:
    """Start the project's GitLab, holding do-production's state (for move-state)."""
    gitlab = FakeGitLab(project=SETTINGS["CI_PROJECT_ID"], user=SETTINGS["TF_HTTP_USERNAME"],
                        token=SECRETS["TF_HTTP_PASSWORD"],
                        api_tokens=(SECRETS["CI_JOB_TOKEN"], SECRETS["FLEETFORM_GITLAB_TOKEN"],
                                    SECRETS["FLEETFORM_MR_NOTE_TOKEN"]))
    gitlab.__enter__()
    gitlab.states["do-production"] = b'{"version": 4, "serial": 1, "lineage": "l"}'
    _GITLABS[project] = gitlab
    return gitlab


def terraform_inputs(project: Path) -> None:
    """What ``lock`` and ``batch`` read: packaged stand-in providers (``mirror/``), and
    two stacks Terraform plans offline (``batch-stacks/``), one reading a secret."""
    write_packaged_mirror(project, ("linux_amd64",)).rename(project / "mirror")
    for name in ("do-production", "do-staging"):
        stack = project / "batch-stacks" / name
        stack.mkdir(parents=True)
        (stack / "cdk.tf.json").write_text(json.dumps(
            {"variable": {"argocd_auth_token": {"type": "string", "sensitive": True}},
             "output": {"cluster": {"value": name},
                        "token": {"value": "${var.argocd_auth_token}", "sensitive": True}}}))
        (stack / ".terraform.lock.hcl").write_text(HEADER)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Iterator[Path]:
    """A project copy in Git: base commit, then a commit that changes do-production.

    The management cluster's ``global`` repository is private (credentials from
    ``TF_VAR_global_repo_token``).
    """
    project = tmp_path_factory.mktemp("secrets")
    shutil.copy(ROOT / "main.py", project / "main.py")
    shutil.copy(ROOT / ".terraform.lock.hcl", project / ".terraform.lock.hcl")
    shutil.copytree(CLUSTERS, project / "clusters")
    shutil.copytree(MANIFESTS, project / "manifests")
    (project / "preview").mkdir()
    (project / "states").mkdir()
    terraform_inputs(project)
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
    gitlab = serve_gitlab(project)
    yield project
    gitlab.__exit__(None, None, None)


_RESULTS: dict[tuple[Path, str], subprocess.CompletedProcess] = {}


def private_dirs(project: Path, command: str) -> tuple[Path, Path]:
    """The ``HOME`` and ``TMPDIR`` of one run."""
    slug = re.sub(r"[^a-z]+", "-", command)
    return project.parent / f"{project.name}-home-{slug}", \
        project.parent / f"{project.name}-tmp-{slug}"


def run(project: Path, command: str) -> subprocess.CompletedProcess:
    """Run ``command`` once a module, with every secret in the environment."""
    if (project, command) not in _RESULTS:
        argv, mode = RUNS[command]
        home, tmp = private_dirs(project, command)
        home.mkdir()
        tmp.mkdir()
        env = {**os.environ, **CLEAN_ENV, **SETTINGS, **SECRETS, "HOME": str(home),
               "TMPDIR": str(tmp)}
        base = git(project, "rev-parse", "HEAD~1").decode().strip()
        for key, value in mode.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = {"GITLAB": _GITLABS[project].api_url, "BASE": base}.get(value, value)
        _RESULTS[project, command] = subprocess.run([sys.executable, *argv], cwd=project,
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


def scan_everywhere(project: Path, command: str) -> dict[str, list[str]]:
    """:func:`scan` of the project, the run's home and temporary directories, Git's
    objects (compressed on disk: read through git) and what the GitLab received."""
    found = scan(project)
    for directory in private_dirs(project, command):
        found.update({f"{directory.name}/{k}": v for k, v in scan(directory).items()})
    objects = git(project, "cat-file", "--batch-all-objects", "--batch")
    if leaks(objects):
        found["git objects"] = leaks(objects)
    credentials = {h.lower(): allowed for h, allowed in CREDENTIAL_HEADERS.items()}
    for method, path, headers, body in _GITLABS[project].requests:
        headers = {k.lower(): v for k, v in headers.items()}
        others = {k: v for k, v in headers.items() if k not in credentials}
        names = leaks(body) + leaks(path) + leaks(json.dumps(others))
        for header, allowed in credentials.items():
            names += [n for n in leaks(headers.get(header, "")) if n not in allowed]
        if names:
            found[f"GitLab request {method} {path}"] = sorted(set(names))
    return found


def sent(project: Path, header: str, secret: str) -> bool:
    """Whether the project's GitLab received ``secret`` as the credential ``header``."""
    value = SECRETS[secret]
    if header == "Authorization":
        value = "Basic " + base64.b64encode(
            f"{SETTINGS['TF_HTTP_USERNAME']}:{value}".encode()).decode()
    return any({k.lower(): v for k, v in h.items()}.get(header.lower()) == value
               for _, _, h, _ in _GITLABS[project].requests)


def stacks(project: Path) -> dict[str, dict]:
    root = project / "cdktf.out" / "stacks"
    return {p.name: json.loads((p / "cdk.tf.json").read_text()) for p in sorted(root.iterdir())}


# --- Every command ----------------------------------------------------------------------

def test_synth_is_a_registered_command():
    assert "synth" in cli.COMMANDS


def test_every_command_is_covered():
    """A new command needs a run in RUNS: it is then checked by the tests below."""
    covered = {key.split()[0] for key in RUNS}
    assert set(cli.COMMANDS) <= covered, \
        f"no secret-hygiene run for {sorted(set(cli.COMMANDS) - covered)}: add it to RUNS"


@pytest.mark.parametrize("command", list(RUNS))
def test_no_secret_in_what_a_command_prints_writes_or_sends(project, command):
    result = run(project, command)

    assert result.returncode == 0, f"{command}: {result.stderr[-2000:]}"
    assert leaks(result.stdout) == [], f"{command} printed a secret on stdout"
    assert leaks(result.stderr) == [], f"{command} printed a secret on stderr"
    assert scan_everywhere(project, command) == {}, f"a secret leaked after {command}"
    if command in SENT:
        assert sent(project, *SENT[command]), f"{command} did not send {SENT[command][1]}"


def test_the_scan_would_see_a_secret_in_each_place_it_looks(project):
    """Each place scan_everywhere looks is really looked at (so the test above can fail)."""
    home, tmp = private_dirs(project, "probe")
    for directory in (home, tmp):
        directory.mkdir(exist_ok=True)
        (directory / "x").write_text(SECRETS["CI_JOB_TOKEN"])
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=project, check=True,
                          input=SECRETS["TF_HTTP_PASSWORD"].encode(), capture_output=True,
                          timeout=60).stdout.decode().strip()
    gitlab = _GITLABS[project]
    gitlab.requests.append(("POST", "/probe", {"PRIVATE-TOKEN": SECRETS["CI_JOB_TOKEN"]},
                            SECRETS["FLEETFORM_MR_NOTE_TOKEN"].encode()))
    try:
        found = scan_everywhere(project, "probe")
    finally:
        gitlab.requests.pop()
        for directory in (home, tmp):
            (directory / "x").unlink()
        (project / ".git" / "objects" / blob[:2] / blob[2:]).unlink()

    assert found == {f"{home.name}/x": ["CI_JOB_TOKEN"], f"{tmp.name}/x": ["CI_JOB_TOKEN"],
                     "git objects": ["TF_HTTP_PASSWORD"],
                     "GitLab request POST /probe": ["CI_JOB_TOKEN", "FLEETFORM_MR_NOTE_TOKEN"]}


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
#: What each run does with the links below: its exit code and what it says of them.
#: validate reports the links, preview stops at them, diff refuses to extract the commit
#: that adds them; the others do not read charts or values.
REFUSED = "symbolic link to /proc/self/environ, outside the repository"
UNEXTRACTED = "'manifests/global/apps/web/leak/files/env' is a link to an absolute path"
HOSTILE_OUTCOME = {"validate": (1, f"files/env: {REFUSED}"),
                   "preview": (2, f"files/env: {REFUSED}"),
                   "synth": (0, None), "changed": (0, None), "changed --ci": (0, None),
                   "pipeline": (0, None), "pipeline --ci": (0, None),
                   "diff": (2, UNEXTRACTED), "diff --ci": (2, UNEXTRACTED),
                   "move-state": (0, None), "move-state --state gitlab": (0, None),
                   "lock": (0, None), "batch": (0, None), "new": (0, None),
                   "plans": (0, None), "drift": (0, None)}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Iterator[Path]:
    """The project, plus a commit adding a chart that reads ``/proc/self/environ``
    through a link and a cluster's value file that is a link to it."""
    project = tmp_path_factory.mktemp("hostile")
    shutil.copy(ROOT / "main.py", project / "main.py")
    shutil.copy(ROOT / ".terraform.lock.hcl", project / ".terraform.lock.hcl")
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
    (project / "states").mkdir()
    (project / "states" / "terraform.do-production.tfstate").write_text('{"version": 4}\n')
    terraform_inputs(project)
    gitlab = serve_gitlab(project)
    yield project
    gitlab.__exit__(None, None, None)


def test_hostile_project_is_a_real_threat(hostile):
    """Followed, the link does hold the secrets (so the test below can fail)."""
    env = {**os.environ, **SECRETS}
    read = subprocess.run([sys.executable, "-c",
                           "print(open('manifests/global/apps/web/leak/files/env').read())"],
                          cwd=hostile, env=env, capture_output=True, text=True, timeout=60)
    assert "DIGITALOCEAN_TOKEN" in leaks(read.stdout)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("command", list(RUNS))
def test_no_secret_leaks_through_links_to_the_environment(hostile, command):
    result = run(hostile, command)

    assert leaks(result.stdout) == [], f"{command} printed a secret on stdout"
    assert leaks(result.stderr) == [], f"{command} printed a secret on stderr"
    assert scan_everywhere(hostile, command) == {}, f"a secret leaked after {command}"
    code, named = HOSTILE_OUTCOME[command]
    assert result.returncode == code, f"{command}: {result.stderr[-2000:]}"
    if named:
        assert named in result.stdout + result.stderr, result.stdout + result.stderr
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
    from support.fleets import synth_stacks

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
