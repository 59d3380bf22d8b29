"""Linear time on hostile input (issue 17): `check` on a 1 MB article made of pathological
characters, one kind at a time, must finish in under 2 s each; `build`, which reads the
withheld article again for the leak audit (and stops before rendering when check finds an
error), in under 10 s. The same for a 1 MB library file beside the library, cited by the
pending article, with `build --preview`, which renders that article's reference list, and for
a 1 MB site page, which the published build renders and audits.

    python -m benchmarks.hostile [--size 1048576] [--out benchmarks/results]

Each case is a run of the characters that once made a scan quadratic or worse (a regular
expression trying every start, a search for a closing run repeated for every opening). The
article is the minimal fixture project's, rewritten; `check` runs as a board member runs it
(a subprocess, an empty parse cache), and its wall time is reported. Not a timed unit test:
the machine's load varies; the report says what was measured, when, and on what.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import FIXTURES, copy_project
from tests.signing import sign_project

LIMIT_S = 2.0
BUILD_LIMIT_S = 10.0  # the minimal project's own build takes about 2 s
HEAD = (
    "---\ntitle: A hostile article\nstatus: Submitted\nauthors: [author1]\n"
    "last_updated: 2026-05-01\n---\n\n"
)
# Each kind: a unit repeated until the body is `size` bytes (or a generator of its own).
UNITS = {
    "open braces": "{",
    "attribute-list openers": "{: ",
    "citation openers": "[@",
    "at signs in a bracket": "[@a@b@c",
    "backticks": "`",
    "image openers": "![",
    "link openers": "](",
    "tag openers": "<a ",
    "quoted attribute openers": '<a title="',
    "comment openers": "<!--",
    "angle brackets": "<>",
    "quote markers": "> ",
    "quote markers, sixteen deep on each line": "> " * 16 + "x\n",
    "indented quote markers": "   >" * 16 + "x\n",
    "blank lines": "\n",
    "list markers": "- ",
    "private-use and invisible characters": "\ue000\u200b",
    "backticks inside tags": "<abbr title='`'>",
    "raw HTML blocks with code": "<details>`\n",
    "footnote openers": "[^",
    "headings taking a page id": "## Ref 1\n",
    "note boxes of unknown types": "!!! x y\n",
    "nested link openers": "[",
    "link reference definitions of blanks": "[a]:" + " " * 1000 + ">\n",
}


def _increasing_backticks(size: int) -> str:
    parts, width, total = [], 1, 0
    while total < size:
        run = "`" * width + " x "
        parts.append(run)
        total += len(run)
        width += 1
    return "".join(parts)


def bodies(size: int) -> dict[str, str]:
    found = {name: (unit * (size // len(unit) + 1))[:size] for name, unit in UNITS.items()}
    found["backtick runs of every width"] = _increasing_backticks(size)[:size]
    # Fence lines of every width, none ever closed by its own: each is looked for once.
    fences = "\n".join("`" * width for width in range(3, 1500))
    found["fence openers of every width, never closed"] = (fences + "\n")[:size]
    found["code showing markup in an audience passage"] = (
        "/// audience | patient\n" + "`<b>` " * (size // 6 + 1)
    )[:size]
    # Below the length past which check renders nothing to find code: Python-Markdown's reading
    # of links is quadratic in the number of "[".
    found["code showing markup, then link openers (190 KB)"] = ("Use `<br>` here. " + "[" * size)[
        : min(size, 190_000)
    ]
    # The same for fenced code, which looks for the closing line of every opening line again.
    found["code showing markup, then fence openers never closed (190 KB)"] = (
        "Use `<b>` here.\n\n" + "```a\n" * (size // 5 + 1)
    )[: min(size, 190_000)]
    # Lines that start blocks: inside one paragraph each cut it, and Python-Markdown tested all
    # the rest again (99,500 lines of "#" took check nine minutes); after blank lines, the
    # theme's search is quadratic in the headings.
    found["code showing markup, then lines of #"] = ("Use `<b>` here.\n" + "#\n" * size)[:size]
    found["code showing markup, then rules and boxes in one paragraph"] = (
        "Use `<b>` here.\n" + "a\n***\n!!! note\n" * size
    )[:size]
    found["headings after blank lines"] = ("## a\n\n" * size)[:size]
    # Inline marks: each copies its paragraph again; bars after code spans, each of which the
    # table test walks again (190 KB: check renders nothing longer).
    found["code showing markup, then emphasis in one paragraph (190 KB)"] = (
        "Use `<b>` here.\n\n" + "*a* " * size
    )[: min(size, 190_000)]
    found["code showing markup, then bars after code spans (190 KB)"] = (
        "Use `<b>` here.\n\n" + "`a`b" * 25_000 + "|" * size
    )[: min(size, 190_000)] + "\nx"
    found["one long line of words"] = ("word " * (size // 5 + 1))[:size]
    found["an audience opener and a long line of blanks"] = ("/// audience |" + " " * size + "x")[
        :size
    ]
    # A fence line whose blanks the fence patterns could split between two runs.
    found["a fence line of blanks, then a letter"] = ("```" + " " * size)[: size - 2] + "!\n"
    # Links inside links: each label was copied whole for the look of a citation.
    half = size // 8
    found["links nested in links"] = ("[" * half + "](u)" * half)[:size]
    # A link's text of blanks: the look of a citation was read with runs that could split it.
    found["a link whose text is blanks"] = "[" + " " * (size - 10) + "](x.md)\n"
    # One reference with a long title, used by every picture: whether the definition is
    # written plainly (HTML013) was read again for each use.
    title = size // 4
    found["a reference with a long title, used by every picture"] = (
        '[r]: ../img/a.png "' + "t" * title + '"\n\n' + "![r][r] " * ((size - title) // 8)
    )[:size]
    # The same with a long address: every verdict of the link check (a dangerous scheme,
    # another site, a citation's target) and the reading of the files shown read it again.
    found["a reference with a long address, used by every picture"] = (
        "[r]: ../img/" + "a" * title + ".png\n\n" + "![r][r] " * ((size - title) // 8)
    )[:size]
    # Long runs of blanks inside lines of an otherwise clean article: the audit's reading of
    # front matter keys split a run between two (the build's leak probes read withheld
    # articles; a line of blanks alone is nesting, FM020, and stops the build before that).
    found["runs of blanks inside lines of a clean article"] = (
        "Some text " + " " * 30_000 + "more text.\n\n"
    ) * (size // 30_030)
    return found


def libraries(size: int) -> dict[str, str]:
    """Library files of about `size` bytes (beside library.bib, each cited by the pending
    article), one kind at a time: LaTeX the slow parser must read (refused past its limit,
    BIB022, before any of it is read), and a title of braced words whose capitals the
    reference list keeps (each word was looked up among every braced span)."""
    accents = '\\"{u}' * 1000

    def entry(key: str, title: str) -> str:
        address = f"https://example.org/{key}"
        return (
            f"@misc{{{key},\n title = {{{title}}},\n url = {{{address}}},\n year = {{2020}},\n}}\n"
        )

    each = len(entry("pad0", f"00000 {accents}"))  # each title its own: each is read once
    latex = "".join(entry(f"pad{i}", f"{i:05d} {accents}") for i in range(size // each))
    title = entry("pad0", "{A} " * ((size - 200) // 4))
    return {
        "a library of LaTeX accents (refused)": latex,
        "a library title of braced words, read by the preview": title,
    }


def _timed(
    args: list[str], root: Path, env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """`python -m pipeline ARGS` as a board member runs it, and its wall time."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return time.perf_counter() - start, done


