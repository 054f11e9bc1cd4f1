"""The embedded ``local`` chain: py-evm in-process, persisted in one SQLite file.

No node, no server, no compiler: the first command creates a genesis block with
the ten well-known dev accounts funded (the same addresses as Anvil's), later
commands resume from the last committed block in constant time.

Layout under ``$AIPROV_HOME/local/``::

    chain.sqlite   py-evm's key-value data + a log index + a tx index (one SQLite file)
    chain.lock     held by the process using the chain; serialises concurrent CLI runs
    chain.json     the genesis hash, written when the chain is created: if chain.sqlite
                   is later deleted, emptied or swapped, opening fails (exit 3) instead
                   of silently starting a new chain that hands out id 1 again

Guarantees
- Crash-safe: each mined block (state, body, receipts, indexes) is committed in
  one SQLite transaction, after mining and before the receipt is handed back. A
  ``kill -9`` leaves the chain at the last committed block.
- Serialised: an exclusive file lock is held from open to close; a second
  process waits up to ``lock_timeout`` seconds, then fails with exit 3.
- One transaction per block (automine), like Anvil's default.
- Chain time is wall-clock time plus a persisted offset that
  :meth:`LocalChain.advance_time` moves forward, so ``node advance 31d`` holds
  across processes. Reads (calls) run against the pending block at the current
  chain time, so an expired lease reads as expired without mining a block.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Sequence

from ..errors import ChainError, StateLocked, TransactionFailed
from .backend import Backend, DevChain
from .devkeys import DEV_ACCOUNT_COUNT, DEV_BALANCE_WEI, dev_address, dev_private_key
from .pyevm_lazy import defer_bls_precompiles

defer_bls_precompiles()  # before py-evm is first imported (kvstore imports it): ~0.2-0.4 s per command
from .kvstore import SQLiteKV  # noqa: E402
from .types import Block, CallReverted, Log, TxReceipt

#: Chain id of every embedded chain (Ganache/geth dev convention; Anvil uses 31337).
LOCAL_CHAIN_ID = 1337
GAS_LIMIT = 30_000_000
_SCHEMA_VERSION = "1"


def _chain_class():
    """Build the py-evm chain class lazily (py-evm is slow to import)."""
    from eth.chains.base import MiningChain
    from eth.consensus import ConsensusApplier, NoProofConsensus
    from eth.vm.forks import PragueVM

    class AiprovLocalChain(MiningChain):
        chain_id = LOCAL_CHAIN_ID
        vm_configuration = ConsensusApplier(NoProofConsensus).amend_vm_configuration(
            ((0, PragueVM),)
        )

        def create_header_from_parent(self, parent_header, **header_params):
            header_params["gas_limit"] = parent_header.gas_limit
            return super().create_header_from_parent(parent_header, **header_params)

    return AiprovLocalChain


MARKER = "chain.json"


def read_marker(folder: Path) -> dict | None:
    """``local/chain.json``: written once when a chain is created, so its loss is noticed."""
    import json

    try:
        return json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def write_marker(folder: Path, genesis_hash: bytes) -> None:
    import json

    from ..fsutil import atomic_write_text

    atomic_write_text(Path(folder) / MARKER, json.dumps(
        {"chain_id": LOCAL_CHAIN_ID, "genesis": "0x" + bytes(genesis_hash).hex(), "created": int(time.time())}) + "\n")



def _estimate(state, spoof, computation, fallback) -> int:
    """Gas limit enough for ``spoof``, from the run that just succeeded with the block's limit.

    What that run consumed (before refunds), plus 1/63 for the gas a CALL must keep
    back, is tried once; only if that runs out of gas (deep call chains) does py-evm's
    binary search run. That search executes the transaction ~25 times, which was
    most of a local command's time beyond imports.
    """
    from eth.vm.spoof import SpoofTransaction

    used = spoof.intrinsic_gas + computation.get_gas_used()
    guess = min(GAS_LIMIT, used + used // 63 + 1)
    snapshot = state.snapshot()
    try:
        trial = state.apply_transaction(SpoofTransaction(spoof, gas=guess))
    finally:
        state.revert(snapshot)
    return guess if not trial.is_error else fallback(state, spoof)

class LocalChain(Backend, DevChain):
    """The embedded chain stored under ``home / "local"``."""

    network = "local"
    chain_id = LOCAL_CHAIN_ID

    def __init__(self, home: Path, *, lock_timeout: float | None = None) -> None:
        from filelock import FileLock, Timeout

        if lock_timeout is None:
            from ..envconfig import env_seconds

            lock_timeout = env_seconds("AIPROV_LOCK_TIMEOUT", 120)
        self.dir = Path(home) / "local"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise ChainError(f"the state directory {home} (AIPROV_HOME) is not a directory",
                             hint="point AIPROV_HOME at a directory, or remove the file in its way") from None
        except OSError as exc:
            raise ChainError(f"cannot create the local chain's folder {self.dir}: {exc.strerror}") from None
        lock_path = self.dir / "chain.lock"
        self._lock = FileLock(str(lock_path))
        try:
            self._lock.acquire(timeout=lock_timeout)
        except Timeout:
            raise StateLocked(
                f"the local chain in {self.dir} is busy: another aiprov process "
                f"held its lock for more than {lock_timeout:g} s",
                hint="wait for it to finish, or raise AIPROV_LOCK_TIMEOUT",
            ) from None
        except OSError as exc:
            raise ChainError(f"cannot take the local chain's lock {lock_path}: {exc.strerror or exc}",
                             hint=f"{lock_path} must be a file aiprov can write (remove what is there)") from None
        try:
            self._open()
        except BaseException:
            self._lock.release()
            raise

    # -- opening / closing ---------------------------------------------------

    def _damaged(self, what: str) -> ChainError:
        return ChainError(
            f"local chain state missing or damaged in {self.dir}: {what}",
            hint=f"restore {self.dir / 'chain.sqlite'} from a backup; to start a new, empty chain "
                 f"instead (ids restart at 1), move {self.dir} aside",
        )

    def _open(self) -> None:
        import sqlite3

        from eth.db.atomic import AtomicDB

        db_path = self.dir / "chain.sqlite"
        marker = read_marker(self.dir)
        if marker is not None and (not db_path.is_file() or db_path.stat().st_size == 0):
            raise self._damaged(f"chain.sqlite is {'empty' if db_path.is_file() else 'gone'}, "
                                f"but this folder held chain {marker.get('genesis', '?')[:18]}…")
        try:
            self.kv = SQLiteKV(db_path)
            self.kv.rollback()  # nothing half-written survives a crash anyway; be explicit
            schema = self.kv.get_meta("schema")
        except sqlite3.DatabaseError as exc:
            raise self._damaged(f"chain.sqlite is not a readable database ({exc})") from None
        db = AtomicDB(self.kv)
        cls = _chain_class()
        if schema is None:
            if marker is not None:
                raise self._damaged("chain.sqlite holds no chain, but this folder held one")
            self.chain = cls.from_genesis(db, self._genesis_params(), self._genesis_state())
            self.kv.set_meta("schema", _SCHEMA_VERSION)
            self.kv.set_meta("time_offset", "0")
            self.kv.commit()
            write_marker(self.dir, self.chain.get_canonical_block_header_by_number(0).hash)
        else:
            if self.kv.get_meta("schema") != _SCHEMA_VERSION:
                raise ChainError(
                    f"the local chain in {self.dir} was written by another aiprov version",
                    hint=f"move {self.dir} aside to start a fresh local chain",
                )
            try:
                self.chain = cls(db)
                genesis = self.chain.get_canonical_block_header_by_number(0).hash
            except Exception as exc:  # noqa: BLE001 - py-evm raises many kinds on missing trie nodes
                raise self._damaged(f"its blocks cannot be read ({type(exc).__name__})") from None
            if marker is None:
                write_marker(self.dir, genesis)  # a chain from before the marker existed
            elif marker.get("genesis") != "0x" + genesis.hex():
                raise self._damaged("chain.sqlite holds a different chain than this folder had")
        self._time_offset = int(self.kv.get_meta("time_offset", "0"))
        frozen = self.kv.get_meta("frozen_time", "")
        self._frozen_time = int(frozen) if frozen else None
        self._refresh_pending_time()

    def close(self) -> None:
        if getattr(self, "kv", None) is not None:
            self.kv.close()
            self.kv = None
        if self._lock.is_locked:
            self._lock.release()

    def _genesis_params(self) -> dict:
        from eth.constants import POST_MERGE_DIFFICULTY, POST_MERGE_MIX_HASH, POST_MERGE_NONCE

        blank_root = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
        return {
            "coinbase": b"\x00" * 20,
            "difficulty": POST_MERGE_DIFFICULTY,
            "extra_data": b"aiprov local",
            "gas_limit": GAS_LIMIT,
            "mix_hash": POST_MERGE_MIX_HASH,
            "nonce": POST_MERGE_NONCE,
            "receipt_root": blank_root,
            "timestamp": int(time.time()),
            "transaction_root": blank_root,
        }

    def _genesis_state(self) -> dict:
        from .create2 import CREATE2_DEPLOYER, CREATE2_DEPLOYER_CODE

        account = {"balance": DEV_BALANCE_WEI, "storage": {}, "code": b"", "nonce": 0}
        state = {dev_address(i): dict(account) for i in range(DEV_ACCOUNT_COUNT)}
        # the standard CREATE2 proxy, as on Anvil and public chains: same contract addresses everywhere
        state[CREATE2_DEPLOYER] = {"balance": 0, "storage": {}, "code": CREATE2_DEPLOYER_CODE, "nonce": 1}
        return state

    # -- time ----------------------------------------------------------------

    def _clock(self) -> int:
        """Wall clock plus the persisted offset, or the frozen time if one is set."""
        if self._frozen_time is not None:
            return self._frozen_time
        return int(time.time()) + self._time_offset

    def now(self) -> int:
        """The time reads see and the next block gets: the clock, but always after the head."""
        return max(self.chain.get_canonical_head().timestamp + 1, self._clock())

    def _refresh_pending_time(self) -> None:
        """Stamp the (empty) pending block with the current chain time."""
        header = self.chain.header
        ts = self.now()
        if header.timestamp != ts:
            self.chain.header = header.copy(timestamp=ts)

    # -- reads ---------------------------------------------------------------

    def block_number(self) -> int:
        return self.chain.get_canonical_head().block_number

    def get_block(self, number: int | None = None) -> Block:
        if number is None:
            header = self.chain.get_canonical_head()
        else:
            header = self.chain.get_canonical_block_header_by_number(number)
        return Block(number=header.block_number, hash=header.hash, timestamp=header.timestamp)

    def _state(self):
        return self.chain.get_vm(self.chain.get_canonical_head()).state

    def get_code(self, address: bytes, block: int | None = None) -> bytes:
        if block is None:
            return self._state().get_code(address)
        header = self.chain.get_canonical_block_header_by_number(block)
        return self.chain.get_vm(header).state.get_code(address)

    def get_balance(self, address: bytes) -> int:
        return self._state().get_balance(address)

    def get_nonce(self, address: bytes) -> int:
        return self._state().get_nonce(address)

    def _execute(self, sender: bytes, to: bytes | None, data: bytes, value: int, estimate: bool):
        from eth.vm.spoof import SpoofTransaction

        self._refresh_pending_time()
        vm = self.chain.get_vm()
        # The pending block's own context (its timestamp is the chain time reads must
        # see), free of gas fees. py-evm's in_costless_state() would run one block
        # later, i.e. a second in the future.
        header = self.chain.header.copy(base_fee_per_gas=0)
        state = vm.build_state(vm.chaindb.db, header, vm.chain_context, vm.previous_hashes)
        tx = vm.create_unsigned_transaction(
            nonce=state.get_nonce(sender),
            gas_price=0,
            gas=GAS_LIMIT,
            to=to if to is not None else b"",
            value=value,
            data=data,
        )
        spoof = SpoofTransaction(tx, from_=sender)
        snapshot = state.snapshot()
        computation = state.apply_transaction(spoof)
        state.revert(snapshot)
        if computation.is_error:
            raise CallReverted(bytes(computation.output), str(computation.error))
        if not estimate:
            return bytes(computation.output)
        return _estimate(state, spoof, computation, self.chain.gas_estimator)

    def call(self, to: bytes, data: bytes, sender: bytes | None = None) -> bytes:
        return self._execute(sender or b"\x00" * 20, to, data, 0, estimate=False)

    def estimate_gas(self, sender: bytes, to: bytes | None, data: bytes, value: int = 0) -> int:
        return self._execute(sender, to, data, value, estimate=True)

    def fee_params(self) -> tuple[int, int]:
        self._refresh_pending_time()
        base_fee = self.chain.header.base_fee_per_gas
        priority = 10**9
        return 2 * base_fee + priority, priority

    def get_logs(
        self,
        address: bytes,
        topics: Sequence[bytes | None],
        from_block: int = 0,
        to_block: int | None = None,
    ) -> list[Log]:
        sql = "SELECT * FROM logs WHERE address = ? AND block_number >= ?"
        args: list = [bytes(address), from_block]
        if to_block is not None:
            sql += " AND block_number <= ?"
            args.append(to_block)
        for i, topic in enumerate(list(topics)[:4]):
            if topic is not None:
                sql += f" AND topic{i} = ?"
                args.append(bytes(topic))
        sql += " ORDER BY block_number, log_index"
        return [_row_to_log(row) for row in self.kv.conn.execute(sql, args)]

    # -- writes --------------------------------------------------------------

    def send_raw_transaction(self, raw: bytes) -> bytes:
        from eth_utils import ValidationError

        self._refresh_pending_time()
        vm = self.chain.get_vm()
        try:
            tx = vm.get_transaction_builder().decode(raw)
            self.chain.apply_transaction(tx)
        except ValidationError as exc:
            self.kv.rollback()
            self.chain = _chain_class()(self.chain.chaindb.db)
            raise TransactionFailed(f"transaction rejected by the local chain: {exc}") from None
        self._mine_and_commit()
        return tx.hash

    def _mine_and_commit(self) -> Block:
        from eth.vm.forks.cancun import get_total_blob_gas

        pending_txs = self.chain.get_block().transactions
        block = self.chain.mine_block(
            coinbase=b"\x00" * 20,
            mix_hash=os.urandom(32),
            blob_gas_used=sum(get_total_blob_gas(tx) for tx in pending_txs),
        )
        self._index_block(block)
        self.kv.commit()
        self._refresh_pending_time()
        return Block(number=block.number, hash=block.hash, timestamp=block.header.timestamp)

    def block_timestamps(self, numbers) -> dict[int, int]:
        """Block times from the block index in one query.

        Blocks mined before the index existed are read from their headers once
        and added to it (committed only when nothing else is pending).
        """
        out = self.kv.block_times(sorted(set(numbers)))
        missing = [n for n in set(numbers) if n not in out]
        if missing:
            idle = not self.kv._in_tx
            for n in missing:
                out[n] = self.get_block(n).timestamp
                self.kv.add_block_time(n, out[n])
            if idle:
                self.kv.commit()
        return out

    def _index_block(self, block) -> None:
        self.kv.add_block_time(block.number, block.header.timestamp)
        receipts = block.get_receipts(self.chain.chaindb)
        log_index = 0
        for tx_index, (tx, receipt) in enumerate(zip(block.transactions, receipts)):
            self.kv.conn.execute(
                "INSERT OR REPLACE INTO txs VALUES (?, ?, ?)", (tx.hash, block.number, tx_index)
            )
            for log in receipt.logs:
                topics = [t.to_bytes(32, "big") for t in log.topics] + [None] * 4
                self.kv.add_log(
                    (
                        block.number,
                        log_index,
                        tx_index,
                        tx.hash,
                        block.hash,
                        log.address,
                        *topics[:4],
                        log.data,
                    )
                )
                log_index += 1

    def wait_for_receipt(self, tx_hash: bytes, timeout: float = 120.0) -> TxReceipt:
        row = self.kv.conn.execute(
            "SELECT block_number, tx_index FROM txs WHERE hash = ?", (bytes(tx_hash),)
        ).fetchone()
        if row is None:
            raise TransactionFailed(f"transaction 0x{bytes(tx_hash).hex()} is not on the local chain")
        return self._receipt(*row)

    def _receipt(self, block_number: int, tx_index: int) -> TxReceipt:
        from eth._utils.address import generate_contract_address

        block = self.chain.get_canonical_block_by_number(block_number)
        receipts = block.get_receipts(self.chain.chaindb)
        tx = block.transactions[tx_index]
        receipt = receipts[tx_index]
        previous = receipts[tx_index - 1].gas_used if tx_index else 0
        created = generate_contract_address(tx.sender, tx.nonce) if tx.to == b"" else None
        logs = tuple(
            _row_to_log(r)
            for r in self.kv.conn.execute(
                "SELECT * FROM logs WHERE block_number = ? AND tx_index = ? ORDER BY log_index",
                (block_number, tx_index),
            )
        )
        base_fee = block.header.base_fee_per_gas
        tip = min(tx.max_priority_fee_per_gas, tx.max_fee_per_gas - base_fee)
        return TxReceipt(
            tx_hash=tx.hash,
            block_number=block_number,
            block_hash=block.hash,
            status=1 if receipt.state_root == b"\x01" else 0,
            gas_used=receipt.gas_used - previous,
            sender=tx.sender,
            to=tx.to or None,
            contract_address=created,
            logs=logs,
            effective_gas_price=base_fee + tip,
        )

    # -- dev capability --------------------------------------------------------

    @property
    def dev(self) -> DevChain:
        return self

    def dev_private_keys(self) -> list[bytes]:
        return [dev_private_key(i) for i in range(DEV_ACCOUNT_COUNT)]

    def advance_time(self, seconds: int) -> int:
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        if self._frozen_time is not None:
            self._frozen_time += int(seconds)
            self.kv.set_meta("frozen_time", str(self._frozen_time))
        else:
            self._time_offset += int(seconds)
            self.kv.set_meta("time_offset", str(self._time_offset))
        self._refresh_pending_time()
        return self._mine_and_commit().timestamp

    def set_time(self, timestamp: int | None) -> None:
        """Freeze chain time at ``timestamp`` (None: back to wall clock + offset).

        Reads and the next block then see exactly that time (blocks still need
        increasing timestamps: a block after one at ``t`` is stamped ``t + 1``
        at least). This is what lets tests hit a deadline to the second.
        """
        head = self.chain.get_canonical_head().timestamp
        if timestamp is not None and timestamp <= head:
            raise ValueError(f"cannot set time to {timestamp}: the latest block is already at {head}")
        self._frozen_time = timestamp
        self.kv.set_meta("frozen_time", "" if timestamp is None else str(int(timestamp)))
        self.kv.commit()
        self._refresh_pending_time()


def _row_to_log(row) -> Log:
    (block_number, log_index, tx_index, tx_hash, block_hash, address, t0, t1, t2, t3, data) = row
    return Log(
        address=address,
        topics=tuple(t for t in (t0, t1, t2, t3) if t is not None),
        data=data,
        block_number=block_number,
        block_hash=block_hash,
        tx_hash=tx_hash,
        tx_index=tx_index,
        log_index=log_index,
    )
