"""How many jsii round trips a worker stack costs: the per-cluster price of a fleet synth.

Each round trip between Python and the jsii kernel (node) costs 0.2-0.3 ms on
a CI runner, and a 200-cluster fleet pays it for every worker stack; that is
most of a large synth (see bench/bench.py). This counts round trips, which is
deterministic, rather than timing anything.
"""

from __future__ import annotations

from jsii._kernel.providers import process

# Imported first, so that loading their jsii assemblies is not counted.
import fleetform.fleet.stacks  # noqa: F401
import fleetform.fleet.worker  # noqa: F401
from fleetform.fleet.app import build_app
from fleetform.fleet.config import load_fleet

from support.fleets import CLEAN_ENV, CLUSTERS

#: Round trips to build and synthesize the example worker stack (do-production):
#: 62. History: 94; 63 once provider aliases stopped calling back into Python and
#: attribute references were read in one call each; 73 with the hand-written
#: DigitalOcean binding (its five elements synthesize their attributes from
#: Python, one callback per synth pass); 70 with the auth-token variable found
#: without asking node; 54 once cluster stacks skipped cdktf's preparing pass; 62 with
#: the regions and sizes data sources that let a plan refuse what DigitalOcean lacks.
BUDGET = 64


def _round_trips(monkeypatch, tmp_path, name: str) -> int:
    count = 0
    send = process._NodeProcess.send

    def counting(self, request, response_type):
        nonlocal count
        count += 1
        return send(self, request, response_type)

    fleet = load_fleet(CLUSTERS)
    monkeypatch.setattr(process._NodeProcess, "send", counting)
    build_app(fleet, names=[name], outdir=tmp_path / "cdktf.out", env=CLEAN_ENV).synth()
    return count


def test_a_worker_stack_stays_within_its_jsii_round_trip_budget(monkeypatch, tmp_path):
    assert _round_trips(monkeypatch, tmp_path, "do-production") <= BUDGET
