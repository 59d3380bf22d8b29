"""What a reader needs to trust a page (issue 18): readability, dates, competing interests, a
way to report a problem, the page's reviewed versions, who wrote and reviewed it, and an
editorial policy that says what the checks do."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from pipeline.checks.readability import grade
from pipeline.review.changes import ReviewedVersion, reviewed_versions
from tests import signing
from tests.conftest import DAY, REPO, approve, codes_of, commit_all, edit, git, line_of

APPROVED = "content/articles/back-pain.md"
UNDER_REVIEW = "content/articles/under-review.md"
PATIENT = """
/// audience | patient
{text}
///
"""
HARD = (
    "Pharmacological antispasmodic interventions, particularly centrally acting skeletal muscle "
    "relaxants administered concomitantly with nonsteroidal anti-inflammatory medications, "
    "demonstrate statistically significant short-term symptomatic amelioration [@qaseem2017]."
)
PLAIN = (
    "Heat on your back can help. Keep moving. Most people get better in a few weeks [@qaseem2017]."
)


def page(root: Path, rel: str = "articles/back-pain.html") -> str:
    return (root / "site" / rel).read_text("utf-8")


def built(root: Path, cli, *args: str) -> None:
    result = cli("build", *args, cwd=root)
    assert result.code == 0, result.stderr


# --- readability ------------------------------------------------------------------------------


def test_the_grade_is_flesch_kincaid_over_words_sentences_and_syllables() -> None:
    """0.39 * words per sentence + 11.8 * syllables per word - 15.59, with a one- or two-word
    run ("Heat.") not counted as a sentence; "relaxant" has three syllables."""
    plain = "Take one pill each day with food. Call us if the pain gets worse."
    assert grade(plain) == round(0.39 * 14 / 2 + 11.8 * 14 / 14 - 15.59, 1)
    assert grade("Heat. " + plain) == round(0.39 * 15 / 2 + 11.8 * 15 / 15 - 15.59, 1)
    longer = plain.replace("pill", "relaxant")
    assert grade(longer) == round(0.39 * 14 / 2 + 11.8 * 16 / 14 - 15.59, 1)
    assert grade("") == 0.0


def test_a_hard_patient_passage_warns_with_its_grade_and_a_plain_one_does_not(
    minimal: Path, cli
) -> None:
    edit(minimal, UNDER_REVIEW, "tags:", "audience: [patient]\ntags:")
    article = minimal / UNDER_REVIEW
    article.write_text(article.read_text("utf-8") + PATIENT.format(text=HARD), "utf-8")
    result = cli("check", cwd=minimal)
    line = line_of(article, "Pharmacological antispasmodic")
    found = re.search(
        rf"{UNDER_REVIEW}:{line}:1: warning READ001 this patient passage reads at US grade "
        r"([\d.]+), above the reading level of 8",
        result.stdout,
    )
    assert found and float(found.group(1)) > 12, result.stdout
    article.write_text(article.read_text("utf-8").replace(HARD, PLAIN), "utf-8")
    assert "READ001" not in cli("check", cwd=minimal).stdout


def test_summaries_are_measured_and_professional_passages_are_not(minimal: Path, cli) -> None:
    edit(minimal, UNDER_REVIEW, "summary: An unfinished", f"summary: {HARD[:-14]}. An unfinished")
    article = minimal / UNDER_REVIEW
    text = article.read_text("utf-8") + PATIENT.format(text=HARD).replace("patient", "professional")
    article.write_text(text.replace("tags:", "audience: [professional]\ntags:"), "utf-8")
    result = cli("check", cwd=minimal)
    assert codes_of(result).count("READ001") == 1
    assert f"{UNDER_REVIEW}:{line_of(article, 'summary:')}:1: warning READ001 this summary" in (
        result.stdout
    )


def test_the_reading_level_is_a_setting_and_status_shows_the_grades(minimal: Path, cli) -> None:
    edit(minimal, UNDER_REVIEW, "summary: An unfinished", f"summary: {HARD[:-14]}. An unfinished")
    assert "READ001" in cli("check", cwd=minimal).stdout
    edit(minimal, "pipeline.yml", "reading_level: 8", "reading_level: 40")
    assert "READ001" not in cli("check", cwd=minimal).stdout
    rows = json.loads(cli("status", "--format", "json", cwd=minimal).stdout)
    row = next(r for r in rows if r["path"] == UNDER_REVIEW)
    assert row["grades"][0]["what"] == "summary" and row["grades"][0]["grade"] > 12
    summary = cli("status", "--format", "markdown", cwd=minimal).stdout
    assert "| reading grade |" in summary and re.search(r"summary \d+\.\d", summary)


# --- competing interests ---------------------------------------------------------------------


def test_an_author_without_a_declaration_of_interests_is_an_error(minimal: Path, cli) -> None:
    roster = minimal / "references/board.yml"
    text = roster.read_text("utf-8").replace(
        "    interests: [none declared]\n    interests_declared: 2026-01-15\n", "", 1
    )
    roster.write_text(text, "utf-8")  # author1's declaration is the first
    result = cli("check", cwd=minimal)
    assert result.code == 1
    line = line_of(minimal / APPROVED, "authors:")
    assert (
        f"{APPROVED}:{line}:1: error REV014 'author1' (author) has no declaration of competing "
        "interests on the roster"
    ) in result.stdout


def test_a_declaration_older_than_the_setting_withholds_its_articles_only(
    minimal: Path, cli
) -> None:
    """A declaration runs out with time, not with a change: as an error it stopped every build
    of main on that day (an article written to fall due then held every correction and
    withdrawal off the site). It is a warning: the articles of a lapsed author do not publish,
    a lapsed approver's approvals do not count."""
    roster = minimal / "references/board.yml"
    roster.write_text(
        roster.read_text("utf-8").replace(
            "interests_declared: 2026-01-15", "interests_declared: 2025-01-15"
        ),
        "utf-8",
    )
    result = cli("check", cwd=minimal)
    assert result.code == 0
    assert (
        "warning REV015 'author1' (author) declared their interests on 2025-01-15, more than "
        "12 months ago, so the article is not published"
    ) in result.stdout
    assert "'rev2' (approver) declared" in result.stdout and "approval does not count" in (
        result.stdout
    )
    assert cli("build", cwd=minimal).code == 0
    assert not (minimal / "site/articles/back-pain.html").exists()
    status = cli("status", cwd=minimal).stdout
    assert "an author's declaration of interests is out of date" in status
    edit(minimal, "pipeline.yml", "interests_max_age_months: 12", "interests_max_age_months: 24")
    assert cli("build", cwd=minimal).code == 0
    assert (minimal / "site/articles/back-pain.html").exists()


