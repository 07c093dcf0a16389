"""fleetform on CDK Terrain: the same stacks as on CDKTF, byte for byte, and Terraform
validates them.

``./fleet test`` builds the CDK Terrain environment, ``.venv-cdktn`` (from
``cdk-terrain/requirements.txt``); each fleet is synthesized in it and in this
process's (CDKTF 0.21), both through ``fleetform.fleet.app.synth``: the test fleet,
the 20-cluster fleet with every option (tests/test_terraform_validate.py), and the
four-cloud example. Each CDK writes its own version in ``//.metadata.version``:
that one line is all that may differ.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.fleets import CLEAN_ENV, CLUSTERS, LOCK, ROOT
from test_terraform_validate import _generate, terraform, validator  # noqa: F401 (fixtures)

CDKTN_PYTHON = ROOT / ".venv-cdktn" / "bin" / "python"
STAMPS = (b'"version": "0.21.0"', b'"version": "0.24.0"')
SYNTH = """
import sys
from pathlib import Path
from fleetform.fleet.app import synth
synth(Path(sys.argv[1]), Path(sys.argv[2]), env={"PATH": "/usr/bin:/bin"}, lock_file=Path(sys.argv[3]))
from fleetform import cdk
print(cdk.describe())
"""


def cdktn(*argv: str, env: dict | None = None, cwd: Path | None = None
          ) -> subprocess.CompletedProcess:
    if not CDKTN_PYTHON.exists():
        pytest.fail(".venv-cdktn is missing: ./fleet test builds it", pytrace=False)
    return subprocess.run([str(CDKTN_PYTHON), *argv], capture_output=True, text=True,
                          timeout=600, cwd=cwd, env={"PATH": os.environ["PATH"], "HOME": os.environ["HOME"],
                                            "PYTHONPATH": str(ROOT / "constructs"),
                                            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
                                            **(env or {})})


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "stacks").rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def fleets(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("fleets")
    _generate(tmp / "generated")
    return {"test": CLUSTERS, "generated": tmp / "generated",
            "four-clouds": ROOT / "examples" / "four-clouds" / "clusters"}


@pytest.fixture(scope="module")
def synthesized(fleets, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """``{fleet: (CDKTF output, CDK Terrain output)}``."""
    from fleetform.fleet.app import synth

    tmp = tmp_path_factory.mktemp("synth")
    out = {}
    for name, clusters in fleets.items():
        synth(clusters, tmp / f"{name}-cdktf", env=CLEAN_ENV, lock_file=LOCK)
        proc = cdktn("-c", SYNTH, str(clusters), str(tmp / f"{name}-cdktn"), str(LOCK))
        assert proc.returncode == 0, proc.stderr[-4000:]
        assert proc.stdout.strip().splitlines()[-1] == "CDK Terrain 0.24.0"
        out[name] = (tmp / f"{name}-cdktf", tmp / f"{name}-cdktn")
    return out


@pytest.mark.parametrize("fleet", ["test", "generated", "four-clouds"])
def test_both_cdks_synthesize_the_same_bytes_but_for_their_version(synthesized, fleet):
    on_cdktf, on_cdktn = (files(out) for out in synthesized[fleet])

    assert sorted(on_cdktn) == sorted(on_cdktf)
    for name, data in on_cdktf.items():
        if name.endswith("cdk.tf.json"):
            assert data.count(STAMPS[0]) == 1, name
            assert json.loads(data)["//"]["metadata"]["version"] == "0.21.0"
        assert on_cdktn[name] == data.replace(*STAMPS, 1), name


def test_terraform_validates_the_cdk_terrain_stacks(synthesized, validator):  # noqa: F811
    assert validator(synthesized["four-clouds"][1], "cdktn-four-clouds") == {}
    assert validator(synthesized["test"][1], "cdktn-test") == {}


@pytest.mark.parametrize("example", ["doks_argocd", "eks_registration"])
def test_the_examples_run_on_cdk_terrain(example, tmp_path):
    script = str(ROOT / "examples" / example / "main.py")
    proc = subprocess.run([sys.executable, script, "--out", str(tmp_path / "cdktf")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    ran = cdktn(script, "--out", str(tmp_path / "cdktn"), cwd=tmp_path)

    assert proc.returncode == 0 and ran.returncode == 0, proc.stderr[-3000:] + ran.stderr[-3000:]
    on_cdktf, on_cdktn = files(tmp_path / "cdktf"), files(tmp_path / "cdktn")
    assert on_cdktf and sorted(on_cdktn) == sorted(on_cdktf)
    for name, data in on_cdktf.items():
        # (an example's own App writes its JSON as the CDK does: CDK Terrain writes an
        # empty object on one line)
        assert json.loads(on_cdktn[name]) == json.loads(data.replace(*STAMPS, 1)), name


def test_the_cdk_in_use_is_said_and_a_missing_one_is_an_error_saying_what_to_install():
    probe = "from fleetform import cdk; print(cdk.NAME, cdk.VERSION, cdk.verified())"
    assert cdktn("-c", probe).stdout.split() == ["cdktn", "0.24.0", "True"]
    chosen = cdktn("-c", probe, env={"FLEETFORM_CDK": "cdktf"})
    assert chosen.returncode == 1
    assert "FLEETFORM_CDK=cdktf but cdktf is not installed: pip install " \
        "'fleetform[cdktf]'" in chosen.stderr
    # No site-packages: neither CDK.
    neither = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                             timeout=120, env={"PYTHONPATH": str(ROOT / "constructs")})
    assert neither.returncode == 1
    assert "fleetform needs a CDK and neither is installed: pip install 'fleetform[cdktf]' " \
        "(CDKTF 0.21) or 'fleetform[cdktn]' (CDK Terrain)" in neither.stderr


def test_a_fleet_applied_on_cdktf_plans_no_change_on_cdk_terrain(synthesized, tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))
    from harness import TerraformMissing, Workspace

    try:
        ws = Workspace(tmp_path / "ws")
    except TerraformMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    on_cdktf, on_cdktn = synthesized["test"]
    (management,) = [p.name for p in (on_cdktf / "stacks").iterdir()
                     if "argocd_account_token" in (p / "cdk.tf.json").read_text()]
    # GIVEN the management cluster applied from the CDKTF stack
    ws.put_stack(management, json.loads((on_cdktf / "stacks" / management / "cdk.tf.json")
                                        .read_text()))
    ws.init(management)
    ws.apply(management).check()
    # WHEN the stack CDK Terrain synthesized replaces it
    ws.put_stack(management, json.loads((on_cdktn / "stacks" / management / "cdk.tf.json")
                                        .read_text()))
    plan = ws.run(management, "plan", "-input=false", "-no-color", "-detailed-exitcode")

    # THEN Terraform has nothing to do: same resources, same addresses, same state
    assert plan.returncode == 0, plan.output[-4000:]
    assert "No changes." in plan.stdout
