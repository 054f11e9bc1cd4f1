// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAssetRegistry} from "./IAssetRegistry.sol";

/**
 * @title IDatasetRegistry
 * @notice Anchors the Merkle root of a dataset version on-chain and gives it an id, an owner,
 * a lineage (parent id) and a lifecycle status (all of {IAssetRegistry}); lets anyone check
 * file and record proofs against that root; and records, per record, consent revocations and
 * erasures.
 *
 * @dev A dataset's *root* is the OpenZeppelin `StandardMerkleTree` root (`standard-v1`) of its
 * manifest: one leaf per file with encoding `["string","uint256","bytes32"]` = (path, size,
 * sha256), or, in records mode, one leaf per record with encoding `["uint256","bytes32"]` =
 * (index, commitment), commitment = `sha256(salt ‖ record bytes)`. Leaves are
 * `keccak256(bytes.concat(keccak256(abi.encode(...))))` and pairs are hashed sorted.
 *
 * Every function that takes an id, except {exists}, reverts with {DatasetNotFound} for an id
 * that was never registered.
 *
 * Only the root, the owner, the status, the parent id and the registration time are stored.
 * The metadata hash and URI live in the {DatasetRegistered} event only, and there is no
 * on-chain index from root to id: look-up by root (and by owner) is done off-chain by
 * filtering `DatasetRegistered` logs on their indexed `root` (or `owner`) topic, earliest
 * log first. This keeps a registration at two fresh storage slots.
 *
 * Consent and erasure are one bit each per record (OpenZeppelin `BitMaps`, 256 records per
 * storage word). They are recorded by the owner or a manager ({canManage}), are permanent,
 * and work whatever the dataset's status. Reasons may hold personal data, so only their
 * keccak256 goes on-chain. An erasure also revokes the record's consent.
 */
interface IDatasetRegistry is IAssetRegistry {
    /**
     * @notice What the registry stores about one dataset version (two storage slots).
     * @param root Merkle root of the dataset's manifest; never zero for a registered id.
     * @param owner Account that may transfer the dataset, appoint managers and set its status.
     * @param status Current lifecycle status.
     * @param parentId Id of the version this one derives from, 0 for none.
     * @param registeredAt Timestamp of the block that registered it.
     */
    struct Dataset {
        bytes32 root;
        address owner;
        Status status;
        uint48 parentId;
        uint40 registeredAt;
    }

    /**
     * @notice Emitted when a dataset version is registered.
     * @dev Also the only on-chain record of `metadataHash` and `metadataURI`, and the index used
     * to look a dataset up by `root` or `owner`.
     * @param id Id given to the new dataset.
     * @param owner Account that registered it and now owns it.
     * @param root Merkle root of the dataset's manifest.
     * @param parentId Id of the parent version, 0 for none.
     * @param metadataHash Hash of the off-chain metadata document (e.g. keccak256 or sha256 of its bytes).
     * @param metadataURI Where the metadata document can be fetched (may be empty).
     */
    event DatasetRegistered(
        uint256 indexed id,
        address indexed owner,
        bytes32 indexed root,
        uint256 parentId,
        bytes32 metadataHash,
        string metadataURI
    );

    /**
     * @notice Emitted when the consent for one record of a dataset is revoked (by
     * {revokeConsent}, or by {eraseRecord} if it was not revoked before).
     * @param id Id of the dataset.
     * @param recordIndex Index of the record (its leaf's first value).
     * @param by Owner or manager who recorded the revocation.
     * @param reasonHash keccak256 of the reason's UTF-8 text, kept off-chain (it may hold
     * personal data); zero for none.
     */
    event RecordConsentRevoked(uint256 indexed id, uint256 indexed recordIndex, address indexed by, bytes32 reasonHash);

    /**
     * @notice Emitted when a record of a dataset is erased: its salt was destroyed off-chain,
     * so its on-chain commitment links to nothing any more.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     * @param by Owner or manager who recorded the erasure.
     * @param reasonHash keccak256 of the reason's UTF-8 text, kept off-chain; zero for none.
     */
    event RecordErased(uint256 indexed id, uint256 indexed recordIndex, address indexed by, bytes32 reasonHash);

    /**
     * @notice The id was never registered.
     * @param id The unknown id.
     */
    error DatasetNotFound(uint256 id);

    /**
     * @notice The parent id given to {register} was never registered.
     * @param parentId The unknown parent id.
     */
    error DatasetParentNotFound(uint256 parentId);

    /**
     * @notice The consent for this record is already revoked.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     */
    error DatasetConsentAlreadyRevoked(uint256 id, uint256 recordIndex);

    /**
     * @notice This record is already erased.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     */
    error DatasetRecordAlreadyErased(uint256 id, uint256 recordIndex);

    /**
     * @notice Registers a dataset version owned by the caller.
     * @dev Ids start at 1. Emits {DatasetRegistered}; `metadataHash` and `metadataURI` are kept
     * in that event only. The parent may belong to anyone and may have any status. The same
     * root may be registered again, by anyone, under a new id (see contracts/README.md).
     * @param root Merkle root of the dataset's manifest; must not be zero ({AssetEmptyRoot}).
     * @param metadataHash Hash of the off-chain metadata document.
     * @param metadataURI Where the metadata document can be fetched (may be empty).
     * @param parentId Id of the version this one derives from, 0 for none ({DatasetParentNotFound}).
     * @return id The new dataset's id.
     */
    function register(
        bytes32 root,
        bytes32 metadataHash,
        string calldata metadataURI,
        uint256 parentId
    ) external returns (uint256 id);

