"""The documentation runs: every ```python block in docs/*.md is executed against the current code.

Each file's blocks run in order in one namespace (a block may use the names an earlier block of the
same file defined), in an empty temporary working directory, with warnings as errors. A block that
must not run is fenced ```text instead (shell commands are fenced ```bash). A traceback from a block
points at the Markdown file and its line. The shell lines that call the ``descenso`` command are
checked as well (the command and each ``--option`` must exist), and so are relative links.
"""

from __future__ import annotations

import re
import shlex
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

import descenso  # noqa: F401 - imported before the blocks change the working directory

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DOC_FILES = sorted(DOCS.glob("*.md"))
GUIDES = ("guide.md", "course-guide.md", "guia-del-curso.md")
COURSE_GUIDES = ("course-guide.md", "guia-del-curso.md")

_FENCE = re.compile(r"^(?P<indent>[ ]*)(?P<ticks>`{3,})(?P<info>[^`]*)$")


@dataclass
class Block:
    """One fenced code block: its language tag, first line number (1-based) and text."""

    language: str
    line: int
    source: str


def code_blocks(text: str) -> list[Block]:
    """Every fenced block of ``text``, in order; raise ValueError for a fence left open."""
    blocks, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, ticks = len(opening["indent"]), opening["ticks"]
        language = opening["info"].strip().split(" ")[0].lower()
        body, j = [], i + 1
        while j < len(lines):
            closing = _FENCE.match(lines[j])
            if closing and closing["ticks"] == ticks and not closing["info"].strip():
                break
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        else:
            raise ValueError(f"the code fence opened on line {i + 1} is never closed")
        blocks.append(Block(language, i + 2, "\n".join(body) + "\n"))
        i = j + 1
    return blocks


def python_blocks(text: str) -> list[Block]:
    """The blocks fenced ```python (or ```py): the ones that run."""
    return [block for block in code_blocks(text) if block.language in ("python", "py", "python3")]


def run_blocks(filename: str, blocks: list[Block]) -> dict[str, object]:
    """Run ``blocks`` in order in one namespace, warnings as errors; fail naming the block and its line."""
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for number, block in enumerate(blocks, start=1):
        # Leading newlines make the compiled line numbers those of the Markdown file.
        code = compile("\n" * (block.line - 1) + block.source, filename, "exec")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                exec(code, namespace)
        except Exception as error:
            trace = "".join(traceback.format_exception(type(error), error, error.__traceback__)[1:])
            pytest.fail(
                f"{filename}: python block {number} (line {block.line}) raised "
                f"{type(error).__name__}: {error}\n\n{block.source}\n{trace}",
                pytrace=False,
            )
    return namespace


# ---------------------------------------------------------------------------- the docs themselves


RUNNABLE = [p for p in (*DOC_FILES, ROOT / "README.md") if python_blocks(p.read_text("utf-8"))]


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_block_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(path.read_text("utf-8"))
    run_blocks(str(path.relative_to(ROOT)), blocks)


def test_the_guides_exist_and_are_made_of_runnable_examples():
    counts = {name: len(python_blocks((DOCS / name).read_text("utf-8"))) for name in GUIDES}
    assert counts["guide.md"] >= 20, counts
    # One block per topic of the notes at least, in both languages.
    assert counts["course-guide.md"] >= 6 and counts["guia-del-curso.md"] >= 6, counts


def test_the_two_course_guides_have_the_same_sections_and_examples():
    def outline(name: str) -> tuple[int, int, list[str]]:
        text = (DOCS / name).read_text("utf-8")
        sections = len(re.findall(r"^## ", text, flags=re.M))
        scripts = sorted(set(re.findall(r"examples/\d\d_\w+\.py", text)))
        return sections, len(python_blocks(text)), scripts

    english, spanish = outline("course-guide.md"), outline("guia-del-curso.md")
    assert english == spanish
    # Every example script is shown, with the command that runs it.
    existing = sorted(f"examples/{p.name}" for p in (ROOT / "examples").glob("[0-9][0-9]_*.py"))
    assert english[2] == existing
    for name in COURSE_GUIDES:
        text = (DOCS / name).read_text("utf-8")
        for script in existing:
            assert f"python {script}" in text, f"{name} does not show how to run {script}"


def test_the_index_lists_every_page():
    index = (DOCS / "README.md").read_text("utf-8")
    for path in DOC_FILES:
        if path.name != "README.md":
            assert f"({path.name})" in index, f"docs/README.md does not link {path.name}"


