"""Crossref and PubMed, replayed on 127.0.0.1: the registry tests and the benchmark never go
online.

`GET /crossref/works/{doi}` answers like api.crossref.org: the stored works JSON, or 404 with
Crossref's plain-text "Resource not found.". `GET /eutils/esummary.fcgi?db=pubmed&id=...&
retmode=json` answers like E-utilities: the stored document summaries of the PMIDs asked for,
in esummary's JSON envelope, and `{"uid": ..., "error": "cannot get document summary"}` for one
it does not know. A `script` makes an identifier misbehave first: `"429"` (Too Many Requests,
Retry-After 0), `"503"`, or `"slow"` (no answer for `delay` seconds). Every request is logged
with its time and headers, so tests can check pacing and politeness.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "registry"


@dataclass
class Request:
    at: float
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class Registry:
    """What the replayed registries know, and how they misbehave."""

    works: dict[str, Any] = field(default_factory=dict)  # lowercase DOI -> works JSON
    summaries: dict[str, Any] = field(default_factory=dict)  # PMID -> document summary
    script: dict[str, list[str]] = field(default_factory=dict)  # DOI or PMID -> misbehaviour
    delay: float = 3.0
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_trick(self, ids: list[str]) -> str:
        with self.lock:
            for ident in ids:
                if self.script.get(ident):
                    return self.script[ident].pop(0)
        return ""


def stored() -> Registry:
    """The registry fixtures: real records (trimmed to what a check reads) and, under
    Crossref's test prefix 10.5555, records made in Crossref's shape for the cases no real
    record could be relied on for. See tests/fixtures/registry/README.md."""
    registry = Registry()
    for path in sorted((FIXTURES / "crossref").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        registry.works[data["message"]["DOI"].lower()] = data
    for path in sorted((FIXTURES / "pubmed").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        registry.summaries[data["uid"]] = data
    return registry


class _Handler(BaseHTTPRequestHandler):
    registry: Registry

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, kind: str, headers: Mapping[str, str] = {}) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client gave up
            self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        self.registry.requests.append(
            Request(time.monotonic(), url.path, query, dict(self.headers.items()))
        )
        if url.path.startswith("/crossref/works/"):
            doi = unquote(url.path.removeprefix("/crossref/works/")).lower()
            if self._misbehave([doi]):
                return
            work = self.registry.works.get(doi)
            if work is None:
                self._send(404, b"Resource not found.", "text/plain")
            else:
                self._send(200, json.dumps(work).encode(), "application/json")
        elif url.path == "/eutils/esummary.fcgi" and query.get("db") == ["pubmed"]:
            pmids = [p for p in query.get("id", [""])[0].split(",") if p]
            if self._misbehave(pmids):
                return
            result: dict[str, Any] = {"uids": pmids}
            for pmid in pmids:
                found = self.registry.summaries.get(pmid)
                result[pmid] = found or {"uid": pmid, "error": "cannot get document summary"}
            body = {"header": {"type": "esummary", "version": "0.3"}, "result": result}
            self._send(200, json.dumps(body).encode(), "application/json")
        else:
            self._send(404, b"Resource not found.", "text/plain")

    def _misbehave(self, ids: list[str]) -> bool:
        trick = self.registry.next_trick(ids)
        if trick == "slow":
            time.sleep(self.registry.delay)
        elif trick in ("429", "503"):
            headers = {"Retry-After": "0"} if trick == "429" else {}
            self._send(int(trick), b"", "text/plain", headers)
            return True
        return False


class RegistryServer:
    """`with RegistryServer(registry) as server:` serves on a free port of 127.0.0.1."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        handler = type("Handler", (_Handler,), {"registry": registry})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def settings(self) -> str:
        """pipeline.yml lines pointing the pipeline at this server."""
        return f"crossref_api: {self.url}/crossref\npubmed_api: {self.url}/eutils\n"

    def __enter__(self) -> RegistryServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# Records in the registries' shapes, for the benchmark's thousand made-up works.


def crossref_work(doi: str, title: str, family: str, year: int, journal: str) -> dict[str, Any]:
    return {
        "status": "ok",
        "message-type": "work",
        "message-version": "1.0.0",
        "message": {
            "DOI": doi,
            "type": "journal-article",
            "title": [title],
            "author": [{"given": "Tessa", "family": family, "sequence": "first"}],
            "container-title": [journal],
            "issued": {"date-parts": [[year]]},
            "published": {"date-parts": [[year]]},
            "publisher": "Test accounts",
            "URL": f"https://doi.org/{doi}",
        },
    }


def pubmed_summary(pmid: str, title: str, family: str, year: int, journal: str) -> dict[str, Any]:
    return {
        "uid": pmid,
        "pubdate": str(year),
        "epubdate": "",
        "source": journal,
        "authors": [{"name": f"{family} T", "authtype": "Author", "clusterid": ""}],
        "title": f"{title}.",
        "pubtype": ["Journal Article"],
        "articleids": [{"idtype": "pubmed", "idtypen": 1, "value": pmid}],
        "references": [],
        "fulljournalname": journal,
    }
