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

And the site never publishes the file as it was written: it publishes what qpdf read of it,
written anew by qpdf (`published_pdf`): every object the document uses, each where its table
says, and nothing else. What another reader might find in the original (an object no table
lists, a second document after the end, a name it ends early) is not in the published file, so
Chromium's viewer reads the document the checks read.
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

import pikepdf

LAYERS = frozenset({"/OCProperties", "/OC", "/OCG", "/OCMD", "/Usage"})
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
# Of processor time, to read the file and write it anew twice: four seconds, and two more each
# 5 MB, 20 at most.
READ_SECONDS = 20
_SECONDS_PER_BYTE = 2 / 5_000_000
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
# in: why it is refused (None when it passes), and the file as the site publishes it (empty
# when refused). A build reads the site pages' PDFs again in the audit.
_READ: dict[tuple[str, int, int], tuple[str | None, bytes]] = {}


def pdf_problem(data: bytes) -> str | None:
    """Why a PDF is not a plain document (".pdf with a form ..."), or None. Read in a child
    process whose memory and processor time are bounded (`READ_MEMORY`, `READ_SECONDS`): what
    qpdf cannot read (or write anew) within them is refused, whatever its shape."""
    return _reading(data)[0]


def published_pdf(data: bytes) -> bytes:
    """A PDF that passes `pdf_problem` as the site publishes it: written anew by qpdf from what
    it read, the same bytes for the same file every time. A file written so is written again
    to the same bytes, which is how the audit knows a published PDF was."""
    problem, written = _reading(data)
    if problem is not None:
        raise ValueError(f"a PDF the checks refuse is never published: {problem}")
    return written


def _reading(data: bytes) -> tuple[str | None, bytes]:
    # A small file of little but objects (5.6 KB packing 2.6 million arrays) took 8 s: the time
    # a file may take grows with its size.
    seconds = min(READ_SECONDS, 4 + int(len(data) * _SECONDS_PER_BYTE))
    key = (hashlib.sha256(data).hexdigest(), READ_MEMORY, seconds)
    if key not in _READ:
        _READ[key] = _read_in_a_child(data, seconds)
    return _READ[key]


# The child: this file's source on its own (it imports only the standard library and pikepdf).
_CHILD = (
    "import json, sys; "
    "sys.path += [p for p in json.loads(sys.argv[2]) if p not in sys.path]; "
    "reader = {'__name__': 'pdf_reader', '__file__': sys.argv[1]}; "
    "exec(compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec'), reader); "
    "reader['_bounded_read'](int(sys.argv[3]), int(sys.argv[4]))"
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


def _read_in_a_child(data: bytes, seconds: int) -> tuple[str | None, bytes]:
    arguments = [str(_THIS_FILE), _libraries(), str(READ_MEMORY), str(seconds)]
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, *arguments],
            input=data,
            capture_output=True,
            timeout=seconds * 5,  # processor time is bounded; this is for a stuck child
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _TOO_LARGE, b""
    if done.returncode < 0:  # killed past its processor time, or aborted by qpdf
        return _TOO_LARGE, b""
    if done.returncode > 0 or not done.stdout:  # a fault of the pipeline's: never a verdict
        said = done.stderr.decode("utf-8", errors="replace").strip().splitlines()[-3:]
        raise RuntimeError("reading a PDF failed: " + (" / ".join(said) or "no answer"))
    if done.stdout.startswith(b"\0"):  # it passes: the file as written anew follows
        return None, done.stdout[1:]
    return done.stdout.decode("utf-8"), b""


def _bounded_read(memory: int, seconds: int) -> None:
    """The child's side of `pdf_problem`: bound itself, read the PDF on stdin, print why it is
    refused, or a NUL byte and the file written anew when it passes."""
    import resource

    with contextlib.suppress(ValueError, OSError):  # where the system cannot bound memory
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    _, most = resource.getrlimit(resource.RLIMIT_CPU)  # never above a bound already set
    unbounded = most == resource.RLIM_INFINITY
    resource.setrlimit(resource.RLIMIT_CPU, (seconds if unbounded else min(seconds, most), most))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # killed, it leaves no core file behind
    data = sys.stdin.buffer.read()
    written = io.BytesIO()
    try:
        problem = _problem(data, written)
    except MemoryError:
        problem = _TOO_LARGE
    sys.stdout.buffer.write(problem.encode("utf-8") if problem else b"\0" + written.getvalue())


def _problem(data: bytes, written: io.BytesIO) -> str | None:
    """Why a PDF is not a plain document, read by qpdf in this process; when it is one, the
    file written anew into `written`."""
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
                return ".pdf that cannot be read"
            if (name := _active(pdf.trailer, 0)) is not None:
                return f".pdf with {_what(name)}"
            table = pdf.get_xref_table()
            unlisted = ".pdf that holds objects its table does not list (save it as PDF again)"
            if _unlisted_objects(pdf, table, data):
                return unlisted
            streams = _object_streams(table)
            for found in pdf.objects:
                if _unused_object_stream(found, streams):
                    return unlisted
                if _second_catalog(found, pdf.Root):
                    return ".pdf that holds a second document (save it as PDF again)"
                if (name := _active(found, 0)) is not None:
                    return f".pdf with {_what(name)}"
            # After every object is read: qpdf reads them as they are asked for.
            warnings = pdf.get_warnings()
            if heard.out_of_memory or any(_OUT_OF_MEMORY in w for w in warnings):
                return _TOO_LARGE
            if warnings or heard.said:
                return ".pdf that is damaged (print or save it as PDF again)"
            _write(pdf, written)
            warnings = pdf.get_warnings()
            if heard.out_of_memory or any(_OUT_OF_MEMORY in w for w in warnings):
                return _TOO_LARGE
            if warnings or heard.said:
                return ".pdf that is damaged (print or save it as PDF again)"
        # Writing anew unpacks nothing (streams stay as they were): a file that grows is made
        # to, and would fill the site and the build's memory.
        if written.tell() > 4 * len(data) + 2**20:
            return _TOO_LARGE
        # What the site publishes is written the same way again: the audit knows a published
        # PDF by that.
        again = io.BytesIO()
        written.seek(0)
        with pikepdf.open(written) as pdf:
            _write(pdf, again)
            warnings = pdf.get_warnings()
        if heard.out_of_memory or any(_OUT_OF_MEMORY in w for w in warnings):
            return _TOO_LARGE
        if again.getbuffer() != written.getbuffer() or warnings or heard.said:
            return ".pdf that qpdf does not write the same way twice (save it as PDF again)"
    except pikepdf.PasswordError:
        return ".pdf that is encrypted"
    except (pikepdf.PdfError, RuntimeError, ValueError) as error:  # RecursionError too
        return _TOO_LARGE if _OUT_OF_MEMORY in str(error) else ".pdf that cannot be read"
    finally:
        log.removeHandler(heard)
    return None


def _write(pdf: pikepdf.Pdf, out: io.BytesIO) -> None:
    """The document written anew (`published_pdf`): every object it uses, in object streams
    qpdf makes (a file packing a million small objects in its own stays small), streams as
    they were (no image compressed again), an identifier made from the content. Nothing else
    of the original (the trailer's keys the checks read), nothing else changed."""
    pdf.save(
        out,
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        compress_streams=False,
        fix_metadata_version=False,
        linearize=False,
    )


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
        if "/AP" in found or ("/Rect" in found and "/Subtype" in found and not _plain_link(found)):
            return "/Annot"
        for key, value in found.items():
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
