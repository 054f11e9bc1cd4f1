"""Records mode through the real CLI, on the embedded chain and on a real Anvil.

Register a JSONL of synthetic patients record by record; prove records (single and
multiproof) and files; verify the proofs offline and through the registry's one-call
views; revoke consent and erase, with the refusals and reports that follow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO_ROOT, write_files

PATIENTS = [json.dumps({"patient": f"P{i:04d}", "age": 20 + i, "dx": ["J45", "E11", "I10"][i % 3]}) for i in range(40)]


def _patients(path: Path, lines=PATIENTS, crlf=False) -> Path:
    end = "\r\n" if crlf else "\n"
    path.write_text("".join(line + end for line in lines), encoding="utf-8")
    return path


def _proof(cli, path, *args, code=0):
    res = cli("prove", path, *args)
    assert res.exit_code == code, (res.exit_code, res.output, res.stderr)
    return json.loads(res.stdout) if code == 0 else res


def test_register_records_prove_and_verify_on_chain(cli, tmp_path):
    data = _patients(tmp_path / "patients.jsonl", crlf=True)
    reg = cli.json("register", "dataset", data, "--records", "--name", "patients")
    assert reg["records"] == 40 and reg["already_registered"] is False
    assert cli.json("register", "dataset", data, "--records")["already_registered"] is True
    hashed = cli.json("hash", data, "--records")
    assert hashed["root"] == reg["root"] and hashed["records"] == 40

    receipt = json.loads(Path(str(data) + ".aiprov.json").read_text())
    assert receipt["versions"][-1]["manifest"]["kind"] == "records"
    show = cli.json("show", "dataset", reg["id"])
    assert show["metadata"]["records"]["count"] == 40

    single = _proof(cli, data, "--record", "7")
    assert single["record"] == PATIENTS[7] and single["dataset_id"] == reg["id"] and single["root"] == reg["root"]
    assert single["salt"][2:] not in json.dumps(receipt) and PATIENTS[7] not in json.dumps(receipt)
    ok = cli.json("verify-proof", _save(tmp_path, "p7.json", single))
    assert ok["valid"] is True and ok["registered"] is True and ok["revoked"] is False
    assert ok["consent_revoked"] is False and ok["erased"] is False
    multi = _proof(cli, data, "--record", "3", "--record", "39", "--record", "0")
    assert len(multi["leaves"]) == 3 and sorted(multi["records"]) == sorted(PATIENTS[i] for i in (0, 3, 39))
    assert cli.json("verify-proof", _save(tmp_path, "multi.json", multi))["valid"] is True
    offline = cli.json("verify-proof", _save(tmp_path, "p7.json", single), "--offline")
    assert offline["valid"] is True and offline["registered"] is None

    tampered = {**single, "record": single["record"].replace("P0007", "P9999")}
    res = cli.json("verify-proof", _save(tmp_path, "bad.json", tampered), code=1)
    assert res["valid"] is False and "altered" in res["reason"]
    wrong_root = {**single, "root": reg["root"][:-4] + "0000"}
    assert cli("verify-proof", _save(tmp_path, "bad2.json", wrong_root)).exit_code == 1
    # a proof naming a contract without aiprov's code is checked against the canonical registry, with a warning
    elsewhere = cli("verify-proof", _save(tmp_path, "bad3.json", {**single, "registry": "0x" + "22" * 20}))
    assert elsewhere.exit_code == 0 and "the proof names DatasetRegistry" in elsewhere.stderr
    other_chain = cli("verify-proof", _save(tmp_path, "bad4.json", {**single, "chain_id": 5}))
    assert other_chain.exit_code == 3 and "chain 5" in other_chain.stderr
    (tmp_path / "junk.json").write_text("{not json")
    junk = cli("verify-proof", tmp_path / "junk.json")
    assert junk.exit_code == 2 and "malformed proof: not JSON" in junk.stderr

    assert cli.json("verify", "dataset", data)["verified"] is True

    # bad input: index out of range, --file on a records dataset, neither option
    assert cli("prove", data, "--record", "40").exit_code == 2
    assert cli("prove", data, "--file", "x").exit_code == 2
    assert cli("prove", data).exit_code == 2
    # the file changed where the record sits: not provable as registered
    lines = list(PATIENTS)
    lines[7] = lines[7].replace("P0007", "P0077")
    _patients(data, lines, crlf=True)
    changed = cli("prove", data, "--record", "7")
    assert changed.exit_code == 1 and "not what was registered" in changed.stderr
    differs = cli.json("verify", "dataset", data, code=1)
    assert differs["verified"] is False and "modified 7" in differs["reason"]
    assert cli.json("hash", data, "--records")["root"] != hashed["root"]  # other bytes, fresh salts


def _save(tmp_path, name, doc) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


def test_file_proofs_verify_on_chain(cli, dataset, tmp_path):
    reg = cli.json("register", "dataset", dataset)
    one = _proof(cli, dataset, "--file", "train.csv")
    assert one["kind"] == "file" and one["value"][0] == "train.csv"
    assert cli.json("verify-proof", _save(tmp_path, "f.json", one))["valid"] is True
    many = _proof(cli, dataset, "--file", "train.csv", "--file", "images/cat.png", "--file", "README.md")
    assert cli.json("verify-proof", _save(tmp_path, "m.json", many))["valid"] is True
    cli.json("revoke", "dataset", reg["id"], "--reason", "withdrawn", "--yes")
    revoked = cli.json("verify-proof", _save(tmp_path, "f.json", one), code=1)
    assert revoked["revoked"] is True and revoked["registered"] is True
    assert cli("prove", dataset, "--record", "1").exit_code == 2


def test_consent_revoke_status_list_and_who_may(cli, tmp_path):
    data = _patients(tmp_path / "patients.jsonl")
    ds = cli.json("register", "dataset", data, "--records")["id"]
    proof = _save(tmp_path, "p5.json", _proof(cli, data, "--record", "5"))
    stranger = cli("consent", "revoke", ds, "--record", "5", "--account", "dev:3")
    assert stranger.exit_code != 0 and "neither the owner nor a manager" in stranger.stderr
    done = cli.json("consent", "revoke", ds, "--record", "5", "--reason", "withdrawn 2026-12-01")
    assert done["tx"] and done["unchanged"] is False and done["reason_hash"] != "0x" + "00" * 32
    assert done["gas_used"] <= 50_000  # SPEC §10: consent revoke
    assert cli.json("consent", "revoke", ds, "--record", "5")["unchanged"] is True  # sends nothing
    cli.json("manager", "add", f"dataset:{ds}", "dev:1")
    assert cli.json("consent", "revoke", ds, "--record", "6", "--account", "dev:1")["tx"]
    status = cli.json("consent", "status", ds, "--record", "5")
    assert status["consent_revoked"] is True and status["erased"] is False and len(status["events"]) == 1
    assert cli.json("consent", "status", ds, "--record", "4")["consent_revoked"] is False
    listed = cli.json("consent", "list", ds)
    assert listed["revoked"] == [5, 6] and listed["erased"] == []
    check = cli.json("verify-proof", proof, code=1)
    assert check["consent_revoked"] is True and check["valid"] is False and "consent revoked" in check["reason"]
    assert "withdrawn" not in json.dumps(listed)  # only the reason's hash is on-chain
    assert cli("consent", "status", "99", "--record", "1").exit_code == 1


def test_a_new_version_keeps_salts_and_refuses_revoked_records(cli, tmp_path):
    v1 = _patients(tmp_path / "v1.jsonl")
    d1 = cli.json("register", "dataset", v1, "--records")["id"]
    old_proof = _proof(cli, v1, "--record", "10")
    cli.json("consent", "revoke", d1, "--record", "2")
    # record 2 moved to the end of an otherwise unchanged file: still refused, naming it
    moved = [*PATIENTS[:2], *PATIENTS[3:], PATIENTS[2]]
    res = cli("register", "dataset", _patients(tmp_path / "v2.jsonl", moved), "--records", "--parent", d1)
    assert res.exit_code == 1 and "record 39 (record 2 of dataset 1)" in res.stderr
    # without it, the new version registers, and the unchanged records keep their salts
    kept = [line for i, line in enumerate(PATIENTS) if i != 2]
    kept.insert(2, json.dumps({"patient": "P0002-replacement"}))
    v3 = _patients(tmp_path / "v3.jsonl", kept)
    d3 = cli.json("register", "dataset", v3, "--records", "--parent", d1)["id"]
    new_proof = _proof(cli, v3, "--record", "10")
    assert new_proof["salt"] == old_proof["salt"] and new_proof["value"] == old_proof["value"]
    # the revocation in version 1 still binds version 3's children
    cli.json("consent", "revoke", d3, "--record", "3")
    again = cli("register", "dataset", _patients(tmp_path / "v4.jsonl", kept + ['{"patient":"new"}']), "--records",
                "--parent", d3)
    assert again.exit_code == 1 and "record 3 of dataset 2" in again.stderr


def test_erasure_destroys_the_salt_everywhere(cli, home, tmp_path):
    data = _patients(tmp_path / "patients.jsonl")
    outputs: list[str] = []

    def run(*args, code=0):
        res = cli(*args)
        assert res.exit_code == code, (args, res.output, res.stderr)
        outputs.append(res.stdout + res.stderr)
        return res

    ds = json.loads(run("register", "dataset", data, "--records", "--json").stdout)["id"]
    v2 = _patients(tmp_path / "v2.jsonl", PATIENTS + ['{"patient":"P0040"}'])
    run("register", "dataset", v2, "--records", "--parent", ds, "--json")
    proof17 = json.loads(cli("prove", data, "--record", "17").stdout)  # handed to an auditor: not scanned
    run("prove", data, "--record", "3")
    run("verify-proof", _save(tmp_path.parent, "p17.json", proof17))
    salt = bytes.fromhex(proof17["salt"][2:])

    refused = run("consent", "erase", ds, "--record", "17", code=2)  # off a TTY: --yes needed
    assert "--yes" in refused.stderr
    erased = json.loads(run("consent", "erase", ds, "--record", "17", "--reason", "erasure", "--yes", "--json").stdout)
    assert erased["tx"] and erased["salts_destroyed"] == 2  # v1 and v2 shared the salt
    gone = run("prove", data, "--record", "17", code=1)
    assert "record 17 was erased" in gone.stderr
    assert run("prove", v2, "--record", "17", code=1)
    check = json.loads(run("verify-proof", _save(tmp_path.parent, "p17.json", proof17), "--json", code=1).stdout)
    assert check["erased"] is True and check["consent_revoked"] is True and check["valid"] is False
    status = json.loads(run("consent", "status", ds, "--record", "17", "--json").stdout)
    assert status["erased"] is True
    run("consent", "list", ds)
    assert run("register", "dataset", data, "--records", code=1).stderr.count("erased")

    # The salt is nowhere: not in the state directory (salts, index, chain, caches), receipts, outputs.
    needles = [salt, salt.hex().encode(), ("0x" + salt.hex()).encode()]
    files = [p for p in home.rglob("*") if p.is_file()] + sorted(tmp_path.glob("*.aiprov.json"))
    assert files
    for path in files:
        blob = path.read_bytes()
        assert not any(n in blob for n in needles), path
    text = "\n".join(outputs)
    assert not any(n.decode(errors="ignore") in text for n in needles[1:])
    # No record's bytes are stored or printed anywhere, except the proved records in their proofs.
    proved = {3, 17}
    for i, record in enumerate(PATIENTS):
        raw = record.encode()
        for path in files:
            assert raw not in path.read_bytes(), (i, path)
        escaped = json.dumps(record)[1:-1]
        if i not in proved:
            assert record not in text and escaped not in text, i
        if i != 17:
            assert escaped not in json.dumps(proof17), i


def test_models_report_upstream_consent_and_strict_mode_fails(cli, tmp_path):
    data = _patients(tmp_path / "patients.jsonl")
    ds = cli.json("register", "dataset", data, "--records")["id"]
    model = write_files(tmp_path / "model", {"weights.bin": os.urandom(256)})
    mid = cli.json("register", "model", model, "--dataset", ds, "--no-environment")["id"]
    clean = cli.json("verify", "model", model, "--strict-consent")
    assert clean["verified"] is True and clean["consent"] == [{"dataset_id": ds, "consent_revoked_after": 0,
                                                                "erased_after": 0}]
    cli.json("consent", "revoke", ds, "--record", "1")
    cli.json("consent", "revoke", ds, "--record", "2")
    cli("consent", "erase", ds, "--record", "3", "--yes")
    lineage = cli.json("lineage", "model", mid)
    assert lineage["consent"] == [{"dataset_id": ds, "consent_revoked_after": 3, "erased_after": 1}]
    assert "3 record(s) consent-revoked" in cli("lineage", "model", mid).stdout
    loose = cli.json("verify", "model", model)
    assert loose["verified"] is True and loose["consent"][0]["consent_revoked_after"] == 3
    strict = cli.json("verify", "model", model, "--strict-consent", code=1)
    assert strict["verified"] is False and "--strict-consent" in strict["reason"]


@pytest.mark.local_only
@pytest.mark.slow
def test_records_walkthrough_example_runs(home, tmp_path, cli):
    env = {**os.environ, "AIPROV_HOME": str(home), "WORK": str(tmp_path),
           "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    out = subprocess.run(["bash", str(REPO_ROOT / "examples" / "records_walkthrough.sh")], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "record 17 was erased" in out.stderr and "erased" in out.stdout


@pytest.mark.local_only
def test_csv_records_keep_the_header_out_and_in_the_metadata(cli, tmp_path):
    import hashlib

    data = tmp_path / "visits.csv"
    data.write_bytes(b'patient,note\r\nP1,"line one\r\nline two"\r\nP2,ok\r\n')
    reg = cli.json("register", "dataset", data, "--records")
    assert reg["records"] == 2
    meta = cli.json("show", "dataset", reg["id"])["metadata"]
    assert meta["records"]["header_sha256"] == hashlib.sha256(b"patient,note").hexdigest()
    first = _proof(cli, data, "--record", "0")
    assert first["record"] == 'P1,"line one\r\nline two"'
    assert cli.json("verify-proof", _save(tmp_path, "v.json", first))["valid"] is True
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"patient\nP1\n\nP2\n")
    res = cli("register", "dataset", blank, "--records")
    assert res.exit_code == 2 and "line 3 is blank" in res.stderr
