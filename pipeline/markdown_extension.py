"""The pipeline's Python-Markdown extension: citations, and the sanitizer, in any engine.

MkDocs, ProperDocs and Zensical all render Markdown with Python-Markdown and load the extensions
mkdocs.yml lists, so this is the one place both the numbered citations and the last line of
defence live, whatever engine renders the site:

- each citation bracket becomes its finished superscript (`render.citation_html`), stored in
  Markdown's own stash, so Markdown never parses it again and nothing an author writes can
  forge one: code spans and fenced code are left as they are, and the stash's placeholders use
  control characters that Python-Markdown removes from the source before any extension runs;
- each audience passage's container is put where staging marked its first and last lines
  (`audience.convert`), so the passage between is Markdown like the rest of the article, read
  the same way by check (no HTML container around Markdown for the two to read differently);
- ids from attribute lists that are not plain names, or that belong to the page's own parts,
  are removed before the toc extension reads the headings: the engines print a heading's id
  unescaped into the table of contents and the skip link, outside the sanitized text (and a
  heading whose HTML holds `id=` is listed there by its words alone);
- a link to an article the site withholds (`withheld`: their file names without `.md`) becomes
  its text: a site page or an article linking to one that was withdrawn, or whose approver's
  declaration of interests ran out, would otherwise publish its address (and the audit stop
  the build) under one engine and a dead link under the other;
- the page's HTML is sanitized with nh3 after everything else (`sanitize.clean`), which also
  closes every element an author left open, so nothing of the article can wrap what the page
  template puts after it (the references and the disclaimer).

    markdown_extensions:
      - pipeline.markdown_extension
"""

from __future__ import annotations

import html
import posixpath
import re
import urllib.parse
from typing import Any
from xml.etree.ElementTree import Element

from markdown import Extension, Markdown
from markdown.extensions.toc import render_inner_html, slugify, strip_tags
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from pipeline.checks.markup import reserved_id
from pipeline.citations.render import citation_html
from pipeline.citations.scan import numbering, scan_text
from pipeline.content import audience
from pipeline.site.sanitize import clean

NAME = "pipeline.markdown_extension"


class _Citations(Preprocessor):  # type: ignore[misc]
    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        citations = scan_text(text)
        if not citations:
            return lines
        numbers = numbering(citations)
        parts, end = [], 0
        for index, citation in enumerate(citations, start=1):
            parts.append(text[end : citation.start])
            parts.append(self.md.htmlStash.store(citation_html(index, citation, numbers)))
            end = citation.end
        parts.append(text[end:])
        return "".join(parts).split("\n")


class _Audiences(Preprocessor):  # type: ignore[misc]
    def run(self, lines: list[str]) -> list[str]:
        return [
            self.md.htmlStash.store(audience.container_tag(line))
            if line.startswith(audience.MARK)
            else line
            for line in lines
        ]


# What an id may be when it leaves the sanitized text (the toc extension hands heading ids to
# the page's table of contents): a plain name, as the toc extension itself makes them.
_PLAIN_ID = re.compile(r"[\w:.-]+")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# The id of a citation's own superscript (`render.citation_html`): a whole attribute, which
# Zensical's cut removes cleanly.
_CITATION_ID = re.compile(r' id="cite-\d+"')


class _Ids(Treeprocessor):  # type: ignore[misc]
    def run(self, root: Element) -> None:
        used = {element.get("id") for element in root.iter()}
        for element in root.iter():
            given = element.get("id")
            if given is not None and (not _PLAIN_ID.fullmatch(given) or reserved_id(given)):
                del element.attrib["id"]  # the toc extension gives a heading its own
            element.attrib.pop("data-toc-label", None)
            if element.tag not in _HEADINGS:
                continue
            inner = render_inner_html(element, self.md)
            words = html.unescape(strip_tags(inner))
            if "id=" in _CITATION_ID.sub("", inner):
                # Zensical cuts every `id=…"` out of a heading's HTML for its table of
                # contents: one inside an attribute's value (a title) leaves the value open,
                # and the heading's words after it become attributes of the theme's markup.
                # Such a heading is listed by its words alone (both engines read the label).
                element.set("data-toc-label", html.escape(words))
            # The id the toc extension would make from the words readers see ("Ref" and a
            # citation's number make "ref-1"): one of the page's own is given another.
            if element.get("id") is None and reserved_id(made := slugify(words, "-")):
                given, count = f"section-{made}", 0
                while given in used:
                    count += 1
                    given = f"section-{made}_{count}"
                used.add(given)
                element.set("id", given)