def test_a_lapsed_approver_cannot_take_an_article_off_the_site(minimal: Path, cli) -> None:
    """The attack: a reviewer whose declaration had lapsed added their own approval beside a
    valid one; the whole article was withheld. Their approval does not count, nor show."""
    declared = "interests_declared: {}\n  - id: rev2"  # rev1's declaration: the one before
    edit(
        minimal,
        "references/board.yml",
        declared.format("2026-01-15"),
        declared.format("2025-01-15"),
    )
    signing.approve(minimal, APPROVED, "rev1", DAY, keep=True)
    result = cli("check", cwd=minimal)
    assert result.code == 0 and "'rev1' (approver)" in result.stdout
    assert cli("build", cwd=minimal).code == 0
    shown = page(minimal)
    assert "Ravi Second" in shown and "Rita Reviewer" not in shown


@pytest.mark.parametrize("empty", ["approval: []", "approval:"])
def test_an_approved_article_with_an_empty_approval_is_an_error(
    minimal: Path, cli, empty: str
) -> None:
    """The attack: an Approved article with `approval: []` raised nothing (REV002 only when the
    key was missing); it sat unpublished until its author's declaration of interests fell
    due, to stop every build of main that day."""
    path = minimal / "content/articles/pending.md"
    text = path.read_text("utf-8").replace("status: Submitted", "status: Approved", 1)
    path.write_text(
        text.replace("tags: [allergy]\n", f"tags: [allergy]\nreviewers: [rev1]\n{empty}\n"), "utf-8"
    )
    result = cli("check", cwd=minimal)
    assert result.code == 1 and codes_of(result).count("REV002") == 1, result.stdout


