"""Project rules that code review alone would not keep."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from draftrx.compose.prompts import TASKS, load_instruction, load_prompt

ROOT = Path(__file__).parents[1]


def test_core_never_imports_qt() -> None:
    code = (
        "import sys, draftrx.engine, draftrx.compose.prompts, draftrx.cli, "
        "draftrx.privacy.scanner, draftrx.privacy.fictionalise, draftrx.privacy.rescan, "
        "draftrx.privacy.evaluate, draftrx.compose.pipeline, draftrx.bench.run, "
        "draftrx.bench.engine, draftrx.bench.speed, draftrx.bench.privacy, draftrx.bench.vault, "
        "draftrx.vault.store, draftrx.vault.export, draftrx.vault.guard, draftrx.doctor, "
        "draftrx.tracebacks, draftrx.servers, draftrx.cli_server, draftrx.engine.remote, "
        "draftrx.bench.server; "
        "qt = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'superqt')]; "
        "print(qt)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


CORE = ("engine", "compose", "privacy", "vault")
# What each package must never import, even inside a function: the engine stands alone
# below the rest, and nothing in the core reaches up to the bench or the command line.
ABOVE = {"bench", "cli", "cli_server", "servers", "doctor", "ui"}
FORBIDDEN = {
    "engine": {"compose", "privacy", "vault", *ABOVE},
    "compose": ABOVE,
    "privacy": ABOVE,
    "vault": ABOVE,
}


def draftrx_imports(source: str, package: str) -> set[str]:
    """The draftrx subpackages and modules that code in `package` (e.g. "draftrx.engine")
    imports, at any depth: {"engine", "cli", ...} for `import draftrx.engine.x`,
    `from draftrx import cli`, `from ..bench import run`."""
    parts = package.split(".")
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module.split(".") if node.module else []
            if node.level:
                base = parts[: len(parts) - node.level + 1] + base
            names = [".".join(base)]
            if base == ["draftrx"]:
                names = [f"draftrx.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(n.split(".")[1] for n in names if n.startswith("draftrx."))
    return found


def test_draftrx_imports_sees_every_form() -> None:
    source = (
        "import draftrx.compose.prompts\nfrom draftrx import cli\nfrom ..bench import run\n"
        "import os\nfrom . import sequences\n"
        "def f():\n    from draftrx.ui.app import run\n"
    )
    found = draftrx_imports(source, "draftrx.engine")
    assert found == {"compose", "cli", "bench", "engine", "ui"}


@pytest.mark.parametrize("package", CORE)
def test_core_layering(package: str) -> None:
    """engine imports nothing from compose, privacy or vault; no core package imports what
    sits above the core: the benchmarks, the command line, the window, the practice-server
    settings (they span layers)."""
    broken = {}
    top = ROOT / "desktop" / "draftrx"
    for path in sorted((top / package).rglob("*.py")):
        where = ".".join(["draftrx", *path.relative_to(top).parts[:-1]])
        bad = draftrx_imports(path.read_text(), where) & FORBIDDEN[package]
        if bad:
            broken[str(path.relative_to(ROOT))] = sorted(bad)
    assert not broken, f"draftrx.{package} may not import these: {broken}"


def test_no_module_of_the_core_imports_in_a_cycle() -> None:
    """Imports between the core's modules (anywhere in a module, type-checking ones too) form
    no cycle: compose.platforms and compose.prompts once imported each other."""
    top = ROOT / "desktop" / "draftrx"
    graph: dict[str, set[str]] = {}
    for package in CORE:
        for path in sorted((top / package).rglob("*.py")):
            name = ".".join(["draftrx", *path.relative_to(top).with_suffix("").parts])
            graph[name] = set()
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    graph[name].add(node.module)
                elif isinstance(node, ast.Import):
                    graph[name].update(a.name for a in node.names)

    def cycle(start: str, node: str, seen: tuple[str, ...]) -> tuple[str, ...] | None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                return (*seen, nxt)
            if nxt in graph and nxt not in seen:
                found = cycle(start, nxt, (*seen, nxt))
                if found:
                    return found
        return None

    cycles = [c for name in graph if (c := cycle(name, name, (name,)))]
    assert not cycles, cycles[0]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:sh|bash)\n(.+?)\n```", readme)
    assert len(commands) >= 2, "README must start with the two fresh-machine commands"
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("task", TASKS)
def test_prompt_templates_load_and_place_the_draft(task: str) -> None:
    prompt = load_prompt(task)
    assert prompt.id == task and prompt.version >= 1 and prompt.description
    platform = load_instruction("variant", name="X", style="Short.", target=200, unit="characters")
    msgs = prompt.messages("  A {curly} draft.  ", platform, "The {key} message.")
    assert msgs[0]["role"] == "system"
    # Worked examples are whole earlier turns; the draft is only in the last one.
    assert [m["role"] for m in msgs[1:-1]] == ["user", "assistant"] * len(prompt.examples)
    user = msgs[-1]["content"]
    # The draft comes first and the platform last, so variants share the cached prefix.
    assert user.index("A {curly} draft.") < user.index("Reply with") < user.index("posted on X")
    assert "The {key} message." in user and user.endswith(platform)


def test_bad_prompt_files_are_explained(tmp_path: Path) -> None:
    (tmp_path / "nodraft.toml").write_text('id="x"\nversion=1\nsystem="s"\nuser="no draft"\n')
    (tmp_path / "broken.toml").write_text("id = ")
    with pytest.raises(ValueError, match="never places the draft"):
        load_prompt("nodraft", tmp_path)
    with pytest.raises(ValueError, match="not valid TOML"):
        load_prompt("broken", tmp_path)
    with pytest.raises(ValueError, match="no prompt for the task"):
        load_prompt("missing", tmp_path)
    (tmp_path / "shorten.toml").write_text('id="s"\nversion=1\ninstruction="Cut to {size}."\n')
    with pytest.raises(ValueError, match="unknown placeholder"):
        load_instruction("shorten", tmp_path, target=10)


def test_ruff_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_readme_images_exist() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / "README.md").read_text())
    assert images, "the README shows the window"
    for image in images:
        assert (ROOT / image).is_file(), image
