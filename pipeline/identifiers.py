"""DOIs and PMIDs: their forms, and the one spelling each has when two are compared.

A DOI is written `10.7326/M16-2367`, `doi:10.7326/M16-2367` or `https://doi.org/10.7326/M16-2367`,
in any case (DOIs are case-insensitive); a PMID is digits. Everything that compares identifiers
(duplicate entries, the retraction list, citations by identifier, the registry lock) uses
`identifier()`: `doi:10.7326/m16-2367`, `pmid:28192789`.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlparse

from pipeline.words import IGNORABLE

# A DOI's suffix is any text (old Wiley DOIs end `;2-#`), but one whose address a browser
# resolves to another DOI's is refused: a backslash (a slash to a browser) and path segments
# `.` or `..` (resolved away), so `10.1016/./S0140…` cannot lead readers to a listed work
# while the comparison sees another. A `#` or `?` is part of the DOI, and its link says so.
# Digits are ASCII digits: `\d` took any script's (a PMID ending in a Devanagari zero passed,
# and matched no retraction), and a DOI may hold no other. No braces: BibTeX's case protection
# (`10.7326/{M}16-2367`) kept them in the DOI, which then matched no retraction.
DOI = re.compile(r"^10\.[0-9]{4,9}(?:/(?!\.\.?(?:/|$))(?:[0-9]|(?!\d)[^\s\\/{}])+)+$")
PMID = re.compile(r"^[0-9]{1,9}$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
# What a citation by identifier looks like: `@doi:10.7326/M16-2367`, `@pmid:28192789`.
_CITED = re.compile(r"^(?P<kind>doi|pmid):(?P<value>.+)$", re.IGNORECASE)


def strip_doi_prefix(doi: str) -> str:
    """`https://doi.org/10.1/X` and `doi:10.1/X` are written `10.1/X`."""
    return _DOI_PREFIX.sub("", doi.strip())


def doi_url(doi: str) -> str:
    """Where a DOI leads: `https://doi.org/10.1/X`, whichever way it is written; a `#` or `?`
    in it is escaped, so that the link asks doi.org for this DOI, not a shorter one."""
    escaped = strip_doi_prefix(doi).replace("#", "%23").replace("?", "%3F")
    return f"https://doi.org/{escaped}"


def pubmed_url(pmid: str) -> str:
    """A PMID's page on PubMed."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def invisible(text: str) -> str:
    """The invisible characters in an identifier (zero-width spaces, joiners, soft hyphens,
    byte-order marks, direction marks: Unicode's format characters, and controls)."""
    if text.isascii() and text.isprintable():
        return ""
    return "".join(c for c in text if unicodedata.category(c) in ("Cf", "Cc", "Co", "Cn"))


def normalize_identifier(text: str) -> str:
    """An identifier as it is compared: NFKC, invisible characters and spaces removed."""
    folded = unicodedata.normalize("NFKC", text)
    if folded.isascii() and folded.isprintable():  # most: no invisible character, one blank
        return folded.replace(" ", "")
    return "".join(c for c in folded if not c.isspace() and not invisible(c))


def normalize_doi(doi: str) -> str:
    """`https://doi.org/10.1/ABC`, `doi:10.1/ABC`, `10.1/abc` and `10.1%2Fabc` (as an address
    writes it, and doi.org resolves it) are the same DOI, and so is one with a zero-width space
    hidden in it (which `check` reports on its own, BIB007)."""
    return normalize_identifier(unquote(strip_doi_prefix(normalize_identifier(doi)))).casefold()


def normalize_pmid(pmid: str) -> str:
    """`09500320` is PMID 9500320 to PubMed."""
    normal = normalize_identifier(pmid)
    return normal.lstrip("0") or normal if normal.isdigit() else normal


