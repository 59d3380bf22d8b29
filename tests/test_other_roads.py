"""Every other road to readers (issue 17): site pages, static files, markup the checks must read
the way Markdown does, author text that must never turn into markup, and identifiers with
invisible characters. The reproductions that are one bad file each live in tests/fixtures/bad;
these need a build, a second file, or a look at the page."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.checks import markup
from pipeline.content.articles import parse_article
from pipeline.content.files import decode
from pipeline.engines import ENGINES, theme
from pipeline.project import load_project
from pipeline.site.article_page import DISCLAIMER_PATH, page_problems
from pipeline.site.audit import page_loads
from pipeline.site.output_text import output_pieces, output_words
from pipeline.site.probes import probes
from tests import signing
from tests.conftest import (
    DAY,
    codes_of,
    commit_all,
    edit,
    git,
    in_site_form,
    line_of,
    pdf_showing,
    run_module,
    site_files,
)

PENDING_SENTENCE = (
    "The purple giraffe protocol recommends counting zebra stripes before each antihistamine dose."
)


def built(root: Path, cli) -> dict[Path, bytes]:
    result = cli("build", cwd=root)
    assert result.code == 0, result.stderr
    return site_files(root / "site")


def _leaks(minimal: Path, cli, before: dict[Path, bytes]) -> None:
    """The build fails on the withheld article's text and leaves the previous site as it was."""
    result = cli("build", cwd=minimal)
    assert result.code == 1, result.stderr
    assert "content/articles/pending.md: error PUB001 this unpublished article leaked into" in (
        result.stderr
    )
    assert site_files(minimal / "site") == before


def _leaks_when_appended(minimal: Path, cli, rel: str, addition: str) -> None:
    """`addition` appended to the project file `rel` of a built project leaks."""
    before = built(minimal, cli)
    path = minimal / rel
    path.write_text(path.read_text("utf-8") + f"\n{addition}\n", "utf-8")
    _leaks(minimal, cli, before)


def test_a_withheld_articles_text_pasted_into_a_site_page_fails_the_build(
    minimal: Path, cli
) -> None:
    """Site pages are not published articles: their text proves nothing, and the audit reads
    them like any page."""
    _leaks_when_appended(minimal, cli, "content/pages/editorial-policy.md", PENDING_SENTENCE)


@pytest.mark.parametrize("shape", ["four words a line", "four-word sentences"])
def test_a_withheld_article_written_in_short_pieces_still_has_text_to_look_for(
    minimal: Path, cli, shape: str
) -> None:
    """The attack: the probes were cut from each line, and from each sentence, of five words or
    more; a withheld article wrapped at four words a line (the page joins the lines) or written
    in sentences of four words had none, and its text pasted into a site page passed the
    audit."""
    rel = "content/articles/pending.md"
    text = (minimal / rel).read_text("utf-8")
    head = text.split("\n---\n", 1)[0]
    words = (
        "Counting zebra stripes works. Lavender nebulizers help asthma. Giraffes prefer "
        "cetirizine always. Stripes predict doses well."
    )
    if shape == "four words a line":
        split = words.split()
        written = "\n".join(" ".join(split[i : i + 4]) for i in range(0, len(split), 4))
    else:
        written = words
    (minimal / rel).write_text(f"{head}\n---\n\n{written}\n", "utf-8")
    _leaks_when_appended(minimal, cli, "content/pages/editorial-policy.md", words)


def test_list_items_are_not_read_as_one_paragraph_by_the_probes() -> None:
    """A false leak: a draft listing two published titles in a row, joined into one probe, was
    found in every page's related-articles box, which lists them in that order."""
    from pipeline.site.probes import probes

    found = probes(
        "Related questions:\n\n- How should acute cystitis in women be treated?\n"
        "- What is the first-line treatment for hypertension?\n"
    )
    assert not [probe for probe in found if "treated" in probe and "hypertension" in probe]


def test_a_reading_list_a_published_and_a_withheld_article_share_is_no_leak(
    minimal: Path, cli
) -> None:
    """A false leak: probes dropped link targets while the check of what published articles
    say read them, so a list of links both articles give (joined into one probe now that a
    paragraph's lines are read together) was a leak of the withheld one."""
    reading = (
        "Further reading:\n\n- [NICE NG59 guidance](https://www.nice.org.uk/guidance/ng59)\n"
        "- [ACP 2017 review](https://www.acponline.org/clinical)\n"
        "- [AAFP review of low back pain](https://www.aafp.org/pubs/afp)\n"
    )
    for rel in ("content/articles/back-pain.md", "content/articles/pending.md"):
        path = minimal / rel
        path.write_text(path.read_text("utf-8") + "\n" + reading, "utf-8")
    signing.approve(minimal, "content/articles/back-pain.md", "rev2", DAY)
    result = cli("build", cwd=minimal)
    assert result.code == 0, result.stderr


@pytest.mark.parametrize(
    "image",
    [
        "![{}](pic.png)",
        # A title holding " alt=" first: read as a browser reads attributes, it is no alt text.
        '<img src="pic.png" title="Figure alt=1" alt="{}">',
    ],
)
def test_a_withheld_sentence_read_partly_from_images_alternative_text_fails_the_build(
    minimal: Path, cli, image: str
) -> None:
    """The attack: every other run of three words as the alternative text of an image that does
    not load, which a browser draws where the image stands; the audit read a page's text and its
    attribute values apart, and neither held eight words in a row."""
    (minimal / "content/pages/pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    words = PENDING_SENTENCE.split()
    parts = [" ".join(words[i : i + 3]) for i in range(0, len(words), 3)]
    mixed = " ".join(image.format(part) if n % 2 else part for n, part in enumerate(parts))
    _leaks_when_appended(minimal, cli, "content/pages/editorial-policy.md", mixed)


def test_a_withheld_article_whose_words_carry_markup_still_has_text_to_look_for(
    minimal: Path, cli
) -> None:
    """The attack: an <abbr> around every third word of the withheld article; its probes were
    cut from the source, tag names and all, and matched no plain copy of its text."""
    rel = "content/articles/pending.md"
    text = (minimal / rel).read_text("utf-8")
    head = text.split("\n---\n", 1)[0]
    words = PENDING_SENTENCE.split()
    marked = " ".join(f"<abbr>{w}</abbr>" if n % 3 == 2 else w for n, w in enumerate(words))
    (minimal / rel).write_text(f"{head}\n---\n\n{marked}\n", "utf-8")
    _leaks_when_appended(minimal, cli, "content/pages/editorial-policy.md", PENDING_SENTENCE)


def test_a_withheld_sentence_written_as_css_escapes_fails_the_build(minimal: Path, cli) -> None:
    """The attack (a stylesheet change): the sentence as `content: "\\54 \\68 …"`, which readers
    see on every page as the letters the escapes stand for."""
    escaped = "".join(f"\\{ord(c):x} " for c in PENDING_SENTENCE)
    rule = f'.md-content__inner::after {{ content: "{escaped}"; }}'
    _leaks_when_appended(minimal, cli, "overrides/assets/pipeline.css", rule)


@pytest.mark.parametrize(
    "page",
    [
        "# WHAT HELPS ACUTE BACK SPASM?\n",
        "---\ntitle: Notes\n---\n\n# What helps acute back spasm?\n",
        "# Notes\n\n## What helps acute back\u200b *spasm* ?\n",
        "Notes\n\nWhat helps acute back spasm\\?\n=============================\n",
        "## What helps acute back spasm?<sup>1</sup>\n",
        # Too many "[" to render the page: its headings are read line by line, in a quote too.
        "# Notes\n\n> ## What helps acute back spasm?\n\n<!-- " + "[" * 1001 + " -->\n",
    ],
)
def test_a_site_page_may_not_show_an_articles_title(minimal: Path, cli, page: str) -> None:
    """The attack: a site page showing the approved back-pain article's title (in capitals,
    as a heading under another title, with a zero-width space, emphasis or a space before the
    question mark), the board's notice and a "Reviewed by" line copied in, a changed dose."""
    before = built(minimal, cli)
    path = minimal / "content/pages/answers/back-pain.md"
    path.parent.mkdir()
    path.write_text(page + "\nReviewed by the board. Take twice the dose.\n", "utf-8")
    result = cli("build", cwd=minimal)
    assert result.code == 1
    assert (
        "content/pages/answers/back-pain.md: error PAGE006 the page shows the title of "
        "content/articles/back-pain.md ('What helps acute back spasm?'), as its title or a heading"
    ) in result.stderr
    assert site_files(minimal / "site") == before


def test_a_withheld_articles_text_in_an_attribute_fails_the_build(minimal: Path, cli) -> None:
    """The attack: a withheld sentence as a site page's description (printed only inside
    `<meta content="...">`) or as an image's alternative text. Readers and search engines read
    attribute values too, so the audit does."""
    before = built(minimal, cli)
    (minimal / "content/pages/about.md").write_text(
        f"---\ndescription: '{PENDING_SENTENCE}'\n---\n\n# About us\n\nWho we are.\n", "utf-8"
    )
    _leaks(minimal, cli, before)


def test_a_withheld_sentence_added_to_the_disclaimer_fails_the_build(minimal: Path, cli) -> None:
    """The disclaimer is not reviewed text: a sentence it shares with a withheld article is a
    leak on every page, not a reason to let it through."""
    _leaks_when_appended(minimal, cli, "references/disclaimer.md", PENDING_SENTENCE)


def test_invisible_characters_inside_words_do_not_hide_a_withheld_sentence(
    minimal: Path, cli
) -> None:
    """The attack: a soft hyphen after the first letter of every word; readers see the
    sentence unchanged."""
    hidden = " ".join(f"{word[0]}\u00ad{word[1:]}" for word in PENDING_SENTENCE.split())
    _leaks_when_appended(minimal, cli, "content/pages/editorial-policy.md", hidden)


def test_the_audit_reads_text_as_readers_see_it_whatever_the_code_points() -> None:
    """Invisible characters (soft hyphen, zero-width space, joiners, as characters or
    entities), combining marks and compatibility forms (full-width letters) fold away."""
    found = probes(PENDING_SENTENCE)
    words = PENDING_SENTENCE.split()
    for page in (
        " ".join(f"{w[0]}&#8203;{w[1:]}" for w in words),
        " ".join(f"{w[0]}\u034f{w[1:]}\u2060" for w in words),
        " ".join(f"{w}\ufeff" for w in words),
        # Unassigned but default-ignorable: drawn as nothing, as a character or an entity.
        " ".join(f"{w[0]}\u2065{w[1:]}\ufff0{chr(0xE0000)}" for w in words),
        " ".join(f"{w[0]}&#8293;{w[1:]}" for w in words),
        PENDING_SENTENCE.replace("purple", "ｐｕｒｐｌｅ"),
        PENDING_SENTENCE.replace("e", "e\u0301"),
        # A tick drawn under a letter whose case folding is a letter of its own (an iota).
        " ".join(f"{w[0]}\u0345{w[1:]}" for w in words),
    ):
        assert any(probe in output_words(page) for probe in found), page


def test_what_a_browser_does_not_show_between_words_does_not_hide_a_withheld_sentence() -> None:
    """The attacks (a site page, a picture beside it): a withheld sentence split every three
    words by a picture that loads, whose alternative text "q" a browser does not draw, or by a
    closed <details> holding a "q" (its summary empty); an SVG whose <title> has a comment, or
    a ">" inside an attribute value, every three words. Each was read with the "q" in it."""
    found = probes(PENDING_SENTENCE)
    words = PENDING_SENTENCE.split()

    def split(between: str) -> str:
        return " ".join(w + (between if i % 3 == 2 else "") for i, w in enumerate(words))

    for between in (
        '<img alt="q" src="dot.png">',
        "<details><summary></summary>q</details>",
        "<details><summary></summary><details><summary></summary>q</details>q</details>",
    ):
        page = f"<p>{split(between)}</p>"
        assert any(probe in output_words(page) for probe in found), between
    for between in ("<!--q-->", '<tspan id="x>q"/>'):
        svg = f'<svg xmlns="http://www.w3.org/2000/svg"><title>{split(between)}</title></svg>'
        read = [output_words(p) for p in output_pieces(Path("chart.svg"), svg.encode())]
        assert any(probe in text for text in read for probe in found), between


def test_text_drawn_in_another_order_than_written_is_read_in_the_drawn_order() -> None:
    """The attacks (a site page): a withheld sentence cut in pieces written last to first in a
    table's footer, body, header and caption, which a browser draws caption, header, body,
    footer; or each piece of an open <details> after its summary, which is drawn first."""
    found = probes(PENDING_SENTENCE)
    words = PENDING_SENTENCE.split()
    pieces = [" ".join(words[i : i + 3]) for i in range(0, len(words), 3)]
    row = "<tr><td>{}</td></tr>"
    tables = "".join(
        f"<table><tfoot>{row.format(d)}</tfoot><tbody>{row.format(c)}</tbody>"
        f"<thead>{row.format(b)}</thead><caption>{a}</caption></table>"
        for a, b, c, d in zip(*[iter([*pieces, "", "", ""])] * 4, strict=False)
    )
    details = "".join(
        f"<details open>{second} <summary>{first}</summary></details>"
        for first, second in zip(*[iter([*pieces, ""])] * 2, strict=False)
    )
    for page in (tables, details):
        assert any(probe in output_words(page) for probe in found), page


def test_an_attribute_value_is_decoded_as_a_browser_decodes_one() -> None:
    """A named reference without its ";" and followed by a letter stays as written in an
    attribute (a page's description from mkdocs.yml): readers see "&notable", not "¬able", and
    a withheld sentence's words written so were read as other words."""
    words = output_words('<meta name="description" content="&notable &amplified &copyist">')
    assert "notable amplified copyist" in words
    assert output_words('<p title="&not x &amp y &#112;urple">') == " x y purple"


def test_a_word_inserted_near_the_start_of_a_sentence_does_not_hide_the_rest(
    minimal: Path, cli
) -> None:
    """Probes run through the whole sentence, not only its first eight words."""
    edited = PENDING_SENTENCE.replace("giraffe", "really giraffe")
    _leaks_when_appended(minimal, cli, "content/pages/editorial-policy.md", edited)


def test_a_withheld_article_inside_a_pdf_fails_the_build(minimal: Path, cli) -> None:
    """Static files are read too, whatever their type: a PDF by the text it holds (its streams
    compressed, as the site keeps PDFs, its bytes show none)."""
    before = built(minimal, cli)
    handout = pdf_showing(PENDING_SENTENCE)
    assert PENDING_SENTENCE.encode() not in handout
    (minimal / "content/pages/handout.pdf").write_bytes(handout)
    _leaks(minimal, cli, before)


def _one_page(drawn: bytes, base: str = "Helvetica", rotate: int = 0, **font) -> bytes:
    """A one-page PDF in the site's form drawing `drawn` with the font F1 (a standard one,
    `font` its other keys: bytes are made a stream), the page turned by `rotate`."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(1000, 800))
    keys = {k: pdf.make_stream(v) if isinstance(v, bytes) else v for k, v in font.items()}
    named = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name("/" + base),
        **keys,
    )
    page = pdf.pages[0].obj
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(named)))
    page.Contents = pdf.make_stream(drawn)
    if rotate:
        page.Rotate = rotate
    out = io.BytesIO()
    pdf.save(out)
    return in_site_form(out.getvalue())


def _pdf_in_codes(text: str, glyph=lambda letter: letter, lines: int = 1) -> bytes:
    """A PDF drawing `text` in codes that are not its letters, as Chromium's print to PDF
    writes them ("Take" as "7DNH"): the font's encoding names the glyph each code draws
    (`glyph`: a letter's glyph name). `lines`: in that many lines down the page, written in
    the file last to first."""
    import pikepdf

    names = {" ": "space", ".": "period"}
    letters = sorted(set(text))
    codes = {letter: bytes([number + 1]) for number, letter in enumerate(letters)}
    differences = [1, *(pikepdf.Name("/" + (names.get(c) or glyph(c))) for c in letters)]
    words = text.split(" ")
    size = -(-len(words) // lines)
    shown = [" ".join(words[at : at + size]) for at in range(0, len(words), size)]
    drawn = [
        b"BT /F1 9 Tf 1 0 0 1 10 %d Tm " % (700 - 12 * number)
        + pikepdf.String(b"".join(codes[c] for c in line)).unparse()
        + b" Tj ET"
        for number, line in enumerate(shown)
    ]
    encoding = pikepdf.Dictionary(Differences=pikepdf.Array(differences))
    return _one_page(b"\n".join(reversed(drawn)), Encoding=encoding)


def test_a_withheld_article_drawn_in_a_pdf_by_codes_that_are_not_letters_fails_the_build(
    minimal: Path, cli
) -> None:
    """A PDF's text is read as PDFium reads it too, through each font's map of its codes: a
    withheld sentence printed to PDF by Chromium, whose codes are glyph numbers, passed the
    audit, which read only the codes."""
    from pipeline.content.pdf import pdf_problem

    before = built(minimal, cli)
    handout = _pdf_in_codes(PENDING_SENTENCE)
    assert pdf_problem(handout) is None
    assert "giraffe" not in output_words("\n".join(output_pieces(Path("x.txt"), handout)))
    (minimal / "content/pages/handout.pdf").write_bytes(handout)
    _leaks(minimal, cli, before)


def _sans_serif(letter: str) -> str:
    """The glyph name of a letter's look-alike past U+FFFF (Mathematical Sans-Serif)."""
    start = 0x1D5A0 if letter.isupper() else 0x1D5BA
    return f"u{start + ord(letter.lower()) - ord('a'):X}"


def _pdf_shuffled(text: str, turned: bool = False) -> bytes:
    """A PDF showing `text` on one line, its words drawn in another order and moved into place
    by one `TJ`'s spacing (Courier: each letter 6 points wide at 10 points). `turned`: the page
    shown upside down (`/Rotate 180`), the text drawn upside down on it, so it reads upright."""
    import random

    import pikepdf

    words = text.split(" ")
    starts = [sum(len(w) + 1 for w in words[:at]) * 6 for at in range(len(words))]
    order = list(range(len(words)))
    random.Random(7).shuffle(order)
    parts: list[object] = []
    pen = 0
    for at in order:
        parts += [-(starts[at] - pen) * 100, pikepdf.String(words[at])]
        pen = starts[at] + len(words[at]) * 6
    shown = pikepdf.unparse_content_stream(
        [
            ([], "BT"),
            ([pikepdf.Name.F1, 10], "Tf"),
            ([-1, 0, 0, -1, 990, 100] if turned else [1, 0, 0, 1, 10, 100], "Tm"),
            ([pikepdf.Array(parts)], "TJ"),
            ([], "ET"),
        ]
    )
    return _one_page(shown, "Courier", 180 if turned else 0)


def _pdf_in_a_column(text: str) -> bytes:
    """A PDF showing `text` three words a line down the left of the page, a letter beside each
    line far to its right, each line drawn whole: read across, a letter stands between every
    three words; a reader reads the column."""
    words = text.split(" ")
    lines = [" ".join(words[at : at + 3]) for at in range(0, len(words), 3)]
    drawn = b"".join(
        b"BT /F1 9 Tf 1 0 0 1 40 %d Tm (%s) Tj 1 0 0 1 400 %d Tm (q) Tj ET\n"
        % (700 - 12 * number, line.encode(), 700 - 12 * number)
        for number, line in enumerate(lines)
    )
    return _one_page(drawn)


@pytest.mark.parametrize(
    "handout",
    [
        pytest.param(lambda: _pdf_in_codes(PENDING_SENTENCE, lines=5), id="lines-last-to-first"),
        pytest.param(lambda: _pdf_in_a_column(PENDING_SENTENCE), id="down-a-column"),
        pytest.param(lambda: _pdf_shuffled(PENDING_SENTENCE), id="words-moved-into-place"),
        pytest.param(lambda: _pdf_shuffled(PENDING_SENTENCE, True), id="on-a-page-turned"),
        pytest.param(lambda: _pdf_in_codes(PENDING_SENTENCE, _sans_serif), id="letters-past-ffff"),
    ],
)
def test_a_withheld_article_in_a_pdf_read_as_laid_out_and_letter_by_letter_fails_the_build(
    minimal: Path, cli, handout
) -> None:
    """A PDF's text is read letter by letter as laid out too, down the page and down each
    column: a withheld sentence three words a line, the lines written in the file last to
    first, or its words drawn in another order and moved into place, read as other words. And
    every letter PDFium reads is read: pypdfium2's own reading left out letters past U+FFFF,
    which look like plain ones."""
    before = built(minimal, cli)
    (minimal / "content/pages/handout.pdf").write_bytes(handout())
    _leaks(minimal, cli, before)


def test_a_pdf_naming_a_number_as_a_drawing_is_refused_not_an_internal_error() -> None:
    """A number where a drawing's resources name a drawing: the reading asked it for its
    object number, and check, build and the pdf command ended in an internal error."""
    import pikepdf

    from pipeline.content.pdf import pdf_problem

    def named_number(pdf) -> None:
        form = pdf.make_stream(b"", Type=pikepdf.Name.XObject)
        form.Subtype, form.BBox = pikepdf.Name.Form, [0, 0, 99, 99]
        form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(A=5))
        page = pdf.pages[0].obj
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=form))
        page.Contents = pdf.make_stream(b"/X Do")

    assert pdf_problem(in_site_form(_pdf(named_number))) is None


def test_a_pdf_of_letters_pdfium_leaves_out_is_read_not_an_internal_error() -> None:
    """Two thousand codes a font's map names as a control character, which PDFium leaves out
    of its text: pypdfium2's reading by range failed on them, and check, build and the pdf
    command ended in an internal error."""
    from pipeline.content.pdf import pdf_problem, pdf_text

    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Left def "
        b"1 begincodespacerange <00> <FF> endcodespacerange "
        b"2 beginbfchar <01> <0002> <41> <005A> endbfchar endcmap "
        b"CMapName currentdict /CMap defineresource pop end end"
    )
    handout = _one_page(b"BT /F1 1 Tf 40 700 Td (" + b"\x01" * 2000 + b"A) Tj ET", ToUnicode=cmap)
    # "Z": the letter PDFium reads for the code qpdf reads as "A".
    assert pdf_problem(handout) is None and "Z" in pdf_text(handout)


def test_markup_in_mkdocs_yml_or_a_site_script_that_is_no_script_fails_the_build(
    minimal: Path, cli
) -> None:
    """The attack: the copyright line, a nav title, an analytics setting or the storage scope
    (printed as HTML, or into the theme's own scripts, outside any page's content, where the
    page policy allows the theme's inline scripts by hash) carrying a script or a style that
    hides the disclaimer; a value of YAML's binary type; a value that holds itself (a build
    that never ends); a PDF named as the site's script."""
    before = built(minimal, cli)
    config = minimal / "mkdocs.yml"
    original = config.read_text("utf-8")
    for addition, where in (
        (
            "copyright: 'Clinical Answers<script>alert(1)</script>'",
            "value of copyright holds markup other",
        ),
        (
            "copyright: '<style>#medical-disclaimer{display:none}</style>'",
            "value of copyright holds markup other",
        ),
        (
            "extra:\n  analytics:\n    provider: google\n"
            "    property: '</script><script>alert(1)</script><script>'",
            "extra.analytics is set; pages load nothing from other sites",
        ),
        ("extra_javascript: [guide.pdf]", "extra_javascript lists 'guide.pdf'"),
        # The themes write polyfills as script elements too.
        ("extra:\n  polyfills: [img/handout.pdf]", "extra.polyfills lists 'img/handout.pdf'"),
        (
            "nav:\n  - 'Home<script>alert(1)</script>': index.md",
            "value of nav[0] holds markup or a straight double quote",
        ),
        # Printed inside the theme's own inline script, which the page policy allows by hash.
        ("extra:\n  scope: '/\",location),alert(1),new URL(\"/'", "extra.scope must be a path"),
        # YAML's binary type: printed as b'<script>…</script>', markup intact.
        (
            "extra:\n  alternate:\n    - name: !!binary PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "value of extra.alternate[0].name is not text",
        ),
        ("extra:\n  loop: &l [*l]", "mkdocs.yml uses a YAML alias"),
        ("repo_url: ' JavaScript:alert(1)'", "value of repo_url is a javascript: address"),
        # Values are HTML to the themes, not Markdown: backticks hide nothing.
        ("copyright: '© `<script>alert(1)</script>`'", "value of copyright holds markup other"),
        ('copyright: \'<a title="x" href="javascript:alert(1)">x</a>\'', "links to a javascript:"),
        (
            "site_description: 'x\" http-equiv=\"refresh'",
            "value of site_description holds markup or a straight double quote",
        ),
        # Printed into <body dir="...">: a class of the theme's that hides the whole page.
        (
            "theme:\n  name: material\n  custom_dir: overrides\n"
            "  direction: '<a href=\" class=md-toggle x=\">'",
            "value of theme.direction holds markup or a straight double quote",
        ),
    ):
        config.write_text(original + "\n" + addition + "\n", "utf-8")
        result = cli("build", cwd=minimal)
        assert result.code == 1, addition
        assert "mkdocs.yml: error PUB005" in result.stderr and where in result.stderr, result.stderr
        assert site_files(minimal / "site") == before
    config.write_text(
        original + "\ncopyright: 'Clinical Answers, <a href=\"board.html\">our board</a>'\n"
    )
    assert cli("build", cwd=minimal).code == 0  # a link in the copyright line is fine


