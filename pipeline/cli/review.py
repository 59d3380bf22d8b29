"""Review commands: new, review, approve, status, history.

Each one checks what it was given, asks the core what to change (`workflow.py`), and edits only
the front-matter keys it owns (`edit.py`), so comments, key order and the body stay as they were.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipeline import git, sshkeygen
from pipeline.citations.scan import cited_keys
from pipeline.cli.support import (
    ERRORS,
    OK,
    UsageError,
    article_path,
    load,
    project_root,
    write_file,
)
from pipeline.content.articles import slugify
from pipeline.diagnostics import format_text
from pipeline.model import Article
from pipeline.project import ARTICLES_DIR, Project
from pipeline.review import history, status, workflow
from pipeline.review.approvals import ApprovalCheck
from pipeline.review.edit import set_keys
from pipeline.review.past import PastInputs, checks_at
from pipeline.review.rules import lapsed_members
from pipeline.review.statement import APPROVAL_NAMESPACE

# An article's own errors block review and approval, except those the approval itself fixes.
_FIXED_BY_APPROVAL = ("REV002", "REV003", "REV006", "REV008", "REV009", "REV010")


def cmd_new(args: argparse.Namespace) -> int:
    root = project_root()
    project, day = load(root)
    slug = slugify(args.question)
    if not slug:
        raise UsageError("the question has no letters or digits to name the file after")
    rel = f"{ARTICLES_DIR}/{slug}.md"
    path = root / rel
    if path.exists() or path.is_symlink():
        print(
            f"{path.relative_to(root)} already exists; edit it or choose another question",
            file=sys.stderr,
        )
        return ERRORS
    text = workflow.scaffold(args.question, args.author, project.board, day)
    if isinstance(text, workflow.Refusal):
        print(f"new article refused: {text.reason}", file=sys.stderr)
        return ERRORS
    write_file(root, rel, text)  # never through a link (content/articles itself may be one)
    print(f"created {rel} (status Submitted)")
    return OK


def _prepare(args: argparse.Namespace, step: str) -> tuple[Path, str, Project, Article, dt.date]:
    """The project and the article to change, once the article's own errors (other than those
    an approval fixes) are out of the way."""
    root = project_root()
    rel = article_path(root, args.article)
    project, day = load(root)
    own = [d for d in project.diagnostics if d.path == rel and d.is_error]
    blocking = [d for d in own if d.code not in _FIXED_BY_APPROVAL or step == "review"]
    article = next((a for a in project.articles if a.path == rel), None)
    if blocking or article is None:
        print(format_text(blocking or own))
        raise Refused(f"{rel}: fix the errors above first")
    try:
        set_keys((root / rel).read_bytes().decode("utf-8"), {})
    except ValueError:  # front matter the loader reads but the editor cannot place keys in
        raise Refused(
            f"{rel}: its front matter must open and close with a line of three dashes (---) "
            "and nothing else, ending as the file's other lines do; nothing was written"
        ) from None
    return root, rel, project, article, day


class Refused(Exception):
    """The command refuses, with a reason printed for the board member (exit 1)."""


def _write(root: Path, rel: str, change: dict[str, str]) -> None:
    """The article's front matter changed, its bytes otherwise kept (CRLF, a byte-order mark);
    it loaded, so it is UTF-8 (`_prepare` made sure it can be changed)."""
    path = root / rel
    path.write_bytes(set_keys(path.read_bytes().decode("utf-8"), change).encode("utf-8"))


def cmd_review(args: argparse.Namespace) -> int:
    try:
        root, rel, project, article, day = _prepare(args, "review")
    except Refused as refusal:
        print(refusal, file=sys.stderr)
        return ERRORS
    change = workflow.start_review(article, project.board, args.by)
    if isinstance(change, workflow.Refusal):
        print(f"{rel}: review refused: {change.reason}", file=sys.stderr)
        return ERRORS
    _write(root, rel, change)
    member = project.board.members[args.by]
    print(f"{rel}: now Under Review, reviewer {member.display_name} ({day.isoformat()})")
    return OK


def cmd_approve(args: argparse.Namespace) -> int:
    try:
        root, rel, project, article, day = _prepare(args, "approve")
    except Refused as refused:
        print(refused, file=sys.stderr)
        return ERRORS
    refusal = workflow.approver_refusal(article, project.board, args.by)
    if refusal:
        print(f"{rel}: approve refused: {refusal.reason}", file=sys.stderr)
        return ERRORS
    if not cited_keys(article):
        print(
            f"{rel}: approve refused: the article cites no source, and an Approved article must "
            "(CIT005): cite the evidence with [@key] first (python -m pipeline explain CIT005)",
            file=sys.stderr,
        )
        return ERRORS
    member = project.board.members[args.by]
    months = project.settings.interests_max_age_months
    if args.by in lapsed_members(project.board, day, months):
        print(
            f"{rel}: approve refused: '{args.by}' declared their interests on "
            f"{member.interests_declared}, more than {months} months ago, so the approval would "
            "not count (REV015, REV021); renew the declaration first (interests and "
            "interests_declared in references/board.yml, signed by an admin)",
            file=sys.stderr,
        )
        return ERRORS
    keep = [
        record
        for record, check in zip(article.approvals, project.approvals_of(article), strict=False)
        if check.verified and not check.retired
    ]
    with tempfile.TemporaryDirectory(prefix="pipeline-sign-") as temp:
        try:
            key = sshkeygen.choose_key(args.key, member.keys, root, Path(temp))
            change = workflow.approve(
                article,
                project.board,
                project.library,
                project.digests,
                args.by,
                day,
                lambda data: sshkeygen.sign(data, key, APPROVAL_NAMESPACE),
                keep,
                args.note or "",
                args.significant,
            )
        except sshkeygen.SigningError as error:
            print(f"{rel}: approve refused: {error}", file=sys.stderr)
            return ERRORS
    if isinstance(change, workflow.Refusal):
        print(f"{rel}: approve refused: {change.reason}", file=sys.stderr)
        return ERRORS
    _write(root, rel, change)
    print(f"{rel}: approved and signed by {member.display_name} ({day.isoformat()})")
    return OK


def cmd_status(args: argparse.Namespace) -> int:
    root = project_root()
    project, day = load(root)
    rows = status.status_rows(project, day)
    if args.overdue:
        rows = [row for row in rows if row.overdue]
        if args.format == "markdown":
            print(status.format_overdue_markdown(rows), end="")
            return OK
        if not rows and args.format == "text":
            print("No article is past its review date.")
            return OK
    print(status.FORMATS[args.format](rows))
    return OK


def cmd_history(args: argparse.Namespace) -> int:
    root = project_root()
    rel = article_path(root, args.article)
    project, day = load(root)
    try:
        versions = git.versions(root, rel)
    except git.GitError as error:
        raise UsageError(f"cannot read the git history: {error}") from None
    past = PastInputs(root)
    past.know(version.commit for version in versions)

    def checks_of(version: git.Version) -> Sequence[ApprovalCheck]:
        # As this article: an approval signed for another one that git followed here is not its.
        return checks_at(rel, version.text, version.commit, project.board, past, day)

    print(history.format_events(rel, history.events(versions, checks_of), args.format))
    return OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = commands.add_parser("new", help="start a new article (status Submitted)")
    new.add_argument("question", help='the clinical question, e.g. "What helps back spasm?"')
    new.add_argument("--author", required=True, help="your board id")
    new.set_defaults(run=cmd_new)

    review = commands.add_parser("review", help="move an article from Submitted to Under Review")
    review.add_argument("article", help="path of the article file")
    review.add_argument("--by", required=True, help="board id of the reviewer")
    review.set_defaults(run=cmd_review)

    approve = commands.add_parser(
        "approve", help="approve an article that is Under Review, signed with your SSH key"
    )
    approve.add_argument("article", help="path of the article file")
    approve.add_argument("--by", required=True, help="your board id (you must be a reviewer)")
    approve.add_argument(
        "--key",
        help="your SSH key file (default: git's user.signingkey, then ssh-agent, then "
        "~/.ssh/id_ed25519)",
    )
    approve.add_argument("--note", help='one line for readers: what changed ("Doses updated")')
    approve.add_argument(
        "--significant", action="store_true", help="mark the change as clinically significant"
    )
    approve.set_defaults(run=cmd_approve)

    report = commands.add_parser("status", help="where every article stands")
    report.add_argument("--format", choices=sorted(status.FORMATS), default="text")
    report.add_argument("--overdue", action="store_true", help="only articles past review date")
    report.set_defaults(run=cmd_status)

    trail = commands.add_parser("history", help="status changes and approvals from git history")
    trail.add_argument("article", help="path of the article file")
    trail.add_argument("--format", choices=["text", "json"], default="text")
    trail.set_defaults(run=cmd_history)
