"""The draft's take-home message, made explicit before anything is written.

Every variant is checked against it (the `message` check), so it has to be right and the
physician has to see it. Where the physician marked it themselves ("The lesson: ...",
"Takeaway: ..."), their own sentence is used as written. Where they marked none, the
draft's own sentences that read most like its point are chosen: the one that sets a myth
right and the one that tells the reader what to do (a closing "Call 911 if ..."). The
default model's guesses were worse than these ("To prevent arthritis, always crack your
knuckles."), so a draft with neither gets the library's lesson on its topic (`lessons`),
and only one the library has nothing for gets the model's one short slot (a few dozen
tokens, greedy), kept only if its content words come from the draft and it tells no
patient's story; else the draft's last sentence that tells no story stands in. The window
asks the physician to check all but their own. A reply's message is the task's own (decline
personal advice, invite private contact), with the safety lines the comment or direct
message calls for (`reply_lines`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import regex

from draftrx.compose import lessons, myths, reply_lines
from draftrx.compose.prompts import Message, read_toml
from draftrx.compose.retell import tells_story
from draftrx.compose.wording import content_words
from draftrx.engine.events import GenerationParams, StreamEvent, TextPiece

# draft: the physician's own take-home sentence; closing: the draft's last sentence, taken as
# its point when there is none and the model's slot was not usable; physician: typed in.
# chosen: the draft's own sentences that read most like its point (advice, a myth set
# right), picked by `chosen` when the physician marked none. library: a public-health
# message from DraftRx's library on the draft's topic (`lessons`), when the draft has none.
# reply: the physician's point for a reply, with the reply's standard words and the safety
# lines its comment calls for put around it where it does not say them already.
Source = Literal["draft", "chosen", "library", "closing", "model", "physician", "task", "reply"]
StreamFn = Callable[[Sequence[Message], GenerationParams], Iterator[StreamEvent]]

_MAX_CHARS = 280
_MARKER = regex.compile(
    r"(?i)(?:^|(?<=[.!?…][\"'”’)]?\s{1,3})|(?<=\n))\s*[\p{Pd}*•>\"“'‘]*\s*"
    r"(?:(?:so,?\s+)?(?:the|my|our|a|one)\s+)?"
    r"(?:lessons?(?:\s+(?:here|learned|learnt|for\s+(?:all\s+of\s+)?(?:us|you|everyone)))?"
    r"|take[\s-]?(?:home|away)(?:\s+(?:message|point|lesson))?|takeaways?"
    r"|bottom\s+line|moral\s+of\s+the\s+story|psa|key\s+(?:point|message|msg)|the\s+point"
    r"|what\s+I\s+(?:want|need|would\s+like|'d\s+like)\s+(?:people|you|everyone|all\s+of\s+you|"
    r"parents|readers)\s+to\s+(?:know|remember|take\s+away)(?:\s+is)?"
    r"|(?:please\s+)?remember(?:\s+this)?|tl;?dr)"
    r"\s*(?:[:\p{Pd}]|\bis\b|,)\s*(?:that\s+)?(?P<msg>[^\n]+)"
)
_PLEASE_REMEMBER = regex.compile(
    r"(?i)(?:^|(?<=[.!?…][\"'”’)]?\s{1,3})|(?<=\n))\s*please\s+(?:remember|know|don'?t\s+forget)\s+"
    r"(?:that\s+)?(?P<msg>[^\n]+)"
)
_SENTENCE = regex.compile(r"[^.!?…\n]+(?:[.!?…]+|$)")
_HASHTAGS = regex.compile(r"(?:\s*#\w+)+\s*$")
# A sentence that tells the reader what to do: an imperative ("If your chest hurts, call
# 911.") or a should, must or never.
_ADVICE = regex.compile(
    r"(?i)^(?:(?:if|when)\b[^.!?]{3,120}?,\s*|(?:and|so|please)\s+)?"
    r"(?:don'?t|do\s+not|never|always|call|go|get|see|keep|take|check|ask|wear|use|stop|"
    r"avoid|seek|talk|make|know|learn|trust|listen|vaccinate|wash|remember|watch|give|"
    r"put|tell|book|bring|come|stay|drink|eat|move|protect|schedule|sit|lean|pinch|cool|"
    r"limit|remove|cover|reapply|start|apply|test|screen|expect|ignore)\b"
    r"|\b(?:should|must|needs?\s+to|never|always)\b"
)
_FIRST_PERSON = regex.compile(r"(?i)\b(?:I|I'm|I've|my|me)\b")
# A sentence that sets a myth right: "does not cause", "NOT a marker", "no link", "won't
# 'give you' the flu", "do nothing for colds".
_CORRECTION = regex.compile(
    r"(?i)\b(?:(?:does|do|did|is|are|was|were|will|can)(?:\s+not|n'?t)|won'?t|not|no|never)\s+"
    r"[\"“'‘]?(?:\w+\s+){0,2}?(?:cause[sd]?|mean[st]?|work|help|need|link|evidence|difference|benefit|"
    r"marker|protect|prevent|give|put|belong|accelerate|wear|affect|infect)\w*"
    r"|\bmyth\b|\bno\s+(?:link|association|connection)\b|\bdo(?:es)?\s+nothing\s+for\b"
)
# What the physician says to the editor, not to the public: "Make it TikTok-able."
_TO_EDITOR = regex.compile(
    r"(?i)\b(?:make\s+(?:it|this)|need\s+to\s+make|pls|shorten|want\s+this|draft|script|"
    r"thread|post\s+(?:idea|re)|debunk|lol|video|vid|readable|for\s+(?:ig|instagram|"
    r"linkedin|tiktok|facebook|x|twitter)|non-preachy|not\s+a\s+lecture|tighten|words?\s+max|"
    r"keep\s+it\s+(?:human|punchy|professional)|stay\s+professional|hook|talking\s+to\s+camera|"
    r"reel)\b"
)
_NOTE_WORDS = 12  # a note to the editor is short; a long sentence with these words is content
_NOTE_FIGURE = regex.compile(
    r"\d(?![\d,]*\s*(?:words?|characters?|chars|seconds?|secs?|s|min|minutes?)\b)"
)
_LABEL = regex.compile(r"^[\w ,/&'’-]{1,40}:\s+(?=\S)")  # "Draft for IG: "
# A label that says the claim after it is the myth, not its correction: "Myth:", "Myth I
# hear every day:", "Claim:" (but "Myth check:" and "Myth busting:" set it right).
_CLAIMED = regex.compile(
    r"(?i)\b(?:myths?(?!\s+(?:check|bust|buster|busting))|claims?|they say|"
    r"people say|heard|hear)\b"
)
_QUOTES = "\"'“‘"
_WORDS = regex.compile(r"[\p{L}\p{N}'’-]+")
_BOUNDARY = regex.compile(r"[.!?…]+[\"'”’)]*(?:\s+|$)|\n+")
_ABBREVIATED = regex.compile(r"(?i)(?:^|\W)(?:e\.g|i\.e|incl|vs|approx|etc|dr|mr|mrs|ms|st|no)\.$")


@dataclass(frozen=True)
class KeyMessage:
    text: str
    source: Source

    @property
    def trusted(self) -> bool:
        """Said by the physician (or the reply task), not guessed: only such a message is
        put to the model beside a draft, and only its words are required in every post."""
        return self.source in ("draft", "physician", "task", "reply")

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "source": self.source, "trusted": self.trusted}


def own_sentence(draft: str) -> str | None:
    """The physician's own take-home sentence, or None when the draft states none."""
    for pattern in (_MARKER, _PLEASE_REMEMBER):
        found = list(pattern.finditer(draft))
        if found:
            return _tidy(_two_sentences(found[-1]["msg"]))
    return None


