"""What an article page must hold, read back from the built site as a browser reads it: one
visible disclaimer and one review status where the article template puts them, audience
passages holding only their own text, and only the files its approvals sign.
"""

from __future__ import annotations

import html
import html.entities
import itertools
import posixpath
import urllib.parse
from collections import Counter
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.checks.markup import render
from pipeline.content import audience
from pipeline.content.addresses import (
    as_parsed,
    is_site_file,
    leaves_site,
    site_path,
    srcset_addresses,
)
from pipeline.identifiers import browser_host
from pipeline.model import Article
from pipeline.site.output_text import html_tree, without_tags
from pipeline.words import normalize

# Where the disclaimer and the review status stand on an article page: the chain of elements
# the theme (either engine's, the same) and the article template write around them, each with
# exactly these classes and no attribute but the theme's own. Any other wrapper or attribute on
# the way (a <details>, a <dialog>, a popover, `hidden`, a style, a class that hides, the
# article's own text) fails the page: an allow-list, as there are more ways to hide an element
# than to list.
DISCLAIMER_PATH = (
    ("html", "no-js"),
    ("body", ""),
    ("div", "md-container"),
    ("main", "md-main"),
    ("div", "md-main__inner md-grid"),
    ("div", "md-content"),
    ("article", "md-content__inner md-typeset"),
    ("div", "clinical-article"),
)
# The attributes the theme writes on each element of that chain, each where it writes it: the
# colour scheme only on <body> (a dark scheme on an inner element painted the disclaimer pale
# on a light page), a component's name only on the three components, each its own.
_THEME_ATTRIBUTES = {
    "html": frozenset({"class", "lang", "dir"}),
    "body": frozenset({"dir"} | {f"data-md-color-{x}" for x in ("scheme", "primary", "accent")}),
}
_THEME_COMPONENTS = {"md-container": "container", "md-main": "main", "md-content": "content"}
# What the disclaimer itself may hold (references/disclaimer.md rendered): text, links and
# emphasis, with no attribute that could hide a part of it.
_DISCLAIMER_TAGS = frozenset(
    {"h2", "h3", "p", "a", "strong", "em", "b", "i", "br", "abbr", "ul", "ol", "li", "sup", "sub"}
)
_DISCLAIMER_ATTRIBUTES = frozenset({"id", "href", "title"})
_STATUS_ATTRIBUTES = frozenset({"id", "class", "data-status", "aria-labelledby"})


def _placement_problems(element: LexborNode) -> list[str]:
    """Why a part the article template writes (the disclaimer, the review status) could be
    hidden from a reader by what stands around it, if it could."""
    name = _value(element, "id")
    holders = list(_ancestors(element))
    chain = [(a.tag, " ".join((_value(a, "class") or "").split())) for a in holders]
    if chain[::-1] != list(DISCLAIMER_PATH):
        where = " > ".join(f"{tag}.{cls}".rstrip(".").replace(" ", ".") for tag, cls in chain[::-1])
        return [f"#{name} is not where the article template puts it (inside {where})"]
    for holder, (tag, classes) in zip(holders, reversed(DISCLAIMER_PATH), strict=True):
        component = _THEME_COMPONENTS.get(classes)
        allowed = _THEME_ATTRIBUTES.get(tag, frozenset({"class"}))
        allowed |= {"data-md-component"} if component else set()
        if extra := sorted(set(holder.attributes) - allowed):
            return [f"#{name} is inside a <{holder.tag}> with {', '.join(extra)}"]
        # The theme's script acts on a component's name (a "dialog" or "consent" is hidden).
        if component and _value(holder, "data-md-component", component) != component:
            return [f"#{name} is inside a <{holder.tag}> of another component"]
    if name == "review-status":
        if element.tag != "section" or set(element.attributes) - _STATUS_ATTRIBUTES:
            return ["#review-status is not the <section> the article template writes"]
        return []
    if (
        element.tag != "aside"
        or _value(element, "class") != "medical-disclaimer"
        or set(element.attributes) - {"id", "class", "aria-labelledby"}
    ):
        return ["#medical-disclaimer is not the <aside> the article template writes"]
    for part in itertools.islice(_elements(element), 1, None):  # the first is the element
        if part.tag not in _DISCLAIMER_TAGS or set(part.attributes) - _DISCLAIMER_ATTRIBUTES:
            return [f"part of #medical-disclaimer is a <{part.tag}> that could hide it"]
    return []


def _ancestors(node: LexborNode) -> Iterator[LexborNode]:
    """The elements around a node, nearest first, up to <html>."""
    parent = node.parent
    while parent is not None and parent.tag not in (None, "-document"):
        yield parent
        parent = parent.parent


def _elements(node: LexborNode) -> Iterator[LexborNode]:
    """A node and every element inside it, in document order (not comments, and not the
    content of a <template>, which a browser never shows)."""
    for part in node.traverse(include_text=False):
        if part.tag and part.tag[0] not in "-_#":
            yield part


