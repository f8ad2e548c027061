"""The lineage picture: an inline SVG, laid out on the server, in which every node links to its page.

Columns run left to right: entities and data sources, feature views, on-demand feature views, feature
services. Within a column nodes are ordered by the mean position of their inputs (one barycentre pass),
which keeps most edges short and uncrossed without a layout library or any JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

COLUMNS = [("entities", "data_sources"), ("feature_views",), ("on_demand_feature_views",), ("feature_services",)]
COLUMN_TITLES = ["Entities & data sources", "Feature views", "On-demand feature views", "Feature services"]
NODE_W, NODE_H, GAP_X, GAP_Y, PAD, HEAD = 210, 44, 90, 22, 16, 30
LABEL_CHARS = 26
KIND_LABEL = {
    "entities": "entity", "data_sources": "data source", "feature_views": "feature view",
    "on_demand_feature_views": "on-demand view", "feature_services": "feature service",
}

Node = tuple[str, str]  # (kind, name)


def _column_of(kind: str) -> int:
    for index, kinds in enumerate(COLUMNS):
        if kind in kinds:
            return index
    raise ValueError(f"no lineage column for {kind!r}")


def layout(nodes: list[Node], edges: list[tuple[Node, Node]]) -> dict[Node, tuple[int, int]]:
    """(column, row) of each node."""
    columns: list[list[Node]] = [[] for _ in COLUMNS]
    for node in nodes:
        columns[_column_of(node[0])].append(node)
    position: dict[Node, tuple[int, int]] = {}
    for index, column in enumerate(columns):
        if index == 0:
            # entities first, then sources, each alphabetical
            column.sort(key=lambda n: (n[0] != "entities", n[1]))
        else:
            def weight(node: Node) -> float:
                rows = [position[src][1] for src, dst in edges if dst == node and src in position]
                return sum(rows) / len(rows) if rows else float("inf")

            column.sort(key=lambda n: (weight(n), n[1]))
        for row, node in enumerate(column):
            position[node] = (index, row)
    return position


def _label(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "\u2026"


def render(
    nodes: list[Node], edges: list[tuple[Node, Node]], href: Callable[[str, str], str], focus: Node | None = None
) -> Markup:
    """The SVG markup. Every user-supplied string passes through ``escape``."""
    if not nodes:
        return Markup('<p class="muted">Nothing to draw: this project has no objects yet.</p>')
    position = layout(nodes, edges)
    used_columns = sorted({c for c, _ in position.values()})
    x_of = {c: PAD + i * (NODE_W + GAP_X) for i, c in enumerate(used_columns)}
    rows = max(r for _, r in position.values()) + 1
    width = PAD * 2 + len(used_columns) * NODE_W + (len(used_columns) - 1) * GAP_X
    height = HEAD + PAD + rows * (NODE_H + GAP_Y)

    def box(node: Node) -> tuple[int, int]:
        column, row = position[node]
        return x_of[column], HEAD + PAD + row * (NODE_H + GAP_Y)

    out = [
        f'<svg class="lineage" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Lineage">'
    ]
    for column in used_columns:
        out.append(f'<text class="col-title" x="{x_of[column]}" y="{PAD + 4}">{COLUMN_TITLES[column]}</text>')
    for src, dst in edges:
        if src not in position or dst not in position:
            continue
        (x1, y1), (x2, y2) = box(src), box(dst)
        x1, y1, y2 = x1 + NODE_W, y1 + NODE_H // 2, y2 + NODE_H // 2
        if position[src][0] == position[dst][0]:  # same column (a push source's batch source): loop on the right
            path = f"M{x1},{y1} C{x1 + 40},{y1} {x1 + 40},{y2} {x1},{y2}"
        else:
            path = _route(x1, y1, x2, y2, [x_of[c] for c in used_columns if position[src][0] < c < position[dst][0]])
        out.append(f'<path class="edge" d="{path}" data-from="{escape(src[1])}" data-to="{escape(dst[1])}"/>')
    for node in nodes:
        kind, name = node
        x, y = box(node)
        classes = f"node node-{kind.replace('_', '-')}" + (" focus" if node == focus else "")
        out.append(
            f'<a class="node-link" href="{escape(href(kind, name))}" data-kind="{kind}" data-name="{escape(name)}">'
            f'<g class="{classes}"><title>{escape(KIND_LABEL[kind])} {escape(name)}</title>'
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6"/>'
            f'<text class="node-kind" x="{x + 10}" y="{y + 16}">{escape(KIND_LABEL[kind])}</text>'
            f'<text class="node-name" x="{x + 10}" y="{y + 33}">{escape(_label(name))}</text></g></a>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def _route(x1: float, y1: float, x2: float, y2: float, between: list[int]) -> str:
    """A smooth path that crosses intermediate columns through the gaps between rows, not under boxes."""
    points = [(x1, y1)]
    for index, column_x in enumerate(between, start=1):
        wanted = y1 + (y2 - y1) * index / (len(between) + 1)
        row = round((wanted - HEAD - PAD + GAP_Y / 2) / (NODE_H + GAP_Y))
        gap_y = HEAD + PAD + row * (NODE_H + GAP_Y) - GAP_Y / 2
        points += [(column_x - 10, gap_y), (column_x + NODE_W + 10, gap_y)]
    points.append((x2, y2))
    path = [f"M{x1},{y1}"]
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        if ay == by:
            path.append(f"L{bx},{by}")
        else:
            mid = (ax + bx) / 2
            path.append(f"C{mid},{ay} {mid},{by} {bx},{by}")
    return " ".join(path)


def neighbourhood(node: Node, edges: list[tuple[Node, Node]]) -> tuple[list[Node], list[tuple[Node, Node]]]:
    """Everything upstream and downstream of ``node``, and the edges among them."""
    keep = {node}
    for forward in (True, False):
        frontier = [node]
        while frontier:
            current = frontier.pop()
            for src, dst in edges:
                nxt = dst if forward and src == current else src if not forward and dst == current else None
                if nxt is not None and nxt not in keep:
                    keep.add(nxt)
                    frontier.append(nxt)
    chosen = [e for e in edges if e[0] in keep and e[1] in keep]
    return sorted(keep, key=lambda n: (_column_of(n[0]), n[1])), chosen
