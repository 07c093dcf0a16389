"""ArgoCd: Argo CD on the management cluster, with its automation account and routing.

What it installs, all through Terraform:

* the upstream ``argo-cd`` Helm chart (pinned) in ``argocd``, with a generated
  admin password (bcrypt-hashed once, with a stable mtime) and a local
  ``automation`` account whose RBAC role can manage clusters and nothing else;
* an API token for that account (``argocd_account_token``), which worker
  stacks use to register themselves; it expires (90 days by default) and
  Terraform replaces it at the first plan within its renewal window;
* the management cluster itself, registered in-cluster with its labels;
* repository credentials (from sensitive variables) and one ApplicationSet per
  routing label, through the ``argocd-apps`` chart (so no CRD is needed at plan
  time).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping

import yaml
from constructs import Construct

from ..cdk import (DataResource, Fn, TerraformResourceLifecycle, TerraformStack, TerraformVariable,
                   TerraformVariableValidationConfig)
from ..errors import ConfigError
from ..providers.argocd import ArgocdAccountToken, ArgocdProvider
from ..providers.helm import (HelmProvider, HelmProviderKubernetes, HelmProviderKubernetesExec,
                              Release, ReleaseSetSensitive)
from ..providers.kubernetes import KubernetesProvider, SecretV1, SecretV1Metadata
from ..providers.random import RandomPassword, RandomProvider
from .applicationsets import ARGOCD_NAMESPACE, IN_CLUSTER_SERVER, applicationsets
from .argocd_sizing import ArgoCdSizing, check_shard
from .rollout import PROGRESSIVE_SYNCS_PARAM, uses_rollouts
from .cluster_access import ClusterAccess, check_cluster_access
from .formats import (CHART_VERSION, DNS1123_LABEL, HOSTNAME, check_bool, check_instance,
                      check_str, check_token_lifetime)
from .labels import check_labels, check_routing_labels, label_name, label_slug
from .props import (DEFAULT_ARGOCD_APPS_CHART_VERSION, DEFAULT_ARGOCD_CHART_VERSION,
                    DEFAULT_TOKEN_EXPIRES_IN, DEFAULT_TOKEN_RENEW_BEFORE, Repository,
                    check_apps_chart_version, check_mapping, check_repository, merge_values)
from .provider_aliases import claim_provider_aliases

ARGO_HELM_REPOSITORY = "https://argoproj.github.io/argo-helm"
AUTOMATION_ACCOUNT = "automation"
#: The provider configurations ArgoCd adds to its stack (type, alias).
PROVIDERS = (("helm", "argocd"), ("kubernetes", "argocd"), ("random", None), ("argocd", "argocd"))
AUTOMATION_ROLE = "role:fleetform-cluster-manager"


def automation_policy(cluster_name: str) -> str:
    """The automation account's Argo CD RBAC: register clusters, and nothing else.

    It may get, create, update and delete cluster registrations, which is what
    worker stacks do, except the management cluster's own (in-cluster)
    registration: Argo CD checks a cluster's permissions against its server URL,
    then against its name, so both are denied (a deny wins over an allow).
    """
    rules = [f"p, {AUTOMATION_ROLE}, clusters, {action}, *, allow"
             for action in ("get", "create", "update", "delete")]
    rules += [f"p, {AUTOMATION_ROLE}, clusters, {action}, {obj}, deny"
              for action in ("create", "update", "delete")
              for obj in (IN_CLUSTER_SERVER, cluster_name)]
    rules.append(f"g, {AUTOMATION_ACCOUNT}, {AUTOMATION_ROLE}")
    return "\n".join(rules) + "\n"


@dataclass(frozen=True)
class ArgoCdProps:
    """Props of :class:`ArgoCd`, validated when built (a ConfigError names the prop).

    Attributes:
        cluster: admin access to the management cluster (providers are configured from it).
        cluster_name: the management cluster's name, as registered in Argo CD.
        cluster_labels: routing labels of the management cluster itself. Default: none.
        repositories: routing label → repository of Helm charts. Default: none.
        chart_version: the argo-cd chart version. Default: the pinned 10.1.x.
        apps_chart_version: the argocd-apps chart version, at least 2.0.3 (older ones
            drop ``goTemplateOptions``). Default: the pinned 2.0.x.
        hostname: public hostname of the Argo CD server (``global.domain``), used for
            ``url``. Default: none (reach it with the provider's port-forward).
        admin_enabled: keep the local admin account. Default: True; turn it off once
            SSO is configured (then set ``TF_VAR_argocd_management_token``).
        namespace: Argo CD's namespace. Default: ``argocd``.
        prevent_destroy: Terraform refuses to destroy the Argo CD release. Default: True.
        token_expires_in: lifetime of the automation token, a Go duration. Default: ``2160h``
            (90 days).
        token_renew_before: Terraform replaces the token at the first plan once less than
            this remains. Default: ``720h`` (30 days).
        sizing: replicas, high availability and the controller's parallelism
            (:meth:`ArgoCdSizing.for_fleet` of the fleet's number of clusters). Default:
            the sizing of a single cluster, the chart's one replica of everything.
        shard: the controller shard serving the management cluster itself (see
            :func:`~fleetform.constructs.argocd_sizing.controller_shards`). Default: none,
            placed by the controller.
    """

    cluster: ClusterAccess
    cluster_name: str
    cluster_labels: Mapping[str, str] = field(default_factory=dict)
    repositories: Mapping[str, Repository] = field(default_factory=dict)
    chart_version: str = DEFAULT_ARGOCD_CHART_VERSION
    apps_chart_version: str = DEFAULT_ARGOCD_APPS_CHART_VERSION
    hostname: str | None = None
    admin_enabled: bool = True
    namespace: str = ARGOCD_NAMESPACE
    prevent_destroy: bool = True
    token_expires_in: str = DEFAULT_TOKEN_EXPIRES_IN
    token_renew_before: str = DEFAULT_TOKEN_RENEW_BEFORE
    sizing: ArgoCdSizing = field(default_factory=lambda: ArgoCdSizing.for_fleet(1))
    shard: int | None = None

    def __post_init__(self) -> None:
        check_cluster_access(self.cluster, "cluster")
        check_str(self.cluster_name, "cluster_name", "a non-empty cluster name")
        check_mapping(self.cluster_labels, "cluster_labels", "label keys to values")
        check_routing_labels(self.cluster_labels, field="cluster_labels")
        check_mapping(self.repositories, "repositories", "routing labels to Repository")
        for label, repository in self.repositories.items():
            check_labels({label: "true"}, field="repositories")
            check_repository(repository, f"repositories.{label}")
        check_str(self.chart_version, "chart_version", "a chart version such as 1.2.3",
                  CHART_VERSION, tokens=False)
        try:
            check_apps_chart_version(self.apps_chart_version)
        except ValueError as exc:
            raise ConfigError(str(exc), field="apps_chart_version") from None
        if self.hostname is not None:
            check_str(self.hostname, "hostname", "a DNS hostname", HOSTNAME)
        check_bool(self.admin_enabled, "admin_enabled")
        check_str(self.namespace, "namespace", "a Kubernetes namespace name (a DNS-1123 label)",
                  DNS1123_LABEL, tokens=False)
        check_bool(self.prevent_destroy, "prevent_destroy")
        check_token_lifetime(self.token_expires_in, self.token_renew_before)
        check_instance(self.sizing, "sizing", ArgoCdSizing, "ArgoCdSizing.for_fleet(clusters)")
        check_shard(self.shard, self.sizing.controller_replicas)


def _variable_id(label: str) -> str:
    return "repository_" + label_slug(label).replace("-", "_")


class ArgoCd(Construct):
    """Argo CD on a management cluster, routing each label to its repository.

    Attributes:
        release: the argo-cd ``helm_release``.
        apps_release: the argocd-apps ``helm_release`` carrying the ApplicationSets.
        admin_password: the admin password (sensitive).
        automation_token: the automation account's API token (sensitive).
        url: ``https://<hostname>``, or None without a hostname.
        chart_values: the argo-cd chart values (without secrets), for inspection.
        applicationsets: the ApplicationSet resources, one per label.
    """

    def __init__(self, scope: Construct, id: str, *, props: ArgoCdProps) -> None:
        check_instance(props, "props", ArgoCdProps, "ArgoCdProps(cluster=..., cluster_name=...)")
        stack = scope if isinstance(scope, TerraformStack) else TerraformStack.of(scope)
        claim_provider_aliases(stack, PROVIDERS, owner=f"ArgoCd {id!r}", field="props")
        super().__init__(scope, id)
        self.props = props
        access = props.cluster
        self._credentials = access.provider_credentials()
        plugin = self._credentials.get("exec")
        helm = HelmProvider(self, "helm", alias="argocd", kubernetes=HelmProviderKubernetes(
            host=access.endpoint, cluster_ca_certificate=access.cluster_ca_certificate,
            **(dict(self._credentials, exec=HelmProviderKubernetesExec(**plugin)) if plugin
               else self._credentials)))
        kubernetes = KubernetesProvider(
            self, "kubernetes", alias="argocd", host=access.endpoint,
            cluster_ca_certificate=access.cluster_ca_certificate,
            **access.provider_credentials(list_exec=True))
        random = RandomProvider(self, "random")

        hashed = self._admin_password(random)
        self.chart_values = self._chart_values()
        self.release = self._release(helm, hashed)
        self._register_in_cluster(kubernetes)
        repository_secrets = self._repository_secrets(kubernetes)
        self.applicationsets = applicationsets(props.repositories, namespace=props.namespace)
        self.apps_release = self._apps_release(helm, repository_secrets)
        self.automation_token: str = self._automation_token()
        self.url: str | None = f"https://{props.hostname}" if props.hostname else None

    def _admin_password(self, random: RandomProvider) -> DataResource:
        """The admin password (``admin_password``) and its bcrypt hash, which is returned.

        Generated unless given; hashed once (terraform_data keeps the first bcrypt
        result and its time until the password changes), so every plan does not
        show a new hash and mtime.
        """
        # A default makes the variable optional: without one Terraform asks for it,
        # and `plan -input=false` (CI) stops. Empty means generated (coalesce
        # skips empty strings).
        admin_variable = TerraformVariable(
            self, "argocd_admin_password", type="string", sensitive=True, nullable=False,
            default="",
            description="Argo CD admin password (TF_VAR_argocd_admin_password); "
                        "generated when unset.")
        admin_variable.override_logical_id("argocd_admin_password")
        generated = RandomPassword(self, "admin-password", length=32, provider=random)
        self.admin_password: str = Fn.coalesce([admin_variable.string_value, generated.result])
        return DataResource(
            self, "admin-password-hash",
            input={"hash": Fn.bcrypt(self.admin_password), "mtime": Fn.timestamp()},
            triggers_replace={"password": Fn.sha256(self.admin_password)},
            lifecycle=TerraformResourceLifecycle(ignore_changes=["input"]))

    def _release(self, helm: HelmProvider, hashed: DataResource) -> Release:
        """The argo-cd chart's release, with the hashed admin password set sensitively."""
        props = self.props
        return Release(
            self, "argo-cd", provider=helm,
            name="argocd", namespace=props.namespace, create_namespace=True,
            repository=ARGO_HELM_REPOSITORY, chart="argo-cd", version=props.chart_version,
            values=[yaml.safe_dump(self.chart_values, sort_keys=True)],
            set_sensitive=[
                ReleaseSetSensitive(name="configs.secret.argocdServerAdminPassword",
                                    value=f"${{{hashed.fqn}.output.hash}}", type="string"),
                ReleaseSetSensitive(name="configs.secret.argocdServerAdminPasswordMtime",
                                    value=f"${{{hashed.fqn}.output.mtime}}", type="string"),
            ],
            wait=True, timeout=900,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True)
            if props.prevent_destroy else None,
        )

    def _register_in_cluster(self, kubernetes: KubernetesProvider) -> None:
        """The management cluster in its own Argo CD, with its labels, declaratively."""
        props = self.props
        SecretV1(
            self, "in-cluster", provider=kubernetes, depends_on=[self.release],
            metadata=SecretV1Metadata(
                name="cluster-in-cluster", namespace=props.namespace,
                labels={"argocd.argoproj.io/secret-type": "cluster", **props.cluster_labels}),
            data={"name": props.cluster_name, "server": IN_CLUSTER_SERVER,
                  "config": json.dumps({"tlsClientConfig": {"insecure": False}}),
                  **({"shard": str(props.shard)} if props.shard is not None else {})},
        )

    def _repository_secrets(self, kubernetes: KubernetesProvider) -> list[SecretV1]:
        """A repository Secret per repository with credentials, its password a variable."""
        secrets = []
        for label, repository in sorted(self.props.repositories.items()):
            if repository.credentials is None:
                continue
            creds = repository.credentials
            password = TerraformVariable(
                self, _variable_id(label), type="string", sensitive=True, nullable=False,
                description=f"Password or token for the {label!r} repository "
                            f"(set TF_VAR_{creds.password_variable}).",
                validation=[TerraformVariableValidationConfig(
                    condition=f"${{length(var.{creds.password_variable}) > 0}}",
                    error_message=f"Set TF_VAR_{creds.password_variable} to the "
                                  f"{label!r} repository's token.")])
            password.override_logical_id(creds.password_variable)
            secrets.append(SecretV1(
                self, f"repository-{_variable_id(label)}", provider=kubernetes,
                depends_on=[self.release],
                metadata=SecretV1Metadata(
                    name=label_name("repository", label),
                    namespace=self.props.namespace,
                    labels={"argocd.argoproj.io/secret-type": "repository"}),
                data={"type": "git", "url": repository.url, "username": creds.username,
                      "password": password.string_value},
            ))
        return secrets

    def _apps_release(self, helm: HelmProvider, repository_secrets: list[SecretV1]) -> Release:
        """The argocd-apps chart's release, carrying one ApplicationSet per label."""
        namespace = self.props.namespace
        apps_values = {"applicationsets": {
            appset["metadata"]["name"]: {"namespace": namespace, **appset["spec"]}
            for appset in self.applicationsets}}
        return Release(
            self, "argocd-apps", provider=helm,
            name="argocd-apps", namespace=namespace,
            repository=ARGO_HELM_REPOSITORY, chart="argocd-apps",
            version=self.props.apps_chart_version,
            values=[yaml.safe_dump(apps_values, sort_keys=True)],
            depends_on=[self.release, *repository_secrets],
        )

    def _automation_token(self) -> str:
        """The automation account's API token, through Argo CD's API (admin or a token)."""
        props = self.props
        access = props.cluster
        # Reaching the API through a port-forward works before DNS and the
        # ingress exist (first apply).
        provider_kwargs: dict = {
            "alias": "argocd",
            "port_forward_with_namespace": props.namespace,
            "kubernetes": {"host": access.endpoint,
                           "cluster_ca_certificate": access.cluster_ca_certificate,
                           **self._credentials},
        }
        if props.admin_enabled:
            provider_kwargs.update(username="admin", password=self.admin_password)
        else:
            management_token = TerraformVariable(
                self, "argocd_management_token", type="string", sensitive=True,
                description="Token of an Argo CD account allowed to manage account tokens "
                            "(TF_VAR_argocd_management_token), used once admin is disabled.",
                validation=[TerraformVariableValidationConfig(
                    condition="${length(var.argocd_management_token) > 0}",
                    error_message="Set TF_VAR_argocd_management_token: the admin account "
                                  "is disabled.")])
            management_token.override_logical_id("argocd_management_token")
            provider_kwargs["auth_token"] = management_token.string_value
        argocd = ArgocdProvider(self, "argocd-api", **provider_kwargs)
        token = ArgocdAccountToken(self, "automation-token", account=AUTOMATION_ACCOUNT,
                                   expires_in=props.token_expires_in,
                                   renew_before=props.token_renew_before,
                                   provider=argocd, depends_on=[self.release])
        return token.jwt

    def _chart_values(self) -> dict:
        props = self.props
        cm = {
            "admin.enabled": "true" if props.admin_enabled else "false",
            f"accounts.{AUTOMATION_ACCOUNT}": "apiKey",
            f"accounts.{AUTOMATION_ACCOUNT}.enabled": "true",
            "exec.enabled": "false",
        }
        values: dict = {
            "configs": {
                "cm": cm,
                "rbac": {"policy.default": "",
                         "policy.csv": automation_policy(props.cluster_name)},
                "secret": {"createSecret": True},
            },
        }
        if props.hostname:
            values["global"] = {"domain": props.hostname}
        if uses_rollouts(props.repositories):
            values["configs"]["params"] = {PROGRESSIVE_SYNCS_PARAM: "true"}
        return merge_values(values, props.sizing.chart_values())
