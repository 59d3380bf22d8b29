"""A Content-Security-Policy on every page: the site's own scripts, styles, images and fonts only.

GitHub Pages sends no headers of ours, so the policy travels in each page, as the first element
of its head (a policy given by `<meta http-equiv>` covers what comes after it). Scripts must come
from the site itself; the only inline scripts allowed (by their SHA-256 hashes) are the ones the
theme's own templates write (setting up its storage, restoring the reader's colour scheme), read
from the installed theme (`Theme`), never from the project. A script anywhere else in a page
(in its content, or printed into the page by a template or a setting) gets no hash, so the
browser refuses to run it, and the audit fails the page. Hashing whatever scripts a page
happens to hold would allow any script a template could be made to print. This is a step of the
core, run on the output of whichever engine rendered the site, before the audit.

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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# A script element as a browser ends it: at "</script" followed by a space, "/" or ">". Where a
# start tag reads differently (a ">" inside a quoted attribute), the body read here is not one
# the theme writes, so it gets no hash and fails the audit: reading wrong only refuses more.
_SCRIPT_OPEN = re.compile(r"<script\b", re.I)
_SCRIPT_TAG_END = re.compile(r"[^>]*>")
_SCRIPT_CLOSE = re.compile(r"</script(?=[\s/>])", re.I)
# A name is anything up to a space, "/", ">" or "=" (a quote too: `a"type=` is one name).
_ATTRIBUTE = re.compile(r"""([^\s/>=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
_HEAD = re.compile(r"<head(?:\s[^<>]*)?>", re.I)
# Data blocks a browser never runs: the theme's settings and the JSON-LD. A script of any other
# type is taken for one that runs (browsers run more types than the usual one, and any such
# type may be added to the list in the HTML standard).
DATA_TYPES = frozenset({"application/json", "application/ld+json"})
# What a template prints into its scripts (`{{ base_url }}`, `extra.scope`): text that cannot
# end the string it stands in, or escape or interpolate anything in it (a path, an address).
_PRINTED = re.compile(r"\{\{.*?\}\}", re.S)
_VALUE = r"""[^"'`$\\<>\s]*"""


@dataclass(frozen=True)
class Theme:
    """What the page policy must know of the theme an engine renders with."""

    scripts: re.Pattern[str] | None  # the inline scripts its templates write (None: none)
    inline_stylesheets: bool = False  # its scripts write <style> elements (see above)

    def writes(self, script: str) -> bool:
        return self.scripts is not None and self.scripts.fullmatch(script) is not None


def theme(templates: Path | None, inline_stylesheets: bool = False) -> Theme:
    """The theme whose inline scripts are those of the templates in the folder `templates` (an
    installed theme's own folder: the project's overrides may not add one), each printed value
    text that cannot leave its string."""
    patterns = []
    for path in sorted(templates.glob("*.html")) if templates else ():
        for attributes, body in scripts(path.read_text("utf-8")):
            if not attributes.strip():
                patterns.append(_VALUE.join(map(re.escape, _PRINTED.split(body))))
    written = re.compile("|".join(f"(?:{p})" for p in patterns), re.S) if patterns else None
    return Theme(written, inline_stylesheets)


def scripts(page: str) -> Iterator[tuple[str, str]]:
    """Each script element's attributes and body, in page order, in one pass: once one is never
    closed, no later one is either (a pattern that looked for the end again from every opening
    was quadratic: 80,000 openings in a picture's comment took 15 s to build)."""
    at = 0
    while (opening := _SCRIPT_OPEN.search(page, at)) is not None:
        tag = _SCRIPT_TAG_END.match(page, opening.end())
        closing = _SCRIPT_CLOSE.search(page, tag.end()) if tag else None
        end = page.find(">", closing.end()) if closing else -1
        if tag is None or closing is None or end < 0:
            return
        yield page[opening.end() : tag.end() - 1], page[tag.end() : closing.start()]
        at = end + 1


def attributes(tag: str) -> dict[str, str]:
    """A start tag's attributes as a browser reads them: names in lower case, the first of a
    name twice counts."""
    found: dict[str, str] = {}
    for name, *values in _ATTRIBUTE.findall(tag):
        found.setdefault(name.lower(), next((v for v in values if v), ""))
    return found


def inline_scripts(page: str) -> Iterator[str]:
    """The bodies of the inline scripts a browser may run, in page order."""
    for tag, body in scripts(page):
        given = attributes(tag)
        if "src" not in given and given.get("type", "").strip().lower() not in DATA_TYPES:
            yield body


def script_hashes(page: str, theme: Theme) -> list[str]:
    """The CSP hashes of the theme's own inline scripts in the page, in page order."""
    found: list[str] = []
    for body in inline_scripts(page):
        if theme.writes(body):
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


def add_policy(page: str, theme: Theme) -> str:
    """The page with its policy as the first element of its head (unchanged without a head)."""
    head = _HEAD.search(page)
    if head is None:
        return page
    policy_meta = meta(script_hashes(page, theme), theme.inline_stylesheets)
    return page[: head.end()] + policy_meta + page[head.end() :]


def add_policies(site: Path, theme: Theme) -> None:
    """Give every HTML page of a built site its policy."""
    for path in sorted(site.rglob("*.html")):
        if path.is_symlink() or not path.is_file():
            continue
        page = path.read_text("utf-8")
        path.write_text(add_policy(page, theme), "utf-8")
