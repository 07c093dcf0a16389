"""./fleet test and rsync: installed only after saying what and why, or skipped on request.

``./fleet`` runs here in a scratch project whose environments are already set up
(stamps match the lock files) and whose ``.venv/bin/python`` only echoes its
arguments, with a PATH of a few real tools plus fake ``id`` and ``apt-get``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("bash", "cat", "cut", "dirname", "head", "mktemp", "rm", "sha256sum", "tail")


def _script(path: Path, text: str) -> None:
    path.write_text("#!/bin/sh\n" + text)
    path.chmod(0o755)


@pytest.fixture
def project(tmp_path) -> Path:
    """A scratch project: ./fleet, lock files with matching stamps, an echoing python."""
    project = tmp_path / "project"
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / "node_modules").mkdir()
    shutil.copy2(ROOT / "fleet", project / "fleet")
    (project / ".venv-cdktn" / "bin").mkdir(parents=True)
    (project / "cdk-terrain").mkdir()
    for lock, stamp in (("Pipfile.lock", ".venv/.fleetform-lock"),
                        ("package-lock.json", "node_modules/.fleetform-lock"),
                        ("cdk-terrain/requirements.txt", ".venv-cdktn/.fleetform-lock")):
        (project / lock).write_text("{}\n")
        (project / stamp).write_text(hashlib.sha256(b"{}\n").hexdigest() + "\n")
    _script(project / ".venv" / "bin" / "python", 'echo "python $*"\n')
    _script(project / ".venv-cdktn" / "bin" / "python", 'echo "cdktn python $*"\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    _script(bin_dir / "id", "echo 0\n")
    return project


def _apt_get(project: Path, *, fails: bool = False) -> Path:
    """A fake apt-get that logs its calls and "installs" rsync (or fails)."""
    bin_dir = project.parent / "bin"
    log = project.parent / "apt-get.log"
    rsync = bin_dir / "rsync"
    body = f'echo "$*" >> {log}\n'
    if fails:
        body += 'echo "E: Unable to locate package rsync" >&2\nexit 100\n'
    else:
        body += (f'case "$*" in *install*) printf \'#!/bin/sh\\necho "rsync  version 3.2.7"\\n\''
                 f' > {rsync}; {shutil.which("chmod")} +x {rsync};; esac\n')
    _script(bin_dir / "apt-get", body)
    return log


def _fleet(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(project / "fleet"), *args], cwd=project, capture_output=True,
                          text=True, timeout=60,
                          env={"PATH": str(project.parent / "bin"), **env})


def test_test_says_it_installs_rsync_before_apt_get_runs(project):
    log = _apt_get(project)

    run = _fleet(project, "test", "-q")

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "python -m pytest -n auto --dist loadfile -q"
    lines = run.stderr.splitlines()
    assert lines[0] == ("fleet: gitlab-ci-local (tests/test_pipeline.py) needs rsync: installing "
                        "the Debian package rsync with apt-get (FLEETFORM_NO_INSTALL=1 skips "
                        "this and that test)")
    assert lines[1] == "fleet: installed rsync  version 3.2.7"
    calls = log.read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].startswith("install") and calls[1].endswith(" rsync")


def test_no_install_skips_apt_get_and_says_the_test_is_skipped(project):
    log = _apt_get(project)

    run = _fleet(project, "test", FLEETFORM_NO_INSTALL="1")

    assert run.returncode == 0, run.stderr
    assert not log.exists()
    assert run.stderr.strip() == ("fleet: gitlab-ci-local (tests/test_pipeline.py) needs rsync, "
                                  "which is not installed: that test will be skipped")


def test_failed_install_shows_apt_gets_error(project):
    _apt_get(project, fails=True)

    run = _fleet(project, "test")

    assert run.returncode == 0, run.stderr
    assert "E: Unable to locate package rsync" in run.stderr
    assert run.stderr.splitlines()[-1] == ("fleet: could not install rsync (apt-get failed, "
                                           "above): that test will be skipped")


def test_nothing_is_said_or_installed_when_rsync_is_there(project):
    log = _apt_get(project)
    _script(project.parent / "bin" / "rsync", "exit 0\n")

    run = _fleet(project, "test")

    assert run.returncode == 0 and run.stderr == ""
    assert not log.exists()


def test_not_root_never_calls_apt_get(project):
    log = _apt_get(project)
    _script(project.parent / "bin" / "id", "echo 1000\n")

    run = _fleet(project, "test")

    assert not log.exists()
    assert "that test will be skipped" in run.stderr
