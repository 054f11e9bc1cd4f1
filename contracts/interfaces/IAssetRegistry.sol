// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IAssetRegistry
 * @notice What every aiprov registry (DatasetRegistry, ModelRegistry) offers: numeric ids
 * anchoring a Merkle root, an owner who may transfer the asset and appoint managers, a
 * lifecycle status with a reason, and views checking file proofs against the root.
 *
 * @dev Other contracts that act on assets (AccessLeases) rely on two views only:
 * {ownerOf} and {canManage}. Both revert for an id that was never registered, with the
 * registry's own not-found error (`DatasetNotFound(uint256 id)` in the DatasetRegistry,
 * `ModelNotFound(uint256 id)` in the ModelRegistry); so does every other function taking an
 * id, except {exists}.
 *
 * Ids start at 1 and grow by one per registration; id 0 means "none". Ids are below 2^48.
 *
 * A root is an OpenZeppelin `StandardMerkleTree` root (`standard-v1`). File leaves have the
 * encoding `["string","uint256","bytes32"]` = (path, size, sha256): the leaf is
 * `keccak256(bytes.concat(keccak256(abi.encode(path, size, sha256))))` and pairs are hashed
 * sorted, so every proof the JavaScript library (or aiprov) produces passes `MerkleProof`.
 *
 * Managers are appointed per owner: a transfer of ownership leaves the previous owner's
 * managers without power, and they return if the asset returns to that owner.
 */
interface IAssetRegistry {
    /**
     * @notice Lifecycle of a registered asset.
     * @dev `Active` on registration. `Deprecated` discourages use and can be undone.
     * `Revoked` withdraws the registration for good: it can never be changed again.
     */
    enum Status {
        Active,
        Deprecated,
        Revoked
    }

    /**
     * @notice Emitted when an asset changes owner.
     * @param id Id of the asset.
     * @param previousOwner Owner before the transfer.
     * @param newOwner Owner after the transfer.
     */
    event OwnershipTransferred(uint256 indexed id, address indexed previousOwner, address indexed newOwner);

    /**
     * @notice Emitted when an owner appoints or dismisses a manager.
     * @param id Id of the asset.
     * @param manager Account appointed or dismissed.
     * @param allowed True when appointed, false when dismissed.
     * @param by The owner who appointed or dismissed it (managers are kept per owner).
     */
    event ManagerSet(uint256 indexed id, address indexed manager, bool allowed, address indexed by);

    /**
     * @notice Emitted when the owner changes an asset's status.
     * @param id Id of the asset.
     * @param status New status.
     * @param reason Free-text reason given by the owner (public: it is in the event).
     */
    event StatusChanged(uint256 indexed id, Status status, string reason);

    /**
     * @notice The caller is not allowed to do this to the asset (not its owner, or not its
     * owner or a manager).
     * @param id Id of the asset.
     * @param account The caller.
     */
    error AssetUnauthorized(uint256 id, address account);

    /// @notice A zero Merkle root cannot be registered.
    error AssetEmptyRoot();

    /// @notice The zero address cannot be an owner or a manager.
    error AssetZeroAddress();

    /**
     * @notice The asset is revoked; its status can no longer change.
     * @param id Id of the asset.
     */
    error AssetAlreadyRevoked(uint256 id);

    /**
     * @notice The requested status is the asset's current status, so nothing would change.
     * @dev A value outside {Status} never reaches the contract: the ABI decoder rejects it
     * with empty revert data.
     * @param status The requested status, as its `uint8` value.
     */
    error AssetInvalidStatus(uint8 status);

    /**
     * @notice A multiproof check was given value arrays of different lengths.
     * @param expected Length of the first array.
     * @param given Length of the array that differs.
     */
    error AssetLengthMismatch(uint256 expected, uint256 given);

    /**
     * @notice Whether `id` was registered (registrations are never deleted).
     * @param id Id to check.
     * @return True if `id` is registered.
     */
    function exists(uint256 id) external view returns (bool);

    /**
     * @notice The Merkle root registered for an asset.
     * @param id Id of the asset.
     * @return The asset's root.
     */
    function rootOf(uint256 id) external view returns (bytes32);

    /**
     * @notice The current owner of an asset.
     * @dev Reverts with the registry's not-found error for an unknown id (AccessLeases relies
     * on this to tell an unknown asset from any other failure).
     * @param id Id of the asset.
     * @return The owner's address.
     */
    function ownerOf(uint256 id) external view returns (address);

    /**
     * @notice The current status of an asset.
     * @param id Id of the asset.
     * @return The asset's {Status}.
     */
    function statusOf(uint256 id) external view returns (Status);

    /**
     * @notice Transfers an asset to a new owner. Owner only ({AssetUnauthorized}).
     * @dev The previous owner's managers lose their power with the transfer. Emits
     * {OwnershipTransferred}.
     * @param id Id of the asset.
     * @param newOwner The new owner; not the zero address ({AssetZeroAddress}).
     */
    function transferOwnership(uint256 id, address newOwner) external;

