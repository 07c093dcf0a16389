"""`fleetform diff` for merge requests: the Markdown note, and posting it to GitLab.

GitLab is the suite's loopback stand-in (support/fake_gitlab.py), which records what it is
asked: no test reaches a network.

The expected reports are inline snapshots (inline-snapshot), each with a note of what was
reviewed in it. After a deliberate change of the report, ``./fleet test -n 0 --inline-snapshot=fix
tests/test_diff.py tests/test_diff_note.py`` rewrites them in place: review the change
against each note, and update the note.
"""

from __future__ import annotations

import json

import pytest
from inline_snapshot import snapshot

from fleetform.commands.diff import report as diffreport
from fleetform.integrations import merge_request_note as mrnote
from fleetform.integrations.gitlab import GitLabError
from fleetform.commands.cli import main
from fleetform.commands.diff.report import NOTE_MARKER, format_markdown
from support.fake_gitlab import FakeGitLab
from test_diff import diff_of, fleet, redact_commits  # noqa: F401 (fixture)

TOKEN = "glpat-test-token-123"


def serve(*, notes: list[dict] | None = None, fail: int | None = None) -> FakeGitLab:
    """The suite's loopback GitLab, holding merge request !7's ``notes`` (project 42)."""
    server = FakeGitLab(project="42", token=TOKEN).__enter__()
    server.notes["7"] = list(notes or [])
    server.fail_api = fail
    return server


def env(server: FakeGitLab) -> dict[str, str]:
    return {"CI_API_V4_URL": server.api_url, "CI_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_IID": "7", mrnote.TOKEN_ENV: TOKEN}


def requests(server: FakeGitLab) -> list[tuple[str, str, str | None, dict | None]]:
    """``(method, path, token, JSON body)`` of each request the server received."""
    return [(method, path, {k.lower(): v for k, v in headers.items()}.get("private-token"),
             json.loads(body) if body else None)
            for method, path, headers, body in server.requests]


@pytest.fixture
def gitlab():
    """The suite's loopback GitLab (conftest's ``gitlab``), with a merge request's notes."""
    server = serve(notes=[{"id": 1, "body": "LGTM", "system": False},
                          {"id": 2, "body": f"{NOTE_MARKER}\nan old report", "system": True}])
    yield server
    server.__exit__(None, None, None)


def test_the_first_run_creates_one_note_and_later_runs_update_it(gitlab):
    assert mrnote.post(f"{NOTE_MARKER}\nfirst", env(gitlab)) == "created note 102"
    assert mrnote.post(f"{NOTE_MARKER}\nsecond", env(gitlab)) == "updated note 102"

    methods = [(m, p.split("?")[0], body) for m, p, _, body in requests(gitlab)]
    notes = "/api/v4/projects/42/merge_requests/7/notes"
    assert methods == [("GET", notes, None), ("POST", notes, {"body": f"{NOTE_MARKER}\nfirst"}),
                       ("GET", notes, None),
                       ("PUT", f"{notes}/102", {"body": f"{NOTE_MARKER}\nsecond"})]
    assert {token for _, _, token, _ in requests(gitlab)} == {TOKEN}
    # A system note that happens to start with the marker is not ours to edit.
    assert [n["body"] for n in gitlab.notes["7"]] == ["LGTM", f"{NOTE_MARKER}\nan old report",
                                                 f"{NOTE_MARKER}\nsecond"]


def test_a_refused_request_is_an_error_without_the_token():
    server = serve(fail=403)
    try:
        with pytest.raises(GitLabError) as info:
            mrnote.post(f"{NOTE_MARKER}\nx", env(server))
    finally:
        server.__exit__(None, None, None)
    assert "HTTP 403" in str(info.value) and TOKEN not in str(info.value)


def test_the_note_finds_gitlab_as_every_gitlab_call_of_fleetform_does():
    # GIVEN the API named by fleetform's variables, which win over GitLab CI's
    server = serve()
    try:
        # WHEN the note is posted
        posted = mrnote.post(f"{NOTE_MARKER}\nx", {
            "FLEETFORM_GITLAB_API_URL": server.api_url, "FLEETFORM_GITLAB_PROJECT_ID": "42",
            "CI_API_V4_URL": "http://127.0.0.1:9/api/v4", "CI_PROJECT_ID": "1",
            "CI_MERGE_REQUEST_IID": "7", mrnote.TOKEN_ENV: TOKEN})
    finally:
        server.__exit__(None, None, None)
    # THEN it reaches that project's merge request, as applied_commits would
    assert posted.startswith("created note ")
    assert [n["body"] for n in server.notes["7"]] == [f"{NOTE_MARKER}\nx"]


