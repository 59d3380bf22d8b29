"""An article's audit trail: its status changes and approvals, read from committed versions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from pipeline.articles import front_matter
from pipeline.git import Version
from pipeline.model import Board


@dataclass(frozen=True)
class Event:
    date: str
    commit: str
    author: str  # who made the commit
    what: str


def events(versions: Sequence[Version], board: Board) -> list[Event]:
    """One event per status change or new approval, oldest first."""
    found: list[Event] = []
    previous_status: str | None = None
    previous_approval: tuple[str, ...] | None = None
    for version in versions:
        data = front_matter(version.text)
        status = " ".join(str(data.get("status", "")).split()) or "(no status)"
        approval = data.get("approval")
        approval_key: tuple[str, ...] | None = None
        if isinstance(approval, dict):
            approval_key = tuple(str(approval.get(k, "")) for k in ("by", "on", "fingerprint"))
        short = version.commit[:10]
        if status != previous_status:
            what = (
                f"created as {status}"
                if previous_status is None
                else f"status {previous_status} -> {status}"
            )
            found.append(Event(version.date, short, version.author, what))
        if approval_key and approval_key != previous_approval:
            by, on, fingerprint = approval_key
            member = board.members.get(by)
            name = member.display_name if member else f"{by} (not on the roster)"
            found.append(
                Event(
                    version.date,
                    short,
                    version.author,
                    f"approved by {name} on {on} ({fingerprint[:19] or 'no fingerprint'})",
                )
            )
        previous_status, previous_approval = status, approval_key
    return found


def format_events(path: str, found: Sequence[Event], style: str) -> str:
    if style == "json":
        return json.dumps([asdict(e) for e in found], indent=2, ensure_ascii=False)
    if not found:
        return f"{path}: no committed history"
    lines = [f"{path}:"]
    lines += [f"  {e.date}  {e.commit}  {e.what}  [commit by {e.author}]" for e in found]
    return "\n".join(lines)