@pytest.mark.parametrize("path", DOC_FILES, ids=str)
def test_relative_links_point_at_files_that_exist(path):
    text = path.read_text("utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        assert (path.parent / target.split("#")[0]).exists(), f"{path.name}: broken link {target}"
    assert "/work/" not in text


_LAUNCHER = re.compile(r"^mpiexec( -\S+ \S+)* (?=descenso )")


def _command_lines(text: str) -> list[str]:
    """The ``descenso ...`` lines of the fenced shell blocks and of the 4-space indented blocks."""
    candidates = [
        line
        for block in code_blocks(text)
        if block.language in ("bash", "sh", "shell", "console")
        for line in block.source.splitlines()
    ]
    candidates += [line for line in text.splitlines() if line.startswith("    descenso ")]
    lines = []
    for line in candidates:
        line = _LAUNCHER.sub("", line.split(" #")[0].strip().removeprefix("$ "))
        if line.startswith("descenso "):
            lines.append(line)
    return lines


@pytest.mark.parametrize("name", [*GUIDES, "cli.md", "scaling.md", "../README.md"])
def test_shell_lines_name_real_commands_and_options(name):
    click = pytest.importorskip("click")  # the cli extra
    from descenso.cli import cli

    lines = _command_lines((DOCS / name).read_text("utf-8"))
    assert lines, f"{name} shows no descenso command"
    for line in lines:
        words = shlex.split(line)
        assert len(words) >= 2 and words[1] in cli.commands, f"{name}: unknown command in {line!r}"
        command: click.Command = cli.commands[words[1]]
        known = {"--help", "-h"} | {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
        for word in words[2:]:
            if word.startswith("-"):
                assert word.split("=")[0] in known, f"{name}: {line!r} uses {word}, not an option"


def test_the_command_line_page_names_every_option():
    click = pytest.importorskip("click")
    from descenso.cli import cli

    text = (DOCS / "cli.md").read_text("utf-8")
    missing = [
        f"descenso {name} {opt}"
        for name, command in cli.commands.items()
        for param in command.params
        if isinstance(param, click.Option)
        for opt in (*param.opts, *param.secondary_opts)
        if opt.startswith("--") and opt != "--help" and opt not in text
    ]
    assert missing == []


# ---------------------------------------------------------------------------- the harness itself


def test_blocks_are_found_with_their_language_and_line():
    text = "# t\n\n```python\nx = 1\n```\n\n```text\nnot run\n```\n\n  ```python\n  y = x + 1\n  ```\n"
    blocks = code_blocks(text)
    assert [(b.language, b.line) for b in blocks] == [("python", 4), ("text", 8), ("python", 12)]
    assert [b.source for b in python_blocks(text)] == ["x = 1\n", "y = x + 1\n"]
    namespace = run_blocks("t.md", python_blocks(text))
    assert namespace["y"] == 2  # one namespace, in order


def test_an_unclosed_fence_is_an_error():
    with pytest.raises(ValueError, match="line 3"):
        code_blocks("a\n\n```python\nx = 1\n")


def test_a_block_that_raises_fails_the_test_naming_its_line():
    text = "intro\n\n```python\nx = 1\n```\n\n```python\ny = 1\n1 / 0\n```\n"
    with pytest.raises(pytest.fail.Exception) as failure:
        run_blocks("docs/t.md", python_blocks(text))
    message = str(failure.value)
    assert "python block 2 (line 8)" in message and "ZeroDivisionError" in message
    assert 'File "docs/t.md", line 9' in message  # the traceback points into the Markdown file


def test_a_block_that_warns_fails_the_test():
    text = "```python\nimport warnings\nwarnings.warn('drift', DeprecationWarning)\n```\n"
    with pytest.raises(pytest.fail.Exception, match="DeprecationWarning: drift"):
        run_blocks("t.md", python_blocks(text))


def test_a_text_block_does_not_run():
    assert python_blocks("```text\n1 / 0\n```\n```bash\ndescenso train\n```\n") == []


@pytest.mark.parametrize("path", [ROOT / "README.md", *DOC_FILES], ids=lambda p: p.name)
def test_the_docs_promise_only_what_exists(path):
    text = path.read_text(encoding="utf-8")
    # The course notes are summarised in our own words; no folder of them ships with the repository.
    assert "seed/" not in text
    # descenso is installed from the checkout (or a wheel built from it): no package index has it yet.
    assert not re.search(r"pip install ['\"]?descenso\b", text), "install from the checkout: pip install -e ."