def test_nothing_is_posted_without_a_token_or_outside_a_merge_request():
    assert not mrnote.wanted({"CI_MERGE_REQUEST_IID": "7"})
    assert not mrnote.wanted({mrnote.TOKEN_ENV: TOKEN})
    with pytest.raises(GitLabError, match="cannot post the note: FLEETFORM_MR_NOTE_TOKEN not set"):
        mrnote.post("x", {"CI_MERGE_REQUEST_IID": "7"})
    with pytest.raises(GitLabError, match="no GitLab API: set CI_API_V4_URL and CI_PROJECT_ID"):
        mrnote.post("x", {"CI_MERGE_REQUEST_IID": "7", mrnote.TOKEN_ENV: TOKEN})


def test_a_merge_request_run_posts_the_markdown_report(fleet, gitlab, monkeypatch, capsys,
                                                       tmp_path):
    base = fleet.head()
    fleet.write("manifests/web/values/w1/shop/values.yaml", "tag: '1.2'\n")
    fleet.commit("shop 1.2 on w1")
    for name, value in {**env(gitlab), "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
                        "CI_PIPELINE_SOURCE": "merge_request_event"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CI_MERGE_REQUEST_DESCRIPTION", raising=False)

    code = main(["diff", "--ci", "--gate", "-C", str(fleet.path),
                 "--markdown", str(tmp_path / "diff.md"), "--json", str(tmp_path / "diff.json")])
    err = capsys.readouterr().err

    assert code == 0
    assert "fleetform diff: created note 102 on merge request !7" in err
    [(_, _, _, posted)] = [r for r in requests(gitlab) if r[0] == "POST"]
    assert posted["body"] == (tmp_path / "diff.md").read_text()
    assert posted["body"].startswith(NOTE_MARKER + "\n### fleetform diff\n")
    assert json.loads((tmp_path / "diff.json").read_text())["manifests"][0]["application"] == \
        "w1-shop"
    assert TOKEN not in err


# --------------------------------------------------------------------------- Markdown


def test_the_markdown_note_has_a_table_the_gates_and_a_collapsed_section_per_cluster(fleet):
    base = fleet.head()
    fleet.write("manifests/web/values/w1/shop/values.yaml", "tag: '1.2'\n")
    fleet.commit("shop 1.2 on w1")

    text = redact_commits(format_markdown(diff_of(fleet, base)), fleet, base)

    # Reviewed: the marker line first (the note is found and updated by it), the table of
    # one changed application, the gates, and w1's section collapsed, with the one line
    # that changes: the shop's image, 1.1 -> 1.2.
    assert text == snapshot("""\
<!-- fleetform-diff -->
### fleetform diff

`BASE (merge base BASE) -> HEAD`

stacks: no change; routing: +0 -0 application(s) on 0 cluster(s); manifests: 1 application(s) differ (1 of 4 pairs affected, 2 renders)

| Cluster | Stack | Applications | Manifests |
|---|---|---|---|
| w1 |  |  | 1 differ |

**Gates would pass (not enforced)** (0 violation(s))

<details><summary><b>w1</b>: 1 manifest change(s)</summary>

**w1-shop** (web: `web/shop`, Kubernetes 1.33): changed
- `~ Deployment web/shop`

```diff
--- BASE/w1/w1-shop
+++ HEAD/w1/w1-shop
@@ -16,6 +16,6 @@
         app: shop
     spec:
       containers:
-      - image: shop:1.1
+      - image: shop:1.2
         name: shop
 ---
```

</details>
""")


def test_long_diffs_are_cut_with_a_count_in_markdown(fleet, monkeypatch):
    base = fleet.head()
    fleet.write("manifests/web/values/w1/shop/values.yaml", "tag: '1.2'\n")
    fleet.commit("shop 1.2 on w1")
    monkeypatch.setattr(diffreport, "MD_DIFF_LINES", 4)

    text = format_markdown(diff_of(fleet, base))

    assert "@@ -16,6 +16,6 @@\n         app: shop\n```\n" \
           "*6 more line(s) not shown: see the JSON artifact.*" in text


def test_clusters_changed_alike_show_the_diff_once_and_a_long_note_is_cut(fleet, monkeypatch):
    base = fleet.head()
    fleet.remove("manifests/global/apps/base/settings")
    fleet.commit("no more settings")
    diff = diff_of(fleet, base)

    text = format_markdown(diff)

    assert text.count("```diff\n--- ") == 1
    assert text.count("- the same change as mgmt-settings on mgmt") == 2
    monkeypatch.setattr(diffreport, "MD_MAX_CHARS", len(text) - 200)
    cut = format_markdown(diff)
    assert "<summary><b>w1</b>" in cut and "<summary><b>w2</b>" not in cut
    assert cut.rstrip().endswith("*1 more cluster(s) not shown: see the JSON artifact.*")
