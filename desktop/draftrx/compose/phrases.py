"""Phrase tables for the post checks. Patterns, not code: each list is one check's triggers.

Every table has tests with texts that must trip it and texts that must not
(tests/compose/test_compose_checks.py); widen a pattern only with a case for each side.
"""

from __future__ import annotations

import regex

_DOSE = r"\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|ml|mL|units?|iu|IU|tabs?|tablets?|pills?|capsules?|puffs?|drops?)\b"
_MEDS = r"(?:dose|dosage|medications?|meds|insulin|pills?|prescriptions?|inhaler|antibiotics?)"

# Individual advice or dosing aimed at the reader ("you"), not general education.
ADVICE = [
    rf"\byou (?:should|must|need to|have to|can|could) (?:take|start|stop|increase|decrease|double|skip|try|use)\b(?:[^.!?\n]*?\b{_DOSE})?",
    rf"\b(?:take|use|try|give (?:him|her|them|your \w+))\s+(?:\w+\s+){{0,3}}?{_DOSE}",
    rf"\b(?:stop|increase|decrease|double|halve|lower|raise|change|adjust|skip) your (?:\w+ )?{_MEDS}\b",
    r"\bin your case\b",
    r"\bI(?:'d| would)? (?:recommend|suggest|advise) (?:that )?you\b",
    r"\bsounds like you (?:have|need|might have)\b",
    r"\byou (?:probably|likely|definitely) have\b",
    r"\bfor your (?:symptoms|condition|rash|pain|infection)\b,? (?:take|try|use)\b",
]

# A reply that shows the writer knows the reader is, or was, a patient.
PATIENT_CONFIRMATION = [
    r"\bglad (?:we|I) (?:could|were able to|was able to) help\b",
    r"\b(?:thanks?|thank you) for (?:coming in|visiting (?:us|our|me)|choosing (?:us|our|me)|being (?:a|our|my) patient|trusting (?:us|me) with your)",
    r"\b(?:it was|it's|was) (?:a pleasure|great|nice|good) (?:to )?(?:see|seeing|meet|meeting|treat|treating|care for|caring for) you\b",
    r"\b(?:when|since|after) (?:I|we) (?:saw|treated|examined|met|operated on) you\b",
    r"\b(?:I|we) (?:saw|treated|examined|operated on|diagnosed|prescribed|admitted|discharged) you\b",
    r"\b(?:when|after) you (?:came in|were here|visited)\b",
    r"\byou were (?:in|at|seen (?:in|at)) (?:our|my|the) (?:office|clinic|practice|hospital|ER|unit|ward)\b",
    r"\byour (?:recent |last |next |follow-up )(?:visit|appointment|procedure|surgery|stay|treatment|results|labs|scan)\b",
    r"\byour (?:visit|appointment|procedure|surgery|stay|treatment) (?:with us|here|at our|went|was|yesterday|last)\b",
    r"\b(?:as|being) your (?:doctor|physician|surgeon|provider|dermatologist|pediatrician|nurse)\b",
    r"\byou(?:'re| are) (?:one of )?(?:our|my) (?:favou?rite )?patients?\b",
    r"\b(?:our|my) patients? like you\b",
    r"\bhope your \w+(?: \w+)? (?:is|are) (?:healing|better|improving|clearing up|gone)\b",
    r"\bsorry (?:about |for )?your (?:experience|visit|wait|bill) (?:with us|at our|here)\b",
    r"\b(?:your|the) (?:chart|records?|file) (?:shows?|says|indicates?)\b",
    r"\blooking at your (?:chart|records?|results|labs|file)\b",
    r"\bsee you at your next\b",
]

PROFANITY = [
    r"\bf+u+c+k\w*", r"\bsh[i1]t\w*", r"\bbullshit\b", r"\bcrap\b", r"\bdamn(?:ed|it)?\b",
    r"\basshole\w*", r"\bbitch\w*", r"\bbastard\w*", r"\bwtf\b", r"\bpiss(?:ed)?\b",
]  # fmt: skip
# Stigmatising or mocking words about patients; person-first language instead.
DEROGATORY = [
    r"\bfrequent flyers?\b", r"\bgomers?\b", r"\bdrug[- ]seek(?:er|ers|ing)\b", r"\bjunkies?\b",
    r"\bhypochondriacs?\b", r"\bpsychos?\b", r"\bidiots?\b", r"\bmorons?\b", r"\bstupid\b",
    r"\bdumb\b", r"\bcrazy\b", r"\blunatics?\b", r"\bwhin(?:er|ers|y)\b", r"\bfatt(?:y|ies)\b",
    r"\btrain ?wrecks?\b", r"\baddicts?\b", r"\bnon-?compliant\b", r"\bdramatic patients?\b",
    r"\bLOL\b(?=[^.!?\n]*\bpatients?\b)", r"\bpatients?\b[^.!?\n]*\bLOL\b",
]  # fmt: skip

