"""The fake cloud's Azure: one tenant and subscription, Entra ID sign-in, ARM, AKS.

``cloud["azure"]`` (made by :func:`new_azure`, called by ``cloud.new_cloud``) holds
the tenant (its app registrations: service principals with client secrets or
federated credentials for GitLab ID tokens), the subscription, the locations ARM
lists (with their AKS Kubernetes versions and the VM sizes AKS accepts there), the
resource groups and every call made (``calls``). AKS clusters themselves are in
``cloud["clusters"]`` (``kind: aks``) beside the DOKS and EKS ones, so the
Kubernetes, Helm and Argo CD stand-ins reach them the same way; a cluster's node
pools (the default one included) are in its ``pools``.

Sign-in is Entra ID's client-credentials grant as go-azure-sdk's authorizers make
it: a client secret, or a client assertion (an OIDC ID token) matched against the
app's federated credentials (issuer, subject, audience). Errors carry Entra ID's
AADSTS codes; the wording is Entra ID's where known and close where not (noted).

AKS clusters have, as real ones, a cluster CA (30 years) and the local accounts'
client certificate (CN=masterclient, O=system:masters, 2 years), real X.509 made
with ``cryptography`` on the cloud's clock, and a static token; ListClusterUserCredentials
and ListClusterAdminCredentials hand them out as kubeconfig YAML with base64 PEM
values. :func:`aks_authorize` is the API server's side: a client certificate that
is not signed by the cluster's CA, or has expired on the cloud's clock, is refused
with 401 as kube-apiserver does; a key that is not the certificate's fails in the
client (client-go's ``tls.X509KeyPair``). :func:`rotate_certificates` is ``az aks
rotate-certs``: a new CA, certificate and token; the old ones stop working.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import secrets
import uuid
from typing import Any

TENANT_ID = "5f3c2a1b-8d4e-4f6a-9b7c-0e1d2c3b4a59"
TENANT_NAME = "Acme Fleet"
SUBSCRIPTION_ID = "7c1e9d2a-4b3f-4e8d-a6c5-1f2e3d4c5b6a"
SUBSCRIPTION_NAME = "fleetform"
#: The app registration the GitLab pipeline signs in as (OIDC, a federated credential).
DEPLOYER_APP = "fleetform-deployer"
DEPLOYER_CLIENT_ID = "0b6f3e2d-1c4a-4d5e-8f9a-2b3c4d5e6f70"
#: An app registration with a client secret, made with every cloud.
CI_APP = "fleetform-ci"
CI_CLIENT_ID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
#: What a GitLab ID token for Azure says (``id_tokens: {aud: api://AzureADTokenExchange}``).
OIDC_ISSUER = "https://gitlab.com"
OIDC_SUBJECT = "project_path:acme/fleet:ref_type:branch:ref:main"
OIDC_AUDIENCE = "api://AzureADTokenExchange"

#: Every variable the provider reads credentials or their kind from (its DefaultFuncs).
CREDENTIAL_VARIABLES = (
    "ARM_CLIENT_ID", "ARM_CLIENT_ID_FILE_PATH", "ARM_TENANT_ID", "ARM_CLIENT_SECRET",
    "ARM_CLIENT_SECRET_FILE_PATH", "ARM_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE_PATH",
    "ARM_CLIENT_CERTIFICATE_PASSWORD", "ARM_USE_OIDC", "ARM_OIDC_TOKEN",
    "ARM_OIDC_TOKEN_FILE_PATH", "ARM_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_ACCESSTOKEN",
    "SYSTEM_OIDCREQUESTURI", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
    "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "ARM_USE_MSI", "ARM_MSI_ENDPOINT",
    "ARM_USE_CLI", "ARM_USE_AKS_WORKLOAD_IDENTITY", "AZURE_FEDERATED_TOKEN_FILE",
    "ARM_SUBSCRIPTION_ID")
#: The environment with no Azure credentials (a None unsets a variable).
NO_AZURE_CREDENTIALS = {name: None for name in CREDENTIAL_VARIABLES}

#: Locations ARM lists for the subscription: name, display name, whether it has
#: availability zones, whether AKS is offered there. Logical ones (geographies) are
#: listed by ListLocations too, with regionType Logical.
LOCATIONS = [
    ("eastus", "East US", True, True), ("eastus2", "East US 2", True, True),
    ("centralus", "Central US", True, True), ("northcentralus", "North Central US", False, True),
    ("southcentralus", "South Central US", True, True),
    ("westcentralus", "West Central US", False, True), ("westus", "West US", False, True),
    ("westus2", "West US 2", True, True), ("westus3", "West US 3", True, True),
    ("canadacentral", "Canada Central", True, True), ("canadaeast", "Canada East", False, True),
    ("brazilsouth", "Brazil South", True, True),
    ("northeurope", "North Europe", True, True), ("westeurope", "West Europe", True, True),
    ("uksouth", "UK South", True, True), ("ukwest", "UK West", False, True),
    ("francecentral", "France Central", True, True),
    # restricted regions: ARM lists them, AKS takes no clusters there
    ("francesouth", "France South", False, False),
    ("germanywestcentral", "Germany West Central", True, True),
    ("germanynorth", "Germany North", False, False),
    ("switzerlandnorth", "Switzerland North", True, True),
    ("norwayeast", "Norway East", True, True), ("swedencentral", "Sweden Central", True, True),
    ("polandcentral", "Poland Central", True, True), ("italynorth", "Italy North", True, True),
    ("spaincentral", "Spain Central", True, True),
    ("eastasia", "East Asia", True, True), ("southeastasia", "Southeast Asia", True, True),
    ("japaneast", "Japan East", True, True), ("japanwest", "Japan West", False, True),
    ("koreacentral", "Korea Central", True, True),
    ("australiaeast", "Australia East", True, True),
    ("australiasoutheast", "Australia Southeast", False, True),
    ("centralindia", "Central India", True, True), ("southindia", "South India", False, True),
    ("uaenorth", "UAE North", True, True), ("southafricanorth", "South Africa North", True, True),
]
LOGICAL_LOCATIONS = [("europe", "Europe"), ("unitedstates", "United States"),
                     ("asiapacific", "Asia Pacific"), ("global", "Global")]

#: AKS Kubernetes versions (ListOrchestrators): version, preview, default. Every AKS
#: location offers these, but for LAGGING_LOCATIONS, which have no 1.35 preview yet.
AKS_VERSIONS = [
    ("1.32.9", False, False), ("1.32.10", False, False),
    ("1.33.6", False, False), ("1.33.7", False, True),
    ("1.34.2", False, False), ("1.34.3", False, False),
    ("1.35.0", True, False), ("1.35.1", True, False),
]
LAGGING_LOCATIONS = frozenset({"southafricanorth", "uaenorth", "brazilsouth"})

#: VM sizes AKS accepts for node pools: name, vCPUs, memory (GiB), locations (None: all).
VM_SIZES = [
    ("Standard_B2s", 2, 4, None), ("Standard_B2ms", 2, 8, None), ("Standard_B4ms", 4, 16, None),
    ("Standard_DS2_v2", 2, 7, None), ("Standard_D2s_v3", 2, 8, None),
    ("Standard_D4s_v3", 4, 16, None),
    ("Standard_D2s_v5", 2, 8, None), ("Standard_D4s_v5", 4, 16, None),
    ("Standard_D8s_v5", 8, 32, None), ("Standard_D16s_v5", 16, 64, None),
    ("Standard_D2ds_v5", 2, 8, None), ("Standard_D4ds_v5", 4, 16, None),
    ("Standard_D2as_v5", 2, 8, None), ("Standard_D4as_v5", 4, 16, None),
    ("Standard_D2ps_v5", 2, 8, None), ("Standard_D4ps_v5", 4, 16, None),
    ("Standard_E4s_v5", 4, 32, None), ("Standard_E8s_v5", 8, 64, None),
    ("Standard_F4s_v2", 4, 8, None),
    ("Standard_NC4as_T4_v3", 4, 28, ("eastus", "westus2", "westeurope", "northeurope")),
]
#: What AKS picks for a pool whose vm_size is left out.
DEFAULT_VM_SIZE = "Standard_D4ds_v5"
#: The AKS node image of new pools.
NODE_IMAGE = "AKSUbuntu-2204gen2containerd-202605.14.0"

#: Lifetimes on the cloud's clock (AKS: client certificates 2 years, CA 30 years).
CLIENT_CERT_LIFETIME = 2 * 365 * 24 * 3600
CA_LIFETIME = 30 * 365 * 24 * 3600


class ArmError(Exception):
    """An ARM (or AKS resource provider) error as go-azure-sdk reports it."""

    _REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                409: "Conflict"}

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        super().__init__(self.sdk())

    def sdk(self) -> str:
        # go-azure-sdk/sdk/client: "unexpected status %s with %s", the OData error's
        # String() being "<code>: <message>"
        return (f"unexpected status {self.status} ({self.status} "
                f"{self._REASONS.get(self.status, '')}) with error: {self.code}: {self.message}")


class EntraError(Exception):
    """Entra ID refused a token request: HTTP status, OAuth error and AADSTS description."""

    def __init__(self, status: int, error: str, code: int, description: str) -> None:
        self.status, self.error, self.code, self.description = status, error, code, description
        super().__init__(description)

    def body(self, now: int) -> str:
        stamp = iso(now).replace("T", " ").rstrip("Z")
        trace, correlation = uuid.uuid4(), uuid.uuid4()
        return json.dumps({
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description} Trace ID: {trace} "
                                 f"Correlation ID: {correlation} Timestamp: {stamp}Z",
            "error_codes": [self.code], "timestamp": f"{stamp}Z", "trace_id": str(trace),
            "correlation_id": str(correlation),
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}"},
            separators=(",", ":"))


# --------------------------------------------------------------------------- the tenant

def iso(now: int, seconds: int = 0) -> str:
    return datetime.datetime.fromtimestamp(now + seconds, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]))


def new_azure(now: int) -> dict:
    """The tenant and subscription as a new cloud has them (``cloud["azure"]``)."""
    data = {
        "tenant_id": TENANT_ID, "tenant_name": TENANT_NAME,
        "subscriptions": {SUBSCRIPTION_ID: {"name": SUBSCRIPTION_NAME, "state": "Enabled"}},
        "apps": {}, "locations": _locations(), "versions": _versions(),
        "vm_sizes": {name.lower(): {"name": name, "vcpus": cpus, "memory_gb": memory,
                                    "locations": list(where) if where else None}
                     for name, cpus, memory, where in VM_SIZES},
        "resource_groups": {}, "calls": [],
    }
    cloud = {"azure": data, "now": now}
    add_app(cloud, DEPLOYER_APP, DEPLOYER_CLIENT_ID, federated=[
        {"issuer": OIDC_ISSUER, "subject": OIDC_SUBJECT, "audiences": [OIDC_AUDIENCE]}])
    add_app(cloud, CI_APP, CI_CLIENT_ID, secret=True)
    return data


def _locations() -> list:
    out = []
    for name, display, zones, aks in LOCATIONS:
        # each subscription sees its own logical-to-physical zone mapping
        digest = hashlib.sha256(f"{SUBSCRIPTION_ID}/{name}".encode()).digest()
        order = sorted((1, 2, 3), key=lambda z: digest[z])
        mappings = [{"logical_zone": str(i + 1), "physical_zone": f"{name}-az{z}"}
                    for i, z in enumerate(order)] if zones else []
        out.append({"name": name, "display_name": display, "region_type": "Physical",
                    "zone_mappings": mappings, "aks": aks})
    out += [{"name": name, "display_name": display, "region_type": "Logical",
             "zone_mappings": [], "aks": False} for name, display in LOGICAL_LOCATIONS]
    return out


def _versions() -> dict:
    listed = [{"version": v, "preview": p, "default": d} for v, p, d in AKS_VERSIONS]
    return {name: [v for v in listed if not (name in LAGGING_LOCATIONS and v["preview"])]
            for name, _display, _zones, aks in LOCATIONS if aks}


def add_app(cloud: dict, name: str, client_id: str | None = None, secret: bool = False,
            federated: list | None = None, role: str | None = "Contributor") -> dict:
    """An app registration with its service principal (made if missing). ``secret``: give
    it a client secret (``app["secrets"]``); ``federated``: its federated credentials;
    ``role``: its role on the subscription (None: no role assignment)."""
    apps = cloud["azure"]["apps"]
    existing = next((a for a in apps.values() if a["name"] == name), None)
    if existing is not None:
        return existing
    client_id = client_id or str(uuid.uuid4())
    app = apps[client_id] = {
        "name": name, "client_id": client_id, "object_id": _uuid("sp", client_id),
        "secrets": [], "federated": list(federated or []), "role": role,
        "created": iso(cloud["now"])}
    if secret:
        app["secrets"].append(new_secret())
    return app


def new_secret() -> str:
    """A client secret as Entra ID makes them (40 characters, the third a '~')."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
    body = "".join(secrets.choice(alphabet) for _ in range(37))
    return body[:3] + "8Q~" + body[3:34]


