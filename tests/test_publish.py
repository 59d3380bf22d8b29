"""End to end: the built site holds approved articles only, each complete (DESIGN §6)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.engines import ENGINES, theme
from pipeline.project import load_project
from pipeline.site.audit import audit
from pipeline.site.probes import probes
from pipeline.site.stage import publish_plan
from tests import signing
from tests.conftest import TODAY, edit, output_text, pdf_showing


def built(root: Path, cli) -> Path:
    result = cli("build", cwd=root)
    assert result.code == 0, result.stderr
    return root / "site"


def site_files(site: Path) -> dict[Path, bytes]:
    return {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def assert_leak_stops_the_build(root: Path, cli, before: dict[Path, bytes], where: str) -> None:
    result = cli("build", cwd=root)
    assert result.code == 1
    assert "PUB001" in result.stderr and where in result.stderr
    assert site_files(root / "site") == before


def strict_build(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Plain `mkdocs build --strict` into plain/, as a user without our CLI would run it."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", "plain"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )


def all_output_text(site: Path) -> str:
    return " ".join(output_text(p) for p in site.rglob("*") if p.is_file())


def test_approved_article_has_a_complete_page(minimal: Path, cli) -> None:
    site = built(minimal, cli)
    page = (site / "articles/back-pain.html").read_text(encoding="utf-8")
    assert 'id="review-status"' in page and 'data-status="approved"' in page
    assert 'id="medical-disclaimer"' in page and "never replaces, clinical" in page
    order = [
        page.index("<h1>What helps acute back spasm?</h1>"),
        page.index("Medical Advisory Board."),
        page.index('id="review-status"'),
        page.index("Last reviewed"),
        page.index("Next review due"),
        page.index("View editorial policy"),
        page.index("Short-term relief comes from"),
        page.index('id="references"'),
        page.index('id="competing-interests"'),
        page.index('id="page-changes"'),
        page.index('id="medical-disclaimer"'),
    ]
    assert order == sorted(order)
    assert 'href="../editorial-policy.html"' in page


def test_unapproved_articles_leave_no_trace_in_any_output_file(minimal: Path, cli) -> None:
    site = built(minimal, cli)
    text = all_output_text(site)
    for phrase in ("zebra stripes", "purple giraffe", "lavender nebulizers", "moonlight"):
        assert phrase not in text
    assert not (site / "articles/pending.html").exists()
    assert not (site / "articles/under-review.html").exists()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "articles/back-pain.html" in sitemap and "pending" not in sitemap
    assert "back spasm" in output_text(site / "search/search_index.json")


def test_home_page_lists_approved_articles_with_summary_and_date(minimal: Path, cli) -> None:
    site = built(minimal, cli)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="articles/back-pain.html"' in home
    assert "Muscle relaxants and NSAIDs give short-term relief" in home
    assert "Last reviewed November 25, 2026" in home
    assert "moonlight" not in home.lower()


def test_listings_date_articles_by_their_verified_approval_not_by_last_updated(
    minimal: Path, cli
) -> None:
    """`last_updated` is not signed: moved forward on an approved article, it would lift the
    article to the top of every list as freshly updated. Listings use the approval's date."""
    signing.approve(minimal, "content/articles/back-pain.md", "rev2", dt.date(2026, 3, 1))
    home = (built(minimal, cli) / "index.html").read_text(encoding="utf-8")
    assert "Last reviewed March 1, 2026" in home and "November 25" not in home


def test_board_page_is_generated_from_the_roster(minimal: Path, cli) -> None:
    site = built(minimal, cli)
    board = (site / "board.html").read_text(encoding="utf-8")
    assert "Rita Reviewer, MD, FACP" in board and "Physical medicine and rehabilitation" in board


def test_article_edited_after_approval_fails_the_build_and_is_not_published(
    minimal: Path, cli
) -> None:
    article = minimal / "content/articles/back-pain.md"
    article.write_text(article.read_text(encoding="utf-8").replace("heat and", "ice and"), "utf-8")
    checked = cli("check", cwd=minimal)
    assert checked.code == 1 and " REV003 " in checked.stdout
    assert cli("build", cwd=minimal).code == 1
    assert not (minimal / "site").exists()


