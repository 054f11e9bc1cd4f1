"""Merkle leaves: Solidity ABI encoding and OpenZeppelin's double Keccak.

A leaf of an OpenZeppelin ``StandardMerkleTree`` (format ``standard-v1``) is::

    leaf = keccak256(keccak256(abi.encode(value_1, ..., value_n)))

Hashing twice means no leaf can be mistaken for an inner node (a second-preimage
defence); Solidity checks a proof with ``MerkleProof.verify(proof, root, leaf)``
after computing the same expression with ``abi.encode``.

aiprov uses two leaf encodings:

``FILE_LEAF_ENCODING = ["string", "uint256", "bytes32"]``
    one file: ``(path, size, sha256)``.  ``abi.encode`` lays it out as
    32-byte words::

        word 0   0x60                  offset of the string's tail (3 head words)
        word 1   size                  big-endian, left-padded with zeros
        word 2   sha256                the raw 32-byte digest
        word 3   len(utf8(path))       byte length of the path
        word 4.. utf8(path)            right-padded with zeros to a multiple of 32
                                       (no data word at all for an empty string)

``RECORD_LEAF_ENCODING = ["uint256", "bytes32"]``
    one record of a ``.jsonl``/``.csv`` file: ``(index, commitment)``; two static
    words, 64 bytes in all.

The encoder here is written by hand for exactly the types aiprov uses
(``string``, ``uint256``, ``bytes32``), with the general head/tail rule so any
tuple of them encodes like Solidity's ``abi.encode`` and ``@metamask/abi-utils``.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from .keccak import keccak256

__all__ = [
    "FILE_LEAF_ENCODING",
    "RECORD_LEAF_ENCODING",
    "abi_encode",
    "file_leaf",
    "file_leaves",
    "leaf_hash",
    "normalize_value",
    "record_leaf",
]


class _FileLike(Protocol):
    path: str
    size: int
    sha256: str


FILE_LEAF_ENCODING: tuple[str, ...] = ("string", "uint256", "bytes32")
RECORD_LEAF_ENCODING: tuple[str, ...] = ("uint256", "bytes32")

_UINT256_LIMIT = 1 << 256
_HEX32 = re.compile(r"0[xX][0-9a-fA-F]{64}")
_UINT_DEC = re.compile(r"[0-9]+")
_UINT_HEX = re.compile(r"0[xX][0-9a-fA-F]+")
_UINT64_LIMIT = 1 << 64
_STRING_TAIL_OFFSET = (96).to_bytes(32, "big")  # three head words for (string, uint256, bytes32)
# _PADDING[n % 32]: the zero bytes that pad n bytes to a whole number of words.
_PADDING = tuple(bytes(-n % 32) for n in range(32))
# Compiled struct packers for abi.encode(string, uint256, bytes32), keyed by path byte length.
_FILE_PACKERS: dict[int, Callable[..., bytes]] = {}


def file_leaf(path: str, size: int, sha256: bytes) -> bytes:
    """The leaf of one file: ``keccak256(keccak256(abi.encode(path, size, sha256)))``.

    ``path`` is encoded as UTF-8 (callers normalise it to NFC first), ``size`` is
    a ``uint256`` and ``sha256`` the raw 32-byte digest (a ``bytes32``).
    """
    if type(size) is not int or not 0 <= size < _UINT256_LIMIT:
        raise ValueError(f"size must be an int in [0, 2**256), got {size!r}")
    if not isinstance(sha256, bytes) or len(sha256) != 32:
        raise ValueError("sha256 must be 32 raw bytes")
    return keccak256(keccak256(_encode_file(path.encode("utf-8"), size, sha256)))


def _encode_file(data: bytes, size: int, sha256: bytes) -> bytes:
    """``abi.encode(string, uint256, bytes32)`` given the path's UTF-8 bytes."""
    n = len(data)
    if size < _UINT64_LIMIT:
        pack = _FILE_PACKERS.get(n)
        if pack is None:
            # 24 zero bytes + a big-endian uint64 is one uint256 word; "Ns" zero-pads.
            pack = _FILE_PACKERS[n] = struct.Struct(f">24xQ24xQ32s24xQ{n + (-n % 32)}s").pack
        return pack(96, size, sha256, n, data)
    return b"".join(
        (_STRING_TAIL_OFFSET, size.to_bytes(32, "big"), sha256, n.to_bytes(32, "big"), data, bytes(-n % 32))
    )


