"""Upstream charts rendered: validate and diff fetch the dependencies wrappers do not vendor.

Each test serves a chart repository on loopback (``support/chart_repo.py``: charts
packaged and indexed by real Helm), builds a fleet whose wrapper chart depends on
its ``web`` chart, and runs validate or diff as a user would.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from support.fleets import SCHEMAS
from support.git_repo import GitRepo
from support.chart_repo import ChartRepo
from fleetform.commands.cli import main
from fleetform.commands.diff import build_diff
from fleetform.commands.changes import changed_clusters
from fleetform.commands.validate import validate_fleet
from fleetform.render import ChartCache, ChartDependencies

URL = "https://gitlab.example.com/acme/fleet.git"
WRAPPER = "manifests/global/apps/web/site"

MANAGEMENT = f"""\
role: management
region: fra1
kubernetes_version: "1.33"
node_pools: [{{name: default, size: s-2vcpu-4gb, count: 1}}]
labels: [global]
argocd:
  hostname: argocd.example.com
  repositories:
    global: {{url: "{URL}", path: manifests/global}}
"""

WORKER = """\
role: worker
region: ams3
kubernetes_version: "1.33"
node_pools: [{name: default, size: s-2vcpu-4gb, count: 2}]
labels: [global]
"""


def wrapper_chart(repository: str, version: str) -> str:
    return textwrap.dedent(f"""\
        apiVersion: v2
        name: site
        version: 1.0.0
        dependencies:
          - name: web
            version: "{version}"
            repository: {repository}
        """)


def wrapper_fleet(path: Path, repository: str, version: str = "1.0.0") -> GitRepo:
    """mgmt and w1, both with the global label, whose one app wraps ``web``."""
    repo = GitRepo(path)
    repo.git("remote", "add", "origin", URL)
    repo.write("clusters/mgmt/cluster.yaml", MANAGEMENT)
    repo.write("clusters/w1/cluster.yaml", WORKER)
    repo.write(f"{WRAPPER}/Chart.yaml", wrapper_chart(repository, version))
    repo.write(f"{WRAPPER}/values.yaml", "web:\n  replicas: 3\n  greeting: hi\n")
    repo.write(f"{WRAPPER}/templates/NOTES.txt", "The site, served by web.\n")
    repo.write("manifests/global/values/w1/site/values.yaml", "web:\n  tag: '1.29'\n")
    repo.commit("fleet")
    return repo


@pytest.fixture
def charts(tmp_path):
    with ChartRepo(tmp_path / "served" / "charts") as repo:
        repo.add_upstream()
        yield repo


def dependencies(cache: Path, env=None) -> ChartDependencies:
    return ChartDependencies(ChartCache(cache), env=env or {})


def validate(fleet: GitRepo, deps: ChartDependencies | None):
    return validate_fleet(fleet.path / "clusters", schemas_dir=SCHEMAS, dependencies=deps)


# --------------------------------------------------------------------------- validate


def test_validate_renders_a_wrapper_through_its_upstream_chart(tmp_path, charts):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)

    report = validate(fleet, dependencies(tmp_path / "cache"))

    assert report.errors == [] and report.warnings == []
    assert report.not_rendered == []
    # mgmt and w1 differ by w1's value file: two renders, each a Deployment and a ConfigMap.
    assert (report.combinations, report.renders, report.objects) == (2, 2, 4)
    assert report.chart_downloads == 2  # the index, then web-1.0.0.tgz; once for both
    assert charts.downloads() == ["/charts/web-1.0.0.tgz"]


def test_a_second_run_downloads_nothing(tmp_path, charts):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)
    validate(fleet, dependencies(tmp_path / "cache"))
    before = len(charts.requests)

    report = validate(fleet, dependencies(tmp_path / "cache"))

    assert len(charts.requests) == before
    assert (report.chart_downloads, report.chart_cache_hits) == (0, 1)
    assert report.renders == 2 and report.not_rendered == []


def test_the_command_line_fetches_by_default_and_no_fetch_stays_offline(tmp_path, charts,
                                                                        capsys, monkeypatch):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)
    monkeypatch.chdir(fleet.path)
    monkeypatch.setenv("FLEETFORM_CHART_CACHE", str(tmp_path / "cache"))

    assert main(["validate", "--no-fetch", "--argocd-schemas", str(SCHEMAS)]) == 0
    offline = capsys.readouterr().out
    assert charts.requests == []
    assert "2 rendered" not in offline and "0 rendered, 2 not rendered" in offline
    assert f"dependencies.web: not rendered: dependency web 1.0.0 from {charts.url}: " \
           "not fetched (--no-fetch)" in offline

    assert main(["validate", "--argocd-schemas", str(SCHEMAS)]) == 0
    out = capsys.readouterr().out
    assert "2 distinct (chart, values) combinations: 2 rendered, 0 not rendered" in out
    assert "upstream charts: 2 download(s), 0 from the chart cache" in out
    assert "validate: OK: 0 error(s), 0 warning(s)" in out


def test_a_range_takes_the_highest_matching_version(tmp_path, charts):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url, version="^1.0.0")

    report = validate(fleet, dependencies(tmp_path / "cache"))

    assert report.not_rendered == [] and report.errors == []
    assert charts.downloads() == ["/charts/web-1.1.0.tgz"]


def test_chart_lock_pins_the_version_a_range_would_move_past(tmp_path, charts):
    import helm_python as helm

    with ChartRepo(tmp_path / "old" / "charts") as old:
        old.add_upstream(versions=("1.0.0",))
        fleet = wrapper_fleet(tmp_path / "fleet", old.url, version="^1.0.0")
        # helm dependency update writes Chart.lock (1.0.0, all there was) and vendors the
        # archive; the fleet commits the lock only.
        helm.dependency_update(fleet.path / WRAPPER)
    for archive in (fleet.path / WRAPPER / "charts").glob("*.tgz"):
        archive.unlink()
    lock = (fleet.path / WRAPPER / "Chart.lock").read_text().replace(old.url, charts.url)
    chart = (fleet.path / WRAPPER / "Chart.yaml").read_text().replace(old.url, charts.url)
    # The digest covers the repository URL: recompute it as helm would for the new URL.
    from fleetform.render.dependencies import lock_digest
    import yaml

    data = yaml.safe_load(lock)
    data["digest"] = lock_digest(yaml.safe_load(chart)["dependencies"], data["dependencies"])
    fleet.write(f"{WRAPPER}/Chart.lock", yaml.safe_dump(data))
    fleet.write(f"{WRAPPER}/Chart.yaml", chart)

    report = validate(fleet, dependencies(tmp_path / "cache"))

    assert report.not_rendered == [] and report.errors == []
    assert charts.downloads() == ["/charts/web-1.0.0.tgz"]


def test_the_lock_digest_is_helms_own(tmp_path, charts):
    """Helm's Chart.lock digest, recomputed: what helm dependency build checks."""
    import helm_python as helm
    import yaml

    from fleetform.render.dependencies import lock_digest

    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(textwrap.dedent(f"""\
        apiVersion: v2
        name: site
        version: 1.0.0
        dependencies:
          - name: web
            version: ">=1.0.0, <1.1.0"
            repository: {charts.url}
            condition: web.enabled
            tags: [frontend]
            alias: front
            import-values: [{{child: exports.data, parent: imported}}]
          - name: web
            version: "~1.1"
            repository: {charts.url}
        """))
    helm.dependency_update(chart)
    lock = yaml.safe_load((chart / "Chart.lock").read_text())

    required = yaml.safe_load((chart / "Chart.yaml").read_text())["dependencies"]
    assert lock_digest(required, lock["dependencies"]) == lock["digest"]
    assert lock_digest(required[:1], lock["dependencies"]) != lock["digest"]


