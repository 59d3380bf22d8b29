"""The `citation_style` option: AMA (default), Vancouver, or a publisher's own CSL file.

A CSL style is rendered with citeproc-py, the maintained Python CSL processor. Numbers in the
text and in the reference list stay ours (order of first appearance), so a CSL style formats
only the entries: its own citation-number labels are taken out of the bibliography layout.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import codes
from pipeline.citations.formats import BUILT_IN
from pipeline.citations.titles import sentence_case
from pipeline.content.files import readable
from pipeline.diagnostics import Diagnostic
from pipeline.identifiers import strip_doi_prefix
from pipeline.model import Author, Entry
from pipeline.settings import SETTINGS_FILE

CSL_NS = {"c": "http://purl.org/net/xbiblio/csl"}
CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "manual": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "report": "report",
    "techreport": "report",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "online": "webpage",
}


@dataclass(frozen=True)
class Style:
    """Formats the cited entries, in citation order, as HTML fragments."""

    name: str
    format_all: Callable[[Sequence[Entry]], list[str]]


def built_in(name: str) -> Style:
    formatter = BUILT_IN[name]
    return Style(name, lambda entries: [formatter(entry) for entry in entries])


def load_style(option: str, root: Path) -> tuple[Style, list[Diagnostic]]:
    """The style the option names; AMA, with a diagnostic, when it cannot be used."""
    if option.lower() in BUILT_IN:
        return built_in(option.lower()), []
    path = root / option
    if not readable(root, path):
        return built_in("ama"), [
            codes.STYLE_UNUSABLE.at(
                SETTINGS_FILE, 0, 0, style=option, problem="it is neither ama, vancouver nor a file"
            )
        ]
    try:
        path.read_bytes().decode("utf-8")  # admins sign it as text (REV012): UTF-8 only
    except (OSError, UnicodeDecodeError):
        return built_in("ama"), [
            codes.STYLE_UNUSABLE.at(option, 0, 0, style=option, problem="it is not UTF-8 text")
        ]
    try:
        return _csl_style(path), []
    except Exception as error:  # citeproc and lxml raise many kinds on a bad style
        return built_in("ama"), [
            codes.STYLE_UNUSABLE.at(
                option, 0, 0, style=option, problem=str(error).splitlines()[0][:200]
            )
        ]


def _csl_style(path: Path) -> Style:
    from citeproc import CitationStylesStyle
    from lxml import etree

    tree = etree.parse(str(path))
    numbers = tree.xpath("//c:bibliography//c:text[@variable='citation-number']", namespaces=CSL_NS)
    for node in numbers:
        node.getparent().remove(node)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            style = CitationStylesStyle(io.BytesIO(etree.tostring(tree)), validate=True)
        finally:
            # citeproc-py only warns when a style fails the CSL schema; that is the real reason
            for warning in caught:
                if "schema" in str(warning.message):
                    detail = (str(warning.message).splitlines()[1:2] or [""])[0].strip()
                    raise ValueError(f"it does not follow the CSL 1.0 schema ({detail})")
    if not style.has_bibliography():
        raise ValueError("the style has no <bibliography> layout")
    return Style(path.name, lambda entries: _render_csl(style, entries))


def _render_csl(style: Any, entries: Sequence[Entry]) -> list[str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON([csl_json(entry) for entry in entries])
    bibliography = CitationStylesBibliography(style, source, formatter.html)
    for entry in entries:  # registered in citation order and never sorted: numbers stay ours
        bibliography.register(Citation([CitationItem(entry.key.lower())]))
    return [str(item) for item in bibliography.bibliography()]


def _csl_names(people: Sequence[Author]) -> list[dict[str, str]]:
    return [
        {"literal": a.last} if a.corporate else {"family": a.last, "given": a.given} for a in people
    ]


_DAY = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})")


def csl_json(entry: Entry) -> dict[str, Any]:
    """An entry as CSL-JSON, the input every CSL processor reads. Titles are in sentence case,
    as CSL expects (a style that wants title case converts them), with what the library braces
    left as it is, and the subtitle capitalized, as pandoc gives them to CSL styles."""
    role = "editor" if "author" not in entry.fields and "editor" in entry.fields else "author"
    title = entry.get("title")
    item: dict[str, Any] = {
        "id": entry.key,
        "type": CSL_TYPES.get(entry.entry_type, "document"),
        role: _csl_names(entry.authors),
        "title": sentence_case(title, entry.case_protected.get("title", ()), True),
    }
    if role == "author" and entry.editors:
        item["editor"] = _csl_names(entry.editors)  # a chapter's book's editors
    if "thesis" in entry.entry_type:
        item["genre"] = "Master's thesis" if entry.entry_type == "mastersthesis" else "Dissertation"
    container = entry.get("journal") or entry.get("journaltitle") or entry.get("booktitle")
    plain = {
        "container-title": container,
        "container-title-short": entry.get("shortjournal"),
        "volume": entry.get("volume"),
        "issue": entry.get("number") or entry.get("issue"),
        "page": entry.get("pages").replace("–", "-"),
        "publisher": entry.get("publisher") or entry.get("institution") or entry.get("school"),
        "publisher-place": entry.get("address"),
        "edition": entry.get("edition"),
        "URL": entry.get("url"),
        "DOI": strip_doi_prefix(entry.get("doi")) if entry.get("doi") else "",
        "PMID": entry.get("pmid"),
    }
    item.update({key: value for key, value in plain.items() if value})
    # The year only: citeproc-py runs the parts of a fuller date together in some styles
    # ("2025Jul28", as it does with the accessed date in the NLM style).
    year = (entry.get("year") or entry.get("date"))[:4]
    if year.isdecimal():  # what int() reads ("²⁰²⁰" is digits, but no number)
        item["issued"] = {"date-parts": [[int(year)]]}
    accessed = _DAY.fullmatch(entry.get("urldate"))
    if accessed is not None:
        item["accessed"] = {"date-parts": [[int(part) for part in accessed.groups()]]}
    return item
