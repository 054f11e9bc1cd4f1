"""Per-file proofs from a real manifest pass OpenZeppelin's MerkleProof in the deployed registry."""

from __future__ import annotations

import hashlib

from helpers import write_files

from aiprov import Client
from aiprov.chain.local import LocalChain
from aiprov.contracts.dataset_registry import DatasetRegistry
from aiprov.contracts.deployments import require_contract


def test_every_file_proof_verifies_on_chain_and_a_wrong_one_does_not(tmp_path, home):
    files = {f"shard-{i:03d}/part {i}.jsonl": f'{{"row": {i}}}\n' * (i + 1) for i in range(37)}
    files["ünïcode name.txt"] = "x"
    files["empty.bin"] = b""
    data = write_files(tmp_path / "data", files)
    with Client(home=home) as client:
        reg = client.register_dataset(data)
        manifest = client.hash(data)
    with LocalChain(home) as chain:
        registry = DatasetRegistry(chain, require_contract(chain, home, "DatasetRegistry", deployer=None))
        for entry in manifest.entries:
            proof = [bytes.fromhex(p[2:]) for p in manifest.proof(entry.path)]
            digest = bytes.fromhex(entry.sha256)
            assert registry.call("verifyFile", reg.id, proof, entry.path, entry.size, digest), entry.path
            assert registry.call("verifyLeaf", reg.id, proof, bytes.fromhex(manifest.leaf(entry.path)[2:]))
        # a one-byte change to a file's content (its digest) fails the proof
        entry = manifest.entries[5]
        proof = [bytes.fromhex(p[2:]) for p in manifest.proof(entry.path)]
        wrong = hashlib.sha256(b"tampered").digest()
        assert not registry.call("verifyFile", reg.id, proof, entry.path, entry.size, wrong)
        assert not registry.call("verifyFile", reg.id, proof, entry.path, entry.size + 1, bytes.fromhex(entry.sha256))
