"""``aiprov export slsa``: an in-toto Statement v1 with an SLSA provenance v1 predicate.

- ``subject``: every file of the model (its manifest path, ``sha256``).
- ``buildDefinition.buildType``: :data:`BUILD_TYPE` (documented in docs/exports.md).
- ``externalParameters``: the training configuration recorded at registration.
- ``internalParameters``: the recorded environment (Python, platform, ML packages).
- ``resolvedDependencies``: one per dataset and base model, ``uri``
  ``aiprov://<chain_id>/<registry>/<id>``, ``digest`` ``{"aiprovMerkleRoot": <root>}``
  (the root anchored in the model's own registration), and the chain anchor
  (tx, block) as annotations; the code commit, when recorded, as ``gitCommit``.
- ``runDetails``: the registering account as builder, the registration
  transaction as invocation id, and the chain anchor and OpenSSF
  model-signing's whole-model digest as byproducts.
"""

from __future__ import annotations

import datetime as _dt

from .. import __version__
from . import ModelFacts, model_signing_digest

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "aiprov://build-types/model-training/v1"
ROOT_DIGEST = "aiprovMerkleRoot"  # custom in-toto DigestSet key: an OpenZeppelin standard-v1 root (0x stripped)


def _iso(ts: int) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _content(section: dict | None):
    """A recorded config or metrics section: its embedded content, else the section itself."""
    if not section:
        return None
    return section.get("content", section)


def statement(facts: ModelFacts) -> dict:
    training = (facts.metadata or {}).get("training") or {}
    deps = []
    for ref in facts.references:
        deps.append({
            "uri": facts.uri(ref.kind, ref.registry, ref.id),
            "digest": {ROOT_DIGEST: ref.root[2:]},
            "name": f"{ref.kind}:{ref.id}" + (f" {ref.name}" if ref.name else ""),
            "annotations": {"kind": ref.kind, "id": ref.id, "status": ref.status, "tx": ref.tx, "block": ref.block,
                            **({"license": ref.license} if ref.license else {})},
        })
    code = training.get("code") or {}
    if code.get("commit"):
        dep = {"name": "training code (git work tree)", "digest": {"gitCommit": code["commit"]}}
        if code.get("dirty") is not None:
            dep["annotations"] = {"dirty": bool(code["dirty"])}
        deps.append(dep)
    external = {"model": {"name": facts.name, "root": facts.root}}
    if _content(training.get("config")) is not None:
        external["trainingConfig"] = _content(training.get("config"))
    internal = {}
    if training.get("environment"):
        internal["environment"] = training["environment"]
    if _content(training.get("metrics")) is not None:
        internal["metrics"] = _content(training.get("metrics"))
    predicate = {
        "buildDefinition": {
            "buildType": BUILD_TYPE,
            "externalParameters": external,
            **({"internalParameters": internal} if internal else {}),
            "resolvedDependencies": deps,
        },
        "runDetails": {
            "builder": {"id": f"aiprov://{facts.chain_id}/account/{facts.owner}",
                        "version": {"aiprov": __version__}},
            "metadata": {"invocationId": facts.tx, "finishedOn": _iso(facts.registered_at)},
            "byproducts": [
                {"name": "aiprov chain anchor", "uri": facts.uri("model", facts.registry, facts.id),
                 "digest": {ROOT_DIGEST: facts.root[2:]},
                 "annotations": {"chain_id": facts.chain_id, "network": facts.network, "registry": facts.registry,
                                 "tx": facts.tx, "block": facts.block, "status": facts.status}},
                {"name": "openssf-model-signing whole-model digest",
                 "digest": {"sha256": model_signing_digest(facts.manifest.entries)},
                 "annotations": {"method": "files", "hash_type": "sha256"}},
            ],
        },
    }
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": e.path, "digest": {"sha256": e.sha256}} for e in facts.manifest.entries],
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }
