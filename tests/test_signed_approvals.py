"""Signed approvals (issue 15): an approval is an SSH signature, by a key on the roster, of an
eligible reviewer who is not an author, over everything a reader sees of the article. Each
forgery a contributor with nothing but a pull request could try is refused by `check` (exit 1,
its code, its line) and leaves the article off the built site.

Keys are real, made with ssh-keygen by tests/signing.py; nothing here trusts a placeholder.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
import struct
from pathlib import Path

import pytest

from pipeline.content.articles import parse_article
from pipeline.content.library import load_library
from pipeline.review.roster import RosterSignature, governed_files, render_signatures
from pipeline.review.signatures import fingerprint, signer
from pipeline.review.statement import changed_items
from tests import signing
from tests.conftest import (
    DAY,
    FIXTURES,
    TODAY,
    approve,
    codes_of,
    commit_all,
    copy_project,
    edit,
    git,
    line_of,
)

APPROVED = "content/articles/back-pain.md"
ROSTER_FILE = "references/board.yml"
PENDING = "content/articles/pending.md"
UNDER_REVIEW = "content/articles/under-review.md"


def refused(root: Path, cli, code: str, line: int | None = None) -> str:
    """Check fails with `code` on the approved article (at `line`, if given), and the build
    publishes nothing of it. Returns check's output."""
    checked = cli("check", cwd=root)
    assert checked.code == 1, checked.stdout
    assert code in codes_of(checked), checked.stdout
    if line is not None:
        assert f"{APPROVED}:{line}:1: error {code} " in checked.stdout, checked.stdout
    built = cli("build", "--site-dir", "out", cwd=root)
    assert built.code == 1 and not (root / "out").exists()
    preview = cli("build", "--preview", cwd=root)
    assert preview.code == 0
    page = (root / "preview/articles/back-pain.html").read_text("utf-8")
    assert "pending-banner" in page and "Reviewed by" not in page
    return checked.stdout


def approval_line(root: Path) -> int:
    return line_of(root / APPROVED, "approval:")


# --- forgeries ------------------------------------------------------------------------------


def test_an_edit_with_its_digests_recomputed_is_refused(minimal: Path, cli) -> None:
    """The old attack: change a dose and recompute the hash. The recorded digests are only
    hints; the signature is over the article as the reviewer saw it."""
    edit(minimal, APPROVED, "heat and staying active", "100 mg and staying active")
    path = minimal / APPROVED
    text = path.read_text("utf-8")
    article, _ = parse_article(APPROVED, text, DAY)
    assert article is not None
    fresh = signing.signed(article, _library(minimal), "rev2", DAY, signer="author1")
    for item, digest in fresh.covers.items():  # forge every recorded digest to match
        text = re.sub(rf"(    {re.escape(item)}) [0-9a-f]+\n", rf"\1 {digest}\n", text)
    path.write_text(text, "utf-8")
    out = refused(minimal, cli, "REV008", approval_line(minimal))
    assert "is not a valid signature of this article as it is" in out


def test_a_signature_copied_from_another_article_is_refused(minimal: Path, cli) -> None:
    signing.approve(minimal, UNDER_REVIEW, "rev2", DAY)
    other = (minimal / UNDER_REVIEW).read_text("utf-8")
    copied = other[other.index("approval:") : other.index("\n---\n", 4) + 1]
    text = (minimal / APPROVED).read_text("utf-8")
    mine = text[text.index("approval:") : text.index("\n---\n", 4) + 1]
    (minimal / APPROVED).write_text(text.replace(mine, copied), "utf-8")
    out = refused(minimal, cli, "REV003")
    assert "The page address (file name), the title, the text" in out


def test_a_signature_by_a_key_not_on_the_roster_is_refused(minimal: Path, cli) -> None:
    signing.approve(minimal, APPROVED, "rev2", DAY, signer="rev2", key_name="laptop")
    out = refused(minimal, cli, "REV009", approval_line(minimal))
    key = fingerprint(signing.public("rev2", "laptop"))
    assert f"was signed with the key {key}, which is not one of 'rev2''s keys" in out


def test_an_approval_by_the_authors_own_key_is_refused(minimal: Path, cli) -> None:
    """Signed with the author's key, under the reviewer's name: the key is not the reviewer's.
    Signed as the author: an author may not approve their own article."""
    signing.approve(minimal, APPROVED, "rev2", DAY, signer="author1")
    assert "REV009" in refused(minimal, cli, "REV009")
    edit(minimal, APPROVED, "authors: [author1]", "authors: [author1, rev1]")
    signing.approve(minimal, APPROVED, "rev1", DAY)
    out = refused(minimal, cli, "REV004", approval_line(minimal))
    assert "'rev1' may not approve this article: they are one of its authors" in out


def test_a_member_without_the_reviewer_role_approves_nothing(minimal: Path, cli) -> None:
    signing.approve(minimal, APPROVED, "author1", DAY)
    assert "they do not have the reviewer role" in refused(minimal, cli, "REV004")


def test_a_hand_written_approval_without_a_signature_approves_nothing(minimal: Path, cli) -> None:
    text = (minimal / APPROVED).read_text("utf-8")
    start, end = text.index("approval:"), text.index("\n---\n", 4) + 1
    (minimal / APPROVED).write_text(
        text[:start] + "approval:\n  by: rev2\n  on: 2026-11-25\n" + text[end:], "utf-8"
    )
    refused(minimal, cli, "REV002", approval_line(minimal))


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("summary: Muscle relaxants", "summary: Opioids", "The summary changed after rev2"),
        ("authors: [author1]", "authors: [author1, rev1]", "The authors changed after rev2"),
        ("tags:", "audience: [patient]\ntags:", "The audience changed after rev2"),
        ("tags:", "next_review: 2099-01-01\ntags:", "The next review date changed after rev2"),
        ("title: What helps acute", "title: What cures acute", "The title changed after rev2"),
        ("with heat and staying", "with ice and staying", "The text changed after rev2"),
    ],
)
def test_a_change_to_anything_readers_see_unpublishes_the_article(
    minimal: Path, cli, old: str, new: str, named: str
) -> None:
    edit(minimal, APPROVED, old, new)
    assert named in refused(minimal, cli, "REV003", approval_line(minimal))


def test_a_line_break_made_with_trailing_spaces_unpublishes_the_article(
    tmp_path: Path, cli
) -> None:
    """Two spaces at the end of a line make Markdown break the line there: readers see it, so
    the approval covers it, though other trailing white space is ignored. Trailing blanks with a
    tab are signed as written (whether it breaks the line depends on its column)."""
    minimal = copy_project(FIXTURES / "minimal", tmp_path / "project")
    edit(minimal, APPROVED, "with heat and staying", "with heat\nand staying")
    signing.sign_project(minimal)
    edit(minimal, APPROVED, "## Medicines", "## Medicines ")
    edit(minimal, APPROVED, "with heat\n", "with heat \n")
    assert cli("check", cwd=minimal).code == 0
    for ending in ("with heat  \n", "with heat\t\n"):
        edit(minimal, APPROVED, "with heat \n", ending)
        assert "The text changed after rev2" in refused(
            minimal, cli, "REV003", approval_line(minimal)
        )
        edit(minimal, APPROVED, ending, "with heat \n")


