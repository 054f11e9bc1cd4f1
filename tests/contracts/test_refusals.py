"""Every custom error the shipped contracts can raise has a plain sentence and an exit code."""

from __future__ import annotations

from aiprov.contracts import load_artifact
from aiprov.contracts.refusals import _RULES, refusal
from aiprov.errors import ContractRefused, InvalidArgument, TransactionFailed


def test_every_custom_error_is_classified():
    names = {item["name"] for contract in ("DatasetRegistry", "ModelRegistry", "AccessLeases")
             for item in load_artifact(contract)["abi"] if item["type"] == "error"}
    assert names, "no custom errors in the artifacts?"
    assert not names - set(_RULES), f"add these to aiprov/contracts/refusals.py: {sorted(names - set(_RULES))}"


def test_families():
    args = {"kind": 0, "assetId": 3, "grantee": "0xabc"}
    refused = refusal("LeaseNotActive", args, "AccessLeases.extend reverted: LeaseNotActive(kind=0, …)")
    assert isinstance(refused, ContractRefused) and refused.exit_code == 1
    assert refused.message == "0xabc holds no active lease on dataset:3" and "LeaseNotActive" in refused.hint
    assert refusal("LeaseZeroAddress", {}, "x").exit_code == 2 and isinstance(refusal("LeaseZeroAddress", {}, "x"),
                                                                              InvalidArgument)
    unknown = refusal("SomethingNew", {}, "C.f reverted: SomethingNew()")
    assert isinstance(unknown, TransactionFailed) and unknown.exit_code == 3
