"""Choosing who signs: dev accounts, ``AIPROV_PRIVATE_KEY``, (later) keystores.

A :class:`Signer` holds a private key but never shows it: its ``repr`` and
every error message carry only the account's name and address.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..errors import AccountError, InvalidArgument
from .devkeys import DEV_ACCOUNT_COUNT, dev_address, dev_private_key

#: ``dev:N``: the well-known dev accounts, by name (ASCII digits only).
DEV_RE = re.compile(r"^dev:([0-9]+)$")
#: An address as users type it: 0x and 40 hex digits (any case; see :func:`parse_address`).
ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")
ENV_PRIVATE_KEY = "AIPROV_PRIVATE_KEY"
_KEY_RE = re.compile(r"^[0-9a-fA-F]{64}$")
#: secp256k1's group order: a private key is an integer in [1, order - 1].
SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@dataclass(frozen=True)
class Signer:
    """An account that can sign transactions. The key is never printed."""

    name: str
    address: str  # checksummed
    _key: bytes = field(repr=False, compare=False)

    @property
    def canonical_address(self) -> bytes:
        return bytes.fromhex(self.address[2:])

    def sign_transaction(self, tx: dict) -> bytes:
        """Sign an EIP-1559 (type 2) transaction dict; returns the raw signed bytes."""
        return sign_eip1559(tx, self._key)


def sign_eip1559(tx: dict, key: bytes) -> bytes:
    """``0x02 || rlp([chainId, nonce, tip, maxFee, gas, to, value, data, accessList, v, r, s])``.

    Done with rlp + eth_keys (already loaded with the chain) instead of eth_account,
    which would add ~0.2 s to every command; a test checks both agree byte for byte.
    """
    import rlp
    from eth_keys import keys

    from ..manifest.keccak import keccak256

    if tx.get("type", 2) != 2 or tx.get("accessList"):
        raise ValueError("only EIP-1559 transactions without access lists are signed here")
    to = tx.get("to") or b""
    if isinstance(to, str):
        to = bytes.fromhex(to.removeprefix("0x"))
    data = tx.get("data") or b""
    if isinstance(data, str):
        data = bytes.fromhex(data.removeprefix("0x"))
    fields = [
        tx["chainId"], tx["nonce"], tx["maxPriorityFeePerGas"], tx["maxFeePerGas"],
        tx["gas"], to, tx.get("value", 0), data, [],
    ]
    signature = keys.PrivateKey(key).sign_msg_hash(keccak256(b"\x02" + rlp.encode(fields)))
    return b"\x02" + rlp.encode(fields + [signature.v, signature.r, signature.s])


def _checksum(address: bytes) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(address)


def dev_signer(index: int) -> Signer:
    return Signer(name=f"dev:{index}", address=_checksum(dev_address(index)), _key=dev_private_key(index))


def signer_from_private_key(hex_key: str, name: str) -> Signer:
    from eth_keys import keys

    text = hex_key.strip()
    text = text[2:] if text.lower().startswith("0x") else text
    try:
        if not _KEY_RE.match(text):
            raise ValueError
        raw = bytes.fromhex(text)
        if not 0 < int.from_bytes(raw, "big") < SECP256K1_ORDER:
            raise ValueError
        address = keys.PrivateKey(raw).public_key.to_canonical_address()
    except Exception:
        # never echo the value: it may be a real key with a typo in it
        raise InvalidArgument(f"{name} is not a valid private key (64 hex digits, nonzero, below the curve order)") from None
    return Signer(name=name, address=_checksum(address), _key=raw)


def parse_account_spec(spec: str) -> str:
    """Validate the shape of an ``--account`` value early (exit 2 on garbage)."""
    spec = spec.strip()
    if ADDRESS_RE.match(spec):
        from eth_utils import is_checksum_address

        hexpart = spec[2:]
        if hexpart != hexpart.lower() and hexpart != hexpart.upper() and not is_checksum_address(spec):
            raise InvalidArgument(f"--account {spec!r} has a wrong EIP-55 checksum (a typo?)")
        return spec
    if DEV_RE.match(spec):
        _dev_index(spec)  # dev:0 to dev:9, exit 2 beyond
        return spec
    if re.match(r"^[A-Za-z0-9_.-]+$", spec):
        return spec
    raise InvalidArgument(f"--account {spec!r} is not dev:N, an 0x address, or an account name")


def _dev_index(spec: str) -> int | None:
    """N for ``dev:N`` (exit 2 beyond the dev accounts), None for anything else."""
    m = DEV_RE.match(spec)
    if m is None:
        return None
    index = int(m.group(1))
    if index >= DEV_ACCOUNT_COUNT:
        raise InvalidArgument(f"{spec}: dev accounts are dev:0 to dev:{DEV_ACCOUNT_COUNT - 1}")
    return index


def parse_address(text: str) -> str:
    """An account given as an address or ``dev:N`` → its checksummed address.

    Mixed-case input must carry a valid EIP-55 checksum; the zero address is refused.
    """
    from eth_utils import is_checksum_address

    value = str(text).strip()
    index = _dev_index(value)
    if index is not None:  # the well-known dev accounts, by name (handy on local networks)
        return _checksum(dev_address(index))
    if not ADDRESS_RE.match(value):
        raise InvalidArgument(f"{text!r} is not an address (0x followed by 40 hex digits, or dev:N)")
    if value[2:] != value[2:].lower() and value[2:] != value[2:].upper() and not is_checksum_address(value):
        raise InvalidArgument(f"{text!r} has a wrong EIP-55 checksum (a typo?)")
    if int(value, 16) == 0:
        raise InvalidArgument("the zero address is not an account")
    return _checksum(bytes.fromhex(value[2:]))


def resolve_signer(spec: str | None, *, dev_network: bool, home=None) -> Signer:
    """The signer for ``--account spec`` (None: the default for the network).

    ``dev:N`` (dev networks only), a keystore name, or an address matching a
    dev account, ``AIPROV_PRIVATE_KEY`` or a keystore.
    """
    if spec is None:
        if os.environ.get(ENV_PRIVATE_KEY):
            return signer_from_private_key(os.environ[ENV_PRIVATE_KEY], ENV_PRIVATE_KEY)
        if dev_network:
            return dev_signer(0)
        raise AccountError(
            "no account to sign with",
            hint=f"set {ENV_PRIVATE_KEY} or pass --account NAME",
        )
    if DEV_RE.match(spec):
        if not dev_network:
            raise AccountError(f"{spec} exists only on dev networks (local, anvil)")
        return dev_signer(_dev_index(spec))
    if ADDRESS_RE.match(spec):
        if dev_network:
            for i in range(DEV_ACCOUNT_COUNT):
                if dev_address(i).hex() == spec[2:].lower():
                    return dev_signer(i)
        env_key = os.environ.get(ENV_PRIVATE_KEY)
        if env_key:
            signer = signer_from_private_key(env_key, ENV_PRIVATE_KEY)
            if signer.address.lower() == spec.lower():
                return signer
        if home is not None:
            from .keystore import list_keystores

            for name, address in list_keystores(home):
                if address.lower() == spec.lower():
                    return resolve_signer(name, dev_network=dev_network, home=home)
        raise AccountError(f"no key for account {spec} on this machine")
    if home is not None:
        from .keystore import load_key

        key, address = load_key(home, spec, None)
        return Signer(name=spec, address=address, _key=key)
    raise AccountError(
        f"no account named {spec!r}",
        hint="use dev:N on local networks, a keystore (aiprov account new), or AIPROV_PRIVATE_KEY",
    )


def dev_accounts() -> list[tuple[str, str]]:
    """(name, checksummed address) of every dev account."""
    return [(f"dev:{i}", _checksum(dev_address(i))) for i in range(DEV_ACCOUNT_COUNT)]


def usable_accounts(home, *, dev_network: bool) -> list[tuple[str, str]]:
    """(name, checksummed address) of every account this machine can sign with here:
    ``AIPROV_PRIVATE_KEY``, then keystores, then (on dev networks) the dev accounts."""
    from .keystore import list_keystores

    out = []
    if os.environ.get(ENV_PRIVATE_KEY):
        signer = signer_from_private_key(os.environ[ENV_PRIVATE_KEY], ENV_PRIVATE_KEY)
        out.append((signer.name, signer.address))
    out.extend(list_keystores(home))
    if dev_network:
        out.extend(dev_accounts())
    return out
