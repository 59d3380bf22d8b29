"""Article pages converted late and on a second core (mkdocs_pages.py): the same site either
way, and nothing MkDocs would report is lost on the way."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import forked, mkdocs_pages
from pipeline.audit import output_text
from tests.test_publish import strict_build

needs_worker = pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="the worker needs Linux and two cores",
)


def site_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@needs_worker
def test_the_site_is_byte_identical_with_and_without_the_worker(
    minimal: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = []
    real = mkdocs_pages.Worker.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(args[0])
        real(self, *args, **kwargs)

    monkeypatch.setattr(mkdocs_pages.Worker, "__init__", counting)
    # Other tests leave server threads behind in this process; a real build has none.
    monkeypatch.setattr(mkdocs_pages.threading, "active_count", lambda: 1)
    assert cli("approve", "content/articles/under-review.md", "--by", "rev2", cwd=minimal).code == 0
    assert cli("build", cwd=minimal).code == 0
    articles = ["articles/back-pain.md", "articles/under-review.md"]
    listings = ["topics/index.md", "topics/musculoskeletal.md", "topics/neurology.md"]
    assert started == [[*articles, *listings, "index.md", "board.md"]]
    with_worker = site_bytes(minimal / "site")

    monkeypatch.setenv(forked.WORKERS_VARIABLE, "0")
    assert cli("build", cwd=minimal).code == 0
    assert len(started) == 1  # no worker this time
    assert site_bytes(minimal / "site") == with_worker


def _approve_with_a_broken_link(minimal: Path, cli) -> None:
    article = minimal / "content/articles/under-review.md"
    text = article.read_text("utf-8").replace(
        "seven minutes", "seven minutes (see [the protocol](missing-protocol.md))"
    )
    article.write_text(text, "utf-8")
    assert cli("approve", "content/articles/under-review.md", "--by", "rev2", cwd=minimal).code == 0


@pytest.mark.parametrize("workers", ["1", "0"])
def test_a_warning_from_a_converted_article_still_fails_a_strict_build(
    minimal: Path, cli, workers: str
) -> None:
    """MkDocs warns about a link to a missing page while converting it; in the worker the
    warning is sent back, so --strict counts it just the same."""
    _approve_with_a_broken_link(minimal, cli)
    result = strict_build(minimal, **{forked.WORKERS_VARIABLE: workers})
    assert result.returncode != 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1 and "missing-protocol.md" in warnings[0], result.stderr
    assert "aborted with 1 warnings in strict mode" in result.stderr


def test_search_indexes_articles_without_their_citation_numbers(minimal: Path, cli) -> None:
    assert cli("build", cwd=minimal).code == 0
    index = (minimal / "site/search/search_index.json").read_text("utf-8")
    page = (minimal / "site/articles/back-pain.html").read_text("utf-8")
    assert '<sup class="citation"' in page
    assert "<sup" not in index and "short term relief comes from" in output_text(
        minimal / "site/search/search_index.json"
    )


def test_without_a_process_to_fork_every_article_is_converted_here(
    minimal: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("approve", "content/articles/under-review.md", "--by", "rev2", cwd=minimal).code == 0
    monkeypatch.setattr(mkdocs_pages.threading, "active_count", lambda: 1)

    tried = []

    def no_fork(self) -> None:  # type: ignore[no-untyped-def]
        tried.append(self)
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr("multiprocessing.process.BaseProcess.start", no_fork)
    assert cli("build", cwd=minimal).code == 0
    assert (minimal / "site/articles/under-review.html").is_file()
    assert tried or len(os.sched_getaffinity(0)) < 2


def test_a_warning_from_the_worker_is_printed_once(
    minimal: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker sends its log records back through one handler, however MkDocs' logger is set
    to propagate."""
    _approve_with_a_broken_link(minimal, cli)
    monkeypatch.setattr(mkdocs_pages.threading, "active_count", lambda: 1)
    result = cli("build", cwd=minimal)
    assert result.code == 0
    assert result.stderr.count("missing-protocol.md' is not found") == 1, result.stderr


