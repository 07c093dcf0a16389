"""fleetform validate: the example fleet passes; renders are shared; repositories are found."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from support.fleets import CLUSTERS, EXAMPLE_PROJECT, SCHEMAS, SHARED_SCHEMAS, write_cluster

from fleetform.commands.cli import main
from fleetform.errors import ConfigError
from fleetform.fleet.repositories import parse_overrides
from fleetform.render import NOT_FETCHED
from fleetform.fleet.repository_fetch import normalize_git_url
from fleetform.commands.validate import validate_fleet
from fleetform.commands.validate.report import Progress
from fleetform.commands.validate.schemas import schema_version

WORKER = """
    role: worker
    region: fra1
    kubernetes_version: "1.33"
    node_pools: [{{name: default, size: s-2vcpu-4gb, count: 2}}]
    labels: [{labels}]
"""


def add_worker(project: Path, name: str, labels: str) -> None:
    write_cluster(project / "clusters", name, WORKER.format(labels=labels))


def write_chart(directory: Path, name: str, templates: dict[str, str], values: str = "",
                extra: str = "") -> Path:
    """A chart at ``directory`` with the given templates (dedented)."""
    (directory / "templates").mkdir(parents=True, exist_ok=True)
    (directory / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n{textwrap.dedent(extra)}")
    (directory / "values.yaml").write_text(textwrap.dedent(values))
    for file, text in templates.items():
        (directory / "templates" / file).write_text(textwrap.dedent(text).lstrip())
    return directory


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- the example fleet -------------------------------------------------------------


def test_example_fleet_passes_with_every_pair_checked(example_report):
    report = example_report

    assert report.errors == []
    assert report.ok()
    assert report.clusters == ["do-management", "do-production"]
    # 3 apps on each cluster; ingress-nginx and cert-manager share one combination each.
    assert (report.pairs, report.combinations) == (6, 4)
    assert report.renders == 2  # microservice-01 and argocd-ingress
    # Deployment + Service + Ingress of microservice-01, the enabled argocd Ingress.
    assert report.objects == 4
    assert report.schema_versions == {"do-management": "1.33", "do-production": "1.33"}
    assert report.applicationsets == 3


def test_charts_with_upstream_dependencies_are_reported_not_rendered(example_report):
    not_rendered = {n.app: n for n in example_report.not_rendered}

    assert sorted(not_rendered) == ["cert-manager/cert-manager", "ingress/ingress-nginx"]
    nginx = not_rendered["ingress/ingress-nginx"]
    assert nginx.clusters == ["do-management", "do-production"]
    # validate_fleet without a ChartDependencies fetches nothing.
    assert nginx.dependencies == [{"name": "ingress-nginx", "version": "4.14.1",
                                   "repository": "https://kubernetes.github.io/ingress-nginx",
                                   "reason": NOT_FETCHED}]
    assert not_rendered["cert-manager/cert-manager"].dependencies[0]["repository"] == \
        "https://charts.jetstack.io"
    warnings = [str(w) for w in example_report.warnings]
    assert len(warnings) == 2
    assert all(": dependencies.ingress-nginx: not rendered: dependency ingress-nginx 4.14.1 from "
               "https://kubernetes.github.io/ingress-nginx: not fetched (--no-fetch)" in w
               for w in warnings if "ingress" in w)


def test_cli_passes_on_the_example_and_says_what_was_rendered(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    # Offline: the test fleet's wrappers name the public chart repositories.
    code, out, err = run_cli(capsys, "validate", "--no-fetch", "--argocd-schemas", str(SCHEMAS))

    assert code == 0, out
    assert "6 (cluster, app) pairs on 2 clusters -> 4 distinct (chart, values) combinations: " \
           "2 rendered, 2 not rendered" in out
    assert "not rendered: 2 chart(s) with dependencies that could not be had (above); " \
           "checked: Chart.yaml" in out
    assert "validate: OK: 0 error(s), 2 warning(s)" in out
    # Helm's own stderr logging is captured, and no progress bar off a terminal.
    assert err == ""


def test_strict_fails_on_charts_that_were_not_rendered(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    code, out, _ = run_cli(capsys, "validate", "--strict", "--no-fetch", "--argocd-schemas",
                           str(SCHEMAS))

    assert code == 1
    assert "validate: FAILED: 0 error(s), 2 warning(s) (strict)" in out


def test_json_output_for_scripts(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    code, out, _ = run_cli(capsys, "validate", "--format", "json",
                           "--argocd-schemas", str(SCHEMAS))

    doc = json.loads(out)
    assert code == 0 and doc["ok"] is True
    assert doc["summary"]["pairs"] == 6 and doc["summary"]["renders"] == 2
    assert doc["summary"]["not_rendered"] == 2
    entry = next(n for n in doc["not_rendered"] if n["app"] == "ingress/ingress-nginx")
    assert "helm lint of the chart itself" in entry["checked"]
    # Fetched by default; the suite's machine reaches no chart repository (conftest).
    assert entry["dependencies"][0]["reason"].startswith(
        "repository unreachable: kubernetes.github.io (")
    assert "templates of the dependencies" in entry["not_checked"]
    assert {p["severity"] for p in doc["problems"]} == {"warning"}


def test_shipped_schemas_are_the_reference_schemas():
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip(f"no reference schemas at {SHARED_SCHEMAS} to compare with")
    shipped = {p.name: p.read_bytes() for p in SCHEMAS.glob("*.json")}

    assert shipped == {p.name: p.read_bytes() for p in SHARED_SCHEMAS.glob("*.json")}


def test_default_schemas_are_the_shipped_ones(monkeypatch):
    monkeypatch.delenv("FLEETFORM_ARGOCD_SCHEMAS", raising=False)
    report = validate_fleet(CLUSTERS, clusters=["do-management"])

    assert not any("no Argo CD schemas" in str(p) for p in report.problems)
    assert report.applicationsets == 3 and report.ok()


# --- cost: one render per distinct (chart, value file contents) ------------------------


def test_renders_once_per_distinct_chart_and_values(project_copy, monkeypatch):
    import helm_python

    calls = []
    original = helm_python.Chart.render

    def counting(self, *args, **kwargs):
        calls.append(kwargs.get("name"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(helm_python.Chart, "render", counting)
    for name in ("w1", "w2", "w3"):
        add_worker(project_copy, name, "management")
    # w3's values are a different file with the same content as do-management's.
    values = project_copy / "manifests/management/values"
    (values / "w3/argocd-ingress").mkdir(parents=True)
    (values / "w3/argocd-ingress/values.yaml").write_bytes(
        (values / "do-management/argocd-ingress/values.yaml").read_bytes())

    report = validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS)

    assert report.errors == []
    assert report.pairs == 6 + 3
    # argocd-ingress: {do-management, w3} share one render, {w1, w2} (defaults) another.
    assert sorted(calls) == ["argocd-ingress", "argocd-ingress", "microservice-01"]
    assert report.renders == 3
    # The disabled Ingress renders nothing: still 4 objects, checked once per combination.
    assert report.objects == 4


def test_progress_reports_every_combination(example_report):
    events = []

    class Recorder(Progress):
        def start(self, total):
            events.append(("start", total))

        def advance(self, description):
            events.append(("advance", description))

    validate_fleet(CLUSTERS, schemas_dir=SCHEMAS, progress=Recorder())

    assert events[0] == ("start", example_report.combinations)
    assert sorted(d for kind, d in events[1:]) == [
        "global: cert-manager/cert-manager", "global: ingress/ingress-nginx",
        "management: argocd/argocd-ingress", "production: web/microservice-01"]


def test_cluster_option_renders_only_for_that_cluster():
    report = validate_fleet(CLUSTERS, schemas_dir=SCHEMAS, clusters=["do-production"])

    assert report.clusters == ["do-production"]
    assert (report.pairs, report.renders) == (3, 1)


def test_vendored_dependencies_are_rendered(project_copy):
    app = project_copy / "manifests/global/apps/tools/toolbox"
    write_chart(app, "toolbox", {"cm.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: toolbox}
        data: {mode: {{ .Values.mode | quote }}}
    """}, values="mode: fleet\n", extra="""
        dependencies:
          - name: sub
            version: 1.0.0
            repository: https://charts.example.com
    """)
    # What `helm dependency build` leaves in charts/, as an unpacked directory.
    write_chart(app / "charts/sub", "sub", {"sa.yaml": """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: sub}
    """})
    (app / "charts/sub/Chart.yaml").write_text("apiVersion: v2\nname: sub\nversion: 1.0.0\n")

    report = validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS)

    assert report.errors == []
    assert "global/tools/toolbox" not in {f"{n.label}/{n.app}" for n in report.not_rendered}
    # Both clusters carry global and share one combination: ConfigMap + ServiceAccount.
    assert report.objects == 4 + 2


CRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      names: {kind: Widget, plural: widgets}
      scope: Namespaced
      versions: [{name: v1, served: true, storage: true,
                  schema: {openAPIV3Schema: {type: object}}}]
"""


def test_crds_of_a_chart_are_checked_too(project_copy):
    app = write_chart(project_copy / "manifests/production/apps/web/widgets", "widgets", {})
    (app / "crds").mkdir()
    (app / "crds/widgets.yaml").write_text(textwrap.dedent(CRD))

    report = validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS)

    assert report.errors == []
    assert report.objects == 4 + 1


def test_argocd_kinds_are_checked_against_the_argocd_schemas(project_copy):
    write_chart(project_copy / "manifests/management/apps/argocd/projects", "projects",
                {"project.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: AppProject
        metadata: {name: platform, namespace: argocd}
        spec:
          sourceRepos: ["*"]
          destinations: [{server: "*", namespace: "*"}]
    """})

    report = validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS)

    assert report.errors == []
    assert report.argocd_objects == 1


def test_kinds_without_a_schema_are_counted_not_passed(project_copy):
    write_chart(project_copy / "manifests/production/apps/web/issuer", "issuer",
                {"issuer.yaml": """
        apiVersion: cert-manager.io/v1
        kind: Issuer
        metadata: {name: local}
        spec: {selfSigned: {}}
    """})

    report = validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS)

    assert report.errors == []
    assert report.unchecked_kinds == {("cert-manager.io/v1", "Issuer"): 1}


