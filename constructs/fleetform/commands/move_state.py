"""``fleetform move-state OLD NEW``: give a renamed cluster its old Terraform state.

A cluster's state is named after its directory. Renaming ``clusters/OLD/`` to
``clusters/NEW/`` without moving the state would plan a second cluster and
leave the first one running with an orphaned state; ``changed`` and
``pipeline`` stop on such a rename until it is recorded as done (README:
"Renaming a cluster").

* local state (default): ``terraform.OLD.tfstate`` (and its ``.backup``) in the
  project directory becomes ``terraform.NEW.tfstate``;
* GitLab-managed state (``FLEETFORM_STATE=gitlab`` or ``--state gitlab``): the
  state ``OLD`` is locked, copied to ``NEW`` (which must not exist), read back
  and compared, unlocked, then deleted. Credentials as for Terraform:
  ``TF_HTTP_USERNAME`` / ``TF_HTTP_PASSWORD`` (a token allowed to manage
  Terraform state: the Maintainer role), and ``FLEETFORM_GITLAB_API_URL`` /
  ``FLEETFORM_GITLAB_PROJECT_ID`` (in CI: ``CI_API_V4_URL`` / ``CI_PROJECT_ID``).

Nothing is written when a check fails; the state's content is never printed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Mapping

from ..errors import ConfigError
from ..fleet.config import DNS1123_LABEL
from ..fleet.state import BACKENDS, gitlab_state_address
from ..integrations.terraform_state import StateClient


def _check_name(name: str, field: str) -> None:
    if not DNS1123_LABEL.fullmatch(name) or len(name) > 63:
        raise ConfigError(f"must be a cluster name (a DNS-1123 label), got {name!r}",
                          field=field)


def move_local(root: Path, old: str, new: str) -> Path:
    """Rename ``terraform.OLD.tfstate`` (and its backup) to ``terraform.NEW.tfstate``."""
    source, target = root / f"terraform.{old}.tfstate", root / f"terraform.{new}.tfstate"
    if not source.is_file():
        raise ConfigError(f"no local state for {old} here (expected {source.name}; "
                          "GitLab-managed state: --state gitlab)", file=source)
    for path in (target, target.with_name(target.name + ".backup")):
        if path.exists() or path.is_symlink():
            raise ConfigError(f"already exists: moving {old}'s state would overwrite it",
                              file=path)
    backup = source.with_name(source.name + ".backup")
    try:
        os.rename(source, target)
        if backup.is_file():
            os.rename(backup, target.with_name(target.name + ".backup"))
    except OSError as exc:
        raise ConfigError(f"cannot be moved ({exc.strerror})", file=source) from None
    return target


def move_gitlab(env: Mapping[str, str], old: str, new: str) -> str:
    """Copy GitLab-managed state ``old`` to ``new`` under ``old``'s lock, then delete ``old``."""
    api_url = env.get("FLEETFORM_GITLAB_API_URL") or env.get("CI_API_V4_URL") or ""
    project = env.get("FLEETFORM_GITLAB_PROJECT_ID") or env.get("CI_PROJECT_ID") or ""
    if not api_url.startswith(("http://", "https://")) or not project:
        raise ConfigError("GitLab state needs FLEETFORM_GITLAB_API_URL and "
                          "FLEETFORM_GITLAB_PROJECT_ID (in GitLab CI: CI_API_V4_URL, "
                          "CI_PROJECT_ID)", file="environment", field="FLEETFORM_GITLAB_API_URL")
    if not env.get("TF_HTTP_PASSWORD"):
        raise ConfigError("GitLab state needs TF_HTTP_USERNAME and TF_HTTP_PASSWORD (a token "
                          "allowed to manage Terraform state)", file="environment",
                          field="TF_HTTP_PASSWORD")
    source = StateClient(gitlab_state_address(api_url, project, old), env)
    target = StateClient(gitlab_state_address(api_url, project, new), env)
    source.lock(f"fleetform move-state {old} {new}")
    try:
        if target.get() is not None:
            raise ConfigError(f"already exists: moving {old}'s state would overwrite it",
                              file=target.address)
        state = source.get()
        if state is None:
            raise ConfigError(f"no state named {old}", file=source.address)
        target.put(state)
        if target.get() != state:
            raise ConfigError("does not read back what was written: the state of "
                              f"{old} is kept; check both in GitLab", file=target.address)
    finally:
        source.unlock()
    source.delete()
    return target.address


def move_state(root: Path, old: str, new: str, *, state: str | None,
               env: Mapping[str, str]) -> tuple[Literal["local", "gitlab"], str]:
    """Move cluster ``old``'s state to ``new``: the backend used and where the state now is.

    ``state`` is the backend (None: ``FLEETFORM_STATE`` in ``env``, else local).
    """
    _check_name(old, "OLD")
    _check_name(new, "NEW")
    if old == new:
        raise ConfigError("must differ from OLD", field="NEW")
    kind = state or env.get("FLEETFORM_STATE") or "local"
    if kind == "local":
        return "local", str(move_local(root, old, new))
    if kind == "gitlab":
        return "gitlab", move_gitlab(env, old, new)
    raise ConfigError(f"must be one of {', '.join(BACKENDS)}, got {kind!r}",
                      file="environment", field="FLEETFORM_STATE")

