"""Addresses read as a browser reads them: which file of the site a link or picture names,
from the page it stands on, and whether it leaves the site. One reading for everything that
needs it: `check` (HTML013), the files an approval signs (`shown.py`) and the audit of the built
pages, so that none of them reads an address one way while readers' browsers read it another.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import urllib.parse

# Where an article's Markdown stands in the staged site: its relative addresses start there.
ARTICLE_FOLDER = "articles"
# Where the pipeline publishes the pages it makes from what approvals sign (the articles, the
# topics' pages and their index): no site page may be there (PAGE003).
GENERATED_FOLDERS = (ARTICLE_FOLDER, "topics")
# The files of the site a page may show or link to besides pages: pictures and PDFs (what site
# pages may hold beside them, and what approvals sign the bytes of).
ASSET_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".pdf", ".svg"})
# What a URL parser drops: around an address, controls and spaces; inside it, tabs and line
# breaks. What is left is another site's when it starts with "//" or a scheme.
_AROUND = "".join(map(chr, range(0x21)))
_INSIDE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# The scheme of a page on the web, written without "//": the rest is relative to the page.
_OWN_SCHEME = re.compile(r"https?:(?!//)", re.IGNORECASE)


def site_path(url: str, folder: str = ARTICLE_FOLDER) -> str | None:
    """The site-relative path a local address names, read as a browser's URL parser and a
    server read it (blanks and controls around it dropped, tabs and line breaks inside it too, a
    backslash a slash, no query or fragment, percent escapes decoded, never above the site's
    root; a final "/" kept: it names a folder's page), from a page in `folder`; None for an
    address of another site, a page's own anchor, a scheme, or a path with a control
    character. An attribute value is read as given (its character references are decoded by
    whoever parsed the page)."""
    address = _read(url)
    if address is None:
        return None
    address = _path_of(address)
    if not address or any(unicodedata.category(c) == "Cc" for c in address):
        return None  # a control character (a NUL) names no file a server has
    path = address if address.startswith("/") else posixpath.join("/", folder, address)
    # A browser stops at the site's root: "/../img/a.png" is "/img/a.png".
    path = posixpath.normpath(path).lstrip("/")
    if path in ("", "."):
        return None
    return path + "/" if address.endswith("/") else path


# A web scheme, or none (the page's own, https), and its slashes: a browser skips any number
# after two (`https:///host/` and `///host/` are `https://host/`).
_WEB_SLASHES = re.compile(r"^((?:https?|wss?|ftp):)?//+", re.IGNORECASE)


def as_parsed(url: str) -> str:
    """An address as a browser's URL parser starts reading it: blanks and controls around it
    dropped, tabs and line breaks inside it too, a backslash a slash, the slashes after a web
    scheme (or starting it) two."""
    address = _INSIDE.sub("", url.strip(_AROUND)).replace("\\", "/")
    return _WEB_SLASHES.sub(r"\1//", address, count=1) if "//" in address else address


def _path_of(address: str) -> str:
    """The path of an address, without query or fragment, its percent escapes decoded."""
    return urllib.parse.unquote(address.split("#", 1)[0].split("?", 1)[0])


def _read(url: str) -> str | None:
    """A local address as a URL parser reads it ("https:" without "//" is the page's own
    scheme, dropped); None for another site's or a scheme."""
    address = as_parsed(url)
    own = _OWN_SCHEME.match(address)
    if own:
        return address[own.end() :]
    if not address or address.startswith("//") or _SCHEME.match(address):
        return None
    return address


def leaves_site(url: str, folder: str) -> bool:
    """Whether a local address, from a page in `folder`, starts at its host's root or climbs
    above the site's: on a site served from a folder of its host (a GitHub Pages project site,
    `owner.github.io/repo/`), either names a file of another site."""
    address = _read(url)
    if address is None:
        return False
    path = _path_of(address)
    climbed = posixpath.normpath(posixpath.join(folder, path)).startswith("..")
    return path.startswith("/") or climbed


def srcset_addresses(srcset: str) -> list[str]:
    """The addresses of a srcset: each candidate's, up to its first blank."""
    return [part.split()[0] for part in srcset.split(",") if part.split()]


def is_site_file(path: str) -> bool:
    """Whether a site path names a picture or a document (not a page)."""
    return posixpath.splitext(path)[1].lower() in ASSET_TYPES


def is_generated_page(path: str) -> bool:
    """Whether a site path names a page the pipeline makes (`articles/x.html`, `topics/`,
    `topics.html`), rather than a site page anyone may change."""
    first = path.split("/", 1)[0]
    return any(first in (folder, f"{folder}.md", f"{folder}.html") for folder in GENERATED_FOLDERS)