def app_named(cloud: dict, name: str) -> dict | None:
    return next((a for a in cloud["azure"]["apps"].values() if a["name"] == name), None)


def id_token(issuer: str = OIDC_ISSUER, subject: str = OIDC_SUBJECT,
             audience: str = OIDC_AUDIENCE) -> str:
    """An OIDC ID token (a JWT; Entra ID's fake checks its claims, not its signature)."""
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return ".".join((part({"alg": "RS256", "kid": "gitlab", "typ": "JWT"}),
                     part({"iss": issuer, "sub": subject, "aud": audience}), "c2lnbmF0dXJl"))


def _claims(token: str) -> dict | None:
    try:
        body = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError):
        return None


def sign_in(cloud: dict, tenant_id: str, client_id: str, secret: str | None = None,
            assertion: str | None = None) -> dict:
    """Entra ID's client-credentials grant: the app signed in, or :class:`EntraError`."""
    azure = cloud["azure"]
    if tenant_id != azure["tenant_id"]:
        raise EntraError(400, "invalid_request", 90002,
                         f"Tenant '{tenant_id}' not found. Check to make sure you have the "
                         "correct tenant ID and are signing into the correct cloud. Check "
                         "with your subscription administrator, this may happen if there "
                         "are no active subscriptions for the tenant.")
    app = azure["apps"].get(client_id)
    if app is None:
        raise EntraError(400, "unauthorized_client", 700016,
                         f"Application with identifier '{client_id}' was not found in the "
                         f"directory '{azure['tenant_name']}'. This can happen if the "
                         "application has not been installed by the administrator of the "
                         "tenant or consented to by any user in the tenant. You may have sent "
                         "your authentication request to the wrong tenant.")
    if secret is not None:
        if secret not in app["secrets"]:
            raise EntraError(401, "invalid_client", 7000215,
                             "Invalid client secret provided. Ensure the secret being sent "
                             "in the request is the client secret value, not the client "
                             f"secret ID, for a secret added to app '{client_id}'.")
        return app
    claims = _claims(assertion or "")
    if claims is None:
        # Entra ID's wording for a malformed assertion is close to this, not known exactly
        raise EntraError(400, "invalid_client", 50027,
                         "JWT token is invalid or malformed.")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if not any(f["issuer"] == claims.get("iss") and f["subject"] == claims.get("sub")
               and set(audiences) & set(f["audiences"]) for f in app["federated"]):
        raise EntraError(400, "invalid_request", 70021,
                         "No matching federated identity record found for presented "
                         f"assertion. Assertion Issuer: '{claims.get('iss')}'. Assertion "
                         f"Subject: '{claims.get('sub')}'. Assertion Audience: "
                         f"'{','.join(str(a) for a in audiences)}'.")
    return app


