"""Block times in bulk: the embedded chain's index answers in one query and equals the headers."""

from __future__ import annotations

from anvil_fixture import anvil, anvil_factory  # noqa: F401  (fixtures)

from aiprov.chain.accounts import dev_signer
from aiprov.chain.devkeys import dev_address
from aiprov.chain.local import LocalChain
from aiprov.chain.transactions import send_transaction


def _mine(chain, n: int) -> None:
    for _ in range(n):
        send_transaction(chain, dev_signer(0), dev_address(1), b"", value=1, what="transfer")


def test_indexed_block_times_equal_the_headers(tmp_path):
    with LocalChain(tmp_path) as chain:
        chain.advance_time(3600)
        _mine(chain, 4)
        head = chain.block_number()
        times = chain.block_timestamps(range(head + 1))
        assert times == {n: chain.get_block(n).timestamp for n in range(head + 1)}
        assert times[head] >= times[1] + 3600 or times[1] >= times[0] + 3600


def test_blocks_mined_before_the_index_are_backfilled_once(tmp_path):
    with LocalChain(tmp_path) as chain:
        _mine(chain, 3)
        head = chain.block_number()
        chain.kv.conn.execute("DELETE FROM block_times")  # a chain written before the index existed
        expected = {n: chain.get_block(n).timestamp for n in range(head + 1)}
    with LocalChain(tmp_path) as chain:
        assert chain.block_timestamps(range(head + 1)) == expected
    with LocalChain(tmp_path) as chain:  # the back-fill was committed: the index alone answers now
        assert chain.kv.block_times(list(range(head + 1))) == expected


def test_rpc_backend_block_times_equal_its_blocks(anvil, tmp_path):
    from aiprov.chain.networks import open_backend

    backend = open_backend(None, tmp_path, rpc_url=anvil.url)
    try:
        head = backend.block_number()
        assert backend.block_timestamps([0, head]) == {0: backend.get_block(0).timestamp,
                                                      head: backend.get_block(head).timestamp}
    finally:
        backend.close()
