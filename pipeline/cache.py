"""Parsing results kept between runs, keyed by exactly what they were computed from.

Parsing a thousand articles and a two-thousand-entry library is most of what `check` does, and
most files do not change between two runs (or two rebuilds of `mkdocs serve`). A result is
stored under a hash of its inputs (the file's bytes, the day, and the pipeline's own code), so a
cached result is always the one the parser would give: the cache can be deleted at any time and
never changes an answer.

It lives outside the repository (PIPELINE_CACHE_DIR, else the user's cache folder): a file in
the repository could be planted by a pull request, and results are unpickled.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent


# The libraries whose output is cached with ours (parsing, formatting, checking).
_LIBRARIES = ("bibtexparser", "citeproc-py", "pylatexenc", "PyYAML", "python-frontmatter", "nh3")


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


def shared() -> Cache:
    """One cache per folder for the whole process: `mkdocs serve` makes a new plugin for every
    rebuild, and unchanged files should not be parsed again."""
    folder = default_folder()
    if folder not in _SHARED:
        _SHARED[folder] = Cache(folder)
    return _SHARED[folder]


class Cache:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.memory: dict[str, object] = {}
        # Results are held in memory for the next run in this process (`mkdocs serve`); a
        # one-off build turns that off, so each result is freed as soon as it has been used.
        self.keep = True
        self._version: bytes | None = None

    def forget(self) -> None:
        """Drop the results held in memory (the files stay)."""
        self.memory.clear()

    def memo(self, kind: str, parts: tuple[bytes | str, ...], compute: Callable[[], T]) -> T:
        """`compute()`, or its stored result for the same `kind` and `parts`."""
        if self._version is None:
            self._version = _code_version()
        digest = hashlib.sha256(self._version + kind.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        key = digest.hexdigest()
        if key in self.memory:
            return self.memory[key]  # type: ignore[return-value]
        stored = self._load(kind, key)
        if stored is None:
            result = compute()
            self._store(kind, key, (result,))
        else:
            result = stored[0]  # type: ignore[assignment]
        if self.keep:
            self.memory[key] = result
        return result

    def _path(self, kind: str, key: str) -> Path | None:
        return None if self.folder is None else self.folder / kind / key[:2] / key

    def _load(self, kind: str, key: str) -> tuple[object] | None:
        path = self._path(kind, key)
        if path is None:
            return None
        try:
            value = pickle.loads(path.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
            return None
        return value if isinstance(value, tuple) and len(value) == 1 else None

    def _store(self, kind: str, key: str, value: tuple[object]) -> None:
        path = self._path(kind, key)
        if path is None:
            return
        with contextlib.suppress(OSError):  # a read-only or full disk only costs speed
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
