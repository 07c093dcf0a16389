"""Where each cluster's Terraform state lives: local files, or GitLab-managed state.

Local state is the default, so a new user needs no server. Setting
``FLEETFORM_STATE=gitlab`` stores each cluster's state in the GitLab project's
Terraform state (HTTP backend with locking), one state per cluster. GitLab CI
provides ``CI_API_V4_URL`` and ``CI_PROJECT_ID``; elsewhere set
``FLEETFORM_GITLAB_API_URL`` and ``FLEETFORM_GITLAB_PROJECT_ID``.

Credentials are never synthesized: Terraform reads ``TF_HTTP_USERNAME`` and
``TF_HTTP_PASSWORD`` from the environment at init time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping
from urllib.parse import quote

if TYPE_CHECKING:
    from ..cdk import TerraformBackend, TerraformStack

from ..errors import ConfigError
from ..integrations.gitlab import api_url, project_id

BACKENDS = ("local", "gitlab")


def gitlab_state_address(api_url: str, project_id: str, state_name: str) -> str:
    """The GitLab Terraform state URL of one named state."""
    return f"{api_url.rstrip('/')}/projects/{quote(project_id, safe='')}/terraform/state/" \
           f"{quote(state_name, safe='')}"


def configure_backend(stack: TerraformStack, state_name: str, env: Mapping[str, str], *,
                      local_path: str | None = None) -> TerraformBackend:
    """Attach the state backend chosen by ``env`` to ``stack``.

    ``local_path`` is the local state file relative to the stack's directory
    (default: the project directory for output in ``cdktf.out``).
    """
    # Imported here: `fleetform move-state` addresses states without loading jsii.
    from ..cdk import HttpBackend, LocalBackend

    kind = env.get("FLEETFORM_STATE", "local") or "local"
    if kind not in BACKENDS:
        raise ConfigError(f"must be one of {', '.join(BACKENDS)}, got {kind!r}",
                          file="environment", field="FLEETFORM_STATE")
    if kind == "local":
        # Terraform runs in cdktf.out/stacks/<name>/, which every synth replaces:
        # keep the state file in the project directory instead.
        return LocalBackend(stack,
                            path=local_path or f"../../../terraform.{state_name}.tfstate")
    api, project = api_url(env), project_id(env)
    if api is None:
        raise ConfigError("GitLab state needs the API URL: set FLEETFORM_GITLAB_API_URL "
                          "(or run in GitLab CI, which sets CI_API_V4_URL)",
                          file="environment", field="FLEETFORM_GITLAB_API_URL")
    if not project:
        raise ConfigError("GitLab state needs the project: set FLEETFORM_GITLAB_PROJECT_ID "
                          "(or run in GitLab CI, which sets CI_PROJECT_ID)",
                          file="environment", field="FLEETFORM_GITLAB_PROJECT_ID")
    address = gitlab_state_address(api, project, state_name)
    return HttpBackend(
        stack,
        address=address,
        lock_address=f"{address}/lock",
        unlock_address=f"{address}/lock",
        lock_method="POST",
        unlock_method="DELETE",
        retry_wait_min=5,
    )
