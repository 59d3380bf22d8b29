"""A change may not carry an article's text out of content/articles (PAGE007), nor quote an
article (PAGE008) or name its address (PAGE009) anywhere else readers get.

The build's audit looks for the text of every article it withholds in everything it writes. An
article the change deletes, or rewrites, is no longer one it withholds: pasted into a site page
(with a "Review status: Approved" box and the reviewer's name copied in) or into another file
readers get, its unreviewed text would publish. Against the base branch (`check --base`), the
text such an article had there may stand nowhere but in an article.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath

from pipeline import codes, git
from pipeline.checks.markup import linked_site_page, links, rendered
from pipeline.content.articles import parse_article
from pipeline.content.files import decode, readable, walk
from pipeline.content.pages import PAGES_DIR, check_titles, split_front_matter
from pipeline.content.yamltext import YamlProblem, load_yaml
from pipeline.diagnostics import Diagnostic
from pipeline.markdown_extension import article_named, names_article
from pipeline.model import Article
from pipeline.project import ARTICLES_DIR, Project
from pipeline.review.past import BaseBranch
from pipeline.site.output_text import output_words, pdf_reading
from pipeline.site.probes import (
    MARKDOWN_LINK,
    article_addresses,
    found_in,
    joined,
    matcher,
    probe_words,
    probes,
    reader_text,
)
from pipeline.site.sanitize import clean
from pipeline.words import normalize

# Comments, HTML's and the templates' (Jinja's), which readers never see: "saf<!--x-->fron"
# shows "saffron". One never closed runs to the end.
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|\{#.*?(?:#\}|\Z)", re.DOTALL)


# A reference-style link (`[sh][q]ort`): its text, without the label the engines drop.
_REFERENCE_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\[[^\[\]\n]*\]")


def reader_words(rel: str, text: str) -> str:
    """A file's words as readers could get them, joined: as written with markup dropped, and a
    Markdown file also as it renders (an image inside a word does not split it there); each
    also without what could be a comment, whether or not a reader's browser (or the template
    engine) takes it for one: a "{#" that starts no template comment hides nothing here. A
    page's front matter is read as YAML reads it too (a description spelt with `\\x72`
    escapes is printed into the page's head as letters), and a YAML file only so: its comments
    reach no page (mkdocs.yml's example of an article's address stopped every change to it)."""
    readings = [_yaml_values(text)] if rel.endswith((".yml", ".yaml")) else [text]
    if rel.endswith(".md"):
        head, body, _ = split_front_matter(text)
        readings += [_shown(body), _yaml_values(head or "")]
    readings += [_COMMENT.sub("", reading) for reading in readings]
    return " ".join(joined(output_words(reading)) for reading in readings)


@functools.lru_cache(maxsize=64)  # read for quotes, then for addresses
def _rendering(body: str) -> str | None:
    """A page's Markdown as the engines publish it (rendered and sanitized: its comments
    dropped); None when check cannot render it (too long to, or Python-Markdown fails)."""
    shown = rendered(body)
    return None if shown is None else clean(shown)


def _unrendered(rel: str, text: str) -> bool:
    """A Markdown page check cannot render."""
    return rel.endswith(".md") and _rendering(split_front_matter(text)[1]) is None


def _shown(body: str) -> str:
    """`_rendering`, or for a page check cannot render (refused where the change touches it,
    PAGE010) its text with links and images as their text, as written."""
    shown = _rendering(body)
    if shown is None:
        return _REFERENCE_LINK.sub(r"\1", MARKDOWN_LINK.sub(r"\1", body))
    return shown


def _yaml_values(text: str) -> str:
    """Every text value of a YAML document as YAML reads it, a line each (nothing for one
    YAML cannot read: it reaches no page)."""
    parsed = load_yaml(text) if text else None
    if parsed is None or isinstance(parsed, YamlProblem):
        return ""
    values: list[str] = []
    pending = [parsed.data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending += [*map(str, value), *value.values()]
        elif isinstance(value, list):
            pending += value
        elif isinstance(value, str):
            values.append(value)
    return "\n".join(values)


def _line_of(text: str, probe: str) -> int:
    """The first line holding the probe's first words, as well as words can be placed on a
    line (1 when markup spreads them)."""
    start = joined(" ".join(probe.split()[:3]))
    for number, line in enumerate(text.splitlines(), 1):
        if start in joined(normalize(line)):
            return number
    return 1


def check_moved_text(
    base: str,
    gone: Iterable[tuple[str, str, bool]],
    articles: Iterable[Article],
    files: Iterable[tuple[str, str]],
    before: Callable[[str], str | None],
) -> list[Diagnostic]:
    """PAGE007 for each of `files` (path and text: site pages, templates, references, the
    engine's settings) holding distinctive text of a `gone` article (path, its reader text on
    `base`, whether the base published it) that no article of the change still holds. What a
    published article said was reviewed: a file that already held it on the base (`before`:
    a file's text there) may keep it, as a page quoting the article, or the disclaimer an
    article quoted, may."""
    candidates: dict[str, tuple[str, str, bool]] = {}
    for path, text, reviewed in gone:
        for probe in probes(text):
            candidates.setdefault(joined(probe), (path, probe, reviewed))
    kept = matcher(dict.fromkeys(candidates, ""))
    for article in articles:
        for needle, _ in found_in(kept, probe_words(reader_text(article))):
            candidates.pop(needle, None)
    search = matcher({needle: needle for needle in candidates})
    if search is None:
        return []
    found = []
    for rel, text in files:
        held: str | None = None
        for needle, _ in found_in(search, reader_words(rel, text)):
            path, probe, reviewed = candidates[needle]
            if reviewed:
                if held is None:
                    held = reader_words(rel, before(rel) or "")
                if needle in held:
                    continue
            line = _line_of(text, probe)
            found.append(codes.MOVED_TEXT.at(rel, line, 1, article=path, base=base, text=probe))
            break
    return found


# Where readers could get text from, besides the articles: site pages and their files, the
# templates, the disclaimer and roster, the engine's settings. Library files are left out: a
# reference list shows only the cited entries' fields, which approvals sign.
_READER_FOLDERS = ("content", "overrides", "references")


def _reader_files(root: Path) -> Iterator[tuple[str, str]]:
    """Each such file's path and text, one at a time (a large PDF is read and let go)."""
    folders = (walk(root / folder) for folder in _READER_FOLDERS)
    for path in [root / "mkdocs.yml", *(path for folder in folders for path in folder)]:
        rel = path.relative_to(root).as_posix()
        if rel.startswith(f"{ARTICLES_DIR}/") or path.suffix == ".bib":
            continue
        if not readable(root, path):
            continue  # a link or a badly named file is refused where it is read (FM018)
        try:
            yield rel, _text_of(rel, path.read_bytes())
        except OSError:
            continue  # unreadable: nothing of it can reach readers either


def _text_of(rel: str, data: bytes) -> str:
    """A file as readers may read it: every file, images and PDFs too, as bytes (as the audit
    reads them), and a PDF by its text too (`pdf_reading`, as the audit reads it)."""
    text = data.decode("utf-8", errors="replace")
    return f"{text}\n{pdf_reading(data)}" if rel.lower().endswith(".pdf") else text


def moved_articles(root: Path, project: Project, base: str, today: dt.date) -> list[Diagnostic]:
    """What the base branch's articles that this change deletes or rewrites said, and their
    titles, shown anywhere but in an article (PAGE007, PAGE006)."""
    paths = [path for path, _ in git.blobs_at(root, base, ARTICLES_DIR) if path.endswith(".md")]
    branch = BaseBranch(root, base, paths)
    now = {git.committed((root / path).read_bytes()) for path in project.article_files}
    gone: list[tuple[str, str, bool]] = []
    titled = []
    for path in paths:
        text = branch.texts.get(path)
        if text is None or text in now:
            continue
        there = branch.article(path, path, project.board, today, ("", frozenset()))
        reviewed = there.published and len(there.valid) >= project.settings.approvals_required
        article, _ = parse_article(path, text, today)
        gone.append((path, reader_text(article) if article is not None else text, reviewed))
        if article is not None:
            titled.append(article)
    titles = {normalize(a.title) for a in project.articles}
    found = check_titles(project.pages, [a for a in titled if normalize(a.title) not in titles])
    return found + check_moved_text(
        base,
        gone,
        project.articles,
        _reader_files(root),
        lambda rel: _text_at(root, base, rel),
    )


def _text_at(root: Path, base: str, rel: str) -> str | None:
    """A file's text on the base branch, read as `_text_of` reads it (None: not there)."""
    if not rel.lower().endswith(".pdf"):
        return git.file_at(root, base, rel)
    data = git.files_at(root, base, [rel]).get(rel)
    return None if data is None else _text_of(rel, data)


def quoted_articles(root: Path, project: Project, base: str) -> list[Diagnostic]:
    """PAGE008 for each file readers get outside the articles (site pages and their files,
    templates, the disclaimer, mkdocs.yml) that holds distinctive text of an article, published
    or not, where the change made them meet: a file it adds or alters, or an article it adds or
    alters. The build fails when it finds a withheld article's text in its output, so a quote of
    a published article, harmless today, stopped every build of main on the day that article
    was withdrawn or its approver's declaration ran out (a day a pull request can choose),
    holding every other correction off the site. A pair the change leaves alone is not read."""
    files = list(_reader_files(root))
    there = git.files_at(root, base, [rel for rel, _ in files] + list(project.article_files))
    altered = {rel for rel, text in files if rel not in there or _text_of(rel, there[rel]) != text}
    rewritten = [
        article
        for article in project.articles
        if article.path not in there
        or git.committed(there[article.path]) != git.committed((root / article.path).read_bytes())
    ]
    quoted = project.articles if altered else rewritten
    candidates: dict[str, tuple[str, str]] = {}
    for article in quoted:
        for probe in probes(reader_text(article)):
            candidates.setdefault(joined(probe), (article.path, probe))
    new = {article.path for article in rewritten}
    everywhere = matcher({n: n for n, (path, _) in candidates.items() if path in new})
    anywhere = matcher(dict.fromkeys(candidates, ""))
    found = [
        codes.UNREAD_PAGE.at(rel, 1, 1)
        for rel, text in files
        if rel in altered and _unrendered(rel, text)
    ]
    for rel, text in files:
        search = anywhere if rel in altered else everywhere
        if search is None:
            continue  # nothing to look for in it
        # Its path too: a page's file name is in its address, the sitemap and the search index.
        words = f"{reader_words(rel, text)} {joined(normalize(rel))}"
        for needle, _ in found_in(search, words):
            path, probe = candidates[needle]
            line = _line_of(text, probe)
            found.append(codes.QUOTED_ARTICLE.at(rel, line, 1, article=path, text=probe))
            break
    # PAGE011: a page a published article links to stays as the article's reviewers saw it.
    linked = _linked_pages([a for a in project.articles if project.is_publishable(a)])
    found += [
        codes.LINKED_PAGE_CHANGED.at(rel, 1, 1, article=linked[rel])
        for rel, _ in files
        if rel in altered and rel in linked
    ]
    # PAGE009 reads the articles and the library too: an approved article, or a source it
    # cites, naming another article's page by its full address or as text stopped main's builds
    # on the day that article was withheld (only a link the build turns into words is safe).
    # Only those the change adds or alters: a signed article naming another site's address that
    # ends like an article's must not block that article's withdrawal.
    signed = [(a.path, decode((root / a.path).read_bytes()) or "") for a in rewritten]
    library = list(_library_files(root))
    before = git.files_at(root, base, [rel for rel, _ in library])
    altered |= {a.path for a in rewritten}
    altered |= {
        rel for rel, text in library if before.get(rel, b"").decode("utf-8", "replace") != text
    }
    library = [(rel, text) for rel, text in library if rel in altered]
    # A file left alone is read for the addresses of the articles the change adds: an article's
    # address is its own from the day it is added (a withdrawal keeps it).
    added = [article for article in rewritten if article.path not in there]
    return found + _named_addresses([*files, *signed, *library], project.articles, altered, added)


def _linked_pages(articles: Sequence[Article]) -> dict[str, str]:
    """The site pages' files the articles link to (HTML014), each with the first article."""
    found: dict[str, str] = {}
    for article in articles:
        for link in links(article.body) if "](" in article.body or "]:" in article.body else ():
            page = linked_site_page(link.url)
            if page is None:
                continue
            stem = page.removesuffix("/").removesuffix("index.html").removesuffix("index.md")
            stem = stem.removesuffix("/").removesuffix(".html").removesuffix(".md")
            names = [f"{stem}.md", f"{stem}/index.md"] if stem else ["index.md"]
            for name in names:
                found.setdefault(f"{PAGES_DIR}/{name}", article.path)
    return found


def _library_files(root: Path) -> Iterator[tuple[str, str]]:
    """The library's files, path and text (the reference lists print their cited fields)."""
    for path in walk(root / "references"):
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".bib" and readable(root, path):
            yield rel, path.read_bytes().decode("utf-8", errors="replace")


def _named_addresses(
    files: list[tuple[str, str]],
    articles: Sequence[Article],
    altered: set[str],
    added: Sequence[Article],
) -> list[Diagnostic]:
    """PAGE009: the address of an article's page (as the audit looks for it) where the build
    cannot make a link of it into words: as text, in an address of another site, a link's
    title, a template. On the day the article is withheld the audit would find it and stop
    every build of main, as for a quote (PAGE008)."""
    slugs = frozenset(PurePosixPath(a.path).stem.casefold() for a in articles)
    needles = {
        address: article.path
        for article in (articles if altered else added)
        for address in article_addresses(article.path)
    }
    new = {article.path for article in added}
    anywhere = matcher(needles)
    everywhere = matcher({n: path for n, path in needles.items() if path in new})
    found = []
    for rel, text in files:
        search = anywhere if rel in altered else everywhere
        if search is None:
            continue  # nothing to look for in it
        for address, path in found_in(search, _address_reading(rel, text, slugs)):
            if path == rel:
                continue  # an article naming its own page: withheld, it is published nowhere
            line = _line_naming(rel, text, address, slugs)
            found.append(codes.ADDRESS_NAMED.at(rel, line, 1, article=path, address=address))
            break
    return found


def _line_naming(rel: str, text: str, address: str, slugs: frozenset[str]) -> int:
    """The first line naming `address` read on its own as the file is read (a page's line
    rendered, its links to articles as the build leaves them: one the build turns into words
    names nothing); else the first holding it as written; 1 when none does."""
    rows = text.splitlines()
    # Rows rendered one by one only on a page that renders whole (a page too long to render
    # would take as long again, a row at a time).
    if rel.endswith(".md") and not _unrendered(rel, text):
        for number, row in enumerate(rows, 1):
            if row.strip() and address in _address_reading(rel, row, slugs):
                return number
    return next((number for number, row in enumerate(rows, 1) if address in _readings(row)), 1)


_HREF = re.compile(r'(<a\b[^<>]*?\shref=")([^"]*)(")')
_SRC = re.compile(r'<img\b[^<>]*?\ssrc="([^"]*)"', re.IGNORECASE)
# Any tag, as a search index drops it: with nothing in its place.
_ANY_TAG = re.compile(r"<[^<>]*>")
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


def _address_reading(rel: str, text: str, slugs: frozenset[str]) -> str:
    """A file as the engines publish it, for the audit's search for addresses: a Markdown page
    rendered, without the links to articles that the build turns into words when the article
    is withheld (`names_article`), with its front matter's values; any other file as written,
    a YAML file by its keys and values as YAML reads them (not its comments)."""
    if rel.endswith(".md"):
        head, body, _ = split_front_matter(text)
        shown = _shown(body)

        def blank(found: re.Match[str]) -> str:
            address = html.unescape(found.group(2))
            if not names_article(address, slugs):
                # A full address naming an article's page, however spelt (dot segments,
                # escapes, no extension): read as the address the audit looks for.
                return found.group(0) + _as_address(_page_named(address, slugs))
            # The path only: a query or fragment stays in the link when the article publishes.
            cut = min((i for i in (address.find("?"), address.find("#")) if i >= 0), default=-1)
            return found.group(1) + (address[cut:] if cut >= 0 else "") + found.group(3)

        def source(found: re.Match[str]) -> str:
            # A picture naming an article's file in raw HTML, which the build cannot turn into
            # words: Zensical makes the page's address of it, withheld or not.
            named = _page_named(html.unescape(found.group(1)), slugs)
            return found.group(0) + _as_address(named)

        shown = _SRC.sub(source, _HREF.sub(blank, shown))
        # Unrendered (refused where the change touches a page, PAGE010): as written too, link
        # targets and all.
        raw = _readings(body) if _rendering(body) is None else ""
        return _readings(shown) + "\n" + raw + "\n" + _yaml_values(head or "")
    if rel.endswith((".yml", ".yaml")):
        return _yaml_values(text)  # its comments reach no page
    if rel.endswith(".html"):  # a template: Jinja prints none of its own comments
        return _readings(_JINJA_COMMENT.sub("", text))
    return _readings(text)


def _page_named(address: str, slugs: frozenset[str]) -> str | None:
    """The slug of the article whose page an address names, relative or full, however spelt;
    None for any other, or for one no parser reads."""
    try:
        return article_named(urllib.parse.urlsplit(address).path, slugs)
    except ValueError:  # `//[x`
        return None


def _as_address(slug: str | None) -> str:
    """An article's page as the audit looks for it, set apart by blanks; "" for None."""
    return f" articles/{slug}.html " if slug else ""


def _readings(text: str) -> str:
    """Text as written and as a browser reads it (`articles/&#112;ending/` is the withheld
    page's address), each also as a search index reads it: its tags and comments dropped with
    nothing in their place (`back<sup></sup>-spasm.html` is indexed as `back-spasm.html`)."""
    plain = _ANY_TAG.sub("", _COMMENT.sub("", text))
    return "\n".join((text, html.unescape(text), plain, html.unescape(plain)))
