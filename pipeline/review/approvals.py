"""Whether an article's approvals hold: signed by an eligible reviewer's key on the roster, over
exactly what readers see.

Each approval record is checked on its own (`check_approvals`): the approver must have the
reviewer role and not be an author; the signature must be valid for the canonical statement of
the article as it is now (`statement.py`), for the approval namespace; and the key that made it
must be one of the approver's keys on the roster (a retired key still counts for what it signed).
An article is publishable when it is Approved and at least `approvals_required` distinct
reviewers' approvals verify. Nothing here trusts the free-form `reviewers` list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pipeline import codes
from pipeline.diagnostics import Diagnostic
from pipeline.model import Approval, Article, Board, Library, ReviewStatus
from pipeline.review.signatures import same_key, signer
from pipeline.review.statement import (
    APPROVAL_NAMESPACE,
    APPROVAL_VERSION,
    TOPICS,
    ReferenceDigests,
    approval_statement,
    article_items,
    changed_items,
    item_name,
)


@dataclass(frozen=True)
class ApprovalCheck:
    """One approval record and what became of it: `problem` is None when it verified."""

    by: str
    on: dt.date
    name: str  # the approver's name and credentials (their id when not on the roster)
    key: str  # fingerprint of the key that made a valid signature, "" otherwise
    note: str
    significant: bool
    signature: str
    problem: str | None = None
    retired: bool = False  # made with a key the roster lists as retired
    topics: bool = False  # its statement covers the article's topics (version 2)
    lapsed: bool = False  # valid, but the approver's declaration of interests ran out (REV015)

    @property
    def verified(self) -> bool:
        return self.problem is None

    @property
    def holds(self) -> bool:
        """Its signature holds, whether or not it counts today: a lapsed approver's approval
        counts again once the declaration is renewed, so comparisons with the base branch
        treat it as the approval it will be."""
        return self.problem is None or self.lapsed


def check_approvals(
    article: Article,
    board: Board,
    library: Library | ReferenceDigests,
    cited: Sequence[str],
    files: Mapping[str, str],
) -> tuple[tuple[ApprovalCheck, ...], list[Diagnostic]]:
    """Every approval record of the article, checked, and a diagnostic for each that does not
    hold. Records of an article that is not Approved are not checked: they publish nothing.
    `files`: the digests of the files beside the site pages (`article_items`)."""
    if article.status is not ReviewStatus.APPROVED:
        return (), []
    items = article_items(article, library, cited, files)
    results: list[ApprovalCheck] = []
    problems: list[Diagnostic] = []
    for approval in article.approvals:
        result, found = _check(article, approval, board, items)
        results.append(result)
        problems += found
    return tuple(results), problems


def _check(
    article: Article, approval: Approval, board: Board, items: dict[str, str]
) -> tuple[ApprovalCheck, list[Diagnostic]]:
    member = board.members.get(approval.by)
    name = member.display_name if member else approval.by
    base = ApprovalCheck(
        approval.by,
        approval.on,
        name,
        "",
        approval.note,
        approval.significant,
        approval.signature,
    )

    def refused(
        problem: str, diagnostic: Diagnostic | None
    ) -> tuple[ApprovalCheck, list[Diagnostic]]:
        return _with(base, problem=problem), [diagnostic] if diagnostic else []

    at = (article.path, approval.line or article.line_of("approval"), 1)
    if member is None:
        return refused("not on the board roster", None)  # REV001 says so
    if not member.is_reviewer:
        reason = "they do not have the reviewer role"
        return refused(reason, codes.APPROVER_NOT_ALLOWED.at(*at, by=approval.by, reason=reason))
    if approval.by in article.authors:
        reason = "they are one of its authors"
        return refused(reason, codes.APPROVER_NOT_ALLOWED.at(*at, by=approval.by, reason=reason))
    # Which statement was signed: a record made since topics were signed lists them. Editing
    # the list only makes the signature fail (the other statement was not signed).
    version = APPROVAL_VERSION if TOPICS in approval.covers else 1
    statement = approval_statement(
        article, items, approval.by, approval.on, approval.note, approval.significant, version
    )
    made_by = signer(statement.data, approval.signature, APPROVAL_NAMESPACE)
    if made_by is None:
        changed = changed_items(approval.covers, statement.items) if approval.covers else []
        if changed:
            what = _join([item_name(item) for item in changed])
            if any(i.startswith("file ") for i in changed) and not any(
                i.startswith("file ") for i in approval.covers
            ):
                what += " (approvals made before pictures were signed do not cover them)"
            diagnostic = codes.CHANGED_AFTER_APPROVAL.at(
                *at, what=what, by=approval.by, day=approval.on.isoformat(), article=article.path
            )
            return refused(f"{what} changed after approval", diagnostic)
        diagnostic = codes.SIGNATURE_INVALID.at(*at, by=approval.by, day=approval.on.isoformat())
        return refused("the signature does not verify for this article", diagnostic)
    topics = TOPICS in statement.items
    if any(same_key(made_by.key_line, key) for key in member.keys):
        return _with(base, key=made_by.fingerprint, topics=topics), []
    if any(same_key(made_by.key_line, key) for key in member.retired_keys):
        return _with(base, key=made_by.fingerprint, retired=True, topics=topics), []
    diagnostic = codes.KEY_NOT_ON_ROSTER.at(*at, by=approval.by, key=made_by.fingerprint)
    return _with(
        base,
        key=made_by.fingerprint,
        problem=f"the key {made_by.fingerprint} is not one of {approval.by}'s keys on the roster",
    ), [diagnostic]


def _with(check: ApprovalCheck, **changes: Any) -> ApprovalCheck:
    return replace(check, **changes)


def _join(names: list[str]) -> str:
    text = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return text[0].upper() + text[1:]


def verified_approvers(checks: Sequence[ApprovalCheck]) -> list[ApprovalCheck]:
    """The valid approvals, one per reviewer (their newest), newest first."""
    return _newest([check for check in checks if check.verified])


def holding_approvers(checks: Sequence[ApprovalCheck]) -> list[ApprovalCheck]:
    """As `verified_approvers`, with the approvals of lapsed approvers (`ApprovalCheck.holds`)."""
    return _newest([check for check in checks if check.holds])


def _newest(checks: Sequence[ApprovalCheck]) -> list[ApprovalCheck]:
    newest: dict[str, ApprovalCheck] = {}
    for check in checks:
        if check.by not in newest or check.on > newest[check.by].on:
            newest[check.by] = check
    return sorted(newest.values(), key=lambda c: (-c.on.toordinal(), c.by))


_Approval = TypeVar("_Approval", Approval, ApprovalCheck)


def significant_change(valid: Sequence[_Approval]) -> _Approval | None:
    """Of the valid approvals of an article, the one whose clinically significant change its
    page shows: one marked significant among each reviewer's newest (as "Reviewed by" counts
    them), of the newest day. Two reviewers may approve on the same day, either of them
    marking it: the notice showed only when the one first in the list had marked it."""
    newest: dict[str, _Approval] = {}
    for approval in valid:
        if approval.by not in newest or approval.on > newest[approval.by].on:
            newest[approval.by] = approval
    day = max((approval.on for approval in newest.values()), default=None)
    return next((a for a in newest.values() if a.on == day and a.significant), None)


def is_publishable(article: Article, checks: Sequence[ApprovalCheck], required: int) -> bool:
    """Approved, and approved by at least `required` distinct eligible reviewers whose signed
    approvals verify for the article exactly as it is."""
    return article.status is ReviewStatus.APPROVED and len(verified_approvers(checks)) >= required


def check_count(
    article: Article, checks: Sequence[ApprovalCheck], required: int
) -> Iterator[Diagnostic]:
    """An Approved article without an approval record, or with too few valid ones."""
    if article.status is not ReviewStatus.APPROVED:
        return
    if not article.approvals:
        if "approval" not in article.field_lines:  # a malformed record is reported as read
            yield codes.APPROVAL_MISSING.at(
                article.path, article.line_of("status"), 1, article=article.path
            )
        return
    valid = len(verified_approvers(checks))
    if 0 < valid < required:
        yield codes.TOO_FEW_APPROVALS.at(
            article.path,
            article.line_of("approval"),
            1,
            count=valid,
            required=required,
            article=article.path,
        )


def reviewed_on(checks: Sequence[ApprovalCheck]) -> dt.date | None:
    """The date of the newest valid approval: what readers see as "Last reviewed"."""
    valid = verified_approvers(checks)
    return valid[0].on if valid else None
