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

# What a key written bare may be (Pandoc): a letter, digit or underscore first, inner
# punctuation, a word character last. Anything else is written in braces, `@{...}`.
KEY = r"[\w](?:[\w:.#$%&+?<>~/-]*[\w])?"
# After a key: nothing, a locator or suffix (after a comma or space), or trailing punctuation.
_AFTER_KEY = re.compile(r"^[.:;!?]*(?:$|[,\s])")
_NEWLINE = re.compile("\n")
# Fenced code as Python-Markdown's fenced_code reads it (every engine loads it): an opening line
# at the margin (the fence, then braces or a language and hl_lines), and a closing line that is
# the same fence exactly. Anything else (an indented fence, a fence with other words after it,
# one never closed) is no code to Markdown, and must be none to the checks: text they took for
# code was rendered as Markdown, raw HTML included, unchecked.
# Python-Markdown expands tabs before fenced code is found: a tab after a fence is blanks.
# Possessive quantifiers: a fence line of thousands of blanks is read once, never split again.
_OPENING = re.compile(
    r"""^(?P<fence>~{3,}+|`{3,}+)[ \t]*+"""
    r"""(?:\{[^\n]*\}|\.?[\w#.+-]*+[ \t]*+(?:hl_lines=(["']).*?\2[ \t]*+)?)$""",
    re.MULTILINE,
)
_CLOSING = re.compile(r"^(~{3,}+|`{3,}+)[ \t]*+$", re.MULTILINE)
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
# Possessive: a long run of digits or letters is read once, never split again.
_NUMBERS = r"[A-Za-z]?\d++(?:\s*+[-–]{1,2}\s*+[A-Za-z]?\d++)?"
_LOCATOR = re.compile(
    rf"^\s*+,\s*+(?:(?P<label>[A-Za-z]++)\.?\s*+)?(?P<value>{_NUMBERS}(?:\s*+,\s*+{_NUMBERS})*+)\b"
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


@functools.lru_cache(maxsize=64)  # the citation scan, the markup check and audience blocks ask
def code_mask(text: str) -> tuple[tuple[int, int], ...]:
    """Spans (start, end) of fenced code, code spans and HTML comments: no citation there.

    Linear in the text, whatever it holds: each fence is searched for its closing once, and a
    code span's closing backticks are looked up among the runs of the same width in the same
    paragraph (code spans, as in Markdown, never cross a blank line)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for start, end in fenced_blocks(text):
        spans.extend(_inline_code_spans(text, pos, start))
        spans.append((start, end))
        pos = end
    spans.extend(_inline_code_spans(text, pos, len(text)))
    return tuple(sorted(spans))


@functools.lru_cache(maxsize=64)  # code_mask and audience blocks ask for the same text
def fenced_blocks(text: str) -> tuple[tuple[int, int], ...]:
    """Spans (start, end) of the fenced code blocks, in order."""
    closings: dict[str, list[int]] = {}  # each fence -> where the lines that close it start
    for line in _CLOSING.finditer(text):
        closings.setdefault(line.group(1), []).append(line.start())
    found, fence_end = [], _next_fence_block(text, 0, closings)
    while fence_end is not None:
        found.append(fence_end)
        fence_end = _next_fence_block(text, fence_end[1], closings)
    return tuple(found)


def _next_fence_block(
    text: str, pos: int, closings: dict[str, list[int]]
) -> tuple[int, int] | None:
    """The next fenced block from `pos`: an opening line with a closing line after it (found
    among `closings` by bisection, so a text of openings never closed stays linear)."""
    for opening in _OPENING.finditer(text, pos):
        lines = closings.get(opening.group("fence"), [])
        after = bisect.bisect_right(lines, opening.end())
        if after < len(lines):
            close = lines[after]
            line_end = text.find("\n", close)
            return opening.start(), len(text) if line_end == -1 else line_end
    return None


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def paragraph_ends(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Where each paragraph of `text[start:end]` ends (a blank line follows), then `end`:
    inline code and raw HTML never run across a blank line."""
    stop = len(text) if end is None else end
    return [m.start() for m in _BLANK_LINE.finditer(text, start, stop)] + [stop]


class Positions:
    """Line and column (from 1) of an offset in a text whose first line is `first_line`."""

    def __init__(self, text: str, first_line: int) -> None:
        self.newlines = [m.start() for m in _NEWLINE.finditer(text)]
        self.first_line = first_line

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_left(self.newlines, offset)
        line_start = self.newlines[index - 1] + 1 if index else 0
        return self.first_line + index, offset - line_start + 1

    def start_of(self, line: int) -> int:
        """The offset where `line` (numbered as `__call__` numbers them) starts."""
        index = line - self.first_line
        return self.newlines[index - 1] + 1 if index else 0


def _inline_code_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    comments = [(c.start(), c.end()) for c in _COMMENT.finditer(text, start, end)]
    yield from comments
    ends = paragraph_ends(text, start, end)
    runs = [run.span() for run in _BACKTICKS.finditer(text, start, end)]
    if comments:
        runs = [run for run in runs if not _inside(comments, run[0])]
    # For each run, the next run of the same width (the one that would close it), or -1.
    following = [-1] * len(runs)
    next_of_width: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        width = runs[index][1] - runs[index][0]
        following[index] = next_of_width.get(width, -1)
        next_of_width[width] = index
    index, paragraph = 0, 0
    while index < len(runs):
        first, close = runs[index][0], following[index]
        if close < 0 or (first > 0 and text[first - 1] == "\\"):
            index += 1
            continue
        while ends[paragraph] < first:
            paragraph += 1
        if runs[close][0] >= ends[paragraph]:
            index += 1
            continue
        yield first, runs[close][1]
        index = close + 1  # the runs inside the span are code


def _inside(spans: Sequence[tuple[int, int]], offset: int) -> bool:
    """Whether `offset` lies in one of the sorted, disjoint `spans`."""
    index = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def scan(article: Article) -> tuple[list[Citation], list[Malformed]]:
    """Every citation bracket in the body, in order, and the brackets that are malformed."""
    citations, malformed = _scan(article.body, article.body_line)
    return list(citations), list(malformed)


def written_key(key: str) -> str:
    """How a key is written after its `@`: bare, or in braces when it holds characters a bare
    key cannot (a DOI with brackets, `@{doi:10.1016/S0140-6736(97)11096-0}`)."""
    return f"@{key}" if re.fullmatch(KEY, key) else f"@{{{key}}}"


def cited_keys(article: Article) -> list[str]:
    """The key of every citation item in the article, in order, as written."""
    return [
        item.key
        for citation in _scan(article.body, article.body_line)[0]
        for item in citation.items
    ]


def scan_text(text: str) -> list[Citation]:
    """The citation brackets of any Markdown text (a staged page), in order."""
    return list(_scan(text, 1)[0])


# A bracket and what stands inside it, up to 1,000 characters of no other bracket: a single
# character class read possessively, so the search from each "[" stops at the next bracket
# and the whole scan stays linear in the text (and runs in the regular expression engine, not
# once per "[" in Python: a line of a million "[" took 0.7 s).
_BRACKET = re.compile(r"(?<!\\)\[([^\[\]]{0,1000}+)\]")
_AT = re.compile(r"(?<![\w.@])-?@")
_KEY_RUN = re.compile(r"[\w][\w:.#$%&+?<>~/-]*+")  # possessive: no backtracking
_WORD = re.compile(r"\w")
_BRACED = re.compile(r"\{([^{}\s]+)\}")


def _brackets(body: str, mask: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """(start, end, inner) of each bracket that holds an "@", outside code and comments, and
    is not a link (`[...](` or `[...][`)."""
    for bracket in _BRACKET.finditer(body):
        close = bracket.end()
        if "@" not in bracket.group(1) or body.startswith(("(", "["), close):
            continue
        if _inside(mask, bracket.start()):
            continue
        yield bracket.start(), close, bracket.group(1)


def _item(part: str) -> tuple[str, str | None, str, int, int] | None:
    """One citation item: (prefix, key, what follows the key, the offset of its "@" in
    `part`, the offset just after the key); None when there is no "@" at all. A key ends on a
    word character, as in Pandoc, so `[@smith2001.]` cites smith2001; Pandoc's braced form,
    `@{doi:10.1016/S0140-6736(97)11096-0}`, holds any characters but spaces and braces (how a
    DOI with brackets in it is cited by identifier)."""
    at = _AT.search(part)
    if at is None:
        return None
    braced = _BRACED.match(part, at.end())
    if braced is not None:
        return part[: at.start()], braced.group(1), part[braced.end() :], at.end() - 1, braced.end()
    run = _KEY_RUN.match(part, at.end())
    if run is None:
        return part[: at.start()], None, part[at.end() :], at.end() - 1, at.end()
    key = run.group()
    while len(key) > 1 and not _WORD.match(key[-1]):
        key = key[:-1]
    end = at.end() + len(key)
    return part[: at.start()], key, part[end:], at.end() - 1, end


def without_citations(text: str) -> str:
    """The text with every citation bracket blanked, as readers never see it written."""
    parts, end = [], 0
    for start, stop, _ in _brackets(text, code_mask(text)):
        parts += [text[end:start], " "]
        end = stop
    return "".join(parts) + text[end:]


@functools.lru_cache(maxsize=16)
def _scan(body: str, body_line: int) -> tuple[tuple[Citation, ...], tuple[Malformed, ...]]:
    """Scanned once per text while an article is checked (the checks ask three times in a row).
    Only the last few are kept: a build never asks twice for a page, and holding every page's
    scan held 14 MB at 1,000 articles."""
    mask = code_mask(body)
    where = Positions(body, body_line)
    citations: list[Citation] = []
    malformed: list[Malformed] = []

    for start, end, inner in _brackets(body, mask):
        items: list[CitationItem] = []
        problems: list[str] = []
        is_citation = False
        offset = start + 1
        for part in inner.split(";"):
            item = _item(part)
            if item is None:
                if part.strip():
                    problems.append(f"'{part.strip()}' is not a citation item")
                else:
                    problems.append("an item is empty (a stray ';')")
            else:
                is_citation = True
                _, key, rest, at_offset, key_end = item
                if key is None:
                    problems.append("'@' is not followed by a key")
                elif not _AFTER_KEY.match(rest):
                    junk = part[at_offset + 1 : key_end] + rest.split(",")[0].split()[0]
                    problems.append(f"the key '{junk}' contains a character keys cannot have")
                    if cited_identifier(junk):
                        problems[-1] += f" (write an identifier like this in braces: @{{{junk}}})"
                else:
                    line, column = where(offset + at_offset)
                    span = (offset + at_offset, offset + key_end)
                    items.append(CitationItem(key, _locator(rest), line, column, span))
            offset += len(part) + 1
        if not is_citation:
            continue  # e.g. "[write to jdoe@example.org]"
        line, column = where(start)
        if problems:
            malformed.append(Malformed(line, column, body[start:end], problems[0]))
            continue
        citations.append(Citation(start, end, tuple(items), line, column))
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
