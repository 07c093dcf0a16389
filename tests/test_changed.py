"""`fleetform changed`: which clusters a Git change affects, rule by rule."""

from __future__ import annotations

import json

import pytest

from support.git_repo import FAKE_MANAGEMENT, FAKE_WORKER, GitRepo
from fleetform.commands.cli import main
from fleetform.integrations.git import ZERO_SHA
from fleetform.commands.changes import changed_clusters, ci_applies, ci_changes
from fleetform.commands.changes.results import is_shared

MGMT, PROD = "do-management", "do-production"


def affected(changes) -> list[str]:
    return [c.name for c in changes.affected]


def by_name(changes, name):
    return next(c for c in changes.affected if c.name == name)


# --------------------------------------------------------------------------- clusters/<x>/


def test_a_change_in_a_cluster_directory_affects_that_cluster_only(fleet_repo):
    # GIVEN a commit that edits the worker's cluster.yaml
    base = fleet_repo.head()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    head = fleet_repo.commit()
    # WHEN
    changes = changed_clusters(fleet_repo.path, base)
    # THEN only that worker is affected, for that reason
    assert affected(changes) == [PROD]
    cluster = by_name(changes, PROD)
    assert cluster.role == "worker" and not cluster.added
    assert cluster.reason == f"clusters/{PROD}/ changed"
    assert cluster.paths == (f"clusters/{PROD}/cluster.yaml",)
    assert changes.removed == () and changes.unaffecting == ()
    assert (changes.base_commit, changes.merge_base, changes.head) == (base, base, head)


