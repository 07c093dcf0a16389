"""cdktf.out is all or nothing: a failed or interrupted synth leaves the previous output.

Synth writes into a staging sibling ``.cdktf.out.<pid>.<random>`` and renames it over
``cdktf.out`` once complete. These tests break a synth in every way we know (invalid
configuration, a construct's error, an unexpected exception, a failure halfway through
writing, a failed rename, SIGKILL; Ctrl-C and SIGTERM in ``test_interrupts.py``) and check that ``cdktf.out`` is then either
the previous complete output, byte for byte, or the new complete output: never a mix.
A synth killed outright cannot clean up: its staging directory is ignored by Git and
removed by the next synth.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.fleets import CLEAN_ENV, CLUSTERS, LOCK, ROOT, WORKER_YAML, write_cluster
from support.cli import fleetform
from support.processes import first_stack_written, run_until

from fleetform.fleet import app as fleet_app
from fleetform.errors import ConfigError

WORKER = WORKER_YAML


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory``, by relative path."""
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".cdktf.out"))


def complete_stacks(out: Path) -> list[str]:
    """The stacks of a complete output: the manifest's, each with its parsable JSON."""
    manifest = json.loads((out / "manifest.json").read_text())
    names = sorted(manifest["stacks"])
    assert sorted(p.name for p in (out / "stacks").iterdir()) == names
    for name in names:
        doc = json.loads((out / "stacks" / name / "cdk.tf.json").read_text())
        assert doc["//"]["metadata"]["stackName"] == name
    return names


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> Path:
    """A complete output of the example fleet, copied as the "previous" output."""
    out = tmp_path_factory.mktemp("golden") / "cdktf.out"
    fleet_app.synth(CLUSTERS, out, env=CLEAN_ENV, lock_file=LOCK)
    return out


@pytest.fixture
def previous(tmp_path, golden) -> Path:
    out = tmp_path / "cdktf.out"
    shutil.copytree(golden, out)
    return out


# --- Failures in process -------------------------------------------------------------------

def _unknown_key(fleet_dir, monkeypatch):
    write_cluster(fleet_dir, "broken", WORKER + "    colour: blue\n")
    return ConfigError, "broken/cluster.yaml: colour: unknown key"


def _label_without_repository(fleet_dir, monkeypatch):
    write_cluster(fleet_dir, "do-staging", WORKER.replace("[global]", "[global, staging]"))
    return ConfigError, "labels.staging: label 'staging' has no repository"


def _construct_config_error(fleet_dir, monkeypatch):
    """A construct refuses its props while the stacks are being built."""
    import fleetform.fleet.management

    def refuse(stack, fleet, cluster, *, access, env):
        raise ConfigError("must be 42, got 41", field="argocd.answer")

    monkeypatch.setattr(fleetform.fleet.management, "build_management", refuse)
    return ConfigError, "do-management/cluster.yaml: argocd.answer: must be 42, got 41"


def _construct_bug(fleet_dir, monkeypatch):
    """A bug in a construct: an exception that is not a user error."""
    import fleetform.fleet.worker

    def crash(stack, fleet, cluster, *, access, env):
        raise RuntimeError("construct bug")

    monkeypatch.setattr(fleetform.fleet.worker, "build_worker", crash)
    return RuntimeError, "construct bug"


def _bad_state_backend(fleet_dir, monkeypatch):
    monkeypatch.setitem(ENV, "FLEETFORM_STATE", "s3")
    return ConfigError, "environment: FLEETFORM_STATE: must be one of local, gitlab, got 's3'"


def _fails_while_writing(fleet_dir, monkeypatch):
    """App.synth writes part of the output, then fails (disk full, a jsii error...)."""
    from cdktf import App

    def half_synth(self):
        stacks = Path(self.outdir) / "stacks" / "do-management"
        stacks.mkdir(parents=True)
        (stacks / "cdk.tf.json").write_text('{"resource": {"digitalocean_kub')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(App, "synth", half_synth)
    return ConfigError, "--out: cannot be written (No space left on device, ENOSPC); the " \
                        "previous output is unchanged"


def _node_fails_while_writing(fleet_dir, monkeypatch):
    """Node runs out of space halfway: jsii raises what node's fs module threw."""
    from cdktf import App

    def half_synth(self):
        stacks = Path(self.outdir) / "stacks" / "do-management"
        stacks.mkdir(parents=True)
        (stacks / "cdk.tf.json").write_text('{"resource": {"digitalocean_kub')
        # Exactly what jsii 1.x raises for node's ENOSPC (seen on a full tmpfs).
        raise RuntimeError("Error: ENOSPC: no space left on device, write")

    monkeypatch.setattr(App, "synth", half_synth)
    return ConfigError, "--out: cannot be written (no space left on device, ENOSPC); the " \
                        "previous output is unchanged"


