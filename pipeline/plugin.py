"""The MkDocs adapter: each event hands its work to one core function.

- on_config: load and check the project (any error fails the build), stage the publish plan,
  and point MkDocs at a temporary output folder;
- on_files: add the staged pages (articles live outside docs_dir: this is their only road in);
- on_serve: rebuild when articles or references change;
- on_post_build: audit the output, then swap it into place; a failed audit leaves the
  previous site untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from pipeline.audit import audit
from pipeline.diagnostics import Diagnostic, format_text, has_errors
from pipeline.project import ARTICLES_DIR, Project, load_project
from pipeline.publish import discard, swap_into_place
from pipeline.stage import PublishPlan, stage

log = logging.getLogger("mkdocs.plugins.pipeline")


def today() -> dt.date:
    """Today, or PIPELINE_TODAY (YYYY-MM-DD) for reproducible builds and tests."""
    fixed = os.environ.get("PIPELINE_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


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


class PipelinePlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def __init__(self) -> None:
        self.command = "build"
        self.project: Project | None = None
        self.plan: PublishPlan | None = None
        self.final_site: Path | None = None
        self.building: Path | None = None
        self.diagnostics: list[Diagnostic] = []
        self.pinned_date = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).parent
        day = today()
        self.project = load_project(root, day)
        self.diagnostics = list(self.project.diagnostics)
        for diagnostic in self.diagnostics:
            line = format_text([diagnostic])
            (log.error if diagnostic.is_error else log.warning)(line)
        if has_errors(self.diagnostics):
            raise PluginError("the articles have errors (listed above); nothing was published")
        self.plan = stage(self.project, day)
        self.pinned_date = _pin_build_date(self.plan)
        if self.command == "build":
            self.final_site = Path(config.site_dir)
            self.building = self.final_site.with_name(f".{self.final_site.name}.building")
            discard(self.building)
            config.site_dir = str(self.building)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.plan is not None
        for page in self.plan.pages:
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, page.path, content=page.markdown))
        return files

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        root = Path(config.config_file_path).parent
        server.watch(str(root / ARTICLES_DIR))
        server.watch(str(root / "references"))
        return server

    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.project is not None and self.plan is not None
        self._unpin_date()
        problems = audit(Path(config.site_dir), self.project, self.plan)
        self.diagnostics += problems
        if problems:
            for problem in problems:
                log.error(format_text([problem]))
            self._discard()
            raise PluginError(
                "the built site failed the publishing audit; the previous site is unchanged"
            )
        if self.final_site is not None and self.building is not None:
            swap_into_place(self.building, self.final_site)
            config.site_dir = str(self.final_site)
            self.building = None

    def on_build_error(self, error: Exception) -> None:
        self._unpin_date()
        self._discard()

    def _unpin_date(self) -> None:
        if self.pinned_date:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            self.pinned_date = False

    def _discard(self) -> None:
        if self.building is not None:
            discard(self.building)
            self.building = None
