"""State backends: local by default, GitLab-managed state when configured."""

import json

import pytest
from cdktf import TerraformStack, Testing

from fleetform.errors import ConfigError
from fleetform.fleet.state import configure_backend

GITLAB = {"FLEETFORM_STATE": "gitlab", "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
          "CI_PROJECT_ID": "42", "TF_HTTP_PASSWORD": "glpat-SENTINEL-7c1e",
          "TF_HTTP_USERNAME": "gitlab-ci-token"}


def _backend(env):
    stack = TerraformStack(Testing.app(), "do-edge")
    configure_backend(stack, "do-edge", env)
    doc = json.loads(Testing.synth(stack))
    return doc["terraform"]["backend"], Testing.synth(stack)


def test_local_state_by_default_outside_the_output_directory():
    backend, _ = _backend({})

    assert backend == {"local": {"path": "../../../terraform.do-edge.tfstate"}}


def test_gitlab_state_one_per_cluster_with_locking():
    backend, text = _backend(GITLAB)

    http = backend["http"]
    address = "https://gitlab.example.com/api/v4/projects/42/terraform/state/do-edge"
    assert http["address"] == address
    assert http["lock_address"] == http["unlock_address"] == f"{address}/lock"
    assert (http["lock_method"], http["unlock_method"]) == ("POST", "DELETE")
    assert "SENTINEL" not in text and "password" not in http and "username" not in http


def test_gitlab_state_outside_ci_uses_fleetform_variables():
    backend, _ = _backend({"FLEETFORM_STATE": "gitlab",
                           "FLEETFORM_GITLAB_API_URL": "https://git.corp/api/v4/",
                           "FLEETFORM_GITLAB_PROJECT_ID": "platform/fleet"})

    assert backend["http"]["address"] == \
        "https://git.corp/api/v4/projects/platform%2Ffleet/terraform/state/do-edge"


def test_gitlab_state_without_api_url_is_an_error():
    with pytest.raises(ConfigError, match="FLEETFORM_GITLAB_API_URL: GitLab state needs"):
        _backend({"FLEETFORM_STATE": "gitlab", "CI_PROJECT_ID": "1"})


def test_unknown_backend_is_an_error():
    with pytest.raises(ConfigError, match="FLEETFORM_STATE: must be one of local, gitlab, got 's3'"):
        _backend({"FLEETFORM_STATE": "s3"})
