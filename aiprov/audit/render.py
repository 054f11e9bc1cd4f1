"""Render a sealed ``aiprov-audit/1`` document as Markdown or one self-contained HTML page.

Both renderings are pure functions of the document (Jinja2 templates in
``templates/``, autoescaped for HTML): no chain access, no network, no assets
outside the page. Long hex values stay whole in the text (so they can be
selected and copied) and are only clipped on screen by CSS; print shows them
in full.
"""

from __future__ import annotations

import json

FORMATS = ("json", "md", "html")

SECTION_TITLES = {
    "subject": "Subject",
    "status_changes": "Status changes",
    "governance": "Ownership and managers",
    "versions": "Versions",
    "lineage": "Lineage",
    "training": "Training-run metadata",
    "leases": "Leases",
    "access": "Access attempts",
    "access_batches": "Gateway access-log batches",
    "consent": "Consent revocations and erasures",
}


def _environment(autoescape: bool):
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("aiprov.audit", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from .svg import short_hex

    env.filters["short"] = short_hex
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False, sort_keys=True)
    env.filters["md"] = _md_cell
    return env


def _md_cell(value) -> str:
    """A value fit for a Markdown table cell."""
    if value is None or value == "":
        return "—"
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text


def _summary(doc: dict) -> dict:
    access = doc["access"]
    return {
        "versions": len(doc["versions"]),
        "leases": len(doc["leases"]),
        "active_leases": sum(1 for lease in doc["leases"] if lease.get("revoked_at") is None
                             and (lease.get("expires_at") or "") > (doc["header"]["generated_at"] or "")),
        "attempts": len(access),
        "allowed": sum(1 for a in access if a["allowed"]),
        "denied": sum(1 for a in access if not a["allowed"]),
        "batches": len(doc["access_batches"]),
        "consent_revoked": sum(1 for c in doc["consent"] if c["action"] == "consent_revoked"),
        "erased": sum(1 for c in doc["consent"] if c["action"] == "erased"),
        "revoked_upstream": [k for k in (doc["lineage"] or {}).get("revoked", []) if k != doc["subject"]["key"]],
    }


def render(doc: dict, fmt: str) -> str:
    """``doc`` (sealed) as ``json``, ``md`` or ``html`` text."""
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    from .svg import lineage_mermaid, lineage_svg

    env = _environment(autoescape=fmt == "html")
    template = env.get_template(f"audit.{fmt}.j2")
    explorer = doc["header"].get("explorer_url")
    context = {
        "doc": doc,
        "h": doc["header"],
        "s": doc["subject"],
        "summary": _summary(doc),
        "titles": SECTION_TITLES,
        "duties": doc["duties"],
        "explorer": explorer,
        "mermaid": lineage_mermaid(doc["lineage"]),
    }
    if fmt == "html":
        context["svg"] = lineage_svg(doc["lineage"])  # built from escaped parts in svg.py; `| safe` in the template
    return template.render(**context)
