"""Which words can be names: titles, relations and roles that announce one, words that never
are (eponyms, clinical shorthand, drugs), and the dictionary tests the name rules share."""

from __future__ import annotations

import regex
from spacy.lang.en.stop_words import STOP_WORDS

from draftrx.privacy import lexicon, shorthand

TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "nurse", "prof", "professor", "sister",
    "father", "rev", "reverend", "officer", "sgt", "sergeant", "captain", "capt", "coach",
    "pastor", "judge", "grandma", "grandpa", "granny", "nana", "papa", "uncle", "aunt",
    "auntie", "cousin", "baby", "sir", "madam", "lady", "mister", "señor", "señora", "frau",
    "herr", "mme", "mlle", "pa", "np", "rn", "md",
}  # fmt: skip

RELATIONS = {
    "son", "daughter", "wife", "husband", "mother", "mom", "mum", "dad", "brother", "sister",
    "niece", "nephew", "grandson", "granddaughter", "grandmother", "grandfather", "partner",
    "fiancé", "fiance", "fiancée", "friend", "neighbor", "neighbour", "boyfriend", "girlfriend",
    "caregiver", "twins", "twin", "baby", "patient", "pt", "resident", "client", "named",
    "called", "nicknamed", "née", "nee", "spouse", "child", "boy", "girl", "kid", "kids",
    "stepson", "stepdaughter", "sibling", "roommate", "colleague", "coworker", "mrs", "mr",
    "ms", "dear", "hi", "hello", "hey", "thanks", "congrats", "congratulations", "aka",
}  # fmt: skip

# Cues that make the next word a name whatever its case. A title is followed by a name unless
# by a word that says what the person did; care roles need a word that is not clinical
# vocabulary ("staff aware", "pt/ot: min assist").
CASELESS_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "rev",
                   "reverend", "pastor", "fr", "rabbi", "imam", "deputy", "ofc", "sgt", "det",
                   "lt", "capt"}  # fmt: skip

CARE_ROLES = {
    "nurse", "rn", "np", "pa", "md", "attending", "resident", "intern", "fellow", "pcp", "sw",
    "staff", "chaplain", "pharmacist", "cardiologist", "surgeon", "hospitalist", "oncologist",
    "neurologist", "intensivist", "nephrologist", "coordinator", "manager", "pharmd",
    "cm", "ot", "pt/ot", "rt", "lpn", "cna", "tech",
    "interpreter", "sitter", "proxy", "hcp", "poa", "guardian", "caregiver", "therapist", "crna",
    "mgr", "attn", "lc", "pca", "ma", "scribe", "preceptor", "rph", "cde", "chw", "officer",
    "navigator", "advocate", "worker", "rep", "ofc", "srna", "pct", "nf", "counselor",
    "dietitian", "nutritionist", "aide", "doula", "midwife", "paramedic", "medic", "emt",
    "medics", "paramedics", "clerk", "secretary", "registrar", "transporter",
    "biomed", "dau", "sitters", "coach", "clinician", "supervisor", "mht", "peer", "counsellor",
    "liaison", "caller",
}  # fmt: skip

# Kin take a given name even when it is also a word ("wife rose", "son will called").
KIN = {
    "son", "daughter", "dtr", "dau", "wife", "husband", "hus", "mother", "mom", "mum", "dad",
    "father", "brother", "bro", "sister", "sis", "niece", "nephew", "grandson", "granddaughter",
    "grandmother", "grandfather", "partner", "fiancé", "fiance", "fiancée", "friend", "neighbor",
    "neighbour", "boyfriend", "girlfriend", "spouse", "stepson", "stepdaughter", "uncle", "aunt",
    "cousin", "sponsor", "boy", "girl", "son-in-law", "daughter-in-law", "sister-in-law",
    "brother-in-law", "mother-in-law", "father-in-law", "stepmother", "stepfather", "grandma",
    "grandpa", "granny", "nana", "godson", "goddaughter", "ex-wife", "ex-husband", "roommate",
    "landlord", "landlady", "stepmom", "stepdad", "fiancee", "dil", "sil", "coworker",
    "co-worker", "great-grandson", "great-granddaughter", "grandniece", "grandnephew",
}  # fmt: skip

