"""One test per library and evidence diagnostic: the code, the file and the line a board
member is sent to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.checks.library import check_identifiers, check_library, isbn_is_valid
from pipeline.content.library import parse_library
from pipeline.model import Library
from tests.conftest import line_of

TODAY = dt.date(2026, 11, 25)
BIB = "references/library.bib"


def diagnostics(bib: str) -> list[tuple[str, int, str]]:
    entries, problems = parse_library(BIB, bib)
    library = Library({e.key: e for e in entries})
    found = problems + check_library(library, TODAY)
    return [(d.code, d.line, d.message) for d in found]


def codes_lines(bib: str) -> list[tuple[str, int]]:
    return [(code, line) for code, line, _ in diagnostics(bib)]


GOOD = (
    "@article{a,\n  author = {Doe, Jane},\n  title = {T},\n  journal = {J},\n  year = {2020},\n}\n"
)


def test_complete_entry_has_no_diagnostic() -> None:
    assert diagnostics(GOOD) == []


def test_duplicate_key_in_one_file_names_both_places() -> None:
    found = diagnostics(GOOD + "\n" + GOOD)
    assert [(c, line) for c, line, _ in found] == [("BIB002", 8)]
    assert "first defined at references/library.bib:1" in found[0][2]


def test_duplicate_key_across_files_names_both_places(minimal: Path, cli) -> None:
    entry = "@article{qaseem2017, author={Doe, J}, title={Other}, journal={J}, year={2020}}\n"
    (minimal / "references/zz-extra.bib").write_text(entry, "utf-8")
    result = cli("check", cwd=minimal)
    assert (
        "references/zz-extra.bib:1:1: error BIB002 duplicate key 'qaseem2017' "
        "(first defined at references/library.bib:1)" in result.stdout
    )


def test_no_library_file_is_an_error(minimal: Path, cli) -> None:
    (minimal / "references/library.bib").unlink()
    assert (
        "references: error BIB003 no .bib file in references/" in cli("check", cwd=minimal).stdout
    )


def test_library_file_that_is_not_utf8_is_an_error(minimal: Path, cli) -> None:
    (minimal / "references/library.bib").write_bytes(
        "@article{k, title={Caf\xe9}}".encode("latin-1")
    )
    assert "references/library.bib:1:1: error BIB004 " in cli("check", cwd=minimal).stdout


@pytest.mark.parametrize(
    ("name", "second"),
    [
        (
            "same DOI",
            "@article{b, author={Roe, R}, title={Other}, journal={J}, year={2021}, "
            "doi={10.1234/X}}",
        ),
        (
            "same PMID",
            "@article{b, author={Roe, R}, title={Other}, journal={J}, year={2021}, pmid={123}}",
        ),
        (
            "same title and year",
            "@article{b, author={Roe, R}, title={The  Title!}, journal={K}, year={2020}}",
        ),
    ],
)
def test_same_work_under_two_keys_is_an_error(name: str, second: str) -> None:
    first = (
        "@article{a, author={Doe, J}, title={The title}, journal={J}, year={2020}, "
        "doi={https://doi.org/10.1234/x}, pmid={123}}\n"
    )
    if name != "same DOI":
        first = first.replace(", doi={https://doi.org/10.1234/x}", "")
    if name != "same PMID":
        first = first.replace(", pmid={123}", "")
    found = diagnostics(first + second + "\n")
    assert [(c, line) for c, line, _ in found] == [("BIB005", 2)]
    assert "'b' and 'a'" in found[0][2]


@pytest.mark.parametrize(
    ("entry", "missing"),
    [
        ("@article{k, author={Doe, J}, title={T}, year={2020}}", "'journal' or 'journaltitle'"),
        ("@article{k, author={Doe, J}, title={}, journal={J}, year={2020}}", "'title'"),
        ("@book{k, author={Doe, J}, title={T}, year={2020}}", "'publisher'"),
        ("@book{k, title={T}, publisher={P}, year={2020}}", "'author' or 'editor'"),
        ("@incollection{k, author={Doe, J}, title={T}, publisher={P}, year={2020}}", "'booktitle'"),
        ("@inbook{k, author={Doe, J}, title={T}, booktitle={B}, year={2020}}", "'publisher'"),
        ("@inproceedings{k, author={Doe, J}, title={T}, booktitle={B}}", "'year' or 'date'"),
        ("@techreport{k, author={Doe, J}, title={T}, year={2020}}", "'institution'"),
        ("@report{k, title={T}, institution={I}}", "'year' or 'date'"),
        ("@phdthesis{k, author={Doe, J}, title={T}, year={2020}}", "'school' or 'institution'"),
        ("@online{k, title={T}, year={2020}}", "'url'"),
        ("@misc{k, title={T}, url={https://example.org}}", "'year' or 'date' or 'urldate'"),
    ],
)
def test_required_fields_per_entry_type(entry: str, missing: str) -> None:
    found = diagnostics("% a comment line\n" + entry + "\n")
    assert [(c, line) for c, line, _ in found] == [("BIB006", 2)]
    assert found[0][2].endswith(f"has no {missing}")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("doi", "10.7326"),
        ("doi", "https://example.org/10.1/x"),
        ("pmid", "PMID28192789"),
        ("pmcid", "1234567"),
        ("isbn", "978-0-07-180215-3"),
        ("url", "ftp://example.org/file"),
        ("url", "www.example.org"),
        ("year", "2027"),
        ("year", "17"),
        ("urldate", "28/07/2025"),
        # A week, which fromisoformat reads and no style can print (a CSL style crashed on it).
        ("urldate", "2020-W01-1"),
        ("urldate", "２０２０-01-01"),
    ],
)
def test_malformed_identifier_is_an_error_on_its_field_line(field: str, value: str) -> None:
    entry = GOOD.replace("  year = {2020},\n", f"  year = {{2020}},\n  {field} = {{{value}}},\n")
    if field == "year":
        entry = GOOD.replace("  year = {2020},\n", f"  year = {{{value}}},\n")
    line = 6 if field != "year" else 5
    assert codes_lines(entry) == [("BIB007", line)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("doi", "https://doi.org/10.7326/M16-2367"),
        ("doi", "doi:10.7326/M16-2367"),
        ("pmid", "28192789"),
        ("pmcid", "PMC1234567"),
        ("isbn", "978-0-306-40615-7"),
        ("isbn", "0-306-40615-2"),
        ("url", "https://www.nice.org.uk/guidance/ng59"),
        # NCBI's Bookshelf and PMC pages are not PubMed addresses: no PMID to match.
        ("url", "https://www.ncbi.nlm.nih.gov/books/NBK279396/"),
        ("url", "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC5604450/"),
        ("urldate", "2025-07-28"),
        ("urldate", "20250728"),  # the basic form, accepted before weeks were refused
    ],
)
def test_well_formed_identifiers_pass(field: str, value: str) -> None:
    entries, _ = parse_library(BIB, GOOD.removesuffix("}\n") + f"  {field} = {{{value}}},\n}}\n")
    entry = entries[0]
    assert list(check_identifiers(entry, TODAY)) == []


def test_isbn_checksum() -> None:
    assert isbn_is_valid("978-0-306-40615-7") and isbn_is_valid("0-8044-2957-X")
    assert not isbn_is_valid("978-0-306-40615-8") and not isbn_is_valid("12345")


def test_uncited_entry_is_one_warning_at_the_entry(minimal: Path, cli) -> None:
    bib = minimal / "references/library.bib"
    bib.write_text(bib.read_text("utf-8") + "\n" + GOOD.replace("{a,", "{unused,"), "utf-8")
    result = cli("check", cwd=minimal)
    assert result.code == 0
    assert result.stdout.count("BIB008") == 1
    assert "references/library.bib:34:1: warning BIB008 'unused' is not cited by any article" in (
        result.stdout
    )


def test_citing_a_retracted_work_is_an_error_on_the_citing_line(minimal: Path, cli) -> None:
    (minimal / "references/retractions.txt").write_text(
        "# Retracted works, refreshed from the Retraction Watch database\n"
        "https://doi.org/10.1001/ARCHINTE.161.13.1613  # by DOI, any case or prefix\n",
        "utf-8",
    )
    result = cli("check", cwd=minimal)
    assert result.code == 1
    line = line_of(minimal / "content/articles/back-pain.md", "@browning2001")
    assert (
        f"content/articles/back-pain.md:{line}:65: error CIT003 'browning2001' is a retracted work"
        in result.stdout
    )
    assert result.stdout.count(" CIT003 ") == 2  # cited twice, reported at each citation


def test_retraction_by_pmid(minimal: Path, cli) -> None:
    (minimal / "references/retractions.txt").write_text("PMID: 28192789\n", "utf-8")
    assert cli("check", cwd=minimal).stdout.count(" CIT003 ") == 5  # every citation of it


def test_bad_line_in_the_retraction_list_is_an_error(minimal: Path, cli) -> None:
    (minimal / "references/retractions.txt").write_text("# list\n\nnot an id\n", "utf-8")
    result = cli("check", cwd=minimal)
    assert (
        "references/retractions.txt:3:1: error BIB009 'not an id' is neither a DOI nor a PMID"
        in (result.stdout)
    )


def test_old_evidence_is_a_warning_on_the_title_line(minimal: Path, cli) -> None:
    path = minimal / "content/articles/pending.md"
    path.write_text(path.read_text("utf-8").replace("@qaseem2017", "@browning2001"), "utf-8")
    result = cli("check", cwd=minimal)
    assert (
        "content/articles/pending.md:2:1: warning CIT004 the newest source cited is from 2001, "
        "more than 10 years ago" in result.stdout
    )
    config = minimal / "pipeline.yml"
    text = config.read_text("utf-8")
    assert "stale_evidence_years: 10" in text
    config.write_text(text.replace("stale_evidence_years: 10", "stale_evidence_years: 30"), "utf-8")
    assert "CIT004" not in cli("check", cwd=minimal).stdout


def test_approved_article_without_citations_is_an_error(minimal: Path, cli) -> None:
    path = minimal / "content/articles/back-pain.md"
    text = path.read_text("utf-8")
    body = text.split("\n---\n", 1)[1]
    path.write_text(text.replace(body, "\nNo sources here.\n"), "utf-8")
    result = cli("check", cwd=minimal)
    assert (
        "content/articles/back-pain.md:3:1: error CIT005 this Approved article cites no source"
        in (result.stdout)
    )


def test_citation_with_illegal_characters_in_its_key_is_malformed(minimal: Path, cli) -> None:
    path = minimal / "content/articles/pending.md"
    path.write_text(path.read_text("utf-8").replace("[@qaseem2017]", "[@qaseem2017!x]"), "utf-8")
    result = cli("check", cwd=minimal)
    assert "content/articles/pending.md:11:78: error CIT002 malformed citation [@qaseem2017!x]" in (
        result.stdout
    )


def test_a_doi_ending_in_a_hash_can_be_listed_as_retracted() -> None:
    """Old Wiley DOIs end in "2-#": a "#" starts a comment only at the start of a line or after
    a blank, or the listed work was cut to another DOI and never matched."""
    from pipeline.checks.evidence import parse_retractions
    from pipeline.identifiers import normalize_doi

    doi = "10.1002/(SICI)1097-4636(199812)43:4<386::AID-JBM6>3.0.CO;2-#"
    found, problems = parse_retractions(f"# the board's list\n{doi}  # retracted in 2001\n")
    assert problems == [] and found.dois == {normalize_doi(doi)}


def test_digits_of_another_script_are_no_identifier() -> None:
    """The attack: a PMID or DOI ending in a Devanagari zero, drawn like "0", passed as digits
    and matched no retraction; each is now refused, in the library and in the list."""
    from pipeline.checks.evidence import parse_retractions

    for field in ("pmid = {950032\u0966}", "doi = {10.1016/S0140-6736(97)11096-\u0966}"):
        bib = GOOD.replace("year = {2020},", f"year = {{2020}},\n  {field},")
        assert "BIB007" in [code for code, _ in codes_lines(bib)], field
    found, problems = parse_retractions("950032\u0966\n")
    assert not found.pmids and [p.code for p in problems] == ["BIB009"]


def test_a_name_prints_with_the_spaces_its_approval_signed() -> None:
    """The attack: after approval, the spaces of a cited committee's name replaced with line
    separators or ideographic spaces; the signature folds white space, so the page printed what
    no one signed. Names are folded as they are read."""
    bib = GOOD.replace(
        "Doe, Jane", "{Clinical\u1680Guidelines\u2028Committee} and van\u3000Tulder, M.\u00a0W."
    )
    entries, _ = parse_library(BIB, bib)
    names = [(a.last, a.given) for a in entries[0].authors]
    assert names == [("Clinical Guidelines Committee", ""), ("van Tulder", "M. W.")]


def test_braces_protect_capitals_only_in_the_fields_readers_see() -> None:
    """Working out case protection, one decoded group at a time, for a note of 300,000 `{~}`
    took half a minute of every check and build; only the fields readers see (which approvals
    sign) need it. A field of more groups than any title has keeps all its capitals."""
    many = "{A}" * 300
    bib = GOOD.replace("title = {T}", f"title = {{{many}}},\n  note = {{{{~}}{{B}}}}")
    (entry,), _ = parse_library(BIB, bib)
    assert "note" not in entry.case_protected
    assert entry.case_protected["title"] == ((0, 300),)
    (entry,), _ = parse_library(BIB, GOOD.replace("title = {T}", "title = {The {DNA} of it}"))
    assert entry.case_protected["title"] == ((4, 7),)
    # What approvals sign of every field readers see: leaving out a journal's or an
    # institution's braces changed the digest of every approval citing one.
    (entry,), _ = parse_library(BIB, GOOD.replace("journal = {J}", "journal = {{BMJ} Open}"))
    assert entry.case_protected["journal"] == ((0, 3),)


def test_what_an_approval_signs_of_a_source_stays_as_it_was() -> None:
    """Every approval citing a source signs this reading of it; a change to how braces are read
    (one left a journal's and an institution's out) silently unpublished those articles. The
    value below is what approvals have signed since the braces were signed."""
    import json

    from pipeline.review.statement import entry_value

    bib = (
        "@report{r,\n  author = {{Imaginary Institute of Health}},\n"
        "  institution = {{Imaginary Institute of Health}},\n"
        "  title = {The {DNA} of {BMJ} work},\n  journal = {{BMJ} Open},\n"
        "  note = {{~}{B}},\n  year = {2011},\n}\n"
    )
    (entry,), _ = parse_library(BIB, bib)
    assert json.dumps(entry_value(entry), sort_keys=True) == (
        '{"authors": [["Imaginary Institute of Health", "", true]], "editors": [], "fields": '
        '{"institution": "Imaginary Institute of Health", "journal": "BMJ Open", "title": '
        '"The DNA of BMJ work", "year": "2011"}, "protected": {"institution": [[0, 29]], '
        '"journal": [[0, 3]], "title": [[4, 7], [11, 14]]}, "type": "report"}'
    )


def _latex_entries(count: int, accents: int) -> str:
    """`count` sources whose titles are their number and `accents` LaTeX accents each
    (`\\"{u}`): each title its own, as each is read once."""
    accented = '\\"{u}' * accents
    return "".join(
        f"@misc{{pad{i},\n  title = {{{i}{accented}}},\n  url = {{https://example.org/{i}}},\n"
        "  year = {2020},\n}\n"
        for i in range(count)
    )


def test_a_library_past_the_latex_limit_is_refused_before_any_of_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A megabyte of `\\"{u}` made every check and build half a minute slower: the characters
    to read as LaTeX are counted first, and past the limit nothing is read."""
    from pipeline.content import library

    monkeypatch.setattr(library, "LATEX_LIMIT", 1_500)
    monkeypatch.setattr(library, "latex_text", lambda value: pytest.fail("read as LaTeX"))
    found = codes_lines(GOOD + _latex_entries(3, 100))  # 500 characters each, counted twice
    assert found == [("BIB022", 12)]  # the second source goes past it