def log_call(cloud: dict, operation: str, principal: str | None, outcome: str = "ok") -> None:
    """``cloud["azure"]["calls"]``: ``[operation, app name, outcome]`` of every ARM call."""
    cloud["azure"]["calls"].append([operation, principal, outcome])


def authorize(app: dict, action: str, scope: str) -> None:
    """Azure RBAC, coarsely: an app with a role on the subscription may do everything."""
    if not app.get("role"):
        raise ArmError(403, "AuthorizationFailed",
                       f"The client '{app['client_id']}' with object id '{app['object_id']}' "
                       f"does not have authorization to perform action '{action}' over scope "
                       f"'{scope}' or the scope is invalid. If access was recently granted, "
                       "please refresh your credentials.")


# --------------------------------------------------------------------------- locations, offers

def normalize_location(value: str) -> str:
    """go-azure-helpers location.Normalize."""
    return value.lower().replace(" ", "")


def physical_locations(cloud: dict) -> list:
    return [loc for loc in cloud["azure"]["locations"] if loc["region_type"] == "Physical"]


def location(cloud: dict, name: str) -> dict | None:
    return next((loc for loc in physical_locations(cloud) if loc["name"] == name), None)


def aks_versions(cloud: dict, where: str) -> list:
    return cloud["azure"]["versions"].get(where, [])