def test_pages_show_the_declarations_of_authors_and_reviewers(minimal: Path, cli) -> None:
    roster = minimal / "references/board.yml"
    roster.write_text(
        roster.read_text("utf-8").replace(
            "interests: [none declared]",
            'interests: ["Speaker fees from a maker of heat wraps (2025)"]',
            1,
        ),
        "utf-8",
    )
    built(minimal, cli)
    article = page(minimal)
    section = article[article.index('id="competing-interests"') :].split("</section>")[0]
    assert "<strong>Ada Author, MD</strong> (author):" in section
    assert "Speaker fees from a maker of heat wraps (2025) (declared January 15, 2026)" in section
    assert "<strong>Ravi Second, DO</strong> (reviewer):" in section and "none declared" in section
    assert "Rita Reviewer" not in section  # a reviewer in the list, not an approver
    board = page(minimal, "board.html")
    assert "Competing interests (declared January 15, 2026): Speaker fees" in board


# --- dates and who wrote it ------------------------------------------------------------------


def test_the_page_says_who_wrote_it_who_reviewed_it_and_when_the_next_review_is(
    minimal: Path, cli
) -> None:
    built(minimal, cli)
    article = page(minimal)
    assert re.search(
        r"Written by Ada Author, MD\s*· Reviewed by Ravi Second, DO on "
        r'<time datetime="2026-11-25">November 25, 2026</time>',
        article,
    )
    assert re.search(
        r'Last reviewed <time datetime="2026-11-25">November 25, 2026</time>\s*'
        r'· Next review due <time datetime="2027-11-25">November 25, 2027</time>',
        article,
    )
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', article).group(1)  # type: ignore[union-attr]
    )
    assert data["author"] == [{"@type": "Person", "name": "Ada Author, MD"}]
    assert data["reviewedBy"] == [{"@type": "Person", "name": "Ravi Second, DO"}]


# --- report a problem -------------------------------------------------------------------------


def test_every_page_links_to_the_issue_form_with_its_title_and_address(
    minimal: Path, cli, monkeypatch
) -> None:
    monkeypatch.setenv("REPO_URL", "https://github.com/example-board/clinical-answers")
    built(minimal, cli)
    for rel, title in (
        ("articles/back-pain.html", "What helps acute back spasm?"),
        ("index.html", "Home"),
        ("board.html", "Board"),
        ("topics/musculoskeletal.html", "Musculoskeletal"),
        ("404.html", None),
    ):
        html = page(minimal, rel)
        link = re.search(r'class="report-problem" href="([^"]+)"', html)
        assert link, rel
        url = urlsplit(link.group(1).replace("&amp;", "&"))
        assert url.geturl().startswith(
            "https://github.com/example-board/clinical-answers/issues/new?"
        )
        query = parse_qs(url.query)
        assert query["template"] == ["report-a-problem.yml"]
        if title:
            assert query["page-title"] == [title] and query["title"] == [f"Problem with: {title}"]
            assert query["page-url"][0].endswith(rel)


def test_without_a_repository_the_report_link_writes_to_the_board(minimal: Path, cli) -> None:
    built(minimal, cli)
    link = re.search(r'class="report-problem" href="([^"]+)"', page(minimal))
    assert link and link.group(1).startswith("mailto:corrections@clinical-answers.example?subject=")
    edit(minimal, "pipeline.yml", "report_email: corrections@clinical-answers.example\n", "")
    built(minimal, cli)
    link = re.search(r'class="report-problem" href="([^"]+)"', page(minimal))
    assert link and link.group(1) == "../editorial-policy.html#report-a-problem"
    assert 'id="report-a-problem"' in page(minimal, "editorial-policy.html")


def test_the_issue_form_is_a_valid_github_issue_form_with_the_fields_the_link_fills() -> None:
    form = yaml.safe_load((REPO / ".github/ISSUE_TEMPLATE/report-a-problem.yml").read_text("utf-8"))
    assert set(form) >= {"name", "description", "body"} and form["name"] and form["description"]
    assert set(form) <= {
        "name",
        "description",
        "title",
        "labels",
        "assignees",
        "body",
        "projects",
        "type",
    }
    ids = [item["id"] for item in form["body"] if "id" in item]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    assert {"page-title", "page-url"} <= set(ids)
    kinds = {"markdown", "textarea", "input", "dropdown", "checkboxes"}
    assert any(item["type"] != "markdown" for item in form["body"])
    for item in form["body"]:
        assert item["type"] in kinds
        attributes = item["attributes"]
        if item["type"] == "markdown":
            assert attributes["value"].strip() and "id" not in item
            continue
        assert attributes["label"].strip()
        if item["type"] == "dropdown":
            options = attributes["options"]
            assert options and len(options) == len(set(options))
        assert set(item.get("validations", {})) <= {"required"}


