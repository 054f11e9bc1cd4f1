"""The signed data request: EIP-712 ``DataRequest{asset, path, nonce, expiresAt}``.

Every request to ``aiprov serve`` carries one, in these headers::

    X-Aiprov-Account    0x… the signer's address (checksummed or not)
    X-Aiprov-Chain-Id   the chain id of the signing domain
    X-Aiprov-Asset      dataset:ID or model:ID
    X-Aiprov-Nonce      0x + 64 hex: 32 random bytes, used once
    X-Aiprov-Expires    unix seconds; the gateway accepts at most 5 minutes ahead
    X-Aiprov-Signature  0x + 130 hex: r ‖ s ‖ v (v = 27 or 28)

The typed data (EIP-712, what ``eth_account.messages.encode_typed_data`` and
wallets' ``eth_signTypedData_v4`` sign)::

    domain   EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
             name "aiprov", version "1", chainId, verifyingContract = AccessLeases
    message  DataRequest(string asset,string path,bytes32 nonce,uint64 expiresAt)

``path`` is the manifest path of the file (``""`` for the manifest index). The
signature thus binds the account to one asset, one file, one chain, one
contract deployment, one nonce and one deadline — unlike Ocean's Provider, whose
signature covers only a DID and a nonce.

Signing and recovery use eth_keys (coincurve when installed, as with the
``gateway`` extra): ~0.1 ms each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..manifest.keccak import keccak256

DOMAIN_NAME = "aiprov"
DOMAIN_VERSION = "1"
MAX_LIFETIME = 300  # seconds: a request may expire at most 5 minutes after the server's clock
INDEX_PATH = ""  # the path a request for the manifest index signs

DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
REQUEST_TYPE = "DataRequest(string asset,string path,bytes32 nonce,uint64 expiresAt)"
_DOMAIN_TYPEHASH = keccak256(DOMAIN_TYPE.encode())
_REQUEST_TYPEHASH = keccak256(REQUEST_TYPE.encode())

HEADERS = ("x-aiprov-account", "x-aiprov-chain-id", "x-aiprov-asset", "x-aiprov-nonce",
           "x-aiprov-expires", "x-aiprov-signature")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_HEX32 = re.compile(r"0x[0-9a-fA-F]{64}")
_SIG = re.compile(r"0x[0-9a-fA-F]{130}")
_UINT = re.compile(r"[0-9]{1,20}")


class BadRequest(ValueError):
    """A request whose headers are missing or malformed; ``reason`` is a short code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Domain:
    chain_id: int
    verifying_contract: str  # 0x address of AccessLeases

    def separator(self) -> bytes:
        return keccak256(
            _DOMAIN_TYPEHASH + keccak256(DOMAIN_NAME.encode()) + keccak256(DOMAIN_VERSION.encode())
            + self.chain_id.to_bytes(32, "big") + bytes(12) + bytes.fromhex(self.verifying_contract[2:])
        )


@dataclass(frozen=True)
class DataRequest:
    asset: str  # "dataset:3"
    path: str
    nonce: bytes  # 32 bytes
    expires_at: int

    def struct_hash(self, asset_hash: bytes | None = None, path_hash: bytes | None = None) -> bytes:
        """hashStruct(DataRequest); a server passes ``keccak256`` of the asset and path it hashed once."""
        return keccak256(
            _REQUEST_TYPEHASH + (asset_hash or keccak256(self.asset.encode()))
            + (path_hash or keccak256(self.path.encode("utf-8"))) + self.nonce + self.expires_at.to_bytes(32, "big")
        )

    def digest(self, domain: Domain | bytes) -> bytes:
        """The EIP-712 hash that is signed: keccak256(0x1901 ‖ domainSeparator ‖ structHash)."""
        separator = domain if isinstance(domain, bytes) else domain.separator()
        return keccak256(b"\x19\x01" + separator + self.struct_hash())

    def digest_with(self, separator: bytes, asset_hash: bytes, path_hash: bytes) -> bytes:
        """:meth:`digest` given ``keccak256`` of the asset and of the path (a server hashes them once)."""
        return keccak256(b"\x19\x01" + separator + self.struct_hash(asset_hash, path_hash))


@dataclass(frozen=True)
class SignedRequest:
    request: DataRequest
    account: str  # as claimed in the headers (lower-case 0x hex)
    chain_id: int
    signature: bytes  # 65 bytes r ‖ s ‖ v


