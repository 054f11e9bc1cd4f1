"""Property-generated record proofs: the npm library and the registry's one-call views agree.

Random records files are registered on the embedded chain; for every record a single
proof, and for a random subset a multiproof, must pass @openzeppelin/merkle-tree's
``StandardMerkleTree.verify`` / ``verifyMultiProof`` *and* ``checkRecord`` /
``checkRecords`` on-chain (through ``Client.verify_proof``), and a proof with a
changed commitment must fail both.
"""

from __future__ import annotations

import copy
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiprov import Client

line = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), min_size=1, max_size=30) \
    .filter(lambda s: s.strip(" \t"))
_counter = itertools.count()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(line, min_size=1, max_size=24), st.data())
def test_record_proofs_pass_the_library_and_the_registry(oracle, home, tmp_path, lines, data):
    path = tmp_path / f"r{next(_counter)}.jsonl"
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    with Client(home=home) as client:
        reg = client.register_dataset(path, records=True)
        n = len(lines)
        docs = [client.prove(path, records=[i]).document for i in range(n)]
        if n > 1:
            subset = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=n, unique=True))
            docs.append(client.prove(path, records=subset).document)
        assert oracle.verify(docs) == [True] * len(docs)
        for doc in docs:
            check = client.verify_proof(doc)
            assert check.valid and check.registered and check.dataset_id == reg.id, check.reason
        bad = copy.deepcopy(docs[-1])
        (bad["leaves"][0] if "leaves" in bad else bad["value"])[1] = "0x" + "ab" * 32
        if "salts" in bad:
            bad["records"][0], bad["salts"][0] = "x", "0x" + "00" * 32
        assert oracle.verify([bad]) == [False]
        assert not client.verify_proof(bad).valid
        # on-chain alone: the registry's view says "not included" for a wrong commitment or index
        single = docs[0]
        proof = [bytes.fromhex(x[2:]) for x in single["proof"]]
        commitment = bytes.fromhex(single["value"][1][2:])
        with client.session() as s:
            assert s.datasets.call("checkRecord", reg.id, proof, 0, commitment)[0] is True
            assert s.datasets.call("checkRecord", reg.id, proof, 0, bytes(32))[0] is False
            assert s.datasets.call("checkRecord", reg.id, proof, n, commitment)[0] is False