def test_any_file_under_a_cluster_directory_counts(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.write(f"clusters/{PROD}/notes/README.md", "runbook\n")
    fleet_repo.commit()
    assert affected(changed_clusters(fleet_repo.path, base)) == [PROD]


def test_a_management_change_that_keeps_the_argocd_address_affects_management_only(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.append(f"clusters/{MGMT}/cluster.yaml", "ha: true\n")
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    assert affected(changes) == [MGMT]
    assert by_name(changes, MGMT).role == "management"


def test_a_new_argocd_address_affects_every_worker(fleet_repo):
    # Workers register through the management argocd.hostname: their stacks change.
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    base = fleet_repo.commit("staging")
    fleet_repo.write(f"clusters/{MGMT}/cluster.yaml",
                     FAKE_MANAGEMENT.replace("argocd.example.com", "cd.example.com"))
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    assert affected(changes) == [MGMT, "do-production", "do-staging"]
    for worker in ("do-production", "do-staging"):
        reason = by_name(changes, worker).reason
        assert "management Argo CD address changed" in reason
        assert "argocd.example.com -> cd.example.com" in reason


def test_a_new_management_cluster_affects_every_worker(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.git("mv", f"clusters/{MGMT}", "clusters/hub")
    fleet_repo.append("clusters/hub/cluster.yaml", "ha: true\n")  # a new cluster, not a rename
    fleet_repo.commit("a new management cluster")
    changes = changed_clusters(fleet_repo.path, base)
    assert affected(changes) == ["hub", PROD]
    assert f"the management cluster changed ({MGMT} -> hub)" in by_name(changes, PROD).reason
    assert [c.name for c in changes.removed] == [MGMT]


def test_a_new_cluster_directory_is_an_added_cluster(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    fleet_repo.commit("add staging")
    changes = changed_clusters(fleet_repo.path, base)
    assert affected(changes) == ["do-staging"]
    staging = by_name(changes, "do-staging")
    assert staging.added and staging.role == "worker"
    assert staging.reason == "new cluster (clusters/do-staging/ added)"


# --------------------------------------------------------------------------- shared code


@pytest.mark.parametrize("path", [
    "constructs/fleetform/stacks.py", "constructs/fleetform/new_module.py", "main.py",
    "cdktf.json", "Pipfile", "Pipfile.lock", "pyproject.toml", "package.json",
    "package-lock.json",
])
def test_shared_code_or_dependencies_affect_every_cluster(fleet_repo, path):
    base = fleet_repo.head()
    fleet_repo.write(path, "changed\n")
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    assert affected(changes) == [MGMT, PROD]
    for cluster in changes.affected:
        assert cluster.reason == f"shared code or dependencies changed ({path})"
        assert cluster.paths == (path,)


def test_shared_patterns_match_only_top_level_files_and_constructs():
    assert is_shared("Pipfile.lock") and is_shared("package-lock.json")
    assert is_shared("constructs/fleetform/a/b.py")
    assert not is_shared("manifests/global/package.json")
    assert not is_shared("clusters/x/main.py")
    assert not is_shared("constructs.txt")


def test_a_cluster_change_and_a_shared_change_give_both_reasons(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.write("Pipfile.lock", "{\"new\": 1}\n")
    fleet_repo.write("main.py", "print('new')\n")
    fleet_repo.commit()
    prod = by_name(changed_clusters(fleet_repo.path, base), PROD)
    assert prod.reasons == (f"clusters/{PROD}/ changed",
                            "shared code or dependencies changed (Pipfile.lock, +1 more)")
    assert set(prod.paths) == {f"clusters/{PROD}/cluster.yaml", "Pipfile.lock", "main.py"}


# --------------------------------------------------------------------------- no stack


@pytest.mark.parametrize("path", [
    "manifests/global/values/do-production/nginx/values.yaml",
    "manifests/global/apps/web/redis/Chart.yaml",
    "README.md", "tests/test_x.py", ".gitlab-ci.yml", "fleet", "clusters/README.md",
])
def test_changes_outside_clusters_and_shared_code_affect_no_stack(fleet_repo, path):
    # manifests/ is deployed by Argo CD; the management stack renders no file of it.
    base = fleet_repo.head()
    fleet_repo.write(path, "changed\n")
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    assert changes.affected == () and changes.removed == ()
    assert changes.unaffecting == (path,)
    assert "no cluster is affected" in changes.summary()


# --------------------------------------------------------------------------- removal


def test_a_removed_cluster_is_reported_for_retirement_never_as_affected(fleet_repo):
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    base = fleet_repo.commit("staging")
    fleet_repo.remove("clusters/do-staging")
    fleet_repo.commit("retire staging")
    changes = changed_clusters(fleet_repo.path, base)
    assert changes.affected == ()
    [removed] = changes.removed
    assert (removed.name, removed.role, removed.last_commit) == ("do-staging", "worker", base)
    assert not removed.protected
    assert "retire it by hand" in removed.reason
    assert "never destroyed automatically" in removed.reason
    assert "deregister from Argo CD, then destroy" in changes.summary()


def test_a_removed_management_cluster_is_protected_by_default(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.remove(f"clusters/{MGMT}")
    fleet_repo.commit()
    [removed] = changed_clusters(fleet_repo.path, base).removed
    assert (removed.name, removed.role, removed.protected) == (MGMT, "management", True)


def test_removing_cluster_yaml_alone_removes_the_cluster(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.write(f"clusters/{PROD}/notes.md", "kept\n")
    fleet_repo.remove(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    assert [c.name for c in changes.removed] == [PROD] and changes.affected == ()


def test_a_moved_directory_with_changed_content_is_a_removal_and_an_addition(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.git("mv", f"clusters/{PROD}", "clusters/do-prod")
    fleet_repo.append("clusters/do-prod/cluster.yaml", "ha: true\n")
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    assert affected(changes) == ["do-prod"] and by_name(changes, "do-prod").added
    assert [c.name for c in changes.removed] == [PROD]


def test_a_rename_recorded_in_a_commit_trailer_plans_the_new_name_only(fleet_repo):
    # GIVEN a rename, then (once the state was moved) a commit with the trailer
    base = fleet_repo.head()
    fleet_repo.git("mv", f"clusters/{PROD}", "clusters/do-prod")
    fleet_repo.commit("rename do-production")
    fleet_repo.git("commit", "-q", "--allow-empty", "-m", "State moved",
                   "-m", f"Fleetform-Renamed: {PROD} -> do-prod")
    # WHEN
    changes = changed_clusters(fleet_repo.path, base)
    # THEN the new name is planned against the moved state, nothing is retired
    assert affected(changes) == ["do-prod"]
    assert by_name(changes, "do-prod").reason == (
        f"renamed from {PROD} (its state was moved: Fleetform-Renamed: {PROD} -> do-prod)")
    assert changes.removed == ()


def test_a_rename_acknowledged_by_option_or_variable(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.git("mv", f"clusters/{PROD}", "clusters/do-prod")
    fleet_repo.commit("rename do-production")
    changes = changed_clusters(fleet_repo.path, base, renamed={(PROD, "do-prod")})
    assert affected(changes) == ["do-prod"] and changes.removed == ()
    changes = ci_changes(fleet_repo.path, ci_env(
        CI_PIPELINE_SOURCE="merge_request_event", CI_MERGE_REQUEST_DIFF_BASE_SHA=base,
        FLEETFORM_RENAMED=f"{PROD}=do-prod"))
    assert affected(changes) == ["do-prod"] and changes.removed == ()


# --------------------------------------------------------------------------- ordering


def test_the_management_cluster_is_listed_first(fleet_repo):
    fleet_repo.write("clusters/aa-edge/cluster.yaml", FAKE_WORKER)
    fleet_repo.write("clusters/zz-edge/cluster.yaml", FAKE_WORKER)
    base = fleet_repo.commit()
    for name in ("aa-edge", "zz-edge", MGMT):
        fleet_repo.append(f"clusters/{name}/cluster.yaml")
    fleet_repo.remove(f"clusters/{PROD}")
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    assert affected(changes) == [MGMT, "aa-edge", "zz-edge"]


def test_removed_management_is_listed_first(fleet_repo):
    fleet_repo.write("clusters/aa-edge/cluster.yaml", FAKE_WORKER)
    base = fleet_repo.commit()
    fleet_repo.remove("clusters/aa-edge")
    fleet_repo.remove(f"clusters/{MGMT}")
    fleet_repo.commit()
    assert [c.name for c in changed_clusters(fleet_repo.path, base).removed] == [MGMT, "aa-edge"]


# --------------------------------------------------------------------------- what is compared


def test_changes_on_the_base_branch_since_the_fork_do_not_count(fleet_repo):
    # REF...HEAD: what the merge request brings, not what main did meanwhile.
    fleet_repo.git("checkout", "-q", "-b", "feature")
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit("feature work")
    fleet_repo.git("checkout", "-q", "main")
    fleet_repo.append(f"clusters/{MGMT}/cluster.yaml")
    fleet_repo.write("constructs/fleetform/stacks.py", "STACK = 2\n")
    fork = fleet_repo.head()
    fleet_repo.commit("main moves on")
    fleet_repo.git("checkout", "-q", "feature")
    changes = changed_clusters(fleet_repo.path, "main")
    assert affected(changes) == [PROD]
    assert changes.merge_base == fork and changes.base == "main"


def test_several_commits_are_compared_as_one_change(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    fleet_repo.commit("add")
    fleet_repo.remove("clusters/do-staging")
    fleet_repo.commit("and remove again")
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit()
    changes = changed_clusters(fleet_repo.path, base)
    assert affected(changes) == [PROD] and changes.removed == ()


def test_the_working_tree_counts_only_when_asked(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.append(f"clusters/{MGMT}/cluster.yaml")
    fleet_repo.commit()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")            # unstaged
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)  # untracked
    assert affected(changed_clusters(fleet_repo.path, base)) == [MGMT]
    changes = changed_clusters(fleet_repo.path, base, working_tree=True)
    assert affected(changes) == [MGMT, PROD, "do-staging"]
    assert by_name(changes, "do-staging").added and changes.head is None


def test_the_working_tree_sees_a_deleted_cluster_and_ignores_ignored_files(fleet_repo):
    fleet_repo.write(".gitignore", "*.tfstate\n")
    base = fleet_repo.commit()
    fleet_repo.remove(f"clusters/{PROD}")
    fleet_repo.write(f"clusters/{MGMT}/terraform.tfstate", "{}")
    changes = changed_clusters(fleet_repo.path, base, working_tree=True)
    assert changes.affected == () and [c.name for c in changes.removed] == [PROD]


def test_a_project_in_a_subdirectory_sees_only_its_own_paths(tmp_path):
    repo = GitRepo(tmp_path / "mono")
    repo.write("infra/clusters/do-management/cluster.yaml", FAKE_MANAGEMENT)
    repo.write("infra/clusters/do-production/cluster.yaml", FAKE_WORKER)
    base = repo.commit()
    repo.append("infra/clusters/do-production/cluster.yaml")
    repo.write("main.py", "not the project's\n")  # outside the project directory
    repo.commit()
    changes = changed_clusters(repo.path / "infra", base)
    assert affected(changes) == [PROD]
    assert changes.paths == ("clusters/do-production/cluster.yaml",)


def test_no_change_affects_nothing(fleet_repo):
    changes = changed_clusters(fleet_repo.path, "HEAD")
    assert changes.paths == () and changes.affected == () and changes.removed == ()


# --------------------------------------------------------------------------- output


def test_plain_output_lists_clusters_roles_and_reasons(fleet_repo, capsys):
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    base = fleet_repo.commit()
    fleet_repo.append(f"clusters/{MGMT}/cluster.yaml")
    fleet_repo.remove("clusters/do-staging")
    fleet_repo.write("manifests/global/apps/web/nginx/values.yaml", "x: 1\n")
    fleet_repo.commit()
    assert main(["changed", "--base", base, "-C", str(fleet_repo.path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"changes from {base} (merge base {base[:12]})")
    assert out[1] == "affected clusters (1):"
    assert out[2].split() == [MGMT, "management", f"clusters/{MGMT}/", "changed"]
    assert out[3].startswith("removed clusters (1): retire by hand")
    assert out[4].split()[:2] == ["do-staging", "worker"]
    assert out[5] == "affecting no stack (1): manifests/global/apps/web/nginx/values.yaml"


def test_json_output_has_affected_removed_and_a_reason_per_cluster(fleet_repo, capsys):
    fleet_repo.write("clusters/do-staging/cluster.yaml", FAKE_WORKER)
    base = fleet_repo.commit()
    fleet_repo.write("constructs/fleetform/stacks.py", "STACK = 3\n")
    fleet_repo.remove("clusters/do-staging")
    head = fleet_repo.commit()
    assert main(["changed", "--base", base, "--format", "json", "-C", str(fleet_repo.path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["base"] == base and data["merge_base"] == base and data["head"] == head
    assert [(c["name"], c["role"]) for c in data["affected"]] == [
        (MGMT, "management"), (PROD, "worker")]
    assert all(c["reason"] == "shared code or dependencies changed "
                              "(constructs/fleetform/stacks.py)" for c in data["affected"])
    assert data["removed"] == [{
        "name": "do-staging", "role": "worker", "last_commit": base, "protected": False,
        "reason": "clusters/do-staging/cluster.yaml was removed: retire it by hand "
                  "(deregister from Argo CD, then destroy); it is never destroyed automatically"}]
    assert set(data["changed_paths"]) == {"constructs/fleetform/stacks.py",
                                          "clusters/do-staging/cluster.yaml"}


# --------------------------------------------------------------------------- GitLab CI base


def ci_env(**values) -> dict[str, str]:
    return {"CI_DEFAULT_BRANCH": "main", "CI_PIPELINE_SOURCE": "push", **values}


def test_ci_merge_requests_compare_with_the_diff_base(fleet_repo):
    base = fleet_repo.head()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit()
    changes = ci_changes(fleet_repo.path, ci_env(CI_MERGE_REQUEST_DIFF_BASE_SHA=base,
                                                 CI_PIPELINE_SOURCE="merge_request_event",
                                                 CI_COMMIT_BEFORE_SHA=ZERO_SHA))
    assert affected(changes) == [PROD] and changes.note == "merge request diff base"


def test_ci_branch_pipelines_compare_with_the_default_branch(fleet_repo):
    # What the branch brings, whatever its previous push was: nothing is lost when
    # a pipeline of the branch failed.
    fleet_repo.git("checkout", "-q", "-b", "feature")
    fleet_repo.git("update-ref", "refs/remotes/origin/main", "main")
    fleet_repo.append(f"clusters/{MGMT}/cluster.yaml")
    before = fleet_repo.commit()
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit()
    changes = ci_changes(fleet_repo.path, ci_env(CI_COMMIT_BRANCH="feature",
                                                 CI_COMMIT_BEFORE_SHA=before))
    assert affected(changes) == [MGMT, PROD]
    assert changes.note == "branch compared with main" and changes.warning is None


def test_ci_new_branch_compares_with_the_default_branch_fetched_from_origin(fleet_repo, tmp_path):
    # GIVEN a clone whose origin has main, on a new branch (before SHA is zero)
    clone = GitRepo(tmp_path / "clone")
    clone.git("fetch", "-q", str(fleet_repo.path), "main")
    clone.git("checkout", "-q", "-b", "feature", "FETCH_HEAD")
    clone.git("remote", "add", "origin", str(fleet_repo.path))
    clone.append(f"clusters/{PROD}/cluster.yaml")
    clone.commit()
    # WHEN
    changes = ci_changes(clone.path, ci_env(CI_COMMIT_BRANCH="feature",
                                            CI_COMMIT_BEFORE_SHA=ZERO_SHA))
    # THEN main was fetched and only the branch's own change counts
    assert clone.git("rev-parse", "refs/remotes/origin/main") == fleet_repo.head()
    assert affected(changes) == [PROD]
    assert changes.note == "branch compared with main"


def test_ci_force_push_with_a_missing_before_sha_falls_back_to_the_default_branch(fleet_repo):
    fleet_repo.git("checkout", "-q", "-b", "feature")
    fleet_repo.git("update-ref", "refs/remotes/origin/main", "main")
    fleet_repo.append(f"clusters/{PROD}/cluster.yaml")
    fleet_repo.commit()
    changes = ci_changes(fleet_repo.path, ci_env(CI_COMMIT_BRANCH="feature",
                                                 CI_COMMIT_BEFORE_SHA="1" * 40))
    assert affected(changes) == [PROD] and changes.base == "refs/remotes/origin/main"


def test_ci_default_branch_without_gitlab_plans_every_cluster_with_a_warning(fleet_repo):
    changes = ci_changes(fleet_repo.path, ci_env(CI_COMMIT_BRANCH="main",
                                                 CI_COMMIT_BEFORE_SHA=ZERO_SHA))
    assert changes.base is None
    assert affected(changes) == [MGMT, PROD]
    assert changes.warning.startswith("what was last applied cannot be read from GitLab")
    assert all(c.reason.startswith("planned because what was last applied cannot be read")
               for c in changes.affected)
    assert changes.summary().startswith("WARNING: what was last applied cannot be read")


def test_changed_prints_the_warning_on_stderr_too(fleet_repo, capsys, monkeypatch):
    for name, value in ci_env(CI_COMMIT_BRANCH="main").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CI_API_V4_URL", raising=False)
    assert main(["changed", "--ci", "-C", str(fleet_repo.path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("fleetform: WARNING: what was last applied cannot be read")
    assert captured.out.startswith("WARNING: what was last applied cannot be read")


def test_ci_new_branch_without_a_reachable_origin_plans_every_cluster(fleet_repo, capsys):
    fleet_repo.git("checkout", "-q", "-b", "feature")
    fleet_repo.git("remote", "add", "origin", str(fleet_repo.path / "no-such-repo"))
    changes = ci_changes(fleet_repo.path, ci_env(CI_COMMIT_BRANCH="feature",
                                                 CI_COMMIT_BEFORE_SHA=ZERO_SHA))
    assert changes.base is None and affected(changes) == [MGMT, PROD]
    assert changes.warning == "the default branch main could not be fetched from origin"
    assert changes.summary().startswith("WARNING: the default branch main could not be "
                                        "fetched from origin: planning every cluster")


@pytest.mark.parametrize("env, applies", [
    (ci_env(CI_COMMIT_BRANCH="main"), True),
    (ci_env(CI_COMMIT_BRANCH="feature"), False),
    (ci_env(CI_PIPELINE_SOURCE="merge_request_event",
            CI_MERGE_REQUEST_DIFF_BASE_SHA="abc"), False),
    (ci_env(CI_PIPELINE_SOURCE="merge_request_event", CI_COMMIT_BRANCH="main"), False),
    ({}, False),
])
def test_only_default_branch_pipelines_apply(env, applies):
    assert ci_applies(env) is applies
