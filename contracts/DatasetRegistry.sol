// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {AssetRegistry} from "./AssetRegistry.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IDatasetRegistry} from "./interfaces/IDatasetRegistry.sol";

/**
 * @title DatasetRegistry
 * @notice Registry of dataset versions for aiprov: anchors each version's Merkle root under a
 * numeric id owned by its registrant, links it to its parent version, tracks its status,
 * verifies file and record proofs against the anchored root, and records per-record consent
 * revocations and erasures.
 *
 * @dev How to use it: call {register} with the manifest root (as `aiprov hash` prints it), a
 * hash and URI of the metadata document, and the parent id (0 for none); keep the returned id.
 * A verifier then calls {checkFile} or {checkRecord} (or their multiproof variants) with an
 * OpenZeppelin `StandardMerkleTree` proof of the file or record: one call says whether the
 * value is included, the dataset's status, and for a record whether its consent was revoked
 * or it was erased.
 *
 * Gas design (a registration must cost at most 80,000 gas, whole transaction): two fresh
 * storage slots per id (see {AssetRegistry}); the metadata hash and URI are emitted in
 * {DatasetRegistered} and not stored; no root => id mapping (look-up by root or owner filters
 * `DatasetRegistered` logs on their indexed topics; contracts/README.md has the numbers).
 */
contract DatasetRegistry is AssetRegistry, IDatasetRegistry {
    using BitMaps for BitMaps.BitMap;

    /// @dev Records whose consent is revoked (erased ones included), one bit per record index.
    mapping(uint256 id => BitMaps.BitMap) private _consentRevoked;

    /// @dev Records that were erased, one bit per record index; always a subset of the above.
    mapping(uint256 id => BitMaps.BitMap) private _erased;

    /// @inheritdoc IDatasetRegistry
    function register(
        bytes32 root,
        bytes32 metadataHash,
        string calldata metadataURI,
        uint256 parentId
    ) external returns (uint256 id) {
        id = _register(root);
        if (parentId != 0) {
            // Ids below `id` are exactly the registered ones.
            if (parentId >= id) revert DatasetParentNotFound(parentId);
            _assets[id].parentId = uint48(parentId); // parentId < id, which is below 2^48
        }
        emit DatasetRegistered(id, msg.sender, root, parentId, metadataHash, metadataURI);
    }

    /// @inheritdoc IDatasetRegistry
    function datasetCount() external view returns (uint256) {
        return _count();
    }

    /// @inheritdoc IDatasetRegistry
    function getDataset(uint256 id) external view returns (Dataset memory) {
        Asset memory asset = _assets[id];
        if (asset.owner == address(0)) revert DatasetNotFound(id);
        bytes32 root = asset.rootXorStatus ^ bytes32(uint256(asset.status));
        return Dataset(root, asset.owner, asset.status, asset.parentId, asset.registeredAt);
    }

    /// @inheritdoc IDatasetRegistry
    function verifyRecord(
        uint256 id,
        bytes32[] calldata proof,
        uint256 recordIndex,
        bytes32 commitment
    ) external view returns (bool) {
        (bool included, ) = _check(id, proof, _recordLeaf(recordIndex, commitment));
        return included;
    }

    /// @inheritdoc IDatasetRegistry
    function checkRecord(
        uint256 id,
        bytes32[] calldata proof,
        uint256 recordIndex,
        bytes32 commitment
    ) external view returns (bool included, Status status, bool consentRevoked, bool erased) {
        (included, status) = _check(id, proof, _recordLeaf(recordIndex, commitment));
        consentRevoked = _consentRevoked[id].get(recordIndex);
        // An erased record's consent is revoked too, so the usual record costs one read.
        erased = consentRevoked && _erased[id].get(recordIndex);
    }

    /// @inheritdoc IDatasetRegistry
    function checkRecords(
        uint256 id,
        bytes32[] memory proof,
        bool[] memory proofFlags,
        uint256[] memory recordIndexes,
        bytes32[] memory commitments
    )
        external
        view
        returns (bool included, Status status, bool[] memory consentRevoked, bool[] memory erased)
    {
        uint256 count = recordIndexes.length;
        if (commitments.length != count) revert AssetLengthMismatch(count, commitments.length);
        bytes32 root;
        (root, status) = _rootAndStatus(id);
        bytes32[] memory leaves = new bytes32[](count);
        consentRevoked = new bool[](count);
        erased = new bool[](count);
        BitMaps.BitMap storage revokedBits = _consentRevoked[id];
        BitMaps.BitMap storage erasedBits = _erased[id];
        for (uint256 i; i < count; ++i) {
            uint256 recordIndex = recordIndexes[i];
            leaves[i] = _recordLeaf(recordIndex, commitments[i]);
            consentRevoked[i] = revokedBits.get(recordIndex);
            erased[i] = consentRevoked[i] && erasedBits.get(recordIndex);
        }
        included = count != 0 && MerkleProof.multiProofVerify(proof, proofFlags, root, leaves, _hashPair);
    }

    /// @inheritdoc IDatasetRegistry
    function revokeConsent(uint256 id, uint256 recordIndex, bytes32 reasonHash) external {
        _checkManager(id);
        BitMaps.BitMap storage revoked = _consentRevoked[id];
        if (revoked.get(recordIndex)) revert DatasetConsentAlreadyRevoked(id, recordIndex);
        revoked.set(recordIndex);
        emit RecordConsentRevoked(id, recordIndex, msg.sender, reasonHash);
    }

    /// @inheritdoc IDatasetRegistry
    function eraseRecord(uint256 id, uint256 recordIndex, bytes32 reasonHash) external {
        _checkManager(id);
        BitMaps.BitMap storage erased = _erased[id];
        if (erased.get(recordIndex)) revert DatasetRecordAlreadyErased(id, recordIndex);
        BitMaps.BitMap storage revoked = _consentRevoked[id];
        if (!revoked.get(recordIndex)) {
            revoked.set(recordIndex);
            emit RecordConsentRevoked(id, recordIndex, msg.sender, reasonHash);
        }
        erased.set(recordIndex);
        emit RecordErased(id, recordIndex, msg.sender, reasonHash);
    }

    /// @inheritdoc IDatasetRegistry
    function isConsentRevoked(uint256 id, uint256 recordIndex) external view returns (bool) {
        _ownerOf(id);
        return _consentRevoked[id].get(recordIndex);
    }

    /// @inheritdoc IDatasetRegistry
    function isErased(uint256 id, uint256 recordIndex) external view returns (bool) {
        _ownerOf(id);
        return _erased[id].get(recordIndex);
    }

    /// @dev Reverts with {DatasetNotFound}.
    function _revertNotFound(uint256 id) internal pure override {
        revert DatasetNotFound(id);
    }

    /// @dev Reverts unless the dataset exists and the caller owns it or is a manager.
    function _checkManager(uint256 id) private view {
        if (!_canManage(id, msg.sender)) revert AssetUnauthorized(id, msg.sender);
    }

    /// @dev The `StandardMerkleTree` leaf of a record, encoding `["uint256","bytes32"]`.
    function _recordLeaf(uint256 recordIndex, bytes32 commitment) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(recordIndex, commitment))));
    }
}
