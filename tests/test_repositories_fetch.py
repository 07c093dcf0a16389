"""Repositories not in the checkout: validate and preview clone them with git.

The README's "Adding a cluster" example points its `staging` label at
https://gitlab.com/acme/staging-apps.git. Tests never reach the network: a bare
repository in a temporary directory stands in for the server, through git's own
``url.<base>.insteadOf`` (set in the environment, as a user's mirror would be).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.git_repo import GitRepo
from support.fleets import add_repositories, readme_cluster_example, write_cluster

from fleetform.commands.cli import main
from fleetform.fleet.cluster_yaml import Repository, RepositoryCredentials
from fleetform.errors import ConfigError
from fleetform.fleet.repository_fetch import RepositoryFetcher

STAGING_URL = "https://gitlab.com/acme/staging-apps.git"
CHART = "apiVersion: v2\nname: hello\nversion: 0.1.0\n"
CONFIGMAP = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n"
             "data:\n  greeting: {{ .Values.greeting | quote }}\n")


def _server(tmp_path: Path, monkeypatch) -> Path:
    """``https://gitlab.com/acme/<repo>`` is served from ``<returned dir>/<repo>``."""
    server = tmp_path / "server"
    server.mkdir(exist_ok=True)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.{server.as_uri()}/.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "https://gitlab.com/acme/")
    return server


def _publish(work: GitRepo, server: Path, name: str) -> None:
    """Push ``work`` (all branches and tags) to a bare ``server/name``."""
    bare = server / name
    if not bare.exists():
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True, timeout=60)
    work.git("push", "-q", "--mirror", str(bare))


def _staging_apps(tmp_path: Path, greeting: str = "hello") -> GitRepo:
    work = GitRepo(tmp_path / "staging-apps")
    work.write("apps/web/hello/Chart.yaml", CHART)
    work.write("apps/web/hello/values.yaml", f"greeting: {greeting}\n")
    work.write("apps/web/hello/templates/configmap.yaml", CONFIGMAP)
    work.write("values/do-staging/hello/values.yaml", "greeting: staging\n")
    work.commit("hello")
    return work


@pytest.fixture
def readme_fleet(project_copy) -> Path:
    """The README's example added to a fleet: do-staging and its staging repository."""
    cluster_yaml, repositories = readme_cluster_example()
    (project_copy / "clusters" / "do-staging").mkdir()
    (project_copy / "clusters" / "do-staging" / "cluster.yaml").write_text(cluster_yaml)
    add_repositories(project_copy / "clusters" / "do-management" / "cluster.yaml", repositories)
    assert repositories["staging"]["url"] == STAGING_URL
    return project_copy


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_readme_example_validates_when_its_repository_is_reachable(
        readme_fleet, tmp_path, monkeypatch, capsys):
    server = _server(tmp_path, monkeypatch)
    _publish(_staging_apps(tmp_path), server, "staging-apps.git")
    monkeypatch.setenv("TF_VAR_staging_repo_token", "s3cr3t-token")

    code, out, err = _run(capsys, "validate", "--clusters-dir", str(readme_fleet / "clusters"))

    assert code == 0, out + err
    assert f"(cloned from {STAGING_URL} at main)" in out
    assert "validate: OK: 0 error(s)" in out
    assert "s3cr3t-token" not in out + err


def test_the_readme_example_fails_with_one_line_when_unreachable(
        readme_fleet, tmp_path, monkeypatch, capsys):
    _server(tmp_path, monkeypatch)  # nothing published there

    code, out, err = _run(capsys, "validate", "--clusters-dir", str(readme_fleet / "clusters"))

    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, out
    management = readme_fleet / "clusters" / "do-management" / "cluster.yaml"
    assert errors[0].startswith(
        f"error: {management}: argocd.repositories.staging: cannot fetch {STAGING_URL} at main (")
    assert ("): check the network and the credentials (TF_VAR_staging_repo_token is not set), "
            "or pass --repo staging=DIR with DIR a checkout of it") in errors[0]
    assert "does not appear to be a git repository" in errors[0]  # git's reason


