// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IAccessLeases} from "./interfaces/IAccessLeases.sol";
import {IDatasetRegistry} from "./interfaces/IDatasetRegistry.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/**
 * @title AccessLeases
 * @notice Time-bounded access leases to aiprov datasets and models, granted by their owners
 * and managers or bought at the owner's price, with an on-chain log of every access attempt.
 *
 * @dev How to use it: deploy it with the addresses of the DatasetRegistry and the
 * ModelRegistry. An asset's owner or manager calls {grant} / {extend} / {revoke}; anyone asks
 * {hasAccess} (one call that honours expiry and revocation); a grantee calls {recordAccess}
 * before using the asset, which logs the attempt whatever the answer. For paid access the
 * owner calls {setPrice} (in ETH or one ERC-20 token) and optionally {setPayees}; buyers call
 * {buy} (ETH) or {buyWithToken} with the exact payment; each payee {withdraw}s its balance per
 * token. A gateway's operator (an owner or manager) calls {anchorAccessBatch} for each batch
 * of its access log.
 *
 * Gas design (a new grant by the owner must cost at most 55,000 gas and a grantee's
 * {recordAccess} at most 35,000, whole transaction):
 * - a lease is one packed slot `expiresAt (64) | paidUntil (64) | revoked (8)`, so a grant
 *   writes one fresh slot and a check reads one;
 * - leases are keyed `_leases[kind][assetId][account]`: a fixed array of two mappings, so the
 *   kind costs an addition, not a third keccak, and dataset and model ids never collide;
 * - the access log is events only: {recordAccess} reads the caller's lease and, only without
 *   an active one, asks the registry (owners and managers have access too); it writes nothing;
 * - authorisation is one `canManage` call to the asset's registry, which also tells an unknown
 *   asset by its `DatasetNotFound` / `ModelNotFound` revert, so no `exists` call is needed;
 *   the call is a plain `try` (no assembly: a hand-written call saved ~220 gas per call, which
 *   does not decide any budget, see contracts/README.md);
 * - one reentrancy guard, in transient storage (EIP-1153), covers every function that moves
 *   value ({buy}, {buyWithToken}, {withdraw}).
 * Both registries answer `canManage(uint256,address)` and `ownerOf(uint256)` with the same
 * selectors, so one code path serves both kinds.
 */
