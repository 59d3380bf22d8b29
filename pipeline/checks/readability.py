"""How plain the plain-language text is: the passages for patients and caregivers, and every
summary (it is what the home page, topic pages and search results show).

Each is measured with textstat's Flesch-Kincaid grade (the US school grade a reader needs), on
the words a reader sees: citations, code, markup and link addresses left out. Text above the
board's reading level (`reading_level` in pipeline.yml, US grade 8 by default, as health
literacy guidance recommends for patient information) is a warning with the measured grade.
Passages for healthcare professionals are not measured.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline import codes
from pipeline.citations.scan import without_citations
from pipeline.content.audience import passages
from pipeline.diagnostics import Diagnostic
from pipeline.model import Article

PLAIN_AUDIENCE = "patient"
_CODE = re.compile(r"`[^`\n]*`")
_TAG = re.compile(r"<[^<>]*>")
_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_MARKS = re.compile(r"^[ \t]*(?:[#>]+|[-*+]|\d+[.)])[ \t]+|[*_~]+", re.M)


@dataclass(frozen=True)
class Grade:
    """One measured text: what it is ("summary", "patient passage"), its line, its grade."""

    what: str
    line: int
    grade: float


def words(markdown: str) -> str:
    """The words a reader sees of a Markdown passage."""
    text = without_citations(markdown)
    text = _CODE.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _MARKS.sub(" ", text)
    # Each line of a list or table reads as a sentence of its own.
    lines = [line.strip().rstrip(".:;") for line in text.split("\n") if line.strip()]
    return ". ".join(lines) + ("." if lines else "")


def grade(text: str) -> float:
    import textstat  # imported when there is something to measure: its dictionary takes a moment

    return round(float(textstat.flesch_kincaid_grade(text)), 1)


def grades(article: Article) -> tuple[Grade, ...]:
    """The summary's grade and each patient passage's, in the order a reader meets them."""
    found = []
    if article.summary.strip():
        found.append(Grade("summary", article.line_of("summary"), grade(article.summary)))
    for line, text in passages(article.body, PLAIN_AUDIENCE):
        plain = words(text)
        if plain.strip(". "):
            found.append(Grade("patient passage", article.body_line + line - 1, grade(plain)))
    return tuple(found)


def check_readability(
    article: Article, measured: Sequence[Grade], level: int
) -> Iterator[Diagnostic]:
    for item in measured:
        if item.grade > level:
            yield codes.HARD_TO_READ.at(
                article.path, item.line, 1, what=item.what, grade=item.grade, level=level
            )
