"""What raw markup an article or a site page may contain, read the way Markdown reads it.

Board members may use a little inline HTML that Markdown lacks (superscripts, abbreviations,
keyboard keys, collapsible details, tables). Anything that could run code, load something from
another site, or restyle the page (and so hide the disclaimer or fake the review status) is an
error on its line and column. Rendering sanitizes the HTML again (`site/sanitize.py`), and the
audit and the pages' Content-Security-Policy stand behind both: this check is where authors
learn why.

The scan follows Markdown's own rules where they matter, and refuses what it cannot read the way
Markdown would: code (fenced or in backticks) is not markup; a raw HTML tag ends at its `>`,
with quoted values read as quoted; an HTML comment or tag that is never closed, and an element
left open, are errors (Markdown and a browser would disagree about where they end); attribute
lists (`{: ...}`) are parsed with Python-Markdown's own parser. Every step is linear in the text,
so no input can make `check` slow.
"""

from __future__ import annotations

import bisect
import functools
import html
import posixpath
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import ahocorasick
import lxml.html
import markdown
from markdown.extensions.attr_list import get_attrs
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.extensions.toc import slugify

from pipeline import codes
from pipeline.citations.scan import Positions, code_mask, fenced_blocks, paragraph_ends
from pipeline.content import audience
from pipeline.content.addresses import (
    ARTICLE_FOLDER,
    is_generated_page,
    is_site_file,
    leaves_site,
    site_path,
)
from pipeline.diagnostics import Diagnostic
from pipeline.model import Article

DANGEROUS_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "form", "frame"})
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster"})
# Attributes that load something into the page (an image, a video) rather than link to it.
EMBED_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data"})
RESERVED_IDS = frozenset({"medical-disclaimer", "review-status"})
# The ids an article page gives its own parts (overrides/article.html, the disclaimer), and what
# each is: no heading of the article may take one (HTML009).
PAGE_IDS = {
    "medical-disclaimer": "the disclaimer",
    "medical-disclaimer-heading": "the disclaimer",
    "review-status": "the review status",
    "review-status-label": "the review status",
    "audience-selector": "the audience choice",
    "references": "the References list",
    "competing-interests": "the competing interests",
    "page-changes": "the list of changes",
    "related-articles": "the related articles",
    "citation-tooltip": "the citation tooltip",
}
# Numbered ids the citations use, and the theme's own ids (Material's all start with "__").
_NUMBERED_IDS = re.compile(r"(?:(ref)|cite)-\d+|(__.*)")


def reserved_id(value: str) -> bool:
    """Whether an id belongs to the article page's own parts, not to the article's text."""
    return value in PAGE_IDS or _NUMBERED_IDS.fullmatch(value) is not None


