"""The standard CREATE2 deployment proxy: its address, its code, the addresses it creates.

Arachnid's deterministic deployment proxy is present on Anvil, Sepolia, mainnet and most
chains (and in ``local``'s genesis); calldata = salt (32 bytes) ++ initcode, and it creates
the contract with CREATE2, so the same initcode and salt give the same address everywhere.
"""

from __future__ import annotations

from ..manifest.keccak import keccak256

CREATE2_DEPLOYER = bytes.fromhex("4e59b44847b379578588920ca78fbf26c0b4956c")
CREATE2_DEPLOYER_CODE = bytes.fromhex(
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f5"
    "8015156039578182fd5b8082525050506014600cf3"
)


def create2_address(initcode: bytes, salt: bytes, deployer: bytes = CREATE2_DEPLOYER) -> bytes:
    """The address CREATE2 gives ``initcode`` deployed by ``deployer`` with ``salt``."""
    return keccak256(b"\xff" + deployer + salt + keccak256(initcode))[12:]
