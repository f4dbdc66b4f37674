"""`draftrx scan`, `deid`, `eval-deid`, and the privacy step around `rewrite`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from draftrx.privacy.evaluate import gold_sets

SYNTH = Path(__file__).parents[3] / "shared/data/presidio-synth/synth_dataset_v2.json"


def draftrx(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "draftrx", *args], input=stdin,
                          capture_output=True, timeout=600)  # fmt: skip


def test_scan_jsonl_keeps_order_and_survives_bad_lines() -> None:
    lines = [
        json.dumps({"id": "a", "text": "Mrs. Kowalski, room 412"}).encode(),
        b"{not json",
        json.dumps({"id": 7}).encode(),
        b"\xff\xfe broken utf-8",
        b"",
        json.dumps({"id": "c", "text": "🌞 日本 Dr. Lee on 7/22"}, ensure_ascii=False).encode(),
    ]
    result = draftrx("scan", stdin=b"\n".join(lines) + b"\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(x) for x in result.stdout.decode().splitlines()]
    assert [o.get("id") for o in out] == ["a", None, 7, None, "c"]
    assert "error" in out[1] and "error" in out[2] and "UTF-8" in out[3]["error"]
    assert [(f["type"], f["start"], f["end"]) for f in out[0]["findings"]] == [
        ("NAME", 5, 13), ("ROOM", 20, 23)]  # fmt: skip
    text = "🌞 日本 Dr. Lee on 7/22"
    assert [text[f["start"] : f["end"]] for f in out[4]["findings"]] == ["Lee", "7/22"]
    assert set(out[0]["findings"][0]) == {"start", "end", "type", "score"}


def strict_json(line: str) -> object:
    """json.loads that refuses NaN and Infinity, which are not JSON."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} in the output")

    return json.loads(line, parse_constant=refuse)


