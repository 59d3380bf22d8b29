"""Which files the pipeline reads: regular files of the repository, and nothing else.

A symbolic link could put a file from outside the repository, or a withheld article, on the
site under another name; a dangling link, a loop or a folder where a file is expected would
stop a build halfway. So every file the pipeline reads (articles, site pages and their assets,
the library, roster, disclaimer, retractions, settings, the engine configuration, the theme
overrides, a CSL style) must be a regular file, not a link of any kind; anything else is a
diagnostic with its path, and is never read.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from pipeline import codes
from pipeline.diagnostics import Diagnostic

ARTICLES_DIR = "content/articles"
# Folders whose every file the pipeline or an engine reads.
READ_FOLDERS = ("content", "references", "overrides")
READ_FILES = ("pipeline.yml", "mkdocs.yml")


def problem(root: Path, path: Path) -> str | None:
    """Why `path` is not read, in words for the message; None for a regular file."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            return "is a symbolic link that leads nowhere"
        except (RuntimeError, OSError):
            return "is a symbolic link in a loop"
        if not target.is_relative_to(root):
            return "is a symbolic link to a file outside the repository"
        if target.is_relative_to(root / ARTICLES_DIR):
            return "is a symbolic link to an article"
        return "is a symbolic link"
    if path.is_dir():
        return "is a folder where a file is expected"
    if not path.is_file():
        return "is not a regular file"
    return None


def readable(root: Path, path: Path) -> bool:
    return problem(root, path) is None


def _entries(root: Path, folder: Path) -> Iterator[Path]:
    """Every entry under `folder`, links not followed."""
    for current, folders, files in os.walk(folder, followlinks=False):
        base = Path(current)
        for name in sorted(folders):
            if (base / name).is_symlink():
                yield base / name
        for name in sorted(files):
            yield base / name


def check_files(root: Path, extra: tuple[str, ...] = ()) -> list[Diagnostic]:
    """A diagnostic for every entry the pipeline would read that is not a regular file: links
    and special files anywhere under content/, references/ and overrides/, the settings and
    engine configuration, `extra` paths (a CSL style), and folders named like an article."""
    found: list[Diagnostic] = []
    candidates: list[Path] = []
    for name in READ_FOLDERS:
        if (root / name).is_dir() and not (root / name).is_symlink():
            candidates += _entries(root, root / name)
        elif (root / name).is_symlink():
            candidates.append(root / name)
    candidates += [root / name for name in (*READ_FILES, *extra) if (root / name).is_symlink()]
    articles = root / ARTICLES_DIR
    if articles.is_dir():
        candidates += [p for p in articles.iterdir() if p.suffix == ".md" and p.is_dir()]
    for path in candidates:
        why = problem(root, path)
        if why is not None:
            rel = path.relative_to(root).as_posix()
            found.append(codes.FILE_NOT_REGULAR.at(rel, what=why))
    return found


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without a byte-order mark), newlines folded to LF, composed (NFC), without
    the two control characters Python-Markdown removes before it reads a text (STX, ETX); None
    if not UTF-8. Every reading of a file goes through here, so check, the signature and the
    page all read one text: a signature taken over the composed text could not otherwise tell
    U+1FEF from the backtick it composes to, which opens code on the page."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x02" in text or "\x03" in text:
        text = text.replace("\x02", "").replace("\x03", "")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
