// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IDatasetRegistry} from "./interfaces/IDatasetRegistry.sol";

/**
 * @title DatasetRegistry
 * @notice Registry of dataset versions for aiprov: anchors each version's Merkle root under a
 * numeric id owned by its registrant, links it to its parent version, tracks its status, and
 * verifies file and record proofs against the anchored root.
 *
 * @dev How to use it: call {register} with the manifest root (as `aiprov hash` prints it), a
 * hash and URI of the metadata document, and the parent id (0 for none); keep the returned id.
 * Anyone can then call {verifyFile} / {verifyRecord} with a proof from `aiprov prove`.
 *
 * Gas design (a registration must cost at most 80,000 gas, whole transaction):
 * - each id uses exactly two fresh storage slots: the root, and one packed word
 *   `owner (160) | status (8) | parentId (48) | registeredAt (40)`;
 * - the id counter is set to 1 in the constructor, so each registration rewrites a nonzero
 *   slot instead of creating one;
 * - the metadata hash and URI are emitted in {DatasetRegistered} and not stored;
 * - there is no root => id mapping: look-up by root or owner filters `DatasetRegistered` logs
 *   on their indexed topics (earliest log = earliest registration). A contract that needs
 *   the root of an id calls {rootOf}; one that needs the id of a root must be given the id
 *   and check it with {rootOf}.
 *
 * A registered dataset always has a nonzero root and a nonzero owner, and neither is ever
 * cleared, so either one tells whether an id exists.
 */