def test_a_withheld_sentence_split_by_markup_in_mkdocs_yml_fails_the_build(
    minimal: Path, cli
) -> None:
    """The attack: the copyright line (on every page) holding the sentence with an empty
    `<sup></sup>` inside every word, which readers see joined up."""
    split = " ".join(f"{w[:2]}<sup></sup>{w[2:]}" for w in PENDING_SENTENCE.split())
    _leaks_when_appended(minimal, cli, "mkdocs.yml", f"copyright: '{split}'")


def test_a_stylesheet_from_another_site_fails_the_audit_whatever_its_name(
    minimal: Path, cli
) -> None:
    """Only the canonical link names another address without loading it; a stylesheet called
    canonical.css, or a link that is canonical and a stylesheet at once, loads. mkdocs.yml may
    name only the theme's own files (PUB005); the audit stands behind that."""
    before = built(minimal, cli)
    config = minimal / "mkdocs.yml"
    original = config.read_text("utf-8")
    for sheet in ("https://evil.example/canonical.css", "//evil.example/x.css"):
        config.write_text(original.replace("  - assets/pipeline.css", f"  - {sheet}"), "utf-8")
        result = cli("build", cwd=minimal)
        assert result.code == 1 and f"extra_css lists '{sheet}'" in result.stderr, sheet
        assert site_files(minimal / "site") == before
    mkdocs_theme = theme("mkdocs")
    canonical = '<head><link rel="canonical" href="https://site.example/a.html">'
    assert page_loads(canonical, mkdocs_theme) == [
        "lacks its Content-Security-Policy as the first element of its head, with nothing but "
        "the document type and the <html> tag before it"
    ]
    assert "has a <style> element, which no page may carry" in page_loads(
        "<head><style>#medical-disclaimer{display:none}</style>", mkdocs_theme
    )
    assert "loads https://evil.example/a.css from another site" in page_loads(
        '<link rel="canonical stylesheet" href="https://evil.example/a.css">', mkdocs_theme
    )


def test_markup_in_the_disclaimer_that_could_run_or_hide_stops_every_build(
    minimal: Path, cli
) -> None:
    """The attack: the disclaimer (on every article page, outside the article's text) loading
    a script, or folding its own text away. It passes the strictest markup policy, and a
    problem stops even a preview."""
    before = built(minimal, cli)
    disclaimer = minimal / "references/disclaimer.md"
    original = disclaimer.read_text("utf-8")
    for addition, code in (
        ('<script src="../report.pdf"></script>', "HTML002"),
        ("<div hidden>\n\nThe rest of it.\n\n</div>", "HTML002"),
        ("<details><summary>More</summary>Text.</details>", "HTML002"),
        ('Read <abbr title="x" hidden>this</abbr>.', "HTML003"),
    ):
        disclaimer.write_text(original + "\n" + addition + "\n", "utf-8")
        for args in (("build",), ("build", "--preview")):
            result = cli(*args, cwd=minimal)
            assert result.code == 1, (addition, args)
            assert "references/disclaimer.md:" in result.stderr and code in result.stderr
        assert site_files(minimal / "site") == before


def test_a_script_saved_under_a_pdfs_or_an_images_name_is_refused(minimal: Path, cli) -> None:
    """Only a file that starts as its type does is published: a script named report.pdf could
    otherwise be loaded as the site's own script."""
    for name in ("report.pdf", "logo.png", "photo.jpg", "anim.gif", "pic.webp"):
        (minimal / "content/pages" / name).write_text("document.title = 'x';\n", "utf-8")
    result = cli("check", cwd=minimal)
    assert result.code == 1
    for name in ("report.pdf", "logo.png", "photo.jpg", "anim.gif", "pic.webp"):
        suffix = name.rsplit(".", 1)[1]
        assert (
            f"content/pages/{name}: error PAGE002 files beside the site pages must be images "
            f"or PDFs, not a .{suffix} file whose content is something else" in result.stdout
        )


def _article_page(around: str) -> str:
    """A page with the theme's chain of elements, `around` (holding `{}`) where the article
    template puts the disclaimer, and the disclaimer in it."""
    opened = "".join(f'<{tag} class="{cls}">' for tag, cls in DISCLAIMER_PATH[2:])
    closed = "".join(f"</{tag}>" for tag, _ in reversed(DISCLAIMER_PATH[2:]))
    disclaimer = (
        '<aside id="medical-disclaimer" class="medical-disclaimer"><p>read this</p></aside>'
    )
    status = '<section id="review-status" data-status="approved"></section>'
    inner = status + around.format(disclaimer)
    return f'<html class="no-js"><body>{opened}{inner}{closed}</body></html>'


def test_a_disclaimer_wrapped_in_anything_the_template_does_not_write_fails_the_audit() -> None:
    """The attack (a template change): the disclaimer inside a <dialog>, a popover, the
    site's own visually-hidden class, <template>, <noscript>, or a collapsed <details>; or a
    part of it hidden. The audit knows where the template puts it, and nothing else passes."""
    assert page_problems(_article_page("{}"), "read this", "approved") == []
    for around in (
        "<dialog>{}</dialog>",
        "<div popover>{}</div>",
        '<div class="visually-hidden">{}</div>',
        "<noscript>{}</noscript>",
        "<details><summary>More</summary>{}</details>",
        '<div class="article-body">{}</div>',
        # Read as a browser reads it: "/>" closes no element but a void one (libxml2 took
        # these for empty elements, and the disclaimer for outside them).
        "<span hidden/>{}</span>",
        '<span class="visually-hidden"/>{}</span>',
    ):
        problems = page_problems(_article_page(around), "read this", "approved")
        assert any("is not where the article template puts it" in p for p in problems), around
    # What a template holds is never shown: no disclaimer on the page at all.
    found = page_problems(_article_page("<template/>{}"), "read this", "approved")
    assert "has 0 #medical-disclaimer elements, not one" in found
    page = _article_page("{}")
    for inner in ("<p hidden>", '<p style="display:none">', "<details><p>", "<p popover>"):
        hidden = page.replace("<p>", inner)
        assert any(
            "part of #medical-disclaimer" in p
            for p in page_problems(hidden, "read this", "approved")
        ), inner
    restyled = page.replace('class="medical-disclaimer"', 'class="visually-hidden"')
    assert "is not the <aside> the article template writes" in " ".join(
        page_problems(restyled, "read this", "approved")
    )
    component = page.replace(
        '<div class="md-content">', '<div class="md-content" data-md-component="dialog">'
    )
    assert "of another component" in " ".join(page_problems(component, "read this", "approved"))
    styled = page.replace(
        '<div class="clinical-article">', '<div class="clinical-article" style="opacity:0">'
    )
    assert "with style" in " ".join(page_problems(styled, "read this", "approved"))


def test_a_shadow_root_beside_the_disclaimer_fails_the_audit() -> None:
    """The attack (a template change): `<template shadowrootmode="open">` in the element that
    holds the disclaimer; Chromium then draws the shadow root instead of what the element
    holds, disclaimer and review status included, while the element tree keeps them in place."""
    for declared in ('<template shadowrootmode="open">', "<TEMPLATE ShadowRoot=closed>"):
        page = _article_page(declared + "<p>Approved.</p></template>{}")
        assert page_problems(page, "read this", "approved") == []  # in place, in the tree
        assert page_loads(page, theme("mkdocs"), policy=False) == [
            f"declares a shadow root ({declared!r}), which hides what its element holds"
        ]
    plain = _article_page('<p title="shadowrootmode">{}</p>')
    assert page_loads(plain, theme("mkdocs"), policy=False) == []


def test_what_can_stand_over_the_disclaimer_fails_the_audit() -> None:
    """The attacks (template changes): an open <dialog> just before the disclaimer, which a
    browser draws over it (holding a fake one); a popover; a <noscript> holding a decoy page,
    which the theme's instant navigation swapped in for the article; the dark colour scheme on
    an inner element of the chain, which painted the disclaimer pale on a light page."""
    for before, problem in (
        ('<dialog open class="md-typeset"><p>Safe.</p></dialog>', "has a <dialog> element"),
        ("<div popover=manual>Safe.</div>", "has a popover ('<div popover=manual>')"),
        ('<noscript><div class="md-container">x</div></noscript>', "has a <noscript> element"),
    ):
        found = page_loads(_article_page(before + "{}"), theme("mkdocs"), policy=False)
        assert [p for p in found if p.startswith(problem)], (before, found)
    pale = _article_page("{}").replace(
        '<div class="clinical-article">',
        '<div class="clinical-article" data-md-color-scheme="slate">',
    )
    assert "#medical-disclaimer is inside a <div> with data-md-color-scheme" in page_problems(
        pale, "read this", "approved"
    )
    themed = _article_page("{}").replace("<body>", '<body dir="ltr" data-md-color-scheme="slate">')
    assert page_problems(themed, "read this", "approved") == []


@pytest.mark.parametrize("engine", ENGINES)
def test_every_page_renders_with_the_extensions_check_reads_with(
    minimal: Path, cli, engine: str
) -> None:
    """The attack: mkdocs.yml without `admonition` and `attr_list` (check reads every text, and
    approvals sign it, as they render it): an approved red "danger" box became a plain
    paragraph and a grey code block. Each is added back whether mkdocs.yml lists it or not."""
    edit(minimal, "mkdocs.yml", "  - admonition\n", "")
    edit(minimal, "mkdocs.yml", "  - attr_list\n", "")
    page = minimal / "content/pages/editorial-policy.md"
    page.write_text(
        page.read_text("utf-8") + '\n!!! danger "Not for children under 16"\n\n    Reye.\n',
        "utf-8",
    )
    assert cli("build", "--engine", engine, cwd=minimal).code == 0
    shown = (minimal / "site/editorial-policy.html").read_text("utf-8")
    assert '<div class="admonition danger">' in shown and "!!! danger" not in shown


@pytest.mark.parametrize(
    ("rel", "owner"),
    [
        ("assets/images/favicon.png", "theme"),
        ("Assets/logo.png", "theme"),
        ("img/logo.png", "theme"),
        # The theme's page for a missing address; with directory addresses, topics/index.html.
        ("404.md", "theme"),
        ("Topics.md", "pipeline"),
    ],
)
def test_a_file_of_the_pages_may_not_replace_one_of_the_theme(
    minimal: Path, cli, rel: str, owner: str
) -> None:
    """The attack: a picture at content/pages/assets/images/favicon.png replaced the theme's
    favicon on every article page (both engines let a file of the pages win over the theme's
    of the same path), and one at the path of a picture of overrides/, the header's logo,
    without the admins' signatures the theme needs."""
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    (minimal / "overrides/img").mkdir()
    (minimal / "overrides/img/logo.png").write_bytes(png)
    (minimal / "content/pages" / rel).parent.mkdir(parents=True, exist_ok=True)
    (minimal / "content/pages" / rel).write_bytes(b"# Page\n" if rel.endswith(".md") else png)
    result = cli("check", cwd=minimal)
    assert result.code == 1 and "PAGE003" in codes_of(result)
    assert f"where the {owner} publishes its own" in result.stdout


@pytest.mark.parametrize(
    "rel",
    [
        "content/pages/guides/articles/back-pain.md",
        "content/pages/img/articles/back-pain/chart.png",
        "content/pages/img/MyArticles/back-pain/chart.png",
        "overrides/assets/articles/back-pain/chart.png",
    ],
)
def test_no_file_of_the_site_lives_in_a_folder_named_like_articles(
    minimal: Path, cli, rel: str
) -> None:
    """The attack, a time bomb: a page at guides/articles/back-pain.md (or a picture under
    img/articles/back-pain/) published an address holding what the audit takes for the article
    back-pain's, so on the day that article was withheld every build of main stopped."""
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    (minimal / rel).parent.mkdir(parents=True, exist_ok=True)
    (minimal / rel).write_bytes(b"# Exercise handout\n" if rel.endswith(".md") else png)
    result = cli("check", cwd=minimal)
    assert result.code == 1, result.stdout
    assert f"{rel}:" in result.stdout and "named like articles/" in result.stdout


@pytest.mark.parametrize(
    "rel",
    ["content/pages/img/articles/chart.png", "overrides/partials/articles/related.html"],
)
def test_a_picture_or_template_in_a_folder_named_articles_holds_no_address(
    minimal: Path, cli, rel: str
) -> None:
    """A figure right in img/articles/ is published at no article's address, and a template is
    not published at all: refusing them only sent boards to rename folders (and re-sign)."""
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    (minimal / rel).parent.mkdir(parents=True, exist_ok=True)
    (minimal / rel).write_bytes(png if rel.endswith(".png") else b"<p>Related</p>\n")
    assert "named like articles/" not in cli("check", cwd=minimal).stdout


def test_settings_a_real_site_uses_pass_the_check(minimal: Path) -> None:
    """Search in two languages, page patterns of two `*`, an empty admonition icon list."""
    from pipeline.site.engine_config import config_problems

    edit(minimal, "mkdocs.yml", "  - search\n", "  - search:\n      lang: [en, de]\n")
    edit(minimal, "mkdocs.yml", "  font: false", "  font: false\n  icon:\n    admonition: {}")
    config = minimal / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8") + "draft_docs: |\n  drafts/*.md\n  **/_*.md\n", "utf-8"
    )
    assert config_problems(minimal) == []


def test_a_folder_to_watch_is_no_part_of_a_build(minimal: Path) -> None:
    """The attack: `watch: [/usr]` in mkdocs.yml. Zensical walked every file under it at every
    build, not only when serving (an hour on a CI runner). The staged configuration has none."""
    import yaml

    from pipeline.site.engine_config import engine_config

    edit(minimal, "mkdocs.yml", "site_name:", "watch:\n  - /usr\nsite_name:")
    assert "watch" not in yaml.safe_load(engine_config(minimal, {}))


def test_an_element_that_pings_an_address_fails_the_audit() -> None:
    """A template's link with `ping` or `attributionsrc`, or a picture with `attributionsrc`,
    sends a request of its own to another site, when a reader follows the link or as the page
    loads (the policy blocked it); "ping" as a word of the text is no attribute."""
    for tag in (
        '<a href="a.html" ping="https://evil.example/p">',
        "<area ATTRIBUTIONSRC href=a>",
        '<img src="a.png" attributionsrc="https://evil.example/e">',
    ):
        found = page_loads(_article_page(tag + "{}"), theme("mkdocs"), policy=False)
        assert [p for p in found if p.startswith("sends a request of its own")], (tag, found)
    plain = _article_page('<p title="ping">Keep sleeping; ping = 1</p>{}')
    assert page_loads(plain, theme("mkdocs"), policy=False) == []


def test_a_hidden_or_wrapped_review_status_fails_the_audit() -> None:
    """The attack (a template change): the review status inside "<span hidden/>…</span>",
    which a browser keeps open around it; or hidden itself."""
    page = _article_page("{}")
    status = '<section id="review-status" data-status="approved"></section>'
    for wrapped, expected in (
        (f"<span hidden/>{status}</span>", "#review-status is not where the article template"),
        (f'<div class="visually-hidden">{status}</div>', "#review-status is not where"),
        (status.replace("<section", "<section hidden"), "#review-status is not the <section>"),
        (status.replace("section", "dialog"), "#review-status is not the <section>"),
    ):
        problems = page_problems(page.replace(status, wrapped), "read this", "approved")
        assert any(p.startswith(expected) for p in problems), (wrapped, problems)


def test_an_svg_tspan_inside_a_word_does_not_split_it() -> None:
    sentence = "counting zebra stripes before each antihistamine dose"
    page = "<text>" + " ".join(f"{w[:2]}<tspan/>{w[2:]}" for w in sentence.split()) + "</text>"
    assert sentence in output_words(page)


def test_the_audit_reads_attribute_values_and_comments_but_not_tag_names() -> None:
    """Defence in depth: text inside a comment or an attribute value is found; markup between
    the words of a sentence, escaped or not, does not hide it, and angle brackets readers see
    as text do not make it markup."""
    sentence = "counting zebra stripes before each antihistamine dose"
    for page in (
        f'<meta name="description" content="{sentence}">',
        f"<img alt='{sentence}' src=x.png>",
        "<p>coun<sup></sup>ting ze<em>b</em>ra str<a href='#x'>ipes</a> before each "
        "antihi<wbr>stamine d<kbd>o</kbd>se</p>",  # markup inside words, not between them
        f"<!-- {sentence} -->",
        "<p>counting <em>zebra</em> stripes <a href='#x'>before</a> each antihistamine dose</p>",
        f"<p>a &lt;{sentence}&gt; b</p>",  # readers see the angle brackets and the words
        f"<p>a < {sentence} > b</p>",
        "<description>&lt;p&gt;counting &lt;em&gt;zebra&lt;/em&gt; stripes before each "
        "antihistamine dose&lt;/p&gt;</description>",  # a feed's escaped HTML
        f'<meta content="&lt;b&gt;{sentence}&lt;/b&gt;">',
        f'<img alt="a <b {sentence} > c" src="x.png">',  # an attribute value holds no markup
        f'<img alt="a <b" title="{sentence} >" src="x.png">',
        # An SVG's entity (a browser shows its text where &a; stands), CDATA, and the Hangul
        # filler, which browsers draw as a blank between words.
        f'<!DOCTYPE svg [ <!ENTITY a "{sentence}"> ]><svg><text>&a;</text></svg>',
        f"<svg><text><![CDATA[{sentence}]]></text></svg>",
        sentence.replace(" ", "\u3164"),
        # A hair space inside each word (drawn all but invisible), an image between its halves.
        " ".join(f"{w[:2]}\u200a{w[2:]}" for w in sentence.split()),
        " ".join(f"{w[:2]}<img src='dot.png' alt=''>{w[2:]}" for w in sentence.split()),
        # Latin small capitals: no compatibility form, drawn as the letters they are.
        "ᴄᴏᴜɴᴛɪɴɢ ᴢᴇʙʀᴀ ꜱᴛʀɪᴘᴇꜱ ʙᴇꜰᴏʀᴇ ᴇᴀᴄʜ ᴀɴᴛɪʜɪꜱᴛᴀᴍɪɴᴇ ᴅᴏꜱᴇ",
    ):
        assert sentence.replace(" ", "") in output_words(page).replace(" ", ""), page


def test_html_in_a_code_span_stays_text_even_when_it_looks_like_a_citation(
    minimal: Path, cli
) -> None:
    forged = (
        '<sup class="citation" id="cite-9"><a href="https://phish.example/">9</a></sup>'
        '<img src="https://tracker.example/p.gif">'
    )
    edit(minimal, "content/articles/pending.md", "never reach a reader", f"`{forged}`")
    assert cli("check", "content/articles/pending.md", cwd=minimal).code == 0
    assert cli("build", "--preview", cwd=minimal).code == 0
    page = (minimal / "preview/articles/pending.html").read_text("utf-8")
    assert "&lt;a href=&quot;https://phish.example/" in page or '&lt;a href="https://phish' in page
    assert '<a href="https://phish.example/' not in page and "<img src=" not in page


def test_the_stash_markers_cannot_be_forged_from_article_text(minimal: Path, cli) -> None:
    """Markdown's stash puts finished HTML back where its placeholders stand; Python-Markdown
    removes the placeholders' control characters from the source before anything else runs."""
    edit(minimal, "content/articles/pending.md", "never reach a reader", "\x02wzxhzdk:0\x03 here")
    assert cli("build", "--preview", cwd=minimal).code == 0
    page = (minimal / "preview/articles/pending.html").read_text("utf-8")
    assert "wzxhzdk:0 here" in page and "\x02" not in page


def test_an_element_left_open_cannot_swallow_the_references_or_the_disclaimer(
    minimal: Path, cli
) -> None:
    """check refuses it (HTML008); were it published anyway (a preview tolerates errors), the
    sanitizer closes it inside the article's text, and the audit finds the disclaimer visible."""
    article = minimal / "content/articles/under-review.md"
    article.write_text(article.read_text("utf-8") + "\n<details><summary>More</summary>\n", "utf-8")
    checked = cli("check", cwd=minimal)
    assert checked.code == 1 and " HTML008 the <details> element opened here" in checked.stdout
    assert cli("build", "--preview", cwd=minimal).code == 0
    page = (minimal / "preview/articles/under-review.html").read_text("utf-8")
    body_end = page.index('<aside id="medical-disclaimer"')
    assert page.rfind("</details>", 0, body_end) > page.rfind("<details>", 0, body_end)


def test_a_zero_width_space_does_not_hide_a_retracted_doi(minimal: Path, cli) -> None:
    edit(
        minimal,
        "references/library.bib",
        "doi     = {10.1001/archinte.161.13.1613}",
        "doi     = {10.1001/archinte.161.13.1613\u200b}",
    )
    (minimal / "references/retractions.txt").write_text("10.1001/ARCHINTE.161.13.1613\n", "utf-8")
    result = cli("check", cwd=minimal)
    assert result.code == 1
    assert "error BIB007 'browning2001': the doi contains an invisible character (U+200B)" in (
        result.stdout
    )
    assert " CIT003 'browning2001' is a retracted work" in result.stdout


@pytest.mark.parametrize(
    ("written", "reported"),
    [
        # As an address writes it; doi.org resolves it to the same work.
        ("doi     = {10.1001%2Farchinte.161.13.1613}", None),
        ("doi     = {https://doi.org/10.1001/archinte.161.13.1613%20}", None),
        ("pmid    = {011495215}", "PMID '011495215' must be digits only, the first not 0"),
        # No doi field at all: the work linked by an address that names its DOI or PMID.
        (
            "url     = {https://doi.org/10.1001/archinte.161.13.1613}",
            "names the DOI 10.1001/archinte.161.13.1613, which the doi field does not",
        ),
        (
            "url     = {https://pubmed.ncbi.nlm.nih.gov/11495215/}",
            "names the PMID 11495215, which the pmid field does not",
        ),
        (
            "url     = {https://jamanetwork.com/doi/full/10.1001/archinte.161.13.1613}",
            "names the DOI 10.1001/archinte.161.13.1613, which the doi field does not",
        ),
        (
            "url     = {https://hdl.handle.net/10.1001/archinte.161.13.1613}",
            "names the DOI 10.1001/archinte.161.13.1613, which the doi field does not",
        ),
        (
            "url     = {https://pubmed.ncbi.nlm.nih.gov/?term=11495215}",
            "names the PMID 11495215, which the pmid field does not",
        ),
        (
            "url     = {https://europepmc.org/article/MED/11495215}",
            "names the PMID 11495215, which the pmid field does not",
        ),
        # Addresses a browser resolves to the listed DOI.
        ("doi     = {10.1001/./archinte.161.13.1613}", "is not a DOI"),
        # BibTeX's case protection kept in the DOI: it matched no retraction.
        ("doi     = {10.1001/{ARCHINTE}.161.13.1613}", "is not a DOI"),
        (
            "url     = {https://doi.org\\10.1001\\x/../archinte.161.13.1613}",
            "names the DOI 10.1001/archinte.161.13.1613, which the doi field does not",
        ),
        (
            "url     = {https://pubmed.ncbi.nlm.nih.gov/?term=11495215[uid]}",
            "names the PMID 11495215, which the pmid field does not",
        ),
        # A resolver's address whose identifier cannot be read is refused, never passed.
        ("url     = {https://doi.org/}", "names no DOI or PMID that can be read"),
        (
            "url     = {https://pubmed.ncbi.nlm.nih.gov/?term=10.1001/archinte.161.13.1613}",
            "names no DOI or PMID that can be read",
        ),
        # A host spelt as a browser still reads it: an ideographic full stop, an escape.
        (
            "url     = {https://doi\u3002org/10.1001/archinte.161.13.1613}",
            "names the DOI 10.1001/archinte.161.13.1613, which the doi field does not",
        ),
        (
            "url     = {https://doi%2Eorg/10.1001/archinte.161.13.1613}",
            "names the DOI 10.1001/archinte.161.13.1613, which the doi field does not",
        ),
        # Not an address at all: an error, never a traceback.
        ("url     = {http://[}", "must start with https://"),
    ],
)
def test_a_retracted_work_written_another_way_is_still_caught(
    minimal: Path, cli, written: str, reported: str | None
) -> None:
    """The attack: the retracted work's DOI percent-encoded, its PMID with a leading zero, or
    the work linked only by an address naming its DOI or PMID: the retraction list matched
    none of them, and `references verify` never looked such an entry up."""
    edit(minimal, "references/library.bib", "doi     = {10.1001/archinte.161.13.1613}", written)
    (minimal / "references/retractions.txt").write_text(
        "10.1001/archinte.161.13.1613\n11495215\n", "utf-8"
    )
    result = cli("check", cwd=minimal)
    assert result.code == 1
    if reported is None:
        assert " CIT003 'browning2001' is a retracted work" in result.stdout
    else:
        assert "error BIB007 'browning2001': " in result.stdout and reported in result.stdout


