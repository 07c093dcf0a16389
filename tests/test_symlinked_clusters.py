"""A cluster directory or cluster.yaml committed as a symbolic link: refused, the same way,
by synth, validate and changed.

Git stores a link, not what it points at: a linked cluster directory is one file
to Git (never seen as a cluster by ``changed``, so never planned, while synth
followed the link and built it). fleetform refuses links in both places.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from support.fleets import CLUSTERS, MANIFESTS, ROOT
from support.git_repo import GitRepo
from fleetform.commands.changes import changed_clusters
from fleetform.errors import ConfigError

DIR_LINK = ("clusters/do-staging: is a symbolic link (to do-production): a cluster must be a "
            "real directory, not a link to one")
FILE_LINK = ("clusters/do-staging/cluster.yaml: is a symbolic link (to "
             "../do-production/cluster.yaml): a cluster's definition must be a file of its own "
             "directory")


def link_cluster_dir(repo: GitRepo) -> None:
    os.symlink("do-production", repo.path / "clusters" / "do-staging")


def link_cluster_file(repo: GitRepo) -> None:
    (repo.path / "clusters" / "do-staging").mkdir()
    os.symlink("../do-production/cluster.yaml",
               repo.path / "clusters" / "do-staging" / "cluster.yaml")


@pytest.mark.parametrize("make, message", [(link_cluster_dir, DIR_LINK),
                                           (link_cluster_file, FILE_LINK)],
                         ids=["directory", "cluster.yaml"])
def test_changed_refuses_a_committed_link(fleet_repo, make, message):
    base = fleet_repo.head()
    make(fleet_repo)
    fleet_repo.commit("a linked cluster")
    with pytest.raises(ConfigError) as err:
        changed_clusters(fleet_repo.path, base)
    assert str(err.value) == message


@pytest.mark.parametrize("make, message", [(link_cluster_dir, DIR_LINK),
                                           (link_cluster_file, FILE_LINK)],
                         ids=["directory", "cluster.yaml"])
def test_changed_refuses_a_link_in_the_working_tree(fleet_repo, make, message):
    base = fleet_repo.head()
    make(fleet_repo)
    with pytest.raises(ConfigError) as err:
        changed_clusters(fleet_repo.path, base, working_tree=True)
    assert str(err.value) == message


def test_a_link_in_the_base_commit_only_does_not_stop_the_comparison(fleet_repo):
    # History is what it is: a link that was replaced by a real directory is fine.
    link_cluster_dir(fleet_repo)
    base = fleet_repo.commit("a linked cluster")
    (fleet_repo.path / "clusters" / "do-staging").unlink()
    shutil.copytree(fleet_repo.path / "clusters" / "do-production",
                    fleet_repo.path / "clusters" / "do-staging")
    fleet_repo.append("clusters/do-staging/cluster.yaml")
    fleet_repo.commit("a real directory")
    changes = changed_clusters(fleet_repo.path, base)
    assert [c.name for c in changes.affected] == ["do-staging"]


@pytest.fixture
def project(tmp_path) -> GitRepo:
    """A checkout of the example fleet in Git."""
    repo = GitRepo(tmp_path / "project")
    shutil.copy(ROOT / "main.py", repo.path / "main.py")
    shutil.copy(ROOT / ".terraform.lock.hcl", repo.path / ".terraform.lock.hcl")
    shutil.copytree(CLUSTERS, repo.path / "clusters")
    shutil.copytree(MANIFESTS, repo.path / "manifests")
    repo.commit("fleet")
    return repo


@pytest.mark.parametrize("make, message", [(link_cluster_dir, DIR_LINK),
                                           (link_cluster_file, FILE_LINK)],
                         ids=["directory", "cluster.yaml"])
def test_synth_validate_and_changed_agree(project, make, message):
    make(project)
    project.commit("a linked cluster")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI", "FLEETFORM"))}
    runs = {
        "synth": [sys.executable, "-m", "fleetform.commands.cli", "synth"],
        "validate": [sys.executable, "-m", "fleetform.commands.cli", "validate"],
        "changed": [sys.executable, "-m", "fleetform.commands.cli", "changed",
                    "--base", "HEAD~1"],
    }
    for command, argv in runs.items():
        proc = subprocess.run(argv, cwd=project.path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode != 0, command
        assert message in proc.stdout + proc.stderr, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr, command
    assert not (project.path / "cdktf.out").exists()


def dangling_cluster_dir(repo: GitRepo) -> None:
    os.symlink("do-removed", repo.path / "clusters" / "do-staging")


def dangling_cluster_file(repo: GitRepo) -> None:
    (repo.path / "clusters" / "do-staging").mkdir()
    os.symlink("../do-removed/cluster.yaml",
               repo.path / "clusters" / "do-staging" / "cluster.yaml")


def looping_cluster_dirs(repo: GitRepo) -> None:
    os.symlink("do-b", repo.path / "clusters" / "do-a")
    os.symlink("do-a", repo.path / "clusters" / "do-b")


def error_lines(output: str) -> list[str]:
    """The messages about ``clusters/...`` links, without each command's prefix."""
    return [line[line.index("clusters/"):] for line in output.splitlines()
            if "clusters/" in line and "symbolic link" in line]


@pytest.mark.parametrize("make, message", [
    (dangling_cluster_dir, "clusters/do-staging: is a symbolic link (to do-removed, which does "
                           "not exist): a cluster must be a real directory, not a link to one"),
    (dangling_cluster_file, "clusters/do-staging/cluster.yaml: is a symbolic link (to "
                            "../do-removed/cluster.yaml, which does not exist): a cluster's "
                            "definition must be a file of its own directory"),
    (looping_cluster_dirs, "clusters/do-a: is a symbolic link (to do-b, a loop of symbolic "
                           "links): a cluster must be a real directory, not a link to one"),
], ids=["dangling directory", "dangling cluster.yaml", "loop"])
def test_synth_validate_and_changed_word_a_broken_link_alike(project, make, message):
    # GIVEN a committed link in clusters/ that leads nowhere
    make(project)
    project.commit("a broken link")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI", "FLEETFORM"))}
    cli = [sys.executable, "-m", "fleetform.commands.cli"]
    runs = {"synth": [*cli, "synth"], "validate": [*cli, "validate"],
            "changed --base": [*cli, "changed", "--base", "HEAD~1"],
            "changed --working-tree": [*cli, "changed", "--base", "HEAD~1", "--working-tree"]}
    # WHEN each command reads the fleet
    said = {}
    for command, argv in runs.items():
        proc = subprocess.run(argv, cwd=project.path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode != 0, command
        assert "Traceback" not in proc.stderr, command
        said[command] = error_lines(proc.stdout + proc.stderr)[0]
    # THEN they all say the same thing
    assert said == {command: message for command in runs}
