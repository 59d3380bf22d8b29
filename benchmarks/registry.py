"""`references verify` on a thousand identifiers, against the floor the registries' rate limits
set (issue 19).

    python -m benchmarks.registry --dois 500 --pmids 500 --out benchmarks/results

Crossref and PubMed are replayed on 127.0.0.1 (`tests/registry_server.py`), so the run measures
the pipeline's own pacing and overhead, not the internet. The project has one article citing
every entry; an entry has a DOI or a PMID, made up where no real work could be claimed: DOIs
under Crossref's test prefix 10.5555, PMIDs from 900000001 (nine digits, beyond any PubMed has
given). The server knows every one of them, so the run ends with all verified.

The floor is what the limits the pipeline keeps allow at best, computed from those limits:
the k-th request to a registry starts no sooner than k intervals after the first, so

- Crossref, with a contact address (its polite pool: 10 single-record requests a second):
  n DOIs, one request each, take at least (n - 1) / 10 s;
- PubMed, without an API key (3 requests a second), 200 PMIDs a request: m PMIDs take at least
  (ceil(m / 200) - 1) / 3 s (1,000 PMIDs one request each would take 333 s; batched, 1.3 s).

Both registries are asked at once, so the floor is the larger of the two. The time is the
wall-clock time of the whole command, as a board member runs it: Python start-up, loading the
project and writing the lock included, with an empty parse cache. The target: within the floor
plus 10 %. Writes registry.md and registry.json to --out.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.registry import client
from tests.registry_server import Registry, RegistryServer, crossref_work, pubmed_summary

REPO = Path(__file__).resolve().parent.parent
TODAY = "2026-11-25"
CONTACT = "benchmark@example.org"
TARGET = 1.10  # the floor plus 10 %


def floor_s(dois: int, pmids: int) -> dict[str, float]:
    crossref = max(dois - 1, 0) / client.CROSSREF_POLITE.per_second
    requests = math.ceil(pmids / client.PMIDS_PER_REQUEST)
    pubmed = max(requests - 1, 0) / client.NCBI.per_second
    return {"crossref": crossref, "pubmed": pubmed, "floor": max(crossref, pubmed)}


def make_project(root: Path, dois: int, pmids: int, server: RegistryServer) -> Registry:
    """The project, and what the replayed registries know about its sources."""
    (root / "content/articles").mkdir(parents=True)
    (root / "content/pages").mkdir(parents=True)
    (root / "references").mkdir()
    for name in ("board.yml", "disclaimer.md"):
        shutil.copy2(REPO / "references" / name, root / "references" / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "pipeline.yml").write_text(
        server.settings() + f"registry_contact: {CONTACT}\n", "utf-8"
    )
    registry = server.registry
    entries, lines = [], []
    for i in range(dois + pmids):
        key, title, family, year = f"bench{i:05d}", f"Benchmark trial number {i}", "Bench", 2020
        if i < dois:
            doi = f"10.5555/bench.{i:05d}"
            registry.works[doi] = crossref_work(doi, title, family, year, "Journal of Benchmarks")
            ident = f"doi = {{{doi}}}"
        else:
            pmid = str(900_000_001 + i)
            registry.summaries[pmid] = pubmed_summary(pmid, title, family, year, "J Bench")
            ident = f"pmid = {{{pmid}}}"
        entries.append(
            f"@article{{{key},\n  author = {{{family}, Tessa}},\n  title = {{{title}}},\n"
            f"  journal = {{Journal of Benchmarks}},\n  year = {{{year}}},\n  {ident},\n}}\n"
        )
        lines.append(f"- Finding {i} [@{key}].")
    (root / "references/library.bib").write_text("\n".join(entries), "utf-8")
    (root / "content/articles/benchmark.md").write_text(
        "---\ntitle: What do a thousand trials say?\nstatus: Submitted\nauthors: [jdoe]\n"
        f"last_updated: {TODAY}\n---\n\n**Many sources.**\n\n" + "\n".join(lines) + "\n",
        "utf-8",
    )
    return registry


def run(dois: int, pmids: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="registry-bench-") as temp:
        root = Path(temp) / "project"
        with RegistryServer(Registry()) as server:
            make_project(root, dois, pmids, server)
            env = {
                **os.environ,
                "PIPELINE_TODAY": TODAY,
                "PIPELINE_CACHE_DIR": str(Path(temp) / "cache"),
                "NCBI_API_KEY": "",
                "PYTHONPATH": str(REPO),
            }
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "pipeline", "references", "verify"],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
            )
            elapsed = time.monotonic() - started
            requests = server.registry.requests
            arrived = sorted(r.at for r in requests)
        if done.returncode != 0:
            raise SystemExit(f"references verify failed ({done.returncode}):\n{done.stderr}")
        lock = json.loads((root / "references/registry-lock.json").read_text("utf-8"))
        statuses = [item["status"] for item in lock["identifiers"].values()]
    floor = floor_s(dois, pmids)
    return {
        "dois": dois,
        "pmids": pmids,
        "identifiers": dois + pmids,
        "verified": statuses.count("verified"),
        "requests": {
            "crossref": sum(r.path.startswith("/crossref/") for r in requests),
            "pubmed": sum(r.path.startswith("/eutils/") for r in requests),
        },
        "limits": {
            "crossref_per_second": client.CROSSREF_POLITE.per_second,
            "crossref_at_once": client.CROSSREF_POLITE.at_once,
            "pubmed_per_second": client.NCBI.per_second,
            "pmids_per_request": client.PMIDS_PER_REQUEST,
        },
        "floor_s": {name: round(value, 3) for name, value in floor.items()},
        "elapsed_s": round(elapsed, 3),
        # From the first request's arrival to the last's: the pacing alone, start-up left out.
        "requests_span_s": round(arrived[-1] - arrived[0], 3) if arrived else 0.0,
        "overhead_s": round(elapsed - floor["floor"], 3),
        "over_floor": round(elapsed / floor["floor"], 3) if floor["floor"] else None,
        "target_met": floor["floor"] > 0 and elapsed <= floor["floor"] * TARGET,
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
    }


def table(result: dict[str, object]) -> str:
    floor = result["floor_s"]
    assert isinstance(floor, dict)
    requests = result["requests"]
    assert isinstance(requests, dict)
    return "\n".join(
        [
            "# references verify against the rate-limit floor",
            "",
            "Generated by `python -m benchmarks.registry` (see its docstring).",
            "",
            "| identifiers | DOIs | PMIDs | requests (Crossref + PubMed) | floor "
            "| first to last request | measured | measured / floor | target (≤ 1.10) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
            f"| {result['identifiers']:,} | {result['dois']:,} | {result['pmids']:,} "
            f"| {requests['crossref']} + {requests['pubmed']} | {floor['floor']:.1f} s "
            f"| {result['requests_span_s']:.1f} s | {result['elapsed_s']:.1f} s "
            f"| {result['over_floor']} | {'met' if result['target_met'] else 'NOT met'} |",
            "",
            f"Floor: Crossref {floor['crossref']:.1f} s ({result['dois']} DOIs at 10 a second), "
            f"PubMed {floor['pubmed']:.1f} s ({result['pmids']} PMIDs, 200 a request, 3 requests "
            f"a second); {result['verified']} of {result['identifiers']} verified. "
            f"Measured: the whole command, Python start-up, loading the project and writing the "
            f"lock included ({result['overhead_s']:.1f} s over the floor). "
            f"Machine: {result['machine']}.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dois", type=int, default=500)
    parser.add_argument("--pmids", type=int, default=500)
    parser.add_argument("--out", type=Path, default=None, help="write registry.md and .json here")
    args = parser.parse_args(argv)
    result = run(args.dois, args.pmids)
    text = table(result)
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "registry.md").write_text(text, "utf-8")
        (args.out / "registry.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
