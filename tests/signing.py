"""Real SSH keys and signatures for test projects.

Tests make their own keys with ssh-keygen in a temporary folder (one per board member id, made
once per session), list their public lines on the project's roster, and sign every approval
record whose signature is the placeholder `TEST-SIGNATURE`, as `python -m pipeline approve`
would: over the article as it is, with the approver's key. Fixture files can so carry
approvals without carrying keys.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pipeline import sshkeygen
from pipeline.citations.scan import scan
from pipeline.content.articles import parse_article
from pipeline.content.library import load_library
from pipeline.content.pages import load_pages
from pipeline.model import Approval, Article, Library
from pipeline.review.edit import set_keys
from pipeline.review.statement import (
    APPROVAL_NAMESPACE,
    APPROVAL_VERSION,
    approval_statement,
    article_items,
)
from pipeline.review.workflow import render_approvals

PLACEHOLDER = "TEST-SIGNATURE"
KEY_PLACEHOLDER = "TEST-KEY"
_FOLDER = Path(tempfile.mkdtemp(prefix="pipeline-test-keys-"))


def key(member: str, name: str = "") -> Path:
    """The private key file of a member's key (made on first use); `name` tells apart a
    member's second key."""
    path = _FOLDER / f"{member}{'-' + name if name else ''}"
    if not path.exists():
        subprocess.run(
            [
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                f"{member} test",
                "-f",
                str(path),
            ],
            check=True,
        )
    return path


def public(member: str, name: str = "") -> str:
    return Path(f"{key(member, name)}.pub").read_text("utf-8").strip()


def sign(data: bytes, member: str, name: str = "", namespace: str = APPROVAL_NAMESPACE) -> str:
    choice = sshkeygen.KeyChoice(key(member, name), public(member, name), "test key")
    return sshkeygen.sign(data, choice, namespace)


def list_keys(root: Path) -> None:
    """Put each member's test key on the project's roster, in place of the placeholder
    `TEST-KEY` in their `keys` (so no line of the roster moves)."""
    path = root / "references/board.yml"
    lines, member = [], ""
    for line in path.read_text("utf-8").splitlines(keepends=True):
        found = re.match(r"\s*- id:\s*(\S+)", line)
        member = found.group(1) if found else member
        lines.append(line.replace(KEY_PLACEHOLDER, f'"{public(member)}"') if member else line)
    path.write_text("".join(lines), "utf-8")


def signed(
    article: Article,
    library: Library,
    by: str,
    on: dt.date,
    *,
    signer: str | None = None,
    key_name: str = "",
    note: str = "",
    significant: bool = False,
    version: int = APPROVAL_VERSION,
    files: Mapping[str, str] | None = None,
) -> Approval:
    """An approval record by `by`, signed with `signer`'s key (default: by's own); `version`:
    of the statement (1: made before topics were signed); `files`: the digests of the files
    beside the site pages (none by default)."""
    cited = [item.key for citation in scan(article)[0] for item in citation.items]
    items = article_items(article, library, cited, files or {})
    statement = approval_statement(article, items, by, on, note, significant, version)
    signature = sign(statement.data, signer or by, key_name)
    return Approval(by, on, signature, statement.short(), note, significant)


def write_approvals(path: Path, records: list[Approval]) -> None:
    text = path.read_text("utf-8")
    path.write_text(set_keys(text, {"approval": render_approvals(records)}), "utf-8")


def sign_project(root: Path, today: dt.date | None = None) -> Path:
    """List test keys on the roster and sign every placeholder approval (see the docstring)."""
    list_keys(root)
    library, _ = load_library(root)
    files = load_pages(root)[0].digests
    today = today or dt.date(2100, 1, 1)
    for path in sorted((root / "content/articles").glob("*.md")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        if PLACEHOLDER not in text:
            continue
        article, _ = parse_article(path.relative_to(root).as_posix(), text, today)
        assert article is not None, path
        records = [
            signed(
                article, library, a.by, a.on, note=a.note, significant=a.significant, files=files
            )
            if a.signature.strip() == PLACEHOLDER
            else a
            for a in article.approvals
        ]
        write_approvals(path, records)
    return root


def approve(
    root: Path,
    rel: str,
    by: str,
    on: dt.date,
    *,
    signer: str | None = None,
    key_name: str = "",
    keep: bool = False,
    version: int = APPROVAL_VERSION,
) -> Approval:
    """Sign the article at `rel` as it is now, as `by` on `on` (with `signer`'s key if given),
    replacing its approvals (`keep`: beside the ones it has)."""
    path = root / rel
    library, _ = load_library(root)
    article, problems = parse_article(rel, path.read_text("utf-8"), dt.date(2100, 1, 1))
    assert article is not None, problems
    record = signed(article, library, by, on, signer=signer, key_name=key_name, version=version)
    write_approvals(path, [*(article.approvals if keep else ()), record])
    return record
