"""The registry lock, `references/registry-lock.json`: what the last registry check found for
each cited DOI and PMID. `references verify` writes it; `check` reads it and nothing else, so
`check` never touches the network.

    {
      "about": "...",
      "identifiers": {
        "doi:10.7326/m16-2367": {
          "checked": "2026-11-23",          <- the day the registry confirmed this result
          "compared": ["first author", "journal", "title", "year"],
          "entry": "qaseem2017",
          "entry_digest": "…",              <- of the entry's fields as they were compared
          "record_digest": "…",             <- of the registry's record
          "registry": "crossref",
          "status": "verified"              <- or "mismatch" (with "mismatches"), "not-found"
          "notices": [...]                  <- retractions, corrections, expressions of concern
        }
      },
      "version": 1
    }

The same results always give the same bytes: keys sorted, lists sorted, no time but the day of
each check. A result that has not changed keeps its day until it is half as old as
`lock_max_age_days`, so the weekly refresh changes the file when a registry says something new,
and otherwise only every few weeks to renew the days.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pipeline import codes
from pipeline.content.files import readable
from pipeline.diagnostics import Diagnostic
from pipeline.model import Entry
from pipeline.registry.matching import Mismatch
from pipeline.registry.records import Notice, NoticeKind, Record

LOCK = "references/registry-lock.json"
VERSION = 1
ABOUT = (
    "Written by `python -m pipeline references verify`: what Crossref and PubMed said about each "
    "cited DOI and PMID. Do not edit by hand; see README.md, 'Checking sources against the "
    "registries'."
)


class Status(StrEnum):
    VERIFIED = "verified"  # the work exists and the entry matches it
    MISMATCH = "mismatch"  # the work exists, but the entry differs from it (see `mismatches`)
    NOT_FOUND = "not-found"  # the registry has no such DOI or PMID


@dataclass(frozen=True)
class LockItem:
    identifier: str
    registry: str
    status: Status
    checked: dt.date
    entry: str
    entry_digest: str
    record_digest: str = ""
    compared: tuple[str, ...] = ()
    mismatches: tuple[Mismatch, ...] = ()
    notices: tuple[Notice, ...] = ()

    def same_result(self, other: LockItem) -> bool:
        """The same finding, whatever the day it was made."""
        return self.as_json() | {"checked": ""} == other.as_json() | {"checked": ""}

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "checked": self.checked.isoformat(),
            "compared": sorted(self.compared),
            "entry": self.entry,
            "entry_digest": self.entry_digest,
            "record_digest": self.record_digest,
            "registry": self.registry,
            "status": str(self.status),
        }
        if self.mismatches:
            data["mismatches"] = [
                {"field": m.field, "registry": m.registry} for m in sorted(self.mismatches)
            ]
        if self.notices:
            data["notices"] = [
                {"date": n.date, "kind": str(n.kind), "label": n.label, "link": n.link}
                | {"source": n.source}
                for n in sorted(self.notices)
            ]
        return data


@dataclass(frozen=True)
class Lock:
    items: Mapping[str, LockItem] = field(default_factory=dict)


def _digest(value: object) -> str:
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def entry_digest(entry: Entry, identifier: str) -> str:
    """Of what a registry check compares in an entry: when it changes, the check is redone."""
    first = entry.authors[0] if entry.authors else None
    fields = ("title", "year", "date", "journal", "journaltitle", "shortjournal")
    return _digest(
        {
            "identifier": identifier,
            "fields": {name: entry.get(name) for name in fields if entry.get(name)},
            "first author": [first.last, first.given, first.corporate] if first else None,
        }
    )


def record_digest(record: Record) -> str:
    """Of the registry's record, so that the lock shows when a registry changed a work."""
    return _digest(
        {
            "title": record.title,
            "subtitle": record.subtitle,
            "years": list(record.years),
            "authors": [[a.last, a.given, a.corporate] for a in record.authors],
            "journals": list(record.journals),
            "volume": record.volume,
            "issue": record.issue,
            "pages": record.pages,
            "doi": record.doi.lower(),
            "pmid": record.pmid,
        }
    )