# --- changes to this page ----------------------------------------------------------------------


def test_the_page_lists_its_reviewed_versions_newest_first_with_their_notes(
    repo: Path, cli, monkeypatch
) -> None:
    monkeypatch.setenv("REPO_URL", "https://github.com/example-board/clinical-answers")
    signing.approve(repo, APPROVED, "rev2", dt.date(2026, 3, 1))
    commit_all(repo, "first approval", date="2026-03-01T10:00:00")
    edit(repo, APPROVED, "with heat and staying active", "with heat, walking and staying active")
    assert (
        approve(cli, repo, APPROVED, "rev2", "--note", "Walking added.", "--significant").code == 0
    )
    commit_all(repo, "walking", date="2026-11-25T10:00:00")
    first = git(repo, "log", "--format=%H", "-n1", "HEAD~1").strip()
    latest = git(repo, "log", "--format=%H", "-n1", "HEAD").strip()
    built(repo, cli)
    article = page(repo)
    changes = article[article.index('id="page-changes"') :].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", changes, re.S)
    assert "November 25, 2026" in items[0] and "Walking added." in items[0]
    assert "Clinically significant change." in items[0]
    assert f"/blob/{latest}/{APPROVED}" in items[0]
    march = next(item for item in items if "March 1, 2026" in item)
    assert f"/blob/{first}/{APPROVED}" in march and "Walking added." not in march
    assert re.search(
        r'class="significant-change" role="note"><strong>Clinically significant', article
    )
    assert "Walking added." in article[: article.index('id="review-status"') + 4000]
    # Reproducible: the same history gives the same bytes.
    before = page(repo)
    built(repo, cli)
    assert page(repo) == before


def test_a_reviewed_version_links_to_the_file_it_was_reviewed_in_whatever_its_name() -> None:
    """A pull request renamed the approved file to `back-spasm.md#x` in one commit, put an
    unreviewed text under the real name beside it, then renamed it back: unquoted, the link
    to the reviewed version dropped the `#x` and showed the unreviewed text."""
    from pipeline.model import Board
    from pipeline.review.changes import page_data

    version = ReviewedVersion(
        DAY, "rev2", "", False, "sig", "c0ffee", "content/articles/back-spasm.md#x?y"
    )
    [row] = page_data([version], Board(), "https://github.com/example/site", {DAY: "today"})
    assert row["url"] == (
        "https://github.com/example/site/blob/c0ffee/content/articles/back-spasm.md%23x%3Fy"
    )


def test_a_significant_change_stops_being_prominent_at_the_next_review(
    minimal: Path, cli, monkeypatch
) -> None:
    edit(minimal, APPROVED, "tags:", "next_review: 2026-12-01\ntags:")
    assert approve(cli, minimal, APPROVED, "rev2", "--significant", "--note", "New dose.").code == 0
    built(minimal, cli)
    assert 'class="significant-change"' in page(minimal)
    monkeypatch.setenv("PIPELINE_TODAY", "2026-12-02")
    built(minimal, cli)
    assert 'class="significant-change"' not in page(minimal)
    assert "New dose." in page(minimal)  # still listed under "Changes to this page"


def test_the_notice_of_a_significant_change_stays_while_its_day_is_the_newest(
    repo: Path, cli
) -> None:
    """Two reviewers approved the same text the same day, the second marking a clinically
    significant change: the notice showed only when the first in the list had marked it. And
    the attack: a pull request deleted only the record that marked it; the other approval still
    verified and published the article, the notice gone (now REV020)."""
    assert approve(cli, repo, APPROVED, "rev1").code == 0
    note = "Maximum dose lowered to 3 g a day after reports of liver injury."
    assert approve(cli, repo, APPROVED, "rev2", "--significant", "--note", note).code == 0
    built(repo, cli)
    assert 'class="significant-change"' in page(repo) and note in page(repo)
    commit_all(repo, "a significant change, approved by two")
    git(repo, "checkout", "-q", "-b", "quiet")
    text = (repo / APPROVED).read_text("utf-8")
    start = text.index("  - by: rev2")
    end = min(i for i in (text.find("  - by: ", start + 1), text.find("\n---\n", start)) if i > 0)
    (repo / APPROVED).write_text(text[:start] + text[end + (text[end] == "\n") :], "utf-8")
    assert cli("check", cwd=repo).code == 0  # rev1's approval still publishes it
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1 and "REV020" in codes_of(result), result.stdout
    assert "shows the clinically significant change approved on 2026-11-25" in result.stdout


