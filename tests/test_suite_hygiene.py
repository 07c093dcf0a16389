"""The suite cleans up after itself: what its processes write to their temporary directory
goes to one directory per run, removed at the end (``conftest.SCRATCH``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cdktf import Testing

from conftest import SCRATCH

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
    assert scratch.name.startswith("fleetform-test-scratch-")
    assert not scratch.exists()
