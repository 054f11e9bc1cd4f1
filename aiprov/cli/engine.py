"""``--engine`` and ``--scheduler``: where the commands that hash do their hashing."""

from __future__ import annotations

import functools

import click

ENGINES = ("local", "dask")  # aiprov.manifest.ENGINES, without importing the manifest package at start-up


def engine_options(fn):
    """Add ``--engine local|dask`` and ``--scheduler ADDRESS`` (env ``AIPROV_DASK_SCHEDULER``).

    The command gets ``engine`` and ``scheduler`` (``None`` unless the engine is dask).
    """

    @functools.wraps(fn)
    def wrapper(*args, engine: str, scheduler: str | None, **kwargs):
        if engine != "dask":
            source = click.get_current_context().get_parameter_source("scheduler")
            if scheduler and source == click.core.ParameterSource.COMMANDLINE:
                raise click.UsageError("--scheduler needs --engine dask")
            scheduler = None
        return fn(*args, engine=engine, scheduler=scheduler, **kwargs)

    wrapper = click.option(
        "--scheduler", envvar="AIPROV_DASK_SCHEDULER", metavar="ADDRESS",
        help="Dask scheduler for --engine dask, e.g. tcp://10.0.0.5:8786 [env AIPROV_DASK_SCHEDULER; "
        "default: start a LocalCluster for this command].",
    )(wrapper)
    wrapper = click.option(
        "--engine", type=click.Choice(ENGINES), default="local", show_default=True,
        help="Hash on this machine's cores, or as Dask tasks on a cluster (pip install 'aiprov[dask]'); "
        "the root is the same.",
    )(wrapper)
    return wrapper
