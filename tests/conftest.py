"""The session's set-up and the shared fixtures: synthesizing is expensive (jsii), so
stacks are built once a session.

The suite tests the library and the tooling on fleets it builds itself (the test
fleet and fleets written in temporary directories: ``support/fleets.py``). The
repository's own ``clusters/`` and ``manifests/`` are user data: only
``test_repository_fleet.py`` reads them, for what holds for any valid fleet.
Helpers live in ``support/``, one module a concern; this file holds what pytest
needs here: the environment every process of the run gets, hooks and fixtures.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
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

from support.fleets import CLUSTERS, MANIFESTS, SCHEMAS, synth_stacks  # noqa: E402 (after TMPDIR)
from support.git_repo import FAKE_PROJECT, GitRepo  # noqa: E402

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


@pytest.fixture(scope="session")
def example_report():
    """``validate_fleet`` of the test fleet, run once for the whole session."""
    from fleetform.commands.validate import validate_fleet

    return validate_fleet(CLUSTERS, schemas_dir=SCHEMAS)
