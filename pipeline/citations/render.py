"""Citations as numbered superscripts (AMA), and the References list they link to.

Numbers follow the order in which sources first appear. Within one bracket numbers are sorted
and runs of three or more collapse (`1-3,5`); a locator shows as `3(p12)`. Each number links to
its entry (the page's script shows that entry as a tooltip on hover and keyboard focus); each
entry links back to every place it is cited (a, b, c...). Both sides are made from the same scan
of the same page text (`citations.scan_text`): the superscripts by the Markdown extension
(`markdown_extension.py`) as the engine renders the page, the list by staging, so their numbers
agree by construction. The entries are formatted by the project's style.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Sequence

from pipeline.citations.resolve import entry_key, resolve
from pipeline.citations.scan import Citation, numbering, scan_text, written_key
from pipeline.citations.styles import Style, built_in
from pipeline.model import Library


def _format_all(keys: list[str], library: Library, style: Style) -> list[str]:
    entries = [resolve(library, key) for key in keys]
    formatted = iter(style.format_all([entry for entry in entries if entry is not None]))
    # An unknown key only reaches here in a preview: a normal build stops on CIT001.
    return [
        next(formatted)
        if entry is not None
        else f"Unknown source &lsquo;{html.escape(key)}&rsquo; (not in the library)."
        for key, entry in zip(keys, entries, strict=True)
    ]


def keyed_text(text: str, library: Library) -> str:
    """`text` with each citation by identifier rewritten to its entry's key
    (`[@doi:10.7326/M16-2367]` -> `[@qaseem2017]`), so that the numbers, which the Markdown
    extension makes from the page text alone, give a source one number however it is cited."""
    parts, end = [], 0
    for citation in scan_text(text):
        for item in citation.items:
            key = entry_key(library, item.key)
            # A key that cannot be written back as one (BIB018) leaves the citation as it is.
            if key != item.key and re.fullmatch(r"[^\s\x00-\x1f\x7f-\x9f{}]+", key):
                start, stop = item.span
                parts += [text[end:start], written_key(key)]
                end = stop
    return "".join(parts) + text[end:] if parts else text


def _group_label(numbers: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """Sorted numbers as (first, last, locator) runs; runs of three or more collapse (1-3)."""
    plain = sorted({n for n, loc in numbers if not loc})
    located = sorted({(n, loc) for n, loc in numbers if loc})
    runs: list[tuple[int, int, str]] = []
    for number in plain:
        if runs and not runs[-1][2] and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number, "")
        else:
            runs.append((number, number, ""))
    expanded: list[tuple[int, int, str]] = []
    for first, last, loc in runs:
        if last - first == 1:  # two in a row stay "1,2"
            expanded += [(first, first, loc), (last, last, loc)]
        else:
            expanded.append((first, last, loc))
    expanded += [(n, n, loc) for n, loc in located]
    return sorted(expanded, key=lambda run: (run[0], run[2]))


def citation_html(index: int, citation: Citation, numbers: dict[str, int]) -> str:
    """The superscript for the `index`-th bracket of a page (1-based)."""
    cited = [(numbers[item.key], item.locator) for item in citation.items]
    links = []
    for first, last, loc in _group_label(cited):
        one = _link(first)
        if last != first:
            one += "-" + _link(last)
        links.append(one + (f"({html.escape(loc)})" if loc else ""))
    return f'<sup class="citation" id="cite-{index}">{",".join(links)}</sup>'


def _link(number: int) -> str:
    return f'<a href="#ref-{number}" aria-label="Reference {number}">{number}</a>'


def reference_list(
    citations: Sequence[Citation], library: Library, style: Style | None = None
) -> str:
    """The References list of a page whose brackets are `citations` (in page order), as one
    HTML element; empty when nothing is cited."""
    numbers = numbering(citations)
    if not numbers:
        return ""
    keys = list(numbers)  # in order of first appearance, so keys[n - 1] has number n
    formatted = _format_all(keys, library, style or built_in("ama"))
    backlinks: dict[int, list[int]] = defaultdict(list)
    for index, citation in enumerate(citations, start=1):
        for item in citation.items:
            number = numbers[item.key]
            if index not in backlinks[number]:
                backlinks[number].append(index)
    items = []
    for number, entry in enumerate(formatted, start=1):
        back = backlinks[number]
        marks = " ".join(
            f'<a href="#cite-{cite}" class="citation-backref" '
            f'aria-label="Back to citation {number}{_letter(i) if len(back) > 1 else ""}">'
            f"{_letter(i) if len(back) > 1 else '&#8617;'}</a>"
            for i, cite in enumerate(back)
        )
        items.append(f'<li id="ref-{number}">{entry} {marks}</li>')
    return '<ol class="references">\n' + "\n".join(items) + "\n</ol>"


def _letter(index: int) -> str:
    return chr(ord("a") + index) if index < 26 else str(index + 1)
