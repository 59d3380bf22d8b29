"""Where every article stands: status, people, dates, and what keeps it off the site."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from pipeline.diagnostics import shown
from pipeline.model import ReviewStatus
from pipeline.project import Project
from pipeline.review import rules
from pipeline.review.approvals import ApprovalCheck


@dataclass(frozen=True)
class StatusRow:
    path: str
    title: str
    status: str
    authors: tuple[str, ...]
    reviewers: tuple[str, ...]
    last_updated: str
    next_review: str
    overdue: bool
    published: bool
    blockers: tuple[str, ...]
    approvals: tuple[dict[str, object], ...] = ()
    grades: tuple[dict[str, object], ...] = ()  # reading grade of the summary and patient text


def describe_grades(row: StatusRow) -> str:
    """ "summary 5.8; patient passage 6.1": the reading grades as a board member reads them."""
    return "; ".join(f"{g['what']} {g['grade']}" for g in row.grades)


def approval_row(check: ApprovalCheck) -> dict[str, object]:
    """One approval as `status` and `history` show it: verified (member, key, date) or why not."""
    return {
        "by": check.by,
        "name": check.name,
        "on": check.on.isoformat(),
        "key": check.key,
        "verified": check.verified,
        "retired_key": check.retired,
        "problem": check.problem or "",
    }


def describe_approval(row: dict[str, object]) -> str:
    if row["verified"]:
        retired = ", a retired key" if row["retired_key"] else ""
        return f"approved by {row['name']} on {row['on']}: verified (key {row['key']}{retired})"
    return f"approval by {row['name']} on {row['on']}: NOT verified ({row['problem']})"


def status_rows(project: Project, today: dt.date) -> list[StatusRow]:
    months = project.settings.review_interval_months
    errors: Counter[str] = Counter(d.path for d in project.diagnostics if d.is_error)
    outside = sum(n for path, n in errors.items() if path not in project.article_files)
    loaded = {a.path: a for a in project.articles}
    rows = []
    for path in project.article_files:
        article = loaded.get(path)
        blockers = []
        if errors[path]:
            blockers.append(f"{errors[path]} error(s): run python -m pipeline check {path}")
        if outside:
            blockers.append(f"{outside} error(s) in the library, roster or disclaimer")
        if article is None:
            rows.append(
                StatusRow(path, "", "unreadable", (), (), "", "", False, False, tuple(blockers))
            )
            continue
        checks = project.approvals_of(article)
        if article.status is ReviewStatus.SUBMITTED:
            blockers.append("waiting for a reviewer (python -m pipeline review)")
        elif article.status is ReviewStatus.UNDER_REVIEW:
            blockers.append("waiting for approval (python -m pipeline approve)")
        elif article.path in project.withheld:
            blockers.append("an author's declaration of interests is out of date (REV015)")
        elif not project.is_publishable(article):
            why = [c.problem for c in checks if c.problem] or ["no valid signed approval"]
            blockers.append("approval does not hold: " + "; ".join(dict.fromkeys(map(str, why))))
        # A review falls due only for an answer the board approved: a draft has none yet.
        approved = article.status is ReviewStatus.APPROVED
        due = rules.next_review(article, checks, months) if approved else None
        rows.append(
            StatusRow(
                path=path,
                title=article.title,
                status=article.status.value,
                authors=article.authors,
                reviewers=article.reviewers,
                last_updated=rules.last_reviewed(article, checks).isoformat(),
                next_review=due.isoformat() if due else "",
                overdue=due is not None and due < today,
                published=not blockers,
                blockers=tuple(blockers),
                approvals=tuple(approval_row(c) for c in checks),
                grades=tuple(
                    {"what": g.what, "line": g.line, "grade": g.grade}
                    for g in project.grades.get(path, ())
                ),
            )
        )
    return rows


def format_text(rows: Sequence[StatusRow]) -> str:
    lines = []
    for row in rows:
        people = f"by {', '.join(row.authors) or '?'}"
        if row.reviewers:
            people += f"; reviewers {', '.join(row.reviewers)}"
        dates = f"updated {row.last_updated or '?'}"
        dates += f", next review {row.next_review}" if row.next_review else ""
        if row.overdue:
            dates += " (OVERDUE)"
        state = "published" if row.published else "not published: " + "; ".join(row.blockers)
        lines += [row.path, f"  {row.status} | {people} | {dates}", f"  {state}"]
        if row.grades:
            lines.append(f"  reading grade: {describe_grades(row)}")
        lines += [f"  {describe_approval(approval)}" for approval in row.approvals]
    # One line each: a value holding a line break or an escape sequence cannot draw another.
    return "\n".join(map(shown, lines))


def format_json(rows: Sequence[StatusRow]) -> str:
    return json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False)


# What Markdown reads as markup in a line: escaped with a backslash in a cell.
_MARKDOWN_MARKS = re.compile(r"([\\`*_\[\]()!#|~])")


def _cell(text: str) -> str:
    """A table cell of the job summary: text, never markup (a title closing the table could
    draw counts of its own, an image load from anywhere), on one line."""
    plain = html.escape(shown(text.replace("\n", " ")), quote=False)
    return _MARKDOWN_MARKS.sub(r"\\\1", plain)


def format_markdown(rows: Sequence[StatusRow]) -> str:
    """For a CI job summary: counts by status, then one table row per article."""
    counts = Counter(row.status for row in rows)
    published = sum(row.published for row in rows)
    lines = [
        "## Articles",
        "",
        ", ".join(f"{status}: {counts[status]}" for status in sorted(counts)) or "no articles",
        "",
        f"**{published} article(s) will be published** when this is merged to main.",
        "",
        *_table(rows),
    ]
    return "\n".join(lines) + "\n"


def format_overdue_markdown(rows: Sequence[StatusRow]) -> str:
    """For the weekly job summary: the approved articles past their review date."""
    if not rows:
        return "## Overdue reviews\n\nNo article is past its review date.\n"
    lines = [
        "## Overdue reviews",
        "",
        f"**{len(rows)} approved article(s) are past their review date.** They stay published, "
        "with a visible 'Review overdue' note, until they are reviewed and approved again.",
        "",
        *_table(rows),
    ]
    return "\n".join(lines) + "\n"


def _table(rows: Sequence[StatusRow]) -> list[str]:
    lines = [
        "| article | status | last updated | next review | reading grade | published? |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        verdict = "yes" if row.published else "no: " + "; ".join(row.blockers)
        due = (row.next_review or "—") + (" **overdue**" if row.overdue else "")
        lines.append(
            f"| {_cell(row.title or row.path)} | {row.status} | {row.last_updated} | {due} "
            f"| {_cell(describe_grades(row))} | {_cell(verdict)} |"
        )
    return lines


FORMATS = {"text": format_text, "json": format_json, "markdown": format_markdown}
