"""User-supplied files are read bounded: FIFOs, devices, directories and oversize input are exit 2, at once."""

from __future__ import annotations

import os
import threading
import time

import pytest

from aiprov.errors import InvalidPath
from aiprov.inputfiles import read_input, read_input_text


def test_regular_file(tmp_path):
    (tmp_path / "a.json").write_text('{"lr": 0.1}')
    assert read_input(tmp_path / "a.json", what="--metrics") == b'{"lr": 0.1}'
    assert read_input_text(tmp_path / "a.json", what="--metrics") == '{"lr": 0.1}'


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(InvalidPath, match="FIFO"):
        read_input(fifo, what="--training-config")
    assert time.monotonic() - start < 1


def test_devices_and_directories_are_refused(tmp_path):
    with pytest.raises(InvalidPath, match="device"):
        read_input("/dev/zero", what="--private-key-file")
    with pytest.raises(InvalidPath, match="directory"):
        read_input(tmp_path, what="--metrics")
    with pytest.raises(InvalidPath, match="no such file"):
        read_input(tmp_path / "missing", what="--metrics")


def test_oversize_is_refused(tmp_path):
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(2 * 1024 * 1024)
    with pytest.raises(InvalidPath, match="larger than 1 MiB"):
        read_input(big, what="--metrics", limit=1024 * 1024)


def test_growing_file_is_cut_at_the_limit(tmp_path):
    # a file that grows after the size check still yields at most limit + 1 bytes read
    path = tmp_path / "grow"
    path.write_bytes(b"x" * 10)
    stop = threading.Event()

    def grow():
        with open(path, "ab") as f:
            while not stop.is_set():
                f.write(b"y" * 4096)

    t = threading.Thread(target=grow)
    t.start()
    try:
        try:
            data = read_input(path, what="x", limit=100_000)
            assert len(data) <= 100_000
        except InvalidPath as exc:
            assert "larger than" in str(exc)
    finally:
        stop.set()
        t.join()


def test_not_utf8(tmp_path):
    (tmp_path / "b").write_bytes(b"\xff\xfe")
    with pytest.raises(InvalidPath, match="not UTF-8"):
        read_input_text(tmp_path / "b", what="config file")
