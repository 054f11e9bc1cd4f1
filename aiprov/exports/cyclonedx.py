"""``aiprov export cyclonedx``: a CycloneDX 1.6 ML-BOM of a model and what it was built from.

- The model is the BOM's subject (``metadata.component``), a
  ``machine-learning-model`` component whose hash is OpenSSF model-signing's
  whole-model SHA-256, with its files as nested ``file`` components (path,
  SHA-256), a model card with the datasets it was trained on and the metrics
  recorded at registration, and its licence.
- Each dataset is a ``data`` component (``data[0].type`` ``dataset``), each base
  model a ``machine-learning-model`` component; ``dependencies`` link the model
  to them.
- aiprov's on-chain facts (root, chain, registry, transaction, block, status)
  are ``aiprov:*`` properties on every component.

The serial number is a UUID derived from the model's chain anchor, so exporting
the same model twice gives the same BOM.
"""

from __future__ import annotations

import datetime as _dt
import uuid

from .. import __version__
from . import ModelFacts, Reference, model_signing_digest

SPEC_VERSION = "1.6"
_NAMESPACE = uuid.UUID("5b0a53a4-41b7-4d2c-9a39-3f64c1c5c0d1")  # aiprov's BOM serial-number namespace


def _license(value: str | None) -> list[dict] | None:
    if not value:
        return None
    # an SPDX id or expression goes in as an expression (always valid); anything else by name
    if all(ch.isalnum() or ch in "-.+() " for ch in value):
        return [{"expression": value}]
    return [{"license": {"name": value}}]


def _props(**values) -> list[dict]:
    return [{"name": f"aiprov:{k}", "value": str(v)} for k, v in values.items() if v is not None]


def _reference_component(facts: ModelFacts, ref: Reference) -> dict:
    comp = {
        "type": "data" if ref.kind == "dataset" else "machine-learning-model",
        "bom-ref": f"{ref.kind}:{ref.id}",
        "name": ref.name or f"{ref.kind}-{ref.id}",
        "version": str(ref.id),
        "properties": _props(kind=ref.kind, id=ref.id, root=ref.root, status=ref.status,
                             uri=facts.uri(ref.kind, ref.registry, ref.id), tx=ref.tx, block=ref.block),
    }
    if ref.kind == "dataset":
        data = {"type": "dataset", "name": ref.name or f"dataset-{ref.id}"}
        if ref.source:
            data["description"] = f"source: {ref.source}"
        comp["data"] = [data]
    lic = _license(ref.license)
    if lic:
        comp["licenses"] = lic
    return comp


def _metrics(training: dict) -> list[dict]:
    metrics = (training.get("metrics") or {}).get("content")
    if not isinstance(metrics, dict):
        return []
    return [{"type": str(k), "value": str(v)} for k, v in metrics.items() if not isinstance(v, (dict, list))]


def bom(facts: ModelFacts) -> dict:
    meta = facts.metadata or {}
    training = meta.get("training") or {}
    datasets = [r for r in facts.references if r.kind == "dataset"]
    model_ref = f"model:{facts.id}"
    card: dict = {
        "modelParameters": {
            "datasets": [{"ref": f"dataset:{r.id}"} for r in datasets],
        },
    }
    metrics = _metrics(training)
    if metrics:
        card["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    if not datasets:
        del card["modelParameters"]
    model = {
        "type": "machine-learning-model",
        "bom-ref": model_ref,
        "name": facts.name,
        "version": str(facts.id),
        "hashes": [{"alg": "SHA-256", "content": model_signing_digest(facts.manifest.entries)}],
        "properties": _props(kind="model", id=facts.id, root=facts.root, status=facts.status, chain_id=facts.chain_id,
                             network=facts.network, registry=facts.registry, tx=facts.tx, block=facts.block,
                             uri=facts.uri("model", facts.registry, facts.id),
                             hash_method="openssf-model-signing files sha256"),
        "components": [
            {"type": "file", "bom-ref": f"{model_ref}/{e.path}", "name": e.path,
             "hashes": [{"alg": "SHA-256", "content": e.sha256}],
             "properties": _props(size=e.size)}
            for e in facts.manifest.entries
        ],
    }
    if meta.get("description"):
        model["description"] = meta["description"]
    lic = _license(meta.get("license"))
    if lic:
        model["licenses"] = lic
    if card:
        model["modelCard"] = card
    stamp = _dt.datetime.fromtimestamp(facts.registered_at, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{facts.chain_id}/{facts.registry}/{facts.id}/{facts.tx}')}",
        "version": 1,
        "metadata": {
            "timestamp": stamp,
            "tools": {"components": [{"type": "application", "name": "aiprov", "version": __version__}]},
            "component": model,
        },
        "components": [_reference_component(facts, r) for r in facts.references],
        "dependencies": [
            {"ref": model_ref, "dependsOn": [f"{r.kind}:{r.id}" for r in facts.references]},
            *({"ref": f"{r.kind}:{r.id}"} for r in facts.references),
        ],
    }
