"""Putting a finished, audited site in place without ever showing a half-written one.

The new site is built beside the old one, then the two folders are exchanged in one atomic
step (Linux `renameat2(RENAME_EXCHANGE)`), so at every instant `site/` is either the whole old
site or the whole new one. Where that call is missing, two renames are used; a build
interrupted between them leaves no site/ until the next build succeeds (nothing is ever put in
place that this build did not audit: an old copy beside it could have been committed by anyone).
A lock file keeps two builds from swapping at the same time.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def discard(folder: Path) -> None:
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)


def _previous(target: Path) -> Path:
    return target.with_name(f".{target.name}.previous")


def _lock(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths; False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)


def output_links(target: Path) -> list[Path]:
    """The output folder and the build's folders beside it that are symbolic links: a build
    would follow one and replace, or write into, whatever it points at, outside the project."""
    beside = (_previous(target), target.with_name(f".{target.name}.building"), _lock(target))
    return [path for path in (target, *beside) if path.is_symlink()]


def swap_into_place(built: Path, target: Path) -> None:
    """Replace `target` by `built`; `built` must be on the same file system."""
    if target.is_dir() and _exchange(built, target):
        discard(built)  # after the exchange, `built` holds the old site
        return
    old = _previous(target)
    discard(old)
    if target.exists():
        os.replace(target, old)
    os.replace(built, target)
    discard(old)


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Held for a whole build: a second build into the same folder waits for the first."""
    lock_path = _lock(target)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    if lock_path.is_dir() and not lock_path.is_symlink():
        # A folder committed at the build's own path (a link is refused before, PUB006) made
        # every build of main fail: the build makes its files there, as it does .site.building.
        discard(lock_path)
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
