"""The second line of defence: rendered article HTML is cleaned with nh3 (the Python binding of
the Ammonia sanitizer) before it is written.

`markup.py` already refuses dangerous HTML in the source with a message for the author; this
catches whatever gets through another way (a Markdown extension, a renderer quirk). The
allow-list is what Markdown and our staging produce, nothing more.
"""

from __future__ import annotations

import nh3

TAGS = frozenset(
    {"a", "abbr", "aside", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd"}
    | {"del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4"}
    | {"h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s"}
    | {"section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td"}
    | {"tfoot", "th", "thead", "time", "tr", "u", "ul", "label", "fieldset", "legend"}
)
COMMON = frozenset({"class", "id", "title", "lang", "dir", "role", "tabindex", "hidden"})
ATTRIBUTES = {
    "*": COMMON,
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "td": frozenset({"colspan", "rowspan", "align", "scope"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope"}),
    "col": frozenset({"span"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "details": frozenset({"open"}),
    "time": frozenset({"datetime"}),
    "abbr": frozenset({"title"}),
    "label": frozenset({"for"}),
}


# Built once: nh3.clean would convert the allow-list for every call, and the Markdown extension
# runs for every heading of every page too (the toc extension runs the postprocessors on each).
_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    generic_attribute_prefixes={"data-", "aria-"},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
    strip_comments=True,
)


def clean(html: str) -> str:
    """`html` with anything outside the allow-list removed; scripts and styles with content."""
    return str(_CLEANER.clean(html))
