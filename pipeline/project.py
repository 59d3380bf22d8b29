"""Loading a whole project and running every check over it.

Each check is a small function of one shape, `(article, inputs) -> iterable of Diagnostic`,
registered in `CHECKS` with the inputs it reads: a new rule is one new function and one line.
A check sees only the inputs it declares (`Inputs.only`), and an article's results are cached
under a digest of exactly those inputs, so the cache can never answer from a stale library,
roster or setting.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

from pipeline import codes
from pipeline.cache import Cache
from pipeline.checks.evidence import Retractions, check_evidence, load_retractions
from pipeline.checks.library import check_library, check_uncited
from pipeline.checks.markup import check_markup, raw_html_spans
from pipeline.checks.readability import Grade, check_readability, grades
from pipeline.checks.registry import check_registry
from pipeline.citations.resolve import entry_key
from pipeline.citations.scan import check_citations, cited_keys, scan
from pipeline.citations.styles import Style, built_in, load_style
from pipeline.content import audience
from pipeline.content.articles import load_article, slugify
from pipeline.content.board import load_board
from pipeline.content.disclaimer import Disclaimer, load_disclaimer
from pipeline.content.files import check_files, readable
from pipeline.content.library import load_library
from pipeline.content.pages import check_titles, load_pages
from pipeline.content.shown import shown_files
from pipeline.diagnostics import Diagnostic
from pipeline.model import Article, Board, Library, ReviewStatus
from pipeline.registry.lock import LOCK, Lock, load_lock
from pipeline.review import rules
from pipeline.review.approvals import ApprovalCheck, check_approvals, check_count, is_publishable
from pipeline.review.statement import ReferenceDigests
from pipeline.settings import Settings, load_settings
from pipeline.site.engine_config import config_problems

ARTICLES_DIR = "content/articles"


class _Undeclared:
    """Stands in for an input a check did not declare: any use of it fails loudly."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        raise AttributeError(f"a check read '{self._name}' without declaring it in CHECKS")


@dataclass(frozen=True)
class Inputs:
    """What an article's checks may read besides the article itself."""

    library: Library
    board: Board
    today: dt.date
    settings: Settings
    retractions: Retractions
    # The digest of each cited library entry, as approvals' statements cover them (made once).
    references: ReferenceDigests
    approvals: tuple[ApprovalCheck, ...] = ()  # this article's approvals, checked
    grades: tuple[Grade, ...] = ()  # this article's plain-language texts, measured
    lock: Lock = field(default_factory=Lock)  # the registry lock (references/registry-lock.json)
    # The digest of each file beside the site pages: approvals sign those an article shows
    # (read by approvals only, and keyed per article: see `load_project`).
    files: Mapping[str, str] = field(default_factory=dict)

    def only(self, names: Iterable[str]) -> Inputs:
        """A copy in which every input not in `names` is unusable."""
        wanted = set(names)
        hidden = {f.name: _Undeclared(f.name) for f in fields(self) if f.name not in wanted}
        return replace(self, **cast(dict[str, Any], hidden))


@dataclass(frozen=True)
class Check:
    reads: frozenset[str]
    run: Callable[[Article, Inputs], Iterable[Diagnostic]]


def _check(*reads: str) -> Callable[[Callable[[Article, Inputs], Iterable[Diagnostic]]], Check]:
    return lambda run: Check(frozenset(reads), run)


