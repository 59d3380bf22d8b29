"""Loading the BibTeX library (`references/*.bib`) into a `Library` of `Entry`s.

bibtexparser v2 does the parsing, `@string` macros and LaTeX decoding; this module adds what a
board member needs on top: every unreadable entry and every duplicate key reported with its
file and line, and author names split so corporate authors stay whole.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import LatexWalker, get_default_latex_context_db

from pipeline import codes
from pipeline.cache import Cache
from pipeline.content.files import check_marks, decode, readable
from pipeline.diagnostics import Diagnostic
from pipeline.model import READER_VISIBLE_FIELDS, Author, Entry, Library

_LATEX = LatexNodes2Text()
# Made once: pylatexenc would otherwise build its table of macros for every field it decodes.
_CONTEXT = get_default_latex_context_db()
# Most field values hold no LaTeX beyond case-protecting braces and dashes (page ranges); those
# skip the (slow, general) LaTeX parser, which gives the same text for them.
_NEEDS_LATEX = re.compile(r"[\\$~%]")
# The LaTeX parser reads 5 to 10 microseconds a character: a library may hold this many
# characters of fields (and names) that need it, about a second's reading. A real library uses
# a small part of it (accented names, "\&" in a journal's title: the benchmark's library for
# 1,000 articles, 2,000 entries, uses under 2,000); a pull request that added a megabyte of
# `\"{u}` made every check and build half a minute slower, and every later build slower again
# for each library version history reads.
LATEX_LIMIT = 100_000
# @string abbreviations may make a file's fields at most this many times longer than the file
# (abbreviated journal names make them shorter; 150 uses of a 120 KB title made 18 MB).
EXPANSION = 4
# Starting the parser costs about as much as reading this many characters (a library of
# one-character fields, `{~}`, read at 25 microseconds a character counted without it).
_LATEX_START = 20


# Fields that are identifiers, not text: `%` and `~` in a URL are not LaTeX (as in biblatex).
VERBATIM = frozenset({"url", "doi", "pmid", "pmcid", "isbn", "issn", "eprint", "urldate", "file"})
# The fields read as text, decoded from LaTeX: those readers see, and those a reference list
# takes from the work it is part of. Any other (an abstract, keywords, a note: Zotero exports
# them, each "%" written "\%") is kept as written: nothing reads it, and a field decoded whole
# for one escape cost the limit below for nothing.
DECODED = (READER_VISIBLE_FIELDS | {"series", "crossref"}) - VERBATIM
# Fields whose braces protecting capitals reach readers, and approvals sign (`statement.py`):
# working them out for every field (a note of 300,000 `{~}`) took half a minute.
CASED = READER_VISIBLE_FIELDS - VERBATIM


class Unreadable(ValueError):
    """A field or name the LaTeX parser could not read (why, as the diagnostic says it)."""


def latex_text(value: str) -> str:
    """A BibTeX field value as display text: accents, dashes, `\\&` decoded, braces dropped."""
    if not _NEEDS_LATEX.search(value):
        text = value.replace("{", "").replace("}", "")
        return text.replace("---", "\u2014").replace("--", "\u2013") if "--" in text else text
    try:
        walker = LatexWalker(value, latex_context=_CONTEXT, tolerant_parsing=True)
        return str(_LATEX.nodelist_to_text(walker.get_latex_nodes()[0]))
    except RecursionError:
        raise
    except Exception as error:  # the parser's own failures (`\begin{equation}` 200 times)
        raise Unreadable("holds LaTeX that cannot be read") from error


def protected_spans(value: str, text: str) -> tuple[tuple[int, int], ...]:
    """Where in `text` (the display text of the BibTeX `value`) braces protect capitals.

    Each piece of `value` is decoded on its own, and white space is folded as for `text`; when
    the pieces do not add up to `text` (LaTeX that spans a brace), all of it keeps its capitals.
    """
    chars: list[str] = []
    flags: list[bool] = []
    for piece, protected in _brace_pieces(value):
        for char in latex_text(piece):
            if not char.isspace():
                chars.append(char)
                flags.append(protected)
            elif chars and chars[-1] != " ":
                chars.append(" ")
                flags.append(protected)
    while chars and chars[-1] == " ":
        chars.pop()
        flags.pop()
    if "".join(chars) != text:
        return ((0, len(text)),)
    spans: list[tuple[int, int]] = []
    for index, protected in enumerate(flags):
        if protected and spans and spans[-1][1] == index:
            spans[-1] = (spans[-1][0], index + 1)
        elif protected:
            spans.append((index, index + 1))
    return tuple(spans)


# A brace right after a command is its argument (`\emph{X}`, `\"{u}`), not protection.
_COMMAND_BEFORE = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z\s])\s*\Z")


def _brace_pieces(value: str) -> list[tuple[str, bool]]:
    """`value` cut into unprotected text and top-level brace groups that protect capitals, as
    BibTeX reads them: a group that starts with a command (`{\\&}`, `{\\"u}`) is a special
    character whose case a style may change, so it is not protection."""
    pieces: list[tuple[str, bool]] = []
    start, depth, protects, last = 0, 0, False, 0
    for index, char in enumerate(value):
        if char == "{":
            if depth == 0:
                # A command holds no "{" but right after its backslash (`\{`): it is searched
                # for from the group before, not from the start (quadratic in the groups).
                before = _COMMAND_BEFORE.search(value, max(last - 1, 0), index)
                protects = not (before or value.startswith("\\", index + 1))
                last = index
                if protects:
                    pieces.append((value[start:index], False))
                    start = index
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0 and protects:
                pieces.append((value[start : index + 1], True))
                start = index + 1
    pieces.append((value[start:], False))
    return [(piece, protected) for piece, protected in pieces if piece]


# The splitter also logs each failure it hands back to us; we report those as diagnostics.
logging.getLogger("bibtexparser.splitter").setLevel(logging.CRITICAL)


def load_library(root: Path, cache: Cache | None = None) -> tuple[Library, list[Diagnostic]]:
    files = sorted(p for p in (root / "references").glob("*.bib") if readable(root, p))
    if not files:
        return Library(), [codes.BIB_NO_LIBRARY.at("references")]
    entries: dict[str, Entry] = {}
    problems: list[Diagnostic] = []
    latex = 0  # characters read as LaTeX so far, across the files (`LATEX_LIMIT`)
    used_by: list[str] = []  # the files that read any, as the message names them
    for path in files:
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        text = decode(data)
        if text is None:
            problems.append(codes.BIB_UNREADABLE.at(rel, 1, 1))
            continue
        if latex > LATEX_LIMIT:  # the files before used it all: this one is not read
            problems.append(_too_much_latex(rel, used_by))
            continue
        file_entries, file_problems, used = (cache or Cache()).memo(
            "bib", (rel, data), functools.partial(_parse_counting_latex, rel, text)
        )
        latex += used
        if latex > LATEX_LIMIT and used <= LATEX_LIMIT:  # past it with the files before
            problems.append(_too_much_latex(rel, used_by))
            continue
        used_by += [f"{rel} ({used:,})"] if used else []
        problems.extend(file_problems)
        problems += check_marks(rel, text)
        for entry in file_entries:
            first = entries.get(entry.key)
            if first is not None:
                problems.append(_duplicate(entry, first))
            else:
                entries[entry.key] = entry
    resolved, found = resolve_crossrefs(entries)
    return Library(resolved), problems + found


def _too_much_latex(rel: str, used_by: list[str]) -> Diagnostic:
    where = f" with what {', '.join(used_by)} read before this file" if used_by else ""
    return codes.BIB_TOO_MUCH_LATEX.at(rel, 1, 1, limit=f"{LATEX_LIMIT:,}", where=where)


# Fields a chapter or paper takes from the book or proceedings it names with `crossref`.
INHERITED = ("publisher", "year", "date", "address", "edition", "volume", "series", "editor")


def resolve_crossrefs(entries: dict[str, Entry]) -> tuple[dict[str, Entry], list[Diagnostic]]:
    """BibTeX `crossref`: missing fields come from the parent; its title is the booktitle."""
    resolved = dict(entries)
    problems = []
    for key, entry in entries.items():
        parent_key = entry.get("crossref")
        if not parent_key:
            continue
        parent = entries.get(parent_key)
        if parent is None:
            problems.append(
                codes.BIB_CROSSREF.at(
                    entry.path, entry.line_of("crossref"), 1, key=key, parent=parent_key
                )
            )
            continue
        fields = dict(entry.fields)
        protected = dict(entry.case_protected)
        for name, parent_name in [*((n, n) for n in INHERITED), ("booktitle", "title")]:
            if not fields.get(name) and parent.get(parent_name):
                fields[name] = parent.get(parent_name)
                if parent_name in parent.case_protected:
                    protected[name] = parent.case_protected[parent_name]
        resolved[key] = replace(
            entry,
            fields=fields,
            editors=entry.editors or parent.editors,
            case_protected=protected,
        )
    return resolved, problems


def parse_library(
    rel: str, text: str, limited: bool = True
) -> tuple[list[Entry], list[Diagnostic]]:
    """Parse one .bib text; pure, never raises for bad input. A text holding more than
    `LATEX_LIMIT` characters to read as LaTeX gives no entries and BIB022 at the entry that
    goes past it, read in a fraction of the time (not `limited`: a committed version, read
    past that limit as it was read then). Abbreviations that expand the text past `EXPANSION`
    times its size give BIB023 either way: no library needs them so, and they fill memory."""
    entries, problems, _ = _parse_counting_latex(rel, text, limited)
    return entries, problems


def _parse_counting_latex(
    rel: str, text: str, limited: bool = True
) -> tuple[list[Entry], list[Diagnostic], int]:
    """`parse_library`, and how many characters it read as LaTeX (`load_library` adds them up
    across the files)."""
    parsed = bibtexparser.parse_string(text, parse_stack=[])  # type: ignore[attr-defined]
    # What the @string abbreviations expand to, measured before any is expanded: bibtexparser
    # copies an abbreviation's text into every entry that uses it (300,000 letters used by
    # 13,000 entries filled 4 GB), and splitting names apart copies them again.
    if (expanded := _expanded_size(parsed)) > EXPANSION * len(text) + 10_000:
        found = codes.BIB_EXPANDED.at(rel, 1, 1, size=f"{expanded:,}", times=EXPANSION)
        return [], [found], 0
    for middleware in (
        middlewares.ResolveStringReferencesMiddleware(),  # bibtexparser's own reading, in order
        middlewares.RemoveEnclosingMiddleware(),
        middlewares.SeparateCoAuthors(),
    ):
        parsed = middleware.transform(parsed)
    entries: list[Entry] = []
    problems: list[Diagnostic] = []
    latex = 0
    seen: set[tuple[str, str]] = set()  # each distinct name and value is read once
    for block in parsed.entries:  # counted before any is read
        latex += _latex_characters(block, seen)
        if limited and latex > LATEX_LIMIT:
            line = (block.start_line or 0) + 1
            found = codes.BIB_TOO_MUCH_LATEX.at(
                rel, line, 1, limit=f"{LATEX_LIMIT:,}", where=" with this entry"
            )
            return [], [found], latex
    read = _Reading()
    for block in parsed.entries:
        try:
            entries.append(_entry(rel, block, read))
        except Unreadable as unreadable:
            line = (block.start_line or 0) + 1
            start = f"@{block.entry_type}{{{block.key}, ...}} {unreadable.args[0]}"
            problems.append(codes.BIB_PARSE.at(rel, line, 1, start=start))
    by_key = {e.key: e for e in entries}
    for failed in parsed.failed_blocks:
        line = (failed.start_line or 0) + 1
        if isinstance(failed, DuplicateBlockKeyBlock):
            key = failed.key
            first = by_key.get(key)
            where = f" (first defined at {first.path}:{first.line})" if first else ""
            problems.append(codes.BIB_DUPLICATE_KEY.at(rel, line, 1, key=key, first=where))
        else:
            head = (failed.raw or "").strip().splitlines()[:1]
            problems.append(
                codes.BIB_PARSE.at(rel, line, 1, start=head[0][:60] if head else "empty entry")
            )
    return entries, problems, latex


def _expanded_size(parsed: bibtexparser.library.Library) -> int:
    """How long the entries' fields are once @string abbreviations are replaced, as
    ResolveStringReferencesMiddleware replaces them (a whole value naming one, in any case)."""
    strings = {key.lower(): len(str(s.value)) for key, s in parsed.strings_dict.items()}
    return sum(
        strings.get(value.lower(), len(value)) if isinstance(value, str) else len(str(value))
        for block in parsed.entries
        for value in (f.value for f in block.fields)
    )


def _latex_characters(block: bibtexparser.model.Entry, seen: set[tuple[str, str]]) -> int:
    """How many characters of an entry `_entry` reads as LaTeX: its decoded fields and names
    that hold a command, a tie or a comment sign, and again the fields whose braces protect
    capitals (`protected_spans`), each with what starting the parser costs; each distinct
    one once (`seen`: what the entries before read, which it adds to), as `_Reading` reads."""
    count = 0
    for field in block.fields:
        key = field.key.lower()
        work: list[tuple[str, str]] = []
        if isinstance(field.value, list) and key in ("author", "editor"):
            work = [("name", str(name)) for name in field.value]
        elif not isinstance(field.value, list) and key in DECODED:
            value = str(field.value)
            work = [("text", value)] + ([("spans", value)] if key in CASED and "{" in value else [])
        for item in work:
            if item not in seen and _NEEDS_LATEX.search(item[1]):
                seen.add(item)
                count += _LATEX_START + len(item[1])
    return count


def _duplicate(entry: Entry, first: Entry) -> Diagnostic:
    return codes.BIB_DUPLICATE_KEY.at(
        entry.path,
        entry.line,
        1,
        key=entry.key,
        first=f" (first defined at {first.path}:{first.line})",
    )


@dataclass
class _Reading:
    """What one parse has read as display text, so that each distinct name and field value is
    read once, as `_latex_characters` counts it: `parse_author`'s own memory is bounded, and a
    list of names that overflowed it was read again for every entry; a journal's name with a
    "\\&" is the same in a thousand entries. What could not be read is remembered too (a
    title nested 270 braces deep, in 1,773 entries, was tried again for each: 19 s)."""

    done: dict[tuple[str, str], object] = dataclasses.field(default_factory=dict)

    def author(self, raw: str) -> Author:
        return cast(Author, self._once("name", raw, lambda: parse_author(raw)))

    def text(self, value: str) -> str:
        return cast(str, self._once("text", value, lambda: " ".join(latex_text(value).split())))

    def protected(self, value: str) -> tuple[tuple[int, int], ...]:
        text = self.text(value)
        return cast(
            tuple[tuple[int, int], ...],
            self._once("spans", value, lambda: protected_spans(value, text)),
        )

    def _once(self, kind: str, value: str, read: Callable[[], object]) -> object:
        if (kind, value) not in self.done:
            try:
                self.done[kind, value] = read()
            except RecursionError:  # braces nested hundreds deep: LaTeX decoding gives up
                self.done[kind, value] = Unreadable("has braces nested too deeply")
            except Unreadable as unreadable:
                self.done[kind, value] = unreadable
        found = self.done[kind, value]
        if isinstance(found, Unreadable):
            raise Unreadable(*found.args)
        return found


def _entry(rel: str, block: bibtexparser.model.Entry, read: _Reading) -> Entry:
    """One entry, its fields and names read as display text (`read`: what the parse read
    before)."""
    fields: dict[str, str] = {}
    lines: dict[str, int] = {}
    people: dict[str, list[str]] = {"author": [], "editor": []}
    protected: dict[str, tuple[tuple[int, int], ...]] = {}
    for field in block.fields:
        key = field.key.lower()
        lines[key] = (field.start_line or block.start_line or 0) + 1
        if isinstance(field.value, list):
            if key in people:
                people[key] = [str(n) for n in field.value]
            fields[key] = " and ".join(str(n) for n in field.value)
        else:
            value = str(field.value)
            fields[key] = read.text(value) if key in DECODED else " ".join(value.split())
            if "{" in value and key in CASED:
                protected[key] = read.protected(value)
    return Entry(
        key=block.key,
        entry_type=block.entry_type.lower(),
        fields=fields,
        authors=tuple(read.author(n) for n in people["author"] or people["editor"]),
        path=rel,
        line=(block.start_line or 0) + 1,
        field_lines=lines,
        editors=tuple(read.author(n) for n in people["editor"]),
        case_protected={key: spans for key, spans in protected.items() if spans},
    )


@functools.lru_cache(maxsize=8192)  # the same people write many of a library's entries
def parse_author(raw: str) -> Author:
    """One BibTeX name; one wholly in braces (`{American College of Physicians}`) is corporate.
    Its white space is folded to single spaces, as in every other field: the signature reads
    it so, and a line separator or an ogham space put in after approval printed unsigned."""
    name = raw.strip()
    if name.startswith("{") and name.endswith("}") and _balanced_outer(name):
        return Author(last=_text(name[1:-1]), corporate=True)
    parts = middlewares.names.parse_single_name_into_parts(name, strict=False)  # never raises
    last = " ".join([*parts.von, *parts.last])
    given = " ".join(parts.first)
    if parts.jr:
        last = f"{last} {' '.join(parts.jr)}"
    return Author(last=_text(last), given=_text(given))


def _text(value: str) -> str:
    return " ".join(latex_text(value).split())


def _balanced_outer(name: str) -> bool:
    """True when the first brace closes at the very end: `{A} and {B}` is not one group."""
    depth = 0
    for index, char in enumerate(name):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0:
            return index == len(name) - 1
    return False
