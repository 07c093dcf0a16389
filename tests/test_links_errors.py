"""Symbolic links leaving a repository are refused by every reader, with the link named.

A merge request can put a link anywhere in a manifest repository; followed, a link to
a file outside the checkout reads it (and Helm's ``.Files.Get`` or ``fail`` prints it).
Here the outside file holds a sentinel: it must never appear in what a command prints.
"""

from __future__ import annotations

import json
import re
import os
from pathlib import Path

import pytest
from support.fleets import SCHEMAS
from test_validate import run_cli, write_chart

from fleetform.errors import ConfigError
from fleetform.commands.validate import validate_fleet

SENTINEL = "sentinel-outside-the-checkout-5e1b"
GLOBAL = "manifests/global"
LEAK = f"{GLOBAL}/apps/web/leak"
#: Prints what ``files/env`` holds (NUL bytes as spaces, as for /proc/self/environ).
LEAKING_TEMPLATE = '{{ fail (.Files.Get "files/env" | replace "\\x00" " ") }}\n'


@pytest.fixture
def outside(tmp_path) -> Path:
    """A file outside the checkout (``tmp_path/project``) holding a secret."""
    secret = tmp_path / "outside" / "secret.env"
    secret.parent.mkdir()
    secret.write_text(f"DIGITALOCEAN_TOKEN={SENTINEL}\n")
    return secret


@pytest.fixture
def project(tmp_path, project_copy_factory) -> Path:
    return project_copy_factory(tmp_path / "project")


@pytest.fixture
def project_copy_factory():
    import shutil

    from support.fleets import CLUSTERS, MANIFESTS

    def make(target: Path) -> Path:
        shutil.copytree(CLUSTERS, target / "clusters")
        shutil.copytree(MANIFESTS, target / "manifests")
        return target
    return make


def leaking_chart(project: Path, target: Path | str) -> Path:
    chart = write_chart(project / LEAK, "leak", {"leak.yaml": LEAKING_TEMPLATE})
    (chart / "files").mkdir()
    (chart / "files" / "env").symlink_to(target)
    return chart


def validate_cli(capsys, project: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "validate", "--clusters-dir", str(project / "clusters"),
                   "--argocd-schemas", str(SCHEMAS), *extra)


def preview_cli(capsys, project: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "preview", "--clusters-dir", str(project / "clusters"), *extra)


# --- a chart file linked outside ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_validate_refuses_a_chart_file_linked_outside_and_prints_nothing_of_it(
        project, outside, capsys, fmt):
    leaking_chart(project, outside)

    code, out, err = validate_cli(capsys, project, "--format", fmt)

    assert code == 1
    assert SENTINEL not in out + err
    link = project / LEAK / "files" / "env"
    expected = (f"symbolic link to {outside}, outside the repository ({project}): Argo CD "
                "refuses a repository holding such a link, and fleetform does not follow it")
    if fmt == "json":
        problems = json.loads(out)["problems"]
        assert [(p["file"], p["message"], p["repository"]) for p in problems] == \
            [(str(link), expected, "global")]
    else:
        assert f"error: {link}: {expected} [repository 'global']" in out.splitlines()


def test_validate_still_checks_the_other_repositories(project, outside):
    leaking_chart(project, outside)

    report = validate_fleet(project / "clusters", schemas_dir=SCHEMAS)

    assert [p.label for p in report.errors] == ["global"]
    assert report.renders == 2  # microservice-01 and argocd-ingress: their labels are fine


def test_preview_refuses_a_chart_file_linked_outside(project, outside, capsys):
    leaking_chart(project, outside)

    code, out, err = preview_cli(capsys, project)

    assert code == 2
    assert out == ""
    assert err.strip() == (
        f"error: {project / LEAK / 'files/env'}: symbolic link to {outside}, outside the "
        f"repository ({project}): Argo CD refuses a repository holding such a link, and "
        "fleetform does not follow it")


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_a_link_to_the_process_environment_is_refused(project, capsys):
    leaking_chart(project, "/proc/self/environ")

    code, out, _ = validate_cli(capsys, project)

    assert code == 1
    assert "files/env: symbolic link to /proc/self/environ, outside the repository" in out
    assert os.environ["PATH"] not in out


def test_a_link_inside_the_repository_is_followed(project):
    shared = project / GLOBAL / "shared" / "configmap.yaml"
    shared.parent.mkdir()
    shared.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n"
                      "data:\n  key: from-a-shared-file\n")
    chart = write_chart(project / LEAK, "leak", {})
    (chart / "templates" / "configmap.yaml").symlink_to(os.path.relpath(shared,
                                                                        chart / "templates"))

    report = validate_fleet(project / "clusters", schemas_dir=SCHEMAS)

    assert report.errors == []
    assert report.renders == 3


# --- value files, directories, the repository path ----------------------------------------


