"""Reading one article file into an `Article`, with a diagnostic for everything that is off.

Only the file itself is judged here (encoding, front matter, field types, dates). Whether the
people, citations and approval are right needs the roster and the library: see `review.py` and
`citations.py`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import frontmatter

from pipeline import codes
from pipeline.cache import Cache
from pipeline.diagnostics import Diagnostic, did_you_mean, suggestion
from pipeline.model import Approval, Article, ReviewStatus
from pipeline.yamltext import YamlDocument, YamlProblem, load_yaml

REQUIRED = ("title", "status", "authors", "last_updated")
KNOWN_FIELDS = (
    *REQUIRED,
    "reviewers",
    "summary",
    "tags",
    "audience",
    "next_review",
    "approval",
)
_HANDLER = frontmatter.YAMLHandler()  # type: ignore[attr-defined]


def slugify(question: str, limit: int = 60) -> str:
    """ "What is the treatment for back spasm?" -> "what-is-the-treatment-for-back-spasm"."""
    ascii_text = unicodedata.normalize("NFKD", question).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > limit:
            break
        slug = f"{slug}-{word}" if slug else word[:limit]
    return slug


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without a byte-order mark), newlines folded to LF; None if not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_article(
    root: Path, path: Path, today: dt.date, cache: Cache | None = None, data: bytes | None = None
) -> tuple[Article | None, list[Diagnostic]]:
    """`data`: the file's bytes when the caller has read them (and keys more results on them)."""
    rel = path.relative_to(root).as_posix()
    data = path.read_bytes() if data is None else data
    return (cache or Cache()).memo(
        "article", (rel, data, today.isoformat()), lambda: article_from_bytes(rel, data, today)
    )


def article_from_bytes(
    rel: str, data: bytes, today: dt.date
) -> tuple[Article | None, list[Diagnostic]]:
    text = decode(data)
    if text is None:
        return None, [codes.NOT_UTF8(rel, 1, 1, "the file is not UTF-8 text", "save it as UTF-8")]
    return parse_article(rel, text, today)


def parse_article(rel: str, text: str, today: dt.date) -> tuple[Article | None, list[Diagnostic]]:
    """Parse article text (already decoded); pure, never raises for bad input."""
    if not text.strip():
        return None, [codes.EMPTY_ARTICLE(rel, 1, 1, "the file is empty")]
    opening = _HANDLER.FM_BOUNDARY.match(text) if _HANDLER.FM_BOUNDARY else None
    if opening is None:
        return None, [
            codes.NO_FRONT_MATTER(
                rel,
                1,
                1,
                "the article does not start with a '---' front matter block",
                "put title, status, authors and last_updated between two '---' lines at the top",
            )
        ]
    try:
        fm_text, body = _HANDLER.split(text)
    except ValueError:
        return None, [
            codes.UNCLOSED_FRONT_MATTER(
                rel,
                1,
                1,
                "the front matter opened here is never closed",
                "add a line '---' after the last setting",
            )
        ]
    fm_line = _line_at(text, opening.end())
    body_offset = len(text) - len(body)
    body_line = _line_at(text, body_offset)

    parsed = load_yaml(fm_text)
    if isinstance(parsed, YamlProblem):
        code = {
            "duplicate": codes.DUPLICATE_YAML_KEY,
            "alias": codes.YAML_ALIAS,
        }.get(parsed.kind, codes.YAML_SYNTAX)
        return None, [code(rel, fm_line + parsed.line - 1, parsed.column, parsed.message)]
    if not isinstance(parsed.data, dict):
        kind = "empty" if parsed.data is None else type(parsed.data).__name__
        return None, [
            codes.NOT_A_MAPPING(
                rel,
                fm_line + 1,
                1,
                f"the front matter is {_kind_name(kind)}, not 'key: value' settings",
            )
        ]
    lines = {key: fm_line + line - 1 for key, line in parsed.key_lines.items()}
    fields = _Fields(rel, parsed.data, lines, body_line)
    article = fields.build(rel, body, body_line, today)
    if not body.strip():
        closing = list(_HANDLER.FM_BOUNDARY.finditer(text, 0, body_offset))[-1]
        fields.problems.append(
            codes.EMPTY_ARTICLE(
                rel,
                _line_at(text, closing.start()),
                1,
                "the article has no text after its front matter",
            )
        )
    return (None if fields.has_errors else article), fields.problems


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _kind_name(kind: str) -> str:
    return {"empty": "empty", "list": "a list", "str": "a piece of text"}.get(kind, f"a {kind}")


