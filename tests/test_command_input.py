"""Commands other than a plain check and build, on bad input: a plain message naming what is
wrong (exit 1, or 2 for how the command was called), never an internal error, never a hang,
and never a file written through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.cli.support import UsageError, write_file
from tests.conftest import Result, commit_all, edit, git

PENDING = "content/articles/pending.md"


def plain(result: Result) -> Result:
    said = result.stdout + result.stderr
    assert "internal error" not in said and "Traceback" not in said, said[-2000:]
    return result


@pytest.mark.parametrize(
    "setting",
    [
        "review_interval_months: 1000000",
        "interests_max_age_months: 99999999999999999999",
        "citation_style: /proc/kmsg",  # as root, reading it never ended
        "citation_style: ../elsewhere/house.csl",
        f"citation_style: {'a' * 300}.csl",  # a name too long for the disk
    ],
)
def test_a_setting_out_of_range_is_a_diagnostic(minimal: Path, cli, setting: str) -> None:
    (minimal / "pipeline.yml").write_text(setting + "\n", "utf-8")
    checked = plain(cli("check", cwd=minimal))
    assert checked.code == 1 and " PUB004 " in checked.stdout
    assert plain(cli("status", cwd=minimal)).code in (0, 1)


def test_a_declaration_of_interests_dated_9999_is_no_internal_error(minimal: Path, cli) -> None:
    edit(
        minimal,
        "references/board.yml",
        "interests_declared: 2026-01-15",
        "interests_declared: 9999-12-31",
    )
    for command in ("check", "status"):
        assert plain(cli(command, cwd=minimal)).code in (0, 1)


def test_a_registry_lock_holding_a_huge_number_is_a_diagnostic(minimal: Path, cli) -> None:
    (minimal / "references/registry-lock.json").write_text('{"version": ' + "9" * 5000 + "}")
    checked = plain(cli("check", cwd=minimal))
    assert "too long to read" in checked.stdout


@pytest.mark.parametrize(
    "address", ["http://[", "http://127.0.0.1:99999", "https://", "https://a b"]
)
def test_a_registry_address_that_is_no_address_is_refused_plainly(address: str) -> None:
    from pipeline.cli.references import registries
    from pipeline.settings import Settings

    with pytest.raises(UsageError, match="must be an https:// address"):
        registries(Settings(crossref_api=address))


def test_roster_signatures_of_the_wrong_shape_sign_nothing(repo: Path, cli) -> None:
    (repo / "references/roster-signatures.yml").write_text("signatures: 5\n", "utf-8")
    commit_all(repo, "signatures of the wrong shape")
    assert plain(cli("check", "--base", "HEAD", cwd=repo)).code in (0, 1)


@pytest.mark.parametrize("shape", ["dangling link", "loop", "folder"])
def test_a_library_file_that_is_not_a_regular_file_is_no_internal_error_against_the_base(
    repo: Path, cli, shape: str
) -> None:
    path = repo / "references/extra.bib"
    if shape == "folder":
        path.mkdir()
    else:
        path.symlink_to(repo / "nowhere.bib" if shape == "dangling link" else path)
    assert plain(cli("check", "--base", "HEAD", cwd=repo)).code in (0, 1)
    checked = plain(cli("check", cwd=repo))
    assert checked.code == 1 and "references/extra.bib: error FM018" in checked.stdout


def test_folders_nested_deeper_than_python_recurses_are_refused(minimal: Path, cli) -> None:
    """os.walk, Path.rglob, staging's mkdir and the engines recursed: 1,100 nested folders
    exited 2. They are read without recursion, and refused (FM018) past 32 levels."""
    chain = [minimal / "content/pages/d"]
    while len(chain) < 1100:
        chain.append(chain[-1] / "d")
    for folder in chain:
        folder.mkdir()
    (chain[-1] / "page.md").write_text("# Deep\n\nA page far down.\n", "utf-8")
    try:
        checked = plain(cli("check", cwd=minimal))
        assert checked.code == 1 and "is more than 32 folders deep" in checked.stdout
        built = plain(cli("build", cwd=minimal))
        assert built.code == 1 and " FM018 " in built.stderr
    finally:  # removed one by one: pytest's own clean-up recurses, and would fail
        (chain[-1] / "page.md").unlink()
        for folder in reversed(chain):
            folder.rmdir()


@pytest.mark.parametrize("boundary", ["----", "---  "])
def test_review_accepts_front_matter_the_loader_accepts(minimal: Path, cli, boundary: str) -> None:
    text = (minimal / PENDING).read_text("utf-8")
    (minimal / PENDING).write_text(text.replace("---\n", f"{boundary}\n", 2), "utf-8")
    assert plain(cli("check", PENDING, cwd=minimal)).code == 0
    result = plain(cli("review", PENDING, "--by", "rev1", cwd=minimal))
    assert result.code == 0, result.stderr
    assert "status: Under Review" in (minimal / PENDING).read_text("utf-8")


def test_review_refuses_front_matter_it_cannot_place_a_key_in(minimal: Path, cli) -> None:
    """Carriage returns alone end the lines for the loader, not for the editor."""
    path = minimal / PENDING
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    before = path.read_bytes()
    result = plain(cli("review", PENDING, "--by", "rev1", cwd=minimal))
    assert result.code == 1 and "three dashes" in result.stderr
    assert path.read_bytes() == before


def test_an_argument_that_is_not_utf8_is_refused_plainly(minimal: Path, cli) -> None:
    question = os.fsdecode("Caf\xe9 or tea for a headache?".encode("latin-1"))
    result = plain(cli("new", question, cwd=minimal))
    assert result.code == 2 and "is not UTF-8 text" in result.stderr


def test_an_article_path_that_is_a_link_in_a_loop_is_refused_plainly(minimal: Path, cli) -> None:
    loop = minimal / "content/articles/loop.md"
    loop.symlink_to(loop)
    for command in (("history", str(loop)), ("review", str(loop), "--by", "rev1")):
        result = plain(cli(*command, cwd=minimal))
        assert result.code == 2 and "cannot be read" in result.stderr


def test_a_key_under_an_unknown_users_home_is_refused_plainly(minimal: Path, cli) -> None:
    assert cli("review", PENDING, "--by", "rev1", cwd=minimal).code == 0
    result = plain(cli("approve", PENDING, "--by", "rev2", "--key", "~nosuchuser/k", cwd=minimal))
    assert result.code == 1 and "does not exist" in result.stderr


def test_history_reads_a_commit_with_no_author_name(repo: Path, cli) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "empty")  # a history to read
    assert plain(cli("history", PENDING, cwd=repo)).code == 0


@pytest.mark.parametrize(
    "shape", ["link out", "dangling link", "folder", "outside", "linked folder"]
)
def test_a_command_never_writes_through_a_link(minimal: Path, tmp_path: Path, shape: str) -> None:
    """A pull request's checkout could hold references/registry-lock.json -> ~/.bashrc: the
    board member who runs `references verify` on it would overwrite a file of their own."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "mine").write_text("the user's own file", "utf-8")
    rel = "references/registry-lock.json"
    target = minimal / rel
    target.unlink(missing_ok=True)
    if shape == "link out":
        target.symlink_to(outside / "mine")
    elif shape == "dangling link":
        target.symlink_to(outside / "nowhere")
    elif shape == "folder":
        target.mkdir()
    elif shape == "outside":
        rel = "../outside/mine"
    else:
        (minimal / "linked").symlink_to(outside)
        rel = "linked/mine"
    with pytest.raises(UsageError, match="nothing was written"):
        write_file(minimal, rel, "{}")
    assert (outside / "mine").read_text("utf-8") == "the user's own file"
    assert not (outside / "nowhere").exists()
    write_file(minimal, "references/new/lock.json", "{}")  # a missing folder is made
    assert (minimal / "references/new/lock.json").read_text("utf-8") == "{}"


@pytest.mark.parametrize(
    "shape", ["none", "link to a missing file outside", "loop", "linked folder"]
)
def test_new_never_writes_through_a_link(minimal: Path, tmp_path: Path, cli, shape: str) -> None:
    """A pull request committed content/articles/is-it-safe.md as a link to a file outside:
    a board member's `new "Is it safe?"` wrote the skeleton there (or exited 2)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    path = minimal / "content/articles/is-it-safe.md"
    if shape == "loop":
        path.symlink_to(path)
    elif shape == "linked folder":
        articles = minimal / "content/articles"
        for article in articles.iterdir():
            article.rename(outside / article.name)
        articles.rmdir()
        articles.symlink_to(outside)
    elif shape == "link to a missing file outside":
        path.symlink_to(outside / "written-here.md")
    result = plain(cli("new", "Is it safe?", "--author", "author1", cwd=minimal))
    assert (result.code == 0) == (shape == "none"), result.stderr
    assert not (outside / "written-here.md").exists() and not (outside / "is-it-safe.md").exists()
