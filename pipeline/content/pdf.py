"""Whether a PDF is a document to read, or one that runs, changes or fetches something.

An approval signs a PDF's bytes, but a PDF's bytes can hold a script that the reader's viewer
runs as it opens the file (Chromium's does). One rewrote a form field holding a dose on a date
of its choosing, under the approval that signed it. So a PDF of the site holds nothing that
runs, no form, note or layer drawn otherwise on screen than in print, no file inside it, and
nothing that opens or sends elsewhere; links to web pages and e-mail addresses, and to its own
pages, stay. qpdf (through pikepdf) reads it as a viewer does, object streams and escaped names
(`/J#61vaScript`) included; a file qpdf had to repair, or warned of, is refused outright, as is
an encrypted one, and one holding an object qpdf's table does not place (which PDFium,
repairing a file, reads): what two readers may read differently is no document to sign.

And a PDF of the site must already be as qpdf writes what it read (`site_form`, which
`python -m pipeline pdf FILE` writes): every object the document uses, its streams decoded and
compressed again by qpdf, nothing else of the file. What another reader might find in other
bytes (an object no table lists, a reference to a generation the table lacks, a name it ends
early, a stream's filter parameters it reads otherwise) is not there, and the file a reviewer
opens and signs is the file readers get.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf

LAYERS = frozenset({"/OCProperties", "/OC", "/OCG", "/OCMD", "/Usage", "/VE", "/OCGs"})
# A file saved for fast web view is read two ways: PDFium takes the first page and part of the
# table from its first object's `/Linearized` keys, qpdf from the page tree (a catalog holding
# them showed a page no page tree holds, 2400 mg, where qpdf read 100 mg).
LINEARIZED = "/Linearized"
# Names of what runs as the file opens or a page shows (`/JS`, `/AA`, an `/OpenAction` that is
# an action), forms (whose fields a script or a reader rewrites), files inside the PDF, and
# actions that open other files or send data.
ACTIVE = frozenset(
    {"/JS", "/JavaScript", "/AA", "/AcroForm", "/XFA", "/Launch", "/SubmitForm", "/ImportData"}
    | {"/ResetForm", "/GoToR", "/GoToE", "/RichMedia", "/EmbeddedFile", "/EmbeddedFiles"}
    | {"/Rendition", "/Sound", "/Movie", "/Hide", "/SetOCGState", "/GoTo3DView"}
    # Layers: optional content can be shown on screen and not in print, or the other way round
    # (PDFium reads a group's `/Usage` even where no `/OCProperties` lists it).
    | LAYERS
    | {LINEARIZED}
)
# PDFium ends a name at a byte 0x00, 0x80 or 0xFF, where qpdf reads on: "/JS" followed by 0xFF
# was a script to Chromium and another name to qpdf, "/F" so followed hid a box on screen.
_SPLIT_NAME = re.compile(rb"[\x00\x80\xff]")
_SPLIT = "/split-name"
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# The types of annotations (ISO 32000-2, 12.5.6), each drawn over the page.
_ANNOTATIONS = frozenset(
    "/" + name
    for name in [
        "Text",
        "Link",
        "FreeText",
        "Line",
        "Square",
        "Circle",
        "Polygon",
        "PolyLine",
        "Highlight",
        "Underline",
        "Squiggly",
        "StrikeOut",
        "Stamp",
        "Caret",
        "Ink",
        "Popup",
        "FileAttachment",
        "Sound",
        "Movie",
        "Widget",
        "Screen",
        "PrinterMark",
        "TrapNet",
        "Watermark",
        "3D",
        "Redact",
        "RichMedia",
        "Projection",
    ]
)
# An annotation drawn only in print, or hidden on screen (a box painting "2400 mg" over the
# dose when printed): `/F` flags Hidden and NoView.
_UNSEEN = 2 | 32
# Where a link may lead (`/URI`): a web page or an e-mail address, as in the site's pages.
_LINK = re.compile(r"\s*(?:https?://|mailto:)", re.IGNORECASE)
# What reading one PDF may take: qpdf builds every object of a file in memory, and a file can
# be made of little else (16 MB of "[]" took 1.2 GB and 18 s; 2 MB of Flate in object streams
# unpacked to 400 MB). A 566-page manual of 20,000 objects is read in 0.7 s and 90 MB, a scan
# of 100 MB (GitHub's largest file) in 2.4 s and 250 MB.
READ_MEMORY = 512 * 2**20  # bytes of address space (bounded where the system can: Linux)
# Of processor time, to read the file, what it draws, write it in the site's form and read its
# text with PDFium: four seconds, and four more each 5 MB, 20 at most (PDFium's reading, letter
# by letter as laid out too, takes about 10 ms a page of 4,000 letters: some 300 such pages fit).
READ_SECONDS = 20
_SECONDS_PER_BYTE = 4 / 5_000_000
_TOO_LARGE = (
    ".pdf that takes more memory or time to read than the check allows (split it, or save it "
    "again smaller)"
)
# What qpdf says, in a warning or an error, when the memory runs out: it reads on without the
# object it could not make.
_OUT_OF_MEMORY = "bad_alloc"
# The cross-reference table, as pikepdf gives it: (number, generation) -> entry.
_Table = dict[tuple[int, int], pikepdf.XrefEntry]
_DEPTH = 64  # direct objects nested deeper than any real file's (qpdf stops well past this)
_TOO_DEEP = "/too-deep"
# The child runs this file's source alone, isolated (`-I`), with the parent's import path but
# nothing inside the checkout or the working folder: with the checkout on its path, a module a
# pull request added at its root (pikepdf.py, or msvcrt.py, which `subprocess` looks for) ran
# in the child and passed every PDF; and it compiles the source itself, as a bytecode file
# committed in __pycache__ (unchecked) stood in for it.
_THIS_FILE = Path(__file__).resolve()
# What each PDF read in this process was found to be, by its digest and the bounds it was read
# in: why it is refused (None when it passes), its text (`pdf_text`), and the file in the
# site's form (both empty when it is refused for anything but its form). A build reads the
# site pages' PDFs again in the audit.
_READ: dict[tuple[str, int, int], tuple[str | None, str, bytes]] = {}
NOT_IN_FORM = ".pdf not written as the site keeps PDFs (python -m pipeline pdf writes it so)"


def pdf_problem(data: bytes) -> str | None:
    """Why a PDF is not a plain document in the site's form (".pdf with a form ..."), or None.
    Read in a child process whose memory and processor time are bounded (`READ_MEMORY`,
    `READ_SECONDS`): what qpdf cannot read and write within them is refused, whatever its
    shape."""
    return _reading(data)[0]


def site_form(data: bytes) -> bytes | None:
    """The PDF as qpdf writes what it read (`_write`), written again until it no longer changes
    (qpdf may settle at the second writing; three at most): the form the site keeps PDFs in,
    the same bytes for the same file every time. None for a file refused for anything but its
    form; `pdf_problem` says whether what comes back passes."""
    written = data
    for _ in range(3):
        problem, _, form = _reading(written)
        if problem is None:
            return written
        if problem != NOT_IN_FORM:
            return None if written is data else written
        written = form
    return written


def pdf_text(data: bytes) -> str:
    """The text a PDF holds, for the leak audit (its streams are compressed in the site's
    form, so its bytes show none): every string of its objects (a title, a bookmark, a link's
    address), the strings its pages and drawings show as written, and its pages' text as
    PDFium reads it through each font's map of codes to letters (a font drawing other letters
    than its map names is a residual, SECURITY.md). Empty for a refused file."""
    return _reading(data)[1]


_UNREADABLE = ".pdf that cannot be read"
# Refusals for how a file was saved, not for what it holds: edits appended to it (earlier
# versions of its objects), fast web view, a file qpdf repaired. Two readers may read such a
# file apart, but not qpdf's writing of it (`saved_again`), which a reviewer opens.
_UNLISTED = ".pdf that holds objects its table does not list (save it as PDF again)"
_DAMAGED = ".pdf that is damaged (print or save it as PDF again)"


def saved_again(data: bytes) -> bytes | None:
    """A file refused for how it was saved (`SAVED_OTHERWISE`) as qpdf writes what it read, in
    the bounded child and unchecked (`site_form` and `pdf_problem` read what comes back); None
    when qpdf cannot read it within the bounds. What its pages show is qpdf's reading, which
    another reader's may not have been: for `python -m pipeline pdf`, which says so."""
    problem, _, written = _read_in_a_child(data, _seconds(data), check=False)
    return written if problem is None and written else None


