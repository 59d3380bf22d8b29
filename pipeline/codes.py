"""Every diagnostic code, declared once: severity, one-line summary, and the explanation a board
member reads with `python -m pipeline explain CODE`.

A check reports a problem by calling its code, e.g. ``UNKNOWN_KEY(path, line, col, message)``,
so a code's severity cannot drift between the places that use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.diagnostics import Diagnostic, Severity


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    summary: str
    explanation: str

    def __call__(
        self, path: str, line: int, column: int, message: str, hint: str = ""
    ) -> Diagnostic:
        return Diagnostic(path, line, column, self.severity, self.code, message, hint)

    def explain(self) -> str:
        return f"{self.code} ({self.severity}): {self.summary}\n\n{self.explanation.strip()}\n"


REGISTRY: dict[str, Code] = {}


def _declare(code: str, severity: Severity, summary: str, explanation: str) -> Code:
    declared = Code(code, severity, summary, explanation)
    REGISTRY[code] = declared
    return declared


E, W = Severity.ERROR, Severity.WARNING

# --- FM: the article file and its front matter -------------------------------------------

NOT_UTF8 = _declare(
    "FM001",
    E,
    "The article file is not UTF-8 text.",
    """
The pipeline reads every article as UTF-8. This file contains bytes that are not UTF-8, often
because it was saved from a word processor in another encoding (Windows-1252, Latin-1).

How to fix: open the file in your editor and save it again with the encoding "UTF-8".
""",
)
NO_FRONT_MATTER = _declare(
    "FM002",
    E,
    "The article does not start with front matter.",
    """
Every article starts with a block of settings between two lines of three dashes:

    ---
    title: What is the recommended treatment for back spasm?
    status: Submitted
    authors: [jdoe]
    last_updated: 2025-07-28
    ---

How to fix: add that block at the very top of the file (nothing may come before the first `---`).
""",
)
UNCLOSED_FRONT_MATTER = _declare(
    "FM003",
    E,
    "The front matter is opened with `---` but never closed.",
    """
The settings block at the top of the article must end with a line holding only `---`. Without
it, the pipeline cannot tell where the settings stop and the article starts.

How to fix: add a line `---` after the last setting (for example after `last_updated:`).
""",
)
YAML_SYNTAX = _declare(
    "FM004",
    E,
    "The front matter is not valid YAML.",
    """
The settings block is written in YAML, which is strict about colons, indentation and quotes.
Common causes: a title that contains `: ` (put the title in double quotes), a tab used for
indentation (use spaces), a list item without a space after the dash.

Example:  title: "Back pain: what helps?"
""",
)
NOT_A_MAPPING = _declare(
    "FM005",
    E,
    "The front matter must be a list of `key: value` settings.",
    """
The settings block must hold `key: value` lines (title, status, authors, ...). This one holds a
list or a single piece of text instead.

How to fix: write each setting as `key: value` on its own line.
""",
)
MISSING_FIELD = _declare(
    "FM006",
    E,
    "A required front-matter field is missing or empty.",
    """
Every article needs `title`, `status`, `authors` and `last_updated`; from "Under Review" on it
also needs `reviewers`.

How to fix: add the named field to the settings block at the top of the article.
""",
)
UNKNOWN_STATUS = _declare(
    "FM007",
    E,
    "The status is not one of Submitted, Under Review, Approved.",
    """
An article moves through three review steps: `Submitted`, `Under Review`, `Approved`. Upper and
lower case do not matter, but the spelling does. "Published" or "Draft" are not statuses.

How to fix: set `status:` to one of the three names (the message suggests the closest).
""",
)
BAD_DATE = _declare(
    "FM008",
    E,
    "A date is not a real calendar date in the form YYYY-MM-DD.",
    """
Dates are written year-month-day, for example `last_updated: 2025-07-28`. "28/07/2025",
"July 2025" or an impossible date such as 2025-02-30 are not understood.

How to fix: write the date as YYYY-MM-DD.
""",
)
FUTURE_DATE = _declare(
    "FM009",
    E,
    "`last_updated` is in the future.",
    """
`last_updated` says when the article's content was last checked. A date after today cannot be
true, and readers would be misled about how current the article is.

