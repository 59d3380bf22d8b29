"""AMA formatting of the reference list."""

from __future__ import annotations

from pipeline.citations.formats import format_ama, initials
from pipeline.content.library import parse_library, resolve_crossrefs
from tests.conftest import plain_text


def formatted(bib: str) -> str:
    entries, problems = parse_library("references/x.bib", bib)
    assert not problems and len(entries) == 1
    return plain_text(format_ama(entries[0]))


def test_journal_article_in_ama_style_with_doi_and_pubmed() -> None:
    text = formatted(
        "@article{q, author={Qaseem, Amir and Wilt, Timothy J. and McLean, Robert M. and "
        "Forciea, Mary Ann}, title={Noninvasive treatments for low back pain}, journal={Ann Intern"
        " Med}, year=2017, volume=166, number=7, pages={514--530}, doi={10.7326/M16-2367}, "
        "pmid={28192789}}"
    )
    assert text == (
        "Qaseem A, Wilt TJ, McLean RM, Forciea MA. Noninvasive treatments for low back pain. "
        "Ann Intern Med. 2017;166(7):514-530. doi:10.7326/M16-2367 PMID: 28192789"
    )


def test_doi_link_and_pubmed_link_point_at_the_source() -> None:
    entries, _ = parse_library(
        "x.bib", "@article{q, title={T}, journal={J}, year=2017, doi={doi:10.1/ABC}, pmid={123}}"
    )
    html = format_ama(entries[0])
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


def test_article_titles_are_in_sentence_case_keeping_braced_words_and_abbreviations() -> None:
    text = formatted(
        "@article{k, title={Oral Steroids for {Parkinson} Disease in {NSAID}-Naive Adults With "
        "HbA1c Above 7 and Vitamin D Deficiency: A Randomized Clinical Trial}, journal={J}, "
        "year=2015}"
    )
    assert text.startswith(
        "Oral steroids for Parkinson disease in NSAID-naive adults with HbA1c above 7 and vitamin "
        "D deficiency: a randomized clinical trial. J. 2015."
    )


def test_a_numbered_title_keeps_the_capital_after_its_number() -> None:
    text = formatted(
        "@article{k, title={9. Pharmacologic Approaches to Glycemic Treatment: {Standards of Care "
        "in Diabetes}---2025}, journal={Diabetes Care}, year=2025, volume=48, number={Suppl 1}}"
    )
    assert text.startswith(
        "9. Pharmacologic approaches to glycemic treatment: Standards of Care in Diabetes—2025."
    )


def test_a_title_wholly_in_braces_keeps_its_capitals() -> None:
    text = formatted("@article{k, title={{The ALLHAT Trial Report}}, journal={J}, year=2002}")
    assert text.startswith("The ALLHAT Trial Report. J. 2002.")


def test_accents_in_a_title_are_not_case_protection() -> None:
    text = formatted(
        '@article{k, title={{\\"U}ber {Sj{\\"o}gren} Syndrome and \\emph{In Vitro} Tests}, '
        "journal={J}, year=2002}"
    )
    assert text.startswith("Über Sjögren syndrome and in vitro tests. J. 2002.")


def test_book_report_and_thesis_titles_are_in_title_case() -> None:
    book = formatted(
        "@book{k, author={Doe, Jane}, title={Living with low back pain: a guide for {iPhone} "
        "users}, publisher={P}, year=2019}"
    )
    assert book == "Doe J. Living With Low Back Pain: A Guide for iPhone Users. P; 2019."
    thesis = formatted(
        "@mastersthesis{k, author={Loe, Lara}, title={Outcomes of back pain in the clinic}, "
        "school={U}, year=2016}"
    )
    assert thesis == "Loe L. Outcomes of Back Pain in the Clinic. Master's thesis. U; 2016."


def test_and_others_gives_et_al_after_the_names_given() -> None:
    text = formatted(
        "@article{k, author={Blumenthal, Roger S. and Morris, Pamela B. and others}, title={T}, "
        "journal={J}, year=2026}"
    )
    assert text.startswith("Blumenthal RS, Morris PB, et al. T.")


def test_a_chapter_takes_the_braces_of_the_book_it_crossrefs() -> None:
    entries, problems = parse_library(
        "x.bib",
        "@book{b, title={Handbook of {pH} Disorders}, editor={Doe, Jane}, publisher={P}, "
        "year=2020}\n@incollection{c, author={Roe, Richard}, title={Acid {\\&} Base}, "
        "crossref={b}, pages={1--9}}",
    )
    library, found = resolve_crossrefs({e.key: e for e in entries})
    assert problems == [] and found == []
    assert plain_text(format_ama(library["c"])) == (
        "Roe R. Acid & base. In: Doe J, ed. Handbook of pH Disorders. P; 2020:1-9."
    )
