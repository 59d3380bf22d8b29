"""Review commands: new, review, approve, status, history.

Each one checks what it was given, asks the core what to change (`workflow.py`), and edits only
the front-matter keys it owns (`edit.py`), so comments, key order and the body stay as they were.
"""

from __future__ import annotations

import argparse
import sys

from pipeline import git, history, status, workflow
from pipeline.articles import load_article, slugify
from pipeline.cli_support import ERRORS, OK, UsageError, article_path, load, project_root
from pipeline.diagnostics import format_text
from pipeline.edit import set_keys
from pipeline.project import ARTICLES_DIR

# An article's own errors block review and approval, except those the approval itself fixes.
_FIXED_BY_APPROVAL = ("REV002", "REV003")


def cmd_new(args: argparse.Namespace) -> int:
    root = project_root()
    project, day = load(root)
    slug = slugify(args.question)
    if not slug:
        raise UsageError("the question has no letters or digits to name the file after")
    path = root / ARTICLES_DIR / f"{slug}.md"
    if path.exists():
        print(
            f"{path.relative_to(root)} already exists; edit it or choose another question",
            file=sys.stderr,
        )
        return ERRORS
    text = workflow.scaffold(args.question, args.author, project.board, day)
    if isinstance(text, workflow.Refusal):
        print(f"new article refused: {text.reason}", file=sys.stderr)
        return ERRORS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"created {path.relative_to(root).as_posix()} (status Submitted)")
    return OK


def _transition(args: argparse.Namespace, step: str) -> int:
    root = project_root()
    rel = article_path(root, args.article)
    project, day = load(root)
    own = [d for d in project.diagnostics if d.path == rel and d.is_error]
    blocking = [d for d in own if d.code not in _FIXED_BY_APPROVAL or step == "review"]
    article, _ = load_article(root, root / rel, day)
    if blocking or article is None:
        print(format_text(blocking or own))
        print(f"{rel}: fix the errors above first", file=sys.stderr)
        return ERRORS
    if step == "review":
        change = workflow.start_review(article, project.board, args.by)
    else:
        change = workflow.approve(article, project.board, args.by, day)
    if isinstance(change, workflow.Refusal):
        print(f"{rel}: {step} refused: {change.reason}", file=sys.stderr)
        return ERRORS
    path = root / rel
    path.write_bytes(set_keys(path.read_bytes().decode("utf-8"), change).encode("utf-8"))
    member = project.board.members[args.by]
    done = "approved" if step == "approve" else "now Under Review, reviewer"
    print(f"{rel}: {done} {member.display_name} ({day.isoformat()})")
    return OK


def cmd_review(args: argparse.Namespace) -> int:
    return _transition(args, "review")


def cmd_approve(args: argparse.Namespace) -> int:
    return _transition(args, "approve")


def cmd_status(args: argparse.Namespace) -> int:
    root = project_root()
    project, day = load(root)
    rows = status.status_rows(project, day)
    if args.overdue:
        rows = [row for row in rows if row.overdue]
        if args.format == "markdown":
            print(status.format_overdue_markdown(rows), end="")
            return OK
    print(status.FORMATS[args.format](rows))
    return OK


def cmd_history(args: argparse.Namespace) -> int:
    root = project_root()
    rel = article_path(root, args.article)
    project, _ = load(root)
    try:
        versions = git.versions(root, rel)
    except git.GitError as error:
        raise UsageError(f"cannot read the git history: {error}") from None
    print(history.format_events(rel, history.events(versions, project.board), args.format))
    return OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = commands.add_parser("new", help="start a new article (status Submitted)")
    new.add_argument("question", help='the clinical question, e.g. "What helps back spasm?"')
    new.add_argument("--author", required=True, help="your board id")
    new.set_defaults(run=cmd_new)

    for name, run, text in (
        ("review", cmd_review, "move an article from Submitted to Under Review"),
        ("approve", cmd_approve, "approve an article that is Under Review"),
    ):
        step = commands.add_parser(name, help=text)
        step.add_argument("article", help="path of the article file")
        step.add_argument("--by", required=True, help="board id of the reviewer")
        step.set_defaults(run=run)

    report = commands.add_parser("status", help="where every article stands")
    report.add_argument("--format", choices=sorted(status.FORMATS), default="text")
    report.add_argument("--overdue", action="store_true", help="only articles past review date")
    report.set_defaults(run=cmd_status)

    trail = commands.add_parser("history", help="status changes and approvals from git history")
    trail.add_argument("article", help="path of the article file")
    trail.add_argument("--format", choices=["text", "json"], default="text")
    trail.set_defaults(run=cmd_history)
