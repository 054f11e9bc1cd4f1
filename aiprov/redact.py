"""Scrubbing secrets out of text that is about to be shown: messages, tracebacks, logs.

Private keys and RPC credentials must never reach a terminal, a log or a CI
transcript, not even in a ``-v`` traceback whose frames hold the full URL. Two
passes, applied to anything the CLI prints about an error:

- every http(s) / ws(s) URL is cut to ``scheme://host[:port]/…`` (:func:`aiprov.chain.jsonrpc.redact_url`):
  providers put API keys in user info, paths and query strings;
- the values of secret environment variables (``AIPROV_PRIVATE_KEY``,
  ``AIPROV_KEYSTORE_PASSWORD``, ``AIPROV_RPC_URL``) and any extra secrets the caller
  knows (an ``--rpc-url``) are replaced by ``***`` wherever they appear.
"""

from __future__ import annotations

import os
import re
from typing import Iterable

SECRET_ENV = ("AIPROV_PRIVATE_KEY", "AIPROV_KEYSTORE_PASSWORD", "AIPROV_RPC_URL")
# RPC endpoints (http, https, ws, wss) carry API keys in the URL; dataset URLs (s3://, memory://…)
# name data, and their stores' credentials come from the environment, so they are shown whole
_URL_RE = re.compile(r"\b(?:[hH][tT][tT][pP][sS]?|[wW][sS][sS]?)://[^\s'\"<>()\[\]{},]+")


def _url_secrets(url: str) -> set[str]:
    """The parts of a URL that may be credentials: user info, query values, long path segments."""
    from urllib.parse import parse_qsl, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return {url}
    found = {p for p in (parts.password,) if p and len(p) >= 3}
    if parts.username and (len(parts.username) >= 8 or parts.password is None):
        found.add(parts.username)  # a bare user info is usually a token
    found.update(v for _, v in parse_qsl(parts.query) if len(v) >= 3)
    if parts.query:
        found.add(parts.query)
    found.update(seg for seg in parts.path.split("/") if len(seg) >= 12)
    return found


def _secrets(extra: Iterable[str | None]) -> list[str]:
    values = [os.environ.get(name) for name in SECRET_ENV]
    out: set[str] = set()
    for value in [*values, *extra]:
        if not value or len(value) < 8:  # shorter values would blank out ordinary words
            continue
        if "://" in value:
            out |= _url_secrets(value)
            continue
        out.add(value)
        key = value[2:] if value.lower().startswith("0x") else value
        if len(key) >= 16:
            out.add(key)  # a key printed without its 0x
    return sorted(out, key=len, reverse=True)


def redact(text: str, extra: Iterable[str | None] = ()) -> str:
    """``text`` with URLs cut to their host and known secret values replaced by ``***``."""
    from .chain.jsonrpc import redact_url

    if not text:
        return text
    for secret in _secrets(extra):
        text = text.replace(secret, "***")
    return _URL_RE.sub(lambda m: redact_url(m.group(0)), text)
