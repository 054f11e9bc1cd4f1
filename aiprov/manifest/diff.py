"""What changed between two manifests: files added, removed, modified and renamed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .manifest import Entry, Manifest

__all__ = ["Changes", "diff_manifests"]


@dataclass
class Changes:
    """The difference from an expected manifest to an actual one, each list sorted by path.

    ``modified`` pairs are ``(expected, actual)`` entries with the same path and a
    different size or digest; ``renamed`` pairs are ``(expected, actual)`` entries
    with the same size and digest under a new path (and are in neither
    ``added`` nor ``removed``).
    """

    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    modified: list[tuple[Entry, Entry]] = field(default_factory=list)
    renamed: list[tuple[Entry, Entry]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was added, removed, modified or renamed."""
        return not (self.added or self.removed or self.modified or self.renamed)

    @property
    def count(self) -> int:
        """How many files changed (a rename counts once)."""
        return len(self.added) + len(self.removed) + len(self.modified) + len(self.renamed)

    def to_dict(self) -> dict[str, Any]:
        """``{"added": [entry…], "removed": [entry…], "modified": [{"path", "expected", "actual"}…],
        "renamed": [{"from", "to", "size", "sha256"}…]}``.

        Entries are ``{"path", "size", "sha256"}``; ``expected``/``actual`` are ``{"size", "sha256"}``.
        """
        return {
            "added": [e.to_dict() for e in self.added],
            "removed": [e.to_dict() for e in self.removed],
            "modified": [
                {
                    "path": expected.path,
                    "expected": {"size": expected.size, "sha256": expected.sha256},
                    "actual": {"size": actual.size, "sha256": actual.sha256},
                }
                for expected, actual in self.modified
            ],
            "renamed": [
                {"from": old.path, "to": new.path, "size": new.size, "sha256": new.sha256}
                for old, new in self.renamed
            ],
        }


def diff_manifests(expected: Manifest, actual: Manifest) -> Changes:
    """Compare by path: files only in ``actual`` are added, only in ``expected`` removed.

    A removed and an added file with the same size and digest are one rename
    (several with one digest are paired in path order).
    """
    want = {e.path: e for e in expected.entries}
    have = {e.path: e for e in actual.entries}
    changes = Changes()
    for e in actual.entries:  # entries are sorted, so every list comes out sorted
        old = want.get(e.path)
        if old is None:
            changes.added.append(e)
        elif (old.size, old.sha256) != (e.size, e.sha256):
            changes.modified.append((old, e))
    changes.removed = [e for e in expected.entries if e.path not in have]
    if changes.added and changes.removed:
        gone: dict[tuple[int, str], list[Entry]] = {}
        for e in changes.removed:
            gone.setdefault((e.size, e.sha256), []).append(e)
        added = []
        for e in changes.added:
            same = gone.get((e.size, e.sha256))
            if same:
                changes.renamed.append((same.pop(0), e))
            else:
                added.append(e)
        moved = {old.path for old, _ in changes.renamed}
        changes.added = added
        changes.removed = [e for e in changes.removed if e.path not in moved]
    return changes
