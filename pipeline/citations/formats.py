"""Formatting library entries as references, in HTML: AMA (11th edition) and Vancouver.

AMA is the style of most medical journals: surname + initials, up to six authors (else the first
three and "et al"), the article title in sentence case, the abbreviated journal in italics,
`year;volume(issue):pages` (`2003;(2):CD004252` when there is no volume), then the DOI as
`doi:10.…` (a link to https://doi.org/…) and a PubMed link when a PMID is known. Books, reports
and theses have italic titles in title case (AMA 11th ed. 3.9.1).
Vancouver (the NLM/ICMJE style) differs in small ways: six authors then "et al.", no italics,
shortened page ranges (514-30), "[Internet]" and "[cited …]" for web pages; its titles keep the
library's capitals.

`tests/test_citation_oracle.py` compares the AMA output with pandoc's citeproc and the official
AMA CSL style, entry by entry; the differences we keep on purpose are listed there, with reasons.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from pipeline.citations.titles import sentence_case, title_case
from pipeline.identifiers import doi_url, pubmed_url, strip_doi_prefix
from pipeline.model import Author, Entry

MAX_AUTHORS = 6
SHOWN_WHEN_TRUNCATED = 3
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def initials(given: str) -> str:
    """ "Timothy J." -> "TJ"; "Jean-Paul" -> "J-P" (AMA keeps the hyphen)."""
    letters = []
    for word in given.replace(".", " ").split():
        letters.append("-".join(part[:1].upper() for part in word.split("-") if part))
    return "".join(letters)


def author_name(author: Author) -> str:
    if author.corporate or not author.given:
        return author.last
    return f"{author.last} {initials(author.given)}"


def _is_others(author: Author) -> bool:
    """BibTeX's `and others`: the list goes on beyond the names given."""
    return not author.corporate and not author.given and author.last == "others"


def author_list(authors: tuple[Author, ...], vancouver: bool = False) -> str:
    """Up to six names; more (counting `and others` as one more) give the first three and
    "et al" (AMA) or the first six and "et al." (Vancouver); `and others` always ends in et al."""
    names = [author_name(a) for a in authors if not _is_others(a)]
    more = len(names) < len(authors)
    if len(names) + more > MAX_AUTHORS:
        names = names[:MAX_AUTHORS] if vancouver else names[:SHOWN_WHEN_TRUNCATED]
        more = True
    if more:
        names.append("et al." if vancouver else "et al")
    return ", ".join(names)


def _people(entry: Entry, vancouver: bool) -> str:
    """Authors, or the editors marked as such when a book has no author."""
    names = author_list(entry.authors, vancouver)
    if names and "author" not in entry.fields and "editor" in entry.fields:
        plural = len(entry.authors) > 1
        names += (
            (", editors" if plural else ", editor")
            if vancouver
            else (", eds" if plural else ", ed")
        )
    return names


def _sentence(text: str) -> str:
    """A title or name element ends with a period unless it already ends in punctuation."""
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def _pages(pages: str, shorten: bool = False) -> str:
    pages = re.sub(r"\s*[-–—]+\s*", "-", pages)
    found = re.fullmatch(r"([A-Za-z]*)(\d+)-\1?(\d+)", pages)
    if shorten and found and len(found.group(2)) == len(found.group(3)):
        prefix, first, last = found.groups()
        common = 0
        while common < len(first) - 1 and first[common] == last[common]:
            common += 1
        return f"{prefix}{first}-{last[common:]}"
    return pages


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _link(url: str) -> str:
    return f'<a href="{_e(url)}">{_e(url)}</a>'


def _long_date(iso: str, vancouver: bool = False) -> str:
    """2025-07-28 -> July 28, 2025 (AMA) or 2025 Jul 28 (Vancouver)."""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        return iso
    year, month, day = found.groups()
    name = _MONTHS[int(month) - 1]
    return f"{year} {name[:3]} {int(day)}" if vancouver else f"{name} {int(day)}, {year}"


