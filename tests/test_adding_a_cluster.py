"""One commit adds a cluster: the README's example, in a copy of this repository.

The copy gets the README's "Adding a cluster" example: ``clusters/do-staging``
with a new label, ``staging``, whose repository lives in the checkout
(``manifests/staging``, found because its path exists) and is added to the
management cluster's ``argocd.repositories``. Then the README's commands run on
that copy: ``./fleet validate``, ``./fleet synth do-staging`` and ``./fleet test``
restricted to the checks of the repository's fleet (``test_repository_fleet.py``).
The rest of the suite does not read the repository's fleet, so running it all
again here would only repeat it (at several minutes on a small machine).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import readme_cluster_example
from support.checkout import copy_project, fleet_env, git, link_environments

ROOT = Path(__file__).resolve().parent.parent
CHART = "apiVersion: v2\nname: hello\nversion: 0.1.0\n"
CONFIGMAP = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n"
             "data:\n  greeting: {{ .Values.greeting | quote }}\n")


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """This repository plus the README's do-staging and its in-repo staging repository."""
    if not (ROOT / "node_modules").is_dir():
        pytest.skip("node_modules is missing: run ./fleet test (npm ci)")
    project = copy_project(tmp_path_factory.mktemp("adding") / "fleetform")
    link_environments(project)
    cluster_yaml, repositories = readme_cluster_example()
    (project / "clusters" / "do-staging").mkdir()
    (project / "clusters" / "do-staging" / "cluster.yaml").write_text(cluster_yaml)
    staging = project / "manifests" / "staging" / "apps" / "web" / "hello"
    (staging / "templates").mkdir(parents=True)
    (staging / "Chart.yaml").write_text(CHART)
    (staging / "values.yaml").write_text("greeting: hello\n")
    (staging / "templates" / "configmap.yaml").write_text(CONFIGMAP)
    management = next(p for p in (project / "clusters").glob("*/cluster.yaml")
                      if yaml.safe_load(p.read_text()).get("role") == "management")
    doc = yaml.safe_load(management.read_text())
    existing = doc.get("argocd", {}).get("repositories", {})
    # In this repository, like the other labels' repositories when there are any.
    url = next(iter(existing.values()), repositories["staging"])["url"]
    doc.setdefault("argocd", {}).setdefault("repositories", {})["staging"] = {
        "url": url, "revision": "main", "path": "manifests/staging"}
    management.write_text(yaml.safe_dump(doc, sort_keys=False))
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Add do-staging")
    return project


def _fleet(copy: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(["./fleet", *args], cwd=copy, capture_output=True, text=True,
                          timeout=900, env=fleet_env(copy, copy.parent / "home"))
    proc.output = proc.stdout + proc.stderr
    return proc


def test_validate_passes_with_the_new_label_and_its_repository(copy):
    proc = _fleet(copy, "validate", "--cluster", "do-staging")

    assert proc.returncode == 0, proc.output
    assert "repository staging: manifests/staging (this checkout: the path exists)" in proc.stdout
    assert "validate: OK: 0 error(s)" in proc.stdout


def test_synth_builds_the_new_clusters_stack(copy):
    proc = _fleet(copy, "synth", "do-staging")

    assert proc.returncode == 0, proc.output
    stack = json.loads((copy / "cdktf.out" / "stacks" / "do-staging" / "cdk.tf.json").read_text())
    (registration,) = stack["resource"]["argocd_cluster"].values()
    assert registration["metadata"] == [{"labels": {"global": "true", "staging": "true"}}]


def test_the_readme_test_command_passes_on_the_fleet_checks(copy):
    proc = _fleet(copy, "test", "tests/test_repository_fleet.py", "-q", "-p", "no:cacheprovider")

    assert proc.returncode == 0, proc.output
    assert " passed" in proc.output and "failed" not in proc.output, proc.output
