"""Depth and size bombs in every kind of YAML fleetform reads never crash a command.

libyaml's composer recurses once per nesting level: a document nested tens of
thousands of levels deep (200 KB of ``[``) used to kill ``synth`` and ``validate``
with a segmentation fault, before any message. Each kind of file a merge request
can change (a cluster.yaml on disk and in Git, a chart's Chart.yaml and
values.yaml, a cluster's values file, what a chart renders) is bombed here and
run through every command that reads it, each in its own process: the command
exits with its error status (never a signal), prints no traceback, and names the
file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.git_repo import GitRepo
from support.fleets import ROOT, write_cluster

from fleetform.errors import ConfigError
from fleetform.fleet.yamlfile import (MAX_YAML_BYTES, MAX_YAML_DEPTH, load_yaml, load_yaml_all,
                                      read_yaml)
from support.cli import fleetform, scrubbed_env

#: 100,000 levels: far past what the C composer survives on an 8 MiB stack.
DEEP = "[" * 100_000 + "]" * 100_000
#: Block nesting, compact (``- - - x``, each sequence one column in): 100,000 levels.
DEEP_BLOCK = "a:\n  " + "- " * 100_000 + "x\n"
APP = "manifests/production/apps/web/microservice-01"
VALUES = "manifests/production/values/do-production/microservice-01/values.yaml"


def cli(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"NO_COLOR": "1", "PYTHONPATH": str(ROOT / "constructs")}
    if args[0] != "synth":
        return fleetform(*args, cwd=project, env=env)
    # synth as cdktf runs it: main.py
    return subprocess.run([sys.executable, "main.py", *args[1:]], cwd=project,
                          capture_output=True, text=True, timeout=300, env=scrubbed_env(env))


def assert_refused(result: subprocess.CompletedProcess, file: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode in (1, 2), (result.returncode, output[-2000:])
    assert "Traceback" not in output, output[-3000:]
    assert file in output, output[-2000:]
    assert len(output) < 20_000, "the bomb is echoed"


@pytest.fixture
def project(project_copy) -> Path:
    (project_copy / "main.py").write_text((ROOT / "main.py").read_text())
    return project_copy


# --- Files on disk, through every command that reads them --------------------------------

ON_DISK = {
    "cluster.yaml, flow": ("clusters/do-bomb/cluster.yaml",
                           f"role: worker\nregion: {DEEP}\n"),
    "cluster.yaml, blocks": ("clusters/do-bomb/cluster.yaml", f"role: worker\n{DEEP_BLOCK}"),
    "Chart.yaml": (f"{APP}/Chart.yaml", f"apiVersion: v2\nname: microservice-01\n"
                                        f"version: 0.1.0\nannotations: {{a: {DEEP}}}\n"),
    "a chart's values.yaml": (f"{APP}/values.yaml", f"image: {DEEP}\n"),
    "a cluster's values file": (VALUES, DEEP_BLOCK),
}
COMMANDS = {
    "cluster.yaml": ["synth", "validate", "preview"],
    "other": ["validate", "preview"],
}


def _cases():
    for kind, (rel, text) in ON_DISK.items():
        for command in COMMANDS["cluster.yaml" if kind.startswith("cluster") else "other"]:
            yield pytest.param(rel, text, command, id=f"{kind}-{command}")


@pytest.mark.parametrize("rel,text,command", list(_cases()))
def test_a_depth_bomb_on_disk_is_refused_naming_the_file(project, rel, text, command):
    (project / rel).parent.mkdir(parents=True, exist_ok=True)
    (project / rel).write_text(text)
    args = [command] + (["--no-fetch"] if command in ("validate", "preview") else [])

    result = cli(project, *args)

    if command == "preview" and not rel.startswith("clusters/"):
        # preview shows what it can of an unreadable chart or values file ("?"):
        # validate is the one to report it.
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Traceback" not in result.stdout + result.stderr
        return
    assert_refused(result, rel)
    assert f"nested deeper than {MAX_YAML_DEPTH} levels" in result.stdout + result.stderr


@pytest.mark.parametrize("rel", [f"{APP}/values.yaml", VALUES, f"{APP}/Chart.yaml"])
def test_a_size_bomb_on_disk_is_refused_naming_the_file(project, rel):
    (project / rel).write_text("# " + "x" * MAX_YAML_BYTES + "\n")

    result = cli(project, "validate", "--no-fetch")

    assert_refused(result, rel)
    assert "is larger than 1024 KiB" in result.stdout


def test_a_chart_that_renders_a_depth_bomb_is_an_error_of_that_template(project):
    template = project / APP / "templates" / "bomb.yaml"
    template.write_text('data: {{ repeat 100000 "[" }}{{ repeat 100000 "]" }}\n')

    result = cli(project, "validate", "--no-fetch")

    assert_refused(result, f"{APP}/templates/bomb.yaml")
    assert "rendered output: invalid YAML: line 1: nested deeper than" in result.stdout


# --- Files in Git: changed and diff read both sides' cluster.yaml and values -------------

@pytest.fixture
def repo(project) -> GitRepo:
    repo = GitRepo(project)
    repo.commit("the fleet")
    return repo


def test_changed_refuses_a_bombed_cluster_yaml_in_the_change(repo):
    write_cluster(repo.path / "clusters", "do-bomb", f"role: worker\nregion: {DEEP}\n")
    repo.commit("bomb")

    result = cli(repo.path, "changed", "--base", "HEAD~1")

    assert_refused(result, "clusters/do-bomb/cluster.yaml")


@pytest.mark.parametrize("rel,text", [("clusters/do-bomb/cluster.yaml", f"role: worker\n"
                                                                       f"region: {DEEP}\n"),
                                      (VALUES, DEEP_BLOCK)], ids=["cluster.yaml", "values"])
def test_diff_refuses_a_bombed_file_in_the_change(repo, rel, text):
    (repo.path / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo.path / rel).write_text(text)
    repo.commit("bomb")

    result = cli(repo.path, "diff", "--base", "HEAD~1", "--no-fetch", "--gate")

    assert_refused(result, rel)


# --- The loader's bounds, each at its edge -------------------------------------------------

def test_the_deepest_document_allowed_loads_and_one_level_more_does_not():
    allowed = "[" * (MAX_YAML_DEPTH - 1) + "]" * (MAX_YAML_DEPTH - 1)

    assert load_yaml(f"a: {allowed}") is not None
    with pytest.raises(ConfigError, match="nested deeper than"):
        load_yaml(f"a: [{allowed}]", file="x.yaml")
    with pytest.raises(ConfigError, match="nested deeper than"):
        load_yaml_all(f"a: 1\n---\nb: [{allowed}]\n", file="x.yaml")


def test_rendered_output_past_its_size_bound_is_refused():
    with pytest.raises(ConfigError, match="is larger than 1 MiB"):
        load_yaml_all("a: b\n" * 300_000, file="rendered.yaml", max_bytes=1024 * 1024)


def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "values.yaml"
    os.mkfifo(fifo)

    with pytest.raises(ConfigError, match="is not a regular file"):
        read_yaml(fifo)


# --- YAML 1.1's other booleans --------------------------------------------------------------

@pytest.mark.parametrize("text,field", [("ha: yes", "ha"), ("auto_upgrade: off", "auto_upgrade"),
                                        ("labels: {production: no}", "labels")])
def test_yaml11_booleans_are_refused_in_a_cluster_yaml(fleet_dir, text, field):
    from fleetform.fleet.config import load_fleet

    production = (fleet_dir / "do-production" / "cluster.yaml").read_text()
    lines = [line for line in production.splitlines()
             if not line.startswith(f"{field}:")]
    (fleet_dir / "do-production" / "cluster.yaml").write_text("\n".join(lines + [text]) + "\n")

    with pytest.raises(ConfigError) as info:
        load_fleet(fleet_dir)

    assert "is a boolean in YAML 1.1 and a string in YAML 1.2: write true or false" \
        in str(info.value)
    assert str(info.value).startswith(str(fleet_dir / "do-production" / "cluster.yaml"))


def test_quoted_yaml11_words_are_strings_and_true_false_booleans(fleet_dir):
    from fleetform.fleet.config import load_fleet

    file = fleet_dir / "do-production" / "cluster.yaml"
    file.write_text(file.read_text().replace("labels: [global, production]",
                                             'labels: {global: "true", production: "yes"}')
                    + "ha: true\nauto_upgrade: False\n")

    cluster = load_fleet(fleet_dir).clusters["do-production"]

    assert cluster.spec.labels == {"global": "true", "production": "yes"}
    assert (cluster.spec.ha, cluster.spec.auto_upgrade) == (True, False)
