"""Parsing results kept between runs, keyed by exactly what they were computed from.

Parsing a thousand articles and a two-thousand-entry library is most of what `check` does, and
most files do not change between two runs (or two rebuilds of `mkdocs serve`). A result is
stored under a hash of its inputs (the file's bytes, the day, and the pipeline's own code), so a
cached result is always the one the parser would give: the cache can be deleted at any time and
never changes an answer.

It lives outside the repository (PIPELINE_CACHE_DIR, else the user's cache folder): a file in
the repository could be planted by a pull request, and results are unpickled. The results are
rows of one SQLite file there, not a file each: a cold run stores two thousand of them, and
creating that many files cost a slow disk a second, a third of the whole check.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import pickle
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent


# The libraries whose output is cached with ours: parsing, formatting, checking, and verifying
# the signatures of approvals whose results are kept.
_LIBRARIES = (
    "bibtexparser",
    "citeproc-py",
    "pylatexenc",
    "PyYAML",
    "python-frontmatter",
    "nh3",
    "sshsig",
    "cryptography",
)


def _code_version() -> bytes:
    """The pipeline's own source, the Python version and the versions of the libraries that
    work on cached results: change any and old results go."""
    digest = hashlib.sha256(sys.version.encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=\0".encode())
    for source in sorted(_PACKAGE.rglob("*.py")):
        name = source.relative_to(_PACKAGE).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes())
    return digest.digest()


def default_folder() -> Path | None:
    chosen = os.environ.get("PIPELINE_CACHE_DIR")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "medical-pipeline"


_SHARED: dict[Path | None, Cache] = {}


def shared(keep: bool = False) -> Cache:
    """One cache per folder for the whole process: `mkdocs serve` makes a new plugin for every
    rebuild, and unchanged files should not be parsed again. `keep`: hold the results in memory
    for the next run in this process too (only `serve` has one); a one-off check or build frees
    each result once it has been used (at 1,000 articles, 12 MiB less at its peak)."""
    folder = default_folder()
    if folder not in _SHARED:
        _SHARED[folder] = Cache(folder)
    _SHARED[folder].keep = keep
    return _SHARED[folder]


class Cache:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.memory: dict[str, object] = {}
        # Whether results stay in memory for the next run in this process (see `shared`).
        self.keep = False
        self._version: bytes | None = None
        self._connection: sqlite3.Connection | None = None
        self._unusable = folder is None

    def memo(
        self,
        kind: str,
        parts: tuple[bytes | str, ...],
        compute: Callable[[], T],
        keep: Callable[[T], bool] | None = None,
    ) -> T:
        """`compute()`, or its stored result for the same `kind` and `parts`; one that `keep`
        says is not worth keeping is not stored."""
        if self._version is None:
            self._version = _code_version()
        digest = hashlib.sha256(self._version + kind.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        key = digest.hexdigest()
        if key in self.memory:
            return self.memory[key]  # type: ignore[return-value]
        stored = self._load(key)
        if stored is None:
            result = compute()
            if keep is None or keep(result):
                self._store(key, (result,))
        else:
            result = stored[0]  # type: ignore[assignment]
        if self.keep:
            self.memory[key] = result
        return result

    def _database(self) -> sqlite3.Connection | None:
        """The results table, opened on first use; None when there is no usable cache (no
        folder, a read-only disk, a damaged file): then everything is computed, nothing kept."""
        if self._connection is None and not self._unusable:
            assert self.folder is not None
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._connection = _open(self.folder / "results.sqlite3")
            except (OSError, sqlite3.Error):
                self._unusable = True
        return self._connection

    def _load(self, key: str) -> tuple[object] | None:
        database = self._database()
        if database is None:
            return None
        try:
            row = database.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            value = pickle.loads(row[0]) if row else None
        except (
            sqlite3.Error,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            TypeError,
            ValueError,
            IndexError,
        ):  # a damaged or foreign row: computed again
            return None
        return value if isinstance(value, tuple) and len(value) == 1 else None

    def _store(self, key: str, value: tuple[object]) -> None:
        database = self._database()
        if database is None:
            return
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(sqlite3.Error):  # a locked, full or read-only disk costs speed
            database.execute("INSERT OR REPLACE INTO results VALUES (?, ?)", (key, data))


def _open(path: Path) -> sqlite3.Connection:
    """The cache file, made anew when it is not a cache (damaged, or something else)."""
    for attempt in (1, 2):
        try:
            database = sqlite3.connect(path, timeout=10, isolation_level=None)
            # Losing the newest results in a power cut only costs speed: no waiting on the disk.
            database.execute("PRAGMA journal_mode = WAL")
            database.execute("PRAGMA synchronous = OFF")
            database.execute(
                "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
            )
            return database
        except sqlite3.DatabaseError:
            if attempt == 2:
                raise
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.remove(f"{path}{suffix}")
    raise AssertionError("unreachable")
