"""Remote targets: an object-store prefix (``s3://bucket/prefix``) or any fsspec URL.

A URL target gives the same manifest as the same files on local disk: entries
``(path, size, sha256)`` with paths relative to the prefix, ``/``-separated and
NFC, the same default ignore rules plus the prefix's own ``.aiprovignore``
(applied as git would, an ignored "directory" hiding every key under it), and
the same root.  Everything goes through a :class:`RemoteTarget`, the one small
interface to a store: :meth:`~RemoteTarget.walk` (one recursive listing),
:meth:`~RemoteTarget.chunks` (bytes, hashed by :func:`hash_object`) and
:meth:`~RemoteTarget.versions` (size, ETag, version id, modification time).

* **Digests are computed, never taken from the store.**  Every object's bytes
  are streamed through SHA-256 in chunks of at most :data:`CHUNK` bytes by
  :data:`REMOTE_THREADS` threads at most, so memory stays bounded whatever the
  object sizes; an ETag is a store's own checksum (not even an MD5 for
  multipart uploads) and is only used to see whether an object changed.
  Listing goes through fsspec; on S3 the bytes are read with botocore
  (:meth:`RemoteTarget.chunks`).
* **Change detection**: the listing before hashing gives each object's size and
  version information (ETag, version id, modification time, whatever the store
  reports); after hashing, the bytes read must equal the listed size and a new
  listing must report the same version information.  An object that differs,
  or vanished, is an error naming it (``s3://bucket/prefix/file``).
* **Credentials and endpoints** come from the store's standard configuration
  (for S3 ``AWS_ENDPOINT_URL``, ``AWS_PROFILE``, ``AWS_ACCESS_KEY_ID``…); aiprov
  passes none and prints none.  S3 needs ``pip install 'aiprov[s3]'``.

There are no symlinks in an object store; keys ending in ``/`` (folder
markers) are not files.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EnvironmentFailure, InvalidArgument, InvalidPath, ManifestError
from .ignore import DEFAULT_IGNORES, IGNORE_FILE, IgnoreRules, parse_ignore_file
from .walk import _normalise

__all__ = ["CHUNK", "REMOTE_THREADS", "RemoteObject", "RemoteTarget", "hash_object", "is_url"]

CHUNK = 16 << 20
"""Bytes per read from a store (one ranged GET); objects up to this size are fetched whole."""

REMOTE_THREADS = 16
"""Objects fetched and hashed at once: latency-bound small objects want many, memory wants few."""

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# Fields a store may report that change when an object is rewritten (S3, GCS, Azure, memory, local...).
_VERSION_FIELDS = ("ETag", "etag", "VersionId", "version_id", "generation", "LastModified", "last_modified",
                   "mtime", "created", "md5Hash", "crc32c")
_EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs"}
_STORE_ENV = ("AWS_", "BOTO_", "GOOGLE_", "GCS", "AZURE_", "HF_", "FSSPEC_")
_filesystems: dict[tuple, Any] = {}  # one instance (and S3 client) per store configuration, for the process's life
_lock = threading.Lock()


def is_url(target: object) -> bool:
    """Whether ``target`` is a URL (``scheme://…``) rather than a local path."""
    return isinstance(target, str) and _URL.match(target) is not None


@dataclass(slots=True)
class RemoteObject:
    """One object to hash."""

    path: str
    """Manifest path: relative to the target prefix, ``/``-separated, NFC."""
    key: str
    """The store's name for it (no protocol), e.g. ``bucket/prefix/file``."""
    size: int
    version: tuple
    """What the listing said about it besides its size (ETag, version id, mtime...)."""


class RemoteTarget:
    """A URL opened with fsspec: ``RemoteTarget("s3://bucket/prefix")``.

    Instances are picklable (only the URL travels), so Dask workers reopen the
    store with their own configuration.
    """

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/") if not url.endswith("://") else url
        self.protocol = url.split("://", 1)[0].lower()
        self._fs: Any = None
        self._root: str | None = None
        self._s3: Any = None  # botocore client for S3 reads (False: botocore missing)

    def __getstate__(self) -> dict:
        return {"url": self.url}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["url"])

    # -- the filesystem ------------------------------------------------------------

    @property
    def fs(self) -> Any:
        if self._fs is None:
            self._open_fs()
        return self._fs

    @property
    def root(self) -> str:
        if self._root is None:
            self._open_fs()
        assert self._root is not None
        return self._root

    def _open_fs(self) -> None:
        try:
            import fsspec
        except ImportError:
            raise EnvironmentFailure(
                f"{self.url} is a remote target, and remote targets need fsspec",
                hint="pip install 'aiprov[s3]'",
            ) from None
        extra = _EXTRAS.get(self.protocol)
        try:
            cls = fsspec.get_filesystem_class(self.protocol)
            options = cls._get_kwargs_from_urls(self.url)
            root = cls._strip_protocol(self.url)
            # fsspec's own instance cache ignores the environment, so an instance made before
            # AWS_ENDPOINT_URL (say) changed would talk to the old store: key on it too.
            key = (self.protocol, repr(sorted(options.items())), _store_environment())
            fs = _filesystems.get(key)
            if fs is None:
                fs = _filesystems.setdefault(key, cls(skip_instance_cache=True, **options))
        except ImportError as exc:
            raise EnvironmentFailure(
                f"{self.protocol}:// targets need a package that is not installed ({exc.name or exc})",
                hint=f"pip install 'aiprov[{extra}]'" if extra else f"install the fsspec filesystem for {self.protocol}://",
            ) from None
        except ValueError as exc:
            raise InvalidPath(f"cannot open {self.url}: {one_line(exc)}",
                              hint="use a local path or a URL of an installed fsspec filesystem (s3://, memory://…)") from None
        self._fs, self._root = fs, root.rstrip("/")

    def name_of(self, key: str) -> str:
        """The URL of one object, for messages."""
        return f"{self.protocol}://{key}"

    # -- walking -------------------------------------------------------------------

    def kind(self) -> str:
        """``"file"`` (one object) or ``"directory"`` (a prefix); :class:`InvalidPath` if neither exists."""
        try:
            info = self.fs.info(self.root)
        except FileNotFoundError:
            raise InvalidPath(f"no such object or prefix: {self.url}") from None
        except Exception as exc:  # noqa: BLE001 - store errors of any family become ours
            raise _store_error(exc, self.url) from None
        return "file" if info.get("type") == "file" else "directory"

    def default_rules(self) -> tuple[str, ...]:
        """:data:`DEFAULT_IGNORES` plus the prefix's own ``.aiprovignore``, as for a local directory."""
        key = f"{self.root}/{IGNORE_FILE}"
        try:
            raw = self.fs.cat_file(key)
        except FileNotFoundError:
            return DEFAULT_IGNORES
        except Exception as exc:  # noqa: BLE001
            raise _store_error(exc, self.name_of(key)) from None
        return DEFAULT_IGNORES + parse_ignore_file(raw, self.name_of(key))

    def walk(self, rules: IgnoreRules | None) -> list[RemoteObject]:
        """The objects of the target (one for a single object), ignore rules applied, in listing order."""
        listing = self._list()
        if len(listing) == 1 and self.root in listing:  # the URL names one object
            key, info = next(iter(listing.items()))
            name = _normalise(key.rsplit("/", 1)[-1], self.name_of(key))
            return [RemoteObject(name, key, int(info["size"]), _version(info))]
        prefix = self.root + "/"
        ignored_dirs: dict[str, bool] = {}
        found: list[RemoteObject] = []
        seen: dict[str, str] = {}
        for key, info in listing.items():
            if not key.startswith(prefix):
                continue
            rel = key[len(prefix):]
            path = rel if rel.isascii() else _normalise(rel, self.name_of(key))
            if path in seen:
                raise ManifestError(
                    f"two objects have the same NFC path {path!r}: {self.name_of(seen[path])} and {self.name_of(key)}",
                    hint="rename one of them",
                )
            seen[path] = key
            if rules is not None and _ignored(path, rules, ignored_dirs):
                continue
            if any(part in ("", ".", "..") for part in path.split("/")):
                raise ManifestError(f"object key has an empty, '.' or '..' part: {self.name_of(key)}",
                                    hint="rename it: such a key has no path on a local disk")
            found.append(RemoteObject(path, key, int(info["size"]), _version(info)))
        return found

    def _list(self) -> dict[str, dict]:
        """``{key: info}`` of every object at or under the target (fresh, not cached)."""
        fs = self.fs
        try:
            fs.invalidate_cache()
            info = fs.info(self.root)
            if info.get("type") == "file":
                return {self.root: info}
            listing = fs.find(self.root, detail=True, withdirs=False)
        except FileNotFoundError:
            raise InvalidPath(f"no such object or prefix: {self.url}") from None
        except Exception as exc:  # noqa: BLE001
            raise _store_error(exc, self.url) from None
        return {k: v for k, v in listing.items() if v.get("type", "file") == "file" and not k.endswith("/")}

    def versions(self, objects: Sequence[RemoteObject]) -> dict[str, tuple[int, tuple]]:
        """``{key: (size, version)}`` as the store reports them now (a fresh listing)."""
        listing = self._list()
        keys = {o.key for o in objects}
        return {k: (int(v["size"]), _version(v)) for k, v in listing.items() if k in keys}

    # -- bytes ---------------------------------------------------------------------

    def chunks(self, obj: RemoteObject) -> Iterator[bytes]:
        """The bytes of ``obj``, in pieces of at most :data:`CHUNK` bytes.

        On S3 one ``GetObject`` with ``If-Match`` the listed ETag, streamed by botocore
        (its own threads-friendly HTTP client, the one ``aws s3 cp`` uses; fsspec's
        single event loop would serialise the transfers): an object replaced since the
        listing is refused by the store itself.  Elsewhere fsspec: one read for a small
        object, ranged reads for a big one.
        """
        if self.protocol in ("s3", "s3a") and self._botocore() is not None:
            yield from self._s3_chunks(obj)
        elif obj.size <= CHUNK:
            yield self.fs.cat_file(obj.key)
        else:
            with self.fs.open(obj.key, "rb", block_size=CHUNK, cache_type="none") as f:
                while data := f.read(CHUNK):
                    yield data

    def _botocore(self):
        """A botocore S3 client configured the standard way (AWS_PROFILE, keys, AWS_ENDPOINT_URL…), or None."""
        if self._s3 is None:
            key = ("botocore-s3", _store_environment())
            with _lock:
                client = _filesystems.get(key)
                if client is None:
                    try:
                        import botocore.session
                        from botocore.config import Config
                    except ImportError:
                        client = False
                    else:
                        client = botocore.session.get_session().create_client(
                            "s3", config=Config(max_pool_connections=4 * REMOTE_THREADS))
                    _filesystems[key] = client
            self._s3 = client
        return self._s3 or None

    def _s3_chunks(self, obj: RemoteObject) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        bucket, _, key = obj.key.partition("/")
        etag = dict(obj.version).get("ETag")
        try:
            body = self._botocore().get_object(Bucket=bucket, Key=key, **({"IfMatch": etag} if etag else {}))["Body"]
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("NoSuchKey", "PreconditionFailed", "404", "412") or status in (404, 412):
                raise FileNotFoundError(obj.key) from None  # replaced or gone since the listing
            if code in ("AccessDenied", "403") or status == 403:
                raise PermissionError(f"access denied ({code})") from None
            raise
        try:
            yield from body.iter_chunks(1 << 20)
        finally:
            body.close()


