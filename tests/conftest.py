"""Shared helpers: copies of fixture projects in a temp folder, and the CLI run in-process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-11-25"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see a fixed 'today', so dates in fixtures never drift into the past or future."""
    monkeypatch.setenv("PIPELINE_TODAY", TODAY)


def copy_project(source: Path, target: Path) -> Path:
    """A runnable project: the fixture's content plus the repo's mkdocs.yml and overrides."""
    shutil.copytree(source, target, symlinks=True)
    for name in ("mkdocs.yml", "overrides"):
        if not (target / name).exists():
            src = REPO / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, target / name)
    return target


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """The small fixture project with its articles approved as the approve command would."""
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    return root


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's own sample content."""
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("content", "references", "mkdocs.yml", "overrides"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    return root


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Result]:
    """Run `python -m pipeline ARGS` in-process, in folder `cwd`."""
    from pipeline.cli import main

    def run(*args: str, cwd: Path) -> Result:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real entry point, as a board member runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=None,
        timeout=300,
    )


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Board Clerk",
    "GIT_AUTHOR_EMAIL": "clerk@example.org",
    "GIT_COMMITTER_NAME": "Board Clerk",
    "GIT_COMMITTER_EMAIL": "clerk@example.org",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str, date: str = "2026-06-01T12:00:00") -> str:
    """Run git in a test repository with a fixed identity and date."""
    import os

    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def commit_all(root: Path, message: str, date: str = "2026-06-01T12:00:00") -> None:
    git(root, "add", "-A", date=date)
    git(root, "commit", "-q", "-m", message, date=date)


@pytest.fixture
def repo(minimal: Path) -> Path:
    """The minimal project as a git repository on branch main, everything committed."""
    git(minimal, "init", "-q", "-b", "main")
    commit_all(minimal, "base")
    return minimal


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read or fill the user's parse cache."""
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "parse-cache"))
