"""tools/slither: the native-solc look-alike over the npm solc, and the triage gate CI runs."""

from __future__ import annotations

import io
import json
import subprocess

import pytest

from aiprov.contracts import load_artifact
from tools.contracts import build
from tools.slither import check, solc_wrapper

WRAPPER = str(check.SOLC_WRAPPER)


def run_wrapper(*args: str, stdin: str = "", cwd=build.REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([WRAPPER, *args], input=stdin, capture_output=True, text=True, cwd=cwd, check=False)


def test_version_reads_like_native_solc():
    proc = run_wrapper("--version")
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert first == "solc, the solidity compiler commandline interface"
    assert second.startswith(f"Version: {build.SOLC_VERSION}+commit.")


@pytest.mark.slow
def test_standard_json_compiles_what_ships(tmp_path):
    """Sources given by path as crytic-compile gives them (contracts/*.sol), imports found by
    the wrapper, the pinned settings forced: the bytecode is byte for byte the shipped
    artifacts', whatever settings the caller asked for."""
    names = sorted(p.relative_to(build.REPO_ROOT).as_posix() for p in build.CONTRACTS_DIR.glob("*.sol"))
    request = {
        "language": "Solidity",
        "sources": {name: {"urls": [name]} for name in names},
        "settings": {
            "optimizer": {"enabled": False},  # crytic-compile's default; overridden
            "outputSelection": {"*": {"*": ["evm.deployedBytecode.object"], "": ["ast"]}},
        },
    }
    proc = run_wrapper("--standard-json", "--allow-paths", str(build.REPO_ROOT), stdin=json.dumps(request))
    assert proc.returncode == 0, proc.stderr
    output = json.loads(proc.stdout)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]
    assert {"contracts/AssetRegistry.sol", "@openzeppelin/contracts/utils/structs/BitMaps.sol"} <= output["sources"].keys()
    assert "ast" in output["sources"]["contracts/AssetRegistry.sol"]
    for name in ("DatasetRegistry", "ModelRegistry", "AccessLeases"):
        compiled = output["contracts"][f"contracts/{name}.sol"][name]
        assert "0x" + compiled["evm"]["deployedBytecode"]["object"] == load_artifact(name)["deployedBytecode"]


def test_compile_errors_come_back_in_the_json_like_native_solc():
    request = {"language": "Solidity", "sources": {"x.sol": {"content": "pragma solidity 0.8.37; contract X { uint x = ; }"}}}
    proc = run_wrapper("--standard-json", stdin=json.dumps(request))
    assert proc.returncode == 0
    errors = json.loads(proc.stdout)["errors"]
    assert errors and errors[0]["severity"] == "error" and errors[0]["type"] == "ParserError"


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        ((), "", 2, "give --version or --standard-json"),
        (("--bin", "x.sol"), "", 2, "unsupported argument '--bin'"),
        (("--standard-json",), "{not json", 2, "is not JSON"),
        (("--standard-json",), json.dumps({"sources": {"missing.sol": {"urls": ["missing.sol"]}}}), 1, "'missing.sol' not found"),
    ],
)
def test_bad_use_is_one_line_and_an_exit_code(args, stdin, code, message, tmp_path):
    proc = run_wrapper(*args, stdin=stdin, cwd=tmp_path)
    assert proc.returncode == code and message in proc.stderr and "Traceback" not in proc.stderr


def test_inline_sources_follows_relative_and_package_imports(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "lib" / "@pkg").mkdir(parents=True)
    (tmp_path / "src" / "A.sol").write_text('import "./B.sol";\nimport {C} from "@pkg/C.sol";\n')
    (tmp_path / "src" / "B.sol").write_text("contract B {}\n")
    (tmp_path / "lib" / "@pkg" / "C.sol").write_text("contract C {}\n")
    request = {"sources": {"src/A.sol": {"urls": [str(tmp_path / "src" / "A.sol")]}}}
    out = solc_wrapper.inline_sources(request, [tmp_path, tmp_path / "lib"])
    assert out["sources"] == {
        "@pkg/C.sol": {"content": "contract C {}\n"},
        "src/A.sol": {"content": 'import "./B.sol";\nimport {C} from "@pkg/C.sol";\n'},
        "src/B.sol": {"content": "contract B {}\n"},
    }


