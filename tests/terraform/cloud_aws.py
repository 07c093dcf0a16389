"""The fake cloud's AWS: one account, its regions, IAM, STS, EKS, and how EKS authenticates.

``cloud["aws"]`` (made by :func:`new_aws`, called by ``cloud.new_cloud``) holds
the account: the regions it has, each with a default VPC and its default
subnets, the EKS versions and instance types on offer, IAM users (with access
keys) and roles, and the node groups; EKS clusters themselves are in
``cloud["clusters"]`` (``kind: eks``) beside the DOKS ones, so the Kubernetes,
Helm and Argo CD stand-ins reach them the same way.

Credentials are resolved from an environment as the AWS SDKs do (access keys,
then web identity, then a shared credentials profile). STS is stateless: the
temporary credentials of an assumed role carry their session, signed with the
account's STS secret, so the fake ``aws`` CLI (``aws_cli.py``) can issue them
without writing the cloud, which it only reads (``cloud.json`` is always
replaced whole, so reading it without the lock sees a whole cloud).

An EKS token (``aws eks get-token``) is, as the real one, ``k8s-aws-v1.`` and a
base64url presigned STS GetCallerIdentity URL: access key, region and time in
the query, the cluster name bound into the signature (the ``x-k8s-aws-id``
header). :func:`eks_authorize` checks it as EKS does: valid 15 minutes on the
cloud's clock, signed by a known principal, for this cluster; then the
principal's access entry and its access policies decide.

Wording of errors follows the AWS SDK for Go v2 (the provider), botocore (the
CLI) and EKS where known; where not (noted), it is close, not exact.
"""

from __future__ import annotations

import base64
import configparser
import datetime
import hashlib
import hmac
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

ACCOUNT = "111122223333"
PARTITION = "aws"
#: The IAM role the GitLab pipeline assumes with its ID token (web identity).
DEPLOYER_ROLE = "fleetform-deployer"
DEPLOYER_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{DEPLOYER_ROLE}"
#: An IAM user with access keys, made with every cloud.
ADMIN_USER = "fleetform-admin"
#: The OIDC provider the account trusts (GitLab ID tokens).
OIDC_PROVIDER = "gitlab.com"
#: How long EKS accepts a token from ``aws eks get-token`` (aws-iam-authenticator).
EKS_TOKEN_LIFETIME = 15 * 60
#: What ``aws eks get-token`` writes as the credential's expiry (awscli: 14 minutes).
EKS_TOKEN_EXPIRY_SHOWN = 14 * 60
#: Temporary credentials of AssumeRoleWithWebIdentity (default DurationSeconds).
SESSION_LIFETIME = 3600
EKS_TOKEN_PREFIX = "k8s-aws-v1."

#: The account's regions: code, AZ letters (the default VPC has a default subnet in each).
REGIONS = [
    ("us-east-1", "abcdef"), ("us-east-2", "abc"), ("us-west-1", "bc"), ("us-west-2", "abcd"),
    ("ca-central-1", "abd"), ("sa-east-1", "abc"),
    ("eu-central-1", "abc"), ("eu-west-1", "abc"), ("eu-west-2", "abc"), ("eu-west-3", "abc"),
    ("eu-north-1", "abc"),
    ("ap-south-1", "abc"), ("ap-northeast-1", "acd"), ("ap-northeast-2", "abcd"),
    ("ap-northeast-3", "abc"), ("ap-southeast-1", "abc"), ("ap-southeast-2", "abc"),
]
#: This account's AZ name -> AZ ID where it matters: us-east-1e is use1-az3, where EKS
#: puts no control plane (CreateCluster refuses its subnets; node groups may use them).
AZ_IDS = {"us-east-1": dict(zip("abcdef", ("use1-az6", "use1-az1", "use1-az2", "use1-az4",
                                             "use1-az3", "use1-az5")))}
EKS_CONTROL_PLANE_UNSUPPORTED_AZ_IDS = frozenset({"use1-az3", "usw1-az2", "cac1-az3"})