def _seconds(data: bytes) -> int:
    # A small file of little but objects (5.6 KB packing 2.6 million arrays) took 8 s: the time
    # a file may take grows with its size.
    return min(READ_SECONDS, 4 + int(len(data) * _SECONDS_PER_BYTE))


def _reading(data: bytes) -> tuple[str | None, str, bytes]:
    seconds = _seconds(data)
    key = (hashlib.sha256(data).hexdigest(), READ_MEMORY, seconds)
    if key not in _READ:
        _READ[key] = _read_in_a_child(data, seconds)
    return _READ[key]


# The child: this file's source on its own (it imports only the standard library, pikepdf and
# pypdfium2).
_CHILD = (
    "import json, sys; "
    "sys.path += [p for p in json.loads(sys.argv[2]) if p not in sys.path]; "
    "reader = {'__name__': 'pdf_reader', '__file__': sys.argv[1]}; "
    "exec(compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec'), reader); "
    "reader['_bounded_read'](int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] != 'write')"
)


def _libraries() -> str:
    """The parent's import path but anything in the checkout or the working folder (an install
    found through PYTHONPATH or a user's site is found again)."""
    outside = []
    mine = (_THIS_FILE.parents[2], Path.cwd().resolve())
    for entry in sys.path:
        place = Path(entry or ".").resolve()
        if not any(place == root or root in place.parents for root in mine):
            outside.append(str(place))
    return json.dumps(outside)


