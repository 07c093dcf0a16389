"""Shared fixtures: synthesizing is expensive (jsii), so stacks are built once a session.

The suite tests the library and the tooling on fleets it builds itself: the
test fleet (``tests/fixtures/fleet``: two clusters and three label repositories,
like the example the repository ships) and fleets written in temporary
directories. The repository's own ``clusters/`` and ``manifests/`` are user data:
only ``test_repository_fleet.py`` reads them, for what holds for any valid fleet.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
SCRATCH_ENV = "FLEETFORM_TEST_SCRATCH"
#: The temporary directory of every process the suite starts (node behind jsii, terraform,
#: git, helm), removed when the run ends: cdktf's ``Testing.app()`` leaves a
#: ``cdktf.outdir.*`` there per app. This process's own temporary files (pytest's
#: ``tmp_path``) stay where they were, for looking at after a failure.
#: A parallel run's workers (pytest-xdist, children of the run's first process) share
#: its directory, each in one of its own: nesting them would take Unix socket paths
#: (the Terraform stand-ins') past their 107 characters.
_owner, _, _shared = os.environ.get(SCRATCH_ENV, "").partition(":")
if os.environ.get("PYTEST_XDIST_WORKER") and _owner == str(os.getppid()) \
        and os.path.isdir(_shared):
    SCRATCH = Path(_shared) / os.environ["PYTEST_XDIST_WORKER"]
    SCRATCH.mkdir()
else:
    SCRATCH = Path(tempfile.mkdtemp(prefix="fleetform-test-"))
    atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)
    os.environ[SCRATCH_ENV] = f"{os.getpid()}:{SCRATCH}"
os.environ["TMPDIR"] = str(SCRATCH)

#: The suite never reaches the internet, whatever the machine can: the test fleet's
#: wrappers name public chart repositories, which validate and diff would otherwise
#: fetch from. Every HTTP(S) request but those to loopback goes to a proxy address
#: that refuses connections, so such a fetch fails at once, the same way everywhere
#: (Python's urllib, git and Helm's registry client all read these variables).
for _proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
    os.environ[_proxy] = "http://127.0.0.1:9"
os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost,::1"
#: Charts fetched by the tests are cached here, never in the user's cache.
os.environ["FLEETFORM_CHART_CACHE"] = str(SCRATCH / "chart-cache")

ROOT = Path(__file__).resolve().parent.parent
#: The project's provider lock, which synth gives each stack (tests run elsewhere).
LOCK = ROOT / ".terraform.lock.hcl"
#: The tests' working directory: empty, this process's own. A test that needs a
#: directory says which; a command started without a ``cwd`` then runs here, not in
#: this checkout, whose clusters/ and manifests/ are user data (support/fleet_guard.py).
WORKDIR = SCRATCH / "cwd"
WORKDIR.mkdir()


def pytest_collection_finish(session):
    """Tests run in :data:`WORKDIR` (collection reads paths relative to where pytest started)."""
    os.chdir(WORKDIR)


def pytest_sessionfinish(session):
    """The stand-in providers' fork server (tests/terraform/launch.py) ends with the run:
    with the whole run under xdist, else with this process's."""
    if hasattr(session.config, "workerinput"):
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent / "terraform"))
    from launch import stop_server

    stop_server()
#: The test fleet's source: clusters/ and manifests/ (do-management, do-production;
#: labels global, production, management, whose repositories are manifests/<label>).
FIXTURE_FLEET = Path(__file__).resolve().parent / "fixtures" / "fleet"
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

def _guarded_phase(item):
    """One phase of a test, failed when it read the repository's fleet unmarked."""
    from support.fleet_guard import GUARD, MARKER

    with GUARD.watching(item.get_closest_marker(MARKER) is not None) as reads:
        result = yield
    if reads:
        shown = "\n  ".join(dict.fromkeys(reads))
        pytest.fail(f"read the repository's own fleet (user data), which only tests marked "
                    f"@pytest.mark.{MARKER} may:\n  {shown}", pytrace=False)
    return result


