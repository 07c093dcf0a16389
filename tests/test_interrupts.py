"""Ctrl-C and SIGTERM end a command with one line and 130 or 143, wherever they land.

A terminal's Ctrl-C and a CI runner's cancel signal the whole process group: the
Python process and node behind jsii (and git, Helm's work) at once. Whatever
fails first because of it, a reset jsii connection or a git error, the command
says ``interrupted`` (or ``terminated``), prints no traceback and no error that
is not one, and leaves ``cdktf.out`` as it was or complete, with nothing left
behind. Each test sends the signal at a point of a real run: as soon as the
process handles signals (before node starts), once node runs, once the first
stack is written, and at times spread over the whole synth.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import psutil
import pytest
from support.fleets import CLEAN_ENV
from support import processes
from test_atomic_output import (assert_old_or_complete, big_project, complete_stacks,  # noqa: F401
                                golden, leftovers, snapshot)


#: The exit status and the one line of each signal.
EXPECTED = {signal.SIGINT: (130, "interrupted\n"), signal.SIGTERM: (143, "terminated\n")}


@pytest.fixture
def project(big_project) -> Path:
    """main.py, a fleet of 30 clusters, and the previous output (the example fleet's)."""
    return big_project


def handles(pid: int, sig: signal.Signals) -> bool:
    """Whether process ``pid`` has a handler for ``sig`` (its SigCgt mask)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (sig - 1) & 1)


def node_runs(pid: int) -> bool:
    try:
        return any(c.name() == "node" for c in psutil.Process(pid).children(recursive=True))
    except psutil.Error:
        return False


#: When to send the signal, as a condition on the running synth (pid, project).
POINTS: dict[str, Callable[[int, Path], bool]] = {
    "signals handled, before node": lambda pid, _: handles(pid, signal.SIGTERM),
    "node started": lambda pid, _: node_runs(pid),
    "first stack written": lambda pid, project: processes.first_stack_written(project)(pid),
}


def run_until(command: list[str], cwd: Path, ready: Callable[[int], bool], sig: signal.Signals,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return processes.run_until(command, cwd, ready, sig, env or {**os.environ, **CLEAN_ENV})


def assert_interrupted(result: subprocess.CompletedProcess, sig: signal.Signals) -> None:
    code, line = EXPECTED[sig]
    assert (result.returncode, result.stderr) == (code, line), result.stderr
    children = []
    for pid in result.children:
        try:
            children.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(children, timeout=30)
    assert alive == [], "processes left running"


def assert_synth_outcome(project: Path, result, sig, before) -> None:
    if result.returncode == 0:  # the synth finished before the signal was sent
        assert len(complete_stacks(project / "cdktf.out")) == 30
    else:
        assert_interrupted(result, sig)
        assert_old_or_complete(project / "cdktf.out", before)
    assert leftovers(project) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("point", list(POINTS))
def test_a_signal_at_each_point_of_a_synth(project, point, sig):
    before = snapshot(project / "cdktf.out")

    result = run_until([sys.executable, "main.py"], project,
                       lambda pid: POINTS[point](pid, project), sig)

    assert result.returncode != 0, "the synth ended before the point"
    assert_synth_outcome(project, result, sig, before)


def test_signals_spread_over_a_whole_synth(project):
    """Ten signals at evenly spread times of a synth, from the moment the process handles
    signals (Python's own start-up comes before: a signal then ends it by default,
    before anything is written) to its end, whose length is measured first."""
    handled: list[float] = []
    process = subprocess.Popen([sys.executable, "main.py"], cwd=project,
                               env={**os.environ, **CLEAN_ENV}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    while process.poll() is None:
        if not handled and handles(process.pid, signal.SIGTERM):
            handled.append(time.monotonic())
        time.sleep(0.002)
    assert process.returncode == 0 and handled
    length = time.monotonic() - handled[0]
    before = snapshot(project / "cdktf.out")

    outcomes = []
    for i in range(10):
        sig = (signal.SIGINT, signal.SIGTERM)[i % 2]
        delay = length * (i + 0.5) / 10
        since: list[float] = []

        def due(pid: int, delay=delay, since=since) -> bool:
            if not since:
                if handles(pid, signal.SIGTERM):
                    since.append(time.monotonic())
                return False
            return time.monotonic() - since[0] >= delay

        result = run_until([sys.executable, "main.py"], project, due, sig)
        assert_synth_outcome(project, result, sig, before)
        before = snapshot(project / "cdktf.out")
        outcomes.append(result.returncode)

    assert sum(code != 0 for code in outcomes) >= 5, outcomes


def test_a_signal_to_python_alone_ends_node_too(project):
    """``kill PID`` (not the group): Python cleans up and node does not outlive it."""
    process = subprocess.Popen([sys.executable, "main.py"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **CLEAN_ENV}, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not node_runs(process.pid):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.002)
        kernel = [c for c in psutil.Process(process.pid).children(recursive=True)
                  if c.name() == "node"]
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
        gone, alive = psutil.wait_procs(kernel, timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    assert (process.returncode, stderr) == (143, "terminated\n")
    assert alive == []
    assert leftovers(project) == []


def test_node_killed_alone_is_named_not_a_disk_error(project):
    """The jsii kernel killed by another hand (the OOM killer) while it writes the
    stacks: one line saying so, not a disk error, and the previous output kept."""
    before = snapshot(project / "cdktf.out")

    def kill_node(pid: int) -> bool:
        if not POINTS["first stack written"](pid, project):
            return False
        for child in psutil.Process(pid).children(recursive=True):
            if child.name() == "node":
                child.kill()
        return True

    process = subprocess.Popen([sys.executable, "main.py"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **CLEAN_ENV}, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not kill_node(process.pid):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.002)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    assert process.returncode == 2, stderr
    assert stderr == ("error: node, which runs cdktf's synthesis (jsii's kernel), was killed "
                      "by SIGKILL; nothing was written\n"), stderr
    assert snapshot(project / "cdktf.out") == before
    assert leftovers(project) == []


@pytest.mark.parametrize("fraction", [0.3, 0.7])
def test_validate_interrupted_while_rendering(project_copy, fraction):
    command = [sys.executable, "-m", "fleetform.commands.cli", "validate", "--no-fetch"]
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.monotonic()
    done = subprocess.run(command, cwd=project_copy, capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    at = time.monotonic() + (time.monotonic() - start) * fraction

    result = run_until(command, project_copy, lambda pid: time.monotonic() >= at,
                       signal.SIGINT, env=env)

    if result.returncode != 0:
        assert_interrupted(result, signal.SIGINT)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_as_the_command_ends_is_never_a_silent_death(project_copy, sig):
    """Once its result is printed, a command may still be shutting down (Python restores
    the default handlers at exit): a signal then must not kill it without a word."""
    command = [sys.executable, "-m", "fleetform.commands.cli", "validate", "--no-fetch"]
    process = subprocess.Popen(command, cwd=project_copy, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env={**os.environ, "NO_COLOR": "1"})
    try:
        for line in process.stdout:
            if line.startswith("validate: OK"):
                os.killpg(process.pid, sig)
                break
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    assert (process.returncode, stderr) in ((0, ""), EXPECTED[sig]), stderr


def test_an_interrupt_in_a_callback_is_recorded_not_printed():
    """A signal handled while Python runs a weakref callback (importlib's module locks
    use them) raises where nothing can catch it: Python would print it as an ignored
    exception, a traceback on the user's screen. It is recorded instead, and the
    command ends as interrupted when it settles."""
    code = ("import signal, weakref\n"
            "from fleetform import interrupts\n"
            "interrupts.install()\n"
            "class Lock: pass\n"
            "lock = Lock()\n"
            "ref = weakref.ref(lock, lambda _: signal.raise_signal(signal.SIGINT))\n"
            "del lock\n"
            "print('went on')\n"
            "interrupts.leave(interrupts.settle())\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env={**os.environ, **CLEAN_ENV})

    assert (result.returncode, result.stdout, result.stderr) == (130, "went on\n",
                                                                 "interrupted\n")