CHECKS: Sequence[Check] = (
    _check("library")(lambda a, i: check_citations(a, i.library)),
    _check("board")(lambda a, i: rules.check_people(a, i.board)),
    _check("approvals", "settings")(
        lambda a, i: check_count(a, i.approvals, i.settings.approvals_required)
    ),
    _check("approvals", "today", "settings")(
        lambda a, i: rules.check_overdue(a, i.approvals, i.today, i.settings.review_interval_months)
    ),
    _check()(lambda a, i: check_markup(a)),
    _check()(
        lambda a, i: (
            codes.AUDIENCE_BLOCK.at(
                a.path, a.body_line + p.line - 1, 1, problem=p.message, fix=p.hint
            )
            for p in audience.problems(a.body, a.audience, _raw_in_passages(a.body))
        )
    ),
    _check("grades", "settings")(
        lambda a, i: check_readability(a, i.grades, i.settings.reading_level)
    ),
    _check("board", "approvals", "today", "settings")(
        lambda a, i: rules.check_interests(
            a, i.board, i.approvals, i.today, i.settings.interests_max_age_months
        )
    ),
    _check("library", "retractions", "lock", "today", "settings")(
        lambda a, i: check_evidence(
            a,
            scan(a)[0],
            i.library,
            i.retractions,
            i.today,
            i.settings.stale_evidence_years,
            i.lock,
        )
    ),
)
LAPSED = "the approver's declaration of interests is older than the board allows (REV015)"
# Approvals are checked before the rules above (they read the result): against the roster's
# keys and the cited library entries.
APPROVALS_READ = frozenset({"board", "library"})


@dataclass(frozen=True)
class Project:
    """Everything loaded from one repository, and what is wrong with it."""

    root: Path
    articles: tuple[Article, ...]
    article_files: tuple[str, ...]  # every file under content/articles, loadable or not
    library: Library
    board: Board
    disclaimer: Disclaimer | None
    diagnostics: tuple[Diagnostic, ...]
    pages: dict[str, str] = field(default_factory=dict)  # site pages by docs-relative path
    assets: tuple[str, ...] = ()  # the images and PDFs beside them, docs-relative
    digests: Mapping[str, str] = field(default_factory=dict)  # each asset's, as approvals sign
    settings: Settings = field(default_factory=Settings)
    style: Style = field(default_factory=lambda: built_in("ama"))
    # Each article's approvals, checked, and its plain-language texts, measured (by path).
    approvals: Mapping[str, tuple[ApprovalCheck, ...]] = field(default_factory=dict)
    grades: Mapping[str, tuple[Grade, ...]] = field(default_factory=dict)
    cited: frozenset[str] = frozenset()  # the library keys the articles cite
    cites: Mapping[str, frozenset[str]] = field(default_factory=dict)  # those of each, by path
    # A digest of the inputs articles are checked and staged against (see `input_digests`):
    # with an article's text, the key of results cached between runs.
    context_key: bytes = b""
    # Articles an author of which has let their declaration of interests lapse (REV015).
    withheld: frozenset[str] = frozenset()

    def approvals_of(self, article: Article) -> tuple[ApprovalCheck, ...]:
        return self.approvals.get(article.path, ())

    def is_publishable(self, article: Article) -> bool:
        return article.path not in self.withheld and is_publishable(
            article, self.approvals_of(article), self.settings.approvals_required
        )


def article_paths(root: Path) -> list[Path]:
    """The article files that may be read: regular files only (`files.py` reports the rest)."""
    folder = root / ARTICLES_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p for p in folder.glob("*.md") if readable(root, p))


MAX_ARTICLE_BYTES = 1024 * 1024


def file_problem(root: Path, path: Path) -> Diagnostic | None:
    """What makes an article file unfit to read at all: its size."""
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        rel = path.relative_to(root).as_posix()
        return codes.TOO_LARGE.at(rel, size=f"{size / 1048576:.1f}")
    return None


