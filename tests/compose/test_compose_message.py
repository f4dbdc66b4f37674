"""The key message and the checks that hold a post to it: `message`, `retelling` and
`record_details`. Real inversions (the ones a user met with the default model) must
block; faithful paraphrases must pass. The dev gold set's reference and reversed posts
measure both sides; the holdout set is left for `draftrx eval-rewrite`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from draftrx.compose import drugs, faithful, message, reply_lines, retell
from draftrx.compose.platforms import load_platforms
from draftrx.compose.prompts import read_toml
from draftrx.engine.events import GenerationParams, StreamStats, TextPiece
from draftrx.evals.rewrite import GOLD
from draftrx.privacy.fictionalise import fictionalise

ASTHMA = (
    "Jenna Alvarez, 34, came in wheezing; she had stopped her controller inhaler because she "
    "felt fine.\n\nThe lesson: asthma controller medicine works even when you feel well. "
    "Stopping it lets the airways get inflamed again, and attacks can come on fast."
)
HEART = "Heart attacks in women often show as nausea or jaw pain; call 911 right away."


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        (ASTHMA, "Asthma controller medicine works even when you feel well."),
        ('Long night. "Takeaway: wear the helmet. Every ride."', "Wear the helmet."),
        ("Saw a kid with a burn. Bottom line - keep hot drinks out of reach.", "Keep hot drinks"),
        ("What I want people to know is that a fever in a newborn is an emergency.", "A fever"),
        ("Please remember that insulin needs change when you are sick.", "Insulin needs change"),
        ("Had another one this wk, no idea. Key msg: get your BP checked yearly.", "Get your BP"),
    ],
)  # fmt: skip
def test_the_physicians_own_sentence_is_the_message(draft: str, expected: str) -> None:
    found = message.own_sentence(draft)
    assert found is not None and found.startswith(expected)


def test_a_story_without_a_lesson_has_no_own_sentence() -> None:
    assert message.own_sentence("Busy shift. Three kids with croup. One needed steroids.") is None


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        # A closing imperative: advice, but unmarked, so chosen rather than the physician's own.
        ("Kid fell off a trampoline.\n\nIf your child hits their head and vomits, call 911.",
         "If your child hits their head and vomits, call 911."),
        # The myth set right, then the advice, in the draft's order; labels and the note to
        # the editor left out, and "e.g." and "38.0" do not end a sentence.
        ("Myth check: cracking your knuckles does not cause arthritis. The pop is gas in the "
         "joint fluid (e.g. cavitation). If a joint pops with pain or swelling, get it checked. "
         "Make it TikTok-able.",
         "Cracking your knuckles does not cause arthritis. If a joint pops with pain or "
         "swelling, get it checked."),
        ("Fever in a baby under 3 months means a temperature of 38.0 C or more. Parents should "
         "call their pediatrician right away, not wait for morning.",
         "Parents should call their pediatrician right away, not wait for morning."),
        # "Please don't." alone says nothing a reader could keep.
        ("Some make them throw up with salt water. Please don't. Induced vomiting does not "
         "help and risks choking.", "Induced vomiting does not help and risks choking."),
    ],
)  # fmt: skip
def test_unmarked_advice_and_a_myth_set_right_are_chosen(draft: str, expected: str) -> None:
    assert message.own_sentence(draft) is None
    assert message.chosen(draft) == expected


@pytest.mark.parametrize(
    "draft",
    [
        "I keep thinking about the year it sat there.",  # the physician's own feelings
        "Can we talk about detox teas?",  # a question
        "She stopped her inhaler and should have kept it.",  # the patient's story
        "Make this LinkedIn-friendly. Pls shorten to a tweet.",  # notes to the editor
        "Statins lower LDL cholesterol by about a third.",  # a fact, no advice, no myth
    ],
)
def test_stories_questions_and_notes_to_the_editor_are_never_chosen(draft: str) -> None:
    assert message.chosen(draft) is None


def test_a_calm_dm_gets_no_911() -> None:
    calm = message.for_reply("reply-dm", "Can I take my blood pressure pill at night instead?")
    assert "911" not in calm.text and "personal medical advice" in calm.text
    assert calm.source == "task"


def test_a_crisis_in_a_comment_or_dm_gets_the_crisis_line_first() -> None:
    for task in ("reply-comment", "reply-dm"):
        crisis = message.for_reply(task, "honestly I feel hopeless and everyone would be "
                                   "better off without me")  # fmt: skip
        assert crisis.text.startswith(reply_lines.CRISIS) and "988" in crisis.text
    review = message.for_reply("reply-review", "The wait made me want to die of boredom.")
    assert "988" not in review.text  # a review is answered as a review


def test_a_physicians_point_for_a_reply_keeps_the_safety_lines_around_it() -> None:
    comment = "honestly I feel hopeless and everyone would be better off without me"
    point = "Feeling this way is more common than people say, and it can get better."
    reply = message.for_reply("reply-comment", comment, point=point)
    assert reply.source == "reply" and reply.text.startswith(reply_lines.CRISIS)
    assert point in reply.text and "personal medical advice" in reply.text
    # The whole reply given back (as the window offers it) is kept as it is.
    again = message.for_reply("reply-comment", comment, point=reply.text)
    assert again.text == reply.text and again.source == "physician"
    # A sentence the physician took out of the standard words comes back; theirs stay.
    edited = reply.text.replace("Thank you for sharing. ", "")
    back = message.for_reply("reply-comment", comment, point=edited)
    assert back.source == "reply" and "Thank you for sharing." in back.text
    review = message.for_reply("reply-review", "Waited 2 hours.", point="We're fixing the "
                               "schedule.")  # fmt: skip
    assert "can't discuss anyone's care in public" in review.text
    assert review.text.endswith("We're fixing the schedule.")


def _scripted(reply: str):
    calls: list[Sequence[dict[str, str]]] = []

    def stream(messages: Sequence[dict[str, str]], params: GenerationParams) -> Iterator:
        calls.append(messages)
        assert params.temperature == 0 and params.max_tokens <= 64
        yield from (TextPiece(w) for w in reply.split(" ") for w in (w + " ",))
        yield StreamStats(1, 0, 1, 0.1, 1, 1.0, 0.1, "eos")

    return stream, calls


def test_the_model_fills_the_slot_only_with_words_from_the_draft() -> None:
    draft = "Kid with croup at 2 am. Steam does not help croup; cool night air and steroids do."
    stream, calls = _scripted("Cool night air and steroids help croup, steam does not.\nMore")
    found = message.from_model(stream, message.slot_messages(draft), draft)
    assert found is not None and found.source == "model" and "More" not in found.text
    assert draft in calls[0][-1]["content"]
    drifted, _ = _scripted("Anxiety and depression are common; talk to someone.")
    assert message.from_model(drifted, message.slot_messages(draft), draft) is None


def test_a_slot_about_the_patient_is_not_a_message() -> None:
    draft = "Baby Lily, 5 weeks, fever 38.2. The after-hours line said wait; it was meningitis."
    story, _ = _scripted("To help Lily, see how she is in the morning.")
    assert message.from_model(story, message.slot_messages(draft), draft) is None


def test_a_slot_that_copies_the_story_as_advice_is_not_a_message() -> None:
    draft = ("Medical tent, half marathon. Said he'd 'drunk a full bottle at every water station "
             "plus 2 liters before the start' bc he was scared. Na 124. Too much water is "
             "dangerous.")  # fmt: skip
    copied, _ = _scripted("People should focus on drinking a full bottle at every water "
                          "station plus 2 liters before the start.")  # fmt: skip
    assert message.from_model(copied, message.slot_messages(draft), draft) is None
    taught, _ = _scripted("Too much water is dangerous, even at a half marathon.")
    assert message.from_model(taught, message.slot_messages(draft), draft) is not None


@pytest.mark.parametrize(
    ("key", "post"),
    [
        (HEART, "If you have a patient with symptoms of nausea and jaw ache, wait two days."),
        (HEART, "Jaw pain and nausea in women are usually heartburn: see if it settles first."),
        (message.own_sentence(ASTHMA),
         "If you're feeling well, don't worry about stopping your controller inhaler."),
        (message.own_sentence(ASTHMA), "Anxiety and depression are common. Talk to someone."),
        ("Antibiotics do not help colds.", "Antibiotics can shorten a cold if you start early."),
        ("Vaccines do not cause autism.", "Some kids get autism because vaccines cause it."),
        ("Keep taking your blood pressure pills.", "Take 20 mg of lisinopril for blood pressure."),
    ],
)  # fmt: skip
def test_inversions_drift_and_new_doses_block(key: str, post: str) -> None:
    check = faithful.check(post, key, f"{ASTHMA}\n{key}")
    assert check.severity == "block", check.message


def test_a_myth_the_draft_denies_blocks_even_beside_another_message() -> None:
    draft = "Detox teas, foot pads and juice cleanses do not remove toxins. Your liver does."
    post = "The tea, foot pad, juice cleanse, or flush removes toxins."
    check = faithful.check(post, "Support your liver.", draft, words=False)
    assert check.severity == "block" and "draft denies" in check.message
    assert faithful.check("Detox teas do not remove toxins.", "x", draft).severity == "ok"


def test_advice_to_take_what_the_draft_says_does_nothing_blocks() -> None:
    """The default model wrote "If you have a high fever, take more antibiotics." after a
    key message saying antibiotics do nothing for colds."""
    key = "Antibiotics do nothing for colds. See us if you have a high fever."
    draft = f"PSA: {key.lower()} Colds are viruses."
    check = faithful.check(f"{key} If you have a high fever, take more antibiotics.", key,
                           draft)  # fmt: skip
    assert check.severity == "block" and "does not work" in check.message
    for kept in ("Take antibiotics only if your doctor prescribes them for bacteria.",
                 "Don't take antibiotics for a cold.", "Take rest and fluids."):
        assert faithful.check(f"{key} {kept}", key, draft).severity == "ok", kept
    later = f"{key} Take antibiotics only if prescribed. For a fever, take more antibiotics."
    assert faithful.check(later, key, draft).severity == "block"  # the fitting use, then not


def test_what_a_draft_says_does_nothing_may_not_come_back_as_crucial() -> None:
    """The default model wrote "Antibiotics are crucial for colds." in a post on a draft
    saying "antibiotics do nothing for colds", beside a message about side effects."""
    draft = "PSA: antibiotics do nothing for colds. Colds are caused by viruses."
    message_ = "Antibiotics you don't need give you side effects."
    post = f"{message_} Antibiotics are crucial for colds. Rest and fluids help."
    check = faithful.check(post, message_, draft, words=False)
    assert check.severity == "block" and "draft denies" in check.message
    for kept in ("Antibiotics are not needed for colds.", "Antibiotics do nothing for colds.",
                 "Antibiotics are crucial for bacterial pneumonia, not for colds."):
        assert faithful.check(f"{message_} {kept}", message_, draft,
                              words=False).severity == "ok", kept  # fmt: skip
    quoted = 'Wet hair won\'t "give you" the flu. A virus does, and winter spreads it.'
    assert faithful.check(quoted, "Flu comes from a virus.", "Cold air won't \"give you\" the flu.",
                          words=False).severity == "ok"  # fmt: skip


@pytest.mark.parametrize(
    ("key", "post"),
    [
        (HEART, "Women: nausea or jaw pain can be a heart attack. Don't wait; call 911 now."),
        (message.own_sentence(ASTHMA),
         "Keep using your controller inhaler every day, even when you feel fine. If you stop, "
         "your airways swell again and attacks come fast."),
        ("Vaccines do not cause autism.",
         "Some people believe vaccines cause autism. Big studies show vaccines do not cause it."),
        ("Antibiotics do not help colds.",
         "Do antibiotics help a cold? No. Colds are viruses; antibiotics do not help colds."),
    ],
)  # fmt: skip
def test_faithful_paraphrases_pass(key: str, post: str) -> None:
    assert faithful.check(post, key, f"{ASTHMA}\n{key}").severity == "ok"


def test_numbers_and_drugs_are_compared_with_what_the_model_was_given() -> None:
    source = "Ibuprofen 400 mg can upset the stomach. Rest for 2 days."
    assert faithful.check("Ibuprofen 400 mg can upset your stomach; rest 2 days.", "Ibuprofen "
                          "can upset the stomach.", source).severity == "ok"  # fmt: skip
    bad = faithful.check("Take Tylenol 1000 mg and rest five days.", "Rest helps.", source)
    assert bad.severity == "block"
    assert all(w in bad.message for w in ("dose", "five", "Tylenol"))
    assert [name for *_, name in drugs.find("Tylenol or acetaminophen")] == ["acetaminophen"] * 2
    # "SITS" abbreviates a research chemical in the dictionary; "it sits there" names none.
    assert drugs.find("Gum just sits in your stomach, then passes.") == []


def _gold(name: str) -> list[dict]:
    lines = (GOLD / f"rewrite_{name}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _kept_and_blocked(cases: list[dict]) -> tuple[int, int]:
    def judged(c: dict, post: str) -> str:
        source, reply = c["draft"] + "\n" + c["message"], c["task"].startswith("reply")
        return faithful.check(post, c["message"], source, own_source=not reply).severity

    kept = sum(judged(c, c["reference"]) == "ok" for c in cases)
    return kept, sum(judged(c, c["reversed"]) == "block" for c in cases)


def test_on_the_dev_gold_set_references_pass_and_reversals_block() -> None:
    """Measured: 69 of 74 references kept (four add a number or a vaccine their draft
    lacks; one gold message lists what not to do as "not to give aspirin, wait, or ..."),
    71 of 74 reversed posts blocked (two reviews break privacy, not the message: other
    checks' work; one recasts "green mucus does not mean antibiotics" as a new claim). The
    seven drafts moved in from the holdout: all seven kept, all seven blocked.
    The 72 drafts three sets written later from briefs added: 55 kept (most of the rest add
    a helpline's number, a year or a drug class the draft lacks), 67 blocked. The 18 reply
    drafts moved in from the holdout on 2026-12-01, once their posts were read: 16 kept, 18
    blocked. The six moved in on 2026-12-01 once a physician reviewer's verdicts on their
    posts were read: 6 kept, 2 blocked."""
    cases = _gold("dev")
    kept, blocked = _kept_and_blocked(cases)
    assert len(cases) == 170 and kept >= 69 + 55 + 16 + 6 and blocked >= 71 + 67 + 18 + 2


def test_on_the_holdout_references_pass_and_reversals_block() -> None:
    """A floor, not a target, on rules that never saw the set (its misses are not looked
    at): 24 of 27 kept and 21 of 27 blocked. Seven drafts whose posts were read went to
    dev; the six new ones written from a brief in their place: 5 of 6 kept, 3 blocked.
    Twenty more written from a brief on 2026-12-01 (ids `m-`). Later that day the 18 reply
    drafts whose posts were read went to dev; the 29 left: 24 kept, 22 blocked. Twenty new
    replies written from a brief in their place (ids `n-`): 20 kept, 20 blocked. Six drafts
    whose posts a physician reviewer flagged and whose verdicts were read then went to dev;
    the 43 left: 38 kept, 40 blocked. Eight written from a brief in their place (ids `p-`):
    8 kept, 8 blocked."""
    cases = _gold("holdout")
    kept, blocked = _kept_and_blocked(cases)
    assert len(cases) == 51 and kept >= 38 + 8 and blocked >= 40 + 8


@pytest.mark.parametrize(
    ("key", "post"),
    [
        ("Belly pain with vomiting in a boy needs his testicles checked now.",
         "Belly pain in boys is probably just a tummy bug. See a doctor if it's still there "
         "next week."),
        ("A growing mole should be checked by a doctor soon.",
         "A mole that grows a little is normal with age, so watch it for a year."),
        ("Vaccines do not cause autism; measles is dangerous.",
         "Studies found no link, but the science is still debated, so space out the shots."),
        ("Give rehydration solution in small sips rather than juice or sports drinks.",
         "Tummy bug? Give plenty of sports drinks and small sips of water."),
        ("For a nosebleed, lean forward, not back, and pinch the nose.",
         "Pinch the soft part of your nose and tilt your head back."),
    ],
)  # fmt: skip
def test_playing_down_doubting_or_advising_the_set_aside_blocks(key: str, post: str) -> None:
    check = faithful.check(post, key, key)
    assert check.severity == "block" and check.spans, check.message


@pytest.mark.parametrize(
    ("key", "post"),
    [
        ("Antibiotics do not work on colds; green mucus does not mean you need them.",
         "Green or yellow snot is normal with a cold. Antibiotics do not work on colds."),
        ("Give rehydration solution in small sips rather than juice or sports drinks.",
         "Skip the juice and sports drinks: give rehydration solution in small sips."),
        ("For a nosebleed, lean forward, not back, and pinch the nose.",
         "Nosebleed? Don't tilt your head back. Lean forward and pinch your nose."),
        ("Please call the office so we can talk with you.",
         "We want to hear from you: please call the office so we can work through it together."),
    ],
)  # fmt: skip
def test_reassurance_a_myth_allows_and_set_asides_named_as_such_pass(key: str, post: str) -> None:
    assert faithful.check(post, key, key).severity == "ok"


def test_a_bare_denial_denies_the_claim_before_it() -> None:
    """ "Someone asks if the MMR causes autism. It doesn't." denies the claim; the asking
    claims nothing, so a post that reports the question passes."""
    draft = "Every week someone asks if the MMR causes autism. It doesn't. Measles kills."
    key = "Please vaccinate on schedule."
    bad = faithful.check("The MMR Causes Autism\n\nPlease vaccinate on schedule.", key,
                         f"{draft}\n{key}", words=False)  # fmt: skip
    assert bad.severity == "block" and "draft denies" in bad.message
    asked = "Parents ask if the MMR causes autism. It does not. Please vaccinate on schedule."
    assert faithful.check(asked, key, f"{draft}\n{key}", words=False).severity == "ok"


def test_a_negation_covers_the_verb_joined_to_it() -> None:
    key = "Chest pain can be a heart attack: call 911."
    source = f"Jaw pain at 2 am, she chewed antacids for an hour. {key}"
    kept = "Chest pain can be a heart attack. Call 911; don't chew antacids and wait."
    assert faithful.check(kept, key, source).severity == "ok"
    assert faithful.check("Chest pain? Chew antacids and wait.", key, source).severity == "block"


def test_a_reply_may_deny_what_the_comment_claims() -> None:
    comment = "The flu shot gives you the flu, everyone knows, so I'm skipping it."
    key = "Getting the flu shot protects you."
    post = "I'm sorry you felt rough. The flu shot cannot give you the flu; it protects you."
    assert faithful.check(post, key, f"{comment}\n{key}", own_source=False).severity == "ok"
    assert faithful.check(post, key, f"{comment}\n{key}").severity == "block"  # as if its own


@pytest.mark.parametrize(
    "post",
    [
        "If you are a 11-year-old at Pinecrest summer camp who ate a cookie with cashews, "
        "her lips swelled.",
        "Mr. Hale, a 84-year-old from Oakwood Living, has been brought in with a fever.",
        "My patient came in on Tuesday with a cough.",
        "When she stopped her inhaler she ended up in the ER.",
    ],
)
def test_a_lesson_that_retells_the_case_blocks(scanner, post: str) -> None:
    assert retell.retelling(post, scanner, None, "").severity == "block"


def test_a_lesson_that_teaches_passes_and_stand_ins_count_as_names(scanner) -> None:
    draft = "Saw Maria Kowalski today at Mercy General. Flu shots protect older adults."
    result = fictionalise(draft, scanner.scan(draft), seed=1)
    standin = result.mapping.get("Maria Kowalski") or result.mapping.standins()[0]
    clean = "If you are over 65, get your flu shot every fall. It protects you and others."
    assert retell.retelling(clean, scanner, result.mapping, result.text).severity == "ok"
    named = f"If you are like {standin}, get your flu shot."
    assert retell.retelling(named, scanner, result.mapping, result.text).severity == "block"


def test_copied_narrative_blocks_but_the_lessons_own_words_do_not(scanner) -> None:
    narrative = "He ate a peanut cookie at the fair and his throat closed within minutes."
    lesson = "Use the auto-injector first, then call 911."
    copied = "If you ate a peanut cookie at the fair, watch out."
    assert retell.retelling(copied, scanner, None, narrative, lesson).severity == "block"
    echo = "Use the auto-injector first, then call 911: seconds count."
    assert retell.retelling(echo, scanner, None, narrative + " " + lesson, lesson).severity == "ok"


@pytest.mark.parametrize(
    "post", ["Her MRN 4471902 says it all.", "Bed 12 needed help.", "Call 937-555-0142 today.",
             "Write to help@example.org.", "Dr. Debunk, Your Medical Expert"],
)  # fmt: skip
def test_record_like_details_block_in_every_post(scanner, post: str) -> None:
    assert retell.record_details(post, scanner, None).severity == "block"


def test_ordinary_numbers_are_not_record_details(scanner) -> None:
    post = ("Adults need 150 minutes of activity a week. Call 911 for chest pain. 1 in 3 adults. "
            "Ask your Dr. about it.")  # fmt: skip
    assert retell.record_details(post, scanner, None).severity == "ok"


def test_the_lesson_input_keeps_teaching_and_drops_the_story(scanner) -> None:
    draft = (
        "Tues night ER. Jake, 19, ate a cookie with cashews at camp and his lips swelled. "
        "We gave epi. Epinephrine is the first treatment for anaphylaxis. If you have an "
        "auto-injector, use it first and then call 911."
    )
    taught = retell.teaching(fictionalise(draft, scanner.scan(draft), seed=0).text, scanner)
    assert "Epinephrine is the first treatment" in taught and "call 911" in taught
    for story in ("cookie", "camp", "lips", "We gave", "Tues", "19"):
        assert story not in taught, story


def test_without_a_usable_slot_the_closing_sentence_stands_in_marked_as_such(
    scanner, no_library: Path
) -> None:
    from draftrx.compose.pipeline import Composer, MessageFound, Request

    draft = "Busy night with a feverish newborn. Any fever under 3 months is an emergency."
    stream, calls = _scripted("To help the baby, see how she is in the morning.")
    composer = Composer(stream, scanner, prompts=no_library)
    events = composer.compose(Request(draft), GenerationParams(max_tokens=60, temperature=0))
    found = next(e for e in events if isinstance(e, MessageFound)).message
    assert (found.text, found.source) == ("Any fever under 3 months is an emergency.", "closing")
    assert len(calls) == 1  # only the slot was asked


def test_the_stand_in_is_the_last_sentence_that_tells_no_story(scanner, no_library: Path) -> None:
    """ "She had not told anyone about the pill." is the case, not its lesson; and a slot
    that names the case's (fictional) patient is not a message either."""
    from draftrx.compose.pipeline import Composer, MessageFound, Request

    draft = ("Maria Lopez flew home from Lisbon with a sore calf. Most clots after a long "
             "flight start in the calf. She was on the pill, which she told no one.")  # fmt: skip
    composer = Composer(_scripted("x")[0], scanner)
    protected = composer.protect(Request(draft, "lesson", seed=1))
    stand_in = next(protected.result.text[slice(*r.target)] for r in protected.result.replacements
                    if draft[slice(*r.source)] == "Maria Lopez")  # fmt: skip
    stream, _ = _scripted(f"Remember {stand_in} flew home with a sore calf.")
    composer = Composer(stream, scanner, prompts=no_library)
    events = composer.compose(Request(draft, "lesson", seed=1), GenerationParams(max_tokens=60))
    found = next(e for e in events if isinstance(e, MessageFound)).message
    assert (found.text, found.source) == ("Most clots after a long flight start in the calf.",
                                          "closing")  # fmt: skip
    assert message.closing_sentence("He fell. She fell.", []) == "She fell."  # all tell one


def test_a_lesson_with_no_lesson_in_it_is_blocked_with_what_to_do(
    scanner, no_library: Path
) -> None:
    """A draft that only tells what happened: no teaching sentence, and a slot that tells
    the story. The closing remark stands in as the message, and every lesson blocks."""
    from draftrx.compose.pipeline import Composer, MessageFound, Request, VariantDone

    draft = ("Saturday shift. Kid came in with belly pain that moved to the right. Dad gave "
             "him a laxative and kept him home 2 days. Good kid, loves dinosaurs.")  # fmt: skip
    stream, _ = _scripted("He loved dinosaurs and came in with belly pain.")
    composer = Composer(stream, scanner, prompts=no_library)
    request = Request(draft, "lesson", seed=1)
    events = list(composer.compose(request, GenerationParams(max_tokens=40, temperature=0)))
    found = next(e for e in events if isinstance(e, MessageFound)).message
    assert (found.text, found.source) == ("Good kid, loves dinosaurs.", "closing")
    (done,) = [e for e in events if isinstance(e, VariantDone)]
    lesson = next(c for c in done.variant.checks if c.id == "lesson")
    assert lesson.severity == "block" and "Key message field" in lesson.message

    taught = f"{draft} Belly pain that moves to the lower right needs a doctor the same day."
    events = list(composer.compose(Request(taught, "lesson", seed=1),
                                   GenerationParams(max_tokens=40, temperature=0)))  # fmt: skip
    found = next(e for e in events if isinstance(e, MessageFound)).message
    assert found.text.startswith("Belly pain that moves to the lower right")
    (done,) = [e for e in events if isinstance(e, VariantDone)]
    assert next(c for c in done.variant.checks if c.id == "lesson").severity == "ok"


def test_a_guessed_message_is_not_put_beside_the_draft_nor_required_word_for_word() -> None:
    from draftrx.compose.prompts import load_prompt

    educational, lesson = load_prompt("educational"), load_prompt("lesson")
    assert "Key message" not in educational.messages("Flu shots work.", "", "")[-1]["content"]
    assert "Key message: Get one." in educational.messages("Flu.", "", "Get one.")[-1]["content"]
    guess = "Red flags after a head injury mean the ED."
    plain = "After a knock to the head, rest, and get help fast if you feel worse."
    assert faithful.check(plain, guess, guess, words=False).severity == "ok"
    assert faithful.check(plain, guess, guess).severity == "block"  # a trusted one is required
    assert (
        faithful.check("Wait and see after a head injury.", HEART, HEART, words=False).severity
        == "block"
    )
    assert message.KeyMessage("x", "closing").trusted is False
    assert lesson.id == "lesson" and message.KeyMessage("x", "draft").trusted


def test_a_post_opens_with_the_physicians_message_and_the_model_goes_on_from_it(
    scanner,
) -> None:
    """The opening is written by code and handed to the model as the start of its answer;
    the variant's text is the opening plus what the model wrote. A reply opens with its
    message and safety lines, complete as given: no paragraph break asks for more."""
    from draftrx.compose.pipeline import Composer, Request, VariantDone, VariantText

    stream, calls = _scripted("It works even when you feel fine.")
    composer = Composer(stream, scanner)
    params = GenerationParams(max_tokens=40, temperature=0)
    events = list(composer.compose(Request(ASTHMA, "educational", seed=0), params))
    opening = ("Asthma controller medicine works even when you feel well. Stopping it lets the "
               "airways get inflamed again, and attacks can come on fast.")  # fmt: skip
    assert calls[-1][-1] == {"role": "assistant", "content": f"{opening}\n\n"}
    assert calls[-1][-2]["role"] == "user"
    shown = next(e for e in events if isinstance(e, VariantText)).text
    assert shown.strip() == opening  # shown live, before the model's first token
    (done,) = [e for e in events if isinstance(e, VariantDone)]
    assert done.variant.text.startswith(f"{opening}\n\nIt works even when you feel fine.")

    comment = "Do I really need my inhaler when I feel fine? Thinking of stopping my inhaler."
    list(composer.compose(Request(comment, "reply-comment", seed=0), params))
    opening = message.for_reply("reply-comment", comment).text
    assert reply_lines.CHANGE in opening
    assert calls[-1][-1] == {"role": "assistant", "content": opening}


def test_a_myth_the_draft_quotes_is_never_chosen_as_its_message() -> None:
    """Once chosen, and opening the post: "Myth: '... hearing aids don't help.'" matched as
    a sentence denying something, and the post began by stating the myth as fact. Only its
    denial (`myths`) may open the message."""
    draft = ("Myth for older pts: 'hearing loss is just part of getting old, nothing to do "
             "about it, hearing aids don't help.' Untreated HL linked w/ isolation and falls. "
             "Get a hearing test, OTC hearing aids now available for mild-mod loss (US).")
    found = message.chosen(draft)
    assert found is not None and "nothing to do" not in found and "don't help" not in found
    assert found.startswith("Hearing loss is not just part of getting old. Get a hearing test")
    quoted = "'Colds come from cold air,' people say. Wash your hands; viruses cause colds."
    assert message.chosen(quoted) == "Wash your hands; viruses cause colds."


@pytest.mark.parametrize(
    ("post", "severity"),
    [
        ("Tilt Head Back for Nosebleeds\n\nLean forward and pinch for 10 minutes.", "block"),
        ("Tilt head back: it helps stop nosebleeds fast.", "block"),
        ("Don't tilt your head back for a nosebleed. Lean forward and pinch.", "ok"),
        ("For a nosebleed, lean forward, not back, and pinch for 10 minutes.", "ok"),
    ],
)
def test_a_short_myth_said_again_in_other_small_words_blocks(post: str, severity: str) -> None:
    """Seen in an eval run (dev): an X post headed "Tilt Head Back for Nosebleeds", with no
    five words in a row from "Myth: tilt head back for a nosebleed."."""
    draft = ("Myth: tilt head back for a nosebleed. No!! Sit up, lean forward, pinch the soft "
             "part of the nose for 10-15 min.")  # fmt: skip
    message = "For a nosebleed, lean forward and pinch the soft part of the nose."
    assert faithful.check(post, message, draft, words=False).severity == severity


@pytest.mark.parametrize(
    "post",
    [
        "Get a hearing test.\n\nHearing loss is just part of getting old, nothing to do about it.",
        "Get a hearing test. Sadly, hearing aids don't help much in old age, and that's life.",
    ],
)
def test_a_post_that_states_the_drafts_myth_as_fact_blocks(post: str) -> None:
    draft = ("Myth for older pts: 'hearing loss is just part of getting old, nothing to do "
             "about it, hearing aids don't help much in old age.' Get a hearing test.")
    found = faithful.check(post, "Get a hearing test.", draft, words=False)
    assert found.severity == "block" and "myth" in found.message


@pytest.mark.parametrize(
    "post",
    [
        "Get a hearing test. It's a myth that hearing loss is just part of getting old.",
        "Get a hearing test. Hearing loss is common as we get older, and hearing aids help.",
        "Get a hearing test: \"hearing loss is just part of getting old\" is not true.",
    ],
)
def test_a_post_that_names_the_myth_or_says_otherwise_passes(post: str) -> None:
    draft = ("Myth: 'hearing loss is just part of getting old, nothing to do about it.' Get a "
             "hearing test.")
    assert faithful.check(post, "Get a hearing test.", draft, words=False).severity == "ok"


def test_a_chosen_message_opens_the_post_only_when_it_reads_plainly() -> None:
    from draftrx.compose.pipeline import _opens

    plain = message.KeyMessage("Cracking your knuckles does not cause arthritis.", "chosen")
    dense = message.KeyMessage(
        "Out-of-office measurement is superior to isolated office readings given white-coat "
        "and masked phenomena; patients should use a validated upper-arm oscillometric device "
        "with an appropriately sized cuff.", "chosen")  # fmt: skip
    jargon = message.KeyMessage("Avoid NSAIDs if you have dyspnea.", "chosen")
    assert _opens(plain, "educational") and _opens(plain, "lesson")
    assert not _opens(dense, "educational") and not _opens(jargon, "educational")
    assert _opens(message.KeyMessage(dense.text, "draft"), "educational")  # marked: theirs
    for source in ("closing", "model"):
        assert not _opens(message.KeyMessage(plain.text, source), "educational")
    for source in ("physician", "task"):  # a reply's message and its safety lines: by code
        assert _opens(message.KeyMessage(plain.text, source), "reply-comment")


def test_a_numbered_list_adds_no_numbers_but_a_number_in_the_advice_does() -> None:
    """Seen in the window: "it adds numbers the draft does not have (2)" for a list's "2."."""
    source = "Chest pain that spreads to the jaw: call 911, don't drive yourself."
    message = "Call 911 for chest pain that spreads to the jaw."
    listed = "Chest pain spreading to the jaw?\n1. Call 911.\n2. Don't drive yourself.\n"
    assert faithful.check(listed, message, source, words=False).severity == "ok"
    bare = "Call 911.\n\nWhat to do\n1.\n2.\n3.\n4."  # a list left without items
    assert faithful.check(bare, message, source, words=False).severity == "ok"
    counted = "Chest pain spreading to the jaw? Call 911 within 2 hours."
    found = faithful.check(counted, message, source, words=False)
    assert found.severity == "block" and "adds numbers" in found.message and "(2)" in found.message


def test_what_a_rewrite_sends_includes_the_slot_only_when_it_is_asked(scanner) -> None:
    """`Composer.sent`, the window's preview for a practice server: the slot's prompt is
    listed exactly when compose asks the model for the message, and nothing in any prompt
    is an identifier of the draft."""
    from draftrx.compose.pipeline import Composer, Request

    platform = load_platforms()["x"]
    story = ("Saturday shift at Mercy General. Kid came in with belly pain that moved to the "
             "right. Dad Tom Reyes gave him a laxative. Good kid, loves dinosaurs.")  # fmt: skip
    stream, calls = _scripted("x")
    composer = Composer(stream, scanner)
    for draft, slot in ((story, True), (f"{story} The lesson: see a doctor the same day.", False)):
        request = Request(draft, "lesson", (platform,), seed=1)
        sent = composer.sent(request, composer.protect(request))
        assert len(sent) == (2 if slot else 1)
        assert (sent[0][0]["content"].strip() == read_toml("message")["system"].strip()) == slot
        wire = str(sent)
        assert not [w for w in ("Mercy", "Tom", "Reyes") if w in wire], wire
    assert calls == []  # listing what would be sent asks no model


@pytest.mark.parametrize(
    ("draft", "public"),
    [
        ("Draft for IG: A fever in a baby under 3 months is urgent. Need to make this "
         "readable for parents lol.", "A fever in a baby under 3 months is urgent."),
        ("Heart attacks in women can feel different.\nStay professional, keep it human, "
         "tighten up, ~120 words max.\nCall 911.",
         "Heart attacks in women can feel different.\nCall 911."),
        ("myth vid: butter on burns. All bad. Make it TikTok-able.",  # the myth label stays
         "myth vid: butter on burns. All bad."),
        ("make this a reel, me talking to camera ~30s. Honey is unsafe under 12 months.",
         "Honey is unsafe under 12 months."),
        ("Keep it simple: rest, fluids, time. A script for a 10-minute video is online.",
         "Keep it simple: rest, fluids, time. A script for a 10-minute video is online."),
    ],
)  # fmt: skip
def test_notes_to_the_editor_never_reach_the_model(draft: str, public: str) -> None:
    assert message.for_the_public(draft) == public
