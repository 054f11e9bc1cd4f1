"""Contract event logs read once and kept: an incremental, reorg-safe cache in the state directory.

Reading a contract's history from a JSON-RPC node means ``eth_getLogs`` over
every block since the contract was deployed. :class:`EventCache` does that
once per (chain id, contract address), keeps the logs in
``$AIPROV_HOME/cache/events.sqlite``, and afterwards fetches only the blocks
added since — so a second ``history`` or ``lease log`` costs one small request
however long the chain is. Queries filter the cached logs by topic locally.

    >>> from aiprov.chain.events import EventCache
    >>> cache = EventCache(home)                       # home=None: no cache, ask the node
    >>> logs = cache.logs(backend, address, [topic0, None, owner_topic], from_block=deploy_block)

Guarantees
- **Start**: scans begin at ``from_block`` (the contract's deployment block, see
  :func:`aiprov.contracts.discovery.deployment_block`), in chunks the node
  accepts (:meth:`aiprov.chain.rpc.RpcBackend.get_logs` halves too-large ranges).
- **Reorgs** (a dev chain reverted or restarted, a public chain's last blocks
  replaced): the cache records the hash of the last block it scanned and of
  every block it holds logs from. Before answering it checks that hash; when it
  changed, it keeps the logs of the newest block whose hash the node still
  agrees with (the chain below it is then identical) and rescans from there.
- **Concurrent runs**: SQLite (WAL) with short write transactions; a run
  writes its scan only if nobody else advanced the same cursor meanwhile (else
  it scans again from the newer cursor), so two processes never mix scans.
- **No state, read-only state**: when the cache file cannot be opened or
  written, answers come straight from the node; nothing fails.

The embedded ``local`` chain already indexes its logs in SQLite and needs no
cache (the session passes ``home=None`` there).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Sequence

from .backend import Backend
from .types import Log

CACHE_FILE = Path("cache") / "events.sqlite"
#: How many cached blocks (newest first) are checked when looking for the last common block.
_REORG_PROBES = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    chain_id INTEGER NOT NULL, address BLOB NOT NULL,
    from_block INTEGER NOT NULL,          -- where the scan started
    scanned_to INTEGER NOT NULL,          -- last block scanned (inclusive)
    block_hash BLOB NOT NULL,             -- its hash, to notice reorgs
    PRIMARY KEY (chain_id, address)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS logs (
    chain_id INTEGER NOT NULL, address BLOB NOT NULL,
    block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
    tx_index INTEGER NOT NULL, tx_hash BLOB NOT NULL, block_hash BLOB NOT NULL,
    topic0 BLOB, topic1 BLOB, topic2 BLOB, topic3 BLOB, data BLOB NOT NULL,
    PRIMARY KEY (chain_id, address, block_number, log_index)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS logs_t1 ON logs (chain_id, address, topic1);
CREATE INDEX IF NOT EXISTS logs_t2 ON logs (chain_id, address, topic2);
CREATE TABLE IF NOT EXISTS blocks (
    chain_id INTEGER NOT NULL, number INTEGER NOT NULL, hash BLOB NOT NULL, timestamp INTEGER NOT NULL,
    PRIMARY KEY (chain_id, number)
) WITHOUT ROWID;
"""


