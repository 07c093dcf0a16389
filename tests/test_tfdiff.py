"""The Terraform side of `fleetform diff`: per-address changes, sensitive values never shown."""

from __future__ import annotations

import copy
import json

from fleetform.commands.diff.stacks import REDACTED, diff_stack, tainted

SECRET = "s3cr3t-literal-value"


def stack() -> dict:
    return {
        "//": {"metadata": {"version": "0.21.0"}},
        "variable": {
            "repo_token": {"type": "string", "sensitive": True, "default": SECRET},
            "region": {"type": "string", "default": "fra1"},
        },
        "resource": {
            "digitalocean_kubernetes_cluster": {"doks": {
                "//": {"metadata": {"path": "x/doks"}},
                "name": "w1", "region": "${var.region}",
                "node_pool": {"name": "default", "max_nodes": 5}}},
            "random_password": {"admin": {"length": 32, "special": False}},
            "terraform_data": {"hash": {"input": {"hash": "${bcrypt(random_password.admin.result)}"}}},
            "kubernetes_secret_v1": {"repo": {
                "metadata": {"name": "repo", "namespace": "argocd"},
                "data": {"password": "${var.repo_token}", "username": "deploy"}}},
            "helm_release": {"argocd": {
                "name": "argocd", "version": "10.1.3",
                "set_sensitive": [{"name": "configs.secret.argocdServerAdminPassword",
                                   "value": "${terraform_data.hash.output.hash}"}],
                "values": ["server:\n  replicas: 1\n"]}},
        },
        "output": {"kubeconfig": {"value": "${digitalocean_kubernetes_cluster.doks.kube_config}",
                                  "sensitive": True}},
    }


def changes(old: dict, new: dict) -> dict[str, dict]:
    diff = diff_stack("w1", old, new)
    return {c.address: {a.path: (a.old, a.new) for a in c.attributes} for c in diff.changes}


def test_changed_attributes_are_listed_per_address_and_metadata_is_ignored():
    old, new = stack(), stack()
    new["resource"]["digitalocean_kubernetes_cluster"]["doks"]["node_pool"]["max_nodes"] = 6
    new["resource"]["digitalocean_kubernetes_cluster"]["doks"]["//"] = {"metadata": {"path": "y"}}
    new["resource"]["helm_release"]["argocd"]["values"] = ["server:\n  replicas: 2\n"]

    found = diff_stack("w1", old, new)

    assert found.status == "changed"
    assert [(c.address, c.action) for c in found.changes] == [
        ("digitalocean_kubernetes_cluster.doks", "change"), ("helm_release.argocd", "change")]
    doks, helm = found.changes
    assert [(a.path, a.old, a.new) for a in doks.attributes] == [("node_pool.max_nodes", "5", "6")]
    assert helm.attributes[0].lines == ("@@ -1,2 +1,2 @@", " server:", "-  replicas: 1",
                                        "+  replicas: 2")


def test_added_and_removed_addresses():
    old, new = stack(), stack()
    del new["resource"]["random_password"]
    new["resource"]["digitalocean_kubernetes_cluster"]["extra"] = {"name": "w1-extra"}

    found = diff_stack("w1", old, new)

    assert [(c.address, c.action) for c in found.changes] == [
        ("digitalocean_kubernetes_cluster.extra", "add"), ("random_password.admin", "remove")]
    assert diff_stack("w1", None, new).status == "added"
    assert diff_stack("w1", old, None).status == "removed"
    assert diff_stack("w1", old, copy.deepcopy(old)).status == "unchanged"


def test_secrets_and_everything_derived_from_them_are_tainted():
    assert tainted(stack()) == {"var.repo_token", "random_password.admin", "terraform_data.hash",
                                "kubernetes_secret_v1.repo", "helm_release.argocd"}


def test_sensitive_values_are_redacted_but_the_changed_attribute_is_named():
    old, new = stack(), stack()
    new["variable"]["repo_token"]["default"] = SECRET + "-rotated"
    new["resource"]["kubernetes_secret_v1"]["repo"]["data"]["password"] = "${var.other}"
    new["resource"]["kubernetes_secret_v1"]["repo"]["data"]["username"] = "deployer"
    new["resource"]["kubernetes_secret_v1"]["repo"]["metadata"]["name"] = "repo-creds"
    new["resource"]["helm_release"]["argocd"]["set_sensitive"][0]["value"] = "literal"
    new["output"]["kubeconfig"]["value"] = "${digitalocean_kubernetes_cluster.doks.kube_config[0]}"
    new["resource"]["terraform_data"]["hash"]["input"]["hash"] = SECRET

    found = changes(old, new)

    assert found == {
        "kubernetes_secret_v1.repo": {"data.password": (REDACTED, REDACTED),
                                      "data.username": (REDACTED, REDACTED),
                                      "metadata.name": ('"repo"', '"repo-creds"')},
        "terraform_data.hash": {"input.hash": (REDACTED, REDACTED)},
        "helm_release.argocd": {"set_sensitive[0].value": (REDACTED, REDACTED)},
        "output.kubeconfig": {"value": (REDACTED, REDACTED)},
        "var.repo_token": {"default": (REDACTED, REDACTED)},
    }
    text = json.dumps(diff_stack("w1", old, new).to_dict())
    assert SECRET not in text and "deployer" not in text


def test_a_value_reading_a_secret_attribute_of_anything_is_redacted():
    old, new = stack(), stack()
    new["resource"]["helm_release"]["argocd"]["name"] = \
        "${digitalocean_kubernetes_cluster.doks.kube_config[0].token}"

    assert changes(old, new) == {"helm_release.argocd": {"name": (REDACTED, REDACTED)}}
