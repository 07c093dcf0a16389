"""`fleetform diff` mistakes: one or two lines naming the file or option, exit 2, no output."""

from __future__ import annotations

from fleetform.commands.cli import main
from test_diff import fleet, worker  # noqa: F401 (fixture)


def fails(capsys, *argv: str) -> str:
    assert main(["diff", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    return captured.err.strip()


def test_an_unknown_base(fleet, capsys):
    assert fails(capsys, "--base", "no-such-branch", "-C", str(fleet.path)) == \
        "error: --base: unknown revision 'no-such-branch'"


def test_working_tree_with_ci(fleet, capsys):
    assert fails(capsys, "--ci", "--working-tree", "-C", str(fleet.path)) == \
        "error: --working-tree: cannot be combined with --ci"


def test_an_invalid_cluster_on_the_head_side_names_the_commit_and_file(fleet, capsys):
    base = fleet.head()
    fleet.write("clusters/w2/cluster.yaml", worker("[global]").replace("ams3", "Amsterdam"))
    head = fleet.commit("typo")

    message = fails(capsys, "--base", base, "-C", str(fleet.path))

    assert message == (f"error: {head[:12]}:clusters/w2/cluster.yaml: region: must be a "
                       "DigitalOcean region slug: three lowercase letters and a digit, such as "
                       "fra1 or nyc3 (doctl kubernetes options regions), got 'Amsterdam' "
                       "(the head side)")


def test_a_report_file_in_a_missing_directory(fleet, capsys, tmp_path):
    target = tmp_path / "missing" / "diff.md"

    assert fails(capsys, "--base", "HEAD", "-C", str(fleet.path), "--markdown", str(target)) == \
        f"error: {target.parent}: --markdown: directory does not exist"


def test_nothing_to_compare_with_in_ci(fleet, capsys, monkeypatch):
    for name in ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_COMMIT_BEFORE_SHA", "CI_COMMIT_BRANCH"):
        monkeypatch.delenv(name, raising=False)

    message = fails(capsys, "--ci", "-C", str(fleet.path))

    assert message.startswith("error: --base: no base commit to compare with")
