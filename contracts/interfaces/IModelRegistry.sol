// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IModelRegistry
 * @notice Anchors the Merkle root of a model version on-chain together with its lineage: the
 * dataset versions it was trained on, pinned to the dataset roots they had at registration,
 * and the models it derives from (e.g. a base model). Gives each model an id, an owner and a
 * lifecycle status, and lets anyone check a file proof against its root.
 *
 * @dev A model's *root* is the OpenZeppelin `StandardMerkleTree` root (`standard-v1`) of its
 * manifest, exactly as for datasets: one leaf per file, encoding `["string","uint256","bytes32"]`
 * = (path, size, sha256), leaves `keccak256(bytes.concat(keccak256(abi.encode(...))))`, pairs
 * hashed sorted.
 *
 * Lineage: {register} reads each dataset's root from the DatasetRegistry given at deployment
 * ({datasetRegistry}) and commits to it. The model stores
 * `lineageHash = keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds))`, in the order
 * given, and {ModelRegistered} carries the three arrays in full. Anyone can recompute the hash
 * from that event (or from any claimed lineage) and compare it with {lineageHashOf}, or ask
 * {checkLineage}. Parent models are committed by id: a model's root never changes.
 *
 * Ids start at 1 and grow by one per registration; id 0 means "no model". Every function that
 * takes an id, except {exists}, reverts with {ModelNotFound} for an id that was never
 * registered. Ownership, managers and statuses work exactly as in the DatasetRegistry.
 *
 * Only the root, the owner, the status, the registration time and the lineage hash are stored.
 * The metadata hash and URI (training configuration, code commit, environment, metrics are
 * hashed into that metadata document) and the lineage arrays live in {ModelRegistered} only:
 * look-up by root or owner filters `ModelRegistered` logs on their indexed topics, earliest
 * log first.
 */
interface IModelRegistry {
    /**
     * @notice Lifecycle of a model version, with the same meaning as for datasets.
     * @dev `Active` on registration. `Deprecated` discourages use and can be undone.
     * `Revoked` withdraws the registration for good: it can never be changed again, and the
     * model can no longer be named as a parent.
     */
    enum Status {
        Active,
        Deprecated,
        Revoked
    }

    /**
     * @notice What the registry stores about one model version (three storage slots).
     * @param root Merkle root of the model's manifest; never zero for a registered id.
     * @param owner Account that may transfer the model, appoint managers and set its status.
     * @param status Current lifecycle status.
     * @param registeredAt Timestamp of the block that registered it.
     * @param lineageHash `keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds))` as
     * registered; see {checkLineage}.
     */
    struct Model {
        bytes32 root;
        address owner;
        Status status;
        uint40 registeredAt;
        bytes32 lineageHash;
    }

    /**
     * @notice Emitted when a model version is registered.
     * @dev Also the only on-chain record of the metadata and of the lineage arrays, and the
     * index used to look a model up by `root` or `owner`.
     * `keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds))` is the model's
     * lineage hash.
     * @param id Id given to the new model.
     * @param owner Account that registered it and now owns it.
     * @param root Merkle root of the model's manifest.
     * @param metadataHash Hash of the off-chain metadata document (e.g. sha256 of its bytes).
     * @param metadataURI Where the metadata document can be fetched (may be empty).
     * @param datasetIds Ids of the datasets it was trained on, in the order given.
     * @param datasetRoots Root of each of those datasets at registration, in the same order.
     * @param parentModelIds Ids of the models it derives from, in the order given (may be empty).
     */
    event ModelRegistered(
        uint256 indexed id,
        address indexed owner,
        bytes32 indexed root,
        bytes32 metadataHash,
        string metadataURI,
        uint256[] datasetIds,
        bytes32[] datasetRoots,
        uint256[] parentModelIds
    );

    /**
     * @notice Emitted when a model changes owner.
     * @param id Id of the model.
     * @param previousOwner Owner before the transfer.
     * @param newOwner Owner after the transfer.
     */
    event ModelOwnershipTransferred(uint256 indexed id, address indexed previousOwner, address indexed newOwner);

    /**
     * @notice Emitted when the owner appoints or dismisses a manager.
     * @param id Id of the model.
     * @param manager Account appointed or dismissed.
     * @param allowed True when appointed, false when dismissed.
     */
    event ModelManagerSet(uint256 indexed id, address indexed manager, bool allowed);

    /**
     * @notice Emitted when the owner changes a model's status.
     * @param id Id of the model.
     * @param status New status.
     * @param reason Free-text reason given by the owner.
     */
    event ModelStatusChanged(uint256 indexed id, Status status, string reason);

