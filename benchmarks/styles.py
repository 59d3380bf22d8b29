"""How long formatting the reference lists takes: our AMA and Vancouver formatters against
citeproc-py with the official CSL styles (issue 16, item 7).

    python -m benchmarks.styles [--articles 1000] [--references 20] [--repeat 3]

Every published article's reference list is formatted at build time, so this is the cost a
build would pay for each. Each "article" cites `--references` entries of the sample library
(`references/library.bib`, taken in turn); the CSL styles are the official ones the citation
oracle test uses (`tests/fixtures/csl/`), loaded once, as a build loads its style once. Prints
the best of `--repeat` runs as Markdown. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.citations.styles import Style, built_in, load_style
from pipeline.content.library import parse_library
from pipeline.model import Entry

REPO = Path(__file__).resolve().parent.parent
CSL = REPO / "tests/fixtures/csl"


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(
    make: Callable[[], Style], articles: list[list[Entry]], repeat: int
) -> tuple[float, float]:
    """Seconds to load the style once, and to format every article's references with it."""
    start = time.perf_counter()
    style = make()
    load = time.perf_counter() - start
    return load, best_of(repeat, lambda: [style.format_all(refs) for refs in articles])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--references", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    library = REPO / "references/library.bib"
    entries, _ = parse_library("library.bib", library.read_text("utf-8"))
    articles = [
        [entries[(a + r) % len(entries)] for r in range(options.references)]
        for a in range(options.articles)
    ]
    rows = [
        (name, *measure(make, articles, options.repeat))
        for name, make in [
            ("ours, AMA", lambda: built_in("ama")),
            ("citeproc-py, official AMA CSL", lambda: _csl("american-medical-association.csl")),
            ("ours, Vancouver", lambda: built_in("vancouver")),
            ("citeproc-py, official NLM CSL", lambda: _csl("nlm-citation-sequence.csl")),
        ]
    ]
    print(
        f"{options.articles} articles x {options.references} references "
        f"(best of {options.repeat})\n"
    )
    print("| formatter | style load | all articles | per article |")
    print("|---|---:|---:|---:|")
    for name, load, total in rows:
        per = total / options.articles * 1000
        print(f"| {name} | {load * 1000:.1f} ms | {total:.2f} s | {per:.2f} ms |")


def _csl(name: str) -> Style:
    style, problems = load_style(name, CSL)
    if problems:
        raise SystemExit(problems[0].message)
    return style


if __name__ == "__main__":
    main()
