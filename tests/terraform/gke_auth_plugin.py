"""The tests' ``gke-gcloud-auth-plugin``, against the fake cloud.

The harness puts a launcher for it first on PATH (``bin/gke-gcloud-auth-plugin`` in a
workspace), so the exec plugins of the Kubernetes, Helm and Argo CD stand-ins run it as
client-go runs the real one (kubernetes/cloud-provider-gcp, cmd/gke-gcloud-auth-plugin).
Like the real plugin it makes no GKE call and prints an ExecCredential of API version
client.authentication.k8s.io/v1beta1 whatever it was asked for. Its token comes from:

* ``--use_application_default_credentials``: Application Default Credentials as
  oauth2/google's DefaultTokenSource finds them (GOOGLE_APPLICATION_CREDENTIALS: a
  service account key or an external_account config; else gcloud's
  application_default_credentials.json; no metadata server here), the token valid one
  hour on the cloud's clock. GOOGLE_OAUTH_ACCESS_TOKEN is the Terraform provider's
  variable, not ADC: the plugin ignores it.
* otherwise (the default): CLOUDSDK_AUTH_ACCESS_TOKEN as it is (no expiry), else
  ``gcloud config config-helper --format=json``: a gcloud in the workspace's ``bin/``
  only (a real one elsewhere on PATH would talk to Google). The harness puts none there,
  so this fails as the real plugin does without gcloud.

Failures are klog.Exit's: a FATAL line on stderr, exit code 1. The cloud
(FLEETFORM_STANDIN_CLOUD) is read without its lock: the file is always replaced whole.
Not modelled: the token cache file (~/.kube/gke_gcloud_auth_plugin_cache, used only in
gcloud mode), ``--use_edge_cloud``, ``--impersonate_service_account``.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cloud_google as gcp  # noqa: E402

API_VERSION = "client.authentication.k8s.io/v1beta1"
BOOL_FLAGS = {"use_application_default_credentials", "use_edge_cloud", "help", "version",
              "logtostderr", "alsologtostderr"}
VALUE_FLAGS = {"project", "account", "location", "cluster", "impersonate_service_account",
               "v", "vmodule", "stderrthreshold", "log_dir", "log_file"}
USAGE = "Usage of gke-gcloud-auth-plugin:\n      --use_application_default_credentials   " \
        "Output is an ExecCredential filled with application default credentials.\n"


def _now(cloud: dict | None) -> datetime.datetime:
    seconds = cloud["now"] if cloud else 0
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def fatal(cloud: dict | None, message: str) -> int:
    """klog.Exit: ``Fmmdd hh:mm:ss.uuuuuu pid file:line] message``, then exit 1."""
    stamp = _now(cloud).strftime("%m%d %H:%M:%S.000000")
    sys.stderr.write(f"F{stamp} {os.getpid():7d} cred.go:166] {message}\n")
    return 1


def parse(argv: list[str]) -> tuple[dict, str | None]:
    """pflag: ``--name``, ``--name=value``, ``--name value``; an unknown flag is an error."""
    flags: dict = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-") or arg in ("-", "--"):
            i += 1
            continue
        name, eq, value = arg.lstrip("-").partition("=")
        if name in BOOL_FLAGS:
            flags[name] = value.lower() not in ("false", "0") if eq else True
        elif name in VALUE_FLAGS:
            if not eq:
                if i + 1 >= len(argv):
                    return flags, f"flag needs an argument: --{name}"
                i += 1
                value = argv[i]
            flags[name] = value
        else:
            return flags, f"unknown flag: --{name}"
        i += 1
    return flags, None


def _gcloud_token(cloud: dict | None, flags: dict, env: dict) -> tuple[str, str | None]:
    token = env.get("CLOUDSDK_AUTH_ACCESS_TOKEN")
    if token:
        return token, None
    args = ["config", "config-helper", "--format=json"]
    for name, flag in (("project", "project"), ("account", "account"),
                       ("impersonate_service_account", "impersonate-service-account")):
        if flags.get(name):
            args.append(f"--{flag}={flags[name]}")
    # Only a gcloud of the workspace's bin/ runs: a real one elsewhere on PATH (this machine
    # has one) would talk to Google, so it counts as absent.
    tools = Path(env.get("FLEETFORM_STANDIN_CLOUD", "/nonexistent")).parent / "bin"
    gcloud = shutil.which("gcloud", path=str(tools))
    if gcloud is None:
        raise RuntimeError(f"failure while executing gcloud, with args [{' '.join(args)}]: "
                           'exec: "gcloud": executable file not found in $PATH (err: )')
    proc = subprocess.run([gcloud, *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"failure while executing gcloud, with args [{' '.join(args)}]: "
                           f"exit status {proc.returncode} (err: {proc.stderr})")
    try:
        credential = json.loads(proc.stdout)["credential"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(f"error parsing gcloud output: {exc}") from None
    if not credential.get("access_token"):
        raise RuntimeError("gcloud config config-helper returned an empty access token")
    return credential["access_token"], credential.get("token_expiry")


def _adc_token(cloud: dict, env: dict) -> tuple[str, str]:
    prefix = "getting google default token failed after multiple retries: "
    try:
        credential = gcp.adc_credentials(env)
    except gcp.AdcError as exc:
        raise RuntimeError(f"{prefix}cannot construct google default token source: {exc}") \
            from None
    try:
        token, expiry, _principal = gcp.access_token(cloud, credential)
    except gcp.TokenError as exc:
        raise RuntimeError(f"{prefix}cannot retrieve default token from google default token "
                           f"source: {exc}") from None
    return token, gcp.iso(expiry)


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    path = env.get("FLEETFORM_STANDIN_CLOUD")
    cloud = json.loads(Path(path).read_text()) if path and Path(path).is_file() else None
    flags, error = parse(argv)
    if error:
        sys.stderr.write(f"{error}\n{USAGE}")
        return 2
    if flags.get("help"):
        sys.stdout.write(USAGE)
        return 0
    if flags.get("version"):
        sys.stdout.write("Kubernetes v1.33.0-alpha+fleetform-standin\n")
        return 0
    if flags.get("use_edge_cloud"):
        return fatal(cloud, "gke-gcloud-auth-plugin (tests' stand-in): --use_edge_cloud is "
                            "not modelled")
    if cloud is None:
        return fatal(cloud, "gke-gcloud-auth-plugin (tests' stand-in): FLEETFORM_STANDIN_CLOUD "
                            "is not set: this plugin only works against the tests' fake cloud")
    try:
        if flags.get("use_application_default_credentials"):
            token, expiry = _adc_token(cloud, env)
        else:
            token, expiry = _gcloud_token(cloud, flags, env)
    except RuntimeError as exc:
        return fatal(cloud, f"print credential failed with error: failed to retrieve access "
                            f"token: {exc}")
    status = {"token": token}
    if expiry:
        status = {"expirationTimestamp": expiry, "token": token}
    credential = {"kind": "ExecCredential", "apiVersion": API_VERSION,
                  "spec": {"interactive": False}, "status": status}
    sys.stdout.write(json.dumps(credential, indent=4))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
