"""GitLab's REST API, as fleetform calls it: one client, one error, one set of variables.

:class:`Project` is a project's API: ``FLEETFORM_GITLAB_API_URL`` /
``FLEETFORM_GITLAB_PROJECT_ID``, else GitLab CI's ``CI_API_V4_URL`` / ``CI_PROJECT_ID``.
Who calls it: a token given by the caller (``PRIVATE-TOKEN``: the merge request note's
and the drift issue's, which need scope ``api``), else ``FLEETFORM_GITLAB_TOKEN`` (an
access token with ``read_api``) when set, else the job's ``CI_JOB_TOKEN`` (GitLab lets it
read the project's environments and deployments). Every failure is a
:class:`GitLabError` naming the method and the path, never a token.

What fleetform reads and writes with it:

* :func:`applied_commits`: the commit of each cluster's last successful apply.
  Apply jobs deploy to the environment ``fleet/<name>``; GitLab records each
  successful one as a deployment with its commit. Environments that are stopped
  (a retired cluster) are left out.
* :func:`record_deployment`: records a successful apply as a deployment of
  ``fleet/<name>`` (what a batch apply job does for each cluster it applies).
* the merge request note (:mod:`fleetform.integrations.merge_request_note`) and the
  drift issue (:mod:`fleetform.commands.drift`).

Terraform's state behind GitLab is another protocol, Terraform's HTTP backend, with
Terraform's credentials: :mod:`fleetform.integrations.state_backend`.

Only the standard library is used (the plans job runs with the job image's Python).
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import quote, urlencode

#: Each cluster's apply jobs deploy to the GitLab environment ``fleet/<name>``.
ENVIRONMENT_PREFIX = "fleet/"
TIMEOUT = 30
#: Environments (and so clusters) read at most: 100 pages of 100.
MAX_PAGES = 100


def api_url(env: Mapping[str, str]) -> str | None:
    """The API's URL: ``FLEETFORM_GITLAB_API_URL``, else ``CI_API_V4_URL``; None when
    neither is an http(s) URL."""
    url = (env.get("FLEETFORM_GITLAB_API_URL") or env.get("CI_API_V4_URL") or "").rstrip("/")
    return url if re.match(r"^https?://\S+$", url) else None


def project_id(env: Mapping[str, str]) -> str | None:
    """The project's ID or path: ``FLEETFORM_GITLAB_PROJECT_ID``, else ``CI_PROJECT_ID``."""
    return env.get("FLEETFORM_GITLAB_PROJECT_ID") or env.get("CI_PROJECT_ID") or None


class GitLabError(Exception):
    """A GitLab API call failed or cannot be made (unreachable, refused, no token...);
    the message names the method and path, never a token."""


