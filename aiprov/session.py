"""One open connection to a chain, with the account and the contracts on it.

A :class:`Session` is what every library operation works with: the backend,
the state directory, the signer for ``--account``, and the registries. The
contracts are found without any local state (:mod:`aiprov.contracts.discovery`:
a receipt's address, the canonical CREATE2 address, the deployments cache) and
trusted only when their code is the shipped code; on ``local`` missing ones are
deployed on first use. Event reads on RPC chains go through the incremental
cache of :mod:`aiprov.chain.events`. It is passed explicitly; nothing reaches
for a global.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from .chain.backend import Backend


class Session:
    """``hints``: ``{"chain_id": N, contract name: address}`` named by a receipt or proof.

    A hint is only a candidate: it is used on chain ``N`` only, and only when the
    code there passes the same check as any other address.
    """

    def __init__(self, backend: Backend, home: Path, account: str | None, *, hints: dict | None = None) -> None:
        self.backend = backend
        self.home = Path(home)
        self.account = account
        hints = dict(hints or {})
        same_chain = hints.pop("chain_id", None) == backend.chain_id
        self.hints: dict[str, bytes] = hints if same_chain else {}
        #: things the user should know (a receipt naming another contract...), shown as warnings
        self.warnings: list[str] = []

    @cached_property
    def signer(self):
        from .chain.accounts import resolve_signer

        return resolve_signer(self.account, dev_network=self.backend.dev is not None, home=self.home)

    @cached_property
    def events(self):
        """The event cache (None on ``local``, whose chain indexes its own logs)."""
        from .chain.events import EventCache

        return EventCache(None if self.backend.network == "local" else self.home)

    def close(self) -> None:
        if "events" in self.__dict__ and self.events is not None:
            self.events.close()
        self.backend.close()

    def _find(self, name: str, links: tuple[bytes, ...] | None = None, linked_from: str | None = None,
              hint: bytes | None = None):
        """Where ``name`` is: found (any chain), or deployed on first use on ``local``; else exit 3."""
        from .contracts.discovery import checksum, locate, require

        kwargs = dict(hint=hint or self.hints.get(name), links=links, warnings=self.warnings,
                      hint_from=linked_from or "the receipt")
        if self.backend.network != "local":
            return require(self.backend, self.home, name, **kwargs)
        found = locate(self.backend, self.home, name, **kwargs)
        if found is None:
            from .chain.accounts import dev_signer
            from .contracts.deployments import deploy_deterministic

            deploy_deterministic(self.backend, self.home, dev_signer(0), name, tuple(checksum(a) for a in links or ()))
            found = require(self.backend, self.home, name, links=links)
        return found

    def _bind(self, cls, found):
        bound = cls(self.backend, found.address, events=self.events, deploy_block=found.deploy_block)
        bound.home = self.home  # where earlier versions of it are remembered (see AssetRegistry.superseded)
        return bound

    def _model_first(self) -> bool:
        """A model receipt names only ModelRegistry: the dataset registry is then the one it is built on."""
        return "ModelRegistry" in self.hints and "DatasetRegistry" not in self.hints

    @cached_property
    def _model_and_dataset(self):
        from .contracts.dataset_registry import DatasetRegistry
        from .contracts.model_registry import ModelRegistry

        models = self._find("ModelRegistry")
        datasets = self._find("DatasetRegistry", hint=models.links[0], linked_from="ModelRegistry")
        return self._bind(ModelRegistry, models), self._bind(DatasetRegistry, datasets)

    @cached_property
    def datasets(self):
        from .contracts.dataset_registry import DatasetRegistry

        if self._model_first():
            return self._model_and_dataset[1]
        return self._bind(DatasetRegistry, self._find("DatasetRegistry"))

    @cached_property
    def models(self):
        from .contracts.model_registry import ModelRegistry

        if self._model_first():
            return self._model_and_dataset[0]
        return self._bind(ModelRegistry, self._find("ModelRegistry", (self.datasets.address,)))

    def registry(self, kind: str):
        return self.datasets if kind == "dataset" else self.models

    @cached_property
    def leases(self):
        from .contracts.access_leases import AccessLeases

        links = (self.datasets.address, self.models.address)
        return self._bind(AccessLeases, self._find("AccessLeases", links))
