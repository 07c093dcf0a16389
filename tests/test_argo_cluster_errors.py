"""Every invalid ArgoCluster prop is a ConfigError naming the field, raised before any resource."""

from __future__ import annotations

import json

import pytest
from cdktf import TerraformOutput, TerraformStack, TerraformVariable, Testing

from fleetform.constructs.argo_cluster import ArgoCluster, ArgoClusterProps
from fleetform.constructs.cluster_access import ClusterAccess, ExecCredential
from fleetform.errors import ConfigError

ACCESS = ClusterAccess(name="eks-prod", endpoint="https://abc.eks.amazonaws.com",
                       cluster_ca_certificate="${var.ca}", token="${var.token}")


def build(**overrides):
    props = {"cluster": ACCESS, "argocd_server": "argocd.example.com:443",
             "labels": {"global": "true"}}
    props.update(overrides)
    stack = TerraformStack(Testing.app(), "errors")
    try:
        ArgoCluster(stack, "argo-cluster", props=ArgoClusterProps(**props))
    except ConfigError:
        # Validation comes first: a failed construct leaves nothing behind.
        assert not stack.node.children, [c.node.id for c in stack.node.children]
        raise


@pytest.mark.parametrize("labels, field, fragment", [
    ({"Bad Key": "true"}, "labels.Bad Key", "invalid label key 'Bad Key'"),
    ({"-global": "true"}, "labels.-global", "starting and ending with an alphanumeric"),
    ({"Example.com/tier": "gold"}, "labels.Example.com/tier", "prefix must be a DNS subdomain"),
    ({"x" * 64: "true"}, "labels." + "x" * 64, "1-63 characters"),
    ({"global": "https://gitlab.com/x"}, "labels.global", "put URLs and paths in annotations"),
    ({"global": "a" * 64}, "labels.global", "at most 63"),
    ({"global": True}, "labels.global", "a label value must be a string, got bool"),
    ({"argocd.argoproj.io/secret-type": "cluster"}, "labels.argocd.argoproj.io/secret-type",
     "reserved for Argo CD"),
])
def test_bad_label(labels, field, fragment):
    with pytest.raises(ConfigError) as info:
        build(labels=labels)
    assert info.value.field == field
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"{field}: ")


def test_labels_must_be_a_mapping():
    with pytest.raises(ConfigError, match=r"^labels: must be a mapping of label keys to values, "
                                          r"got list$"):
        build(labels=["global", "production"])


@pytest.mark.parametrize("annotations, field, fragment", [
    ({"bad key": "x"}, "annotations.bad key", "invalid annotation key 'bad key'"),
    ({"example.com/n": 3}, "annotations.example.com/n", "must be a string, got int"),
    (["x"], "annotations", "must be a mapping"),
])
def test_bad_annotation(annotations, field, fragment):
    with pytest.raises(ConfigError) as info:
        build(annotations=annotations)
    assert info.value.field == field
    assert fragment in str(info.value)


def test_annotation_values_may_be_urls():
    stack = TerraformStack(Testing.app(), "ok")
    construct = ArgoCluster(stack, "argo-cluster", props=ArgoClusterProps(
        cluster=ACCESS, argocd_server="argocd.example.com:443", labels={},
        annotations={"example.com/repo": "https://gitlab.com/x/y.git"}))
    assert dict(construct.annotations) == {"example.com/repo": "https://gitlab.com/x/y.git"}


@pytest.mark.parametrize("server, fragment", [
    ("https://argocd.example.com", "no scheme"),
    ("argocd.example.com/api", "no path"),
    ("", "must be host[:port]"),
    (None, "must be host[:port]"),
])
def test_bad_argocd_server(server, fragment):
    with pytest.raises(ConfigError) as info:
        build(argocd_server=server)
    assert info.value.field == "argocd_server"
    assert fragment in str(info.value)


