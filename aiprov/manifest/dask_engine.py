"""``--engine dask``: the per-file hashing as tasks on a Dask distributed cluster.

* **Tasks are batches by bytes**, not one task per file: files are grouped into
  batches of about ``total / (4 × threads)`` bytes (between :data:`MIN_BATCH`
  and :data:`MAX_BATCH`, at most :data:`MAX_BATCH_FILES` files), biggest first,
  so 20,000 small files make a few dozen tasks and 64 big ones a few per worker.
* **Workers read the bytes themselves**: local paths (the workers must see the
  same filesystem, e.g. a shared mount, at the same paths) or remote objects
  (each worker opens the URL with its own store configuration: credentials
  never travel in a task).  A worker hashes a local file exactly as the
  in-process engine does (:func:`.filehash.sha256_of`: one stat before, an
  ``fstat`` after; a change is an error naming the file); remote objects are
  streamed (:func:`.remote.hash_object`) and re-listed in the calling process
  afterwards (:func:`.remote.check_unchanged`).
* **The root is computed here**, in the calling process, from the gathered
  entries with the same :class:`~.manifest.Manifest` code as the in-process
  engine, so both give the same manifest.
* **Cluster**: ``scheduler`` (``tcp://host:8786``; the CLI's ``--scheduler`` or
  ``AIPROV_DASK_SCHEDULER``) connects to a running cluster; without one a
  ``LocalCluster`` of ``workers`` processes (default one per core) is started
  for the call and stopped after it (a few seconds).
* **Progress** advances by each batch's bytes as its task completes.

Needs ``pip install 'aiprov[dask]'``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence

from ..errors import EnvironmentFailure, InvalidPath, ManifestError

__all__ = ["MAX_BATCH", "MAX_BATCH_FILES", "MIN_BATCH", "batches", "dask_client", "hash_local_files",
           "hash_remote_objects", "local_cluster"]

MIN_BATCH = 1 << 20
MAX_BATCH = 64 << 20
MAX_BATCH_FILES = 5000

_CONNECT_TIMEOUT = "10s"


def batches(sizes: Sequence[int], threads: int) -> list[list[int]]:
    """Indices into ``sizes`` grouped into tasks of about equal bytes, biggest files first."""
    from .hashing import batches_by_bytes

    target = max(MIN_BATCH, min(MAX_BATCH, sum(sizes) // max(1, 4 * threads)))
    return batches_by_bytes(range(len(sizes)), sizes.__getitem__, target, MAX_BATCH_FILES)


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None = None) -> Iterator:
    """A ``distributed.Client`` on ``scheduler``, or on a LocalCluster started (and stopped) here."""
    try:
        from distributed import Client
    except ImportError:
        raise EnvironmentFailure("--engine dask needs dask.distributed, which is not installed",
                                 hint="pip install 'aiprov[dask]'") from None
    if scheduler:
        from .remote import one_line

        try:
            _probe(scheduler)
            client = Client(scheduler, timeout=_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise EnvironmentFailure(f"cannot reach the Dask scheduler at {scheduler}: {one_line(exc)}",
                                     hint="check --scheduler / AIPROV_DASK_SCHEDULER (tcp://host:8786)") from None
        with client:
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:
        yield client


def local_cluster(workers: int | None = None):
    """A ``LocalCluster`` of ``workers`` single-threaded processes (default: one per core), on loopback,
    without a dashboard (its HTTP endpoint on a free port, so two clusters never compete for 8787)."""
    from distributed import LocalCluster

    from .hashing import default_workers

    n = default_workers() if workers is None else max(1, int(workers))
    return LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                        silence_logs=logging.ERROR)


def hash_local_files(files, *, scheduler: str | None, progress=None, workers: int | None = None) -> list[tuple[int, str]]:
    """``(size, sha256)`` of each :class:`~.walk.FoundFile`, in order, hashed on the cluster."""
    from .hashing import _stat

    stats = [_stat(f) for f in files]  # sizes to batch by; workers check nothing moved since
    items = [(f.os_path, *st) for f, st in zip(files, stats)]
    sizes = [st[0] for st in stats]
    digests = _run(_hash_local_batch, items, sizes, scheduler, progress, workers, [f.os_path for f in files])
    return list(zip(sizes, digests))


def hash_remote_objects(target, objects, *, scheduler: str | None, progress=None, workers: int | None = None) -> list[str]:
    """Digests of remote objects (:class:`~.remote.RemoteObject`), in order, hashed on the cluster."""
    from .remote import check_unchanged

    sizes = [o.size for o in objects]
    digests = _run(_hash_remote_batch, objects, sizes, scheduler, progress, workers,
                   [target.name_of(o.key) for o in objects], target)
    check_unchanged(target, objects)
    return digests


def _run(task, items, sizes, scheduler, progress, workers, names, *task_args) -> list[str]:
    import uuid

    with dask_client(scheduler, workers) as client:
        from distributed import as_completed

        threads = sum(client.nthreads().values()) or 1
        groups = batches(sizes, threads)
        if progress is not None:
            progress.start(len(items), sum(sizes))
        run = uuid.uuid4().hex[:12]
        futures = {}
        for n, group in enumerate(groups):
            future = client.submit(task, *task_args, Items([items[i] for i in group]), key=f"aiprov-hash-{run}-{n}")
            futures[future] = group
        digests = [""] * len(items)
        try:
            for future in as_completed(futures):
                group = futures[future]
                results = _unpack(future.result())
                for i, result in zip(group, results):
                    if isinstance(result, tuple):  # (kind, details): the file could not be hashed
                        raise _task_error(result, names[i])
                    digests[i] = result
                if progress is not None:
                    progress.advance(sum(sizes[i] for i in group))
        except BaseException:
            client.cancel(list(futures))
            raise
    return digests


class Items:
    """One task's files or objects, opaque to Dask.

    Dask walks every element of a list or tuple argument looking for futures to
    depend on; for a batch of 2,500 small files that walk alone cost ~0.4 s of the
    client's time per 20,000 files. An object it does not know is passed as it is.
    """

    __slots__ = ("items",)

    def __init__(self, items: list) -> None:
        self.items = items


def _pack(results: list) -> tuple[str, tuple]:
    """A task's answers as one string of digests plus its few failures ``((index, (kind, details)), ...)``.

    Dask serialises a returned list element by element: for 2,500 digests that cost
    more than hashing the files (~0.75 s per 20,000 small files); one string costs nothing.
    """
    failures = tuple((i, r) for i, r in enumerate(results) if isinstance(r, tuple))
    return " ".join(r if isinstance(r, str) else "-" for r in results), failures


def _unpack(packed: tuple[str, tuple]) -> list:
    joined, failures = packed
    results: list = joined.split(" ") if joined else []
    for i, failure in failures:
        results[i] = failure
    return results


def _task_error(result: tuple, name: str) -> Exception:
    kind, details = result
    if kind == "changed":
        return ManifestError(f"file changed while being hashed: {name}",
                             hint="hash again once nothing is writing to it")
    if kind == "error":  # an aiprov error raised on the worker, already naming the object
        cls, message, hint = details
        return cls(message, hint=hint)
    return InvalidPath(f"cannot read {name}: {details}")


# -- what runs on the workers (importable, so Dask ships it by reference) -----------------


def _hash_local_batch(batch: Items) -> tuple[str, tuple]:
    """Digest per ``(path, size, mtime_ns, inode)``, or ``(kind, details)`` for a file that failed (packed: :func:`_pack`)."""
    from .filehash import CHUNK_SIZE, FileChanged, ReadFailed, sha256_of

    view = memoryview(bytearray(CHUNK_SIZE))
    out: list = []
    for path, size, mtime_ns, ino in batch.items:
        try:
            out.append(sha256_of(path, size, mtime_ns, ino, view))
        except FileChanged:
            out.append(("changed", ""))
        except ReadFailed as exc:
            out.append(("read", exc.args[0]))
    return _pack(out)


def _hash_remote_batch(target, batch: Items) -> tuple[str, tuple]:
    """Digest per :class:`~.remote.RemoteObject` (several fetched at once), or ``("error", (class, message,
    hint))`` for each when one failed (packed: :func:`_pack`)."""
    from ..errors import AiprovError
    from .remote import hash_objects

    try:
        return _pack(hash_objects(target, batch.items, check=False))
    except AiprovError as exc:
        return _pack([("error", (type(exc), exc.message, exc.hint))] * len(batch.items))


def _probe(address: str) -> None:
    """Fail at once on a refused ``tcp://`` address (Dask itself retries until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme in ("tcp", "tls") and parts.hostname and parts.port:
        socket.create_connection((parts.hostname, parts.port), timeout=5).close()
