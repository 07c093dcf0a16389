"""The hashicorp/azurerm stand-in's behaviour (4.81.0), merged into ``standin.BEHAVIOUR``.

Per type: ``validate`` (the SDK's ValidateFuncs that matter, and the locations check
that enhanced validation adds once the provider is configured), ``plan`` (what the
SDK and the resource's CustomizeDiff do at plan time: DiffSuppress of normalised
locations, Optional+Computed blocks kept from state or unknown on create, the
conditional ForceNews, the whole plan made anew from the configuration when
something forces replacement, as ``schema.Resource.SimpleDiff`` does), and
``create``/``read``/``update``/``delete`` or ``data`` against the fake Azure in
``cloud["azure"]`` and ``cloud["clusters"]`` (``cloud_azure``). ``configure`` is
the provider's ``providerConfigure`` and ``buildClient``: the ARM_* defaults, the
authorizer chain of go-azure-sdk (client secret, OIDC, managed identity, Azure CLI),
the token the account is built from, the subscription, and the location cache for
enhanced validation, failing with the provider's words.

Views set the computed and Optional+Computed values and keep every other one as the
plan or state had it (null stays null, as the SDK's shims leave them equal); values
the API owns (counts, versions, labels, tags) follow the cloud, so drift shows.

kube_config at plan time: ``resourceKubernetesCluster``'s CustomizeDiff
(``kubernetes_cluster_resource.go`` at v4.81.0) calls ``SetNewComputed`` only for
``oidc_issuer_url`` (when ``oidc_issuer_enabled`` changes); nothing marks
``kube_config``, ``kube_admin_config`` or their ``_raw`` forms new-computed, and the
SDK's diff leaves a computed-only attribute the configuration does not set as it
is (``schemaMap.diffList``: old value, no new one, Computed: no diff). So an
in-place update plans them known, with the values the refresh just read
(``resourceKubernetesClusterRead`` calls ListClusterUserCredentials on every read);
only a create or a replacement plans them unknown.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
from typing import Any, Callable

from tf.types import Unknown

import cloud as clouds
import cloud_azure as az
from cloud import ApiError
from cloud_azure import ArmError, EntraError
from schemas import Block
from schemas_azure import AZURERM_DATA_SOURCES, AZURERM_RESOURCES, OPTIONAL_COMPUTED_BLOCKS


class ProviderError(ApiError):
    """A diagnostic with a summary and a detail."""

    def __init__(self, summary: str, detail: str = "") -> None:
        super().__init__(summary)
        self.detail = detail


#: go-azure-helpers location.CacheSupportedLocations: the locations enhanced validation
#: checks against, cached by ConfigureProvider (None: not configured, or disabled).
SUPPORTED_LOCATIONS: list | None = None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _parse_bool(text: Any) -> bool | None:
    """Go's strconv.ParseBool (how the SDK reads a bool default from the environment)."""
    if isinstance(text, bool):
        return text
    if not isinstance(text, str):
        return None
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


def _setting(config: dict, key: str, *variables: str, default: Any = None) -> Any:
    """A provider argument: the configuration's, else its DefaultFunc's environment."""
    value = config.get(key)
    if value is not None:
        return value
    for name in variables:
        if os.environ.get(name):
            return os.environ[name]
    return default


def _flag(config: dict, key: str, *variables: str, default: bool = False) -> bool:
    value = _parse_bool(_setting(config, key, *variables))
    return default if value is None else value


def _first(value: Any) -> dict:
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}


def _unknown_in(value: Any) -> bool:
    if value is Unknown:
        return True
    if isinstance(value, dict):
        return any(_unknown_in(v) for v in value.values())
    if isinstance(value, list):
        return any(_unknown_in(v) for v in value)
    return False


# --------------------------------------------------------------------------- configuration

def _read_file(path: str, what: str) -> str:
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError as exc:
        raise ProviderError(f"reading {what} from file {json.dumps(path)}: open {path}: "
                            f"{(exc.strerror or 'error').lower()}") from None


def _credentials(config: dict) -> dict:
    """providerConfigure's reading of the arguments and their ARM_* defaults."""
    client_id = (_str(_setting(config, "client_id", "ARM_CLIENT_ID")) or "").strip()
    path = _str(_setting(config, "client_id_file_path", "ARM_CLIENT_ID_FILE_PATH"))
    if path:
        from_file = _read_file(path, "Client ID")
        if client_id and client_id != from_file:
            raise ProviderError("mismatch between supplied Client ID and supplied Client ID "
                                "file contents - please either remove one or ensure they match")
        client_id = from_file
    secret = (_str(_setting(config, "client_secret", "ARM_CLIENT_SECRET")) or "").strip()
    path = _str(_setting(config, "client_secret_file_path", "ARM_CLIENT_SECRET_FILE_PATH"))
    if path:
        from_file = _read_file(path, "Client Secret")
        if secret and secret != from_file:
            raise ProviderError("mismatch between supplied Client Secret and supplied Client "
                                "Secret file contents - please either remove one or ensure "
                                "they match")
        secret = from_file
    token = (_str(_setting(config, "oidc_token", "ARM_OIDC_TOKEN")) or "").strip()
    path = _str(_setting(config, "oidc_token_file_path", "ARM_OIDC_TOKEN_FILE_PATH"))
    if path:
        from_file = _read_file(path, "OIDC Token")
        if token and token != from_file:
            raise ProviderError("mismatch between supplied OIDC token and supplied OIDC token "
                                "file contents - please either remove one or ensure they match")
        token = from_file
    return {
        "subscription_id": _str(_setting(config, "subscription_id", "ARM_SUBSCRIPTION_ID"))
        or "",
        "tenant_id": (_str(_setting(config, "tenant_id", "ARM_TENANT_ID")) or "").strip(),
        "client_id": client_id, "client_secret": secret, "oidc_token": token,
        "certificate": _str(_setting(config, "client_certificate", "ARM_CLIENT_CERTIFICATE"))
        or _str(_setting(config, "client_certificate_path", "ARM_CLIENT_CERTIFICATE_PATH")),
        "oidc_request": _str(_setting(config, "oidc_request_url", "ARM_OIDC_REQUEST_URL",
                                      "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI")),
        "use_oidc": _flag(config, "use_oidc", "ARM_USE_OIDC")
        or _flag(config, "use_aks_workload_identity", "ARM_USE_AKS_WORKLOAD_IDENTITY"),
        "use_msi": _flag(config, "use_msi", "ARM_USE_MSI"),
        "use_cli": _flag(config, "use_cli", "ARM_USE_CLI", default=True),
    }


def _authorizer(creds: dict) -> str:
    """go-azure-sdk auth.NewAuthorizerFromCredentials: which authorizer the chain picks
    (``secret`` or ``oidc``), or ProviderError as Build wraps the chain's error."""
    wrap = "unable to build authorizer for Resource Manager API: "
    tenant, client = creds["tenant_id"], creds["client_id"]
    if tenant and client and creds["certificate"]:
        raise ProviderError(wrap + "could not configure ClientCertificate Authorizer: client "
                            "certificates are not modelled by the stand-in")
    if tenant and client and creds["client_secret"]:
        return "secret"
    if creds["use_oidc"] and tenant and client and creds["oidc_token"]:
        return "oidc"
    if creds["use_oidc"] and tenant and client and creds["oidc_request"]:
        raise ProviderError(wrap + "could not configure GitHubOIDC Authorizer: fetching ID "
                            "tokens from a request URL is not modelled by the stand-in")
    if creds["use_msi"]:
        raise ProviderError(wrap + "could not configure MSI Authorizer: managed identities "
                            "(IMDS) are not modelled by the stand-in")
    if creds["use_cli"]:
        if shutil.which("az", path=os.environ.get("PATH")) is None:
            raise ProviderError(wrap + "could not configure AzureCli Authorizer: could not "
                                "parse Azure CLI version: launching Azure CLI: exec: \"az\": "
                                "executable file not found in $PATH")
        raise ProviderError(wrap + "could not configure AzureCli Authorizer: the Azure CLI is "
                            "not modelled by the stand-in")
    raise ProviderError(wrap + "no Authorizer could be configured, please check your "
                        "configuration")


def sign_in(cloud: dict, config: dict) -> tuple[dict, dict]:
    """The app the provider's token is for, and the credentials read: ``(app, creds)``."""
    creds = _credentials(config)
    kind = _authorizer(creds)
    try:
        app = az.sign_in(cloud, creds["tenant_id"], creds["client_id"],
                         secret=creds["client_secret"] if kind == "secret" else None,
                         assertion=creds["oidc_token"] if kind == "oidc" else None)
    except EntraError as exc:
        az.log_call(cloud, "login.microsoftonline.com/token", None, f"AADSTS{exc.code}")
        # NewResourceManagerAccount acquires the first token (clientCredentialsToken)
        raise ProviderError(f"building account: could not acquire access token to parse "
                            f"claims: clientCredentialsToken: received HTTP status "
                            f"{exc.status} with response: {exc.body(cloud['now'])}") from None
    return app, creds


