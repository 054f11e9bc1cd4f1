// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IAccessLeases
 * @notice Time-bounded access to aiprov datasets and models: the owner (or a manager) of an
 * asset grants, extends and revokes leases; anyone can buy days of access at the owner's
 * price; every access attempt is logged on-chain, allowed or denied.
 *
 * @dev An *asset* is a dataset id in the DatasetRegistry or a model id in the ModelRegistry
 * ({AssetKind} says which); both registries are fixed at deployment. Who may manage an asset
 * (its owner, or a manager appointed by its current owner) is asked of its registry
 * (`canManage`, `ownerOf`) at every call, so transfers and appointments take effect at once.
 *
 * A lease is one storage slot per (asset, grantee): {Lease}. It is *active* iff
 * `!revoked && block.timestamp < expiresAt`: access holds up to the second before
 * `expiresAt` and ends at `expiresAt`. {hasAccess} also counts the asset's owner and managers,
 * who need no lease. Leases belong to the asset, not to its owner: they survive a transfer of
 * ownership, and the new owner (or its managers) may revoke them.
 *
 * Durations are seconds, from {MIN_DURATION} (one minute) to {MAX_DURATION} (3,650 days,
 * about ten years) per grant or extension; a purchase is 1 to {MAX_DAYS} (3,650) days. An
 * extension or a purchase adds to an active lease's end, so a lease may run longer than one
 * call allows.
 *
 * Paid leases: the owner sets a price per day ({setPrice}; prices are kept per owner, so a
 * new owner starts with no price), anyone {buy}s whole days by paying exactly, the payment is
 * credited to the asset's owner at the time of purchase, who {withdraw}s it (pull payment).
 * A lease cannot be revoked before its `paidUntil`.
 *
 * The registries' lifecycle status (Active / Deprecated / Revoked) is not consulted here: an
 * owner who revokes an asset stops selling it by setting its price to 0 and revokes the
 * leases it wants to end.
 */
interface IAccessLeases {
    /// @notice Which registry an asset id refers to.
    enum AssetKind {
        Dataset,
        Model
    }

    /**
     * @notice One grantee's lease of one asset (a single storage slot).
     * @param expiresAt First second without access (access holds while `block.timestamp <
     * expiresAt`); 0 if there never was a lease; the revocation time once revoked.
     * @param paidUntil End of the part paid for with {buy}: the lease cannot be revoked before
     * it; 0 if the grantee never bought.
     * @param revoked True after {revoke}, until a new {grant} or {buy}.
     */
    struct Lease {
        uint64 expiresAt;
        uint64 paidUntil;
        bool revoked;
    }

    /**
     * @notice The on-chain end of an asset's gateway access log (a single storage slot).
     * @param head Chain head after the last batch: `bytes28(keccak256(abi.encode(prevHead,
     * batchRoot, count, batchId, kind, assetId)))`, folded over every batch in order; zero
     * before the first batch. See {anchorAccessBatch}.
     * @param batches Number of batches anchored; also the id of the last one (ids start at 1).
     */
    struct AccessLog {
        bytes28 head;
        uint32 batches;
    }

    /**
     * @notice Emitted when an owner or manager grants a lease.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param grantee Account that holds the lease.
     * @param expiresAt The lease's end after the grant (a later existing end is kept).
     * @param by Owner or manager who granted it.
     */
    event LeaseGranted(
        AssetKind indexed kind,
        uint256 indexed assetId,
        address indexed grantee,
        uint64 expiresAt,
        address by
    );

    /**
     * @notice Emitted when an owner or manager extends a lease.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param grantee Account that holds the lease.
     * @param expiresAt The lease's new end.
     * @param by Owner or manager who extended it.
     */
    event LeaseExtended(
        AssetKind indexed kind,
        uint256 indexed assetId,
        address indexed grantee,
        uint64 expiresAt,
        address by
    );

    /**
     * @notice Emitted when an owner or manager revokes a lease; access ended in that block.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param grantee Account that held the lease.
     * @param by Owner or manager who revoked it.
     */
    event LeaseRevoked(AssetKind indexed kind, uint256 indexed assetId, address indexed grantee, address by);

    /**
     * @notice Emitted when someone buys days of access.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param buyer Account that paid and holds the lease.
     * @param numDays Days bought.
     * @param paid Wei paid (`pricePerDay * numDays`), credited to the asset's owner.
     * @param expiresAt The lease's new end, which is also its new `paidUntil`.
     */
    event LeasePurchased(
        AssetKind indexed kind,
        uint256 indexed assetId,
        address indexed buyer,
        uint256 numDays,
        uint256 paid,
        uint64 expiresAt
    );

