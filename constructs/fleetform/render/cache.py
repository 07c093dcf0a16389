"""Downloaded chart archives, kept across runs; unpacked as regular files for Helm.

The cache is a directory (``$FLEETFORM_CHART_CACHE``, else
``$XDG_CACHE_HOME/fleetform/charts``) that CI keeps between jobs, so a chart is
downloaded once. An archive is stored under its repository, name and version,
in a file named after its digest::

    <cache>/<sha256 of the repository URL>/<name>/<version>/sha256-<hex>.tgz

Reading one checks its content against that name, so a truncated or replaced
file is a miss, not a chart. Writes go to a temporary file renamed into place:
parallel runs sharing the cache never read a half-written archive.

What comes out of the cache (or the network) is still untrusted: :func:`unpack_chart`
extracts regular files and directories only, under the limits Helm itself sets
on a chart, and refuses a values schema that would make Helm read a local file.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Mapping

from ..fleet.links import SCHEMA_FILE, check_archive, check_schema
from .sources import FetchError

CACHE_ENV = "FLEETFORM_CHART_CACHE"
#: Helm's own limits on a chart archive (``loader.MaxDecompressedChartSize`` and
#: ``MaxDecompressedFileSize``), and a bound on how many files one may hold.
MAX_CHART_BYTES = 100 << 20
MAX_FILE_BYTES = 5 << 20
MAX_FILES = 10_000

_DIGEST_FILE = re.compile(r"^sha256-([0-9a-f]{64})\.tgz$")


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV])
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fleetform" / "charts"


def _segment(text: str) -> str:
    """A path segment for a name or version: anything but ``[A-Za-z0-9._+-]`` escaped."""
    out = re.sub(r"[^A-Za-z0-9._+-]", lambda m: f"%{ord(m.group()):02x}", text)
    return out if out not in (".", "..") else out.replace(".", "%2e")


class ChartCache:
    """Chart archives by (repository, name, version, digest), in ``directory``."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def _dir(self, repository: str, name: str, version: str) -> Path:
        repo = hashlib.sha256(repository.rstrip("/").encode()).hexdigest()[:32]
        return self.directory / repo / _segment(name) / _segment(version)

    def get(self, repository: str, name: str, version: str) -> tuple[bytes, str] | None:
        """The cached archive of this chart version and its digest, or None."""
        directory = self._dir(repository, name, version)
        try:
            candidates = sorted(os.listdir(directory))
        except OSError:
            return None
        for candidate in candidates:
            m = _DIGEST_FILE.match(candidate)
            if not m:
                continue
            try:
                data = (directory / candidate).read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == m.group(1):
                return data, f"sha256:{m.group(1)}"
        return None

    def put(self, repository: str, name: str, version: str, data: bytes) -> None:
        """Keep ``data``; a cache that cannot be written is skipped (the run goes on)."""
        directory = self._dir(repository, name, version)
        digest = hashlib.sha256(data).hexdigest()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, directory / f"sha256-{digest}.tgz")
            (directory / "repository").write_text(repository + "\n", encoding="utf-8")
        except OSError:
            return


def unpack_chart(data: bytes, target: Path, *, shown: str) -> None:
    """Extract a chart archive's one top directory as ``target`` (which must not exist).

    Only regular files and directories are written, with their paths checked
    (no absolute path, no ``..``); the archive may hold at most
    :data:`MAX_FILES` files of :data:`MAX_FILE_BYTES` each and
    :data:`MAX_CHART_BYTES` in all. Values schemas are checked as a vendored
    chart's are (:func:`fleetform.fleet.links.check_schema`). FetchError otherwise,
    naming ``shown`` (where the archive came from).
    """
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    except (tarfile.TarError, EOFError, OSError):
        raise FetchError(f"{shown} is not a chart archive (not a tar.gz file)") from None
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
    top: str | None = None
    files = total = 0
    try:
        with tar:
            for member in tar:
                raw = member.name
                if raw.startswith("/") or ".." in raw.split("/"):
                    raise FetchError(f"{shown} holds a path outside the chart: {raw}")
                name = posixpath.normpath(raw[2:] if raw.startswith("./") else raw)
                parts = name.split("/")
                if name == ".":
                    continue
                if top is None:
                    top = parts[0]
                elif parts[0] != top:
                    raise FetchError(f"{shown} holds more than one top directory "
                                     f"({top}, {parts[0]})")
                if member.isdir():
                    (staging / name).mkdir(parents=True, exist_ok=True)
                    continue
                if not member.isfile():
                    raise FetchError(f"{shown} holds {member.name}, which is not a regular file "
                                     "(a link or a device is never part of a chart)")
                files += 1
                total += member.size
                if files > MAX_FILES:
                    raise FetchError(f"{shown} holds more than {MAX_FILES} files, the limit")
                if member.size > MAX_FILE_BYTES:
                    raise FetchError(f"{shown}: {member.name} is larger than "
                                     f"{MAX_FILE_BYTES >> 20} MiB, the limit for a file")
                if total > MAX_CHART_BYTES:
                    raise FetchError(f"{shown} unpacks to more than {MAX_CHART_BYTES >> 20} MiB, "
                                     "the limit")
                stream = tar.extractfile(member)
                content = stream.read(MAX_FILE_BYTES + 1) if stream is not None else b""
                if len(content) != member.size:
                    raise FetchError(f"{shown} is truncated ({member.name})")
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
                if parts[-1] == SCHEMA_FILE:
                    _check(lambda: check_schema(content, f"{shown}!{member.name}"))
                elif name.endswith(".tgz") and len(parts) >= 2 and parts[-2] == "charts":
                    _check(lambda: check_archive(path, Path(f"{shown}!{member.name}")))
        if top is None or not (staging / top / "Chart.yaml").is_file():
            raise FetchError(f"{shown} is not a chart (no Chart.yaml at its top)")
        os.rename(staging / top, target)
    except (tarfile.TarError, EOFError, OSError, UnicodeError) as exc:
        raise FetchError(f"{shown} cannot be unpacked ({exc})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check(check) -> None:
    from ..errors import ConfigError

    try:
        check()
    except ConfigError as exc:
        raise FetchError(f"{exc.file}: {exc.message}") from None
