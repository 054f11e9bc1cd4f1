"""Upgrading aiprov to contracts with other bytecode, on the embedded chain.

The CREATE2 addresses follow from the bytecode, so the new version deploys new, empty
registries beside the earlier ones. Nothing is lost: the earlier deployment is kept in
deployments.json under ``superseded``, and "not found" says where the earlier
registrations are instead of leaving the user with "0 datasets registered".
"""

from __future__ import annotations

import json

from helpers import CLI, write_files

from aiprov.chain.accounts import dev_signer
from aiprov.chain.create2 import CREATE2_DEPLOYER
from aiprov.chain.local import LocalChain
from aiprov.chain.transactions import send_transaction
from aiprov.contracts.deployments import CREATE2_SALT, create2_address
from aiprov.contracts.discovery import canonical_address, checksum


def _earlier_registry(home) -> tuple[str, str]:
    """Some other code at its own CREATE2 address, recorded as an earlier aiprov's DatasetRegistry."""
    runtime = bytes.fromhex("600160005260206000f3")  # returns 1 for every call: not the shipped code
    initcode = bytes.fromhex("69") + runtime + bytes.fromhex("600052600a6016f3")  # PUSH10 code; MSTORE; RETURN
    with LocalChain(home) as chain:
        send_transaction(chain, dev_signer(0), CREATE2_DEPLOYER, CREATE2_SALT + initcode, what="deploy")
        address = create2_address(initcode)
        assert chain.get_code(address) == runtime
        genesis = "0x" + chain.get_block(0).hash.hex()
    entry = {"address": checksum(address), "artifact_hash": "0x" + "11" * 32, "block": 1}
    (home / "deployments.json").write_text(json.dumps({
        "format": "aiprov-deployments/1",
        "chains": {"1337": {"genesis": genesis, "contracts": {"DatasetRegistry": entry}}},
    }))
    return checksum(address), genesis


def test_an_upgrade_keeps_the_earlier_registry_and_not_found_names_it(home, tmp_path):
    earlier, genesis = _earlier_registry(home)
    cli = CLI()
    res = cli("show", "dataset", "1")
    assert res.exit_code == 1
    assert "dataset 1 does not exist on local" in res.stderr and earlier in res.stderr
    assert "earlier aiprov" in res.stderr and "Traceback" not in res.output

    chain = json.loads((home / "deployments.json").read_text())["chains"]["1337"]
    assert chain["genesis"] == genesis
    assert chain["contracts"]["DatasetRegistry"]["address"] == checksum(canonical_address("DatasetRegistry"))
    assert [e["address"] for e in chain["superseded"]["DatasetRegistry"]] == [earlier]

    # the new registry works, and a second look records the earlier one once
    reg = cli.json("register", "dataset", write_files(tmp_path / "d", {"a.csv": "x\n"}))
    assert reg["id"] == 1 and cli.json("show", "dataset", "1")["id"] == 1
    missing = cli.json("show", "dataset", "2", code=1)
    assert missing["error"]["hint"] and earlier in missing["error"]["hint"]
    again = json.loads((home / "deployments.json").read_text())["chains"]["1337"]["superseded"]
    assert [e["address"] for e in again["DatasetRegistry"]] == [earlier]


def test_a_fresh_state_has_nothing_superseded(home):
    res = CLI()("show", "dataset", "1")
    assert res.exit_code == 1 and "earlier aiprov" not in res.stderr
    assert "superseded" not in json.loads((home / "deployments.json").read_text())["chains"]["1337"]
