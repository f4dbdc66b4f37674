"""End to end with the real default model: a case full of identifiers becomes a variant
for every platform, each within its limit, with its disclaimer, and with no identifier
from the draft."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import regex

from draftrx.compose import reply_lines
from draftrx.compose.grounding import supported
from draftrx.compose.pipeline import (
    Composer,
    MessageFound,
    Request,
    VariantDone,
    VariantStats,
    VariantText,
)
from draftrx.compose.plain import spell_out
from draftrx.compose.platforms import load_platforms
from draftrx.compose.settings import Settings
from draftrx.engine.events import GenerationParams

CASE = Path(__file__).parents[1] / "fixtures" / "drafts" / "case_asthma.txt"
# Every identifier in the case draft, as written there.
ORIGINALS = ["St. Mary", "Dayton", "Jenna", "Alvarez", "Lincoln", "March 3", "4471902",
             "bed 12", "Mark", "937-555-0142"]  # fmt: skip

pytestmark = pytest.mark.model


def test_a_case_becomes_a_safe_variant_for_every_platform(engine, scanner) -> None:
    platforms = tuple(load_platforms().values())
    settings = Settings()
    composer = Composer(engine.stream, scanner, settings, cancel=engine.cancel)
    request = Request(CASE.read_text(), "lesson", platforms, seed=1)
    events = list(composer.compose(request, GenerationParams(max_tokens=200, temperature=0)))

    variants = [e.variant for e in events if isinstance(e, VariantDone)]
    assert [v.platform.id for v in variants] == [p.id for p in platforms]
    message = next(e.message for e in events if isinstance(e, MessageFound))
    protected = composer.protect(request)
    assert sum(isinstance(e, VariantText) for e in events) > 8 * 20  # real tokens streamed
    for v in variants:
        p = v.platform
        checks = {c.id: c for c in v.checks}
        assert checks["length"].severity == "ok", (p.id, checks["length"])
        assert all(p.length(post) <= p.limit for post in v.posts), p.id
        if v.caption is not None:
            assert len(v.caption) <= p.caption_limit
        assert settings.disclaimer_for(p.id, p.disclaimer) in v.text, p.id
        for original in ORIGINALS:
            assert original.lower() not in v.text.lower(), (p.id, original)
        assert checks["identifiers"].severity == "ok", (p.id, checks["identifiers"])
        # What the model added beyond the draft went, and what is left draws on the draft.
        assert checks["supported"].severity == "ok", (p.id, checks["supported"])
        assert not any(sentence in v.text for sentence in v.cut), p.id
        source = f"{spell_out(protected.result.text)}\n{message.text}"
        for post in v.posts:
            assert supported(regex.sub(r"\s*\(\d+/\d+\)$", "", post), source)[1] == [], p.id
    # The platform instruction comes last (then the answer's opening, the key message), so
    # every variant after the first reuses the cached system text, teaching sentences and
    # key message instead of processing them again: all but the platform's own few dozen
    # tokens and the opening.
    assert message.source == "draft"  # the case's own "The lesson: ...": the posts open with it
    opening = len(engine._llm.tokenize(f"{message.text}\n\n".encode(), add_bos=False))
    stats = [e.stats for e in events if isinstance(e, VariantStats)]
    assert all(s.prompt_tokens - s.reused_tokens <= 64 + opening for s in stats[1:]), [
        (s.prompt_tokens, s.reused_tokens, opening) for s in stats
    ]


def test_rewrite_streams_each_variant_then_its_final_text_diff_and_checks(
    default_model_path,
) -> None:
    cmd = [sys.executable, "-m", "draftrx", "rewrite", str(CASE), "--platform", "x,bluesky",
           "--diff", "--max-tokens", "60", "--temperature", "0", "--seed", "1"]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode in (0, 3), result.stderr
    out = result.stdout
    assert out.index("=== X ===") < out.index("--- X: final") < out.index("=== Bluesky ===")
    final = out[out.index("--- X: final") : out.index("--- X: changes")]
    assert "General info, not medical advice." in final
    assert not any(o.lower() in final.lower() for o in ORIGINALS)
    assert "<identifier>" in out and "<disclaimer>" in out and "checks:" in out
    assert "NAME" in result.stderr and "Jenna" not in result.stderr


def test_a_reply_with_the_physicians_point_keeps_its_crisis_line(engine, scanner) -> None:
    """The real model continues a reply that opens with the physician's point inside the
    crisis line and the standard words; what it adds never loses them."""
    composer = Composer(engine.stream, scanner, Settings(), cancel=engine.cancel)
    comment = "Honestly some nights I want to die. Does therapy even work for people like me?"
    point = "Talking therapies help many people, and it is worth asking your doctor for one."
    platforms = (load_platforms()["x"], load_platforms()["facebook"])
    request = Request(comment, "reply-comment", platforms, message=point, seed=1)
    events = list(composer.compose(request, GenerationParams(max_tokens=60, temperature=0)))
    message = next(e.message for e in events if isinstance(e, MessageFound))
    assert message.source == "reply" and point in message.text
    for v in (e.variant for e in events if isinstance(e, VariantDone)):
        assert "988" in v.text and point in v.text, v.platform.id
        assert v.severity != "block", [c for c in v.checks if c.severity == "block"]


def test_an_emergency_told_by_its_signs_goes_out_with_911_on_the_real_model(
    engine, scanner
) -> None:
    """A head injury with vomiting and a child hard to wake, never called an emergency in
    the message: every variant names the danger and says to call 911, and blocks nothing."""
    composer = Composer(engine.stream, scanner, Settings(), cancel=engine.cancel)
    dm = ("So sorry to bother you on a Sunday night. My daughter Maisie (4) fell off the top "
          "bunk and hit her head on the floor. She's thrown up 3 times and is hard to wake. "
          "Can I let her sleep and check on her?")  # fmt: skip
    platforms = (load_platforms()["x"], load_platforms()["facebook"])
    request = Request(dm, "reply-dm", platforms, seed=1)
    events = list(composer.compose(request, GenerationParams(max_tokens=60, temperature=0)))
    message = next(e.message for e in events if isinstance(e, MessageFound))
    assert message.text.startswith(reply_lines.NAMED["head"])
    for v in (e.variant for e in events if isinstance(e, VariantDone)):
        assert "911" in v.text and "Maisie" not in v.text, v.platform.id
        assert v.severity != "block", [c for c in v.checks if c.severity == "block"]