# --------------------------------------------------------------------------- diff


def test_a_chart_bump_shows_the_objects_that_change(tmp_path, charts):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)
    base = fleet.head()
    fleet.write(f"{WRAPPER}/Chart.yaml", wrapper_chart(charts.url, "1.1.0"))
    fleet.commit("web 1.1.0")

    diff = build_diff(fleet.path, changed_clusters(fleet.path, base), env={
        "FLEETFORM_CHART_CACHE": str(tmp_path / "cache"), "FLEETFORM_LOCK_FILE": "none"})

    by_cluster = {p.cluster: p for p in diff.pairs}
    assert sorted(by_cluster) == ["mgmt", "w1"]
    w1 = by_cluster["w1"]
    assert w1.status == "changed" and w1.problems == []
    assert sorted((o.action, o.kind, o.name) for o in w1.objects) == [
        ("add", "Service", "site-web"), ("change", "Deployment", "site-web"),
        ("remove", "ConfigMap", "site-settings")]
    # The upstream chart's template change, through the wrapper's values (3 replicas).
    assert "-  replicas: 3" in w1.diff and "+  replicas: 4" in w1.diff
    # Each side fetched its own version.
    assert sorted(charts.downloads()) == ["/charts/web-1.0.0.tgz", "/charts/web-1.1.0.tgz"]


