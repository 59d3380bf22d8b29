"""The project's data: what an article, a library entry and a board member are.

Plain frozen dataclasses, built by the loaders and read by everything else; no behaviour beyond
what follows from the data itself.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from pipeline.identifiers import identifier


class ReviewStatus(Enum):
    """The review steps, in order. Only APPROVED is ever published."""

    SUBMITTED = "Submitted"
    UNDER_REVIEW = "Under Review"
    APPROVED = "Approved"

    @property
    def step(self) -> int:
        return list(ReviewStatus).index(self) + 1

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def parse(cls, text: str) -> ReviewStatus | None:
        """Case-insensitive, with runs of spaces folded: "under  review" is Under Review."""
        wanted = " ".join(text.split()).casefold()
        for status in cls:
            if status.value.casefold() == wanted:
                return status
        return None


@dataclass(frozen=True)
class BoardMember:
    """One person on the roster. `keys` are OpenSSH public key lines (as in git's
    allowed_signers) whose signatures count as this member's; `retired_keys` still verify the
    approvals made with them but may sign nothing new."""

    id: str
    name: str
    credentials: str
    specialty: str = ""
    roles: frozenset[str] = frozenset()
    keys: tuple[str, ...] = ()
    retired_keys: tuple[str, ...] = ()
    # Declared competing interests ("none declared" is a declaration), and when they were made.
    interests: tuple[str, ...] = ()
    interests_declared: dt.date | None = None

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def is_reviewer(self) -> bool:
        return "reviewer" in self.roles

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


@dataclass(frozen=True)
class Board:
    members: Mapping[str, BoardMember] = field(default_factory=dict)


@dataclass(frozen=True)
class Approval:
    """One reviewer's signed approval, as recorded in the article's front matter by
    `python -m pipeline approve`. `signature` is the armored SSH signature over the canonical
    statement of everything a reader sees (`statement.py`); `covers` keeps a short digest of
    each item the statement covered, so that a failed signature can name what changed."""

    by: str
    on: dt.date
    signature: str
    covers: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    significant: bool = False
    line: int = 0


@dataclass(frozen=True)
class Article:
    """One clinical question and its answer, as loaded from `content/articles/<slug>.md`.

    `body_line` is the file line on which `body` starts, so that positions found in the body can
    be reported as file lines. `field_lines` maps each front-matter key to its line.
    """

    path: str
    slug: str
    title: str
    status: ReviewStatus
    authors: tuple[str, ...]
    reviewers: tuple[str, ...]
    last_updated: dt.date
    body: str
    body_line: int
    summary: str = ""
    tags: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    next_review: dt.date | None = None
    approvals: tuple[Approval, ...] = ()
    field_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.field_lines.get(key, 1)


# Library fields that reach readers through a reference list (the built-in styles and the
# CSL-JSON given to a CSL style). Anything else (abstract, keywords, file) is never shown.
READER_VISIBLE_FIELDS = frozenset(
    {"address", "booktitle", "date", "doi", "edition", "howpublished", "institution", "issue"}
    | {"journal", "journaltitle", "month", "number", "organization", "pages", "pmid"}
    | {"publisher", "school", "shortjournal", "title", "url", "urldate", "volume", "year"}
)


@dataclass(frozen=True)
class Author:
    """A person (surname + given names) or, when `corporate`, an organisation kept whole."""

    last: str
    given: str = ""
    corporate: bool = False


@dataclass(frozen=True)
class Entry:
    """One source in the BibTeX library, with LaTeX already decoded for display."""

    key: str
    entry_type: str
    fields: Mapping[str, str]
    authors: tuple[Author, ...]
    path: str
    line: int
    field_lines: Mapping[str, int] = field(default_factory=dict)
    editors: tuple[Author, ...] = ()
    # The character ranges of `fields[name]` that the library braces to keep their capitals
    # (`{NSAID}`, `{American College of Physicians}`); a style that changes the case of a title
    # leaves them alone. Kept beside `fields`; approvals sign both, since the braces decide
    # which capitals readers see.
    case_protected: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)

    @functools.cached_property
    def identifiers(self) -> tuple[str, ...]:
        """Its well-formed DOI and PMID, compared form: `doi:10.7326/m16-2367`, `pmid:28192789`
        (worked out once: every check of every citing article asks)."""
        found = (identifier(kind, self.get(kind)) for kind in ("doi", "pmid") if self.get(kind))
        return tuple(ident for ident in found if ident)


@dataclass(frozen=True)
class Library:
    entries: Mapping[str, Entry] = field(default_factory=dict)

    @functools.cached_property
    def by_identifier(self) -> Mapping[str, Entry]:
        """Entries by DOI and PMID (`Entry.identifiers`), for citations by identifier; where two
        entries share one (BIB005), the first."""
        found: dict[str, Entry] = {}
        for entry in self.entries.values():
            for ident in entry.identifiers:
                found.setdefault(ident, entry)
        return found
