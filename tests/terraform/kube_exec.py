"""client-go's exec credential plugin, as the Kubernetes, Helm and Argo CD stand-ins use it.

A Kubernetes client whose configuration has an ``exec`` block (kubernetes
provider: ``exec`` block; helm 3.x: ``kubernetes.exec`` nested attribute;
argocd: ``kubernetes[0].exec`` block) runs that command before its first
request, as client-go's ``plugin/pkg/client/auth/exec`` does: the command found
on the process's PATH, its arguments, the process environment with the exec
``env`` entries over it and ``KUBERNETES_EXEC_INFO``; its stdout parsed as an
ExecCredential of the configured API version, and ``status.token`` sent as the
bearer token. A static ``token`` in the configuration wins over the plugin (the
plugin does not replace an Authorization header already set). The credential
is kept for the process (one Terraform operation: the cloud's clock does not
move within it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

#: The API versions client-go's exec plugin speaks (v1alpha1 was removed in 1.24).
API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
_INSTALL_HINT = ("\n\nIt looks like you are trying to use a client-go credential plugin that "
                 "is not installed.\n\nTo learn more about this feature, consult the "
                 "documentation available at:\n      https://kubernetes.io/docs/reference/"
                 "access-authn-authz/authentication/#client-go-credential-plugins")
_CACHE: dict[str, str] = {}


class ExecError(Exception):
    """The plugin gave no credential: client-go's "getting credentials: ..." error."""


def exec_config(config: dict | None) -> dict | None:
    """The ``exec`` of a provider's Kubernetes configuration: a block (list) or an object."""
    value = (config or {}).get("exec")
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) and value.get("command") else None


def bearer_token(config: dict | None, log: list | None = None) -> Any:
    """The token a client with ``config`` sends: the static one, else the exec plugin's."""
    config = config or {}
    token = config.get("token")
    if isinstance(token, str) and token:
        return token
    plugin = exec_config(config)
    if plugin is None:
        return token
    return run_plugin(plugin, log)


def run_plugin(plugin: dict, log: list | None = None) -> str:
    key = json.dumps(plugin, sort_keys=True, default=str)
    if key in _CACHE:
        return _CACHE[key]
    api_version = plugin.get("api_version")
    if api_version not in API_VERSIONS:
        raise ExecError(f"exec plugin: invalid apiVersion {json.dumps(api_version)}")
    command = plugin["command"]
    args = [str(a) for a in plugin.get("args") or []]
    path = command if os.sep in command else shutil.which(command, path=os.environ.get("PATH"))
    if not path or not os.access(path, os.X_OK):
        raise ExecError(f"getting credentials: exec: executable {command} not found"
                        + _INSTALL_HINT)
    env = dict(os.environ)
    env.update({k: str(v) for k, v in (plugin.get("env") or {}).items()})
    env["KUBERNETES_EXEC_INFO"] = json.dumps({"kind": "ExecCredential", "apiVersion": api_version,
                                              "spec": {"interactive": False}})
    proc = subprocess.run([path, *args], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)
    if log is not None:
        log.append([command, *args, proc.returncode])
    if proc.returncode != 0:
        stderr = proc.stderr.strip()
        raise ExecError(f"getting credentials: exec: executable {command} failed with exit "
                        f"code {proc.returncode}" + (f"\n{stderr}" if stderr else ""))
    try:
        credential = json.loads(proc.stdout)
    except ValueError as exc:
        raise ExecError(f"getting credentials: decoding stdout: couldn't get version/kind; "
                        f"json parse error: {exc}") from None
    if not isinstance(credential, dict) or credential.get("kind") != "ExecCredential":
        raise ExecError("getting credentials: decoding stdout: no kind \"ExecCredential\" is "
                        "registered for the plugin's output")
    if credential.get("apiVersion") != api_version:
        raise ExecError(f"getting credentials: exec plugin is configured to use API version "
                        f"{api_version}, plugin returned version {credential.get('apiVersion')}")
    status = credential.get("status")
    if not isinstance(status, dict):
        raise ExecError("getting credentials: exec plugin didn't return a status field")
    token = status.get("token")
    if not isinstance(token, str) or not token:
        raise ExecError("getting credentials: exec plugin didn't return a token or cert/key pair")
    _CACHE[key] = token
    return token
