"""ArgoCluster: register any Kubernetes cluster in a remote Argo CD, with routing labels."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Literal, Mapping, Optional

from constructs import Construct

from ..cdk import TerraformStack, TerraformVariable, TerraformVariableValidationConfig
from ..errors import ConfigError
from ..providers.argocd import ArgocdCluster, ArgocdProvider
from ..providers.argocd_blocks import (ArgocdClusterConfig, ArgocdClusterMetadata,
                                       ArgocdClusterTlsClientConfig)
from ..providers.kubernetes import (ClusterRoleBindingV1, ClusterRoleBindingV1Metadata,
                                    ClusterRoleBindingV1RoleRef, ClusterRoleBindingV1Subject,
                                    ClusterRoleV1, ClusterRoleV1Metadata, ClusterRoleV1Rule,
                                    KubernetesProvider, SecretV1, SecretV1Metadata,
                                    ServiceAccountV1, ServiceAccountV1Metadata)
from .cluster_access import ClusterAccess, check_cluster_access
from .formats import SERVER, is_token
from .labels import check_label_key, check_routing_labels
from .provider_aliases import claim_provider_aliases

#: The Terraform variable that carries the management Argo CD's API token.
AUTH_TOKEN_VARIABLE = "argocd_auth_token"
#: Where the ServiceAccount Argo CD uses lives on the registered cluster.
SERVICE_ACCOUNT_NAMESPACE = "kube-system"
SERVICE_ACCOUNT_NAME = "argocd-manager"
CLUSTER_ROLE_NAME = "argocd-manager-role"
CLUSTER_ROLE_BINDING_NAME = "argocd-manager-role-binding"
TOKEN_SECRET_NAME = "argocd-manager-token"

_ALIAS = re.compile(r"[^A-Za-z0-9_-]+")
#: How Argo CD authenticates to the registered cluster.
ArgoCdCredentials = Literal["service-account", "client-certificate"]
_CREDENTIALS = ("service-account", "client-certificate")


class ArgoCluster(Construct):
    """Registers a Kubernetes cluster in a remote Argo CD with routing labels.

    Works for any cluster given as a :class:`ClusterAccess` (endpoint, CA
    certificate, admin token or client certificate): DOKS, EKS, AKS, GKE or
    kind alike.

    On the registered cluster, through its own ``kubernetes`` provider
    (aliased, so it coexists with other kubernetes providers in the stack),
    it creates what ``argocd cluster add`` creates:

    - ServiceAccount ``kube-system/argocd-manager``;
    - ClusterRole ``argocd-manager-role``, which grants every verb on every
      resource of every API group (``apiGroups/resources/verbs: ["*"]``) and
      every verb on every non-resource URL (``nonResourceURLs: ["*"]``):
      Argo CD deploys arbitrary manifests, CRDs and cluster-scoped objects;
    - ClusterRoleBinding ``argocd-manager-role-binding`` of that role to
      the ServiceAccount;
    - Secret ``kube-system/argocd-manager-token`` of type
      ``kubernetes.io/service-account-token`` annotated for the
      ServiceAccount: a long-lived token Kubernetes fills in.

    In the management Argo CD (``argocd`` provider, also aliased) it creates
    an ``argocd_cluster`` named after the cluster, for its endpoint, with the
    ServiceAccount's token and the CA from that Secret, and with ``labels``
    as Argo CD cluster labels (``metadata.labels``: changing them updates the
    registration in place).

    Props (keyword-only):
        cluster: the cluster to register. Its admin token only configures the
            kubernetes provider; it is never given to Argo CD.
        argocd_server: the Argo CD API address, ``host[:port]``.
        labels: routing labels (valid Kubernetes label keys and values, not
            under ``argocd.argoproj.io/``). May be empty.
        annotations: free-form metadata (URLs, paths). Default: none.
        auth_token: a Terraform expression for the Argo CD API token (e.g. a
            sensitive variable's ``string_value``); a literal is refused, as it
            would land in ``cdktf.out``. Default: the stack's sensitive
            variable ``argocd_auth_token``, created on first use and set
            through ``TF_VAR_argocd_auth_token``.
        grpc_web: talk gRPC-web to Argo CD, which gets through an HTTPS ingress
            or a proxy without HTTP/2. Default: True (as ``argocd.grpc_web`` in
            ``cluster.yaml``); False for a server reached directly.
        insecure: skip verifying Argo CD's TLS certificate. Default: False.
        provider_alias: alias of both providers this construct configures.
            Default: derived from ``id``; must be unique in the stack (a
            duplicate is a ConfigError).
        argocd_credentials: what Argo CD authenticates with on the cluster.
            ``"service-account"`` (default): the ``argocd-manager``
            ServiceAccount's long-lived token, created as described above.
            ``"client-certificate"``: the client certificate and key of
            ``cluster`` (which must have them), registered as
            ``config.tls_client_config.cert_data``/``key_data``; nothing is
            created on the cluster. Argo CD then holds that admin certificate
            until it is rotated, so prefer the ServiceAccount where the
            cluster allows it.
        shard: the application-controller shard that serves the cluster (the
            registration's ``shard``). Default: none, the controller's sharding
            algorithm places it. A shard the controller does not have (one at or above
            its replicas) falls back to that algorithm too.

    Attributes:
        registration: the ``argocd_cluster`` resource.
        name: the cluster's name in Argo CD.
        shard: the controller shard given, or None.
        server: the cluster's API server URL as registered.
        labels: the routing labels (read-only mapping).
        service_account_name, service_account_namespace: the ServiceAccount.
        token_secret_name: the Secret holding its long-lived token.
        auth_token_variable: the ``argocd_auth_token`` variable, or None when
            ``auth_token`` was given.
        kubernetes_provider, argocd_provider: the providers configured here
            (``kubernetes_provider`` is None with ``"client-certificate"``).
    """

    def __init__(self, scope: Construct, id: str, *, cluster: ClusterAccess,
                 argocd_server: str, labels: Mapping[str, str],
                 annotations: Optional[Mapping[str, str]] = None,
                 auth_token: Optional[str] = None, grpc_web: bool = True,
                 insecure: bool = False, provider_alias: Optional[str] = None,
                 argocd_credentials: ArgoCdCredentials = "service-account",
                 shard: Optional[int] = None) -> None:
        _check_props(cluster=cluster, argocd_server=argocd_server, labels=labels,
                     annotations=annotations, auth_token=auth_token, grpc_web=grpc_web,
                     insecure=insecure, provider_alias=provider_alias,
                     argocd_credentials=argocd_credentials)
        if shard is not None and (not isinstance(shard, int) or isinstance(shard, bool)
                                  or shard < 0):
            raise ConfigError(f"must be a controller shard, a number >= 0, got {shard!r}",
                              field="shard")
        alias = provider_alias or _ALIAS.sub("-", id).strip("-") or "argo-cluster"
        if not alias[0].isalpha():
            alias = f"cluster-{alias}"
        stack = scope if isinstance(scope, TerraformStack) else TerraformStack.of(scope)
        use_certificate = argocd_credentials == "client-certificate"
        claim_provider_aliases(
            stack, [(kind, alias) for kind in
                    (("argocd",) if use_certificate else ("kubernetes", "argocd"))],
            owner=f"ArgoCluster {id!r}", field="provider_alias")
        super().__init__(scope, id)

        self.name: str = cluster.name
        self.server: str = cluster.endpoint
        self.shard: Optional[int] = shard
        self.labels: Mapping[str, str] = MappingProxyType(dict(labels))
        self.annotations: Mapping[str, str] = MappingProxyType(dict(annotations or {}))
        self.service_account_name = SERVICE_ACCOUNT_NAME
        self.service_account_namespace = SERVICE_ACCOUNT_NAMESPACE
        self.token_secret_name = TOKEN_SECRET_NAME

        if use_certificate:
            self._register_certificate(stack, cluster, labels, annotations, alias=alias,
                                       argocd_server=argocd_server, auth_token=auth_token,
                                       grpc_web=grpc_web, insecure=insecure)
            return

        # --- On the registered cluster -------------------------------------
        self.kubernetes_provider: Optional[KubernetesProvider] = KubernetesProvider(
            self, "kubernetes", alias=alias, host=cluster.endpoint,
            cluster_ca_certificate=cluster.cluster_ca_certificate,
            **cluster.provider_credentials(list_exec=True))
        k8s = self.kubernetes_provider
        service_account = ServiceAccountV1(
            self, "service-account", provider=k8s,
            metadata=ServiceAccountV1Metadata(name=SERVICE_ACCOUNT_NAME,
                                              namespace=SERVICE_ACCOUNT_NAMESPACE))
        # References, so that Terraform orders the objects; each is a jsii call.
        service_account_name = service_account.metadata.name
        role = ClusterRoleV1(
            self, "cluster-role", provider=k8s,
            metadata=ClusterRoleV1Metadata(name=CLUSTER_ROLE_NAME),
            rule=[ClusterRoleV1Rule(api_groups=["*"], resources=["*"], verbs=["*"]),
                  ClusterRoleV1Rule(non_resource_urls=["*"], verbs=["*"])])
        binding = ClusterRoleBindingV1(
            self, "cluster-role-binding", provider=k8s,
            metadata=ClusterRoleBindingV1Metadata(name=CLUSTER_ROLE_BINDING_NAME),
            role_ref=ClusterRoleBindingV1RoleRef(api_group="rbac.authorization.k8s.io",
                                                 kind="ClusterRole", name=role.metadata.name),
            subject=[ClusterRoleBindingV1Subject(kind="ServiceAccount",
                                                 name=service_account_name,
                                                 namespace=service_account.metadata.namespace)])
        # Why a token Secret: the admin token in `cluster` may be short-lived (a
        # DOKS kubeconfig token expires after 7 days, EKS tokens after minutes).
        # Kubernetes fills a service-account-token Secret with a token that does
        # not expire, and the cluster's CA, which is what Argo CD needs to keep.
        self.token_secret = SecretV1(
            self, "token", provider=k8s,
            metadata=SecretV1Metadata(
                name=TOKEN_SECRET_NAME, namespace=SERVICE_ACCOUNT_NAMESPACE,
                annotations={"kubernetes.io/service-account.name": service_account_name}),
            type="kubernetes.io/service-account-token",
            wait_for_service_account_token=True)
        bearer_token = self.token_secret.data_value("token")
        ca_data = self.token_secret.data_value("ca.crt")

        # --- In the management Argo CD -------------------------------------
        self._argocd_provider(stack, alias=alias, argocd_server=argocd_server,
                              auth_token=auth_token, grpc_web=grpc_web, insecure=insecure)
        self.registration = ArgocdCluster(
            self, "registration", provider=self.argocd_provider,
            name=cluster.name, server=cluster.endpoint,
            shard=None if self.shard is None else str(self.shard),
            config=ArgocdClusterConfig(
                bearer_token=bearer_token,
                tls_client_config=ArgocdClusterTlsClientConfig(ca_data=ca_data)),
            metadata=_metadata(labels, annotations),
            # The token works only once the role is bound.
            depends_on=[binding])

    def _argocd_provider(self, stack: TerraformStack, *, alias: str, argocd_server: str,
                         auth_token: Optional[str], grpc_web: bool, insecure: bool) -> None:
        """The management Argo CD's provider, with ``auth_token`` or the stack's variable."""
        self.auth_token_variable: Optional[TerraformVariable] = None
        if auth_token is None:
            self.auth_token_variable = auth_token_variable(stack)
            # What string_value resolves to, without its jsii round trip: the
            # variable is in the provider's stack.
            auth_token = f"${{var.{AUTH_TOKEN_VARIABLE}}}"
        self.argocd_provider = ArgocdProvider(
            self, "argocd", alias=alias, server_addr=argocd_server, auth_token=auth_token,
            grpc_web=grpc_web, insecure=insecure)

    def _register_certificate(self, stack: TerraformStack, cluster: ClusterAccess,
                              labels: Mapping[str, str],
                              annotations: Optional[Mapping[str, str]], *, alias: str,
                              argocd_server: str, auth_token: Optional[str], grpc_web: bool,
                              insecure: bool) -> None:
        """Register ``cluster`` with its own client certificate: nothing on the cluster."""
        self.kubernetes_provider = None
        self.token_secret = None
        self._argocd_provider(stack, alias=alias, argocd_server=argocd_server,
                              auth_token=auth_token, grpc_web=grpc_web, insecure=insecure)
        self.registration = ArgocdCluster(
            self, "registration", provider=self.argocd_provider,
            name=cluster.name, server=cluster.endpoint,
            shard=None if self.shard is None else str(self.shard),
            config=ArgocdClusterConfig(tls_client_config=ArgocdClusterTlsClientConfig(
                ca_data=cluster.cluster_ca_certificate, cert_data=cluster.client_certificate,
                key_data=cluster.client_key)),
            metadata=_metadata(labels, annotations))


def _metadata(labels: Mapping[str, str],
              annotations: Optional[Mapping[str, str]]) -> Optional[ArgocdClusterMetadata]:
    if not labels and not annotations:
        return None
    return ArgocdClusterMetadata(labels=dict(labels) or None,
                                 annotations=dict(annotations or {}) or None)


def auth_token_variable(stack: TerraformStack) -> TerraformVariable:
    """The stack's sensitive ``argocd_auth_token`` variable, created on first use."""
    # Remembered on the stack in Python: looking it up in the construct tree
    # costs two jsii round trips per stack, and a fleet synth has one per worker.
    known = getattr(stack, _VARIABLE_ATTRIBUTE, None)
    if known is not None:
        return known
    try:
        variable = _new_auth_token_variable(stack)
    except RuntimeError as exc:  # from jsii: reuse a variable of that id, refuse anything else
        if "already a Construct with name" not in str(exc):
            raise
        existing = stack.node.try_find_child(AUTH_TOKEN_VARIABLE)
        if not isinstance(existing, TerraformVariable):
            raise ConfigError(f"the stack already has a construct named {AUTH_TOKEN_VARIABLE!r} "
                              "that is not a Terraform variable", field="auth_token") from None
        variable = existing
    object.__setattr__(stack, _VARIABLE_ATTRIBUTE, variable)
    return variable


_VARIABLE_ATTRIBUTE = "_fleetform_auth_token_variable"


def _new_auth_token_variable(stack: TerraformStack) -> TerraformVariable:
    return TerraformVariable(
        stack, AUTH_TOKEN_VARIABLE, type="string", sensitive=True, nullable=False,
        description=(
            "API token of the management Argo CD (its 'automation' account), used to "
            "register this cluster. Set TF_VAR_argocd_auth_token, e.g. from a masked "
            "GitLab CI/CD variable; the management stack's output automation_user_token "
            "holds it."),
        validation=[TerraformVariableValidationConfig(
            condition=f"${{length(trimspace(var.{AUTH_TOKEN_VARIABLE})) > 0}}",
            error_message=(
                "argocd_auth_token is empty: set TF_VAR_argocd_auth_token to the "
                "management Argo CD's API token (output automation_user_token of the "
                "management stack)."))])


def _check_props(*, cluster: ClusterAccess, argocd_server: str, labels: Mapping[str, str],
                 annotations: Optional[Mapping[str, str]], auth_token: Optional[str],
                 grpc_web: bool, insecure: bool, provider_alias: Optional[str],
                 argocd_credentials: str) -> None:
    """Raise ConfigError naming the first invalid prop."""
    check_cluster_access(cluster, "cluster")
    if not isinstance(argocd_server, str) or not argocd_server:
        raise ConfigError(f"must be host[:port] such as argocd.example.com:443, "
                          f"got {argocd_server!r}", field="argocd_server")
    if not is_token(argocd_server) and not SERVER.match(argocd_server):
        raise ConfigError(f"must be host[:port] such as argocd.example.com:443 (no scheme, "
                          f"no path), got {argocd_server!r}", field="argocd_server")
    if not isinstance(labels, Mapping):
        raise ConfigError(f"must be a mapping of label keys to values, "
                          f"got {type(labels).__name__}", field="labels")
    check_routing_labels(labels, field="labels")
    if annotations is not None:
        if not isinstance(annotations, Mapping):
            raise ConfigError(f"must be a mapping of annotation keys to values, "
                              f"got {type(annotations).__name__}", field="annotations")
        for key, value in annotations.items():
            try:
                check_label_key(key)
            except ValueError as exc:
                raise ConfigError(str(exc).replace("label key", "annotation key"),
                                  field=f"annotations.{key}") from None
            if not isinstance(value, str):
                raise ConfigError(f"an annotation value must be a string, "
                                  f"got {type(value).__name__}", field=f"annotations.{key}")
    if auth_token is not None and not is_token(auth_token):
        raise ConfigError(
            "must be a Terraform expression such as a sensitive variable's string_value, "
            "not a literal token: a literal would be written to cdktf.out "
            "(leave it unset to use the argocd_auth_token variable)", field="auth_token")
    for field, value in (("grpc_web", grpc_web), ("insecure", insecure)):
        if not isinstance(value, bool):
            raise ConfigError(f"must be true or false, got {value!r}", field=field)
    if provider_alias is not None and (not isinstance(provider_alias, str)
                                       or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*",
                                                           provider_alias)):
        raise ConfigError(f"must be a Terraform identifier, got {provider_alias!r}",
                          field="provider_alias")
    if argocd_credentials not in _CREDENTIALS:
        raise ConfigError(f"must be one of {', '.join(_CREDENTIALS)}, "
                          f"got {argocd_credentials!r}", field="argocd_credentials")
    if argocd_credentials == "client-certificate" and not cluster.uses_client_certificate:
        raise ConfigError("'client-certificate' needs a cluster given with client_certificate "
                          "and client_key, not a token", field="argocd_credentials")
