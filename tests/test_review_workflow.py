"""The review workflow (DESIGN §3, §8): the roster, the commands that move an article along,
the review schedule, status and history. Signed approvals have their own file
(test_signed_approvals.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest

from pipeline.review.signatures import fingerprint
from tests import signing
from tests.conftest import DAY, approve, commit_all, edit, git, run_module

PENDING = "content/articles/pending.md"
UNDER_REVIEW = "content/articles/under-review.md"
APPROVED = "content/articles/back-pain.md"


# --- the roster ---------------------------------------------------------------------------


def test_roster_with_a_duplicate_id_is_an_error_on_its_line(minimal: Path, cli) -> None:
    roster = minimal / "references/board.yml"
    roster.write_text(
        roster.read_text("utf-8") + "  - id: rev1\n    name: Copy\n    credentials: MD\n"
    )
    result = cli("check", cwd=minimal)
    assert "references/board.yml:27:1: error REV005 the id 'rev1' is used twice" in result.stdout


def test_roster_member_without_credentials_or_with_unknown_role_is_an_error(
    minimal: Path, cli
) -> None:
    edit(minimal, "references/board.yml", "    credentials: DO\n", "")
    edit(minimal, "references/board.yml", "roles: [author]", "roles: [author, editor]")
    result = cli("check", cwd=minimal)
    assert "references/board.yml:3:1: error REV005 member 'author1' has unknown role 'editor'" in (
        result.stdout
    )
    assert "references/board.yml:19:1: error REV005 member 'rev2' has no 'credentials'" in (
        result.stdout
    )


def test_author_not_on_the_roster_is_an_error_with_did_you_mean(minimal: Path, cli) -> None:
    edit(minimal, PENDING, "authors: [author1]", "authors: [autor1]")
    result = cli("check", cwd=minimal)
    assert f"{PENDING}:4:1: error REV001 'autor1' in authors is not on the board roster " in (
        result.stdout
    )
    assert "(did you mean 'author1'?)" in result.stdout


# --- new, review, approve -----------------------------------------------------------------


def test_new_scaffolds_a_submitted_article_that_passes_check(minimal: Path, cli) -> None:
    result = cli(
        "new", "Is heat better than ice for acute neck pain?", "--author", "author1", cwd=minimal
    )
    assert result.code == 0, result.stderr
    path = minimal / "content/articles/is-heat-better-than-ice-for-acute-neck-pain.md"
    text = path.read_text("utf-8")
    assert text.startswith(
        '---\ntitle: "Is heat better than ice for acute neck pain?"\nstatus: Submitted\n'
        "authors: [author1]\nreviewers: []\nlast_updated: 2026-11-25\n"
    )
    assert "## Pharmacological management" in text
    assert cli("check", cwd=minimal).code == 0
    again = cli(
        "new", "Is heat better than ice for acute neck pain?", "--author", "author1", cwd=minimal
    )
    assert again.code == 1 and "already exists" in again.stderr


def test_new_refuses_someone_who_is_not_an_author_on_the_roster(minimal: Path, cli) -> None:
    assert cli("new", "Q?", "--author", "rev2", cwd=minimal).code == 1
    unknown = cli("new", "Q?", "--author", "autor1", cwd=minimal)
    assert unknown.code == 1 and "did you mean 'author1'?" in unknown.stderr


def test_review_moves_submitted_to_under_review_and_keeps_everything_else(
    minimal: Path, cli
) -> None:
    path = minimal / PENDING
    before = path.read_text("utf-8")
    result = cli("review", PENDING, "--by", "rev2", cwd=minimal)
    assert result.code == 0, result.stderr
    after = path.read_text("utf-8")
    assert after == before.replace("status: Submitted", "status: Under Review").replace(
        "tags: [allergy]", "tags: [allergy]\nreviewers: [rev2]"
    ).replace("summary:", "summary:", 1)
    assert cli("check", cwd=minimal).code == 0


def test_review_refuses_an_author_and_a_member_without_the_reviewer_role(
    minimal: Path, cli
) -> None:
    edit(minimal, PENDING, "authors: [author1]", "authors: [author1, rev1]")
    assert "is an author" in cli("review", PENDING, "--by", "rev1", cwd=minimal).stderr
    assert "reviewer role" in cli("review", PENDING, "--by", "author1", cwd=minimal).stderr


def test_approve_refuses_an_article_that_cites_no_source(minimal: Path, cli) -> None:
    """Signed as it was, a fresh skeleton became an Approved article without evidence (CIT005),
    and that one error stopped every build of the site."""
    question = "Is heat better than ice for acute neck pain?"
    assert cli("new", question, "--author", "author1", cwd=minimal).code == 0
    rel = "content/articles/is-heat-better-than-ice-for-acute-neck-pain.md"
    assert cli("review", rel, "--by", "rev2", cwd=minimal).code == 0
    before = (minimal / rel).read_text("utf-8")
    refused = approve(cli, minimal, rel, "rev2")
    assert refused.code == 1 and "cites no source" in refused.stderr
    assert (minimal / rel).read_text("utf-8") == before


def test_approve_by_a_member_whose_roster_entry_is_broken_says_where_to_look(
    minimal: Path, cli
) -> None:
    edit(minimal, "references/board.yml", "credentials: DO", "credentials: ''")  # rev2
    refused = approve(cli, minimal, UNDER_REVIEW, "rev2")
    assert refused.code == 1 and "python -m pipeline check names" in refused.stderr


def test_approve_keeps_crlf_line_endings_and_comments(minimal: Path, cli) -> None:
    path = minimal / UNDER_REVIEW
    text = path.read_text("utf-8").replace("tags:", "# keep me\ntags:")
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert approve(cli, minimal, UNDER_REVIEW, "rev2").code == 0
    raw = path.read_bytes()
    assert b"\r\n# keep me\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert cli("check", cwd=minimal).code == 0


def test_one_step_forward_or_any_step_back_is_allowed(repo: Path, cli) -> None:
    assert cli("review", PENDING, "--by", "rev2", cwd=repo).code == 0
    edit(repo, APPROVED, "status: Approved", "status: Under Review")
    assert cli("check", "--base", "main", cwd=repo).code == 0


def test_missing_base_in_a_shallow_clone_gives_a_clear_message(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    result = run_module("check", "--base", "origin/develop", cwd=clone)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the base 'origin/develop' is not in this clone" in result.stderr
    assert "fetch-depth: 0" in result.stderr
    assert run_module("check", "--base", "origin/main", cwd=clone).returncode == 0


# --- review schedule ----------------------------------------------------------------------------


def test_overdue_review_is_a_warning_a_page_note_and_a_status_entry(minimal: Path, cli) -> None:
    nothing = cli("status", "--overdue", cwd=minimal).stdout  # was a blank line
    assert nothing == "No article is past its review date.\n"
    edit(minimal, APPROVED, "tags:", "next_review: 2026-10-01\ntags:")
    signing.approve(minimal, APPROVED, "rev2", DAY)  # next_review is signed
    result = cli("check", cwd=minimal)
    assert result.code == 0 and " warning REV006 review was due on 2026-10-01" in result.stdout
    assert cli("check", "--strict", cwd=minimal).code == 1
    assert cli("build", cwd=minimal).code == 0
    page = (minimal / "site/articles/back-pain.html").read_text("utf-8")
    assert 'class="review-overdue"' in page and "Review overdue." in page
    status = json.loads(cli("status", "--overdue", "--format", "json", cwd=minimal).stdout)
    assert [(row["path"], row["overdue"]) for row in status] == [(APPROVED, True)]
    weekly = cli("status", "--overdue", "--format", "markdown", cwd=minimal).stdout
    assert weekly.startswith("## Overdue reviews\n\n**1 approved article(s) are past their review")
    assert (
        "| What helps acute back spasm? | Approved | 2026-11-25 | 2026-10-01 **overdue** |"
        in weekly
    )


def test_review_interval_counts_from_the_approval_and_is_a_setting(minimal: Path, cli) -> None:
    signing.approve(minimal, APPROVED, "rev2", dt.date(2026, 4, 1))
    assert "REV006" not in cli("check", cwd=minimal).stdout
    edit(minimal, "pipeline.yml", "review_interval_months: 12", "review_interval_months: 6")
    assert "review was due on 2026-10-01" in cli("check", cwd=minimal).stdout


# --- status and history -------------------------------------------------------------------------


def test_status_lists_every_article_and_what_blocks_it(minimal: Path, cli) -> None:
    rows = json.loads(cli("status", "--format", "json", cwd=minimal).stdout)
    by_path = {row["path"]: row for row in rows}
    assert set(by_path) == {APPROVED, PENDING, UNDER_REVIEW}
    assert by_path[APPROVED]["published"] and by_path[APPROVED]["next_review"] == "2027-11-25"
    assert by_path[PENDING]["blockers"] == ["waiting for a reviewer (python -m pipeline review)"]
    assert by_path[UNDER_REVIEW]["reviewers"] == ["rev1"]
    # A review falls due only once the board approved: a draft shows no date (a new user read
    # one as a deadline).
    assert by_path[PENDING]["next_review"] == "" and not by_path[PENDING]["overdue"]
    text = cli("status", cwd=minimal).stdout
    assert text.count("next review") == 1 and "next review 2027-11-25" in text
    summary = cli("status", "--format", "markdown", cwd=minimal).stdout
    assert "**1 article(s) will be published** when this is merged to main." in summary


def test_history_reads_status_changes_and_approvals_from_git(repo: Path, cli) -> None:
    assert cli("review", PENDING, "--by", "rev1", cwd=repo).code == 0
    commit_all(repo, "start review", date="2026-07-01T10:00:00")
    assert approve(cli, repo, PENDING, "rev2").code == 0
    commit_all(repo, "approve", date="2026-07-02T10:00:00")
    result = cli("history", PENDING, cwd=repo)
    events = [line.split("  ")[1:4:2] for line in result.stdout.splitlines()[1:]]
    assert events[:3] == [
        ["2026-06-01", "created as Submitted"],
        ["2026-07-01", "status Submitted -> Under Review"],
        ["2026-07-02", "status Under Review -> Approved"],
    ]
    assert events[3][0] == "2026-07-02"
    key = fingerprint(signing.public("rev2"))
    assert events[3][1] == f"approved by Ravi Second, DO on 2026-11-25: verified (key {key})"
    assert "[commit by Board Clerk]" in result.stdout


def test_a_value_or_commit_author_cannot_redraw_what_status_check_and_history_print(
    repo: Path, cli
) -> None:
    """The attack: escape sequences and carriage returns in a reviewer's id (a YAML escape) or
    in a commit's author name erased the real lines in a board member's terminal and drew a
    forged "approved by … verified"; a carriage return in the author name also hid a commit
    from `history`, and a \\x1e crashed it. A title holding HTML closed the job summary's
    table and drew its own counts. Every value is printed with such characters as escapes,
    and the summary as text."""
    edit(
        repo,
        PENDING,
        "title: Should zebra stripes guide the choice of antihistamine?",
        'title: "Is it safe? </td></tr></table><h2>Approved: 9</h2>"\n'
        'reviewers: ["rev1\\r\\e[1A\\e[2KApproved"]',
    )
    for command in (("status",), ("check",)):
        out = cli(*command, cwd=repo).stdout
        assert "\x1b" not in out and "\r" not in out, command
        assert "rev1\\r\\x1b[1A" in out, command
    summary = cli("status", "--format", "markdown", cwd=repo).stdout
    assert "</table>" not in summary and "&lt;/table&gt;" in summary
    git(repo, "checkout", "-q", "--", ".")
    assert cli("review", PENDING, "--by", "rev1", cwd=repo).code == 0
    git(repo, "add", "-A")
    subprocess.run(
        ["git", "-c", "user.name=jd\x1eoe\rx\x1bE", "-c", "user.email=j@x", "commit", "-qm", "r"],
        cwd=repo,
        check=True,
    )
    history = cli("history", PENDING, cwd=repo).stdout
    assert "status Submitted -> Under Review" in history
    assert "[commit by jd\\x1eoe\\rx\\x1bE]" in history and "\x1b" not in history
    # A commit written by hand with no author name (git's tools refuse one, fsck does not)
    # ended its record early and crashed `history`.
    edit(repo, PENDING, "title:", "tags: [x]\ntitle:")
    git(repo, "add", "-A")
    tree, parent = git(repo, "write-tree").strip(), git(repo, "rev-parse", "HEAD").strip()
    nameless = "author  <m@x> 1764000000 +0000\ncommitter  <m@x> 1764000000 +0000"
    made = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        input=f"tree {tree}\nparent {parent}\n{nameless}\n\nTags\n",
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    git(repo, "reset", "-q", "--soft", made.stdout.strip())
    result = cli("history", PENDING, cwd=repo)
    assert result.code == 0 and "[commit by ]" in result.stdout, result.stderr


# --- preview and the page -----------------------------------------------------------------------


def test_preview_renders_every_article_with_banner_and_noindex(minimal: Path, cli) -> None:
    assert cli("build", "--preview", cwd=minimal).code == 0
    preview = minimal / "preview"
    pending = (preview / "articles/pending.html").read_text("utf-8")
    assert "Pending human review — educational purpose only, exercise caution" in pending
    assert 'data-status="submitted"' in pending and 'id="medical-disclaimer"' in pending
    under = (preview / "articles/under-review.html").read_text("utf-8")
    assert 'data-status="under-review"' in under and "pending-banner" in under
    approved = (preview / "articles/back-pain.html").read_text("utf-8")
    assert "pending-banner" not in approved
    for page in preview.rglob("*.html"):
        assert '<meta name="robots" content="noindex, nofollow">' in page.read_text("utf-8")
    assert not (minimal / "site").exists()


@pytest.mark.parametrize(
    "body",
    ["".join("    " * level + "- item\n" for level in range(40)), "A line [ of text.\n" * 1_100],
    ids=["nested 40 deep", "1,100 brackets"],
)
def test_preview_leaves_out_an_article_python_markdown_would_take_minutes_over(
    minimal: Path, cli, body: str
) -> None:
    """A preview renders drafts with their errors, but not one nested past the limit (FM020)
    or with more brackets than Python-Markdown reads in reasonable time: a draft of 360 KB of
    nested lists held the pull request's preview build for good. Its page is simply absent."""
    path = minimal / "content/articles/pending.md"
    text = path.read_text("utf-8")
    path.write_text(text + "\n" + body, "utf-8")
    assert cli("build", "--preview", cwd=minimal).code == 0
    assert not (minimal / "preview/articles/pending.html").exists()
    assert (minimal / "preview/articles/under-review.html").exists()


