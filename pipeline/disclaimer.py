"""The one canonical Professional Medical Disclaimer, `references/disclaimer.md`.

It is kept as Markdown so the board edits it like any article; it is rendered to HTML once per
build here, so the same HTML reaches every page and the audit can look for exactly that text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import markdown

from pipeline import codes
from pipeline.articles import decode
from pipeline.diagnostics import Diagnostic

DISCLAIMER = "references/disclaimer.md"
HEADING = "Professional Medical Disclaimer"


@dataclass(frozen=True)
class Disclaimer:
    markdown: str
    html: str


def load_disclaimer(root: Path) -> tuple[Disclaimer | None, list[Diagnostic]]:
    path = root / DISCLAIMER
    if not path.is_file():
        return None, [
            codes.DISCLAIMER_MISSING(
                DISCLAIMER,
                0,
                0,
                "the canonical disclaimer file is missing",
                "restore references/disclaimer.md from git history",
            )
        ]
    text = decode(path.read_bytes())
    if text is None or not text.strip():
        what = "not UTF-8 text" if text is None else "empty"
        return None, [codes.DISCLAIMER_MISSING(DISCLAIMER, 1, 1, f"the disclaimer file is {what}")]
    return Disclaimer(text.strip(), markdown.markdown(text.strip())), []


def disclaimer_block(disclaimer: Disclaimer) -> str:
    """The HTML block appended to every published article."""
    return (
        # data-search-exclude: the same text on every page would make every page a search hit.
        '<aside id="medical-disclaimer" class="medical-disclaimer" data-search-exclude="true" '
        f'aria-labelledby="medical-disclaimer-heading">\n'
        f'<h2 id="medical-disclaimer-heading">{HEADING}</h2>\n'
        f"{disclaimer.html}\n</aside>"
    )