def _edition(edition: str) -> str:
    if not edition.isdecimal():  # what int() reads
        return edition
    number = int(edition)
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _publisher_year(entry: Entry, with_place: bool = False) -> str:
    publisher = entry.get("publisher") or entry.get("institution") or entry.get("organization")
    if with_place and entry.get("address") and publisher:
        publisher = f"{entry.get('address')}: {publisher}"
    return "; ".join(x for x in (publisher, _year(entry)) if x)


def _year(entry: Entry) -> str:
    return entry.get("year") or entry.get("date")[:4]


def _volume_issue_pages(entry: Entry, shorten: bool = False) -> str:
    """`2017;166(7):514-530`; an issue without a volume (Cochrane) is `2003;(2):CD004252`."""
    out = _year(entry)
    issue = entry.get("number") or entry.get("issue")
    if entry.get("volume") or issue:
        out += f";{entry.get('volume')}" + (f"({issue})" if issue else "")
    if entry.get("pages"):
        out += f":{_pages(entry.get('pages'), shorten)}"
    return out


def _journal(entry: Entry) -> str:
    return entry.get("shortjournal") or entry.get("journal") or entry.get("journaltitle")


def _title(entry: Entry, case: Callable[[str, tuple[tuple[int, int], ...]], str]) -> str:
    return case(entry.get("title"), entry.case_protected.get("title", ()))


def _doi(entry: Entry) -> str:
    """`doi:10.1/X` as AMA writes it, the DOI itself a link to its resolver."""
    doi = strip_doi_prefix(entry.get("doi"))
    return f'doi:<a href="{_e(doi_url(doi))}">{_e(doi)}</a>'


def _published(entry: Entry) -> str:
    """When a web page or document was published: `April 8, 2016`, `May 2016` or `2016`."""
    date = entry.get("date")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return _long_date(date)
    return " ".join(x for x in (entry.get("month"), _year(entry)) if x)


def _ama_links(entry: Entry) -> list[str]:
    links = []
    if entry.get("doi"):
        links.append(_doi(entry))
    if entry.get("pmid"):
        pmid = entry.get("pmid")
        links.append(f'PMID: <a href="{_e(pubmed_url(pmid))}">{_e(pmid)}</a>')
    if entry.get("url") and not entry.get("doi"):
        links.append(_link(entry.get("url")))
    return links


def format_ama(entry: Entry) -> str:
    """One AMA reference as an HTML fragment (no surrounding <li>)."""
    parts: list[str] = []
    if entry.authors:
        parts.append(_e(_sentence(_people(entry, vancouver=False))))
    title = _title(entry, sentence_case)
    kind = entry.entry_type
    if kind == "article":
        parts.append(_e(_sentence(title)))
        if _journal(entry):
            parts.append(f"<i>{_e(_sentence(_journal(entry)))}</i>")
        parts.append(_e(_sentence(_volume_issue_pages(entry))))
    elif kind in ("book", "manual"):
        parts.append(f"<i>{_e(_sentence(_title(entry, title_case)))}</i>")
        if entry.get("edition"):
            parts.append(_e(_sentence(f"{_edition(entry.get('edition'))} ed")))
        parts.append(_e(_sentence(_publisher_year(entry))))
    elif kind in ("inbook", "incollection", "inproceedings"):
        parts.append(_e(_sentence(title)))
        container = title_case(entry.get("booktitle"), entry.case_protected.get("booktitle", ()))
        container = container or entry.get("journal")
        if container:
            prefix = "In: "
            if entry.editors and "author" in entry.fields:
                plural = "eds" if len(entry.editors) > 1 else "ed"
                prefix += _e(f"{author_list(entry.editors)}, {plural}. ")
            parts.append(f"{prefix}<i>{_e(_sentence(container))}</i>")
        where = _publisher_year(entry)
        if entry.get("pages"):
            where += f":{_pages(entry.get('pages'))}"
        parts.append(_e(_sentence(where)))
    elif kind in ("phdthesis", "mastersthesis", "thesis"):
        parts.append(f"<i>{_e(_sentence(_title(entry, title_case)))}</i>")
        parts.append(_e("Master's thesis." if kind == "mastersthesis" else "Dissertation."))
        parts.append(_e(_sentence("; ".join(x for x in (entry.get("school"), _year(entry)) if x))))
    elif kind in ("report", "techreport"):
        parts.append(f"<i>{_e(_sentence(_title(entry, title_case)))}</i>")
        publisher = entry.get("institution") or entry.get("publisher")
        if entry.authors and publisher == author_list(entry.authors):
            publisher = ""  # an agency that is both author and publisher is named once
        parts.append(_e(_sentence("; ".join(x for x in (publisher, _year(entry)) if x))))
        if entry.get("urldate"):
            parts.append(_e(_sentence(f"Accessed {_long_date(entry.get('urldate'))}")))
    else:  # online, misc and anything else: a web page or document
        parts.append(_e(_sentence(title)))
        site = entry.get("organization") or entry.get("publisher") or entry.get("howpublished")
        if site:
            parts.append(_e(_sentence(site)))
        if _published(entry):
            parts.append(_e(_sentence(f"Published {_published(entry)}")))
        if entry.get("urldate"):
            parts.append(_e(_sentence(f"Accessed {_long_date(entry.get('urldate'))}")))
    text = " ".join(p for p in parts if p and p != ".")
    links = _ama_links(entry)
    return text + (" " + " ".join(links) if links else "")


