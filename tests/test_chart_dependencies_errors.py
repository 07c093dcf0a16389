"""Upstream charts that cannot be had: one line per chart that says what to do, and nothing
read that should not be (fetched charts are untrusted input)."""

from __future__ import annotations

import io
import json
import shutil
import socket
import tarfile
from pathlib import Path

import pytest

from support.chart_repo import ChartRepo
from test_chart_dependencies import WRAPPER, dependencies, validate, wrapper_chart, wrapper_fleet
from fleetform.commands.cli import main
from fleetform.errors import ConfigError
from fleetform.render import ChartDependencies, FetchError
from fleetform.render import cache as chart_cache
from fleetform.render import sources


@pytest.fixture
def charts(tmp_path):
    with ChartRepo(tmp_path / "served" / "charts") as repo:
        repo.add_upstream()
        yield repo


def only_warning(report) -> str:
    assert report.errors == []
    warnings = [p.message for p in report.warnings]
    assert len(warnings) == 1, warnings
    return warnings[0]


def test_a_version_not_in_the_index_names_the_newest(tmp_path, charts):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url, version="2.0.0")

    report = validate(fleet, dependencies(tmp_path / "cache"))

    assert only_warning(report) == (
        f"not rendered: dependency web 2.0.0 from {charts.url}: no version of web matching "
        f"'2.0.0' in {charts.url} (the newest is 1.1.0)")
    assert report.not_rendered[0].clusters == ["mgmt", "w1"]


def test_an_archive_that_is_not_the_one_the_index_describes_is_refused(tmp_path, charts):
    charts.tampered["web-1.0.0.tgz"] = (charts.directory / "web-1.1.0.tgz").read_bytes()
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)

    report = validate(fleet, dependencies(tmp_path / "cache"))

    message = only_warning(report)
    assert message.startswith(f"not rendered: dependency web 1.0.0 from {charts.url}: digest "
                              f"mismatch: the index of {charts.url} gives sha256:")
    assert "the repository changed under the index, or the download was altered" in message
    assert report.renders == 0
    # Nothing of it was kept: the next run asks the repository again.
    assert not any(Path(tmp_path / "cache").rglob("*.tgz"))


