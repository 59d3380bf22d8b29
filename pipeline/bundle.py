"""Load, check and stage a project into one file of staged pages: the bundle a renderer reads.

A build needs the parsed project (every article, the library) only until its pages are staged;
what the rest of the build needs is small: the published articles' metadata and where each page
lies in the file. An article page's front matter is in the file too, as JSON after its body, so
a renderer reads it when it renders the page rather than holding every page's all along.
`load_and_stage` returns just that, so it can run in a short-lived child process (`forked`) and
the long-lived build process never holds the project at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pipeline.cache import Cache
from pipeline.citations import forget_scans
from pipeline.diagnostics import has_errors
from pipeline.model import Entry, Library
from pipeline.project import Project, load_project
from pipeline.settings import Settings
from pipeline.stage import PublishPlan, publish_plan, staged_pages
from pipeline.styles import Style


class Slice(NamedTuple):
    """Where a staged page lies in the bundle file: its body, then its front matter as JSON
    (`meta_size` 0: the page has none)."""

    path: str
    at: int
    size: int
    meta_size: int = 0


@dataclass(frozen=True)
class Bundle:
    """A staged project: `plan` is None when nothing may be staged (the project has errors,
    outside a preview, or no canonical disclaimer)."""

    project: Project  # without its library and its articles' text
    plan: PublishPlan | None  # the published articles without their text or lines, no pages
    slices: tuple[Slice, ...] = ()


def load_and_stage(
    root: Path,
    today: dt.date,
    settings: Settings,
    cache: Cache | None,
    preview: bool,
    path: Path,
) -> Bundle:
    """Load and check the project at `root`; when it may be published, write its staged pages
    to `path`, one after another, each as soon as it is made."""
    project = load_project(root, today, settings, cache)
    if project.disclaimer is None or (has_errors(project.diagnostics) and not preview):
        return Bundle(_slim(project), None)
    plan = publish_plan(project, preview)
    slices = []
    with path.open("wb") as out:
        for page in staged_pages(project, plan, today, cache):
            data = page.body.encode("utf-8")
            meta = json.dumps(page.meta, ensure_ascii=False).encode("utf-8") if page.meta else b""
            slices.append(Slice(page.path, out.tell(), len(data), len(meta)))
            out.write(data + meta)
    forget_scans()
    published = tuple(dataclasses.replace(a, body="", field_lines={}) for a in plan.published)
    return Bundle(_slim(project), dataclasses.replace(plan, published=published), tuple(slices))


def _slim(project: Project) -> Project:
    """The project as the rest of a build needs it: its citations are formatted already."""
    style = Style(project.style.name, _formatted_already)
    return dataclasses.replace(project, library=Library(), articles=(), style=style)


def _formatted_already(entries: Sequence[Entry]) -> list[str]:
    raise RuntimeError("a staged project's citations were formatted when it was staged")
