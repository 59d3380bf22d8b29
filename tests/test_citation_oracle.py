"""Our reference lines against the reference implementations, entry by entry (STYLE.md: pandoc's
citeproc is an oracle, not a dependency to hide behind).

The oracle is pandoc's citeproc (what Quarto uses) with the official AMA 11th edition CSL style
(`fixtures/csl/`, see the comment at its top for the commit). Each entry of the golden library
is rendered by pandoc from the .bib file itself and by our AMA style; both are turned into the
same text (`normalized`) and must be equal once the deliberate differences listed in
`DIFFERENCES` are applied to pandoc's line: each one names the entry, what pandoc writes, what we
write instead and why. A listed difference that pandoc no longer makes fails the test too.

citeproc-py with the same official CSL does not give our AMA lines (`CITEPROC_PY_DIFFERS`: 9 of
the 17 golden entries differ, for the reasons listed there, and its HTML has no links), and it
is a hundred times slower: `python -m benchmarks.styles` (1,000 articles of 20 references, on
the 2-core development machine) took 36.9 s against our 0.30 s (0.94 s before sentence and
title case were memoized). So the hand-written AMA formatter stays. Vancouver was checked the
same way against the official NLM style (Citing Medicine, `nlm-citation-sequence.csl`): 15 of
17 entries differ, and citeproc-py took 102.6 s against our 0.30 s, so it stays too.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.citations.styles import Style, built_in, load_style
from pipeline.content.library import parse_library
from pipeline.model import Entry

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = FIXTURES / "golden/library.bib"
AMA_CSL = FIXTURES / "csl/american-medical-association.csl"
NLM_CSL = FIXTURES / "csl/nlm-citation-sequence.csl"


@functools.cache
def golden() -> dict[str, Entry]:
    entries, problems = parse_library("library.bib", GOLDEN.read_text("utf-8"))
    assert problems == []
    return {entry.key: entry for entry in entries}


def normalized(fragment: str) -> str:
    """An HTML reference as comparable text: italics kept as _…_ (a period that ends the italics
    moved after them: `<i>Ann Intern Med.</i>` and `<em>Ann Intern Med</em>.` are the same),
    other tags dropped, entities decoded, white space folded. pandoc's BibTeX reader turns
    straight apostrophes into typographic ones; we print the library's, so both read as '."""
    text = re.sub(r"</?(?:i|em)>", "_", fragment)
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("’", "'")
    text = re.sub(r"\._", "_.", text)
    return " ".join(text.split())


def ours(style: Style, key: str) -> str:
    return normalized(style.format_all([golden()[key]])[0])


@dataclass(frozen=True)
class Difference:
    key: str
    pandoc: str  # what pandoc writes for this entry
    ours: str  # what we write in its place
    reason: str


SUBTITLE = (
    "AMA 11th ed. 3.10: an article's subtitle starts in lower case (3.9.1 for web pages); "
    "pandoc capitalizes the word after a colon"
)
PARTICLES = (
    "particles stay in front of the surname, as AMA and NLM (Citing Medicine: van de Kamp JM) "
    "write them; pandoc's citeproc moves them after the initials"
)
DOI_AS_WRITTEN = (
    "the library may write a DOI as https://doi.org/… or doi:… (BIB007 accepts both); we print "
    "the DOI itself, pandoc the field as written"
)
PUBMED = "DESIGN §4: a PubMed link when the entry has a PMID (AMA neither asks for nor forbids it)"
ROLE_LABEL = (
    "pandoc's citeproc puts the role label before the names when the style's <names> has no "
    "<name> (', eds.Loscalzo J'); AMA writes 'Loscalzo J, …, eds.', as citeproc-py does too"
)
AGENCY_ONCE = (
    "AMA's government reports name an agency that is both author and publisher once; the CSL "
    "repeats it as publisher"
)
DISSERTATION = (
    "AMA calls a doctoral thesis 'Dissertation.'; pandoc's BibTeX reader says 'PhD thesis'"
)
PUBLISHED = (
    "AMA 11th ed. 3.15 (websites): 'Published [date]. Accessed [date].'; the CSL prints the bare "
    "date"
)
PUBLISHED_ONLINE = (
    "'Published online' is AMA's wording for an article out ahead of print; a document that "
    "is not an article is 'Published 2003'"
)
HOWPUBLISHED = (
    "AMA names where a document comes from; pandoc's reader maps a @misc's howpublished to "
    "nothing the AMA style prints"
)

DIFFERENCES = [
    Difference("qaseem2017", ": A clinical", ": a clinical", SUBTITLE),
    Difference(
        "qaseem2017", "doi:https://doi.org/10.7326/M16-2367", "doi:10.7326/M16-2367", DOI_AS_WRITTEN
    ),
    Difference("qaseem2017", "M16-2367", "M16-2367 PMID: 28192789", PUBMED),
    Difference("browning2001", ": A meta-analysis", ": a meta-analysis", SUBTITLE),
    Difference("browning2001", "doi:doi:10.1001", "doi:10.1001", DOI_AS_WRITTEN),
    Difference("accents", "Berg A van der.", "van der Berg A.", PARTICLES),
    Difference(
        "harrison",
        ", eds.Loscalzo J, Fauci A, Kasper D, Hauser S, Longo D, Jameson JL.",
        "Loscalzo J, Fauci A, Kasper D, Hauser S, Longo D, Jameson JL, eds.",
        ROLE_LABEL,
    ),
    Difference("chapter", "In, ed.Doe J.", "In: Doe J, ed.", ROLE_LABEL),
    Difference("report", "_. Example Health Agency; 2022.", "_. 2022.", AGENCY_ONCE),
    Difference("thesis", "PhD thesis.", "Dissertation.", DISSERTATION),
    Difference("nice", ": Assessment", ": assessment", SUBTITLE),
    Difference("nice", "management. 2016.", "management. Published 2016.", PUBLISHED),
    Difference("label", ": Prescribing", ": prescribing", SUBTITLE),
    Difference(
        "label",
        "information. Published",
        "information. US Food and Drug Administration approved labeling. Published",
        HOWPUBLISHED,
    ),
    Difference("label", "Published online 2003.", "Published 2003.", PUBLISHED_ONLINE),
    Difference("vantulder2003", "Tulder MW van,", "van Tulder MW,", PARTICLES),
    Difference("chou2007medications", ": A review", ": a review", SUBTITLE),
    Difference("fda2016metformin", "function. April 8", "function. Published April 8", PUBLISHED),
]


@functools.cache
def pandoc_lines() -> dict[str, str]:
    """Every golden entry as pandoc 3.9 renders it with the official AMA style, by key."""
    pypandoc = pytest.importorskip("pypandoc")
    from lxml import html as lxml_html

    page = pypandoc.convert_text(
        "---\nnocite: '@*'\n---\n",
        "html",
        format="markdown",
        extra_args=["--citeproc", f"--csl={AMA_CSL}", f"--bibliography={GOLDEN}", "--wrap=none"],
    )
    lines = {}
    for entry in lxml_html.fromstring(page).xpath("//div[@class='csl-entry']"):
        (body,) = entry.xpath("./div[@class='csl-right-inline']")
        inner = (body.text or "") + "".join(
            lxml_html.tostring(child, encoding="unicode") for child in body
        )
        lines[entry.get("id").removeprefix("ref-")] = normalized(inner)
    return lines


@pytest.mark.parametrize("key", list(golden()))
def test_ama_is_what_pandoc_citeproc_writes_but_for_the_listed_differences(key: str) -> None:
    expected = pandoc_lines()[key]
    for difference in (d for d in DIFFERENCES if d.key == key):
        assert expected.count(difference.pandoc) == 1, (
            f"pandoc no longer writes {difference.pandoc!r} once for {key}: {expected}"
        )
        expected = expected.replace(difference.pandoc, difference.ours)
    assert ours(built_in("ama"), key) == expected


def test_every_listed_difference_names_a_golden_entry_and_says_why() -> None:
    assert {d.key for d in DIFFERENCES} <= set(golden())
    assert all(d.reason and d.pandoc != d.ours for d in DIFFERENCES)


# Where citeproc-py with the official style writes something else than we do, and why (the
# differences in links are not in the text: citeproc-py's HTML has no link in it at all).
CITEPROC_PY_DIFFERS = {
    "american-medical-association.csl": {
        "qaseem2017": "no PubMed link (DESIGN §4); subtitle capitalized (CSL-JSON's convention)",
        "browning2001": "subtitle capitalized (CSL-JSON's convention; AMA 3.10 lower-cases it)",
        "harrison": "citeproc-py prints the editors again after the edition, though the CSL "
        "substituted them for the author (CSL 1.0.2: a substituted variable is suppressed)",
        "report": "the CSL repeats the agency as publisher (AMA names it once)",
        "nice": "no 'Published' before the date (AMA 3.15); subtitle capitalized",
        "label": "no howpublished, 'Published online' (AMA: for articles ahead of print)",
        "chou2007medications": "subtitle capitalized",
        "hoberman2016": "CSL-JSON cannot say 'and others': citeproc-py prints 'others' as a name",
        "fda2016metformin": "no 'Published' before the date (AMA 3.15)",
    },
    "nlm-citation-sequence.csl": {
        "qaseem2017": "en dash in 514–30 (Citing Medicine: hyphen); 'PubMed PMID:'; subtitle",
        "browning2001": "en dash in the page range; no period after the DOI; subtitle",
        "seven": "en dash in the page range",
        "accents": "en dash in the page range",
        "harrison": "editors printed twice (citeproc-py); book title in sentence case (NLM: "
        "right, our Vancouver keeps the library's capitals)",
        "doebook": "book title in sentence case (NLM: right, ours keeps the library's capitals)",
        "chapter": "en dash in the page range",
        "report": "'[Internet]' after any title with a URL (ours: web pages only)",
        "thesis": "'[Dissertation]' capitalized, as our CSL-JSON genre is",
        "nice": "'[cited 2025Jul28]': citeproc-py runs the date parts together; subtitle",
        "label": "no howpublished; subtitle capitalized",
        "vantulder2003": "title in sentence case (NLM: right); no period after the DOI",
        "chou2007medications": "sentence case; en dash; no period after the DOI",
        "hoberman2016": "'others' printed as a name; sentence case; en dash",
        "fda2016metformin": "sentence case; '[cited 2025Dec10]'",
    },
}


@pytest.mark.parametrize(
    ("csl", "ours_name"),
    [(AMA_CSL, "ama"), (NLM_CSL, "vancouver")],
    ids=["ama", "vancouver"],
)
def test_citeproc_py_with_the_official_style_differs_from_ours_only_where_listed(
    csl: Path, ours_name: str
) -> None:
    """The evidence for keeping our formatters: if citeproc-py comes to agree on an entry, this
    fails, and the choice deserves another look."""
    style, problems = load_style(csl.name, csl.parent)
    assert problems == []
    entries = list(golden().values())
    theirs = dict(zip(golden(), map(normalized, style.format_all(entries)), strict=True))
    differing = {key for key in golden() if ours(built_in(ours_name), key) != theirs[key]}
    assert differing == set(CITEPROC_PY_DIFFERS[csl.name])
