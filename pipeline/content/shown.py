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


def site_path(url: str, folder: str = ARTICLE_FOLDER) -> str | None:
    """The site-relative path a local address names, read as a browser's URL parser and a
    server read it (blanks and controls around it dropped, tabs and line breaks inside it too, a
    backslash a slash, no query or fragment, percent escapes decoded, never above the site's
    root; a final "/" kept: it names a folder's page), from a page in `folder`; None for an
    address of another site, a page's own anchor, or a scheme. An attribute value is read as
    given (its character references are decoded by whoever parsed the page)."""
    address = _INSIDE.sub("", url.strip(_AROUND)).replace("\\", "/")
    if not address or address.startswith("//") or _SCHEME.match(address):
        return None
    address = urllib.parse.unquote(address.split("#", 1)[0].split("?", 1)[0])
    if not address:
        return None
    path = address if address.startswith("/") else posixpath.join("/", folder, address)
    # A browser stops at the site's root: "/../img/a.png" is "/img/a.png".
    path = posixpath.normpath(path).lstrip("/")
    if path in ("", "."):
        return None
    return path + "/" if address.endswith("/") else path


def is_site_file(path: str) -> bool:
    """Whether a site path names a picture or a document (not a page)."""
    return posixpath.splitext(path)[1].lower() in ASSET_TYPES


def shown_files(body: str) -> tuple[str, ...]:
    """The site files an article's Markdown shows (every local image, whatever its type) or
    links to (a picture or a PDF), sorted; code is read too (an address in a code sample
    signs a file more, never one less). Exact for addresses written plainly, the only ones
    `check` lets through (`HTML013`)."""
    if "](" not in body and "]:" not in body:
        return ()  # no link, and no definition a reference could name: most articles
    found = set()
    for link in links(body):
        path = site_path(link.url)
        if path is not None and (link.image or is_site_file(path)):
            found.add(path)
    return tuple(sorted(found))