    /**
     * @notice Emitted when an asset's owner sets its price.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param pricePerDay Wei per day of access; 0 means not for sale.
     */
    event PriceSet(AssetKind indexed kind, uint256 indexed assetId, uint256 pricePerDay);

    /**
     * @notice Emitted by {recordAccess} for every attempt, allowed or denied: the access log.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry (possibly one that does not exist).
     * @param account Account that asked for access.
     * @param granted Whether access was allowed (an active lease, or the owner or a manager).
     * @param expiresAt The account's lease end as stored (0 if it never had one), whether or
     * not access came from it.
     */
    event AccessRecorded(
        AssetKind indexed kind,
        uint256 indexed assetId,
        address indexed account,
        bool granted,
        uint64 expiresAt
    );

    /**
     * @notice Emitted by {anchorAccessBatch}: one batch of a gateway's access log, anchored.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param batchId Position of the batch in the asset's log (1, 2, ...).
     * @param batchRoot Merkle root of the batch's entries (the gateway's; opaque here).
     * @param count Number of entries in the batch.
     * @param prevHead Chain head before this batch (zero for the first).
     * @param head Chain head after it (see {AccessLog}).
     * @param operator Owner or manager (the gateway's operator) who anchored it.
     */
    event AccessBatchAnchored(
        AssetKind indexed kind,
        uint256 indexed assetId,
        uint256 indexed batchId,
        bytes32 batchRoot,
        uint64 count,
        bytes28 prevHead,
        bytes28 head,
        address operator
    );

    /**
     * @notice Emitted when an owner withdraws its proceeds.
     * @param owner Account that withdrew (and received the wei).
     * @param amount Wei withdrawn.
     */
    event ProceedsWithdrawn(address indexed owner, uint256 amount);

    /**
     * @notice The asset is not registered in its registry.
     * @param kind Kind of the asset, as its `uint8` value.
     * @param assetId The unknown id.
     */
    error LeaseAssetNotFound(uint8 kind, uint256 assetId);

    /**
     * @notice The caller may not do this to the asset: not its owner or a manager (grant,
     * extend, revoke), or not its owner ({setPrice}).
     * @param kind Kind of the asset, as its `uint8` value.
     * @param assetId Id of the asset.
     * @param account The caller.
     */
    error LeaseUnauthorized(uint8 kind, uint256 assetId, address account);

    /**
     * @notice A grant or extension duration outside `[MIN_DURATION, MAX_DURATION]`.
     * @param duration The duration given, in seconds.
     */
    error LeaseInvalidDuration(uint256 duration);

    /**
     * @notice A number of days to buy outside `[1, MAX_DAYS]`.
     * @param numDays The number given.
     */
    error LeaseInvalidDays(uint256 numDays);

    /// @notice The zero address cannot hold a lease or be a registry.
    error LeaseZeroAddress();

    /**
     * @notice Nothing to act on: {revoke} found no active lease, or {extend} found no lease at
     * all or a revoked one (a revoked lease comes back only through a new {grant} or {buy}).
     * @param kind Kind of the asset, as its `uint8` value.
     * @param assetId Id of the asset.
     * @param grantee The account whose lease was looked at.
     */
    error LeaseNotActive(uint8 kind, uint256 assetId, address grantee);

    /**
     * @notice The lease was bought and its paid part has not ended yet.
     * @param kind Kind of the asset, as its `uint8` value.
     * @param assetId Id of the asset.
     * @param grantee The lease holder.
     * @param paidUntil When the paid part ends; the lease can be revoked from then on.
     */
    error LeasePaidNotRevocable(uint8 kind, uint256 assetId, address grantee, uint64 paidUntil);

    /**
     * @notice The asset's current owner has set no price (or price 0): it cannot be bought.
     * @param kind Kind of the asset, as its `uint8` value.
     * @param assetId Id of the asset.
     */
    error LeaseNotForSale(uint8 kind, uint256 assetId);

    /**
     * @notice The wei sent with {buy} is not exactly `pricePerDay * numDays`.
     * @param expected What had to be sent.
     * @param sent What was sent.
     */
    error LeaseWrongPayment(uint256 expected, uint256 sent);

    /**
     * @notice The caller has no proceeds to withdraw.
     * @param owner The caller.
     */
    error LeaseNothingToWithdraw(address owner);

    /**
     * @notice A price per day above `2**128 - 1` wei (far beyond all the ether there is), so
     * that `pricePerDay * numDays` can never overflow.
     * @param pricePerDay The price given.
     */
    error LeaseInvalidPrice(uint256 pricePerDay);

