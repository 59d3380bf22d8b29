"""Whatever a pull request puts in the repository, `check` and `build` answer with diagnostics
(exit 0 or 1), never with a traceback or an internal error (exit 2). Hypothesis builds random
small projects from the minimal fixture: odd bytes in articles, pages, the library and the
roster; files replaced by folders, empty files and symbolic links of every kind; structures
nested hundreds deep."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from tests.conftest import FIXTURES, copy_project
from tests.signing import sign_project

TRICKY = "<>{}[]@`\\!#*_-:|/~\n\t \x00\x02\x03\x0b\ufeff\u200b\u202e\ue000\U0001f600é"
FILES = (
    "content/articles/back-pain.md",
    "content/articles/pending.md",
    "content/pages/index.md",
    "content/pages/editorial-policy.md",
    "references/library.bib",
    "references/board.yml",
    "references/disclaimer.md",
    "pipeline.yml",
)
PIECES = st.sampled_from(
    [
        "<!--",
        "-->",
        "<details>",
        "</div>",
        "<script>x</script>",
        "{: #id .c hidden }",
        "[@qaseem2017]",
        "[@",
        "![x](https://t.example/p.gif)",
        "```",
        "`",
        "/// audience | patient\n",
        "///\n",
        "---\n",
        "\\",
        "@{",
        "{{{{",
        "\x02wzxhzdk:0\x03",
    ]
)


@st.composite
def noise(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(PIECES, st.text(alphabet=TRICKY, max_size=40)), max_size=12))
    return "".join(parts)


@st.composite
def nested(draw: st.DrawFn) -> str:
    depth = draw(st.integers(min_value=1, max_value=300))
    kind = draw(st.sampled_from(["    - item\n", "> ", "!!! note\n", "    "]))
    if kind == "> ":
        return "> " * depth + "deep\n"
    return "".join("    " * level + kind.strip(" ") for level in range(depth))


def _shape(root: Path, rel: str, shape: str, outside: Path) -> None:
    path = root / rel
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    if shape == "folder":
        path.mkdir(parents=True)
    elif shape == "empty":
        path.write_bytes(b"")
    elif shape == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif shape == "dangling link":
        path.symlink_to(outside / "nowhere")
    elif shape == "loop":
        path.symlink_to(path)
    elif shape == "outside link":
        (outside / "file").write_text("text from outside\n", "utf-8")
        path.symlink_to(outside / "file")
    elif shape == "link to an article":
        path.symlink_to(root / "content/articles/pending.md")


MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(FILES),
        st.one_of(
            st.tuples(st.just("insert"), noise(), st.floats(0, 1)),
            st.tuples(st.just("append"), nested(), st.just(1.0)),
            st.tuples(
                st.just("shape"),
                st.sampled_from(
                    [
                        "folder",
                        "empty",
                        "binary",
                        "dangling link",
                        "loop",
                        "outside link",
                        "link to an article",
                    ]
                ),
                st.just(0.0),
            ),
        ),
    ),
    min_size=1,
    max_size=4,
)


def _run(*args: str, cwd: Path) -> tuple[int, str]:
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    out, err = StringIO(), StringIO()
    here = Path.cwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(here)
    return code, out.getvalue() + err.getvalue()


_SIGNED: list[Path] = []


def _signed_template() -> Path:
    """The minimal project, signed once for every example (signing runs ssh-keygen)."""
    if not _SIGNED:
        folder = Path(tempfile.mkdtemp(prefix="hostile-template-"))
        _SIGNED.append(sign_project(copy_project(FIXTURES / "minimal", folder / "project")))
    return _SIGNED[0]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutations=MUTATIONS)
def test_no_input_makes_check_or_build_fail_internally(
    mutations: list[tuple[str, tuple[str, str, float]]],
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "project"
        shutil.copytree(_signed_template(), root, symlinks=True)
        outside = Path(temp) / "outside"
        outside.mkdir()
        for rel, (how, what, where) in mutations:
            path = root / rel
            if how == "shape":
                _shape(root, rel, what, outside)
            elif path.is_file() and not path.is_symlink():
                data = path.read_bytes().decode("utf-8", errors="replace")
                cut = int(len(data) * where)
                path.write_text(data[:cut] + what + data[cut:], "utf-8")
        # The preview renders whatever loads, errors and all: it reaches the engine.
        for command in (("check",), ("build", "--preview")):
            code, said = _run(*command, cwd=root)
            assert code in (0, 1), (command, said[-3000:])
            assert "Traceback" not in said and "internal error" not in said, said[-3000:]


_: Callable[..., object] = test_no_input_makes_check_or_build_fail_internally