# Python-Markdown's admonitions, `!!! note "Title"`: the types Material and Zensical style.
# The type becomes a class of the box; any other (a theme's own class) is refused (HTML010).
ADMONITION_TYPES = frozenset(
    {"note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important"}
    | {"success", "check", "done", "question", "help", "faq", "warning", "caution", "attention"}
    | {"failure", "fail", "missing", "danger", "error", "bug", "example", "quote", "cite"}
)
MAX_NESTING = 16
RUNS_CODE = "it would run code in the reader's browser"
# Elements whose end tag may be left out (HTML's own rules): not "left open" when it is.
_VOID = frozenset({"br", "col", "img", "hr", "wbr", "source"})
# Elements that draw their text smaller than what is around them: one inside another drew a
# letter between a withheld article's words at half a pixel (HTML017; the audit looks too, at
# <small> as well, which the sanitizer keeps and no author may write).
SHRINKING = frozenset({"sup", "sub", "kbd", "small"})
_OPTIONAL_END = frozenset({"tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "li", "p"})


@dataclass(frozen=True)
class Policy:
    """What raw markup a kind of page may use."""

    name: str  # "articles" or "site pages", for messages
    tags: frozenset[str]
    attributes: frozenset[str]

    @property
    def listed(self) -> str:
        return ", ".join(sorted(self.attributes))


ARTICLES = Policy(
    "articles",
    frozenset(
        {"sup", "sub", "abbr", "br", "kbd", "details", "summary"}
        | {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col"}
    ),
    frozenset({"title", "colspan", "rowspan", "align", "scope", "open", "lang"}),
)
# Site pages (home, editorial policy, board) may also show an image or figure of the site's
# own: nothing else, and the same attributes otherwise.
SITE_PAGES = Policy(
    "site pages",
    ARTICLES.tags | {"img", "figure", "figcaption"},
    ARTICLES.attributes | {"src", "alt", "width", "height"},
)


# The disclaimer, on every article page outside the article's text: Markdown and a few inline
# elements, nothing that could hide or fold any of it.
DISCLAIMER_MARKUP = Policy(
    "the disclaimer", frozenset({"br", "sup", "sub", "abbr", "kbd"}), frozenset({"title", "lang"})
)


@dataclass(frozen=True)
class _Tag:
    start: int
    name: str
    closing: bool
    attributes: tuple[tuple[str, str | None], ...]
    self_closing: bool = False


@dataclass(frozen=True)
class _Unclosed:
    start: int
    what: str  # "comment" or "tag"


_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_ATTRIBUTE = re.compile(
    r"""\s*([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?|\s*/?(>)|\s*(/)""", re.S
)


def _tokens(text: str, ends: list[int]) -> Iterator[_Tag | _Unclosed]:
    """Raw HTML tags and comments in `text` (code already blanked), each consumed whole before
    the scan goes on, so every character is read once. A tag or comment that does not end
    before the paragraph does (`ends`: where paragraphs end) is reported as unclosed."""
    at = text.find("<")
    while at != -1:
        if text.startswith("<!--", at):
            end = text.find("-->", at + 4)
            if end == -1:
                yield _Unclosed(at, "comment")
                return
            at = text.find("<", end + 3)
            continue
        found = _TAG_START.match(text, at)
        if found is None:
            at = text.find("<", at + 1)
            continue
        limit = ends[bisect.bisect_left(ends, found.end())]
        attributes: list[tuple[str, str | None]] = []
        position, ended, self_closing = found.end(), False, False
        while position < limit:
            part = _ATTRIBUTE.match(text, position, limit)
            if part is None:
                break
            position = part.end()
            if part.group(3):
                ended = True
                self_closing = part.group().rstrip().endswith("/>")
                break
            if part.group(1):
                value = part.group(2)
                if value is not None and value[:1] in "\"'":
                    value = value[1:-1]
                attributes.append((part.group(1).lower(), value))
        if not ended:
            yield _Unclosed(at, "tag")
            at = text.find("<", max(position, found.end()))
            continue
        yield _Tag(
            at, found.group(2).lower(), bool(found.group(1)), tuple(attributes), self_closing
        )
        at = text.find("<", position)


def dangerous_scheme(url: str) -> str | None:
    """The scheme of an address that runs code or embeds a document (`javascript:`, `data:`,
    `vbscript:`), however it is spelt; None for any other."""
    compact = re.sub(r"[\s\x00-\x1f]", "", html.unescape(url)).lower()
    return next((s for s in DANGEROUS_SCHEMES if compact.startswith(s)), None)


def is_external(url: str) -> bool:
    """An address on another site (`https://`, `//host`), rather than a file of this site. A
    browser reads a backslash in a web address as a slash (`/\\host` is `//host`)."""
    compact = re.sub(r"[\s\x00-\x1f]", "", html.unescape(url)).lower().replace("\\", "/")
    return compact.startswith("//") or bool(re.match(r"[a-z][a-z0-9+.-]*:", compact))


_NOT_NEWLINE = re.compile(r"[^\n]")


def _masked(text: str) -> str:
    """The text with code blanked out (newlines kept), so positions stay true. HTML comments
    are left in: the tag scan reads them (and reports one that never ends). What Markdown
    renders as raw HTML is never blanked, whatever this scan took for code: a backtick in a
    raw HTML block is a backtick, and backticks Markdown pairs differently (in two list items,
    after an escaped backslash) are no code span."""
    spans = code_mask(text)
    # Only code that holds a "<" can hide markup (most articles have none).
    if not any("<" in text[start:end] for start, end in spans):
        return text
    raw = raw_html_spans(text)
    starts = [start for start, _ in raw]
    parts, done = [], 0
    for start, end in spans:
        if start < done or text.startswith("<!--", start):
            continue
        block = bisect.bisect_left(starts, end) - 1
        if block >= 0 and raw[block][1] > start:
            continue  # overlaps raw HTML
        parts += [text[done:start], _NOT_NEWLINE.sub(" ", text[start:end])]
        done = end
    return "".join(parts) + text[done:]


_READ_LIMIT = 200_000  # characters; the longest sample article has 12,000
# Python-Markdown reads from each "[" to the "]" that closes it, or to the end of its paragraph
# when none does: 999 of "[" before 186 KB of words took 44 s, a million none. A text whose
# brackets would have it read more than this many characters is not rendered (an article's
# citations and links, each closed at once, come to a few thousand).
_BRACKET_STEPS = 4_000_000
_BRACKETS_LIMIT = 5_000  # a reading list of 5,000 links renders in a third of a second
_BRACKET_OR_BREAK = re.compile(r"\[|\]|\n[ \t]*(?=\n)")
# Its raw HTML reads from each "<" that does not start a tag closed at once (`<a ` never
# closed, `<!--`) onwards, again for each (8,000 took seconds): not more than this many.
_MARKS_LIMIT = 1_000
_PLAIN_TAG = re.compile(r"<[A-Za-z/][^<>\n]{0,500}+>")
# Its fenced code looks for the closing line of every line that opens a fence, again for each
# (39,000 never closed took 82 s): a text with more of them than this is not rendered either.
_FENCE_LIKE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})", re.MULTILINE)
_FENCES_LIMIT = 200
# And its underlined headings, in the square of their number (6,800 took 6 s).
_UNDERLINES = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)


# Lines that start a block of their own (a heading, a rule, an admonition, a line of = or -
# under text): inside a paragraph Python-Markdown cuts it there and tests all the rest of it
# again, in the square of their number (16,000 in one paragraph took 25 s, 99,500 lines of
# "#" nine minutes). A text whose paragraphs would have it test more than this many lines
# again (299 such lines before 90,000 lines took 2 s) is not rendered by check. Possessive
# throughout, as every pattern that reads what a pull request writes.
_BLOCK_START = re.compile(
    r"^[ \t>]*+(?:#|!!!|[-_*](?:[ \t]*+[-_*]){2,}+[ \t]*+$|(?:=++|-++)[ \t]*+$)", re.MULTILINE
)
_BLANK_LINE = re.compile(r"\n[ \t]*+\n")
_SPLIT_STEPS = 1_000_000
# Python-Markdown rebuilds a paragraph's text for each inline mark it replaces in it (emphasis,
# code, an escape, an entity, a tag, a line break), and its table test walks a line's code spans
# again for each "|" after them: "*a* " 48,000 times took 9 s, 95,000 "|" after 25,000 code
# spans 133 s. A text past either measure (marks times their paragraph's length; backticks
# times bars on one line) is not rendered by check either; an article's come to a few million.
_INLINE_MARKS = re.compile(r"[*_`\\&<]|  \n")
_INLINE_STEPS = 200_000_000
_TABLE_STEPS = 1_000_000
# Headings a page may have (HTML016): the theme's search takes time in the square of their
# number however they stand (10,000 took 16 s to build, 40,000 minutes); a page to read has
# a few dozen. Counted as lines starting with "#" or underlined, in quotes and lists too,
# outside fenced code (a comment in a code sample is no heading).
HEADINGS_LIMIT = 1_000
_HEADING_LINE = re.compile(r"^(?:[ \t]*+>)*+[ \t]*+(?:#|(?:=++|-++)[ \t]*+$)", re.MULTILINE)


