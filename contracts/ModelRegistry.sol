// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
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
 * returned id. Anyone can then call {verifyFile} with a proof from `aiprov prove`, and
 * {checkLineage} with the arrays of the {ModelRegistered} event.
 *
 * Gas design (a registration with two datasets must cost at most 160,000 gas, whole
 * transaction):
 * - each id uses exactly three fresh storage slots: the root, one packed word
 *   `owner (160) | status (8) | registeredAt (40)`, and the lineage hash;
 * - the id counter is set to 1 in the constructor, so each registration rewrites a nonzero
 *   slot instead of creating one;
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
contract ModelRegistry is IModelRegistry {
    /// @dev The most dataset ids, and the most parent model ids, one registration may name.
    uint256 private constant MAX_REFERENCES = 64;

    /// @dev The DatasetRegistry that dataset ids refer to.
    IDatasetRegistry private immutable _datasetRegistry;

    /// @dev Id the next registration gets; 1 before the first one.
    uint256 private _nextId;

    /// @dev The stored record of each registered model (three slots per id).
    mapping(uint256 id => Model) private _models;

    /// @dev Managers, keyed by the owner who appointed them, so that a transfer of ownership
    /// leaves the previous owner's managers without power and needs no clean-up.
    mapping(uint256 id => mapping(address owner => mapping(address account => bool allowed))) private _managers;

    /// @dev Fixes the DatasetRegistry and sets the id counter to 1, so registrations never pay
    /// for a fresh counter slot.
    /// @param datasetRegistry_ Address of the DatasetRegistry; not zero ({ModelZeroAddress}).
    constructor(address datasetRegistry_) {
        if (datasetRegistry_ == address(0)) revert ModelZeroAddress();
        _datasetRegistry = IDatasetRegistry(datasetRegistry_);
        _nextId = 1;
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
        if (root == bytes32(0)) revert ModelEmptyRoot();
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

        id = _nextId;
        for (uint256 i; i < parentCount; ++i) {
            uint256 parentId = _at(parentModelIds, i);
            _checkNotRepeated(parentModelIds, i, parentId);
            // Ids below `id` are exactly the registered ones (and 0 is none).
            if (parentId == 0 || parentId >= id) revert ModelParentNotFound(parentId);
            if (_models[parentId].status == Status.Revoked) revert ModelParentRevoked(parentId);
        }
        _nextId = id + 1;

        // Field by field rather than a struct literal: the packed slot is then written once,
        // and `status` is left at its zero value, `Status.Active`.
        Model storage model = _models[id];
        model.root = root;
        model.owner = msg.sender;
        model.registeredAt = uint40(block.timestamp);
        model.lineageHash = keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds));
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
        return _nextId - 1;
    }

    /// @inheritdoc IModelRegistry
    function exists(uint256 id) external view returns (bool) {
        return _models[id].root != bytes32(0);
    }

    /// @inheritdoc IModelRegistry
    function getModel(uint256 id) external view returns (Model memory model) {
        model = _models[id];
        if (model.root == bytes32(0)) revert ModelNotFound(id);
    }

    /// @inheritdoc IModelRegistry
    function rootOf(uint256 id) external view returns (bytes32) {
        return _rootOf(id);
    }

    /// @inheritdoc IModelRegistry
    function ownerOf(uint256 id) external view returns (address) {
        return _ownerOf(id);
    }

    /// @inheritdoc IModelRegistry
    function statusOf(uint256 id) external view returns (Status) {
        _ownerOf(id);
        return _models[id].status;
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

    /// @inheritdoc IModelRegistry
    function transferOwnership(uint256 id, address newOwner) external {
        address previousOwner = _checkOwner(id);
        if (newOwner == address(0)) revert ModelZeroAddress();
        _models[id].owner = newOwner;
        emit ModelOwnershipTransferred(id, previousOwner, newOwner);
    }

    /// @inheritdoc IModelRegistry
    function setManager(uint256 id, address manager, bool allowed) external {
        address owner = _checkOwner(id);
        if (manager == address(0)) revert ModelZeroAddress();
        _managers[id][owner][manager] = allowed;
        emit ModelManagerSet(id, manager, allowed);
    }

    /// @inheritdoc IModelRegistry
    function isManager(uint256 id, address account) external view returns (bool) {
        return _managers[id][_ownerOf(id)][account];
    }

    /// @inheritdoc IModelRegistry
    function canManage(uint256 id, address account) external view returns (bool) {
        address owner = _ownerOf(id);
        return account == owner || _managers[id][owner][account];
    }

    /// @inheritdoc IModelRegistry
    function setStatus(uint256 id, Status status, string calldata reason) external {
        _checkOwner(id);
        Status current = _models[id].status;
        if (current == Status.Revoked) revert ModelAlreadyRevoked(id);
        if (status == current) revert ModelInvalidStatus(uint8(status));
        _models[id].status = status;
        emit ModelStatusChanged(id, status, reason);
    }

    /// @inheritdoc IModelRegistry
    function verifyLeaf(uint256 id, bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        return MerkleProof.verifyCalldata(proof, _rootOf(id), leaf);
    }

    /// @inheritdoc IModelRegistry
    function verifyFile(
        uint256 id,
        bytes32[] calldata proof,
        string calldata path,
        uint256 size,
        bytes32 sha256Digest
    ) external view returns (bool) {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(path, size, sha256Digest))));
        return MerkleProof.verifyCalldata(proof, _rootOf(id), leaf);
    }

    /// @dev Root of dataset `datasetId`, read from the DatasetRegistry; reverts with
    /// {ModelDatasetNotFound} if it was never registered and {ModelDatasetRevoked} if it is
    /// revoked. Any other failure of the call is passed on as it is.
    function _usableDatasetRoot(uint256 datasetId) private view returns (bytes32) {
        try _datasetRegistry.getDataset(datasetId) returns (IDatasetRegistry.Dataset memory dataset) {
            if (dataset.status == IDatasetRegistry.Status.Revoked) revert ModelDatasetRevoked(datasetId);
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

    /// @dev Root of `id`; reverts with {ModelNotFound} if it was never registered.
    function _rootOf(uint256 id) private view returns (bytes32 root) {
        root = _models[id].root;
        if (root == bytes32(0)) revert ModelNotFound(id);
    }

    /// @dev Owner of `id`; reverts with {ModelNotFound} if it was never registered.
    function _ownerOf(uint256 id) private view returns (address owner) {
        owner = _models[id].owner;
        if (owner == address(0)) revert ModelNotFound(id);
    }

    /// @dev Lineage hash of `id`; reverts with {ModelNotFound} if it was never registered.
    function _lineageHashOf(uint256 id) private view returns (bytes32 lineageHash) {
        lineageHash = _models[id].lineageHash;
        if (lineageHash == bytes32(0)) revert ModelNotFound(id);
    }

    /// @dev Owner of `id`; reverts unless the model exists and the caller owns it.
    function _checkOwner(uint256 id) private view returns (address owner) {
        owner = _ownerOf(id);
        if (owner != msg.sender) revert ModelUnauthorized(id, msg.sender);
    }
}
