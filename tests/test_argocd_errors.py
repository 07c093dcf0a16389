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