class _Withheld(Treeprocessor):  # type: ignore[misc]
    def __init__(self, md: Markdown, withheld: frozenset[str]) -> None:
        super().__init__(md)
        self.withheld = withheld

    def run(self, root: Element) -> None:
        for element in root.iter("a"):
            if names_article(element.get("href", ""), self.withheld):
                element.tag = "span"  # its words stay; nothing of the address does
                element.attrib.clear()
        # A picture naming an article's file, which Zensical rewrites to the page's address
        # as it does a link's: its alternative text instead.
        for element in root.iter("img"):
            if names_article(element.get("src", ""), self.withheld):
                alt = element.get("alt", "")
                element.tag = "span"
                element.attrib.clear()
                element.text = alt


_PAGE_SUFFIXES = (".md", ".html")


def names_article(href: str, slugs: frozenset[str]) -> bool:
    """Whether a link names the page of one of these articles (`slugs` case-folded): relative,
    as written or percent-encoded, with or without `.md`, `.html` or a trailing `/index.html`,
    from a site page (`articles/x.md`) or from another article (`x.md`)."""
    try:
        parts = urllib.parse.urlsplit(html.unescape(href))  # `&#112;ending.md` as a browser does
    except ValueError:  # `//[x/y`: no address a browser follows
        return False
    if parts.scheme or parts.netloc:
        return False
    return article_named(parts.path, slugs) is not None


def article_named(path: str, slugs: frozenset[str]) -> str | None:
    """The slug of the article whose page the path of an address names (see `names_article`),
    or None."""
    if not slugs:
        return None
    path = urllib.parse.unquote(path).casefold().replace("\\", "/")
    # `articles/x/../back-pain.md` is a browser's `articles/back-pain.md`.
    segments = [
        segment for segment in posixpath.normpath(path).split("/") if segment not in ("", ".")
    ]
    if segments and segments[-1] in ("index.md", "index.html"):
        segments.pop()
    if not segments:
        return None
    last = segments[-1]
    for suffix in _PAGE_SUFFIXES:
        last = last.removesuffix(suffix)
    named = last in slugs and (len(segments) == 1 or segments[-2] == "articles")
    return last if named else None


class _Sanitize(Postprocessor):  # type: ignore[misc]
    def run(self, text: str) -> str:
        return clean(text)


class PipelineExtension(Extension):  # type: ignore[misc]
    def __init__(self, **kwargs: Any) -> None:
        self.config = {"withheld": [[], "the file names (without .md) of withheld articles"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        withheld = frozenset(str(slug).casefold() for slug in self.getConfig("withheld"))
        # After normalize_whitespace (30), which removes the stash's control characters from
        # the source; before html_block (20), so citations inside raw HTML work too.
        md.preprocessors.register(_Citations(md), "pipeline_citations", 25)
        # After fenced code (25) has taken its blocks, as check finds them; before html_block.
        md.preprocessors.register(_Audiences(md), "pipeline_audiences", 24)
        # After attr_list (8) has set ids, before toc (5) copies them into the page's toc.
        md.treeprocessors.register(_Ids(md), "pipeline_ids", 6)
        # After inline (20) has made the links, before the engines resolve them.
        md.treeprocessors.register(_Withheld(md, withheld), "pipeline_withheld", 7)
        # After raw_html (30) has put the stashed HTML back, and after everything else.
        md.postprocessors.register(_Sanitize(md), "pipeline_sanitize", 0)


def makeExtension(**kwargs: Any) -> PipelineExtension:
    return PipelineExtension(**kwargs)
