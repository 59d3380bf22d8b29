"""The golden table: Markdown and a library in, superscripts and reference lines out.

Each row pins one rule of DESIGN §4 and the evidence-checker issue; if the rule broke, its row
would fail. Expected reference lines were checked by hand against the AMA Manual of Style
(11th edition) and NLM's Citing Medicine (Vancouver).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pipeline.citations.styles import Style, built_in, load_style
from pipeline.content.articles import parse_article
from pipeline.content.library import parse_library
from pipeline.model import Library
from tests.conftest import edit, plain_text, render_article

FIXTURES = Path(__file__).parent / "fixtures"
HEAD = "---\ntitle: Q?\nstatus: Submitted\nauthors: [a]\nlast_updated: 2025-01-01\n---\n"


def library() -> Library:
    entries, problems = parse_library(
        "library.bib", (FIXTURES / "golden/library.bib").read_text("utf-8")
    )
    assert problems == []
    return Library({entry.key: entry for entry in entries})


def render(body: str, style: Style | None = None) -> tuple[list[str], list[str]]:
    article, problems = parse_article("a.md", HEAD + body + "\n", dt.date(2026, 1, 1))
    assert article is not None, problems
    html, references = render_article(article, library(), style)
    sups = re.findall(r'<sup class="citation"[^>]*>(.*?)</sup>', html)
    lines = re.findall(r'<li id="ref-\d+">(.*?) <a href="#cite', references)
    return [re.sub(r"<[^>]+>", "", s) for s in sups], [plain_text(line) for line in lines]


SUPERSCRIPTS = [
    ("single key", "A [@qaseem2017].", ["1"]),
    ("two keys", "A [@qaseem2017; @browning2001].", ["1,2"]),
    ("three consecutive collapse", "A [@qaseem2017; @browning2001; @six].", ["1-3"]),
    ("sorted within a bracket", "A [@six]. B [@browning2001; @qaseem2017; @six].", ["1", "1-3"]),
    ("first appearance numbering", "A [@six]. B [@qaseem2017]. C [@six].", ["1", "2", "1"]),
    (
        "gap breaks a run",
        "[@six] [@seven] [@nice] [@six; @seven; @harrison]",
        ["1", "2", "3", "1,2,4"],
    ),
    (
        "run of four",
        "[@six] [@seven] [@nice] [@thesis] [@thesis; @six; @seven; @nice]",
        ["1", "2", "3", "4", "1-4"],
    ),
    ("duplicate key in one bracket", "A [@six; @six].", ["1"]),
    ("page locator", "A [@qaseem2017, p. 518].", ["1(p518)"]),
    ("page range locator", "A [@qaseem2017, pp. 518-520].", ["1(pp518-520)"]),
    ("en dash page range", "A [@qaseem2017, pp. 518–520].", ["1(pp518-520)"]),
    ("bare number locator", "A [@qaseem2017, 33].", ["1(p33)"]),
    ("chapter locator", "A [@harrison, chap. 12].", ["1(ch 12)"]),
    ("figure locator", "A [@qaseem2017, fig. 2].", ["1(fig 2)"]),
    ("table locator", "A [@qaseem2017, tbl. 3].", ["1(table 3)"]),
    ("section locator", "A [@harrison, sec. 4].", ["1(sec 4)"]),
    ("locators keep items apart", "A [@qaseem2017, p. 1; @six, p. 2].", ["1(p1),2(p2)"]),
    ("prefix is dropped", "A [see @qaseem2017].", ["1"]),
    ("prefix, locator and suffix", "A [see @qaseem2017, pp. 3-4 and passim].", ["1(pp3-4)"]),
    ("author suppression", "Qaseem et al [-@qaseem2017].", ["1"]),
    ("key with inner punctuation", "@string keys [@qaseem2017] and [@six].", ["1", "2"]),
    ("trailing punctuation", "A [@qaseem2017.]", ["1"]),
    ("bracket across a line break", "A [@qaseem2017;\n@six].", ["1,2"]),
    ("in a list", "- first [@six]\n- second [@qaseem2017]", ["1", "2"]),
    ("in a table", "| a | b |\n|---|---|\n| x [@six] | y [@seven] |", ["1", "2"]),
    ("in an admonition", '!!! note "Evidence"\n    Shown to help [@six].', ["1"]),
    ("in a footnote", "Text.[^1]\n\n[^1]: See the trial [@seven].", ["1"]),
    ("in a heading", "## Muscle relaxants [@six]\n\nText.", ["1"]),
    ("not in a code span", "Write `[@six]` for a citation [@seven].", ["1"]),
    ("not in fenced code", "```\n[@six]\n```\nThen [@seven].", ["1"]),
    ("not when escaped", "A \\[@six] and [@seven].", ["1"]),
    ("not an e-mail address", "Mail [a.b@example.org] or [@seven].", ["1"]),
    ("not a link text", "[@six](https://example.org) and [@seven].", ["1"]),
]


@pytest.mark.parametrize(
    ("name", "body", "expected"), SUPERSCRIPTS, ids=[c[0] for c in SUPERSCRIPTS]
)
def test_superscripts(name: str, body: str, expected: list[str]) -> None:
    assert render(body)[0] == expected


AMA = [
    (
        "journal article with DOI and PubMed",
        "qaseem2017",
        "Qaseem A, Wilt TJ, McLean RM, Forciea MA, Clinical Guidelines Committee of the American "
        "College of Physicians. Noninvasive treatments for acute, subacute, and chronic low back "
        "pain: a clinical practice guideline from the American College of Physicians. Ann Intern "
        "Med. 2017;166(7):514-530. doi:10.7326/M16-2367 PMID: 28192789",
    ),
    (
        "short journal title preferred",
        "browning2001",
        "Browning R, Jackson JL, O'Malley PG. Cyclobenzaprine and back pain: a meta-analysis. Arch "
        "Intern Med. 2001;161(13):1613-1620. doi:10.1001/archinte.161.13.1613",
    ),
    (
        "more than six authors",
        "seven",
        "One A, Two B, Three C, et al. A trial with seven authors. J Example Med. 2020;12:101-109.",
    ),
    (
        "six authors all listed",
        "six",
        "One A, Two B, Three C, Four D, Five E, Six F. A trial with six authors. J Example Med. "
        "2019;11(2):e1001.",
    ),
    (
        "LaTeX decoded, particles kept",
        "accents",
        "Müller J, Jean-Baptiste R, van der Berg A. Heat & cold for NSAID-resistant pain, "
        "1990–2000. Eur J Example. 2021;5:10-19.",
    ),
    (
        "edited book",
        "harrison",
        "Loscalzo J, Fauci A, Kasper D, Hauser S, Longo D, Jameson JL, eds. Harrison's Principles "
        "of Internal Medicine. 21st ed. McGraw Hill; 2022.",
    ),
    ("book with edition", "doebook", "Doe J. Clinical Examples. 2nd ed. Example Press; 2018."),
    (
        "book chapter",
        "chapter",
        "Roe R. Low back pain. In: Doe J, ed. Example Textbook of Medicine. Example Press; "
        "2020:200-215.",
    ),
    (
        "conference paper",
        "proceedings",
        "Poe E. Audit of imaging requests. In: Proceedings of the Example Radiology Meeting. "
        "Example Society; 2019.",
    ),
    (
        "report by an agency",
        "report",
        "Example Health Agency. Muscle Relaxant Prescribing in Primary Care. 2022. "
        "https://example.org/reports/relaxants",
    ),
    (
        "thesis",
        "thesis",
        "Loe L. Outcomes of Acute Back Pain. Dissertation. Example University; 2016.",
    ),
    (
        "web page with accessed date",
        "nice",
        "National Institute for Health and Care Excellence. Low back pain and sciatica in over "
        "16s: "
        "assessment and management. Published 2016. Accessed July 28, 2025. "
        "https://www.nice.org.uk/guidance/ng59",
    ),
    (
        "document with URL",
        "label",
        "Example Pharma. Examplol tablets: prescribing information. US Food and Drug "
        "Administration "
        "approved labeling. Published 2003. https://example.org/label.pdf",
    ),
    (
        "issue without a volume, particle first, title in sentence case",
        "vantulder2003",
        "van Tulder MW, Touray T, Furlan AD, Solway S, Bouter LM. Muscle relaxants for "
        "non-specific low back pain. Cochrane Database Syst Rev. 2003;(2):CD004252. "
        "doi:10.1002/14651858.CD004252",
    ),
    (
        "sentence case keeps braced names, subtitle in lower case",
        "chou2007medications",
        "Chou R, Huffman LH. Medications for acute and chronic low back pain: a review of the "
        "evidence for an American Pain Society/American College of Physicians clinical practice "
        "guideline. Ann Intern Med. 2007;147(7):505-514. "
        "doi:10.7326/0003-4819-147-7-200710020-00008",
    ),
    (
        "and others is et al",
        "hoberman2016",
        "Hoberman A, Paradise JL, Rockette HE, et al. Shortened antimicrobial treatment for acute "
        "otitis media in young children. N Engl J Med. 2016;375(25):2446-2456.",
    ),
    (
        "web page with a full publication date and braced acronyms",
        "fda2016metformin",
        "US Food and Drug Administration. FDA drug safety communication: FDA revises warnings "
        "regarding use of the diabetes medicine metformin in certain patients with reduced kidney "
        "function. Published April 8, 2016. Accessed December 10, 2025. "
        "https://www.fda.gov/drugs/drug-safety-and-availability/fda-drug-safety-communication-fda-"
        "revises-warnings-regarding-use-diabetes-medicine-metformin-certain",
    ),
]


@pytest.mark.parametrize(("name", "key", "expected"), AMA, ids=[c[0] for c in AMA])
def test_ama_reference_lines(name: str, key: str, expected: str) -> None:
    assert render(f"A [@{key}].")[1] == [expected]


VANCOUVER = [
    (
        "journal article",
        "qaseem2017",
        "Qaseem A, Wilt TJ, McLean RM, Forciea MA, Clinical Guidelines Committee of the American "
        "College of Physicians. Noninvasive treatments for acute, subacute, and chronic low back "
        "pain: a clinical practice guideline from the American College of Physicians. Ann Intern "
        "Med. 2017;166(7):514-30. doi:10.7326/M16-2367. PMID: 28192789.",
    ),
    (
        "six authors then et al.",
        "seven",
        "One A, Two B, Three C, Four D, Five E, Six F, et al. A trial with seven authors. "
        "J Example "
        "Med. 2020;12:101-9.",
    ),
    (
        "edited book with place",
        "harrison",
        "Loscalzo J, Fauci A, Kasper D, Hauser S, Longo D, Jameson JL, editors. Harrison's "
        "Principles of Internal Medicine. 21st ed. New York: McGraw Hill; 2022.",
    ),
    (
        "web page",
        "nice",
        "National Institute for Health and Care Excellence. Low back pain and sciatica in over "
        "16s: "
        "assessment and management [Internet]. 2016 [cited 2025 Jul 28]. Available from: "
        "https://www.nice.org.uk/guidance/ng59",
    ),
    (
        "thesis",
        "thesis",
        "Loe L. Outcomes of acute back pain [dissertation]. Example University; 2016.",
    ),
    (
        "issue without a volume",
        "vantulder2003",
        "van Tulder MW, Touray T, Furlan AD, Solway S, Bouter LM. Muscle Relaxants for "
        "Non-Specific Low Back Pain. Cochrane Database Syst Rev. 2003;(2):CD004252. "
        "doi:10.1002/14651858.CD004252.",
    ),
    (
        "and others is et al.",
        "hoberman2016",
        "Hoberman A, Paradise JL, Rockette HE, et al. Shortened Antimicrobial Treatment for Acute "
        "Otitis Media in Young Children. N Engl J Med. 2016;375(25):2446-56.",
    ),
]


@pytest.mark.parametrize(("name", "key", "expected"), VANCOUVER, ids=[c[0] for c in VANCOUVER])
def test_vancouver_reference_lines(name: str, key: str, expected: str) -> None:
    assert render(f"A [@{key}].", built_in("vancouver"))[1] == [expected]


def test_reference_list_is_in_citation_order_with_back_links_to_every_use() -> None:
    article, _ = parse_article(
        "a.md", HEAD + "A [@six]. B [@qaseem2017; @six]. C [@six].\n", dt.date(2026, 1, 1)
    )
    assert article is not None
    _, references = render_article(article, library())
    assert re.findall(r'<li id="ref-(\d)">(\w+)', references) == [("1", "One"), ("2", "Qaseem")]
    first = references.split('<li id="ref-2">')[0]
    assert re.findall(r'href="#cite-(\d)" class="citation-backref"[^>]*>(\w)<', first) == [
        ("1", "a"),
        ("2", "b"),
        ("3", "c"),
    ]


def test_every_number_links_to_its_entry_with_a_short_accessible_name() -> None:
    """The tooltip reads the entry from the list, so the link carries no copy of it."""
    article, _ = parse_article("a.md", HEAD + "A [@browning2001].\n", dt.date(2026, 1, 1))
    assert article is not None
    html, references = render_article(article, library())
    assert '<a href="#ref-1" aria-label="Reference 1">1</a>' in html
    assert "Browning" not in html and '<li id="ref-1">Browning R' in references


def test_a_csl_style_formats_the_entries_and_our_numbers_stay() -> None:
    style, problems = load_style("styles/house-numeric.csl", FIXTURES)
    assert problems == []
    sups, lines = render("A [@six]. B [@qaseem2017].", style)
    assert sups == ["1", "2"]
    assert (
        lines[0] == "One A, Two B, Three C, Four D, Five E, Six F. A trial with six authors. "
        "J Example Med. 2019."
    )
    assert lines[1].startswith("Qaseem A, Wilt TJ, McLean RM, Forciea MA, Clinical Guidelines")


@pytest.mark.parametrize(
    ("field", "value"),
    [("urldate", "2020-W01-1"), ("date", "²⁰²⁰-01-01"), ("year", "²⁰²⁰"), ("edition", "²")],
)
def test_a_date_or_number_no_style_reads_is_left_out_not_a_crash(field: str, value: str) -> None:
    """The attack: a library entry's urldate spelt as a week ("2020-W01-1", which check's
    fromisoformat read) or a year in superscript digits (which isdigit takes for digits and
    int() refuses) stopped every build of a site with a CSL style with an internal error."""
    entries, _ = parse_library(
        "references/library.bib",
        "@book{odd, title={A book}, author={Doe, Jane}, publisher={P}, "
        f"{field}={{{value}}}}}",
    )
    article, _ = parse_article("a.md", HEAD + "A [@odd].\n", dt.date(2026, 1, 1))
    assert article is not None
    for style in (load_style("styles/house-numeric.csl", FIXTURES)[0], built_in("ama")):
        _, references = render_article(article, Library({e.key: e for e in entries}), style)
        assert "Doe J" in references


@pytest.mark.parametrize("option", ["chicago", "styles/missing.csl"])
def test_an_unusable_style_is_a_diagnostic(option: str, tmp_path: Path) -> None:
    (tmp_path / "styles").mkdir()
    style, problems = load_style(option, tmp_path)
    assert [p.code for p in problems] == ["BIB010"] and style.name == "ama"


def test_a_broken_csl_file_is_a_diagnostic_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.csl").write_text("<style>not csl</style>", "utf-8")
    _, problems = load_style("bad.csl", tmp_path)
    assert [(p.code, p.path) for p in problems] == [("BIB010", "bad.csl")]


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("vancouver", "Ann Intern Med. 2017;166(7):514-30. doi:10.7326/M16-2367."),
        ("styles/house-numeric.csl", "American College of Physicians. Ann Intern Med. 2017."),
    ],
)
def test_the_site_uses_the_style_set_in_the_settings(
    minimal: Path, cli, option: str, expected: str
) -> None:
    (minimal / "styles").mkdir()
    (minimal / "styles/house-numeric.csl").write_bytes(
        (FIXTURES / "styles/house-numeric.csl").read_bytes()
    )
    config = minimal / "pipeline.yml"
    config.write_text(
        config.read_text("utf-8").replace("citation_style: ama", f"citation_style: {option}"),
        "utf-8",
    )
    assert cli("build", cwd=minimal).code == 0
    page = (minimal / "site/articles/back-pain.html").read_text("utf-8")
    references = re.split(r'<ol class="references"[^>]*>', page)[1].split("</ol>")[0]
    assert expected in plain_text(references)


def test_a_wrong_style_option_stops_the_build(minimal: Path, cli) -> None:
    config = minimal / "pipeline.yml"
    config.write_text(
        config.read_text("utf-8").replace("citation_style: ama", "citation_style: chicago"), "utf-8"
    )
    result = cli("check", cwd=minimal)
    assert result.code == 1
    assert "error PUB004 'citation_style' must be ama, vancouver or the path" in result.stdout
    # A .csl file that is not there is the style's own problem.
    config.write_text("citation_style: styles/missing.csl\n", "utf-8")
    result = cli("check", cwd=minimal)
    assert "pipeline.yml: error BIB010 citation_style 'styles/missing.csl'" in result.stdout


def test_a_house_style_that_is_not_utf8_is_refused(minimal: Path, cli) -> None:
    """Admins sign the style as text: two files differing in bytes that are not UTF-8 would
    read the same to the signature and differently to the renderer."""
    style = minimal / "styles/house.csl"
    style.parent.mkdir()
    style.write_bytes((FIXTURES / "styles/house-numeric.csl").read_bytes() + b"<!-- \xe9 -->\n")
    edit(minimal, "pipeline.yml", "citation_style: ama", "citation_style: styles/house.csl")
    result = cli("check", cwd=minimal)
    assert "BIB010 citation_style 'styles/house.csl' cannot be used: it is not UTF-8 text" in (
        result.stdout
    )
