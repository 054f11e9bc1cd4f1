"""The behaviour suites in this folder run twice: on the embedded chain and on a real Anvil.

Like web3.py's own test suite, the same tests are written once and given each backend by
a fixture. For ``anvil`` a fresh node is started per test (~0.1 s; native binary from
node_modules, free port, stopped by pid), the contracts are deployed with ``aiprov deploy``,
and ``AIPROV_NETWORK=anvil`` / ``AIPROV_RPC_URL`` point every command — in-process or a
subprocess — at it. Tests that are about the embedded chain itself are marked
``local_only`` and run once. In CI the Anvil runs execute, never skip.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chain"))
from anvil_fixture import anvil_factory, start_anvil  # noqa: E402,F401  (fixtures re-exported)

from helpers import CLI  # noqa: E402


@pytest.fixture
def cli(home, backend_name, request, monkeypatch):
    if backend_name == "anvil":
        if request.node.get_closest_marker("local_only"):
            pytest.skip("about the embedded chain only")
        node = request.getfixturevalue("anvil_factory")()
        monkeypatch.setenv("AIPROV_NETWORK", "anvil")
        monkeypatch.setenv("AIPROV_RPC_URL", node.url)
        runner = CLI()
        res = runner("deploy", "--json")
        assert res.exit_code == 0, res.output
        return runner
    return CLI()
