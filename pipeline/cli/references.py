"""`python -m pipeline references verify|add`: the library against Crossref and PubMed.

`verify` looks up the cited DOIs (Crossref) and PMIDs (PubMed) that the registry lock has no
current result for (with `--update`: all of them again), writes `references/registry-lock.json`,
and prints what `check` now reports from it. Exit status: 0 nothing to fix, 1 a problem in the
library (a retracted work is cited, an identifier does not exist), 2 a usage or internal
failure, 3 some registries could not be reached: the lock keeps what it knew of those entries
and the command names them.

`confirm --base REV` asks the registries again about what a change writes in the lock that the
base branch's lock did not say (a record added, rewritten for a changed entry, or cleared of a
finding): only `verify` should write the lock, and a pull request could write a DOI that does not
exist as verified. It reads the registries' addresses from the base branch's pipeline.yml. Exit
status as `verify`'s: 1 when a registry contradicts the lock (BIB020).

`add DOI|PMID` writes a new library entry from the registry's record, refusing a work the
library already has (BIB005).

Only these commands go online, and only they import the HTTP client.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from pipeline import cache, codes, git
from pipeline.checks.library import check_required_fields
from pipeline.checks.registry import REGISTRIES, describe, identifier_link, written
from pipeline.citations.scan import written_key
from pipeline.cli.support import (
    ERRORS,
    OK,
    UsageError,
    load,
    project_root,
    read_file,
    require_base,
    today,
    write_file,
)
from pipeline.content.files import decode, readable
from pipeline.content.library import load_library, parse_library
from pipeline.diagnostics import FORMATTERS, Diagnostic, format_text, has_errors
from pipeline.diagnostics import shown as printable
from pipeline.identifiers import DOI, identifier, strip_doi_prefix
from pipeline.model import Library
from pipeline.project import load_project
from pipeline.registry.lock import (
    LOCK,
    Lock,
    findings,
    load_lock,
    parse_lock,
    render_lock,
    retracted,
)
from pipeline.registry.new_entry import entry_text, readable_key
from pipeline.registry.records import NoticeKind, Record
from pipeline.registry.verify import Target, cited_targets, claims, hidden, merge, to_look_up
from pipeline.settings import SETTINGS_FILE, Settings, load_settings, parse_settings

if TYPE_CHECKING:
    from pipeline.registry.client import Answer, Registries

UNREACHED = 3
# What `verify` shows: the diagnostics that come from the registry lock.
SHOWN = frozenset({"CIT003", "CIT006", "BIB012", "BIB013", "BIB014", "BIB015", "BIB016"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _address(settings: Settings, name: str) -> str:
    """A registry's address: https, or http on this machine only (the tests' local server)."""
    value = str(getattr(settings, name))
    try:
        url = urlparse(value)
        plain = value.isprintable() and " " not in value and url.port != 0 and url.hostname
    except ValueError:  # "http://[", a port out of range: not an address at all
        plain = False
    if plain and (url.scheme == "https" or (url.scheme == "http" and url.hostname in _LOOPBACK)):
        return value
    raise UsageError(f"{name} in pipeline.yml must be an https:// address, not {value!r}")


def registries(settings: Settings) -> Registries:
    from pipeline.registry.client import Registries

    return Registries(
        _address(settings, "crossref_api"),
        _address(settings, "pubmed_api"),
        contact=settings.registry_contact,
        api_key=os.environ.get("NCBI_API_KEY", "").strip(),
        repository=os.environ.get("REPO_URL", "").strip(),
    )


def _look_up(settings: Settings, targets: list[Target]) -> dict[str, Answer]:
    """Every target's answer, with a progress bar on a terminal for a long run."""
    from tqdm import tqdm

    from pipeline.registry.client import look_up

    async def run() -> dict[str, Answer]:
        with tqdm(
            total=len(targets),
            unit="id",
            desc="Looking up",
            file=sys.stderr,
            leave=False,
            disable=None,  # shown on a terminal only, never in logs
        ) as bar:

            def advance(done: int) -> None:
                bar.update(done)

            async with registries(settings) as found:
                return await look_up(
                    found,
                    [t.value for t in targets if t.kind == "doi"],
                    [t.value for t in targets if t.kind == "pmid"],
                    advance,
                )

    return asyncio.run(run())


