"""The MkDocs adapter: each event hands its work to one core function.

- on_config: load and check the project (any error fails the build), stage the publish plan
  into one file beside the output folder, and point MkDocs at a temporary output folder;
- on_files: add the staged pages (articles live outside docs_dir: this is their only road in);
- on_page_markdown, on_env, on_page_context, on_page_content: staged pages are converted late,
  a worker converting ahead (`mkdocs_pages`); articles without their finished HTML
  (`prerendered`), and sanitized; on_page_context also sets the "Suggest an edit" and
  related-article links;
- on_post_page: an article's finished tail goes back in, and each page is audited as written;
- on_serve: rebuild when articles or references change;
- on_post_build (after every other plugin): finish the audit over the files on disk, then swap
  the output into place; a failed audit leaves the previous site untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler, get_relative_url
from mkdocs.utils.templates import TemplateContext

from pipeline import cache, clock
from pipeline.audit import Audit
from pipeline.bundle import Slice, load_and_stage
from pipeline.diagnostics import Diagnostic, format_text
from pipeline.forked import run_forked
from pipeline.mkdocs_pages import Articles, BundledFile, StagedArticle
from pipeline.project import ARTICLES_DIR, Project
from pipeline.publish import build_lock, discard, recover, swap_into_place
from pipeline.settings import Settings
from pipeline.stage import PublishPlan

log = logging.getLogger("mkdocs.plugins.pipeline")
BUNDLE = "pages.md"  # the staged pages, one after another


def _pin_build_date(plan: PublishPlan) -> bool:
    """MkDocs stamps sitemaps with the build date unless SOURCE_DATE_EPOCH is set; pin it to the
    newest review date so the same content gives the same bytes on any day (DESIGN §6.5).
    Returns whether it was set here (and so must be unset after the build)."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return False
    newest = max((a.last_updated for a in plan.published), default=dt.date(2000, 1, 1))
    midnight = dt.datetime.combine(newest, dt.time(), tzinfo=dt.UTC)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(midnight.timestamp()))
    return True


def _strict_warnings(config: MkDocsConfig) -> int:
    """The warnings MkDocs has counted in strict mode. It aborts on them only after every
    on_post_build, once this plugin would have swapped the new site into place."""
    if not config.strict:
        return 0
    counters = [h for h in logging.getLogger("mkdocs").handlers if isinstance(h, CountHandler)]
    return sum(count for counter in counters for _, count in counter.get_counts())


class PipelineConfig(base.Config):  # type: ignore[no-untyped-call]
    review_interval_months = c.Type(int, default=12)
    stale_evidence_years = c.Type(int, default=10)
    citation_style = c.Type(str, default="ama")
    repository = c.Optional(c.Type(str))
    branch = c.Type(str, default="main")
    # A preview renders every article, pending ones under a banner, into preview/ (never site/).
    preview = c.Type(bool, default=False)


