"""``fleetform new``: the platform's scenarios, each one command and one commit, on a copy of
the test fleet in a Git repository (``tests/fixtures/fleet``: do-management and
do-production, labels global, production and management in this checkout)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.fleets import CLEAN_ENV, FIXTURE_FLEET, LOCK
from support.git_repo import GitRepo
from fleetform.commands.diff.apps import Renderer
from fleetform.commands.cli import main
from fleetform.commands.diff import build_diff
from fleetform.commands.changes import changed_clusters
from fleetform.commands.pipeline import generate
from fleetform.fleet.config import load_fleet
from fleetform.fleet.repositories import NO_FETCHER, locate, plan, scan_apps


@pytest.fixture
def fleet(tmp_path, monkeypatch) -> GitRepo:
    repo = GitRepo(tmp_path / "fleet")
    shutil.copytree(FIXTURE_FLEET, repo.path, dirs_exist_ok=True)
    repo.commit("the fleet")
    monkeypatch.chdir(repo.path)
    return repo


def new(*args: str) -> int:
    return main(["new", *args, "--no-fetch"])


def deployments(repo: GitRepo, cluster: str) -> dict:
    fleet = load_fleet(repo.path / "clusters")
    locations, _ = locate(fleet, None, fetcher=None, not_fetched=NO_FETCHER)
    scanned = {label: scan_apps(loc) for label, loc in locations.items()}
    return {d.app.key: d for d in plan([fleet.clusters[cluster]], locations, scanned)}


# --------------------------------------------------------------------------- new cluster


def test_a_cluster_like_another_copies_its_file_and_its_values(fleet, capsys):
    before = (fleet.path / "clusters/do-production/cluster.yaml").read_text()

    assert new("cluster", "do-production-2", "--like", "do-production",
               "--kubernetes-version", "1.34") == 0

    out = capsys.readouterr().out
    text = (fleet.path / "clusters/do-production-2/cluster.yaml").read_text()
    # The same file, comments and layout included, but for the version.
    assert text == before.replace('kubernetes_version: "1.33"', 'kubernetes_version: "1.34"')
    copied = fleet.path / "manifests/production/values/do-production-2/microservice-01/values.yaml"
    assert copied.read_text() == (fleet.path / "manifests/production/values/do-production/"
                                  "microservice-01/values.yaml").read_text()
    assert "validate: OK" in out
    assert out.endswith("files to commit:\n  clusters/do-production-2/cluster.yaml\n"
                        "  manifests/production/values/do-production-2/microservice-01/"
                        "values.yaml\n")


def test_the_upgrade_flow_a_new_cluster_gets_exactly_the_old_ones_applications(fleet):
    base = fleet.head()
    assert new("cluster", "do-production-2", "--like", "do-production",
               "--kubernetes-version", "1.34") == 0
    fleet.commit("do-production-2: do-production on Kubernetes 1.34")

    old, added = deployments(fleet, "do-production"), deployments(fleet, "do-production-2")
    assert sorted(old) == sorted(added)
    renderer = Renderer()
    try:
        for app in old:
            a, b = renderer.render(old[app]), renderer.render(added[app])
            assert (a.objects, a.missing) == (b.objects, b.missing), app
    finally:
        renderer.close()

    changes = changed_clusters(fleet.path, base)
    pipeline = generate(changes, apply=True)
    assert [j for j in pipeline if ":" in j or j == "synth"] == [
        "synth", "plan:do-production-2", "apply:do-production-2"]
    diff = build_diff(fleet.path, changes,
                      env={**CLEAN_ENV, "FLEETFORM_LOCK_FILE": "none"}, fetch=False)
    (routing,) = [r for r in diff.routing if r.cluster == "do-production-2"]
    assert sorted(a.app for a in routing.gained) == sorted(old)
    # Only the new cluster changes: its stack, its applications (rendered: added; the
    # wrappers of upstream charts: offline here, not rendered).
    assert diff.synthesized == {"base": [], "head": ["do-production-2"]}
    assert sorted((p.cluster, p.app, p.status) for p in diff.pairs) == [
        ("do-production-2", "cert-manager/cert-manager", "not rendered"),
        ("do-production-2", "ingress/ingress-nginx", "not rendered"),
        ("do-production-2", "web/microservice-01", "added")]

    # Later: the old cluster's directory removed; what leaves is gated and retired.
    upgraded = fleet.head()
    fleet.remove("clusters/do-production")
    fleet.remove("manifests/production/values/do-production")
    fleet.commit("retire do-production")
    changes = changed_clusters(fleet.path, upgraded)
    assert [c.name for c in changes.removed] == ["do-production"]
    diff = build_diff(fleet.path, changes, env={**CLEAN_ENV, "FLEETFORM_LOCK_FILE": "none"},
                      fetch=False)
    assert [(v.gate, v.message) for v in diff.violations] == [
        ("removed-cluster", "the stack of cluster do-production is removed "
                            "(clusters/do-production/ is gone): retire it by hand")]


def test_a_cluster_from_a_clouds_example(fleet, capsys):
    # Written, then validated: production's app needs a hostname from per-cluster values,
    # which a cluster made from an example does not have yet.
    assert new("cluster", "eks-production", "--cloud", "aws", "--region", "eu-central-1",
               "--labels", "global,production") == 1
    out = capsys.readouterr().out
    assert "ingress.hostname is required when ingress.enabled is true [repository " \
           "'production'; app web/microservice-01; cluster eks-production" in out
    assert out.endswith("files to commit:\n  clusters/eks-production/cluster.yaml\n")

    text = (fleet.path / "clusters/eks-production/cluster.yaml").read_text()
    assert text.startswith("# A worker cluster in AWS (EKS)")
    assert "region: eu-central-1              # an AWS region" in text
    assert "labels: [global, production]" in text
    cluster = load_fleet(fleet.path / "clusters").clusters["eks-production"]
    assert cluster.spec.cloud == "aws" and dict(cluster.labels) == {"global": "true",
                                                                     "production": "true"}


def test_a_dry_run_writes_nothing(fleet, capsys):
    assert new("cluster", "do-production-2", "--like", "do-production", "--dry-run") == 0

    out = capsys.readouterr().out
    assert "--- would write clusters/do-production-2/cluster.yaml" in out
    assert "--- would copy manifests/production/values/do-production/ to " \
           "manifests/production/values/do-production-2/" in out
    assert fleet.git("status", "--porcelain") == ""


@pytest.mark.parametrize("args, message", [
    (["do-production", "--like", "do-production"],
     "clusters/do-production: NAME: already exists: choose another name"),
    (["Prod_2", "--like", "do-production"],
     "NAME: 'Prod_2' is not a DNS-1123 label: at most 63 lowercase letters, digits and '-', "
     "starting and ending with a letter or digit"),
    (["p2", "--like", "do-prodution"],
     "--like: no cluster 'do-prodution' (did you mean 'do-production'?)"),
    (["p2", "--like", "do-management"],
     "--like: 'do-management' is the management cluster, and a fleet has one"),
    (["p2", "--like", "do-production", "--cloud", "aws"],
     "--cloud: 'do-production' is in digitalocean, not aws"),
    (["p2", "--like", "do-production", "--labels", "staging"],
     "label 'staging' has no repository: add argocd.repositories.staging"),
    (["p2", "--like", "do-production", "--region", "mars1"], "region"),
])
def test_a_new_cluster_that_cannot_be_is_refused_and_nothing_is_written(fleet, capsys, args,
                                                                        message):
    assert new("cluster", *args) == 2

    assert message in capsys.readouterr().err
    assert fleet.git("status", "--porcelain") == ""


def test_a_failure_while_writing_leaves_nothing_half_written(fleet, monkeypatch, capsys):
    from fleetform.commands import new as new_module

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(new_module, "copy_tree", fail)

    with pytest.raises(OSError):
        new_module.new_cluster(fleet.path / "clusters", "do-production-2",
                               like="do-production").apply()
    assert fleet.git("status", "--porcelain", "--ignored") == ""
    # Nor an empty directory (which git status does not show).
    assert not (fleet.path / "clusters/do-production-2").exists()
    assert not (fleet.path / "manifests/production/values/do-production-2").exists()


def test_values_that_link_out_of_the_repository_are_not_copied(fleet, capsys):
    link = fleet.path / "manifests/production/values/do-production/microservice-01/env.yaml"
    link.symlink_to("/proc/self/environ")
    fleet.commit("a link")

    assert new("cluster", "do-production-2", "--like", "do-production") == 2

    err = capsys.readouterr().err
    assert "microservice-01/env.yaml: symbolic link to /proc/self/environ, outside the " \
           "repository" in err
    assert not (fleet.path / "clusters/do-production-2").exists()
    assert not (fleet.path / "manifests/production/values/do-production-2").exists()


def test_repositories_outside_the_checkout_are_named_with_the_paths_to_copy(fleet, capsys):
    management = fleet.path / "clusters/do-management/cluster.yaml"
    management.write_text(management.read_text().replace(
        "url: https://gitlab.com/example/fleetform.git\n      revision: main\n"
        "      path: manifests/production",
        "url: https://gitlab.com/acme/production-apps.git\n      revision: v3\n"
        "      path: fleet"))
    fleet.remove("manifests/production")
    fleet.commit("production apps elsewhere")

    assert new("cluster", "do-production-2", "--like", "do-production", "--no-validate") == 0

    out = capsys.readouterr().out
    assert "by hand: label 'production': its repository is not in this checkout; if it has " \
           "fleet/values/do-production/, copy it to fleet/values/do-production-2/ in " \
           "https://gitlab.com/acme/production-apps.git (revision v3)" in out


# --------------------------------------------------------------------------- new label


def test_a_new_label_with_a_scaffolded_repository_on_a_cluster(fleet, capsys):
    management = (fleet.path / "clusters/do-management/cluster.yaml").read_text()
    base = fleet.head()

    assert new("label", "staging", "--path", "manifests/staging", "--on", "do-production") == 0

    out = capsys.readouterr().out
    assert "validate: OK: 0 error(s)" in out
    edited = (fleet.path / "clusters/do-management/cluster.yaml").read_text()
    assert edited.startswith(management.rstrip("\n") + "\n")  # comments and layout kept
    assert edited[len(management.rstrip("\n")) + 1:] == (
        "    staging:\n      url: https://gitlab.com/example/fleetform.git\n"
        "      revision: main\n      path: manifests/staging\n")
    assert "labels: [global, production, staging]" in \
        (fleet.path / "clusters/do-production/cluster.yaml").read_text()
    fleet.commit("staging")
    # Only the management cluster (the ApplicationSet) and the cluster named are planned.
    changes = changed_clusters(fleet.path, base)
    assert [c.name for c in changes.affected] == ["do-management", "do-production"]
    assert [j for j in generate(changes, apply=False) if j.startswith("plan")] == \
        ["plan:do-management", "plan:do-production"]

    # The label's ApplicationSet, and its example chart rendered for do-production.
    from support.fleets import synth_stacks

    stacks = synth_stacks(fleet.path / "clusters", fleet.path / "out", names=["do-management"],
                          env=CLEAN_ENV)
    apps = [r for r in stacks["do-management"]["resource"]["helm_release"].values()
            if r["chart"] == "argocd-apps"]
    import yaml

    appsets = yaml.safe_load(apps[0]["values"][0])["applicationsets"]
    assert sorted(appsets) == ["label-global", "label-management", "label-production",
                               "label-staging"]
    hello = deployments(fleet, "do-production")["default/hello"]
    renderer = Renderer()
    try:
        rendered = renderer.render(hello)
    finally:
        renderer.close()
    assert [k[1:] for k in rendered.objects] == [("ConfigMap", "default", "hello")]


def test_a_new_label_for_an_existing_repository(fleet):
    assert new("label", "edge", "--url", "https://gitlab.com/acme/edge.git", "--revision",
               "v1.2.0", "--on", "do-production", "do-management", "--no-validate") == 0

    fleet_now = load_fleet(fleet.path / "clusters")
    repository = fleet_now.management.spec.argocd.repositories["edge"]
    assert (repository.url, repository.revision, repository.path) == \
        ("https://gitlab.com/acme/edge.git", "v1.2.0", "")
    assert "edge" in fleet_now.clusters["do-production"].labels
    assert "edge" in fleet_now.clusters["do-management"].labels
    assert not (fleet.path / "manifests/edge").exists()


@pytest.mark.parametrize("args, message", [
    (["global", "--path", "manifests/global2"],
     "argocd.repositories.global: label 'global' already has a repository"),
    (["staging"], "--path: give --path (a new repository in this checkout) or --url"),
    (["staging", "--path", "manifests/production"], "manifests/production: --path: already "
                                                    "exists"),
    (["staging", "--path", "manifests/staging", "--on", "do-prod"],
     "--on: no cluster 'do-prod'"),
    (["Bad Label", "--path", "manifests/x"], "LABEL"),
])
def test_a_new_label_that_cannot_be_is_refused_and_nothing_is_written(fleet, capsys, args,
                                                                      message):
    assert new("label", *args) == 2

    assert message in capsys.readouterr().err
    assert fleet.git("status", "--porcelain") == ""


def test_a_new_developer_a_cluster_then_its_label(fleet, capsys):
    assert new("cluster", "dev-alice", "--cloud", "digitalocean", "--region", "ams3",
               "--labels", "global") == 0
    assert new("label", "dev-alice", "--path", "manifests/dev-alice", "--on", "dev-alice") == 0

    out = capsys.readouterr().out
    assert out.count("validate: OK: 0 error(s)") == 2
    fleet_now = load_fleet(fleet.path / "clusters")
    assert dict(fleet_now.clusters["dev-alice"].labels) == {"global": "true",
                                                            "dev-alice": "true"}
    assert sorted(deployments(fleet, "dev-alice")) == [
        "cert-manager/cert-manager", "default/hello", "ingress/ingress-nginx"]
    # Only dev-alice and the management cluster (the label's repository) change.
    assert {line.strip() for line in fleet.git("status", "--porcelain").split("\n")} == {
        "M clusters/do-management/cluster.yaml", "?? clusters/dev-alice/",
        "?? manifests/dev-alice/"}


# --------------------------------------------------------------------------- new fleet


def test_a_new_fleet_has_the_tooling_and_none_of_this_fleet_and_its_checks_pass(tmp_path):
    import json
    import re
    import subprocess

    from support.checkout import fleet_env, git, link_environments

    target = tmp_path / "acme-fleet"
    assert main(["new", "fleet", str(target), "--url", "https://gitlab.com/acme/fleet.git",
                 "--cloud", "aws", "--region", "eu-west-1", "--name", "aws-mgmt",
                 "--hostname", "argocd.acme.example"]) == 0

    assert sorted(p.name for p in (target / "clusters").iterdir()) == ["aws-mgmt"]
    assert sorted(p.name for p in (target / "manifests").iterdir()) == ["global"]
    for tool in ("fleet", "main.py", ".gitlab-ci.yml", ".terraform.lock.hcl", "Pipfile.lock",
                 "constructs/fleetform/__init__.py"):
        assert (target / tool).is_file(), tool
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q",
        "-m", "A new fleet")
    link_environments(target)

    def fleet(*args: str) -> subprocess.CompletedProcess:
        # The new fleet's own adding-a-cluster checks would copy it once more: left out.
        return subprocess.run(["./fleet", *args], cwd=target, capture_output=True, text=True,
                              timeout=1200, env=fleet_env(target, tmp_path / "home",
                                                          FLEETFORM_SUITE_IN_COPY="1"))

    synth = fleet("synth")
    assert synth.returncode == 0, synth.stdout + synth.stderr
    stack = json.loads((target / "cdktf.out/stacks/aws-mgmt/cdk.tf.json").read_text())
    (cluster,) = stack["resource"]["aws_eks_cluster"].values()
    assert cluster["name"] == "aws-mgmt"
    # The cdktf CLI's own run on a copy (test_fresh_clone) is this checkout's to prove.
    checks = fleet("test", "-q", "-m", "repository_fleet", "-k", "not test_fresh_clone")
    summary = checks.stdout.strip().splitlines()[-1]
    assert checks.returncode == 0 and re.match(r"\d+ passed", summary), checks.stdout[-4000:]


def test_a_new_fleet_refuses_a_directory_in_use(tmp_path, capsys):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine\n")

    assert main(["new", "fleet", str(tmp_path / "taken"), "--url", "https://x.example/f.git",
                 "--hostname", "argocd.x.example"]) == 2
    assert "DIR: already exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]
