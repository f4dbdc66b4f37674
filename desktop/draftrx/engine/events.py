"""What a stream yields and what it is asked to do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

StopReason = Literal["eos", "length", "context", "cancelled"]


@dataclass(frozen=True)
class GenerationParams:
    max_tokens: int = 512
    temperature: float = 0.7
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    seed: int | None = None
    speculate: bool = True  # guess ahead from the prompt where it pays (see speculative.py)

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, not {self.max_tokens}.")
        if self.temperature < 0:
            raise ValueError(f"temperature must be 0 (greedy) or more, not {self.temperature}.")


@dataclass(frozen=True)
class TextPiece:
    """Newly generated text, complete UTF-8 characters only."""

    text: str


@dataclass(frozen=True)
class StreamStats:
    """The last event of every stream, including cancelled ones."""

    prompt_tokens: int
    reused_tokens: int  # prompt tokens whose KV cache was kept from the previous call
    prefill_tokens: int  # prompt tokens actually processed in this call
    ttft_s: float  # from the call to the first text (or to the end, when none came)
    decode_tokens: int
    decode_tok_s: float  # tokens after the first, per second after the first
    total_s: float
    stop_reason: StopReason
    guessed_tokens: int = 0  # prompt-lookup guesses verified
    kept_tokens: int = 0  # guesses the sampler agreed with

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


StreamEvent = TextPiece | StreamStats


def collect(events: Iterable[StreamEvent]) -> tuple[str, StreamStats]:
    """A whole stream as its text and its stats, for callers that need no live pieces."""
    pieces: list[str] = []
    stats: StreamStats | None = None
    for event in events:
        if stats is not None:
            raise ValueError("a stream went on after its stats event")
        if isinstance(event, TextPiece):
            pieces.append(event.text)
        else:
            stats = event
    if stats is None:
        raise ValueError("a stream ended without its stats event")
    return "".join(pieces), stats


@dataclass(frozen=True)
class SequenceEvent:
    """An event of one sequence of a batch: `index` is the prompt's place in the batch."""

    index: int
    event: StreamEvent