def chosen(draft: str, stand_ins: Sequence[str] = ()) -> str | None:
    """The draft's own sentences that read most like its point, when it marks none: the
    myth it names turned round (`myths`), else the sentence that sets a myth right, and the
    one that tells the reader what to do, in the draft's order, each scored by how much of
    the draft's topic it carries (short and plain beats long and full of figures).
    Sentences that tell a story, name a stand-in, speak in the first person, ask, speak to
    the editor ("Make it TikTok-able.") or state the myth itself ("Myth: '...'") are never
    chosen. None when no sentence gives advice
    or sets anything right."""
    body = _HASHTAGS.sub("", draft.strip())
    sentences = [
        (at, text) for at, text, label in _sentences(body)
        if general(text, stand_ins) and not _TO_EDITOR.search(text)
        and not _FIRST_PERSON.search(text) and not text.endswith("?")
        and not _CLAIMED.search(label) and text[:1] not in _QUOTES
        and len(content_words(text)) >= 2  # "Please don't." says nothing on its own
    ]  # fmt: skip
    topic = _topic(body)

    def score(text: str) -> float:
        words = len(_WORDS.findall(text))
        numbers = len(regex.findall(r"\d+(?:[.,]\d+)?", text))
        return (len(content_words(text) & topic) - 0.5 * max(0, numbers - 2)
                - 0.15 * max(0, words - 20))  # fmt: skip

    picked: list[tuple[int, str]] = []
    myth = _turned(body, stand_ins)
    if myth is not None:
        picked.append(myth)  # the myth it names, turned round, sets it right plainest
    for kind in (_ADVICE,) if picked else (_CORRECTION, _ADVICE):
        scored = [(score(t), -at, at, t) for at, t in sentences
                  if kind.search(t) and at not in {p[0] for p in picked}]  # fmt: skip
        if scored:
            best = max(scored)
            picked.append((best[2], best[3]))
    if not picked:
        return None
    return _tidy(" ".join(t[:1].upper() + t[1:] for _, t in sorted(picked)))


