"""Symbolic links that leave a repository: refused wherever fleetform reads one.

A merge request can add a symbolic link to a chart or a value file. Followed,
a link pointing outside the checkout reads whatever the job can read: the
job's own environment (``/proc/self/environ``, where CI keeps its deploy
tokens), credential files, other checkouts. Argo CD refuses a repository that
holds a link leaving it ("out-of-bounds symlinks"); fleetform refuses the same
links before reading anything through them, with an error naming the link.
Links that stay inside the repository are followed, as Argo CD follows them.

:func:`copy_tree` is the second line: the charts that Helm renders are copies
holding regular files and directories only, so Helm, which follows links
itself, never sees one. The copy also refuses what makes Helm read a file by
itself: a ``values.schema.json`` reference (``$ref``, ``$id``, ...) to
anything but a part of the schema or an http(s) URL. Helm resolves such
references against ``file:///``, so ``"$ref": "../../proc/self/environ"``
would have Helm open the job's environment while checking values.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ConfigError


def _real(path: Path | str) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _target_text(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:
        return "?"


def link_problem(link: Path, root: Path) -> ConfigError | None:
    """The error for the symbolic link ``link`` (None when it is harmless).

    ``root`` is the repository's resolved root. A link is refused when it
    leads outside ``root``, when it is part of a loop, or when what it points
    to does not exist.
    """
    target = _real(link)
    raw = _target_text(link)
    if not _inside(target, root):
        return ConfigError(
            f"symbolic link to {raw}, outside the repository ({root}): Argo CD refuses "
            "a repository holding such a link, and fleetform does not follow it",
            file=link)
    try:
        os.stat(link)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return ConfigError(f"symbolic link loop ({raw})", file=link)
        if exc.errno == errno.ENOENT:
            return ConfigError(f"dangling symbolic link: {raw} does not exist", file=link)
        return ConfigError(f"cannot be read ({exc.strerror})", file=link)
    return None


def check_inside(path: Path, root: Path) -> None:
    """Raise ConfigError when ``path`` (under ``root``) reaches outside it through a link.

    The error names the link on the way, whichever component of ``path`` it is.
    """
    root_real = _real(root)
    if _inside(_real(path), root_real):
        return
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = ()
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            problem = link_problem(current, root_real)
            if problem is not None:
                raise problem
    raise ConfigError(f"is outside the repository ({root_real})", file=path)


def outside_links(directory: Path, root: Path) -> list[ConfigError]:
    """One error for every refused link under ``directory`` (see :func:`link_problem`).

    Directories reached through links that stay inside ``root`` are searched
    too (each real directory once, so a loop of directory links ends).
    """
    root_real = _real(root)
    errors: list[ConfigError] = []
    seen: set[Path] = set()
    pending = [directory]
    while pending:
        current = pending.pop()
        real = _real(current)
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                problem = link_problem(path, root_real)
                if problem is not None:
                    errors.append(problem)
                elif path.is_dir():
                    pending.append(path)
            elif entry.is_dir(follow_symlinks=False):
                pending.append(path)
    errors.sort(key=lambda e: e.file or "")
    return errors


def copy_tree(source: Path, destination: Path, root: Path) -> None:
    """Copy ``source`` to ``destination`` as regular files and directories only.

    Links inside ``root`` are copied as what they point to; a refused link
    (:func:`link_problem`), a FIFO, a socket or a device raises ConfigError
    naming it. ``destination`` must not exist.
    """
    root_real = _real(root)
    check_inside(source, root)
    active: list[Path] = []

    def copy(src: Path, dst: Path) -> None:
        if src.is_symlink():
            problem = link_problem(src, root_real)
            if problem is not None:
                raise problem
        mode = os.stat(src).st_mode
        if stat.S_ISDIR(mode):
            real = _real(src)
            if real in active:  # a directory link to one of its own parents
                raise ConfigError(f"symbolic link loop ({_target_text(src)})", file=src)
            active.append(real)
            dst.mkdir()
            for entry in sorted(os.listdir(src)):
                copy(src / entry, dst / entry)
            active.pop()
        elif stat.S_ISREG(mode):
            shutil.copyfile(src, dst)
            if src.name == SCHEMA_FILE:
                check_schema(dst.read_bytes(), src)
            elif src.name.endswith(".tgz") and src.parent.name == "charts":
                check_archive(dst, src)
        else:
            raise ConfigError("is not a regular file or directory (a FIFO, socket or device "
                              "is never part of a chart)", file=src)

    copy(source, destination)


#: The JSON Schema file Helm checks values against (in a chart and each of its subcharts).
SCHEMA_FILE = "values.schema.json"
#: Keywords whose value is a URI that a JSON Schema implementation may load.
URI_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef", "$id", "id", "$schema")


def _loadable(uri: str) -> bool:
    """Whether resolving ``uri`` against Helm's ``file:///`` base can open a local file."""
    if uri.startswith("#"):
        return False
    return urlsplit(uri).scheme.lower() not in ("http", "https")


def schema_references(document: object) -> list[str]:
    """Every URI in a JSON Schema that would have Helm read a local file."""
    found: list[str] = []
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in URI_KEYWORDS and isinstance(value, str) and _loadable(value):
                    found.append(value)
                elif isinstance(value, (dict, list)):
                    pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)
    return found


def check_schema(data: bytes, file: Path | str) -> None:
    """Raise ConfigError when the schema ``data`` refers to a local file."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return  # not JSON: Helm reports it, without reading anything else
    references = schema_references(document)
    if references:
        raise ConfigError(
            f"refers to {references[0]!r}: Helm would read that file from the machine "
            "that renders the chart; only references inside the schema (#/...) or to "
            "http(s) URLs are allowed", file=file)


def check_archive(archive: Path, shown: Path) -> None:
    """:func:`check_schema` for every ``values.schema.json`` in a vendored chart archive."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if member.isfile() and member.name.rsplit("/", 1)[-1] == SCHEMA_FILE:
                    stream = tar.extractfile(member)
                    if stream is not None:
                        check_schema(stream.read(), f"{shown}!{member.name}")
    except (tarfile.TarError, OSError, EOFError):
        return  # not an archive Helm can read either: it reports it


class ChartCopies:
    """The charts Helm reads: one link-free copy (:func:`copy_tree`) of each chart directory.

    Every reader that hands a repository's chart to Helm (``validate``, ``diff``)
    goes through one of these, so Helm never follows a link itself. ``close()``
    removes the copies.
    """

    def __init__(self) -> None:
        self._copies: dict[Path, Path] = {}
        self._scratch: tempfile.TemporaryDirectory | None = None

    def get(self, directory: Path, root: Path) -> Path:
        """The copy of ``directory``, a chart of the repository checked out at ``root``.

        Raises ConfigError naming a link (or FIFO, device, schema reference) it refuses.
        """
        if directory not in self._copies:
            if self._scratch is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="fleetform-charts-")
            # <random>/<chart directory name>: Helm's lint compares it with the chart's name.
            target = Path(tempfile.mkdtemp(dir=self._scratch.name)) / directory.name
            copy_tree(directory, target, root)
            self._copies[directory] = target
        return self._copies[directory]

    def original(self, text: str, directory: Path, shown: str) -> str:
        """``text`` (a Helm message) with the copy's path of ``directory`` shown as ``shown``."""
        copy = self._copies.get(directory)
        return text.replace(str(copy), shown) if copy is not None else text

    def close(self) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None
        self._copies.clear()
