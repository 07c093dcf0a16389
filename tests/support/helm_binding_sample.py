"""Synthesize the same Helm provider and releases with the prebuilt binding or fleetform's.

    python helm_binding_sample.py prebuilt|fleetform   # prints the stack JSON, whole

Covers every argument fleetform's binding has: the provider's three credentials (a token,
a client certificate and key, an exec plugin with arguments and environment), and a
release with each argument, set_sensitive values, depends_on and lifecycle.
"""
import json
import sys

from cdktf import TerraformResourceLifecycle, TerraformStack, Testing

if sys.argv[1] == "prebuilt":
    from cdktf_cdktf_provider_helm.provider import (HelmProvider, HelmProviderKubernetes,
                                                    HelmProviderKubernetesExec)
    from cdktf_cdktf_provider_helm.release import Release, ReleaseSetSensitive
else:
    from fleetform.providers.helm import (HelmProvider, HelmProviderKubernetes,
                                          HelmProviderKubernetesExec, Release,
                                          ReleaseSetSensitive)

s = TerraformStack(Testing.app(), "t")
token = HelmProvider(s, "h", alias="argocd", kubernetes=HelmProviderKubernetes(
    host="${digitalocean_kubernetes_cluster.c.endpoint}", cluster_ca_certificate="ca",
    token="${digitalocean_kubernetes_cluster.c.kube_config[0].token}"))
HelmProvider(s, "cert", alias="aks", kubernetes=HelmProviderKubernetes(
    host="https://aks", cluster_ca_certificate="ca2", client_certificate="${var.cert}",
    client_key="${var.key}"))
HelmProvider(s, "exec", alias="eks", kubernetes=HelmProviderKubernetes(
    host="${aws_eks_cluster.c.endpoint}", cluster_ca_certificate="ca3",
    exec=HelmProviderKubernetesExec(
        api_version="client.authentication.k8s.io/v1beta1", command="aws",
        args=["eks", "get-token", "--cluster-name", "${aws_eks_cluster.c.name}"],
        env={"AWS_PROFILE": "fleet"})))
HelmProvider(s, "default")
first = Release(
    s, "argo-cd", provider=token, name="argocd", namespace="argocd", create_namespace=True,
    repository="https://argoproj.github.io/argo-helm", chart="argo-cd", version="10.1.3",
    values=["a: 1\n", "b: ${var.b}\n"],
    set_sensitive=[ReleaseSetSensitive(name="configs.secret.x", value="${var.x}", type="string"),
                   ReleaseSetSensitive(name="y", value="${var.y}")],
    wait=True, timeout=900, lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
Release(s, "apps", provider=token, name="argocd-apps", namespace="argocd", chart="argocd-apps",
        repository="https://argoproj.github.io/argo-helm", version="2.0.5", values=["c: 3\n"],
        depends_on=[first])
print(Testing.synth(s))
