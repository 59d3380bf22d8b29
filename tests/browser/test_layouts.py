"""The article page on a desktop, on a 375 px phone, in dark mode and on paper.

Each test also saves a screenshot to test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from pipeline.site.sanitize import clean
from tests.browser.conftest import DESKTOP, PHONE, screenshot

ARTICLE = "articles/heat-or-ice.html"
PAGES = ["index.html", ARTICLE, "articles/back-pain.html", "board.html", "topics/index.html"]


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scrolling). A page may
    be narrower: Zensical keeps a scrollbar's width free beside it (`scrollbar-gutter`)."""
    width: int = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return max(0, width)


def test_desktop_article_shows_the_answer_beside_the_navigation(
    page: Page, base_url: str, engine: str
) -> None:
    page.goto(base_url + ARTICLE)
    expect(page.get_by_role("navigation", name="Navigation")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert _overflow(page) == 0
    screenshot(page, engine, "article-desktop")


def test_pages_fit_a_375px_phone_without_sideways_scrolling(
    phone: BrowserContext, base_url: str, engine: str
) -> None:
    page = phone.new_page()
    for path in PAGES:
        page.goto(base_url + path)
        assert _overflow(page) == 0, f"{path} is wider than a 375 px phone"
    page.goto(base_url + ARTICLE)
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    # The wide table scrolls inside its own box rather than widening the page.
    expect(page.locator(".md-content table")).to_be_visible()
    page.locator("#cite-1 a").focus()
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_be_visible()
    box = tooltip.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert _overflow(page) == 0
    page.keyboard.press("Escape")
    screenshot(page, engine, "article-phone")


def test_dark_mode_follows_the_system_setting(browser: Browser, base_url: str, engine: str) -> None:
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(base_url + ARTICLE)
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        background = page.evaluate(
            "getComputedStyle(document.querySelector('.md-main')).backgroundColor"
            " || getComputedStyle(document.body).backgroundColor"
        )
        text = page.evaluate("getComputedStyle(document.querySelector('.md-typeset p')).color")
        assert _lightness(text) > _lightness(background) + 0.4, (text, background)
        screenshot(page, engine, "article-dark")
    finally:
        context.close()


def _lightness(css_colour: str) -> float:
    """0 for black, 1 for white, from "rgb(r, g, b)" or "rgba(r, g, b, a)" (transparent: 0)."""
    numbers = [float(n) for n in css_colour[css_colour.index("(") + 1 : -1].split(",")]
    if len(numbers) == 4 and numbers[3] == 0:
        return 0.0
    return sum(numbers[:3]) / (3 * 255)


def test_print_leaves_out_navigation_and_keeps_status_date_references_and_disclaimer(
    page: Page, base_url: str, engine: str
) -> None:
    page.goto(base_url + ARTICLE)
    page.emulate_media(media="print")
    for navigation in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary"):
        expect(page.locator(navigation)).to_be_hidden()
    expect(page.locator(".md-footer")).to_be_hidden()
    expect(page.locator("#audience-selector")).to_be_hidden()
    expect(page.get_by_role("region", name="Related articles")).to_be_hidden()

    expect(page.locator("#review-status")).to_be_visible()
    expect(page.locator("#review-status")).to_contain_text("Review status: Approved")
    expect(page.locator(".article-dates")).to_contain_text("Last reviewed October 2, 2026")
    references = page.locator("ol.references")
    expect(references).to_be_visible()
    expect(references.get_by_text("doi:10.7326/M16-2367")).to_be_visible()
    pubmed = references.get_by_role("link", name="28192789")
    printed = pubmed.evaluate("a => getComputedStyle(a, '::after').content")
    assert "https://pubmed.ncbi.nlm.nih.gov/28192789/" in printed
    expect(page.locator("#medical-disclaimer")).to_be_visible()
    picture = screenshot(page, engine, "article-print")
    page.pdf(path=str(picture.with_suffix(".pdf")), format="A4")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_run_of_blanks_pushes_text_out_of_view(
    browser: Browser, base_url: str, viewport: dict[str, int]
) -> None:
    """A run of no-break spaces in a table's cell, its caption or a heading, or of blanks in a
    line of code, pushed the letters after it out of view, where the audit read them between
    a withheld article's words (SECURITY.md). Written as the sanitizer leaves an author's
    HTML (its runs of no-break spaces one space) and styled by the theme (code wraps), each
    letter stays in view."""
    nbsp = "\u00a0" * 400
    written = (
        f'<table><tr><td>The purple giraffe{nbsp}</td><td><abbr title="after-cell">q</abbr></td>'
        f'</tr></table><pre><code>three words here{" " * 300}<abbr title="after-code">q</abbr>'
        f"</code></pre><table><caption>three words here{nbsp}"
        '<abbr title="after-caption">q</abbr></caption><tr><td>x</td></tr></table>'
        f'<h2>three words here{nbsp}<abbr title="after-heading">q</abbr></h2>'
    )
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(base_url + ARTICLE)
    page.evaluate(
        "html => document.querySelector('.md-content .md-typeset')"
        ".insertAdjacentHTML('beforeend', html)",
        clean(written),
    )
    for marker in ("after-cell", "after-code", "after-caption", "after-heading"):
        box = page.locator(f'[title="{marker}"]').bounding_box()
        inside = box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        assert inside, f"{marker} is out of view: {box}"
    context.close()