def cmd_verify(args: argparse.Namespace) -> int:
    from pipeline.registry.client import Failure

    root = project_root()
    day = today()
    project, _ = load(root)
    library, settings = project.library, project.settings
    lock, _ = load_lock(root)
    targets = cited_targets(library, project.cited)
    wanted = to_look_up(targets, lock, args.update)
    found = _look_up(settings, wanted) if wanted else {}
    failed = {ident: a for ident, a in found.items() if isinstance(a, Failure)}
    answers = {ident: a for ident, a in found.items() if not isinstance(a, Failure)}
    text = render_lock(merge(lock, targets, answers, day, settings.lock_max_age_days))
    path = root / LOCK  # one that cannot be read (not UTF-8) is written anew
    changed = not readable(root, path) or decode(path.read_bytes()) != text
    if changed:
        write_file(root, LOCK, text)
    shown = [
        d for d in load_project(root, day, None, cache.shared()).diagnostics if d.code in SHOWN
    ]
    if args.format == "json" or shown:
        print(FORMATTERS[args.format](shown))
    by_identifier = {t.identifier: t for t in targets}
    for ident, failure in sorted(failed.items()):
        print(_unreached(by_identifier[ident], failure.reason), file=sys.stderr)
    print(
        f"{len(targets)} cited identifier(s), {len(wanted)} looked up, {len(answers)} answered"
        + (f", {len(failed)} not reached" if failed else "")
        + f"; {LOCK} {'written' if changed else 'unchanged'}",
        file=sys.stderr,
    )
    if failed:
        return UNREACHED
    return ERRORS if has_errors(shown) else OK


def _unreached(target: Target, reason: str) -> str:
    """One line on stderr: the key and the identifier as the library writes them, control
    characters escaped (a key holding a line break and "::error::" wrote a line of its own,
    a workflow command to GitHub's log)."""
    entry = target.entry
    return printable(
        f"{entry.path}:{entry.line_of(target.kind)}: could not reach "
        f"{REGISTRIES[target.kind]} for '{entry.key}' ({target.kind.upper()} "
        f"{written(target)}): {reason}"
    )


def uncited_records(
    base: Lock, lock: Lock, cited: list[Target], base_name: str
) -> list[Diagnostic]:
    """BIB021 for each record the change adds or rewrites of a source nothing cites (a
    retraction aside: `verify` keeps those, cited or not)."""
    known = {target.identifier for target in cited}
    return [
        codes.REGISTRY_UNCITED_RECORD.at(LOCK, 1, 1, identifier=ident, base=base_name)
        for ident, item in sorted(lock.items.items())
        if ident not in known and base.items.get(ident) != item and not retracted(item)
    ]


def cmd_confirm(args: argparse.Namespace) -> int:
    from pipeline.registry.client import Failure

    root = project_root()
    require_base(root, args.base)
    project, day = load(root)
    lock, _ = load_lock(root)  # a damaged lock is BIB016, which check reports
    base_text = git.file_at(root, args.base, LOCK)
    base = parse_lock(base_text)[0] if base_text is not None else Lock()
    # The base branch's registries: a change could point pipeline.yml at a server of its own.
    settings, _ = parse_settings(git.file_at(root, args.base, SETTINGS_FILE) or "")
    cited = cited_targets(project.library, project.cited)
    targets = claims(base, lock, cited)
    found = _look_up(settings, targets) if targets else {}
    problems, unreached = uncited_records(base, lock, cited, args.base), []
    for target in targets:
        answer = found.get(target.identifier, Failure("it left it out"))
        if isinstance(answer, Failure):
            unreached.append(_unreached(target, answer.reason))
            continue
        claimed = lock.items[target.identifier]
        if wrong := hidden(target, claimed, answer, day):
            problems.append(
                codes.REGISTRY_UNCONFIRMED.at(
                    LOCK,
                    1,
                    1,
                    claim=", ".join(sorted(findings(claimed))) or "verified",
                    identifier=target.identifier,
                    key=target.entry.key,
                    registry=REGISTRIES[target.kind],
                    finding=", ".join(sorted(wrong)),
                    base=args.base,
                )
            )
    if args.format == "json" or problems:
        print(FORMATTERS[args.format](problems))
    for line in unreached:
        print(line, file=sys.stderr)
    print(
        f"{len(targets)} record(s) of the lock new since {args.base} asked again, "
        f"{len(problems)} refused" + (f", {len(unreached)} not reached" if unreached else ""),
        file=sys.stderr,
    )
    return ERRORS if problems else UNREACHED if unreached else OK


def _parse_identifier(text: str) -> str:
    found = re.fullmatch(r"(?:pmid:?\s*)?([0-9]{1,9})", text.strip(), re.IGNORECASE)
    if found:
        return f"pmid:{found.group(1)}"
    doi = strip_doi_prefix(text)
    if DOI.match(doi):
        return identifier("doi", doi) or ""
    raise UsageError(f"'{text}' is neither a DOI (like 10.7326/M16-2367) nor a PMID (28192789)")


