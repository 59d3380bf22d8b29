"""The pictures an approved article shows, and the PDFs it links to, are signed with its text.

The attack: an approved article shows a dosing chart from content/pages. A later pull request
draws the chart again with another dose (or as a fake "Reviewed by the board" box), touching no
article: the approval signed only the text that names the picture, so the article stayed
published. Now each approval signs the bytes of every file of the site the article shows or
links to, and the audit checks the built page and the published bytes against them.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.citations.scan import cited_keys
from pipeline.content.articles import parse_article
from pipeline.content.library import load_library
from pipeline.content.shown import shown_files
from pipeline.engines import ENGINES, theme
from pipeline.project import load_project
from pipeline.review.past import PastInputs, checks_at
from pipeline.review.statement import approval_statement, article_items
from pipeline.site.article_page import page_problems
from pipeline.site.audit import audit
from pipeline.site.stage import publish_plan
from tests.conftest import (
    DAY,
    FIXTURES,
    approve,
    commit_all,
    copy_project,
    git,
    pdf_showing,
    site_files,
)
from tests.signing import list_keys, sign, sign_project, write_approvals

ARTICLE = "content/articles/back-pain.md"
CHART = "content/pages/img/dose.png"
HANDOUT = "content/pages/img/handout.pdf"


def _png(red: int, green: int, blue: int) -> bytes:
    """A 4 x 4 picture of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\0" + bytes((red, green, blue)) * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


SHOWN = (
    "\n\n![Dosing chart for the first week](../img/dose.png)\n\n"
    "Print [the patient handout](../img/handout.pdf) for the visit.\n"
)


@pytest.fixture
def pictured(tmp_path: Path) -> Path:
    """The minimal project whose approved article shows a chart and links to a handout, its
    approvals signed with both."""
    return _pictured(tmp_path / "project", pdf_showing("Take 10 mg at night."))


def _pictured(root: Path, handout: bytes) -> Path:
    copy_project(FIXTURES / "minimal", root)
    (root / CHART).parent.mkdir()
    (root / CHART).write_bytes(_png(0, 128, 0))
    (root / HANDOUT).write_bytes(handout)
    path = root / ARTICLE
    path.write_text(path.read_text("utf-8") + SHOWN, "utf-8")
    return sign_project(root)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_approval_signs_the_files_its_article_shows_and_the_site_publishes_them(
    pictured: Path, cli, engine: str
) -> None:
    """Under either engine: the audit reads each built page's pictures against what the
    approvals sign, and both engines' pages pass."""
    text = (pictured / ARTICLE).read_text("utf-8")
    assert "file img/dose.png " in text and "file img/handout.pdf " in text  # in `covers`
    result = cli("build", "--engine", engine, cwd=pictured)
    assert result.code == 0, result.stderr
    page = (pictured / "site/articles/back-pain.html").read_text("utf-8")
    assert re.search(r'<img alt="Dosing chart for the first week" src="../img/dose.png"', page)
    assert (pictured / "site/img/dose.png").read_bytes() == (pictured / CHART).read_bytes()


@pytest.mark.parametrize(
    ("rel", "data", "name"),
    [
        (CHART, _png(200, 0, 0), "img/dose.png"),
        (HANDOUT, pdf_showing("Take 100 mg at night."), "img/handout.pdf"),
    ],
)
def test_a_file_changed_after_approval_unpublishes_the_article(
    pictured: Path, cli, rel: str, data: bytes, name: str
) -> None:
    assert cli("build", cwd=pictured).code == 0
    before = site_files(pictured / "site")
    (pictured / rel).write_bytes(data)
    result = cli("check", cwd=pictured)
    assert result.code == 1
    assert (
        f"error REV003 The file '{name}' it shows or links to changed after rev2 approved it on "
        in result.stdout
    )
    assert cli("build", cwd=pictured).code == 1
    assert site_files(pictured / "site") == before