contract DatasetRegistry is IDatasetRegistry {
    /// @dev Id the next registration gets; 1 before the first one. `uint48` so that every id,
    /// and therefore every parent id, fits the packed `parentId` field (a checked increment
    /// reverts before it could overflow).
    uint48 private _nextId;

    /// @dev The stored record of each registered dataset (two slots per id).
    mapping(uint256 id => Dataset) private _datasets;

    /// @dev Managers, keyed by the owner who appointed them, so that a transfer of ownership
    /// leaves the previous owner's managers without power and needs no clean-up.
    mapping(uint256 id => mapping(address owner => mapping(address account => bool allowed))) private _managers;

    /// @dev Revoked record consents as bitmaps: bit `recordIndex & 0xff` of word `recordIndex >> 8`.
    mapping(uint256 id => mapping(uint256 bucket => uint256 bits)) private _revokedConsents;

    /// @dev Sets the id counter to 1, so registrations never pay for a fresh counter slot.
    constructor() {
        _nextId = 1;
    }

    /// @inheritdoc IDatasetRegistry
    function register(
        bytes32 root,
        bytes32 metadataHash,
        string calldata metadataURI,
        uint256 parentId
    ) external returns (uint256 id) {
        if (root == bytes32(0)) revert DatasetEmptyRoot();
        uint48 nextId = _nextId;
        // Ids below `nextId` are exactly the registered ones (and 0 means "no parent").
        if (parentId >= nextId) revert DatasetParentNotFound(parentId);
        _nextId = nextId + 1;
        id = nextId;
        // Field by field rather than a struct literal: the packed slot is then written once,
        // and `status` is left at its zero value, `Status.Active` (saves ~550 gas).
        Dataset storage dataset = _datasets[id];
        dataset.root = root;
        dataset.owner = msg.sender;
        dataset.parentId = uint48(parentId); // parentId < nextId, which is a uint48
        dataset.registeredAt = uint40(block.timestamp);
        emit DatasetRegistered(id, msg.sender, root, parentId, metadataHash, metadataURI);
    }

    /// @inheritdoc IDatasetRegistry
    function datasetCount() external view returns (uint256) {
        return _nextId - 1;
    }

    /// @inheritdoc IDatasetRegistry
    function exists(uint256 id) external view returns (bool) {
        return _datasets[id].root != bytes32(0);
    }

    /// @inheritdoc IDatasetRegistry
    function getDataset(uint256 id) external view returns (Dataset memory dataset) {
        dataset = _datasets[id];
        if (dataset.root == bytes32(0)) revert DatasetNotFound(id);
    }

    /// @inheritdoc IDatasetRegistry
    function rootOf(uint256 id) external view returns (bytes32) {
        return _rootOf(id);
    }

    /// @inheritdoc IDatasetRegistry
    function ownerOf(uint256 id) external view returns (address) {
        return _ownerOf(id);
    }

    /// @inheritdoc IDatasetRegistry
    function statusOf(uint256 id) external view returns (Status) {
        _ownerOf(id);
        return _datasets[id].status;
    }

    /// @inheritdoc IDatasetRegistry
    function transferOwnership(uint256 id, address newOwner) external {
        address previousOwner = _checkOwner(id);
        if (newOwner == address(0)) revert DatasetZeroAddress();
        _datasets[id].owner = newOwner;
        emit DatasetOwnershipTransferred(id, previousOwner, newOwner);
    }

    /// @inheritdoc IDatasetRegistry
    function setManager(uint256 id, address manager, bool allowed) external {
        address owner = _checkOwner(id);
        if (manager == address(0)) revert DatasetZeroAddress();
        _managers[id][owner][manager] = allowed;
        emit DatasetManagerSet(id, manager, allowed);
    }

    /// @inheritdoc IDatasetRegistry
    function isManager(uint256 id, address account) external view returns (bool) {
        return _managers[id][_ownerOf(id)][account];
    }

    /// @inheritdoc IDatasetRegistry
    function canManage(uint256 id, address account) external view returns (bool) {
        return _canManage(id, account);
    }

    /// @inheritdoc IDatasetRegistry
    function setStatus(uint256 id, Status status, string calldata reason) external {
        _checkOwner(id);
        Status current = _datasets[id].status;
        if (current == Status.Revoked) revert DatasetAlreadyRevoked(id);
        if (status == current) revert DatasetInvalidStatus(uint8(status));
        _datasets[id].status = status;
        emit DatasetStatusChanged(id, status, reason);
    }

    /// @inheritdoc IDatasetRegistry
    function verifyLeaf(uint256 id, bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        return MerkleProof.verifyCalldata(proof, _rootOf(id), leaf);
    }

    /// @inheritdoc IDatasetRegistry
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

    /// @inheritdoc IDatasetRegistry
    function verifyRecord(
        uint256 id,
        bytes32[] calldata proof,
        uint256 recordIndex,
        bytes32 commitment
    ) external view returns (bool) {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(recordIndex, commitment))));
        return MerkleProof.verifyCalldata(proof, _rootOf(id), leaf);
    }

    /// @inheritdoc IDatasetRegistry
    function revokeConsent(uint256 id, uint256 recordIndex, string calldata reason) external {
        if (!_canManage(id, msg.sender)) revert DatasetUnauthorized(id, msg.sender);
        uint256 mask = 1 << (recordIndex & 0xff);
        uint256 bits = _revokedConsents[id][recordIndex >> 8];
        if (bits & mask != 0) revert DatasetConsentAlreadyRevoked(id, recordIndex);
        _revokedConsents[id][recordIndex >> 8] = bits | mask;
        emit RecordConsentRevoked(id, recordIndex, msg.sender, reason);
    }

    /// @inheritdoc IDatasetRegistry
    function isConsentRevoked(uint256 id, uint256 recordIndex) external view returns (bool) {
        _ownerOf(id);
        return _revokedConsents[id][recordIndex >> 8] & (1 << (recordIndex & 0xff)) != 0;
    }

    /// @dev Root of `id`; reverts with {DatasetNotFound} if it was never registered.
    function _rootOf(uint256 id) private view returns (bytes32 root) {
        root = _datasets[id].root;
        if (root == bytes32(0)) revert DatasetNotFound(id);
    }

    /// @dev Owner of `id`; reverts with {DatasetNotFound} if it was never registered.
    function _ownerOf(uint256 id) private view returns (address owner) {
        owner = _datasets[id].owner;
        if (owner == address(0)) revert DatasetNotFound(id);
    }

    /// @dev Owner of `id`; reverts unless the dataset exists and the caller owns it.
    function _checkOwner(uint256 id) private view returns (address owner) {
        owner = _ownerOf(id);
        if (owner != msg.sender) revert DatasetUnauthorized(id, msg.sender);
    }

    /// @dev Whether `account` owns `id` or is a manager appointed by its owner; reverts with
    /// {DatasetNotFound} if it was never registered.
    function _canManage(uint256 id, address account) private view returns (bool) {
        address owner = _ownerOf(id);
        return account == owner || _managers[id][owner][account];
    }
}