#: EKS versions (DescribeClusterVersions): version, status, release, end of standard and
#: of extended support, patch, default platform version, whether it is the default.
#: Dates are made up, consistent with the cloud's start (2026-05-28): 1.31 and 1.30 are in
#: extended support, 1.29 is unsupported (listed only with include_all, refused by
#: CreateCluster).
_STD, _EXT = "STANDARD_SUPPORT", "EXTENDED_SUPPORT"
EKS_VERSIONS = [
    ("1.34", _STD, "2026-02-17", "2027-04-17", "2028-04-17", "1.34.3", "eks.6", False),
    ("1.33", _STD, "2025-10-14", "2026-12-14", "2027-12-14", "1.33.7", "eks.14", True),
    ("1.32", _STD, "2025-06-10", "2026-08-10", "2027-08-10", "1.32.10", "eks.21", False),
    ("1.31", _EXT, "2025-02-04", "2026-04-04", "2027-04-04", "1.31.13", "eks.30", False),
    ("1.30", _EXT, "2024-09-24", "2025-11-24", "2026-11-24", "1.30.14", "eks.38", False),
    ("1.29", "UNSUPPORTED", "2024-05-02", "2025-07-02", "2026-03-02", "1.29.15", "eks.45", False),
]
#: The AMI release date of node groups (release_version is "<patch>-<date>").
AMI_RELEASE = "20260515"

#: Instance types EKS managed node groups accept, and their architecture.
INSTANCE_TYPES = {
    **{f"t3.{s}": "x86_64" for s in ("micro", "small", "medium", "large", "xlarge", "2xlarge")},
    **{f"t3a.{s}": "x86_64" for s in ("medium", "large", "xlarge")},
    **{f"{f}.{s}": "x86_64" for f in ("m5", "m6i", "m6a", "m7i", "c5", "c6i", "c7i", "r5", "r6i")
       for s in ("large", "xlarge", "2xlarge", "4xlarge")},
    **{f"{f}.{s}": "arm64" for f in ("m6g", "m7g", "c7g", "t4g")
       for s in ("large", "xlarge", "2xlarge")},
    "g5.xlarge": "x86_64_nvidia", "g5.2xlarge": "x86_64_nvidia",
}
AMI_TYPE_OF_ARCH = {"x86_64": "AL2023_x86_64_STANDARD", "arm64": "AL2023_ARM_64_STANDARD",
                    "x86_64_nvidia": "AL2023_x86_64_NVIDIA"}
DEFAULT_INSTANCE_TYPE = "t3.medium"

#: AWS managed IAM policies that can be attached (arn:aws:iam::aws:policy/<name>).
MANAGED_POLICIES = (
    "AmazonEKSClusterPolicy", "AmazonEKSServicePolicy", "AmazonEKSVPCResourceController",
    "AmazonEKSWorkerNodePolicy", "AmazonEKSWorkerNodeMinimalPolicy", "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore", "AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy", "AmazonEBSCSIDriverPolicy",
    "AdministratorAccess", "ReadOnlyAccess",
)
#: EKS access policies (arn:aws:eks::aws:cluster-access-policy/<name>) and what they allow
#: in the fake: everything, everything but RBAC objects, or reads only.
ACCESS_POLICIES = {"AmazonEKSClusterAdminPolicy": "all", "AmazonEKSAdminPolicy": "all",
                   "AmazonEKSEditPolicy": "edit", "AmazonEKSViewPolicy": "read"}
ACCESS_POLICY_PREFIX = "arn:aws:eks::aws:cluster-access-policy/"
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
                        "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE",
                        "AWS_CONFIG_FILE")


class AwsError(Exception):
    """An AWS API error: ``code`` and ``message`` as the service sends them."""

    def __init__(self, service: str, operation: str, status: int, code: str, message: str,
                 modeled: bool = True) -> None:
        self.service, self.operation, self.status = service, operation, status
        self.code, self.message, self.modeled = code, message, modeled
        super().__init__(self.sdk())

    def sdk(self) -> str:
        """As the AWS SDK for Go v2 prints it (smithy's OperationError)."""
        api = f"{self.code}: {self.message}" if self.modeled else \
            f"api error {self.code}: {self.message}"
        return (f"operation error {self.service}: {self.operation}, https response error "
                f"StatusCode: {self.status}, RequestID: {uuid.uuid4()}, {api}")

    def cli(self) -> str:
        """As botocore prints it."""
        return (f"An error occurred ({self.code}) when calling the {self.operation} "
                f"operation: {self.message}")


