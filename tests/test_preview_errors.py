"""fleetform preview: unknown names and unusable options are one-line errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.fleets import EXAMPLE_PROJECT
from test_validate import run_cli


@pytest.mark.parametrize("args, expected", [
    (["--cluster", "do-prod"], "error: --cluster: no such cluster 'do-prod' (did you mean "
                               "'do-production'?) (known: do-management, do-production)"),
    (["--app", "microservice01"], "error: --app: no such app 'microservice01' (did you mean "
                                  "'microservice-01'?) (known: argocd-ingress, cert-manager, "
                                  "ingress-nginx, microservice-01)"),
    (["--diagram", "fleet.png"], "error: --diagram: must end in .svg or .mmd (or be -), "
                                 "got 'fleet.png'"),
    (["--repo", "global"], "error: --repo: expected LABEL=DIR, got 'global'"),
])
def test_usage_errors(capsys, monkeypatch, args, expected):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    code, out, err = run_cli(capsys, "preview", *args)

    assert code == 2
    assert err.strip() == expected
    assert out == ""


def test_diagram_into_a_missing_directory(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    code, _, err = run_cli(capsys, "preview", "--diagram", str(tmp_path / "no/such/fleet.svg"))

    assert code == 2
    assert err.strip() == f"error: {tmp_path}/no/such: --diagram: directory does not exist"


def test_diagram_onto_a_directory(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)
    target = tmp_path / "fleet.svg"
    target.mkdir()

    code, out, err = run_cli(capsys, "preview", "--diagram", str(target))

    assert code == 2
    assert err.strip() == f"error: {target}: --diagram: cannot be written (Is a directory)"
    assert "Traceback" not in out + err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_diagram_into_proc(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    code, out, err = run_cli(capsys, "preview", "--diagram", "/proc/x.svg")

    assert code == 2
    assert err.strip().startswith("error: /proc/x.svg: --diagram: cannot be written (")
    assert len(err.strip().splitlines()) == 1


def test_a_repository_that_is_not_available_locally(project_copy, capsys):
    (project_copy / "manifests/global").rename(project_copy / "global-elsewhere")

    code, _, err = run_cli(capsys, "preview", "--no-fetch",
                           "--clusters-dir", str(project_copy / "clusters"))

    assert code == 2
    assert "argocd.repositories.global: repository https://gitlab.com/example/fleetform.git " \
           "path 'manifests/global' is not in this checkout and fetching is off (--no-fetch): " \
           "pass --repo global=DIR" in err

    code, out, _ = run_cli(capsys, "preview", "--clusters-dir", str(project_copy / "clusters"),
                           "--repo", f"global={project_copy / 'nowhere'}")
    assert code == 2


def test_build_preview_without_a_fetcher_says_so_not_no_fetch(project_copy):
    from fleetform.commands.preview import build_preview
    from fleetform.errors import ConfigError

    (project_copy / "manifests/global").rename(project_copy / "global-elsewhere")

    with pytest.raises(ConfigError) as caught:
        build_preview(project_copy / "clusters")

    assert "path 'manifests/global' is not in this checkout and no fetcher was given to " \
           "clone it (fetcher=RepositoryFetcher()): give one, or a checkout of it for label " \
           "'global' in the overrides" in str(caught.value)
    assert "--no-fetch" not in str(caught.value)


def test_nothing_matching_a_cluster_and_app_pair_is_said_not_errored(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    code, out, _ = run_cli(capsys, "preview", "--cluster", "do-management",
                           "--app", "microservice-01")

    assert code == 0
    assert out.strip() == "nothing matches: the apps named are not deployed to the clusters named"


def test_a_broken_fleet_is_a_config_error(project_copy, capsys):
    file = project_copy / "clusters/do-production/cluster.yaml"
    file.write_text(file.read_text().replace("labels: [global, production]",
                                             "labels: [global, prod]"))

    code, _, err = run_cli(capsys, "preview", "--clusters-dir", str(project_copy / "clusters"))

    assert code == 2
    assert "labels.prod: label 'prod' has no repository" in err
