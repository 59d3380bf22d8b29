"""Where a `python -m pipeline build` spends its time, next to the plain rendering floor.

    python -m benchmarks.profile --articles 1000 [--out DIR] [--top 25]

The benchmark runner says *how much* slower than the floor the build is; this says *where*. It
generates the corpus, runs both builds under cProfile (each in its own process, as the runner
does), and prints Markdown: time by package for both (so the extra over the floor shows up as
pipeline/, or as more Markdown, Jinja or MkDocs work), the pipeline/ functions by cumulative
time, and the hottest functions overall. The .prof files stay in --out for pstats or snakeviz.
cProfile slows Python code by roughly 1.5-2x, evenly enough that the shares hold. The build runs
in one process (the engine is called in process), so cProfile sees all of its work.
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import corpus, run

_SITE = re.compile(r"[/\\](?:site|dist)-packages[/\\]([^/\\]+)")
_STDLIB = re.compile(r"[/\\]lib[/\\]python3\.\d+[/\\]([^/\\]+)")


def package_of(filename: str, pipeline_dir: str) -> str:
    """The top-level package a profiled function belongs to ('C' for built-ins)."""
    if filename.startswith(pipeline_dir):
        return "pipeline"
    if re.search(r"[/\\]overrides[/\\][^/\\]+\.html$", filename):
        return "jinja2 (compiled overrides templates)"
    found = _SITE.search(filename)
    if found:
        return found.group(1).removesuffix(".py")
    found = _STDLIB.search(filename)
    if found:
        return "stdlib " + found.group(1).removesuffix(".py")
    return "C built-ins" if filename == "~" else filename


def by_package(stats: pstats.Stats, pipeline_dir: str) -> dict[str, float]:
    """Own time (tottime) summed per package, so the parts add up to the whole run. Time in C
    built-ins (regular expressions, str methods) is charged to the package that called them:
    `re.sub` run by the pipeline is the pipeline's cost."""
    totals: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename == "~" and callers:
            for caller, (_, _, caller_tt, _) in callers.items():
                package = package_of(caller[0], pipeline_dir)
                totals[package] = totals.get(package, 0.0) + caller_tt
            continue
        package = package_of(filename, pipeline_dir)
        totals[package] = totals.get(package, 0.0) + tottime
    return totals


# Landmarks: (label, pattern over "file:line(function)"), compared between the two builds.
LANDMARKS = (
    ("Markdown to HTML, all pages", r"markdown/core\.py:\d+\(convert\)"),
    ("  Markdown's preprocessors (raw HTML blocks)", r"markdown/preprocessors\.py:\d+\(run\)"),
    ("  MkDocs' processors (raw-HTML anchors, links)", r"mkdocs/structure/pages\.py:\d+\(run\)"),
    ("MkDocs: reading each page's front matter (YAML)", r"mkdocs/utils/meta\.py:\d+\(get_data\)"),
    ("MkDocs: page context, template, write", r"mkdocs/commands/build\.py:\d+\(_build_page\)"),
    ("  Material search, per page", r"search/plugin\.py:\d+\(on_page_context\)"),
    ("  Jinja page templates", r"jinja2/environment\.py:\d+\(render\)"),
    ("pipeline: prepare (lock, load, check, stage)", r"pipeline/site/build\.py:\d+\(prepare\)"),
    ("  load_project (check)", r"pipeline/project\.py:\d+\(load_project\)"),
    ("  library: parse_library", r"pipeline/content/library\.py:\d+\(parse_library\)"),
    ("  articles: front matter YAML", r"pipeline/content/yamltext\.py:\d+\(load_yaml\)"),
    ("  staging the article pages", r"pipeline/site/stage\.py:\d+\(article_page\)"),
    ("    their bodies and reference lists", r"pipeline/site/stage\.py:\d+\(_staged_body\)"),
    ("    their front matter written as JSON", r"pipeline/site/listings\.py:\d+\(front_matter\)"),
    ("pipeline: finish (policy, audit, swap)", r"pipeline/site/build\.py:\d+\(finish\)"),
    ("  Content-Security-Policy on every page", r"pipeline/site/csp\.py:\d+\(add_policies\)"),
    ("  audit of every output file", r"pipeline/site/audit\.py:\d+\(audit\)"),
)


