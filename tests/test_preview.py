"""fleetform preview: what deploys where, as the ApplicationSets select it, and the diagram."""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as ET

import pytest
from support.fleets import CLUSTERS, EXAMPLE_PROJECT
from test_validate import add_worker, run_cli

from fleetform.constructs.applicationsets import applicationset
from fleetform.commands.preview.diagram import Graph, Node, mermaid, svg
from fleetform.commands.preview import build_preview

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def example():
    return build_preview(CLUSTERS)


def placements(preview) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in preview.rows:
        out.setdefault(row.deployment.app.name, []).append(row.cluster)
    return out


def test_global_apps_go_everywhere_the_others_where_labelled(example):
    assert placements(example) == {
        "cert-manager": ["do-management", "do-production"],
        "ingress-nginx": ["do-management", "do-production"],
        "argocd-ingress": ["do-management"],
        "microservice-01": ["do-production"],
    }


def test_rows_carry_namespace_chart_and_value_files(example):
    rows = {(r.cluster, r.deployment.app.name): r for r in example.rows}

    argocd = rows[("do-management", "argocd-ingress")]
    assert argocd.deployment.application == "do-management-argocd-ingress"
    assert argocd.deployment.app.namespace == "argocd"
    assert (argocd.chart, argocd.version) == ("argocd-ingress", "0.2.0")
    assert [(f.path, f.exists) for f in argocd.deployment.value_files] == [
        ("manifests/management/apps/argocd/argocd-ingress/values.yaml", True),
        ("manifests/management/values/do-management/argocd-ingress/values.yaml", True)]
    assert argocd.cluster_values == {"enabled": True, "hostname": "argocd.example.com"}

    nginx = rows[("do-production", "ingress-nginx")]
    assert nginx.deployment.app.namespace == "ingress"
    assert nginx.dependencies == ("ingress-nginx 4.14.1",)
    assert [f.exists for f in nginx.deployment.value_files] == [True, False]
    assert nginx.cluster_values == {}

    assert rows[("do-production", "microservice-01")].cluster_values["image"] == {"tag": "1.4.2"}


def test_value_files_are_where_the_applicationset_template_points(example):
    # The ApplicationSet names the cluster's file relative to the chart directory.
    for row in example.rows:
        d = row.deployment
        template = applicationset(d.label, d.location.repository)["spec"]["template"]
        relative = template["spec"]["source"]["helm"]["valueFiles"][1]
        chart_path = posixpath.relpath(d.app.directory, d.location.checkout)
        resolved = posixpath.normpath(posixpath.join(
            chart_path, relative.replace("{{ .name }}", d.cluster.name)
                                .replace("{{ .path.basename }}", d.app.name)))
        assert resolved == d.value_files[1].path
        assert template["metadata"]["name"].replace("{{ .name }}", d.cluster.name) \
            .replace("{{ .path.basename }}", d.app.name) == d.application


@pytest.mark.parametrize("value, receives", [
    ('"false"', False), ("false", False), ('""', False),
    ('"true"', True), ("true", True), ("eu-west", True),
])
def test_a_label_set_to_false_or_empty_receives_nothing(project_copy, value, receives):
    add_worker(project_copy, "do-canary", "global, production")
    file = project_copy / "clusters/do-canary/cluster.yaml"
    file.write_text(file.read_text().replace("labels: [global, production]",
                                             f"labels: {{global: 'true', production: {value}}}"))

    preview = build_preview(project_copy / "clusters")

    assert ("do-canary" in placements(preview)["microservice-01"]) is receives
    assert "do-canary" in placements(preview)["ingress-nginx"]
    edges = {(a, b) for a, b in preview.graph().edges}
    assert (("cluster:do-canary", "label:production") in edges) is receives


def _selects(selector: dict, labels: dict[str, str]) -> bool:
    """Kubernetes label selector semantics (matchExpressions), as Argo CD applies them."""
    for expression in selector["matchExpressions"]:
        key, operator = expression["key"], expression["operator"]
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator == "In" and labels.get(key) not in expression["values"]:
            return False
        if operator == "NotIn" and key in labels and labels[key] in expression["values"]:
            return False
    return True


@pytest.mark.parametrize("value", ["true", "false", "", "eu-west", "False0", None])
def test_preview_routes_exactly_as_the_applicationset_selector(project_copy, value):
    """preview/validate (routing_labels) and the generated selector agree on every value."""
    labels = "{global: 'true'" + ("" if value is None else f", production: '{value}'") + "}"
    add_worker(project_copy, "do-canary", "global")
    file = project_copy / "clusters/do-canary/cluster.yaml"
    file.write_text(file.read_text().replace("labels: [global]", f"labels: {labels}"))
    preview = build_preview(project_copy / "clusters")
    cluster = preview.fleet.clusters["do-canary"]
    production = preview.fleet.management.spec.argocd.repositories["production"]

    selector = applicationset("production", production)["spec"]["generators"][0]["matrix"][
        "generators"][0]["clusters"]["selector"]

    assert _selects(selector, dict(cluster.labels)) is \
        ("do-canary" in placements(preview)["microservice-01"])


def test_cluster_and_app_narrow_the_rows(example):
    on_production = build_preview(CLUSTERS, clusters=["do-production"])
    assert {r.cluster for r in on_production.rows} == {"do-production"}
    assert len(on_production.rows) == 3

    ingress = build_preview(CLUSTERS, apps=["argocd/argocd-ingress"])
    assert [(r.cluster, r.deployment.app.name) for r in ingress.rows] == [
        ("do-management", "argocd-ingress")]
    assert [c.name for c in ingress.clusters] == ["do-management"]

    both = build_preview(CLUSTERS, clusters=["do-management"], apps=["microservice-01"])
    assert both.rows == []


