"""Finding aiprov's contracts on any chain without local state: CREATE2 addresses and code checks.

A machine that has never run aiprov (a CI runner, an auditor's laptop) finds the
contracts with nothing but an RPC URL:

1. the address a receipt or proof names (``hint``), when it passes the code check;
2. the **canonical address**: ``aiprov deploy`` creates every contract through the
   standard CREATE2 proxy (``0x4e59…956C``) with one salt, so its address is
   ``keccak256(0xff ++ proxy ++ salt ++ keccak256(initcode))[12:]`` — computed here
   from the shipped artifacts, the same on every chain;
3. ``$AIPROV_HOME/deployments.json``, a cache (it also remembers contracts deployed
   with plain CREATE on a chain that has no CREATE2 proxy, and deployment blocks).

An address is trusted only when the code there is the shipped code: the runtime
code must equal the artifact's ``deployedBytecode`` byte for byte, except the
immutable slots (the registry addresses ModelRegistry and AccessLeases are
built with), which must hold exactly the addresses that the contract's own
getters report — and those linked contracts are checked the same way. When no
candidate passes, :class:`~aiprov.errors.NotDeployed` (exit 3) says which check
failed where.

The deployment block (where event scans start, see :mod:`aiprov.chain.events`)
comes from the cache, else from a binary search over ``eth_getCode`` at past
blocks (about 25 calls once per chain; block 0 when the node keeps no history).

    >>> from aiprov.contracts.discovery import canonical_address, locate
    >>> found = locate(backend, home, "DatasetRegistry")        # or hint=receipt address
    >>> found.address, found.deploy_block, found.source
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..chain.backend import Backend
from ..errors import ChainError, NotDeployed
from . import load_artifact

#: Constructor arguments of each contract, in order: the addresses of these contracts.
LINKS: dict[str, tuple[str, ...]] = {
    "DatasetRegistry": (),
    "ModelRegistry": ("DatasetRegistry",),
    "AccessLeases": ("DatasetRegistry", "ModelRegistry"),
}
#: The getter through which each linked address can be read back from the contract.
_GETTERS = {"DatasetRegistry": "datasetRegistry", "ModelRegistry": "modelRegistry"}


@dataclass(frozen=True)
class Located:
    """Where one contract is, how it was found, and the block it was deployed in."""

    name: str
    address: bytes
    source: str  # "receipt" | "canonical" | "cache" | "deployed"
    deploy_block: int
    links: tuple[bytes, ...] = ()

    @property
    def checksum_address(self) -> str:
        return checksum(self.address)


def checksum(address: bytes) -> str:
    """EIP-55 checksummed form of a 20-byte address."""
    from eth_utils import to_checksum_address

    return to_checksum_address(bytes(address))


def parse_hex_address(value: str) -> bytes | None:
    """20 bytes from ``0x…`` (any case), or None when it is not an address."""
    if not isinstance(value, str) or len(value) != 42 or not value.startswith(("0x", "0X")):
        return None
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        return None


def _word(address: bytes) -> bytes:
    return bytes(address).rjust(32, b"\x00")


@cache
def _runtime(name: str) -> bytes:
    return bytes.fromhex(load_artifact(name)["deployedBytecode"].removeprefix("0x"))


def initcode(name: str, links: tuple[bytes, ...] = ()) -> bytes:
    """Creation code of ``name`` with its constructor arguments (the linked addresses)."""
    bytecode = bytes.fromhex(load_artifact(name)["bytecode"].removeprefix("0x"))
    return bytecode + b"".join(_word(a) for a in links)  # address arguments: one word each


def canonical_address(name: str, links: tuple[bytes, ...] | None = None) -> bytes:
    """Where ``aiprov deploy`` puts ``name`` through the CREATE2 proxy (``links``: default canonical ones)."""
    from .deployments import create2_address

    if links is None:
        links = tuple(canonical_address(dep) for dep in LINKS[name])
    return create2_address(initcode(name, links))


def expected_runtime(name: str, code: bytes, links: tuple[bytes, ...]) -> bytes:
    """The artifact's runtime code with its immutable slots filled as ``code`` has them.

    Solidity leaves each immutable as 32 zero bytes in ``deployedBytecode``; a
    slot is filled only where ``code`` holds one of the ``links`` there, so any
    other difference remains and the comparison fails.
    """
    art = bytearray(_runtime(name))
    if len(code) != len(art):
        return bytes(art)
    zero = bytes(32)
    for address in links:
        word = _word(address)
        start = code.find(word)
        while start != -1:
            if art[start:start + 32] == zero:
                art[start:start + 32] = word
            start = code.find(word, start + 1)
    return bytes(art)


def code_problem(backend: Backend, name: str, address: bytes) -> tuple[str | None, tuple[bytes, ...]]:
    """(None, links) when ``address`` holds the shipped ``name``; else (what is wrong, ())."""
    code = backend.get_code(address)
    where = checksum(address)
    if not code:
        return f"no contract code at {where}", ()
    links: list[bytes] = []
    if LINKS[name]:
        from .contract import Contract

        try:
            contract = Contract(backend, name, address)
            for dep in LINKS[name]:
                links.append(bytes.fromhex(contract.call(_GETTERS[dep])[2:]))
        except (ChainError, NotDeployed):
            raise
        except Exception:  # noqa: BLE001 - a reverting or undecodable getter: not our contract
            return f"the code at {where} is not aiprov's {name} (its getters do not answer)", ()
    if code != expected_runtime(name, code, tuple(links)):
        return f"the code at {where} is not the shipped {name} (another version or another contract)", ()
    for dep, linked in zip(LINKS[name], links):
        problem, _ = code_problem(backend, dep, linked)
        if problem:
            return f"{name} at {where} is built on {dep} {checksum(linked)}, but {problem}", ()
    return None, tuple(links)


def deployment_block(backend: Backend, address: bytes) -> int:
    """The first block with code at ``address``: binary search over ``eth_getCode`` at past blocks.

    0 when the node cannot answer for past blocks (a pruned node): scans then
    start at genesis, which is slower but still right.
    """
    high = backend.block_number()
    low = 0
    try:
        if backend.get_code(address, block=0):
            return 0
        while low + 1 < high:
            mid = (low + high) // 2
            if backend.get_code(address, block=mid):
                high = mid
            else:
                low = mid
    except ChainError:
        return 0
    return high


def _genesis(backend: Backend) -> str:
    return "0x" + backend.get_block(0).hash.hex()


def locate(
    backend: Backend,
    home: Path | None,
    name: str,
    *,
    hint: bytes | None = None,
    links: tuple[bytes, ...] | None = None,
    warnings: list[str] | None = None,
    hint_from: str = "the receipt",
) -> Located | None:
    """Find ``name`` on ``backend``'s chain (see the module docstring); None when it is nowhere.

    ``links``: the addresses of the contracts it must be built on (default: the
    canonical ones). ``warnings`` collects what a user should know (a receipt's
    address that differs from where the contract was found, or that failed).
    """
    return _search(backend, home, name, hint, links, warnings, hint_from)[0]


def require(
    backend: Backend,
    home: Path | None,
    name: str,
    *,
    hint: bytes | None = None,
    links: tuple[bytes, ...] | None = None,
    warnings: list[str] | None = None,
    hint_from: str = "the receipt",
) -> Located:
    """:func:`locate`, or :class:`NotDeployed` (exit 3) saying what was checked where."""
    found, problems = _search(backend, home, name, hint, links, warnings, hint_from)
    if found is not None:
        return found
    raise NotDeployed(
        f"{name} is not deployed on {backend.network} (chain {backend.chain_id}): {'; '.join(problems)}",
        hint="deploy once per chain with `aiprov deploy` (the addresses are the same on every chain), "
        "or pass --receipt naming where it is",
    )


def _search(backend, home, name, hint, links, warnings, hint_from) -> tuple[Located | None, list[str]]:
    from .deployments import Deployments

    warnings = warnings if warnings is not None else []
    cache_file = Deployments(home) if home is not None else None
    genesis = _genesis(backend)
    cached = cache_file.lookup(backend.chain_id, genesis, name) if cache_file else None
    canonical = canonical_address(name, links)
    candidates: list[tuple[bytes, str]] = []
    if hint is not None:
        candidates.append((bytes(hint), "receipt"))
    candidates.append((canonical, "canonical"))
    if cached and cached.get("address"):
        cached_address = parse_hex_address(cached["address"])
        if cached_address is not None:
            candidates.append((cached_address, "cache"))
    problems: list[str] = []
    seen: set[bytes] = set()
    for address, source in candidates:
        if address in seen:
            continue
        seen.add(address)
        problem, found_links = code_problem(backend, name, address)
        if problem:
            problems.append(problem)
            if source == "receipt":
                warnings.append(f"{hint_from} names {name} {checksum(address)}, but {problem}")
            continue
        if links is not None and found_links != tuple(links):
            problems.append(f"{name} at {checksum(address)} is built on other registries")
            continue
        if source == "receipt" and address != canonical and hint_from == "the receipt":
            warnings.append(f"{hint_from} names {name} {checksum(address)}, not the canonical {checksum(canonical)}; "
                            "using the receipt's")
        same = cached is not None and parse_hex_address(cached.get("address") or "") == address
        block = cached.get("block") if same else None
        if not isinstance(block, int):
            block = deployment_block(backend, address)
            if cache_file is not None:
                cache_file.remember(backend, genesis, name, address, block)
        return Located(name=name, address=address, source=source, deploy_block=block, links=found_links), []
    return None, list(dict.fromkeys(problems))
