// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AssetRegistry} from "./AssetRegistry.sol";
import {IDatasetRegistry} from "./interfaces/IDatasetRegistry.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/**
 * @title ModelRegistry
 * @notice Registry of model versions for aiprov: anchors each version's Merkle root under a
 * numeric id owned by its registrant, commits to its lineage (the datasets it was trained on,
 * with their roots at that moment, and its parent models), tracks its status, and verifies
 * file proofs against the anchored root.
 *
 * @dev How to use it: deploy it with the address of the DatasetRegistry. Call {register} with
 * the manifest root (as `aiprov hash` prints it), a hash and URI of the metadata document, the
 * ids of the datasets the model was trained on and of the models it derives from; keep the
 * returned id. Anyone can then call {verifyFile} or {checkFile} with an OpenZeppelin
 * `StandardMerkleTree` proof of a file, and {checkLineage} with the arrays of the
 * {ModelRegistered} event.
 *
 * Gas design (a registration with two datasets must cost at most 160,000 gas, whole
 * transaction):
 * - each id uses exactly three fresh storage slots: the two of {AssetRegistry} (root, and the
 *   packed owner / status / registration time) and the lineage hash;
 * - one call per dataset to {IDatasetRegistry-getDataset}, which reads the dataset's two slots
 *   and returns both the root and the status (cheaper than `rootOf` + `statusOf`, see
 *   contracts/README.md); a missing dataset is told apart by its `DatasetNotFound` revert, so
 *   no `exists` call is needed;
 * - the metadata and the lineage arrays are emitted in {ModelRegistered} and not stored; only
 *   their hash is;
 * - duplicate ids are found by comparing each id with the ones before it: for the usual one to
 *   a few references this beats any set, and the 64-id cap bounds the worst case.
 *
 * A registered model always has a nonzero root, owner and lineage hash (a keccak256 output),
 * and none is ever cleared, so any one tells whether an id exists.
 */
contract ModelRegistry is AssetRegistry, IModelRegistry {
    /// @dev The most dataset ids, and the most parent model ids, one registration may name.
    uint256 private constant MAX_REFERENCES = 64;

    /// @dev The DatasetRegistry that dataset ids refer to.
    IDatasetRegistry private immutable _datasetRegistry;

    /// @dev The lineage hash of each registered model (never zero for a registered id).
    mapping(uint256 id => bytes32 lineageHash) private _lineageHashes;

    /// @dev Fixes the DatasetRegistry.
    /// @param datasetRegistry_ Address of the DatasetRegistry; not zero ({ModelZeroAddress}).
    constructor(address datasetRegistry_) {
        if (datasetRegistry_ == address(0)) revert ModelZeroAddress();
        _datasetRegistry = IDatasetRegistry(datasetRegistry_);
    }

    /// @inheritdoc IModelRegistry
    function datasetRegistry() external view returns (address) {
        return address(_datasetRegistry);
    }

    /// @inheritdoc IModelRegistry
    function register(
        bytes32 root,
        bytes32 metadataHash,
        string calldata metadataURI,
        uint256[] calldata datasetIds,
        uint256[] calldata parentModelIds
    ) external returns (uint256 id) {
        id = _register(root);
        uint256 datasetCount = datasetIds.length;
        if (datasetCount == 0) revert ModelNoDatasets();
        if (datasetCount > MAX_REFERENCES) revert ModelTooManyReferences(datasetCount, MAX_REFERENCES);
        uint256 parentCount = parentModelIds.length;
        if (parentCount > MAX_REFERENCES) revert ModelTooManyReferences(parentCount, MAX_REFERENCES);

        bytes32[] memory datasetRoots = new bytes32[](datasetCount);
        for (uint256 i; i < datasetCount; ++i) {
            uint256 datasetId = _at(datasetIds, i);
            _checkNotRepeated(datasetIds, i, datasetId);
            datasetRoots[i] = _usableDatasetRoot(datasetId);
        }

        for (uint256 i; i < parentCount; ++i) {
            uint256 parentId = _at(parentModelIds, i);
            _checkNotRepeated(parentModelIds, i, parentId);
            // Ids below `id` are exactly the registered ones (and 0 is none).
            if (parentId == 0 || parentId >= id) revert ModelParentNotFound(parentId);
            if (_assets[parentId].status == Status.Revoked) revert ModelParentRevoked(parentId);
        }
        _lineageHashes[id] = keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds));
        emit ModelRegistered(
            id,
            msg.sender,
            root,
            metadataHash,
            metadataURI,
            datasetIds,
            datasetRoots,
            parentModelIds
        );
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint256) {
        return _count();
    }

    /// @inheritdoc IModelRegistry
    function getModel(uint256 id) external view returns (Model memory) {
        Asset memory asset = _assets[id];
        if (asset.owner == address(0)) revert ModelNotFound(id);
        bytes32 root = asset.rootXorStatus ^ bytes32(uint256(asset.status));
        return Model(root, asset.owner, asset.status, asset.registeredAt, _lineageHashes[id]);
    }

    /// @inheritdoc IModelRegistry
    function lineageHashOf(uint256 id) external view returns (bytes32) {
        return _lineageHashOf(id);
    }

    /// @inheritdoc IModelRegistry
    function checkLineage(
        uint256 id,
        uint256[] calldata datasetIds,
        bytes32[] calldata datasetRoots,
        uint256[] calldata parentModelIds
    ) external view returns (bool) {
        return keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds)) == _lineageHashOf(id);
    }

    /// @dev Root of dataset `datasetId`, read from the DatasetRegistry; reverts with
    /// {ModelDatasetNotFound} if it was never registered and {ModelDatasetRevoked} if it is
    /// revoked. Any other failure of the call is passed on as it is.
    function _usableDatasetRoot(uint256 datasetId) private view returns (bytes32) {
        try _datasetRegistry.getDataset(datasetId) returns (IDatasetRegistry.Dataset memory dataset) {
            if (dataset.status == Status.Revoked) revert ModelDatasetRevoked(datasetId);
            return dataset.root;
        } catch (bytes memory reason) {
            if (bytes4(reason) == IDatasetRegistry.DatasetNotFound.selector) {
                revert ModelDatasetNotFound(datasetId);
            }
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }

    /// @dev Reverts with {ModelDuplicateReference} if `value`, which is `ids[i]`, is also among
    /// `ids[0..i)`.
    function _checkNotRepeated(uint256[] calldata ids, uint256 i, uint256 value) private pure {
        for (uint256 j; j < i; ++j) {
            if (_at(ids, j) == value) revert ModelDuplicateReference(value);
        }
    }

    /// @dev `ids[i]`, without the bounds check: every caller has `i < ids.length`. Besides the
    /// checks it saves, this leaves the compiler's checked calldata index helper with one user,
    /// `MerkleProof`'s loop, where the optimizer then inlines it and drops the check; indexing
    /// the id arrays in Solidity costs every depth-20 proof check ~1,300 gas more.
    function _at(uint256[] calldata ids, uint256 i) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := calldataload(add(ids.offset, shl(5, i)))
        }
    }

    /// @dev Reverts with {ModelNotFound}.
    function _revertNotFound(uint256 id) internal pure override {
        revert ModelNotFound(id);
    }

    /// @dev Lineage hash of `id`; reverts with {ModelNotFound} if it was never registered.
    function _lineageHashOf(uint256 id) private view returns (bytes32 lineageHash) {
        lineageHash = _lineageHashes[id];
        if (lineageHash == bytes32(0)) revert ModelNotFound(id);
    }
}
