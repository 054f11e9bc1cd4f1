"""Durations as users type them: ``31d``, ``12h``, ``90m``, ``45s``, ``2w``, or plain seconds."""

from __future__ import annotations

import re

from .errors import InvalidArgument

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_RE = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$", re.IGNORECASE)
MAX_SECONDS = 100 * 365 * 86400  # nothing aiprov does needs more than a century


def parse_duration(text: str | int, what: str = "duration") -> int:
    """Seconds in ``text``; InvalidArgument (exit 2) for zero, negative or malformed values."""
    if isinstance(text, int) and not isinstance(text, bool):
        seconds = text
    else:
        m = _RE.match(str(text))
        if not m:
            raise InvalidArgument(f"{what} {text!r} is not a duration like 31d, 12h, 90m, 45s or 2w")
        seconds = int(m.group(1)) * _UNITS[(m.group(2) or "s").lower()]
    if seconds <= 0:
        raise InvalidArgument(f"{what} must be positive, got {text!r}")
    if seconds > MAX_SECONDS:
        raise InvalidArgument(f"{what} {text!r} is longer than 100 years")
    return seconds


def format_duration(seconds: int) -> str:
    """``30d 4h``-style rendering (two largest units)."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts)
