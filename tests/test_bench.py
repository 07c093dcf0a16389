"""The benchmark's generated fleets are real fleets: they load, validate and synthesize."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter

from fleetform.fleet.config import load_fleet
from fleetform.commands.validate import validate_fleet

from support.fleets import ROOT, synth_stacks


def _bench():
    spec = importlib.util.spec_from_file_location("fleetform_bench", ROOT / "bench" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_generated_fleet_is_valid_with_one_management_and_mixed_labels(tmp_path):
    _bench().generate_fleet(tmp_path, 4)  # the label mix repeats every 3 workers

    fleet = load_fleet(tmp_path / "clusters")
    roles = Counter(c.role for c in fleet.clusters.values())
    report = validate_fleet(tmp_path / "clusters")
    stacks = synth_stacks(tmp_path / "clusters", tmp_path / "cdktf.out")

    assert len(stacks) == 4
    assert all("argocd_cluster" in s["resource"] for name, s in stacks.items()
               if name != "do-management")
    assert roles == {"management": 1, "worker": 3}
    assert {tuple(sorted(c.labels)) for c in fleet.clusters.values() if c.role == "worker"} == {
        ("global",), ("global", "production")}
    assert report.errors == [], report.errors


def test_repeat_must_be_positive():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "bench.py"), "--repeat", "0"],
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    assert "--repeat must be at least 1" in result.stderr


def test_the_diff_measurement_changes_one_values_file_and_renders_only_that_pair(tmp_path):
    bench = _bench()
    bench.generate_fleet(tmp_path, 4)
    argv = bench.prepare_diff(tmp_path)

    subprocess.run(argv, cwd=tmp_path, check=True, capture_output=True, timeout=300)

    summary = json.loads((tmp_path / "diff.json").read_text())["summary"]
    assert (summary["renders"], summary["affected_pairs"], summary["differing_pairs"]) == (2, 1, 1)
    assert summary["pairs"] > 4
    assert bench.diff_summary(tmp_path).startswith("fleetform diff rendered 2 time(s): 1 of ")


def test_targets_are_computed_from_the_runs_and_judged():
    bench = _bench()
    run = bench.Run
    runs = {"empty": run("e", 1.0, 100, 0.5), "synth-1": run("1", 1.4, 150, 0.7),
            "synth-200": run("200", 3.99, 310, 3.0), "select": run("s", 1.5, 150, 0.8),
            "validate-example": run("v", 0.5, 90), "validate": run("v", 1.6, 95),
            "preview-example": run("p", 0.2, 30), "preview": run("p", 0.3, 31),
            "floor": run("f", 0.1, 10)}

    goals, earlier = bench.targets(runs, 200)
    by_name = {t.name: t for t in goals + earlier}

    assert round(by_name["per extra cluster in a full synth"].value, 3) == 13.015  # 2.59 s / 199
    assert [t.met for t in goals] == [False, True, True, False, False, True]
    assert round(by_name["full synth of 1 / empty cdktf app"].value, 2) == 1.4
    assert round(by_name["per extra cluster in a full synth"].cpu, 2) == 11.56  # 2.3 s / 199
    assert by_name["peak memory of 200-cluster synth"].cpu is None
