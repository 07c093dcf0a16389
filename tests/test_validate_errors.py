"""fleetform validate: every problem is reported with repository, app, cluster and file."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.fleets import SCHEMAS, write_cluster
from test_validate import add_worker, run_cli, write_chart

from fleetform.errors import ConfigError
from fleetform.commands.validate import validate_fleet

PRODUCTION = "manifests/production"
MICROSERVICE = f"{PRODUCTION}/apps/web/microservice-01"


def validate(project: Path, **kwargs):
    return validate_fleet(project / "clusters", schemas_dir=SCHEMAS, **kwargs)


def only_error(report) -> str:
    errors = [str(e) for e in report.errors]
    assert len(errors) == 1, errors
    return errors[0]


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text, f"{old!r} not in {file}"
    file.write_text(text.replace(old, new))


# --- the fleet configuration ----------------------------------------------------------


def test_a_label_without_repository_is_reported_with_both_files(project_copy, capsys):
    edit(project_copy / "clusters/do-production/cluster.yaml",
         "labels: [global, production]", "labels: [global, production, staging]")

    code, out, _ = run_cli(capsys, "validate", "--clusters-dir", str(project_copy / "clusters"),
                           "--argocd-schemas", str(SCHEMAS))

    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"error: {project_copy}/clusters/do-production/cluster.yaml: labels.staging: "
        f"label 'staging' has no repository: add argocd.repositories.staging to "
        f"{project_copy}/clusters/do-management/cluster.yaml")
    assert lines[-1].startswith("validate: FAILED: 1 error(s)")


def test_a_repository_that_is_not_available_locally_asks_for_a_fetcher_or_a_checkout(
        project_copy):
    (project_copy / "manifests/management").rename(project_copy / "elsewhere")

    # The Python API without a fetcher: no --no-fetch was given, so none is named.
    message = only_error(validate(project_copy))

    assert "do-management/cluster.yaml: argocd.repositories.management: repository " \
           "https://gitlab.com/example/fleetform.git path 'manifests/management' is not in " \
           "this checkout and no fetcher was given to clone it (fetcher=RepositoryFetcher()): " \
           "give one, or a checkout of it for label 'management' in the overrides" in message
    assert "--no-fetch" not in message


def test_a_repository_that_is_not_available_locally_with_no_fetch_asks_for_repo(
        project_copy, capsys):
    (project_copy / "manifests/management").rename(project_copy / "elsewhere")

    code, out, _ = run_cli(capsys, "validate", "--no-fetch",
                           "--clusters-dir", str(project_copy / "clusters"))

    assert code == 1
    assert "argocd.repositories.management: repository " \
           "https://gitlab.com/example/fleetform.git path 'manifests/management' is not in " \
           "this checkout and fetching is off (--no-fetch): pass --repo management=DIR" in out


# --- layout of a repository -------------------------------------------------------------


def test_values_for_a_cluster_that_does_not_exist(project_copy):
    stray = project_copy / PRODUCTION / "values/do-prodution/microservice-01"
    stray.mkdir(parents=True)
    (stray / "values.yaml").write_text("replicaCount: 1\n")

    message = only_error(validate(project_copy))

    assert message == (
        f"{project_copy}/{PRODUCTION}/values/do-prodution: no cluster named 'do-prodution' "
        "(did you mean 'do-production'?): these values are never used "
        "[repository 'production']")


def test_values_for_an_app_of_another_repository(project_copy):
    stray = project_copy / "manifests/global/values/do-production/microservice-01"
    stray.mkdir(parents=True)
    (stray / "values.yaml").write_text("replicaCount: 1\n")

    message = only_error(validate(project_copy))

    assert "manifests/global/values/do-production/microservice-01: no app 'microservice-01' " \
           "in repository 'global' (it is an app of repository 'production': its values go " \
           "there)" in message
    assert message.endswith("[repository 'global'; cluster do-production]")


def test_values_for_a_misspelled_app(project_copy):
    stray = project_copy / PRODUCTION / "values/do-production/microservice-1"
    stray.mkdir(parents=True)
    (stray / "values.yaml").write_text("replicaCount: 1\n")

    assert "no app 'microservice-1' in repository 'production' (did you mean " \
           "'microservice-01'?)" in only_error(validate(project_copy))


def test_a_misspelled_values_file_is_an_error_not_silently_ignored(project_copy):
    directory = project_copy / "manifests/management/values/do-management/argocd-ingress"
    (directory / "values.yaml").rename(directory / "values.yml")

    message = only_error(validate(project_copy))

    assert message.startswith(f"{directory}/values.yml: stray file (did you mean 'values.yaml'?)")
    assert message.endswith("[repository 'management'; app argocd/argocd-ingress; "
                            "cluster do-management]")


def test_a_misspelled_top_level_directory(project_copy):
    stray = project_copy / PRODUCTION / "value/do-production/microservice-01"
    stray.mkdir(parents=True)
    (stray / "values.yaml").write_text("replicaCount: 1\n")

    assert "value: stray directory (did you mean 'values'?)" in \
        only_error(validate(project_copy))


def test_values_for_a_cluster_without_the_label_are_a_warning(project_copy):
    stray = project_copy / PRODUCTION / "values/do-management/microservice-01"
    stray.mkdir(parents=True)
    (stray / "values.yaml").write_text("replicaCount: 1\n")

    report = validate(project_copy)

    assert report.errors == []
    assert any("cluster 'do-management' does not carry label 'production'" in str(w)
               for w in report.warnings)


def test_an_app_directory_without_chart(project_copy):
    (project_copy / PRODUCTION / "apps/web/microservice-02").mkdir()
    (project_copy / PRODUCTION / "apps/web/microservice-02/chart.yaml").write_text("name: x\n")

    message = only_error(validate(project_copy))

    assert "apps/web/microservice-02: not a Helm chart: no Chart.yaml (did you mean " \
           "'chart.yaml'?)" in message
    assert "[repository 'production'; app web/microservice-02]" in message


def test_a_namespace_directory_that_is_not_a_namespace_name(project_copy):
    (project_copy / PRODUCTION / "apps/web").rename(project_copy / PRODUCTION / "apps/Web_Apps")

    assert "namespace 'Web_Apps' is not a DNS-1123 label" in only_error(validate(project_copy))


def test_application_name_collision_across_repositories(project_copy):
    write_chart(project_copy / "manifests/global/apps/other/microservice-01", "microservice-01",
                {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"})

    message = only_error(validate(project_copy))

    assert "Application 'do-production-microservice-01' would be generated 2 times (repository " \
           "'global' app other/microservice-01 on do-production; repository 'production' app " \
           "web/microservice-01 on do-production)" in message


def test_value_file_that_is_not_a_mapping(project_copy):
    file = project_copy / PRODUCTION / "values/do-production/microservice-01/values.yaml"
    file.write_text("- replicaCount\n")

    message = only_error(validate(project_copy))

    assert message == (f"{file}: values must be a mapping, got list "
                       "[repository 'production'; app web/microservice-01]")


def test_value_file_with_invalid_yaml(project_copy):
    file = project_copy / PRODUCTION / "values/do-production/microservice-01/values.yaml"
    file.write_text("image: {tag: 1\n")

    assert only_error(validate(project_copy)).startswith(f"{file}: invalid YAML: line 2")


def test_an_unpinned_dependency_is_a_warning(project_copy):
    edit(project_copy / "manifests/global/apps/ingress/ingress-nginx/Chart.yaml",
         "version: 4.14.1", 'version: "^4.14.0"')

    report = validate(project_copy)

    assert report.errors == [] and not report.ok(strict=True)
    assert any("dependencies[0].version: dependency 'ingress-nginx' is not pinned to an exact "
               "version (got '^4.14.0')" in str(w) for w in report.warnings)


# --- rendering ----------------------------------------------------------------------------


def test_a_template_error_names_file_line_repository_app_and_cluster(project_copy):
    edit(project_copy / MICROSERVICE / "templates/service.yaml",
         "{{ .Values.service.port }}", "{{ .Values.service.port | portnumber }}")

    message = only_error(validate(project_copy))

    assert message.startswith(f"{project_copy}/{MICROSERVICE}/templates/service.yaml:13: ")
    assert f"parse error at ({project_copy}/{MICROSERVICE}/templates/service.yaml:13): " \
           'function "portnumber" not defined' in message
    assert message.endswith(
        "[repository 'production'; app web/microservice-01; cluster do-production; values "
        "apps/web/microservice-01/values.yaml + values/do-production/microservice-01/values.yaml]")


def test_a_new_cluster_without_its_values_fails_the_required_hostname(project_copy):
    add_worker(project_copy, "do-production-2", "global, production")

    message = only_error(validate(project_copy))

    assert f"{MICROSERVICE}/templates/ingress.yaml:2" in message
    assert "ingress.hostname is required when ingress.enabled is true" in message
    assert message.endswith("cluster do-production-2; values "
                            "apps/web/microservice-01/values.yaml]")


def test_a_rendered_deployment_missing_a_required_field(project_copy):
    edit(project_copy / MICROSERVICE / "templates/deployment.yaml", "        - name: web\n"
         "          image:", "        - image:")

    message = only_error(validate(project_copy))

    assert message.startswith(
        f"{project_copy}/{MICROSERVICE}/templates/deployment.yaml: Deployment/microservice-01: "
        "Kubernetes 1.33 schema: spec.template.spec.containers[0]: 'name' is a required "
        "property [repository 'production'; app web/microservice-01; cluster do-production;")


def test_an_unknown_field_is_an_error_not_silently_dropped(project_copy):
    edit(project_copy / MICROSERVICE / "templates/service.yaml", "  type: ClusterIP",
         "  type: ClusterIP\n  loadBalancerIPs: [1.2.3.4]")

    assert "Service/microservice-01: Kubernetes 1.33 schema: spec: Additional properties are " \
           "not allowed ('loadBalancerIPs' was unexpected)" in only_error(validate(project_copy))


def test_an_api_version_kubernetes_does_not_serve(project_copy):
    edit(project_copy / MICROSERVICE / "templates/deployment.yaml", "apiVersion: apps/v1",
         "apiVersion: apps/v1beta2")

    assert "Deployment/microservice-01: Kubernetes 1.33 has no Deployment in apps/v1beta2" in \
        only_error(validate(project_copy))


def test_an_invalid_crd_in_the_crds_directory(project_copy):
    from test_validate import CRD

    app = write_chart(project_copy / f"{PRODUCTION}/apps/web/widgets", "widgets", {})
    (app / "crds").mkdir()
    (app / "crds/widgets.yaml").write_text(CRD.replace("scope: Namespaced", "scopes: []"))

    message = only_error(validate(project_copy))

    assert message.startswith(f"{app}/crds/widgets.yaml: CustomResourceDefinition/"
                              "widgets.example.com: Kubernetes 1.33 schema: spec: ")


def test_an_object_rendered_twice(project_copy):
    service = project_copy / MICROSERVICE / "templates/service.yaml"
    (service.parent / "service-copy.yaml").write_text(service.read_text())

    assert "Service/microservice-01: rendered twice" in only_error(validate(project_copy))


def test_a_cluster_scoped_object_rendered_twice_whatever_namespace_it_names(project_copy):
    # GIVEN a chart that renders one ClusterRole twice, once with a namespace (which
    # Kubernetes ignores for a kind outside namespaces)
    role = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {{name: reader{namespace}}}
        rules: []
        """
    write_chart(project_copy / f"{PRODUCTION}/apps/web/roles", "roles",
                {"a.yaml": role.format(namespace=""),
                 "b.yaml": role.format(namespace=", namespace: elsewhere")})

    # THEN validate sees one object rendered twice, as Argo CD would
    assert "ClusterRole/reader: rendered twice" in only_error(validate(project_copy))