def test_preview_shows_the_fetched_repositorys_apps(readme_fleet, tmp_path, monkeypatch, capsys):
    server = _server(tmp_path, monkeypatch)
    _publish(_staging_apps(tmp_path), server, "staging-apps.git")

    code, out, err = _run(capsys, "preview", "--format", "json",
                          "--clusters-dir", str(readme_fleet / "clusters"), "--app", "hello")

    assert code == 0, err
    import json
    apps = json.loads(out)["applications"]
    assert [(a["cluster"], a["label"], a["application"]) for a in apps] == [
        ("do-staging", "staging", "do-staging-hello")]
    assert apps[0]["cluster_values"] == {"greeting": "staging"}


def test_preview_fails_with_one_line_when_unreachable(readme_fleet, tmp_path, monkeypatch,
                                                      capsys):
    _server(tmp_path, monkeypatch)

    code, out, err = _run(capsys, "preview", "--clusters-dir", str(readme_fleet / "clusters"))

    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert f"cannot fetch {STAGING_URL} at main" in err and "--repo staging=DIR" in err


def test_no_fetch_leaves_the_repository_missing(readme_fleet, tmp_path, monkeypatch, capsys):
    server = _server(tmp_path, monkeypatch)
    _publish(_staging_apps(tmp_path), server, "staging-apps.git")

    code, out, _ = _run(capsys, "validate", "--no-fetch",
                        "--clusters-dir", str(readme_fleet / "clusters"))

    assert code == 1
    assert ("argocd.repositories.staging: repository https://gitlab.com/acme/staging-apps.git "
            "is not in this checkout and fetching is off (--no-fetch): pass --repo staging=DIR"
            in out)


def _repo(revision: str = "main", path: str = "", credentials=None) -> Repository:
    return Repository(url=STAGING_URL, revision=revision, path=path, credentials=credentials)


@pytest.fixture
def published(tmp_path, monkeypatch) -> GitRepo:
    """staging-apps with main (greeting "v2"), a tag v1 and a branch old ("v1")."""
    server = _server(tmp_path, monkeypatch)
    work = _staging_apps(tmp_path, greeting="v1")
    work.git("tag", "v1")
    work.git("branch", "old")
    work.write("apps/web/hello/values.yaml", "greeting: v2\n")
    work.commit("v2")
    _publish(work, server, "staging-apps.git")
    return work


@pytest.mark.parametrize("revision, greeting", [
    ("main", "v2"), ("HEAD", "v2"), ("v1", "v1"), ("old", "v1"), ("first-commit", "v1")])
def test_the_configured_revision_is_what_is_checked_out(published, revision, greeting):
    if revision == "first-commit":
        revision = published.git("rev-parse", "v1")
    with RepositoryFetcher() as fetcher:
        checkout = fetcher.fetch("staging", _repo(revision), file=Path("m.yaml"), field="f")

        assert (checkout / "apps/web/hello/values.yaml").read_text() == f"greeting: {greeting}\n"
        depth = subprocess.run(["git", "-C", str(checkout), "rev-list", "--count", "HEAD"],
                               capture_output=True, text=True, check=True).stdout.strip()
        assert depth == "1"  # shallow


def test_clones_are_shared_and_removed_when_the_fetcher_closes(published):
    fetcher = RepositoryFetcher()
    first = fetcher.fetch("a", _repo(), file=Path("m.yaml"), field="f")
    second = fetcher.fetch("b", _repo(path="apps"), file=Path("m.yaml"), field="f")
    assert first == second and first.is_dir()

    fetcher.close()

    assert not first.exists() and not first.parent.exists()


def test_a_missing_revision_is_reported_with_gits_reason(published):
    with RepositoryFetcher() as fetcher, pytest.raises(ConfigError) as info:
        fetcher.fetch("staging", _repo("no-such-branch"), file=Path("m.yaml"),
                      field="argocd.repositories.staging")

    message = str(info.value)
    assert message.startswith("m.yaml: argocd.repositories.staging: cannot fetch "
                              f"{STAGING_URL} at no-such-branch (")
    assert "no-such-branch" in message.split("(", 1)[1]
    assert "\n" not in message