contract AccessLeases is IAccessLeases, ReentrancyGuardTransient {
    /// @inheritdoc IAccessLeases
    uint64 public constant MIN_DURATION = 1 minutes;

    /// @inheritdoc IAccessLeases
    uint64 public constant MAX_DURATION = 3650 days;

    /// @inheritdoc IAccessLeases
    uint256 public constant MAX_DAYS = 3650;

    /// @inheritdoc IAccessLeases
    uint256 public constant MAX_PAYEES = 16;

    /// @dev The DatasetRegistry that dataset ids refer to.
    address private immutable _datasetRegistry;

    /// @dev The ModelRegistry that model ids refer to.
    address private immutable _modelRegistry;

    /// @dev Leases by kind (the array index is `uint256(kind)`), asset id and grantee.
    mapping(uint256 assetId => mapping(address account => Lease))[2] private _leases;

    /// @dev Prices (amount per day and token) by kind, asset id and the owner who set them, so
    /// that a transfer of ownership takes the asset off sale until the new owner sets a price.
    mapping(uint256 assetId => mapping(address owner => Price))[2] private _prices;

    /// @dev Payees of the proceeds by kind, asset id and the owner who set them (empty: the
    /// owner alone), for the same reason.
    mapping(uint256 assetId => mapping(address owner => Payee[]))[2] private _payees;

    /// @dev Per kind and asset id: the chain head of the anchored gateway access log and the
    /// number of batches (one slot, so anchoring a batch writes one word).
    mapping(uint256 assetId => AccessLog)[2] private _accessLogs;

    /// @dev What each payee can withdraw, per token (the zero address for ETH).
    mapping(address payee => mapping(address token => uint256 amount)) private _proceeds;

    /// @dev Fixes the two registries.
    /// @param datasetRegistry_ Address of the DatasetRegistry; not zero ({LeaseZeroAddress}).
    /// @param modelRegistry_ Address of the ModelRegistry; not zero ({LeaseZeroAddress}).
    constructor(address datasetRegistry_, address modelRegistry_) {
        if (datasetRegistry_ == address(0) || modelRegistry_ == address(0)) revert LeaseZeroAddress();
        _datasetRegistry = datasetRegistry_;
        _modelRegistry = modelRegistry_;
    }

    /// @inheritdoc IAccessLeases
    function datasetRegistry() external view returns (address) {
        return _datasetRegistry;
    }

    /// @inheritdoc IAccessLeases
    function modelRegistry() external view returns (address) {
        return _modelRegistry;
    }

    /// @inheritdoc IAccessLeases
    function grant(AssetKind kind, uint256 assetId, address grantee, uint64 duration) external {
        if (grantee == address(0)) revert LeaseZeroAddress();
        _checkDuration(duration);
        _checkManager(kind, assetId);
        Lease storage lease = _leases[uint256(kind)][assetId][grantee];
        uint64 end = uint64(block.timestamp) + duration;
        uint64 current = lease.expiresAt;
        // An active lease is never revoked (revoke sets expiresAt to the revocation time), so
        // comparing the ends is enough to keep a later one.
        if (current > end) end = current;
        lease.expiresAt = end;
        lease.revoked = false;
        emit LeaseGranted(kind, assetId, grantee, end, msg.sender);
    }

    /// @inheritdoc IAccessLeases
    function extend(AssetKind kind, uint256 assetId, address grantee, uint64 duration) external {
        if (grantee == address(0)) revert LeaseZeroAddress();
        _checkDuration(duration);
        _checkManager(kind, assetId);
        Lease storage lease = _leases[uint256(kind)][assetId][grantee];
        uint64 current = lease.expiresAt;
        if (current == 0 || lease.revoked) revert LeaseNotActive(uint8(kind), assetId, grantee);
        uint64 start = uint64(block.timestamp);
        if (current > start) start = current;
        uint64 end = start + duration;
        lease.expiresAt = end;
        emit LeaseExtended(kind, assetId, grantee, end, msg.sender);
    }

    /// @inheritdoc IAccessLeases
    function revoke(AssetKind kind, uint256 assetId, address grantee) external {
        _checkManager(kind, assetId);
        Lease storage lease = _leases[uint256(kind)][assetId][grantee];
        if (!_isActive(lease)) revert LeaseNotActive(uint8(kind), assetId, grantee);
        uint64 paidUntil = lease.paidUntil;
        if (block.timestamp < paidUntil) revert LeasePaidNotRevocable(uint8(kind), assetId, grantee, paidUntil);
        lease.expiresAt = uint64(block.timestamp);
        lease.revoked = true;
        emit LeaseRevoked(kind, assetId, grantee, msg.sender);
    }

    /// @inheritdoc IAccessLeases
    function expiresAt(AssetKind kind, uint256 assetId, address account) external view returns (uint64) {
        return _leases[uint256(kind)][assetId][account].expiresAt;
    }

    /// @inheritdoc IAccessLeases
    function getLease(AssetKind kind, uint256 assetId, address account) external view returns (Lease memory) {
        return _leases[uint256(kind)][assetId][account];
    }

    /// @inheritdoc IAccessLeases
    function hasAccess(AssetKind kind, uint256 assetId, address account) external view returns (bool) {
        return _isActive(_leases[uint256(kind)][assetId][account]) || _mayManage(kind, assetId, account);
    }

    /// @inheritdoc IAccessLeases
    function recordAccess(AssetKind kind, uint256 assetId) external returns (bool granted) {
        Lease storage lease = _leases[uint256(kind)][assetId][msg.sender];
        granted = _isActive(lease) || _mayManage(kind, assetId, msg.sender);
        emit AccessRecorded(kind, assetId, msg.sender, granted, lease.expiresAt);
    }

    /// @inheritdoc IAccessLeases
    function setPrice(AssetKind kind, uint256 assetId, uint256 pricePerDay, address token) external {
        _checkOwner(kind, assetId);
        if (pricePerDay > type(uint96).max) revert LeaseInvalidPrice(pricePerDay);
        if (token != address(0) && token.code.length == 0) revert LeaseInvalidToken(token);
        _prices[uint256(kind)][assetId][msg.sender] = Price(uint96(pricePerDay), token);
        emit PriceSet(kind, assetId, token, pricePerDay);
    }

    /// @inheritdoc IAccessLeases
    function priceOf(AssetKind kind, uint256 assetId) external view returns (uint256 pricePerDay, address token) {
        Price storage price = _prices[uint256(kind)][assetId][_ownerOf(kind, assetId)];
        return (price.perDay, price.token);
    }

    /// @inheritdoc IAccessLeases
    function setPayees(
        AssetKind kind,
        uint256 assetId,
        address[] calldata accounts,
        uint96[] calldata shares
    ) external {
        _checkOwner(kind, assetId);
        uint256 n = accounts.length;
        if (n != shares.length || n > MAX_PAYEES) revert LeaseInvalidPayees(address(0), n);
        Payee[] storage payees = _payees[uint256(kind)][assetId][msg.sender];
        while (payees.length > 0) payees.pop();
        for (uint256 i = 0; i < n; ++i) {
            address account = accounts[i];
            uint96 weight = shares[i];
            if (account == address(0) || weight == 0) revert LeaseInvalidPayees(account, weight);
            for (uint256 j = 0; j < i; ++j) {
                if (accounts[j] == account) revert LeaseInvalidPayees(account, weight);
            }
            payees.push(Payee(account, weight));
        }
        emit PayeesSet(kind, assetId, msg.sender, accounts, shares);
    }

    /// @inheritdoc IAccessLeases
    function payeesOf(AssetKind kind, uint256 assetId) external view returns (Payee[] memory) {
        return _payees[uint256(kind)][assetId][_ownerOf(kind, assetId)];
    }

    /// @inheritdoc IAccessLeases
    function buy(AssetKind kind, uint256 assetId, uint256 numDays) external payable nonReentrant {
        (address owner, uint256 total) = _quote(kind, assetId, numDays, address(0));
        if (msg.value != total) revert LeaseWrongPayment(total, msg.value);
        _sell(kind, assetId, numDays, owner, address(0), total);
    }

    /// @inheritdoc IAccessLeases
    function buyWithToken(
        AssetKind kind,
        uint256 assetId,
        uint256 numDays,
        address token,
        uint256 amount
    ) external nonReentrant {
        (address owner, uint256 total) = _quote(kind, assetId, numDays, token);
        if (amount != total) revert LeaseWrongPayment(total, amount);
        uint256 before = IERC20(token).balanceOf(address(this));
        SafeERC20.safeTransferFrom(IERC20(token), msg.sender, address(this), total);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != total) revert LeaseTokenNotExact(token, total, received);
        _sell(kind, assetId, numDays, owner, token, total);
    }

    /// @inheritdoc IAccessLeases
    function proceedsOf(address payee, address token) external view returns (uint256) {
        return _proceeds[payee][token];
    }

    /// @inheritdoc IAccessLeases
    function withdraw(address token) external nonReentrant {
        uint256 amount = _proceeds[msg.sender][token];
        if (amount == 0) revert LeaseNothingToWithdraw(msg.sender, token);
        _proceeds[msg.sender][token] = 0;
        emit ProceedsWithdrawn(msg.sender, token, amount);
        if (token == address(0)) {
            Address.sendValue(payable(msg.sender), amount);
        } else {
            SafeERC20.safeTransfer(IERC20(token), msg.sender, amount);
        }
    }

    /// @inheritdoc IAccessLeases
    function anchorAccessBatch(
        AssetKind kind,
        uint256 assetId,
        bytes32 batchRoot,
        uint64 count
    ) external returns (uint256 batchId) {
        if (batchRoot == bytes32(0) || count == 0) revert LeaseInvalidBatch(batchRoot, count);
        _checkManager(kind, assetId);
        AccessLog storage log = _accessLogs[uint256(kind)][assetId];
        bytes28 prevHead = log.head;
        uint32 id = log.batches + 1;
        bytes28 head = bytes28(keccak256(abi.encode(prevHead, batchRoot, count, id, kind, assetId)));
        log.head = head;
        log.batches = id;
        emit AccessBatchAnchored(kind, assetId, id, batchRoot, count, prevHead, head, msg.sender);
        return id;
    }

    /// @inheritdoc IAccessLeases
    function accessLogHead(AssetKind kind, uint256 assetId) external view returns (bytes28 head, uint32 batches) {
        AccessLog storage log = _accessLogs[uint256(kind)][assetId];
        return (log.head, log.batches);
    }

    /// @dev The asset's owner and the total for `numDays` at its price, which must be in
    /// `token` (the zero address for ETH). Reverts with {LeaseAssetNotFound},
    /// {LeaseNotForSale}, {LeaseWrongToken}, {LeaseInvalidDays}, in this order.
    function _quote(
        AssetKind kind,
        uint256 assetId,
        uint256 numDays,
        address token
    ) private view returns (address owner, uint256 total) {
        owner = _ownerOf(kind, assetId);
        Price storage price = _prices[uint256(kind)][assetId][owner];
        uint256 perDay = price.perDay;
        if (perDay == 0) revert LeaseNotForSale(uint8(kind), assetId);
        if (price.token != token) revert LeaseWrongToken(price.token, token);
        if (numDays == 0 || numDays > MAX_DAYS) revert LeaseInvalidDays(numDays);
        total = perDay * numDays; // < 2**96 * 3650: cannot overflow
    }

    /// @dev Extends the caller's lease by `numDays` paid days, and splits `total` of `token`
    /// among the payees `owner` set (or credits `owner` alone).
    function _sell(
        AssetKind kind,
        uint256 assetId,
        uint256 numDays,
        address owner,
        address token,
        uint256 total
    ) private {
        Lease storage lease = _leases[uint256(kind)][assetId][msg.sender];
        uint64 start = uint64(block.timestamp);
        if (_isActive(lease)) start = lease.expiresAt;
        uint64 end = start + uint64(numDays) * 1 days;
        lease.expiresAt = end;
        lease.paidUntil = end;
        lease.revoked = false;
        emit LeasePurchased(kind, assetId, msg.sender, numDays, token, total, end);

        Payee[] storage payees = _payees[uint256(kind)][assetId][owner];
        uint256 n = payees.length;
        if (n == 0) {
            _credit(kind, assetId, owner, token, total);
            return;
        }
        uint256 totalShares = 0;
        for (uint256 i = 0; i < n; ++i) totalShares += payees[i].shares;
        uint256 rest = total;
        for (uint256 i = 1; i < n; ++i) {
            Payee storage payee = payees[i];
            uint256 part = (total * payee.shares) / totalShares;
            rest -= part;
            _credit(kind, assetId, payee.account, token, part);
        }
        _credit(kind, assetId, payees[0].account, token, rest);
    }

    /// @dev Adds `amount` of `token` to `payee`'s balance (nothing, and no event, for 0).
    function _credit(AssetKind kind, uint256 assetId, address payee, address token, uint256 amount) private {
        if (amount == 0) return;
        _proceeds[payee][token] += amount;
        emit ProceedsCredited(kind, assetId, payee, token, amount);
    }

    /// @dev Reverts with {LeaseAssetNotFound} for an unknown asset and {LeaseUnauthorized}
    /// unless the caller is its owner.
    function _checkOwner(AssetKind kind, uint256 assetId) private view {
        if (_ownerOf(kind, assetId) != msg.sender) revert LeaseUnauthorized(uint8(kind), assetId, msg.sender);
    }

    /// @dev Whether `lease` gives access now.
    function _isActive(Lease storage lease) private view returns (bool) {
        return !lease.revoked && block.timestamp < lease.expiresAt;
    }

    /// @dev Reverts with {LeaseInvalidDuration} unless `MIN_DURATION <= duration <= MAX_DURATION`.
    function _checkDuration(uint64 duration) private pure {
        if (duration < MIN_DURATION || duration > MAX_DURATION) revert LeaseInvalidDuration(duration);
    }

    /// @dev Reverts with {LeaseAssetNotFound} for an unknown asset and {LeaseUnauthorized}
    /// unless the caller is its owner or one of its managers.
    function _checkManager(AssetKind kind, uint256 assetId) private view {
        try _registry(kind).canManage(assetId, msg.sender) returns (bool allowed) {
            if (!allowed) revert LeaseUnauthorized(uint8(kind), assetId, msg.sender);
        } catch (bytes memory reason) {
            _passOnUnlessNotFound(reason);
            revert LeaseAssetNotFound(uint8(kind), assetId);
        }
    }

    /// @dev Whether `account` owns or manages the asset; false for an unknown asset.
    function _mayManage(AssetKind kind, uint256 assetId, address account) private view returns (bool) {
        try _registry(kind).canManage(assetId, account) returns (bool allowed) {
            return allowed;
        } catch (bytes memory reason) {
            _passOnUnlessNotFound(reason);
            return false;
        }
    }

    /// @dev The asset's current owner; reverts with {LeaseAssetNotFound} for an unknown asset.
    function _ownerOf(AssetKind kind, uint256 assetId) private view returns (address) {
        try _registry(kind).ownerOf(assetId) returns (address owner) {
            return owner;
        } catch (bytes memory reason) {
            _passOnUnlessNotFound(reason);
            revert LeaseAssetNotFound(uint8(kind), assetId);
        }
    }

    /// @dev The registry that ids of `kind` refer to.
    function _registry(AssetKind kind) private view returns (IAssetRegistry) {
        return IAssetRegistry(kind == AssetKind.Dataset ? _datasetRegistry : _modelRegistry);
    }

    /// @dev Re-throws a registry's revert as it is, unless it is the registry's not-found error
    /// (`DatasetNotFound` or `ModelNotFound`), which the caller turns into its own answer.
    function _passOnUnlessNotFound(bytes memory reason) private pure {
        bytes4 selector = bytes4(reason);
        bool notFound = reason.length >= 4 &&
            (selector == IDatasetRegistry.DatasetNotFound.selector || selector == IModelRegistry.ModelNotFound.selector);
        if (!notFound) LowLevelCall.bubbleRevert(reason);
    }
}
