"""The compose pipeline on a scripted engine: prompts, shortening, threads, disclaimers,
disclosure, the second privacy pass, cancel and the diff. The real model runs in
test_compose_model.py; here the point is what the pipeline does with any model's text."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import regex

from draftrx.compose import reply_lines
from draftrx.compose.diff import format_diff
from draftrx.compose.pipeline import (
    Composer,
    MessageFound,
    Request,
    VariantDone,
    VariantStarted,
    VariantStats,
)
from draftrx.compose.platforms import load_platforms
from draftrx.compose.settings import LONG_DISCLAIMER, SHORT_DISCLAIMER, Settings, load_settings
from draftrx.engine.events import GenerationParams, SequenceEvent, StreamStats, TextPiece

PLATFORMS = load_platforms()
DRAFT = ("Saw Maria Kowalski, 67, in room 412 at Mercy General on March 3 with the flu. "
         "Flu shots matter: she had skipped hers.")  # fmt: skip
ORIGINALS = ["Maria", "Kowalski", "412", "Mercy General", "March 3"]
PARAMS = GenerationParams(max_tokens=300, temperature=0)


class Scripted:
    """An engine stand-in that replies with fixed texts and records what it was asked."""

    def __init__(self, *replies: str, cancel_at: int | None = None) -> None:
        self.replies = list(replies)
        self.calls: list[tuple[list[dict[str, str]], GenerationParams]] = []
        self.cancel_at = cancel_at

    def __call__(self, messages: Sequence[dict[str, str]], params: GenerationParams) -> Iterator:
        self.calls.append(([dict(m) for m in messages], params))
        text = self.replies.pop(0) if self.replies else "Flu shots help."
        cancelled = self.cancel_at == len(self.calls)

        def events():
            for piece in regex.findall(r"\S+\s*", text)[: 2 if cancelled else None]:
                yield TextPiece(piece)
            yield StreamStats(10, 0, 10, 0.1, 5, 30.0, 0.3, "cancelled" if cancelled else "eos")

        return events()


def run(engine: Scripted, scanner, **request) -> tuple[list, list]:
    """The job with its key message given, so that every scripted reply is a variant."""
    request.setdefault("message", "Flu shots matter.")
    composer = Composer(engine, scanner, request.pop("settings", Settings()))
    # The draft that supports the scripted text: a model's sentence the draft does not
    # support is cut (`grounding`), and these tests are about what happens to the rest.
    draft = f"{DRAFT} {request.pop('supports', '')}".strip()
    events = list(composer.compose(Request(draft, seed=3, **request), PARAMS))
    return events, [e.variant for e in events if isinstance(e, VariantDone)]


def test_variants_share_the_prompt_prefix_and_the_model_never_sees_the_patient(scanner) -> None:
    engine = Scripted("Flu shots protect you.", "Flu shots protect you and others.")
    run(engine, scanner, platforms=(PLATFORMS["x"], PLATFORMS["linkedin"]))
    (first, _), (second, _) = engine.calls
    # Each answer opens with the physician's key message, written by code.
    assert first[-1] == second[-1] == {"role": "assistant", "content": "Flu shots matter.\n\n"}
    first, second = first[:-1], second[:-1]
    assert first[:-1] == second[:-1]  # the same system text and worked example
    a, b = first[-1]["content"], second[-1]["content"]
    shared = a[: a.index("posted on X")]
    assert b.startswith(shared) and "posted on LinkedIn" in b[len(shared) :]
    assert "Flu shots matter" in shared  # the draft is in the shared part
    for message in first + second:
        for original in ORIGINALS:
            assert original not in message["content"], original


def test_each_platform_gets_its_disclaimer_and_fits(scanner) -> None:
    long_text = " ".join(["Flu shots are the best protection we have against a bad winter."] * 12)
    engine = Scripted(long_text, "Short LinkedIn post about flu shots.")
    _, (x, linkedin) = run(engine, scanner, platforms=(PLATFORMS["x"], PLATFORMS["linkedin"]),
                           supports=long_text[:65])
    assert len(x.posts) > 1 and all(PLATFORMS["x"].length(p) <= 280 for p in x.posts)
    assert SHORT_DISCLAIMER in x.posts[-1] and LONG_DISCLAIMER not in x.text
    assert linkedin.text.endswith(LONG_DISCLAIMER)
    severities = {c.id: c.severity for c in x.checks}
    assert severities["length"] == "ok"
    assert severities["identifiers"] == "ok"  # "(1/2)" is a post number, not a date
    assert len(engine.calls) == 2  # a thread absorbed X's length: no second request


def test_too_long_without_threads_asks_the_model_to_shorten_then_cuts(scanner) -> None:
    too_long = "Flu shots lower your risk of a hospital stay. " * 80  # ~3,700 characters
    engine = Scripted(too_long, too_long)
    events, (variant,) = run(engine, scanner, platforms=(PLATFORMS["linkedin"],),
                             supports=too_long[:46])
    assert [e.attempt for e in events if isinstance(e, VariantStarted)] == ["write", "shorten"]
    retry = engine.calls[1][0]
    # The whole first answer, its given opening included, and no opening the second time.
    assert retry[-2] == {"role": "assistant", "content": f"Flu shots matter.\n\n{too_long}"}
    assert "too long for LinkedIn" in retry[-1]["content"] and "3" in retry[-1]["content"]
    assert variant.shortened and len(variant.posts) == 1
    assert len(variant.text) <= 3000 and variant.text.endswith(LONG_DISCLAIMER)


def test_the_models_text_is_protected_again(scanner) -> None:
    leaky = "Remember Kowalski from room 412? Call Dr. Hannah Brightwater at 614-293-8841."
    _, (variant,) = run(Scripted(leaky), scanner)
    for original in ("Kowalski", "412", "Brightwater", "614-293-8841"):
        assert original not in variant.text, original
    assert {c.id: c.severity for c in variant.checks}["identifiers"] == "ok"


def test_a_short_number_from_the_draft_is_not_a_leak_on_its_own(scanner) -> None:
    draft = ("Mr. Osei in bed 12 needed his inhaler every 4 hours. Follow your rescue plan: "
             "use the rescue inhaler as it says, up to every 12 hours.")
    engine = Scripted("Use a rescue inhaler as your plan says, up to every 12 hours. Bed 12 here.")
    composer = Composer(engine, scanner)
    (v,) = [e.variant for e in composer.compose(Request(draft, seed=2, message="Inhalers help."),
                                                PARAMS)
            if isinstance(e, VariantDone)]  # fmt: skip
    assert "every 12 hours" in v.text and "Bed 12" not in v.text
    assert {c.id: c.severity for c in v.checks}["identifiers"] == "ok"


def test_markdown_and_preamble_are_removed(scanner) -> None:
    _, (variant,) = run(Scripted("Here is the post:\n**Flu shots** matter.\n## Why\nThey work."
                                 "\n**Key message:** Get one."), scanner)  # fmt: skip
    # The opening (the key message) is written by code; the model's echo of it is dropped.
    assert variant.posts[0].startswith("Flu shots matter.\n\nWhy\nThey work.\nGet one.")


def test_the_assistants_sign_off_is_removed(scanner) -> None:
    """After its opening, the default model sometimes closed as a chat assistant does."""
    _, (variant,) = run(Scripted("Flu shots are safe. I hope this helps!\n\nIf you have any "
                                 "questions or need help with a specific topic, feel free to "
                                 "ask!"), scanner)  # fmt: skip
    assert variant.posts[0].startswith("Flu shots matter.\n\nFlu shots are safe.\n\n")
    assert "hope" not in variant.text and "feel free" not in variant.text


def test_cancel_ends_the_job(scanner) -> None:
    engine = Scripted("Flu shots help a lot this winter.", cancel_at=1)
    events, variants = run(engine, scanner, platforms=(PLATFORMS["x"], PLATFORMS["threads"]))
    assert variants == [] and len(engine.calls) == 1
    assert isinstance(events[-1], VariantStats) and events[-1].stats.stop_reason == "cancelled"


def test_sponsored_posts_get_a_disclosure_labelled_in_the_diff(scanner) -> None:
    engine = Scripted("This sunscreen is great for kids.", "This sunscreen is great for kids.")
    _, (x, fb) = run(engine, scanner, platforms=(PLATFORMS["x"], PLATFORMS["facebook"]),
                     sponsor="Acme")  # fmt: skip
    assert "#ad Paid partnership with Acme." in x.text
    assert "Disclosure: paid partnership with Acme." in fb.text
    reasons = {c.reason for c in fb.diff if c.op != "equal"}
    assert {"disclosure", "disclaimer", "rewritten"} <= reasons
    assert {c.id: c.severity for c in fb.checks}["disclosure"] == "ok"


def test_a_brand_gets_the_physicians_own_statement_or_a_warning(scanner) -> None:
    text = "Ozempic is a prescription drug, not a cosmetic."
    _, (v,) = run(Scripted(text), scanner, settings=Settings(coi_statement="I consult for Novo."),
                  supports=text)
    assert "Disclosure: I consult for Novo." in v.text
    _, (v,) = run(Scripted(text), scanner, supports=text)
    assert "Disclosure" not in v.text
    assert {c.id: c.severity for c in v.checks}["disclosure"] == "warn"


def test_the_diff_says_why_each_word_changed(scanner) -> None:
    _, (v,) = run(Scripted(DRAFT), scanner)  # a model that copies its (fictionalised) input
    changed = [c for c in v.diff if c.op != "equal"]
    by_reason = {c.reason for c in changed}
    assert by_reason == {"identifier", "disclaimer", "rewritten"}
    # What the model did not write: the opening, which is the physician's key message.
    assert [c.new.strip() for c in changed if c.reason == "rewritten"] == ["Flu shots matter."]
    assert any("Kowalski" in c.old for c in changed if c.reason == "identifier")
    rebuilt = "".join(c.new for c in v.diff)
    assert rebuilt == v.text
    # The made-up room number is no leak, but a post never needs one.
    quasi = {c.id: c for c in v.checks}["quasi_identifiers"]
    assert quasi.severity == "warn" and "room" in quasi.message


def test_a_stand_in_in_the_models_own_sentence_is_the_privacy_change_and_the_rest_its_own(
    scanner,
) -> None:
    """A model that writes a new sentence around the patient's stand-in: the stand-in is
    coloured as the identifier change, the model's words as its own, and the taken-out
    text lists the identifiers in it by type (so a view can hide them)."""
    composer = Composer(Scripted(), scanner, Settings())
    protected = composer.protect(Request(DRAFT, seed=3))
    name = next(protected.result.text[slice(*r.target)] for r in protected.result.replacements
                if r.type == "NAME")  # fmt: skip
    _, (v,) = run(Scripted(f"Everyone who knows {name} should get a flu shot."), scanner)
    changed = [c for c in v.diff if c.op != "equal"]
    assert " ".join(c.new for c in changed if c.reason == "identifier") == name
    mine = " ".join(c.new for c in changed if c.reason == "rewritten")
    assert "Everyone who knows" in mine and "should get a flu shot" in mine
    hidden = [(c.old[a:b], kind) for c in changed for a, b, kind in c.hidden]
    assert ("Maria Kowalski", "name") in hidden, hidden
    assert any("412" in text and kind == "room or bed" for text, kind in hidden), hidden
    assert "".join(c.new for c in v.diff) == v.text
    shown = format_diff(v.diff)  # `rewrite --diff`: the identifiers taken out, as such
    assert "[-Maria Kowalski-]<identifier>" in shown and f"{{+{name.split()[0]}" in shown


def test_a_reply_that_confirms_a_patient_blocks(scanner) -> None:
    _, (v,) = run(Scripted("You're welcome, glad we could help with your rash!"), scanner,
                  task="reply-comment")  # fmt: skip
    assert v.severity == "block"
    assert {c.id: c.severity for c in v.checks}["patient_confirmation"] == "block"


def test_a_reply_carries_no_hashtags(scanner) -> None:
    """The default model tagged a reply to a DM with the sender's details ("#4th Floor")."""
    _, (v,) = run(Scripted("Please call 911 now. Stay safe, #friends.\n\n#ChestPressure\n"
                           "#4th Floor"), scanner, task="reply-dm")  # fmt: skip
    assert "#" not in v.text and "Floor" not in v.text
    assert "Please call 911 now. Stay safe, friends." in v.posts[0]


