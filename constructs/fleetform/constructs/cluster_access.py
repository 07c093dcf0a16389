"""What a construct needs to talk to any Kubernetes cluster, whoever created it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .formats import check_instance, is_token, short


@dataclass(frozen=True)
class ClusterAccess:
    """Admin access to a Kubernetes API server.

    Credentials are either a bearer ``token`` (DOKS, EKS, GKE) or a client
    certificate and key (``client_certificate`` and ``client_key``, as an AKS
    cluster's local admin has), never both.

    Attributes:
        name: the cluster's name (as shown in Argo CD).
        endpoint: the API server URL, ``https://...``.
        cluster_ca_certificate: the API server's CA certificate, PEM.
        token: a bearer token with cluster-admin rights. Used only to configure
            providers at apply time; it is never stored in Argo CD. Default: None.
        client_certificate: a PEM client certificate with cluster-admin rights.
            Default: None.
        client_key: the PEM key of ``client_certificate`` (sensitive). Default: None.

    Any value may be a Terraform token (a reference resolved at apply time),
    so a cluster from an EKS, AKS or GKE stack fits as well as a DOKS one.
    """

    name: str
    endpoint: str
    cluster_ca_certificate: str
    token: str | None = None
    client_certificate: str | None = None
    client_key: str | None = None

    @property
    def uses_client_certificate(self) -> bool:
        """Whether the credentials are a client certificate rather than a token."""
        return self.token is None

    def provider_credentials(self) -> dict[str, str]:
        """The credential arguments of a kubernetes or helm provider block."""
        if self.token is not None:
            return {"token": self.token}
        assert self.client_certificate is not None and self.client_key is not None
        return {"client_certificate": self.client_certificate, "client_key": self.client_key}


def check_cluster_access(access: Any, field: str = "cluster") -> None:
    """Raise ConfigError naming the first invalid attribute of ``access``."""
    check_instance(access, field, ClusterAccess,
                   "ClusterAccess(name=..., endpoint=..., cluster_ca_certificate=..., "
                   "token=... or client_certificate=... and client_key=...)")
    for attr in ("name", "endpoint", "cluster_ca_certificate"):
        _non_empty(getattr(access, attr), f"{field}.{attr}")
    if not is_token(access.endpoint) and not access.endpoint.startswith("https://"):
        raise ConfigError(f"must be an https:// URL, got {access.endpoint!r}",
                          field=f"{field}.endpoint")
    has_certificate = access.client_certificate is not None or access.client_key is not None
    if access.token is not None and has_certificate:
        raise ConfigError("give either token or client_certificate and client_key, not both",
                          field=f"{field}.token")
    if access.token is not None:
        _non_empty(access.token, f"{field}.token")
    elif not has_certificate:
        raise ConfigError("credentials are missing: give token, or client_certificate and "
                          "client_key", field=f"{field}.token")
    else:
        for attr in ("client_certificate", "client_key"):
            value = getattr(access, attr)
            if value is None:
                raise ConfigError("is required with a client certificate, got None",
                                  field=f"{field}.{attr}")
            _non_empty(value, f"{field}.{attr}")


def _non_empty(value: Any, field: str) -> None:
    if not isinstance(value, str) or not value:
        # A credential's value is never quoted: it may be a real secret.
        shown = short(value) if field.rsplit(".", 1)[-1] not in ("token", "client_key") \
            else type(value).__name__
        raise ConfigError(f"must be a non-empty string or Terraform expression, got {shown}",
                          field=field)