# Absolute or unsupported claims; "there is no cure" is not one.
CLAIMS = [
    r"(?<!\bno )(?<!\bnot a )(?<!\bisn't a )(?<!\bwithout a )(?<!\bnot )\bcur(?:es?|ed)\b(?! (?:is|are) rare)",
    r"\bguarantee[ds]?\b", r"\b100\s?%\s*(?:safe|effective|natural|proven|guaranteed|of the time)",
    r"\bmiracle\b", r"\bno side[- ]effects\b", r"\brisk[- ]free\b",
    r"\b(?:completely|totally|perfectly|absolutely) (?:safe|harmless|effective)\b",
    r"\b(?:always|never) fails\b", r"\bworks every time\b", r"\balways works\b",
    r"\b(?:clinically |scientifically )?proven to (?:cure|prevent|reverse|eliminate|stop)\b",
    r"\breverses? (?:diabetes|aging|ageing|heart disease|cancer|autism)\b", r"\bdetox(?:es|ify)?\b",
    r"\binstant(?:ly)? (?:relief|cure|results)\b",
]  # fmt: skip

# Content a platform would treat as a testimonial or before/after: needs written consent.
TESTIMONIAL = [
    r"\bbefore[- /]+(?:and[- ]+)?after\b", r"\btestimonials?\b", r"\bsuccess stor(?:y|ies)\b",
    r"\b(?:my|our|a|one) patients? (?:said|says|told me|wrote|shared|raves?|loves?)\b",
    r"\bresults like (?:these|this|hers|his|theirs)\b",
    r"\blook at (?:his|her|their|these|those) results\b", r"\btransformations?\b",
    r"\b(?:she|he|they) lost \d+ ?(?:lbs?|pounds|kg|kilos)\b", r"\bin (?:his|her|their) own words\b",
]  # fmt: skip

# A brand or product, which makes a conflict-of-interest statement expected.
BRANDS = [
    "Ozempic", "Wegovy", "Mounjaro", "Zepbound", "Rybelsus", "Saxenda", "Trulicity", "Jardiance",
    "Farxiga", "Januvia", "Lipitor", "Crestor", "Eliquis", "Xarelto", "Humira", "Keytruda",
    "Dupixent", "Skyrizi", "Stelara", "Rinvoq", "Paxlovid", "Tamiflu", "Xofluza", "Tylenol",
    "Advil", "Motrin", "Aleve", "Benadryl", "Claritin", "Zyrtec", "Allegra", "Flonase", "Nexium",
    "Prilosec", "Pepcid", "Mucinex", "Sudafed", "NyQuil", "DayQuil", "Viagra", "Cialis",
    "Adderall", "Xanax", "Zoloft", "Prozac", "Lexapro", "Wellbutrin", "Accutane", "CeraVe",
    "Cetaphil", "La Roche-Posay", "Neutrogena", "Aveeno", "Eucerin", "Aquaphor", "Pedialyte",
    "Fitbit", "Apple Watch", "Oura", "Dexcom", "FreeStyle Libre", "Omnipod", "Peloton", "Noom",
    "WeightWatchers", "Narcan", "EpiPen", "Symbicort", "Advair", "Ventolin", "Botox",
    "Juvederm", "Invisalign", "Centrum", "Metamucil", "MiraLAX", "Imodium", "Pepto-Bismol",
    "Neosporin", "Theraflu", "Emergen-C", "Zicam", "Nicorette", "Chantix",
]  # fmt: skip
SPONSOR_CUES = [
    r"\bsponsored\b", r"(?<!\w)#(?:ad|sponsored|partner)\b", r"\bpartner(?:ed|ing) with\b",
    r"\buse (?:my )?(?:code|link)\b", r"\b(?:discount|promo) code\b", r"\baffiliate\b",
    r"\bgifted\b", r"\bpaid partnership\b", r"[®™]",
]  # fmt: skip
DISCLOSURE = [
    r"\bdisclosures?:", r"(?<!\w)#(?:ad|sponsored)\b", r"\bpaid partnership\b", r"\bsponsored by\b",
    r"\bconflicts? of interest\b", r"\bno (?:financial|commercial) (?:ties|relationships?|interests?)\b",
    r"\bI (?:consult|have consulted|am a (?:paid )?(?:consultant|speaker|advisor)) (?:for|with)\b",
    r"\bI (?:receive|received|have received) (?:\w+ ){0,3}(?:fees|payments?|funding|grants?)\b",
]  # fmt: skip


def compile_all(patterns: list[str], flags: int = regex.IGNORECASE) -> regex.Pattern[str]:
    return regex.compile("|".join(f"(?:{p})" for p in patterns), flags)


# Brands match case-sensitively, as they are written, so ordinary words are not brands.
BRAND = regex.compile(
    r"(?<![\w-])(?:"
    + "|".join(regex.escape(b) for b in sorted(BRANDS, key=len, reverse=True))
    + r")(?![\w-])"
)
SPONSOR = compile_all(SPONSOR_CUES)
DISCLOSED = compile_all(DISCLOSURE)
HASHTAG = regex.compile(r"(?<![\w&])#\p{L}[\p{L}\p{N}_]*")
