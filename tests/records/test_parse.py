"""Records are the file's bytes: JSONL lines, CSV rows (header apart), CRLF, blank lines."""

from __future__ import annotations

import pytest

from aiprov.errors import InvalidPath
from aiprov.records.parse import read_records


def _read(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return read_records(p)


def test_jsonl_lines_are_records_exactly_as_bytes(tmp_path):
    rf = _read(tmp_path, "a.jsonl", b'{"a": 1 }\n{"b":"\xc3\xa9"}\n  {"c":3}')
    assert rf.records == [b'{"a": 1 }', b'{"b":"\xc3\xa9"}', b'  {"c":3}']  # no trimming, no re-encoding
    assert rf.starts == [0, 10, 21]
    assert rf.header is None and rf.format == "jsonl"


def test_crlf_terminators_are_not_part_of_the_record_but_a_lone_cr_is(tmp_path):
    rf = _read(tmp_path, "a.jsonl", b'{"a":1}\r\n{"b":2}\r\n{"c":"x\rY"}\n')
    assert rf.records == [b'{"a":1}', b'{"b":2}', b'{"c":"x\rY"}']
    assert rf.starts == [0, 9, 18]


def test_csv_header_is_not_a_record_and_quoted_line_breaks_stay_in_the_row(tmp_path):
    rf = _read(tmp_path, "p.csv", b'id,note\r\n1,"two\r\nlines"\r\n2,"a ""q"" b"\r\n3,\n')
    assert rf.header == b"id,note"
    assert rf.header_sha256 is not None
    assert rf.records == [b'1,"two\r\nlines"', b'2,"a ""q"" b"', b"3,"]
    assert rf.starts == [9, 25, 40]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.jsonl", b'{"a":1}\n\n{"b":2}\n', "line 2 is blank"),
        ("a.jsonl", b'{"a":1}\n{"b":2}\n\n', "line 3 is blank"),
        ("a.jsonl", b'{"a":1}\r\n\r\n', "line 2 is blank"),
        ("a.jsonl", b'{"a":1}\n \t \n', "line 2 is blank"),
        ("a.csv", b"id\n1\n\n2\n", "line 3 is blank"),
        ("a.jsonl", b"", "no records"),
        ("a.csv", b"id,name\n", "no records"),
        ("a.csv", b'id\n1,"open\n2\n', "opened on line 2 is never closed"),
        ("a.jsonl", b'{"a":1}\n{"b":"\xff"}\n', "line 2 is not UTF-8"),
        ("a.txt", b"x\n", "reads .jsonl and .csv"),
    ],
)
def test_bad_records_files_are_errors_naming_the_line(tmp_path, name, data, message):
    with pytest.raises(InvalidPath) as info:
        _read(tmp_path, name, data)
    assert message in str(info.value)
    assert info.value.exit_code == 2


def test_a_blank_line_inside_a_quoted_csv_field_is_data(tmp_path):
    rf = _read(tmp_path, "a.csv", b'id,note\n1,"para one\n\npara two"\n')
    assert rf.records == [b'1,"para one\n\npara two"']


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InvalidPath, match="does not exist"):
        read_records(tmp_path / "none.jsonl")
    (tmp_path / "d.jsonl").mkdir()
    with pytest.raises(InvalidPath, match="directory"):
        read_records(tmp_path / "d.jsonl")