def test_characters_that_compose_into_markup_change_nothing_the_approval_did_not_sign(
    tmp_path: Path, cli
) -> None:
    """The attack: after approval, the author writes a fence with U+1FEF, which composes to a
    backtick, so the signature (over the composed text) still verifies, while the renderer read
    the raw text (a paragraph hidden in a comment held open by fences appeared). Every file is
    now read composed, so the page is exactly the approved one."""
    minimal = copy_project(FIXTURES / "minimal", tmp_path / "project")
    block = "```\nTake ten times the dose.\n```\n"
    edit(minimal, APPROVED, "## Medicines", block + "\n## Medicines")
    signing.sign_project(minimal)
    assert cli("build", cwd=minimal).code == 0
    page = minimal / "site/articles/back-pain.html"
    approved = page.read_bytes()
    edit(minimal, APPROVED, block, block.replace("```", "\u1fef" * 3))
    assert cli("check", cwd=minimal).code == 0  # the same text, composed
    assert cli("build", cwd=minimal).code == 0
    assert page.read_bytes() == approved


def test_a_no_break_space_after_a_fence_unpublishes_the_article(tmp_path: Path, cli) -> None:
    """The attack: "```" followed by U+00A0 is no fence to Markdown, but trailing white space of
    every kind was left out of the signature: one invisible character after approval turned
    a code sample into the page's own text."""
    minimal = copy_project(FIXTURES / "minimal", tmp_path / "project")
    edit(minimal, APPROVED, "## Medicines", "```\nexample\n```\n\n## Medicines")
    signing.sign_project(minimal)
    assert cli("check", cwd=minimal).code == 0
    edit(minimal, APPROVED, "```\nexample", "```\u00a0\nexample")
    assert "The text changed after rev2" in refused(minimal, cli, "REV003", approval_line(minimal))


def test_a_change_to_a_cited_library_entry_unpublishes_the_article(minimal: Path, cli) -> None:
    edit(minimal, "references/library.bib", "pages   = {1613--1620}", "pages   = {1613--1699}")
    out = refused(minimal, cli, "REV003")
    assert "The reference 'browning2001' changed after rev2 approved it on 2026-11-25" in out


def test_braces_that_keep_a_title_capitalized_are_signed_too(minimal: Path, cli) -> None:
    """Without its braces "American College of Physicians" prints in lower case: readers see
    the difference, so the approval must not survive it."""
    edit(
        minimal,
        "references/library.bib",
        "{American College of Physicians}}",
        "American College of Physicians}",
    )
    out = refused(minimal, cli, "REV003")
    assert "The reference 'qaseem2017' changed after rev2 approved it" in out


def test_fields_readers_never_see_keep_the_approval(minimal: Path, cli) -> None:
    edit(minimal, APPROVED, "reviewers: [rev1, rev2]", "reviewers: [rev1]")
    edit(minimal, APPROVED, "last_updated: 2026-11-25", "last_updated: 2026-11-20")
    edit(
        minimal,
        "references/library.bib",
        "  doi     = {10.1001",
        "  abstract = {x},\n  doi = {10.1001",
    )
    assert cli("check", cwd=minimal).code == 0


def test_a_change_of_topics_withdraws_the_approval(minimal: Path, cli) -> None:
    """Tags put the article on topic pages, on its page as links and into its JSON-LD: an adult
    treatment moved under pediatrics is a change readers see."""
    edit(minimal, APPROVED, "tags: [musculoskeletal]", "tags: [musculoskeletal, pediatrics]")
    out = refused(minimal, cli, "REV003")
    assert "The topics (tags) changed after rev2 approved it" in out


def test_an_approval_signed_before_topics_were_still_holds(minimal: Path, cli) -> None:
    """Version 1 statements did not cover the topics; they keep covering the rest. Listing the
    topics in such a record (or dropping them from a new one) breaks its signature."""
    signing.approve(minimal, APPROVED, "rev2", DAY, version=1)
    assert cli("check", cwd=minimal).code == 0
    edit(minimal, APPROVED, "heat and staying active", "heat, rest and staying active")
    assert "The text changed after rev2 approved it" in refused(minimal, cli, "REV003")
    edit(minimal, APPROVED, "heat, rest and staying active", "heat and staying active")
    record = (minimal / APPROVED).read_text("utf-8")
    topics = signing.approve(minimal, APPROVED, "rev2", DAY).covers["topics"]
    (minimal / APPROVED).write_text(
        record.replace("  covers: |\n", f"  covers: |\n    topics {topics}\n"), "utf-8"
    )
    refused(minimal, cli, "REV008")


def test_removing_a_key_from_the_roster_withdraws_its_approvals(minimal: Path, cli) -> None:
    assert cli("check", cwd=minimal).code == 0
    roster = minimal / "references/board.yml"
    roster.write_text(roster.read_text("utf-8").replace(signing.public("rev2"), "x", 1), "utf-8")
    edit(minimal, "references/board.yml", '"x"', "[]")
    edit(minimal, "references/board.yml", "keys: [[]]", "keys: []")
    refused(minimal, cli, "REV009")
    rows = json.loads(cli("status", "--format", "json", cwd=minimal).stdout)
    row = next(r for r in rows if r["path"] == APPROVED)
    assert not row["published"]
    assert row["approvals"][0]["verified"] is False
    assert "not one of rev2's keys on the roster" in row["approvals"][0]["problem"]


def test_a_retired_key_still_verifies_what_it_signed(minimal: Path, cli) -> None:
    old = signing.public("rev2")
    roster = minimal / "references/board.yml"
    new = signing.public("rev2", "new")
    text = roster.read_text("utf-8").replace(f'"{old}"', f'"{new}"')
    roster.write_text(text.rstrip("\n") + f'\n    retired_keys: ["{old}"]\n', "utf-8")
    assert cli("check", cwd=minimal).code == 0
    rows = json.loads(cli("status", "--format", "json", cwd=minimal).stdout)
    assert next(r for r in rows if r["path"] == APPROVED)["approvals"][0]["retired_key"] is True


# --- the approve command ----------------------------------------------------------------------


def test_approve_signs_with_the_members_key_and_the_article_publishes(minimal: Path, cli) -> None:
    result = approve(cli, minimal, UNDER_REVIEW, "rev2", "--note", "First review.")
    assert result.code == 0, result.stderr
    assert cli("check", cwd=minimal).code == 0
    text = (minimal / UNDER_REVIEW).read_text("utf-8")
    assert "-----BEGIN SSH SIGNATURE-----" in text and 'note: "First review."' in text
    assert cli("build", cwd=minimal).code == 0
    page = (minimal / "site/articles/under-review.html").read_text("utf-8")
    assert "Reviewed by Ravi Second, DO on" in page


def test_approve_refuses_a_key_that_is_not_the_members(minimal: Path, cli) -> None:
    before = (minimal / UNDER_REVIEW).read_text("utf-8")
    key = str(signing.key("rev1"))
    result = cli("approve", UNDER_REVIEW, "--by", "rev2", "--key", key, cwd=minimal)
    assert result.code == 1 and "is not one of rev2's current keys on the roster" in result.stderr
    assert (minimal / UNDER_REVIEW).read_text("utf-8") == before


def test_approve_refuses_authors_and_members_without_the_reviewer_role(minimal: Path, cli) -> None:
    assert "reviewer role" in approve(cli, minimal, UNDER_REVIEW, "author1").stderr
    edit(minimal, UNDER_REVIEW, "authors: [author1]", "authors: [author1, rev2]")
    assert "is an author" in approve(cli, minimal, UNDER_REVIEW, "rev2").stderr


