"""Finding Pandoc-style citations in an article body, and numbering them.

Syntax (DESIGN §4): `[@key]`, `[@a; @b]`, `[@key, p. 12]`, `[see @key, pp. 3-4]`. Not citations:
anything in code spans, fenced code or HTML comments, `\\[@…]`, e-mail addresses, a bare `@`.
The scanner is one pass of small steps over the body text: mask what is not prose, find
brackets, split them into items.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline import codes
from pipeline.citations.resolve import resolve
from pipeline.diagnostics import Diagnostic, suggestion
from pipeline.identifiers import cited_identifier
from pipeline.model import Article, Library

# A key starts with a letter, digit or underscore; inner punctuation is allowed, a trailing
# one is not (so `[@smith2001.]` cites smith2001), as in Pandoc.
KEY = r"[\w](?:[\w:.#$%&+?<>~/-]*[\w])?"
BRACKET = re.compile(r"(?<!\\)\[(?P<inner>[^\[\]]{0,500}?@[^\[\]]{0,500}?)\](?![(\[])")
# Pandoc's braced form, `@{doi:10.1016/S0140-6736(97)11096-0}`, holds a key with any character
# but spaces and braces: how a DOI with brackets in it is cited by identifier.
_ITEM = re.compile(
    rf"^(?P<prefix>.*?)(?<![\w.@])-?(?P<at>@)(?:\{{(?P<braced>[^{{}}\s]+)\}}|(?P<key>{KEY}))?"
    r"(?P<rest>.*)$",
    re.DOTALL,
)
# After a key: nothing, a locator or suffix (after a comma or space), or trailing punctuation.
_AFTER_KEY = re.compile(r"^[.:;!?]*(?:$|[,\s])")
_NEWLINE = re.compile("\n")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)
_BACKTICKS = re.compile(r"`+")
LOCATOR_LABELS = {
    "p": "p",
    "pp": "pp",
    "page": "p",
    "pages": "pp",
    "chap": "ch",
    "chapter": "ch",
    "fig": "fig",
    "figure": "fig",
    "tbl": "table",
    "table": "table",
    "sec": "sec",
    "section": "sec",
}
# `, pp. 3-4, 7 and passim`: a label, numbers and ranges (the locator), then a free suffix.
_NUMBERS = r"[A-Za-z]?\d+(?:\s*[-–]{1,2}\s*[A-Za-z]?\d+)?"
_LOCATOR = re.compile(
    rf"^\s*,\s*(?:(?P<label>[A-Za-z]+)\.?\s*)?(?P<value>{_NUMBERS}(?:\s*,\s*{_NUMBERS})*)\b"
)


@dataclass(frozen=True)
class CitationItem:
    """One cited work inside a bracket: its key, optional locator, and where the `@` is.
    `span`: the offsets of `@key` (or `@{key}`) in the scanned text."""

    key: str
    locator: str
    line: int
    column: int
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Citation:
    """One bracket in the body: `start`/`end` are offsets into `Article.body`."""

    start: int
    end: int
    items: tuple[CitationItem, ...]
    line: int
    column: int


@dataclass(frozen=True)
class Malformed:
    line: int
    column: int
    text: str
    reason: str


def code_mask(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of fenced code, code spans and HTML comments: no citation there."""
    spans: list[tuple[int, int]] = []
    pos = 0
    fence_end = _next_fence_block(text, 0)
    while fence_end is not None:
        start, end = fence_end
        spans.extend(_inline_code_spans(text, pos, start))
        spans.append((start, end))
        pos = end
        fence_end = _next_fence_block(text, end)
    spans.extend(_inline_code_spans(text, pos, len(text)))
    return sorted(spans)


def _next_fence_block(text: str, pos: int) -> tuple[int, int] | None:
    opening = _FENCE.search(text, pos)
    if opening is None:
        return None
    marker = opening.group(1)
    closing = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$", re.MULTILINE)
    line_end = text.find("\n", opening.end())
    if line_end == -1:
        return opening.start(), len(text)
    close = closing.search(text, line_end + 1)
    return opening.start(), close.end() if close else len(text)


def _inline_code_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for comment in _COMMENT.finditer(text, start, end):
        yield comment.start(), comment.end()
    pos = start
    while True:
        run = _BACKTICKS.search(text, pos, end)
        if run is None:
            return
        width = len(run.group())
        closing = re.compile(rf"(?<!`)`{{{width}}}(?!`)")
        close = closing.search(text, run.end(), end)
        if close is None:
            pos = run.end()
            continue
        yield run.start(), close.end()
        pos = close.end()


def _masked(spans: Sequence[tuple[int, int]], offset: int) -> bool:
    return any(start <= offset < end for start, end in spans)


