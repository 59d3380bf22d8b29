"""Reading the built site back and checking the publishing promises (DESIGN §6).

The audit trusts nothing upstream: it reads every output file (HTML, JSON, XML, JavaScript,
compressed sitemaps) and looks for text of withheld articles, and it checks that every article
page carries the canonical disclaimer and an approved review status.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import ahocorasick

from pipeline import codes
from pipeline.articles import decode
from pipeline.citations import BRACKET
from pipeline.diagnostics import Diagnostic
from pipeline.project import Project
from pipeline.stage import PublishPlan

PROBE_WORDS = 8
TEXT_SUFFIXES = {".html", ".htm", ".json", ".xml", ".js", ".txt", ".css", ".svg", ".gz", ".map"}
_TAG = re.compile(r"<[^>]*>")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_FRONT_KEY = re.compile(r"^\s*-?\s*[A-Za-z_]+:\s*", re.MULTILINE)


_ASCII = bytes(range(0x80))
# Every byte of a non-word ASCII character becomes a space; word characters and every byte of
# a UTF-8 sequence (non-ASCII characters are dealt with one by one) stay as they are.
_ASCII_WORDS = bytes(b if b >= 0x80 or chr(b).isalnum() or b == 0x5F else 0x20 for b in range(256))


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces: markup and punctuation do not matter. The
    words are runs of the regular-expression word characters (`\\w`: letters, digits, "_").

    Every page of every build is read this way, so it works on bytes: an ASCII table in one
    pass, then only the few distinct non-ASCII characters a page has (a regular expression
    took twice as long, testing every character against Unicode's tables)."""
    data = text.casefold().encode("utf-8", "surrogatepass")
    rare = data.translate(None, _ASCII)  # UTF-8 is self-synchronizing: whole characters
    if rare:
        for char in set(rare.decode("utf-8", "surrogatepass")):
            if not char.isalnum():
                data = data.replace(char.encode("utf-8", "surrogatepass"), b" ")
    return " ".join(data.translate(_ASCII_WORDS).decode("utf-8", "surrogatepass").split())


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


def _decompressed(path: Path, data: bytes) -> bytes:
    """The file's bytes, decompressed when it is gzip (sitemap.xml.gz)."""
    if path.suffix != ".gz":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError):
        return b""


def _is_json(path: Path) -> bool:
    """The search index and source maps: read one string literal at a time."""
    name = path.name.removesuffix(".gz")
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
    yield data.decode("utf-8", errors="replace")


def output_text(path: Path) -> str:
    """The words a reader (or a search engine) could get out of an output file."""
    return " ".join(_words(piece) for piece in output_pieces(path, path.read_bytes()))


def _words(text: str) -> str:
    return normalize(_TAG.sub(" ", html.unescape(_TAG.sub(" ", text))))


_JSON_STRING = re.compile(rb'"([^"\\]*(?:\\.[^"\\]*)*)"')
# What may stand between the string literals of real JSON: structure, numbers, true/false/null.
_JSON_BETWEEN = re.compile(rb"(?:[\s\[\]{}:,0-9eE.+-]|true|false|null)*")


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


_ID_BEFORE = re.compile(r"""\bid\s*=\s*["']?$""")
_VALUE_END = re.compile(r"""["'\s>]""")
_DATA_STATUS = re.compile(r"""\bdata-status\s*=\s*["']?([\w-]+)""")
_ASIDE_END = re.compile(r"</aside\s*>")


def _elements_with_id(html_text: str, value: str) -> list[int]:
    """Where elements with id=`value` (quoted or not) start their value: found by the value
    itself with str.find, then confirmed by what precedes it. Every page of every build is read
    this way; a pattern that starts at the attribute name would be tried at every position."""
    found = []
    at = html_text.find(value)
    while at != -1:
        end = at + len(value)
        if _ID_BEFORE.search(html_text, max(0, at - 16), at) and _VALUE_END.match(html_text, end):
            found.append(at)
        at = html_text.find(value, end)
    return found


def page_problems(html_text: str, canonical: str, expected_status: str) -> list[str]:
    """What an article page lacks: exactly one disclaimer element holding the canonical text,
    exactly one review-status element with the expected status. Read with patterns rather than
    a full HTML parse: this runs on every page of every build."""
    problems = []
    disclaimers = _elements_with_id(html_text, "medical-disclaimer")
    if len(disclaimers) != 1:
        problems.append(f"has {len(disclaimers)} #medical-disclaimer elements, not one")
    else:
        start = html_text.find(">", disclaimers[0]) + 1
        end = _ASIDE_END.search(html_text, start)
        inside = html_text[start : end.start() if end else len(html_text)]
        if canonical not in normalize(html.unescape(_TAG.sub(" ", inside))):
            problems.append("#medical-disclaimer does not hold the canonical text")
    statuses = _elements_with_id(html_text, "review-status")
    if len(statuses) != 1:
        problems.append(f"has {len(statuses)} #review-status elements, not one")
    else:
        at = statuses[0]
        tag = html_text[html_text.rfind("<", 0, at) : html_text.find(">", at) + 1]
        found = _DATA_STATUS.search(tag)
        if found is None or found.group(1) != expected_status:
            problems.append(f'#review-status is not data-status="{expected_status}"')
    return problems


