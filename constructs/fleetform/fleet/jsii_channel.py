"""Talk to jsii's kernel directly, without the relay process in between.

jsii's Python runtime starts ``node jsii-runtime.js``, which starts a second
node process, the kernel (``lib/program.js``), and copies every request and
response between its own stdin/stdout and the kernel's API channel (file
descriptor 3). Every round trip of a synth (about 70 per worker stack) thus
crosses two processes and four pipes; on a busy 2-core machine that relay is
a third of the CPU time of a large synth and much of its waiting.

:func:`use_direct_channel` makes the next kernel start connect Python to the
kernel itself through one socket pair: the same kernel, the same messages,
one process less. The kernel's own stdout and stderr still reach Python's.

This depends on the internals of the pinned jsii runtime (the embedded
``lib/program.js``, its channel on fd 3, ``_NodeProcess``), so it is used
only with the jsii version it was checked against
(:data:`VERIFIED_JSII_VERSION`), and otherwise jsii runs as it ships.
``tests/test_jsii_channel.py`` fails on any other version, so that a jsii
upgrade means checking this module again. Only ``fleetform synth`` uses it;
a library user's process runs jsii unchanged.
"""

from __future__ import annotations

import atexit
import os
import platform
import selectors
import socket
import subprocess
import sys
import threading
from typing import IO, Any, Callable, Optional

#: The jsii Python runtime whose internals this module was checked against.
VERIFIED_JSII_VERSION = "1.142.0"
#: Set FLEETFORM_JSII_RELAY=1 to run jsii as it ships.
RELAY_ENV = "FLEETFORM_JSII_RELAY"

_started_direct = False
#: The kernel process started through the direct channel.
_kernel_process: Optional[subprocess.Popen] = None


def started_direct() -> bool:
    """Whether this process's jsii kernel was started through the direct channel."""
    return _started_direct


def kernel_ended(wait: float = 2.0) -> Optional[str]:
    """How the kernel started through the direct channel ended (``"was killed by
    SIGKILL"``, ``"exited with status 1"``), or None while it runs or when it was not.

    Waits up to ``wait`` seconds: a kernel whose connection just closed may not
    have been reaped yet.
    """
    if _kernel_process is None:
        return None
    try:
        code = _kernel_process.wait(wait)
    except subprocess.TimeoutExpired:
        return None
    if code < 0:
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"exited with status {code}"


def installed_jsii_version() -> str:
    from importlib.metadata import version
    return version("jsii")


def use_direct_channel() -> bool:
    """Start jsii's kernel with a direct channel, if it has not started yet.

    Returns whether the direct channel will be (or already is) used. Nothing
    changes when jsii is not the verified version, when its layout differs,
    when ``FLEETFORM_JSII_RELAY`` is set, or when the kernel already runs.
    """
    if _started_direct:
        return True
    if os.environ.get(RELAY_ENV):
        return False
    try:
        if installed_jsii_version() != VERIFIED_JSII_VERSION:
            return False
        import jsii._embedded.jsii as embedded
        from jsii._kernel.providers import process
    except Exception:  # noqa: BLE001 - any mismatch: jsii as it ships
        return False
    if "lib__program.js" not in embedded.EMBEDDED_FILES \
            or not hasattr(process._NodeProcess, "_jsii_runtime"):
        return False
    global _relay_start
    if _relay_start is None:
        _relay_start = process._NodeProcess.start
        process._NodeProcess.start = _start
    return True


_relay_start: Optional[Callable[[Any], None]] = None


def _start(self: Any) -> None:
    """Start the kernel directly; as jsii ships if that fails."""
    global _started_direct
    try:
        _start_direct(self)
    except Exception:  # noqa: BLE001 - the kernel did not answer as expected
        kernel = getattr(self, "_process", None)
        if isinstance(kernel, _Kernel):
            kernel.terminate()
            kernel.wait()
        atexit.unregister(_stop_at_exit)
        global _kernel_process
        _kernel_process = None  # the relay's kernel is jsii's own
        assert _relay_start is not None
        _relay_start(self)
        return
    _started_direct = True


class _Kernel:
    """What ``_NodeProcess`` uses of its ``subprocess.Popen``, over a socket pair."""

    def __init__(self, popen: subprocess.Popen, channel: socket.socket) -> None:
        self._popen = popen
        self._channel = channel
        self.stdin: IO[bytes] = channel.makefile("wb")
        self.stdout: IO[bytes] = channel.makefile("rb")
        self.stderr = _Closed()

    def wait(self, timeout: Optional[float] = None) -> int:
        try:
            return self._popen.wait(timeout)
        finally:
            if self._popen.returncode is not None:
                self._channel.close()

    def terminate(self) -> None:
        self._popen.terminate()


class _Closed:
    def close(self) -> None:
        pass


def _forward(popen: subprocess.Popen) -> None:
    """Copy the kernel's stdout and stderr to Python's, as the relay does."""
    targets = {popen.stdout: sys.stdout, popen.stderr: sys.stderr}
    selector = selectors.DefaultSelector()
    for stream in targets:
        selector.register(stream, selectors.EVENT_READ)
    while targets:
        for key, _ in selector.select():
            data = os.read(key.fileobj.fileno(), 65536)
            if not data:
                selector.unregister(key.fileobj)
                key.fileobj.close()
                del targets[key.fileobj]
                continue
            target = targets[key.fileobj]
            try:
                target.buffer.write(data)
                target.flush()
            except (AttributeError, ValueError):  # a replaced or closed stream
                target.write(data.decode("utf-8", "replace"))


def _start_direct(self: Any) -> None:
    """``_NodeProcess.start``, with Python holding the kernel's fd 3 itself."""
    environ = os.environ.copy()
    environ["JSII_AGENT"] = f"Python/{platform.python_version()}"
    runtime = self._jsii_runtime()  # unpacks the embedded runtime; bin/jsii-runtime.js
    program = os.path.join(os.path.dirname(os.path.dirname(runtime)), "lib", "program.js")
    ours, theirs = socket.socketpair()
    # The kernel reads and writes its API on fd 3: the shell puts the socket
    # there (from stdin) and gives node an empty stdin.
    popen = subprocess.Popen(
        ["/bin/sh", "-c", 'exec "$0" "$@" 3<&0 </dev/null',
         environ.get("JSII_NODE", "node"), "--max-old-space-size=4069",
         "--preserve-symlinks", program],
        stdin=theirs, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ)
    theirs.close()
    global _kernel_process
    _kernel_process = popen
    self._process = _Kernel(popen, ours)
    self.sink_thread = threading.Thread(name="fleetform.jsii_kernel_output", target=_forward,
                                        args=(popen,), daemon=True)
    self.sink_thread.start()
    atexit.register(_stop_at_exit, self)
    self.handshake()


def _stop_at_exit(self: Any) -> None:
    """jsii's exit hook (``_NodeProcess.stop``), unless the kernel has ended already:
    it would write to the closed connection and print a BrokenPipeError traceback."""
    kernel = getattr(self, "_process", None)
    if isinstance(kernel, _Kernel) and kernel._popen.poll() is not None:
        kernel._channel.close()
        return
    try:
        self.stop()
    except ConnectionError:  # ended while stopping
        pass
