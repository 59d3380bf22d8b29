"""AMA formatting of the reference list."""

from __future__ import annotations

from pipeline.citations.formats import format_reference, initials, plain_text
from pipeline.content.library import parse_library


def formatted(bib: str) -> str:
    entries, problems = parse_library("references/x.bib", bib)
    assert not problems and len(entries) == 1
    return plain_text(format_reference(entries[0]))


def test_journal_article_in_ama_style_with_doi_and_pubmed() -> None:
    text = formatted(
        "@article{q, author={Qaseem, Amir and Wilt, Timothy J. and McLean, Robert M. and "
        "Forciea, Mary Ann}, title={Noninvasive treatments for low back pain}, journal={Ann Intern"
        " Med}, year=2017, volume=166, number=7, pages={514--530}, doi={10.7326/M16-2367}, "
        "pmid={28192789}}"
    )
    assert text == (
        "Qaseem A, Wilt TJ, McLean RM, Forciea MA. Noninvasive treatments for low back pain. "
        "Ann Intern Med. 2017;166(7):514-530. https://doi.org/10.7326/M16-2367 PMID: 28192789"
    )


def test_doi_link_and_pubmed_link_point_at_the_source() -> None:
    entries, _ = parse_library(
        "x.bib", "@article{q, title={T}, journal={J}, year=2017, doi={doi:10.1/ABC}, pmid={123}}"
    )
    html = format_reference(entries[0])
    assert '<a href="https://doi.org/10.1/ABC">' in html
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/123/">' in html


def test_more_than_six_authors_shows_three_and_et_al() -> None:
    authors = " and ".join(f"Surname{i}, Given" for i in range(7))
    text = formatted(f"@article{{k, author={{{authors}}}, title={{T}}, journal={{J}}, year=2001}}")
    assert text.startswith("Surname0 G, Surname1 G, Surname2 G, et al. T.")


def test_corporate_author_in_braces_stays_whole() -> None:
    text = formatted(
        "@article{k, author={{American College of Physicians}}, title={T}, journal={J}, year=2001}"
    )
    assert text.startswith("American College of Physicians. T.")


def test_latex_accents_are_decoded_for_display() -> None:
    text = formatted(
        "@article{k, author={M{\\\"u}ller, J{\\'e}r{\\^o}me}, title={A \\& B}, "
        "journal={J}, year=2001}"
    )
    assert text.startswith("Müller J. A & B.")


def test_book_with_edition_and_publisher() -> None:
    text = formatted(
        "@book{k, author={Doe, Jane}, title={Clinical Pharmacology}, edition=3, "
        "publisher={Elsevier}, year=2019}"
    )
    assert text == "Doe J. Clinical Pharmacology. 3rd ed. Elsevier; 2019."


def test_website_with_accessed_date() -> None:
    text = formatted(
        "@online{k, author={{World Health Organization}}, title={Hypertension}, "
        "url={https://www.who.int/health-topics/hypertension}, year=2023, urldate={2025-07-28}}"
    )
    assert text == (
        "World Health Organization. Hypertension. Published 2023. Accessed July 28, 2025. "
        "https://www.who.int/health-topics/hypertension"
    )


def test_initials_keep_hyphens() -> None:
    assert initials("Jean-Paul") == "J-P"
    assert initials("Timothy J.") == "TJ"


def test_urls_and_dois_are_not_read_as_latex() -> None:
    entries, _ = parse_library(
        "x.bib",
        "@online{k, title={50\\% of {ACP} members}, url={https://example.org/~user/a%20b}, "
        "doi={10.1002/(SICI)1097-0258--x}, year=2020}",
    )
    fields = entries[0].fields
    assert fields["title"] == "50% of ACP members"
    assert fields["url"] == "https://example.org/~user/a%20b"
    assert fields["doi"] == "10.1002/(SICI)1097-0258--x"