def hash_object(target: RemoteTarget, obj: RemoteObject, on_bytes: Callable[[int], None] | None = None) -> str:
    """Hex SHA-256 of ``obj``'s bytes, streamed; :class:`ManifestError` if it changed since it was listed
    (the store says so, or fewer or more bytes than listed)."""
    import hashlib

    h = hashlib.sha256()
    got = 0
    try:
        for data in target.chunks(obj):
            h.update(data)
            got += len(data)
            if on_bytes is not None:
                on_bytes(len(data))
            if got > obj.size:
                break
    except FileNotFoundError:
        raise changed_error(target.name_of(obj.key)) from None
    except Exception as exc:  # noqa: BLE001
        raise _store_error(exc, target.name_of(obj.key)) from None
    if got != obj.size:
        raise changed_error(target.name_of(obj.key))
    return h.hexdigest()


def hash_objects(
    target: RemoteTarget, objects: Sequence[RemoteObject], *, progress=None, threads: int = REMOTE_THREADS,
    check: bool = True,
) -> list[str]:
    """Digests of ``objects`` in order, ``threads`` at a time, biggest first; then (``check``)
    :func:`check_unchanged`."""
    digests = [""] * len(objects)
    order = iter(sorted(range(len(objects)), key=lambda i: objects[i].size, reverse=True))
    lock = threading.Lock()
    errors: list[BaseException] = []
    advance = progress.advance if progress is not None else None

    def work() -> None:
        try:
            while not errors:
                with lock:
                    i = next(order, None)
                if i is None:
                    return
                digests[i] = hash_object(target, objects[i], advance)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(exc)

    pool = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(threads, len(objects))) - 1)]
    for t in pool:
        t.start()
    work()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    if check:
        check_unchanged(target, objects)
    return digests


