"""Audience blocks: passages an author writes for one kind of reader.

Authors mark them with the block syntax board members know from PyMdown's blocks:

    /// audience | patient
    Most back spasms settle within a few weeks, whatever you do.
    ///

Staging replaces each block's first and last lines with marker lines (`MARK`, the audience),
found where the check finds them, and the pipeline's Markdown extension puts the container's
tags there (`<div class="audience-block" data-audience="patient">`); the passage between is
Markdown like any other, read by check and renderer alike. Authors cannot write a marker:
staging turns the marker character in their text into another one Markdown reads the same way.
The container starts with a visible label ("For patients and caregivers"), so without our script
every passage shows and says whom it is for; the page script hides the passages written for
other readers once a reader has answered "Which best describes you?". Fenced code is left alone
(found as Python-Markdown finds it), so the syntax itself can be shown in an article.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline.citations.scan import code_mask, fenced_blocks

# The audience is read whole and stripped in code: a lazy group before trailing blanks would try
# every length of a long line (minutes on a hostile one).
_OPEN = re.compile(r"^///[ \t]*audience[ \t]*(?:\|(?P<who>[^\n]*))?$", re.I)
_OTHER_OPEN = re.compile(r"^///[ \t]*[A-Za-z]")
_CLOSE = re.compile(r"^///[ \t]*$")
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
# A marker line starts with this control character; in authors' text it becomes the next one,
# which Python-Markdown treats the same way (both are whitespace to its patterns).
MARK = "\x1f"
_SUBSTITUTE = "\x1e"


@dataclass(frozen=True)
class Audience:
    """One kind of reader: its id in front matter, its answer to "Which best describes you?",
    and the label shown above the passages written for it."""

    id: str
    choice: str
    label: str


KNOWN = {
    "professional": Audience(
        "professional", "Healthcare professional", "For healthcare professionals"
    ),
    "patient": Audience("patient", "Patient or caregiver", "For patients and caregivers"),
}


def audience(audience_id: str) -> Audience:
    key = audience_id.strip().lower()
    if key in KNOWN:
        return KNOWN[key]
    words = key.replace("-", " ").replace("_", " ")
    return Audience(key, words.capitalize(), f"For readers: {words}")


@dataclass(frozen=True)
class Problem:
    """Something wrong with the audience markup, at a line of the body (1-based)."""

    line: int
    message: str
    hint: str


@dataclass(frozen=True)
class _Block:
    start: int  # index of the opening line
    end: int | None  # index of the closing line; None when the block is never closed
    who: str


def _scan(body: str) -> Iterator[_Block | Problem]:
    lines = body.split("\n")
    fenced = _fenced_lines(body, lines)
    index = 0
    while index < len(lines):
        opened = None if index in fenced else _OPEN.match(lines[index])
        if opened is None:
            index += 1
            continue
        who = (opened["who"] or "").strip().lower()
        if not _ID.match(who):
            yield Problem(
                index + 1,
                "an audience block must name one audience, like '/// audience | patient'",
                "write the audience after a '|': professional or patient",
            )
            index += 1
            continue
        end = _closing(lines, index + 1, fenced)
        if end is None:
            yield Problem(
                index + 1,
                f"the audience block for '{who}' is never closed",
                "end the passage with a line that holds only '///'",
            )
        for inner in range(index + 1, len(lines) if end is None else end):
            if inner not in fenced and _OPEN.match(lines[inner]):
                yield Problem(
                    inner + 1,
                    f"an audience block cannot stand inside the block for '{who}': its text "
                    f"would show to the readers of '{who}', with its marks",
                    "close the outer block with '///' before opening the next",
                )
        yield _Block(index, end, who)
        index = len(lines) if end is None else end + 1


def _fenced_lines(body: str, lines: list[str]) -> set[int]:
    """The lines inside fenced code (its fences included), as Python-Markdown finds it."""
    blocks = fenced_blocks(body)
    if not blocks:
        return set()
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    found: set[int] = set()
    for start, end in blocks:
        found.update(range(bisect.bisect_left(starts, start), bisect.bisect_right(starts, end)))
    return found


def _closing(lines: list[str], start: int, fenced: set[int]) -> int | None:
    """The line that closes a block opened just before `start`: nested blocks and fenced code
    inside are skipped over, so their '///' lines do not end it early."""
    depth = 0
    for index in range(start, len(lines)):
        if index in fenced:
            continue
        line = lines[index]
        if _CLOSE.match(line):
            if depth == 0:
                return index
            depth -= 1
        elif _OTHER_OPEN.match(line):
            depth += 1
    return None


def used(body: str) -> tuple[str, ...]:
    """The audiences the body has blocks for, in order of first use."""
    found: list[str] = []
    for item in _scan(body):
        if isinstance(item, _Block) and item.who not in found:
            found.append(item.who)
    return tuple(found)


def passages(body: str, who: str) -> list[tuple[int, str]]:
    """The text of each block written for `who`, with the body line it starts on (1-based)."""
    return [(line, text) for reader, line, text in all_passages(body) if reader == who]


def all_passages(body: str) -> list[tuple[str, int, str]]:
    """Every block's audience and text, with the body line it starts on (1-based), in one
    reading of the body (an article with a thousand audiences is read once, not a thousand
    times)."""
    lines = body.split("\n")
    found = []
    for item in _scan(body):
        if isinstance(item, _Block):
            end = len(lines) if item.end is None else item.end
            found.append((item.who, item.start + 2, "\n".join(lines[item.start + 1 : end])))
    return found


def problems(
    body: str, declared: tuple[str, ...], raw: Sequence[tuple[int, int]] = ()
) -> list[Problem]:
    """Malformed or unclosed blocks, blocks for an audience the front matter does not list
    (the page offers only the listed ones as answers to "Which best describes you?"), and a
    block's first or last line inside a code span, an HTML comment or raw HTML (`raw`: where
    Python-Markdown reads raw HTML in the body; see `_inside_code`)."""
    listed = {a.strip().lower() for a in declared}
    found: list[Problem] = []
    blocks: list[_Block] = []
    for item in _scan(body):
        if isinstance(item, Problem):
            found.append(item)
            continue
        blocks.append(item)
        if item.who not in listed:
            found.append(
                Problem(
                    item.start + 1,
                    f"the audience '{item.who}' is not in this article's 'audience' list",
                    f"add it to the front matter (audience: [..., {item.who}]) or fix the name",
                )
            )
    return found + _inside_code(body, blocks, raw)


def _inside_code(body: str, blocks: list[_Block], raw: Sequence[tuple[int, int]]) -> list[Problem]:
    """Staging puts a block's marks on lines of their own, so a code span, a comment or a raw
    HTML block that runs across its first or last line would be cut in two there, and what it
    held shown as markup (or the block's end kept inside it, and the rest of the article taken
    into the passage). Such a line may not stand inside any of them."""
    if not blocks:
        return []
    lines = body.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    found = []
    for spans in (code_mask(body), tuple(raw)):
        for block in blocks:
            for index in (block.start, block.end):
                if index is not None and _overlaps(spans, starts[index], len(lines[index])):
                    found.append(
                        Problem(
                            index + 1,
                            "this line of an audience block stands inside code, a comment or "
                            "raw HTML",
                            "close the code, comment or HTML element before the line, or open "
                            "it after",
                        )
                    )
    return found


def _overlaps(spans: Sequence[tuple[int, int]], low: int, length: int) -> bool:
    """Whether any of the sorted, disjoint `spans` overlaps the line at `low`."""
    at = bisect.bisect_right(spans, (low + length, low + length)) - 1
    return at >= 0 and spans[at][1] > low and spans[at][0] <= low + length


def convert(body: str) -> str:
    """The body with each audience block's first and last lines as marker lines (blank lines
    around them, so each stands alone whatever came before), and no marker character of the
    author's."""
    body = unmarked(body)
    lines = body.split("\n")
    out: list[str] = []
    position = 0
    for item in _scan(body):
        if isinstance(item, Problem):
            continue
        out += lines[position : item.start]
        end = len(lines) if item.end is None else item.end
        out += ["", MARK + item.who, "", *lines[item.start + 1 : end], "", MARK, ""]
        position = end + 1
    out += lines[position:]
    return "\n".join(out)


def unmarked(text: str) -> str:
    """`text` with no marker character: only staging writes marker lines."""
    return text.replace(MARK, _SUBSTITUTE)


def container_tag(line: str) -> str:
    """The HTML a marker line stands for: the container's start, with its label, or its end."""
    who = line.removeprefix(MARK).strip()
    if not who:
        return "</div>"
    reader = audience(who)
    return (
        f'<div class="audience-block" data-audience="{html.escape(reader.id)}">\n'
        f'<p class="audience-block__label">{html.escape(reader.label)}</p>'
    )
