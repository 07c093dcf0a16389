"""fleetform's helm binding synthesizes what the prebuilt binding does, byte for byte."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fleetform.providers.helm import HelmProviderKubernetesExec, Release, ReleaseSetSensitive

SAMPLE = Path(__file__).parent / "support" / "helm_binding_sample.py"


def _synth(binding: str) -> str:
    # A separate process, as a synth is: the prebuilt assembly is loaded in one only.
    result = subprocess.run([sys.executable, str(SAMPLE), binding], capture_output=True,
                            text=True, timeout=300,
                            env={**os.environ,
                                 "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_byte_identical_to_the_prebuilt_binding():
    prebuilt, ours = _synth("prebuilt"), _synth("fleetform")

    assert ours == prebuilt
    document = json.loads(prebuilt)
    # The whole document: the provider requirement, every credential, both releases.
    assert document["terraform"]["required_providers"]["helm"] == {"source": "helm",
                                                                   "version": "3.1.1"}
    kubernetes = [p.get("kubernetes", {}) for p in document["provider"]["helm"]]
    assert {"token", "client_certificate", "client_key", "exec"} <= {k for p in kubernetes
                                                                     for k in p}
    release = document["resource"]["helm_release"]["argo-cd"]
    assert release["set_sensitive"][1] == {"name": "y", "value": "${var.y}"}
    assert release["lifecycle"] == {"prevent_destroy": True}


def test_fleetform_stacks_do_not_load_the_prebuilt_helm_assembly():
    code = ("import sys, fleetform.fleet.app, fleetform.fleet.stacks, fleetform.fleet.management, "
            "fleetform.constructs.argocd; "
            "print(any(m.startswith('cdktf_cdktf_provider_helm') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)

    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.parametrize("build, message", [
    (lambda s: Release(s, "r", name="r", chart=3), "Release: chart must be a string"),
    (lambda s: Release(s, "r", name="r", chart="c", timeout="15m"),
     "Release: timeout must be a number"),
    (lambda s: Release(s, "r", name="r", chart="c", set_sensitive=[{"name": "x"}]),
     "Release.set_sensitive[0]: "),
    (lambda s: ReleaseSetSensitive(name="x", value=1), "ReleaseSetSensitive: value must be a string"),
    (lambda s: HelmProviderKubernetesExec(api_version="v1", command="aws", args="eks"),
     "HelmProviderKubernetesExec: args must be a list of strings"),
])
def test_a_mistyped_argument_is_a_type_error_naming_it(build, message):
    from fleetform.cdk import App, TerraformStack

    with pytest.raises(TypeError) as info:
        build(TerraformStack(App(), "t"))
    assert message in str(info.value)
