"""The files of the site an article shows or hands to its readers: its pictures, and the
pictures and PDFs it links to (all of them files beside the site pages, in content/pages).

An approval signs their bytes with the article's text (`statement.py`): a picture drawn again
after approval (a dose changed on a chart, a fake "Reviewed by the board" box) withdraws the
article as a changed sentence does. The files are read from the article's Markdown, where each
address is resolved as the engines resolve it from the article's page (`articles/<slug>.md` in
the staged site); the audit reads the built page too, so a picture this reading missed fails the
build rather than publishing unsigned.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import urllib.parse

from pipeline.checks.markup import links
from pipeline.content.pages import ASSET_TYPES

# Where an article's Markdown stands in the staged site: its relative addresses start there.
ARTICLE_FOLDER = "articles"
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


def as_parsed(url: str) -> str:
    """An address as a browser's URL parser starts reading it: blanks and controls around it
    dropped, tabs and line breaks inside it too, a backslash a slash."""
    return _INSIDE.sub("", url.strip(_AROUND)).replace("\\", "/")


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


def is_site_file(path: str) -> bool:
    """Whether a site path names a picture or a document (not a page)."""
    return posixpath.splitext(path)[1].lower() in ASSET_TYPES


def shown_files(body: str) -> tuple[str, ...]:
    """The site files an article's Markdown shows (every local image, whatever its type) or
    links to (a picture or a PDF), sorted; code is read too (an address in a code sample
    signs a file more, never one less). Exact for addresses written plainly, the only ones
    `check` lets through (`HTML013`); what it cannot see (a Markdown construct read another
    way) the audit finds on the built page, and the build fails."""
    if "](" not in body and "]:" not in body:
        return ()  # no link, and no definition a reference could name: most articles
    found = set()
    read: dict[int, str | None] = {}  # each address read once, however many links use it
    for link in links(body):
        if link.at not in read:
            read[link.at] = site_path(link.url)
        path = read[link.at]
        if path is not None and (link.image or is_site_file(path)):
            found.add(path)
    return tuple(sorted(found))
