"""Cluster stacks skip cdktf's preparing pass: the synthesized JSON is what the pass gives."""

from __future__ import annotations

from importlib.metadata import version

from cdktf import TerraformStack

from fleetform.fleet import stacks
from fleetform.fleet.app import build_app
from fleetform.fleet.config import load_fleet

from conftest import CLEAN_ENV, CLUSTERS


def _synth(outdir):
    build_app(load_fleet(CLUSTERS), outdir=outdir, env=CLEAN_ENV).synth()
    return {p.relative_to(outdir): p.read_bytes() for p in sorted(outdir.rglob("*.json"))}


def test_synth_without_the_preparing_pass_writes_what_it_writes(monkeypatch, tmp_path):
    skipped = _synth(tmp_path / "skipped")
    with monkeypatch.context() as patch:
        patch.setattr(stacks.ClusterStack, "prepare_stack",
                      lambda self: TerraformStack.prepare_stack(self))
        prepared = _synth(tmp_path / "prepared")

    assert len(prepared) >= 3  # manifest.json and both stacks
    assert skipped == prepared


def test_cdktf_is_the_version_whose_prepare_stack_was_read():
    # ClusterStack.prepare_stack relies on what cdktf 0.21.0's prepareStack does
    # (a default backend, cross-stack references): read it again on an upgrade.
    assert version("cdktf") == "0.21.0"