def _enhanced_locations(config: dict) -> bool:
    """Whether enhanced validation checks locations (4.x: on unless turned off)."""
    enabled = _parse_bool(os.environ.get("ARM_PROVIDER_ENHANCED_VALIDATION_LOCATIONS") or
                          os.environ.get("ARM_PROVIDER_ENHANCED_VALIDATION") or "true")
    features = _first(config.get("features"))
    block = _first(features.get("enhanced_validation"))
    if isinstance(block.get("locations"), bool):
        enabled = block["locations"]
    legacy = _first(config.get("enhanced_validation"))
    if isinstance(legacy.get("locations"), bool):
        enabled = legacy["locations"]
    return bool(enabled)


def configure(cloud: dict, config: dict) -> None:
    """ConfigureProvider (providerConfigure, buildClient, clients.Build)."""
    global SUPPORTED_LOCATIONS
    if _unknown_in(config):
        return  # Terraform configures again once the values are known
    creds = _credentials(config)
    if not creds["subscription_id"] and not creds["use_cli"]:
        raise ProviderError("`subscription_id` is a required provider property when "
                            "performing a plan/apply operation")
    app, creds = sign_in(cloud, config)
    subscription = creds["subscription_id"]
    if subscription not in cloud["azure"]["subscriptions"]:
        az.log_call(cloud, "Microsoft.Resources/subscriptions/providers/read", app["name"],
                    "SubscriptionNotFound")
        # resourceproviders.EnsureRegistered (wrapping close to this, not known exactly)
        raise ProviderError(
            "populating Resource Provider cache: populating cache: listing Resource "
            "Providers: " + ArmError(404, "SubscriptionNotFound",
                                     f"The subscription '{subscription}' could not be "
                                     "found.").sdk())
    az.log_call(cloud, "Microsoft.Resources/subscriptions/providers/read", app["name"])
    # clients.Build: location.CacheSupportedLocations (the metadata endpoint's list)
    SUPPORTED_LOCATIONS = [loc["name"] for loc in az.physical_locations(cloud)] \
        if _enhanced_locations(config) else None


def _caller(ctx: Any, operation: str, scope: str) -> dict:
    """Who calls ARM (every behaviour's first step), checked by RBAC, logged."""
    try:
        app, _ = sign_in(ctx.cloud, ctx.config)
    except ProviderError as exc:
        raise ApiError(str(exc)) from None
    try:
        az.authorize(app, operation, scope)
    except ArmError as exc:
        az.log_call(ctx.cloud, operation, app["name"], exc.code)
        raise ApiError(f"{operation}: {exc.sdk()}") from None
    az.log_call(ctx.cloud, operation, app["name"])
    return app


# --------------------------------------------------------------------------- validation

def _location_errors(errors: list, value: Any, key: str) -> None:
    """location.EnhancedValidate (once the provider is configured) or StringIsNotEmpty."""
    if not isinstance(value, str):
        return
    if SUPPORTED_LOCATIONS is None:
        if value == "":
            errors.append(f"expected {json.dumps(key)} to not be an empty string, got {value}")
        return
    normalised = az.normalize_location(value)
    if normalised == "":
        errors.append(f"{json.dumps(key)} must not be empty")
    elif normalised not in SUPPORTED_LOCATIONS and normalised != "global":
        errors.append(f"{json.dumps(normalised)} was not found in the list of supported Azure "
                      f"Locations: {json.dumps(','.join(SUPPORTED_LOCATIONS))}")


def _pool_name_errors(errors: list, value: Any, key: str) -> None:
    # containers/validate.KubernetesAgentPoolName
    if isinstance(value, str) and not re.fullmatch(r"[a-z][a-z\d]{0,11}", value):
        errors.append(f"the {json.dumps(key)} must begin with a lowercase letter, contain only "
                      "lowercase letters and numbers and be between 1 and 12 characters in "
                      f"length, got {json.dumps(value)}")


def _between(errors: list, value: Any, key: str, low: int, high: int) -> None:
    if isinstance(value, (int, float)) and not low <= value <= high:
        errors.append(f"expected {key} to be in the range ({low} - {high}), got {int(value)}")


def _one_of(errors: list, value: Any, key: str, allowed: tuple) -> None:
    if isinstance(value, str) and value not in allowed:
        quoted = " ".join(json.dumps(a) for a in allowed)
        errors.append(f"expected {key} to be one of [{quoted}], got {value}")


def _not_empty(errors: list, value: Any, key: str) -> None:
    if value == "":
        errors.append(f"expected {json.dumps(key)} to not be an empty string, got ")


def resource_group_validate(config: dict) -> list:
    errors: list = []
    name = config.get("name")
    # resourcegroups.ValidateName
    if isinstance(name, str) and (not 1 <= len(name) <= 90 or
                                  not re.fullmatch(r"[-\w._()]*[-\w_()]", name)):
        errors.append("resource group name must be 1 - 90 characters long, may contain "
                      "alphanumerics, underscores, hyphens, periods and parenthesis and may "
                      "not end in a period")
    _location_errors(errors, config.get("location"), "location")
    return errors


def cluster_validate(config: dict) -> list:
    errors: list = []
    _not_empty(errors, config.get("name"), "name")
    _location_errors(errors, config.get("location"), "location")
    prefix = config.get("dns_prefix")
    # containers/validate.KubernetesDNSPrefix
    if isinstance(prefix, str) and not re.fullmatch(
            r"[a-zA-Z\d]" if len(prefix) < 2 else r"[a-zA-Z\d][-a-zA-Z\d]{0,52}[a-zA-Z\d]",
            prefix[:1] if len(prefix) < 2 else prefix):
        errors.append('the "dns_prefix" must begin and end with a letter or number, contain '
                      "only letters, numbers, and hyphens and be between 1 and 54 characters "
                      f"in length, got {json.dumps(prefix)}")
    _not_empty(errors, config.get("kubernetes_version"), "kubernetes_version")
    _one_of(errors, config.get("sku_tier"), "sku_tier", ("Free", "Standard", "Premium"))
    _one_of(errors, config.get("support_plan"), "support_plan",
            ("KubernetesOfficial", "AKSLongTermSupport"))
    _one_of(errors, _first(config.get("identity")).get("type"), "identity.0.type",
            ("UserAssigned", "SystemAssigned"))
    pool = _first(config.get("default_node_pool"))
    _pool_name_errors(errors, pool.get("name"), "default_node_pool.0.name")
    _pool_name_errors(errors, pool.get("temporary_name_for_rotation"),
                      "default_node_pool.0.temporary_name_for_rotation")
    for key in ("node_count", "min_count", "max_count"):
        _between(errors, pool.get(key), f"default_node_pool.0.{key}", 1, 1000)
    _not_empty(errors, pool.get("vm_size"), "default_node_pool.0.vm_size")
    _not_empty(errors, pool.get("orchestrator_version"), "default_node_pool.0.orchestrator_version")
    return errors


_CLUSTER_ID = re.compile(r"/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/"
                         r"Microsoft\.ContainerService/managedClusters/([^/]+)", re.IGNORECASE)


def node_pool_validate(config: dict) -> list:
    errors: list = []
    _pool_name_errors(errors, config.get("name"), "name")
    cluster = config.get("kubernetes_cluster_id")
    if isinstance(cluster, str) and not _CLUSTER_ID.fullmatch(cluster):
        # containers/validate.ClusterID (parse.ClusterID's wording, close)
        errors.append(f"parsing {json.dumps(cluster)} as an Cluster ID: the number of segments "
                      "didn't match")
    _between(errors, config.get("node_count"), "node_count", 0, 1000)
    _between(errors, config.get("min_count"), "min_count", 0, 1000)
    _between(errors, config.get("max_count"), "max_count", 0, 1000)
    _one_of(errors, config.get("mode"), "mode", ("System", "User", "Gateway"))
    _one_of(errors, config.get("priority"), "priority", ("Regular", "Spot"))
    _one_of(errors, config.get("os_type"), "os_type", ("Linux", "Windows"))
    _not_empty(errors, config.get("vm_size"), "vm_size")
    return errors


def versions_validate(config: dict) -> list:
    errors: list = []
    _location_errors(errors, config.get("location"), "location")
    return errors


def location_validate(config: dict) -> list:
    errors: list = []
    _location_errors(errors, config.get("location"), "location")
    return errors


# --------------------------------------------------------------------------- plan

def _create_plan(block: Block, value: dict | None) -> dict | None:
    """The SDK's plan of a new object from its configuration: defaults filled, computed
    values the configuration leaves out unknown (Optional+Computed blocks too)."""
    if value is None:
        return None
    out = dict(value)
    for name, a in block.attrs.items():
        if out.get(name) is None:
            out[name] = a.default if a.default is not None else (Unknown if a.computed
                                                                 else None)
    for name, nested in block.blocks.items():
        items = out.get(name)
        if isinstance(items, list):
            out[name] = [_create_plan(nested.block, i) if isinstance(i, dict) else i
                         for i in items]
    return out


def _unknown_optional_computed(type_name: str, planned: dict) -> None:
    for path in OPTIONAL_COMPUTED_BLOCKS.get(type_name, ()):
        head, _, rest = path.partition(".")
        if not rest:
            if planned.get(head) in (None, []):
                planned[head] = Unknown
            continue
        for item in planned.get(head) if isinstance(planned.get(head), list) else []:
            if isinstance(item, dict) and item.get(rest) in (None, []):
                item[rest] = Unknown


