"""Loading a whole project and running every check over it.

Each check is a small function of one shape, `(article, context) -> iterable of Diagnostic`,
registered in `CHECKS`: a new rule is one new function and one line.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import audience, codes, review
from pipeline.articles import decode, load_article, slugify
from pipeline.board import load_board
from pipeline.cache import Cache
from pipeline.citations import check_citations, scan
from pipeline.diagnostics import Diagnostic
from pipeline.disclaimer import Disclaimer, load_disclaimer
from pipeline.evidence import Retractions, check_evidence, load_retractions
from pipeline.library import load_library
from pipeline.library_checks import check_library, check_uncited
from pipeline.markup import check_markup
from pipeline.model import Article, Board, Library
from pipeline.settings import Settings
from pipeline.styles import Style, built_in, load_style

ARTICLES_DIR = "content/articles"
PAGES_DIR = "content/pages"


@dataclass(frozen=True)
class Context:
    library: Library
    board: Board
    today: dt.date
    settings: Settings
    retractions: Retractions


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
    settings: Settings = field(default_factory=Settings)
    style: Style = field(default_factory=lambda: built_in("ama"))
    # A digest of what the articles are checked and staged against besides their own text (see
    # `context_key`): with the article's text, the key of results cached between runs.
    context_key: bytes = b""


CHECKS: Sequence[Callable[[Article, Context], Iterable[Diagnostic]]] = (
    lambda article, context: check_citations(article, context.library),
    lambda article, context: review.check_people(article, context.board),
    lambda article, context: review.check_approval(article, context.board),
    lambda article, context: review.check_overdue(
        article, context.today, context.settings.review_interval_months
    ),
    lambda article, context: check_markup(article),
    lambda article, context: (
        codes.AUDIENCE_BLOCK(article.path, article.body_line + p.line - 1, 1, p.message, p.hint)
        for p in audience.problems(article.body, article.audience)
    ),
    lambda article, context: check_evidence(
        article,
        scan(article)[0],
        context.library,
        context.retractions,
        context.today,
        context.settings.stale_evidence_years,
    ),
)


def article_paths(root: Path) -> list[Path]:
    return sorted((root / ARTICLES_DIR).glob("*.md"))


MAX_ARTICLE_BYTES = 1024 * 1024


def file_problem(root: Path, path: Path) -> Diagnostic | None:
    """What makes a file unfit to read at all: a link out of the project, or its size."""
    rel = path.relative_to(root).as_posix()
    if path.is_symlink() and not path.resolve().is_relative_to(root):
        return codes.LINK_OUTSIDE(
            rel,
            0,
            0,
            "this article is a link to a file outside the project; it was not read",
            "replace the link with the file itself",
        )
    size = path.stat().st_size if path.exists() else 0
    if size > MAX_ARTICLE_BYTES:
        return codes.TOO_LARGE(
            rel,
            0,
            0,
            f"the file is {size / 1048576:.1f} MB; an article may be at most 1 MB",
            "keep the answer short; link to long documents instead of pasting them",
        )
    return None


def check_duplicates(articles: Sequence[Article]) -> list[Diagnostic]:
    """File names that are not web-safe, and two articles with one address or one title."""
    found: list[Diagnostic] = []
    slugs: dict[str, Article] = {}
    titles: dict[str, Article] = {}
    for article in articles:
        stem = Path(article.path).stem
        slug = slugify(stem, limit=200)
        if stem != slug:
            found.append(
                codes.BAD_FILE_NAME(
                    article.path,
                    0,
                    0,
                    f"the file name '{stem}.md' is not web-safe",
                    f"rename it to '{slug or 'article'}.md' (lowercase a-z, digits and hyphens)",
                )
            )
        first = slugs.setdefault(slug, article)
        if first is not article:
            found.append(
                codes.DUPLICATE_SLUG(
                    article.path,
                    0,
                    0,
                    f"this file and {first.path} would both be published as '{slug}'",
                    "rename or merge one of the two",
                )
            )
        same = titles.setdefault(" ".join(article.title.casefold().split()), article)
        if same is not article:
            found.append(
                codes.DUPLICATE_TITLE(
                    article.path,
                    article.line_of("title"),
                    1,
                    f"{same.path} has the same title",
                    "merge the two articles, or make each title say what is different",
                )
            )
    return found


def load_project(
    root: Path, today: dt.date, settings: Settings | None = None, cache: Cache | None = None
) -> Project:
    """Everything under `root`, checked. `cache` keeps parse results between runs (it never
    changes them); without one, every file is parsed afresh."""
    root = root.resolve()
    diagnostics: list[Diagnostic] = []
    library, found = load_library(root, cache)
    diagnostics += found
    board, found = load_board(root)
    diagnostics += found
    disclaimer, found = load_disclaimer(root)
    diagnostics += found
    retractions, found = load_retractions(root)
    diagnostics += found
    diagnostics += check_library(library, today)
    settings = settings or Settings()
    style, found = load_style(settings.citation_style, root)
    diagnostics += found
    context = Context(library, board, today, settings, retractions)
    key = context_key(root, today, settings)
    articles: list[Article] = []
    cited: set[str] = set()
    files = article_paths(root)
    for path in files:
        problem = file_problem(root, path)
        if problem is not None:
            diagnostics.append(problem)
            continue
        data = path.read_bytes()  # once: the checks' results are keyed on what was parsed
        article, found = load_article(root, path, today, cache, data)
        diagnostics += found
        if article is not None:
            articles.append(article)
            checked, keys = (cache or Cache()).memo(
                "checks",
                (key, article.path, data),
                functools.partial(_checked, article, context),
            )
            diagnostics += checked
            cited.update(keys)
    diagnostics += check_duplicates(articles)
    if library.entries:
        diagnostics += check_uncited(library, cited)
    pages = {}
    for page in sorted((root / PAGES_DIR).glob("*.md")):
        text = decode(page.read_bytes())
        if text is not None:
            pages[page.name] = text
    return Project(
        root=root,
        articles=tuple(articles),
        article_files=tuple(p.relative_to(root).as_posix() for p in files),
        library=library,
        board=board,
        disclaimer=disclaimer,
        diagnostics=tuple(sorted(diagnostics, key=_order)),
        pages=pages,
        settings=settings,
        style=style,
        context_key=key,
    )


def _checked(article: Article, context: Context) -> tuple[list[Diagnostic], frozenset[str]]:
    """The article's problems, and the keys it cites (for the library's uncited entries)."""
    cited = frozenset(item.key for c in scan(article)[0] for item in c.items)
    return [d for check in CHECKS for d in check(article, context)], cited


def context_key(root: Path, today: dt.date, settings: Settings) -> bytes:
    """Everything an article's checks and its staged page depend on besides the article: every
    file under references/ (library, board, retractions, disclaimer), a CSL style file, the day
    and the settings. (The cache adds the pipeline's own code.)"""
    digest = hashlib.sha256(f"{today.isoformat()}\0{settings!r}".encode())
    style = root / settings.citation_style
    for path in [*sorted((root / "references").rglob("*")), style]:
        if path.is_file():
            digest.update(f"{path}\0".encode())
            try:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:  # unreadable: its loader reports it; the key just differs
                digest.update(b"unreadable")
    return digest.digest()


def _order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line, d.column, d.code)
