"""Staged pages in MkDocs: read from one file, converted late, one at a time, and on a second
core when there is one.

MkDocs converts the Markdown of every page first and renders the templates after, holding the
HTML of every page in between. The plugin defers the staged pages instead (the articles, and
the home and topic pages that list them): their Markdown is kept aside while MkDocs reads the
pages, and converted just before the page's template is rendered (`Articles.convert`, called
from on_page_context, before the search plugin indexes the page), so only the page being
written is held. The staged pages are slices of one file (`BundledFile`), and an article's
front matter reaches its page as data (`StagedArticle`), never as YAML to parse again.

Each page then stands on its own, so a worker process forked once the pages are read converts
pages ahead while this process renders templates: on two cores the Markdown conversion, the
largest part of a build, runs beside the rest instead of before it. Both processes take pages
from one list of claims, so neither waits while the other has work left. The worker only runs
`Page.render` (MkDocs' own conversion) on its copy of a page and sends back what that sets: the
HTML, the table of contents, the title, the anchors and the log records it wrote. Every plugin
event still runs here, in order. A page the worker fails on, or every page after the worker
stops, is converted here instead, where an error surfaces as it would without the worker.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils.meta import get_data

from pipeline.forked import forking_allowed
from pipeline.prerendered import Lifted, anchor_ids, lift, tail_of
from pipeline.render import CITATION
from pipeline.sanitize import clean

# Where an article's finished tail goes back in: nh3 has removed every comment an author wrote,
# and the search plugin skips comments, so the index never parses the tail.
TAIL_SLOT = "<!-- pipeline: tail -->"
_SEARCH_HINT = re.compile(r'\s?data-search-\w+="[^"]+"')  # as the search plugin removes them


@dataclass
class Finished:
    """A page's HTML as the plugin publishes it, prepared where it was converted."""

    html: str  # an article's sanitized, citations in
    for_search: str  # the same without the citation superscripts (numbers are no search words)
    tail: str  # the finished HTML that goes back in after the template, sanitized ("" if none)


def finish(page: Page, lifted: Lifted | None) -> Finished:
    """Sanitize a converted article (the second line of defence), citations restored first,
    and prepare its tail; a heading's citation is no part of its table-of-contents label."""
    assert page.content is not None
    if lifted is None:
        html = clean(page.content)
        return Finished(html, html, "")
    html = clean(lifted.restore_citations(page.content))
    for item in _walk(page.toc):
        item.title = lifted.without_tokens(item.title)
    tail = ""
    if lifted.has_tail:
        # Never indexed, so its search hints go, as the search plugin removes them from pages.
        tail = _SEARCH_HINT.sub("", clean(tail_of(page.file.content_string)))
    if page.present_anchor_ids is not None:  # so MkDocs' anchor check knows #ref-1 exists
        page.present_anchor_ids |= lifted.anchor_ids() | anchor_ids(tail)
    return Finished(html, CITATION.sub("", html), tail)


def _walk(toc: Iterable[AnchorLink]) -> Iterator[AnchorLink]:
    for item in toc:
        yield item
        yield from _walk(item.children)


@dataclass
class Converted:
    """What Page.render sets on a page, and the article finished."""

    content: str
    toc: TableOfContents
    title: str | None
    anchors: set[str]
    links: dict[str, dict[str, str]] | None  # links to anchors, by the linked file's src_uri
    finished: Finished
    records: list[logging.LogRecord]

    @classmethod
    def of(
        cls, page: Page, waiting: str | int, config: MkDocsConfig, files: Files, article: bool
    ) -> Converted:
        """Convert a deferred page with MkDocs' own Page.render; an article without its
        finished HTML (`prerendered`), then `finish`ed. A listing page (home, topics) is
        converted just as MkDocs would have."""
        if isinstance(waiting, int):
            source = page.file.content_string
            waiting = source[len(source) - waiting :]
        lifted = lift(waiting) if article else None
        page.markdown = waiting if lifted is None else lifted.markdown
        Page.render(page, config, files)  # MkDocs' own, whatever class the page has
        assert page.content is not None
        finished = finish(page, lifted) if article else Finished(page.content, page.content, "")
        links = page.links_to_anchors
        return cls(
            page.content,
            page.toc,
            page._title_from_render,
            set(page.present_anchor_ids or ()),
            None if links is None else {f.src_uri: dict(a) for f, a in links.items()},
            finished,
            [],
        )

    def apply(self, page: Page, files: Files) -> None:
        page.content = self.content
        page.toc = self.toc
        page._title_from_render = self.title
        page.present_anchor_ids = self.anchors
        if self.links is not None:
            found = {uri: files.get_file_from_path(uri) for uri in self.links}
            page.links_to_anchors = {f: self.links[u] for u, f in found.items() if f is not None}
        for record in self.records:  # MkDocs counts warnings (--strict) as they are handled here
            logging.getLogger(record.name).handle(record)


