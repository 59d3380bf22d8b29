"""Reading the built site back and checking the publishing promises (DESIGN §6).

The audit trusts nothing upstream: it reads every output file (HTML, JSON, XML, JavaScript,
compressed sitemaps, images and PDFs as bytes) and looks for text of withheld articles, and it
checks that every article page carries the canonical disclaimer and an approved review status.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import html.entities
import itertools
import json
import posixpath
import re
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import ahocorasick
import lxml.etree
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline import codes
from pipeline.checks.markup import is_external, render
from pipeline.citations.formats import author_name
from pipeline.citations.scan import without_citations
from pipeline.content import audience
from pipeline.content.addresses import as_parsed, leaves_site, site_path
from pipeline.content.files import decode
from pipeline.content.pages import ASSET_TYPES, read_xml, site_file_digest
from pipeline.content.shown import is_site_file, shown_files
from pipeline.diagnostics import Diagnostic
from pipeline.identifiers import browser_host
from pipeline.model import READER_VISIBLE_FIELDS, Article
from pipeline.project import Project
from pipeline.site.csp import Theme, attributes, inline_scripts
from pipeline.site.engine_config import THEME_ASSETS
from pipeline.site.stage import PublishPlan
from pipeline.words import ASCII, MAX_MARKS, normalize, stacked_marks

PROBE_WORDS = 8
# Each stops at the next "<", quote, bracket or line: a withheld article full of them stays
# linear. A tag is what an HTML parser takes for one: "<" and a letter, "/" or "?" ("< 5" is
# text). What starts "<!" is read as text: a comment, CDATA, a document type and the entities
# it declares (an SVG's `<!ENTITY a "…">` is text a browser shows where `&a;` stands).
_TAG = re.compile(r"<(?=[A-Za-z/?])[^<>]*>")
# Inline elements (an SVG's <tspan> too): no space on screen where one starts or ends
# ("pur<sup></sup>ple" shows "purple"); any other tag (a paragraph, a line break, a cell, an
# image) separates words.
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span"
    r"|strong|sub|sup|time|tspan|u|var|wbr)(?=[\s/>])[^<>]*>",
    re.IGNORECASE,
)
# Quoted attribute values: a page's description, an image's alternative text, a title.
_VALUES = (re.compile(r'=\s*"([^"]*)'), re.compile(r"=\s*'([^']*)"))
MARKDOWN_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
# Possessive: a line of 180,000 spaces split every way between two runs took minutes.
_FRONT_KEY = re.compile(r"^[ \t]*+(?:-[ \t]*+)?[A-Za-z_]+:[ \t]*+", re.MULTILINE)


# Explicit bidirectional formatting (embeddings, overrides, isolates) can show words or letters
# in another order than they are stored: text stored backwards reads forwards on screen. An
# output file holding one (as a character, a character reference or a JSON escape) fails.
_BIDI_CODES = frozenset({*range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_BIDI = frozenset(map(chr, _BIDI_CODES))
_REFERENCE = re.compile(r"&#(?:x0*([0-9a-f]{1,8})|0*([0-9]{1,9}))", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9a-f]{4})", re.IGNORECASE)


def _bidi_formatting(text: str) -> bool:
    """Whether `text` holds explicit bidirectional formatting in any spelling. Read like
    normalize: the few non-ASCII characters first, then each reference or escape."""
    rare = text.encode("utf-8", "surrogatepass").translate(None, ASCII)
    if rare and not _BIDI.isdisjoint(rare.decode("utf-8", "surrogatepass")):
        return True
    for found in _REFERENCE.finditer(text):
        hexadecimal, decimal = found.groups()
        if int(hexadecimal or decimal, 16 if hexadecimal else 10) in _BIDI_CODES:
            return True
    return any(int(found.group(1), 16) in _BIDI_CODES for found in _ESCAPE.finditer(text))


def _probe_text(markdown: str) -> str:
    """An article's source as its probes read it: citations and link targets dropped, front
    matter keys dropped, raw HTML as readers see it (an <abbr> around every third word is no
    word of its own)."""
    text = without_citations(markdown)
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = _FRONT_KEY.sub("\n", text)
    return html.unescape(_without_tags(text))


def probe_words(markdown: str) -> str:
    """All the words of an article's source read as `probes` reads them, joined: a probe of
    another article found here is text this one says too (a link's target, which probes drop,
    is not between the words here either)."""
    return joined(normalize(_probe_text(markdown)))


def probes(markdown: str) -> set[str]:
    """Distinctive runs of words from an article's source: eight words from every fourth word
    (so a word slipped into one place hides no more than a few words of it) of each sentence
    and title-like line of five words or more; and, of eight words or more, of each sentence as
    its paragraph reads it (a line break inside a paragraph is a space on the page: an article
    wrapped at four words a line has no long line) and of each paragraph across its sentences
    (one written in sentences of four words has no long sentence)."""
    text = _probe_text(markdown)
    paragraphs = _SOFT_BREAK.sub(" ", text)
    found: set[str] = set()
    for pieces, least in (
        (re.split(r"[.!?\n]+", text), 5),
        (re.split(r"[.!?\n]+", paragraphs), PROBE_WORDS),
        (paragraphs.split("\n"), PROBE_WORDS),
    ):
        for piece in pieces:
            words = normalize(piece).split()
            if len(words) < least:
                continue
            last = max(0, len(words) - PROBE_WORDS)
            for start in {*range(0, last + 1, PROBE_WORDS // 2), last}:
                found.add(" ".join(words[start : start + PROBE_WORDS]))
    return found


# A line break inside a paragraph (not next to another, nor before a list item, a table row, a
# heading or a quote, each a block of its own): a space to a reader. List items stay apart: a
# draft listing two published titles in a row made a probe of the related-articles box.
_SOFT_BREAK = re.compile(r"(?<!\n)\n(?![ \t]*(?:\n|[-*+][ \t]|\d+[.)][ \t]|[|#>]))")


def _decompressed(path: Path, data: bytes) -> bytes:
    """The file's bytes, decompressed when it is gzip (sitemap.xml.gz)."""
    if path.suffix.lower() != ".gz":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError):
        return b""