def test_the_notice_of_a_significant_change_stays_when_its_reviewer_lapses(repo: Path, cli) -> None:
    """The attack needed no pull request: two reviewers approved the same text the same day, one
    marking a clinically significant change; when that reviewer's declaration of interests ran
    out, the article still published on the other's approval and the notice was gone, though
    the text it is about had not changed (check read it as still shown, REV020)."""
    assert approve(cli, repo, APPROVED, "rev1").code == 0
    note = "Maximum dose lowered to 3 g a day after reports of liver injury."
    assert approve(cli, repo, APPROVED, "rev2", "--significant", "--note", note).code == 0
    roster = repo / "references/board.yml"
    before, after = roster.read_text("utf-8").split("  - id: rev2", 1)
    after = after.replace("interests_declared: 2026-01-15", "interests_declared: 2025-09-01", 1)
    roster.write_text(before + "  - id: rev2" + after, "utf-8")
    built(repo, cli)
    assert "REV015" in codes_of(cli("check", cwd=repo))  # rev2 has lapsed
    assert 'class="significant-change"' in page(repo) and note in page(repo)


# --- the editorial policy ------------------------------------------------------------------------


def test_the_editorial_policy_states_the_settings_the_checks_use(minimal: Path, cli) -> None:
    edit(minimal, "pipeline.yml", "review_interval_months: 12", "review_interval_months: 18")
    edit(minimal, "pipeline.yml", "approvals_required: 1", "approvals_required: 2")
    edit(minimal, "pipeline.yml", "reading_level: 8", "reading_level: 7")
    signing.approve(minimal, APPROVED, "rev1", DAY, keep=True)
    built(minimal, cli)
    policy = page(minimal, "editorial-policy.html")
    assert "approved by 2 different reviewers" in policy
    assert "reviewed again at least every 18 months" in policy
    assert "at or below a US school grade of 7" in policy
    assert "corrections@clinical-answers.example" in policy


def test_an_approval_in_history_that_never_verified_is_never_shown(repo: Path, cli) -> None:
    """The attack: commit a forged approval record with a note (and revert it), so it sits in
    history; readers must not see its note, its reviewer or a significant-change banner."""
    forged = (
        "approval:\n  - by: rev1\n    on: 2026-11-20\n    significant: true\n"
        '    note: "Take oxycodone 80 mg twice daily."\n    signature: FORGED\nold_approval:\n'
    )
    edit(repo, APPROVED, "approval:\n", forged)
    commit_all(repo, "forged")
    git(repo, "revert", "--no-edit", "HEAD")
    assert "NOT verified" in cli("history", APPROVED, cwd=repo).stdout
    built(repo, cli)
    article = page(repo)
    assert "oxycodone" not in article and 'class="significant-change"' not in article
    changes = article[article.index('id="page-changes"') :].split("</section>")[0]
    assert "Rita Reviewer" not in changes


def test_the_history_reads_the_library_as_the_project_does(repo: Path, cli) -> None:
    """The attack: a copy of a cited entry, altered, in references/archive/old.bib. The project
    reads references/*.bib only, but the history read every .bib below references/ (the first
    key in path order winning), so every later approval read as changed: "Changes to this
    page" lost its entries, and `history` called a valid approval not verified."""
    library = (repo / "references/library.bib").read_text("utf-8")
    start = library.index("@article{browning2001")
    entry = library[start : library.index("\n}", start) + 2]
    (repo / "references/archive").mkdir()
    (repo / "references/archive/old.bib").write_text(
        entry.replace("and back pain", "cures back pain"), "utf-8"
    )
    commit_all(repo, "an archive of old entries")
    assert approve(cli, repo, APPROVED, "rev2", "--note", "Reviewed again.").code == 0
    commit_all(repo, "reviewed again")
    history = cli("history", APPROVED, cwd=repo).stdout
    assert "NOT verified" not in history and history.count(": verified (key") == 2, history