class NoCredentials(Exception):
    """No credential source in the environment (neither the SDK nor the CLI finds one)."""


# --------------------------------------------------------------------------- the account

def _hex_id(prefix: str, *parts: str, length: int = 17) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{prefix}-{digest[:length]}"


def _key_id(prefix: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(16))


def az_id(region: str, letter: str) -> str:
    known = AZ_IDS.get(region, {})
    if letter in known:
        return known[letter]
    short = "".join(p[0] if not p.isdigit() else p for p in region.split("-"))
    return f"{short}-az{'abcdef'.index(letter) + 1}"


def _default_network(region: str, letters: str) -> tuple[dict, list]:
    vpc = {"id": _hex_id("vpc", region, "default"), "cidr_block": "172.31.0.0/16",
           "default": True, "state": "available", "tags": {},
           "dhcp_options_id": _hex_id("dopt", region), "main_route_table_id":
           _hex_id("rtb", region, "main")}
    subnets = [{"id": _hex_id("subnet", region, "default", letter), "vpc_id": vpc["id"],
                "availability_zone": f"{region}{letter}", "availability_zone_id":
                az_id(region, letter), "cidr_block": f"172.31.{16 * i}.0/20",
                "default_for_az": True, "state": "available", "tags": {}}
               for i, letter in enumerate(letters)]
    return vpc, subnets


def _versions() -> list:
    return [{"cluster_version": v, "version_status": status, "release_date": f"{rel}T00:00:00Z",
             "end_of_standard_support_date": f"{std}T00:00:00Z",
             "end_of_extended_support_date": f"{ext}T00:00:00Z",
             "kubernetes_patch_version": patch, "default_platform_version": platform,
             "default_version": default, "cluster_type": "eks"}
            for v, status, rel, std, ext, patch, platform, default in EKS_VERSIONS]


def trust_policy(*services: str, federated: str | None = None) -> str:
    """An assume-role policy document trusting AWS services (or an OIDC provider)."""
    statements = [{"Effect": "Allow", "Principal": {"Service": s},
                   "Action": ["sts:AssumeRole", "sts:TagSession"]} for s in services]
    if federated:
        statements.append({"Effect": "Allow", "Principal": {
            "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{federated}"},
            "Action": "sts:AssumeRoleWithWebIdentity"})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def new_aws(now: int) -> dict:
    """The account as a new cloud has it (``cloud["aws"]``)."""
    vpcs, subnets = {}, {}
    for region, letters in REGIONS:
        vpc, nets = _default_network(region, letters)
        vpcs[region], subnets[region] = [vpc], nets
    data = {"account": ACCOUNT, "regions": [r for r, _ in REGIONS], "vpcs": vpcs,
            "subnets": subnets, "eks_versions": _versions(),
            "instance_types": dict(INSTANCE_TYPES), "users": {}, "access_keys": {},
            "roles": {}, "oidc_providers": [OIDC_PROVIDER],
            "sts_secret": secrets.token_hex(16), "nodegroups": {}, "calls": []}
    add_user({"aws": data, "now": now}, ADMIN_USER)
    add_role({"aws": data, "now": now}, DEPLOYER_ROLE, trust_policy(federated=OIDC_PROVIDER),
             attached=["arn:aws:iam::aws:policy/AdministratorAccess"])
    return data


