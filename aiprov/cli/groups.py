"""The verb groups (``register``, ``verify``, ``show`` …); each area adds its nouns."""

from __future__ import annotations

import click


@click.group("register")
def register_group() -> None:
    """Hash content and anchor its Merkle root on the chain."""


@click.group("verify")
def verify_group() -> None:
    """Check that content is exactly what was registered (exit 0) or not (exit 1)."""


@click.group("show")
def show_group() -> None:
    """Show what the chain holds for an id."""


@click.group("history")
def history_group() -> None:
    """Show the version chain and every on-chain event of an id."""


@click.group("revoke")
def revoke_group() -> None:
    """Revoke a registration (owner only, final): verify fails from then on."""


@click.group("deprecate")
def deprecate_group() -> None:
    """Mark a registration deprecated (still verifies, with a note)."""


@click.group("lineage")
def lineage_group() -> None:
    """Walk a model's lineage: base models and the exact dataset versions behind it."""


ALL_GROUPS = (register_group, verify_group, show_group, history_group, revoke_group, deprecate_group, lineage_group)
