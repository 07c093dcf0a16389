"""The little of GitLab's REST API that fleetform reads and writes.

* :func:`applied_commits`: the commit of each cluster's last successful apply.
  Apply jobs deploy to the environment ``fleet/<name>``; GitLab records each
  successful one as a deployment with its commit. Environments that are stopped
  (a retired cluster) are left out.
* :func:`record_deployment`: records a successful apply as a deployment of
  ``fleet/<name>`` (what a batch apply job does for each cluster it applies).
* :class:`StateClient`: one GitLab-managed Terraform state (the HTTP backend's
  protocol: GET/POST the state, POST/DELETE ``/lock``), for ``fleetform
  move-state``.

Where: ``FLEETFORM_GITLAB_API_URL`` / ``FLEETFORM_GITLAB_PROJECT_ID``, else GitLab
CI's ``CI_API_V4_URL`` / ``CI_PROJECT_ID``. Who: the API is read with
``FLEETFORM_GITLAB_TOKEN`` (an access token with ``read_api``) when set, else the
job's ``CI_JOB_TOKEN`` (GitLab lets it read the project's environments and
deployments); the state with ``TF_HTTP_USERNAME`` / ``TF_HTTP_PASSWORD``, as
Terraform does. No token is ever printed: errors name the path and the status.
"""

from __future__ import annotations

import base64
import getpass
import json
import re
import socket
import uuid
from datetime import datetime, timezone
from typing import Mapping
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from ..errors import ConfigError

#: Each cluster's apply jobs deploy to the GitLab environment ``fleet/<name>``.
ENVIRONMENT_PREFIX = "fleet/"
TIMEOUT = 30
#: Environments (and so clusters) read at most: 100 pages of 100.
MAX_PAGES = 100


class AppliedUnknown(Exception):
    """What was applied cannot be read (GitLab API unreachable, no access, ...)."""


def project_api(env: Mapping[str, str]) -> tuple[str, str]:
    """``(API URL, URL-encoded project)`` from the environment, or AppliedUnknown."""
    api_url = (env.get("FLEETFORM_GITLAB_API_URL") or env.get("CI_API_V4_URL") or "").rstrip("/")
    project = env.get("FLEETFORM_GITLAB_PROJECT_ID") or env.get("CI_PROJECT_ID") or ""
    if not re.match(r"^https?://\S+$", api_url) or not project:
        raise AppliedUnknown("no GitLab API: set CI_API_V4_URL and CI_PROJECT_ID (GitLab CI "
                             "does), or FLEETFORM_GITLAB_API_URL and FLEETFORM_GITLAB_PROJECT_ID")
    return api_url, quote(project, safe="")


def _headers(env: Mapping[str, str]) -> dict[str, str]:
    if env.get("FLEETFORM_GITLAB_TOKEN"):
        return {"PRIVATE-TOKEN": env["FLEETFORM_GITLAB_TOKEN"]}
    if env.get("CI_JOB_TOKEN"):
        return {"JOB-TOKEN": env["CI_JOB_TOKEN"]}
    raise AppliedUnknown("no GitLab token: CI_JOB_TOKEN (in GitLab CI) or "
                         "FLEETFORM_GITLAB_TOKEN (read_api)")


def _get_json(url: str, path: str, headers: Mapping[str, str]) -> tuple[object, str]:
    """GET ``url``; ``(decoded JSON, next page or '')``. Failures name ``path`` only."""
    request = Request(url, headers={**headers, "Accept": "application/json"})
    try:
        with urlopen(request, timeout=TIMEOUT) as response:
            data = json.loads(response.read().decode("utf-8"))
            return data, response.headers.get("X-Next-Page", "") or ""
    except HTTPError as exc:
        raise AppliedUnknown(f"GET {path}: HTTP {exc.code} {exc.reason}") from None
    except (URLError, OSError, socket.timeout) as exc:
        reason = getattr(exc, "reason", exc)
        raise AppliedUnknown(f"GET {path}: {reason}") from None
    except (ValueError, UnicodeDecodeError):
        raise AppliedUnknown(f"GET {path}: the answer is not JSON") from None


def applied_commits(env: Mapping[str, str]) -> dict[str, str]:
    """``{cluster: commit}`` of each available ``fleet/<cluster>`` environment's last
    successful deployment (environments without one are left out)."""
    api_url, project = project_api(env)
    headers = _headers(env)
    names: list[str] = []
    page = "1"
    for _ in range(MAX_PAGES):
        query = urlencode({"search": ENVIRONMENT_PREFIX, "states": "available",
                           "per_page": 100, "page": page})
        path = f"/projects/{project}/environments"
        data, page = _get_json(f"{api_url}{path}?{query}", path, headers)
        if not isinstance(data, list):
            raise AppliedUnknown(f"GET {path}: expected a list of environments")
        names += [e["name"] for e in data if isinstance(e, dict)
                  and str(e.get("name", "")).startswith(ENVIRONMENT_PREFIX)]
        if not page:
            break
    applied: dict[str, str] = {}
    for name in names:
        query = urlencode({"environment": name, "status": "success",
                           "order_by": "finished_at", "sort": "desc", "per_page": 1})
        path = f"/projects/{project}/deployments"
        data, _ = _get_json(f"{api_url}{path}?{query}", path, headers)
        if not isinstance(data, list):
            raise AppliedUnknown(f"GET {path}: expected a list of deployments")
        sha = data[0].get("sha") if data and isinstance(data[0], dict) else None
        if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}", sha):
            applied[name[len(ENVIRONMENT_PREFIX):]] = sha
    return applied


