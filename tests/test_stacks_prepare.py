"""Cluster stacks skip the CDK's preparing pass: the synthesized JSON is what the pass gives."""

from __future__ import annotations

from fleetform import cdk
from fleetform.cdk import TerraformStack
from fleetform.fleet import stacks
from fleetform.fleet.app import build_app
from fleetform.fleet.config import load_fleet

from support.fleets import CLEAN_ENV, CLUSTERS


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


def test_the_cdk_is_the_version_whose_prepare_stack_was_read():
    # ClusterStack.prepare_stack relies on what prepareStack does in CDKTF 0.21.0 and
    # CDK Terrain 0.24.0 (a default backend, cross-stack references): read it again
    # on an upgrade, then add the version to cdk.VERIFIED.
    assert cdk.VERSION == cdk.VERIFIED[cdk.NAME]
    assert cdk.verified()


def test_on_another_cdk_version_the_cdks_own_pass_runs(monkeypatch, tmp_path):
    calls = []
    base = TerraformStack.prepare_stack

    def spy(self):
        calls.append(self.node.id)
        return base(self)

    spy.__jsii_name__ = base.__jsii_name__  # still the method jsii overrides
    monkeypatch.setattr(TerraformStack, "prepare_stack", spy)
    _synth(tmp_path / "verified")
    assert calls == []
    monkeypatch.setattr(cdk, "VERSION", "99.0.0")
    _synth(tmp_path / "other")
    assert sorted(calls) == ["do-management", "do-production"]
