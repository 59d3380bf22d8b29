"""Robustness of publishing: the audit catches a leak through every channel, and no failure,
crash or second build at the same time ever leaves a broken site (DESIGN §6.3, §6.4)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.engines import theme
from pipeline.project import load_project
from pipeline.site import publish
from pipeline.site.audit import audit
from pipeline.site.stage import publish_plan
from tests.conftest import TODAY, commit_all, git

TITLE = "Should zebra stripes guide the choice of antihistamine?"
SENTENCE = "The purple giraffe protocol recommends counting zebra stripes before each dose."


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def built(minimal: Path, cli) -> Path:
    assert cli("build", cwd=minimal).code == 0
    return minimal


def audit_codes(root: Path) -> list[tuple[str, str, str]]:
    day = dt.date.fromisoformat(TODAY)
    project = load_project(root, day)
    return [
        (d.code, d.path, d.message)
        for d in audit(root / "site", project, publish_plan(project), theme("mkdocs"))
    ]


def _inject_html(path: Path, snippet: str) -> None:
    text = path.read_text("utf-8")
    path.write_text(text.replace("</body>", snippet + "</body>", 1), "utf-8")


def _nav(site: Path) -> None:
    _inject_html(site / "index.html", f'<nav><a href="articles/pending.html">{TITLE}</a></nav>')


def _topic_page(site: Path) -> None:
    page = next(iter(sorted((site / "topics").glob("*.html"))), site / "index.html")
    _inject_html(page, f"<ul><li>{TITLE}</li></ul>")


def _search_index(site: Path) -> None:
    path = site / "search/search_index.json"
    data = json.loads(path.read_text("utf-8"))
    data["docs"].append({"location": "x.html", "title": "x", "text": SENTENCE})
    path.write_text(json.dumps(data), "utf-8")


def _script(site: Path) -> None:
    path = site / "assets/pipeline.js"
    path.write_text(path.read_text("utf-8") + f"\n/* {json.dumps(SENTENCE)} */\n", "utf-8")


def _sitemap(site: Path) -> None:
    path = site / "sitemap.xml"
    text = path.read_text("utf-8")
    leak = "<url><loc>http://127.0.0.1:8000/articles/pending.html</loc></url></urlset>"
    path.write_text(text.replace("</urlset>", leak), "utf-8")


def _sitemap_gz(site: Path) -> None:
    path = site / "sitemap.xml.gz"
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    leak = "<url><loc>http://127.0.0.1:8000/articles/pending.html</loc></url></urlset>"
    path.write_bytes(gzip.compress(text.replace("</urlset>", leak).encode("utf-8")))


def _related(site: Path) -> None:
    _inject_html(
        site / "articles/back-pain.html",
        f'<aside class="related"><a href="pending.html">{TITLE}</a></aside>',
    )


def _broken_json(site: Path) -> None:
    """A .json file that is not JSON: prose, with a quotation inside the leaked sentence."""
    quoted = SENTENCE.replace("purple giraffe protocol", '"purple giraffe protocol"')
    (site / "search/notes.json").write_text(f"Notes: {quoted}\n", "utf-8")


def _prose_between_json_strings(site: Path) -> None:
    """JSON at both ends, prose between two of its strings (a quotation splits the sentence)."""
    quoted = SENTENCE.replace("purple giraffe protocol", '"purple giraffe protocol"')
    (site / "search/notes.json").write_text(f'["notes", {quoted} "end"]\n', "utf-8")


def _not_found_page(site: Path) -> None:
    _inject_html(site / "404.html", f"<p>{SENTENCE}</p>")


CHANNELS: dict[str, Callable[[Path], None]] = {
    "navigation": _nav,
    "topic page": _topic_page,
    "search index": _search_index,
    "a script": _script,
    "sitemap": _sitemap,
    "compressed sitemap": _sitemap_gz,
    "related articles": _related,
    "404 page": _not_found_page,
    "a file that is not really JSON": _broken_json,
    "prose between the strings of a JSON file": _prose_between_json_strings,
}


def test_the_clean_build_passes_the_audit(built: Path) -> None:
    assert audit_codes(built) == []


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_audit_catches_a_leak_through_every_channel(built: Path, channel: str) -> None:
    CHANNELS[channel](built / "site")
    found = audit_codes(built)
    assert found, f"the leak through the {channel} was not caught"
    assert {(code, path) for code, path, _ in found} == {("PUB001", "content/articles/pending.md")}


# --- interruptions -----------------------------------------------------------------------------


def _failing_after(calls: int) -> Callable[[str], str]:
    seen = {"n": 0}

    def clean(html: str) -> str:
        seen["n"] += 1
        if seen["n"] > calls:
            raise RuntimeError("injected failure while rendering")
        return html

    return clean


def test_failure_while_rendering_leaves_the_previous_site(
    built: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(built / "site")
    monkeypatch.setattr("pipeline.markdown_extension.clean", _failing_after(0))
    result = cli("build", cwd=built)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert " PUB003 the mkdocs engine could not render the site" in result.stderr
    assert snapshot(built / "site") == before
    assert not list(built.glob(".site.building*"))


def test_failure_in_the_audit_itself_leaves_the_previous_site(
    built: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(built / "site")

    def broken(*args: object) -> list[object]:
        raise OSError("disk went away")

    monkeypatch.setattr("pipeline.site.build.audit", broken)
    assert cli("build", cwd=built).code == 2
    assert snapshot(built / "site") == before


def test_a_crash_between_the_two_renames_never_puts_an_unaudited_copy_in_place(
    built: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the atomic exchange is unavailable, a crash mid-swap leaves no site/ until the next
    build succeeds: the old copy beside it is never put back, since anyone could have committed
    a folder of that name (and a failed build then published it)."""
    monkeypatch.setattr(publish, "_exchange", lambda first, second: False)
    real_replace = os.replace
    calls = {"n": 0}

    def crash_on_second(source: object, target: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process is stopped between the renames
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(publish.os, "replace", crash_on_second)
    cli("build", cwd=built)
    assert not (built / "site").exists() and (built / ".site.previous").is_dir()
    monkeypatch.setattr(publish.os, "replace", real_replace)
    article = built / "content/articles/pending.md"
    original = article.read_text("utf-8")
    article.write_text(original.replace("authors:", "authors: [x]\nauthor:"), "utf-8")
    assert cli("build", cwd=built).code == 1
    assert not (built / "site").exists()
    article.write_text(original, "utf-8")
    assert cli("build", cwd=built).code == 0
    assert (built / "site/index.html").is_file() and not (built / ".site.previous").exists()


def test_a_committed_old_copy_of_the_site_never_takes_its_place(built: Path, cli) -> None:
    """The attack: commit `.site.previous/` holding a withheld article and break the build:
    the next build used to move it into site/ before it failed."""
    shutil.rmtree(built / "site")
    (built / ".site.previous").mkdir()
    (built / ".site.previous/index.html").write_text("The purple giraffe protocol", "utf-8")
    article = built / "content/articles/pending.md"
    article.write_text(
        article.read_text("utf-8").replace("authors:", "authors: [x]\nauthor:"), "utf-8"
    )
    assert cli("build", cwd=built).code == 1
    assert not (built / "site").exists()


@pytest.mark.parametrize("folder", ["site", ".site.previous", ".site.building", ".site.lock"])
def test_an_output_folder_that_is_a_link_stops_the_build(
    built: Path, cli, tmp_path: Path, folder: str
) -> None:
    """The attack: a committed `site -> ../victim` made the build replace a folder outside the
    project (and delete what it held)."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", "utf-8")
    target = built / folder
    if target.is_dir():
        shutil.rmtree(target)
    target.unlink(missing_ok=True)
    target.symlink_to(victim)
    result = cli("build", cwd=built)
    assert result.code == 1
    assert f"error PUB006 {folder} is a symbolic link" in result.stderr
    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]


@pytest.mark.parametrize("folder", [".site.lock", ".site.building", ".site.previous"])
def test_a_folder_committed_at_a_build_path_does_not_stop_the_build(
    built: Path, cli, folder: str
) -> None:
    """The attack: a pull request committing `.site.lock/README` (git add -f past .gitignore)
    passed every check, and every build of main then stopped with an internal error, so no
    withdrawal reached readers. The build's own paths are the build's to make."""
    if (built / folder).is_file():
        (built / folder).unlink()  # the earlier build's lock
    (built / folder).mkdir(exist_ok=True)
    (built / folder / "README").write_text("x", "utf-8")
    result = cli("build", cwd=built)
    assert result.code == 0, result.stderr
    assert (built / "site/index.html").is_file()


def test_killed_build_leaves_the_previous_site(built: Path) -> None:
    before = snapshot(built / "site")
    for _attempt in range(5):
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "build"],
            cwd=built,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if (built / ".site.building").exists():
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
        process.wait(timeout=60)
        if process.returncode == -signal.SIGKILL:
            break
    assert process.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    assert snapshot(built / "site") == before
    # The next build clears what the killed one left (its output and its staged pages).
    assert subprocess.run([sys.executable, "-m", "pipeline", "build"], cwd=built).returncode == 0
    assert snapshot(built / "site") == before
    assert not [p.name for p in built.iterdir() if p.name.startswith(".site.") and p.is_dir()]


def test_two_builds_at_once_give_one_complete_site(built: Path) -> None:
    before = snapshot(built / "site")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "pipeline", "build"],
            cwd=built,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert snapshot(built / "site") == before  # same input, byte-identical output
    assert not [p.name for p in built.iterdir() if p.name.startswith(".site.") and p.is_dir()]


def test_a_mkdocs_yml_nested_too_deeply_is_a_diagnostic(built: Path, cli) -> None:
    before = snapshot(built / "site")
    config = built / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8") + "extra:\n  deep: " + "[" * 5000 + "]" * 5000 + "\n", "utf-8"
    )
    result = cli("build", cwd=built)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert " PUB005 mkdocs.yml is nested too deeply to be read" in result.stderr
    assert snapshot(built / "site") == before


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{% if x %}" * 3000 + "{% endif %}" * 3000, "nests too deeply"),
        ("{{ " + "1" * 5000 + " }}", "cannot be read as a template"),  # Python's digit limit
    ],
)
def test_a_template_python_cannot_read_is_a_diagnostic_at_the_template(
    built: Path, cli, template: str, said: str
) -> None:
    before = snapshot(built / "site")
    (built / "overrides/partials/deep.html").write_text(template, "utf-8")
    result = cli("build", cwd=built)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "overrides/partials/deep.html: error PUB007" in result.stderr
    assert said in result.stderr
    assert snapshot(built / "site") == before


def test_a_gitlink_in_an_articles_history_does_not_stop_the_build(repo: Path, cli) -> None:
    """The attack, one commit on main that no later change can undo: a gitlink at an article's
    path names a commit, whose message held a line like a blob's header; reading the history
    for "Changes to this page" crashed every later build with an internal error."""
    rel = "content/articles/back-pain.md"
    text = (repo / rel).read_text("utf-8")
    git(repo, "commit", "-q", "--allow-empty", "-m", "note\n\nx blob zz\n")
    target = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "rm", "-q", "--cached", rel)
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{target},{rel}")
    git(repo, "commit", "-q", "-m", "a gitlink where the article was")
    git(repo, "rm", "-q", "--cached", rel)
    (repo / rel).write_text(text, "utf-8")
    commit_all(repo, "the article again")
    for number in range(10):
        with open(repo / "content/articles/pending.md", "a", encoding="utf-8") as draft:
            draft.write(f"\nMore draft text {number}.\n")
        commit_all(repo, f"draft {number}")
    result = cli("build", cwd=repo)
    assert result.code == 0, result.stderr
    assert "Changes to this page" in (repo / "site/articles/back-pain.html").read_text("utf-8")
