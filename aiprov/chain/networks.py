"""Named networks and how to open a backend for one.

Built in:

| name      | backend                           | chain id  | confirmations |
|-----------|-----------------------------------|-----------|---------------|
| `local`   | embedded py-evm chain (no node)   | 1337      | 1             |
| `anvil`   | http://127.0.0.1:8545 (`aiprov node start`) | 31337 | 1     |
| `sepolia` | `--rpc-url` / `AIPROV_RPC_URL`     | 11155111  | 2             |

More (or overrides) in ``aiprov.toml``, found in the working directory or its
parents::

    [networks.mainnet-fork]
    rpc_url = "http://127.0.0.1:8546"
    chain_id = 1
    dev = true                 # dev:N accounts and `node advance` allowed
    confirmations = 1
    max_fee_gwei = 50          # refuse to pay more than this per gas
    priority_fee_gwei = 2

Top-level keys set defaults for commands run below that folder (a flag or an
``AIPROV_*`` variable wins over them)::

    network = "anvil"
    account = "deployer"

``--rpc-url URL`` alone (no ``--network``) means a network named ``custom``
whose chain id is whatever the node reports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import InvalidArgument
from .backend import Backend

CONFIG_FILE = "aiprov.toml"


@dataclass(frozen=True)
class Network:
    name: str
    rpc_url: str | None  # None: the embedded chain
    chain_id: int | None  # None: accept what the node reports
    dev: bool
    confirmations: int
    max_fee_wei: int | None = None
    priority_fee_wei: int | None = None
    source: str = "built-in"
    explorer_url: str | None = None  # block explorer base URL: audit reports link {explorer_url}/tx/<hash>


BUILTIN = {
    "local": Network("local", None, 1337, True, 1),
    "anvil": Network("anvil", "http://127.0.0.1:8545", 31337, True, 1),
    "sepolia": Network("sepolia", None, 11155111, False, 2, explorer_url="https://sepolia.etherscan.io"),
}


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


def _gwei(value, what: str, path: Path) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidArgument(f"{path}: {what} must be a number of gwei, got {value!r}")
    from ..units import parse_amount

    return parse_amount(f"{value}gwei", what=f"{path}: {what}") if str(value).strip() else None


def _typed(table: dict, key: str, kind: type, where: str, default):
    """``table[key]`` if present and of TOML type ``kind`` (exit 2 naming the key otherwise)."""
    if key not in table:
        return default
    value = table[key]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidArgument(f"{where}: {key} must be a whole number, got {value!r}")
    if not isinstance(value, kind):
        raise InvalidArgument(f"{where}: {key} must be a {kind.__name__}, got {value!r}")
    return value


@dataclass(frozen=True)
class Config:
    """What the nearest aiprov.toml says: networks, and the default ``network`` and ``account``."""

    networks: dict
    network: str | None = None
    account: str | None = None
    path: Path | None = None


def load_networks(start: Path | None = None) -> dict[str, Network]:
    """Built-in networks, overridden and extended by the nearest aiprov.toml."""
    return load_config(start).networks


def load_config(start: Path | None = None) -> Config:
    """The nearest aiprov.toml (working directory, then its parents), checked; built-ins if none."""
    import tomllib

    networks = dict(BUILTIN)
    path = find_config(start)
    if path is None:
        return Config(networks)
    from ..inputfiles import read_input_text

    try:
        data = tomllib.loads(read_input_text(path, what="config file", limit=1024 * 1024))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidArgument(f"{path} is not valid TOML: {exc}") from None
    unknown_top = set(data) - {"networks", "network", "account"}
    if unknown_top:
        raise InvalidArgument(f"{path}: unknown keys: {', '.join(sorted(unknown_top))} "
                              "(known: network, account, [networks.NAME])")
    for key in ("network", "account"):
        _typed(data, key, str, str(path), None)
    tables = data.get("networks", {})
    if not isinstance(tables, dict):
        raise InvalidArgument(f"{path}: networks must be tables like [networks.NAME]")
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise InvalidArgument(f"{path}: [networks.{name}] must be a table")
        if name == "local":
            raise InvalidArgument(f"{path}: `local` is the embedded chain and cannot be redefined")
        base = networks.get(name, Network(name, None, None, False, 2))
        unknown = set(table) - {"rpc_url", "chain_id", "dev", "confirmations", "max_fee_gwei", "priority_fee_gwei",
                                "explorer_url"}
        if unknown:
            raise InvalidArgument(f"{path}: [networks.{name}] has unknown keys: {', '.join(sorted(unknown))}")
        where = f"{path}: [networks.{name}]"
        chain_id = _typed(table, "chain_id", int, where, base.chain_id)
        confirmations = _typed(table, "confirmations", int, where, base.confirmations)
        if chain_id is not None and not 1 <= chain_id < 2**63:
            raise InvalidArgument(f"{where}: chain_id must be a positive integer, got {chain_id}")
        if not 1 <= confirmations <= 1000:
            raise InvalidArgument(f"{where}: confirmations must be between 1 and 1000, got {confirmations}")
        networks[name] = replace(
            base,
            rpc_url=_typed(table, "rpc_url", str, where, base.rpc_url),
            chain_id=chain_id,
            dev=_typed(table, "dev", bool, where, base.dev),
            confirmations=confirmations,
            max_fee_wei=_gwei(table.get("max_fee_gwei"), "max_fee_gwei", path) or base.max_fee_wei,
            priority_fee_wei=_gwei(table.get("priority_fee_gwei"), "priority_fee_gwei", path) or base.priority_fee_wei,
            source=str(path),
            explorer_url=_explorer_url(table.get("explorer_url", base.explorer_url), name, path),
        )
    default = data.get("network")
    if default is not None and default not in networks:
        raise InvalidArgument(f"{path}: network = {default!r} is not a known network "
                              f"(known: {', '.join(sorted(networks))})")
    account = data.get("account")
    if account is not None:
        from .accounts import parse_account_spec

        parse_account_spec(account)
    return Config(networks, network=default, account=account, path=path)


def _explorer_url(value, name: str, path: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise InvalidArgument(f"{path}: [networks.{name}] explorer_url must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def resolve_network(name: str | None, rpc_url: str | None) -> Network:
    """The network to use for ``--network`` / ``--rpc-url`` (either may be None)."""
    networks = load_networks()
    if name is None:
        if rpc_url:
            return Network("custom", rpc_url, None, False, 2, source="--rpc-url")
        name = "local"
    net = networks.get(name)
    if net is None:
        raise InvalidArgument(f"unknown network {name!r}; known: {', '.join(sorted(networks))} "
                              f"(add more in {CONFIG_FILE})")
    if name == "local":
        if rpc_url:
            raise InvalidArgument("--rpc-url cannot be used with the embedded `local` network")
        return net
    url = rpc_url or net.rpc_url
    if not url:
        raise InvalidArgument(f"network {name!r} needs an RPC URL: pass --rpc-url or set AIPROV_RPC_URL")
    return replace(net, rpc_url=url)


def is_dev_network(name: str | None, rpc_url: str | None = None) -> bool:
    try:
        return resolve_network(name, rpc_url).dev
    except InvalidArgument:
        return False


#: Default limit on one JSON-RPC request, retries included (seconds; AIPROV_RPC_TIMEOUT / --rpc-timeout).
DEFAULT_RPC_TIMEOUT = 20.0
#: Default wait for a transaction to be mined and confirmed (seconds; AIPROV_RECEIPT_TIMEOUT).
DEFAULT_RECEIPT_TIMEOUT = 120.0


def seconds_setting(name: str, value, default: float) -> float:
    """A positive number of seconds: the flag's ``value``, else ``$name``, else ``default`` (exit 2 when malformed)."""
    from ..envconfig import env_seconds

    seconds = float(value) if value is not None else env_seconds(name, default, maximum=86400)
    if not 0 < seconds <= 86400:
        raise InvalidArgument(f"{name} must be a number of seconds above 0 and at most 86400, got {seconds:g}",
                              hint=f"unset {name} for the default of {default:g} s")
    return seconds