class _Fields:
    """Typed access to the front matter that records a diagnostic for each bad field."""

    def __init__(
        self, rel: str, data: dict[Any, Any], lines: Mapping[str, int], end_line: int
    ) -> None:
        self.rel, self.data, self.lines, self.end_line = rel, data, lines, end_line
        self.problems: list[Diagnostic] = []

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.problems)

    def line(self, key: str) -> int:
        return self.lines.get(key, self.end_line)

    def missing(self, key: str, why: str = "", line: int | None = None) -> None:
        self.problems.append(
            codes.MISSING_FIELD(
                self.rel,
                line or self.lines.get(key, 1),
                1,
                f"the required field '{key}' is missing or empty{why}",
                f"add a line '{key}: ...' to the front matter",
            )
        )

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.missing(key)
            return ""
        if not isinstance(value, str):
            self.problems.append(
                codes.WRONG_TYPE(
                    self.rel,
                    self.line(key),
                    1,
                    f"'{key}' must be plain text, not {_describe(value)}",
                )
            )
            return ""
        return " ".join(value.split())

    def words(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if isinstance(value, str):
            value = [value]
        if value is None or value == []:
            if required:
                self.missing(key)
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problems.append(
                codes.WRONG_TYPE(
                    self.rel,
                    self.line(key),
                    1,
                    f"'{key}' must be a list of words or ids, like [a, b]",
                )
            )
            return ()
        return tuple(v.strip() for v in value)

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.missing(key)
            return None
        return self._as_date(key, value, self.line(key))

    def _as_date(self, key: str, value: object, line: int) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problems.append(
            codes.BAD_DATE(
                self.rel,
                line,
                1,
                f"'{key}' is not a date in the form YYYY-MM-DD: {value!r}",
                "write the date as year-month-day, e.g. 2025-07-28",
            )
        )
        return None

    def status(self) -> ReviewStatus | None:
        value = self.data.get("status")
        if value is None or value == "":
            self.missing("status")
            return None
        status = ReviewStatus.parse(str(value))
        if status is None:
            names = [s.value for s in ReviewStatus]
            guess = did_you_mean(str(value).title(), names)
            self.problems.append(
                codes.UNKNOWN_STATUS(
                    self.rel,
                    self.line("status"),
                    1,
                    f"unknown status '{value}'" + (f" (did you mean '{guess}'?)" if guess else ""),
                    "use one of: " + ", ".join(names),
                )
            )
        return status

    def approval(self) -> tuple[Approval | None, list[Diagnostic]]:
        """The approval record; a malformed one is reported but does not hide the article
        from the other checks (it simply is not approved)."""
        value = self.data.get("approval")
        if value is None:
            return None, []
        line = self.line("approval")
        if isinstance(value, dict) and isinstance(value.get("by"), str):
            day = self._as_date("approval.on", value.get("on"), line)
            fingerprint = value.get("fingerprint")
            if day is not None:
                text = fingerprint.strip() if isinstance(fingerprint, str) else ""
                return Approval(value["by"].strip(), day, text), []
            return None, []
        return None, [
            codes.APPROVAL_MISSING(
                self.rel,
                line,
                1,
                "the approval record is incomplete (it needs by, on and fingerprint)",
                "approval is written by 'python -m pipeline approve ARTICLE --by ID', not by hand",
            )
        ]

    def unknown_keys(self) -> None:
        for key in self.data:
            if str(key) not in KNOWN_FIELDS:
                self.problems.append(
                    codes.UNKNOWN_FIELD(
                        self.rel,
                        self.line(str(key)),
                        1,
                        f"unknown front-matter field '{key}'{suggestion(str(key), KNOWN_FIELDS)}",
                        "known fields: " + ", ".join(KNOWN_FIELDS),
                    )
                )

    def build(self, rel: str, body: str, body_line: int, today: dt.date) -> Article | None:
        title = self.text("title", required=True)
        status = self.status()
        authors = self.words("authors", required=True)
        needs_reviewers = status in (ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED)
        reviewers = self.words("reviewers")
        if status and needs_reviewers and not self.data.get("reviewers"):
            self.missing(
                "reviewers", f" (required once the status is {status.value})", self.line("status")
            )
        last_updated = self.date("last_updated", required=True)
        if last_updated and last_updated > today:
            self.problems.append(
                codes.FUTURE_DATE(
                    self.rel,
                    self.line("last_updated"),
                    1,
                    f"'last_updated' is {last_updated.isoformat()}, "
                    f"after today ({today.isoformat()})",
                    "set it to the date of the last real update",
                )
            )
        summary = self.text("summary")
        tags = tuple(t.lower() for t in self.words("tags"))
        audience = self.words("audience")
        next_review = self.date("next_review")
        approval, approval_problems = self.approval()
        self.unknown_keys()
        if self.has_errors or status is None or last_updated is None:
            self.problems += approval_problems
            return None
        self.problems += approval_problems
        return Article(
            path=rel,
            slug=Path(rel).stem,
            title=title,
            status=status,
            authors=authors,
            reviewers=reviewers,
            last_updated=last_updated,
            body=body,
            body_line=body_line,
            summary=summary,
            tags=tags,
            audience=audience,
            next_review=next_review,
            approval=approval,
            field_lines=dict(self.lines),
        )


def _describe(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of settings"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def front_matter(text: str) -> dict[str, Any]:
    """The front matter as a dict, or {} when it cannot be read: for looking at old versions."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not _HANDLER.detect(text):
        return {}
    try:
        fm_text, _ = _HANDLER.split(text)
    except ValueError:
        return {}
    parsed = load_yaml(fm_text)
    return parsed.data if isinstance(parsed, YamlDocument) and isinstance(parsed.data, dict) else {}