def test_staged_pages_are_slices_of_one_file(tmp_path: Path) -> None:
    """One file holds every staged page (creating a file per page was the slowest part of
    staging); each page reads back exactly its own text, and another plugin may still set it."""
    config = SimpleNamespace(site_dir=str(tmp_path / "site"), use_directory_urls=False)
    bundle = tmp_path / "pages.md"
    first, second = "# Ödem\n\nÜber alles.\n".encode(), b"# Second\n"
    bundle.write_bytes(first + second)
    files = [
        mkdocs_pages.BundledFile(config, "articles/a.md", str(bundle), 0, len(first)),  # type: ignore[arg-type]
        mkdocs_pages.BundledFile(config, "b.md", str(bundle), len(first), len(second)),  # type: ignore[arg-type]
    ]
    assert [f.content_string for f in files] == [first.decode(), "# Second\n"]
    assert all(f.is_modified() for f in files)  # staged anew by every build, --dirty or not
    assert files[0].url == "articles/a.html" and files[0].abs_src_path is None
    files[1].content_string = "replaced"
    assert files[1].content_bytes == b"replaced" and files[0].content_bytes == first


def test_an_article_opening_with_a_rule_is_not_read_as_front_matter(minimal: Path, cli) -> None:
    """An article's front matter reaches MkDocs as data, never as YAML in its staged page: a body
    that opens with a horizontal rule, a line that reads like YAML and a heading underline is
    shown as written."""
    article = minimal / "content/articles/under-review.md"
    head, body = article.read_text("utf-8").split("\n---\n", 1)
    article.write_text(f"{head}\n---\n---\nkeep: this line\n---\n{body}", "utf-8")
    assert cli("approve", "content/articles/under-review.md", "--by", "rev2", cwd=minimal).code == 0
    assert cli("build", cwd=minimal).code == 0
    page = (minimal / "site/articles/under-review.html").read_text("utf-8")
    assert "<hr" in page and "keep: this line</h2>" in page
    assert "<title>Does moonlight exposure shorten migraine attacks?" in page


class _Config(dict):  # type: ignore[type-arg]
    """Just what a Page and a BundledFile read of MkDocs' configuration."""

    def __init__(self, site_dir: str, source: str | None) -> None:
        super().__init__(site_url=None, repo_url=None, edit_uri=None, edit_uri_template=None)
        self.site_dir, self.use_directory_urls = site_dir, False
        self.plugins = SimpleNamespace(on_page_read_source=lambda page, config: source)


def _staged_article(tmp_path: Path, source: str | None) -> mkdocs_pages.StagedArticle:
    """An article page staged as "Body." with its front matter after it, as the bundle has it."""
    meta = json.dumps({"title": "What helps?", "review": {"status": "approved"}}).encode()
    bundle = tmp_path / "pages.md"
    bundle.write_bytes(b"Body.\n" + meta)
    config = _Config(str(tmp_path / "site"), source)
    file = mkdocs_pages.BundledFile(config, "articles/a.md", str(bundle), 0, 6, len(meta))  # type: ignore[arg-type]
    page = mkdocs_pages.StagedArticle(file, config)  # type: ignore[arg-type]
    page.read_source(config)  # type: ignore[arg-type]
    return page


@pytest.mark.parametrize("source", [None, "---\ntitle: Another\nextra: kept\n---\nReplaced.\n"])
def test_a_staged_article_keeps_its_staged_front_matter(tmp_path: Path, source: str | None) -> None:
    """Read from its file, an article page gets its front matter as data; should another plugin
    supply the page's source, the staged title and review status still win."""
    page = _staged_article(tmp_path, source)
    assert page.meta["title"] == "What helps?" and page.meta["review"] == {"status": "approved"}
    if source is None:
        assert page.markdown == "Body.\n" and set(page.meta) == {"title", "review"}
    else:
        assert page.markdown == "Replaced.\n" and page.meta["extra"] == "kept"


def test_a_written_article_lets_go_of_its_front_matter_until_asked_again(tmp_path: Path) -> None:
    """Front matter is read when first asked for and let go once the page is written (a thousand
    pages' of it weighed 5 MiB to the end of the build); asked again, it is read again. Front
    matter set by another plugin is never let go: it could not be read again."""
    page = _staged_article(tmp_path, None)
    assert page._meta is None  # not read with the page's Markdown
    assert page.meta["title"] == "What helps?"
    page.forget_meta()
    assert page._meta is None and page.title == "What helps?"
    page.meta = {"title": "Set by a plugin"}
    page.forget_meta()
    assert page.meta == {"title": "Set by a plugin"}


