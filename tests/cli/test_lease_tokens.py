"""Selling access in an ERC-20 token and splitting the proceeds among payees, through the CLI,
on the embedded chain and on a real Anvil. The token is OpenZeppelin's ERC-20
(tests/contracts/fixtures/TestToken.sol, compiled with the pinned solc), deployed on the chain
under test like any token would be."""

from __future__ import annotations

import pytest
from eth_abi import encode
from helpers import write_files

from aiprov import Client
from aiprov.chain.accounts import dev_signer
from aiprov.chain.transactions import send_transaction
from aiprov.contracts.erc20 import ERC20
from aiprov.manifest.keccak import keccak256
from tools.contracts.fixtures import compiled

DEV = {i: dev_signer(i).address for i in range(6)}
UNIT = 10**6  # TUSD has 6 decimals


def _deploy(name: str, types: list[str], args: list) -> str:
    """Deploy a fixture contract from dev:0 on the chain the CLI is pointed at."""
    bytecode = bytes.fromhex(compiled()[name]["bytecode"][2:]) + encode(types, args)
    with Client() as client, client.session() as s:
        receipt = send_transaction(s.backend, dev_signer(0), None, bytecode, what=f"deploy {name}")
        return "0x" + receipt.contract_address.hex()


def _mint(token: str, to: str, amount: int) -> None:
    data = keccak256(b"mint(address,uint256)")[:4] + encode(["address", "uint256"], [to, amount])
    with Client() as client, client.session() as s:
        send_transaction(s.backend, dev_signer(0), bytes.fromhex(token[2:]), data, what="mint")


def _balance(token: str, account: str) -> int:
    with Client() as client, client.session() as s:
        return ERC20(s.backend, bytes.fromhex(token[2:])).balance_of(account)


@pytest.fixture
def asset(cli, tmp_path):
    reg = cli.json("register", "dataset", write_files(tmp_path / "d", {"a.csv": "x\n1\n"}))
    return f"dataset:{reg['id']}"


@pytest.fixture
def tusd(cli):
    """A 6-decimal TestToken with 100 TUSD minted to dev:3 (the buyer)."""
    token = _deploy("TestToken", ["string", "string", "uint8"], ["Test USD", "TUSD", 6])
    _mint(token, DEV[3], 100 * UNIT)
    return token


def test_sell_in_a_token_split_among_payees_and_withdraw(cli, asset, tusd):
    price = cli.json("lease", "price", asset, "--per-day", "2.5TUSD", "--token", tusd)
    assert (price["price_per_day"], price["token"].lower(), price["symbol"], price["decimals"]) == (
        2_500_000, tusd, "TUSD", 6)
    assert price["price_per_day_text"] == "2.5 TUSD"
    shown = cli("lease", "price", asset)
    assert "2.5 TUSD per day" in shown.stdout and "6 decimals" in shown.stdout

    split = cli.json("payees", "set", asset, "dev:1=2", "dev:2=1")
    assert [(p["address"], p["shares"]) for p in split["payees"]] == [(DEV[1], 2), (DEV[2], 1)]
    assert cli.json("payees", "set", asset, "dev:1=2", "dev:2=1")["tx"] is None  # already so

    bought = cli.json("lease", "buy", asset, "--days", "3", "--account", "dev:3")  # approves, then buys
    assert bought["paid"] == 7_500_000 and bought["token"].lower() == tusd
    assert bought["paid_until"] == bought["expires_at"]
    assert _balance(tusd, DEV[3]) == 100 * UNIT - 7_500_000
    assert cli("lease", "check", asset, DEV[3]).exit_code == 0
    res = cli("lease", "revoke", asset, DEV[3])  # paid: not before it ends
    assert res.exit_code != 0 and "cannot be revoked before it ends" in res.stderr

    w1 = cli.json("lease", "withdraw", "--token", tusd, "--account", "dev:1")
    assert (w1["amount"], w1["amount_text"]) == (5_000_000, "5 TUSD")
    w2 = cli.json("lease", "withdraw", "--token", tusd, "--account", "dev:2")
    assert w2["amount"] == 2_500_000
    assert (_balance(tusd, DEV[1]), _balance(tusd, DEV[2])) == (5_000_000, 2_500_000)
    assert cli.json("lease", "withdraw", "--token", tusd, "--account", "dev:1")["tx"] is None
    assert cli.json("lease", "withdraw", "--account", "dev:1")["amount"] == 0  # nothing in ETH
    assert cli.json("lease", "withdraw", "--token", tusd)["amount"] == 0  # the owner had no share

    assert cli.json("payees", "clear", asset)["payees"] == []
    assert "all proceeds go to its owner" in cli("payees", "show", asset).stdout


def test_a_buyer_without_enough_tokens_is_told_before_anything_is_sent(cli, asset, tusd):
    cli.json("lease", "price", asset, "--per-day", "60TUSD", "--token", tusd)
    res = cli("lease", "buy", asset, "--days", "2", "--account", "dev:3")
    assert res.exit_code != 0
    assert "cost 120 TUSD" in res.stderr and "has 100 TUSD" in res.stderr
    assert _balance(tusd, DEV[3]) == 100 * UNIT


def test_a_fee_on_transfer_token_is_refused(cli, asset):
    fee = _deploy("FeeToken", [], [])
    _mint(fee, DEV[3], 10**20)
    cli.json("lease", "price", asset, "--per-day", "1tokens", "--token", fee)  # FEE: symbol-less form
    res = cli("lease", "buy", asset, "--days", "1", "--account", "dev:3")
    assert res.exit_code != 0 and "LeaseTokenNotExact" in res.stderr, res.output
    assert cli("lease", "check", asset, DEV[3]).exit_code == 1
    assert _balance(fee, DEV[3]) == 10**20  # nothing moved
    with Client() as client, client.session() as s:  # and the approval was taken back
        assert ERC20(s.backend, bytes.fromhex(fee[2:])).allowance(DEV[3], s.leases.checksum_address) == 0


def test_payees_need_the_owner_and_well_formed_shares(cli, asset):
    res = cli("payees", "set", asset, "dev:1=1", "--account", "dev:1")
    assert res.exit_code != 0 and "owner" in res.stderr
    for bad in (["dev:1"], ["dev:1=0"], ["dev:1=x"], ["dev:1=1", "dev:1=2"], ["0x12=1"],
                [f"dev:{i % 10}=1" for i in range(17)]):
        res = cli("payees", "set", asset, *bad)
        assert res.exit_code == 2, (bad, res.output)
    res = cli("lease", "price", asset, "--per-day", "1", "--token", DEV[4])  # an account, no code
    assert res.exit_code == 2 and "not a token" in res.stderr
    res = cli("lease", "price", asset, "--token", DEV[4])
    assert res.exit_code == 2