def too_slow_to_render(text: str) -> bool:
    """Whether Python-Markdown (or the theme's search) would take far too long over `text`
    (see the limits above): check does not render it, nor the preview a draft."""
    if len(text) > _READ_LIMIT or text.count("[") > _BRACKETS_LIMIT:
        return True
    outside = _outside_fences(text)
    return (
        _bracket_steps(text) > _BRACKET_STEPS
        or text.count("<") - len(_PLAIN_TAG.findall(text)) > _MARKS_LIMIT
        or len(_FENCE_LIKE.findall(text)) > _FENCES_LIMIT
        or len(_UNDERLINES.findall(text)) > _FENCES_LIMIT
        or len(_HEADING_LINE.findall(outside)) > HEADINGS_LIMIT
        or _split_steps(outside) > _SPLIT_STEPS
        or _inline_steps(text) > _INLINE_STEPS
        or any(line.count("`") * line.count("|") > _TABLE_STEPS for line in text.split("\n"))
    )


def _outside_fences(text: str) -> str:
    """`text` with its fenced code blanked, lines kept: Markdown takes code out before it reads
    blocks, so a `#` there starts nothing."""
    parts, done = [], 0
    for start, end in fenced_blocks(text):
        parts += [text[done:start], _NOT_NEWLINE.sub(" ", text[start:end])]
        done = end
    return "".join(parts) + text[done:] if parts else text


def _split_steps(text: str) -> int:
    """How many lines Python-Markdown tests again after cutting paragraphs at the lines that
    start blocks of their own: about the paragraph's lines for each such line in it."""
    return sum(
        len(_BLOCK_START.findall(part)) * part.count("\n") for part in _BLANK_LINE.split(text)
    )


def _inline_steps(text: str) -> int:
    """How many characters Python-Markdown copies replacing inline marks: about the paragraph's
    length for each mark in it."""
    return sum(len(_INLINE_MARKS.findall(part)) * len(part) for part in _BLANK_LINE.split(text))


def _bracket_steps(text: str) -> int:
    """How many characters Python-Markdown reads looking for the "]" of each "[": to the one
    that closes it, or to the end of its paragraph. Counted once, stopping past the limit."""
    steps, opened = 0, []
    for found in _BRACKET_OR_BREAK.finditer(text):
        mark, at = found.group(), found.start()
        if mark == "[":
            opened.append(at)
        elif mark == "]":
            if opened:
                steps += at - opened.pop()
        else:  # a blank line ends the paragraph: what is still open was read to here
            steps += sum(at - start for start in opened)
            opened.clear()
        if steps > _BRACKET_STEPS:
            break
    return steps + sum(len(text) - start for start in opened)


# The Markdown extensions the site renders with, besides the pipeline's own: mkdocs.yml may list
# no other (engine_config.py), so check reads an article as readers get it.
# No footnotes: a numbered superscript with a numbered note above the References passed for a
# citation whose source nobody checks (and check's reading of their markers could be dodged).
SITE_EXTENSIONS = ("toc", "tables", "admonition", "attr_list")


def _markdown() -> markdown.Markdown:
    """Python-Markdown reading an article as the site renders it (the pipeline's own extension
    aside: its citations are not author HTML). Every engine adds fenced code itself."""
    return markdown.Markdown(extensions=[*SITE_EXTENSIONS, "fenced_code"])


_RENDER = _markdown()


def _failed() -> None:
    """After Python-Markdown fails midway, read with a new one: the old keeps state that
    `reset` does not clear (its block parser's stack, 196 lists deep after a list nested 491
    deep), and every later text in the process came back as written, unrendered."""
    global _RENDER
    _RENDER = _markdown()


def render(text: str) -> str:
    """`text` as the site renders it (the pipeline's citations aside): the one reading check,
    the page headings and the audit's passage count share."""
    _RENDER.reset()
    try:
        return str(_RENDER.convert(text))
    except Exception:
        _failed()
        raise


def rendered(text: str) -> str | None:
    """`render(text)`; None when the text is too long to render (as for `raw_html_spans`) or
    Python-Markdown fails on it."""
    if too_slow_to_render(text):
        return None
    try:
        return render(text)
    except Exception:  # Python-Markdown failing on some input: nothing read, no crash
        return None


def raw_html_spans(text: str) -> list[tuple[int, int]]:
    """Where the raw HTML Python-Markdown renders from `text` stands in it (block and inline,
    every place each piece's text occurs), merged and in order; the whole text when a piece
    cannot be placed, or when the text is longer than any real article (then nothing is taken
    for code: rendering a megabyte of tags is slow)."""
    if too_slow_to_render(text):
        return [(0, len(text))]
    _RENDER.reset()
    lines, fenced = text.split("\n"), 0
    try:
        for step in _RENDER.preprocessors:
            lines = step.run(lines)
            if isinstance(step, FencedBlockPreprocessor):
                fenced = len(_RENDER.htmlStash.rawHtmlBlocks)  # rendered code, not the author's
        root = _RENDER.parser.parseDocument(lines).getroot()
        for step in _RENDER.treeprocessors:
            root = step.run(root) or root
    except Exception:
        # Python-Markdown fails on some input (fenced code's `linenums="1"` with attr_list
        # raised TypeError): the text is checked with nothing taken for code, never a crash.
        _failed()
        return [(0, len(text))]
    pieces = {
        p for p in _RENDER.htmlStash.rawHtmlBlocks[fenced:] if isinstance(p, str) and p.strip()
    }
    if not pieces:
        return []
    automaton = ahocorasick.Automaton()  # every piece in one pass, however many there are
    for piece in pieces:
        automaton.add_word(piece, len(piece))
    automaton.make_automaton()
    found = [(last + 1 - size, last + 1) for last, size in automaton.iter(text)]
    if len({text[start:end] for start, end in found}) < len(pieces):
        return [(0, len(text))]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def shown_headings(text: str) -> list[str] | None:
    """The text of every heading of `text` as the site renders it (an attribute list, a comment
    or an inline tag in a heading read as readers see it); None when the text is too long to
    render (as for `raw_html_spans`) or cannot be rendered."""
    html_text = rendered(text)
    if html_text is None:
        return None
    try:
        parts = lxml.html.fragments_fromstring(html_text)
    except Exception:  # lxml failing on some input: none read, no crash
        return None
    shown = []
    for heading in (h for p in parts if not isinstance(p, str) for h in p.iter(*_HEADING_TAGS)):
        shown.append(heading.text_content())
        # Read without what stands raised after it too ("Title<sup>1</sup>").
        for raised in heading.iter("sup"):
            raised.drop_tree()
        shown.append(heading.text_content())
    return shown


