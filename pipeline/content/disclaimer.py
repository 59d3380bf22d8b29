"""The one canonical Professional Medical Disclaimer, `references/disclaimer.md`.

It is kept as Markdown so the board edits it like any article; it is rendered to HTML once per
build here, so the same HTML reaches every page and the audit can look for exactly that text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import markdown

from pipeline import codes
from pipeline.checks.markup import DISCLAIMER_MARKUP, check_text
from pipeline.content.files import decode, readable
from pipeline.diagnostics import Diagnostic
from pipeline.site.sanitize import clean

DISCLAIMER = "references/disclaimer.md"
HEADING = "Professional Medical Disclaimer"


@dataclass(frozen=True)
class Disclaimer:
    markdown: str
    html: str


def load_disclaimer(root: Path) -> tuple[Disclaimer | None, list[Diagnostic]]:
    path = root / DISCLAIMER
    if not readable(root, path):
        return None, [codes.DISCLAIMER_MISSING.at(DISCLAIMER, 0, 0, problem="missing")]
    text = decode(path.read_bytes())
    if text is None or not text.strip():
        what = "not UTF-8 text" if text is None else "empty"
        return None, [codes.DISCLAIMER_MISSING.at(DISCLAIMER, 1, 1, problem=what)]
    # It stands on every article page outside the article's text, where nothing else checks
    # or sanitizes it: its markup passes the strictest policy, and a problem stops even a
    # preview (no disclaimer, no build).
    problems = [d for d in check_text(DISCLAIMER, text, 1, DISCLAIMER_MARKUP) if d.is_error]
    if problems:
        return None, problems
    return Disclaimer(text.strip(), clean(markdown.markdown(text.strip()))), []


def disclaimer_block(disclaimer: Disclaimer) -> str:
    """The block the article template puts after every article, outside its text (so search,
    which indexes the text, never indexes the same disclaimer on every page)."""
    return (
        '<aside id="medical-disclaimer" class="medical-disclaimer" '
        f'aria-labelledby="medical-disclaimer-heading">\n'
        f'<h2 id="medical-disclaimer-heading">{HEADING}</h2>\n'
        f"{disclaimer.html}\n</aside>"
    )
