"""`draftrx bench`: one part failing is reported in its place, the others still run, and the
command exits 1 after printing everything."""

from __future__ import annotations

import json
from typing import Any

import pytest

from draftrx.bench import run
from draftrx.cli import main

OVERFLOW = "could not broadcast input array from shape (455808,) into shape (303872,)"
FIGURES = {
    "engine": {"decode": {"ratio": 1.0}, "prompt_tokens": 305},
    "speed": {"batch": {"ratio": 0.6}},
    "models": {"by_model": {}},
    "privacy": {"scan_p50_ms": 15.0},
    "vault": {"autosave_p50_ms": 0.05},
    "gui": {"window_shown_s": 0.4},
}


@pytest.fixture
def parts(monkeypatch) -> dict[str, Any]:
    """Every part replaced by a quick fake that never loads a model; `broken[name]` makes
    that part raise it."""
    broken: dict[str, Exception] = {}
    ran: list[str] = []

    def fake(name: str):
        def part(options: run.Options) -> tuple[dict[str, Any], str]:
            ran.append(name)
            if name in broken:
                raise broken[name]
            return FIGURES[name], f"{name} figures"

        return part

    for name in run.PARTS:
        monkeypatch.setitem(run.RUNNERS, name, fake(name))
    return {"broken": broken, "ran": ran}


def test_every_part_ran_exits_0(parts, capsys) -> None:
    assert main(["bench", "--quick", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert parts["ran"] == list(run.PARTS)
    assert report["decode"] == {"ratio": 1.0}  # the engine's figures are the top level
    assert all(report[name] == FIGURES[name] for name in run.PARTS[1:])


def test_one_failing_part_reports_its_error_and_the_others_still_run(parts, capsys) -> None:
    parts["broken"]["speed"] = ValueError(OVERFLOW)
    assert main(["bench", "--quick", "--json"]) == 1
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert parts["ran"] == list(run.PARTS)
    assert report["speed"] == {"error": f"ValueError: {OVERFLOW}"}
    assert report["decode"] == {"ratio": 1.0}
    assert all(report[name] == FIGURES[name] for name in ("privacy", "vault", "gui"))
    assert "bench failed: speed" in err and "ValueError" in err

    assert main(["bench", "--quick"]) == 1
    text = capsys.readouterr().out.splitlines()
    assert text[0] == "engine figures" and text[2:] == [f"{n} figures" for n in run.PARTS[2:]]
    assert text[1].startswith("speed") and text[1].endswith(f"failed: ValueError: {OVERFLOW}")


def test_a_failing_engine_part_is_reported_under_engine(parts, capsys) -> None:
    parts["broken"]["engine"] = RuntimeError("no model")
    assert main(["bench", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["engine"] == {"error": "RuntimeError: no model"} and "decode" not in report
    assert all(report[name] == FIGURES[name] for name in run.PARTS[1:])


def test_a_failed_measurement_inside_a_part_fails_the_run(parts, monkeypatch, capsys) -> None:
    monkeypatch.setitem(FIGURES, "speed", {"batch": {"error": "KeyError: 'x'"}, "prefill": {}})
    assert main(["bench", "--json", "--only", "speed"]) == 1
    out, err = capsys.readouterr()
    assert parts["ran"] == ["speed"] and json.loads(out) == {"speed": FIGURES["speed"]}
    assert "bench failed: speed.batch" in err


def test_an_interrupt_is_not_a_failed_part(parts, capsys) -> None:
    parts["broken"]["privacy"] = KeyboardInterrupt()
    assert main(["bench"]) == 130
    assert parts["ran"] == ["engine", "speed", "models", "privacy"]