def typed_data(request: DataRequest, domain: Domain) -> dict:
    """The EIP-712 document (for wallets' ``eth_signTypedData_v4`` and eth_account)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
            ],
            "DataRequest": [
                {"name": "asset", "type": "string"}, {"name": "path", "type": "string"},
                {"name": "nonce", "type": "bytes32"}, {"name": "expiresAt", "type": "uint64"},
            ],
        },
        "primaryType": "DataRequest",
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": domain.chain_id,
                   "verifyingContract": domain.verifying_contract},
        "message": {"asset": request.asset, "path": request.path, "nonce": "0x" + request.nonce.hex(),
                    "expiresAt": request.expires_at},
    }


def sign(request: DataRequest, domain: Domain, key: bytes) -> bytes:
    """65-byte signature r ‖ s ‖ v (v = 27/28, as eth_account and wallets produce)."""
    from eth_keys import keys

    sig = keys.PrivateKey(key).sign_msg_hash(request.digest(domain))
    return sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([sig.v + 27])


def recover(digest: bytes, signature: bytes) -> str | None:
    """The lower-case 0x address that signed ``digest``, or None for an invalid signature."""
    if len(signature) != 65 or signature[64] not in (27, 28):
        return None
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    # EIP-2: only low-s signatures, so a signature has exactly one valid form
    if not (0 < r < _SECP256K1_N and 0 < s <= _SECP256K1_N // 2):
        return None
    try:
        import coincurve
    except ImportError:  # eth_keys' pure-Python backend: correct, ~10x slower
        coincurve = None
    if coincurve is not None:
        try:
            pub = coincurve.PublicKey.from_signature_and_message(signature[:64] + bytes([signature[64] - 27]), digest,
                                                                 hasher=None)
        except (ValueError, TypeError):
            return None
        return "0x" + keccak256(pub.format(compressed=False)[1:])[12:].hex()
    from eth_keys import keys
    from eth_keys.exceptions import BadSignature, ValidationError

    try:
        pub = keys.Signature(vrs=(signature[64] - 27, r, s)).recover_public_key_from_msg_hash(digest)
    except (BadSignature, ValidationError, ValueError):
        return None
    return "0x" + pub.to_canonical_address().hex()


_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def to_headers(signed: SignedRequest) -> dict[str, str]:
    r = signed.request
    return {
        "X-Aiprov-Account": signed.account,
        "X-Aiprov-Chain-Id": str(signed.chain_id),
        "X-Aiprov-Asset": r.asset,
        "X-Aiprov-Nonce": "0x" + r.nonce.hex(),
        "X-Aiprov-Expires": str(r.expires_at),
        "X-Aiprov-Signature": "0x" + signed.signature.hex(),
    }


def new_request(asset: str, path: str, domain: Domain, key: bytes, account: str, *,
                lifetime: int = 120, now: float | None = None) -> SignedRequest:
    """A fresh signed request (random nonce, expiring ``lifetime`` seconds from ``now``)."""
    import os
    import time

    request = DataRequest(asset=asset, path=path, nonce=os.urandom(32),
                          expires_at=int(time.time() if now is None else now) + lifetime)
    return SignedRequest(request=request, account=account.lower(), chain_id=domain.chain_id,
                         signature=sign(request, domain, key))


def from_headers(headers, path: str) -> SignedRequest:
    """Parse the request headers (a case-insensitive mapping); BadRequest names what is wrong."""
    values = {name: headers.get(name) for name in HEADERS}
    missing = [n for n, v in values.items() if v is None]
    if len(missing) == len(HEADERS):
        raise BadRequest("unsigned", "the request carries no aiprov signature (X-Aiprov-* headers)")
    if missing:
        raise BadRequest("malformed", f"missing header(s): {', '.join(missing)}")
    account, chain_id, asset, nonce, expires, sig = (values[n].strip() for n in HEADERS)
    if not _ADDRESS.fullmatch(account):
        raise BadRequest("malformed", "X-Aiprov-Account is not an address")
    if not _UINT.fullmatch(chain_id) or not _UINT.fullmatch(expires) or int(expires) >= 2**64:
        raise BadRequest("malformed", "X-Aiprov-Chain-Id and X-Aiprov-Expires must be integers")
    if not _HEX32.fullmatch(nonce):
        raise BadRequest("malformed", "X-Aiprov-Nonce must be 0x + 64 hex digits")
    if not _SIG.fullmatch(sig):
        raise BadRequest("malformed", "X-Aiprov-Signature must be 0x + 130 hex digits")
    return SignedRequest(
        request=DataRequest(asset=asset, path=path, nonce=bytes.fromhex(nonce[2:]), expires_at=int(expires)),
        account=account.lower(), chain_id=int(chain_id), signature=bytes.fromhex(sig[2:]),
    )
