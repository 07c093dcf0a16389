"""Every hand-written provider binding checks its arguments the same way, on one base
(fleetform/providers/binding.py): a wrong kind is a BindingError, which is both the
TypeError the prebuilt bindings raise and the ConfigError fleetform reports."""

from __future__ import annotations

import pytest
from cdktf import TerraformStack, Testing

from fleetform.errors import ConfigError
from fleetform.providers.argocd import ArgocdProvider
from fleetform.providers.aws import AwsProvider
from fleetform.providers.binding import BindingError, to_json
from fleetform.providers.digitalocean_blocks import DataDigitaloceanRegionsFilter
from fleetform.providers.helm import Release
from fleetform.providers.kubernetes import (ClusterRoleV1Rule, KubernetesProvider, ObjectMetadata,
                                            SecretV1)

WRONG_KINDS = {
    "kubernetes provider": (lambda s: KubernetesProvider(s, "k", host=443),
                            "KubernetesProvider: host must be a string"),
    "kubernetes block": (lambda s: ObjectMetadata(name="a", labels={"tier": 1}),
                         "metadata: labels must be a map of strings"),
    "kubernetes rule": (lambda s: ClusterRoleV1Rule(verbs="*"),
                        "ClusterRoleV1Rule: verbs must be a list of strings"),
    "kubernetes resource": (lambda s: SecretV1(s, "s", metadata=ObjectMetadata(name="a"),
                                               wait_for_service_account_token="yes"),
                            "kubernetes_secret_v1: wait_for_service_account_token must be a "
                            "boolean"),
    "argocd provider": (lambda s: ArgocdProvider(s, "a", insecure=1),
                        "insecure: must be a boolean"),
    "digitalocean block": (lambda s: DataDigitaloceanRegionsFilter(key="slug", values="fra1"),
                           "filter: values must be a list of strings"),
    "helm release": (lambda s: Release(s, "r", name="x", chart="y", wait="yes"),
                     "Release: wait must be a boolean"),
    "aws provider": (lambda s: AwsProvider(s, "aws", region=1),
                     "AwsProvider: region must be a string"),
}


@pytest.mark.parametrize("case", sorted(WRONG_KINDS))
def test_every_binding_refuses_a_wrong_kind_with_one_error(case):
    build, message = WRONG_KINDS[case]
    stack = TerraformStack(Testing.app(), "bindings")

    with pytest.raises(BindingError) as info:
        build(stack)

    assert isinstance(info.value, TypeError) and isinstance(info.value, ConfigError)
    assert message in str(info.value)


def test_json_drops_what_is_unset_at_every_depth():
    assert to_json({"metadata": ObjectMetadata(name="a", labels={"x": "y"}),
                    "rule": (ClusterRoleV1Rule(verbs=["get"]),), "data": {"k": None, "v": "1"}}
                   ) == {"metadata": {"name": "a", "labels": {"x": "y"}},
                         "rule": [{"verbs": ["get"]}], "data": {"v": "1"}}


def test_a_mapping_given_for_a_block_is_checked_as_the_block():
    stack = TerraformStack(Testing.app(), "bindings")
    with pytest.raises(BindingError, match=r"kubernetes_secret_v1: metadata: .*'nme'"):
        SecretV1(stack, "s", metadata={"nme": "a"})  # type: ignore[arg-type]
