"""The one shape every problem takes, and the three ways it is printed.

Board members read the text form; CI reads the GitHub form; tools read JSON. All three are
made here so that a diagnostic looks the same whichever road reported it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    # Something to know, not to fix (a source not yet checked against the registries): never
    # fails a command, not even with --strict, and MkDocs logs it as information.
    NOTE = "note"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place: `path:line:column: severity CODE message`.

    `path` is relative to the project root (posix form); `line` and `column` are 1-based, and
    0 when the problem concerns the whole file.
    """

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def promote_warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """`--strict`: every warning counts as an error (a note stays a note)."""
    return [
        d
        if d.severity is Severity.NOTE
        else Diagnostic(d.path, d.line, d.column, Severity.ERROR, d.code, d.message, d.hint)
        for d in diagnostics
    ]


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, for messages like "(did you mean 'qaseem2017'?)"."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """A ready " (did you mean 'x'?)" suffix, or nothing."""
    match = did_you_mean(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""


# Characters a terminal or a page acts on rather than shows: escape sequences, carriage
# returns, line breaks, bidirectional overrides. A value from a file (a name, a title, a commit's
# author) quoted in a message could otherwise erase or redraw the lines before it.
_UNSHOWN = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def shown(text: str) -> str:
    """`text` with every such character written as its escape (`\\x1b`, `\\r`, `\\u202e`)."""
    return _UNSHOWN.sub(lambda found: repr(found.group())[1:-1], text)


def format_text(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        # A problem of a whole file names no position (board members looked for line 0).
        place = shown(d.path)
        if d.line:
            place += f":{d.line}:{d.column}" if d.column else f":{d.line}"
        lines.append(f"{place}: {d.severity} {d.code} {d.message}")
        if d.hint:
            lines.append(f"    hint: {d.hint}")
    return "\n".join(lines)


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics], indent=2, ensure_ascii=False)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub workflow commands, so each problem is an annotation on its line."""
    lines = []
    for d in diagnostics:
        props = [f"file={_escape_property(d.path)}"]
        if d.line:
            props.append(f"line={d.line}")
        if d.column:
            props.append(f"col={d.column}")
        props.append(f"title={_escape_property(d.code)}")
        text = d.message + (f"\n{d.hint}" if d.hint else "")
        command = "notice" if d.severity is Severity.NOTE else d.severity
        lines.append(f"::{command} {','.join(props)}::{_escape_data(text)}")
    return "\n".join(lines)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
