"""The stand-ins' cloud: DigitalOcean, the clusters' Kubernetes APIs and Argo CD.

One JSON file (``FLEETFORM_STANDIN_CLOUD``) holds it, so that the provider
processes Terraform starts, one per provider and command, share it, and so
that it outlives a Terraform run as a real cloud does. Every change happens
under an exclusive lock. ``now`` is the cloud's clock, which tests move
forward to let tokens expire.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

#: How long a DOKS kubeconfig token lives (DigitalOcean: 7 days).
TOKEN_LIFETIME = 7 * 24 * 3600
#: DOKS versions offered when a cloud is created (newest first, as the API lists them).
VERSIONS = ["1.33.1-do.0", "1.32.5-do.0", "1.31.9-do.0"]
#: Regions when a cloud is created: slug, name, whether it takes new resources.
REGIONS = [("ams3", "Amsterdam 3", True), ("blr1", "Bangalore 1", True),
           ("fra1", "Frankfurt 1", True), ("lon1", "London 1", True),
           ("nyc1", "New York 1", True), ("nyc2", "New York 2", False),
           ("nyc3", "New York 3", True), ("sfo3", "San Francisco 3", True),
           ("sgp1", "Singapore 1", True), ("syd1", "Sydney 1", True),
           ("tor1", "Toronto 1", True)]
#: Droplet sizes when a cloud is created: slug, vCPUs, memory (MB), disk (GB), price a
#: month, and the regions offering it (None: every region taking new resources). A
#: withdrawn size is still listed, unavailable and offered nowhere.
SIZES = [("s-1vcpu-2gb", 1, 2048, 50, 12, None), ("s-2vcpu-4gb", 2, 4096, 80, 24, None),
         ("s-4vcpu-8gb", 4, 8192, 160, 48, None), ("c-2", 2, 4096, 25, 42, None),
         ("c-4", 4, 8192, 50, 84, ["ams3", "fra1", "lon1", "nyc1", "nyc3", "sfo3", "tor1"]),
         ("s-1vcpu-3gb", 1, 3072, 60, 15, [])]
START = 1_780_000_000  # a fixed start time: runs are reproducible


class ApiError(Exception):
    """An error the real API or client library would report, with its wording."""


def _catalogue() -> tuple[list, list]:
    """DigitalOcean's regions and sizes, as its API lists them."""
    open_regions = [slug for slug, _name, available in REGIONS if available]
    sizes = [{"slug": slug, "available": offered != [], "vcpus": vcpus, "memory": memory,
              "disk": disk, "transfer": float(vcpus), "price_monthly": float(month),
              "price_hourly": round(month / 730, 5),
              "regions": open_regions if offered is None else offered}
             for slug, vcpus, memory, disk, month, offered in SIZES]
    regions = [{"slug": slug, "name": name, "available": available,
                "features": ["backups", "ipv6", "metadata", "storage"],
                "sizes": [s["slug"] for s in sizes if slug in s["regions"]]}
               for slug, name, available in REGIONS]
    return regions, sizes


def new_cloud(path: Path) -> None:
    """Write an empty cloud to ``path``: DigitalOcean's, and an AWS account (``cloud_aws``)."""
    import cloud_aws

    regions, sizes = _catalogue()
    Path(path).write_text(json.dumps({
        "now": START, "serial": 0, "versions": list(VERSIONS), "regions": regions,
        "sizes": sizes, "clusters": {},
        "tokens": {}, "objects": {}, "releases": {}, "argocd": {}, "log": [],
        "exec": [], "aws": cloud_aws.new_aws(START),
        "google": __import__("cloud_google").new_google(START),
        "azure": __import__("cloud_azure").new_azure(START),
    }))


@contextmanager
def opened(path: str | os.PathLike | None = None, write: bool = True) -> Iterator[dict]:
    """The cloud as a dict; written back when the block ends without error."""
    path = Path(path or os.environ["FLEETFORM_STANDIN_CLOUD"])
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(path.read_text())
        yield data
        if write:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            tmp.replace(path)


def next_id(cloud: dict, prefix: str) -> str:
    cloud["serial"] += 1
    return f"{prefix}-{cloud['serial']:04d}"


