"""Project rules that code review alone would not keep."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from draftrx.compose.prompts import TASKS, load_instruction, load_prompt

ROOT = Path(__file__).parents[1]


def test_core_never_imports_qt() -> None:
    code = (
        "import sys, draftrx.engine, draftrx.engine.bench, draftrx.compose.prompts, draftrx.cli, "
        "draftrx.privacy.scanner, draftrx.privacy.fictionalise, draftrx.privacy.rescan, "
        "draftrx.privacy.evaluate, draftrx.privacy.bench, draftrx.compose.pipeline, "
        "draftrx.vault.store, draftrx.vault.export, draftrx.vault.guard, draftrx.doctor, "
        "draftrx.tracebacks; "
        "qt = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'superqt')]; "
        "print(qt)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


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
    msgs = prompt.messages("  A {curly} draft.  ", platform)
    assert msgs[0]["role"] == "system"
    user = msgs[1]["content"]
    # The draft comes first and the platform last, so variants share the cached prefix.
    assert user.index("A {curly} draft.") < user.index("Reply with") < user.index("posted on X")
    assert user.endswith(platform)


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
