"""do-management: DOKS + Argo CD, routing every label of the example fleet."""

import yaml
from support.fleets import only, resources


def _appsets(stack):
    release = next(r for r in resources(stack, "helm_release").values()
                   if r["chart"] == "argocd-apps")
    return yaml.safe_load(release["values"][0])["applicationsets"]


def test_management_stack_installs_argocd_on_its_own_cluster(example_stacks):
    stack = example_stacks["do-management"]

    charts = sorted(r["chart"] for r in resources(stack, "helm_release").values())
    assert charts == ["argo-cd", "argocd-apps"]
    assert only(stack, "digitalocean_kubernetes_cluster")["name"] == "do-management"
    helm = stack["provider"]["helm"][0]["kubernetes"]
    assert helm["token"].startswith("${digitalocean_kubernetes_cluster.")
    assert helm["token"].endswith(".kube_config[0].token}")


def test_one_applicationset_per_configured_label(example_stacks):
    appsets = _appsets(example_stacks["do-management"])

    assert sorted(appsets) == ["label-global", "label-management", "label-production"]
    for label in ("global", "management", "production"):
        git = appsets[f"label-{label}"]["generators"][0]["matrix"]["generators"][1]["git"]
        assert git["directories"] == [{"path": f"manifests/{label}/apps/*/*"}]


def test_in_cluster_registration_carries_global_and_management(example_stacks):
    stack = example_stacks["do-management"]
    secret = next(s for s in resources(stack, "kubernetes_secret_v1").values()
                  if s["metadata"]["labels"].get("argocd.argoproj.io/secret-type") == "cluster")

    assert {k: v for k, v in secret["metadata"]["labels"].items()
            if "argoproj" not in k} == {"global": "true", "management": "true"}


def test_outputs_secrets_are_sensitive(example_stacks):
    outputs = example_stacks["do-management"]["output"]

    for name in ("admin_password", "automation_user_token", "kubeconfig"):
        assert outputs[name]["sensitive"] is True, name
    assert outputs["argocd_url"] == {"description": "Argo CD URL",
                                     "value": "https://argocd.example.com"}
    assert "sensitive" not in outputs["endpoint"]


def test_management_cluster_and_argocd_are_protected_from_destroy(example_stacks):
    stack = example_stacks["do-management"]

    assert only(stack, "digitalocean_kubernetes_cluster")["lifecycle"]["prevent_destroy"] is True
    argocd = next(r for r in resources(stack, "helm_release").values() if r["chart"] == "argo-cd")
    assert argocd["lifecycle"] == {"prevent_destroy": True}


def test_automation_token_lifetime_comes_from_cluster_yaml(fleet_dir, tmp_path):
    import yaml
    from support.fleets import only, synth_stacks

    file = fleet_dir / "do-management" / "cluster.yaml"
    doc = yaml.safe_load(file.read_text())
    doc["argocd"]["automation_token"] = {"expires_in": "720h", "renew_before": "168h"}
    file.write_text(yaml.safe_dump(doc))

    stacks = synth_stacks(fleet_dir, tmp_path / "cdktf.out", names=["do-management"])

    token = only(stacks["do-management"], "argocd_account_token")
    assert (token["expires_in"], token["renew_before"]) == ("720h", "168h")