def _is_json(path: Path) -> bool:
    """The search index and source maps: read one string literal at a time."""
    name = path.name.lower().removesuffix(".gz")
    return name.endswith((".json", ".map"))


def output_pieces(path: Path, data: bytes) -> Iterator[str]:
    """The text of an output file, in the pieces a sentence cannot span: a JSON file one string
    literal at a time (keys included), read from the bytes so that a large search index is
    never copied whole (a file that is not really JSON is also read whole); any other file
    whole."""
    data = _decompressed(path, data)
    if _is_json(path):
        json_only, end = True, 0
        for match in _JSON_STRING.finditer(data):
            if match.group(2) is None:
                break  # never closed: not JSON, so the file is read whole below
            # What lies between two literals is checked where it lies: a copy of the file
            # without its literals cost more memory than anything else in the audit.
            json_only = json_only and _JSON_BETWEEN.fullmatch(data, end, match.start()) is not None
            end = match.end()
            literal = match.group(1)
            text = literal.decode("utf-8", errors="replace")
            if b"\\" in literal:
                with contextlib.suppress(ValueError):  # not valid JSON: read it as it is written
                    text = json.loads(f'"{text}"')
            yield text
        if json_only and _JSON_BETWEEN.fullmatch(data, end) is not None:
            return
        # Not JSON after all (text outside the literals): a sentence may cross a quote, so the
        # file is read whole as well.
    text = data.decode("utf-8", errors="replace")
    yield text
    if path.suffix.lower() in DOCUMENTS and (parsed := _document_text(data)) is not None:
        yield parsed
    if path.suffix.lower() == ".css" and "\\" in text:
        # A stylesheet's `content: "\4d \6f …"` shows readers the letters its escapes stand for.
        yield _CSS_ESCAPE.sub(_css_character, text)


def _document_text(data: bytes) -> str | None:
    """An SVG's or XML file's text as an XML parser reads it, escaped for `output_words` to read
    back: comments dropped (a withheld sentence's words three by three, a comment between, in
    an SVG's <title>, were read with the comments' letters), a ">" inside a value part of the
    value. None for a file that is not well-formed XML."""
    try:
        tree = read_xml(data)
    except lxml.etree.XMLSyntaxError:
        return None
    parts = []
    for element in tree.iter():
        if isinstance(element.tag, str):  # not a comment's or an instruction's own text
            parts.append(element.text or "")
        parts.append(element.tail or "")
    return html.escape("".join(parts), quote=False)


_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.DOTALL)


def _css_character(found: re.Match[str]) -> str:
    code = found.group(1)
    if code is None:
        return found.group(2)
    number = int(code, 16)
    return chr(number) if 0 < number < 0x110000 and not 0xD800 <= number < 0xE000 else "\ufffd"


def output_text(path: Path) -> str:
    """The words a reader (or a search engine) could get out of an output file."""
    return " ".join(output_words(piece) for piece in output_pieces(path, path.read_bytes()))


def output_words(text: str) -> str:
    """The words of a piece of output as readers (and search engines) get them: its text with
    markup dropped as a browser shows it (an `<em>` inside a sentence does not break it, nor
    an empty `<sup></sup>` a word) and entities decoded, then its attribute values (a page's
    description, an image's alternative text), which are text however much they look like
    markup."""
    stripped = _without_tags(text)
    words = _readings(html.unescape(stripped), _ESCAPED_LT.search(stripped) is not None)
    if (shown := _shown_text(text)) is not None:
        words = f"{words} {normalize(shown)}"
    values = dict.fromkeys(value for pattern in _VALUES for value in pattern.findall(text))
    if not values:
        return words
    # ">" between two values ends anything in one that looks like the start of a tag.
    plain = "\n>\n".join(map(_attribute_text, values))
    return f"{words} {_readings(plain, '<' in plain)}"


