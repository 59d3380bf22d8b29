"""The repository's own sample content: it checks clean and builds the site readers get."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.site.probes import probes
from tests.conftest import output_text

UNPUBLISHED_MARKERS = ("heliotrope-42", "saffron-17")


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os
    import shutil

    from pipeline.cli import main
    from tests.conftest import REPO, TODAY

    root = tmp_path_factory.mktemp("sample")
    for name in ("content", "references", "mkdocs.yml", "overrides", "pipeline.yml"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    previous, cwd = os.environ.get("PIPELINE_TODAY"), Path.cwd()
    os.environ["PIPELINE_TODAY"] = TODAY
    os.chdir(root)
    try:
        assert main(["build"]) == 0
    finally:
        os.chdir(cwd)
        if previous is None:
            os.environ.pop("PIPELINE_TODAY", None)
        else:
            os.environ["PIPELINE_TODAY"] = previous
    return root


def articles(root: Path, approved: bool) -> list[Path]:
    found = []
    for path in sorted((root / "content/articles").glob("*.md")):
        is_approved = re.search(r"^status: Approved$", path.read_text("utf-8"), re.M) is not None
        if is_approved == approved:
            found.append(path)
    return found


def test_sample_content_checks_clean_even_in_strict_mode(sample: Path, cli) -> None:
    result = cli("check", "--strict", cwd=sample)
    # Only notes (BIB012) that its DOIs and PMIDs are not yet checked against the registries:
    # the weekly workflow fills references/registry-lock.json; this machine has no internet.
    lines = [line for line in result.stdout.splitlines() if not line.startswith("    hint:")]
    assert (result.code, [line for line in lines if " note BIB012 " not in line]) == (0, [])


def test_a_build_counts_notes_in_one_line_and_check_lists_them(sample: Path, cli) -> None:
    """A clinician running the build is not shown a page of notes that need nothing done."""
    built = cli("build", cwd=sample)
    assert built.code == 0, built.stderr
    assert " note " not in built.stderr
    notes = len(re.findall(r" note BIB012 ", cli("check", cwd=sample).stdout))
    assert notes > 0
    assert f"{notes} note(s), nothing to fix: python -m pipeline check lists them" in built.stderr


def test_sample_has_the_statuses_the_project_promises(sample_site: Path) -> None:
    assert len(articles(sample_site, approved=True)) >= 4
    statuses = [
        re.search(r"^status: (.+)$", p.read_text("utf-8"), re.M).group(1)  # type: ignore[union-attr]
        for p in articles(sample_site, approved=False)
    ]
    assert "Submitted" in statuses and "Under Review" in statuses


def test_every_approved_article_has_a_complete_page(sample_site: Path) -> None:
    for source in articles(sample_site, approved=True):
        page = sample_site / "site/articles" / f"{source.stem}.html"
        html = page.read_text("utf-8")
        assert html.count('id="medical-disclaimer"') == 1, source.name
        assert re.search(r'id="review-status"[^>]*data-status="approved"', html), source.name
        assert 'class="references"' in html, source.name


def test_no_text_of_any_unapproved_article_is_in_any_output_file(sample_site: Path) -> None:
    site = sample_site / "site"
    everything = " ".join(output_text(p) for p in site.rglob("*") if p.is_file())
    for marker in UNPUBLISHED_MARKERS:
        assert marker.replace("-", " ") not in everything
    for source in articles(sample_site, approved=False):
        assert not (site / "articles" / f"{source.stem}.html").exists()
        leaked = [p for p in probes(source.read_text("utf-8")) if p in everything]
        # Only generic phrases shared with published pages may appear (e.g. field names).
        assert leaked == [], source.name


def test_back_spasm_citations_are_numbered_by_first_appearance(sample_site: Path) -> None:
    html = (sample_site / "site/articles/back-spasm.html").read_text("utf-8")
    body = html.split('id="references"')[0]
    numbers = [int(n) for n in re.findall(r'<a href="#ref-(\d+)"', body)]
    highest = 0
    for number in numbers:
        assert number <= highest + 1, f"{number} appears before {highest + 1}"
        highest = max(highest, number)
    references = re.findall(r'<li id="ref-(\d+)">', html)
    assert [int(n) for n in references] == list(range(1, highest + 1))
    first = html.index('id="ref-1"')
    assert "Qaseem A, Wilt TJ, McLean RM, Forciea MA" in html[first : first + 400]