def test_a_fence_with_options_the_engines_read_differently_is_refused(minimal: Path, cli) -> None:
    """The attack: ```text hl_lines="label"``` is a code sample to check, MkDocs and the preview
    (fenced_code), but Zensical's superfences drops it and renders the lines below as the
    page's own text: a forged "Reviewed by the full Medical Advisory Board" box."""
    block = '```text hl_lines="label"\n!!! danger "Reviewed by the board"\n    Take more.\n```\n'
    edit(minimal, "content/articles/pending.md", "This unreviewed", block + "\nThis unreviewed")
    result = cli("check", "content/articles/pending.md", cwd=minimal)
    assert result.code == 1
    assert (
        "error HTML012 the fence line '```text hl_lines=\"label\"' carries options or text "
        "after the language"
    ) in result.stdout


FORGED = '<div class="admonition danger"><p class="admonition-title">Reviewed</p></div>'


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        # A fence superfences opens and never closes, hidden in a comment: no later fence is
        # code to Zensical.
        ("<!--\n~~~\n-->\n\n```html\n" + FORGED + "\n```\n", "does not follow a blank line"),
        ("<!--\n\n~~~\n\n-->\n", "opens a code block that is never closed"),
        # A quoted or indented fence line: superfences nests a fence there and drops the next.
        ("> ```\n\n```html\n" + FORGED + "\n```\n", "is indented or quoted"),
        ("- item\n\n    ```text\n    x\n\n```html\n" + FORGED + "\n```\n", "is indented"),
        # Options only superfences accepts: text to fenced_code, an empty titled block to it.
        ('~~~text title="Order"\n~~~\n' + FORGED + "\n~~~\n", "carries options or text"),
        # Indented code straight before a fence: superfences puts the fence back as Markdown.
        ("    ORDER: MRI\n~~~html\n" + FORGED + "\n~~~\n", "does not follow a blank line"),
        # A fence line inside a block, or a block run straight into text.
        ("```\n````\nx\n```\n", "stands inside a code block"),
        ("```\nx\n```\nText.\n", "a blank line does not follow it"),
        # What a second fuzzer found: a line of white space Markdown does not take for blank
        # (a no-break space, the first line of a text holding only blanks) before a fence,
        # after indented code or between the halves of a code span.
        ("    x\n\u00a0\n```\n## Forged\n```\n", "does not follow a blank line"),
        ("a ``\n\u00a0\n```\ny\n```\n\u00a0\n`` <b>LIVE</b> ``\n", "does not follow a blank"),
        ("    \n```\n## Forged\n```\n", "does not follow a blank line"),
    ],
)
def test_a_code_block_the_engines_could_read_differently_is_refused(
    body: str, problem: str
) -> None:
    """What a differential fuzzer of fenced_code (check, MkDocs, the preview) against
    superfences (Zensical) found: each shows a code sample in the preview and live markup on
    the Zensical site. Only the plain form both read alike passes."""
    from pipeline.checks.markup import ARTICLES, check_text

    found = [d.message for d in check_text("a.md", body, 1, ARTICLES) if d.code == "HTML012"]
    assert any(problem in message for message in found), found
    plain = "Text.\n\n```python\nx = 1\n```\n\n~~~\n<b>shown as code</b>\n~~~\n"
    assert [d for d in check_text("a.md", plain, 1, ARTICLES) if d.code == "HTML012"] == []


def test_control_characters_markdown_removes_are_removed_before_anything_reads_a_file() -> None:
    """The attack: `` `\x02` `` was a code span to check and staging, which numbered the
    citation after it; Python-Markdown removes STX and ETX first, the backticks paired
    otherwise, and citation 1 on the page linked to another source."""
    assert decode(b"Code: `\x02` [@a] and `\x03`") == "Code: `` [@a] and ``"
    assert decode("\u1fef\u1fef\u1fef".encode()) == "```"


def test_a_doi_with_a_hash_or_question_mark_links_to_itself() -> None:
    """Old Wiley DOIs end `;2-#`: a DOI, whose link must ask doi.org for all of it (`#pdf`
    after a listed DOI would otherwise lead to the listed work while matching none)."""
    from pipeline.identifiers import doi_url, identifier

    sici = "10.1002/(SICI)1099-1263(199705)13:2<151::AID-GJ744>3.0.CO;2-#"
    assert identifier("doi", sici) is not None
    assert doi_url(sici).endswith("3.0.CO;2-%23")
    assert doi_url("10.1016/S0140-6736(97)11096-0#pdf?x").endswith("11096-0%23pdf%3Fx")


def test_a_text_of_many_underlined_headings_is_not_rendered_to_be_checked() -> None:
    """Python-Markdown reads underlined headings in time that grows with the square of their
    number (6,800 took 6 s): such a text is checked without rendering it, nothing taken for
    code, and a site page's headings are read line by line."""
    from pipeline.checks.markup import raw_html_spans, shown_headings

    text = "x\n=\n" * 300
    assert shown_headings(text) is None
    assert raw_html_spans(text) == [(0, len(text))]
    assert shown_headings("x\n=\n" * 3) == ["x", "x", "x", "x", "x", "x"]


def test_nine_superscripts_on_one_line_are_not_nesting() -> None:
    from pipeline.checks.markup import check_markup

    text = "---\ntitle: T\nstatus: Submitted\nauthors: [a]\nlast_updated: 2026-01-01\n---\n\n"
    body = " ".join(f"10<sup>{n}</sup>" for n in range(9))
    article, _ = parse_article("content/articles/x.md", text + body + "\n", DAY)
    assert article is not None
    assert [d.code for d in check_markup(article)] == []


REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'


def test_a_site_pages_title_and_description_stay_text(minimal: Path, cli) -> None:
    """The attack: markup in a site page's title or description (the theme prints both as
    HTML), or entities in its heading (an engine decodes them when it takes the title from
    the heading). Each must reach readers as text."""
    (minimal / "content/pages/about.md").write_text(
        f"---\ntitle: 'About us {REFRESH}'\ndescription: 'x\" /><base href=\"https://evil.example/\">'\n"
        "---\n\n# About us\n\nWho we are.\n",
        "utf-8",
    )
    (minimal / "content/pages/contact.md").write_text(
        '# Contact &lt;/title&gt;&lt;meta http-equiv="refresh" content="0;url=x"&gt;\n\nWrite.\n',
        "utf-8",
    )
    result = cli("build", cwd=minimal)
    assert result.code == 0, result.stderr
    for name in ("about.html", "contact.html"):
        page = (minimal / "site" / name).read_text("utf-8")
        assert "<base" not in page and '<meta http-equiv="refresh"' not in page, name
    assert "About us &lt;meta http-equiv" in (minimal / "site/about.html").read_text("utf-8")


def test_a_page_that_would_send_readers_elsewhere_fails_the_audit(minimal: Path, cli) -> None:
    """Defence in depth: whatever put it there, a <meta http-equiv> other than the pipeline's
    policy, or a <base>, stops the build."""
    before = site_files(minimal / "site") if (minimal / "site").exists() else {}
    (minimal / "overrides/main.html").write_text(
        '{% extends "base.html" %}{% block extrahead %}' + REFRESH + "{% endblock %}", "utf-8"
    )
    result = cli("build", cwd=minimal)
    assert result.code == 1 and " PUB002 " in result.stderr and "no page may carry" in result.stderr
    assert (site_files(minimal / "site") if (minimal / "site").exists() else {}) == before


@pytest.mark.parametrize(
    "tag",
    [
        '<meta a"b=1 http-equiv="refresh" content="0;url=https://evil.example/">',
        "<META HTTP-EQUIV=refresh content=0>",
        '<base href="https://evil.example/">',
    ],
)
def test_a_meta_or_base_tag_is_read_as_a_browser_reads_its_attributes(tag: str) -> None:
    """A quote inside an attribute's name hid the http-equiv from a pattern of its own."""
    from pipeline.site.csp import Theme

    [problem] = page_loads(tag, Theme(None), policy=False)
    assert problem.endswith("element, which no page may carry")
    assert page_loads('<meta charset="utf-8"><meta name="x" content="y">', Theme(None), False) == []


@pytest.mark.parametrize(
    ("listed", "removed"),
    [
        # A work the library has: the articles citing it would pass again.
        ("10.1001/archinte.161.13.1613\n", ["DOI 10.1001/archinte.161.13.1613"]),
        # A work it lacks: one pull request takes it off the list, the next adds it with an
        # article citing it, and neither hears of the retraction.
        (
            "# Wakefield AJ et al. Lancet 1998\n10.1016/S0140-6736(97)11096-0\n9500320\n",
            ["DOI 10.1016/s0140-6736(97)11096-0", "PMID 9500320"],
        ),
    ],
)
def test_a_pull_request_may_not_take_a_work_off_the_boards_retraction_list(
    repo: Path, cli, listed: str, removed: list[str]
) -> None:
    (repo / "references/retractions.txt").write_text("# Retracted works\n" + listed, "utf-8")
    commit_all(repo, "the board lists a retraction")
    git(repo, "checkout", "-q", "-b", "change")
    (repo / "references/retractions.txt").write_text("# Retracted works\n", "utf-8")
    commit_all(repo, "tidy the list")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1
    for identifier in removed:
        assert (
            "references/retractions.txt:1:1: error BIB017 references/retractions.txt on main "
            f"records that {identifier} was retracted"
        ) in result.stdout
    # Adding to the list is always allowed.
    (repo / "references/retractions.txt").write_text(listed + "28192789\n", "utf-8")
    assert "BIB017" not in cli("check", "--base", "main", cwd=repo).stdout


def test_a_heading_may_not_take_the_id_a_citation_links_to(minimal: Path, cli) -> None:
    """ "## Ref 1" would get the id ref-1: citation 1 would lead to (and show as its tooltip) the
    article's own words. check refuses it (HTML009, in tests/fixtures/bad); a heading it cannot
    read that way (markup inside) loses the id as the page is sanitized, and the audit fails
    any id used twice."""
    edit(
        minimal,
        "content/articles/pending.md",
        "This unreviewed",
        "## Ref 1\n\nRetracted.\n\n## <abbr>Ref</abbr> 1\n\nThis unreviewed",
    )
    checked = cli("check", "content/articles/pending.md", cwd=minimal)
    assert checked.code == 1
    assert 'HTML009 the heading "Ref 1" would get the id "ref-1"' in checked.stdout
    assert checked.stdout.count("HTML009") == 1  # the second one only the rendering shows
    assert cli("build", "--preview", cwd=minimal).code == 0
    page = (minimal / "preview/articles/pending.html").read_text("utf-8")
    assert page.count('id="ref-1"') == 1 and '<li id="ref-1">' in page
    twice = page.replace('<div class="article-body">', '<div class="article-body"><p id="ref-1">')
    assert 'has 2 elements with the id "ref-1", not one' in page_problems(twice, "", "submitted")


def test_settings_that_bring_in_files_no_code_owner_reviews_fail_the_build(
    minimal: Path, cli
) -> None:
    """The attack: `INHERIT: base.yml` merged a second, unchecked settings file into every
    engine's configuration (its copyright line ran a script that wrote a withheld article out of
    base64); `custom_dir` pointed at templates outside overrides/; a hooks file or a Markdown
    extension kept elsewhere in the repository runs inside the build too; an installed extension
    (pymdownx.snippets) brought any file of the build machine into a page."""
    before = built(minimal, cli)
    (minimal / "base.yml").write_text("copyright: '<script>alert(1)</script>'\n", "utf-8")
    (minimal / "references/theme").mkdir()
    (minimal / "hooks.py").write_text("def on_page_content(html, **kw):\n    return html\n")
    (minimal / "house_extension.py").write_text("def makeExtension(**kw):\n    raise SystemExit\n")
    config = minimal / "mkdocs.yml"
    original = config.read_text("utf-8")
    for text, where in (
        ("INHERIT: base.yml\n" + original, "INHERIT is set"),
        # MkDocs renders these files of the pages with an unsandboxed Jinja: a picture of
        # content/pages with a template in a comment ran Python in the build.
        (original + "\nextra_templates:\n  - logo.svg\n", "extra_templates is set"),
        (
            original.replace("custom_dir: overrides", "custom_dir: references/theme"),
            "theme.custom_dir must be overrides",
        ),
        (original + "\nhooks:\n  - hooks.py\n", "hooks lists 'hooks.py'; keep hooks in overrides/"),
        (
            original.replace(
                "markdown_extensions:\n", "markdown_extensions:\n  - house_extension\n", 1
            ),
            "markdown_extensions lists 'house_extension'; the site renders with toc, tables,",
        ),
        # An option given as a mapping: Zensical imported and called any function it named.
        (
            original.replace(
                "  - toc:\n",
                "  - toc:\n      slugify:\n        object: os.system\n        kwds: {command: x}\n",
                1,
            ),
            "markdown_extensions gives toc the option 'slugify'; it takes permalink,",
        ),
        (
            original.replace("  - admonition\n", "  - admonition:\n      x: y\n", 1),
            "markdown_extensions gives admonition the option 'x'; it takes none",
        ),
        # A permalink's text and title stand in every heading of every signed article: unsigned
        # advice there read as part of it.
        (
            original.replace("permalink: false", "permalink: 'Approved: take 2400 mg at once'"),
            "markdown_extensions gives toc the permalink 'Approved: take 2400 mg at once'; it "
            "takes true, false or one of ¶ § #",
        ),
        (
            original.replace("permalink: false", "permalink: 'true'"),
            "markdown_extensions gives toc the permalink 'true'",
        ),
        (
            original.replace("permalink: false", "permalink: true\n      permalink_title: Signed"),
            "markdown_extensions gives toc the option 'permalink_title'; it takes permalink, "
            "toc_depth",
        ),
        (
            original.replace("permalink: false", "title: Reviewed by the board"),
            "markdown_extensions gives toc the option 'title'",
        ),
        # A right-to-left page shows runs of English words written last to first in order.
        (
            original.replace("  language: en\n", "  language: en\n  direction: rtl\n", 1),
            "theme.direction and theme.language must be left to right",
        ),
        (
            original.replace("  language: en\n", "  language: he\n", 1),
            "theme.direction and theme.language must be left to right",
        ),
        # A section of nav holding an article: `navigation.path` drew its title, unsigned
        # advice, right above the approved article's own.
        (
            original.replace(
                "  - Home: index.md\n",
                "  - Home: index.md\n  - 'Board correction: NSAIDs are contraindicated':\n"
                "      - ./Articles/back-pain.md\n",
            ),
            "nav lists './Articles/back-pain.md'; articles are listed by the pipeline",
        ),
        # The theme writes a <style> element for these, and fetches fonts from Google: check
        # passed them, the build's audit failed.
        (
            original.replace("  font: false", "  icon: {admonition: {danger: x/y}}\n  font: false"),
            "theme.icon.admonition is set; the theme writes a <style> element for it",
        ),
        (
            original.replace("  font: false", "  x: 1", 1),
            "theme.font must be false",
        ),
        # A pattern of pages the engines match with a regular expression that backtracks: a
        # build of one site page took minutes.
        (
            original + "\ndraft_docs: 'a*a*a*a*a*a*a*a*a*a*a*a*b'\n",
            "draft_docs has the pattern 'a*a*a*a*a*a*a*a*a*a*a*a*b', with more than 2 wildcards",
        ),
        (original + "\nexclude_docs: [a.md]\n", "exclude_docs must be text, one pattern a line"),
        # The logo and the favicon of every page: pictures of the theme, which admins sign.
        (
            original.replace("  font: false", "  font: false\n  logo: img/logo.png", 1),
            "theme.logo lists 'img/logo.png'; name a file of the theme in overrides/",
        ),
        # A search separator: a regular expression readers' browsers run on the site's text.
        (
            original.replace("  - search\n", "  - search:\n      separator: '(a+)+$'\n", 1),
            "the plugin 'search' takes no option but lang (language codes)",
        ),
        (original.replace("  - search\n", "  - pipeline: {lang: en}\n", 1), "takes no option"),
        # Instant navigation swapped in the first container it parsed without scripts.
        (
            original.replace(
                "    - search.highlight\n", "    - search.highlight\n    - navigation.instant\n"
            ),
            "theme.features lists 'navigation.instant'",
        ),
        # An extension check does not read articles with: snippets put any file of the build
        # machine (here /etc/os-release) on a site page.
        (
            original.replace(
                "markdown_extensions:\n",
                "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: ['/']\n",
                1,
            ),
            "markdown_extensions lists {'pymdownx.snippets': {'base_path': ['/']}}",
        ),
        # Plugins that ran a sub-project's hooks, published another site's script as the
        # site's own, or wrote outside the site; an output folder outside the project.
        (
            original.replace("  - search\n", "  - search\n  - material/projects\n", 1),
            "the plugin 'material/projects' is not allowed",
        ),
        (
            original.replace("  - search\n", "  - search\n  - material/privacy\n", 1),
            "the plugin 'material/privacy' is not allowed",
        ),
        (original + "\nsite_dir: ../victim\n", "site_dir must be site"),
        # The build machine's environment (a CI token) printed on every page.
        (
            original + "\ncopyright: !ENV [SECRET_TOKEN, HOME]\n",
            "reads an environment variable (!ENV) other than SITE_URL; write the value itself",
        ),
        # Settings of the wrong shape, or a NUL in a path: a diagnostic, never exit 2.
        (original.replace("plugins:\n", "plugins: 5\nx:\n", 1), "plugins must be a list"),
        (
            original.replace("custom_dir: overrides", 'custom_dir: "overrides\\0"'),
            "theme.custom_dir must be overrides",
        ),
        (original + '\nhooks: ["overrides/x\\0.py"]\n', "keep hooks in overrides/"),
        (original.replace("name: material", "name: readthedocs"), "theme.name must be material"),
        (
            original.replace(
                "extra_javascript:\n", "extra_javascript:\n  - http://localhost:8765/x.js\n", 1
            ),
            "extra_javascript lists 'http://localhost:8765/x.js'; name a file of the theme",
        ),
    ):
        config.write_text(text, "utf-8")
        # As a shell runs it: the project's folder is where Python looks for modules first.
        result = run_module("build", cwd=minimal)
        assert result.returncode == 1, text
        assert "mkdocs.yml: error PUB005" in result.stderr and where in result.stderr, result.stderr
        assert site_files(minimal / "site") == before
        # The check of a pull request says so too, before anything is rendered.
        checked = run_module("check", cwd=minimal)
        assert checked.returncode == 1 and where in checked.stdout, checked.stdout


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "tag",
    [
        '{% include "/etc/hostname" %}',
        '{% include "../content/articles/pending.md" %}',
        '{% include "partials/" ~ "x.html" %}',
        '{% from "/proc/self/environ" import x %}',
    ],
)
def test_a_template_may_name_only_a_file_of_the_theme(
    minimal: Path, cli, engine: str, tag: str
) -> None:
    """The attack (a template change): Zensical's template engine includes any file by an
    absolute or `../` name (the build machine's environment, a withheld article percent-encoded
    past the audit), where MkDocs' Jinja renders nothing. Check and build refuse the template."""
    before = built(minimal, cli)
    main = minimal / "overrides/main.html"
    main.write_text(main.read_text("utf-8") + "\n{% block footer %}" + tag + "{% endblock %}\n")
    result = cli("build", "--engine", engine, cwd=minimal)
    line = main.read_text("utf-8").count("\n")  # the tag's line, where the board member looks
    assert result.code == 1 and f"overrides/main.html:{line}: error PUB007" in result.stderr
    assert "names a template otherwise than as a file of the theme" in result.stderr
    assert site_files(minimal / "site") == before
    assert f"overrides/main.html:{line}: error PUB007" in cli("check", cwd=minimal).stdout


@pytest.mark.parametrize(
    ("setting", "refused"),
    [
        # Zensical's header includes `.icons/<name>.svg` and follows the `../` out of the theme.
        (
            "theme:\n  icon:\n    search: ../../docs-extra/search",
            "theme.icon.search must be an icon",
        ),
        (
            "extra:\n  social:\n    - icon: ../x\n      link: /",
            "extra.social[0].icon must be an icon",
        ),
        ("theme:\n  logo: ../content/x.png", "theme.logo may not name a file outside the theme"),
    ],
)
def test_a_setting_may_not_name_an_icon_or_file_outside_the_theme(
    minimal: Path, cli, setting: str, refused: str
) -> None:
    config = minimal / "mkdocs.yml"
    text = config.read_text("utf-8")
    key = setting.split(":", 1)[0]
    if f"\n{key}:\n" in text:  # merge into the section the file already has
        text = text.replace(f"\n{key}:\n", f"\n{setting}\n", 1)
    else:
        text += f"\n{setting}\n"
    config.write_text(text, "utf-8")
    result = cli("check", cwd=minimal)
    assert result.code == 1 and "PUB005" in result.stdout and refused in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "refused"),
    [
        # Copied into the site as they are: a script without the site's policy.
        ("help.xhtml", "<html><script>alert(1)</script></html>", "is not a template (.html)"),
        ("badge.htm", "<p>x</p>", "is not a template (.html)"),
        # Zensical publishes a read-me of the theme folder: an XML document with a script, a
        # withheld article compressed.
        ("README.xsd", "<x><h:script xmlns:h='http://www.w3.org/1999/xhtml'/></x>", "is not a"),
        ("readme.xz", "\u00fd7zXZ", "is not a template (.html)"),
        # Zensical reads it with YAML's unsafe loader: code at build time.
        ("mkdocs_theme.yml", "x: !!python/object/apply:os.system [true]", "is not a template"),
        (
            "badge.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "is not a plain picture: it is .svg with a <script> element",
        ),
        # An icon is included as a template: its tags are read like a template's.
        (
            ".icons/x.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><path d="M1 1"/>'
            '{% include "../content/articles/pending.md" %}</svg>',
            "names a template otherwise than as a file of the theme",
        ),
    ],
)
def test_the_theme_folder_holds_templates_hooks_scripts_styles_fonts_and_plain_pictures_only(
    minimal: Path, cli, name: str, content: str, refused: str
) -> None:
    (minimal / "overrides" / name).parent.mkdir(parents=True, exist_ok=True)
    (minimal / "overrides" / name).write_text(content, "utf-8")
    result = cli("check", cwd=minimal)
    assert result.code == 1 and f"overrides/{name}:" in result.stdout, result.stdout
    assert "PUB007" in result.stdout and refused in result.stdout


def test_a_pdf_of_the_theme_folder_is_read_as_the_site_pages_pdfs_are(minimal: Path, cli) -> None:
    (minimal / "overrides/leaflet.pdf").write_bytes(_pdf(_open_script))
    result = cli("check", cwd=minimal)
    assert result.code == 1 and "overrides/leaflet.pdf:" in result.stdout, result.stdout
    assert "is not a document to read: it is .pdf with a script" in result.stdout


