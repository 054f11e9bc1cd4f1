"""Fixtures for the records tests: the OpenZeppelin oracle (one node process per session)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "manifest"))
from manifest_support import Oracle  # noqa: E402


@pytest.fixture(scope="session")
def oracle():
    o = Oracle()
    yield o
    o.close()
