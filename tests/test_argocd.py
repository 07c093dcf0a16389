"""ArgoCd: the chart values that matter, routing, outputs and secrets."""

import json
import re

import jsonschema
import pytest
import yaml
from cdktf import TerraformOutput, TerraformStack, TerraformVariable, Testing
from support.fleets import SCHEMAS, only, resources

from fleetform.constructs.argocd import AUTOMATION_ACCOUNT, ArgoCd, ArgoCdProps
from fleetform.constructs.cluster_access import ClusterAccess
from fleetform.constructs.props import Repository, RepositoryCredentials

REPOSITORIES = {
    "global": Repository(url="https://gitlab.com/acme/fleet.git", revision="main",
                         path="manifests/global"),
    "edge": Repository(url="git@gitlab.com:acme/edge-apps.git", revision="v1.2.0",
                       credentials=RepositoryCredentials(username="deploy",
                                                         password_variable="edge_repo_token")),
}


def _synth(**overrides):
    stack = TerraformStack(Testing.app(), "mgmt")
    endpoint = TerraformVariable(stack, "endpoint", type="string")
    token = TerraformVariable(stack, "token", type="string", sensitive=True)
    access = ClusterAccess(name="mgmt", endpoint=endpoint.string_value,
                           cluster_ca_certificate="-----BEGIN CERTIFICATE-----",
                           token=token.string_value)
    props = {"cluster": access, "cluster_name": "mgmt",
             "cluster_labels": {"global": "true", "management": "true"},
             "repositories": REPOSITORIES, "hostname": "argocd.acme.dev", **overrides}
    argocd = ArgoCd(stack, "argocd", props=ArgoCdProps(**props))
    TerraformOutput(stack, "token_out", value=argocd.automation_token, sensitive=True)
    return json.loads(Testing.synth(stack)), argocd


@pytest.fixture(scope="module")
def synth():
    return _synth()


def _release(doc, chart):
    return next(r for r in resources(doc, "helm_release").values() if r["chart"] == chart)


def _appsets(doc):
    values = yaml.safe_load(_release(doc, "argocd-apps")["values"][0])
    return values["applicationsets"]


def test_argo_cd_chart_is_pinned_from_argo_helm_into_argocd(synth):
    doc, _ = synth
    release = _release(doc, "argo-cd")

    assert release["repository"] == "https://argoproj.github.io/argo-helm"
    assert re.fullmatch(r"10\.1\.\d+", release["version"])
    assert release["namespace"] == "argocd" and release["create_namespace"] is True
    assert release["lifecycle"] == {"prevent_destroy": True}


def test_automation_account_can_manage_clusters_and_nothing_else(synth):
    doc, _ = synth
    values = yaml.safe_load(_release(doc, "argo-cd")["values"][0])
    cm, rbac = values["configs"]["cm"], values["configs"]["rbac"]

    assert cm[f"accounts.{AUTOMATION_ACCOUNT}"] == "apiKey"
    assert rbac["policy.default"] == ""
    rules = [line.split(", ") for line in rbac["policy.csv"].splitlines() if line]
    grants = [r for r in rules if r[0] == "g"]
    policies = [r for r in rules if r[0] == "p"]
    assert grants == [["g", "automation", "role:fleetform-cluster-manager"]]
    assert {(p[1], p[2]) for p in policies} == {("role:fleetform-cluster-manager", "clusters")}
    assert sorted(p[3] for p in policies if p[5] == "allow") == \
        ["create", "delete", "get", "update"]
    # The in-cluster registration, by server and by name ("mgmt"), is out of its reach.
    assert sorted((p[3], p[4]) for p in policies if p[5] == "deny") == [
        ("create", "https://kubernetes.default.svc"), ("create", "mgmt"),
        ("delete", "https://kubernetes.default.svc"), ("delete", "mgmt"),
        ("update", "https://kubernetes.default.svc"), ("update", "mgmt")]


def test_automation_token_expires_and_is_renewed_by_terraform(synth):
    doc, _ = synth
    token = only(doc, "argocd_account_token")

    assert token["expires_in"] == "2160h"
    assert token["renew_before"] == "720h"
    assert "renew_after" not in token