How to fix: set it to the date of the last real update (today at the latest).
""",
)
WRONG_TYPE = _declare(
    "FM010",
    E,
    "A front-matter field has the wrong kind of value.",
    """
Some fields are plain text (`title`, `summary`), some are lists of ids or words (`authors`,
`reviewers`, `tags`, `audience`). A list must be written `[a, b]` or as `- a` lines.

How to fix: give the field the kind of value the message names.
""",
)
UNKNOWN_FIELD = _declare(
    "FM011",
    W,
    "A front-matter field is not one the pipeline knows.",
    """
The pipeline ignores fields it does not know, so a misspelled field ("reviewer" for
"reviewers", "lastupdated") silently does nothing.

How to fix: correct the spelling (the message suggests the closest known field) or remove it.
""",
)
EMPTY_ARTICLE = _declare(
    "FM012",
    E,
    "The article has no text after its front matter.",
    """
An article must answer its question. This file has settings but no body text.

How to fix: write the article below the closing `---`, or delete the file.
""",
)
DUPLICATE_YAML_KEY = _declare(
    "FM013",
    E,
    "A front-matter field is given twice.",
    """
When a field appears twice only one value would be used, and it is not obvious which.

How to fix: keep one of the two lines.
""",
)
YAML_ALIAS = _declare(
    "FM014",
    E,
    "YAML anchors and aliases (`&name`, `*name`) are not allowed in front matter.",
    """
Anchors and aliases let a short YAML text expand into a huge one. Front matter never needs
them, so the pipeline refuses them rather than risk a build that never ends.

How to fix: write the values out in full.
""",
)

# --- CIT: citations in the article body --------------------------------------------------

UNKNOWN_CITATION = _declare(
    "CIT001",
    E,
    "A citation names a key that is not in the reference library.",
    """
Citations are written `[@key]`, where `key` is the key of an entry in `references/*.bib`. This
key is not there: either it is misspelled or the source has not been added yet.

How to fix: correct the key (the message suggests the closest one), or add the source to the
library, e.g. `@article{qaseem2017, author = {...}, title = {...}, ...}`.
""",
)
MALFORMED_CITATION = _declare(
    "CIT002",
    E,
    "A citation bracket is malformed.",
    """
A citation bracket holds one or more `@key` items separated by semicolons, each optionally with a
locator: `[@qaseem2017]`, `[@qaseem2017; @chou2007]`, `[@qaseem2017, p. 12]`. An empty key
(`[@]`) or an empty item (`[@a;]`) is a mistake.

How to fix: complete or remove the empty part. To write a literal `[@` that is not a citation,
put a backslash before the bracket: `\\[@`.
""",
)

# --- BIB: the reference library -----------------------------------------------------------

BIB_PARSE = _declare(
    "BIB001",
    E,
    "An entry in the BibTeX library could not be read.",
    """
The entry starting at this line is not valid BibTeX, most often because of an unbalanced brace,
a missing comma between fields, or a missing closing `}`.

How to fix: compare the entry with a working one:

    @article{qaseem2017,
      author  = {Qaseem, Amir and Wilt, Timothy J.},
      title   = {Noninvasive treatments for low back pain},
      journal = {Annals of Internal Medicine},
      year    = {2017},
    }
""",
)
BIB_DUPLICATE_KEY = _declare(
    "BIB002",
    E,
    "Two library entries share the same key.",
    """
Every entry needs its own key; with two, a citation could point at either source.

How to fix: rename one of the two keys (and the citations meant for it), or delete the duplicate.
""",
)
BIB_NO_LIBRARY = _declare(
    "BIB003",
    E,
    "There is no BibTeX library.",
    """
The pipeline loads every `references/*.bib` file; none was found, so no citation can be checked.

How to fix: add `references/library.bib` with the sources the articles cite.
""",
)
BIB_UNREADABLE = _declare(
    "BIB004",
    E,
    "A BibTeX file is not UTF-8 text.",
    """
The library files are read as UTF-8. This one contains bytes that are not UTF-8.

How to fix: save the file again with the encoding "UTF-8" (reference managers offer it on export).
""",
)

# --- REV: the board and the review workflow ----------------------------------------------

UNKNOWN_MEMBER = _declare(
    "REV001",
    E,
    "A person named in the front matter is not on the board roster.",
    """