    /**
     * @notice Number of datasets registered so far, which is also the highest id.
     * @return The number of registered datasets.
     */
    function datasetCount() external view returns (uint256);

    /**
     * @notice Everything stored about a dataset.
     * @param id Id of the dataset.
     * @return The stored {Dataset} record.
     */
    function getDataset(uint256 id) external view returns (Dataset memory);

    /**
     * @notice Checks that a record commitment is part of a records-mode dataset.
     * @dev The leaf is `keccak256(bytes.concat(keccak256(abi.encode(recordIndex, commitment))))`,
     * the `StandardMerkleTree` leaf for `["uint256","bytes32"]`. Ignores the status and consent;
     * {checkRecord} reports them too.
     * @param id Id of the dataset.
     * @param proof Sibling hashes from the leaf up to the root.
     * @param recordIndex Index of the record.
     * @param commitment The record's salted commitment, `sha256(salt ‖ record bytes)`.
     * @return True if the record commitment is in the dataset as registered.
     */
    function verifyRecord(
        uint256 id,
        bytes32[] calldata proof,
        uint256 recordIndex,
        bytes32 commitment
    ) external view returns (bool);

    /**
     * @notice Everything a verifier asks about one record, in one call: whether it is part of
     * the dataset as registered, the dataset's status, and whether the record's consent was
     * revoked or the record erased.
     * @param id Id of the dataset.
     * @param proof Sibling hashes from the leaf up to the root.
     * @param recordIndex Index of the record.
     * @param commitment The record's salted commitment, `sha256(salt ‖ record bytes)`.
     * @return included True if the record commitment is in the dataset as registered.
     * @return status The dataset's current {Status}.
     * @return consentRevoked True if the record's consent is revoked (or the record erased).
     * @return erased True if the record is erased.
     */
    function checkRecord(
        uint256 id,
        bytes32[] calldata proof,
        uint256 recordIndex,
        bytes32 commitment
    ) external view returns (bool included, Status status, bool consentRevoked, bool erased);

    /**
     * @notice {checkRecord} for several records at once, with an OpenZeppelin multiproof
     * (`StandardMerkleTree.getMultiProof`: `proof`, `proofFlags`, and the values in the order
     * of its `leaves`).
     * @dev `recordIndexes` and `commitments` must have the same length ({AssetLengthMismatch});
     * no records proves nothing (`included` false). A malformed multiproof reverts with
     * OpenZeppelin's `MerkleProofInvalidMultiproof`.
     * @param id Id of the dataset.
     * @param proof The multiproof's sibling hashes.
     * @param proofFlags The multiproof's flags.
     * @param recordIndexes Record indexes, in the order of the multiproof's leaves.
     * @param commitments Each record's salted commitment, same order.
     * @return included True if every record commitment is in the dataset as registered.
     * @return status The dataset's current {Status}.
     * @return consentRevoked Per record (same order), true if its consent is revoked.
     * @return erased Per record (same order), true if it is erased.
     */
    function checkRecords(
        uint256 id,
        bytes32[] memory proof,
        bool[] memory proofFlags,
        uint256[] memory recordIndexes,
        bytes32[] memory commitments
    )
        external
        view
        returns (bool included, Status status, bool[] memory consentRevoked, bool[] memory erased);

    /**
     * @notice Records that the consent for one record of a dataset is revoked. Owner or
     * manager ({AssetUnauthorized}).
     * @dev Permanent; works whatever the dataset's status, and for any index (the registry
     * does not know how many records a dataset has). Reverts with
     * {DatasetConsentAlreadyRevoked} if it was already recorded. Emits {RecordConsentRevoked}.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     * @param reasonHash keccak256 of the reason's text (kept off-chain), or zero for none.
     */
    function revokeConsent(uint256 id, uint256 recordIndex, bytes32 reasonHash) external;

    /**
     * @notice Records that a record of a dataset was erased (its salt destroyed off-chain).
     * Owner or manager ({AssetUnauthorized}).
     * @dev Permanent. Also revokes the record's consent, emitting {RecordConsentRevoked} first
     * if it was not revoked yet. Reverts with {DatasetRecordAlreadyErased} if it was already
     * erased. Emits {RecordErased}.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     * @param reasonHash keccak256 of the reason's text (kept off-chain), or zero for none.
     */
    function eraseRecord(uint256 id, uint256 recordIndex, bytes32 reasonHash) external;

    /**
     * @notice Whether the consent for a record of a dataset has been revoked (an erased
     * record's consent is revoked too).
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     * @return True if the consent for that record is revoked.
     */
    function isConsentRevoked(uint256 id, uint256 recordIndex) external view returns (bool);

    /**
     * @notice Whether a record of a dataset has been erased.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     * @return True if the record is erased.
     */
    function isErased(uint256 id, uint256 recordIndex) external view returns (bool);
}
