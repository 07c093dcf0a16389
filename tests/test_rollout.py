"""Waves: a label's applications rolled out across its clusters with Argo CD's RollingSync,
checked against the strict ApplicationSet schema, the pinned chart's CRD and Argo CD
version, and refused by validate where Argo CD would leave applications unsynced."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from support.fleets import CLEAN_ENV, SCHEMAS, synth_stacks, write_cluster
from test_argocd_sizing import CHART, argocd_values, render
from fleetform.commands.cli import main
from fleetform.commands.validate import validate_fleet
from fleetform.constructs.applicationsets import applicationset
from fleetform.constructs.props import Repository
from fleetform.constructs.rollout import (ARGOCD_VERSION_NEEDED, PROGRESSIVE_SYNCS_PARAM,
                                          WAVE_LABEL, Rollout, RolloutStep)
from fleetform.errors import ConfigError
from fleetform.fleet.config import load_fleet

URL = "https://gitlab.example.com/acme/fleet.git"


def management(rollout: str = "") -> str:
    return textwrap.dedent(f"""\
        role: management
        region: fra1
        kubernetes_version: "1.33"
        node_pools: [{{name: default, size: s-4vcpu-8gb, count: 3}}]
        labels: [global]
        argocd:
          hostname: argocd.example.com
          repositories:
            global:
              url: {URL}
              path: manifests/global
        """) + textwrap.indent(rollout, " " * 6)


ROLLOUT = """\
rollout:
  steps: [canary, {value: "1", max_update: 1}, {value: "2", max_update: "50%"}]
