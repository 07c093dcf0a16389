"""./fleet synth runs Python with -O (no generated type checks, no asserts): same output."""

from __future__ import annotations

import os
import subprocess
import sys

from support.fleets import CLUSTERS, LOCK


def _synth(out, *flags):
    result = subprocess.run(
        [sys.executable, *flags, "-m", "fleetform.commands.cli", "synth",
         "--clusters-dir", str(CLUSTERS), "--out", str(out), "--lock-file", str(LOCK)],
        capture_output=True, text=True, timeout=300, cwd=out.parent,
        env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    assert result.returncode == 0, result.stderr
    return {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.json"))}


def test_synth_with_python_O_writes_the_same_files(tmp_path):
    optimized = _synth(tmp_path / "optimized", "-O")
    checked = _synth(tmp_path / "checked")

    assert len(checked) >= 3
    assert optimized == checked
