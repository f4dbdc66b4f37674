"""What a stream yields and what it is asked to do."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Literal

# "loop": the output fell into repeating itself and was cut after the first copy (loops.py).
# "incomplete": a server's stream ended without saying it was done (remote.py).
StopReason = Literal["eos", "length", "context", "cancelled", "loop", "incomplete"]

# What an unset sampling field gets when the model recommends nothing for it.
DRAFTRX_SAMPLING: dict[str, float] = {
    "temperature": 0.7,
    "top_k": 40,
    "top_p": 0.95,
    "min_p": 0.05,
    "repeat_penalty": 1.1,
}
_SHORT = {"temperature": "temp"}


@dataclass(frozen=True)
class Sampling:
    """The settings a stream's sampler chain is built with, and where they came from."""

    temperature: float
    top_k: int
    top_p: float
    min_p: float
    repeat_penalty: float
    source: str  # e.g. "model's recommended (temp 0.7, top_p 0.8)", "DraftRx defaults"


def describe_sampling(from_model: Mapping[str, float]) -> str:
    if not from_model:
        return "DraftRx defaults"
    values = ", ".join(f"{_SHORT.get(k, k)} {v:g}" for k, v in from_model.items())
    return f"model's recommended ({values})"


@dataclass(frozen=True)
class GenerationParams:
    """None in a sampling field means unset: the model's recommended value where its GGUF
    has one (general.sampling.*), else DraftRx's default (DRAFTRX_SAMPLING)."""

    max_tokens: int = 512
    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    min_p: float | None = None
    repeat_penalty: float | None = None
    seed: int | None = None
    speculate: bool = True  # guess ahead from the prompt where it pays (see speculative.py)
    stop_loops: bool = True  # stop a stream that repeats itself (see loops.py)

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, not {self.max_tokens}.")
        if self.temperature is not None and self.temperature < 0:
            raise ValueError(f"temperature must be 0 (greedy) or more, not {self.temperature}.")

    def sampling(self, recommended: Mapping[str, float] | None = None) -> Sampling:
        """Fill the unset fields from `recommended` (by field name), then DraftRx's defaults."""
        recommended = recommended or {}
        values: dict[str, float] = {}
        from_model: dict[str, float] = {}
        unset = False
        for name, default in DRAFTRX_SAMPLING.items():
            value = getattr(self, name)
            if value is None:
                unset = True
                value = recommended.get(name, default)
                if name in recommended:
                    from_model[name] = value
            values[name] = value
        source = describe_sampling(from_model) if unset else "as set by the caller"
        return Sampling(
            temperature=max(float(values["temperature"]), 0.0),
            top_k=int(values["top_k"]),
            top_p=float(values["top_p"]),
            min_p=float(values["min_p"]),
            repeat_penalty=float(values["repeat_penalty"]),
            source=source,
        )


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
    # stop_reason "loop": characters at the end of the text received that belong to the
    # loop and must be dropped (a few words at most; the rest was never sent).
    trim_chars: int = 0
    sampling: str = ""  # where the sampler's settings came from (Sampling.source)

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


StreamEvent = TextPiece | StreamStats


def collect(events: Iterable[StreamEvent]) -> tuple[str, StreamStats]:
    """A whole stream as its text (less the stats' `trim_chars`) and its stats, for
    callers that need no live pieces."""
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
    text = "".join(pieces)
    return text[: len(text) - stats.trim_chars], stats


@dataclass(frozen=True)
class SequenceEvent:
    """An event of one sequence of a batch: `index` is the prompt's place in the batch."""

    index: int
    event: StreamEvent
