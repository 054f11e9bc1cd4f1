"""Anchoring a gateway's access-log batches through the library (what ``aiprov serve`` calls),
on the embedded chain and on a real Anvil: owner or manager only, ids in order, and the
anchored chain checked against the head the contract holds."""

from __future__ import annotations

import pytest
from helpers import write_files

from aiprov import Client
from aiprov.chain.accounts import dev_signer
from aiprov.contracts.access_leases import access_batch_head
from aiprov.errors import ContractRefused, InvalidArgument

DEV = {i: dev_signer(i).address for i in range(5)}


@pytest.fixture
def asset(cli, tmp_path):
    reg = cli.json("register", "dataset", write_files(tmp_path / "d", {"a.csv": "x\n1\n"}))
    cli.json("manager", "add", f"dataset:{reg['id']}", "dev:3")  # the gateway's operator
    return f"dataset:{reg['id']}"


def test_operator_anchors_batches_that_verify(cli, asset):
    roots = [bytes([i + 1]) * 32 for i in range(3)]
    operator = Client(account="dev:3")
    first = operator.anchor_access_batch(asset, roots[0], 1)
    second = operator.anchor_access_batch(asset, "0x" + roots[1].hex(), 10_000)
    third = Client().anchor_access_batch(asset, roots[2], 7)  # the owner (dev:0) may too
    assert [b.batch_id for b in (first, second, third)] == [1, 2, 3]
    assert first.prev_head == "0x" + "00" * 28 and second.prev_head == first.head
    assert first.operator == DEV[3] and third.operator == DEV[0]
    kind, asset_id = asset.split(":")
    assert first.head == "0x" + access_batch_head(bytes(28), roots[0], 1, 1, kind, int(asset_id)).hex()

    log = Client().access_batches(asset)
    assert log.verified and log.problem is None and log.head == third.head
    assert [(b.batch_id, b.count, b.batch_root) for b in log.batches] == [
        (1, 1, "0x" + roots[0].hex()), (2, 10_000, "0x" + roots[1].hex()), (3, 7, "0x" + roots[2].hex())]
    assert log.to_json()["count"] == 3


def test_only_owner_or_manager_and_well_formed_batches(cli, asset):
    with pytest.raises(ContractRefused) as err:  # the contract's rules refuse: exit 1
        Client(account="dev:4").anchor_access_batch(asset, b"\1" * 32, 1)
    assert err.value.error_name == "LeaseUnauthorized" and err.value.exit_code == 1
    for root, count in [(b"\0" * 32, 1), ("0x1234", 1), (b"\1" * 32, 0), (b"\1" * 32, 2**64)]:
        with pytest.raises(InvalidArgument):
            Client(account="dev:3").anchor_access_batch(asset, root, count)
    assert Client().access_batches(asset).batches == []
