"""Starting a command and signalling its process group at a chosen point, as Ctrl-C or a
CI runner's cancel does (``test_interrupts.py``, ``test_atomic_output.py``)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable

import psutil


def run_until(command: list[str], cwd: Path, ready: Callable[[int], bool], sig: int,
              env: dict[str, str]) -> subprocess.CompletedProcess:
    """Start ``command`` in its own process group; once ``ready(pid)``, signal the group.

    The result's ``children`` holds the pids the command had started by then. A command
    that ends before the point is not signalled (the caller checks the outcome).
    """
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    group = set()
    try:
        while not ready(process.pid):
            assert time.monotonic() < deadline, "the point was not reached in 120 s"
            if process.poll() is not None:
                break
            time.sleep(0.002)
        try:
            group = {p.pid for p in psutil.Process(process.pid).children(recursive=True)}
        except psutil.Error:
            pass
        if process.poll() is None:
            os.killpg(process.pid, sig)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    result.children = group  # type: ignore[attr-defined]
    return result


def first_stack_written(project: Path) -> Callable[[int], bool]:
    """The point at which a synth in ``project`` has written a stack to its staging output."""
    return lambda pid: bool(list(project.glob(".cdktf.out.*/stacks/*/cdk.tf.json")))