@pytest.mark.parametrize("engine", ENGINES)
def test_a_pdf_of_the_theme_is_kept_as_the_site_keeps_pdfs(minimal: Path, cli, engine: str) -> None:
    """What the site pages' PDFs are, the theme's are: in the site's form, published as they
    are committed."""
    leaflet = minimal / "overrides/leaflet.pdf"
    leaflet.write_bytes(pdf_showing("Take 10 mg at night.", site_form=False))
    result = cli("check", cwd=minimal)
    assert result.code == 1 and "overrides/leaflet.pdf" in result.stdout
    assert "not written as the site keeps PDFs" in result.stdout
    leaflet.write_bytes(pdf_showing("Take 10 mg at night."))
    assert cli("build", "--engine", engine, cwd=minimal).code == 0
    assert (minimal / "site/leaflet.pdf").read_bytes() == leaflet.read_bytes()


def test_an_article_page_the_engine_did_not_write_fails_the_audit(minimal: Path, cli) -> None:
    """An engine (or a hook) that drops a published article's page, or a preview page that
    lost its noindex, is caught after the engine, not trusted to it."""
    from pipeline.site.audit import audit
    from pipeline.site.stage import publish_plan

    built(minimal, cli)
    project = load_project(minimal, DAY)
    (minimal / "site/articles/back-pain.html").unlink()
    found = audit(minimal / "site", project, publish_plan(project), theme("mkdocs"))
    assert [(d.path, d.message) for d in found] == [
        ("content/articles/back-pain.md", "the article page was not written")
    ]
    assert cli("build", "--preview", cwd=minimal).code == 0
    home = minimal / "preview/index.html"
    home.write_text(home.read_text("utf-8").replace('name="robots"', 'name="x"'), "utf-8")
    found = audit(minimal / "preview", project, publish_plan(project, True), theme("mkdocs"))
    assert [d.message for d in found] == ["index.html lacks noindex"]


def test_a_document_other_than_a_page_may_not_carry_a_script(minimal: Path, cli) -> None:
    """Defence in depth behind the theme folder's file types: an .svg or .xhtml opened on its
    own runs its script without the site's policy, however it is spelt or stored."""
    import gzip

    from pipeline.site.audit import audit
    from pipeline.site.stage import publish_plan

    built(minimal, cli)
    site = minimal / "site"
    project = load_project(minimal, DAY)
    plan = publish_plan(project)
    assert audit(site, project, plan, theme("mkdocs")) == []
    script = '<svg xmlns="http://www.w3.org/2000/svg"><x:script>alert(1)</x:script></svg>'
    (site / "a.svg").write_text(script, "utf-8")
    (site / "b.svgz").write_bytes(gzip.compress(script.encode()))
    (site / "c.xml").write_bytes('<?xml version="1.0" encoding="UTF-16"?><x/>'.encode("utf-16"))
    (site / "d.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    # A type the server names as XML is a document too; an archive hides its text.
    (site / "README.xsd").write_text("<x/>", "utf-8")
    (site / "readme.xz").write_bytes(b"\xfd7zXZ\0")
    (site / "e.HTML").write_text("<p>A page all the same.</p>", "utf-8")  # typed in any case
    found = audit(site, project, plan, theme("mkdocs"))
    assert {d.code for d in found} == {"PUB002"}
    unpublished = "is a file of a type no site publishes: a browser could open it as a document"
    assert [d.message for d in found] == [
        f"README.xsd {unpublished}",
        "a.svg holds a script, which a document opened on its own would run",
        f"b.svgz {unpublished}",
        "c.xml is not UTF-8 text, which a browser could read a script from",
        "e.HTML lacks its Content-Security-Policy as the first element of its head, with "
        "nothing but the document type and the <html> tag before it",
        f"readme.xz {unpublished}",
    ]
    assert list(output_pieces(Path("sitemap.xml.GZ"), gzip.compress(b"<x>words</x>"))) == [
        "<x>words</x>"
    ]


def test_the_theme_folder_keeps_what_a_real_site_keeps_there(minimal: Path, cli) -> None:
    """An icon set's SVG starts with its licence as a comment; fonts; a file the engines never
    publish (a .gitkeep); a label with an ellipsis in a theme setting."""
    icons = minimal / "overrides/.icons/fontawesome/brands"
    icons.mkdir(parents=True)
    (icons / "x.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><!--! Font Awesome Free, '
        'licence --><path d="M0 0h9v9z"/></svg>',
        "utf-8",
    )
    (minimal / "overrides/fonts").mkdir()
    (minimal / "overrides/fonts/Inter.ttf").write_bytes(b"\0\1\0\0")
    (minimal / "overrides/partials/.gitkeep").write_text("", "utf-8")
    edit(
        minimal,
        "mkdocs.yml",
        "  language: en\n",
        "  language: en\n  icon:\n    repo: fontawesome/brands/x\n",
    )
    edit(minimal, "mkdocs.yml", "name: Switch to dark mode", "name: Switch to dark mode...")
    result = cli("check", cwd=minimal)
    assert "PUB005" not in result.stdout and "PUB007" not in result.stdout, result.stdout


def test_a_template_may_include_an_icon_of_the_theme_by_its_written_name(
    minimal: Path, cli
) -> None:
    main = minimal / "overrides/main.html"
    icon = '{% include ".icons/material/heart.svg" %}'
    main.write_text(main.read_text("utf-8") + "\n{% block footer %}" + icon + "{% endblock %}\n")
    assert "PUB007" not in cli("check", cwd=minimal).stdout


def test_text_stored_backwards_behind_bidirectional_formatting_fails_the_audit(
    minimal: Path, cli
) -> None:
    """The attack: "\u202e" and a withheld sentence stored backwards shows it forwards on
    screen, while the audit (which drops invisible characters) read it backwards; a right-to-left
    isolate does the same with the words. No page needs explicit bidirectional formatting; any
    in an output file, as a character, an entity or a JSON escape, fails."""
    before = built(minimal, cli)
    page = minimal / "content/pages/editorial-policy.md"
    original = page.read_text("utf-8")
    reversed_words = " \u200f ".join(reversed(PENDING_SENTENCE.split()))
    for hidden in (
        "\u202e" + PENDING_SENTENCE[::-1] + "\u202c",
        "&#x202E;esod enimatsihitna",
        "\u2067" + reversed_words + "\u2069",  # an isolate lays the words out right to left
    ):
        page.write_text(original + "\n" + hidden + "\n", "utf-8")
        result = cli("build", cwd=minimal)
        assert result.code == 1
        assert "error PUB002 editorial-policy.html holds bidirectional formatting" in result.stderr
        assert site_files(minimal / "site") == before


def test_an_svg_with_a_document_type_cdata_or_text_is_refused(minimal: Path, cli) -> None:
    """Its entities and CDATA are text a browser shows, and its text can be drawn in any order
    its positions say (the audit reads it as stored); an element of another kind (an XHTML
    refresh sent a reader who opened the image to another site) or a processing instruction
    (a stylesheet from elsewhere) is no part of an image either, nor are links, animation or
    anything from another site; a picture drawn with shapes, paint and its own parts passes."""
    for svg, why in (
        (
            '<?xml version="1.0"?><!DOCTYPE svg [ <!ENTITY a "words"> ]>'
            '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>',
            ".svg with a document type or CDATA",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><text x="40" y="9">giraffe</text>'
            '<text x="0" y="9">purple</text></svg>',
            ".svg with text (<text>; export the text as outlines",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
            '<h:meta http-equiv="refresh" content="0;url=https://example.org/"/></svg>',
            ".svg with a <meta> of another kind",
        ),
        (
            '<?xml-stylesheet href="https://example.org/a.css"?>'
            '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>',
            ".svg with a processing instruction",
        ),
        # A <set> gave a link the address "javascript:..." once the picture was open (a script
        # on the site's own address); an image "/\\host/..." is "//host/..." to a browser; a
        # paint or mask from another file.
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" '
            'to="javascript:fetch(\'/x\')"/><rect width="9" height="9"/></a></svg>',
            ".svg with a <a> element",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9">'
            '<animate attributeName="fill" to="red"/></rect></svg>',
            ".svg with a <animate> element",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="/\\127.0.0.1:8766/p.png"/></svg>',
            ".svg that draws another file",
        ),
        # A picture of the site drawn inside: it would change under the SVG's signed bytes.
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="inner.png"/></svg>',
            ".svg that draws another file",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg">'
            '<rect fill="url(https://example.org/p.svg#g)" width="9" height="9"/></svg>',
            ".svg that loads from another site",
        ),
        # The same spelt as CSS reads it, or with another function; another site's base.
        (
            '<svg xmlns="http://www.w3.org/2000/svg">'
            '<rect fill="u\\rl(http://example.org/p.svg#g) white" width="9" height="9"/></svg>',
            ".svg that loads from another site",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9" '
            "cursor=\"image-set('//example.org/c.png' 1x), auto\"/></svg>",
            ".svg that loads from another site",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xml:base="https://example.org/">'
            '<image href="p.png"/></svg>',
            ".svg that loads from another site",
        ),
    ):
        (minimal / "content/pages/note.svg").write_text(svg, "utf-8")
        result = cli("check", cwd=minimal)
        assert result.code == 1
        assert "PAGE002" in result.stdout and why in result.stdout, result.stdout
    picture = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><defs>'
        '<linearGradient id="g"><stop offset="0" stop-color="teal"/></linearGradient>'
        '<path id="p" d="M0 0h9v9z"/></defs><use x:href="#p" fill="url(#g)"/>'
        '<image href=" #p" width="9" height="9"/></svg>'
    )
    (minimal / "content/pages/note.svg").write_text(picture, "utf-8")
    assert cli("check", cwd=minimal).code == 0


