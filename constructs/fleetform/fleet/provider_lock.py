"""The fleet's provider lock: one ``.terraform.lock.hcl`` for every stack.

``fleetform lock`` writes the file with ``terraform providers lock``: each provider
of :data:`~fleetform.providers.versions.PROVIDERS` at its pinned version, with the
checksums of the platforms it was run for. Synth reads it and puts into each
stack's directory the entries of the providers that stack requires, so that
``terraform init -lockfile=readonly`` installs exactly those versions, checks
their checksums, and never changes the lock. A stack requiring a provider the
lock lacks, or another version, fails synth with the command to run.

The file is Terraform's own format, written by Terraform; it is read here line
by line (a block per provider: ``version`` and ``hashes``), and each block is
copied into the stacks' lock files as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..errors import ConfigError
from ..providers.versions import provider_address

#: The lock file, in the project directory (beside ``cdktf.json``), and in each stack.
LOCK_FILE = ".terraform.lock.hcl"
#: The lock synth reads when ``--lock-file`` is not given; ``none``: stacks without lock
#: files (only compared, never run, as ``fleetform diff``'s sides).
LOCK_ENV = "FLEETFORM_LOCK_FILE"
#: What writes (or updates) the lock file.
LOCK_COMMAND = "./fleet lock"
#: Terraform's header of a lock file.
HEADER = ("# This file is maintained automatically by \"terraform init\".\n"
          "# Manual edits may be lost in future updates.\n")
#: A lock file is a few kilobytes per provider: a larger one is not a lock file.
MAX_BYTES = 4 * 1024 * 1024

_BLOCK_START = re.compile(r'^provider\s+"([^"]+)"\s*\{\s*$')
_VERSION = re.compile(r'^\s*version\s*=\s*"([^"]+)"\s*$')
_HASH = re.compile(r'^\s*"(h1|zh):[A-Za-z0-9+/=]+",?\s*$')
_EXACT = re.compile(r"^=?\s*(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$")


@dataclass(frozen=True)
class LockedProvider:
    """One provider's entry: its address, version, and the block as Terraform wrote it."""

    address: str
    version: str
    block: str
    hashes: int


def read_lock(path: str | Path) -> dict[str, LockedProvider]:
    """The providers of lock file ``path`` by address; ConfigError naming the file
    (and the line) when it is missing or is not a Terraform lock file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(f"is larger than {MAX_BYTES // (1024 * 1024)} MiB: not a "
                              "provider lock file", file=path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"is missing: the fleet's providers are not locked; run "
                          f"{LOCK_COMMAND} (README: Provider lock)", file=path) from None
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text: not a provider lock file", file=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror or exc})", file=path) from None
    return parse_lock(text, path)


def parse_lock(text: str, path: Path) -> dict[str, LockedProvider]:
    """Parse a lock file's text (see :func:`read_lock`)."""
    providers: dict[str, LockedProvider] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")):
            continue
        start = _BLOCK_START.match(line)
        if start is None:
            raise ConfigError(f"line {index}: expected a provider block "
                              f"(provider \"ADDRESS\" {{), got {stripped[:60]!r}", file=path)
        address, first = start.group(1), index
        body: list[str] = []
        while index < len(lines) and lines[index].rstrip() != "}":
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise ConfigError(f"line {first}: the block of {address} is not closed", file=path)
        index += 1
        versions = [m.group(1) for m in map(_VERSION.match, body) if m]
        if len(versions) != 1:
            raise ConfigError(f"line {first}: the block of {address} must have one version",
                              file=path)
        hashes = sum(1 for item in body if _HASH.match(item))
        if hashes == 0:
            raise ConfigError(f"line {first}: the block of {address} has no checksums "
                              f"(hashes); run {LOCK_COMMAND}", file=path)
        if address in providers:
            raise ConfigError(f"line {first}: {address} is locked twice", file=path)
        providers[address] = LockedProvider(
            address, versions[0], "\n".join([line, *body, "}"]) + "\n", hashes)
    return providers


def stack_lock(locked: Mapping[str, LockedProvider],
               required: Mapping[str, Mapping[str, str]], *, lock_file: Path,
               stack: str) -> str:
    """The lock file of a stack that requires ``required`` (its ``required_providers``).

    ConfigError naming the lock file, the stack and the provider when the lock has no
    entry for a provider, locks another version, or the stack asks for a range (a
    fleetform stack pins each provider exactly).
    """
    blocks = {}
    for name, requirement in sorted(required.items()):
        source = requirement.get("source", name)
        address = provider_address(source)
        wanted = _EXACT.match(requirement.get("version", "").strip())
        if wanted is None:
            raise ConfigError(f"stack {stack} requires {source} "
                              f"{requirement.get('version', '(any version)')!r}: a locked "
                              "stack pins one exact version", file=lock_file)
        entry = locked.get(address)
        if entry is None:
            raise ConfigError(f"has no entry for {address}, which stack {stack} requires "
                              f"({wanted.group(1)}): run {LOCK_COMMAND}", file=lock_file)
        if entry.version != wanted.group(1):
            raise ConfigError(f"locks {address} {entry.version}, and stack {stack} requires "
                              f"{wanted.group(1)}: run {LOCK_COMMAND}", file=lock_file)
        blocks[address] = entry.block
    return HEADER + "".join(f"\n{blocks[address]}" for address in sorted(blocks))


def write_stack_locks(stacks_dir: Path, names: list[str], locked: Mapping[str, LockedProvider],
                      *, lock_file: Path) -> None:
    """Each synthesized stack's lock file, beside its ``cdk.tf.json``."""
    import json

    for name in names:
        directory = stacks_dir / name
        document = json.loads((directory / "cdk.tf.json").read_text(encoding="utf-8"))
        required = document.get("terraform", {}).get("required_providers", {})
        (directory / LOCK_FILE).write_text(
            stack_lock(locked, required, lock_file=lock_file, stack=name), encoding="utf-8")