def test_the_physicians_point_for_a_reply_goes_out_with_its_safety_lines(scanner) -> None:
    comment = "I feel hopeless lately and want to die. Does therapy even work?"
    point = "Talking therapies help many people, and it is worth asking for one."
    engine = Scripted("")  # the reply is the code's: the model may add nothing
    events = list(Composer(engine, scanner).compose(
        Request(comment, "reply-comment", message=point), PARAMS))  # fmt: skip
    (found,) = [e.message for e in events if isinstance(e, MessageFound)]
    (v,) = [e.variant for e in events if isinstance(e, VariantDone)]
    assert found.source == "reply" and found.text.startswith(reply_lines.CRISIS)
    opening = engine.calls[0][0][-1]  # (messages, params): what the model is given
    assert opening["role"] == "assistant" and point in opening["content"]
    assert "988" in v.text and point in v.text and v.severity != "block"


def test_a_review_that_only_praises_is_thanked_and_names_no_one(scanner) -> None:
    review = ("Five stars for Dr. Amara Reyes at Maple Grove Clinic. She did CPR on my "
              "dad Henry Kim until the ambulance came. Forever grateful!!!")  # fmt: skip
    engine = Scripted("")
    events = list(Composer(engine, scanner).compose(Request(review, "reply-review"), PARAMS))
    (found,) = [e.message for e in events if isinstance(e, MessageFound)]
    (v,) = [e.variant for e in events if isinstance(e, VariantDone)]
    assert found.source == "task" and found.text.startswith("Thank you so much for the kind words")
    assert "sorry" not in v.text and v.severity != "block"
    assert not any(name in v.text for name in ("Reyes", "Henry", "Kim", "Maple Grove"))