def _check_backticks_in_tags(
    path: str, tokens: Iterable[_Tag | _Unclosed], where: Positions
) -> Iterator[Diagnostic]:
    """A backtick inside a tag: Markdown may read it as the start of code where this check
    reads markup, or the other way round. `tokens`: the tags of the text as written."""
    reported = 0
    for token in tokens:
        if isinstance(token, _Tag) and reported < MAX_REPORTED:
            for name, value in token.attributes:
                if value and "`" in value:
                    reported += 1
                    yield codes.HTML_ATTRIBUTE.at(
                        path,
                        *where(token.start),
                        name=name,
                        where=f" on <{token.name}>",
                        why="it holds a backtick, which Markdown could read as the start of code",
                    )
                    break


def check_markup(article: Article, policy: Policy = ARTICLES) -> Iterator[Diagnostic]:
    yield from check_text(article.path, article.body, article.body_line, policy, article=True)


# A text full of one mistake reports its first few, not a line for each of thousands.
MAX_REPORTED = 20


def check_text(
    path: str, body: str, first_line: int, policy: Policy, article: bool = False
) -> Iterator[Diagnostic]:
    """Every markup problem of a Markdown text whose first line is `first_line` of `path` (the
    first MAX_REPORTED of each code); in an `article`, headings that would take an id of the
    article page's own parts too."""
    text = _masked(body)
    where = Positions(text, first_line)
    ends = paragraph_ends(text)
    tokens = list(_tokens(text, ends)) if "<" in text else []
    # The tags as written: the same when no code was blanked (the masked text is the body).
    written = tokens if text is body else _tokens(body, paragraph_ends(body))
    counts: dict[str, int] = {}
    for found in (
        *_check_tags(path, tokens, where, policy),
        *_check_attribute_lists(path, text, where, policy),
        *_check_links_and_images(path, text, where, ends, article),
        *_check_nesting(path, body, first_line),
        *(_check_fences(path, body, first_line) if "``" in body or "~~" in body else ()),
        *(_check_backticks_in_tags(path, written, where) if "`" in body else ()),
        *(_check_heading_ids(path, text, where) if article else ()),
        *(_check_passage_tags(path, body, tokens, where) if article and tokens else ()),
        *_check_admonitions(path, text, where),
        *_check_heading_count(path, text, where),
    ):
        counts[found.code] = counts.get(found.code, 0) + 1
        if counts[found.code] <= MAX_REPORTED:
            yield found


def _check_tags(
    path: str, tokens: Sequence[_Tag | _Unclosed], where: Positions, policy: Policy
) -> Iterator[Diagnostic]:
    open_elements: list[_Tag] = []
    unclosed = refused = 0
    for token in tokens:
        if isinstance(token, _Unclosed):
            unclosed += 1
            if unclosed <= MAX_REPORTED:  # a flood of "<" is reported once, not per character
                code = codes.UNCLOSED_COMMENT if token.what == "comment" else codes.UNCLOSED_TAG
                yield code.at(path, *where(token.start))
            continue
        if token.closing:
            _close(open_elements, token.name)
            continue
        if token.name not in policy.tags:
            refused += 1
            if refused <= MAX_REPORTED:  # the first few of a text full of them
                line, column = where(token.start)
                why = (
                    "it could run code or change the page"
                    if token.name in DANGEROUS_TAGS
                    else f"it is not on the list of HTML allowed in {policy.name}"
                )
                yield codes.HTML_ELEMENT.at(path, line, column, tag=token.name, why=why)
            continue
        if token.name in SHRINKING:
            outer = next((e.name for e in reversed(open_elements) if e.name in SHRINKING), None)
            if outer is not None:
                yield codes.SHRUNK_TEXT.at(path, *where(token.start), tag=token.name, outer=outer)
        # HTML ignores "/>" on any other element than a void one: `<sup/>` opens a <sup>.
        if token.name not in _VOID:
            open_elements.append(token)
        if token.attributes:
            line, column = where(token.start)
            yield from _check_attributes(path, line, column, token.name, token.attributes, policy)
    unended = [left for left in open_elements if left.name not in _OPTIONAL_END]
    for left in unended[:MAX_REPORTED]:  # the first few of a text full of them
        yield codes.UNCLOSED_ELEMENT.at(path, *where(left.start), tag=left.name)


def _close(opened: list[_Tag], name: str) -> bool:
    """Close the innermost open `name` (and the elements whose end may be left out inside it);
    whether one was open."""
    while opened and opened[-1].name != name and opened[-1].name in _OPTIONAL_END:
        opened.pop()
    if opened and opened[-1].name == name:
        opened.pop()
        return True
    return False


def _check_passage_tags(
    path: str, body: str, tokens: Sequence[_Tag | _Unclosed], where: Positions
) -> Iterator[Diagnostic]:
    """An audience passage closes every element it opens, and closes none it did not open: a
    `</details>` in a passage would close the passage's own container with the element opened
    before it, and show the rest of the passage to every reader. `tokens`: the tags of the
    body with its code blanked, taken where each passage stands (no code runs across a
    passage's first or last line, FM021). The first MAX_REPORTED only: a megabyte of tags
    never closed is not a diagnostic each."""
    found = 0
    at = [token.start for token in tokens]
    for who, start, passage in audience.all_passages(body):
        offset = where.start_of(where.first_line + start - 1)
        first = bisect.bisect_left(at, offset)
        last = bisect.bisect_left(at, offset + len(passage))
        opened: list[_Tag] = []
        for token in tokens[first:last]:
            if isinstance(token, _Unclosed) or token.name in _VOID or token.self_closing:
                continue
            if not token.closing:
                opened.append(token)
                continue
            if not _close(opened, token.name) and token.name != "p":  # a stray </p>: harmless
                found += 1
                if found > MAX_REPORTED:
                    return
                yield codes.AUDIENCE_BLOCK.at(
                    path,
                    *where(token.start),
                    problem=f"this </{token.name}> closes an element the {who} passage did not "
                    "open, and would take the rest of the passage out of it",
                    fix=f"open and close the <{token.name}> inside the passage, or outside it",
                )
        for left in [t for t in opened if t.name not in _OPTIONAL_END][: MAX_REPORTED - found]:
            found += 1
            yield codes.AUDIENCE_BLOCK.at(
                path,
                *where(left.start),
                problem=f"the <{left.name}> opened here is not closed inside the {who} passage",
                fix=f"close it with </{left.name}> before the passage's closing ///",
            )