def _same_work(library: Library, shown: str, ident: str) -> Diagnostic | None:
    """BIB005 on the entry that already has `ident`, if one does."""
    entry = library.by_identifier.get(ident)
    if entry is None:
        return None
    return codes.BIB_SAME_WORK.at(
        entry.path,
        entry.line,
        1,
        key=shown,
        other=entry.key,
        where=f"{entry.path}:{entry.line}",
        identity=ident.partition(":")[0].upper(),
    )


def cmd_add(args: argparse.Namespace) -> int:
    from pipeline.registry.client import Failure, look_up

    root = project_root()
    settings, problems = load_settings(root)
    if problems:
        raise UsageError(format_text(problems))
    target = args.to.replace("\\", "/").removeprefix("./")
    if not re.fullmatch(r"references/[^/]+\.bib", target):
        raise UsageError(f"--to must be a .bib file in references/, not '{args.to}'")
    ident = _parse_identifier(args.identifier)
    kind, value = ident.split(":", 1)
    shown = strip_doi_prefix(args.identifier) if kind == "doi" else value
    library, _ = load_library(root)
    refusal = _same_work(library, shown, ident)

    async def fetch() -> Answer:
        dois, pmids = ([value], []) if kind == "doi" else ([], [value])
        async with registries(settings) as found:
            return (await look_up(found, dois, pmids))[ident]

    answer = None if refusal else asyncio.run(fetch())
    if isinstance(answer, Failure):
        print(f"could not reach {REGISTRIES[kind]}: {answer.reason}", file=sys.stderr)
        return UNREACHED
    if isinstance(answer, Record) and answer.doi and kind == "pmid":
        refusal = _same_work(library, answer.doi, identifier("doi", answer.doi) or "")
    if refusal is not None:
        print(format_text([refusal]))
        print("references add refused: the library already has this work", file=sys.stderr)
        return ERRORS
    if answer is None:
        print(
            f"{REGISTRIES[kind]} has no record of {kind.upper()} {shown}; check it at "
            f"{identifier_link(kind, shown)}. Nothing was written.",
            file=sys.stderr,
        )
        return ERRORS
    return _write(root, target, answer, library)


def _write(root: Path, target: str, record: Record, library: Library) -> int:
    key = readable_key(record, library.entries)
    before = read_file(root, target) or ""
    gap = "" if not before else "\n" if before.endswith("\n") else "\n\n"
    after = before + gap + entry_text(record, key)
    write_file(root, target, after)
    entries, _ = parse_library(target, after)
    for entry in (e for e in entries if e.key == key):
        missing = list(check_required_fields(entry))  # a registry record without a year, say
        if missing:
            print(format_text(missing))
        print(f"{target}:{entry.line}: added @{entry.entry_type}{{{key}}}: {entry.get('title')}")
    also = f"doi:{record.doi}" if record.doi else f"pmid:{record.pmid}"
    print(f"Cite it as [{written_key(key)}] or [{written_key(also)}].")
    for notice in record.notices:
        words = "was RETRACTED" if notice.kind is NoticeKind.RETRACTION else "has a notice"
        print(f"warning: this work {words}: {describe(notice)}", file=sys.stderr)
    return OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    references = commands.add_parser(
        "references", help="check the library against Crossref and PubMed, or add a source"
    )
    actions = references.add_subparsers(dest="action", required=True)
    verify = actions.add_parser(
        "verify",
        help="look up the cited DOIs and PMIDs and write references/registry-lock.json",
    )
    verify.add_argument(
        "--update",
        action="store_true",
        help="look up every cited identifier again, not only new or changed ones",
    )
    verify.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    verify.set_defaults(run=cmd_verify)
    confirm = actions.add_parser(
        "confirm",
        help="ask the registries again about what a change writes in the registry lock",
    )
    confirm.add_argument(
        "--base", required=True, help="the branch or commit to compare with (origin/main in CI)"
    )
    confirm.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    confirm.set_defaults(run=cmd_confirm)
    add = actions.add_parser("add", help="add a source to the library from its DOI or PMID")
    add.add_argument("identifier", help="a DOI (10.7326/M16-2367) or a PMID (28192789)")
    add.add_argument(
        "--to", default="references/library.bib", help="the .bib file (default: library.bib)"
    )
    add.set_defaults(run=cmd_add)