def check_unchanged(target: RemoteTarget, objects: Sequence[RemoteObject]) -> None:
    """:class:`ManifestError` naming the first object whose size or version moved since it was listed."""
    now = target.versions(objects)
    for obj in sorted(objects, key=lambda o: o.path):
        if now.get(obj.key) != (obj.size, obj.version):
            raise changed_error(target.name_of(obj.key))


def changed_error(name: str) -> ManifestError:
    return ManifestError(f"object changed while being hashed: {name}",
                         hint="hash again once nothing is writing to it")


def build_remote_manifest(url: str, *, ignore=None, progress=None, workers=None, engine="local", scheduler=None):
    """:func:`aiprov.manifest.build_manifest` for a URL (see this module's docstring)."""
    from .manifest import Entry, Manifest, nothing_to_hash

    target = RemoteTarget(url)
    if target.kind() == "directory":
        kind = "directory"
        rules_list = target.default_rules() if ignore is None else tuple(ignore)
        rules: IgnoreRules | None = IgnoreRules(rules_list)
    else:
        kind, rules_list, rules = "file", (), None
    objects = target.walk(rules)
    if not objects:
        raise nothing_to_hash(url, rules_list)
    if engine == "dask":
        if target.protocol == "memory":
            raise InvalidArgument("memory:// lives in this process: Dask workers cannot read it",
                                  hint="use --engine local for memory:// targets")
        from .dask_engine import hash_remote_objects

        digests = hash_remote_objects(target, objects, scheduler=scheduler, progress=progress, workers=workers)
    else:
        if progress is not None:
            progress.start(len(objects), sum(o.size for o in objects))
        digests = hash_objects(target, objects, progress=progress)
    entries = [Entry(o.path, o.size, d) for o, d in zip(objects, digests)]
    return Manifest(entries, kind=kind, ignore=rules_list, symlinks="files")