def test_a_texts_line_endings_are_no_change_but_a_pictures_bytes_are() -> None:
    """A reviewer on Windows (git converting text to CR LF in the checkout) signed an SVG's
    CR LF bytes, which CI's LF copy never matched; an SVG reads the same either way. A
    picture's or a PDF's bytes are signed as they are: CR LF made LF is another file."""
    from pipeline.content.pages import site_file_digest

    svg = b'<svg xmlns="http://www.w3.org/2000/svg">\r\n<title>Dose</title>\r\n</svg>\r\n'
    assert site_file_digest(svg, "a.svg") == site_file_digest(svg.replace(b"\r\n", b"\n"), "a.svg")
    png = b"\x89PNG\r\n\x1a\n" + b"\0\r\n" * 4
    assert site_file_digest(png, "a.png") != site_file_digest(png.replace(b"\r\n", b"\n"), "a.png")
    # The attack: a PDF written in plain text with a run of CR LF read its cross-reference
    # table elsewhere once they were LF, showing another dose under the signed digest.
    pdf = b"%PDF-1.4\n" + b"\r\n" * 2000 + b"startxref\n9\n%%EOF\n"
    assert site_file_digest(pdf, "h.pdf") != site_file_digest(pdf.replace(b"\r\n", b"\n"), "h.pdf")


def test_a_picture_added_where_the_approved_article_showed_none_unpublishes_it(
    tmp_path: Path, cli
) -> None:
    """A missing picture is signed as missing: adding one later is a change like any other."""
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    path = root / ARTICLE
    path.write_text(path.read_text("utf-8") + "\n\n![Chart](../img/later.png)\n", "utf-8")
    sign_project(root)
    assert cli("check", cwd=root).code == 0
    (root / "content/pages/img").mkdir()
    (root / "content/pages/img/later.png").write_bytes(_png(0, 0, 0))
    result = cli("check", cwd=root)
    assert (
        result.code == 1
        and "The file 'img/later.png' it shows or links to changed" in result.stdout
    )


def test_a_new_approval_signs_the_new_picture(pictured: Path, cli) -> None:
    (pictured / CHART).write_bytes(_png(0, 0, 200))
    assert cli("check", cwd=pictured).code == 1
    assert approve(cli, pictured, ARTICLE, "rev2").code == 0
    result = cli("check", cwd=pictured)
    assert result.code == 0, result.stdout


def test_every_spelling_of_an_address_names_the_file_it_loads() -> None:
    body = "\n\n".join(
        [
            "![a](../img/a.png)",
            "![b][chart]\n\n[chart]: /img/b.png",
            "![c](../img/c%2Epng)",  # %2E is a dot, to the server
            "![d](../img/d.png?v=2#top)",
            '![f](../img/f.png "A title")',
            "![g](img/g.png)",  # beside the article's page
            "![h](../../../img/a.png)",  # a browser stops at the host's root
            "![t](../img/t.txt)",  # any file an image loads, whatever its type
            "![q][quoted]\n\n> [quoted]: ../img/q.png",  # defined inside a quote
            "[a handout](../img/h.PDF) and [a picture](../img/i.webp)",
            "[the scheme of the page](https:../img/k.pdf)",  # relative, to a browser
            # Not files of the site: another site, a page, an anchor, a folder's page.
            "![x](https://example.org/x.png) [policy](../editorial-policy.md) [top](#top)",
            "[a folder named like a PDF](../img/j.pdf/)",
        ]
    )
    assert shown_files(body) == (
        "articles/img/g.png",
        "img/a.png",
        "img/b.png",
        "img/c.png",
        "img/d.png",
        "img/f.png",
        "img/h.PDF",
        "img/i.webp",
        "img/k.pdf",
        "img/q.png",
        "img/t.txt",
    )


@pytest.mark.parametrize(
    "line",
    [
        "![Chart](../img/dose.png /../v2.png)",  # one address to Markdown: a browser loads v2
        "![Chart](../img/dose.png\u00a0/../v2.png)",
        "![Chart](<../img/dose chart.png>)",
        "![Chart](../img/dose&#46;png)",
        "![Chart](..\\img\\dose.png)",
        "![Chart](../img/dose(1).png)",
        "![Chart](../img/dose%20chart.png)",
        "![Chart](../img/a%0Ab.png)",  # a line break, which `covers` would carry
        '![Chart](../img/dose.png "A title" more)',
        "![Chart][chart]\n\n[chart]: <../img/dose.png>",
        "[handout](handout&#32;:/../img/handout.pdf)",  # no scheme to a browser
        # Outside the site on a host that serves it from a folder (owner.github.io/repo/).
        "![Chart](/img/dose.png)",
        "![Chart](/clinical-answers/img/dose.png)",
        "![Chart](../../img/dose.png)",
        "[handout](https:../../img/handout.pdf)",
    ],
)
def test_an_address_of_the_site_not_written_plainly_is_refused(
    pictured: Path, cli, line: str
) -> None:
    """Python-Markdown keeps anything after a blank in an address, and a browser reads escapes,
    dot segments and its host's root: an approval could sign one file while readers load
    another."""
    path = pictured / ARTICLE
    path.write_text(path.read_text("utf-8") + f"\n\n{line}\n", "utf-8")
    result = cli("check", cwd=pictured)
    assert result.code == 1
    assert result.stdout.count("error HTML013 write this address plainly") == 1, result.stdout


