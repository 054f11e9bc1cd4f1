"""Durations as users type them: ``31d``, ``12h``, ``90m``, ``45s``, ``2w``, or plain seconds."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from .errors import InvalidArgument

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_RE = re.compile(r"^\s*([0-9]+)\s*([smhdw]?)\s*$", re.IGNORECASE)  # ASCII digits only
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


def format_time(ts: int | None) -> str:
    """A unix time in the local time zone, e.g. ``2026-12-22 14:03:00 UTC``."""
    if not ts:
        return "-"
    return datetime.fromtimestamp(ts, tz=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def relative(ts: int, now: int) -> str:
    """``in 29 days`` / ``3 hours ago`` — relative to chain time ``now``."""
    delta = int(ts) - int(now)
    span = abs(delta)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if span >= size or unit == "second":
            n = span // size
            text = f"{n} {unit}{'' if n == 1 else 's'}"
            break
    return f"in {text}" if delta > 0 else ("now" if delta == 0 else f"{text} ago")
