"""Bad input from board members: one clear diagnostic with file and line, exit 1, no traceback,
and the previous site left exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_module

ARTICLE = "content/articles/back-pain.md"


def replace_line(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(root: Path, rel: str, data: bytes) -> None:
    (root / rel).write_bytes(data)


CASES: list[tuple[str, Callable[[Path], None], str, str, int | str]] = [
    (
        "malformed YAML",
        lambda r: replace_line(r, ARTICLE, "summary: Muscle", "summary: Muscle: relaxants"),
        "FM004",
        ARTICLE,
        7,
    ),
    (
        "front matter not closed",
        lambda r: write(r, ARTICLE, b"---\ntitle: Q?\nstatus: Submitted\n\nBody text.\n"),
        "FM003",
        ARTICLE,
        1,
    ),
    (
        "missing status",
        lambda r: replace_line(r, ARTICLE, "status: Approved\n", ""),
        "FM006",
        ARTICLE,
        1,
    ),
    (
        "misspelled status",
        lambda r: replace_line(r, ARTICLE, "status: Approved", "status: Aproved"),
        "FM007",
        ARTICLE,
        3,
    ),
    (
        "missing title",
        lambda r: replace_line(r, ARTICLE, "title: What helps acute back spasm?\n", ""),
        "FM006",
        ARTICLE,
        1,
    ),
    (
        "a date that is not a date",
        lambda r: replace_line(r, ARTICLE, "last_updated: 2026-11-25", "last_updated: 25/11/2026"),
        "FM008",
        ARTICLE,
        6,
    ),
    (
        "unknown citation key",
        lambda r: replace_line(
            r, ARTICLE, "[@browning2001; @qaseem2017]", "[@browning2001; @qaseem2016]"
        ),
        "CIT001",
        ARTICLE,
        "qaseem2016",  # the line that holds it (the signed approval above has a length of its own)
    ),
    (
        "a .bib entry that does not parse",
        lambda r: replace_line(
            r, "references/library.bib", "  year    = {2001},\n", "  year    = {2001,\n"
        ),
        "BIB001",
        "references/library.bib",
        13,
    ),
    (
        "an empty article",
        lambda r: write(r, ARTICLE, b""),
        "FM012",
        ARTICLE,
        1,
    ),
    (
        "a file that is not UTF-8",
        lambda r: write(r, ARTICLE, "---\ntitle: Caf\xe9\n---\n".encode("latin-1")),
        "FM001",
        ARTICLE,
        1,
    ),
    (
        "a missing disclaimer",
        lambda r: (r / "references/disclaimer.md").unlink(),
        "DIS001",
        "references/disclaimer.md",
        0,
    ),
]


@pytest.mark.parametrize(
    ("name", "mutate", "code", "path", "line"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_clear_diagnostic_and_the_site_is_untouched(
    minimal: Path,
    cli,
    name: str,
    mutate: Callable[[Path], None],
    code: str,
    path: str,
    line: int | str,
) -> None:
    previous = minimal / "site"
    previous.mkdir()
    (previous / "index.html").write_text("previous site", encoding="utf-8")
    mutate(minimal)
    if isinstance(line, str):
        lines = (minimal / path).read_text("utf-8").splitlines()
        line = next(number for number, text in enumerate(lines, 1) if line in text)

    checked = cli("check", cwd=minimal)
    assert checked.code == 1
    where = f"{path}:{line}:" if line else f"{path}: "  # a whole file's problem: no position
    assert where in checked.stdout and f" {code} " in checked.stdout
    assert next(ln for ln in checked.stdout.splitlines() if f" {code} " in ln).startswith(where)
    assert "Traceback" not in checked.stdout + checked.stderr

    built = cli("build", cwd=minimal)
    assert built.code == 1
    assert "Traceback" not in built.stdout + built.stderr
    assert [p.name for p in previous.iterdir()] == ["index.html"]
    assert (previous / "index.html").read_text(encoding="utf-8") == "previous site"
    assert not (minimal / ".site.building").exists()


def test_bad_input_through_the_real_entry_point_prints_no_traceback(minimal: Path) -> None:
    replace_line(minimal, ARTICLE, "status: Approved", "status: Published")
    result = run_module("build", cwd=minimal)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{ARTICLE}:3:1: error FM007 unknown status 'Published'" in result.stderr
