"""Shared fixtures: synthesizing is expensive (jsii), so stacks are built once a session."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

ROOT = Path(__file__).resolve().parent.parent
CLUSTERS = ROOT / "clusters"
MANIFESTS = ROOT / "manifests"
SCHEMAS = ROOT.parent / "shared" / "schemas" / "argocd"

#: The environment used for synthesis in tests: no secrets, local state.
CLEAN_ENV = {"PATH": os.environ.get("PATH", "")}


def write_cluster(root: Path, name: str, text: str) -> Path:
    """Write ``root/<name>/cluster.yaml`` from an indented YAML string."""
    directory = root / name
    directory.mkdir(parents=True, exist_ok=True)
    file = directory / "cluster.yaml"
    file.write_text(textwrap.dedent(text).lstrip())
    return file


def synth_stacks(clusters_dir: Path, outdir: Path, names=None, env=None) -> dict[str, dict]:
    """Synthesize ``clusters_dir`` into ``outdir``; return ``{stack: cdk.tf.json}``."""
    from fleetform.app import synth

    synth(clusters_dir, outdir, names=names, env=env if env is not None else CLEAN_ENV)
    stacks = outdir / "stacks"
    return {p.name: json.loads((p / "cdk.tf.json").read_text()) for p in sorted(stacks.iterdir())}


@pytest.fixture(scope="session")
def example_out(tmp_path_factory) -> Path:
    """The example fleet (clusters/), synthesized once for the whole session."""
    out = tmp_path_factory.mktemp("example") / "cdktf.out"
    synth_stacks(CLUSTERS, out)
    return out


@pytest.fixture(scope="session")
def example_stacks(example_out) -> dict[str, dict]:
    """``{stack name: synthesized JSON}`` of the example fleet."""
    return {p.name: json.loads((p / "cdk.tf.json").read_text())
            for p in sorted((example_out / "stacks").iterdir())}


@pytest.fixture
def fleet_dir(tmp_path) -> Path:
    """A copy of the example clusters/ to modify."""
    target = tmp_path / "clusters"
    shutil.copytree(CLUSTERS, target)
    return target


def resources(stack: dict, kind: str) -> dict[str, dict]:
    """The resources of one Terraform type in a synthesized stack."""
    return stack.get("resource", {}).get(kind, {})


def only(stack: dict, kind: str, section: str = "resource") -> dict:
    """The single resource (or data source) of ``kind``; fails if there are several."""
    items = stack.get(section, {}).get(kind, {})
    assert len(items) == 1, f"expected one {kind}, found {sorted(items)}"
    return next(iter(items.values()))


