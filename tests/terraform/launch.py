"""How Terraform starts a stand-in provider: ``python -S -I launch.py <provider> [args]``.

Terraform starts a provider process for each of a command's walks (schemas,
validate, plan, apply), so one plan of a stack starts fifteen stand-ins, and
each spent ~0.3 s importing gRPC, protobuf and the stand-in's schemas before it
served a call: most of a plan's time. This launcher (the standard library only)
asks a fork server that has those imports done to fork a stand-in for it
instead: the child takes this process's arguments, environment, working
directory, umask and standard streams, so it is the provider Terraform
started in all but the process that imported it. The launcher stays, as the
process Terraform watches: it waits for the child, exits with its status and
forwards the signals it gets; the child ends when the launcher does.

When no fork server answers, the launcher starts one in the background (a
session of its own, no standard streams: nothing waits on it) and runs this
one stand-in the plain way, with ``exec``. The server's socket is named after
this Python and the stand-ins' sources, so an edit to them starts a new one;
it exits after ``IDLE_SECONDS`` without a request (``stop_server`` ends it
sooner). ``FLEETFORM_STANDIN_FORK=0`` turns it all off.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
IDLE_SECONDS = 120
#: A server not listening this long after its start is taken for dead.
STARTUP_SECONDS = 30
_FDS = (0, 1, 2)
_STATUS = struct.Struct("!i")


def socket_dir() -> Path:
    """Where the servers' sockets are (``FLEETFORM_STANDIN_SOCKETS``, for a test of its own)."""
    return Path(os.environ.get("FLEETFORM_STANDIN_SOCKETS") or
                f"/tmp/fleetform-standins-{os.getuid()}")


def socket_path() -> Path:
    """This Python's and these sources' server socket."""
    key = hashlib.sha256(sys.executable.encode())
    for source in sorted(HERE.glob("*.py")):
        stat = source.stat()
        key.update(f"{source.name}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return socket_dir() / f"{key.hexdigest()[:20]}.sock"


def _standin_argv(argv: list[str]) -> list[str]:
    return [sys.executable, str(HERE / "standin.py"), *argv]


# ----------------------------------------------------------------------------- the launcher

def launch(argv: list[str]) -> None:
    if os.environ.get("FLEETFORM_STANDIN_FORK") != "0":
        path = socket_path()
        try:
            code = _forked(path, argv)
        except (FileNotFoundError, ConnectionRefusedError):
            _start_server(path)
        else:
            if code is not None:
                sys.exit(code)
    os.execv(sys.executable, _standin_argv(argv))


def _forked(path: Path, argv: list[str]) -> int | None:
    """Have the server fork the stand-in: its exit status; None if none was forked."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(str(path))
    umask = os.umask(0o022)
    os.umask(umask)
    request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd(),
                          "umask": umask}).encode()
    socket.send_fds(conn, [_STATUS.pack(len(request)) + request], list(_FDS))
    reader = conn.makefile("rb")
    pid = reader.read(_STATUS.size)
    if len(pid) < _STATUS.size:  # the server could not fork it
        return None
    pid = _STATUS.unpack(pid)[0]
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, lambda s, _frame: os.kill(pid, s))
    status = reader.read(_STATUS.size)
    if len(status) < _STATUS.size:  # the child died without a word (killed)
        return 1
    return _STATUS.unpack(status)[0]


def _start_server(path: Path) -> None:
    """Start the fork server for ``path`` in the background (unless another is starting)."""
    path.parent.mkdir(mode=0o700, exist_ok=True)
    marker = Path(f"{path}.starting")
    try:
        if time.time() - marker.stat().st_mtime > STARTUP_SECONDS:
            marker.unlink()  # a server that died starting
    except FileNotFoundError:
        pass
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return  # another launcher is starting it
    if os.fork() == 0:  # detach: a new session, no standard streams, reaped by init
        try:
            os.setsid()
            null = os.open(os.devnull, os.O_RDWR)
            for fd in _FDS:
                os.dup2(null, fd)
            os.closerange(3, 256)
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-I", __file__, "--serve", str(path)])
        finally:
            os._exit(0)
    os.wait()


# ----------------------------------------------------------------------------- the server

def serve(path: Path) -> None:
    """Accept requests on ``path`` and fork a stand-in for each, until idle."""
    sys.path.insert(0, str(HERE))
    try:
        import standin  # noqa: F401  (what every child would import)
        # and what tf.runner imports when it starts, to load its certificate
        import grpc  # noqa: F401
        from cryptography import x509  # noqa: F401
        from cryptography.hazmat.primitives import hashes, serialization  # noqa: F401
        from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: F401
        from tf.gen import (grpc_controller_pb2, grpc_controller_pb2_grpc,  # noqa: F401
                            grpc_stdio_pb2_grpc, tfplugin_pb2_grpc)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        partial = path.with_suffix(f".{os.getpid()}")
        listener.bind(str(partial))
        listener.listen(64)
        os.replace(partial, path)
    finally:
        Path(f"{path}.starting").unlink(missing_ok=True)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    listener.settimeout(1.0)
    idle = 0.0
    try:
        while idle < IDLE_SECONDS and path.exists():
            _reap()
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                idle += 1.0
                continue
            idle = 0.0
            _fork_one(listener, conn, path)
    finally:
        try:
            if path.exists() and os.path.samestat(path.stat(), os.fstat(listener.fileno())):
                path.unlink()
        except OSError:
            pass


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _fork_one(listener: socket.socket, conn: socket.socket, path: Path) -> None:
    conn.settimeout(10.0)
    try:
        head, fds, _flags, _addr = socket.recv_fds(conn, _STATUS.size + 65536, len(_FDS))
        size = _STATUS.unpack(head[:_STATUS.size])[0]
        body = head[_STATUS.size:]
        while len(body) < size:
            more = conn.recv(size - len(body))
            if not more:
                raise ConnectionError("the launcher went away")
            body += more
        request = json.loads(body)
    except (OSError, ValueError, struct.error):
        conn.close()
        return
    pid = os.fork()
    if pid == 0:
        listener.close()
        _child(conn, fds, request)
    for fd in fds:
        os.close(fd)
    conn.close()


def _child(conn: socket.socket, fds: list[int], request: dict) -> None:
    """Become the stand-in the launcher asked for; never returns."""
    import tempfile
    import threading

    code = 1
    try:
        conn.sendall(_STATUS.pack(os.getpid()))
        for target, fd in zip(_FDS, fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd not in _FDS:
                os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        tempfile.tempdir = None  # (TMPDIR is the launcher's)
        sys.argv = [str(HERE / "standin.py"), *request["argv"]]
        conn.settimeout(None)

        def watch() -> None:  # the launcher was killed: so is its stand-in
            while conn.recv(64):
                pass
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
        import standin
        try:
            standin.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            conn.sendall(_STATUS.pack(code))
        finally:
            os._exit(code)


def stop_server() -> None:
    """End this Python's and these sources' fork server (within a second)."""
    socket_path().unlink(missing_ok=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(Path(sys.argv[2]))
    else:
        launch(sys.argv[1:])
