"""`fleetform changed`: every user error is one clear line naming what is wrong."""

from __future__ import annotations

import subprocess

import pytest

from support.git_repo import GitRepo
from fleetform.commands.changes import changed_clusters
from fleetform.commands.cli import main
from fleetform.errors import ConfigError
from support.cli import fleetform


def test_an_unknown_base_is_a_one_line_error_without_traceback(fleet_repo):
    proc = fleetform("changed", "--base", "no-such-branch", "-C", str(fleet_repo.path))
    assert proc.returncode == 2
    assert proc.stderr == "error: --base: unknown revision 'no-such-branch'\n"
    assert proc.stdout == ""


@pytest.mark.parametrize("ref", ["-h", "--output=/tmp/x", ""])
def test_a_base_that_looks_like_an_option_is_rejected(fleet_repo, ref):
    with pytest.raises(ConfigError) as err:
        changed_clusters(fleet_repo.path, ref)
    assert str(err.value) == f"--base: must be a commit, branch or tag, got {ref!r}"


def test_a_base_that_is_not_a_commit_is_unknown(fleet_repo):
    tree = fleet_repo.git("rev-parse", "HEAD^{tree}")
    with pytest.raises(ConfigError, match=r"^--base: unknown revision '[0-9a-f]{40}'$"):
        changed_clusters(fleet_repo.path, tree)


def test_a_shallow_clone_missing_the_base_says_how_to_fetch_it(fleet_repo, tmp_path):
    # GIVEN a clone 1 commit deep of a 3-commit history (GitLab CI clones 20 deep)
    old = fleet_repo.head()
    for _ in range(2):
        fleet_repo.append("clusters/do-production/cluster.yaml")
        fleet_repo.commit()
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{fleet_repo.path}",
                    str(clone)], check=True, capture_output=True, timeout=60)
    # WHEN / THEN
    with pytest.raises(ConfigError) as err:
        changed_clusters(clone, old)
    assert err.value.field == "--base"
    assert f"unknown revision {old!r}: this clone is shallow" in err.value.message
    assert "GIT_DEPTH: 0" in err.value.message and "git fetch --unshallow" in err.value.message


def test_a_base_without_common_history_is_an_error(fleet_repo):
    fleet_repo.git("checkout", "-q", "--orphan", "other")
    fleet_repo.commit("unrelated")
    fleet_repo.git("checkout", "-q", "main")
    with pytest.raises(ConfigError) as err:
        changed_clusters(fleet_repo.path, "other")
    assert str(err.value) == "--base: 'other' and HEAD have no common ancestor"


def test_a_directory_outside_git_is_named(tmp_path):
    with pytest.raises(ConfigError) as err:
        changed_clusters(tmp_path, "main")
    assert str(err.value) == f"{tmp_path}: is not inside a Git repository"


def test_a_missing_project_directory_is_named(tmp_path):
    with pytest.raises(ConfigError) as err:
        changed_clusters(tmp_path / "nope", "main")
    assert str(err.value) == f"{tmp_path / 'nope'}: --root: no such directory"


def test_a_repository_without_commits_is_an_error(tmp_path):
    repo = GitRepo(tmp_path / "empty")
    with pytest.raises(ConfigError) as err:
        changed_clusters(repo.path, "main")
    assert err.value.field == "HEAD" and err.value.message == "the repository has no commit yet"


@pytest.mark.parametrize("text, field, message", [
    ("role: boss\n", "role", "must be 'management' or 'worker', got 'boss'"),
    ("region: fra1\n", "role", "is required ('management' or 'worker')"),
    ("- role: worker\n", None, "must be a mapping of settings"),
    ("role: [worker\n", None, "invalid YAML: line 2, column 1: did not find expected ',' or ']'"),
])
def test_a_cluster_whose_role_cannot_be_read_is_named(fleet_repo, text, field, message):
    base = fleet_repo.head()
    fleet_repo.write("clusters/do-production/cluster.yaml", text)
    head = fleet_repo.commit()
    with pytest.raises(ConfigError) as err:
        changed_clusters(fleet_repo.path, base)
    assert err.value.file == f"{head[:12]}:clusters/do-production/cluster.yaml"
    assert (err.value.field, err.value.message) == (field, message)


def test_a_bad_working_tree_file_is_named_by_its_path(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.write("clusters/do-staging/cluster.yaml", "role: 3\n")
    with pytest.raises(ConfigError) as err:
        changed_clusters(fleet_repo.path, base, working_tree=True)
    assert str(err.value) == ("clusters/do-staging/cluster.yaml: role: "
                              "must be 'management' or 'worker', got 3")


def test_a_cluster_directory_without_cluster_yaml_is_an_error(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.write("clusters/do-staging/values.yaml", "x: 1\n")
    fleet_repo.commit()
    with pytest.raises(ConfigError) as err:
        changed_clusters(fleet_repo.path, base)
    assert str(err.value) == "clusters/do-staging: missing cluster.yaml"


def test_a_broken_base_side_file_does_not_stop_the_comparison(fleet_repo):
    # The base is history: an invalid file there only loses detail, never the answer.
    fleet_repo.write("clusters/do-management/cluster.yaml", "role: [\n")
    base = fleet_repo.commit()
    fleet_repo.write("clusters/do-management/cluster.yaml",
                     "role: management\nargocd: {hostname: a.example.com}\n")
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    assert [c.name for c in changes.affected] == ["do-management"]


def test_working_tree_and_ci_cannot_be_combined(fleet_repo, capsys):
    code = main(["changed", "--ci", "--working-tree", "-C", str(fleet_repo.path)])
    assert code == 2
    assert capsys.readouterr().err == "error: --working-tree: cannot be combined with --ci\n"


def test_a_base_or_ci_is_required(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["changed"])
    assert exit_.value.code == 2
    assert "one of the arguments --base --ci is required" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["Prod", "prod;reboot", "a_b", "x" * 64])
def test_a_cluster_directory_name_must_be_a_dns_label(fleet_repo, name):
    # Names become job names and shell arguments in the generated pipeline.
    base = fleet_repo.head()
    fleet_repo.write(f"clusters/{name}/cluster.yaml", "role: worker\n")
    fleet_repo.commit()
    with pytest.raises(ConfigError) as err:
        changed_clusters(fleet_repo.path, base)
    assert (err.value.file, err.value.field) == (f"clusters/{name}", "name")
    assert err.value.message.startswith("the cluster's directory name must be a DNS-1123 label")