def _value(node: LexborNode, name: str, default: str | None = None) -> str | None:
    """An attribute's value as a browser reads it: "" for one written without a value."""
    return _given(node.attributes, name, default)


def _given(attributes: dict[str, str | None], name: str, default: str | None = None) -> str | None:
    """`_value` read from a node's attributes, which selectolax makes anew at each asking."""
    if name not in attributes:
        return default
    return attributes[name] or ""


def passage_words(article: Article) -> Counter[str]:
    """The words an article's audience passages may show readers: those of their labels, and
    of their text as Python-Markdown renders it, read as a reader reads a page (attribute
    values are not text; entities decoded; `C<sub>max</sub>` one word) (`page_problems`)."""
    allowed: Counter[str] = Counter()
    for who, _, text in audience.all_passages(article.body):
        label = audience.audience(who).label
        # Rendered on their own, citations aside: their numbers are not counted.
        allowed.update(normalize(label).split() + _shown_words(render(text)))
    return allowed


def _shown_words(markup: str) -> list[str]:
    """The words of HTML as a reader sees them: text only, inline tags joining what they
    separate, entities decoded."""
    return normalize(html.unescape(without_tags(markup))).split()


def _passage_problems(containers: list[LexborNode], allowed: Counter[str]) -> list[str]:
    """A reader who answers "Which best describes you?" no longer sees the passages written for
    other readers: a passage's container must hold nothing but what the article wrote in its
    passages (a comment or a fence that swallowed a passage's end took the rest of the article
    into it). Its words are counted against the passages' own; numbers (citations, locators)
    are the renderer's."""
    shown: Counter[str] = Counter()
    for container in containers:
        shown.update(_shown_words(container.html or ""))
    extra = [
        word
        for word, count in shown.items()
        if count > allowed[word] and not any(c.isdigit() for c in word)
    ]
    if not extra:
        return []
    return [f"has audience passages holding text the article does not write in one ({extra[:5]})"]


def page_problems(
    html_text: str,
    canonical: str,
    expected_status: str,
    passages: Counter[str] | None = None,
    shown: tuple[str, frozenset[str]] | None = None,
) -> list[str]:
    """What an article page lacks: exactly one disclaimer element holding the canonical text,
    visible, and outside anything the article's own markup controls; exactly one review-status
    element with the expected status; audience passages holding only what they were written to
    hold (`passages`: their words, from `passage_words`); in its text, only the files of the
    site its approvals sign (`shown`: the page's site path and those files). `html_text` is
    the page decoded with errors="replace", as the audit reads it (a lone surrogate, which no
    such decoding gives, made the parser raise)."""
    # Read by an HTML5 parser, as a browser reads it: libxml2's honoured "<span hidden/>" as an
    # empty element, where a browser leaves it open around the disclaimer.
    marks = _Landmarks(html_tree(html_text))
    problems = [] if passages is None else _passage_problems(marks.passages, passages)
    problems += [] if shown is None else _unsigned_files(marks, *shown)
    disclaimers = marks.ids.get("medical-disclaimer", [])
    if len(disclaimers) != 1:
        problems.append(f"has {len(disclaimers)} #medical-disclaimer elements, not one")
    else:
        element = disclaimers[0]
        if canonical not in normalize(element.text(deep=True)):
            problems.append("#medical-disclaimer does not hold the canonical text")
        problems += _placement_problems(element)
    statuses = marks.ids.get("review-status", [])
    if len(statuses) != 1:
        problems.append(f"has {len(statuses)} #review-status elements, not one")
    elif _value(statuses[0], "data-status") != expected_status:
        problems.append(f'#review-status is not data-status="{expected_status}"')
    else:
        problems += _placement_problems(statuses[0])
    # An id twice is a part of the page taken by something else: a heading "Ref 1" would be
    # the entry that citation 1 links to.
    problems += [
        f'has {len(elements)} elements with the id "{name}", not one'
        for name, elements in sorted(marks.ids.items())
        if len(elements) > 1 and name not in ("medical-disclaimer", "review-status")  # said above
    ]
    return problems


class _Landmarks:
    """The elements of an article page the audit looks at, found in one walk of its tree: every
    element by its id; the article's text and References list (by their exact class); the
    audience passages' containers (by one class of theirs, however many others they have:
    browsers split classes at blanks); and the address of the canonical link."""

    def __init__(self, tree: LexborHTMLParser) -> None:
        self.ids: dict[str, list[LexborNode]] = {}
        self.bodies: list[LexborNode] = []
        self.references: list[LexborNode] = []
        self.passages: list[LexborNode] = []
        self.canonical: str | None = None
        for element in _elements(tree.root) if tree.root is not None else ():
            given = element.attributes
            name, classes = _given(given, "id"), _given(given, "class")
            if name is not None:
                self.ids.setdefault(name, []).append(element)
            if classes == "article-body":
                self.bodies.append(element)
            elif classes == "article-references":
                self.references.append(element)
            if classes is not None and "audience-block" in classes.split():
                self.passages.append(element)
            if (
                self.canonical is None
                and element.tag == "link"
                and _given(given, "rel") == "canonical"
            ):
                self.canonical = _given(given, "href")  # None for one without an address