def format_vancouver(entry: Entry) -> str:
    """One Vancouver (NLM) reference as an HTML fragment."""
    parts: list[str] = []
    if entry.authors:
        parts.append(_e(_sentence(_people(entry, vancouver=True))))
    title = entry.get("title")
    kind = entry.entry_type
    web = kind in ("online", "misc") and bool(entry.get("url"))
    available = bool(entry.get("url")) and not entry.get("doi")
    if kind == "article":
        parts.append(_e(_sentence(title)))
        if _journal(entry):
            parts.append(_e(_sentence(_journal(entry))))
        parts.append(_e(_sentence(_volume_issue_pages(entry, shorten=True))))
    elif kind in ("book", "manual"):
        parts.append(_e(_sentence(title)))
        if entry.get("edition"):
            parts.append(_e(_sentence(f"{_edition(entry.get('edition'))} ed")))
        parts.append(_e(_sentence(_publisher_year(entry, with_place=True))))
    elif kind in ("inbook", "incollection", "inproceedings"):
        parts.append(_e(_sentence(title)))
        container = entry.get("booktitle") or entry.get("journal")
        if container:
            editors = ""
            if entry.editors and "author" in entry.fields:
                role = "editors" if len(entry.editors) > 1 else "editor"
                editors = f"{author_list(entry.editors, vancouver=True)}, {role}. "
            parts.append(f"In: {_e(editors)}{_e(_sentence(container))}")
        parts.append(_e(_sentence(_publisher_year(entry, with_place=True))))
        if entry.get("pages"):
            parts.append(_e(_sentence(f"p. {_pages(entry.get('pages'), shorten=True)}")))
    else:
        label = " [dissertation]" if "thesis" in kind else (" [Internet]" if web else "")
        parts.append(_e(_sentence(title + label)))
        site = entry.get("school") or entry.get("institution") or entry.get("organization")
        site = site or entry.get("publisher") or entry.get("howpublished")
        year = _year(entry)
        if web and entry.get("urldate"):
            year = f"{year} [cited {_long_date(entry.get('urldate'), vancouver=True)}]".strip()
        parts.append(_e(_sentence("; ".join(x for x in (site, year) if x))))
    text = " ".join(p for p in parts if p and p != ".")
    tail = []
    if available:
        tail.append(f"Available from: {_link(entry.get('url'))}")
    if entry.get("doi"):
        tail.append(_doi(entry) + ".")
    if entry.get("pmid"):
        pmid = entry.get("pmid")
        tail.append(f'PMID: <a href="{_e(pubmed_url(pmid))}">{_e(pmid)}</a>.')
    return text + (" " + " ".join(tail) if tail else "")


Formatter = Callable[[Entry], str]
BUILT_IN: dict[str, Formatter] = {"ama": format_ama, "vancouver": format_vancouver}
