"""The fake cloud's Google Cloud: a project, IAM, credentials and OAuth tokens, GKE.

``cloud["google"]`` (made by :func:`new_google`, called by ``cloud.new_cloud``) holds
one project with its IAM policy, service accounts with their keys, a workload identity
pool trusting GitLab, users (for gcloud's application default credentials), the regions
and zones, the machine types per zone, GKE's server config (versions and release
channels), the node pools and every API call made. GKE clusters themselves are in
``cloud["clusters"]`` (``kind: gke``) beside the DOKS and EKS ones, so the Kubernetes,
Helm and Argo CD stand-ins reach them the same way.

Credentials are found in an environment as Google's libraries find them: the provider's
own chain (``provider_credentials``: the provider block, GOOGLE_OAUTH_ACCESS_TOKEN,
GOOGLE_CREDENTIALS, then Application Default Credentials) and ADC alone
(``adc_credentials``: GOOGLE_APPLICATION_CREDENTIALS, then gcloud's
``application_default_credentials.json``; no metadata server here). A credential becomes
an OAuth access token (``access_token``): a service account key's JWT grant, an
external account's STS exchange of its subject token (the GitLab ID token in
``credential_source.file``) and, with ``service_account_impersonation_url``, the service
account's generateAccessToken; an authorized user's refresh token. Tokens are stateless
(``ya29.`` and signed claims: principal, expiry, scopes), so the fake
``gke-gcloud-auth-plugin`` issues them reading the cloud only, and they live one hour on
the cloud's clock (``TOKEN_LIFETIME``).

GKE authenticates such a token (:func:`gke_authorize`): signed by this cloud and not
expired, else 401; then the principal's IAM roles on the cluster's project decide
(Kubernetes Engine roles, owner, editor), else 403.

Wording of errors follows golang.org/x/oauth2, google-api-go-client (``googleapi: Error
...``) and GKE where known; where not (noted), it is close, not exact.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = "fleetform-prod"
PROJECT_NUMBER = "483920571236"
#: The service account the GitLab pipeline impersonates through workload identity federation.
DEPLOYER_SA = f"fleetform-deployer@{PROJECT}.iam.gserviceaccount.com"
#: The workload identity pool and provider trusting GitLab's ID tokens.
POOL, POOL_PROVIDER = "gitlab", "gitlab"
WIF_AUDIENCE = (f"//iam.googleapis.com/projects/{PROJECT_NUMBER}/locations/global/"
                f"workloadIdentityPools/{POOL}/providers/{POOL_PROVIDER}")
GITLAB_ISSUER = "https://gitlab.com"
#: The GitLab project whose jobs may impersonate the deployer (attribute.project_path).
GITLAB_PROJECT = "acme/fleet"
#: How long an OAuth access token lives (Google: one hour).
TOKEN_LIFETIME = 3600
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email"
#: The provider's DefaultClientScopes (transport/config.go) and the plugin's defaultScopes.
DEFAULT_SCOPES = (CLOUD_PLATFORM, USERINFO_EMAIL)
ADC_SETUP_URL = "https://cloud.google.com/docs/authentication/external/set-up-adc"
#: Every variable Google's libraries, the provider and the plugin take credentials from.
CREDENTIAL_VARIABLES = ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS",
                        "GOOGLE_CLOUD_KEYFILE_JSON", "GCLOUD_KEYFILE_JSON",
                        "GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDSDK_AUTH_ACCESS_TOKEN",
                        "CLOUDSDK_CONFIG", "GOOGLE_IMPERSONATE_SERVICE_ACCOUNT")

#: Regions and their zone letters.
REGIONS = {
    "us-central1": "abcf", "us-east1": "bcd", "us-east4": "abc", "us-west1": "abc",
    "northamerica-northeast1": "abc", "southamerica-east1": "abc",
    "europe-west1": "bcd", "europe-west2": "abc", "europe-west3": "abc",
    "europe-west4": "abc", "europe-north1": "abc", "asia-east1": "abc",
    "asia-northeast1": "abc", "asia-southeast1": "abc", "australia-southeast1": "abc",
}
#: Machine types: name -> (vCPUs, memory MB, shared core, the zones offering it (None:
#: every zone)). Arm (t2a) and GPU (g2) types are in a few zones only.
_T2A_ZONES = ("us-central1-a", "us-central1-b", "us-central1-f", "europe-west4-a",
              "europe-west4-b", "asia-southeast1-b")
_G2_ZONES = ("us-central1-a", "us-central1-b", "us-east4-a", "europe-west1-b",
             "europe-west1-c", "europe-west4-a", "asia-east1-a")
MACHINE_TYPES = {
    "e2-micro": (2, 1024, True, None), "e2-small": (2, 2048, True, None),
    "e2-medium": (2, 4096, True, None),
    **{f"e2-standard-{n}": (n, n * 4096, False, None) for n in (2, 4, 8, 16, 32)},
    **{f"e2-highmem-{n}": (n, n * 8192, False, None) for n in (2, 4, 8, 16)},
    **{f"e2-highcpu-{n}": (n, n * 1024, False, None) for n in (2, 4, 8, 16, 32)},
    **{f"n2-standard-{n}": (n, n * 4096, False, None) for n in (2, 4, 8, 16, 32)},
    **{f"n2d-standard-{n}": (n, n * 4096, False, None) for n in (2, 4, 8, 16)},
    **{f"c3-standard-{n}": (n, n * 4096, False, None) for n in (4, 8, 22)},
    **{f"n1-standard-{n}": (n, int(n * 3840), False, None) for n in (1, 2, 4, 8)},
    **{f"t2a-standard-{n}": (n, n * 4096, False, _T2A_ZONES) for n in (1, 2, 4, 8)},
    "g2-standard-4": (4, 16384, False, _G2_ZONES), "g2-standard-8": (8, 32768, False, _G2_ZONES),
}
#: The machine type GKE gives a node pool whose node_config names none.
DEFAULT_MACHINE_TYPE = "e2-medium"

#: GKE's server config (GetServerConfig), the same in every location: valid master
#: versions newest first, node versions (those and older), the default, and per release
#: channel its default, its valid versions and its upgrade target. Made up, consistent
#: with the cloud's start (2026-05-28).
MASTER_VERSIONS = ["1.35.2-gke.1141000", "1.35.1-gke.1396000", "1.34.4-gke.1047000",
                   "1.34.3-gke.1318000", "1.33.7-gke.1202000", "1.33.5-gke.1080000",
                   "1.32.11-gke.1174000", "1.32.9-gke.1108000", "1.31.14-gke.1119000"]
NODE_VERSIONS = MASTER_VERSIONS + ["1.31.12-gke.1265000", "1.30.14-gke.1190000",
                                   "1.30.12-gke.1246000", "1.29.15-gke.1325000"]
DEFAULT_CLUSTER_VERSION = "1.34.3-gke.1318000"
CHANNELS = {
    "RAPID": ("1.35.2-gke.1141000", MASTER_VERSIONS[:3], "1.35.2-gke.1141000"),
    "REGULAR": ("1.34.3-gke.1318000", MASTER_VERSIONS[2:5], "1.34.4-gke.1047000"),
    "STABLE": ("1.33.5-gke.1080000", MASTER_VERSIONS[4:7], "1.33.7-gke.1202000"),
    "EXTENDED": ("1.32.9-gke.1108000", MASTER_VERSIONS[4:9], "1.32.11-gke.1174000"),
}
#: IAM roles and what they allow on a GKE cluster's Kubernetes API: everything, all but
#: RBAC objects, or reads only (roles/container.clusterViewer: none).
KUBE_ACCESS = {"roles/owner": "all", "roles/container.admin": "all",
               "roles/editor": "edit", "roles/container.developer": "edit",
               "roles/viewer": "read", "roles/container.viewer": "read"}
#: Roles that may call the GKE API's mutating methods (create, update, delete) and reads.
API_WRITE = {"roles/owner", "roles/editor", "roles/container.admin",
             "roles/container.clusterAdmin"}
API_READ = API_WRITE | {"roles/viewer", "roles/container.viewer",
                        "roles/container.clusterViewer", "roles/container.developer"}


class GoogleApiError(Exception):
    """A Google API error as google-api-go-client prints it (``googleapi.Error``)."""

    def __init__(self, code: int, message: str, reason: str) -> None:
        self.code, self.message, self.reason = code, message, reason
        super().__init__(f"googleapi: Error {code}: {message}, {reason}")


class AdcError(Exception):
    """Application Default Credentials could not be found or read (oauth2/google's words)."""


class TokenError(Exception):
    """A credential could not be turned into an access token (oauth2's words)."""


# --------------------------------------------------------------------------- the cloud

def iso(now: int, seconds: int = 0) -> str:
    return datetime.datetime.fromtimestamp(now + seconds, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: str, text: str) -> str:
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def zones(region: str) -> list[str]:
    return [f"{region}-{z}" for z in REGIONS.get(region, "")]


def region_of(location: str) -> str | None:
    """The region of a region or zone name, None when Google has no such location."""
    if location in REGIONS:
        return location
    region, _, letter = location.rpartition("-")
    return region if region in REGIONS and letter in REGIONS[region] else None


def is_zone(location: str) -> bool:
    return location not in REGIONS and region_of(location) is not None


def machine_types_in(zone: str) -> list[dict]:
    """Compute's machineTypes.list of a zone, as the API returns its items."""
    out = []
    for name, (cpus, memory, shared, offered) in MACHINE_TYPES.items():
        if offered is not None and zone not in offered:
            continue
        accelerators = [{"guestAcceleratorType": "nvidia-l4", "guestAcceleratorCount":
                         cpus // 4}] if name.startswith("g2-") else None
        out.append({"name": name, "guestCpus": cpus, "memoryMb": memory,
                    "isSharedCpu": shared, "maximumPersistentDisks": 16 if shared else 128,
                    "maximumPersistentDisksSizeGb": "3072" if shared else "263168",
                    "description": f"{cpus} vCPU{'s' if cpus > 1 else ''}, "
                                   f"{memory / 1024:g} GB RAM",
                    "zone": zone, "accelerators": accelerators,
                    "selfLink": f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/"
                                f"zones/{zone}/machineTypes/{name}"})
    return out


def new_google(now: int) -> dict:
    """The Google side of a new cloud (``cloud["google"]``)."""
    data = {
        "projects": {PROJECT: {"number": PROJECT_NUMBER, "iam": {}}},
        "service_accounts": {}, "users": {}, "secret": secrets.token_hex(16),
        "wif_providers": {WIF_AUDIENCE: {
            "issuer": GITLAB_ISSUER, "project_number": PROJECT_NUMBER, "pool": POOL,
            "allowed_audiences": [f"https:{WIF_AUDIENCE}"],
            # service account -> the GitLab projects whose jobs may impersonate it
            "impersonation": {DEPLOYER_SA: [GITLAB_PROJECT]}}},
        "server_config": {"valid_master_versions": list(MASTER_VERSIONS),
                          "valid_node_versions": list(NODE_VERSIONS),
                          "default_cluster_version": DEFAULT_CLUSTER_VERSION,
                          "channels": {c: {"default_version": d, "valid_versions": list(v),
                                           "upgrade_target_version": t}
                                       for c, (d, v, t) in CHANNELS.items()}},
        "node_pools": {}, "calls": [],
    }
    cloud = {"google": data, "now": now}
    add_service_account(cloud, DEPLOYER_SA, roles=("roles/container.admin",
                                                   "roles/iam.serviceAccountUser"))
    return data


def add_service_account(cloud: dict, email: str, roles: tuple | list = ()) -> dict:
    """A service account (made if missing) with project roles granted to it."""
    google = cloud["google"]
    account = google["service_accounts"].get(email)
    if account is None:
        account = google["service_accounts"][email] = {
            "email": email, "project": email.split("@")[1].split(".")[0],
            "unique_id": str(int(hashlib.sha256(email.encode()).hexdigest(), 16))[:21],
            "keys": {}}
    for role in roles:
        grant(cloud, f"serviceAccount:{email}", role)
    return account


def add_key(cloud: dict, email: str) -> dict:
    """A new key of a service account: the key file's JSON (type service_account)."""
    account = add_service_account(cloud, email)
    key_id = secrets.token_hex(20)
    secret = secrets.token_hex(24)
    account["keys"][key_id] = secret
    pem = ("-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(secret.encode()).decode()
           + "\n-----END PRIVATE KEY-----\n")
    return {"type": "service_account", "project_id": account["project"],
            "private_key_id": key_id, "private_key": pem, "client_email": email,
            "client_id": account["unique_id"], "auth_uri":
            "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "universe_domain": "googleapis.com"}


def add_user(cloud: dict, email: str, roles: tuple | list = ()) -> dict:
    """A Google account and a refresh token of it: gcloud's ADC file (authorized_user)."""
    user = cloud["google"]["users"].setdefault(email, {"refresh_tokens": []})
    refresh = "1//" + secrets.token_urlsafe(30)
    user["refresh_tokens"].append(refresh)
    for role in roles:
        grant(cloud, f"user:{email}", role)
    return {"type": "authorized_user", "client_id": "fake-gcloud.apps.googleusercontent.com",
            "client_secret": "not-a-secret",
            "refresh_token": refresh, "account": "", "universe_domain": "googleapis.com"}


def grant(cloud: dict, member: str, role: str, project: str = PROJECT) -> None:
    """An IAM binding on a project: ``member`` (``serviceAccount:x``, ``user:x``,
    ``principal://...``) gets ``role``."""
    roles = cloud["google"]["projects"][project]["iam"].setdefault(member, [])
    if role not in roles:
        roles.append(role)


def revoke(cloud: dict, member: str, role: str | None = None, project: str = PROJECT) -> None:
    iam = cloud["google"]["projects"][project]["iam"]
    if role is None:
        iam.pop(member, None)
    elif role in iam.get(member, []):
        iam[member].remove(role)


def log_call(cloud: dict, method: str, principal: str | None, outcome: str = "ok") -> None:
    """``cloud["google"]["calls"]``: ``[method, principal, outcome]`` of every API call."""
    cloud["google"]["calls"].append([method, principal, outcome])


def gke_clusters(cloud: dict) -> list:
    return [c for c in cloud["clusters"].values() if c.get("kind") == "gke"]


def gke_cluster(cloud: dict, project: str, location: str, name: str) -> dict | None:
    return next((c for c in gke_clusters(cloud) if (c["project"], c["location"], c["name"])
                 == (project, location, name)), None)


def cluster_path(project: str, location: str, name: str) -> str:
    return f"projects/{project}/locations/{location}/clusters/{name}"


# --------------------------------------------------------------------------- credentials

@dataclass
class Credential:
    """Credentials as a library found them: ``kind`` service_account, external_account,
    authorized_user or access_token; ``info`` the parsed JSON (or the token);
    ``source`` where they came from."""

    kind: str
    info: Any
    source: str
    scopes: tuple = field(default=DEFAULT_SCOPES)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _path_or_contents(value: str) -> str:
    """verify.PathOrContents: a path to a file (``~`` expanded) or the contents."""
    path = Path(os.path.expanduser(value))
    try:
        if path.is_file():
            return path.read_text()
    except OSError:
        pass
    return value


def _parse_credentials(text: str, source: str) -> Credential:
    try:
        info = json.loads(text)
    except ValueError as exc:
        raise AdcError(f"{source}: invalid character in credentials JSON: {exc}") from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind not in ("service_account", "external_account", "authorized_user"):
        # oauth2/google: the wording for an unknown type
        raise AdcError(f"unknown credential type: {kind!r}")
    return Credential(kind, info, source)


def gcloud_adc_path(env: dict) -> Path:
    """gcloud's well-known ADC file: $CLOUDSDK_CONFIG or ~/.config/gcloud."""
    config = _text(env.get("CLOUDSDK_CONFIG"))
    base = Path(config) if config else Path(env.get("HOME") or "~") / ".config" / "gcloud"
    return base / "application_default_credentials.json"


def adc_credentials(env: dict) -> Credential:
    """golang.org/x/oauth2/google FindDefaultCredentials on ``env``: the file named by
    GOOGLE_APPLICATION_CREDENTIALS, else gcloud's well-known file, else (not on GCE)
    the "could not find default credentials" error."""
    path = _text(env.get("GOOGLE_APPLICATION_CREDENTIALS"))
    if path:
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise AdcError("google: error getting credentials using "
                           "GOOGLE_APPLICATION_CREDENTIALS environment variable: open "
                           f"{path}: {os.strerror(exc.errno or 2).lower()}") from None
        return _parse_credentials(text, f"GOOGLE_APPLICATION_CREDENTIALS ({path})")
    well_known = gcloud_adc_path(env)
    if well_known.is_file():
        return _parse_credentials(well_known.read_text(), f"gcloud ADC ({well_known})")
    raise AdcError(f"google: could not find default credentials. See {ADC_SETUP_URL} "
                   "for more information")


ADC_PROVIDER_PREFIX = (
    "Attempted to load application default credentials since neither `credentials` nor "
    "`access_token` was set in the provider block.  No credentials loaded. To use your "
    "gcloud credentials, run 'gcloud auth application-default login'.  Original error: ")


def provider_credentials(env: dict, config: dict | None = None) -> Credential:
    """The provider's ConfigureProvider and Config.GetCredentials (transport/config.go):
    ``access_token``/``credentials`` of the provider block, else GOOGLE_OAUTH_ACCESS_TOKEN,
    else GOOGLE_CREDENTIALS (GOOGLE_CLOUD_KEYFILE_JSON, GCLOUD_KEYFILE_JSON), each a path
    or the contents, else ADC. Raises AdcError with the provider's words."""
    config = config or {}
    token = _text(config.get("access_token"))
    creds = _text(config.get("credentials"))
    source = "provider block"
    if not token and not creds:
        token = _text(env.get("GOOGLE_OAUTH_ACCESS_TOKEN"))
        creds = next((env[v] for v in ("GOOGLE_CREDENTIALS", "GOOGLE_CLOUD_KEYFILE_JSON",
                                       "GCLOUD_KEYFILE_JSON") if _text(env.get(v))), None)
        source = "environment"
    if token:
        return Credential("access_token", _path_or_contents(token).strip(), source)
    if creds:
        text = _path_or_contents(creds)
        try:
            return _parse_credentials(text, source)
        except AdcError:
            raise AdcError(f"unable to parse credentials from '{text}': invalid "
                           "credentials") from None
    try:
        return adc_credentials(env)
    except AdcError as exc:
        raise AdcError(ADC_PROVIDER_PREFIX + str(exc)) from None


def scopes_for(config: dict | None) -> tuple:
    scopes = (config or {}).get("scopes")
    return tuple(scopes) if isinstance(scopes, list) and scopes else DEFAULT_SCOPES


# --------------------------------------------------------------------------- tokens

def issue_token(cloud: dict, principal: str, scopes: tuple = DEFAULT_SCOPES) -> tuple[str, int]:
    """An access token of ``principal`` valid TOKEN_LIFETIME on the cloud's clock (not stored):
    ``(token, expiry)``."""
    google = cloud["google"]
    expiry = cloud["now"] + TOKEN_LIFETIME
    body = _b64(json.dumps({"p": principal, "exp": expiry, "s": list(scopes),
                            "n": secrets.token_hex(6)}, sort_keys=True).encode())
    return f"ya29.{body}.{_sign(google['secret'], body)[:32]}", expiry


def token_claims(cloud: dict, token: Any) -> tuple[dict | None, str]:
    """What a bearer token says: ``(claims, "ok")``, or ``(None, "unauthorized"|"expired")``."""
    if not isinstance(token, str) or not token.startswith("ya29."):
        return None, "unauthorized"
    body, _, signature = token[5:].rpartition(".")
    if not body or not hmac.compare_digest(_sign(cloud["google"]["secret"], body)[:32],
                                           signature):
        return None, "unauthorized"
    claims = json.loads(_unb64(body))
    if claims["exp"] <= cloud["now"]:
        return None, "expired"
    return claims, "ok"


def federated_principal(subject: str) -> str:
    return (f"principal://iam.googleapis.com/projects/{PROJECT_NUMBER}/locations/global/"
            f"workloadIdentityPools/{POOL}/subject/{subject}")


def _jwt_claims(token: str) -> dict | None:
    try:
        return json.loads(_unb64(token.strip().split(".")[1]))
    except (IndexError, ValueError, UnicodeDecodeError):
        return None


def _sts_exchange(cloud: dict, info: dict) -> str:
    """STS token exchange of an external account: the federated principal, or TokenError."""
    source = info.get("credential_source") or {}
    path = source.get("file")
    if not path:
        raise TokenError("oauth2/google/externalaccount: credential source not modelled by the "
                         "tests' stand-in (only credential_source.file is)")
    try:
        subject_token = Path(path).read_text()
    except OSError as exc:
        raise TokenError(f"oauth2/google/externalaccount: failed to read credentials from "
                         f"file: open {path}: {os.strerror(exc.errno or 2).lower()}") from None
    fmt = (source.get("format") or {}).get("type") or "text"
    if fmt == "json":
        field_name = source["format"].get("subject_token_field_name")
        subject_token = json.loads(subject_token).get(field_name) or ""
    provider = cloud["google"]["wif_providers"].get(info.get("audience"))
    claims = _jwt_claims(subject_token)

    def refused(description: str, error: str = "invalid_grant") -> TokenError:
        return TokenError("oauth2/google/externalaccount: status code 400: " + json.dumps(
            {"error": error, "error_description": description}, separators=(",", ":")))

    if provider is None:
        # STS's wording for an unknown pool or provider (close, not exact)
        raise refused("The target service indicated by the \"audience\" parameters is "
                      "invalid. This might either be because the pool or provider is "
                      "disabled or deleted or because it doesn't exist.", "invalid_target")
    if claims is None:
        raise refused("Unable to parse the ID Token.", "invalid_request")
    if claims.get("iss") != provider["issuer"]:
        raise refused(f"The issuer in ID Token {claims.get('iss')} does not match the "
                      "expected ones.")
    if claims.get("aud") not in provider["allowed_audiences"]:
        raise refused(f"The audience in ID Token [{claims.get('aud')}] does not match the "
                      "expected audience.")
    return federated_principal(claims.get("sub") or "")


def _impersonate(cloud: dict, principal: str, claims_project: str | None, url: str) -> str:
    match = re.search(r"serviceAccounts/([^:/]+):generateAccessToken$", url or "")
    if not match:
        raise TokenError(f"oauth2/google/externalaccount: invalid service account "
                         f"impersonation url {url!r}")
    email = match.group(1)
    provider = next(iter(cloud["google"]["wif_providers"].values()))
    allowed = provider["impersonation"].get(email, [])
    if email not in cloud["google"]["service_accounts"] or claims_project not in allowed:
        raise TokenError(
            "oauth2/google/externalaccount: unable to generate access token; IAM returned "
            "status code 403: " + json.dumps({"error": {
                "code": 403, "message": "Permission 'iam.serviceAccounts.getAccessToken' "
                f"denied on resource (or it may not exist).", "status": "PERMISSION_DENIED"}},
                separators=(",", ":")))
    return f"serviceAccount:{email}"


def principal_of(cloud: dict, credential: Credential) -> str:
    """The IAM member a credential acts as (``serviceAccount:x``, ``user:x``,
    ``principal://...``), or TokenError as oauth2 fails at the token endpoint."""
    info = credential.info
    google = cloud["google"]
    if credential.kind == "access_token":
        claims, _why = token_claims(cloud, info)
        return claims["p"] if claims else "unknown"
    if credential.kind == "service_account":
        email = info.get("client_email")
        account = google["service_accounts"].get(email)
        key_id = info.get("private_key_id")
        pem = info.get("private_key") or ""
        body = "".join(pem.splitlines()[1:-1])
        try:
            secret = base64.b64decode(body).decode()
        except (ValueError, UnicodeDecodeError):
            secret = ""
        if account is None or account["keys"].get(key_id) != secret:
            raise TokenError('oauth2: "invalid_grant" "Invalid JWT Signature."')
        return f"serviceAccount:{email}"
    if credential.kind == "authorized_user":
        refresh = info.get("refresh_token")
        email = next((e for e, u in google["users"].items() if refresh in u["refresh_tokens"]),
                     None)
        if email is None:
            raise TokenError('oauth2: "invalid_grant" "Token has been expired or revoked."')
        return f"user:{email}"
    if credential.kind == "external_account":
        principal = _sts_exchange(cloud, info)
        url = info.get("service_account_impersonation_url")
        if url:
            path = (info.get("credential_source") or {}).get("file")
            claims = _jwt_claims(Path(path).read_text()) or {}
            return _impersonate(cloud, principal, claims.get("project_path"), url)
        return principal
    raise TokenError(f"unknown credential type: {credential.kind!r}")


def access_token(cloud: dict, credential: Credential) -> tuple[str, int | None, str]:
    """The bearer token a library sends for ``credential``: ``(token, expiry or None,
    principal)``. A static access token is sent as it is (its expiry unknown)."""
    if credential.kind == "access_token":
        claims, _why = token_claims(cloud, credential.info)
        return credential.info, None, claims["p"] if claims else "unknown"
    principal = principal_of(cloud, credential)
    token, expiry = issue_token(cloud, principal, credential.scopes)
    return token, expiry, principal


def email_of(principal: str) -> str:
    return principal.split(":", 1)[1] if principal.startswith(("serviceAccount:", "user:")) \
        else principal


def roles_of(cloud: dict, project: str, principal: str) -> list[str]:
    return list(cloud["google"]["projects"].get(project, {}).get("iam", {}).get(principal, []))


# --------------------------------------------------------------------------- the APIs

UNAUTHENTICATED = GoogleApiError(
    401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project.", "unauthorized")


def caller(cloud: dict, token: str) -> str:
    """The principal of an API request's bearer token, or the 401 Google answers."""
    claims, _why = token_claims(cloud, token)
    if claims is None:
        raise UNAUTHENTICATED
    return claims["p"]


def authorize(cloud: dict, principal: str, project: str, permission: str, resource: str,
              write: bool) -> None:
    """IAM on the project: a GKE API role (write or read), else GKE's 403."""
    allowed = API_WRITE if write else API_READ
    if project not in cloud["google"]["projects"] or \
            not set(roles_of(cloud, project, principal)) & allowed:
        raise GoogleApiError(403, f'Required "{permission}" permission(s) for "{resource}".',
                             "forbidden")


def _needs(what: str) -> str:
    verb = what.split(" ", 1)[0]
    if verb == "GET" or what.startswith("helm status"):
        return "read"
    return "all" if "cluster_role" in what else "edit"


def gke_authorize(cloud: dict, cluster: dict, token: Any, what: str) -> str:
    """GKE's authentication and IAM authorization of a Kubernetes API request.

    A token not signed by this cloud, or expired: 401 Unauthorized. A principal whose
    project roles do not allow the request: 403 Forbidden (GKE's wording approximated).
    Every request goes to ``cloud["log"]`` as ``[outcome, cluster, what, principal]``.
    """
    from cloud import ApiError

    claims, why = token_claims(cloud, token)
    if claims is None:
        cloud["log"].append([why, cluster["name"], what, None])
        raise ApiError(f"{what}: Unauthorized")
    principal = claims["p"]
    allowed = {KUBE_ACCESS.get(r) for r in roles_of(cloud, cluster["project"], principal)}
    need = _needs(what)
    if not ("all" in allowed or (need != "all" and "edit" in allowed)
            or (need == "read" and "read" in allowed)):
        cloud["log"].append(["forbidden", cluster["name"], what, principal])
        raise ApiError(f'{what}: Forbidden: User "{email_of(principal)}" cannot '
                       f'{"get" if need == "read" else "change"} this resource: requires one '
                       f'of ["container.*"] permission(s) on project "{cluster["project"]}"')
    cloud["log"].append(["ok", cluster["name"], what, principal])
    return principal


def new_endpoint_ip(cloud: dict) -> str:
    """A public IPv4 address of a new control plane (in 34.0.0.0/8, as GKE's are)."""
    cloud["serial"] += 1
    return f"34.{118 + cloud['serial'] // 250 % 100}.{cloud['serial'] % 250}.{17 + len(gke_clusters(cloud))}"


# --------------------------------------------------------------------------- test helpers

#: Every variable credentials come from, unset (``env=NO_GOOGLE_CREDENTIALS``).
NO_GOOGLE_CREDENTIALS = {name: None for name in CREDENTIAL_VARIABLES}


def gitlab_id_token(project_path: str = GITLAB_PROJECT, audience: str | None = None) -> str:
    """A GitLab ID token (``id_tokens`` with ``aud`` the pool provider's URL); the fake STS
    checks its issuer and audience, not its signature or expiry."""
    parts = ({"alg": "RS256", "kid": "gitlab", "typ": "JWT"},
             {"iss": GITLAB_ISSUER, "aud": audience or f"https:{WIF_AUDIENCE}",
              "sub": f"project_path:{project_path}:ref_type:branch:ref:main",
              "project_path": project_path, "ref": "main"})
    return ".".join(_b64(json.dumps(p).encode()) for p in parts) + ".c2lnbmF0dXJl"


def _opened(cloud_file: Path):
    import cloud as clouds
    return clouds.opened(cloud_file)


def workload_identity_env(root: Path, cloud_file: Path, service_account: str | None = DEPLOYER_SA,
                          project_path: str = GITLAB_PROJECT) -> dict:
    """A GitLab job's credentials: GOOGLE_APPLICATION_CREDENTIALS naming an external_account
    config (gcloud iam workload-identity-pools create-cred-config) whose
    credential_source.file holds the job's ID token; ``service_account`` impersonated
    (None: the federated principal itself). The other variables unset."""
    directory = Path(root) / "gcp"
    directory.mkdir(parents=True, exist_ok=True)
    token = directory / f"id-token-{project_path.replace('/', '_')}"
    if not token.exists():
        token.write_text(gitlab_id_token(project_path))
    config = {"universe_domain": "googleapis.com", "type": "external_account",
              "audience": WIF_AUDIENCE,
              "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
              "token_url": "https://sts.googleapis.com/v1/token",
              "credential_source": {"file": str(token)}}
    if service_account:
        config["service_account_impersonation_url"] = (
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
            f"{service_account}:generateAccessToken")
    name = f"wif-{service_account or 'federated'}-{project_path.replace('/', '_')}.json"
    path = directory / name
    path.write_text(json.dumps(config, indent=2))
    return {**NO_GOOGLE_CREDENTIALS, "GOOGLE_APPLICATION_CREDENTIALS": str(path)}


def service_account_key_env(root: Path, cloud_file: Path, email: str = DEPLOYER_SA,
                            roles: tuple = ()) -> dict:
    """GOOGLE_APPLICATION_CREDENTIALS naming a new key file of service account ``email``
    (made if missing, granted ``roles``); the other variables unset."""
    with _opened(cloud_file) as cloud:
        add_service_account(cloud, email, roles)
        key = add_key(cloud, email)
    path = Path(root) / "gcp" / f"key-{key['private_key_id'][:8]}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(key, indent=2))
    return {**NO_GOOGLE_CREDENTIALS, "GOOGLE_APPLICATION_CREDENTIALS": str(path)}


def gcloud_adc_env(root: Path, cloud_file: Path, email: str, roles: tuple = ()) -> dict:
    """gcloud auth application-default login as ``email``: the well-known ADC file under
    CLOUDSDK_CONFIG (``<root>/gcloud``); the other variables unset."""
    with _opened(cloud_file) as cloud:
        adc = add_user(cloud, email, roles)
    config = Path(root) / "gcloud"
    config.mkdir(parents=True, exist_ok=True)
    (config / "application_default_credentials.json").write_text(json.dumps(adc, indent=2))
    return {**NO_GOOGLE_CREDENTIALS, "CLOUDSDK_CONFIG": str(config)}


def access_token_env(cloud_file: Path, principal: str = f"serviceAccount:{DEPLOYER_SA}",
                     variable: str = "GOOGLE_OAUTH_ACCESS_TOKEN") -> dict:
    """An access token of ``principal`` issued now (valid one hour) in ``variable``
    (GOOGLE_OAUTH_ACCESS_TOKEN for the provider, CLOUDSDK_AUTH_ACCESS_TOKEN for the
    plugin's gcloud mode); the other variables unset."""
    with _opened(cloud_file) as cloud:
        token, _expiry = issue_token(cloud, principal)
    return {**NO_GOOGLE_CREDENTIALS, variable: token}
