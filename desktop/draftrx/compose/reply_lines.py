"""Safety lines a reply carries, written by code, for what the comment or message it
answers is about: a crisis, an emergency (named where its signs are plain), a medicine
about to be stopped, doubled, swapped or borrowed, a dose asked for, a photo sent to be
judged.

The reply task's own message only declines personal advice. Every physician answering such
a comment says the same few things, and the small model, told them, says them as given:
told only to decline, it declined and said nothing of the danger in the question. The
lines are general advice, never about the writer's own care, so they confirm no one is a
patient.
"""

from __future__ import annotations

import regex

from draftrx.compose import drugs

_CRISIS = regex.compile(
    r"(?i)\b(?:suicid|kill (?:my|him|her|them)sel(?:f|ves)|end (?:it all|my life)|want(?:ed)? to "
    r"die|(?:don'?t|do not) want to (?:be here|live|wake up)|no (?:reason|point) (?:to|in) "
    r"(?:live|living|go(?:ing)? on)|better off without me|hopeless|self[- ]harm|hurt(?:ing)? "
    r"my ?self|overdos)"
)
_STROKE = regex.compile(
    r"(?i)\b(?:(?:arm|leg|face|side) (?:went|is|goes|going|has gone) (?:weak|numb|limp|dead)|"
    r"can'?t (?:lift|move|feel) (?:my|his|her|their) (?:arm|leg|face)|"
    r"(?:face|mouth|smile) (?:is )?droop|slurr|numb(?:ness)? (?:on|in) (?:one|the left|the right)|"
    r"one side)"
)
_HEART = regex.compile(
    r"(?i)\b(?:chest (?:pain|pressure|tightness|hurts?)|(?:pain|pressure|tightness|heaviness|"
    r"squeezing) in (?:the (?:middle|cent(?:er|re)) of )?(?:my|his|her|their|the) chest|"
    r"spread(?:s|ing)? (?:to|into|down) (?:my|his|her|their|the) (?:left )?(?:arm|jaw|neck))"
)
_ALLERGY = regex.compile(
    r"(?i)\b(?:lips? (?:are |is |turning )?swell|throat (?:is )?(?:closing|swell)|anaphyla)"
)
_EMERGENCY = regex.compile(
    r"(?i)\b(?:can'?t (?:breathe|catch (?:my|his|her|their) breath)|(?:struggling|trouble|hard) "
    r"(?:to )?breath|short(?:ness)? of breath|worst headache|pass(?:ed|ing) out|faint(?:ed|ing)|"
    r"unconscious|unresponsive|seizure|coughing (?:up )?blood|vomiting blood|bleeding "
    r"(?:heavily|a lot|won'?t stop)|lips? (?:are |is |turning )?blue|blue lips|"
    r"stiff neck and fever)"
)
_MEDICINE = (
    r"(?:pills?|meds?|medicines?|medications?|tablets?|doses?|prescriptions?|inhalers?|insulin|"
    r"antibiotics?|blood thinners?|shots?|patch(?:es)?)"
)
# A medicine about to be changed without its prescriber: stopped, skipped, doubled, swapped.
_CHANGE = regex.compile(
    r"(?i)\b(?:(?:stop|quit|skip|doubl|halv|swap|switch|replac|wean)\w*|come off|go off|"
    r"cut (?:it |them |the \w+ )?(?:in half|back)|take (?:two|2|an extra|extra|more)|"
    r"extra (?:dose|pill|tablet)|instead)\b"
)
_NAMED_MEDICINE = regex.compile(rf"(?i)\b{_MEDICINE}\b")
# Medicine that was not prescribed for this illness or this person: "my leftover
# amoxicillin", "someone else's inhaler", "borrow my sister's pills", "give him my".
_BORROWED = regex.compile(
    r"(?i)\b(?:left ?over|expired|(?:some|any)one else'?s|another person'?s|borrow\w*|"
    r"(?:give|gave|giving) (?:him|her|them) (?:some of )?(?:my|mine))\b"
)
# A dose asked for: "how much should I give him?", "how many mL", "what dose".
_DOSE = regex.compile(
    r"(?i)\b(?:how (?:much|many (?:mg|ml|mls|milligrams?|pills?|tablets?|capsules?|puffs?|units?))|"
    r"what (?:dose|dosage|strength)|how often can (?:i|we|he|she) (?:give|take)|"
    r"(?:right|correct) (?:dose|dosage))\b"
)
_GIVE = regex.compile(r"(?i)\b(?:give|take|dose|dosage|mg|ml)\b")
_PHOTO = regex.compile(
    r"(?i)\b(?:photos?|pics?|pictures?|selfies?|attached|screenshot|sending you (?:a|this))\b"
)

CRISIS = (
    "If you are thinking about suicide or are in crisis, please call or text 988 (the US "
    "crisis line) or your local emergency number now; you are not alone."
)
EMERGENCY = (
    "If this is happening now, call 911 (or your local emergency number) or go to "
    "the nearest emergency department right away; don't wait to see if it passes."
)
NAMED = {
    "stroke": "A drooping face, a weak arm or leg, or slurred speech can be signs of a stroke.",
    "heart": "Chest pain or pressure can be a sign of a heart attack.",
    "allergy": "Swelling of the lips or throat can be a severe allergic reaction.",
}
CHANGE = (
    "Please don't stop, skip, double or swap a prescribed medicine without talking to the "
    "doctor who prescribed it or a pharmacist first."
)
BORROWED = (
    "Please don't use leftover medicine or someone else's prescription: it may be the wrong "
    "medicine or the wrong dose."
)
DOSE = (
    "A safe dose depends on the person's weight, age and the exact product, so please ask a "
    "pharmacist or your doctor's office for it."
)
PHOTO = (
    "I can't assess a photo or make a diagnosis over messages, so please have it looked "
    "at in person soon."
)


def before(text: str) -> str:
    """What goes before the task's message: the crisis line, or emergency services with the
    emergency named where its signs are plain. Empty for an ordinary comment."""
    if _CRISIS.search(text):
        return CRISIS
    named = [
        NAMED[k]
        for k, p in (("stroke", _STROKE), ("heart", _HEART), ("allergy", _ALLERGY))
        if p.search(text)
    ]
    if named or _EMERGENCY.search(text):
        return " ".join([*named[:1], EMERGENCY])
    return ""


def after(text: str, *, direct: bool) -> str:
    """What goes after the task's message: a medicine not to change or borrow, a dose to
    ask a pharmacist for, and (in a direct message) a photo that cannot be judged from afar."""
    lines, sentences = [], _sentences(text)
    if any(_BORROWED.search(s) and _medicine(s) for s in sentences):
        lines.append(BORROWED)
    if any(_DOSE.search(s) and (_medicine(s) or _GIVE.search(s)) for s in sentences):
        lines.append(DOSE)
    if any(_CHANGE.search(s) and _medicine(s) for s in sentences):
        lines.append(CHANGE)
    if direct and _PHOTO.search(text):
        lines.append(PHOTO)
    return " ".join(lines)


def _medicine(sentence: str) -> bool:
    return bool(_NAMED_MEDICINE.search(sentence) or drugs.find(sentence))


def _sentences(text: str) -> list[str]:
    return [s for s in regex.split(r"(?<=[.!?\n])\s+", text) if s.strip()]
