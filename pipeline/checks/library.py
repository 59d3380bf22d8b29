"""Checks of the reference library itself, each pointing at the entry (or field) in its file.

mkdocs-bibtex, Quarto and Jupyter Book stop at "unknown key"; a medical publisher also needs to
know that every source is complete, its identifiers well formed, and each work listed once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from urllib.parse import urlparse

from pipeline import codes
from pipeline.diagnostics import Diagnostic
from pipeline.identifiers import (
    DOI,
    identifier,
    invisible,
    normalize_doi,
    normalize_pmid,
    url_identifier,
)
from pipeline.model import Entry, Library

ANY_YEAR = ("year", "date")
_DAY = re.compile(r"[0-9]{4}-?[0-9]{2}-?[0-9]{2}")  # as fromisoformat reads a day, no week
# For each type: groups of fields, one of each group must be present and non-empty.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "article": (("author",), ("title",), ("journal", "journaltitle"), ANY_YEAR),
    "book": (("author", "editor"), ("title",), ("publisher",), ANY_YEAR),
    "inbook": (("author", "editor"), ("title",), ("booktitle",), ("publisher",), ANY_YEAR),
    "incollection": (("author",), ("title",), ("booktitle",), ("publisher",), ANY_YEAR),
    "inproceedings": (("author",), ("title",), ("booktitle",), ANY_YEAR),
    "report": (("author", "institution"), ("title",), ("institution",), ANY_YEAR),
    "techreport": (("author", "institution"), ("title",), ("institution",), ANY_YEAR),
    "thesis": (("author",), ("title",), ("school", "institution"), ANY_YEAR),
    "phdthesis": (("author",), ("title",), ("school", "institution"), ANY_YEAR),
    "mastersthesis": (("author",), ("title",), ("school", "institution"), ANY_YEAR),
    "online": (("title",), ("url",), ("year", "date", "urldate")),
    "misc": (("title",), ("url",), ("year", "date", "urldate")),
}


def isbn_is_valid(isbn: str) -> bool:
    digits = re.sub(r"[\s-]", "", isbn).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(digits))
        return total % 11 == 0
    if re.fullmatch(r"\d{13}", digits):
        total = sum((3 if i % 2 else 1) * int(ch) for i, ch in enumerate(digits))
        return total % 10 == 0
    return False


def year_of(entry: Entry) -> int | None:
    text = (entry.get("year") or entry.get("date"))[:4]
    return int(text) if len(text) == 4 and text.isdigit() and text.isascii() else None


def _normal_title(title: str) -> str:
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def check_required_fields(entry: Entry) -> Iterator[Diagnostic]:
    for group in REQUIRED.get(entry.entry_type, ()):
        if not any(entry.get(name) for name in group):
            wanted = " or ".join(f"'{name}'" for name in group)
            yield codes.BIB_MISSING_FIELD.at(
                entry.path, entry.line, 1, kind=entry.entry_type, key=entry.key, wanted=wanted
            )


def check_identifiers(entry: Entry, today: dt.date) -> Iterator[Diagnostic]:
    def bad(name: str, message: str, hint: str) -> Diagnostic:
        return codes.BIB_BAD_IDENTIFIER.at(
            entry.path, entry.line_of(name), 1, key=entry.key, problem=message, fix=hint
        )

    for name in ("doi", "pmid", "pmcid", "isbn", "url"):
        hidden = invisible(entry.fields.get(name, ""))
        if hidden:
            yield bad(
                name,
                f"the {name} contains an invisible character "
                f"({', '.join(f'U+{ord(c):04X}' for c in dict.fromkeys(hidden))})",
                "delete the field and type the identifier again, or paste it as plain text",
            )
            return
    if entry.get("doi") and not DOI.match(normalize_doi(entry.get("doi"))):
        yield bad(
            "doi",
            f"'{entry.get('doi')}' is not a DOI",
            "a DOI looks like 10.7326/M16-2367 (written without braces)",
        )
    if entry.get("pmid") and not re.fullmatch(r"[1-9][0-9]{0,8}", entry.get("pmid")):
        yield bad(
            "pmid",
            f"PMID '{entry.get('pmid')}' must be digits only, the first not 0",
            "copy the PMID from PubMed, e.g. 28192789",
        )
    if entry.get("pmcid") and not re.fullmatch(r"PMC[0-9]+", entry.get("pmcid")):
        yield bad(
            "pmcid",
            f"PMCID '{entry.get('pmcid')}' must look like PMC1234567",
            "copy the PMCID from PubMed Central",
        )
    if entry.get("isbn") and not isbn_is_valid(entry.get("isbn")):
        yield bad(
            "isbn",
            f"ISBN '{entry.get('isbn')}' has a wrong check digit",
            "copy the ISBN again from the book or the publisher",
        )
    if entry.get("url"):
        try:
            url = urlparse(entry.get("url"))
        except ValueError:  # `http://[`: not an address at all
            url = urlparse("")
        if url.scheme not in ("http", "https") or not url.netloc:
            yield bad(
                "url",
                f"URL '{entry.get('url')}' must start with https://",
                "use a full web address, e.g. https://www.nice.org.uk/guidance/ng59",
            )
        # The retraction list and the registries know a work by its doi and pmid fields: a
        # work linked only by an address that names its DOI or PMID would pass them unseen.
        resolver, named = url_identifier(entry.get("url"))
        kind = named.partition(":")[0] if named else ""
        own = identifier(kind, entry.get(kind)) if named else None
        if named and own != named and not (own and named.startswith(own + "/")):
            value = named.partition(":")[2]
            yield bad(
                "url",
                f"URL '{entry.get('url')}' names the {kind.upper()} {value}, which the "
                f"{kind} field does not",
                f"write {kind} = {{{value}}} in the entry (the retraction list and the "
                "registries go by it); keep the url only if it leads somewhere else",
            )
        elif resolver and not named:
            yield bad(
                "url",
                f"URL '{entry.get('url')}' leads to a DOI or PubMed resolver, but names no DOI "
                "or PMID that can be read",
                "write the identifier in the doi or pmid field, and leave the url out",
            )
    year = entry.get("year")
    if year and (not re.fullmatch(r"\d{4}", year) or int(year) > today.year):
        yield bad(
            "year",
            f"year '{year}' is not a four-digit year up to {today.year}",
            "write the year of publication, e.g. 2017",
        )
    urldate = entry.get("urldate")
    if urldate:
        try:
            # A day (2025-07-28 or 20250728): fromisoformat also reads weeks ("2020-W01-1").
            accessed = dt.date.fromisoformat(urldate) if _DAY.fullmatch(urldate) else None
        except ValueError:
            accessed = None
        if accessed is None or accessed > today:
            yield bad(
                "urldate",
                f"urldate '{urldate}' is not a past YYYY-MM-DD date",
                "write the date you opened the page, e.g. 2025-07-28",
            )


def check_same_work(library: Library) -> Iterator[Diagnostic]:
    """The same DOI, PMID, or title + year under two keys."""
    seen: dict[tuple[str, str], Entry] = {}
    for entry in library.entries.values():
        identities = []
        if entry.get("doi"):
            identities.append(("DOI", normalize_doi(entry.get("doi"))))
        if entry.get("pmid"):
            identities.append(("PMID", normalize_pmid(entry.get("pmid"))))
        if entry.get("title") and year_of(entry):
            identities.append(
                ("title and year", f"{_normal_title(entry.get('title'))}|{year_of(entry)}")
            )
        for identity in identities:
            first = seen.setdefault(identity, entry)
            if first is not entry:
                yield codes.BIB_SAME_WORK.at(
                    entry.path,
                    entry.line,
                    1,
                    key=entry.key,
                    other=first.key,
                    where=f"{first.path}:{first.line}",
                    identity=identity[0],
                )
                break


def check_uncited(library: Library, cited: Iterable[str]) -> Iterator[Diagnostic]:
    used = set(cited)
    for entry in library.entries.values():
        if entry.key not in used:
            yield codes.BIB_UNCITED.at(entry.path, entry.line, 1, key=entry.key)


# What a key may not hold: it is written into staged pages (citations by identifier).
_BAD_KEY = re.compile(r"[\s\x00-\x1f\x7f-\x9f{}]")


def check_library(library: Library, today: dt.date) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for entry in library.entries.values():
        if _BAD_KEY.search(entry.key):
            found.append(codes.BIB_KEY.at(entry.path, entry.line, 1, key=entry.key[:80]))
        found += check_required_fields(entry)
        found += check_identifiers(entry, today)
    found += check_same_work(library)
    return found
