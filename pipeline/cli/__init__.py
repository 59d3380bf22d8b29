"""The command line: `python -m pipeline check|build|serve|explain` and the review commands.

Exit codes (DESIGN §5): 0 nothing to fix (warnings allowed), 1 errors in the content, 2 a usage
or internal failure. A board member never sees a Python traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline import cache, codes, git
from pipeline.checks.evidence import RETRACTIONS, check_retractions_change, load_retractions
from pipeline.checks.moved import moved_articles, quoted_articles
from pipeline.citations.scan import cited_keys
from pipeline.cli import references as cli_references
from pipeline.cli import review as cli_review
from pipeline.cli import roster as cli_roster
from pipeline.cli.support import (
    ERRORS,
    OK,
    USAGE,
    UsageError,
    load,
    project_root,
    relative,
    require_base,
    today,
)
from pipeline.content.files import readable, shown
from pipeline.content.pdf import SAVED_OTHERWISE, pdf_problem, saved_again, site_form
from pipeline.diagnostics import (
    FORMATTERS,
    Diagnostic,
    Severity,
    format_text,
    has_errors,
    promote_warnings,
    suggestion,
)
from pipeline.engines import ENGINES, renderer, theme
from pipeline.model import Article
from pipeline.project import ARTICLES_DIR, Project
from pipeline.registry.lock import LOCK, check_lock_change, entry_digest, load_lock
from pipeline.review import rules
from pipeline.review.approvals import check_approvals, significant_change
from pipeline.review.past import BaseBranch, committed_signatures
from pipeline.review.roster import (
    SIGNATURES_FILE,
    check_roster_change,
    future_signatures,
)
from pipeline.review.signatures import signature_id
from pipeline.site.build import Build, finish, prepare
from pipeline.site.engine_config import config_problems


def _summary(diagnostics: Sequence[Diagnostic], articles: int) -> str:
    errors = sum(d.is_error for d in diagnostics)
    notes = sum(d.severity is Severity.NOTE for d in diagnostics)
    warnings = len(diagnostics) - errors - notes
    noun = "article" if articles == 1 else "articles"
    counted = f"{articles} {noun} checked: {errors} error(s), {warnings} warning(s)"
    return counted + (f", {notes} note(s)" if notes else "")


def _base_approves(project: Project, article: Article, then: Article | None) -> bool:
    """Whether an approval record the article had on the base verifies for it as it is now:
    the same text, sources and files, so a same-day approval of it is no rollback."""
    if then is None or not then.approvals:
        return False
    records = dataclasses.replace(article, approvals=then.approvals)
    cited = cited_keys(article)
    checks, _ = check_approvals(records, project.board, project.library, cited, project.digests)
    return any(check.verified for check in checks)


def against_base(root: Path, project: Project, base: str) -> list[Diagnostic]:
    """What a change may not do compared with `base` (a branch or commit): sign a new approval
    with a retired key, bring back an older approved version, change the roster or the
    settings without the base roster's admins, or drop a retraction from the registry lock."""
    require_base(root, base)
    renames = git.renames_since(root, base, ARTICLES_DIR)
    named = {article.path: renames.get(article.path, article.path) for article in project.articles}
    branch = BaseBranch(root, base, list(named.values()))
    found: list[Diagnostic] = []
    for article in project.articles:
        then = named[article.path]
        valid = frozenset(c.signature for c in project.approvals_of(article) if c.holds)
        change = (git.committed((root / article.path).read_bytes()), valid)
        there = branch.article(article.path, then, project.board, today(), change)
        # Read as the article is read now: a date spelt " 2026-12-05" is the same date.
        before = there.article.approvals if there.article is not None else ()
        notice = significant_change([a for a in before if a.signature in there.valid])
        found += rules.check_against_base(
            article,
            project.approvals_of(article),
            frozenset(approval.signature for approval in before),
            max((approval.on for approval in before), default=None),
            base,
            frozenset(there.article.tags) if there.published and there.article else None,
            project.settings.approvals_required,
            frozenset(map(signature_id, there.valid)),
            # An approval names the article it was signed for, so it was committed at the
            # article's path now, whatever the change renames onto it.
            functools.cache(
                functools.partial(committed_signatures, root, base, (article.path, then))
            ),
            notice.on if notice is not None else None,
            functools.partial(_base_approves, project, article, there.article),
        )

    def now(rel: str) -> str | None:
        path = root / rel  # a link is never read (FM018 says so)
        return git.committed(path.read_bytes()) if readable(root, path) else None

    found += check_roster_change(
        base,
        cli_roster.governed_at(root, base),
        cli_roster.governed_now(root),
        now(SIGNATURES_FILE),
        git.file_at(root, base, SIGNATURES_FILE),
    )
    found += future_signatures(now(SIGNATURES_FILE), today())
    retractions, _ = load_retractions(root)
    found += check_retractions_change(base, git.file_at(root, base, RETRACTIONS), retractions)
    lock, _ = load_lock(root)  # a damaged lock is BIB016 already
    current = {i: entry_digest(e, i) for i, e in project.library.by_identifier.items()}
    found += check_lock_change(base, git.file_at(root, base, LOCK), lock, current)
    return (
        found + moved_articles(root, project, base, today()) + quoted_articles(root, project, base)
    )


