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


#: The one difference, on purpose: fleetform names the provider's full registry source and a
#: version constraint (the prebuilt binding pins the exact version it was generated from, and
#: its short source name means the same registry address).
OURS_REQUIRED = {"source": "hashicorp/kubernetes", "version": "2.38.0"}
PREBUILT_REQUIRED = {"source": "kubernetes", "version": "2.38.0"}


def test_byte_identical_to_the_prebuilt_binding_but_for_the_version_constraint():
    prebuilt, ours = _synth("prebuilt"), _synth("fleetform")

    assert prebuilt["terraform"]["required_providers"]["kubernetes"] == PREBUILT_REQUIRED
    assert ours["terraform"]["required_providers"]["kubernetes"] == OURS_REQUIRED
    ours["terraform"]["required_providers"]["kubernetes"] = PREBUILT_REQUIRED
    # The whole document, metadata ("//") included: every resource, block, provider
    # configuration (token, client certificate, exec plugin), lifecycle and output.
    assert ours == prebuilt
    assert {"client_certificate", "client_key", "token", "exec"} <= {
        key for provider in prebuilt["provider"]["kubernetes"] for key in provider}
    assert prebuilt["resource"]["kubernetes_secret_v1"]["sec"]["lifecycle"]


def test_fleetform_stacks_do_not_load_the_prebuilt_kubernetes_assembly():
    code = ("import sys, fleetform.fleet.app, fleetform.fleet.stacks, fleetform.constructs.argocd, "
            "fleetform.constructs.argo_cluster; "
            "print(any(m.startswith('cdktf_cdktf_provider_kubernetes') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)

    assert result.stdout.strip() == "False", result.stderr