# A character reference as html.unescape finds one.
_CHARACTER_REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_NAME_GOES_ON = frozenset("0123456789=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _attribute_text(value: str) -> str:
    """An attribute's value decoded as a browser decodes one: a named reference written
    without its ";" stays as written when a letter, a digit or "=" follows the name (readers
    see "&notice", where html.unescape, reading text, gives "¬ice")."""
    return _CHARACTER_REFERENCE.sub(_attribute_reference, value) if "&" in value else value


def _attribute_reference(found: re.Match[str]) -> str:
    written = found.group(1)
    if not written.startswith("#") and not written.endswith(";"):
        # The longest name that starts it, as html.unescape takes it.
        for end in range(len(written), 0, -1):
            if written[:end] in html.entities.html5:
                if end < len(written) and written[end] in _NAME_GOES_ON:
                    return found.group(0)
                break
    return html.unescape(found.group(0))


# Where a browser draws what comes later first: a <details>' summary, a table's caption,
# header rows and footer rows (wherever they are written).
_REORDERED = re.compile(r"<(?:details|caption|tfoot)[\t\n\f\r />]", re.I)
_HEADER_ROWS = re.compile(r"<thead[\t\n\f\r />]", re.I)
_HEADER_ROWS_FIRST = re.compile(r"<table(?:[\t\n\f\r ][^<>]*)?>\s*<thead[\t\n\f\r />]", re.I)
# What no browser shows of a page (its head is read in the other reading).
_NEVER_SHOWN = frozenset({"script", "style", "template", "noscript", "head"})


def _shown_text(text: str) -> str | None:
    """The text of a page as a browser shows it, in the order it draws it, read by an HTML5
    parser: pictures loaded (no alternative text), closed <details> closed (their summary
    only), a <details>' summary first, a table's caption, header rows and footer rows where
    they are drawn. None for a page with none of these (most pages). A reading beside the one
    of the text as written: a withheld article split every six words by a loaded picture with
    the alternative text "q", or by a closed <details> holding a "q", was read as other words,
    and one written in pieces last to first in a table's parts, or after the summary of an
    open <details>, was shown in order and read out of it."""
    pictures = (attributes(found.group(1)) for found in _IMAGE_ALT.finditer(text))
    reordered = _REORDERED.search(text) or len(_HEADER_ROWS.findall(text)) != len(
        _HEADER_ROWS_FIRST.findall(text)
    )
    if not reordered and not any(given.get("alt") for given in pictures):
        return None
    root = LexborHTMLParser(text).root
    found: list[str] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        tag = node.tag or ""
        if tag == "-text":
            found.append(node.text_content or "")
            continue
        if tag.startswith(("-", "_", "#")) or tag in _NEVER_SHOWN:
            continue  # a comment, or what no browser shows
        if "hidden" in node.attributes:
            continue
        stack.extend(reversed(_drawn(node)))
    return " ".join(found)


def _drawn(node: LexborNode) -> list[LexborNode]:
    """A node's children in the order a browser draws them (see `_shown_text`)."""
    children = list(node.iter(include_text=True))
    if node.tag == "details":
        summary = [child for child in children if child.tag == "summary"][:1]
        return summary + (_others(children, summary) if "open" in node.attributes else [])
    if node.tag == "table":
        # Every caption on top; the first header group, then the rows; the first footer group
        # last (any other header or footer group is rows, where it is written).
        captions = [child for child in children if child.tag == "caption"]
        header = [child for child in children if child.tag == "thead"][:1]
        footer = [child for child in children if child.tag == "tfoot"][:1]
        return captions + header + _others(children, captions + header + footer) + footer
    return children


def _others(children: list[LexborNode], chosen: list[LexborNode]) -> list[LexborNode]:
    """`children` but the `chosen` ones (taken from that same list)."""
    taken = {id(child) for child in chosen}
    return [child for child in children if id(child) not in taken]


def _readings(plain: str, markup: bool) -> str:
    """Decoded text read as written (readers see "<purple giraffe>" when the page says
    "&lt;purple giraffe&gt;"); where it holds what looks like markup (a feed's or an index's
    HTML, escaped), read a second time with that removed too."""
    words = normalize(plain)
    return f"{words} {normalize(_without_tags(plain))}" if markup else words


def _without_tags(text: str) -> str:
    """Text as a browser lays it out: an image's alternative text where the image stands (a
    browser draws it there when the image does not load), inline tags joining what they
    separate, any other tag a space."""
    if "<" not in text:
        return text
    return _TAG.sub(" ", _INLINE_TAG.sub("", _IMAGE_ALT.sub(_alt, text)))


def _alt(found: re.Match[str]) -> str:
    """An image tag as a browser draws it when the image does not load: its alternative text,
    read from its attributes as a browser reads them (an ` alt=` inside another attribute's
    value is no alternative text)."""
    alt = attributes(found.group(1)).get("alt")
    return found.group(0) if alt is None else f" {alt} "


_ESCAPED_LT = re.compile(r"&(?:lt|#0*60|#x0*3c)", re.IGNORECASE)


# A literal never closed is read to the end once (its closing quote optional), not again from
# every quote inside it (a .map of 80,000 escaped quotes took 26 s).
_JSON_STRING = re.compile(rb'"([^"\\]*+(?:\\.[^"\\]*+)*+)(")?')
# What may stand between the string literals of real JSON: structure, numbers, true/false/null.
_JSON_BETWEEN = re.compile(rb"(?:[\s\[\]{}:,0-9eE.+-]|true|false|null)*")


def output_files(site: Path) -> Iterator[Path]:
    """Every file, whatever its type: an image or a PDF can carry text too (read as bytes, so
    text that a PDF keeps compressed is not seen; SECURITY.md says what covers that)."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            yield path


def matcher(needles: dict[str, str]) -> ahocorasick.Automaton | None:
    """All needles searched in one pass over a text (Aho-Corasick), instead of one pass each:
    a site of a thousand pages and a hundred withheld articles stays fast to audit."""
    if not needles:
        return None
    automaton = ahocorasick.Automaton()
    for needle, source in needles.items():
        automaton.add_word(needle, (needle, source))
    automaton.make_automaton()
    return automaton


def found_in(automaton: ahocorasick.Automaton | None, text: str) -> Iterator[tuple[str, str]]:
    if automaton is not None:
        for _, (needle, source) in automaton.iter(text):
            yield needle, source


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
    attributes = node.attributes
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
    return normalize(html.unescape(_without_tags(markup))).split()


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
    site its approvals sign (`shown`: the page's site path and those files)."""
    # Read by an HTML5 parser, as a browser reads it: libxml2's honoured "<span hidden/>" as an
    # empty element, where a browser leaves it open around the disclaimer.
    try:
        marks = _Landmarks(LexborHTMLParser(html_text))
    except ValueError:  # text no parser takes (a lone surrogate)
        return ["cannot be read as HTML"]
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
            name, classes = _value(element, "id"), _value(element, "class")
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
                and _value(element, "rel") == "canonical"
            ):
                self.canonical = _value(element, "href")  # None for one without an address


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
    own = _site_of(marks.canonical, "/articles/") if marks.canonical is not None else None
    unsigned: set[str] = set()
    by_address: set[str] = set()  # by the site's full address
    cited: set[str] = set()  # by a reference's address
    outside: set[str] = set()
    for name, value in _addresses(marks.bodies[0]):
        # A whole value is one address, blanks inside it too ("a.png /../b.png" loads b.png);
        # a srcset's candidates are its addresses up to their first blank.
        for address in _candidates(value) if name == "srcset" else [value]:
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


