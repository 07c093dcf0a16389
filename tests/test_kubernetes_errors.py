"""The kubernetes binding refuses what the provider's schema rejects."""

import pytest
from cdktf import TerraformStack, Testing

from fleetform.errors import ConfigError
from fleetform.providers.kubernetes import (ClusterRoleBindingV1, ClusterRoleBindingV1Metadata,
                                           ClusterRoleBindingV1RoleRef,
                                          ClusterRoleBindingV1Subject, ClusterRoleV1,
                                          ClusterRoleV1Metadata, ClusterRoleV1Rule,
                                          ObjectMetadata)

RULE = ClusterRoleV1Rule(api_groups=["*"], resources=["*"], verbs=["*"])
ROLE_REF = ClusterRoleBindingV1RoleRef(api_group="rbac.authorization.k8s.io",
                                       kind="ClusterRole", name="r")
SUBJECT = ClusterRoleBindingV1Subject(kind="ServiceAccount", name="sa", namespace="kube-system")


@pytest.mark.parametrize("metadata_class", [ClusterRoleV1Metadata, ClusterRoleBindingV1Metadata])
def test_cluster_scoped_metadata_has_no_namespace(metadata_class):
    # kubernetes_cluster_role_v1 / _binding_v1: metadataSchemaRBAC(..., namespaced=false)
    with pytest.raises(TypeError, match="namespace"):
        metadata_class(name="r", namespace="kube-system")


def test_cluster_role_refuses_namespaced_metadata():
    stack = TerraformStack(Testing.app(), "s")
    with pytest.raises(ConfigError, match=r"metadata.namespace: kubernetes_cluster_role_v1 is "
                                          r"cluster-scoped.*got 'kube-system'"):
        ClusterRoleV1(stack, "r", metadata=ObjectMetadata(name="r", namespace="kube-system"),
                      rule=[RULE])


def test_cluster_role_binding_refuses_namespaced_metadata():
    stack = TerraformStack(Testing.app(), "s")
    with pytest.raises(ConfigError, match=r"metadata.namespace: kubernetes_cluster_role_binding_v1"
                                          r" is cluster-scoped"):
        ClusterRoleBindingV1(stack, "b", metadata={"name": "b", "namespace": "default"},
                             role_ref=ROLE_REF, subject=[SUBJECT])