def myth_denial(draft: str, stand_ins: Sequence[str] = ()) -> str | None:
    """The first myth the draft names, turned round (`myths`), or None."""
    myth = _turned(_HASHTAGS.sub("", draft.strip()), stand_ins)
    return _tidy(myth[1]) if myth else None


def _turned(body: str, stand_ins: Sequence[str]) -> tuple[int, str] | None:
    """(offset, denial) of the first myth `body` names, unless the denial names the case."""
    myth = myths.corrected(body)
    return myth if myth is not None and general(myth[1], stand_ins) else None


def for_the_public(draft: str) -> str:
    """The draft without what the physician says to DraftRx rather than to the public:
    short notes ("Make it TikTok-able.", "Pls shorten to a tweet lol") and labels ("Draft
    for IG: "), but not one that names a myth ("myth vid: "), which the checks read. Given
    notes, the default model copied "Make this a short video before the next cold snap."
    into a post. Used for what the model reads; the draft stays as typed."""
    out, start = [], 0
    ends = [m.end() for m in _BOUNDARY.finditer(draft) if _ends_sentence(draft, m)]
    for end in [*ends, len(draft)]:
        segment = draft[start:end]
        whole = segment.strip()
        label = _LABEL.match(whole)
        body = whole[label.end() :] if label else whole
        if whole and _is_note(body):
            segment = segment.replace(whole, "", 1)
            if not out or out[-1].endswith("\n"):
                segment = ""  # the line goes with it
        elif label and _TO_EDITOR.search(label.group()) and not _CLAIMED.search(label.group()):
            segment = segment.replace(label.group(), "", 1)
        out.append(segment)
        start = end
    return regex.sub(r"[ \t]+(?=\n)|(?<=[ \t])[ \t]+", "", "".join(out)).strip()


def _is_note(sentence: str) -> bool:
    return (
        bool(_TO_EDITOR.search(sentence))
        and not _NOTE_FIGURE.search(sentence)
        and len(_WORDS.findall(sentence)) <= _NOTE_WORDS
    )


def _sentences(text: str) -> list[tuple[int, str, str]]:
    """(offset, sentence, label): any leading label ("Myth check: ") taken off the sentence.
    A full stop ends a sentence only before a capital, a quote or a line's end, so "38.0",
    "e.g." and "incl." stay inside theirs."""
    out, start = [], 0
    ends = [m.end() for m in _BOUNDARY.finditer(text) if _ends_sentence(text, m)]
    for end in [*ends, len(text)]:
        whole = text[start:end].strip()
        label = _LABEL.match(whole)
        sentence = whole[label.end() :] if label else whole
        if regex.search(r"\p{L}", sentence):
            out.append((start, sentence, label.group() if label else ""))
        start = end
    return out


def _ends_sentence(text: str, m: regex.Match[str]) -> bool:
    if "\n" in m.group() or m.end() >= len(text):
        return True
    opens = regex.match(r"[\p{Lu}\"“'‘(\d]", text[m.end() : m.end() + 1])
    return bool(opens) and not _ABBREVIATED.search(text, 0, m.start() + 1)


def _topic(text: str, size: int = 4) -> set[str]:
    """The draft's most repeated content words: what it is about."""
    counts: dict[str, int] = {}
    for m in _SENTENCE.finditer(text):
        for word in content_words(m.group()):
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    return {w for w in ranked[:size] if counts[w] > 1}


def for_reply(task: str, comment: str, folder=None, point: str | None = None) -> KeyMessage:
    """A reply carries the task's message, with the safety lines its comment calls for
    (`reply_lines`): a crisis line or emergency services first, a medicine not to change
    or borrow and a photo not to be judged after. A review is answered as a review:
    thanked where it only praises, and told why where family were refused health details.

    The physician's own `point` takes the place of the library's general advice: the
    standard words and the safety lines go around it, but for the sentences it already
    says (the window offers the whole reply to edit). Set alone, a point dropped the 988
    line from a reply to a comment about suicide."""
    toml = read_toml(task, folder)
    text = str(toml.get("message", "")).strip()
    first = then = last = ""
    answers = task in ("reply-dm", "reply-comment")  # a review is answered as a review
    if answers:
        first = reply_lines.before(comment)
        then = reply_lines.after(comment, direct=task == "reply-dm")
        last = reply_lines.sooner(comment)
    elif task == "reply-review":
        if reply_lines.praised(comment):
            text = str(toml.get("praised", text)).strip()
        then = reply_lines.for_review(comment)
    if point:
        said = regex.sub(r"\s+", " ", point)
        added = [_unsaid(t, said) for t in (first, text, then, last)]
        whole = " ".join(t for t in (*added[:2], point, *added[2:]) if t)
        return KeyMessage(whole, "reply" if any(added) else "physician")
    if answers:
        # Where no safety line is called for, the library's general advice on the comment's
        # topic ("burning when you pee can mean a bladder infection") is the one fact shared.
        lesson = None if first or then else lessons.confident(comment, folder)
        lesson_text = lesson.message if lesson else ""
        text = " ".join(t for t in (first, text, lesson_text, then, last) if t)
    else:
        text = " ".join(t for t in (text, then) if t)
    return KeyMessage(text, "task")