def iso(cloud: dict, seconds: int = 0) -> str:
    import datetime
    return datetime.datetime.fromtimestamp(cloud["now"] + seconds, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


def issue_kube_token(cloud: dict, cluster_id: str) -> dict:
    """New cluster-admin credentials for a cluster, valid for 7 days."""
    token = "doks-" + secrets.token_hex(12)
    cloud["tokens"][token] = {"cluster": cluster_id, "expires": cloud["now"] + TOKEN_LIFETIME}
    cluster = cloud["clusters"][cluster_id]
    return {"token": token, "expires_at": iso(cloud, TOKEN_LIFETIME),
            "host": cluster["endpoint"], "cluster_ca_certificate": cluster["ca"]}


def find_cluster_by_name(cloud: dict, name: str) -> dict | None:
    """The DOKS cluster of that name (EKS clusters, ``kind: eks``, are AWS's)."""
    return next((c for c in cloud["clusters"].values()
                 if c["name"] == name and c.get("kind", "doks") == "doks"), None)


def kube_api(cloud: dict, config: dict | None, what: str) -> str:
    """The cluster a Kubernetes client configured with ``config`` reaches.

    Fails as client-go does: an unset host means localhost, a wrong CA fails
    TLS, and a missing, unknown or expired token is refused with 401.
    ``what`` names the request in messages, e.g. ``GET /api/v1/namespaces/x``.
    A configuration with an ``exec`` plugin and no token gets its token from the
    plugin (``kube_exec``; runs in ``cloud["exec"]``). An EKS cluster takes
    ``aws eks get-token`` tokens and its access entries decide
    (``cloud_aws.eks_authorize``; log entries then name the principal too).
    """
    from kube_exec import ExecError, bearer_token

    config = config or {}
    host = config.get("host")
    if not isinstance(host, str) or not host:
        raise ApiError(f'{what}: Get "http://localhost{what.split(" ", 1)[-1]}": dial tcp '
                       "[::1]:80: connect: connection refused")
    cluster = next((c for c in cloud["clusters"].values() if c["endpoint"] == host), None)
    if cluster is None:
        raise ApiError(f"{what}: dial tcp: lookup {host}: no such host")
    if config.get("cluster_ca_certificate") != cluster["ca_pem"]:
        raise ApiError(f"{what}: tls: failed to verify certificate: x509: certificate "
                       "signed by unknown authority")
    try:
        token = bearer_token(config, cloud.setdefault("exec", []))
    except ExecError as exc:
        cloud["log"].append(["exec-failed", cluster["name"], what])
        raise ApiError(f"{what}: {exc}") from None
    if cluster.get("kind") == "eks":
        import cloud_aws

        cloud_aws.eks_authorize(cloud, cluster, token, what)
        return cluster["id"]
    if cluster.get("kind") == "gke":  # OAuth access tokens and IAM (cloud_google)
        __import__("cloud_google").gke_authorize(cloud, cluster, token, what)
        return cluster["id"]
    if cluster.get("kind") == "aks":  # local-account client certificates (cloud_azure)
        __import__("cloud_azure").aks_authorize(cloud, cluster, config, token, what)
        return cluster["id"]
    grant = cloud["tokens"].get(token) if isinstance(token, str) else None
    if grant is None or grant["cluster"] != cluster["id"]:
        cloud["log"].append(["unauthorized", cluster["name"], what])
        raise ApiError(f"{what}: Unauthorized")
    if grant["expires"] <= cloud["now"]:
        cloud["log"].append(["expired", cluster["name"], what])
        raise ApiError(f"{what}: Unauthorized (the token expired)")
    cloud["log"].append(["ok", cluster["name"], what])
    return cluster["id"]


def argocd_api(cloud: dict, config: dict | None, what: str) -> dict:
    """The Argo CD a client configured with ``config`` (provider block) reaches."""
    config = config or {}
    namespace = config.get("port_forward_with_namespace")
    if namespace or config.get("port_forward"):
        kube = (config.get("kubernetes") or [None])[0]
        cluster_id = kube_api(cloud, kube, f"port-forward to argocd-server in {namespace}")
        instance = cloud["argocd"].get(cluster_id)
        if instance is None:
            raise ApiError(f"{what}: no argocd-server pod in namespace {namespace}")
    else:
        server = config.get("server_addr")
        if not isinstance(server, str) or not server:
            raise ApiError(f"{what}: server address is unset")
        instance = next((a for a in cloud["argocd"].values()
                         if a.get("hostname") and server in (a["hostname"],
                                                             f"{a['hostname']}:443")), None)
        if instance is None:
            raise ApiError(f"{what}: dial tcp: lookup {server.split(':')[0]}: no such host")
    token, user = config.get("auth_token"), config.get("username")
    if isinstance(token, str) and token:
        if token not in instance["tokens"]:
            raise ApiError(f"{what}: rpc error: code = Unauthenticated desc = invalid session")
    elif user == "admin":
        if not isinstance(config.get("password"), str) or not config["password"]:
            raise ApiError(f"{what}: rpc error: code = Unauthenticated desc = "
                           "Invalid username or password")
    else:
        raise ApiError(f"{what}: rpc error: code = Unauthenticated desc = no session information")
    return instance


def kube_token_ok(cloud: dict, token: Any) -> bool:
    grant = cloud["tokens"].get(token) if isinstance(token, str) else None
    return bool(grant and grant["expires"] > cloud["now"])