class EventCache:
    """Logs of contracts on RPC chains, cached under ``home`` (None: no cache)."""

    def __init__(self, home: Path | None) -> None:
        self.path = Path(home) / CACHE_FILE if home is not None else None
        self._conn: sqlite3.Connection | None = None
        self._broken = home is None
        #: what the last :meth:`logs` call asked the node for: (from_block, to_block) or None
        self.last_fetch: tuple[int, int] | None = None

    # -- the connection --------------------------------------------------------

    def _db(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(self.path), timeout=10, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(_SCHEMA)
            except (OSError, sqlite3.Error):
                self._broken = True
                return None
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- the query -------------------------------------------------------------

    def logs(self, backend: Backend, address: bytes, topics: Sequence[bytes | None], *,
             from_block: int = 0) -> list[Log]:
        """Logs of ``address`` matching ``topics`` (None = any) from ``from_block`` on, oldest first."""
        db = self._db()
        if db is None:
            self.last_fetch = (from_block, -1)
            return backend.get_logs(address, topics, from_block=from_block)
        try:
            for _ in range(3):
                if self._refresh(db, backend, bytes(address), from_block):
                    break
            return self._select(db, backend.chain_id, bytes(address), topics, from_block)
        except sqlite3.Error:
            self._broken = True
            return backend.get_logs(address, topics, from_block=from_block)

    def block_timestamp(self, backend: Backend, number: int, block_hash: bytes | None = None) -> int:
        """Timestamp of block ``number`` (whose hash, from a log, is ``block_hash``), cached."""
        db = self._db()
        if db is not None and block_hash is not None:
            row = db.execute("SELECT timestamp FROM blocks WHERE chain_id = ? AND number = ? AND hash = ?",
                             (backend.chain_id, number, bytes(block_hash))).fetchone()
            if row is not None:
                return row[0]
        block = backend.get_block(number)
        if db is not None:
            try:
                db.execute("INSERT OR REPLACE INTO blocks VALUES (?, ?, ?, ?)",
                           (backend.chain_id, number, block.hash, block.timestamp))
            except sqlite3.Error:
                pass
        return block.timestamp

    # -- internals -------------------------------------------------------------

    def _refresh(self, db, backend: Backend, address: bytes, from_block: int) -> bool:
        """Bring the cache of ``address`` up to the chain head; False if another run raced us."""
        chain_id = backend.chain_id
        cursor = db.execute("SELECT from_block, scanned_to, block_hash FROM cursors WHERE chain_id = ? AND address = ?",
                            (chain_id, address)).fetchone()
        head = backend.block_number()
        keep = None  # logs up to this block stay; None: drop everything
        if cursor is not None and cursor[0] <= from_block:
            scanned_to = cursor[1]
            if scanned_to <= head and backend.get_block(scanned_to).hash == cursor[2]:
                keep = scanned_to
            else:
                keep = self._common_block(db, backend, address, scanned_to)
        start = from_block if keep is None else max(keep + 1, cursor[0])
        scan_from = from_block if keep is None else cursor[0]
        if cursor is not None and keep == cursor[1] == head:
            self.last_fetch = None
            return True
        new = backend.get_logs(address, [], from_block=start, to_block=head) if start <= head else []
        self.last_fetch = (start, head)
        head_hash = backend.get_block(head).hash
        db.execute("BEGIN IMMEDIATE")
        try:
            now = db.execute("SELECT from_block, scanned_to, block_hash FROM cursors WHERE chain_id = ? AND address = ?",
                             (chain_id, address)).fetchone()
            if now != cursor:
                db.execute("ROLLBACK")
                return False
            if keep is None:
                db.execute("DELETE FROM logs WHERE chain_id = ? AND address = ?", (chain_id, address))
            else:
                db.execute("DELETE FROM logs WHERE chain_id = ? AND address = ? AND block_number > ?",
                           (chain_id, address, keep))
            db.executemany(
                "INSERT OR REPLACE INTO logs VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [(chain_id, address, log.block_number, log.log_index, log.tx_index, log.tx_hash, log.block_hash,
                  *(list(log.topics) + [None] * 4)[:4], log.data) for log in new],
            )
            db.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?, ?, ?, ?)",
                       (chain_id, address, scan_from, head, head_hash))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return True

    def _common_block(self, db, backend: Backend, address: bytes, scanned_to: int) -> int | None:
        """The newest cached block the node still has (same hash); None when there is none."""
        head = backend.block_number()
        rows = db.execute(
            "SELECT DISTINCT block_number, block_hash FROM logs WHERE chain_id = ? AND address = ? "
            "AND block_number <= ? ORDER BY block_number DESC LIMIT ?",
            (backend.chain_id, address, min(scanned_to, head), _REORG_PROBES),
        ).fetchall()
        for number, block_hash in rows:
            if backend.get_block(number).hash == block_hash:
                return number
        return None

    def _select(self, db, chain_id: int, address: bytes, topics: Sequence[bytes | None], from_block: int) -> list[Log]:
        sql = ("SELECT block_number, log_index, tx_index, tx_hash, block_hash, topic0, topic1, topic2, topic3, data "
               "FROM logs WHERE chain_id = ? AND address = ? AND block_number >= ?")
        args: list = [chain_id, address, from_block]
        for i, topic in enumerate(list(topics)[:4]):
            if topic is not None:
                sql += f" AND topic{i} = ?"
                args.append(bytes(topic))
        sql += " ORDER BY block_number, log_index"
        return [
            Log(address=address, topics=tuple(t for t in (t0, t1, t2, t3) if t is not None), data=data,
                block_number=number, block_hash=block_hash, tx_hash=tx_hash, tx_index=tx_index, log_index=log_index)
            for number, log_index, tx_index, tx_hash, block_hash, t0, t1, t2, t3, data in db.execute(sql, args)
        ]
