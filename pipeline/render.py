"""Citations as numbered superscripts (AMA), and the References list they link to.

Within one bracket numbers are sorted and runs of three or more collapse (`1-3,5`); a locator
shows as `3(p12)`. Each number links to its entry (the page's script shows that entry as a
tooltip on hover and keyboard focus); each entry links back to every place it is cited (a, b,
c...). The entries are formatted by the project's style.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict

from pipeline.citations import Citation, numbering, scan
from pipeline.model import Article, Library
from pipeline.styles import Style, built_in


def _format_all(keys: list[str], library: Library, style: Style) -> list[str]:
    known = [library.entries[key] for key in keys if key in library.entries]
    formatted = iter(style.format_all(known))
    # An unknown key only reaches here in a preview: a normal build stops on CIT001.
    return [
        next(formatted)
        if key in library.entries
        else f"Unknown source &lsquo;{html.escape(key)}&rsquo; (not in the library)."
        for key in keys
    ]


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


# Exactly what _citation_html writes, so an adapter can find the superscripts in staged Markdown.
CITATION = re.compile(r'<sup class="citation" id="cite-\d+">.*?</sup>')


def _citation_html(index: int, citation: Citation, numbers: dict[str, int]) -> str:
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


def resolve_citations(
    article: Article, library: Library, style: Style | None = None
) -> tuple[str, str]:
    """The body with citations as superscript links (`CITATION` finds them again), and the
    reference list as one HTML element (empty when nothing is cited)."""
    citations, _ = scan(article)
    numbers = numbering(citations)
    keys = list(numbers)  # in order of first appearance, so keys[n - 1] has number n
    formatted = dict(
        zip(
            range(1, len(keys) + 1),
            _format_all(keys, library, style or built_in("ama")),
            strict=True,
        )
    )
    backlinks: dict[int, list[int]] = defaultdict(list)
    body = article.body
    for index in range(len(citations), 0, -1):
        citation = citations[index - 1]
        for item in citation.items:
            if index not in backlinks[numbers[item.key]]:
                backlinks[numbers[item.key]].insert(0, index)
        html_ = _citation_html(index, citation, numbers)
        body = body[: citation.start] + html_ + body[citation.end :]
    if not numbers:
        return body, ""
    items = []
    for number in sorted(formatted):
        back = backlinks[number]
        marks = " ".join(
            f'<a href="#cite-{cite}" class="citation-backref" '
            f'aria-label="Back to citation {number}{_letter(i) if len(back) > 1 else ""}">'
            f"{_letter(i) if len(back) > 1 else '&#8617;'}</a>"
            for i, cite in enumerate(back)
        )
        items.append(f'<li id="ref-{number}">{formatted[number]} {marks}</li>')
    # Kept out of search: a journal name would otherwise make every page citing it a hit.
    listing = '<ol class="references" data-search-exclude="true">\n' + "\n".join(items) + "\n</ol>"
    return body, listing


def _letter(index: int) -> str:
    return chr(ord("a") + index) if index < 26 else str(index + 1)