@dataclass(frozen=True)
class Project:
    """One project's REST API: ``api_url`` (``https://gitlab.com/api/v4``), the project's
    URL-encoded ID or path, and the headers that authenticate the calls."""

    api_url: str
    project: str
    headers: Mapping[str, str] = field(repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, token: str | None = None) -> Project:
        """The project of ``env`` (see the module), called with ``token`` when given."""
        url, project = api_url(env), project_id(env)
        if url is None or project is None:
            raise GitLabError("no GitLab API: set CI_API_V4_URL and CI_PROJECT_ID (GitLab CI "
                              "does), or FLEETFORM_GITLAB_API_URL and "
                              "FLEETFORM_GITLAB_PROJECT_ID")
        if token:
            headers = {"PRIVATE-TOKEN": token}
        elif env.get("FLEETFORM_GITLAB_TOKEN"):
            headers = {"PRIVATE-TOKEN": env["FLEETFORM_GITLAB_TOKEN"]}
        elif env.get("CI_JOB_TOKEN"):
            headers = {"JOB-TOKEN": env["CI_JOB_TOKEN"]}
        else:
            raise GitLabError("no GitLab token: CI_JOB_TOKEN (in GitLab CI) or "
                              "FLEETFORM_GITLAB_TOKEN (read_api)")
        return cls(url, quote(project, safe=""), headers)

    def call(self, method: str, path: str, *, query: Mapping[str, Any] | None = None,
             json_body: Mapping[str, Any] | None = None,
             form: Mapping[str, str] | None = None) -> tuple[Any, str]:
        """``method`` on ``/projects/<project><path>``: ``(decoded JSON answer or None,
        next page or '')``. The body is ``json_body`` as JSON or ``form`` URL-encoded."""
        # Imported here: the synth reads this module's variables, and needs no HTTP client.
        from urllib.error import HTTPError, URLError
        from urllib.request import Request, urlopen

        shown = f"/projects/{self.project}{path}"
        headers = {**self.headers, "Accept": "application/json"}
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = f"{self.api_url}{shown}" + (f"?{urlencode(query)}" if query else "")
        try:
            with urlopen(Request(url, data=data, method=method, headers=headers),
                         timeout=TIMEOUT) as response:
                raw = response.read()
                next_page = response.headers.get("X-Next-Page", "") or ""
        except HTTPError as exc:
            raise GitLabError(f"{method} {shown}: HTTP {exc.code} {exc.reason}") from None
        except (URLError, OSError, socket.timeout) as exc:
            raise GitLabError(f"{method} {shown}: {getattr(exc, 'reason', exc)}") from None
        try:
            return (json.loads(raw.decode("utf-8")) if raw.strip() else None), next_page
        except (ValueError, UnicodeDecodeError):
            raise GitLabError(f"{method} {shown}: the answer is not JSON") from None

    def get_list(self, path: str, query: Mapping[str, Any], what: str) -> tuple[list, str]:
        """A GET whose answer must be a list (of ``what``): ``(list, next page or '')``."""
        data, next_page = self.call("GET", path, query=query)
        if not isinstance(data, list):
            raise GitLabError(f"GET /projects/{self.project}{path}: expected a list of {what}")
        return data, next_page


def applied_commits(env: Mapping[str, str]) -> dict[str, str]:
    """``{cluster: commit}`` of each available ``fleet/<cluster>`` environment's last
    successful deployment (environments without one are left out)."""
    gitlab = Project.from_env(env)
    names: list[str] = []
    page = "1"
    for _ in range(MAX_PAGES):
        found, page = gitlab.get_list("/environments", {
            "search": ENVIRONMENT_PREFIX, "states": "available", "per_page": 100,
            "page": page}, "environments")
        names += [e["name"] for e in found if isinstance(e, dict)
                  and str(e.get("name", "")).startswith(ENVIRONMENT_PREFIX)]
        if not page:
            break
    applied: dict[str, str] = {}
    for name in names:
        found, _ = gitlab.get_list("/deployments", {
            "environment": name, "status": "success", "order_by": "finished_at",
            "sort": "desc", "per_page": 1}, "deployments")
        sha = found[0].get("sha") if found and isinstance(found[0], dict) else None
        if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}", sha):
            applied[name[len(ENVIRONMENT_PREFIX):]] = sha
    return applied


def record_deployment(env: Mapping[str, str], cluster: str) -> None:
    """Record a successful deployment of ``fleet/<cluster>`` at the job's commit
    (``CI_COMMIT_SHA`` on ``CI_COMMIT_REF_NAME``), as an apply job with that
    environment would: what :func:`applied_commits` reads. GitLab creates the
    environment if it is new."""
    gitlab = Project.from_env(env)
    sha, ref = env.get("CI_COMMIT_SHA", ""), env.get("CI_COMMIT_REF_NAME", "")
    if not re.fullmatch(r"[0-9a-f]{40}", sha) or not ref:
        raise GitLabError("no commit to record: CI_COMMIT_SHA and CI_COMMIT_REF_NAME "
                          "are not set (GitLab CI sets them)")
    gitlab.call("POST", "/deployments", form={
        "environment": ENVIRONMENT_PREFIX + cluster, "sha": sha, "ref": ref, "tag": "false",
        "status": "success"})
