"""The lineage graph as inline SVG: upstream on the left, the subject on the right.

Nodes are placed in columns by their distance from the subject (the longest
path along lineage edges), so datasets flow into the models trained on them
and base models into the models derived from them. Each node is a ``<g
class="node" data-key="model:7">`` (revoked ones also have class ``revoked``),
each edge a ``<path class="edge" data-from=… data-to=…>``; no scripts, no
external references.
"""

from __future__ import annotations

from html import escape

NODE_W, NODE_H = 210, 58
COL_GAP, ROW_GAP = 70, 18
PAD = 12


def _depths(lineage: dict) -> dict[str, int]:
    """Columns relative to the subject (0): upstream (what it was built from) > 0, downstream < 0.

    Upstream depth is the longest path along lineage edges (from -> to); nodes
    built *from* the subject (a dataset audit shows the models trained on it)
    get negative depths along reversed edges.
    """
    limit = len(lineage["nodes"])

    def longest(forward: bool) -> dict[str, int]:
        out = {lineage["root"]: 0}
        for _ in range(limit):
            changed = False
            for e in lineage["edges"]:
                a, b = (e["from"], e["to"]) if forward else (e["to"], e["from"])
                if a in out and out.get(b, -1) < out[a] + 1 <= limit:
                    out[b] = out[a] + 1
                    changed = True
            if not changed:
                break
        return out

    up, down = longest(True), longest(False)
    depths = dict(up)
    for key, d in down.items():
        depths.setdefault(key, -d)
    for n in lineage["nodes"]:
        depths.setdefault(n["key"], 0)
    return depths


def short_hex(value: str | None, keep: int = 6) -> str:
    if not value or len(value) <= 2 * keep + 3:
        return value or ""
    return f"{value[:keep + 2]}…{value[-keep:]}"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def lineage_svg(lineage: dict | None) -> str:
    if not lineage or not lineage.get("nodes"):
        return ""
    depths = _depths(lineage)
    max_depth, min_depth = max(depths.values()), min(depths.values())
    columns: dict[int, list[dict]] = {}
    for node in lineage["nodes"]:
        columns.setdefault(depths[node["key"]], []).append(node)
    tallest = max(len(c) for c in columns.values())
    span = max_depth - min_depth
    width = PAD * 2 + (span + 1) * NODE_W + span * COL_GAP
    height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP
    pos: dict[str, tuple[float, float]] = {}
    for depth, nodes in columns.items():
        x = PAD + (max_depth - depth) * (NODE_W + COL_GAP)
        offset = (height - (len(nodes) * NODE_H + (len(nodes) - 1) * ROW_GAP)) / 2
        for i, node in enumerate(sorted(nodes, key=lambda n: (n["kind"], n["id"]))):
            pos[node["key"]] = (x, offset + i * (NODE_H + ROW_GAP))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" role="img" '
        f'aria-label="lineage graph" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'style="width:100%;max-width:{width:.0f}px;height:auto">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>',
    ]
    for e in lineage["edges"]:
        if e["from"] not in pos or e["to"] not in pos:
            continue
        (fx, fy), (tx, ty) = pos[e["from"]], pos[e["to"]]
        # data flows upstream -> downstream: draw from the edge's target (upstream) to its source
        x1, y1 = tx + NODE_W, ty + NODE_H / 2
        x2, y2 = fx, fy + NODE_H / 2
        mid = (x1 + x2) / 2
        label = e["relation"].replace("_", " ")
        parts.append(
            f'<path class="edge" data-from="{escape(e["to"])}" data-to="{escape(e["from"])}" '
            f'd="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2 - 2:.0f},{y2:.0f}" '
            f'fill="none" stroke="#6b7280" stroke-width="1.4" marker-end="url(#arrow)"><title>{escape(label)}</title></path>'
        )
    for node in lineage["nodes"]:
        x, y = pos[node["key"]]
        revoked = node.get("status") == "revoked"
        cls = "node revoked" if revoked else "node"
        fill = {"dataset": "#eef6ff", "model": "#f3efff"}.get(node["kind"], "#f4f4f5")
        stroke = "#dc2626" if revoked else ("#2563eb" if node["key"] == lineage["root"] else "#9ca3af")
        title = f'{node["kind"]} {node["id"]}' + (f' — {node["name"]}' if node.get("name") else "")
        status = node.get("status", "")
        parts.append(
            f'<g class="{cls}" data-key="{escape(node["key"])}" transform="translate({x:.0f},{y:.0f})">'
            f'<title>{escape(title)} ({escape(status)}) root {escape(node.get("root") or "")}</title>'
            f'<rect width="{NODE_W}" height="{NODE_H}" rx="8" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{2.4 if revoked or node["key"] == lineage["root"] else 1.2}"/>'
            f'<text x="10" y="19" font-size="13" font-weight="600">{escape(_clip(title, 27))}</text>'
            f'<text x="10" y="35" font-size="11" font-family="ui-monospace,monospace" fill="#374151">'
            f'{escape(short_hex(node.get("root")))}</text>'
            f'<text x="10" y="50" font-size="11" fill="{"#dc2626" if revoked else "#6b7280"}">'
            f'{escape("REVOKED" if revoked else status)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def lineage_mermaid(lineage: dict | None) -> str:
    """The same graph as a Mermaid flowchart (for the Markdown rendering)."""
    if not lineage or not lineage.get("nodes"):
        return ""
    ident = {n["key"]: n["key"].replace(":", "_") for n in lineage["nodes"]}
    lines = ["flowchart LR"]
    for n in lineage["nodes"]:
        label = f'{n["kind"]} {n["id"]}' + (f' {n["name"]}' if n.get("name") else "")
        label += f'<br/>{short_hex(n.get("root"))}' + (" REVOKED" if n.get("status") == "revoked" else "")
        lines.append(f'  {ident[n["key"]]}["{label.replace(chr(34), chr(39))}"]')
    for e in lineage["edges"]:
        if e["from"] in ident and e["to"] in ident:
            lines.append(f'  {ident[e["to"]]} -->|{e["relation"].replace("_", " ")}| {ident[e["from"]]}')
    for key in lineage.get("revoked", []):
        if key in ident:
            lines.append(f"  style {ident[key]} stroke:#dc2626,stroke-width:3px")
    return "\n".join(lines)