def run(size: int) -> list[dict[str, object]]:
    results = []
    with tempfile.TemporaryDirectory() as temp:
        # Signed as the tests sign it: its approved article publishes, so a build whose check
        # passes reaches the audit, which reads the withheld article again.
        root = sign_project(copy_project(FIXTURES / "minimal", Path(temp) / "project"))
        env = {**os.environ, "PIPELINE_TODAY": "2026-11-25", "PIPELINE_CACHE_DIR": "off"}
        for name, body in bodies(size).items():
            (root / "content/articles/pending.md").write_text(HEAD + body + "\n", "utf-8")
            seconds, done = _timed(["check"], root, env)
            build_seconds, built = _timed(["build", "--site-dir", f"{temp}/site"], root, env)
            results.append(_row(name, seconds, done, build_seconds, built))
        # The library cases: the pending article cites the file's first entry; the preview
        # renders it, reference list and all (the published build withholds it).
        for name, bib in libraries(size).items():
            (root / "content/articles/pending.md").write_text(HEAD + "See [@pad0].\n", "utf-8")
            (root / "references/zz-hostile.bib").write_text(bib, "utf-8")
            seconds, done = _timed(["check"], root, env)
            build_seconds, built = _timed(
                ["build", "--preview", "--site-dir", f"{temp}/preview"], root, env
            )
            results.append(_row(name, seconds, done, build_seconds, built))
        (root / "references/zz-hostile.bib").unlink()
        # A site page, which the published build renders and the audit reads: a run of "on"
        # (the start of an event handler's name) was read once for each "on" in it.
        (root / "content/articles/pending.md").write_text(HEAD + "Text.\n", "utf-8")
        (root / "content/pages/hostile.md").write_text(("on" * size)[:size] + "\n", "utf-8")
        seconds, done = _timed(["check"], root, env)
        build_seconds, built = _timed(["build", "--site-dir", f"{temp}/site"], root, env)
        results.append(_row("a site page of 'on' runs", seconds, done, build_seconds, built))
        (root / "content/pages/hostile.md").write_text(("## a\n\n" * size)[:size], "utf-8")
        seconds, done = _timed(["check"], root, env)
        build_seconds, built = _timed(["build", "--site-dir", f"{temp}/site"], root, env)
        results.append(_row("a site page of headings", seconds, done, build_seconds, built))
        page = ("<table><tr><td>x " * size)[:size]
        (root / "content/pages/hostile.md").write_text(page + "\n", "utf-8")
        seconds, done = _timed(["check"], root, env)
        build_seconds, built = _timed(["build", "--site-dir", f"{temp}/site"], root, env)
        results.append(
            _row("a site page of tables one inside the next", seconds, done, build_seconds, built)
        )
    return results