def _rename_fails(fleet_dir, monkeypatch):
    """Putting the new output in place fails after the old one was moved aside."""
    real = os.replace

    def replace(src, dst):
        if Path(src).name.startswith(".cdktf.out.") and not str(src).endswith(".old"):
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return ConfigError, "--out: cannot be replaced (Input/output error)"


ENV: dict[str, str] = {}
FAILURES = {
    "schema error": _unknown_key,
    "fleet error": _label_without_repository,
    "construct ConfigError": _construct_config_error,
    "construct bug": _construct_bug,
    "state backend error": _bad_state_backend,
    "fails while writing": _fails_while_writing,
    "node fails while writing": _node_fails_while_writing,
    "rename fails": _rename_fails,
}


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
def test_failed_synth_leaves_previous_output_byte_identical(fleet_dir, previous,
                                                            monkeypatch, failure):
    ENV.clear()
    ENV.update(CLEAN_ENV)
    before = snapshot(previous)
    error, message = failure(fleet_dir, monkeypatch)

    with pytest.raises(error) as info:
        fleet_app.synth(fleet_dir, previous, env=dict(ENV), lock_file=LOCK)

    assert message in str(info.value)
    assert snapshot(previous) == before
    assert leftovers(previous.parent) == []


def test_construct_errors_name_the_cluster_file(fleet_dir, previous, monkeypatch):
    _construct_config_error(fleet_dir, monkeypatch)

    with pytest.raises(ConfigError) as info:
        fleet_app.synth(fleet_dir, previous, env=CLEAN_ENV, lock_file=LOCK)

    assert info.value.file == str(fleet_dir / "do-management" / "cluster.yaml")
    assert info.value.field == "argocd.answer"


def test_failed_synth_without_previous_output_leaves_nothing(fleet_dir, tmp_path, monkeypatch):
    _fails_while_writing(fleet_dir, monkeypatch)

    with pytest.raises(ConfigError):
        fleet_app.synth(fleet_dir, tmp_path / "cdktf.out", env=CLEAN_ENV, lock_file=LOCK)

    assert not (tmp_path / "cdktf.out").exists()
    assert leftovers(tmp_path) == []


# --- Leftovers of a killed synth ----------------------------------------------------------

def test_next_synth_removes_what_dead_synths_left_and_spares_running_ones(tmp_path):
    out = tmp_path / "cdktf.out"
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        stale = [f".cdktf.out.{dead.pid}.a1b2c3d4", f".cdktf.out.{dead.pid}.old",
                 f".cdktf.out.{os.getpid()}.old", ".cdktf.out.x_y9z8w7",
                 f".cdktf.out.old-{dead.pid}"]
        kept = [f".cdktf.out.{running.pid}.q1w2e3r4", ".cdktf.out.backup", "cdktf.out"]
        for name in stale + kept:
            (tmp_path / name / "stacks").mkdir(parents=True)
        (tmp_path / ".cdktf.out.12345678").write_text("a file, not a staging directory")

        removed = fleet_app.remove_stale_staging(out)

        assert sorted(p.name for p in removed) == sorted(stale)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            kept + [".cdktf.out.12345678"])
    finally:
        running.kill()
        running.wait()


@pytest.mark.parametrize("name", [".cdktf.out.4242.a1b2c3d4", ".cdktf.out.4242.old"])
def test_staging_directories_are_ignored_by_git(name):
    path = f"{name}/stacks/do-management/cdk.tf.json"

    result = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT,
                            capture_output=True, timeout=60)

    assert result.returncode == 0, f"{path} is not ignored by .gitignore"


# --- Interrupting a real synth ---------------------------------------------------------------

@pytest.fixture
def big_project(tmp_path, golden) -> Path:
    """main.py, a fleet of 30 clusters, and the previous output (the example fleet's)."""
    shutil.copy(ROOT / "main.py", tmp_path / "main.py")
    shutil.copy(ROOT / ".terraform.lock.hcl", tmp_path / ".terraform.lock.hcl")
    shutil.copytree(CLUSTERS, tmp_path / "clusters")
    production = yaml.safe_load((CLUSTERS / "do-production" / "cluster.yaml").read_text())
    for i in range(28):
        write_cluster(tmp_path / "clusters", f"do-worker-{i:02d}",
                      yaml.safe_dump({**production, "region": "ams3"}))
    shutil.copytree(golden, tmp_path / "cdktf.out")
    return tmp_path


