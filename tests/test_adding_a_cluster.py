"""One commit adds a cluster: the README's examples, in a copy of this repository.

The copy gets the README's "Adding a cluster" example: ``clusters/do-staging``
with a new label, ``staging``, whose repository lives in the checkout
(``manifests/staging``, found because its path exists) and is added to the
management cluster's ``argocd.repositories``; and its "A production cluster in
another cloud": ``clusters/eks-production`` (``cloud: aws``), ``aks-production``
(``azure``) and ``gke-staging`` (``gcp``), with the per-cluster values of a worker
with the same labels copied as the README says. Then the README's commands run on
that copy: ``./fleet validate``, ``./fleet synth do-staging`` and the README's
test command restricted to the tests that read the repository's fleet
(``-m repository_fleet``). No other test reads it (``support/fleet_guard.py``
fails one that does), so those are the tests a new cluster can change the
outcome of, and the whole suite passes on the copy when they do. In that run
this module is skipped (it would copy the copy again).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from support.fleets import readme_cloud_examples, readme_cluster_example
from support.checkout import copy_project, fleet_env, git, link_environments

ROOT = Path(__file__).resolve().parent.parent
#: Set in the suite this module runs on the copy.
IN_COPY = "FLEETFORM_SUITE_IN_COPY"

pytestmark = [pytest.mark.repository_fleet,
              pytest.mark.skipif(os.environ.get(IN_COPY) == "1",
                                 reason="the suite running on a copy with a cluster added")]
CHART = "apiVersion: v2\nname: hello\nversion: 0.1.0\n"
CONFIGMAP = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n"
             "data:\n  greeting: {{ .Values.greeting | quote }}\n")


def _free(name: str, taken) -> str:
    """``name``, or ``name-2``, ``name-3``... when the fleet already has it."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    return candidate


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> tuple[Path, str, dict[str, str]]:
    """This repository plus the README's do-staging and its in-repo staging repository.

    Returns the copy, the new cluster's name and its labels. The names are the
    README's unless this repository's fleet already uses them (then ``-2``...),
    and labels the fleet has no repository for are dropped, so the example
    applies to any valid fleet.
    """
    if not (ROOT / "node_modules").is_dir():
        pytest.skip("node_modules is missing: run ./fleet test (npm ci)")
    project = copy_project(tmp_path_factory.mktemp("adding") / "fleetform", fleet="repository")
    link_environments(project)
    cluster_yaml, readme_repositories = readme_cluster_example()
    clusters = project / "clusters"
    management = next(p for p in clusters.glob("*/cluster.yaml")
                      if yaml.safe_load(p.read_text()).get("role") == "management")
    doc = yaml.safe_load(management.read_text())
    repositories = doc.setdefault("argocd", {}).setdefault("repositories", {})
    name = _free("do-staging", {p.name for p in clusters.iterdir()})
    label = _free("staging", repositories)
    # In this repository, like the other labels' repositories when there are any.
    url = next(iter(repositories.values()), readme_repositories["staging"])["url"]
    repositories[label] = {"url": url, "revision": "main", "path": f"manifests/{label}"}
    management.write_text(yaml.safe_dump(doc, sort_keys=False))

    worker = yaml.safe_load(cluster_yaml)
    worker["labels"] = [x for x in worker["labels"] if x in repositories and x != "staging"]
    worker["labels"].append(label)
    (clusters / name).mkdir()
    (clusters / name / "cluster.yaml").write_text(yaml.safe_dump(worker, sort_keys=False))
    app = project / "manifests" / label / "apps" / "web" / "hello"
    (app / "templates").mkdir(parents=True)
    (app / "Chart.yaml").write_text(CHART)
    (app / "values.yaml").write_text("greeting: hello\n")
    (app / "templates" / "configmap.yaml").write_text(CONFIGMAP)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", f"Add {name}")
    return project, name, {x: "true" for x in worker["labels"]}


#: The README's clusters in other clouds, by cloud, and the names they are added under.
CLOUD_CLUSTERS = {"aws": "eks-production", "azure": "aks-production", "gcp": "gke-staging"}


