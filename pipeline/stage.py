"""What publishes, and how it is written for the renderer.

The result is a `PublishPlan`: a plain list of (path, Markdown) pages, so any renderer can be fed
the same way. In a normal plan only publishable articles are in it (Approved by an eligible
reviewer, fingerprint current); a preview plan holds every article that could be read, the
unpublishable ones marked pending. Citations are resolved to numbered links, audience blocks
become plain HTML containers, the References and the canonical disclaimer are appended (as
finished HTML after `TAIL_MARK`), and review data and related articles travel in the front
matter, for the page template. Topic (tag) pages are generated here
too. Every list of articles (home, topics, related) is built from the publishable articles only,
so even a preview shows the lists readers will get.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from pipeline import audience, review
from pipeline.cache import Cache
from pipeline.disclaimer import disclaimer_block
from pipeline.model import Article, Board, ReviewStatus
from pipeline.pages import (
    Related,
    board_listing,
    by_topic,
    home_listing,
    long_date,
    md_text,
    related_links,
    topic_index,
    topic_page,
)
from pipeline.prerendered import TAIL_MARK
from pipeline.project import Project
from pipeline.render import resolve_citations

ARTICLE_TEMPLATE = "article.html"
# libyaml's emitter when PyYAML has it: the same YAML, written several times faster.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
PENDING_BANNER = "Pending human review — educational purpose only, exercise caution"


@dataclass(frozen=True)
class StagedPage:
    """One page to render. An article's front matter is kept as data (`meta`), so a renderer
    adapter can hand it over without writing YAML and parsing it back; `markdown` is the page as
    one file for any renderer. Other pages have no `meta`: their `body` is the whole page,
    front matter included."""

    path: str  # relative to the docs folder, e.g. "articles/back-spasm.md"
    body: str
    meta: Mapping[str, object] = field(default_factory=dict)

    @property
    def markdown(self) -> str:
        if not self.meta:
            return self.body
        meta = dict(self.meta)
        front = yaml.dump(meta, Dumper=DUMPER, sort_keys=True, allow_unicode=True, width=1000)
        return f"---\n{front}---\n\n{self.body}"


@dataclass(frozen=True)
class PublishPlan:
    pages: tuple[StagedPage, ...]
    published: tuple[Article, ...]  # every article with a page (in a preview: all of them)
    withheld: tuple[str, ...]  # article files without a page, for the audit
    preview: bool = False

    def page(self, path: str) -> StagedPage | None:
        return next((p for p in self.pages if p.path == path), None)

    def source_of(self, path: str, site_pages: set[str]) -> str | None:
        """The file a staged page comes from, relative to the docs folder (articles live beside
        it): what "Suggest an edit" should open. None for pages made from nothing editable."""
        if path in self.article_paths:
            return f"../{path}"
        return path if path in site_pages else None

    @functools.cached_property
    def article_paths(self) -> frozenset[str]:
        """Docs-relative paths of the article pages, e.g. "articles/back-spasm.md"."""
        return frozenset(article_page_path(article) for article in self.published)


def article_page_path(article: Article) -> str:
    return f"articles/{article.slug}.md"


# --- article pages -----------------------------------------------------------------------


def review_data(
    article: Article, board: Board, today: dt.date, interval_months: int
) -> dict[str, object]:
    """What the templates show about the review (all plain strings, escaped by the template)."""
    reviewers = [board.members[r].display_name for r in article.reviewers if r in board.members]
    authors = [board.members[a].display_name for a in article.authors if a in board.members]
    due = review.next_review(article, interval_months)
    data: dict[str, object] = {
        "status": article.status.slug,
        "status_label": article.status.value,
        "step": article.status.step,
        "steps": [s.value for s in ReviewStatus],
        "last_updated": article.last_updated.isoformat(),
        "last_updated_label": long_date(article.last_updated),
        "reviewed_by": reviewers,
        "authors": authors,
        "next_review": due.isoformat(),
        "overdue": due < today,
    }
    if article.approval and article.approval.by in board.members:
        data["approved_by"] = board.members[article.approval.by].display_name
        data["approved_on"] = article.approval.on.isoformat()
        data["approved_on_label"] = long_date(article.approval.on)
    if not review.is_publishable(article, board):
        data["pending"] = PENDING_BANNER
    return data


def json_ld(article: Article, board: Board) -> str:
    """schema.org MedicalWebPage, safe to place inside a <script> element."""
    people = [board.members[m] for m in article.reviewers if m in board.members]
    authors = [board.members[m] for m in article.authors if m in board.members]
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "description": article.summary,
        "lastReviewed": article.last_updated.isoformat(),
        "reviewedBy": [{"@type": "Person", "name": p.display_name} for p in people],
        "author": [{"@type": "Person", "name": p.display_name} for p in authors],
        "keywords": list(article.tags),
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def audiences(article: Article, body: str) -> list[dict[str, str]]:
    """The answers to "Which best describes you?": the article's audience list, plus any audience
    it has passages for but forgot to list (so no passage can be hidden for every reader).
    Empty when the article has no audience passage: a choice would change nothing."""
    found = audience.used(body)
    if not found:
        return []
    ids = dict.fromkeys([*(a.strip().lower() for a in article.audience), *found])
    return [{"id": a.id, "choice": a.choice} for a in map(audience.audience, ids)]


def _resolved(article: Article, project: Project, cache: Cache | None) -> tuple[str, str]:
    """resolve_citations, kept between runs for the same text, library and style."""
    if cache is None or not project.context_key:
        return resolve_citations(article, project.library, project.style)
    return cache.memo(
        "citations",
        (project.context_key, article.path, article.body),
        lambda: resolve_citations(article, project.library, project.style),
    )


def article_page(
    article: Article,
    project: Project,
    today: dt.date,
    others: Sequence[Article] | Related = (),
    cache: Cache | None = None,
) -> StagedPage:
    """The article page; `others` are the published articles it may list as related."""
    assert project.disclaimer is not None
    body, references = _resolved(article, project, cache)
    meta: dict[str, object] = {
        # Plain text, escaped here: Material prints titles and the description as HTML (in
        # <title>, the header and a meta attribute) without escaping them.
        "title": html.escape(article.title),
        "description": html.escape(article.summary),
        "audiences": audiences(article, body),
        "template": ARTICLE_TEMPLATE,
        "review": review_data(
            article, project.board, today, project.settings.review_interval_months
        ),
        "topics": list(article.tags),
        "jsonld": json_ld(article, project.board),
    }
    if article.tags:
        meta.update(related_links(article, others))
    parts = [
        audience.convert(body).strip("\n"),
        "## References" if references else "",
        # Finished HTML only from here on: a renderer adapter may keep it away from Markdown.
        TAIL_MARK,
        references,
        disclaimer_block(project.disclaimer),
    ]
    text = "\n\n".join(p for p in parts if p) + "\n"
    return StagedPage(article_page_path(article), text, meta)


def _with_listing(page: str, listing: str) -> str:
    return page.rstrip("\n") + "\n\n" + listing


def stage(
    project: Project, today: dt.date, preview: bool = False, cache: Cache | None = None
) -> PublishPlan:
    """The plan for a project whose diagnostics hold no error (a preview tolerates them), with
    every page staged. `cache` keeps the resolved citations between runs (it never changes
    them)."""
    plan = publish_plan(project, preview)
    return dataclasses.replace(plan, pages=tuple(staged_pages(project, plan, today, cache)))


def publish_plan(project: Project, preview: bool = False) -> PublishPlan:
    """What publishes, without its pages (`staged_pages` makes them)."""
    if project.disclaimer is None:
        raise ValueError("cannot stage without the canonical disclaimer")
    shown = tuple(
        sorted(
            (a for a in project.articles if preview or review.is_publishable(a, project.board)),
            key=lambda a: a.slug,
        )
    )
    paths = {a.path for a in shown}
    withheld = tuple(p for p in project.article_files if p not in paths)
    return PublishPlan((), shown, withheld, preview)


def staged_pages(
    project: Project, plan: PublishPlan, today: dt.date, cache: Cache | None = None
) -> Iterator[StagedPage]:
    """The plan's pages, made one at a time: a renderer adapter can write each away before the
    next is made, and a thousand-article build never holds them all."""
    listed = [a for a in plan.published if review.is_publishable(a, project.board)]
    index = Related(listed)
    for article in plan.published:
        yield article_page(article, project, today, index, cache)
    yield StagedPage("topics/index.md", topic_index(listed))
    for slug, entries in by_topic(listed).items():
        yield StagedPage(f"topics/{slug}.md", topic_page(slug, entries))
    if "index.md" in project.pages:
        listing = home_listing(listed)
        if plan.preview:
            published = {a.slug for a in listed}
            pending = [a for a in plan.published if a.slug not in published]
            listing += "\n" + preview_listing(pending)
        yield StagedPage("index.md", _with_listing(project.pages["index.md"], listing))
    if "board.md" in project.pages:
        roster = board_listing(project.board)
        yield StagedPage("board.md", _with_listing(project.pages["board.md"], roster))


def preview_listing(pending: list[Article]) -> str:
    """In a preview only: the articles that would not be published, and why not."""

    if not pending:
        return ""
    lines = ["## Not published (preview only)\n"]
    for article in pending:
        lines.append(
            f"- [{md_text(article.title)}](articles/{article.slug}.md) — {article.status.value}"
        )
    return "\n".join(lines) + "\n"
