"""The parse cache: unchanged files are not parsed again, and the cache never changes an answer."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from pipeline import cache
from pipeline.cache import Cache
from pipeline.cli import main
from pipeline.content import articles, library
from pipeline.project import load_project

DAY = dt.date(2026, 11, 25)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"article": 0, "bib": 0}
    # What load_library parses each file with (parse_library, and its LaTeX reading counted).
    parse_article, parse_library = articles.parse_article, library._parse_counting_latex

    def article(*args: object) -> object:
        calls["article"] += 1
        return parse_article(*args)  # type: ignore[arg-type]

    def bib(*args: object) -> object:
        calls["bib"] += 1
        return parse_library(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(articles, "parse_article", article)
    monkeypatch.setattr(library, "_parse_counting_latex", bib)
    return calls


def test_unchanged_files_are_not_parsed_again(
    minimal: Path, tmp_path: Path, counted: dict[str, int]
) -> None:
    folder = tmp_path / "cache"
    load_project(minimal, DAY, cache=Cache(folder))
    assert counted == {"article": 3, "bib": 1}
    load_project(minimal, DAY, cache=Cache(folder))  # a new process: from disk
    assert counted == {"article": 3, "bib": 1}
    pending = minimal / "content/articles/pending.md"
    pending.write_text(pending.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    load_project(minimal, DAY, cache=Cache(folder))
    assert counted == {"article": 4, "bib": 1}


def test_the_day_is_part_of_the_key(minimal: Path, tmp_path: Path) -> None:
    """`last_updated` in the future depends on the day: yesterday's answer must not be reused."""
    folder = tmp_path / "cache"
    pending = minimal / "content/articles/pending.md"
    pending.write_text(pending.read_text("utf-8").replace("2026-02-01", "2026-11-26"), "utf-8")
    today = load_project(minimal, DAY, cache=Cache(folder))
    tomorrow = load_project(minimal, DAY + dt.timedelta(days=1), cache=Cache(folder))
    assert [d.code for d in today.diagnostics] == ["FM009"]
    assert [d.code for d in tomorrow.diagnostics] == []


def test_cached_and_fresh_results_are_identical_and_the_cache_is_safe_to_delete(
    sample: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    fresh = load_project(sample, DAY)
    cold = load_project(sample, DAY, cache=Cache(folder))
    warm = load_project(sample, DAY, cache=Cache(folder))
    assert fresh.diagnostics == cold.diagnostics == warm.diagnostics
    assert fresh.articles == warm.articles and fresh.library == warm.library
    for stored in folder.rglob("*"):
        if stored.is_file():
            stored.write_bytes(b"not a pickle")  # damaged: recomputed, never trusted
    assert load_project(sample, DAY, cache=Cache(folder)).articles == fresh.articles
    shutil.rmtree(folder)
    assert load_project(sample, DAY, cache=Cache(folder)).diagnostics == fresh.diagnostics


@pytest.mark.parametrize(
    ("file", "old", "new", "code"),
    [
        # the library: a cited entry disappears
        ("references/library.bib", "@article{qaseem2017,", "@article{qaseem2017x,", "CIT001"),
        # the board: the approving reviewer loses the reviewer role
        ("references/board.yml", "roles: [reviewer]", "roles: [author]", "REV004"),
    ],
)
def test_a_change_outside_the_article_reaches_its_cached_checks(
    minimal: Path, tmp_path: Path, file: str, old: str, new: str, code: str
) -> None:
    """Check results are kept per article text, but keyed on everything else they read too."""
    folder = tmp_path / "cache"
    assert load_project(minimal, DAY, cache=Cache(folder)).diagnostics == ()
    path = minimal / file
    assert old in path.read_text("utf-8")
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
    found = load_project(minimal, DAY, cache=Cache(folder)).diagnostics
    assert code in {d.code for d in found}
    assert found == load_project(minimal, DAY).diagnostics  # the same as without a cache


def test_staged_pages_are_the_same_from_the_cache(sample: Path, tmp_path: Path) -> None:
    from pipeline.site.stage import publish_plan, staged_pages

    def pages(cache: Cache | None) -> dict[str, str]:
        project = load_project(sample, DAY, cache=cache)
        return dict(staged_pages(project, publish_plan(project), DAY, cache))

    folder = tmp_path / "cache"
    fresh = pages(None)
    pages(Cache(folder))
    assert pages(Cache(folder)) == fresh


def test_a_citation_style_outside_the_project_is_never_read(minimal: Path, tmp_path: Path) -> None:
    """A style named by an absolute path or through ".." is nobody's review (and /proc/kmsg
    never ended): pipeline.yml refuses it, and were it given, it is not read."""
    from pipeline.settings import Settings, parse_settings
    from tests.conftest import FIXTURES

    style = tmp_path / "elsewhere/house.csl"
    style.parent.mkdir()
    style.write_bytes((FIXTURES / "styles/house-numeric.csl").read_bytes())
    for named in (str(style), "../elsewhere/house.csl", "/proc/kmsg"):
        settings, problems = parse_settings(f"citation_style: {named}\n")
        assert settings.citation_style == "ama" and "must be ama, vancouver" in problems[0].message
        given = load_project(minimal, DAY, Settings(citation_style=named))
        assert [d.code for d in given.diagnostics] == ["BIB010"], given.diagnostics


def test_a_one_off_run_holds_no_result_in_memory(tmp_path: Path) -> None:
    """A one-off check or build frees each result once used (it is still read from disk the
    next time); `mkdocs serve` keeps them for its next rebuild."""
    computed: list[int] = []

    def compute() -> list[int]:
        computed.append(1)
        return [len(computed)]

    results = Cache(tmp_path / "cache")
    assert results.memo("kind", ("a",), compute) == [1]
    assert results.memory == {}
    assert results.memo("kind", ("a",), compute) == [1] and len(computed) == 1
    results.keep = True
    results.memo("kind", ("a",), compute)
    assert list(results.memory.values()) == [[1]]


def test_the_shared_cache_keeps_results_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    assert cache.shared().keep is False
    assert cache.shared(keep=True).keep is True
    assert cache.shared().keep is False


def test_a_build_leaves_nothing_in_the_shared_cache_memory(
    minimal: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`python -m pipeline build`, run in this process: the results it parsed are not kept."""
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PIPELINE_TODAY", DAY.isoformat())
    monkeypatch.chdir(minimal)
    assert main(["build"]) == 0
    assert cache.shared().memory == {}