def test_a_path_missing_from_the_fetched_repository(readme_fleet, published, capsys):
    management = readme_fleet / "clusters" / "do-management" / "cluster.yaml"
    add_repositories(management, {"staging": {"url": STAGING_URL, "revision": "main",
                                              "path": "deploy"}})

    code, out, _ = _run(capsys, "validate", "--clusters-dir", str(readme_fleet / "clusters"))

    assert code == 1
    assert (f"argocd.repositories.staging.path: path 'deploy' does not exist in {STAGING_URL} "
            "at main") in out


def test_credentials_reach_git_through_its_credential_helper_only(monkeypatch):
    monkeypatch.setenv("TF_VAR_staging_repo_token", "s3cr3t-token")
    repo = _repo(credentials=RepositoryCredentials(username="deploy",
                                                   password_variable="staging_repo_token"))
    env = RepositoryFetcher()._git_env(repo)

    # git asks its credential helpers, as it would for an HTTPS fetch of the URL
    fill = subprocess.run(["git", "credential", "fill"], env=env, capture_output=True, text=True,
                          input="protocol=https\nhost=gitlab.com\npath=acme/staging-apps.git\n",
                          timeout=60)

    assert fill.returncode == 0, fill.stderr
    assert "username=deploy\n" in fill.stdout and "password=s3cr3t-token\n" in fill.stdout
    # the helper's command line names variables, not the secret
    helper = [v for k, v in env.items() if k.startswith("GIT_CONFIG_VALUE_")]
    assert helper and not any("s3cr3t-token" in v for v in helper)


def test_the_secret_is_on_no_git_command_line(published, monkeypatch):
    monkeypatch.setenv("TF_VAR_staging_repo_token", "s3cr3t-token")
    calls = []
    real_run = subprocess.run

    def recording_run(args, **kwargs):
        calls.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", recording_run)
    repo = _repo(credentials=RepositoryCredentials(username="deploy",
                                                   password_variable="staging_repo_token"))
    with RepositoryFetcher() as fetcher:
        fetcher.fetch("staging", repo, file=Path("m.yaml"), field="f")

    assert calls and all(c[0] == "git" for c in calls)
    assert not any("s3cr3t-token" in arg for c in calls for arg in c)


def test_git_never_prompts_for_a_password(tmp_path, monkeypatch):
    # A URL git would ask credentials for, with no terminal and no askpass program.
    monkeypatch.setenv("GIT_ASKPASS", "/bin/false-askpass-that-would-hang")
    env = RepositoryFetcher()._git_env(_repo())

    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert "GIT_ASKPASS" not in env


def test_a_revision_is_never_read_as_a_git_option(published, tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "upload-pack"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexec git-upload-pack \"$@\"\n")
    script.chmod(0o755)
    # cluster.yaml refuses it; a Repository built by hand still cannot inject an option
    repo = Repository.model_construct(url=STAGING_URL, revision=f"--upload-pack={script}",
                                      path="", credentials=None)

    with RepositoryFetcher() as fetcher, pytest.raises(ConfigError):
        fetcher.fetch("staging", repo, file=Path("m.yaml"), field="f")

    assert not marker.exists()


def test_cluster_yaml_refuses_a_revision_that_looks_like_an_option(readme_fleet):
    from fleetform.fleet.config import load_fleet

    management = readme_fleet / "clusters" / "do-management" / "cluster.yaml"
    add_repositories(management, {"staging": {"url": STAGING_URL, "revision": "--upload-pack=x"}})

    with pytest.raises(ConfigError) as info:
        load_fleet(readme_fleet / "clusters")

    assert ("argocd.repositories.staging.revision: must be a branch, tag or commit (no spaces, "
            "not starting with '-'), got '--upload-pack=x'") in str(info.value)
