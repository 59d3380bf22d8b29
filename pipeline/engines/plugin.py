"""The thin MkDocs plugin, so that plain `mkdocs build` and `mkdocs serve` publish exactly what
`python -m pipeline build` does. Each event hands its work to the core (`build.py`):

- on_config: check the project and stage its site (any error fails the build); MkDocs then
  renders the staged pages into the work folder instead of reading content/pages;
- on_serve: rebuild when articles, references or settings change;
- on_post_build (after every other plugin): audit the output and swap it into place.

Without this plugin MkDocs reads only content/pages and publishes no article at all (DESIGN §1).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.utils import CountHandler

from pipeline import cache, clock
from pipeline.content.files import THEME_FOLDER
from pipeline.diagnostics import Diagnostic, Severity, format_text
from pipeline.engines import epoch, theme
from pipeline.markdown_extension import NAME as EXTENSION
from pipeline.markdown_extension import makeExtension
from pipeline.project import ARTICLES_DIR
from pipeline.settings import SETTINGS_FILE
from pipeline.site.build import Build, finish, prepare
from pipeline.site.engine_config import ALLOWED_EXTENSIONS, withheld_slugs
from pipeline.site.stage import template_data

log = logging.getLogger("mkdocs.plugins.pipeline")


def _strict_warnings(config: MkDocsConfig) -> int:
    """The warnings MkDocs has counted in strict mode: it aborts on them only after every
    on_post_build, once the new site would already be in place."""
    if not config.strict:
        return 0
    counters = [h for h in logging.getLogger("mkdocs").handlers if isinstance(h, CountHandler)]
    return sum(count for counter in counters for _, count in counter.get_counts())


class PipelineConfig(base.Config):  # type: ignore[no-untyped-call]
    """No options: the pipeline's settings are in pipeline.yml, which every engine reads."""


class PipelinePlugin(BasePlugin[PipelineConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.build: Build | None = None
        self.set_epoch = False
        self.serving = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # `mkdocs serve` rebuilds in this process: parsed files stay in memory between rebuilds.
        self.serving = command == "serve"

    # First of all plugins: a project the checks refuse stops before another plugin's
    # on_config runs anything.
    @event_priority(100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).parent
        preview = os.environ.get("PIPELINE_PREVIEW") == "1"
        try:
            day = clock.today()
        except ValueError as error:
            raise PluginError(str(error)) from None
        prepared = prepare(root, day, Path(config.site_dir), preview, cache.shared(self.serving))
        if not isinstance(prepared, Build):
            self._report(prepared, preview)
            raise PluginError("the articles have errors (listed above); nothing was published")
        self.build = prepared
        self._report(list(prepared.project.diagnostics), preview)
        config.docs_dir = str(prepared.staged.docs)
        config.site_dir = str(prepared.staged.output)
        repository = os.environ.get("REPO_URL") or None
        config.extra["pipeline"] = template_data(prepared.project, preview, repository)
        # The pipeline's extension last, told which articles' links become text.
        extensions = [e for e in config.markdown_extensions if e != EXTENSION]
        extensions += [e for e in ALLOWED_EXTENSIONS if e not in extensions and e != EXTENSION]
        withheld = () if preview else prepared.staged.plan.withheld
        config.markdown_extensions = [*extensions, makeExtension(withheld=withheld_slugs(withheld))]
        if "SOURCE_DATE_EPOCH" not in os.environ:
            os.environ["SOURCE_DATE_EPOCH"] = epoch(prepared.source_date)
            self.set_epoch = True
        return config

    def _report(self, diagnostics: list[Diagnostic], preview: bool) -> None:
        # Notes need nothing done (and never fail --strict): counted, as the CLI's build does.
        notes = sum(d.severity is Severity.NOTE for d in diagnostics)
        for diagnostic in diagnostics:
            if diagnostic.severity is not Severity.NOTE:
                error = diagnostic.is_error and not preview
                (log.error if error else log.warning)(format_text([diagnostic]))
        if notes:
            log.info(f"{notes} note(s), nothing to fix: python -m pipeline check lists them")

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        root = Path(config.config_file_path).parent
        server.unwatch(config.docs_dir)  # the staged pages: staging rewrites them every build
        # What the staged site is made from: the theme too (its staged copy is rewritten).
        for source in (ARTICLES_DIR, "content/pages", "references", SETTINGS_FILE, THEME_FOLDER):
            if (root / source).exists():
                server.watch(str(root / source))
        return server

    # Last of all plugins: others write files too (the search plugin its index), and the audit
    # must read everything that will be published before the swap.
    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.build is not None
        target = self.build.target
        if warnings := _strict_warnings(config):
            self._close()
            raise PluginError(f"aborted with {warnings} warnings in strict mode; site unchanged")
        problems = finish(self.build, theme("mkdocs"))
        self._report(problems, preview=False)
        self._close()
        if problems:
            raise PluginError("the built site failed the publishing audit; site unchanged")
        config.site_dir = str(target)

    def on_build_error(self, *, error: Exception) -> None:
        self._close()

    def on_shutdown(self) -> None:
        self._close()

    def _close(self) -> None:
        if self.build is not None:
            self.build.close()
            self.build = None
        if self.set_epoch:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            self.set_epoch = False
