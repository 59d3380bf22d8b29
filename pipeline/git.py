"""The git adapter: the few questions the pipeline asks of a repository's history.

Every call runs `git` in the project folder; a GitError carries a message for board members.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.content.files import decode


class GitError(Exception):
    pass


def _git(root: Path, *args: str) -> str:
    return _run(root, *args).decode("utf-8", errors="replace")


def committed(data: bytes) -> str:
    """A committed file's text as the pipeline reads the file on disk (`decode`: composed,
    LF, without STX and ETX), a byte that is not UTF-8 a replacement character: a base
    branch's article read otherwise (an STX YAML refuses) had no approvals to compare."""
    text = decode(data)
    return text if text is not None else decode(data.decode("utf-8", "replace").encode()) or ""


def _run(root: Path, *args: str) -> bytes:
    try:
        # Files are read as the pipeline reads them: a byte that is not UTF-8 is a replacement
        # character, never an exception (one in a committed file stopped every later check).
        # Read as bytes, line ends untouched: in text mode a carriage return in a commit's
        # author name ended a line, and the record after it was read as another.
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", errors="replace").strip()
        raise GitError(said or f"git {args[0]} failed")
    return done.stdout


def has_ref(root: Path, ref: str) -> bool:
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        return False
    return True


def file_at(root: Path, ref: str, path: str) -> str | None:
    """The file's text at `ref` (read as `committed`), or None when it did not exist there."""
    try:
        return committed(_run(root, "show", f"{ref}:{path}"))
    except GitError:
        return None


def last_text(root: Path, ref: str, path: str) -> str | None:
    """The newest text `path` had in `ref`'s history: at `ref`, or just before the commit that
    deleted it (an article deleted in one change and brought back in the next is compared with
    what it was)."""
    found = file_at(root, ref, path)
    if found is not None:
        return found
    deleted = _git(root, "log", "--format=%H", "-n", "1", ref, "--", path).split()
    return file_at(root, f"{deleted[0]}^", path) if deleted else None


def past_texts(root: Path, ref: str, path: str) -> list[str]:
    """Every text `path` had in `ref`'s history, side branches merged into it included (an
    approval added on a branch and dropped in the merge was committed all the same)."""
    try:
        commits = _git(root, "log", "--full-history", "--format=%H", ref, "--", path).split()
    except GitError:
        return []
    return list(objects(root, [f"{commit}:{path}" for commit in commits]).values())


def renames_since(root: Path, ref: str, folder: str) -> dict[str, str]:
    """{path now: path at ref} for files renamed since `ref`."""
    out = _git(root, "diff", "--find-renames", "--name-status", ref, "--", folder)
    renames = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if parts[0].startswith("R") and len(parts) == 3:
            renames[parts[2]] = parts[1]
    return renames


@dataclass(frozen=True)
class Version:
    commit: str
    date: str  # YYYY-MM-DD of the commit
    author: str
    path: str  # the file's path in that commit
    text: str


_VERSION = re.compile("\x00\x00([0-9a-f]{40,64})\x00([^\x00]*)\x00([^\x00]*)\x00([^\x00]*)")


def versions(root: Path, path: str) -> list[Version]:
    """Every committed version of a file, oldest first, following renames."""
    out = _git(
        root,
        "log",
        "--follow",
        # NUL between fields and records: the one character a commit's author name cannot
        # hold (one holding \x1e or \x1f split the record and crashed `history`).
        "--format=%x00%x00%H%x00%ad%x00%an%x00",
        "--date=short",
        "--name-only",
        "--",
        path,
    )
    found = []
    # Read record by record from the commit's id: an empty author name is two NULs too.
    for record in _VERSION.finditer(out):
        commit, date, author, names = record.groups()
        name = next((n for n in names.splitlines() if n.strip()), path)
        text = file_at(root, commit, name)
        if text is not None:
            found.append(Version(commit, date, author, name, text))
    return list(reversed(found))


def blobs_at(root: Path, ref: str, folder: str) -> list[tuple[str, str]]:
    """(path, blob id) of each file under `folder` at `ref` ("." for all): two commits with the
    same blobs hold the same files."""
    try:
        out = _git(root, "ls-tree", "-r", "-z", ref, "--", folder)
    except GitError:
        return []
    found = []
    for line in out.split("\0"):
        info, _, path = line.partition("\t")
        parts = info.split()
        if len(parts) == 3 and parts[1] == "blob":
            found.append((path, parts[2]))
    return found


@dataclass(frozen=True)
class Revision:
    """One committed version of a file: the commit, its date, and the file's path then."""

    commit: str
    date: str  # YYYY-MM-DD
    path: str
    blob: str = ""  # the file's object id then ("" when not known)