def check_duplicates(articles: Sequence[Article]) -> list[Diagnostic]:
    """File names that are not web-safe, and two articles with one address or one title."""
    found: list[Diagnostic] = []
    slugs: dict[str, Article] = {}
    titles: dict[str, Article] = {}
    taken = {Path(article.path).stem for article in articles}
    for article in articles:
        stem = Path(article.path).stem
        slug = slugify(stem, limit=200)
        if stem != slug:
            # A name no other article has: `Back Spasm.md` beside `back-spasm.md` was told to
            # take that one's name.
            base = slug or "article"
            names = itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2)))
            free = next(name for name in names if name not in taken)
            found.append(
                codes.BAD_FILE_NAME.at(article.path, name=f"{stem}.md", suggested=f"{free}.md")
            )
        first = slugs.setdefault(slug, article)
        if first is not article:
            found.append(codes.DUPLICATE_SLUG.at(article.path, other=first.path, slug=slug))
        same = titles.setdefault(" ".join(article.title.casefold().split()), article)
        if same is not article:
            found.append(
                codes.DUPLICATE_TITLE.at(article.path, article.line_of("title"), 1, other=same.path)
            )
    return found


def _raw_in_passages(body: str) -> list[tuple[int, int]]:
    """Where Python-Markdown reads raw HTML in an article that has audience passages and any
    markup (rendering it costs; most articles have neither)."""
    return raw_html_spans(body) if "<" in body and audience.used(body) else []


def load_project(
    root: Path, today: dt.date, settings: Settings | None = None, cache: Cache | None = None
) -> Project:
    """Everything under `root`, checked. `settings`: the project's own (pipeline.yml) unless
    given. `cache` keeps parse results between runs (it never changes them); without one, every
    file is parsed afresh."""
    root = root.resolve()
    diagnostics: list[Diagnostic] = []
    if settings is None:
        settings, found = load_settings(root)
        diagnostics += found
    diagnostics += check_files(root, (settings.citation_style,))
    library, found = load_library(root, cache)
    diagnostics += found
    board, found = load_board(root)
    diagnostics += found
    disclaimer, found = load_disclaimer(root)
    diagnostics += found
    retractions, found = load_retractions(root)
    diagnostics += found
    lock, found = load_lock(root)
    diagnostics += found
    diagnostics += check_library(library, today)
    style, found = load_style(settings.citation_style, root)
    diagnostics += found
    # Before the articles: their approvals sign the files they show.
    site_pages, found = load_pages(root)
    diagnostics += found
    inputs = Inputs(
        library,
        board,
        today,
        settings,
        retractions,
        ReferenceDigests(library),
        lock=lock,
        files=site_pages.digests,
    )
    key = context_key(root, today, settings)
    lapsed = rules.lapsed_members(board, today, settings.interests_max_age_months)
    articles: list[Article] = []
    approvals: dict[str, tuple[ApprovalCheck, ...]] = {}
    measured: dict[str, tuple[Grade, ...]] = {}
    cited: set[str] = set()
    cites: dict[str, frozenset[str]] = {}
    files = article_paths(root)
    for path in files:
        problem = file_problem(root, path)
        if problem is not None:
            diagnostics.append(problem)
            continue
        data = path.read_bytes()  # once: the checks' results are keyed on what was parsed
        article, found = load_article(root, path, today, cache, data)
        diagnostics += found
        if article is None:
            continue
        articles.append(article)
        # Its approvals also sign the files it shows: their digests are part of its key (a
        # picture drawn again invalidates the articles that show it, and no other). Only an
        # Approved article's approvals are checked: a draft's key needs no reading of them.
        approved = article.status is ReviewStatus.APPROVED
        paths = shown_files(article.body) if approved else ()
        shown = json.dumps([[p, inputs.files.get(p, "none")] for p in paths])
        checked = (cache or Cache()).memo(
            "checks", (key, article.path, data, shown), functools.partial(_checked, article, inputs)
        )
        diagnostics += checked.diagnostics
        cited.update(checked.cited)
        cites[article.path] = checked.cited
        approvals[article.path] = tuple(
            replace(check, problem=LAPSED, lapsed=True)
            if check.verified and check.by in lapsed
            else check
            for check in checked.approvals
        )
        measured[article.path] = checked.grades
    diagnostics += check_duplicates(articles)
    if library.entries:
        diagnostics += check_uncited(library, cited)
        diagnostics += check_registry(library, cited, lock, today, settings.lock_max_age_days)
    diagnostics += check_titles(site_pages.pages, articles)
    diagnostics += config_problems(root)
    return Project(
        root=root,
        articles=tuple(articles),
        article_files=tuple(p.relative_to(root).as_posix() for p in files),
        library=library,
        board=board,
        disclaimer=disclaimer,
        diagnostics=tuple(sorted(diagnostics, key=_order)),
        pages=site_pages.pages,
        assets=site_pages.assets,
        digests=site_pages.digests,
        settings=settings,
        style=style,
        approvals=approvals,
        grades=measured,
        cited=frozenset(cited),
        cites=cites,
        context_key=key,
        withheld=frozenset(
            a.path
            for a in articles
            if a.status is ReviewStatus.APPROVED and lapsed.intersection(a.authors)
        ),
    )