KIN_PLURAL = {
    "sons", "daughters", "dtrs", "brothers", "sisters", "grandsons", "granddaughters",
    "grandchildren", "children", "kids", "nieces", "nephews", "parents", "siblings",
}  # fmt: skip

# Care roles written after a name: "per novak rn", "d/w Okafor NP".
ROLE_AFTER = {
    "rn", "np", "pa", "md", "do", "lpn", "cna", "crna", "cnm", "msw", "lcsw", "pharmd", "rt",
    "pa-c", "dnp", "mph", "phd", "rph", "licsw", "lmsw", "bsn", "aprn", "fnp", "dpt", "otr",
    "slp", "lmhc", "lmft", "psyd", "cnp", "acnp", "rd", "rrt", "ccrn", "lcsw-r", "sw", "pmhnp",
    "agacnp", "fnp-c", "anp", "whnp", "ibclc", "ma", "pca", "crnp",
}  # fmt: skip

# Months that are also given names: after a relation they are the name ("daughter April").
MONTH_NAMES = {"april", "may", "june", "august", "january"}

# Titles written with a full stop ("Dr. Read"); "RN." ends a signature, not a title.
DOTTED = {"mr", "mrs", "ms", "mx", "dr", "prof", "rev", "sgt", "capt", "fr", "st"}

# Given names that are also auxiliaries: "son will called" is a name, "son will call" is not.
MODAL_NAMES = {"will", "may", "can", "june", "april", "august"}

# What follows a title or a role when it is not a name.
STATUS = {
    "aware", "notified", "paged", "called", "updated", "informed", "made", "here", "present",
    "at", "in", "to", "on", "was", "is", "said", "says", "states", "stated",
    "ordered", "orders", "order", "note", "notes", "consulted", "consult", "came", "saw", "seen",
    "recommends", "recs", "rec", "agrees", "agreed", "office", "team", "service", "requested",
    "appt", "appointment", "visits", "rounds", "instructions", "letter",
    "wants", "feels", "thinks", "reports", "reported", "visited", "visit", "spoke", "discussed",
    "following", "follows", "covering", "coverage", "attending", "resident", "ok", "okay", "re",
}  # fmt: skip

EPONYM_NOUNS = {
    "disease", "syndrome", "palsy", "sign", "test", "criteria", "score", "maneuver",
    "manoeuvre", "reflex", "phenomenon", "law", "scale", "tumor", "tumour", "lymphoma",
    "sarcoma", "ulcer", "fracture", "node", "nodes", "procedure", "operation", "method",
    "technique", "rule", "disorder", "anomaly", "deformity", "murmur", "triad", "classification",
    "equation", "formula", "solution", "position", "catheter", "tube", "forceps", "virus",
    "encephalopathy", "dementia", "thyroiditis", "cyst", "sheath", "duct", "point",
}  # fmt: skip

EPONYMS = {
    "parkinson", "alzheimer", "crohn", "hashimoto", "graves", "hodgkin", "cushing", "addison",
    "tourette", "asperger", "raynaud", "sjogren", "sjögren", "huntington", "kawasaki", "meniere",
    "ménière", "wernicke", "korsakoff", "guillain", "barré", "barre", "epstein", "apgar",
    "glasgow", "heimlich", "valsalva", "babinski", "mcburney", "kernig", "brudzinski",
    "trendelenburg", "foley", "whipple", "alvarado", "braden", "morse", "ranson", "wells",
    "nissen", "bell", "quinton", "pfannenstiel", "berg", "bishop", "dexcom", "down", "lyme",
    "lachman", "mcmurray", "hoyer", "huber", "phalen", "tinel", "finkelstein",
    "spurling", "romberg", "rovsing", "homans", "sengstaken", "blakemore", "penrose",
    "malecot", "swan-ganz", "jackson-pratt", "durkan", "lhermitte", "hallpike", "dix-hallpike",
    "epley", "rinne", "janeway", "osler", "hickman", "hartmann", "brugada", "cheyne",
    "cheyne-stokes", "hasson", "kussmaul", "virchow", "trousseau", "chvostek", "quincke",
    "horner", "bouchard", "heberden", "dupuytren", "charcot", "roux-en-y",
    "tylenol", "advil", "zarit", "rogers",
    "motrin", "benadryl", "lipitor", "ozempic", "wegovy", "botox", "lasix", "xanax", "zoloft",
    "prozac", "narcan", "epipen", "sudafed", "claritin", "zyrtec", "aleve", "aspirin",
}  # fmt: skip