    /**
     * @notice Appoints or dismisses a manager of an asset. Owner only ({AssetUnauthorized}).
     * @dev Managers may act for the owner wherever {canManage} is asked (granting access
     * leases in AccessLeases, recording consent revocations and erasures in the
     * DatasetRegistry). Emits {ManagerSet}.
     * @param id Id of the asset.
     * @param manager Account to appoint or dismiss; not the zero address ({AssetZeroAddress}).
     * @param allowed True to appoint, false to dismiss.
     */
    function setManager(uint256 id, address manager, bool allowed) external;

    /**
     * @notice Whether `account` is a manager appointed by the asset's current owner.
     * @param id Id of the asset.
     * @param account Account to check.
     * @return True if `account` is a manager.
     */
    function isManager(uint256 id, address account) external view returns (bool);

    /**
     * @notice Whether `account` is the asset's owner or a manager appointed by that owner.
     * @dev Reverts with the registry's not-found error for an unknown id. AccessLeases asks
     * this at every grant, extension and revocation.
     * @param id Id of the asset.
     * @param account Account to check.
     * @return True if `account` may manage the asset.
     */
    function canManage(uint256 id, address account) external view returns (bool);

    /**
     * @notice Changes an asset's status. Owner only ({AssetUnauthorized}).
     * @dev `Revoked` is final: once revoked, every call reverts with {AssetAlreadyRevoked}.
     * Setting the current status again reverts with {AssetInvalidStatus}. Emits {StatusChanged}.
     * @param id Id of the asset.
     * @param status The new status.
     * @param reason Free-text reason, recorded in the event.
     */
    function setStatus(uint256 id, Status status, string calldata reason) external;

    /**
     * @notice Checks a Merkle proof for an already hashed leaf against an asset's root.
     * @dev Ignores the status. `leaf` is taken as given, so an inner node with the rest of its
     * path verifies too: for values from untrusted input use {verifyFile} or {checkFile}, which
     * hash the leaf themselves.
     * @param id Id of the asset.
     * @param proof Sibling hashes from the leaf up to the root.
     * @param leaf The leaf hash, as the tree stores it.
     * @return True if `proof` proves `leaf` is in the asset's tree.
     */
    function verifyLeaf(uint256 id, bytes32[] calldata proof, bytes32 leaf) external view returns (bool);

    /**
     * @notice Checks that a file (path, size, sha256) is part of an asset. Ignores the status.
     * @param id Id of the asset.
     * @param proof Sibling hashes from the leaf up to the root.
     * @param path File path relative to the asset's top (POSIX separators, Unicode NFC).
     * @param size File size in bytes.
     * @param sha256Digest Plain SHA-256 of the file's bytes.
     * @return True if the file is in the asset as registered.
     */
    function verifyFile(
        uint256 id,
        bytes32[] calldata proof,
        string calldata path,
        uint256 size,
        bytes32 sha256Digest
    ) external view returns (bool);

    /**
     * @notice Everything a verifier asks about one file of an asset, in one call: whether it
     * is part of the asset as registered, and the asset's status.
     * @param id Id of the asset.
     * @param proof Sibling hashes from the leaf up to the root.
     * @param path File path relative to the asset's top (POSIX separators, Unicode NFC).
     * @param size File size in bytes.
     * @param sha256Digest Plain SHA-256 of the file's bytes.
     * @return included True if the file is in the asset as registered.
     * @return status The asset's current {Status}.
     */
    function checkFile(
        uint256 id,
        bytes32[] calldata proof,
        string calldata path,
        uint256 size,
        bytes32 sha256Digest
    ) external view returns (bool included, Status status);

    /**
     * @notice {checkFile} for several files at once, with an OpenZeppelin multiproof
     * (`StandardMerkleTree.getMultiProof`: `proof`, `proofFlags`, and the values in the order
     * of its `leaves`).
     * @dev The three value arrays must have the same length ({AssetLengthMismatch}); no files
     * proves nothing (`included` false). A malformed multiproof reverts with OpenZeppelin's
     * `MerkleProofInvalidMultiproof`.
     * @param id Id of the asset.
     * @param proof The multiproof's sibling hashes.
     * @param proofFlags The multiproof's flags.
     * @param paths File paths, in the order of the multiproof's leaves.
     * @param sizes File sizes, same order.
     * @param sha256Digests Plain SHA-256 of each file, same order.
     * @return included True if every file is in the asset as registered.
     * @return status The asset's current {Status}.
     */
    function checkFiles(
        uint256 id,
        bytes32[] memory proof,
        bool[] memory proofFlags,
        string[] memory paths,
        uint256[] memory sizes,
        bytes32[] memory sha256Digests
    ) external view returns (bool included, Status status);
}
