"""Which files the pipeline reads: regular files of the repository, and nothing else.

A symbolic link could put a file from outside the repository, or a withheld article, on the
site under another name; a dangling link, a loop or a folder where a file is expected would
stop a build halfway. So every file the pipeline reads (articles, site pages and their assets,
the library, roster, disclaimer, retractions, settings, the engine configuration, the theme
overrides, a CSL style) must be a regular file, not a link of any kind, inside the repository
and not in a folder that is a link, with a name a message can print, at most 32 folders deep;
anything else is a diagnostic with its path, and is never read. Commands write only where
they could read (`cli/support.write_file`).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from pipeline import codes
from pipeline.citations.scan import Positions
from pipeline.diagnostics import Diagnostic
from pipeline.words import stacked_marks

ARTICLES_DIR = "content/articles"
# How deep in folders a file the pipeline reads may be (content/pages/a/b/… counts each).
MAX_DEPTH = 32
# The theme's folder (`theme.custom_dir`): templates, the site's stylesheet and script.
THEME_FOLDER = "overrides"
# Folders whose every file the pipeline or an engine reads.
READ_FOLDERS = ("content", "references", THEME_FOLDER)
READ_FILES = ("pipeline.yml", "mkdocs.yml")


def problem(root: Path, path: Path) -> str | None:
    """Why `path` is not read, in words for the message; None for a regular file."""
    try:
        return misplaced(root, path) or _kind(root, path)
    except (OSError, RuntimeError) as error:  # a name too long for the disk, a loop
        return f"cannot be read ({getattr(error, 'strerror', None) or error})"


def misplaced(root: Path, path: Path) -> str | None:
    """Why a file at `path`, there or not, would not be the repository's own: outside it, in
    a folder that is a link, or named so that no message or address can hold the name."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return "is outside the repository"
    if ".." in rel.parts:
        return "is outside the repository"
    if len(rel.parts) > MAX_DEPTH:
        # Staging and the engines make and walk folders recursively (1,100 levels exited 2).
        return f"is more than {MAX_DEPTH} folders deep"
    if not str(rel).isprintable():
        # Bytes that are not UTF-8 (read as surrogates), a line break, an invisible character:
        # a name that could not be written into a message, a page's address or the staged site.
        return "has a name with bytes that are not UTF-8 text, or characters that do not show"
    if _resolved(path.parent) != _resolved(root) / rel.parent:
        return "is in a folder that is a symbolic link"
    return None


@functools.lru_cache(maxsize=256)
def _resolved(folder: Path) -> Path:
    """A folder's real path, once per process: a thousand articles share one folder (resolving
    it again for each cost a tenth of a second). Only a long-running `serve` could see a folder
    replaced meanwhile, and it publishes nothing."""
    return folder.resolve()


def _kind(root: Path, path: Path) -> str | None:
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


def walk(folder: Path) -> Iterator[Path]:
    """Every entry under `folder` but its real folders (files, links, anything else), folder by
    folder in name order, links not followed. One loop, not os.walk's recursion: 1,100
    nested folders exited 2."""
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            children = sorted(current.iterdir())
        except OSError:  # unreadable: what is in it is never read either
            continue
        folders = []
        for child in children:
            if child.is_dir() and not child.is_symlink():
                folders.append(child)
            else:
                yield child
        pending += reversed(folders)


def check_files(root: Path, extra: tuple[str, ...] = ()) -> list[Diagnostic]:
    """A diagnostic for every entry the pipeline would read that is not a regular file: links
    and special files anywhere under content/, references/ and overrides/, the settings and
    engine configuration, `extra` paths (a CSL style), and folders named like an article or
    a library file."""
    found: list[Diagnostic] = []
    candidates: list[Path] = []
    for name in READ_FOLDERS:
        if (root / name).is_dir() and not (root / name).is_symlink():
            candidates += walk(root / name)
        elif (root / name).is_symlink():
            candidates.append(root / name)
    candidates += [root / name for name in (*READ_FILES, *extra) if (root / name).is_symlink()]
    # Folders named like the files read from these folders: skipped silently otherwise.
    for folder, suffix in ((ARTICLES_DIR, ".md"), ("references", ".bib")):
        if (root / folder).is_dir():
            found_in = (root / folder).iterdir()
            candidates += [p for p in found_in if p.suffix == suffix and p.is_dir()]
    for path in candidates:
        why = problem(root, path)
        if why is not None:
            rel = shown(path.relative_to(root))
            found.append(codes.FILE_NOT_REGULAR.at(rel, what=why))
    return found


def shown(name: str | Path) -> str:
    """A path or an argument as a message can print it: bytes that are not UTF-8 (which Python
    keeps as surrogates) as "\ufffd"."""
    text = name.as_posix() if isinstance(name, Path) else name
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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


def check_marks(rel: str, text: str) -> list[Diagnostic]:
    """FM022 where a letter of a file's text carries more marks than any language stacks."""
    stacked = stacked_marks(text)
    if stacked is None:
        return []
    at, count = stacked
    return [codes.STACKED_MARKS.at(rel, *Positions(text, 1)(at), count=count)]