    /**
     * @notice The id was never registered.
     * @param id The unknown id.
     */
    error ModelNotFound(uint256 id);

    /**
     * @notice The caller is not allowed to do this to the model (not its owner).
     * @param id Id of the model.
     * @param account The caller.
     */
    error ModelUnauthorized(uint256 id, address account);

    /// @notice A zero Merkle root cannot be registered.
    error ModelEmptyRoot();

    /// @notice A model must name at least one dataset it was trained on.
    error ModelNoDatasets();

    /**
     * @notice A dataset id given to {register} is not registered in the DatasetRegistry.
     * @param datasetId The unknown dataset id.
     */
    error ModelDatasetNotFound(uint256 datasetId);

    /**
     * @notice A dataset given to {register} is revoked; a model cannot be registered as
     * trained on it (a deprecated dataset is accepted).
     * @param datasetId The revoked dataset's id.
     */
    error ModelDatasetRevoked(uint256 datasetId);

    /**
     * @notice A parent model id given to {register} was never registered.
     * @param parentModelId The unknown model id.
     */
    error ModelParentNotFound(uint256 parentModelId);

    /**
     * @notice A parent model given to {register} is revoked (a deprecated one is accepted).
     * @param parentModelId The revoked model's id.
     */
    error ModelParentRevoked(uint256 parentModelId);

    /**
     * @notice An id appears twice in the dataset ids, or twice in the parent model ids, given
     * to {register}.
     * @param id The repeated id.
     */
    error ModelDuplicateReference(uint256 id);

    /**
     * @notice {register} was given more dataset ids, or more parent model ids, than allowed.
     * @param count How many were given.
     * @param max The most allowed in one list (64).
     */
    error ModelTooManyReferences(uint256 count, uint256 max);

    /**
     * @notice The model is revoked; its status can no longer change.
     * @param id Id of the model.
     */
    error ModelAlreadyRevoked(uint256 id);

    /**
     * @notice The requested status is the model's current status, so nothing would change.
     * @dev A value outside {Status} never reaches the contract: the ABI decoder rejects it
     * with empty revert data.
     * @param status The requested status, as its `uint8` value.
     */
    error ModelInvalidStatus(uint8 status);

    /// @notice The zero address cannot be an owner, a manager or the DatasetRegistry.
    error ModelZeroAddress();

    /**
     * @notice The DatasetRegistry this registry reads dataset roots and statuses from.
     * @return The DatasetRegistry's address, fixed at deployment.
     */
    function datasetRegistry() external view returns (address);

    /**
     * @notice Registers a model version owned by the caller, with its lineage.
     * @dev Ids start at 1. Checks, in this order: the root is not zero ({ModelEmptyRoot});
     * there is at least one dataset ({ModelNoDatasets}); neither list has more than 64 ids
     * ({ModelTooManyReferences}); then each dataset id in turn is not repeated
     * ({ModelDuplicateReference}), exists ({ModelDatasetNotFound}) and is not revoked
     * ({ModelDatasetRevoked}); then each parent model id in turn is not repeated, exists
     * ({ModelParentNotFound}) and is not revoked ({ModelParentRevoked}). Deprecated datasets and
     * models are accepted, and they may belong to anyone.
     *
     * Each dataset's root is read from the DatasetRegistry now and committed in the model's
     * lineage hash, `keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds))`, so what
     * the model was trained on can never be rewritten. Emits {ModelRegistered} with the three
     * arrays; `metadataHash` and `metadataURI` are kept in that event only.
     * @param root Merkle root of the model's manifest; must not be zero.
     * @param metadataHash Hash of the off-chain metadata document (training run, metrics, ...).
     * @param metadataURI Where the metadata document can be fetched (may be empty).
     * @param datasetIds Ids in the DatasetRegistry of the datasets it was trained on (1 to 64).
     * @param parentModelIds Ids of the models it derives from (0 to 64).
     * @return id The new model's id.
     */
    function register(
        bytes32 root,
        bytes32 metadataHash,
        string calldata metadataURI,
        uint256[] calldata datasetIds,
        uint256[] calldata parentModelIds
    ) external returns (uint256 id);

    /**
     * @notice Number of models registered so far, which is also the highest id.
     * @return The number of registered models.
     */
    function modelCount() external view returns (uint256);

    /**
     * @notice Whether `id` was registered (registrations are never deleted).
     * @param id Id to check.
     * @return True if `id` is a registered model.
     */
    function exists(uint256 id) external view returns (bool);

    /**
     * @notice Everything stored about a model.
     * @param id Id of the model.
     * @return The stored {Model} record.
     */
    function getModel(uint256 id) external view returns (Model memory);

