"""The statistical tagger under the rules: what it adds, that it reads no case, that it
trains only on dev sets, and that its cached model is trusted only when intact."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from draftrx.privacy import tagger
from draftrx.privacy.evaluate import evaluate, gold_sets, load
from draftrx.privacy.fictionalise import Mapping
from draftrx.privacy.findings import Finding
from draftrx.privacy.rescan import recheck
from draftrx.privacy.scanner import Scanner

GOLD = {p.stem: p for p in gold_sets()}


class _Silent:
    def find(self, text: str) -> list[Finding]:
        return []


def _rules_only() -> Scanner:
    s = Scanner()
    s.warm()
    s._tagger = _Silent()  # type: ignore[assignment]
    return s


def test_trains_on_dev_sets_only() -> None:
    names = {p.name for p in tagger.training_sets()}
    assert names == {p.name for p in gold_sets() if p.stem.endswith("_dev")}
    assert names and not any("holdout" in n for n in names)


@pytest.mark.parametrize("name", ["shorthand_holdout", "social_holdout"])
def test_it_finds_what_the_rules_miss_on_a_holdout(scanner: Scanner, name: str) -> None:
    """Measured on sets it never trained on: recall rises, and the names with it."""
    examples = load(GOLD[name])
    rules = evaluate(examples, _rules_only(), name)
    both = evaluate(examples, scanner, name)
    assert both.identifiers.recall >= rules.identifiers.recall + 0.015
    assert both.by_type["NAME"].recall >= rules.by_type["NAME"].recall + 0.01
    assert both.identifiers.precision >= 0.85


def test_it_reads_no_case(scanner: Scanner) -> None:
    """The same note in lower case or capitals is tagged at the same places."""
    texts = [e.text for e in load(GOLD["shorthand_holdout"])[:80]]
    model = tagger.load()
    for text in (t for t in texts if len(t.upper()) == len(t) == len(t.lower())):
        spans = [(f.start, f.end, f.type) for f in model.find(text)]
        assert [(f.start, f.end, f.type) for f in model.find(text.lower())] == spans
        assert [(f.start, f.end, f.type) for f in model.find(text.upper())] == spans


def test_a_rule_finding_stands_where_the_tagger_disagrees() -> None:
    text = "Seen by Dr. Okafor today."
    s = Scanner()
    s.warm()
    s._tagger = _Fixed(Finding(text.index("Dr."), text.index(" today"), "FACILITY", 0.4))  # type: ignore[assignment]
    found = [(text[f.start : f.end], f.type) for f in s.scan(text)]
    assert ("Okafor", "NAME") in found and not any(t == "FACILITY" for _, t in found)


def test_the_models_prose_is_checked_by_the_rules_alone() -> None:
    """A heading word the tagger took for a name is neither reported nor replaced in what
    the model wrote; in the physician's own text it is found."""
    text = "Warning signs of sepsis: act fast."
    s = Scanner()
    s.warm()
    s._tagger = _Fixed(Finding(0, 7, "NAME", 0.4))  # type: ignore[assignment]
    assert [(f.start, f.end) for f in s.scan(text)] == [(0, 7)]
    assert s.scan(text, tagged=False) == []
    assert recheck(text, Mapping(), s) == []


@pytest.mark.parametrize(("text", "kept"), [
    ("Detox teas do not cleanse the liver. Your kidneys do that.", False),
    ("detox teas do not cleanse the liver. your kidneys do that.", True),
    ("DETOX TEAS DO NOT CLEANSE THE LIVER. YOUR KIDNEYS DO THAT.", True),
])  # fmt: skip
def test_where_names_are_capitalised_a_lower_case_finding_is_dropped(
    text: str, kept: bool
) -> None:
    s = Scanner()
    s.warm()
    s._tagger = _Fixed(Finding(6, 10, "NAME", 0.4))  # type: ignore[assignment]
    assert [(f.start, f.end) for f in s.scan(text)] == ([(6, 10)] if kept else [])


class _Fixed:
    def __init__(self, finding: Finding) -> None:
        self.finding = finding

    def find(self, text: str) -> list[Finding]:
        return [self.finding]


@pytest.fixture
def small_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A one-file training set in a cache of its own: trains in a fraction of a second."""
    gold = tmp_path / "gold" / "tiny_dev.jsonl"
    gold.parent.mkdir()
    gold.write_text(GOLD["clinical_dev"].read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(tagger, "training_sets", lambda: [gold])
    monkeypatch.setenv("DRAFTRX_CACHE_DIR", str(tmp_path / "cache"))
    return gold


def _models(small_training: Path) -> list[Path]:
    return sorted((small_training.parents[1] / "cache").glob("tagger-*.crfsuite"))


def test_trained_once_then_read_from_the_cache(
    small_training: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tagger.load()
    [model] = _models(small_training)
    monkeypatch.setattr(tagger, "train", _must_not_train)
    assert tagger.load().find("wife rosalind at bedside") is not None
    assert _models(small_training) == [model]


def _must_not_train(*_: object) -> None:
    raise AssertionError("trained again although the cached model was intact")


def test_a_damaged_model_is_trained_again_not_opened(small_training: Path) -> None:
    """CRFsuite crashes the process on a truncated model file, so it must never see one."""
    tagger.load()
    [model] = _models(small_training)
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    tagger.load().find("son mateo called")
    [again] = _models(small_training)
    assert again == model and again.stat().st_size > 1000
    assert tagger.load().find("son mateo called") is not None


def test_new_training_data_replaces_the_old_model(small_training: Path) -> None:
    tagger.load()
    [old] = _models(small_training)
    lines = small_training.read_text(encoding="utf-8").splitlines()
    spans = [{"type": "NAME", "value": "big sue"}, {"type": "FACILITY", "value": "the pines"}]
    extra = {"id": "x", "text": "spoke with big sue at the pines", "spans": spans}
    small_training.write_text("\n".join([*lines, json.dumps(extra)]), encoding="utf-8")
    tagger.load()
    [new] = _models(small_training)
    assert new != old and not old.exists()


def test_training_stops_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window closing on its first start stops the training: nothing is cached, nothing
    half-written is left, and the next start trains again."""
    monkeypatch.setenv("DRAFTRX_CACHE_DIR", str(tmp_path))
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            tagger.load()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    started = time.monotonic()
    worker.start()
    time.sleep(1.0)
    tagger.stop_training()
    worker.join(timeout=30)
    assert not worker.is_alive() and time.monotonic() - started < 15
    assert len(outcome) == 1 and isinstance(outcome[0], tagger.TrainingStopped)
    assert list(tmp_path.glob("tagger-*")) == []
    assert not tagger._STOP.is_set()
