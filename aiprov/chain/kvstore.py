"""A crash-safe SQLite key-value store that py-evm can keep its chain in.

py-evm stores everything (headers, bodies, receipts, state trie nodes) as
``bytes -> bytes`` pairs behind its ``DatabaseAPI``. This module backs that
interface with one SQLite file so the embedded ``local`` chain survives
across processes.

Crash safety comes from SQLite transactions: every write since the last
:meth:`SQLiteKV.commit` sits in one open transaction, and the embedded chain
commits once per mined block, together with that block's rows in the log
index. A ``kill -9`` at any moment therefore leaves the file at the last
committed block: never half a block, never a block without its logs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from eth.db.backends.base import BaseDB

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logs (
    block_number INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    tx_index INTEGER NOT NULL,
    tx_hash BLOB NOT NULL,
    block_hash BLOB NOT NULL,
    address BLOB NOT NULL,
    topic0 BLOB, topic1 BLOB, topic2 BLOB, topic3 BLOB,
    data BLOB NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE TABLE IF NOT EXISTS txs (hash BLOB PRIMARY KEY, block_number INTEGER NOT NULL, tx_index INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS block_times (number INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS logs_t1 ON logs (address, topic0, topic1);
CREATE INDEX IF NOT EXISTS logs_t2 ON logs (address, topic0, topic2);
CREATE INDEX IF NOT EXISTS logs_t3 ON logs (address, topic0, topic3);
"""


class SQLiteKV(BaseDB):
    """py-evm ``DatabaseAPI`` over one SQLite file, written in explicit transactions."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves.
        self.conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(_SCHEMA)
        self._in_tx = False

    # -- transaction control -------------------------------------------------

    def _begin(self) -> None:
        if not self._in_tx:
            self.conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def commit(self) -> None:
        """Make every write since the last commit durable, atomically."""
        if self._in_tx:
            self.conn.execute("COMMIT")
            self._in_tx = False

    def rollback(self) -> None:
        """Forget every write since the last commit."""
        if self._in_tx:
            self.conn.execute("ROLLBACK")
            self._in_tx = False

    def close(self) -> None:
        self.rollback()
        self.conn.close()

    # -- DatabaseAPI ---------------------------------------------------------

    def __getitem__(self, key: bytes) -> bytes:
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return row[0]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._begin()
        self.conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    def __delitem__(self, key: bytes) -> None:
        self._begin()
        cur = self.conn.execute("DELETE FROM kv WHERE key = ?", (key,))
        if cur.rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        return self.conn.execute("SELECT 1 FROM kv WHERE key = ?", (key,)).fetchone() is not None

    # -- small typed side tables --------------------------------------------

    def get_meta(self, name: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return default if row is None else row[0]

    def set_meta(self, name: str, value: str) -> None:
        self._begin()
        self.conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))

    def add_block_time(self, number: int, timestamp: int) -> None:
        self._begin()
        self.conn.execute("INSERT OR REPLACE INTO block_times VALUES (?, ?)", (number, timestamp))

    def block_times(self, numbers: list[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for i in range(0, len(numbers), 900):  # SQLite's bound-parameter limit
            chunk = numbers[i:i + 900]
            out.update(self.conn.execute(
                f"SELECT number, timestamp FROM block_times WHERE number IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def add_log(self, row: tuple) -> None:
        self._begin()
        self.conn.execute("INSERT OR REPLACE INTO logs VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
