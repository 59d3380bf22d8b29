"""The site's own pages (content/pages): what may be published beside the articles.

Site pages reach readers like articles do, so they pass the same checks: the same raw-HTML
policy (with an image or figure of the site's own allowed, `checks/markup.SITE_PAGES`), the same
sanitizer when rendered, and no front matter that only the pipeline sets: a page may give its
`title`, `description` and what the theme should `hide`, nothing else, so no page can pose as an
approved article with a template and a review block of its own. Files beside the pages are
limited to images and PDFs (an SVG only without scripts, styles or outside references); no page
may live where the pipeline publishes articles and topics, and no page may cite (it would have
no reference list).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import lxml.etree

from pipeline import codes
from pipeline.checks.markup import SITE_PAGES, check_text, shown_headings
from pipeline.citations.scan import scan_text
from pipeline.content.addresses import ASSET_TYPES, GENERATED_FOLDERS
from pipeline.content.articles import front_matter as read_front_matter
from pipeline.content.files import THEME_FOLDER, check_marks, decode, readable, walk
from pipeline.content.pdf import NOT_IN_FORM, pdf_problem
from pipeline.content.yamltext import YamlProblem, load_yaml
from pipeline.diagnostics import Diagnostic
from pipeline.model import Article
from pipeline.words import normalize

PAGES_DIR = "content/pages"
PAGE_FIELDS = ("title", "description", "hide")
# Where the pipeline publishes generated pages: a site page there could pose as one of them.
RESERVED_FOLDERS = GENERATED_FOLDERS
RESERVED_PAGES = tuple(f"{folder}.md" for folder in RESERVED_FOLDERS)
# Where the themes keep their own files: a site page's file there would replace one (both
# engines let a page's file win over the theme's of the same path: a picture of the pages
# replaced the favicon, or the header's logo, of every article page).
THEME_ASSETS_FOLDER = "assets"


@dataclass(frozen=True)
class SitePages:
    """The pages (docs-relative path -> Markdown) and the files beside them that may publish."""

    pages: dict[str, str] = field(default_factory=dict)
    assets: tuple[str, ...] = ()
    # Each asset's digest, as approvals sign the ones an article shows (`shown.py`).
    digests: dict[str, str] = field(default_factory=dict)


# Files whose every reader takes a CR LF for a LF (XML, CSS, scripts, templates, YAML, Markdown,
# Python): their line endings are folded before a digest. Not a PDF, whatever its bytes: a PDF
# written in plain text, with a run of CR LF, read its cross-reference table elsewhere once
# they were LF, and showed another dose under the signed digest.
TEXT_TYPES = frozenset(
    {".svg", ".xml", ".css", ".js", ".mjs", ".map", ".html", ".csl", ".yml", ".yaml", ".md"}
    | {".py", ".txt"}
)


def site_file_digest(data: bytes, name: str) -> str:
    """A file's digest as signatures cover it: its bytes as they are published, the line
    endings of a text (`TEXT_TYPES`, by `name`) made LF: a checkout with Windows line endings
    signs what git holds, as git converts only text. Anything else byte for byte."""
    text = Path(name).suffix.lower() in TEXT_TYPES
    return hashlib.sha256(data.replace(b"\r\n", b"\n") if text else data).hexdigest()


def in_articles_folder(rel: str) -> bool:
    """Whether a published file's address holds what the audit takes for an article's: a page
    in a folder whose name ends in `articles` (`guides/articles/back-pain.md`, published as
    `…articles/back-pain.html`), or any file in a folder of such a folder
    (`img/myarticles/heat/x.png`, `…articles/heat/`). On the day that article is withheld the
    build would stop. A picture right in such a folder (`img/articles/chart.png`) holds none."""
    parts = rel.split("/")
    for index, folder in enumerate(parts[:-1]):
        if folder.casefold().endswith("articles"):
            rest = parts[index + 1 :]
            if len(rest) > 1 or rest[0].lower().endswith(".md"):
                return True
    return False


def load_pages(root: Path) -> tuple[SitePages, list[Diagnostic]]:
    folder = root / PAGES_DIR
    pages: dict[str, str] = {}
    assets: list[str] = []
    digests: dict[str, str] = {}
    problems: list[Diagnostic] = []
    if not folder.is_dir() or folder.is_symlink():
        return SitePages(), problems
    for path in walk(folder):
        if not readable(root, path):
            continue  # reported once for every file the pipeline reads (`files.py`)
        rel = path.relative_to(folder).as_posix()
        at = f"{PAGES_DIR}/{rel}"
        # In any case: on a disk that ignores case (macOS, Windows), Articles/ is articles/.
        top = rel.split("/", 1)[0]
        # `topics.md` is topics/index.html with directory addresses (the engines dropped one
        # of the two, or failed); `404.md` replaced the theme's page for a missing address.
        if top.casefold() in RESERVED_FOLDERS or rel.casefold() in RESERVED_PAGES:
            problems.append(codes.PAGE_PATH.at(at, where=top, owner="pipeline"))
        elif in_articles_folder(rel):
            where = next(f for f in rel.split("/") if f.casefold().endswith("articles"))
            where = f"{where}/ (a folder named like articles/, its pages and folders)"
            problems.append(codes.PAGE_PATH.at(at, where=where, owner="pipeline"))
        elif top.casefold() == THEME_ASSETS_FOLDER or rel.casefold() == "404.md":
            problems.append(codes.PAGE_PATH.at(at, where=top, owner="theme"))
        elif (root / THEME_FOLDER / rel).exists():
            problems.append(codes.PAGE_PATH.at(at, where=rel, owner="theme"))
        elif path.suffix == ".md":
            text = decode(path.read_bytes())
            if text is None:
                problems.append(codes.NOT_UTF8.at(at, 1, 1))
                continue
            found = check_page(at, text)
            problems += found
            if not any(d.is_error for d in found):
                pages[rel] = text
        elif path.suffix.lower() in ASSET_TYPES:
            data = path.read_bytes()
            kind = path.suffix.lower()
            why = svg_problem(data) if kind == ".svg" else None
            why = pdf_problem(data) if kind == ".pdf" else why
            found = [codes.PAGE_FILE_TYPE.at(at, suffix=why)] if why else []
            if why == NOT_IN_FORM:
                found = [codes.PDF_NOT_IN_FORM.at(at, file=at)]
            if not _looks_like(kind, data):
                suffix = f"a {path.suffix} file whose content is something else"
                found = [codes.PAGE_FILE_TYPE.at(at, suffix=suffix)]
            problems += found
            if not found:
                assets.append(rel)
                digests[rel] = site_file_digest(data, rel)
        else:
            problems.append(codes.PAGE_FILE_TYPE.at(at, suffix=path.suffix or "(none)"))
    return SitePages(dict(sorted(pages.items())), tuple(sorted(assets)), digests), problems


# How each binary type starts: a script or a page saved under an image's or a PDF's name is
# refused (a browser asked to run it as a script would).
_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".ico": (b"\x00\x00\x01\x00",),
    ".pdf": (b"%PDF-",),
}


def _looks_like(suffix: str, data: bytes) -> bool:
    if suffix == ".webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if suffix == ".avif":
        return data[4:12] in (b"ftypavif", b"ftypavis")
    return data.startswith(_SIGNATURES.get(suffix, (b"",)))


def page_title(text: str, name: str) -> str:
    """A site page's title as readers see it: its front matter's, else its first heading."""
    meta = read_front_matter(text)
    if isinstance(meta.get("title"), str) and meta["title"].strip():
        return " ".join(str(meta["title"]).split())
    heading = re.search(r"^#[ \t]+(.+)$", text, re.M)
    if heading is None:
        return name.removesuffix(".md").replace("-", " ")
    return " ".join(html.unescape(heading.group(1)).split())  # as Markdown shows the heading


# A heading as Markdown writes one, read line by line where a page is too long to render:
# `# Title` (closing hashes aside, in a quote or a list too), a line underlined, or an <h2>.
_HEADINGS = re.compile(
    r"^[ \t>*+\-\d.]*+#{1,6}+[ \t]++(.*)$|^[ \t>]*+(.++)\n[ \t>]*+(?:=++|-++)[ \t]*+$"
    r"|<h[1-6]\b[^>\n]*+>([^\n]*)",
    re.M | re.I,
)
_TAGS = re.compile(r"<[^<>\n]*+>")


def check_titles(pages: dict[str, str], articles: Iterable[Article]) -> list[Diagnostic]:
    """PAGE006 for a site page that shows an article's title, in its front matter or as any
    heading as the site renders it, read as readers read words (case, emphasis, punctuation,
    markup and invisible characters aside): with the board's notice and a "Reviewed by" line
    copied in, readers would take it for the reviewed article."""
    titles = {normalize(a.title): a for a in articles if normalize(a.title)}
    found = []
    for rel, text in pages.items():
        _, body, _ = split_front_matter(text)
        shown = shown_headings(body)
        if shown is None:
            shown = [
                html.unescape(
                    _TAGS.sub(
                        "", m.group(1).rstrip(" \t#") if m.group(1) else m.group(2) or m.group(3)
                    )
                )
                for m in _HEADINGS.finditer(body)
            ]
        for title in [page_title(text, rel.rsplit("/", 1)[-1]), *shown]:
            if article := titles.get(normalize(title)):
                at = f"{PAGES_DIR}/{rel}"
                found.append(
                    codes.PAGE_TITLE_TAKEN.at(at, title=article.title, article=article.path)
                )
                break
    return found


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """A page's front matter (None when it has none), its body, and the body's first line."""
    if text.startswith("---\n"):
        closing = text.find("\n---\n", 3)
        if closing != -1:
            return text[4 : closing + 1], text[closing + 5 :], text.count("\n", 0, closing + 5) + 1
    return None, text, 1


# What a page may ask the theme to leave out (Material's and Zensical's `hide`).
HIDEABLE = frozenset({"navigation", "toc", "footer", "path", "tags", "feedback"})


def value_problem(key: str, value: object) -> str | None:
    """Why a site page's field holds the wrong kind of value: the themes print the title and
    the description into the page's head, escaped only when staging sees text."""
    if key == "hide":
        fine = isinstance(value, list) and all(item in HIDEABLE for item in value)
        return None if fine else f"a list of {', '.join(sorted(HIDEABLE))}"
    return None if isinstance(value, str) and "\n" not in value.strip() else "one line of text"


