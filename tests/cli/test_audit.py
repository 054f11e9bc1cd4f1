"""``aiprov audit``: one sealed aiprov-audit/1 document, rendered as md and html, on local and Anvil.

The history is built through the real CLI (registrations, a new version, a model,
leases granted / used / denied / revoked, a manager, a revocation), then every
section of the audit is checked against what the other commands (``show``,
``history``, ``lease log``) say about the same chain.
"""

from __future__ import annotations

import json
import re

import pytest
from audit_trail import make_trail

from aiprov.audit.document import document_sha256, is_sealed
from aiprov.chain.accounts import dev_signer

DEV = {i: dev_signer(i).address for i in range(5)}


def _yes(cli) -> list[str]:
    return ["--yes"] if "--yes" in cli("revoke", "model", "--help").stdout else []


@pytest.fixture
def anvil_cli(home, anvil_factory, monkeypatch):
    """The CLI against a fresh Anvil with the contracts deployed (for tests about RPC networks only)."""
    from helpers import CLI

    node = anvil_factory()
    monkeypatch.setenv("AIPROV_NETWORK", "anvil")
    monkeypatch.setenv("AIPROV_RPC_URL", node.url)
    runner = CLI()
    assert runner("deploy", "--json").exit_code == 0
    return runner


@pytest.fixture
def trail(cli, tmp_path):
    return make_trail(cli, tmp_path)


def _rows(doc):
    for key in ("status_changes", "governance", "versions", "leases", "access", "access_batches", "consent",
                "other_events"):
        yield from doc[key]


def test_dataset_audit_document_matches_the_chain(cli, trail):
    d2 = trail["d2"]
    doc = cli.json("audit", "dataset", d2, "--format", "json")
    assert doc["format"] == "aiprov-audit/1"
    assert is_sealed(doc) and doc["header"]["sha256"] == document_sha256(doc)
    shown = cli.json("show", "dataset", d2)
    h, s = doc["header"], doc["subject"]
    assert h["chain_id"] == shown["chain_id"]
    assert h["contracts"]["DatasetRegistry"] == shown["contract"]
    assert set(h["contracts"]) == {"DatasetRegistry", "ModelRegistry", "AccessLeases"}
    assert (s["root"], s["owner"], s["status"], s["tx"], s["block"]) == (
        shown["root"], shown["owner"], shown["status"], shown["tx"], shown["block"])
    assert (s["name"], s["license"], s["source"]) == ("reviews-v2", "CC-BY-4.0", "https://example.org/reviews")

    # versions: v1 (deprecated, its parent-less ancestor) then v2, with the chain's roots
    assert [(v["id"], v["status"], v["subject"]) for v in doc["versions"]] == [
        (trail["d1"], "deprecated", False), (d2, "active", True)]
    assert doc["versions"][0]["root"] == cli.json("show", "dataset", trail["d1"])["root"]
    # lineage of a dataset: its previous version and the models trained on it
    keys = {n["key"] for n in doc["lineage"]["nodes"]}
    assert keys == {f"dataset:{d2}", f"dataset:{trail['d1']}", f"model:{trail['m1']}", f"model:{trail['m2']}"}
    trained = [e for e in doc["lineage"]["edges"] if e["relation"] == "trained_on"]
    assert {e["root"] for e in trained} == {s["root"]}

    # leases and every access attempt, with reasons
    (lease,) = doc["leases"]
    assert (lease["grantee"], lease["how"], lease["by"]) == (DEV[1], "granted", DEV[0])
    assert lease["revoked_at"] is not None
    attempts = [(a["account"], a["allowed"], a["reason"]) for a in doc["access"]]
    assert attempts[0][:2] == (DEV[1], True) and attempts[0][2].startswith("lease until ")
    assert attempts[1:] == [(DEV[2], False, "no lease"), (DEV[1], False, "lease revoked")]
    log = cli.json("lease", "log", f"dataset:{d2}")
    assert [a["tx"] for a in doc["access"]] == [e["tx"] for e in log]
    assert [(g["event"], g["account"]) for g in doc["governance"]] == [("manager_appointed", DEV[3])]
    (batch,) = doc["access_batches"]
    assert (batch["batchId"], batch["count"], batch["batchRoot"]) == (1, 5, "0x" + "ab" * 32)

    # every row names a real transaction and block of this chain
    history_txs = {e["tx"] for e in cli.json("history", "dataset", d2)["events"]}
    for row in _rows(doc):
        assert re.fullmatch(r"0x[0-9a-f]{64}", row["tx"]) and row["block"] >= h["blocks"]["from"]
    assert {g["tx"] for g in doc["governance"]} <= history_txs
    assert h["blocks"]["to"] >= max(r["block"] for r in _rows(doc))
    assert doc["duties"]["access"] == ["EU AI Act Art. 12", "GDPR Art. 30"]
    assert any(c["command"].startswith(f"aiprov verify dataset PATH --id {d2}") for c in doc["recheck"])


