"""What a construct needs to talk to any Kubernetes cluster, whoever created it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..errors import ConfigError
from .formats import check_instance, is_token, short


#: The ExecCredential version the exec plugins fleetform configures speak.
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


@dataclass(frozen=True)
class ExecCredential:
    """A credential plugin the providers run whenever they need a token, as kubectl does:
    ``command`` with ``args`` (and ``env`` added to the environment) prints an
    ExecCredential. For clusters whose tokens live minutes (``aws eks get-token``:
    15), so that a token is fresh at plan time however long ago the last apply was.

    Attributes:
        command: the program, found on PATH where Terraform runs.
        args: its arguments; any may be a Terraform token.
        env: variables added to its environment. Default: none.
        api_version: the ExecCredential version. Default: ``client.authentication.k8s.io/v1beta1``.
    """

    command: str
    args: Sequence[str] = field(default_factory=tuple)
    env: Mapping[str, str] = field(default_factory=dict)
    api_version: str = EXEC_API_VERSION

    def to_block(self) -> dict[str, Any]:
        """The ``exec`` block of a kubernetes, helm or argocd provider."""
        block: dict[str, Any] = {"api_version": self.api_version, "command": self.command,
                                 "args": list(self.args)}
        if self.env:
            block["env"] = dict(self.env)
        return block


@dataclass(frozen=True)
class ClusterAccess:
    """Admin access to a Kubernetes API server.

    Credentials are one of: a bearer ``token`` (DOKS, GKE), an ``exec`` credential
    plugin (EKS: ``aws eks get-token``), or a client certificate and key
    (``client_certificate`` and ``client_key``, as an AKS cluster's local admin has).

    Attributes:
        name: the cluster's name (as shown in Argo CD).
        endpoint: the API server URL, ``https://...``.
        cluster_ca_certificate: the API server's CA certificate, PEM.
        token: a bearer token with cluster-admin rights. Used only to configure
            providers at apply time; it is never stored in Argo CD. Default: None.
        client_certificate: a PEM client certificate with cluster-admin rights.
            Default: None.
        client_key: the PEM key of ``client_certificate`` (sensitive). Default: None.
        exec: an :class:`ExecCredential` plugin that prints a token. Default: None.

    Any value may be a Terraform token (a reference resolved at apply time),
    so a cluster from an EKS, AKS or GKE stack fits as well as a DOKS one.
    """

    name: str
    endpoint: str
    cluster_ca_certificate: str
    token: str | None = None
    client_certificate: str | None = None
    client_key: str | None = None
    exec: ExecCredential | None = None

    @property
    def uses_client_certificate(self) -> bool:
        """Whether the credentials are a client certificate rather than a token."""
        return self.token is None and self.exec is None

    def provider_credentials(self, *, list_exec: bool = False) -> dict[str, Any]:
        """The credential arguments of a kubernetes, helm or argocd ``kubernetes`` block:
        an exec plugin is its ``exec`` block, in a list of one with ``list_exec`` (the
        kubernetes provider's binding takes it so)."""
        if self.token is not None:
            return {"token": self.token}
        if self.exec is not None:
            block = self.exec.to_block()
            return {"exec": [block] if list_exec else block}
        assert self.client_certificate is not None and self.client_key is not None
        return {"client_certificate": self.client_certificate, "client_key": self.client_key}


def check_cluster_access(access: Any, field: str = "cluster") -> None:
    """Raise ConfigError naming the first invalid attribute of ``access``."""
    check_instance(access, field, ClusterAccess,
                   "ClusterAccess(name=..., endpoint=..., cluster_ca_certificate=..., "
                   "token=..., exec=... or client_certificate=... and client_key=...)")
    for attr in ("name", "endpoint", "cluster_ca_certificate"):
        _non_empty(getattr(access, attr), f"{field}.{attr}")
    if not is_token(access.endpoint) and not access.endpoint.startswith("https://"):
        raise ConfigError(f"must be an https:// URL, got {access.endpoint!r}",
                          field=f"{field}.endpoint")
    has_certificate = access.client_certificate is not None or access.client_key is not None
    given = [name for name, there in (("token", access.token is not None),
                                      ("exec", access.exec is not None),
                                      ("client_certificate", has_certificate)) if there]
    if len(given) > 1:
        raise ConfigError("give one of token, exec, or client_certificate and client_key, "
                          f"not {' and '.join(given)}", field=f"{field}.{given[0]}")
    if access.token is not None:
        _non_empty(access.token, f"{field}.token")
    elif access.exec is not None:
        _check_exec(access.exec, f"{field}.exec")
    elif not has_certificate:
        raise ConfigError("credentials are missing: give token, exec, or client_certificate "
                          "and client_key", field=f"{field}.token")
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


def _check_exec(plugin: Any, field: str) -> None:
    check_instance(plugin, field, ExecCredential, "ExecCredential(command=..., args=[...])")
    _non_empty(plugin.command, f"{field}.command")
    _non_empty(plugin.api_version, f"{field}.api_version")
    if isinstance(plugin.args, (str, bytes)) or not isinstance(plugin.args, (list, tuple)):
        raise ConfigError(f"must be a list of strings, got {type(plugin.args).__name__}",
                          field=f"{field}.args")
    for i, arg in enumerate(plugin.args):
        if not isinstance(arg, str):
            raise ConfigError(f"must be a string, got {type(arg).__name__}",
                              field=f"{field}.args[{i}]")
    if not isinstance(plugin.env, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in plugin.env.items()):
        raise ConfigError("must be a mapping of strings", field=f"{field}.env")