def test_failed_audit_leaves_the_previous_site_untouched(minimal: Path, cli) -> None:
    site = built(minimal, cli)
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    # A theme change that prints text from outside the plan into every page: the audit must
    # catch it even though staging did nothing wrong.
    leak = minimal / "overrides/main.html"
    leak.write_text(
        '{% extends "base.html" %}{% block footer %}The purple giraffe protocol recommends '
        "counting zebra stripes before each antihistamine dose.{% endblock %}",
        encoding="utf-8",
    )
    result = cli("build", cwd=minimal)
    assert result.code == 1
    assert "PUB001" in result.stderr and "content/articles/pending.md" in result.stderr
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not (minimal / ".site.building").exists()


def test_a_strict_build_with_warnings_leaves_the_previous_site_untouched(
    minimal: Path, cli
) -> None:
    """MkDocs aborts a strict build on its warnings only after every plugin's on_post_build,
    once the new site would have been swapped in: the plugin checks first."""
    site = built(minimal, cli)
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    policy = minimal / "content/pages/editorial-policy.md"
    policy.write_text(policy.read_text("utf-8") + "\nSee [the rules](no-such-page.md).\n", "utf-8")
    result = cli("build", "--strict", cwd=minimal)
    assert result.code == 1
    assert "no-such-page.md" in result.stderr and "the site was not changed" in result.stderr
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not (minimal / ".site.building").exists()


def test_audit_requires_the_disclaimer_and_status_on_every_article_page(minimal: Path, cli) -> None:
    site = built(minimal, cli)
    day = dt.date.fromisoformat(TODAY)
    project = load_project(minimal, day)
    plan = publish_plan(project)
    assert audit(site, project, plan, theme("mkdocs")) == []
    page = site / "articles/back-pain.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace('data-status="approved"', 'data-status="submitted"'), "utf-8")
    assert [d.code for d in audit(site, project, plan, theme("mkdocs"))] == ["PUB002"]
    page.write_text(
        re.sub(r'<aside id="medical-disclaimer".*?</aside>', "", html, flags=re.S), "utf-8"
    )
    assert [d.code for d in audit(site, project, plan, theme("mkdocs"))] == ["PUB002"]


def test_leak_probes_survive_markup_and_citations() -> None:
    found = probes("The *purple* giraffe protocol [@x] recommends counting zebra stripes daily.")
    assert "the purple giraffe protocol recommends counting zebra stripes" in found


def test_builds_are_byte_identical(minimal: Path, cli) -> None:
    site = built(minimal, cli)
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    site = built(minimal, cli)
    second = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_plain_mkdocs_build_strict_gives_the_same_site(minimal: Path) -> None:
    result = strict_build(minimal)
    assert result.returncode == 0, result.stderr
    assert (minimal / "plain/articles/back-pain.html").is_file()
    assert not (minimal / "plain/articles/pending.html").exists()


