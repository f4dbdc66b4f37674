"""The loop guard on token lists: loops found and cut after their first copy, near-repeats
left alone, and the text shown adding up to the text kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from draftrx.compose.prompts import load_prompt
from draftrx.engine import Engine, GenerationParams, StreamStats, TextPiece, collect
from draftrx.engine.decoding import Text
from draftrx.engine.loops import HOLD, Loop, LoopGuard

PREFIX = list(range(100, 110))


def guard(tokens: list[int], texts: list[str] | None = None) -> tuple[LoopGuard, int, str]:
    """Push every token (each token's text "<t>" unless given) until a loop is found;
    return the guard, how many tokens it saw and the text it let through."""
    texts = texts or [f"<{t}>" for t in tokens]
    g = LoopGuard()
    shown = []
    for n, (token, text) in enumerate(zip(tokens, texts, strict=True), 1):
        shown.append(g.push(token, text))
        if g.loop is not None:
            return g, n, "".join(shown)
    return g, len(tokens), "".join(shown) + g.release()


def test_a_sentence_written_three_times_is_a_loop_cut_after_the_first_copy() -> None:
    block = list(range(8))
    g, seen, shown = guard(PREFIX + block * 5)
    assert g.loop is not None
    assert seen == len(PREFIX) + 3 * 8  # found as the third copy ends
    assert g.loop.keep == len(PREFIX) + 8 and g.loop.period == 8
    # Only the first few tokens of the second copy were shown; the consumer drops them.
    assert g.loop.trim_chars == len("<0><1><2>") and HOLD - 1 == 3
    assert shown[: len(shown) - g.loop.trim_chars] == "".join(f"<{t}>" for t in PREFIX + block)


def test_a_short_phrase_is_a_loop_once_it_fills_24_tokens() -> None:
    g, seen, _ = guard(PREFIX + [5, 6] * 20)
    assert g.loop is not None and g.loop.period == 2
    assert seen == len(PREFIX) + 24
    assert g.loop.keep == len(PREFIX) + 2
    # The same pair eleven times (22 tokens) is not yet a loop.
    assert guard(PREFIX + [5, 6] * 11)[0].loop is None


def test_a_long_block_repeats_three_times_too() -> None:
    block = list(range(100))
    g, seen, _ = guard(PREFIX + block * 3)
    assert g.loop is not None and g.loop.period == 100 and seen == len(PREFIX) + 300
    assert guard(PREFIX + block * 2 + [7])[0].loop is None


def test_near_repeats_are_not_loops() -> None:
    # "1. Wash your hands often ... 2. Wash your hands often ...": each item differs in its
    # number, so no block repeats back to back.
    items = [t for n in range(1, 12) for t in (1000 + n, 1, 2, 3, 4, 5, 6, 7, 8, 9)]
    assert guard(items)[0].loop is None
    # Items that share their opening words but not their content.
    varied = [t for n in range(12) for t in (11, 12, 13, 14, 2000 + n, 2100 + n, 15)]
    assert guard(varied)[0].loop is None
    # A short refrain three times ("Get vaccinated. Get vaccinated. Get vaccinated.").
    assert guard(PREFIX + [21, 22, 23] * 3 + PREFIX)[0].loop is None
    # Two copies of a sentence, then the text goes on.
    assert guard(PREFIX + list(range(12)) * 2 + PREFIX)[0].loop is None


def test_everything_is_shown_in_order_when_there_is_no_loop() -> None:
    tokens = PREFIX + [1, 2, 3, 4, 5, 6] * 2 + PREFIX + [1, 2, 3, 4, 5, 9]
    g, _, shown = guard(tokens)
    assert g.loop is None
    assert shown == "".join(f"<{t}>" for t in tokens)


def test_text_is_held_back_while_the_output_repeats_and_released_when_it_stops() -> None:
    g = LoopGuard()
    block = [1, 2, 3, 4, 5, 6]
    shown = [g.push(t, f"<{t}>") for t in [*PREFIX, *block, *block[:HOLD]]]
    assert shown[-1] == "" and g.held == 1  # the HOLD-th repeated token waits
    assert g.push(99, "<99>") == "<4><99>"  # repetition broken: released with the next one
    assert g.held == 0


def test_the_cut_ends_the_kept_copy_at_its_sentence_end() -> None:
    # "Done. I love it. I love it. I love it. ..." The repeat reaches back to the period
    # of "Done.", so the first copy is ". I love it"; the cut keeps the period after it.
    words = ["Done", ".", " I", " love", " this", " clinic", " so", " much", " it", " is"]
    ids = {w: i for i, w in enumerate(dict.fromkeys(words))}
    sentence = [*words[2:], "."]
    tokens = [ids[w] for w in words[:2]] + [ids[w] for w in sentence] * 4
    texts = words[:2] + sentence * 4
    g, _, shown = guard(tokens, texts)
    assert g.loop is not None
    assert shown[: len(shown) - g.loop.trim_chars] == "Done. I love this clinic so much it is."


# -- the real model ------------------------------------------------------------------------

DRAFTS = Path(__file__).parents[1] / "fixtures" / "drafts"
WASH = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Write the sentence 'Wash your hands before every meal.' "
                                "twenty times, one per line."},
]  # fmt: skip
FLU = load_prompt("educational").messages((DRAFTS / "flu_myth.txt").read_text())


def greedy(max_tokens: int, **kw: bool) -> GenerationParams:
    return GenerationParams(max_tokens=max_tokens, temperature=0.0, **kw)


def by_index(events) -> tuple[dict[int, str], dict[int, StreamStats]]:
    texts: dict[int, str] = {}
    stats: dict[int, StreamStats] = {}
    for e in events:
        if isinstance(e.event, TextPiece):
            texts[e.index] = texts.get(e.index, "") + e.event.text
        else:
            stats[e.index] = e.event
    return texts, stats


@pytest.mark.model
def test_a_looping_stream_stops_after_its_first_copy(engine: Engine) -> None:
    for speculate in (False, True):
        text, stats = collect(engine.stream(WASH, greedy(200, speculate=speculate)))
        kept = list(engine.outputs[0])
        assert stats.stop_reason == "loop"
        assert text == "Wash your hands before every meal."  # collect drops trim_chars
        assert stats.decode_tokens < 40 and len(kept) < stats.decode_tokens
    # Without the guard the model writes the same tokens and goes on repeating them.
    unguarded, off = collect(engine.stream(WASH, greedy(50, speculate=False, stop_loops=False)))
    assert off.stop_reason == "length" and unguarded.count(text) >= 4
    assert engine.outputs[0][: len(kept)] == kept


@pytest.mark.model
def test_each_sequence_of_a_batch_has_its_own_guard(engine: Engine) -> None:
    """Two looping sequences around one that ends by itself: each loop is cut after its
    first copy, and the draft between them is neither cut nor stopped. (A batch's greedy
    tokens are not the same from run to run, so only prompts that loop, or end, by a wide
    margin are used: a list of 30 reasons looped in one run and ran to its length in the
    next.)"""
    texts, stats = by_index(engine.stream_batch([WASH, FLU, WASH], greedy(200)))
    assert [stats[i].stop_reason for i in range(3)] == ["loop", "eos", "loop"]
    for i in (0, 2):
        wash = texts[i][: len(texts[i]) - stats[i].trim_chars]
        assert wash == "Wash your hands before every meal."
    assert stats[1].trim_chars == 0 and texts[1].strip()


def replay(engine: Engine, tokens: list[int]) -> tuple[Loop | None, str]:
    """What a guard would have done with these tokens, and the text it would have shown."""
    g, text, shown = LoopGuard(), Text(), []
    for token in tokens:
        shown.append(g.push(token, text.add(engine.llm.detokenize([token]))))
        if g.loop is not None:
            break
    return g.loop, "".join(shown) + g.release() + text.tail()


@pytest.mark.model
def test_the_sample_drafts_are_written_exactly_as_without_the_guard(engine: Engine) -> None:
    """Greedy, on DraftRx's prompts for the sample drafts: the guard changes nothing."""
    prompts = [load_prompt(task).messages((DRAFTS / name).read_text())
               for name in ("case_asthma.txt", "flu_myth.txt")
               for task in ("educational", "lesson")]  # fmt: skip
    # The engine with and without the guard (no speculation: the second run reuses the
    # first's cache exactly, so any difference would be the guard's).
    runs = []
    for stop_loops in (True, False):
        params = greedy(120, speculate=False, stop_loops=stop_loops)
        text, stats = collect(engine.stream(prompts[0], params))
        runs.append((text, list(engine.outputs[0]), stats.stop_reason))
    assert runs[0] == runs[1] and runs[0][2] != "loop"
    # The others written without it: a guard fed the same tokens finds no loop and shows
    # all of the text.
    for messages in prompts[1:]:
        text, stats = collect(engine.stream(messages, greedy(200, stop_loops=False)))
        assert replay(engine, engine.outputs[0]) == (None, text)
    # A batch, with the guard: nothing is cut or lost.
    texts, stats = by_index(engine.stream_batch([prompts[0], prompts[2]], greedy(80)))
    for i in range(2):
        assert stats[i].stop_reason != "loop" and stats[i].trim_chars == 0
        assert replay(engine, engine.outputs[i]) == (None, texts[i])