# The pipeline renders a citation wherever it stands in the text: inside an attribute its
# markup would end the value, and the rest of the value would become live markup.
_CITATION_IN_VALUE = re.compile(r"\[[^\[\]]*@")
CITES = "it holds a citation, which would be rendered inside the tag; cite outside the tag"


def _check_attributes(
    path: str,
    line: int,
    column: int,
    tag: str,
    attributes: tuple[tuple[str, str | None], ...] | list[tuple[str, str | None]],
    policy: Policy,
    where: str = "",
) -> Iterator[Diagnostic]:
    place = where or f" on <{tag}>"
    for name, value in attributes:
        if name in URL_ATTRIBUTES and value and dangerous_scheme(value):
            yield codes.HTML_URL.at(path, line, column, scheme=dangerous_scheme(value))
        elif name.startswith("on"):
            yield codes.HTML_ATTRIBUTE.at(path, line, column, name=name, where=place, why=RUNS_CODE)
        elif name == "id" and value in RESERVED_IDS:
            yield codes.RESERVED_ID.at(path, line, column, id=value)
        elif value and _CITATION_IN_VALUE.search(value):
            yield codes.HTML_ATTRIBUTE.at(path, line, column, name=name, where=place, why=CITES)
        elif name not in policy.attributes:
            why = f"allowed attributes are {policy.listed}"
            yield codes.HTML_ATTRIBUTE.at(path, line, column, name=name, where=place, why=why)
        elif name in EMBED_ATTRIBUTES and value and is_external(value):
            yield codes.EXTERNAL_RESOURCE.at(path, line, column, url=value[:200])
        elif name in ("colspan", "rowspan") and not _SPAN.fullmatch(value or ""):
            why = f"a cell spans 1 to {MOST_SPANNED} rows or columns, written as a plain number"
            yield codes.HTML_ATTRIBUTE.at(path, line, column, name=name, where=place, why=why)


# Where a browser places a cell spanning thousands of columns or rows, a reading of the table
# down its columns must work out slowly; no table to read needs more than a few.
MOST_SPANNED = 20
_SPAN = re.compile(r"[1-9]|1[0-9]|20")


# Python-Markdown's attribute lists: `{: .class #id key=value }` or `{ ... }` after a heading,
# a block or an inline element. Candidates are found with a single character class (linear);
# their content is parsed by Python-Markdown's own attr_list parser.
_ATTR_LIST = re.compile(r"\{:?([^{}\n]*)\}")
_ATTR_LIST_NAMES = {".": "class", "id": "id"}


def _attribute_lists(text: str) -> Iterator[tuple[int, str]]:
    """(offset, content) of each `{...}` candidate: every innermost pair of braces, and, where
    a line holds a "}" inside its braces, the span from the line's first "{" to its last "}",
    as Python-Markdown reads an attribute list (a quoted "}" does not end it). Linear: one
    look per brace, one per line."""
    for found in _ATTR_LIST.finditer(text):
        yield found.start(), found.group()
    start = 0
    for line in text.split("\n"):
        first, last = line.find("{"), line.rfind("}")
        if first != -1 and "}" in line[first:last]:
            yield start + first, line[first : last + 1]
        start += len(line) + 1


def _check_attribute_lists(
    path: str, text: str, where: Positions, policy: Policy
) -> Iterator[Diagnostic]:
    for offset, written in _attribute_lists(text):
        content = written.removeprefix("{").removeprefix(":").removesuffix("}").strip()
        if not content:
            continue
        pairs = [(_ATTR_LIST_NAMES.get(k, k).lower(), v) for k, v in get_attrs(content)]
        if not written.startswith("{:") and not any(
            k in ("class", "id") or "=" in content or k in _BARE_DANGEROUS for k, _ in pairs
        ):
            continue  # "{x}" in prose is not an attribute list worth refusing
        line, column = where(offset)
        yield from _check_attributes(
            path, line, column, "", pairs, policy, where=" in a {: ...} attribute list"
        )


_BARE_DANGEROUS = frozenset({"hidden", "inert", "style", "role", "tabindex"})


# Markdown links and images: `[text](url)`, `![alt](url)`, and reference definitions
# `[label]: url` (which an image may use: `![alt][label]`). Brackets are matched as Markdown
# matches them, nesting included, with one stack per paragraph: linear in the text.
# A link reference definition, as Python-Markdown reads one: inside quotes and list items too,
# and its address may stand on the next line.
# Possessive: the blanks around the line break could be split every way (16,000 took 2.8 s).
_REFERENCE = re.compile(
    r"^(?:[ \t]*+(?:>|[-*+][ \t]|\d{1,9}[.)][ \t]))*+[ \t]*+\[([^\[\]\n]{1,999})\]:"
    r"[ \t]*+(?:\n[ \t>]*+)?<?([^\s>]+)",
    re.M,
)
# A destination's characters stop at the next bracket, so each is read once.
_DESTINATION = re.compile(r"\(\s*<?([^\s()<>\[\]]*)")
# A reference link's label, as Python-Markdown reads it: one space may stand before it.
_REFERENCE_LABEL = re.compile(r"\s?\[([^\]]{0,999})\]")


@dataclass(frozen=True)
class Link:
    """A Markdown link or image as Python-Markdown reads it: where its "[" stands, its
    address (a reference's target for `[text][label]`), and its text as written ("" when it
    holds nested brackets, which are not copied: nested labels were quadratic)."""

    start: int
    image: bool
    url: str
    written: str
    at: int  # where the address is written: in the link, or in the reference's definition
    plain: bool  # written plainly, as HTML013 asks of an address of the site