class PipelinePlugin(BasePlugin[PipelineConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.command = "build"
        self.project: Project | None = None
        self.plan: PublishPlan | None = None
        self.final_site: Path | None = None
        self.building: Path | None = None
        self._lock = contextlib.ExitStack()  # held from on_config to the end of the build
        self.diagnostics: list[Diagnostic] = []
        self.pinned_date = False
        self.files: Files | None = None
        self.articles = Articles()
        self.audit: Audit | None = None
        self.staged: Path | None = None  # the staged pages, while MkDocs reads them
        self.staged_paths: frozenset[str] = frozenset()
        self.slices: list[Slice] = []  # each staged page's place in its file
        self.bundled: list[BundledFile] = []

    @property
    def preview(self) -> bool:
        return bool(self.config.preview) or os.environ.get("PIPELINE_PREVIEW") == "1"

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).parent
        if self.command == "build":
            self._claim_output(root, config)
        try:
            day = clock.today()
            settings = Settings.from_options(dict(self.config))
        except ValueError as error:
            raise PluginError(str(error)) from None
        shared = cache.shared()
        shared.keep = self.command != "build"  # `mkdocs serve` parses only what changed
        if not shared.keep:
            shared.forget()
        self._make_staged_folder()
        assert self.staged is not None
        work = functools.partial(
            load_and_stage, root, day, settings, shared, self.preview, self.staged / BUNDLE
        )
        # A one-off build loads and stages in a child process: the parsed project never
        # weighs on the rest of the build (`forked`).
        bundle = (run_forked(work) if self.command == "build" else None) or work()
        self.project, self.plan = bundle.project, bundle.plan
        self.slices = list(bundle.slices)
        self.diagnostics = list(self.project.diagnostics)
        for diagnostic in self.diagnostics:
            line = format_text([diagnostic])
            (log.error if diagnostic.is_error and not self.preview else log.warning)(line)
        if self.plan is None:
            raise PluginError("the articles have errors (listed above); nothing was published")
        self.articles = Articles()
        self.pinned_date = _pin_build_date(self.plan)
        config.extra["pipeline_preview"] = self.preview
        if self.building is not None:
            discard(self.building)
            config.site_dir = str(self.building)
        return config

    def _claim_output(self, root: Path, config: MkDocsConfig) -> None:
        """Lock the output folder, repair an interrupted swap, and build beside it.

        A preview always goes to preview/ (or an explicit --site-dir), never into site/."""
        target = Path(config.site_dir)
        if self.preview and target.resolve() == (root / "site").resolve():
            target = root / "preview"
        self._lock.enter_context(build_lock(target))
        recover(target)
        self.final_site = target
        self.building = target.with_name(f".{target.name}.building")

    @event_priority(-100)  # last: other plugins change the Markdown first
    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """A staged page is converted later, just before its template (`mkdocs_pages`), an
        article without its finished HTML (`prerendered`): MkDocs converts an empty page now."""
        assert self.plan is not None
        if page.file.src_uri not in self.staged_paths:
            return markdown
        article = page.file.src_uri in self.plan.article_paths
        if not article and "title" not in page.meta:
            return markdown  # its title may come from its heading: known only once converted
        return self.articles.defer(page, markdown, article)

    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        self.files = files  # the final collection, should a later plugin have replaced it
        self.articles.start([f.page for f in files.documentation_pages() if f.page], config, files)
        return env

    @event_priority(100)  # first: an article's HTML is sanitized before anything else sees it
    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Article HTML is sanitized (the second line of defence), its tail kept for later."""
        if not self.articles.is_converted(page):  # not deferred, or not converted yet
            return html
        return self.articles.html(page)

    @event_priority(100)  # first: converted before the search plugin indexes the page
    def _convert(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """A deferred article is converted now, then goes through on_page_content as usual;
        then the "Suggest an edit" link (to the page's source file in the repository, when one
        is set) and the related-article links."""
        assert self.plan is not None and self.project is not None and self.files is not None
        if self.articles.is_waiting(page):
            self.articles.convert(page, config, self.files)
            page.content = config.plugins.on_page_content(
                page.content or "", page=page, config=config, files=self.files
            )
            self.articles.hide_citations(page)
        if self.config.repository:
            docs = Path(config.docs_dir).relative_to(self.project.root).as_posix()
            source = self.plan.source_of(page.file.src_uri, set(self.project.pages))
            if source is not None:
                path = posixpath.normpath(f"{docs}/{source}")
                base = self.config.repository.rstrip("/")
                page.edit_url = f"{base}/edit/{self.config.branch}/{path}"
        # Resolved into the template's context, not into the front matter (which then stays
        # as staged, and can be let go once the page is written: `StagedArticle`).
        resolved = {
            f"pipeline_{key}": [
                {**link, "url": self._url(link["page"], page)} for link in page.meta.get(key, ())
            ]
            for key in ("related", "related_topics")
        }
        cast(dict[str, Any], context).update(resolved)  # keys of ours beside MkDocs' own
        return context

    @event_priority(-100)  # after the search plugin
    def _after_search(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        self.articles.show_citations(page)
        return context

    on_page_context = CombinedEvent(_convert, _after_search)

    @event_priority(100)  # first: other plugins get the whole page
    def _put_back_tail(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        return self.articles.output(page, output)

    @event_priority(-100)  # last: the audit reads what is written
    def _audit_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """Audited now, while the site renders; on_post_build reads the file again only if some
        other step changed it on disk."""
        assert self.audit is not None
        if output.strip():  # MkDocs writes no file for an empty page
            written = output.encode("utf-8", errors="xmlcharrefreplace")  # as MkDocs writes it
            self.audit.page(page.file.dest_uri, output, written)
        if isinstance(page, StagedArticle):  # written: its front matter need not stay in memory
            page.forget_meta()
        return output

    on_post_page = CombinedEvent(_put_back_tail, _audit_page)

    def _url(self, path: str, page: Page) -> str:
        """The address of the staged page `path` (docs-relative), relative to `page`."""
        assert self.files is not None
        target = self.files.get_file_from_path(path)
        return get_relative_url(target.url, page.url) if target is not None else "#"

    def _make_staged_folder(self) -> None:
        """Where the staged pages are written: beside the output, where a killed build's are
        removed by the next one (`mkdocs serve`: a temporary folder)."""
        self._remove_staged()
        if self.building is not None:
            self.staged = self.building.with_name(f"{self.building.name}.pages")
            discard(self.staged)
            self.staged.mkdir()
        else:
            self.staged = Path(tempfile.mkdtemp(prefix="pipeline-staged-"))

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """The staged pages are added, read from their file (articles live outside docs_dir:
        this is their only road in). An article's front matter is handed to its page as data
        (`StagedArticle`), not written as YAML."""
        assert self.plan is not None and self.project is not None and self.staged is not None
        self.files = files
        bundle = str(self.staged / BUNDLE)
        self.bundled = []
        for path, at, size, meta_size in self.slices:
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            file = BundledFile(config, path, bundle, at, size, meta_size)
            if meta_size:
                StagedArticle(file, config)
            files.append(file)
            self.bundled.append(file)
        self.staged_paths = frozenset(path for path, *_ in self.slices)
        self.audit = Audit(self.project, self.plan, self._staged_texts)
        return files

    def _staged_texts(self) -> Iterator[str]:
        """The staged pages as published, front matter included (for the audit)."""
        for file in self.bundled:
            text = file.content_string
            yield f"{file.meta_bytes.decode('utf-8')}\n{text}" if file.meta_size else text

    def _remove_staged(self) -> None:
        for file in self.bundled:  # the front matter it let go of is read from the file
            if isinstance(file.page, StagedArticle):
                # On the way out of a failed build the file may be gone already: nothing to
                # read back then, and the build's own error must not be hidden by this one.
                with contextlib.suppress(OSError, ValueError):
                    file.page.hold_meta()
        self.slices, self.bundled = [], []
        if self.staged is not None:
            shutil.rmtree(self.staged, ignore_errors=True)
            self.staged = None

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        root = Path(config.config_file_path).parent
        server.watch(str(root / ARTICLES_DIR))
        server.watch(str(root / "references"))
        return server

    # Last of all plugins: others write files here too (the search plugin its index), and the
    # audit must read everything that will be published before the swap.
    @event_priority(-100)
    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.project is not None and self.plan is not None
        self.articles.close()
        self._unpin_date()
        assert self.audit is not None
        problems = self.audit.finish(Path(config.site_dir))
        self._remove_staged()
        self.diagnostics += problems
        if problems:
            for problem in problems:
                log.error(format_text([problem]))
            self._discard()
            raise PluginError(
                "the built site failed the publishing audit; the previous site is unchanged"
            )
        if warnings := _strict_warnings(config):
            self._discard()
            raise PluginError(
                f"aborted with {warnings} warnings in strict mode (above); "
                "the previous site is unchanged"
            )
        if self.final_site is not None and self.building is not None:
            swap_into_place(self.building, self.final_site)
            config.site_dir = str(self.final_site)
            self.building = None
        self._lock.close()

    def on_build_error(self, error: Exception) -> None:
        self.articles.close()
        self._unpin_date()
        self._discard()

    def _unpin_date(self) -> None:
        if self.pinned_date:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            self.pinned_date = False

    def on_shutdown(self) -> None:
        self.articles.close()
        self._discard()

    def _discard(self) -> None:
        self._remove_staged()
        if self.building is not None:
            discard(self.building)
            self.building = None
        self._lock.close()
