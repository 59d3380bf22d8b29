"""The generated parts of the site's own pages: the home listing and the board roster."""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Sequence

from pipeline.model import Article, Board


def long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def md_text(text: str) -> str:
    """Plain text made safe inside Markdown: HTML-escaped, Markdown punctuation escaped."""
    escaped = html.escape(text, quote=False)
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+!|" else ch for ch in escaped)


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