# An address written plainly: no angle brackets, no blank or bracket inside, nothing after it
# but a title (in quotes or parentheses, on its line or the next). Python-Markdown keeps
# anything else in the address ("(a.png /../b.png)" is one address, and so is one with a
# no-break space): read otherwise here, an approval would sign one file while readers'
# browsers load another. Possessive: each run is read once.
_TITLE = r"""(?:"(?:[^"\\\n]|\\.)*+"|'(?:[^'\\\n]|\\.)*+'|\([^()\n]*+\))"""
_PLAIN_DESTINATION = re.compile(
    rf"\([ \t]*+([^\s()<>\[\]\\]++)(?:(?:[ \t]++|[ \t]*+\n[ \t]*+){_TITLE})?+[ \t]*+\)"
)
_PLAIN_DEFINITION = re.compile(
    rf"([^\s<>\\]++)(?:(?:[ \t]++|[ \t]*+\n[ \t>]*+){_TITLE})?+[ \t]*+$", re.M
)


@functools.lru_cache(maxsize=256)  # links to one address, written again and again
def _plain_path(url: str) -> bool:
    """No character reference, and no blank, control or invisible character (escaped or not),
    in the path of an address (a query may join its values with "&")."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    return "&" not in path and not any(
        c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp")
        for c in urllib.parse.unquote(path)
    )


def _plain_definition(text: str, definition: re.Match[str]) -> bool:
    written = _PLAIN_DEFINITION.match(text, definition.start(2))
    return written is not None and written.group(1) == definition.group(2)


_BRACKET = re.compile(r"(?<!\\)[\[\]]")


def links(text: str, ends: list[int] | None = None) -> Iterator[Link]:
    """Every link and image of a Markdown text with an address (`ends`: its paragraph ends)."""
    ends = paragraph_ends(text) if ends is None else ends
    references = {" ".join(m.group(1).split()).lower(): m for m in _REFERENCE.finditer(text)}
    defined = {m.start(1) for m in references.values()}
    # Each read once, however many links use it (a title of 200,000 letters read again for
    # each of 20,000 uses took 43 s).
    addresses = {m.start(2): m.group(2) for m in references.values()}
    plain_definitions = {
        m.start(2): _plain_definition(text, m) and _plain_path(addresses[m.start(2)])
        for m in references.values()
    }
    stack: list[list[int]] = []  # open "[": position, whether an image, brackets inside it
    labels: set[int] = set()  # where the label of `[text][label]` opens: part of that link
    paragraph, position = 0, 0
    last_close = text.rfind("]", 0, ends[0] + 1)  # the last "]" of the paragraph
    while (bracket := _BRACKET.search(text, position)) is not None:
        at = bracket.start()
        position = at + 1
        if at > ends[paragraph]:
            while at > ends[paragraph]:
                paragraph += 1
            stack.clear()
            last_close = text.rfind("]", at, ends[paragraph] + 1)
        if at > last_close:
            # No "]" later in the paragraph: no "[" from here on closes (a paragraph of a
            # million "[" was read one by one).
            position = ends[paragraph] + 1
            continue
        if text[at] == "[":
            if stack:
                stack[-1][2] += 1
            stack.append([at, at > 0 and text[at - 1] == "!", 0])
            continue
        if not stack:
            continue
        opening, image, inside = stack.pop()
        if stack:
            stack[-1][2] += inside + 2
        after = at + 1
        destination = _DESTINATION.match(text, after) if text.startswith("(", after) else None
        if destination:
            url, where = destination.group(1), destination.start(1)
            written = _PLAIN_DESTINATION.match(text, after)
            plain = written is not None and written.group(1) == url and _plain_path(url)
        elif opening + 1 in defined or opening in labels:
            continue  # the definition itself, or the label of a link: not a link
        else:  # a reference link or image: [text][label], [text][] or [text]
            label = _REFERENCE_LABEL.match(text, after)
            if label:
                labels.add(text.index("[", label.start()))
            # At most 1,000 characters, cut before the copy (a long one copied whole, for
            # every nested label, was quadratic).
            text_key = text[opening + 1 : min(at, opening + 1001)]
            key = label.group(1) if label and label.group(1) else text_key
            target = references.get(" ".join(key.split()).lower())
            if target is None:
                continue
            where = target.start(2)
            url, plain = addresses[where], plain_definitions[where]
        if url:
            # _NUMBER_ONLY allows one "[" and one "]": a label holding more is no lookalike
            # by its text (only its target is read), and is not copied.
            copied = text[opening + 1 : at] if inside <= 2 else ""
            yield Link(opening, bool(image), url, copied, where, plain)


# An address of another site as a browser reads it: a scheme or "//" first, nothing before;
# but "https:../a.pdf" is this site's to a browser on an https page.
_OTHER_SITE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|//")
_OWN_SCHEME = re.compile(r"\s*https?:(?![/\\]{2})", re.IGNORECASE)


def _plain_in_article(link: Link) -> bool:
    """An address of an article written plainly (HTML013): of another site, or a path of
    this site written plainly, relative to the article and inside the site (which may be
    served from a folder of its host: "/img/a.png" or one "../" too many leave it)."""
    if _OWN_SCHEME.match(link.url):
        return False  # a file of this site, spelt as another site's address
    if _OTHER_SITE.match(link.url.lstrip()):
        return True
    return link.plain and not leaves_site(link.url, ARTICLE_FOLDER)


# Where an address starts (a link's, a definition's, an autolink's), when it holds a bracket.
_ADDRESS_START = re.compile(
    r"(?:\]\(|^[ \t]{0,3}\[[^\]\n]*\]:|<)[ \t]*<?([^\s()<>]*[\[\]][^\s()<>]*)", re.M
)


def _unreadable(url: str) -> bool:
    """An address no URL parser reads (an unclosed IPv6 bracket): the engines stop on it."""
    try:
        urllib.parse.urlsplit(html.unescape(url))
    except ValueError:
        return True
    return False


def linked_site_page(url: str) -> str | None:
    """The site page a link from an article names (the home page, the editorial policy), or
    None: such a page's text is no part of what the article's approvals sign, so a later change
    to it would reach readers as if the article said it. The pages the pipeline makes (other
    articles, topics) are made of what approvals sign."""
    page = site_path(url)
    if page is None:  # the site's root ("../"), the home page, is no path of a file
        try:
            path = urllib.parse.urlsplit(url.strip()).path
        except ValueError:
            return None
        root = not is_external(url) and posixpath.normpath(f"{ARTICLE_FOLDER}/{path}") == "."
        return "index.md" if path and root else None
    if is_generated_page(page) or is_site_file(page):
        return None
    return page


def _check_links_and_images(
    path: str, text: str, where: Positions, ends: list[int], article: bool
) -> Iterator[Diagnostic]:
    for definition in _REFERENCE.finditer(text):
        url = definition.group(2)
        if dangerous_scheme(url):
            yield codes.HTML_URL.at(path, *where(definition.start(2)), scheme=dangerous_scheme(url))
    lookalikes = 0
    unplain: set[int] = set()  # where addresses not written plainly stand
    # What each address is, read once however many links use it or spell it alike: (a
    # dangerous scheme, of another site, a citation's target, not plain).
    # An address no parser reads, wherever a link's or a definition's could start: Python-
    # Markdown takes `[x](//[y)` for a link that `links` (brackets inside) does not.
    if "[" in text:
        for found in _ADDRESS_START.finditer(text):
            if _unreadable(found.group(1)):
                yield codes.UNREADABLE_ADDRESS.at(
                    path, *where(found.start(1)), url=found.group(1)[:120]
                )
    read: dict[tuple[str, bool], tuple[str | None, bool, str | None, bool, str | None]] = {}
    for link in links(text, ends):
        if (link.url, link.plain) not in read:
            read[link.url, link.plain] = (
                dangerous_scheme(link.url),
                is_external(link.url),
                _lookalike_target(link.url),
                article and not _plain_in_article(link),
                linked_site_page(link.url) if article else None,
            )
        scheme, external, target, unplain_address, page = read[link.url, link.plain]
        lookalike = None if link.image else target or _lookalike_label(link.written)
        if lookalike and (lookalikes := lookalikes + 1) <= MAX_REPORTED:
            yield codes.CITATION_LOOKALIKE.at(path, *where(link.start), what=lookalike)
        if scheme:
            yield codes.HTML_URL.at(path, *where(link.start), scheme=scheme)
        elif link.image and external:
            yield codes.EXTERNAL_RESOURCE.at(path, *where(link.start - 1), url=link.url[:200])
        elif unplain_address:
            unplain.add(link.at)
        elif page is not None and not link.image:
            yield codes.LINKED_PAGE.at(path, *where(link.start), page=page)
    # Reported once where each is written, outside code (a sample of Markdown shows no file).
    code = code_mask(text) if unplain else ()
    starts = [start for start, _ in code]
    shown = [at for at in sorted(unplain) if not _inside(code, starts, at)]
    for at in shown[:MAX_REPORTED]:
        yield codes.PLAIN_ADDRESS.at(path, *where(at))
    for autolink in re.finditer(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>]*)>", text):
        if dangerous_scheme(autolink.group(1)):
            yield codes.HTML_URL.at(
                path, *where(autolink.start()), scheme=dangerous_scheme(autolink.group(1))
            )


def _inside(spans: Sequence[tuple[int, int]], starts: list[int], at: int) -> bool:
    index = bisect.bisect_right(starts, at) - 1
    return index >= 0 and at < spans[index][1]


# How deeply a line is nested: each level of indentation (four spaces or a tab, as Markdown
# counts them) is a level of a list, a quote, an admonition or an indented block, and each ">"
# that opens the line is a level of quoting. Brackets and tags inside the line do not count.
# Each level is matched atomically: once a level is read, it is never read another way, so a
# line of hundreds of quote markers cannot make the match try every split (which took minutes).
_LEADING = re.compile(r"(?>[ ]{4}|\t|[ ]{0,3}>[ ]?)*+")


_TOO_DEEP = re.compile(rf"^(?>[ ]{{4}}|\t|[ ]{{0,3}}>[ ]?){{{MAX_NESTING + 1}}}", re.M)


# Code blocks in the one form both engines read alike. MkDocs reads fences with fenced_code (as
# check does), Zensical with superfences, and the two part ways on a fence with options, an
# indented or quoted fence line, a fence straight after a line of text or of indented code, one
# never closed, or a fence line inside a block: text one shows as a code sample, the other
# rendered as the page's own (a forged "Reviewed by the board" box). So every line that starts
# like a fence must be one end of a block written plainly: at the margin, after a blank line,
# naming at most a language, and closed by the same fence, alone, before a blank line.
_FENCE_START = re.compile(r"[ \t>]*+(?:`{3}|~{3})")
# Possessive: a fence line of thousands of blanks is read once, never split again.
_OPENER = re.compile(r"(`{3,}+|~{3,}+)[ \t]*+\.?[\w#.+-]*+[ \t]*+")


def _check_fences(path: str, text: str, first_line: int) -> Iterator[Diagnostic]:
    lines = text.split("\n")
    fence, opened = "", 0

    reported = 0

    def refused(number: int, problem: str) -> Diagnostic:
        nonlocal reported
        reported += 1
        line = lines[number]
        return codes.FENCE_FORM.at(path, first_line + number, 1, fence=line[:60], problem=problem)

    for number, line in enumerate(lines):
        if not _FENCE_START.match(line):
            continue
        if reported > MAX_REPORTED:
            return  # a text of thousands of fence lines: its first mistakes are enough
        # Blank is empty, or blanks and tabs only (Python-Markdown empties such a line, but not
        # the text's first: one there is a line of text to superfences).
        before = "" if not number else lines[0] if number == 1 else lines[number - 1].strip(" \t")
        after = lines[number + 1].strip(" \t") if number + 1 < len(lines) else ""
        if fence:
            if line.rstrip(" \t") != fence:
                yield refused(number, "stands inside a code block")
                continue
            fence = ""
            if after:
                yield refused(number, "closes a code block, but a blank line does not follow it")
        elif line[0] in " \t>":
            yield refused(number, "is indented or quoted")
        else:
            # A block opened wrongly is still read to its end, so its closing line is not
            # reported as a second mistake.
            fence, opened = line[: len(line) - len(line.lstrip(line[0]))], number
            if _OPENER.fullmatch(line) is None:
                yield refused(number, "carries options or text after the language")
            elif before:
                yield refused(number, "does not follow a blank line")
    if fence:
        yield refused(opened, "opens a code block that is never closed")


def _check_nesting(path: str, text: str, first_line: int) -> Iterator[Diagnostic]:
    """Hundreds of nested lists, quotes or admonitions make the Markdown renderer recurse until
    it fails. Only a line that opens with more levels than allowed is looked at closely. Read
    on the text as written: blanked code would count as indentation."""
    deep = _TOO_DEEP.search(text)
    if deep is None:
        return
    start = text.rfind("\n", 0, deep.start()) + 1
    end = text.find("\n", start)
    line = text[start : end if end != -1 else len(text)]
    prefix = _LEADING.match(line)
    assert prefix is not None
    depth = len(re.findall(r"[ ]{4}|\t|>", prefix.group()))
    number = text.count("\n", 0, start)
    yield codes.TOO_DEEP.at(path, first_line + number, 1, depth=depth, limit=MAX_NESTING)


# What may open a line before a heading: indentation, quote markers, list markers.
_BLOCK_MARKS = r"(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*+"
# ATX headings ("## Ref 1", in a list or a quote too) and setext ones (a line underlined with
# "=" or "-"), read for the id Python-Markdown's toc extension gives them. Possessive: each
# line is read once, whatever it holds.
_HEADING = re.compile(
    rf"^{_BLOCK_MARKS}#{{1,6}}[ \t]++([^\n]*+)$"
    rf"|^{_BLOCK_MARKS}([^\n]++)\n[ \t>]*+(?:=++|-++)[ \t]*+$",
    re.M,
)


def _heading_text(found: re.Match[str]) -> tuple[str, int]:
    """A heading's words (without an ATX heading's closing #s) and where they start."""
    if found.group(1) is None:
        return found.group(2).strip(), found.start(2)
    words = found.group(1).rstrip(" \t")
    unclosed = words.rstrip("#")
    if unclosed != words and (not unclosed or unclosed[-1] in " \t"):
        words = unclosed.rstrip(" \t")
    return words, found.start(1)


