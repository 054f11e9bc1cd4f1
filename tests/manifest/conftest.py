"""Fixtures for the manifest tests (helpers live in ``manifest_support.py``)."""

from __future__ import annotations

import pytest
from manifest_support import Oracle


@pytest.fixture(scope="session")
def oracle():
    """The ``@openzeppelin/merkle-tree`` oracle: one node process for the session."""
    o = Oracle()
    yield o
    o.close()