def test_cli_table(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    code, out, _ = run_cli(capsys, "preview")

    assert code == 0
    assert "6 applications on 2 clusters (do-management: 3, do-production: 3)" in out
    for text in ("do-production-microservice-01", "do-management-argocd-ingress",
                 "hostname=argocd.example.com", "image.tag=1.4.2",
                 "✓ values/do-management/argocd-ingress/values.yaml",
                 "· values/do-production/ingress-nginx/values.yaml (absent)",
                 "→ cert-manager v1.19.1"):
        assert text in out, text


def test_cli_json(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    code, out, _ = run_cli(capsys, "preview", "--format", "json", "--app", "argocd-ingress")

    doc = json.loads(out)
    assert code == 0 and doc["clusters"] == ["do-management"]
    [app] = doc["applications"]
    assert app["application"] == "do-management-argocd-ingress"
    assert app["cluster_values"] == {"enabled": True, "hostname": "argocd.example.com"}
    assert app["repository"]["path"] == "manifests/management"
    assert {n["layer"] for n in doc["graph"]["nodes"]} == {
        "Clusters", "Labels", "Repositories", "Applications"}


def edges_by_title(mmd: str) -> set[tuple[str, str]]:
    """The Mermaid edges as (first line of source, first line of target)."""
    titles = {m.group(1): m.group(2).split("<br/>")[0]
              for m in re.finditer(r'^\s+(\w+)[\[(]+"(.*?)"[\])]+$', mmd, re.M)}
    return {(titles[a], titles[b]) for a, b in re.findall(r"^\s+(\w+) --> (\w+)$", mmd, re.M)}


def test_mermaid_diagram_links_clusters_labels_repositories_apps(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)
    target = tmp_path / "fleet.mmd"

    code, out, _ = run_cli(capsys, "preview", "--diagram", str(target))

    assert code == 0 and f"diagram written to {target}" in out
    text = target.read_text()
    assert text.startswith("flowchart LR\n")
    assert edges_by_title(text) == {
        ("do-management", "global"), ("do-management", "management"),
        ("do-production", "global"), ("do-production", "production"),
        ("global", "fleetform.git"), ("management", "fleetform.git"),
        ("production", "fleetform.git"),
        ("fleetform.git", "cert-manager"), ("fleetform.git", "ingress-nginx"),
        ("fleetform.git", "argocd-ingress"), ("fleetform.git", "microservice-01"),
    }
    assert "argocd-ingress<br/>ns argocd · chart 0.2.0<br/>values for do-management" in text


def test_mermaid_on_stdout_for_one_cluster(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)

    code, out, _ = run_cli(capsys, "preview", "--cluster", "do-production", "--diagram", "-")

    assert code == 0
    edges = edges_by_title(out)
    assert ("do-production", "production") in edges
    assert not any("do-management" in e or "argocd-ingress" in e for e in edges)


def test_svg_is_a_layered_left_to_right_image(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_PROJECT)
    target = tmp_path / "fleet.svg"

    code, _, _ = run_cli(capsys, "preview", "--diagram", str(target))

    assert code == 0
    root = ET.parse(target).getroot()
    assert root.tag == f"{SVG}svg"
    boxes = []
    for group in root.iter(f"{SVG}g"):
        rect = group.find(f"{SVG}rect")
        texts = [t.text for t in group.findall(f"{SVG}text")]
        if rect is not None and texts:
            boxes.append((texts[0], *(float(rect.get(k)) for k in ("x", "y", "width", "height"))))
    by_title = {b[0]: b for b in boxes}
    assert len(boxes) == 12  # 2 clusters, 3 labels, 3 repositories, 4 apps
    # Columns left to right: cluster < label < repository < app, without overlaps.
    assert by_title["do-production"][1] < by_title["production"][1] < \
        by_title["microservice-01"][1]
    assert by_title["global"][1] + by_title["global"][3] < by_title["fleetform.git"][1]
    for a in boxes:
        for b in boxes:
            if a is not b and a[1] == b[1]:  # same column
                assert a[2] + a[4] <= b[2] or b[2] + b[4] <= a[2], (a[0], b[0])
    # Every box is wide enough for its longest line (monospace: 0.6 em a character).
    for group in root.iter(f"{SVG}g"):
        rect = group.find(f"{SVG}rect")
        if rect is not None:
            longest = max(len(t.text) for t in group.findall(f"{SVG}text"))
            assert float(rect.get("width")) >= longest * 12 * 0.6


def test_svg_orders_a_column_by_its_parents_to_avoid_crossings():
    graph = Graph(["A", "B"])
    for name in ("a1", "a2"):
        graph.add(Node(name, 0, [name]))
    graph.add(Node("b-of-a2", 1, ["b-of-a2"]))
    graph.add(Node("b-of-a1", 1, ["b-of-a1"]))
    graph.link("a1", "b-of-a1")
    graph.link("a2", "b-of-a2")

    ys = {m.group(2): float(m.group(1)) for m in re.finditer(
        r'<rect x="[\d.]+" y="([\d.]+)".*?\n<text[^>]*>([\w-]+)<', svg(graph))}

    assert ys["a1"] < ys["a2"] and ys["b-of-a1"] < ys["b-of-a2"]
    assert mermaid(graph).index("b-of-a1") < mermaid(graph).index("b-of-a2")


def test_svg_escapes_text():
    graph = Graph(["A"])
    graph.add(Node("x", 0, ["<a & b>"], tooltip='"quoted"'))

    root = ET.fromstring(svg(graph, title="t & u"))

    assert [t.text for t in root.iter(f"{SVG}text")] == ["t & u", "A", "<a & b>"]