# Where an element of an article's text names a file: what it loads, and where a link goes.
_NAMED = ("src", "srcset", "poster", "data", "href", "xlink:href")


def _addresses(node: LexborNode) -> Iterator[tuple[str, str]]:
    """(attribute, value) of each attribute naming a file in a node and every element inside
    it."""
    for element in _elements(node):
        attributes = element.attributes
        for name in _NAMED:
            if name in attributes:
                yield name, attributes[name] or ""


def _unsigned_files(marks: _Landmarks, page: str, signed: frozenset[str]) -> list[str]:
    """The files of the site the article's text (`.article-body`) shows or links to that its
    approvals do not sign: whatever the Markdown reading of `shown_files` missed (a picture is
    every file an element loads; a link, one to a picture or a PDF), by its full address too;
    and a file of the site that the References list names by its full address."""
    if len(marks.bodies) != 1:
        return [f"has {len(marks.bodies)} .article-body elements, not one"]
    folder = posixpath.dirname(page)
    # The site's own host, port and folder ("owner.github.io", None, "/repo/"), from the
    # canonical address the engine gives an article page (under articles/).
    own = site_of(marks.canonical, "/articles/") if marks.canonical is not None else None
    unsigned: set[str] = set()
    by_address: set[str] = set()  # by the site's full address
    cited: set[str] = set()  # by a reference's address
    outside: set[str] = set()
    for name, value in _addresses(marks.bodies[0]):
        # A whole value is one address, blanks inside it too ("a.png /../b.png" loads b.png);
        # a srcset's candidates are its addresses up to their first blank.
        for address in srcset_addresses(value) if name == "srcset" else [value]:
            if address.startswith("#"):
                continue  # a part of this page (a citation's entry): names no file
            local = _on_own_site(address, own)
            if local is not None:  # this site's file, by its full address
                path, inside = site_path(local, ""), True
            else:
                path, inside = site_path(address, folder), not leaves_site(address, folder)
            if path and not inside:
                outside.add(address[:120])
            elif path and (name != "href" or is_site_file(path)) and path not in signed:
                (unsigned if local is None else by_address).add(path)
    # A reference's address (a library entry's url) names its source, never a file of this
    # site: approvals sign the entry's text, not the bytes of a file it would name.
    for section in marks.references if own else ():
        for _, value in _addresses(section):
            if value.startswith("#"):
                continue  # a citation's way back to the text
            local = _on_own_site(value, own)
            path = site_path(local, "") if local is not None else None
            if path and is_site_file(path):
                cited.add(path)
    return (
        [f"shows {path}, a file its approvals do not sign" for path in sorted(unsigned)]
        + [
            f"cites {path}, a file of this site, as a source: its bytes are signed by no "
            "approval (cite the source itself, or show the file from the article)"
            for path in sorted(cited)
        ]
        + [
            f"shows {path} by the site's full address, a file its approvals do not sign: "
            "write its path from the article"
            for path in sorted(by_address)
        ]
        + [f"names {address}, outside the site's folder" for address in sorted(outside)]
    )


def site_of(address: str, below: str = "") -> tuple[str, int | None, str] | None:
    """An address's host, port and path (up to `below`, when given), as a browser reads
    them: the host as `browser_host` reads it (escapes decoded, IDNA's mapping, lower case,
    no final dot), no port for the web's own (a server sends http to https), dot segments and
    escapes of the path resolved."""
    try:
        parts = urllib.parse.urlsplit(as_parsed(address))
        port = None if parts.port in (None, 80, 443) else parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("", "http", "https") or not parts.netloc:
        return None
    path = "/" + posixpath.normpath("/" + urllib.parse.unquote(parts.path)).strip("/")
    path += "/" if parts.path.endswith("/") and path != "/" else ""
    if below:
        cut = path.lower().rfind(below)
        if cut < 0:
            return None
        path = path[: cut + 1]
    return browser_host(parts.hostname or ""), port, path


def _on_own_site(address: str, own: tuple[str, int | None, str] | None) -> str | None:
    """The path of the site's file that `address` names by its full address, read as a
    browser reads it; None when it is not the site's own."""
    site = site_of(address) if own is not None else None
    # The folder in any case: GitHub Pages finds a project's site so.
    if site is None or own is None or site[:2] != own[:2]:
        return None
    if not site[2].lower().startswith(own[2].lower()):
        return None
    return site[2][len(own[2]) :] or "."


def article_page_paths(article: Article) -> tuple[str, str]:
    """Where an engine writes an article's page, with and without directory URLs."""
    return (f"articles/{article.slug}.html", f"articles/{article.slug}/index.html")
