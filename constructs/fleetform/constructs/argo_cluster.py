"""ArgoCluster: register any Kubernetes cluster in a remote Argo CD, with routing labels."""

from __future__ import annotations

import os
import re
import sys
import warnings
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal, Mapping, Optional, overload

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
from .formats import SERVER, check_instance, is_token
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


@dataclass(frozen=True)
class ArgoClusterProps:
    """Props of :class:`ArgoCluster`, validated when built (a ConfigError names the prop).

    Attributes:
        cluster: the cluster to register. Its admin token only configures the
            kubernetes provider; it is never given to Argo CD.
        argocd_server: the Argo CD API address, ``host[:port]``.
        labels: routing labels (valid Kubernetes label keys and values, not
            under ``argocd.argoproj.io/``). Default: none.
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
        provider_alias: alias of both providers the construct configures.
            Default: derived from the construct's id; must be unique in the stack
            (a duplicate is a ConfigError).
        argocd_credentials: what Argo CD authenticates with on the cluster.
            ``"service-account"`` (default): the ``argocd-manager``
            ServiceAccount's long-lived token, created as :class:`ArgoCluster`
            describes. ``"client-certificate"``: the client certificate and key of
            ``cluster`` (which must have them), registered as
            ``config.tls_client_config.cert_data``/``key_data``; nothing is
            created on the cluster. Argo CD then holds that admin certificate
            until it is rotated, so prefer the ServiceAccount where the
            cluster allows it.
        shard: the application-controller shard that serves the cluster (the
            registration's ``shard``). Default: none, the controller's sharding
            algorithm places it. A shard the controller does not have (one at or
            above its replicas) falls back to that algorithm too.
    """

    cluster: ClusterAccess
    argocd_server: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Optional[Mapping[str, str]] = None
    auth_token: Optional[str] = None
    grpc_web: bool = True
    insecure: bool = False
    provider_alias: Optional[str] = None
    argocd_credentials: ArgoCdCredentials = "service-account"
    shard: Optional[int] = None

    def __post_init__(self) -> None:
        check_cluster_access(self.cluster, "cluster")
        _check_server(self.argocd_server)
        if not isinstance(self.labels, Mapping):
            raise ConfigError(f"must be a mapping of label keys to values, "
                              f"got {type(self.labels).__name__}", field="labels")
        check_routing_labels(self.labels, field="labels")
        _check_annotations(self.annotations)
        if self.auth_token is not None and not is_token(self.auth_token):
            raise ConfigError(
                "must be a Terraform expression such as a sensitive variable's string_value, "
                "not a literal token: a literal would be written to cdktf.out "
                "(leave it unset to use the argocd_auth_token variable)", field="auth_token")
        for name in ("grpc_web", "insecure"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"must be true or false, got {getattr(self, name)!r}",
                                  field=name)
        if self.provider_alias is not None and (
                not isinstance(self.provider_alias, str)
                or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", self.provider_alias)):
            raise ConfigError(f"must be a Terraform identifier, got {self.provider_alias!r}",
                              field="provider_alias")
        _check_credentials(self.argocd_credentials, self.cluster)
        if self.shard is not None and (not isinstance(self.shard, int)
                                       or isinstance(self.shard, bool) or self.shard < 0):
            raise ConfigError(f"must be a controller shard, a number >= 0, got {self.shard!r}",
                              field="shard")

    @property
    def uses_certificate(self) -> bool:
        """Whether Argo CD authenticates with the cluster's client certificate."""
        return self.argocd_credentials == "client-certificate"


class ArgoCluster(Construct):
    """Registers a Kubernetes cluster in a remote Argo CD with routing labels.

    Works for any cluster given as a :class:`ClusterAccess` (endpoint, CA
    certificate, admin token or client certificate): DOKS, EKS, AKS, GKE or
    kind alike. Its props are an :class:`ArgoClusterProps`::

        ArgoCluster(stack, "registration", props=ArgoClusterProps(
            cluster=access, argocd_server="argocd.example.com:443",
            labels={"production": "true"}))

    The props' fields may also be given as keywords (``cluster=...,
    argocd_server=...``), the form of fleetform 0.1; that form is deprecated
    and warns (DeprecationWarning).

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

    With ``argocd_credentials="client-certificate"`` it creates none of these.

    In the management Argo CD (``argocd`` provider, also aliased) it creates
    an ``argocd_cluster`` named after the cluster, for its endpoint, with the
    ServiceAccount's token and the CA from that Secret, and with ``labels``
    as Argo CD cluster labels (``metadata.labels``: changing them updates the
    registration in place).

    Attributes:
        props: the props it was built with.
        registration: the ``argocd_cluster`` resource.
        name: the cluster's name in Argo CD.
        shard: the controller shard given, or None.
        server: the cluster's API server URL as registered.
        labels: the routing labels (read-only mapping).
        annotations: the annotations (read-only mapping).
        service_account_name, service_account_namespace: the ServiceAccount.
        token_secret_name: the Secret holding its long-lived token.
        token_secret: that Secret (None with ``"client-certificate"``).
        auth_token_variable: the ``argocd_auth_token`` variable, or None when
            ``auth_token`` was given.
        kubernetes_provider, argocd_provider: the providers configured here
            (``kubernetes_provider`` is None with ``"client-certificate"``).
    """

    @overload
    def __init__(self, scope: Construct, id: str, *, props: ArgoClusterProps) -> None: ...

    @overload
    def __init__(self, scope: Construct, id: str, *, cluster: ClusterAccess,
                 argocd_server: str, labels: Mapping[str, str] = ...,
                 annotations: Optional[Mapping[str, str]] = ...,
                 auth_token: Optional[str] = ..., grpc_web: bool = ..., insecure: bool = ...,
                 provider_alias: Optional[str] = ...,
                 argocd_credentials: ArgoCdCredentials = ...,
                 shard: Optional[int] = ...) -> None: ...

    def __init__(self, scope: Construct, id: str, *, props: Optional[ArgoClusterProps] = None,
                 **keywords: Any) -> None:
        props = _props(props, keywords)
        alias = props.provider_alias or _ALIAS.sub("-", id).strip("-") or "argo-cluster"
        if not alias[0].isalpha():
            alias = f"cluster-{alias}"
        stack = scope if isinstance(scope, TerraformStack) else TerraformStack.of(scope)
        claim_provider_aliases(
            stack, [(kind, alias) for kind in
                    (("argocd",) if props.uses_certificate else ("kubernetes", "argocd"))],
            owner=f"ArgoCluster {id!r}", field="provider_alias")
        super().__init__(scope, id)

        self.props = props
        self.name: str = props.cluster.name
        self.server: str = props.cluster.endpoint
        self.shard: Optional[int] = props.shard
        self.labels: Mapping[str, str] = MappingProxyType(dict(props.labels))
        self.annotations: Mapping[str, str] = MappingProxyType(dict(props.annotations or {}))
        self.service_account_name = SERVICE_ACCOUNT_NAME
        self.service_account_namespace = SERVICE_ACCOUNT_NAMESPACE
        self.token_secret_name = TOKEN_SECRET_NAME

        self._argocd_provider(stack, alias)
        if props.uses_certificate:
            self.kubernetes_provider: Optional[KubernetesProvider] = None
            self.token_secret: Optional[SecretV1] = None
            access = props.cluster
            self._register(ArgocdClusterConfig(tls_client_config=ArgocdClusterTlsClientConfig(
                ca_data=access.cluster_ca_certificate, cert_data=access.client_certificate,
                key_data=access.client_key)))
            return
        binding = self._service_account(alias)
        assert self.token_secret is not None
        self._register(ArgocdClusterConfig(
            bearer_token=self.token_secret.data_value("token"),
            tls_client_config=ArgocdClusterTlsClientConfig(
                ca_data=self.token_secret.data_value("ca.crt"))),
            # The token works only once the role is bound.
            depends_on=[binding])

    def _service_account(self, alias: str) -> ClusterRoleBindingV1:
        """On the registered cluster: the ServiceAccount, its role, binding and token Secret.

        Returns the binding, which the registration waits for.
        """
        access = self.props.cluster
        self.kubernetes_provider = KubernetesProvider(
            self, "kubernetes", alias=alias, host=access.endpoint,
            cluster_ca_certificate=access.cluster_ca_certificate,
            **access.provider_credentials(list_exec=True))
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
        return binding

    def _argocd_provider(self, stack: TerraformStack, alias: str) -> None:
        """The management Argo CD's provider, with ``auth_token`` or the stack's variable."""
        props = self.props
        auth_token = props.auth_token
        self.auth_token_variable: Optional[TerraformVariable] = None
        if auth_token is None:
            self.auth_token_variable = auth_token_variable(stack)
            # What string_value resolves to, without its jsii round trip: the
            # variable is in the provider's stack.
            auth_token = f"${{var.{AUTH_TOKEN_VARIABLE}}}"
        self.argocd_provider = ArgocdProvider(
            self, "argocd", alias=alias, server_addr=props.argocd_server, auth_token=auth_token,
            grpc_web=props.grpc_web, insecure=props.insecure)

    def _register(self, config: ArgocdClusterConfig, **depends: Any) -> None:
        """In the management Argo CD: the cluster's registration, with ``config``."""
        props = self.props
        self.registration = ArgocdCluster(
            self, "registration", provider=self.argocd_provider,
            name=props.cluster.name, server=props.cluster.endpoint,
            shard=None if props.shard is None else str(props.shard),
            config=config, metadata=_metadata(props.labels, props.annotations), **depends)


def _props(props: Optional[ArgoClusterProps], keywords: dict[str, Any]) -> ArgoClusterProps:
    """The props given, or built from the deprecated keyword form."""
    if props is not None:
        if keywords:
            raise ConfigError(f"give either props or keywords, not both "
                              f"(got props and {', '.join(sorted(keywords))})", field="props")
        check_instance(props, "props", ArgoClusterProps,
                       "ArgoClusterProps(cluster=..., argocd_server=...)")
        return props
    unknown = sorted(set(keywords) - _FIELDS)
    if unknown:
        raise TypeError(f"ArgoCluster() got an unexpected keyword argument {unknown[0]!r}")
    missing = [name for name in ("cluster", "argocd_server") if name not in keywords]
    if missing:
        raise TypeError(f"ArgoCluster() needs props=ArgoClusterProps(...) "
                        f"(missing {', '.join(missing)})")
    warnings.warn("ArgoCluster(scope, id, cluster=..., ...) is deprecated: pass "
                  "props=ArgoClusterProps(cluster=..., ...)", DeprecationWarning,
                  stacklevel=_caller_level())
    return ArgoClusterProps(**keywords)


def _caller_level() -> int:
    """The stack level of the code that built the ArgoCluster (past this module and jsii)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (frame.f_code.co_filename == __file__
                                 or f"{os.sep}jsii{os.sep}" in frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    return level


_FIELDS = frozenset(f.name for f in fields(ArgoClusterProps))


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


def _check_server(server: object) -> None:
    if not isinstance(server, str) or not server:
        raise ConfigError(f"must be host[:port] such as argocd.example.com:443, "
                          f"got {server!r}", field="argocd_server")
    if not is_token(server) and not SERVER.match(server):
        raise ConfigError(f"must be host[:port] such as argocd.example.com:443 (no scheme, "
                          f"no path), got {server!r}", field="argocd_server")


def _check_annotations(annotations: object) -> None:
    if annotations is None:
        return
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


def _check_credentials(credentials: object, cluster: ClusterAccess) -> None:
    if credentials not in _CREDENTIALS:
        raise ConfigError(f"must be one of {', '.join(_CREDENTIALS)}, "
                          f"got {credentials!r}", field="argocd_credentials")
    if credentials == "client-certificate" and not cluster.uses_client_certificate:
        raise ConfigError("'client-certificate' needs a cluster given with client_certificate "
                          "and client_key, not a token", field="argocd_credentials")