    /**
     * @notice The Merkle root registered for a model.
     * @param id Id of the model.
     * @return The model's root.
     */
    function rootOf(uint256 id) external view returns (bytes32);

    /**
     * @notice The current owner of a model.
     * @param id Id of the model.
     * @return The owner's address.
     */
    function ownerOf(uint256 id) external view returns (address);

    /**
     * @notice The current status of a model.
     * @param id Id of the model.
     * @return The model's {Status}.
     */
    function statusOf(uint256 id) external view returns (Status);

    /**
     * @notice The lineage hash committed at registration.
     * @param id Id of the model.
     * @return `keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds))` as registered.
     */
    function lineageHashOf(uint256 id) external view returns (bytes32);

    /**
     * @notice Whether a claimed lineage is exactly the one the model was registered with.
     * @dev True iff `keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds))` equals the
     * stored lineage hash: same ids, same roots, same order. Ignores the status of the model and
     * of everything it names.
     * @param id Id of the model.
     * @param datasetIds Claimed dataset ids.
     * @param datasetRoots Claimed root of each of those datasets at registration.
     * @param parentModelIds Claimed parent model ids.
     * @return True if the claim matches the registered lineage.
     */
    function checkLineage(
        uint256 id,
        uint256[] calldata datasetIds,
        bytes32[] calldata datasetRoots,
        uint256[] calldata parentModelIds
    ) external view returns (bool);

    /**
     * @notice Transfers a model to a new owner. Owner only.
     * @dev Managers are appointed per owner, so the previous owner's managers lose their
     * power with the transfer. Emits {ModelOwnershipTransferred}.
     * @param id Id of the model.
     * @param newOwner The new owner; not the zero address ({ModelZeroAddress}).
     */
    function transferOwnership(uint256 id, address newOwner) external;

    /**
     * @notice Appoints or dismisses a manager of a model. Owner only.
     * @dev Managers may act for the owner where other aiprov contracts ask {canManage}
     * (granting access leases). Emits {ModelManagerSet}.
     * @param id Id of the model.
     * @param manager Account to appoint or dismiss; not the zero address ({ModelZeroAddress}).
     * @param allowed True to appoint, false to dismiss.
     */
    function setManager(uint256 id, address manager, bool allowed) external;

    /**
     * @notice Whether `account` is a manager appointed by the model's current owner.
     * @param id Id of the model.
     * @param account Account to check.
     * @return True if `account` is a manager.
     */
    function isManager(uint256 id, address account) external view returns (bool);

    /**
     * @notice Whether `account` is the model's owner or one of its managers.
     * @param id Id of the model.
     * @param account Account to check.
     * @return True if `account` may manage the model.
     */
    function canManage(uint256 id, address account) external view returns (bool);

    /**
     * @notice Changes a model's status. Owner only.
     * @dev `Revoked` is final: once revoked, every call reverts with {ModelAlreadyRevoked}.
     * Setting the current status again reverts with {ModelInvalidStatus}. Models registered
     * earlier with this one as a parent keep their registration. Emits {ModelStatusChanged}.
     * @param id Id of the model.
     * @param status The new status.
     * @param reason Free-text reason, recorded in the event.
     */
    function setStatus(uint256 id, Status status, string calldata reason) external;

    /**
     * @notice Checks a Merkle proof for an already hashed leaf against a model's root.
     * @dev Does not look at the status: a revoked model's proofs still verify, so callers
     * that care must also check {statusOf}. `leaf` is taken as given, so an inner node with
     * the rest of its path verifies too: for values from untrusted input use {verifyFile}.
     * @param id Id of the model.
     * @param proof Sibling hashes from the leaf up to the root.
     * @param leaf The leaf hash, as the tree stores it.
     * @return True if `proof` proves `leaf` is in the model's tree.
     */
    function verifyLeaf(uint256 id, bytes32[] calldata proof, bytes32 leaf) external view returns (bool);

    /**
     * @notice Checks that a file (path, size, sha256) is part of a model.
     * @dev The leaf is `keccak256(bytes.concat(keccak256(abi.encode(path, size, sha256Digest))))`,
     * the `StandardMerkleTree` leaf for `["string","uint256","bytes32"]`. Ignores the status.
     * @param id Id of the model.
     * @param proof Sibling hashes from the leaf up to the root.
     * @param path File path relative to the model's top (POSIX separators, Unicode NFC).
     * @param size File size in bytes.
     * @param sha256Digest Plain SHA-256 of the file's bytes.
     * @return True if the file is in the model as registered.
     */
    function verifyFile(
        uint256 id,
        bytes32[] calldata proof,
        string calldata path,
        uint256 size,
        bytes32 sha256Digest
    ) external view returns (bool);
}