def test_cluster_values_linked_outside_are_refused_by_preview(project, outside, capsys):
    values = project / GLOBAL / "values/do-production/ingress-nginx/values.yaml"
    values.parent.mkdir(parents=True)
    values.symlink_to(outside)

    code, out, err = preview_cli(capsys, project)

    assert code == 2
    assert SENTINEL not in out + err
    assert err.startswith(f"error: {values}: symbolic link to {outside}, outside the repository")


def test_cluster_values_linked_outside_are_refused_by_validate(project, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(f"token: {SENTINEL}\n")  # valid values: read, they would pass
    values = project / GLOBAL / "values/do-production/ingress-nginx/values.yaml"
    values.parent.mkdir(parents=True)
    values.symlink_to(outside)

    report = validate_fleet(project / "clusters", schemas_dir=SCHEMAS)

    assert [(p.file, p.label) for p in report.errors] == [(str(values), "global")]
    assert SENTINEL not in json.dumps(report.to_dict())


def test_a_values_directory_linked_outside_is_refused(project, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "ingress-nginx").mkdir(parents=True)
    (elsewhere / "ingress-nginx" / "values.yaml").write_text(f"token: {SENTINEL}\n")
    link = project / GLOBAL / "values/do-production"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere)

    code, out, err = preview_cli(capsys, project)

    assert code == 2
    assert SENTINEL not in out + err
    assert err.startswith(f"error: {link}: symbolic link to {elsewhere}, outside the repository")


@pytest.mark.parametrize("command", ["validate", "preview"])
def test_a_repository_path_linked_outside_is_refused(project, tmp_path, capsys, command):
    elsewhere = tmp_path / "elsewhere"
    (project / GLOBAL).rename(elsewhere)
    (project / GLOBAL).symlink_to(elsewhere)

    code, out, err = (validate_cli if command == "validate" else preview_cli)(capsys, project)

    assert code == (1 if command == "validate" else 2)
    management = project / "clusters/do-management/cluster.yaml"
    expected = (f"{management}: argocd.repositories.global.path: {project / GLOBAL}: symbolic "
                f"link to {elsewhere}, outside the repository ({project})")
    assert expected in out + err
    assert "ingress-nginx" not in out  # nothing of the outside chart was read


def test_loops_and_dangling_links_are_named(project):
    chart = write_chart(project / LEAK, "leak", {})
    (chart / "files").mkdir()
    (chart / "files" / "a").symlink_to("b")
    (chart / "files" / "b").symlink_to("a")
    (chart / "files" / "gone").symlink_to("missing.txt")

    report = validate_fleet(project / "clusters", schemas_dir=SCHEMAS)

    assert sorted((Path(p.file).name, p.message) for p in report.errors) == [
        ("a", "symbolic link loop (b)"), ("b", "symbolic link loop (a)"),
        ("gone", "dangling symbolic link: missing.txt does not exist")]


# --- the copy Helm renders: no link at all -------------------------------------------------


def test_helm_renders_a_copy_without_links_even_when_the_check_is_skipped(
        project, outside, monkeypatch):
    """Defense in depth: with the repository check out of the way, the copy still refuses."""
    leaking_chart(project, outside)
    monkeypatch.setattr("fleetform.fleet.repositories.refused_links", lambda location: [])

    report = validate_fleet(project / "clusters", schemas_dir=SCHEMAS)

    assert SENTINEL not in json.dumps(report.to_dict())
    (error,) = report.errors
    assert error.file == str(project / LEAK / "files" / "env")
    assert "outside the repository" in error.message


def test_copy_tree_copies_inner_links_as_files(tmp_path):
    from fleetform.fleet import links

    root = tmp_path / "repo"
    (root / "chart" / "templates").mkdir(parents=True)
    (root / "shared.yaml").write_text("shared\n")
    (root / "chart" / "templates" / "x.yaml").symlink_to("../../shared.yaml")
    (root / "chart" / "more").symlink_to("templates")

    links.copy_tree(root / "chart", tmp_path / "copy", root)

    copied = tmp_path / "copy" / "templates" / "x.yaml"
    assert copied.read_text() == "shared\n" and not copied.is_symlink()
    assert (tmp_path / "copy" / "more").is_dir() and not (tmp_path / "copy" / "more").is_symlink()


def test_copy_tree_refuses_a_fifo(tmp_path):
    from fleetform.fleet import links

    root = tmp_path / "repo"
    (root / "chart").mkdir(parents=True)
    os.mkfifo(root / "chart" / "pipe")

    with pytest.raises(ConfigError) as caught:
        links.copy_tree(root / "chart", tmp_path / "copy", root)

    assert str(caught.value) == (f"{root}/chart/pipe: is not a regular file or directory "
                                 "(a FIFO, socket or device is never part of a chart)")


