"""The hashicorp/google stand-in's behaviour (7.45.0), merged into ``standin.BEHAVIOUR``.

Per type: ``validate`` (the ValidateFuncs that matter), ``plan`` (what the SDK and the
provider's CustomizeDiff do at plan time: ``deletion_policy`` from the provider's,
``terraform_labels``/``effective_labels`` with the attribution label, the node pool's
``project`` from the provider, Optional+Computed blocks kept from state or unknown on
create), ``replace`` (ForceNew blocks whose item count changes) and
``create``/``read``/``update``/``delete`` or ``data`` against ``cloud["google"]``
(``cloud_google``). ``configure`` is the provider's ConfigureProvider: the SDK defaults
from the environment and the credentials (``Config.LoadAndValidate``), failing with the
provider's words; the token is fetched at the first API call, as oauth2 does.

Nothing in a plan hook makes ``endpoint``, ``master_auth`` or ``master_version``
unknown: no CustomizeDiff of ``google_container_cluster`` at v7.45.0 calls
SetNewComputed on them, so an in-place update plans them as they are in state (and
``master_version`` changes only after apply: the SDK's legacy type system lets that
pass, so resources reading it see the new version one plan later).

Views set computed attributes and what the API owns, keep every other one as the plan
or state had it, and give every block of the schema a value (an empty list when
absent), as the SDK's shims do.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import os
import re
import secrets
from typing import Any, Callable

from tf.types import Unknown

import cloud_google as gcp
from cloud import ApiError
from cloud_google import GoogleApiError
from schemas import Block
from schemas_google import (FORCE_NEW_BLOCKS, GOOGLE_DATA_SOURCES, GOOGLE_RESOURCES,
                            OPTIONAL_COMPUTED_BLOCKS)

CONTAINER = "https://container.googleapis.com/v1"
COMPUTE = "https://compute.googleapis.com/compute/v1"
QUERY = "?alt=json&prettyPrint=false"
ATTRIBUTION = ("goog-terraform-provisioned", "true")


class ProviderError(ApiError):
    """A diagnostic with a summary and a detail."""

    def __init__(self, summary: str, detail: str = "") -> None:
        super().__init__(summary)
        self.detail = detail


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _env_first(*names: str) -> str | None:
    return next((os.environ[n] for n in names if _str(os.environ.get(n))), None)


# --------------------------------------------------------------------------- configuration

def provider_project(config: dict) -> str | None:
    # transport_tpg.HandleSDKDefaults
    return _str(config.get("project")) or _env_first(
        "GOOGLE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")


def provider_region(config: dict) -> str | None:
    region = _str(config.get("region")) or _env_first("GOOGLE_REGION", "GCLOUD_REGION",
                                                      "CLOUDSDK_COMPUTE_REGION")
    return region.rsplit("/", 1)[-1] if region else None


def provider_zone(config: dict) -> str | None:
    return _str(config.get("zone")) or _env_first("GOOGLE_ZONE", "GCLOUD_ZONE",
                                                  "CLOUDSDK_COMPUTE_ZONE")


def _credential(config: dict) -> gcp.Credential:
    try:
        credential = gcp.provider_credentials(dict(os.environ), config)
    except gcp.AdcError as exc:
        raise ProviderError(str(exc)) from None
    credential.scopes = gcp.scopes_for(config)
    return credential


def configure(cloud: dict, config: dict) -> None:
    """ConfigureProvider (provider.go ProviderConfigure, transport Config.LoadAndValidate)."""
    if any(v is Unknown for v in config.values()):
        return  # Terraform configures again once the values are known
    for name in ("request_timeout", "poll_interval"):
        value = config.get(name)
        if _str(value) and not re.fullmatch(r"(\d+(\.\d+)?(ns|us|ms|s|m|h))+", value):
            raise ProviderError(f'could not parse {name} value: time: invalid duration '
                                f'"{value}"')
    if config.get("add_terraform_attribution_label") is not False:
        strategy = _str(config.get("terraform_attribution_label_addition_strategy"))
        if strategy and strategy not in ("CREATION_ONLY", "PROACTIVE"):
            raise ProviderError(f"unrecognized terraform_attribution_label_addition_strategy "
                                f"{json.dumps(strategy)}")
    if _str(config.get("impersonate_service_account")) or \
            _str(os.environ.get("GOOGLE_IMPERSONATE_SERVICE_ACCOUNT")):
        raise ProviderError("impersonate_service_account is not modelled by the tests' "
                            "stand-in of hashicorp/google")
    _credential(config)
    if config.get("prefer_global_endpoints") and config.get("prefer_regional_endpoints"):
        raise ProviderError("Found conflict between prefer_global_endpoints and "
                            "prefer_regional_endpoints, only one of these may be set at a "
                            "time.")


class _Request:
    """One API request: who sends it (the credentials' token) and what Google answers."""

    def __init__(self, ctx: Any, method: str, url: str) -> None:
        self.ctx, self.method, self.url = ctx, method, url

    def send(self, permission: str, resource: str, project: str, write: bool) -> str:
        """The caller's principal; raises ``_Failed`` (a transport error, Go's url.Error
        wording) or GoogleApiError (401, 403)."""
        cloud = self.ctx.cloud
        name = permission
        credential = _credential(self.ctx.config)
        try:
            token, _expiry, _principal = gcp.access_token(cloud, credential)
        except gcp.TokenError as exc:
            gcp.log_call(cloud, name, None, "no-token")
            raise _Failed(f'{self.method.capitalize()} "{self.url}": {exc}') from None
        try:
            principal = gcp.caller(cloud, token)
            gcp.authorize(cloud, principal, project, permission, resource, write)
        except GoogleApiError as exc:
            gcp.log_call(cloud, name, None if exc.code == 401 else principal, exc.reason)
            raise
        gcp.log_call(cloud, name, principal)
        return principal


class _Failed(Exception):
    pass


def _api(ctx: Any, method: str, url: str, permission: str, resource: str, project: str,
         doing: str = "", write: bool = True) -> str:
    """Send a request; failures become ApiError with the provider's ``doing`` prefix."""
    try:
        return _Request(ctx, method, url).send(permission, resource, project, write)
    except (_Failed, GoogleApiError) as exc:
        raise ApiError(f"{doing}{exc}") from None


def _api_error(doing: str, code: int, message: str, reason: str) -> ApiError:
    return ApiError(f"{doing}{GoogleApiError(code, message, reason)}")


def _project(ctx: Any, value: Any) -> str:
    project = _str(value) or provider_project(ctx.config)
    if not project:
        raise ApiError("project: required field is not set")
    return project


def _location(ctx: Any, state: dict) -> str:
    """tpgresource.GetLocation: location, region, zone of the type, else the provider's."""
    for name in ("location", "region", "zone"):
        if _str(state.get(name)):
            return state[name].rsplit("/", 1)[-1]
    location = provider_region(ctx.config) or provider_zone(ctx.config)
    if not location:
        raise ApiError("Unable to determine location: region/zone not configured in "
                       "resource/provider config")
    return location


def _go_time(now: int) -> str:
    # time.Now().UTC().String()
    return datetime.datetime.fromtimestamp(now, datetime.timezone.utc) \
        .strftime("%Y-%m-%d %H:%M:%S.000000000 +0000 UTC")


# --------------------------------------------------------------------------- plan helpers

def _complete(block: Block, value: dict) -> dict:
    """Every attribute (null) and block (empty list) of ``block`` that ``value`` lacks;
    unknowns left from the plan become null, as after apply."""
    out = {}
    for name in block.attrs:
        v = value.get(name)
        out[name] = None if v is Unknown else v
    for name, nested in block.blocks.items():
        items = value.get(name)
        if isinstance(items, list):
            items = [_complete(nested.block, i) if isinstance(i, dict) else i for i in items]
        out[name] = items if isinstance(items, list) else []
    return out


def _optional_computed(planned: dict, prior: dict | None, path: list[str]) -> None:
    name, rest = path[0], path[1:]
    value = planned.get(name)
    if rest:
        olds = (prior or {}).get(name) or []
        for i, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                old = olds[i] if i < len(olds) and isinstance(olds[i], dict) else None
                _optional_computed(item, old, rest)
        return
    if value in (None, []):
        old = (prior or {}).get(name)
        planned[name] = old if prior is not None and old not in (None, Unknown) else \
            ([] if prior is not None else Unknown)


def _deletion_policy(ctx: Any, planned: dict) -> None:
    # tpgresource.DefaultProviderDeletionPolicy / GetDeletionPolicyFromDiff
    if planned.get("deletion_policy") in (None, Unknown):
        planned["deletion_policy"] = _str(ctx.config.get("deletion_policy")) or "DELETE"


def _labels(ctx: Any, prior: dict | None, planned: dict, field: str) -> None:
    """tpgresource.setLabelsFields: terraform_labels = default_labels (+ the attribution
    label on create, CREATION_ONLY) + the resource's; effective_labels follow."""
    raw = planned.get(field)
    if raw is Unknown or (isinstance(raw, dict) and Unknown in raw.values()):
        planned["terraform_labels"], planned["effective_labels"] = Unknown, Unknown
        return
    old_effective = (prior or {}).get("effective_labels") or {}
    terraform = dict(ctx.config.get("default_labels") or {})
    if ctx.config.get("add_terraform_attribution_label") is not False:
        strategy = _str(ctx.config.get("terraform_attribution_label_addition_strategy")) \
            or "CREATION_ONLY"
        if ATTRIBUTION[0] in old_effective or strategy == "PROACTIVE" or prior is None:
            terraform[ATTRIBUTION[0]] = ATTRIBUTION[1]
    terraform.update(raw or {})
    old_terraform = (prior or {}).get("terraform_labels") or {}
    effective = dict(old_effective)
    effective.update(terraform)
    for key in old_terraform:
        if key not in terraform:
            effective.pop(key, None)
    planned["terraform_labels"], planned["effective_labels"] = terraform, effective


_ZEROS = (0, "", False, [], {})


def _keep_zero_values(block: Block, prior: dict, planned: dict) -> None:
    """helper/schema's diff treats an argument left out of the configuration as its type's
    zero value (``schema.Type.Zero()``): a prior 0, "", false or empty collection that
    the API reported is no change, and the planned state keeps it."""
    for name, a in block.attrs.items():
        if not a.computed and planned.get(name) is None and prior.get(name) in _ZEROS \
                and prior.get(name) is not None:
            planned[name] = prior[name]
    for name, nested in block.blocks.items():
        olds, news = prior.get(name), planned.get(name)
        if isinstance(olds, list) and isinstance(news, list):
            for old, new in zip(olds, news):
                if isinstance(old, dict) and isinstance(new, dict):
                    _keep_zero_values(nested.block, old, new)


def _plan(type_name: str, hook: Callable | None = None) -> Callable:
    def plan(ctx: Any, prior: dict | None, planned: dict) -> dict:
        if prior is not None:
            _keep_zero_values(GOOGLE_RESOURCES[type_name], prior, planned)
        _deletion_policy(ctx, planned)
        for path in OPTIONAL_COMPUTED_BLOCKS.get(type_name, ()):
            _optional_computed(planned, prior, path.split("."))
        return hook(ctx, prior, planned) if hook else planned
    return plan


def _count_changes(prior: Any, planned: Any, path: list[str], at: list) -> list[list]:
    name, rest = path[0], path[1:]
    old = (prior or {}).get(name) if isinstance(prior, dict) else None
    new = (planned or {}).get(name) if isinstance(planned, dict) else None
    if new is Unknown or old is Unknown:
        return []
    if not rest:
        return [at + [name]] if len(old or []) != len(new or []) else []
    out = []
    for i, (o, n) in enumerate(zip(old or [], new or [])):
        out += _count_changes(o, n, rest, at + [name, i])
    return out


def _replace(type_name: str) -> Callable:
    def replace(prior: dict, planned: dict) -> list[list]:
        paths: list = []
        for path in FORCE_NEW_BLOCKS.get(type_name, ()):
            paths += _count_changes(prior, planned, path.split("."), [])
        return paths
    return replace


def _one_of(errors: list, value: Any, name: str, allowed: tuple) -> None:
    if isinstance(value, str) and value not in allowed:
        quoted = " ".join(json.dumps(a) for a in allowed)
        errors.append(f"expected {name} to be one of [{quoted}], got {value}")


def _first(config: dict, block: str) -> dict:
    items = config.get(block)
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


CHANNELS = ("UNSPECIFIED", "RAPID", "REGULAR", "STABLE", "EXTENDED")
TAINT_EFFECTS = ("NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE")


def _taints_valid(errors: list, node_config: dict, prefix: str) -> None:
    taints = node_config.get("taint")
    for i, taint in enumerate(taints if isinstance(taints, list) else []):
        if isinstance(taint, dict):
            _one_of(errors, taint.get("effect"), f"{prefix}taint.{i}.effect", TAINT_EFFECTS)


def cluster_validate(config: dict) -> list:
    errors: list = []
    name = config.get("name")
    if isinstance(name, str):
        if len(name) > 40:
            errors.append('"name" cannot be longer than 40 characters')
        if not re.fullmatch(r"[a-z0-9-]+", name):
            errors.append('"name" can only contain lowercase letters, numbers and hyphens')
        if not re.match(r"[a-z]", name):
            errors.append('"name" must start with a letter')
        if not re.search(r"[a-z0-9]$", name):
            errors.append('"name" must end with a number or a letter')
    _one_of(errors, _first(config, "release_channel").get("channel"),
            "release_channel.0.channel", CHANNELS)
    _taints_valid(errors, _first(config, "node_config"), "node_config.0.")
    return errors


def node_pool_validate(config: dict) -> list:
    errors: list = []
    _taints_valid(errors, _first(config, "node_config"), "node_config.0.")
    return errors


# --------------------------------------------------------------------------- versions

def _parse(version: str) -> tuple:
    base, _, gke = version.partition("-gke.")
    parts = [int(p) for p in base.split(".") if p.isdigit()]
    return tuple(parts + [int(gke) if gke.isdigit() else 0])


def _minor(version: str) -> tuple:
    return _parse(version)[:2]


def _resolve_master(config: dict, wanted: str) -> str | None:
    """A version GKE takes for a master: an exact valid version, ``latest``, ``-`` (the
    default) or a prefix such as ``1.33`` (the newest valid patch of it)."""
    valid = config["valid_master_versions"]
    if wanted in valid:
        return wanted
    if wanted == "latest":
        return valid[0]
    if wanted == "-":
        return config["default_cluster_version"]
    if re.fullmatch(r"\d+\.\d+(\.\d+)?", wanted):
        return next((v for v in valid if v.startswith(wanted + ".") or
                     v.startswith(wanted + "-")), None)
    return None


# --------------------------------------------------------------------------- GKE clusters

def _pem(serial: str) -> str:
    body = hashlib.sha256(serial.encode()).hexdigest() * 4
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def _fingerprint(labels: dict) -> str:
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


def _channel(planned: dict) -> str:
    channel = _first(planned, "release_channel").get("channel")
    return channel if isinstance(channel, str) else "REGULAR"


def _node_locations(location: str, wanted: Any) -> list[str]:
    if isinstance(wanted, list) and wanted:
        zones = list(wanted)
        if gcp.is_zone(location) and location not in zones:
            zones.append(location)
        return sorted(zones)
    if gcp.is_zone(location):
        return [location]
    return gcp.zones(location)[:3]


def _check_machine_type(machine_type: str, zones: list[str], doing: str) -> None:
    for zone in zones:
        if not any(t["name"] == machine_type for t in gcp.machine_types_in(zone)):
            # GKE's wording is close to this, not known exactly
            raise _api_error(doing, 400, f'Machine type "{machine_type}" does not exist in '
                                         f'zone "{zone}".', "badRequest")


def _node_config_record(node_config: dict) -> dict:
    nc = {k: v for k, v in (node_config or {}).items() if v is not Unknown}
    taints = [{"key": t["key"], "value": t["value"], "effect": t["effect"]}
              for t in nc.get("taint") or []]
    return {
        "machine_type": _str(nc.get("machine_type")) or gcp.DEFAULT_MACHINE_TYPE,
        "disk_size_gb": nc["disk_size_gb"] if isinstance(nc.get("disk_size_gb"), int) else 100,
        "disk_type": _str(nc.get("disk_type")) or "pd-balanced",
        "image_type": _str(nc.get("image_type")) or "COS_CONTAINERD",
        "labels": dict(nc.get("labels") or {}), "resource_labels": dict(
            nc.get("resource_labels") or {}),
        "taints": taints,
        "oauth_scopes": sorted(nc.get("oauth_scopes") or [gcp.CLOUD_PLATFORM]),
        "service_account": _str(nc.get("service_account")) or "default",
        "metadata": dict(nc.get("metadata") or {"disable-legacy-endpoints": "true"}),
        "spot": bool(nc.get("spot")), "preemptible": bool(nc.get("preemptible")),
        "tags": list(nc.get("tags") or []),
    }


def _effective_taints(record: dict) -> list:
    return [dict(t) for t in record["taints"]]


def _node_config_view(record: dict, state: Any) -> list:
    """flattenNodeConfig: the API's node config; labels and resource_labels as the API has
    them (goog-gke-* resource labels suppressed), the rest as the plan or state had it."""
    from schemas_google import _NODE_CONFIG
    old = state[0] if isinstance(state, list) and state and isinstance(state[0], dict) else {}
    out = dict(old)
    out.update(machine_type=record["machine_type"], disk_size_gb=record["disk_size_gb"],
               disk_type=record["disk_type"], image_type=record["image_type"],
               labels=record["labels"], service_account=record["service_account"],
               oauth_scopes=record["oauth_scopes"], metadata=record["metadata"],
               spot=record["spot"], preemptible=record["preemptible"],
               tags=record["tags"] or old.get("tags"),
               resource_labels=record["resource_labels"] or (
                   old.get("resource_labels") if old.get("resource_labels") == {} else None),
               taint=[dict(t) for t in record["taints"]] or old.get("taint"),
               effective_taints=_effective_taints(record),
               local_ssd_count=0, logging_variant="DEFAULT", min_cpu_platform="",
               gpudirect_strategy=None if old.get("gpudirect_strategy") is Unknown
               else old.get("gpudirect_strategy"))
    for name, value in (("shielded_instance_config", {"enable_secure_boot": False,
                                                      "enable_integrity_monitoring": True}),
                        ("workload_metadata_config", {"mode": "GKE_METADATA"}),
                        ("kubelet_config", {"cpu_cfs_quota": False,
                                            "insecure_kubelet_readonly_port_enabled": "FALSE",
                                            "max_parallel_image_pulls": 2,
                                            "pod_pids_limit": 0}),
                        ("boot_disk", {"disk_type": record["disk_type"],
                                       "size_gb": record["disk_size_gb"],
                                       "provisioned_iops": 0, "provisioned_throughput": 0})):
        if out.get(name) in (None, [], Unknown):
            out[name] = [_complete(_NODE_CONFIG.blocks[name].block, value)]
    return [_complete(_NODE_CONFIG, out)]


def _pool_urls(pool: dict) -> list[str]:
    return [f"https://www.googleapis.com/compute/v1/projects/{pool['project']}/zones/{z}/"
            f"instanceGroupManagers/gke-{pool['cluster_name'][:15]}-{pool['name'][:15]}-"
            f"{pool['suffix']}-grp" for z in pool["locations"]]


def _pool_view(pool: dict, state: dict, resource: bool = True) -> dict:
    """flattenNodePool (and, for the resource, the node pool's own attributes)."""
    from schemas_google import _NODE_POOL, GOOGLE_CONTAINER_NODE_POOL
    block = GOOGLE_CONTAINER_NODE_POOL if resource else _NODE_POOL
    out = dict(state)
    urls = _pool_urls(pool)
    autoscaling = pool["autoscaling"]
    out.update(
        name=pool["name"], initial_node_count=pool["initial_node_count"],
        node_locations=list(pool["locations"]), node_count=pool["size"],
        node_config=_node_config_view(pool["node_config"], state.get("node_config")),
        instance_group_urls=urls, managed_instance_group_urls=[
            u.replace("instanceGroupManagers", "instanceGroups") for u in urls],
        version=pool["version"], max_pods_per_node=110,
        autoscaling=[_complete(block.blocks["autoscaling"].block, dict(
            autoscaling, location_policy=autoscaling.get("location_policy") or "BALANCED"))]
        if autoscaling else [],
        management=[{"auto_repair": pool["management"]["auto_repair"],
                     "auto_upgrade": pool["management"]["auto_upgrade"]}],
        upgrade_settings=[_complete(block.blocks["upgrade_settings"].block, {
            "max_surge": 1, "max_unavailable": 0, "strategy": "SURGE"})]
        if state.get("upgrade_settings") in (None, [], Unknown) else state["upgrade_settings"],
        network_config=[_complete(block.blocks["network_config"].block, {
            "create_pod_range": False, "enable_private_nodes": False,
            "pod_ipv4_cidr_block": "10.96.0.0/14", "pod_range": "gke-pods-"
            + pool["cluster_name"][:20]})]
        if state.get("network_config") in (None, [], Unknown) else state["network_config"],
        node_drain_config=state.get("node_drain_config")
        if state.get("node_drain_config") not in (None, Unknown) else [])
    if resource:
        out.update(id=pool["id"], cluster=state.get("cluster") if _str(state.get("cluster"))
                   else pool["cluster_id"], project=pool["project"], location=pool["location"],
                   operation=None, name_prefix=state.get("name_prefix")
                   if _str(state.get("name_prefix")) else None,
                   deletion_policy=state.get("deletion_policy")
                   if _str(state.get("deletion_policy")) else "DELETE")
    return _complete(block, out)


def _cluster_pools(cloud: dict, cluster: dict) -> list[dict]:
    return [p for p in cloud["google"]["node_pools"].values() if p["cluster_id"] == cluster["id"]]


def _cluster_view(cloud: dict, cluster: dict, state: dict) -> dict:
    from schemas_google import GOOGLE_CONTAINER_CLUSTER as block
    out = dict(state)
    resource_labels = state.get("resource_labels")
    out.update(
        id=cluster["id"], name=cluster["name"], project=cluster["project"],
        location=cluster["location"], endpoint=cluster["ip"],
        master_version=cluster["master_version"], self_link=cluster["self_link"],
        services_ipv4_cidr="34.118.224.0/20", cluster_ipv4_cidr=cluster["cluster_ipv4_cidr"],
        label_fingerprint=cluster["label_fingerprint"], operation=None,
        node_version=cluster["node_version"], node_locations=list(cluster["node_locations"]),
        tpu_ipv4_cidr_block="", emulated_version=cluster["master_version"].split("-")[0]
        .rsplit(".", 1)[0], networking_mode="VPC_NATIVE",
        logging_service="logging.googleapis.com/kubernetes",
        monitoring_service="monitoring.googleapis.com/kubernetes",
        private_ipv6_google_access="", datapath_provider="LEGACY_DATAPATH",
        subnetwork="default", network=state.get("network") or "default",
        enable_intranode_visibility=False, enable_l4_ilb_subsetting=False,
        default_max_pods_per_node=110, initial_node_count=cluster["initial_node_count"],
        deletion_policy=state.get("deletion_policy") if _str(state.get("deletion_policy"))
        else "DELETE",
        # SetLabels: only the configured keys, with the API's values
        resource_labels={k: cluster["labels"].get(k) for k in resource_labels or {}
                         if k in cluster["labels"]} if resource_labels is not None else None,
        terraform_labels={k: cluster["labels"][k] for k in state.get("terraform_labels") or {}
                          if k in cluster["labels"]}
        if isinstance(state.get("terraform_labels"), dict) else dict(cluster["labels"]),
        effective_labels=dict(cluster["labels"]),
        master_auth=[{"client_certificate": "", "client_key": "",
                      "cluster_ca_certificate": cluster["ca"],
                      "client_certificate_config": [{"issue_client_certificate": False}]}],
        release_channel=[{"channel": cluster["release_channel"]}],
        node_pool=[_pool_view(p, {}, resource=False) for p in _cluster_pools(cloud, cluster)],
    )
    for name, value in (
            ("addons_config", {}), ("ip_allocation_policy", {
                "cluster_ipv4_cidr_block": cluster["cluster_ipv4_cidr"],
                "services_ipv4_cidr_block": "34.118.224.0/20",
                "stack_type": "IPV4"}),
            ("master_authorized_networks_config", None), ("private_cluster_config", None),
            ("logging_config", {"enable_components": ["SYSTEM_COMPONENTS", "WORKLOADS"]}),
            ("monitoring_config", {"enable_components": ["SYSTEM_COMPONENTS"]}),
            ("security_posture_config", {"mode": "BASIC", "vulnerability_mode":
                                         "VULNERABILITY_MODE_UNSPECIFIED"}),
            ("default_snat_status", {"disabled": False}),
            ("database_encryption", {"state": "DECRYPTED", "key_name": ""}),
            ("vertical_pod_autoscaling", None), ("workload_identity_config", None),
            ("node_config", "pool"), ("cluster_autoscaling", {"enabled": False}),
            ("notification_config", {"pubsub": [{"enabled": False, "topic": "",
                                                  "filter": []}]}),
            ("service_external_ips_config", {"enabled": False}),
            ("mesh_certificates", None), ("cost_management_config", None),
            ("gateway_api_config", None), ("identity_service_config", None),
            ("node_pool_defaults", None), ("node_pool_auto_config", None),
            ("pod_autoscaling", {"hpa_profile": "HPA_PROFILE_UNSPECIFIED"})):
        if out.get(name) not in (None, [], Unknown):
            continue
        if value is None:
            out[name] = []
        elif value == "pool":
            default = cluster.get("default_node_config")
            out[name] = _node_config_view(default, None) if default else []
        else:
            out[name] = [_complete(block.blocks[name].block, value)]
    return _complete(block, out)


def _cluster_of(ctx: Any, state: dict) -> dict | None:
    project = _str(state.get("project")) or provider_project(ctx.config)
    location = _str(state.get("location")) or _location(ctx, {})
    return gcp.gke_cluster(ctx.cloud, project, location, state["name"])


def cluster_plan(ctx: Any, prior: dict | None, planned: dict) -> dict:
    if prior is None and _str(planned.get("node_version")) and \
            planned.get("remove_default_node_pool") is True:
        raise ApiError("node_version can only be specified if remove_default_node_pool is "
                       "not true")
    if prior is None:
        master, node = _str(planned.get("min_master_version")), _str(planned.get("node_version"))
        if master and node and master.split("-")[0] != node.split("-")[0]:
            raise ApiError(f"Resource argument node_version (value: {node}) must either be "
                           "unset or set to the same value as min_master_version (value: "
                           f"{master}) on create.")
    _labels(ctx, prior, planned, "resource_labels")
    return planned


def cluster_create(ctx: Any, planned: dict) -> dict:
    cloud, google = ctx.cloud, ctx.cloud["google"]
    project = _project(ctx, planned.get("project"))
    location = _location(ctx, planned)
    name = planned["name"]
    parent = f"projects/{project}/locations/{location}"
    _api(ctx, "POST", f"{CONTAINER}/{parent}/clusters{QUERY}", "container.clusters.create",
         f"projects/{project}", project)
    if gcp.region_of(location) is None:
        # GKE's wording is close to this, not known exactly
        raise _api_error("", 404, f'Location "{location}" does not exist.', "notFound")
    if gcp.gke_cluster(cloud, project, location, name):
        raise _api_error("", 409, f"Already exists: {gcp.cluster_path(project, location, name)}.",
                         "alreadyExists")
    config = google["server_config"]
    channel = _channel(planned)
    wanted = _str(planned.get("min_master_version"))
    if wanted:
        version = _resolve_master(config, wanted)
        if version is None:
            raise _api_error("", 400, f'Master version "{wanted}" is unsupported.',
                             "badRequest")
        if channel != "UNSPECIFIED" and version not in \
                config["channels"][channel]["valid_versions"]:
            # GKE's wording is close to this, not known exactly
            raise _api_error("", 400, f'Version "{wanted}" is not available in the '
                                      f'"{channel}" release channel.', "badRequest")
    else:
        version = config["channels"][channel]["default_version"] \
            if channel != "UNSPECIFIED" else config["default_cluster_version"]
    pools_in_config = [p for p in planned["node_pool"] if isinstance(p, dict)] \
        if isinstance(planned.get("node_pool"), list) else []
    initial = planned.get("initial_node_count")
    if not pools_in_config and not (isinstance(initial, int) and initial > 0):
        raise _api_error("", 400, "Cluster.initial_node_count must be greater than zero.",
                         "badRequest")
    zones = _node_locations(location, planned.get("node_locations"))
    default_config = _node_config_record(_first(planned, "node_config"))
    _check_machine_type(default_config["machine_type"], zones, "")
    cid = gcp.cluster_path(project, location, name)
    ip = gcp.new_endpoint_ip(cloud)
    pem = _pem(cid + ip)
    import base64
    labels = dict(planned.get("effective_labels") or {})
    segment = "zones" if gcp.is_zone(location) else "locations"
    cluster = {
        "id": cid, "kind": "gke", "name": name, "project": project, "location": location,
        "ip": ip, "endpoint": f"https://{ip}", "ca_pem": pem,
        "ca": base64.b64encode(pem.encode()).decode(), "master_version": version,
        "node_version": version, "release_channel": channel, "labels": labels,
        "label_fingerprint": _fingerprint(labels), "node_locations": zones,
        "self_link": f"{CONTAINER}/projects/{project}/{segment}/{location}/clusters/{name}",
        "cluster_ipv4_cidr": f"10.{(cloud['serial'] * 4) % 256}.0.0/14",
        "initial_node_count": initial if isinstance(initial, int) else 0,
        "default_node_config": default_config, "created_at": gcp.iso(cloud["now"]),
    }
    cloud["clusters"][cid] = cluster
    if planned.get("remove_default_node_pool") is True:
        _api(ctx, "DELETE", f"{CONTAINER}/{cid}/nodePools/default-pool{QUERY}",
             "container.clusters.update", cid, project, "Error deleting default node pool: ")
    else:
        _add_pool(cloud, cluster, "default-pool", cluster["initial_node_count"], version,
                  default_config, None, {"auto_repair": True, "auto_upgrade": True})
    return _cluster_view(cloud, cluster, planned)


def cluster_read(ctx: Any, state: dict) -> dict | None:
    cluster = _cluster_of(ctx, state)
    cid = cluster["id"] if cluster else gcp.cluster_path(
        _str(state.get("project")) or "", _str(state.get("location")) or "", state["name"])
    _api(ctx, "GET", f"{CONTAINER}/{cid}{QUERY}", "container.clusters.get", cid,
         cid.split("/")[1], write=False)
    if cluster is None:
        return None  # 404: removed from state
    return _cluster_view(ctx.cloud, cluster, state)


def cluster_update(ctx: Any, prior: dict, planned: dict) -> dict:
    cloud = ctx.cloud
    cluster = _cluster_of(ctx, prior)
    cid = prior["id"]
    project = cid.split("/")[1]
    url = f"{CONTAINER}/{cid}{QUERY}"
    if cluster is None:
        raise _api_error("", 404, f"Not found: {cid}.", "notFound")
    wanted = _str(planned.get("min_master_version"))
    if wanted and wanted != prior.get("min_master_version"):
        config = cloud["google"]["server_config"]
        version = _resolve_master(config, wanted)
        current = cluster["master_version"]
        # Only upgrade the master if the current version is lower than the desired one.
        if version is None or _parse(version) > _parse(current):
            _api(ctx, "PUT", url, "container.clusters.update", cid, project)
            if version is None:
                raise _api_error("", 400, f'Master version "{wanted}" is unsupported.',
                                 "badRequest")
            if _minor(version)[1] > _minor(current)[1] + 1:
                # GKE's wording is close to this, not known exactly
                raise _api_error("", 400, f"Master cannot be upgraded by more than one minor "
                                          f"version at a time: from {current} to {version}.",
                                 "badRequest")
            cluster["master_version"] = version
    channel = _first(planned, "release_channel").get("channel")
    if isinstance(channel, str) and channel != cluster["release_channel"]:
        _api(ctx, "PUT", url, "container.clusters.update", cid, project)
        cluster["release_channel"] = channel
    labels = planned.get("effective_labels")
    if isinstance(labels, dict) and labels != prior.get("effective_labels"):
        _api(ctx, "POST", f"{CONTAINER}/{cid}:setResourceLabels{QUERY}",
             "container.clusters.update", cid, project)
        cluster["labels"] = dict(labels)
        cluster["label_fingerprint"] = _fingerprint(labels)
    if planned.get("remove_default_node_pool") is True and \
            prior.get("remove_default_node_pool") is not True:
        pool = cloud["google"]["node_pools"].pop(f"{cid}/nodePools/default-pool", None)
        if pool is not None:
            _api(ctx, "DELETE", f"{CONTAINER}/{cid}/nodePools/default-pool{QUERY}",
                 "container.clusters.update", cid, project, "Error deleting default node pool: ")
    return _cluster_view(cloud, cluster, planned)


def cluster_delete(ctx: Any, state: dict) -> None:
    # tpgresource.DeletionPolicyPreDelete, then the deletion_protection check
    policy = state.get("deletion_policy")
    if policy == "PREVENT":
        raise ApiError(f'cannot destroy "{state["id"]}" without setting deletion_policy="DELETE" '
                       "and running `terraform apply`")
    if policy == "ABANDON":
        return
    if state.get("deletion_protection") is not False:
        raise ApiError("Cannot destroy cluster because deletion_protection is set to true. "
                       "Set it to false to proceed with cluster deletion.")
    cluster = _cluster_of(ctx, state)
    cid = state["id"]
    _api(ctx, "DELETE", f"{CONTAINER}/{cid}{QUERY}", "container.clusters.delete", cid,
         cid.split("/")[1], "Error deleting Cluster: ")
    if cluster is None:
        return
    ctx.cloud["clusters"].pop(cluster["id"], None)
    for key in [k for k, p in ctx.cloud["google"]["node_pools"].items()
                if p["cluster_id"] == cluster["id"]]:
        ctx.cloud["google"]["node_pools"].pop(key)


# --------------------------------------------------------------------------- node pools

CLUSTER_ID = re.compile(r"projects/([a-z0-9-]+)/locations/([a-z0-9-]+)/clusters/([^/]+)")


def _pool_cluster(ctx: Any, state: dict) -> tuple[str, str, str]:
    """extractNodePoolInformation: project, location and cluster of a node pool."""
    match = CLUSTER_ID.fullmatch(state["cluster"])
    if match:
        return match.group(1), match.group(2), match.group(3)
    return _project(ctx, state.get("project")), _location(ctx, state), state["cluster"]


def _unique_id(cloud: dict, prefix: str = "terraform-") -> str:
    """terraform-plugin-sdk's id.PrefixedUniqueId (26 characters after the prefix)."""
    cloud["serial"] += 1
    stamp = gcp.iso(cloud["now"]).replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
    return f"{prefix}{stamp}0000{cloud['serial']:08x}"


def _add_pool(cloud: dict, cluster: dict, name: str, count: int, version: str,
              node_config: dict, autoscaling: dict | None, management: dict,
              locations: list | None = None) -> dict:
    pid = f"{cluster['id']}/nodePools/{name}"
    pool = {"id": pid, "name": name, "cluster_id": cluster["id"], "cluster_name": cluster["name"],
            "project": cluster["project"], "location": cluster["location"],
            "locations": list(locations or cluster["node_locations"]), "version": version,
            "initial_node_count": count, "size": count, "node_config": node_config,
            "autoscaling": autoscaling, "management": management,
            "suffix": hashlib.sha256(pid.encode()).hexdigest()[:8],
            "created_at": gcp.iso(cloud["now"])}
    cloud["google"]["node_pools"][pid] = pool
    return pool


def _autoscaling(planned: dict, doing: str) -> dict | None:
    scaling = _first(planned, "autoscaling")
    if not scaling:
        return None
    out = {k: scaling.get(k) if isinstance(scaling.get(k), int) else 0
           for k in ("min_node_count", "max_node_count", "total_min_node_count",
                     "total_max_node_count")}
    out["location_policy"] = _str(scaling.get("location_policy")) or ""
    low, high = out["min_node_count"], out["max_node_count"]
    if out["total_max_node_count"] == 0 and (high < 1 or low > high):
        # GKE's wording is close to this, not known exactly
        raise _api_error(doing, 400, f"Invalid autoscaling limits: min_node_count {low}, "
                                     f"max_node_count {high}; need 0 <= min <= max and "
                                     "max >= 1.", "badRequest")
    return out


def _check_node_version(cluster: dict, config: dict, version: str, doing: str) -> None:
    # GKE's wording for these two is close to this, not known exactly
    if version not in config["valid_node_versions"]:
        raise _api_error(doing, 400, f'Node version "{version}" is unsupported.', "badRequest")
    if _parse(version) > _parse(cluster["master_version"]):
        raise _api_error(doing, 400, f'Node version "{version}" must not be newer than the '
                                     f'cluster\'s master version "{cluster["master_version"]}".',
                         "badRequest")


def node_pool_plan(ctx: Any, prior: dict | None, planned: dict) -> dict:
    # tpgresource.DefaultProviderProject: the provider's project, known at plan time
    if planned.get("project") in (None, "", Unknown):
        project = provider_project(ctx.config)
        if project:
            planned["project"] = project
    return planned


def node_pool_create(ctx: Any, planned: dict) -> dict:
    cloud = ctx.cloud
    project, location, cluster_name = _pool_cluster(ctx, planned)
    cid = gcp.cluster_path(project, location, cluster_name)
    if _str(planned.get("name")) and _str(planned.get("name_prefix")):
        raise ApiError("Cannot specify both name and name_prefix for a node_pool")
    name = _str(planned.get("name")) or _unique_id(cloud, _str(planned.get("name_prefix"))
                                                   or "terraform-")
    initial, count = planned.get("initial_node_count"), planned.get("node_count")
    if isinstance(initial, int) and initial and isinstance(count, int) and count:
        raise ApiError(f"Cannot set both initial_node_count and node_count on node pool {name}")
    pid = f"{cid}/nodePools/{name}"
    _api(ctx, "GET", f"{CONTAINER}/{pid}{QUERY}", "container.clusters.get", cid, project,
         write=False)
    if pid in cloud["google"]["node_pools"]:
        raise ApiError(f"resource - {pid} - already exists")
    doing = "error creating NodePool: "
    _api(ctx, "POST", f"{CONTAINER}/{cid}/nodePools{QUERY}", "container.clusters.update",
         cid, project, doing)
    cluster = cloud["clusters"].get(cid)
    if cluster is None:
        raise _api_error(doing, 404, f"Not found: {cid}.", "notFound")
    nodes = initial if isinstance(initial, int) and initial else \
        (count if isinstance(count, int) else 0)
    autoscaling = _autoscaling(planned, doing)
    locations = _node_locations(location, planned.get("node_locations")) \
        if planned.get("node_locations") not in (None, [], Unknown) else cluster["node_locations"]
    node_config = _node_config_record(_first(planned, "node_config"))
    _check_machine_type(node_config["machine_type"], locations, doing)
    version = _str(planned.get("version")) or cluster["master_version"]
    _check_node_version(cluster, cloud["google"]["server_config"], version, doing)
    management = _first(planned, "management")
    pool = _add_pool(cloud, cluster, name, nodes, version, node_config, autoscaling,
                     {"auto_repair": management.get("auto_repair") is not False,
                      "auto_upgrade": management.get("auto_upgrade") is not False}, locations)
    return _pool_view(pool, dict(planned, cluster=planned["cluster"]))


def _pool_of(ctx: Any, state: dict) -> dict | None:
    project, location, cluster_name = _pool_cluster(ctx, state)
    pid = f"{gcp.cluster_path(project, location, cluster_name)}/nodePools/{state['name']}"
    return ctx.cloud["google"]["node_pools"].get(pid)


def node_pool_read(ctx: Any, state: dict) -> dict | None:
    project, location, cluster_name = _pool_cluster(ctx, state)
    cid = gcp.cluster_path(project, location, cluster_name)
    _api(ctx, "GET", f"{CONTAINER}/{cid}/nodePools/{state['name']}{QUERY}",
         "container.clusters.get", cid, project, write=False)
    pool = _pool_of(ctx, state)
    return _pool_view(pool, state) if pool else None


def node_pool_update(ctx: Any, prior: dict, planned: dict) -> dict:
    cloud = ctx.cloud
    pool = _pool_of(ctx, prior)
    pid = prior["id"]
    cid, project = pid.rsplit("/nodePools/", 1)[0], pid.split("/")[1]
    doing = ""
    if pool is None:
        raise _api_error(doing, 404, f"Not found: {pid}.", "notFound")
    cluster = cloud["clusters"][pool["cluster_id"]]

    def call(method: str, suffix: str = "") -> None:
        _api(ctx, method, f"{CONTAINER}/{pid}{suffix}{QUERY}", "container.clusters.update",
             cid, project, doing)

    if planned.get("autoscaling") != prior.get("autoscaling"):
        call("POST", ":setAutoscaling")
        pool["autoscaling"] = _autoscaling(planned, doing)
    count = planned.get("node_count")
    if isinstance(count, int) and count != prior.get("node_count"):
        call("POST", ":setSize")
        pool["size"] = count
    if planned.get("management") != prior.get("management"):
        management = _first(planned, "management")
        call("POST", ":setManagement")
        pool["management"] = {"auto_repair": management.get("auto_repair") is not False,
                              "auto_upgrade": management.get("auto_upgrade") is not False}
    version = _str(planned.get("version"))
    if version and version != prior.get("version"):
        call("PUT")
        _check_node_version(cluster, cloud["google"]["server_config"], version, doing)
        pool["version"] = version
    new, old = _first(planned, "node_config"), _first(prior, "node_config")
    record = pool["node_config"]
    if new.get("machine_type") != old.get("machine_type") and _str(new.get("machine_type")):
        call("PUT")
        _check_machine_type(new["machine_type"], pool["locations"], doing)
        record["machine_type"] = new["machine_type"]
    for field, key in (("labels", "labels"), ("resource_labels", "resource_labels")):
        if new.get(field) != old.get(field) and new.get(field) is not Unknown:
            call("PUT")
            record[key] = dict(new.get(field) or {})
    if new.get("taint") != old.get("taint"):
        call("PUT")
        record["taints"] = [{"key": t["key"], "value": t["value"], "effect": t["effect"]}
                            for t in new.get("taint") or []]
    return _pool_view(pool, planned)


def node_pool_delete(ctx: Any, state: dict) -> None:
    policy = state.get("deletion_policy")
    if policy == "PREVENT":
        raise ApiError(f'cannot destroy "{state["id"]}" without setting deletion_policy="DELETE" '
                       "and running `terraform apply`")
    if policy == "ABANDON":
        return
    pid = state["id"]
    cid, project = pid.rsplit("/nodePools/", 1)[0], pid.split("/")[1]
    _api(ctx, "DELETE", f"{CONTAINER}/{pid}{QUERY}", "container.clusters.update", cid, project,
         "Error deleting NodePool: ")
    ctx.cloud["google"]["node_pools"].pop(pid, None)


# --------------------------------------------------------------------------- data sources

def _data(type_name: str, value: dict) -> dict:
    return _complete(GOOGLE_DATA_SOURCES[type_name], value)


def engine_versions_data(ctx: Any, config: dict) -> dict:
    project = _project(ctx, config.get("project"))
    location = _str(config.get("location")) or provider_region(ctx.config) or \
        provider_zone(ctx.config)
    if not location:
        raise ApiError("Cannot determine location: set location in this data source or at "
                       "provider-level")
    location = location.rsplit("/", 1)[-1]
    doing = "Error retrieving available container cluster versions: "
    path = f"projects/{project}/locations/{location}"
    _api(ctx, "GET", f"{CONTAINER}/{path}/serverConfig{QUERY}", "container.clusters.list",
         f"projects/{project}", project, doing, write=False)
    if gcp.region_of(location) is None:
        # GKE's wording is close to this, not known exactly
        raise _api_error(doing, 400, f'Location "{location}" is not a valid location.',
                         "badRequest")
    server = ctx.cloud["google"]["server_config"]
    prefix = config.get("version_prefix") or ""
    masters = [v for v in server["valid_master_versions"] if v.startswith(prefix)]
    nodes = [v for v in server["valid_node_versions"] if v.startswith(prefix)]
    channels = server["channels"]
    latest = {}
    for name, channel in channels.items():
        found = next((v for v in channel["valid_versions"] if v.startswith(prefix)), None)
        if found:
            latest[name] = found
    return _data("google_container_engine_versions", dict(
        config, id=_go_time(ctx.cloud["now"]), valid_master_versions=masters,
        valid_node_versions=nodes, latest_master_version=masters[0] if masters else None,
        latest_node_version=nodes[0] if nodes else None,
        default_cluster_version=server["default_cluster_version"],
        release_channel_default_version={n: c["default_version"] for n, c in channels.items()},
        release_channel_latest_version=latest,
        release_channel_upgrade_target_version={n: c["upgrade_target_version"]
                                                for n, c in channels.items()}))


def client_config_data(ctx: Any, config: dict) -> dict:
    project = provider_project(ctx.config) or ""
    region, zone = provider_region(ctx.config) or "", provider_zone(ctx.config) or ""
    credential = _credential(ctx.config)
    try:
        token, _expiry, principal = gcp.access_token(ctx.cloud, credential)
    except gcp.TokenError as exc:
        raise ProviderError("Error setting access_token", str(exc)) from None
    gcp.log_call(ctx.cloud, "oauth2.token", principal)
    return _data("google_client_config", {
        "id": f"projects/{project}/regions/{region}/zones/{zone}", "project": project,
        "region": region, "zone": zone, "access_token": token,
        "default_labels": dict(ctx.config.get("default_labels") or {})})


_FILTER_FIELDS = {"name": "name", "guestCpus": "guestCpus", "memoryMb": "memoryMb",
                  "isSharedCpu": "isSharedCpu", "zone": "zone", "description": "description",
                  "maximumPersistentDisks": "maximumPersistentDisks"}
_TERM = re.compile(r'\(?\s*([A-Za-z]+)\s*(!=|>=|<=|=|>|<|:|\beq\b|\bne\b)\s*'
                   r'("(?:[^"\\]|\\.)*"|[^\s()]+)\s*\)?')


def _filter(items: list, text: str, doing: str) -> list:
    """Compute's list filter: terms ``field op value`` joined by AND (or juxtaposed), ``=``
    and ``!=`` with ``*`` wildcards on strings, ``eq``/``ne`` with regular expressions."""
    rest = re.sub(r"\bAND\b", " ", text.strip())
    terms, position = [], 0
    for match in _TERM.finditer(rest):
        if rest[position:match.start()].strip():
            break
        terms.append(match.groups())
        position = match.end()
    if not terms or rest[position:].strip() or re.search(r"\bOR\b", text):
        raise _api_error(doing, 400, f"Invalid value for field 'filter': '{text}'. Invalid "
                                     "list filter expression.", "invalid")

    def keep(item: dict, field: str, op: str, raw: str) -> bool:
        value = raw[1:-1] if raw.startswith('"') else raw
        have = item.get(field)
        if isinstance(have, bool):
            have = str(have).lower()
        if isinstance(have, (int, float)) and op in (">", "<", ">=", "<=", "=", "!="):
            try:
                number = float(value)
            except ValueError:
                return False
            return {">": have > number, "<": have < number, ">=": have >= number,
                    "<=": have <= number, "=": have == number, "!=": have != number}[op]
        have = str(have)
        if op in ("eq", "ne"):
            hit = re.fullmatch(value, have) is not None
            return hit if op == "eq" else not hit
        if op == ":":
            return value in have
        pattern = "^" + ".*".join(re.escape(p) for p in value.split("*")) + "$"
        hit = re.match(pattern, have) is not None
        return hit if op == "=" else (not hit if op == "!=" else
                                      {">": have > value, "<": have < value,
                                       ">=": have >= value, "<=": have <= value}[op])

    for field, op, raw in terms:
        if field not in _FILTER_FIELDS:
            raise _api_error(doing, 400, f"Invalid value for field 'filter': '{text}'. "
                                         "Invalid list filter expression.", "invalid")
        items = [i for i in items if keep(i, _FILTER_FIELDS[field], op.strip(), raw)]
    return items


def machine_types_data(ctx: Any, config: dict) -> dict:
    project = _project(ctx, config.get("project"))
    zone = config.get("zone") or ""  # the data source does not default it
    flt = config.get("filter") or ""
    doing = "Error retrieving machine types: "
    url = f"{COMPUTE}/projects/{project}/zones/{zone}/machineTypes"
    if flt:
        from urllib.parse import quote
        url += "?filter=" + quote(flt, safe="")
    _api(ctx, "GET", url, "compute.machineTypes.list", f"projects/{project}", project, doing,
         write=False)
    if not gcp.is_zone(zone):
        raise _api_error(doing, 404, f"The resource 'projects/{project}/zones/{zone}' was not "
                                     "found", "notFound")
    items = gcp.machine_types_in(zone)
    if flt:
        items = _filter(items, flt, doing)
    machine_types = []
    for mt in items:
        machine_types.append({
            "name": mt["name"], "guest_cpus": mt["guestCpus"], "memory_mb": mt["memoryMb"],
            "maximum_persistent_disks": mt["maximumPersistentDisks"],
            "maximum_persistent_disks_size_gb": int(mt["maximumPersistentDisksSizeGb"]),
            "description": mt["description"], "is_shared_cpus": mt["isSharedCpu"],
            "accelerators": [{"guest_accelerator_type": a["guestAcceleratorType"],
                              "guest_accelerator_count": a["guestAcceleratorCount"]}
                             for a in mt["accelerators"] or []],
            "self_link": mt["selfLink"], "deprecated": []})
    return _data("google_compute_machine_types", {
        "id": f"projects/{project}/zones/{zone}/machineTypes/filters/{flt}",
        "filter": config.get("filter"), "machine_types": machine_types, "project": project,
        "zone": zone})


# --------------------------------------------------------------------------- the table

def _traced(function: Callable) -> Callable:
    """A behaviour whose unexpected exceptions are also written, with their traceback, to
    ``standin-google-errors.log`` beside the cloud (Terraform shows only the message)."""
    def run(*args: Any) -> Any:
        try:
            return function(*args)
        except ApiError:
            raise
        except Exception:
            import traceback
            path = os.environ.get("FLEETFORM_STANDIN_CLOUD")
            if path:
                with open(os.path.join(os.path.dirname(path), "standin-google-errors.log"),
                          "a") as log:
                    log.write(traceback.format_exc() + "\n")
            raise
    return run


BEHAVIOUR_GOOGLE: dict[str, dict[str, Callable]] = {
    "google_container_cluster": dict(
        create=cluster_create, read=cluster_read, update=cluster_update, delete=cluster_delete,
        plan=_plan("google_container_cluster", cluster_plan),
        replace=_replace("google_container_cluster"), validate=cluster_validate),
    "google_container_node_pool": dict(
        create=node_pool_create, read=node_pool_read, update=node_pool_update,
        delete=node_pool_delete, plan=_plan("google_container_node_pool", node_pool_plan),
        replace=_replace("google_container_node_pool"), validate=node_pool_validate),
    "google_container_engine_versions": dict(data=engine_versions_data),
    "google_client_config": dict(data=client_config_data),
    "google_compute_machine_types": dict(data=machine_types_data),
}
BEHAVIOUR_GOOGLE = {t: {op: _traced(f) for op, f in ops.items()}
                    for t, ops in BEHAVIOUR_GOOGLE.items()}
#: Provider name -> its ConfigureProvider behaviour.
CONFIGURE = {"google": _traced(configure)}
