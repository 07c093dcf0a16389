"""The example fleet across four clouds (``examples/four-clouds``): it synthesizes, validates,
and each cluster gets its label repositories' applications with its own values."""

from __future__ import annotations

import pytest
from support.fleets import CLEAN_ENV, ROOT, SCHEMAS, synth_stacks

FLEET = ROOT / "examples" / "four-clouds"
CLUSTER_RESOURCE = {"do-management": "digitalocean_kubernetes_cluster",
                    "do-production": "digitalocean_kubernetes_cluster",
                    "eks-production": "aws_eks_cluster",
                    "aks-production": "azurerm_kubernetes_cluster",
                    "gke-staging": "google_container_cluster"}


@pytest.fixture(scope="module")
def stacks(tmp_path_factory) -> dict[str, dict]:
    return synth_stacks(FLEET / "clusters", tmp_path_factory.mktemp("four") / "out", env=CLEAN_ENV)


def test_every_cluster_is_built_in_its_cloud_and_registered_with_its_labels(stacks):
    assert set(stacks) == set(CLUSTER_RESOURCE)
    for name, resource in CLUSTER_RESOURCE.items():
        assert resource in stacks[name]["resource"], name
    for name in set(stacks) - {"do-management"}:
        (registration,) = stacks[name]["resource"]["argocd_cluster"].values()
        assert registration["name"] == name
        assert "global" in registration["metadata"][0]["labels"]
    appsets = stacks["do-management"]["resource"]["helm_release"]
    assert any("staging" in str(release.get("values")) for release in appsets.values())


def test_the_fleet_validates_with_its_repositories_in_this_checkout():
    from fleetform.commands.validate import validate_fleet

    report = validate_fleet(FLEET / "clusters", schemas_dir=SCHEMAS)
    assert report.ok(), [str(p) for p in report.errors]


def test_each_cluster_gets_its_own_values():
    from fleetform.commands.preview import build_preview

    preview = build_preview(FLEET / "clusters", apps=["microservice-01"])
    tags = {row.cluster: (row.cluster_values or {}).get("image", {}).get("tag")
            for row in preview.rows}
    assert tags == {"do-production": "1.4.2", "eks-production": "1.4.2",
                    "aks-production": "1.4.1", "gke-staging": "1.5.0-rc.1"}