def test_mkdocs_without_our_plugin_publishes_no_article(minimal: Path) -> None:
    """Fail closed: a renderer that ignores the plugin never sees content/articles."""
    config = minimal / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"  - pipeline\n", "", text)
    assert "- pipeline\n" not in text
    config.write_text(text, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", "plain"],
        cwd=minimal,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert not (minimal / "plain/articles").exists()
    text = all_output_text(minimal / "plain")
    assert "back spasm" not in text and "zebra" not in text


def test_mkdocs_build_fails_on_the_same_errors_as_check(minimal: Path) -> None:
    article = minimal / "content/articles/pending.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace("@qaseem2017", "@qaseem2016"), "utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=minimal,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "content/articles/pending.md:11:" in result.stderr and "CIT001" in result.stderr
    assert not (minimal / "site").exists()


def serve_and_get(root: Path, command: list[str], paths: list[str]) -> list[tuple[int, str]]:
    """Start a server on a free local port, fetch `paths`, stop it."""
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*command, f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def get(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as reply:
                return reply.status, reply.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get("")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        return [get(path) for path in paths]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_mkdocs_serve_shows_approved_articles_only(minimal: Path) -> None:
    command = [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a"]
    (status, page), (missing, _) = serve_and_get(
        minimal, command, ["articles/back-pain.html", "articles/pending.html"]
    )
    assert status == 200 and 'data-status="approved"' in page
    assert missing == 404


def test_pipeline_serve_previews_every_article_under_its_banner(minimal: Path) -> None:
    command = [sys.executable, "-m", "pipeline", "serve", "--addr"]
    ((status, page),) = serve_and_get(minimal, command, ["articles/pending.html"])
    assert status == 200 and "pending-banner" in page and "noindex" in page


def test_serve_rebuilds_when_what_the_site_is_made_from_changes(minimal: Path) -> None:
    """The preview watches the project's sources, the theme among them (a template edited while
    serving showed the old page), and not the staged copy the build rewrites each time."""
    from types import SimpleNamespace

    from pipeline.engines.plugin import PipelinePlugin

    class Server:
        def __init__(self) -> None:
            self.watched: set[str] = set()

        def watch(self, path: str) -> None:
            self.watched.add(path)

        def unwatch(self, path: str) -> None:
            self.watched.discard(path)

    server = Server()
    staged = str(minimal / ".site.building/docs")
    server.watch(staged)  # MkDocs watches docs_dir itself
    config = SimpleNamespace(config_file_path=str(minimal / "mkdocs.yml"), docs_dir=staged)
    PipelinePlugin().on_serve(server, config=config, builder=None)  # type: ignore[arg-type]
    assert {str(minimal / p) for p in ("overrides", "content/articles", "references")} <= (
        server.watched
    )
    assert staged not in server.watched


def test_pipeline_serve_refuses_settings_the_build_refuses_before_mkdocs_reads_them(
    minimal: Path, cli
) -> None:
    """MkDocs imports a hooks file as it reads mkdocs.yml, before any plugin: a branch's hook
    outside overrides/ ran on the machine of whoever previewed it. `serve` checks the settings
    first, as `build` does."""
    (minimal / "hooks.py").write_text("open('hooked', 'w').close()\n", "utf-8")
    with (minimal / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write("\nhooks:\n  - hooks.py\n")
    result = cli("serve", "--addr", "127.0.0.1:0", cwd=minimal)
    assert result.code == 1
    assert "PUB005 " in result.stderr and "keep hooks in overrides/" in result.stderr
    assert not (minimal / "hooked").exists()


def test_suggest_an_edit_opens_the_source_file_in_the_repository(
    minimal: Path, cli, monkeypatch
) -> None:
    monkeypatch.setenv("REPO_URL", "https://github.com/example-board/clinical-answers")
    site = built(minimal, cli)
    base = "https://github.com/example-board/clinical-answers/edit/main/"
    article = (site / "articles/back-pain.html").read_text("utf-8")
    assert f'<a class="suggest-edit" href="{base}content/articles/back-pain.md"' in article
    assert f'href="{base}content/pages/board.md"' in (site / "board.html").read_text("utf-8")
    assert f'href="{base}content/pages/index.md"' in (site / "index.html").read_text("utf-8")
    assert "api.github.com" not in article and 'class="md-source"' not in article


def test_without_a_repository_there_is_no_edit_link(minimal: Path, cli, monkeypatch) -> None:
    monkeypatch.delenv("REPO_URL", raising=False)
    site = built(minimal, cli)
    assert "/edit/" not in (site / "articles/back-pain.html").read_text("utf-8")


def test_search_index_leaves_out_the_disclaimer_and_related_articles(minimal: Path, cli) -> None:
    """The same disclaimer on every page would make every page a hit for its words."""
    site = built(minimal, cli)
    index = output_text(site / "search/search_index.json")
    assert "short term relief comes from" in index
    assert "never replaces clinical judgement" not in index
    page = (site / "articles/back-pain.html").read_text("utf-8")
    assert "never replaces, clinical" in page and "data-search-exclude" not in page


def test_search_index_leaves_out_the_reference_list(minimal: Path, cli) -> None:
    site = built(minimal, cli)
    index = output_text(site / "search/search_index.json")
    assert "cyclobenzaprine and back pain a meta analysis" not in index
    page = output_text(site / "articles/back-pain.html")
    assert "cyclobenzaprine and back pain a meta analysis" in page


def test_the_audit_reads_the_search_index_the_build_writes(minimal: Path, cli, monkeypatch) -> None:
    """The search plugin writes its index in on_post_build too: the audit must run after it,
    and the swap only after the audit, or a leak through the index would go out unread."""
    from material.plugins.search.plugin import SearchIndex

    before = site_files(built(minimal, cli))
    generate = SearchIndex.generate_search_index

    def leaky(self, prev):  # a search plugin that indexes text it should never have seen
        data = json.loads(generate(self, prev))
        data["docs"].append(
            {
                "location": "x.html",
                "title": "x",
                "text": "The purple giraffe protocol recommends counting zebra stripes.",
            }
        )
        return json.dumps(data)

    monkeypatch.setattr(SearchIndex, "generate_search_index", leaky)
    assert_leak_stops_the_build(minimal, cli, before, "search/search_index.json")


def test_a_page_changed_on_disk_after_it_was_written_is_audited_again(
    minimal: Path, cli, monkeypatch
) -> None:
    """Pages are audited as they are written; one that another step rewrites afterwards (here
    the search plugin's on_post_build, which runs before the audit) is read again from disk."""
    from material.plugins.search.plugin import SearchPlugin

    before = site_files(built(minimal, cli))
    post_build = SearchPlugin.on_post_build

    def rewriting(self, *, config):
        post_build(self, config=config)
        page = Path(config.site_dir) / "articles/back-pain.html"
        leak = "<p>The purple giraffe protocol recommends counting zebra stripes.</p></body>"
        page.write_text(page.read_text("utf-8").replace("</body>", leak), "utf-8")

    monkeypatch.setattr(SearchPlugin, "on_post_build", rewriting)
    assert_leak_stops_the_build(minimal, cli, before, "articles/back-pain.html")


HOOKS = """
import json, os
from collections import Counter

seen = Counter()
texts = {}


def on_page_content(html, page, config, files):
    seen[page.file.src_uri] += 1
    texts[page.file.src_uri] = html
    return html


def on_post_build(config):
    with open(os.environ["HOOK_REPORT"], "w") as stream:
        json.dump({"seen": seen, "texts": texts}, stream)
"""


def test_another_plugin_sees_each_articles_content_exactly_once(
    minimal: Path, cli, tmp_path: Path, monkeypatch
) -> None:
    """Other plugins compose with ours: a hooks file's on_page_content runs once per page,
    with the article's rendered text, through the CLI and through plain `mkdocs build`."""
    (minimal / "overrides/hooks.py").write_text(HOOKS, "utf-8")
    config = minimal / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "\nhooks:\n  - overrides/hooks.py\n", "utf-8")
    report = tmp_path / "hooks.json"
    monkeypatch.setenv("HOOK_REPORT", str(report))
    for run in (
        lambda: cli("build", cwd=minimal).code,
        lambda: strict_build(minimal, HOOK_REPORT=str(report)).returncode,
    ):
        assert run() == 0
        data = json.loads(report.read_text("utf-8"))
        assert data["seen"]["articles/back-pain.md"] == 1
        assert set(data["seen"].values()) == {1}
        assert "Short-term relief comes from" in data["texts"]["articles/back-pain.md"]
        report.unlink()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_hooks_compiled_cache_is_neither_refused_nor_run(
    minimal: Path, cli, engine: str, tmp_path: Path
) -> None:
    """Python writes a hook's compiled cache beside it as MkDocs imports it: once one build had
    written overrides/__pycache__/, every later check refused it as no file of a theme. And
    the attack: a cache committed beside a signed hook, compiled from other code with an
    unchecked hash, which Python ran in the hook's place. Hooks run from the staged theme,
    which has no cache."""
    import importlib.util
    import py_compile

    hook = minimal / "overrides/hooks.py"
    hook.write_text("x = 1\n", "utf-8")
    config = minimal / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "\nhooks:\n  - overrides/hooks.py\n", "utf-8")
    evil = tmp_path / "evil.py"
    evil.write_text(
        "def on_page_content(html, **kw):\n    return '<p>BOARD CORRECTION</p>' + html\n", "utf-8"
    )
    unchecked = py_compile.PycInvalidationMode.UNCHECKED_HASH
    cache = importlib.util.cache_from_source(str(hook))
    py_compile.compile(str(evil), cfile=cache, invalidation_mode=unchecked)
    assert cli("check", cwd=minimal).code == 0
    assert cli("build", "--engine", engine, cwd=minimal).code == 0
    assert not list((minimal / "site").rglob("*.pyc"))
    assert "BOARD CORRECTION" not in (minimal / "site/articles/back-pain.html").read_text("utf-8")


def test_topics_a_withheld_article_shares_with_a_published_one_are_not_a_leak(
    minimal: Path, cli
) -> None:
    """Tags are shared words, shown as topic links on published pages: a withheld article
    with the same list of topics has leaked nothing (found at 5,000 articles)."""
    topics = "tags: [primary-care, mental-health, musculoskeletal]"
    edit(minimal, "content/articles/back-pain.md", "tags: [musculoskeletal]", topics)
    signing.approve(minimal, "content/articles/back-pain.md", "rev2", dt.date(2026, 11, 25))
    edit(minimal, "content/articles/pending.md", "tags: [allergy]", topics)
    site = built(minimal, cli)
    assert "Primary care" in (site / "articles/back-pain.html").read_text("utf-8")


def test_plain_mkdocs_shows_a_link_to_a_withheld_article_as_its_words(minimal: Path) -> None:
    """The thin plugin tells the pipeline's extension what is withheld, as the CLI does: no
    dead link (a warning that failed `--strict`), no address of the withheld article."""
    index = minimal / "content/pages/index.md"
    index.write_text(index.read_text("utf-8") + "\n\nSee [the draft](articles/pending.md).\n")
    result = strict_build(minimal)
    assert result.returncode == 0, result.stderr
    assert "the draft" in (minimal / "plain/index.html").read_text("utf-8")
    assert not [
        p
        for p in (minimal / "plain").rglob("*")
        if p.is_file() and b"articles/pending" in p.read_bytes()
    ]


def test_a_draft_quoting_the_title_of_a_source_a_published_article_cites_builds(
    minimal: Path, cli
) -> None:
    """An answer quoting a guideline's title, withheld (a draft, or its approver's declaration
    run out), stopped every build: the title is on the page of each published article that
    cites the guideline, in its reference list, signed by that article's approvals."""
    edit(
        minimal,
        "content/articles/pending.md",
        "This unreviewed sentence",
        "The guideline titled Noninvasive treatments for acute, subacute, and chronic low back "
        "pain recommends heat. This unreviewed sentence",
    )
    result = cli("build", cwd=minimal)
    assert result.code == 0, result.stderr
    assert "lavender nebulizers" not in all_output_text(minimal / "site")


PUBLISHED = "content/articles/back-pain.md"
WITHHELD = "content/articles/pending.md"


@pytest.mark.parametrize(
    ("withheld_line", "published_change"),
    [
        # A heading of the withheld article spelt as the published one's topic.
        (
            "## Low back pain in adults",
            ("tags: [musculoskeletal]", "tags: [low-back-pain-in-adults]"),
        ),
        # Another site's page named like the withheld article's.
        (
            "",
            (
                "Evidence reviews agree",
                "[A journal](https://journal.example/articles/pending.html) agrees",
            ),
        ),
    ],
    ids=["topic", "other site's address"],
)
def test_what_a_published_page_signs_besides_its_text_is_no_leak(
    minimal: Path, cli, withheld_line: str, published_change: tuple[str, str]
) -> None:
    """An availability round: a withheld article's heading that another published article
    carries as its topic, or another site's address ending like the withheld article's page,
    stopped every build of main on the day the first was withheld."""
    if withheld_line:
        edit(minimal, WITHHELD, "The purple giraffe", f"{withheld_line}\n\nThe purple giraffe")
    edit(minimal, PUBLISHED, *published_change)
    signing.approve(minimal, PUBLISHED, "rev2", dt.date(2026, 11, 25))
    result = cli("build", cwd=minimal)
    assert result.code == 0, result.stderr


def test_a_sources_unsigned_fields_do_not_silence_the_leak_audit(minimal: Path, cli) -> None:
    """A cited source's abstract, which no approval signs, exempted any sentence it held from
    the search for withheld text: pasted into a site page beside it, the sentence published."""
    sentence = "The purple giraffe protocol recommends counting zebra stripes before each"
    bib = minimal / "references/library.bib"
    text = bib.read_text("utf-8")
    bib.write_text(
        text.replace(
            "@article{qaseem2017,", f"@article{{qaseem2017,\n  abstract = {{{sentence}}},", 1
        ),
        "utf-8",
    )
    policy = minimal / "content/pages/editorial-policy.md"
    policy.write_text(policy.read_text("utf-8") + f"\n{sentence} dose.\n", "utf-8")
    result = cli("build", cwd=minimal)
    assert result.code == 1 and "PUB001" in result.stderr


def test_topics_no_approval_signs_are_no_exemption_from_the_leak_audit(minimal: Path, cli) -> None:
    """The attack on the exemption: an approval made before topics were signed holds whatever
    the tags say, so a withheld article's sentence written as a published article's topic was
    exempt from the search for withheld text, and published on five pages."""
    sentence = "The purple giraffe protocol recommends counting zebra stripes before each dose"
    signing.approve(minimal, PUBLISHED, "rev2", dt.date(2026, 11, 25), version=1)
    edit(minimal, PUBLISHED, "tags: [musculoskeletal]", f'tags: [musculoskeletal, "{sentence}"]')
    edit(
        minimal, WITHHELD, "The purple giraffe protocol", f"{sentence}. The purple giraffe protocol"
    )
    result = cli("build", cwd=minimal)
    assert result.code == 1 and "PUB001" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "host",
    [
        "/owner.github.io",  # https:///owner.github.io: a browser skips the extra slash
        "owner.github\u2064.io",  # an invisible character IDNA maps to nothing
        "owner%2Egithub.io",
        "%6Fwner.github.io",
        "\uff4f\uff57\uff4e\uff45\uff52.github.io",
        "owner\u3002github\u3002io",
    ],
)
def test_a_link_to_the_sites_own_withheld_page_is_found_however_its_host_is_spelt(
    minimal: Path, cli, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another site's address ending like a withheld page is no link to it; the site's own, with
    its host spelt so that a browser still reads the site's, is."""
    address = f"https://{host}/repo/articles/pending.html"
    result = _built_with_link(minimal, cli, monkeypatch, address)
    assert result.code == 1 and "PUB001" in result.stderr, result.stderr


def _built_with_link(minimal: Path, cli, monkeypatch: pytest.MonkeyPatch, address: str):
    """The site, at the Pages address, built with a link to `address` on its home page."""
    monkeypatch.setenv("SITE_URL", "https://owner.github.io/repo/")
    index = minimal / "content/pages/index.md"
    link = f"[the draft]({address})"
    index.write_text(index.read_text("utf-8") + f"\n\nSee {link}.\n", "utf-8")
    return cli("build", cwd=minimal)


def test_a_full_address_long_enough_to_hide_its_host_is_taken_for_the_sites_own(
    minimal: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit reads back a bounded stretch for an address's start: one padded past it, with
    another host inside that dot segments undo, passed for another site's."""
    # The stretch read back starts right at "//evil.example" (2,048 characters).
    padded = "x/" * 675 + "/evil.example/./" + "../" * 677
    address = f"https://owner.github.io/repo/{padded}articles/pending/"
    result = _built_with_link(minimal, cli, monkeypatch, address)
    assert result.code == 1 and "PUB001" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "address",
    [
        "https:///owner.github.io/repo/img/handout.pdf",
        "///owner.github.io/repo/img/handout.pdf",
        "https://owner%2Egithub.io/repo/img/handout.pdf",
    ],
)
def test_an_approved_article_may_not_show_a_site_file_by_an_address_with_extra_slashes(
    minimal: Path, cli, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    """`https:///owner.github.io/repo/img/handout.pdf` opens the site's own handout, which no
    approval signed when read as an address without a host: a later pull request swapped it."""
    monkeypatch.setenv("SITE_URL", "https://owner.github.io/repo/")
    (minimal / "content/pages/img").mkdir(parents=True, exist_ok=True)
    (minimal / "content/pages/img/handout.pdf").write_bytes(pdf_showing("Doses."))
    edit(
        minimal,
        PUBLISHED,
        "Evidence reviews agree",
        f"A [handout]({address}) helps. Evidence reviews agree",
    )
    signing.approve(minimal, PUBLISHED, "rev2", dt.date(2026, 11, 25))
    result = cli("build", cwd=minimal)
    assert result.code == 1 and "by the site's full address" in result.stderr, result.stderr


def test_a_withheld_pages_address_written_with_extra_slashes_is_found(
    minimal: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`///owner.github.io/...` is the site's own address to a browser (the slashes after two
    are skipped): written as text, it passed the audit as another site's."""
    monkeypatch.setenv("SITE_URL", "https://owner.github.io/repo/")
    index = minimal / "content/pages/index.md"
    text = "Coming soon at ///owner.github.io/repo/articles/pending.html for you."
    index.write_text(index.read_text("utf-8") + f"\n\n{text}\n", "utf-8")
    result = cli("build", cwd=minimal)
    assert result.code == 1 and "PUB001" in result.stderr, result.stderr