def _keep_optional_computed(type_name: str, prior: dict, planned: dict) -> None:
    """An Optional+Computed block the configuration leaves out keeps its state."""
    for path in OPTIONAL_COMPUTED_BLOCKS.get(type_name, ()):
        head, _, rest = path.partition(".")
        if not rest:
            if planned.get(head) in (None, []) and prior.get(head) not in (None, Unknown):
                planned[head] = copy.deepcopy(prior[head])
            continue
        olds = prior.get(head) if isinstance(prior.get(head), list) else []
        for i, item in enumerate(planned.get(head) if isinstance(planned.get(head), list)
                                 else []):
            old = olds[i] if i < len(olds) and isinstance(olds[i], dict) else {}
            if isinstance(item, dict) and item.get(rest) in (None, []) and old.get(rest):
                item[rest] = copy.deepcopy(old[rest])


def _normalise_location(planned: dict) -> None:
    # commonschema.Location's StateFunc (location.StateFunc): the SDK plans and stores
    # the normalised value ("West Europe" -> "westeurope"); its DiffSuppressFunc then
    # sees no change between the two spellings
    if isinstance(planned.get("location"), str):
        planned["location"] = az.normalize_location(planned["location"])


def _replanned(ctx: Any, type_name: str) -> dict:
    """SimpleDiff on RequiresNew: the plan of a new object from the configuration (the
    ``replace`` behaviour names the paths that CustomizeDiff forced)."""
    block = AZURERM_RESOURCES[type_name]
    planned = _create_plan(block, copy.deepcopy(ctx.resource_config))
    _normalise_location(planned)
    _unknown_optional_computed(type_name, planned)
    return planned


def _schema_replacements(block: Block, prior: dict, planned: dict, at: list) -> list:
    """ForceNew fields whose value changes (known on both sides)."""
    paths = []
    for name, a in block.attrs.items():
        new, old = planned.get(name), prior.get(name)
        if a.replace and not _unknown_in(new) and not (a.computed and new is None) \
                and not _same(old, new):
            paths.append(at + [name])
    for name, nested in block.blocks.items():
        olds, news = prior.get(name) or [], planned.get(name) or []
        if _unknown_in(news):
            continue
        if nested.replace and not _same(olds, news):
            paths.append(at + [name])
            continue
        for i, (o, n) in enumerate(zip(olds, news)):
            if isinstance(o, dict) and isinstance(n, dict):
                paths += _schema_replacements(nested.block, o, n, at + [name, i])
    return paths


def _unknown_force_new(block: Block, planned: dict, at: list) -> list:
    """ForceNew fields the configuration sets to a value not known yet: finalizeDiff marks
    them RequiresNew (``d.Old != d.New || d.NewComputed``). Only configurable, non-computed
    fields: an unknown there can only come from the configuration."""
    paths = []
    for name, a in block.attrs.items():
        if a.replace and not a.computed and _unknown_in(planned.get(name)):
            paths.append(at + [name])
    for name, nested in block.blocks.items():
        items = planned.get(name)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                paths += _unknown_force_new(nested.block, item, at + [name, i])
    return paths


def _same(a: Any, b: Any) -> bool:
    """Equal as the SDK compares: null, "", empty list and empty map are alike."""
    empty = (None, [], {}, "")
    return (a in empty and b in empty) or a == b


def resource_group_plan(ctx: Any, prior: dict | None, planned: dict) -> dict:
    _normalise_location(planned)
    if prior is None:
        return planned
    block = AZURERM_RESOURCES["azurerm_resource_group"]
    paths = _schema_replacements(block, prior, planned, []) + \
        _unknown_force_new(block, planned, [])
    return _replanned(ctx, "azurerm_resource_group") if paths else planned


def _pool_names(prior: dict, planned: dict) -> tuple:
    old, new = _first(prior.get("default_node_pool")), _first(planned.get("default_node_pool"))
    return old.get("name"), new.get("name"), new.get("temporary_name_for_rotation")


def _network_forced(prior: dict, planned: dict) -> list:
    """The network_profile rules of the cluster's CustomizeDiff."""
    old, new = _first(prior.get("network_profile")), _first(planned.get("network_profile"))
    if not old or not new or _unknown_in(new):
        return []
    paths, at = [], ["network_profile", 0]

    def changed(key: str) -> bool:
        return not _same(old.get(key), new.get(key))

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    if changed("network_data_plane"):
        o, n = text(old.get("network_data_plane")), text(new.get("network_data_plane"))
        if o and not (o == "azure" and n == "cilium"):
            paths.append(at + ["network_data_plane"])
    if changed("network_plugin"):
        o, n = text(old.get("network_plugin")), text(new.get("network_plugin"))
        if not (o == "kubenet" and n == "azure" and
                text(new.get("network_plugin_mode")).lower() == "overlay"):
            paths.append(at + ["network_plugin"])
    if changed("network_plugin_mode") and \
            text(new.get("network_plugin_mode")).lower() != "overlay":
        paths.append(at + ["network_plugin_mode"])
    if changed("network_policy"):
        o, n = text(old.get("network_policy")), text(new.get("network_policy"))
        if o and not ((o, n) in (("azure", "cilium"), ("calico", "cilium"))):
            paths.append(at + ["network_policy"])
    if changed("pod_cidr") and text(old.get("pod_cidr")):
        paths.append(at + ["pod_cidr"])
    if changed("pod_cidrs") and old.get("pod_cidrs"):
        paths.append(at + ["pod_cidrs"])
    return paths


def cluster_plan(ctx: Any, prior: dict | None, planned: dict) -> dict:
    type_name = "azurerm_kubernetes_cluster"
    _normalise_location(planned)
    if prior is None:
        _unknown_optional_computed(type_name, planned)
        return planned
    _keep_optional_computed(type_name, prior, planned)
    paths = _schema_replacements(AZURERM_RESOURCES[type_name], prior, planned, []) + \
        cluster_forced(prior, planned)
    if paths:
        return _replanned(ctx, type_name)
    # the CustomizeDiff's only SetNewComputed
    if isinstance(planned.get("oidc_issuer_enabled"), bool) and \
            planned["oidc_issuer_enabled"] != prior.get("oidc_issuer_enabled"):
        planned["oidc_issuer_url"] = Unknown
    return planned


def cluster_forced(prior: dict, planned: dict) -> list:
    """The replacements the cluster's CustomizeDiff forces (ForceNewIf/ForceNewIfChange),
    and ForceNew fields becoming unknown."""
    paths = _unknown_force_new(AZURERM_RESOURCES["azurerm_kubernetes_cluster"], planned, [])
    # ForceNewIf("default_node_pool.0.name"): unless a failed rotation left the pool under
    # its temporary name and the name goes back
    old_name, new_name, temporary = _pool_names(prior, planned)
    if isinstance(new_name, str) and old_name != new_name and \
            not (old_name and old_name == temporary):
        paths.append(["default_node_pool", 0, "name"])
    old_settings = _first(_first(prior.get("default_node_pool")).get("upgrade_settings"))
    new_settings = _first(_first(planned.get("default_node_pool")).get("upgrade_settings"))
    if old_settings.get("drain_timeout_in_minutes") and \
            not new_settings.get("drain_timeout_in_minutes"):
        paths.append(["default_node_pool", 0, "upgrade_settings", 0, "drain_timeout_in_minutes"])
    if old_settings.get("undrainable_node_behavior") and \
            not new_settings.get("undrainable_node_behavior"):
        paths.append(["default_node_pool", 0, "upgrade_settings", 0,
                      "undrainable_node_behavior"])
    if prior.get("oidc_issuer_enabled") is True and planned.get("oidc_issuer_enabled") is False:
        paths.append(["oidc_issuer_enabled"])
    old_profile = _first(prior.get("api_server_access_profile"))
    new_profile = _first(planned.get("api_server_access_profile"))
    if old_profile.get("subnet_id") and not new_profile.get("subnet_id"):
        paths.append(["api_server_access_profile", 0, "subnet_id"])
    return paths + _network_forced(prior, planned)


def _linux_sku(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("Ubuntu", "AzureLinux"))


def node_pool_plan(ctx: Any, prior: dict | None, planned: dict) -> dict:
    type_name = "azurerm_kubernetes_cluster_node_pool"
    settings = _first(planned.get("upgrade_settings"))
    if settings and not _unknown_in(settings):
        spot = planned.get("priority") == "Spot"
        if spot and _str(settings.get("max_surge")):
            raise ApiError("`max_surge` cannot be set when `priority` is set to `Spot`. Spot "
                           "pools do not support `max_surge`")
        if spot and _str(settings.get("max_unavailable")):
            raise ApiError("`max_unavailable` cannot be set when `priority` is set to `Spot`. "
                           "Spot pools do not support `max_unavailable`")
        if not spot and not _str(settings.get("max_surge")) and \
                not _str(settings.get("max_unavailable")):
            raise ApiError("either `max_surge` or `max_unavailable` must be specified in "
                           "`upgrade_settings` when `priority` is not `Spot`")
    if prior is None:
        return planned
    paths = _schema_replacements(AZURERM_RESOURCES[type_name], prior, planned, []) + \
        node_pool_forced(prior, planned)
    return _replanned(ctx, type_name) if paths else planned