def _tuple(version: str) -> tuple:
    return tuple(int(p) for p in version.split("."))


def resolve_version(cloud: dict, where: str, wanted: str | None) -> str | None:
    """The patch version AKS runs for ``wanted`` (a patch, or a ``major.minor`` alias:
    its newest GA patch); the location's default when None. None: not offered."""
    offered = aks_versions(cloud, where)
    if not wanted:
        return next((v["version"] for v in offered if v["default"]), None)
    if any(v["version"] == wanted for v in offered):
        return wanted
    patches = [v["version"] for v in offered
               if not v["preview"] and v["version"].rsplit(".", 1)[0] == wanted]
    return max(patches, key=_tuple) if patches else None


def version_not_supported(version: str) -> ArmError:
    return ArmError(400, "AgentPoolK8sVersionNotSupported",
                    f"Version {version} is not supported in this region. Please use "
                    "[az aks get-versions] command to get the supported version list in "
                    "this region. For more information, please check "
                    "https://aka.ms/supported-version-list")


def vm_size(cloud: dict, where: str, name: str) -> dict | None:
    size = cloud["azure"]["vm_sizes"].get((name or "").lower())
    if size is None or (size["locations"] is not None and where not in size["locations"]):
        return None
    return size


def vm_size_not_allowed(pool: str, where: str) -> ArmError:
    return ArmError(400, "BadRequest",
                    f"The VM size of AgentPoolProfile:{pool} is not allowed in your "
                    f"subscription in location '{where}'. For more details, please visit "
                    "https://aka.ms/aks/quotas-skus-regions")