def iso(now: int, seconds: int = 0) -> str:
    return datetime.datetime.fromtimestamp(now + seconds, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


def add_user(cloud: dict, name: str) -> tuple[str, str]:
    """An IAM user with one access key (made if missing): ``(key id, secret)``."""
    aws = cloud["aws"]
    user = aws["users"].get(name)
    if user is None:
        user = aws["users"][name] = {
            "name": name, "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "user_id": _key_id("AIDA")[:21], "create_date": iso(cloud["now"])}
    key = next((k for k, v in aws["access_keys"].items() if v["user"] == name), None)
    if key is None:
        key = _key_id("AKIA")
        aws["access_keys"][key] = {"user": name, "secret": secrets.token_urlsafe(30)[:40]}
    return key, aws["access_keys"][key]["secret"]


def add_role(cloud: dict, name: str, assume_role_policy: str, path: str = "/",
             attached: list | None = None, **extra: Any) -> dict:
    """An IAM role (made if missing)."""
    roles = cloud["aws"]["roles"]
    existing = next((r for n, r in roles.items() if n.lower() == name.lower()), None)
    if existing is not None:  # IAM names are unique whatever their case
        return existing
    roles[name] = {"name": name, "path": path, "arn": f"arn:aws:iam::{ACCOUNT}:role{path}{name}",
                   "role_id": _key_id("AROA")[:21], "create_date": iso(cloud["now"]),
                   "assume_role_policy": assume_role_policy, "attached": list(attached or []),
                   **extra}
    return roles[name]


def role_by_arn(cloud: dict, arn: str) -> dict | None:
    return next((r for r in cloud["aws"]["roles"].values() if r["arn"] == arn), None)


def log_call(cloud: dict, operation: str, principal: str | None, outcome: str = "ok") -> None:
    """``cloud["aws"]["calls"]``: ``[operation, principal ARN, outcome]`` of every AWS call."""
    cloud["aws"]["calls"].append([operation, principal, outcome])


def region_error(region: str) -> str:
    # aws-sdk-go-base v2, ValidateRegion
    return f"Invalid AWS Region: {region}"


def eks_clusters(cloud: dict) -> list:
    return [c for c in cloud["clusters"].values() if c.get("kind") == "eks"]


def eks_cluster(cloud: dict, region: str, name: str) -> dict | None:
    return next((c for c in eks_clusters(cloud) if c["region"] == region and c["name"] == name),
                None)


def offered_versions(cloud: dict) -> list:
    """Versions CreateCluster takes (standard and extended support)."""
    return [v["cluster_version"] for v in cloud["aws"]["eks_versions"]
            if v["version_status"] != "UNSUPPORTED"]


# --------------------------------------------------------------------------- credentials and STS

@dataclass
class Credentials:
    access_key: str
    secret_key: str
    session_token: str | None = None
    source: str = "EnvConfigCredentials"


def _sign(key: str, text: str) -> str:
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def assume_role_with_web_identity(cloud: dict, role_arn: str, token: str,
                                  session_name: str) -> Credentials:
    """STS AssumeRoleWithWebIdentity: temporary credentials of ``role_arn`` (not stored)."""
    role = role_by_arn(cloud, role_arn)
    trusted = role is not None and "sts:AssumeRoleWithWebIdentity" in role["assume_role_policy"] \
        and any(p in role["assume_role_policy"] for p in cloud["aws"]["oidc_providers"])
    if not token.strip() or not trusted:
        raise AwsError("STS", "AssumeRoleWithWebIdentity", 403, "AccessDenied",
                       "Not authorized to perform sts:AssumeRoleWithWebIdentity", modeled=False)
    if not re.fullmatch(r"[\w+=,.@-]{2,64}", session_name):
        raise AwsError("STS", "AssumeRoleWithWebIdentity", 400, "ValidationError",
                       f"1 validation error detected: Value '{session_name}' at "
                       "'roleSessionName' failed to satisfy constraint: Member must satisfy "
                       "regular expression pattern: [\\w+=,.@-]*", modeled=False)
    key = "ASIA" + hashlib.sha256(f"{role_arn}/{session_name}/{cloud['now']}".encode()) \
        .hexdigest()[:16].upper()
    claims = {"role": role_arn, "session": session_name, "key": key,
              "expires": cloud["now"] + SESSION_LIFETIME}
    body = _b64(json.dumps(claims, sort_keys=True).encode())
    session_token = f"{body}.{_sign(cloud['aws']['sts_secret'], body)}"
    return Credentials(key, _sign(cloud["aws"]["sts_secret"], key)[:40], session_token,
                       "WebIdentityCredentials")


def caller_identity(cloud: dict, creds: Credentials, operation: str = "GetCallerIdentity"
                    ) -> dict:
    """What STS makes of credentials: ``{"arn", "account", "user_id", "issuer"}``.

    ``issuer`` is the IAM principal behind the caller: the user, or for an
    assumed-role session the role (with its path). Raises :class:`AwsError`.
    """
    aws = cloud["aws"]
    invalid = AwsError("STS", operation, 403, "InvalidClientTokenId",
                       "The security token included in the request is invalid.", modeled=False)
    if creds.session_token:
        body, _, signature = creds.session_token.partition(".")
        if not hmac.compare_digest(_sign(aws["sts_secret"], body), signature):
            raise invalid
        claims = json.loads(_unb64(body))
        if claims["key"] != creds.access_key:
            raise invalid
        if creds.secret_key != _sign(aws["sts_secret"], creds.access_key)[:40]:
            raise _signature_mismatch(operation)
        if claims["expires"] <= cloud["now"]:
            raise AwsError("STS", operation, 400, "ExpiredToken",
                           "The security token included in the request is expired",
                           modeled=False)
        role = role_by_arn(cloud, claims["role"])
        if role is None:
            raise invalid
        return {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role['name']}/{claims['session']}",
                "account": ACCOUNT, "user_id": f"{role['role_id']}:{claims['session']}",
                "issuer": role["arn"], "session": claims["session"]}
    key = aws["access_keys"].get(creds.access_key)
    if key is None or key["user"] not in aws["users"]:
        raise invalid
    if not hmac.compare_digest(key["secret"], creds.secret_key):
        raise _signature_mismatch(operation)
    user = aws["users"][key["user"]]
    return {"arn": user["arn"], "account": ACCOUNT, "user_id": user["user_id"],
            "issuer": user["arn"], "session": None}


def _signature_mismatch(operation: str) -> AwsError:
    return AwsError("STS", operation, 403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you "
                    "provided. Check your AWS Secret Access Key and signing method. Consult "
                    "the service documentation for details.", modeled=False)


def _profile(env: dict, name: str | None, explicit: bool) -> Credentials | None:
    home = env.get("HOME") or "~"
    path = Path(env.get("AWS_SHARED_CREDENTIALS_FILE") or Path(home) / ".aws" / "credentials")
    parser = configparser.ConfigParser()
    if path.expanduser().is_file():
        parser.read(path.expanduser())
    name = name or "default"
    if not parser.has_section(name):
        if explicit:
            raise ProfileNotFound(name)
        return None
    section = parser[name]
    if section.get("aws_access_key_id") and section.get("aws_secret_access_key"):
        return Credentials(section["aws_access_key_id"], section["aws_secret_access_key"],
                           section.get("aws_session_token"), "SharedConfigCredentials")
    return None


class ProfileNotFound(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def resolve_credentials(cloud: dict, env: dict, session_name: str,
                        config: dict | None = None) -> Credentials:
    """The credential chain of the SDK (provider) or CLI, on ``env``.

    Order: static keys (provider configuration, then AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY with AWS_SESSION_TOKEN), web identity (provider
    configuration's assume_role_with_web_identity, then AWS_ROLE_ARN with
    AWS_WEB_IDENTITY_TOKEN_FILE), a shared credentials profile (AWS_PROFILE, else
    "default"). ``session_name`` names a web identity session when
    AWS_ROLE_SESSION_NAME does not. Raises NoCredentials, ProfileNotFound,
    AwsError (STS refused the web identity) or OSError (no token file).
    """
    config = config or {}

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) and value else None

    if text(config.get("access_key")) and text(config.get("secret_key")):
        return Credentials(config["access_key"], config["secret_key"], text(config.get("token")),
                           "StaticCredentials")
    if text(env.get("AWS_ACCESS_KEY_ID")) and text(env.get("AWS_SECRET_ACCESS_KEY")):
        return Credentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"],
                           text(env.get("AWS_SESSION_TOKEN")))
    web = (config.get("assume_role_with_web_identity") or [None])[0] or {}
    role = text(web.get("role_arn")) or text(env.get("AWS_ROLE_ARN"))
    token_file = text(web.get("web_identity_token_file")) or \
        text(env.get("AWS_WEB_IDENTITY_TOKEN_FILE"))
    token = text(web.get("web_identity_token"))
    if role and (token or token_file):
        if token is None:
            token = Path(token_file).read_text()
        session = text(web.get("session_name")) or text(env.get("AWS_ROLE_SESSION_NAME")) \
            or session_name
        return assume_role_with_web_identity(cloud, role, token, session)
    profile = text(config.get("profile")) or text(env.get("AWS_PROFILE"))
    found = _profile(env, profile, explicit=profile is not None)
    if found:
        return found
    raise NoCredentials()


