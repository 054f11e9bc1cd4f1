"""Encrypted keystores: ``$AIPROV_HOME/keystores/<name>.json`` in eth-account's keyfile format.

The password comes from ``AIPROV_KEYSTORE_PASSWORD`` or an interactive prompt;
key files are written with mode 0600 and keys are never printed or logged.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..errors import AccountError, InvalidArgument
from ..fsutil import atomic_write_text

ENV_PASSWORD = "AIPROV_KEYSTORE_PASSWORD"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def keystore_dir(home: Path) -> Path:
    return Path(home) / "keystores"


def check_name(name: str) -> str:
    if not _NAME_RE.match(name) or name.startswith("dev"):
        raise InvalidArgument(
            f"account name {name!r}: use letters, digits, '.', '_' or '-' (max 64), not starting with 'dev'"
        )
    return name


def list_keystores(home: Path) -> list[tuple[str, str]]:
    """(name, checksummed address) of every keystore, sorted by name."""
    from eth_utils import to_checksum_address

    out = []
    folder = keystore_dir(home)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.json")):
        try:
            address = json.loads(path.read_text(encoding="utf-8"))["address"]
        except (OSError, ValueError, KeyError):
            continue
        out.append((path.stem, to_checksum_address("0x" + address.removeprefix("0x"))))
    return out


def save_keystore(home: Path, name: str, private_key: bytes, password: str) -> str:
    """Encrypt ``private_key`` under ``name``; returns the address. Refuses to overwrite."""
    from eth_account import Account

    check_name(name)
    if not password:
        raise InvalidArgument("an empty keystore password is not allowed")
    path = keystore_dir(home) / f"{name}.json"
    if path.exists():
        raise InvalidArgument(f"an account named {name!r} already exists ({path})")
    keyfile = Account.encrypt(private_key, password)
    folder = keystore_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    atomic_write_text(path, json.dumps(keyfile, indent=2) + "\n", mode=0o600)
    return Account.from_key(private_key).address


def load_key(home: Path, name: str, password: str | None) -> tuple[bytes, str]:
    """(private key, address) of keystore ``name``; password from the env or the caller."""
    from eth_account import Account
    from eth_utils import to_checksum_address

    path = keystore_dir(home) / f"{name}.json"
    try:
        keyfile = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(n for n, _ in list_keystores(home)) or "none"
        raise AccountError(f"no account named {name!r} (keystores: {known})",
                           hint="create one with `aiprov account new NAME` or `aiprov account import NAME`") from None
    except (OSError, ValueError) as exc:
        raise AccountError(f"keystore {path} is unreadable: {exc}") from None
    if password is None:
        password = os.environ.get(ENV_PASSWORD)
    if password is None:
        import click

        if not os.isatty(0):
            raise AccountError(f"keystore {name!r} needs a password: set {ENV_PASSWORD}")
        password = click.prompt(f"password for {name}", hide_input=True, err=True)
    try:
        key = bytes(Account.decrypt(keyfile, password))
    except ValueError:
        raise AccountError(f"wrong password for keystore {name!r}") from None
    return key, to_checksum_address("0x" + keyfile["address"].removeprefix("0x"))
