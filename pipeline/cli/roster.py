"""`python -m pipeline roster sign`: an admin signs the files that govern the site as they are:
the roster, the settings (with the CSL file they name as the citation style, if any), the
disclaimer, mkdocs.yml and every file of the theme in overrides/ (`roster.governed_files`).

The signature goes into `references/roster-signatures.yml` (one per admin; signing again
replaces your own). Under `check --base`, a change to any of them counts as authorized when
enough admins of the base branch's roster have signed it with keys that roster lists, so with
`--base REF` this command also accepts a key or admin role that only the base roster has (an
admin rotating their own key signs with the old one).
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipeline import git, sshkeygen
from pipeline.cli.support import (
    ERRORS,
    OK,
    UsageError,
    project_root,
    read_file,
    today,
    write_file,
)
from pipeline.content.board import ROSTER, parse_board
from pipeline.content.files import THEME_FOLDER, readable, walk
from pipeline.model import Board
from pipeline.review.roster import (
    SIGNATURES_FILE,
    RosterSignature,
    governed_files,
    parse_signatures,
    read_by_engines,
    render_signatures,
    valid_signers,
)
from pipeline.review.statement import ROSTER_NAMESPACE, roster_statement


def governed_now(root: Path) -> dict[str, bytes | None]:
    """The governed files as the working tree has them (one that is a link, or not a regular
    file, as none: check refuses it on its own). The theme's are those git tracks, as a clone
    in CI has them: an admin's untracked picture or Thumbs.db, signed, made the signature
    fail there."""

    def read(paths: Sequence[str]) -> dict[str, bytes]:
        return {p: (root / p).read_bytes() for p in paths if readable(root, root / p)}

    return governed_files(read, theme_files(root))


def theme_files(root: Path) -> list[str]:
    """The files of overrides/ that git tracks (every file there, outside a repository)."""
    found = git.tracked(root, THEME_FOLDER)
    if found is None:
        return [path.relative_to(root).as_posix() for path in walk(root / THEME_FOLDER)]
    return found


def governed_at(root: Path, ref: str) -> dict[str, bytes | None]:
    """The governed files as the commit `ref` has them."""
    theme = [path for path, _ in git.blobs_at(root, ref, THEME_FOLDER)]
    return governed_files(functools.partial(git.files_at, root, ref), theme)


def cmd_roster_sign(args: argparse.Namespace) -> int:
    root = project_root()
    day = today()
    roster = read_file(root, ROSTER)
    if roster is None:
        raise UsageError(f"{ROSTER} does not exist")
    boards: list[Board] = [parse_board(roster)[0]]
    if args.base:
        if not git.has_ref(root, args.base):
            raise UsageError(f"the base '{args.base}' is not in this clone; fetch it first")
        base_roster = git.file_at(root, args.base, ROSTER)
        if base_roster is not None:
            boards.append(parse_board(base_roster)[0])
    admins = [b.members[args.by] for b in boards if args.by in b.members]
    if not any(member.is_admin for member in admins):
        where = " on the base branch's roster" if args.base else ""
        print(f"roster sign refused: '{args.by}' is not an admin{where}", file=sys.stderr)
        return ERRORS
    keys = [key for member in admins for key in member.keys]
    files = governed_now(root)
    statement = roster_statement(args.by, day, files)
    with tempfile.TemporaryDirectory(prefix="pipeline-sign-") as temp:
        try:
            key = sshkeygen.choose_key(args.key, keys, root, Path(temp))
            signature = sshkeygen.sign(statement.data, key, ROSTER_NAMESPACE)
        except sshkeygen.SigningError as error:
            print(f"roster sign refused: {error}", file=sys.stderr)
            return ERRORS
    record = RosterSignature(args.by, day, signature)
    on_disk = {path.relative_to(root).as_posix() for path in walk(root / THEME_FOLDER)}
    for path in sorted(filter(read_by_engines, on_disk - set(files))):
        print(f"not signed: {path} is not tracked by git (git add it, then sign again)")
    if not any(valid_signers([record], b, files) for b in boards):
        print(
            f"roster sign refused: the key used ({sshkeygen.describe(key)}) is not one of "
            f"{args.by}'s keys on the roster; nothing was written",
            file=sys.stderr,
        )
        return ERRORS
    others = [r for r in parse_signatures(read_file(root, SIGNATURES_FILE)) if r.by != args.by]
    write_file(root, SIGNATURES_FILE, render_signatures([*others, record]))
    print(f"{SIGNATURES_FILE}: signed by {args.by} ({day.isoformat()}); commit it with the change")
    if args.base and (len(boards) < 2 or not valid_signers([record], boards[1], files)):
        # check --base counts the base roster's admins and keys only.
        print(
            f"note: check --base {args.base} will not count this signature: {args.by} is not "
            f"an admin with this key on {args.base}'s roster; an admin listed there signs too"
        )
    return OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roster = commands.add_parser(
        "roster", help="sign the roster, settings, disclaimer, mkdocs.yml and theme (admins)"
    )
    actions = roster.add_subparsers(dest="action", required=True)
    sign = actions.add_parser(
        "sign",
        help="sign references/board.yml, pipeline.yml, the disclaimer, mkdocs.yml and "
        "overrides/ as they are now",
    )
    sign.add_argument("--by", required=True, help="your board id (you must be an admin)")
    sign.add_argument("--key", help="your SSH key file (default: as for approve)")
    sign.add_argument("--base", help="also accept your key and role on this branch's roster")
    sign.set_defaults(run=cmd_roster_sign)