# --- locating repositories ----------------------------------------------------------


def test_repo_override_points_a_label_at_another_checkout(project_copy, capsys, monkeypatch):
    # production's repository is split out: its own checkout, path "" in it.
    elsewhere = project_copy / "production-checkout"
    (project_copy / "manifests/production").rename(elsewhere)
    management = project_copy / "clusters/do-management/cluster.yaml"
    management.write_text(management.read_text().replace(
        "      path: manifests/production\n", ""))

    without = validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS)
    assert any("is not in this checkout and no fetcher was given to clone it" in str(e)
               and "label 'production'" in str(e) for e in without.errors)

    with_override = validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS,
                                   repos={"production": elsewhere})
    assert with_override.errors == []
    assert with_override.repositories["production"].endswith("(from --repo)")
    assert with_override.renders == 2

    monkeypatch.setenv("FLEETFORM_REPOS", f"production={elsewhere}")
    code, out, _ = run_cli(capsys, "validate", "--clusters-dir", str(project_copy / "clusters"),
                           "--argocd-schemas", str(SCHEMAS))
    assert code == 0, out


def test_a_repository_whose_url_is_a_remote_of_the_checkout_is_found(project_copy):
    (project_copy / ".git").mkdir()
    (project_copy / ".git/config").write_text(
        '[remote "origin"]\n\turl = git@gitlab.com:example/fleetform.git\n')

    report = validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS)

    assert report.ok()
    assert all("its URL is a Git remote" in where for where in report.repositories.values())


@pytest.mark.parametrize("url", ["https://gitlab.com/example/fleetform.git",
                                 "ssh://git@gitlab.com:22/example/fleetform",
                                 "git@gitlab.com:example/fleetform.git",
                                 "https://GitLab.com/example/fleetform/"])
def test_git_urls_compare_equal_across_forms(url):
    assert normalize_git_url(url) == "gitlab.com/example/fleetform"


def test_repo_overrides_parse_label_equals_dir():
    assert parse_overrides(["global=../g", "production=/srv/p"], env={}) == {
        "global": Path("../g"), "production": Path("/srv/p")}
    assert parse_overrides(None, env={"FLEETFORM_REPOS": "global=../g, management=m"}) == {
        "global": Path("../g"), "management": Path("m")}
    with pytest.raises(ConfigError, match=r"--repo: expected LABEL=DIR, got 'global'"):
        parse_overrides(["global"], env={})


@pytest.mark.parametrize("version, expected", [
    ("1.33", ("1.33", None)),
    ("1.33.1-do.0", ("1.33", None)),
    ("1.37.2", ("1.37", None)),
])
def test_kubernetes_schema_version_matches_the_cluster(version, expected):
    assert schema_version(version) == expected


