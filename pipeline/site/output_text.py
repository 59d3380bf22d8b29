"""What readers (and search engines) get out of an output file: its text as a browser shows it
and as an index reads it, whatever the file's type (pages, JSON, XML and SVG documents,
stylesheets, compressed sitemaps). The leak audit searches these readings for withheld text.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import html
import html.entities
import json
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.etree
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.content.pages import read_xml
from pipeline.content.pdf import pdf_text
from pipeline.site.csp import attributes
from pipeline.words import ASCII, normalize

# Each stops at the next "<", quote, bracket or line: a withheld article full of them stays
# linear. A tag is what an HTML parser takes for one: "<" and a letter, "/" or "?" ("< 5" is
# text). What starts "<!" is read as text: a comment, CDATA, a document type and the entities
# it declares (an SVG's `<!ENTITY a "…">` is text a browser shows where `&a;` stands).
TAG = re.compile(r"<(?=[A-Za-z/?])[^<>]*>")
# Inline elements (an SVG's <tspan> too): no space on screen where one starts or ends
# ("pur<sup></sup>ple" shows "purple"); any other tag (a paragraph, a line break, a cell, an
# image) separates words.
INLINE_ELEMENTS = (
    "a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span"
    "|strong|sub|sup|time|tspan|u|var|wbr"
)
_INLINE_TAG = re.compile(rf"</?(?:{INLINE_ELEMENTS})(?=[\s/>])[^<>]*>", re.IGNORECASE)
# Quoted attribute values: a page's description, an image's alternative text, a title.
_VALUES = (re.compile(r'=\s*"([^"]*)'), re.compile(r"=\s*'([^']*)"))


# Explicit bidirectional formatting (embeddings, overrides, isolates) can show words or letters
# in another order than they are stored: text stored backwards reads forwards on screen. An
# output file holding one (as a character, a character reference or a JSON escape) fails.
_BIDI_CODES = frozenset({*range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_BIDI = frozenset(map(chr, _BIDI_CODES))
_REFERENCE = re.compile(r"&#(?:x0*([0-9a-f]{1,8})|0*([0-9]{1,9}))", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9a-f]{4})", re.IGNORECASE)


def bidi_formatting(text: str) -> bool:
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
    if path.suffix.lower() == ".pdf":
        yield pdf_reading(data)
    if path.suffix.lower() == ".css" and "\\" in text:
        # A stylesheet's `content: "\4d \6f …"` shows readers the letters its escapes stand for.
        yield _CSS_ESCAPE.sub(_css_character, text)


def pdf_reading(data: bytes) -> str:
    """A PDF's text (`pdf_text`: its streams are compressed in the site's form, so its bytes
    show none), escaped for `output_words` to read back."""
    return html.escape(pdf_text(data), quote=False)


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


def output_words(text: str) -> str:
    """The words of a piece of output as readers (and search engines) get them: its text with
    markup dropped as a browser shows it (an `<em>` inside a sentence does not break it, nor
    an empty `<sup></sup>` a word) and entities decoded, then its attribute values (a page's
    description, an image's alternative text), which are text however much they look like
    markup."""
    stripped = without_tags(text)
    words = _readings(html.unescape(stripped), _ESCAPED_LT.search(stripped) is not None)
    if (shown := _shown_text(text)) is not None:
        words = f"{words} {normalize(shown)}"
    if (columns := _columns(text)) is not None:
        words = f"{words} _ {normalize(columns)}"
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
_TABLE = re.compile(r"<table[\t\n\f\r />]", re.I)
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
    root = html_tree(text).root
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


@functools.lru_cache(maxsize=1)
def html_tree(text: str) -> LexborHTMLParser:
    """A page as an HTML5 parser reads it, parsed once for all the audit's readings of it (its
    text as shown, its tables, where its disclaimer stands), which only read the tree."""
    return LexborHTMLParser(text)


def _columns(text: str) -> str | None:
    """A page's tables read down their columns, as a reader reads a column of short lines
    (None for a page without a table): letters in thirty columns out of the table's view, one
    a row, stood between a withheld article's words, three a row down the first column, when
    the table was read across its rows. Cells stand where HTML's table model places them: a
    cell spanning two rows moved the words of every other row into the next column, and a
    span runs within its row group, at most 1,000 columns (check allows 20, `MOST_SPANNED`)."""
    if _TABLE.search(text) is None:
        return None
    root = html_tree(text).root
    found = []
    for table in root.css("table") if root is not None else ():
        columns: dict[int, list[str]] = {}
        for group in _row_groups(table):
            covered: dict[int, int] = {}  # column -> the first row a cell above leaves free
            for number, row in enumerate(group):
                column = 0
                for cell in (child for child in row.iter() if child.tag in ("td", "th")):
                    while covered.get(column, 0) > number:
                        column += 1
                    left = len(group) - number  # a row span of 0 runs to the group's end
                    down = min(_span(cell.attributes.get("rowspan")) or left, left)
                    across = min(max(_span(cell.attributes.get("colspan")), 1), 1000)
                    columns.setdefault(column, []).append(_cell_text(cell))
                    for spanned in range(column, column + across) if down > 1 else ():
                        # Cells may overlap: a slot stays taken by the longer span.
                        covered[spanned] = max(covered.get(spanned, 0), number + down)
                    column += across
        found += [" ".join(cells) for _, cells in sorted(columns.items())]
    return "\n_\n".join(found)


def _row_groups(table: LexborNode) -> list[list[LexborNode]]:
    """A table's own row groups (not a table's inside a cell) in the order a browser draws
    them (`_drawn`: its first header group first, its first footer group last)."""
    groups = []
    for part in _drawn(table):
        if part.tag in ("thead", "tbody", "tfoot"):
            groups.append([row for row in part.iter() if row.tag == "tr"])
        elif part.tag == "tr":
            groups.append([part])
    return groups


def _cell_text(cell: LexborNode) -> str:
    """A cell's text without the tables inside it, each read as a table of its own (with
    theirs, 20,000 tables one inside the next took 19 s to read)."""
    found = []
    stack = [cell]
    while stack:
        node = stack.pop()
        tag = node.tag or ""
        if tag == "-text":
            found.append(node.text_content or "")
        elif not tag.startswith(("-", "_", "#")) and tag != "table":
            stack.extend(reversed(list(node.iter(include_text=True))))
    return " ".join(found)


_SPAN_VALUE = re.compile(r"[\t\n\f\r ]*\+?([0-9]+)")


def _span(written: str | None) -> int:
    """The number a `rowspan` or `colspan` starts with, read as HTML reads a non-negative
    integer (ASCII blanks, then digits, leading zeros and all); 1 for none, 65,534 at most."""
    digits = _SPAN_VALUE.match(written or "")
    if digits is None:
        return 1
    value = digits[1].lstrip("0") or "0"
    return min(int(value), 65534) if len(value) <= 5 else 65534


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
    return f"{words} {normalize(without_tags(plain))}" if markup else words


def without_tags(text: str) -> str:
    """Text as a browser lays it out: an image's alternative text where the image stands (a
    browser draws it there when the image does not load), inline tags joining what they
    separate, any other tag a space."""
    if "<" not in text:
        return text
    return TAG.sub(" ", _INLINE_TAG.sub("", _IMAGE_ALT.sub(_alt, text)))


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
    """Every file, whatever its type: an image or a PDF can carry text too (a PDF is read by
    its text too, `pdf_text`; SECURITY.md says what no reading covers)."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            yield path


# Files other than the HTML pages that a browser opens as a document, scripts and all.
DOCUMENTS = frozenset({".svg", ".xml"})
# A start tag's attributes as a browser reads them: runs of plain characters, and quoted
# values (a ">" inside one does not end the tag; one never closed runs to the end).
TAG_ATTRIBUTES = r"""((?:[^>="']+|=[\t\n\f\r ]*(?:"[^"]*(?:"|\Z)|'[^']*(?:'|\Z))|[="'])*)>?"""
# An image ("w3<img alt='w4 w5'>w6" reads "w3 w4 w5 w6" when it fails): `_alt` reads it.
_IMAGE_ALT = re.compile(r"<(?:img|input|area)(?=[\t\n\f\r />])" + TAG_ATTRIBUTES, re.IGNORECASE)
