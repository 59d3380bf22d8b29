"""The pipeline's settings, kept in one file that every engine leaves alone: `pipeline.yml`.

    review_interval_months: 12
    citation_style: ama

MkDocs and Zensical both read mkdocs.yml, but Zensical ignores MkDocs plugins and their
options, so settings kept in a plugin block would silently stop applying when the site moves
engines. Every command, the engines' adapters and the thin MkDocs plugin read this file through
`load_settings`. A missing file means the defaults; a bad value is a diagnostic on its line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pipeline import codes
from pipeline.diagnostics import Diagnostic, suggestion

# An address as it may stand in a mailto: link: no quotes, spaces or markup.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# A number setting's largest value: more months than that would be past the year 9999.
_MOST = 10_000
# A built-in style, or a CSL file by a path inside the project (no leading "/" or "~", no
# ".."): a style read from /proc/kmsg never ended, one from elsewhere is nobody's review.
STYLE_OPTION = re.compile(
    r"(?i:ama|vancouver)|(?![/~\\])(?!.*(?:^|[/\\])\.\.(?:[/\\]|$))[^\0\n]{1,200}\.(?i:csl)"
)
SETTINGS_FILE = "pipeline.yml"


@dataclass(frozen=True)
class Settings:
    # An approved article is due for review this many months after it was approved, unless its
    # front matter sets next_review.
    review_interval_months: int = 12
    # An article whose newest source is older than this many years gets a warning (CIT004).
    stale_evidence_years: int = 10
    # "ama", "vancouver", or the path (from the project folder) of a CSL style file.
    citation_style: str = "ama"
    # Valid signed approvals, by distinct eligible reviewers, an article needs to be published.
    approvals_required: int = 1
    # Admins of the base branch's roster who must sign a changed roster or settings file.
    roster_signatures_required: int = 1
    # The US school grade plain-language text (patient passages, summaries) should not exceed.
    reading_level: int = 8
    # A declaration of interests older than this many months no longer counts.
    interests_max_age_months: int = 12
    # Where "Report a problem with this page" writes when no repository is set (REPO_URL).
    report_email: str = ""
    # The branch "Suggest an edit" links open (the repository address comes from REPO_URL).
    branch: str = "main"
    # `check` warns when the registry check of a cited DOI or PMID (references/registry-lock.json)
    # is older than this many days (BIB013).
    lock_max_age_days: int = 30
    # The address Crossref and NCBI may write to about our requests (their etiquette); with it,
    # Crossref serves us from its faster "polite" pool.
    registry_contact: str = ""
    # Where the registries answer. For tests only: they point these at a local server.
    crossref_api: str = "https://api.crossref.org"
    pubmed_api: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], lines: Mapping[str, int] | None = None
    ) -> tuple[Settings, list[Diagnostic]]:
        """Settings from a mapping; a diagnostic (and the default) for each bad entry."""
        lines = lines or {}
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        problems: list[Diagnostic] = []
        for key, value in data.items():
            field = known.get(str(key))
            if field is None:
                problem = f"unknown setting '{key}'{suggestion(str(key), known)}"
            elif isinstance(field.default, int):
                whole = isinstance(value, int) and not isinstance(value, bool)
                problem = (
                    ""
                    if whole and 1 <= value <= _MOST
                    else f"'{key}' must be a whole number from 1 to {_MOST}, not {value!r}"
                )
            elif key == "citation_style" and not STYLE_OPTION.fullmatch(str(value)):
                problem = (
                    "'citation_style' must be ama, vancouver or the path of a .csl file in the "
                    f"project (such as styles/house.csl), not {value!r}"
                )
            elif key == "report_email":
                email = isinstance(value, str) and _EMAIL.fullmatch(value)
                problem = "" if email else f"'{key}' must be an e-mail address, not {value!r}"
            elif not isinstance(value, str) or not value.strip():
                problem = f"'{key}' must be a word or a file path, not {value!r}"
            else:
                problem = ""
            if problem:
                line = lines.get(str(key), 1)
                problems.append(codes.SETTINGS_INVALID.at(SETTINGS_FILE, line, 1, problem=problem))
            else:
                values[str(key)] = value
        return cls(**values), problems


def load_settings(root: Path) -> tuple[Settings, list[Diagnostic]]:
    """The settings in `root/pipeline.yml`; the defaults where it has none."""
    # Imported here: settings.py is imported by modules these import in turn.
    from pipeline.content.files import decode, readable

    path = root / SETTINGS_FILE
    if not readable(root, path):
        return Settings(), []
    text = decode(path.read_bytes())
    if text is None:
        problem = "the file is not UTF-8 text"
        return Settings(), [codes.SETTINGS_INVALID.at(SETTINGS_FILE, 1, 1, problem=problem)]
    return parse_settings(text)


def parse_settings(text: str) -> tuple[Settings, list[Diagnostic]]:
    """The settings `text` (pipeline.yml's, here or on a base branch) gives."""
    from pipeline.content.yamltext import YamlProblem, load_yaml

    parsed = load_yaml(text)
    if isinstance(parsed, YamlProblem):
        return Settings(), [
            codes.SETTINGS_INVALID.at(
                SETTINGS_FILE, parsed.line, parsed.column, problem=parsed.message
            )
        ]
    if parsed.data is None:
        return Settings(), []
    if not isinstance(parsed.data, dict):
        problem = "the file must hold 'setting: value' lines"
        return Settings(), [codes.SETTINGS_INVALID.at(SETTINGS_FILE, 1, 1, problem=problem)]
    return Settings.from_mapping(parsed.data, parsed.key_lines)