def cmd_check(args: argparse.Namespace) -> int:
    root = project_root()
    project, _ = load(root)
    diagnostics = list(project.diagnostics)
    if args.base:
        diagnostics = sorted(diagnostics + against_base(root, project, args.base))
    articles = project.article_files
    if args.paths:
        wanted = [relative(root, p) for p in args.paths]
        diagnostics = [d for d in diagnostics if any(_within(d.path, w) for w in wanted)]
        articles = tuple(a for a in articles if any(_within(a, w) for w in wanted))
    if args.strict:
        diagnostics = promote_warnings(diagnostics)
    if args.format == "json" or diagnostics:
        print(FORMATTERS[args.format](diagnostics))
    if args.format == "text":
        print(_summary(diagnostics, len(articles)), file=sys.stderr)
    return ERRORS if has_errors(diagnostics) else OK


def _within(path: str, wanted: str) -> bool:
    return wanted in (".", "") or path == wanted or path.startswith(wanted.rstrip("/") + "/")


def _print_counting_notes(diagnostics: Sequence[Diagnostic]) -> None:
    """Errors and warnings one by one; notes need nothing done, so a build only counts them
    (`check` lists them): 31 notes printed after a failed build's one error pushed it off the
    screen."""
    notes = [d for d in diagnostics if d.severity is Severity.NOTE]
    for diagnostic in diagnostics:
        if diagnostic.severity is not Severity.NOTE:
            print(format_text([diagnostic]), file=sys.stderr)
    if notes:
        print(
            f"{len(notes)} note(s), nothing to fix: python -m pipeline check lists them",
            file=sys.stderr,
        )


def cmd_build(args: argparse.Namespace) -> int:
    """Check, stage, render with the chosen engine, audit, and put the site in place."""
    root = project_root()
    day = today()
    target = Path(args.site_dir) if args.site_dir else None
    build = prepare(root, day, target, args.preview, cache.shared())
    if not isinstance(build, Build):
        _print_counting_notes(build)
        print("build failed: the site was not changed", file=sys.stderr)
        return ERRORS
    _print_counting_notes(build.project.diagnostics)
    try:
        problems = renderer(args.engine)(build.staged, args.strict, build.source_date)
        problems += [] if problems else finish(build, theme(args.engine))
    finally:
        build.close()
    if problems:
        print(format_text(problems), file=sys.stderr)
        print("build failed: the site was not changed", file=sys.stderr)
        return ERRORS
    kind = "preview" if args.preview else "site"
    print(
        f"{kind} built with {args.engine} in {relative_or_absolute(root, build.target)}/",
        file=sys.stderr,
    )
    return OK