_NOINDEX = re.compile(r'<meta\s+name="robots"\s+content="noindex', re.I)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class Audit:
    """One audit of one built site (DESIGN §6.3).

    The output can be handed over as it is written (`output`), so the audit works while the site
    renders; `finish` then reads every file of the site from disk, audits what was not handed
    over, and checks that each handed-over file is still byte for byte what was audited."""

    def __init__(
        self,
        project: Project,
        plan: PublishPlan,
        staged: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        """`staged` gives the staged pages' Markdown where the plan no longer holds it."""
        if project.disclaimer is None:
            raise ValueError("cannot audit without the canonical disclaimer")
        self.project, self.plan = project, plan
        self.staged = staged or (lambda: (page.markdown for page in plan.pages))
        self.canonical = normalize(_TAG.sub(" ", project.disclaimer.html))
        self.pages = {}  # output path of each article page -> its article
        for article in plan.published:
            for rel in (f"articles/{article.slug}.html", f"articles/{article.slug}/index.html"):
                self.pages[rel] = article
        candidates: dict[str, str] = {}
        addresses: dict[str, str] = {}
        for rel in () if plan.preview else plan.withheld:
            text = decode((project.root / rel).read_bytes()) or ""
            for probe in probes(text):
                candidates.setdefault(probe, rel)
            slug = Path(rel).stem
            for address in (f"articles/{slug}.html", f"articles/{slug}/"):
                addresses[address] = rel
        self.texts, self.links = _matcher(candidates), _matcher(addresses)
        self.read: dict[str, bytes] = {}  # output path -> digest of the bytes audited
        # output path -> withheld source -> what was found: ("link", address) or (probe, probe)
        self.leaks: dict[str, dict[str, tuple[str, str]]] = {}
        self.problems: list[Diagnostic] = []

    def page(self, rel: str, text: str, written: bytes) -> None:
        """Audit a page as it is written: its text, and the bytes that reach the disk (the file
        is then not read again unless it changed)."""
        self.read[rel] = _digest(written)
        self._scan(rel, [text])
        self._check_page(rel, text)

    def file(self, rel: str, data: bytes) -> None:
        """Audit one output file as read from disk."""
        self.read[rel] = _digest(data)
        path = Path(rel)
        self._scan(rel, output_pieces(path, data))
        if path.suffix == ".html":
            self._check_page(rel, data.decode("utf-8", errors="replace"))

    def _scan(self, rel: str, pieces: Iterable[str]) -> None:
        leaked = self.leaks.setdefault(rel, {})
        for piece in pieces:
            for address, source in _found(self.links, piece):
                leaked.setdefault(source, ("link", address))
            if self.texts is not None:
                for probe, source in _found(self.texts, _words(piece)):
                    leaked.setdefault(source, (probe, probe))

    def _check_page(self, rel: str, text: str) -> None:
        article = self.pages.get(rel)
        if article is not None:
            expected = article.status.slug if self.plan.preview else "approved"
            for problem in page_problems(text, self.canonical, expected):
                self.problems.append(codes.PAGE_INCOMPLETE(article.path, 0, 0, f"{rel} {problem}"))
        if self.plan.preview and not _NOINDEX.search(text):
            self.problems.append(
                codes.PAGE_INCOMPLETE("mkdocs.yml", 0, 0, f"preview page {rel} lacks noindex")
            )

    def finish(self, site: Path) -> list[Diagnostic]:
        """Every broken promise in the site at `site`; empty when it may be published."""
        for path in output_files(site):
            rel = path.relative_to(site).as_posix()
            data = path.read_bytes()
            if self.read.get(rel) != _digest(data):
                self.file(rel, data)
            del data
        written = {id(article) for rel, article in self.pages.items() if rel in self.read}
        for article in self.plan.published:
            if id(article) not in written:
                self.problems.append(
                    codes.PAGE_INCOMPLETE(article.path, 0, 0, "the article page was not written")
                )
        return self._leak_problems() + self.problems

    def _leak_problems(self) -> list[Diagnostic]:
        """A sentence that a published page also says (shared boilerplate) proves nothing: the
        published texts are only read when some withheld sentence was found."""
        hits = {kind for leaked in self.leaks.values() for kind, _ in leaked.values()} - {"link"}
        if hits:
            public = _matcher(dict.fromkeys(hits, ""))
            shared = {
                probe for text in self._published() for probe, _ in _found(public, _words(text))
            }
            for leaked in self.leaks.values():
                for source in [s for s, (kind, _) in leaked.items() if kind in shared]:
                    del leaked[source]
        return [
            codes.LEAK(
                source, 0, 0, f"this unpublished article leaked into {where}: {_what(kind, found)}"
            )
            for where, leaked in sorted(self.leaks.items())
            for source, (kind, found) in sorted(leaked.items())
        ]

    def _published(self) -> Iterator[str]:
        assert self.project.disclaimer is not None
        yield from self.staged()
        yield from (*self.project.pages.values(), self.project.disclaimer.markdown)


def _what(kind: str, found: str) -> str:
    return f"a link to its page ({found})" if kind == "link" else f"its text ('{found}…')"


def audit(site: Path, project: Project, plan: PublishPlan) -> list[Diagnostic]:
    """Every broken promise in the built site at `site`, all of it read from disk."""
    return Audit(project, plan).finish(site)