    /**
     * @notice An access-log batch with no entries or a zero root.
     * @param batchRoot The root given.
     * @param count The entry count given.
     */
    error LeaseInvalidBatch(bytes32 batchRoot, uint64 count);

    /**
     * @notice The shortest grant or extension, in seconds (one minute).
     * @return 60.
     */
    function MIN_DURATION() external view returns (uint64);

    /**
     * @notice The longest single grant or extension, in seconds (3,650 days).
     * @return 315,360,000.
     */
    function MAX_DURATION() external view returns (uint64);

    /**
     * @notice The most days one {buy} may purchase.
     * @return 3,650.
     */
    function MAX_DAYS() external view returns (uint256);

    /**
     * @notice The DatasetRegistry that dataset ids refer to.
     * @return Its address, fixed at deployment.
     */
    function datasetRegistry() external view returns (address);

    /**
     * @notice The ModelRegistry that model ids refer to.
     * @return Its address, fixed at deployment.
     */
    function modelRegistry() external view returns (address);

    /**
     * @notice Grants `grantee` access to an asset for `duration` seconds from now. Owner or
     * manager of the asset.
     * @dev Sets `expiresAt = block.timestamp + duration`, or keeps the current end if an active
     * lease already ends later (a grant never shortens a lease); clears `revoked`; leaves
     * `paidUntil` as it is. Replaces an expired or revoked lease. Checks, in this order:
     * `grantee` is not zero ({LeaseZeroAddress}), the duration is in bounds
     * ({LeaseInvalidDuration}), the asset exists ({LeaseAssetNotFound}), the caller may manage
     * it ({LeaseUnauthorized}). Emits {LeaseGranted}.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param grantee Account to grant access to.
     * @param duration Seconds of access, `MIN_DURATION` to `MAX_DURATION`.
     */
    function grant(AssetKind kind, uint256 assetId, address grantee, uint64 duration) external;

    /**
     * @notice Adds `duration` seconds to a lease. Owner or manager of the asset.
     * @dev Sets `expiresAt = max(expiresAt, block.timestamp) + duration`: an active lease grows
     * from its end, an expired one starts again now. Reverts with {LeaseNotActive} if the
     * grantee never had a lease or its lease is revoked (use {grant} to give access again).
     * Leaves `paidUntil` as it is. The checks of {grant} come first, in the same order.
     * Emits {LeaseExtended}.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param grantee The lease holder.
     * @param duration Seconds to add, `MIN_DURATION` to `MAX_DURATION`.
     */
    function extend(AssetKind kind, uint256 assetId, address grantee, uint64 duration) external;

    /**
     * @notice Ends a lease now. Owner or manager of the asset.
     * @dev Sets `revoked` and `expiresAt = block.timestamp`; `paidUntil` is kept. Checks, in
     * this order: the asset exists ({LeaseAssetNotFound}), the caller may manage it
     * ({LeaseUnauthorized}), the lease is active ({LeaseNotActive}: none, expired or already
     * revoked), its paid part is over ({LeasePaidNotRevocable} while
     * `block.timestamp < paidUntil`). Emits {LeaseRevoked}.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param grantee The lease holder.
     */
    function revoke(AssetKind kind, uint256 assetId, address grantee) external;

    /**
     * @notice When an account's lease of an asset ends.
     * @dev The stored value: 0 if there never was a lease, a past time once expired, the
     * revocation time once revoked. Does not ask the registry (0 for an unknown asset).
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param account The lease holder.
     * @return The first second without access under the lease.
     */
    function expiresAt(AssetKind kind, uint256 assetId, address account) external view returns (uint64);

    /**
     * @notice An account's lease of an asset, as stored.
     * @dev All zero if there never was one. Does not ask the registry.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param account The lease holder.
     * @return The {Lease}.
     */
    function getLease(AssetKind kind, uint256 assetId, address account) external view returns (Lease memory);

    /**
     * @notice Whether an account may use an asset now.
     * @dev True if its lease is active (`!revoked && block.timestamp < expiresAt`), else if it
     * is the asset's owner or one of its managers. The lease is read first; the registry is
     * asked only without an active lease. False, never a revert, for an unknown asset.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param account Account to check.
     * @return True if `account` has access.
     */
    function hasAccess(AssetKind kind, uint256 assetId, address account) external view returns (bool);

    /**
     * @notice Records the caller's attempt to use an asset, and whether it is allowed.
     * @dev Same rule as {hasAccess}. Never reverts on denial, nor for an unknown asset
     * (denied): every attempt emits {AccessRecorded}, which is the access log.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @return granted True if the caller has access.
     */
    function recordAccess(AssetKind kind, uint256 assetId) external returns (bool granted);

