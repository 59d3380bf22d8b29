"""Accessibility (axe-core), page weight, privacy (no third-party requests) and page metadata."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Request, expect

from pipeline.engines import theme
from pipeline.site.csp import add_policy
from tests.browser.conftest import DESKTOP, search
from tests.conftest import REPO

ARTICLE = "articles/heat-or-ice.html"
OUR_ASSETS = ["pipeline.css", "pipeline.js"]
BUDGET = 15 * 1024
SERIOUS = {"serious", "critical"}


def _serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("path", ["index.html", ARTICLE, "board.html", "no-such-page.html"])
def test_page_has_no_serious_accessibility_violations(page: Page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    found = _serious_violations(page)
    assert not found, "\n".join(found)


def test_article_in_dark_mode_has_no_serious_accessibility_violations(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(base_url + ARTICLE)
        page.get_by_label("Patient or caregiver").check()
        found = _serious_violations(page)
        assert not found, "\n".join(found)
    finally:
        context.close()


def test_our_scripts_and_styles_stay_under_15_kb_together(site: Path) -> None:
    """Counted unminified, as shipped."""
    sources = [REPO / "overrides/assets" / name for name in OUR_ASSETS]
    assert sorted(p.name for p in (REPO / "overrides/assets").iterdir()) == sorted(OUR_ASSETS)
    total = sum(p.stat().st_size for p in sources)
    assert total < BUDGET, f"{total} bytes"
    assert all((site / "assets" / name).is_file() for name in OUR_ASSETS)


def _visit_everything(page: Page, start: str, served: bool = True) -> None:
    """Every kind of page, with a citation tooltip shown and (when served) search used."""
    for path in ("index.html", "board.html", "topics/index.html", "editorial-policy.html", ARTICLE):
        page.goto(start + path)
    page.locator("#cite-1 a").hover()
    expect(page.get_by_role("tooltip")).to_be_visible()
    if served:
        expect(search(page, "heat").first).to_be_visible()


def _record(page: Page) -> list[str]:
    requested: list[str] = []

    def note(request: Request) -> None:
        requested.append(request.url)

    page.on("request", note)
    return requested


def test_served_pages_make_no_third_party_requests(page: Page, base_url: str) -> None:
    requested = _record(page)
    _visit_everything(page, base_url)
    page.goto(base_url + "no-such-page.html")
    origin = urlsplit(base_url).netloc
    assert requested
    foreign = [url for url in requested if not _local(url, origin)]
    assert foreign == []


def test_pages_opened_from_disk_make_no_requests_off_the_disk(page: Page, site: Path) -> None:
    requested = _record(page)
    _visit_everything(page, site.as_uri() + "/", served=False)
    assert requested
    assert [url for url in requested if not _local(url, "")] == []


def _local(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "file"):
        return parts.scheme != "file" or not origin
    return parts.scheme == "http" and parts.netloc == origin


def test_article_carries_description_canonical_url_and_open_graph(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + ARTICLE)
    summary = (
        "Superficial heat has the better evidence for short-term relief of acute low back pain; "
        "ice is a reasonable alternative if it helps."
    )
    title = "Is heat or ice better for acute low back pain?"
    canonical = "http://127.0.0.1:8000/articles/heat-or-ice.html"  # site_url from mkdocs.yml
    expect(page.locator('meta[name="description"]')).to_have_attribute("content", summary)
    expect(page.locator('link[rel="canonical"]')).to_have_attribute("href", canonical)
    expected = {
        "og:title": title,
        "og:description": summary,
        "og:type": "article",
        "og:url": canonical,
        "og:site_name": "Clinical Answers",
        "article:modified_time": "2026-10-02",
    }
    for name, value in expected.items():
        expect(page.locator(f'meta[property="{name}"]')).to_have_attribute("content", value)
    expect(page).to_have_title(re.compile("^Is heat or ice better"))


def test_home_page_describes_the_site_for_link_previews(page: Page, base_url: str) -> None:
    page.goto(base_url)
    expect(page.locator('meta[property="og:type"]')).to_have_attribute("content", "website")
    expect(page.locator('meta[property="og:title"]')).to_have_attribute(
        "content", "Clinical Answers"
    )
    expect(page.locator('link[rel="canonical"]')).to_have_attribute(
        "href", "http://127.0.0.1:8000/index.html"
    )


_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__violations"))


def test_normal_pages_break_no_rule_of_their_content_security_policy(
    page: Page, base_url: str
) -> None:
    """The theme's own inline scripts are allowed by their hashes; search, tooltips, the
    audience choice and the colour scheme all work under the policy."""
    page.add_init_script(_VIOLATIONS)
    for path in ("index.html", "board.html", "topics/index.html", ARTICLE, "no-such-page.html"):
        page.goto(base_url + path)
        assert _violations(page) == [], path
    page.goto(base_url + ARTICLE)
    page.get_by_label("Patient or caregiver").check()
    page.locator("#cite-1 a").hover()
    expect(page.get_by_role("tooltip")).to_be_visible()
    expect(search(page, "heat").first).to_be_visible()
    assert _violations(page) == []


def test_a_script_that_slipped_into_a_page_is_blocked(
    page: Page, base_url: str, site: Path, engine: str
) -> None:
    """Defence in depth: were HTML to get past the checks and the sanitizer into an article's
    text, or a template or setting made to print a script into the page's head, the page's
    policy (made for the page as it is, as every build makes it) still refuses to run either,
    to load from elsewhere, or to restyle an element through its style attribute; the theme's
    own scripts still run."""
    source = (site / ARTICLE).read_text("utf-8")
    source = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", source, count=1)
    injected = source.replace(
        "</title>", "</title><script>window.__printed = true</script>", 1
    ).replace(
        '<div class="article-body">',
        '<div class="article-body"><script>window.__injected = true</script>'
        '<img src="https://tracker.example/p.gif">'
        '<p id="restyled" style="display: none">Still shown</p>',
        1,
    )
    (site / "articles/injected.html").write_text(add_policy(injected, theme(engine)), "utf-8")
    page.add_init_script(_VIOLATIONS)
    page.goto(base_url + "articles/injected.html")
    assert page.evaluate("window.__injected === undefined && window.__printed === undefined")
    assert page.evaluate("typeof __md_get === 'function'")  # the theme's own script ran
    found = _violations(page)
    assert sum(v.startswith("script-src") for v in found) == 2, found
    assert any(v.startswith("img-src") and "tracker.example" in v for v in found), found
    assert any(v.startswith("style-src-attr") for v in found), found
    expect(page.locator("#restyled")).to_be_visible()
