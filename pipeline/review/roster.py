"""The roster protects itself, and with it what governs the site: a change needs the old
roster's admins.

`references/board.yml` decides who may approve with which keys, `pipeline.yml` how many
approvals an article needs, the CSL file it may name how every reference list reads; the
disclaimer, mkdocs.yml (the site's name, its footer, its navigation) and the theme in overrides/
(the templates that place the disclaimer and the review status, the stylesheet that draws them)
decide what every article page shows besides its signed text. Compared with a base branch, a
change to any of them must carry valid signatures, in `references/roster-signatures.yml`, from
at least `roster_signatures_required` admins of the *base* branch's roster, made with keys that
roster lists: the roster being replaced signs its successor, as The Update Framework rotates its
root. Without a base (a local check) the working roster is taken as it is.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pipeline import codes
from pipeline.citations.formats import BUILT_IN
from pipeline.content.board import ROSTER, parse_board
from pipeline.content.disclaimer import DISCLAIMER
from pipeline.content.yamltext import YamlProblem, load_yaml
from pipeline.diagnostics import Diagnostic
from pipeline.git import committed
from pipeline.model import Board, BoardMember
from pipeline.review.signatures import fingerprint, same_key, signer
from pipeline.review.statement import ROSTER_NAMESPACE, file_digest, roster_statement
from pipeline.settings import SETTINGS_FILE, STYLE_OPTION, Settings
from pipeline.site.engine_config import CONFIG_FILE, is_hook_cache

# What admins sign, besides each file of the theme and the CSL file the settings name.
GOVERNED = (ROSTER, SETTINGS_FILE, DISCLAIMER, CONFIG_FILE)
SIGNATURES_FILE = "references/roster-signatures.yml"
HEADER = (
    "# Admins' signatures of references/board.yml, pipeline.yml, the disclaimer, mkdocs.yml\n"
    "# and overrides/, made with `python -m pipeline roster sign --by ID`. A change to any of\n"
    "# them needs them: see SECURITY.md. Written by the command; never edit by hand.\n"
)


def governed_files(
    read: Callable[[Sequence[str]], Mapping[str, bytes]], theme: Sequence[str]
) -> dict[str, bytes | None]:
    """The files admins sign, by path, as one side of a change has them (`read`: the bytes of
    those of the paths that exist there; `theme`: the paths of the files under overrides/
    there); None for one that does not exist. Of the theme, the files an engine reads."""
    paths = [*GOVERNED, *filter(read_by_engines, theme)]
    found = read(paths)
    files = {path: found.get(path) for path in paths}
    style = style_file(_text(files[SETTINGS_FILE]))
    if style is not None:
        # As the settings may spell it (`styles/./house.csl`), which git does not resolve.
        style = posixpath.normpath(style)
        files[style] = read([style]).get(style)
    return files


def read_by_engines(path: str) -> bool:
    """Whether an engine reads this file of the theme: not a dotfile (a .DS_Store in an admin's
    folder, which CI's clone lacks, made every signature fail there), nor a hook's compiled
    cache (hooks run from the build's copy of the theme, which has none)."""
    return not path.rsplit("/", 1)[-1].startswith(".") and not is_hook_cache(path)


def _text(data: bytes | None) -> str | None:
    """A governed file's text as the pipeline reads a committed file (`git.committed`)."""
    return None if data is None else committed(data)


@dataclass(frozen=True)
class RosterSignature:
    by: str
    on: dt.date
    signature: str


def parse_signatures(text: str | None) -> list[RosterSignature]:
    """The signature records; anything malformed is skipped (it signs nothing)."""
    if not text:
        return []
    parsed = load_yaml(text)
    if isinstance(parsed, YamlProblem) or not isinstance(parsed.data, dict):
        return []
    records = parsed.data.get("signatures")
    found = []
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        by, on, signature = record.get("by"), record.get("on"), record.get("signature")
        if not (isinstance(by, str) and isinstance(on, str) and isinstance(signature, str)):
            continue
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            continue
        found.append(RosterSignature(by.strip(), day, signature))
    return found


def render_signatures(records: Sequence[RosterSignature]) -> str:
    lines = [HEADER.rstrip("\n"), "signatures:"]
    for record in records:
        lines += [f"  - by: {record.by}", f"    on: {record.on.isoformat()}", "    signature: |"]
        lines += [f"      {line}" for line in record.signature.strip().splitlines()]
    return "\n".join(lines) + "\n"


def style_file(settings: str | None) -> str | None:
    """The CSL file the settings name as the citation style (relative to the repository), or
    None for a built-in style."""
    parsed = load_yaml(settings or "")
    if isinstance(parsed, YamlProblem) or not isinstance(parsed.data, dict):
        return None
    option = parsed.data.get("citation_style")
    if not isinstance(option, str) or option.lower() in BUILT_IN:
        return None
    # A path the settings refuse (outside the project, /proc/kmsg) is never read.
    return option if STYLE_OPTION.fullmatch(option) else None


def why_not_counted(
    record: RosterSignature,
    trusted: Board,
    files: Mapping[str, bytes | None],
    not_before: dt.date | None = None,
) -> str | None:
    """Why this signature does not count for a change to these governed files, or None when it
    does: it must be by an admin of `trusted`, dated `not_before` or later, made over these
    files exactly, with one of the admin's keys there."""
    member = trusted.members.get(record.by)
    if member is None:
        return "is by no member of that roster"
    if not member.is_admin:
        return "is by a member who is not an admin there"
    if not_before is not None and record.on < not_before:
        return f"is dated before {not_before}, the date of that roster's newest signature"
    statement = roster_statement(record.by, record.on, files)
    made_by = signer(statement.data, record.signature, ROSTER_NAMESPACE)
    if made_by is None:
        return "was made over other files (a governed file changed after it was signed)"
    if not any(same_key(made_by.key_line, k) for k in member.keys):
        return f"was made with a key that roster does not list for '{record.by}'"
    return None


def valid_signers(
    records: Sequence[RosterSignature],
    trusted: Board,
    files: Mapping[str, bytes | None],
    not_before: dt.date | None = None,
) -> list[str]:
    """The distinct admins of `trusted` whose signatures over these governed files verify with
    one of their current keys there, dated `not_before` or later."""
    found: list[str] = []
    for record in records:
        if record.by not in found and why_not_counted(record, trusted, files, not_before) is None:
            found.append(record.by)
    return found


def future_signatures(signatures: str | None, today: dt.date) -> list[Diagnostic]:
    """REV019 for each roster signature dated after `today`: one would make every real
    signature of a later change count for nothing ("dated before" it), whoever wrote it, and
    even with the roster unchanged."""
    return [
        codes.ROSTER_SIGNATURE_FUTURE.at(
            SIGNATURES_FILE, 1, 1, by=r.by, day=r.on.isoformat(), today=today.isoformat()
        )
        for r in parse_signatures(signatures)
        if r.on > today
    ]


def check_roster_change(
    base: str,
    base_files: Mapping[str, bytes | None],
    files: Mapping[str, bytes | None],
    signatures: str | None,
    base_signatures: str | None = None,
) -> list[Diagnostic]:
    """REV012 when a governed file (`governed_files`, on `base` and now) differs from `base`,
    or a signature recorded there is gone, without enough valid admin signatures of the base
    roster; nothing when none of that changed or `base` had no roster. A signature older than
    the base roster's newest counts for nothing: a roster an admin once signed, and later
    replaced (a stolen key removed), cannot be brought back with its old signatures, nor after
    a change that only wiped the newer signatures."""
    base_roster = _text(base_files.get(ROSTER))
    if base_roster is None:
        return []  # the first roster is trusted as the repository's founders wrote it
    paths = [*GOVERNED, *sorted(set(base_files).union(files).difference(GOVERNED))]
    changed = [
        p for p in paths if file_digest(base_files.get(p), p) != file_digest(files.get(p), p)
    ]
    before, records = parse_signatures(base_signatures), parse_signatures(signatures)
    kept = {(r.by, r.on, r.signature.strip()) for r in records}
    removed = [r for r in before if (r.by, r.on, r.signature.strip()) not in kept]
    if removed:
        changed.append(SIGNATURES_FILE)
    if not changed:
        return []
    trusted, _ = parse_board(base_roster)
    base_settings, settings = _text(base_files.get(SETTINGS_FILE)), _text(files.get(SETTINGS_FILE))
    required = _required(base_settings)
    newest = max((record.on for record in before), default=None)
    signers = valid_signers(records, trusted, files, newest)
    if len(signers) >= required:
        return []
    roster = _text(files.get(ROSTER))
    changes = describe_changes(trusted, parse_board(roster or "")[0], base_settings, settings)
    described = (ROSTER, SETTINGS_FILE, SIGNATURES_FILE)
    changes += [f"{path} changed" for path in changed if path not in described]
    changes += [f"removed the signature by '{r.by}' dated {r.on}" for r in removed]
    for record in records:
        if record.by not in signers and (why := why_not_counted(record, trusted, files, newest)):
            changes.append(f"the signature by '{record.by}' dated {record.on} {why}")
    return [
        codes.ROSTER_NOT_SIGNED.at(
            changed[0],
            1,
            1,
            files=" and ".join(changed),
            base=base,
            found=len(signers),
            required=required,
            changes="; ".join(changes) or "the text changed",
        )
    ]


def _required(settings_text: str | None) -> int:
    """roster_signatures_required as the base branch sets it (never the changed value)."""
    if settings_text is None:
        return Settings().roster_signatures_required
    parsed = load_yaml(settings_text)
    if isinstance(parsed, YamlProblem) or not isinstance(parsed.data, dict):
        return Settings().roster_signatures_required
    settings, _ = Settings.from_mapping(parsed.data)
    return settings.roster_signatures_required


def _member_summary(member: BoardMember) -> str:
    return ", ".join(sorted(member.roles)) or "no role"


def describe_changes(
    old: Board, new: Board, old_settings: str | None, new_settings: str | None
) -> list[str]:
    """The changes a reviewer of the pull request should see: members, roles and keys added or
    removed, and settings changed."""
    found = []
    for member_id in sorted(set(old.members) | set(new.members)):
        before, after = old.members.get(member_id), new.members.get(member_id)
        if before is None and after is not None:
            found.append(f"added member '{member_id}' ({_member_summary(after)})")
            continue
        if after is None and before is not None:
            found.append(f"removed member '{member_id}'")
            continue
        assert before is not None and after is not None
        if before.roles != after.roles:
            found.append(f"roles of '{member_id}' are now {_member_summary(after)}")
        for field, label in (("keys", "key"), ("retired_keys", "retired key")):
            old_keys, new_keys = getattr(before, field), getattr(after, field)
            for key in new_keys:
                if not any(same_key(key, k) for k in old_keys):
                    found.append(f"added {label} {fingerprint(key)} for '{member_id}'")
            for key in old_keys:
                if not any(same_key(key, k) for k in new_keys):
                    found.append(f"removed {label} {fingerprint(key)} of '{member_id}'")
    if old_settings != new_settings:
        found += _settings_changes(old_settings, new_settings)
    return found


def _settings_changes(old: str | None, new: str | None) -> list[str]:
    def values(text: str | None) -> dict[str, object]:
        parsed = load_yaml(text or "")
        if isinstance(parsed, YamlProblem) or not isinstance(parsed.data, dict):
            return {}
        return parsed.data

    before, after = values(old), values(new)
    found = [
        f"{SETTINGS_FILE}: {key} {before.get(key, '(default)')} -> {after.get(key, '(default)')}"
        for key in sorted(set(before) | set(after), key=str)
        if before.get(key) != after.get(key)
    ]
    return found or [f"{SETTINGS_FILE} changed"]
