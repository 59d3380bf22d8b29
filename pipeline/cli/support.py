"""What every command shares: finding the project, loading it, and refusing bad usage plainly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import cache, clock, git
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
    resolved = (root / path).resolve() if not path.is_absolute() else path.resolve()
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
