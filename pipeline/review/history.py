"""An article's audit trail: its status changes and approvals, read from committed versions.

Each approval is shown as it was checked against the version it approved (that version's text
and the library of the same commit) and today's roster: verified (member, key fingerprint,
date), or why not. A key since removed from the roster shows as not verified: its approvals no
longer count.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from pipeline.content.articles import front_matter
from pipeline.diagnostics import shown
from pipeline.git import Version
from pipeline.review.approvals import ApprovalCheck
from pipeline.review.status import approval_row, describe_approval


@dataclass(frozen=True)
class Event:
    date: str
    commit: str
    author: str  # who made the commit
    what: str
    approval: dict[str, object] | None = None


def events(
    versions: Sequence[Version], checks_of: Callable[[Version], Sequence[ApprovalCheck]]
) -> list[Event]:
    """One event per status change or new approval, oldest first. `checks_of` checks the
    approvals a version carries."""
    found: list[Event] = []
    previous_status: str | None = None
    seen: set[str] = set()
    for version in versions:
        data = front_matter(version.text)
        status = " ".join(str(data.get("status", "")).split()) or "(no status)"
        short = version.commit[:10]
        if status != previous_status:
            what = (
                f"created as {status}"
                if previous_status is None
                else f"status {previous_status} -> {status}"
            )
            found.append(Event(version.date, short, version.author, what))
        new = [c for c in checks_of(version) if c.signature not in seen]
        for check in new:
            row = approval_row(check)
            found.append(Event(version.date, short, version.author, describe_approval(row), row))
            seen.add(check.signature)
        previous_status = status
    return found


def format_events(path: str, found: Sequence[Event], style: str) -> str:
    if style == "json":
        return json.dumps([asdict(e) for e in found], indent=2, ensure_ascii=False)
    if not found:
        return f"{path}: no committed history"
    lines = [f"{path}:"]
    lines += [f"  {e.date}  {e.commit}  {e.what}  [commit by {e.author}]" for e in found]
    return "\n".join(map(shown, lines))  # a commit's author name cannot redraw the trail
