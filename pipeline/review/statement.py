"""What a signature covers: the canonical statements reviewers and admins sign.

An approval signs one statement per article and reviewer. It names the approval (who, when, the
note) and carries a digest of every article-specific thing a reader sees: the page's address,
title, text, summary, authors, audience, next review date, topics (its tags: they put it on topic
pages, show as links on its page and go into its JSON-LD), the reader-visible fields of each
cited library entry, and the bytes of each file of the site it shows or links to (its pictures,
its PDFs: `shown.py`). Statements of version 1, made before topics were signed, cover everything
but the topics, and still verify for what they cover; every approval made now is version 2. A
roster signature signs the files that govern the site as they are (`roster.governed_files`).

Canonical means: the same content always gives the same bytes, whatever the editor did with line
endings, trailing spaces or Unicode composition, and nothing else gives those bytes. Each item is
hashed from its JSON form, so no value can run into the next; the statement is plain text, one
line per item, so anybody can read what was signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.citations.resolve import entry_key, resolve
from pipeline.content.pages import site_file_digest
from pipeline.content.shown import shown_files
from pipeline.model import READER_VISIBLE_FIELDS, Article, Author, Entry, Library

APPROVAL_NAMESPACE = "medical-pipeline-approval"
# The approval statement's version: 2 covers the topics too (an approval whose record lists
# them); 1 does not.
APPROVAL_VERSION = 2
TOPICS = "topics"
ROSTER_NAMESPACE = "medical-pipeline-roster"
# Digests shown in the approval record (`covers`): enough to name what changed, not a security
# measure (the signature covers the full digests).
SHORT = 12


def _text(value: str) -> str:
    """One line of plain text: composed (NFC), white space runs folded."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _body(value: str) -> str:
    """The article text: composed, LF line endings, no trailing spaces, no blank lines around,
    except the two spaces that make Markdown break a line there (a reader sees that break)."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(map(_line, text.split("\n"))).strip("\n") + "\n"


def _line(line: str) -> str:
    """A line without its trailing blanks, but for whether they make a line break: two spaces
    or more. Trailing blanks with a tab are signed as written: Markdown expands a tab to the
    next stop of four, counted on the text as staged (where a citation written by DOI is
    shorter), so only the exact text says whether it breaks the line (two spaces replaced by a
    tab that expanded to one took a break away under the same signature). Any other trailing
    white space (a no-break space after a fence makes it text) is signed as written."""
    kept = line.rstrip(" \t")
    if not kept:
        return kept
    if "\t" in line[len(kept) :]:
        return line
    return kept + "  " if line.endswith("  ") else kept


def _digest(value: object) -> str:
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _people(people: Sequence[Author]) -> list[list[object]]:
    return [[_text(p.last), _text(p.given), p.corporate] for p in people]


def entry_value(entry: Entry | None) -> object:
    """An entry as readers can see it; None for a key the library does not have."""
    if entry is None:
        return None
    fields = {
        name: _text(value)
        for name, value in sorted(entry.fields.items())
        if name in READER_VISIBLE_FIELDS and value.strip()
    }
    value: dict[str, object] = {
        "type": entry.entry_type,
        "fields": fields,
        "authors": _people(entry.authors),
        "editors": _people(entry.editors),
    }
    # Braces decide which capitals of a title survive sentence case: readers see them, so the
    # signature covers them (added only when there are some, so other digests stay as they were).
    protected = {
        name: [list(span) for span in spans]
        for name, spans in sorted(entry.case_protected.items())
        if name in fields and spans
    }
    if protected:
        value["protected"] = protected
    # Whether the names are its authors or only its editors: the styles print "X, ed." for an
    # edited work, "X" for a written one (added only when edited, so other digests stay).
    if "author" not in entry.fields and "editor" in entry.fields:
        value["edited"] = True
    return value


# What each item is called in a message: "the summary changed after approval".
ITEM_NAMES = {
    "address": "the page address (file name)",
    "title": "the title",
    "body": "the text",
    "summary": "the summary",
    "authors": "the authors",
    "audience": "the audience",
    "next_review": "the next review date",
    TOPICS: "the topics (tags)",
}


def item_name(item: str) -> str:
    if item.startswith("reference "):
        return f"the reference '{item.removeprefix('reference ')}'"
    if item.startswith("file "):
        return f"the file '{item.removeprefix('file ')}' it shows or links to"
    return ITEM_NAMES.get(item, item)


class ReferenceDigests(dict[str, str]):
    """Each library entry's digest, made the first time an article cites it: a thousand
    articles citing the same entries digest each entry once."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library

    def __missing__(self, key: str) -> str:
        value = self[key] = _digest(entry_value(resolve(self.library, key)))
        return value