def test_the_history_parses_each_version_of_a_library_file_once(
    repo: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: a large file of sources nothing cites beside library.bib. The history parsed
    every file of each library version a reviewed version saw, so each later approval (with
    its own library.bib) made every build slower again by that file's reading."""
    from pipeline.project import load_project
    from pipeline.review import past
    from pipeline.site.build import committed_versions

    (repo / "references/zz-sources.bib").write_text(
        "@misc{zz, title = {Uncited}, url = {https://example.org/zz}, year = {2020}}\n", "utf-8"
    )
    commit_all(repo, "a file of sources")
    for review in range(3):
        with (repo / "references/library.bib").open("a", encoding="utf-8") as library:
            library.write(f"\n@misc{{extra{review}, title = {{Extra}}, year = {{2020}},\n")
            library.write(f"  url = {{https://example.org/{review}}}}}\n")
        assert approve(cli, repo, APPROVED, "rev2", "--note", f"Review {review}.").code == 0
        commit_all(repo, f"reviewed again ({review})")
    parsed: list[str] = []
    parse = past.parse_library
    monkeypatch.setattr(
        past,
        "parse_library",
        lambda path, text, **how: parsed.append(path) or parse(path, text, **how),
    )
    versions = committed_versions(repo, load_project(repo, DAY), DAY)
    assert len(versions[APPROVED]) >= 3
    assert parsed.count("references/zz-sources.bib") == 1
    assert parsed.count("references/library.bib") == 4  # its version at each review


def test_the_history_reads_a_library_past_todays_latex_limit_as_it_was_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library committed before the limit (or past a lower one) still verifies the approvals
    made with it: read as nothing, the base's approvals failed there, and the pull request
    that brought the library under the limit was refused as bringing them back (REV018)."""
    from pipeline.content import library
    from pipeline.review.past import PastInputs

    with (repo / "references/library.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@misc{guide, title = {Pain {\\&} Function}, url = {https://e.org/g},\n")
        bib.write("  year = {2020}}\n")
    commit_all(repo, "a source with LaTeX in its title")
    monkeypatch.setattr(library, "LATEX_LIMIT", 10)
    head = git(repo, "rev-parse", "HEAD").strip()
    assert library.load_library(repo)[1][0].code == "BIB022"  # today's reading refuses it
    assert "browning2001" in PastInputs(repo).library(head).entries


def test_a_past_approval_kept_between_builds_is_checked_again_for_another_board(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds keep each reviewed version's checked approvals in the parse cache (every build
    checked every version again). A key removed from the roster withdraws what it signed, in
    the history too: a result kept for the old roster must not be served for the new one."""
    from dataclasses import replace

    from pipeline.cache import Cache
    from pipeline.project import load_project
    from pipeline.review import past

    head = git(repo, "rev-parse", "HEAD").strip()
    text = (repo / APPROVED).read_text("utf-8")
    board = load_project(repo, DAY).board
    cache = Cache(tmp_path / "cache")
    first = past.PastInputs(repo, cache).checks(APPROVED, text, head, board, DAY)
    assert first and all(check.verified for check in first)
    members = dict(board.members)
    members[first[0].by] = replace(members[first[0].by], keys=())
    keyless = past.PastInputs(repo, cache).checks(
        APPROVED, text, head, replace(board, members=members), DAY
    )
    assert keyless and not any(check.verified for check in keyless)
    # The same inputs again, in a new run: read from the cache, not checked again.
    monkeypatch.setattr(past, "checks_at", lambda *given: pytest.fail("checked again"))
    assert past.PastInputs(repo, cache).checks(APPROVED, text, head, board, DAY) == first


def test_a_past_approval_git_could_not_read_once_is_read_again_next_time(
    repo: Path, tmp_path: Path
) -> None:
    """The library's file cannot be read in one build (an object missing from a partial
    clone, a timeout): the library reads as empty and the approval does not hold. That result
    is not kept, so once git reads the file again the approval holds again."""
    from pipeline.cache import Cache
    from pipeline.project import load_project
    from pipeline.review import past

    head = git(repo, "rev-parse", "HEAD").strip()
    text = (repo / APPROVED).read_text("utf-8")
    board = load_project(repo, DAY).board
    blob = git(repo, "rev-parse", f"{head}:references/library.bib").strip()
    stored = repo / ".git/objects" / blob[:2] / blob[2:]
    cache = Cache(tmp_path / "cache")
    hidden = stored.rename(tmp_path / "blob")
    during = past.PastInputs(repo, cache).checks(APPROVED, text, head, board, DAY)
    assert during and not any(check.verified for check in during)
    hidden.rename(stored)
    after = past.PastInputs(repo, cache).checks(APPROVED, text, head, board, DAY)
    assert after and all(check.verified for check in after)


def test_each_committed_version_is_read_by_its_own_object_renames_included(repo: Path) -> None:
    """The history reads each version by the object id `git log` names (by `COMMIT:PATH`, git
    searched the articles' folder once per version: 5.9 s at 5,000 articles); a version read
    from another object would show another text's approvals."""
    from pipeline import git as reader

    moved = "content/articles/back-pain-in-adults.md"
    git(repo, "mv", APPROVED, moved)
    commit_all(repo, "renamed")
    edit(repo, moved, "title: ", "title: Adults: ")
    commit_all(repo, "retitled")
    found = reader.revisions(repo, "content/articles", [moved])[moved]
    assert [r.path for r in found] == [APPROVED, moved, moved]
    for revision in found:
        assert revision.blob == git(repo, "rev-parse", f"{revision.commit}:{revision.path}").strip()
    texts = reader.texts(repo, found)
    assert "title: Adults: " in texts[found[-1]] and "title: Adults: " not in texts[found[0]]


def test_files_on_the_base_are_read_each_by_its_path_there(repo: Path) -> None:
    """`check --base` reads the base's files by the object ids one listing of its tree names
    (by `REF:PATH`, git searched the articles' folder once per file: 17 s at 5,000 articles):
    each path gets its own bytes there, two files with the same bytes both, a folder or a
    path not there nothing, and a later change nothing."""
    from pipeline import git as reader

    twin = "content/pages/twin.md"
    (repo / twin).write_bytes((repo / APPROVED).read_bytes())
    commit_all(repo, "twin")
    base = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, APPROVED, "title: ", "title: Later: ")
    commit_all(repo, "later")
    asked = [APPROVED, twin, "content/pages", "content/articles/none.md", "mkdocs.yml"]
    found = reader.files_at(repo, base, asked)
    assert sorted(found) == sorted([APPROVED, twin, "mkdocs.yml"])
    assert found[APPROVED] == found[twin] and b"title: Later: " not in found[APPROVED]
    assert found["mkdocs.yml"] == git(repo, "show", f"{base}:mkdocs.yml").encode()
    assert reader.files_at(repo, "no-such-ref", asked) == {}