def test_approve_refuses_a_member_without_a_key_on_the_roster(minimal: Path, cli) -> None:
    signing.list_keys(minimal)
    roster = minimal / "references/board.yml"
    roster.write_text(roster.read_text("utf-8").replace(f'"{signing.public("rev2")}"', ""), "utf-8")
    result = approve(cli, minimal, UNDER_REVIEW, "rev2")
    assert result.code == 1 and "'rev2' has no key on the roster" in result.stderr


def test_approve_uses_gits_signing_key_when_no_key_is_given(
    minimal: Path, cli, monkeypatch
) -> None:
    git(minimal, "init", "-q")
    git(minimal, "config", "user.signingkey", str(signing.key("rev2")))
    monkeypatch.setenv("HOME", str(minimal))  # no ~/.ssh key to fall back on
    result = cli("approve", UNDER_REVIEW, "--by", "rev2", cwd=minimal)
    assert result.code == 0, result.stderr
    assert cli("check", cwd=minimal).code == 0


# --- two reviewers ------------------------------------------------------------------------------


def test_the_board_can_require_two_approvals_by_distinct_reviewers(minimal: Path, cli) -> None:
    edit(minimal, "pipeline.yml", "approvals_required: 1", "approvals_required: 2")
    out = cli("check", cwd=minimal).stdout
    assert "REV010 1 valid approval(s) by distinct reviewers; the board requires 2" in out
    assert approve(cli, minimal, APPROVED, "rev2").code == 0  # the same reviewer again
    assert "REV010" in cli("check", cwd=minimal).stdout
    assert approve(cli, minimal, APPROVED, "rev1").code == 0
    assert cli("check", cwd=minimal).code == 0
    assert cli("build", cwd=minimal).code == 0
    page = (minimal / "site/articles/back-pain.html").read_text("utf-8")
    reviewed = page[page.index("Reviewed by") :].split("</p>")[0]
    assert "Ravi Second, DO on" in reviewed and "Rita Reviewer, MD, FACP on" in reviewed


# --- one pull request, against the base branch -----------------------------------------------


def test_a_new_article_goes_from_nothing_to_approved_in_one_pull_request(repo: Path, cli) -> None:
    git(repo, "checkout", "-q", "-b", "new-article")
    assert (
        cli("new", "Does walking help chronic low back pain?", "--author", "author1", cwd=repo).code
        == 0
    )
    rel = "content/articles/does-walking-help-chronic-low-back-pain.md"
    edit(
        repo,
        rel,
        "## Pharmacological management",
        "Walking is safe and helps some [@qaseem2017].\n\n## Pharmacological management",
    )
    assert cli("review", rel, "--by", "rev2", cwd=repo).code == 0
    assert approve(cli, repo, rel, "rev2").code == 0
    commit_all(repo, "new article, reviewed and approved")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 0, result.stdout


def test_an_unsigned_approved_article_is_refused_against_the_base(repo: Path, cli) -> None:
    git(repo, "checkout", "-q", "-b", "change")
    edit(repo, PENDING, "status: Submitted", "status: Approved\nreviewers: [rev1]")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1 and f"{PENDING}:3:1: error REV002 " in result.stdout


def test_a_new_approval_with_a_retired_key_is_refused_against_the_base(repo: Path, cli) -> None:
    git(repo, "checkout", "-q", "-b", "change")
    roster = repo / "references/board.yml"
    old = signing.public("rev2")
    text = roster.read_text("utf-8").replace(f'"{old}"', f'"{signing.public("rev2", "new")}"')
    roster.write_text(text.rstrip("\n") + f'\n    retired_keys: ["{old}"]\n', "utf-8")
    _sign_roster(repo, cli)
    assert cli("check", "--base", "main", cwd=repo).code == 0  # the old approval still holds
    signing.approve(repo, UNDER_REVIEW, "rev2", DAY)  # signed with the retired key
    edit(repo, UNDER_REVIEW, "status: Under Review", "status: Approved")
    result = cli("check", "--base", "main", cwd=repo)
    line = line_of(repo / UNDER_REVIEW, "approval:")
    assert f"{UNDER_REVIEW}:{line}:1: error REV011 the approval by 'rev2' is new since main" in (
        result.stdout
    )


def test_an_older_approved_version_may_not_replace_a_newer_one(repo: Path, cli) -> None:
    old_text = (repo / APPROVED).read_text("utf-8")
    edit(repo, APPROVED, "heat and staying active", "heat, walking and staying active")
    signing.approve(repo, APPROVED, "rev2", DAY)
    commit_all(repo, "corrected and approved again")
    git(repo, "checkout", "-q", "-b", "rollback")
    (repo / APPROVED).write_text(
        old_text.replace("on: 2026-11-25", "on: 2026-11-20"), "utf-8"
    )  # the old text, approved earlier
    signing.approve(repo, APPROVED, "rev2", dt.date(2026, 11, 20))
    result = cli("check", "--base", "main", cwd=repo)
    assert (
        "REV013 the newest approval (2026-11-20) is not newer than the one on main (2026-11-25)"
    ) in result.stdout


def test_a_version_approved_the_same_day_as_the_newer_one_may_not_replace_it(
    repo: Path, cli
) -> None:
    """The attack: a version approved in a board branch that never merged (the dose at 2400 mg
    a day), then the corrected version approved on main the same day; a pull request restored
    the first with its approval, and REV013, comparing days, let it through."""
    git(repo, "checkout", "-q", "-b", "board-work")
    edit(repo, APPROVED, "heat and staying active", "heat, ibuprofen 2400 mg and staying active")
    signing.approve(repo, APPROVED, "rev2", DAY)
    commit_all(repo, "approved in a branch that never merged")
    superseded = (repo / APPROVED).read_bytes()
    git(repo, "checkout", "-q", "main")
    edit(repo, APPROVED, "heat and staying active", "heat, a low dose and staying active")
    signing.approve(repo, APPROVED, "rev2", DAY)
    commit_all(repo, "the corrected version, approved the same day")
    git(repo, "checkout", "-q", "-b", "restore")
    (repo / APPROVED).write_bytes(superseded)
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1
    assert f"REV013 the newest approval ({DAY}) is not newer than the one on main ({DAY})" in (
        result.stdout
    )
    # A second approval of the text main has, the same day, is no rollback.
    git(repo, "checkout", "-q", "-f", "main")
    git(repo, "checkout", "-q", "-b", "second")
    signing.approve(repo, APPROVED, "rev1", DAY, keep=True)
    assert "REV013" not in cli("check", "--base", "main", cwd=repo).stdout


def test_topics_approved_before_they_were_signed_may_not_move_without_a_new_approval(
    repo: Path, cli
) -> None:
    signing.approve(repo, APPROVED, "rev2", DAY, version=1)
    commit_all(repo, "approved before topics were signed")
    git(repo, "checkout", "-q", "-b", "retag")
    assert cli("check", "--base", "main", cwd=repo).code == 0
    edit(repo, APPROVED, "tags: [musculoskeletal]", "tags: [musculoskeletal, pediatrics]")
    assert cli("check", cwd=repo).code == 0  # the old approval covers everything else...
    result = cli("check", "--base", "main", cwd=repo)  # ...but the move is new since main
    line = line_of(repo / APPROVED, "tags:")
    assert f"{APPROVED}:{line}:1: error REV016 it was not published under these tags on main" in (
        result.stdout
    )
    signing.approve(repo, APPROVED, "rev2", DAY)  # approved again: the topics are signed
    assert cli("check", "--base", "main", cwd=repo).code == 0


