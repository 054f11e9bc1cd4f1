"""Records mode (SPEC §2.1): one salted Merkle leaf per record of a ``.jsonl`` / ``.csv`` file.

Where each rule lives:

* :mod:`.parse` — what a record is (bytes, terminators, CSV rows and header, blank lines);
* :mod:`.manifest` — salts, commitments ``sha256(salt ‖ record)``, leaves, the root, salt
  reuse for unchanged files and versions, and the refusal of revoked records;
* :mod:`.store` — the private salts store and the records index in the state directory;
* :mod:`.consent` — what goes on-chain: registration, proof checks, consent revocation,
  erasure, and the consent counts a model's verification reports.

Proof documents (``aiprov-proof/1``) for records and files are built and checked offline in
:mod:`aiprov.proofs`.
"""
