"""Loading the Medical Advisory Board roster, `references/board.yml`.

Besides names and roles, a member lists the SSH public keys their approvals are signed with
(`keys`), and keys that no longer sign but still verify what they signed (`retired_keys`). A key
must parse as an OpenSSH public key and belong to one member only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import codes
from pipeline.content.files import decode, readable
from pipeline.content.yamltext import YamlProblem, load_yaml
from pipeline.diagnostics import Diagnostic
from pipeline.model import Board, BoardMember
from pipeline.review.signatures import parse_key

ROSTER = "references/board.yml"
# author writes; reviewer approves others' articles; admin signs changes to the roster itself.
ROLES = frozenset({"author", "reviewer", "admin"})


def load_board(root: Path) -> tuple[Board, list[Diagnostic]]:
    path = root / ROSTER
    if not readable(root, path):
        return Board(), [
            codes.BOARD_INVALID.at(ROSTER, 0, 0, problem="the board roster is missing")
        ]
    text = decode(path.read_bytes())
    if text is None:
        return Board(), [
            codes.BOARD_INVALID.at(ROSTER, 1, 1, problem="the roster is not UTF-8 text")
        ]
    return parse_board(text)


def parse_board(text: str) -> tuple[Board, list[Diagnostic]]:
    parsed = load_yaml(text)
    if isinstance(parsed, YamlProblem):
        return Board(), [
            codes.BOARD_INVALID.at(ROSTER, parsed.line, parsed.column, problem=parsed.message)
        ]
    data = parsed.data
    if not isinstance(data, dict) or not isinstance(data.get("members"), list):
        problem = "the roster must have a 'members:' list"
        return Board(), [codes.BOARD_INVALID.at(ROSTER, 1, 1, problem=problem)]
    members: dict[str, BoardMember] = {}
    owners: dict[str, str] = {}  # key fingerprint -> member id
    problems: list[Diagnostic] = []
    lines = parsed.item_lines.get("members", [])
    for index, item in enumerate(data["members"]):
        line = lines[index] if index < len(lines) else 1
        member, refused = _member(item)
        if member is None:
            problems.append(codes.BOARD_INVALID.at(ROSTER, line, 1, problem=refused))
            continue
        if member.id in members:
            twice = f"the id '{member.id}' is used twice"
            problems.append(codes.BOARD_INVALID.at(ROSTER, line, 1, problem=twice))
        for key in (*member.keys, *member.retired_keys):
            parsed_key = parse_key(key)
            assert parsed_key is not None  # _member refused the others
            owner = owners.setdefault(parsed_key.sha256_str(), member.id)
            if owner != member.id:
                shared = (
                    f"member '{member.id}' lists the key {parsed_key.sha256_str()}, which is "
                    f"already '{owner}''s: a key belongs to one person"
                )
                problems.append(codes.BOARD_INVALID.at(ROSTER, line, 1, problem=shared))
        members[member.id] = member
    return Board(members), problems


def _member(item: object) -> tuple[BoardMember | None, str | None]:
    if not isinstance(item, dict):
        return None, "each member must be a group of settings (id, name, credentials, roles)"
    member_id = item.get("id")
    if not isinstance(member_id, str) or not member_id.strip():
        return None, "a member has no 'id'"
    for key in ("name", "credentials"):
        if not isinstance(item.get(key), str) or not str(item.get(key)).strip():
            return None, f"member '{member_id}' has no '{key}'"
    roles = _strings(item.get("roles", []))
    if roles is None:
        return None, f"member '{member_id}': 'roles' must be a list such as [author, reviewer]"
    unknown = sorted(set(roles) - ROLES)
    if unknown:
        known = ", ".join(sorted(ROLES))
        return None, f"member '{member_id}' has unknown role '{unknown[0]}' (known: {known})"
    keys: dict[str, tuple[str, ...]] = {}
    for field in ("keys", "retired_keys"):
        lines = _strings(item.get(field, []))
        if lines is None:
            return None, f"member '{member_id}': '{field}' must be a list of public key lines"
        for number, line in enumerate(lines, start=1):
            if parse_key(line) is None:
                return None, (
                    f"member '{member_id}': {field} entry {number} is not an OpenSSH public key "
                    "line of a supported type (ssh-ed25519 or ssh-rsa)"
                )
        keys[field] = tuple(" ".join(line.split()) for line in lines)
    interests = _strings(item.get("interests", []))
    if interests is None:
        return None, (
            f"member '{member_id}': 'interests' must be a list of declarations, or [none declared]"
        )
    declared = item.get("interests_declared")
    day = None
    if declared is not None:
        try:
            day = dt.date.fromisoformat(str(declared))
        except ValueError:
            return None, (
                f"member '{member_id}': 'interests_declared' must be a date like 2026-01-31, "
                f"not {declared!r}"
            )
    specialty = item.get("specialty", "")
    return BoardMember(
        id=member_id.strip(),
        name=" ".join(str(item["name"]).split()),
        credentials=" ".join(str(item["credentials"]).split()),
        specialty=specialty if isinstance(specialty, str) else "",
        roles=frozenset(roles),
        keys=keys["keys"],
        retired_keys=keys["retired_keys"],
        interests=tuple(" ".join(i.split()) for i in interests),
        interests_declared=day,
    ), None


def _strings(value: object) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return [v for v in value if v.strip()]
