"""Least privilege in the synthesized management stack: what Argo CD's RBAC grants.

The argo-cd chart values are read from the management stack synthesized from
``cluster.yaml`` (``helm_release`` of chart ``argo-cd``, ``values[0]``), so these hold
for what Terraform actually installs, not only for the construct in isolation.
"""

from __future__ import annotations

import csv
import fnmatch
import io

import pytest
import yaml
from support.fleets import resources, synth_stacks

AUTOMATION = "automation"
CLUSTER_ACTIONS = {"get", "create", "update", "delete"}


def argocd_values(stack: dict) -> dict:
    (release,) = [r for r in resources(stack, "helm_release").values() if r["chart"] == "argo-cd"]
    (values,) = release["values"]
    return yaml.safe_load(values)


def policy_rules(values: dict) -> list[list[str]]:
    """The rows of ``policy.csv``, as Argo CD's Casbin reads them (CSV, spaces trimmed)."""
    text = values["configs"]["rbac"]["policy.csv"]
    rows = csv.reader(io.StringIO(text), skipinitialspace=True)
    return [[cell.strip() for cell in row] for row in rows if row and row[0].strip()]


@pytest.fixture(scope="module")
def management(example_stacks) -> dict:
    return example_stacks["do-management"]


@pytest.fixture(scope="module")
def values(management) -> dict:
    return argocd_values(management)


def test_automation_account_may_only_manage_clusters(values):
    rules = policy_rules(values)
    grants = [r for r in rules if r[0] == "g"]
    policies = [r for r in rules if r[0] == "p"]

    assert {r[0] for r in rules} <= {"p", "g"}
    assert len(grants) == 1
    (_, subject, role) = grants[0]
    assert subject == AUTOMATION
    assert not role.startswith(("role:admin", "role:readonly"))  # no built-in role
    assert policies, "the automation role has no permission at all"
    for rule in policies:
        assert len(rule) == 6, rule
        _, who, resource, action, obj, effect = rule
        assert who == role, f"a policy for {who}: only the automation role gets permissions"
        assert resource == "clusters" and effect in ("allow", "deny"), rule
        assert action in CLUSTER_ACTIONS, rule
    assert {r[3] for r in policies if r[5] == "allow"} == CLUSTER_ACTIONS


def enforce(rules: list[list[str]], action: str, obj: str) -> bool:
    """Argo CD's Casbin model for the automation role: an allow matches and no deny does
    (glob match mode, where ``*`` matches any text)."""
    matching = [r[5] for r in rules if r[0] == "p" and r[2] == "clusters" and r[3] == action
                and fnmatch.fnmatchcase(obj, r[4])]
    return "allow" in matching and "deny" not in matching


def may(rules: list[list[str]], action: str, server: str, name: str) -> bool:
    """What Argo CD's cluster API decides: ``create`` is checked against the server URL;
    get, update and delete against the server URL, then against the cluster's name."""
    if action == "create":
        return enforce(rules, action, server)
    return enforce(rules, action, server) or enforce(rules, action, name)


WORKER_SERVER = "https://8f3c1a2b-1d4e-4f5a-9b6c-7d8e9f0a1b2c.k8s.ondigitalocean.com"


@pytest.mark.parametrize("action", sorted(CLUSTER_ACTIONS))
def test_automation_account_registers_and_deregisters_workers(values, action):
    assert may(policy_rules(values), action, WORKER_SERVER, "do-production")


@pytest.mark.parametrize("action", ["create", "update", "delete"])
def test_automation_account_cannot_touch_the_in_cluster_registration(values, action):
    """The management cluster is registered as do-management at the in-cluster URL."""
    rules = policy_rules(values)

    assert not may(rules, action, "https://kubernetes.default.svc", "do-management")
    # Argo CD falls back on the name when the server is denied: the name is denied too.
    assert not enforce(rules, action, "do-management")


def test_automation_account_cannot_register_another_cluster_in_cluster(values):
    assert not may(policy_rules(values), "create", "https://kubernetes.default.svc", "x")


def test_default_policy_grants_nothing(values):
    rbac = values["configs"]["rbac"]

    assert rbac["policy.default"] == ""
    assert rbac.get("policy.matchMode", "glob") == "glob"  # no regex widening "clusters"
    assert "scopes" not in rbac


def test_automation_account_has_an_api_key_and_no_login(values, management):
    cm = values["configs"]["cm"]

    assert cm[f"accounts.{AUTOMATION}"] == "apiKey"
    assert cm[f"accounts.{AUTOMATION}.enabled"] == "true"
    assert cm["exec.enabled"] == "false"
    accounts = {k.split(".")[1] for k in cm if k.startswith("accounts.")}
    assert accounts == {AUTOMATION}
    (token,) = resources(management, "argocd_account_token").values()
    assert token["account"] == AUTOMATION


def test_admin_account_follows_admin_enabled(values, fleet_dir, tmp_path):
    assert values["configs"]["cm"]["admin.enabled"] == "true"  # the example keeps it
    file = fleet_dir / "do-management" / "cluster.yaml"
    doc = yaml.safe_load(file.read_text())
    doc["argocd"]["admin_enabled"] = False
    file.write_text(yaml.safe_dump(doc))

    stacks = synth_stacks(fleet_dir, tmp_path / "cdktf.out", names=["do-management"])

    disabled = argocd_values(stacks["do-management"])
    assert disabled["configs"]["cm"]["admin.enabled"] == "false"
    (provider,) = stacks["do-management"]["provider"]["argocd"]
    assert "username" not in provider and "password" not in provider
    assert provider["auth_token"] == "${var.argocd_management_token}"
    # Disabling admin changes nothing else in what the automation account may do.
    assert policy_rules(disabled) == policy_rules(values)
    assert disabled["configs"]["rbac"]["policy.default"] == ""