def test_an_approval_made_before_topics_were_signed_may_not_come_back(repo: Path, cli) -> None:
    """The attack, in two pull requests: withdraw the article and change its tags (nothing is
    published, nothing to sign), then bring back its old approval, which never signed topics
    and so still verifies."""
    signing.approve(repo, APPROVED, "rev2", DAY, version=1)
    commit_all(repo, "approved before topics were signed")
    approved = (repo / APPROVED).read_text("utf-8")
    record = approved[approved.index("approval:") : approved.index("\n---\n", 4) + 1]
    git(repo, "checkout", "-q", "-b", "withdraw")
    withdrawn = approved.replace("status: Approved", "status: Under Review").replace(record, "")
    withdrawn = withdrawn.replace("tags: [musculoskeletal]", "tags: [musculoskeletal, pediatrics]")
    (repo / APPROVED).write_text(withdrawn, "utf-8")
    assert cli("check", "--base", "main", cwd=repo).code == 0
    commit_all(repo, "under review again, with new topics")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "withdraw")
    git(repo, "checkout", "-q", "-b", "restore")
    restored = withdrawn.replace("status: Under Review", "status: Approved")
    (repo / APPROVED).write_text(restored.replace("\n---\n", "\n" + record + "---\n", 1), "utf-8")
    assert cli("check", cwd=repo).code == 0  # the old approval verifies...
    result = cli("check", "--base", "main", cwd=repo)  # ...but it is new since main
    line = line_of(repo / APPROVED, "approval:")
    assert (
        f"{APPROVED}:{line}:1: error REV017 the approval by 'rev2' does not sign the article's "
        "topics, and is new since main"
    ) in result.stdout


def test_an_old_approval_does_not_publish_an_article_again_under_new_topics(
    repo: Path, cli
) -> None:
    """The attack, in two pull requests: take the article back to Under Review and change its
    tags, keeping its old approval (not checked while it is not Approved); then set it Approved
    again. The approval is not new and the tags are as on main, but it never signed them."""
    signing.approve(repo, APPROVED, "rev2", DAY, version=1)
    commit_all(repo, "approved before topics were signed")
    git(repo, "checkout", "-q", "-b", "withdraw")
    edit(repo, APPROVED, "status: Approved", "status: Under Review")
    edit(repo, APPROVED, "tags: [musculoskeletal]", "tags: [pediatrics]")
    assert cli("check", "--base", "main", cwd=repo).code == 0
    commit_all(repo, "under review again, with new topics")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "withdraw")
    git(repo, "checkout", "-q", "-b", "approve-again")
    edit(repo, APPROVED, "status: Under Review", "status: Approved")
    result = cli("check", "--base", "main", cwd=repo)
    assert "REV016 it was not published under these tags on main; 0 of the 1" in result.stdout
    signing.approve(repo, APPROVED, "rev2", DAY)
    assert cli("check", "--base", "main", cwd=repo).code == 0


def test_changed_topics_need_as_many_approvals_that_sign_them_as_the_board_requires(
    repo: Path, cli
) -> None:
    (repo / "pipeline.yml").write_text("approvals_required: 2\n", "utf-8")
    signing.approve(repo, APPROVED, "rev1", DAY, version=1)
    signing.approve(repo, APPROVED, "rev2", DAY, version=1, keep=True)
    commit_all(repo, "approved by two reviewers before topics were signed")
    git(repo, "checkout", "-q", "-b", "retag")
    edit(repo, APPROVED, "tags: [musculoskeletal]", "tags: [musculoskeletal, pediatrics]")
    article, _ = parse_article(APPROVED, (repo / APPROVED).read_text("utf-8"), DAY)
    assert article is not None
    kept = [a for a in article.approvals if a.by == "rev1"]  # still valid: it never signed topics
    library, _ = load_library(repo)
    signing.write_approvals(repo / APPROVED, [*kept, signing.signed(article, library, "rev2", DAY)])
    result = cli("check", "--base", "main", cwd=repo)
    assert "on main; 1 of the 2 approvals needed sign them" in result.stdout
    article, _ = parse_article(APPROVED, (repo / APPROVED).read_text("utf-8"), DAY)
    assert article is not None
    rev2 = [a for a in article.approvals if a.by == "rev2"]
    signing.write_approvals(repo / APPROVED, [*rev2, signing.signed(article, library, "rev1", DAY)])
    assert cli("check", "--base", "main", cwd=repo).code == 0


def test_a_tag_is_read_in_the_form_approvals_sign(tmp_path: Path) -> None:
    """An accent written as a combining mark made another topic page ("pe-diatrie" for
    "p-diatrie") from a tag whose signed digest had not changed."""
    text = "---\ntitle: T\nstatus: Submitted\nauthors: [a]\nlast_updated: 2026-01-01\n"
    text += 'summary: S.\ntags: ["Pe\u0301diatrie", "primary   care"]\n---\n\nBody.\n'
    article, _ = parse_article("content/articles/t.md", text, DAY)
    assert article is not None and article.tags == ("p\u00e9diatrie", "primary care")


def test_an_older_version_may_not_come_back_after_the_article_was_deleted(repo: Path, cli) -> None:
    """The attack: delete the article in one change (nothing to compare, so it passes), then
    bring back the older approved version in the next: compared with what the article was on
    main before it was deleted, it is REV013 all the same."""
    old_text = (repo / APPROVED).read_text("utf-8")
    edit(repo, APPROVED, "heat and staying active", "heat, walking and staying active")
    signing.approve(repo, APPROVED, "rev2", DAY)
    commit_all(repo, "corrected and approved again")
    (repo / APPROVED).unlink()
    commit_all(repo, "withdrawn pending a rewrite")
    git(repo, "checkout", "-q", "-b", "rollback")
    (repo / APPROVED).write_text(old_text.replace("on: 2026-11-25", "on: 2026-11-20"), "utf-8")
    signing.approve(repo, APPROVED, "rev2", dt.date(2026, 11, 20))
    result = cli("check", "--base", "main", cwd=repo)
    assert (
        "REV013 the newest approval (2026-11-20) is not newer than the one on main (2026-11-25)"
    ) in result.stdout


def copy_repo(repo: Path) -> Path:
    """Another copy of the repository, history included, to attack separately."""
    target = repo.with_name(f"{repo.name}-{sum(1 for _ in repo.parent.iterdir())}")
    shutil.copytree(repo, target, symlinks=True)
    return target


def _withdrawn_then_restored(repo: Path, cli, withdraw, restore=lambda text: text) -> str:
    """With the article approved on main, let the board withdraw it there (`withdraw` changes the
    approved text), then bring the approved file back in a pull request (`restore` changes it
    first): check --base's output."""
    approved = (repo / APPROVED).read_text("utf-8")  # signed as `approve` signs
    (repo / APPROVED).write_text(withdraw(approved), "utf-8")
    assert cli("check", "--base", "main", cwd=repo).code == 0
    commit_all(repo, "withdrawn by the board")
    git(repo, "checkout", "-q", "-b", "restore")
    (repo / APPROVED).write_text(restore(approved), "utf-8")
    assert cli("check", cwd=repo).code == 0  # the old approval verifies for the old text...
    result = cli("check", "--base", "main", cwd=repo)  # ...but the board had withdrawn it
    assert result.code == 1
    return result.stdout


