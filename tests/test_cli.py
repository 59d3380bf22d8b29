"""The command line as board members and CI use it: formats, exit codes, explain, approve."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from pipeline import codes
from tests import signing
from tests.conftest import REPO, run_module

PENDING = "content/articles/pending.md"


def break_citation(root: Path) -> None:
    path = root / PENDING
    path.write_text(path.read_text("utf-8").replace("@qaseem2017", "@qaseem2016"), "utf-8")


def test_clean_project_checks_with_exit_0_and_a_summary(minimal: Path, cli) -> None:
    result = cli("check", cwd=minimal)
    assert (result.code, result.stdout) == (0, "")
    assert "3 articles checked: 0 error(s), 0 warning(s)" in result.stderr


def test_check_of_named_paths_counts_the_articles_it_was_asked_about(minimal: Path, cli) -> None:
    result = cli("check", PENDING, cwd=minimal)
    assert "1 article checked: 0 error(s), 0 warning(s)" in result.stderr
    result = cli("check", "content/articles", cwd=minimal)
    assert "3 articles checked" in result.stderr
    assert "0 articles checked" in cli("check", "references", cwd=minimal).stderr


def test_text_format_is_one_line_per_problem_with_a_hint(minimal: Path, cli) -> None:
    break_citation(minimal)
    result = cli("check", cwd=minimal)
    assert result.code == 1
    assert result.stdout.splitlines() == [
        f"{PENDING}:11:79: error CIT001 unknown citation key 'qaseem2016' "
        "(did you mean 'qaseem2017'?)",
        "    hint: correct the key or add the source to references/*.bib",
    ]


def test_text_format_names_no_position_for_a_problem_of_a_whole_file(minimal: Path, cli) -> None:
    """A file name that is not web-safe is the whole file's problem: a new user looked for the
    line 0 that `Back Spasm.md:0:0:` named."""
    (minimal / PENDING).rename(minimal / "content/articles/Back Spasm.md")
    result = cli("check", cwd=minimal)
    assert result.code == 1
    assert "content/articles/Back Spasm.md: error FM016 " in result.stdout, result.stdout
    assert ":0:" not in result.stdout


def test_json_format_has_exactly_the_diagnostic_fields(minimal: Path, cli) -> None:
    break_citation(minimal)
    result = cli("check", "--format", "json", cwd=minimal)
    data = json.loads(result.stdout)
    assert result.code == 1
    assert data == [
        {
            "path": PENDING,
            "line": 11,
            "column": 79,
            "severity": "error",
            "code": "CIT001",
            "message": "unknown citation key 'qaseem2016' (did you mean 'qaseem2017'?)",
            "hint": "correct the key or add the source to references/*.bib",
        }
    ]


def test_json_format_of_a_clean_project_is_an_empty_list(minimal: Path, cli) -> None:
    result = cli("check", "--format", "json", cwd=minimal)
    assert (result.code, json.loads(result.stdout)) == (0, [])


def test_github_format_is_an_escaped_workflow_annotation(minimal: Path, cli) -> None:
    break_citation(minimal)
    result = cli("check", "--format", "github", cwd=minimal)
    assert result.stdout.strip() == (
        f"::error file={PENDING},line=11,col=79,title=CIT001::unknown citation key 'qaseem2016' "
        "(did you mean 'qaseem2017'?)%0Acorrect the key or add the source to references/*.bib"
    )


def test_strict_turns_warnings_into_errors(minimal: Path, cli) -> None:
    path = minimal / PENDING
    path.write_text(path.read_text("utf-8").replace("tags:", "colour: red\ntags:"), "utf-8")
    assert cli("check", cwd=minimal).code == 0
    strict = cli("check", "--strict", cwd=minimal)
    assert strict.code == 1 and " error FM011 " in strict.stdout


def test_paths_limit_the_report_to_those_files(minimal: Path, cli) -> None:
    break_citation(minimal)
    assert cli("check", "content/articles/back-pain.md", cwd=minimal).code == 0
    assert cli("check", PENDING, cwd=minimal).code == 1


def test_usage_errors_exit_2_without_a_traceback(minimal: Path, tmp_path: Path) -> None:
    missing = run_module("check", "no/such/file.md", cwd=minimal)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    outside = run_module("check", cwd=tmp_path)
    assert outside.returncode == 2 and "project folder" in outside.stderr
    unknown = run_module("explain", "CIT01", cwd=minimal)
    assert unknown.returncode == 2 and "did you mean 'CIT001'?" in unknown.stderr
    for result in (missing, outside, unknown):
        assert "Traceback" not in result.stderr


def test_explain_prints_what_a_code_means_and_how_to_fix_it(cli, minimal: Path) -> None:
    result = cli("explain", "cit001", cwd=minimal)
    assert result.code == 0
    assert result.stdout.startswith("CIT001 (error): A citation names a key")
    assert "How to fix" in result.stdout


def test_every_code_is_documented_and_diagnostics_md_is_current() -> None:
    for code in codes.REGISTRY.values():
        assert code.summary and "How to fix" in code.explanation, code.code
    assert (REPO / "DIAGNOSTICS.md").read_text("utf-8") == codes.reference_markdown()


def test_approve_writes_only_its_own_keys_and_the_article_publishes(minimal: Path, cli) -> None:
    path = minimal / "content/articles/under-review.md"
    before = path.read_text("utf-8").replace("tags:", "# a comment the board wrote\ntags:")
    path.write_text(before, "utf-8")
    key = str(signing.key("rev2"))
    result = cli(
        "approve", "content/articles/under-review.md", "--by", "rev2", "--key", key, cwd=minimal
    )
    assert result.code == 0, result.stderr
    after = path.read_text("utf-8")
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    removed = [line[2:] for line in diff if line.startswith("- ")]
    added = [line[2:] for line in diff if line.startswith("+ ")]
    assert removed == ["status: Under Review", "reviewers: [rev1]", "last_updated: 2026-03-03"]
    assert added[:7] == [
        "status: Approved",
        "reviewers: [rev1, rev2]",
        "last_updated: 2026-11-25",
        "approval:",
        "  by: rev2",
        "  on: 2026-11-25",
        "  covers: |",
    ]
    assert added[-7:-5] == ["  signature: |", "    -----BEGIN SSH SIGNATURE-----"]
    assert added[-1] == "    -----END SSH SIGNATURE-----"
    assert after.split("\n---\n", 1)[1] == before.split("\n---\n", 1)[1]
    assert cli("check", cwd=minimal).code == 0


def test_approve_refuses_authors_non_reviewers_and_skipped_steps(minimal: Path, cli) -> None:
    article = "content/articles/under-review.md"
    own = cli("approve", article, "--by", "author1", cwd=minimal)
    assert own.code == 1 and "reviewer role" in own.stderr
    author = cli("approve", "content/articles/back-pain.md", "--by", "author1", cwd=minimal)
    assert author.code == 1
    skipped = cli("approve", PENDING, "--by", "rev1", cwd=minimal)
    assert skipped.code == 1 and "must be Under Review" in skipped.stderr
    stranger = cli("approve", article, "--by", "nobody", cwd=minimal)
    assert stranger.code == 1 and "not on the board roster" in stranger.stderr


def test_output_piped_into_a_reader_that_stops_early_is_no_internal_error() -> None:
    """`explain | head -1` printed "internal error: BrokenPipeError" and exited 2."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = f"{sys.executable} -m pipeline explain | head -c 1 >/dev/null; echo $?"
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "internal error" not in done.stderr and done.stdout.strip() == "0", done


def test_a_failed_build_counts_its_notes_and_lists_its_error(sample: Path, cli) -> None:
    """Thirty notes printed after a failed build's one error pushed it off the screen."""
    rel = "content/articles/back-spasm.md"
    path = sample / rel
    path.write_text(path.read_text("utf-8").replace("[@qaseem2017", "[@qaseem2016", 1), "utf-8")
    result = cli("build", cwd=sample)
    assert result.code == 1 and "error CIT001" in result.stderr
    assert "note BIB012" not in result.stderr and "note(s), nothing to fix" in result.stderr
