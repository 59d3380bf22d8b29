"""The generated parts of the site's pages: the home listing, the topic (tag) pages, related
articles and the board roster.

Readers reach articles through these lists and search, never through one sidebar entry per article
(DESIGN §7). Every list is built only from the articles it is given, so staging hands it the
published ones: nothing of an unapproved article can reach a list. Links are relative Markdown
links to the pages' sources (`articles/x.md`), which any renderer resolves.
"""

from __future__ import annotations

import datetime as dt
import heapq
import html
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from pipeline.model import Article, Board
from pipeline.settings import Settings


def long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def md_text(text: str) -> str:
    """Plain text made safe inside Markdown: HTML-escaped, Markdown punctuation escaped."""
    escaped = html.escape(text, quote=False)
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+!|" else ch for ch in escaped)


def topic_label(tag: str) -> str:
    return tag.replace("-", " ").capitalize()


def topic_slug(tag: str) -> str:
    """The topic page's file name: "Primary care" and "primary-care" are one topic."""
    return re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-") or "topic"


def newest_first(articles: Sequence[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (-a.last_updated.toordinal(), a.slug))


def by_topic(articles: Sequence[Article]) -> dict[str, list[Article]]:
    """Topic slug -> its articles, newest review first; topics in alphabetical order."""
    found: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        for slug in dict.fromkeys(topic_slug(tag) for tag in article.tags):
            found[slug].append(article)
    return {slug: newest_first(found[slug]) for slug in sorted(found)}


def _entry(article: Article, link: str) -> str:
    return (
        f"- [{md_text(article.title)}]({link})  \n"
        + (f"  {md_text(article.summary)}  \n" if article.summary else "")
        + f"  <small>Last reviewed {long_date(article.last_updated)}</small>"
    )


HOME_PER_TOPIC = 10


def home_listing(articles: Sequence[Article]) -> str:
    """Approved articles by topic, newest review first within each topic: the newest ten of
    each, then a link to the topic page with all of them (a home page of thousands of entries
    helps nobody, and every page's build would pay for it)."""
    if not articles:
        return "_No article has been approved for publication yet._\n"
    sections = []
    for slug, entries in by_topic(articles).items():
        lines = [f"## {md_text(topic_label(slug))}\n"]
        shown = entries[:HOME_PER_TOPIC]
        lines += [_entry(article, f"articles/{article.slug}.md") for article in shown]
        label = md_text(topic_label(slug).lower())
        more = f"All {len(entries)} articles on {label}" if len(entries) > len(shown) else ""
        lines.append(f"\n[{more or f'All articles on {label}'}](topics/{slug}.md)")
        sections.append("\n".join(lines))
    untagged = newest_first([a for a in articles if not a.tags])
    if untagged:
        lines = ["## Other\n", *(_entry(a, f"articles/{a.slug}.md") for a in untagged)]
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"


def topic_index(articles: Sequence[Article]) -> str:
    """topics/index.md: every topic with its number of articles."""
    about = {"title": "Topics", "description": "Every topic of our published answers."}
    lines = [front_matter(about)]
    lines += ["# Topics", ""]
    topics = by_topic(articles)
    if not topics:
        lines.append("_No article has been approved for publication yet._")
    for slug, entries in topics.items():
        count = f"{len(entries)} article" + ("" if len(entries) == 1 else "s")
        lines.append(f"- [{md_text(topic_label(slug))}]({slug}.md) ({count})")
    return "\n".join(lines) + "\n"


def topic_page(slug: str, articles: Sequence[Article]) -> str:
    """topics/<slug>.md: the topic's articles, newest review first (site_page escapes the
    title and description)."""
    label = topic_label(slug)
    description = f"Evidence-based answers on {label.lower()}, reviewed by our board."
    lines = [front_matter({"title": label, "description": description}), f"# {md_text(label)}"]
    lines.append("")
    lines += [_entry(article, f"../articles/{article.slug}.md") for article in articles]
    lines += ["", "[All topics](index.md)"]
    return "\n".join(lines) + "\n"


# What JSON leaves raw but a YAML reader refuses (C1 controls, non-characters) or reads as a line
# break inside a string (U+0085, U+2028, U+2029); escaped, they mean the same in both.
_NOT_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def front_matter(meta: Mapping[str, object]) -> str:
    """A generated page's front matter, written as JSON (which YAML readers read as YAML, and
    which takes a tenth of the time to write): keys sorted, so the same data gives the same
    bytes."""
    text = json.dumps(dict(meta), sort_keys=True, ensure_ascii=False, default=str)
    return "---\n" + _NOT_YAML.sub(_escaped, text) + "\n---\n"


def _escaped(char: re.Match[str]) -> str:
    return f"\\u{ord(char.group()):04x}"


RELATED_LIMIT = 5


class Related:
    """The published articles indexed by topic, built once per plan. Finding an article's
    related ones must not look at every article of its topics (a topic of a thousand articles
    would make a plan grow with the square of its size): each topic's articles are sorted once,
    newest first, the few that share two topics or more come from set intersections, and the
    rest are the heads of the sorted lists. The ranking depends only on the article's topics,
    so it is made once for each set of topics that articles have, not once per article: at
    5,000 articles the intersections alone had cost about a second."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.by_topic: dict[str, list[Article]] = {}
        for article in articles:
            for topic in _topics(article):
                self.by_topic.setdefault(topic, []).append(article)
        for members in self.by_topic.values():
            members.sort(key=_newest_first)
        self.slugs = {topic: {a.slug for a in members} for topic, members in self.by_topic.items()}
        self.articles = {a.slug: a for a in articles}
        self.ranked: dict[frozenset[str], list[Article]] = {}

    def of(self, article: Article) -> list[Article]:
        """Articles sharing a topic with `article`: most shared topics first, then newest."""
        topics = frozenset(t for t in _topics(article) if t in self.by_topic)
        if topics not in self.ranked:
            self.ranked[topics] = self._rank(sorted(topics))
        return [a for a in self.ranked[topics] if a.slug != article.slug][:RELATED_LIMIT]

    def _rank(self, topics: list[str]) -> list[Article]:
        """The first RELATED_LIMIT + 1 articles for these topics: one more than an article
        shows, as the article itself may be among them."""
        limit = RELATED_LIMIT + 1
        several: set[str] = set()
        for i, first in enumerate(topics):
            for second in topics[i + 1 :]:
                several |= self.slugs[first] & self.slugs[second]
        shared = {slug: sum(slug in self.slugs[t] for t in topics) for slug in several}
        chosen = heapq.nsmallest(
            limit,
            (self.articles[slug] for slug in several),
            key=lambda a: (-shared[a.slug], *_newest_first(a)),
        )
        taken = {a.slug for a in chosen}
        # The rest share one topic: the newest of the topics' sorted lists, merged.
        heads = heapq.merge(*(self.by_topic[t] for t in topics), key=_newest_first)
        for other in heads:
            if len(chosen) == limit:
                break
            if other.slug not in taken:
                taken.add(other.slug)
                chosen.append(other)
        return chosen


def _topics(article: Article) -> list[str]:
    return list(dict.fromkeys(topic_slug(t) for t in article.tags))


def _newest_first(article: Article) -> tuple[int, str]:
    return (-article.last_updated.toordinal(), article.slug)


def related_links(article: Article, related: Related) -> dict[str, object]:
    """What ends an article page, in place of the "ask a follow-up question" box of other
    sites: related articles and the article's topics, as site paths without a suffix for the
    template to link (it is navigation, not the article's text, and stays out of search)."""
    found = related.of(article)
    slugs = dict.fromkeys(topic_slug(t) for t in article.tags)
    return {
        "related": [{"title": o.title, "path": f"articles/{o.slug}"} for o in found],
        "related_topics": [{"label": topic_label(s), "path": f"topics/{s}"} for s in slugs],
    }


def board_listing(board: Board) -> str:
    """Each member: name and credentials, specialty, roles, and declared competing interests."""
    lines = []
    for member in sorted(board.members.values(), key=lambda m: (m.name.split()[-1], m.name)):
        roles = " and ".join(sorted(member.roles)) or "member"
        lines.append(f"## {md_text(member.display_name)}\n")
        if member.specialty:
            lines.append(f"{md_text(member.specialty)}. ")
        lines.append(f"Board role: {md_text(roles)}.\n")
        if member.interests:
            declared = member.interests_declared
            when = f" (declared {long_date(declared)})" if declared else ""
            stated = "; ".join(md_text(i) for i in member.interests)
            lines.append(f"Competing interests{when}: {stated}.\n")
        else:
            lines.append("Competing interests: no declaration on file.\n")
    return "\n".join(lines)


def policy_listing(settings: Settings, report: Mapping[str, str]) -> str:
    """The editorial policy's numbers, written from the settings the checks use, so the page
    cannot say one thing while the pipeline does another."""
    required = settings.approvals_required
    reviewers = "one reviewer" if required == 1 else f"{required} different reviewers"
    how = {
        "issue": "with the **Report a problem with this page** link at the end of every page, "
        "which opens a form in our public repository",
        "email": "with the **Report a problem with this page** link at the end of every page, "
        f"or by writing to {md_text(report['url'].removeprefix('mailto:'))}",
        "policy": "by writing to the editorial team",
    }[report["kind"]]
    return "\n".join(
        [
            "## The review process in numbers",
            "",
            f"- Every article is approved by {reviewers} of the Medical Advisory Board, none of "
            "them its author, each with a digital signature over the exact text readers see.",
            f"- Every article is reviewed again at least every {settings.review_interval_months} "
            "months; its page shows when it was last reviewed and when the next review is due.",
            f"- Text written for patients and caregivers, and every summary, is checked to read "
            f"at or below a US school grade of {settings.reading_level}.",
            f"- Authors and reviewers declare their competing interests at least every "
            f"{settings.interests_max_age_months} months; each article shows its people's.",
            "",
            "## Report a problem",
            "",
            f"To report an error, an outdated recommendation or a broken reference, tell us {how}.",
            "",
        ]
    )
