"""Writing an output whole or not at all, with the mode of any new file.

A reader (a CI job picking up the child pipeline, a merge request note read from a
file) must never see half a file, and two runs writing the same output at once must
not share a temporary file: each writes its own beside the target (``mkstemp``) and
renames it over the target, which is atomic on one file system.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import ConfigError


def umask() -> int:
    """This process's umask (read by setting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: str | Path, text: str, *, field: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all.

    ``field`` names the option that chose ``path`` in the ConfigError raised when it
    cannot be written; nothing is left behind then, and a previous file stays as it was.
    """
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp's 0600 would stay with the file
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise ConfigError(f"cannot be written ({exc.strerror or exc})", file=path,
                          field=field) from None
