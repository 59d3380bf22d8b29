"""A BibTeX entry written from a registry's record, for `python -m pipeline references add`.

The key is readable, the first author's surname and the year (`qaseem2017`; `qaseem2017a` when
that is taken); the fields are those the styles and the checks use, in the library's own
layout. Text is escaped for BibTeX, so the library reads back exactly what the registry said.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from pipeline.identifiers import doi_url
from pipeline.model import Author
from pipeline.registry.records import Record

# Crossref's work types -> BibTeX entry types (anything else with a journal is an article).
_TYPES = {
    "journal-article": "article",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "book-chapter": "incollection",
    "proceedings-article": "inproceedings",
    "report": "report",
    "dissertation": "phdthesis",
    "posted-content": "misc",
}
_SPECIAL = str.maketrans(
    {
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "{": "",
        "}": "",
        "\\": "",
    }
)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def readable_key(record: Record, taken: Collection[str]) -> str:
    """`qaseem2017`; an organisation gives its first two words (`americandiabetes2025`); a
    letter is added while the key is taken (`qaseem2017a`)."""
    first = record.authors[0] if record.authors else None
    if first is None:
        name = _ascii("".join(record.title.split()[:1])) or "source"
    elif first.corporate:
        words = [w for w in first.last.split() if len(w) > 3] or first.last.split()
        name = "".join(_ascii(w) for w in words[:2]) or "source"
    else:
        name = _ascii(first.last) or "source"
    base = f"{name}{record.years[0] if record.years else ''}"
    key, letter = base, 0
    while key in taken:
        key = base + chr(ord("a") + letter)
        letter += 1
    return key


def _person(author: Author) -> str:
    if author.corporate:
        return "{" + author.last.translate(_SPECIAL) + "}"
    given = f", {author.given.translate(_SPECIAL)}" if author.given else ""
    return author.last.translate(_SPECIAL) + given


def entry_type(record: Record) -> str:
    if record.registry == "pubmed":
        return "article"
    return _TYPES.get(record.work_type, "article" if record.journals else "misc")


def entry_text(record: Record, key: str) -> str:
    """The entry, ending with a newline."""
    kind = entry_type(record)
    title = record.title + (f": {record.subtitle}" if record.subtitle else "")
    container = "booktitle" if kind in ("incollection", "inproceedings") else "journal"
    fields = [
        ("author", " and ".join(_person(a) for a in record.authors)),
        ("title", title.translate(_SPECIAL)),
        (container, record.journals[0].translate(_SPECIAL) if record.journals else ""),
        ("shortjournal", _short_journal(record) if container == "journal" else ""),
        ("publisher", record.publisher.translate(_SPECIAL) if kind != "article" else ""),
        ("year", str(record.years[0]) if record.years else ""),
        ("volume", record.volume),
        ("number", record.issue),
        ("pages", re.sub(r"\s*[-–]+\s*", "--", record.pages)),
        ("doi", record.doi),
        ("pmid", record.pmid),
        ("url", doi_url(record.doi) if kind == "misc" and record.doi else ""),
    ]
    present = [(name, value) for name, value in fields if value]
    width = max(len(name) for name, _ in present)
    lines = [f"  {name.ljust(width)} = {{{value}}}," for name, value in present]
    return f"@{kind}{{{key},\n" + "\n".join(lines) + "\n}\n"


def _short_journal(record: Record) -> str:
    """The abbreviation, when the registry gives one besides the full name."""
    short = record.journals[1] if len(record.journals) > 1 else ""
    return short.translate(_SPECIAL)
