"""Which files a manifest leaves out: default rules plus ``.aiprovignore``.

Rules use gitignore syntax and select exactly the files git would (the tests
check this against git itself): ``*``, ``**``, ``?``, ``[…]``, a trailing ``/``
for directories only, a leading or inner ``/`` to anchor at the target's top,
``!`` to re-include, the last matching rule wins.  As in git, a file inside an
ignored directory cannot be re-included (the directory is never entered).
Rules are matched against manifest paths: relative to the target, ``/``
separators, Unicode NFC.

Without explicit rules a directory target uses :data:`DEFAULT_IGNORES` followed
by the lines of its top-level ``.aiprovignore`` (blank lines and ``#`` comments
dropped).  The manifest records the resulting list, and a verifier passes it
back unchanged (``build_manifest(path, ignore=manifest.ignore)``), so the same
files are selected without any flags.  ``.aiprovignore`` itself is hashed like
any other file, so editing it shows up as a modified file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from ..errors import ManifestError

__all__ = ["DEFAULT_IGNORES", "IGNORE_FILE", "IgnoreRules", "parse_ignore_file", "read_ignore_file"]

DEFAULT_IGNORES: tuple[str, ...] = (
    ".git/",
    ".aiprov/",
    "__pycache__/",
    ".DS_Store",
    "*.aiprov.json",  # aiprov receipts
    "*.aiprov-salts.json",  # private salts of records mode
)
"""Rules every directory target starts from, in gitignore syntax."""

IGNORE_FILE = ".aiprovignore"
"""Name of the optional rules file at a directory target's top."""


def read_ignore_file(directory: str) -> tuple[str, ...]:
    """The rules in ``directory/.aiprovignore``, or ``()`` when there is none.

    Lines keep their text (trailing ``\\r`` removed); blank lines and lines
    starting with ``#`` are dropped since they never match anything.
    """
    from ..inputfiles import read_input

    path = os.path.join(directory, IGNORE_FILE)
    if not os.path.lexists(path):
        return ()
    raw = read_input(path, what="ignore file", limit=16 * 1024 * 1024)
    return parse_ignore_file(raw, path)


def parse_ignore_file(raw: bytes, where: str) -> tuple[str, ...]:
    """The rules in the bytes of an ``.aiprovignore`` (read from disk or an object store)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(f"{where} is not valid UTF-8") from None
    lines = (line.rstrip("\r") for line in text.split("\n"))
    return tuple(line for line in lines if line.strip() and not line.startswith("#"))


class IgnoreRules:
    """A compiled list of gitignore rules, applied the way git applies them.

    Patterns are compiled by ``pathspec`` (``gitwildmatch``); the decision is
    git's: walking down from the top, a path is ignored when the *last* rule that
    matches the path itself is not a ``!`` rule, and an ignored directory is not
    entered.  A directory-only rule (``logs/``) matches directories only;
    ``cache/**`` matches what is inside ``cache`` but not ``cache`` itself.

    Most paths match no rule at all, so one combined regular expression answers
    them first; only paths that some rule touches are evaluated rule by rule.
    """

    __slots__ = ("_any", "_rules", "rules")

    def __init__(self, rules: Iterable[str]) -> None:
        import pathspec  # ~10 ms: imported only when a directory is walked

        self.rules: tuple[str, ...] = tuple(rules)
        for rule in self.rules:
            if not isinstance(rule, str) or "\n" in rule:
                raise ManifestError(f"invalid ignore rule {rule!r}")
        try:
            spec = pathspec.PathSpec.from_lines("gitwildmatch", map(_as_compiled, self.rules))
        except (ValueError, TypeError) as exc:
            raise ManifestError(f"invalid ignore rule: {exc}") from None
        active = [p for p in spec.patterns if p.include is not None and p.regex is not None]
        # (match, ignore-or-reinclude, directory-only) per rule, in file order.
        self._rules = [(p.regex.match, bool(p.include), p.regex.pattern.endswith("(?P<ps_d>/).*$")) for p in active]
        # pathspec names a group in each pattern; a name may not repeat in one regex.
        combined = "|".join(f"(?:{re.sub(r'[(][?]P<[^>]+>', '(?:', p.regex.pattern)})" for p in active)
        self._any = re.compile(combined).match if active else None

    def ignores_file(self, path: str) -> bool:
        """Whether the file at manifest path ``path`` is left out (its directories being walked)."""
        if self._any is None or self._any(path) is None:
            return False
        return self._decide(path, is_dir=False)

    def ignores_dir(self, path: str) -> bool:
        """Whether the directory at manifest path ``path`` (no trailing ``/``) is skipped."""
        if self._any is None or self._any(path + "/") is None:
            return False
        return self._decide(path, is_dir=True)

    def _decide(self, path: str, *, is_dir: bool) -> bool:
        ignored = False
        slashed = path + "/"
        for match, include, dir_only in self._rules:
            if dir_only and not is_dir:
                continue
            m = match(slashed if dir_only else path)
            if m is not None and _matches_itself(m, dir_only, len(path)):
                ignored = include
        return ignored


def _as_compiled(rule: str) -> str:
    """The rule as handed to pathspec: git reads ``dir/**/`` as directories strictly
    inside ``dir``, pathspec would include ``dir`` itself, so spell it ``dir/**/*/``."""
    stripped = rule.rstrip(" ")
    return stripped + "*/" if stripped.endswith("/**/") else rule


def _matches_itself(m: re.Match[str], dir_only: bool, length: int) -> bool:
    """Whether a pathspec match is of the path itself, not of a directory above it.

    pathspec's regexes also match everything below a match (``logs/`` matches
    ``logs/a/b``, ``build`` matches ``build/x``), recorded in the ``ps_d`` group.
    Since ignored directories are never entered, only a match of the path itself
    decides, as in git.
    """
    if "ps_d" not in m.re.groupindex:  # e.g. "cache/**": only ever matches paths inside cache/
        return True
    if dir_only:
        return m.start("ps_d") == length  # the "/" right after the directory's own name
    return m.group("ps_d") is None
