"""Rendering a staged site with Zensical, through its command line (`zensical build`).

Zensical reads the same mkdocs.yml and runs the same Python-Markdown extensions, so the staged
site needs nothing else; it ignores MkDocs plugins, which the pipeline does not need here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

from pipeline import codes
from pipeline.diagnostics import Diagnostic
from pipeline.engines import epoch
from pipeline.site.stage import StagedSite

_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
# Its search dialog is built by its script, which writes the dialog's stylesheet into a <style>.
INLINE_STYLESHEETS = True
# Zensical's own theme: its templates write the only inline scripts its pages may run.
THEME_SCRIPTS = "zensical"


def render(staged: StagedSite, strict: bool, source_date: dt.date) -> list[Diagnostic]:
    command = [sys.executable, "-m", "zensical", "build", "--config-file", str(staged.config)]
    env = {**os.environ, "NO_COLOR": "1"}
    env.setdefault("SOURCE_DATE_EPOCH", epoch(source_date))
    try:
        done = subprocess.run(
            [*command, *(["--strict"] if strict else [])],
            cwd=staged.folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return [codes.RENDER_FAILED.at("mkdocs.yml", engine="zensical", problem=str(error))]
    said = _COLOUR.sub("", done.stdout + done.stderr).strip()
    if done.returncode != 0:
        # The last line it printed, its error's before its progress ("Build started").
        errors = _COLOUR.sub("", done.stderr).strip()
        lines = [line for line in (errors or said).splitlines() if line.strip()]
        problem = lines[-1] if lines else f"exit status {done.returncode}"
        if "No module named zensical" in said:
            problem = "Zensical is not installed (pip install 'zensical>=0.0.73,<0.1')"
        return [codes.RENDER_FAILED.at("mkdocs.yml", engine="zensical", problem=problem)]
    return []
