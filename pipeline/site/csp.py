"""A Content-Security-Policy on every page: the site's own scripts, styles, images and fonts only.

GitHub Pages sends no headers of ours, so the policy travels in each page, as the first element
of its head (a policy given by `<meta http-equiv>` covers what comes after it). Scripts must come
from the site itself; the few inline scripts the theme writes (setting up its storage, restoring
the reader's colour scheme) are allowed by their SHA-256 hashes. Only scripts outside the page's
own content are hashed: the templates mark where the content (the article's text, or a site
page's) begins and ends, and no script inside it is ever allowed, so HTML that slipped past the
checks and the sanitizer still could not run. This is a step of the core, run on the output of
whichever engine rendered the site, before the audit.

Stylesheets come from the site too. An engine whose theme writes a `<style>` element from its
script (Zensical's search dialog does: that stylesheet is in no page, so no hash of it can be
taken here) says so in its adapter (`INLINE_STYLESHEETS`), and its pages then allow inline
`<style>` elements: such a stylesheet can neither run code nor load anything from another site,
style attributes stay refused, and no `<style>` reaches a page's content (`HTML002`, and the
sanitizer removes it). Pages of other engines allow none, so a stylesheet that slipped in could
not hide the disclaimer.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

# The templates write these around the page's content; the sanitizer removes every comment an
# author writes, so no content can forge them.
CONTENT_START = "<!-- pipeline:content -->"
CONTENT_END = "<!-- /pipeline:content -->"
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
# Types a browser runs as script (an absent type, or a JavaScript one); JSON and JSON-LD blocks
# are data and need no hash.
_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


def theme_script_hashes(page: str) -> list[str]:
    """The CSP hashes of the inline scripts outside the page's content, in page order."""
    start, end = page.find(CONTENT_START), page.rfind(CONTENT_END)
    found: list[str] = []
    for script in _SCRIPT.finditer(page):
        attributes, body = script.group(1), script.group(2)
        if re.search(r"\bsrc\s*=", attributes, re.I):
            continue
        kind = _TYPE.search(attributes)
        if (kind.group(1).lower() if kind else "") not in _SCRIPT_TYPES:
            continue
        if start != -1 and end != -1 and start < script.start() < end:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        found.append(f"'sha256-{digest}'")
    return list(dict.fromkeys(found))


def policy(hashes: list[str], inline_stylesheets: bool = False) -> str:
    scripts = " ".join(["'self'", *hashes])
    # See the module docstring; style attributes stay under style-src either way.
    elements = "style-src-elem 'self' 'unsafe-inline'; " if inline_stylesheets else ""
    return (
        "default-src 'self'; "
        f"script-src {scripts}; "
        "style-src 'self'; "
        f"{elements}"
        # The theme's icons are small SVG data: addresses in its stylesheet.
        "img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
        "object-src 'none'; frame-src 'none'; base-uri 'self'; form-action 'none'"
    )


def meta(hashes: list[str], inline_stylesheets: bool = False) -> str:
    content = policy(hashes, inline_stylesheets)
    return f'<meta http-equiv="Content-Security-Policy" content="{content}">'


def add_policy(page: str, inline_stylesheets: bool = False) -> str:
    """The page with its policy as the first element of its head (unchanged without a head)."""
    head = _HEAD.search(page)
    if head is None:
        return page
    policy_meta = meta(theme_script_hashes(page), inline_stylesheets)
    return page[: head.end()] + policy_meta + page[head.end() :]


def add_policies(site: Path, inline_stylesheets: bool = False) -> None:
    """Give every HTML page of a built site its policy."""
    for path in sorted(site.rglob("*.html")):
        if path.is_symlink() or not path.is_file():
            continue
        page = path.read_text("utf-8")
        path.write_text(add_policy(page, inline_stylesheets), "utf-8")
