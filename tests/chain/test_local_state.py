"""The embedded chain never silently starts over, and a broken state directory is a clear exit 3."""

from __future__ import annotations

import json
import os

import pytest

from helpers import CLI, run_aiprov, write_files

pytestmark = pytest.mark.local_only


@pytest.fixture
def registered(home, tmp_path):
    cli = CLI()
    data = write_files(tmp_path / "d", {"a.txt": "a"})
    assert cli.json("register", "dataset", data)["id"] == 1
    return cli, data


@pytest.mark.parametrize("damage", ["delete", "empty", "garbage", "fresh-sqlite"])
def test_missing_or_damaged_chain_state_is_exit_3_not_a_new_chain(registered, home, tmp_path, damage):
    cli, data = registered
    db = home / "local" / "chain.sqlite"
    for extra in ("-wal", "-shm"):
        if os.path.exists(str(db) + extra):
            os.unlink(str(db) + extra)
    if damage == "delete":
        db.unlink()
    elif damage == "empty":
        db.write_bytes(b"")
    elif damage == "garbage":
        db.write_bytes(b"this is not a database" * 100)
    else:  # a valid but empty SQLite file: what sqlite3 creates when the file is gone
        import sqlite3

        db.unlink()
        sqlite3.connect(db).close()
    for args in (["show", "dataset", "1"], ["register", "dataset", str(write_files(tmp_path / "e", {"b": "b"}))]):
        res = cli(*args)
        assert res.exit_code == 3, (damage, args, res.output)
        assert "local chain state missing or damaged" in res.stderr, res.stderr
        assert "bug" not in res.output and "Traceback" not in res.output
        doc = json.loads(cli(*args, "--json").stdout)
        assert doc["error"]["exit_code"] == 3
    assert not (tmp_path / "e.aiprov.json").exists()  # nothing was registered as "id 1" again


def test_state_directory_problems_are_exit_3_with_a_sentence(tmp_path, home):
    data = write_files(tmp_path / "d", {"a.txt": "a"})
    a_file = tmp_path / "home-is-a-file"
    a_file.write_text("")
    res = run_aiprov("show", "dataset", "1", env={"AIPROV_HOME": str(a_file)})
    assert res.returncode == 3 and "is not a directory" in res.stderr and "bug" not in res.stderr, res.stderr
    lock_home = tmp_path / "h2"
    (lock_home / "local" / "chain.lock").mkdir(parents=True)
    res = run_aiprov("register", "dataset", data, env={"AIPROV_HOME": str(lock_home)})
    assert res.returncode == 3 and "chain.lock" in res.stderr and "bug" not in res.stderr, res.stderr


def test_a_new_state_directory_still_starts_a_chain(home, tmp_path):
    cli = CLI()
    assert cli.json("register", "dataset", write_files(tmp_path / "d", {"a": "a"}))["id"] == 1
    assert (home / "local" / "chain.json").is_file()  # the state directory now knows it has a chain
