"""What raw markup an article may contain.

Board members may use a little inline HTML that Markdown lacks (superscripts, abbreviations,
keyboard keys, collapsible details, tables). Anything that could run code, load another page
or restyle the page (and so hide the disclaimer or fake the review status) is an error on its
line. Rendering sanitizes the HTML again (`sanitize.py`): this check is where authors learn why.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser

from pipeline import codes
from pipeline.citations.scan import code_mask
from pipeline.diagnostics import Diagnostic
from pipeline.model import Article

AUTHOR_TAGS = frozenset(
    {"sup", "sub", "abbr", "br", "kbd", "details", "summary"}
    | {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col"}
)
AUTHOR_ATTRIBUTES = frozenset({"title", "colspan", "rowspan", "align", "scope", "open", "lang"})
DANGEROUS_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "form", "frame"})
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster"})
RESERVED_IDS = ("medical-disclaimer", "review-status")
MAX_NESTING = 16
RUNS_CODE = "it would run code in the reader's browser"
NOT_LISTED = "allowed attributes are " + ", ".join(sorted(AUTHOR_ATTRIBUTES))

_RESERVED = re.compile(
    r"""(?:\bid\s*=\s*["']?|\{[^}\n]*#)(medical-disclaimer|review-status)\b""", re.IGNORECASE
)
_ATTR_LIST_HANDLER = re.compile(r"\{:?[^}\n]*?\b(on[a-z]+)\s*=", re.IGNORECASE)
_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)|^\s*\[[^\]]+\]:\s*<?(\S+)|<([a-z]+:[^>\s]*)>", re.M)
_LIST_ITEM = re.compile(r"^((?:[ ]{4}|\t|[ ]{0,3}>[ ]?)*)[ ]{0,3}(?:[-*+]|\d+[.)])\s")


def _masked_body(article: Article) -> str:
    """The body with code blanked out (newlines kept), so positions stay true."""
    body = list(article.body)
    for start, end in code_mask(article.body):
        for index in range(start, end):
            if body[index] != "\n":
                body[index] = " "
    return "".join(body)


def _scheme(url: str) -> str | None:
    compact = re.sub(r"[\s\x00-\x1f]", "", html.unescape(url)).lower()
    return next((s for s in DANGEROUS_SCHEMES if compact.startswith(s)), None)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, int, str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, column = self.getpos()
        self.found.append((line, column, tag, attrs))


def check_markup(article: Article) -> Iterator[Diagnostic]:
    text = _masked_body(article)

    def at(offset: int) -> tuple[int, int]:
        line_start = text.rfind("\n", 0, offset) + 1
        return article.body_line + text.count("\n", 0, offset), offset - line_start + 1

    for match in _RESERVED.finditer(text):
        line, column = at(match.start())
        yield codes.RESERVED_ID.at(article.path, line, column, id=match.group(1))
    for match in _ATTR_LIST_HANDLER.finditer(text):
        line, column = at(match.start(1))
        yield codes.HTML_ATTRIBUTE.at(
            article.path, line, column, name=match.group(1), where="", why=RUNS_CODE
        )
    for match in _MD_LINK.finditer(text):
        url = next(group for group in match.groups() if group is not None)
        scheme = _scheme(url)
        if scheme:
            line, column = at(match.start())
            yield codes.HTML_URL.at(article.path, line, column, scheme=scheme)
    parser = _Tags()
    parser.feed(text)
    parser.close()
    for line_in_body, column, tag, attrs in parser.found:
        line = article.body_line + line_in_body - 1
        yield from _check_tag(article.path, line, column + 1, tag, attrs)
    yield from _check_nesting(article, text)


def _check_tag(
    path: str, line: int, column: int, tag: str, attrs: list[tuple[str, str | None]]
) -> Iterator[Diagnostic]:
    if tag not in AUTHOR_TAGS:
        why = (
            "it could run code or change the page"
            if tag in DANGEROUS_TAGS
            else "it is not on the list of HTML allowed in articles"
        )
        yield codes.HTML_ELEMENT.at(path, line, column, tag=tag, why=why)
        return
    for name, value in attrs:
        if name in URL_ATTRIBUTES and value and _scheme(value):
            yield codes.HTML_URL.at(path, line, column, scheme=_scheme(value))
        elif name.startswith("on"):
            yield codes.HTML_ATTRIBUTE.at(
                path, line, column, name=name, where=f" on <{tag}>", why=RUNS_CODE
            )
        elif name not in AUTHOR_ATTRIBUTES:
            yield codes.HTML_ATTRIBUTE.at(
                path, line, column, name=name, where=f" on <{tag}>", why=NOT_LISTED
            )


def _check_nesting(article: Article, text: str) -> Iterator[Diagnostic]:
    """Lists nested hundreds deep make the Markdown renderer recurse until it fails."""
    for number, line in enumerate(text.split("\n")):
        found = _LIST_ITEM.match(line)
        depth = len(re.findall(r"[ ]{4}|\t|>", found.group(1))) if found else line.count(">")
        if depth > MAX_NESTING:
            yield codes.TOO_DEEP.at(
                article.path, article.body_line + number, 1, depth=depth, limit=MAX_NESTING
            )
            return