# -- helpers ---------------------------------------------------------------------------


def _ignored(path: str, rules: IgnoreRules, ignored_dirs: dict[str, bool]) -> bool:
    """As the local walk decides: an ignored directory above hides the path, else the file rule."""
    start = 0
    while True:
        slash = path.find("/", start)
        if slash < 0:
            return rules.ignores_file(path)
        directory = path[:slash]
        hidden = ignored_dirs.get(directory)
        if hidden is None:
            hidden = ignored_dirs[directory] = rules.ignores_dir(directory)
        if hidden:
            return True
        start = slash + 1


def _store_environment() -> tuple:
    """The store-configuration variables, by digest of their values (no secret kept in a key)."""
    import hashlib
    import os

    return tuple(sorted((k, hashlib.sha256(v.encode()).hexdigest()[:16])
                        for k, v in os.environ.items() if k.startswith(_STORE_ENV)))


def _version(info: dict) -> tuple:
    return tuple((k, str(info[k])) for k in _VERSION_FIELDS if info.get(k) is not None)


def one_line(exc: BaseException) -> str:
    """An exception's text on one line (store errors can span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _store_error(exc: BaseException, name: str) -> Exception:
    """A store's exception as ours: unreadable is bad input (2), the rest is the environment (3)."""
    from ..errors import AiprovError

    if isinstance(exc, AiprovError):
        return exc
    if isinstance(exc, PermissionError):
        return InvalidPath(f"access denied to {name}: {one_line(exc)}",
                           hint="check the store's credentials (for S3: AWS_PROFILE, AWS_ACCESS_KEY_ID…)")
    return EnvironmentFailure(f"object store error on {name}: {type(exc).__name__}: {one_line(exc)}",
                              hint="check the endpoint and credentials (for S3: AWS_ENDPOINT_URL, AWS_PROFILE…)")