@dataclass(frozen=True)
class Checked:
    """An article's results: its problems, the keys it cites (for the library's uncited
    entries), and its approvals, checked."""

    diagnostics: tuple[Diagnostic, ...]
    cited: frozenset[str]
    approvals: tuple[ApprovalCheck, ...]
    grades: tuple[Grade, ...]


def _checked(article: Article, inputs: Inputs) -> Checked:
    cited = cited_keys(article)
    found, problems = check_approvals(article, inputs.board, inputs.references, cited, inputs.files)
    measured = grades(article)
    diagnostics = list(problems)
    for check in CHECKS:
        view = _view(inputs, check.reads)
        facts: dict[str, Any] = {"approvals": found, "grades": measured}
        per_article = {name: facts[name] for name in check.reads & facts.keys()}
        if per_article:
            view = replace(view, **per_article)
        diagnostics += check.run(article, view)
    keys = frozenset(entry_key(inputs.library, key) for key in cited)  # [@doi:…] cites its entry
    return Checked(tuple(diagnostics), keys, found, measured)


_VIEWS: dict[tuple[int, frozenset[str]], tuple[Inputs, Inputs]] = {}


def _view(inputs: Inputs, reads: frozenset[str]) -> Inputs:
    """`inputs.only(reads)`, made once per run for each check (a thousand articles share it)."""
    key = (id(inputs), reads)
    made = _VIEWS.get(key)
    if made is None or made[0] is not inputs:
        _VIEWS.clear() if len(_VIEWS) > 64 else None
        made = _VIEWS[key] = (inputs, inputs.only(reads))
    return made[1]


def context_key(root: Path, today: dt.date, settings: Settings) -> bytes:
    """A digest of every input the checks declare (plus what approvals read), for the cache
    key of an article's results: each input digested from what it is loaded from."""
    reads = set(APPROVALS_READ).union(*(check.reads for check in CHECKS)) - {"approvals", "grades"}
    digest = hashlib.sha256()
    for name in sorted(reads):
        digest.update(name.encode() + b"\0" + _input_digest(name, root, today, settings))
    return digest.digest()


_INPUT_FILES = {"library": "references/*.bib", "board": "references/board.yml"}
_INPUT_FILES["retractions"] = "references/retractions.txt"
_INPUT_FILES["lock"] = LOCK


def _input_digest(name: str, root: Path, today: dt.date, settings: Settings) -> bytes:
    digest = hashlib.sha256()
    if name == "today":
        digest.update(today.isoformat().encode())
    elif name == "settings":
        digest.update(repr(settings).encode())
        style = root / settings.citation_style
        if readable(root, style):  # never through a link, never outside the repository
            digest.update(style.read_bytes())
    else:
        for path in sorted(root.glob(_INPUT_FILES[name])):
            digest.update(os.fsencode(path.name) + b"\0")  # the bytes: a name may not be UTF-8
            try:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:  # unreadable: its loader reports it; the key just differs
                digest.update(b"unreadable")
    return digest.digest()


def _order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line, d.column, d.code)
