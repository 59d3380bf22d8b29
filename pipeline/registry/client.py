"""The polite HTTP client for the registries: the only module of the pipeline that goes online.

Crossref and NCBI give their data away and ask users to be polite:

- Crossref (api.crossref.org/swagger-ui, "Etiquette"): say who you are in the User-Agent, with a
  `mailto:` address; with it, requests go to the "polite pool", which since December 2025 allows
  10 single-record requests a second, 3 at a time (without it: 5 a second, 1 at a time);
- NCBI (E-utilities usage guidelines): at most 3 requests a second, 10 with an API key
  (`NCBI_API_KEY`), `tool` and `email` on every request; esummary takes up to 200 PMIDs in one
  request, so a thousand PMIDs are five requests.

Both answer 429 when a client goes too fast. Each registry here has its own pace (a minimum
interval between the starts of two requests, and a limit on requests at once); a 429, a 5xx, a
timeout or a broken connection is retried with exponential backoff (or after the server's
Retry-After). A request that still fails is reported as a `Failure`, never as an answer: a
network failure never marks anything as checked. httpx does the HTTP; the pacing and retries are
ours, a few lines each.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from pipeline.registry.records import Record, parse_crossref, pubmed_summaries

PMIDS_PER_REQUEST = 200  # esummary's documented limit for one GET
RETRIES = 4  # after the first try: 5 tries in all
BACKOFF = 1.0  # seconds before the first retry, doubled for each next one
MAX_WAIT = 60.0  # the longest Retry-After honoured
TIMEOUT = 30.0  # seconds for one request
_AGAIN = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Limits:
    per_second: float
    at_once: int


CROSSREF_POLITE = Limits(10, 3)
CROSSREF_PUBLIC = Limits(5, 1)
NCBI = Limits(3, 3)
NCBI_WITH_KEY = Limits(10, 3)


@dataclass(frozen=True)
class Failure:
    """A registry that could not be reached, or gave no usable answer: why, in plain words."""

    reason: str


Answer = Record | None | Failure  # the record; None: the registry has no such work


class _Pace:
    """Starts no two requests closer than 1/per_second apart, and at most `at_once` at a time."""

    def __init__(self, limits: Limits) -> None:
        self.interval = 1 / limits.per_second
        self.slots = asyncio.Semaphore(limits.at_once)
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def turn(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        await asyncio.sleep(start - now)


def user_agent(contact: str, repository: str = "") -> str:
    """`medical-pipeline/0.1.0 (https://github.com/o/r; mailto:editors@example.org)`."""
    try:
        version = importlib.metadata.version("medical-pipeline")
    except importlib.metadata.PackageNotFoundError:
        version = "0"
    about = "; ".join(part for part in (repository, f"mailto:{contact}" if contact else "") if part)
    return f"medical-pipeline/{version}" + (f" ({about})" if about else "")


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    return min(float(value), MAX_WAIT) if value.strip().isdecimal() else 0.0


class Registries:
    """Crossref and PubMed, each at its own pace. Use as `async with Registries(...) as r:`."""

    def __init__(
        self,
        crossref: str,
        pubmed: str,
        contact: str = "",
        api_key: str = "",
        repository: str = "",
    ) -> None:
        self.crossref = crossref.rstrip("/")
        self.pubmed = pubmed.rstrip("/")
        self.contact = contact
        self.api_key = api_key
        self.timeout, self.retries, self.backoff = TIMEOUT, RETRIES, BACKOFF
        self.crossref_limits = CROSSREF_POLITE if contact else CROSSREF_PUBLIC
        self.pubmed_limits = NCBI_WITH_KEY if api_key else NCBI
        self._headers = {"User-Agent": user_agent(contact, repository)}
        self._http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Registries:
        self._crossref_pace = _Pace(self.crossref_limits)
        self._pubmed_pace = _Pace(self.pubmed_limits)
        self._http = httpx.AsyncClient(headers=self._headers, timeout=self.timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def _get(
        self, pace: _Pace, url: str, params: Mapping[str, str] | None = None
    ) -> httpx.Response | Failure:
        assert self._http is not None, "use Registries in `async with`"
        reason = ""
        for attempt in range(self.retries + 1):
            wait = 0.0
            async with pace.slots:
                await pace.turn()
                try:
                    response = await self._http.get(url, params=params)
                except httpx.TimeoutException:
                    reason = f"no answer within {self.timeout:g} seconds"
                except httpx.HTTPError as error:
                    reason = f"could not connect ({type(error).__name__})"
                else:
                    if response.status_code not in _AGAIN:
                        return response
                    reason = f"it answered HTTP {response.status_code}"
                    wait = _retry_after(response)
            if attempt < self.retries:
                await asyncio.sleep(max(wait, self.backoff * 2**attempt))
        return Failure(f"{reason} ({self.retries + 1} tries)")

    async def work(self, doi: str) -> Answer:
        """Crossref's record of `doi`."""
        url = f"{self.crossref}/works/{quote(doi, safe='/')}"
        response = await self._get(self._crossref_pace, url)
        if isinstance(response, Failure):
            return response
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            return Failure(f"it answered HTTP {response.status_code}")
        try:
            message = response.json()["message"]
            return parse_crossref(message)
        except (ValueError, KeyError, TypeError, AttributeError):
            return Failure("its answer was not a Crossref work")

    async def summaries(self, pmids: Sequence[str]) -> dict[str, Answer]:
        """PubMed's records of up to PMIDS_PER_REQUEST `pmids`, in one request."""
        params = {"db": "pubmed", "id": ",".join(pmids), "retmode": "json"}
        params |= {"tool": "medical-pipeline"} | ({"email": self.contact} if self.contact else {})
        params |= {"api_key": self.api_key} if self.api_key else {}
        response = await self._get(self._pubmed_pace, f"{self.pubmed}/esummary.fcgi", params)
        if not isinstance(response, Failure) and response.status_code != 200:
            response = Failure(f"it answered HTTP {response.status_code}")
        found: dict[str, Answer] = {}
        if not isinstance(response, Failure):
            try:
                found.update(pubmed_summaries(response.json(), pmids))
            except ValueError:
                response = Failure("its answer was not JSON")
        unknown = response if isinstance(response, Failure) else Failure("it left it out")
        return {pmid: found.get(pmid, unknown) for pmid in pmids}


async def look_up(
    registries: Registries,
    dois: Iterable[str],
    pmids: Iterable[str],
    progress: Callable[[int], None] = lambda done: None,
) -> dict[str, Answer]:
    """Every DOI and PMID, by compared identifier (`doi:…`, `pmid:…`); both registries at once,
    each at its own pace. `progress` is told how many more are done."""

    async def one(doi: str) -> dict[str, Answer]:
        answer = await registries.work(doi)
        progress(1)
        return {f"doi:{doi.lower()}": answer}

    async def batch(chunk: Sequence[str]) -> dict[str, Answer]:
        answers = await registries.summaries(chunk)
        progress(len(chunk))
        return {f"pmid:{pmid}": answer for pmid, answer in answers.items()}

    wanted = sorted(set(pmids), key=int)
    chunks = [wanted[i : i + PMIDS_PER_REQUEST] for i in range(0, len(wanted), PMIDS_PER_REQUEST)]
    tasks: list[Any] = [one(doi) for doi in sorted(set(dois))] + [batch(c) for c in chunks]
    found: dict[str, Answer] = {}
    for done in await asyncio.gather(*tasks):
        found.update(done)
    return found
