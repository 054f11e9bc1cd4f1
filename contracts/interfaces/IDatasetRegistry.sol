// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IDatasetRegistry
 * @notice Anchors the Merkle root of a dataset version on-chain and gives it an id, an owner,
 * a lineage (parent id) and a lifecycle status, and lets anyone check a file or record proof
 * against that root.
 *
 * @dev A dataset's *root* is the OpenZeppelin `StandardMerkleTree` root (`standard-v1`) of its
 * manifest: one leaf per file with encoding `["string","uint256","bytes32"]` = (path, size,
 * sha256), or, in records mode, one leaf per record with encoding `["uint256","bytes32"]` =
 * (index, commitment). Leaves are `keccak256(bytes.concat(keccak256(abi.encode(...))))` and
 * pairs are hashed sorted, so every proof the JavaScript library (or aiprov) produces passes
 * `MerkleProof.verify`.
 *
 * Ids start at 1 and grow by one per registration; id 0 means "no dataset" (e.g. no parent).
 * Every function that takes an id, except {exists}, reverts with {DatasetNotFound} for an id
 * that was never registered.
 *
 * Only the root, the owner, the status, the parent id and the registration time are stored.
 * The metadata hash and URI live in the {DatasetRegistered} event only, and there is no
 * on-chain index from root to id: look-up by root (and by owner) is done off-chain by
 * filtering `DatasetRegistered` logs on their indexed `root` (or `owner`) topic, earliest
 * log first. This keeps a registration at two fresh storage slots.
 */
interface IDatasetRegistry {
    /**
     * @notice Lifecycle of a dataset version.
     * @dev `Active` on registration. `Deprecated` discourages use and can be undone.
     * `Revoked` withdraws the registration for good: it can never be changed again.
     */
    enum Status {
        Active,
        Deprecated,
        Revoked
    }

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
     * @notice Emitted when a dataset changes owner.
     * @param id Id of the dataset.
     * @param previousOwner Owner before the transfer.
     * @param newOwner Owner after the transfer.
     */
    event DatasetOwnershipTransferred(uint256 indexed id, address indexed previousOwner, address indexed newOwner);

    /**
     * @notice Emitted when the owner appoints or dismisses a manager.
     * @param id Id of the dataset.
     * @param manager Account appointed or dismissed.
     * @param allowed True when appointed, false when dismissed.
     */
    event DatasetManagerSet(uint256 indexed id, address indexed manager, bool allowed);

    /**
     * @notice Emitted when the owner changes a dataset's status.
     * @param id Id of the dataset.
     * @param status New status.
     * @param reason Free-text reason given by the owner.
     */
    event DatasetStatusChanged(uint256 indexed id, Status status, string reason);

    /**
     * @notice Emitted when the consent for one record of a dataset is revoked.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record (its leaf's first value).
     * @param by Owner or manager who recorded the revocation.
     * @param reason Free-text reason.
     */
    event RecordConsentRevoked(uint256 indexed id, uint256 indexed recordIndex, address indexed by, string reason);

    /**
     * @notice The id was never registered.
     * @param id The unknown id.
     */
    error DatasetNotFound(uint256 id);

    /**
     * @notice The caller is not allowed to do this to the dataset (not its owner, or not its
     * owner or a manager).
     * @param id Id of the dataset.
     * @param account The caller.
     */
    error DatasetUnauthorized(uint256 id, address account);

    /// @notice A zero Merkle root cannot be registered.
    error DatasetEmptyRoot();

    /**
     * @notice The parent id given to {register} was never registered.
     * @param parentId The unknown parent id.
     */
    error DatasetParentNotFound(uint256 parentId);

    /**
     * @notice The dataset is revoked; its status can no longer change.
     * @param id Id of the dataset.
     */
    error DatasetAlreadyRevoked(uint256 id);

    /// @notice The zero address cannot be an owner or a manager.
    error DatasetZeroAddress();

    /**
     * @notice The consent for this record is already revoked.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     */
    error DatasetConsentAlreadyRevoked(uint256 id, uint256 recordIndex);

    /**
     * @notice The requested status is the dataset's current status, so nothing would change.
     * @dev A value outside {Status} never reaches the contract: the ABI decoder rejects it
     * with empty revert data.
     * @param status The requested status, as its `uint8` value.
     */
    error DatasetInvalidStatus(uint8 status);

    /**
     * @notice Registers a dataset version owned by the caller.
     * @dev Ids start at 1. Emits {DatasetRegistered}; `metadataHash` and `metadataURI` are kept
     * in that event only. The parent may belong to anyone and may have any status.
     * @param root Merkle root of the dataset's manifest; must not be zero ({DatasetEmptyRoot}).
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
     * @notice Whether `id` was registered (registrations are never deleted).
     * @param id Id to check.
     * @return True if `id` is a registered dataset.
     */
    function exists(uint256 id) external view returns (bool);

    /**
     * @notice Everything stored about a dataset.
     * @param id Id of the dataset.
     * @return The stored {Dataset} record.
     */
    function getDataset(uint256 id) external view returns (Dataset memory);

