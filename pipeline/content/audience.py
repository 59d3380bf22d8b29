"""Audience blocks: passages an author writes for one kind of reader.

Authors mark them with the block syntax board members know from PyMdown's blocks:

    /// audience | patient
    Most back spasms settle within a few weeks, whatever you do.
    ///

Staging turns each block into a plain HTML container whose content stays Markdown
(`<div class="audience-block" data-audience="patient" markdown="1">`, blank lines around the
content, so Python-Markdown's md_in_html and CommonMark renderers both render what is inside).
The container starts with a visible label ("For patients and caregivers"), so without our script
every passage shows and says whom it is for; the page script hides the passages written for
other readers once a reader has answered "Which best describes you?". Fenced code is left alone,
so the syntax itself can be shown in an article.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.citations.scan import code_mask

# The audience is read whole and stripped in code: a lazy group before trailing blanks would try
# every length of a long line (minutes on a hostile one).
_OPEN = re.compile(r"^///[ \t]*audience[ \t]*(?:\|(?P<who>[^\n]*))?$", re.I)
_OTHER_OPEN = re.compile(r"^///[ \t]*[A-Za-z]")
_CLOSE = re.compile(r"^///[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})")
_ID = re.compile(r"^[a-z][a-z0-9-]*$")


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


def _scan(lines: list[str]) -> Iterator[_Block | Problem]:
    fence = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if fence:
            found = _FENCE.match(line)
            if found and found["fence"][0] == fence[0] and len(found["fence"]) >= len(fence):
                fence = ""
            index += 1
            continue
        found = _FENCE.match(line)
        if found:
            fence = found["fence"]
            index += 1
            continue
        opened = _OPEN.match(line)
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
        end = _closing(lines, index + 1)
        if end is None:
            yield Problem(
                index + 1,
                f"the audience block for '{who}' is never closed",
                "end the passage with a line that holds only '///'",
            )
        yield _Block(index, end, who)
        index = len(lines) if end is None else end + 1


def _closing(lines: list[str], start: int) -> int | None:
    """The line that closes a block opened just before `start`: nested blocks and fenced code
    inside are skipped over, so their '///' lines do not end it early."""
    depth, fence = 0, ""
    for index in range(start, len(lines)):
        line = lines[index]
        found = _FENCE.match(line)
        if fence:
            if found and found["fence"][0] == fence[0] and len(found["fence"]) >= len(fence):
                fence = ""
        elif found:
            fence = found["fence"]
        elif _CLOSE.match(line):
            if depth == 0:
                return index
            depth -= 1
        elif _OTHER_OPEN.match(line):
            depth += 1
    return None


def used(body: str) -> tuple[str, ...]:
    """The audiences the body has blocks for, in order of first use."""
    found: list[str] = []
    for item in _scan(body.split("\n")):
        if isinstance(item, _Block) and item.who not in found:
            found.append(item.who)
    return tuple(found)


def passages(body: str, who: str) -> list[tuple[int, str]]:
    """The text of each block written for `who`, with the body line it starts on (1-based)."""
    lines = body.split("\n")
    found = []
    for item in _scan(lines):
        if isinstance(item, _Block) and item.who == who:
            end = len(lines) if item.end is None else item.end
            found.append((item.start + 2, "\n".join(lines[item.start + 1 : end])))
    return found


def problems(body: str, declared: tuple[str, ...]) -> list[Problem]:
    """Malformed or unclosed blocks, blocks for an audience the front matter does not list
    (the page offers only the listed ones as answers to "Which best describes you?"), and
    markup between backticks inside a block (see `_markup_in_code`)."""
    listed = {a.strip().lower() for a in declared}
    lines = body.split("\n")
    found: list[Problem] = []
    blocks: list[_Block] = []
    for item in _scan(lines):
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
    return found + _markup_in_code(body, lines, blocks)


_MAX_REPORTED = 20  # a passage full of one mistake reports its first few


def _markup_in_code(body: str, lines: list[str], blocks: list[_Block]) -> list[Problem]:
    """A block is rendered as an HTML container whose content Python-Markdown reads for tags
    before it finds code spans, so `</div>` between backticks there closes the container and
    what follows becomes live markup the check never saw. Inside a block, code may not hold
    "<" (fenced code would stay code, but a line that looks like a fence and is not one makes
    the two readings part)."""
    if not blocks or "`" not in body:
        return []
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    # From the opening line to the closing one: staging puts the container's tags there.
    inside = [(starts[b.start], starts[len(lines) if b.end is None else b.end + 1]) for b in blocks]
    found: list[Problem] = []
    for start, end in code_mask(body):
        if len(found) == _MAX_REPORTED:
            break
        code = body[start:end]
        if code.startswith("<!--") or "<" not in code:
            continue
        if any(start < high and low < end for low, high in inside):  # overlaps the passage
            found.append(
                Problem(
                    bisect.bisect_right(starts, start),
                    "code that shows markup inside an audience passage is read as HTML there",
                    "move the example out of the passage, or write it without '<'",
                )
            )
    return found


def convert(body: str) -> str:
    """The body with every audience block as an HTML container around its Markdown."""
    lines = body.split("\n")
    out: list[str] = []
    position = 0
    for item in _scan(lines):
        if isinstance(item, Problem):
            continue
        out += lines[position : item.start]
        end = len(lines) if item.end is None else item.end
        out += [
            *_open_container(audience(item.who)),
            *lines[item.start + 1 : end],
            "",
            "</div>",
            "",
        ]
        position = end + 1
    out += lines[position:]
    return "\n".join(out)


def _open_container(who: Audience) -> list[str]:
    return [
        "",
        f'<div class="audience-block" data-audience="{html.escape(who.id)}" markdown="1">',
        "",
        f'<p class="audience-block__label">{html.escape(who.label)}</p>',
        "",
    ]