# Census surnames that, capitalised before a name, are a sentence's first word instead:
# "In Ashbury Vale ..." (the name may still end in one: "Ji-woo In").
LEADING_WORDS = {"in", "on", "to", "from", "by", "at", "for", "with", "after", "before"}

# Capitalised words that are in the census lists but are almost never names in a post.
NOT_NAMES = {
    "god", "jesus", "lord", "christ", "christian", "muslim", "jewish", "i", "covid", "medicare",
    "medicaid", "america", "american", "americans", "english", "spanish", "french", "german",
    "white", "black", "asian", "hispanic", "latino", "latina", "caucasian", "african", "native",
    "doctor", "nurse", "patient", "patients", "hospital", "clinic", "emergency", "health",
    "care", "medical", "center", "memorial", "general", "university", "department", "unit",
    "street", "avenue", "road", "lane", "drive", "court", "north", "south", "east", "west",
    "saint", "st", "dob", "dx", "hx", "pt", "rx", "tx", "sx", "fx", "mrn", "ssn", "npi", "dea",
    "ok", "okay", "yes", "no", "hi", "hello", "hey", "thanks", "dear", "reply", "replying",
    "fact", "myth", "tip", "note", "update", "reminder", "pro", "fyi", "ps", "re", "fwd",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "christmas", "easter", "thanksgiving", "halloween", "eve", "day", "new", "year",
    "labor", "delivery", "step", "plan", "blue", "cross", "shield", "urgent", "cardiac",
    "covid-19", "lab", "labs", "vitals", "bp", "hr", "ct", "mri", "ekg", "ecg", "er", "ed",
    "icu", "or", "the", "and", "but", "so", "if", "we", "you", "he", "she", "they", "it", "my",
    "our", "her", "his", "their", "this", "that", "what", "when", "why", "how", "who", "please",
    "happy", "great", "good", "best", "wife", "husband", "son", "daughter", "mom", "dad",
}  # fmt: skip


def known_name(low: str) -> bool:
    parts = [p for p in low.split("-") if p]
    return (
        in_dict(low)
        and not vocab(low)
        and not any(p in STOP_WORDS or p in KIN or p in CARE_ROLES for p in parts)
        and not lexicon.is_inflection(low)
        and (len(parts) < 2 or not any(vocab(p) or p in lexicon.ordinary_words() for p in parts))
    )


def name_word(low: str) -> bool:
    """In a name list: the census's or Philter's (the larger one only after a cue)."""
    return in_dict(low) or low in lexicon.more_names() or bool(CELTIC.match(low))


CELTIC = regex.compile(r"^(?:o['’]|mc|mac|d['’])\p{L}{3,}$")

UNIT_NAME = regex.compile(r"^[a-z]{0,4}(?:icu|ccu|imcu)$")


def drug(low: str) -> bool:
    """A drug, or a combination of drugs ("amp-sulbactam", "pip-tazo")."""
    names = lexicon.drug_names()
    return low in names or ("-" in low and any(p in names for p in low.split("-") if len(p) > 3))


