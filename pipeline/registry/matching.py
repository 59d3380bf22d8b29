"""Does a library entry describe the work its DOI or PMID names? Title, year, first author and
journal, compared with the registry's record.

The comparison forgives what differs between honest copies of one reference: case,
punctuation, accents, LaTeX (the library's text is already decoded), markup in the registry's
title, a "RETRACTED:" prefix, a missing subtitle, a year of print against one of online
publication, and a journal abbreviated in the NLM way ("Ann Intern Med" for "Annals of
Internal Medicine") or given with an article ("The Lancet"). A field the registry does not give
is not compared. What is left is a real difference, reported with the registry's value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from pipeline.checks.library import year_of
from pipeline.model import Author, Entry
from pipeline.registry.records import Record

# The compared fields, and the library field each is reported on.
FIELDS = {"title": "title", "year": "year", "first author": "author", "journal": "journal"}
_SMALL_WORDS = frozenset({"the", "of", "and", "in", "for", "on", "a", "an", "de", "la", "le"})
_RETRACTED = ("retracted", "article", "withdrawn")


@dataclass(frozen=True, order=True)
class Mismatch:
    """A compared field on which the entry and the registry differ; `registry`: its value."""

    field: str
    registry: str


def words(text: str) -> list[str]:
    """Lowercase ASCII words: 'Müller & Co.' -> ['muller', 'and', 'co']."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", folded.replace("&", " and "))


def same_title(ours: str, theirs: str) -> bool:
    mine, other = words(ours), words(theirs)
    while other and other[0] in _RETRACTED:  # "RETRACTED ARTICLE: ...", "Withdrawn: ..."
        other = other[1:]
    if not mine or mine == other:
        return mine == other
    if len(mine) >= 4 and other[: len(mine)] == mine:  # the library left a subtitle out
        return True
    return SequenceMatcher(None, " ".join(mine), " ".join(other)).ratio() >= 0.9


def _journal_words(name: str) -> list[str]:
    """'The Lancet (London, England)' -> ['lancet']."""
    found = words(re.sub(r"\([^)]*\)", " ", name))
    return [w for w in found if w not in _SMALL_WORDS]


def same_journal(ours: str, theirs: str) -> bool:
    """Equal, or one the NLM abbreviation of the other: every word a prefix of its match."""
    mine, other = _journal_words(ours), _journal_words(theirs)
    if not mine or not other or len(mine) != len(other):
        return bool(mine) and mine == other
    return all(a.startswith(b) or b.startswith(a) for a, b in zip(mine, other, strict=True))


def _name(author: Author) -> str:
    return "".join(words(author.last))


def same_first_author(ours: Author, theirs: tuple[Author, ...]) -> bool | None:
    """None when the registry cannot settle it: it lists no authors, or our first author is an
    organisation and it lists none."""
    if not theirs:
        return None
    if ours.corporate:
        groups = [a for a in theirs if a.corporate]
        if not groups:
            return None
        return any(SequenceMatcher(None, _name(ours), _name(g)).ratio() >= 0.8 for g in groups)
    first = theirs[0]
    return not first.corporate and (_name(ours) == _name(first) or _name(first) in _name(ours))


def _author_text(author: Author) -> str:
    return f"{author.last}, {author.given}" if author.given else author.last


def compare(entry: Entry, record: Record) -> tuple[tuple[str, ...], tuple[Mismatch, ...]]:
    """The fields compared, and those on which `entry` differs from `record`."""
    compared: list[str] = []
    found: list[Mismatch] = []

    def judge(name: str, same: bool | None, registry: str) -> None:
        if same is not None:
            compared.append(name)
            if not same:
                found.append(Mismatch(name, registry))

    titles = [record.title, f"{record.title}: {record.subtitle}" if record.subtitle else ""]
    if entry.get("title") and record.title:
        same = any(same_title(entry.get("title"), t) for t in titles if t)
        judge("title", same, titles[1] or titles[0])
    if year_of(entry) and record.years:
        judge("year", year_of(entry) in record.years, str(record.years[0]))
    if entry.authors:
        same_author = same_first_author(entry.authors[0], record.authors)
        judge(
            "first author", same_author, _author_text(record.authors[0]) if record.authors else ""
        )
    journals = [entry.get(name) for name in ("journal", "journaltitle", "shortjournal")]
    journals = [j for j in journals if j]
    if journals and record.journals:
        same = any(same_journal(j, r) for j in journals for r in record.journals)
        judge("journal", same, record.journals[0])
    return tuple(compared), tuple(found)
