"""`fleetform diff`: what a change does to stacks, routing and rendered manifests.

Every test builds a small fleet in a Git repository in a temporary directory
(a management cluster and two workers, two manifest repositories), commits a
change and compares the two commits, as a merge request pipeline does.

The expected reports are inline snapshots (inline-snapshot), each with a note of what was
reviewed in it. After a deliberate change of the report, ``./fleet test -n 0 --inline-snapshot=fix
tests/test_diff.py tests/test_diff_note.py`` rewrites them in place: review the change
against each note, and update the note.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from inline_snapshot import snapshot

from support.git_repo import GitRepo
from fleetform.commands.cli import main
from fleetform.commands.diff import build_diff
from fleetform.commands.diff.report import format_text
from fleetform.commands.changes import changed_clusters

URL = "https://gitlab.example.com/acme/fleet.git"

MANAGEMENT = f"""
role: management
region: fra1
kubernetes_version: "1.33"
node_pools: [{{name: default, size: s-2vcpu-4gb, count: 1}}]
labels: [global]
argocd:
  hostname: argocd.example.com
  repositories:
    global: {{url: "{URL}", path: manifests/global}}
    web: {{url: "{URL}", path: manifests/web}}
"""


def worker(labels: str, version: str = "1.33") -> str:
    return textwrap.dedent(f"""\
        role: worker
        region: ams3
        kubernetes_version: "{version}"
        node_pools: [{{name: default, size: s-2vcpu-4gb, count: 2}}]
        labels: {labels}
        """)


SETTINGS_TEMPLATE = """\
{{- if .Values.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  colour: {{ .Values.colour | quote }}
---
apiVersion: v1
kind: Secret
metadata:
  name: settings
stringData:
  password: {{ .Values.password | quote }}
{{- end }}
"""

SHOP_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
        - name: shop
          image: "shop:{{ .Values.tag }}"
{{- if .Values.autoscale }}
---
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .Release.Name }}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: {{ .Release.Name }}}
  minReplicas: 2
  maxReplicas: 5
{{- end }}
"""

PROJECT = {
    "clusters/mgmt/cluster.yaml": MANAGEMENT,
    "clusters/w1/cluster.yaml": worker("[global, web]"),
    "clusters/w2/cluster.yaml": worker("[global]"),
    "manifests/global/apps/base/settings/Chart.yaml":
        "apiVersion: v2\nname: settings\nversion: 1.0.0\n",
    "manifests/global/apps/base/settings/values.yaml":
        "enabled: true\ncolour: blue\npassword: hunter2-base\n",
    "manifests/global/apps/base/settings/templates/settings.yaml": SETTINGS_TEMPLATE,
    "manifests/web/apps/web/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    "manifests/web/apps/web/shop/values.yaml": "replicas: 2\ntag: '1.0'\nautoscale: false\n",
    "manifests/web/apps/web/shop/templates/shop.yaml": SHOP_TEMPLATE,
    "manifests/web/values/w1/shop/values.yaml": "tag: '1.1'\n",
}


@pytest.fixture
def fleet(tmp_path) -> GitRepo:
    """The small fleet, committed once: mgmt (global), w1 (global, web), w2 (global)."""
    repo = GitRepo(tmp_path / "fleet")
    repo.git("remote", "add", "origin", URL)  # the manifest repositories are this one
    for rel, text in PROJECT.items():
        repo.write(rel, text)
    repo.commit("fleet")
    return repo


def diff_of(repo: GitRepo, base: str, **kwargs):
    return build_diff(repo.path, changed_clusters(repo.path, base), **kwargs)


def report(repo: GitRepo, base: str, **kwargs) -> str:
    """The text report, commit hashes replaced by BASE and HEAD."""
    return redact_commits(format_text(diff_of(repo, base, **kwargs)), repo, base)


def redact_commits(text: str, repo: GitRepo, base: str) -> str:
    return text.replace(base, "BASE").replace(base[:12], "BASE") \
        .replace(repo.head()[:12], "HEAD")


# --------------------------------------------------------------------------- kinds of change


def test_a_values_change_on_one_cluster_shows_that_applications_diff_only(fleet):
    base = fleet.head()
    fleet.write("manifests/web/values/w1/shop/values.yaml", "tag: '1.2'\nreplicas: 3\n")
    fleet.commit("shop 1.2 on w1")

    diff = diff_of(fleet, base)

    assert diff.synthesized == {"base": [], "head": []}  # no stack is affected
    assert (diff.pairs_total, diff.pairs_affected, diff.renders) == (4, 1, 2)
    # Reviewed: only w1-shop differs (the values file is w1's own), rendered once a side;
    # replicas 2 -> 3 and the image 1.1 -> 1.2 are exactly the two keys the change sets,
    # and no stack changes.
    assert redact_commits(format_text(diff), fleet, base) == snapshot("""\
fleetform diff: BASE (merge base BASE) -> HEAD
stacks: no change; routing: +0 -0 application(s) on 0 cluster(s); manifests: 1 application(s) differ (1 of 4 pairs affected, 2 renders)

== w1
manifests:
  ~ w1-shop (web: web/shop, Kubernetes 1.33)
      ~ Deployment web/shop
      --- BASE/w1/w1-shop
      +++ HEAD/w1/w1-shop
      @@ -6,7 +6,7 @@
           helm.sh/chart: shop-0.1.0
         name: shop
       spec:
      -  replicas: 2
      +  replicas: 3
         selector:
           matchLabels:
             app: shop
      @@ -16,6 +16,6 @@
               app: shop
           spec:
             containers:
      -      - image: shop:1.1
      +      - image: shop:1.2
               name: shop
       ---

gates: would pass (not enforced without --gate): 0 violation(s)\
""")


def test_a_label_added_to_a_cluster_registers_it_and_routes_the_labels_apps(fleet):
    base = fleet.head()
    fleet.write("clusters/w2/cluster.yaml", worker("[global, web]"))
    fleet.commit("w2 serves the shop")

    # Reviewed: w2's registration (and its labels output) gains web = "true", in place;
    # 120E602F is cdktf's hash of the construct path argo-cluster/registration, the same
    # in every worker stack (a change of it would move state). w2-shop is new: one render,
    # the head's, with the chart's default values (w2 has no values file of its own).
    assert report(fleet, base) == snapshot("""\
fleetform diff: BASE (merge base BASE) -> HEAD
stacks: 1 changed; routing: +1 -0 application(s) on 1 cluster(s); manifests: 1 application(s) differ (1 of 5 pairs affected, 1 renders)

== w2
stack changed: 2 changed
  ~ argocd_cluster.argo-cluster_registration_120E602F
      metadata[0].labels.web: (absent) -> "true"
  ~ output.argocd_cluster_labels
      value.web: (absent) -> "true"
applications:
  + w2-shop (web: web/shop): label web added to the cluster
manifests:
  + w2-shop (web: web/shop, Kubernetes 1.33)
      + Deployment web/shop
      --- BASE/w2/w2-shop
      +++ HEAD/w2/w2-shop
      @@ -0,0 +1,21 @@
      +# Deployment web/shop
      +apiVersion: apps/v1
      +kind: Deployment
      +metadata:
      +  labels:
      +    helm.sh/chart: shop-0.1.0
      +  name: shop
      +spec:
      +  replicas: 2
      +  selector:
      +    matchLabels:
      +      app: shop
      +  template:
      +    metadata:
      +      labels:
      +        app: shop
      +    spec:
      +      containers:
      +      - image: shop:1.0
      +        name: shop
      +---

gates: would pass (not enforced without --gate): 0 violation(s)\
""")


def test_an_app_removed_from_a_repository_is_lost_on_every_cluster_with_the_label(fleet):
    base = fleet.head()
    fleet.remove("manifests/global/apps/base/settings")
    fleet.commit("no more settings")

    # Reviewed: settings leaves every cluster carrying global (mgmt, w1, w2), rendered
    # once (the base side; the three share their values), the later two pointing at the
    # first; three clusters losing applications is past the base's gate limit of 2.
    assert report(fleet, base) == snapshot("""\
fleetform diff: BASE (merge base BASE) -> HEAD
stacks: no change; routing: +0 -3 application(s) on 3 cluster(s); manifests: 3 application(s) differ (3 of 4 pairs affected, 1 renders)

== mgmt
applications:
  - mgmt-settings (global: base/settings): app removed from repository global
manifests:
  - mgmt-settings (global: base/settings, Kubernetes 1.33)
      - ConfigMap base/settings
      - Secret base/settings
      --- BASE/mgmt/mgmt-settings
      +++ HEAD/mgmt/mgmt-settings
      @@ -1,16 +0,0 @@
      -# ConfigMap base/settings
      -apiVersion: v1
      -data:
      -  colour: blue
      -kind: ConfigMap
      -metadata:
      -  name: settings
      ----
      -# Secret base/settings
      -apiVersion: v1
      -kind: Secret
      -metadata:
      -  name: settings
      -stringData:
      -  password: (redacted)
      ----

== w1
applications:
  - w1-settings (global: base/settings): app removed from repository global
manifests:
  - w1-settings (global: base/settings, Kubernetes 1.33)
      the same change as mgmt-settings on mgmt

== w2
applications:
  - w2-settings (global: base/settings): app removed from repository global
manifests:
  - w2-settings (global: base/settings, Kubernetes 1.33)
      the same change as mgmt-settings on mgmt

gate clusters-losing-apps: applications removed from 3 clusters (mgmt, w1, w2); the limit is 2 (gates.max_clusters_losing_apps, clusters/mgmt/cluster.yaml of the base)
gates: would fail (not enforced without --gate): 1 violation(s)\
""")


def test_a_chart_version_bump_changes_the_manifests_of_every_cluster_running_it(fleet):
    base = fleet.head()
    fleet.write("manifests/web/apps/web/shop/Chart.yaml",
                "apiVersion: v2\nname: shop\nversion: 0.2.0\n")
    fleet.commit("shop chart 0.2.0")

    # Reviewed: only the chart label changes (shop-0.1.0 -> shop-0.2.0), on the one cluster
    # carrying web; routing and stacks do not change.
    assert report(fleet, base) == snapshot("""\
fleetform diff: BASE (merge base BASE) -> HEAD
stacks: no change; routing: +0 -0 application(s) on 0 cluster(s); manifests: 1 application(s) differ (1 of 4 pairs affected, 2 renders)

== w1
manifests:
  ~ w1-shop (web: web/shop, Kubernetes 1.33)
      ~ Deployment web/shop
      --- BASE/w1/w1-shop
      +++ HEAD/w1/w1-shop
      @@ -3,7 +3,7 @@
       kind: Deployment
       metadata:
         labels:
      -    helm.sh/chart: shop-0.1.0
      +    helm.sh/chart: shop-0.2.0
         name: shop
       spec:
         replicas: 2

gates: would pass (not enforced without --gate): 0 violation(s)\
""")


def test_a_kubernetes_version_bump_exposes_an_api_the_new_version_removed(fleet):
    fleet.write("clusters/w1/cluster.yaml", worker("[global, web]", "1.25"))
    fleet.write("manifests/web/values/w1/shop/values.yaml", "tag: '1.1'\nautoscale: true\n")
    base = fleet.commit("w1 on 1.25, autoscaled")
    fleet.write("clusters/w1/cluster.yaml", worker("[global, web]", "1.26"))
    fleet.commit("w1 to 1.26")

    # Reviewed: the stack's one change is the DOKS versions data source's prefix
    # (171C64E5: cdktf's hash of doks/versions); both of w1's applications render again at
    # each side's version (2 pairs, 4 renders) and only the shop's HorizontalPodAutoscaler,
    # autoscaling/v2beta2, is not served by 1.26: reported on the object and as a gate.
    assert report(fleet, base) == snapshot("""\
fleetform diff: BASE (merge base BASE) -> HEAD
stacks: 1 changed; routing: +0 -0 application(s) on 0 cluster(s); manifests: 1 application(s) differ (2 of 4 pairs affected, 4 renders)

== w1
stack changed: 1 changed
  ~ data.digitalocean_kubernetes_versions.doks_versions_171C64E5
      version_prefix: "1.25." -> "1.26."
manifests:
  ~ w1-shop (web: web/shop, Kubernetes 1.25 -> 1.26)
      Kubernetes 1.26 does not serve autoscaling/v2beta2 HorizontalPodAutoscaler web/shop: removed in 1.26 (served until 1.25)

gate removed-api: w1-shop on w1 (web: web/shop): Kubernetes 1.26 does not serve autoscaling/v2beta2 HorizontalPodAutoscaler web/shop: removed in 1.26 (served until 1.25)
gates: would fail (not enforced without --gate): 1 violation(s)\
""")


def test_a_cluster_added_and_one_removed(fleet):
    base = fleet.head()
    fleet.remove("clusters/w2")
    fleet.write("clusters/w3/cluster.yaml", worker("[web]"))
    fleet.commit("w3 replaces w2")

    # Reviewed: w2's stack goes with its six resources and w3's comes with the same six
    # (the same construct paths give the same hashes in every worker stack); w2 loses
    # settings, w3 (web only) gains the shop; a removed stack is the removed-cluster gate.
    assert report(fleet, base) == snapshot("""\
fleetform diff: BASE (merge base BASE) -> HEAD
stacks: 1 added, 1 removed; routing: +1 -1 application(s) on 2 cluster(s); manifests: 2 application(s) differ (2 of 5 pairs affected, 2 renders)

== w2
stack removed: 6 resource(s)
  - argocd_cluster.argo-cluster_registration_120E602F
  - digitalocean_kubernetes_cluster.doks_cluster_E4D6AF1C
  - kubernetes_cluster_role_binding_v1.argo-cluster_cluster-role-binding_A6AB03FA
  - kubernetes_cluster_role_v1.argo-cluster_cluster-role_930D4459
  - kubernetes_secret_v1.argo-cluster_token_EF502C51
  - kubernetes_service_account_v1.argo-cluster_service-account_0B0229D1
applications:
  - w2-settings (global: base/settings): cluster removed
manifests:
  - w2-settings (global: base/settings, Kubernetes 1.33)
      - ConfigMap base/settings
      - Secret base/settings
      --- BASE/w2/w2-settings
      +++ HEAD/w2/w2-settings
      @@ -1,16 +0,0 @@
      -# ConfigMap base/settings
      -apiVersion: v1
      -data:
      -  colour: blue
      -kind: ConfigMap
      -metadata:
      -  name: settings
      ----
      -# Secret base/settings
      -apiVersion: v1
      -kind: Secret
      -metadata:
      -  name: settings
      -stringData:
      -  password: (redacted)
      ----

== w3
stack added: 6 resource(s)
  + argocd_cluster.argo-cluster_registration_120E602F
  + digitalocean_kubernetes_cluster.doks_cluster_E4D6AF1C
  + kubernetes_cluster_role_binding_v1.argo-cluster_cluster-role-binding_A6AB03FA
  + kubernetes_cluster_role_v1.argo-cluster_cluster-role_930D4459
  + kubernetes_secret_v1.argo-cluster_token_EF502C51
  + kubernetes_service_account_v1.argo-cluster_service-account_0B0229D1
applications:
  + w3-shop (web: web/shop): new cluster
manifests:
  + w3-shop (web: web/shop, Kubernetes 1.33)
      + Deployment web/shop
      --- BASE/w3/w3-shop
      +++ HEAD/w3/w3-shop
      @@ -0,0 +1,21 @@
      +# Deployment web/shop
      +apiVersion: apps/v1
      +kind: Deployment
      +metadata:
      +  labels:
      +    helm.sh/chart: shop-0.1.0
      +  name: shop
      +spec:
      +  replicas: 2
      +  selector:
      +    matchLabels:
      +      app: shop
      +  template:
      +    metadata:
      +      labels:
      +        app: shop
      +    spec:
      +      containers:
      +      - image: shop:1.0
      +        name: shop
      +---

gate removed-cluster: the stack of cluster w2 is removed (clusters/w2/ is gone): retire it by hand
gates: would fail (not enforced without --gate): 1 violation(s)\
""")


# --------------------------------------------------------------------------- formats, sides


def test_working_tree_compares_uncommitted_changes_and_secrets_never_show(fleet, capsys,
                                                                           tmp_path):
    fleet.write("manifests/global/values/w2/settings/values.yaml", "password: hunter2-head\n")

    code = main(["diff", "--base", "HEAD", "--working-tree", "-C", str(fleet.path),
                 "--format", "json", "--markdown", str(tmp_path / "diff.md")])
    out = capsys.readouterr().out
    data = json.loads(out)

    assert code == 0
    assert data["head"] == "working tree"
    [pair] = data["manifests"]
    assert (pair["cluster"], pair["application"], pair["status"]) == ("w2", "w2-settings",
                                                                      "changed")
    assert pair["objects"] == [{"apiVersion": "v1", "kind": "Secret", "namespace": "base",
                                "name": "settings", "action": "change"}]
    assert "-  password: (redacted)" in pair["diff"]
    assert "+  password: (redacted, changed)" in pair["diff"]
    for text in (out, (tmp_path / "diff.md").read_text()):
        assert "hunter2" not in text


def test_committed_sides_ignore_the_working_tree(fleet):
    base = fleet.head()
    fleet.write("manifests/web/values/w1/shop/values.yaml", "tag: '9.9'\n")  # not committed

    diff = diff_of(fleet, base)

    assert (diff.pairs, diff.stacks, diff.routing) == ([], [], [])


def test_the_change_that_adds_the_first_clusters_compares_with_an_empty_fleet(tmp_path):
    repo = GitRepo(tmp_path / "fleet")
    repo.git("remote", "add", "origin", URL)
    repo.write("README.md", "# our fleet\n")
    base = repo.commit("empty")
    for rel, text in PROJECT.items():
        repo.write(rel, text)
    repo.commit("the fleet")

    diff = diff_of(repo, base)

    assert [(s.cluster, s.status) for s in diff.stacks] == [
        ("mgmt", "added"), ("w1", "added"), ("w2", "added")]
    assert {(r.cluster, a.application, a.reason) for r in diff.routing for a in r.gained} == {
        ("mgmt", "mgmt-settings", "new cluster"), ("w1", "w1-settings", "new cluster"),
        ("w1", "w1-shop", "new cluster"), ("w2", "w2-settings", "new cluster")}
    assert [(p.application, p.status) for p in diff.pairs] == [
        ("mgmt-settings", "added"), ("w1-settings", "added"), ("w1-shop", "added"),
        ("w2-settings", "added")]
    assert diff.violations == []


def test_a_terminal_gets_colours(fleet):
    base = fleet.head()
    fleet.write("manifests/web/values/w1/shop/values.yaml", "tag: '1.2'\n")
    fleet.commit("shop 1.2 on w1")

    lines = format_text(diff_of(fleet, base), colour=True).splitlines()

    assert "\033[31m      -      - image: shop:1.1\033[0m" in lines
    assert "\033[32m      +      - image: shop:1.2\033[0m" in lines
    assert "\033[1m== w1\033[0m" in lines


def test_a_repository_revision_change_shows_in_the_management_stacks_applicationset(fleet):
    base = fleet.head()
    fleet.write("clusters/mgmt/cluster.yaml", MANAGEMENT.replace(
        "web: {url: \"" + URL + "\", path: manifests/web}",
        "web: {url: \"" + URL + "\", path: manifests/web, revision: release-2}"))
    fleet.commit("web from release-2")

    lines = report(fleet, base).splitlines()

    assert lines[3:6] == ["== mgmt", "stack changed: 1 changed",
                          "  ~ helm_release.argocd_argocd-apps_57B55A3D"]
    assert "      values[0]: text changed" in lines
    assert "        -            revision: HEAD" in lines
    assert "        +            revision: release-2" in lines
    assert "        +          targetRevision: release-2" in lines


def test_a_label_removed_from_a_cluster_loses_its_apps(fleet):
    base = fleet.head()
    fleet.write("clusters/w1/cluster.yaml", worker("[global, web]").replace("[global, web]",
                                                                            "[global]"))
    fleet.write("clusters/w2/cluster.yaml", worker("[global, web]"))  # web still has a cluster
    fleet.commit("the shop moves from w1 to w2")

    diff = diff_of(fleet, base)

    assert [r.to_dict() for r in diff.routing] == [
        {"cluster": "w1", "gained": [], "lost": [
            {"application": "w1-shop", "app": "web/shop", "label": "web",
             "reason": "label web removed from the cluster"}]},
        {"cluster": "w2", "lost": [], "gained": [
            {"application": "w2-shop", "app": "web/shop", "label": "web",
             "reason": "label web added to the cluster"}]}]
    assert [(p.cluster, p.status, [o.ident for o in p.objects]) for p in diff.pairs] == [
        ("w1", "removed", ["Deployment web/shop"]), ("w2", "added", ["Deployment web/shop"])]


def test_a_repository_moved_to_another_path_says_so(fleet):
    base = fleet.head()
    fleet.write("clusters/mgmt/cluster.yaml", MANAGEMENT.replace("path: manifests/web",
                                                                 "path: manifests/store"))
    for rel, text in PROJECT.items():
        if rel.startswith("manifests/web/apps/web/shop/"):
            fleet.write(rel.replace("manifests/web/apps/web/shop/", "manifests/store/apps/web/store/"),
                        text.replace("name: shop", "name: store"))
    fleet.commit("the web label deploys manifests/store")

    [routing] = diff_of(fleet, base).routing

    reason = "repository of label web changed (path manifests/web -> manifests/store)"
    assert routing.to_dict() == {
        "cluster": "w1",
        "gained": [{"application": "w1-store", "app": "web/store", "label": "web",
                    "reason": reason}],
        "lost": [{"application": "w1-shop", "app": "web/shop", "label": "web",
                  "reason": reason}]}


def test_a_repository_outside_the_checkout_is_compared_at_each_sides_revision(
        fleet, tmp_path, monkeypatch):
    from test_repositories_fetch import CHART, CONFIGMAP, _publish, _server

    server = _server(tmp_path, monkeypatch)  # https://gitlab.com/acme/<repo>, served locally
    apps = GitRepo(tmp_path / "staging-apps")
    apps.write("apps/web/hello/Chart.yaml", CHART)
    apps.write("apps/web/hello/templates/configmap.yaml", CONFIGMAP)
    apps.write("apps/web/hello/values.yaml", "greeting: hello\n")
    apps.commit("hello")
    apps.git("tag", "v1")
    apps.write("apps/web/hello/values.yaml", "greeting: bonjour\n")
    apps.commit("bonjour")
    apps.git("tag", "v2")
    _publish(apps, server, "staging-apps.git")
    staging = '    staging: {url: "https://gitlab.com/acme/staging-apps.git", revision: v1}\n'
    fleet.write("clusters/mgmt/cluster.yaml", MANAGEMENT + staging)
    fleet.write("clusters/w2/cluster.yaml", worker("[global, staging]"))
    base = fleet.commit("w2 gets staging-apps v1")
    fleet.write("clusters/mgmt/cluster.yaml", MANAGEMENT + staging.replace("v1", "v2"))
    fleet.commit("staging-apps v2")

    [pair] = diff_of(fleet, base).pairs

    assert (pair.cluster, pair.application, [o.ident for o in pair.objects]) == (
        "w2", "w2-hello", ["ConfigMap web/hello"])
    assert [line for line in pair.diff if line.startswith(("-  ", "+  "))] == [
        "-  greeting: hello", "+  greeting: bonjour"]


def test_a_repository_that_cannot_be_read_is_left_out_with_a_warning(fleet):
    staging = '    staging: {url: "https://gitlab.com/acme/staging-apps.git", revision: v1}\n'
    fleet.write("clusters/mgmt/cluster.yaml", MANAGEMENT + staging)
    fleet.write("clusters/w2/cluster.yaml", worker("[global, staging]"))
    base = fleet.commit("w2 gets staging-apps v1")
    fleet.write("manifests/global/values/w2/settings/values.yaml", "colour: red\n")
    fleet.commit("red on w2")

    diff = diff_of(fleet, base, fetch=False)
    text = format_text(diff)

    assert diff.warnings == [
        "repository of label 'staging' not compared (repository "
        "https://gitlab.com/acme/staging-apps.git is not in this checkout and fetching is off "
        "(fetch=False): give a checkout of it for label 'staging' in overrides); its "
        "applications are left out of routing, manifests and gates"]
    assert text.splitlines()[2] == f"warning: {diff.warnings[0]}"
    assert [(p.cluster, p.application) for p in diff.pairs] == [("w2", "w2-settings")]


def test_with_no_fetch_the_warning_names_the_option(fleet, capsys):
    staging = '    staging: {url: "https://gitlab.com/acme/staging-apps.git", revision: v1}\n'
    fleet.write("clusters/mgmt/cluster.yaml", MANAGEMENT + staging)
    fleet.write("clusters/w2/cluster.yaml", worker("[global, staging]"))
    base = fleet.commit("w2 gets staging-apps v1")
    fleet.write("manifests/global/values/w2/settings/values.yaml", "colour: red\n")
    fleet.commit("red on w2")

    code = main(["diff", "--base", base, "-C", str(fleet.path), "--no-fetch",
                 "--format", "json"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == [
        "repository of label 'staging' not compared (repository "
        "https://gitlab.com/acme/staging-apps.git is not in this checkout and fetching is off "
        "(--no-fetch): pass --repo staging=DIR with DIR a checkout of it); its applications "
        "are left out of routing, manifests and gates"]


def test_helms_messages_name_the_chart_as_the_user_has_it_not_its_copy(tmp_path):
    from fleetform.render.helm import Charts

    chart = tmp_path / "repo" / "apps" / "web" / "shop"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 0.1.0\n")
    charts = Charts()
    try:
        copy = charts.copy(chart, tmp_path / "repo")
        # the copy Helm reads, named in its message, is shown as the chart's directory
        assert charts.original(f"error in {copy}/Chart.yaml", chart, "apps/web/shop") == \
            "error in apps/web/shop/Chart.yaml"
    finally:
        charts.close()
    assert not copy.exists()


def test_objects_are_known_by_argo_cds_key_and_a_cluster_scoped_kind_has_no_namespace():
    from fleetform.render.helm import object_key

    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "reader", "namespace": "ignored"}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}}

    assert object_key(role, "app") == ("rbac.authorization.k8s.io", "ClusterRole", "", "reader")
    assert object_key(service, "app") == ("", "Service", "app", "web")
    assert object_key({**service, "metadata": {"name": "web", "namespace": "other"}}, "app") \
        == ("", "Service", "other", "web")
