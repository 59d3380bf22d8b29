"""Shared helpers: copies of fixture projects in a temp folder, and the CLI run in-process."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml

from pipeline.citations.render import reference_list
from pipeline.citations.scan import scan_text
from pipeline.citations.styles import Style
from pipeline.markdown_extension import NAME as EXTENSION
from pipeline.model import Article, Library
from pipeline.project import Project
from pipeline.site.output_text import output_pieces, output_words
from pipeline.site.stage import publish_plan, staged_pages
from tests import signing
from tests.signing import sign_project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-11-25"
DAY = dt.date.fromisoformat(TODAY)
# Commands the tests start (`python -m pipeline`, `mkdocs build`) import this checkout's pipeline,
# as the tests themselves do, whatever copy the environment has installed (an editable install of
# another worktree, say): otherwise a test would compare this code with another.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))


# --- shared helpers: what tests look at ----------------------------------------------------


def site_files(site: Path) -> dict[Path, bytes]:
    """Every file of a built site, by its path in the site: to compare two builds byte for
    byte, or a site before and after a failed build."""
    return {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def output_text(path: Path) -> str:
    """The words a reader (or a search engine) could get out of an output file, as the leak
    audit reads them."""
    return " ".join(output_words(piece) for piece in output_pieces(path, path.read_bytes()))


def pdf_showing(text: str, site_form: bool = True) -> bytes:
    """A real one-page PDF showing `text` (the check reads PDFs as a viewer does: a file that
    only starts like one is refused), as the site keeps PDFs (`python -m pipeline pdf`);
    `site_form=False`: as another tool writes it, its content stream left uncompressed."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Contents = pdf.make_stream(f"BT ({text}) Tj ET".encode("latin-1"))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return in_site_form(out.getvalue()) if site_form else out.getvalue()


def in_site_form(data: bytes) -> bytes:
    """A PDF as `python -m pipeline pdf` writes it."""
    from pipeline.content import pdf as reader

    return reader.site_form(data) or data


def plain_text(fragment: str) -> str:
    """HTML as plain text: tags dropped, entities decoded (a reference as a reader reads it)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first `old` in a project file by `new` (it must be there)."""
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def codes_of(result: Result) -> list[str]:
    """The codes of the diagnostics a command printed, in order."""
    return re.findall(r" (?:error|warning) ([A-Z]+\d+) ", result.stdout)


def approve(cli: Callable[..., Result], root: Path, rel: str, by: str, *args: str) -> Result:
    """`python -m pipeline approve`, signing with the member's test key."""
    return cli("approve", rel, "--by", by, "--key", str(signing.key(by)), *args, cwd=root)


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """The 1-based line of a file holding `text` (its `occurrence`-th time): test articles carry
    signed approvals, whose length moves the lines of the body below them."""
    found = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line]
    return found[occurrence - 1]


def staged(project: Project, preview: bool = False) -> dict[str, str]:
    """The generated pages of a project's staged site (docs path -> Markdown)."""
    return dict(staged_pages(project, publish_plan(project, preview), DAY))


def page_meta(page: str) -> dict[str, Any]:
    """The front matter of a staged page."""
    meta = yaml.safe_load(page.split("---\n")[1])
    assert isinstance(meta, dict)
    return meta


def render_article(
    article: Article, library: Library, style: Style | None = None
) -> tuple[str, str]:
    """An article's body as the engines render it (through the pipeline's Markdown extension),
    and the reference list staging makes from the same text."""
    html = markdown.markdown(article.body, extensions=[EXTENSION])
    return html, reference_list(scan_text(article.body), library, style)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see a fixed 'today', so dates in fixtures never drift into the past or future."""
    monkeypatch.setenv("PIPELINE_TODAY", TODAY)


def copy_project(source: Path, target: Path) -> Path:
    """A runnable project: the fixture's content plus the repo's mkdocs.yml and overrides."""
    shutil.copytree(source, target, symlinks=True)
    for name in ("mkdocs.yml", "overrides", "pipeline.yml"):
        if not (target / name).exists():
            src = REPO / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, target / name)
    return target


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """The small fixture project with its articles approved as the approve command would:
    signed with test keys listed on its roster."""
    return sign_project(copy_project(FIXTURES / "minimal", tmp_path / "project"))


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's own sample content."""
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("content", "references", "mkdocs.yml", "overrides", "pipeline.yml"):
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
    """The real entry point, as a board member runs it: in a shell, where the working folder
    is on the import path (the workflows take it off; see .github/workflows)."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={name: value for name, value in os.environ.items() if name != "PYTHONSAFEPATH"},
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
