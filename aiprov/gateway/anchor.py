"""Anchoring the access log on-chain: a batch every N seconds or M entries, and on shutdown.

Each batch is planned in the log first (its entries and root, state
``pending``), then sent as ``AccessLeases.anchorAccessBatch(kind, assetId,
root, count)`` by the gateway's account (the asset's owner or a manager), then
marked ``anchored`` with the on-chain batch id, tx and block. A crash between
the two leaves a ``pending`` batch that the next start re-sends (or adopts, if
its root is already on-chain), so no entry is lost or anchored twice.
"""

from __future__ import annotations

import asyncio
import sys
import time


class Anchorer:
    def __init__(self, log, open_session, signer, kind: str, asset_id: int, *,
                 interval: float = 60.0, max_entries: int = 1000, warn=None, chain=None) -> None:
        self.log = log
        self.open_session = open_session  # () -> Session; closed after each batch (local: lock released)
        self.signer = signer
        self.kind, self.asset_id = kind, asset_id
        self.interval, self.max_entries = interval, max_entries
        self.anchored: list = []
        self.chain = chain  # the ChainAccess to tell of the blocks our anchoring mines (local), or None
        self._warn = warn or (lambda msg: print(f"aiprov serve: warning: {msg}", file=sys.stderr, flush=True))

    def due(self) -> bool:
        first, last = self.log.unbatched()
        if first > last:
            return self.log.pending_batch() is not None
        if last - first + 1 >= self.max_entries:
            return True
        oldest = self.log.oldest_unbatched_time()
        return oldest is not None and time.time() - oldest >= self.interval

    def anchor_pending(self, *, only_due: bool = False) -> list:
        """Anchor every unbatched entry now (in batches of at most ``max_entries``).

        ``only_due``: stop when what is left is not due yet (fewer than
        ``max_entries`` entries, the oldest younger than ``interval``), so that the
        entries logged while a full batch was being sent wait for the next one.
        """
        from .anchoring import anchor_batch, find_anchored

        done = []
        while True:
            if only_due and done and not self.due():
                return done
            fresh = self.log.pending_batch() is None  # planned just now: it cannot have been sent yet
            batch = self.log.plan_batch(self.max_entries)
            if batch is None:
                return done
            s = self.open_session()
            try:
                found = None
                if not fresh:  # left pending by a crash or a failed send: maybe it reached the chain
                    after = max((b.batch_id or 0 for b in self.log.batches() if b.state == "anchored"), default=0)
                    found = find_anchored(s, self.kind, self.asset_id, batch.root, batch.count, after)
                if found is None:
                    watch = self.chain if self.chain is not None and self.chain.is_local else None
                    before = watch.head() if watch else None  # the session holds the chain's lock (local)
                    found = anchor_batch(s, self.signer, self.kind, self.asset_id, batch.root, batch.count)
                    if watch:
                        watch.mined_own_block(before, watch.head())
            finally:
                s.close()
            batch_id, tx, block = found
            self.log.mark_anchored(batch.number, batch_id, tx, block)
            done.append((batch, batch_id, tx))
            self.anchored.append((batch, batch_id, tx))

    async def run(self, stopping: asyncio.Event) -> None:
        """Anchor whenever due, until ``stopping`` is set (the final flush is the caller's)."""
        tick = max(0.05, min(1.0, self.interval / 4))
        while not stopping.is_set():
            try:
                await asyncio.wait_for(stopping.wait(), timeout=tick)
            except asyncio.TimeoutError:
                pass
            if stopping.is_set():
                return
            try:
                if self.due():
                    await asyncio.to_thread(self.anchor_pending, only_due=True)
            except Exception as exc:  # chain down, no funds: keep serving, retry next time
                self._warn(f"could not anchor the access log ({exc}); retrying in {self.interval:g} s")
                await asyncio.sleep(min(self.interval, 30))
