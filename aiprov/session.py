"""One open connection to a chain, with the account and the contracts on it.

A :class:`Session` is what every library operation works with: the backend,
the state directory, the signer for ``--account``, and the registries —
found in the deployments record, or deployed on first use on ``local``.
It is passed explicitly; nothing reaches for a global.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from .chain.backend import Backend


class Session:
    def __init__(self, backend: Backend, home: Path, account: str | None) -> None:
        self.backend = backend
        self.home = Path(home)
        self.account = account

    @cached_property
    def signer(self):
        from .chain.accounts import resolve_signer

        return resolve_signer(self.account, dev_network=self.backend.dev is not None, home=self.home)

    def _deployer(self):
        """Who deploys missing contracts: dev:0 on the embedded chain, nobody elsewhere."""
        from .chain.accounts import dev_signer

        return dev_signer(0) if self.backend.network == "local" else None

    @cached_property
    def datasets(self):
        from .contracts.dataset_registry import DatasetRegistry
        from .contracts.deployments import require_contract

        address = require_contract(self.backend, self.home, "DatasetRegistry", deployer=self._deployer())
        return DatasetRegistry(self.backend, address)

    @cached_property
    def models(self):
        from .contracts.deployments import require_contract
        from .contracts.model_registry import ModelRegistry
        from .errors import NotDeployed

        datasets = self.datasets
        address = require_contract(
            self.backend, self.home, "ModelRegistry", deployer=self._deployer(), args=(datasets.checksum_address,)
        )
        models = ModelRegistry(self.backend, address)
        linked = models.call("datasetRegistry")
        if linked.lower() != datasets.checksum_address.lower():
            raise NotDeployed(
                f"ModelRegistry at {models.checksum_address} points at DatasetRegistry {linked}, "
                f"not {datasets.checksum_address}",
                hint="redeploy with `aiprov deploy`",
            )
        return models

    def registry(self, kind: str):
        return self.datasets if kind == "dataset" else self.models

    @cached_property
    def leases(self):
        from .contracts.access_leases import AccessLeases
        from .contracts.deployments import require_contract

        datasets, models = self.datasets, self.models
        address = require_contract(
            self.backend, self.home, "AccessLeases", deployer=self._deployer(),
            args=(datasets.checksum_address, models.checksum_address),
        )
        return AccessLeases(self.backend, address)