def test_literal_auth_token_is_refused_so_it_cannot_reach_cdktf_out():
    with pytest.raises(ConfigError) as info:
        build(auth_token="eyJhbGciOiJIUzI1NiJ9.secret")
    assert info.value.field == "auth_token"
    assert "a literal would be written to cdktf.out" in str(info.value)
    assert "eyJhbGciOiJIUzI1NiJ9" not in str(info.value)


@pytest.mark.parametrize("cluster, field, fragment", [
    ({"name": "x"}, "cluster", "must be a ClusterAccess, got dict"),
    (ClusterAccess(name="", endpoint="https://a", cluster_ca_certificate="c", token="t"),
     "cluster.name", "must be a non-empty string"),
    (ClusterAccess(name="a", endpoint="http://a:6443", cluster_ca_certificate="c", token="t"),
     "cluster.endpoint", "must be an https:// URL"),
    (ClusterAccess(name="a", endpoint="https://a", cluster_ca_certificate=None, token="t"),
     "cluster.cluster_ca_certificate", "must be a non-empty string"),
])
def test_bad_cluster(cluster, field, fragment):
    with pytest.raises(ConfigError) as info:
        build(cluster=cluster)
    assert info.value.field == field
    assert fragment in str(info.value)


@pytest.mark.parametrize("field, value", [("grpc_web", "yes"), ("insecure", 1)])
def test_flags_must_be_booleans(field, value):
    with pytest.raises(ConfigError, match=rf"^{field}: must be true or false"):
        build(**{field: value})


def test_bad_provider_alias():
    with pytest.raises(ConfigError, match=r"^provider_alias: must be a Terraform identifier"):
        build(provider_alias="9 lives")


CERT = dict(name="aks", endpoint="https://aks.example.com", cluster_ca_certificate="ca")


@pytest.mark.parametrize("access, field, fragment", [
    (ClusterAccess(**CERT), "cluster.token",
     "credentials are missing: give token, exec, or client_certificate and client_key"),
    (ClusterAccess(**CERT, token="${var.t}", client_certificate="${var.c}",
                   client_key="${var.k}"),
     "cluster.token", "give one of token, exec, or client_certificate and client_key, not "
                      "token and client_certificate"),
    (ClusterAccess(**CERT, token="${var.t}", exec=ExecCredential(command="aws")),
     "cluster.token", "not token and exec"),
    (ClusterAccess(**CERT, exec=ExecCredential(command="")), "cluster.exec.command",
     "must be a non-empty string"),
    (ClusterAccess(**CERT, exec=ExecCredential(command="aws", args="eks get-token")),
     "cluster.exec.args", "must be a list of strings, got str"),
    (ClusterAccess(**CERT, exec=ExecCredential(command="aws", args=["eks", 3])),
     "cluster.exec.args[1]", "must be a string, got int"),
    (ClusterAccess(**CERT, exec={"command": "aws"}), "cluster.exec",
     "must be an ExecCredential, got dict"),
    (ClusterAccess(**CERT, client_certificate="${var.c}"), "cluster.client_key",
     "is required with a client certificate, got None"),
    (ClusterAccess(**CERT, client_certificate="", client_key="${var.k}"),
     "cluster.client_certificate", "must be a non-empty string"),
])
def test_bad_credentials(access, field, fragment):
    with pytest.raises(ConfigError) as info:
        build(cluster=access)
    assert info.value.field == field
    assert fragment in str(info.value)


def test_bad_argocd_credentials():
    with pytest.raises(ConfigError, match=r"^argocd_credentials: must be one of service-account, "
                                          r"client-certificate, got 'password'"):
        build(argocd_credentials="password")
    with pytest.raises(ConfigError, match=r"^argocd_credentials: 'client-certificate' needs a "
                                          r"cluster given with client_certificate"):
        build(argocd_credentials="client-certificate")


