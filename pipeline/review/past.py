"""Approvals as they were: a committed version of an article, checked against the library and
the site files of its own commit.

An approval record in git history is only text someone committed. `history` and "Changes to
this page" show a past approval as verified only when its signature holds for that version's
text and that commit's library and files, made by a key on today's roster (a key removed since
withdraws what it signed, as it does for the article today).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline import git
from pipeline.cache import Cache
from pipeline.citations.scan import cited_keys
from pipeline.content.addresses import is_site_file
from pipeline.content.articles import front_matter, parse_article
from pipeline.content.files import readable
from pipeline.content.library import parse_library, resolve_crossrefs
from pipeline.content.pages import PAGES_DIR, site_file_digest
from pipeline.content.shown import shown_files
from pipeline.model import Article, Board, Entry, Library, ReviewStatus
from pipeline.review.approvals import ApprovalCheck, check_approvals
from pipeline.review.signatures import signature_id

LIBRARY_DIR = "references"
_READ_FOLDERS = (LIBRARY_DIR, PAGES_DIR)  # what an approval reads at its commit, besides its text


class PastInputs:
    """What approvals read besides the article, at any commit: the library (each .bib file's
    version parsed once, each distinct set of them resolved once) and the files beside the
    site pages. A file no later commit changed is not parsed again for each version of another
    file: with a large file of sources beside library.bib, every later approval made every build
    slower by the time that file takes."""

    def __init__(self, root: Path, cache: Cache | None = None) -> None:
        self.root = root
        self._by_blobs: dict[tuple[tuple[str, str], ...], Library] = {}
        self._parsed: dict[tuple[str, str], list[Entry]] = {}
        self._files: dict[str, CommittedFiles] = {}
        self.cache = cache
        # (commit, folder) -> the folder's id there: the same id, the same files. A folder
        # git did not name (none there, or git failed) is known by its commit alone.
        self._folders: dict[tuple[str, str], str] = {}
        self._listed: dict[str, tuple[tuple[str, str], ...]] = {}  # library folder id -> files
        self._board: tuple[Board, str] | None = None  # the board, and it as `_same_everywhere`

    def know(self, commits: Iterable[str]) -> None:
        """Read the ids of the library's folder and the site pages' at each of `commits` with
        one git process, so that each distinct library is listed once (a thousand approvals
        made in a thousand commits cost a thousand `git ls-tree` processes, 2 s, where the
        library changed in a few)."""
        wanted = [c for c in dict.fromkeys(commits) if (c, LIBRARY_DIR) not in self._folders]
        names = [f"{commit}:{folder}" for commit in wanted for folder in _READ_FOLDERS]
        found = git.object_ids(self.root, names)
        for commit in wanted:
            for folder in _READ_FOLDERS:
                self._folders[commit, folder] = found.get(f"{commit}:{folder}", f"at {commit}")

    def checks(
        self, path: str, text: str, commit: str, board: Board, today: dt.date
    ) -> tuple[ApprovalCheck, ...]:
        """`checks_at`, kept between runs in `cache` under what it reads: the version's path
        and text, the library and the site pages' files of its commit (by their folders'
        ids), the board and the day. Every build checks every reviewed version of every
        article again, and most never change. Only results whose approvals all hold are kept:
        a read of git that failed (a timeout, an object missing from a partial clone) reads
        as an approval that does not hold, and is read again next time."""
        self.know([commit])
        library, pages = (self._folders[commit, folder] for folder in _READ_FOLDERS)
        if self._board is None or self._board[0] is not board:
            self._board = (board, _same_everywhere(board))
        parts = (path, text, library, pages, self._board[1], today.isoformat())

        def compute() -> tuple[ApprovalCheck, ...]:
            return checks_at(path, text, commit, board, self, today)

        if self.cache is None:
            return compute()
        return self.cache.memo("past", parts, compute, keep=_all_hold)

    def files(self, commit: str) -> CommittedFiles:
        if commit not in self._files:
            self._files[commit] = CommittedFiles(self.root, commit)
        return self._files[commit]

    def library(self, commit: str) -> Library:
        self.know([commit])
        folder = self._folders[commit, LIBRARY_DIR]
        if folder not in self._listed:
            self._listed[folder] = tuple(sorted(library_blobs(self.root, commit)))
        files = self._listed[folder]
        if files not in self._by_blobs:
            new = [(path, blob) for path, blob in files if (path, blob) not in self._parsed]
            texts = git.objects(self.root, [blob for _, blob in new])
            for path, blob in new:
                # Read whole, as it was read when committed: a library past today's limit (or
                # one committed before it) still verifies the approvals made with it.
                text = texts.get(blob, "")
                self._parsed[path, blob] = parse_library(path, text, limited=False)[0]
            entries: dict[str, Entry] = {}
            for found in files:
                for entry in self._parsed[found]:
                    entries.setdefault(entry.key, entry)
            self._by_blobs[files] = Library(resolve_crossrefs(entries)[0])
        return self._by_blobs[files]


def _all_hold(checks: tuple[ApprovalCheck, ...]) -> bool:
    return all(check.verified for check in checks)


def _same_everywhere(board: Board) -> str:
    """The board as text that is the same in every process (a set's repr is not)."""
    return json.dumps(
        dataclasses.asdict(board),
        sort_keys=True,
        default=lambda value: sorted(value) if isinstance(value, frozenset) else str(value),
    )


def library_blobs(root: Path, commit: str) -> list[tuple[str, str]]:
    """(path, blob) of each library file at `commit`, read as the project reads the library
    now: `references/*.bib`, not a folder below (a copy of a cited entry, altered, in
    references/archive/ made every later approval read as changed)."""
    return [
        (path, blob)
        for path, blob in git.blobs_at(root, commit, LIBRARY_DIR)
        if path.endswith(".bib") and "/" not in path[len(LIBRARY_DIR) + 1 :]
    ]


class CommittedFiles(dict[str, str]):
    """The digests of the files beside the site pages at a commit (as `SitePages.digests`),
    read (`read`) for the files an article shows; a path of no picture or document type is
    left out, as in the project (a file the checks refused there is read all the same: it
    failed that commit's build)."""

    def __init__(self, root: Path, commit: str) -> None:
        super().__init__()
        self.root, self.commit = root, commit

    def read(self, paths: Iterable[str]) -> None:
        """Digest the files at `paths` not read yet, all with one git process."""
        wanted = [p for p in dict.fromkeys(paths) if p not in self and is_site_file(p)]
        names = {f"{self.commit}:{PAGES_DIR}/{path}": path for path in wanted}
        found = git.blobs(self.root, list(names))
        for name, path in names.items():
            self[path] = site_file_digest(found[name], path) if name in found else "none"


def checks_at(
    path: str, text: str, commit: str, board: Board, past: PastInputs, today: dt.date
) -> tuple[ApprovalCheck, ...]:
    """The approvals a committed version carries, each checked as it was committed."""
    article, _ = parse_article(path, text, today)
    if article is None or not article.approvals:
        return ()
    cited = cited_keys(article)
    files = past.files(commit)
    files.read(shown_files(article.body))
    return check_approvals(article, board, past.library(commit), cited, files)[0]


@dataclass(frozen=True)
class AtBase:
    """What the base branch of a pull request says of one article (`check --base`)."""

    article: Article | None  # as it was there (or just before it was deleted there)
    published: bool  # it was there, Approved
    valid: frozenset[str]  # the signatures of its approvals that held there, when published


class BaseBranch:
    """The base branch of a pull request as `check --base` compares articles with it: every
    article's text there read by one git process, and its library read once."""

    def __init__(self, root: Path, ref: str, paths: list[str]) -> None:
        self.root, self.ref = root, ref
        # Each article's text there, by its path.
        self.texts = {p: git.committed(d) for p, d in git.files_at(root, ref, paths).items()}
        self.past = PastInputs(root)
        bib = [path for path, _ in library_blobs(root, ref)]
        now = sorted(p.relative_to(root).as_posix() for p in (root / LIBRARY_DIR).glob("*.bib"))
        there = {p: git.committed(d) for p, d in git.files_at(root, ref, bib).items()}
        # The library as it is now and there: the same files, read alike (a link is none).
        self.same_library = sorted(bib) == now and all(
            readable(root, root / path)
            and git.committed((root / path).read_bytes()) == there.get(path)
            for path in now
        )

    def article(
        self, path: str, then: str, board: Board, today: dt.date, now: tuple[str, frozenset[str]]
    ) -> AtBase:
        """The article at `path` (named `then` on the base), its approvals checked as there (its
        text, that commit's library, as this article). `now`: its text in the change and the
        signatures that hold for it, which hold there too when text and library are the same."""
        there = self.texts.get(then)
        text = there if there is not None else git.last_text(self.root, self.ref, then)
        article = parse_article(path, text, today)[0] if text is not None else None
        if there is None or article is None or article.status is not ReviewStatus.APPROVED:
            return AtBase(article, False, frozenset())
        # An article that shows files is checked with those of the base, always.
        if there == now[0] and self.same_library and not shown_files(article.body):
            return AtBase(article, True, now[1])
        checks = checks_at(path, there, self.ref, board, self.past, today)
        return AtBase(article, True, frozenset(c.signature for c in checks if c.verified))


def committed_signatures(root: Path, base: str, paths: tuple[str, ...]) -> frozenset[str]:
    """Every approval signature the files at `paths` ever carried in `base`'s history (by
    `signature_id`)."""
    found: set[str] = set()
    for text in (t for path in dict.fromkeys(paths) for t in git.past_texts(root, base, path)):
        value = front_matter(text).get("approval")
        for record in value if isinstance(value, list) else [value]:
            if isinstance(record, dict) and isinstance(record.get("signature"), str):
                found.add(signature_id(record["signature"]))
    return frozenset(found)
