"""Prompt lookup and the speculation controller (pure Python), then speculation on the real
model: it guesses, keeps only what the sampler agrees with, and writes plain greedy's text
up to the float rounding of a batch."""

from __future__ import annotations

import pytest

from draftrx.compose.prompts import load_prompt
from draftrx.engine import Engine, GenerationParams, StreamStats, collect
from draftrx.engine.speculative import (
    MAX_GUESS,
    MAX_MATCH,
    PROBE_EVERY,
    SEPARATOR,
    PromptLookup,
    Speculation,
    unwrapped,
)


def test_lookup_continues_the_longest_earlier_ngram() -> None:
    lookup = PromptLookup([5, 6, 7, 8, 9, 1, 6, 7, 2, 3])
    for t in (5, 6, 7):
        lookup.push(t)
    ngram, guess = lookup.propose(4)
    assert ngram == 3 and guess == [8, 9, 1, 6]  # "5 6 7" beats the later "6 7 2"
    lookup.push(4)
    assert lookup.propose(4) == (0, [])  # "7 4" and "6 7 4" never occurred before
    lookup.push(5)
    assert lookup.propose(2)[0] == 0  # "4 5" is new too


def test_lookup_never_proposes_its_own_suffix() -> None:
    lookup = PromptLookup([1, 2, 3])
    assert lookup.propose(5) == (0, [])
    lookup.push(1)
    lookup.push(2)
    assert lookup.propose(5) == (2, [3, 1, 2])


def test_lookup_measures_the_whole_match_up_to_a_limit() -> None:
    lookup = PromptLookup([*range(40), *range(20)])  # the last 20 tokens occurred before
    match, guess = lookup.propose(3)
    assert match == MAX_MATCH and guess == [20, 21, 22]
    lookup = PromptLookup([9, 1, 2, 3, 4, 5, 6, 7, 8, 0, 2, 3, 4, 5, 6, 7])
    assert lookup.propose(2) == (6, [8, 0])  # 6 tokens agree; the 7th (9 / 0) does not


def test_lookup_prefers_the_references_and_never_guesses_past_one() -> None:
    # The prompt has "a b NL c d"; the output will likely write the reference's "a b c d".
    a, b, nl, c, d, e = 10, 11, 12, 13, 14, 15
    lookup = PromptLookup([1, a, b, nl, c, d, e, 2], references=[[a, b, c, d, e]])
    assert SEPARATOR not in lookup.history[:8] and lookup.history[-1] == SEPARATOR
    assert lookup.propose(4) == (0, [])  # nothing runs across into the output
    for token in (a, b):
        lookup.push(token)
    assert lookup.propose(4) == (2, [c, d, e])  # not NL, and cut before the separator
    lookup.push(nl)  # the output did keep the line break: the prompt's copy takes over
    assert lookup.propose(2) == (3, [c, d])
    assert all(t != SEPARATOR for t in PromptLookup([1, 2, 3], [[1, 2]]).propose(4)[1])


def test_unwrapped_joins_hard_wrapped_lines_only() -> None:
    wrapped = "Flu shots cannot give you\nthe flu.  \n  They contain no live virus.\n\nAsk me."
    assert unwrapped([wrapped, "One line.", "Two\n\nparagraphs.", f"Again:\n \n{wrapped}"]) == [
        "Flu shots cannot give you the flu. They contain no live virus."
    ]  # only the wrapped paragraph, once


def measured(cost_per_size: dict[int, float]) -> Speculation:
    spec = Speculation()
    for size, seconds in cost_per_size.items():
        spec.observe_cost(size, seconds)
    return spec


def choose(spec: Speculation, ngram: int, available: int) -> int:
    return spec.plan([(ngram, available)], spare=100)[0]


