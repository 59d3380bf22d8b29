"""How readers find articles: the home page by topic, topic pages, search, and the 404 page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import search, search_summary

HEAT = "Is heat or ice better for acute low back pain?"
SPASM = "What helps acute back spasm?"
# What Material and Zensical say when nothing matches.
NO_RESULTS = re.compile(r"^\s*No (matching documents|results)\s*$")


def test_home_groups_approved_articles_by_topic_newest_review_first(
    page: Page, base_url: str
) -> None:
    page.goto(base_url)
    content = page.locator(".md-content")
    expect(content.get_by_role("heading", level=2)).to_have_text(["Musculoskeletal", "Pain"])
    musculoskeletal = content.locator("h2#musculoskeletal + ul > li > a")
    # back-pain was reviewed on 2026-11-25, heat-or-ice on 2026-10-02.
    expect(musculoskeletal).to_have_text([SPASM, HEAT])
    expect(content).not_to_contain_text("Neurology")  # only an unpublished article has it
    expect(content).not_to_contain_text("moonlight")


def test_topic_pages_list_their_articles_and_only_published_topics(
    page: Page, base_url: str
) -> None:
    page.goto(base_url)
    page.get_by_role("navigation", name="Navigation").get_by_role("link", name="Topics").click()
    topics = page.locator(".md-content").get_by_role("listitem")
    expect(topics).to_have_text(["Musculoskeletal (2 articles)", "Pain (1 article)"])
    topics.get_by_role("link", name="Musculoskeletal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Musculoskeletal")
    expect(page.locator(".md-content li > a")).to_have_text([SPASM, HEAT])
    missing = page.goto(base_url + "topics/neurology.html")
    assert missing is not None and missing.status == 404


def test_search_finds_approved_articles(page: Page, base_url: str) -> None:
    page.goto(base_url)
    results = search(page, "cyclobenzaprine")
    expect(results.first).to_be_visible()
    expect(results.first).to_contain_text(SPASM)


def test_search_finds_nothing_that_only_an_unpublished_article_says(
    page: Page, base_url: str
) -> None:
    page.goto(base_url)
    # proves the index is loaded before the real question
    expect(search(page, "cyclobenzaprine").first).to_be_visible()
    for term in ("giraffe", "moonlight", "zebra"):
        results = search(page, term)
        expect(search_summary(page)).to_have_text(NO_RESULTS)
        expect(results).to_have_count(0)


def test_the_site_opened_from_disk_browses_to_an_article(page: Page, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    page.get_by_role("link", name=SPASM).first.click()
    expect(page.locator("#review-status")).to_have_attribute("data-status", "approved")


def test_a_missing_page_answers_404_with_a_way_back(page: Page, base_url: str) -> None:
    reply = page.goto(base_url + "articles/pending.html")
    assert reply is not None and reply.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator(".md-content")).not_to_contain_text("zebra")
    page.get_by_role("link", name="Browse all answers on the home page").click()
    expect(page).to_have_url(base_url + "index.html")
    expect(page.get_by_role("link", name=SPASM).first).to_be_visible()