def record_deployment(env: Mapping[str, str], cluster: str) -> None:
    """Record a successful deployment of ``fleet/<cluster>`` at the job's commit
    (``CI_COMMIT_SHA`` on ``CI_COMMIT_REF_NAME``), as an apply job with that
    environment would: what :func:`applied_commits` reads. GitLab creates the
    environment if it is new. AppliedUnknown when GitLab refuses or cannot be reached."""
    api_url, project = project_api(env)
    headers = _headers(env)
    sha, ref = env.get("CI_COMMIT_SHA", ""), env.get("CI_COMMIT_REF_NAME", "")
    if not re.fullmatch(r"[0-9a-f]{40}", sha) or not ref:
        raise AppliedUnknown("no commit to record: CI_COMMIT_SHA and CI_COMMIT_REF_NAME "
                             "are not set (GitLab CI sets them)")
    path = f"/projects/{project}/deployments"
    body = urlencode({"environment": ENVIRONMENT_PREFIX + cluster, "sha": sha, "ref": ref,
                      "tag": "false", "status": "success"}).encode()
    request = Request(f"{api_url}{path}", data=body, method="POST",
                      headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urlopen(request, timeout=TIMEOUT) as response:
            response.read()
    except HTTPError as exc:
        raise AppliedUnknown(f"POST {path}: HTTP {exc.code} {exc.reason}") from None
    except (URLError, OSError, socket.timeout) as exc:
        raise AppliedUnknown(f"POST {path}: {getattr(exc, 'reason', exc)}") from None


# --------------------------------------------------------------------------- Terraform state


class StateClient:
    """One Terraform state behind GitLab's HTTP backend (``address``, ``address/lock``)."""

    def __init__(self, address: str, env: Mapping[str, str]) -> None:
        self.address = address
        self.headers: dict[str, str] = {}
        user, password = env.get("TF_HTTP_USERNAME", ""), env.get("TF_HTTP_PASSWORD", "")
        if user or password:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.lock_id: str | None = None

    def _call(self, method: str, url: str, body: bytes | None = None,
              what: str = "state") -> tuple[int, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = Request(url, data=body, method=method, headers=headers)
        try:
            with urlopen(request, timeout=TIMEOUT) as response:
                return response.status, response.read()
        except HTTPError as exc:
            return exc.code, exc.read()
        except (URLError, OSError, socket.timeout) as exc:
            raise ConfigError(f"{method} failed: {getattr(exc, 'reason', exc)}",
                              file=self.address, field=what) from None

    def get(self) -> bytes | None:
        """The state, or None when there is none."""
        status, body = self._call("GET", self.address)
        if status in (204, 404) or (status == 200 and not body.strip()):
            return None
        if status != 200:
            raise ConfigError(f"cannot be read (HTTP {status})", file=self.address)
        return body

    def put(self, state: bytes) -> None:
        url = self.address + (f"?ID={quote(self.lock_id)}" if self.lock_id else "")
        status, _ = self._call("POST", url, state)
        if status not in (200, 201, 204):
            raise ConfigError(f"cannot be written (HTTP {status})", file=self.address)

    def delete(self) -> None:
        status, _ = self._call("DELETE", self.address)
        if status not in (200, 202, 204, 404):
            raise ConfigError(f"cannot be deleted (HTTP {status})", file=self.address)

    def lock(self, operation: str) -> None:
        """Take the state's lock (as Terraform does), or fail naming who holds it."""
        info = {"ID": str(uuid.uuid4()), "Operation": operation, "Info": "",
                "Who": f"{getpass.getuser()}@{socket.gethostname()}", "Version": "",
                "Created": datetime.now(timezone.utc).isoformat(), "Path": ""}
        status, body = self._call("POST", f"{self.address}/lock", json.dumps(info).encode(),
                                  what="lock")
        if status in (409, 423):
            try:
                holder = json.loads(body)
                who = f" by {holder.get('Who')} ({holder.get('Operation')}, ID {holder.get('ID')})"
            except (ValueError, AttributeError):
                who = ""
            raise ConfigError(f"is locked{who}: retry once that run is over", file=self.address,
                              field="lock")
        if status != 200:
            raise ConfigError(f"cannot be locked (HTTP {status})", file=self.address,
                              field="lock")
        self.lock_id = info["ID"]
        self._info = info

    def unlock(self) -> None:
        if self.lock_id is None:
            return
        status, _ = self._call("DELETE", f"{self.address}/lock",
                               json.dumps(self._info).encode(), what="lock")
        self.lock_id = None
        if status not in (200, 204, 404):
            raise ConfigError(f"cannot be unlocked (HTTP {status}): unlock it in GitLab "
                              "(Operate > Terraform states)", file=self.address, field="lock")
