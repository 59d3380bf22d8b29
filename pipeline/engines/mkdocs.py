"""Rendering a staged site with MkDocs (or ProperDocs, its maintained fork, which installs the
same `mkdocs` package), through its public Python API: load the staged mkdocs.yml, build."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.commands.serve import serve as mkdocs_serve
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError

from pipeline import codes
from pipeline.diagnostics import Diagnostic
from pipeline.engines import epoch
from pipeline.site.stage import StagedSite

# The theme whose templates write the only inline scripts its pages may run (site/csp.py).
THEME_SCRIPTS = "material"


def render(staged: StagedSite, strict: bool, source_date: dt.date) -> list[Diagnostic]:
    quiet_logging()
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ.setdefault("SOURCE_DATE_EPOCH", epoch(source_date))
    try:
        config = load_config(str(staged.config), strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (Abort, ConfigurationError) as error:
        return [codes.RENDER_FAILED.at("mkdocs.yml", engine="mkdocs", problem=str(error))]
    except Exception as error:  # a theme override or another plugin failed: no traceback
        problem = f"{type(error).__name__}: {error}"
        return [codes.RENDER_FAILED.at("mkdocs.yml", engine="mkdocs", problem=problem)]
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
    return []


def serve(config_file: Path, address: str | None) -> str | None:
    """MkDocs' live-reloading server on the project's own mkdocs.yml, whose `pipeline` plugin
    stages every rebuild; the reason it stopped, or None when the user stopped it."""
    quiet_logging(logging.INFO)
    try:
        mkdocs_serve(config_file=str(config_file), dev_addr=address, livereload=True)
    except KeyboardInterrupt:
        return None
    except Abort as error:
        return str(error)
    return None


def quiet_logging(level: int = logging.WARNING) -> None:
    """MkDocs' own messages, one line each with their level, on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s: %(message)s"))
    log = logging.getLogger("mkdocs")
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
