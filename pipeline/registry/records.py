"""What a registry says about a work, read from its answer.

Crossref answers `GET /works/{doi}` with `{"status": "ok", "message-type": "work", "message":
{...}}`. Notices about a work are in two relations, and both are read:

- `updated-by` on the work itself: each notice that updates it, with its `type` (`retraction`,
  `correction`, `expression_of_concern`, ...), the notice's `DOI` and a `source`: `publisher`,
  or `retraction-watch` for what Crossref added from the Retraction Watch database (the 1998
  Wakefield paper is retracted only there);
- `update-to`, which a notice carries about the work it updates. A work that names itself there
  is its own notice (some publishers re-deposit the retracted article as the retraction).

PubMed answers `esummary.fcgi?db=pubmed&id=...&retmode=json` with `{"result": {"uids": [...],
"<pmid>": {...}}}`; a PMID it does not know has `{"uid": ..., "error": "cannot get document
summary"}`. A retracted paper carries the publication type "Retracted Publication", and the
comments and corrections (`references`: "Retraction in", "Erratum in", "Expression of concern
in") name the notices. Everything here is a pure function of the parsed JSON.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pipeline.identifiers import doi_url, identifier, normalize_doi, pubmed_url
from pipeline.model import Author


class NoticeKind(StrEnum):
    RETRACTION = "retraction"  # an error wherever the work is cited (CIT003)
    CORRECTION = "correction"  # a warning with the notice (CIT006)
    CONCERN = "concern"  # an expression of concern: a warning with the notice (CIT006)


@dataclass(frozen=True, order=True)
class Notice:
    """A published notice about a work. `label`: the registry's words ("Retraction", "Erratum
    in Lancet. 2004;363:750"); `link`: where to read it; `source`: who says so (`publisher`,
    `retraction-watch`, `pubmed`); `date`: YYYY-MM-DD, or less, when known."""

    kind: NoticeKind
    label: str
    link: str
    source: str
    date: str = ""


@dataclass(frozen=True)
class Record:
    """A work as a registry describes it. `years`: the year of issue first, then the years of
    its other publication dates (print, online); `journals`: full names, then abbreviations."""

    registry: str  # "crossref" or "pubmed"
    identifier: str  # compared form: "doi:10.7326/m16-2367", "pmid:28192789"
    title: str
    subtitle: str = ""
    years: tuple[int, ...] = ()
    authors: tuple[Author, ...] = ()
    journals: tuple[str, ...] = ()
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    work_type: str = ""  # Crossref's type ("journal-article", "book-chapter"), or ""
    publisher: str = ""
    notices: tuple[Notice, ...] = ()


# Crossref's update types (its deposit schema); the others (addendum, clarification,
# new_version, new_edition) do not put a claim in doubt.
_CROSSREF_KINDS = {
    "retraction": NoticeKind.RETRACTION,
    "withdrawal": NoticeKind.RETRACTION,
    "removal": NoticeKind.RETRACTION,
    "partial_retraction": NoticeKind.CORRECTION,
    "correction": NoticeKind.CORRECTION,
    "corrigendum": NoticeKind.CORRECTION,
    "erratum": NoticeKind.CORRECTION,
    "expression_of_concern": NoticeKind.CONCERN,
}
# PubMed's comments and corrections that are notices about this paper ("... in").
_PUBMED_KINDS = {
    "retraction in": NoticeKind.RETRACTION,
    "retracted and republished in": NoticeKind.RETRACTION,
    "partial retraction in": NoticeKind.CORRECTION,
    "erratum in": NoticeKind.CORRECTION,
    "corrected and republished in": NoticeKind.CORRECTION,
    "expression of concern in": NoticeKind.CONCERN,
}
RETRACTED_PUBLICATION = "Retracted Publication"
_TAG = re.compile(r"<[^>]+>")


def plain(text: object) -> str:
    """Registry text as plain text: markup such as `<i>` dropped, entities decoded, one line."""
    return " ".join(html.unescape(_TAG.sub("", str(text))).split()) if text else ""


def _first(values: object) -> str:
    return plain(values[0]) if isinstance(values, list) and values else ""


def _strings(values: object) -> list[str]:
    return [plain(v) for v in values if plain(v)] if isinstance(values, list) else []


def _date_parts(value: object) -> list[int]:
    parts = value.get("date-parts") if isinstance(value, Mapping) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    return [p for p in first if isinstance(p, int)]


def _unique(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def parse_crossref(message: Mapping[str, Any]) -> Record:
    """A Crossref work (the `message` of `/works/{doi}`)."""
    doi = str(message.get("DOI", ""))
    years = [
        parts[0]
        for name in ("issued", "published-print", "published-online", "published")
        if (parts := _date_parts(message.get(name)))
    ]
    authors = []
    for person in message.get("author") or []:
        if not isinstance(person, Mapping):
            continue
        if person.get("family"):
            authors.append(Author(plain(person["family"]), plain(person.get("given", ""))))
        elif person.get("name"):
            authors.append(Author(plain(person["name"]), corporate=True))
    return Record(
        registry="crossref",
        identifier=identifier("doi", doi) or f"doi:{doi.lower()}",
        title=_first(message.get("title")),
        subtitle=_first(message.get("subtitle")),
        years=_unique(years),
        authors=tuple(authors),
        journals=_unique(
            [
                *_strings(message.get("container-title")),
                *_strings(message.get("short-container-title")),
            ]
        ),
        volume=plain(message.get("volume", "")),
        issue=plain(message.get("issue", "")),
        pages=plain(message.get("page", "")),
        doi=doi,
        work_type=plain(message.get("type", "")),
        publisher=plain(message.get("publisher", "")),
        notices=_crossref_notices(message, doi),
    )


def _crossref_notices(message: Mapping[str, Any], doi: str) -> tuple[Notice, ...]:
    found = []
    about_itself = [
        u
        for u in message.get("update-to") or []
        if isinstance(u, Mapping) and normalize_doi(str(u.get("DOI", ""))) == normalize_doi(doi)
    ]
    for update in [*(message.get("updated-by") or []), *about_itself]:
        if not isinstance(update, Mapping):
            continue
        kind = _CROSSREF_KINDS.get(str(update.get("type", "")).lower().replace("-", "_"))
        if kind is None:
            continue
        notice_doi = str(update.get("DOI", ""))
        label = plain(update.get("label")) or str(update.get("type")).replace("_", " ").title()
        date = "-".join(f"{p:02d}" for p in _date_parts(update.get("updated")))
        link = doi_url(notice_doi) if notice_doi else ""
        found.append(Notice(kind, label, link, str(update.get("source") or "publisher"), date))
    return tuple(sorted(set(found)))


def parse_pubmed(summary: Mapping[str, Any]) -> Record:
    """One PubMed document summary (`result[pmid]` of esummary's JSON)."""
    pmid = str(summary.get("uid", ""))
    ids = {
        str(a.get("idtype")): str(a.get("value", ""))
        for a in summary.get("articleids") or []
        if isinstance(a, Mapping)
    }
    authors = []
    for person in summary.get("authors") or []:
        name = plain(person.get("name", "")) if isinstance(person, Mapping) else ""
        if not name:
            continue
        if person.get("authtype") == "CollectiveName":
            authors.append(Author(name, corporate=True))
        else:  # "Qaseem A", "van Tulder MW": the surname, then the initials
            last, _, given = name.rpartition(" ")
            authors.append(Author(last, given) if last else Author(name))
    years = [
        int(found.group())
        for name in ("pubdate", "epubdate")
        if (found := re.match(r"\d{4}", str(summary.get(name, ""))))
    ]
    title = plain(summary.get("title", "")).rstrip(".")
    if title.startswith("[") and title.endswith("]"):  # a translated title
        title = title[1:-1]
    return Record(
        registry="pubmed",
        identifier=f"pmid:{pmid}",
        title=title,
        years=_unique(years),
        authors=tuple(authors),
        journals=_unique([plain(summary.get("fulljournalname")), plain(summary.get("source"))]),
        volume=plain(summary.get("volume", "")),
        issue=plain(summary.get("issue", "")),
        pages=plain(summary.get("pages", "")),
        doi=ids.get("doi", ""),
        pmid=pmid,
        notices=_pubmed_notices(summary, pmid),
    )


def _pubmed_notices(summary: Mapping[str, Any], pmid: str) -> tuple[Notice, ...]:
    found = []
    for reference in summary.get("references") or []:
        if not isinstance(reference, Mapping):
            continue
        kind = _PUBMED_KINDS.get(str(reference.get("reftype", "")).lower())
        if kind is None:
            continue
        label = f"{plain(reference.get('reftype'))} {plain(reference.get('refsource'))}".strip()
        notice = str(reference.get("pmid") or "")
        found.append(Notice(kind, label, pubmed_url(notice) if notice else "", "pubmed"))
    retracted = RETRACTED_PUBLICATION in (summary.get("pubtype") or [])
    if retracted and not any(n.kind is NoticeKind.RETRACTION for n in found):
        found.append(
            Notice(NoticeKind.RETRACTION, RETRACTED_PUBLICATION, pubmed_url(pmid), "pubmed")
        )
    return tuple(sorted(set(found)))


def pubmed_summaries(data: object, asked: Iterable[str]) -> dict[str, Record | None]:
    """The records of the PMIDs `asked` that an esummary answer describes: a Record, or None
    for a PMID PubMed does not know. A PMID the answer does not mention is left out (the caller
    counts it as not reached: a truncated answer proves nothing)."""
    result = data.get("result") if isinstance(data, Mapping) else None
    if not isinstance(result, Mapping):
        return {}
    found: dict[str, Record | None] = {}
    for pmid in asked:
        summary = result.get(pmid)
        if isinstance(summary, Mapping):
            found[pmid] = None if "error" in summary else parse_pubmed(summary)
    return found
