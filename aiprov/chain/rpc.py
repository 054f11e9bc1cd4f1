"""A chain behind a JSON-RPC node: Anvil, a testnet, mainnet — the peer of ``local``.

:class:`RpcBackend` implements :class:`~aiprov.chain.backend.Backend` with
plain ``eth_*`` calls (the transport and its retry policy are in
:mod:`aiprov.chain.jsonrpc`); with ``dev=True`` (Anvil) it also implements
:class:`~aiprov.chain.backend.DevChain` with Anvil's ``evm_*``/``anvil_*`` calls.

How it behaves where nodes differ
- Reads at the chain's current time: ``call`` and ``estimate_gas`` run against
  the ``pending`` block. Anvil builds it on demand with the timestamp the next
  block would get (wall clock + its time offset, or the time pinned with
  ``evm_setNextBlockTimestamp``), so a lease that expires at ``t`` reads as
  expired at ``t`` without mining, as on ``local``. (On Anvil a ``latest``
  call sees the head block's context instead.) A node that refuses
  ``pending`` is asked at ``latest`` from then on.
- Reverts: the raw revert bytes are taken from the JSON-RPC error's ``data``
  (a hex string on Anvil and geth; nested objects on some others) and raised
  as :class:`CallReverted`, so bindings decode custom errors as on ``local``.
- Sending is idempotent: the same signed bytes sent twice (a retry after the
  node took the transaction but the answer was lost) is not an error —
  whatever the node says ("already known", "nonce too low" ...), the
  transaction is looked up by hash and, if the node has it, that is success.
- Nonces: :meth:`RpcBackend.nonce_lock` holds a file lock per (chain id,
  account) under ``lock_dir`` while the nonce is read (``pending``) and the
  transaction sent, so aiprov processes sharing an account never collide.
- Logs: one ``eth_getLogs`` for the whole range; when the provider says the
  range or the result is too large, the range is halved until it answers
  (the smaller span is kept for the following chunks).
- Time (dev only): ``set_time(ts)`` pins the pending block's timestamp to
  ``ts`` (``evm_setNextBlockTimestamp``) and makes later blocks advance one
  second each (``anvil_setBlockTimestampInterval 1``): reads see exactly
  ``ts``, the next block is stamped ``ts``, the one after ``ts + 1`` — the
  same frozen clock as ``LocalChain.set_time``. ``set_time(None)`` lets the
  clock run again from max(head block, wall clock). Anvil keeps the pin in
  memory only: it does not survive an Anvil restart (``local`` persists it).
"""

from __future__ import annotations

import re
import statistics
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import ChainError, InvalidArgument, NonceTaken, StateLocked, TransactionFailed
from .backend import Backend, DevChain
from .jsonrpc import JsonRpcClient, RpcError, is_log_range_error, is_loopback_url, is_revert
from .types import Block, CallReverted, Log, TxReceipt

#: eth_call / eth_estimateGas failures that are the transaction failing, not the node.
_EXECUTION_FAILURES = (
    "out of gas",
    "invalid opcode",
    "evm error",
    "gas required exceeds",
    "stack underflow",
    "stack overflow",
    "invalid jump",
)
_HEX_RE = re.compile(r"0x([0-9a-fA-F]*)")
#: Chain ids of development nodes (Anvil / Hardhat 31337, Ganache / geth --dev 1337): one confirmation, dev:N keys.
DEV_CHAIN_IDS = frozenset({31337, 1337})
_FEE_HISTORY_BLOCKS = 5
_GWEI = 10**9


def _hex(value: bytes | int) -> str:
    if isinstance(value, int):
        return hex(value)
    return "0x" + bytes(value).hex()


def _int(value: Any) -> int:
    if isinstance(value, int):
        return value
    return int(value, 16)


def _bytes(value: str | None) -> bytes:
    return bytes.fromhex(value[2:]) if value else b""


