"""How plain the plain-language text is: the passages for patients and caregivers, and every
summary (it is what the home page, topic pages and search results show).

Each is measured with the Flesch-Kincaid grade (the US school grade a reader needs: 0.39 * words
per sentence + 11.8 * syllables per word - 15.59), on the words a reader sees: citations, code,
markup and link addresses left out. Syllables are counted with Pyphen's English hyphenation
dictionary (a word has one syllable more than it has hyphenation points), as textstat 0.7 did;
textstat itself is not used, because its releases need either setuptools' removed
`pkg_resources` or a download of NLTK data at run time. Text above the
board's reading level (`reading_level` in pipeline.yml, US grade 8 by default, as health
literacy guidance recommends for patient information) is a warning with the measured grade.
Passages for healthcare professionals are not measured.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyphen

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


# A sentence: a run of text up to and including its closing marks. Runs of one or two words
# (headings, list labels such as "Heat.") are not counted as sentences.
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
_PUNCTUATION = re.compile(r"[^\w\s'’-]|(?<!\w)['’-]|['’-](?!\w)")


def _words_of(text: str) -> list[str]:
    return _PUNCTUATION.sub("", text).split()


@functools.cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


@functools.lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    return len(_dictionary().positions(word.lower())) + 1


def grade(text: str) -> float:
    """The Flesch-Kincaid grade of plain text, to one decimal."""
    words = _words_of(text)
    if not words:
        return 0.0
    runs = _SENTENCE.findall(text)
    sentences = max(1, sum(len(_words_of(run)) > 2 for run in runs))
    per_sentence = len(words) / sentences
    per_word = sum(syllables(word) for word in words) / len(words)
    return round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1)


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
