"""Where aiprov's contracts live on each chain, recorded in the state directory.

``$AIPROV_HOME/deployments.json``::

    {"format": "aiprov-deployments/1",
     "chains": {"1337": {"genesis": "0x…", "contracts": {
         "DatasetRegistry": {"address": "0x…", "tx": "0x…", "block": 1,
                             "deployer": "0x…", "code_hash": "0x…"}},
         "superseded": {"DatasetRegistry": [{"address": "0x…", …}]}}}}

``superseded`` lists contracts an earlier aiprov deployed whose code this version no
longer ships (their registrations are still on the chain, at those addresses).

A record is trusted only while the code at its address still hashes to what
was deployed, the shipped artifact is the one that was deployed, and the
chain's genesis block is the one recorded (a wiped local chain or a restarted
Anvil has a new genesis). The ``local``
chain deploys missing contracts on first use; other networks say
"run aiprov deploy" (exit 3).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..chain.accounts import Signer
from ..chain.backend import Backend
from ..chain.create2 import CREATE2_DEPLOYER, CREATE2_DEPLOYER_CODE  # noqa: F401  (re-exported)
from ..chain.create2 import create2_address as _create2_address
from ..chain.transactions import send_transaction
from ..errors import NotDeployed, TransactionFailed
from ..fsutil import atomic_write_text
from ..manifest.keccak import keccak256 as _keccak
from . import load_artifact

FORMAT = "aiprov-deployments/1"


class Deployments:
    """The deployments file of one state directory."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "deployments.json"

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": FORMAT, "chains": {}}
        except (OSError, ValueError):
            # a corrupt record is not fatal: code checks below re-establish the truth
            return {"format": FORMAT, "chains": {}}
        data.setdefault("chains", {})
        return data

    def lookup(self, chain_id: int, genesis: str, name: str) -> dict | None:
        chain = self._read()["chains"].get(str(chain_id))
        if not chain or chain.get("genesis") != genesis:
            return None
        return chain.get("contracts", {}).get(name)

    def record(self, chain_id: int, genesis: str, name: str, entry: dict) -> None:
        data = self._read()
        chain = data["chains"].get(str(chain_id))
        if not chain or chain.get("genesis") != genesis:
            chain = {"genesis": genesis, "contracts": {}}
            data["chains"][str(chain_id)] = chain
        earlier = chain["contracts"].get(name)
        if _superseded_by(earlier, entry):
            kept = chain.setdefault("superseded", {}).setdefault(name, [])
            if earlier["address"].lower() not in {e.get("address", "").lower() for e in kept}:
                kept.append(earlier)
        chain["contracts"][name] = entry
        atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def superseded(self, chain_id: int, genesis: str, name: str) -> list[str]:
        """Addresses of ``name`` that an earlier aiprov deployed on this chain (its contracts changed since)."""
        chain = self._read()["chains"].get(str(chain_id))
        if not chain or chain.get("genesis") != genesis:
            return []
        return [e["address"] for e in chain.get("superseded", {}).get(name, []) if isinstance(e.get("address"), str)]

    def remember(self, backend: Backend, genesis: str, name: str, address: bytes, block: int) -> None:
        """Cache where ``name`` was found and its deployment block; a read-only state dir is fine."""
        from .discovery import checksum

        entry = dict(self.lookup(backend.chain_id, genesis, name) or {})
        if entry.get("address", "").lower() != "0x" + bytes(address).hex():
            entry = {"address": checksum(address)}
        entry.update(block=block, artifact_hash=artifact_hash(name))
        try:
            self.record(backend.chain_id, genesis, name, entry)
        except OSError:
            pass


def _superseded_by(earlier: dict | None, entry: dict) -> bool:
    """Is ``entry`` a new version of the contract ``earlier`` recorded at another address?

    Upgrading aiprov to contracts with other bytecode moves their CREATE2 addresses: the
    earlier contracts, and every registration in them, stay on the chain, and this is the
    record of where (``superseded`` in the file), so that "not found" can say so.
    """
    if not isinstance(earlier, dict) or not isinstance(earlier.get("address"), str):
        return False
    if earlier["address"].lower() == str(entry.get("address", "")).lower():
        return False
    return bool(earlier.get("artifact_hash")) and earlier.get("artifact_hash") != entry.get("artifact_hash")


def _genesis(backend: Backend) -> str:
    return "0x" + backend.get_block(0).hash.hex()


def artifact_hash(name: str) -> str:
    """keccak256 of the shipped creation bytecode: identifies the contract version."""
    return "0x" + _keccak(bytes.fromhex(load_artifact(name)["bytecode"].removeprefix("0x"))).hex()


def find_contract(backend: Backend, home: Path, name: str) -> bytes | None:
    """Address of ``name`` on this chain if it holds the shipped code (see :mod:`.discovery`)."""
    from .discovery import locate

    found = locate(backend, home, name)
    return found.address if found is not None else None