def test_the_latex_limit_holds_across_the_library_files(
    minimal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Split into files each under the limit, the library still holds no more than it."""
    from pipeline.content import library

    monkeypatch.setattr(library, "LATEX_LIMIT", 1_500)
    for name in ("x1", "x2", "x3"):
        (minimal / f"references/{name}.bib").write_text(
            _latex_entries(1, 100).replace("pad", name), "utf-8"
        )
    _, problems = library.load_library(minimal)
    assert [(d.code, d.path, d.line) for d in problems] == [
        ("BIB022", "references/x2.bib", 1),
        ("BIB022", "references/x3.bib", 1),
    ]
    assert "with what references/x1.bib (1,042) read before this file" in problems[0].message


def test_fields_nobody_reads_are_kept_as_written_and_not_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Zotero exports an abstract for every source, each "%" written "\\%": decoded whole for
    one escape, an ordinary export went past the limit. Nothing reads an abstract."""
    from pipeline.content import library

    monkeypatch.setattr(library, "LATEX_LIMIT", 100)
    abstract = "Pain fell by 25\\% at two weeks. " * 40
    bib = GOOD.replace("year = {2020},", f"year = {{2020}},\n  abstract = {{{abstract}}},")
    (entry,), problems = parse_library(BIB, bib)
    assert problems == []
    assert entry.fields["abstract"] == " ".join(abstract.split())


def test_a_real_library_is_far_under_the_latex_limit() -> None:
    """The limit refuses no real library: the sample's, and accented names and titles in the
    thousands (the benchmark's library for 1,000 articles uses under 2,000 characters)."""
    from pipeline.content.library import LATEX_LIMIT

    names = " and ".join(['M{\\"u}ller, Hans', "Garc{\\'i}a, Ana", "N{\\'u}{\\~n}ez, L"] * 2)
    entry = '@article{k%d, author = {%s}, title = {{\\&} of {\\"u} %d},\n'
    bib = "".join(entry % (i, names, i) + "journal = {J}, year = {2020}}\n" for i in range(500))
    entries, problems = parse_library(BIB, bib)
    assert problems == [] and len(entries) == 500
    assert LATEX_LIMIT >= 100_000


def test_each_name_is_read_once_however_many_entries_name_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The limit counts each distinct name once: read once for each entry (whenever the names
    overflowed the reader's own bounded memory), 90,000 counted characters took minutes."""
    from pipeline.content import library

    read: list[str] = []
    parse_author = library.parse_author.__wrapped__
    monkeypatch.setattr(library, "parse_author", lambda raw: read.append(raw) or parse_author(raw))
    names = " and ".join(['M{\\"u}ller, Hans', "Doe, Jane", "Roe, R"])
    bib = "".join(
        f"@article{{k{i}, author = {{{names}}}, title = {{T}}, journal = {{J}}, year = {{2020}}}}\n"
        for i in range(20)
    )
    entries, problems = parse_library(BIB, bib)
    assert problems == [] and len(entries) == 20
    assert sorted(read) == sorted(['M{\\"u}ller, Hans', "Doe, Jane", "Roe, R"])


def test_abbreviations_that_expand_a_file_many_times_over_are_refused_unread() -> None:
    """One @string of a long title (or of thousands of names) used by every entry made the
    library many times longer than the file: 150 uses of 120 KB, 18 MB to read."""
    long_title = "word " * 2_000
    bib = (
        "@string{t = {"
        + long_title
        + "}}\n"
        + "".join(
            f"@misc{{x{i}, title = t, url = {{https://e.org/{i}}}, year = {{2020}}}}\n"
            for i in range(30)
        )
    )
    entries, problems = parse_library(BIB, bib)
    assert entries == [] and [(d.code, d.line) for d in problems] == [("BIB023", 1)]
    journals = "@string{jama = {JAMA}}\n" + GOOD.replace("journal = {J}", "journal = jama")
    assert parse_library(BIB, journals)[1] == []  # what abbreviations are for


def test_a_value_many_entries_share_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A journal's name with "\\&" is the same in a thousand entries: read (and counted) once,
    an ordinary library of 2,300 such entries went past the limit."""
    from pipeline.content import library

    read: list[str] = []
    latex_text = library.latex_text
    monkeypatch.setattr(
        library, "latex_text", lambda value: read.append(value) or latex_text(value)
    )
    journal = "Journal of Bone {\\&} Joint Surgery"
    bib = "".join(
        GOOD.replace("{a,", f"{{a{i},").replace("{J}", f"{{{journal}}}") for i in range(50)
    )
    entries, problems = parse_library(BIB, bib)
    assert problems == [] and {e.get("journal") for e in entries} == {
        "Journal of Bone & Joint Surgery"
    }
    assert read.count(journal) == 2  # its text, then its braces: once each, not once an entry


def test_latex_that_cannot_be_read_is_an_error_on_its_entry_and_tried_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A title nested 270 braces deep in 1,773 entries was tried again for each (19 s); an
    environment opened 200 times made the LaTeX parser raise, and check stopped with exit 2."""
    from pipeline.content import library

    deep = "{" * 270 + "\\o" + "}" * 270
    tried: list[str] = []
    latex_text = library.latex_text
    monkeypatch.setattr(
        library, "latex_text", lambda value: tried.append(value) or latex_text(value)
    )
    bib = "".join(GOOD.replace("{a,", f"{{a{i},").replace("{T}", f"{{{deep}}}") for i in range(5))
    entries, problems = parse_library(BIB, bib)
    assert entries == [] and [d.code for d in problems] == ["BIB001"] * 5
    assert "has braces nested too deeply" in problems[0].message
    assert tried.count(deep) == 1
    environments = GOOD.replace("{T}", "{" + "\\begin{equation}" * 200 + "}")
    entries, problems = parse_library(BIB, environments)
    assert entries == [] and [(d.code, d.line) for d in problems] == [("BIB001", 1)]
    assert "holds LaTeX that cannot be read" in problems[0].message


def test_a_failure_of_our_own_code_is_never_blamed_on_the_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the LaTeX parser's failures are the library's: one of ours must stop the check
    (exit 2, a bug to fix), not read as "holds LaTeX that cannot be read" on every entry."""
    from pipeline.content import library

    def broken(value: str) -> list[tuple[str, bool]]:
        raise AttributeError("a bug of ours")

    monkeypatch.setattr(library, "_brace_pieces", broken)
    with pytest.raises(AttributeError):
        parse_library(BIB, GOOD.replace("{T}", "{The {DNA} of it}"))
