"""A post must not send to a routine doctor's visit what the message sends to emergency care.

The default model kept a message's "call 911" and then, a paragraph later, wrote "If
you're experiencing chest pain or trouble breathing, it's important to see a doctor as
soon as possible" (after giving birth, where the message says emergency care), or "if you
... think about suicide, talk to your doctor" (where it says get help now). The `message`
check's polarity rules see go-now against wait; this one sees emergency against routine
care, for the symptoms the message's emergency sentence names.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from draftrx.compose.wording import content_words

_SENTENCE = regex.compile(r"[^.!?;\n]+[.!?;]*")
_CLAUSE = regex.compile(r"[^,;:\n]+")
_EMERGENCY = regex.compile(
    r"(?i)\b(?:911|999|112|988|emergency|ambulance|ER|ED|A&E|crisis|poison\s+control|"
    r"get\s+(?:help|care)\s+(?:now|right\s+away|immediately|at\s+once))\b"
)
_ROUTINE = regex.compile(
    r"(?i)\b(?:see|talk\s+(?:to|with)|speak\s+(?:to|with)|contact|call|ask|visit|check\s+(?:in\s+)?with|"
    r"tell|make\s+an\s+appointment\s+with|book\s+in\s+with)\s+(?:a|your|their|the)\s+(?:own\s+)?"
    r"(?:family\s+)?(?:doctor|gp|physician|clinician|provider|pharmacist|pediatrician|paediatrician)\b"
)
_CONDITION = regex.compile(r"(?i)\b(?:if|when|whenever)\b(?P<cond>[^,]{3,160}),")
# Words every emergency sentence has; shared alone, they say nothing about the symptom.
_GENERIC = content_words(
    "emergency call help now local number care get need go seek doctor right away even "
    "immediately services nearest department someone sure feel things ever text"
)


def _urgent_words(message: str) -> set[str]:
    """Content words of the message's sentences that say emergency, but for their clauses
    that send to a routine doctor ("Talk to your doctor before you stop, and get help now
    if you think about suicide": suicide, not stop)."""
    words: set[str] = set()
    for sentence in _SENTENCE.finditer(message):
        if _EMERGENCY.search(sentence.group()):
            for clause in _CLAUSE.finditer(sentence.group()):
                if not _ROUTINE.search(clause.group()):
                    words |= content_words(clause.group())
    return words - _GENERIC


def downgraded(post: str, message: str) -> Iterator[tuple[int, int]]:
    """Spans of the post's sentences that, for a symptom the message sends to emergency
    care, send the reader to a routine doctor and say nothing of emergency care; the
    message's own sentences excepted."""
    urgent = _urgent_words(message)
    if not urgent:
        return
    for sentence in _SENTENCE.finditer(post):
        body = sentence.group()
        if _EMERGENCY.search(body) or not _ROUTINE.search(body) or body.strip() in message:
            continue  # the message's own words ("if you feel unwell, get seen soon") stand
        condition = _CONDITION.search(body)
        if condition and content_words(condition["cond"]) & urgent:
            yield sentence.span()