def _read_in_a_child(
    data: bytes, seconds: int, check: bool = True
) -> tuple[str | None, str, bytes]:
    mode = "check" if check else "write"
    arguments = [str(_THIS_FILE), _libraries(), str(READ_MEMORY), str(seconds), mode]
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, *arguments],
            input=data,
            capture_output=True,
            timeout=seconds * 5,  # processor time is bounded; this is for a stuck child
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _TOO_LARGE, "", b""
    if done.returncode < 0:  # killed past its processor time, or aborted by qpdf
        return _TOO_LARGE, "", b""
    if done.returncode > 0 or done.stdout.count(b"\0") < 2:  # the pipeline's fault: no verdict
        said = done.stderr.decode("utf-8", errors="replace").strip().splitlines()[-3:]
        raise RuntimeError("reading a PDF failed: " + (" / ".join(said) or "no answer"))
    problem, _, rest = done.stdout.partition(b"\0")
    text, _, written = rest.partition(b"\0")
    return problem.decode("utf-8") or None, text.decode("utf-8"), written


def _bounded_read(memory: int, seconds: int, check: bool = True) -> None:
    """The child's side of `pdf_problem`: bound itself, read the PDF on stdin, print why it is
    refused (nothing when it passes), its text and the file in the site's form, each after a
    NUL byte. `check=False`: qpdf's writing of what it read alone (`saved_again`)."""
    import resource

    with contextlib.suppress(ValueError, OSError):  # where the system cannot bound memory
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    _, most = resource.getrlimit(resource.RLIMIT_CPU)  # never above a bound already set
    unbounded = most == resource.RLIM_INFINITY
    resource.setrlimit(resource.RLIMIT_CPU, (seconds if unbounded else min(seconds, most), most))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # killed, it leaves no core file behind
    data = sys.stdin.buffer.read()
    written, text = io.BytesIO(), io.StringIO()
    try:
        problem = _problem(data, written, text) if check else _qpdf_writing(data, written)
    except MemoryError:
        problem = _TOO_LARGE
    except Exception:  # a shape the reading did not foresee (a number where a drawing goes)
        problem = _UNREADABLE
    if problem not in (None, NOT_IN_FORM):
        written, text = io.BytesIO(), io.StringIO()
    shown = text.getvalue().replace("\0", "").encode("utf-8", "replace")
    sys.stdout.buffer.write((problem or "").encode("utf-8") + b"\0" + shown + b"\0")
    sys.stdout.buffer.write(written.getvalue())


