"""The exception families aiprov raises, and the exit code each maps to.

Every error the library raises on purpose derives from :class:`AiprovError`.
The CLI turns them into a one- or two-line message on stderr and the exit code
below (SPEC §5); anything else is a bug and is shown with a traceback only
under ``-v`` / ``AIPROV_DEBUG=1``.

| family             | exit | meaning                                             |
|--------------------|------|-----------------------------------------------------|
| CheckFailed        | 1    | a check does not hold (mismatch, revoked, denied),  |
|                    |      | or the contract's rules refuse (ContractRefused)    |
| UsageError         | 2    | bad usage or input (path, id, address, duration)    |
| EnvironmentFailure | 3    | chain/RPC/state problem: not deployed, reverted ... |
"""

from __future__ import annotations


class AiprovError(Exception):
    """Root of every error aiprov raises on purpose.

    ``hint`` is an optional second line telling the user how to fix it.
    """

    exit_code = 3

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:  # the one-line form used by the CLI
        return self.message


# --- exit 1: the check does not hold -----------------------------------------


class CheckFailed(AiprovError):
    """A verification or access check that ran correctly and said no."""

    exit_code = 1


class NotRegistered(CheckFailed):
    """The content (root) or id is not registered on the chain."""


class ContentMismatch(CheckFailed):
    """The bytes on disk differ from what was registered."""


class AssetRevoked(CheckFailed):
    """The registration exists but its owner revoked it."""


class ContractRefused(CheckFailed):
    """The contract's rules refuse the action: not owner or manager, not for sale, still paid...

    ``error_name`` is the contract's custom error (``LeaseNotActive``); nothing was sent,
    or what was sent reverted. See :mod:`aiprov.contracts.refusals`.
    """

    def __init__(self, message: str, *, hint: str | None = None, error_name: str | None = None,
                 error_args: tuple = ()) -> None:
        super().__init__(message, hint=hint)
        self.error_name = error_name
        self.error_args = error_args


# --- exit 2: bad usage or input ----------------------------------------------


class UsageError(AiprovError):
    """Bad usage or bad input: the user can fix the command line."""

    exit_code = 2


class InvalidPath(UsageError):
    """A path that is missing, unreadable, empty, or otherwise not hashable."""


class ManifestError(UsageError):
    """A target cannot be turned into a manifest (loop, broken link, file changed...)."""


class InvalidArgument(UsageError):
    """A malformed id, address, duration, amount or option value."""


class InvalidReceipt(UsageError):
    """A receipt or proof file that is not valid aiprov JSON."""


# --- exit 3: the environment failed ------------------------------------------


class EnvironmentFailure(AiprovError):
    """The chain, the node, the state directory or an account let us down."""

    exit_code = 3


class ChainError(EnvironmentFailure):
    """RPC unreachable, wrong chain, or an unexpected node answer."""


class NotDeployed(EnvironmentFailure):
    """No contract code at the recorded address for this chain."""


class TransactionFailed(EnvironmentFailure):
    """A transaction reverted, ran out of funds, or was never mined."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        error_name: str | None = None,
        error_args: tuple = (),
    ) -> None:
        super().__init__(message, hint=hint)
        self.error_name = error_name
        self.error_args = error_args


class NonceTaken(TransactionFailed):
    """Another sender using the same account took this nonce first (retried by send_transaction)."""


class StateLocked(EnvironmentFailure):
    """Another aiprov process holds the state lock for too long."""


class AccountError(EnvironmentFailure):
    """An account cannot be found or unlocked."""
