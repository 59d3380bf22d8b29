"""What every command shares: finding the project, loading it, and refusing bad usage plainly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import cache, clock, git
from pipeline.content.files import decode, misplaced, problem, shown
from pipeline.project import ARTICLES_DIR, Project, load_project

OK, ERRORS, USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called, reported without a traceback (exit 2)."""


def today() -> dt.date:
    try:
        return clock.today()
    except ValueError as error:
        raise UsageError(str(error)) from None


def project_root() -> Path:
    root = Path.cwd()
    if not (root / "mkdocs.yml").is_file() and not (root / ARTICLES_DIR).is_dir():
        raise UsageError("run this command in the project folder (the one with mkdocs.yml)")
    return root.resolve()


def load(root: Path) -> tuple[Project, dt.date]:
    day = today()
    return load_project(root, day, None, cache.shared()), day


def relative(root: Path, given: str) -> str:
    """A path the user typed, as a project-relative posix path; it must exist inside root."""
    path = Path(given)
    try:
        resolved = (root / path).resolve()  # an absolute `given` stays itself
    except (RuntimeError, OSError):  # a symbolic link in a loop
        raise UsageError(f"{given} cannot be read (a symbolic link in a loop?)") from None
    if not resolved.exists():
        raise UsageError(f"no such file or folder: {given}")
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{given} is outside the project folder") from None


def article_path(root: Path, given: str) -> str:
    rel = relative(root, given)
    if not rel.startswith(ARTICLES_DIR + "/") or not rel.endswith(".md") or rel.count("/") != 2:
        raise UsageError(f"{given} is not an article in {ARTICLES_DIR}/")
    return rel


def require_base(root: Path, base: str) -> None:
    """`--base` names a branch or commit this clone has."""
    if not git.has_ref(root, base):
        raise UsageError(
            f"the base '{base}' is not in this clone. Fetch it first "
            f"(git fetch origin {base.removeprefix('origin/')}), or in GitHub Actions check out "
            "with fetch-depth: 0"
        )


def read_file(root: Path, rel: str) -> str | None:
    """A project file's text as every reading of the pipeline gets it (`decode`); None when
    there is no such file. One that is a link, a folder or not UTF-8 is refused: a command
    never reads through a link, which could lead out of the repository."""
    path = root / rel
    if not path.exists() and not path.is_symlink():
        return None
    why = problem(root, path)
    if why is not None:
        raise UsageError(f"{shown(Path(rel))} {why}; replace it with a regular file")
    text = decode(path.read_bytes())
    if text is None:
        raise UsageError(f"{rel} is not UTF-8 text")
    return text


def write_file(root: Path, rel: str, text: str) -> None:
    """Write a project file, never through a link (one in a pull request's checkout could point
    at a file of the user's own, ~/.bashrc) nor over a folder; its folder is made if missing."""
    path = root / rel
    there = path.exists() or path.is_symlink()
    why = problem(root, path) if there else misplaced(root, path)
    if why is not None:
        raise UsageError(f"{shown(Path(rel))} {why}; nothing was written")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))  # LF line ends on every system, as read
