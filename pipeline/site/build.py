"""One build of the site, whatever engine renders it: load and check, stage, render, audit, swap.

    build = prepare(root, target, today)      # lock the output, check, stage the site
    problems = engine.render(build.staged...)  # an engine adapter (engines/) or the MkDocs plugin
    problems += finish(build)                  # audit the output; put it in place if it passes

`prepare` and `finish` are the engine-independent part. The output is built into a work folder
beside the target (`.site.building/`: the staged pages, the engine's configuration and the
engine's output), audited there, and only then exchanged with the target in one atomic step; on
any error the target is left as it was and the work folder removed. A preview goes to preview/
(never into site/).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import codes, git
from pipeline.cache import Cache
from pipeline.content.articles import front_matter
from pipeline.diagnostics import Diagnostic, has_errors
from pipeline.project import ARTICLES_DIR, Project, load_project
from pipeline.review.changes import ReviewedVersion, from_history
from pipeline.review.past import PastInputs
from pipeline.site.audit import audit
from pipeline.site.csp import Theme, add_policies
from pipeline.site.engine_config import ConfigError
from pipeline.site.publish import build_lock, discard, output_links, swap_into_place
from pipeline.site.stage import StagedSite, newest_review, stage_site


@dataclass
class Build:
    """A build in progress: the project, its staged site, and the lock on the target."""

    project: Project
    target: Path
    staged: StagedSite
    source_date: dt.date  # what sitemaps are stamped with (DESIGN §6.5)
    lock: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def close(self) -> None:
        """Remove the work folder and release the lock (a second close does nothing)."""
        discard(self.staged.folder)
        self.lock.close()


def output_folder(root: Path, target: Path | None, preview: bool) -> Path:
    """site/ by default; a preview never goes into site/."""
    chosen = target or root / "site"
    if preview and chosen.resolve() == (root / "site").resolve():
        return root / "preview"
    return chosen


def prepare(
    root: Path,
    today: dt.date,
    target: Path | None = None,
    preview: bool = False,
    cache: Cache | None = None,
) -> Build | list[Diagnostic]:
    """Check the project and stage its site beside the target; the diagnostics instead when
    there is an error (in a preview, only when nothing can be staged at all)."""
    root = root.resolve()
    chosen = output_folder(root, target, preview)
    if links := output_links(chosen):
        return [codes.OUTPUT_LINK.at(link.name, folder=link.name) for link in links]
    target = chosen.resolve()
    lock = contextlib.ExitStack()
    lock.enter_context(build_lock(target))
    try:
        project = load_project(root, today, cache=cache)
        # A file that is not a regular file of the repository blocks even a preview: it would
        # put something from outside the repository in front of the board.
        unsafe = any(d.code == codes.FILE_NOT_REGULAR.code for d in project.diagnostics)
        blocked = (has_errors(project.diagnostics) and not preview) or unsafe
        blocked = blocked or project.disclaimer is None
        if blocked:
            lock.close()
            return list(project.diagnostics)
        folder = target.with_name(f".{target.name}.building")
        discard(folder)
        try:
            repository = os.environ.get("REPO_URL") or None
            history = committed_versions(root, project, today, cache)
            staged = stage_site(project, today, folder, preview, cache, repository, history)
        except ConfigError as error:
            discard(folder)
            lock.close()
            return [error.diagnostic()]
    except BaseException:
        lock.close()
        raise
    return Build(project, target, staged, newest_review(project, staged.plan), lock)


def committed_versions(
    root: Path, project: Project, today: dt.date, cache: Cache | None = None
) -> dict[str, list[ReviewedVersion]]:
    """Each article's reviewed versions in its git history ("Changes to this page"), read with
    one `git log` and one `git cat-file` for the whole site; none outside a git repository.
    A version's approvals are checked against its own text and its commit's library, as this
    article (the approval names the article it was signed for), and only the first version to
    carry a given signature is checked."""
    paths = [article.path for article in project.articles]
    revisions = git.revisions(root, ARTICLES_DIR, paths)
    texts = git.texts(root, [r for found in revisions.values() for r in found])
    past = PastInputs(root, cache)
    past.know(revision.commit for found in revisions.values() for revision in found)
    versions = {}
    for path, found in revisions.items():
        seen: set[str] = set()
        history = []
        for revision in found:
            text = texts.get(revision)
            if text is None or not _new_signatures(text, seen):
                continue
            # Checked as this article (its path now): an approval signed for another article
            # that git counts as renamed onto this one never shows on this page.
            checks = past.checks(path, text, revision.commit, project.board, today)
            seen.update(check.signature for check in checks)
            history.append((revision, checks))
        versions[path] = from_history(history)
    return versions


def _new_signatures(text: str, seen: set[str]) -> bool:
    """Whether a committed version may carry an approval not checked yet (read cheaply from
    its front matter, before parsing it whole)."""
    value = front_matter(text).get("approval")
    records = value if isinstance(value, list) else [value]
    signatures = [r.get("signature") for r in records if isinstance(r, dict)]
    return any(isinstance(s, str) and s not in seen for s in signatures)


def finish(build: Build, theme: Theme) -> list[Diagnostic]:
    """Give every page its policy and audit the rendered output; when it keeps every promise,
    exchange it with the target. The work folder is removed and the lock released either way.
    `theme`: what the policy must know of the engine's theme (see csp.py)."""
    try:
        add_policies(build.staged.output, theme)
        problems = audit(build.staged.output, build.project, build.staged.plan, theme)
        if not problems:
            swap_into_place(build.staged.output, build.target)
        return problems
    finally:
        build.close()