def test_admin_password_is_hashed_once_with_a_stable_mtime(synth):
    doc, _ = synth
    release = _release(doc, "argo-cd")
    hashed = only(doc, "terraform_data")

    sensitive = {s["name"]: s["value"] for s in release["set_sensitive"]}
    assert sensitive["configs.secret.argocdServerAdminPassword"].endswith(".output.hash}")
    assert sensitive["configs.secret.argocdServerAdminPasswordMtime"].endswith(".output.mtime}")
    assert hashed["input"]["hash"].startswith("${bcrypt(")
    assert hashed["lifecycle"] == {"ignore_changes": ["input"]}
    assert hashed["triggers_replace"]["password"].startswith("${sha256(")
    assert only(doc, "random_password")["length"] >= 24
    assert doc["variable"]["argocd_admin_password"]["sensitive"] is True


def test_automation_token_comes_from_the_argocd_provider_through_a_port_forward(synth):
    doc, _ = synth
    token = only(doc, "argocd_account_token")
    provider = doc["provider"]["argocd"][0]

    assert token["account"] == "automation"
    assert token["provider"] == "argocd.argocd"
    assert provider["port_forward_with_namespace"] == "argocd"
    assert provider["username"] == "admin"
    assert "server_addr" not in provider  # no dependency on DNS
    assert doc["output"]["token_out"]["value"].endswith(".jwt}")


def test_management_cluster_is_registered_in_cluster_with_its_labels(synth):
    doc, _ = synth
    secret = next(s for s in resources(doc, "kubernetes_secret_v1").values()
                  if s["metadata"]["labels"].get("argocd.argoproj.io/secret-type") == "cluster")

    assert secret["metadata"]["labels"] == {"argocd.argoproj.io/secret-type": "cluster",
                                            "global": "true", "management": "true"}
    assert secret["data"]["server"] == "https://kubernetes.default.svc"
    assert secret["data"]["name"] == "mgmt"


def test_one_applicationset_per_label_selects_the_label_and_the_repository(synth):
    doc, _ = synth
    appsets = _appsets(doc)

    assert sorted(appsets) == ["label-edge", "label-global"]
    matrix = appsets["label-global"]["generators"][0]["matrix"]["generators"]
    assert matrix[0]["clusters"]["selector"] == {"matchExpressions": [
        {"key": "global", "operator": "Exists"},
        {"key": "global", "operator": "NotIn", "values": ["", "false"]}]}
    assert matrix[1]["git"] == {"repoURL": "https://gitlab.com/acme/fleet.git",
                                "revision": "main",
                                "directories": [{"path": "manifests/global/apps/*/*"}]}
    edge_git = appsets["label-edge"]["generators"][0]["matrix"]["generators"][1]["git"]
    assert edge_git["directories"] == [{"path": "apps/*/*"}]


def test_applications_layer_chart_values_then_cluster_values(synth):
    doc, _ = synth
    template = _appsets(doc)["label-global"]["template"]
    helm = template["spec"]["source"]["helm"]

    assert helm["valueFiles"] == [
        "values.yaml", "../../../values/{{ .name }}/{{ .path.basename }}/values.yaml"]
    assert helm["ignoreMissingValueFiles"] is True
    assert template["spec"]["destination"]["namespace"] == "{{ index .path.segments 3 }}"
    assert template["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert "CreateNamespace=true" in template["spec"]["syncPolicy"]["syncOptions"]


def _render(value, params):
    """Apply the go-template expressions the ApplicationSets use to one parameter set."""
    if isinstance(value, dict):
        return {k: _render(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, params) for v in value]
    if not isinstance(value, str):
        return value

    def expr(match):
        text = match.group(1).strip()
        if text.startswith("index .path.segments "):
            return params["path"]["segments"][int(text.split()[-1])]
        node = params
        for part in text.lstrip(".").split("."):
            node = node[part]
        return node
    return re.sub(r"\{\{(.*?)\}\}", expr, value)


def test_applicationsets_and_generated_applications_validate_against_strict_schemas(synth):
    doc, _ = synth
    appset_schema = json.loads((SCHEMAS / "applicationset.json").read_text())
    app_schema = json.loads((SCHEMAS / "application.json").read_text())

    for name, spec in _appsets(doc).items():
        spec = dict(spec)
        namespace = spec.pop("namespace")
        resource = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
                    "metadata": {"name": name, "namespace": namespace}, "spec": spec}
        jsonschema.validate(resource, appset_schema)

        params = {"name": "do-edge", "server": "https://1.2.3.4",
                  "path": {"path": "manifests/global/apps/ingress/ingress-nginx",
                           "basename": "ingress-nginx",
                           "segments": ["manifests", "global", "apps", "ingress",
                                        "ingress-nginx"]}}
        if name == "label-edge":
            params["path"] = {"path": "apps/web/site", "basename": "site",
                              "segments": ["apps", "web", "site"]}
        application = _render(spec["template"], params)
        application = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                       "metadata": {**application["metadata"], "namespace": namespace},
                       "spec": application["spec"]}
        jsonschema.validate(application, app_schema)
        expected_ns = "ingress" if name == "label-global" else "web"
        assert application["spec"]["destination"]["namespace"] == expected_ns


