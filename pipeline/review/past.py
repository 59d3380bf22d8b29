"""Approvals as they were: a committed version of an article, checked against the library of
its own commit.

An approval record in git history is only text someone committed. `history` and "Changes to
this page" show a past approval as verified only when its signature holds for that version's
text and that commit's library, made by a key on today's roster (a key removed since withdraws
what it signed, as it does for the article today).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import git
from pipeline.citations.scan import cited_keys
from pipeline.content.articles import parse_article
from pipeline.content.library import parse_library, resolve_crossrefs
from pipeline.model import Board, Entry, Library
from pipeline.review.approvals import ApprovalCheck, check_approvals

LIBRARY_DIR = "references"


class PastLibraries:
    """The library at any commit, each distinct set of .bib files parsed once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._by_blobs: dict[tuple[tuple[str, str], ...], Library] = {}

    def at(self, commit: str) -> Library:
        files = tuple(
            sorted(
                (path, blob)
                for path, blob in git.blobs_at(self.root, commit, LIBRARY_DIR)
                if path.endswith(".bib")
            )
        )
        if files not in self._by_blobs:
            texts = git.objects(self.root, [blob for _, blob in files])
            entries: dict[str, Entry] = {}
            for path, blob in files:
                for entry in parse_library(path, texts.get(blob, ""))[0]:
                    entries.setdefault(entry.key, entry)
            self._by_blobs[files] = Library(resolve_crossrefs(entries)[0])
        return self._by_blobs[files]


def checks_at(
    path: str, text: str, commit: str, board: Board, libraries: PastLibraries, today: dt.date
) -> tuple[ApprovalCheck, ...]:
    """The approvals a committed version carries, each checked as it was committed."""
    article, _ = parse_article(path, text, today)
    if article is None or not article.approvals:
        return ()
    return check_approvals(article, board, libraries.at(commit), cited_keys(article))[0]
