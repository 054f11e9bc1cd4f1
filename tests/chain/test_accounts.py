"""Dev accounts and transaction signing."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.hdaccount import key_from_seed, seed_from_mnemonic
from hypothesis import given, settings
from hypothesis import strategies as st

from aiprov.chain.accounts import resolve_signer, sign_eip1559, signer_from_private_key
from aiprov.chain.devkeys import DEV_ACCOUNT_COUNT, DEV_DERIVATION_PATH, DEV_MNEMONIC, dev_private_key
from aiprov.errors import AccountError, InvalidArgument


def test_written_out_dev_keys_are_the_mnemonic_derivation():
    seed = seed_from_mnemonic(DEV_MNEMONIC, "")
    for i in range(DEV_ACCOUNT_COUNT):
        assert dev_private_key(i) == key_from_seed(seed, DEV_DERIVATION_PATH.format(index=i))


@settings(max_examples=60, deadline=None)
@given(
    nonce=st.integers(0, 2**64 - 1),
    gas=st.integers(21_000, 30_000_000),
    fee=st.integers(0, 10**12),
    tip=st.integers(0, 10**10),
    value=st.integers(0, 10**24),
    data=st.binary(max_size=300),
    create=st.booleans(),
    chain_id=st.sampled_from([1, 1337, 31337, 11155111]),
)
def test_eip1559_signing_matches_eth_account(nonce, gas, fee, tip, value, data, create, chain_id):
    key = dev_private_key(3)
    tx = {"type": 2, "chainId": chain_id, "nonce": nonce, "gas": gas, "maxFeePerGas": fee,
          "maxPriorityFeePerGas": tip, "value": value, "data": data}
    if not create:
        tx["to"] = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert sign_eip1559(tx, key) == bytes(Account.sign_transaction(tx, key).raw_transaction)


def test_signer_never_shows_its_key():
    key = "0x" + "5a" * 32
    signer = signer_from_private_key(key, "AIPROV_PRIVATE_KEY")
    assert "5a" * 32 not in repr(signer) and "5a" * 32 not in str(signer)
    with pytest.raises(InvalidArgument) as err:  # a malformed key is bad input: exit 2
        signer_from_private_key("0x" + "5a" * 31 + "zz", "AIPROV_PRIVATE_KEY")
    assert "5a5a" not in str(err.value)


def test_resolving_accounts():
    assert resolve_signer(None, dev_network=True).name == "dev:0"
    assert resolve_signer("dev:4", dev_network=True).address == "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
    assert resolve_signer("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", dev_network=True).name == "dev:4"
    with pytest.raises(AccountError):
        resolve_signer("dev:0", dev_network=False)
    with pytest.raises(AccountError):
        resolve_signer(None, dev_network=False)
    with pytest.raises(InvalidArgument):
        resolve_signer("dev:10", dev_network=True)