def test_an_approval_the_board_withdrew_may_not_come_back(repo: Path, cli) -> None:
    """The attacks: the board corrected the approved text and set it back to Under Review
    (keeping the record), set it back unchanged, or removed the record; a pull request then
    brought the approved file back, and its approval verified again."""
    under_review = {"status: Approved": "status: Under Review"}
    corrected = {**under_review, "heat and staying active": "heat, and see a doctor if"}
    for changes in (corrected, under_review):

        def withdraw(text: str, changes: dict[str, str] = changes) -> str:
            for old, new in changes.items():
                text = text.replace(old, new)
            return text

        output = _withdrawn_then_restored(copy_repo(repo), cli, withdraw)
        line = line_of(repo / APPROVED, "approval:")
        assert (
            f"{APPROVED}:{line}:1: error REV018 the approval by 'rev2' of {TODAY} was committed "
            "on main before, but did not publish the article as it is there"
        ) in output, output

    def removed(text: str) -> str:
        record = text[text.index("approval:") : text.index("\n---\n", 4) + 1]
        return text.replace(record, "").replace("status: Approved", "status: Under Review")

    assert "REV018" in _withdrawn_then_restored(copy_repo(repo), cli, removed)


def test_an_approval_the_board_withdrew_may_not_come_back_through_a_rename(repo: Path, cli) -> None:
    """The attack: the board withdrew the article by deleting it, and the author resubmitted it
    under another name; a pull request deleted the resubmission and restored the approved file,
    which git counts as a rename, so the check compared it with the resubmission alone."""
    approved = (repo / APPROVED).read_text("utf-8")
    (repo / APPROVED).unlink()
    draft = approved.replace("status: Approved", "status: Submitted")
    draft = draft[: draft.index("approval:")] + draft[draft.index("\n---\n", 4) + 1 :]
    (repo / "content/articles/back-pain-revised.md").write_text(draft, "utf-8")
    commit_all(repo, "withdrawn, and resubmitted under another name")
    git(repo, "checkout", "-q", "-b", "restore")
    (repo / "content/articles/back-pain-revised.md").unlink()
    (repo / APPROVED).write_text(approved, "utf-8")
    commit_all(repo, "restore")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1 and "REV018" in result.stdout, result.stdout


@pytest.mark.parametrize("hidden", ["\x02", "\x03"])
def test_a_control_character_the_renderer_drops_hides_no_approval_on_the_base(
    minimal: Path, cli, hidden: str
) -> None:
    """The attack: an STX in the approved article's front matter. Files on disk are read
    without it (Python-Markdown drops it too), so the approval verifies; but the base branch's
    copies were read raw, YAML refused the character, and check --base found no approval there
    to compare with: the board's withdrawal, or a newer approval, could be undone."""
    repo = minimal  # every committed version holds the character, as the author wrote it
    text = (repo / APPROVED).read_text("utf-8")
    start = text.index("summary:")
    end = text.index("\n", start)
    (repo / APPROVED).write_text(text[:end] + hidden + text[end:], "utf-8")
    assert cli("check", cwd=repo).code == 0
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "approved, a hidden character in it")
    under_review = lambda text: text.replace("status: Approved", "status: Under Review")  # noqa: E731
    assert "REV018" in _withdrawn_then_restored(repo, cli, under_review)


@pytest.mark.parametrize("name", ["references/board.yml", "pipeline.yml"])
def test_a_byte_order_mark_on_the_base_is_no_change_to_the_roster(
    repo: Path, cli, name: str
) -> None:
    """A false REV012: the base branch's roster (saved by an editor that writes a byte-order
    mark) was read without the mark, the working copy with it, so every pull request changed
    the roster."""
    path = repo / name
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    commit_all(repo, "saved by another editor")
    git(repo, "checkout", "-q", "-b", "next")
    page = repo / "content/pages/index.md"
    page.write_text(page.read_text("utf-8") + "\nA new line.\n", "utf-8")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 0, result.stdout


def test_a_byte_that_is_not_utf8_on_the_base_stops_no_check(repo: Path, cli) -> None:
    """The attack: a byte 0x92 in a comment of the roster signatures file, merged (the file is
    read forgivingly now); every later check --base then exited 2 reading the base's copy."""
    path = repo / "references/roster-signatures.yml"
    path.write_bytes(b"# Signatures \x92 of the roster\nsignatures: []\n")
    commit_all(repo, "a comment")
    git(repo, "checkout", "-q", "-b", "next")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 0, result.stdout + result.stderr


def test_a_signature_written_another_way_is_the_same_approval(repo: Path, cli) -> None:
    """The attack: the old signature re-wrapped (its armor's lines joined differently), so that
    its text is new on main while what a verifier reads is not."""

    def rewrapped(text: str) -> str:
        begin = text.index("-----BEGIN SSH SIGNATURE-----")
        end = text.index("-----END SSH SIGNATURE-----")
        indent = "\n" + " " * (begin - text.rindex("\n", 0, begin) - 1)
        body = "".join(text[begin:end].split(indent)[1:])
        lines = [body[i : i + 20] for i in range(0, len(body), 20)]
        return (
            text[:begin] + indent.join(["-----BEGIN SSH SIGNATURE-----", *lines, ""]) + text[end:]
        )

    under_review = lambda text: text.replace("status: Approved", "status: Under Review")  # noqa: E731
    assert "REV018" in _withdrawn_then_restored(repo, cli, under_review, rewrapped)


def test_a_date_written_with_a_space_on_main_still_counts_against_a_rollback(
    repo: Path, cli
) -> None:
    """The attack, in two pull requests: quote the newest approval's date with a space (the
    article reads it as the same date, the comparison with main did not), then bring back the
    older approved version, which REV013 compares with main's newest approval."""
    signing.approve(repo, APPROVED, "rev2", dt.date(2026, 11, 20))
    commit_all(repo, "approved on the 20th")  # not today's: a correction today is newer
    old_text = (repo / APPROVED).read_text("utf-8")
    edit(repo, APPROVED, "heat and staying active", "heat, walking and staying active")
    signing.approve(repo, APPROVED, "rev2", DAY)
    edit(repo, APPROVED, f"on: {TODAY}", f'on: " {TODAY}"')
    assert cli("check", "--base", "main", cwd=repo).code == 0
    commit_all(repo, "corrected and approved again; the date quoted")
    git(repo, "checkout", "-q", "-b", "rollback")
    (repo / APPROVED).write_text(old_text, "utf-8")
    result = cli("check", "--base", "main", cwd=repo)
    assert (
        f"REV013 the newest approval (2026-11-20) is not newer than the one on main ({TODAY})"
        in (result.stdout)
    )


