"""The shipped artifacts are exactly what the pinned compiler makes of contracts/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aiprov.contracts import CONTRACT_NAMES, load_artifact
from tools.contracts import build

HAVE_NODE = shutil.which("node") is not None and (build.NODE_MODULES / "solc").is_dir()
NATIVE_SOLC = build.find_native_solc()


@pytest.fixture(scope="module")
def built() -> dict[str, str]:
    """Artifacts freshly compiled from contracts/ (native solc if present, else npm solc)."""
    if NATIVE_SOLC is None and not HAVE_NODE:
        if os.environ.get("CI"):
            pytest.fail("no solc 0.8.37 (native, or npm: run npm ci) to check the artifacts with")
        pytest.skip("no solc 0.8.37: neither a native one nor node + node_modules (npm ci)")
    return build.build()


def test_every_contract_has_an_artifact(built):
    assert sorted(built) == sorted(f"{name}.json" for name in CONTRACT_NAMES)
    shipped = sorted(p.name for p in build.ARTIFACTS_DIR.glob("*.json"))
    assert shipped == sorted(built), "run: make contracts"


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_committed_artifact_is_up_to_date(built, name):
    path = build.ARTIFACTS_DIR / f"{name}.json"
    assert path.is_file(), f"{name}: no artifact; run: make contracts"
    assert path.read_text(encoding="utf-8") == built[f"{name}.json"], (
        f"{name}: artifact is stale (contracts/ changed); run: make contracts"
    )


def test_artifact_format(built):
    for name in CONTRACT_NAMES:
        text = built[f"{name}.json"]
        artifact = json.loads(text)
        assert text == json.dumps(artifact, indent=2, sort_keys=True) + "\n"
        assert set(artifact) == {
            "_generated",
            "contractName",
            "sourceName",
            "compiler",
            "abi",
            "bytecode",
            "deployedBytecode",
        }
        assert artifact["_generated"] == "by make contracts (tools/contracts/build.py); do not edit"
        assert artifact["contractName"] == name
        assert artifact["sourceName"] == f"contracts/{name}.sol"
        assert artifact["compiler"] == {"version": "0.8.37", "settings": build.SETTINGS}
        assert artifact["bytecode"].startswith("0x60") and artifact["deployedBytecode"].startswith(
            "0x"
        )
        # the CBOR tail names solc 0.8.37 and carries no metadata hash (bytecodeHash: none)
        assert artifact["deployedBytecode"].endswith("64736f6c6343000825000a")


def test_standard_input_is_path_independent():
    text = json.dumps(build.standard_input())
    assert str(build.REPO_ROOT) not in text and "node_modules" not in text
    names = list(build.standard_input()["sources"])
    assert names == sorted(names)
    assert "contracts/DatasetRegistry.sol" in names
    assert "contracts/interfaces/IDatasetRegistry.sol" in names
    assert "contracts/ModelRegistry.sol" in names
    assert "contracts/interfaces/IModelRegistry.sol" in names
    assert "contracts/AccessLeases.sol" in names
    assert "contracts/interfaces/IAccessLeases.sol" in names
    assert "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol" in names
    assert "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol" in names
    assert all(n.startswith(("contracts/", "@openzeppelin/contracts/")) for n in names)


def test_settings_are_pinned():
    settings = build.standard_input()["settings"]
    assert settings["evmVersion"] == "cancun"
    assert settings["optimizer"]["enabled"] is True
    assert settings["metadata"] == {"bytecodeHash": "none"}


@pytest.mark.skipif(not HAVE_NODE, reason="needs node and node_modules (npm ci)")
def test_native_path_drives_solc_through_solcx(tmp_path, monkeypatch, built):
    """The native path (py-solc-x, --standard-json) with a stand-in `solc` on PATH that
    answers like solc 0.8.37; the artifacts come out the same."""
    fake = tmp_path / "solc"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then\n'
        "  echo 'solc, the solidity compiler commandline interface'\n"
        "  echo 'Version: 0.8.37+commit.a1b79de6.Linux.g++'\n"
        "  exit 0\n"
        "fi\n"
        f'exec "{shutil.which("node")}" "{build.SOLCJS}" "{build.NODE_MODULES}" 0.8.37\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert build.find_native_solc() == fake
    assert build.make_artifacts(build.compile_input(build.standard_input(), "native")) == built


@pytest.mark.skipif(
    NATIVE_SOLC is None or not HAVE_NODE, reason="needs both a native solc 0.8.37 and node_modules"
)
def test_native_and_wasm_compilers_agree():
    native = build.make_artifacts(build.compile_input(build.standard_input(), "native"))
    wasm = build.make_artifacts(build.compile_input(build.standard_input(), "wasm"))
    assert native == wasm


def test_native_requested_but_missing(monkeypatch):
    monkeypatch.setattr(build, "find_native_solc", lambda: None)
    with pytest.raises(build.BuildError, match=r"no native solc 0\.8\.37"):
        build.compile_input(build.standard_input(), "native")


def test_wasm_without_node_modules_says_npm_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(build, "NODE_MODULES", tmp_path)
    with pytest.raises(build.BuildError, match="run npm ci"):
        build.compile_wasm({"language": "Solidity", "sources": {}})
    with pytest.raises(build.BuildError, match="run npm ci"):
        build.collect_sources()


def test_wasm_without_node_says_so(monkeypatch):
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(build.BuildError, match="node not found"):
        build.compile_wasm({"language": "Solidity", "sources": {}})


def test_compiler_errors_are_reported(monkeypatch):
    if NATIVE_SOLC is None and not HAVE_NODE:
        pytest.skip("no compiler")
    bad = build.standard_input({"contracts/Bad.sol": "pragma solidity 0.8.37; contract Bad { x }"})
    with pytest.raises(build.BuildError, match="ParserError"):
        build.compile_input(bad)


def test_check_and_write(built, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build, "build", lambda compiler="auto": built)
    monkeypatch.setattr(build, "ARTIFACTS_DIR", tmp_path)
    assert build.main(["--check"]) == 1  # empty folder: every artifact is missing
    assert "stale:" in capsys.readouterr().err
    (tmp_path / "Old.json").write_text("{}")
    assert build.main([]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(built)
    assert build.main(["--check"]) == 0
    name = f"{CONTRACT_NAMES[0]}.json"
    (tmp_path / name).write_text(built[name].replace("0x60", "0x61", 1))
    capsys.readouterr()
    assert build.main(["--check"]) == 1
    assert name in capsys.readouterr().err


def test_load_artifact():
    artifact = load_artifact("DatasetRegistry")
    assert load_artifact("DatasetRegistry") is artifact  # cached
    names = {item.get("name") for item in artifact["abi"]}
    assert {"register", "verifyFile", "DatasetRegistered", "DatasetNotFound"} <= names
    with pytest.raises(KeyError, match="unknown contract"):
        load_artifact("Nope")


def _signatures(abi, kind):
    return {
        f"{i['name']}({','.join(_abi_type(p) for p in i['inputs'])})" for i in abi if i["type"] == kind
    }


def _abi_type(param):
    if param["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param["components"])
        return f"({inner}){param['type'][len('tuple'):]}"
    return param["type"]


#: IAssetRegistry: what both registries have, with the same signatures.
SHARED_FUNCTIONS = {
    "exists(uint256)",
    "rootOf(uint256)",
    "ownerOf(uint256)",
    "statusOf(uint256)",
    "transferOwnership(uint256,address)",
    "setManager(uint256,address,bool)",
    "isManager(uint256,address)",
    "canManage(uint256,address)",
    "setStatus(uint256,uint8,string)",
    "verifyLeaf(uint256,bytes32[],bytes32)",
    "verifyFile(uint256,bytes32[],string,uint256,bytes32)",
    "checkFile(uint256,bytes32[],string,uint256,bytes32)",
    "checkFiles(uint256,bytes32[],bool[],string[],uint256[],bytes32[])",
}
SHARED_EVENTS = {
    "OwnershipTransferred(uint256,address,address)",
    "ManagerSet(uint256,address,bool,address)",
    "StatusChanged(uint256,uint8,string)",
}
SHARED_ERRORS = {
    "AssetUnauthorized(uint256,address)",
    "AssetEmptyRoot()",
    "AssetZeroAddress()",
    "AssetAlreadyRevoked(uint256)",
    "AssetInvalidStatus(uint8)",
    "AssetLengthMismatch(uint256,uint256)",
    "MerkleProofInvalidMultiproof()",  # OpenZeppelin's, from checkFiles
}


def test_dataset_registry_artifact_has_the_agreed_abi():
    """Client code is written against this ABI: a change must be deliberate."""
    abi = load_artifact("DatasetRegistry")["abi"]
    assert _signatures(abi, "function") == SHARED_FUNCTIONS | {
        "register(bytes32,bytes32,string,uint256)",
        "datasetCount()",
        "getDataset(uint256)",
        "verifyRecord(uint256,bytes32[],uint256,bytes32)",
        "checkRecord(uint256,bytes32[],uint256,bytes32)",
        "checkRecords(uint256,bytes32[],bool[],uint256[],bytes32[])",
        "revokeConsent(uint256,uint256,bytes32)",
        "eraseRecord(uint256,uint256,bytes32)",
        "isConsentRevoked(uint256,uint256)",
        "isErased(uint256,uint256)",
    }
    assert _signatures(abi, "event") == SHARED_EVENTS | {
        "DatasetRegistered(uint256,address,bytes32,uint256,bytes32,string)",
        "RecordConsentRevoked(uint256,uint256,address,bytes32)",
        "RecordErased(uint256,uint256,address,bytes32)",
    }
    assert _signatures(abi, "error") == SHARED_ERRORS | {
        "DatasetNotFound(uint256)",
        "DatasetParentNotFound(uint256)",
        "DatasetConsentAlreadyRevoked(uint256,uint256)",
        "DatasetRecordAlreadyErased(uint256,uint256)",
    }
    (check_record,) = [i for i in abi if i.get("name") == "checkRecord"]
    assert [(o["name"], o["type"]) for o in check_record["outputs"]] == [
        ("included", "bool"),
        ("status", "uint8"),
        ("consentRevoked", "bool"),
        ("erased", "bool"),
    ]
    (get_dataset,) = [i for i in abi if i.get("name") == "getDataset"]
    assert [(c["name"], c["type"]) for c in get_dataset["outputs"][0]["components"]] == [
        ("root", "bytes32"),
        ("owner", "address"),
        ("status", "uint8"),
        ("parentId", "uint48"),
        ("registeredAt", "uint40"),
    ]


def test_model_registry_artifact_has_the_agreed_abi():
    """Client code is written against this ABI: a change must be deliberate."""
    abi = load_artifact("ModelRegistry")["abi"]
    assert _signatures(abi, "function") == SHARED_FUNCTIONS | {
        "datasetRegistry()",
        "register(bytes32,bytes32,string,uint256[],uint256[])",
        "modelCount()",
        "getModel(uint256)",
        "lineageHashOf(uint256)",
        "checkLineage(uint256,uint256[],bytes32[],uint256[])",
    }
    assert _signatures(abi, "event") == SHARED_EVENTS | {
        "ModelRegistered(uint256,address,bytes32,bytes32,string,uint256[],bytes32[],uint256[])",
    }
    assert _signatures(abi, "error") == SHARED_ERRORS | {
        "ModelNotFound(uint256)",
        "ModelNoDatasets()",
        "ModelDatasetNotFound(uint256)",
        "ModelDatasetRevoked(uint256)",
        "ModelParentNotFound(uint256)",
        "ModelParentRevoked(uint256)",
        "ModelDuplicateReference(uint256)",
        "ModelTooManyReferences(uint256,uint256)",
        "ModelZeroAddress()",
    }
    (get_model,) = [i for i in abi if i.get("name") == "getModel"]
    assert [(c["name"], c["type"]) for c in get_model["outputs"][0]["components"]] == [
        ("root", "bytes32"),
        ("owner", "address"),
        ("status", "uint8"),
        ("registeredAt", "uint40"),
        ("lineageHash", "bytes32"),
    ]
    (constructor,) = [i for i in abi if i["type"] == "constructor"]
    assert [i["type"] for i in constructor["inputs"]] == ["address"]


def outputs_of(functions: dict, name: str) -> list[str]:
    return [o["type"] for o in functions[name]["outputs"]]


def test_access_leases_artifact_has_the_agreed_abi():
    """Client code is written against this ABI: a change must be deliberate."""
    abi = load_artifact("AccessLeases")["abi"]

    def signature(item):
        return f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"

    functions = {signature(i): i for i in abi if i["type"] == "function"}
    assert set(functions) == {
        "MIN_DURATION()",
        "MAX_DURATION()",
        "MAX_DAYS()",
        "MAX_PAYEES()",
        "datasetRegistry()",
        "modelRegistry()",
        "grant(uint8,uint256,address,uint64)",
        "extend(uint8,uint256,address,uint64)",
        "revoke(uint8,uint256,address)",
        "expiresAt(uint8,uint256,address)",
        "getLease(uint8,uint256,address)",
        "hasAccess(uint8,uint256,address)",
        "recordAccess(uint8,uint256)",
        "setPrice(uint8,uint256,uint256,address)",
        "priceOf(uint8,uint256)",
        "setPayees(uint8,uint256,address[],uint96[])",
        "payeesOf(uint8,uint256)",
        "buy(uint8,uint256,uint256)",
        "buyWithToken(uint8,uint256,uint256,address,uint256)",
        "proceedsOf(address,address)",
        "withdraw(address)",
        "anchorAccessBatch(uint8,uint256,bytes32,uint64)",
        "accessLogHead(uint8,uint256)",
    }
    # the enum is AssetKind in the ABI's internal types, so client code generators see it
    assert functions["grant(uint8,uint256,address,uint64)"]["inputs"][0]["internalType"] == (
        "enum IAccessLeases.AssetKind"
    )
    mutability = {name: item["stateMutability"] for name, item in functions.items()}
    assert mutability["buy(uint8,uint256,uint256)"] == "payable"
    assert mutability["buyWithToken(uint8,uint256,uint256,address,uint256)"] == "nonpayable"
    assert outputs_of(functions, "priceOf(uint8,uint256)") == ["uint256", "address"]
    assert mutability["recordAccess(uint8,uint256)"] == "nonpayable"
    assert mutability["hasAccess(uint8,uint256,address)"] == "view"
    outputs = {name: [o["type"] for o in item["outputs"]] for name, item in functions.items()}
    assert outputs["MIN_DURATION()"] == outputs["MAX_DURATION()"] == ["uint64"]
    assert outputs["expiresAt(uint8,uint256,address)"] == ["uint64"]
    assert outputs["recordAccess(uint8,uint256)"] == ["bool"]
    assert outputs["anchorAccessBatch(uint8,uint256,bytes32,uint64)"] == ["uint256"]
    assert outputs["accessLogHead(uint8,uint256)"] == ["bytes28", "uint32"]
    (get_lease,) = [i for i in abi if i.get("name") == "getLease"]
    assert [(c["name"], c["type"]) for c in get_lease["outputs"][0]["components"]] == [
        ("expiresAt", "uint64"),
        ("paidUntil", "uint64"),
        ("revoked", "bool"),
    ]

    events = {signature(i): i for i in abi if i["type"] == "event"}
    assert set(events) == {
        "LeaseGranted(uint8,uint256,address,uint64,address)",
        "LeaseExtended(uint8,uint256,address,uint64,address)",
        "LeaseRevoked(uint8,uint256,address,address)",
        "LeasePurchased(uint8,uint256,address,uint256,address,uint256,uint64)",
        "PriceSet(uint8,uint256,address,uint256)",
        "PayeesSet(uint8,uint256,address,address[],uint96[])",
        "ProceedsCredited(uint8,uint256,address,address,uint256)",
        "AccessRecorded(uint8,uint256,address,bool,uint64)",
        "ProceedsWithdrawn(address,address,uint256)",
        "AccessBatchAnchored(uint8,uint256,uint256,bytes32,uint64,bytes28,bytes28,address)",
    }
    indexed = {name: [i["name"] for i in e["inputs"] if i["indexed"]] for name, e in events.items()}
    assert indexed["AccessRecorded(uint8,uint256,address,bool,uint64)"] == [
        "kind",
        "assetId",
        "account",
    ]
    assert indexed["LeaseGranted(uint8,uint256,address,uint64,address)"] == [
        "kind",
        "assetId",
        "grantee",
    ]
    assert indexed["ProceedsWithdrawn(address,address,uint256)"] == ["payee", "token"]
    assert indexed["ProceedsCredited(uint8,uint256,address,address,uint256)"] == ["kind", "assetId", "payee"]
    assert indexed["AccessBatchAnchored(uint8,uint256,uint256,bytes32,uint64,bytes28,bytes28,address)"] == [
        "kind",
        "assetId",
        "batchId",
    ]

    assert {signature(i) for i in abi if i["type"] == "error"} == {
        "LeaseAssetNotFound(uint8,uint256)",
        "LeaseUnauthorized(uint8,uint256,address)",
        "LeaseInvalidDuration(uint256)",
        "LeaseInvalidDays(uint256)",
        "LeaseInvalidPrice(uint256)",
        "LeaseZeroAddress()",
        "LeaseNotActive(uint8,uint256,address)",
        "LeasePaidNotRevocable(uint8,uint256,address,uint64)",
        "LeaseNotForSale(uint8,uint256)",
        "LeaseWrongPayment(uint256,uint256)",
        "LeaseNothingToWithdraw(address,address)",
        "LeaseWrongToken(address,address)",
        "LeaseTokenNotExact(address,uint256,uint256)",
        "LeaseInvalidToken(address)",
        "LeaseInvalidPayees(address,uint256)",
        "LeaseInvalidBatch(bytes32,uint64)",
        # OpenZeppelin: ReentrancyGuardTransient, Address.sendValue's and SafeERC20's failures
        "ReentrancyGuardReentrantCall()",
        "FailedCall()",
        "InsufficientBalance(uint256,uint256)",
        "SafeERC20FailedOperation(address)",
    }
    (constructor,) = [i for i in abi if i["type"] == "constructor"]
    assert [i["type"] for i in constructor["inputs"]] == ["address", "address"]
    assert not [i for i in abi if i["type"] in ("receive", "fallback")]


def test_importing_the_package_does_not_import_web3():
    code = (
        "import sys, aiprov.contracts as c; c.load_artifact('DatasetRegistry');"
        "bad = [m for m in ('web3', 'eth_tester', 'solcx') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(build.REPO_ROOT))


def test_imports_are_found_in_every_form():
    source = (
        'import "a.sol";\nimport "./b.sol" as B;\nimport * as C from "../c.sol";\n'
        'import {\n  D,\n  E as F\n} from "@openzeppelin/contracts/d.sol";\n'
        ' * import "in-a-comment.sol";\n'
    )
    assert build._IMPORT_RE.findall(source) == [
        "a.sol",
        "./b.sol",
        "../c.sol",
        "@openzeppelin/contracts/d.sol",
    ]
    assert build._resolve_import("@openzeppelin/contracts/x/A.sol", "./B.sol") == (
        "@openzeppelin/contracts/x/B.sol"
    )
    assert (
        build._resolve_import("contracts/A.sol", "./interfaces/I.sol")
        == "contracts/interfaces/I.sol"
    )
