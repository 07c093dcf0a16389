"""One merge request note with the ``fleetform diff`` report and the plans of the
change, created once and then updated.

Needs ``FLEETFORM_MR_NOTE_TOKEN``: a GitLab project access token (role
Reporter or above, scope ``api``), as a masked CI/CD variable. GitLab's job
token cannot write notes. The merge request is the pipeline's
(``CI_MERGE_REQUEST_IID``), in the project that
:class:`fleetform.integrations.gitlab.Project` reads from the environment. The note
is recognised by its first line, :data:`NOTE_MARKER`.

The note has two parts, each written by its own job: the diff (``fleetform diff``,
offline, first) and, after it, the plans against real state (``fleetform plans``,
in the child pipeline, once the plans are done), which start with
:data:`PLANS_MARKER` and the commit planned. Each job rewrites its own part and
keeps the other; the diff of a new commit drops the plans of an older one.

Only the standard library is used (the plans job runs with the job image's Python).
"""

from __future__ import annotations

from typing import Mapping
from urllib.parse import quote

from .gitlab import GitLabError, Project

#: The note's first line.
NOTE_MARKER = "<!-- fleetform-diff -->"
#: The first line of the plans part: ``<!-- fleetform-plans COMMIT -->``.
PLANS_MARKER = "<!-- fleetform-plans"
#: GitLab refuses a note over 1,000,000 characters.
MAX_NOTE_CHARS = 1_000_000
TOKEN_ENV = "FLEETFORM_MR_NOTE_TOKEN"
#: Pages of notes searched for the previous report (100 notes a page).
MAX_PAGES = 20


def wanted(env: Mapping[str, str]) -> bool:
    """Whether a note should be posted: a token and a merge request pipeline."""
    return bool(env.get(TOKEN_ENV)) and bool(env.get("CI_MERGE_REQUEST_IID"))


def plans_heading(commit: str) -> str:
    return f"{PLANS_MARKER} {commit or 'unknown'} -->"


def _parts(note: str) -> tuple[str, str]:
    """``(diff part, plans part)`` of a note's body."""
    at = note.find(f"\n{PLANS_MARKER} ")
    if note.startswith(f"{PLANS_MARKER} "):
        at = 0
    return (note, "") if at < 0 else (note[:at], note[at:].lstrip("\n"))


def combine(existing: str | None, *, diff: str | None = None, plans: str | None = None,
            commit: str = "") -> str:
    """The note's new body: the part given replaces its own in ``existing``; the diff
    keeps plans of the same ``commit`` only."""
    old_diff, old_plans = _parts(existing or "")
    if diff is not None:
        kept = old_plans if old_plans.startswith(plans_heading(commit)) and commit else ""
        body = diff.rstrip("\n") + "\n\n" + kept if kept else diff
    else:
        head = old_diff.rstrip("\n") if old_diff.startswith(NOTE_MARKER) else NOTE_MARKER
        body = head + "\n\n" + (plans or "").rstrip("\n") + "\n"
    return body


def post(body: str, env: Mapping[str, str], *, part: str = "diff") -> str:
    """Create or update the report note with ``body`` as its ``part`` (``diff`` or
    ``plans``); returns what was done (``created note 12``). GitLabError when it cannot."""
    missing = [k for k in (TOKEN_ENV, "CI_MERGE_REQUEST_IID") if not env.get(k)]
    if missing:
        raise GitLabError(f"cannot post the note: {', '.join(missing)} not set")
    gitlab = Project.from_env(env, token=env[TOKEN_ENV])
    notes = f"/merge_requests/{quote(env['CI_MERGE_REQUEST_IID'], safe='')}/notes"
    existing = None
    for page in range(1, MAX_PAGES + 1):
        found, next_page = gitlab.get_list(notes, {"per_page": 100, "page": page, "sort": "asc",
                                                   "order_by": "created_at"}, "notes")
        existing = next((n for n in found if isinstance(n, dict) and not n.get("system")
                         and str(n.get("body", "")).startswith(NOTE_MARKER)), None)
        if existing is not None or not next_page:
            break
    commit = env.get("CI_COMMIT_SHA", "")
    text = combine(existing.get("body") if existing is not None else None,
                   **{part: body}, commit=commit)
    if len(text) > MAX_NOTE_CHARS:
        raise GitLabError(f"the note would be {len(text)} characters, over GitLab's "
                          f"{MAX_NOTE_CHARS}")
    if existing is not None:
        gitlab.call("PUT", f"{notes}/{existing['id']}", json_body={"body": text})
        return f"updated note {existing['id']}"
    created, _ = gitlab.call("POST", notes, json_body={"body": text})
    return f"created note {created.get('id') if isinstance(created, dict) else '?'}"
