"""examples/: consumer apps synthesized as a user runs them (python main.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


#: Installed here (the tools extra, development dependencies) but not by `pip install
#: fleetform`: the examples run as if they were missing, as on a core install.
NOT_IN_CORE = ("pydantic", "jsonschema", "helm_python", "kubernetes_validate", "rich",
               "cdktf_cdktf_provider_digitalocean", "cdktf_cdktf_provider_kubernetes")
CORE_ONLY = ("import runpy, sys\n"
             f"for name in {NOT_IN_CORE!r}:\n"
             "    sys.modules[name] = None  # importing it raises ModuleNotFoundError\n"
             "sys.argv = sys.argv[1:]\n"
             "runpy.run_path(sys.argv[0], run_name='__main__')\n")


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """Stack name -> synthesized JSON, for every example, run with the core install's packages."""
    stacks = {}
    for app in sorted((ROOT / "examples").glob("*/main.py")):
        out = tmp_path_factory.mktemp(app.parent.name)
        run = subprocess.run([sys.executable, "-c", CORE_ONLY, str(app), "--out", str(out)],
                             cwd=app.parent, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
        for path in out.glob("stacks/*/cdk.tf.json"):
            stacks[path.parent.name] = json.loads(path.read_text())
    return stacks


def test_every_example_synthesizes(synthesized):
    assert set(synthesized) == {"eks-prod", "doks-argocd"}


def test_eks_registration_takes_everything_from_variables(synthesized):
    stack = synthesized["eks-prod"]
    (kubernetes,) = stack["provider"]["kubernetes"]
    assert kubernetes["host"] == "${var.eks_endpoint}"
    assert kubernetes["cluster_ca_certificate"] == "${var.eks_ca_certificate}"
    assert kubernetes["token"] == "${var.eks_token}"
    assert stack["variable"]["eks_token"]["sensitive"] is True
    (cluster,) = stack["resource"]["argocd_cluster"].values()
    assert cluster["server"] == "${var.eks_endpoint}"
    assert cluster["metadata"][0]["labels"] == {"global": "true", "production": "true"}
    # Argo CD keeps the argocd-manager ServiceAccount's token, not the EKS one.
    assert "var.eks_token" not in json.dumps(cluster)
    (argocd,) = stack["provider"]["argocd"]
    assert argocd["grpc_web"] is True


def test_doks_cluster_with_argocd(synthesized):
    stack = synthesized["doks-argocd"]
    (cluster,) = stack["resource"]["digitalocean_kubernetes_cluster"].values()
    assert cluster["name"] == "platform" and cluster["region"] == "ams3"
    assert cluster["maintenance_policy"] == {"day": "sunday", "start_time": "03:00"}
    releases = {r["chart"]: r for r in stack["resource"]["helm_release"].values()}
    assert set(releases) == {"argo-cd", "argocd-apps"}
    assert "label-platform" in releases["argocd-apps"]["values"][0]
    assert "argocd_account_token" in stack["resource"]
    assert stack["output"]["automation_token"]["sensitive"] is True
