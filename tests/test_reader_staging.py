"""What staging hands the renderer for readers: audience blocks, related articles, topic pages."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import markdown
import pytest

from pipeline.content import audience
from pipeline.markdown_extension import PipelineExtension
from pipeline.project import load_project
from tests.conftest import DAY, FIXTURES, copy_project, page_meta, staged
from tests.signing import sign_project

BLOCKS = """Intro.

/// audience | patient
Rest **a little**, then keep moving.
///

/// audience | professional
Consider an NSAID.
///
"""


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, str]:
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    shutil.copytree(FIXTURES / "reader", root, dirs_exist_ok=True)
    project = load_project(sign_project(root), DAY)
    assert [d for d in project.diagnostics if d.is_error] == []
    return staged(project)


def test_audience_block_becomes_a_labelled_container_around_its_markdown() -> None:
    staged = audience.convert(BLOCKS)
    assert "///" not in staged and f"\n\n{audience.MARK}patient\n\n" in staged
    rendered = markdown.markdown(staged, extensions=["fenced_code", PipelineExtension()])
    assert '<div class="audience-block" data-audience="patient">' in rendered
    assert '<p class="audience-block__label">For patients and caregivers</p>' in rendered
    assert "<strong>a little</strong>" in rendered
    assert "For healthcare professionals</p>\n<p>Consider an NSAID.</p>\n</div>" in rendered


def test_only_staging_writes_an_audience_container() -> None:
    """An author's marker character is turned into another one before staging marks the
    passages, so no text of theirs becomes a container."""
    forged = f"Before.\n\n{audience.MARK}professional\n\nHidden from patients.\n\n{audience.MARK}\n"
    rendered = markdown.markdown(audience.convert(forged), extensions=[PipelineExtension()])
    assert "audience-block" not in rendered and "Hidden from patients." in rendered


def test_audience_syntax_in_fenced_code_is_shown_as_written() -> None:
    body = "```\n/// audience | patient\nshown as code\n///\n```\n"
    assert audience.convert(body) == body
    assert audience.problems(body, ()) == []


def test_unclosed_block_shows_its_passage_and_is_reported() -> None:
    body = "/// audience | patient\nNever closed."
    assert "Never closed." in audience.convert(body)
    assert [p.message for p in audience.problems(body, ("patient",))] == [
        "the audience block for 'patient' is never closed"
    ]


def test_block_without_an_audience_is_reported_and_left_as_text() -> None:
    body = "/// audience\nFor whom?\n///"
    assert audience.convert(body) == body
    assert [p.line for p in audience.problems(body, ("patient",))] == [1]


def test_block_for_an_audience_the_article_does_not_list_is_reported() -> None:
    problems = audience.problems(BLOCKS, ("patient",))
    assert [(p.line, p.message) for p in problems] == [
        (7, "the audience 'professional' is not in this article's 'audience' list")
    ]


def test_nested_blocks_do_not_end_an_audience_block_early() -> None:
    body = "/// audience | patient\n/// details | More\nInner.\n///\nStill patient.\n///\nAfter."
    staged = audience.convert(body)
    closing = staged.index(f"\n{audience.MARK}\n")
    assert staged.index("Still patient.") < closing < staged.index("After.")


def test_article_with_passages_offers_its_audiences_as_answers(pages: dict[str, str]) -> None:
    assert page_meta(pages["articles/heat-or-ice.md"])["pipeline"]["audiences"] == [
        {"id": "professional", "choice": "Healthcare professional"},
        {"id": "patient", "choice": "Patient or caregiver"},
    ]
    assert page_meta(pages["articles/back-pain.md"])["pipeline"]["audiences"] == []


def test_related_articles_are_published_ones_sharing_a_topic(pages: dict[str, str]) -> None:
    page = pages["articles/back-pain.md"]
    meta = page_meta(page)["pipeline"]
    # under review, though it shares the topic: never listed
    assert meta["related"] == [
        {"title": "Is heat or ice better for acute low back pain?", "path": "articles/heat-or-ice"}
    ]
    assert meta["related_topics"] == [
        {"label": "Musculoskeletal", "path": "topics/musculoskeletal"}
    ]
    assert "moonlight" not in page.lower()


def test_topic_pages_exist_only_for_topics_of_published_articles(pages: dict[str, str]) -> None:
    paths = {path for path in pages if path.startswith("topics/")}
    assert paths == {"topics/index.md", "topics/musculoskeletal.md", "topics/pain.md"}
    topic = pages["topics/musculoskeletal.md"]
    listed = [line for line in topic.splitlines() if line.startswith("- [")]
    assert listed == [  # newest review first
        "- [What helps acute back spasm?](../articles/back-pain.md)  ",
        "- [Is heat or ice better for acute low back pain?](../articles/heat-or-ice.md)  ",
    ]


def test_summary_is_escaped_for_the_description_attribute(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    article = root / "content/articles/back-pain.md"
    text = article.read_text("utf-8").replace("keep active.", 'keep "active" & <moving>.')
    article.write_text(text, "utf-8")
    page = staged(load_project(sign_project(root), DAY))["articles/back-pain.md"]
    assert page_meta(page)["description"].endswith("keep &quot;active&quot; &amp; &lt;moving&gt;.")


def test_home_shows_the_ten_newest_per_topic_and_links_to_the_rest() -> None:
    import datetime as dt

    from pipeline.model import Article, ReviewStatus
    from pipeline.site.listings import home_listing

    articles = [
        Article(
            path=f"content/articles/a{i:02d}.md",
            slug=f"a{i:02d}",
            title=f"Question {i}?",
            status=ReviewStatus.APPROVED,
            authors=("x",),
            reviewers=("y",),
            last_updated=dt.date(2026, 1, 1) + dt.timedelta(days=i),
            body="b",
            body_line=7,
            tags=("pain",),
        )
        for i in range(12)
    ]
    home = home_listing(articles)
    assert home.count("](articles/") == 10
    assert "Question 11?" in home and "Question 1?" not in home  # the newest ten
    assert "[All 12 articles on pain](topics/pain.md)" in home


def test_related_articles_rank_shared_topics_then_newest_at_any_size() -> None:
    """The topic index must give what ranking every article would: most shared topics first,
    then the newest, then by name, five at most, never the article itself."""
    import dataclasses
    import random

    from pipeline.site.listings import RELATED_LIMIT, Related, topic_slug

    project = load_project(FIXTURES / "minimal", DAY)
    base = project.articles[0]
    rng = random.Random(7)
    topics = ["Pain", "pain", "neurology", "primary-care", "sleep", "cardiology", "renal"]
    articles = [
        dataclasses.replace(
            base,
            slug=f"a{i:03d}",
            tags=tuple(rng.sample(topics, rng.randint(0, 3))),
            last_updated=datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randint(0, 60)),
        )
        for i in range(300)
    ]

    indexed = articles[:250]  # the rest are asked about from outside the index

    def brute_force(article):  # type: ignore[no-untyped-def]
        mine = {topic_slug(t) for t in article.tags}
        scored = [
            (-len(mine & {topic_slug(t) for t in other.tags}), other)
            for other in indexed
            if other.slug != article.slug
        ]
        ranked = sorted(
            ((s, o) for s, o in scored if s < 0),
            key=lambda pair: (pair[0], -pair[1].last_updated.toordinal(), pair[1].slug),
        )
        return [o.slug for _, o in ranked[:RELATED_LIMIT]]

    index = Related(indexed)
    for article in articles:
        assert [o.slug for o in index.of(article)] == brute_force(article), article.tags