@pytest.mark.parametrize(
    "data",
    [
        # A document type's default attribute (an onload a browser applies and runs), hidden
        # from a search of the bytes by UTF-16.
        (
            '<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>'
            '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>'
        ).encode("utf-16"),
        b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
)
def test_an_svg_that_is_not_utf8_is_refused(minimal: Path, cli, data: bytes) -> None:
    (minimal / "content/pages/note.svg").write_bytes(data)
    result = cli("check", cwd=minimal)
    assert result.code == 1 and "PAGE002" in result.stdout
    assert ".svg that is not UTF-8 text" in result.stdout


def test_the_theme_s_classes_and_the_page_s_ids_never_reach_an_article(minimal: Path, cli) -> None:
    """The attack: an admonition's type or an attribute list (with a quoted "}" the check read
    differently) gave article text a class of the theme (a box pinned over the disclaimer, a
    copy of the board notice or the "Reviewed by" line) or the id the citation tooltip uses.
    check refuses them (HTML010, HTML003, HTML009, in tests/fixtures/bad); a preview, which
    tolerates errors, shows that the sanitizer drops every class and id it does not know, and
    hidden, role, tabindex, data-* and aria-* from authors."""
    tricks = (
        '!!! md-consent__inner note "Reviewed and approved by the board"\n    Pinned.\n\n'
        'Forged line.\n{: title="}" .article-meta .md-top #citation-tooltip hidden '
        "role=alert tabindex=0 data-x=1 aria-hidden=true }\n\n"
        "## Citation tooltip\n\n"
    )
    edit(minimal, "content/articles/pending.md", "This unreviewed", tricks + "This unreviewed")
    checked = cli("check", "content/articles/pending.md", cwd=minimal).stdout
    assert all(code in checked for code in ("HTML010", "HTML003", "HTML009"))
    assert cli("build", "--preview", cwd=minimal).code == 0
    page = (minimal / "preview/articles/pending.html").read_text("utf-8")
    body = page[page.index('<div class="article-body">') : page.index('class="article-references"')]
    assert '<div class="admonition note">' in body and "Pinned." in body
    assert "Forged line." in body and 'title="}"' in body
    for dropped in ("md-consent", "article-meta", "md-top", 'id="citation-tooltip"', "hidden"):
        assert dropped not in body, dropped
    for dropped in ("role=", "tabindex=", "data-x", "aria-hidden"):
        assert dropped not in body, dropped


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_an_id_from_an_attribute_list_never_reaches_the_table_of_contents(
    minimal: Path, cli, engine: str
) -> None:
    """The attack: `{: id='k"><template x' }` on a heading (past check by a masking trick) was
    copied by the toc extension, raw, into the table of contents and the skip link, which both
    engines print unescaped outside the sanitized text: a <template> there blanked the page,
    disclaimer and review status included, and the audit's parser saw nothing wrong. Ids that
    are not plain names, or that belong to the page, are removed before toc reads them."""
    edit(
        minimal,
        "content/articles/pending.md",
        "This unreviewed",
        "## Key points {: id='k\"><template x' }\n\n## Ref 1\n\nThis unreviewed",
    )
    assert cli("build", "--preview", "--engine", engine, cwd=minimal).code == 0
    page = (minimal / "preview/articles/pending.html").read_text("utf-8")
    assert "<template" not in page and 'href="#key-points"' in page
    assert page.count('id="ref-1"') == 1


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_heading_holding_id_equals_is_listed_by_its_words(
    minimal: Path, cli, engine: str
) -> None:
    """Zensical cuts every `id=…"` out of a heading's HTML for its table of contents: in a
    title's value it left the value open, and the heading's next words became attributes of
    the theme's sidebar (`hidden`, a component name its script acts on)."""
    import lxml.html

    heading = '## Policy *x*{: title="paid=1" } " hidden data-md-component="skip" x=" end\n'
    policy = minimal / "content/pages/editorial-policy.md"
    policy.write_text(policy.read_text("utf-8") + "\n" + heading + "\nText.\n", "utf-8")
    assert cli("build", "--engine", engine, cwd=minimal).code == 0
    page = lxml.html.parse(str(minimal / "site/editorial-policy.html")).getroot()
    assert page.xpath("//*[@x]") == []  # the heading's last words, taken for an attribute
    assert len(page.xpath('//*[@data-md-component="skip"]')) == 1  # the theme's own
    assert len(page.xpath('//*[@title="paid=1"]')) == 1  # the heading keeps its markup


def test_only_a_heading_whose_own_html_holds_id_equals_loses_its_markup_in_the_contents() -> None:
    """A citation's superscript carries its own id (`cite-1`), which Zensical's cut removes
    whole: a cited heading keeps its markup in the table of contents."""
    import markdown

    md = markdown.Markdown(extensions=["toc", "attr_list", "pipeline.markdown_extension"])
    md.convert('## Management [@k]\n\n## Policy *x*{: title="paid=1" } end\n')
    cited, titled = md.toc_tokens
    assert cited["data-toc-label"] == "" and '<sup class="citation"' in cited["html"]
    assert titled["data-toc-label"] == "Policy x end"


def test_raw_html_blocks_are_read_as_markdown_reads_them() -> None:
    """Nothing in a raw HTML block is code (a backtick there is a backtick), and in a text too
    long to read for its blocks nothing is taken for code at all: more is checked, not less."""
    from pipeline.checks.markup import ARTICLES, check_text

    block = '<details><summary>`More</summary><div class="x">Approved.</div>`</details>\n'
    assert "HTML002" in {d.code for d in check_text("a.md", block, 1, ARTICLES)}
    shown = "Write `<div>` to open a box.\n"  # a code span in a paragraph stays code
    assert list(check_text("a.md", shown, 1, ARTICLES)) == []
    long = "<p>x</p>\n\n" + "word " * 50_000 + "\n\nWrite `<div>` here.\n"
    assert "HTML002" in {d.code for d in check_text("a.md", long, 1, ARTICLES)}


def test_a_site_pages_description_or_title_that_is_not_text_never_reaches_the_head(
    minimal: Path, cli
) -> None:
    """The attack: `description:` as a list was printed unescaped into the page's head (only
    text was escaped), where a script in it stood outside the content markers, so the page's
    own policy allowed it by hash. check refuses it (PAGE005) and staging drops it; an e-mail
    address for reports that is not one is refused, and the link is escaped."""
    page = minimal / "content/pages/editorial-policy.md"
    original = page.read_text("utf-8")
    page.write_text(
        "---\ndescription:\n  - '\"><script>window.pwned=1</script>'\nhide: [x]\n---\n" + original
    )
    checked = cli("check", cwd=minimal)
    assert checked.code == 1
    assert "PAGE005 'description' must be one line of text" in checked.stdout
    assert "PAGE005 'hide' must be a list of" in checked.stdout
    assert cli("build", "--preview", cwd=minimal).code == 0
    assert all(b"window.pwned" not in data for data in site_files(minimal / "preview").values())
    settings = minimal / "pipeline.yml"
    kept = [line for line in settings.read_text("utf-8").splitlines() if "report_email" not in line]
    kept.append("report_email: 'x@y.example\"><script>1</script>'")
    settings.write_text("\n".join(kept) + "\n", "utf-8")
    assert "'report_email' must be an e-mail address" in cli("check", cwd=minimal).stdout


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_script_a_template_prints_into_every_page_never_runs(
    minimal: Path, cli, engine: str
) -> None:
    """The attack: anything a template can be made to print into a page's head (a setting, a
    title, an edited partial) was allowed to run, because the policy hashed every inline script
    outside the page's content. Only the scripts of the installed theme's own templates are
    hashed now; any other fails the audit, and the site is left as it was."""
    before = built(minimal, cli)
    edit(
        minimal,
        "overrides/main.html",
        "{% block extrahead %}",
        "{% block extrahead %}<script>document.body.hidden = true</script>",
    )
    result = cli("build", "--engine", engine, cwd=minimal)
    assert result.code == 1 and "PUB002" in result.stderr
    assert "runs an inline script its theme does not write" in result.stderr
    assert "'document.body.hidden = true'" in result.stderr
    assert site_files(minimal / "site") == before


def test_nothing_runs_before_the_policy_or_passes_for_a_data_block() -> None:
    """The attacks (an edited theme template): a script or an image's onerror put before the
    <head>, which a policy given by <meta> does not cover; a script whose `data-type` passed for
    its type, or with a JavaScript type other than the usual one."""
    policy = '<head><meta http-equiv="Content-Security-Policy" content="x">'
    page = f"\n<!doctype html>\n<html lang='en'>\n  {policy}<title>t</title>"
    page += '<meta name="description" content="Take it once=daily.">'  # text, not a handler
    mkdocs_theme = theme("mkdocs")
    assert page_loads(page, mkdocs_theme) == []
    for before in (
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(1)">',
        # Comments a browser ends earlier than a pattern would: the image starts the body, and
        # the policy after it is outside the head, ignored.
        '<!--><img src=x onerror="alert(1)"><!-- -->',
        "<!-- a --!><img src=x><!-- -->",
        "<head-x></head-x>",
    ):
        found = page_loads(
            page.replace("<html lang='en'>", f"<html lang='en'>{before}"), mkdocs_theme
        )
        assert any(p.startswith("lacks its Content-Security-Policy") for p in found), before
    # Names in any case; a ">" inside a quoted value does not end the tag for a browser.
    for handler in (
        '<img src="x.png" onerror="alert(1)">',
        '<p title="a"/onclick=alert(1)>',
        "<img src=x ONERROR=alert(1)>",
        '<abbr title=">" onmouseover="alert(1)">',
    ):
        assert page_loads(page + handler, mkdocs_theme) == [
            f"has an event handler ({handler!r}), which no page may carry"
        ]
    for script in (
        '<script data-type="application/json">alert(1)</script>',
        '<script type="text/ecmascript">alert(1)</script>',
        '<script data-src="x.js">alert(1)</script >',
    ):
        assert page_loads(page + script, mkdocs_theme) == [
            "runs an inline script its theme does not write ('alert(1)')"
        ], script
    assert page_loads(page + '<script type="application/ld+json">{}</script>', mkdocs_theme) == []


def test_an_address_of_another_site_fails_the_audit_however_it_is_spelt() -> None:
    """The attack: a favicon, a logo (mkdocs.yml) or a page's image at "/\\host/...", which a
    browser reads as "//host/..." (only the page policy stopped it); a character reference for
    the backslash, a tab inside the slashes, a srcset candidate, a scheme without slashes."""
    page = '<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="x">'
    mkdocs_theme = theme("mkdocs")
    for tag, address in (
        ('<link rel="icon" href="/\\127.0.0.1:8766/favicon.png">', "/\\127.0.0.1:8766/favicon.png"),
        ('<img src="/&#92;evil.example/p.png">', "/&#92;evil.example/p.png"),
        ('<img src="/\t/evil.example/p.png">', "/\t/evil.example/p.png"),
        ('<img srcset="a.png 1x, //evil.example/b.png 2x">', "//evil.example/b.png"),
        ('<img alt=">" src="//evil.example/p.png">', "//evil.example/p.png"),
        ('<img src="https:evil.example/p.png">', "https:evil.example/p.png"),
        (
            '<link rel="canonical stylesheet" href="https://evil.example/a.css">',
            "https://evil.example/a.css",
        ),
        # What a template's preload, page or table fetches too (the policy stopped them).
        (
            '<link rel="preload" as="image" imagesrcset="https://evil.example/a.png 1x">',
            "https://evil.example/a.png",
        ),
        ('<body background="https://evil.example/b.png">', "https://evil.example/b.png"),
        ("<table><tr><td background=//evil.example/c.png>", "//evil.example/c.png"),
    ):
        assert page_loads(page + tag, mkdocs_theme) == [f"loads {address} from another site"]
    for tag in ('<link rel="canonical" href="https://site.example/a.html">', '<img src="a.png">'):
        assert page_loads(page + tag, mkdocs_theme) == []


def test_the_policy_allows_only_the_scripts_of_the_themes_own_templates(tmp_path: Path) -> None:
    """Each with any path printed where its template prints a value, never a value that ends
    the string it stands in; no other script, wherever in the page."""
    from pipeline.site import csp

    (tmp_path / "base.html").write_text(
        '{#- x -#}\n<script>scope=new URL("{{ base_url }}",location)</script>\n'
        '<script id="__config" type="application/json">{}</script>',
        "utf-8",
    )
    own = csp.theme(tmp_path)
    for path in (".", "../..", "/clinic/", "/clinical%20answers/", "/clínica/"):
        assert own.writes(f'scope=new URL("{path}",location)')
    for value in ('/",alert(1),"/', "/\\", "/`${alert(1)}`", "/</script>"):
        assert not own.writes(f'scope=new URL("{value}",location)'), value
    assert not own.writes("{}") and not own.writes("alert(1)")
    page = '<head><script>scope=new URL(".",location)</script><script>alert(1)</script>'
    assert csp.script_hashes(page, own) == [
        "'sha256-"
        + base64.b64encode(hashlib.sha256(b'scope=new URL(".",location)').digest()).decode()
        + "'"
    ]
    assert "sha256" not in csp.add_policy("<head><script>alert(1)</script>", own)


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_site_address_with_escapes_or_accents_builds(
    minimal: Path, cli, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 404 page prints the site's own path into the theme's script: an address with %20 or
    an accent in it is still the theme's script, not one to refuse."""
    monkeypatch.setenv("SITE_URL", "https://example.org/clinical%20answers/clínica/")
    result = cli("build", "--engine", engine, cwd=minimal)
    assert result.code == 0, result.stderr
    if engine == "mkdocs":  # Zensical's 404 page uses the site's root
        assert "clinical%20answers/cl" in (minimal / "site/404.html").read_text("utf-8")


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_markup_in_code_inside_an_audience_passage_stays_code(
    minimal: Path, cli, engine: str
) -> None:
    """The attack: a passage was staged as an HTML container whose content Python-Markdown read
    for tags before it found code spans, so a `</div>` between backticks closed the container
    and the rest of the "code" became a danger box and a <details> folding the rest of the
    article, all signed as a harmless code sample. A passage is now Markdown like the rest of
    the article: its code is code, on both engines."""
    rel = "content/articles/back-pain.md"
    edit(minimal, rel, "tags: [musculoskeletal]", "tags: [musculoskeletal]\naudience: [patient]")
    edit(
        minimal,
        rel,
        "## Medicines",
        '/// audience | patient\nMost spasms settle. Example: `</div><div class="admonition '
        'danger"><p>Doubling the dose is safe.</p></div><details><summary>More</summary>` end.\n'
        "///\n\n## Medicines",
    )
    signing.approve(minimal, rel, "rev2", DAY)
    assert cli("check", cwd=minimal).code == 0
    assert cli("build", "--engine", engine, cwd=minimal).code == 0
    page = (minimal / "site/articles/back-pain.html").read_text("utf-8")
    body = page[page.index('<div class="audience-block" data-audience="patient">') :]
    assert body.index("<code>&lt;/div&gt;&lt;div") < body.index("end.</p>\n</div>")
    assert '<div class="admonition danger">' not in page and "<details>" not in page


@pytest.mark.parametrize(
    "fence",
    [
        "```</b> words after the fence",  # not an opening line to Markdown
        "```",  # never closed by the same fence
        "  ```",  # indented: not a fence to Python-Markdown
    ],
)
def test_a_line_that_only_looks_like_a_fence_hides_nothing_from_check(fence: str) -> None:
    """The attack: the check took everything after such a line for code, while Markdown
    renders it as Markdown, raw HTML (a forged citation, a tracking image) included."""
    from pipeline.checks.markup import ARTICLES, check_text

    body = f'Intro.\n\n{fence}\n\nLater <sup class="citation" id="cite-9">9</sup> text.\n\n````\n'
    assert "HTML003" in [d.code for d in check_text("a.md", body, 1, ARTICLES, article=True)]
    fenced = 'Intro.\n\n```html\n<sup class="citation">9</sup>\n```\n\nText.\n'
    assert [d.code for d in check_text("a.md", fenced, 1, ARTICLES, article=True)] == []


_IMG = '<img src="https://evil.example/x.png">'


@pytest.mark.parametrize(
    "body",
    [
        "- `a\n- " + _IMG + " `\n",  # backticks in two list items pair in neither
        "# T `x\n" + _IMG + " `\n",  # nor across a heading
        "| `a | b |\n|---|---|\n| " + _IMG + " ` | c |\n",  # nor across table cells
        "!!! note\n    `a\n" + _IMG + " `\n",  # nor out of a note box
        "a \\\\`x` " + _IMG + " `\n",  # an escaped backslash leaves the backtick live
        "```\ncode\n```\t\n" + _IMG + "\n\n```\n",  # a tab after a fence is still the fence
        "<!-- c --><details>\n`" + _IMG + "`\n</details>\n",  # a raw block has no code
    ],
)
def test_what_markdown_renders_as_html_is_checked_whatever_looked_like_code(body: str) -> None:
    """The attacks: the check's own reading of code spans and fences differed from Python-
    Markdown's in each of these, and took for code what was rendered as raw HTML. The check now
    never blanks, as code, text that Markdown renders as raw HTML."""
    from pipeline.checks.markup import ARTICLES, check_text

    assert "HTML002" in [d.code for d in check_text("a.md", body, 1, ARTICLES, article=True)]


def _problems(body: str, policy_name: str = "ARTICLES") -> list[str]:
    """check's markup messages for a text, as `CODE message`."""
    from pipeline.checks import markup

    policy = getattr(markup, policy_name)
    found = markup.check_text("a.md", body, 1, policy, article=policy_name == "ARTICLES")
    return [f"{d.code} {d.message}" for d in found]


@pytest.mark.parametrize("policy", ["ARTICLES", "SITE_PAGES"])
def test_a_citation_inside_a_tag_is_refused(policy: str) -> None:
    """The attack: a citation in an allowed attribute (`<abbr title="[@k] ...">`) was rendered
    there, its markup ended the value, and the rest of the "tooltip" became live markup: a
    forged citation and a box "Reviewed by the full Medical Advisory Board"."""
    body = (
        "Statins [@qaseem2017].\n\nEvery adult <abbr title=\"[@qaseem2017] <div class='admonition"
        " success'><p>Reviewed by the board</p></div>\">(ACP)</abbr>.\n"
    )
    assert (
        "HTML003 the attribute 'title' is not allowed on <abbr>: it holds a citation, which "
        "would be rendered inside the tag; cite outside the tag"
    ) in _problems(body, policy)


def test_a_footnote_is_text_not_a_numbered_note() -> None:
    """The attack: footnote markers check did not read (`[^]`, or a label of 101 characters)
    made a numbered superscript and a note holding a made-up paper, next to real citations.
    The site has no footnotes: such text is shown as written."""
    import markdown

    from pipeline.checks.markup import SITE_EXTENSIONS
    from pipeline.markdown_extension import PipelineExtension

    body = "Preferred for everyone.[^]\n\n[^]: Smith J. The STAT-80 trial. N Engl J Med. 2025.\n"
    rendered = markdown.markdown(body, extensions=[*SITE_EXTENSIONS, PipelineExtension()])
    assert "<sup>" not in rendered and "footnote" not in rendered and "[^]" in rendered


def test_links_that_pass_for_citations_are_refused_however_they_are_written() -> None:
    """The attack: reference-style links (`[2][stat80]`, `[3]` with a definition), digits as
    character references or superscripts, emphasis around the number, and a target to a
    reference entry spelt with a character reference or a percent escape."""
    body = (
        "Doses.<sup>[2][stat80]</sup> Safe.[3] Also [4] [stat80].\n\n"
        "Rosuvastatin.<sup>[&#52;](https://doi.org/10.9999/x)</sup> See [&#50;](#&#114;ef-1).\n\n"
        "More.[\u00b3](https://doi.org/10.9999/y) And [**5**](https://doi.org/10.9999/z) and "
        "[the trial](#%72ef-1).\n\n"
        "[stat80]: https://doi.org/10.9999/stat80\n[3]:\n    https://doi.org/10.9999/elderly\n"
    )
    found = [p for p in _problems(body) if p.startswith("HTML011")]
    assert len(found) == 8, found


def test_a_heading_never_takes_an_id_of_the_page_through_its_citation() -> None:
    """The attack: `## Ref [@k]` reads "Ref 1" on the page, so the toc extension gave it the id
    ref-1, which the theme printed, outside the sanitized text, into the table of contents and
    the skip link: both jumped to the References list."""
    import markdown

    from pipeline.checks.markup import SITE_EXTENSIONS
    from pipeline.markdown_extension import PipelineExtension

    md = markdown.Markdown(extensions=[*SITE_EXTENSIONS, PipelineExtension()])
    md.convert("Text [@qaseem2017].\n\n## Ref [@qaseem2017]\n\n## Dosing\n")
    assert [token["id"] for token in md.toc_tokens] == ["section-ref-1", "dosing"]


def test_text_too_full_of_brackets_is_not_rendered_to_find_its_code() -> None:
    """The attack: a code span holding "<" made check render the text with Python-Markdown,
    whose reading of links takes time in the square of the number of "[" (16 KB took 35 s).
    Such a text is checked with nothing taken for code, without rendering it."""
    from pipeline.checks.markup import raw_html_spans

    text = "Use `<br>` here. " + "[" * 5000
    assert raw_html_spans(text) == [(0, len(text))]


def test_an_audience_block_line_inside_code_or_a_comment_is_refused() -> None:
    """The attacks: a passage's last line inside an HTML comment (the container was never
    closed, and the rest of the article, its emergency advice included, was hidden from every
    reader who chose an audience), and a code span running across a passage's first line (cut
    in two by staging, the markup it held went live: a danger box and a forged citation)."""
    from pipeline.content import audience

    swallowed = "/// audience | patient\nUse heat.\n<!--\n///\n-->\n\nCall 911 at once.\n"
    across = "Type `pain\n/// audience | patient\nlog <b>x</b>` to log it.\n///\n"
    for body in (swallowed, across):
        assert [p.message for p in audience.problems(body, ("patient",))] == [
            "this line of an audience block stands inside code, a comment or raw HTML"
        ], body
    # A fence followed by a tab is a fence to Python-Markdown (it expands tabs first): the
    # "///" inside it ends nothing.
    fenced = "/// audience | patient\nUse heat.\n```\t\n///\n```\n\nCall 911 at once.\n"
    assert [p.message for p in audience.problems(fenced, ("patient",))] == [
        "the audience block for 'patient' is never closed"
    ]


def test_the_audit_fails_a_passage_holding_text_written_outside_passages() -> None:
    """Whatever made a passage's container run on (a fence or a comment only one engine reads
    as such), a reader who chose another audience would lose what it swallowed."""
    from collections import Counter

    page = (
        '<html><body><div class="audience-block" data-audience="patient">'
        '<p class="audience-block__label">For patients and caregivers</p><p>Use heat.<sup>1</sup>'
        "</p><h2>When to get help</h2><p>Call 911 at once.</p></div></body></html>"
    )
    allowed = Counter(["for", "patients", "and", "caregivers", "use", "heat"])
    found = page_problems(page, "", "approved", allowed)
    assert found[0].startswith("has audience passages holding text the article does not write")
    assert "'call'" in found[0]
    fine = page.replace("<h2>When to get help</h2><p>Call 911 at once.</p>", "")
    assert not any("audience" in p for p in page_problems(fine, "", "approved", allowed))
    # A container is one by any of its classes, split as a browser splits them (a form feed
    # is a blank to it).
    for classes in ("note audience-block", "x\faudience-block\tbig"):
        other = page.replace('class="audience-block"', f'class="{classes}"')
        assert page_problems(other, "", "approved", allowed)[0] == found[0], classes


def test_a_library_key_that_cannot_be_cited_is_refused() -> None:
    """The attack: a key holding a line break and the marker character; a citation of the entry
    by its DOI was rewritten to the key in the staged page, where it became a line of its own
    (a forged audience container)."""
    from pipeline.checks.library import check_library
    from pipeline.content.library import parse_library
    from pipeline.model import Library

    entries, _ = parse_library(
        "references/library.bib", "@misc{hancock2007\n\x1fprofessional\nx,\n title={T},\n}\n"
    )
    found = check_library(Library({e.key: e for e in entries}), DAY)
    assert "BIB018" in [d.code for d in found]


def test_markdown_that_fails_to_render_is_checked_without_a_crash() -> None:
    """The attack: fenced code with `linenums="1"` made Python-Markdown raise TypeError while
    check rendered the text (its code held "<"): check exited 2 on a short article."""
    from pipeline.checks.markup import raw_html_spans

    text = '```{ .text linenums="1" }\npain score <= 3: stay active\n```\n'
    assert raw_html_spans(text) == [(0, len(text))]
    assert "HTML003" in [p.split()[0] for p in _problems(text)]


def test_a_raw_html_element_may_not_swallow_an_audience_block_line() -> None:
    """The attack: a <table> opened in a passage and closed after it took the passage's end
    into one raw HTML block; the sanitizer's parser then moved the text after it into the
    passage's container, hidden from readers who chose the other audience."""
    from pipeline.checks.markup import raw_html_spans
    from pipeline.content import audience

    body = (
        "/// audience | patient\nStay active.\n<table>\n///\n\n"
        "Get emergency care now if your legs go numb.\n\n</table>\n"
    )
    assert [p.message for p in audience.problems(body, ("patient",), raw_html_spans(body))] == [
        "this line of an audience block stands inside code, a comment or raw HTML"
    ]


def test_the_words_a_passage_may_show_are_those_it_renders() -> None:
    """False refusals of ordinary writing (C<sub>max</sub>, Sj&ouml;gren, un*usual*ly), and an
    attribute's text counted as if readers saw it (which let the emergency advice swallowed
    after a passage pass for the passage's own words)."""
    from pipeline.site.article_page import passage_words

    text = (
        "---\ntitle: T\nstatus: Submitted\nauthors: [a]\nlast_updated: 2026-01-01\n"
        "summary: S.\naudience: [patient]\n---\n\n/// audience | patient\n"
        "- It reaches C<sub>max</sub> early; un*usual*ly, Sj&ouml;gren matters.\n"
        '- <abbr title="Get emergency care now">Warning signs</abbr> need care.\n///\n'
    )
    article, _ = parse_article("content/articles/t.md", text, DAY)
    assert article is not None
    words = passage_words(article)
    assert {"cmax", "unusually", "sjogren", "warning", "patients"} <= set(words)
    assert "emergency" not in words


PNEUMONIA = "content/articles/community-acquired-pneumonia-outpatient.md"
SPASM = "content/articles/back-spasm.md"
QUOTE = "Ask a doctor or pharmacist first if you have had stomach ulcers or bleeding"
DOSES = "Amoxicillin 1 g three times daily, or doxycycline 100 mg twice daily"


def test_an_article_deleted_into_a_pdf_of_the_site_pages_is_found_against_the_base(
    sample: Path, cli
) -> None:
    """The Under Review article deleted and its text drawn in a PDF beside the site pages, in
    the site's form (its streams compressed, so its bytes show no text): check --base reads a
    PDF by its text, as the audit does (PAGE007)."""
    import io

    import pikepdf

    _, body = _sample_repo(sample)
    (sample / PNEUMONIA).unlink()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    lines = [line for line in body.splitlines() if line.strip()]
    shown = b"".join(b"(" + line.encode("latin-1", "replace") + b") Tj " for line in lines)
    pdf.pages[0].obj.Contents = pdf.make_stream(b"BT " + shown.replace(b"\\", b"") + b"ET")
    out = io.BytesIO()
    pdf.save(out)
    handout = in_site_form(out.getvalue())
    assert DOSES.encode() not in handout
    (sample / "content/pages/notes.pdf").write_bytes(handout)
    commit_all(sample, "notes")
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1 and "content/pages/notes.pdf:" in result.stdout
    assert "PAGE007" in result.stdout


def _sample_repo(sample: Path) -> tuple[str, str]:
    """The sample as a git repository on main; the Under Review article's title and text."""
    git(sample, "init", "-q", "-b", "main")
    commit_all(sample, "base")
    git(sample, "checkout", "-q", "-b", "change")
    article, _ = parse_article(PNEUMONIA, (sample / PNEUMONIA).read_text("utf-8"), DAY)
    assert article is not None and DOSES in article.body
    # Without its citations, which a site page cannot have (PAGE004).
    text = re.sub(r"\s*\[@[^\]]*\]", "", article.body.split("## Notes for the reviewer")[0])
    return article.title, text


@pytest.mark.parametrize(
    "into",
    [
        "content/pages/outpatient-pneumonia.md",
        "overrides/partials/guide.html",
        "references/disclaimer.md",
    ],
)
def test_the_text_of_an_article_a_change_deletes_may_not_move_into_another_file(
    sample: Path, cli, into: str
) -> None:
    """The attack: the build withholds the Under Review article and looks for its text in every
    file it writes; a pull request that deletes the article and pastes its text into a site page
    (or a template, or the disclaimer) leaves nothing withheld to look for, and the text
    publishes unreviewed."""
    _, body = _sample_repo(sample)
    (sample / PNEUMONIA).unlink()
    target = sample / into
    before = target.read_text("utf-8") if target.exists() else ""
    target.parent.mkdir(parents=True, exist_ok=True)
    # An image inside a word does not hide it: the page is read as it renders too.
    pasted = (
        body.replace("doxycycline", "doxy![](dot.png)cycline") if into.endswith(".md") else body
    )
    target.write_text(before + "\n" + pasted, "utf-8")
    commit_all(sample, "the pneumonia answer as a guide")
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1
    assert f"{into}:" in result.stdout and f"error PAGE007 this file holds text of {PNEUMONIA}" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("name", "disguise"),
    [
        # A comment every few words: readers never see it, and it split every probe.
        ("content/pages/notes.md", lambda text: re.sub(r"(\S+ \S+ \S+) ", r"\1<!--q--> ", text)),
        # A NUL byte, which once made the file pass for binary and go unread.
        ("content/pages/notes.md", lambda text: text + "\n<!-- \0 -->\n"),
        ("content/pages/notes.pdf", lambda text: f"%PDF-1.4\n%\0\xe2\n({text}) Tj\n%%EOF\n"),
        ("overrides/partials/notes.html", lambda text: re.sub(r"(\S+ \S+) ", r"\1{# x #} ", text)),
        # What only looks like the start of a comment hides nothing that follows it.
        ("content/pages/notes.md", lambda text: "Anchors {#\n\n" + text),
        # An empty link between every two words, on a page too long to render.
        (
            "content/pages/notes.md",
            lambda text: (
                re.sub(r"(\S+) (\S+) ", r"\1 [](x)\2 ", text) + "\n<!-- " + "[" * 1001 + " -->\n"
            ),
        ),
    ],
)
def test_moved_text_is_read_as_readers_get_it(sample: Path, cli, name: str, disguise) -> None:
    _, body = _sample_repo(sample)
    (sample / PNEUMONIA).unlink()
    (sample / name).parent.mkdir(parents=True, exist_ok=True)
    (sample / name).write_text(disguise(body), "utf-8")
    commit_all(sample, "notes")
    result = cli("check", "--base", "main", cwd=sample)
    assert f"{name}:" in result.stdout and "error PAGE007" in result.stdout


def test_a_page_quoting_a_published_article_may_keep_the_quote_when_the_article_changes(
    sample: Path, cli
) -> None:
    """What a published article said was reviewed: a site page that quoted it on the base may
    keep the quote when a change rewords the article (the disclaimer an article quoted, too).
    Text of a withheld article is another matter: it may not stay in a page the change leaves
    alone, once the article is gone (pasted there in an earlier change, it failed the build on
    main but could not leave it)."""
    quote = QUOTE
    policy = sample / "content/pages/editorial-policy.md"
    policy.write_text(policy.read_text("utf-8") + f"\nAn example of our style: {quote}.\n", "utf-8")
    _, body = _sample_repo(sample)  # the page and its quote are on main
    edit(
        sample,
        "content/articles/back-spasm.md",
        quote,
        "Check with a pharmacist first if you have had ulcers",
    )
    commit_all(sample, "reword")
    assert "PAGE007" not in cli("check", "--base", "main", cwd=sample).stdout
    git(sample, "checkout", "-q", "main")
    policy.write_text(policy.read_text("utf-8") + "\n" + body, "utf-8")
    commit_all(sample, "an earlier change pasted the pending text")
    git(sample, "checkout", "-q", "-b", "later")
    (sample / PNEUMONIA).unlink()
    commit_all(sample, "delete the article")
    found = cli("check", "--base", "main", cwd=sample).stdout
    assert "content/pages/editorial-policy.md:" in found and "error PAGE007" in found


def test_a_change_may_not_quote_an_article_outside_the_articles(sample: Path, cli) -> None:
    """The attack, a time bomb: a site page quoting a published article passed every check and
    build, and on the day the article was withdrawn or its approver's declaration of interests
    ran out, every build of main stopped (PUB001), holding every other correction off the site."""
    _sample_repo(sample)
    policy = sample / "content/pages/editorial-policy.md"
    policy.write_text(policy.read_text("utf-8") + f"\nAn example of our style: {QUOTE}.\n")
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1
    line = policy.read_text("utf-8").count("\n")
    assert (
        f"content/pages/editorial-policy.md:{line}:1: error PAGE008 this file holds text of "
        f"{SPASM} ('"
    ) in result.stdout


@pytest.mark.parametrize(
    "page",
    [
        # YAML's escapes: the theme prints the description into the page's head as letters.
        '---\ndescription: "'
        + " ".join(f"\\x{ord(word[0]):02x}{word[1:]}" for word in QUOTE.split())
        + '"\n---\n\nNotes.\n',
        # A reference-style link inside each word, on a page too long for check to render.
        " ".join(f"[{word[0]}][q]{word[1:]}" for word in QUOTE.split())
        + "\n\n[q]: https://example.org/\n\n```\n"
        + "[" * 1001
        + "\n```\n",
        # Three words a row down the first column of a table, a letter a row in its thirtieth
        # column, out of the table's view: read across the rows, the letters split the words.
        "| Notes |"
        + " |" * 30
        + "\n|---|"
        + "---|" * 30
        + "\n"
        + "".join(
            f"| {' '.join(QUOTE.split()[i : i + 3])} |" + " &nbsp; |" * 29 + " q |\n"
            for i in range(0, len(QUOTE.split()), 3)
        ),
        # The same with every other row starting with a cell spanning two rows: the words of
        # the rows between stood in the first column, read by each row's own cells.
        "<table>"
        + "".join(
            ("<tr><td rowspan=2>7</td>" if i % 6 == 0 else "<tr>")
            + f"<td>{' '.join(QUOTE.split()[i : i + 3])}</td></tr>"
            for i in range(0, len(QUOTE.split()), 3)
        )
        + "</table>\n",
    ],
    ids=["yaml escapes", "reference links", "table columns", "table rows spanned"],
)
def test_a_quote_is_read_as_the_engines_render_it(sample: Path, cli, page: str) -> None:
    _sample_repo(sample)
    (sample / "content/pages/notes.md").write_text(page, "utf-8")
    result = cli("check", "--base", "main", cwd=sample)
    assert "content/pages/notes.md:" in result.stdout
    assert f"error PAGE008 this file holds text of {SPASM}" in result.stdout


@pytest.mark.parametrize(
    "mention",
    [
        "Our most read answer lives at articles/back-spasm.html on this site.",
        "See [the AAFP review](https://www.aafp.org/pubs/afp/articles/back-spasm.html).",
        "See [back spasm](articles/back-spasm.html;v=1).",
        "Try `articles/back-spasm/` in the address bar.",
        # A character reference the check's rendering keeps and a browser reads as a letter.
        "Read [it](https://owner.github.io/repo/articles/back-&#115;pasm/).",
        # Split by markup that the search index drops (with nothing in its place): emphasis,
        # an empty element, a link.
        "See articles/back*-*spasm.html.",
        "See articles/back-spasm<sup></sup>.html.",
        "See articles/[back](https://example.org/)-spasm/ here.",
        # In the fragment of a link to a published article, which stays a link.
        "See [statins](articles/statins-primary-prevention.md#articles/back-spasm.html).",
    ],
)
def test_a_change_may_not_name_an_articles_address_outside_a_link_to_it(
    sample: Path, cli, mention: str
) -> None:
    """The same bomb with the address: the audit fails the build when it finds the address of
    a withheld article's page in any file, so one written as text (or in another site's
    address, honestly) stopped main's builds on the day the article was withheld."""
    _sample_repo(sample)
    index = sample / "content/pages/index.md"
    index.write_text(index.read_text("utf-8") + f"\n{mention}\n", "utf-8")
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1
    line = index.read_text("utf-8").count("\n")
    assert (
        f"content/pages/index.md:{line}:1: error PAGE009 this file names the address of {SPASM}"
    ) in result.stdout


def test_a_changed_page_too_long_to_render_is_refused(sample: Path, cli) -> None:
    """The attack: a page too full of brackets for check to render was read as written, where
    a link whose address holds parentheses kept its address between the words of a quote; the
    engines render the page, and the quote stopped main's builds the day its article was
    withheld. Such a page is refused when the change touches it (PAGE010)."""
    _sample_repo(sample)
    policy = sample / "content/pages/editorial-policy.md"
    words = " ".join(f"[{word}](https://example.org/(x))" for word in QUOTE.split())
    # Brackets that would have Python-Markdown read the rest of their paragraph 1,001 times.
    slow = "[" * 1001 + " word" * 5000 + "\n"
    policy.write_text(policy.read_text("utf-8") + f"\nOur style: {words}.\n\n{slow}", "utf-8")
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1
    assert "content/pages/editorial-policy.md:1:1: error PAGE010" in result.stdout


def test_a_page_too_long_to_render_that_the_change_leaves_alone_is_not_refused(
    sample: Path, cli
) -> None:
    notes = sample / "content/pages/notes.md"
    notes.write_text("# Notes\n\n```text\n" + "[" * 1001 + "\n```\n", "utf-8")
    _sample_repo(sample)
    edit(sample, "content/pages/index.md", "\n", "\n\n")
    assert "PAGE010" not in cli("check", "--base", "main", cwd=sample).stdout


def test_a_changed_page_check_cannot_render_is_refused(sample: Path, cli) -> None:
    """The attack: lists nested 491 deep on one line made check's Python-Markdown fail (its stack
    is deeper than the engines'), so the page was read as written, its link targets dropped, and
    a link to `articles/back-spasm.html;v=1` passed; the engines rendered it, and the address
    stopped main's builds the day the article was withheld."""
    _sample_repo(sample)
    page = "# Deep\n\n" + "- " * 491 + "x\n\nSee [spasm](articles/back-spasm.html;v=1).\n"
    (sample / "content/pages/deep.md").write_text(page, "utf-8")
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1
    assert "content/pages/deep.md:1:1: error PAGE010" in result.stdout


def test_a_reading_list_of_a_thousand_links_is_read_as_rendered(sample: Path, cli) -> None:
    """Every "[" counted against check's limit on rendering: an honest edit of a page listing
    1,001 guidelines (which renders in a twentieth of a second) was refused (PAGE010)."""
    links = "".join(f"- [Guideline number {i}](https://example.org/g/{i})\n" for i in range(1001))
    (sample / "content/pages/reading.md").write_text("# Further reading\n\n" + links, "utf-8")
    _sample_repo(sample)
    edit(sample, "content/pages/reading.md", "# Further reading\n", "# Further reading\n\nNew.\n")
    assert "PAGE010" not in cli("check", "--base", "main", cwd=sample).stdout


def _add_gout_draft(sample: Path) -> None:
    """A new draft article, content/articles/gout-flare.md."""
    draft = (
        "---\ntitle: How should a gout flare be treated?\nstatus: Submitted\nauthors: [mlopez]\n"
        "last_updated: 2026-11-20\nsummary: Treat a gout flare early.\n"
        "tags: [musculoskeletal]\n---\n\nA first draft.\n"
    )
    (sample / "content/articles/gout-flare.md").write_text(draft, "utf-8")


@pytest.mark.parametrize(
    ("rel", "comment"),
    [
        ("content/pages/index.md", "<!-- TODO: link articles/gout-flare.html once reviewed -->"),
        ("overrides/main.html", "{#- TODO: link articles/gout-flare.html once reviewed -#}"),
    ],
    ids=["page", "template"],
)
def test_a_comment_that_reaches_no_reader_names_no_address(
    sample: Path, cli, rel: str, comment: str
) -> None:
    """A page's HTML comment (the sanitizer drops it) or a template's own comment (Jinja never
    prints it) naming an article to come made the change adding that article fail PAGE009."""
    path = sample / rel
    path.write_text(path.read_text("utf-8") + f"\n{comment}\n", "utf-8")
    _sample_repo(sample)
    _add_gout_draft(sample)
    assert "PAGE009" not in cli("check", "--base", "main", cwd=sample).stdout


STATINS = "content/articles/statins-primary-prevention.md"
SITE = "https://owner.github.io/repo/"


def _statins_changed(sample: Path, change: str, library: str = "") -> None:
    """The statins article changed (and the library added to), approved again by tnguyen with
    a test key the base's roster lists beside the real one."""
    board = sample / "references/board.yml"
    text = board.read_text("utf-8").replace(
        "tnguyen (fictional sample member)\n",
        f"tnguyen (fictional sample member)\n      - {signing.public('tnguyen')}\n",
    )
    board.write_text(text, "utf-8")
    _sample_repo(sample)
    edit(sample, STATINS, "## Two frameworks", f"{change}\n\n## Two frameworks")
    bib = sample / "references/library.bib"
    bib.write_text(bib.read_text("utf-8") + library, "utf-8")
    signing.approve(sample, STATINS, "tnguyen", DAY)


@pytest.mark.parametrize(
    ("change", "library", "where"),
    [
        (f"For back pain, see [our answer]({SITE}articles/back-spasm.html).", "", STATINS),
        (
            "Back pain is covered elsewhere [@ourspasm].",
            "\n@online{ourspasm,\n  title = {What is the recommended treatment for back spasm?},\n"
            "  organization = {Clinical Answers},\n  year = {2026},\n"
            f"  url = {{{SITE}articles/back-spasm.html}},\n  urldate = {{2026-11-20}}\n}}\n",
            "references/library.bib",
        ),
    ],
    ids=["an article's link", "a source's address"],
)
def test_an_approved_article_or_its_source_may_not_name_another_articles_page(
    sample: Path, cli, change: str, library: str, where: str
) -> None:
    """The attack needed only an ordinary approval of an honest cross-reference: an article
    linking to a sibling by the site's full address, or citing a source whose address is the
    sibling's page, passed check and both builds, and stopped main's builds on the day the
    sibling was withheld (PUB001)."""
    _statins_changed(sample, change, library)
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1
    assert [c for c in codes_of(result) if c.startswith(("PAGE", "REV", "CIT", "BIB"))] == [
        "PAGE009"
    ], result.stdout
    assert f"{where}:" in result.stdout
    assert f"error PAGE009 this file names the address of {SPASM}" in result.stdout


@pytest.mark.parametrize(
    "address",
    [
        f"{SITE}articles/x/../back-spasm.html",
        f"{SITE}./articles/./back-spasm.html",
        f"{SITE}articles/%62ack-spasm.html",
        f"{SITE}articles/back-spasm",
    ],
)
def test_a_link_naming_an_articles_page_by_full_address_is_read_as_a_browser_reads_it(
    sample: Path, cli, address: str
) -> None:
    """A live link to a withheld page survived the build (dot segments, an escape, no extension:
    the audit looks for the address as the site writes it)."""
    _sample_repo(sample)
    index = sample / "content/pages/index.md"
    index.write_text(index.read_text("utf-8") + f"\nRead [our answer]({address}).\n", "utf-8")
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1
    assert f"error PAGE009 this file names the address of {SPASM}" in result.stdout


def test_a_page_may_not_be_named_with_a_quote(sample: Path, cli) -> None:
    """The attack: a harmless page whose file name spelt a sentence of an article, which its
    address, the sitemap and the search index all carry."""
    _sample_repo(sample)
    name = "-".join(QUOTE.lower().split())
    (sample / f"content/pages/{name}.md").write_text("# Safety notes\n\nGeneral advice.\n")
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1
    assert f"content/pages/{name}.md:1:1: error PAGE008 this file holds text of {SPASM}" in (
        result.stdout
    )


def test_an_address_is_reported_where_it_is_named_not_where_a_link_is_fine(
    sample: Path, cli
) -> None:
    """A link the build turns into words stood on line 3, the address as text on line 5: the
    error pointed at line 3."""
    _sample_repo(sample)
    page = "# More\n\n[ok](articles/back-spasm.html)\n\nSee articles/back*-*spasm.html here.\n"
    (sample / "content/pages/more.md").write_text(page, "utf-8")
    result = cli("check", "--base", "main", cwd=sample)
    assert f"content/pages/more.md:5:1: error PAGE009 this file names the address of {SPASM}" in (
        result.stdout
    )


def test_a_comment_of_a_yaml_file_names_no_address(sample: Path, cli) -> None:
    """mkdocs.yml's comment 'Pages as articles/back-spasm.html' reaches no page, and made every
    change to that article fail PAGE009."""
    assert "articles/back-spasm.html" in (sample / "mkdocs.yml").read_text("utf-8")
    _sample_repo(sample)
    edit(
        sample,
        SPASM,
        "## ",
        "## Still ",
    )
    assert "PAGE009" not in cli("check", "--base", "main", cwd=sample).stdout


def test_a_link_to_an_article_is_no_named_address(sample: Path, cli) -> None:
    _sample_repo(sample)
    index = sample / "content/pages/index.md"
    links = "See [back spasm](articles/back-spasm.md) or [again](articles/back-spasm.html)."
    index.write_text(index.read_text("utf-8") + f"\n{links}\n", "utf-8")
    result = cli("check", "--base", "main", cwd=sample)
    assert "PAGE009" not in result.stdout, result.stdout


def test_a_change_may_not_make_an_article_say_what_a_page_already_says(sample: Path, cli) -> None:
    """The same bomb in two steps: a sentence no article said on a site page, then an article
    (approved by a reviewer who did not notice) saying it too."""
    sentence = "Our reviewers read every source in full before they sign an answer"
    policy = sample / "content/pages/editorial-policy.md"
    policy.write_text(policy.read_text("utf-8") + f"\n{sentence}.\n", "utf-8")
    _sample_repo(sample)  # the page is on main
    edit(
        sample, PNEUMONIA, "## Notes for the reviewer", f"{sentence}.\n\n## Notes for the reviewer"
    )
    result = cli("check", "--base", "main", cwd=sample)
    assert result.code == 1
    assert "content/pages/editorial-policy.md:" in result.stdout
    assert f"error PAGE008 this file holds text of {PNEUMONIA}" in result.stdout


def test_a_change_that_leaves_a_quote_and_its_article_alone_is_not_read_for_quotes(
    sample: Path, cli
) -> None:
    policy = sample / "content/pages/editorial-policy.md"
    policy.write_text(policy.read_text("utf-8") + f"\nAn example of our style: {QUOTE}.\n")
    _sample_repo(sample)
    edit(
        sample,
        "content/pages/index.md",
        "\n",
        "\n\n",
    )
    assert "PAGE008" not in cli("check", "--base", "main", cwd=sample).stdout


def test_a_site_page_may_not_take_the_title_and_text_of_an_article_the_change_rewrites(
    sample: Path, cli
) -> None:
    """The attack, as routine draft editing: the article is retitled and cut to a stub, and a
    site page shows its old title and text with a "Review status: Approved" box of its own."""
    title, body = _sample_repo(sample)
    edit(sample, PNEUMONIA, title, "Outpatient pneumonia (being rewritten)")
    text = (sample / PNEUMONIA).read_text("utf-8")
    (sample / PNEUMONIA).write_text(text.split("\n---\n")[0] + "\n---\n\nDraft.\n", "utf-8")
    page = (
        f'# {title}\n\n!!! success "Review status: Approved"\n    Reviewed by the board.\n\n{body}'
    )
    (sample / "content/pages/pneumonia.md").write_text(page, "utf-8")
    commit_all(sample, "rewrite the draft")
    found = cli("check", "--base", "main", cwd=sample).stdout
    assert (
        f"content/pages/pneumonia.md: error PAGE006 the page shows the title of {PNEUMONIA}"
        in found
    )
    assert "content/pages/pneumonia.md:1:1: error PAGE007 this file holds text of" in found
    assert "error PAGE004" not in found


def test_text_a_change_keeps_in_an_article_or_drops_is_not_a_moved_article(
    sample: Path, cli
) -> None:
    """Renaming an article, moving its text into another article (which the build withholds in
    turn), or deleting it outright moves nothing out of content/articles."""
    _, body = _sample_repo(sample)
    git(sample, "mv", PNEUMONIA, "content/articles/pneumonia-outpatients.md")
    commit_all(sample, "rename")
    assert "PAGE007" not in cli("check", "--base", "main", cwd=sample).stdout
    (sample / "content/articles/pneumonia-outpatients.md").unlink()
    with (sample / "content/articles/back-spasm.md").open("a", encoding="utf-8") as other:
        other.write("\n" + body)
    commit_all(sample, "merge the two")
    assert "PAGE007" not in cli("check", "--base", "main", cwd=sample).stdout
    git(sample, "checkout", "-q", "main", "--", "content/articles/back-spasm.md")
    commit_all(sample, "drop it")
    assert "PAGE007" not in cli("check", "--base", "main", cwd=sample).stdout


def _checked_with_passages(minimal: Path, cli, audiences: str, passages: str):
    """`check` of the minimal project's approved article with `passages` before its medicines."""
    rel = "content/articles/back-pain.md"
    edit(
        minimal, rel, "tags: [musculoskeletal]", f"tags: [musculoskeletal]\naudience: [{audiences}]"
    )
    edit(minimal, rel, "## Medicines", f"{passages}\n\n## Medicines")
    return rel, cli("check", rel, cwd=minimal)


@pytest.mark.parametrize(
    ("before", "inside", "after"),
    [
        # Opened before the passage, closed inside it: the close takes the passage's container
        # with it, and the rest of the passage is shown to every reader.
        (
            "Notes follow. <details open><summary>Notes</summary>",
            "Dosing. </details> Secret dose.",
            "",
        ),
        # A cell's end closes every element opened inside the cell, the container too.
        ("Notes follow. <table><tr><td>Notes", "Dosing. </td> Secret dose.", " </tr></table>"),
        # Opened inside, closed after: the passage's end falls inside the element.
        (
            "Notes follow.",
            "Dosing. <details open><summary>Notes</summary> Secret dose.",
            "</details>",
        ),
    ],
)
def test_an_audience_passage_closes_what_it_opens_and_nothing_else(
    minimal: Path, cli, before: str, inside: str, after: str
) -> None:
    """The attack: a professional-only dose shown to a reader who chose "Patient or caregiver",
    with `check` and the audit passing on both engines (the tags balanced over the article)."""
    passages = f"{before}\n\n/// audience | professional\n{inside}\n///\n\nAfter.{after}"
    rel, result = _checked_with_passages(minimal, cli, "professional", passages)
    assert result.code == 1
    line = line_of(minimal / rel, inside)
    assert f"{rel}:{line}:" in result.stdout and "error FM021" in result.stdout
    assert "professional passage" in result.stdout


def test_an_audience_block_inside_another_is_refused(minimal: Path, cli) -> None:
    """The inner block never became a passage: its professional-only text showed to patients."""
    nested = "/// audience | professional\nClinicians only: a dose.\n///"
    passages = f"/// audience | patient\nRest.\n\n{nested}\n///"
    rel, result = _checked_with_passages(minimal, cli, "patient, professional", passages)
    assert result.code == 1
    line = line_of(minimal / rel, "/// audience | professional")
    assert (
        f"{rel}:{line}:1: error FM021 an audience block cannot stand inside the block for 'patient'"
        in result.stdout
    )


def test_a_file_named_with_bytes_that_are_not_utf8_is_refused_not_read(minimal: Path, cli) -> None:
    """Zensical and staging could not write such a name into the site (the build stopped with
    an internal error); a line break in a name would split a message. Each is FM018, printed
    with a replacement character, in a real shell's output, and the previous site stays."""
    import os

    before = built(minimal, cli)
    for rel in ("content/pages/caf\xe9.md", "overrides/caf\xe9.xsd", "references/caf\xe9.bib"):
        folder, name = rel.rsplit("/", 1)
        (minimal / folder).joinpath(os.fsdecode(name.encode("latin-1"))).write_bytes(b"Text.\n")
    (minimal / "content/pages/two\nlines.md").write_text("# Two\n\nText.\n", "utf-8")
    checked = run_module("check", cwd=minimal)
    assert checked.returncode == 1, checked.stderr
    refused = [line for line in checked.stdout.splitlines() if " FM018 " in line]
    assert [line.split(":", 1)[0] for line in refused] == [
        "content/pages/caf\ufffd.md",
        "content/pages/two\\nlines.md",
        "overrides/caf\ufffd.xsd",
        "references/caf\ufffd.bib",
    ]
    for engine in sorted(ENGINES):
        result = run_module("build", "--engine", engine, cwd=minimal)
        assert result.returncode == 1 and " FM018 " in result.stderr, result.stderr
        assert "internal error" not in result.stderr
    assert site_files(minimal / "site") == before


STACK = "I" + "\u0308\u0305" * 35  # 70 marks on one letter: drawn over the lines above


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        ("content/articles/pending.md", "This unreviewed", f"**{STACK * 8}** This unreviewed"),
        ("content/articles/pending.md", "title: Should", f"title: {STACK} Should"),
        ("content/pages/editorial-policy.md", "\n\n", f"\n\n{STACK}\n\n"),
        ("references/library.bib", "title   = {Cyclobenzaprine", "title   = {" + STACK),
    ],
)
def test_a_letter_under_a_stack_of_marks_is_refused_wherever_readers_would_see_it(
    minimal: Path, cli, rel: str, old: str, new: str
) -> None:
    """Dozens of marks stacked on one letter are drawn far above its line: over the review
    status (article text), over another article's disclaimer (a title in its related list),
    over the references (a library entry). Chromium showed them, the DOM said nothing."""
    edit(minimal, rel, old, new)
    checked = cli("check", cwd=minimal)
    assert checked.code == 1
    # NFC makes one of the 70 part of the letter ("Ï"): 69 are stacked on it.
    assert f"{rel}:" in checked.stdout and " FM022 a letter carries 69 accents" in checked.stdout


