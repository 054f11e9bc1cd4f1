"""The bad-input table: every command driven with malformed values, and the exit code SPEC §5 promises.

Used by ``test_bad_input_table.py`` (in CI). Each case is (command line, expected exit code, optional extra env, optional cwd
config). A case passes when the exit code is the expected one, the output holds
no traceback and no "bug" wording, and with ``--json`` stdout is exactly one JSON
document (an ``{"error": …}`` document carrying the same exit code on failure).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

DEV = {
    0: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    1: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    2: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    3: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
}
BAD_CHECKSUM = "0xf39fd6e51aad88F6F4ce6aB8827279cffFb92266"  # one letter's case flipped

BAD_IDS = ["abc", "-1", "0", str(2**256), "\u0663", "1.5", "", " ", "1e3", "0x10", "1_0", "\uff13", "3 4"]
BAD_ASSETS = ["dataset:abc", "model:-1", "dataset:\u0663", "foo:1", "dataset:", ":1", "dataset:0",
              f"dataset:{2**256}", "", "dataset:1:2", "model:1.5", "0x12"]
BAD_ADDRESSES = ["0x1234", "zz", "", BAD_CHECKSUM, "0x" + "g" * 40, "0x" + "0" * 40, "dev:99", "dev:-1",
                 "dev:\u0663", "0x" + "a" * 41]
BAD_DAYS = ["abc", "0", "-1", "3651", "\u0663", "1.5", "", str(2**256)]
BAD_AMOUNTS = ["abc", "-1", "1.5wei", "1.0000000000000000000000000001ether", str(2**256), "1e18", "10 foo", "",
               "0x10", "\u0663", "0.1.2ether", str(2**128) + "ether"]
BAD_DURATIONS = ["soon", "0", "-1d", "\u0663d", "1.5d", "", "99999999999w", "3y"]
BAD_KEYS = ["zz", "0x1234", "0" * 64, "f" * 64, "", "0x" + "g" * 64,
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"]
BAD_CONFIGS = {  # aiprov.toml contents that must be exit 2
    "networks-int": "networks = 5\n",
    "not-utf8": b"\xff\xfe[networks.x]\n",
    "confirmations-abc": '[networks.x]\nrpc_url = "http://127.0.0.1:1"\nconfirmations = "abc"\n',
    "rpc-url-int": "[networks.x]\nrpc_url = 5\n",
    "chain-id-abc": '[networks.x]\nrpc_url = "http://127.0.0.1:1"\nchain_id = "abc"\n',
    "not-toml": "[networks\n",
    "dev-str": '[networks.x]\nrpc_url = "http://127.0.0.1:1"\ndev = "yes"\n',
    "fee-str": '[networks.x]\nrpc_url = "http://127.0.0.1:1"\nmax_fee_gwei = "lots"\n',
}


@dataclass
class Case:
    args: list[str]
    code: int
    env: dict = field(default_factory=dict)
    config: str | bytes | None = None  # an aiprov.toml written into the working directory
    note: str = ""

    @property
    def label(self) -> str:
        return " ".join(a if a else "''" for a in self.args)


def cases(world: Path) -> list[Case]:
    """The table. ``world`` holds ``data/`` (registered as dataset 1), ``model/`` (model 1) and files."""
    data, model, files = world / "data", world / "model", world / "files"
    out: list[Case] = []
    add = out.append

    id_commands = [
        ["show", "dataset", "{}"], ["show", "model", "{}"], ["history", "dataset", "{}"],
        ["history", "model", "{}"], ["lineage", "model", "{}"], ["deprecate", "dataset", "{}"],
        ["revoke", "model", "{}", "--reason", "r", "--yes"],
        ["verify", "dataset", str(data), "--id", "{}"],
        ["register", "dataset", str(data), "--parent", "{}"],
        ["register", "model", str(model), "--dataset", "{}"],
        ["register", "model", str(model), "--dataset", "1", "--base-model", "{}"],
    ]
    for template in id_commands:
        for bad in BAD_IDS:
            add(Case([bad if a == "{}" else a for a in template], 2))
    asset_commands = [
        ["lease", "grant", "{}", DEV[2], "--days", "1"], ["lease", "extend", "{}", DEV[2], "--days", "1"],
        ["lease", "revoke", "{}", DEV[2]], ["lease", "check", "{}", DEV[2]], ["lease", "list", "{}"],
        ["lease", "price", "{}", "--per-day", "1gwei"], ["lease", "buy", "{}", "--days", "1"],
        ["lease", "use", "{}"], ["lease", "log", "{}"], ["manager", "add", "{}", DEV[1]],
    ]
    for template in asset_commands:
        for bad in BAD_ASSETS:
            add(Case([bad if a == "{}" else a for a in template], 2))
    address_commands = [
        ["lease", "grant", "dataset:1", "{}", "--days", "1"], ["lease", "extend", "dataset:1", "{}", "--days", "1"],
        ["lease", "revoke", "dataset:1", "{}"], ["lease", "check", "dataset:1", "{}"],
        ["manager", "add", "dataset:1", "{}"], ["manager", "remove", "dataset:1", "{}"],
    ]
    for template in address_commands:
        for bad in BAD_ADDRESSES:
            add(Case([bad if a == "{}" else a for a in template], 2))
    for template in (["lease", "grant", "dataset:1", DEV[2], "--days", "{}"],
                     ["lease", "extend", "dataset:1", DEV[2], "--days", "{}"],
                     ["lease", "buy", "dataset:1", "--days", "{}", "--account", "dev:3"]):
        for bad in BAD_DAYS:
            add(Case([bad if a == "{}" else a for a in template], 2))
    for bad in BAD_AMOUNTS:
        add(Case(["lease", "price", "dataset:1", "--per-day", bad], 2))
    for bad in BAD_DURATIONS:
        add(Case(["node", "advance", bad, "--yes"], 2))
    # shared options on a read, a write and a lease command
    for template in (["show", "dataset", "1"], ["deprecate", "dataset", "1"], ["lease", "check", "dataset:1", DEV[2]]):
        for opt, bad in (("--network", ""), ("--network", "nosuch"), ("--account", "bad account!"),
                         ("--account", BAD_CHECKSUM), ("--account", "dev:99"), ("--account", "dev:\u0663"),
                         ("--confirmations", "abc"), ("--confirmations", "0"), ("--confirmations", "-1"),
                         ("--confirmations", "1001"), ("--rpc-url", "notaurl"), ("--rpc-url", "ftp://x")):
            add(Case([*template, opt, bad], 2))
    add(Case(["account", "list", "--network", "nosuch"], 2))
    # files a user points at: missing, a directory, a FIFO, a device, too big, not UTF-8 / not JSON
    bad_files = {"missing": str(files / "nope.json"), "directory": str(files), "fifo": str(files / "fifo"),
                 "device": "/dev/zero", "huge": str(files / "huge.json"), "not-json": str(files / "bad.json")}
    for what, path in bad_files.items():
        add(Case(["register", "model", str(model), "--dataset", "1", "--training-config", path], 2, note=what))
        add(Case(["register", "model", str(model), "--dataset", "1", "--metrics", path], 2, note=what))
        if what != "not-json":
            add(Case(["account", "import", "k", "--private-key-file", path], 2, env={"AIPROV_KEYSTORE_PASSWORD": "pw"},
                     note=what))
        add(Case(["verify", "dataset", str(data), "--receipt", path], 2, note=what))
    receipt = json.loads((world / "data.aiprov.json").read_text())
    for key, bad in (("id", "abc"), ("id", -1), ("id", 2**256), ("id", True), ("chain_id", "abc"), ("root", "0x12"),
                     ("kind", "widget"), ("manifest", [])):
        broken = files / f"receipt-{key}-{bad}.json"
        broken.write_text(json.dumps({**receipt, key: bad}))
        add(Case(["verify", "dataset", str(data), "--receipt", str(broken)], 2, note=f"receipt {key}={bad!r}"))
    add(Case(["register", "model", str(model), "--dataset", "1", "--code-dir", str(files / "nope")], 2))
    add(Case(["register", "dataset", str(data), "--receipt", str(files / "nonexistent_dir" / "r.json")], 2))
    for path in ("/no/such/dir", str(files / "fifo"), "/dev/null"):
        add(Case(["hash", path], 2))
        add(Case(["register", "dataset", path], 2))
        add(Case(["verify", "dataset", path], 2))
    # malformed keys
    for i, key in enumerate(BAD_KEYS):
        (files / f"key{i}").write_text(key + "\n")
        add(Case(["account", "import", f"k{i}", "--private-key-file", str(files / f"key{i}")], 2,
                 env={"AIPROV_KEYSTORE_PASSWORD": "pw"}))
    add(Case(["account", "import", "dev0", "--private-key-file", str(files / "key0")], 2,
             env={"AIPROV_KEYSTORE_PASSWORD": "pw"}))
    add(Case(["lease", "grant", "dataset:1", DEV[2], "--days", "1"], 2, env={"AIPROV_PRIVATE_KEY": "0x1234"}))
    add(Case(["deprecate", "dataset", "1"], 2, env={"AIPROV_PRIVATE_KEY": "zz"}))
    # configuration and environment
    for name, text in BAD_CONFIGS.items():
        add(Case(["show", "dataset", "1"], 2, config=text, note=name))
    add(Case(["show", "dataset", "1"], 2, env={"AIPROV_LOCK_TIMEOUT": "abc"}))
    add(Case(["show", "dataset", "1"], 2, env={"AIPROV_RECEIPT_TIMEOUT": "abc", "AIPROV_NETWORK": "anvil"}))
    add(Case(["show", "dataset", "1"], 2, env={"AIPROV_NETWORK": "nosuch"}))
    # the contract's rules refuse, or a check does not hold: exit 1 with a sentence
    add(Case(["show", "dataset", "99999"], 1))
    add(Case(["history", "model", "99999"], 1))
    add(Case(["lineage", "model", "99999"], 1))
    add(Case(["lease", "use", "dataset:99999"], 1))
    add(Case(["lease", "list", "dataset:99999"], 1))
    add(Case(["lease", "log", "model:99999"], 1))
    add(Case(["lease", "grant", "dataset:1", DEV[2], "--days", "1", "--account", "dev:3"], 1))
    add(Case(["lease", "extend", "dataset:1", DEV[1], "--days", "1"], 1))
    add(Case(["lease", "revoke", "dataset:1", DEV[1]], 1))
    add(Case(["lease", "buy", "dataset:1", "--days", "1", "--account", "dev:3"], 1))
    add(Case(["lease", "price", "dataset:1", "--per-day", "1gwei", "--account", "dev:3"], 1))
    add(Case(["lease", "revoke", "dataset:2", DEV[3]], 1, note="paid lease still running"))
    add(Case(["manager", "add", "dataset:1", DEV[2], "--account", "dev:1"], 1))
    add(Case(["deprecate", "dataset", "1", "--account", "dev:2"], 1))
    add(Case(["revoke", "dataset", "3", "--reason", "r", "--yes", "--account", "dev:2"], 1))
    add(Case(["register", "model", str(world / "model2"), "--dataset", "99999"], 1))
    # final actions need --yes off a terminal; a reason must say something
    add(Case(["revoke", "dataset", "3", "--reason", "r"], 2))
    add(Case(["revoke", "dataset", "3", "--reason", "", "--yes"], 2))
    add(Case(["revoke", "dataset", "3", "--reason", "  ", "--yes"], 2))
    add(Case(["node", "advance", "1d"], 2))
    # usage errors Click finds: unknown command / option, missing argument
    for args in (["shw"], ["show"], ["show", "dataset"], ["show", "widget", "1"], ["lease", "grant", "dataset:1"],
                 ["show", "dataset", "1", "--bogus"], ["completion", "tcsh"],
                 ["register", "model", str(model)]):
        add(Case(args, 2))
    return out


def make_world(root: Path, run) -> Path:
    """dataset 1 (``data/``), model 1 (``model/``), dataset 2 sold to dev:3, dataset 3 owned by dev:0."""
    for rel, text in {"data/a.csv": "id,x\n1,2\n", "data/b.txt": "b", "model/w.bin": "weights", "model2/w.bin": "other weights",
                      "d2/x": "x", "d3/y": "y", "files/bad.json": "{nope", "files/ok.json": "{}"}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    os.mkfifo(root / "files" / "fifo")
    with open(root / "files" / "huge.json", "wb") as f:
        f.truncate(80 * 1024 * 1024)  # sparse: no disk, but bigger than any input limit
    for args in (["register", "dataset", str(root / "data")], ["register", "model", str(root / "model"), "--dataset", "1"],
                 ["register", "dataset", str(root / "d2")], ["register", "dataset", str(root / "d3")],
                 ["lease", "price", "dataset:2", "--per-day", "1gwei"],
                 ["lease", "buy", "dataset:2", "--days", "3", "--account", "dev:3"]):
        code, out = run(args + ["--json"])
        assert code == 0, (args, code, out)
    return root


BUG_WORDING = re.compile(r"\bbug\b|unexpected [A-Z]\w+", re.IGNORECASE)


def check(case: Case, code: int, stdout: str, stderr: str, as_json: bool) -> list[str]:
    """What is wrong with one run (empty: it passed)."""
    problems = []
    if code != case.code:
        problems.append(f"exit {code}, expected {case.code}")
    both = stdout + stderr
    if "Traceback" in both:
        problems.append("traceback")
    if BUG_WORDING.search(both):
        problems.append("bug wording")
    if as_json:
        try:
            doc = json.loads(stdout)
        except ValueError:
            problems.append("not exactly one JSON document on stdout")
        else:
            if code != 0 and isinstance(doc, dict) and "error" in doc and doc["error"].get("exit_code") != code:
                problems.append("error document exit_code differs")
            if code not in (0, 1) and not (isinstance(doc, dict) and "error" in doc):
                problems.append("no error document")
    return problems
