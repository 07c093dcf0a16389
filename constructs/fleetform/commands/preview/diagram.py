"""Layered left-to-right diagrams as Mermaid text or a self-contained SVG.

A :class:`Graph` has columns (layers) of nodes and edges between consecutive
columns. :func:`mermaid` writes it as a Mermaid flowchart; :func:`svg` lays it
out itself (no renderer needed): one column per layer, nodes ordered by the
average position of their parents to keep edges from crossing, curved edges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

#: Node style per layer: (fill, stroke) — clusters, labels, repositories, apps.
PALETTE = [("#e8f0fe", "#3b6fd6"), ("#fff4e0", "#d98a00"), ("#eaf7ee", "#2f9d57"),
           ("#f4ecfb", "#8a4fc9")]
FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
FONT_SIZE = 12
CHAR_WIDTH = FONT_SIZE * 0.6  # monospace advance
LINE_HEIGHT = 16
PAD_X, PAD_Y = 10, 8
NODE_GAP = 14
COLUMN_GAP = 90
MARGIN = 24
HEADER = 28


@dataclass
class Node:
    """A box: ``lines[0]`` is its title (bold), the rest details; ``tooltip`` on hover."""

    id: str
    layer: int
    lines: list[str]
    tooltip: str = ""


@dataclass
class Graph:
    """Columns titled ``layers``; edges go from a node to one in a later column."""

    layers: list[str]
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)

    def add(self, node: Node) -> Node:
        return self.nodes.setdefault(node.id, node)

    def link(self, source: str, target: str) -> None:
        if (source, target) not in self.edges:
            self.edges.append((source, target))

    def column(self, layer: int) -> list[Node]:
        return [n for n in self.nodes.values() if n.layer == layer]


def _letter(title: str) -> str:
    return (re.sub(r"[^a-z]", "", title.lower()) or "n")[0]


def _mermaid_text(lines: list[str]) -> str:
    text = "<br/>".join(lines)
    return text.replace('"', "#quot;")


def mermaid(graph: Graph) -> str:
    """The graph as a Mermaid ``flowchart LR``, one subgraph per column."""
    shapes = [("[", "]"), ("([", "])"), ("[(", ")]"), ("[", "]")]
    columns = _ordered(graph)
    # Short stable ids: the column's letter and the node's position in it.
    ids = {node.id: f"{_letter(graph.layers[layer])}{i + 1}"
           for layer, col in enumerate(columns) for i, node in enumerate(col)}
    out = ["flowchart LR"]
    for layer, title in enumerate(graph.layers):
        out.append(f'  subgraph layer{layer}["{title}"]')
        for node in columns[layer]:
            left, right = shapes[layer % len(shapes)]
            out.append(f'    {ids[node.id]}{left}"{_mermaid_text(node.lines)}"{right}')
        out.append("  end")
    for source, target in graph.edges:
        out.append(f"  {ids[source]} --> {ids[target]}")
    for layer in range(len(graph.layers)):
        fill, stroke = PALETTE[layer % len(PALETTE)]
        out.append(f"  classDef layer{layer} fill:{fill},stroke:{stroke}")
        members = [ids[n.id] for n in graph.column(layer)]
        if members:
            out.append(f"  class {','.join(members)} layer{layer}")
    return "\n".join(out) + "\n"


def _ordered(graph: Graph) -> list[list[Node]]:
    """Nodes per column; each column sorted by the mean rank of its parents (barycenter)."""
    parents: dict[str, list[str]] = {}
    for source, target in graph.edges:
        parents.setdefault(target, []).append(source)
    columns: list[list[Node]] = []
    rank: dict[str, float] = {}
    for layer in range(len(graph.layers)):
        nodes = graph.column(layer)
        if layer == 0:
            ordered = nodes  # the caller's order (e.g. management cluster first)
        else:
            def key(node: Node, _nodes=nodes) -> tuple[float, int]:
                ranks = [rank[p] for p in parents.get(node.id, []) if p in rank]
                mean = sum(ranks) / len(ranks) if ranks else float("inf")
                return (mean, _nodes.index(node))
            ordered = sorted(nodes, key=key)
        for i, node in enumerate(ordered):
            rank[node.id] = i
        columns.append(ordered)
    return columns


def _size(node: Node) -> tuple[float, float]:
    width = max(len(line) for line in node.lines) * CHAR_WIDTH + 2 * PAD_X
    return width, len(node.lines) * LINE_HEIGHT + 2 * PAD_Y


def svg(graph: Graph, *, title: str = "") -> str:
    """The graph as a standalone SVG document (layered, left to right)."""
    columns = _ordered(graph)
    widths = [max([_size(n)[0] for n in col] + [len(graph.layers[i]) * CHAR_WIDTH])
              for i, col in enumerate(columns)]
    heights = [sum(_size(n)[1] for n in col) + NODE_GAP * max(len(col) - 1, 0)
               for col in columns]
    body_height = max(heights + [0])
    top = MARGIN + HEADER + (LINE_HEIGHT if title else 0)
    boxes: dict[str, tuple[float, float, float, float]] = {}
    x = MARGIN
    for i, col in enumerate(columns):
        y = top + (body_height - heights[i]) / 2
        for node in col:
            _, h = _size(node)
            boxes[node.id] = (x, y, widths[i], h)
            y += h + NODE_GAP
        x += widths[i] + COLUMN_GAP
    total_width = x - COLUMN_GAP + MARGIN
    total_height = top + body_height + MARGIN

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0f}" '
           f'height="{total_height:.0f}" viewBox="0 0 {total_width:.0f} {total_height:.0f}" '
           f'font-family="{FONT}" font-size="{FONT_SIZE}">',
           f"<title>{escape(title or 'diagram')}</title>",
           '<rect width="100%" height="100%" fill="#ffffff"/>']
    if title:
        out.append(f'<text x="{MARGIN}" y="{MARGIN + 4}" font-size="{FONT_SIZE + 2}" '
                   f'font-weight="bold" fill="#222">{escape(title)}</text>')
    x = MARGIN
    for i, name in enumerate(graph.layers):
        out.append(f'<text x="{x + widths[i] / 2:.1f}" y="{top - 12:.1f}" text-anchor="middle" '
                   f'font-weight="bold" fill="#555">{escape(name)}</text>')
        x += widths[i] + COLUMN_GAP
    out.append('<g fill="none" stroke-width="1.4" stroke-opacity="0.8">')
    for source, target in graph.edges:
        sx, sy, sw, sh = boxes[source]
        tx, ty, _, th = boxes[target]
        x1, y1, x2, y2 = sx + sw, sy + sh / 2, tx, ty + th / 2
        bend = (x2 - x1) / 2
        stroke = PALETTE[graph.nodes[source].layer % len(PALETTE)][1]
        out.append(f'<path d="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} '
                   f'{x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" stroke="{stroke}"/>')
    out.append("</g>")
    for col in columns:
        for node in col:
            bx, by, bw, bh = boxes[node.id]
            fill, stroke = PALETTE[node.layer % len(PALETTE)]
            radius = min(bh / 2, 14) if node.layer == 1 else 6
            out.append(f'<g><title>{escape(node.tooltip or " ".join(node.lines))}</title>')
            out.append(f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bw:.1f}" height="{bh:.1f}" '
                       f'rx="{radius:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
            pill = node.layer == 1  # labels: centred text in a pill
            tx = bx + bw / 2 if pill else bx + PAD_X
            anchor = ' text-anchor="middle"' if pill else ""
            for j, line in enumerate(node.lines):
                weight = ' font-weight="bold"' if j == 0 else ' fill="#444"'
                ty = by + PAD_Y + (j + 1) * LINE_HEIGHT - 4
                out.append(f'<text x="{tx:.1f}" y="{ty:.1f}"{anchor}{weight}>{escape(line)}</text>')
            out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
