"""ArgoCd props mistakes: errors that name the field."""

import pytest
from cdktf import TerraformStack, Testing

from fleetform.constructs.argocd import ArgoCd, ArgoCdProps
from fleetform.constructs.cluster_access import ClusterAccess
from fleetform.errors import ConfigError

ACCESS = ClusterAccess(name="m", endpoint="https://m", cluster_ca_certificate="ca", token="t")


def _build(**props):
    ArgoCd(TerraformStack(Testing.app(), "m"), "argocd",
           props=ArgoCdProps(cluster=ACCESS, cluster_name="m", **props))


def test_invalid_cluster_label_value():
    with pytest.raises(ConfigError, match=r"cluster_labels.global: .*invalid label value 'yes please'"):
        _build(cluster_labels={"global": "yes please"})


def test_invalid_repository_label():
    from fleetform.constructs.props import Repository, RepositoryCredentials
    with pytest.raises(ConfigError, match=r"repositories.*invalid label key 'a b'"):
        _build(repositories={"a b": Repository(url="https://h/r.git")})


def test_invalid_hostname():
    with pytest.raises(ConfigError, match=r"hostname: must be a DNS hostname, got 'https://x'"):
        _build(hostname="https://x")


def test_repository_secret_names_are_valid_kubernetes_names():
    import json
    import re
    from cdktf import TerraformStack, Testing
    from fleetform.constructs.props import Repository, RepositoryCredentials

    stack = TerraformStack(Testing.app(), "m")
    creds = RepositoryCredentials(username="deploy", password_variable="token_x")
    ArgoCd(stack, "argocd", props=ArgoCdProps(
        cluster=ACCESS, cluster_name="m",
        repositories={"example.com/Team_apps": Repository(url="https://h/r.git",
                                                            credentials=creds)}))
    doc = json.loads(Testing.synth(stack))

    names = [s["metadata"]["name"] for s in doc["resource"]["kubernetes_secret_v1"].values()]
    assert "repository-example-com-team-apps" in names
    assert all(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", n) and len(n) <= 63 for n in names)


@pytest.mark.parametrize("version", ["2.0.2", "1.6.2", "2.0", "latest"])
def test_apps_chart_version_that_drops_go_template_options_is_refused(version):
    with pytest.raises(ConfigError, match=r"apps_chart_version: .*2\.0\.3 or later"
                                          r".*goTemplateOptions.*got '" + version):
        _build(apps_chart_version=version)


@pytest.mark.parametrize("props, message", [
    ({"cluster_name": ""}, "cluster_name: must be a non-empty cluster name, got ''"),
    ({"cluster_labels": ["global"]}, "cluster_labels: must be a mapping of label keys to values"),
    ({"cluster_labels": {"argocd.argoproj.io/secret-type": "x"}},
     "cluster_labels.argocd.argoproj.io/secret-type: label keys under argocd.argoproj.io/ are "
     "reserved"),
    ({"repositories": {"global": {"url": "https://h/r.git"}}},
     "repositories.global: must be a Repository, got dict"),
    ({"repositories": {"global": "https://h/r.git"}},
     "repositories.global: must be a Repository, got str"),
    ({"chart_version": "latest"}, "chart_version: must be a chart version such as 1.2.3, "
                                  "got 'latest'"),
    ({"namespace": "Argo CD"}, "namespace: must be a Kubernetes namespace name"),
    ({"admin_enabled": "no"}, "admin_enabled: must be True or False, got 'no'"),
])
def test_invalid_prop(props, message):
    with pytest.raises(ConfigError) as info:
        ArgoCdProps(**{"cluster": ACCESS, "cluster_name": "m", **props})
    assert str(info.value).startswith(message), str(info.value)


@pytest.mark.parametrize("repository, message", [
    (dict(url="gitlab.com/acme/apps"), "repositories.global.url: must be a Git URL"),
    (dict(url="https://h/r.git", revision="main branch"),
     "repositories.global.revision: must be a branch, tag or commit (no spaces, not starting "
     "with '-'), got 'main branch'"),
    # git would read it as an option: refused here as cluster.yaml refuses it.
    (dict(url="https://h/r.git", revision="--upload-pack=touch"),
     "repositories.global.revision: must be a branch, tag or commit (no spaces, not starting "
     "with '-'), got '--upload-pack=touch'"),
    (dict(url="https://h/r.git", revision="r" * 256),
     "repositories.global.revision: must be at most 255 characters, got 256"),
    (dict(url="https://h/r.git", path="../elsewhere"),
     "repositories.global.path: must be a relative path inside the repository"),
    (dict(url="https://h/r.git", credentials={"username": "u"}),
     "repositories.global.credentials: must be a RepositoryCredentials, got dict"),
    (dict(url="https://h/r.git", credentials=("u", "TOKEN")),
     "repositories.global.credentials: must be a RepositoryCredentials, got tuple"),
])
def test_invalid_repository(repository, message):
    from fleetform import Repository
    with pytest.raises(ConfigError) as info:
        ArgoCdProps(cluster=ACCESS, cluster_name="m",
                    repositories={"global": Repository(**repository)})
    assert str(info.value).startswith(message), str(info.value)


@pytest.mark.parametrize("variable, message", [
    ("Global-Token", "must be a Terraform variable name"),
    ("argocd_auth_token", "'argocd_auth_token' is a variable of fleetform's own stacks"),
])
def test_invalid_password_variable(variable, message):
    from fleetform import Repository, RepositoryCredentials
    creds = RepositoryCredentials(username="deploy", password_variable=variable)
    with pytest.raises(ConfigError) as info:
        ArgoCdProps(cluster=ACCESS, cluster_name="m",
                    repositories={"global": Repository(url="https://h/r.git",
                                                       credentials=creds)})
    assert info.value.field == "repositories.global.credentials.password_variable"
    assert message in str(info.value)


def test_cluster_access_is_checked():
    bad = ClusterAccess(name="m", endpoint="https://m", cluster_ca_certificate="ca")
    with pytest.raises(ConfigError, match=r"^cluster.token: credentials are missing: give token, "
                                          r"exec, or client_certificate and client_key"):
        ArgoCdProps(cluster=bad, cluster_name="m")


def test_two_argocds_in_one_stack_are_refused_before_terraform_would():
    """Their providers would share the alias 'argocd': Terraform rejects that at init."""
    stack = TerraformStack(Testing.app(), "m")
    props = ArgoCdProps(cluster=ACCESS, cluster_name="m")
    ArgoCd(stack, "first", props=props)
    with pytest.raises(ConfigError) as info:
        ArgoCd(stack, "second", props=props)
    assert str(info.value) == (
        "props: the stack already has a helm provider aliased 'argocd', configured by ArgoCd "
        "'first'; Terraform allows one per alias: give each construct its own provider alias")
    assert [c.node.id for c in stack.node.children] == ["first"]


def test_argocd_and_an_argo_cluster_with_the_same_alias_are_refused():
    from fleetform import ArgoCluster, ArgoClusterProps
    stack = TerraformStack(Testing.app(), "m")
    ArgoCd(stack, "argocd", props=ArgoCdProps(cluster=ACCESS, cluster_name="m"))
    with pytest.raises(ConfigError, match=r"^provider_alias: the stack already has a kubernetes "
                                          r"provider aliased 'argocd', configured by ArgoCd"):
        ArgoCluster(stack, "argocd", props=ArgoClusterProps(
            cluster=ACCESS, argocd_server="argocd.example.com", labels={}))


@pytest.mark.parametrize("props, expected", [
    ({"token_expires_in": "90d"}, "token_expires_in: must be a duration such as 2160h or 90m "
                                  "(units ns, us, ms, s, m, h), got '90d'"),
    ({"token_expires_in": "0h"}, "token_expires_in: must be longer than 0, got '0h'"),
    ({"token_renew_before": "2160h"}, "token_renew_before: must be shorter than expires_in "
                                      "(2160h) and longer than 0, got '2160h'"),
    ({"token_expires_in": "24h", "token_renew_before": "48h"},
     "token_renew_before: must be shorter than expires_in (24h) and longer than 0, got '48h'"),
    ({"token_renew_before": ""}, "token_renew_before: must be a duration"),
])
def test_invalid_token_lifetime(props, expected):
    with pytest.raises(ConfigError) as info:
        _build(**props)

    assert str(info.value).startswith(expected)


@pytest.mark.parametrize("field, value", [("revision", "main{{"), ("path", "apps/{{ .name }}"),
                                          ("url", "https://h/{{.x}}.git")])
def test_go_template_delimiters_in_a_repository_are_refused(field, value):
    from fleetform.constructs.props import Repository

    repository = Repository(**{"url": "https://h/r.git", field: value})
    with pytest.raises(ConfigError) as info:
        _build(repositories={"global": repository})

    assert str(info.value) == (
        f"repositories.global.{field}: must not contain '{{{{' or '}}}}' (it is written into an "
        "ApplicationSet, a Go template, whose generation it would break for every cluster of "
        f"the label), got {value!r}")
