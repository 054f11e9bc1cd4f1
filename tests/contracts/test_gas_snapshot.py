"""Gas: the committed snapshot matches a fresh measurement, and the SPEC §7 limits hold."""

from __future__ import annotations

import pytest

from tools.contracts import gas


@pytest.fixture(scope="module")
def measured() -> dict[str, int]:
    return gas.measure()


def test_snapshot_matches(measured):
    snapshot = gas.read_snapshot()
    assert snapshot, f"no {gas.SNAPSHOT_PATH}; run: make gas-snapshot"
    changes = gas.diff(snapshot, measured)
    assert not changes, (
        "gas changed (if intended: make gas-snapshot):\n  "
        + "\n  ".join(changes)
    )


def test_snapshot_file_is_canonical():
    text = gas.SNAPSHOT_PATH.read_text(encoding="utf-8")
    assert text == gas.render(gas.read_snapshot())


def test_every_public_function_is_measured(measured):
    assert gas.unmeasured_functions(measured) == []


def test_register_within_spec(measured):
    assert measured["DatasetRegistry.register"] <= gas.REGISTER_LIMIT
    assert measured["DatasetRegistry.register[parent]"] <= gas.REGISTER_LIMIT


def test_model_register_within_spec(measured):
    """SPEC §7: registering a model trained on two datasets (no parent) costs at most 160,000."""
    assert measured["ModelRegistry.register"] <= gas.MODEL_REGISTER_LIMIT
    assert measured["ModelRegistry.register[1 dataset]"] < measured["ModelRegistry.register"]
    assert measured["ModelRegistry.register[2 datasets, 1 parent]"] <= gas.MODEL_REGISTER_LIMIT


def test_model_register_worst_case_fits_a_block(measured):
    """The 64-id caps keep the largest registration far below any block gas limit."""
    assert measured["ModelRegistry.register[64 datasets, 64 parents]"] <= 2_000_000


def test_lease_grant_within_spec(measured):
    """SPEC §7: granting a new lease, by the asset's owner, costs at most 55,000 (whole
    transaction), for a dataset and for a model."""
    assert measured["AccessLeases.grant"] <= gas.GRANT_LIMIT
    assert measured["AccessLeases.grant[model]"] <= gas.GRANT_LIMIT


def test_record_access_within_spec(measured):
    """SPEC §7: recordAccess by a grantee with an active lease costs at most 35,000; it reads
    one slot and writes none, so the registry is not even asked."""
    assert measured["AccessLeases.recordAccess"] <= gas.RECORD_ACCESS_LIMIT
    assert measured["AccessLeases.recordAccess"] < measured["AccessLeases.recordAccess[manager]"]


def test_access_batch_anchor_within_spec(measured):
    """SPEC §10: anchoring an access-log batch costs at most 60,000 whatever its size: the first
    batch of an asset (a fresh slot) and later ones, 1 entry and 10,000 entries, by a manager."""
    keys = [k for k in measured if k.startswith("AccessLeases.anchorAccessBatch")]
    assert len(keys) == 5
    assert all(measured[k] <= gas.ANCHOR_LIMIT for k in keys)
    # the size reaches only calldata: 1 and 10,000 entries differ by a few gas at most
    first, big = measured["AccessLeases.anchorAccessBatch"], measured["AccessLeases.anchorAccessBatch[10000 entries]"]
    # the first is a dataset's batch, the second a model's: take out what the two registries'
    # canManage cost apart (their dispatchers differ), which is not the batch's size
    registries = measured["DatasetRegistry.canManage.execution"] - measured["ModelRegistry.canManage.execution"]
    assert abs(first - big - registries) < 64


def test_lease_views_need_no_registry_call_with_an_active_lease(measured):
    """hasAccess reads the lease first: with an active one it costs a slot read, no call."""
    assert measured["AccessLeases.hasAccess.execution"] < 3_000
    assert measured["AccessLeases.hasAccess[manager].execution"] > 8_000


@pytest.mark.parametrize(
    "key",
    [
        "DatasetRegistry.verifyLeaf",
        "DatasetRegistry.verifyFile",
        "DatasetRegistry.verifyRecord",
        "DatasetRegistry.checkFile",
        "DatasetRegistry.checkRecord",
        "ModelRegistry.verifyLeaf",
        "ModelRegistry.verifyFile",
        "ModelRegistry.checkFile",
    ],
)
def test_depth_20_proof_execution_within_spec(measured, key):
    assert measured[f"{key}.execution"] <= gas.PROOF_EXECUTION_LIMIT


def test_consent_revoke_within_spec(measured):
    """SPEC §10: revoking a record's consent costs at most 50,000 (whole transaction) when
    the owner does it, even as the first revocation in its 256-record word (a fresh slot)."""
    assert measured["DatasetRegistry.revokeConsent"] <= gas.CONSENT_REVOKE_LIMIT
    assert measured["DatasetRegistry.revokeConsent[same word]"] < 35_000