def test_a_signature_the_verifier_cannot_read_is_not_valid_and_crashes_nothing(
    repo: Path, cli
) -> None:
    """The attack: a commit of a pull request gave an approval a hand-made signature naming the
    hash "shake_128", and the next commit restored the file. The verifier raised TypeError on
    it, so every later build (which reads the history for "Changes to this page") exited 2."""
    raw = b"SSHSIG" + struct.pack("!L", 1)
    for field in (b"x", b"medical-pipeline-approval", b"", b"shake_128", b"x"):
        raw += struct.pack("!L", len(field)) + field
    armored = "-----BEGIN SSH SIGNATURE-----\n" + base64.b64encode(raw).decode()
    armored += "\n-----END SSH SIGNATURE-----\n"
    assert signer(b"text", armored, "medical-pipeline-approval") is None
    base = git(repo, "rev-parse", "HEAD").strip()
    text = (repo / APPROVED).read_text("utf-8")
    hand_made = "  signature: |\n" + "".join(f"    {line}\n" for line in armored.splitlines())
    text = re.sub(r"  signature: \|\n(?:    .*\n)+", lambda _: hand_made, text, count=1)
    (repo / APPROVED).write_text(text, "utf-8")
    checked = cli("check", cwd=repo)  # not valid, and no crash
    assert checked.code == 1 and "REV008" in checked.stdout, checked.stdout
    git(repo, "checkout", "-q", "-b", "tidy")
    commit_all(repo, "tidy the approval")
    git(repo, "checkout", "-q", base, "--", APPROVED)
    commit_all(repo, "undo the tidy-up")
    assert cli("check", "--base", "main", cwd=repo).code == 0
    assert cli("build", cwd=repo).code == 0
    assert cli("history", APPROVED, cwd=repo).code == 0


def _lapse_rev2(root: Path) -> None:
    """rev2's declaration of interests runs out (dated more than 12 months before TODAY)."""
    roster = root / ROSTER_FILE
    before, after = roster.read_text("utf-8").split("  - id: rev2", 1)
    after = after.replace("interests_declared: 2026-01-15", "interests_declared: 2025-09-01", 1)
    roster.write_text(before + "  - id: rev2" + after, "utf-8")


def test_a_superseded_version_cannot_come_back_through_a_lapsed_approver(repo: Path, cli) -> None:
    """The attack, with no key: the board corrected a dose (rev1 approved the correction), then
    rev2's declaration ran out. A pull request put back the old text with rev2's old approval:
    that approval did not count, so no rule compared it with main, the pull request merged,
    and the old dose published at rev2's next routine renewal."""
    approved = repo / APPROVED
    signing.approve(repo, APPROVED, "rev2", dt.date(2026, 3, 1))
    commit_all(repo, "v0, approved by rev2")
    old = approved.read_bytes()
    edit(repo, APPROVED, "NSAIDs are a first-line option", "NSAIDs at a low dose are an option")
    signing.approve(repo, APPROVED, "rev1", dt.date(2026, 6, 1))
    commit_all(repo, "v1: the dose corrected")
    _lapse_rev2(repo)
    commit_all(repo, "rev2's declaration is out of date")
    git(repo, "checkout", "-q", "-b", "replay")
    approved.write_bytes(old)
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1 and "REV013" in codes_of(result), result.stdout


def test_a_lapsed_member_may_not_approve_anything_new(repo: Path, cli) -> None:
    """The attack, with the key of a member whose declaration ran out: a new approval drew only
    a warning (it did not count), merged, and published whatever it signed at the member's
    next routine renewal, dated as the signer liked."""
    _lapse_rev2(repo)
    commit_all(repo, "rev2's declaration is out of date")
    git(repo, "checkout", "-q", "-b", "change")
    edit(repo, APPROVED, "NSAIDs are a first-line option", "NSAIDs at 2400 mg at once are best")
    refused = approve(cli, repo, APPROVED, "rev2")  # the command says why before signing
    assert refused.code == 1 and "renew the declaration first" in refused.stderr
    signing.approve(repo, APPROVED, "rev2", DAY)
    assert cli("check", cwd=repo).code == 0  # locally: it does not count, a warning
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1
    line = line_of(repo / APPROVED, "approval:")
    assert (
        f"{APPROVED}:{line}:1: error REV021 'rev2' approved this on {TODAY}, but their "
        "declaration of interests is older than the board allows"
    ) in result.stdout


def test_a_lapsed_approvers_unchanged_approval_does_not_fail_other_changes(repo: Path, cli) -> None:
    """A declaration running out is routine: from that day every pull request (and main's
    own check) failed with REV018 on the lapsed approver's unchanged approval elsewhere."""
    signing.approve(repo, APPROVED, "rev1", dt.date(2026, 3, 1))
    signing.approve(repo, APPROVED, "rev2", dt.date(2026, 3, 2), keep=True)
    commit_all(repo, "approved by two")
    _lapse_rev2(repo)
    commit_all(repo, "rev2's declaration is out of date")
    assert cli("check", "--base", "main", cwd=repo).code == 0
    git(repo, "checkout", "-q", "-b", "unrelated")
    edit(repo, UNDER_REVIEW, "---\n\n", "---\n\nA new first line.\n\n")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 0, result.stdout


def test_a_retag_under_a_lapsed_approval_made_before_topics_were_signed_is_refused(
    repo: Path, cli
) -> None:
    """The attack: such an approval holds whatever the tags say, and while it did not count
    (its approver lapsed) REV016 said nothing, so a retag merged and published at renewal."""
    signing.approve(repo, APPROVED, "rev2", DAY, version=1)
    _lapse_rev2(repo)
    commit_all(repo, "approved before topics were signed; rev2 lapsed since")
    git(repo, "checkout", "-q", "-b", "retag")
    edit(repo, APPROVED, "tags: [musculoskeletal]", "tags: [musculoskeletal, anything]")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1 and "REV016" in codes_of(result), result.stdout


# --- the roster protects itself -----------------------------------------------------------------


def _sign_roster(root: Path, cli, by: str = "rev1") -> None:
    result = cli(
        "roster", "sign", "--by", by, "--key", str(signing.key(by)), "--base", "main", cwd=root
    )
    assert result.code == 0, result.stderr


