"""Typed binding for any ERC-20 token (EIP-20 plus the optional ``symbol`` / ``decimals``).

Lease prices may be set in a token (AccessLeases.setPrice); aiprov reads its symbol and
decimals to show amounts, and approves AccessLeases before a purchase. The ABI is the
standard's, written here (tokens are not aiprov's contracts, so there is no artifact), with
OpenZeppelin's ERC-20 errors so that their reverts are decoded.
"""

from __future__ import annotations

from functools import cache

from ..chain.accounts import Signer
from ..chain.types import TxReceipt
from .abi import ContractABI
from .contract import Contract


def _fn(name: str, inputs: list[tuple[str, str]], outputs: list[str], mutability: str = "view") -> dict:
    return {"type": "function", "name": name, "stateMutability": mutability,
            "inputs": [{"name": n, "type": t} for n, t in inputs],
            "outputs": [{"name": "", "type": t} for t in outputs]}


def _error(name: str, inputs: list[tuple[str, str]]) -> dict:
    return {"type": "error", "name": name, "inputs": [{"name": n, "type": t} for n, t in inputs]}


ERC20_ABI: list[dict] = [
    _fn("symbol", [], ["string"]),
    _fn("decimals", [], ["uint8"]),
    _fn("balanceOf", [("account", "address")], ["uint256"]),
    _fn("allowance", [("owner", "address"), ("spender", "address")], ["uint256"]),
    _fn("approve", [("spender", "address"), ("value", "uint256")], ["bool"], "nonpayable"),
    _error("ERC20InsufficientBalance", [("sender", "address"), ("balance", "uint256"), ("needed", "uint256")]),
    _error("ERC20InsufficientAllowance", [("spender", "address"), ("allowance", "uint256"), ("needed", "uint256")]),
]


@cache
def _abi() -> ContractABI:
    return ContractABI(ERC20_ABI)


class ERC20(Contract):
    """An ERC-20 token at ``address``."""

    def __init__(self, backend, address: bytes) -> None:  # no artifact: the standard ABI
        self.backend = backend
        self.name = "ERC20"
        self.address = bytes(address)
        self.abi = _abi()

    def symbol(self) -> str:
        return self.call("symbol")

    def decimals(self) -> int:
        return self.call("decimals")

    def balance_of(self, account: str) -> int:
        return self.call("balanceOf", account)

    def allowance(self, owner: str, spender: str) -> int:
        return self.call("allowance", owner, spender)

    def approve(self, signer: Signer, spender: str, amount: int) -> TxReceipt:
        return self.transact(signer, "approve", spender, amount)