def test_scan_answers_every_bad_line_in_strict_json() -> None:
    """A lone surrogate, deep nesting, NaN, Infinity and a float overflowing to inf each
    get their own error (never the line's text) and the lines after them are still read."""
    bad = [
        b'{"id": 1, "text": "secret \\ud800"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"id": NaN, "text": "secret"}',
        b'{"id": -Infinity, "text": "secret"}',
        b'{"id": 1e400, "text": "secret"}',
        b'{"id": "\\udc00", "text": "secret"}',
    ]
    good = json.dumps({"id": "last", "text": "SSN 519-44-8820"}).encode()
    result = draftrx("scan", stdin=b"\n".join([*bad, good]) + b"\n")
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    out = [strict_json(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(bad) + 1
    assert all("error" in o and "secret" not in o["error"] for o in out[:-1])
    assert "surrogate" in out[0]["error"] and "deeply" in out[1]["error"]
    assert "NaN" in out[2]["error"] and "Infinity" in out[3]["error"]
    assert [o["id"] for o in out] == [1, None, None, None, None, None, "last"]
    assert out[-1]["findings"][0]["type"] == "SSN"


def test_scan_reads_a_file_and_names_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "text": "SSN 519-44-8820"}\n')
    assert json.loads(draftrx("scan", str(path)).stdout)["findings"][0]["type"] == "SSN"
    missing = draftrx("scan", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 1 and b"nope.jsonl" in missing.stderr


def test_deid_prints_the_fictionalised_draft(tmp_path: Path) -> None:
    draft = tmp_path / "d.txt"
    draft.write_text("Mrs. Janet Kowalski, 94, room 412, was admitted on 7/22.")
    result = draftrx("deid", str(draft), "--seed", "3")
    assert result.returncode == 0
    out = result.stdout.decode()
    assert "Kowalski" not in out and "412" not in out and "90 or older" in out
    assert b"NAME" in result.stderr and b"Kowalski" not in result.stderr
    redacted = draftrx("deid", str(draft), "--privacy", "redact", "--keep", "3").stdout.decode()
    assert redacted == "Mrs. [NAME], 90 or older, room 412, was admitted on [DATE]."
    bad = draftrx("deid", str(draft), "--keep", "99")
    assert bad.returncode == 1 and b"--keep" in bad.stderr
    draft.write_bytes(b"\xff\xfe")
    assert b"not UTF-8" in draftrx("deid", str(draft)).stderr


def test_eval_deid_reports_bundled_sets_as_json() -> None:
    result = draftrx("eval-deid", "--json")
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    by_set = {r["dataset"]: r["identifiers"] for r in reports}
    assert set(by_set) == {p.name for p in gold_sets()} and len(by_set) >= 5
    for (
        report
    ) in reports:  # the figures themselves are held to their floors in test_privacy_scanner
        assert report["identifiers"]["gold"] > 0 and "NAME" in report["by_type"]


@pytest.mark.skipif(not SYNTH.exists(), reason="../shared/data/presidio-synth not beside the repo")
def test_eval_deid_table_on_presidio_format() -> None:
    table = draftrx("eval-deid", str(SYNTH)).stdout.decode()
    assert table.startswith("synth_dataset_v2.json: 1500 examples")
    assert "IDENTIFIERS" in table and "NAME" in table and "QUASI" in table


def test_eval_deid_disguise_hides_characters_and_recall_holds(tmp_path: Path) -> None:
    """Every gold identifier gets an invisible character; the scanner reads past it, so
    recall on the disguised notes is recall on the plain ones."""
    from draftrx.privacy.evaluate import disguised, load

    gold = tmp_path / "g.jsonl"
    gold.write_text(
        '{"id": "1", "text": "Saw Jenna Alvarez, MRN 4471902, call 937-555-0142.", "spans": '
        '[{"type": "NAME", "value": "Jenna Alvarez"}, {"type": "MRN", "value": "4471902"}, '
        '{"type": "PHONE", "value": "937-555-0142"}]}\n',
        encoding="utf-8",
    )
    hidden = disguised(load(gold))[0]
    assert all(not hidden.text[g.start : g.end].isascii() for g in hidden.spans)
    reports = [json.loads(draftrx("eval-deid", "--json", *flag, str(gold)).stdout)[0]
               for flag in ([], ["--disguise"])]  # fmt: skip
    recall = [r["identifiers"]["recall"] for r in reports]
    assert recall == [1.0, 1.0]


def test_eval_deid_explains_a_bad_gold_file(tmp_path: Path) -> None:
    bad = tmp_path / "g.jsonl"
    bad.write_text('{"id": 1, "text": "hi", "spans": [{"type": "NAME", "value": "Bob"}]}\n')
    result = draftrx("eval-deid", str(bad))
    assert result.returncode == 1 and b"line 1" in result.stderr and b"Bob" in result.stderr


def test_eval_deid_names_the_line_whose_text_is_not_a_string(tmp_path: Path) -> None:
    gold = tmp_path / "g.jsonl"
    good = {"id": 1, "text": "Dr. Lee", "spans": [{"type": "NAME", "value": "Lee"}]}
    bad = {"id": 2, "text": 5, "spans": [{"type": "NAME", "start": 0, "end": 1}]}
    gold.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    result = draftrx("eval-deid", str(gold))
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert result.stderr == b'draftrx: error: g.jsonl line 2: "text" is not a string\n'
    presidio = tmp_path / "p.json"
    presidio.write_text(json.dumps([{"full_text": ["a"], "spans": []}]))
    result = draftrx("eval-deid", str(presidio))
    assert result.returncode == 1 and result.stderr.count(b"\n") == 1
    assert b"p.json" in result.stderr and b"item 0 has a full_text that is not a" in result.stderr


@pytest.mark.model
def test_rewrite_never_shows_the_model_the_patient(default_model_path: Path) -> None:
    draft = b"Mrs. Janet Kowalski, 94, from Millbrook was admitted on 7/22 with DKA in room 412."
    result = draftrx("rewrite", "-", "--max-tokens", "80", "--seed", "1", "--temperature", "0",
                     stdin=draft)  # fmt: skip
    assert result.returncode in (0, 3), result.stderr
    out = result.stdout.decode()
    assert out.strip()
    for original in ("Kowalski", "Janet", "Millbrook", "7/22", "412", "94"):
        assert original not in out, original
    assert b"NAME" in result.stderr and b"fictionalise" in result.stderr
