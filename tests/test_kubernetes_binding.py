"""fleetform's kubernetes binding synthesizes what the prebuilt binding does."""

import json
import os
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).parent / "support" / "kubernetes_binding_sample.py"


def _synth(binding: str) -> dict:
    # A separate process: the prebuilt assembly costs ~370 MB and 5 s to load.
    result = subprocess.run([sys.executable, str(SAMPLE), binding], capture_output=True,
                            text=True, timeout=300,
                            env={**os.environ,
                                 "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_same_resources_and_provider_configuration_as_the_prebuilt_binding():
    prebuilt, ours = _synth("prebuilt"), _synth("fleetform")

    assert ours["resource"] == prebuilt["resource"]
    assert ours["provider"] == prebuilt["provider"]
    assert ours["output"] == prebuilt["output"]
    assert ours["terraform"]["required_providers"]["kubernetes"] == {
        "source": "hashicorp/kubernetes", "version": "~> 2.38"}
    assert prebuilt["terraform"]["required_providers"]["kubernetes"]["version"].startswith("2.38")


def test_fleetform_stacks_do_not_load_the_prebuilt_kubernetes_assembly():
    code = ("import sys, fleetform.fleet.app, fleetform.fleet.stacks, fleetform.constructs.argocd, "
            "fleetform.constructs.argo_cluster; "
            "print(any(m.startswith('cdktf_cdktf_provider_kubernetes') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)

    assert result.stdout.strip() == "False", result.stderr
