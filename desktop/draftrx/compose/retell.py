"""A lesson teaches; it never retells the case. And no post carries record-like details.

Two blocking checks and the lesson's input:

- `teaching(text)`: the sentences of a protected draft that teach rather than tell the
  story (no identifiers, ages, places, first/third person or past-tense narration). A lesson
  prompt gets these and the key message, never the narrative, so there is nothing to retell.
- `retelling`: a lesson variant that still names a person (stand-ins too), gives an age, a
  date or a time cue, a place, narrates a patient's story, or copies six words in a row
  from the case's narrative.
- `record_details`: any post with a record number, a room or bed, a phone number, an
  e-mail or the like, or a title with a name ("Dr. Debunk"), invented stand-ins included: a
  reader cannot tell them from real ones.
"""

from __future__ import annotations

import regex

from draftrx.compose.checks import Check
from draftrx.privacy.fictionalise import Mapping
from draftrx.privacy.scanner import Scanner

Span = tuple[int, int]

_RECORD_TYPES = {"MRN", "SSN", "ACCOUNT", "HEALTH_PLAN", "LICENSE", "VEHICLE", "DEVICE", "ID",
                 "PHONE", "EMAIL", "IP_ADDRESS", "ROOM", "ADDRESS", "ZIP"}  # fmt: skip