def test_normal_build_never_includes_preview_pages(minimal: Path, cli) -> None:
    assert cli("build", "--preview", cwd=minimal).code == 0
    assert cli("build", cwd=minimal).code == 0
    site = minimal / "site"
    assert not (site / "articles/pending.html").exists()
    assert all("noindex" not in p.read_text("utf-8") for p in site.rglob("*.html"))


def test_article_edited_after_approval_leaves_the_build_but_shows_in_preview(
    minimal: Path, cli
) -> None:
    edit(minimal, APPROVED, "heat and staying active", "ice and staying active")
    assert cli("build", cwd=minimal).code == 1
    assert not (minimal / "site/articles/back-pain.html").exists()
    assert cli("build", "--preview", cwd=minimal).code == 0
    page = (minimal / "preview/articles/back-pain.html").read_text("utf-8")
    assert "pending-banner" in page and "ice and staying active" in page


def test_page_names_the_reviewer_and_carries_medical_web_page_json_ld(minimal: Path, cli) -> None:
    assert cli("build", cwd=minimal).code == 0
    page = (minimal / "site/articles/back-pain.html").read_text("utf-8")
    assert re.search(
        r"Reviewed by Ravi Second, DO on <time datetime=\"2026-11-25\">November 25, 2026</time>",
        page,
    )
    assert re.search(r'<li class="review-stepper__step is-current"\s+aria-current="step">', page)
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1)
    )  # type: ignore[union-attr]
    assert data["@type"] == "MedicalWebPage" and data["lastReviewed"] == "2026-11-25"
    # Only approvals that verify name a reviewer, never the free-form `reviewers` list.
    assert data["reviewedBy"] == [{"@type": "Person", "name": "Ravi Second, DO"}]
    assert data["author"] == [{"@type": "Person", "name": "Ada Author, MD"}]