# --------------------------------------------------------------------------- ARM ids

def resource_group_id(name: str) -> str:
    return f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{name}"


def cluster_id(group: str, name: str) -> str:
    return f"{resource_group_id(group)}/providers/Microsoft.ContainerService/managedClusters/" \
           f"{name}"


def aks_clusters(cloud: dict) -> list:
    return [c for c in cloud["clusters"].values() if c.get("kind") == "aks"]


def aks_cluster(cloud: dict, group: str, name: str) -> dict | None:
    """The AKS cluster ``name`` in resource group ``group`` (ARM names are case-insensitive)."""
    return next((c for c in aks_clusters(cloud) if c["resource_group"].lower() == group.lower()
                 and c["name"].lower() == name.lower()), None)


def resource_group(cloud: dict, name: str) -> dict | None:
    return cloud["azure"]["resource_groups"].get(name.lower())


# --------------------------------------------------------------------------- certificates

def _x509():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    return x509, hashes, serialization, rsa, NameOID


def _when(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def _new_key():
    _, _, _, rsa, _ = _x509()
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key) -> str:
    _, _, serialization, _, _ = _x509()
    # AKS hands out PKCS#1 ("BEGIN RSA PRIVATE KEY") keys
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def _certificate(subject, issuer, public_key, signing_key, now: int, lifetime: int,
                 ca: bool):
    x509, hashes, _, _, _ = _x509()
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(_when(now)).not_valid_after(_when(now + lifetime))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage(
            [x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _pem_cert(cert) -> str:
    _, _, serialization, _, _ = _x509()
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def issue_credentials(cloud: dict, cluster: dict) -> None:
    """A new cluster CA, local-account client certificate and token for ``cluster``."""
    x509, _, _, _, NameOID = _x509()
    now = cloud["now"]
    ca_key = _new_key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca")])
    ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, now, CA_LIFETIME, True)
    client_key = _new_key()
    client_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                             x509.NameAttribute(NameOID.COMMON_NAME, "masterclient")])
    client = _certificate(client_name, ca_name, client_key.public_key(), ca_key, now,
                          CLIENT_CERT_LIFETIME, False)
    ca_pem = _pem_cert(ca)
    cluster.update(
        ca_pem=ca_pem, ca=base64.b64encode(ca_pem.encode()).decode(),
        ca_key_pem=_pem_key(ca_key), client_cert_pem=_pem_cert(client),
        client_key_pem=_pem_key(client_key), token=secrets.token_hex(32),
        client_cert_expires=iso(now, CLIENT_CERT_LIFETIME), credentials_issued=iso(now))