def test_front_matter_a_plugin_changed_in_place_is_kept(tmp_path: Path) -> None:
    page = _staged_article(tmp_path, None)
    page.meta["review"]["reading_time"] = 3
    page.forget_meta()
    assert page._meta is not None and page.meta["review"]["reading_time"] == 3


def test_before_the_bundle_goes_a_page_reads_back_its_front_matter(tmp_path: Path) -> None:
    page = _staged_article(tmp_path, None)
    page.forget_meta()
    page.hold_meta()
    page.bundled.bundle = str(tmp_path / "removed.md")  # the bundle is gone
    page.forget_meta()
    assert page.meta["title"] == "What helps?"


def test_a_written_article_page_no_longer_holds_its_front_matter(minimal: Path, cli) -> None:
    """The plugin lets each article's front matter go as soon as its page is written (the
    related-article links are resolved into the template's context, not into it)."""
    held: list[bool] = []
    real = mkdocs_pages.StagedArticle.forget_meta

    def forget(self):  # type: ignore[no-untyped-def]
        real(self)
        held.append(self._meta is not None)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mkdocs_pages.StagedArticle, "forget_meta", forget)
        assert cli("build", cwd=minimal).code == 0
    assert held and not any(held)
    page = (minimal / "site/articles/back-pain.html").read_text("utf-8")
    assert 'href="../topics/musculoskeletal.html"' in page  # the links still resolve


HOOKS = """
import json, pathlib
seen = {}
pages = []

def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == "articles/back-pain.md":
        page.meta["reading_time"] = 3
        pages.insert(0, page)
    elif page.file.src_uri.startswith("articles/"):
        pages.append(page)
    return markdown

def on_post_build(config):
    seen["post_build"] = pages[0].meta.get("reading_time"), len(pages)

def on_shutdown():
    seen["shutdown"] = {p.file.src_uri: p.meta.get("title") for p in pages}
    pathlib.Path("seen.json").write_text(json.dumps(seen))
"""


def test_front_matter_other_hooks_change_or_read_late_is_still_there(minimal: Path, cli) -> None:
    """A hook that adds to an article's front matter sees its change at the end of the build,
    and front matter read after the staged pages are removed is still the article's."""
    assert cli("approve", "content/articles/under-review.md", "--by", "rev2", cwd=minimal).code == 0
    (minimal / "hooks.py").write_text(HOOKS, "utf-8")
    config = minimal / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "\nhooks:\n  - hooks.py\n", "utf-8")
    assert cli("build", cwd=minimal).code == 0
    seen = json.loads((minimal / "seen.json").read_text("utf-8"))
    assert seen["post_build"] == [3, 2]
    assert seen["shutdown"]["articles/back-pain.md"] == "What helps acute back spasm?"
    assert all(seen["shutdown"].values())  # read after the staged pages were removed


