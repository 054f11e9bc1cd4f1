"""A model's lineage, read back from the chain, and what in it is revoked.

Each model's ``ModelRegistered`` event names its datasets (with their roots at
registration time) and base models, and the registry's ``checkLineage`` confirms
the event against the stored commitment.
"""

from __future__ import annotations


def lineage(session, model_id: int, load_metadata) -> dict:
    """The transitive lineage graph of ``model_id``: nodes, edges, and what is revoked.

    Nodes are ``"model:N"`` / ``"dataset:N"`` with their current on-chain root
    and status; edges are ``trained_on`` (model → dataset, with the dataset root
    recorded at registration), ``derived_from`` (model → base model) and
    ``previous_version`` (dataset → parent dataset).
    """
    models, datasets = session.models, session.datasets
    nodes: dict[str, dict] = {}
    edges: list[dict] = []

    def name_of(reg) -> str | None:
        doc = load_metadata(reg.metadata_hash)
        return doc.get("name") if doc else None

    def add_dataset(dataset_id: int) -> str:
        key = f"dataset:{dataset_id}"
        if key in nodes:
            return key
        record = datasets.get(dataset_id)
        reg = datasets.registration(dataset_id)
        nodes[key] = {"key": key, "kind": "dataset", "id": dataset_id, "root": record.root,
                      "status": record.status, "owner": record.owner, "name": name_of(reg)}
        if record.parent_id:
            edges.append({"from": key, "to": add_dataset(record.parent_id), "relation": "previous_version"})
        return key

    def add_model(mid: int) -> str:
        key = f"model:{mid}"
        if key in nodes:
            return key
        record = models.get(mid)
        reg = models.registration(mid)
        ok = models.call("checkLineage", mid, list(reg.dataset_ids),
                         [bytes.fromhex(r[2:]) for r in reg.dataset_roots], list(reg.parent_model_ids))
        nodes[key] = {"key": key, "kind": "model", "id": mid, "root": record.root, "status": record.status,
                      "owner": record.owner, "name": name_of(reg), "lineage_verified": bool(ok)}
        for dataset_id, root in zip(reg.dataset_ids, reg.dataset_roots):
            edges.append({"from": key, "to": add_dataset(dataset_id), "relation": "trained_on", "root": root})
        for parent in reg.parent_model_ids:
            edges.append({"from": key, "to": add_model(parent), "relation": "derived_from"})
        return key

    root_key = add_model(model_id)
    revoked = sorted(k for k, n in nodes.items() if n["status"] == "revoked")
    return {"root": root_key, "nodes": list(nodes.values()), "edges": edges, "revoked": revoked}


def upstream_revocations(session, model_id: int) -> list[str]:
    """Why a model must not be trusted beyond its own status: revoked things upstream."""
    graph = lineage(session, model_id, lambda h: None)
    reasons = []
    for node in graph["nodes"]:
        if node["status"] != "revoked" or node["key"] == graph["root"]:
            continue
        reason = session.registry(node["kind"]).status_reason(node["id"])
        reasons.append(f"{node['kind']} {node['id']} in its lineage is revoked" + (f" ({reason})" if reason else ""))
    return reasons