def _site_of(address: str, below: str = "") -> tuple[str, int | None, str] | None:
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
    site = _site_of(address) if own is not None else None
    # The folder in any case: GitHub Pages finds a project's site so.
    if site is None or own is None or site[:2] != own[:2]:
        return None
    if not site[2].lower().startswith(own[2].lower()):
        return None
    return site[2][len(own[2]) :] or "."


# What a site is made of: the engines' pages, styles, scripts, search index and sitemaps (and
# the licence files of their scripts, with no type, which a server sends as bytes to save), and
# the pictures, fonts and documents site pages and the theme folder may hold (Zensical copies
# the theme folder's hooks too, as text). Any other file fails the build: a type the server
# names as XML (.xsd, .rss) is a document a browser runs scripts in, and an archive (.xz,
# .zip) holds text the audit cannot read.
OUTPUT_TYPES = THEME_ASSETS | ASSET_TYPES | {".html", ".json", ".xml", ".gz", ".py", ""}
# Files other than the HTML pages that a browser opens as a document, scripts and all.
DOCUMENTS = frozenset({".svg", ".xml"})


_NOINDEX = re.compile(r'<meta\s+name="robots"\s+content="noindex', re.I)


# A policy given by <meta> covers only what comes after it, and only inside the <head>: the page
# must start as the themes start it, the document type, <html> and <head>, then the policy. A
# comment there is refused (a browser ends "<!-->" or "--!>" where a pattern would not, and what
# follows would start the body early, leaving the policy outside the head, ignored).
_POLICY = re.compile(
    r"\s*(?:<!doctype html>\s*)?(?:<html(?:\s[^<>]*)?>\s*)?<head(?:\s[^<>]*)?>\s*"
    r'<meta http-equiv="Content-Security-Policy"',
    re.I,
)
# An event handler (onerror, onload) runs as inline script: no theme writes one. A page that
# holds something shaped like one (names are read in any case) has its start tags read as a
# browser reads them: a ">" inside a quoted value does not end one, and a value never closed
# runs to the end of the page. Their attributes are then read one by one ("once=" inside a
# value is text). Most pages hold nothing of the shape, and are not read tag by tag.
_HANDLER = re.compile(r"""[\t\n\f\r /"']on[a-z]+[\t\n\f\r ]*=""", re.I)
# A start tag's attributes as a browser reads them: runs of plain characters, and quoted
# values (a ">" inside one does not end the tag; one never closed runs to the end).
_ATTRIBUTES = r"""((?:[^>="']+|=[\t\n\f\r ]*(?:"[^"]*(?:"|\Z)|'[^']*(?:'|\Z))|[="'])*)>?"""
_START_TAG = re.compile(r"<[A-Za-z][^\t\n\f\r />]*" + _ATTRIBUTES)
# An image ("w3<img alt='w4 w5'>w6" reads "w3 w4 w5 w6" when it fails): `_alt` reads it.
_IMAGE_ALT = re.compile(r"<(?:img|input|area)(?=[\t\n\f\r />])" + _ATTRIBUTES, re.IGNORECASE)
# Elements whose attributes make a browser fetch something as the page loads (links are not
# fetched), and those attributes: a preload's `imagesrcset` too, and the old `background` of a
# page or a table (fetched from a template's <link>, <body> or <td>; the policy stopped them),
# whose elements are read only on a page that has such an attribute.
_LOADER = re.compile(
    r"<(img|script|source|video|audio|iframe|embed|object|track|input|link|image|use|feimage)"
    r"\b" + _ATTRIBUTES,
    re.I,
)
_BACKGROUND = re.compile(r"background[\t\n\f\r ]*=")  # searched in the page in lower case
_BACKGROUND_LOADER = re.compile(r"<(body|table|thead|tbody|tfoot|tr|td|th)\b" + _ATTRIBUTES, re.I)
_FETCHED = ("src", "srcset", "imagesrcset", "poster", "data", "href", "xlink:href", "background")
# Without any of these, a tag names no address of another site (a scheme, "//" however spelt,
# a character reference): most tags, read no further.
_MAYBE_REMOTE = re.compile(r"[:&\\]|/[\t\n\r]*/")