def node_pool_forced(prior: dict, planned: dict) -> list:
    """The replacements the node pool's CustomizeDiff forces, and ForceNew fields becoming
    unknown."""
    paths = _unknown_force_new(AZURERM_RESOURCES["azurerm_kubernetes_cluster_node_pool"],
                               planned, [])
    settings = _first(planned.get("upgrade_settings"))
    old_sku, new_sku = prior.get("os_sku"), planned.get("os_sku")
    if isinstance(new_sku, str) and not _same(old_sku, new_sku) and \
            not (_linux_sku(old_sku) and _linux_sku(new_sku)):
        paths.append(["os_sku"])
    old_settings = _first(prior.get("upgrade_settings"))
    if old_settings.get("drain_timeout_in_minutes") and \
            not settings.get("drain_timeout_in_minutes"):
        paths.append(["upgrade_settings", 0, "drain_timeout_in_minutes"])
    if old_settings.get("undrainable_node_behavior") and \
            not settings.get("undrainable_node_behavior"):
        paths.append(["upgrade_settings", 0, "undrainable_node_behavior"])
    return paths


# --------------------------------------------------------------------------- shared

def _complete(block: Block, value: dict) -> dict:
    """Every attribute (null) and block (empty) of ``block`` that ``value`` lacks."""
    out = {name: value.get(name) for name in block.attrs}
    for name, nested in block.blocks.items():
        items = value.get(name)
        if isinstance(items, list):
            items = [_complete(nested.block, i) if isinstance(i, dict) else i for i in items]
        out[name] = items if items not in (None, Unknown) else []
    return out


def _live(stored: Any, live: Any) -> Any:
    return stored if _same(stored, live) else live


def _known(value: Any, fallback: Any) -> Any:
    return fallback if value is None or value is Unknown else value


def _tags(value: Any) -> dict:
    return {k: v for k, v in value.items() if v is not None} if isinstance(value, dict) else {}


def _import_error(type_name: str, resource_id: str) -> ApiError:
    # helpers/tf.ImportAsExistsError
    return ApiError(f"a resource with the ID {json.dumps(resource_id)} already exists - to be "
                    "managed via Terraform this resource needs to be imported into the State. "
                    f"Please see the resource documentation for {json.dumps(type_name)} for "
                    "more information")


def _group_label(name: str) -> str:
    # commonids.ResourceGroupId.String()
    return f'Resource Group (Subscription: "{az.SUBSCRIPTION_ID}"\nResource Group Name: ' \
           f'"{name}")'


def _cluster_label(group: str, name: str) -> str:
    # commonids.KubernetesClusterId.String()
    return f'Kubernetes Cluster (Subscription: "{az.SUBSCRIPTION_ID}"\nResource Group Name: ' \
           f'"{group}"\nKubernetes Cluster Name: "{name}")'


def _pool_label(group: str, cluster: str, pool: str) -> str:
    # agentpools.AgentPoolId.String()
    return f'Agent Pool (Subscription: "{az.SUBSCRIPTION_ID}"\nResource Group Name: ' \
           f'"{group}"\nManaged Cluster Name: "{cluster}"\nAgent Pool Name: "{pool}")'


def _location_offered(cloud: dict, where: str, resource_type: str) -> None:
    offered = [loc["name"] for loc in az.physical_locations(cloud)
               if resource_type == "resourcegroups" or loc["aks"]]
    if where in offered:
        return
    if resource_type == "resourcegroups":
        raise ArmError(400, "LocationNotAvailableForResourceGroup",
                       f"The provided location '{where}' is not available for resource "
                       f"group. List of available regions is '{','.join(offered)}'.")
    raise ArmError(400, "LocationNotAvailableForResourceType",
                   f"The provided location '{where}' is not available for resource type "
                   f"'Microsoft.ContainerService/managedClusters'. List of available regions "
                   f"for the resource type is '{','.join(offered)}'.")


# --------------------------------------------------------------------------- resource groups

def _group_view(group: dict, state: dict) -> dict:
    out = dict(state)
    out.update(id=group["id"], name=group["name"], location=group["location"],
               tags=_live(state.get("tags"), group["tags"]),
               managed_by=_live(state.get("managed_by"), group.get("managed_by")))
    return out


def resource_group_create(ctx: Any, planned: dict) -> dict:
    name = planned["name"]
    rid = az.resource_group_id(name)
    _caller(ctx, "Microsoft.Resources/subscriptions/resourcegroups/write", rid)
    if az.resource_group(ctx.cloud, name):
        raise _import_error("azurerm_resource_group", rid)
    where = az.normalize_location(planned["location"])
    try:
        _location_offered(ctx.cloud, where, "resourcegroups")
    except ArmError as exc:
        # resourceResourceGroupCreate: fmt.Errorf("creating %q: %+v", id, err)
        raise ApiError(f"creating {json.dumps(_group_label(name))}: performing "
                       f"CreateOrUpdate: {exc.sdk()}") from None
    group = {"id": rid, "name": name, "location": where, "tags": _tags(planned.get("tags")),
             "managed_by": _str(planned.get("managed_by")), "created": az.iso(ctx.cloud["now"])}
    ctx.cloud["azure"]["resource_groups"][name.lower()] = group
    return _group_view(group, planned)


def resource_group_read(ctx: Any, state: dict) -> dict | None:
    _caller(ctx, "Microsoft.Resources/subscriptions/resourcegroups/read", state["id"])
    group = az.resource_group(ctx.cloud, state["name"])
    return _group_view(group, state) if group else None


def resource_group_update(ctx: Any, prior: dict, planned: dict) -> dict:
    _caller(ctx, "Microsoft.Resources/subscriptions/resourcegroups/write", prior["id"])
    group = az.resource_group(ctx.cloud, prior["name"])
    if group is None:
        raise ApiError(f"updating {json.dumps(prior['id'])}: " + ArmError(
            404, "ResourceGroupNotFound",
            f"Resource group '{prior['name']}' could not be found.").sdk())
    group.update(tags=_tags(planned.get("tags")), managed_by=_str(planned.get("managed_by")))
    return _group_view(group, planned)


def _prevent_deletion(config: dict) -> bool:
    features = _first(config.get("features"))
    value = _first(features.get("resource_group")).get("prevent_deletion_if_contains_resources")
    # Default: os.Getenv("TF_ACC") == ""
    return value if isinstance(value, bool) else os.environ.get("TF_ACC", "") == ""


def resource_group_delete(ctx: Any, state: dict) -> None:
    _caller(ctx, "Microsoft.Resources/subscriptions/resourcegroups/delete", state["id"])
    group = az.resource_group(ctx.cloud, state["name"])
    if group is None:
        return
    nested = [c["arm_id"] for c in az.aks_clusters(ctx.cloud)
              if c["resource_group"].lower() == group["name"].lower()]
    if nested and _prevent_deletion(ctx.config):
        listed = "\n".join(sorted(f"* `{i}`" for i in nested))
        # custompollers.resourceGroupContainsItemsError (its ' become `)
        raise ApiError(
            f"deleting Resource Group {json.dumps(group['name'])}: the Resource Group still "
            "contains Resources.\n\nTerraform is configured to check for Resources within the "
            "Resource Group when deleting the Resource Group - and\nraise an error if nested "
            "Resources still exist to avoid unintentionally deleting these Resources.\n\n"
            f"Terraform has detected that the following Resources still exist within the "
            f"Resource Group:\n\n{listed}\n\nThis feature is intended to avoid the "
            "unintentional destruction of nested Resources provisioned through some\nother "
            "means (for example, an ARM Template Deployment) - as such you must either remove "
            "these Resources, or\ndisable this behaviour using the feature flag "
            "`prevent_deletion_if_contains_resources` within the `features`\nblock when "
            "configuring the Provider")
    for cluster in [c for c in az.aks_clusters(ctx.cloud)
                    if c["resource_group"].lower() == group["name"].lower()]:
        ctx.cloud["clusters"].pop(cluster["id"], None)
    ctx.cloud["azure"]["resource_groups"].pop(group["name"].lower(), None)


def resource_group_data(ctx: Any, config: dict) -> dict:
    name = config["name"]
    _caller(ctx, "Microsoft.Resources/subscriptions/resourcegroups/read",
            az.resource_group_id(name))
    group = az.resource_group(ctx.cloud, name)
    if group is None:
        # dataSourceResourceGroupRead: fmt.Errorf("%q was not found", id)
        raise ApiError(f"{json.dumps(_group_label(name))} was not found")
    return _complete(AZURERM_DATA_SOURCES["azurerm_resource_group"], {
        "id": group["id"], "name": name, "location": group["location"],
        "tags": dict(group["tags"]), "managed_by": group.get("managed_by") or ""})


# --------------------------------------------------------------------------- pools

