"""What a reader needs to trust a page, in a real browser: the answer in their own words, when
it was checked and will be again, who has which interests, what changed, and one way to report
a problem that sits in the same place on every page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_quality import _serious_violations

ARTICLE = "articles/heat-or-ice.html"
BACK_SPASM = "articles/back-spasm.html"
KINDS_OF_PAGE = [ARTICLE, "index.html", "topics/musculoskeletal.html", "board.html"]
TITLES = ["Is heat or ice better for acute low back pain?", "Home", "Musculoskeletal", "Board"]


def test_a_patient_reads_the_back_spasm_answer_in_plain_words_and_keeps_that_choice(
    page: Page, sample_url: str
) -> None:
    page.goto(sample_url + BACK_SPASM)
    professional = page.locator(".audience-block[data-audience=professional]")
    patient = page.locator(".audience-block[data-audience=patient]")
    page.get_by_role("group", name="Which best describes you?").get_by_label(
        "Patient or caregiver"
    ).check()
    expect(patient.first).to_contain_text("Most back spasms get much better within a month")
    for block in professional.all():
        expect(block).to_be_hidden()
    for block in patient.all():
        expect(block).to_be_visible()
    # The patient passages are still cited.
    expect(patient.first.locator("sup.citation").first).to_be_visible()

    page.reload()
    expect(page.get_by_label("Patient or caregiver")).to_be_checked()
    expect(professional.first).to_be_hidden()
    expect(patient.first).to_be_visible()
    assert not _serious_violations(page)


def _report_link_place(page: Page) -> dict[str, object]:
    """Where the report link sits: whether its paragraph ends the page's content, and its left
    edge."""
    place: dict[str, object] = page.eval_on_selector(
        ".page-actions",
        """actions => {
            const inner = actions.closest('.md-content__inner');
            const after = [...inner.children].slice([...inner.children].indexOf(actions) + 1);
            return {
                last: after.every(el => getComputedStyle(el).display === 'none'
                                      || el.getBoundingClientRect().height === 0),
                x: Math.round(actions.getBoundingClientRect().x),
                text: actions.querySelector('a.report-problem').textContent.trim(),
            };
        }""",
    )
    return place


def test_the_report_link_is_in_the_same_place_on_every_kind_of_page(
    page: Page, base_url: str
) -> None:
    places = []
    for path in KINDS_OF_PAGE:
        page.goto(base_url + path)
        place = _report_link_place(page)
        assert place["last"], path
        assert place["text"] == "Report a problem with this page", path
        places.append(place["x"])
    assert len(set(places)) == 1, dict(zip(KINDS_OF_PAGE, places, strict=True))


def test_the_report_link_works_without_javascript(browser: Browser, base_url: str) -> None:
    """A plain link: with scripts off it is there, visible, and addressed with the page's own
    title (the fixture sets report_email and no repository, so it is an e-mail)."""
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        for path, title in zip(KINDS_OF_PAGE, TITLES, strict=True):
            page.goto(base_url + path)
            link = page.get_by_role("link", name="Report a problem with this page")
            expect(link).to_be_visible()
            href = urlsplit(link.get_attribute("href") or "")
            assert href.scheme == "mailto" and href.path == "corrections@clinical-answers.example"
            assert parse_qs(href.query)["subject"] == [f"Problem with: {title}"], path
    finally:
        context.close()


@pytest.mark.parametrize("media", ["screen", "print"])
def test_review_dates_interests_and_changes_are_shown_and_printed(
    page: Page, base_url: str, media: str
) -> None:
    page.goto(base_url + ARTICLE)
    page.emulate_media(media=media)
    dates = page.locator(".article-dates")
    expect(dates).to_be_visible()
    expect(dates).to_contain_text("Last reviewed October 2, 2026")
    expect(dates).to_contain_text("Next review due October 2, 2027")
    interests = page.get_by_role("region", name="Competing interests")
    expect(interests).to_be_visible()
    expect(interests).to_contain_text("Ada Author")
    changes = page.get_by_role("region", name="Changes to this page")
    expect(changes).to_be_visible()
    expect(changes).to_contain_text("reviewed by Rita Reviewer")
    actions = expect(page.locator(".page-actions"))
    actions.to_be_visible() if media == "screen" else actions.to_be_hidden()


@pytest.mark.parametrize("path", ["topics/musculoskeletal.html", "editorial-policy.html"])
def test_more_pages_have_no_serious_accessibility_violations(
    page: Page, base_url: str, path: str
) -> None:
    page.goto(base_url + path)
    found = _serious_violations(page)
    assert not found, "\n".join(found)