    /**
     * @notice The Merkle root registered for a dataset.
     * @param id Id of the dataset.
     * @return The dataset's root.
     */
    function rootOf(uint256 id) external view returns (bytes32);

    /**
     * @notice The current owner of a dataset.
     * @param id Id of the dataset.
     * @return The owner's address.
     */
    function ownerOf(uint256 id) external view returns (address);

    /**
     * @notice The current status of a dataset.
     * @param id Id of the dataset.
     * @return The dataset's {Status}.
     */
    function statusOf(uint256 id) external view returns (Status);

    /**
     * @notice Transfers a dataset to a new owner. Owner only.
     * @dev Managers are appointed per owner, so the previous owner's managers lose their
     * power with the transfer. Emits {DatasetOwnershipTransferred}.
     * @param id Id of the dataset.
     * @param newOwner The new owner; not the zero address ({DatasetZeroAddress}).
     */
    function transferOwnership(uint256 id, address newOwner) external;

    /**
     * @notice Appoints or dismisses a manager of a dataset. Owner only.
     * @dev Managers may act for the owner where the registry or other aiprov contracts ask
     * {canManage} (granting access leases, revoking record consent). Emits {DatasetManagerSet}.
     * @param id Id of the dataset.
     * @param manager Account to appoint or dismiss; not the zero address ({DatasetZeroAddress}).
     * @param allowed True to appoint, false to dismiss.
     */
    function setManager(uint256 id, address manager, bool allowed) external;

    /**
     * @notice Whether `account` is a manager appointed by the dataset's current owner.
     * @param id Id of the dataset.
     * @param account Account to check.
     * @return True if `account` is a manager.
     */
    function isManager(uint256 id, address account) external view returns (bool);

    /**
     * @notice Whether `account` is the dataset's owner or one of its managers.
     * @param id Id of the dataset.
     * @param account Account to check.
     * @return True if `account` may manage the dataset.
     */
    function canManage(uint256 id, address account) external view returns (bool);

    /**
     * @notice Changes a dataset's status. Owner only.
     * @dev `Revoked` is final: once revoked, every call reverts with {DatasetAlreadyRevoked}.
     * Setting the current status again reverts with {DatasetInvalidStatus}.
     * Emits {DatasetStatusChanged}.
     * @param id Id of the dataset.
     * @param status The new status.
     * @param reason Free-text reason, recorded in the event.
     */
    function setStatus(uint256 id, Status status, string calldata reason) external;

    /**
     * @notice Checks a Merkle proof for an already hashed leaf against a dataset's root.
     * @dev Does not look at the status: a revoked dataset's proofs still verify, so callers
     * that care must also check {statusOf}. `leaf` is taken as given, so an inner node with
     * the rest of its path verifies too: for values from untrusted input use {verifyFile} or
     * {verifyRecord}, which hash the leaf themselves.
     * @param id Id of the dataset.
     * @param proof Sibling hashes from the leaf up to the root.
     * @param leaf The leaf hash, as the tree stores it.
     * @return True if `proof` proves `leaf` is in the dataset's tree.
     */
    function verifyLeaf(uint256 id, bytes32[] calldata proof, bytes32 leaf) external view returns (bool);

    /**
     * @notice Checks that a file (path, size, sha256) is part of a dataset.
     * @dev The leaf is `keccak256(bytes.concat(keccak256(abi.encode(path, size, sha256Digest))))`,
     * the `StandardMerkleTree` leaf for `["string","uint256","bytes32"]`. Ignores the status.
     * @param id Id of the dataset.
     * @param proof Sibling hashes from the leaf up to the root.
     * @param path File path relative to the dataset's top (POSIX separators, Unicode NFC).
     * @param size File size in bytes.
     * @param sha256Digest Plain SHA-256 of the file's bytes.
     * @return True if the file is in the dataset as registered.
     */
    function verifyFile(
        uint256 id,
        bytes32[] calldata proof,
        string calldata path,
        uint256 size,
        bytes32 sha256Digest
    ) external view returns (bool);

    /**
     * @notice Checks that a record commitment is part of a records-mode dataset.
     * @dev The leaf is `keccak256(bytes.concat(keccak256(abi.encode(recordIndex, commitment))))`,
     * the `StandardMerkleTree` leaf for `["uint256","bytes32"]`. Ignores the status and consent.
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
     * @notice Records that the consent for one record of a dataset is revoked. Owner or manager.
     * @dev Permanent; works whatever the dataset's status. Emits {RecordConsentRevoked}.
     * Reverts with {DatasetConsentAlreadyRevoked} if it was already recorded.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     * @param reason Free-text reason, recorded in the event.
     */
    function revokeConsent(uint256 id, uint256 recordIndex, string calldata reason) external;

    /**
     * @notice Whether the consent for a record of a dataset has been revoked.
     * @param id Id of the dataset.
     * @param recordIndex Index of the record.
     * @return True if the consent for that record is revoked.
     */
    function isConsentRevoked(uint256 id, uint256 recordIndex) external view returns (bool);
}