def test_a_roster_once_signed_cannot_come_back_over_a_newer_one(
    repo: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: the roster an admin signed before rev2's key was stolen and replaced,
    brought back with its old signatures (and the stolen key with it). Signatures older than
    the base roster's newest count for nothing; the admin may sign the old text anew."""
    roster, signatures = repo / ROSTER_FILE, repo / "references/roster-signatures.yml"
    monkeypatch.setenv("PIPELINE_TODAY", "2026-11-20")
    edit(repo, ROSTER_FILE, "name: Ravi Second", "name: Ravi Second-Opinion")
    _sign_roster(repo, cli)
    commit_all(repo, "rev2's name")
    replayed = roster.read_text("utf-8"), signatures.read_text("utf-8")
    monkeypatch.setenv("PIPELINE_TODAY", TODAY)
    stolen = signing.public("rev2")
    edit(repo, ROSTER_FILE, f'"{stolen}"', f'"{signing.public("rev2", "new")}"')
    _sign_roster(repo, cli)
    commit_all(repo, "rev2's key was stolen: replaced")
    git(repo, "checkout", "-q", "-b", "replay")
    roster.write_text(replayed[0], "utf-8")
    signatures.write_text(replayed[1], "utf-8")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1 and "REV012" in result.stdout
    assert (
        "the signature by 'rev1' dated 2026-11-20 is dated before 2026-11-25, the date of that "
        "roster's newest signature"
    ) in result.stdout
    _sign_roster(repo, cli)  # signed anew, today: a deliberate return to that roster
    assert cli("check", "--base", "main", cwd=repo).code == 0


def test_rev012_says_why_a_signature_present_does_not_count(repo: Path, cli) -> None:
    """A board member who sees 'with 0 valid admin signature(s)' beside a signature they just
    made needs to know what to do: sign again after the last change, or ask an admin."""
    disclaimer = "references/disclaimer.md"
    git(repo, "checkout", "-q", "-b", "wording")
    edit(repo, disclaimer, "clinical\njudgement", "clinical\njudgement of any kind")
    _sign_roster(repo, cli)
    edit(repo, disclaimer, "of any kind", "of any sort")  # changed after the admin signed
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1 and "REV012" in result.stdout
    assert "the signature by 'rev1' dated" in result.stdout
    assert "was made over other files (a governed file changed after it was signed)" in (
        result.stdout
    )
    signatures = "references/roster-signatures.yml"
    edit(repo, signatures, "by: rev1", "by: author1")  # an author's name on an admin's signature
    result = cli("check", "--base", "main", cwd=repo)
    assert "the signature by 'author1' dated" in result.stdout
    assert "is by a member who is not an admin there" in result.stdout
    _sign_roster(repo, cli)
    assert cli("check", "--base", "main", cwd=repo).code == 0


def test_the_signatures_of_an_unchanged_roster_cannot_be_wiped(
    repo: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack, in two pull requests: the first only empties roster-signatures.yml (the
    roster unchanged, so nothing was checked), and with the newer signatures gone the second
    brings back an old roster with its old signatures, the stolen key with it."""
    signatures = repo / "references/roster-signatures.yml"
    edit(repo, ROSTER_FILE, "name: Ravi Second", "name: Ravi Second-Opinion")
    _sign_roster(repo, cli)
    commit_all(repo, "rev2's name")
    git(repo, "checkout", "-q", "-b", "wipe")
    signatures.write_text(render_signatures([]), "utf-8")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1
    assert (
        "references/roster-signatures.yml:1:1: error REV012 references/roster-signatures.yml "
        "changed since main with 0 valid admin signature(s)"
    ) in result.stdout
    assert f"removed the signature by 'rev1' dated {TODAY}" in result.stdout
    # An admin's new signature of the same roster may replace the old one.
    _sign_roster(repo, cli)
    assert cli("check", "--base", "main", cwd=repo).code == 0


def test_the_house_citation_style_is_signed_with_the_settings(repo: Path, cli) -> None:
    """The attack: the board uses its own CSL file; a pull request changes only that file,
    adding a sentence to every reference list of every approved article (approvals sign the
    library's fields, not the style that writes them)."""
    style = repo / "styles/house.csl"
    style.parent.mkdir()
    style.write_bytes((FIXTURES / "styles/house-numeric.csl").read_bytes())
    edit(repo, "pipeline.yml", "citation_style: ama", "citation_style: styles/house.csl")
    _sign_roster(repo, cli)
    commit_all(repo, "the board's house style")
    assert cli("check", "--base", "main", cwd=repo).code == 0
    git(repo, "checkout", "-q", "-b", "style")
    edit(
        repo,
        "styles/house.csl",
        '<layout suffix=".">',
        '<layout suffix="."><text value=" Safe in pregnancy. "/>',
    )
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1
    assert "error REV012 styles/house.csl changed since main with 0 valid admin" in result.stdout
    _sign_roster(repo, cli)
    assert cli("check", "--base", "main", cwd=repo).code == 0


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        # An unsigned "correction" in the disclaimer box of every approved article.
        ("references/disclaimer.md", "", "**Correction:** NSAIDs are contraindicated.\n\n"),
        # The site's name in every header and tab, its footer on every page.
        ("mkdocs.yml", "site_name: ", "site_name: Board correction - no NSAIDs - "),
        # The templates that place the disclaimer and the review status, and the stylesheet
        # that draws them; a file of the theme added, as well as one changed.
        ("overrides/article.html", "", "{# a comment #}\n"),
        ("overrides/assets/pipeline.css", "", ".medical-disclaimer { opacity: 0.02 }\n"),
        ("overrides/partials/footer.html", None, "<footer>Safe in pregnancy.</footer>\n"),
    ],
)
def test_what_every_article_page_shows_besides_its_text_is_signed_by_the_admins(
    repo: Path, cli, path: str, old: str | None, new: str
) -> None:
    """The attack: a pull request changing only the disclaimer put an unsigned "correction" in
    the disclaimer box of every approved article, under both engines, with every approval
    intact. The disclaimer, mkdocs.yml and every file of overrides/ are now signed by the
    roster's admins as the roster and the settings are (REV012)."""
    git(repo, "checkout", "-q", "-b", "change")
    file = repo / path
    before = "" if old is None else file.read_text("utf-8")
    file.write_text(new + before if not old else before.replace(old, new, 1), "utf-8")
    commit_all(repo, "the pull request's change")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1, result.stdout
    assert f"error REV012 {path} changed since main with 0 valid admin" in result.stdout
    _sign_roster(repo, cli)
    assert cli("check", "--base", "main", cwd=repo).code == 0


def test_a_picture_of_the_theme_is_signed_byte_for_byte(repo: Path, cli) -> None:
    """The attack: the admins' logo rewritten with its CR LF bytes made LF. Line endings were
    folded in every governed file, pictures too, so the changed picture had the signed digest;
    only a text's line endings are folded now."""
    logo = repo / "overrides/img/logo.png"
    logo.parent.mkdir()
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0\r\n" * 8)
    _sign_roster(repo, cli)
    commit_all(repo, "the board's logo")
    git(repo, "checkout", "-q", "-b", "logo")
    logo.write_bytes(logo.read_bytes().replace(b"\r\n", b"\n"))
    result = cli("check", "--base", "main", cwd=repo)
    assert "error REV012 overrides/img/logo.png changed since main" in result.stdout


def test_what_no_engine_reads_is_not_signed(repo: Path, cli) -> None:
    """False REV012s: an admin's folder holding a .DS_Store or an untracked picture in
    overrides/ (which CI's clone lacks) signed them, so the signature never verified in CI
    (the files of the theme git tracks are signed, and the rest named); a style named
    `styles/./house.csl`, which git does not resolve, read as missing on the base."""
    style = repo / "styles/house.csl"
    style.parent.mkdir()
    style.write_bytes((FIXTURES / "styles/house-numeric.csl").read_bytes())
    edit(repo, "pipeline.yml", "citation_style: ama", "citation_style: styles/./house.csl")
    _sign_roster(repo, cli)
    commit_all(repo, "the board's house style")
    # Read by its plain path, as git names it.
    given = {"pipeline.yml": b"citation_style: styles/./house.csl\n", "styles/house.csl": b"x"}
    files = governed_files(lambda paths: {p: given[p] for p in paths if p in given}, [])
    assert files["styles/house.csl"] == b"x"
    git(repo, "checkout", "-q", "-b", "name")
    edit(repo, "mkdocs.yml", "site_name: ", "site_name: The ")
    (repo / "overrides/.DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (repo / "overrides/draft.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # never committed
    signed = cli("roster", "sign", "--by", "rev1", "--key", str(signing.key("rev1")), cwd=repo)
    assert "not signed: overrides/draft.png is not tracked by git" in signed.stdout
    (repo / "overrides/.DS_Store").unlink()  # as CI's clone has them
    (repo / "overrides/draft.png").unlink()
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 0, result.stdout


def test_a_roster_signature_dated_in_the_future_is_refused(repo: Path, cli) -> None:
    """The attack: a junk record dated 2099 (it verifies nothing, and the roster is unchanged,
    so nothing was checked) made every admin's real signature of a later roster change count
    for nothing, as dated before it."""
    git(repo, "checkout", "-q", "-b", "junk")
    junk = RosterSignature("rev1", dt.date(2099, 1, 1), "junk")
    (repo / "references/roster-signatures.yml").write_text(render_signatures([junk]), "utf-8")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1
    assert (
        "references/roster-signatures.yml:1:1: error REV019 the roster signature by 'rev1' is "
        f"dated 2099-01-01, after today ({TODAY})"
    ) in result.stdout, result.stdout


def test_a_second_identity_added_to_the_roster_needs_an_admins_signature(repo: Path, cli) -> None:
    """One pull request adds the author under a second id with the reviewer role; the next
    would approve the author's own article under it."""
    git(repo, "checkout", "-q", "-b", "sockpuppet")
    roster = repo / "references/board.yml"
    roster.write_text(
        roster.read_text("utf-8")
        + "  - id: adaa\n    name: A. Author\n    credentials: MD\n    roles: [reviewer]\n"
        + f'    keys: ["{signing.public("author1", "second")}"]\n',
        "utf-8",
    )
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1
    assert "references/board.yml:1:1: error REV012 references/board.yml changed since main" in (
        result.stdout
    )
    assert "added member 'adaa' (reviewer)" in result.stdout
    not_admin = cli("roster", "sign", "--by", "rev2", "--key", str(signing.key("rev2")), cwd=repo)
    assert not_admin.code == 1 and "'rev2' is not an admin" in not_admin.stderr
    _sign_roster(repo, cli)
    assert cli("check", "--base", "main", cwd=repo).code == 0


def test_lowering_the_approvals_required_needs_an_admins_signature(repo: Path, cli) -> None:
    edit(repo, "pipeline.yml", "roster_signatures_required: 1", "roster_signatures_required: 2")
    commit_all(repo, "two admins sign roster changes")
    git(repo, "checkout", "-q", "-b", "lower")
    edit(repo, "pipeline.yml", "roster_signatures_required: 2", "roster_signatures_required: 1")
    _sign_roster(repo, cli)
    result = cli("check", "--base", "main", cwd=repo)
    assert "with 1 valid admin signature(s) of the 2 the roster there requires" in result.stdout
    assert "roster_signatures_required 2 -> 1" in result.stdout


def test_a_roster_signature_by_an_admin_added_in_the_same_change_does_not_count(
    repo: Path, cli
) -> None:
    git(repo, "checkout", "-q", "-b", "self-made-admin")
    edit(repo, "references/board.yml", "roles: [reviewer]", "roles: [reviewer, admin]")
    _sign_roster(repo, cli, by="rev1")  # signature by rev1 is fine
    signed_by_rev2 = cli(
        "roster", "sign", "--by", "rev2", "--key", str(signing.key("rev2")), cwd=repo
    )
    assert signed_by_rev2.code == 0  # rev2 is an admin in the working roster...
    (repo / "references/roster-signatures.yml").write_text(
        (repo / "references/roster-signatures.yml").read_text("utf-8").split("  - by: rev1")[0]
        + "  - by: rev2"
        + (repo / "references/roster-signatures.yml").read_text("utf-8").split("  - by: rev2")[1],
        "utf-8",
    )
    result = cli("check", "--base", "main", cwd=repo)  # ...but not on main's
    assert result.code == 1 and "REV012" in result.stdout
    # Signing against main says so at once.
    noted = cli(
        "roster",
        "sign",
        "--by",
        "rev2",
        "--key",
        str(signing.key("rev2")),
        "--base",
        "main",
        cwd=repo,
    )
    assert "check --base main will not count this signature" in noted.stdout


# --- the audit trail ----------------------------------------------------------------------------


def test_status_shows_each_approval_verified_with_its_key(minimal: Path, cli) -> None:
    text = cli("status", cwd=minimal).stdout
    key = fingerprint(signing.public("rev2"))
    assert f"approved by Ravi Second, DO on 2026-11-25: verified (key {key})" in text


def test_changed_items_name_added_and_dropped_references() -> None:
    recorded = {"body": "aaaa", "reference x": "bbbb"}
    now = {"body": "aaaa" + "0" * 60, "reference y": "cccc" + "0" * 60}
    assert changed_items(recorded, now) == ["reference y", "reference x"]


def _library(root: Path):
    from pipeline.content.library import load_library

    return load_library(root)[0]


def test_a_source_shown_as_edited_rather_than_written_withdraws_the_approval(
    minimal: Path, cli
) -> None:
    """Its names are the same either way, but readers see "X, ed." for an edited work."""
    library = minimal / "references/library.bib"
    text = library.read_text("utf-8")
    entry = text[text.index("@article{browning2001") :]
    authors = re.search(r"\n\s*author\s*=\s*(\{.*?\}),?\n", entry)
    assert authors is not None
    library.write_text(
        text.replace(
            authors.group(0),
            f"\n  author = {authors.group(1)},\n  editor = {authors.group(1)},\n",
            1,
        ),
        "utf-8",
    )
    signing.approve(minimal, APPROVED, "rev2", DAY)
    assert cli("check", cwd=minimal).code == 0
    edited = library.read_text("utf-8").replace(f"\n  author = {authors.group(1)},", "", 1)
    library.write_text(edited, "utf-8")
    out = refused(minimal, cli, "REV003")
    assert "The reference 'browning2001' changed after rev2 approved it" in out


def test_the_order_and_repeats_of_topics_and_audiences_change_nothing_readers_see(
    sample: Path, cli
) -> None:
    """The attack: approvals sign topics and audiences as sets, while pages showed them in the
    order the front matter wrote them, repeats included (JSON-LD keywords, "More on …", the
    answers to "Which best describes you?"). Pages now show them in one order of their own."""
    rel = "content/articles/back-spasm.md"
    assert cli("build", cwd=sample).code == 0
    page = sample / "site/articles/back-spasm.html"
    approved = page.read_bytes()
    edit(
        sample,
        rel,
        "tags: [musculoskeletal, pain, primary-care]",
        "tags: [primary-care, Pain, musculoskeletal, musculoskeletal]",
    )
    edit(
        sample,
        rel,
        "audience: [professional, patient]",
        "audience: [patient, professional, patient]",
    )
    assert cli("check", cwd=sample).code == 0  # the approvals still hold
    assert cli("build", cwd=sample).code == 0
    assert page.read_bytes() == approved


@pytest.mark.parametrize("line", ["Rest and heat\t", "Rest and he\t", "Rest and h \t"])
def test_trailing_blanks_with_a_tab_are_signed_as_written(line: str) -> None:
    """The attack: a tab after a citation written by DOI expanded to one space in the text as
    written (no break, so unsigned) but to three once staging had put the shorter key there
    (a break on the page). Any trailing tab now changes what approvals sign; trailing spaces
    alone change it only from two on."""
    from pipeline.model import Library
    from pipeline.review.statement import article_items

    def body(text: str) -> str:
        head = "---\ntitle: T\nstatus: Submitted\nauthors: [a]\nlast_updated: 2026-01-01\n---\n\n"
        article, _ = parse_article("content/articles/t.md", f"{head}{text}\nhelp.\n", DAY)
        assert article is not None
        return article_items(article, Library(), [], {})["body"]

    plain = line.rstrip(" \t")
    assert body(line) != body(plain)
    assert body(plain + " ") == body(plain)
    # Two spaces (a break) replaced by a tab that expands to one space (none), and back: the
    # signature held while the page changed. Trailing blanks with a tab are signed as written.
    assert body(plain + "  ") != body(line) != body(line.replace("\t", "\t "))