def test_private_repository_credentials_come_from_a_sensitive_variable(synth):
    doc, _ = synth
    variable = doc["variable"]["edge_repo_token"]
    secret = next(s for s in resources(doc, "kubernetes_secret_v1").values()
                  if s["metadata"]["labels"].get("argocd.argoproj.io/secret-type") == "repository")

    assert variable["sensitive"] is True and "TF_VAR_edge_repo_token" in variable["description"]
    assert secret["data"]["password"] == "${var.edge_repo_token}"
    assert secret["data"]["url"] == "git@gitlab.com:acme/edge-apps.git"
    apps = _release(doc, "argocd-apps")
    assert any("kubernetes_secret_v1." in d for d in apps["depends_on"])


def test_url_attribute_from_hostname(synth):
    _, argocd = synth

    assert argocd.url == "https://argocd.acme.dev"


def test_disabled_admin_uses_a_management_token_variable():
    doc, _ = _synth(admin_enabled=False)
    values = yaml.safe_load(_release(doc, "argo-cd")["values"][0])
    provider = doc["provider"]["argocd"][0]

    assert values["configs"]["cm"]["admin.enabled"] == "false"
    assert "username" not in provider and "password" not in provider
    assert provider["auth_token"] == "${var.argocd_management_token}"
    assert doc["variable"]["argocd_management_token"]["sensitive"] is True


def test_prevent_destroy_can_be_turned_off():
    doc, _ = _synth(prevent_destroy=False)

    assert "lifecycle" not in _release(doc, "argo-cd")


def test_admin_password_variable_is_optional_and_empty_means_generated(synth):
    # Without a default, Terraform requires the variable: `plan -input=false` stops.
    doc, _ = synth
    variable = doc["variable"]["argocd_admin_password"]

    assert variable["default"] == "" and variable["sensitive"] is True
    hashed = only(doc, "terraform_data")
    # coalesce() skips an empty string, so an unset variable falls back to the generated one.
    assert "coalesce(var.argocd_admin_password, random_password." in hashed["input"]["hash"]


def test_applicationsets_carry_go_template_options_where_the_pinned_chart_reads_them(synth):
    # argocd-apps templates/applicationsets.yaml, from tag argocd-apps-2.0.3 on (2.0.2 has no
    # such line): `{{- with $appSetData.goTemplateOptions }} goTemplateOptions: {{- toYaml . }}`
    # where $appSetData is each value of .Values.applicationsets.
    from fleetform.constructs.props import MIN_ARGOCD_APPS_CHART_VERSION

    doc, _ = synth
    release = _release(doc, "argocd-apps")
    pinned = tuple(int(p) for p in release["version"].split("."))

    assert pinned >= tuple(int(p) for p in MIN_ARGOCD_APPS_CHART_VERSION.split(".")) >= (2, 0, 3)
    for name, appset in _appsets(doc).items():
        assert appset["goTemplate"] is True, name
        assert appset["goTemplateOptions"] == ["missingkey=error"], name


def test_management_cluster_given_with_a_client_certificate():
    """Every provider ArgoCd configures takes the certificate and key instead of a token."""
    access = ClusterAccess(name="aks-mgmt", endpoint="https://aks-mgmt.example.com",
                           cluster_ca_certificate="${var.ca}",
                           client_certificate="${var.client_certificate}",
                           client_key="${var.client_key}")
    stack, _ = _synth(cluster=access)
    credentials = {"client_certificate": "${var.client_certificate}",
                   "client_key": "${var.client_key}"}
    (helm,) = stack["provider"]["helm"]
    (kubernetes,) = stack["provider"]["kubernetes"]
    (argocd,) = stack["provider"]["argocd"]
    for block in (helm["kubernetes"], kubernetes, argocd["kubernetes"][0]):
        assert {k: block.get(k) for k in credentials} == credentials, block
        assert "token" not in block