def test_marks_stacked_through_invisible_characters_are_counted_together() -> None:
    """The attack: a word joiner (or a soft hyphen, or another format character) after every
    four marks; a browser still stacks all of them on the letter."""
    from pipeline.words import stacked_marks

    for joiner in ("\u2060", "\u200c", "\u00ad", "\u200e", "\u2063"):
        assert stacked_marks("I" + ("\u0301" * 4 + joiner) * 15) == (1, 60), hex(ord(joiner))
    assert stacked_marks("caf\u00e9 \u0301\u0301 na\u00efve") is None


def test_letters_with_the_marks_languages_use_pass() -> None:
    from pipeline.content.files import check_marks

    decomposed = "Vie\u0323\u0302t Nam, \u05e9\u05bc\u05b8\u0591 and \u0915\u093c\u094d"
    assert check_marks("a.md", decomposed) == []
    assert [d.code for d in check_marks("a.md", "x" + "\u0301" * 5)] == ["FM022"]


def test_the_audit_refuses_a_page_with_a_letter_under_a_stack_of_marks(minimal: Path, cli) -> None:
    """Whatever put it there (a template, a setting, the roster): the audit reads every file."""
    from pipeline.site.audit import audit
    from pipeline.site.stage import publish_plan

    built(minimal, cli)
    site = minimal / "site"
    page = site / "editorial-policy.html"
    page.write_text(page.read_text("utf-8").replace("</body>", f"{STACK}</body>"), "utf-8")
    project = load_project(minimal, DAY)
    found = audit(site, project, publish_plan(project), theme("mkdocs"))
    assert [d.message for d in found] == [
        "editorial-policy.html holds a letter under more than 4 marks, drawn over what is around it"
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_link_to_a_withheld_article_shows_as_its_words(minimal: Path, cli, engine: str) -> None:
    """A site page (or an article) linking to an article that was withdrawn, or whose
    approver's declaration of interests ran out, published its address under Zensical, which
    stopped every build of main (PUB001), and a dead link under MkDocs. However the link is
    spelt, it becomes its words, as does a picture naming its file; a link to a published
    article stays a link."""
    index = minimal / "content/pages/index.md"
    index.write_text(
        index.read_text("utf-8") + "\n\nSee [the draft](articles/pending.md), "
        "[again](./Articles/%70ending.html), [once more](articles/pending/), "
        "[round](articles/x/../pending.md) and "
        "[back pain](articles/back-pain.md). ![The draft, pictured](articles/pending.md)\n",
        "utf-8",
    )
    approved = "content/articles/back-pain.md"
    edit(
        minimal, approved, "Evidence reviews agree", "Evidence reviews ([draft](pending.md)) agree"
    )
    signing.approve(minimal, approved, "rev2", DAY)
    result = cli("build", "--engine", engine, cwd=minimal)
    assert result.code == 0, result.stderr
    files = site_files(minimal / "site")
    assert not [p for p, data in files.items() if b"ending.html" in data.replace(b"%70", b"p")]
    assert not [p for p, data in files.items() if b"articles/pending" in data]
    home = (minimal / "site/index.html").read_text("utf-8")
    assert "the draft" in home and "once more" in home and 'href="articles/back-pain.html"' in home
    # A picture naming the article's file (Zensical made its address of it): its words too.
    assert "The draft, pictured" in home
    page = (minimal / "site/articles/back-pain.html").read_text("utf-8")
    assert "reviews (<span>draft</span>) agree" in page


def test_links_after_a_paragraph_of_unclosed_brackets_are_still_read() -> None:
    """A paragraph's brackets after its last "]" are skipped unread (none of them can close: a
    paragraph of a million "[" was read one by one); every link before them, and in the
    paragraphs after, is still read, and an image of another site in any of them refused."""
    from pipeline.checks.markup import ARTICLES, check_text, links

    text = "See [a](x.md) [[[ [b](y.md) [[[[\n\n[[[\n\n![c](https://t.example/p.gif) [[["
    assert [link.url for link in links(text)] == ["x.md", "y.md", "https://t.example/p.gif"]
    assert "HTML005" in {d.code for d in check_text("a.md", text, 1, ARTICLES)}


def test_a_site_page_an_article_links_to_may_not_change_under_it(repo: Path, cli) -> None:
    """The attack: an approved article said "doses: [dosing table](../dosing.md)", a site page
    no approval signs; a later pull request rewrote the page ("no daily limit") and readers
    followed the article's link to it as if the article said it. check warns of the link
    (HTML014: the article, approved with it, stays published), and against the base branch a
    change to the page is refused (PAGE011)."""
    approved = "content/articles/back-pain.md"
    (repo / "content/pages/dosing.md").write_text("# Dosing\n\nAt most 1200 mg a day.\n")
    edit(repo, approved, "Evidence reviews agree", "Evidence reviews ([doses](../dosing.md)) agree")
    signing.approve(repo, approved, "rev2", DAY)
    checked = cli("check", cwd=repo)
    assert checked.code == 0 and "warning HTML014 this link goes to dosing.md" in checked.stdout
    assert cli("build", cwd=repo).code == 0
    commit_all(repo, "approved, linking to the dosing page")
    git(repo, "checkout", "-q", "-b", "attack")
    edit(repo, "content/pages/dosing.md", "At most 1200 mg a day.", "No daily limit.")
    result = cli("check", "--base", "main", cwd=repo)
    assert result.code == 1
    assert f"content/pages/dosing.md:1:1: error PAGE011 {approved} links to this page" in (
        result.stdout
    )


def test_an_article_is_warned_of_a_link_to_a_site_page(minimal: Path, cli) -> None:
    approved = "content/articles/back-pain.md"
    edit(
        minimal,
        approved,
        "Evidence reviews agree",
        "Evidence reviews ([doses](../editorial-policy.md), [home](../index.md)) agree",
    )
    result = cli("check", approved, cwd=minimal)
    line = line_of(minimal / approved, "[doses]")
    assert f"{approved}:{line}:" in result.stdout
    assert "warning HTML014 this link goes to editorial-policy.md, a site page" in result.stdout
    assert "warning HTML014 this link goes to index.md" in result.stdout


def test_a_text_python_markdown_fails_on_leaves_the_next_text_rendered() -> None:
    """The attack: a list nested 491 deep made check's Python-Markdown fail (a deep stack), and
    the failure left its block parser 196 lists deep, so every later text in the same check
    came back as written: a quote in a later page, an empty link between each two words, was
    read unrendered and passed PAGE008."""
    import sys

    from pipeline.checks.markup import rendered

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(400)  # as deep a stack as check's, wherever this test runs
    try:
        assert rendered("# Deep\n\n" + "- " * 491 + "x\n") is None
    finally:
        sys.setrecursionlimit(limit)
    assert rendered("See *this* [ok](a.md).") == '<p>See <em>this</em> <a href="a.md">ok</a>.</p>'


def test_brackets_that_would_have_markdown_read_a_page_over_and_over_stop_its_rendering() -> None:
    """The attack: 999 "[" before 186 KB of words (or of 5,000 links, which a reading list may
    have) took Python-Markdown 44 s, under a limit that counted brackets and not what they
    make it read; a reading list of a thousand links, each closed at once, renders."""
    from pipeline.checks.markup import too_slow_to_render

    assert too_slow_to_render("[" * 999 + " " + "word " * 37_000)
    assert too_slow_to_render("[" * 999 + " word" * 30_000 + "]" * 999)
    assert not too_slow_to_render(
        "".join(f"- [Guideline {i}](https://example.org/g/{i})\n" for i in range(1001))
    )
    table = "".join(f"<tr><td>Drug {i}</td><td>10 mg</td></tr>\n" for i in range(300))
    assert not too_slow_to_render(f"<table>\n{table}</table>\n")


@pytest.mark.parametrize(
    "change",
    [
        # Before the article exists, its address split by markup in a page; then it is added.
        ("content/pages/index.md", "\nSoon: articles/gout\\-flare.html\n"),
        ("content/pages/index.md", "\nSoon: articles/gout<sup></sup>-flare.html\n"),
        # A picture in raw HTML naming its file, which Zensical makes the page's address of.
        ("content/pages/index.md", '\n<img src="articles/gout-flare.md" alt="Gout">\n'),
    ],
    ids=["escape", "empty element", "raw picture"],
)
def test_a_page_naming_an_article_before_it_is_added_is_read_when_it_is_added(
    sample: Path, cli, change: tuple[str, str]
) -> None:
    rel, text = change
    path = sample / rel
    path.write_text(path.read_text("utf-8") + text, "utf-8")
    _sample_repo(sample)
    _add_gout_draft(sample)
    result = cli("check", "--base", "main", cwd=sample)
    assert f"{rel}:" in result.stdout and "error PAGE009" in result.stdout, result.stdout


def test_a_changed_article_check_cannot_render_is_read_as_written_for_addresses(
    sample: Path, cli
) -> None:
    """The attack: an approved article with a link to a sibling's page by the site's full
    address and 1,001 "[" in a fence, which stopped check rendering it: its reading dropped
    link targets, and the link passed."""
    fence = "```text\n" + "[" * 1001 + "\n```"
    _statins_changed(sample, f"See [our answer]({SITE}articles/back-spasm.html).\n\n{fence}")
    result = cli("check", "--base", "main", cwd=sample)
    assert f"{STATINS}:" in result.stdout and "error PAGE009" in result.stdout, result.stdout


@pytest.mark.parametrize(
    "link",
    ["[doses](../)", "[doses](../#dosing)", "[doses](../topics.v2/dosing.md)"],
)
def test_an_article_links_to_no_site_page_by_the_site_root_or_a_look_alike_folder(
    minimal: Path, cli, link: str
) -> None:
    approved = "content/articles/back-pain.md"
    edit(minimal, approved, "Evidence reviews agree", f"Evidence reviews ({link}) agree")
    assert "HTML014" in codes_of(cli("check", approved, cwd=minimal))


@pytest.mark.parametrize("address", ["//[x/y", "https://[oops/x"])
def test_an_address_no_parser_reads_is_no_internal_error(minimal: Path, cli, address: str) -> None:
    """`urlsplit` raised ValueError on an unclosed IPv6 bracket: check --base stopped with an
    internal error (exit 2), and check passed a page every build then failed on (MkDocs
    cannot read it)."""
    git(minimal, "init", "-q", "-b", "main")
    commit_all(minimal, "base")
    index = minimal / "content/pages/index.md"
    index.write_text(index.read_text("utf-8") + f"\n[this]({address})\n", "utf-8")
    result = cli("check", "--base", "main", cwd=minimal)
    assert result.code == 1 and "HTML015" in codes_of(result), result.stdout + result.stderr


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('A <abbr href="javascript:alert(1)" title="x">NSAID</abbr> here.\n', (3, 3)),
        ("See [the leaflet][a].\n\n[a]: javascript:alert(1)\n", (5, 6)),
        ("See <javascript:alert(1)> now.\n", (3, 5)),
    ],
    ids=["html-attribute", "reference-definition", "autolink"],
)
def test_a_script_address_is_refused_however_the_link_is_written(
    body: str, where: tuple[int, int]
) -> None:
    """Each way Markdown makes a link (an HTML attribute, a reference definition, an autolink)
    is read for a `javascript:` address, in articles and in site pages alike."""
    from pipeline.checks.markup import ARTICLES, SITE_PAGES, check_text

    for policy in (ARTICLES, SITE_PAGES):
        diagnostics = check_text("a.md", f"Intro.\n\n{body}", 1, policy)
        assert where in {(d.line, d.column) for d in diagnostics if d.code == "HTML004"}


