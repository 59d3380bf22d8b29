"""What publishes, written out as a staged site any engine can render.

`stage_site` ends in a folder holding:

- `docs/`: the site's own pages (content/pages), the approved articles' pages (in a preview:
  every article, the unpublished ones marked pending), a page per topic, and the home and board
  pages with their generated listings. An article page is its Markdown body, citations still in
  Pandoc syntax (the Markdown extension renders them), audience blocks as HTML containers, and
  front matter holding everything its template shows around the body: the review data, the
  reference list, related articles, JSON-LD;
- `mkdocs.yml`: the project's engine configuration, pointed at `docs/` and at the output folder
  `site/` beside it, with the pipeline's data for the templates under `extra.pipeline` (the
  canonical disclaimer, whether this is a preview).

Every list of articles (home, topics, related) is made from the publishable articles only, so
even a preview shows the lists readers will get. No engine is imported here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipeline import codes
from pipeline.cache import Cache
from pipeline.checks.markup import too_slow_to_render
from pipeline.citations.render import keyed_text, reference_list
from pipeline.citations.scan import scan_text
from pipeline.content import audience
from pipeline.content.disclaimer import disclaimer_block
from pipeline.content.files import THEME_FOLDER
from pipeline.content.pages import PAGES_DIR, page_title, split_front_matter, value_problem
from pipeline.content.yamltext import YamlDocument, load_yaml
from pipeline.model import Article, BoardMember, ReviewStatus
from pipeline.project import Project
from pipeline.review.approvals import holding_approvers, significant_change, verified_approvers
from pipeline.review.changes import ReviewedVersion, page_data, reviewed_versions
from pipeline.review.rules import last_reviewed, next_review
from pipeline.site.engine_config import STAGED_THEME, engine_config
from pipeline.site.listings import (
    Related,
    board_listing,
    by_topic,
    front_matter,
    home_listing,
    long_date,
    md_text,
    policy_listing,
    related_links,
    topic_index,
    topic_label,
    topic_page,
)
from pipeline.site.sanitize import clean_reference_list

ARTICLE_TEMPLATE = "article.html"
PENDING_BANNER = "Pending human review — educational purpose only, exercise caution"


@dataclass(frozen=True)
class PublishPlan:
    published: tuple[Article, ...]  # every article with a page (in a preview: all of them)
    withheld: tuple[str, ...]  # article files without a page, for the audit
    preview: bool = False


@dataclass(frozen=True)
class StagedSite:
    """A staged site in `folder`: `docs/`, `theme/` (the project's overrides/) and `mkdocs.yml`
    for the engine, `site/` for it to write."""

    folder: Path
    plan: PublishPlan

    @property
    def docs(self) -> Path:
        return self.folder / "docs"

    @property
    def theme(self) -> Path:
        return self.folder / STAGED_THEME

    @property
    def config(self) -> Path:
        return self.folder / "mkdocs.yml"

    @property
    def output(self) -> Path:
        return self.folder / "site"


def publish_plan(project: Project, preview: bool = False) -> PublishPlan:
    """What publishes: the publishable articles (in a preview, every article that loaded, but
    one Python-Markdown would take minutes or hours to render: a draft of 360 KB of nested
    lists held the pull request's preview build for good)."""
    deep = {d.path for d in project.diagnostics if d.code == codes.TOO_DEEP.code}
    shown = tuple(
        sorted(
            (
                a
                for a in project.articles
                if project.is_publishable(a)
                or (preview and a.path not in deep and not too_slow_to_render(a.body))
            ),
            key=lambda a: a.slug,
        )
    )
    paths = {a.path for a in shown}
    withheld = tuple(p for p in project.article_files if p not in paths)
    return PublishPlan(shown, withheld, preview)


def article_page_path(article: Article) -> str:
    return f"articles/{article.slug}.md"


# --- article pages -----------------------------------------------------------------------


def _interests(member: BoardMember, role: str) -> dict[str, object]:
    declared = member.interests_declared
    return {
        "name": member.display_name,
        "role": role,
        "interests": list(member.interests),
        "declared_label": long_date(declared) if declared else "",
    }


def review_data(
    article: Article,
    project: Project,
    today: dt.date,
    committed: Sequence[ReviewedVersion] = (),
    repository: str | None = None,
) -> dict[str, object]:
    """What the templates show about the review (plain strings, escaped by the template).
    "Reviewed by" and the dates come from the approvals that verify, never from the free-form
    `reviewers` list; "Competing interests" from the roster's declarations of the authors and
    of those approvers; "Changes to this page" from the article's history (`committed`)."""
    checks = project.approvals_of(article)
    board = project.board
    reviewed = last_reviewed(article, checks)
    due = next_review(article, checks, project.settings.review_interval_months)
    approvers = verified_approvers(checks)
    versions = reviewed_versions(committed, checks)
    changes = page_data(versions, board, repository, {v.on: long_date(v.on) for v in versions})
    people = [(board.members[a], "author") for a in article.authors if a in board.members]
    people += [(board.members[c.by], "reviewer") for c in approvers if c.by in board.members]
    data: dict[str, object] = {
        "status": article.status.slug,
        "status_label": article.status.value,
        "step": article.status.step,
        "steps": [s.value for s in ReviewStatus],
        "last_reviewed": reviewed.isoformat(),
        "last_reviewed_label": long_date(reviewed),
        "authors": [board.members[a].display_name for a in article.authors if a in board.members],
        "approved_by": [
            {"name": c.name, "on": c.on.isoformat(), "on_label": long_date(c.on)} for c in approvers
        ],
        "next_review": due.isoformat(),
        "next_review_label": long_date(due),
        "overdue": due < today,
        "interests": [_interests(member, role) for member, role in dict.fromkeys(people)],
        "changes": changes,
    }
    # A clinically significant change is shown prominently until the next review: it is of the
    # newest approvals of the text as it is, never a record from history, and it stays when the
    # reviewer who marked it lapses (the text changed all the same; check reads it so, REV020).
    newest = significant_change(holding_approvers(checks))
    if newest is not None and today <= due:
        data["significant"] = {
            "on": newest.on.isoformat(),
            "on_label": long_date(newest.on),
            "note": newest.note,
        }
    if not project.is_publishable(article):
        data["pending"] = PENDING_BANNER
        data["reviewers"] = [
            board.members[r].display_name for r in article.reviewers if r in board.members
        ]
    return data


def json_ld(article: Article, project: Project) -> str:
    """schema.org MedicalWebPage, safe to place inside a <script> element."""
    checks = project.approvals_of(article)
    authors = [project.board.members[m] for m in article.authors if m in project.board.members]
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "description": article.summary,
        "lastReviewed": last_reviewed(article, checks).isoformat(),
        "reviewedBy": [{"@type": "Person", "name": c.name} for c in verified_approvers(checks)],
        "author": [{"@type": "Person", "name": p.display_name} for p in authors],
        "keywords": list(article.tags),
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def audiences(article: Article) -> list[dict[str, str]]:
    """The answers to "Which best describes you?": the article's audience list, plus any audience
    it has passages for but forgot to list (so no passage can be hidden for every reader).
    Empty when the article has no audience passage: a choice would change nothing."""
    found = audience.used(article.body)
    if not found:
        return []
    ids = dict.fromkeys([*(a.strip().lower() for a in article.audience), *found])
    return [{"id": a.id, "choice": a.choice} for a in map(audience.audience, ids)]


def _staged_body(article: Article, project: Project, cache: Cache | None) -> tuple[str, str]:
    """The page's Markdown (audience blocks as containers, citations by key) and its reference
    list, made from the same scan of the same text the Markdown extension numbers; kept between
    runs for the same text, library and style."""

    def make() -> tuple[str, str]:
        body = keyed_text(audience.convert(article.body), project.library).strip("\n") + "\n"
        return body, clean_reference_list(
            reference_list(scan_text(body), project.library, project.style)
        )

    if cache is None or not project.context_key:
        return make()
    return cache.memo("staged body", (project.context_key, article.body), make)


def edit_url(repository: str | None, branch: str, source: str) -> str:
    """ "Suggest an edit": the file's edit page in the repository, when one is set (its path
    quoted: a page named `board.md#.md` opened board.md)."""
    if not repository:
        return ""
    return f"{repository.rstrip('/')}/edit/{quote(branch)}/{quote(source)}"


def article_page(
    article: Article,
    project: Project,
    today: dt.date,
    related: Related,
    cache: Cache | None = None,
    repository: str | None = None,
    committed: Sequence[ReviewedVersion] = (),
) -> str:
    """The article page's Markdown: front matter for its template, then the body."""
    body, references = _staged_body(article, project, cache)
    meta: dict[str, object] = {
        # Plain text, escaped here: the engines' templates print titles and the description as
        # HTML (in <title>, the header, a meta attribute) without escaping them.
        "title": html.escape(article.title),
        "description": html.escape(article.summary),
        "template": ARTICLE_TEMPLATE,
        "pipeline": {
            "review": review_data(article, project, today, committed, repository),
            "page_title": article.title,
            "audiences": audiences(article),
            "references": references,
            "topics": list(article.tags),
            "jsonld": json_ld(article, project),
            "edit_url": edit_url(repository, project.settings.branch, article.path),
            **related_links(article, related),
        },
    }
    return front_matter(meta) + "\n" + body


# --- the whole site ----------------------------------------------------------------------


def staged_pages(
    project: Project,
    plan: PublishPlan,
    today: dt.date,
    cache: Cache | None = None,
    repository: str | None = None,
    history: Mapping[str, Sequence[ReviewedVersion]] | None = None,
) -> Iterator[tuple[str, str]]:
    """(docs-relative path, Markdown) of every generated page, one at a time. `history`: each
    article's committed reviewed versions (by path), when the repository's history is known."""
    # Listings date and order articles by their newest verified approval (its date is signed;
    # `last_updated` is not, and could lift any article to the top of every list).
    listed = [
        dataclasses.replace(a, last_updated=last_reviewed(a, project.approvals_of(a)))
        for a in plan.published
        if project.is_publishable(a)
    ]
    related = Related(listed)
    for article in plan.published:
        committed = (history or {}).get(article.path, ())
        page = article_page(article, project, today, related, cache, repository, committed)
        yield article_page_path(article), page
    for slug, entries in by_topic(listed).items():
        label = topic_label(slug)
        yield f"topics/{slug}.md", site_page(topic_page(slug, entries), {"page_title": label})
    listings = {
        "board.md": board_listing(project.board),
        "index.md": home_listing(listed),
        "editorial-policy.md": policy_listing(project.settings, report_route(project, repository)),
    }
    if plan.preview:
        published = {a.slug for a in listed}
        pending = [a for a in plan.published if a.slug not in published]
        listings["index.md"] += "\n" + preview_listing(pending)
    for name, text in sorted(project.pages.items()):
        data = {
            "edit_url": edit_url(repository, project.settings.branch, f"{PAGES_DIR}/{name}"),
            "page_title": page_title(text, name),
        }
        if name in listings:
            text = _with_listing(text, listings[name])
        yield name, site_page(text, data)
    yield "topics/index.md", site_page(topic_index(listed), {"page_title": "Topics"})


def _with_listing(page: str, listing: str) -> str:
    return page.rstrip("\n") + "\n\n" + listing


def site_page(text: str, data: Mapping[str, object]) -> str:
    """A site page with the pipeline's data for its template put into its front matter
    (`pipeline:`, which no page may set itself). Its title (`page_title`) is set explicitly
    and, like the description, escaped: the engines' templates print both as HTML, and a title
    an engine took from the page's heading would arrive with its entities decoded."""
    meta: dict[str, object] = {}
    text = audience.unmarked(text)  # no audience passage outside an article
    head, body, _ = split_front_matter(text)
    parsed = load_yaml(head) if head is not None else None
    if isinstance(parsed, YamlDocument) and isinstance(parsed.data, dict):
        meta = parsed.data
    else:
        body = text
    if isinstance(data.get("page_title"), str):
        meta["title"] = data["page_title"]
    # Anything but text is dropped, never printed unescaped (check refuses it: PAGE005).
    for key in ("title", "description"):
        if isinstance(meta.get(key), str):
            meta[key] = html.escape(str(meta[key]))
        else:
            meta.pop(key, None)
    if value_problem("hide", meta.get("hide")) is not None:
        meta.pop("hide", None)
    return front_matter({**meta, "pipeline": dict(data)}) + body


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


def report_route(project: Project, repository: str | None) -> dict[str, str]:
    """Where "Report a problem with this page" leads: the repository's issue form, else an
    e-mail address, else the editorial policy's "Report a problem" section."""
    if repository:
        return {"kind": "issue", "url": f"{repository.rstrip('/')}/issues/new"}
    if project.settings.report_email:
        return {"kind": "email", "url": f"mailto:{project.settings.report_email}"}
    return {"kind": "policy", "url": "editorial-policy"}


def template_data(project: Project, preview: bool, repository: str | None = None) -> dict[str, Any]:
    """What every page's template may use, under `config.extra.pipeline`."""
    assert project.disclaimer is not None
    return {
        "preview": preview,
        "disclaimer": disclaimer_block(project.disclaimer),
        "report": report_route(project, repository),
    }


def stage_site(
    project: Project,
    today: dt.date,
    folder: Path,
    preview: bool = False,
    cache: Cache | None = None,
    repository: str | None = None,
    history: Mapping[str, Sequence[ReviewedVersion]] | None = None,
) -> StagedSite:
    """Write the staged site of a project whose diagnostics hold no error (a preview tolerates
    them) into `folder`, which must not exist yet. `repository`: the address "Suggest an edit"
    and "Report a problem" links lead to (REPO_URL), if any; `history`: each article's reviewed
    versions from git."""
    if project.disclaimer is None:
        raise ValueError("cannot stage without the canonical disclaimer")
    plan = publish_plan(project, preview)
    staged = StagedSite(folder, plan)
    staged.docs.mkdir(parents=True)
    for asset in project.assets:  # only the files the checks let through (`content/pages`)
        target = staged.docs / asset
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.root / PAGES_DIR / asset, target)
    if (project.root / THEME_FOLDER).is_dir():
        # The theme as the checks read it, without a hook's compiled cache, which Zensical
        # copied into the site as it is.
        ignored = shutil.ignore_patterns("__pycache__")
        shutil.copytree(project.root / THEME_FOLDER, staged.theme, symlinks=True, ignore=ignored)
    for rel, text in staged_pages(project, plan, today, cache, repository, history):
        path = staged.docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    data = template_data(project, preview, repository)
    config = engine_config(project.root, data, () if preview else plan.withheld)
    staged.config.write_text(config, encoding="utf-8")
    return staged


def newest_review(project: Project, plan: PublishPlan) -> dt.date:
    """The newest review date of the published articles: the date sitemaps are stamped with,
    so the same content gives the same bytes on any day."""
    return max(
        (last_reviewed(a, project.approvals_of(a)) for a in plan.published),
        default=dt.date(2000, 1, 1),
    )