def test_model_audit_has_lineage_training_and_upstream_revocation(cli, trail):
    m2 = trail["m2"]
    cli.json("revoke", "model", trail["m1"], "--reason", "label leak", *_yes(cli))
    doc = cli.json("audit", "model", m2, "--format", "json")
    lineage = doc["lineage"]
    assert {n["key"] for n in lineage["nodes"]} == {f"model:{m2}", f"model:{trail['m1']}", f"dataset:{trail['d2']}",
                                                     f"dataset:{trail['d1']}"}
    assert lineage["revoked"] == [f"model:{trail['m1']}"]
    assert [v["id"] for v in doc["versions"]] == [trail["m1"], m2]  # its base model is its previous version
    assert doc["training"] is None or "config" not in (doc["training"] or {})  # m2 was registered without config
    base = cli.json("audit", "model", trail["m1"], "--format", "json")
    assert base["training"]["config"]["content"] == {"lr": 0.01, "epochs": 3}
    assert base["training"]["metrics"]["content"] == {"acc": 0.91}
    assert [c["status"] for c in base["status_changes"]] == ["revoked"]
    assert base["subject"]["status_reason"] == "label leak"

    md = cli("audit", "model", m2).stdout  # md is the default
    assert "Revoked upstream" in md and f"model:{trail['m1']}" in md
    assert "```mermaid" in md
    html = cli("audit", "model", m2, "--format", "html").stdout
    assert html.count('class="node') == len(lineage["nodes"]) and 'class="node revoked"' in html


def test_md_and_html_render_the_same_document(cli, trail, tmp_path):
    d2 = trail["d2"]
    out = tmp_path / "reports"
    out.mkdir()
    res = cli("audit", "dataset", d2, "--format", "json", "-o", out / "a.json", "--json")
    assert res.exit_code == 0
    written = json.loads(res.stdout)
    doc = json.loads((out / "a.json").read_text())
    assert written["sha256"] == doc["header"]["sha256"] and is_sealed(doc)

    from aiprov.audit.render import render

    md, html = render(doc, "md"), render(doc, "html")
    for text in (md, html):
        assert doc["header"]["sha256"] in text
        for v in doc["versions"]:
            assert v["root"] in text  # full roots, never cut
        for a in doc["access"]:
            assert a["tx"] in text
        assert "GDPR Art. 30" in text and "EU AI Act Annex IV 2(d)" in text
        assert "How to re-check this report" in text
    # html is one self-contained file: no scripts, no external resources
    assert "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    assert html.count('class="node') == len(doc["lineage"]["nodes"])


def test_second_machine_reads_the_audit_without_state_or_key(anvil_cli, tmp_path, monkeypatch):
    """Another state directory and no account, nothing but the RPC URL: the same trail; metadata via --receipt."""
    cli, trail = anvil_cli, make_trail(anvil_cli, tmp_path)
    first = cli.json("audit", "dataset", trail["d2"], "--format", "json")
    monkeypatch.setenv("AIPROV_HOME", str(tmp_path / "fresh-home"))
    monkeypatch.delenv("AIPROV_ACCOUNT", raising=False)
    fresh = cli.json("audit", "dataset", trail["d2"], "--format", "json")
    assert fresh["subject"]["metadata_available"] is False and fresh["subject"]["name"] is None
    for key in ("versions", "leases", "access", "governance", "status_changes"):
        assert [r["tx"] for r in fresh[key]] == [r["tx"] for r in first[key]]
    receipt = trail["tmp"] / "data.aiprov.json"
    again = cli.json("audit", "dataset", trail["d2"], "--format", "json", "--receipt", receipt)
    assert again["subject"]["metadata_available"] is True and again["subject"]["name"] == "reviews-v2"


def test_explorer_links_from_aiprov_toml(anvil_cli, tmp_path, monkeypatch):
    import os

    cli, trail = anvil_cli, make_trail(anvil_cli, tmp_path)
    url = os.environ["AIPROV_RPC_URL"]
    (tmp_path / "aiprov.toml").write_text(
        f'[networks.anvil]\nrpc_url = "{url}"\nexplorer_url = "https://explorer.example/"\n')
    monkeypatch.chdir(tmp_path)
    doc = cli.json("audit", "dataset", trail["d2"], "--format", "json")
    assert doc["header"]["explorer_url"] == "https://explorer.example"
    html = cli("audit", "dataset", trail["d2"], "--format", "html").stdout
    assert f'href="https://explorer.example/tx/{doc["access"][0]["tx"]}"' in html


def test_audit_bad_input_and_unknown_ids(cli, trail, tmp_path):
    assert cli("audit", "dataset", 999).exit_code == 1  # not registered: the check does not hold
    assert cli("audit", "dataset", "abc").exit_code == 2
    assert cli("audit", "thing", 1).exit_code == 2
    assert cli("audit", "dataset", trail["d2"], "--format", "pdf").exit_code == 2
    res = cli("audit", "dataset", trail["d2"], "-o", tmp_path / "no" / "such" / "dir" / "r.md")
    assert res.exit_code == 2 and "does not exist" in res.stderr
    assert not (tmp_path / "no").exists()
    assert "--account" not in cli("audit", "--help").stdout  # read-only: nothing to sign
