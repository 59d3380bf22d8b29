"""Review rules besides the signatures (`approvals.py`): who is named, when a review is due,
and what a change may not do compared with the base branch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

from pipeline import codes
from pipeline.diagnostics import Diagnostic, suggestion
from pipeline.model import Article, Board, BoardMember, ReviewStatus
from pipeline.review.approvals import (
    ApprovalCheck,
    holding_approvers,
    reviewed_on,
    significant_change,
    verified_approvers,
)
from pipeline.review.signatures import signature_id


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day); the last
    day there is when that is past the year 9999 (a declaration dated 9999-12-31)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    for last_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def last_reviewed(article: Article, approvals: Sequence[ApprovalCheck]) -> dt.date:
    """What readers see as "Last reviewed": the newest valid approval, else `last_updated`."""
    return reviewed_on(approvals) or article.last_updated


def next_review(
    article: Article, approvals: Sequence[ApprovalCheck], interval_months: int
) -> dt.date:
    """`next_review` when the front matter sets it (it is signed), else the interval after the
    last review."""
    return article.next_review or add_months(last_reviewed(article, approvals), interval_months)


def check_people(article: Article, board: Board) -> Iterator[Diagnostic]:
    named = [("authors", a) for a in article.authors]
    named += [("reviewers", r) for r in article.reviewers]
    named += [("approval", approval.by) for approval in article.approvals]
    for key, member in named:
        if member not in board.members:
            yield codes.UNKNOWN_MEMBER.at(
                article.path,
                article.line_of(key),
                1,
                member=member,
                field=key,
                suggestion=suggestion(member, board.members),
            )


def check_overdue(
    article: Article, approvals: Sequence[ApprovalCheck], today: dt.date, interval_months: int
) -> Iterator[Diagnostic]:
    due = next_review(article, approvals, interval_months)
    if article.status is ReviewStatus.APPROVED and due < today:
        line = article.line_of("next_review" if article.next_review else "approval")
        yield codes.REVIEW_OVERDUE.at(article.path, line, 1, day=due.isoformat())


def check_against_base(
    article: Article,
    approvals: Sequence[ApprovalCheck],
    base_signatures: frozenset[str],
    base_reviewed: dt.date | None,
    base: str,
    base_topics: frozenset[str] | None = None,
    required: int = 1,
    base_valid: frozenset[str] = frozenset(),
    committed: Callable[[], frozenset[str]] = frozenset,
    base_notice: dt.date | None = None,
    base_approves: Callable[[], bool] = lambda: False,
) -> Iterator[Diagnostic]:
    """What a pull request may not do to an approval, compared with `base`: sign a new approval
    with a retired key, bring back an older approved version (its approval is still valid
    for it) over a newer one, or publish the article under topics no approval signs. An
    approval made before topics were signed (version 1) still verifies whatever the tags say,
    so it may keep an article published where it stands, nothing more: it may not be new here,
    and an article that was not published under the same tags on `base` (new, retagged, or
    Approved again after a change of status) needs `required` approvals that sign its topics,
    as any other change does. `base_signatures`: the signatures the article carried on `base`;
    `base_reviewed`: its newest approval date there; `base_topics`: its tags there when it was
    Approved there (None: it was not). An approval that did not publish the article on `base`
    (`base_valid`, by `signature_id`) may not be one `committed` to it there before: that
    would undo the board's withdrawal (REV018). `committed` is asked only when needed.
    `base_notice`: the day of the clinically significant change the article's page showed on
    `base`, which the same day's approvals may not drop (REV020). `base_approves`: whether
    an approval the article had on `base` verifies for it as it is (asked only for an approval
    of the same day as the base's newest, which is no rollback when what it signs is the same).

    A lapsed approver's approval (`holds`, not `verified`) is judged as the approval it becomes
    when the declaration is renewed: otherwise a superseded version brought back with one, or a
    new one signed with a lapsed member's key, merged unchallenged and published at the next
    routine renewal. A lapsed member may not approve anything new here (REV021)."""
    for check in approvals:
        known = signature_id(check.signature)
        if check.holds and known not in base_valid and known in committed():
            line = next(
                (a.line for a in article.approvals if a.signature == check.signature),
                article.line_of("approval"),
            )
            yield codes.APPROVAL_BROUGHT_BACK.at(
                article.path,
                line,
                1,
                by=check.by,
                day=check.on.isoformat(),
                base=base,
                article=article.path,
            )
    on_base = frozenset(map(signature_id, base_signatures))  # however the block is wrapped
    for check in approvals:
        if not check.holds or signature_id(check.signature) in on_base:
            continue
        line = next(
            (a.line for a in article.approvals if a.signature == check.signature),
            article.line_of("approval"),
        )
        if check.lapsed:
            yield codes.LAPSED_APPROVAL.at(
                article.path, line, 1, by=check.by, day=check.on.isoformat(), base=base
            )
        if check.retired:
            yield codes.RETIRED_KEY.at(article.path, line, 1, by=check.by, base=base, key=check.key)
        if not check.topics:
            yield codes.UNSIGNED_TOPICS_APPROVAL.at(article.path, line, 1, by=check.by, base=base)
    valid = holding_approvers(approvals)
    # Of one day, two versions cannot be ordered: a version approved the same day as the base's
    # newest, by none of the base's approvals (another text), may be the one the base replaced.
    kept = any(check.holds and signature_id(check.signature) in on_base for check in approvals)
    if (
        valid
        and base_reviewed is not None
        and (
            valid[0].on < base_reviewed
            or (valid[0].on == base_reviewed and not kept and not base_approves())
        )
    ):
        yield codes.ROLLBACK.at(
            article.path,
            article.line_of("approval"),
            1,
            day=valid[0].on.isoformat(),
            base=base,
            base_day=base_reviewed.isoformat(),
            article=article.path,
        )
    if valid and valid[0].on == base_notice and significant_change(valid) is None:
        # Another approval of the same day kept: the text is the one the notice was about.
        yield codes.NOTICE_DROPPED.at(
            article.path,
            article.line_of("approval"),
            1,
            day=base_notice.isoformat(),
            base=base,
            article=article.path,
        )
    moved = base_topics is None or frozenset(article.tags) != base_topics
    signed = len({check.by for check in approvals if check.holds and check.topics})
    if valid and moved and signed < required:
        yield codes.TOPICS_UNSIGNED.at(
            article.path,
            article.line_of("tags"),
            1,
            base=base,
            signed=signed,
            required=required,
            article=article.path,
        )


def check_interests(
    article: Article,
    board: Board,
    approvals: Sequence[ApprovalCheck],
    today: dt.date,
    max_age_months: int,
) -> Iterator[Diagnostic]:
    """An article that publishes names its authors and approvers with their declared competing
    interests: each must have a declaration, and not one older than the board allows."""
    if article.status is not ReviewStatus.APPROVED:
        return
    people = [(member, "author", "authors") for member in article.authors]
    people += [(check.by, "approver", "approval") for check in verified_approvers(approvals)]
    for member_id, role, field in dict.fromkeys(people):
        member = board.members.get(member_id)
        if member is None:
            continue  # REV001 says so
        line = article.line_of(field)
        if not member.interests or member.interests_declared is None:
            yield codes.INTERESTS_MISSING.at(article.path, line, 1, member=member_id, role=role)
        elif _lapsed(member, today, max_age_months):
            yield codes.INTERESTS_STALE.at(
                article.path,
                line,
                1,
                member=member_id,
                role=role,
                day=member.interests_declared.isoformat(),
                months=max_age_months,
                outcome="the article is not published"
                if role == "author"
                else "their approval does not count",
            )


def lapsed_members(board: Board, today: dt.date, max_age_months: int) -> frozenset[str]:
    """The members whose declaration of interests is older than the board allows (REV015):
    their approvals do not count, and their articles do not publish, until they renew it."""
    return frozenset(
        member_id
        for member_id, member in board.members.items()
        if _lapsed(member, today, max_age_months)
    )


def _lapsed(member: BoardMember, today: dt.date, max_age_months: int) -> bool:
    declared = member.interests_declared
    return declared is not None and add_months(declared, max_age_months) < today