def article_items(
    article: Article,
    references: Library | ReferenceDigests,
    cited: Sequence[str],
    files: Mapping[str, str],
) -> dict[str, str]:
    """Item -> full digest, for everything article-specific a reader sees. `cited`: the keys
    the article cites (order does not matter: the text fixes the numbering); `references`:
    the library, or its `ReferenceDigests` when many articles are checked; `files`: the digest
    of each file beside the site pages (`SitePages.digests`), by its site path; a file the site
    does not have is signed as "none"."""
    digests = (
        references if isinstance(references, ReferenceDigests) else ReferenceDigests(references)
    )
    items = {
        "address": _digest(article.slug),
        "title": _digest(_text(article.title)),
        "body": _digest(_body(article.body)),
        "summary": _digest(_text(article.summary)),
        "authors": _digest(list(article.authors)),
        "audience": _digest(sorted({a.strip().lower() for a in article.audience})),
        "next_review": _digest(article.next_review.isoformat() if article.next_review else ""),
        TOPICS: _digest(sorted({_text(tag) for tag in article.tags})),
    }
    # A source cited by DOI or PMID is covered as the entry it resolves to, under that
    # entry's key, so `[@doi:...]` and `[@key]` of one source are one item.
    for key in sorted({entry_key(digests.library, key) for key in cited}):
        items[f"reference {key}"] = digests[key]
    # Added only when it shows some, so other articles' digests stay as they were.
    for path in shown_files(article.body):
        items[f"file {path}"] = files.get(path, "none")
    return items


@dataclass(frozen=True)
class Statement:
    """The bytes a reviewer signs, and the digests they are made of."""

    text: str
    items: Mapping[str, str]

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    def short(self) -> dict[str, str]:
        return {item: digest[:SHORT] for item, digest in self.items.items()}


def approval_statement(
    article: Article,
    items: Mapping[str, str],
    by: str,
    on: dt.date,
    note: str = "",
    significant: bool = False,
    version: int = APPROVAL_VERSION,
) -> Statement:
    if version < 2:
        items = {item: digest for item, digest in items.items() if item != TOPICS}
    lines = [
        f"medical-pipeline approval {version}",
        f"article {article.slug}",
        f"by {by}",
        f"on {on.isoformat()}",
        f"note {json.dumps(_text(note), ensure_ascii=False)}",
        f"significant {'yes' if significant else 'no'}",
        *(f"{item} {digest}" for item, digest in sorted(items.items())),
    ]
    return Statement("\n".join(lines) + "\n", dict(items))


def changed_items(recorded: Mapping[str, str], items: Mapping[str, str]) -> list[str]:
    """The items whose digest differs from what the approval recorded (added or dropped
    references included), in the order readers meet them."""
    changed = [
        item
        for item in items
        if item not in recorded or not items[item].startswith(recorded[item] or "-")
    ]
    changed += [item for item in recorded if item not in items]
    return changed


def file_digest(data: bytes | None, name: str) -> str:
    """A governed file's digest for the roster statement, as a site file's (`site_file_digest`);
    "none" when the file does not exist."""
    return "none" if data is None else site_file_digest(data, name)


def roster_statement(by: str, on: dt.date, files: Mapping[str, bytes | None]) -> Statement:
    """What an admin signs: each file that governs the site, by its path (`files`, as
    `roster.governed_files` reads them), exactly as it is."""
    items = {path: file_digest(data, path) for path, data in files.items()}
    lines = [
        "medical-pipeline roster 2",
        f"by {by}",
        f"on {on.isoformat()}",
        *(f"file {json.dumps(path)} {digest}" for path, digest in sorted(items.items())),
    ]
    return Statement("\n".join(lines) + "\n", items)