def test_a_reply_that_echoes_the_comment_blocks(scanner) -> None:
    comment = "Thank you for fixing my rash last week! Should I keep using the cream twice a day?"
    engine = Scripted("Should I keep using the cream twice a day? Glad to hear it.")
    events = Composer(engine, scanner).compose(Request(comment, "reply-comment"), PARAMS)
    (v,) = [e.variant for e in events if isinstance(e, VariantDone)]
    check = {c.id: c for c in v.checks}["patient_confirmation"]
    assert check.severity == "block" and "own words" in check.message
    assert v.text[slice(*check.spans[0])] == "Should I keep using the cream twice a day"
    engine = Scripted("Thanks for reading! Creams differ; your own doctor can advise you.")
    events = Composer(engine, scanner).compose(Request(comment, "reply-comment"), PARAMS)
    (v,) = [e.variant for e in events if isinstance(e, VariantDone)]
    assert {c.id: c.severity for c in v.checks}["patient_confirmation"] == "ok"


def test_tiktok_script_fits_in_words_with_the_disclaimer_in_the_caption(scanner) -> None:
    script = "Here is a fact about flu shots that everyone should hear today. " * 30  # 360 words
    _, (v,) = run(Scripted(script, script), scanner, platforms=(PLATFORMS["tiktok"],),
                  supports=script[:64])
    assert PLATFORMS["tiktok"].length(v.posts[0]) <= 150
    assert v.caption is not None and v.caption.endswith(LONG_DISCLAIMER)
    assert len(v.caption) <= 2200 and v.shortened