def _check_heading_count(path: str, text: str, where: Positions) -> Iterator[Diagnostic]:
    """More than HEADINGS_LIMIT headings: refused at the first one past it, so that no build
    (nor the preview) renders the page."""
    for number, found in enumerate(_HEADING_LINE.finditer(_outside_fences(text)), 1):
        if number > HEADINGS_LIMIT:
            line, column = where(found.start())
            yield codes.TOO_MANY_HEADINGS.at(path, line, column, limit=HEADINGS_LIMIT)
            return


def _check_heading_ids(path: str, text: str, where: Positions) -> Iterator[Diagnostic]:
    """A heading's id is made from its words, so "## Ref 1" would be `ref-1`, the entry that
    citation 1 links to: the page's own ids are refused (the audit also fails a page with any
    id twice)."""
    reported = 0
    for found in _HEADING.finditer(text):
        if reported == MAX_REPORTED:
            return
        heading, start = _heading_text(found)
        made = slugify(heading, "-")
        what = PAGE_IDS.get(made)
        if numbered := _NUMBERED_IDS.fullmatch(made):
            what = (
                "the theme's own parts"
                if numbered.group(2)
                else "an entry of the References list"
                if numbered.group(1)
                else "a citation"
            )
        if what:
            reported += 1
            line, column = where(start)
            yield codes.HEADING_ID.at(path, line, column, heading=heading[:80], id=made, what=what)