def _share_anchor_names(page: Page) -> None:
    """A page's anchors stay in memory to the end of the build (MkDocs checks links to them
    then); most names recur on every page ("ref-1", "cite-1", a section's), so each page's
    set refers to one shared copy of each name instead of its own."""
    if page.present_anchor_ids:
        page.present_anchor_ids = {sys.intern(a) for a in page.present_anchor_ids}
    if page.links_to_anchors:
        page.links_to_anchors = {
            file: {sys.intern(a): sys.intern(url) for a, url in links.items()}
            for file, links in page.links_to_anchors.items()
        }


class BundledFile(File):
    """A staged page, stored as a slice of one file that holds them all: creating a file per
    page cost more than anything else the plugin did before MkDocs read them back. An article
    page's front matter follows its body in the file, as JSON (`meta_size` bytes)."""

    def __init__(
        self,
        config: MkDocsConfig,
        src_uri: str,
        bundle: str,
        at: int,
        size: int,
        meta_size: int = 0,
    ) -> None:
        super().__init__(src_uri, None, config.site_dir, config.use_directory_urls)
        self.generated_by = "pipeline"
        self.bundle, self.at, self.size, self.meta_size = bundle, at, size, meta_size

    def _read(self, at: int, size: int) -> bytes:
        with open(self.bundle, "rb") as stream:
            stream.seek(at)
            return stream.read(size)

    @property
    def content_bytes(self) -> bytes:
        if self._content is not None:  # another plugin set the content
            return File.content_bytes.fget(self)  # type: ignore[attr-defined,no-any-return]
        return self._read(self.at, self.size)

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        File.content_bytes.fset(self, value)  # type: ignore[attr-defined]

    @property
    def content_string(self) -> str:
        if self._content is not None:
            return File.content_string.fget(self)  # type: ignore[attr-defined,no-any-return]
        return self.content_bytes.decode("utf-8")

    @content_string.setter
    def content_string(self, value: str) -> None:
        File.content_string.fset(self, value)  # type: ignore[attr-defined]

    @property
    def meta_bytes(self) -> bytes:
        """The page's staged front matter as JSON (empty when it has none)."""
        return self._read(self.at + self.size, self.meta_size) if self.meta_size else b""

    def staged_meta(self) -> dict[str, Any]:
        return json.loads(self.meta_bytes) if self.meta_size else {}

    def is_modified(self) -> bool:
        """Staged anew by every build: `--dirty` rebuilds it (MkDocs would compare the dates
        of a source file it does not have)."""
        return True