def _pool_record(cloud: dict, cluster_location: str, config: dict, mode: str,
                 version: str) -> dict:
    size = az.vm_size(cloud, cluster_location, _str(config.get("vm_size")) or
                      az.DEFAULT_VM_SIZE)
    auto = config.get("auto_scaling_enabled") is True
    count = config.get("node_count") if isinstance(config.get("node_count"), (int, float)) \
        else 0
    if auto and not count:
        count = config.get("min_count") or 0
    return {
        "name": config["name"], "mode": mode, "vm_size": size["name"], "count": int(count),
        "auto_scaling": auto,
        "min_count": int(config["min_count"]) if auto and config.get("min_count") else None,
        "max_count": int(config["max_count"]) if auto and config.get("max_count") else None,
        "labels": dict(config.get("node_labels") or {})
        if isinstance(config.get("node_labels"), dict) else {},
        "taints": list(config.get("node_taints") or [])
        if isinstance(config.get("node_taints"), list) else [],
        "tags": _tags(config.get("tags")), "orchestrator_version": version,
        "current_orchestrator_version": version, "node_image_version": az.NODE_IMAGE,
        "os_type": _str(config.get("os_type")) or "Linux",
        "os_sku": _str(config.get("os_sku")) or "Ubuntu",
        "os_disk_size_gb": int(config["os_disk_size_gb"])
        if isinstance(config.get("os_disk_size_gb"), (int, float)) else 128,
        "kubelet_disk_type": _str(config.get("kubelet_disk_type")) or "OS",
        "max_pods": int(config["max_pods"]) if isinstance(config.get("max_pods"), (int, float))
        else 250,
        "workload_runtime": _str(config.get("workload_runtime")) or "OCIContainer",
        "zones": sorted(config.get("zones") or []) if isinstance(config.get("zones"), list)
        else [],
    }


def _check_pool(cloud: dict, cluster: dict, config: dict, label: str, system: bool) -> None:
    """What AKS's CreateOrUpdate of an agent pool checks that the fake knows of."""
    size = _str(config.get("vm_size")) or az.DEFAULT_VM_SIZE
    if az.vm_size(cloud, cluster["location"], size) is None:
        raise az.vm_size_not_allowed(label, cluster["location"])
    count = config.get("node_count")
    if system and config.get("auto_scaling_enabled") is not True and \
            isinstance(count, (int, float)) and count < 1:
        # AKS's wording is close to this, not known exactly
        raise ArmError(400, "InvalidParameter",
                       f"The value of parameter agentPoolProfile.count is invalid. Please see "
                       "https://aka.ms/aks-naming-rules for more details.")


def _pool_versions(cloud: dict, cluster: dict) -> list:
    """GetAvailableAgentPoolVersions: the location's versions up to the control plane's."""
    top = az._tuple(cluster["current_version"])[:2]
    return [v["version"] for v in az.aks_versions(cloud, cluster["location"])
            if az._tuple(v["version"])[:2] <= top]


def _check_pool_version(cloud: dict, cluster: dict, pool: str, current: str,
                        wanted: str) -> None:
    """validateNodePoolSupportsVersion (kubernetes_cluster_validate.go)."""
    if current == wanted:
        return
    available = _pool_versions(cloud, cluster)
    if any(v == wanted or v.rsplit(".", 1)[0] == wanted for v in available):
        return
    listed = "\n".join(f" * {v}" for v in available)
    raise ApiError(
        f"\nThe Kubernetes/Orchestrator Version {json.dumps(wanted)} is not available for Node "
        f"Pool {json.dumps(pool)}.\n\nPlease confirm that this version is supported by the "
        f"Kubernetes Cluster {json.dumps(cluster['name'])}\n(Resource Group "
        f"{json.dumps(cluster['resource_group'])}) - which may need to be upgraded first.\n\n"
        f"The Kubernetes Cluster is running version {json.dumps(cluster['current_version'])}."
        f"\n\nThe supported Orchestrator Versions for this Node Pool/supported by this "
        f"Kubernetes Cluster are:\n{listed}\n\nNode Pools cannot use a version of Kubernetes "
        "that is not supported on the Control Plane. More\ndetails can be found at "
        "https://aka.ms/version-skew-policy")


def _autoscale_errors(config: dict, new: bool, default_pool: bool) -> None:
    """ExpandDefaultNodePool's (default pool) / the node pool resource's checks."""
    auto = config.get("auto_scaling_enabled") is True
    count = int(config.get("node_count") or 0) if not _unknown_in(config.get("node_count")) \
        else 0
    low, high = int(config.get("min_count") or 0), int(config.get("max_count") or 0)
    if auto:
        if default_pool and not count:
            count = low
        if not high:
            raise ApiError("`max_count` must be configured when `auto_scaling_enabled` is set "
                           "to `true`")
        if default_pool and new and high < count:
            raise ApiError(f"`node_count`({count}) must be equal to or less than `max_count`"
                           f"({high}) when `auto_scaling_enabled` is set to `true`")
        if not low and default_pool:
            raise ApiError("`min_count` must be configured when `auto_scaling_enabled` is set "
                           "to `true`")
        if default_pool and new and low > count:
            raise ApiError(f"`node_count`({count}) must be equal to or greater than "
                           f"`min_count`({low}) when `auto_scaling_enabled` is set to `true`")
        if low > high:
            raise ApiError("`max_count` must be >= `min_count`")
    elif low > 0 or high > 0:
        if default_pool:
            raise ApiError(f"`max_count`({high}) and `min_count`({low}) must be set to `null` "
                           "when `auto_scaling_enabled` is set to `false`")
        raise ApiError("`max_count` and `min_count` must be set to `null` when "
                       "auto_scaling_enabled is set to `false`")


def _pool_block_view(pool: dict, state: dict, block: Block) -> dict:
    """A pool as the provider flattens it, over what the state/plan had."""
    out = _complete(block, state)
    out.update(
        name=pool["name"], vm_size=pool["vm_size"],
        node_count=pool["count"], orchestrator_version=pool["orchestrator_version"],
        node_labels=_live(state.get("node_labels"), pool["labels"])
        if state.get("node_labels") is not Unknown else dict(pool["labels"]),
        tags=_live(state.get("tags"), pool["tags"]),
        os_sku=_known(state.get("os_sku"), pool["os_sku"]),
        os_disk_size_gb=_known(state.get("os_disk_size_gb"), pool["os_disk_size_gb"]),
        kubelet_disk_type=_known(state.get("kubelet_disk_type"), pool["kubelet_disk_type"]),
        max_pods=_known(state.get("max_pods"), pool["max_pods"]))
    if "workload_runtime" in block.attrs and block.attrs["workload_runtime"].computed:
        out["workload_runtime"] = _known(state.get("workload_runtime"), pool["workload_runtime"])
    for key, live in (("min_count", pool["min_count"]), ("max_count", pool["max_count"]),
                      ("auto_scaling_enabled", pool["auto_scaling"] or None)):
        out[key] = _live(state.get(key), live)
    if "node_taints" in block.attrs:
        out["node_taints"] = _live(state.get("node_taints"), pool["taints"])
    if "node_image_version" in block.attrs:
        out["node_image_version"] = pool["node_image_version"]
    return out


# --------------------------------------------------------------------------- clusters

_CYCLE_DEFAULT_POOL = (
    "default_node_pool.0.name", "default_node_pool.0.host_encryption_enabled",
    "default_node_pool.0.node_public_ip_enabled", "default_node_pool.0.fips_enabled",
    "default_node_pool.0.kubelet_config", "default_node_pool.0.kubelet_disk_type",
    "default_node_pool.0.linux_os_config", "default_node_pool.0.max_pods",
    "default_node_pool.0.only_critical_addons_enabled", "default_node_pool.0.os_disk_size_gb",
    "default_node_pool.0.os_disk_type", "default_node_pool.0.pod_subnet_id",
    "default_node_pool.0.snapshot_id", "default_node_pool.0.ultra_ssd_enabled",
    "default_node_pool.0.vnet_subnet_id", "default_node_pool.0.vm_size",
    "default_node_pool.0.zones")
_CYCLE_POOL = ("fips_enabled", "host_encryption_enabled", "kubelet_config",
               "kubelet_disk_type", "linux_os_config", "max_pods", "node_public_ip_enabled",
               "os_disk_size_gb", "os_disk_type", "pod_subnet_id", "snapshot_id",
               "ultra_ssd_enabled", "vm_size", "vnet_subnet_id", "zones")


def _go_strings(values: tuple) -> str:
    """Go's %q of a []string."""
    return "[" + " ".join(json.dumps(v) for v in values) + "]"


def _oidc_url(cluster: dict) -> str:
    return (f"https://{cluster['location']}.oic.prod-aks.azure.com/{az.TENANT_ID}/"
            f"{az._uuid('oidc', cluster['arm_id'])}/")


def _network_profile(cluster: dict) -> dict:
    """What AKS sets up when no network_profile is given (Azure CNI Overlay)."""
    block = AZURERM_RESOURCES["azurerm_kubernetes_cluster"].blocks["network_profile"].block
    outbound_ip = f"{az.resource_group_id(cluster['node_resource_group'])}/providers/" \
                  f"Microsoft.Network/publicIPAddresses/{az._uuid('ip', cluster['arm_id'])}"
    lb = _complete(block.blocks["load_balancer_profile"].block, {
        "outbound_ports_allocated": 0, "idle_timeout_in_minutes": 30,
        "managed_outbound_ip_count": 1, "managed_outbound_ipv6_count": 0,
        "outbound_ip_prefix_ids": [], "outbound_ip_address_ids": [],
        "effective_outbound_ips": [outbound_ip], "backend_pool_type": "NodeIPConfiguration"})
    return _complete(block, {
        "network_plugin": "azure", "network_plugin_mode": "overlay", "network_mode": "",
        "network_policy": "", "network_data_plane": "azure", "dns_service_ip": "10.0.0.10",
        "pod_cidr": "10.244.0.0/16", "pod_cidrs": ["10.244.0.0/16"],
        "service_cidr": "10.0.0.0/16", "service_cidrs": ["10.0.0.0/16"],
        "load_balancer_sku": "standard", "outbound_type": "loadBalancer",
        "ip_versions": ["IPv4"], "load_balancer_profile": [lb], "nat_gateway_profile": []})


