"""``aiprov export slsa|cyclonedx``: checked by independent validators, not by our own code.

- SLSA: the in-toto attestation framework's own protobuf definitions
  (``in-toto-attestation``: Statement v1 and the SLSA provenance v1 predicate),
  parsed strictly (an unknown or misspelt field is an error), plus the
  framework's Statement validation.
- CycloneDX: ``cyclonedx-python-lib``'s strict JSON-schema validator for 1.6.
- The whole-model digest: OpenSSF model-signing's own library hashing the same folder.
"""

from __future__ import annotations

import json

import pytest
from audit_trail import make_trail


def _slsa_errors(doc: dict) -> None:
    from google.protobuf import json_format
    from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
    from in_toto_attestation.v1 import statement_pb2
    from in_toto_attestation.v1.statement import Statement

    pb = json_format.ParseDict(doc, statement_pb2.Statement())  # strict: unknown fields raise
    Statement.copy_from_pb(pb).validate()
    prov = json_format.ParseDict(doc["predicate"], provenance_pb2.Provenance())
    assert prov.build_definition.build_type and prov.run_details.builder.id  # SLSA v1 REQUIRED fields
    for dep in prov.build_definition.resolved_dependencies:
        assert dep.uri or dep.digest or dep.name


def _model_signing_digest(folder) -> str:
    from model_signing import hashing
    from model_signing._signing.signing import Payload

    manifest = hashing.Config().use_file_serialization(hashing_algorithm="sha256").hash(folder)
    return Payload(manifest).statement.pb.subject[0].digest["sha256"]


@pytest.fixture
def models(cli, tmp_path):
    return make_trail(cli, tmp_path)


def test_slsa_statement_validates_and_names_the_lineage(cli, models):
    m1 = models["m1"]
    res = cli("export", "slsa", "model", m1, models["model_dir"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    _slsa_errors(doc)
    assert doc["_type"] == "https://in-toto.io/Statement/v1"
    assert doc["predicateType"] == "https://slsa.dev/provenance/v1"
    hashed = cli.json("hash", models["model_dir"])
    assert doc["subject"] == [{"name": e["path"], "digest": {"sha256": e["sha256"]}} for e in hashed["entries"]]
    build = doc["predicate"]["buildDefinition"]
    assert build["buildType"] == "aiprov://build-types/model-training/v1"
    assert build["externalParameters"]["trainingConfig"] == {"lr": 0.01, "epochs": 3}
    shown = cli.json("show", "model", m1)
    (dep,) = [d for d in build["resolvedDependencies"] if d.get("uri", "").startswith("aiprov://")]
    d2 = cli.json("show", "dataset", models["d2"])
    assert dep["uri"] == f"aiprov://{shown['chain_id']}/{d2['contract']}/{models['d2']}"
    assert dep["digest"] == {"aiprovMerkleRoot": d2["root"][2:]}
    assert dep["annotations"]["tx"] == d2["tx"]
    run = doc["predicate"]["runDetails"]
    assert run["metadata"]["invocationId"] == shown["tx"]
    anchor, ms = run["byproducts"]
    assert anchor["annotations"]["block"] == shown["block"] and anchor["digest"]["aiprovMerkleRoot"] == shown["root"][2:]
    assert ms["digest"]["sha256"] == _model_signing_digest(models["model_dir"])

    # a fine-tuned model: its base model is a dependency too
    tuned = json.loads(cli("export", "slsa", "model", models["m2"], models["tmp"] / "tuned").stdout)
    _slsa_errors(tuned)
    uris = [d["uri"] for d in tuned["predicate"]["buildDefinition"]["resolvedDependencies"] if "uri" in d]
    assert uris[-1].endswith(f"/{m1}") and shown["contract"] in uris[-1]


def test_cyclonedx_bom_validates_against_the_official_schema(cli, models, tmp_path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    out = tmp_path / "bom.cdx.json"
    res = cli("export", "cyclonedx", "model", models["m2"], models["tmp"] / "tuned", "-o", out, "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["path"] == str(out)
    text = out.read_text()
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, error
    bom = json.loads(text)
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model" and model["name"] == "sentiment-tuned"
    assert model["hashes"] == [{"alg": "SHA-256", "content": _model_signing_digest(models["tmp"] / "tuned")}]
    refs = {c["bom-ref"]: c for c in bom["components"]}
    assert refs[f"dataset:{models['d2']}"]["type"] == "data"
    assert refs[f"model:{models['m1']}"]["type"] == "machine-learning-model"
    assert bom["dependencies"][0] == {"ref": f"model:{models['m2']}",
                                      "dependsOn": [f"dataset:{models['d2']}", f"model:{models['m1']}"]}
    # the model card of the base model carries its datasets and metrics
    base = json.loads(cli("export", "cyclonedx", "model", models["m1"], models["model_dir"]).stdout)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(base)) is None
    card = base["metadata"]["component"]["modelCard"]
    assert card["modelParameters"]["datasets"] == [{"ref": f"dataset:{models['d2']}"}]
    assert card["quantitativeAnalysis"]["performanceMetrics"] == [{"type": "acc", "value": "0.91"}]
    again = json.loads(cli("export", "cyclonedx", "model", models["m1"], models["model_dir"]).stdout)
    assert again == base  # same model, same BOM (serial number derived from the chain anchor)


def test_export_from_the_receipt_alone_and_refusals(cli, models, tmp_path):
    receipt = models["tmp"] / "model.aiprov.json"
    from_receipt = json.loads(cli("export", "slsa", "model", models["m1"], "--receipt", receipt).stdout)
    from_files = json.loads(cli("export", "slsa", "model", models["m1"], models["model_dir"]).stdout)
    assert from_receipt == from_files
    # other files than the model's: the check does not hold
    wrong = cli("export", "slsa", "model", models["m1"], models["tmp"] / "tuned")
    assert wrong.exit_code == 1 and "on-chain root" in wrong.stderr
    assert cli("export", "slsa", "model", models["m1"]).exit_code == 2  # neither files nor receipt
    assert cli("export", "slsa", "dataset", models["d1"], models["model_dir"]).exit_code == 2
    assert cli("export", "cyclonedx", "model", 999, models["model_dir"]).exit_code == 1
    assert cli("export", "xml", "model", models["m1"]).exit_code == 2
