"""The bad-input corpus (tests/fixtures/bad/): like a compiler, the pipeline survives anything a
board member or a stranger's pull request can put in the repository.

Each case folder holds `case.yml` (what to expect) and `files/`, laid over a copy of the
minimal fixture project. For every case: the exact diagnostic (code, file, line), the exit code
of `check` and of `build`, no Python traceback, and, when the build fails, the previous site
left exactly as it was. Cases that must work (a byte-order mark, CRLF, @string macros, a
10,000-entry library) expect exit 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, copy_project
from tests.signing import sign_project

CORPUS = FIXTURES / "bad"
CASES = sorted(path.name for path in CORPUS.iterdir() if (path / "case.yml").is_file())
ARTICLE = "content/articles/case.md"


def _generate(kind: str, root: Path, outside: Path) -> None:
    if kind == "huge-article":
        words = "Superficial heat gives modest short-term relief. " * 110_000
        text = (
            "---\ntitle: A very long answer\nstatus: Submitted\nauthors: [author1]\n"
            f"last_updated: 2026-05-01\n---\n\n{words}\n"
        )
        (root / ARTICLE).write_text(text, "utf-8")
        assert (root / ARTICLE).stat().st_size > 5_000_000
    elif kind == "symlink-outside":
        secret = outside / "unreviewed.md"
        secret.write_text(
            "---\ntitle: Unreviewed text\nstatus: Approved\nauthors: [author1]\n"
            "last_updated: 2026-05-01\n---\n\nNobody reviewed this.\n",
            "utf-8",
        )
        (root / "content/articles/outside.md").symlink_to(secret)
    elif kind == "big-bib":
        entries = [
            f"@article{{bulk{i:05d}, author={{Doe, Jane}}, title={{Bulk trial {i}}}, "
            f"journal={{J Bulk}}, year={{2020}}}}"
            for i in range(10_000)
        ]
        (root / "references/big.bib").write_text("\n".join(entries) + "\n", "utf-8")
    elif kind == "symlink-page-to-article":
        (root / "content/pages/pending.md").symlink_to(root / "content/articles/pending.md")
    elif kind == "symlinked-disclaimer":
        secret = outside / "disclaimer.md"
        secret.write_text("Anything at all, from outside the repository.\n", "utf-8")
        (root / "references/disclaimer.md").unlink()
        (root / "references/disclaimer.md").symlink_to(secret)
    elif kind == "symlinked-registry-lock":
        # A lock from outside, claiming every source verified: never read, and an error.
        secret = outside / "registry-lock.json"
        secret.write_text('{"version": 1, "identifiers": {}}\n', "utf-8")
        (root / "references/registry-lock.json").unlink(missing_ok=True)
        (root / "references/registry-lock.json").symlink_to(secret)
    elif kind == "deeply-nested-registry-lock":
        (root / "references/registry-lock.json").write_text("[" * 200_000 + "]" * 200_000)
    elif kind == "dangling-symlink":
        (root / "content/articles/gone.md").symlink_to(outside / "never-there.md")
    elif kind == "symlink-loop":
        (root / "content/articles/loop.md").symlink_to(root / "content/articles/loop.md")
    elif kind == "folder-named-article":
        (root / "content/articles/folder.md").mkdir()
    elif kind == "brace-flood":
        text = (
            "---\ntitle: Braces\nstatus: Submitted\nauthors: [author1]\n"
            f"last_updated: 2026-05-01\n---\n\nA line of braces: {'{' * 120_000}\n"
        )
        (root / ARTICLE).write_text(text, "utf-8")
    elif kind == "nested-braces-bib":
        nested = "{" * 400 + "\\'e" + "}" * 400
        (root / "references/nested.bib").write_text(
            f"@article{{nested, title={{{nested}}}, author={{Doe, Jane}}, journal={{J}},\n"
            "  year={2020}}\n",
            "utf-8",
        )
    elif kind == "nested-admonitions":
        levels = "".join("    " * depth + "!!! note\n" for depth in range(400))
        text = (
            "---\ntitle: Nested\nstatus: Submitted\nauthors: [author1]\n"
            f"last_updated: 2026-05-01\n---\n\n{levels}"
        )
        (root / ARTICLE).write_text(text, "utf-8")
    elif kind == "lines-of-hashes":
        # A code span holding "<" has check render the text; each "#" line cut the paragraph
        # and had Python-Markdown test the rest again (nine minutes).
        text = (
            "---\ntitle: Hashes\nstatus: Submitted\nauthors: [author1]\n"
            "last_updated: 2026-05-01\n---\n\nUse `<b>` here.\n" + "#\n" * 99_500
        )
        (root / ARTICLE).write_text(text, "utf-8")
    elif kind == "site-page-of-headings":
        # Each heading after a blank line: fast to Python-Markdown, quadratic to the search.
        page = root / "content/pages/editorial-policy.md"
        page.write_text("# Editorial policy\n\n" + "## a\n\n" * 20_000, "utf-8")
    else:  # pragma: no cover - a typo in a case.yml
        raise AssertionError(f"unknown generator {kind}")


def prepare(name: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    spec = yaml.safe_load((CORPUS / name / "case.yml").read_text("utf-8"))
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    for rel in spec.get("remove", []):
        (root / rel).unlink()
    overlay = CORPUS / name / "files"
    if overlay.is_dir():
        shutil.copytree(overlay, root, dirs_exist_ok=True)
    if "generate" in spec:
        outside = tmp_path / "outside"
        outside.mkdir()
        _generate(spec["generate"], root, outside)
    if (root / "references/board.yml").is_file() and "board" not in name:
        sign_project(root)
    return root, spec["expect"]


def test_the_corpus_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name: str, tmp_path: Path, cli) -> None:
    root, expect = prepare(name, tmp_path)
    previous = root / "site"
    previous.mkdir()
    (previous / "index.html").write_text("the previous site", "utf-8")

    checked = cli("check", cwd=root)
    assert "Traceback" not in checked.stdout + checked.stderr
    assert checked.code == expect["exit"], checked.stdout
    if "code" in expect:
        # A problem of the whole file (line 0) names no position.
        where = f"{expect['path']}:{expect['line']}:" if expect["line"] else f"{expect['path']}: "
        lines = [line for line in checked.stdout.splitlines() if f" {expect['code']} " in line]
        assert any(line.startswith(where) for line in lines), (where, lines or checked.stdout)
    else:
        assert checked.stdout == ""

    built = cli("build", cwd=root)
    assert "Traceback" not in built.stdout + built.stderr
    assert built.code == expect["exit"], built.stderr[-2000:]
    if expect["exit"]:
        assert [p.name for p in previous.iterdir()] == ["index.html"]
        assert (previous / "index.html").read_text("utf-8") == "the previous site"
    else:
        assert "the previous site" not in (previous / "index.html").read_text("utf-8")
    assert not list(root.glob(".site*building*"))


def test_html_in_a_title_is_shown_as_text(tmp_path: Path, cli) -> None:
    root, _ = prepare("html-in-title-is-escaped", tmp_path)
    assert cli("build", "--preview", cwd=root).code == 0
    home = (root / "preview/index.html").read_text("utf-8")
    page = (root / "preview/articles/case.html").read_text("utf-8")
    for html in (home, page):
        assert "<script>x</script>" not in html and "<b>bold</b>" not in html
    assert "Is &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt; safe?" in page


def test_a_symbolic_link_stops_even_a_preview(tmp_path: Path, cli) -> None:
    """A preview tolerates errors in the articles, but not a file from outside the repository:
    the board would read text nobody put in front of them."""
    root, _ = prepare("symlink-outside-the-project", tmp_path)
    result = cli("build", "--preview", cwd=root)
    assert result.code == 1 and " FM018 " in result.stderr
    assert not (root / "preview").exists()
