"""What a contract's custom error means for the user, and which exit code it gets.

The contracts refuse actions with custom errors (``LeaseNotActive(kind, assetId,
grantee)``). This is the one place that turns a decoded error into a plain sentence
and an exception family (SPEC §5):

- the contract's rules refuse the action (not owner or manager, not for sale, paid
  lease still running, no active lease, already revoked, not found) →
  :class:`~aiprov.errors.ContractRefused`, exit 1;
- the input was malformed (a zero address, a duration out of bounds, a price above
  the cap, the same id twice) → :class:`~aiprov.errors.InvalidArgument`, exit 2;
- anything else (an unknown error, a panic) stays
  :class:`~aiprov.errors.TransactionFailed`, exit 3.

The technical form (``AccessLeases.extend reverted: LeaseNotActive(kind=0, …)``)
goes into the hint, so nothing is lost.
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import AiprovError, ContractRefused, InvalidArgument, TransactionFailed

_KINDS = {0: "dataset", 1: "model"}


def _asset(args: dict[str, Any]) -> str:
    return f"{_KINDS.get(args.get('kind'), 'asset')}:{args.get('assetId')}"


def _when(ts) -> str:
    from ..durations import format_time

    return format_time(int(ts))


# error name → (family, sentence built from the decoded arguments)
_RULES: dict[str, tuple[type[AiprovError], Callable[[dict[str, Any]], str]]] = {
    # AccessLeases
    "LeaseAssetNotFound": (ContractRefused, lambda a: f"{_asset(a)} does not exist"),
    "LeaseUnauthorized": (ContractRefused, lambda a: f"{a['account']} is not allowed to do this on {_asset(a)} "
                                                     "(only its owner, or for leases a manager)"),
    "LeaseNotActive": (ContractRefused, lambda a: f"{a['grantee']} holds no active lease on {_asset(a)}"),
    "LeasePaidNotRevocable": (ContractRefused, lambda a: f"{a['grantee']} paid for {_asset(a)} until "
                                                         f"{_when(a['paidUntil'])}; a paid lease cannot be revoked "
                                                         "before it ends"),
    "LeaseNotForSale": (ContractRefused, lambda a: f"{_asset(a)} is not for sale (its owner has set no price)"),
    "LeaseNothingToWithdraw": (ContractRefused, lambda a: f"{a['owner']} has no proceeds to withdraw"),
    "LeaseWrongPayment": (ContractRefused, lambda a: f"the price changed: buying needs exactly "
                                                     f"{_eth(a['expected'])}, {_eth(a['sent'])} was offered"),
    "LeaseInvalidDuration": (InvalidArgument, lambda a: f"a lease of {a['duration']} s is outside the allowed range"),
    "LeaseInvalidDays": (InvalidArgument, lambda a: f"{a['numDays']} days is outside the allowed range"),
    "LeaseZeroAddress": (InvalidArgument, lambda a: "the zero address cannot hold a lease"),
    "LeaseWrongToken": (ContractRefused, lambda a: f"the price is in {a['expected']}, not in {a['given']} "
                                                   "(the zero address is ETH)"),
    "LeaseTokenNotExact": (ContractRefused, lambda a: f"token {a['token']} delivered {a['received']} instead of "
                                                      f"{a['expected']}: fee-on-transfer tokens are refused"),
    "LeaseInvalidToken": (InvalidArgument, lambda a: f"{a['token']} is not a token contract"),
    "LeaseInvalidPayees": (InvalidArgument, lambda a: f"payees cannot split proceeds ({a['account']}, {a['shares']})"),
    "LeaseInvalidBatch": (InvalidArgument, lambda a: f"an access-log batch of {a['count']} entries with root "
                                                     "0x" + bytes(a["batchRoot"]).hex() + " is empty or has a zero root"),
    "LeaseInvalidPrice": (InvalidArgument, lambda a: f"a price of {_eth(a['pricePerDay'])} per day is above the "
                                                     "cap of 2**128 - 1 wei"),
    # AssetRegistry (both registries)
    "AssetUnauthorized": (ContractRefused, lambda a: f"{a['account']} is not the owner (or a manager) of {a['id']}"),
    "AssetAlreadyRevoked": (ContractRefused, lambda a: f"{a['id']} is revoked, and revocation is final"),
    "AssetEmptyRoot": (InvalidArgument, lambda a: "an all-zero root cannot be registered"),
    "AssetZeroAddress": (InvalidArgument, lambda a: "the zero address is not allowed here"),
    "AssetInvalidStatus": (InvalidArgument, lambda a: f"the status is already {a['status']}"),
    "AssetLengthMismatch": (InvalidArgument, lambda a: f"{a['given']} values given where {a['expected']} were expected"),
    # DatasetRegistry
    "DatasetNotFound": (ContractRefused, lambda a: f"dataset {a['id']} does not exist"),
    "DatasetParentNotFound": (ContractRefused, lambda a: f"parent dataset {a['parentId']} does not exist"),
    "DatasetConsentAlreadyRevoked": (ContractRefused, lambda a: f"consent for record {a['recordIndex']} of dataset "
                                                                f"{a['id']} is already revoked"),
    "DatasetRecordAlreadyErased": (ContractRefused, lambda a: f"record {a['recordIndex']} of dataset {a['id']} "
                                                              "is already erased"),
    # ModelRegistry
    "ModelNotFound": (ContractRefused, lambda a: f"model {a['id']} does not exist"),
    "ModelDatasetNotFound": (ContractRefused, lambda a: f"dataset {a['datasetId']} does not exist"),
    "ModelDatasetRevoked": (ContractRefused, lambda a: f"dataset {a['datasetId']} is revoked: a model cannot be "
                                                       "registered on it"),
    "ModelParentNotFound": (ContractRefused, lambda a: f"base model {a['parentModelId']} does not exist"),
    "ModelParentRevoked": (ContractRefused, lambda a: f"base model {a['parentModelId']} is revoked: a model cannot "
                                                      "be registered on it"),
    "ModelNoDatasets": (InvalidArgument, lambda a: "a model needs at least one --dataset it was trained on"),
    "ModelDuplicateReference": (InvalidArgument, lambda a: f"id {a['id']} is listed twice"),
    "ModelTooManyReferences": (InvalidArgument, lambda a: f"{a['count']} references is more than the {a['max']} allowed"),
    "ModelZeroAddress": (InvalidArgument, lambda a: "the zero address is not allowed here"),
    "MerkleProofInvalidMultiproof": (InvalidArgument, lambda a: "the multiproof's proof and flags do not fit its leaves"),
    # OpenZeppelin's, from inside a payout: the environment, not the user's input (exit 3)
    "FailedCall": (TransactionFailed, lambda a: "a payment made by the contract failed"),
    "InsufficientBalance": (TransactionFailed, lambda a: f"the contract holds {_eth(a['balance'])}, "
                                                         f"{_eth(a['needed'])} was needed"),
    "SafeERC20FailedOperation": (TransactionFailed, lambda a: f"a transfer of token {a['token']} failed"),
    "ReentrancyGuardReentrantCall": (TransactionFailed, lambda a: "the contract refused a re-entrant call"),
}


def _eth(wei) -> str:
    from ..units import format_wei

    return format_wei(int(wei))


def refusal(name: str, args: dict[str, Any], technical: str) -> AiprovError:
    """The exception for custom error ``name(args)``; ``technical`` (the raw revert) becomes the hint."""
    rule = _RULES.get(name)
    if rule is None:
        return TransactionFailed(technical, error_name=name, error_args=tuple(args.values()))
    family, sentence = rule
    try:
        message = sentence(args)
    except (KeyError, TypeError, ValueError):
        message = technical
    if family is ContractRefused:
        return ContractRefused(message, hint=technical, error_name=name, error_args=tuple(args.values()))
    return family(message, hint=technical)


def is_known(name: str | None) -> bool:
    return name in _RULES