    /**
     * @notice Sets the price of a day of access to an asset. Owner of the asset only.
     * @dev Prices are kept per owner: after a transfer of ownership the asset is not for sale
     * until the new owner sets a price (and the old price returns if the asset returns to
     * its old owner). Reverts with {LeaseAssetNotFound}, {LeaseUnauthorized} (managers
     * included), or {LeaseInvalidPrice} above `2**128 - 1`. Emits {PriceSet}.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param pricePerDay Wei per day; 0 takes the asset off sale.
     */
    function setPrice(AssetKind kind, uint256 assetId, uint256 pricePerDay) external;

    /**
     * @notice The price of a day of access to an asset, set by its current owner.
     * @dev Reverts with {LeaseAssetNotFound} for an unknown asset.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @return Wei per day; 0 if not for sale.
     */
    function priceOf(AssetKind kind, uint256 assetId) external view returns (uint256);

    /**
     * @notice Buys `numDays` days of access to an asset for the caller, paying exactly
     * `priceOf(kind, assetId) * numDays` wei.
     * @dev An active lease grows from its end; otherwise (none, expired or revoked) the lease
     * starts now and `revoked` is cleared. `paidUntil` becomes the new end, so the whole
     * lease, granted days included, is then not revocable before it ends. The payment is
     * credited to the asset's owner at this moment ({proceedsOf}). Checks, in this order:
     * the asset exists ({LeaseAssetNotFound}), it has a price ({LeaseNotForSale}), `numDays`
     * is 1 to `MAX_DAYS` ({LeaseInvalidDays}), the payment is exact ({LeaseWrongPayment}).
     * Emits {LeasePurchased}.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param numDays Whole days to buy.
     */
    function buy(AssetKind kind, uint256 assetId, uint256 numDays) external payable;

    /**
     * @notice Wei an owner can withdraw: what buyers paid while it owned the assets, less
     * what it has withdrawn.
     * @param owner Account to check.
     * @return Wei available to {withdraw}.
     */
    function proceedsOf(address owner) external view returns (uint256);

    /**
     * @notice Sends the caller all its proceeds.
     * @dev Pull payment: the balance is zeroed before the transfer (checks-effects-interactions)
     * and the function is guarded against reentrancy. The whole amount goes to the caller
     * with all remaining gas; if the caller refuses it (reverts), nothing changes. Reverts
     * with {LeaseNothingToWithdraw} if there is nothing. Emits {ProceedsWithdrawn}.
     */
    function withdraw() external;

    /**
     * @notice Anchors one batch of a gateway's access log for an asset, so that the log cannot
     * be rewritten, reordered or cut short later. Owner or manager of the asset (the gateway's
     * operator).
     * @dev The contract keeps per asset one {AccessLog} slot: a batch counter and a chain head.
     * Batch `n` (from 1) sets `head_n = bytes28(keccak256(abi.encode(head_{n-1}, batchRoot,
     * count, n, kind, assetId)))` with `head_0 = 0` (`abi.encode` pads the `bytes28` head on
     * the right, the `uint64`, `uint256` and enum values on the left). Anyone holding the
     * {AccessBatchAnchored} events (or the gateway's local log) recomputes the chain and
     * compares it with {accessLogHead}: a batch left out, changed or moved breaks it. The head
     * is truncated to 224 bits so that it shares its slot with the counter (one storage write
     * per batch): replacing a batch means finding a second preimage of a 224-bit hash. The
     * cost does not depend on `count` (the entries never reach the chain). Checks, in this
     * order: `batchRoot != 0 && count != 0` ({LeaseInvalidBatch}), the asset exists
     * ({LeaseAssetNotFound}), the caller may manage it ({LeaseUnauthorized}). Reverts with
     * a panic after 2**32 - 1 batches. Emits {AccessBatchAnchored}.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param batchRoot Merkle root of the batch's entries (how entries are hashed is the
     * gateway's format; the contract only commits to the root).
     * @param count Number of entries in the batch, at least 1.
     * @return batchId The batch's position in the asset's log (1 for the first).
     */
    function anchorAccessBatch(
        AssetKind kind,
        uint256 assetId,
        bytes32 batchRoot,
        uint64 count
    ) external returns (uint256 batchId);

    /**
     * @notice The current end of an asset's anchored access log.
     * @dev Does not ask the registry (zeros for an unknown asset or one never anchored).
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @return head Chain head after the last batch (zero before the first).
     * @return batches Number of batches anchored (the last batch's id).
     */
    function accessLogHead(AssetKind kind, uint256 assetId) external view returns (bytes28 head, uint32 batches);
}
