"""Loading the Medical Advisory Board roster, `references/board.yml`."""

from __future__ import annotations

from pathlib import Path

from pipeline import codes
from pipeline.articles import decode
from pipeline.diagnostics import Diagnostic
from pipeline.model import Board, BoardMember
from pipeline.yamltext import YamlProblem, load_yaml

ROSTER = "references/board.yml"
ROLES = frozenset({"author", "reviewer"})


def load_board(root: Path) -> tuple[Board, list[Diagnostic]]:
    path = root / ROSTER
    if not path.is_file():
        return Board(), [codes.BOARD_INVALID(ROSTER, 0, 0, "the board roster is missing")]
    text = decode(path.read_bytes())
    if text is None:
        return Board(), [codes.BOARD_INVALID(ROSTER, 1, 1, "the roster is not UTF-8 text")]
    return parse_board(text)


def parse_board(text: str) -> tuple[Board, list[Diagnostic]]:
    parsed = load_yaml(text)
    if isinstance(parsed, YamlProblem):
        return Board(), [codes.BOARD_INVALID(ROSTER, parsed.line, parsed.column, parsed.message)]
    data = parsed.data
    if not isinstance(data, dict) or not isinstance(data.get("members"), list):
        return Board(), [
            codes.BOARD_INVALID(ROSTER, 1, 1, "the roster must have a 'members:' list")
        ]
    members: dict[str, BoardMember] = {}
    problems: list[Diagnostic] = []
    lines = _item_lines(text)
    for index, item in enumerate(data["members"]):
        line = lines[index] if index < len(lines) else 1
        member, problem = _member(item, line)
        if problem:
            problems.append(problem)
        elif member is not None:
            if member.id in members:
                problems.append(
                    codes.BOARD_INVALID(ROSTER, line, 1, f"the id '{member.id}' is used twice")
                )
            members[member.id] = member
    return Board(members), problems


def _member(item: object, line: int) -> tuple[BoardMember | None, Diagnostic | None]:
    def bad(message: str) -> tuple[None, Diagnostic]:
        return None, codes.BOARD_INVALID(ROSTER, line, 1, message)

    if not isinstance(item, dict):
        return bad("each member must be a group of settings (id, name, credentials, roles)")
    member_id = item.get("id")
    if not isinstance(member_id, str) or not member_id.strip():
        return bad("a member has no 'id'")
    for key in ("name", "credentials"):
        if not isinstance(item.get(key), str) or not str(item.get(key)).strip():
            return bad(f"member '{member_id}' has no '{key}'")
    roles = item.get("roles", [])
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        return bad(f"member '{member_id}': 'roles' must be a list such as [author, reviewer]")
    unknown = sorted(set(roles) - ROLES)
    if unknown:
        return bad(
            f"member '{member_id}' has unknown role '{unknown[0]}' (known: author, reviewer)"
        )
    specialty = item.get("specialty", "")
    return BoardMember(
        id=member_id.strip(),
        name=" ".join(str(item["name"]).split()),
        credentials=" ".join(str(item["credentials"]).split()),
        specialty=specialty if isinstance(specialty, str) else "",
        roles=frozenset(roles),
    ), None


def _item_lines(text: str) -> list[int]:
    """1-based lines of the `- ` items under `members:`, for pointing at a bad member."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("- ") and len(line) - len(line.lstrip()) <= 4:
            lines.append(number)
    return lines