def check_page(rel: str, text: str) -> list[Diagnostic]:
    """A site page's problems: its front matter, its markup, citations."""
    problems = check_marks(rel, text)
    head, body, first_line = split_front_matter(text)
    parsed = load_yaml(head) if head is not None else None
    if isinstance(parsed, YamlProblem):
        problems.append(
            codes.YAML_SYNTAX.at(rel, parsed.line + 1, parsed.column, problem=parsed.message)
        )
    elif parsed is not None and not isinstance(parsed.data, dict):
        problems.append(codes.NOT_A_MAPPING.at(rel, 2, 1, kind="not settings"))
    elif parsed is not None:
        known = ", ".join(PAGE_FIELDS)
        for key, value in parsed.data.items():
            line = 1 + parsed.key_lines.get(str(key), 1)
            if str(key) not in PAGE_FIELDS:
                problems.append(codes.PAGE_FIELD.at(rel, line, 1, key=key, known=known))
            elif (what := value_problem(str(key), value)) is not None:
                problems.append(codes.PAGE_VALUE.at(rel, line, 1, key=key, what=what))
    problems += check_text(rel, body, first_line, SITE_PAGES)
    for citation in scan_text(body):
        line = first_line + body.count("\n", 0, citation.start)
        problems.append(codes.PAGE_CITATION.at(rel, line, 1))
    return problems


_SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# What a picture is drawn with: shapes, groups, paint, clipping and filters, and images it
# holds itself. Nothing else: no script, style or foreign content, no link, and no animation
# (a <set> gave a link the address "javascript:..." once the picture was open, which ran a
# script on the site's own address). Text can be drawn in any order its positions say,
# whatever order it is stored in (the audit reads stored order): an image's words are written
# on the page, or exported as outlines.
_SVG_ELEMENTS = frozenset(
    {"svg", "g", "defs", "symbol", "use", "image", "switch", "title", "desc", "metadata"}
    | {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "marker"}
    | {"lineargradient", "radialgradient", "stop", "pattern", "clippath", "mask", "filter"}
    | {"feblend", "fecolormatrix", "fecomponenttransfer", "fecomposite", "feconvolvematrix"}
    | {"fediffuselighting", "fedisplacementmap", "fedistantlight", "fedropshadow", "feflood"}
    | {"fefunca", "fefuncb", "fefuncg", "fefuncr", "fegaussianblur", "femerge", "femergenode"}
    | {"femorphology", "feoffset", "fepointlight", "fespecularlighting", "fespotlight"}
    | {"fetile", "feturbulence"}
)
_SVG_TEXT = frozenset({"text", "tspan", "textpath"})
# A reference to something outside the picture in a presentation attribute (fill, mask,
# filter, clip-path): only its own parts (`url(#id)`) may be named. Values are read as CSS
# reads them, so no backslash (`u\\rl(` is `url(`), and no function but these.
# Possessive, and a name read once from where it starts: a value of 40,000 letters was
# searched for a "(" again from every one of them (12 s).
_OUTSIDE_URL = re.compile(r"url\(\s*+(?![\s'\"]*+#)", re.IGNORECASE)
_FUNCTION = re.compile(r"([\w-]*+)\s*+(\()?")
_DRAWING_FUNCTIONS = frozenset(
    {"url", "translate", "rotate", "scale", "matrix", "skewx", "skewy", "rgb", "rgba", "hsl"}
    | {"hsla"}
)