def test_user_prompts_and_settings_override_the_shipped_ones(
    scanner, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("DRAFTRX_CONFIG_DIR", str(tmp_path))
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "educational.toml").write_text(
        'id = "educational"\nversion = 7\nsystem = "MY SYSTEM"\nuser = "Fix: {draft}"\n'
    )
    (tmp_path / "settings.toml").write_text(
        '[disclaimer]\nlong = "Not advice."\nx = "Not advice (X)."\n[limits]\nmastodon = 1000\n'
    )
    settings = load_settings()
    assert settings.limits == {"mastodon": 1000}
    engine = Scripted("Flu shots help.", "Flu shots help.")
    _, (post,) = run(engine, scanner, settings=settings)
    _, (x,) = run(engine, scanner, platforms=(PLATFORMS["x"],), settings=settings)
    assert engine.calls[0][0][0]["content"] == "MY SYSTEM"
    assert post.text.endswith("Not advice.") and x.text.endswith("Not advice (X).")


def test_a_broken_settings_file_is_an_error_not_ignored(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[disclaimer\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_settings(path)
    path.write_text("[disclaimer]\nlong = 3\n")
    with pytest.raises(ValueError, match="wrong kind"):
        load_settings(path)


def test_a_loop_the_engine_cut_is_dropped_from_the_post(scanner) -> None:
    class Looping(Scripted):
        def __call__(self, messages, params):
            self.calls.append((list(messages), params))
            loop = " Wash your hands." * 3

            def events():
                yield TextPiece("Flu shots matter." + loop)
                yield StreamStats(10, 0, 10, 0.1, 5, 30.0, 0.3, "loop", trim_chars=len(loop))

            return events()

    _, (variant,) = run(Looping(), scanner)
    assert variant.posts[0].startswith("Flu shots matter.") and "Wash" not in variant.text


def test_best_of_n_stops_a_candidate_that_runs_far_past_a_finished_one(scanner) -> None:
    """Two candidates for X in one batch: the second keeps writing after the first ended;
    it is stopped at 1.25 times the first's length and the first is the post."""
    cancelled: list[int] = []
    prompts: list[int] = []

    def batch(messages, params):
        prompts.append(len(messages))
        yield SequenceEvent(0, TextPiece("Flu shots matter for you and others."))
        yield SequenceEvent(0, StreamStats(10, 0, 10, 0.1, 5, 30.0, 0.3, "eos"))
        for _ in range(50):
            if 1 in cancelled:
                break
            yield SequenceEvent(1, TextPiece("Flu shots are safe. "))
        reason = "cancelled" if 1 in cancelled else "length"
        yield SequenceEvent(1, StreamStats(10, 0, 10, 0.1, 5, 30.0, 0.3, reason))

    composer = Composer(Scripted(), scanner, batch=batch, cancel_one=cancelled.append)
    request = Request(DRAFT, platforms=(PLATFORMS["x"],), message="Flu shots matter.",
                      candidates=2)  # fmt: skip
    (variant,) = [e.variant for e in composer.compose(request, PARAMS)
                  if isinstance(e, VariantDone)]  # fmt: skip
    assert prompts == [2] and cancelled[:1] == [1]
    assert variant.posts[0].startswith("Flu shots matter.\n\nFlu shots matter for you")
    assert variant.others == []


def test_a_sentence_of_the_platforms_instruction_never_reaches_the_post(scanner) -> None:
    """Seen in the window: the default model wrote X's style line into the post."""
    echo = "Flu shots are safe.\n\nOne punchy point, plain words, no hashtags or at most one."
    _, (x,) = run(Scripted(echo), scanner, platforms=(PLATFORMS["x"],))
    assert "punchy" not in x.text and "Flu shots are safe." in x.text
    plain = "Keep it short.  Plain words help. Flu shots are safe."  # not the instruction
    _, (x,) = run(Scripted(plain), scanner, platforms=(PLATFORMS["x"],), supports=plain)
    assert plain in x.text
    alone = "Flu shots are safe.\n\nOne punchy point\n\nAsk your pharmacist."  # a reply's
    _, (x,) = run(Scripted(alone), scanner, platforms=(PLATFORMS["x"],), supports=alone)
    assert "punchy" not in x.text and "Ask your pharmacist." in x.text


def test_a_paragraph_said_twice_or_about_the_prompt_is_taken_out(scanner) -> None:
    """Seen in eval-rewrite: the opening said again under a label ("When you: ..."), and
    "Warning sign: No warning signs needed for this key message." in a TikTok lesson."""
    said = ("When you: Flu shots matter.\n\nThey protect you and the people around you."
            "\n\nWarning sign: No warning signs needed for this key message."
            "\n\nThey protect you and the people around you.\n\nGet yours this fall.")  # fmt: skip
    _, (li,) = run(Scripted(said), scanner, platforms=(PLATFORMS["linkedin"],))
    assert li.posts[0].startswith("Flu shots matter.\n\nThey protect you and the people around "
                                  "you.\n\nGet yours this fall.")  # fmt: skip
    assert li.text.count("Flu shots matter.") == 1 and "key message" not in li.text
    meta = ("The physician's advice is to get a flu shot.\n\nThey protect you. The doctor also "
            "mentions that they are free.\n\nOriginal draft:\n\nSee the doctor if unsure.")
    _, (li,) = run(Scripted(meta), scanner, platforms=(PLATFORMS["linkedin"],))
    assert "physician" not in li.text and "mentions" not in li.text and "Original" not in li.text
    assert "They protect you." in li.text and "See the doctor if unsure." in li.text
    kept = "Flu shots matter, and here is why.\n\nThey protect you. They protect others."
    _, (li,) = run(Scripted(kept), scanner, platforms=(PLATFORMS["linkedin"],))
    assert "Flu shots matter, and here is why." in li.text  # more than the opening: kept


def test_a_paragraph_said_again_once_the_cut_is_done_or_cut_short_goes(scanner) -> None:
    """Seen in eval-rewrite: a statin post that said one paragraph three times and started
    it a fourth. The copies differed by a sentence the `supported` cut took out, and the
    last stopped where the model ran out of tokens."""
    said = "They protect you and the people around you, every single flu season of the year."
    text = (f"{said}\n\n{said} Join our community of wellness enthusiasts today!\n\n"
            "They protect you and the people around you, every single")  # fmt: skip
    _, (li,) = run(Scripted(text), scanner, platforms=(PLATFORMS["linkedin"],),
                   supports=f"Flu shots: {said}")  # fmt: skip
    assert li.text.count("They protect you") == 1 and "community" not in li.text
    short = "Flu shots matter.\n\nThey protect you.\n\nThey protect"
    _, (li,) = run(Scripted(short), scanner, platforms=(PLATFORMS["linkedin"],))
    assert "They protect you." in li.text  # a short start is no repeat on its own


def test_a_post_label_is_taken_off_and_a_post_about_posts_is_not(scanner) -> None:
    """Seen in eval-rewrite: "Educational Post: Knee Osteoarthritis" heading a LinkedIn post,
    and "Educational Post:" again halfway down an X thread."""
    labelled = "Educational Post: Why flu shots matter\n\nThey protect you.\n\nPost:\nGet one."
    _, (li,) = run(Scripted(labelled), scanner, platforms=(PLATFORMS["linkedin"],))
    assert "Post:" not in li.text and "Why flu shots matter\n\nThey protect you." in li.text
    about = "A good post: short, kind and true. Share this post: it helps."
    _, (li,) = run(Scripted(about), scanner, platforms=(PLATFORMS["linkedin"],), supports=about)
    assert about in li.text


def test_a_sentence_the_draft_does_not_support_is_taken_out_and_named(scanner) -> None:
    """Seen in eval-rewrite: "Apply antibiotics as soon as you notice any signs of illness"
    in a post on fever in babies, which every other check let through."""
    text = ("Flu shots matter for older adults.\n\nApply antibiotics as soon as you notice "
            "any signs of illness. She skipped hers; do not skip yours.")  # fmt: skip
    _, (li,) = run(Scripted(text), scanner, platforms=(PLATFORMS["linkedin"],),
                   supports="Do not skip your flu shot.")  # fmt: skip
    assert "antibiotics" not in li.text and "do not skip yours." in li.text
    said = {c.id: c for c in li.checks}["supported"]
    assert said.severity == "ok" and "“Apply antibiotics as soon" in said.message


def test_a_post_with_nothing_the_draft_supports_is_blocked_not_emptied(
    scanner, no_library: Path
) -> None:
    """With no key message to open it, a post whose every sentence strays is kept as
    written, for the physician to see, and blocked."""
    stray = "Join our community of wellness enthusiasts. Subscribe for weekly recipes."
    engine = Scripted("Nothing to add.", stray)
    composer = Composer(engine, scanner, prompts=no_library)
    request = Request("Saw a man with the flu at the clinic on Tuesday.", task="educational",
                      platforms=(PLATFORMS["linkedin"],), seed=3)  # fmt: skip
    (v,) = [e.variant for e in composer.compose(request, PARAMS) if isinstance(e, VariantDone)]
    assert "Subscribe for weekly recipes." in v.text
    assert {c.id: c.severity for c in v.checks}["supported"] == "block"


def test_best_of_n_prefers_the_candidate_that_strayed_less(scanner) -> None:
    """Two candidates that pass every check alike: the one with a sentence taken out as
    unsupported ranks second, though it reads as easily."""

    def batch(messages, params):
        texts = ["She skipped hers. Join our wellness community for weekly recipes today.",
                 "She skipped hers; flu shots matter."]  # fmt: skip
        for i, text in enumerate(texts):
            yield SequenceEvent(i, TextPiece(text))
            yield SequenceEvent(i, StreamStats(10, 0, 10, 0.1, 5, 30.0, 0.3, "eos"))

    composer = Composer(Scripted(), scanner, batch=batch)
    request = Request(DRAFT, platforms=(PLATFORMS["linkedin"],), message="Flu shots matter.",
                      candidates=2)  # fmt: skip
    (variant,) = [e.variant for e in composer.compose(request, PARAMS)
                  if isinstance(e, VariantDone)]  # fmt: skip
    assert variant.candidate == 1 and variant.cut == []
    (other,) = variant.others
    assert other.cut == ["Join our wellness community for weekly recipes today."]