def rotate_certificates(cloud: dict, cluster: dict) -> None:
    """``az aks rotate-certs``: every certificate and the CA anew; the old ones fail."""
    issue_credentials(cloud, cluster)
    cluster["rotations"] = cluster.get("rotations", 0) + 1


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def kubeconfig(cluster: dict, kind: str) -> str:
    """The kubeconfig ListCluster{User,Admin}Credentials returns (``kind``: clusterUser or
    clusterAdmin), as YAML; for an Entra ID (AAD) cluster's user config, a kubelogin exec."""
    context = f"{cluster['name']}"
    user = f"{kind}_{cluster['resource_group']}_{cluster['name']}"
    head = (f"apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: "
            f"{cluster['ca']}\n    server: {cluster['endpoint']}\n  name: {cluster['name']}\n"
            f"contexts:\n- context:\n    cluster: {cluster['name']}\n    user: {user}\n"
            f"  name: {context}\ncurrent-context: {context}\nkind: Config\npreferences: {{}}\n")
    if kind == "clusterUser" and cluster.get("aad"):
        return head + (
            f"users:\n- name: {user}\n  user:\n    exec:\n"
            "      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n"
            "      - get-token\n      - --environment\n      - AzurePublicCloud\n"
            "      - --server-id\n      - 6dae42f8-4368-4678-94ff-3960e28e3630\n"
            "      - --client-id\n      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a\n"
            f"      - --tenant-id\n      - {TENANT_ID}\n      - --login\n      - devicecode\n"
            "      command: kubelogin\n      env: null\n")
    return head + (f"users:\n- name: {user}\n  user:\n    client-certificate-data: "
                   f"{_b64(cluster['client_cert_pem'])}\n    client-key-data: "
                   f"{_b64(cluster['client_key_pem'])}\n    token: {cluster['token']}\n")


def kube_config_block(cluster: dict, kind: str) -> dict:
    """A ``kube_config`` / ``kube_admin_config`` element as the provider flattens the
    kubeconfig (flattenKubernetesClusterDataSourceKubeConfig{,AAD}): base64 PEM values."""
    user = f"{kind}_{cluster['resource_group']}_{cluster['name']}"
    if kind == "clusterUser" and cluster.get("aad"):
        return {"host": cluster["endpoint"], "username": user, "password": "",
                "client_certificate": "", "client_key": "",
                "cluster_ca_certificate": cluster["ca"]}
    return {"host": cluster["endpoint"], "username": user, "password": cluster["token"],
            "client_certificate": _b64(cluster["client_cert_pem"]),
            "client_key": _b64(cluster["client_key_pem"]),
            "cluster_ca_certificate": cluster["ca"]}


def client_certificate_expiry(cluster: dict) -> str:
    """When the cluster's local-account client certificate expires (RFC 3339)."""
    return cluster["client_cert_expires"]


