"""The HTTP transport under the JSON-RPC client: proxies from the environment, never for loopback."""

from __future__ import annotations

import pytest
from anvil_fixture import anvil, anvil_factory  # noqa: F401  (fixtures)
from test_faults import FaultProxy

from aiprov.chain.jsonrpc import JsonRpcClient

pytestmark = pytest.mark.anvil


def test_http_proxy_from_the_environment_is_used_for_remote_hosts_only(anvil, monkeypatch):
    proxy = FaultProxy(anvil.url)  # forwards every POST to the node, whatever the URL asked for
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        # a host that does not resolve: only the proxy can answer (no DNS look-up of it is made here)
        remote = JsonRpcClient("http://rpc.aiprov-test.invalid:8545/v3/KEY", retries=0, timeout=5)
        assert int(remote.request("eth_chainId"), 16) == anvil.chain_id
        assert [outcome for _, outcome in proxy.calls("eth_chainId")] == ["forwarded"]
        local = JsonRpcClient(anvil.url, retries=0, timeout=5)  # loopback: straight to the node
        assert int(local.request("eth_chainId"), 16) == anvil.chain_id
        assert len(proxy.calls("eth_chainId")) == 1
        monkeypatch.setenv("NO_PROXY", "aiprov-test.invalid")
        bypass = JsonRpcClient("http://rpc.aiprov-test.invalid:8545", retries=0, timeout=5)
        with pytest.raises(Exception, match="unknown host|cannot reach"):
            bypass.request("eth_chainId")
    finally:
        proxy.close()
