"""Putting a finished, audited site in place without ever showing a half-written one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def discard(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)


def swap_into_place(built: Path, target: Path) -> None:
    """Replace `target` by `built` with two renames; `built` must be on the same file system."""
    old = target.with_name(f".{target.name}.previous")
    discard(old)
    if target.exists():
        os.replace(target, old)
    os.replace(built, target)
    discard(old)
