"""Distinctive runs of an article's words (probes), and the one-pass search for them.

The leak audit looks for a withheld article's probes in every output file; check --base looks
for them in the files a change touches (PAGE007, PAGE008), read the same way.
"""

from __future__ import annotations

import html
import html.entities
import re
from collections.abc import Iterator
from pathlib import Path

import ahocorasick

from pipeline.citations.scan import without_citations
from pipeline.model import Article
from pipeline.site.output_text import without_tags
from pipeline.words import normalize

PROBE_WORDS = 8
MARKDOWN_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
# Possessive: a line of 180,000 spaces split every way between two runs took minutes.
_FRONT_KEY = re.compile(r"^[ \t]*+(?:-[ \t]*+)?[A-Za-z_]+:[ \t]*+", re.MULTILINE)


def _probe_text(markdown: str) -> str:
    """An article's source as its probes read it: citations and link targets dropped, front
    matter keys dropped, raw HTML as readers see it (an <abbr> around every third word is no
    word of its own)."""
    text = without_citations(markdown)
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = _FRONT_KEY.sub("\n", text)
    return html.unescape(without_tags(text))


def probe_words(markdown: str) -> str:
    """All the words of an article's source read as `probes` reads them, joined: a probe of
    another article found here is text this one says too (a link's target, which probes drop,
    is not between the words here either)."""
    return joined(normalize(_probe_text(markdown)))


def probes(markdown: str) -> set[str]:
    """Distinctive runs of words from an article's source: eight words from every fourth word
    (so a word slipped into one place hides no more than a few words of it) of each sentence
    and title-like line of five words or more; and, of eight words or more, of each sentence as
    its paragraph reads it (a line break inside a paragraph is a space on the page: an article
    wrapped at four words a line has no long line) and of each paragraph across its sentences
    (one written in sentences of four words has no long sentence)."""
    text = _probe_text(markdown)
    paragraphs = _SOFT_BREAK.sub(" ", text)
    found: set[str] = set()
    for pieces, least in (
        (re.split(r"[.!?\n]+", text), 5),
        (re.split(r"[.!?\n]+", paragraphs), PROBE_WORDS),
        (paragraphs.split("\n"), PROBE_WORDS),
    ):
        for piece in pieces:
            words = normalize(piece).split()
            if len(words) < least:
                continue
            last = max(0, len(words) - PROBE_WORDS)
            for start in {*range(0, last + 1, PROBE_WORDS // 2), last}:
                found.add(" ".join(words[start : start + PROBE_WORDS]))
    return found


# A line break inside a paragraph (not next to another, nor before a list item, a table row, a
# heading or a quote, each a block of its own): a space to a reader. List items stay apart: a
# draft listing two published titles in a row made a probe of the related-articles box.
_SOFT_BREAK = re.compile(r"(?<!\n)\n(?![ \t]*(?:\n|[-*+][ \t]|\d+[.)][ \t]|[|#>]))")


def matcher(needles: dict[str, str]) -> ahocorasick.Automaton | None:
    """All needles searched in one pass over a text (Aho-Corasick), instead of one pass each:
    a site of a thousand pages and a hundred withheld articles stays fast to audit."""
    if not needles:
        return None
    automaton = ahocorasick.Automaton()
    for needle, source in needles.items():
        automaton.add_word(needle, (needle, source))
    automaton.make_automaton()
    return automaton


def found_in(automaton: ahocorasick.Automaton | None, text: str) -> Iterator[tuple[str, str]]:
    if automaton is not None:
        for _, (needle, source) in automaton.iter(text):
            yield needle, source


def reader_text(article: Article) -> str:
    """What readers read of an article: its title, summary and text (not its tags, which a list
    of topics on every page shares)."""
    return f"{article.title}\n{article.summary}\n{article.body}"


def article_addresses(rel: str) -> tuple[str, str]:
    """How the site addresses an article's page, as the audit looks for it in every file."""
    slug = Path(rel).stem
    return f"articles/{slug}.html", f"articles/{slug}/"


def joined(words: str) -> str:
    return words.replace(" ", "")
