"""fleetform synth talks to jsii's kernel directly; the same output as through jsii's relay."""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

from fleetform.fleet import jsii_channel

from support.fleets import CLUSTERS

#: Builds and synthesizes the example fleet the way `fleetform synth` does, then
#: reports the channel used and the node processes running under this one.
PROBE = """
import json, sys, psutil
{prelude}
from fleetform.fleet.app import build_app
from fleetform.fleet.config import load_fleet
from fleetform.fleet import jsii_channel
app = build_app(load_fleet(sys.argv[1]), outdir=sys.argv[2], env={})
app.synth()
nodes = [p for p in psutil.Process().children(recursive=True) if "node" in p.name()]
print(json.dumps({"direct": jsii_channel.started_direct(), "nodes": len(nodes)}))
"""


def _probe(tmp_path: Path, name: str, prelude: str = "",
           **env: str) -> tuple[dict, subprocess.CompletedProcess]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.replace("{prelude}", prelude), str(CLUSTERS), str(tmp_path / name)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1]), result


def test_jsii_is_the_version_the_direct_channel_was_checked_against():
    installed = jsii_channel.installed_jsii_version()
    assert installed == jsii_channel.VERIFIED_JSII_VERSION, (
        f"jsii {installed} is installed, but fleetform/fleet/jsii_channel.py was checked against "
        f"jsii {jsii_channel.VERIFIED_JSII_VERSION}: the direct channel is off until its "
        "assumptions are checked again (the embedded lib/program.js and its API on fd 3; "
        "_NodeProcess.start, _jsii_runtime, handshake and stop) and VERIFIED_JSII_VERSION "
        "is updated")


def test_synth_uses_one_node_process_and_writes_what_the_relay_writes(tmp_path):
    direct, _ = _probe(tmp_path, "direct")
    relayed, _ = _probe(tmp_path, "relayed", FLEETFORM_JSII_RELAY="1")

    assert direct == {"direct": True, "nodes": 1}
    assert relayed == {"direct": False, "nodes": 2}
    comparison = filecmp.dircmp(tmp_path / "direct", tmp_path / "relayed")
    stacks = sorted(p.name for p in (tmp_path / "direct" / "stacks").iterdir())
    assert stacks == ["do-management", "do-production"]
    for stack in stacks:
        ours, theirs = (tmp_path / d / "stacks" / stack / "cdk.tf.json"
                        for d in ("direct", "relayed"))
        assert ours.read_bytes() == theirs.read_bytes()
    assert not comparison.diff_files


def test_the_kernels_own_output_still_reaches_stderr(tmp_path):
    _, result = _probe(tmp_path, "debug", JSII_DEBUG="1")

    assert "[@jsii/kernel]" in result.stderr


def test_a_kernel_that_does_not_answer_directly_is_started_as_jsii_ships(tmp_path):
    prelude = ("from fleetform.fleet import jsii_channel\n"
               "def broken(self):\n"
               "    raise OSError('no direct channel')\n"
               "jsii_channel._start_direct = broken\n")
    probed, _ = _probe(tmp_path, "fallback", prelude=prelude)

    assert probed == {"direct": False, "nodes": 2}
    assert (tmp_path / "fallback" / "stacks" / "do-production" / "cdk.tf.json").is_file()