"""


def worker(wave: str | None) -> str:
    labels = '{global: "true"' + (f', wave: "{wave}"' if wave else "") + "}"
    return textwrap.dedent(f"""\
        role: worker
        region: ams3
        kubernetes_version: "1.33"
        node_pools: [{{name: default, size: s-2vcpu-4gb, count: 2}}]
        labels: {labels}
        """)


def waved_fleet(tmp: Path, waves: dict[str, str | None], rollout: str = ROLLOUT) -> Path:
    clusters = tmp / "clusters"
    text = management(rollout)
    if rollout:
        text = text.replace("labels: [global]", 'labels: {global: "true", wave: canary}')
    write_cluster(clusters, "mgmt", text)
    for name, wave in waves.items():
        write_cluster(clusters, name, worker(wave))
    chart = tmp / "manifests" / "global" / "apps" / "web" / "site"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: site\nversion: 1.0.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: site}\n")
    return clusters


THREE_WAVES = {"w-1": "1", "w-2": "2", "w-3": "2"}


# --------------------------------------------------------------------------- the ApplicationSet


def waved_appset() -> dict:
    rollout = Rollout(steps=(RolloutStep("canary"), RolloutStep("1", max_update=1),
                             RolloutStep("2", max_update="50%")))
    return applicationset("global", Repository(url=URL, path="manifests/global",
                                               rollout=rollout))


def test_waves_become_rolling_sync_steps_over_the_clusters_wave_label():
    appset = waved_appset()

    assert appset["spec"]["strategy"] == {"type": "RollingSync", "rollingSync": {"steps": [
        {"matchExpressions": [{"key": WAVE_LABEL, "operator": "In", "values": ["canary"]}]},
        {"matchExpressions": [{"key": WAVE_LABEL, "operator": "In", "values": ["1"]}],
         "maxUpdate": 1},
        {"matchExpressions": [{"key": WAVE_LABEL, "operator": "In", "values": ["2"]}],
         "maxUpdate": "50%"}]}}
    template = appset["spec"]["template"]
    assert template["metadata"]["labels"][WAVE_LABEL] == '{{ index .metadata.labels "wave" }}'
    # RollingSync syncs the Applications itself: none asks for automated sync.
    assert "automated" not in template["spec"]["syncPolicy"]
    plain = applicationset("global", Repository(url=URL, path="manifests/global"))
    assert "strategy" not in plain["spec"] and "automated" in \
        plain["spec"]["template"]["spec"]["syncPolicy"]


def test_the_waved_applicationset_passes_the_strict_schema_and_the_charts_crd():
    import jsonschema

    appset = waved_appset()
    strict = json.loads((SCHEMAS / "applicationset.json").read_text())
    jsonschema.Draft7Validator(strict).validate(appset)

    import helm_python as helm

    with helm.Chart.load_archive(CHART.read_bytes()) as chart:
        crd_text = next(t for f, t in chart.render({}, name="argocd", namespace="argocd",
                                                   is_install=True).items()
                        if f.endswith("crd-applicationset.yaml"))
        app_version = chart.metadata["appVersion"]
    crd = yaml.safe_load(crd_text)
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1"]
    jsonschema.Draft7Validator(version["schema"]["openAPIV3Schema"]).validate(appset)
    # The Argo CD the pinned chart installs has progressive syncs (beta since 3.3).
    major, minor = map(int, re.match(r"v?(\d+)\.(\d+)", app_version).groups())
    assert (major, minor) >= ARGOCD_VERSION_NEEDED


def test_progressive_syncs_are_turned_on_only_when_a_repository_rolls_out_in_waves(tmp_path):
    waved = synth_stacks(waved_fleet(tmp_path / "waved", THREE_WAVES), tmp_path / "out1",
                         names=["mgmt"], env=CLEAN_ENV)["mgmt"]
    plain = synth_stacks(waved_fleet(tmp_path / "plain", {"w-1": None}, rollout=""),
                         tmp_path / "out2", names=["mgmt"], env=CLEAN_ENV)["mgmt"]

    objects = render(argocd_values(waved))
    params = objects[("ConfigMap", "argocd-cmd-params-cm")]["data"]
    assert params[PROGRESSIVE_SYNCS_PARAM] == "true"
    controller = objects[("Deployment", "argocd-applicationset-controller")]
    env = {e["name"]: e for e in controller["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["ARGOCD_APPLICATIONSET_CONTROLLER_ENABLE_PROGRESSIVE_SYNCS"]["valueFrom"][
        "configMapKeyRef"]["key"] == PROGRESSIVE_SYNCS_PARAM
    assert PROGRESSIVE_SYNCS_PARAM not in \
        render(argocd_values(plain))[("ConfigMap", "argocd-cmd-params-cm")]["data"]
    (apps,) = [r for r in waved["resource"]["helm_release"].values()
               if r["chart"] == "argocd-apps"]
    appset = yaml.safe_load(apps["values"][0])["applicationsets"]["label-global"]
    assert appset["strategy"]["type"] == "RollingSync"


# --------------------------------------------------------------------------- validate, preview


def test_a_fleet_whose_clusters_are_all_in_a_wave_validates(tmp_path):
    report = validate_fleet(waved_fleet(tmp_path, THREE_WAVES), schemas_dir=SCHEMAS)

    assert report.errors == [], report.errors
    assert report.applicationsets == 1


def test_validate_refuses_a_cluster_in_no_wave_and_a_wave_with_no_cluster(tmp_path):
    clusters = waved_fleet(tmp_path, {"w-1": "1", "w-2": None, "w-3": "3"})

    errors = sorted(str(e) for e in validate_fleet(clusters, schemas_dir=SCHEMAS).errors)

    assert errors == [
        f"{clusters}/mgmt/cluster.yaml: argocd.repositories.global.rollout.steps[2]: wave '2' "
        "has no cluster (no cluster with the label carries wave: 2): a step that selects no "
        "application; remove it, or give a cluster that wave [repository 'global']",
        f"{clusters}/w-2/cluster.yaml: labels.wave: label 'global': in no wave of the rollout "
        "(it has no 'wave' label; the waves: 'canary', '1', '2'): Argo CD would never sync "
        "its applications; give it one of the waves [repository 'global']",
        f"{clusters}/w-3/cluster.yaml: labels.wave: label 'global': in no wave of the rollout "
        "(its 'wave' label is '3'; the waves: 'canary', '1', '2'): Argo CD would never sync "
        "its applications; give it one of the waves [repository 'global']",
    ]


def test_the_wave_label_needs_no_repository_of_its_own(tmp_path):
    fleet = load_fleet(waved_fleet(tmp_path, THREE_WAVES))

    assert fleet.clusters["w-2"].labels["wave"] == "2"
    assert "wave" not in fleet.management.spec.argocd.repositories


@pytest.mark.parametrize("steps, field, message", [
    ("[]", "steps", "at least 1 item"),
    ("[canary, canary]", "steps[1].value", "wave 'canary' is listed twice"),
    ('[{value: "1", max_update: "150%"}]', "steps[0].max_update",
     "must be a number of applications (0 or more) or a percentage such as '25%', got '150%'"),
    ('[{value: "1", max_update: -1}]', "steps[0].max_update", "got -1"),
    ('[{value: "1", max_rollout: 2}]', "steps[0].max_rollout",
     "unknown key (known keys: value, max_update)"),
])
def test_a_rollout_that_cannot_be_names_the_field(tmp_path, steps, field, message):
    clusters = waved_fleet(tmp_path, {"w-1": "1"}, rollout=f"rollout:\n  steps: {steps}\n")

    with pytest.raises(ConfigError) as raised:
        load_fleet(clusters)

    text = f"{raised.value.field}: {raised.value.message}"
    assert "argocd.repositories.global.rollout" in text and field in text and message in text


def test_preview_shows_the_waves_of_each_label(tmp_path, capsys, monkeypatch):
    waved_fleet(tmp_path, THREE_WAVES)
    monkeypatch.chdir(tmp_path)

    assert main(["preview"]) == 0
    assert "label global rolls out in waves: canary (mgmt) -> 1 (w-1) -> 2 (w-2, w-3)" in \
        capsys.readouterr().out
    assert main(["preview", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["argocd"]["waves"] == {
        "global": {"canary": ["mgmt"], "1": ["w-1"], "2": ["w-2", "w-3"]}}


# --------------------------------------------------------------------------- diff


def test_diff_says_which_waves_a_change_reaches_first(tmp_path):
    from support.git_repo import GitRepo
    from fleetform.commands.diff import build_diff
    from fleetform.commands.diff.report import format_text
    from fleetform.commands.changes import changed_clusters

    repo = GitRepo(tmp_path / "fleet")
    repo.git("remote", "add", "origin", URL)
    waved_fleet(repo.path, THREE_WAVES)
    base = repo.commit("waves")
    env = {**CLEAN_ENV, "FLEETFORM_LOCK_FILE": "none"}

    repo.write("manifests/global/apps/web/site/templates/cm.yaml",
               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: site}\ndata: {v: '2'}\n")
    everywhere = repo.commit("the chart, for every cluster")
    diff = build_diff(repo.path, changed_clusters(repo.path, base), env=env, fetch=False)
    assert diff.rollouts == {"global": {"canary": ["mgmt"], "1": ["w-1"], "2": ["w-2", "w-3"]}}
    assert "rollout: label global reaches wave canary (mgmt) first, then 1 (w-1), then 2 " \
           "(w-2, w-3)" in format_text(diff)

    repo.write("manifests/global/values/w-3/site/values.yaml", "extra: true\n")
    repo.write("manifests/global/apps/web/site/templates/extra.yaml",
               "{{- if .Values.extra }}\napiVersion: v1\nkind: ConfigMap\n"
               "metadata: {name: extra}\n{{- end }}\n")
    repo.commit("w-3 only")
    diff = build_diff(repo.path, changed_clusters(repo.path, everywhere), env=env, fetch=False)
    assert diff.rollouts == {"global": {"2": ["w-3"]}}
    assert diff.to_dict()["rollouts"] == {"global": {"2": ["w-3"]}}