def aks_authorize(cloud: dict, cluster: dict, config: dict, token: Any, what: str) -> str:
    """The AKS API server's authentication of a client; the user, or ApiError as client-go
    says it. A client certificate and key (PEM, as the kubernetes, helm and argocd
    providers pass ``client_certificate``/``client_key``) must be a pair (else the client
    fails: ``tls: private key does not match public key``), signed by the cluster's CA
    and valid on the cloud's clock; a bearer token must be the local account's. Anything
    else is 401 Unauthorized. Every request goes to ``cloud["log"]`` as
    ``[outcome, cluster, what, user]``."""
    from cloud import ApiError

    cert_pem, key_pem = config.get("client_certificate"), config.get("client_key")
    has_cert = isinstance(cert_pem, str) and cert_pem != ""
    has_key = isinstance(key_pem, str) and key_pem != ""
    if has_cert or has_key:
        user, outcome, problem = _check_client_certificate(cloud, cluster, cert_pem, key_pem)
        if problem is not None:  # client-side: no request was made
            cloud["log"].append(["client-error", cluster["name"], what, None])
            raise ApiError(f"{what}: {problem}")
        if outcome == "ok" and cluster.get("local_account_disabled"):
            outcome = "local-accounts-disabled"
        cloud["log"].append([outcome, cluster["name"], what, user])
        if outcome != "ok":
            raise ApiError(f"{what}: Unauthorized")
        return user
    if isinstance(token, str) and token:
        ok = secrets.compare_digest(token, cluster["token"]) and \
            not cluster.get("local_account_disabled")
        user = f"clusterUser_{cluster['resource_group']}_{cluster['name']}" if ok else None
        cloud["log"].append(["ok" if ok else "unauthorized", cluster["name"], what, user])
        if not ok:
            raise ApiError(f"{what}: Unauthorized")
        return user
    cloud["log"].append(["unauthorized", cluster["name"], what, None])
    raise ApiError(f"{what}: Unauthorized")


def _check_client_certificate(cloud: dict, cluster: dict, cert_pem: Any, key_pem: Any
                              ) -> tuple[str | None, str, str | None]:
    """``(user, outcome, client-side problem)`` of a client certificate and key."""
    x509, _, serialization, _, _ = _x509()
    # client-go: tls.X509KeyPair(certData, keyData)
    if not isinstance(cert_pem, str) or "-----BEGIN CERTIFICATE-----" not in cert_pem:
        return None, "client-error", "tls: failed to find any PEM data in certificate input"
    if not isinstance(key_pem, str) or "PRIVATE KEY-----" not in key_pem:
        return None, "client-error", "tls: failed to find any PEM data in key input"
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode())
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    except ValueError as exc:
        return None, "client-error", f"tls: failed to parse certificate: {exc}"
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        return None, "client-error", "tls: private key does not match public key"
    names = cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    user = names[0].value if names else None
    # kube-apiserver's x509 authenticator: signed by the client CA, valid now
    ca = x509.load_pem_x509_certificate(cluster["ca_pem"].encode())
    try:
        cert.verify_directly_issued_by(ca)
    except Exception:  # InvalidSignature, a key type that does not fit
        return user, "unknown-authority", None
    now = _when(cloud["now"])
    if not cert.not_valid_before_utc <= now < cert.not_valid_after_utc:
        return user, "expired", None
    return user, "ok", None


def new_fqdn(dns_prefix: str, where: str) -> str:
    return f"{dns_prefix}-{secrets.token_hex(4)}.hcp.{where}.azmk8s.io"


# --------------------------------------------------------------------------- environments

def oidc_env(root, token: str | None = None, client_id: str = DEPLOYER_CLIENT_ID) -> dict:
    """The GitLab pipeline's Azure credentials: OIDC with an ID token file (written under
    ``root``/azure), ARM_CLIENT_ID and ARM_TENANT_ID; every other credential variable
    unset. ``token``: another ID token (``id_token(...)``) in the file."""
    from pathlib import Path

    path = Path(root) / "azure" / ("id-token" if token is None else
                                   f"id-token-{hashlib.sha256(token.encode()).hexdigest()[:8]}")
    if token is not None or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(token if token is not None else id_token())
    return {**NO_AZURE_CREDENTIALS, "ARM_CLIENT_ID": client_id, "ARM_TENANT_ID": TENANT_ID,
            "ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN_FILE_PATH": str(path)}


def secret_env(cloud: dict, app: str = CI_APP) -> dict:
    """A service principal's client secret credentials (the app is made, with a secret and
    the Contributor role, if missing); every other credential variable unset."""
    found = app_named(cloud, app) or add_app(cloud, app, secret=True)
    if not found["secrets"]:
        found["secrets"].append(new_secret())
    return {**NO_AZURE_CREDENTIALS, "ARM_CLIENT_ID": found["client_id"],
            "ARM_TENANT_ID": TENANT_ID, "ARM_CLIENT_SECRET": found["secrets"][0]}
