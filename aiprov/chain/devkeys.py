"""The prefunded development accounts, identical on ``local`` and Anvil.

Both chains derive them from Foundry's well-known test mnemonic on the path
``m/44'/60'/0'/0/N``, so ``dev:0`` is 0xf39F…2266 everywhere. These keys are
public knowledge; they must never hold real funds.
"""

from __future__ import annotations

from functools import lru_cache

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 10
DEV_BALANCE_WEI = 10_000 * 10**18


@lru_cache(maxsize=1)
def _seed() -> bytes:
    from eth_account.hdaccount import seed_from_mnemonic

    return seed_from_mnemonic(DEV_MNEMONIC, "")


@lru_cache(maxsize=None)
def dev_private_key(index: int) -> bytes:
    """The private key of ``dev:index``."""
    from eth_account.hdaccount import key_from_seed

    if not 0 <= index < DEV_ACCOUNT_COUNT:
        raise IndexError(index)
    return key_from_seed(_seed(), f"m/44'/60'/0'/0/{index}")


@lru_cache(maxsize=None)
def dev_address(index: int) -> bytes:
    """The canonical (20-byte) address of ``dev:index``."""
    from eth_keys import keys

    return keys.PrivateKey(dev_private_key(index)).public_key.to_canonical_address()
