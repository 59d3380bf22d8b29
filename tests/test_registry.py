"""`references verify` and `references add` against Crossref and PubMed replayed on 127.0.0.1,
and `check` reading only the lock they write (issue 19).

The project is the minimal one (whose lock already holds its three identifiers) with
tests/fixtures/registry/project laid over it: an article citing a work for every answer a
registry can give (see tests/fixtures/registry/README.md).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.project import load_project
from pipeline.registry import client
from pipeline.registry.client import Registries, look_up
from pipeline.registry.verify import Target
from tests.conftest import FIXTURES, Result, commit_all, edit, git, line_of
from tests.registry_server import Registry, RegistryServer, stored

CONTACT = "editors@example.org"
LOCK = "references/registry-lock.json"
ARTICLE = "content/articles/evidence.md"
BIB = "references/registry.bib"


@pytest.fixture
def registry() -> Registry:
    return stored()


@pytest.fixture
def server(registry: Registry) -> Iterator[RegistryServer]:
    with RegistryServer(registry) as running:
        yield running


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "BACKOFF", 0.01)


def point_at(root: Path, server: RegistryServer) -> Path:
    with (root / "pipeline.yml").open("a", encoding="utf-8") as settings:
        settings.write(server.settings() + f"registry_contact: {CONTACT}\n")
    return root


@pytest.fixture
def project(minimal: Path, server: RegistryServer) -> Path:
    shutil.copytree(FIXTURES / "registry/project", minimal, dirs_exist_ok=True)
    return point_at(minimal, server)


def diagnostics(output: str) -> list[str]:
    return [line for line in output.splitlines() if not line.startswith("    hint:")]


def found(result: Result) -> list[tuple[str, str, int]]:
    """(code, file, line) of each diagnostic printed."""
    return [
        (line.split()[2], line.split(":")[0], int(line.split(":")[1]))
        for line in diagnostics(result.stdout)
    ]


def lock_of(root: Path) -> dict[str, dict[str, object]]:
    data = json.loads((root / LOCK).read_text("utf-8"))
    return data["identifiers"]  # type: ignore[no-any-return]


def block_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("the network is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def paced(began: float, arrived: list[float], interval: float) -> bool:
    """The k-th request (from 0) reached the server no sooner than k intervals after the run
    began: a request cannot arrive before it is sent, so this holds however slow the machine."""
    return all(at - began >= k * interval * 0.999 for k, at in enumerate(arrived))


# verify


def test_verify_reports_every_registry_finding_on_the_line_to_fix(
    project: Path, cli: Callable[..., Result]
) -> None:
    result = cli("references", "verify", cwd=project)
    article, bib = project / ARTICLE, project / BIB
    assert result.code == 1, result.stdout + result.stderr
    assert found(result) == [
        ("CIT003", ARTICLE, line_of(article, "[@wakefield1998]")),  # updated-by, Retraction Watch
        ("CIT003", ARTICLE, line_of(article, "[@testing2020]")),  # update-to only
        ("CIT006", ARTICLE, line_of(article, "[@carberry2008]")),  # a corrigendum
        ("CIT006", ARTICLE, line_of(article, "[@testing2019]")),  # an expression of concern
        ("CIT003", ARTICLE, line_of(article, "[@pmid:9500320]")),  # cited by PMID: every line
        ("BIB014", BIB, line_of(bib, "10.5555/this-doi-does-not-exist")),  # 404
        ("BIB015", BIB, line_of(bib, "Imaging strategies for low back pain")),  # PMID's title
    ]
    lines = diagnostics(result.stdout)
    assert lines[0].endswith(
        "error CIT003 'wakefield1998' is a retracted work (Retraction "
        "https://doi.org/10.1016/s0140-6736(10)60175-4, from Retraction Watch through Crossref)"
    )
    assert (
        "(Retraction https://doi.org/10.5555/update-to.retraction, from the publisher" in lines[1]
    )
    assert lines[2].endswith(
        "warning CIT006 'carberry2008' has a notice: Corrigendum https://doi.org/10.5555/12345678,"
        " from the publisher through Crossref"
    )
    assert lines[5].endswith(
        "error BIB014 'nowhere2021': Crossref has no record of DOI 10.5555/this-doi-does-not-exist"
    )
    assert (
        "    hint: PubMed has: Diagnosis and treatment of low back pain: a joint clinical practice "
        "guideline from the American College of Physicians and the American Pain Society"
    ) in result.stdout
    assert "10 cited identifier(s), 7 looked up, 7 answered; " in result.stderr
    assert lock_of(project)["pmid:17909209"]["mismatches"] == [
        {
            "field": "title",
            "registry": "Diagnosis and treatment of low back pain: a joint clinical practice "
            "guideline from the American College of Physicians and the American Pain Society",
        }
    ]


def test_check_reads_only_the_lock_with_the_network_blocked(
    project: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    verified = cli("references", "verify", cwd=project)
    block_the_network(monkeypatch)
    checked = cli("check", cwd=project)
    assert checked.code == 1
    assert checked.stdout == verified.stdout


def test_check_never_imports_the_http_client(minimal: Path) -> None:
    code = "import sys; from pipeline.cli import main; main(['check']); print(sorted(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=minimal, capture_output=True, text=True, check=True
    )
    loaded = done.stdout.splitlines()[-1]
    assert "'httpx'" not in loaded and "'pipeline.registry.client'" not in loaded


def test_a_second_run_looks_up_nothing_and_the_lock_keeps_its_bytes(
    project: Path, cli: Callable[..., Result], registry: Registry
) -> None:
    cli("references", "verify", cwd=project)
    written, asked = (project / LOCK).read_bytes(), len(registry.requests)
    again = cli("references", "verify", cwd=project)
    assert "10 cited identifier(s), 0 looked up, 0 answered; " in again.stderr
    assert "registry-lock.json unchanged" in again.stderr
    assert len(registry.requests) == asked
    updated = cli("references", "verify", "--update", cwd=project)
    assert "10 cited identifier(s), 10 looked up, 10 answered; " in updated.stderr
    assert (project / LOCK).read_bytes() == written


def test_a_429_is_retried_and_then_answered(
    project: Path, cli: Callable[..., Result], registry: Registry
) -> None:
    registry.script["10.1001/archinte.161.13.1613"] = ["429", "503"]
    result = cli("references", "verify", "--update", cwd=project)
    assert result.code == 1  # the findings above, and nothing unreached
    asked = [r for r in registry.requests if r.path.endswith("/archinte.161.13.1613")]
    assert len(asked) == 3
    assert lock_of(project)["doi:10.1001/archinte.161.13.1613"]["status"] == "verified"


def test_a_registry_that_does_not_answer_is_named_and_nothing_is_marked_checked(
    project: Path,
    cli: Callable[..., Result],
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client, "TIMEOUT", 0.3)
    registry.delay = 1.0
    registry.script["10.7326/m16-2367"] = ["slow"] * 5  # in the lock already
    registry.script["10.5555/updated-by.concern"] = ["slow"] * 5  # never checked
    monkeypatch.setenv("PIPELINE_TODAY", "2026-12-20")
    result = cli("references", "verify", "--update", cwd=project)
    assert result.code == 3
    library = project / "references/library.bib"
    assert (
        f"references/library.bib:{line_of(library, '10.7326/M16-2367')}: could not reach "
        "Crossref for 'qaseem2017' (DOI 10.7326/M16-2367): no answer within 0.3 seconds (5 tries)"
    ) in result.stderr
    assert "could not reach Crossref for 'testing2019'" in result.stderr
    lock = lock_of(project)
    assert lock["doi:10.7326/m16-2367"]["checked"] == "2026-11-25"  # as it was: not renewed
    assert lock["pmid:28192789"]["checked"] == "2026-12-20"
    assert "doi:10.5555/updated-by.concern" not in lock
    unchecked = [line for line in diagnostics(result.stdout) if " BIB012 " in line]
    assert unchecked == [
        f"{BIB}:{line_of(project / BIB, '@article{testing2019')}:1: note BIB012 'testing2019': "
        "DOI 10.5555/updated-by.concern not checked against Crossref yet"
    ]


def test_requests_identify_us_and_pmids_go_two_hundred_to_a_request(
    project: Path, cli: Callable[..., Result], registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCBI_API_KEY", "test-key")
    began = time.monotonic()
    cli("references", "verify", "--update", cwd=project)
    agents = {r.headers["User-Agent"] for r in registry.requests}
    (agent,) = agents
    assert agent.startswith("medical-pipeline/") and agent.endswith(f"mailto:{CONTACT})")
    (summary,) = [r for r in registry.requests if r.path == "/eutils/esummary.fcgi"]
    assert summary.query == {
        "db": ["pubmed"],
        "id": ["9500320,17909209,28192789"],
        "retmode": ["json"],
        "tool": ["medical-pipeline"],
        "email": [CONTACT],
        "api_key": ["test-key"],
    }
    arrived = sorted(r.at for r in registry.requests if r.path.startswith("/crossref/"))
    assert len(arrived) == 7 and paced(began, arrived, 1 / 10)


@pytest.mark.parametrize(("api_key", "gap"), [("", 1 / 3), ("test-key", 1 / 10)])
def test_pubmed_is_asked_at_most_three_times_a_second_or_ten_with_a_key(
    server: RegistryServer,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    api_key: str,
    gap: float,
) -> None:
    monkeypatch.setattr(client, "PMIDS_PER_REQUEST", 1)

    async def run() -> None:
        async with Registries(
            f"{server.url}/crossref", f"{server.url}/eutils", api_key=api_key
        ) as registries:
            answers = await look_up(registries, [], ["9500320", "17909209", "28192789", "1"])
        assert answers["pmid:1"] is None and answers["pmid:9500320"] is not None

    began = time.monotonic()
    asyncio.run(run())
    arrived = sorted(r.at for r in registry.requests)
    assert len(arrived) == 4 and paced(began, arrived, gap)


def test_without_a_contact_crossref_is_asked_in_its_public_pool_pace() -> None:
    assert Registries("https://a", "https://b").crossref_limits == client.CROSSREF_PUBLIC
    assert Registries("https://a", "https://b", CONTACT).crossref_limits == client.CROSSREF_POLITE


def test_a_registry_address_off_this_machine_must_be_https(
    minimal: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    with (minimal / "pipeline.yml").open("a", encoding="utf-8") as settings:
        settings.write("crossref_api: http://api.crossref.org\n")
    edit(
        minimal,
        "references/library.bib",
        "@article{chou2007,",
        "@article{chou2007,\n  doi={10.5555/x},",
    )
    block_the_network(monkeypatch)
    result = cli("references", "verify", cwd=minimal)
    assert result.code == 2
    assert "crossref_api in pipeline.yml must be an https:// address" in result.stderr


# the lock, read by check


def test_a_lock_older_than_the_limit_is_a_warning_on_the_lock(
    minimal: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINE_TODAY", "2027-01-10")
    result = cli("check", cwd=minimal)
    assert result.code == 0
    assert diagnostics(result.stdout) == [
        f"{LOCK}:1:1: warning BIB013 3 cited identifier(s) were last checked against the "
        "registries on 2026-11-25, more than 30 days ago"
    ]
    with (minimal / "pipeline.yml").open("a", encoding="utf-8") as settings:
        settings.write("lock_max_age_days: 60\n")
    assert cli("check", cwd=minimal).stdout == ""


def test_a_changed_entry_is_a_note_until_it_is_checked_again(
    project: Path, cli: Callable[..., Result], registry: Registry
) -> None:
    cli("references", "verify", cwd=project)
    edit(
        project,
        BIB,
        "Toward a unified theory of high-energy metaphysics: silly string theory",
        "Psychoceramics for beginners",
    )
    checked = cli("check", cwd=project)
    line = line_of(project / BIB, "@article{carberry2008")
    assert (
        f"{BIB}:{line}:1: note BIB012 'carberry2008': DOI 10.5555/12345678 not checked against "
        "Crossref yet since its entry changed"
    ) in checked.stdout
    assert " CIT006 'carberry2008'" in checked.stdout  # the corrigendum still stands
    again = cli("references", "verify", cwd=project)
    assert "10 cited identifier(s), 1 looked up, 1 answered; " in again.stderr
    assert f"{BIB}:{line + 2}:1: warning BIB015 'carberry2008': the title differs" in again.stdout


def test_a_note_never_fails_check_and_shows_as_a_notice_on_github(
    minimal: Path, cli: Callable[..., Result]
) -> None:
    (minimal / LOCK).unlink()
    strict = cli("check", "--strict", cwd=minimal)
    assert strict.code == 0
    assert [code for code, _, _ in found(strict)] == ["BIB012", "BIB012"]
    assert "3 articles checked: 0 error(s), 0 warning(s), 2 note(s)" in strict.stderr
    github = cli("check", "--format", "github", cwd=minimal)
    assert github.stdout.startswith(
        "::notice file=references/library.bib,line=1,col=1,title=BIB012"
    )


# add


def test_add_by_pmid_writes_a_readable_entry_and_warns_of_a_retraction(
    minimal: Path, server: RegistryServer, cli: Callable[..., Result]
) -> None:
    point_at(minimal, server)
    library = minimal / "references/library.bib"
    before = library.read_text("utf-8")
    result = cli("references", "add", "PMID: 9500320", cwd=minimal)
    assert result.code == 0, result.stderr
    assert library.read_text("utf-8") == before + "\n" + (
        "@article{wakefield1998,\n"
        "  author       = {Wakefield, AJ and Murch, SH and Anthony, A},\n"
        "  title        = {Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and "
        "pervasive developmental disorder in children},\n"
        "  journal      = {Lancet (London, England)},\n"
        "  shortjournal = {Lancet},\n"
        "  year         = {1998},\n"
        "  volume       = {351},\n"
        "  number       = {9103},\n"
        "  pages        = {637--41},\n"
        "  doi          = {10.1016/s0140-6736(97)11096-0},\n"
        "  pmid         = {9500320},\n"
        "}\n"
    )
    line = line_of(library, "@article{wakefield1998")
    assert result.stdout.splitlines() == [
        f"references/library.bib:{line}: added @article{{wakefield1998}}: Ileal-lymphoid-nodular "
        "hyperplasia, non-specific colitis, and pervasive developmental disorder in children",
        "Cite it as [@wakefield1998] or [@{doi:10.1016/s0140-6736(97)11096-0}].",
    ]
    assert "warning: this work was RETRACTED: Retraction in Lancet." in result.stderr


def test_add_refuses_a_work_the_library_has_without_asking_a_registry(
    minimal: Path, server: RegistryServer, registry: Registry, cli: Callable[..., Result]
) -> None:
    point_at(minimal, server)
    library = minimal / "references/library.bib"
    before = library.read_text("utf-8")
    result = cli("references", "add", "https://doi.org/10.7326/M16-2367", cwd=minimal)
    assert result.code == 1
    assert result.stdout.splitlines()[0] == (
        "references/library.bib:1:1: error BIB005 '10.7326/M16-2367' and 'qaseem2017' "
        "(references/library.bib:1) have the same DOI"
    )
    assert registry.requests == [] and library.read_text("utf-8") == before
    by_pmid = cli("references", "add", "11434793", cwd=minimal)  # PubMed gives browning's DOI
    assert by_pmid.code == 1 and " BIB005 '10.1001/archinte.161.13.1613' and 'browning2001'" in (
        by_pmid.stdout
    )
    assert library.read_text("utf-8") == before


def test_add_an_unknown_doi_writes_nothing(
    minimal: Path, server: RegistryServer, cli: Callable[..., Result]
) -> None:
    point_at(minimal, server)
    result = cli("references", "add", "10.5555/this-doi-does-not-exist", cwd=minimal)
    assert result.code == 1
    assert result.stderr.strip() == (
        "Crossref has no record of DOI 10.5555/this-doi-does-not-exist; check it at "
        "https://doi.org/10.5555/this-doi-does-not-exist. Nothing was written."
    )
    assert cli("references", "add", "not-an-identifier", cwd=minimal).code == 2


def test_a_source_added_by_doi_is_cited_by_it_and_then_verified(
    minimal: Path, server: RegistryServer, cli: Callable[..., Result]
) -> None:
    point_at(minimal, server)
    assert cli("references", "add", "10.5555/12345678", cwd=minimal).code == 0
    rel = "content/articles/pending.md"
    text = (minimal / rel).read_text("utf-8")
    (minimal / rel).write_text(text + "\nSee also [@doi:10.5555/12345678].\n", "utf-8")
    assert " note BIB012 'carberry2008'" in cli("check", cwd=minimal).stdout
    result = cli("references", "verify", cwd=minimal)
    assert result.code == 0
    assert diagnostics(result.stdout) == [
        f"{rel}:{line_of(minimal / rel, 'See also')}:11: warning CIT006 'doi:10.5555/12345678' "
        "has a notice: Corrigendum https://doi.org/10.5555/12345678, from the publisher through "
        "Crossref"
    ]


def test_add_names_a_field_the_registry_did_not_give(
    minimal: Path, server: RegistryServer, registry: Registry, cli: Callable[..., Result]
) -> None:
    point_at(minimal, server)
    work = json.loads(json.dumps(registry.works["10.5555/12345678"]))
    work["message"] |= {"DOI": "10.5555/no-year", "issued": {"date-parts": [[None]]}}
    for name in ("published-print", "published", "update-to"):
        work["message"].pop(name)
    registry.works["10.5555/no-year"] = work
    result = cli("references", "add", "10.5555/no-year", cwd=minimal)
    assert result.code == 0
    first, second, third = result.stdout.splitlines()[:3]
    assert first.endswith("error BIB006 @article{carberry} has no 'year' or 'date'")
    assert second.startswith("    hint: ") and " added @article{carberry}: " in third


WAKEFIELD = ("doi:10.1016/s0140-6736(97)11096-0", "pmid:9500320")


@pytest.mark.parametrize("forge", ["verified", "another digest", "deleted"])
def test_a_pull_request_that_clears_a_registry_finding_by_hand_is_reported(
    project: Path, cli: Callable[..., Result], forge: str
) -> None:
    """The attack: the weekly check recorded that a cited DOI does not exist (BIB014, so main
    stopped publishing the article); a pull request rewrites the record as verified, and the
    article would publish again. The lock is written by `verify` only: the change is reported
    to the pull request's reviewers."""
    cli("references", "verify", cwd=project)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base with a verified lock")
    git(project, "checkout", "-q", "-b", "change")
    data = json.loads((project / LOCK).read_text("utf-8"))
    ident = "doi:10.5555/this-doi-does-not-exist"
    assert data["identifiers"][ident]["status"] == "not-found"
    if forge == "deleted":
        del data["identifiers"][ident]
    else:
        data["identifiers"][ident]["status"] = "verified"
    if forge == "another digest":  # the entry's own digest is what counts, not the record's
        data["identifiers"][ident]["entry_digest"] = "0" * 64
    (project / LOCK).write_text(json.dumps(data, indent=2), "utf-8")
    commit_all(project, "the source exists after all")
    found = cli("check", "--base", "main", cwd=project).stdout
    assert (
        f"{LOCK}:1:1: warning BIB019 the registry lock on main records not-found for {ident}; "
        "this change takes that away, with the library entry unchanged"
    ) in found
    assert "BIB014 'nowhere2021'" not in found  # the forged record is believed offline
    confirmed = cli("references", "confirm", "--base", "main", cwd=project)
    if forge == "deleted":  # back to "not checked yet" (BIB012): nothing is claimed
        assert confirmed.code == 0
        return
    assert confirmed.code == 1
    assert diagnostics(confirmed.stdout) == [
        f"{LOCK}:1:1: error BIB020 the registry lock says 'verified' of {ident} ('nowhere2021'); "
        "Crossref finds not-found today"
    ]


