"""Changes to this page: an article's reviewed versions, newest first, for readers.

Each approval that verified in the article's committed history is one reviewed version (a
record that never verified is only text someone committed, and is never shown): its date, its
reviewer, the one-line note given at approval (`approve --note`), whether the change was
clinically significant (`--significant`), and the commit where it first appeared, so that with a
repository address each version links to the exact source that was reviewed. The approvals the
article carries now are added when they verify and are not committed yet. The list depends only
on the history and the article, so the same input gives the same page.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.git import Revision
from pipeline.model import Board
from pipeline.review.approvals import ApprovalCheck


@dataclass(frozen=True)
class ReviewedVersion:
    on: dt.date
    by: str
    note: str
    significant: bool
    signature: str
    commit: str = ""  # where the approval first appeared; "" when not committed yet
    path: str = ""  # the article's path in that commit


def from_history(
    history: Sequence[tuple[Revision, Sequence[ApprovalCheck]]],
) -> list[ReviewedVersion]:
    """The verified approvals of committed versions (oldest revision first, each with its
    approvals as checked against that version), each once, with the revision it first
    appeared in."""
    found: dict[str, ReviewedVersion] = {}
    for revision, checks in history:
        for check in checks:
            if check.verified and check.signature not in found:
                found[check.signature] = ReviewedVersion(
                    check.on,
                    check.by,
                    check.note,
                    check.significant,
                    check.signature,
                    revision.commit,
                    revision.path,
                )
    return list(found.values())


def reviewed_versions(
    committed: Sequence[ReviewedVersion], current: Sequence[ApprovalCheck]
) -> list[ReviewedVersion]:
    """Every reviewed version, newest first: the committed ones, and the current verified
    approvals not committed yet."""
    known = {version.signature for version in committed}
    versions = list(committed) + [
        ReviewedVersion(check.on, check.by, check.note, check.significant, check.signature)
        for check in current
        if check.verified and check.signature not in known
    ]
    # Newest date first; on the same date, the later in history first (a stable sort of the
    # reversed list keeps that order among equal dates). A signature renewed the same day by
    # the same reviewer with the same note is one review to a reader: the newest is kept.
    newest_first = sorted(reversed(versions), key=lambda v: v.on, reverse=True)
    seen: set[tuple[dt.date, str, str, bool]] = set()
    kept = []
    for version in newest_first:
        review = (version.on, version.by, version.note, version.significant)
        if review not in seen:
            seen.add(review)
            kept.append(version)
    return kept


def page_data(
    versions: Sequence[ReviewedVersion],
    board: Board,
    repository: str | None,
    labels: Mapping[dt.date, str],
) -> list[dict[str, object]]:
    """The versions as the article template shows them (`labels`: each date written out)."""
    rows = []
    for version in versions:
        member = board.members.get(version.by)
        url = ""
        if repository and version.commit:
            # The name as it stood in that commit, quoted: one holding "#" or "?" (a file
            # renamed onto this one) would otherwise link to another file of that commit.
            path = urllib.parse.quote(version.path)
            url = f"{repository.rstrip('/')}/blob/{version.commit}/{path}"
        rows.append(
            {
                "on": version.on.isoformat(),
                "on_label": labels[version.on],
                "by": member.display_name if member else version.by,
                "note": version.note,
                "significant": version.significant,
                "url": url,
            }
        )
    return rows