@pytest.mark.parametrize(
    "line",
    [
        "![Chart][chart]\n\n[chart]: ../img/dose.png (Week one)",
        '![Chart](../img/dose.png\n"Week one")',
        '![Chart](../img/dose.png "The \\"first\\" week")',
        "[Pain](../topics/pain.md?tab=1&view=2)",
        "Write a picture as `[x](my file.png)` in Markdown.",
        "![Chart][c]\n\n> [c]: ../img/dose.png",
        # A numbered label is the label of one link, not a link whose text is a number.
        "See [the trial][1].\n\n[1]: https://example.org/trial",
    ],
)
def test_plain_markdown_of_every_other_form_passes(tmp_path: Path, cli, line: str) -> None:
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (root / CHART).parent.mkdir()
    (root / CHART).write_bytes(_png(0, 128, 0))
    path = root / ARTICLE
    path.write_text(path.read_text("utf-8") + f"\n\n{line}\n", "utf-8")
    sign_project(root)
    result = cli("check", cwd=root)
    assert result.code == 0, result.stdout


def test_a_site_page_may_link_with_a_query(pictured: Path, cli) -> None:
    """Site pages sign nothing: the rule is for articles."""
    path = pictured / "content/pages/board.md"
    path.write_text(path.read_text("utf-8") + "\n[Home](index.md?a=1&b=2)\n", "utf-8")
    assert "HTML013" not in cli("check", cwd=pictured).stdout


def test_a_picture_name_too_long_for_the_disk_stops_no_build(tmp_path: Path, cli) -> None:
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (root / "content/pages/img").mkdir(parents=True)
    (root / "content/pages/img/dose.png").write_bytes(_png(0, 0, 0))
    path = root / ARTICLE
    path.write_text(path.read_text("utf-8") + f"\n\n![Chart](../img/{'a' * 300}.png)\n")
    sign_project(root)
    result = cli("build", cwd=root)
    assert result.code == 0, result.stderr


def _page(article_body: str) -> str:
    return f'<html><body><div class="article-body">{article_body}</div></body></html>'


def test_the_audit_fails_a_file_the_article_page_shows_that_its_approvals_do_not_sign() -> None:
    """Whatever reading of the Markdown missed it: the built page is read too."""
    where = ("articles/x/index.html", frozenset({"img/a.png"}))

    def problems(body: str) -> list[str]:
        found = page_problems(_page(body), "", "approved", shown=where)
        return [p for p in found if "sign" in p or "folder" in p]

    assert problems('<img src="../../img/a.png"><a href="../other/">Other</a>') == []
    assert problems('<a href="#cite-1">1</a><a href="https://example.org/a.pdf">A</a>') == []
    assert problems('<img src="../../img/b.png">') == [
        "shows img/b.png, a file its approvals do not sign"
    ]
    assert problems('<picture><source srcset="../../img/a.png 1x, ../../img/c.png 2x">') == [
        "shows img/c.png, a file its approvals do not sign"
    ]
    assert problems('<a href="../../img/d.pdf">Handout</a>') == [
        "shows img/d.pdf, a file its approvals do not sign"
    ]
    # Read from the page's own folder: one "../" less is another file.
    assert problems('<img src="../img/a.png">') == [
        "shows articles/img/a.png, a file its approvals do not sign"
    ]
    # Read whole, as a browser reads them: a blank does not end an address, nor a scheme
    # start after one; "https:" without "//" is the page's own site.
    assert problems('<img src="../../img/a.png /../e.png">') == [
        "shows img/e.png, a file its approvals do not sign"
    ]
    assert problems('<a href="handout :/../../../img/f.pdf">Handout</a>') == [
        "shows img/f.pdf, a file its approvals do not sign"
    ]
    assert problems('<a href="https:../../img/g.pdf">Handout</a>') == [
        "shows img/g.pdf, a file its approvals do not sign"
    ]
    # From the host's root, or above the site's: another site's file where the site is served
    # from a folder of its host.
    assert problems('<img src="/repo/img/a.png"><img src="../../../img/a.png">') == [
        "names ../../../img/a.png, outside the site's folder",
        "names /repo/img/a.png, outside the site's folder",
    ]
    no_body = page_problems("<html><body><p>x</p></body></html>", "", "approved", shown=where)
    assert "has 0 .article-body elements, not one" in no_body


