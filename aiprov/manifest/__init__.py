"""Content identity: the ``aiprov-manifest/1`` format, file hashing and Merkle proofs.

A target (file or directory) becomes a :class:`Manifest` of entries
``(path, size, sha256)`` whose root is the OpenZeppelin ``StandardMerkleTree``
root (``@openzeppelin/merkle-tree``, ``standard-v1``) with leaf encoding
``["string", "uint256", "bytes32"]``.  Where each rule lives:

* :mod:`.manifest` — the format (fields, JSON form, root), :func:`build_manifest`;
* :mod:`.walk` and :mod:`.ignore` — which files, their paths, symlinks, ignore rules;
* :mod:`.hashing` — SHA-256 of many files on every core (threads or helper
  processes), with :mod:`.filehash` hashing one file and detecting changes;
* :mod:`.leaves` — ABI encoding and the double-Keccak leaves (files and records);
* :mod:`.merkle` — the tree, proofs, ``standard-v1`` dumps, proof verification;
* :mod:`.diff` — added / removed / modified files between two manifests.

Importing this package pulls in no web3, eth-*, rich or click.
"""

from .diff import Changes, diff_manifests
from .ignore import DEFAULT_IGNORES, IGNORE_FILE
from .leaves import FILE_LEAF_ENCODING, RECORD_LEAF_ENCODING, file_leaf, record_leaf
from .manifest import FORMAT, Entry, Manifest, UnknownPath, build_manifest
from .merkle import MerkleTree, verify_proof

__all__ = [
    "DEFAULT_IGNORES",
    "FILE_LEAF_ENCODING",
    "FORMAT",
    "IGNORE_FILE",
    "RECORD_LEAF_ENCODING",
    "Changes",
    "Entry",
    "Manifest",
    "MerkleTree",
    "UnknownPath",
    "build_manifest",
    "diff_manifests",
    "file_leaf",
    "record_leaf",
    "verify_proof",
]