# --------------------------------------------------------------------------- EKS tokens

def _amz_date(now: int) -> str:
    return datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _string_to_sign(query: list, cluster: str) -> str:
    return "&".join(f"{k}={v}" for k, v in query) + f"\nx-k8s-aws-id:{cluster}"


def presign_eks_token(cloud: dict, creds: Credentials, cluster: str, region: str) -> str:
    """``aws eks get-token``: a presigned GetCallerIdentity URL, signed locally (no call)."""
    date = _amz_date(cloud["now"])
    query = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15"),
             ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
             ("X-Amz-Credential", quote(f"{creds.access_key}/{date[:8]}/{region}/sts/aws4_request",
                                        safe="")),
             ("X-Amz-Date", date), ("X-Amz-Expires", "60"),
             ("X-Amz-SignedHeaders", quote("host;x-k8s-aws-id", safe=""))]
    if creds.session_token:
        query.append(("X-Amz-Security-Token", quote(creds.session_token, safe="")))
    signature = _sign(creds.secret_key, _string_to_sign(query, cluster))
    url = f"https://sts.{region}.amazonaws.com/?" + "&".join(f"{k}={v}" for k, v in query) + \
        f"&X-Amz-Signature={signature}"
    return EKS_TOKEN_PREFIX + _b64(url.encode())