def plain_name(low: str) -> bool:
    """In a name list (Philter's included) or in no dictionary at all, and no clinical or
    English word: "abramsky", "brooks-ferrante", "wiśniewska"."""
    parts = [p for p in low.split("-") if p]
    if len(parts) == 1 and lexicon.is_inflection(low):
        return False
    return bool(parts) and all(
        (name_word(p) or CELTIC.match(p) or lexicon.zipf(p) < 2.0) and not clinical(p)
        for p in parts
    )


def clinical(low: str) -> bool:
    """A word of clinical or everyday English, or a frequent one no name list knows."""
    if low in lexicon.clinical_words() or low in lexicon.ordinary_words() or vocab(low):
        return True
    return low in lexicon.drug_names() or (not name_word(low) and lexicon.zipf(low) >= 3.0)


def shape(word: str) -> bool:
    """Names are Title Case, capitals or lower case, part by part ("O'Neill", "Smith-Jones"),
    not "BiPAP" or "VASc"."""
    if word.istitle() or word.isupper() or word.islower():
        return True
    return all(
        not part or part.istitle() or part.isupper() or part.islower() or PREFIXED.match(part)
        for part in PARTS.split(word)
    )


PARTS = regex.compile(r"[-'’]")

PREFIXED = regex.compile(r"^(?:Mc|Mac|De|Di|La|Le)\p{Lu}\p{Ll}+$")


def acronym(word: str) -> bool:
    """An acronym ("SVG-PDA", "Post-ROSC", "ICU"): a part in capitals of four letters or fewer."""
    return any(p.isupper() and len(p) <= 4 for p in ACRONYM_PARTS.split(word) if p)


ACRONYM_PARTS = regex.compile(r"[-/]")


def vocab(low: str) -> bool:
    """Clinical or English vocabulary, and so no name without context. Philter's list holds
    some given names ("mary", "jacob"); those stay names unless also a verb or an adjective
    ("mark", "sandy") or a function word ("will")."""
    if UNIT_NAME.match(low) or drug(low):
        return True  # "NSICU", "TICU", "amp-sulbactam"
    if low not in lexicon.clinical_words():
        return low.endswith("s") and low[:-1] in lexicon.clinical_words()  # "miles", "tanks"
    if low in shorthand.ABBREVIATIONS or low in shorthand.SETTINGS or low in lexicon.drug_names():
        return True
    return low not in lexicon.given_names() or low in lexicon.ordinary_words() or low in STOP_WORDS


def in_dict(low: str) -> bool:
    """In the census lists; every part of a double name ("smith-jones", not "wc-bound")."""
    parts = [p for p in low.split("-") if len(p) > 1]
    return bool(parts) and all(p in lexicon.given_names() or p in lexicon.surnames() for p in parts)


# Things named after a place or a person: a herb, a food, an illness. The name in them
# identifies no one, and fictionalised it garbled the advice ("Larchmere Falls John's wort
# can make birth control pills less effective").
NAMED_THINGS = regex.compile(
    r"(?i)\b(?:st\.?|saint)\s+john['’]?s\s+wort|rocky\s+mountain\s+spotted\s+fever|epsom\s+"
    r"salts?|dijon\s+mustard|brussels?\s+sprouts?|west\s+nile(?:\s+(?:virus|fever))?|lyme\s+"
    r"disease|norwalk\s+virus|coxsackie(?:\s*virus)?|spanish\s+flu|german\s+measles|petri\s+"
    r"dish(?:es)?|tommy\s+john\s+surgery|pap\s+(?:smear|test)|ace\s+(?:bandage|wrap)|"
    r"mediterranean\s+diet|greek\s+yogh?urt|swiss\s+cheese|french\s+fries|turkey\s+(?:sandwich|"
    r"bacon|burger)|hawaiian\s+pizza|rome\s+(?:i{1,3}|iv|[1-4])\b(?:\s+criteria)?|san\s+francisco\s+"
    r"syncope\s+rule|ottawa\s+(?:ankle|knee|subarachnoid)(?:\s+\w+)?\s+rules?|canadian\s+"
    r"(?:c-?spine|ct\s+head)\s+rules?|new\s+york\s+heart\s+association|framingham\s+(?:risk|score|heart)"
)