def test_a_dependency_that_cannot_be_fetched_is_not_rendered_and_the_others_still_diff(
        tmp_path, charts):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)
    fleet.write("manifests/global/apps/web/plain/Chart.yaml",
                "apiVersion: v2\nname: plain\nversion: 1.0.0\n")
    fleet.write("manifests/global/apps/web/plain/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n"
                "data: {n: {{ .Values.n | quote }}}\n")
    fleet.write("manifests/global/apps/web/plain/values.yaml", "n: 1\n")
    base = fleet.commit("plain")
    fleet.write(f"{WRAPPER}/Chart.yaml", wrapper_chart(charts.url, "9.9.9"))
    fleet.write("manifests/global/apps/web/plain/values.yaml", "n: 2\n")
    fleet.commit("web 9.9.9, plain n=2")

    diff = build_diff(fleet.path, changed_clusters(fleet.path, base), env={
        "FLEETFORM_CHART_CACHE": str(tmp_path / "cache"), "FLEETFORM_LOCK_FILE": "none"})

    site = {p.cluster: p for p in diff.pairs if p.app == "web/site"}
    plain = {p.cluster: p for p in diff.pairs if p.app == "web/plain"}
    assert site["w1"].status == "not rendered"
    assert site["w1"].problems == [
        f"head: not rendered: dependency web 9.9.9 from {charts.url}: no version of web "
        f"matching '9.9.9' in {charts.url} (the newest is 1.1.0)"]
    assert plain["w1"].status == "changed" and [o.action for o in plain["w1"].objects] == \
        ["change"]
    assert not any(v.gate == "render-error" for v in diff.violations)


def test_the_diff_command_line_reports_a_bump(tmp_path, charts, capsys, monkeypatch):
    fleet = wrapper_fleet(tmp_path / "fleet", charts.url)
    base = fleet.head()
    fleet.write(f"{WRAPPER}/Chart.yaml", wrapper_chart(charts.url, "1.1.0"))
    fleet.commit("web 1.1.0")
    monkeypatch.chdir(fleet.path)
    monkeypatch.setenv("FLEETFORM_CHART_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FLEETFORM_LOCK_FILE", "none")

    assert main(["diff", "--base", base, "--format", "json"]) == 0

    doc = json.loads(capsys.readouterr().out)
    w1 = next(p for p in doc["manifests"] if p["cluster"] == "w1")
    assert {(o["action"], o["kind"]) for o in w1["objects"]} == {
        ("add", "Service"), ("change", "Deployment"), ("remove", "ConfigMap")}


# --------------------------------------------------------------------------- OCI


def push_upstream(registry, tmp_path: Path, versions=("1.0.0", "1.1.0")) -> None:
    """The upstream chart's versions, pushed with Helm's registry client (helm push)."""
    import helm_python as helm

    from support.chart_repo import UPSTREAM_VALUES, UPSTREAM_VERSIONS, write_chart

    client = helm.RegistryClient(plain_http=True,
                                 credentials_file=tmp_path / "push-registry.json")
    if registry.username:
        client.login(registry.host, registry.username, registry.password, plain_http=True)
    for version in versions:
        chart = write_chart(tmp_path / f"push-{version}", "web", version,
                            UPSTREAM_VERSIONS[version], UPSTREAM_VALUES)
        client.push(helm.package(chart, destination=tmp_path / f"push-{version}"),
                    registry.url, plain_http=True)
    client.close()


def test_validate_renders_through_an_oci_registry_once_across_runs(tmp_path):
    from support.oci_registry import OciRegistry

    with OciRegistry() as registry:
        push_upstream(registry, tmp_path)
        fleet = wrapper_fleet(tmp_path / "fleet", registry.url, version="~1.0")
        pushed = len(registry.requests)
        first = validate(fleet, dependencies(tmp_path / "cache"))
        pulled = registry.blob_downloads()
        second = validate(fleet, dependencies(tmp_path / "cache"))

    for report in (first, second):
        assert report.errors == [] and report.not_rendered == []
        assert (report.renders, report.objects) == (2, 4)
    assert first.chart_downloads == 1 and pulled >= 1
    assert registry.blob_downloads() == pulled  # the second run pulled nothing
    # ~1.0 is 1.0.x: the tags were listed, 1.1.0 left alone.
    pulls = [path for _, path in registry.requests[pushed:]]
    assert any(path.endswith("/tags/list") for path in pulls)
    assert not any(path.endswith("/manifests/1.1.0") for path in pulls)


def test_a_private_oci_registry_takes_its_login_from_the_environment(tmp_path):
    from support.oci_registry import OciRegistry

    with OciRegistry(username="ci", password="oci-pw-2468") as registry:
        push_upstream(registry, tmp_path, versions=("1.0.0",))
        fleet = wrapper_fleet(tmp_path / "fleet", registry.url)
        refused = validate(fleet, dependencies(tmp_path / "cache"))
        allowed = validate(fleet, dependencies(tmp_path / "cache", {
            "FLEETFORM_CHART_REPO_REG_URL": f"oci://{registry.host}",
            "FLEETFORM_CHART_REPO_REG_USERNAME": "ci",
            "FLEETFORM_CHART_REPO_REG_PASSWORD": "oci-pw-2468"}))

    (warning,) = refused.warnings
    assert f"authentication refused by {registry.host}" in warning.message
    assert "set FLEETFORM_CHART_REPO_<ID>_URL, _USERNAME and _PASSWORD for it" in warning.message
    assert allowed.not_rendered == [] and allowed.renders == 2
    for report in (refused, allowed):
        assert "oci-pw-2468" not in json.dumps(report.to_dict())