def test_the_audit_reads_a_link_to_the_sites_own_file_by_its_full_address() -> None:
    """The site's address is public (its canonical addresses say it): a link to its own PDF
    written in full is a file of the site, however the host, port or folder is spelt."""
    own = '<link rel="canonical" href="https://owner.github.io/repo/articles/x.html">'
    for address in (
        "https://owner.github.io/repo/img/d.pdf",
        "http://OWNER.github.io.:443/Repo/img/d.pdf",
        "//x@owner.github.io/repo/../repo/img/d.pdf",
        "https:\\\\owner.github.io\\repo\\img\\d.pdf",
    ):
        page = f'<html><head>{own}</head><body><div class="article-body">'
        page += f'<a href="{address}">Handout</a></div></body></html>'
        found = page_problems(page, "", "approved", shown=("articles/x.html", frozenset()))
        assert (
            "shows img/d.pdf by the site's full address, a file its approvals do not sign: "
            "write its path from the article"
        ) in found, address
    page = f'<html><head>{own}</head><body><div class="article-body">'
    page += '<a href="https://owner.github.io/other/img/d.pdf">Another site</a></div></body></html>'
    found = page_problems(page, "", "approved", shown=("articles/x.html", frozenset()))
    assert not any("sign" in problem for problem in found)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_built_article_linking_its_sites_pdf_by_full_address_fails(
    tmp_path: Path, cli, engine: str
) -> None:
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (root / HANDOUT).parent.mkdir()
    (root / HANDOUT).write_bytes(pdf_showing("Take 10 mg at night."))
    path = root / ARTICLE
    # The test site's address (site_url in mkdocs.yml).
    line = "\n\nThe [handout](http://127.0.0.1:8000/img/handout.pdf).\n"
    path.write_text(path.read_text("utf-8") + line, "utf-8")
    sign_project(root)
    assert cli("check", cwd=root).code == 0  # another site's address, to the Markdown
    result = cli("build", "--engine", engine, cwd=root)
    assert result.code == 1
    assert "shows img/handout.pdf by the site's full address" in result.stderr


def test_a_reference_naming_a_file_of_the_site_fails_the_build(tmp_path: Path, cli) -> None:
    """A library entry's url is signed as text: one naming this site's PDF would publish
    whatever bytes a later pull request puts there, behind a link of an approved page."""
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (root / HANDOUT).parent.mkdir()
    (root / HANDOUT).write_bytes(pdf_showing("Take 10 mg at night."))
    library = root / "references/library.bib"
    entry = (
        "\n@online{handout, title={Dosing handout for back spasm}, "
        "author={{Medical Advisory Board}}, year={2026}, "
        "url={http://127.0.0.1:8000/img/handout.pdf}}\n"  # the test site's address
    )
    library.write_text(library.read_text("utf-8") + entry, "utf-8")
    path = root / ARTICLE
    path.write_text(path.read_text("utf-8") + "\n\nSee the handout [@handout].\n", "utf-8")
    sign_project(root)
    result = cli("build", cwd=root)
    assert result.code == 1
    assert "cites img/handout.pdf, a file of this site, as a source" in result.stderr


def _with_an_object_no_page_uses(data: bytes, text: bytes) -> bytes:
    """A PDF with an update appended: a content stream showing `text` that its table lists and
    no page uses (nothing in it runs, so the checks pass it; a reader repairing the file, or
    one reading objects rather than pages, could show it)."""
    stream = b"BT (" + text + b") Tj ET"
    added = b"5 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(stream), stream)
    previous = int(data.rsplit(b"startxref", 1)[1].split()[0])
    table = b"xref\n5 1\n%010d 00000 n \n" % len(data)
    trailer = b"trailer << /Root 1 0 R /Size 6 /Prev %d >>\n" % previous
    return data + added + table + trailer + b"startxref\n%d\n%%%%EOF\n" % (len(data) + len(added))


