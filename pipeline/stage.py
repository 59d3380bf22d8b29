"""What publishes, and how it is written for the renderer.

The result is a `PublishPlan`: a plain list of (path, Markdown) pages, so any renderer can be fed
the same way. Only publishable articles are in it (Approved, eligible approver, fingerprint
current); citations are resolved to numbered links, and the References and the canonical
disclaimer are appended. Review data travels in each page's front matter for the templates.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from pipeline import review
from pipeline.citations import Citation, numbering, scan
from pipeline.disclaimer import Disclaimer, disclaimer_block
from pipeline.model import Article, Board, Library, ReviewStatus
from pipeline.project import Project
from pipeline.references import format_reference, plain_text

ARTICLE_TEMPLATE = "article.html"


@dataclass(frozen=True)
class StagedPage:
    path: str  # relative to the docs folder, e.g. "articles/back-spasm.md"
    markdown: str


@dataclass(frozen=True)
class PublishPlan:
    pages: tuple[StagedPage, ...]
    published: tuple[Article, ...]
    withheld: tuple[str, ...]  # article files that are not published, for the audit

    def page(self, path: str) -> StagedPage | None:
        return next((p for p in self.pages if p.path == path), None)


def article_page_path(article: Article) -> str:
    return f"articles/{article.slug}.md"


def long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def md_text(text: str) -> str:
    """Plain text made safe inside Markdown: HTML-escaped, Markdown punctuation escaped."""
    escaped = html.escape(text, quote=False)
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+!|" else ch for ch in escaped)


# --- citations ---------------------------------------------------------------------------


def _group_label(numbers: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """Sorted numbers as (first, last, locator) runs; runs of three or more collapse (1-3)."""
    plain = sorted({n for n, loc in numbers if not loc})
    located = sorted({(n, loc) for n, loc in numbers if loc})
    runs: list[tuple[int, int, str]] = []
    for number in plain:
        if runs and not runs[-1][2] and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number, "")
        else:
            runs.append((number, number, ""))
    expanded: list[tuple[int, int, str]] = []
    for first, last, loc in runs:
        if last - first == 1:  # two in a row stay "1,2"
            expanded += [(first, first, loc), (last, last, loc)]
        else:
            expanded.append((first, last, loc))
    expanded += [(n, n, loc) for n, loc in located]
    return sorted(expanded, key=lambda run: (run[0], run[2]))


def _citation_html(
    index: int, citation: Citation, numbers: dict[str, int], tips: dict[int, str]
) -> str:
    cited = [(numbers[item.key], item.locator) for item in citation.items]
    links = []
    for first, last, loc in _group_label(cited):
        one = f'<a href="#ref-{first}" title="{html.escape(tips[first])}">{first}</a>'
        if last != first:
            one += f'-<a href="#ref-{last}" title="{html.escape(tips[last])}">{last}</a>'
        links.append(one + (f"({html.escape(loc)})" if loc else ""))
    return f'<sup class="citation" id="cite-{index}">{",".join(links)}</sup>'


def resolve_citations(article: Article, library: Library) -> tuple[str, str]:
    """The body with citations as superscript links, and the References section."""
    citations, _ = scan(article)
    numbers = numbering(citations)
    formatted = {numbers[key]: format_reference(library.entries[key]) for key in numbers}
    tips = {n: plain_text(text) for n, text in formatted.items()}
    backlinks: dict[int, list[int]] = defaultdict(list)
    body = article.body
    for index in range(len(citations), 0, -1):
        citation = citations[index - 1]
        for item in citation.items:
            if index not in backlinks[numbers[item.key]]:
                backlinks[numbers[item.key]].insert(0, index)
        html_ = _citation_html(index, citation, numbers, tips)
        body = body[: citation.start] + html_ + body[citation.end :]
    if not numbers:
        return body, ""
    items = []
    for number in sorted(formatted):
        back = backlinks[number]
        marks = " ".join(
            f'<a href="#cite-{cite}" class="citation-backref" '
            f'aria-label="Back to citation {number}{_letter(i) if len(back) > 1 else ""}">'
            f"{_letter(i) if len(back) > 1 else '&#8617;'}</a>"
            for i, cite in enumerate(back)
        )
        items.append(f'<li id="ref-{number}">{formatted[number]} {marks}</li>')
    section = '## References\n\n<ol class="references">\n' + "\n".join(items) + "\n</ol>"
    return body, section


def _letter(index: int) -> str:
    return chr(ord("a") + index) if index < 26 else str(index + 1)


# --- article pages -----------------------------------------------------------------------


def review_data(article: Article, board: Board, today: dt.date) -> dict[str, object]:
    """What the templates show about the review (all plain strings, escaped by the template)."""
    reviewers = [board.members[r].display_name for r in article.reviewers if r in board.members]
    authors = [board.members[a].display_name for a in article.authors if a in board.members]
    due = review.next_review(article)
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


def article_markdown(
    article: Article, library: Library, board: Board, disclaimer: Disclaimer, today: dt.date
) -> str:
    body, references = resolve_citations(article, library)
    meta = {
        "title": article.title,
        "description": article.summary,
        "template": ARTICLE_TEMPLATE,
        "review": review_data(article, board, today),
        "topics": list(article.tags),
        "jsonld": json_ld(article, board),
    }
    front = yaml.safe_dump(meta, sort_keys=True, allow_unicode=True, width=1000)
    parts = [f"---\n{front}---\n", body.strip("\n"), references, disclaimer_block(disclaimer)]
    return "\n\n".join(p for p in parts if p) + "\n"


# --- site pages --------------------------------------------------------------------------


def topic_label(tag: str) -> str:
    return tag.replace("-", " ").capitalize()


def home_listing(articles: Sequence[Article]) -> str:
    """Approved articles by topic, newest review first within each topic."""
    if not articles:
        return "_No article has been approved for publication yet._\n"
    by_topic: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        for tag in article.tags or ("other",):
            by_topic[tag].append(article)
    sections = []
    for tag in sorted(by_topic, key=lambda t: (t == "other", t)):
        entries = sorted(by_topic[tag], key=lambda a: (-a.last_updated.toordinal(), a.slug))
        lines = [f"## {md_text(topic_label(tag))}\n"]
        for article in entries:
            lines.append(
                f"- [{md_text(article.title)}](articles/{article.slug}.md)  \n"
                + (f"  {md_text(article.summary)}  \n" if article.summary else "")
                + f"  <small>Last updated {long_date(article.last_updated)}</small>"
            )
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"


def board_listing(board: Board) -> str:
    lines = []
    for member in sorted(board.members.values(), key=lambda m: (m.name.split()[-1], m.name)):
        roles = " and ".join(sorted(member.roles)) or "member"
        lines.append(f"## {md_text(member.display_name)}\n")
        if member.specialty:
            lines.append(f"{md_text(member.specialty)}. ")
        lines.append(f"Board role: {md_text(roles)}.\n")
    return "\n".join(lines)


def _with_listing(page: str, listing: str) -> str:
    return page.rstrip("\n") + "\n\n" + listing


def stage(project: Project, today: dt.date) -> PublishPlan:
    """The publish plan for a project whose diagnostics hold no error."""
    if project.disclaimer is None:
        raise ValueError("cannot stage without the canonical disclaimer")
    published = tuple(
        sorted(
            (a for a in project.articles if review.is_publishable(a, project.board)),
            key=lambda a: a.slug,
        )
    )
    pages = [
        StagedPage(
            article_page_path(article),
            article_markdown(article, project.library, project.board, project.disclaimer, today),
        )
        for article in published
    ]
    if "index.md" in project.pages:
        pages.append(
            StagedPage(
                "index.md", _with_listing(project.pages["index.md"], home_listing(published))
            )
        )
    if "board.md" in project.pages:
        pages.append(
            StagedPage(
                "board.md", _with_listing(project.pages["board.md"], board_listing(project.board))
            )
        )
    shown = {a.path for a in published}
    withheld = tuple(p for p in project.article_files if p not in shown)
    return PublishPlan(tuple(pages), published, withheld)
