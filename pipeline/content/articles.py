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
from pipeline.content.audience import KNOWN
from pipeline.content.files import check_marks, decode
from pipeline.content.yamltext import YamlDocument, YamlProblem, load_yaml
from pipeline.diagnostics import Diagnostic, did_you_mean, suggestion
from pipeline.model import Approval, Article, ReviewStatus
from pipeline.words import normalize

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
        return None, [codes.NOT_UTF8.at(rel, 1, 1)]
    return parse_article(rel, text, today)


def parse_article(rel: str, text: str, today: dt.date) -> tuple[Article | None, list[Diagnostic]]:
    """Parse article text (already decoded); pure, never raises for bad input."""
    if not text.strip():
        return None, [codes.EMPTY_ARTICLE.at(rel, 1, 1, where="at all: the file is empty")]
    opening = _HANDLER.FM_BOUNDARY.match(text) if _HANDLER.FM_BOUNDARY else None
    if opening is None:
        return None, [codes.NO_FRONT_MATTER.at(rel, 1, 1)]
    try:
        fm_text, body = _HANDLER.split(text)
    except ValueError:
        return None, [codes.UNCLOSED_FRONT_MATTER.at(rel, 1, 1)]
    fm_line = _line_at(text, opening.end())
    body_offset = len(text) - len(body)
    body_line = _line_at(text, body_offset)

    parsed = load_yaml(fm_text)
    if isinstance(parsed, YamlProblem):
        code = {
            "duplicate": codes.DUPLICATE_YAML_KEY,
            "alias": codes.YAML_ALIAS,
        }.get(parsed.kind, codes.YAML_SYNTAX)
        line = fm_line + parsed.line - 1
        return None, [code.at(rel, line, parsed.column, problem=parsed.message)]
    if not isinstance(parsed.data, dict):
        kind = "empty" if parsed.data is None else type(parsed.data).__name__
        return None, [codes.NOT_A_MAPPING.at(rel, fm_line + 1, 1, kind=_kind_name(kind))]
    lines = {key: fm_line + line - 1 for key, line in parsed.key_lines.items()}
    items = {key: [fm_line + n - 1 for n in found] for key, found in parsed.item_lines.items()}
    fields = _Fields(rel, parsed.data, lines, body_line, items)
    fields.problems += _cut_by_comments(rel, fm_text, parsed.data, lines, fm_line)
    article = fields.build(rel, body, body_line, today)
    fields.problems += check_marks(rel, text)
    if not body.strip():
        closing = list(_HANDLER.FM_BOUNDARY.finditer(text, 0, body_offset))[-1]
        fields.problems.append(
            codes.EMPTY_ARTICLE.at(
                rel, _line_at(text, closing.start()), 1, where="after its front matter"
            )
        )
    if fields.has_errors:
        article = None
    return article, fields.problems + fields.approval_problems


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _kind_name(kind: str) -> str:
    return {"empty": "empty", "list": "a list", "str": "a piece of text"}.get(kind, f"a {kind}")


# A plain (unquoted) scalar, and a " #" in what follows the key on its line: a comment.
_PLAIN_VALUE = re.compile(r"[^\s\"'|>\[{&*!%@`]")
_COMMENT_START = re.compile(r"[ \t]#")


def _cut_by_comments(
    rel: str, front: str, data: dict[Any, Any], lines: Mapping[str, int], first: int
) -> list[Diagnostic]:
    """FM023 for a title or summary written without quotes whose line holds " #": YAML reads
    the rest as a comment, and the text signed and shown ends before it."""
    found = []
    rows = front.splitlines()
    for key in ("title", "summary"):
        line = lines.get(key)
        if line is None or not 0 <= line - first < len(rows):
            continue
        _, _, written = rows[line - first].partition(":")
        written = written.strip()
        if _PLAIN_VALUE.match(written) and _COMMENT_START.search(written):
            kept = str(data.get(key, ""))
            found.append(codes.COMMENT_IN_VALUE.at(rel, line, 1, key=key, kept=kept))
    return found


