"""The ``aiprov`` command line: a thin layer over :class:`aiprov.Client`.

Where to add a command: one module per area in this package — ``hashing``
(``hash``), ``datasets`` (``register dataset``), ``models`` (``register model``,
``lineage``), ``assets`` (verify / show / history / revoke / deprecate for both
kinds), ``accounts`` — attached to the verb groups in ``groups``. Each command
parses arguments, calls one Client method, and renders the typed result.
"""

from __future__ import annotations

import click

from .. import __version__
from . import accounts, assets, audit, changes, completion, datasets, gateway, hashing, leases, models, node, payments, records  # noqa: F401 (assets, models register commands)
from .app import AiprovGroup
from .groups import ALL_GROUPS

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=AiprovGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="aiprov")
def cli() -> None:
    """Tamper-evident provenance for AI datasets and models, anchored on Ethereum.

    \b
    Hash a dataset and anchor its Merkle root on the embedded local chain:
      aiprov register dataset ./data --name reviews
    Verify it later (exit 0: exactly the registered bytes; 1: not; 2: bad input; 3: chain trouble):
      aiprov verify dataset ./data

    State lives in $AIPROV_HOME (default ~/.aiprov). Every command takes --json.
    """


hashing.register(cli)
changes.register(cli)
for _group in ALL_GROUPS:
    cli.add_command(_group)
accounts.register(cli)
node.register(cli)
leases.register(cli)
gateway.register(cli)
audit.register(cli)
payments.register(cli)
completion.register(cli)
records.register(cli)


def main() -> None:
    cli.main(prog_name="aiprov")