class StagedArticle(Page):
    """An article page as staged: its front matter arrives as data (no YAML written and parsed
    back), and MkDocs' own render is skipped while the page waits to be converted later (it
    would build a Markdown converter for an empty page).

    The front matter is read from the bundle when something first asks for it (MkDocs reads
    every page before it renders any, and the worker needs none of it), and let go once the
    page is written (`forget_meta`) if it is still as staged: a thousand pages' front matter
    held to the end of the build weighed about 5 MiB. Changed in place by a plugin, it is kept;
    before the bundle goes, a page reads back what it let go of (`hold_meta`)."""

    def __init__(self, file: BundledFile, config: MkDocsConfig) -> None:
        self._meta: dict[str, Any] | None = None
        self._meta_staged = False  # `_meta` is the bundle's, as read: safe to read again
        super().__init__(None, file, config)
        self.bundled = file
        self.deferred = False

    @property  # type: ignore[override]
    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            self._meta, self._meta_staged = self.bundled.staged_meta(), True
        return self._meta

    @meta.setter
    def meta(self, value: dict[str, Any]) -> None:
        self._meta, self._meta_staged = value, False

    def forget_meta(self) -> None:
        """Let go of the front matter if it is as staged (read again should anything ask for
        it); front matter a plugin set or changed stays."""
        if self._meta_staged and self._meta is not None:
            staged = json.dumps(self._meta, ensure_ascii=False).encode("utf-8")
            if staged == self.bundled.meta_bytes:
                self._meta = None
            else:
                self._meta_staged = False

    def hold_meta(self) -> None:
        """Read back front matter that was let go of: the bundle is about to be removed."""
        if self._meta is None:
            _ = self.meta
        self._meta_staged = False

    def read_source(self, config: MkDocsConfig) -> None:
        source = config.plugins.on_page_read_source(page=self, config=config)
        if source is None:
            self.markdown, self._meta = self.file.content_string, None
            return
        # Another plugin supplied the source: read it as MkDocs would, but the staged front
        # matter (title, review status) stays what the pipeline made it.
        self.markdown, meta = get_data(source)
        self.meta = {**meta, **self.bundled.staged_meta()}

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if not self.deferred:
            super().render(config, files)
            return
        self.content, self.toc, self._title_from_render = "", TableOfContents([]), None
        self.present_anchor_ids = set()


