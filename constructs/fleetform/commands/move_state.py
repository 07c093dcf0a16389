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

import argparse
import os
from pathlib import Path
from typing import Mapping

from ..errors import ConfigError
from ..fleet.config import DNS1123_LABEL
from ..fleet.state import BACKENDS, gitlab_state_address
from ..integrations.gitlab import ENVIRONMENT_PREFIX
from ..integrations.terraform_state import StateClient
from .changes.tree import RENAME_TRAILER


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


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Move a cluster's Terraform state to a new cluster name, for a "
                          "renamed cluster directory (local or GitLab-managed state).")
    parser.add_argument("old", metavar="OLD", help="the cluster's previous name")
    parser.add_argument("new", metavar="NEW", help="its new name (the new directory)")
    parser.add_argument("--state", choices=BACKENDS, default=None,
                        help="where the state is (default: FLEETFORM_STATE, else local)")
    parser.add_argument("-C", "--root", default=".", type=Path, metavar="DIR",
                        help="project directory, which holds local state (default: .)")


def run(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    _check_name(args.old, "OLD")
    _check_name(args.new, "NEW")
    if args.old == args.new:
        raise ConfigError("must differ from OLD", field="NEW")
    kind = args.state or env.get("FLEETFORM_STATE") or "local"
    if kind not in BACKENDS:
        raise ConfigError(f"must be one of {', '.join(BACKENDS)}, got {kind!r}",
                          file="environment", field="FLEETFORM_STATE")
    where = str(move_local(args.root, args.old, args.new)) if kind == "local" \
        else move_gitlab(env, args.old, args.new)
    print(f"moved the state of {args.old} to {args.new} ({where})")
    print(f"next: commit the rename with the trailer '{RENAME_TRAILER}: {args.old} -> "
          f"{args.new}'" + (f", and stop the environment {ENVIRONMENT_PREFIX}{args.old} "
                            "in GitLab (Operate > Environments)" if kind == "gitlab" else ""))
    return 0