@pytest.fixture(scope="module")
def cloud_copy(copy) -> tuple[Path, dict[str, str], dict[str, dict[str, str]]]:
    """The same copy, then the README's EKS, AKS and GKE workers in one more commit: each
    with its labels (those the fleet has repositories for) and the values of a worker
    carrying them, copied under its name in every repository of the checkout. Returns
    the copy, the names by cloud and the labels by name."""
    project = copy[0]
    clusters = project / "clusters"
    specs = {p.parent.name: yaml.safe_load(p.read_text())
             for p in sorted(clusters.glob("*/cluster.yaml"))}
    repositories = next(s for s in specs.values() if s.get("role") == "management") \
        .get("argocd", {}).get("repositories", {})
    names, labels = {}, {}
    for cloud, text in readme_cloud_examples().items():
        worker = yaml.safe_load(text)
        worker["labels"] = [x for x in worker["labels"] if x in repositories]
        if worker.get("argocd", {}).get("server") is None:
            worker.pop("argocd", None)
        name = _free(CLOUD_CLUSTERS[cloud], specs)
        like = next((n for n, s in specs.items() if s.get("role") == "worker"
                     and set(worker["labels"]) <= set(s.get("labels") or [])), None)
        if like:
            for values in (project / "manifests").glob(f"*/values/{like}"):
                shutil.copytree(values, values.parent / name)
        (clusters / name).mkdir()
        (clusters / name / "cluster.yaml").write_text(yaml.safe_dump(worker, sort_keys=False))
        names[cloud], labels[name] = name, {x: "true" for x in worker["labels"]}
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", f"Add {', '.join(names.values())}")
    return project, names, labels


def _fleet(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(["./fleet", *args], cwd=project, capture_output=True, text=True,
                          timeout=1800, env=fleet_env(project, project.parent / "home", **env))
    proc.output = proc.stdout + proc.stderr
    return proc


def test_validate_passes_with_the_new_label_and_its_repository(copy):
    project, name, labels = copy
    label = list(labels)[-1]

    proc = _fleet(project, "validate", "--cluster", name)

    assert proc.returncode == 0, proc.output
    assert (f"repository {label}: manifests/{label} (this checkout: the path exists)"
            in proc.stdout)
    assert "validate: OK: 0 error(s)" in proc.stdout


def test_synth_builds_the_new_clusters_stack(copy):
    project, name, labels = copy

    proc = _fleet(project, "synth", name)

    assert proc.returncode == 0, proc.output
    stack = json.loads((project / "cdktf.out" / "stacks" / name / "cdk.tf.json").read_text())
    (registration,) = stack["resource"]["argocd_cluster"].values()
    assert registration["metadata"] == [{"labels": labels}]


def test_validate_passes_with_the_clusters_in_other_clouds(cloud_copy):
    project, names, _ = cloud_copy

    proc = _fleet(project, "validate", *(f"--cluster={n}" for n in names.values()))

    assert proc.returncode == 0, proc.output
    assert "validate: OK: 0 error(s)" in proc.stdout


#: Each cloud's cluster resource, its node pool resources, and whether the first pool is
#: the cluster resource's own (AKS' default pool).
RESOURCES = {"aws": ("aws_eks_cluster", "aws_eks_node_group", False),
             "azure": ("azurerm_kubernetes_cluster", "azurerm_kubernetes_cluster_node_pool", True),
             "gcp": ("google_container_cluster", "google_container_node_pool", False)}


@pytest.mark.parametrize("cloud", sorted(CLOUD_CLUSTERS))
def test_synth_builds_each_clouds_stack(cloud_copy, cloud):
    project, names, labels = cloud_copy
    name = names[cloud]
    spec = yaml.safe_load((project / "clusters" / name / "cluster.yaml").read_text())

    proc = _fleet(project, "synth", name)

    assert proc.returncode == 0, proc.output
    stack = json.loads((project / "cdktf.out" / "stacks" / name / "cdk.tf.json").read_text())
    cluster_type, pool_type, default_inside = RESOURCES[cloud]
    (cluster,) = stack["resource"][cluster_type].values()
    assert cluster["name"] == name
    pools = stack["resource"].get(pool_type, {})
    assert len(pools) == len(spec["node_pools"]) - (1 if default_inside else 0)
    (registration,) = stack["resource"]["argocd_cluster"].values()
    assert registration["metadata"] == [{"labels": labels[name]}]


def test_the_repository_fleet_checks_pass_on_the_copy(cloud_copy, request):
    project, _, _ = cloud_copy
    checks = [item for item in request.session.items
              if item.get_closest_marker("repository_fleet") and item.module is not
              request.module]

    proc = _fleet(project, "test", "-q", "-m", "repository_fleet", **{IN_COPY: "1"})

    summary = proc.stdout.splitlines()[-1] if proc.stdout else ""
    assert proc.returncode == 0, proc.output[-6000:]
    passed = re.search(r"^(\d+) passed", summary)
    assert passed, proc.output[-6000:]
    assert "failed" not in summary and "error" not in summary, proc.output[-6000:]
    # Every repository-fleet check ran, on the copy's fleet with the new cluster
    # (this run may have collected a subset: then at least those).
    assert int(passed.group(1)) >= len(checks), summary