def _gwei(wei: int) -> str:
    return f"{wei / _GWEI:.4g} gwei"


class RpcBackend(Backend, DevChain):
    """A connection to the node at ``url`` (closed by ``close`` / the ``with`` block).

    ``expected_chain_id`` is checked on connect. ``confirmations`` is how deep
    a transaction must be before :meth:`wait_for_receipt` returns (1 = mined;
    keep 1 on automining dev nodes: nothing extra is mined). ``retries``,
    ``timeout`` and ``backoff`` tune the transport (see :mod:`.jsonrpc`).
    ``max_fee_cap`` / ``priority_fee_cap`` (wei) bound what a transaction may
    pay. ``lock_dir`` holds the per-account nonce locks (None: no locking).
    """

    def __init__(
        self,
        url: str,
        *,
        network: str,
        expected_chain_id: int | None = None,
        dev: bool = False,
        confirmations: int | None = 1,
        receipt_timeout: float = 120.0,
        retries: int = 5,
        lock_dir: Path | None = None,
        max_fee_cap: int | None = None,
        priority_fee_cap: int | None = None,
        timeout: float = 10.0,
        backoff: float = 0.25,
        lock_timeout: float | None = None,
        default_confirmations: int = 2,
        deadline: float | None = None,
    ) -> None:
        if confirmations is not None and confirmations < 1:
            raise InvalidArgument(f"--confirmations must be at least 1, not {confirmations}")
        self.network = network
        self.receipt_timeout = receipt_timeout
        self.lock_dir = Path(lock_dir) if lock_dir is not None else None
        self.max_fee_cap = max_fee_cap
        self.priority_fee_cap = priority_fee_cap
        if lock_timeout is None:
            from ..envconfig import env_seconds

            lock_timeout = env_seconds("AIPROV_LOCK_TIMEOUT", 120)
        self.lock_timeout = lock_timeout
        self._dev = dev
        self._tag = "pending"  # block tag for call / estimate / now(); "latest" if refused
        self._log_span: int | None = None  # largest eth_getLogs range known to work
        loopback = is_loopback_url(url)
        self._poll = (0.02, 0.25) if loopback else (0.5, 3.0)
        self.rpc = JsonRpcClient(url, retries=retries, timeout=timeout, backoff=backoff, deadline=deadline)
        self.where = self.rpc.where
        try:
            self.chain_id = self._connect(expected_chain_id)
        except BaseException:
            self.rpc.close()
            raise
        if self.chain_id in DEV_CHAIN_IDS:  # Anvil, Hardhat, Ganache, geth --dev: whatever the URL
            self._dev = True
        #: None given: 1 on a dev chain (it mines nothing by itself), else ``default_confirmations``
        self.confirmations = confirmations if confirmations is not None else (1 if self._dev else default_confirmations)

    def _connect(self, expected: int | None) -> int:
        chain_id = _int(self.rpc.request("eth_chainId"))
        if expected is not None and chain_id != expected:
            raise ChainError(
                f"the node at {self.where} is on chain {chain_id}, but {self.network} is chain {expected}",
                hint="check --network / --rpc-url: they point at different chains",
            )
        return chain_id

    def __repr__(self) -> str:  # never the URL itself: it may hold an API key
        return f"RpcBackend(network={self.network!r}, chain_id={self.chain_id}, node={self.where!r})"

    def close(self) -> None:
        self.rpc.close()

    @property
    def dev(self) -> DevChain | None:
        return self if self._dev else None

    # -- reads ---------------------------------------------------------------

    def block_number(self) -> int:
        return _int(self.rpc.request("eth_blockNumber"))

    def get_block(self, number: int | None = None) -> Block:
        tag = "latest" if number is None else _hex(number)
        raw = self.rpc.request("eth_getBlockByNumber", [tag, False])
        if raw is None:
            raise ChainError(f"block {number} does not exist on {self.network} (chain {self.chain_id})")
        return Block(number=_int(raw["number"]), hash=_bytes(raw["hash"]), timestamp=_int(raw["timestamp"]))

    def now(self) -> int:
        """The timestamp the next block gets (the pending block's), else the head's."""
        if self._tag == "pending":
            try:
                raw = self.rpc.request("eth_getBlockByNumber", ["pending", False])
            except RpcError:
                raw = None
            if raw and raw.get("timestamp"):
                return _int(raw["timestamp"])
        return self.get_block().timestamp

    def get_code(self, address: bytes, block: int | None = None) -> bytes:
        tag = "latest" if block is None else _hex(block)
        return _bytes(self.rpc.request("eth_getCode", [_hex(address), tag]))

    def get_balance(self, address: bytes) -> int:
        return _int(self.rpc.request("eth_getBalance", [_hex(address), "latest"]))

    def get_nonce(self, address: bytes) -> int:
        return _int(self.rpc.request("eth_getTransactionCount", [_hex(address), "pending"]))

    def call(self, to: bytes, data: bytes, sender: bytes | None = None) -> bytes:
        tx = {"to": _hex(to), "data": _hex(data)}
        if sender is not None:
            tx["from"] = _hex(sender)
        return _bytes(self._simulate("eth_call", tx))

    def estimate_gas(self, sender: bytes, to: bytes | None, data: bytes, value: int = 0) -> int:
        tx = {"from": _hex(sender), "data": _hex(data), "value": _hex(value)}
        if to is not None:
            tx["to"] = _hex(to)
        try:
            return _int(self._simulate("eth_estimateGas", tx))
        except RpcError as exc:
            if "insufficient funds" in exc.rpc_message.lower():
                raise TransactionFailed(
                    f"the account has too little ETH for this transaction on {self.network}",
                    hint="fund the account, or pick another with --account",
                ) from None
            raise

    def _simulate(self, method: str, tx: dict) -> Any:
        """eth_call / eth_estimateGas at the pending block; reverts become CallReverted."""
        try:
            return self.rpc.request(method, [tx, self._tag])
        except RpcError as exc:
            failure = _execution_failure(exc)
            if failure is not None:
                raise failure from None
            if self._tag == "pending" and ("pending" in exc.rpc_message.lower() or exc.code == -32602):
                self._tag = "latest"
                return self._simulate(method, tx)
            if method == "eth_estimateGas" and exc.code == -32602:  # no block parameter at all
                try:
                    return self.rpc.request(method, [tx])
                except RpcError as again:
                    failure = _execution_failure(again)
                    if failure is not None:
                        raise failure from None
                    raise
            raise

    def fee_params(self) -> tuple[int, int]:
        """EIP-1559 fees: next block's base fee (eth_feeHistory) and a tip; max = 2*base + tip.

        The tip is the node's ``eth_maxPriorityFeePerGas`` (else the median
        recent tip), lowered to ``priority_fee_cap``. When 2*base + tip is above
        ``max_fee_cap`` the max fee is lowered to the cap as long as the
        transaction still fits the current base fee; otherwise TransactionFailed.
        """
        base, rewards = self._base_fee()
        try:
            tip = _int(self.rpc.request("eth_maxPriorityFeePerGas"))
        except RpcError:
            tip = int(statistics.median(rewards)) if rewards else _GWEI
        if self.priority_fee_cap is not None:
            tip = min(tip, self.priority_fee_cap)
        max_fee = 2 * base + tip
        if self.max_fee_cap is not None and max_fee > self.max_fee_cap:
            if base + tip > self.max_fee_cap:
                raise TransactionFailed(
                    f"gas on {self.network} costs more than your cap: base fee {_gwei(base)} + tip "
                    f"{_gwei(tip)} exceeds the max fee cap of {_gwei(self.max_fee_cap)}",
                    hint="wait for fees to fall, or raise the cap",
                )
            max_fee = self.max_fee_cap
        return max_fee, tip

    def _base_fee(self) -> tuple[int, list[int]]:
        try:
            history = self.rpc.request("eth_feeHistory", [_hex(_FEE_HISTORY_BLOCKS), "latest", [50]])
        except RpcError:
            history = None
        if history and history.get("baseFeePerGas"):
            rewards = [_int(r[0]) for r in history.get("reward") or [] if r]
            return _int(history["baseFeePerGas"][-1]), rewards
        block = self.rpc.request("eth_getBlockByNumber", ["latest", False]) or {}
        if block.get("baseFeePerGas") is None:
            raise ChainError(
                f"{self.network} (chain {self.chain_id}) has no EIP-1559 base fee; "
                "aiprov sends EIP-1559 transactions only"
            )
        return _int(block["baseFeePerGas"]), []

    def get_logs(
        self,
        address: bytes,
        topics: Sequence[bytes | None],
        from_block: int = 0,
        to_block: int | None = None,
    ) -> list[Log]:
        topic_list = [None if t is None else _hex(t) for t in topics]
        while topic_list and topic_list[-1] is None:
            topic_list.pop()
        query = {"address": _hex(address), "topics": topic_list}
        if self._log_span is None:
            try:
                return self._logs(query, from_block, "latest" if to_block is None else to_block)
            except RpcError as exc:
                if not is_log_range_error(exc.rpc_message):
                    raise
        last = self.block_number() if to_block is None else to_block
        span = self._log_span or max(1, (last - from_block + 1) // 2)
        out: list[Log] = []
        start = from_block
        while start <= last:
            stop = min(last, start + span - 1)
            try:
                out += self._logs(query, start, stop)
            except RpcError as exc:
                if not is_log_range_error(exc.rpc_message):
                    raise
                if span == 1:
                    raise ChainError(
                        f"the node at {self.where} refuses eth_getLogs even for one block: {exc.rpc_message}",
                        hint="use an RPC provider with a higher eth_getLogs limit",
                    ) from None
                span = max(1, span // 2)
                self._log_span = span
                continue
            start = stop + 1
        return out

    def _logs(self, query: dict, start: int, stop: int | str) -> list[Log]:
        params = dict(query, fromBlock=_hex(start), toBlock=stop if isinstance(stop, str) else _hex(stop))
        raw = self.rpc.request("eth_getLogs", [params]) or []
        logs = [_log(item) for item in raw if not item.get("removed")]
        logs.sort(key=lambda log: (log.block_number, log.log_index))
        return logs

    # -- writes --------------------------------------------------------------

    @contextmanager
    def nonce_lock(self, address: bytes) -> Iterator[None]:
        """Hold the file lock of (chain id, ``address``) while taking a nonce and sending."""
        if self.lock_dir is None:
            yield
            return
        from filelock import FileLock, Timeout

        self.lock_dir.mkdir(parents=True, exist_ok=True)
        path = self.lock_dir / f"nonce-{self.chain_id}-0x{bytes(address).hex()}.lock"
        lock = FileLock(str(path))
        try:
            lock.acquire(timeout=self.lock_timeout)
        except Timeout:
            raise StateLocked(
                f"another aiprov process has been sending from 0x{bytes(address).hex()} on "
                f"{self.network} for more than {self.lock_timeout:g} s",
                hint=f"wait for it to finish, or raise AIPROV_LOCK_TIMEOUT (lock: {path})",
            ) from None
        try:
            yield
        finally:
            lock.release()

    def send_raw_transaction(self, raw: bytes) -> bytes:
        from ..manifest.keccak import keccak256

        tx_hash = keccak256(bytes(raw))
        try:
            self.rpc.request("eth_sendRawTransaction", [_hex(raw)])
        except RpcError as exc:
            # A retry of bytes the node already took ("already known", "nonce too low"
            # once it is mined, ...) is success: ask the node whether it has our hash.
            if self._knows(tx_hash):
                return tx_hash
            raise _rejection(exc, self.network) from None
        except ChainError as exc:  # retries exhausted: the node may have it all the same
            try:
                if self._knows(tx_hash):
                    return tx_hash
            except ChainError:
                pass
            raise ChainError(
                f"{exc.message}; the transaction (0x{tx_hash.hex()}) may have reached it",
                hint="re-run the command once the node answers — registration is idempotent",
            ) from None
        return tx_hash

    def _knows(self, tx_hash: bytes) -> bool:
        return self.rpc.request("eth_getTransactionByHash", [_hex(tx_hash)]) is not None

    def wait_for_receipt(self, tx_hash: bytes, timeout: float | None = None) -> TxReceipt:
        """Poll until mined and ``confirmations`` deep; re-read each time (reorgs)."""
        timeout = self.receipt_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        interval, max_interval = self._poll
        mined_at: int | None = None
        while True:
            raw = self.rpc.request("eth_getTransactionReceipt", [_hex(tx_hash)])
            if raw is not None and raw.get("blockNumber") is not None:
                receipt = _receipt(raw)
                mined_at = receipt.block_number
                if self.confirmations == 1 or self.block_number() - mined_at + 1 >= self.confirmations:
                    return receipt
            left = deadline - time.monotonic()
            if left <= 0:
                if mined_at is None:
                    message = f"transaction not mined after {timeout:g} s (tx 0x{bytes(tx_hash).hex()})"
                    hint = (f"it may still be mined; re-run the command (registration is idempotent), "
                            f"or wait longer: AIPROV_RECEIPT_TIMEOUT={timeout:g} now")
                else:
                    message = (
                        f"transaction mined in block {mined_at} but not {self.confirmations} blocks deep "
                        f"after {timeout:g} s (tx 0x{bytes(tx_hash).hex()})"
                    )
                    hint = (f"the chain is not adding blocks: ask for fewer with --confirmations, or wait "
                            f"longer with AIPROV_RECEIPT_TIMEOUT (now {timeout:g} s); re-running is safe")
                raise TransactionFailed(message, hint=hint)
            time.sleep(min(interval, left))
            interval = min(max_interval, interval * 1.5)

    # -- dev capability (Anvil) ----------------------------------------------

    def _require_dev(self, what: str) -> None:
        if not self._dev:
            raise InvalidArgument(f"{self.network} is not a dev network: {what} is only for Anvil")

    def dev_private_keys(self) -> list[bytes]:
        """Anvil's default accounts: the same mnemonic as ``local`` (``dev:0`` = 0xf39F…2266)."""
        from .devkeys import DEV_ACCOUNT_COUNT, dev_private_key

        self._require_dev("dev:N accounts")
        return [dev_private_key(i) for i in range(DEV_ACCOUNT_COUNT)]

    def advance_time(self, seconds: int) -> int:
        """Mine one block exactly ``seconds`` after the current chain time; returns its timestamp.

        The target is set with ``evm_setNextBlockTimestamp`` rather than
        ``evm_increaseTime`` so it also moves a pinned clock (see ``set_time``).
        """
        self._require_dev("moving time")
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        target = self.now() + int(seconds)
        self.rpc.request("evm_setNextBlockTimestamp", [target])
        self.rpc.request("evm_mine", [])
        return self.get_block().timestamp

    def set_time(self, timestamp: int | None) -> None:
        """Pin chain time at ``timestamp`` for reads and the next block (None: unpin)."""
        self._require_dev("setting the time")
        head = self.get_block().timestamp
        if timestamp is None:
            self.rpc.request("anvil_removeBlockTimestampInterval", [])
            self.rpc.request("anvil_setTime", [max(head, int(time.time()))])
            return
        if timestamp <= head:
            raise ValueError(f"cannot set time to {timestamp}: the latest block is already at {head}")
        self.rpc.request("evm_setNextBlockTimestamp", [int(timestamp)])
        self.rpc.request("anvil_setBlockTimestampInterval", [1])


# -- decoding node answers -----------------------------------------------------


def _log(raw: dict) -> Log:
    return Log(
        address=_bytes(raw["address"]),
        topics=tuple(_bytes(t) for t in raw.get("topics") or ()),
        data=_bytes(raw.get("data")),
        block_number=_int(raw["blockNumber"]),
        block_hash=_bytes(raw["blockHash"]),
        tx_hash=_bytes(raw["transactionHash"]),
        tx_index=_int(raw["transactionIndex"]),
        log_index=_int(raw["logIndex"]),
    )


def _receipt(raw: dict) -> TxReceipt:
    return TxReceipt(
        tx_hash=_bytes(raw["transactionHash"]),
        block_number=_int(raw["blockNumber"]),
        block_hash=_bytes(raw["blockHash"]),
        status=_int(raw.get("status") or "0x1"),
        gas_used=_int(raw["gasUsed"]),
        sender=_bytes(raw["from"]),
        to=_bytes(raw["to"]) if raw.get("to") else None,
        contract_address=_bytes(raw["contractAddress"]) if raw.get("contractAddress") else None,
        logs=tuple(_log(item) for item in raw.get("logs") or ()),
        effective_gas_price=_int(raw.get("effectiveGasPrice") or "0x0"),
    )


def revert_data(data: Any, depth: int = 0) -> bytes:
    """The revert bytes in a JSON-RPC error's ``data``: a hex string, or nested in objects.

    Anvil and geth: ``"0x…"``; Hardhat: ``{"data": "0x…"}``; Ganache:
    ``{"0xtxhash": {"return": "0x…"}}``; Nethermind: ``"Reverted 0x…"``.
    """
    if depth > 4 or data is None:
        return b""
    if isinstance(data, str):
        match = _HEX_RE.search(data)
        if match and len(match.group(1)) % 2 == 0:
            return bytes.fromhex(match.group(1))
        return b""
    if isinstance(data, dict):
        preferred = [data[k] for k in ("data", "return", "result", "output") if k in data]
        for value in preferred + [v for k, v in data.items() if k not in ("data", "return", "result", "output", "message")]:
            found = revert_data(value, depth + 1)
            if found:
                return found
        return b""
    if isinstance(data, list):
        for value in data:
            found = revert_data(value, depth + 1)
            if found:
                return found
    return b""


def _execution_failure(exc: RpcError) -> CallReverted | None:
    """A CallReverted when the node's error says the execution failed (revert, out of gas ...)."""
    if is_revert(exc.code, exc.rpc_message):
        return CallReverted(revert_data(exc.data), exc.rpc_message)
    text = exc.rpc_message.lower()
    if any(p in text for p in _EXECUTION_FAILURES):
        return CallReverted(b"", exc.rpc_message)
    return None


def _rejection(exc: RpcError, network: str) -> TransactionFailed:
    """A node's refusal of eth_sendRawTransaction, said for humans."""
    text = exc.rpc_message.lower()
    if "insufficient funds" in text:
        return TransactionFailed(
            f"the account has too little ETH to pay for this transaction on {network}",
            hint="fund the account, or pick another with --account",
        )
    if ("nonce too low" in text or "nonce has already been used" in text or "already known" in text
            or "replacement transaction underpriced" in text):
        return NonceTaken(
            f"the node refused the transaction: its nonce is already used ({exc.rpc_message})",
            hint="another transaction from this account got in first; re-run the command",
        )
    if "base fee" in text or "underpriced" in text or "fee cap" in text:
        return TransactionFailed(
            f"the node refused the transaction's fees ({exc.rpc_message})",
            hint="fees moved while sending; re-run the command",
        )
    return TransactionFailed(f"the node refused the transaction: {exc.rpc_message}")
