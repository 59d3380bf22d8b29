"""Reading an article's front matter: what is accepted, and the diagnostic for what is not."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.content.articles import parse_article
from pipeline.content.files import decode
from pipeline.model import ReviewStatus

TODAY = dt.date(2026, 11, 25)
GOOD = (
    "---\ntitle: What helps?\nstatus: Submitted\nauthors: [jdoe]\n"
    "last_updated: 2026-01-05\n---\n\nThe answer.\n"
)


def problems(text: str) -> list[tuple[str, int]]:
    _, found = parse_article("a.md", text, TODAY)
    return [(d.code, d.line) for d in found]


def test_a_complete_article_loads_without_diagnostics() -> None:
    article, found = parse_article("content/articles/what-helps.md", GOOD, TODAY)
    assert found == [] and article is not None
    assert (article.slug, article.title, article.status) == (
        "what-helps",
        "What helps?",
        ReviewStatus.SUBMITTED,
    )
    assert article.last_updated == dt.date(2026, 1, 5)


def test_bom_and_crlf_are_read_like_plain_utf8() -> None:
    raw = ("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8")
    text = decode(raw)
    assert text is not None
    article, found = parse_article("a.md", text, TODAY)
    assert found == [] and article is not None and article.body_line == 7


@pytest.mark.parametrize(
    ("spelling", "status"),
    [("approved", ReviewStatus.APPROVED), ("UNDER   review", ReviewStatus.UNDER_REVIEW)],
)
def test_status_names_match_case_insensitively(spelling: str, status: ReviewStatus) -> None:
    assert ReviewStatus.parse(spelling) is status


def test_misspelled_status_suggests_the_closest_name() -> None:
    _, found = parse_article("a.md", GOOD.replace("Submitted", "Submited"), TODAY)
    assert found[0].code == "FM007" and "did you mean 'Submitted'?" in found[0].message


def test_reviewers_are_required_from_under_review_on() -> None:
    assert problems(GOOD.replace("Submitted", "Under Review")) == [("FM006", 3)]


def test_last_updated_in_the_future_is_an_error() -> None:
    assert problems(GOOD.replace("2026-01-05", "2026-11-26")) == [("FM009", 5)]


def test_impossible_date_is_reported_on_its_own_line() -> None:
    assert problems(GOOD.replace("2026-01-05", "2026-02-30")) == [("FM008", 5)]


def test_unknown_field_is_a_warning_with_did_you_mean() -> None:
    article, found = parse_article("a.md", GOOD.replace("---\n\n", "reviewer: [x]\n---\n\n"), TODAY)
    assert article is not None
    assert [(d.code, d.severity, d.line) for d in found] == [("FM011", "warning", 6)]
    assert "did you mean 'reviewers'?" in found[0].message


def test_duplicate_key_is_an_error_on_the_second_line() -> None:
    assert problems(GOOD.replace("authors: [jdoe]\n", "authors: [jdoe]\nauthors: [x]\n")) == [
        ("FM013", 5)
    ]


def test_yaml_aliases_are_refused() -> None:
    text = GOOD.replace("authors: [jdoe]\n", "a: &x [jdoe]\nauthors: *x\n")
    assert problems(text) == [("FM014", 5)]


def test_tab_indentation_gets_a_plain_explanation() -> None:
    _, found = parse_article("a.md", GOOD.replace("authors: [jdoe]", "authors:\n\t- jdoe"), TODAY)
    assert found[0].code == "FM004" and "tab" in found[0].message


def test_front_matter_that_is_a_list_is_refused() -> None:
    assert problems("---\n- a\n- b\n---\nBody\n") == [("FM005", 2)]


def test_a_list_where_text_is_expected_is_an_error() -> None:
    assert problems(GOOD.replace("title: What helps?", "title: [a, b]")) == [("FM010", 2)]


def test_front_matter_only_is_an_empty_article() -> None:
    assert problems(GOOD.replace("\nThe answer.\n", "")) == [("FM012", 6)]


def test_file_without_front_matter_is_an_error() -> None:
    assert problems("# Just a heading\n\nText.\n") == [("FM002", 1)]


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        ("title", "Ibuprofen 400 mg #1 choice for back pain?", True),
        ("summary", "Heat helps.\t# see the trial", True),
        ("title", '"Ibuprofen 400 mg #1 choice for back pain?"', False),
        ("title", "C# and F# are not drugs", False),  # no space before the #
    ],
)
def test_a_title_or_summary_cut_short_by_a_comment_is_an_error(
    field: str, value: str, refused: bool
) -> None:
    """YAML drops what follows ' #' as a comment: the page, and the approval's signature, showed
    'Ibuprofen 400 mg' where the author wrote more."""
    text = GOOD.replace("title: What helps?\n", "title: What helps?\nsummary: Short.\n")
    text = text.replace(
        f"{field}: {'What helps?' if field == 'title' else 'Short.'}\n", f"{field}: {value}\n"
    )
    found = problems(text)
    assert (("FM023", 2 if field == "title" else 3) in found) is refused, found


@pytest.mark.parametrize(
    ("line", "written", "said"),
    [
        (4, "tags: [neurology, pain", "a list opened with '[' here is never closed"),
        (2, 'title: "What helps?', "a quote opened here is never closed"),
        (3, "status:Submitted", "this line has no ': '"),
        (2, "title: [Draft] What helps?", "put the whole value in double quotes"),
    ],
)
def test_a_yaml_mistake_is_reported_where_it_was_made(line: int, written: str, said: str) -> None:
    """YAML gives up at the end of the block, lines after an unclosed list or quote; a clinician
    is sent to the line where it was opened, told what is missing."""
    rows = GOOD.split("\n")
    if written.startswith("tags"):
        rows.insert(line - 1, written)  # a line of its own
    else:
        rows[line - 1] = written  # in place of the title's or the status's
    _, found = parse_article("a.md", "\n".join(rows), TODAY)
    assert [(d.code, d.line) for d in found] == [("FM004", line)], found
    assert said in found[0].message


def test_a_list_written_without_brackets_says_to_add_them() -> None:
    """`authors: jdoe, asmith` is one id with a comma in it to YAML: it was reported as a member
    'jdoe, asmith' missing from the roster."""
    _, found = parse_article("a.md", GOOD.replace("[jdoe]", "jdoe, asmith"), TODAY)
    assert [(d.code, d.line) for d in found] == [("FM010", 4)]
    assert "a list in square brackets, like [jdoe, asmith]" in found[0].message


def test_a_file_name_that_is_not_web_safe_is_told_a_free_name() -> None:
    """`Back Spasm.md` beside `back-spasm.md` was told to take that one's name."""
    from pipeline.project import check_duplicates

    text = (
        "---\ntitle: {}\nstatus: Submitted\nauthors: [a1]\nlast_updated: 2026-01-05\n---\n\nBody.\n"
    )
    articles = []
    for name, title in (("back-spasm", "One"), ("back-spasm-2", "Two"), ("Back Spasm", "Three")):
        article, _ = parse_article(f"content/articles/{name}.md", text.format(title), TODAY)
        assert article is not None
        articles.append(article)
    [named] = [d for d in check_duplicates(articles) if d.code == "FM016"]
    assert "rename it to 'back-spasm-3.md'" in named.hint
