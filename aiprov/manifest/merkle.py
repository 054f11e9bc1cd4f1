"""OpenZeppelin ``StandardMerkleTree`` (format ``standard-v1``), byte for byte.

Roots, proofs and dumps equal those of ``@openzeppelin/merkle-tree`` 1.x for the
same leaves, and every proof passes Solidity's ``MerkleProof.verify``.

The construction, exactly as the library does it:

1. Leaves are 32-byte hashes (see :mod:`aiprov.manifest.leaves`).  They are
   sorted ascending as 256-bit big-endian numbers (= bytewise); the sort is
   stable, so equal leaves keep their input order.
2. The tree is one array of ``2n - 1`` nodes, a complete binary tree in heap
   layout: node ``i`` has children ``2i + 1`` and ``2i + 2``, node ``0`` is the
   root.  Sorted leaf ``k`` sits at index ``2n - 2 - k``, i.e. the leaves fill
   the end of the array in *reverse* sorted order.
3. Inner nodes are filled from index ``n - 2`` down to ``0`` with
   ``keccak256(min(a, b) ‖ max(a, b))`` of their two children ("sorted pairs",
   so a proof needs no left/right flags).
4. The proof of a leaf is the list of siblings on its path to the root, bottom
   first; the sibling of an odd index ``i`` is ``i + 1``, of an even one ``i - 1``.

A one-leaf tree has the leaf as its root and an empty proof.
"""

from __future__ import annotations

import json
import operator
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import islice
from typing import Any

from ..errors import InvalidReceipt
from .keccak import keccak256
from .leaves import abi_encode, leaf_hash, normalize_value

__all__ = ["MerkleTree", "hash_pair", "multiproof", "process_multiproof", "verify_proof"]

_HEX32 = re.compile(r"0x[0-9a-f]{64}")
_SUPPORTED_TYPES = frozenset({"string", "uint256", "bytes32"})


def hash_pair(a: bytes, b: bytes) -> bytes:
    """OpenZeppelin's ``standardNodeHash``: ``keccak256(min(a, b) ‖ max(a, b))``."""
    return keccak256(a + b if a < b else b + a)