def _fetched(tag: str, given: dict[str, str]) -> Iterator[str]:
    """The addresses a loading element fetches (each candidate of a srcset); a canonical
    link names the page's address, and fetches nothing ("canonical stylesheet" would)."""
    if tag.lower() == "link" and given.get("rel", "").strip().lower() == "canonical":
        return
    for name in _FETCHED:
        value = given.get(name)
        if value is None:
            continue
        yield from _candidates(value) if name in ("srcset", "imagesrcset") else [value]


def _candidates(srcset: str) -> list[str]:
    """The addresses of a srcset: each candidate's, up to its first blank."""
    return [part.split()[0] for part in srcset.split(",") if part.split()]


# Elements that change where a page goes or what its addresses mean: only the pipeline's own
# Content-Security-Policy may be a <meta http-equiv>, and no page has a <base>.
# Each tag read once, its attributes as a browser reads them (a pattern of its own tried every
# "<meta" again to the end of the page, and missed `<meta a"b=1 http-equiv="refresh">`).
_TAKEOVER = re.compile(r"<(base\b|meta(?=[\t\n\f\r />]))" + _ATTRIBUTES, re.I)


_STYLE = re.compile(r"<style[\s/>]", re.IGNORECASE)
# A declarative shadow root (`<template shadowrootmode="open">`) replaces what a browser shows of
# the element it stands in: the disclaimer beside it was never drawn, where the element tree
# still had it in place. No theme writes one.
_SHADOW_ROOTS = frozenset({"shadowrootmode", "shadowroot"})
# `ping` (on a link) and `attributionsrc` (on a link or a loading element) send a request of
# their own to an address, when a reader follows the link or as the page loads (the policy
# blocks it; no theme writes either). Searched for as an attribute's name.
_PINGS = frozenset({"ping", "attributionsrc"})
_PING = re.compile(r"""[\t\n\f\r /"'](?:ping|attributionsrc)(?=[\t\n\f\r /=>])""", re.I)
# What `page_loads` reads in a page's start tags: an event handler (inline script), a declared
# shadow root, a popover (which can stand over the page, as an open <dialog> can), a ping.
_ATTRIBUTE_RULES: tuple[tuple[Callable[[dict[str, str]], bool], str], ...] = (
    (
        lambda names: any(name.startswith("on") for name in names),
        "has an event handler ({tag!r}), which no page may carry",
    ),
    (
        lambda names: bool(_SHADOW_ROOTS.intersection(names)),
        "declares a shadow root ({tag!r}), which hides what its element holds",
    ),
    (lambda names: "popover" in names, "has a popover ({tag!r}), which can stand over the page"),
    (
        lambda names: bool(_PINGS.intersection(names)),
        "sends a request of its own to an address ({tag!r}), which no page may do",
    ),
)
# No theme writes these either: an open <dialog> (and a popover) stands over what follows it,
# a fake disclaimer in place of the real one; what a <noscript> holds becomes elements to a
# script's parser (the theme's instant navigation swapped in a decoy page from one).
_COVERING = re.compile(r"<(dialog|noscript)[\t\n\f\r />]")  # searched in lower case
# Any script element, with a namespace prefix too (`<x:script>` in an SVG).
_ANY_SCRIPT = re.compile(r"<(?:[\w.-]+:)?script[\s/>]", re.IGNORECASE)


