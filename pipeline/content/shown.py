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

import functools

from pipeline.checks.markup import links
from pipeline.content.addresses import is_site_file, site_path


# The same text is read twice in a row as a project loads (for its cache key, then for what its
# approvals sign): the second reading is the first's result.
@functools.lru_cache(maxsize=8)
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
