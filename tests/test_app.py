"""main.py: one stack per cluster directory, selection, and all-or-nothing output."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from support.cli import fleetform
from support.fleets import CLEAN_ENV, ROOT, WORKER_YAML, write_cluster

STAGING = WORKER_YAML


def run_main(project, *args, env=None):
    """Run main.py of a project copy (its own clusters/ and cdktf.out/)."""
    return subprocess.run([sys.executable, str(project / "main.py"), *args],
                          capture_output=True, text=True, cwd=project,
                          env={**os.environ, **CLEAN_ENV, **(env or {})}, timeout=300)


@pytest.fixture
def project(tmp_path, fleet_dir):
    """A project directory with main.py and a copy of the example clusters/."""
    shutil.copy(ROOT / "main.py", tmp_path / "main.py")
    shutil.copy(ROOT / ".terraform.lock.hcl", tmp_path / ".terraform.lock.hcl")
    return tmp_path


def stacks(project):
    return sorted(p.name for p in (project / "cdktf.out" / "stacks").iterdir())


def test_example_fleet_has_one_stack_per_cluster_directory(example_out):
    manifest = json.loads((example_out / "manifest.json").read_text())

    assert sorted(manifest["stacks"]) == ["do-management", "do-production"]
    for name in manifest["stacks"]:
        doc = json.loads((example_out / "stacks" / name / "cdk.tf.json").read_text())
        assert doc["//"]["metadata"]["stackName"] == name


def test_new_directory_adds_a_stack_and_selection_builds_only_what_is_named(project):
    write_cluster(project / "clusters", "do-staging", STAGING)

    everything = run_main(project)
    assert everything.returncode == 0, everything.stderr
    assert stacks(project) == ["do-management", "do-production", "do-staging"]
    staging = json.loads((project / "cdktf.out/stacks/do-staging/cdk.tf.json").read_text())
    cluster = next(iter(staging["resource"]["digitalocean_kubernetes_cluster"].values()))
    assert (cluster["name"], cluster["region"]) == ("do-staging", "ams3")

    by_env = run_main(project, env={"FLEETFORM_CLUSTERS": "do-staging"})
    assert by_env.returncode == 0, by_env.stderr
    assert stacks(project) == ["do-staging"]

    by_arg = run_main(project, "do-production")
    assert by_arg.returncode == 0, by_arg.stderr
    assert stacks(project) == ["do-production"]


def test_unknown_selection_is_an_error(project):
    result = run_main(project, "do-nowhere")

    assert result.returncode == 2
    assert "no such cluster 'do-nowhere'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "cdktf.out").exists()


def test_invalid_fleet_leaves_previous_output_untouched(project):
    assert run_main(project, "do-production").returncode == 0
    before = {p: p.read_bytes() for p in (project / "cdktf.out").rglob("*") if p.is_file()}
    write_cluster(project / "clusters", "broken", STAGING + "    paint: blue\n")

    result = run_main(project)

    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: clusters/broken/cluster.yaml: paint: unknown key (known keys: ")
    after = {p: p.read_bytes() for p in (project / "cdktf.out").rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in project.iterdir() if p.name.startswith(".cdktf.out")]


def test_help_lists_commands():
    result = fleetform("--help", timeout=60)

    assert result.returncode == 0
    assert "synth" in result.stdout


@pytest.mark.parametrize("out, message", [
    (".", "must name a directory of its own"),
    ("clusters/..", "must name a directory of its own"),
    ("clusters", "which holds the fleet"),
    ("notes", "exists and is not a synth output (it holds keep.txt)"),
    ("file.txt", "exists and is not a directory"),
    ("clusters/out", "is inside {project}/clusters, which fleetform reads: every later synth "
                     "would read it as a cluster directory"),
    ("clusters/do-production/out", "is inside {project}/clusters, which fleetform reads"),
    ("manifests/out", "is inside {project}/manifests, which fleetform reads: it would be read "
                      "as manifests"),
    ("manifests", "is inside {project}/manifests, which fleetform reads"),
])
def test_out_that_would_destroy_something_else_is_refused(project, out, message):
    (project / "notes").mkdir()
    (project / "notes" / "keep.txt").write_text("mine")
    (project / "file.txt").write_text("mine")

    result = fleetform("synth", "--out", out, cwd=project, timeout=120)

    assert result.returncode == 2
    assert message.format(project=project.resolve()) in result.stderr
    assert "--out" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((project / "clusters").glob("*/*out*"))
    assert sorted(p.name for p in (project / "clusters").iterdir()) == \
        ["do-management", "do-production"]
    assert (project / "notes" / "keep.txt").read_text() == "mine"
    assert (project / "file.txt").read_text() == "mine"
    assert (project / "clusters" / "do-production" / "cluster.yaml").exists()


def test_local_state_stays_in_the_project_whatever_the_output_directory(project):
    result = fleetform("synth", "do-production", "--out", "build/deep/out", cwd=project,
                       timeout=120)
    assert result.returncode == 0, result.stderr
    stack_dir = project / "build/deep/out/stacks/do-production"
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())

    path = doc["terraform"]["backend"]["local"]["path"]
    assert (stack_dir / path).resolve() == (project / "terraform.do-production.tfstate").resolve()
