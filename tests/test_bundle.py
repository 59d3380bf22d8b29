"""Loading and staging into one file (bundle.py), in a child process when one can be had
(forked.py): the build process gets back only what the rest of the build needs."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from pipeline import articles, forked
from pipeline.bundle import load_and_stage
from pipeline.forked import run_forked
from pipeline.project import load_project
from pipeline.settings import Settings
from pipeline.stage import stage

DAY = dt.date(2026, 11, 25)
needs_fork = pytest.mark.skipif(not forked.sys.platform.startswith("linux"), reason="Linux only")


@pytest.fixture
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other tests leave server threads behind in this process; a real build has none.
    monkeypatch.setattr(forked.threading, "active_count", lambda: 1)


@needs_fork
def test_work_runs_in_a_child_and_its_result_comes_back(one_thread: None) -> None:
    pid = run_forked(os.getpid)
    assert pid is not None and pid != os.getpid()


@needs_fork
def test_a_child_that_fails_or_cannot_answer_gives_none(one_thread: None) -> None:
    def fails() -> None:
        raise ValueError("broken")

    assert run_forked(fails) is None
    assert run_forked(lambda: lambda: 1) is None  # a result that cannot be sent back


def test_with_other_threads_running_nothing_is_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked.threading, "active_count", lambda: 2)
    assert run_forked(os.getpid) is None


def test_the_bundle_holds_each_staged_page_at_its_place(minimal: Path, tmp_path: Path) -> None:
    path = tmp_path / "pages.md"
    bundle = load_and_stage(minimal, DAY, Settings(), None, False, path)
    expected = stage(load_project(minimal, DAY), DAY)
    assert bundle.plan is not None
    data = path.read_bytes()
    pages = {s.path: data[s.at : s.at + s.size].decode() for s in bundle.slices}
    assert pages == {p.path: p.body for p in expected.pages}
    # An article page's front matter follows its body, as JSON; other pages have none.
    metas = {
        s.path: json.loads(data[s.at + s.size : s.at + s.size + s.meta_size])
        for s in bundle.slices
        if s.meta_size
    }
    assert metas == {p.path: p.meta for p in expected.pages if p.meta}
    assert metas and all(path.startswith("articles/") for path in metas)
    assert sum(s.size + s.meta_size for s in bundle.slices) == len(data)
    # What the rest of the build does not need is not sent back.
    assert bundle.project.articles == () and not bundle.project.library.entries
    assert [a.slug for a in bundle.plan.published] == [a.slug for a in expected.published]
    assert all(a.body == "" and not a.field_lines for a in bundle.plan.published)


def test_a_project_with_errors_is_not_staged(minimal: Path, tmp_path: Path) -> None:
    article = minimal / "content/articles/back-pain.md"
    article.write_text(article.read_text("utf-8").replace("[@chou2007", "[@nosuchkey"), "utf-8")
    path = tmp_path / "pages.md"
    bundle = load_and_stage(minimal, DAY, Settings(), None, False, path)
    assert bundle.plan is None and not path.exists()
    assert any(d.is_error for d in bundle.project.diagnostics)


@needs_fork
@pytest.mark.parametrize("workers", ["1", "0"])
def test_a_build_parses_the_articles_in_a_child_process_unless_told_not_to(
    minimal: Path,
    cli,
    one_thread: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    workers: str,
) -> None:
    """PIPELINE_WORKERS=0 keeps the whole build in one process."""
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(forked.WORKERS_VARIABLE, workers)
    parsed_in = tmp_path / "parsed-in"
    real = articles.parse_article

    def parse(*args: object) -> object:
        with parsed_in.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(articles, "parse_article", parse)
    assert cli("build", cwd=minimal).code == 0
    pids = set(parsed_in.read_text().split())
    assert pids and (str(os.getpid()) in pids) == (workers == "0")
    assert (minimal / "site/articles/back-pain.html").is_file()
