"""Formatting library entries as AMA (11th edition) references, in HTML.

AMA is the style of most medical journals: surname + initials, up to six authors (else the first
three and "et al"), article title as the library has it, abbreviated journal in italics,
`year;volume(issue):pages`, then the DOI as a link and a PubMed link when a PMID is known.
"""

from __future__ import annotations

import html
import re

from pipeline.model import Author, Entry

MAX_AUTHORS = 6
SHOWN_WHEN_TRUNCATED = 3


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


def author_list(authors: tuple[Author, ...]) -> str:
    names = [author_name(a) for a in authors]
    if len(names) > MAX_AUTHORS:
        names = [*names[:SHOWN_WHEN_TRUNCATED], "et al"]
    return ", ".join(names)


def _sentence(text: str) -> str:
    """A title or name element ends with a period unless it already ends in punctuation."""
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def _pages(pages: str) -> str:
    return re.sub(r"\s*[-–—]+\s*", "-", pages)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def doi_url(doi: str) -> str:
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi.strip(), flags=re.IGNORECASE)
    return f"https://doi.org/{doi}"


def _links(entry: Entry) -> list[str]:
    links = []
    if entry.get("doi"):
        url = doi_url(entry.get("doi"))
        links.append(f'<a href="{_e(url)}">{_e(url)}</a>')
    if entry.get("pmid"):
        pmid = entry.get("pmid")
        links.append(f'PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/{_e(pmid)}/">{_e(pmid)}</a>')
    if entry.get("url") and not entry.get("doi"):
        links.append(f'<a href="{_e(entry.get("url"))}">{_e(entry.get("url"))}</a>')
    return links


def _volume_issue_pages(entry: Entry) -> str:
    out = entry.get("year")
    if entry.get("volume"):
        out += f";{entry.get('volume')}"
        if entry.get("number") or entry.get("issue"):
            out += f"({entry.get('number') or entry.get('issue')})"
    if entry.get("pages"):
        out += f":{_pages(entry.get('pages'))}"
    return out


def format_reference(entry: Entry) -> str:
    """One AMA reference as an HTML fragment (no surrounding <li>)."""
    parts: list[str] = []
    if entry.authors:
        parts.append(_e(_sentence(author_list(entry.authors))))
    title = entry.get("title")
    kind = entry.entry_type
    if kind == "article":
        journal = entry.get("shortjournal") or entry.get("journal") or entry.get("journaltitle")
        parts.append(_e(_sentence(title)))
        if journal:
            parts.append(f"<i>{_e(_sentence(journal))}</i>")
        parts.append(_e(_sentence(_volume_issue_pages(entry))))
    elif kind in ("book", "manual"):
        parts.append(f"<i>{_e(_sentence(title))}</i>")
        if entry.get("edition"):
            parts.append(_e(_sentence(f"{_edition(entry.get('edition'))} ed")))
        parts.append(_e(_sentence(_publisher_year(entry))))
    elif kind in ("inbook", "incollection", "inproceedings"):
        parts.append(_e(_sentence(title)))
        container = entry.get("booktitle") or entry.get("journal")
        if container:
            parts.append(f"In: <i>{_e(_sentence(container))}</i>")
        where = _publisher_year(entry)
        if entry.get("pages"):
            where += f":{_pages(entry.get('pages'))}"
        parts.append(_e(_sentence(where)))
    else:  # online, misc, report, techreport, thesis and anything else
        parts.append(_e(_sentence(title)))
        site = entry.get("organization") or entry.get("institution") or entry.get("publisher")
        if kind in ("phdthesis", "mastersthesis", "thesis"):
            site = "; ".join(x for x in ("Dissertation", entry.get("school")) if x)
        if site:
            parts.append(_e(_sentence(site)))
        if entry.get("year"):
            parts.append(_e(_sentence(_published(entry))))
        if entry.get("urldate"):
            parts.append(_e(_sentence(f"Accessed {_long_date(entry.get('urldate'))}")))
    text = " ".join(p for p in parts if p and p != ".")
    links = _links(entry)
    return text + (" " + " ".join(links) if links else "")


def _edition(edition: str) -> str:
    if not edition.isdigit():
        return edition
    number = int(edition)
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _publisher_year(entry: Entry) -> str:
    publisher = entry.get("publisher") or entry.get("institution") or entry.get("organization")
    return "; ".join(x for x in (publisher, entry.get("year")) if x)


def _published(entry: Entry) -> str:
    month = entry.get("month")
    return f"Published {month} {entry.get('year')}" if month else f"Published {entry.get('year')}"


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


def _long_date(iso: str) -> str:
    """2025-07-28 -> July 28, 2025 (AMA writes accessed dates out)."""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        return iso
    year, month, day = found.groups()
    return f"{_MONTHS[int(month) - 1]} {int(day)}, {year}"


def plain_text(fragment: str) -> str:
    """The reference as plain text, for tooltips."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))
