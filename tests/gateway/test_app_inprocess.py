"""The app in-process (Starlette's TestClient, the real local chain): per-account rate limits,
the manifest index, and no data without a durable log entry."""

from __future__ import annotations

import pytest
from gw_support import signed_headers
from starlette.testclient import TestClient

from aiprov import Client
from aiprov.gateway.request import Domain
from aiprov.gateway.server import ServeOptions, build, prepare


@pytest.fixture
def app(leased, tmp_path):
    assert leased.network == "local"  # local_only: the subprocess suites cover Anvil
    client = Client()
    prepared = prepare(client, leased.data, "dataset:1", log_path=tmp_path / "log.sqlite")
    app, gateway = build(client, prepared, ServeOptions(rate=2, burst=4, batch_interval=3600))
    domain = Domain(prepared.chain_id, prepared.contract)
    with TestClient(app) as http:
        yield http, gateway, domain


@pytest.mark.local_only
def test_rate_limits_per_account_and_per_unsigned_client(app):
    http, gateway, dom = app
    codes = [http.get("/v1/files/README.md", headers=signed_headers(dom, "README.md")).status_code for _ in range(8)]
    assert codes[:4] == [200] * 4 and 429 in codes[4:]
    limited = next(r for r in (http.get("/v1/files/README.md", headers=signed_headers(dom, "README.md"))
                                for _ in range(10)) if r.status_code == 429)
    assert limited.headers["retry-after"] == "1" and limited.json()["error"]["reason"] == "rate-limited"
    assert b"reviews" not in limited.content
    # another account is not slowed by the first one
    assert http.get("/v1/files/README.md", headers=signed_headers(dom, "README.md", dev=0)).status_code == 200
    unsigned = [http.get("/v1/files/README.md").status_code for _ in range(8)]
    assert unsigned[:4] == [401] * 4 and 429 in unsigned[4:]
    entries = gateway.log.entries()
    assert [e.reason for e in entries].count("rate-limited") >= 2
    assert all(e.bytes == 0 for e in entries if not e.granted)


@pytest.mark.local_only
def test_nothing_is_served_when_the_log_cannot_be_written(app):
    http, gateway, dom = app

    # a real SQLite "database or disk is full": the file may not grow by one more page
    pages = gateway.log._conn.execute("PRAGMA page_count").fetchone()[0]
    gateway.log._conn.execute(f"PRAGMA max_page_count = {pages}")
    for _ in range(200):  # fill the last page
        http.get("/v1/files/README.md")
    r = http.get("/v1/files/README.md", headers=signed_headers(dom, "README.md"))
    assert r.status_code == 503 and r.json()["error"]["reason"] == "log-unavailable"
    assert b"reviews" not in r.content
