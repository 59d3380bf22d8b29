"""Citations as AMA superscripts, and the References list they link to.

Within one bracket numbers are sorted and runs of three or more collapse (`1-3,5`); a locator
shows as `3(p12)`. Each number links to its entry, with the full reference as its tooltip; each
entry links back to every place it is cited (a, b, c...).
"""

from __future__ import annotations

import html
from collections import defaultdict

from pipeline.citations import Citation, numbering, scan
from pipeline.model import Article, Library
from pipeline.references import format_reference, plain_text


def _format(key: str, library: Library) -> str:
    entry = library.entries.get(key)
    if entry is None:  # only reachable in a preview: a normal build stops on CIT001
        return f"Unknown source &lsquo;{html.escape(key)}&rsquo; (not in the library)."
    return format_reference(entry)


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


def _citation_html(
    index: int, citation: Citation, numbers: dict[str, int], tips: dict[int, str]
) -> str:
    cited = [(numbers[item.key], item.locator) for item in citation.items]
    links = []
    for first, last, loc in _group_label(cited):
        one = f'<a href="#ref-{first}" title="{html.escape(tips[first])}">{first}</a>'
        if last != first:
            one += f'-<a href="#ref-{last}" title="{html.escape(tips[last])}">{last}</a>'
        links.append(one + (f"({html.escape(loc)})" if loc else ""))
    return f'<sup class="citation" id="cite-{index}">{",".join(links)}</sup>'


def resolve_citations(article: Article, library: Library) -> tuple[str, str]:
    """The body with citations as superscript links, and the References section."""
    citations, _ = scan(article)
    numbers = numbering(citations)
    formatted = {numbers[key]: _format(key, library) for key in numbers}
    tips = {n: plain_text(text) for n, text in formatted.items()}
    backlinks: dict[int, list[int]] = defaultdict(list)
    body = article.body
    for index in range(len(citations), 0, -1):
        citation = citations[index - 1]
        for item in citation.items:
            if index not in backlinks[numbers[item.key]]:
                backlinks[numbers[item.key]].insert(0, index)
        html_ = _citation_html(index, citation, numbers, tips)
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
    section = '## References\n\n<ol class="references">\n' + "\n".join(items) + "\n</ol>"
    return body, section


def _letter(index: int) -> str:
    return chr(ord("a") + index) if index < 26 else str(index + 1)