_PERSON_TYPES = {"NAME"}
_PLACE_TYPES = {"LOCATION", "FACILITY", "ADDRESS"}
_WHEN_TYPES = {"DATE", "TIME_CUE"}
_AGE_TYPES = {"AGE", "AGE_90_PLUS"}
_RECORD_LIKE = regex.compile(
    r"(?i)\b(?:mrn|medical\s+record|record\s+(?:number|no\.?|#)|chart\s+(?:number|no\.?|#)|"
    r"acct|account\s+(?:number|no\.?|#)|member\s+id|policy\s+(?:number|#))\W{0,3}[\w-]*\d"
    r"|\b(?:room|rm|bed|bay|cubicle|pod)\s*#?\s*\d+[a-z]?\b"
    r"|(?<!\d)\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)"
    r"|[\w.+-]+@[\w-]+\.[\w.]+"
)
_TITLED = regex.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+\p{Lu}[\p{L}'’-]+")
_AGE = regex.compile(
    r"(?i)\b\d{1,3}[\s-](?:years?|yrs?|months?|mos?|weeks?|wks?|days?)[\s-]old\b"
    r"|\b\d{1,3}\s?(?:yo|y/o|y\.o\.)\b|\bin\s+(?:his|her|their)\s+(?:early\s+|late\s+|mid-?)?\d0s\b"
)
# A patient's story told as one: who came in, what happened to them.
_NARRATION = regex.compile(
    r"(?i)\b(?:my|our|a|one|the)\s+(?:patient|pt)\b(?!s)(?:\s+(?:of\s+mine|I|we|who|came|was|had|"
    r"told|said|presented|arrived))?"
    r"|\bI\s+(?:saw|treated|admitted|examined|had\s+a|met|cared\s+for|looked\s+after|diagnosed)\b"
    r"|\bwe\s+(?:saw|treated|admitted|intubated|transferred|discharged)\b"
    r"|\b(?:he|she|they)\s+(?:was|were|came|had|presented|arrived|told|went|collapsed|ate|"
    r"developed|started|stopped|ran|fell|woke|called|felt)\b"
    r"|\b(?:was|were)\s+(?:brought|rushed|admitted|transferred|intubated|discharged)\b"
    r"|\b(?:came|walked|rolled)\s+(?:in|into)\b|\bpresented\s+(?:with|to)\b"
)
# Told about someone: first or third person, past tense, a time. Teaching speaks generally.
_STORY = regex.compile(
    r"(?i)\b(?:I|me|my|we|our|us|he|she|his|him|her|hers|was|were|had|did|came|went|took|got|"
    r"said|told|found|showed|became|felt|thought|knew|saw|ate|woke|arrived|died|survived|"
    r"yesterday|tonight|today|last|ago|later|morning|night|shift|ugh)\b"
)
_GENERAL = regex.compile(
    r"(?i)\b(?:you|your|if|when|anyone|everyone|people|is|are|isn't|aren't|can|can't|cannot|"
    r"should|must|means?|needs?|works?|helps?|does|doesn't|don't|do|keep|call|go|get|check|ask|"
    r"never|always)\b"
)
_SENTENCE = regex.compile(r"[^.!?\n]+[.!?]*")
_WORD = regex.compile(r"[\p{L}\p{N}]+")
_COPY_WORDS = 6


def teaching(text: str, scanner: Scanner) -> str:
    """The sentences of `text` that teach: no finding, age, story or narration in them, and
    something said in general (to "you", in the present, as advice)."""
    findings = scanner.scan(text)
    keep = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group().strip()
        if not sentence or any(f.start < m.end() and f.end > m.start() for f in findings):
            continue
        if _NARRATION.search(sentence) or _AGE.search(sentence):
            continue
        if _STORY.search(sentence) or not _GENERAL.search(sentence):
            continue
        keep.append(sentence)
    return " ".join(keep)


def tells_story(text: str) -> bool:
    """Whether `text` is about a patient (narration, an age, a titled name) rather than
    for the public."""
    return bool(_NARRATION.search(text) or _AGE.search(text) or _TITLED.search(text)
                or regex.search(r"(?i)\b(?:he|she|his|him|her)\b", text))  # fmt: skip


def record_details(text: str, scanner: Scanner, mapping: Mapping | None) -> Check:
    """Any post: record numbers, rooms, phones, e-mails, and a title with a name ("Dr.
    Debunk", a byline the model made up): invented or not, a reader takes them as real."""
    spans = _typed(text, scanner, mapping, _RECORD_TYPES)
    spans += [m.span() for m in (*_RECORD_LIKE.finditer(text), *_TITLED.finditer(text))]
    if not spans:
        return Check("record_details", "ok",
                     "No record numbers, rooms, phones, e-mails or titled names.")  # fmt: skip
    return Check(
        "record_details",
        "block",
        "A record number, room or bed, phone, e-mail or titled name (\"Dr. Smith\"), invented "
        "or not, reads as a real person's; a post never needs one: remove it.",
        _merge(spans),
    )


def retelling(
    text: str, scanner: Scanner, mapping: Mapping | None, narrative: str, allowed: str = ""
) -> Check:
    """Lessons only: anything that tells whose case it was or what happened to them.
    Six words in a row from `narrative` count as copied unless `allowed` (what the model
    was given: the teaching sentences and the key message) has them too."""
    found: list[tuple[str, list[Span]]] = [
        ("a name", _typed(text, scanner, mapping, _PERSON_TYPES)
         + [m.span() for m in _TITLED.finditer(text)]),
        ("an age", _typed(text, scanner, mapping, _AGE_TYPES)
         + [m.span() for m in _AGE.finditer(text)]),
        ("a date or time", _typed(text, scanner, mapping, _WHEN_TYPES)),
        ("a place", _typed(text, scanner, mapping, _PLACE_TYPES)),
        ("the patient's story", [m.span() for m in _NARRATION.finditer(text)]),
        ("words copied from the case", _copied(text, narrative, allowed)),
    ]  # fmt: skip
    found = [(what, spans) for what, spans in found if spans]
    if not found:
        return Check("retelling", "ok", "Teaches the lesson without retelling the case.")
    what = ", ".join(w for w, _ in found)
    return Check(
        "retelling",
        "block",
        f"Retells the case ({what}); a lesson speaks to the reader and leaves the patient out.",
        _merge([s for _, spans in found for s in spans]),
    )


def _typed(text: str, scanner: Scanner, mapping: Mapping | None, types: set[str]) -> list[Span]:
    spans = [(f.start, f.end) for f in scanner.scan(text, tagged=False) if f.type in types]
    for original in mapping.originals() if mapping else []:
        if mapping.type_of(original) not in types:
            continue
        for word in {original, mapping.get(original) or ""} - {""}:
            pattern = rf"(?i)(?<![\p{{L}}\p{{N}}]){regex.escape(word)}(?![\p{{L}}\p{{N}}])"
            spans += [m.span() for m in regex.finditer(pattern, text)]
    return spans


def _grams(text: str) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + _COPY_WORDS]) for i in range(len(words) - _COPY_WORDS + 1)}


def _copied(text: str, narrative: str, allowed: str) -> list[Span]:
    grams = _grams(narrative) - _grams(allowed)
    words = list(_WORD.finditer(text))
    return [
        (words[i].start(), words[i + _COPY_WORDS - 1].end())
        for i in range(len(words) - _COPY_WORDS + 1)
        if tuple(w.group().lower() for w in words[i : i + _COPY_WORDS]) in grams
    ]


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for s, e in sorted(set(spans)):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return tuple(out)
