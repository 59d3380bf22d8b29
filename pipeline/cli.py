"""The command line: `python -m pipeline check|build|serve|explain` and the review commands.

Exit codes (DESIGN §5): 0 nothing to fix (warnings allowed), 1 errors in the content, 2 a usage
or internal failure. A board member never sees a Python traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline import cli_review, codes, git, review
from pipeline.articles import front_matter
from pipeline.cli_support import (
    ERRORS,
    OK,
    USAGE,
    UsageError,
    load,
    project_root,
    relative,
)
from pipeline.diagnostics import (
    FORMATTERS,
    Diagnostic,
    format_text,
    has_errors,
    promote_warnings,
    suggestion,
)
from pipeline.model import ReviewStatus
from pipeline.project import ARTICLES_DIR, Project


def _summary(diagnostics: Sequence[Diagnostic], articles: int) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{articles} articles checked: {errors} error(s), {warnings} warning(s)"


def transitions(root: Path, project: Project, base: str) -> list[Diagnostic]:
    """Status changes since `base` (a branch or commit), checked step by step."""
    if not git.has_ref(root, base):
        raise UsageError(
            f"the base '{base}' is not in this clone. Fetch it first "
            f"(git fetch origin {base.removeprefix('origin/')}), or in GitHub Actions check out "
            "with fetch-depth: 0"
        )
    renames = git.renames_since(root, base, ARTICLES_DIR)
    found: list[Diagnostic] = []
    for article in project.articles:
        old = git.file_at(root, base, renames.get(article.path, article.path))
        previous = (
            ReviewStatus.parse(str(front_matter(old).get("status", "")))
            if old is not None
            else None
        )
        found.extend(review.check_transition(article, previous, base))
    return found


def cmd_check(args: argparse.Namespace) -> int:
    root = project_root()
    project, _ = load(root)
    diagnostics = list(project.diagnostics)
    if args.base:
        diagnostics = sorted(diagnostics + transitions(root, project, args.base))
    if args.paths:
        wanted = [relative(root, p) for p in args.paths]
        diagnostics = [d for d in diagnostics if any(_within(d.path, w) for w in wanted)]
    if args.strict:
        diagnostics = promote_warnings(diagnostics)
    if args.format == "json" or diagnostics:
        print(FORMATTERS[args.format](diagnostics))
    if args.format == "text":
        print(_summary(diagnostics, len(project.article_files)), file=sys.stderr)
    return ERRORS if has_errors(diagnostics) else OK


def _within(path: str, wanted: str) -> bool:
    return wanted in (".", "") or path == wanted or path.startswith(wanted.rstrip("/") + "/")


def cmd_build(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    root = project_root()
    _quiet_mkdocs_logging()
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=args.site_dir, strict=args.strict)
    except (ConfigurationError, Abort) as error:
        print(f"mkdocs.yml: error {error}", file=sys.stderr)
        return ERRORS
    plugin = config.plugins.get("pipeline")
    if plugin is None:
        print(
            "mkdocs.yml: error the 'pipeline' plugin is not listed under plugins", file=sys.stderr
        )
        return ERRORS
    if args.preview:
        plugin.config["preview"] = True
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    except Abort as error:
        if not has_errors(getattr(plugin, "diagnostics", [])) or args.preview:
            print(
                format_text([codes.RENDER_FAILED("mkdocs.yml", 0, 0, str(error))]), file=sys.stderr
            )
        print("build failed: the site was not changed", file=sys.stderr)
        return ERRORS
    finally:
        config.plugins.on_shutdown()
    print(f"{'preview' if args.preview else 'site'} built in {config.site_dir}", file=sys.stderr)
    return OK


def cmd_serve(args: argparse.Namespace) -> int:
    """A live preview of every article (pending ones under their banner), never published."""
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import Abort

    root = project_root()
    _quiet_mkdocs_logging(logging.INFO)
    os.environ["PIPELINE_PREVIEW"] = "1"
    try:
        serve(config_file=str(root / "mkdocs.yml"), dev_addr=args.addr, livereload=True)
    except KeyboardInterrupt:
        return OK
    except Abort as error:
        print(f"serve stopped: {error}", file=sys.stderr)
        return ERRORS
    return OK


def _quiet_mkdocs_logging(level: int = logging.WARNING) -> None:
    """Our diagnostics print as bare lines; MkDocs' own messages keep their level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.handlers[:] = [handler]
    mkdocs_log.setLevel(level)
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


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Check, review and publish the medical articles of this repository.",
    )
    commands = top.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="report every problem in the articles and library")
    check.add_argument("paths", nargs="*", help="only report problems in these files or folders")
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--base", help="also check status changes against this git branch")
    check.set_defaults(run=cmd_check)

    build = commands.add_parser("build", help="build the published site (approved articles only)")
    build.add_argument("--site-dir", default=None, help="output folder (default: site/)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument(
        "--preview",
        action="store_true",
        help="render every article into preview/, pending ones under a banner (never published)",
    )
    build.set_defaults(run=cmd_build)

    serve = commands.add_parser("serve", help="live preview of every article while you write")
    serve.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on")
    serve.set_defaults(run=cmd_serve)

    explain = commands.add_parser("explain", help="explain a diagnostic code, e.g. CIT001")
    explain.add_argument("code", nargs="?")
    explain.add_argument("--markdown", action="store_true", help="print every code as Markdown")
    explain.set_defaults(run=cmd_explain)

    cli_review.register(commands)
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