def test_an_invalid_argocd_object(project_copy):
    write_chart(project_copy / "manifests/management/apps/argocd/projects", "projects",
                {"app.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: extra, namespace: argocd}
        spec:
          project: default
          source: {repoURL: "https://example.com/r.git", path: ".", targetRevison: main}
          destination: {server: "https://kubernetes.default.svc", namespace: x}
    """})

    message = only_error(validate(project_copy))

    assert "templates/app.yaml: Application/extra: Argo CD schema: spec.source: Additional " \
           "properties are not allowed ('targetRevison' was unexpected)" in message
    assert "[repository 'management'; app argocd/projects; cluster do-management;" in message


def test_a_wrapper_whose_own_template_fails_is_an_error_even_unrendered(project_copy):
    edit(project_copy / "manifests/global/apps/cert-manager/cert-manager/values.yaml",
         "  email: platform@example.com\n", "  email: \"\"\n")

    message = only_error(validate(project_copy))

    assert "clusterIssuers.email is required" in message
    assert "app cert-manager/cert-manager; clusters do-management, do-production" in message


# --- usage errors (exit 2, one line) -----------------------------------------------------


@pytest.mark.parametrize("args, expected", [
    (["--repo", "global"], "error: --repo: expected LABEL=DIR, got 'global'"),
    (["--repo", "globl=/tmp"], "error: --repo: no repository for label 'globl' (did you mean "
                               "'global'?) (labels with a repository: global, management, "
                               "production)"),
    (["--cluster", "do-prod"], "error: --cluster: no such cluster 'do-prod' (did you mean "
                               "'do-production'?) (known: do-management, do-production)"),
])
def test_usage_errors(project_copy, capsys, args, expected):
    code, out, err = run_cli(capsys, "validate", "--clusters-dir",
                             str(project_copy / "clusters"), "--argocd-schemas", str(SCHEMAS),
                             *args)

    assert code == 2
    assert err.strip() == expected
    assert out == ""


def test_an_argocd_schema_directory_that_does_not_exist(project_copy):
    with pytest.raises(ConfigError, match="no Argo CD schemas"):
        validate_fleet(project_copy / "clusters", schemas_dir=project_copy / "nowhere")


def test_missing_schema_directory_is_a_warning_when_argocd_objects_exist(project_copy,
                                                                         monkeypatch, tmp_path):
    missing = tmp_path / "no-schemas"
    monkeypatch.setenv("FLEETFORM_ARGOCD_SCHEMAS", str(missing))

    report = validate_fleet(project_copy / "clusters")

    assert report.errors == []
    assert [str(w) for w in report.warnings if "no Argo CD schemas" in str(w)] == [
        f"{missing}: no Argo CD schemas here: Argo CD "
        "objects are not schema-checked (set --argocd-schemas or $FLEETFORM_ARGOCD_SCHEMAS)"]


def test_a_broken_cluster_file_still_reports_in_one_line(project_copy, capsys):
    write_cluster(project_copy / "clusters", "do-broken", "role: worker\nregion: fra1\n")

    code, out, _ = run_cli(capsys, "validate", "--clusters-dir", str(project_copy / "clusters"),
                           "--format", "json", "--argocd-schemas", str(SCHEMAS))

    import json
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False
    fields = {p["field"] for p in doc["problems"]}
    assert {"kubernetes_version", "node_pools"} <= fields


def test_values_for_a_cluster_whose_label_is_turned_off_are_a_warning(project_copy):
    edit(project_copy / "clusters/do-production/cluster.yaml",
         "labels: [global, production]", "labels: {global: 'true', production: 'false'}")

    report = validate(project_copy)

    assert report.errors == []
    assert [str(w) for w in report.warnings if "turned off" in str(w)] == [
        f"{project_copy}/{PRODUCTION}/values/do-production: cluster 'do-production' has label "
        "'production' turned off ('false'): these values are not used until it is on "
        "[repository 'production']"]
    assert report.renders == 1  # argocd-ingress only