def test_an_unreachable_repository(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    url = f"http://127.0.0.1:{port}/charts"
    fleet = wrapper_fleet(tmp_path / "fleet", url)

    report = validate(fleet, dependencies(tmp_path / "cache"))

    assert only_warning(report) == (
        f"not rendered: dependency web 1.0.0 from {url}: repository unreachable: "
        f"127.0.0.1:{port} (Connection refused): check the URL and the network, or pass "
        "--no-fetch")


def test_a_repository_that_needs_a_login_says_which_variables_to_set(tmp_path):
    with ChartRepo(tmp_path / "private" / "charts", username="ci", password="s3cret-chart-pw") \
            as private:
        private.add_upstream()
        fleet = wrapper_fleet(tmp_path / "fleet", private.url)

        refused = validate(fleet, dependencies(tmp_path / "cache"))
        wrong = validate(fleet, dependencies(tmp_path / "cache", {
            "FLEETFORM_CHART_REPO_ACME_URL": private.url,
            "FLEETFORM_CHART_REPO_ACME_USERNAME": "ci",
            "FLEETFORM_CHART_REPO_ACME_PASSWORD": "wrong"}))
        allowed = validate(fleet, dependencies(tmp_path / "cache", {
            "FLEETFORM_CHART_REPO_ACME_URL": private.url,
            "FLEETFORM_CHART_REPO_ACME_USERNAME": "ci",
            "FLEETFORM_CHART_REPO_ACME_PASSWORD": "s3cret-chart-pw"}))

    host = private.url.split("/")[2]
    assert only_warning(refused) == (
        f"not rendered: dependency web 1.0.0 from {private.url}: authentication refused by "
        f"{host} (HTTP 401): set FLEETFORM_CHART_REPO_<ID>_URL, _USERNAME and _PASSWORD for it")
    assert only_warning(wrong).endswith(
        f"authentication refused by {host} (HTTP 401): check the credentials in "
        "FLEETFORM_CHART_REPO_ACME_*")
    assert allowed.not_rendered == [] and allowed.renders == 2
    for report in (refused, wrong, allowed):
        assert "s3cret-chart-pw" not in json.dumps(report.to_dict())


def test_credentials_go_to_their_repository_only(tmp_path):
    """An index that places its archive on another host gets no password sent there."""
    with ChartRepo(tmp_path / "other" / "charts") as other, \
            ChartRepo(tmp_path / "private" / "charts", username="ci", password="pw-1234") \
            as private:
        private.add_upstream(versions=("1.0.0",))
        # The same archive on the other host: packaged twice, its bytes (file times in
        # the tar) could differ from the digest the index gives.
        shutil.copy(private.directory / "web-1.0.0.tgz", other.directory)
        index = (private.directory / "index.yaml").read_text()
        # The same server by another name is another origin: localhost, not 127.0.0.1.
        elsewhere = other.url.replace("127.0.0.1", "localhost")
        (private.directory / "index.yaml").write_text(
            index.replace("- web-1.0.0.tgz", f"- {elsewhere}/web-1.0.0.tgz"))
        fleet = wrapper_fleet(tmp_path / "fleet", private.url)

        report = validate(fleet, dependencies(tmp_path / "cache", {
            "FLEETFORM_CHART_REPO_P_URL": private.url,
            "FLEETFORM_CHART_REPO_P_USERNAME": "ci", "FLEETFORM_CHART_REPO_P_PASSWORD": "pw-1234"}))

    assert report.not_rendered == []
    assert [auth is not None for _, auth in private.requests] == [True]  # the index
    assert other.requests == [("/charts/web-1.0.0.tgz", None)]


def test_incomplete_credentials_name_the_missing_variable():
    with pytest.raises(ConfigError) as raised:
        ChartDependencies(env={"FLEETFORM_CHART_REPO_X_URL": "https://charts.example.com",
                               "FLEETFORM_CHART_REPO_X_USERNAME": "ci"})
    assert raised.value.field == "FLEETFORM_CHART_REPO_X_PASSWORD"
    assert "is not set" in raised.value.message


def test_bad_credentials_on_the_command_line_exit_with_the_variable_not_a_traceback(
        tmp_path, charts, capsys, monkeypatch):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)
    monkeypatch.chdir(fleet.path)
    monkeypatch.setenv("FLEETFORM_CHART_REPO_X_URL", "ftp://charts.example.com")
    monkeypatch.setenv("FLEETFORM_CHART_REPO_X_USERNAME", "ci")
    monkeypatch.setenv("FLEETFORM_CHART_REPO_X_PASSWORD", "pw-5678")

    code = main(["validate"])

    err = capsys.readouterr().err
    assert code == 2
    assert "FLEETFORM_CHART_REPO_X_URL must be an http(s):// or oci:// URL" in err
    assert "Traceback" not in err and "pw-5678" not in err


def test_a_lock_out_of_sync_with_chart_yaml(tmp_path, charts):
    import helm_python as helm

    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)
    helm.dependency_update(fleet.path / WRAPPER)
    for archive in (fleet.path / WRAPPER / "charts").glob("*.tgz"):
        archive.unlink()
    fleet.write(f"{WRAPPER}/Chart.yaml", wrapper_chart(charts.url, "1.1.0"))  # lock not updated

    report = validate(fleet, dependencies(tmp_path / "cache"))

    assert only_warning(report).endswith(
        "Chart.lock is out of sync with Chart.yaml (its digest does not match the "
        "dependencies): run helm dependency update and commit Chart.lock")


# --------------------------------------------------------------------------- untrusted archives