def test_kubernetes_versions_outside_the_shipped_schemas_say_which_one_is_used():
    newer, note = schema_version("1.99")
    assert newer == "1.37" and "no Kubernetes 1.99 schemas" in note
    older, note = schema_version("1.20")
    assert older == "1.25" and "checking against 1.25" in note


# --------------------------------------------------------------------------- --kubernetes-version

HPA_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: scaler\nversion: 0.1.0\n",
    "values.yaml": "{}\n",
    "templates/hpa.yaml": """\
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: scaler
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
""",
    "templates/version.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-version
data:
  minor: {{ .Capabilities.KubeVersion.Minor | quote }}
""",
}


def _upgrade_fleet(root):
    for rel, text in HPA_CHART.items():
        file = root / "manifests" / "production" / "apps" / "web" / "scaler" / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)
    for cluster in ("do-management", "do-production"):
        file = root / "clusters" / cluster / "cluster.yaml"
        file.write_text(file.read_text().replace('kubernetes_version: "1.33"',
                                                 'kubernetes_version: "1.25"'))


def test_an_upgrade_preview_flags_apis_the_new_version_removed_by_object_and_chart(project_copy):
    _upgrade_fleet(project_copy)
    assert validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS).errors == []

    report = validate_fleet(project_copy / "clusters", schemas_dir=SCHEMAS,
                            kubernetes_version="1.26")

    assert report.kubernetes_version == "1.26"
    assert set(report.schema_versions.values()) == {"1.26"}
    [error] = report.errors
    assert error.message == ("Kubernetes 1.26 has no HorizontalPodAutoscaler in "
                             "autoscaling/v2beta2: removed in 1.26 (served until 1.25)")
    assert error.field == "HorizontalPodAutoscaler/scaler"
    assert error.file.endswith("manifests/production/apps/web/scaler/templates/hpa.yaml")
    assert (error.app, error.clusters) == ("web/scaler", ("do-production",))


def test_an_upgrade_preview_renders_charts_at_that_version(project_copy, capsys):
    _upgrade_fleet(project_copy)
    (project_copy / "manifests/production/apps/web/scaler/templates/hpa.yaml").unlink()
    (project_copy / "manifests/production/apps/web/scaler/templates/check.yaml").write_text(
        '{{ if ne .Capabilities.KubeVersion.Minor "34" }}{{ fail "not rendered at 1.34" }}'
        "{{ end }}\n")

    code = main(["validate", "--clusters-dir", str(project_copy / "clusters"),
                 "--kubernetes-version", "1.34"])
    out = capsys.readouterr().out

    assert out.startswith("as if every cluster ran Kubernetes 1.34\n")
    assert code == 0, out


@pytest.mark.parametrize("version, message", [
    ("1.99", "--kubernetes-version: no Kubernetes 1.99 schemas are available offline "
             "(kubernetes-validate has 1.25 to 1.37)"),
    ("1.33.2", "--kubernetes-version: must be a Kubernetes minor version such as 1.37, "
               "got '1.33.2'"),
])
def test_an_upgrade_preview_to_a_version_without_schemas_fails_clearly(version, message, capsys):
    assert main(["validate", "--clusters-dir", str(CLUSTERS), "--kubernetes-version",
                 version]) == 2
    assert capsys.readouterr().err.strip() == f"error: {message}"


def test_the_helm_sdk_is_the_version_whose_private_api_was_checked():
    """Rendering at a cluster's version calls helm-python-sdk's internals: an upgrade of the
    SDK fails here, so that they are checked again (as jsii's are, test_jsii_channel)."""
    from importlib.metadata import version

    from fleetform.render.helm import VERIFIED_HELM_SDK_VERSION, native_render

    assert version("helm-python-sdk") == VERIFIED_HELM_SDK_VERSION
    assert callable(native_render())


def test_another_helm_sdk_is_a_clear_error_not_a_crash(monkeypatch):
    import importlib.metadata

    from fleetform.render import helm as validate_render

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.3.0")
    validate_render.native_render.cache_clear()  # checked once a process: check again here

    try:
        with pytest.raises(ConfigError) as info:
            validate_render.native_render()
    finally:
        validate_render.native_render.cache_clear()

    assert str(info.value) == (
        "helm-python-sdk: rendering charts at a cluster's Kubernetes version needs "
        "helm-python-sdk 0.2.2, whose internals fleetform uses (installed: 0.3.0): "
        "pip install 'helm-python-sdk==0.2.2'")