def _cluster_view(cloud: dict, cluster: dict, state: dict) -> dict:
    block = AZURERM_RESOURCES["azurerm_kubernetes_cluster"]
    out = dict(state)
    pool_block = block.blocks["default_node_pool"].block
    default = cluster["pools"][cluster["default_pool"]]
    pool_state = dict(_first(state.get("default_node_pool")))
    identity = [dict(_complete(block.blocks["identity"].block, i),
                     principal_id=cluster["identity"]["principal_id"],
                     tenant_id=az.TENANT_ID)
                for i in (state.get("identity") or []) if isinstance(i, dict)]
    out.update(
        id=cluster["arm_id"], name=cluster["name"],
        resource_group_name=state.get("resource_group_name") or cluster["resource_group"],
        location=cluster["location"],
        fqdn=cluster["fqdn"], portal_fqdn=cluster["portal_fqdn"], private_fqdn="",
        kubernetes_version=cluster["version"],
        current_kubernetes_version=cluster["current_version"],
        node_resource_group=cluster["node_resource_group"],
        node_resource_group_id=az.resource_group_id(cluster["node_resource_group"]),
        oidc_issuer_enabled=cluster["oidc_issuer_enabled"],
        oidc_issuer_url=_oidc_url(cluster) if cluster["oidc_issuer_enabled"] else "",
        sku_tier=cluster["sku_tier"], tags=_live(state.get("tags"), cluster["tags"]),
        http_application_routing_zone_name=None,
        default_node_pool=[_pool_block_view(default, pool_state, pool_block)],
        identity=identity,
        kube_config=[az.kube_config_block(cluster, "clusterUser")],
        kube_config_raw=az.kubeconfig(cluster, "clusterUser"),
        # only with Entra ID (AAD) integration and local accounts on
        kube_admin_config=[az.kube_config_block(cluster, "clusterAdmin")]
        if cluster.get("aad") and not cluster.get("local_account_disabled") else [],
        kube_admin_config_raw=az.kubeconfig(cluster, "clusterAdmin")
        if cluster.get("aad") and not cluster.get("local_account_disabled") else None)
    defaults = {
        "kubelet_identity": [{"client_id": cluster["kubelet_identity"]["client_id"],
                              "object_id": cluster["kubelet_identity"]["object_id"],
                              "user_assigned_identity_id": cluster["kubelet_identity"]["id"]}],
        "network_profile": [_network_profile(cluster)],
        "bootstrap_profile": [{"artifact_source": "Direct", "container_registry_id": None}],
        "node_provisioning_profile": [{"mode": "Manual", "default_node_pools": "Auto"}],
        "auto_scaler_profile": [_complete(block.blocks["auto_scaler_profile"].block, {
            "balance_similar_node_groups": False, "expander": "random",
            "max_graceful_termination_sec": "600", "max_node_provisioning_time": "15m",
            "max_unready_nodes": 3, "max_unready_percentage": 45,
            "new_pod_scale_up_delay": "0s", "scan_interval": "10s",
            "scale_down_delay_after_add": "10m", "scale_down_delay_after_delete": "10s",
            "scale_down_delay_after_failure": "3m", "scale_down_unneeded": "10m",
            "scale_down_unready": "20m", "scale_down_utilization_threshold": "0.5",
            "empty_bulk_delete_max": "10", "skip_nodes_with_local_storage": False,
            "skip_nodes_with_system_pods": True,
            "daemonset_eviction_for_empty_nodes_enabled": False,
            "daemonset_eviction_for_occupied_nodes_enabled": True,
            "ignore_daemonsets_utilization_enabled": False})],
        "windows_profile": [],
    }
    for name, value in defaults.items():
        if out.get(name) in (None, [], Unknown) or _unknown_in(out.get(name)):
            out[name] = value
    network = out["network_profile"][0] if out["network_profile"] else None
    if isinstance(network, dict):
        for key, value in _network_profile(cluster).items():
            if network.get(key) is Unknown or (network.get(key) is None and key in (
                    "load_balancer_profile", "nat_gateway_profile")):
                network[key] = value
    for name, nested in block.blocks.items():
        if out.get(name) is None:
            out[name] = []
    return out


def _cluster_of(ctx: Any, state: dict) -> dict | None:
    return az.aks_cluster(ctx.cloud, state["resource_group_name"], state["name"])


def _default_pool_checks(planned: dict, new: bool) -> dict:
    pool = _first(planned.get("default_node_pool"))
    try:
        _autoscale_errors(pool, new, default_pool=True)
    except ApiError as exc:
        raise ApiError(f"expanding `default_node_pool`: {exc}") from None
    return pool


def cluster_create(ctx: Any, planned: dict) -> dict:
    cloud = ctx.cloud
    group, name = planned["resource_group_name"], planned["name"]
    arm_id = az.cluster_id(group, name)
    app = _caller(ctx, "Microsoft.ContainerService/managedClusters/write", arm_id)
    if az.aks_cluster(cloud, group, name):
        raise _import_error("azurerm_kubernetes_cluster", arm_id)
    where = az.normalize_location(planned["location"])
    version = _str(planned.get("kubernetes_version"))
    pool = _default_pool_checks(planned, new=True)
    pool_version = _str(pool.get("orchestrator_version"))
    if version and pool_version and version != pool_version:
        raise ApiError(f"version mismatch between the control plane running {version} and "
                       f"default node pool running {pool_version}, they must use the same "
                       "kubernetes versions")
    if not planned.get("identity") and not planned.get("service_principal"):
        raise ApiError("either an `identity` or `service_principal` block must be specified "
                       "for cluster authentication")
    if not planned.get("private_cluster_enabled") and not _str(planned.get("dns_prefix")):
        raise ApiError("`dns_prefix` should be set if it is not a private cluster")
    aad = bool(planned.get("azure_active_directory_role_based_access_control"))
    doing = f"creating {_cluster_label(group, name)}: performing CreateOrUpdate"
    try:
        if az.resource_group(cloud, group) is None:
            raise ArmError(404, "ResourceGroupNotFound",
                           f"Resource group '{group}' could not be found.")
        _location_offered(cloud, where, "managedClusters")
        resolved = az.resolve_version(cloud, where, version or pool_version)
        if resolved is None:
            raise az.version_not_supported(version or pool_version)
        cluster_stub = {"location": where}
        _check_pool(cloud, cluster_stub, pool, pool["name"], system=True)
        if planned.get("local_account_disabled") is True and not aad:
            # AKS's wording is close to this, not known exactly
            raise ArmError(400, "BadRequest", "Local accounts can only be disabled for "
                                              "Entra ID (AAD) enabled clusters.")
    except ArmError as exc:
        az.log_call(cloud, "Microsoft.ContainerService/managedClusters/write", app["name"],
                    exc.code)
        raise ApiError(f"{doing}: {exc.sdk()}") from None
    cid = clouds.next_id(cloud, "aks")  # a new cluster, even of an old name, is empty
    dns_prefix = planned["dns_prefix"]
    fqdn = az.new_fqdn(dns_prefix, where)
    node_group = _str(planned.get("node_resource_group")) or f"MC_{group}_{name}_{where}"
    oidc = planned.get("oidc_issuer_enabled")
    if not isinstance(oidc, bool):
        # 4.x leaves it to AKS: on by default from Kubernetes 1.34
        oidc = az._tuple(resolved)[:2] >= (1, 34)
    kubelet_name = f"{name}-agentpool"
    cluster = {
        "id": cid, "kind": "aks", "name": name, "resource_group": group, "location": where,
        "arm_id": arm_id, "dns_prefix": dns_prefix, "fqdn": fqdn,
        "endpoint": f"https://{fqdn}:443",
        "portal_fqdn": fqdn.replace(".hcp.", ".portal.hcp."),
        "version": version or pool_version or resolved, "current_version": resolved,
        "sku_tier": planned.get("sku_tier") or "Free", "tags": _tags(planned.get("tags")),
        "node_resource_group": node_group, "oidc_issuer_enabled": oidc, "aad": aad,
        "local_account_disabled": planned.get("local_account_disabled") is True,
        "identity": {"type": _first(planned.get("identity")).get("type") or "SystemAssigned",
                     "principal_id": az._uuid("principal", arm_id, cid)},
        "kubelet_identity": {
            "client_id": az._uuid("kubelet-client", arm_id, cid),
            "object_id": az._uuid("kubelet-object", arm_id, cid),
            "id": f"{az.resource_group_id(node_group)}/providers/Microsoft.ManagedIdentity/"
                  f"userAssignedIdentities/{kubelet_name}"},
        "created_at": az.iso(cloud["now"]), "creator": app["name"],
        "default_pool": pool["name"], "pools": {},
    }
    cluster["pools"][pool["name"]] = _pool_record(cloud, where, pool, "System", resolved)
    az.issue_credentials(cloud, cluster)
    cloud["clusters"][cid] = cluster
    return _cluster_view(cloud, cluster, planned)


