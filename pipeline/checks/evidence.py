"""Whether an article's evidence can be trusted: no retracted work, not only old sources, and
(once Approved) at least one citation.

A work is known to be retracted, corrected or under an expression of concern from the registry
lock (`references/registry-lock.json`, written by `references verify`), or, as a manual
override the board keeps, from `references/retractions.txt`: one DOI or PMID a line; `#` starts
a comment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import codes
from pipeline.checks.library import year_of
from pipeline.checks.registry import describe, notices_of
from pipeline.citations.resolve import resolve
from pipeline.citations.scan import Citation
from pipeline.content.files import decode, readable
from pipeline.diagnostics import Diagnostic
from pipeline.identifiers import DOI, normalize_doi, normalize_identifier, normalize_pmid
from pipeline.model import Article, Entry, Library, ReviewStatus
from pipeline.registry.lock import Lock
from pipeline.registry.records import NoticeKind

RETRACTIONS = "references/retractions.txt"
_COMMENT = re.compile(r"(?:^|\s)#")


@dataclass(frozen=True)
class Retractions:
    dois: frozenset[str] = field(default_factory=frozenset)
    pmids: frozenset[str] = field(default_factory=frozenset)

    def covers(self, entry: Entry) -> bool:
        if not self.dois and not self.pmids:
            return False
        doi, pmid = entry.get("doi"), normalize_pmid(entry.get("pmid"))
        return bool(doi and normalize_doi(doi) in self.dois) or bool(pmid and pmid in self.pmids)


def parse_retractions(text: str) -> tuple[Retractions, list[Diagnostic]]:
    dois, pmids, problems = set(), set(), []
    for number, raw in enumerate(text.splitlines(), start=1):
        # A comment starts a line or follows a blank: old Wiley DOIs end in "2-#".
        written = _COMMENT.split(raw, 1)[0].strip()
        line = normalize_identifier(written)
        if not line:
            continue
        if re.fullmatch(r"(?:PMID:?)?[0-9]{1,9}", line, re.IGNORECASE):
            pmids.add(normalize_pmid(re.sub(r"[^0-9]", "", line)))
        elif DOI.match(normalize_doi(line)):
            dois.add(normalize_doi(line))
        else:
            problems.append(codes.BIB_RETRACTIONS_FILE.at(RETRACTIONS, number, 1, text=written))
    return Retractions(frozenset(dois), frozenset(pmids)), problems


def load_retractions(root: Path) -> tuple[Retractions, list[Diagnostic]]:
    path = root / RETRACTIONS
    if not readable(root, path):
        return Retractions(), []
    text = decode(path.read_bytes())
    if text is None:
        return Retractions(), [
            codes.BIB_RETRACTIONS_FILE.at(RETRACTIONS, 1, 1, text="(the file is not UTF-8 text)")
        ]
    return parse_retractions(text)


def check_retractions_change(
    base: str, base_text: str | None, now: Retractions
) -> list[Diagnostic]:
    """A change may not take a work off the base branch's list of retracted works: every
    article citing it would pass again (even one a later change adds, with the work)."""
    if base_text is None:
        return []
    before, _ = parse_retractions(base_text)
    removed = [f"DOI {doi}" for doi in sorted(before.dois - now.dois)]
    removed += [f"PMID {pmid}" for pmid in sorted(before.pmids - now.pmids)]
    return [
        codes.RETRACTION_REMOVED.at(
            RETRACTIONS, 1, 1, source=RETRACTIONS, base=base, identifier=gone, file=RETRACTIONS
        )
        for gone in removed
    ]


def check_evidence(
    article: Article,
    citations: list[Citation],
    library: Library,
    retractions: Retractions,
    today: dt.date,
    stale_years: int,
    lock: Lock | None = None,
) -> Iterator[Diagnostic]:
    """`lock`: the registry lock, whose retractions are errors on every citing line, and whose
    corrections and expressions of concern are a warning on the first."""
    if not citations:
        if article.status is ReviewStatus.APPROVED:
            yield codes.NO_CITATIONS.at(article.path, article.line_of("status"), 1)
        return
    years = []
    warned: set[str] = set()
    for citation in citations:
        for item in citation.items:
            entry = resolve(library, item.key)
            if entry is None:
                continue
            notices = notices_of(entry, lock or Lock())
            retracted = [n for n in notices if n.kind is NoticeKind.RETRACTION]
            if retractions.covers(entry) or retracted:
                source = f"listed in {RETRACTIONS}" if not retracted else describe(retracted[0])
                yield codes.RETRACTED_CITATION.at(
                    article.path, item.line, item.column, key=item.key, source=source
                )
            elif notices and entry.key not in warned:
                warned.add(entry.key)
                yield codes.CORRECTED_CITATION.at(
                    article.path,
                    item.line,
                    item.column,
                    key=item.key,
                    notice=describe(notices[0]),
                    link=notices[0].link or "see the journal's site",
                )
            year = year_of(entry)
            if year:
                years.append(year)
    if years and max(years) < today.year - stale_years:
        yield codes.STALE_EVIDENCE.at(
            article.path, article.line_of("title"), 1, year=max(years), limit=stale_years
        )
