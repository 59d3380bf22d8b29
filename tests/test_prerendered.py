"""Finished HTML lifted out of a staged page before Markdown and put back after (prerendered.py):
the page must come out the same as if Markdown had passed the HTML through itself."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from pipeline.prerendered import TAIL_MARK, anchor_ids, lift, tail_of

EXTENSIONS = ["toc", "tables", "admonition", "attr_list", "footnotes", "md_in_html"]
SUP = (
    '<sup class="citation" id="cite-{0}">'
    '<a href="#ref-{0}" aria-label="Reference {0}">{0}</a></sup>'
)


def sup(n: int) -> str:
    return SUP.format(n)


BODY = f"""Treat the pain first.{sup(1)}

- heat *helps*{sup(2)} and so does **rest**{sup(3)}
- nothing else{sup(12)}

| drug | dose |
|---|---|
| one{sup(4)} | 5 mg |

!!! note
    An admonition.{sup(5)}
"""


def render(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


def test_citations_come_back_exactly_where_markdown_would_have_left_them() -> None:
    lifted = lift(BODY)
    assert lifted is not None
    assert "<sup" not in lifted.markdown and len(lifted.citations) == 6
    assert lifted.restore_citations(render(lifted.markdown)) == render(BODY)


def test_a_citation_in_a_heading_is_kept_out_of_its_anchor() -> None:
    lifted = lift(f"## Dosing{sup(7)}\n\nText.\n")
    assert lifted is not None
    html = lifted.restore_citations(render(lifted.markdown))
    assert html.startswith(f'<h2 id="dosing">Dosing{sup(7)}</h2>')


def test_the_tail_is_everything_after_the_last_mark() -> None:
    # An author who types the mark into the body does not move the tail.
    page = f"Body {TAIL_MARK} still body.\n\n## References\n\n{TAIL_MARK}\n\n<ol><li>x</li></ol>\n"
    lifted = lift(page)
    assert lifted is not None and lifted.has_tail
    assert tail_of(page) == "<ol><li>x</li></ol>"
    assert lifted.markdown.startswith(f"Body {TAIL_MARK} still body.")
    assert "<ol>" not in lifted.markdown


def test_a_page_without_a_mark_has_no_tail() -> None:
    lifted = lift("Just text.\n")
    assert lifted is not None and not lifted.has_tail and lifted.markdown == "Just text.\n"
    assert tail_of("Just text.\n") == ""


@pytest.mark.parametrize("char", ["\ue000", "\ue001", "\ue015"])
def test_a_page_that_already_holds_token_characters_is_not_lifted(char: str) -> None:
    assert lift(f"Odd {char} text.{sup(1)}\n") is None


def test_the_lifted_anchors_are_reported_for_the_renderer_s_link_check() -> None:
    page = f'A.{sup(1)}\n\n{TAIL_MARK}\n\n<ol><li id="ref-1">x</li></ol>\n'
    lifted = lift(page)
    assert lifted is not None
    assert lifted.anchor_ids() | anchor_ids(tail_of(page)) == {"cite-1", "ref-1"}


def test_the_built_site_is_the_same_with_and_without_lifting(
    minimal: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plugin's shortcut changes nothing a reader gets: every article page is the same as
    when Python-Markdown renders the whole staged page (up to blank lines between tags)."""
    assert cli("build", cwd=minimal).code == 0
    fast = {p.name: p.read_text("utf-8") for p in (minimal / "site/articles").glob("*.html")}
    monkeypatch.setattr("pipeline.mkdocs_pages.lift", lambda text: None)
    assert cli("build", cwd=minimal).code == 0
    slow = {p.name: p.read_text("utf-8") for p in (minimal / "site/articles").glob("*.html")}

    def tidy(html: str) -> str:
        return re.sub(r">\s+<", "><", html)

    assert fast.keys() == slow.keys() and fast
    for name in fast:
        assert tidy(fast[name]) == tidy(slow[name]), name


def test_a_heading_with_a_citation_keeps_a_clean_table_of_contents_label(
    minimal: Path, cli
) -> None:
    article = minimal / "content/articles/back-pain.md"
    text = article.read_text("utf-8")
    heading = next(line for line in text.splitlines() if line.startswith("## "))
    article.write_text(text.replace(heading, heading + " [@qaseem2017]", 1), "utf-8")
    assert cli("build", "--preview", cwd=minimal).code == 0  # edited: a preview shows it
    page = (minimal / "preview/articles/back-pain.html").read_text("utf-8")
    assert not re.search("[\ue000-\ue01f]", page)  # no token left, in the text or the contents
    label = heading[3:].strip()
    assert re.search(rf'<h2 id="[^"]+">{re.escape(label)}\s*<sup class="citation"', page)
    assert re.search(rf'class="md-nav__link">\s*<span class="md-ellipsis">\s*{label}\s*<', page)