def relative_or_absolute(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def cmd_serve(args: argparse.Namespace) -> int:
    """A live preview of every article (pending ones under their banner), never published:
    MkDocs' own server, with the pipeline's plugin staging every rebuild."""
    from pipeline.engines.mkdocs import serve

    root = project_root()
    # MkDocs imports hooks and merges INHERIT as it reads mkdocs.yml, before the pipeline's
    # plugin runs: settings the build would refuse never reach it.
    if refused := config_problems(root):
        print(format_text(refused), file=sys.stderr)
        return ERRORS
    os.environ["PIPELINE_PREVIEW"] = "1"
    problem = serve(root / "mkdocs.yml", args.addr)
    if problem:
        print(f"serve stopped: {problem}", file=sys.stderr)
        return ERRORS
    return OK


def cmd_pdf(args: argparse.Namespace) -> int:
    """Write PDFs in place as the site keeps them (`site_form`), as a formatter writes code:
    what `check` asks of every PDF beside the site pages and in the theme."""
    failed = False
    for name in args.files:
        path = Path(name)
        if path.is_symlink() or not path.is_file():
            raise UsageError(f"{shown(name)} is not a file")
        data = path.read_bytes()
        written = site_form(data)
        again = None
        if written is None and pdf_problem(data) in SAVED_OTHERWISE:
            # Saved with edits appended, for fast web view, or damaged: qpdf's reading of it,
            # which another viewer's may not have been, so its author looks at it again.
            again = saved_again(data)
            written = None if again is None else site_form(again) or again
        written = written or data
        if (problem := pdf_problem(written)) is not None:
            print(f"{shown(name)}: not written: it is a {problem[1:]}", file=sys.stderr)
            failed = True
            continue
        if written != data:
            temporary = path.with_name(f".{path.name}.writing")
            temporary.write_bytes(written)
            os.replace(temporary, path)
        done = (
            "written as the site keeps PDFs"
            if written != data
            else "already as the site keeps PDFs"
        )
        print(f"{shown(name)}: {done}", file=sys.stderr)
        if again is not None:
            print(
                f"{shown(name)}: it was saved with later edits appended, for fast web view, or"
                " damaged, which viewers may read apart: this is how qpdf read it. Open it and"
                " check what its pages show before you commit it.",
                file=sys.stderr,
            )
    return ERRORS if failed else OK


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
    check.add_argument(
        "--base", help="also check approvals and roster changes against this git branch"
    )
    check.set_defaults(run=cmd_check)

    build = commands.add_parser("build", help="build the published site (approved articles only)")
    build.add_argument("--site-dir", default=None, help="output folder (default: site/)")
    build.add_argument(
        "--engine",
        choices=sorted(ENGINES),
        default="mkdocs",
        help="the engine that renders the pages (default: mkdocs; ProperDocs installs as mkdocs)",
    )
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

    pdf = commands.add_parser("pdf", help="write PDFs as the site keeps them (check asks it)")
    pdf.add_argument("files", nargs="+", help="the PDFs, e.g. content/pages/img/handout.pdf")
    pdf.set_defaults(run=cmd_pdf)

    explain = commands.add_parser("explain", help="explain a diagnostic code, e.g. CIT001")
    explain.add_argument("code", nargs="?")
    explain.add_argument("--markdown", action="store_true", help="print every code as Markdown")
    explain.set_defaults(run=cmd_explain)

    cli_review.register(commands)
    cli_roster.register(commands)
    cli_references.register(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    for value in given:  # a terminal in another encoding passes bytes Python keeps as surrogates
        if shown(value) != value:
            problem = f"{shown(value)!r} is not UTF-8 text; set the terminal to UTF-8"
            print(f"error: {problem}", file=sys.stderr)
            return USAGE
    args = parser().parse_args(given)
    try:
        return int(args.run(args))
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        return USAGE
    except BrokenPipeError:
        # The reader went away (`check | head -1`): nothing more to say, to nobody.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except Exception as error:  # a fault of ours: say so plainly, no traceback
        print(
            f"internal error: {type(error).__name__}: {error}. This is a fault in the pipeline, "
            "not in your article; please report it.",
            file=sys.stderr,
        )
        return USAGE