def test_duplicate_provider_alias_is_refused():
    stack = TerraformStack(Testing.app(), "errors")
    ArgoCluster(stack, "a", props=ArgoClusterProps(
        cluster=ACCESS, argocd_server="argocd.example.com", labels={}, provider_alias="shared"))
    with pytest.raises(ConfigError) as info:
        ArgoCluster(stack, "b", props=ArgoClusterProps(
            cluster=ACCESS, argocd_server="argocd.example.com", labels={},
            provider_alias="shared"))
    assert str(info.value) == (
        "provider_alias: the stack already has a kubernetes provider aliased 'shared', configured "
        "by ArgoCluster 'a'; Terraform allows one per alias: give each construct its own "
        "provider alias")
    assert [c.node.id for c in stack.node.children] == ["a", "argocd_auth_token"]


def test_a_construct_named_like_the_token_variable_that_is_not_a_variable():
    stack = TerraformStack(Testing.app(), "taken")
    TerraformOutput(stack, "argocd_auth_token", value="x")
    with pytest.raises(ConfigError, match=r"^auth_token: the stack already has a construct named "
                                          r"'argocd_auth_token' that is not a Terraform variable$"):
        ArgoCluster(stack, "argo-cluster", props=ArgoClusterProps(
            cluster=ACCESS, argocd_server="argocd.example.com", labels={"global": "true"}))


def test_a_variable_of_that_name_defined_by_the_stack_is_used():
    stack = TerraformStack(Testing.app(), "own")
    own = TerraformVariable(stack, "argocd_auth_token", type="string", sensitive=True,
                            description="set by the platform team")
    registration = ArgoCluster(stack, "argo-cluster", props=ArgoClusterProps(
        cluster=ACCESS, argocd_server="argocd.example.com", labels={"global": "true"}))
    synthesized = json.loads(Testing.synth(stack))

    assert registration.auth_token_variable is own
    assert synthesized["variable"]["argocd_auth_token"]["description"] == "set by the platform team"
    assert synthesized["provider"]["argocd"][0]["auth_token"] == "${var.argocd_auth_token}"


def test_props_are_an_argo_cluster_props():
    stack = TerraformStack(Testing.app(), "errors")
    with pytest.raises(ConfigError, match=r"^props: must be an ArgoClusterProps, got dict"):
        ArgoCluster(stack, "argo-cluster", props={"cluster": ACCESS})  # type: ignore[call-overload]
    assert not stack.node.children


def test_props_and_keywords_together_are_refused():
    stack = TerraformStack(Testing.app(), "errors")
    props = ArgoClusterProps(cluster=ACCESS, argocd_server="argocd.example.com")
    with pytest.raises(ConfigError, match=r"^props: give either props or keywords, not both "
                                          r"\(got props and insecure\)$"):
        ArgoCluster(stack, "argo-cluster", props=props, insecure=True)  # type: ignore[call-overload]


def test_the_keyword_form_still_builds_the_same_registration_and_warns():
    """fleetform 0.1's keyword form: deprecated, the same JSON, checked the same way."""
    keywords = {"cluster": ACCESS, "argocd_server": "argocd.example.com:443",
                "labels": {"global": "true"}, "shard": 2}
    with_props = TerraformStack(Testing.app(), "same")
    ArgoCluster(with_props, "argo-cluster", props=ArgoClusterProps(**keywords))
    with_keywords = TerraformStack(Testing.app(), "same")
    with pytest.warns(DeprecationWarning, match=r"pass props=ArgoClusterProps") as warned:
        ArgoCluster(with_keywords, "argo-cluster", **keywords)
    assert warned[0].filename == __file__  # the warning points at the caller's line
    assert Testing.synth(with_keywords) == Testing.synth(with_props)

    with pytest.warns(DeprecationWarning), pytest.raises(ConfigError, match=r"^labels\.global"):
        ArgoCluster(TerraformStack(Testing.app(), "bad"), "argo-cluster",
                    **dict(keywords, labels={"global": 1}))
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'label'"):
        ArgoCluster(with_keywords, "other", cluster=ACCESS, argocd_server="argocd.example.com",
                    label={})
    with pytest.raises(TypeError, match=r"missing argocd_server"):
        ArgoCluster(with_keywords, "other", cluster=ACCESS)  # type: ignore[call-overload]