def decode_eks_token(token: str) -> dict:
    """What a token says (for tests): access key, region, issue time, session token."""
    url = _unb64(token[len(EKS_TOKEN_PREFIX):]).decode()
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    key, day, region, *_ = query["X-Amz-Credential"].split("/")
    issued = datetime.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ") \
        .replace(tzinfo=datetime.timezone.utc)
    return {"host": parts.netloc, "access_key": key, "region": region,
            "issued": int(issued.timestamp()), "session_token": query.get("X-Amz-Security-Token"),
            "signature": query.get("X-Amz-Signature"), "raw_query": parts.query}


def eks_token_identity(cloud: dict, token: Any, cluster: dict) -> tuple[dict | None, str]:
    """The STS identity behind an EKS token for ``cluster``, and why not when None.

    As aws-iam-authenticator: the token must be a presigned GetCallerIdentity URL
    of a regional STS endpoint, at most 15 minutes old, signed for this cluster's
    name; STS must accept the credentials it was signed with.
    """
    if not isinstance(token, str) or not token.startswith(EKS_TOKEN_PREFIX):
        return None, "unauthorized"
    try:
        claims = decode_eks_token(token)
    except (ValueError, KeyError, UnicodeDecodeError):
        return None, "unauthorized"
    if claims["host"] not in {f"sts.{r}.amazonaws.com" for r in cloud["aws"]["regions"]}:
        return None, "unauthorized"
    age = cloud["now"] - claims["issued"]
    if age >= EKS_TOKEN_LIFETIME or age < -60:
        return None, "expired"
    query = [tuple(p.split("=", 1)) for p in claims["raw_query"].split("&")
             if not p.startswith("X-Amz-Signature=")]
    creds = Credentials(claims["access_key"], "", claims["session_token"])
    try:
        secret = _secret_of(cloud, creds)
    except AwsError:
        return None, "unauthorized"
    if secret is None or not hmac.compare_digest(
            _sign(secret, _string_to_sign(query, cluster["name"])), claims["signature"] or ""):
        return None, "unauthorized"
    creds.secret_key = secret
    try:
        return caller_identity(cloud, creds), "ok"
    except AwsError as exc:
        return None, "expired" if exc.code == "ExpiredToken" else "unauthorized"


def _secret_of(cloud: dict, creds: Credentials) -> str | None:
    """STS knows the secret of every key it issued (here: derives or looks it up)."""
    aws = cloud["aws"]
    if creds.session_token:
        return _sign(aws["sts_secret"], creds.access_key)[:40]
    key = aws["access_keys"].get(creds.access_key)
    return key["secret"] if key else None


