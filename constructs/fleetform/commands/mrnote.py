"""One merge request note with the ``fleetform diff`` report, created once and then updated.

Needs ``FLEETFORM_MR_NOTE_TOKEN``: a GitLab project access token (role
Reporter or above, scope ``api``), as a masked CI/CD variable. GitLab's job
token cannot write notes. The merge request is the pipeline's
(``CI_API_V4_URL``, ``CI_PROJECT_ID``, ``CI_MERGE_REQUEST_IID``). The note is
recognised by its first line, :data:`~fleetform.commands.diffreport.NOTE_MARKER`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Mapping

from .diffreport import NOTE_MARKER

TOKEN_ENV = "FLEETFORM_MR_NOTE_TOKEN"
REQUIRED = ("CI_API_V4_URL", "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID")
#: Pages of notes searched for the previous report (100 notes a page).
MAX_PAGES = 20
TIMEOUT = 30


class NoteError(Exception):
    """The note could not be posted (the message never holds the token)."""


def wanted(env: Mapping[str, str]) -> bool:
    """Whether a note should be posted: a token and a merge request pipeline."""
    return bool(env.get(TOKEN_ENV)) and bool(env.get("CI_MERGE_REQUEST_IID"))


def _request(opener: Callable, method: str, url: str, token: str,
             body: dict | None = None) -> tuple[Any, Mapping[str, str]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "PRIVATE-TOKEN": token, "Content-Type": "application/json",
        "Accept": "application/json"})
    try:
        with opener(request, timeout=TIMEOUT) as response:
            return json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as exc:
        raise NoteError(f"{method} {url.split('?')[0]}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NoteError(f"{method} {url.split('?')[0]}: {getattr(exc, 'reason', exc)}") from None


def post(body: str, env: Mapping[str, str], *,
         opener: Callable = urllib.request.urlopen) -> str:
    """Create or update the report note; returns what was done (``created note 12``)."""
    missing = [k for k in (TOKEN_ENV, *REQUIRED) if not env.get(k)]
    if missing:
        raise NoteError(f"cannot post the note: {', '.join(missing)} not set")
    token = env[TOKEN_ENV]
    api = env["CI_API_V4_URL"].rstrip("/")
    project = urllib.parse.quote(env["CI_PROJECT_ID"], safe="")
    iid = urllib.parse.quote(env["CI_MERGE_REQUEST_IID"], safe="")
    notes = f"{api}/projects/{project}/merge_requests/{iid}/notes"
    existing = None
    for page in range(1, MAX_PAGES + 1):
        found, headers = _request(opener, "GET", f"{notes}?per_page=100&page={page}"
                                  "&sort=asc&order_by=created_at", token)
        if not isinstance(found, list):
            raise NoteError(f"GET {notes}: unexpected answer")
        existing = next((n for n in found if isinstance(n, dict) and not n.get("system")
                         and str(n.get("body", "")).startswith(NOTE_MARKER)), None)
        if existing is not None or not headers.get("X-Next-Page"):
            break
    if existing is not None:
        _request(opener, "PUT", f"{notes}/{existing['id']}", token, {"body": body})
        return f"updated note {existing['id']}"
    created, _ = _request(opener, "POST", notes, token, {"body": body})
    return f"created note {created.get('id') if isinstance(created, dict) else '?'}"