def landmark(stats: pstats.Stats, pattern: str) -> tuple[float, int]:
    """Cumulative seconds and calls of the functions matching `pattern`."""
    found = re.compile(pattern)
    seconds, calls = 0.0, 0
    for (filename, line, name), (_, ncalls, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if found.search(f"{filename}:{line}({name})"):
            seconds, calls = seconds + cum, calls + ncalls
    return seconds, calls


def _where(filename: str, line: int, pipeline_dir: str) -> str:
    if filename == "~":
        return "built-in"
    if filename.startswith(pipeline_dir):
        return f"pipeline/{Path(filename).relative_to(pipeline_dir).as_posix()}:{line}"
    return f"{package_of(filename, pipeline_dir)}:{line}"


def profile(command: list[str], cwd: Path, env: dict[str, str], out: Path) -> pstats.Stats:
    full = [sys.executable, "-m", "cProfile", "-o", str(out), *command]
    done = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"profiled command failed ({' '.join(command)}):\n{done.stderr[-3000:]}")
    return pstats.Stats(str(out))


def report(build: pstats.Stats, floor: pstats.Stats, pipeline_dir: str, top: int) -> str:
    total_b = build.total_tt  # type: ignore[attr-defined]
    total_f = floor.total_tt  # type: ignore[attr-defined]
    packages_b, packages_f = by_package(build, pipeline_dir), by_package(floor, pipeline_dir)
    names = sorted(set(packages_b) | set(packages_f), key=lambda n: -packages_b.get(n, 0.0))
    lines = [
        f"## Own time by package (profiled: build {total_b:.1f} s, floor {total_f:.1f} s)",
        "",
        "| package | pipeline build (s) | floor (s) | extra (s) |",
        "|---|---:|---:|---:|",
    ]
    for name in names[:top]:
        b, f = packages_b.get(name, 0.0), packages_f.get(name, 0.0)
        lines.append(f"| {name} | {b:.2f} | {f:.2f} | {b - f:+.2f} |")
    lines += [
        "",
        "## Landmarks (cumulative seconds; nested rows are part of the row above)",
        "",
        "| where | pipeline build | floor |",
        "|---|---:|---:|",
    ]
    for label, pattern in LANDMARKS:
        (b, nb), (f, nf) = landmark(build, pattern), landmark(floor, pattern)
        lines.append(f"| {label} | {b:.2f} s ({nb} calls) | {f:.2f} s ({nf} calls) |")
    rows = [
        (cum, calls, func)
        for func, (_, calls, _, cum, _) in build.stats.items()  # type: ignore[attr-defined]
        if func[0].startswith(pipeline_dir) and func[2] != "<module>"
    ]
    lines += [
        "",
        "## pipeline/ functions by cumulative time (pipeline build)",
        "",
        "| cumulative (s) | share | calls | function |",
        "|---:|---:|---:|---|",
    ]
    whole = max([total_b] + [cum for cum, _, _ in rows])  # profiled run, overhead included
    for cum, calls, (filename, line, name) in sorted(rows, reverse=True)[:top]:
        where = _where(filename, line, pipeline_dir)
        lines.append(f"| {cum:.2f} | {cum / whole:.0%} | {calls} | `{name}` ({where}) |")
    hottest = sorted(
        ((tt, calls, func) for func, (_, calls, tt, _, _) in build.stats.items()),  # type: ignore[attr-defined]
        reverse=True,
    )[:top]
    lines += [
        "",
        "## Hottest functions by own time (pipeline build)",
        "",
        "| own (s) | calls | function |",
        "|---:|---:|---|",
    ]
    for tt, calls, (filename, line, name) in hottest:
        where = _where(filename, line, pipeline_dir)
        lines.append(f"| {tt:.2f} | {calls} | `{name}` ({where}) |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="folder for the .prof files (default: temp)")
    parser.add_argument("--top", type=int, default=25, help="rows per table")
    args = parser.parse_args(argv)
    import pipeline

    pipeline_dir = str(Path(pipeline.__file__).resolve().parent) + os.sep
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-profile-"))
    out.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        PIPELINE_TODAY=corpus.DEFAULT_TODAY.isoformat(),
        NO_MKDOCS_2_WARNING="1",
    )
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        work = Path(tmp)
        project = corpus.generate(args.articles, work / "project", args.seed)
        plain = run.write_plain_sites(project, work / "plain")
        commands = run.commands(project, plain, work / "site")
        # The parse cache and the reference lists warm, as in run's medians.
        build_cmd, build_cwd = commands["build"]
        for command, cwd in (commands["check"], (build_cmd, build_cwd)):
            subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
        build = profile(build_cmd[1:], build_cwd, env, out / "build.prof")
        floor_cmd, floor_cwd = commands["floor"]
        floor = profile(floor_cmd[1:], floor_cwd, env, out / "floor.prof")
    print(f"# Profile at N={args.articles} (pipeline: {pipeline_dir})\n")
    print(report(build, floor, pipeline_dir, args.top))
    print(f"profiles: {out}/build.prof, {out}/floor.prof", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