def _qpdf_writing(data: bytes, written: io.BytesIO) -> str | None:
    """qpdf's writing of what it read into `written`, unchecked; why not, when it cannot."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                return ".pdf that is encrypted"
            _externalized(pdf)
            _write(pdf, written)
    except pikepdf.PasswordError:
        return ".pdf that is encrypted"
    except (pikepdf.PdfError, RuntimeError, ValueError) as error:  # RecursionError too
        return _TOO_LARGE if _OUT_OF_MEMORY in str(error) else _UNREADABLE
    return None


def _problem(data: bytes, written: io.BytesIO, text: io.StringIO) -> str | None:
    """Why a PDF is not a plain document in the site's form, read by qpdf in this process;
    unless it is refused for more than its form, the file in that form into `written` and its
    text (`pdf_text`) into `text`."""
    # qpdf says what it repaired or ignored through this logger, not always in get_warnings().
    heard = _Heard()
    log = logging.getLogger("pikepdf._core")
    log.addHandler(heard)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:  # even one that opens without a password
                return ".pdf that is encrypted"
            # The trailer is no object of the table's: a catalog written in it (qpdf copies it
            # into the file it writes) is read only there.
            if not pdf.Root.is_indirect:
                return _UNREADABLE
            if (name := _active(pdf.trailer, 0)) is not None:
                return f".pdf with {_what(name)}"
            table = pdf.get_xref_table()
            if _unlisted_objects(pdf, table, data):
                return _UNLISTED
            streams = _object_streams(table)
            for found in pdf.objects:
                if _unused_object_stream(found, streams):
                    return _UNLISTED
                if _second_catalog(found, pdf.Root):
                    return ".pdf that holds a second document (save it as PDF again)"
                if (name := _active(found, 0)) is not None:
                    return f".pdf with {_what(name)}"
            # After every object is read: qpdf reads them as they are asked for.
            warnings = pdf.get_warnings()
            if heard.out_of_memory or any(_OUT_OF_MEMORY in w for w in warnings):
                return _TOO_LARGE
            if warnings or heard.said:
                return _DAMAGED
            _externalized(pdf)
            shown, drawing_problem = _drawn(pdf)
            if drawing_problem is not None:
                return f".pdf with {drawing_problem}"
            _write(pdf, written)
            text.write(shown)
            text.write("\n" + _shown_by_pdfium(data))
            warnings = pdf.get_warnings()
            if heard.out_of_memory or any(_OUT_OF_MEMORY in w for w in warnings):
                return _TOO_LARGE
            if warnings or heard.said:
                return _DAMAGED
        # A file that grows many times over when written so is made to, and would fill the
        # site and the build's memory.
        if written.tell() > 4 * len(data) + 2**20:
            return _TOO_LARGE
        if written.getbuffer() != data:
            return NOT_IN_FORM
    except pikepdf.PasswordError:
        return ".pdf that is encrypted"
    except (pikepdf.PdfError, RuntimeError, ValueError) as error:  # RecursionError too
        return _TOO_LARGE if _OUT_OF_MEMORY in str(error) else _UNREADABLE
    finally:
        log.removeHandler(heard)
    return None


def _write(pdf: pikepdf.Pdf, out: io.BytesIO) -> None:
    """The document in the site's form (`site_form`): every object it uses, in object streams
    qpdf makes, its streams decoded and compressed again by qpdf (no filter parameters two
    readers read apart; a photograph's own compression is kept), an identifier made from the
    content. Nothing else of the file (the trailer's keys the checks read)."""
    pdf.save(
        out,
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
        compress_streams=True,
        fix_metadata_version=False,
        linearize=False,
    )


# The operators that draw a content stream's strings.
_SHOWS = frozenset({"Tj", "TJ", "'", '"'})


def _drawn(pdf: pikepdf.Pdf) -> tuple[str, str | None]:
    """`pdf_text`, read by qpdf: every string of every object, then what each page, each
    drawing (a form XObject), each pattern's cell and each glyph a font draws itself (Type 3)
    shows; and what in those content streams
    one viewer draws and another does not (None when nothing): content marked as a layer's
    (PDFium hides what a dictionary of any type marks, other viewers show it), drawings inside
    drawings deeper than `_MOST_NESTED` (PDFium draws none past 40). A content stream qpdf
    cannot parse is left out of the text (qpdf warned of it, which refuses the file)."""
    found: list[str] = []
    for item in pdf.objects:
        _strings(item.stream_dict if isinstance(item, pikepdf.Stream) else item, found, 0)
    streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and _draws(o)]
    if _nesting(streams) > _MOST_NESTED:
        return "", "drawings nested deeper than viewers draw alike (print it to PDF again)"
    glyphs, masks, given = _glyphs_and_masks(pdf)
    cells = [s for s in streams if s.stream_dict.get("/PatternType") == 1]
    unread = _inside(cells + glyphs + masks, streams, given)
    for drawing in [page.obj for page in pdf.pages] + streams + glyphs:
        try:
            instructions = pikepdf.parse_content_stream(drawing)
        except (pikepdf.PdfError, ValueError, TypeError):
            continue
        for instruction in instructions:
            if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                if _ends_apart(instruction.iimage):
                    return "", _INLINE_IMAGE
                continue
            operator, operands = str(instruction.operator), list(instruction.operands)
            if operator in ("BDC", "BMC") and operands and operands[0] == pikepdf.Name.OC:
                return "", _what("/OC")
            if isinstance(drawing, pikepdf.Stream) and drawing.objgen in unread:
                if operator in _SHOWS:
                    return "", _UNREAD_TEXT
                if operator == "Do" and not _names(drawing, operands, given):
                    return "", _BORROWED
            if operator in _SHOWS:
                shown: list[str] = []
                for operand in operands:
                    _strings(operand, shown, 0)
                found.append("".join(shown))
    return "\n".join(found), None


def _shown_by_pdfium(data: bytes) -> str:
    """The text of each page as PDFium reads it, the reader in Chromium's viewer: letters
    through each font's map of its codes (a font's codes need not be letters: Chromium's print
    to PDF draws "Take" as "7DNH"), text inside drawings included, wherever it stands. Read in
    the file's order, then letter by letter as laid out on the page as shown (`_laid_out`).
    Read only of a file qpdf read without a complaint."""
    import pypdfium2  # in the child alone: the parent never reads a PDF's bytes itself

    try:
        document = pypdfium2.PdfDocument(data)
        found = []
        for page in document:
            text = page.get_textpage()
            # Bounded by far more than any page: the text outside it too.
            found.append(_text_in_box(text, (-_FAR, -_FAR, _FAR, _FAR)))
            found += _laid_out(text, page.get_rotation())
            text.close()
            page.close()
        document.close()
        return "\n".join(found)
    except MemoryError:
        raise
    except Exception as error:  # whatever PDFium or its bindings raise: no verdict to pass
        raise ValueError(f"PDFium cannot read it: {error!r}") from error


_FAR = 1e7


def _text_in_box(text: Any, box: tuple[float, float, float, float]) -> str:
    """The text PDFium reads inside `box` (left, bottom, right, top), every letter: pypdfium2's
    own readings left out the letters past U+FFFF, or the end of a text holding them (it asks
    for as many UTF-16 units as letters), and its reading by range failed on a run of letters
    PDFium leaves out."""
    import ctypes

    from pypdfium2 import raw

    left, bottom, right, top = box
    asked = (text.raw, left, top, right, bottom)
    letters = raw.FPDFText_GetBoundedText(*asked, None, 0)
    if letters <= 0:
        return ""
    size = 2 * letters + 1  # a letter past U+FFFF is two units
    units = (ctypes.c_ushort * size)()
    written = raw.FPDFText_GetBoundedText(*asked, units, size)
    return bytes(units)[: 2 * max(written, 0)].decode("utf-16-le", errors="replace")


# A letter as shown: its text, the middle of its box (x, y), the box's half height, and its
# left and right edges.
_Letter = tuple[str, float, float, float, float, float]
# A run of a line: where it starts (x), its line's middle (y), its text.
_Run = tuple[float, float, str]


def _laid_out(text: Any, rotation: int) -> list[str]:
    """A page's letters as a reader reads them where they stand, whatever order the file draws
    them in (words drawn shuffled and moved into place, lines last to first, each a little
    higher than the last, all read as other words): line by line down the page, then down each
    column. Blanks are left out: the audit reads words joined. `rotation`: the page's."""
    import ctypes

    from pypdfium2 import raw

    handle, letters = text.raw, []
    unicode_of, box_of = raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox
    box = raw.FS_RECTF()
    where = ctypes.byref(box)
    for index in range(raw.FPDFText_CountChars(handle)):
        code = unicode_of(handle, index)
        # Blanks and line breaks (PDFium adds some) are left out, and so is what is no letter.
        if code <= 32 or code >= 0x110000 or 0xD800 <= code < 0xE000:
            continue
        if box_of(handle, index, where):
            x0, y0 = _as_shown(box.left, box.bottom, rotation)
            x1, y1 = _as_shown(box.right, box.top, rotation)
            left, right = (x0, x1) if x0 <= x1 else (x1, x0)
            half = abs(y1 - y0) / 2
            letters.append((chr(code), (x0 + x1) / 2, (y0 + y1) / 2, half, left, right))
    # A letter whose middle is within half a letter's height of a line's first is on it.
    lines: list[list[_Letter]] = []
    first: _Letter | None = None
    for letter in sorted(letters, key=lambda found: -found[2]):
        if first is not None and abs(first[2] - letter[2]) <= max(first[3], letter[3]):
            lines[-1].append(letter)
        else:
            first = letter
            lines.append([letter])
    runs = [_runs(sorted(line, key=lambda found: found[1])) for line in lines]
    down_the_page = "\n".join(" ".join(words for _, _, words in line) for line in runs)
    # A run whose left edge is within half an inch of a column's first is in that column.
    columns: list[list[_Run]] = []
    for run in sorted((run for line in runs for run in line), key=lambda found: found[0]):
        if columns and run[0] - columns[-1][0][0] <= _COLUMN_SLACK:
            columns[-1].append(run)
        else:
            columns.append([run])
    down_each_column = "\n".join(
        " ".join(words for _, _, words in sorted(column, key=lambda found: -found[1]))
        for column in columns
    )
    return [down_the_page, down_each_column]


_COLUMN_SLACK = 36.0  # points


def _runs(line: list[_Letter]) -> list[_Run]:
    """A line's letters, left to right, in runs apart by gaps of three letters' height: the
    columns of a table, or of the page."""
    runs: list[_Run] = []
    level = line[0][2]
    start, previous, letters = line[0][4], line[0][5], [line[0][0]]
    for letter, _, _, half, left, right in line[1:]:
        if left - previous > 6 * half:
            runs.append((start, level, "".join(letters)))
            start, letters = left, []
        letters.append(letter)
        previous = right
    runs.append((start, level, "".join(letters)))
    return runs


def _as_shown(x: float, y: float, rotation: int) -> tuple[float, float]:
    """A point of the page where it is shown: a page turned a quarter clockwise (`/Rotate 90`)
    shows its left edge on top."""
    if rotation == 90:
        return y, -x
    if rotation == 180:
        return -x, -y
    if rotation == 270:
        return -y, x
    return x, y


# Chromium's print to PDF writes letters filled with a gradient (`background-clip: text`) into
# a soft mask, and an SVG pattern's text into its cell.
_UNREAD_TEXT = (
    "text drawn in a pattern, a soft mask or a font's own glyph, where PDFium reads no text "
    "(draw it as plain text, not as a fill, a mask or a glyph)"
)
# A drawing PDFium finds through a page's resources or its parent's, which the check does not
# follow: text there was read by neither.
_BORROWED = (
    "a pattern, a soft mask or a font's own glyph drawing what its own resources do not name "
    "(print it to PDF again)"
)


def _names(drawing: pikepdf.Stream, operands: list[pikepdf.Object], given: _Resources) -> bool:
    """Whether what `Do` draws is named in the drawing's own resources (`_resources`)."""
    resources = _resources(drawing, given)
    named = resources.get("/XObject") if resources is not None else None
    name = operands[0] if operands else None
    return (
        isinstance(named, pikepdf.Dictionary)
        and isinstance(name, pikepdf.Name)
        and str(name) in named
    )


_INLINE_IMAGE = (
    "an image written among a pattern's or a glyph's instructions whose end readers find apart "
    "(print it to PDF again)"
)


def _ends_apart(image: pikepdf.PdfInlineImage) -> bool:
    """Whether readers may end an image written among a drawing's instructions (`BI … ID …
    EI`) at different places. The site's form holds none in pages and drawings
    (`_externalized`); in a pattern's cell or a Type 3 glyph one must be plain data at least
    as long as its size gives, holding no "EI". PDFium reads that length, then skips
    to the next "EI": data shorter than it read on into the instructions after qpdf's end
    (another dose), and an "EI" inside it ended the image early, the rest of the data drawn
    as instructions. One compressed (PDFium ends it where its compression ends) or giving its
    length (`/L`) is refused."""
    written = image.unparse()
    data = written[written.index(b"\nID\n") + 4 : -2]
    found = image.obj
    if b"EI" in data or "/Length" in found or "/Filter" in found or "/DecodeParms" in found:
        return True
    if bool(found.get("/ImageMask", False)):
        components, depth = 1, 1
    else:
        components = _COMPONENTS.get(str(found.get("/ColorSpace")), 0)
        depth = int(found.get("/BitsPerComponent", 0))
    width, height = int(found.get("/Width", 0)), int(found.get("/Height", 0))
    size = (width * components * depth + 7) // 8 * height
    return components == 0 or size == 0 or len(data) < size


# The colour spaces an image among instructions may name, by their number of components.
_COMPONENTS = {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4}


def _externalized(pdf: pikepdf.Pdf) -> None:
    """Each image among a page's or a drawing's instructions made an image of its own, as qpdf
    ends it (`_ends_apart`)."""
    for page in pdf.pages:
        page.externalize_inline_images(0, False)


# Drawings inside drawings (form XObjects), at most: PDFium draws none past 40.
_MOST_NESTED = 30


_Resources = dict[tuple[int, int], pikepdf.Dictionary]


def _glyphs_and_masks(
    pdf: pikepdf.Pdf,
) -> tuple[list[pikepdf.Stream], list[pikepdf.Stream], _Resources]:
    """The instructions of each glyph a font draws itself (Type 3), and the drawing of each
    soft mask (a group whose shapes show what is filled through it): both draw like a page,
    and PDFium reads no text in either. And the resources of each glyph that has none of its
    own: its font's."""
    glyphs: list[pikepdf.Stream] = []
    masks: list[pikepdf.Stream] = []
    given: _Resources = {}
    for item in pdf.objects:
        holder = item.stream_dict if isinstance(item, pikepdf.Stream) else item
        for found in _dictionaries(holder, 0):
            if found.get("/Subtype") == pikepdf.Name.Type3:
                procedures = found.get("/CharProcs")
                fonts = found.get("/Resources")
                for glyph in (
                    procedures.values() if isinstance(procedures, pikepdf.Dictionary) else ()
                ):
                    if isinstance(glyph, pikepdf.Stream):
                        glyphs.append(glyph)
                        if isinstance(fonts, pikepdf.Dictionary):
                            given.setdefault(glyph.objgen, fonts)
            mask = found.get("/SMask")
            group = mask.get("/G") if isinstance(mask, pikepdf.Dictionary) else None
            if isinstance(group, pikepdf.Stream):
                masks.append(group)
    return glyphs, masks, given


def _dictionaries(item: object, depth: int) -> Iterator[pikepdf.Dictionary]:
    """`item` and the dictionaries written inside it (not those it refers to)."""
    if depth > _DEPTH or not isinstance(item, (pikepdf.Array, pikepdf.Dictionary)):
        return
    if isinstance(item, pikepdf.Dictionary):
        yield item
    for child in item.values() if isinstance(item, pikepdf.Dictionary) else item:
        if isinstance(child, pikepdf.Object) and not child.is_indirect:
            yield from _dictionaries(child, depth + 1)


def _inside(
    starts: list[pikepdf.Stream], drawings: list[pikepdf.Stream], given: _Resources
) -> set[tuple[int, int]]:
    """`starts` and every drawing drawn inside them, through their resources (`_resources`)."""
    known = {d.objgen: d for d in drawings}
    found: set[tuple[int, int]] = set()
    stack = list(starts)
    while stack:
        stream = stack.pop()
        if stream.objgen in found:
            continue
        found.add(stream.objgen)
        stack += _drawn_inside(stream, known, given)
    return found


def _resources(stream: pikepdf.Stream, given: _Resources) -> pikepdf.Dictionary | None:
    """A drawing's own resources, or those `given` it (a Type 3 glyph's font's)."""
    own = stream.stream_dict.get("/Resources")
    return own if isinstance(own, pikepdf.Dictionary) else given.get(stream.objgen)


def _drawn_inside(
    stream: pikepdf.Stream, known: dict[tuple[int, int], pikepdf.Stream], given: _Resources
) -> list[pikepdf.Stream]:
    """The `known` drawings (forms, patterns' cells) a drawing's resources (`_resources`)
    name; a resource may be a number, which names none."""
    resources = _resources(stream, given)
    found = []
    for group in ("/XObject", "/Pattern"):
        named = resources.get(group) if resources is not None else None
        if isinstance(named, pikepdf.Dictionary):
            found += [
                known[c.objgen]
                for c in named.values()
                if isinstance(c, pikepdf.Stream) and c.objgen in known
            ]
    return found


def _draws(stream: pikepdf.Stream) -> bool:
    """Whether a stream is drawn as content: a form XObject or a tiling pattern's cell."""
    return stream.stream_dict.get("/Subtype") == pikepdf.Name.Form or (
        stream.stream_dict.get("/PatternType") == 1
    )


def _nesting(drawings: list[pikepdf.Stream]) -> int:
    """How deep drawings stand inside one another through their resources (a loop counts as
    deeper than any limit)."""
    known = {d.objgen: d for d in drawings}
    depth: dict[tuple[int, int], int] = {}

    def inside(key: tuple[int, int], seen: frozenset[tuple[int, int]]) -> int:
        if key in seen or len(seen) > _MOST_NESTED:
            return _MOST_NESTED + 1
        if key not in depth:
            children = [child.objgen for child in _drawn_inside(known[key], known, {})]
            depth[key] = 1 + max((inside(child, seen | {key}) for child in children), default=0)
        return min(depth[key], _MOST_NESTED + 1)

    return max((inside(key, frozenset()) for key in known), default=0)


def _strings(item: object, found: list[str], depth: int) -> None:
    """The strings in an object and the direct objects inside it."""
    if isinstance(item, pikepdf.String):
        found.append(str(item))
    elif depth <= _DEPTH and isinstance(item, (pikepdf.Array, pikepdf.Dictionary)):
        children = item.values() if isinstance(item, pikepdf.Dictionary) else item
        for child in children:
            if not (isinstance(child, pikepdf.Object) and child.is_indirect):
                _strings(child, found, depth + 1)


class _Heard(logging.Handler):
    """Whether qpdf complained while reading, or ran out of memory (and nothing of it printed
    on the terminal)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said = self.out_of_memory = False

    def emit(self, record: logging.LogRecord) -> None:
        self.said = True
        self.out_of_memory = self.out_of_memory or _OUT_OF_MEMORY in record.getMessage()


# An object's header, wherever it stands: PDFium, repairing a file it does not accept (a root
# it reads otherwise than qpdf), reads one mid-line too, and white space includes comments.
# PDFium's blanks are 0x80 and 0xFF too, and its numbers any run of digits, signs and points
# (`7\x800\x80obj`, `7 0.0 obj` and `7 -0 obj` each started a second document it read).
# Looked for at every number, overlapping: a header's blanks may hold a comment, and a second
# header inside that comment (`10 0 %3 0 obj <<...>>`) was where PDFium read a page qpdf never
# did (its table found through a `startxref` only qpdf read, as `xstartxref`).
_BLANK = rb"(?:[\x00\t\n\x0c\r \x80\xff]|%[^\r\n]*+)++"
_NUMBER = rb"([0-9+\-.]++)"
_HEADER = re.compile(rb"(?<![0-9+\-.])(?=" + _NUMBER + _BLANK + _NUMBER + _BLANK + rb"obj)")
# A `startxref` that is no word of its own: qpdf reads the table it names, PDFium another.
_RUN_ON_STARTXREF = re.compile(rb"[A-Za-z0-9]startxref")


def _unlisted_objects(pdf: pikepdf.Pdf, table: _Table, data: bytes) -> bool:
    """Whether the file holds an object its cross-reference table does not place where it
    stands, or an object stream listing an object twice or one the table places elsewhere.
    qpdf reads the table; PDFium, repairing, reads every object it finds (a script in an object
    stream no table listed; of an object listed twice, the other copy). An earlier version's
    objects, which an edited file keeps, count too."""
    placed = {(n, g): e.offset for (n, g), e in table.items() if e.type == 1}
    if _RUN_ON_STARTXREF.search(data):
        return True
    for found in _HEADER.finditer(data):
        number, generation = found[1], found[2]
        if not (number.isdigit() and generation.isdigit()):
            return True  # a header to PDFium, none to qpdf
        if placed.get((int(number), int(generation))) != found.start():
            return True
    for number in _object_streams(table):
        stream = pdf.get_object((number, 0))
        first = stream.get("/First") if isinstance(stream, pikepdf.Stream) else None
        if not isinstance(first, int):  # no object stream where the table says (or unreadable)
            return True
        numbers = [int(n) for n in stream.read_bytes()[:first].split()[::2]]
        entries = [table.get((n, 0)) for n in numbers]
        if len(set(numbers)) != len(numbers) or any(
            e is None or e.type != 2 or (e.obj_stream_number, e.obj_stream_index) != (number, i)
            for i, e in enumerate(entries)
        ):
            return True
    return False


def _second_catalog(found: pikepdf.Object, root: pikepdf.Object) -> bool:
    """Whether an object is a document's catalog other than the one qpdf reads: PDFium,
    repairing a file, takes the root of the last trailer it finds."""
    return (
        isinstance(found, pikepdf.Dictionary) and "/Pages" in found and found.objgen != root.objgen
    )


def _unused_object_stream(found: pikepdf.Object, streams: set[int]) -> bool:
    """Whether an object is an object stream the table places no object in: PDFium, repairing
    a file, reads it all the same (a catalog running a script, and a page of another dose)."""
    return (
        isinstance(found, pikepdf.Stream)
        and found.stream_dict.get("/Type") == pikepdf.Name.ObjStm
        and found.objgen[0] not in streams
    )


def _object_streams(table: _Table) -> set[int]:
    """The numbers of the object streams the table places objects in."""
    found = {e.obj_stream_number for e in table.values() if e.type == 2}
    return {number for number in found if number is not None}


def _active(found: pikepdf.Object, depth: int) -> str | None:
    """The first active name in an object and the direct objects inside it (`_TOO_DEEP` for
    one nested past `_DEPTH`, which no real file does)."""
    if depth > _DEPTH:
        return _TOO_DEEP
    if isinstance(found, pikepdf.Name):
        written = _ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), found.unparse())
        return _active_name(written)
    if isinstance(found, pikepdf.Stream):
        found = found.stream_dict
    if isinstance(found, pikepdf.Dictionary):
        # Anything with an appearance of its own is drawn over the page (a link has none), as
        # PDFium draws it: on screen, in print, or both, whatever its type says.
        if "/AP" in found or _annotation(found):
            return "/Annot"
        if isinstance(found.get("/Subtype"), pikepdf.String):
            return _SPLIT  # a drawing to PDFium, to other viewers nothing at all
        for key, value in found.items():
            if key == "/Annots" and not _plain_links(value):
                return "/Annot"
            if name := _active_name(key.encode("utf-8", "surrogateescape")):
                return name
            if key == "/OpenAction" and not _opens_a_page(value):
                return "/OpenAction"
            if key == "/URI" and not _LINK.match(str(value)):
                return "/URI"
        children: Iterator[pikepdf.Object] = iter(found.values())
    elif isinstance(found, pikepdf.Array):
        children = iter(found)
    else:
        return None
    for child in children:
        # Numbers come back as Python's; an indirect object is read on its own (`pdf.objects`).
        direct = isinstance(child, pikepdf.Object) and not child.is_indirect
        if direct and (name := _active(child, depth + 1)) is not None:
            return name
    return None


def _active_name(written: bytes) -> str | None:
    """The active name a name's bytes stand for (`_SPLIT` for one two readers read apart);
    None for any other. A font's name need not be UTF-8: a byte 0x80 inside a letter of
    another script (UTF-8's 思, Shift-JIS's ム) leaves PDFium no name a PDF means anything by."""
    split = _SPLIT_NAME.search(written)
    if split and written[: split.start()].isascii():
        return _SPLIT
    name = written.decode("latin-1")
    return name if name in ACTIVE else None


def _annotation(found: pikepdf.Dictionary) -> bool:
    """Whether a dictionary is drawn over the page as anything but a plain link: one with a
    `/Rect` and a `/Subtype`, whatever its type, or one of an annotation's type without a
    `/Rect` (PDFium makes one from an ink's strokes or a highlight's points: a white stroke
    turned "Do not exceed" into "Do ___ exceed")."""
    subtype = found.get("/Subtype")
    if subtype is None or _plain_link(found):
        return False
    named = str(subtype) if str(subtype).startswith("/") else f"/{subtype}"
    return "/Rect" in found or named in _ANNOTATIONS


def _plain_links(annotations: object) -> bool:
    """Whether every entry of a page's `/Annots` is a plain link (an entry is drawn as an
    annotation whatever it says it is)."""
    entries = annotations if isinstance(annotations, pikepdf.Array) else [annotations]
    return all(isinstance(e, pikepdf.Dictionary) and _plain_link(e) for e in entries)


def _plain_link(annotation: pikepdf.Dictionary) -> bool:
    """Whether an annotation is a link shown as on screen as in print: anything else (a note, a
    box, a stamp, a form's field) draws over the page what its text does not say."""
    flags = annotation.get("/F", 0)
    link = annotation.get("/Subtype") == pikepdf.Name.Link
    return link and isinstance(flags, int) and not flags & _UNSEEN


def _opens_a_page(action: object) -> bool:
    """Whether an `/OpenAction` only opens the file at a page: a destination, or a `/GoTo` to
    one (what LaTeX and office suites write)."""
    if isinstance(action, pikepdf.Array):
        return True
    return (
        isinstance(action, pikepdf.Dictionary)
        and set(action.keys()) <= {"/S", "/D", "/Type"}
        and (action.get("/S") == pikepdf.Name.GoTo)
    )


def _what(name: str) -> str:
    if name == _TOO_DEEP:
        return "objects nested deeper than any document's"
    if name == "/Annot":
        return "a note, box or field drawn over the page (print it to PDF again, which flattens it)"
    if name == LINEARIZED:
        return "fast web view (linearized), which viewers read two ways (print it to PDF again)"
    if name == _SPLIT:
        return "a name two readers read differently (save it as PDF again)"
    if name in LAYERS:
        return "layers shown differently on screen and in print (print it to PDF again)"
    if name == "/URI":
        return "a link to something other than a web page or an e-mail address"
    if name in ("/JS", "/JavaScript", "/AA", "/OpenAction", "/XFA"):
        return "a script or an action run as it opens (export it again without them)"
    if name in ("/AcroForm", "/SubmitForm", "/ResetForm", "/ImportData"):
        return "a form (print it to PDF, which keeps what the fields show)"
    return f"something that runs, plays or opens other files ({name[1:]})"


# (`saved_again`; after `_what`, which names fast web view.)
SAVED_OTHERWISE = frozenset({_UNLISTED, f".pdf with {_what(LINEARIZED)}", _DAMAGED})
