"""The event decoder's fast path for one-word fields equals eth_abi's decoding, value for value."""

from __future__ import annotations

from eth_abi import encode as abi_encode
from hypothesis import given, settings
from hypothesis import strategies as st

from aiprov.chain.types import Log
from aiprov.contracts.abi import ContractABI
from aiprov.manifest.keccak import keccak256

EVENT = {
    "type": "event",
    "name": "Sample",
    "inputs": [
        {"name": "id", "type": "uint256", "indexed": True},
        {"name": "who", "type": "address", "indexed": True},
        {"name": "tag", "type": "string", "indexed": True},
        {"name": "kind", "type": "uint8", "indexed": False},
        {"name": "ok", "type": "bool", "indexed": False},
        {"name": "delta", "type": "int64", "indexed": False},
        {"name": "root", "type": "bytes32", "indexed": False},
        {"name": "short", "type": "bytes4", "indexed": False},
        {"name": "owner", "type": "address", "indexed": False},
    ],
}
MIXED = {
    "type": "event",
    "name": "Mixed",
    "inputs": [
        {"name": "id", "type": "uint256", "indexed": True},
        {"name": "uri", "type": "string", "indexed": False},
        {"name": "ids", "type": "uint256[]", "indexed": False},
    ],
}
ABI = ContractABI([EVENT, MIXED])
SAMPLE_TOPIC = keccak256(b"Sample(uint256,address,string,uint8,bool,int64,bytes32,bytes4,address)")
MIXED_TOPIC = keccak256(b"Mixed(uint256,string,uint256[])")

addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())


def _log(topics, data) -> Log:
    return Log(address=b"\x01" * 20, topics=tuple(topics), data=data, block_number=1, tx_hash=b"\x02" * 32,
               block_hash=b"\x03" * 32, log_index=0, tx_index=0)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**256 - 1), addresses, st.text(max_size=20), st.integers(0, 255), st.booleans(),
       st.integers(-(2**63), 2**63 - 1), st.binary(min_size=32, max_size=32), st.binary(min_size=4, max_size=4),
       addresses)
def test_one_word_fields_decode_like_eth_abi(id_, who, tag, kind, ok, delta, root, short, owner):
    from eth_utils import to_checksum_address

    data = abi_encode(["uint8", "bool", "int64", "bytes32", "bytes4", "address"], [kind, ok, delta, root, short, owner])
    topics = [SAMPLE_TOPIC, id_.to_bytes(32, "big"), bytes(12) + bytes.fromhex(who[2:]), keccak256(tag.encode())]
    ev = ABI.decode_log(_log(topics, data))
    assert ev.name == "Sample"
    assert ev.args == {
        "id": id_, "who": to_checksum_address(who), "tag": keccak256(tag.encode()), "kind": kind, "ok": ok,
        "delta": delta, "root": root, "short": short, "owner": to_checksum_address(owner),
    }


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**256 - 1), st.text(max_size=40), st.lists(st.integers(0, 2**256 - 1), max_size=5))
def test_dynamic_fields_still_go_through_eth_abi(id_, uri, ids):
    data = abi_encode(["string", "uint256[]"], [uri, ids])
    ev = ABI.decode_log(_log([MIXED_TOPIC, id_.to_bytes(32, "big")], data))
    assert ev.args == {"id": id_, "uri": uri, "ids": ids}
