"""The article page in a real browser: review status, audience choice, citations, related."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import DESKTOP

ARTICLE = "articles/heat-or-ice.html"
QASEEM = "Qaseem A, Wilt TJ"
QASEEM_DOI = "https://doi.org/10.7326/M16-2367"
QASEEM_DOI_TEXT = "doi:10.7326/M16-2367"  # AMA writes it so; the link goes to QASEEM_DOI
QASEEM_PUBMED = "https://pubmed.ncbi.nlm.nih.gov/28192789/"
DESCRIPTION = (
    "a => (a.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)"
    ".map(id => document.getElementById(id).textContent).join(' ')"
)


def test_review_stepper_names_each_step_and_its_state_for_screen_readers(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + ARTICLE)
    stepper = page.locator("#review-status")
    expect(stepper).to_match_aria_snapshot(
        r"""
        - 'region "Review status: Approved (step 3 of 3)"':
          - list:
            - listitem: /Submitted ?:\sdone/
            - listitem: /Under Review ?:\sdone/
            - listitem: /Approved ?:\scurrent step/
        """
    )
    current = stepper.locator("[aria-current=step]")
    expect(current).to_have_count(1)
    # Seen, not only coloured: the current step says so in words, done steps carry a check mark.
    expect(current).to_contain_text("current step")
    expect(stepper.locator(".is-done .review-stepper__marker")).to_have_text(["✓", "✓"])


def test_choosing_an_audience_shows_its_passages_and_is_remembered(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + ARTICLE)
    professional = page.locator(".audience-block[data-audience=professional]")
    patient = page.locator(".audience-block[data-audience=patient]")
    expect(professional).to_be_visible()
    expect(patient).to_be_visible()

    page.get_by_role("group", name="Which best describes you?").get_by_label(
        "Patient or caregiver"
    ).check()
    expect(patient).to_be_visible()
    expect(patient).to_contain_text("heating pad or a warm wrap on your lower back")
    expect(professional).to_be_hidden()
    expect(page.locator("#audience-selector").get_by_role("status")).to_have_text(
        "Showing the passages for: Patient or caregiver."
    )

    page.reload()
    expect(page.get_by_label("Patient or caregiver")).to_be_checked()
    expect(professional).to_be_hidden()
    expect(patient).to_be_visible()

    # Every page applies the stored choice: a new tab, reached from the home page.
    other = page.context.new_page()
    other.goto(base_url)
    other.get_by_role("link", name="Is heat or ice better for acute low back pain?").first.click()
    expect(other.locator(".audience-block[data-audience=professional]")).to_be_hidden()
    expect(other.get_by_label("Patient or caregiver")).to_be_checked()

    other.get_by_label("Show everything").check()
    expect(other.locator(".audience-block[data-audience=professional]")).to_be_visible()
    expect(other.locator(".audience-block[data-audience=patient]")).to_be_visible()


def test_without_javascript_every_passage_shows_labelled_with_its_audience(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + ARTICLE)
        professional = page.locator(".audience-block[data-audience=professional]")
        patient = page.locator(".audience-block[data-audience=patient]")
        expect(professional).to_be_visible()
        expect(professional).to_contain_text("For healthcare professionals")
        expect(patient).to_be_visible()
        expect(patient).to_contain_text("For patients and caregivers")
        # A choice that could not work is not offered.
        expect(page.locator("#audience-selector")).to_be_hidden()
    finally:
        context.close()


def _layout(page: Page) -> list[dict[str, float]]:
    boxes: list[dict[str, float]] = page.eval_on_selector_all(
        ".md-content p, .md-content h2, .md-content li",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y + scrollY, w: r.width, h: r.height}; })",
    )
    return boxes


def test_keyboard_focus_on_a_citation_shows_the_full_reference_without_moving_the_text(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + ARTICLE)
    before = _layout(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    for _ in range(80):  # Tab through the header and navigation, as a keyboard user does
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('sup.citation') !== null"):
            break
    focused = page.locator("sup.citation a:focus")
    expect(focused).to_have_count(1)
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(QASEEM)
    expect(tooltip).to_contain_text(QASEEM_DOI_TEXT)
    # Screen readers hear the reference once, in the link's name or in its description.
    heard = [focused.get_attribute("aria-label") or "", focused.evaluate(DESCRIPTION)]
    assert sum(QASEEM in text for text in heard) == 1, heard
    assert _layout(page) == before
    assert page.evaluate("document.documentElement.scrollWidth") == width

    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()


def test_hovering_a_citation_shows_its_reference_and_leaving_hides_it(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + ARTICLE)
    before = _layout(page)
    page.locator("#cite-3 a").hover()
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Chou R, Huffman LH. Medications for acute and chronic")
    assert _layout(page) == before
    page.mouse.move(5, 5)
    expect(tooltip).to_be_hidden()


def test_each_reference_links_back_to_where_it_is_cited(page: Page, base_url: str) -> None:
    page.goto(base_url + ARTICLE)
    page.locator("#cite-3 a").click()
    expect(page).to_have_url(re.compile("#ref-2$"))
    entry = page.locator("#ref-2")
    expect(entry).to_be_in_viewport()
    entry.get_by_role("link", name="Back to citation 2").click()
    expect(page).to_have_url(re.compile("#cite-3$"))
    expect(page.locator("#cite-3")).to_be_in_viewport()


def test_doi_and_pubmed_links_open_the_source(page: Page, base_url: str) -> None:
    """The source sites are stood in for by the test: no request leaves this machine."""
    opened: list[str] = []

    def stand_in(route: Route) -> None:
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>Source</title>")

    page.route(re.compile(r"^https://(doi\.org|pubmed\.ncbi\.nlm\.nih\.gov)/"), stand_in)
    page.goto(base_url + ARTICLE)
    page.locator("#ref-1").get_by_role("link", name="10.7326/M16-2367").click()
    expect(page).to_have_url(QASEEM_DOI)
    page.go_back()
    page.locator("#ref-1").get_by_role("link", name="28192789").click()
    expect(page).to_have_url(QASEEM_PUBMED)
    assert opened == [QASEEM_DOI, QASEEM_PUBMED]


def test_related_articles_end_the_page_and_list_only_published_ones(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "articles/back-pain.html")
    related = page.get_by_role("region", name="Related articles")
    expect(related.get_by_role("listitem")).to_have_text(
        ["Is heat or ice better for acute low back pain?"]
    )
    # The article under review shares the topic but is not published: never listed.
    expect(related).not_to_contain_text("moonlight")
    disclaimer_bottom = page.locator("#medical-disclaimer").bounding_box()
    related_top = related.bounding_box()
    assert disclaimer_bottom and related_top
    assert related_top["y"] >= disclaimer_bottom["y"] + disclaimer_bottom["height"]
    related.get_by_role("link", name="Is heat or ice better for acute low back pain?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Is heat or ice better for acute low back pain?"
    )
    page.get_by_role("region", name="Related articles").get_by_role(
        "link", name="Musculoskeletal"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Musculoskeletal")
