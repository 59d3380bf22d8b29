"""Strict YAML reading for front matter and the roster.

PyYAML silently keeps the last of two equal keys and expands aliases without limit; board
members should hear about the first and nobody needs the second. Errors carry the 1-based line
so that callers can point at the right line of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode


@dataclass(frozen=True)
class YamlProblem:
    kind: str  # "syntax" | "duplicate" | "alias"
    line: int  # 1-based, relative to the YAML text
    column: int
    message: str


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level keys, 1-based
    # For a top-level key whose value is a list: the 1-based line of each item.
    item_lines: dict[str, list[int]] = field(default_factory=dict)


_TIMESTAMP, _BOOL = "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"
_TRUE_FALSE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# libyaml (C) when PyYAML was built with it: a thousand front matters parse several times faster.
_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BASE):  # type: ignore[misc]
    """A safe loader that keeps dates as text and reads only true/false as yes/no.

    Dates stay strings so that one impossible date (2025-02-30) is reported on its own line by
    the field that holds it, instead of failing the whole document. YAML 1.1 reads `on`, `off`,
    `yes` and `no` as booleans, which would turn the key `approval.on` into `True`.
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's own class-level table
        first: [
            (tag, _TRUE_FALSE if tag == _BOOL else regexp)
            for tag, regexp in resolvers
            if tag != _TIMESTAMP
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


class _Refused(Exception):
    def __init__(self, kind: str, mark: Any, message: str) -> None:
        super().__init__(message)
        self.kind, self.mark, self.message = kind, mark, message


def _refuse_aliases(text: str) -> None:
    """Aliases (`*name`) let a short text expand into a huge document; nobody needs them here.
    Found in the event stream, which never expands them."""
    if "*" not in text:
        return
    for event in yaml.parse(text, Loader=_BASE):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused("alias", event.start_mark, "anchors and aliases are not allowed")


def _check_duplicates(node: Node) -> None:
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise _Refused("duplicate", key_node.start_mark, f"'{key}' is given twice")
            seen.add(key)
            _check_duplicates(value_node)
    elif isinstance(node.value, list):
        for child in node.value:
            if isinstance(child, Node):
                _check_duplicates(child)


def load_yaml(text: str) -> YamlDocument | YamlProblem:
    """Parse one YAML document; never raises for bad input."""
    try:
        _refuse_aliases(text)
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return YamlDocument(None)
            _check_duplicates(node)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except _Refused as refused:
        return YamlProblem(
            refused.kind, refused.mark.line + 1, refused.mark.column + 1, refused.message
        )
    except yaml.reader.ReaderError as error:
        position = min(error.position, len(text))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        return YamlProblem(
            "syntax", line, column, f"the invisible control character U+{code:04X} is not allowed"
        )
    except yaml.MarkedYAMLError as error:
        opened = _OPENED.get(error.context or "")
        if opened and error.context_mark is not None:
            # Where it was opened, not where YAML gave up (the end of the block, lines later).
            start = error.context_mark
            return YamlProblem("syntax", start.line + 1, start.column + 1, opened)
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        lines = text.split("\n")
        at = lines[line - 1][column - 1 : column] if line <= len(lines) else ""
        if at == "\t":
            return YamlProblem(
                "syntax", line, column, "a tab is used for indentation; YAML needs spaces"
            )
        return YamlProblem("syntax", line, column, _describe(error))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as error:
        return YamlProblem("syntax", 1, 1, str(error).splitlines()[0] if str(error) else "")
    key_lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key_lines.setdefault(str(key_node.value), key_node.start_mark.line + 1)
            if isinstance(value_node, SequenceNode):
                item_lines.setdefault(
                    str(key_node.value), [item.start_mark.line + 1 for item in value_node.value]
                )
    return YamlDocument(data, key_lines, item_lines)


# What YAML was reading when it failed, said for the line where that began.
_OPENED = {
    "while parsing a flow sequence": "a list opened with '[' here is never closed with ']'",
    "while parsing a flow mapping": "a '{' here is never closed with '}'",
    "while scanning a quoted scalar": "a quote opened here is never closed (end the value "
    "with the same quote)",
    "while scanning a simple key": "this line has no ': ' (write 'name: value', with a space "
    "after the colon)",
}


def _describe(error: yaml.MarkedYAMLError) -> str:
    """PyYAML's problem text without its echo of the source, which we point at ourselves."""
    parts = [p for p in (error.context, error.problem) if p]
    text = "; ".join(parts) or "invalid YAML"
    if "'\\t'" in text:
        return "a tab is used for indentation; YAML needs spaces"
    if "mapping values are not allowed" in text:
        return "a value contains ': ' (put the whole value in double quotes)"
    if "did not find expected key" in text:
        # `title: [Draft] What helps?`: a value starting with [ or { is read as a list.
        return (
            "a value here is not what YAML expects (one that starts with [, {, a quote, * or & "
            "is read as something else: put the whole value in double quotes)"
        )
    return text
