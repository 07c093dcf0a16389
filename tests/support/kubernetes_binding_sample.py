"""Synthesize the same Kubernetes resources with the prebuilt binding or fleetform's.

    python kubernetes_binding_sample.py prebuilt|fleetform   # prints the stack JSON, whole

Covers every argument fleetform's binding has: the three provider credentials (a token,
a client certificate and key, an exec plugin), every resource with its blocks, depends_on and
lifecycle, and the attribute references fleetform reads.
"""
import json, sys
from cdktf import TerraformStack, Testing, Fn, Token, TerraformOutput, TerraformResourceLifecycle
mode = sys.argv[1]
if mode == "prebuilt":
    from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider, KubernetesProviderExec
    from cdktf_cdktf_provider_kubernetes.secret_v1 import SecretV1, SecretV1Metadata
    from cdktf_cdktf_provider_kubernetes.service_account_v1 import ServiceAccountV1, ServiceAccountV1Metadata
    from cdktf_cdktf_provider_kubernetes.cluster_role_v1 import ClusterRoleV1, ClusterRoleV1Metadata, ClusterRoleV1Rule
    from cdktf_cdktf_provider_kubernetes.cluster_role_binding_v1 import ClusterRoleBindingV1, ClusterRoleBindingV1Metadata, ClusterRoleBindingV1RoleRef, ClusterRoleBindingV1Subject
else:
    from fleetform.providers.kubernetes import (  # noqa: F401
        ClusterRoleBindingV1, ClusterRoleBindingV1Metadata, ClusterRoleBindingV1RoleRef,
        ClusterRoleBindingV1Subject, ClusterRoleV1, ClusterRoleV1Metadata, ClusterRoleV1Rule,
        KubernetesProvider, KubernetesProviderExec, SecretV1, SecretV1Metadata, ServiceAccountV1, ServiceAccountV1Metadata)
s = TerraformStack(Testing.app(), "t")
k = KubernetesProvider(s, "k", alias="w", host="https://h", cluster_ca_certificate="ca", token="${var.t}")
KubernetesProvider(s, "cert", alias="c", host="https://h2", cluster_ca_certificate="ca2", client_certificate="${var.cert}", client_key="${var.key}")
KubernetesProvider(s, "exec", alias="e", host="${aws_eks_cluster.c.endpoint}", cluster_ca_certificate="ca3", exec=[KubernetesProviderExec(api_version="client.authentication.k8s.io/v1beta1", command="aws", args=["eks", "get-token", "--cluster-name", "${aws_eks_cluster.c.name}"], env={"AWS_PROFILE": "fleet"})])
sa = ServiceAccountV1(s, "sa", provider=k, metadata=ServiceAccountV1Metadata(name="argocd-manager", namespace="kube-system"))
r = ClusterRoleV1(s, "r", provider=k, metadata=ClusterRoleV1Metadata(name="role"), rule=[ClusterRoleV1Rule(api_groups=["*"], resources=["*"], verbs=["*"]), ClusterRoleV1Rule(non_resource_urls=["*"], verbs=["*"])])
b = ClusterRoleBindingV1(s, "b", provider=k, metadata=ClusterRoleBindingV1Metadata(name="rb"), role_ref=ClusterRoleBindingV1RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole", name=r.metadata.name), subject=[ClusterRoleBindingV1Subject(kind="ServiceAccount", name=sa.metadata.name, namespace=sa.metadata.namespace)])
sec = SecretV1(s, "sec", provider=k, depends_on=[b], metadata=SecretV1Metadata(name="tok", namespace="kube-system", labels={"a": "b"}, annotations={"kubernetes.io/service-account.name": sa.metadata.name}), type="kubernetes.io/service-account-token", wait_for_service_account_token=True, lifecycle=TerraformResourceLifecycle(prevent_destroy=True, ignore_changes=["metadata"]))
sec2 = SecretV1(s, "sec2", provider=k, metadata=SecretV1Metadata(name="x", namespace="argocd"), data={"url": "u", "password": "${var.p}"})
TerraformOutput(s, "tok", value=Token.as_string(Fn.lookup(sec.data, "token")), sensitive=True)
print(Testing.synth(s))
