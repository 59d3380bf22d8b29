"""The publishing promises (DESIGN §6), kept by every engine: the same tests run the build with
`--engine mkdocs` and `--engine zensical`.

Approved articles only, nothing of another article in any output file, the disclaimer and the
status element on every article page (outside the article's text), JSON-LD from verified
approvals, byte-identical output, and a failed build that leaves the previous site untouched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.engines import ENGINES
from tests.conftest import REPO, edit, output_text, site_files

PENDING_WORDS = ("zebra stripes", "purple giraffe", "lavender nebulizers", "moonlight")


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def build(root: Path, cli, engine: str, *args: str) -> Path:
    result = cli("build", "--engine", engine, *args, cwd=root)
    assert result.code == 0, result.stderr
    return root / "site"


def all_text(site: Path) -> str:
    return " ".join(output_text(p) for p in site.rglob("*") if p.is_file())


def test_only_approved_articles_are_published_and_nothing_else_leaks(
    minimal: Path, cli, engine: str
) -> None:
    site = build(minimal, cli, engine)
    assert (site / "articles/back-pain.html").is_file()
    assert not (site / "articles/pending.html").exists()
    assert not (site / "articles/under-review.html").exists()
    text = all_text(site)
    assert "short term relief comes from" in text
    for words in PENDING_WORDS:
        assert words not in text
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert "articles/back-pain.html" in sitemap and "pending" not in sitemap


def test_every_article_page_carries_status_disclaimer_and_references_outside_its_text(
    minimal: Path, cli, engine: str
) -> None:
    page = (build(minimal, cli, engine) / "articles/back-pain.html").read_text("utf-8")
    assert page.count('id="medical-disclaimer"') == 1 and "never replaces, clinical" in page
    assert 'id="review-status"' in page and 'data-status="approved"' in page
    body = page.index('<div class="article-body">')
    assert body < page.index('id="references"') < page.index('id="medical-disclaimer"')
    assert '<sup class="citation" id="cite-1"><a href="#ref-1"' in page
    # Each entry of the list, then a link back to each place it is cited.
    entry = re.search(r'<li id="ref-1">(.*?)</li>', page, re.S)
    assert entry is not None and entry.group(1).startswith("Browning R")
    back = re.findall(r'<a href="#cite-(\d+)" class="citation-backref" aria-label="([^"]+)">', page)
    assert back[:2] == [("1", "Back to citation 1a"), ("3", "Back to citation 1b")]
    assert "Reviewed by Ravi Second, DO on" in page


def test_the_home_page_is_titled_with_the_site_name_alone(minimal: Path, cli, engine: str) -> None:
    site = build(minimal, cli, engine)
    name = re.search(r"^site_name: (.+)$", (minimal / "mkdocs.yml").read_text("utf-8"), re.M)
    assert name is not None
    titles = re.findall(r"<title>([^<]*)</title>", (site / "index.html").read_text("utf-8"))
    assert titles == [name.group(1).strip()]
    board = (site / "board.html").read_text("utf-8")  # other pages: their title, then the site's
    assert re.findall(r"<title>([^<]*)</title>", board) == [f"Board - {titles[0]}"]


def test_json_ld_names_only_verified_reviewers(minimal: Path, cli, engine: str) -> None:
    page = (build(minimal, cli, engine) / "articles/back-pain.html").read_text("utf-8")
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["@type"] == "MedicalWebPage" and data["lastReviewed"] == "2026-11-25"
    assert data["reviewedBy"] == [{"@type": "Person", "name": "Ravi Second, DO"}]


def test_the_same_input_gives_byte_identical_output(minimal: Path, cli, engine: str) -> None:
    first = site_files(build(minimal, cli, engine))
    second = site_files(build(minimal, cli, engine))
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_code_is_never_coloured_by_a_lexer(minimal: Path, cli, engine: str) -> None:
    """Zensical colours fenced code with Pygments, some of whose lexers are quadratic (one line
    of 16,000 blanks in `autoit` took 52 s): code stays plain under either engine."""
    page = minimal / "content/pages/editorial-policy.md"
    fence = "```autoit\nx" + " " * 200 + "x\n```\n\n```python\nprint(1)\n```\n"
    page.write_text(page.read_text("utf-8") + "\n" + fence, "utf-8")
    shown = (build(minimal, cli, engine) / "editorial-policy.html").read_text("utf-8")
    code = re.findall(r"<pre[^>]*>(.*?)</pre>", shown, re.S)
    assert len(code) == 2 and "print(1)" in code[1]
    assert not any("<span" in block for block in code), code


def test_a_failed_build_leaves_the_previous_site_untouched(minimal: Path, cli, engine: str) -> None:
    before = site_files(build(minimal, cli, engine))
    edit(minimal, "content/articles/back-pain.md", "@chou2007]", "@chou2008]")
    result = cli("build", "--engine", engine, cwd=minimal)
    assert result.code == 1 and " CIT001 " in result.stderr
    assert site_files(minimal / "site") == before
    assert not list(minimal.glob(".site*building*"))


def test_a_leak_from_the_theme_fails_the_audit_and_the_site_stays(
    minimal: Path, cli, engine: str
) -> None:
    """The audit reads what the engine wrote, so it catches a leak staging did not cause."""
    before = site_files(build(minimal, cli, engine))
    (minimal / "overrides/main.html").write_text(
        '{% extends "base.html" %}{% block footer %}The purple giraffe protocol recommends '
        "counting zebra stripes before each antihistamine dose.{% endblock %}",
        "utf-8",
    )
    result = cli("build", "--engine", engine, cwd=minimal)
    assert result.code == 1 and " PUB001 " in result.stderr
    assert "content/articles/pending.md" in result.stderr
    assert site_files(minimal / "site") == before


def test_a_hidden_disclaimer_fails_the_audit(minimal: Path, cli, engine: str) -> None:
    """A theme change that puts the disclaimer inside a collapsed box, or inside the article's
    own text, is caught after either engine."""
    template = minimal / "overrides/article.html"
    text = template.read_text("utf-8")
    template.write_text(
        text.replace(
            "{{ config.extra.pipeline.disclaimer }}",
            "<details><summary>More</summary>{{ config.extra.pipeline.disclaimer }}</details>",
        ),
        "utf-8",
    )
    result = cli("build", "--engine", engine, cwd=minimal)
    assert result.code == 1
    assert "#medical-disclaimer is not where the article template puts it" in result.stderr


def test_the_preview_marks_every_page_noindex_and_pending_articles(
    minimal: Path, cli, engine: str
) -> None:
    assert cli("build", "--engine", engine, "--preview", cwd=minimal).code == 0
    preview = minimal / "preview"
    pending = (preview / "articles/pending.html").read_text("utf-8")
    assert "Pending human review" in pending and 'data-status="submitted"' in pending
    for page in preview.rglob("*.html"):
        assert 'name="robots" content="noindex' in page.read_text("utf-8"), page
    assert not (minimal / "site").exists()


def test_only_the_mkdocs_adapter_and_its_plugin_import_mkdocs() -> None:
    """The core stages a site for any engine: an import of MkDocs anywhere else would weld it
    to one engine again."""
    importing = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "pipeline").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+mkdocs\b", path.read_text("utf-8"), re.M)
    }
    assert importing == {"pipeline/engines/mkdocs.py", "pipeline/engines/plugin.py"}


def test_only_an_engine_that_needs_them_allows_inline_stylesheets(
    minimal: Path, cli, engine: str
) -> None:
    """A stylesheet that slipped into a page could hide the disclaimer: only an engine whose
    theme writes <style> elements from its scripts (Zensical's search) gets them allowed, and
    style attributes stay refused for every engine."""
    page = (build(minimal, cli, engine) / "articles/back-pain.html").read_text("utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";") if d.strip())
    assert directives["style-src"] == "'self'"
    inline = directives.get("style-src-elem") == "'self' 'unsafe-inline'"
    assert inline is (engine == "zensical")
