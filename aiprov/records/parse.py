"""Records of a ``.jsonl`` or ``.csv`` file, exactly as bytes (SPEC §2.1).

The rules, decided once here:

* A record ends at a line feed.  A ``CR LF`` pair is a terminator too (files
  written on Windows), so the record's bytes never end in the ``CR`` of its
  terminator; a lone ``CR`` elsewhere is part of the record.  The last record
  may have no terminator.
* Record bytes are the record exactly as in the file without its terminator:
  no trimming, no re-encoding, no JSON or CSV normalisation.  They must be
  UTF-8 (a proof carries them as text); a leading UTF-8 BOM belongs to the
  first line.
* A blank line (empty, or only spaces and tabs) is an error naming its line
  number (1-based), and so is a file with no records.
* CSV: the first row is the header, not a record (its sha256 goes into the
  metadata document).  A row ends at a line feed outside double quotes
  (RFC 4180), so a quoted field may hold line breaks; the row's bytes then
  include them exactly.  A quote left open at the end of the file is an error
  naming the line where its row starts.
* JSONL lines are not parsed: a record is its bytes, whatever they say.

:func:`read_records` returns the records' positions in the file (start offset,
length), so an index can find record ``N`` again without rescanning.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from ..errors import InvalidPath

__all__ = ["FORMATS", "RecordsFile", "records_format", "read_records"]

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


def records_format(path: Path) -> str:
    """``jsonl`` or ``csv`` from the file's suffix; :class:`InvalidPath` otherwise."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InvalidPath(
            f"{path}: records mode reads .jsonl and .csv files, not {Path(path).suffix or 'a file without a suffix'}",
            hint="drop --records to register the file as a whole",
        )
    return fmt


@dataclass
class RecordsFile:
    """The records of one file: their bytes and where they sit in the file."""

    path: Path
    format: str  # jsonl | csv
    records: list[bytes]  # record bytes, file order (index = position)
    starts: list[int]  # byte offset of each record in the file
    header: bytes | None  # the CSV header row (None for JSONL)
    size: int  # bytes in the file
    sha256: str  # of the whole file (hex), to recognise it again

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def header_sha256(self) -> str | None:
        return hashlib.sha256(self.header).hexdigest() if self.header is not None else None


def read_records(path: str | os.PathLike) -> RecordsFile:
    """Split ``path`` into records (see the module docstring for the rules)."""
    path = Path(path)
    fmt = records_format(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidPath(f"{path} does not exist") from None
    except IsADirectoryError:
        raise InvalidPath(f"{path} is a directory: --records takes one .jsonl or .csv file") from None
    except OSError as exc:
        raise InvalidPath(f"{path} is not readable: {exc.strerror or exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidPath(f"{path}: line {line} is not UTF-8 (byte {exc.start})",
                          hint="records are carried in proofs as UTF-8 text") from None
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # the final terminator ends the last record; it does not start another
    if not lines:
        raise InvalidPath(f"{path} has no records: it is empty")
    # starts[i] = offset of physical line i; each line is followed by its "\n"
    starts = [0, *accumulate(map((1).__add__, map(len, lines)))]
    starts.pop()
    # CRLF: drop the CR of the terminator (a lone CR inside a line stays)
    if b"\r" in data:
        lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    header = None
    if fmt == "csv":
        lines, starts = _csv_rows(path, data, lines, starts)
    _check_blank(path, data, lines, starts)
    if fmt == "csv":
        header = lines[0]
        lines, starts = lines[1:], starts[1:]
        if not lines:
            raise InvalidPath(f"{path} has a header row but no records")
    return RecordsFile(path=path, format=fmt, records=lines, starts=starts, header=header, size=len(data), sha256=digest)


def _check_blank(path: Path, data: bytes, rows: list[bytes], starts: list[int]) -> None:
    blank = rows.index(b"") if b"" in rows else None
    if blank is None:
        # only spaces and tabs: look at short rows only (a blank row is short)
        short = [i for i, n in enumerate(map(len, rows)) if n <= 64] if min(map(len, rows)) <= 64 else []
        blank = next((i for i in short if not rows[i].strip(b" \t")), None)
    if blank is not None:
        line = data.count(b"\n", 0, starts[blank]) + 1
        raise InvalidPath(f"{path}: line {line} is blank",
                          hint="every line must be one record: remove blank lines (and a trailing one)")


def _csv_rows(path: Path, data: bytes, lines: list[bytes], starts: list[int]) -> tuple[list[bytes], list[int]]:
    """Join physical lines into CSV rows where a quoted field spans lines."""
    if b'"' not in data:
        return lines, starts
    counts = [line.count(b'"') for line in lines]
    if not any(c & 1 for c in counts):
        return lines, starts
    rows: list[bytes] = []
    row_starts: list[int] = []
    i, n = 0, len(lines)
    while i < n:
        if not counts[i] & 1:
            rows.append(lines[i])
            row_starts.append(starts[i])
            i += 1
            continue
        first = i
        quotes = counts[i]
        i += 1
        while quotes & 1 and i < n:
            quotes += counts[i]
            i += 1
        if quotes & 1:
            raise InvalidPath(f"{path}: the quoted field opened on line {first + 1} is never closed")
        end = starts[i - 1] + len(lines[i - 1])  # the row's bytes end where its last line's bytes end
        rows.append(data[starts[first]:end])
        row_starts.append(starts[first])
    return rows, row_starts