class Articles:
    """The deferred pages of one build (the articles, and the listing pages that link to them),
    from on_page_markdown to the written page."""

    def __init__(self) -> None:
        # src_uri -> what to convert: the Markdown another plugin changed, or (as an int) the
        # length of the page's own body, read again from its file when it is converted
        self.waiting: dict[str, str | int] = {}
        self.articles: set[str] = set()  # which of them are articles
        self.finished: dict[str, Finished] = {}  # converted, until their tail is back in
        self.indexed: dict[str, str] = {}  # HTML while the search plugin indexes the page
        self.order: dict[str, int] = {}
        self.jobs: list[str] = []
        self.ahead: dict[str, Converted | None] = {}  # converted here before their turn
        self.worker: Worker | None = None

    def defer(self, page: Page, markdown: str, article: bool) -> str:
        """Keep what to convert for later; MkDocs gets an empty page to convert now. Most pages
        reach here as their file has them: then only the length is kept, not the text."""
        unchanged = page.file.content_string.endswith(markdown)
        self.waiting[page.file.src_uri] = len(markdown) if unchanged else markdown
        if article:
            self.articles.add(page.file.src_uri)
        if isinstance(page, StagedArticle):
            page.deferred = True
        return ""

    def is_waiting(self, page: Page) -> bool:
        return page.file.src_uri in self.waiting

    def is_converted(self, page: Page) -> bool:
        return page.file.src_uri in self.finished

    def start(self, pages: Sequence[Page], config: MkDocsConfig, files: Files) -> None:
        """Start converting ahead, in the order MkDocs will write the pages."""
        jobs = [p.file.src_uri for p in pages if self.is_waiting(p)]
        self.jobs, self.order = jobs, {uri: index for index, uri in enumerate(jobs)}
        if len(jobs) > 1 and worker_allowed():
            try:
                self.worker = Worker(jobs, self.waiting, self.articles, config, files)
            except OSError:  # no process to be had (memory, limits): convert them all here
                self.worker = None

    def convert(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        """Convert a deferred page as Page.render would (or take the worker's conversion)."""
        uri = page.file.src_uri
        index = self.order.get(uri)
        converted = None
        if uri in self.ahead:  # claimed here while the worker was busy (None: that failed)
            converted = self.ahead.pop(uri)
        elif self.worker is not None and index is not None:

            def meanwhile(job: int) -> None:
                later = files.get_file_from_path(self.jobs[job])
                assert later is not None and later.page is not None
                try:
                    self.ahead[later.src_uri] = self._here(later.page, config, files)
                except Exception:  # converted again in its turn, where the error names it
                    self.ahead[later.src_uri] = None

            converted = self.worker.take(index, meanwhile, lambda: len(self.ahead) < LOOKAHEAD)
            if converted is not None:
                converted.apply(page, files)
        if converted is None:
            converted = self._here(page, config, files)
        del self.waiting[uri]
        self.finished[uri] = converted.finished
        _share_anchor_names(page)

    def _here(self, page: Page, config: MkDocsConfig, files: Files) -> Converted:
        """Converted in this process: the page then holds what the conversion sets."""
        uri = page.file.src_uri
        return Converted.of(page, self.waiting[uri], config, files, uri in self.articles)

    def html(self, page: Page) -> str:
        """The page's HTML (for on_page_content; an article's sanitized, with a slot for its
        tail)."""
        finished = self.finished[page.file.src_uri]
        return finished.html + ("\n" + TAIL_SLOT if finished.tail else "")

    def hide_citations(self, page: Page) -> None:
        """Before the search plugin indexes an article: its HTML without the citation
        superscripts (numbers are no search words, and parsing them was a third of the work);
        `show_citations` puts them back."""
        finished = self.finished.get(page.file.src_uri)
        if finished is not None and page.content is not None and finished.html in page.content:
            self.indexed[page.file.src_uri] = page.content
            page.content = page.content.replace(finished.html, finished.for_search, 1)

    def show_citations(self, page: Page) -> None:
        before = self.indexed.pop(page.file.src_uri, None)
        if before is None or page.content is None:
            return
        finished = self.finished[page.file.src_uri]
        if finished.for_search in page.content:
            page.content = page.content.replace(finished.for_search, finished.html, 1)
        else:  # the search plugin changed the HTML: it removes its hints, as it does here
            page.content = _SEARCH_HINT.sub("", before)

    def output(self, page: Page, output: str) -> str:
        """The written page, its tail back in; the page's Markdown, HTML and table of contents
        are not kept any longer (its anchors are, for MkDocs' check of links to them)."""
        finished = self.finished.pop(page.file.src_uri, None)
        if finished is None:
            return output
        page.markdown, page.content, page.toc = "", None, TableOfContents([])
        return output.replace(TAIL_SLOT, finished.tail, 1) if finished.tail else output

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None


def worker_allowed() -> bool:
    """Fork only where it is safe (`forking_allowed`: not under `mkdocs serve`, which runs
    threads, nor with PIPELINE_WORKERS=0) and worth it: two cores or more."""
    return forking_allowed() and len(os.sched_getaffinity(0)) > 1


_UNCLAIMED, _WORKER, _HERE = 0, 1, 2
# At most this many pages converted here before their turn, while the worker is busy: each is
# held until it is written.
LOOKAHEAD = 8
_DONE = object()


class Worker:
    def __init__(
        self,
        jobs: list[str],
        waiting: dict[str, str | int],
        articles: set[str],
        config: MkDocsConfig,
        files: Files,
    ) -> None:
        context = multiprocessing.get_context("fork")
        self.claims = context.Array("b", len(jobs))
        receiver, sender = context.Pipe(duplex=False)
        # Everything alive now lives to the end of the build: frozen, the collector of either
        # process leaves it alone (the worker's would copy every page it touched; ours would
        # walk it at every full collection). `stop` unfreezes it.
        gc.freeze()
        self.process = context.Process(
            target=_work,
            args=(jobs, waiting, articles, self.claims, sender, config, files),
            daemon=True,
        )
        try:
            self.process.start()
        except OSError:
            gc.unfreeze()
            receiver.close()
            raise
        finally:
            sender.close()
        self.results: dict[int, Converted | None] = {}
        self.arrived: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.finished = False
        # A thread drains the pipe as results come, so the worker never waits on a full pipe.
        self.reader = threading.Thread(target=self._read, args=(receiver,), daemon=True)
        self.reader.start()

    def _read(self, receiver: Connection) -> None:
        try:
            while True:
                self.arrived.put(receiver.recv())
        except Exception:  # the worker ended (or sent what cannot be read): the rest is ours
            pass
        finally:
            receiver.close()
            self.arrived.put(_DONE)

    def take(
        self, index: int, meanwhile: Callable[[int], None], room: Callable[[], bool]
    ) -> Converted | None:
        """The worker's conversion of job `index`, or None: convert it here (the worker has not
        started it, failed on it, or stopped). While the worker is still on it, this process
        does not wait idle: it converts the next job nobody has started (`meanwhile`), as long
        as there is `room` to keep what it converted ahead."""
        if self._claim(lambda: index if self.claims[index] == _UNCLAIMED else None) is not None:
            return None
        while True:
            self._receive(block=False)
            if index in self.results or self.finished:
                return self.results.pop(index, None)
            ahead = self._claim(lambda: self._unclaimed_after(index)) if room() else None
            if ahead is None:
                break
            meanwhile(ahead)
        while index not in self.results and not self.finished:
            self._receive(block=True)
        return self.results.pop(index, None)

    def _claim(self, choose: Callable[[], int | None]) -> int | None:
        """The job `choose` picks (under the lock), claimed for this process; None if none."""
        lock = self.claims.get_lock()
        while not lock.acquire(timeout=1):
            if not self.process.is_alive():  # it died holding the lock: the rest is ours
                self.finished = True
                return None
        try:
            chosen = choose()
            if chosen is not None:
                self.claims[chosen] = _HERE
            return chosen
        finally:
            lock.release()

    def _unclaimed_after(self, index: int) -> int | None:
        return next(
            (j for j in range(index + 1, len(self.claims)) if self.claims[j] == _UNCLAIMED), None
        )

    def _receive(self, block: bool) -> None:
        """Take what the worker has sent (waiting for one result if `block`)."""
        while not self.finished:
            try:
                item = self.arrived.get(block=block)
            except queue.Empty:
                return
            if item is _DONE:
                self.finished = True
            else:
                self.results[item[0]] = item[1]
            block = False

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.reader.join()
        gc.unfreeze()


def _work(
    jobs: list[str],
    waiting: dict[str, str | int],
    articles: set[str],
    claims: Any,
    sender: Connection,
    config: MkDocsConfig,
    files: Files,
) -> None:
    """The worker: convert each unclaimed job and send it back, log records included."""
    records: list[logging.LogRecord] = []
    _collect_logs(records)
    for index, uri in enumerate(jobs):
        with claims.get_lock():
            if claims[index] != _UNCLAIMED:
                continue
            claims[index] = _WORKER
        records.clear()
        file = files.get_file_from_path(uri)
        converted: Converted | None = None
        try:
            assert file is not None and file.page is not None
            converted = Converted.of(file.page, waiting[uri], config, files, uri in articles)
            converted.records = [_portable(r) for r in records]
        except Exception:  # converted again in the parent, where the error is reported
            converted = None
        sender.send((index, converted))
        if file is not None and file.page is not None:  # sent: this copy need not keep it
            _forget(file.page)
        del converted
    sender.close()


def _forget(page: Page) -> None:
    page.markdown = page.content = None
    page.toc = TableOfContents([])
    page.present_anchor_ids = page.links_to_anchors = None


class _Collector(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _collect_logs(records: list[logging.LogRecord]) -> None:
    """In the worker, log records are kept to be sent back, not printed."""
    mkdocs = logging.getLogger("mkdocs")
    mkdocs.handlers, mkdocs.propagate = [], True  # to the root logger, and only there
    logging.getLogger().handlers = [_Collector(records)]


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message formatted, so it pickles whatever its arguments were."""
    record.msg, record.args = record.getMessage(), None
    record.exc_info = record.exc_text = None
    return record