def test_speculation_stays_off_while_guesses_would_not_pay() -> None:
    linear = {size: 0.030 * size for size in range(1, 10)}  # a batch no cheaper per token
    assert choose(measured(linear), 6, 8) == 0  # even the most hopeful prior cannot pay
    here = {1: 0.030, 4: 0.077, 8: 0.123}  # this CPU's costs
    assert choose(measured(here), 2, 8) == 0  # the prior doubts a 2-token match's guesses
    spec = measured(here)
    assert choose(spec, 4, 8) > 0  # ...but expects a 4-token match's to be kept
    for _ in range(10):  # guesses after a 4-token match are rejected at once
        spec.observe_guesses(4, 3, 0)
    choices = [choose(spec, 4, 8) for _ in range(PROBE_EVERY)]
    assert choices[:-1] == [0] * (PROBE_EVERY - 1)
    assert choices[-1] > 0  # ...but it probes now and then, in case copying starts
    for _ in range(PROBE_EVERY):  # ...except where the cache has no room left
        assert spec.plan([(4, 8)], spare=-3) == [0]


def test_speculation_guesses_long_where_they_are_kept_and_batches_are_cheap() -> None:
    spec = measured({1: 0.030, 4: 0.077, 8: 0.123})
    for _ in range(20):
        spec.observe_guesses(4, 7, 7)
    assert spec.rates[4].alpha > 0.9
    assert choose(spec, 4, MAX_GUESS) >= 3
    assert choose(spec, 4, 2) <= 2  # never more than the lookup found
    assert choose(spec, 0, 8) == 0  # no match, no guess
    spec.observe_guesses(5, 7, 0)
    assert spec.rate(5).alpha < spec.rate(6).alpha and spec.rate(6) is spec.rate(7)  # pooled
    spec.enabled = False
    assert choose(spec, 4, 8) == 0


def test_a_batch_gets_guesses_where_its_size_costs_nothing_extra() -> None:
    # On this CPU two tokens cost nearly two singles, but four cost about what three do.
    spec = measured({1: 0.030, 2: 0.056, 3: 0.084, 4: 0.077, 5: 0.105, 6: 0.097})
    plan = spec.plan([(3, 8), (2, 8)], spare=100)
    assert sum(plan) >= 2 and plan[0] >= plan[1]  # the longer match is the likelier guess
    assert spec.plan([(3, 8), (2, 8)], spare=1) in ([1, 0], [0, 0])  # the cache is nearly full
    assert spec.plan([(0, 0), (0, 0)], spare=100) == [0, 0]
    for _ in range(10):
        spec.observe_guesses(3, 4, 0)
        spec.observe_guesses(2, 4, 0)
    assert spec.plan([(3, 8), (2, 8)], spare=100) == [0, 0]  # guesses stopped paying


@pytest.mark.model
def test_speculation_copies_quickly_and_writes_what_plain_greedy_writes(
    engine: Engine, greedy_within_rounding
) -> None:
    # Hard-wrapped, as pasted drafts often are: guesses also come from the joined lines.
    text = ("Wash your hands with soap for twenty seconds, dry them well, and keep your\n"
            "vaccinations up to date; stay home when you have a fever.")  # fmt: skip
    messages = [
        {"role": "system", "content": "You repeat text exactly, adding nothing."},
        {"role": "user", "content": f"Repeat this text exactly, as one line:\n\n{text}"},
    ]
    (reference,) = engine._references(messages)
    joined = engine.llm.detokenize(reference).decode()
    assert joined.endswith("keep your vaccinations up to date; stay home when you have a fever.")
    params = GenerationParams(max_tokens=40, temperature=0.0, speculate=True)
    for _ in range(2):  # the second run starts with the costs measured in the first
        text, stats = collect(engine.stream(messages, params))
        assert isinstance(stats, StreamStats)
    output = list(engine.outputs[0])
    assert stats.guessed_tokens > 0 and stats.kept_tokens > stats.guessed_tokens // 2
    assert "twenty seconds" in text
    assert len(output) == stats.decode_tokens
    assert greedy_within_rounding(engine, messages, output)


@pytest.mark.model
def test_plain_decoding_is_exactly_greedy(engine: Engine) -> None:
    """The reference the other tests lean on: one token at a time has no gaps at all."""
    messages = load_prompt("educational").messages("Sunscreen matters in winter too.")
    for _ in engine.stream(messages, GenerationParams(max_tokens=16, temperature=0.0,
                                                      speculate=False)):  # fmt: skip
        pass
    output = list(engine.outputs[0])
    assert len(output) > 4 and engine.greedy_gaps(messages, output) == [0.0] * len(output)
