"""Keccak-256, the hash Ethereum and OpenZeppelin's Merkle trees use.

This is the original Keccak submission (padding byte ``0x01``), not NIST
SHA3-256 (``0x06``), so :mod:`hashlib` cannot compute it.

Two backends, picked once at import:

* ``tiny_keccak`` (Rust, PyPI ``tiny-keccak``): ~0.6 µs per 64-byte call here,
  which is what keeps a million-entry Merkle tree within seconds;
* ``pycryptodome`` (``Crypto.Hash.keccak``), always installed with aiprov:
  ~9 µs per call, correct but about 10x slower for large trees.

Neither pulls in web3 or eth-*, so ``aiprov hash`` starts fast.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["BACKEND", "keccak256"]

keccak256: Callable[[bytes], bytes]
"""``keccak256(data: bytes) -> bytes``: the 32-byte Keccak-256 digest of ``data``."""

try:
    from tiny_keccak import keccak256 as _tiny_keccak256
except ImportError:  # pragma: no cover - exercised only where tiny-keccak is absent
    from Crypto.Hash import keccak as _keccak

    _new = _keccak.new

    def keccak256(data: bytes) -> bytes:
        return _new(data=data, digest_bits=256).digest()

    BACKEND = "pycryptodome"
else:
    keccak256 = _tiny_keccak256
    BACKEND = "tiny_keccak"
