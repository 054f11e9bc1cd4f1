// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";

/**
 * @title AssetRegistry
 * @notice What DatasetRegistry and ModelRegistry share: ids, roots, ownership and its
 * transfer, managers, status, and file proof checks. Each registry adds its own `register`
 * and what is particular to it, the way OpenZeppelin's ERC721 extensions build on ERC721.
 *
 * @dev Storage per id: `root ^ status` (the root with the status, 0 to 2, XORed into its low
 * bits), and one packed word `owner (160) | status (8) | parentId (48) | registeredAt (40)`.
 * `parentId` is the version an asset derives from in the same registry (DatasetRegistry); a
 * registry without a single parent (ModelRegistry commits its parents in the lineage hash)
 * leaves it 0.
 *
 * Why the status is folded into the first slot: a proof check then reads one slot, not two.
 * A (non-empty) proof that folds to `computed` is accepted when `computed ^ rootXorStatus` is
 * a status value (0, 1 or 2), and that value is the status: {checkFile} and DatasetRegistry's
 * `checkRecord` learn the status without reading the packed word (one cold slot, 2,100 gas,
 * less). For an Active asset the first slot is the root itself. Folding a proof to one of the
 * two values next to the root instead of the root itself would take a keccak256 preimage (or,
 * for the registrant, two trees whose roots differ only in their two low bits: a 254-bit
 * collision), as hard as forging any Merkle proof. The packed word keeps the status too, for
 * {statusOf} and for a proof that does not match; {setStatus} updates both.
 *
 * The id counter is set to 1 in the constructor, so each registration rewrites a nonzero slot
 * instead of creating one. A registered asset always has a nonzero owner, never cleared, which
 * tells whether an id exists.
 */