def scan(article: Article) -> tuple[list[Citation], list[Malformed]]:
    """Every citation bracket in the body, in order, and the brackets that are malformed."""
    citations, malformed = _scan(article.body, article.body_line)
    return list(citations), list(malformed)


def scan_text(text: str) -> list[Citation]:
    """The citation brackets of any Markdown text (a staged page), in order."""
    return list(_scan(text, 1)[0])


@functools.lru_cache(maxsize=4096)
def _scan(body: str, body_line: int) -> tuple[tuple[Citation, ...], tuple[Malformed, ...]]:
    """Scanned once per text: check, the evidence checks and staging all ask for it."""
    mask = code_mask(body)
    newlines = [match.start() for match in _NEWLINE.finditer(body)]
    citations: list[Citation] = []
    malformed: list[Malformed] = []

    def where(offset: int) -> tuple[int, int]:
        index = bisect.bisect_left(newlines, offset)
        line_start = newlines[index - 1] + 1 if index else 0
        return body_line + index, offset - line_start + 1

    for match in BRACKET.finditer(body):
        if _masked(mask, match.start()):
            continue
        inner_start = match.start("inner")
        items: list[CitationItem] = []
        problems: list[str] = []
        is_citation = False
        offset = inner_start
        for part in match.group("inner").split(";"):
            item = _ITEM.match(part)
            if item is None:
                if part.strip():
                    problems.append(f"'{part.strip()}' is not a citation item")
                else:
                    problems.append("an item is empty (a stray ';')")
            elif item.group("key") is None and item.group("braced") is None:
                is_citation = True
                problems.append("'@' is not followed by a key")
            elif not _AFTER_KEY.match(item.group("rest")):
                is_citation = True
                cited = item.group("key") or "{" + item.group("braced") + "}"
                junk = cited + item.group("rest").split(",")[0].split()[0]
                problems.append(f"the key '{junk}' contains a character keys cannot have")
                if cited_identifier(junk):
                    problems[-1] += f" (write an identifier like this in braces: @{{{junk}}})"
            else:
                is_citation = True
                key = item.group("key") or item.group("braced")
                key_at = offset + item.start("at")
                line, column = where(key_at)
                span = (key_at, offset + item.start("rest"))
                items.append(CitationItem(key, _locator(item.group("rest")), line, column, span))
            offset += len(part) + 1
        if not is_citation:
            continue  # e.g. "[write to jdoe@example.org]"
        line, column = where(match.start())
        if problems:
            malformed.append(Malformed(line, column, match.group(), problems[0]))
            continue
        citations.append(Citation(match.start(), match.end(), tuple(items), line, column))
    return tuple(citations), tuple(malformed)


def _locator(rest: str) -> str:
    """`, p. 12` -> `p12` (AMA); an unrecognised suffix is dropped, as AMA has no place for it."""
    found = _LOCATOR.match(rest)
    if not found:
        return ""
    label = (found.group("label") or "p").lower()
    short = LOCATOR_LABELS.get(label)
    if short is None:
        return ""
    value = re.sub(r"\s*([-–,]+)\s*", r"\1", found.group("value"))
    value = re.sub(r"[-–]+", "-", value)
    if short == "p" and "-" in value:
        short = "pp"
    return f"{short}{value}" if short in ("p", "pp") else f"{short} {value}"


def numbering(citations: Sequence[Citation]) -> dict[str, int]:
    """Each key's number: 1, 2, 3… in order of first appearance in the article."""
    numbers: dict[str, int] = {}
    for citation in citations:
        for item in citation.items:
            numbers.setdefault(item.key, len(numbers) + 1)
    return numbers


def check_citations(article: Article, library: Library) -> list[Diagnostic]:
    citations, malformed = scan(article)
    problems = [
        codes.MALFORMED_CITATION.at(
            article.path, bad.line, bad.column, text=bad.text, reason=bad.reason
        )
        for bad in malformed
    ]
    for citation in citations:
        for item in citation.items:
            if resolve(library, item.key) is None:
                problems.append(_unknown(article, item, library))
    return problems


def _unknown(article: Article, item: CitationItem, library: Library) -> Diagnostic:
    ident = cited_identifier(item.key)
    if ident is None:
        near = suggestion(item.key, library.entries)
        fix = "correct the key or add the source to references/*.bib"
    else:
        near = suggestion(ident, library.by_identifier)
        written = item.key.partition(":")[2]
        fix = f"correct it, or add the source: python -m pipeline references add {written}"
    return codes.UNKNOWN_CITATION.at(
        article.path, item.line, item.column, key=item.key, suggestion=near, fix=fix
    )
