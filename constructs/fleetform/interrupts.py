"""Ctrl-C and SIGTERM: an interrupt is reported as one, whatever it interrupted.

A Ctrl-C in a terminal, or a CI runner cancelling a job, signals the whole
process group: fleetform's Python process and the processes it started (the
node process behind jsii, git, terraform) at once. Those children then fail in
their own ways (a reset jsii connection, a git error), and what reaches the top
of the command is often not the interrupt but one of those failures. The
command line therefore asks :func:`received` which signal arrived, not which
exception it caught, and reports the interrupt.

:func:`install` makes SIGINT and SIGTERM raise :class:`Interrupted` (a
``KeyboardInterrupt``, so cleanup in ``finally`` blocks runs as for Ctrl-C)
and records each signal in a wakeup socket written by the C-level handler at
delivery: a signal whose Python handler has not run yet is still counted.
:func:`deferred` keeps a signal from interrupting a few statements that must
run together (two renames); :func:`settle` ends the handling once the command's
outcome is decided. An interrupt raised where no code catches it (during a
program's imports, or in the instant the command settles) reaches
``sys.excepthook``, which :func:`install` sets to end the process as
:func:`leave` does: one line, never a traceback. One raised where Python can only
print an exception (a weakref or garbage-collector callback, such as those of
importlib's module locks) is recorded, not printed (``sys.unraisablehook``): the
command goes on, and ends as interrupted once it settles; a second signal
interrupts it as the first would have.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from typing import Any, Iterator, Optional

#: The signals handled, with the word each prints.
SIGNALS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_received: Optional[int] = None
#: Set by settle(): the outcome is decided, signals are only recorded.
_settled = False
_deferring = 0
_previous_hook = sys.excepthook
_previous_unraisable = sys.unraisablehook
_pending: Optional[int] = None
#: The two ends of the wakeup socket, kept open for the process's life.
_wakeup: Optional[socket.socket] = None
_wakeup_writer: Optional[socket.socket] = None


def _handler(signum: int, frame: object) -> None:
    global _received, _pending
    if _received is None:
        _received = signum
    if _settled:
        return
    if _deferring:
        _pending = _pending or signum
        return
    raise Interrupted(signum)


def _excepthook(kind: type, value: BaseException, trace: object) -> None:
    """An interrupt that reached the top (raised where nothing could catch it: during
    the imports, or as the command settled): the one line, not a traceback."""
    if issubclass(kind, KeyboardInterrupt):
        leave(received() or signal.SIGINT)
    _previous_hook(kind, value, trace)


def _unraisable(unraisable: Any) -> None:
    """An interrupt raised in a callback, where it cannot propagate: already recorded by
    the handler (:func:`received` has it), so it is not printed."""
    if isinstance(unraisable.exc_value, Interrupted):
        return
    _previous_unraisable(unraisable)


def install() -> None:
    """Handle SIGINT and SIGTERM in this process (main thread only; idempotent)."""
    global _wakeup, _wakeup_writer
    if _wakeup is not None:
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    try:
        signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except ValueError:  # not the main thread: leave signals as they are
        reader.close()
        writer.close()
        return
    _wakeup, _wakeup_writer = reader, writer
    global _previous_hook, _previous_unraisable
    _previous_hook, sys.excepthook = sys.excepthook, _excepthook
    _previous_unraisable, sys.unraisablehook = sys.unraisablehook, _unraisable
    for signum in SIGNALS:
        signal.signal(signum, _handler)


def installed() -> bool:
    """Whether :func:`install` took effect in this process."""
    return _wakeup is not None


def received() -> Optional[int]:
    """The first SIGINT or SIGTERM this process received since :func:`install`, if any.

    Includes a signal delivered but not yet handled in Python (read from the
    wakeup socket), so a failure that the signal caused elsewhere first is
    still recognised as the interrupt it is.
    """
    global _received
    if _received is None and _wakeup is not None:
        try:
            data = _wakeup.recv(512)
        except (BlockingIOError, OSError):
            data = b""
        for signum in data:
            if signum in SIGNALS:
                _received = signum
                break
    return _received


def settle() -> Optional[int]:
    """The command's outcome is decided: ignore SIGINT and SIGTERM from now on, and
    return :func:`received`.

    A signal that arrives while the interpreter shuts down (after the command has done
    its work) would otherwise meet the default action Python restores at exit and
    kill the process without a word. One that arrived before is in the wakeup socket.
    """
    global _settled
    _settled = True
    if _wakeup is not None:
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
    return received()


def exit_code(signum: int) -> int:
    """The shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + signum


def message(signum: int) -> str:
    return SIGNALS.get(signal.Signals(signum), "interrupted")


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Statements that a signal must not split: one arriving inside is raised at the end."""
    global _deferring, _pending
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        if not _deferring and _pending is not None:
            signum, _pending = _pending, None
            raise Interrupted(signum)


def leave(signum: int) -> None:
    """Print the one line and end the process now, with :func:`exit_code`.

    ``os._exit``, not ``sys.exit``: the exit hooks of libraries (jsii's writes to
    its node process, which the same signal ended) would print tracebacks.
    Output is flushed first; cleanup has run by the time the command returns.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(Exception):
        os.write(2, f"{message(signum)}\n".encode())
    os._exit(exit_code(signum))
