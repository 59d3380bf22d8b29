"""Finished HTML in a staged page, lifted out before a Markdown renderer and put back after.

Staging writes the citations and the end of each article (the reference list and the
disclaimer) as finished HTML inside the Markdown, so any renderer shows them. Python-Markdown
passes such HTML through unchanged, but only after parsing it several times over (its raw-HTML
block parser, md_in_html's, MkDocs' anchor scan, then the search plugin's): at a thousand
articles that was close to a third of the build. A renderer adapter can lift the finished parts
out, render the rest, and put them back: the same page, for a fraction of the work.

- The tail (everything after `TAIL_MARK`) is kept whole and put back after the page's template
  is rendered, so the search index never parses it (all of it is excluded from search anyway).
- Each citation superscript becomes a short token of private-use characters, which Markdown
  leaves alone, and is put back into the rendered HTML. A page that already holds such
  characters is not lifted at all (`lift` returns None) and renders the ordinary way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.render import CITATION

# An HTML comment: invisible to a reader in any renderer that gets the staged page as it is.
TAIL_MARK = "<!-- pipeline: finished HTML follows -->"
# Tokens are U+E000, the citation's index in U+E010..U+E019 digits, U+E001.
_OPEN, _CLOSE, _ZERO = "\ue000", "\ue001", 0xE010
_TOKEN = re.compile("\ue000([\ue010-\ue019]+)\ue001")
_RESERVED = re.compile("[\ue000-\ue01f]")
_ID = re.compile(r'\bid="([^"]+)"')


@dataclass(frozen=True)
class Lifted:
    markdown: str  # what the renderer gets: the page with its finished parts taken out
    citations: tuple[str, ...]  # the superscripts, in order; token i stands for citations[i]
    has_tail: bool  # whether finished HTML follows TAIL_MARK (see `tail_of`)

    def restore_citations(self, html: str) -> str:
        """The rendered HTML with each token replaced by its superscript."""
        if not self.citations:
            return html
        return _TOKEN.sub(lambda m: self.citations[_number(m.group(1))], html)

    @staticmethod
    def without_tokens(text: str) -> str:
        """Plain text (a table-of-contents label) with the citation tokens dropped."""
        return _TOKEN.sub("", text)

    def anchor_ids(self) -> set[str]:
        """The ids the superscripts carry (cite-1, ...), which the renderer never saw."""
        return {i for c in self.citations for i in _ID.findall(c)}


def tail_of(page: str) -> str:
    """The finished HTML at the end of a staged page (after the last TAIL_MARK), or ""."""
    _, mark, tail = page.rpartition(TAIL_MARK)
    return tail.strip("\n") if mark else ""


def anchor_ids(html: str) -> set[str]:
    """The ids in a piece of finished HTML (ref-1, medical-disclaimer, ...)."""
    return set(_ID.findall(html))


def _token(index: int) -> str:
    return _OPEN + "".join(chr(_ZERO + int(d)) for d in str(index)) + _CLOSE


def _number(digits: str) -> int:
    return int("".join(str(ord(ch) - _ZERO) for ch in digits))


def lift(markdown: str) -> Lifted | None:
    """The page with its finished HTML lifted out; None when it cannot be done safely (the text
    already holds the private-use characters tokens are made of). The tail is not copied: the
    renderer takes it from the staged page when it writes the page (`tail_of`)."""
    if _RESERVED.search(markdown):
        return None
    head, mark, _ = markdown.rpartition(TAIL_MARK)
    if not mark:
        head = markdown
    citations: list[str] = []

    def token(match: re.Match[str]) -> str:
        citations.append(match.group(0))
        return _token(len(citations) - 1)

    return Lifted(CITATION.sub(token, head), tuple(citations), bool(mark))