def revisions(root: Path, folder: str, paths: list[str]) -> dict[str, list[Revision]]:
    """Every committed version of each file in `paths` (under `folder`), oldest first, renames
    followed, from one `git log` of the whole folder (not one per file: a thousand articles
    would cost a thousand processes). Empty when `root` is not a git repository."""
    try:
        out = _git(
            root,
            "log",
            "--format=%x1e%H%x1f%ad",
            "--date=short",
            "--raw",
            "--no-abbrev",
            "-M",
            "--",
            folder,
        )
    except GitError:
        return {}
    # Newest commit first: walk back, keeping for each current path its name at each commit.
    current = {path: path for path in paths}  # name at the commit being read -> current path
    found: dict[str, list[Revision]] = {path: [] for path in paths}
    for record in out.split("\x1e")[1:]:
        header, _, changes = record.partition("\n")
        commit, date = header.split("\x1f")
        for line in changes.splitlines():
            # `:old-mode new-mode old-blob new-blob status<TAB>path[<TAB>new path]`
            parts = line.split("\t")
            fields = parts[0].split()
            if len(parts) < 2 or len(fields) != 5 or not line.startswith(":"):
                continue
            blob, status, name = fields[3], fields[4], parts[-1]
            owner = current.get(name)
            if owner is None or status.startswith("D"):
                continue
            found[owner].append(Revision(commit, date, name, blob))
            if status.startswith("R") and len(parts) == 3:
                del current[name]
                current[parts[1]] = owner
    return {path: list(reversed(versions)) for path, versions in found.items() if versions}


def texts(root: Path, revisions: list[Revision]) -> dict[Revision, str]:
    """The file text of each revision, read by one `git cat-file --batch` process, by its
    object id where known (git finds `COMMIT:PATH` by reading the folder's listing, so 5,000
    articles in one folder cost 25 million comparisons, 5.9 s)."""
    names = {r: r.blob or f"{r.commit}:{r.path}" for r in revisions}
    found = objects(root, list(names.values()))
    return {r: found[name] for r, name in names.items() if name in found}


def objects(root: Path, names: list[str]) -> dict[str, str]:
    """The text of each blob named (`COMMIT:PATH` or a blob id), read by one
    `git cat-file --batch` process (as `committed`); a name git does not know is left out."""
    return {name: committed(data) for name, data in blobs(root, names).items()}


def tracked(root: Path, folder: str) -> list[str] | None:
    """The paths of the files git tracks under `folder` (as the next commit would hold them);
    None outside a git repository."""
    try:
        out = _git(root, "ls-files", "-z", "--", folder)
    except GitError:
        return None
    return [path for path in out.split("\0") if path]


def files_at(root: Path, ref: str, paths: Sequence[str]) -> dict[str, bytes]:
    """The bytes of each of `paths` that is a file at `ref`, read by their object ids from one
    listing of the ref's tree: git finds a `REF:PATH` by reading its folder's listing, so the
    5,000 articles of a folder read by name cost `check --base` 17 s."""
    wanted = set(paths)
    ids = {path: blob for path, blob in blobs_at(root, ref, ".") if path in wanted}
    found = blobs(root, list(dict.fromkeys(ids.values())))
    return {path: found[blob] for path, blob in ids.items() if blob in found}


def object_ids(root: Path, names: list[str]) -> dict[str, str]:
    """The id of each object named (`COMMIT:PATH`), read by one `git cat-file --batch-check`
    process: two commits whose folder has the same id hold the same files there. A name git
    does not know is left out."""
    wanted = [name for name in dict.fromkeys(names) if "\n" not in name]
    if not wanted:
        return {}
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch-check=%(objectname)"],
            cwd=root,
            input="".join(f"{name}\n" for name in wanted).encode(),
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return {}
    lines = done.stdout.decode("utf-8", errors="replace").split("\n")
    # One line a name: the id, or the name followed by "missing" (or "ambiguous").
    return {
        name: line
        for name, line in zip(wanted, lines, strict=False)
        if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", line)
    }


def blobs(root: Path, names: list[str]) -> dict[str, bytes]:
    """The bytes of each blob named (`COMMIT:PATH` or a blob id), read by one
    `git cat-file --batch` process; a name git does not know is left out."""
    if not names:
        return {}
    request = "".join(f"{name}\n" for name in names).encode()
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=root,
            input=request,
            capture_output=True,
            check=False,
            timeout=300,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return {}
    data, at, found = done.stdout, 0, {}
    for name in names:
        end = data.find(b"\n", at)
        if end == -1:
            break
        header = data[at:end].split()
        at = end + 1
        if len(header) == 3 and header[2].isdigit():
            # Every object's content is skipped, not only a blob's: a gitlink committed at an
            # article's path names a commit, whose message could hold a line like a header.
            size = int(header[2])
            if header[1] == b"blob":
                found[name] = data[at : at + size]
            at += size + 1
        elif not header or header[-1] not in (b"missing", b"ambiguous"):
            break  # not a header git writes: nothing after it can be placed
    return found