def interrupt_synth(project: Path, sig: signal.Signals) -> subprocess.CompletedProcess:
    """Start ``python main.py``; once the first stack is written to staging, send ``sig``
    to its process group (as Ctrl-C or a CI runner does)."""
    result = run_until([sys.executable, "main.py"], project, first_stack_written(project), sig,
                       env={**os.environ, **CLEAN_ENV})
    assert result.returncode != 0, "the synth ended before it was signalled"
    return result


def assert_old_or_complete(out: Path, before: dict[str, bytes]) -> None:
    """``out`` is the previous output byte for byte, or the complete new one."""
    if snapshot(out) == before:
        return
    assert len(complete_stacks(out)) == 30


def test_killed_synth_leaves_no_partial_output_and_next_synth_cleans_up(big_project):
    before = snapshot(big_project / "cdktf.out")

    result = interrupt_synth(big_project, signal.SIGKILL)

    assert result.returncode == -signal.SIGKILL
    assert_old_or_complete(big_project / "cdktf.out", before)
    for name in leftovers(big_project):  # nothing ran to clean up: Git must ignore it
        check = subprocess.run(["git", "check-ignore", "--no-index", "-q", f"{name}/x"],
                               cwd=ROOT, timeout=60)
        assert check.returncode == 0, name

    again = subprocess.run([sys.executable, "main.py"], cwd=big_project, capture_output=True,
                           text=True, env={**os.environ, **CLEAN_ENV}, timeout=300)

    assert again.returncode == 0, again.stderr
    assert len(complete_stacks(big_project / "cdktf.out")) == 30
    assert leftovers(big_project) == []


# --- A full disk, for real -----------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs (needs root: skipped where mounting is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)],
                             capture_output=True, timeout=30)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30)


def fill(disk: Path) -> None:
    """Write to ``disk`` until the file system is full."""
    with open(disk / "filler", "wb", buffering=0) as stream:
        try:
            while True:
                stream.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == 28  # ENOSPC


def synth_cli(out: Path) -> subprocess.CompletedProcess:
    return fleetform("synth", "--clusters-dir", str(CLUSTERS), "--out", str(out),
                     "--lock-file", str(LOCK))


def test_a_full_disk_is_one_line_and_the_previous_output_stays(small_disk):
    out = small_disk / "cdktf.out"
    assert synth_cli(out).returncode == 0
    before = snapshot(out)
    fill(small_disk)

    result = synth_cli(out)

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {out}: --out: cannot be written (")
    assert "no space left on device" in lines[0].lower() and "ENOSPC" in lines[0]
    assert snapshot(out) == before
    assert leftovers(small_disk) == []


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_the_output_directory_gets_the_umasks_mode_not_the_staging_directorys(tmp_path, umask):
    """Terraform run as another user (a CI image's) must be able to read the stacks."""
    previous = os.umask(umask)
    try:
        fleet_app.synth(CLUSTERS, tmp_path / "cdktf.out", env=CLEAN_ENV, lock_file=LOCK)
        (tmp_path / "plain").mkdir()
    finally:
        os.umask(previous)

    mode = (tmp_path / "cdktf.out").stat().st_mode & 0o777
    assert mode == (tmp_path / "plain").stat().st_mode & 0o777 == 0o777 & ~umask


def test_generated_files_are_written_whole_with_the_umasks_mode(tmp_path):
    """The child pipeline and the diff reports: a temporary file of their own beside the
    target, renamed over it; the mode of any new file, not mkstemp's 0600."""
    from fleetform.integrations.files import write_atomically

    target = tmp_path / "out" / "child.yml"
    previous = os.umask(0o022)
    try:
        write_atomically(target, "jobs: 1\n", field="--output")
        write_atomically(target, "jobs: 2\n", field="--output")
    finally:
        os.umask(previous)

    assert target.read_text() == "jobs: 2\n"
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["child.yml"]


def test_a_generated_file_that_cannot_be_written_is_one_error_and_leaves_nothing(tmp_path):
    from fleetform.integrations.files import write_atomically

    target = tmp_path / "child.yml"
    target.mkdir()  # a directory where the file should go: the rename fails

    with pytest.raises(ConfigError) as info:
        write_atomically(target, "jobs: 1\n", field="--output")

    assert str(info.value).startswith(f"{target}: --output: cannot be written (")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["child.yml"]
