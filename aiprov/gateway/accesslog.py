"""The gateway's access log: one SQLite file, append-only, anchored on-chain in batches.

Every attempt on ``aiprov serve`` — allowed or denied, signed or not — becomes
one row of ``entries`` *before* the response leaves the server: the row (and a
signed request's nonce, under a UNIQUE constraint) is committed to the WAL first,
so no crash of the process loses it. When it is fsynced — in the background
within tens of milliseconds (default), or before each response — is
:mod:`aiprov.gateway.logsync`'s matter. Concurrent requests share one commit
(group commit). Triggers refuse UPDATE and DELETE on ``entries``: the file only grows.

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
NONCE_MEMORY = 420.0  # seconds: MAX_LIFETIME (300) plus a margin for clock steps

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
    """The log file of one asset on one chain and contract. Thread-safe.

    ``sync``: ``"each"`` (every commit fsynced, by a writer thread, before it is
    reported done) or ``"background"`` (commits made in the caller's thread and
    fsynced by a syncer thread; see :mod:`aiprov.gateway.logsync`).
    """

    def __init__(self, path: Path, *, chain_id: int, contract: str, asset: str, sync: str = "each") -> None:
        from .logsync import MODES

        if sync not in MODES:
            raise ValueError(f"sync must be one of {MODES}, not {sync!r}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.sync_mode = sync
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
        self._lock = threading.Lock()  # one statement at a time on the writing connection
        self._read_conn = self._connect()  # reads (anchoring, lease log) never wait for a commit
        self._read_lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._writer: threading.Thread | None = None
        self._next_seq: int | None = None  # read from the file at the first commit
        self._recent = _RecentNonces()
        self._syncer = None
        if sync == "background":
            import sys

            from .logsync import WalSyncer

            self._conn.execute("PRAGMA wal_autocheckpoint=0")  # the syncer checkpoints, off the request path
            self._syncer = WalSyncer(self.path, self._lock, warn=lambda msg: print(
                f"aiprov serve: error: {msg}", file=sys.stderr, flush=True))

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        # in WAL mode, FULL: fsync of the WAL at every commit; NORMAL: only at checkpoints (we fsync ourselves)
        conn.execute("PRAGMA synchronous=" + ("FULL" if self.sync_mode == "each" else "NORMAL"))
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    @property
    def inline(self) -> bool:
        """True when :meth:`write` commits in the caller's thread without waiting for the disk."""
        return self._syncer is not None

    @classmethod
    def open_existing(cls, path: Path) -> "AccessLog":
        """Open a log for reading, trusting its own meta (``lease log``)."""
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = dict(conn.execute("SELECT name, value FROM meta"))
        conn.close()
        return cls(path, chain_id=int(meta["chain_id"]), contract=meta["contract"], asset=meta["asset"])

    def close(self) -> None:
        self.stop_writer()
        if self._syncer is not None:
            self._syncer.close()
        with self._lock:
            self._conn.close()
        with self._read_lock:
            self._read_conn.close()

    # -- appending (group commit) ------------------------------------------------

    def start_writer(self) -> None:
        """Start the writer thread (``each``) or the syncer thread (``background``)."""
        if self._syncer is not None:
            self._syncer.start()
        elif self._writer is None:
            self._writer = threading.Thread(target=self._write_loop, name="aiprov-access-log", daemon=True)
            self._writer.start()

    def stop_writer(self) -> None:
        """Commit what is queued and fsync it, then stop the thread."""
        if self._syncer is not None:
            self._syncer.stop()
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
            self._writer = None

    def sync(self) -> None:
        """Make every commit so far durable now (a no-op with ``each``: they already are)."""
        if self._syncer is not None:
            self._syncer.sync()

    def submit(self, rows: list[dict], done) -> None:
        """Queue entries; ``done(results)`` runs once they are committed (``each``: and fsynced).

        Each row: time, account, path, granted, reason, bytes, request, nonce (or None),
        signature (or None), client, status. ``results`` has one (seq, granted, reason)
        per row: a nonce already in the log turns a granted entry into a refusal
        ``nonce-reused`` (single use, decided inside the commit). With ``background``
        the commit happens here, in the caller's thread (see :meth:`write`).
        """
        if self._syncer is not None:
            done(self.write(rows))
            return
        self._queue.put(_Pending(list(rows), done))

    def write(self, rows: list[dict]) -> list[tuple]:
        """Commit entries now, in this thread (``background`` mode); the results as for :meth:`submit`.

        While the log is not reaching the disk (an fsync failed, or a commit has
        waited more than ``MAX_SYNC_LAG``), granted entries are logged as refusals
        ``log-unavailable`` (503): nothing is served whose entry might not last.
        """
        out: list = []
        item = _Pending(list(rows), out.extend)
        if self._syncer is not None and self._syncer.lagging():
            for f in item.rows:
                if f.get("granted"):
                    f.update(granted=False, reason="log-unavailable", bytes=0, status=503)
        self._commit_or_fail([item])
        return out

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
        """One transaction (one fsync with ``each``) for every queued entry.

        Usually one statement whatever the batch's size — a multi-row INSERT,
        atomic on its own, its sequence numbers and nonce decisions taken from
        memory (:class:`_RecentNonces`): each statement hands the GIL back and
        forth with the event loop, which under load costs more than the statement
        itself. The UNIQUE nonce (and seq) constraint stays the arbiter: if the
        statement breaks it (another writer, a nonce older than memory), the
        batch is decided again inside an explicit transaction, by the file.
        """
        rows = [dict(f) for item in items for f in item.rows]
        with self._lock:
            conn = self._conn
            if self._next_seq is None:
                self._next_seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM entries").fetchone()[0]
                self._recent.load(conn)
            first = self._next_seq
            decided = [dict(f) for f in rows]
            self._recent.decide(decided)
            try:
                if len(decided) > _MAX_ROWS_PER_INSERT:
                    raise _Slow
                conn.execute(_insert_sql(len(decided)), [v for i, f in enumerate(decided) for v in (first + i, *_row(f))])
                rows = decided
            except (sqlite3.IntegrityError, _Slow):
                first = self._commit_exactly(conn, rows)
            self._next_seq = first + len(rows)
            self._recent.add(f["nonce"] for f in rows if f.get("nonce") is not None)
            self._note_commit()
        results = [(first + i, bool(f["granted"]), f["reason"]) for i, f in enumerate(rows)]
        at = 0
        for item in items:
            item.done(results[at:at + len(item.rows)])
            at += len(item.rows)

    def _commit_exactly(self, conn, rows: list[dict]) -> int:
        """The batch decided by the file itself, in one explicit transaction; its first seq."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            nonces = [f["nonce"] for f in rows if f.get("nonce") is not None]
            used = set()
            for i in range(0, len(nonces), 500):
                chunk = nonces[i:i + 500]
                used.update(r[0] for r in conn.execute(
                    f"SELECT nonce FROM entries WHERE nonce IN ({','.join('?' * len(chunk))})", chunk))
            for f in rows:
                _decide_nonce(f, used)
            first = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM entries").fetchone()[0]
            conn.executemany(_INSERT, [(first + i, *_row(f)) for i, f in enumerate(rows)])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return first

    # -- reading -----------------------------------------------------------------

    def entries(self, first: int = 1, last: int | None = None) -> list[Entry]:
        sql = "SELECT seq, time, account, path, granted, reason, bytes, request, client, status FROM entries WHERE seq >= ?"
        args: list = [first]
        if last is not None:
            sql += " AND seq <= ?"
            args.append(last)
        with self._read_lock:
            rows = self._read_conn.execute(sql + " ORDER BY seq", args).fetchall()
        return [Entry(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], bytes(r[7]), r[8], r[9]) for r in rows]

    def entry(self, seq: int) -> Entry | None:
        found = self.entries(seq, seq)
        return found[0] if found else None

    def last_seq(self) -> int:
        with self._read_lock:
            return self._read_conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0]

    def batches(self) -> list[Batch]:
        with self._read_lock:
            rows = self._read_conn.execute("SELECT * FROM batches ORDER BY number").fetchall()
        return [Batch(r[0], r[1], r[2], bytes(r[3]), r[4], r[5], r[6], r[7]) for r in rows]

    def batch_of(self, seq: int) -> Batch | None:
        for b in self.batches():
            if b.first_seq <= seq <= b.last_seq:
                return b
        return None

    # -- batching ----------------------------------------------------------------

    def unbatched(self) -> tuple[int, int]:
        """(first, last) seq of the entries in no batch yet; first > last when none."""
        with self._read_lock:
            row = self._read_conn.execute("SELECT COALESCE(MAX(last_seq), 0) FROM batches").fetchone()
            last = self._read_conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0]
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
            self._note_commit()
        self.sync()  # the batch and its entries are on disk before their root is sent
        return Batch(cur.lastrowid, first, last, root, "pending", None, None, None)

    def mark_anchored(self, number: int, batch_id: int, tx: str, block: int) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("UPDATE batches SET state = 'anchored', batch_id = ?, tx = ?, block = ? WHERE number = ?",
                               (batch_id, tx, block, number))
            self._conn.execute("COMMIT")
            self._note_commit()
        self.sync()

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
        with self._read_lock:
            row = self._read_conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    # -- the serving run ---------------------------------------------------------

    def begin_run(self) -> float | None:
        """Record (durably) that a gateway serves from this log now.

        Returns the replay floor — refuse requests expiring at or before it — when
        the previous run may have lost its last entries (see :func:`logsync.replay_floor`).
        """
        from .logsync import boot_id, replay_floor

        previous = {k: self.meta(k) for k in ("run_state", "run_sync", "run_boot")}
        floor = replay_floor(previous, time.time())
        self._set_meta({"run_state": "serving", "run_sync": self.sync_mode, "run_boot": boot_id() or ""})
        return floor

    def end_run(self) -> None:
        """Record (durably) a clean stop: every entry of this run is on disk."""
        self._set_meta({"run_state": "stopped"})

    def _set_meta(self, values: dict) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
            self._conn.execute("COMMIT")
            self._note_commit()
        self.sync()

    def _note_commit(self) -> None:
        """Tell the syncer of a commit (call with the writing lock held)."""
        if self._syncer is not None:
            self._syncer.committed()


def batch_tree(entries: list[Entry]):
    from ..manifest.merkle import MerkleTree

    return MerkleTree.from_leaves([entry_leaf(e) for e in entries])


_INSERT = ("INSERT INTO entries (seq, time, account, path, granted, reason, bytes, request, nonce, signature, client, "
           "status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_MAX_ROWS_PER_INSERT = 500  # 12 parameters a row, well under SQLite's 32766


def _insert_sql(n: int, _cache: dict = {}) -> str:  # noqa: B006 - a deliberate memo
    sql = _cache.get(n)
    if sql is None:
        sql = _cache[n] = _INSERT + ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" * (n - 1)
    return sql


class _Slow(Exception):
    """A batch too big for one statement."""


def _decide_nonce(f: dict, used: set) -> None:
    """Turn ``f`` into a ``nonce-reused`` refusal if its nonce is in ``used``; else add it there."""
    nonce = f.get("nonce")
    if nonce is None:
        return
    if nonce in used:  # this signed request was seen before: single use
        f.update(nonce=None, granted=False, reason="nonce-reused", bytes=0, status=401)
    else:
        used.add(nonce)


class _RecentNonces:
    """The nonces logged in the last :data:`NONCE_MEMORY` seconds, to decide single use without a query.

    A request can only pass the expiry check up to ``MAX_LIFETIME`` (300 s) after
    its nonce was first logged (its expiresAt was then at most 300 s ahead), so
    older nonces need no memory; the margin covers clock steps. The file's UNIQUE
    constraint still catches anything this misses (see ``AccessLog._commit``).
    """

    def __init__(self) -> None:
        import collections

        self._set: set = set()
        self._order: collections.deque = collections.deque()  # (monotonic time, nonce), oldest first

    def load(self, conn) -> None:
        """The nonces of the file's recent entries (newest first, until older than the memory)."""
        now, wall = time.monotonic(), time.time()
        for logged, nonce in conn.execute("SELECT time, nonce FROM entries ORDER BY seq DESC"):
            if logged < wall - NONCE_MEMORY - 60:  # seq order is time order, give or take a request's duration
                break
            if nonce is not None and nonce not in self._set:
                self._set.add(nonce)
                self._order.appendleft((now - max(0.0, wall - logged), nonce))

    def decide(self, rows: list[dict]) -> None:
        used = set()
        for f in rows:
            nonce = f.get("nonce")
            if nonce is not None and nonce in self._set:
                used.add(nonce)
            _decide_nonce(f, used)

    def add(self, nonces) -> None:
        now = time.monotonic()
        for nonce in nonces:
            self._set.add(nonce)
            self._order.append((now, nonce))
        cutoff = now - NONCE_MEMORY
        while self._order and self._order[0][0] < cutoff:
            self._set.discard(self._order.popleft()[1])


def _row(f: dict) -> tuple:
    return (int(f.get("time") or time.time()), f.get("account") or ZERO_ADDRESS, f.get("path", ""),
            1 if f.get("granted") else 0, f.get("reason", ""), int(f.get("bytes", 0)), f.get("request") or ZERO32,
            f.get("nonce"), f.get("signature"), f.get("client", ""), int(f.get("status", 0)))


def default_log_path(home: Path, chain_id: int, contract: str, asset: str) -> Path:
    """Where ``serve`` keeps an asset's log: $AIPROV_HOME/gateway/<chain>-<contract>/<kind>-<id>.sqlite."""
    return Path(home) / "gateway" / f"{chain_id}-{contract.lower()}" / (asset.replace(":", "-") + ".sqlite")