def page_loads(page: str, theme: Theme, policy: bool = True) -> list[str]:
    """What makes a page load something from another site, go somewhere else, restyle itself
    or run a script its theme does not write, or miss its policy (`policy`: an HTML page has
    one; another document a browser opens, an .svg or .xhtml, cannot). No theme writes a
    `<style>` element into a page (a theme that needs one writes it from its script), and one
    in a page could hide the disclaimer."""
    lowered = page.lower()  # what to look for, found fast (a pattern in any case is slow)
    problems = [
        f"runs an inline script its theme does not write ({' '.join(body.split())[:60]!r})"
        for body in inline_scripts(page)
        if not theme.writes(body)
    ]
    if not policy and _ANY_SCRIPT.search(page):
        problems.append("holds a script, which a document opened on its own would run")
    if policy and not _POLICY.match(page):
        problems.append(
            "lacks its Content-Security-Policy as the first element of its head, with nothing "
            "but the document type and the <html> tag before it"
        )
    # Attributes no page may carry, each reported at the first tag that has it; a page's
    # start tags are read one by one only when it holds something shaped like one of them.
    suspected = (
        _HANDLER.search(page),
        "shadowroot" in lowered,
        "popover" in lowered,
        _PING.search(page),
    )
    wanted = [rule for rule, found in zip(_ATTRIBUTE_RULES, suspected, strict=True) if found]
    for found in _START_TAG.finditer(page) if wanted else ():
        names = attributes(found.group(1))
        for rule in [rule for rule in wanted if rule[0](names)]:
            problems.append(rule[1].format(tag=found.group(0)[:60]))
            wanted.remove(rule)
        if not wanted:
            break
    if _STYLE.search(page):
        problems.append("has a <style> element, which no page may carry")
    for found in _COVERING.finditer(lowered):
        problems.append(f"has a <{found.group(1)}> element, which no page may carry")
    for found in _TAKEOVER.finditer(page):
        equiv = attributes(found.group(2)).get("http-equiv")
        if found.group(1).lower() == "base" or (
            equiv is not None and equiv.strip().lower() != "content-security-policy"
        ):
            problems.append(f"has a {found.group(0)[:60]!r} element, which no page may carry")
    loaders = _LOADER.finditer(page)
    if _BACKGROUND.search(lowered):
        loaders = itertools.chain(loaders, _BACKGROUND_LOADER.finditer(page))
    for found in loaders:
        if not _MAYBE_REMOTE.search(found.group(2)):
            continue
        for address in _fetched(found.group(1), attributes(found.group(2))):
            if is_external(address):
                problems.append(f"loads {address[:120]} from another site")
    return problems


def document_problems(data: bytes) -> list[str]:
    """What a document other than a page (an SVG or XML file) would run or load, opened on its
    own, where the site's policy does not reach; one that is not UTF-8 (a script in UTF-16 is
    not read here) is refused."""
    if b"\0" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ["is not UTF-8 text, which a browser could read a script from"]
    return page_loads(data.decode("utf-8", errors="replace"), Theme(None), policy=False)


def reader_text(article: Article) -> str:
    """What readers read of an article: its title, summary and text (not its tags, which a list
    of topics on every page shares)."""
    return f"{article.title}\n{article.summary}\n{article.body}"


def article_page_paths(article: Article) -> tuple[str, str]:
    """Where an engine writes an article's page, with and without directory URLs."""
    return (f"articles/{article.slug}.html", f"articles/{article.slug}/index.html")


