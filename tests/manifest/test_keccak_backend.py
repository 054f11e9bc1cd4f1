"""The fast keccak backend (tiny-keccak) must equal the reference one (pycryptodome) byte for byte."""

from __future__ import annotations

from Crypto.Hash import keccak
from hypothesis import given
from hypothesis import strategies as st

from aiprov.manifest import keccak as backend


def test_fast_backend_is_in_use():
    # pyproject depends on tiny-keccak; without it the million-entry target is out of reach
    assert backend.BACKEND == "tiny_keccak"


@given(st.binary(max_size=600))
def test_backend_equals_reference_keccak(data):
    assert backend.keccak256(data) == keccak.new(data=data, digest_bits=256).digest()


def test_known_vector():
    assert backend.keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