def open_backend(network: str | None, home: Path, *, rpc_url: str | None = None,
                 confirmations: int | None = None, rpc_timeout: float | None = None) -> Backend:
    """Connect to ``network``. The caller closes the returned backend.

    Every wait is bounded: one JSON-RPC request (retries included) by
    ``rpc_timeout`` / ``AIPROV_RPC_TIMEOUT`` (20 s; an attempt gets half, its
    connect at most 5 s of that); a transaction's mining and confirmations by
    ``AIPROV_RECEIPT_TIMEOUT`` (120 s); the local chain's lock by
    ``AIPROV_LOCK_TIMEOUT`` (120 s). Each ends in exit 3 naming the setting.
    """
    net = resolve_network(network, rpc_url)
    if net.rpc_url is None:
        from .local import LocalChain

        return LocalChain(home)
    from .rpc import RpcBackend

    timeout = seconds_setting("AIPROV_RECEIPT_TIMEOUT", None, DEFAULT_RECEIPT_TIMEOUT)
    limit = seconds_setting("AIPROV_RPC_TIMEOUT", rpc_timeout, DEFAULT_RPC_TIMEOUT)
    return RpcBackend(
        net.rpc_url,
        network=net.name,
        expected_chain_id=net.chain_id,
        dev=net.dev,
        confirmations=confirmations,
        default_confirmations=net.confirmations,
        receipt_timeout=timeout,
        timeout=limit / 2,
        deadline=limit,
        lock_dir=Path(home) / "locks",
        max_fee_cap=net.max_fee_wei,
        priority_fee_cap=net.priority_fee_wei,
    )