def _unsaid(lines: str, said: str) -> str:
    """The sentences of `lines` that `said` does not already contain."""
    sentences = regex.split(r"(?<=[.!?])\s+", lines.strip()) if lines.strip() else []
    return " ".join(s for s in sentences if s not in said)


def slot_messages(draft: str, folder=None) -> list[Message]:
    """The slot's own prompt, with no task text or example around it: given the task's
    prompt, the 0.5B default model answered about the worked example's topic."""
    slot = read_toml("message", folder, ("system", "user"))
    return [
        {"role": "system", "content": slot["system"].strip()},
        {"role": "user", "content": slot["user"].strip().replace("{draft}", draft.strip())},
    ]


def from_model(
    stream: StreamFn, messages: list[Message], draft: str, stand_ins: Sequence[str] = ()
) -> KeyMessage | None:
    """One short greedy slot: the lesson in one sentence. None when what comes back is
    empty, does not come from the draft (its content words mostly absent there) or is
    about the case (a story, or one of the draft's stand-ins)."""
    params = GenerationParams(max_tokens=60, temperature=0.0, seed=0, speculate=False)
    pieces: list[str] = []
    events = stream(messages, params)
    try:
        for event in events:
            if isinstance(event, TextPiece):
                pieces.append(event.text)
                if "\n" in "".join(pieces).lstrip():
                    break  # one line is the slot: stop the stream here
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
    line = "".join(pieces).strip().split("\n")[0].strip().strip("\"'“”")
    line = regex.sub(r"(?i)^(?:lesson|message|takeaway|key message)\s*:\s*", "", line)
    text = _tidy(_two_sentences(line))
    if not text or not grounded(text, draft) or not general(text, stand_ins):
        return None  # not from the draft, or about the patient rather than for the public
    if _copies_story(text, draft):
        return None
    return KeyMessage(text, "model")


_COPIED_RUN = 6


def _copies_story(text: str, draft: str) -> bool:
    """Whether `text` copies six words in a row from a sentence of the draft that tells the
    story. Asked for the lesson of a runner who "drunk a full bottle at every water station
    plus 2 liters before the start", the default model answered that people "should focus
    on drinking a full bottle at every water station plus 2 liters before the start": what
    put him in intensive care, as advice."""
    def runs(words: list[str]) -> set[tuple[str, ...]]:
        return {tuple(words[i : i + _COPIED_RUN]) for i in range(len(words) - _COPIED_RUN + 1)}

    said = runs(_WORDS.findall(text.lower()))
    return any(said & runs(_WORDS.findall(s.lower()))
               for _, s, _ in _sentences(draft) if tells_story(s))  # fmt: skip


def general(text: str, stand_ins: Sequence[str] = ()) -> bool:
    """For the public, not about the case: no story and none of the draft's stand-ins."""
    return not tells_story(text) and not any(s in text for s in stand_ins if s.strip())


def grounded(message: str, draft: str, share: float = 0.5) -> bool:
    """Whether most of the message's content words occur in the draft."""
    words = content_words(message)
    if not words:
        return False
    theirs = content_words(draft)
    return sum(1 for w in words if w in theirs) >= share * len(words)


def closing_sentence(draft: str, stand_ins: Sequence[str] | None = None) -> str | None:
    """The draft's last sentence; with `stand_ins`, its last sentence that tells no story
    ("Most clots after a long flight start in the calf." rather than "She had not told
    anyone about the pill."), and the last one only when every sentence does."""
    body = _HASHTAGS.sub("", draft.strip())
    sentences = [s.strip() for s in _SENTENCE.findall(body) if regex.search(r"\p{L}", s)]
    if stand_ins is not None:
        sentences = [s for s in sentences if general(s, stand_ins)] or sentences
    return sentences[-1] if sentences else None


def _two_sentences(text: str) -> str:
    sentences = _SENTENCE.findall(text.strip())
    return " ".join(s.strip() for s in sentences[:2]) if sentences else text


def _tidy(text: str) -> str:
    text = regex.sub(r"\s+", " ", text).strip().strip("\"'“”").strip()
    if len(text) > _MAX_CHARS:
        cut = text[:_MAX_CHARS].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:") + "…"
    return text[:1].upper() + text[1:] if text else text
