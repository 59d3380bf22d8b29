"""Property-based tests: whatever a board member types, the scanner and the front-matter
loader answer with diagnostics, never an exception, and every position they report is real."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import regex  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.citations.scan import numbering, scan
from pipeline.content.articles import parse_article
from pipeline.model import Article, ReviewStatus
from pipeline.words import normalize

TODAY = dt.date(2026, 11, 25)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def article(body: str, body_line: int = 7) -> Article:
    return Article(
        path="a.md",
        slug="a",
        title="Q?",
        status=ReviewStatus.SUBMITTED,
        authors=("a",),
        reviewers=(),
        last_updated=TODAY,
        body=body,
        body_line=body_line,
    )


KEYS = st.sampled_from(["a", "b", "c", "qaseem2017", "smith:2001", "x_y"])
PIECES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    KEYS.map(lambda k: f"[@{k}]"),
    st.lists(KEYS, min_size=1, max_size=4).map(
        lambda ks: "[" + "; ".join(f"@{k}" for k in ks) + "]"
    ),
    KEYS.map(lambda k: f"[see @{k}, p. 12]"),
    st.sampled_from(["`", "``", "```\n", "\n", "\\[", "[", "]", "@", "<!--", "-->", " ", ";"]),
)


@FAST
@given(st.text())
def test_scanner_never_raises_on_any_text(body: str) -> None:
    scan(article(body))


@FAST
@given(st.lists(PIECES, max_size=40).map("".join))
def test_numbering_is_one_to_n_in_order_of_first_appearance(body: str) -> None:
    citations, _ = scan(article(body))
    numbers = numbering(citations)
    assert sorted(numbers.values()) == list(range(1, len(numbers) + 1))
    first_seen: list[str] = []
    for citation in citations:
        for item in citation.items:
            if item.key not in first_seen:
                first_seen.append(item.key)
    assert [numbers[key] for key in first_seen] == list(range(1, len(first_seen) + 1))


@FAST
@given(st.lists(PIECES, max_size=40).map("".join))
def test_every_citation_position_lies_inside_the_file(body: str) -> None:
    text = "---\ntitle: Q?\nstatus: Submitted\nauthors: [a]\nlast_updated: 2025-01-01\n---\n" + body
    parsed, _ = parse_article("a.md", text, TODAY)
    if parsed is None:
        return
    lines = text.split("\n")
    citations, malformed = scan(parsed)
    positions = [(c.line, c.column) for c in citations]
    positions += [(i.line, i.column) for c in citations for i in c.items]
    positions += [(m.line, m.column) for m in malformed]
    for line, column in positions:
        assert 1 <= line <= len(lines)
        assert 1 <= column <= len(lines[line - 1])
    for item in (i for c in citations for i in c.items):
        assert lines[item.line - 1][item.column - 1] == "@"


FRONT = st.one_of(
    st.text(),
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "---",
                    "title: Q?",
                    "status: Approved",
                    "status: ",
                    "authors: [a]",
                    "last_updated: 2025-01-01",
                    "last_updated: 2025-02-30",
                    "tags:",
                    "  - x",
                    "\t- y",
                    "a: &x [1]",
                    "b: *x",
                    "{",
                    "[",
                    ": :",
                    "title:",
                ]
            ),
            st.text(max_size=20),
        ),
        max_size=15,
    ).map("\n".join),
)


@FAST
@given(FRONT)
def test_front_matter_loader_never_raises_and_points_inside_the_file(text: str) -> None:
    parsed, diagnostics = parse_article("a.md", text, TODAY)
    line_count = text.count("\n") + 1
    for diagnostic in diagnostics:
        assert 0 <= diagnostic.line <= line_count, diagnostic
        assert diagnostic.column >= 0
    if parsed is not None:
        assert parsed.body_line <= line_count


# What the audit's normalize must equal: word-character runs, case-folded, one space apart.
_WORD_RUNS = re.compile(r"\w+")


@FAST
@given(st.text(alphabet=st.characters(), max_size=80))
def test_leak_text_normalizes_to_the_word_runs_of_any_text(text: str) -> None:
    """The audit normalizes every page byte by byte for speed; whatever the characters (accents,
    dashes, digits of other scripts, lone surrogates), it gives the regular-expression words of
    the text as a reader sees it, character by character: invisible characters and marks
    gone (but the Hangul fillers, which browsers draw as a blank), compatibility forms
    decomposed, Latin letters read as the letter they are drawn as."""

    def unmarked(text: str) -> str:
        return "".join(
            c
            for c in unicodedata.normalize("NFKD", text)
            if unicodedata.category(c) not in {"Mn", "Me", "Cf", "Cc"}
        )

    def seen(char: str) -> str:
        if char in "\u115f\u1160\u3164\uffa0":
            return " "
        if char.isascii():
            return char.lower() if char.isprintable() or char in "\t\n\v\f\r" else ""
        if regex.match(r"\p{Default_Ignorable_Code_Point}", char):
            return ""
        # A mark goes before case folding (U+0345, a tick under a letter, folds to an iota).
        kept = unmarked(unmarked(char).casefold())
        # A Latin letter without a compatibility form (a small capital, a dotless i, a letter
        # with a stroke) is read as the letter it is drawn as.
        name = unicodedata.name(kept, "") if len(kept) == 1 else ""
        if latin := re.fullmatch(
            r"LATIN (SMALL |CAPITAL )?LETTER (SMALL CAPITAL |DOTLESS )?([A-Z])( WITH .+)?", name
        ):
            kept = latin.group(3)
        return kept.casefold() if not kept or kept.isalnum() else " "

    shown = "".join(seen(char) for char in text)
    assert normalize(text) == " ".join(_WORD_RUNS.findall(shown))