@needs_worker
def test_while_the_worker_is_slow_this_process_converts_the_next_pages(
    minimal: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rather than wait for the page the worker is on, the build converts the next page nobody
    has started; the site is the same."""
    assert cli("approve", "content/articles/under-review.md", "--by", "rev2", cwd=minimal).code == 0
    monkeypatch.setenv(forked.WORKERS_VARIABLE, "0")
    assert cli("build", cwd=minimal).code == 0
    alone = site_bytes(minimal / "site")

    monkeypatch.delenv(forked.WORKERS_VARIABLE)
    monkeypatch.setattr(mkdocs_pages.threading, "active_count", lambda: 1)
    here, real = os.getpid(), mkdocs_pages.Converted.of
    ahead: list[str] = []

    def convert(page, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.getpid() != here:
            time.sleep(0.5)  # a slow worker
        return real(page, *args, **kwargs)

    real_here, real_take = mkdocs_pages.Articles._here, mkdocs_pages.Worker.take
    taking: list[bool] = []

    def spy(self, page, config, files):  # type: ignore[no-untyped-def]
        if taking:  # converted while waiting for the worker: ahead of its turn
            ahead.append(page.file.src_uri)
        return real_here(self, page, config, files)

    def take(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        taking.append(True)
        try:
            return real_take(self, *args, **kwargs)
        finally:
            taking.pop()

    monkeypatch.setattr(mkdocs_pages.Converted, "of", convert)
    monkeypatch.setattr(mkdocs_pages.Articles, "_here", spy)
    monkeypatch.setattr(mkdocs_pages.Worker, "take", take)
    assert cli("build", cwd=minimal).code == 0
    assert ahead and "articles/back-pain.md" not in ahead  # the first is the worker's
    assert site_bytes(minimal / "site") == alone


def test_a_listing_page_titled_by_its_heading_has_that_title_on_every_page(
    minimal: Path, cli
) -> None:
    """A site page with no title in its front matter or the nav takes it from its heading,
    which is known only once it is converted: such a page is converted as MkDocs would, so
    every page's navigation names it the same."""
    board = minimal / "content/pages/board.md"
    board.write_text("# Our Reviewers\n\nThe board.\n", "utf-8")
    config = minimal / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "  - Medical Advisory Board: board.md\n" in text
    config.write_text(text.replace("  - Medical Advisory Board: board.md\n", "  - board.md\n"))
    assert cli("build", cwd=minimal).code == 0
    pages = [p for p in (minimal / "site").rglob("*.html") if p.name != "404.html"]
    assert pages and all("Our Reviewers" in p.read_text("utf-8") for p in pages)


@needs_worker
def test_a_page_that_fails_while_converted_ahead_is_reported_as_itself(
    minimal: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page converted early, while the worker was busy, and failing there, is converted again
    in its turn: the error names that page, not the one being written when it first failed."""
    assert cli("approve", "content/articles/under-review.md", "--by", "rev2", cwd=minimal).code == 0
    monkeypatch.setattr(mkdocs_pages.threading, "active_count", lambda: 1)
    here, real = os.getpid(), mkdocs_pages.Converted.of

    def convert(page, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.getpid() != here:
            time.sleep(0.5)  # a slow worker
        elif page.file.src_uri == "articles/under-review.md":
            raise ValueError("cannot convert")
        return real(page, *args, **kwargs)

    monkeypatch.setattr(mkdocs_pages.Converted, "of", convert)
    result = cli("build", cwd=minimal)
    assert result.code != 0
    assert "Error building page 'articles/under-review.md'" in result.stderr, result.stderr


def test_anchor_names_kept_to_the_end_of_the_build_are_shared_between_pages() -> None:
    """Each page's anchors stay until MkDocs checks links at the end; a name that recurs on
    every page ("ref-1") is then held once, not once per page."""
    pages = [
        SimpleNamespace(
            present_anchor_ids={"".join(["ref-", "1"]), "background"},
            links_to_anchors={"self": {"".join(["ref-", "1"]): "#ref-1"}},
        )
        for _ in range(2)
    ]
    first, second = (next(a for a in p.present_anchor_ids if a == "ref-1") for p in pages)
    assert first is not second
    for page in pages:
        mkdocs_pages._share_anchor_names(page)  # type: ignore[arg-type]
    first, second = (next(a for a in p.present_anchor_ids if a == "ref-1") for p in pages)
    assert first is second and pages[0].present_anchor_ids == {"ref-1", "background"}
    (a, url), (b, _) = (next(iter(p.links_to_anchors["self"].items())) for p in pages)
    assert a is b and url == "#ref-1"


def test_removing_the_staged_pages_after_their_file_is_gone_raises_nothing(
    tmp_path: Path,
) -> None:
    """On the way out of a failed build the staged file may already be gone: reading front
    matter back must not hide the build's own error behind another."""
    from pipeline.plugin import PipelinePlugin

    page = _staged_article(tmp_path, None)
    _ = page.meta
    page.forget_meta()
    (tmp_path / "pages.md").unlink()
    plugin = PipelinePlugin()
    plugin.bundled = [page.bundled]
    plugin._remove_staged()
    assert plugin.bundled == []