def test_a_site_page_image_from_another_site_is_refused_where_it_is_written() -> None:
    """Site pages may hold <img> (articles may not), but only of the site's own files."""
    from pipeline.checks.markup import SITE_PAGES, check_text

    body = 'Intro.\n\n<img src="https://tracker.example/p.gif" alt="x">\n'
    found = [(d.code, d.line, d.column) for d in check_text("a.md", body, 1, SITE_PAGES)]
    assert found == [("HTML005", 3, 1)]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "'onload' attribute"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:red"/></svg>', "'style'"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><desc>\xff</desc></svg>', "not UTF-8"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "cannot be read"),
        # lxml reads an element's attributes in quadratic time: 100,000 held check for 33 s.
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect '
            + b" ".join(b'a%d="1"' % i for i in range(101))
            + b"/></svg>",
            "more than 100 attributes",
        ),
    ],
    ids=["event-handler", "style", "bad-utf8", "not-xml", "attributes-past-the-limit"],
)
def test_an_svg_that_runs_styles_or_cannot_be_read_is_no_picture(data: bytes, why: str) -> None:
    from pipeline.content.pages import svg_problem

    assert why in (svg_problem(data) or "")


@pytest.mark.parametrize(
    "text",
    [
        "#\n" * 299 + "a\n" * 90_000,  # 299 headings cutting one paragraph of 90,000 lines
        ("a\n" * 300 + "***\n") * 299,  # rules
        "x\n" + "!!! note\n" * 299 + "a\n" * 90_000,  # boxes
        "## a\n\n" * 1001,  # headings after blank lines: fast to Markdown, not to the search
        "*a* " * 20_000,  # each mark copies its paragraph again
        "`a`b" * 2_000 + "|" * 1_000 + "\nx",  # the table test walks the code spans per bar
    ],
    ids=["headings", "rules", "boxes", "many-headings", "inline-marks", "bars-after-code"],
)
def test_check_does_not_render_a_text_python_markdown_is_slow_on(text: str) -> None:
    """Each line that starts a block inside a paragraph had Python-Markdown test the rest of
    it again (99,500 lines of "#" in a draft held check for nine minutes on every pull
    request); each inline mark copied its paragraph, and each "|" walked the code spans before
    it (133 s). Such a text is read without rendering it, and the preview leaves it out."""
    from pipeline.checks.markup import too_slow_to_render

    assert too_slow_to_render(f"Use `<b>` here.\n{text}")
    assert not too_slow_to_render("# Answer\n\nText.\n## More\nText.\n\n---\n\n!!! note\n    A.\n")


def test_the_first_heading_past_the_limit_is_refused() -> None:
    from pipeline.checks.markup import ARTICLES, HEADINGS_LIMIT, check_text

    body = "Intro.\n\n" + "## A heading\n\nText.\n\n" * HEADINGS_LIMIT
    assert [d.code for d in check_text("a.md", body, 1, ARTICLES)] == []
    found = [(d.code, d.line) for d in check_text("a.md", body + "One more\n---\n", 1, ARTICLES)]
    assert found == [("HTML016", 4 + 4 * HEADINGS_LIMIT)]


def test_comments_in_a_long_code_sample_are_no_headings() -> None:
    """A `#` inside fenced code starts nothing: a sample of 1,200 commented lines (beside a
    code span holding "<", which has check render the text) is neither refused nor read as a
    text too slow to render (then the code span's "<b>" was taken for markup)."""
    from pipeline.checks.markup import ARTICLES, check_text, too_slow_to_render

    sample = "```python\n" + "# step\nx = 1\n" * 1200 + "```\n"
    body = f"Use `<b>` here.\n\n{sample}\n## Summary\n\nDone.\n"
    assert not too_slow_to_render(body)
    assert list(check_text("a.md", body, 1, ARTICLES)) == []


def _pdf(change=None, **save) -> bytes:
    """A one-page PDF, changed by `change(pdf)` and saved with pikepdf's `save` options."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    if change:
        change(pdf)
    out = io.BytesIO()
    pdf.save(out, **save)
    return out.getvalue()


def _open_script(pdf) -> None:
    import pikepdf

    # What the attack wrote: a dose in a form field, rewritten once a date has passed.
    script = "if (new Date() >= new Date(2026,11,1)) this.getField('dose').value='2400 mg';"
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(script))


def _link(action):
    import pikepdf

    def change(pdf) -> None:
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9], A=action()
        )
        pdf.pages[0].obj.Annots = pikepdf.Array([link])

    return change


def _active_pdfs() -> dict[str, tuple[bytes, str]]:
    import pikepdf

    hidden = {"object_stream_mode": pikepdf.ObjectStreamMode.generate, "compress_streams": True}
    plain_script = _pdf(_open_script)
    escaped = plain_script.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")

    def page_script(pdf) -> None:
        run = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=run)

    def form(pdf) -> None:
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array())

    def launch() -> object:
        return pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))

    def script_link() -> object:
        return pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(" javascript:alert(1)"))

    def opens_a_site(pdf) -> None:
        address = pikepdf.String("https://tracker.example/p")
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=address)

    def nested(pdf) -> None:
        deep = pikepdf.Array([])
        for _ in range(70):
            deep = pikepdf.Array([deep])
        pdf.Root.Nested = deep

    def layer_without_properties(pdf) -> None:
        # PDFium reads a group's own /Usage: shown in print, not on screen.
        usage = pikepdf.Dictionary(View=pikepdf.Dictionary(ViewState=pikepdf.Name.OFF))
        group = pikepdf.Dictionary(Name=pikepdf.String("print"), Usage=usage)
        pdf.pages[0].obj.Resources = pikepdf.Dictionary(
            Properties=pikepdf.Dictionary(x=pdf.make_indirect(group))
        )

    def drawn_link(pdf) -> None:
        # A link with an appearance of its own: drawn on screen, left out of print (/F 0).
        shown = pikepdf.Dictionary(N=pdf.make_stream(b"BT /F1 12 Tf (2400 mg) Tj ET"))
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 99, 20], F=0, AP=shown
        )
        pdf.pages[0].obj.Annots = pikepdf.Array([link])

    def unused_object_stream(pdf) -> None:
        # No table entry names it; PDFium, repairing the file, reads its objects all the same.
        stream = pikepdf.Stream(pdf, b"1 0 << >>", Type=pikepdf.Name.ObjStm, N=1, First=4)
        pdf.Root.Kept = pdf.make_indirect(stream)

    def second_catalog(pdf) -> None:
        catalog = pikepdf.Dictionary(Type=pikepdf.Name.Catalog, Pages=pdf.Root.Pages)
        pdf.Root.Other = pdf.make_indirect(catalog)

    def script_in_the_trailer(pdf) -> None:
        # No object of the table: qpdf copies the trailer's keys into the file it writes.
        run = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.trailer.Extra = run

    def catalog_read_as_linearized(pdf) -> None:
        # PDFium reads the first object's /Linearized keys (qpdf writes the catalog first):
        # its first page is the one /O names, in the page tree or not.
        pdf.Root.Linearized = 1

    def annotated(**annotation) -> Callable[[object], None]:
        def change(pdf) -> None:
            pdf.pages[0].obj.Annots = pikepdf.Array([pikepdf.Dictionary(**annotation)])

        return change

    # Drawn without a /Rect: PDFium makes one from an ink's strokes (a white stroke over
    # "not") or a highlight's points; and an entry of a page's /Annots is drawn whatever it is.
    ink = annotated(Subtype=pikepdf.Name.Ink, InkList=[[100, 600, 140, 600]], C=[1, 1, 1])
    highlight = annotated(Subtype=pikepdf.Name.Highlight, QuadPoints=[0, 0, 9, 0, 0, 9, 9, 9])
    untyped = annotated(Contents=pikepdf.String("2400 mg"))

    def marked_as_a_layer(pdf) -> None:
        # No layer's key anywhere: PDFium hides what any dictionary marks /OC, others show it
        # (a white box over "2400 mg" with "100 mg" on it, to Chromium only "2400 mg").
        page = pdf.pages[0].obj
        page.Resources = pikepdf.Dictionary(
            Properties=pikepdf.Dictionary(P0=pikepdf.Dictionary(Type=pikepdf.Name("/Layer")))
        )
        page.Contents = pdf.make_stream(b"/OC /P0 BDC 1 g 0 0 99 99 re f EMC")

    def nested_drawings(pdf) -> None:
        # PDFium draws no drawing nested past 40 deep; other viewers do.
        inner = pdf.make_stream(b"BT (2400 mg) Tj ET", Type=pikepdf.Name.XObject)
        inner.Subtype, inner.BBox = pikepdf.Name.Form, [0, 0, 99, 99]
        for _ in range(35):
            outer = pdf.make_stream(b"/X Do", Type=pikepdf.Name.XObject)
            outer.Subtype, outer.BBox = pikepdf.Name.Form, [0, 0, 99, 99]
            outer.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=inner))
            inner = outer
        page = pdf.pages[0].obj
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=inner))
        page.Contents = pdf.make_stream(b"/X Do")

    def drawing_typed_by_a_string(pdf) -> None:
        # A drawing to PDFium, nothing to other viewers.
        form = pdf.make_stream(b"BT (2400 mg) Tj ET", Type=pikepdf.Name.XObject)
        form.Subtype, form.BBox = pikepdf.String("Form"), [0, 0, 99, 99]
        page = pdf.pages[0].obj
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=form))
        page.Contents = pdf.make_stream(b"/X Do")

    def in_a_cell(instructions: bytes, drawing: bytes | None = None):
        # A pattern's cell (`drawing`: a form the cell names X1). The site's form makes each
        # image among a page's or a drawing's instructions one of its own; not in a cell.
        def change(pdf) -> None:
            cell = pdf.make_stream(instructions, PatternType=1, PaintType=1, TilingType=1)
            cell.BBox, cell.XStep, cell.YStep = [0, 0, 99, 99], 99, 99
            if drawing is not None:
                form = pdf.make_stream(drawing, Type=pikepdf.Name.XObject)
                form.Subtype, form.BBox = pikepdf.Name.Form, [0, 0, 99, 99]
                cell.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X1=form))
            page = pdf.pages[0].obj
            page.Resources = pikepdf.Dictionary(Pattern=pikepdf.Dictionary(P0=cell))
            page.Contents = pdf.make_stream(b"/Pattern cs /P0 scn 0 0 99 99 re f")

        return change

    # An image among instructions whose data holds "EI": qpdf reads on to the "EI" that
    # instructions follow, PDFium stops at the first, and drew the rest of the data as
    # instructions (another dose); one giving its length, which a reader may follow; one
    # shorter than its size (PDFium reads its size, then on past qpdf's end); one compressed
    # (PDFium ends it where the compression ends).
    image_holding_its_end = in_a_cell(b"BI /W 8 /H 1 /BPC 8 /CS /G ID \x01\x02EI\x03\x04 EI")
    image_of_a_given_length = in_a_cell(b"BI /W 2 /H 1 /BPC 8 /CS /G /L 2 ID \x01\x02 EI")
    image_shorter_than_its_size = in_a_cell(b"BI /W 60 /H 1 /BPC 8 /CS /G ID \x01\x02 EI")
    image_compressed = in_a_cell(b"BI /W 2 /H 1 /BPC 8 /CS /G /F /AHx ID 0102> EI")

    def in_a_glyph(instructions: bytes, written_in_the_page: bool = False):
        # A glyph a font draws itself (Type 3): the font an object of its own, or written in
        # the page's resources.
        def change(pdf) -> None:
            font = pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type3,
                FontBBox=[0, 0, 1, 1],
                FontMatrix=[1, 0, 0, 1, 0, 0],
                CharProcs=pikepdf.Dictionary(a=pdf.make_stream(b"1 0 d0 " + instructions)),
                Encoding=pikepdf.Dictionary(Differences=[97, pikepdf.Name.a]),
                FirstChar=97,
                LastChar=97,
                Widths=[1],
            )
            named = font if written_in_the_page else pdf.make_indirect(font)
            page = pdf.pages[0].obj
            page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=named))
            page.Contents = pdf.make_stream(b"BT /F1 9 Tf (a) Tj ET")

        return change

    image_holding_its_end_in_a_glyph = in_a_glyph(
        b"BI /W 8 /H 1 /BPC 8 /CS /G ID \x01\x02EI\x03\x04 EI", written_in_the_page=True
    )

    # PDFium reads no text in a pattern's cell, a soft mask's drawing or a Type 3 glyph, where
    # readers see it (drawn with codes that are not letters, qpdf's reading missed it).
    text_in_a_pattern = in_a_cell(b"BT (2400 mg) Tj ET")
    text_in_a_drawing_in_a_pattern = in_a_cell(b"/X1 Do", b"BT (2400 mg) Tj ET")

    def text_in_a_soft_mask(pdf) -> None:
        group = pdf.make_stream(b"1 g BT (2400 mg) Tj ET", Type=pikepdf.Name.XObject)
        group.Subtype, group.BBox = pikepdf.Name.Form, [0, 0, 99, 99]
        mask = pikepdf.Dictionary(S=pikepdf.Name.Luminosity, G=group)
        page = pdf.pages[0].obj
        page.Resources = pikepdf.Dictionary(
            ExtGState=pikepdf.Dictionary(M0=pikepdf.Dictionary(SMask=mask))
        )
        page.Contents = pdf.make_stream(b"/M0 gs 0 0 99 99 re f")

    text_in_a_glyph = in_a_glyph(b"BT (2400 mg) Tj ET")

    def soft_mask_drawing_what_the_page_names(pdf) -> None:
        # A soft mask's drawing with no resources of its own draws a form the page names: PDFium
        # finds it there (and reads no text in it), the check followed only the mask's own.
        form = pdf.make_stream(b"1 g BT (2400 mg) Tj ET", Type=pikepdf.Name.XObject)
        form.Subtype, form.BBox = pikepdf.Name.Form, [0, 0, 99, 99]
        group = pdf.make_stream(b"/X1 Do", Type=pikepdf.Name.XObject)
        group.Subtype, group.BBox = pikepdf.Name.Form, [0, 0, 99, 99]
        mask = pikepdf.Dictionary(S=pikepdf.Name.Luminosity, G=group)
        page = pdf.pages[0].obj
        page.Resources = pikepdf.Dictionary(
            XObject=pikepdf.Dictionary(X1=form),
            ExtGState=pikepdf.Dictionary(M0=pikepdf.Dictionary(SMask=mask)),
        )
        page.Contents = pdf.make_stream(b"/M0 gs 0 0 99 99 re f")

    plain = _pdf()
    # A catalog written in the trailer itself (pdf.js reads one there).
    catalog_in_the_trailer = plain.replace(b"/Root 1 0 R", b"/Root << /Pages 2 0 R >>")
    # "/Type" ended by 0xFF: another name to qpdf, "/Typ" and then a byte to PDFium (the same
    # length, so the file's table still places every object).
    split = plain.replace(b"/Type /Catalog", b"/Typ\xff /Catalog")
    locked = pikepdf.Encryption(owner="o", user="u")
    return {
        "layer-without-properties": (_pdf(layer_without_properties), "layers"),
        "link-with-its-own-appearance": (_pdf(drawn_link), "a note, box or field drawn over"),
        "unused-object-stream": (_pdf(unused_object_stream), "objects its table does not list"),
        "second-catalog": (_pdf(second_catalog), "a second document"),
        "name-read-two-ways": (split, "a name two readers read differently"),
        "script-link": (_pdf(_link(script_link)), "a link to something other than a web page"),
        "opens-a-web-page": (_pdf(opens_a_site), "an action run as it opens"),
        "nested-too-deep": (_pdf(nested), "nested deeper than any document's"),
        "script-as-it-opens": (plain_script, "a script or an action run as it opens"),
        "script-in-an-object-stream": (_pdf(_open_script, **hidden), "a script"),
        "script-with-escaped-names": (escaped, "a script"),
        "script-as-a-page-shows": (_pdf(page_script, **hidden), "a script"),
        "form": (_pdf(form), "a form"),
        "launch": (_pdf(_link(launch), **hidden), "opens other files (Launch)"),
        "encrypted": (_pdf(encryption=locked), "encrypted"),
        "encrypted-without-a-password": (
            _pdf(encryption=pikepdf.Encryption(owner="o", user="")),
            "encrypted",
        ),
        "damaged": (_pdf()[:-60], "damaged"),
        "script-in-the-trailer": (_pdf(script_in_the_trailer), "a script"),
        "ink-without-a-rect": (_pdf(ink), "a note, box or field drawn over"),
        "content-marked-as-a-layer": (_pdf(marked_as_a_layer), "layers"),
        "drawings-nested-too-deep": (_pdf(nested_drawings), "drawings nested deeper"),
        "drawing-typed-by-a-string": (_pdf(drawing_typed_by_a_string), "read differently"),
        "highlight-by-its-points": (_pdf(highlight), "a note, box or field drawn over"),
        "annotation-of-no-type": (_pdf(untyped), "a note, box or field drawn over"),
        "catalog-in-the-trailer": (catalog_in_the_trailer, "cannot be read"),
        "catalog-read-as-linearized": (_pdf(catalog_read_as_linearized), "fast web view"),
        "fast-web-view": (_pdf(linearize=True), "fast web view (linearized)"),
        "not-a-pdf": (b"%PDF-1.4\nhello", "cannot be read"),
        "image-holding-its-end": (_pdf(image_holding_its_end), "whose end readers find apart"),
        "image-of-a-given-length": (_pdf(image_of_a_given_length), "whose end readers"),
        "image-shorter-than-its-size": (_pdf(image_shorter_than_its_size), "whose end readers"),
        "image-compressed": (_pdf(image_compressed), "whose end readers"),
        "text-in-a-pattern": (_pdf(text_in_a_pattern), "where PDFium reads no text"),
        "text-in-a-soft-mask": (_pdf(text_in_a_soft_mask), "where PDFium reads no text"),
        "text-in-a-drawing-in-a-pattern": (
            _pdf(text_in_a_drawing_in_a_pattern),
            "where PDFium reads no text",
        ),
        "text-in-a-glyph": (_pdf(text_in_a_glyph), "where PDFium reads no text"),
        "soft-mask-drawing-what-the-page-names": (
            _pdf(soft_mask_drawing_what_the_page_names),
            "drawing what its own resources do not name",
        ),
        "image-holding-its-end-in-a-glyph": (
            _pdf(image_holding_its_end_in_a_glyph),
            "whose end readers find apart",
        ),
    }


@pytest.mark.parametrize("kind", sorted(_active_pdfs()))
def test_a_pdf_that_runs_changes_or_opens_anything_is_refused(kind: str) -> None:
    """A signed PDF's script rewrote a dose in a form field on a date of its choosing, under
    the approval that signed its bytes (Chromium's viewer runs it). Read as a viewer reads the
    file: names escaped, objects compressed into streams, or the file encrypted hide nothing."""
    from pipeline.content.pdf import pdf_problem

    data, why = _active_pdfs()[kind]
    if kind == "script-in-an-object-stream":
        assert b"/JS" not in data  # only a reader of the file's structure finds it
    assert why in (pdf_problem(data) or "")


def test_a_plain_pdf_with_links_and_a_page_to_open_at_passes() -> None:
    import io

    import pikepdf

    from pipeline.content.pdf import NOT_IN_FORM, pdf_problem

    def opens_fitted(pdf) -> None:
        fit = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=fit)

    def uri() -> object:
        return pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org"))

    def opens_at_page_one(pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])

    def uri_named_like_a_script() -> object:
        address = pikepdf.String("https://example.org/JS")
        return pikepdf.Dictionary(S=pikepdf.Name.URI, URI=address)

    assert pdf_problem(in_site_form(_pdf())) is None
    assert pdf_problem(in_site_form(_pdf(opens_fitted))) is None
    assert pdf_problem(in_site_form(_pdf(opens_at_page_one))) is None
    # A name of something active written in a link or in the text is no such thing.
    assert pdf_problem(in_site_form(_pdf(_link(uri_named_like_a_script)))) is None
    assert pdf_problem(pdf_showing("Ratio N/AA, see /JavaScript")) is None

    def small_image(pdf) -> None:
        pdf.pages[0].obj.Contents = pdf.make_stream(b"BI /W 2 /H 1 /BPC 8 /CS /G ID \x01E EI")

    def image_shorter_than_its_size(pdf) -> None:
        # What an attack wrote: PDFium read 60 bytes, on past qpdf's "EI" into "100 mg".
        pdf.pages[0].obj.Contents = pdf.make_stream(
            b"BI /W 60 /H 1 /BPC 8 /CS /G ID \x01\x02 EI BT (Take 100 mg) Tj ET"
        )

    for change in (small_image, image_shorter_than_its_size):
        written = in_site_form(_pdf(change))
        assert pdf_problem(written) is None
        # Made an image of its own, as qpdf ends it: every reader reads the same instructions.
        with pikepdf.open(io.BytesIO(written)) as pdf:
            read = pikepdf.parse_content_stream(pdf.pages[0])
            assert all(isinstance(i, pikepdf.ContentStreamInstruction) for i in read)
            assert "Do" in [str(i.operator) for i in read]
    packed = _pdf(_link(uri), object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert pdf_problem(in_site_form(packed)) is None
    # As another tool wrote it: refused until `python -m pipeline pdf` writes it so.
    assert pdf_problem(packed) == NOT_IN_FORM


def test_a_site_page_pdf_with_a_script_is_refused_and_the_site_stays(minimal: Path, cli) -> None:
    before = built(minimal, cli)
    (minimal / "content/pages/img").mkdir(exist_ok=True)
    (minimal / "content/pages/img/dosing.pdf").write_bytes(_pdf(_open_script))
    result = cli("build", cwd=minimal)
    assert result.code == 1
    assert "content/pages/img/dosing.pdf" in result.stderr and "PAGE002" in result.stderr
    assert "a script or an action run as it opens" in result.stderr
    assert site_files(minimal / "site") == before


def test_a_pdf_with_a_script_in_the_built_site_fails_the_audit(minimal: Path, cli) -> None:
    """Behind the check of the site pages' files: a PDF of the theme, or one an engine wrote."""
    from pipeline.site.audit import audit
    from pipeline.site.stage import publish_plan

    built(minimal, cli)
    project = load_project(minimal, DAY)
    (minimal / "site/leaflet.pdf").write_bytes(_pdf(_open_script))
    found = audit(minimal / "site", project, publish_plan(project), theme("mkdocs"))
    assert [d.message for d in found] == [
        "leaflet.pdf is a pdf with a script or an action run as it opens (export it again "
        "without them)"
    ]


def _rewritten(data: bytes, old: bytes, new: bytes) -> bytes:
    """A PDF with some bytes replaced, saved again by qpdf so that its table is right."""
    import io

    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data.replace(old, new))) as pdf:
        pdf.save(out, compress_streams=False)
    return out.getvalue()