class _Fields:
    """Typed access to the front matter that records a diagnostic for each bad field."""

    def __init__(
        self,
        rel: str,
        data: dict[Any, Any],
        lines: Mapping[str, int],
        end_line: int,
        item_lines: Mapping[str, list[int]] | None = None,
    ) -> None:
        self.rel, self.data, self.lines, self.end_line = rel, data, lines, end_line
        self.item_lines = item_lines or {}
        self.problems: list[Diagnostic] = []
        # Problems of the approval records: they approve nothing, but the article is still read
        # and checked (an Approved article without a valid approval is simply not published).
        self.approval_problems: list[Diagnostic] = []

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.problems)

    def line(self, key: str) -> int:
        return self.lines.get(key, self.end_line)

    def missing(self, key: str, why: str = "", line: int | None = None) -> None:
        self.problems.append(
            codes.MISSING_FIELD.at(self.rel, line or self.lines.get(key, 1), 1, key=key, why=why)
        )

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.missing(key)
            return ""
        if not isinstance(value, str):
            self.problems.append(
                codes.WRONG_TYPE.at(
                    self.rel,
                    self.line(key),
                    1,
                    key=key,
                    expected="plain text",
                    found=_describe(value),
                )
            )
            return ""
        return " ".join(value.split())

    def words(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if isinstance(value, str) and "," in value and key != "tags":
            # `authors: jdoe, asmith` is one id with a comma in it to YAML (a topic may hold a
            # comma: approvals have signed such tags).
            self.problems.append(
                codes.WRONG_TYPE.at(
                    self.rel,
                    self.line(key),
                    1,
                    key=key,
                    expected=f"a list in square brackets, like [{', '.join(_items(value))}]",
                    found="text with commas",
                )
            )
            return ()
        if isinstance(value, str):
            value = [value]
        if value is None or value == []:
            if required:
                self.missing(key)
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problems.append(
                codes.WRONG_TYPE.at(
                    self.rel,
                    self.line(key),
                    1,
                    key=key,
                    expected="a list of words or ids, like [a, b]",
                    found=_describe(value),
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
        self.problems.append(codes.BAD_DATE.at(self.rel, line, 1, key=key, value=repr(value)))
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
                codes.UNKNOWN_STATUS.at(
                    self.rel,
                    self.line("status"),
                    1,
                    value=value,
                    suggestion=f" (did you mean '{guess}'?)" if guess else "",
                )
            )
        return status

    def approvals(self, today: dt.date) -> tuple[tuple[Approval, ...], list[Diagnostic]]:
        """The approval records (one, or a list when the board wants several reviewers). A
        malformed record is reported but does not hide the article from the other checks: it
        simply approves nothing."""
        value = self.data.get("approval")
        if value is None:
            return (), []
        records = value if isinstance(value, list) else [value]
        lines = self.item_lines.get("approval") if isinstance(value, list) else None
        found: list[Approval] = []
        problems: list[Diagnostic] = []
        for index, record in enumerate(records):
            line = lines[index] if lines and index < len(lines) else self.line("approval")
            approval = self._approval(record, line, today)
            if approval is None:
                problems.append(codes.APPROVAL_MISSING.at(self.rel, line, 1, article=self.rel))
            else:
                found.append(approval)
        return tuple(found), problems

    def _approval(self, record: object, line: int, today: dt.date) -> Approval | None:
        """One record as `approve` writes it; None when it is not one."""
        if not isinstance(record, dict):
            return None
        by, signature, note = record.get("by"), record.get("signature"), record.get("note", "")
        covers, significant = record.get("covers", ""), record.get("significant", False)
        if not isinstance(by, str) or not by.strip() or not isinstance(signature, str):
            return None
        if not isinstance(note, str) or not isinstance(significant, bool):
            return None
        if not isinstance(covers, str):
            return None
        mark = len(self.problems)
        day = self._as_date("approval.on", record.get("on"), line)
        self.approval_problems += self.problems[mark:]  # they do not hide the article
        del self.problems[mark:]
        if day is None:
            return None
        if day > today:
            self.approval_problems.append(
                codes.FUTURE_DATE.at(
                    self.rel,
                    line,
                    1,
                    key="approval.on",
                    day=day.isoformat(),
                    today=today.isoformat(),
                )
            )
            return None
        digests = dict(entry.rsplit(" ", 1) for entry in covers.splitlines() if " " in entry)
        return Approval(
            by.strip(), day, signature, digests, " ".join(note.split()), significant, line
        )

    def unknown_keys(self) -> None:
        for key in self.data:
            if str(key) not in KNOWN_FIELDS:
                self.problems.append(
                    codes.UNKNOWN_FIELD.at(
                        self.rel,
                        self.line(str(key)),
                        1,
                        key=key,
                        suggestion=suggestion(str(key), KNOWN_FIELDS),
                        known=", ".join(KNOWN_FIELDS),
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
                codes.FUTURE_DATE.at(
                    self.rel,
                    self.line("last_updated"),
                    1,
                    key="last_updated",
                    day=last_updated.isoformat(),
                    today=today.isoformat(),
                )
            )
        summary = self.text("summary")
        # In the form approvals sign (statement.py): composed, spaces folded. The topic pages,
        # links and JSON-LD keywords are made from this, so no other spelling of a signed tag
        # (an accent written as a combining mark) can move the article to another page.
        # Approvals sign the topics and the audiences as sets: pages show them in one order of
        # their own (topics alphabetical; audiences professional, patient, then alphabetical),
        # each once, so no unsigned reordering or repeat changes what readers see.
        folded = {" ".join(t.split()).lower() for t in self.words("tags")}
        tags = tuple(
            sorted({unicodedata.normalize("NFC", tag) for tag in folded}, key=_alphabetical)
        )
        audience = tuple(
            sorted({a.strip().lower() for a in self.words("audience")}, key=_audience_order)
        )
        next_review = self.date("next_review")
        approvals, approval_problems = self.approvals(today)
        if (
            status is ReviewStatus.APPROVED
            and "approval" in self.data
            and self.data["approval"] in (None, [])
        ):
            # `approval: []` or no value: nothing approves it (as when the key is missing).
            approval_problems.append(
                codes.APPROVAL_MISSING.at(self.rel, self.line("approval"), 1, article=self.rel)
            )
        self.approval_problems += approval_problems
        self.unknown_keys()
        if self.has_errors or status is None or last_updated is None:
            return None
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
            approvals=approvals,
            field_lines=dict(self.lines),
        )


def _items(written: str) -> list[str]:
    return [item.strip() for item in written.split(",") if item.strip()]


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


def _audience_order(name: str) -> tuple[int, str]:
    """The audiences the pipeline knows first, in the order "Which best describes you?" offers
    them, then any other alphabetically."""
    known = list(KNOWN)
    return (known.index(name) if name in known else len(known), name)


def _alphabetical(tag: str) -> tuple[str, str]:
    """As a reader expects a list of topics ordered: "pédiatrie" between "oncology" and
    "primary care"."""
    return (normalize(tag), tag)