# A document type can declare entities (text a browser puts where `&name;` stands), and CDATA
# is text a browser shows: an image has no need of either.
_SVG_TEXT_TRICKS = re.compile(rb"<!DOCTYPE|<!ENTITY|<!\[CDATA\[", re.IGNORECASE)
# An XML declaration naming another encoding makes the parser read the bytes otherwise.
_NOT_UTF8_DECLARED = re.compile(rb"encoding\s*=\s*[\"'](?!utf-?8[\"'])", re.IGNORECASE)


def read_xml(data: bytes) -> lxml.etree._Element:
    """An XML document's tree, read without entities, the network or a huge tree: what the
    pipeline reads of a file a pull request can give it (XMLSyntaxError when it is not XML)."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return lxml.etree.fromstring(data, parser)


# More than any drawing program writes on one element: lxml reads an element's attributes in
# time that grows with their square (100,000 on one element held check for 33 s).
SVG_ATTRIBUTES_LIMIT = 100


def svg_problem(data: bytes) -> str | None:
    """Why an SVG is not a plain picture ("an .svg with a <script> element"), or None: an SVG
    is an image only when it holds nothing that runs, styles or loads, and no document type or
    CDATA (where text can stand that a browser shows). Only UTF-8 is read: in UTF-16 a
    document type (whose default attributes a browser applies, an `onload` among them) hides
    from a search of the bytes."""
    if b"\0" in data or _NOT_UTF8_DECLARED.search(data):
        return ".svg that is not UTF-8 text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return ".svg that is not UTF-8 text"
    if _SVG_TEXT_TRICKS.search(data):
        return ".svg with a document type or CDATA"
    try:
        tree = read_xml(data)
    except lxml.etree.XMLSyntaxError:
        return ".svg that cannot be read"
    # Elements of another kind (an XHTML <meta http-equiv="refresh">, which sent a reader who
    # opened the image to another site), and processing instructions (a stylesheet from
    # elsewhere), are not part of an image.
    for element in [*tree.itersiblings(preceding=True), *tree.iter()]:
        if element.tag is lxml.etree.ProcessingInstruction:
            return ".svg with a processing instruction"
        if element.tag is lxml.etree.Comment:
            continue  # drawn as nothing (an icon set's licence)
        tag = element.tag if isinstance(element.tag, str) else f"{{{_SVG_NAMESPACE}}}"
        name = tag.rsplit("}", 1)[-1].lower()
        if not tag.startswith(f"{{{_SVG_NAMESPACE}}}"):
            return f".svg with a <{name}> of another kind"
        if name in _SVG_TEXT:
            what = (
                f".svg with text (<{name}>; export the text as outlines, or write it on the page)"
            )
            return what
        if name not in _SVG_ELEMENTS:
            return f".svg with a <{name}> element"
        if len(element.attrib) > SVG_ATTRIBUTES_LIMIT:  # lxml reads them in quadratic time
            return f".svg with an element of more than {SVG_ATTRIBUTES_LIMIT} attributes"
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or local == "style":
                return f".svg with a '{local}' attribute"
            # Only its own parts: a picture of the site it drew would change without the SVG
            # changing, under the approval that signed the SVG's bytes.
            if local in ("href", "src") and not value.strip().startswith("#"):
                return ".svg that draws another file (draw everything in the SVG itself)"
            called = (m[1] for m in _FUNCTION.finditer(value) if m[2])
            functions = {f.lower() for f in called} - _DRAWING_FUNCTIONS
            # xml:base would make the picture's own addresses another site's.
            if _OUTSIDE_URL.search(value) or functions or "\\" in value or local == "base":
                return ".svg that loads from another site"
    return None