# Addresses that name a DOI or a PMID: doi.org and the Handle resolver (DOIs are handles), a
# publisher's /doi/[abs|full|pdf/]10.x/..., PubMed (by path or search term), Europe PMC.
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org", "hdl.handle.net", "oadoi.org"})
_DOI_PATH = re.compile(r"/doi/(?:[a-z]+/)?(10\.[0-9]{4,9}/.+)", re.IGNORECASE)
# PubMed's own host, and NCBI's old /pubmed/ addresses (not its Bookshelf or PMC pages).
_PUBMED_HOST = "pubmed.ncbi.nlm.nih.gov"
_NCBI_HOSTS = frozenset({"www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov"})
_DIGITS = re.compile(r"(?<![0-9])[0-9]{1,9}(?![0-9])")
# A search for one PMID (`?term=9500320[uid]`); any other search is no identifier.
_TERM = re.compile(r"\s*([0-9]{1,9})\s*(?:\[(?:uid|pmid|pm)\])?\s*", re.IGNORECASE)
_EUROPE_PMC = re.compile(r"/(?:article|abstract)/MED/([0-9]{1,9})/?", re.IGNORECASE)


class UrlIdentity(NamedTuple):
    resolver: bool  # the address is on doi.org, a Handle resolver or PubMed
    identifier: str | None  # the DOI or PMID it names, as `identifier` writes it


def url_identifier(url: str) -> UrlIdentity:
    """The DOI or PMID an address names (`https://doi.org/10.1/x` -> `doi:10.1/x`): a source
    linked by such an address is the work that identifier names, retracted or not. The path is
    read as a browser reads it (a backslash is a slash, dot segments resolved); on a resolver,
    an address whose identifier cannot be read is said to be one (`resolver`), never passed."""
    try:
        parsed = urlparse(normalize_identifier(url).replace("\\", "/"))
        host = browser_host(parsed.hostname or "")
    except ValueError:
        return UrlIdentity(False, None)
    path = posixpath.normpath(unquote(parsed.path) or "/")
    if host in _DOI_HOSTS:
        return UrlIdentity(True, identifier("doi", path.lstrip("/")))
    if host == _PUBMED_HOST or (host in _NCBI_HOSTS and path.startswith(("/pubmed", "/entrez"))):
        query = parse_qs(parsed.query)
        terms = [*query.get("term", []), *query.get("list_uids", [])]
        found = _DIGITS.search(path)
        named = found.group() if found else ""
        named = named or next((m.group(1) for m in map(_TERM.fullmatch, terms) if m), "")
        return UrlIdentity(True, identifier("pmid", named) if named else None)
    if host.endswith("europepmc.org") and (found := _EUROPE_PMC.fullmatch(path)):
        return UrlIdentity(True, identifier("pmid", found.group(1)))
    if found := _DOI_PATH.search(path):
        return UrlIdentity(False, identifier("doi", found.group(1)))
    return UrlIdentity(False, None)


def browser_host(name: str) -> str:
    """A host as a browser reads it: percent-escapes decoded, and IDNA's mapping (an
    ideographic full stop is a dot, a variation selector or a grapheme joiner is nothing)."""
    # What browsers map to nothing before IDNA (U+2064, variation selectors): Python's
    # older IDNA codec kept some, and the host read as another.
    name = IGNORABLE.sub("", unquote(name))
    with contextlib.suppress(UnicodeError):
        name = name.encode("idna").decode("ascii")
    return name.casefold().rstrip(".")


def identifier(kind: str, value: str) -> str | None:
    """The compared form of a DOI or PMID (`doi:10.1/abc`, `pmid:123`); None when `value` is
    not one."""
    if kind.lower() == "doi":
        doi = normalize_doi(value)
        return f"doi:{doi}" if DOI.match(doi) else None
    if kind.lower() == "pmid":
        pmid = normalize_pmid(value)
        return f"pmid:{pmid}" if PMID.match(pmid) else None
    return None


def cited_identifier(key: str) -> str | None:
    """The identifier a citation key names (`doi:10.7326/M16-2367` -> `doi:10.7326/m16-2367`),
    or None for an ordinary key."""
    found = _CITED.match(key)
    return identifier(found.group("kind"), found.group("value")) if found else None