def audit(site: Path, project: Project, plan: PublishPlan, theme: Theme) -> list[Diagnostic]:
    """Every broken promise in the built site at `site` (DESIGN §6.3), read from disk: empty
    when it may be published. `theme`: the engine's, whose inline scripts pages may run."""
    if project.disclaimer is None:
        raise ValueError("cannot audit without the canonical disclaimer")
    canonical = normalize(_TAG.sub(" ", project.disclaimer.html))
    pages = {rel: article for article in plan.published for rel in article_page_paths(article)}
    shown = {article.path: frozenset(shown_files(article.body)) for article in plan.published}
    leaks = _Leaks(project, plan, _own_host(site))
    problems: list[Diagnostic] = []
    written: set[str] = set()
    for path in output_files(site):
        rel = path.relative_to(site).as_posix()
        suffix = path.suffix.lower()  # what the server types it by (".HTML" is a page)
        if suffix not in OUTPUT_TYPES:
            problem = "is a file of a type no site publishes: a browser could open it as a document"
            problems.append(codes.PAGE_INCOMPLETE.at("mkdocs.yml", page=rel, problem=problem))
        data = path.read_bytes()
        leaks.scan(rel, output_pieces(path, data))
        text = data.decode("utf-8", errors="replace")
        if (suffix == ".html" or suffix in DOCUMENTS) and stacked_marks(text):
            # Drawn far above and below its line, over what is around it (a script's table of
            # marks, Material's Vietnamese search, is never drawn).
            problem = (
                f"holds a letter under more than {MAX_MARKS} marks, drawn over what is around it"
            )
            problems.append(codes.PAGE_INCOMPLETE.at("mkdocs.yml", page=rel, problem=problem))
        if suffix in DOCUMENTS:
            for problem in document_problems(data):
                problems.append(codes.PAGE_INCOMPLETE.at("mkdocs.yml", page=rel, problem=problem))
        if suffix != ".html":
            continue
        article = pages.get(rel)
        if article is not None:
            written.add(article.path)
            expected = article.status.slug if plan.preview else "approved"
            allowed = passage_words(article)
            signed = shown[article.path]
            for problem in page_problems(text, canonical, expected, allowed, (rel, signed)):
                problems.append(codes.PAGE_INCOMPLETE.at(article.path, page=rel, problem=problem))
        for problem in page_loads(text, theme):
            problems.append(codes.PAGE_INCOMPLETE.at("mkdocs.yml", page=rel, problem=problem))
        if plan.preview and not _NOINDEX.search(text):
            problems.append(
                codes.PAGE_INCOMPLETE.at("mkdocs.yml", page=rel, problem="lacks noindex")
            )
    for rel in sorted(leaks.reversed):
        problem = "holds bidirectional formatting, which can show text in another order than stored"
        problems.append(codes.PAGE_INCOMPLETE.at("mkdocs.yml", page=rel, problem=problem))
    problems += _published_files(site, project, shown)
    for article in plan.published:
        if article.path not in written:
            problems.append(
                codes.PAGE_INCOMPLETE.at(
                    article.path, page="the article page", problem="was not written"
                )
            )
    return leaks.problems() + problems


def _published_files(
    site: Path, project: Project, shown: dict[str, frozenset[str]]
) -> list[Diagnostic]:
    """Each file a published article shows (`shown`: by the article's path) must reach readers
    as the bytes its approvals sign (read beside the site pages): the engine may have copied
    another file over it (a theme's own of the same name)."""
    problems = []
    for source, paths in shown.items():
        for path in sorted(paths):
            try:
                data = (site / path).read_bytes() if not path.endswith("/") else None
            except (OSError, ValueError):  # none there (nor a name too long for the disk)
                data = None
            if data is None:
                continue  # a picture that does not load shows nothing
            signed = project.digests.get(path, "none")
            if site_file_digest(data, path) != signed:
                problem = (
                    "is not the file the article's approvals sign: something was published over it"
                )
                problems.append(codes.PAGE_INCOMPLETE.at(source, page=path, problem=problem))
    return problems