def _row(
    name: str,
    seconds: float,
    done: subprocess.CompletedProcess[str],
    build_seconds: float,
    built: subprocess.CompletedProcess[str],
) -> dict[str, object]:
    print(
        f"{name:40} check {seconds:6.2f} s exit {done.returncode}, "
        f"build {build_seconds:6.2f} s exit {built.returncode}",
        file=sys.stderr,
    )
    return {
        "input": name,
        "seconds": round(seconds, 3),
        "exit": done.returncode,
        "build_seconds": round(build_seconds, 3),
        "build_exit": built.returncode,
        "traceback": "Traceback" in done.stderr + built.stderr,
        "met": seconds < LIMIT_S
        and done.returncode in (0, 1)
        and build_seconds < BUILD_LIMIT_S
        and built.returncode in (0, 1),
    }


def report(results: list[dict[str, object]], size: int) -> str:
    lines = [
        "# Hostile input: check and build on a 1 MB article",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.system()} {platform.machine()} "
        f"({os.cpu_count()} CPUs), Python {platform.python_version()}; article body {size:,} "
        f"bytes; `python -m pipeline check`, then `build`, in the minimal fixture project, "
        f"empty parse cache, wall time including start-up. Target: check under {LIMIT_S:.0f} s, "
        f'build under {BUILD_LIMIT_S:.0f} s. The rows named "a library ..." are a 1 MB '
        "library file beside the library, cited by the pending article, and `build --preview`; "
        "the last row a 1 MB page of the site. Produced by `python -m benchmarks.hostile`.",
        "",
        "| input (repeated to 1 MB) | check (s) | exit | build (s) | exit | met |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for row in results:
        met = "yes" if row["met"] else "**no**"
        lines.append(
            f"| {row['input']} | {row['seconds']:.2f} | {row['exit']} "
            f"| {row['build_seconds']:.2f} | {row['build_exit']} | {met} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hostile", description=__doc__)
    # Just under the 1 MiB an article may have (a larger one is refused unread, FM019).
    parser.add_argument("--size", type=int, default=1024 * 1024 - 200)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    results = run(args.size)
    text = report(results, args.size)
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "hostile.md").write_text(text, "utf-8")
        (args.out / "hostile.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0 if all(row["met"] for row in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
