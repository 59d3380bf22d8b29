"""`python -m pipeline roster sign`: an admin signs the roster and the settings as they are
(with the CSL file the settings name as the citation style, if any).

The signature goes into `references/roster-signatures.yml` (one per admin; signing again
replaces your own). Under `check --base`, a roster or settings change counts as authorized when
enough admins of the base branch's roster have signed it with keys that roster lists, so with
`--base REF` this command also accepts a key or admin role that only the base roster has (an
admin rotating their own key signs with the old one).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
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
from pipeline.model import Board
from pipeline.review.roster import (
    SIGNATURES_FILE,
    RosterSignature,
    parse_signatures,
    render_signatures,
    style_file,
    valid_signers,
)
from pipeline.review.statement import ROSTER_NAMESPACE, roster_statement
from pipeline.settings import SETTINGS_FILE


def cmd_roster_sign(args: argparse.Namespace) -> int:
    root = project_root()
    day = today()
    roster, settings = read_file(root, ROSTER), read_file(root, SETTINGS_FILE)
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
    named = style_file(settings)
    style = read_file(root, named) if named else None
    statement = roster_statement(args.by, day, roster, settings, style)
    with tempfile.TemporaryDirectory(prefix="pipeline-sign-") as temp:
        try:
            key = sshkeygen.choose_key(args.key, keys, root, Path(temp))
            signature = sshkeygen.sign(statement.data, key, ROSTER_NAMESPACE)
        except sshkeygen.SigningError as error:
            print(f"roster sign refused: {error}", file=sys.stderr)
            return ERRORS
    record = RosterSignature(args.by, day, signature)
    if not any(valid_signers([record], b, roster, settings, style=style) for b in boards):
        print(
            f"roster sign refused: the key used ({sshkeygen.describe(key)}) is not one of "
            f"{args.by}'s keys on the roster; nothing was written",
            file=sys.stderr,
        )
        return ERRORS
    others = [r for r in parse_signatures(read_file(root, SIGNATURES_FILE)) if r.by != args.by]
    write_file(root, SIGNATURES_FILE, render_signatures([*others, record]))
    print(f"{SIGNATURES_FILE}: signed by {args.by} ({day.isoformat()}); commit it with the change")
    return OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roster = commands.add_parser("roster", help="sign the board roster and settings (admins)")
    actions = roster.add_subparsers(dest="action", required=True)
    sign = actions.add_parser(
        "sign", help="sign references/board.yml and pipeline.yml as they are now"
    )
    sign.add_argument("--by", required=True, help="your board id (you must be an admin)")
    sign.add_argument("--key", help="your SSH key file (default: as for approve)")
    sign.add_argument("--base", help="also accept your key and role on this branch's roster")
    sign.set_defaults(run=cmd_roster_sign)
