"""The gateway's access log: one SQLite file, append-only, anchored on-chain in batches.

Every attempt on ``aiprov serve`` — allowed or denied, signed or not — becomes
one row of ``entries`` *before* the response leaves the server: the row (and a
signed request's nonce, under a UNIQUE constraint) is committed and fsynced
(WAL, ``synchronous=FULL``) first. Concurrent requests share one commit (group
commit), so the fsync costs once per burst, not once per request. Triggers
refuse UPDATE and DELETE on ``entries``: the file only grows.

Format ``aiprov-access-log/1``. One entry is the tuple, in this order and with
these Solidity ABI types (the leaf encoding of an OpenZeppelin
``StandardMerkleTree``)::

    LEAF_ENCODING = ["uint256", "uint256", "address", "string", "bool", "string", "uint256", "bytes32"]
                      seq        time       account    path      granted  reason    bytes      request

- ``seq``      1, 2, 3 … in the order the gateway committed the entries
- ``time``     the gateway's clock, unix seconds
- ``account``  who signed the request; the zero address when no valid signature
- ``path``     the manifest path asked for ("" for the manifest index; the URL path
               for a request that was not signed)
- ``granted``  true only when the response carried the data
- ``reason``   "ok" or the refusal's code (``unsigned``, ``expired``, ``nonce-reused`` …)
- ``bytes``    data bytes the response carried (the range's length; 0 when refused)
- ``request``  the EIP-712 digest the account signed (zero when none): together with
               the stored signature it proves the account really asked

leaf = keccak256(keccak256(abi.encode(seq, time, account, path, granted, reason, bytes, request))).

A batch is entries ``first..last`` (consecutive, every entry in exactly one
batch); its root is the ``StandardMerkleTree`` root over their leaves, and
``AccessLeases.anchorAccessBatch(kind, assetId, root, count)`` records it
on-chain after the asset's previous batch, so no batch can later be replaced.
An inclusion proof of one entry (``aiprov lease log ASSET --prove SEQ``) is
checkable with ``StandardMerkleTree.verify(root, LEAF_ENCODING, value, proof)``.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

FORMAT = "aiprov-access-log/1"
LEAF_ENCODING = ("uint256", "uint256", "address", "string", "bool", "string", "uint256", "bytes32")
ZERO_ADDRESS = "0x" + "00" * 20
ZERO32 = bytes(32)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    account TEXT NOT NULL,
    path TEXT NOT NULL,
    granted INTEGER NOT NULL,
    reason TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    request BLOB NOT NULL,
    nonce BLOB UNIQUE,
    signature BLOB,
    client TEXT NOT NULL,
    status INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    number INTEGER PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    root BLOB NOT NULL,
    state TEXT NOT NULL,
    batch_id INTEGER,
    tx TEXT,
    block INTEGER
);
CREATE TRIGGER IF NOT EXISTS entries_append_only_u BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_append_only_d BEFORE DELETE ON entries
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
"""


@dataclass(frozen=True)
class Entry:
    seq: int
    time: int
    account: str
    path: str
    granted: bool
    reason: str
    bytes: int
    request: bytes
    client: str = ""
    status: int = 0

    def values(self) -> tuple:
        """The entry as the leaf's ABI values (see LEAF_ENCODING)."""
        return (self.seq, self.time, self.account, self.path, self.granted, self.reason, self.bytes, self.request)

    def json_values(self) -> list:
        """The values as ``@openzeppelin/merkle-tree`` takes them in JSON."""
        return [str(self.seq), str(self.time), self.account, self.path, self.granted, self.reason,
                str(self.bytes), "0x" + self.request.hex()]

    def to_json(self) -> dict:
        return {"seq": self.seq, "time": self.time, "account": self.account, "path": self.path,
                "granted": self.granted, "reason": self.reason, "bytes": self.bytes,
                "request": "0x" + self.request.hex(), "client": self.client, "status": self.status}


@dataclass(frozen=True)
class Batch:
    number: int
    first_seq: int
    last_seq: int
    root: bytes
    state: str  # "pending" (planned, not yet confirmed on-chain) or "anchored"
    batch_id: int | None
    tx: str | None
    block: int | None

    @property
    def count(self) -> int:
        return self.last_seq - self.first_seq + 1


def entry_leaf(entry: Entry) -> bytes:
    """``keccak256(keccak256(abi.encode(entry values)))`` — OpenZeppelin's standard leaf."""
    from ..manifest.keccak import keccak256

    return keccak256(keccak256(encode_entry(entry)))


def encode_entry(entry: Entry) -> bytes:
    """``abi.encode`` of the entry's values (LEAF_ENCODING), by hand: eight head words, then
    the two strings' tails (length word + UTF-8 padded to 32). A test checks it against eth_abi."""
    path = entry.path.encode("utf-8")
    reason = entry.reason.encode("utf-8")
    path_tail = len(path).to_bytes(32, "big") + path + bytes(-len(path) % 32)
    reason_tail = len(reason).to_bytes(32, "big") + reason + bytes(-len(reason) % 32)
    return b"".join((
        entry.seq.to_bytes(32, "big"), entry.time.to_bytes(32, "big"),
        bytes(12) + bytes.fromhex(entry.account[2:]), (8 * 32).to_bytes(32, "big"),
        (1 if entry.granted else 0).to_bytes(32, "big"), (8 * 32 + len(path_tail)).to_bytes(32, "big"),
        entry.bytes.to_bytes(32, "big"), entry.request, path_tail, reason_tail,
    ))


