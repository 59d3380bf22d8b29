"""The benchmark tooling at N=10, so the generator and the runner cannot rot (issue 9, part 5).

The full benchmark takes many minutes and is run by hand (`python -m benchmarks.run`); this only
proves that both ends still work: the corpus is clean and seed-deterministic, and the runner
times every tool and writes the table and the JSON with numbers in them. mkdocs-bibtex and
matplotlib belong to the `bench` extra, not the test tools: without them the peer column is
marked "not measured" and the plot is skipped, and the rest must still hold.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from benchmarks.run import MEMORY_SAMPLE_S, measure
from tests.conftest import REPO, TODAY


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def files(root: Path) -> dict[str, bytes]:
    """The project's files, not git's (whose index holds times and inode numbers)."""
    found = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".git/"):
            found[rel] = path.read_bytes()
    return found


def head(root: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_the_corpus_is_clean_and_the_same_for_the_same_seed(tmp_path: Path) -> None:
    for name in ("a", "b"):
        made = run("benchmarks.corpus", "--articles", "10", "--out", str(tmp_path / name))
        assert made.returncode == 0, made.stderr
    assert files(tmp_path / "a") == files(tmp_path / "b")
    # Committed as a real project is, to the same commit every time, and generated again into
    # the same folder, to a history of that one commit.
    assert head(tmp_path / "a") == head(tmp_path / "b")
    again = run("benchmarks.corpus", "--articles", "10", "--out", str(tmp_path / "a"))
    assert again.returncode == 0, again.stderr
    assert head(tmp_path / "a") == head(tmp_path / "b")
    assert len(list((tmp_path / "a" / "content" / "articles").glob("*.md"))) == 10
    library = (tmp_path / "a" / "references" / "library.bib").read_text(encoding="utf-8")
    assert library.count("\n@") + library.startswith("@") == 20  # 2 * N entries

    checked = run("pipeline", "check", cwd=tmp_path / "a")  # PIPELINE_TODAY set by conftest
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 error(s), 0 warning(s)" in checked.stderr


def test_the_runner_writes_the_table_and_the_json(tmp_path: Path) -> None:
    plot = importlib.util.find_spec("matplotlib") is not None
    peer = importlib.util.find_spec("mkdocs_bibtex") is not None
    out = tmp_path / "results"
    args = ["benchmarks.run", "--sizes", "10", "--repeat", "1", "--out", str(out)]
    finished = run(*args, *([] if plot else ["--no-plot"]))
    assert finished.returncode == 0, finished.stderr

    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["meta"]["corpus_today"] == TODAY
    measured = data["results"]["10"]
    expected = ["check", "build", "zbuild", "nav", "floor", "zfloor"]
    expected += ["bibtex"] if peer else []
    for tool in expected:
        assert measured[tool]["status"] == "ok", measured[tool]
        assert measured[tool]["median_s"] > 0
        assert measured[tool]["peak_mib"] > 0
    if not peer:
        assert measured["bibtex"]["status"] == "not measured"
    ratios = data["ratios"]["10"]
    assert ratios["build_over_floor"] > 0 and ratios["zbuild_over_zfloor"] > 0
    assert ratios["check_cold_s"] > 0

    table = (out / "results.md").read_text(encoding="utf-8")
    row = next(line for line in table.splitlines() if line.startswith("| 10 | "))
    for tool in expected:
        assert f"{measured[tool]['median_s']:.2f} s" in row
    assert f"{ratios['build_over_floor']:.2f}" in table
    assert (out / "scaling.png").is_file() == plot


def test_the_memory_run_catches_a_brief_peak_and_timed_runs_are_not_sampled(
    tmp_path: Path,
) -> None:
    """A tool's peak can last well under 100 ms (a plain build writing its search index): the
    memory run must see it. A timed run reads no memory, so nothing slows it."""
    brief = "import time; data = b'x' * (64 << 20); time.sleep(0.04); del data; time.sleep(0.2)"
    command = [sys.executable, "-c", brief]
    log = tmp_path / "log"
    *_, peak, _, code = measure(command, tmp_path, {}, log, MEMORY_SAMPLE_S)
    assert code == 0 and peak is not None and peak >= 64
    *_, peak, rss, code = measure(command, tmp_path, {}, log)
    assert code == 0 and peak is None and rss >= 64


def test_the_registry_benchmark_verifies_everything_and_reports_the_floor(tmp_path: Path) -> None:
    finished = run("benchmarks.registry", "--dois", "5", "--pmids", "5", "--out", str(tmp_path))
    assert finished.returncode == 0, finished.stderr
    data = json.loads((tmp_path / "registry.json").read_text(encoding="utf-8"))
    assert (data["identifiers"], data["verified"]) == (10, 10)
    assert data["requests"] == {"crossref": 5, "pubmed": 1}
    assert data["floor_s"] == {"crossref": 0.4, "pubmed": 0.0, "floor": 0.4}
    assert data["elapsed_s"] > data["floor_s"]["floor"] and data["requests_span_s"] > 0
    assert "| 10 | 5 | 5 | 5 + 1 | 0.4 s |" in (tmp_path / "registry.md").read_text("utf-8")


def test_the_style_timing_script_times_every_formatter() -> None:
    result = run("benchmarks.styles", "--articles", "2", "--references", "3", "--repeat", "1")
    assert result.returncode == 0, result.stderr
    rows = [
        line for line in result.stdout.splitlines() if line.startswith("| ") and " ms |" in line
    ]
    assert [row.split(" | ")[0] for row in rows] == [
        "| ours, AMA",
        "| citeproc-py, official AMA CSL",
        "| ours, Vancouver",
        "| citeproc-py, official NLM CSL",
    ]
