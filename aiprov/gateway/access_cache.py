"""Who may read the asset now: ``AccessLeases.hasAccess``, cached for at most one block.

A decision is reused only while the chain's head is the block it was read at
(and, for a lease, while chain time is before its expiry): a grant, an extend
or a revoke is a transaction, hence a new block, hence a fresh read for the very
next request. The head is looked up for every request — on ``local`` by one
SQLite read of the chain file (no lock taken), shared by the requests the event
loop handles in the same iteration (all of them were received before the read);
on a JSON-RPC node by one ``eth_blockNumber`` shared by the requests that arrive
while it is in flight.

On ``local`` the chain's lock is taken only for the read itself (a few ms) and
released before the request goes on, so ``aiprov lease grant`` / ``revoke`` in
another process run beside the gateway. The gateway's own anchoring
transactions make blocks too; on ``local`` one is mined while the gateway holds
the chain's lock, so the block holds that transaction alone, which changes no
access: decisions read at its parent carry over to it (:meth:`ChainAccess.carries`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path


_UNREAD = object()


@dataclass
class _Decision:
    head: object
    allowed: bool
    until: float  # wall-clock time after which the decision must be read again


class ChainAccess:
    """Blocking reads of the chain for one asset (run them in a thread)."""

    def __init__(self, network: str | None, home: Path, kind: str, asset_id: int, *, rpc_url: str | None = None) -> None:
        from ..chain.networks import resolve_network

        self.home = Path(home)
        self.kind, self.asset_id = kind, asset_id
        self.net = resolve_network(network, rpc_url)
        self.is_local = self.net.rpc_url is None
        self._network, self._rpc_url = network, rpc_url
        self._lock = threading.Lock()  # the session (and, over RPC, the head read)
        self._head_lock = threading.Lock()  # local: the head read, never behind a slow lookup
        self._session = None
        self._head_conn = None
        self._own_blocks: dict = {}  # local: head of a block holding only our anchoring tx -> its parent
    def _open_session(self):
        from ..chain.networks import open_backend
        from ..session import Session

        return Session(open_backend(self._network, self.home, rpc_url=self._rpc_url), self.home, None)

    def head(self):
        """A token that changes with every new block."""
        if self.is_local:
            with self._head_lock:
                if self._head_conn is None:
                    path = self.home / "local" / "chain.sqlite"
                    self._head_conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
                row = self._head_conn.execute("SELECT value FROM kv WHERE key = ?", (b"v1:canonical_head_hash",)).fetchone()
                return bytes(row[0]) if row else None
        with self._lock:
            if self._session is None:
                self._session = self._open_session()
            return self._session.backend.block_number()

    def mined_own_block(self, before, after) -> None:
        """``after`` is the head right after our anchoring tx was mined on top of ``before``, the chain's
        lock held throughout (local only): a block with that transaction alone."""
        if self.is_local and before is not None and after is not None and before != after:
            if len(self._own_blocks) > 10_000:
                self._own_blocks.clear()
            self._own_blocks[after] = before

    def carries(self, old, new) -> bool:
        """True when every block from ``old`` up to ``new`` holds only our anchoring transactions."""
        head = new
        for _ in range(256):
            parent = self._own_blocks.get(head)
            if parent is None:
                return False
            if parent == old:
                return True
            head = parent
        return False

    def lookup(self, account: str) -> tuple[bool, float]:
        """(hasAccess now, seconds for which a *lease* keeps that answer true at most)."""
        with self._lock:
            if self.is_local:
                s = self._open_session()  # takes the chain's lock; released in close() below
                try:
                    return self._read(s, account)
                finally:
                    s.close()
            if self._session is None:
                self._session = self._open_session()
            return self._read(self._session, account)

    def _read(self, s, account: str) -> tuple[bool, float]:
        allowed = s.leases.has_access(self.kind, self.asset_id, account)
        if not allowed:
            return False, float("inf")
        lease = s.leases.lease(self.kind, self.asset_id, account)
        now = s.backend.now()
        if not lease.revoked and lease.expires_at > now:
            # holds by lease: true until expiry (if also owner/manager, re-reading then is harmless)
            return True, float(lease.expires_at - now)
        return True, float("inf")  # owner or manager: until the next block

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None
        with self._head_lock:
            if self._head_conn is not None:
                self._head_conn.close()
                self._head_conn = None


class AccessCache:
    """The async face of :class:`ChainAccess` for the app: one decision per (account, block)."""

    def __init__(self, chain: ChainAccess) -> None:
        self.chain = chain
        self._decisions: dict[str, _Decision] = {}
        self._head_task: asyncio.Future | None = None
        self._head_started = 0.0
        self._lookups: dict[str, asyncio.Future] = {}
        self._iteration_head = _UNREAD  # local: the head read in this loop iteration
        self.reads = 0  # chain lookups done (for tests and the benchmark)

    async def _head(self, arrived: float):
        if self.chain.is_local:  # one SQLite point read: cheaper than a thread hop
            head = self._iteration_head
            if head is _UNREAD:
                head = self._iteration_head = self.chain.head()
                # forgotten before any request received after the read gets its turn (FIFO ready queue)
                asyncio.get_running_loop().call_soon(self._forget_head)
            return head
        # share an eth_blockNumber only if it was sent after this request arrived
        task = self._head_task
        if task is None or self._head_started < arrived or (task.done() and task.exception() is not None):
            self._head_started = time.monotonic()
            task = self._head_task = asyncio.ensure_future(asyncio.to_thread(self.chain.head))
        return await asyncio.shield(task)

    def _forget_head(self) -> None:
        self._iteration_head = _UNREAD

    async def allowed(self, account: str) -> bool:
        arrived = time.monotonic()
        head = await self._head(arrived)
        d = self._decisions.get(account)
        if d is not None and d.head != head and self.chain.carries(d.head, head):
            d.head = head  # only our own anchoring happened since: the decision still holds
        if d is not None and d.head == head and time.time() < d.until:
            return d.allowed
        pending = self._lookups.get(account)
        if pending is None:
            pending = self._lookups[account] = asyncio.ensure_future(self._lookup(account, head))
        try:
            return await asyncio.shield(pending)
        finally:
            if pending.done():
                self._lookups.pop(account, None)

    async def _lookup(self, account: str, head) -> bool:
        t0 = time.time()
        allowed, ttl = await asyncio.to_thread(self.chain.lookup, account)
        self.reads += 1
        if len(self._decisions) > 100_000:
            self._decisions.clear()
        self._decisions[account] = _Decision(head=head, allowed=allowed, until=t0 + ttl)
        return allowed