def cluster_read(ctx: Any, state: dict) -> dict | None:
    _caller(ctx, "Microsoft.ContainerService/managedClusters/read", state["id"])
    cluster = _cluster_of(ctx, state)
    if cluster is None:
        return None
    _caller(ctx, "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
            state["id"])
    return _cluster_view(ctx.cloud, cluster, state)


def _changed(prior: dict, planned: dict, key: str) -> bool:
    """ResourceData.HasChange of a dotted key (``default_node_pool.0.vm_size``)."""
    def get(value: Any, parts: list) -> Any:
        for part in parts:
            if isinstance(value, list):
                value = value[int(part)] if part.isdigit() and int(part) < len(value) else None
            elif isinstance(value, dict):
                value = value.get(part)
            else:
                return None
        return value
    parts = key.split(".")
    new = get(planned, parts)
    return new is not Unknown and not _same(get(prior, parts), new)


def _upgrade(cloud: dict, cluster: dict, wanted: str) -> None:
    """The control plane's version update (a managedClusters PUT)."""
    resolved = az.resolve_version(cloud, cluster["location"], wanted)
    if resolved is None:
        raise az.version_not_supported(wanted)
    current = az._tuple(cluster["current_version"])
    target = az._tuple(resolved)
    # AKS's wording is close to this, not known exactly
    if target[:2] < current[:2] or target[:2] > (current[0], current[1] + 1):
        upgrades = [v["version"] for v in az.aks_versions(cloud, cluster["location"])
                    if current < az._tuple(v["version"]) and
                    az._tuple(v["version"])[:2] <= (current[0], current[1] + 1)]
        raise ArmError(400, "UpgradeNotAllowed" if target > current else "NotAllowedDowngrade",
                       f"Upgrading Kubernetes version {cluster['current_version']} to "
                       f"{resolved} is not allowed. Available upgrades: "
                       f"{','.join(upgrades) or 'none'}")
    cluster.update(version=wanted, current_version=resolved)


def _update_pool(cloud: dict, cluster: dict, pool: dict, config: dict, label: str) -> None:
    """An agent pool's CreateOrUpdate with the new configuration."""
    wanted = _str(config.get("orchestrator_version"))
    if wanted and wanted != pool["orchestrator_version"]:
        resolved = az.resolve_version(cloud, cluster["location"], wanted) or wanted
        if az._tuple(resolved)[:2] > az._tuple(cluster["current_version"])[:2]:
            # AKS's NodePoolMcVersionIncompatible
            raise ArmError(400, "NodePoolMcVersionIncompatible",
                           f"Node pool version {resolved} and control plane version "
                           f"{cluster['current_version']} are incompatible. Minor version of "
                           f"node pool version {az._tuple(resolved)[1]} is bigger than control "
                           f"plane version {az._tuple(cluster['current_version'])[1]}. For more "
                           "information, please check https://aka.ms/aks/UpgradeVersionRules")
        pool.update(orchestrator_version=wanted, current_orchestrator_version=resolved)
    size = _str(config.get("vm_size"))
    if size and size.lower() != pool["vm_size"].lower():
        if az.vm_size(cloud, cluster["location"], size) is None:
            raise az.vm_size_not_allowed(label, cluster["location"])
        pool["vm_size"] = az.vm_size(cloud, cluster["location"], size)["name"]
    auto = config.get("auto_scaling_enabled") is True
    count = config.get("node_count")
    if isinstance(count, (int, float)) and not auto:
        pool["count"] = int(count)
    pool.update(
        auto_scaling=auto,
        min_count=int(config["min_count"]) if auto and config.get("min_count") else None,
        max_count=int(config["max_count"]) if auto and config.get("max_count") else None,
        tags=_tags(config.get("tags")))
    if auto:
        pool["count"] = min(max(pool["count"], pool["min_count"] or 0),
                            pool["max_count"] or pool["count"])
    if isinstance(config.get("node_labels"), dict):
        pool["labels"] = dict(config["node_labels"])
    if "node_taints" in config:
        pool["taints"] = list(config.get("node_taints") or [])
    for key in ("os_disk_size_gb", "max_pods"):
        if isinstance(config.get(key), (int, float)):
            pool[key] = int(config[key])


def cluster_update(ctx: Any, prior: dict, planned: dict) -> dict:
    cloud = ctx.cloud
    arm_id = prior["id"]
    app = _caller(ctx, "Microsoft.ContainerService/managedClusters/write", arm_id)
    cluster = _cluster_of(ctx, prior)
    label = _cluster_label(prior["resource_group_name"], prior["name"])
    if cluster is None:
        raise ApiError(f"retrieving existing {label}: " + ArmError(
            404, "ResourceNotFound",
            f"The Resource 'Microsoft.ContainerService/managedClusters/{prior['name']}' under "
            f"resource group '{prior['resource_group_name']}' was not found.").sdk())
    doing = f"updating {label}"
    try:
        cluster.update(tags=_tags(planned.get("tags")),
                       sku_tier=planned.get("sku_tier") or cluster["sku_tier"],
                       aad=bool(planned.get("azure_active_directory_role_based_access_control")))
        if isinstance(planned.get("local_account_disabled"), bool):
            if planned["local_account_disabled"] and not cluster["aad"]:
                raise ArmError(400, "BadRequest", "Local accounts can only be disabled for "
                                                  "Entra ID (AAD) enabled clusters.")
            cluster["local_account_disabled"] = planned["local_account_disabled"]
        if isinstance(planned.get("oidc_issuer_enabled"), bool):
            cluster["oidc_issuer_enabled"] = planned["oidc_issuer_enabled"]
        if _changed(prior, planned, "kubernetes_version"):
            doing = f"updating Kubernetes Version for {label}"
            _upgrade(cloud, cluster, planned["kubernetes_version"])
    except ArmError as exc:
        az.log_call(cloud, "Microsoft.ContainerService/managedClusters/write", app["name"],
                    exc.code)
        raise ApiError(f"{doing}: performing CreateOrUpdate: {exc.sdk()}") from None
    if _changed(prior, planned, "default_node_pool"):
        pool_config = _default_pool_checks(planned, new=False)
        if _changed(prior, planned, "default_node_pool.0.node_count") and \
                pool_config.get("auto_scaling_enabled") is True:
            raise ApiError("expanding `default_node_pool`: cannot change `node_count` when "
                           "`auto_scaling_enabled` is set to `true`")
        pool = cluster["pools"][cluster["default_pool"]]
        name = pool_config["name"]
        pool_label = _pool_label(cluster["resource_group"], cluster["name"], name)
        wanted = _str(pool_config.get("orchestrator_version"))
        if wanted:
            _check_pool_version(cloud, cluster, name, pool["orchestrator_version"], wanted)
        cycle = any(_changed(prior, planned, key) for key in _CYCLE_DEFAULT_POOL)
        old_sku, new_sku = (_first(x.get("default_node_pool")).get("os_sku")
                            for x in (prior, planned))
        if isinstance(new_sku, str) and not _same(old_sku, new_sku) and \
                not (_linux_sku(old_sku) and _linux_sku(new_sku)):
            cycle = True
        try:
            if cycle:
                temporary = _str(pool_config.get("temporary_name_for_rotation"))
                if not temporary:
                    raise ApiError("`temporary_name_for_rotation` must be specified when "
                                   "updating any of the following properties "
                                   f"{_go_strings(_CYCLE_DEFAULT_POOL)}")
                # a temporary system pool, the old default pool deleted, the new one
                # created, the temporary one deleted
                for step in (f"agentPools/{temporary}/write", f"agentPools/{pool['name']}/delete",
                             f"agentPools/{name}/write", f"agentPools/{temporary}/delete"):
                    az.log_call(cloud, f"Microsoft.ContainerService/managedClusters/{step}",
                                app["name"])
                fresh = _pool_record(cloud, cluster["location"], {
                    **pool_config, "vm_size": pool_config.get("vm_size") or pool["vm_size"]},
                    "System", pool["current_orchestrator_version"])
                if az.vm_size(cloud, cluster["location"], fresh["vm_size"]) is None:
                    raise az.vm_size_not_allowed(name, cluster["location"])
                del cluster["pools"][pool["name"]]
                cluster["pools"][name] = pool = fresh
                cluster["default_pool"] = name
            _update_pool(cloud, cluster, pool, pool_config, name)
        except ArmError as exc:
            raise ApiError(f"updating Default Node Pool {pool_label} performing "
                           f"CreateOrUpdate: {exc.sdk()}") from None
    return _cluster_view(cloud, cluster, planned)


def cluster_delete(ctx: Any, state: dict) -> None:
    _caller(ctx, "Microsoft.ContainerService/managedClusters/delete", state["id"])
    cluster = _cluster_of(ctx, state)
    if cluster is not None:  # its agent pools go with it
        ctx.cloud["clusters"].pop(cluster["id"], None)
        ctx.cloud["objects"].pop(cluster["id"], None)


# --------------------------------------------------------------------------- node pools

