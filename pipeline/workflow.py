"""The review workflow's steps as pure functions: scaffold a new article, start a review,
approve. Each returns the front-matter keys to write (rendered YAML) or a refusal that says why;
the CLI does the reading and writing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline import review
from pipeline.diagnostics import suggestion
from pipeline.model import Article, Board, BoardMember, ReviewStatus


@dataclass(frozen=True)
class Refusal:
    reason: str


SKELETON = """
**Bottom line:** one bold paragraph that answers the question, with its key citations.

## Pharmacological management

- Write the first-line options here, each claim followed by its citation, e.g. `[@qaseem2017]`.

## Non-pharmacological management

## Important considerations and precautions

## Treatment duration and follow-up

## Interventions to avoid

## When to consider specialist referral
"""


def _member(board: Board, member_id: str, role: str) -> BoardMember | Refusal:
    member = board.members.get(member_id)
    if member is None:
        return Refusal(
            f"'{member_id}' is not on the board roster{suggestion(member_id, board.members)}"
        )
    if role not in member.roles:
        return Refusal(f"'{member_id}' does not have the {role} role")
    return member


def _yaml_text(text: str) -> str:
    """A plain-text value quoted for YAML (titles may contain ': ' or '#')."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scaffold(question: str, author: str, board: Board, today: dt.date) -> str | Refusal:
    """The text of a new article file, status Submitted."""
    if not question.strip():
        return Refusal("the question is empty")
    member = _member(board, author, "author")
    if isinstance(member, Refusal):
        return member
    title = " ".join(question.split())
    return (
        "---\n"
        f"title: {_yaml_text(title)}\n"
        "status: Submitted\n"
        f"authors: [{author}]\n"
        "reviewers: []\n"
        f"last_updated: {today.isoformat()}\n"
        'summary: ""\n'
        "tags: []\n"
        "---\n" + SKELETON
    )


def _independent_reviewer(article: Article, board: Board, who: str, step: str) -> Refusal | None:
    """A reviewer on the roster who is not one of the article's authors, or why not."""
    member = _member(board, who, "reviewer")
    if isinstance(member, Refusal):
        return member
    if who in article.authors:
        return Refusal(f"'{who}' is an author of this article; another reviewer must {step} it")
    return None


def _with_reviewer(article: Article, who: str) -> str:
    reviewers = [*article.reviewers, *([] if who in article.reviewers else [who])]
    return f" [{', '.join(reviewers)}]"


def start_review(article: Article, board: Board, reviewer: str) -> dict[str, str] | Refusal:
    """Submitted -> Under Review, recording the reviewer (also adds a reviewer later on)."""
    refusal = _independent_reviewer(article, board, reviewer, "review")
    if refusal:
        return refusal
    if article.status is ReviewStatus.APPROVED:
        return Refusal("the article is already Approved")
    return {"status": " Under Review", "reviewers": _with_reviewer(article, reviewer)}


def approve(
    article: Article, board: Board, approver: str, today: dt.date
) -> dict[str, str] | Refusal:
    """Under Review (or Approved, for a re-approval) -> Approved, with the fingerprint."""
    refusal = _independent_reviewer(article, board, approver, "approve")
    if refusal:
        return refusal
    if article.status is ReviewStatus.SUBMITTED:
        return Refusal(
            "the article is Submitted; it must be Under Review before it can be approved "
            "(python -m pipeline review ARTICLE --by ID)"
        )
    fingerprint = review.fingerprint(article.title, article.body)
    return {
        "status": " Approved",
        "reviewers": _with_reviewer(article, approver),
        "last_updated": f" {today.isoformat()}",
        "approval": f"\n  by: {approver}\n  on: {today.isoformat()}\n  fingerprint: {fingerprint}",
    }
