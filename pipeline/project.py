"""Loading a whole project and running every check over it.

Each check is a small function of one shape, `(article, context) -> iterable of Diagnostic`,
registered in `CHECKS`: a new rule is one new function and one line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import codes, review
from pipeline.articles import decode, load_article
from pipeline.board import load_board
from pipeline.citations import check_citations, scan
from pipeline.diagnostics import Diagnostic
from pipeline.disclaimer import Disclaimer, load_disclaimer
from pipeline.evidence import Retractions, check_evidence, load_retractions
from pipeline.library import load_library
from pipeline.library_checks import check_library, check_uncited
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


_RESERVED_ID = re.compile(r"""\bid\s*=\s*["']?(medical-disclaimer|review-status)\b""", re.I)


def check_reserved_markup(article: Article, context: Context) -> Iterable[Diagnostic]:
    for match in _RESERVED_ID.finditer(article.body):
        line = article.body_line + article.body.count("\n", 0, match.start())
        yield codes.RESERVED_ID(
            article.path,
            line,
            1,
            f'the article may not contain an element with id="{match.group(1)}"',
            "remove that HTML: the pipeline adds the disclaimer and review status itself",
        )


CHECKS: Sequence[Callable[[Article, Context], Iterable[Diagnostic]]] = (
    lambda article, context: check_citations(article, context.library),
    lambda article, context: review.check_people(article, context.board),
    lambda article, context: review.check_approval(article, context.board),
    lambda article, context: review.check_overdue(
        article, context.today, context.settings.review_interval_months
    ),
    check_reserved_markup,
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


def load_project(root: Path, today: dt.date, settings: Settings | None = None) -> Project:
    root = root.resolve()
    diagnostics: list[Diagnostic] = []
    library, found = load_library(root)
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
    articles: list[Article] = []
    files = article_paths(root)
    for path in files:
        article, found = load_article(root, path, today)
        diagnostics += found
        if article is not None:
            articles.append(article)
            for check in CHECKS:
                diagnostics.extend(check(article, context))
    if library.entries:
        cited = {item.key for a in articles for c in scan(a)[0] for item in c.items}
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
    )


def _order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line, d.column, d.code)