def verify_proof(root: bytes, leaf: bytes, proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` takes ``leaf`` to ``root``, as ``MerkleProof.verify`` does.

    Every argument is 32 raw bytes or a ``0x``-prefixed hex string of 32 bytes.
    A malformed node makes the answer ``False``, never an exception.
    """
    try:
        node = _node_bytes(leaf)
        for sibling in proof:
            node = hash_pair(node, _node_bytes(sibling))
        return node == _node_bytes(root)
    except (TypeError, ValueError):
        return False


def _node_bytes(node: bytes | str) -> bytes:
    if isinstance(node, str):
        if not re.fullmatch(r"0[xX][0-9a-fA-F]{64}", node):
            raise ValueError(f"not a 32-byte hex node: {node!r}")
        return bytes.fromhex(node[2:])
    if isinstance(node, (bytes, bytearray, memoryview)) and len(node) == 32:
        return bytes(node)
    raise ValueError(f"not a 32-byte node: {node!r}")


def _build_nodes(sorted_leaves: list[bytes]) -> list[bytes]:
    """The heap-layout node array over leaves already in sorted order."""
    n = len(sorted_leaves)
    nodes: list[bytes] = [b""] * (n - 1) + sorted_leaves[::-1]
    k = keccak256
    # Inner node i has children at 2i+1 and 2i+2; walk i from n-2 down to 0.
    # (Block-wise map() passes were measured no faster: Keccak is ~85% of this loop.)
    left = 2 * (n - 2) + 1
    for i in range(n - 2, -1, -1):
        a = nodes[left]
        b = nodes[left + 1]
        nodes[i] = k(a + b if a < b else b + a)
        left -= 2
    return nodes


def multiproof(node: Callable[[int], bytes], size: int, tree_indices: Sequence[int]) -> dict[str, Any]:
    """OpenZeppelin's ``getMultiProof`` over tree positions (``core.getMultiProof``).

    ``node(i)`` returns node ``i`` of a heap-layout tree of ``size`` nodes (so a
    tree kept on disk needs no loading); ``tree_indices`` are the leaves' positions.
    Returns ``{"leaves": [tree index, ...], "proof": [bytes, ...], "proofFlags": [bool, ...]}``
    with the leaves in the order the proof consumes them (descending tree index),
    which is what ``MerkleProof.multiProofVerify`` and ``verifyMultiProof`` expect.
    """
    first_leaf = size // 2
    indices = sorted(tree_indices, reverse=True)
    for i in indices:
        if not first_leaf <= i < size:
            raise IndexError(f"tree index {i} is not a leaf")
    if any(map(operator.eq, indices, islice(indices, 1, None))):
        raise ValueError("cannot prove the same leaf twice in one multiproof")
    stack = list(indices)
    head = 0  # stack[head:] is the live queue
    proof: list[bytes] = []
    flags: list[bool] = []
    while head < len(stack) and stack[head] > 0:
        j = stack[head]
        head += 1
        sibling = j + 1 if j & 1 else j - 1
        if head < len(stack) and stack[head] == sibling:
            flags.append(True)
            head += 1
        else:
            flags.append(False)
            proof.append(node(sibling))
        stack.append((j - 1) >> 1)
    if not indices:
        proof.append(node(0))
    return {"leaves": indices, "proof": proof, "proofFlags": flags}


def process_multiproof(leaves: Sequence[bytes], proof: Sequence[bytes], flags: Sequence[bool]) -> bytes:
    """The root a multiproof leads to (``core.processMultiProof`` / ``MerkleProof.processMultiProof``).

    Raises :class:`ValueError` for a malformed multiproof (wrong counts, bad nodes).
    """
    leaves = [_node_bytes(x) for x in leaves]
    proof = [_node_bytes(x) for x in proof]
    if not all(type(f) is bool for f in flags):
        raise ValueError("proofFlags must be booleans")
    if len(proof) < sum(1 for f in flags if not f):
        raise ValueError("invalid multiproof: fewer proof nodes than false flags")
    if len(leaves) + len(proof) != len(flags) + 1:
        raise ValueError("invalid multiproof: leaves + proof must be proofFlags + 1")
    stack = list(leaves)
    head = 0
    p = 0
    for flag in flags:
        if head >= len(stack):
            raise ValueError("invalid multiproof: ran out of leaves")
        a = stack[head]
        head += 1
        if flag:
            if head >= len(stack):
                raise ValueError("invalid multiproof: ran out of leaves")
            b = stack[head]
            head += 1
        else:
            b = proof[p]
            p += 1
        stack.append(hash_pair(a, b))
    if (len(stack) - head) + (len(proof) - p) != 1:
        raise ValueError("invalid multiproof: does not end in one root")
    return stack[-1] if len(stack) > head else proof[p]


class MerkleTree:
    """An immutable OpenZeppelin standard Merkle tree.

    Build one with :meth:`from_leaves` (leaf hashes) or :meth:`of` (ABI values
    plus their types, which also makes :meth:`dump` possible).  Leaves are
    addressed by their index in the *input* sequence, like the library's
    ``getProof(index)``.
    """

    __slots__ = ("_leaf_encoding", "_leaves", "_nodes", "_sorted", "_tree_indices", "_values")

    def __init__(
        self,
        nodes: list[bytes],
        leaves: list[bytes],
        *,
        sorted_leaves: list[bytes] | None = None,
        tree_indices: list[int] | None = None,
        values: list[tuple[Any, ...]] | None = None,
        leaf_encoding: tuple[str, ...] | None = None,
    ) -> None:
        """Internal: use :meth:`from_leaves`, :meth:`of` or :meth:`load`."""
        self._nodes = nodes
        self._leaves = leaves
        self._sorted = sorted_leaves
        self._tree_indices = tree_indices
        self._values = values
        self._leaf_encoding = leaf_encoding

    # -- construction ---------------------------------------------------------

    @classmethod
    def from_leaves(cls, leaves: Sequence[bytes]) -> MerkleTree:
        """The tree over these 32-byte leaf hashes (or ``0x`` hex); input order is kept for :meth:`proof`."""
        return cls._build(list(leaves))

    @classmethod
    def _build(
        cls,
        leaves: list[bytes],
        values: list[tuple[Any, ...]] | None = None,
        leaf_encoding: tuple[str, ...] | None = None,
    ) -> MerkleTree:
        if not leaves:
            raise ValueError("a Merkle tree needs at least one leaf")
        if set(map(type, leaves)) != {bytes}:
            leaves = [_node_bytes(leaf) for leaf in leaves]
        if set(map(len, leaves)) != {32}:
            raise ValueError("Merkle tree leaves must be 32 bytes each")
        sorted_leaves = sorted(leaves)
        tree_indices = None
        if any(map(operator.eq, sorted_leaves, islice(sorted_leaves, 1, None))):
            # Equal leaves: the library's stable sort puts the earlier input first.
            order = sorted(range(len(leaves)), key=leaves.__getitem__)
            last = 2 * len(leaves) - 2
            tree_indices = [0] * len(leaves)
            for position, input_index in enumerate(order):
                tree_indices[input_index] = last - position
            sorted_leaves_kept: list[bytes] | None = None
        else:
            sorted_leaves_kept = sorted_leaves
        return cls(
            _build_nodes(sorted_leaves),
            leaves,
            sorted_leaves=sorted_leaves_kept,
            tree_indices=tree_indices,
            values=values,
            leaf_encoding=leaf_encoding,
        )

    @classmethod
    def of(cls, values: Sequence[Sequence[Any]], leaf_encoding: Sequence[str]) -> MerkleTree:
        """Like ``StandardMerkleTree.of(values, leafEncoding)``: leaves from ABI values.

        Types are limited to ``string``, ``uint256`` and ``bytes32``; values may be
        Python values or their JSON forms (decimal/hex strings, ``0x`` hex).
        """
        encoding = tuple(leaf_encoding)
        unsupported = set(encoding) - _SUPPORTED_TYPES
        if unsupported:
            raise ValueError(f"unsupported leaf types {sorted(unsupported)} (aiprov uses string, uint256, bytes32)")
        parsed = [
            tuple(normalize_value(t, v) for t, v in zip(encoding, _check_arity(value, encoding))) for value in values
        ]
        return cls._build([keccak256(keccak256(abi_encode(encoding, value))) for value in parsed], parsed, encoding)

    # -- reading --------------------------------------------------------------

    @property
    def root(self) -> bytes:
        """The 32-byte root (node 0)."""
        return self._nodes[0]

    @property
    def values(self) -> list[tuple[Any, ...]] | None:
        """The ABI values of each leaf, in input order (trees built with :meth:`of` or loaded)."""
        return self._values

    @property
    def leaf_encoding(self) -> tuple[str, ...] | None:
        """The ABI types of the values, e.g. ``("string", "uint256", "bytes32")``."""
        return self._leaf_encoding

    @property
    def nodes(self) -> tuple[bytes, ...]:
        """The whole node array in heap layout (root first), as the library's ``tree``."""
        return tuple(self._nodes)

    def __len__(self) -> int:
        return len(self._leaves)

    def leaf(self, index: int) -> bytes:
        """The leaf hash of input ``index``."""
        return self._leaves[self._check_index(index)]

    def tree_index(self, index: int) -> int:
        """Where input ``index``'s leaf sits in the node array (the dump's ``treeIndex``)."""
        index = self._check_index(index)
        if self._tree_indices is not None:
            return self._tree_indices[index]
        assert self._sorted is not None
        return len(self._nodes) - 1 - bisect_left(self._sorted, self._leaves[index])

    def proof(self, index: int) -> list[bytes]:
        """The siblings from input ``index``'s leaf up to the root (``getProof(index)``)."""
        nodes = self._nodes
        i = self.tree_index(index)
        proof: list[bytes] = []
        while i > 0:
            proof.append(nodes[i + 1] if i & 1 else nodes[i - 1])
            i = (i - 1) >> 1
        return proof

    def multiproof(self, indices: Sequence[int]) -> dict[str, Any]:
        """OpenZeppelin's ``getMultiProof(indices)`` by input index.

        ``{"indices": [input index, ...], "proof": [bytes, ...], "proofFlags": [bool, ...]}``:
        ``indices`` are the inputs in the order the proof consumes their leaves
        (the library returns those leaves' values in that order as ``leaves``).
        """
        positions = {self.tree_index(i): i for i in indices}
        if len(positions) != len(indices):
            raise ValueError("cannot prove the same leaf twice in one multiproof")
        mp = multiproof(self._nodes.__getitem__, len(self._nodes), list(positions))
        return {"indices": [positions[t] for t in mp["leaves"]], "proof": mp["proof"], "proofFlags": mp["proofFlags"]}

    def _check_index(self, index: int) -> int:
        if type(index) is not int or not 0 <= index < len(self._leaves):
            raise IndexError(f"leaf index {index!r} out of range (tree has {len(self._leaves)} leaves)")
        return index

    # -- standard-v1 dumps ----------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """The ``tree.dump()`` document of ``@openzeppelin/merkle-tree``.

        ``{"format": "standard-v1", "leafEncoding": [...], "tree": ["0x…", …],
        "values": [{"value": [...], "treeIndex": i}, …]}``, where values are in
        input order and in JSON form: strings as is, ``uint256`` as decimal
        strings, ``bytes32`` as ``0x`` + 64 lowercase hex.  ``StandardMerkleTree.load``
        accepts it.  Only trees built with :meth:`of` (or loaded) have values.
        """
        if self.values is None or self.leaf_encoding is None:
            raise ValueError("this tree was built from bare leaves; build it with MerkleTree.of() to dump it")
        encoding = self.leaf_encoding
        return {
            "format": "standard-v1",
            "leafEncoding": list(encoding),
            "tree": ["0x" + node.hex() for node in self._nodes],
            "values": [
                {"value": [_json_value(t, v) for t, v in zip(encoding, value)], "treeIndex": self.tree_index(i)}
                for i, value in enumerate(self.values)
            ],
        }

    @classmethod
    def load(cls, data: dict[str, Any] | str) -> MerkleTree:
        """Read a ``standard-v1`` dump (a dict or its JSON text) and check all of it.

        Every value must hash to the node at its ``treeIndex`` and every inner
        node must be the hash of its children; otherwise :class:`InvalidReceipt`.
        """
        try:
            if isinstance(data, str):
                data = json.loads(data)
            if not isinstance(data, dict):
                raise ValueError("a standard-v1 dump is a JSON object")
            if data.get("format") != "standard-v1":
                raise ValueError(f"unknown format {data.get('format')!r} (expected 'standard-v1')")
            encoding = data.get("leafEncoding")
            if not isinstance(encoding, list) or not encoding or not all(t in _SUPPORTED_TYPES for t in encoding):
                raise ValueError(f"unsupported leafEncoding {encoding!r}")
            encoding_t = tuple(encoding)
            raw_nodes, raw_values = data.get("tree"), data.get("values")
            if not isinstance(raw_nodes, list) or not isinstance(raw_values, list) or not raw_values:
                raise ValueError("'tree' and 'values' must be non-empty lists")
            if len(raw_nodes) != 2 * len(raw_values) - 1:
                raise ValueError(
                    f"{len(raw_values)} values need {2 * len(raw_values) - 1} tree nodes, got {len(raw_nodes)}"
                )
            if not all(isinstance(n, str) and _HEX32.fullmatch(n.lower()) for n in raw_nodes):
                raise ValueError("tree nodes must be 0x + 64 hex digits")
            nodes = [bytes.fromhex(n[2:]) for n in raw_nodes]
            values: list[tuple[Any, ...]] = []
            leaves: list[bytes] = []
            tree_indices: list[int] = []
            first_leaf = len(nodes) - len(raw_values)
            for item in raw_values:
                if not isinstance(item, dict) or not isinstance(item.get("value"), list):
                    raise ValueError("each value is {'value': [...], 'treeIndex': n}")
                index = item.get("treeIndex")
                if type(index) is not int or not first_leaf <= index < len(nodes):
                    raise ValueError(f"treeIndex {index!r} is not a leaf position")
                value = tuple(
                    normalize_value(t, v) for t, v in zip(encoding_t, _check_arity(item["value"], encoding_t))
                )
                leaf = leaf_hash(encoding_t, value)
                if nodes[index] != leaf:
                    raise ValueError(f"value {item['value']!r} does not hash to tree node {index}")
                values.append(value)
                leaves.append(leaf)
                tree_indices.append(index)
            if len(set(tree_indices)) != len(tree_indices):
                raise ValueError("two values share a treeIndex")
            for i in range(first_leaf - 1, -1, -1):
                if nodes[i] != hash_pair(nodes[2 * i + 1], nodes[2 * i + 2]):
                    raise ValueError(f"tree node {i} is not the hash of its children")
        except (ValueError, TypeError) as exc:
            raise InvalidReceipt(f"invalid standard-v1 Merkle tree dump: {exc}") from None
        return cls(nodes, leaves, tree_indices=tree_indices, values=values, leaf_encoding=encoding_t)


def _check_arity(value: Sequence[Any], encoding: tuple[str, ...]) -> Sequence[Any]:
    if isinstance(value, (str, bytes)) or len(value) != len(encoding):
        raise ValueError(f"value {value!r} does not have {len(encoding)} fields {list(encoding)}")
    return value


def _json_value(abi_type: str, value: Any) -> Any:
    if abi_type == "uint256":
        return str(value)
    if abi_type == "bytes32":
        return "0x" + value.hex()
    return value