def archive(members: list[tarfile.TarInfo], contents: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for info in members:
            data = (contents or {}).get(info.name)
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def entry(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


CHART_YAML = b"apiVersion: v2\nname: web\nversion: 1.0.0\n"


@pytest.mark.parametrize("members, contents, expected", [
    ([entry("web/Chart.yaml"), entry("web/templates/env", tarfile.SYMTYPE, "/proc/self/environ")],
     {"web/Chart.yaml": CHART_YAML},
     "holds web/templates/env, which is not a regular file"),
    ([entry("web/Chart.yaml"), entry("web/../../escape.yaml")],
     {"web/Chart.yaml": CHART_YAML, "web/../../escape.yaml": b"x"},
     "holds a path outside the chart: web/../../escape.yaml"),
    ([entry("/etc/cron.d/x")], {"/etc/cron.d/x": b"x"}, "holds a path outside the chart"),
    ([entry("web/Chart.yaml"), entry("other/Chart.yaml")],
     {"web/Chart.yaml": CHART_YAML, "other/Chart.yaml": CHART_YAML},
     "holds more than one top directory (web, other)"),
    ([entry("web/values.yaml")], {"web/values.yaml": b"a: 1\n"},
     "is not a chart (no Chart.yaml at its top)"),
    ([entry("web/Chart.yaml"), entry("web/values.schema.json")],
     {"web/Chart.yaml": CHART_YAML,
      "web/values.schema.json": b'{"$ref": "../../proc/self/environ"}'},
     "refers to '../../proc/self/environ': Helm would read that file"),
])
def test_an_archive_is_unpacked_as_regular_files_inside_the_chart_only(tmp_path, members,
                                                                      contents, expected):
    with pytest.raises(FetchError) as raised:
        chart_cache.unpack_chart(archive(members, contents), tmp_path / "web", shown="web 1.0.0")

    assert expected in raised.value.reason
    assert not (tmp_path / "web").exists()
    assert list(tmp_path.iterdir()) == []  # nothing half-unpacked left behind
    assert not (tmp_path.parent / "escape.yaml").exists()


def test_archives_over_the_limits_are_refused(tmp_path, charts, monkeypatch):
    many = [entry("web/Chart.yaml")] + [entry(f"web/templates/t{i}.yaml") for i in range(5)]
    monkeypatch.setattr(chart_cache, "MAX_FILES", 4)
    with pytest.raises(FetchError, match="holds more than 4 files, the limit"):
        chart_cache.unpack_chart(archive(many, {"web/Chart.yaml": CHART_YAML}),
                                 tmp_path / "web", shown="web")

    monkeypatch.setattr(sources, "MAX_ARCHIVE_BYTES", 100)
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)
    report = validate(fleet, dependencies(tmp_path / "cache"))
    assert only_warning(report).endswith(
        f"the chart archive at {charts.url}/web-1.0.0.tgz is larger than 100 bytes, "
        "the limit")


def test_a_tampered_cache_entry_is_a_miss_not_a_chart(tmp_path, charts):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)
    validate(fleet, dependencies(tmp_path / "cache"))
    (cached,) = Path(tmp_path / "cache").rglob("*.tgz")
    cached.write_bytes((charts.directory / "web-1.1.0.tgz").read_bytes())
    before = len(charts.downloads())

    report = validate(fleet, dependencies(tmp_path / "cache"))

    assert report.not_rendered == [] and report.chart_cache_hits == 0
    assert len(charts.downloads()) == before + 1


def test_an_oci_tag_that_does_not_exist_names_the_newest(tmp_path):
    from support.oci_registry import OciRegistry
    from test_chart_dependencies import push_upstream

    with OciRegistry() as registry:
        push_upstream(registry, tmp_path)
        fleet = wrapper_fleet(tmp_path / "fleet", registry.url, version="1.2.0")
        report = validate(fleet, dependencies(tmp_path / "cache"))

    assert only_warning(report) == (
        f"not rendered: dependency web 1.2.0 from {registry.url}: no version of web matching "
        f"'1.2.0' in {registry.url} (the newest is 1.1.0)")


def test_a_repository_that_fails_is_asked_once_a_run_not_once_a_combination(tmp_path, charts):
    charts.down = True  # it accepts the connection and closes it without an answer
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)

    report = validate(fleet, dependencies(tmp_path / "cache"))

    assert report.combinations == 2 and len(report.not_rendered) == 1
    assert charts.requests == [("/charts/index.yaml", None)]
    assert "repository unreachable: 127.0.0.1:" in only_warning(report)