@pytest.mark.parametrize("engine", ENGINES)
def test_an_articles_pdf_is_signed_and_published_in_the_sites_form(
    tmp_path: Path, cli, engine: str
) -> None:
    """Bytes one viewer reads and another does not (here an object no page uses, showing
    another dose) are not in the site's form: check refuses the file until `python -m
    pipeline pdf` writes it so, which keeps only what qpdf read. The approval then signs, and
    readers get, those very bytes."""
    from pipeline.content.pdf import pdf_text

    handout = _with_an_object_no_page_uses(
        pdf_showing("Take 10 mg at night.", site_form=False), b"Take 2400 mg at night."
    )
    refused = _pictured(tmp_path / "refused", handout)
    result = cli("check", cwd=refused)
    assert result.code == 1 and f"{HANDOUT}: error PAGE012 " in result.stdout
    assert cli("pdf", HANDOUT, cwd=refused).code == 0
    written = (refused / HANDOUT).read_bytes()
    assert "Take 10 mg at night." in pdf_text(written) and "2400" not in pdf_text(written)
    pictured = _pictured(tmp_path / "project", written)
    result = cli("build", "--engine", engine, cwd=pictured)
    assert result.code == 0, result.stderr
    assert (pictured / "site/img/handout.pdf").read_bytes() == written


def test_the_audit_fails_a_pdf_not_in_the_sites_form(pictured: Path, cli) -> None:
    """Defence in depth: an engine (or a theme's file of the same name) that published other
    bytes of the PDF publishes what the checks may not have read as readers will."""
    assert cli("build", cwd=pictured).code == 0
    project = load_project(pictured, DAY)
    plan = publish_plan(project)
    site = pictured / "site"
    assert audit(site, project, plan, theme("mkdocs")) == []
    (site / "img/handout.pdf").write_bytes(
        _with_an_object_no_page_uses(
            pdf_showing("Take 10 mg at night.", site_form=False), b"Take 2400 mg."
        )
    )
    found = [(d.path, d.message) for d in audit(site, project, plan, theme("mkdocs"))]
    assert found == [
        (
            "mkdocs.yml",
            "img/handout.pdf is a pdf not written as the site keeps PDFs (python -m pipeline pdf "
            "writes it so)",
        ),
        (
            ARTICLE,
            "img/handout.pdf is not the file the article's approvals sign: something was "
            "published over it",
        ),
    ]


def test_the_audit_fails_an_unsigned_picture_on_a_built_page_and_bytes_nobody_signed(
    pictured: Path, cli
) -> None:
    """Defence in depth: an engine that copied another file over the picture (a theme's own
    of the same name) publishes what nobody signed."""
    assert cli("build", cwd=pictured).code == 0
    project = load_project(pictured, DAY)
    plan = publish_plan(project)
    site = pictured / "site"
    assert audit(site, project, plan, theme("mkdocs")) == []
    (site / "img/dose.png").write_bytes(_png(255, 0, 0))
    page = site / "articles/back-pain.html"
    shown = '<img alt="Dosing chart for the first week" src="../img/dose.png"'
    text = page.read_text("utf-8")
    assert shown in text
    page.write_text(text.replace(shown, '<img src="../img/other.png"', 1), "utf-8")
    found = audit(site, project, plan, theme("mkdocs"))
    assert [(d.code, d.path, d.message) for d in found] == [
        (
            "PUB002",
            ARTICLE,
            "articles/back-pain.html shows img/other.png, a file its approvals do not sign",
        ),
        (
            "PUB002",
            ARTICLE,
            "img/dose.png is not the file the article's approvals sign: something was published "
            "over it",
        ),
    ]


def test_the_picture_the_board_withdrew_may_not_come_back_against_the_base(
    pictured: Path, cli
) -> None:
    """The board redrew the chart on main, which withdrew the article's approval; a pull
    request puts the old chart back, under which the old approval verifies again. Against the
    base, that approval did not publish the article there: it may not come back (REV018)."""
    git(pictured, "init", "-q", "-b", "main")
    commit_all(pictured, "approved with the green chart")
    green = (pictured / CHART).read_bytes()
    (pictured / CHART).write_bytes(_png(200, 0, 0))
    commit_all(pictured, "the board redraws the chart: the article waits for a new review")
    git(pictured, "checkout", "-q", "-b", "restore")
    (pictured / CHART).write_bytes(green)
    commit_all(pictured, "put the old chart back")
    assert cli("check", cwd=pictured).code == 0  # on its own, the old approval holds again
    result = cli("check", "--base", "main", cwd=pictured)
    assert result.code == 1 and "error REV018 " in result.stdout, result.stdout


