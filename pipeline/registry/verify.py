"""Which identifiers a registry check looks up, and how its answers become the new lock.

A network failure never marks anything as checked: an identifier whose registry could not be
reached keeps what the lock said of it before (or stays unchecked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from pipeline.model import Entry, Library
from pipeline.registry.lock import (
    Lock,
    LockItem,
    Status,
    entry_digest,
    findings,
    record_digest,
    retracted,
)
from pipeline.registry.matching import compare
from pipeline.registry.records import NoticeKind, Record


@dataclass(frozen=True)
class Target:
    """One cited identifier and the entry that holds it."""

    identifier: str  # "doi:10.7326/m16-2367", "pmid:28192789"
    entry: Entry

    @property
    def kind(self) -> str:
        return self.identifier.partition(":")[0]

    @property
    def value(self) -> str:
        return self.identifier.partition(":")[2]

    @property
    def digest(self) -> str:
        return entry_digest(self.entry, self.identifier)


def cited_targets(library: Library, cited: Iterable[str]) -> list[Target]:
    """Every DOI and PMID of the cited entries (`cited`: entry keys), in identifier order."""
    found: dict[str, Target] = {}
    entries = [library.entries[key] for key in sorted(set(cited)) if key in library.entries]
    for entry in entries:
        for ident in entry.identifiers:
            found.setdefault(ident, Target(ident, entry))
    return [found[ident] for ident in sorted(found)]


def to_look_up(targets: Iterable[Target], lock: Lock, update: bool) -> list[Target]:
    """All of them with `update`; otherwise those never checked, or whose entry changed since
    (a not-found identifier stays not found however the rest of its entry changes)."""
    wanted = []
    for target in targets:
        item = lock.items.get(target.identifier)
        stale = item is None or (
            item.status is not Status.NOT_FOUND and item.entry_digest != target.digest
        )
        if update or stale:
            wanted.append(target)
    return wanted


def judge(target: Target, record: Record | None, today: dt.date) -> LockItem:
    """What the registry's answer says of the target: None means it has no such work."""
    registry = "crossref" if target.kind == "doi" else "pubmed"
    if record is None:
        return LockItem(
            target.identifier, registry, Status.NOT_FOUND, today, target.entry.key, target.digest
        )
    compared, mismatches = compare(target.entry, record)
    return LockItem(
        identifier=target.identifier,
        registry=registry,
        status=Status.MISMATCH if mismatches else Status.VERIFIED,
        checked=today,
        entry=target.entry.key,
        entry_digest=target.digest,
        record_digest=record_digest(record),
        compared=tuple(sorted(compared)),  # as the lock file keeps them
        mismatches=tuple(sorted(mismatches)),
        notices=tuple(sorted(record.notices)),
    )


def merge(
    lock: Lock,
    targets: Iterable[Target],
    answers: Mapping[str, Record | None],
    today: dt.date,
    max_age_days: int,
) -> Lock:
    """The new lock: one item per cited identifier. An answered one is judged anew (keeping
    its old day when the finding is the same and not yet half `max_age_days` old); one without
    an answer (its registry could not be reached) keeps its old item, if any. A retraction
    once found stays, cited or not: a retraction is not undone (BIB017)."""
    items: dict[str, LockItem] = {
        ident: item for ident, item in lock.items.items() if retracted(item)
    }
    for target in targets:
        old = lock.items.get(target.identifier)
        if target.identifier in answers:
            new = judge(target, answers[target.identifier], today)
            if old is not None and retracted(old) and not retracted(new):
                kept = tuple(n for n in old.notices if n.kind is NoticeKind.RETRACTION)
                new = replace(new, notices=(*kept, *new.notices))
            if (
                old is not None
                and old.same_result(new)
                and (today - old.checked).days * 2 < max_age_days
            ):
                new = old
            items[target.identifier] = new
        elif old is not None:
            items[target.identifier] = old
    return Lock(items)


def claims(base: Lock, lock: Lock, targets: Iterable[Target]) -> list[Target]:
    """The targets of which a change's `lock` claims something the `base` branch's lock did
    not: a record the base lacks, a record made for another version of the entry, or fewer
    findings (a not-found or a notice taken away). Only `verify` should write the lock, but a
    pull request can write anything; these are asked of the registries again (`hidden`)."""
    wanted = []
    for target in targets:
        now, then = lock.items.get(target.identifier), base.items.get(target.identifier)
        if now is None:
            continue  # not checked yet, which check says (BIB012)
        if then is None or then.entry_digest != now.entry_digest or findings(then) - findings(now):
            wanted.append(target)
    return wanted


def hidden(target: Target, claimed: LockItem, answer: Record | None, today: dt.date) -> set[str]:
    """What the registry's answer today finds wrong with the target that the `claimed` record
    does not say: not-found, mismatch, retraction, correction, concern."""
    return findings(judge(target, answer, today)) - findings(claimed)