def deploy_contract(backend: Backend, home: Path, signer: Signer, name: str, args: tuple = ()) -> bytes:
    """Deploy ``name`` (constructor ``args``) from ``signer`` and record it; returns the address."""
    from eth_utils import to_checksum_address

    from .contract import contract_abi

    artifact = load_artifact(name)
    initcode = bytes.fromhex(artifact["bytecode"].removeprefix("0x")) + contract_abi(name).encode_constructor(*args)
    receipt = send_transaction(backend, signer, None, initcode, what=f"deploy {name}")
    address = receipt.contract_address
    Deployments(home).record(
        backend.chain_id,
        _genesis(backend),
        name,
        {
            "address": to_checksum_address(address),
            "tx": "0x" + receipt.tx_hash.hex(),
            "block": receipt.block_number,
            "deployer": signer.address,
            "artifact_hash": artifact_hash(name),
            "code_hash": "0x" + _keccak(backend.get_code(address)).hex(),
        },
    )
    return address


#: One salt for every aiprov contract: same initcode → same address on every chain.
CREATE2_SALT = b"aiprov/deploy/v1".ljust(32, b"\x00")
#: Deployment order; each constructor takes the addresses of the ones before it.
DEPLOY_ORDER = ("DatasetRegistry", "ModelRegistry", "AccessLeases")


def create2_address(initcode: bytes, salt: bytes = CREATE2_SALT, deployer: bytes = CREATE2_DEPLOYER) -> bytes:
    """Where aiprov's CREATE2 deployment of ``initcode`` lands (the proxy, aiprov's salt)."""
    return _create2_address(initcode, salt, deployer)


def _initcode(name: str, args: tuple) -> bytes:
    from .contract import contract_abi

    return bytes.fromhex(load_artifact(name)["bytecode"].removeprefix("0x")) + contract_abi(name).encode_constructor(*args)


def deploy_deterministic(backend: Backend, home: Path, signer: Signer, name: str, args: tuple = ()) -> tuple[bytes, bool]:
    """Deploy ``name`` through the CREATE2 proxy (or plain CREATE where there is none).

    Returns (address, sent): ``sent`` is False when the code was already there
    (a second ``aiprov deploy`` — on this machine or any other — does nothing).
    """
    from eth_utils import to_checksum_address

    initcode = _initcode(name, args)
    if not backend.get_code(CREATE2_DEPLOYER):
        return deploy_contract(backend, home, signer, name, args), True
    address = create2_address(initcode)
    sent = False
    tx_hash, block = None, None
    if not backend.get_code(address):
        try:
            receipt = send_transaction(backend, signer, CREATE2_DEPLOYER, CREATE2_SALT + initcode,
                                       what=f"deploy {name}")
        except TransactionFailed:
            # A concurrent `aiprov deploy` (another process, another machine) got the same
            # CREATE2 address in first, so ours reverted: the code is there, which is all we want.
            if not backend.get_code(address):
                raise
        else:
            if not backend.get_code(address):
                raise NotDeployed(f"deploying {name} through the CREATE2 proxy left no code at "
                                  f"{to_checksum_address(address)}")
            sent, tx_hash, block = True, "0x" + receipt.tx_hash.hex(), receipt.block_number
    if block is None:
        from .discovery import deployment_block

        block = deployment_block(backend, address)
    Deployments(home).record(
        backend.chain_id, _genesis(backend), name,
        {
            "address": to_checksum_address(address),
            "tx": tx_hash,
            "block": block,
            "deployer": to_checksum_address(CREATE2_DEPLOYER),
            "salt": "0x" + CREATE2_SALT.hex(),
            "artifact_hash": artifact_hash(name),
            "code_hash": "0x" + _keccak(backend.get_code(address)).hex(),
        },
    )
    return address, sent


def deploy_all(backend: Backend, home: Path, signer: Signer) -> list[tuple[str, bytes, bool]]:
    """Deploy (or find) every aiprov contract on this chain: [(name, address, sent)]."""
    from eth_utils import to_checksum_address

    from .discovery import locate

    done: list[tuple[str, bytes, bool]] = []
    addresses: list[str] = []
    for name in DEPLOY_ORDER:
        links = tuple(bytes.fromhex(a[2:]) for a in addresses)
        existing = locate(backend, home, name, links=links)
        if existing is not None:
            address, sent = existing.address, False
        else:
            address, sent = deploy_deterministic(backend, home, signer, name, tuple(addresses))
        done.append((name, address, sent))
        addresses.append(to_checksum_address(address))
    return done


def require_contract(
    backend: Backend, home: Path, name: str, *, deployer: Signer | None, args: tuple = ()
) -> bytes:
    """Address of ``name``; deploys it when ``deployer`` is given (local chain), else exit 3."""
    from .discovery import locate, require

    links = tuple(bytes.fromhex(a[2:]) if isinstance(a, str) else bytes(a) for a in args) or None
    if deployer is None:
        return require(backend, home, name, links=links).address
    found = locate(backend, home, name, links=links)
    return found.address if found is not None else deploy_deterministic(backend, home, deployer, name, args)[0]
