"""The hashicorp/aws stand-in's behaviour (6.58.0), merged into ``standin.BEHAVIOUR``.

Per type: ``validate`` (the SDK's ValidateFuncs that matter), ``plan`` (what
the provider's CustomizeDiff and the SDK do at plan time: the injected
``region``, ``tags_all`` from ``default_tags``, Optional+Computed blocks kept
from state or unknown on create), and ``create``/``read``/``update``/``delete``
or ``data`` against the fake account in ``cloud["aws"]`` (``cloud_aws``).
``configure`` is the provider's own ConfigureProvider: region validation, the
credential chain, and STS GetCallerIdentity, failing with the provider's words.

Views set only computed attributes and keep every other one as the plan or
state had it (null stays null), as the SDK's shims leave them equal; values
the API owns (versions, scaling, labels) follow the cloud, so drift shows.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import uuid
from typing import Any, Callable

from tf.types import Unknown

import cloud as clouds
import cloud_aws as aws
from cloud import ApiError
from cloud_aws import ACCOUNT, AwsError
from schemas import Block
from schemas_aws import AWS_DATA_SOURCES, AWS_RESOURCES, OPTIONAL_COMPUTED_BLOCKS


class ProviderError(ApiError):
    """A diagnostic with a summary and a detail."""

    def __init__(self, summary: str, detail: str = "") -> None:
        super().__init__(summary)
        self.detail = detail


NO_CREDENTIALS_DETAIL = (
    "Please see https://registry.terraform.io/providers/hashicorp/aws\n"
    "for more information about providing credentials.\n\n"
    "Error: failed to refresh cached credentials, no EC2 IMDS role found, operation error "
    "ec2imds: GetMetadata, request canceled, context deadline exceeded\n")


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def provider_region(config: dict) -> str | None:
    return _str(config.get("region")) or aws.env_region(os.environ)


def _session_name(cloud: dict) -> str:
    # aws-sdk-go-v2's web identity provider names an unnamed session by the time (ns).
    return f"{cloud['now']}000000000"


def _credentials(cloud: dict, config: dict) -> aws.Credentials:
    try:
        return aws.resolve_credentials(cloud, dict(os.environ), _session_name(cloud), config)
    except aws.NoCredentials:
        raise ProviderError("No valid credential sources found", NO_CREDENTIALS_DETAIL) from None
    except aws.ProfileNotFound as exc:
        raise ProviderError(f"failed to get shared config profile, {exc.name}") from None
    except OSError as exc:
        raise ProviderError(
            "failed to refresh cached credentials, failed to retrieve jwt from provide source, "
            f"unable to read file at {exc.filename}: open {exc.filename}: no such file or "
            "directory") from None
    except AwsError as exc:
        # aws-sdk-go-base: CannotAssumeRoleWithWebIdentityError (wording close, not exact)
        role = _str(config.get("role_arn")) or os.environ.get("AWS_ROLE_ARN")
        raise ProviderError("Cannot assume IAM Role with web identity",
                            f"IAM Role ({role}) cannot be assumed with web identity token.\n\n"
                            f"Error: {exc.sdk()}") from None


def configure(cloud: dict, config: dict) -> None:
    """ConfigureProvider: the region, the credentials, and who they are (STS)."""
    if any(v is Unknown for v in config.values()):
        return  # Terraform configures again once the values are known
    region = provider_region(config)
    if not config.get("skip_region_validation") and region not in cloud["aws"]["regions"]:
        raise ProviderError(aws.region_error(region or ""))
    creds = _credentials(cloud, config)
    if config.get("skip_credentials_validation") and config.get("skip_requesting_account_id"):
        return
    try:
        identity = aws.caller_identity(cloud, creds)
    except AwsError as exc:
        aws.log_call(cloud, "sts:GetCallerIdentity", None, exc.code)
        raise ProviderError("Retrieving AWS account details: validating provider credentials: "
                            f"retrieving caller identity from STS: {exc.sdk()}") from None
    aws.log_call(cloud, "sts:GetCallerIdentity", identity["arn"])


def _identity(ctx: Any, operation: str) -> dict:
    """Who calls (every behaviour's first step), logged with ``operation``."""
    creds = _credentials(ctx.cloud, ctx.config)
    try:
        identity = aws.caller_identity(ctx.cloud, creds, operation.split(":")[-1])
    except AwsError as exc:
        aws.log_call(ctx.cloud, operation, None, exc.code)
        raise ApiError(exc.sdk()) from None
    aws.log_call(ctx.cloud, operation, identity["arn"])
    return identity


def _failed(ctx: Any, doing: str, error: AwsError) -> ApiError:
    aws.log_call(ctx.cloud, f"{error.service.lower()}:{error.operation}", None, error.code)
    return ApiError(f"{doing}: {error.sdk()}")


def _complete(block: Block, value: dict) -> dict:
    """Every attribute (null) and block (empty) of ``block`` that ``value`` lacks."""
    out = {name: value.get(name) for name in block.attrs}
    for name, nested in block.blocks.items():
        items = value.get(name)
        if isinstance(items, list):
            items = [_complete(nested.block, i) if isinstance(i, dict) else i for i in items]
        out[name] = items if items is not None else []
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal as the SDK compares: null, empty list and empty map are alike."""
    empty = (None, [], {})
    return (a in empty and b in empty) or a == b


def _live(stored: Any, live: Any) -> Any:
    return stored if _same(stored, live) else live


def _tags_all(config: dict, tags: Any) -> Any:
    if tags is Unknown or (isinstance(tags, dict) and Unknown in tags.values()):
        return Unknown
    default = ((config.get("default_tags") or [None])[0] or {}).get("tags") or {}
    merged = {**default, **(tags or {})}
    return {k: v for k, v in merged.items() if v is not None}


def _unique_suffix(cloud: dict) -> str:
    """terraform-plugin-sdk's id.PrefixedUniqueId suffix (26 characters), on the cloud's clock."""
    cloud["serial"] += 1
    stamp = aws.iso(cloud["now"]).replace("-", "").replace(":", "").replace("T", "") \
        .rstrip("Z")
    return f"{stamp}0000{cloud['serial']:08x}"


def _name_prefix(name: str) -> str | None:
    # create.NamePrefixFromName
    if len(name) > 26 and re.fullmatch(r"\d{18}[0-9a-f]{8}", name[-26:]):
        return name[:-26]
    return None


# --------------------------------------------------------------------------- plan and validation

def _optional_computed(planned: dict, prior: dict | None, path: list[str]) -> None:
    name, rest = path[0], path[1:]
    value = planned.get(name)
    if rest:
        olds = (prior or {}).get(name) or []
        for i, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                _optional_computed(item, olds[i] if i < len(olds) and isinstance(olds[i], dict)
                                   else None, rest)
        return
    if value in (None, []):
        old = (prior or {}).get(name)
        planned[name] = old if prior is not None and old not in (None, Unknown) else \
            ([] if prior is not None else Unknown)


def _plan(type_name: str, hook: Callable | None = None) -> Callable:
    block = AWS_RESOURCES[type_name]

    def plan(ctx: Any, prior: dict | None, planned: dict) -> dict:
        if "region" in block.attrs and planned.get("region") in (None, Unknown):
            planned["region"] = (prior or {}).get("region") or provider_region(ctx.config)
        if "tags_all" in block.attrs:
            planned["tags_all"] = _tags_all(ctx.config, planned.get("tags"))
        for path in OPTIONAL_COMPUTED_BLOCKS.get(type_name, ()):
            _optional_computed(planned, prior, path.split("."))
        return hook(ctx, prior, planned) if hook else planned
    return plan


def _length(errors: list, config: dict, name: str, low: int, high: int) -> None:
    value = config.get(name)
    if isinstance(value, str) and not low <= len(value) <= high:
        errors.append(f"expected length of {name} to be in the range ({low} - {high}), "
                      f"got {value}")


def _one_of(errors: list, value: Any, name: str, allowed: tuple) -> None:
    if isinstance(value, str) and value not in allowed:
        quoted = " ".join(json.dumps(a) for a in allowed)
        errors.append(f"expected {name} to be one of [{quoted}], got {value}")


def _first(config: dict, block: str) -> dict:
    items = config.get(block)
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def role_validate(config: dict) -> list:
    errors: list = []
    _length(errors, config, "name", 1, 64)
    _length(errors, config, "name_prefix", 1, 64 - 26)
    for name in ("name", "name_prefix"):
        value = config.get(name)
        if isinstance(value, str) and not re.fullmatch(r"[\w+=,.@-]*", value):
            errors.append(f"invalid value for {name} (must match [\\w+=,.@-])")
    duration = config.get("max_session_duration")
    if isinstance(duration, (int, float)) and not 3600 <= duration <= 43200:
        errors.append(f"expected max_session_duration to be in the range (3600 - 43200), "
                      f"got {int(duration)}")
    return errors


def cluster_validate(config: dict) -> list:
    errors: list = []
    _length(errors, config, "name", 1, 100)
    name = config.get("name")
    if isinstance(name, str) and not re.fullmatch(r"[0-9A-Za-z][A-Za-z0-9_-]*", name):
        errors.append("invalid value for name (must start with alphanumeric character and "
                      "contain only alphanumeric characters, dashes and underscores)")
    _one_of(errors, _first(config, "access_config").get("authentication_mode"),
            "access_config.0.authentication_mode", ("API", "API_AND_CONFIG_MAP", "CONFIG_MAP"))
    return errors


TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")


def node_group_validate(config: dict) -> list:
    errors: list = []
    _length(errors, config, "node_group_name", 0, 63)
    _length(errors, config, "node_group_name_prefix", 0, 63 - 26)
    scaling = _first(config, "scaling_config")
    for name, low in (("desired_size", 0), ("min_size", 0), ("max_size", 1)):
        value = scaling.get(name)
        if isinstance(value, (int, float)) and value < low:
            errors.append(f"expected scaling_config.0.{name} to be at least ({low}), got "
                          f"{int(value)}")
    taints = config.get("taint")
    for taint in taints if isinstance(taints, list) else []:
        if isinstance(taint, dict):
            _one_of(errors, taint.get("effect"), "effect", TAINT_EFFECTS)
    _one_of(errors, config.get("capacity_type"), "capacity_type",
            ("ON_DEMAND", "SPOT", "CAPACITY_BLOCK"))
    return errors


def access_entry_validate(config: dict) -> list:
    errors: list = []
    _one_of(errors, config.get("type"), "type", ("STANDARD", "FARGATE_LINUX", "EC2_LINUX",
                                                 "EC2_WINDOWS", "EC2", "HYBRID_LINUX",
                                                 "HYPERPOD_LINUX"))
    return errors


def association_validate(config: dict) -> list:
    errors: list = []
    _one_of(errors, _first(config, "access_scope").get("type"), "access_scope.0.type",
            ("cluster", "namespace"))
    return errors


# --------------------------------------------------------------------------- IAM

def _policy_equal(a: Any, b: Any) -> bool:
    try:
        return json.loads(a) == json.loads(b)
    except (TypeError, ValueError):
        return a == b


def role_plan(ctx: Any, prior: dict | None, planned: dict) -> dict:
    # verify.SuppressEquivalentPolicyDiffs
    if prior is not None and _policy_equal(prior.get("assume_role_policy"),
                                           planned.get("assume_role_policy")):
        planned["assume_role_policy"] = prior["assume_role_policy"]
    return planned


def _role_named(cloud: dict, name: str) -> dict | None:
    return next((r for n, r in cloud["aws"]["roles"].items() if n.lower() == name.lower()), None)


def _role_view(role: dict, state: dict) -> dict:
    out = dict(state)
    policy = state.get("assume_role_policy")
    out.update(id=role["name"], name=role["name"], name_prefix=_name_prefix(role["name"]),
               arn=role["arn"], unique_id=role["role_id"], create_date=role["create_date"],
               managed_policy_arns=sorted(role["attached"]), tags_all=role.get("tags") or {},
               assume_role_policy=policy if _policy_equal(policy, role["assume_role_policy"])
               else role["assume_role_policy"])
    if out.get("inline_policy") in (None, Unknown):
        out["inline_policy"] = []
    return out


def role_create(ctx: Any, planned: dict) -> dict:
    _identity(ctx, "iam:CreateRole")
    name = _str(planned.get("name")) or \
        (_str(planned.get("name_prefix")) or "terraform-") + _unique_suffix(ctx.cloud)
    if _role_named(ctx.cloud, name):
        raise _failed(ctx, f"creating IAM Role ({name})", AwsError(
            "IAM", "CreateRole", 409, "EntityAlreadyExists",
            f"Role with name {name} already exists."))
    try:
        json.loads(planned["assume_role_policy"])
    except ValueError:
        raise _failed(ctx, f"creating IAM Role ({name})", AwsError(
            "IAM", "CreateRole", 400, "MalformedPolicyDocument",
            "This policy contains invalid Json")) from None
    path = _str(planned.get("path")) or "/"
    role = aws.add_role(ctx.cloud, name, planned["assume_role_policy"], path=path,
                        tags=_tags_all(ctx.config, planned.get("tags")),
                        description=planned.get("description"))
    return _role_view(role, planned)


def role_read(ctx: Any, state: dict) -> dict | None:
    _identity(ctx, "iam:GetRole")
    role = _role_named(ctx.cloud, state["name"])
    return _role_view(role, state) if role else None


def role_update(ctx: Any, prior: dict, planned: dict) -> dict:
    _identity(ctx, "iam:UpdateRole")
    role = _role_named(ctx.cloud, prior["name"])
    if role is None:
        raise _failed(ctx, f"updating IAM Role ({prior['name']})", AwsError(
            "IAM", "UpdateRole", 404, "NoSuchEntity",
            f"The role with name {prior['name']} cannot be found."))
    role.update(assume_role_policy=planned["assume_role_policy"],
                description=planned.get("description"),
                tags=_tags_all(ctx.config, planned.get("tags")))
    return _role_view(role, planned)


def role_delete(ctx: Any, state: dict) -> None:
    _identity(ctx, "iam:DeleteRole")
    # resourceRoleDelete detaches the managed policies it read (managed_policy_arns) first.
    role = _role_named(ctx.cloud, state["name"])
    if role is not None:
        role["attached"] = []
        ctx.cloud["aws"]["roles"].pop(role["name"], None)


def _attachable(policy_arn: str) -> bool:
    prefix = "arn:aws:iam::aws:policy/"
    return policy_arn.startswith(prefix) and policy_arn[len(prefix):] in aws.MANAGED_POLICIES


def attachment_create(ctx: Any, planned: dict) -> dict:
    _identity(ctx, "iam:AttachRolePolicy")
    role_name, policy = planned["role"], planned["policy_arn"]
    doing = f"attaching IAM Policy ({policy}) to IAM Role ({role_name})"
    role = _role_named(ctx.cloud, role_name)
    if role is None:
        raise _failed(ctx, doing, AwsError("IAM", "AttachRolePolicy", 404, "NoSuchEntity",
                                           f"The role with name {role_name} cannot be found."))
    if not _attachable(policy):
        raise _failed(ctx, doing, AwsError("IAM", "AttachRolePolicy", 404, "NoSuchEntity",
                                           f"Policy {policy} does not exist or is not "
                                           "attachable."))
    if policy not in role["attached"]:
        role["attached"].append(policy)
    return dict(planned, id=f"{role_name}/{policy}")


def attachment_read(ctx: Any, state: dict) -> dict | None:
    _identity(ctx, "iam:ListAttachedRolePolicies")
    role = _role_named(ctx.cloud, state["role"])
    return state if role and state["policy_arn"] in role["attached"] else None


def attachment_delete(ctx: Any, state: dict) -> None:
    _identity(ctx, "iam:DetachRolePolicy")
    role = _role_named(ctx.cloud, state["role"])
    if role and state["policy_arn"] in role["attached"]:
        role["attached"].remove(state["policy_arn"])


# --------------------------------------------------------------------------- EKS clusters

def _eks(operation: str, status: int, code: str, message: str) -> AwsError:
    return AwsError("EKS", operation, status, code, message)


def _version_info(cloud: dict, version: str) -> dict | None:
    return next((v for v in cloud["aws"]["eks_versions"] if v["cluster_version"] == version),
                None)


def _minor(version: str) -> int:
    return int(version.split(".")[1])


def _trusts(role: dict, service: str) -> bool:
    try:
        statements = json.loads(role["assume_role_policy"]).get("Statement") or []
    except (ValueError, AttributeError):
        return False
    for statement in statements if isinstance(statements, list) else [statements]:
        services = (statement.get("Principal") or {}).get("Service") if \
            isinstance(statement.get("Principal"), dict) else None
        services = services if isinstance(services, list) else [services]
        if statement.get("Effect") == "Allow" and service in services:
            return True
    return False


def _subnets(cloud: dict, region: str, ids: list, operation: str) -> list:
    known = {s["id"]: s for s in cloud["aws"]["subnets"].get(region, [])}
    for subnet in ids:
        if subnet not in known:
            raise _eks(operation, 400, "InvalidParameterException",
                       f"The subnet ID '{subnet}' does not exist (Service: AmazonEC2; Status "
                       "Code: 400; Error Code: InvalidSubnetID.NotFound)")
    return [known[s] for s in ids]


def _check_cluster_network(cloud: dict, region: str, name: str, ids: list) -> list:
    subnets = _subnets(cloud, region, ids, "CreateCluster")
    if len({s["vpc_id"] for s in subnets}) > 1:
        raise _eks("CreateCluster", 400, "InvalidParameterException",
                   "Subnets specified must be in the same VPC")
    if len({s["availability_zone"] for s in subnets}) < 2:
        raise _eks("CreateCluster", 400, "InvalidParameterException",
                   "Subnets specified must be in at least two different AZs")
    for subnet in subnets:
        if subnet["availability_zone_id"] in aws.EKS_CONTROL_PLANE_UNSUPPORTED_AZ_IDS:
            zone = subnet["availability_zone"]
            others = sorted({s["availability_zone"] for s in cloud["aws"]["subnets"][region]
                             if s["availability_zone_id"]
                             not in aws.EKS_CONTROL_PLANE_UNSUPPORTED_AZ_IDS})
            raise _eks("CreateCluster", 400, "UnsupportedAvailabilityZoneException",
                       f"Cannot create cluster '{name}' because EKS does not support creating "
                       f"control plane instances in {zone}, the targeted availability zone. "
                       "Retry cluster creation using control plane subnets that span at least "
                       f"two of these availability zones: {', '.join(others)}. Note, you can "
                       f"use subnets in {zone} for your worker nodes if you specify them in "
                       "your node group or use them for self-managed nodes.")
    return subnets


def _cluster_view(cluster: dict, state: dict) -> dict:
    out = dict(state)
    vpc = dict(_first(state, "vpc_config"))
    vpc.update(cluster_security_group_id=cluster["security_group_id"], vpc_id=cluster["vpc_id"],
               subnet_ids=_live(vpc.get("subnet_ids"), cluster["subnet_ids"]),
               endpoint_private_access=cluster["endpoint_private_access"],
               endpoint_public_access=cluster["endpoint_public_access"],
               public_access_cidrs=cluster["public_access_cidrs"],
               control_plane_egress_mode=vpc.get("control_plane_egress_mode")
               if isinstance(vpc.get("control_plane_egress_mode"), str) else None)
    block = AWS_RESOURCES["aws_eks_cluster"]
    access = dict(_first(state, "access_config"))
    access.update(authentication_mode=cluster["authentication_mode"],
                  bootstrap_cluster_creator_admin_permissions=access.get(
                      "bootstrap_cluster_creator_admin_permissions"))
    out.update(
        id=cluster["name"], name=cluster["name"], arn=cluster["arn"], region=cluster["region"],
        endpoint=cluster["endpoint"], certificate_authority=[{"data": cluster["ca"]}],
        created_at=cluster["created_at"], platform_version=cluster["platform_version"],
        status=cluster["status"], version=cluster["version"], role_arn=cluster["role_arn"],
        cluster_id=None, identity=[{"oidc": [{"issuer": cluster["oidc_issuer"]}]}],
        tags_all=cluster["tags"], deletion_protection=bool(state.get("deletion_protection"))
        if state.get("deletion_protection") is not Unknown else False,
        vpc_config=[_complete(block.blocks["vpc_config"].block, vpc)],
        access_config=[_complete(block.blocks["access_config"].block, access)])
    for name, value in (("kubernetes_network_config", {"ip_family": "ipv4",
                                                       "service_ipv4_cidr": "172.20.0.0/16"}),
                        ("upgrade_policy", {"support_type": "EXTENDED"}),
                        ("control_plane_scaling_config", {"tier": "standard"})):
        if out.get(name) in (None, [], Unknown):
            out[name] = [_complete(block.blocks[name].block, value)]
    for name in ("compute_config", "storage_config"):
        if out.get(name) in (None, Unknown):
            out[name] = []
    network = out["kubernetes_network_config"][0]
    if network.get("ip_family") in (None, Unknown):
        network["ip_family"] = "ipv4"
    if network.get("service_ipv4_cidr") in (None, Unknown):
        network["service_ipv4_cidr"] = "172.20.0.0/16"
    return out


def cluster_create(ctx: Any, planned: dict) -> dict:
    identity = _identity(ctx, "eks:CreateCluster")
    cloud, name, region = ctx.cloud, planned["name"], planned["region"]
    doing = f"creating EKS Cluster ({name})"
    try:
        if aws.eks_cluster(cloud, region, name):
            raise _eks("CreateCluster", 409, "ResourceInUseException",
                       f"Cluster already exists with name: {name}")
        role = aws.role_by_arn(cloud, planned["role_arn"])
        if role is None:
            raise _eks("CreateCluster", 400, "InvalidParameterException",
                       f"roleArn, {planned['role_arn']}, does not exist")
        if not _trusts(role, "eks.amazonaws.com"):
            raise _eks("CreateCluster", 400, "InvalidParameterException",
                       "Role could not be assumed because the trusted entity is not correct")
        if "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" not in role["attached"]:
            raise _eks("CreateCluster", 400, "InvalidParameterException",
                       "The provided role doesn't have the Amazon EKS Managed Policies "
                       "associated with it. Please ensure the following policy is attached: "
                       "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")
        version = _str(planned.get("version")) or next(
            v["cluster_version"] for v in cloud["aws"]["eks_versions"] if v["default_version"])
        if version not in aws.offered_versions(cloud):
            # EKS's wording is close to this, not known exactly
            raise _eks("CreateCluster", 400, "InvalidParameterException",
                       f"unsupported Kubernetes version {version}")
        vpc = _first(planned, "vpc_config")
        subnets = _check_cluster_network(cloud, region, name, list(vpc.get("subnet_ids") or []))
    except AwsError as exc:
        raise _failed(ctx, doing, exc) from None
    access = _first(planned, "access_config")
    mode = _str(access.get("authentication_mode")) or "API_AND_CONFIG_MAP"
    cid = clouds.next_id(cloud, "eks")  # a new cluster, even of an old name, is empty
    pem = (f"-----BEGIN CERTIFICATE-----\n{uuid.uuid4().hex}{uuid.uuid4().hex}\n"
           "-----END CERTIFICATE-----\n")
    endpoint = aws.new_endpoint(region)
    cluster = {
        "id": cid, "kind": "eks", "name": name, "region": region, "endpoint": endpoint,
        "ca_pem": pem, "ca": base64.b64encode(pem.encode()).decode(),
        "arn": f"arn:aws:eks:{region}:{ACCOUNT}:cluster/{name}", "version": version,
        "platform_version": _version_info(cloud, version)["default_platform_version"],
        "status": "ACTIVE", "role_arn": role["arn"], "vpc_id": subnets[0]["vpc_id"],
        "subnet_ids": [s["id"] for s in subnets],
        "security_group_id": aws._hex_id("sg", region, name),
        "endpoint_private_access": bool(vpc.get("endpoint_private_access")),
        "endpoint_public_access": vpc.get("endpoint_public_access") is not False,
        "public_access_cidrs": sorted(vpc.get("public_access_cidrs") or ["0.0.0.0/0"])
        if vpc.get("public_access_cidrs") is not Unknown else ["0.0.0.0/0"],
        "authentication_mode": mode, "access_entries": {},
        "created_at": aws.iso(cloud["now"]), "updated_at": aws.iso(cloud["now"]),
        "oidc_issuer": f"https://oidc.eks.{region}.amazonaws.com/id/"
                       f"{endpoint.split('//')[1].split('.')[0]}",
        "tags": _tags_all(ctx.config, planned.get("tags")), "creator": identity["issuer"]}
    if access.get("bootstrap_cluster_creator_admin_permissions") is not False:
        # The API's default: the creator's IAM principal gets an access entry with admin.
        entry = aws.new_access_entry(cloud, cluster, identity["issuer"])
        aws.associate_policy(cloud, entry, "AmazonEKSClusterAdminPolicy")
        cluster["access_entries"][identity["issuer"]] = entry
    cloud["clusters"][cid] = cluster
    return _cluster_view(cluster, planned)


def _cluster_of(ctx: Any, state: dict) -> dict | None:
    region = _str(state.get("region")) or provider_region(ctx.config)
    return aws.eks_cluster(ctx.cloud, region, state["name"])


def cluster_read(ctx: Any, state: dict) -> dict | None:
    _identity(ctx, "eks:DescribeCluster")
    cluster = _cluster_of(ctx, state)
    return _cluster_view(cluster, state) if cluster else None


MODE_ORDER = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")


def cluster_update(ctx: Any, prior: dict, planned: dict) -> dict:
    _identity(ctx, "eks:UpdateClusterVersion")
    cluster = _cluster_of(ctx, prior)
    name = prior["name"]
    if cluster is None:
        raise _failed(ctx, f"updating EKS Cluster ({name})", _eks(
            "DescribeCluster", 404, "ResourceNotFoundException", f"No cluster found for name: "
            f"{name}."))
    version = _str(planned.get("version"))
    doing = f"updating EKS Cluster ({name})"
    try:
        if version and version != cluster["version"]:
            doing = f"updating EKS Cluster ({name}) version"
            if version not in aws.offered_versions(ctx.cloud):
                raise _eks("UpdateClusterVersion", 400, "InvalidParameterException",
                           f"unsupported Kubernetes version {version}")
            if _minor(version) != _minor(cluster["version"]) + 1:
                raise _eks("UpdateClusterVersion", 400, "InvalidParameterException",
                           f"Unsupported Kubernetes minor version update from "
                           f"{cluster['version']} to {version}")
            cluster.update(version=version, platform_version=_version_info(
                ctx.cloud, version)["default_platform_version"])
        mode = _str(_first(planned, "access_config").get("authentication_mode"))
        if mode and mode != cluster["authentication_mode"]:
            doing = f"updating EKS Cluster ({name}) access configuration"
            if MODE_ORDER.index(mode) < MODE_ORDER.index(cluster["authentication_mode"]):
                raise _eks("UpdateClusterConfig", 400, "InvalidRequestException",
                           f"Unsupported authentication mode update from "
                           f"{cluster['authentication_mode']} to {mode}")
            cluster["authentication_mode"] = mode
        vpc = _first(planned, "vpc_config")
        subnets = list(vpc.get("subnet_ids") or [])
        if subnets and sorted(subnets) != sorted(cluster["subnet_ids"]):
            doing = f"updating EKS Cluster ({name}) VPC configuration"
            _check_cluster_network(ctx.cloud, cluster["region"], name, subnets)
            cluster["subnet_ids"] = subnets
    except AwsError as exc:
        raise _failed(ctx, doing, exc) from None
    cluster.update(endpoint_private_access=bool(vpc.get("endpoint_private_access")),
                   endpoint_public_access=vpc.get("endpoint_public_access") is not False,
                   tags=_tags_all(ctx.config, planned.get("tags")),
                   updated_at=aws.iso(ctx.cloud["now"]))
    if isinstance(vpc.get("public_access_cidrs"), list) and vpc["public_access_cidrs"]:
        cluster["public_access_cidrs"] = sorted(vpc["public_access_cidrs"])
    return _cluster_view(cluster, planned)


def cluster_delete(ctx: Any, state: dict) -> None:
    _identity(ctx, "eks:DeleteCluster")
    cluster = _cluster_of(ctx, state)
    if cluster is None:
        return
    if any(g["cluster"] == cluster["name"] and g["region"] == cluster["region"]
           for g in ctx.cloud["aws"]["nodegroups"].values()):
        raise _failed(ctx, f"deleting EKS Cluster ({state['name']})", _eks(
            "DeleteCluster", 409, "ResourceInUseException", "Cluster has nodegroups attached"))
    ctx.cloud["clusters"].pop(cluster["id"], None)


# --------------------------------------------------------------------------- node groups

WORKER_POLICIES = (("AmazonEKSWorkerNodePolicy", "AmazonEKSWorkerNodeMinimalPolicy"),
                   ("AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPullOnly"))


def _group_key(region: str, cluster: str, name: str) -> str:
    return f"{region}/{cluster}/{name}"


def _release(cloud: dict, version: str) -> str:
    info = _version_info(cloud, version)
    patch = info["kubernetes_patch_version"] if info else f"{version}.0"
    return f"{patch}-{aws.AMI_RELEASE}"


def _check_scaling(operation: str, scaling: dict) -> None:
    low, want, high = (int(scaling.get(k) or 0) for k in ("min_size", "desired_size", "max_size"))
    # EKS's wording is close to this, not known exactly
    if low > high:
        raise _eks(operation, 400, "InvalidParameterException",
                   f"Minimum capacity {low} can't be greater than max size {high}")
    if not low <= want <= high:
        raise _eks(operation, 400, "InvalidParameterException",
                   f"Desired capacity {want} can't be lower than minimum capacity {low} or "
                   f"greater than max size {high}")


def _check_group_version(operation: str, version: str, cluster: dict) -> None:
    if _minor(version) > _minor(cluster["version"]):
        raise _eks(operation, 400, "InvalidParameterException",
                   f"Requested Nodegroup Kubernetes version {version} is newer than the "
                   f"cluster's Kubernetes version {cluster['version']}")
    if _minor(cluster["version"]) - _minor(version) > 3:
        raise _eks(operation, 400, "InvalidParameterException",
                   f"Requested Nodegroup Kubernetes version {version} is too old for the "
                   f"cluster's Kubernetes version {cluster['version']}")


def _group_view(group: dict, state: dict) -> dict:
    out = dict(state)
    block = AWS_RESOURCES["aws_eks_node_group"]
    scaling = _complete(block.blocks["scaling_config"].block, group["scaling"])
    out.update(
        id=f"{group['cluster']}:{group['name']}", arn=group["arn"], region=group["region"],
        cluster_name=group["cluster"], node_group_name=group["name"],
        node_group_name_prefix=group["prefix"], ami_type=group["ami_type"],
        capacity_type=group["capacity_type"], disk_size=group["disk_size"],
        instance_types=list(group["instance_types"]), node_role_arn=group["node_role_arn"],
        release_version=group["release_version"], version=group["version"],
        status=group["status"], subnet_ids=_live(state.get("subnet_ids"), group["subnet_ids"]),
        labels=_live(state.get("labels"), group["labels"]),
        taint=_live(state.get("taint"), group["taints"]),
        scaling_config=[scaling], tags_all=group["tags"],
        resources=[{"autoscaling_groups": [{"name": group["asg"]}],
                    "remote_access_security_group_id": ""}])
    if out.get("update_config") in (None, [], Unknown):
        out["update_config"] = [_complete(block.blocks["update_config"].block,
                                          {"max_unavailable": 1,
                                           "max_unavailable_percentage": 0})]
    if out.get("node_repair_config") in (None, [], Unknown):
        out["node_repair_config"] = [_complete(block.blocks["node_repair_config"].block,
                                               {"enabled": False})]
    return out


def node_group_create(ctx: Any, planned: dict) -> dict:
    _identity(ctx, "eks:CreateNodegroup")
    cloud, region, cluster_name = ctx.cloud, planned["region"], planned["cluster_name"]
    prefix = _str(planned.get("node_group_name_prefix"))
    name = _str(planned.get("node_group_name")) or (prefix or "terraform-") + \
        _unique_suffix(cloud)
    doing = f"creating EKS Node Group ({cluster_name}:{name})"
    op = "CreateNodegroup"
    try:
        cluster = aws.eks_cluster(cloud, region, cluster_name)
        if cluster is None:
            raise _eks(op, 404, "ResourceNotFoundException",
                       f"No cluster found for name: {cluster_name}.")
        key = _group_key(region, cluster_name, name)
        if key in cloud["aws"]["nodegroups"]:
            raise _eks(op, 409, "ResourceInUseException",
                       f"NodeGroup already exists with name {name} and cluster name "
                       f"{cluster_name}")
        role = aws.role_by_arn(cloud, planned["node_role_arn"])
        if role is None:
            raise _eks(op, 400, "InvalidParameterException",
                       f"The role with name {planned['node_role_arn'].rsplit('/', 1)[-1]} "
                       "cannot be found.")
        if not _trusts(role, "ec2.amazonaws.com"):
            raise _eks(op, 400, "InvalidParameterException",
                       "Following required service principals [ec2.amazonaws.com] were not "
                       f"found in the trust relationships of nodeRole {role['arn']}")
        missing = [f"arn:aws:iam::aws:policy/{names[0]}" for names in WORKER_POLICIES
                   if not any(f"arn:aws:iam::aws:policy/{n}" in role["attached"] for n in names)]
        if missing:
            raise _eks(op, 400, "InvalidParameterException",
                       "The provided role doesn't have the Amazon EKS Managed Policies "
                       f"associated with it. Please ensure the following policies "
                       f"[{', '.join(missing)}] are attached")
        types = planned.get("instance_types")
        types = list(types) if isinstance(types, list) and types else [aws.DEFAULT_INSTANCE_TYPE]
        unknown = [t for t in types if t not in cloud["aws"]["instance_types"]]
        if unknown:
            raise _eks(op, 400, "InvalidParameterException",
                       f"The following supplied instance types do not exist: "
                       f"[{', '.join(unknown)}]")
        arches = {cloud["aws"]["instance_types"][t] for t in types}
        ami_type = _str(planned.get("ami_type")) or aws.AMI_TYPE_OF_ARCH[sorted(arches)[0]]
        if len(arches) > 1:
            raise _eks(op, 400, "InvalidParameterException",
                       f"Instance types {types} are not all of the same architecture")
        subnets = _subnets(cloud, region, list(planned["subnet_ids"]), op)
        if any(s["vpc_id"] != cluster["vpc_id"] for s in subnets):
            raise _eks(op, 400, "InvalidParameterException",
                       "Subnets are not in the same VPC as the cluster")
        scaling = _first(planned, "scaling_config")
        _check_scaling(op, scaling)
        version = _str(planned.get("version")) or cluster["version"]
        _check_group_version(op, version, cluster)
    except AwsError as exc:
        raise _failed(ctx, doing, exc) from None
    suffix = uuid.uuid4()
    group = {"name": name, "prefix": prefix, "cluster": cluster_name, "region": region,
             "arn": f"arn:aws:eks:{region}:{ACCOUNT}:nodegroup/{cluster_name}/{name}/{suffix}",
             "asg": f"eks-{name}-{suffix}", "ami_type": ami_type,
             "capacity_type": _str(planned.get("capacity_type")) or "ON_DEMAND",
             "disk_size": planned["disk_size"] if isinstance(planned.get("disk_size"),
                                                               (int, float)) else 20,
             "instance_types": types, "node_role_arn": role["arn"],
             "subnet_ids": [s["id"] for s in subnets], "version": version,
             "release_version": _str(planned.get("release_version")) or _release(cloud, version),
             "status": "ACTIVE", "labels": planned.get("labels") or {},
             "taints": planned.get("taint") or [],
             "scaling": {k: int(scaling[k]) for k in ("desired_size", "max_size", "min_size")},
             "tags": _tags_all(ctx.config, planned.get("tags")),
             "created_at": aws.iso(cloud["now"])}
    cloud["aws"]["nodegroups"][key] = group
    return _group_view(group, planned)


def _group_of(ctx: Any, state: dict) -> dict | None:
    region = _str(state.get("region")) or provider_region(ctx.config)
    return ctx.cloud["aws"]["nodegroups"].get(
        _group_key(region, state["cluster_name"], state["node_group_name"]))


def node_group_read(ctx: Any, state: dict) -> dict | None:
    _identity(ctx, "eks:DescribeNodegroup")
    group = _group_of(ctx, state)
    return _group_view(group, state) if group else None


def node_group_update(ctx: Any, prior: dict, planned: dict) -> dict:
    _identity(ctx, "eks:UpdateNodegroupConfig")
    group = _group_of(ctx, prior)
    doing = f"updating EKS Node Group ({prior['id']})"
    try:
        if group is None:
            raise _eks("UpdateNodegroupConfig", 404, "ResourceNotFoundException",
                       f"No node group found for name: {prior['node_group_name']}.")
        cluster = aws.eks_cluster(ctx.cloud, group["region"], group["cluster"])
        version = _str(planned.get("version")) or group["version"]
        if version != group["version"] or planned.get("release_version") != \
                prior.get("release_version"):
            doing = f"updating EKS Node Group ({prior['id']}) version"
            _check_group_version("UpdateNodegroupVersion", version, cluster)
            release = planned.get("release_version")
            group.update(version=version, release_version=release if _str(release)
                         and release != prior.get("release_version") else
                         _release(ctx.cloud, version))
        doing = f"updating EKS Node Group ({prior['id']}) config"
        scaling = _first(planned, "scaling_config")
        _check_scaling("UpdateNodegroupConfig", scaling)
    except AwsError as exc:
        raise _failed(ctx, doing, exc) from None
    group.update(scaling={k: int(scaling[k]) for k in ("desired_size", "max_size", "min_size")},
                 labels=planned.get("labels") or {}, taints=planned.get("taint") or [],
                 tags=_tags_all(ctx.config, planned.get("tags")))
    return _group_view(group, planned)


def node_group_delete(ctx: Any, state: dict) -> None:
    _identity(ctx, "eks:DeleteNodegroup")
    region = _str(state.get("region")) or provider_region(ctx.config)
    ctx.cloud["aws"]["nodegroups"].pop(
        _group_key(region, state["cluster_name"], state["node_group_name"]), None)


# --------------------------------------------------------------------------- access entries

def _cluster_for(ctx: Any, state: dict, operation: str) -> dict:
    region = _str(state.get("region")) or provider_region(ctx.config)
    cluster = aws.eks_cluster(ctx.cloud, region, state["cluster_name"])
    if cluster is None:
        raise _eks(operation, 404, "ResourceNotFoundException",
                   f"No cluster found for name: {state['cluster_name']}.")
    return cluster


def _principal_exists(cloud: dict, arn: str) -> bool:
    return any(r["arn"] == arn for r in cloud["aws"]["roles"].values()) or \
        any(u["arn"] == arn for u in cloud["aws"]["users"].values())


def _entry_view(cluster: dict, entry: dict, state: dict) -> dict:
    out = dict(state)
    out.update(id=f"{cluster['name']}:{entry['principal_arn']}", access_entry_arn=entry["arn"],
               cluster_name=cluster["name"], region=cluster["region"],
               principal_arn=entry["principal_arn"], type=entry["type"],
               created_at=entry["created_at"], modified_at=entry["modified_at"],
               kubernetes_groups=sorted(entry["kubernetes_groups"]),
               user_name=entry["user_name"], tags_all=entry["tags"])
    return out


def access_entry_create(ctx: Any, planned: dict) -> dict:
    _identity(ctx, "eks:CreateAccessEntry")
    principal = planned["principal_arn"]
    doing = f"creating EKS Access Entry ({planned['cluster_name']}:{principal})"
    op = "CreateAccessEntry"
    try:
        cluster = _cluster_for(ctx, planned, op)
        if cluster["authentication_mode"] == "CONFIG_MAP":
            raise _eks(op, 400, "InvalidRequestException",
                       "The cluster's authentication mode must be set to one of [API, "
                       "API_AND_CONFIG_MAP] to perform this operation.")
        # EKS's wording for these two is close to this, not known exactly
        if not re.fullmatch(rf"arn:aws:iam::{ACCOUNT}:(role|user)/.+", principal):
            raise _eks(op, 400, "InvalidParameterException",
                       f"The specified principalArn is invalid: {principal} is not an IAM "
                       "role or user ARN")
        if not _principal_exists(ctx.cloud, principal):
            raise _eks(op, 400, "InvalidParameterException",
                       f"The specified principalArn is invalid: {principal} does not exist")
        if principal in cluster["access_entries"]:
            raise _eks(op, 409, "ResourceInUseException",
                       "The specified access entry resource is already in use on this "
                       "cluster.")
        groups = planned.get("kubernetes_groups")
        groups = list(groups) if isinstance(groups, list) else []
        for group in groups:
            if group.startswith("system:"):
                raise _eks(op, 400, "InvalidParameterException",
                           f"The kubernetes group name {group} is invalid, it cannot start "
                           "with system:")
    except AwsError as exc:
        raise _failed(ctx, doing, exc) from None
    entry = aws.new_access_entry(ctx.cloud, cluster, principal, planned.get("type") or "STANDARD",
                       groups, _str(planned.get("user_name")))
    entry["tags"] = _tags_all(ctx.config, planned.get("tags"))
    cluster["access_entries"][principal] = entry
    return _entry_view(cluster, entry, planned)


def access_entry_read(ctx: Any, state: dict) -> dict | None:
    _identity(ctx, "eks:DescribeAccessEntry")
    try:
        cluster = _cluster_for(ctx, state, "DescribeAccessEntry")
    except AwsError:
        return None
    entry = cluster["access_entries"].get(state["principal_arn"])
    return _entry_view(cluster, entry, state) if entry else None


def access_entry_update(ctx: Any, prior: dict, planned: dict) -> dict:
    _identity(ctx, "eks:UpdateAccessEntry")
    try:
        cluster = _cluster_for(ctx, prior, "UpdateAccessEntry")
    except AwsError as exc:
        raise _failed(ctx, f"updating EKS Access Entry ({prior['id']})", exc) from None
    entry = cluster["access_entries"][prior["principal_arn"]]
    groups = planned.get("kubernetes_groups")
    entry.update(kubernetes_groups=list(groups) if isinstance(groups, list) else [],
                 user_name=_str(planned.get("user_name")) or entry["user_name"],
                 tags=_tags_all(ctx.config, planned.get("tags")),
                 modified_at=aws.iso(ctx.cloud["now"]))
    return _entry_view(cluster, entry, planned)


def access_entry_delete(ctx: Any, state: dict) -> None:
    _identity(ctx, "eks:DeleteAccessEntry")
    try:
        cluster = _cluster_for(ctx, state, "DeleteAccessEntry")
    except AwsError:
        return
    cluster["access_entries"].pop(state["principal_arn"], None)


def association_create(ctx: Any, planned: dict) -> dict:
    _identity(ctx, "eks:AssociateAccessPolicy")
    principal, policy = planned["principal_arn"], planned["policy_arn"]
    doing = (f"creating EKS Access Policy Association ({planned['cluster_name']}#{principal}"
             f"#{policy})")
    op = "AssociateAccessPolicy"
    scope = _first(planned, "access_scope")
    try:
        cluster = _cluster_for(ctx, planned, op)
        entry = cluster["access_entries"].get(principal)
        if entry is None:
            raise _eks(op, 404, "ResourceNotFoundException",
                       "The specified principalArn could not be found. You can view your "
                       "available access entries with 'list-access-entries'.")
        if not policy.startswith(aws.ACCESS_POLICY_PREFIX) or \
                policy[len(aws.ACCESS_POLICY_PREFIX):] not in aws.ACCESS_POLICIES:
            raise _eks(op, 400, "InvalidParameterException",
                       f"The specified policyArn is invalid: {policy}")
        if scope.get("type") == "namespace" and not scope.get("namespaces"):
            raise _eks(op, 400, "InvalidParameterException",
                       "The namespaces field must be specified for access scope type "
                       "namespace")
    except AwsError as exc:
        raise _failed(ctx, doing, exc) from None
    aws.associate_policy(ctx.cloud, entry, policy, scope.get("type"), scope.get("namespaces"))
    stamp = entry["policies"][policy]["associated_at"]
    return dict(planned, id=f"{cluster['name']}#{principal}#{policy}", region=cluster["region"],
                associated_at=stamp, modified_at=stamp)


def association_read(ctx: Any, state: dict) -> dict | None:
    _identity(ctx, "eks:ListAssociatedAccessPolicies")
    try:
        cluster = _cluster_for(ctx, state, "ListAssociatedAccessPolicies")
    except AwsError:
        return None
    entry = cluster["access_entries"].get(state["principal_arn"])
    return state if entry and state["policy_arn"] in entry["policies"] else None


def association_delete(ctx: Any, state: dict) -> None:
    _identity(ctx, "eks:DisassociateAccessPolicy")
    try:
        cluster = _cluster_for(ctx, state, "DisassociateAccessPolicy")
    except AwsError:
        return
    entry = cluster["access_entries"].get(state["principal_arn"])
    if entry:
        entry["policies"].pop(state["policy_arn"], None)


# --------------------------------------------------------------------------- data sources

def _data(type_name: str, value: dict) -> dict:
    return _complete(AWS_DATA_SOURCES[type_name], value)


def partition_data(ctx: Any, config: dict) -> dict:
    return _data("aws_partition", {"id": "aws", "partition": "aws", "dns_suffix": "amazonaws.com",
                                   "reverse_dns_prefix": "com.amazonaws"})


def caller_identity_data(ctx: Any, config: dict) -> dict:
    identity = _identity(ctx, "sts:GetCallerIdentity")
    return _data("aws_caller_identity", {"id": ACCOUNT, "account_id": ACCOUNT,
                                         "arn": identity["arn"], "user_id": identity["user_id"]})


def session_context_data(ctx: Any, config: dict) -> dict:
    arn = config["arn"]
    out = {"arn": arn, "id": arn, "issuer_arn": arn, "issuer_id": "", "issuer_name": "",
           "session_name": ""}
    match = re.fullmatch(r"arn:[^:]+:sts::\d{12}:assumed-role/(.+)/([^/]{2,})", arn or "")
    if not match:
        return _data("aws_iam_session_context", out)
    _identity(ctx, "iam:GetRole")
    role_name = match.group(1).split("/")[-1]
    role = _role_named(ctx.cloud, role_name)
    if role is None:
        raise ApiError(f"unable to get role ({role_name}): couldn't find resource")
    out.update(issuer_arn=role["arn"], issuer_id=role["role_id"], issuer_name=role_name,
               session_name=match.group(2))
    return _data("aws_iam_session_context", out)


def cluster_versions_data(ctx: Any, config: dict) -> dict:
    _identity(ctx, "eks:DescribeClusterVersions")
    versions = copy.deepcopy(ctx.cloud["aws"]["eks_versions"])
    if not config.get("include_all"):
        versions = [v for v in versions if v["version_status"] != "UNSUPPORTED"]
    if config.get("cluster_type") not in (None, "eks"):
        versions = []
    if config.get("default_only"):
        versions = [v for v in versions if v["default_version"]]
    if config.get("cluster_versions_only"):
        versions = [v for v in versions if v["cluster_version"] in config["cluster_versions_only"]]
    if config.get("version_status"):
        versions = [v for v in versions if v["version_status"] == config["version_status"]]
    region = _str(config.get("region")) or provider_region(ctx.config)
    return _data("aws_eks_cluster_versions", dict(config, region=region,
                                                  cluster_versions=versions))


def _ec2_filter(items: list, filters: list, fields: dict) -> list:
    for flt in filters or []:
        name, values = flt["name"], set(flt["values"])
        if name.startswith("tag:"):
            items = [i for i in items if i["tags"].get(name[4:]) in values]
            continue
        key = fields.get(name)
        if key is None:
            raise ApiError(f"operation error EC2: Describe, https response error StatusCode: "
                           f"400, RequestID: {uuid.uuid4()}, api error "
                           f"InvalidParameterValue: The filter '{name}' is invalid")
        items = [i for i in items if str(i[key]).lower() in {v.lower() for v in values}
                 or i[key] in values]
    return items


def vpc_data(ctx: Any, config: dict) -> dict:
    _identity(ctx, "ec2:DescribeVpcs")
    region = _str(config.get("region")) or provider_region(ctx.config)
    vpcs = ctx.cloud["aws"]["vpcs"].get(region, [])
    for name, key in (("id", "id"), ("cidr_block", "cidr_block"), ("state", "state"),
                      ("default", "default"), ("dhcp_options_id", "dhcp_options_id")):
        if config.get(name) is not None:
            vpcs = [v for v in vpcs if v[key] == config[name]]
    for key, value in (config.get("tags") or {}).items():
        vpcs = [v for v in vpcs if v["tags"].get(key) == value]
    vpcs = _ec2_filter(vpcs, config.get("filter"), {
        "vpc-id": "id", "cidr": "cidr_block", "cidr-block": "cidr_block",
        "is-default": "default", "isDefault": "default", "state": "state",
        "dhcp-options-id": "dhcp_options_id"})
    if not vpcs:
        raise ApiError("no matching EC2 VPC found")
    if len(vpcs) > 1:
        raise ApiError("multiple EC2 VPCs matched; use additional constraints to reduce "
                       "matches to a single EC2 VPC")
    vpc = vpcs[0]
    return _data("aws_vpc", dict(
        config, id=vpc["id"], region=region, cidr_block=vpc["cidr_block"],
        default=vpc["default"], state=vpc["state"], tags=vpc["tags"],
        dhcp_options_id=vpc["dhcp_options_id"], main_route_table_id=vpc["main_route_table_id"],
        arn=f"arn:aws:ec2:{region}:{ACCOUNT}:vpc/{vpc['id']}", owner_id=ACCOUNT,
        enable_dns_hostnames=True, enable_dns_support=True,
        enable_network_address_usage_metrics=False, instance_tenancy="default",
        cidr_block_associations=[{"association_id": vpc["id"].replace("vpc-", "vpc-cidr-assoc-"),
                                  "cidr_block": vpc["cidr_block"], "state": "associated"}],
        ipv6_cidr_block_associations=[], ipv6_cidr_block="", ipv6_association_id=""))


def subnets_data(ctx: Any, config: dict) -> dict:
    _identity(ctx, "ec2:DescribeSubnets")
    region = _str(config.get("region")) or provider_region(ctx.config)
    subnets = ctx.cloud["aws"]["subnets"].get(region, [])
    for key, value in (config.get("tags") or {}).items():
        subnets = [s for s in subnets if s["tags"].get(key) == value]
    subnets = _ec2_filter(subnets, config.get("filter"), {
        "vpc-id": "vpc_id", "default-for-az": "default_for_az", "defaultForAz": "default_for_az",
        "availability-zone": "availability_zone", "availabilityZone": "availability_zone",
        "availability-zone-id": "availability_zone_id", "subnet-id": "id",
        "state": "state", "cidr-block": "cidr_block", "cidrBlock": "cidr_block"})
    return _data("aws_subnets", dict(config, id=region, region=region,
                                     ids=[s["id"] for s in subnets],
                                     tags=config.get("tags") or {}))


def availability_zones_data(ctx: Any, config: dict) -> dict:
    """ec2:DescribeAvailabilityZones: the region's zones (every one available here)."""
    _identity(ctx, "ec2:DescribeAvailabilityZones")
    region = _str(config.get("region")) or provider_region(ctx.config)
    letters = next((z for r, z in aws.REGIONS if r == region), "")
    zones = [{"name": f"{region}{letter}", "zone_id": aws.az_id(region, letter),
              "state": "available", "group_name": region, "tags": {}} for letter in letters]
    if config.get("state") not in (None, "available"):
        zones = []
    zones = [z for z in zones if z["name"] not in (config.get("exclude_names") or [])
             and z["zone_id"] not in (config.get("exclude_zone_ids") or [])]
    zones = _ec2_filter(zones, config.get("filter"), {
        "zone-name": "name", "zone-id": "zone_id", "state": "state", "group-name": "group_name"})
    return _data("aws_availability_zones", dict(
        config, id=region, region=region, names=[z["name"] for z in zones],
        zone_ids=[z["zone_id"] for z in zones],
        group_names=sorted({z["group_name"] for z in zones})))


# --------------------------------------------------------------------------- the table

BEHAVIOUR_AWS: dict[str, dict[str, Callable]] = {
    "aws_iam_role": dict(create=role_create, read=role_read, update=role_update,
                         delete=role_delete, plan=_plan("aws_iam_role", role_plan),
                         validate=role_validate),
    "aws_iam_role_policy_attachment": dict(
        create=attachment_create, read=attachment_read, update=lambda ctx, p, n: n,
        delete=attachment_delete, plan=_plan("aws_iam_role_policy_attachment")),
    "aws_eks_cluster": dict(create=cluster_create, read=cluster_read, update=cluster_update,
                            delete=cluster_delete, plan=_plan("aws_eks_cluster"),
                            validate=cluster_validate),
    "aws_eks_node_group": dict(create=node_group_create, read=node_group_read,
                               update=node_group_update, delete=node_group_delete,
                               plan=_plan("aws_eks_node_group"), validate=node_group_validate),
    "aws_eks_access_entry": dict(create=access_entry_create, read=access_entry_read,
                                 update=access_entry_update, delete=access_entry_delete,
                                 plan=_plan("aws_eks_access_entry"),
                                 validate=access_entry_validate),
    "aws_eks_access_policy_association": dict(
        create=association_create, read=association_read, update=lambda ctx, p, n: n,
        delete=association_delete, plan=_plan("aws_eks_access_policy_association"),
        validate=association_validate),
    "aws_partition": dict(data=partition_data),
    "aws_caller_identity": dict(data=caller_identity_data),
    "aws_iam_session_context": dict(data=session_context_data),
    "aws_eks_cluster_versions": dict(data=cluster_versions_data),
    "aws_vpc": dict(data=vpc_data),
    "aws_subnets": dict(data=subnets_data),
    "aws_availability_zones": dict(data=availability_zones_data),
}
#: Provider name -> its ConfigureProvider behaviour.
CONFIGURE = {"aws": configure}
