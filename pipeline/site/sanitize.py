"""The second line of defence: rendered article HTML is cleaned with nh3 (the Python binding of
the Ammonia sanitizer) before it is written.

`markup.py` already refuses dangerous HTML in the source with a message for the author; this
catches whatever gets through another way (a Markdown extension, a renderer quirk). The
allow-list is what Markdown and our staging produce, nothing more.
"""

from __future__ import annotations

import re

import nh3
import regex  # type: ignore[import-untyped]  # Unicode properties `re` lacks

from pipeline.checks.markup import ADMONITION_TYPES, reserved_id
from pipeline.site.output_text import INLINE_ELEMENTS

TAGS = frozenset(
    {"a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del"}
    | {"details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5"}
    | {"h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small"}
    | {"span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead"}
    | {"tr", "u", "ul"}
)
# No class, role, tabindex, hidden, data-* or aria-* from authors: with a theme's class an
# admonition or an attribute list pinned a box over the disclaimer, or passed for the pipeline's
# own parts. Classes and ids are allowed below, by element, as Markdown and staging write them.
ATTRIBUTES = {
    "*": frozenset({"id", "title", "lang"}),  # no dir: it could show words in another order
    "a": frozenset({"href", "aria-label"}),  # a citation's number says which reference it is
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "td": frozenset({"colspan", "rowspan", "align", "scope"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope"}),
    "col": frozenset({"span"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "details": frozenset({"open"}),
    "abbr": frozenset({"title"}),
    "div": frozenset({"data-audience"}),  # an audience block's audience
}
# The classes Python-Markdown's admonitions and the pipeline's citations and audience blocks
# write; any other is dropped.
CLASSES = {
    "div": frozenset({"admonition", *ADMONITION_TYPES, "audience-block"}),
    "p": frozenset({"admonition-title", "audience-block__label"}),
    "sup": frozenset({"citation"}),
}
# The ids an element may carry: a heading the id its words give it (none that the page uses
# for its own parts), a citation its own.
_IDS = {"sup": re.compile(r"cite-\d+")}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _cleaner(classes: dict[str, frozenset[str]], ids: dict[str, re.Pattern[str]]) -> nh3.Cleaner:
    """A sanitizer for the allow-list with these classes and ids. Built once: nh3.clean would
    convert the allow-list on every call, and the Markdown extension runs for every heading of
    every page too (the toc extension runs the postprocessors on each)."""

    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute != "id":
            return value
        if element in _HEADINGS:
            return None if reserved_id(value) else value
        allowed = ids.get(element)
        return value if allowed is not None and allowed.fullmatch(value) else None

    return nh3.Cleaner(
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in classes.items()},
        attribute_filter=keep,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


_RENDERED = _cleaner(CLASSES, _IDS)
# The References list staging writes around the entries it formats from the library.
_REFERENCE_LIST = _cleaner(
    {"ol": frozenset({"references"}), "a": frozenset({"citation-backref"})},
    {"li": re.compile(r"ref-\d+")},
)


# Blanks a line never breaks at (nh3 writes U+00A0 as `&nbsp;`): a run of them is as wide as
# its author likes, and 400 pushed the letters after them out of a table's view, where the
# leak audit read them between a withheld article's words. Three or more blanks other than a
# plain space (which code keeps) are one space, also with what is drawn as nothing between
# them (an em space and a word joiner do not break either) or inline tags (kept, so that every
# element still closes).
_BLANK = r"(?:&nbsp;|[[\p{Zs}--\x20]\u2800\u115f\u1160\u3164\uffa0])"
_DRAWN_AS_NOTHING = r"[\p{Default_Ignorable_Code_Point}\p{Cf}\p{M}]"
_INLINE_TAG = regex.compile(rf"</?(?:{INLINE_ELEMENTS})(?=[\t\n\f\r />])[^<>]*>")
_UNBROKEN_BLANKS = regex.compile(
    rf"(?V1){_BLANK}(?:(?:{_DRAWN_AS_NOTHING}|{_INLINE_TAG.pattern})*+{_BLANK}){{2,}}"
    rf"{_DRAWN_AS_NOTHING}*+"
)


def _one_space(run: regex.Match[str]) -> str:
    return " " + "".join(_INLINE_TAG.findall(run.group()))


def clean(html: str) -> str:
    """Rendered Markdown (an article, a site page, the disclaimer) with anything outside the
    allow-list removed (scripts and styles with their content), and no run of blanks wider
    than a few letters."""
    return str(_UNBROKEN_BLANKS.sub(_one_space, str(_RENDERED.clean(html))))


def clean_reference_list(html: str) -> str:
    """A page's References list, cleaned the same way, its own list, ids and links kept."""
    return str(_REFERENCE_LIST.clean(html))