@dataclass
class _Pending:
    """Entries waiting for the writer thread, with what to do when they are durable."""

    rows: list  # of field dicts
    done: object  # callable(list of (seq, granted, reason)), or (None, False, "log-unavailable") each


class AccessLog:
    """The log file of one asset on one chain and contract. Thread-safe."""

    def __init__(self, path: Path, *, chain_id: int, contract: str, asset: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = self._connect()
        self._conn.executescript(_SCHEMA)
        want = {"format": FORMAT, "chain_id": str(chain_id), "contract": contract.lower(), "asset": asset}
        have = dict(self._conn.execute("SELECT name, value FROM meta"))
        if not have:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany("INSERT INTO meta VALUES (?, ?)", want.items())
            self._conn.execute("COMMIT")
        elif {k: have.get(k) for k in want} != want:
            from ..errors import InvalidArgument

            raise InvalidArgument(f"{self.path} is the access log of {have.get('asset')} on chain "
                                  f"{have.get('chain_id')} ({have.get('contract')}), not of {asset} on {chain_id}")
        self._lock = threading.Lock()  # one statement at a time on the shared connection
        self._queue: queue.Queue = queue.Queue()
        self._writer: threading.Thread | None = None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # in WAL mode: fsync of the WAL at every commit
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    @classmethod
    def open_existing(cls, path: Path) -> "AccessLog":
        """Open a log for reading, trusting its own meta (``lease log``)."""
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = dict(conn.execute("SELECT name, value FROM meta"))
        conn.close()
        return cls(path, chain_id=int(meta["chain_id"]), contract=meta["contract"], asset=meta["asset"])

    def close(self) -> None:
        self.stop_writer()
        with self._lock:
            self._conn.close()

    # -- appending (group commit) ------------------------------------------------

    def start_writer(self) -> None:
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_loop, name="aiprov-access-log", daemon=True)
            self._writer.start()

    def stop_writer(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
            self._writer = None

    def submit(self, rows: list[dict], done) -> None:
        """Queue entries; ``done(results)`` runs in the writer thread once they are durable.

        Each row: time, account, path, granted, reason, bytes, request, nonce (or None),
        signature (or None), client, status. ``results`` has one (seq, granted, reason)
        per row: a nonce already in the log turns a granted entry into a refusal
        ``nonce-reused`` (single use, decided inside the commit).
        """
        self._queue.put(_Pending(list(rows), done))

    def append(self, **fields) -> tuple[int, bool, str]:
        """One entry, synchronously (for tests and tools): (seq, granted, reason)."""
        out = []
        event = threading.Event()
        self.submit([fields], lambda results: (out.extend(results), event.set()))
        if self._writer is None:
            self._commit_or_fail([self._queue.get()])
        event.wait()
        return out[0]

    def _write_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            items = [item]
            while len(items) < 1024:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._commit_or_fail(items)
                    return
                items.append(nxt)
            self._commit_or_fail(items)

    def _commit_or_fail(self, items: list[_Pending]) -> None:
        try:
            self._commit(items)
        except Exception as exc:  # disk full, I/O error: nobody is served without a log entry
            import sys

            print(f"aiprov serve: error: the access log {self.path} cannot be written: {exc}", file=sys.stderr)
            for item in items:
                item.done([(None, False, "log-unavailable")] * len(item.rows))

    def _commit(self, items: list[_Pending]) -> None:
        """One transaction (one fsync) for every queued entry.

        Few statements per batch, whatever its size: each statement hands the GIL
        back and forth with the event loop, which under load costs more than the
        statement itself.
        """
        rows = [dict(f) for item in items for f in item.rows]
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                nonces = [f["nonce"] for f in rows if f.get("nonce") is not None]
                used = set()
                for i in range(0, len(nonces), 500):
                    chunk = nonces[i:i + 500]
                    used.update(r[0] for r in conn.execute(
                        f"SELECT nonce FROM entries WHERE nonce IN ({','.join('?' * len(chunk))})", chunk))
                for f in rows:
                    nonce = f.get("nonce")
                    if nonce is None:
                        continue
                    if nonce in used:  # this signed request was seen before: single use
                        f.update(nonce=None, granted=False, reason="nonce-reused", bytes=0, status=401)
                    else:
                        used.add(nonce)
                first = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM entries").fetchone()[0]
                conn.executemany(_INSERT, [(first + i, *_row(f)) for i, f in enumerate(rows)])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        results = [(first + i, bool(f["granted"]), f["reason"]) for i, f in enumerate(rows)]
        at = 0
        for item in items:
            item.done(results[at:at + len(item.rows)])
            at += len(item.rows)

    # -- reading -----------------------------------------------------------------

    def entries(self, first: int = 1, last: int | None = None) -> list[Entry]:
        sql = "SELECT seq, time, account, path, granted, reason, bytes, request, client, status FROM entries WHERE seq >= ?"
        args: list = [first]
        if last is not None:
            sql += " AND seq <= ?"
            args.append(last)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY seq", args).fetchall()
        return [Entry(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], bytes(r[7]), r[8], r[9]) for r in rows]

    def entry(self, seq: int) -> Entry | None:
        found = self.entries(seq, seq)
        return found[0] if found else None

    def last_seq(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0]

    def batches(self) -> list[Batch]:
        with self._lock:
            rows = self._conn.execute("SELECT * FROM batches ORDER BY number").fetchall()
        return [Batch(r[0], r[1], r[2], bytes(r[3]), r[4], r[5], r[6], r[7]) for r in rows]

    def batch_of(self, seq: int) -> Batch | None:
        for b in self.batches():
            if b.first_seq <= seq <= b.last_seq:
                return b
        return None

    # -- batching ----------------------------------------------------------------

    def unbatched(self) -> tuple[int, int]:
        """(first, last) seq of the entries in no batch yet; first > last when none."""
        with self._lock:
            row = self._conn.execute("SELECT COALESCE(MAX(last_seq), 0) FROM batches").fetchone()
            last = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0]
        return row[0] + 1, last

    def oldest_unbatched_time(self) -> int | None:
        first, last = self.unbatched()
        if first > last:
            return None
        e = self.entry(first)
        return e.time if e else None

    def pending_batch(self) -> Batch | None:
        """A batch planned but not confirmed anchored (a crash or a chain failure between)."""
        for b in self.batches():
            if b.state != "anchored":
                return b
        return None

    def plan_batch(self, max_entries: int) -> Batch | None:
        """Record the next batch (up to ``max_entries`` unbatched entries) before it is sent."""
        pending = self.pending_batch()
        if pending is not None:
            return pending
        first, last = self.unbatched()
        if first > last:
            return None
        last = min(last, first + max_entries - 1)
        root = batch_tree(self.entries(first, last)).root
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            cur = self._conn.execute(
                "INSERT INTO batches (first_seq, last_seq, root, state) VALUES (?, ?, ?, 'pending')",
                (first, last, root))
            self._conn.execute("COMMIT")
        return Batch(cur.lastrowid, first, last, root, "pending", None, None, None)

    def mark_anchored(self, number: int, batch_id: int, tx: str, block: int) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("UPDATE batches SET state = 'anchored', batch_id = ?, tx = ?, block = ? WHERE number = ?",
                               (batch_id, tx, block, number))
            self._conn.execute("COMMIT")

    def proof(self, seq: int) -> dict:
        """The inclusion proof of entry ``seq`` in its batch (``aiprov-access-proof/1``)."""
        from ..errors import CheckFailed, InvalidArgument

        entry = self.entry(seq)
        if entry is None:
            raise InvalidArgument(f"no entry {seq} in {self.path} (entries 1 to {self.last_seq()})")
        batch = self.batch_of(seq)
        if batch is None:
            raise CheckFailed(f"entry {seq} is not in a batch yet: the gateway anchors it at its next batch",
                              hint="wait for the batch interval, or stop the gateway (it anchors on shutdown)")
        entries = self.entries(batch.first_seq, batch.last_seq)
        tree = batch_tree(entries)
        index = seq - batch.first_seq
        return {
            "format": "aiprov-access-proof/1",
            "asset": self.meta("asset"),
            "chain_id": int(self.meta("chain_id")),
            "contract": self.meta("contract"),
            "root": "0x" + tree.root.hex(),
            "leafEncoding": list(LEAF_ENCODING),
            "value": entry.json_values(),
            "leaf": "0x" + tree.leaf(index).hex(),
            "proof": ["0x" + p.hex() for p in tree.proof(index)],
            "batch": {"number": batch.number, "first": batch.first_seq, "last": batch.last_seq, "count": batch.count,
                      "state": batch.state, "batch_id": batch.batch_id, "tx": batch.tx, "block": batch.block},
        }

    def meta(self, name: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None


def batch_tree(entries: list[Entry]):
    from ..manifest.merkle import MerkleTree

    return MerkleTree.from_leaves([entry_leaf(e) for e in entries])


_INSERT = ("INSERT INTO entries (seq, time, account, path, granted, reason, bytes, request, nonce, signature, client, "
           "status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _row(f: dict) -> tuple:
    return (int(f.get("time") or time.time()), f.get("account") or ZERO_ADDRESS, f.get("path", ""),
            1 if f.get("granted") else 0, f.get("reason", ""), int(f.get("bytes", 0)), f.get("request") or ZERO32,
            f.get("nonce"), f.get("signature"), f.get("client", ""), int(f.get("status", 0)))


def default_log_path(home: Path, chain_id: int, contract: str, asset: str) -> Path:
    """Where ``serve`` keeps an asset's log: $AIPROV_HOME/gateway/<chain>-<contract>/<kind>-<id>.sqlite."""
    return Path(home) / "gateway" / f"{chain_id}-{contract.lower()}" / (asset.replace(":", "-") + ".sqlite")