def forge_verified(root: Path, ident: str) -> None:
    """Write a record of `ident` by hand, as verify would for a work Crossref knows and the
    library entry matches."""
    data = json.loads((root / LOCK).read_text("utf-8"))
    items = data["identifiers"]
    entry = load_project(root, dt.date(2026, 11, 25), None).library.by_identifier[ident]
    record = dict(next(item for item in items.values() if item["status"] == "verified"))
    record |= {"entry": entry.key, "entry_digest": Target(ident, entry).digest}
    items[ident] = record
    (root / LOCK).write_text(json.dumps(data, indent=2), "utf-8")


def test_confirm_asks_the_base_branchs_registries_about_a_record_forged_for_a_changed_entry(
    project: Path, server: RegistryServer, cli: Callable[..., Result]
) -> None:
    """The attack: a change that also edits the entry (the article citing it is not approved
    yet, or its author accepts that it must be approved again) makes the base's not-found record
    one of another version of the entry, and `check --base` has nothing to compare; a forged
    verified record for the new version passes check. `confirm` asks Crossref, at the address
    the base branch names (the change points pipeline.yml at a server of its own)."""
    cli("references", "verify", cwd=project)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base with a verified lock")
    git(project, "checkout", "-q", "-b", "change")
    edit(
        project,
        BIB,
        "{A trial whose DOI was mistyped}",
        "{A trial whose DOI was mistyped, revised}",
    )
    ident = "doi:10.5555/this-doi-does-not-exist"
    forge_verified(project, ident)
    edit(project, "pipeline.yml", server.settings(), "crossref_api: https://forged.invalid/\n")
    commit_all(project, "the source exists after all")
    checked = cli("check", "--base", "main", cwd=project).stdout
    assert "BIB014 'nowhere2021'" not in checked and "BIB019" not in checked
    confirmed = cli("references", "confirm", "--base", "main", cwd=project)
    assert confirmed.code == 1
    assert f"error BIB020 the registry lock says 'verified' of {ident}" in confirmed.stdout