def test_main_in_process_version(monkeypatch):
    out = io.StringIO()
    assert solc_wrapper.main(["--version"], stdout=out) == 0
    assert "Version: 0.8.37+" in out.getvalue()


# --- the triage gate -----------------------------------------------------------------------


def finding(check_name: str, impact: str, contract: str, signature: str) -> dict:
    return {
        "check": check_name,
        "impact": impact,
        "description": f"{contract}.{signature} (contracts/{contract}.sol#1-2) something\n\tdetail",
        "elements": [
            {
                "type": "function",
                "name": signature.split("(")[0],
                "type_specific_fields": {"parent": {"type": "contract", "name": contract}, "signature": signature},
            }
        ],
    }


def test_finding_names_do_not_depend_on_lines():
    f = finding("timestamp", "Low", "AccessLeases", "revoke(uint8,uint256,address)")
    assert check.finding_key(f) == "timestamp AccessLeases.revoke(uint8,uint256,address)"
    f["description"] = f["description"].replace("#1-2", "#40-52")
    assert check.finding_key(f) == "timestamp AccessLeases.revoke(uint8,uint256,address)"


def test_judge_fails_on_high_untriaged_and_stale_entries():
    triaged = finding("timestamp", "Low", "A", "f()")
    triage = {"timestamp A.f()": "by design", "calls-loop B.g()": "bounded"}
    problems, counts = check.judge(
        [
            triaged,
            finding("reentrancy-eth", "High", "A", "withdraw()"),
            finding("incorrect-equality", "Medium", "A", "h()"),
            finding("naming-convention", "Informational", "A", "X()"),
        ],
        triage,
    )
    assert counts == {"Low": 1, "High": 1, "Medium": 1, "Informational": 1}
    assert problems == [
        "High: reentrancy-eth A.withdraw(): A.withdraw() (contracts/A.sol#1-2) something",
        "Medium, not triaged: incorrect-equality A.h(): A.h() (contracts/A.sol#1-2) something",
        "triage entry matches no finding any more (fixed? delete it): calls-loop B.g()",
    ]
    assert check.judge([triaged], {"timestamp A.f()": "by design"})[0] == []


def test_a_high_finding_cannot_be_triaged_away():
    problems, _ = check.judge([finding("arbitrary-send-eth", "High", "A", "f()")], {"arbitrary-send-eth A.f()": "x"})
    assert problems[0].startswith("High: arbitrary-send-eth A.f()")


def test_the_committed_triage_file_is_well_formed(tmp_path):
    triage = check.read_triage()
    assert triage and all(len(reason) > 20 for reason in triage.values())
    bad = tmp_path / "triage.json"
    bad.write_text(json.dumps({"accepted": [{"check": "timestamp", "element": "A.f()", "reason": " "}]}))
    with pytest.raises(ValueError, match="gives no reason"):
        check.read_triage(bad)
    bad.write_text(json.dumps({"accepted": [{"check": "c", "element": "e", "reason": "r1"}] * 2}))
    with pytest.raises(ValueError, match="listed twice"):
        check.read_triage(bad)


def test_check_command_on_saved_output(tmp_path, capsys, monkeypatch):
    triage = tmp_path / "triage.json"
    triage.write_text(json.dumps({"accepted": [{"check": "timestamp", "element": "A.f()", "reason": "by design"}]}))
    monkeypatch.setattr(check, "TRIAGE_PATH", triage)
    monkeypatch.setattr(check, "REPO_ROOT", tmp_path)
    saved = tmp_path / "slither.json"
    saved.write_text(json.dumps({"success": True, "results": {"detectors": [finding("timestamp", "Low", "A", "f()")]}}))
    assert check.main(["--json", str(saved)]) == 0
    assert "0 High, 0 Medium, 1 Low" in capsys.readouterr().out
    saved.write_text(json.dumps({"success": True, "results": {"detectors": [finding("timestamp", "Low", "A", "g()")]}}))
    assert check.main(["--json", str(saved)]) == 1
    out = capsys.readouterr().out
    assert "Low, not triaged: timestamp A.g()" in out and "matches no finding any more" in out
    assert check.main(["--slither", str(tmp_path / "none")]) == 3
    assert "run make slither" in capsys.readouterr().err
