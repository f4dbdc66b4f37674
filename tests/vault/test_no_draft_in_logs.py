"""Draft text never reaches a log record, stderr or a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from draftrx.cli import main

DRAFT = (
    "Last night Theodora Vanterpool, 58, a teacher from Ashgrove Falls, collapsed at the "
    "Riverside Marathon; her MRN is 44810293 and her daughter Philippa drove her in."
)
IDENTIFIERS = ["Theodora", "Vanterpool", "Ashgrove", "44810293", "Philippa"]
WORDS = [*IDENTIFIERS, "Riverside Marathon", "collapsed"]  # any draft text at all


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, recorded: far more than the app ever prints."""
    loggers = [logging.getLogger(n) for n in list(logging.root.manager.loggerDict)]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


def leaked(text: str) -> list[str]:
    return [w for w in WORDS if w.casefold() in text.casefold()]


def test_pipeline_and_history_log_no_draft(everything_logged, scanner, data_dir, memory_keyring,
                                           capfd) -> None:  # fmt: skip
    from draftrx.compose.pipeline import Composer, Request
    from draftrx.compose.platforms import choose, load_platforms
    from draftrx.compose.settings import Settings
    from draftrx.engine.events import GenerationParams, StreamStats, TextPiece
    from draftrx.vault.store import Vault

    def stream(messages, params):  # echoes the prompt back, as a careless model would
        yield TextPiece(messages[-1]["content"][:400])
        yield StreamStats(1, 0, 1, 0.01, 1, 100.0, 0.01, "eos")

    platforms = tuple(choose("x,linkedin", load_platforms()))
    composer = Composer(stream, scanner, Settings())
    variants = [e.variant for e in composer.compose(Request(DRAFT, "lesson", platforms),
                                                    GenerationParams(max_tokens=32))
                if hasattr(e, "variant")]  # fmt: skip
    assert len(variants) == 2
    with Vault.open() as vault:
        vault.add_rewrite(vault.save_draft(DRAFT), {"variants": [v.text for v in variants]})
        assert vault.drafts("vanterpool")
    messages = "\n".join(r.getMessage() for r in everything_logged.records)
    assert leaked(messages) == []
    out, err = capfd.readouterr()
    assert leaked(out + err) == []


def test_cli_reports_findings_without_their_text(tmp_path: Path, capfd) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT)
    assert main(["deid", str(draft), "--seed", "1"]) == 0
    out, err = capfd.readouterr()
    assert "NAME" in err and "MRN" in err and leaked(err) == []
    assert [w for w in IDENTIFIERS if w in out] == []  # the output itself is de-identified


def test_a_crash_prints_where_not_what(tmp_path: Path, monkeypatch, capfd) -> None:
    """An unexpected exception whose message quotes the draft: the traceback leaves it out."""
    from draftrx.privacy import scanner as scanner_module

    def broken(self, text: str):
        raise KeyError(text)

    monkeypatch.setattr(scanner_module.Scanner, "scan", broken)
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT)
    assert main(["deid", str(draft)]) == 70
    _, err = capfd.readouterr()
    assert "Traceback" in err and "builtins.KeyError" in err and "in broken" in err
    assert leaked(err) == []


@pytest.mark.model
def test_model_rewrite_logs_no_draft(default_model_path: Path, tmp_path: Path, capfd,
                                     everything_logged) -> None:  # fmt: skip
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT)
    argv = ["rewrite", str(draft), "--platform", "x", "--max-tokens", "24", "--seed", "3",
            "--model", str(default_model_path), "--stats", "--ctx", "2048"]  # fmt: skip
    assert main(argv) in (0, 3)  # 3: a check blocked the variant, which is fine here
    _, err = capfd.readouterr()
    assert '"decode_tokens"' in err
    assert leaked(err) == []
    assert leaked("\n".join(r.getMessage() for r in everything_logged.records)) == []
