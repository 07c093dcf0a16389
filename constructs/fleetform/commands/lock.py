"""``fleetform lock``: write the fleet's provider lock with ``terraform providers lock``.

The lock holds every provider a fleetform stack may require
(:data:`~fleetform.providers.versions.PROVIDERS`, at the exact versions the suite
checks), so a cluster added later in another cloud needs no new lock; synth gives
each stack the entries it needs (:mod:`~fleetform.fleet.provider_lock`).

Terraform computes the checksums: from the registry (the default), a network
mirror (``--net-mirror``) or a filesystem mirror of packaged providers
(``--fs-mirror``, offline), for each ``--platform``. An existing lock file is
given to Terraform first, so the checksums it already holds for other platforms
are kept for providers whose version did not change. The file is replaced whole
or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import ConfigError
from ..fleet.provider_lock import LOCK_FILE, LockedProvider, parse_lock, read_lock
from ..integrations.files import write_atomically
from ..providers.versions import PROVIDERS

#: The platforms locked by default: CI runners and the usual workstations.
DEFAULT_PLATFORMS = ("linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64")
#: ``terraform providers lock`` downloads every provider for every platform.
TIMEOUT = 30 * 60


def configuration() -> dict:
    """A Terraform configuration (JSON) requiring every pinned provider exactly."""
    return {"terraform": {"required_providers": {
        name: {"source": pin.source, "version": pin.version}
        for name, pin in sorted(PROVIDERS.items())}}}


def lock_command(platforms: list[str], *, fs_mirror: Path | None,
                 net_mirror: str | None) -> list[str]:
    command = ["terraform", "providers", "lock", "-no-color",
               *(f"-platform={p}" for p in platforms)]
    if fs_mirror is not None:
        command.append(f"-fs-mirror={fs_mirror.resolve()}")
    if net_mirror is not None:
        command.append(f"-net-mirror={net_mirror}")
    return command


def check_platforms(platforms: list[str]) -> list[str]:
    """``platforms`` without repeats, each OS_ARCH (ConfigError naming ``--platform``)."""
    platforms = list(dict.fromkeys(platforms))
    for platform in platforms:
        if not platform.replace("_", "").isalnum() or platform.count("_") != 1:
            raise ConfigError(f"must be OS_ARCH such as linux_amd64, got {platform!r}",
                              field="--platform")
    return platforms


def lock_providers(lock_file: Path, platforms: list[str], *, fs_mirror: Path | None = None,
                   net_mirror: str | None = None,
                   starting: Callable[[str], None] = lambda line: None) -> list[LockedProvider]:
    """Write ``lock_file`` with every pinned provider for ``platforms``; its entries.

    ``starting`` is told, in a line, what is about to run (it takes minutes).
    Nothing is written when Terraform fails or leaves a provider out.
    """
    platforms = check_platforms(platforms)
    if fs_mirror is not None and not fs_mirror.is_dir():
        raise ConfigError("is not a directory", file=fs_mirror, field="--fs-mirror")
    terraform = shutil.which("terraform")
    if terraform is None:
        raise ConfigError("terraform is not on PATH: fleetform lock runs terraform providers "
                          "lock (Terraform 1.11 or later)", field="lock")
    command = lock_command(platforms, fs_mirror=fs_mirror, net_mirror=net_mirror)
    with tempfile.TemporaryDirectory(prefix="fleetform-lock.") as work:
        directory = Path(work)
        (directory / "providers.tf.json").write_text(json.dumps(configuration(), indent=2))
        if lock_file.is_file():
            # Its checksums for other platforms are kept; a broken one is refused
            # (naming its line), not overwritten.
            read_lock(lock_file)
            shutil.copyfile(lock_file, directory / LOCK_FILE)
        env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
               "TF_INPUT": "0"}
        starting(f"fleetform: locking {len(PROVIDERS)} providers for {', '.join(platforms)} "
                 "(terraform providers lock)")
        try:
            proc = subprocess.run([terraform, *command[1:]], cwd=directory, env=env,
                                  capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ConfigError(f"terraform providers lock took longer than {TIMEOUT // 60} "
                              "minutes: nothing was written", field="lock") from None
        if proc.returncode != 0:
            errors = [line.strip() for line in proc.stderr.splitlines()
                      if line.strip() and not line.startswith(("│ ", "╷", "╵"))]
            detail = [line.strip("│ ").strip() for line in proc.stderr.splitlines()
                      if line.startswith("│ ") and line.strip("│ ").strip()]
            raise ConfigError("terraform providers lock failed, nothing was written: "
                              + "; ".join((detail or errors or ["no error output"])[:4]),
                              field="lock")
        text = (directory / LOCK_FILE).read_text(encoding="utf-8")
    locked = parse_lock(text, lock_file)
    missing = sorted({pin.address for pin in PROVIDERS.values()} - set(locked))
    if missing:
        raise ConfigError(f"terraform providers lock did not lock {', '.join(missing)}: "
                          "nothing was written", field="lock")
    write_atomically(lock_file, text, field="--lock-file")
    return sorted(locked.values(), key=lambda e: e.address)

