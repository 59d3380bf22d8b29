"""Review rules: who may write and approve, and whether an approval still covers the text.

An approval is only worth something if it pins the exact text that was approved, so the
`approval.fingerprint` is a hash of the normalized title and body; front-matter-only edits
(tags, summary) leave it valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterator

from pipeline import codes
from pipeline.diagnostics import Diagnostic, suggestion
from pipeline.model import Article, Board, ReviewStatus


def fingerprint(title: str, body: str) -> str:
    """sha256 of the title and body, insensitive to line endings and trailing white space."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    normalized = " ".join(title.split()) + "\n\n" + "\n".join(lines).strip("\n") + "\n"
    digest = hashlib.sha256(unicodedata.normalize("NFC", normalized).encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def approval_is_current(article: Article) -> bool:
    return article.approval is not None and article.approval.fingerprint == fingerprint(
        article.title, article.body
    )


def is_publishable(article: Article, board: Board) -> bool:
    """Approved, approved by an eligible reviewer, and the text is still the approved text."""
    if article.status is not ReviewStatus.APPROVED or article.approval is None:
        return False
    approver = board.members.get(article.approval.by)
    eligible = approver is not None and approver.is_reviewer
    return eligible and article.approval.by not in article.authors and approval_is_current(article)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def next_review(article: Article, interval_months: int) -> dt.date:
    return article.next_review or add_months(article.last_updated, interval_months)


def check_people(article: Article, board: Board) -> Iterator[Diagnostic]:
    named = [("authors", a) for a in article.authors]
    named += [("reviewers", r) for r in article.reviewers]
    if article.approval:
        named.append(("approval", article.approval.by))
    for key, member in named:
        if member not in board.members:
            yield codes.UNKNOWN_MEMBER(
                article.path,
                article.line_of(key),
                1,
                f"'{member}' in {key} is not on the board roster"
                f"{suggestion(member, board.members)}",
                "use the member's id from references/board.yml",
            )


def check_approval(article: Article, board: Board) -> Iterator[Diagnostic]:
    if article.status is not ReviewStatus.APPROVED:
        return
    line = article.line_of("status")
    approval = article.approval
    if approval is None:
        if "approval" in article.field_lines:
            return  # the malformed record is reported where it is read
        yield codes.APPROVAL_MISSING(
            article.path,
            line,
            1,
            "the article is marked Approved but has no approval record",
            f"a reviewer approves with: python -m pipeline approve {article.path} --by ID",
        )
        return
    approver = board.members.get(approval.by)
    if approver is not None and not approver.is_reviewer:
        yield codes.APPROVER_NOT_ALLOWED(
            article.path,
            article.line_of("approval"),
            1,
            f"'{approval.by}' approved this article but does not have the reviewer role",
            "ask a board member with the reviewer role to approve it",
        )
    elif approval.by in article.authors:
        yield codes.APPROVER_NOT_ALLOWED(
            article.path,
            article.line_of("approval"),
            1,
            f"'{approval.by}' approved this article but is one of its authors",
            "ask a reviewer who is not an author to approve it",
        )
    if not approval.fingerprint:
        yield codes.APPROVAL_MISSING(
            article.path,
            article.line_of("approval"),
            1,
            "the approval record has no fingerprint, so it was not made by the approve command",
            f"a reviewer approves with: python -m pipeline approve {article.path} --by ID",
        )
    elif not approval_is_current(article):
        yield codes.FINGERPRINT_MISMATCH(
            article.path,
            article.line_of("approval"),
            1,
            "the title or text changed after approval, so it is not published",
            f"ask a reviewer to re-approve: python -m pipeline approve {article.path} --by ID",
        )


def check_overdue(article: Article, today: dt.date, interval_months: int) -> Iterator[Diagnostic]:
    due = next_review(article, interval_months)
    if article.status is ReviewStatus.APPROVED and due < today:
        yield codes.REVIEW_OVERDUE(
            article.path,
            article.line_of("last_updated"),
            1,
            f"review was due on {due.isoformat()}",
            "have the article reviewed and approved again",
        )


def check_transition(
    article: Article, previous: ReviewStatus | None, base: str
) -> Iterator[Diagnostic]:
    """Compared with `base`: a step forward may not skip one, and a new article may not arrive
    Approved. Going back (e.g. Approved -> Under Review after an edit) is always allowed."""
    line = article.line_of("status")
    if previous is None and article.status is ReviewStatus.APPROVED:
        yield codes.SKIPPED_STEP(
            article.path,
            line,
            1,
            f"this article is new since {base} and arrives already Approved",
            "submit it as Submitted; it is approved after review in a later change",
        )
    elif previous is not None and article.status.step - previous.step > 1:
        yield codes.SKIPPED_STEP(
            article.path,
            line,
            1,
            f"the status jumps from {previous.value} to {article.status.value} "
            f"(on {base} it was {previous.value})",
            "move it to Under Review first: python -m pipeline review ARTICLE --by ID",
        )
