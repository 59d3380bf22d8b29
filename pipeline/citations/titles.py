"""How the capitals of a title are written in a reference: sentence case and title case.

A BibTeX library writes titles as the journal printed them, mostly in title case, and braces
whatever must keep its capitals: `{American College of Physicians}`, `{NSAID}`. The loader keeps
those braced stretches as character spans (`Entry.case_protected`), and both functions below
leave every word that touches one as it is.

AMA 11th ed. 3.9.1: the titles of articles, chapters and web pages are in sentence case (the
first word, proper names, names of trials and abbreviations keep their capitals; everything else
is lower case), and for journal articles the subtitle after a colon also starts in lower case
(3.10). Books, reports, theses and other documents are in title case: every major word
capitalized; articles, coordinating conjunctions and prepositions of three letters or fewer in
lower case unless they start the title or a subtitle, or end it.

Sentence case can only lower words written Capitalized (one capital, then lower case): a word
with capitals inside (`McLean`, `NSAID`, `HbA1c`) is taken for a name or an abbreviation, and so
is a lone capital other than the article "A" (vitamin `D`, hepatitis `B`). A proper name written
like an ordinary word (`American Geriatrics Society`) needs its braces.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable

Spans = tuple[tuple[int, int], ...]

# Words split at white space, and, for sentence case, inside hyphenated and slashed compounds
# too ("Non-Specific" has two words, "Oxycodone/Acetaminophen" two).
_WORDS = re.compile(r"[^\s]+")
_PARTS = re.compile(r"[^\s\-‐/–—]+")

# AMA 3.9.1: articles, coordinating conjunctions, prepositions of three letters or fewer and the
# "to" of an infinitive stay lower case in title case ("vs" is AMA's abbreviation of versus).
MINOR_WORDS = frozenset(
    {"a", "an", "the"}
    | {"and", "or", "for", "nor", "but", "yet", "so"}
    | {"as", "at", "by", "in", "of", "off", "on", "out", "per", "to", "up", "via", "vs"}
)


def _toucher(spans: Spans) -> Callable[[int, int], bool]:
    """Whether a word from `start` to `end` touches (overlaps) one of `spans`, each word one
    binary search: the spans in order of their starts, with the furthest end reached so far
    (a title of 20,000 braced words, asked span by span for each word, took seconds)."""
    ordered = sorted(spans)
    starts = [first for first, _ in ordered]
    furthest = list(itertools.accumulate((last for _, last in ordered), max))

    def touches(start: int, end: int) -> bool:
        before = bisect.bisect_left(starts, end)  # the spans that start before the word ends
        return before > 0 and furthest[before - 1] > start

    return touches


_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _letters(word: str) -> str:
    return _NOT_LETTERS.sub("", word)


# A library entry is formatted for every article that cites it: the same titles come back.
@functools.lru_cache(maxsize=4096)
def sentence_case(title: str, protected: Spans = (), subtitle_capital: bool = False) -> str:
    """`title` in sentence case: the first word keeps (or gets) its capital, and so does a word
    that starts a new sentence after a period ("9. Pharmacologic approaches"). After a colon,
    a question mark or a dash the subtitle starts in lower case, as AMA writes it, or keeps its
    capital with `subtitle_capital` (CSL-JSON's convention, which pandoc follows, for styles
    such as APA). A leading number is the first word: "2025 guideline for ..." (as JAMA writes
    such titles)."""
    changes: list[tuple[int, int, str]] = []
    first = True
    touches = _toucher(protected)
    for match in _PARTS.finditer(title):
        word = match.group()
        if first or not word.islower():  # a word already in lower case stays as it is
            letters = _letters(word)
            if letters and not touches(match.start(), match.end()):
                if first and letters.islower():
                    changes.append((match.start(), match.end(), _capitalize(word)))
                elif not first and _capitalized(letters):
                    changes.append((match.start(), match.end(), word.lower()))
        # "2025 guideline", but "9. Pharmacologic approaches"
        first = word.endswith(".") or (subtitle_capital and word[-1] in ":?!")
    return _apply(title, changes)


@functools.lru_cache(maxsize=4096)
def title_case(title: str, protected: Spans = ()) -> str:
    """`title` in AMA title case: each major word capitalized (only its first letter is touched,
    so "Long-term" stays), minor words in lower case except first, last and after a colon."""
    words = list(_WORDS.finditer(title))
    touches = _toucher(protected)
    changes: list[tuple[int, int, str]] = []
    starts_part = True
    for position, match in enumerate(words):
        word, start, end = match.group(), match.start(), match.end()
        letters = _letters(word)
        if letters and not touches(start, end):
            last = position == len(words) - 1
            if letters.lower() in MINOR_WORDS and not (starts_part or last):
                if _capitalized(letters):
                    changes.append((start, end, word.lower()))
            else:
                changes.append((start, end, _capitalize(word)))
        if letters:
            starts_part = False
        if word[-1] in ":?!.—":
            starts_part = True
    return _apply(title, changes)


def _capitalized(letters: str) -> bool:
    """One capital then lower case ("Therapy"), or the article "A"; not "NSAID" or "McLean"."""
    if len(letters) == 1:
        return letters == "A"
    return letters[0].isupper() and letters[1:].islower()


def _capitalize(word: str) -> str:
    """The first letter upper case, when only punctuation comes before it: "(acute" -> "(Acute"."""
    for index, char in enumerate(word):
        if char.isalpha():
            return word[:index] + char.upper() + word[index + 1 :]
        if char.isalnum():
            return word
    return word


def _apply(text: str, changes: list[tuple[int, int, str]]) -> str:
    pieces, done = [], 0
    for start, end, new in changes:
        pieces += [text[done:start], new]
        done = end
    return "".join([*pieces, text[done:]])