pytest_runtest_setup = pytest.hookimpl(wrapper=True)(_guarded_phase)
pytest_runtest_call = pytest.hookimpl(wrapper=True)(_guarded_phase)
pytest_runtest_teardown = pytest.hookimpl(wrapper=True)(_guarded_phase)


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


@pytest.fixture(scope="session")
def example_out(tmp_path_factory) -> Path:
    """The test fleet (:data:`CLUSTERS`), synthesized once for the whole session."""
    out = tmp_path_factory.mktemp("example") / "cdktf.out"
    synth_stacks(CLUSTERS, out)
    return out


@pytest.fixture(scope="session")
def example_stacks(example_out) -> dict[str, dict]:
    """``{stack name: synthesized JSON}`` of the test fleet."""
    return {p.name: json.loads((p / "cdk.tf.json").read_text())
            for p in sorted((example_out / "stacks").iterdir())}


@pytest.fixture
def fleet_dir(tmp_path) -> Path:
    """A copy of the test fleet's clusters/ to modify."""
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




# --------------------------------------------------------------------------- Git histories
# `fleetform changed` and `fleetform pipeline` read Git, the cluster list and each
# cluster's role: these build small repositories with a fake project in tmp dirs.

#: Minimal cluster.yaml files: all that change detection reads.
FAKE_MANAGEMENT = "role: management\nargocd:\n  hostname: argocd.example.com\n"
FAKE_WORKER = "role: worker\nlabels: [global]\n"
#: The fake project: shared code and dependencies, two clusters, manifests, docs.
FAKE_PROJECT = {
    "clusters/do-management/cluster.yaml": FAKE_MANAGEMENT,
    "clusters/do-production/cluster.yaml": FAKE_WORKER,
    "constructs/fleetform/__init__.py": "",
    "constructs/fleetform/stacks.py": "STACK = 1\n",
    "main.py": "print('app')\n",
    "cdktf.json": "{}\n",
    "Pipfile": "[packages]\n",
    "Pipfile.lock": "{}\n",
    "pyproject.toml": "[project]\n",
    "package.json": "{}\n",
    "package-lock.json": "{}\n",
    "manifests/global/apps/web/nginx/Chart.yaml": "name: nginx\n",
    "manifests/global/values/do-production/nginx/values.yaml": "replicas: 1\n",
    "README.md": "# fleet\n",
    "tests/test_x.py": "",
}


class GitRepo:
    """A Git repository in a temporary directory, driven by the tests."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, cwd: Path | None = None) -> str:
        import subprocess
        proc = subprocess.run(
            ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
             "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
            cwd=cwd or self.path, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
        return proc.stdout.strip()

    def write(self, rel: str, text: str = "changed\n") -> Path:
        file = self.path / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)
        return file

    def append(self, rel: str, text: str = "# changed\n") -> Path:
        file = self.path / rel
        file.write_text(file.read_text() + text)
        return file

    def remove(self, rel: str) -> None:
        target = self.path / rel
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def fleet_repo(tmp_path) -> GitRepo:
    """A repository holding the fake project (FAKE_PROJECT), one commit on main."""
    repo = GitRepo(tmp_path / "repo")
    for rel, text in FAKE_PROJECT.items():
        repo.write(rel, text)
    repo.commit("initial fleet")
    return repo


@pytest.fixture
def gitlab():
    """The suite's loopback GitLab (``support/fake_gitlab.py``), one per test."""
    from support.fake_gitlab import FakeGitLab

    with FakeGitLab() as server:
        yield server


# --- manifests, validate and preview ---------------------------------------------------


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A fleet checkout to modify: copies of the test fleet's clusters/ and manifests/."""
    shutil.copytree(CLUSTERS, tmp_path / "clusters")
    shutil.copytree(MANIFESTS, tmp_path / "manifests")
    return tmp_path


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


@pytest.fixture(scope="session")
def example_report():
    """``validate_fleet`` of the test fleet, run once for the whole session."""
    from fleetform.commands.validate import validate_fleet

    return validate_fleet(CLUSTERS, schemas_dir=SCHEMAS)
