"""The library of take-home messages for drafts that state none (`compose.lessons`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from draftrx import paths
from draftrx.compose import faithful, lessons, message
from draftrx.compose.readability import grade
from draftrx.engine.events import GenerationParams, StreamStats, TextPiece
from draftrx.evals.rewrite import gold_sets, load

SHIPPED = lessons.library(paths.resource_dir("prompts"))
EXAMPLES = [(lesson.id, example) for lesson in SHIPPED for example in lesson.examples]


def test_the_shipped_library_is_broad_and_every_entry_has_examples() -> None:
    assert len(SHIPPED) >= 80
    assert len({lesson.id for lesson in SHIPPED}) == len(SHIPPED)
    assert all(len(lesson.examples) >= 2 for lesson in SHIPPED)


@pytest.mark.parametrize(("expected", "example"), EXAMPLES)
def test_each_example_gets_its_own_entrys_message(expected: str, example: str) -> None:
    found = lessons.matching(example, paths.resource_dir("prompts"))
    assert found is not None and found.id == expected


@pytest.mark.parametrize("lesson", SHIPPED, ids=[lesson.id for lesson in SHIPPED])
def test_every_message_speaks_plainly_to_the_public(lesson: lessons.Lesson) -> None:
    assert message.general(lesson.message)  # no story, no patient
    assert not message._FIRST_PERSON.search(lesson.message)
    measured = grade(lesson.message)
    assert measured is not None and not measured.jargon, [j.term for j in measured.jargon]


@pytest.mark.parametrize("lesson", SHIPPED, ids=[lesson.id for lesson in SHIPPED])
def test_no_message_contradicts_itself_by_the_message_check(lesson: lessons.Lesson) -> None:
    """A message opens every post it is the key message of; read as self-contradicting
    ("detox teas, cleanses and flushes don't help", where "flushes" reads as a verb), it
    blocked every one of them."""
    assert faithful.check(lesson.message, lesson.message, lesson.message).severity == "ok"


def test_a_shingles_draft_that_names_chickenpox_gets_no_chickenpox_lesson() -> None:
    draft = ("Rash on one side of the forehead, eye red. Never got the Shingrix because he "
             "had already had chickenpox.")  # fmt: skip
    found = lessons.matching(draft, paths.resource_dir("prompts"))
    assert found is not None and found.id == "shingles-vaccine"


def test_the_more_specific_entry_wins() -> None:
    """A baby's fever is its own lesson, not meningitis in general, whichever comes first."""
    folder = paths.resource_dir("prompts")
    baby = lessons.matching("LP showed bacterial meningitis in a 6-week-old, temp 38.4.", folder)
    adult = lessons.matching("LP showed bacterial meningitis in a 40-year-old teacher.", folder)
    assert baby is not None and adult is not None
    assert baby.id != adult.id and "3 months" in baby.message


def test_a_draft_on_no_listed_topic_gets_none() -> None:
    draft = "Spent the afternoon reorganising the clinic's filing cabinets with the team."
    assert lessons.matching(draft, paths.resource_dir("prompts")) is None


def test_a_bad_library_is_refused_by_entry_and_a_missing_one_is_empty(tmp_path: Path) -> None:
    (tmp_path / "lessons.toml").write_text(
        '[[lesson]]\nid = "broken"\ntopic = "x"\nall = [["(unclosed"]]\nmessage = "Hi."\n',
        "utf-8",
    )
    with pytest.raises(ValueError, match="broken"):
        lessons.library(tmp_path)
    (tmp_path / "lessons.toml").write_text(
        '[[lesson]]\nid = "empty-group"\ntopic = "x"\nall = [[]]\nmessage = "Hi."\n', "utf-8"
    )
    with pytest.raises(ValueError, match="empty-group"):
        lessons.library(tmp_path)
    (tmp_path / "lessons.toml").write_text(
        '[[lesson]]\nid = "short-lay"\ntopic = "x"\nall = [["a"], ["b"]]\nlay = [["c"]]\n'
        'message = "Hi."\n',
        "utf-8",
    )
    with pytest.raises(ValueError, match="short-lay"):
        lessons.library(tmp_path)
    (tmp_path / "lessons.toml").unlink()
    assert lessons.library(tmp_path) == ()


LAY = Path(__file__).parents[1] / "fixtures" / "lay_messages.jsonl"


def test_lay_messages_written_blind_get_their_topics_lesson_far_more_often() -> None:
    """418 comments and direct messages, two per entry, that helpers wrote in everyday words
    from the entries' topics alone, while other helpers, who never saw them, wrote the lay
    patterns. With the lay patterns 296 match their own entry (198 without), and `confident`
    gives a reply 195 of them against 17 other entries' lessons, most a near topic (a
    stroke's for a mini-stroke)."""
    rows = [json.loads(line) for line in LAY.read_text("utf-8").splitlines() if line]
    assert len(rows) == 418
    folder = paths.resource_dir("prompts")
    own = {lay: 0 for lay in (False, True)}
    right = wrong = 0
    for row in rows:
        for lay in own:
            found = lessons.matching(row["text"], folder, lay=lay)
            own[lay] += found is not None and found.id == row["topic"]
        given = lessons.confident(row["text"], folder)
        right += given is not None and given.id == row["topic"]
        wrong += given is not None and given.id != row["topic"]
    assert own == {False: 198, True: 296}
    assert (right, wrong) == (195, 17)


