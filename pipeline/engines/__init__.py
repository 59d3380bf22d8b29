"""Engine adapters: each renders a staged site (`stage.StagedSite`) with one static-site engine,
through that engine's public API or command line, and holds no rule of the pipeline.

    render(staged, strict, source_date) -> diagnostics (empty when the engine succeeded)
    THEME_SCRIPTS = "material"  # the installed package whose templates/partials/javascripts
                                # hold the only inline scripts its pages may run (site/csp.py)
    INLINE_STYLESHEETS = True   # optional: its theme writes <style> elements from its scripts

Adding an engine is one module with that function and one line in `ENGINES`. The MkDocs plugin
(`plugin.py`) is not an engine: it lets plain `mkdocs build` and `mkdocs serve` run the same
core around MkDocs' own build.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import cast

from pipeline.diagnostics import Diagnostic
from pipeline.site import csp
from pipeline.site.csp import Theme
from pipeline.site.stage import StagedSite

Render = Callable[[StagedSite, bool, dt.date], list[Diagnostic]]
# Imported only when chosen: a Zensical build never loads MkDocs, and the other way round.
ENGINES = {"mkdocs": "pipeline.engines.mkdocs", "zensical": "pipeline.engines.zensical"}


def renderer(name: str) -> Render:
    return cast(Render, importlib.import_module(ENGINES[name]).render)


def theme(name: str) -> Theme:
    """What the page policy must know of the engine's theme (see site/csp.py). The theme's
    package is found, not imported: a Zensical build never loads Zensical into this process."""
    adapter = importlib.import_module(ENGINES[name])
    found = importlib.util.find_spec(adapter.THEME_SCRIPTS)
    folders = found.submodule_search_locations if found else None
    templates = Path(folders[0], "templates/partials/javascripts") if folders else None
    return csp.theme(templates, getattr(adapter, "INLINE_STYLESHEETS", False))


def epoch(day: dt.date) -> str:
    """SOURCE_DATE_EPOCH for `day`: engines stamp sitemaps with it instead of the build date."""
    return str(int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp()))