def test_copy_tree_refuses_a_directory_link_to_its_parent(tmp_path):
    from fleetform.fleet import links

    root = tmp_path / "repo"
    (root / "chart").mkdir(parents=True)
    (root / "chart" / "again").symlink_to(".")

    with pytest.raises(ConfigError, match=r"chart/again: symbolic link loop \(\.\)"):
        links.copy_tree(root / "chart", tmp_path / "copy", root)


# --- JSON Schema references: Helm opens them itself --------------------------------------


@pytest.mark.parametrize("schema", [
    {"$ref": "../../../../../../../../proc/self/environ"},
    {"$ref": "file:///proc/self/environ"},
    {"properties": {"a": {"$id": "file:///proc/self/", "$ref": "environ"}}},
    {"$schema": "/proc/self/environ"},
])
def test_a_schema_referring_to_a_local_file_is_refused(project, capsys, schema):
    chart = write_chart(project / LEAK, "leak", {})
    (chart / "values.schema.json").write_text(json.dumps(schema))

    code, out, _ = validate_cli(capsys, project)

    assert code == 1
    assert f"error: {chart / 'values.schema.json'}: refers to " in out
    assert "Helm would read that file from the machine that renders the chart" in out
    assert "failing loading" not in out  # Helm never tried


def test_a_vendored_subchart_schema_is_checked_too(project, capsys, tmp_path):
    import io
    import tarfile

    chart = write_chart(project / LEAK, "leak", {},
                        extra="dependencies:\n- {name: sub, version: 0.1.0, repository: "
                              "https://example.com/charts}\n")
    (chart / "charts").mkdir()
    with tarfile.open(chart / "charts" / "sub-0.1.0.tgz", "w:gz") as tar:
        for name, text in {"sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
                           "sub/values.schema.json": '{"$ref": "/proc/self/environ"}'}.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            tar.addfile(info, io.BytesIO(text.encode()))

    code, out, _ = validate_cli(capsys, project)

    assert code == 1
    assert (f"error: {chart / 'charts/sub-0.1.0.tgz'}!sub/values.schema.json: refers to "
            "'/proc/self/environ'") in out


def test_schema_references_inside_the_schema_or_to_http_are_allowed(project):
    chart = write_chart(project / LEAK, "leak", {}, values="replicas: 1\n")
    (chart / "values.schema.json").write_text(json.dumps({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"count": {"type": "integer"}},
        "properties": {"replicas": {"$ref": "#/definitions/count"}}}))

    report = validate_fleet(project / "clusters", schemas_dir=SCHEMAS)

    assert report.errors == []


def test_diff_renders_a_copy_without_links_even_when_the_check_is_skipped(
        project, outside, monkeypatch):
    """fleetform diff renders through the same link-free copies as validate."""
    from fleetform.commands.diff.apps import Renderer
    from fleetform.fleet.config import load_fleet
    from fleetform.fleet.repositories import locate_or_raise, plan, scan_apps

    leaking_chart(project, outside)
    monkeypatch.setattr("fleetform.fleet.repositories.refused_links", lambda location: [])
    fleet = load_fleet(project / "clusters")
    locations = locate_or_raise(fleet)
    apps = {label: scan_apps(location) for label, location in locations.items()}
    (leak,) = [d for d in plan(fleet.clusters.values(), locations, apps)
               if d.app.name == "leak" and d.cluster.name == "do-production"]
    renderer = Renderer()
    try:
        rendered = renderer.render(leak)
    finally:
        renderer.close()

    assert rendered.objects is None
    assert SENTINEL not in rendered.error
    assert rendered.error.startswith(f"{project / LEAK / 'files/env'}: symbolic link to "
                                     f"{outside}, outside the repository")


def test_a_fetched_repository_goes_through_the_same_refusal(project, tmp_path, monkeypatch,
                                                            capsys, outside):
    """A label's repository cloned from its URL: its links are checked like this checkout's."""
    from support.fleets import add_repositories, readme_cluster_example
    from test_repositories_fetch import _publish, _server, _staging_apps

    cluster_yaml, repositories = readme_cluster_example()
    (project / "clusters" / "do-staging").mkdir()
    (project / "clusters" / "do-staging" / "cluster.yaml").write_text(cluster_yaml)
    add_repositories(project / "clusters" / "do-management" / "cluster.yaml", repositories)
    server = _server(tmp_path, monkeypatch)
    work = _staging_apps(tmp_path)
    (work.path / "apps/web/hello/templates/leak.yaml").write_text(LEAKING_TEMPLATE)
    (work.path / "apps/web/hello/files").mkdir()
    (work.path / "apps/web/hello/files/env").symlink_to(outside)
    work.commit("a link")
    _publish(work, server, "staging-apps.git")
    monkeypatch.setenv("TF_VAR_staging_repo_token", "token")

    code, out, err = validate_cli(capsys, project)

    assert code == 1
    assert SENTINEL not in out + err
    assert re.search(r"error: \S*/apps/web/hello/files/env: symbolic link to "
                     + re.escape(str(outside)) + r", outside the repository", out), out