# A citation's look: a number, a list or range of numbers, bracketed or in a superscript.
# Possessive throughout: a link's text of 2,000 spaces, split every way between the runs of
# white space, took 19 s.
_NUMBER_ONLY = re.compile(
    r"\s*+(?:<sup>)?+\s*+\[?+\s*+\d++(?:\s*+[-–,]\s*+\d++)*+\s*+\]?+\s*+(?:</sup>)?+\s*+"
)
_CITATION_TARGET = re.compile(r"#(?:ref|cite)-\d")


def _lookalike_target(url: str) -> str | None:
    """What makes a link pass for a citation by its target: an entry of the References list
    (or a citation), read as a browser reads it: character references and percent escapes
    decoded (a browser finds `#%72ef-1` at the id ref-1)."""
    target = urllib.parse.unquote(html.unescape(url)).strip()
    return f"a link to {url[:40]}" if _CITATION_TARGET.match(target) else None


def _lookalike_label(label: str) -> str | None:
    """What makes a link pass for a citation by its text: only a number, read as readers get
    it: character references decoded (`&#52;` is 4), a superscript digit as its digit,
    emphasis and tags around the number dropped."""
    shown = unicodedata.normalize("NFKC", html.unescape(_EMPHASIS.sub("", label)))
    if _NUMBER_ONLY.fullmatch(shown):
        return f"a link whose text is only '{label.strip()[:20]}'"
    return None


_EMPHASIS = re.compile(r"<[^<>]*>|[*_`]")


# Python-Markdown's admonition line: `!!! type [type...] ["title"]`, in a list or quote too.
_ADMONITION = re.compile(rf"^{_BLOCK_MARKS}!!![ ]?([\w-]++(?:[ ]++[\w-]++)*+)", re.M)


def _check_admonitions(path: str, text: str, where: Positions) -> Iterator[Diagnostic]:
    """Each word of a note box's type becomes a class of the box: only the types the themes
    style, none of the theme's own classes (the sanitizer drops any other too)."""
    reported = 0
    for found in _ADMONITION.finditer(text):
        unknown = next(
            (
                m
                for m in re.finditer(r"[\w-]+", found.group(1))
                if m.group().lower() not in ADMONITION_TYPES
            ),
            None,
        )
        if unknown is not None and reported < MAX_REPORTED:  # one per box, a few per text
            reported += 1
            line, column = where(found.start(1) + unknown.start())
            yield codes.ADMONITION_TYPE.at(path, line, column, type=unknown.group()[:40])
