"""Vague-posting cues: details that are not identifiers on their own but let the people who
were there recognise the patient (a time, the unit, a crash, a celebrity, a rare disease)."""

from __future__ import annotations

import regex

from draftrx.privacy.rules import Rule, RuleRecognizer, rx

_UNITS = (
    r"ER|ED|ICU|NICU|PICU|CCU|CVICU|MICU|SICU|OR|PACU|L&D|trauma\sbay|trauma\scent(?:er|re)"
    r"|urgent\scare|emergency\s(?:room|department)|clinic|practice|office|unit|ward|floor"
    r"|hospital|labou?r\sand\sdelivery|burn\sunit|cath\slab|walk-in|step-?down|rehab"
    r"|nursing\shome|ambulance|department|surgery\scent(?:er|re)"
)
_RARE = (
    r"progeria|creutzfeldt-jakob(?:\sdisease)?|erdheim-chester(?:\sdisease)?|fibrodysplasia"
    r"\sossificans\sprogressiva|ehlers-danlos(?:\ssyndrome)?|marfan(?:'s)?\ssyndrome|gaucher(?:'s)?"
    r"\sdisease|fabry(?:'s)?\sdisease|pompe(?:'s)?\sdisease|niemann-pick(?:\sdisease)?|tay-sachs"
    r"(?:\sdisease)?|castleman(?:'s)?\sdisease|moyamoya(?:\sdisease)?|takayasu(?:'s)?\sarteritis"
    r"|beh[cç]et(?:'s)?(?:\sdisease)?|wilson(?:'s)?\sdisease|porphyria|amyloidosis|acromegaly"
    r"|huntington(?:'s)?(?:\sdisease)?|rabies|leprosy|hansen(?:'s)?\sdisease|tetanus|botulism"
    r"|anthrax|plague|ebola|mpox|monkeypox|diphtheria|polio(?:myelitis)?|kuru|pheochromocytoma"
    r"|myasthenia\sgravis|guillain-barr[eé](?:\ssyndrome)?|stevens-johnson\ssyndrome|necrotizing"
    r"\sfasciitis|conjoined\stwins|harlequin\sichthyosis|epidermolysis\sbullosa|osteogenesis"
    r"\simperfecta|prader-willi(?:\ssyndrome)?|angelman\ssyndrome|rett\ssyndrome|cri\sdu\schat"
    r"|trisomy\s1[38]|stone\sman\ssyndrome|alien\shand\ssyndrome|foreign\saccent\ssyndrome"
    r"|locked-in\ssyndrome|mesothelioma|cholangiocarcinoma|ALS|amyotrophic\slateral\ssclerosis"
)
_OCCUPATIONS = (
    r"teacher|firefighter|fire\sfighter|police\sofficer|cop|detective|sheriff|deputy|pilot"
    r"|flight\sattendant|pastor|priest|rabbi|imam|minister|nun|monk|farmer|rancher|coach"
    r"|professor|principal|judge|lawyer|attorney|ceo|chef|mechanic|soldier|marine|veteran"
    r"|(?:truck|bus|school\sbus|taxi|uber|delivery)\sdriver|trucker|electrician|plumber"
    r"|librarian|barista|bartender|waitress|waiter|construction\sworker|fisherman|miner"
    r"|postal\sworker|mail\scarrier|mailman|paramedic|lifeguard|athlete|dancer|musician"
    r"|reporter|journalist|politician|councilman|councilwoman|firefighter|veterinarian"
)
_EVENTS = (
    r"(?:car|motorcycle|motor\svehicle|bus|plane|train|boat|bike|bicycle|helicopter|truck)\s"
    r"(?:crash|accident|wreck|collision)|crash|pile-?up|shooting|stabbing|explosion|house\sfire"
    r"|wildfire|tornado|hurricane|flood|earthquake|(?:famous|well-known|local|pro(?:fessional)?"
    r"|celebrity|tv|reality\stv|hollywood|nba|nfl|mlb|nhl)\s(?:actor|actress|singer|athlete"
    r"|player|musician|star|chef|author|personality|host)|celebrity|celebrities|quarterback"
    r"|senator|congress(?:wo)?man|governor|mayor|on\sthe\snews|local\snews|made\sheadlines"
    r"|headlines|went\sviral|viral\svideo|famous|a\slocal\slegend"
)
_PLACE_TYPES = {"LOCATION", "ADDRESS", "FACILITY", "ZIP", "CARE_SETTING"}
_LOCAL = regex.compile(r"(?i)\b(?:local|in\stown|our\stown|around\shere|community|nearby)\b")

RULES = [
    Rule("TIME_CUE", rx(r"\b(?i:last\s(?:night|evening|week|weekend|shift|month)|this\s(?:morning|afternoon|evening|week|weekend)|tonight|yesterday|today|earlier\stoday|just\snow|(?:an|a\sfew|two|three)\shours?\sago|overnight|over\sthe\sweekend|(?:on|during)\s(?:my|our|the)\s(?:night\s|day\s|last\s|overnight\s)?shift|(?:my|our)\s(?:night|day|overnight|call|weekend)\sshift|moments\sago|minutes\sago)\b"), 0.8),
    Rule("CARE_SETTING", rx(rf"\b(?i:our|my)\s+(?:(?i:local|own|little)\s+)?(?:{_UNITS})\b"), 0.6),
    Rule("CARE_SETTING", rx(r"\b(?i:the)\s+(?:ER|ED|ICU|NICU|PICU|CCU|(?i:trauma\sbay|emergency\s(?:room|department)|labou?r\sand\sdelivery))\b"), 0.6),
    Rule("CARE_SETTING", rx(r"\b(?:\p{Lu}[\p{L}-]*\s+){1,3}(?:Unit|Ward|Wing|Pavilion|Floor|Bay)\b"), 0.7),
    Rule("CARE_SETTING", rx(r"\b\d{1,2}\s?(?:North|South|East|West|N|S|E|W)\b(?!\s+\p{Lu})"), 0.6),
    Rule("EVENT", rx(rf"\b(?i:{_EVENTS})\b"), 0.6),
    Rule("RARE_CONDITION", rx(rf"\b(?i:{_RARE})\b"), 0.7),
    Rule("OCCUPATION", rx(rf"\b(?i:{_OCCUPATIONS})s?\b"), 0.5),
    Rule("RARE_CONDITION", rx(r"\b(?i:(?:a|an|this)\srare\s(?:case\sof\s|form\sof\s)?)(?P<c>[\w'-]+(?:\s[\w'-]+){0,3}?\s(?i:disease|syndrome|disorder|cancer|tumou?r|deficiency|condition|infection))\b"), 0.65, group="c"),
]  # fmt: skip


def places_someone(text: str, types: set[str]) -> bool:
    """Whether the draft says where: an occupation only matters together with a place."""
    return bool(types & _PLACE_TYPES) or bool(_LOCAL.search(text))


recognizer = RuleRecognizer("vague_posting", RULES)
