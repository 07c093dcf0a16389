"""The stand-in providers' launcher (tests/terraform/launch.py), as Terraform runs it.

Terraform runs a provider's executable and reads go-plugin's handshake from its
standard output; the launcher has a fork server start the stand-in, or runs it
itself when no server answers. Either way Terraform sees the same process: the
handshake on its stdout, errors on its stderr, the exit status, and the provider
gone when Terraform kills the process it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

HERE = Path(__file__).resolve().parent / "terraform"
sys.path.insert(0, str(HERE))
import launch  # noqa: E402

#: What Terraform sets for a plugin (go-plugin's handshake cookie for provider protocol 6).
PLUGIN_ENV = {"TF_PLUGIN_MAGIC_COOKIE":
              "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
              "PLUGIN_PROTOCOL_VERSIONS": "6"}


@pytest.fixture
def sockets(monkeypatch):
    """A socket directory of this test's own (a Unix socket path is short: not tmp_path)."""
    directory = Path(tempfile.mkdtemp(prefix="fleetform-launch-", dir="/tmp"))
    monkeypatch.setenv("FLEETFORM_STANDIN_SOCKETS", str(directory))
    yield directory
    launch.stop_server()
    shutil.rmtree(directory, ignore_errors=True)


def start(provider: str, home: Path, **env: str) -> subprocess.Popen:
    """The launcher, started as Terraform starts a provider."""
    return subprocess.Popen(
        [sys.executable, "-S", "-I", str(HERE / "launch.py"), provider],
        env={**os.environ, **PLUGIN_ENV, "HOME": str(home), **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_server(timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not launch.socket_path().exists():
        assert time.monotonic() < deadline, "the fork server did not start"
        time.sleep(0.05)


@pytest.fixture
def server(sockets):
    """A fork server listening, started as a launcher that found none starts it."""
    process = subprocess.Popen([sys.executable, "-I", str(HERE / "launch.py"), "--serve",
                                str(launch.socket_path())], stdin=subprocess.DEVNULL)
    wait_for_server()
    yield process
    launch.stop_server()
    process.wait(timeout=30)


def handshake(process: subprocess.Popen) -> str:
    """The plugin's socket, from the handshake line go-plugin reads."""
    line = process.stdout.readline()
    fields = line.strip().split("|")
    assert fields[:3] == ["1", "6", "unix"], (line, process.stderr.read())
    return fields[3]


def serving(address: str) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(address)
        except (ConnectionRefusedError, FileNotFoundError):
            return False
    return True


def test_without_a_server_the_launcher_is_the_stand_in_and_starts_the_server(sockets, tmp_path):
    # GIVEN no fork server
    # WHEN Terraform starts a provider
    process = start("digitalocean", tmp_path)
    try:
        # THEN the launcher runs the stand-in itself: the handshake comes from its pid
        address = handshake(process)
        assert "standin.py" in " ".join(psutil.Process(process.pid).cmdline())
        assert serving(address)
        # AND the server for the next starts is up
        wait_for_server()
    finally:
        process.kill()
        process.wait(timeout=30)


def test_a_forked_stand_in_serves_for_the_launcher_and_ends_when_it_is_killed(server, tmp_path):
    # GIVEN a fork server
    # WHEN Terraform starts a provider
    process = start("digitalocean", tmp_path)
    # THEN the stand-in is another process, which hands the launcher's stdout the handshake
    address = handshake(process)
    launcher = psutil.Process(process.pid)
    assert "launch.py" in " ".join(launcher.cmdline())
    assert serving(address)
    # WHEN Terraform kills the process it started
    process.kill()
    process.wait(timeout=30)
    # THEN the stand-in ends too
    deadline = time.monotonic() + 10
    while serving(address):
        assert time.monotonic() < deadline, "the stand-in outlived its launcher"
        time.sleep(0.05)


@pytest.mark.parametrize("fork", ["1", "0"])
def test_a_stand_in_that_fails_fails_its_launcher_with_its_error(server, tmp_path, fork):
    # GIVEN a fork server (or the launcher told not to use one)
    # WHEN Terraform starts a provider the stand-ins do not have
    process = start("no-such-provider", tmp_path, FLEETFORM_STANDIN_FORK=fork)
    stdout, stderr = process.communicate(timeout=60)
    # THEN it exits non-zero, its error on the launcher's stderr, no handshake
    assert process.returncode != 0
    assert "no-such-provider" in stderr
    assert stdout == ""


def test_the_launcher_forwards_a_signal_to_the_stand_in(server, tmp_path):
    # GIVEN a forked stand-in serving
    process = start("random", tmp_path)
    address = handshake(process)
    # WHEN Terraform interrupts the launcher
    process.send_signal(signal.SIGTERM)
    # THEN the stand-in ends, and the launcher with it
    process.wait(timeout=30)
    assert not serving(address)
