"""Separate state folders, one account, one real Anvil: parallel deploys and sends all succeed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from anvil_fixture import anvil  # noqa: F401  (fixture)
from helpers import write_files

pytestmark = pytest.mark.slow


def _parallel(commands, tmp_path, url):
    """Start every command at once, each with its own AIPROV_HOME; [(code, stdout, stderr)]."""
    procs = []
    for i, args in enumerate(commands):
        env = {**os.environ, "AIPROV_HOME": str(tmp_path / f"home{i}"), "AIPROV_NETWORK": "anvil",
               "AIPROV_RPC_URL": url}
        procs.append(subprocess.Popen([sys.executable, "-m", "aiprov", *map(str, args)], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return [(p.wait(timeout=180), p.stdout.read(), p.stderr.read()) for p in procs]


def test_parallel_deploys_on_a_fresh_node_all_succeed(anvil, tmp_path):
    results = _parallel([["deploy", "--json"]] * 4, tmp_path, anvil.url)
    assert all(code == 0 for code, _, _ in results), [(c, e[-300:]) for c, _, e in results]
    docs = [json.loads(out) for _, out, _ in results]
    addresses = {tuple(c["address"] for c in d["contracts"]) for d in docs}
    assert len(addresses) == 1  # one set of contracts, found or deployed by each


def test_parallel_sends_from_separate_state_folders_retry_nonces(anvil, tmp_path):
    assert all(r[0] == 0 for r in _parallel([["deploy"]] * 5, tmp_path, anvil.url))  # each folder records them
    datas = [write_files(tmp_path / f"d{i}", {"f.txt": f"content {i}"}) for i in range(5)]
    results = _parallel([["register", "dataset", d, "--json"] for d in datas], tmp_path, anvil.url)
    assert all(code == 0 for code, _, _ in results), [(c, e[-300:]) for c, _, e in results]
    ids = sorted(json.loads(out)["id"] for _, out, _ in results)
    assert ids == [1, 2, 3, 4, 5]  # five roots, five registrations, each run its own id


def test_parallel_registrations_of_one_root_each_report_their_own_id(anvil, tmp_path):
    assert all(r[0] == 0 for r in _parallel([["deploy"]] * 4, tmp_path, anvil.url))
    data = write_files(tmp_path / "same", {"f.txt": "one root"})
    results = _parallel([["register", "dataset", data, "--json", "--receipt", tmp_path / f"r{i}.json"]
                         for i in range(4)], tmp_path, anvil.url)
    assert all(code == 0 for code, _, _ in results), [(c, e[-300:]) for c, _, e in results]
    docs = [json.loads(out) for _, out, _ in results]
    first = min(d["id"] for d in docs)
    for d in docs:
        # an id created by this run's own transaction (or found before sending), never a guess by root
        assert d["already_registered"] or d["tx"]
        if d["id"] != first and not d["already_registered"]:
            assert d["duplicate_of"] == first, d
        if d["id"] == first:
            assert d["duplicate_of"] is None