def test_confirm_refuses_a_new_source_recorded_as_verified_by_hand(
    project: Path, cli: Callable[..., Result]
) -> None:
    cli("references", "verify", cwd=project)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base")
    git(project, "checkout", "-q", "-b", "change")
    with (project / BIB).open("a", encoding="utf-8") as bib:
        bib.write(
            "\n@article{invented2024,\n  author = {Nobody, Ann},\n  title = {A trial that never"
            " was},\n  journal = {Journal of Psychoceramics},\n  year = {2024},\n"
            "  doi = {10.5555/never-registered},\n}\n"
        )
    with (project / ARTICLE).open("a", encoding="utf-8") as article:
        article.write("\nA new trial agrees [@invented2024].\n")
    forge_verified(project, "doi:10.5555/never-registered")
    commit_all(project, "cite a new trial")
    confirmed = cli("references", "confirm", "--base", "main", cwd=project)
    assert confirmed.code == 1
    assert "BIB020 the registry lock says 'verified' of doi:10.5555/never-registered" in (
        confirmed.stdout
    )


def test_confirm_agrees_with_what_verify_wrote_and_asks_nothing_of_an_unchanged_lock(
    project: Path, registry: Registry, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The weekly registry check's own pull request: Crossref now knows the DOI it did not,
    verify records it, and confirm agrees. A change that leaves the lock alone asks nothing."""
    cli("references", "verify", cwd=project)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base")
    unchanged = cli("references", "confirm", "--base", "main", cwd=project)
    assert (unchanged.code, unchanged.stdout) == (0, "")
    assert "0 record(s) of the lock new since main asked again" in unchanged.stderr
    git(project, "checkout", "-q", "-b", "registry-lock")
    work = json.loads(json.dumps(registry.works["10.5555/12345678"]))
    work["message"] |= {
        "DOI": "10.5555/this-doi-does-not-exist",
        "title": ["A trial whose DOI was mistyped"],
        "author": [{"family": "Nowhere", "given": "Nora"}],
        "container-title": ["Journal of Psychoceramics"],
        "issued": {"date-parts": [[2021]]},
    }
    for name in ("published-print", "published", "update-to"):
        work["message"].pop(name, None)
    registry.works["10.5555/this-doi-does-not-exist"] = work
    assert cli("references", "verify", "--update", cwd=project).code in (0, 1)
    ident = "doi:10.5555/this-doi-does-not-exist"
    assert lock_of(project)[ident]["status"] != "not-found"
    commit_all(project, "registry check")
    confirmed = cli("references", "confirm", "--base", "main", cwd=project)
    assert confirmed.code == 0, confirmed.stdout + confirmed.stderr


def test_confirm_fails_when_a_registry_cannot_be_reached(
    project: Path, registry: Registry, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("references", "verify", cwd=project)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base")
    git(project, "checkout", "-q", "-b", "change")
    forge_verified(project, "doi:10.5555/this-doi-does-not-exist")
    commit_all(project, "forged")
    monkeypatch.setattr(client, "TIMEOUT", 0.3)
    registry.delay = 1.0
    registry.script["10.5555/this-doi-does-not-exist"] = ["slow"] * 5
    confirmed = cli("references", "confirm", "--base", "main", cwd=project)
    assert confirmed.code == 3
    assert "could not reach Crossref for 'nowhere2021'" in confirmed.stderr


@pytest.mark.parametrize("drop", ["the record", "its notice"])
def test_a_pull_request_may_not_drop_a_retraction_the_base_lock_records(
    project: Path, cli: Callable[..., Result], drop: str
) -> None:
    """The attack: delete the lock's record of a retracted work (or only its notice), and every
    article citing it would pass with a "not checked yet" note instead of CIT003."""
    cli("references", "verify", cwd=project)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base with a verified lock")
    git(project, "checkout", "-q", "-b", "change")
    data = json.loads((project / LOCK).read_text("utf-8"))
    for ident in WAKEFIELD:  # its DOI and its PMID each carry the retraction
        if drop == "the record":
            del data["identifiers"][ident]
        else:
            data["identifiers"][ident]["notices"] = []
    (project / LOCK).write_text(json.dumps(data, indent=2), "utf-8")
    commit_all(project, "quietly forget a retraction")
    plain = cli("check", cwd=project)
    assert "CIT003 'wakefield1998'" not in plain.stdout  # without the base, the lock is believed
    against = cli("check", "--base", "main", cwd=project)
    assert against.code == 1
    for ident in WAKEFIELD:
        assert (
            f"{LOCK}:1:1: error BIB017 the registry lock on main records that {ident} was retracted"
        ) in against.stdout
    # Restoring the lock from the base clears it.
    git(project, "checkout", "main", "--", LOCK)
    assert "BIB017" not in cli("check", "--base", "main", cwd=project).stdout


def test_confirm_refuses_a_record_written_before_anything_cites_its_source(
    project: Path, cli: Callable[..., Result]
) -> None:
    """The attack in two pull requests: the first adds only a lock record, verified, of a DOI no
    registry has, with the digest its entry will have; nothing cites it, so nothing is asked.
    The second adds the entry and a citation, and finds the record already on the base."""
    cli("references", "verify", cwd=project)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base")
    git(project, "checkout", "-q", "-b", "change")
    data = json.loads((project / LOCK).read_text("utf-8"))
    record = next(item for item in data["identifiers"].values() if item["status"] == "verified")
    data["identifiers"]["doi:10.5555/forged-2026-0042"] = dict(record, entry="forged2026")
    (project / LOCK).write_text(json.dumps(data, indent=2), "utf-8")
    commit_all(project, "prepare")
    confirmed = cli("references", "confirm", "--base", "main", cwd=project)
    assert confirmed.code == 1
    assert diagnostics(confirmed.stdout) == [
        f"{LOCK}:1:1: error BIB021 the registry lock gains a record of "
        "doi:10.5555/forged-2026-0042, which no article cites"
    ]
    # A record left behind when a change stops citing its source is the base's: not refused.
    git(project, "checkout", "-q", "main", "--", LOCK)
    (project / ARTICLE).unlink()
    commit_all(project, "drop the article")
    assert cli("references", "confirm", "--base", "main", cwd=project).code == 0


def test_confirm_asks_again_when_a_change_empties_a_records_mismatches(
    project: Path, cli: Callable[..., Result]
) -> None:
    """A mismatch record with its list of fields emptied hid every BIB015 warning of the entry
    while its status still said mismatch."""
    cli("references", "verify", cwd=project)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base")
    git(project, "checkout", "-q", "-b", "change")
    data = json.loads((project / LOCK).read_text("utf-8"))
    ident, item = next((i, v) for i, v in data["identifiers"].items() if v.get("mismatches"))
    item["mismatches"] = []
    (project / LOCK).write_text(json.dumps(data, indent=2), "utf-8")
    commit_all(project, "quieter")
    confirmed = cli("references", "confirm", "--base", "main", cwd=project)
    assert confirmed.code == 1
    assert f"error BIB020 the registry lock says 'mismatch' of {ident}" in confirmed.stdout
    assert "finds mismatch of title today" in confirmed.stdout