abstract contract AssetRegistry is IAssetRegistry {
    /// @dev What the registry stores about one asset (two slots).
    struct Asset {
        bytes32 rootXorStatus; // root ^ bytes32(uint256(status)); the root itself while Active
        address owner;
        Status status;
        uint48 parentId;
        uint40 registeredAt;
    }

    /// @dev Id the next registration gets; 1 before the first one. `uint48` so that every id
    /// fits the packed `parentId` field (a checked increment reverts before it could overflow).
    uint48 private _nextId;

    /// @dev The stored record of each registered asset.
    mapping(uint256 id => Asset) internal _assets;

    /// @dev Managers, keyed by the owner who appointed them, so that a transfer of ownership
    /// leaves the previous owner's managers without power and needs no clean-up.
    mapping(uint256 id => mapping(address owner => mapping(address account => bool allowed))) private _managers;

    /// @dev Sets the id counter to 1, so registrations never pay for a fresh counter slot.
    constructor() {
        _nextId = 1;
    }

    /// @inheritdoc IAssetRegistry
    function exists(uint256 id) external view returns (bool) {
        return _assets[id].owner != address(0);
    }

    /// @inheritdoc IAssetRegistry
    function rootOf(uint256 id) external view returns (bytes32) {
        return _rootOf(id);
    }

    /// @inheritdoc IAssetRegistry
    function ownerOf(uint256 id) external view returns (address) {
        return _ownerOf(id);
    }

    /// @inheritdoc IAssetRegistry
    function statusOf(uint256 id) external view returns (Status) {
        return _statusOf(id);
    }

    /// @inheritdoc IAssetRegistry
    function transferOwnership(uint256 id, address newOwner) external {
        address previousOwner = _checkOwner(id);
        if (newOwner == address(0)) revert AssetZeroAddress();
        _assets[id].owner = newOwner;
        emit OwnershipTransferred(id, previousOwner, newOwner);
    }

    /// @inheritdoc IAssetRegistry
    function setManager(uint256 id, address manager, bool allowed) external {
        address owner = _checkOwner(id);
        if (manager == address(0)) revert AssetZeroAddress();
        _managers[id][owner][manager] = allowed;
        emit ManagerSet(id, manager, allowed, owner);
    }

    /// @inheritdoc IAssetRegistry
    function isManager(uint256 id, address account) external view returns (bool) {
        return _managers[id][_ownerOf(id)][account];
    }

    /// @inheritdoc IAssetRegistry
    function canManage(uint256 id, address account) external view returns (bool) {
        return _canManage(id, account);
    }

    /// @inheritdoc IAssetRegistry
    function setStatus(uint256 id, Status status, string calldata reason) external {
        _checkOwner(id);
        Asset storage asset = _assets[id];
        Status current = asset.status;
        if (current == Status.Revoked) revert AssetAlreadyRevoked(id);
        if (status == current) revert AssetInvalidStatus(uint8(status));
        asset.status = status;
        // Keep the first slot equal to root ^ status: swap the old status for the new one.
        asset.rootXorStatus ^= bytes32(uint256(current) ^ uint256(status));
        emit StatusChanged(id, status, reason);
    }

    /// @inheritdoc IAssetRegistry
    function verifyLeaf(uint256 id, bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        (bool included, ) = _check(id, proof, leaf);
        return included;
    }

    /// @inheritdoc IAssetRegistry
    function verifyFile(
        uint256 id,
        bytes32[] calldata proof,
        string calldata path,
        uint256 size,
        bytes32 sha256Digest
    ) external view returns (bool) {
        (bool included, ) = _check(id, proof, _fileLeaf(path, size, sha256Digest));
        return included;
    }

    /// @inheritdoc IAssetRegistry
    function checkFile(
        uint256 id,
        bytes32[] calldata proof,
        string calldata path,
        uint256 size,
        bytes32 sha256Digest
    ) external view returns (bool included, Status status) {
        return _check(id, proof, _fileLeaf(path, size, sha256Digest));
    }

    /// @inheritdoc IAssetRegistry
    function checkFiles(
        uint256 id,
        bytes32[] memory proof,
        bool[] memory proofFlags,
        string[] memory paths,
        uint256[] memory sizes,
        bytes32[] memory sha256Digests
    ) external view returns (bool included, Status status) {
        uint256 count = paths.length;
        if (sizes.length != count) revert AssetLengthMismatch(count, sizes.length);
        if (sha256Digests.length != count) revert AssetLengthMismatch(count, sha256Digests.length);
        bytes32 root;
        (root, status) = _rootAndStatus(id);
        if (count == 0) return (false, status);
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            // The leaf of {_fileLeaf}, from memory.
            leaves[i] = keccak256(bytes.concat(keccak256(abi.encode(paths[i], sizes[i], sha256Digests[i]))));
        }
        included = MerkleProof.multiProofVerify(proof, proofFlags, root, leaves, _hashPair);
    }

    /// @dev Registers a new asset with `root` (not zero: {AssetEmptyRoot}), owned by the
    /// caller; returns its id. Registries call it first, so that the root is checked first,
    /// then check and store what is theirs (a revert undoes the registration).
    function _register(bytes32 root) internal returns (uint256 id) {
        if (root == bytes32(0)) revert AssetEmptyRoot();
        uint48 nextId = _nextId;
        _nextId = nextId + 1;
        id = nextId;
        // Field by field rather than a struct literal: the packed slot is then written once,
        // and `status` is left at its zero value, `Status.Active` (saves ~550 gas), so the first
        // slot, root ^ status, is the root.
        Asset storage asset = _assets[id];
        asset.rootXorStatus = root;
        asset.owner = msg.sender;
        asset.registeredAt = uint40(block.timestamp);
    }

    /// @dev Number of assets registered so far, which is also the highest id.
    function _count() internal view returns (uint256) {
        return _nextId - 1;
    }

    /// @dev Reverts with the registry's not-found error for `id` (`DatasetNotFound`,
    /// `ModelNotFound`): each registry keeps its own, which is what callers such as
    /// AccessLeases tell an unknown asset by.
    function _revertNotFound(uint256 id) internal pure virtual;

    /// @dev Root of `id`; reverts with the not-found error if it was never registered.
    function _rootOf(uint256 id) internal view returns (bytes32 root) {
        (root, ) = _rootAndStatus(id);
    }

    /// @dev Root and status of `id` (both slots: the root is `root ^ status` un-XORed);
    /// reverts with the not-found error if it was never registered.
    function _rootAndStatus(uint256 id) internal view returns (bytes32 root, Status status) {
        Asset storage asset = _assets[id];
        if (asset.owner == address(0)) _revertNotFound(id);
        status = asset.status;
        root = asset.rootXorStatus ^ bytes32(uint256(status));
    }

    /// @dev Owner of `id`; reverts with the not-found error if it was never registered.
    function _ownerOf(uint256 id) internal view returns (address owner) {
        owner = _assets[id].owner;
        if (owner == address(0)) _revertNotFound(id);
    }

    /// @dev Status of `id`; reverts with the not-found error if it was never registered.
    function _statusOf(uint256 id) internal view returns (Status) {
        _ownerOf(id);
        return _assets[id].status;
    }

    /// @dev Owner of `id`; reverts unless the asset exists and the caller owns it.
    function _checkOwner(uint256 id) internal view returns (address owner) {
        owner = _ownerOf(id);
        if (owner != msg.sender) revert AssetUnauthorized(id, msg.sender);
    }

    /// @dev Whether `account` owns `id` or is a manager appointed by its owner; reverts with
    /// the not-found error if it was never registered.
    function _canManage(uint256 id, address account) internal view returns (bool) {
        address owner = _ownerOf(id);
        return account == owner || _managers[id][owner][account];
    }

    /// @dev Whether `proof` proves `leaf` against the root of `id` (which must exist), and the
    /// asset's status. Every single-proof check goes through here, so `MerkleProof`'s loop is
    /// compiled once. A matching proof costs one slot read: the status is what the computed root
    /// differs from `root ^ status` by (see the contract's notes). Otherwise the status comes
    /// from the packed word (which also reverts for an unknown id), and the comparison is exact.
    function _check(
        uint256 id,
        bytes32[] calldata proof,
        bytes32 leaf
    ) internal view returns (bool included, Status status) {
        bytes32 computed = MerkleProof.processProofCalldata(proof, leaf);
        bytes32 stored = _assets[id].rootXorStatus;
        uint256 difference = uint256(stored ^ computed);
        // Not for an empty proof: `computed` is then the caller's own leaf, which could be any
        // value; a non-empty one ends in a keccak256 the caller cannot aim at a chosen value.
        if (proof.length != 0 && stored != bytes32(0) && difference <= uint256(type(Status).max)) {
            return (true, Status(difference));
        }
        status = _statusOf(id);
        included = stored ^ bytes32(uint256(status)) == computed;
    }

    /// @dev OpenZeppelin's sorted-pair keccak256 (`Hashes.commutativeKeccak256`), for the
    /// multiproof checks only: were they to call OpenZeppelin's too, it would have two callers,
    /// the optimizer would stop inlining it in the single-proof loop, and every depth-20 proof
    /// check would cost ~450 gas more.
    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    /// @dev The `StandardMerkleTree` leaf of a file, encoding `["string","uint256","bytes32"]`.
    function _fileLeaf(string calldata path, uint256 size, bytes32 sha256Digest) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(path, size, sha256Digest))));
    }
}
