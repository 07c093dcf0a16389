"""fleetform's digitalocean binding synthesizes exactly what the prebuilt binding does."""

import os
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).parent / "support" / "digitalocean_binding_sample.py"


def _synth(binding: str) -> str:
    result = subprocess.run([sys.executable, str(SAMPLE), binding], capture_output=True,
                            text=True, timeout=300,
                            env={**os.environ,
                                 "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_byte_identical_to_the_prebuilt_binding():
    prebuilt, ours = _synth("prebuilt"), _synth("fleetform")

    assert '"digitalocean_kubernetes_node_pool"' in prebuilt  # the sample synthesized
    assert ours == prebuilt


def test_fleetform_stacks_do_not_import_the_prebuilt_digitalocean_binding():
    code = ("import sys, fleetform.fleet.app, fleetform.fleet.stacks, fleetform.constructs.doks_cluster, "
            "fleetform.fleet.worker, fleetform.fleet.management; "
            "print([m for m in sys.modules if m.startswith('cdktf_cdktf_provider_digitalocean')])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)

    assert result.stdout.strip() == "[]", result.stderr