def test_a_reply_to_a_comment_in_everyday_words_carries_its_topics_lesson() -> None:
    comment = ("my friend fell off a trampoline and landed on his neck, now his arms are "
               "tingling. should we help him get up and walk it off??")  # fmt: skip
    folder = paths.resource_dir("prompts")
    assert lessons.matching(comment, folder) is None  # no clinical word in it
    lesson = lessons.confident(comment, folder)
    assert lesson is not None and lesson.id == "spinal-injury"
    assert lesson.message in message.for_reply("reply-comment", comment, folder).text


def test_lay_patterns_are_for_the_publics_words_never_a_physicians_draft() -> None:
    """The marathon runner had "drunk a full bottle at every water station": read with the
    lay patterns, the case is about alcohol."""
    draft = {case.id: case.draft for case in load(gold_sets()[0])}["g-lesson-marathon-low-sodium"]
    folder = paths.resource_dir("prompts")
    lay = lessons.matching(draft, folder, lay=True)
    assert lay is not None and lay.id == "alcohol"
    found = lessons.matching(draft, folder)
    assert found is None or found.id != "alcohol"


def _scripted(reply: str):
    calls: list[Sequence[dict[str, str]]] = []

    def stream(messages: Sequence[dict[str, str]], params: GenerationParams) -> Iterator:
        calls.append(messages)
        yield from (TextPiece(w + " ") for w in reply.split(" "))
        yield StreamStats(1, 0, 1, 0.1, 1, 1.0, 0.1, "eos")

    return stream, calls


def test_a_story_with_no_lesson_gets_the_librarys_which_opens_every_post(
    scanner, no_library: Path
) -> None:
    """The case is told, no advice given: the library's message stands in, marked as the
    library's, the model never asked for a slot, and each post starts from it."""
    from draftrx.compose.pipeline import Composer, MessageFound, Request, VariantDone

    draft = ("3am in the peds ED. 6-week-old, Lily Hart, brought in by her mom. Temp 38.4 "
             "since last evening, feeding less. LP showed bacterial meningitis.")  # fmt: skip
    stream, calls = _scripted("Babies this young cannot show you how sick they are.")
    composer = Composer(stream, scanner)
    events = list(composer.compose(Request(draft, "lesson", seed=1),
                                   GenerationParams(max_tokens=40, temperature=0)))  # fmt: skip
    found = next(e for e in events if isinstance(e, MessageFound)).message
    assert found.source == "library" and "3 months" in found.text
    assert len(calls) == 1 and calls[0][-1] == {"role": "assistant",
                                                "content": f"{found.text}\n\n"}  # fmt: skip
    (done,) = [e for e in events if isinstance(e, VariantDone)]
    assert done.variant.text.startswith(found.text)

    stream, calls = _scripted("Fever in a newborn.")
    events = list(Composer(stream, scanner, prompts=no_library).compose(
        Request(draft, "lesson", seed=1), GenerationParams(max_tokens=40, temperature=0)))
    assert next(e for e in events if isinstance(e, MessageFound)).message.source != "library"


def test_a_myth_is_set_right_then_explained_by_the_library_on_its_topic(scanner) -> None:
    """The denial is the draft's, turned round; the why and what to do are the library's,
    but only where the myth itself is about the lesson's topic (matches its patterns)."""
    from draftrx.compose.pipeline import Composer, Request

    composer = Composer(_scripted("x")[0], scanner)

    def found(draft: str) -> message.KeyMessage:
        request = Request(draft, seed=1)
        return composer.key_message(request, composer.protect(request), model=False)

    myth = found("Myth: antibiotics cure colds. 7-10d, abx kill bacteria, resistance, C diff.")
    assert myth.source == "library" and myth.text.startswith("Antibiotics do not cure colds. ")
    assert "virus" in myth.text.lower()
    nosebleed = found("Myth: tilt your head back for a nosebleed. Pinch the soft part. ED if "
                      "on anticoagulants with heavy bleed, or after a head injury.")
    assert nosebleed.source == "library" and "lean forward" in nosebleed.text
    assert nosebleed.text.startswith("Don't tilt your head back for a nosebleed. ")
    off_topic = found("Myth: you should pop a blood blister to help it heal. Leave it covered. "
                      "See a doctor if on anticoagulants and it keeps growing.")
    assert off_topic.source == "chosen"  # the blood-thinner lesson is not the myth's topic
    assert off_topic.text.startswith("You should not pop a blood blister")
