"""Numbers read from ``AIPROV_*`` environment variables, checked (a typo is exit 2, not a crash).

    timeout = env_seconds("AIPROV_LOCK_TIMEOUT", 120)
"""

from __future__ import annotations

import math
import os

from .errors import InvalidArgument


def env_seconds(name: str, default: float, *, maximum: float = 7 * 86400) -> float:
    """A non-negative number of seconds from ``$name`` (``default`` when unset or empty)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not raw.isascii() or math.isnan(value) or not 0 <= value <= maximum:
        raise InvalidArgument(f"{name}={raw!r} is not a number of seconds (0 to {maximum:g})",
                              hint=f"unset {name} for the default of {default:g} s")
    return value
