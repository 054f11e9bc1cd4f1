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
 * Paid leases: the owner sets a price per day in ETH or in one ERC-20 token ({setPrice};
 * prices are kept per owner, so a new owner starts with no price). Anyone buys whole days by
 * paying exactly: {buy} with ETH, {buyWithToken} with the token (after approving exactly that
 * amount; a token that delivers less than the amount, such as a fee-on-transfer token, is
 * refused). The payment is split at once among the asset's payees ({setPayees}, by weights;
 * the owner alone when none are set) and credited to each, per token; every payee withdraws
 * its own balance ({withdraw}: pull payment). A lease cannot be revoked before its
 * `paidUntil`.
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
     * @notice An asset's price, as its owner set it (a single storage slot).
     * @param perDay Amount per day of access in the token's smallest unit (wei for ETH);
     * 0 means not for sale.
     * @param token The ERC-20 token paid in; the zero address means ETH.
     */
    struct Price {
        uint96 perDay;
        address token;
    }

    /**
     * @notice One payee of an asset's proceeds and its weight (a single storage slot).
     * @param account Account credited.
     * @param shares Its weight: it is credited `paid * shares / totalShares` of each purchase
     * (see {setPayees}).
     */
    struct Payee {
        address account;
        uint96 shares;
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
     * @param token Token paid in; the zero address for ETH.
     * @param paid Amount paid (`pricePerDay * numDays`, in the token's smallest unit), split
     * among the payees ({ProceedsCredited}).
     * @param expiresAt The lease's new end, which is also its new `paidUntil`.
     */
    event LeasePurchased(
        AssetKind indexed kind,
        uint256 indexed assetId,
        address indexed buyer,
        uint256 numDays,
        address token,
        uint256 paid,
        uint64 expiresAt
    );

    /**
     * @notice Emitted when an asset's owner sets its price.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param token Token of the price; the zero address for ETH.
     * @param pricePerDay Amount per day in the token's smallest unit; 0 means not for sale.
     */
    event PriceSet(AssetKind indexed kind, uint256 indexed assetId, address token, uint256 pricePerDay);

    /**
     * @notice Emitted when an asset's owner sets (or clears) the payees of its proceeds.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param owner The owner who set them (payees are kept per owner).
     * @param accounts The payees, in order; empty: the owner alone.
     * @param shares Their weights, in the same order.
     */
    event PayeesSet(
        AssetKind indexed kind,
        uint256 indexed assetId,
        address indexed owner,
        address[] accounts,
        uint96[] shares
    );

    /**
     * @notice Emitted for each payee's part of a purchase, credited to its balance.
     * @param kind Kind of the asset bought.
     * @param assetId Id of the asset.
     * @param payee Account credited.
     * @param token Token credited; the zero address for ETH.
     * @param amount Amount credited, in the token's smallest unit.
     */
    event ProceedsCredited(
        AssetKind indexed kind,
        uint256 indexed assetId,
        address indexed payee,
        address token,
        uint256 amount
    );

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
     * @notice Emitted when a payee withdraws its balance of one token.
     * @param payee Account that withdrew (and received the amount).
     * @param token Token withdrawn; the zero address for ETH.
     * @param amount Amount withdrawn, in the token's smallest unit.
     */
    event ProceedsWithdrawn(address indexed payee, address indexed token, uint256 amount);

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
     * @notice The payment is not exactly `pricePerDay * numDays`: the wei sent with {buy}, or
     * the amount named in {buyWithToken}.
     * @param expected What had to be paid.
     * @param sent What was sent or named.
     */
    error LeaseWrongPayment(uint256 expected, uint256 sent);

    /**
     * @notice The purchase names another currency than the asset's price: {buy} (ETH) for a
     * price in a token, or {buyWithToken} with another token or for a price in ETH.
     * @param expected The price's token (the zero address for ETH).
     * @param given The token the buyer named (the zero address for ETH).
     */
    error LeaseWrongToken(address expected, address given);

    /**
     * @notice The token delivered less (or more) than the amount transferred: a fee-on-transfer
     * or rebasing token, which cannot pay for leases exactly.
     * @param token The token.
     * @param expected The amount transferred.
     * @param received What the contract's balance grew by.
     */
    error LeaseTokenNotExact(address token, uint256 expected, uint256 received);

    /**
     * @notice A price token that is not a contract.
     * @param token The address given.
     */
    error LeaseInvalidToken(address token);

    /**
     * @notice The caller has no balance of that token to withdraw.
     * @param payee The caller.
     * @param token The token (the zero address for ETH).
     */
    error LeaseNothingToWithdraw(address payee, address token);

    /**
     * @notice A price per day above `2**96 - 1` in the token's smallest unit (79 billion
     * tokens of 18 decimals), so that a price fits one slot with its token and
     * `pricePerDay * numDays` can never overflow.
     * @param pricePerDay The price given.
     */
    error LeaseInvalidPrice(uint256 pricePerDay);

    /**
     * @notice Payees that cannot split proceeds: lists of different lengths, more than
     * {MAX_PAYEES}, the zero address, a payee listed twice, or a weight of 0.
     * @param account The offending payee (the zero address for a length problem).
     * @param shares Its weight (or the number of payees, for a length problem).
     */
    error LeaseInvalidPayees(address account, uint256 shares);

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
     * @notice The most payees an asset's proceeds may be split among.
     * @return 16.
     */
    function MAX_PAYEES() external view returns (uint256);

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
     * @notice Sets the price of a day of access to an asset, in ETH or in one ERC-20 token.
     * Owner of the asset only.
     * @dev Prices are kept per owner: after a transfer of ownership the asset is not for sale
     * until the new owner sets a price (and the old price returns if the asset returns to
     * its old owner). Checks, in this order: the asset exists ({LeaseAssetNotFound}), the
     * caller owns it ({LeaseUnauthorized}; managers are refused), `pricePerDay < 2**96`
     * ({LeaseInvalidPrice}), `token` is zero or a contract ({LeaseInvalidToken}). Whether the
     * token transfers exactly is checked at each purchase. Emits {PriceSet}.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param pricePerDay Amount per day in the token's smallest unit (wei for ETH); 0 takes
     * the asset off sale.
     * @param token The ERC-20 token to be paid in; the zero address for ETH.
     */
    function setPrice(AssetKind kind, uint256 assetId, uint256 pricePerDay, address token) external;

    /**
     * @notice The price of a day of access to an asset, set by its current owner.
     * @dev Reverts with {LeaseAssetNotFound} for an unknown asset.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @return pricePerDay Amount per day in the token's smallest unit; 0 if not for sale.
     * @return token Token of the price; the zero address for ETH.
     */
    function priceOf(AssetKind kind, uint256 assetId) external view returns (uint256 pricePerDay, address token);

    /**
     * @notice Sets who receives the proceeds of an asset's sales, and in what proportion.
     * Owner of the asset only.
     * @dev The share rule: `shares` are weights. Each purchase of `paid` credits payee `i`
     * `paid * shares[i] / sum(shares)` (rounded down), and the first payee also the remainder
     * of the rounding, so the parts add up to `paid` exactly. For example weights 1, 1, 1 of
     * 100 wei credit 34, 33, 33; basis points (weights summing to 10,000) work as well. Empty
     * lists clear the payees: the owner alone is credited. Payees are kept per owner, like
     * prices: after a transfer the new owner is credited until it sets its own. A change
     * applies to later purchases; what was credited stays with its payee. Checks, in this
     * order: the asset exists ({LeaseAssetNotFound}), the caller owns it
     * ({LeaseUnauthorized}), then {LeaseInvalidPayees}: lists of the same length, at most
     * {MAX_PAYEES}, no zero address, no account twice, every weight at least 1. Emits
     * {PayeesSet}.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param accounts The payees, in order (the first one gets the rounding remainder).
     * @param shares Their weights, each at least 1 and below `2**96`.
     */
    function setPayees(
        AssetKind kind,
        uint256 assetId,
        address[] calldata accounts,
        uint96[] calldata shares
    ) external;

    /**
     * @notice The payees its current owner set for an asset.
     * @dev Reverts with {LeaseAssetNotFound} for an unknown asset. Empty: the owner alone is
     * credited.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @return The payees and their weights, in order.
     */
    function payeesOf(AssetKind kind, uint256 assetId) external view returns (Payee[] memory);

    /**
     * @notice Buys `numDays` days of access to an asset priced in ETH for the caller, paying
     * exactly `pricePerDay * numDays` wei.
     * @dev An active lease grows from its end; otherwise (none, expired or revoked) the lease
     * starts now and `revoked` is cleared. `paidUntil` becomes the new end, so the whole
     * lease, granted days included, is then not revocable before it ends. The payment is
     * split among the payees set by the asset's owner at this moment (see {setPayees}).
     * Checks, in this order: the asset exists ({LeaseAssetNotFound}), it has a price
     * ({LeaseNotForSale}), in ETH ({LeaseWrongToken}), `numDays` is 1 to `MAX_DAYS`
     * ({LeaseInvalidDays}), the payment is exact ({LeaseWrongPayment}). Guarded against
     * reentrancy. Emits {LeasePurchased} and one {ProceedsCredited} per payee.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param numDays Whole days to buy.
     */
    function buy(AssetKind kind, uint256 assetId, uint256 numDays) external payable;

    /**
     * @notice Buys `numDays` days of access to an asset priced in an ERC-20 token, paying
     * exactly `pricePerDay * numDays` of it. Approve this contract for exactly `amount` first.
     * @dev Same lease rules as {buy}. The buyer names the token and the amount it expects to
     * pay, so a price changed after it looked (another amount or another token) makes the
     * purchase fail instead of charging something else. The amount is pulled with
     * `transferFrom` (OpenZeppelin `SafeERC20`) and the contract's balance must grow by exactly
     * that much, else {LeaseTokenNotExact} (fee-on-transfer tokens). Checks, in this order:
     * the asset exists, it has a price, in `token` ({LeaseWrongToken}), `numDays` in bounds,
     * `amount` is the total ({LeaseWrongPayment}), then the transfer. Guarded against
     * reentrancy (the token is called). Emits {LeasePurchased} and one {ProceedsCredited} per
     * payee.
     * @param kind Kind of the asset.
     * @param assetId Id of the asset in its registry.
     * @param numDays Whole days to buy.
     * @param token The price's token.
     * @param amount `pricePerDay * numDays`, in the token's smallest unit.
     */
    function buyWithToken(AssetKind kind, uint256 assetId, uint256 numDays, address token, uint256 amount) external;

    /**
     * @notice What a payee can withdraw of one token: its parts of purchases, less what it
     * has withdrawn.
     * @param payee Account to check.
     * @param token The token; the zero address for ETH.
     * @return Amount available to {withdraw}, in the token's smallest unit.
     */
    function proceedsOf(address payee, address token) external view returns (uint256);

    /**
     * @notice Sends the caller its whole balance of one token (or of ETH).
     * @dev Pull payment: the balance is zeroed before the transfer (checks-effects-interactions)
     * and the function is guarded against reentrancy (one guard for {buy}, {buyWithToken} and
     * {withdraw}). ETH goes with all remaining gas (`Address.sendValue`), a token with
     * `SafeERC20.safeTransfer`; if the transfer fails, nothing changes. Reverts with
     * {LeaseNothingToWithdraw} if there is nothing. Emits {ProceedsWithdrawn}.
     * @param token The token to withdraw; the zero address for ETH.
     */
    function withdraw(address token) external;

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