`authors`, `reviewers` and `approval.by` name board members by their id in
`references/board.yml` (e.g. `asmith`).

How to fix: correct the id (the message suggests the closest) or add the person to the roster.
""",
)
APPROVAL_MISSING = _declare(
    "REV002",
    E,
    "An Approved article has no valid approval record.",
    """
An article becomes Approved only through `python -m pipeline approve ARTICLE --by ID`, which
records who approved it, when, and a fingerprint of the approved text. Setting `status: Approved`
by hand is not enough, and the article is not published.

How to fix: ask a reviewer to run the approve command.
""",
)
FINGERPRINT_MISMATCH = _declare(
    "REV003",
    E,
    "An Approved article was changed after it was approved.",
    """
The title or text no longer matches what the reviewer approved (the approval fingerprint), so
the article is not published until it is approved again. Changing tags or other settings does
not count; changing the title or body does.

How to fix: ask a reviewer to check the change and run `python -m pipeline approve ARTICLE --by ID`
again, or undo the edit.
""",
)
APPROVER_NOT_ALLOWED = _declare(
    "REV004",
    E,
    "The approver may not approve this article.",
    """
An approver must be a board member with the `reviewer` role, and must not be one of the article's
authors: nobody approves their own work.

How to fix: ask another reviewer to approve the article.
""",
)
BOARD_INVALID = _declare(
    "REV005",
    E,
    "The board roster `references/board.yml` is missing or invalid.",
    """
The roster lists the Medical Advisory Board:

    members:
      - id: asmith
        name: Alice Smith
        credentials: MD, FACP
        specialty: Internal medicine
        roles: [author, reviewer]

How to fix: correct the entry the message names (ids unique, name and credentials present,
roles among author and reviewer).
""",
)
REVIEW_OVERDUE = _declare(
    "REV006",
    W,
    "The article is past its review date.",
    """
Each article is reviewed again by `next_review` (by default 12 months after `last_updated`).
This one is overdue; readers see a "review overdue" note until it is reviewed.

How to fix: have the article reviewed and approved again, which updates `last_updated`.
""",
)

# --- DIS: the medical disclaimer ---------------------------------------------------------

DISCLAIMER_MISSING = _declare(
    "DIS001",
    E,
    "The canonical disclaimer `references/disclaimer.md` is missing or empty.",
    """
Every published article carries the one Professional Medical Disclaimer kept in
`references/disclaimer.md`. Without it nothing can be published.

How to fix: restore `references/disclaimer.md` (see its history in git) with the board's text.
""",
)

# --- HTML: raw markup in articles --------------------------------------------------------

RESERVED_ID = _declare(
    "HTML001",
    E,
    "The article uses markup reserved for the disclaimer or review status.",
    """
The disclaimer (`id="medical-disclaimer"`) and the review status (`id="review-status"`) are added
by the pipeline. An article may not add, hide or replace them with its own HTML.

How to fix: remove the HTML element with that id from the article.
""",
)

# --- PUB: publishing and the audit of the built site -------------------------------------

LEAK = _declare(
    "PUB001",
    E,
    "Text of an article that is not approved was found in the built site.",
    """
Only Approved articles may appear on the site, in any form (page, search index, sitemap).
The audit found text of a non-approved article in the output, so the build was stopped and the
previous site left as it was.

How to fix: this is a fault in the pipeline or a theme change, not in the article. Report it.
""",
)
PAGE_INCOMPLETE = _declare(
    "PUB002",
    E,
    "A published article page lacks the disclaimer or the review status.",
    """
Every article page must show the canonical disclaimer (`#medical-disclaimer`) and the review
status (`#review-status`). The audit found a page without one of them, so the build was stopped.

How to fix: this is a fault in the templates or the pipeline, not in the article. Report it.
""",
)
RENDER_FAILED = _declare(
    "PUB003",
    E,
    "The site could not be rendered.",
    """
MkDocs stopped while rendering the site. The message repeats what MkDocs said. The previous
site is left as it was.

How to fix: follow the message; a broken link or a missing page is the usual cause.
""",
)
