"""Reading the built site back and checking the publishing promises (DESIGN §6).

The audit trusts nothing upstream: it reads every output file (HTML, JSON, XML, JavaScript,
compressed sitemaps) and looks for text of withheld articles, and it checks that every article
page carries the canonical disclaimer and an approved review status.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import json
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from pipeline import codes
from pipeline.articles import decode
from pipeline.citations import BRACKET
from pipeline.diagnostics import Diagnostic
from pipeline.disclaimer import Disclaimer
from pipeline.project import Project
from pipeline.stage import PublishPlan

PROBE_WORDS = 8
TEXT_SUFFIXES = {".html", ".htm", ".json", ".xml", ".js", ".txt", ".css", ".svg", ".gz", ".map"}
_TAG = re.compile(r"<[^>]*>")
_NON_WORD = re.compile(r"[^\w]+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_FRONT_KEY = re.compile(r"^\s*-?\s*[A-Za-z_]+:\s*", re.MULTILINE)


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces: markup and punctuation do not matter."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def probes(markdown: str) -> set[str]:
    """Distinctive runs of words from an article's source: the start of each long sentence,
    and its title-like lines. Citations and link targets are dropped first, as a renderer would."""
    text = BRACKET.sub(" ", markdown)
    text = _LINK.sub(r"\1", text)
    text = _FRONT_KEY.sub("\n", text)
    found = set()
    for sentence in re.split(r"[.!?\n]+", text):
        words = normalize(sentence).split()
        if len(words) >= 5:
            found.add(" ".join(words[:PROBE_WORDS]))
    return found


def output_raw(path: Path) -> str:
    """The file as text, decompressed when it is gzip (sitemap.xml.gz)."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return ""
    return data.decode("utf-8", errors="replace")


def output_text(path: Path, raw: str | None = None) -> str:
    """The words a reader (or a search engine) could get out of an output file."""
    text = output_raw(path) if raw is None else raw
    if path.suffix == ".json" or path.name.endswith(".json.gz"):
        with contextlib.suppress(ValueError):
            text = " ".join(_strings(json.loads(text)))
    return normalize(_TAG.sub(" ", html.unescape(_TAG.sub(" ", text))))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield html.unescape(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def output_files(site: Path) -> Iterator[Path]:
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
            yield path


def check_leaks(
    site: Path, root: Path, plan: PublishPlan, allowed: Iterable[str]
) -> list[Diagnostic]:
    """Text of any withheld article, or a link to its page, anywhere in the output is an error."""
    public = normalize(" ".join(allowed))
    wanted: dict[str, str] = {}
    addresses: dict[str, str] = {}
    for rel in plan.withheld:
        text = decode((root / rel).read_bytes()) or ""
        for probe in probes(text):
            if probe not in public:
                wanted.setdefault(probe, rel)
        slug = Path(rel).stem
        for address in (f"articles/{slug}.html", f"articles/{slug}/"):
            addresses[address] = rel
    problems = []
    for path in output_files(site):
        raw = output_raw(path)
        text = output_text(path, raw)
        leaked: dict[str, str] = {}
        for address, source in addresses.items():
            if address in raw:
                leaked.setdefault(source, f"a link to its page ({address})")
        for probe, source in wanted.items():
            if probe in text:
                leaked.setdefault(source, f"its text ('{probe}…')")
        for source, what in sorted(leaked.items()):
            problems.append(
                codes.LEAK(
                    source,
                    0,
                    0,
                    f"this unpublished article leaked into {path.relative_to(site).as_posix()}: "
                    f"{what}",
                )
            )
    return problems


class _Elements(HTMLParser):
    """Collects, for each element id, its attributes and text content."""

    VOID: ClassVar[set[str]] = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, tuple[dict[str, str], list[str]]] = {}
        self.counts: dict[str, int] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        element_id = attributes.get("id")
        if element_id:
            self.counts[element_id] = self.counts.get(element_id, 0) + 1
            self.found.setdefault(element_id, (attributes, []))
        if tag not in self.VOID:
            self._open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id and element_id in self.found:
                self.found[element_id][1].append(data)


def check_article_pages(site: Path, plan: PublishPlan, disclaimer: Disclaimer) -> list[Diagnostic]:
    canonical = normalize(_TAG.sub(" ", disclaimer.html))
    problems = []
    for article in plan.published:
        page = site / "articles" / article.slug / "index.html"
        if not page.is_file():
            page = site / "articles" / f"{article.slug}.html"
        if not page.is_file():
            problems.append(
                codes.PAGE_INCOMPLETE(article.path, 0, 0, "the article page was not written")
            )
            continue
        parser = _Elements()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        rel = page.relative_to(site).as_posix()
        found = parser.found.get("medical-disclaimer")
        if found is None or parser.counts.get("medical-disclaimer") != 1:
            problems.append(
                codes.PAGE_INCOMPLETE(
                    article.path, 0, 0, f"{rel} has no single #medical-disclaimer"
                )
            )
        elif canonical not in normalize(" ".join(found[1])):
            problems.append(
                codes.PAGE_INCOMPLETE(
                    article.path, 0, 0, f"{rel}: #medical-disclaimer is not the canonical text"
                )
            )
        status = parser.found.get("review-status")
        expected = article.status.slug if plan.preview else "approved"
        if status is None or parser.counts.get("review-status") != 1:
            problems.append(
                codes.PAGE_INCOMPLETE(article.path, 0, 0, f"{rel} has no single #review-status")
            )
        elif status[0].get("data-status") != expected:
            problems.append(
                codes.PAGE_INCOMPLETE(
                    article.path, 0, 0, f'{rel}: #review-status is not data-status="{expected}"'
                )
            )
    return problems


_NOINDEX = re.compile(r'<meta\s+name="robots"\s+content="noindex', re.I)


def check_noindex(site: Path) -> list[Diagnostic]:
    """A preview is for the board: every page must tell search engines to stay away."""
    return [
        codes.PAGE_INCOMPLETE(
            "mkdocs.yml", 0, 0, f"preview page {page.relative_to(site).as_posix()} lacks noindex"
        )
        for page in sorted(site.rglob("*.html"))
        if not _NOINDEX.search(page.read_text(encoding="utf-8", errors="replace"))
    ]


def audit(site: Path, project: Project, plan: PublishPlan) -> list[Diagnostic]:
    """Every broken promise in the built site at `site`; empty when it may be published."""
    if project.disclaimer is None:
        raise ValueError("cannot audit without the canonical disclaimer")
    if plan.preview:
        return check_article_pages(site, plan, project.disclaimer) + check_noindex(site)
    allowed = [page.markdown for page in plan.pages]
    allowed += [*project.pages.values(), project.disclaimer.markdown]
    return check_leaks(site, project.root, plan, allowed) + check_article_pages(
        site, plan, project.disclaimer
    )