def test_check_record_costs_one_slot_read_more_than_verify_record(measured):
    """checkRecord = verifyRecord + the record's consent word: the status comes with the root
    (the first slot holds root ^ status), and the erasure word is read only for a record whose
    consent is revoked."""
    extra = measured["DatasetRegistry.checkRecord.execution"] - measured["DatasetRegistry.verifyRecord.execution"]
    assert 2_100 <= extra <= 2_100 + 300
    erased = measured["DatasetRegistry.checkRecord[erased].execution"]
    assert erased - measured["DatasetRegistry.checkRecord.execution"] <= 2_100 + 300


def test_check_file_reads_no_more_slots_than_verify_file(measured):
    """checkFile gets the status without reading the packed word: a cold slot read (2,100)
    would show."""
    for registry in ("DatasetRegistry", "ModelRegistry"):
        extra = measured[f"{registry}.checkFile.execution"] - measured[f"{registry}.verifyFile.execution"]
        assert extra < 500


#: SPEC §10's gas figures, and the snapshot keys each one covers (whole transactions, or
#: `.execution` for the proof checks).
SPEC_BUDGETS = [
    ("register dataset", gas.REGISTER_LIMIT, ["DatasetRegistry.register", "DatasetRegistry.register[parent]"]),
    ("model with two datasets", gas.MODEL_REGISTER_LIMIT, ["ModelRegistry.register"]),
    # By the owner only: a grant by a manager is over (contracts/README.md, AccessLeases, Gas).
    ("lease grant", gas.GRANT_LIMIT, ["AccessLeases.grant", "AccessLeases.grant[model]"]),
    ("recordAccess", gas.RECORD_ACCESS_LIMIT, ["AccessLeases.recordAccess"]),
    # By the owner only: a revocation by a manager is over (contracts/README.md, DatasetRegistry gas).
    ("consent revoke", gas.CONSENT_REVOKE_LIMIT, ["DatasetRegistry.revokeConsent"]),
    (
        "access-log batch anchor",
        gas.ANCHOR_LIMIT,
        [
            "AccessLeases.anchorAccessBatch",
            "AccessLeases.anchorAccessBatch[10000 entries]",
            "AccessLeases.anchorAccessBatch[next]",
            "AccessLeases.anchorAccessBatch[next, 10000 entries]",
            "AccessLeases.anchorAccessBatch[owner, next]",
        ],
    ),
    (
        "proof check of depth 20, execution",
        gas.PROOF_EXECUTION_LIMIT,
        [
            f"{registry}.{view}.execution"
            for registry, views in (
                ("DatasetRegistry", ("verifyLeaf", "verifyFile", "verifyRecord", "checkFile", "checkRecord")),
                ("ModelRegistry", ("verifyLeaf", "verifyFile", "checkFile")),
            )
            for view in views
        ],
    ),
]


@pytest.mark.parametrize("figure, limit, keys", SPEC_BUDGETS, ids=[b[0] for b in SPEC_BUDGETS])
def test_committed_snapshot_within_spec(figure, limit, keys):
    """Every SPEC §10 gas figure holds in the committed snapshot (which test_snapshot_matches
    keeps equal to a fresh measurement)."""
    snapshot = gas.read_snapshot()
    over = {key: snapshot[key] for key in keys if snapshot[key] > limit}
    assert not over, f"{figure} over {limit:,}: {over}"


def test_views_execution_is_total_minus_intrinsic_when_no_floor(measured):
    """For short calldata the EIP-7623 floor does not apply, so total = intrinsic + execution."""
    for key in (
        "DatasetRegistry.rootOf",
        "DatasetRegistry.ownerOf",
        "DatasetRegistry.exists",
        "DatasetRegistry.datasetCount",
        "ModelRegistry.rootOf",
        "ModelRegistry.lineageHashOf",
        "ModelRegistry.modelCount",
    ):
        total = measured[key]
        assert 21_000 < total < 30_000 and measured[f"{key}.execution"] < total - 21_000


def test_calldata_cost_helpers():
    data = bytes([0, 0, 1, 2])
    assert gas.intrinsic_gas(data) == 21_000 + 2 * 4 + 2 * 16
    assert gas.floor_gas(data) == 21_000 + 10 * (2 + 2 * 4)


def test_diff_reports_each_change():
    assert gas.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ["b: 2 -> 3 (+1)", "c: new, 4"]
    assert gas.diff({"a": 1}, {}) == ["a: removed (was 1)"]


def test_check_command(measured, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(gas, "measure", lambda: dict(measured))
    monkeypatch.setattr(gas, "SNAPSHOT_PATH", tmp_path / "gas-snapshot.json")
    monkeypatch.setattr(gas, "REPO_ROOT", tmp_path)
    assert gas.main(["--check"]) == 1  # no snapshot yet
    assert gas.main(["--write"]) == 0
    assert gas.main(["--check"]) == 0
    changed = dict(
        measured, **{"DatasetRegistry.register": measured["DatasetRegistry.register"] + 7}
    )
    monkeypatch.setattr(gas, "measure", lambda: changed)
    capsys.readouterr()
    assert gas.main(["--check"]) == 1
    assert "DatasetRegistry.register: " in capsys.readouterr().out
