"""Reading the built site back and checking the publishing promises (DESIGN §6).

The audit trusts nothing upstream: it reads every output file (HTML, JSON, XML, JavaScript,
compressed sitemaps) and looks for text of withheld articles, and it checks that every article
page carries the canonical disclaimer and an approved review status.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import ahocorasick

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
    return _NON_WORD.sub(" ", text.casefold()).strip()


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
    return " ".join(output_texts(path, output_raw(path) if raw is None else raw))


def output_texts(path: Path, raw: str) -> Iterator[str]:
    """The same, in pieces: a JSON file (the search index) one string at a time, so a large
    index is never copied whole. A sentence never spans two JSON strings."""
    if path.suffix == ".json" or path.name.endswith(".json.gz"):
        try:
            value = json.loads(raw)
        except ValueError:
            pass
        else:
            yield from (_words(text) for text in _strings(value))
            return
    yield _words(raw)


def _words(text: str) -> str:
    return normalize(_TAG.sub(" ", html.unescape(_TAG.sub(" ", text))))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
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


def _matcher(needles: dict[str, str]) -> ahocorasick.Automaton | None:
    """All needles searched in one pass over a text (Aho-Corasick), instead of one pass each:
    a site of a thousand pages and a hundred withheld articles stays fast to audit."""
    if not needles:
        return None
    automaton = ahocorasick.Automaton()
    for needle, source in needles.items():
        automaton.add_word(needle, (needle, source))
    automaton.make_automaton()
    return automaton


def _found(matcher: ahocorasick.Automaton | None, text: str) -> Iterator[tuple[str, str]]:
    if matcher is not None:
        for _, (needle, source) in matcher.iter(text):
            yield needle, source


def check_leaks(
    site: Path, root: Path, plan: PublishPlan, allowed: Iterable[str]
) -> list[Diagnostic]:
    """Text of any withheld article, or a link to its page, anywhere in the output is an error."""
    candidates: dict[str, str] = {}
    addresses: dict[str, str] = {}
    for rel in plan.withheld:
        text = decode((root / rel).read_bytes()) or ""
        for probe in probes(text):
            candidates.setdefault(probe, rel)
        slug = Path(rel).stem
        for address in (f"articles/{slug}.html", f"articles/{slug}/"):
            addresses[address] = rel
    # A sentence that a published page also says (shared boilerplate) proves nothing.
    matcher = _matcher(candidates)
    public = {probe for page in allowed for probe, _ in _found(matcher, _words(page))}
    wanted = {probe: rel for probe, rel in candidates.items() if probe not in public}
    texts, links = _matcher(wanted), _matcher(addresses)
    problems = []
    for path in output_files(site):
        raw = output_raw(path)
        leaked: dict[str, str] = {}
        for address, source in _found(links, raw):
            leaked.setdefault(source, f"a link to its page ({address})")
        for piece in output_texts(path, raw):
            for probe, source in _found(texts, piece):
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


_ID = r"""\bid\s*=\s*["']?{}(?=["'\s>])"""
_DISCLAIMER_ID = re.compile(_ID.format("medical-disclaimer"))
_STATUS_ID = re.compile(_ID.format("review-status"))
_DATA_STATUS = re.compile(r"""\bdata-status\s*=\s*["']?([\w-]+)""")
_ASIDE_END = re.compile(r"</aside\s*>")


def page_problems(html_text: str, canonical: str, expected_status: str) -> list[str]:
    """What an article page lacks: exactly one disclaimer element holding the canonical text,
    exactly one review-status element with the expected status. Read with patterns rather than
    a full HTML parse: this runs on every page of every build."""
    problems = []
    disclaimers = list(_DISCLAIMER_ID.finditer(html_text))
    if len(disclaimers) != 1:
        problems.append(f"has {len(disclaimers)} #medical-disclaimer elements, not one")
    else:
        end = _ASIDE_END.search(html_text, disclaimers[0].end())
        inside = html_text[disclaimers[0].end() : end.start() if end else len(html_text)]
        if canonical not in normalize(html.unescape(_TAG.sub(" ", inside))):
            problems.append("#medical-disclaimer does not hold the canonical text")
    statuses = list(_STATUS_ID.finditer(html_text))
    if len(statuses) != 1:
        problems.append(f"has {len(statuses)} #review-status elements, not one")
    else:
        at = statuses[0].start()
        tag = html_text[html_text.rfind("<", 0, at) : html_text.find(">", at) + 1]
        found = _DATA_STATUS.search(tag)
        if found is None or found.group(1) != expected_status:
            problems.append(f'#review-status is not data-status="{expected_status}"')
    return problems


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
        rel = page.relative_to(site).as_posix()
        expected = article.status.slug if plan.preview else "approved"
        text = page.read_text(encoding="utf-8", errors="replace")
        for problem in page_problems(text, canonical, expected):
            problems.append(codes.PAGE_INCOMPLETE(article.path, 0, 0, f"{rel} {problem}"))
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