def test_an_unreadable_address_in_a_past_version_stops_no_build(pictured: Path, cli) -> None:
    """A NUL in a committed version's picture address (`%00`) names no file: history reads
    past versions at every build, and one that raised would stop every build after it."""
    git(pictured, "init", "-q", "-b", "main")
    path = pictured / ARTICLE
    text = path.read_text("utf-8")
    path.write_text(text.replace("(../img/dose.png)", "(../img/dose%00.png)"), "utf-8")
    commit_all(pictured, "a NUL in an address")
    path.write_text(text, "utf-8")
    commit_all(pictured, "fixed")
    result = cli("build", cwd=pictured)
    assert result.code == 0, result.stderr
    assert cli("history", ARTICLE, cwd=pictured).code == 0


def test_an_approval_made_before_pictures_were_signed_says_so(tmp_path: Path, cli) -> None:
    """Approvals made before pictures were signed did not cover them: the article waits for a
    new approval, and the message says why rather than blaming an edit."""
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    path = root / ARTICLE
    path.write_text(path.read_text("utf-8") + SHOWN, "utf-8")
    list_keys(root)
    article = parse_article(ARTICLE, path.read_text("utf-8"), DAY)[0]
    assert article is not None
    library = load_library(root)[0]
    record = article.approvals[0]
    items = article_items(article, library, cited_keys(article), {})
    before = {item: digest for item, digest in items.items() if not item.startswith("file ")}
    statement = approval_statement(article, before, record.by, record.on)
    old = replace(record, signature=sign(statement.data, record.by), covers=statement.short())
    write_approvals(path, [old])
    result = cli("check", cwd=root)
    assert result.code == 1
    assert (
        "(approvals made before pictures were signed do not cover them) changed after rev2"
        in result.stdout
    )


def test_a_past_approval_is_checked_against_the_picture_of_its_own_commit(
    pictured: Path,
) -> None:
    git(pictured, "init", "-q", "-b", "main")
    commit_all(pictured, "approved with the green chart")
    first = git(pictured, "rev-parse", "HEAD").strip()
    (pictured / CHART).write_bytes(_png(200, 0, 0))
    commit_all(pictured, "the chart drawn red")
    second = git(pictured, "rev-parse", "HEAD").strip()
    text = (pictured / ARTICLE).read_text("utf-8")
    board = load_project(pictured, DAY).board
    past = PastInputs(pictured)
    assert [c.verified for c in checks_at(ARTICLE, text, first, board, past, DAY)] == [True]
    assert [c.verified for c in checks_at(ARTICLE, text, second, board, past, DAY)] == [False]


def test_a_chart_approved_the_same_day_as_the_newer_one_may_not_come_back(
    pictured: Path, cli
) -> None:
    """The attack: a chart approved in a board branch that never merged, the corrected chart
    approved on main the same day; a pull request restored the first chart with its approval.
    The same-day rule compared the articles' text only, which had not changed."""
    git(pictured, "init", "-q", "-b", "main")
    commit_all(pictured, "base")
    git(pictured, "checkout", "-q", "-b", "board-work")
    (pictured / CHART).write_bytes(_png(255, 0, 0))
    assert approve(cli, pictured, ARTICLE, "rev2").code == 0
    commit_all(pictured, "the first chart, approved in a branch that never merged")
    first = (pictured / CHART).read_bytes(), (pictured / ARTICLE).read_bytes()
    git(pictured, "checkout", "-q", "main")
    (pictured / CHART).write_bytes(_png(0, 0, 255))
    assert approve(cli, pictured, ARTICLE, "rev2").code == 0
    commit_all(pictured, "the corrected chart, approved the same day")
    git(pictured, "checkout", "-q", "-b", "restore")
    (pictured / CHART).write_bytes(first[0])
    (pictured / ARTICLE).write_bytes(first[1])
    result = cli("check", "--base", "main", cwd=pictured)
    assert result.code == 1 and "REV013" in result.stdout, result.stdout
