"""The test fleet and helpers to build, synthesize and read fleets in tests.

The suite tests the library and the tooling on fleets it builds itself: the test
fleet (``tests/fixtures/fleet``: two clusters and three label repositories, like
the example the repository ships) and fleets written in temporary directories.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
#: The project's provider lock, which synth gives each stack (tests run elsewhere).
LOCK = ROOT / ".terraform.lock.hcl"

#: The test fleet's source: clusters/ and manifests/ (do-management, do-production;
#: labels global, production, management, whose repositories are manifests/<label>).
FIXTURE_FLEET = ROOT / "tests" / "fixtures" / "fleet"
#: A copy of the test fleet outside any Git checkout, made once per test process:
#: repositories resolve inside it (not in this checkout). Read it; copy it to modify it
#: (``fleet_dir``, ``project_copy``).
EXAMPLE_PROJECT = Path(tempfile.mkdtemp(prefix="fleetform-test-fleet-"))
atexit.register(shutil.rmtree, EXAMPLE_PROJECT, ignore_errors=True)
shutil.copytree(FIXTURE_FLEET, EXAMPLE_PROJECT, dirs_exist_ok=True)
CLUSTERS = EXAMPLE_PROJECT / "clusters"
MANIFESTS = EXAMPLE_PROJECT / "manifests"
#: The repository's own fleet (or ``$FLEETFORM_TEST_FLEET``): checked only for
#: properties every valid fleet has (``test_repository_fleet.py``).
REPOSITORY_CLUSTERS = Path(os.environ.get("FLEETFORM_TEST_FLEET") or ROOT / "clusters")
SCHEMAS = ROOT / "constructs" / "fleetform" / "schemas" / "argocd"
#: Where the project's reference copy of the schemas lives (beside the repository, in CI).
SHARED_SCHEMAS = ROOT.parent / "shared" / "schemas" / "argocd"

#: A minimal valid worker cluster.yaml for the test fleet (labels it has repositories for).
WORKER_YAML = """
    role: worker
    region: ams3
    kubernetes_version: "1.33"
    node_pools: [{name: default, size: s-2vcpu-4gb, count: 2}]
    labels: [global]
    argocd: {server: "argocd.example.com:443"}
"""


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
    from fleetform.fleet.app import synth

    synth(clusters_dir, outdir, names=names, env=env if env is not None else CLEAN_ENV,
          lock_file=LOCK)
    stacks = outdir / "stacks"
    return {p.name: json.loads((p / "cdk.tf.json").read_text()) for p in sorted(stacks.iterdir())}


def resources(stack: dict, kind: str) -> dict[str, dict]:
    """The resources of one Terraform type in a synthesized stack."""
    return stack.get("resource", {}).get(kind, {})


def only(stack: dict, kind: str, section: str = "resource") -> dict:
    """The single resource (or data source) of ``kind``; fails if there are several."""
    items = stack.get(section, {}).get(kind, {})
    assert len(items) == 1, f"expected one {kind}, found {sorted(items)}"
    return next(iter(items.values()))


def readme_cluster_example() -> tuple[str, dict]:
    """The README's "Adding a cluster" example, as a user would copy it.

    Returns the worker's ``cluster.yaml`` text (the first YAML block of the
    section) and the repositories the second block adds to the management
    cluster's ``argocd.repositories`` (``{label: repository}``).
    """
    import re

    import yaml

    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Adding a cluster\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 2, "README: Adding a cluster has two YAML blocks"
    return blocks[0], yaml.safe_load(blocks[1])["argocd"]["repositories"]


def readme_cloud_examples() -> dict[str, str]:
    """The README's "A production cluster in another cloud" ``cluster.yaml`` files, by
    their ``cloud``."""
    import re

    import yaml

    text = (ROOT / "README.md").read_text()
    section = text.split("\n## A production cluster in another cloud\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    return {yaml.safe_load(block)["cloud"]: block for block in blocks}


def add_repositories(management_file: Path, repositories: dict) -> None:
    """Add ``repositories`` to a management ``cluster.yaml``'s ``argocd.repositories``."""
    import yaml

    doc = yaml.safe_load(management_file.read_text())
    doc["argocd"]["repositories"].update(repositories)
    management_file.write_text(yaml.safe_dump(doc, sort_keys=False))