def default_user_name(principal: str) -> str:
    """The Kubernetes user name EKS gives an access entry of ``principal``."""
    kind, _, name = principal.split(":", 5)[-1].partition("/")
    if kind == "role":
        return f"arn:aws:sts::{ACCOUNT}:assumed-role/{name.rsplit('/', 1)[-1]}/{{{{SessionName}}}}"
    return principal


def new_access_entry(cloud: dict, cluster: dict, principal: str, kind: str = "STANDARD",
                     groups: list | None = None, user_name: str | None = None) -> dict:
    """An access entry as CreateAccessEntry makes it (``policies``: none yet)."""
    resource = principal.split(":", 5)[-1]
    return {"principal_arn": principal, "type": kind, "kubernetes_groups": list(groups or []),
            "user_name": user_name or default_user_name(principal),
            "created_at": iso(cloud["now"]), "modified_at": iso(cloud["now"]),
            "arn": f"arn:aws:eks:{cluster['region']}:{ACCOUNT}:access-entry/{cluster['name']}/"
                   f"{resource.split('/')[0]}/{ACCOUNT}/{resource.split('/')[-1]}/{uuid.uuid4()}",
            "policies": {}, "tags": {}}


def associate_policy(cloud: dict, entry: dict, policy: str, scope: str = "cluster",
                     namespaces: list | None = None) -> None:
    """AssociateAccessPolicy: ``policy`` a name (AmazonEKSClusterAdminPolicy) or an ARN."""
    arn = policy if policy.startswith("arn:") else ACCESS_POLICY_PREFIX + policy
    entry["policies"][arn] = {"access_scope": {"type": scope, "namespaces": list(namespaces or [])},
                              "associated_at": iso(cloud["now"])}


def access_user_name(entry: dict, identity: dict) -> str:
    """The Kubernetes user name an access entry maps the caller to."""
    name = entry.get("user_name") or identity["arn"]
    return name.replace("{{SessionName}}", identity.get("session") or "")


def _needs(what: str) -> str:
    """What a request needs: read, edit (objects), or all (RBAC objects)."""
    verb = what.split(" ", 1)[0]
    if verb == "GET" or what.startswith("helm status"):
        return "read"
    return "all" if "cluster_role" in what else "edit"


def eks_authorize(cloud: dict, cluster: dict, token: Any, what: str) -> str:
    """EKS's authentication and access entries; the principal ARN, or ApiError as client-go says.

    No valid token, or no access entry for the principal: 401 Unauthorized. An
    access entry whose access policies do not allow the request: 403 Forbidden.
    Every request goes to ``cloud["log"]`` as ``[outcome, cluster, what, principal]``.
    """
    from cloud import ApiError

    identity, why = eks_token_identity(cloud, token, cluster)
    if identity is None:
        cloud["log"].append([why, cluster["name"], what, None])
        raise ApiError(f"{what}: Unauthorized")
    principal = identity["issuer"]
    entry = cluster["access_entries"].get(principal)
    if entry is None:
        cloud["log"].append(["unauthorized", cluster["name"], what, principal])
        raise ApiError(f"{what}: Unauthorized")
    allowed = {ACCESS_POLICIES.get(p.removeprefix(ACCESS_POLICY_PREFIX))
               for p in entry["policies"]}
    need = _needs(what)
    if not ("all" in allowed or (need != "all" and "edit" in allowed)
            or (need == "read" and "read" in allowed)):
        user = access_user_name(entry, identity)
        cloud["log"].append(["forbidden", cluster["name"], what, principal])
        raise ApiError(f'{what}: Forbidden: User "{user}" cannot '
                       f'{"get" if need == "read" else "change"} this resource: no access '
                       f"policy of the access entry allows it")
    cloud["log"].append(["ok", cluster["name"], what, principal])
    return principal


def new_endpoint(region: str) -> str:
    return f"https://{secrets.token_hex(16).upper()}.gr7.{region}.eks.amazonaws.com"


def env_region(env: dict) -> str | None:
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None

