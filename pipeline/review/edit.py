"""Rewriting front-matter keys in place, leaving every other byte of the file as it was.

Commands such as `approve` own a few keys (status, last_updated, approval); a board member's
comments, key order and body must survive them untouched, so the file is edited as text rather
than re-serialised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# A line that opens or closes front matter, as the article loader reads one (`----` too).
_BOUNDARY = re.compile(r"-{3,}\s*")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def set_keys(text: str, values: Mapping[str, str]) -> str:
    """Replace (or add before the closing `---`) each top-level key with its rendered YAML.

    `values` maps a key to its full YAML rendering without the key, e.g. {"status": " Approved"}
    or {"approval": "\\n  by: asmith\\n  on: 2026-01-05"}. `text` must open with front matter.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = text.removeprefix(bom).replace("\r\n", "\n").split("\n")
    if not lines or not _BOUNDARY.fullmatch(lines[0]):
        raise ValueError("the file does not start with front matter")
    close = next((i for i in range(1, len(lines)) if _BOUNDARY.fullmatch(lines[i])), None)
    if close is None:
        raise ValueError("the front matter is never closed")
    for key, rendered in values.items():
        new = f"{key}:{rendered}".split("\n")
        start = next(
            (i for i in range(1, close) if (m := _TOP_KEY.match(lines[i])) and m.group(1) == key),
            None,
        )
        if start is None:
            lines[close:close] = new
            close += len(new)
            continue
        end = start + 1
        while end < close and (lines[end][:1] in (" ", "\t", "-") or not lines[end].strip()):
            if not lines[end].strip() and not any(
                lines[k][:1] in (" ", "\t") for k in range(end + 1, close)
            ):
                break
            end += 1
        lines[start:end] = new
        close += len(new) - (end - start)
    return bom + newline.join(lines)
