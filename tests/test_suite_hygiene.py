"""The suite cleans up after itself: what its processes write to their temporary directory
goes to one directory per run, removed at the end (``conftest.SCRATCH``); and it keeps off
the repository's own fleet outside the tests marked for it (``support/fleet_guard.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cdktf import Testing

from conftest import SCRATCH
from support.fleets import ROOT

#: Where the inner run of the first test writes its scratch directory's path.
REPORT = "FLEETFORM_TEST_SCRATCH_REPORT"


def test_cdktf_test_apps_write_under_the_runs_scratch_directory():
    outdir = Path(Testing.app().outdir).resolve()

    assert outdir.is_relative_to(SCRATCH.resolve()), outdir
    if os.environ.get(REPORT):
        Path(os.environ[REPORT]).write_text(str(SCRATCH))


def test_the_scratch_directory_is_gone_after_a_run(tmp_path):
    report = tmp_path / "scratch"
    inner = f"{__file__}::test_cdktf_test_apps_write_under_the_runs_scratch_directory"

    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           inner], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parent.parent,
                          env={**os.environ, REPORT: str(report)})

    assert proc.returncode == 0, proc.stdout + proc.stderr
    scratch = Path(report.read_text())
    assert scratch.name.startswith("fleetform-test-")
    assert not scratch.exists()


def test_a_test_reading_the_repositorys_fleet_unmarked_is_caught():
    """The guard that lets the suite prove "adding a cluster keeps it green" cheaply."""
    from support.fleet_guard import GUARD

    assert GUARD.active  # this test is not marked repository_fleet
    before = len(GUARD.reads)
    sorted((ROOT / "clusters").iterdir())
    caught = GUARD.reads[before:]
    subprocess.run([sys.executable, "main.py", "--help"], cwd=ROOT, capture_output=True,
                   timeout=60)
    started = GUARD.reads[before + len(caught):]
    del GUARD.reads[before:]  # what this test read on purpose must not fail it

    assert caught == [f"os.listdir {ROOT / 'clusters'}"]
    assert started == [f"runs {Path(sys.executable).name} main.py --help in {ROOT}"]


@pytest.mark.repository_fleet
def test_a_marked_test_may_read_it():
    from support.fleet_guard import GUARD

    assert not GUARD.active