def render_lock(lock: Lock) -> str:
    data = {
        "about": ABOUT,
        "identifiers": {ident: lock.items[ident].as_json() for ident in sorted(lock.items)},
        "version": VERSION,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


class _Invalid(ValueError):
    pass


def _item(ident: str, data: object) -> LockItem:
    if not isinstance(data, Mapping):
        raise _Invalid(f"'{ident}' is not a record")
    try:
        return LockItem(
            identifier=ident,
            registry=str(data["registry"]),
            status=Status(data["status"]),
            checked=dt.date.fromisoformat(str(data["checked"])),
            entry=str(data.get("entry", "")),
            entry_digest=str(data.get("entry_digest", "")),
            record_digest=str(data.get("record_digest", "")),
            compared=tuple(str(c) for c in data.get("compared", [])),
            mismatches=tuple(
                Mismatch(str(m["field"]), str(m["registry"])) for m in data.get("mismatches", [])
            ),
            notices=tuple(
                Notice(
                    NoticeKind(n["kind"]),
                    str(n.get("label", "")),
                    str(n.get("link", "")),
                    str(n.get("source", "")),
                    str(n.get("date", "")),
                )
                for n in data.get("notices", [])
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _Invalid(f"the record of '{ident}' is incomplete ({error})") from None


def parse_lock(text: str) -> tuple[Lock, list[Diagnostic]]:
    """The lock in `text`; an empty lock and a diagnostic when it cannot be read (then `check`
    treats every identifier as not yet checked, and `references verify` writes it anew)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return Lock(), [
            codes.REGISTRY_LOCK_INVALID.at(
                LOCK, error.lineno, error.colno, problem=f"it is not valid JSON ({error.msg})"
            )
        ]
    except ValueError:  # a number of more than 4,300 digits
        return Lock(), [
            codes.REGISTRY_LOCK_INVALID.at(LOCK, 1, 1, problem="it holds a number too long to read")
        ]
    except RecursionError:
        return Lock(), [
            codes.REGISTRY_LOCK_INVALID.at(LOCK, 1, 1, problem="it is nested too deeply")
        ]
    try:
        if not isinstance(data, Mapping) or data.get("version") != VERSION:
            raise _Invalid(f"it is not a version {VERSION} registry lock")
        found = data.get("identifiers")
        if not isinstance(found, Mapping):
            raise _Invalid("it has no 'identifiers'")
        return Lock({str(k): _item(str(k), v) for k, v in found.items()}), []
    except _Invalid as error:
        return Lock(), [codes.REGISTRY_LOCK_INVALID.at(LOCK, 1, 1, problem=str(error))]


def load_lock(root: Path) -> tuple[Lock, list[Diagnostic]]:
    path = root / LOCK
    if not readable(root, path):  # missing: nothing checked yet; a link or folder: FM018
        return Lock(), []
    try:
        return parse_lock(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError):
        return Lock(), [codes.REGISTRY_LOCK_INVALID.at(LOCK, 1, 1, problem="it is not UTF-8 text")]


def check_lock_change(
    base: str, base_text: str | None, lock: Lock, current: Mapping[str, str]
) -> list[Diagnostic]:
    """A change may not drop a retraction the base branch's lock records: deleting the record,
    or its notice, would turn the CIT003 error of every article citing the work (now or after
    a later change adds it again) into a mere "not checked yet" note. `references verify`
    keeps a retraction it once found, cited or not. Any other finding taken away while the
    library entry is the one the base finding was made for (`current`: identifier -> the
    entry's digest now, `entry_digest`) is a warning (BIB019): only `verify` writes the lock."""
    if base_text is None:
        return []
    before, problems = parse_lock(base_text)
    if problems:
        return []  # a damaged base lock recorded nothing that could be dropped
    found = []
    for ident, item in sorted(before.items.items()):
        now = lock.items.get(ident)
        if retracted(item) and (now is None or not retracted(now)):
            found.append(
                codes.RETRACTION_REMOVED.at(
                    LOCK, 1, 1, source="the registry lock", base=base, identifier=ident, file=LOCK
                )
            )
        elif current.get(ident) == item.entry_digest and (
            cleared := findings(item) - findings(now)
        ):
            found.append(
                codes.FINDING_CLEARED.at(
                    LOCK, 1, 1, base=base, identifier=ident, findings=", ".join(sorted(cleared))
                )
            )
    return found


def findings(item: LockItem | None) -> set[str]:
    """What a lock item says is wrong with its work: not found, not matching the entry (and
    in which field), or corrected or of concern."""
    if item is None:
        return set()
    status = {item.status.value} - {Status.VERIFIED.value}
    fields = {f"{Status.MISMATCH.value} of {m.field}" for m in item.mismatches}
    return status | fields | {n.kind.value for n in item.notices}


def retracted(item: LockItem) -> bool:
    return any(notice.kind is NoticeKind.RETRACTION for notice in item.notices)
