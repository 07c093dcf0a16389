"""Schemas of the pinned providers, as the stand-ins serve them to Terraform.

Transcribed from each provider's source at the pinned tag (see PROVENANCE.md
beside this file): every top-level attribute and block of the resource and data
source types fleetform's stacks use, with types, required/optional/computed,
sensitive, requires-replace (ForceNew) and defaults. Nested blocks fleetform
does not use are kept where they are small; where a whole family is left out
the PROVENANCE file says so.

A schema is a ``Block``: ``attrs`` maps a name to ``A`` (an attribute), ``blocks``
maps a name to ``Nested`` (a nested block). Types are cty types as Terraform
writes them in JSON: ``"string"``, ``["list", "string"]``, ``["object", {...}]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STR, NUM, BOOL = "string", "number", "bool"
STRS, STR_MAP, STR_SET = ["list", STR], ["map", STR], ["set", STR]


@dataclass(frozen=True)
class A:
    """An attribute. ``mode``: required, optional, computed or optional+computed."""

    type: Any
    mode: str = "optional"
    sensitive: bool = False
    replace: bool = False
    default: Any = None
    #: protocol-6 nested attribute: (nesting "single"|"list", Block)
    nested: Any = None
    write_only: bool = False

    @property
    def computed(self) -> bool:
        return "computed" in self.mode

    @property
    def optional(self) -> bool:
        return "optional" in self.mode

    @property
    def required(self) -> bool:
        return self.mode == "required"


@dataclass(frozen=True)
class Block:
    attrs: dict = field(default_factory=dict)
    blocks: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Nested:
    """A nested block: ``nesting`` list, set or single."""

    block: Block
    nesting: str = "list"
    min_items: int = 0
    max_items: int = 0
    replace: bool = False


def req(type, **kw): return A(type, "required", **kw)
def opt(type, **kw): return A(type, "optional", **kw)
def comp(type, **kw): return A(type, "computed", **kw)
def optc(type, **kw): return A(type, "optional+computed", **kw)


def obj(**attrs) -> list:
    """The cty type of an object."""
    return ["object", attrs]


# --------------------------------------------------------------------------- digitalocean 2.71.0
# digitalocean/provider.go; digitalocean/kubernetes/{resource,datasource}_kubernetes_*.go, kubernetes.go

DO_PROVIDER = Block(attrs={
    "token": opt(STR), "api_endpoint": opt(STR), "spaces_endpoint": opt(STR),
    "spaces_access_id": opt(STR), "spaces_secret_key": opt(STR),
    "requests_per_second": opt(NUM), "http_retry_max": opt(NUM),
    "http_retry_wait_min": opt(NUM), "http_retry_wait_max": opt(NUM),
})

_KUBE_CONFIG = ["list", obj(raw_config=STR, host=STR, cluster_ca_certificate=STR,
                            client_key=STR, client_certificate=STR, token=STR,
                            expires_at=STR)]
_NODES = ["list", obj(id=STR, name=STR, status=STR, droplet_id=STR, created_at=STR,
                      updated_at=STR)]
_TAINT = Nested(Block(attrs={"key": req(STR), "value": req(STR), "effect": req(STR)}),
                nesting="set")


def _node_pool(resource: bool) -> Block:
    attrs = {
        "name": req(STR), "size": req(STR, replace=True),
        "actual_node_count": comp(NUM), "node_count": opt(NUM),
        "auto_scale": opt(BOOL, default=False), "min_nodes": opt(NUM), "max_nodes": opt(NUM),
        "tags": opt(STR_SET), "labels": opt(STR_MAP), "nodes": comp(_NODES),
    }
    if resource:
        attrs["cluster_id"] = req(STR, replace=True)
        attrs["id"] = comp(STR)  # every SDKv2 resource has a computed id
    else:
        attrs["id"] = comp(STR)
    return Block(attrs=attrs, blocks={"taint": _TAINT})


_ENABLED = Block(attrs={"enabled": req(BOOL)})
_ENABLED_READ = Block(attrs={"enabled": comp(BOOL)})

DO_CLUSTER = Block(
    attrs={
        "id": comp(STR), "name": req(STR), "region": req(STR, replace=True),
        "surge_upgrade": opt(BOOL, default=True), "ha": opt(BOOL, default=False),
        "registry_integration": opt(BOOL, default=False), "version": req(STR),
        "vpc_uuid": optc(STR, replace=True), "cluster_subnet": optc(STR, replace=True),
        "service_subnet": optc(STR, replace=True), "ipv4_address": comp(STR),
        "endpoint": comp(STR), "tags": opt(STR_SET), "status": comp(STR),
        "created_at": comp(STR), "updated_at": comp(STR),
        "kube_config": comp(_KUBE_CONFIG, sensitive=True), "auto_upgrade": opt(BOOL),
        "urn": comp(STR), "destroy_all_associated_resources": opt(BOOL, default=False),
        "kubeconfig_expire_seconds": opt(NUM),
    },
    blocks={
        # MinItems: 1 in the source, but the SDK serves an Optional block with
        # MinItems 0 (helper/schema/core_schema.go).
        "maintenance_policy": Nested(Block(attrs={
            "day": optc(STR), "start_time": optc(STR), "duration": comp(STR)}),
            max_items=1),
        "node_pool": Nested(_node_pool(False), min_items=1, max_items=1),
        "cluster_autoscaler_configuration": Nested(Block(attrs={
            "scale_down_utilization_threshold": opt(NUM),
            "scale_down_unneeded_time": opt(STR), "expanders": opt(STRS)})),
        "control_plane_firewall": Nested(Block(attrs={
            "enabled": req(BOOL), "allowed_addresses": req(STRS)}), max_items=1),
        "routing_agent": Nested(_ENABLED, max_items=1),
        "amd_gpu_device_plugin": Nested(_ENABLED, max_items=1),
        "amd_gpu_device_metrics_exporter_plugin": Nested(_ENABLED, max_items=1),
    })

# The data source: every attribute computed except name (required) and
# kubeconfig_expire_seconds / tags / the plugin toggles (optional).
DO_CLUSTER_DATA = Block(attrs={
    "id": comp(STR), "name": req(STR), "region": comp(STR),
    "kubeconfig_expire_seconds": opt(NUM), "version": comp(STR), "surge_upgrade": comp(BOOL),
    "ha": comp(BOOL), "vpc_uuid": comp(STR), "cluster_subnet": comp(STR),
    "service_subnet": comp(STR), "ipv4_address": comp(STR), "endpoint": comp(STR),
    "tags": opt(STR_SET), "status": comp(STR), "created_at": comp(STR), "updated_at": comp(STR),
    "kube_config": comp(_KUBE_CONFIG, sensitive=True), "auto_upgrade": comp(BOOL),
    "urn": comp(STR),
    "maintenance_policy": comp(["list", obj(day=STR, duration=STR, start_time=STR)]),
    "node_pool": comp(["list", obj(
        id=STR, name=STR, size=STR, actual_node_count=NUM, node_count=NUM, auto_scale=BOOL,
        min_nodes=NUM, max_nodes=NUM, tags=STR_SET, labels=STR_MAP, nodes=_NODES,
        taint=["set", obj(key=STR, value=STR, effect=STR)])]),
    "control_plane_firewall": comp(["list", obj(enabled=BOOL, allowed_addresses=STRS)]),
}, blocks={
    # Optional and computed nested resources stay blocks in SDKv2's schema, whose
    # attributes are computed here (the data source reads them).
    "routing_agent": Nested(_ENABLED_READ, max_items=1),
    "amd_gpu_device_plugin": Nested(_ENABLED_READ, max_items=1),
    "amd_gpu_device_metrics_exporter_plugin": Nested(_ENABLED_READ, max_items=1),
    "cluster_autoscaler_configuration": Nested(Block(attrs={
        "scale_down_utilization_threshold": opt(NUM),
        "scale_down_unneeded_time": opt(STR), "expanders": opt(STRS)})),
})

DO_VERSIONS_DATA = Block(attrs={
    "id": comp(STR), "version_prefix": opt(STR), "latest_version": comp(STR),
    "valid_versions": comp(STRS),
})

# The list data sources (internal/datalist/schema.go, filter.go, sort.go): every record
# attribute computed, in one computed list; filter and sort blocks select and order them.
_DATALIST_BLOCKS = {
    "filter": Nested(Block(attrs={"key": req(STR), "values": req(STRS),
                                  "all": opt(BOOL, default=False),
                                  "match_by": opt(STR, default="exact")}), nesting="set"),
    "sort": Nested(Block(attrs={"key": req(STR), "direction": opt(STR)})),
}
# digitalocean/region/datasource_regions.go
DO_REGIONS_DATA = Block(attrs={
    "id": comp(STR), "regions": comp(["list", obj(slug=STR, name=STR, sizes=STR_SET,
                                                  features=STR_SET, available=BOOL)]),
}, blocks=_DATALIST_BLOCKS)
# digitalocean/size/datasource_sizes.go
DO_SIZES_DATA = Block(attrs={
    "id": comp(STR), "sizes": comp(["list", obj(
        slug=STR, available=BOOL, transfer=NUM, price_monthly=NUM, price_hourly=NUM,
        memory=NUM, vcpus=NUM, disk=NUM, regions=STR_SET)]),
}, blocks=_DATALIST_BLOCKS)

DO_NODE_POOL = _node_pool(True)

# --------------------------------------------------------------------------- kubernetes 2.38.0
# kubernetes/provider.go, schema_metadata.go, schema_rbac.go, resource_kubernetes_*_v1.go

K8S_PROVIDER = Block(attrs={
    "host": opt(STR), "username": opt(STR), "password": opt(STR), "insecure": opt(BOOL),
    "tls_server_name": opt(STR), "client_certificate": opt(STR), "client_key": opt(STR),
    "cluster_ca_certificate": opt(STR), "config_paths": opt(STRS), "config_path": opt(STR),
    "config_context": opt(STR), "config_context_auth_info": opt(STR),
    "config_context_cluster": opt(STR), "token": opt(STR), "proxy_url": opt(STR),
    "ignore_annotations": opt(STRS), "ignore_labels": opt(STRS),
}, blocks={
    "exec": Nested(Block(attrs={"api_version": req(STR), "command": req(STR),
                                "env": opt(STR_MAP), "args": opt(STRS)}), max_items=1),
    "experiments": Nested(Block(attrs={"manifest_resource": opt(BOOL)}), max_items=1),
})


def _metadata(namespaced: bool) -> Nested:
    attrs = {
        "annotations": opt(STR_MAP), "generation": comp(NUM), "labels": opt(STR_MAP),
        "name": optc(STR, replace=True), "resource_version": comp(STR), "uid": comp(STR),
        "generate_name": opt(STR, replace=True),
    }
    if namespaced:
        attrs["namespace"] = opt(STR, replace=True, default="default")
    return Nested(Block(attrs=attrs), min_items=1, max_items=1)


K8S_SECRET = Block(attrs={
    "id": comp(STR), "data": optc(STR_MAP, sensitive=True), "data_wo_revision": opt(NUM),
    "data_wo": opt(STR_MAP, write_only=True), "binary_data": opt(STR_MAP, sensitive=True),
    "binary_data_wo": opt(STR_MAP, write_only=True), "binary_data_wo_revision": opt(NUM),
    "immutable": opt(BOOL), "type": opt(STR, replace=True, default="Opaque"),
    "wait_for_service_account_token": opt(BOOL, default=True),
}, blocks={"metadata": _metadata(True)})

K8S_SERVICE_ACCOUNT = Block(attrs={
    "id": comp(STR), "automount_service_account_token": opt(BOOL, default=True),
    "default_secret_name": comp(STR),
}, blocks={
    "metadata": _metadata(True),
    "image_pull_secret": Nested(Block(attrs={"name": opt(STR)}), nesting="set"),
    "secret": Nested(Block(attrs={"name": opt(STR)}), nesting="set"),
})

_RULE = Block(attrs={"api_groups": opt(STRS), "non_resource_urls": opt(STRS),
                     "resource_names": opt(STRS), "resources": opt(STRS), "verbs": req(STRS)})
K8S_CLUSTER_ROLE = Block(attrs={"id": comp(STR)}, blocks={
    "metadata": _metadata(False),
    "rule": Nested(_RULE),
    "aggregation_rule": Nested(Block(blocks={"cluster_role_selectors": Nested(Block(
        attrs={"match_labels": opt(STR_MAP)},
        blocks={"match_expressions": Nested(Block(attrs={
            "key": opt(STR), "operator": opt(STR), "values": opt(STR_SET)}))}))}),
        max_items=1),
})
K8S_CLUSTER_ROLE_BINDING = Block(attrs={"id": comp(STR)}, blocks={
    "metadata": _metadata(False),
    "role_ref": Nested(Block(attrs={"api_group": req(STR, replace=True),
                                    "kind": req(STR, replace=True),
                                    "name": req(STR, replace=True)}),
                       min_items=1, max_items=1, replace=True),
    "subject": Nested(Block(attrs={"api_group": optc(STR), "kind": req(STR), "name": req(STR),
                                   "namespace": opt(STR, default="default")}), min_items=1),
})

# --------------------------------------------------------------------------- helm 3.1.1
# helm/provider.go, helm/resource_helm_release.go (terraform-plugin-framework)

_HELM_KUBERNETES = Block(attrs={
    "host": opt(STR), "username": opt(STR), "password": opt(STR, sensitive=True),
    "insecure": opt(BOOL), "tls_server_name": opt(STR), "client_certificate": opt(STR),
    "client_key": opt(STR, sensitive=True), "cluster_ca_certificate": opt(STR),
    "config_paths": opt(STRS), "config_path": opt(STR), "config_context": opt(STR),
    "config_context_auth_info": opt(STR), "config_context_cluster": opt(STR),
    "token": opt(STR, sensitive=True), "proxy_url": opt(STR),
    "exec": opt(None, nested=("single", Block(attrs={
        "api_version": req(STR), "command": req(STR), "env": opt(STR_MAP),
        "args": opt(STRS)}))),
})
HELM_PROVIDER = Block(attrs={
    "debug": opt(BOOL), "plugins_path": opt(STR), "registry_config_path": opt(STR),
    "repository_config_path": opt(STR), "repository_cache": opt(STR),
    "helm_driver": opt(STR), "burst_limit": opt(NUM), "qps": opt(NUM),
    "kubernetes": opt(None, nested=("single", _HELM_KUBERNETES)),
    "registries": opt(None, nested=("list", Block(attrs={
        "url": req(STR), "username": req(STR), "password": req(STR, sensitive=True)}))),
    "experiments": opt(None, nested=("single", Block(attrs={"manifest": opt(BOOL)}))),
})

_SET = Block(attrs={"name": req(STR), "value": opt(STR), "type": optc(STR, default="")})
HELM_RELEASE = Block(attrs={
    "atomic": optc(BOOL, default=False), "chart": req(STR),
    "cleanup_on_fail": optc(BOOL, default=False), "create_namespace": optc(BOOL, default=False),
    "dependency_update": optc(BOOL, default=False), "description": optc(STR),
    "devel": opt(BOOL), "disable_crd_hooks": optc(BOOL, default=False),
    "disable_openapi_validation": optc(BOOL, default=False),
    "disable_webhooks": optc(BOOL, default=False), "force_update": optc(BOOL, default=False),
    "id": comp(STR), "keyring": opt(STR), "lint": optc(BOOL, default=False),
    "manifest": comp(STR), "max_history": optc(NUM, default=0),
    "metadata": comp(None, nested=("single", Block(attrs={
        "app_version": comp(STR), "chart": comp(STR), "first_deployed": comp(NUM),
        "last_deployed": comp(NUM), "name": comp(STR), "namespace": comp(STR),
        "notes": comp(STR), "revision": comp(NUM), "values": comp(STR),
        "version": comp(STR)}))),
    "name": req(STR, replace=True), "namespace": optc(STR, replace=True, default="default"),
    "pass_credentials": optc(BOOL, default=False), "recreate_pods": optc(BOOL, default=False),
    "render_subchart_notes": optc(BOOL, default=True), "replace": optc(BOOL, default=False),
    "repository": opt(STR), "repository_ca_file": opt(STR), "repository_cert_file": opt(STR),
    "repository_key_file": opt(STR), "repository_password": opt(STR, sensitive=True),
    "repository_username": opt(STR), "reset_values": optc(BOOL, default=False),
    "reuse_values": optc(BOOL, default=False), "resources": comp(STR_MAP),
    "skip_crds": optc(BOOL, default=False), "status": comp(STR),
    "take_ownership": optc(BOOL, default=False), "timeout": optc(NUM, default=300),
    "values": opt(STRS), "verify": optc(BOOL, default=False), "version": optc(STR),
    "wait": optc(BOOL, default=True), "wait_for_jobs": optc(BOOL, default=False),
    "upgrade_install": optc(BOOL, default=False),
    "set": opt(None, nested=("list", _SET)),
    "set_wo": opt(None, write_only=True, nested=("list", Block(attrs={
        "name": req(STR), "value": req(STR), "type": opt(STR)}))),
    "set_wo_revision": opt(NUM),
    "set_list": opt(None, nested=("list", Block(attrs={"name": req(STR),
                                                       "value": req(STRS)}))),
    "set_sensitive": opt(None, nested=("list", Block(attrs={
        "name": req(STR), "value": req(STR, sensitive=True), "type": opt(STR)}))),
    "postrender": opt(None, nested=("single", Block(attrs={
        "args": opt(STRS), "binary_path": req(STR)}))),
    "timeouts": opt(None, nested=("single", Block(attrs={
        "create": opt(STR), "read": opt(STR), "update": opt(STR), "delete": opt(STR)}))),
})

# --------------------------------------------------------------------------- argocd 7.12.5
# internal/provider/provider.go (framework), argocd/schema_cluster.go,
# argocd/resource_argocd_account_token.go (SDKv2)

ARGOCD_PROVIDER = Block(attrs={
    "auth_token": opt(STR, sensitive=True), "username": opt(STR),
    "password": opt(STR, sensitive=True), "core": opt(BOOL), "server_addr": opt(STR),
    "port_forward": opt(BOOL), "port_forward_with_namespace": opt(STR),
    "use_local_config": opt(BOOL), "config_path": opt(STR), "context": opt(STR),
    "cert_file": opt(STR), "client_cert_file": opt(STR), "client_cert_key": opt(STR),
    "grpc_web": opt(BOOL), "grpc_web_root_path": opt(STR), "headers": opt(STR_SET),
    "insecure": opt(BOOL), "plain_text": opt(BOOL), "user_agent": opt(STR),
}, blocks={"kubernetes": Nested(Block(attrs={
    "host": opt(STR), "username": opt(STR), "password": opt(STR, sensitive=True),
    "insecure": opt(BOOL), "client_certificate": opt(STR),
    "client_key": opt(STR, sensitive=True), "cluster_ca_certificate": opt(STR),
    "config_context": opt(STR), "config_context_auth_info": opt(STR),
    "config_context_cluster": opt(STR), "token": opt(STR, sensitive=True),
}, blocks={"exec": Nested(Block(attrs={"api_version": req(STR), "command": req(STR),
                                       "env": opt(STR_MAP), "args": opt(STRS)}))}),
    max_items=1)})

ARGOCD_CLUSTER = Block(attrs={
    "id": comp(STR), "name": optc(STR), "server": optc(STR, replace=True), "shard": opt(STR),
    "namespaces": opt(STRS), "project": opt(STR),
    "info": comp(["list", obj(server_version=STR, applications_count=STR,
                              connection_state=["list", obj(message=STR, status=STR)])]),
}, blocks={
    "config": Nested(Block(attrs={
        "bearer_token": opt(STR, sensitive=True), "username": opt(STR),
        "password": opt(STR, sensitive=True),
    }, blocks={
        "aws_auth_config": Nested(Block(attrs={"cluster_name": opt(STR), "role_arn": opt(STR)})),
        "exec_provider_config": Nested(Block(attrs={
            "api_version": opt(STR), "args": opt(STRS, sensitive=True), "command": opt(STR),
            "env": opt(STR_MAP, sensitive=True), "install_hint": opt(STR)}), max_items=1),
        "tls_client_config": Nested(Block(attrs={
            "ca_data": opt(STR), "cert_data": opt(STR), "insecure": opt(BOOL),
            "key_data": opt(STR, sensitive=True), "server_name": opt(STR)}), max_items=1),
    }), min_items=1, max_items=1),
    "metadata": Nested(Block(attrs={"annotations": opt(STR_MAP), "labels": opt(STR_MAP)}),
                       max_items=2),
})

ARGOCD_ACCOUNT_TOKEN = Block(attrs={
    "id": comp(STR), "account": optc(STR, replace=True), "expires_in": opt(STR, replace=True),
    "renew_after": opt(STR), "renew_before": opt(STR), "jwt": comp(STR, sensitive=True),
    "issued_at": comp(STR), "expires_at": comp(STR),
})

# --------------------------------------------------------------------------- random 3.7.2
# internal/provider/resource_password.go (framework)

RANDOM_PASSWORD = Block(attrs={
    "id": comp(STR), "keepers": opt(STR_MAP, replace=True), "length": req(NUM, replace=True),
    "special": optc(BOOL, replace=True, default=True), "upper": optc(BOOL, replace=True, default=True),
    "lower": optc(BOOL, replace=True, default=True), "number": optc(BOOL, replace=True, default=True),
    "numeric": optc(BOOL, replace=True, default=True),
    "min_numeric": optc(NUM, replace=True, default=0), "min_upper": optc(NUM, replace=True, default=0),
    "min_lower": optc(NUM, replace=True, default=0), "min_special": optc(NUM, replace=True, default=0),
    "override_special": opt(STR, replace=True),
    "result": comp(STR, sensitive=True), "bcrypt_hash": comp(STR, sensitive=True),
})

#: provider name -> (registry namespace, version served, provider schema, resources,
#: data sources, whether its resources speak SDKv2's legacy type system)
PROVIDERS = {
    "digitalocean": ("digitalocean", "2.71.0", DO_PROVIDER,
                     {"digitalocean_kubernetes_cluster": DO_CLUSTER,
                      "digitalocean_kubernetes_node_pool": DO_NODE_POOL},
                     {"digitalocean_kubernetes_cluster": DO_CLUSTER_DATA,
                      "digitalocean_kubernetes_versions": DO_VERSIONS_DATA,
                      "digitalocean_regions": DO_REGIONS_DATA,
                      "digitalocean_sizes": DO_SIZES_DATA}, True),
    "kubernetes": ("hashicorp", "2.38.0", K8S_PROVIDER,
                   {"kubernetes_secret_v1": K8S_SECRET,
                    "kubernetes_service_account_v1": K8S_SERVICE_ACCOUNT,
                    "kubernetes_cluster_role_v1": K8S_CLUSTER_ROLE,
                    "kubernetes_cluster_role_binding_v1": K8S_CLUSTER_ROLE_BINDING}, {}, True),
    "helm": ("hashicorp", "3.1.1", HELM_PROVIDER, {"helm_release": HELM_RELEASE}, {}, False),
    "argocd": ("argoproj-labs", "7.12.5", ARGOCD_PROVIDER,
               {"argocd_cluster": ARGOCD_CLUSTER,
                "argocd_account_token": ARGOCD_ACCOUNT_TOKEN}, {}, True),
    "random": ("hashicorp", "3.7.2", Block(), {"random_password": RANDOM_PASSWORD}, {}, False),
}

# hashicorp/aws lives in schemas_aws.py, which imports from this module, so it is
# imported here, after everything it needs. Its types are mostly SDKv2 (legacy type
# system); schemas_aws.FRAMEWORK_TYPES / legacy_type_system() name the exceptions.
def _aws_entry() -> tuple:
    import schemas_aws
    return ("hashicorp", schemas_aws.AWS_VERSION, schemas_aws.AWS_PROVIDER,
            schemas_aws.AWS_RESOURCES, schemas_aws.AWS_DATA_SOURCES, True)


import schemas_aws  # noqa: E402

# When schemas_aws is imported first, it imported this module and is still half
# done here: it adds the entry itself once complete (the end of schemas_aws.py).
if hasattr(schemas_aws, "AWS_DATA_SOURCES"):
    PROVIDERS.setdefault("aws", _aws_entry())

# hashicorp/azurerm lives in schemas_azure.py, registered the same way (the end of
# schemas_azure.py adds it when that module was imported first).
import schemas_azure  # noqa: E402

if hasattr(schemas_azure, "provider_entry"):
    PROVIDERS.setdefault("azurerm", schemas_azure.provider_entry())

# hashicorp/google lives in schemas_google.py, registered the same way (the end of
# schemas_google.py adds it when that module was imported first).
import schemas_google  # noqa: E402

if hasattr(schemas_google, "provider_entry"):
    PROVIDERS.setdefault("google", schemas_google.provider_entry())
