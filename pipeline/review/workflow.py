"""The review workflow's steps as pure functions: scaffold a new article, start a review,
approve. Each returns the front-matter keys to write (rendered YAML) or a refusal that says why;
the CLI does the reading, the writing and the signing (it hands `approve` a function that signs).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pipeline.citations.scan import cited_keys
from pipeline.diagnostics import suggestion
from pipeline.model import Approval, Article, Board, BoardMember, Library, ReviewStatus
from pipeline.review.signatures import same_key, signer
from pipeline.review.statement import APPROVAL_NAMESPACE, approval_statement, article_items


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
            f"'{member_id}' is not on the board roster{suggestion(member_id, board.members)} "
            "(if references/board.yml lists them, their entry has an error that "
            "python -m pipeline check names)"
        )
    if role not in member.roles:
        return Refusal(f"'{member_id}' does not have the {role} role")
    return member


def _yaml_text(text: str) -> str:
    """A plain-text value quoted for YAML (titles may contain ': ' or '#')."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scaffold(question: str, author: str, board: Board, today: dt.date) -> str | Refusal:
    """The text of a new article file, status Submitted, for a question with letters or
    digits (`review new` refuses any other, which could name no file)."""
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


def approver_refusal(article: Article, board: Board, approver: str) -> Refusal | None:
    """Why `approver` may not approve `article` (role, authorship, a key on the roster, the
    article's status), or None."""
    refusal = _independent_reviewer(article, board, approver, "approve")
    if refusal:
        return refusal
    if not board.members[approver].keys:
        return Refusal(
            f"'{approver}' has no key on the roster: make one (ssh-keygen -t ed25519) and ask an "
            "admin to add its public line under keys: in references/board.yml"
        )
    if article.status is ReviewStatus.SUBMITTED:
        return Refusal(
            "the article is Submitted; it must be Under Review before it can be approved "
            "(python -m pipeline review ARTICLE --by ID)"
        )
    return None


def approve(
    article: Article,
    board: Board,
    library: Library,
    files: Mapping[str, str],
    approver: str,
    today: dt.date,
    sign: Callable[[bytes], str],
    keep: Sequence[Approval] = (),
    note: str = "",
    significant: bool = False,
) -> dict[str, str] | Refusal:
    """Under Review (or Approved, for a re-approval) -> Approved, signed by `approver`.

    `sign` makes the signature of the statement's bytes (the CLI asks ssh-keygen); it must be
    made with one of the approver's current keys on the roster, which is checked here before
    anything is written. `keep`: other reviewers' approvals that still hold (when the board
    requires several), kept beside the new one. `files`: the digests of the files beside the
    site pages, whose bytes the approval signs for those the article shows."""
    refusal = approver_refusal(article, board, approver)
    if refusal:
        return refusal
    cited = cited_keys(article)
    statement = approval_statement(
        article, article_items(article, library, cited, files), approver, today, note, significant
    )
    signature = sign(statement.data)
    made_by = signer(statement.data, signature, APPROVAL_NAMESPACE)
    if made_by is None:
        return Refusal("the signature ssh-keygen made does not verify; nothing was written")
    if not any(same_key(made_by.key_line, key) for key in board.members[approver].keys):
        return Refusal(
            f"the key used ({made_by.fingerprint}) is not one of {approver}'s current keys on the "
            "roster; sign with one of them (--key PATH), or ask an admin to add this key"
        )
    mine = Approval(
        approver, today, signature, statement.short(), " ".join(note.split()), significant
    )
    records = [a for a in keep if a.by != approver] + [mine]
    return {
        "status": " Approved",
        "reviewers": _with_reviewer(article, approver),
        "last_updated": f" {today.isoformat()}",
        "approval": render_approvals(records),
    }


def render_approvals(records: Sequence[Approval]) -> str:
    """The `approval` value as YAML (after the key): one record, or a list of them."""
    if len(records) == 1:
        return "\n" + _record(records[0], "  ", "  ")
    return "\n" + "\n".join(_record(record, "  - ", "    ") for record in records)


def _record(approval: Approval, first: str, rest: str) -> str:
    lines = [f"by: {approval.by}", f"on: {approval.on.isoformat()}"]
    if approval.note:
        lines.append(f"note: {json.dumps(approval.note, ensure_ascii=False)}")
    if approval.significant:
        lines.append("significant: true")
    # One "item digest" line each, in one block: the digests only name what changed.
    lines.append("covers: |")
    lines += [f"  {item} {digest}" for item, digest in approval.covers.items()]
    lines.append("signature: |")
    lines += [f"  {line}" for line in approval.signature.strip().splitlines()]
    return "\n".join((first if index == 0 else rest) + line for index, line in enumerate(lines))
