"""`draftrx eval-rewrite`: the gold sets load, the judge is the gold's and not the checks',
and the command runs the real pipeline and the plain baseline side by side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from draftrx.cli import main
from draftrx.evals import rewrite

CASE = {
    "id": "lesson-heart", "kind": "lesson", "task": "lesson", "platforms": ["x"],
    "draft": "Mrs. Dana Whitlock, 61, MRN 5520193, waited two days with jaw pain and nausea. "
             "It was a heart attack. Takeaway: jaw pain or nausea can be a heart attack in "
             "women; call 911 right away.",
    "message": "Jaw pain or nausea can be a heart attack in women; call 911 right away.",
    "must": ["\\b(911|emergency)"], "against": ["\\bwait(ing)? (a|two|few)? ?days?"],
    "case_details": ["whitlock", "\\b61\\b"],
}  # fmt: skip


def test_both_gold_sets_load_and_cover_every_kind_and_platform() -> None:
    dev, holdout = (rewrite.load(p) for p in rewrite.gold_sets())
    assert len(dev) >= 40 and len(holdout) >= 20
    for cases in (dev, holdout):
        assert {c.kind for c in cases} == set(rewrite.KINDS)
        assert {p for c in cases for p in c.platforms} == {
            "x", "threads", "bluesky", "mastodon", "linkedin", "instagram", "facebook", "tiktok",
        }  # fmt: skip
        assert all(c.case_details for c in cases if c.kind == "lesson")
    assert not {c.id for c in dev} & {c.id for c in holdout}


def test_every_gold_reference_passes_its_own_judge_and_every_reversal_fails_it() -> None:
    """A gold pattern too narrow for a good post, or too loose to catch its opposite, would
    count the pipeline wrong for the gold's sake."""
    for path in rewrite.gold_sets():
        for line in path.read_text().splitlines():
            raw = json.loads(line)
            (case,) = _cases([raw])
            good = rewrite.judge(raw["reference"], case, [])
            assert good["faithful"] and not good["against"] and not good["retold"], raw["id"]
            assert rewrite.judge(raw["reversed"], case, [])["against"], raw["id"]


def test_a_malformed_gold_line_is_refused_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(CASE) + "\n" + json.dumps({"id": "x"}) + "\n")
    with pytest.raises(ValueError, match="line 2"):
        rewrite.load(path)


def test_the_judge_reads_the_gold_patterns() -> None:
    (case,) = _cases([CASE])
    good = rewrite.judge("If your jaw hurts and you feel sick, call 911 right away.", case, [])
    assert good["faithful"] and not (good["against"] or good["retold"] or good["record_like"])
    bad = rewrite.judge("Mrs. Whitlock, 61, says wait two days. MRN 5520193.", case, ["Whitlock"])
    assert not bad["faithful"] and bad["against"] and bad["retold"] and bad["leaked"] == 1
    assert any("5520193" in r for r in bad["record_like"])
    assert "Mrs. Whitlock" in bad["record_like"]
    verb = rewrite.judge("If they miss another game, call 911 right away.", case, [])
    assert verb["record_like"] == []  # "miss" is a verb here, not a title
    judged = rewrite.Judged("c", "lesson", "x", "draftrx", "t", **bad, blocked=["message"])
    assert judged.harmful and not judged.harmful_unblocked and not judged.usable


def _cases(raw: list[dict]) -> list[rewrite.Case]:
    return [rewrite.Case(r["id"], r["kind"], r["task"], tuple(r["platforms"]), r["draft"],
                         r["message"], tuple(r["must"]), tuple(r["against"]),
                         tuple(r["case_details"])) for r in raw]  # fmt: skip


@pytest.mark.model
def test_eval_rewrite_runs_the_pipeline_and_the_baseline(
    default_model_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "one.jsonl"
    gold.write_text(json.dumps(CASE) + "\n")
    # 40 tokens: both candidates end before X's target, so neither is cut as a straggler.
    code = main(["eval-rewrite", str(gold), "--json", "--max-tokens", "40", "--candidates", "2",
                 "--model", str(default_model_path)])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    (result,) = out["sets"]
    systems = {v["system"]: v for v in result["variants"]}
    assert set(systems) == {"draftrx", "plain"}
    ours, plain = systems["draftrx"], systems["plain"]
    assert ours["key_message"].startswith("Jaw pain or nausea") and ours["candidates"] == 2
    # The pipeline replaced the identifiers before the model saw them; the baseline did not.
    assert ours["leaked"] == 0 and "Whitlock" not in ours["text"]
    assert plain["text"] and plain["blocked"] == []
    # What `grounding` took out is named, and none of it is in the post.
    assert isinstance(ours["cut"], list) and not any(s in ours["text"] for s in ours["cut"])
    assert plain["cut"] == []
    assert result["summary"]["draftrx"]["variants"] == 1 == result["summary"]["plain"]["variants"]
    assert out["facts"]["candidates"] == 2 and out["facts"]["speculation"] is False
    # Without speculation a run is reproducible: the same case, run again, writes the same.
    assert main(["eval-rewrite", str(gold), "--json", "--max-tokens", "40", "--candidates", "2",
                 "--no-baseline", "--model", str(default_model_path)]) == 0  # fmt: skip
    again = json.loads(capsys.readouterr().out)["sets"][0]["variants"]
    assert [v["text"] for v in again] == [ours["text"]]


@pytest.mark.model
def test_messages_only_scores_the_key_message_against_the_gold(
    default_model_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unmarked = {**CASE, "id": "no-lesson", "draft": "Mrs. Dana Whitlock, 61, waited two days."}
    gold = tmp_path / "two.jsonl"
    gold.write_text(json.dumps(CASE) + "\n" + json.dumps(unmarked) + "\n")
    code = main(["eval-rewrite", str(gold), "--messages-only", "--json",
                 "--model", str(default_model_path)])  # fmt: skip
    (result,) = json.loads(capsys.readouterr().out)["sets"]
    found = {f["case"]: f for f in result["messages"]}
    assert code == 0 and "variants" not in result  # no post was written
    assert found["lesson-heart"]["source"] == "draft" and found["lesson-heart"]["right"]
    assert found["lesson-heart"]["text"].startswith("Jaw pain or nausea")
    assert not found["no-lesson"]["right"]  # no 911 in any message of that draft
