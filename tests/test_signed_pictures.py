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
from pathlib import Path

import pytest

from pipeline.content.shown import shown_files
from pipeline.engines import ENGINES, theme
from pipeline.project import load_project
from pipeline.review.past import PastInputs, checks_at
from pipeline.site.audit import audit, page_problems
from pipeline.site.stage import publish_plan
from tests.conftest import DAY, FIXTURES, approve, commit_all, copy_project, git, site_files
from tests.signing import sign_project

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
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (root / CHART).parent.mkdir()
    (root / CHART).write_bytes(_png(0, 128, 0))
    (root / HANDOUT).write_bytes(b"%PDF-1.4\n% Take 10 mg at night.\n%%EOF\n")
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
        (HANDOUT, b"%PDF-1.4\n% Take 100 mg at night.\n%%EOF\n", "img/handout.pdf"),
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
        f"error REV003 The file '{name}' it shows changed after rev2 approved it on "
        in result.stdout
    )
    assert cli("build", cwd=pictured).code == 1
    assert site_files(pictured / "site") == before


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
    assert result.code == 1 and "The file 'img/later.png' it shows changed" in result.stdout


def test_a_new_approval_signs_the_new_picture(pictured: Path, cli) -> None:
    (pictured / CHART).write_bytes(_png(0, 0, 200))
    assert cli("check", cwd=pictured).code == 1
    assert approve(cli, pictured, ARTICLE, "rev2").code == 0
    result = cli("check", cwd=pictured)
    assert result.code == 0, result.stdout


def test_every_plain_spelling_of_an_address_names_the_file_it_loads() -> None:
    body = "\n\n".join(
        [
            "![a](../img/a.png)",
            "![b][chart]\n\n[chart]: /img/b.png",
            "![c](../img/c%2Epng)",  # %2E is a dot, to the server
            "![d](../img/d.png?v=2#top)",
            '![f](../img/f.png "A title")',
            "![g](img/g.png)",  # beside the article's page
            "![h](../../../img/a.png)",  # a browser stops at the site's root
            "[a handout](../img/h.PDF) and [a picture](../img/i.webp)",
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
    )


@pytest.mark.parametrize(
    "address",
    [
        "(../img/dose.png /../v2.png)",  # one address to Markdown: a browser loads v2.png
        "(../img/dose.png\u00a0/../v2.png)",
        "(<../img/dose chart.png>)",
        "(../img/dose&#46;png)",
        "(..\\img\\dose.png)",
        "(../img/dose(1).png)",
        "(../img/dose%20chart.png)",
        "(../img/a%0Ab.png)",  # a line break, which `covers` would carry into the front matter
        '(../img/dose.png "A title" more)',
        "[chart]\n\n[chart]: <../img/dose.png>",
    ],
)
def test_an_address_of_the_site_not_written_plainly_is_refused(
    pictured: Path, cli, address: str
) -> None:
    """Python-Markdown keeps anything after a blank in an address, and a browser reads escapes
    and dot segments: an approval could sign one file while readers load another."""
    path = pictured / ARTICLE
    path.write_text(path.read_text("utf-8") + f"\n\n![Chart]{address}\n", "utf-8")
    result = cli("check", cwd=pictured)
    assert result.code == 1
    assert "error HTML013 write this address plainly" in result.stdout


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

    def unsigned(body: str) -> list[str]:
        return [p for p in page_problems(_page(body), "", "approved", shown=where) if "sign" in p]

    assert unsigned('<img src="../../img/a.png"><a href="../other/">Other</a>') == []
    assert unsigned('<a href="#cite-1">1</a><a href="https://example.org/a.pdf">A</a>') == []
    assert unsigned('<img src="../../img/b.png">') == [
        "shows img/b.png, a file its approvals do not sign"
    ]
    assert unsigned('<picture><source srcset="../../img/a.png 1x, /img/c.png 2x"></picture>') == [
        "shows img/c.png, a file its approvals do not sign"
    ]
    assert unsigned('<a href="../../img/d.pdf">Handout</a>') == [
        "shows img/d.pdf, a file its approvals do not sign"
    ]
    # Read whole, as a browser reads them: a blank does not end an address, nor a scheme
    # start after one.
    assert unsigned('<img src="../../img/a.png /../e.png">') == [
        "shows img/e.png, a file its approvals do not sign"
    ]
    assert unsigned('<a href="handout :/../../../img/f.pdf">Handout</a>') == [
        "shows img/f.pdf, a file its approvals do not sign"
    ]
    no_body = page_problems("<html><body><p>x</p></body></html>", "", "approved", shown=where)
    assert "has 0 .article-body elements, not one" in no_body


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


def test_a_picture_changed_in_a_pull_request_is_refused_against_the_base(
    pictured: Path, cli
) -> None:
    git(pictured, "init", "-q", "-b", "main")
    commit_all(pictured, "base")
    git(pictured, "checkout", "-q", "-b", "redraw")
    (pictured / CHART).write_bytes(_png(200, 0, 0))
    commit_all(pictured, "redraw the chart")
    result = cli("check", "--base", "main", cwd=pictured)
    assert result.code == 1 and "The file 'img/dose.png' it shows changed" in result.stdout


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
