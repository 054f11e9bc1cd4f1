// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAssetRegistry} from "./IAssetRegistry.sol";

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
 * Ids, ownership, managers, status and file proofs are those of {IAssetRegistry}, exactly as
 * in the DatasetRegistry. Every function that takes an id, except {exists}, reverts with
 * {ModelNotFound} for an id that was never registered. A revoked model can no longer be named
 * as a parent.
 *
 * Only the root, the owner, the status, the registration time and the lineage hash are stored.
 * The metadata hash and URI (training configuration, code commit, environment, metrics are
 * hashed into that metadata document) and the lineage arrays live in {ModelRegistered} only:
 * look-up by root or owner filters `ModelRegistered` logs on their indexed topics, earliest
 * log first.
 */
interface IModelRegistry is IAssetRegistry {
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
     * @notice The id was never registered.
     * @param id The unknown id.
     */
    error ModelNotFound(uint256 id);

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

    /// @notice The DatasetRegistry given to the constructor is the zero address.
    error ModelZeroAddress();

    /**
     * @notice The DatasetRegistry this registry reads dataset roots and statuses from.
     * @return The DatasetRegistry's address, fixed at deployment.
     */
    function datasetRegistry() external view returns (address);

    /**
     * @notice Registers a model version owned by the caller, with its lineage.
     * @dev Ids start at 1. Checks, in this order: the root is not zero ({AssetEmptyRoot});
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
     * @notice Everything stored about a model.
     * @param id Id of the model.
     * @return The stored {Model} record.
     */
    function getModel(uint256 id) external view returns (Model memory);

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
}