def _parse_cluster_id(value: str) -> tuple[str, str]:
    match = _CLUSTER_ID.fullmatch(value)
    if not match:
        raise ApiError(f"parsing {json.dumps(value)} as an Cluster ID: the number of segments "
                       "didn't match")
    return match.group(2), match.group(3)


def _pool_view(cluster: dict, pool: dict, state: dict) -> dict:
    block = AZURERM_RESOURCES["azurerm_kubernetes_cluster_node_pool"]
    out = _pool_block_view(pool, state, block)
    out.update(id=f"{cluster['arm_id']}/agentPools/{pool['name']}",
               kubernetes_cluster_id=state.get("kubernetes_cluster_id") or cluster["arm_id"],
               mode=_live(state.get("mode"), pool["mode"]))
    return out


def _pool_of(ctx: Any, state: dict) -> tuple[dict | None, dict | None]:
    group, name = _parse_cluster_id(state["kubernetes_cluster_id"])
    cluster = az.aks_cluster(ctx.cloud, group, name)
    if cluster is None:
        return None, None
    return cluster, cluster["pools"].get(state["name"])


def node_pool_create(ctx: Any, planned: dict) -> dict:
    cloud = ctx.cloud
    group, cluster_name = _parse_cluster_id(planned["kubernetes_cluster_id"])
    name = planned["name"]
    app = _caller(ctx, "Microsoft.ContainerService/managedClusters/agentPools/write",
                  f"{az.cluster_id(group, cluster_name)}/agentPools/{name}")
    cluster = az.aks_cluster(cloud, group, cluster_name)
    if cluster is None:
        raise ApiError(f"{_cluster_label(group, cluster_name)} was not found")
    pool_id = f"{cluster['arm_id']}/agentPools/{name}"
    if name in cluster["pools"]:
        raise _import_error("azurerm_kubernetes_cluster_node_pool", pool_id)
    if planned.get("priority") != "Spot" and _str(planned.get("eviction_policy")):
        raise ApiError("`eviction_policy` can only be set when `priority` is set to `Spot`")
    if planned.get("priority") != "Spot" and planned.get("spot_max_price") not in (None, -1):
        raise ApiError("`spot_max_price` can only be set when `priority` is set to `Spot`")
    version = _str(planned.get("orchestrator_version"))
    if version:
        _check_pool_version(cloud, cluster, name, "", version)
    _autoscale_errors(planned, True, default_pool=False)
    label = _pool_label(cluster["resource_group"], cluster["name"], name)
    try:
        _check_pool(cloud, cluster, planned, name, system=planned.get("mode") == "System")
        resolved = az.resolve_version(cloud, cluster["location"], version) if version \
            else cluster["current_version"]
        if resolved is None:
            raise az.version_not_supported(version)
        if az._tuple(resolved)[:2] > az._tuple(cluster["current_version"])[:2]:
            raise ArmError(400, "NodePoolMcVersionIncompatible",
                           f"Node pool version {resolved} and control plane version "
                           f"{cluster['current_version']} are incompatible.")
    except ArmError as exc:
        az.log_call(cloud, "Microsoft.ContainerService/managedClusters/agentPools/write",
                    app["name"], exc.code)
        raise ApiError(f"creating {label}: performing CreateOrUpdate: {exc.sdk()}") from None
    pool = _pool_record(cloud, cluster["location"], planned,
                        _str(planned.get("mode")) or "User", resolved)
    pool["orchestrator_version"] = version or resolved
    cluster["pools"][name] = pool
    return _pool_view(cluster, pool, planned)


def node_pool_read(ctx: Any, state: dict) -> dict | None:
    _caller(ctx, "Microsoft.ContainerService/managedClusters/agentPools/read", state["id"])
    cluster, pool = _pool_of(ctx, state)
    return _pool_view(cluster, pool, state) if pool else None


def node_pool_update(ctx: Any, prior: dict, planned: dict) -> dict:
    cloud = ctx.cloud
    app = _caller(ctx, "Microsoft.ContainerService/managedClusters/agentPools/write",
                  prior["id"])
    cluster, pool = _pool_of(ctx, prior)
    group, cluster_name = _parse_cluster_id(prior["kubernetes_cluster_id"])
    label = _pool_label(group, cluster_name, prior["name"])
    if pool is None:
        raise ApiError(f"{label} was not found")
    wanted = _str(planned.get("orchestrator_version"))
    if wanted and _changed(prior, planned, "orchestrator_version"):
        _check_pool_version(cloud, cluster, pool["name"], pool["current_orchestrator_version"],
                            wanted)
    _autoscale_errors(planned, False, default_pool=False)
    cycle = any(_changed(prior, planned, key) for key in _CYCLE_POOL)
    try:
        if cycle:
            temporary = _str(planned.get("temporary_name_for_rotation"))
            if not temporary:
                raise ApiError("`temporary_name_for_rotation` must be specified when updating "
                               f"any of the following properties {_go_strings(_CYCLE_POOL)}")
            for step in (f"agentPools/{temporary}/write", f"agentPools/{pool['name']}/delete",
                         f"agentPools/{pool['name']}/write", f"agentPools/{temporary}/delete"):
                az.log_call(cloud, f"Microsoft.ContainerService/managedClusters/{step}",
                            app["name"])
        _update_pool(cloud, cluster, pool, planned, pool["name"])
        if isinstance(planned.get("mode"), str):
            pool["mode"] = planned["mode"]
    except ArmError as exc:
        raise ApiError(f"updating Node Pool {label}: performing CreateOrUpdate: "
                       f"{exc.sdk()}") from None
    return _pool_view(cluster, pool, planned)


def node_pool_delete(ctx: Any, state: dict) -> None:
    _caller(ctx, "Microsoft.ContainerService/managedClusters/agentPools/delete", state["id"])
    cluster, pool = _pool_of(ctx, state)
    if pool is not None:
        del cluster["pools"][pool["name"]]


# --------------------------------------------------------------------------- data sources

def versions_data(ctx: Any, config: dict) -> dict:
    """dataSourceKubernetesServiceVersionsRead: prefix and preview filters, the newest
    (go-version order) as latest_version and of the defaults as default_version, both
    "0.0.0" when nothing qualifies."""
    where = az.normalize_location(config["location"])
    lid = f"/subscriptions/{az.SUBSCRIPTION_ID}/providers/Microsoft.ContainerService/" \
          f"locations/{where}"
    _caller(ctx, "Microsoft.ContainerService/locations/orchestrators/read", lid)
    if where not in ctx.cloud["azure"]["versions"]:
        # ListOrchestrators answers 404 for a location without AKS (wording the provider's)
        raise ApiError(f"no Kubernetes Service versions found for location {json.dumps(where)}")
    prefix = config.get("version_prefix") or ""
    preview = config.get("include_preview")
    preview = True if preview is None else preview
    versions, latest, default = [], (0, 0, 0), (0, 0, 0)
    for entry in az.aks_versions(ctx.cloud, where):
        if not entry["version"].startswith(prefix) or (entry["preview"] and not preview):
            continue
        versions.append(entry["version"])
        latest = max(latest, az._tuple(entry["version"]))
        if entry["default"]:
            default = max(default, az._tuple(entry["version"]))
    return {"id": lid, "location": where,
        "version_prefix": config.get("version_prefix"), "include_preview": preview,
        "versions": versions, "latest_version": ".".join(map(str, latest)),
        "default_version": ".".join(map(str, default))}


def location_data(ctx: Any, config: dict) -> dict:
    """LocationDataSource.Read: ListLocations, the physical region of that name."""
    sub = f"/subscriptions/{az.SUBSCRIPTION_ID}"
    _caller(ctx, "Microsoft.Resources/subscriptions/locations/read", sub)
    where = az.normalize_location(config["location"])
    found = az.location(ctx.cloud, where)
    if found is None:
        raise ApiError(f"no location was found for {json.dumps(where)}")
    return {"id": f"{sub}/locations/{where}", "location": where,
            "display_name": found["display_name"],
            "zone_mappings": copy.deepcopy(found["zone_mappings"])}


# --------------------------------------------------------------------------- the table

BEHAVIOUR_AZURE: dict[str, dict[str, Callable]] = {
    "azurerm_resource_group": dict(
        create=resource_group_create, read=resource_group_read, update=resource_group_update,
        delete=resource_group_delete, plan=resource_group_plan,
        replace=lambda prior, planned: _unknown_force_new(
            AZURERM_RESOURCES["azurerm_resource_group"], planned, []),
        validate=resource_group_validate, data=resource_group_data),
    "azurerm_kubernetes_cluster": dict(
        create=cluster_create, read=cluster_read, update=cluster_update, delete=cluster_delete,
        plan=cluster_plan, replace=cluster_forced, validate=cluster_validate),
    "azurerm_kubernetes_cluster_node_pool": dict(
        create=node_pool_create, read=node_pool_read, update=node_pool_update,
        delete=node_pool_delete, plan=node_pool_plan, replace=node_pool_forced,
        validate=node_pool_validate),
    "azurerm_kubernetes_service_versions": dict(data=versions_data, validate=versions_validate),
    "azurerm_location": dict(data=location_data, validate=location_validate),
}
#: Provider name -> its ConfigureProvider behaviour.
CONFIGURE = {"azurerm": configure}
