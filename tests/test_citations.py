"""The citation scanner, numbering and the superscripts it produces (DESIGN §4)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.citations.scan import check_citations, numbering, scan
from pipeline.content.articles import parse_article
from pipeline.content.library import parse_library
from pipeline.model import Article, Library
from tests.conftest import render_article

HEAD = "---\ntitle: Q?\nstatus: Submitted\nauthors: [a]\nlast_updated: 2025-01-01\n---\n"
BIB = "\n".join(
    f"@article{{{key}, author={{Doe, Jane}}, title={{Title {key}}}, journal={{J}}, year=2020}}"
    for key in ("a", "b", "c", "d", "e", "qaseem2017")
)


def article(body: str) -> Article:
    parsed, problems = parse_article("content/articles/x.md", HEAD + body, dt.date(2026, 1, 1))
    assert parsed is not None, problems
    return parsed


def library() -> Library:
    entries, problems = parse_library("references/library.bib", BIB)
    assert not problems
    return Library({e.key: e for e in entries})


def keys(body: str) -> list[list[str]]:
    citations, _ = scan(article(body))
    return [[item.key for item in c.items] for c in citations]


def test_single_and_grouped_citations_are_found_in_order() -> None:
    assert keys("One [@a]. Two [@b; @c].\n") == [["a"], ["b", "c"]]


@pytest.mark.parametrize(
    "body",
    [
        "In code `[@a]` only.\n",
        "```\n[@a]\n```\n",
        "~~~~\n[@a]\n~~~~\n",
        "Escaped \\[@a] bracket.\n",
        "Mail jdoe@example.org or [write to jdoe@example.org].\n",
        "A bare @a mention.\n",
        "<!-- [@a] -->\n",
        "A link [@a](https://example.org).\n",
    ],
)
def test_text_that_is_not_a_citation_is_ignored(body: str) -> None:
    assert keys(body) == []


def test_citation_after_a_code_span_on_the_same_line_is_found() -> None:
    assert keys("`x` then [@a] and ``[@b]`` done.\n") == [["a"]]


def test_trailing_punctuation_is_not_part_of_the_key() -> None:
    assert keys("End [@a.]\n") == [["a"]]


def test_position_is_the_file_line_and_column_of_the_key() -> None:
    citations, _ = scan(article("\nFirst line.\nSecond [@b] here.\n"))
    item = citations[0].items[0]
    # HEAD is 6 lines; the body starts on line 7, so "Second" is line 9; the "@" is column 9.
    assert (item.line, item.column) == (9, 9)


def test_numbers_follow_first_appearance_and_repeat_for_the_same_source() -> None:
    citations, _ = scan(article("[@c] then [@a; @c] then [@b] and [@a].\n"))
    assert numbering(citations) == {"c": 1, "a": 2, "b": 3}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[@a; @b; @c]", ["1-3"]),
        ("[@a; @b]", ["1,2"]),
        ("[@a] [@b] [@c] [@d] [@e] [@e; @a; @b; @c]", ["1", "2", "3", "4", "5", "1-3,5"]),
        ("[@a] [@b] [@c] [@e; @c; @a]", ["1", "2", "3", "1,3,4"]),
        ("[@a, p. 12]", ["1(p12)"]),
        ("[@a, pp. 3-4; @b]", ["1(pp3-4),2"]),
        ("[@a; @a]", ["1"]),
    ],
)
def test_groups_are_sorted_collapsed_and_show_locators(body: str, expected: list[str]) -> None:
    import re

    html, _ = render_article(article(body + "\n"), library())
    sups = re.findall(r'<sup class="citation"[^>]*>(.*?)</sup>', html)
    assert [re.sub(r"<[^>]+>", "", s) for s in sups] == expected


def test_each_number_links_to_its_entry_and_the_entry_links_back() -> None:
    html, references = render_article(article("X [@b]. Y [@a; @b].\n"), library())
    assert '<sup class="citation" id="cite-1"><a href="#ref-1"' in html
    assert 'id="ref-1"' in references
    assert '<a href="#cite-1" class="citation-backref"' in references
    assert '<a href="#cite-2" class="citation-backref"' in references


def test_unknown_key_is_an_error_with_suggestion_and_position() -> None:
    problems = check_citations(article("Treat [@qaseem2016].\n"), library())
    assert [(p.code, p.line, p.column) for p in problems] == [("CIT001", 7, 8)]
    assert "did you mean 'qaseem2017'?" in problems[0].message


@pytest.mark.parametrize("body", ["Empty [@] key.\n", "Stray [@a;] semicolon.\n"])
def test_malformed_bracket_is_a_diagnostic(body: str) -> None:
    problems = check_citations(article(body), library())
    assert [p.code for p in problems] == ["CIT002"]
