"""The command line: `python -m pipeline check|build|explain|approve`.

Exit codes (DESIGN §5): 0 nothing to fix (warnings allowed), 1 errors in the content, 2 a usage
or internal failure. A board member never sees a Python traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline import codes, review
from pipeline.articles import decode, load_article
from pipeline.diagnostics import (
    FORMATTERS,
    Diagnostic,
    format_text,
    has_errors,
    promote_warnings,
    suggestion,
)
from pipeline.edit import set_keys
from pipeline.model import ReviewStatus
from pipeline.plugin import today
from pipeline.project import ARTICLES_DIR, load_project

OK, ERRORS, USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called, reported without a traceback (exit 2)."""


def _root() -> Path:
    root = Path.cwd()
    if not (root / "mkdocs.yml").is_file() and not (root / ARTICLES_DIR).is_dir():
        raise UsageError("run this command in the project folder (the one with mkdocs.yml)")
    return root


def _summary(diagnostics: Sequence[Diagnostic], articles: int) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{articles} articles checked: {errors} error(s), {warnings} warning(s)"


def cmd_check(args: argparse.Namespace) -> int:
    root = _root()
    project = load_project(root, today())
    diagnostics = list(project.diagnostics)
    if args.paths:
        wanted = [_relative(root, p) for p in args.paths]
        diagnostics = [d for d in diagnostics if any(_within(d.path, w) for w in wanted)]
    if args.strict:
        diagnostics = promote_warnings(diagnostics)
    output = FORMATTERS[args.format](diagnostics)
    if output and (args.format != "json" or diagnostics):
        print(output)
    elif args.format == "json":
        print("[]")
    if args.format == "text":
        print(_summary(diagnostics, len(project.article_files)), file=sys.stderr)
    return ERRORS if has_errors(diagnostics) else OK


def _relative(root: Path, given: str) -> str:
    path = Path(given)
    resolved = (root / path).resolve() if not path.is_absolute() else path.resolve()
    if not resolved.exists():
        raise UsageError(f"no such file or folder: {given}")
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"{given} is outside the project folder") from None


def _within(path: str, wanted: str) -> bool:
    return wanted in (".", "") or path == wanted or path.startswith(wanted.rstrip("/") + "/")


def cmd_build(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    root = _root()
    _quiet_mkdocs_logging()
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=args.site_dir, strict=args.strict)
    except (ConfigurationError, Abort) as error:
        print(f"mkdocs.yml: error {error}", file=sys.stderr)
        return ERRORS
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    except Abort as error:
        plugin = config.plugins.get("pipeline")
        if not has_errors(getattr(plugin, "diagnostics", [])):
            print(
                format_text([codes.RENDER_FAILED("mkdocs.yml", 0, 0, str(error))]), file=sys.stderr
            )
        print("build failed: the site was not changed", file=sys.stderr)
        return ERRORS
    finally:
        config.plugins.on_shutdown()
    print(f"site built in {config.site_dir}", file=sys.stderr)
    return OK


def _quiet_mkdocs_logging() -> None:
    """Our diagnostics print as bare lines; MkDocs' own messages keep their level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.handlers[:] = [handler]
    mkdocs_log.setLevel(logging.WARNING)
    mkdocs_log.propagate = False


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.name == "mkdocs.plugins.pipeline":
            return record.getMessage()
        return f"mkdocs: {record.levelname.lower()}: {record.getMessage()}"


def cmd_explain(args: argparse.Namespace) -> int:
    if args.markdown:
        print(codes.reference_markdown(), end="")
        return OK
    if not args.code:
        for code in codes.REGISTRY.values():
            print(f"{code.code:<8} {code.severity:<8} {code.summary}")
        return OK
    found = codes.REGISTRY.get(args.code.upper())
    if found is None:
        raise UsageError(
            f"unknown code '{args.code}'{suggestion(args.code.upper(), codes.REGISTRY)}"
        )
    print(found.explain())
    return OK


def cmd_approve(args: argparse.Namespace) -> int:
    root = _root()
    day = today()
    path = (root / args.article).resolve()
    if not path.is_file() or path.parent != (root / ARTICLES_DIR).resolve():
        raise UsageError(f"{args.article} is not an article in {ARTICLES_DIR}/")
    project = load_project(root, day)
    rel = path.relative_to(root.resolve()).as_posix()
    own = [d for d in project.diagnostics if d.path == rel and d.is_error]
    blocking = [d for d in own if d.code not in ("REV002", "REV003")]
    article, _ = load_article(root.resolve(), path, day)
    if blocking or article is None:
        print(format_text(blocking or own))
        print(f"{rel}: fix the errors above before approving", file=sys.stderr)
        return ERRORS
    member = project.board.members.get(args.by)
    refusal = None
    if member is None:
        refusal = (
            f"'{args.by}' is not on the board roster{suggestion(args.by, project.board.members)}"
        )
    elif not member.is_reviewer:
        refusal = f"'{args.by}' does not have the reviewer role"
    elif args.by in article.authors:
        refusal = f"'{args.by}' is an author of this article; another reviewer must approve it"
    elif article.status is ReviewStatus.SUBMITTED:
        refusal = "the article is Submitted; it must be Under Review before it can be approved"
    if refusal:
        print(f"{rel}: approval refused: {refusal}", file=sys.stderr)
        return ERRORS
    text = decode(path.read_bytes())
    assert text is not None
    reviewers = list(article.reviewers)
    if args.by not in reviewers:
        reviewers.append(args.by)
    fingerprint = review.fingerprint(article.title, article.body)
    updated = set_keys(
        path.read_bytes().decode("utf-8"),
        {
            "status": " Approved",
            "reviewers": f" [{', '.join(reviewers)}]",
            "last_updated": f" {day.isoformat()}",
            "approval": f"\n  by: {args.by}\n  on: {day.isoformat()}\n  fingerprint: {fingerprint}",
        },
    )
    path.write_bytes(updated.encode("utf-8"))
    print(f"{rel}: approved by {member.display_name if member else args.by} on {day.isoformat()}")
    return OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Check and publish the medical articles of this repository.",
    )
    commands = top.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="report every problem in the articles and library")
    check.add_argument("paths", nargs="*", help="only report problems in these files or folders")
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.set_defaults(run=cmd_check)

    build = commands.add_parser("build", help="build the published site (approved articles only)")
    build.add_argument("--site-dir", default=None, help="output folder (default: site/)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.set_defaults(run=cmd_build)

    explain = commands.add_parser("explain", help="explain a diagnostic code, e.g. CIT001")
    explain.add_argument("code", nargs="?")
    explain.add_argument("--markdown", action="store_true", help="print every code as Markdown")
    explain.set_defaults(run=cmd_explain)

    approve = commands.add_parser("approve", help="approve an article that is Under Review")
    approve.add_argument("article", help="path of the article file")
    approve.add_argument("--by", required=True, help="board id of the approving reviewer")
    approve.set_defaults(run=cmd_approve)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        return USAGE
    except Exception as error:  # a fault of ours: say so plainly, no traceback
        print(
            f"internal error: {type(error).__name__}: {error}. This is a fault in the pipeline, "
            "not in your article; please report it.",
            file=sys.stderr,
        )
        return USAGE
