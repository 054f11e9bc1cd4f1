"""A small ABI codec over a compiled artifact: calls, return values, events, custom errors.

aiprov talks to its contracts through :class:`ContractABI` rather than web3's
``Contract`` so that every backend (the embedded chain, a JSON-RPC node) only
has to move bytes, and so a revert is always decoded into the custom error's
name and arguments (``DatasetNotFound(id=7)``) for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address

from ..chain.types import Log
from ..manifest.keccak import keccak256


def _type_string(param: dict) -> str:
    """Canonical ABI type of one parameter, expanding tuples (structs)."""
    typ = param["type"]
    if typ.startswith("tuple"):
        inner = ",".join(_type_string(c) for c in param["components"])
        return f"({inner}){typ[len('tuple'):]}"
    return typ


def _split_tuple(typ: str) -> list[str]:
    """Component types of ``(a,b,(c,d))`` at the top level."""
    parts, depth, start = [], 0, 1
    for i, ch in enumerate(typ):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                if i > start:
                    parts.append(typ[start:i])
                break
        elif ch == "," and depth == 1:
            parts.append(typ[start:i])
            start = i + 1
    return parts


@lru_cache(maxsize=4096)
def _checksum(address: str) -> str:
    return to_checksum_address(address)


def _static_word_decoder(typ: str):
    """A decoder of one 32-byte ABI word for ``typ``, or None where eth_abi must do it.

    Event scans decode thousands of logs whose fields are all single words
    (ids, addresses, flags, hashes); slicing them is ~20x faster than eth_abi.
    """
    if typ == "address":
        return lambda w: _checksum("0x" + w[12:].hex())
    if typ == "bool":
        return lambda w: w[31] != 0
    if typ.startswith("uint") and typ[4:].isdigit():
        return lambda w: int.from_bytes(w, "big")
    if typ.startswith("int") and typ[3:].isdigit():
        return lambda w: int.from_bytes(w, "big", signed=True)
    if typ.startswith("bytes") and typ[5:].isdigit() and 1 <= int(typ[5:]) <= 32:
        n = int(typ[5:])
        return lambda w: bytes(w[:n])
    return None


def _normalise(value: Any, typ: str) -> Any:
    """Make decoded values friendly: checksummed addresses, structs as tuples."""
    if typ == "address":
        return _checksum(value)
    if typ.endswith("]") and isinstance(value, (list, tuple)):
        inner = typ[: typ.rindex("[")]
        return [_normalise(v, inner) for v in value]
    if typ.startswith("(") and isinstance(value, tuple):
        return tuple(_normalise(v, t) for v, t in zip(value, _split_tuple(typ)))
    return value


@dataclass(frozen=True)
class Function:
    name: str
    selector: bytes
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]
    output_names: tuple[str, ...]


@dataclass(frozen=True)
class Event:
    name: str
    topic0: bytes
    inputs: tuple[dict, ...]


@dataclass(frozen=True)
class CustomError:
    name: str
    selector: bytes
    input_types: tuple[str, ...]
    input_names: tuple[str, ...]


@dataclass(frozen=True)
class DecodedEvent:
    name: str
    args: dict[str, Any]
    log: Log


class ContractABI:
    """Encoder/decoder for one contract's ABI."""

    def __init__(self, abi: Iterable[dict]) -> None:
        self.functions: dict[str, Function] = {}
        self.events: dict[str, Event] = {}
        self._events_by_topic: dict[bytes, Event] = {}
        self._layouts: dict[bytes, tuple] = {}
        self.errors: dict[bytes, CustomError] = {}
        self.constructor_types: tuple[str, ...] = ()
        for item in abi:
            kind = item.get("type")
            if kind == "constructor":
                self.constructor_types = tuple(_type_string(p) for p in item["inputs"])
            elif kind == "function":
                types = tuple(_type_string(p) for p in item["inputs"])
                sig = f"{item['name']}({','.join(types)})"
                self.functions[item["name"]] = Function(
                    name=item["name"],
                    selector=keccak256(sig.encode())[:4],
                    input_types=types,
                    output_types=tuple(_type_string(p) for p in item["outputs"]),
                    output_names=tuple(p.get("name", "") for p in item["outputs"]),
                )
            elif kind == "event":
                types = ",".join(_type_string(p) for p in item["inputs"])
                event = Event(
                    name=item["name"],
                    topic0=keccak256(f"{item['name']}({types})".encode()),
                    inputs=tuple(item["inputs"]),
                )
                self.events[event.name] = event
                self._events_by_topic[event.topic0] = event
            elif kind == "error":
                types = tuple(_type_string(p) for p in item["inputs"])
                selector = keccak256(f"{item['name']}({','.join(types)})".encode())[:4]
                self.errors[selector] = CustomError(
                    name=item["name"],
                    selector=selector,
                    input_types=types,
                    input_names=tuple(p.get("name", "") for p in item["inputs"]),
                )

    # -- functions -------------------------------------------------------------

    def encode_constructor(self, *args: Any) -> bytes:
        """ABI-encoded constructor arguments (appended to the creation bytecode)."""
        if len(args) != len(self.constructor_types):
            raise TypeError(f"constructor takes {len(self.constructor_types)} arguments, got {len(args)}")
        return abi_encode(list(self.constructor_types), list(args)) if args else b""

    def encode_call(self, name: str, *args: Any) -> bytes:
        fn = self.functions[name]
        return fn.selector + abi_encode(list(fn.input_types), list(args))

    def decode_output(self, name: str, data: bytes) -> Any:
        """Decoded return value: a single value, or a tuple for several outputs."""
        fn = self.functions[name]
        values = abi_decode(list(fn.output_types), data)
        values = tuple(_normalise(v, t) for v, t in zip(values, fn.output_types))
        return values[0] if len(values) == 1 else values

    # -- events ----------------------------------------------------------------

    def topic(self, event_name: str) -> bytes:
        return self.events[event_name].topic0

    def decode_log(self, log: Log) -> DecodedEvent | None:
        """Decode a log emitted by this contract, or None if it is not one of ours."""
        if not log.topics or log.topics[0] not in self._events_by_topic:
            return None
        event = self._events_by_topic[log.topics[0]]
        indexed, plain, plain_words = self._event_layout(event)
        args: dict[str, Any] = {}
        for (name, word), topic in zip(indexed, log.topics[1:]):
            # a dynamic or composite indexed value is only its hash in the topic
            args[name] = word(topic) if word else topic
        if plain_words is not None and len(log.data) == 32 * len(plain):
            data = log.data
            for i, ((name, _), word) in enumerate(zip(plain, plain_words)):
                args[name] = word(data[32 * i: 32 * i + 32])
        else:
            values = abi_decode([typ for _, typ in plain], log.data)
            for (name, typ), value in zip(plain, values):
                args[name] = _normalise(value, typ)
        return DecodedEvent(name=event.name, args=args, log=log)

    def _event_layout(self, event: Event):
        """(indexed [(name, word decoder | None)], plain [(name, type)], plain word decoders | None)."""
        layout = self._layouts.get(event.topic0)
        if layout is None:
            indexed = [(p["name"], _static_word_decoder(_type_string(p)))
                       for p in event.inputs if p.get("indexed")]
            plain = [(p["name"], _type_string(p)) for p in event.inputs if not p.get("indexed")]
            words = [_static_word_decoder(typ) for _, typ in plain]
            layout = self._layouts[event.topic0] = (indexed, plain, None if None in words else words)
        return layout

    # -- errors ----------------------------------------------------------------

    def decode_error(self, data: bytes) -> tuple[str, dict[str, Any]] | None:
        """(name, args) of a revert payload, for custom errors and Error(string)/Panic."""
        if len(data) < 4:
            return None
        selector, payload = data[:4], data[4:]
        if selector == keccak256(b"Error(string)")[:4]:
            return "Error", {"message": abi_decode(["string"], payload)[0]}
        if selector == keccak256(b"Panic(uint256)")[:4]:
            return "Panic", {"code": abi_decode(["uint256"], payload)[0]}
        err = self.errors.get(selector)
        if err is None:
            return None
        values = abi_decode(list(err.input_types), payload)
        return err.name, {
            n or f"arg{i}": _normalise(v, t)
            for i, (n, v, t) in enumerate(zip(err.input_names, values, err.input_types))
        }


def format_error(name: str, args: dict[str, Any]) -> str:
    """``DatasetNotFound(id=7)`` — how a decoded revert is shown to users."""
    def show(v: Any) -> str:
        if isinstance(v, bytes):
            return "0x" + v.hex()
        return str(v)

    inner = ", ".join(f"{k}={show(v)}" for k, v in args.items())
    return f"{name}({inner})"
