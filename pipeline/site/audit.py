"""Reading the built site back and checking the publishing promises (DESIGN §6).

The audit trusts nothing upstream: it reads every output file (HTML, JSON, XML, JavaScript,
compressed sitemaps, images and PDFs as bytes) and looks for text of withheld articles, and it
checks that every article page carries the canonical disclaimer and an approved review status.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pipeline import codes
from pipeline.checks.markup import SHRINKING, is_external
from pipeline.citations.formats import author_name
from pipeline.content.addresses import ASSET_TYPES, srcset_addresses
from pipeline.content.files import decode
from pipeline.content.pages import site_file_digest
from pipeline.content.pdf import pdf_problem
from pipeline.content.shown import shown_files
from pipeline.diagnostics import Diagnostic
from pipeline.model import READER_VISIBLE_FIELDS
from pipeline.project import Project
from pipeline.site.article_page import article_page_paths, page_problems, passage_words, site_of
from pipeline.site.csp import Theme, attributes, inline_scripts
from pipeline.site.engine_config import THEME_ASSETS
from pipeline.site.output_text import (
    DOCUMENTS,
    TAG,
    TAG_ATTRIBUTES,
    bidi_formatting,
    output_files,
    output_pieces,
    output_words,
)
from pipeline.site.probes import (
    article_addresses,
    found_in,
    joined,
    matcher,
    probe_words,
    probes,
    reader_text,
)
from pipeline.site.stage import PublishPlan
from pipeline.words import MAX_MARKS, normalize, stacked_marks

# What a site is made of: the engines' pages, styles, scripts, search index and sitemaps (and
# the licence files of their scripts, with no type, which a server sends as bytes to save), and
# the pictures, fonts and documents site pages and the theme folder may hold (Zensical copies
# the theme folder's hooks too, as text). Any other file fails the build: a type the server
# names as XML (.xsd, .rss) is a document a browser runs scripts in, and an archive (.xz,
# .zip) holds text the audit cannot read.
OUTPUT_TYPES = THEME_ASSETS | ASSET_TYPES | {".html", ".json", ".xml", ".gz", ".py", ""}


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
# value is text). Most pages hold nothing of the shape, and are not read tag by tag. The shape
# is searched for in the page in lower case from its "on", the character before it looked at
# first (a pattern that starts with a set of characters is tried at every character of a page;
# one that looks back only after reading the name read a run of "onon…" once for each "on").
_HANDLER = re.compile(r"""on(?<=[\t\n\f\r /"']on)[a-z]++[\t\n\f\r ]*+=""")
_START_TAG = re.compile(r"<[A-Za-z][^\t\n\f\r />]*" + TAG_ATTRIBUTES)
# Elements whose attributes make a browser fetch something as the page loads (links are not
# fetched), and those attributes: a preload's `imagesrcset` too, and the old `background` of a
# page or a table (fetched from a template's <link>, <body> or <td>; the policy stopped them),
# whose elements are read only on a page that has such an attribute.
_LOADER = re.compile(
    r"<(img|script|source|video|audio|iframe|embed|object|track|input|link|image|use|feimage)"
    r"\b" + TAG_ATTRIBUTES,
    re.I,
)
_BACKGROUND = re.compile(r"background[\t\n\f\r ]*=")  # searched in the page in lower case
_BACKGROUND_LOADER = re.compile(
    r"<(body|table|thead|tbody|tfoot|tr|td|th)\b" + TAG_ATTRIBUTES, re.I
)
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
        yield from srcset_addresses(value) if name in ("srcset", "imagesrcset") else [value]


# Elements that change where a page goes or what its addresses mean: only the pipeline's own
# Content-Security-Policy may be a <meta http-equiv>, and no page has a <base>.
# Each tag read once, its attributes as a browser reads them (a pattern of its own tried every
# "<meta" again to the end of the page, and missed `<meta a"b=1 http-equiv="refresh">`).
_TAKEOVER = re.compile(r"<(base\b|meta(?=[\t\n\f\r />]))" + TAG_ATTRIBUTES, re.I)


_STYLE = re.compile(r"<style[\s/>]", re.IGNORECASE)
# A declarative shadow root (`<template shadowrootmode="open">`) replaces what a browser shows of
# the element it stands in: the disclaimer beside it was never drawn, where the element tree
# still had it in place. No theme writes one.
_SHADOW_ROOTS = frozenset({"shadowrootmode", "shadowroot"})
# `ping` (on a link) and `attributionsrc` (on a link or a loading element) send a request of
# their own to an address, when a reader follows the link or as the page loads (the policy
# blocks it; no theme writes either). Searched for as an attribute's name, in lower case.
_PINGS = frozenset({"ping", "attributionsrc"})
_PING = re.compile(r"""[\t\n\f\r /"'](?:ping|attributionsrc)(?=[\t\n\f\r /=>])""")
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
        _HANDLER.search(lowered),
        "shadowroot" in lowered,
        "popover" in lowered,
        ("ping" in lowered or "attributionsrc" in lowered) and _PING.search(lowered),
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


# An element drawing its text smaller (HTML017): `_shrunk` reads their nesting on each page.
_SHRINKING = re.compile(
    rf"<(/?)({'|'.join(sorted(SHRINKING))})(?=[\t\n\f\r />])([^<>]*)>", re.IGNORECASE
)


def _shrunk(page: str) -> str | None:
    """The first element drawing its text smaller inside another (ten deep, a letter between a
    withheld article's words was half a pixel high), or None. A citation's number may stand
    inside one such element of the author's: its text is the pipeline's, a number."""
    opened: list[tuple[str, bool]] = []  # the open ones: name, whether a citation
    for found in _SHRINKING.finditer(page):
        closing, name = found.group(1), found.group(2).lower()
        if closing:  # closes the innermost of that name and what it holds; a stray one, none
            names = [open_name for open_name, _ in opened]
            if name in names:
                del opened[len(names) - 1 - names[::-1].index(name) :]
            continue
        citation = 'class="citation"' in found.group(3)
        if opened and not (citation and len(opened) == 1 and not opened[0][1]):
            return found.group(0)[:60]
        opened.append((name, citation))
    return None


def document_problems(data: bytes) -> list[str]:
    """What a document other than a page (an SVG or XML file) would run or load, opened on its
    own, where the site's policy does not reach; one that is not UTF-8 (a script in UTF-16 is
    not read here) is refused."""
    if b"\0" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ["is not UTF-8 text, which a browser could read a script from"]
    return page_loads(data.decode("utf-8", errors="replace"), Theme(None), policy=False)


def audit(site: Path, project: Project, plan: PublishPlan, theme: Theme) -> list[Diagnostic]:
    """Every broken promise in the built site at `site` (DESIGN §6.3), read from disk: empty
    when it may be published. `theme`: the engine's, whose inline scripts pages may run."""
    if project.disclaimer is None:
        raise ValueError("cannot audit without the canonical disclaimer")
    canonical = normalize(TAG.sub(" ", project.disclaimer.html))
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
        if suffix == ".pdf" and (why := pdf_problem(data)):  # the theme's too, or an engine's
            problem = f"is a {why[1:]}"
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
        if (shrunk := _shrunk(text)) is not None:
            problem = f"draws text too small to read ({shrunk!r} inside another such element)"
            problems.append(codes.PAGE_INCOMPLETE.at("mkdocs.yml", page=rel, problem=problem))
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
            if bidi_formatting(piece):
                self.reversed.add(rel)
            for end, (address, source) in self.links.iter(piece) if self.links else ():
                if _other_site(piece, end + 1 - len(address), self.own):
                    continue  # another site's page of that name (a journal's articles/x.html)
                leaked.setdefault(source, ("link", address))
            if self.texts is None:
                continue  # no withheld text to look for
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
    """The host of a full address as a browser reads it (`site_of`)."""
    site = site_of(address)
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


def _what(kind: str, found: str) -> str:
    return f"a link to its page ({found})" if kind == "link" else f"its text ('{found}…')"