def test_a_pdf_is_read_as_a_browser_s_viewer_reads_it() -> None:
    """Drawn only in print (a box painting another dose over the page, flags Print and
    NoView), a note over the page, or a script's name ended by a byte PDFium stops at (0xFF:
    "/JS" to Chromium, another name to qpdf): refused. A font named in GBK (SimSun) is a name
    like any other."""
    import pikepdf

    from pipeline.content.pdf import pdf_problem

    def annotation(subtype: str, flags: int):
        def change(pdf) -> None:
            box = pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name(subtype), Rect=[0, 0, 9, 9], F=flags
            )
            pdf.pages[0].obj.Annots = pikepdf.Array([box])

        return change

    drawn = "a note, box or field drawn over the page"
    assert drawn in (pdf_problem(_pdf(annotation("/Square", 4 | 32))) or "")
    assert drawn in (pdf_problem(_pdf(annotation("/Text", 4))) or "")
    assert drawn in (pdf_problem(_pdf(annotation("/Link", 32))) or "")
    assert pdf_problem(in_site_form(_pdf(annotation("/Link", 4)))) is None

    def page_script(pdf) -> None:
        run = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=run)

    script = _pdf(page_script, compress_streams=False)
    for name in (b"/AA", b"/JS", b"/JavaScript"):
        script = _rewritten(script, name + b" ", name + b"#FF ")
    split = "a name two readers read differently"
    assert script.lower().count(b"#ff") == 3 and split in (pdf_problem(script) or "")
    plain = pdf_showing("x", site_form=False)
    font = _rewritten(plain, b"/Type /Page >>", b"/Type /Page /X /#CB#CE#CC#E5 >>")
    assert b"/X /" in font and pdf_problem(in_site_form(font)) is None
    # In UTF-8 (思, E6 80 9D) a 0x80 byte stands inside a letter: PDFium's name there is no name
    # a PDF means anything by.
    font = _rewritten(plain, b"/Type /Page >>", b"/Type /Page /X /A#E6#80#9D >>")
    assert pdf_problem(in_site_form(font)) is None


def test_a_pdf_holding_an_object_its_table_does_not_list_is_refused() -> None:
    """PDFium, repairing a file it reads otherwise than qpdf (a root written `/Root\\x0b1 0 R`),
    reads every object it finds, one in an object stream no table lists among them: a script
    qpdf never read ran in Chromium's viewer. Every object must stand where the table says."""
    from pipeline.content.pdf import pdf_problem

    assert pdf_problem(pdf_showing("Take 10 mg.")) is None
    # Spelt as PDFium reads a header too: 0x80 and 0xFF are blanks to it, "0.0" and "-0"
    # numbers (each started a second document, with a script, that Chromium's viewer ran).
    for header in (b"31 0 obj", b"31\x800\x80obj", b"31\xff0\xffobj", b"31 0.0 obj", b"31 -0 obj"):
        hidden = b"\n" + header + b"\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"
        found = pdf_problem(pdf_showing("Take 10 mg.") + hidden) or ""
        assert "holds objects its table does not list" in found, header


def _two_tables_pdf(prefix: bytes) -> bytes:
    """A PDF whose last table qpdf finds through `{prefix}startxref` and PDFium through the one
    before it, which places the page inside a comment in object 10's header: "100 mg" to qpdf,
    "2400 mg" in Chromium's viewer (a sixth attacker round)."""

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)

    def page(contents: int) -> bytes:
        return (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Contents %d 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>" % contents
        )

    out = bytearray(b"%PDF-1.7\n")
    offsets: dict[int, int] = {}
    for number, body in (
        (1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        (3, page(4)),
        (4, stream(b"BT /F1 40 Tf 20 200 Td (100 mg) Tj ET")),
        (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
        (9, stream(b"BT /F1 40 Tf 20 200 Td (2400 mg) Tj ET")),
    ):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[10] = len(out)
    out += b"10 0 %"
    hidden = len(out)
    out += b"3 0 obj " + page(9) + b" endobj\nobj\n<< >>\nendobj\n"

    def table(entries: dict[int, int]) -> int:
        start, size = len(out), max(entries) + 1
        out.extend(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for number in range(1, size):
            out.extend(
                b"%010d 00000 n \n" % entries[number]
                if number in entries
                else b"0000000000 00000 f \n"
            )
        out.extend(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % size)
        return start

    pdfium = table({**offsets, 3: hidden})
    out += b"startxref\n%d\n%%%%EOF\n" % pdfium
    qpdf = table(offsets)
    out += prefix + b"startxref\n%d\n%%%%EOF\n" % qpdf
    return bytes(out)


@pytest.mark.parametrize("prefix", [b"x", b""], ids=["run-on-startxref", "header-in-a-comment"])
def test_a_header_inside_another_header_s_comment_is_found(prefix: bytes) -> None:
    from pipeline.content.pdf import pdf_problem

    found = pdf_problem(_two_tables_pdf(prefix)) or ""
    assert "holds objects its table does not list" in found


def test_a_pdf_table_placing_objects_in_a_stream_that_is_none_is_refused() -> None:
    """Found by mutating PDFs: a table entry naming an object stream that is not one made the
    check raise (exit 2) instead of refusing the file."""
    from types import SimpleNamespace

    from pipeline.content.pdf import _unlisted_objects

    entry = SimpleNamespace(type=2, obj_stream_number=99, obj_stream_index=0, offset=None)
    pdf = SimpleNamespace(get_object=lambda _: None)
    assert _unlisted_objects(pdf, {(5, 0): entry}, b"%PDF-1.7\n")  # type: ignore[arg-type]


def _pdf_of_arrays(count: int) -> bytes:
    """A plain one-page PDF holding an array of `count` empty arrays: two bytes in the file,
    an object each in qpdf's memory (16 MB of them took 1.2 GB and 18 s to read)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> /Big 4 0 R >>",
        b"[" + b"[]" * count + b"]",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % table
    return bytes(out)


def test_a_pdf_that_needs_more_memory_than_the_limit_to_read_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """qpdf builds every object in memory: a file of little else (or object streams that
    unpack to 400 MB) is refused when reading it would pass the limit, whatever its shape."""
    from pipeline.content import pdf as reader

    assert reader.pdf_problem(in_site_form(_pdf_of_arrays(1_000))) is None
    monkeypatch.setattr(reader, "READ_MEMORY", 128 * 2**20)
    assert "more memory or time" in (reader.pdf_problem(_pdf_of_arrays(1_000_000)) or "")


def test_a_pdf_whose_cross_reference_stream_unpacks_past_the_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """qpdf unpacks a cross-reference stream as it opens the file, before anything of ours
    reads it: 4 KB, Flate twice, unpacked to 2 GB (8.7 s and 2.1 GB of check). The child's
    bound stops it (here a smaller one, for a smaller bomb)."""
    import zlib

    from pipeline.content import pdf as reader

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    rows = bytes([0, 0, 0, 0, 0xFF, 0xFF])
    for number, body in enumerate(objects, 1):
        rows += bytes([1]) + len(out).to_bytes(4, "big") + b"\0"
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    rows += bytes([1]) + len(out).to_bytes(4, "big") + b"\0"
    packer = zlib.compressobj(9)
    inner = packer.compress(rows) + packer.compress(bytes(300 * 2**20)) + packer.flush()
    data = zlib.compress(inner, 9)
    table = len(out)
    out += (
        b"4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 1] /Root 1 0 R "
        b"/Filter [/FlateDecode /FlateDecode] /Length %d >>\nstream\n" % len(data)
    )
    out += data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % table
    assert len(out) < 4_000
    monkeypatch.setattr(reader, "READ_MEMORY", 128 * 2**20)
    assert "more memory or time" in (reader.pdf_problem(bytes(out)) or "")


def test_a_pdf_is_read_once_and_a_failing_reader_is_an_internal_error_not_a_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build reads the site pages' PDFs again in the audit: the child runs once a file. A
    child that fails (not killed by its bounds) is a fault of the pipeline, never a refusal
    of a good file, nor a pass."""
    from pipeline.content import pdf as reader

    calls = []
    monkeypatch.setattr(
        reader, "_read_in_a_child", lambda data, seconds: calls.append(data) or (None, "", data)
    )
    data = pdf_showing("Take 10 mg, read once.")
    assert reader.pdf_problem(data) is None and reader.pdf_problem(data) is None
    assert len(calls) == 1
    monkeypatch.undo()
    monkeypatch.setattr(reader, "READ_MEMORY", "not a number")
    with pytest.raises(RuntimeError, match="reading a PDF failed"):
        reader.pdf_problem(data)


def test_a_pdf_that_needs_more_time_than_the_limit_to_read_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A million objects take two seconds of processor time to read; a limit of one stops it."""
    from pipeline.content import pdf as reader

    monkeypatch.setattr(reader, "READ_SECONDS", 1)
    assert "more memory or time" in (reader.pdf_problem(_pdf_of_arrays(1_000_000)) or "")


def test_a_run_of_no_break_spaces_is_one_space_on_the_page() -> None:
    """400 no-break spaces in a table's cell pushed the letter after them out of the table's
    view: whatever an author writes, three or more of them become one space."""
    from pipeline.site.sanitize import clean

    assert clean("<p>10&nbsp;mg and&nbsp;&nbsp;1</p>") == "<p>10&nbsp;mg and&nbsp;&nbsp;1</p>"
    cell = "<table><tbody><tr><td>a{}q</td></tr></tbody></table>"
    assert clean(cell.format("\u00a0" * 400)) == cell.format(" ")
    # Through what is drawn as nothing (a word joiner, a zero-width no-break space, a mark),
    # and through inline tags, which stay so that every element closes.
    assert clean(cell.format("&nbsp;&nbsp;\u2060" * 200)) == cell.format(" ")
    assert clean(cell.format("\u2007\u202f\ufeff" * 200)) == cell.format(" ")
    split = "&nbsp;&nbsp;<sup>&nbsp;&nbsp;</sup>" * 100
    assert clean(cell.format(split)) == cell.format(" " + "<sup></sup>" * 100)
    # Any blank but a plain space (an em quad, an ideographic space) joined by what breaks no
    # line, and whatever draws nothing (a musical beam, an annotation anchor).
    for run in ("\u2001\u2060", "\u3000\ufeff", "&nbsp;&nbsp;\U0001d173", "&nbsp;&nbsp;\ufff9"):
        assert clean(cell.format(run * 200)) == cell.format(" "), repr(run)
    # A plain space is code's indentation: kept.
    assert (
        clean("<pre><code>    x\n        y</code></pre>")
        == "<pre><code>    x\n        y</code></pre>"
    )
    assert clean("<p>a&#160;&nbsp;\u2007\u202f\u2800b</p>") == "<p>a b</p>"


def _table(rows: list[str]) -> str:
    return "<table>" + "".join(rows) + "</table>"


_CHUNKS = [" ".join(PENDING_SENTENCE.split()[i : i + 3]) for i in range(0, 12, 3)]


@pytest.mark.parametrize(
    "page",
    [
        # Every other row reaches the words' column by one cell spanning 60 columns, the rows
        # between by 60 cells of their own, a letter in the 51st.
        _table(
            [
                f'<tr><td colspan="60"></td><td>{c}</td></tr>'
                if i % 2 == 0
                else "<tr>"
                + "<td></td>" * 50
                + "<td>q</td>"
                + "<td></td>" * 9
                + f"<td>{c}</td></tr>"
                for i, c in enumerate(_CHUNKS)
            ]
        ),
        # A row group each: a browser ends a span at its group's end.
        _table(
            [
                "<tbody>"
                + f"<tr><td{' rowspan=2' if i % 2 == 0 else ''}>q</td><td>{c}</td></tr>"
                + "</tbody>"
                for i, c in enumerate(_CHUNKS)
            ]
        ),
        # A span written with leading zeros is that number to a browser.
        _table(
            [
                f"<tr><td{' rowspan=0000001' if i % 2 == 0 else ''}>q</td><td>{c}</td></tr>"
                for i, c in enumerate(_CHUNKS)
            ]
        ),
        # Cells may overlap: a two-row, two-column cell over a four-row span leaves the
        # longer span's column taken, and the words in the third.
        _table(
            [
                f"<tbody><tr><td></td><td></td><td>{c}</td>{'<td></td>' * 42}<td>q</td></tr>"
                "</tbody>"
                if i % 2 == 0
                else '<tbody><tr><td></td><td rowspan="4"></td></tr>'
                '<tr><td colspan="2" rowspan="2"></td></tr><tr></tr>'
                f"<tr><td></td><td>{c}</td>{'<td></td>' * 42}<td>q</td></tr></tbody>"
                for i, c in enumerate(_CHUNKS)
            ]
        ),
    ],
    ids=["wide-span", "span-in-its-row-group", "span-with-leading-zeros", "overlapping-cells"],
)
def test_a_table_is_read_down_its_columns_where_a_browser_places_its_cells(page: str) -> None:
    """A fifth attacker round: the audit's grid placed cells otherwise than a browser does, and
    a withheld article read down one column in Chromium was read as other words."""
    found = probes(PENDING_SENTENCE)
    assert any(probe in output_words(page) for probe in found)


def test_a_cell_spans_a_few_rows_or_columns_written_as_a_plain_number() -> None:
    def codes(text: str) -> list[str]:
        return [d.code for d in markup.check_text("a.md", text + "\n", 1, markup.SITE_PAGES)]

    assert codes('<table><tr><td colspan="2" rowspan="20">x</td></tr></table>') == []
    for span in ('colspan="21"', 'rowspan="0"', 'rowspan="02"', 'colspan=" 2"'):
        assert "HTML003" in codes(f"<table><tr><td {span}>x</td></tr></table>"), span


def test_no_module_beside_the_checkout_runs_in_the_pdf_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pikepdf.py, or an msvcrt.py (which `subprocess` looks for), at the root of a pull
    request ran in the PDF reader's child and passed a PDF holding a script."""
    from pipeline.content import pdf as reader

    for module in ("pikepdf.py", "msvcrt.py", "pipeline.py"):
        (tmp_path / module).write_text(
            "import pathlib, sys\npathlib.Path(__file__).with_name('ran').touch()\nsys.exit(0)\n"
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(reader, "_READ", {})
    assert "a script" in (reader.pdf_problem(_pdf(_open_script)) or "")
    assert not (tmp_path / "ran").exists()


def test_the_pdf_reader_runs_its_own_source_with_libraries_from_outside_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bytecode file committed beside the reader (unchecked, so Python never compares it with
    the source) ran in the child in its place; and with `-I` the child lost libraries found
    through PYTHONPATH (every PDF an internal error). The child compiles the source itself,
    and has the parent's import path without the checkout or the working folder."""
    import importlib.util
    import py_compile
    import sys

    from pipeline.content import pdf as reader

    copy = tmp_path / "pipeline/content/pdf.py"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(Path(reader.__file__).read_bytes())
    silent = tmp_path / "silent.py"
    silent.write_text("def _bounded_read(memory, seconds):\n    pass\n")
    cached = importlib.util.cache_from_source(str(copy))
    py_compile.compile(
        str(silent), cfile=cached, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    monkeypatch.setattr(reader, "_THIS_FILE", copy)
    monkeypatch.setattr(reader, "_READ", {})
    assert "a script" in (reader.pdf_problem(_pdf(_open_script)) or "")

    outside = str(tmp_path.parent)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), "", str(tmp_path / "sub"), outside])
    assert reader._libraries() == f'["{outside}"]'


def _edited_in_place(data: bytes, text: str) -> bytes:
    """`data` (a one-page PDF with a table of plain lines) with its page's instructions edited
    as a viewer's "Save" writes an edit: a new version of the object and a table appended, the
    earlier version left in the file."""
    import io
    import re

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        number = pdf.pages[0].obj.Contents.objgen[0]
        size = int(pdf.trailer.Size)
    drawn = f"BT ({text}) Tj ET".encode("latin-1")
    start = len(data) + 1
    update = b"\n%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        number,
        len(drawn),
        drawn,
    )
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    table = len(data) + len(update)
    update += b"xref\n%d 1\n%010d 00000 n \n" % (number, start)
    update += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\n" % (size, previous)
    return data + update + b"startxref\n%d\n%%%%EOF\n" % table


def test_a_pdf_saved_with_edits_appended_or_for_fast_web_view_is_written_by_the_pdf_command(
    minimal: Path, cli
) -> None:
    """A viewer's "Save" appends an edit and leaves the earlier version in the file, which two
    readers may read apart, so check refuses it; `python -m pipeline pdf` writes qpdf's reading
    of it, and says to look at it before committing. One saved for fast web view likewise. What
    the file holds is still read: one with a script is not written."""
    import pikepdf

    from pipeline.content.pdf import pdf_text

    edited = _edited_in_place(pdf_showing("Take 10 mg at night.", site_form=False), "Take 20 mg.")
    fast = _pdf(lambda pdf: None, linearize=True)
    # Its table at the wrong place: qpdf finds the objects again, and warns.
    damaged = re.sub(rb"startxref\s+\d+", b"startxref\n9", pdf_showing("Take 5 mg.", False))
    scripted = _edited_in_place(_pdf(_open_script), "Take 20 mg.")
    files = {
        "edited.pdf": edited,
        "fast.pdf": fast,
        "damaged.pdf": damaged,
        "scripted.pdf": scripted,
    }
    for name, data in files.items():
        (minimal / "content/pages" / name).write_bytes(data)
    refused = cli("check", cwd=minimal)
    assert refused.code == 1
    assert "edited.pdf: error PAGE002 " in refused.stdout and "fast.pdf" in refused.stdout
    assert "not .pdf that is damaged" in refused.stdout
    for name in ("edited.pdf", "fast.pdf", "damaged.pdf"):
        written = cli("pdf", f"content/pages/{name}", cwd=minimal)
        assert written.code == 0, written.stderr
        assert "written as the site keeps PDFs" in written.stderr
        assert "check what its pages show before you commit it" in written.stderr
    handout = (minimal / "content/pages/edited.pdf").read_bytes()
    assert "Take 20 mg." in pdf_text(handout) and "Take 10 mg" not in pdf_text(handout)
    with pikepdf.open(minimal / "content/pages/fast.pdf") as pdf:
        assert not pdf.is_linearized
    assert "Take 5 mg." in pdf_text((minimal / "content/pages/damaged.pdf").read_bytes())
    kept = cli("pdf", "content/pages/scripted.pdf", cwd=minimal)
    assert kept.code == 1 and "not written: it is a pdf with a script" in kept.stderr
    assert (minimal / "content/pages/scripted.pdf").read_bytes() == scripted
    (minimal / "content/pages/scripted.pdf").unlink()
    assert cli("check", cwd=minimal).code == 0


def test_a_pdf_as_another_tool_wrote_it_is_refused_until_the_pdf_command_writes_it(
    minimal: Path, cli
) -> None:
    """Readers get the committed bytes, so those are the site's form: what qpdf writes of
    what it read (an object no page uses, a reference to a generation the table lacks, a name
    PDFium ends early or a stream's filter parameters it reads otherwise showed a reviewer
    one dose and readers another). `python -m pipeline pdf` writes a file so."""
    from pipeline.content.pdf import pdf_problem, pdf_text

    handout = minimal / "content/pages/handout.pdf"
    handout.write_bytes(pdf_showing("Take 10 mg at night.", site_form=False))
    result = cli("check", cwd=minimal)
    assert result.code == 1 and "content/pages/handout.pdf: error PAGE012 " in result.stdout
    assert "python -m pipeline pdf content/pages/handout.pdf" in result.stdout
    written = cli("pdf", "content/pages/handout.pdf", cwd=minimal)
    assert written.code == 0 and "written as the site keeps PDFs" in written.stderr
    data = handout.read_bytes()
    assert pdf_problem(data) is None and "Take 10 mg at night." in pdf_text(data)
    assert cli("check", cwd=minimal).code == 0
    again = cli("pdf", "content/pages/handout.pdf", cwd=minimal)
    assert again.code == 0 and "already as the site keeps PDFs" in again.stderr
    assert handout.read_bytes() == data
    (minimal / "content/pages/script.pdf").write_bytes(_pdf(_open_script))
    refused = cli("pdf", "content/pages/script.pdf", cwd=minimal)
    assert refused.code == 1 and "not written: it is a pdf with a script" in refused.stderr


def test_the_time_a_pdf_may_take_grows_with_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """5.6 KB packing 2.6 million arrays took 8 s, ten of them a minute of check: a small file
    gets four seconds to be read and written in the site's form (a 3 MB manual of 20,000
    objects takes one), a large one four more each 5 MB, at most READ_SECONDS."""
    from pipeline.content import pdf as reader

    given: list[int] = []
    monkeypatch.setattr(
        reader, "_read_in_a_child", lambda data, seconds: given.append(seconds) or (None, "", data)
    )
    for size in (5_600, 12_000_000, 100_000_000):
        reader.pdf_problem(bytes(size))
    assert given == [4, 13, reader.READ_SECONDS]


@pytest.mark.parametrize(
    "policy", [markup.ARTICLES, markup.SITE_PAGES, markup.DISCLAIMER_MARKUP], ids=lambda p: p.name
)
def test_raised_or_lowered_text_inside_another_is_refused(policy: markup.Policy) -> None:
    """Twenty <sub>/<sup> deep, a letter between every three words of a withheld article was
    half a pixel high: readers saw the article, the leak audit read other words."""

    def found(text: str) -> list[tuple[str, int, int]]:
        diagnostics = markup.check_text("notes.md", text + "\n", 1, policy)
        return [(d.code, d.line, d.column) for d in diagnostics]

    assert found("H<sub>2</sub>O and x<sup>2</sup><sub>i</sub>, press <kbd>Enter</kbd>") == []
    assert found("A claim.<sup>[@chou2007]</sup>") == []  # a citation's number may stand there
    assert found("The<sub><sup>q</sup></sub> purple") == [("HTML017", 1, 9)]
    assert found("x<kbd>a<sub>b</sub></kbd>") == [("HTML017", 1, 8)]
    # HTML ignores "/>" on an element that is not void: <sup/> opens a <sup>.
    assert ("HTML017", 1, 8) in found("x<sup/><sub>q</sub>")


@pytest.mark.parametrize(
    "footer",
    ["The<sub><sup>q</sup></sub> purple", "The<sup>a</sub><sub>q</sub></sup> purple"],
    ids=["nested", "after-a-stray-end-tag"],
)
def test_text_drawn_smaller_inside_smaller_fails_the_audit(minimal: Path, cli, footer: str) -> None:
    """The audit reads every page for it, whatever wrote it (here a theme change; a stray end
    tag closes nothing, as in a browser); a citation inside an author's <sup> is the
    pipeline's number and passes."""
    edit(
        minimal,
        "content/articles/back-pain.md",
        "agree [@chou2007;",
        "agree <sup>[@chou2007]</sup> [",
    )
    signing.approve(minimal, "content/articles/back-pain.md", "rev2", DAY)
    before = built(minimal, cli)
    (minimal / "overrides/main.html").write_text(
        f'{{% extends "base.html" %}}{{% block footer %}}{footer}{{% endblock %}}', "utf-8"
    )
    result = cli("build", cwd=minimal)
    assert result.code == 1
    assert "draws text too small to read" in result.stderr
    assert site_files(minimal / "site") == before
