"""What the registry lock says about the cited sources, reported where a board member acts: on
the entry in `references/*.bib`, or on the lock itself. Reads the lock only, never the network.

On the entry: a DOI or PMID the registry does not know (BIB014, an error), a field that differs
from the registry's record (BIB015, a warning), a source not checked yet (BIB012, a note). On the
lock: results older than `lock_max_age_days` (BIB013, a warning). Retractions, corrections and
expressions of concern are reported on the citing lines, by the evidence checks
(`notices_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pipeline import codes
from pipeline.diagnostics import Diagnostic
from pipeline.identifiers import doi_url, pubmed_url, strip_doi_prefix
from pipeline.model import Entry, Library
from pipeline.registry.lock import LOCK, Lock, LockItem, Status
from pipeline.registry.matching import FIELDS
from pipeline.registry.records import Notice, NoticeKind
from pipeline.registry.verify import Target, cited_targets

REGISTRIES = {"doi": "Crossref", "pmid": "PubMed"}
SOURCES = {
    "publisher": "the publisher through Crossref",
    "retraction-watch": "Retraction Watch through Crossref",
    "pubmed": "PubMed",
}


def written(target: Target) -> str:
    """The identifier as the entry writes it: `10.7326/M16-2367`, `28192789`."""
    return strip_doi_prefix(target.entry.get(target.kind)) if target.kind == "doi" else target.value


def identifier_link(kind: str, value: str) -> str:
    """Where a reader checks an identifier: its DOI link or its PubMed page."""
    return doi_url(value) if kind == "doi" else pubmed_url(value)


def check_registry(
    library: Library, cited: Iterable[str], lock: Lock, today: dt.date, max_age_days: int
) -> list[Diagnostic]:
    """Diagnostics for the cited entries (`cited`: entry keys) from what the lock holds."""
    found: list[Diagnostic] = []
    unchecked: dict[str, list[Target]] = {}
    changed: set[str] = set()
    old: list[LockItem] = []
    for target in cited_targets(library, cited):
        entry, item = target.entry, lock.items.get(target.identifier)
        if item is None:
            unchecked.setdefault(entry.key, []).append(target)
            continue
        if (today - item.checked).days > max_age_days:
            old.append(item)
        if item.status is Status.NOT_FOUND:
            found.append(
                codes.REGISTRY_NOT_FOUND.at(
                    entry.path,
                    entry.line_of(target.kind),
                    1,
                    key=entry.key,
                    registry=REGISTRIES[target.kind],
                    identifier=f"{target.kind.upper()} {written(target)}",
                    link=identifier_link(target.kind, written(target)),
                )
            )
        elif item.entry_digest != target.digest:  # the entry changed since: check it again
            unchecked.setdefault(entry.key, []).append(target)
            changed.add(entry.key)
        elif item.status is Status.MISMATCH:
            found += (
                codes.REGISTRY_MISMATCH.at(
                    entry.path,
                    entry.line_of(FIELDS.get(mismatch.field, "title")),
                    1,
                    key=entry.key,
                    field=mismatch.field,
                    registry=REGISTRIES[target.kind],
                    identifier=f"{target.kind.upper()} {written(target)}",
                    value=mismatch.registry or "(nothing)",
                )
                for mismatch in item.mismatches
            )
    for key, targets in unchecked.items():
        entry = targets[0].entry
        found.append(
            codes.REGISTRY_UNCHECKED.at(
                entry.path,
                entry.line,
                1,
                key=key,
                identifiers=" and ".join(f"{t.kind.upper()} {written(t)}" for t in targets),
                registries=" and ".join(dict.fromkeys(REGISTRIES[t.kind] for t in targets)),
                why=" since its entry changed" if key in changed else "",
            )
        )
    if old:
        oldest = min(item.checked for item in old)
        found.append(
            codes.REGISTRY_LOCK_OLD.at(
                LOCK, 1, 1, count=len(old), day=oldest.isoformat(), limit=max_age_days
            )
        )
    return found


def notices_of(entry: Entry, lock: Lock) -> list[Notice]:
    """The notices the lock holds about any of the entry's identifiers, retractions first."""
    if not lock.items:
        return []
    notices = {
        notice
        for ident in entry.identifiers
        if (item := lock.items.get(ident)) is not None
        for notice in item.notices
    }
    return sorted(notices, key=lambda n: (n.kind is not NoticeKind.RETRACTION, n))


def describe(notice: Notice) -> str:
    """ "Retraction https://doi.org/…, from Retraction Watch through Crossref"."""
    words = " ".join(part for part in (notice.label, notice.link) if part)
    return f"{words}, from {SOURCES.get(notice.source, notice.source)}"