class _Leaks:
    """The withheld articles' distinctive sentences and addresses, searched for in every output
    file at once (Aho-Corasick)."""

    def __init__(self, project: Project, plan: PublishPlan, own: str | None = None) -> None:
        self.own = own  # the site's host, from its canonical addresses (None: it has none)
        candidates: dict[str, str] = {}
        addresses: dict[str, str] = {}
        loaded = {article.path: article for article in project.articles}
        for rel in () if plan.preview else plan.withheld:
            # What readers would read of it: its title, summary and text. Its tags and other
            # front matter are shared words (a list of topics is on every published page
            # too); a file that did not load is read whole.
            article = loaded.get(rel)
            text = (
                reader_text(article)
                if article is not None
                else decode((project.root / rel).read_bytes()) or ""
            )
            for probe in probes(text):
                candidates.setdefault(probe, rel)
            for address in article_addresses(rel):
                addresses[address] = rel
        # A sentence that a published article also says proves nothing (two answers may share
        # a sentence). Only the signed text of published articles counts: never the disclaimer,
        # a site page or anything else a pull request may change without a board member's
        # signature, so text pasted there is found like any other.
        # Each probe is searched for with its words joined, in text whose words are joined
        # too: a space slipped inside a word (a hair space, an image between its halves) does
        # not split it.
        self.probes = {joined(probe): probe for probe in candidates}
        shared = matcher(dict.fromkeys(self.probes, ""))
        for article in plan.published if shared is not None else ():
            for needle, _ in found_in(shared, probe_words(reader_text(article))):
                self.probes.pop(needle, None)
        # Nor does what a published page shows of its article besides its text, which the
        # article's approvals sign too: an answer quoting a guideline's title (in another
        # article's reference list), a heading spelt as another article's topic or file name,
        # or a reviewer's note quoting a sentence, stopped every build on the day that answer
        # was withheld.
        for needle, _ in found_in(shared, probe_words(_signed_besides_text(project, plan))):
            self.probes.pop(needle, None)
        self.texts = matcher({needle: candidates[p] for needle, p in self.probes.items()})
        self.links = matcher(addresses)
        # output path -> withheld source -> what was found: ("link", address) or (probe, probe)
        self.found: dict[str, dict[str, tuple[str, str]]] = {}
        self.reversed: set[str] = set()  # output files that hold bidirectional formatting

    def scan(self, rel: str, pieces: Iterable[str]) -> None:
        leaked = self.found.setdefault(rel, {})
        for piece in pieces:
            if _bidi_formatting(piece):
                self.reversed.add(rel)
            for end, (address, source) in self.links.iter(piece) if self.links else ():
                if _other_site(piece, end + 1 - len(address), self.own):
                    continue  # another site's page of that name (a journal's articles/x.html)
                leaked.setdefault(source, ("link", address))
            for needle, source in found_in(self.texts, joined(output_words(piece))):
                leaked.setdefault(source, (self.probes[needle], self.probes[needle]))

    def problems(self) -> list[Diagnostic]:
        return [
            codes.LEAK.at(source, where=where, what=_what(kind, found))
            for where, leaked in sorted(self.found.items())
            for source, (kind, found) in sorted(leaked.items())
        ]


_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')
# What ends an address in a page, its index or its sitemap: a blank, a double quote, a tag's
# bracket. Not a single quote, which a browser reads as part of a double-quoted address.
_TOKEN_END = re.compile(r'[\s"<>]')


def _own_host(site: Path) -> str | None:
    """The site's host, as its home page's canonical address names it; None when it has none
    (no `site_url`: then no page names the site by a full address)."""
    try:
        found = _CANONICAL.search((site / "index.html").read_text("utf-8", errors="replace"))
    except OSError:
        return None
    return _host(found.group(1)) if found else None


def _host(address: str) -> str | None:
    """The host of a full address as a browser reads it (`_site_of`)."""
    site = _site_of(address)
    return site[0] if site is not None else None


def _other_site(text: str, start: int, own: str | None) -> bool:
    """Whether the address found at `start` is the end of a full address of another site: the
    run of address characters it ends starts with a scheme and a host other than `own`."""
    before = text[max(0, start - 2048) : start]
    cut = max((m.end() for m in _TOKEN_END.finditer(before)), default=None)
    if cut is None and start > 2048:
        return False  # longer than read back: taken for the site's own (dot segments undo a host)
    host = _host(before[cut or 0 :])
    return host is not None and host != own


def _signed_besides_text(project: Project, plan: PublishPlan) -> str:
    """What the published articles' pages show besides their title, summary and text that
    their approvals sign: each one's address and topics, the notes of its valid approvals, and
    the reader-visible fields of the sources it cites, their people as a reference list prints
    them ("Qaseem A, Wilt TJ") and in full. Not a source's abstract or keywords, which nothing
    signs: those could otherwise silence the search for any sentence."""
    parts: list[str] = []
    keys: set[str] = set()
    for article in plan.published:
        approvals = [check for check in project.approvals_of(article) if check.verified]
        parts.append(article.slug)
        # Topics only where an approval signs them: one made before topics were signed holds
        # whatever the tags say (a retag brought a withheld article's text onto five pages).
        parts += article.tags if any(check.topics for check in approvals) else ()
        parts += [check.note for check in approvals]
        keys.update(project.cites.get(article.path, ()))
    for key in sorted(keys):
        entry = project.library.entries.get(key)
        if entry is None:
            continue
        parts.append(" . ".join(v for k, v in entry.fields.items() if k in READER_VISIBLE_FIELDS))
        people = [*entry.authors, *entry.editors]
        parts.append(", ".join(map(author_name, people)))
        parts.append(", ".join(f"{p.given} {p.last}" for p in people))
    # Apart, as each is shown: "_" stays a word when the words are joined, so no run of words
    # is read across two of them.
    return "\n_\n".join(parts)


def article_addresses(rel: str) -> tuple[str, str]:
    """How the site addresses an article's page, as the audit looks for it in every file."""
    slug = Path(rel).stem
    return f"articles/{slug}.html", f"articles/{slug}/"


def joined(words: str) -> str:
    return words.replace(" ", "")


def _what(kind: str, found: str) -> str:
    return f"a link to its page ({found})" if kind == "link" else f"its text ('{found}…')"