def file_leaves(entries: Iterable[_FileLike]) -> list[bytes]:
    """:func:`file_leaf` for many already-validated entries, in order.

    Each entry has ``.path`` (str), ``.size`` (int) and ``.sha256`` (64 hex
    chars), like :class:`aiprov.manifest.Entry`.  This is the hot loop of a
    manifest's root (two Keccak calls are ~75% of it), so it skips per-call
    validation and binds names locally, and hands half of a big list to a
    forked child on the second core (:mod:`.forked`).
    """
    from .forked import split_map

    return split_map(_file_leaves, entries if isinstance(entries, Sequence) else list(entries))


def _file_leaves(entries: Iterable[_FileLike]) -> list[bytes]:
    k = keccak256
    fromhex = bytes.fromhex
    packer = _FILE_PACKERS.get
    out: list[bytes] = []
    append = out.append
    for e in entries:
        data = e.path.encode("utf-8")
        size = e.size
        pack = packer(len(data))
        if pack is None or size >= _UINT64_LIMIT:
            append(k(k(_encode_file(data, size, fromhex(e.sha256)))))
        else:
            append(k(k(pack(96, size, fromhex(e.sha256), len(data), data))))
    return out


def record_leaf(index: int, commitment: bytes) -> bytes:
    """The leaf of one record: ``keccak256(keccak256(abi.encode(index, commitment)))``."""
    if type(index) is not int or not 0 <= index < _UINT256_LIMIT:
        raise ValueError(f"index must be an int in [0, 2**256), got {index!r}")
    if not isinstance(commitment, bytes) or len(commitment) != 32:
        raise ValueError("commitment must be 32 raw bytes")
    return keccak256(keccak256(index.to_bytes(32, "big") + commitment))


def normalize_value(abi_type: str, value: object) -> object:
    """Parse one JSON-ish value the way ``@metamask/abi-utils`` accepts it.

    ``string`` → ``str``; ``uint256`` → ``int`` from an int, a decimal string or
    a ``0x`` hex string; ``bytes32`` → 32 ``bytes`` from bytes or ``0x`` + 64 hex.
    Raises :class:`ValueError` for anything else.
    """
    if abi_type == "string":
        if isinstance(value, str):
            return value
    elif abi_type == "uint256":
        number: int | None = None
        if type(value) is int:
            number = value
        elif isinstance(value, str):
            if _UINT_DEC.fullmatch(value):
                number = int(value, 10)
            elif _UINT_HEX.fullmatch(value):
                number = int(value, 16)
        if number is not None and 0 <= number < _UINT256_LIMIT:
            return number
    elif abi_type == "bytes32":
        if isinstance(value, (bytes, bytearray)) and len(value) == 32:
            return bytes(value)
        if isinstance(value, str) and _HEX32.fullmatch(value):
            return bytes.fromhex(value[2:])
    else:
        raise ValueError(f"unsupported ABI type {abi_type!r} (aiprov uses string, uint256, bytes32)")
    raise ValueError(f"invalid {abi_type} value {value!r}")


def abi_encode(types: Sequence[str], values: Sequence[object]) -> bytes:
    """Solidity ``abi.encode(values...)`` for a tuple of ``string``/``uint256``/``bytes32``.

    Head/tail encoding: each static value (``uint256``, ``bytes32``) is one head
    word; each ``string`` puts in the head the byte offset (from the start of the
    encoding) of its tail, and the tail holds the length word and the UTF-8 bytes
    right-padded to 32.  Values are parsed with :func:`normalize_value`.
    """
    if len(types) != len(values):
        raise ValueError(f"expected {len(types)} values, got {len(values)}")
    heads: list[bytes] = []
    tails: list[bytes] = []
    tail_offset = 32 * len(types)
    for abi_type, raw in zip(types, values):
        value = normalize_value(abi_type, raw)
        if abi_type == "string":
            data = value.encode("utf-8")  # type: ignore[union-attr]
            heads.append(tail_offset.to_bytes(32, "big"))
            tail = len(data).to_bytes(32, "big") + data + _PADDING[len(data) & 31]
            tails.append(tail)
            tail_offset += len(tail)
        elif abi_type == "uint256":
            heads.append(value.to_bytes(32, "big"))  # type: ignore[union-attr]
        else:  # bytes32
            heads.append(value)  # type: ignore[arg-type]
    return b"".join(heads + tails)


def leaf_hash(types: Sequence[str], values: Sequence[object]) -> bytes:
    """OpenZeppelin's ``standardLeafHash``: ``keccak256(keccak256(abi.encode(values)))``."""
    return keccak256(keccak256(abi_encode(types, values)))
