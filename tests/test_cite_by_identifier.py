"""Citing by identifier: `[@doi:…]` and `[@pmid:…]` name the library entry with that DOI or PMID,
everywhere a cited key is looked up (issue 19, part 5)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import markdown
import pytest

from pipeline.citations.render import keyed_text, reference_list
from pipeline.citations.resolve import resolve
from pipeline.citations.scan import check_citations, scan_text
from pipeline.content.articles import parse_article
from pipeline.content.library import parse_library
from pipeline.markdown_extension import NAME as EXTENSION
from pipeline.model import Article, Library
from tests import signing
from tests.conftest import DAY, codes_of, edit

HEAD = "---\ntitle: Q?\nstatus: Submitted\nauthors: [a]\nlast_updated: 2025-01-01\n---\n"
BIB = """
@article{qaseem2017, author={Qaseem, Amir}, title={Noninvasive treatments for low back pain},
  journal={Ann Intern Med}, year=2017, doi={https://doi.org/10.7326/M16-2367}, pmid={28192789}}
@article{borenstein2003, author={Borenstein, David G.}, title={Low-dose cyclobenzaprine},
  journal={Clin Ther}, year=2003, doi={10.1016/S0149-2918(03)80067-X}}
@article{o'neil2020, author={O'Neil, Ann}, title={A key no citation can hold}, journal={J},
  year=2020, doi={10.5555/12345678}}
"""


def library() -> Library:
    entries, problems = parse_library("references/library.bib", BIB)
    assert not problems
    return Library({e.key: e for e in entries})


def article(body: str) -> Article:
    parsed, problems = parse_article("content/articles/x.md", HEAD + body, dt.date(2026, 1, 1))
    assert parsed is not None, problems
    return parsed


@pytest.mark.parametrize(
    "key",
    [
        "qaseem2017",
        "doi:10.7326/M16-2367",
        "doi:10.7326/m16-2367",
        "DOI:10.7326/M16-2367",
        "pmid:28192789",
    ],
)
def test_a_key_a_doi_in_any_case_and_a_pmid_name_the_same_entry(key: str) -> None:
    found = resolve(library(), key)
    assert found is not None and found.key == "qaseem2017"


def test_an_identifier_not_in_the_library_is_cit001_with_the_add_command() -> None:
    (problem,) = check_citations(article("Text [@doi:10.7326/M16-2368].\n"), library())
    assert problem.code == "CIT001"
    assert problem.message == (
        "unknown citation key 'doi:10.7326/M16-2368' (did you mean 'doi:10.7326/m16-2367'?)"
    )
    assert problem.hint.endswith("python -m pipeline references add 10.7326/M16-2368")
    (problem,) = check_citations(article("Text [@pmid:1].\n"), library())
    assert problem.hint.endswith("python -m pipeline references add 1")


def test_a_doi_with_brackets_is_cited_in_braces() -> None:
    assert (
        check_citations(article("Text [@{doi:10.1016/S0149-2918(03)80067-X}].\n"), library()) == []
    )
    (problem,) = check_citations(article("Text [@doi:10.1016/S0149-2918(03)80067-X].\n"), library())
    assert problem.code == "CIT002"
    assert "in braces: @{doi:10.1016/S0149-2918(03)80067-X}" in problem.message


def test_a_source_cited_by_key_and_by_identifier_has_one_number_and_one_reference() -> None:
    body = keyed_text(
        "A [@doi:10.7326/M16-2367]. B [@borenstein2003; @pmid:28192789, p. 3]. "
        "C [@{doi:10.5555/12345678}] and `[@doi:10.7326/M16-2367]` in code.\n",
        library(),
    )
    assert body == (
        "A [@qaseem2017]. B [@borenstein2003; @qaseem2017, p. 3]. "
        "C [@{o'neil2020}] and `[@doi:10.7326/M16-2367]` in code.\n"
    )
    html = markdown.markdown(body, extensions=[EXTENSION])
    numbers = re.findall(r'aria-label="Reference (\d+)"', html)
    assert numbers == ["1", "1", "2", "3"]  # A: 1; B: 1(p3),2; C: 3
    references = reference_list(scan_text(body), library())
    assert references.count("<li ") == 3
    assert "Qaseem A." in references and "O&#x27;Neil A." in references


def test_in_a_project_a_source_cited_only_by_identifier_is_cited(minimal: Path, cli) -> None:
    rel = "content/articles/back-pain.md"
    edit(minimal, rel, "@qaseem2017, p. 518", "@doi:10.7326/M16-2367, p. 518")
    edit(minimal, rel, "[@browning2001; @qaseem2017]", "[@browning2001; @pmid:28192789]")
    edit(minimal, rel, "@browning2001; @qaseem2017]", "@browning2001; @doi:10.7326/m16-2367]")
    signing.approve(minimal, rel, "rev2", DAY)
    result = cli("check", cwd=minimal)
    assert "CIT001" not in result.stdout and "'qaseem2017' is not cited" not in result.stdout
    assert result.code == 0, result.stdout


def test_the_approval_covers_the_entry_a_doi_resolves_to(minimal: Path, cli) -> None:
    rel = "content/articles/back-pain.md"
    text = (minimal / rel).read_text("utf-8").replace("@qaseem2017", "@doi:10.7326/M16-2367")
    (minimal / rel).write_text(text, "utf-8")
    signing.approve(minimal, rel, "rev2", DAY)
    assert "  reference qaseem2017 " in (minimal / rel).read_text("utf-8")  # what it covers
    assert cli("check", cwd=minimal).code == 0
    edit(minimal, "references/library.bib", "from the {American", "by the {American")
    result = cli("check", cwd=minimal)
    assert result.code == 1 and "REV003" in codes_of(result)
    assert "REV003 The reference 'qaseem2017' changed after rev2 approved it" in result.stdout


def test_the_published_page_numbers_a_source_once_however_it_is_cited(minimal: Path, cli) -> None:
    rel = "content/articles/back-pain.md"
    edit(minimal, rel, "@qaseem2017, p. 518", "@doi:10.7326/M16-2367, p. 518")
    signing.approve(minimal, rel, "rev2", DAY)
    assert cli("build", cwd=minimal).code == 0
    page = (minimal / "site/articles/back-pain.html").read_text("utf-8")
    references = page.split('<ol class="references">')[1].split("</ol>")[0]
    assert references.count("<li ") == 3
    assert references.count("Qaseem A") == 1