def test_a_signature_renewed_the_same_day_is_one_review_to_readers() -> None:
    day, later = dt.date(2026, 7, 28), dt.date(2026, 9, 1)
    versions = [
        ReviewedVersion(day, "asmith", "", False, "sig-1", "c1", APPROVED),
        ReviewedVersion(day, "asmith", "", False, "sig-2", "c2", APPROVED),
        ReviewedVersion(day, "asmith", "Dose corrected.", True, "sig-3", "c3", APPROVED),
        ReviewedVersion(later, "rev2", "", False, "sig-4", "c4", APPROVED),
    ]
    kept = reviewed_versions(versions, [])
    assert [v.commit for v in kept] == ["c4", "c3", "c2"]


def test_another_articles_reviews_never_show_through_a_rename(repo: Path, cli) -> None:
    """The attack: delete this article, rename another (approved with a significant change)
    onto its path, and restore both, so that git follows the other one's history onto this
    page. An approval shows only for the article it was signed for."""
    other = "content/articles/other-answer.md"
    text = (repo / APPROVED).read_text("utf-8").replace("title: ", "title: Another answer. ", 1)
    (repo / other).write_text(text, "utf-8")
    note = "Maximum daily dose raised to 3200 mg."
    assert approve(cli, repo, other, "rev1", "--note", note, "--significant").code == 0
    commit_all(repo, "another answer")
    kept = {rel: (repo / rel).read_text("utf-8") for rel in (APPROVED, other)}
    git(repo, "rm", "-q", APPROVED)
    commit_all(repo, "remove")
    git(repo, "mv", other, APPROVED)
    commit_all(repo, "rename")
    for rel, text in kept.items():
        (repo / rel).write_text(text, "utf-8")
    commit_all(repo, "restore both")
    built(repo, cli)
    assert "3200 mg" not in page(repo)
