"""The pure parts of the registry check: reading the registries' answers, comparing an entry
with a record, the lock's format, and what a run writes into it (issue 19)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from pipeline.content.library import parse_library
from pipeline.model import Author, Entry
from pipeline.registry.lock import LOCK, Lock, Status, parse_lock, render_lock
from pipeline.registry.matching import compare, same_journal, same_title
from pipeline.registry.new_entry import entry_text, readable_key
from pipeline.registry.records import (
    Notice,
    NoticeKind,
    Record,
    parse_crossref,
    pubmed_summaries,
)
from pipeline.registry.verify import Target, judge, merge, to_look_up
from tests.registry_server import FIXTURES

DAY = dt.date(2026, 11, 25)


def crossref(name: str) -> Record:
    data = json.loads((FIXTURES / "crossref" / f"{name}.json").read_text("utf-8"))
    return parse_crossref(data["message"])


def pubmed(pmid: str) -> Record:
    data = json.loads((FIXTURES / "pubmed" / f"{pmid}.json").read_text("utf-8"))
    record = pubmed_summaries({"result": {"uids": [pmid], pmid: data}}, [pmid])[pmid]
    assert record is not None
    return record


def entry(bib: str) -> Entry:
    entries, problems = parse_library("references/library.bib", bib)
    assert not problems
    return entries[0]


# Reading the registries' answers


def test_a_retraction_only_in_updated_by_from_retraction_watch_is_found() -> None:
    record = crossref("wakefield1998")
    assert record.notices == (
        Notice(
            NoticeKind.CORRECTION,
            "Correction",
            "https://doi.org/10.1016/s0140-6736(04)15715-2",
            "retraction-watch",
            "2004-03-06",
        ),
        Notice(
            NoticeKind.RETRACTION,
            "Retraction",
            "https://doi.org/10.1016/s0140-6736(10)60175-4",
            "retraction-watch",
            "2010-02-06",
        ),
    )


def test_a_retraction_only_in_update_to_naming_the_work_itself_is_found() -> None:
    (notice,) = crossref("update-to-retraction").notices
    assert (notice.kind, notice.source) == (NoticeKind.RETRACTION, "publisher")


def test_update_to_another_work_is_a_notice_about_that_work_not_this_one() -> None:
    message = json.loads((FIXTURES / "crossref/update-to-retraction.json").read_text("utf-8"))
    message = message["message"] | {"DOI": "10.5555/the-notice-itself"}
    assert parse_crossref(message).notices == ()


def test_crossref_record_reads_title_subtitle_years_authors_and_journals() -> None:
    record = crossref("browning2001")
    assert (record.title, record.subtitle) == ("Cyclobenzaprine and Back Pain", "A Meta-analysis")
    assert record.years == (2001,)
    assert record.authors[0] == Author("Browning", "Robert")
    assert record.journals == ("Archives of Internal Medicine", "Arch Intern Med")
    qaseem = crossref("qaseem2017")
    assert qaseem.authors[-1].corporate and qaseem.years == (2017,)


def test_pubmed_retracted_publication_and_its_retraction_notice_are_read() -> None:
    (notice,) = pubmed("9500320").notices
    assert notice.kind is NoticeKind.RETRACTION
    assert notice.link == "https://pubmed.ncbi.nlm.nih.gov/20137807/"
    assert notice.label.startswith("Retraction in Lancet. 2010 Feb 6;375(9713):445")


def test_pubmed_corrections_and_concerns_are_read_from_comments_and_corrections() -> None:
    summary = json.loads((FIXTURES / "pubmed/28192789.json").read_text("utf-8"))
    summary["references"] = [
        {"refsource": "Ann Intern Med. 2017;167(11):834", "reftype": "Erratum in", "pmid": ""},
        {"refsource": "N Engl J Med. 2020", "reftype": "Expression of concern in", "pmid": 1},
        {"refsource": "BMJ. 2018", "reftype": "Comment in", "pmid": 2},
    ]
    record = pubmed_summaries({"result": {"28192789": summary}}, ["28192789"])["28192789"]
    assert record is not None
    assert [(n.kind, n.link) for n in record.notices] == [
        (NoticeKind.CONCERN, "https://pubmed.ncbi.nlm.nih.gov/1/"),
        (NoticeKind.CORRECTION, ""),
    ]


def test_pubmed_unknown_pmid_is_none_and_an_unmentioned_one_is_left_out() -> None:
    answer = {"result": {"uids": ["1"], "1": {"uid": "1", "error": "cannot get document summary"}}}
    assert pubmed_summaries(answer, ["1", "2"]) == {"1": None}
    assert pubmed_summaries({"error": "API rate limit exceeded"}, ["1"]) == {}


def test_pubmed_record_reads_names_years_and_the_doi() -> None:
    record = pubmed("28192789")
    assert record.title.endswith("From the American College of Physicians")  # no final "."
    assert record.authors[0] == Author("Qaseem", "A") and record.authors[-1].corporate
    assert record.years == (2017,)
    assert record.journals == ("Annals of internal medicine", "Ann Intern Med")
    assert record.doi == "10.7326/M16-2367"


# Comparing an entry with a record


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("Ann Intern Med", "Annals of Internal Medicine"),
        ("Lancet", "The Lancet"),
        ("The Lancet", "Lancet (London, England)"),
        ("N Engl J Med", "The New England Journal of Medicine"),
        ("J Am Geriatr Soc", "Journal of the American Geriatrics Society"),
        ("Cochrane Database of Systematic Reviews", "Cochrane Database Syst Rev"),
        ("Clin Infect Dis", "Clinical Infectious Diseases"),
    ],
)
def test_journal_names_match_their_nlm_abbreviations(ours: str, theirs: str) -> None:
    assert same_journal(ours, theirs)


@pytest.mark.parametrize(
    ("ours", "theirs"), [("BMJ Open", "BMJ"), ("Lancet", "Lancet Infect Dis"), ("JAMA", "Nature")]
)
def test_different_journals_do_not_match(ours: str, theirs: str) -> None:
    assert not same_journal(ours, theirs)


@pytest.mark.parametrize(
    "theirs",
    [
        "RETRACTED: Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive "
        "developmental disorder in children",
        "Ileal-Lymphoid-Nodular Hyperplasia, Non-Specific Colitis and Pervasive Developmental "
        "Disorder in Children.",
        "<i>Ileal-lymphoid-nodular</i> hyperplasia, non-specific colitis, and pervasive "
        "developmental disorder in children",
    ],
)
def test_titles_match_across_case_punctuation_markup_and_a_retracted_prefix(theirs: str) -> None:
    from pipeline.registry.records import plain

    ours = "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive developmental "
    assert same_title(ours + "disorder in children", plain(theirs))


def test_latex_in_the_library_is_compared_as_the_text_it_stands_for() -> None:
    ours = entry(
        "@article{k, author={M{\\\"u}ller, J.}, title={Caf{\\'e} au lait spots \\& "
        "{NF1}}, journal={J}, year=2020}"
    )
    record = Record(
        "crossref",
        "doi:10.5555/x",
        "Café-au-lait spots & NF1",
        years=(2020,),
        authors=(Author("Müller", "J"),),
        journals=("J",),
    )
    assert compare(ours, record) == (("title", "year", "first author", "journal"), ())


def test_a_title_year_author_or_journal_that_differs_is_reported_with_the_registry_value() -> None:
    ours = entry(
        "@article{k, author={Chou, Roger}, title={Imaging strategies for low back pain}, "
        "journal={JAMA}, year=2008, pmid={17909209}}"
    )
    _, found = compare(ours, pubmed("17909209"))
    assert [(m.field, m.registry) for m in found] == [
        (
            "title",
            "Diagnosis and treatment of low back pain: a joint clinical practice guideline from "
            "the American College of Physicians and the American Pain Society",
        ),
        ("year", "2007"),
        ("journal", "Annals of internal medicine"),
    ]


def test_a_year_of_online_publication_matches_and_missing_fields_are_not_compared() -> None:
    ours = entry("@article{k, title={T}, year=2017, journal={Ann Intern Med}}")
    record = Record("pubmed", "pmid:1", "T", years=(2018, 2017), journals=("Ann Intern Med",))
    assert compare(ours, record) == (("title", "year", "journal"), ())


# The lock


def item(target: Target, record: Record | None, day: dt.date = DAY):  # type: ignore[no-untyped-def]
    return judge(target, record, day)


def test_the_lock_is_sorted_and_reads_back_as_it_was_written() -> None:
    wakefield = entry(
        "@article{wakefield1998, author={Wakefield, A. J.}, title={Ileal-lymphoid-nodular "
        "hyperplasia, non-specific colitis, and pervasive developmental disorder in children}, "
        "journal={Lancet}, year=1998, doi={10.1016/S0140-6736(97)11096-0}, pmid={9500320}}"
    )
    doi, pmid = (Target(ident, wakefield) for ident in wakefield.identifiers)
    lock = Lock({pmid.identifier: judge(pmid, pubmed("9500320"), DAY)})
    lock = Lock(dict(lock.items) | {doi.identifier: judge(doi, crossref("wakefield1998"), DAY)})
    text = render_lock(lock)
    assert text.index('"doi:10.1016') < text.index('"pmid:9500320"')
    assert parse_lock(text) == (lock, [])
    assert render_lock(parse_lock(text)[0]) == text
    assert text.count('"checked": "2026-11-25"') == 2 and "T00" not in text


def test_a_damaged_lock_is_bib016_and_counts_as_empty() -> None:
    lock, problems = parse_lock('{"version": 1, "identifiers": {\n<<<<<<< HEAD\n')
    assert lock == Lock()
    assert [(p.code, p.path, p.line) for p in problems] == [("BIB016", LOCK, 2)]
    _, problems = parse_lock('{"version": 1, "identifiers": {"doi:10.1/x": {"status": "ok"}}}')
    assert "the record of 'doi:10.1/x' is incomplete" in problems[0].message


def test_an_unanswered_identifier_keeps_what_the_lock_knew_and_a_new_one_stays_unchecked() -> None:
    ours = entry("@article{k, title={T}, year=2017, doi={10.5555/a}, pmid={1}}")
    doi, pmid = (Target(ident, ours) for ident in ours.identifiers)
    known = judge(doi, None, DAY - dt.timedelta(days=3))
    lock = merge(Lock({doi.identifier: known}), [doi, pmid], {}, DAY, 30)
    assert lock == Lock({doi.identifier: known})


def test_an_unchanged_result_keeps_its_day_until_half_the_limit() -> None:
    ours = entry("@article{k, title={T}, year=2017, journal={J}, doi={10.5555/a}}")
    (target,) = (Target(ident, ours) for ident in ours.identifiers)
    record = Record("crossref", target.identifier, "T", years=(2017,), journals=("J",))
    first = merge(Lock(), [target], {target.identifier: record}, DAY, 30)
    later = DAY + dt.timedelta(days=14)
    assert merge(first, [target], {target.identifier: record}, later, 30) == first
    renewed = merge(first, [target], {target.identifier: record}, later + dt.timedelta(1), 30)
    assert renewed.items[target.identifier].checked == later + dt.timedelta(1)
    retracted = Record(
        "crossref",
        target.identifier,
        "T",
        years=(2017,),
        journals=("J",),
        notices=(Notice(NoticeKind.RETRACTION, "Retraction", "", "publisher"),),
    )
    changed = merge(first, [target], {target.identifier: retracted}, later, 30)
    assert changed.items[target.identifier].checked == later  # news is never held back


def test_a_retraction_once_found_stays_in_the_lock_when_nothing_cites_the_work() -> None:
    """Else the record could leave with the last citation, and the work come back unseen."""
    ours = entry("@article{k, title={T}, year=2017, journal={J}, doi={10.5555/a}}")
    (target,) = (Target(ident, ours) for ident in ours.identifiers)
    notice = Notice(NoticeKind.RETRACTION, "Retraction", "", "publisher")
    record = Record("crossref", target.identifier, "T", years=(2017,), notices=(notice,))
    found = merge(Lock(), [target], {target.identifier: record}, DAY, 30)
    assert merge(found, [], {}, DAY + dt.timedelta(days=7), 30) == found
    # An answer that no longer mentions it (a registry's glitch) does not undo it either.
    again = merge(
        found, [target], {target.identifier: Record("crossref", target.identifier, "T")}, DAY, 30
    )
    assert again.items[target.identifier].notices == (notice,)
    plain = Record("crossref", target.identifier, "T", years=(2017,), journals=("J",))
    unretracted = merge(Lock(), [target], {target.identifier: plain}, DAY, 30)
    assert merge(unretracted, [], {}, DAY, 30) == Lock()


def test_without_update_only_new_or_changed_entries_are_looked_up() -> None:
    ours = entry("@article{k, title={T}, year=2017, doi={10.5555/a}, pmid={1}}")
    doi, pmid = (Target(ident, ours) for ident in ours.identifiers)
    lock = Lock({doi.identifier: judge(doi, None, DAY)})
    assert to_look_up([doi, pmid], lock, update=False) == [pmid]
    assert to_look_up([doi, pmid], lock, update=True) == [doi, pmid]
    assert judge(doi, None, DAY).status is Status.NOT_FOUND


# `references add`


def test_a_new_entry_has_a_readable_key_and_reads_back_as_the_registry_gave_it() -> None:
    record = crossref("browning2001")
    assert readable_key(record, {"browning2001"}) == "browning2001a"
    text = entry_text(record, readable_key(record, set()))
    assert text == (
        "@article{browning2001,\n"
        "  author       = {Browning, Robert and Jackson, Jeffrey L. and O'Malley, Patrick G.},\n"
        "  title        = {Cyclobenzaprine and Back Pain: A Meta-analysis},\n"
        "  journal      = {Archives of Internal Medicine},\n"
        "  shortjournal = {Arch Intern Med},\n"
        "  year         = {2001},\n"
        "  volume       = {161},\n"
        "  number       = {13},\n"
        "  pages        = {1613},\n"
        "  doi          = {10.1001/archinte.161.13.1613},\n"
        "}\n"
    )
    back = entry(text)
    assert compare(back, record)[1] == ()


def test_a_new_entry_escapes_bibtex_and_keeps_an_organisation_whole() -> None:
    record = Record(
        "crossref",
        "doi:10.5555/x",
        "Costs & benefits: 50% of {cases}",
        years=(2025,),
        authors=(
            Author("American Diabetes Association Professional Practice Committee", corporate=True),
        ),
        journals=("Diabetes Care",),
        doi="10.5555/x",
        work_type="journal-article",
    )
    key = readable_key(record, set())
    assert key == "americandiabetes2025"
    back = entry(entry_text(record, key))
    assert back.get("title") == "Costs & benefits: 50% of cases"
    assert back.authors[0].corporate


def test_a_registry_not_reached_is_one_line_whatever_the_key_holds() -> None:
    """A key holding a line break and "::error::" (bibtexparser reads one) wrote a line of its
    own when a registry could not be reached: a workflow command in GitHub's log."""
    from pipeline.cli.references import _unreached

    forged = entry("@article{k,\n  doi = {10.1/x},\n}\n")
    forged = dataclasses.replace(forged, key="k\n::error::forged")
    line = _unreached(Target("doi:10.1/x", forged), "no answer")
    assert "\n" not in line and "'k\\n::error::forged'" in line
