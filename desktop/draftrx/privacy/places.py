"""Places smaller than a state: streets and addresses, ZIP codes, towns and counties,
hospitals, clinics, schools and other named facilities.

Notes are often typed without capitals, so a town or a hospital is also found by what comes
before it ("lives in westfield", "transfer to gh", "followed at brookhaven"), and clinical
shorthand that GeoNames happens to list ("ECHO", "FOLEY", "OSH") is not taken for a place.
"""

from __future__ import annotations

from functools import lru_cache

import regex
from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.en.stop_words import STOP_WORDS

from draftrx.privacy import lexicon, shorthand
from draftrx.privacy.name_words import EPONYM_NOUNS, TITLES
from draftrx.privacy.rules import Rule, RuleRecognizer, rx, word_after, words_before

_CAP = r"(?:\p{Lu}[\p{L}'’&-]*|\p{Lu}\.|St\.|Mt\.|\d+(?i:st|nd|rd|th))"
_STREET_WORDS = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    "|Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Trail|Trl|Hollow|Row|Alley"
    "|Loop|Pike|Crescent|Close|Gardens|Walk"
)
# As written, or in a note typed in capitals ("1820 WOODLAND AVE").
# In capitals "DR. SMITH" and "ST. LUKE'S" are a doctor and a saint, not a street.
_STREET = (
    rf"(?:(?:{_STREET_WORDS})\b(?!\.\s+\p{{Lu}}\p{{Ll}})|(?:DR|ST)\b(?!\.?\s+\p{{Lu}})"
    rf"|(?:{_STREET_WORDS.upper()})\b)\.?"
)
# In lower case the street word must be one no dose or unit can be: "27 quarry rd".
_STREET_LOWER = r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|court|ct|way|terrace|circle|highway|hwy|parkway|pkwy|trail)"
_UNIT = r"(?:,?\s+(?i:apt|apartment|unit|suite|ste|flat|\#)\.?\s*\#?\s*[\w-]+)?"
_FACILITY = (
    r"(?:Hospital|Medical\sCent(?:er|re)|Health\sCent(?:er|re)|Clinic|Nursing\sHome|Care\sCent(?:er|re)"
    r"|Rehab(?:ilitation)?(?:\sCent(?:er|re))?|Hospice|Urgent\sCare|Infirmary|Memorial|General"
    r"|Children'?s|Health\sSystem|Healthcare|Health|Surgery\sCent(?:er|re)|Assisted\sLiving"
    r"|Senior\sLiving|Pharmacy|Elementary(?:\sSchool)?|Middle\sSchool|High\sSchool|Academy"
    r"|University|College|Church|Manor|Retirement\sHome|Care\sHome|Family\sMedicine|Pediatrics"
    r"|Medical\sGroup|Dialysis(?:\sCent(?:er|re))?|Cancer\sCent(?:er|re)|Institute|Prison"
    r"|Correctional\sFacility|Shelter)"
)
# "In Mercy Hospital, ..." at a sentence start: the facility starts after the preposition.
_PREPOSITIONS = {"in", "at", "from", "to", "near", "of", "on", "by", "into", "inside", "outside",
                 "around", "across", "for", "with"}  # fmt: skip
_NOT_PREP = rf"(?!(?i:{'|'.join(sorted(_PREPOSITIONS))})\b)"
_NOT_QUALIFIER = {
    "home",
    "medicare",
    "medicaid",
    "device",
    "the",
    "our",
    "my",
    "a",
    "an",
    "this",
    "that",
    "their",
    "his",
    "her",
    "your",
    "general",
    "public",
    "local",
    "community",
    "county",
    "state",
    "city",
}
_PLACE_PREP = {
    "in",
    "from",
    "near",
    "to",
    "outside",
    "around",
    "of",
    "at",
    "toward",
    "towards",
    "via",
    "into",
    "out",
    "lives",
    "moved",
    "visiting",
    "between",
}
_PLACE_SUFFIX = regex.compile(
    r"(?i)(?:\s(?:Creek|Falls|Springs|Heights|Valley|Hills|Park|Beach|City|Town|Township|County"
    r"|Village|Lake|Harbou?r|Bay|Ridge|Grove|Point|Junction|Crossing|Station|Mills?|Glen|Hollow)"
    r"|(?:ville|burg|burgh|borough|boro|ton|field|wood|ford|port|dale|brook|mouth|haven|view"
    r"|chester|minster|land|bury|ham|stead|worth|by|wick))$"
)
_PHRASE = regex.compile(r"(?<![\p{L}\p{N}'’.-])\p{Lu}[\p{L}'’.-]*(?:[ -]\p{Lu}[\p{L}'’.-]*){0,2}")


_STATE_ABBR = (
    r"AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    r"|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)


def _street(text: str, m: regex.Match[str]) -> bool:
    """ "1820 WOODLAND AVE", not "PS 10/5 IN AM PER DR OKAFOR"."""
    return not any(w.lower() in STOP_WORDS for w in m.group().split()[1:-1])


def _lower_street(text: str, m: regex.Match[str]) -> bool:
    """ "27 quarry rd", not "2 tabs st", "5 units lantus way" or "17 at st. aldhelm"."""
    words = m.group().split()[1:-1]
    units = any(w in lexicon.drug_names() or w in _UNIT_WORDS for w in words)
    return _street(text, m) and not units


_UNIT_WORDS = {"mg", "mcg", "g", "ml", "cc", "units", "u", "tabs", "tab", "puffs", "drops", "l",
               "min", "mins", "minute", "minutes", "hr", "hrs", "hour", "hours", "mile", "miles",
               "ft", "feet", "block", "blocks"}  # fmt: skip
_ADDRESS_BEFORE = regex.compile(
    rf"(?i)\b\d{{1,6}}\s+(?:[\p{{L}}'’.-]+\s+){{1,4}}(?:{_STREET_WORDS})\b"
)


def _lower_street_name(text: str, m: regex.Match[str]) -> bool:
    """ "on kessler ave", not "on iv st" or "at the way": a name, not shorthand."""
    words = m.group("s").split()
    first = words[1] if len(words) > 2 and len(words[0].rstrip(".")) == 1 else words[0]
    low = first.lower()
    return first[0].isdigit() or not (low in STOP_WORDS or low in shorthand.SETTINGS
                                      or low in shorthand.ABBREVIATIONS)  # fmt: skip


def _after_address(text: str, m: regex.Match[str]) -> bool:
    """A ZIP code after an address line: "88 Larkspur Ln Apt 3, Wendover 01852"."""
    return bool(_ADDRESS_BEFORE.search(text, max(0, m.start() - 70), m.start()))


def _address_town(text: str, m: regex.Match[str]) -> bool:
    return _after_address(text, m) and not _shorthand(m.group("c"), town_cue=True)


def _town_state(text: str, m: regex.Match[str]) -> bool:
    """ "Fall River, MA", not "DNR/DNI, OK" or "LASIX 20 IV BID, CT" (in capitals, a town
    GeoNames knows or a ZIP code after the state)."""
    town = m.group("c")
    if _shorthand(town):
        return False
    zip_after = regex.match(r"\.?\s+\d{5}\b", text[m.end() :])
    return not town.isupper() or town.lower() in lexicon.place_names() or bool(zip_after)


def _facility(text: str, m: regex.Match[str]) -> bool:
    first = m.group("q").split()[0].lower().strip(".")
    return first not in _NOT_QUALIFIER and word_after(text, m.end()) not in _INSURER


# Facility words as notes abbreviate them, in any case ("mercy hosp", "ST JUDE MED CTR").
_FACILITY_ANY_CASE = (
    r"(?:hosp|hospital|med(?:ical)?\.?\s+c(?:en)?t(?:e)?r|medical\s+cent(?:er|re)|nursing\s+home"
    r"|rehab(?:ilitation)?\s+(?:cent(?:er|re)|ctr|hosp(?:ital)?)|health\s+(?:cent(?:er|re)|ctr)"
    r"|memorial|mem|general|gen|rehab|hospice(?:\s+house)?|snf|family\s+(?:medicine|practice)"
    r"|pharmacy|manor|nursing\s+(?:and|&)\s+rehab(?:ilitation)?|health\s+(?:system|care)"
    r"|nursing\s+cent(?:er|re)|clinic|imaging|assoc(?:iates)?|urgent\s+care|dialysis"
    r"|medical\s+group|surgery\s+cent(?:er|re)|(?:cancer|heart|eye|kidney)\s+cent(?:er|re)"
    r"|home\s+infusion|infusion\s+(?:services|cent(?:er|re)|pharmacy)|home\s+health(?:\s+care)?"
    r"|home\s*care|visiting\s+nurses?|vna|assisted\s+living|nh|ltach?|labs?|psc|laboratory"
    r"|adult\s+day(?:\s+(?:center|centre|program|health))?|wellness|cardiology|oncology"
    r"|orthopa?edics|ortho|neurology|dermatology|urology|pediatrics|internal\s+medicine"
    r"|heart\s+(?:assoc(?:iates)?|&\s+vascular|and\s+vascular)|institute|shelter|pavilion"
    r"|drugs?|drugstore|parish|iop|specialty\s+hosp(?:ital)?|family\s+health|peds"
    r"|health\s+partners|diagnostics?|skilled\s+nursing(?:\s+facility)?|senior\s+living|detox"
    r"|community\s+health|regional|behavioral(?:\s+health)?|counseling|apothecary|otp"
    r"|surg(?:ical|ery)\s+(?:cent(?:er|re)|ctr)|care\s+(?:cent(?:er|re)|ctr)|home\s+medical"
    r"|(?:physical\s+)?therapy|o&p|prosthetics|funeral\s+home|episcopal|church|chapel"
    r"|daycare|day\s+care|childcare|preschool|montessori|library|bakery|bar|pub|restaurant|cafe"
    r"|diner|gym|athletics|fitness|hardware|printing|freight|transit|logistics|factory"
    r"|warehouse|foods|lutheran|baptist|methodist|catholic|presbyterian|synagogue|temple|mosque"
    r"|soup\s+kitchen|food\s+(?:bank|pantry)|dentistry|dental|midwifery|infusion"
    r"|sports\s+medicine|rehabilitation|recovery\s+(?:center|centre|house)|sober\s+house"
    r"|(?:treatment|wellness|recovery|community|senior|care)\s+(?:ctr|center|centre)|mission"
    r"|medical\s+supply|residential|authority|infirmary|tabernacle|cathedral|ministries"
    r"|elementary|(?:elementary|middle|high|primary|secondary|grade)\s+school|academy"
    r"|(?:birth|breast|sleep|vascular|access|imaging|surgical|wound|infusion|dialysis)\s+(?:center|centre|ctr)"
    r"|radiology(?:\s+partners)?"
    r"|family\s+(?:med|care))"
)
_CARE_VERB = (
    r"transfer(?:red|ring)?|xfer(?:red)?|xferred|tx'?d|taken|sent|brought|flown|transported"
    r"|followed|f/u|seen|arrived|came|coming|admitted|discharged|d/c'?d|d/c|dc'?d|presented"
    r"|referred|went|goes|going|moved|returned|return|accepted|works?|worked|employed"
    r"|cardiologist|pcp|physician|doctor|provider|specialist|surgeon|oncologist|prefers"
    r"|offered|bed|beds|placement|pharmacy|scripts?|rx|faxed|called|calling|outpatient|op"
    r"|referrals?|accepting|couriered|courier"
)


_ECG = {"elevation", "depression", "change", "segment", "wave", "abnormalitie", "interval",
        "inversion", "flattening", "morphology", "deviation"}  # fmt: skip


def _saint(text: str, m: regex.Match[str]) -> bool:
    """ "st joes", "St. Mary's": not "ST elevations" or "st changes"."""
    word = m.group("n").lower()
    return word not in _ECG and word not in lexicon.ordinary_words() and _naming(word)


def _facility_any_case(text: str, raw: list[str], facility: str, end: int) -> bool:
    """ "mercy hosp", "VALLEY CREST HOSPICE", "coldwater community hosp": a qualifier with a
    word that names, not "home hospice", "the outside hosp", "CVA rehab" or "gave general"
    (and no insurer: "Harbor Health Plan")."""
    raw = [regex.sub(r"['’]s$", "", w.strip(".")) for w in raw]
    words = [w.lower() for w in raw]
    if any(w in STOP_WORDS or w in _PEOPLE for w in words) or _verb_form(words[0]):
        return False  # "Wife asking about rehab", "pt's pharmacy", "Asked dialysis"
    if words[0] in _NOT_QUALIFIER or word_after(text, end) in _INSURER:
        return False
    before = text[: end - len(facility) - len(" ".join(raw)) - 1]
    if words[0] in lexicon.verbs() and not raw[0].istitle() and regex.search(r"(?i)\bto\s+$", before):
        return False  # "TO CHOOSE FUNERAL HOME", "family to choose funeral home"
    named_after = bool(_NAMED_AFTER.search(before))
    if any(w in _DESCRIPTIVE for w in words):
        return False  # "at a retail pharmacy", "the nearest urgent care"
    if _TIME_WORD.match(words[0]) or (
        raw[0].islower() and words[0] in lexicon.ordinary_words()
        and not (named_after and not _verb_form(words[0]))
    ):
        return False  # "later urgent care", "Thursday clinic"; "from sunrise senior living"
    saints = {"st", "saint", "mt", "mount"}
    names = [(w, r) for w, r in zip(words, raw, strict=True)
             if w not in saints and not _generic(w)]  # fmt: skip
    if not names:
        return False
    if facility.split()[-1].lower() not in _WEAK_FACILITY:
        if all(r.isupper() for r in raw) and facility.isupper():
            return True
        return any(not (r.isupper() and len(r) <= 4 and w in lexicon.clinical_words())
                   and (r[:1].isupper() or w not in lexicon.drug_names()) for w, r in names)  # fmt: skip
    if all(r.istitle() for r in raw) and not facility.isupper() and not _opens(text, end, raw[0]):
        return True  # "Marrow Valley Kidney Associates": capitals in ordinary writing
    if named_after:
        return True  # "at riverside neuro assoc", "AT SHORE MEDICAL IMAGING": named where one goes
    return any(w not in lexicon.clinical_words() or w in lexicon.given_names() for w, _ in names)


# Words after which a facility's own name comes: "at", "attends", "works for".
_NAMED_AFTER = regex.compile(r"(?i)\b(?:at|from|to|into|via|attends|attending|for|employed\s+by"
                             r"|volunteers?\s+(?:at|with))\s+$")


def _opens(text: str, end: int, first: str) -> bool:
    """Whether the phrase ending at `end`, from `first`, opens its sentence: a capital there
    is no evidence ("Device clinic")."""
    sentence = regex.split(r"[.!?:;]\s|\n", text[:end])[-1].lstrip(" -•*(")
    return sentence.startswith(first)


def _verb_form(word: str) -> bool:
    """ "asked", "needs", "gave": a verb before a facility word tells what was done there."""
    return lexicon.is_inflection(word) and not word.endswith(("er", "est"))


_INSURER = {"plan", "plans", "insurance", "partners"}
# What a facility word is said to be, not its name: "at a retail pharmacy".
_DESCRIPTIVE = {"retail", "mail", "order", "mail-order", "walk-in", "specialty", "satellite",
                "compounding", "affiliated", "partner", "same", "nearest", "nearby", "closest",
                "usual", "regular", "new", "old", "previous", "prior", "former", "current",
                "different", "another", "other", "any", "each", "every", "big", "small", "large",
                "busy", "free", "low-cost", "private", "public", "rural", "urban", "academic",
                "teaching", "tertiary", "main", "central", "closer", "preferred", "his", "her",
                "their", "our", "my", "your", "24-hour", "24h", "overnight", "weekend", "evening",
                "online", "virtual", "mobile", "sleep", "home", "outside", "local", "dialysis",
                "financial", "anticoag", "anticoagulation", "coumadin", "warfarin", "id", "gi",
                "wound", "lipid", "diabetes", "memory", "pain", "travel", "transplant",
                "fertility", "allergy", "asthma", "hf", "chf", "ckd", "hiv", "std", "sti",
                "prenatal", "ob", "peds", "walk", "pulmonary", "renal", "liver", "headache",
                "spine", "meaningful", "full", "partial", "complete", "grief", "family",
                "marriage", "couples", "group", "individual", "addiction", "substance"}  # fmt: skip
_TIME_WORD = regex.compile(
    r"(?i)^(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?|today|tomorrow"
    r"|tonight|weekend|morning|evening|night|annual|weekly|monthly|daily|next|last)$"
)
_FACILITY_WORD = regex.compile(rf"(?i)\b{_FACILITY_ANY_CASE}\b")
_QUALIFIER_WORD = regex.compile(r"\p{L}[\p{L}'’&.-]*")
_DOTTED_PLACE = {"st.", "mt.", "ste."}


def _any_case_facilities(text: str):
    """Facilities however typed: the facility word, then the one to three words before it
    that name it, the longest that passes (`_facility_any_case`)."""
    for m in _FACILITY_WORD.finditer(text):
        words = list(_QUALIFIER_WORD.finditer(text, max(0, m.start() - 60), m.start()))[-4:]
        run: list[regex.Match[str]] = []
        for w in reversed(words):  # the words right before, joined by single spaces
            after = run[0].start() if run else m.start()
            ends_sentence = w.group().endswith(".") and w.group().lower() not in _DOTTED_PLACE
            if text[w.end() : after] != " " or w.group().lower() in _PREPOSITIONS or ends_sentence:
                break
            run.insert(0, w)
        saint = bool(run) and run[0].group().lower().rstrip(".") in {"st", "saint", "mt", "mount"}
        for k in range(min(len(run), 3 + saint), 0, -1):
            chosen = run[-k:]
            raw = [w.group() for w in chosen]
            if _facility_any_case(text, raw, m.group(), m.end()):
                yield RecognizerResult("FACILITY", chosen[0].start(), m.end(), 0.86)
                break


_PEOPLE = {"wife", "husband", "son", "daughter", "dtr", "pt", "patient", "family", "mother",
           "father", "mom", "dad", "sister", "brother", "asking", "discussed", "discuss",
           "friend", "niece", "nephew", "aunt", "uncle", "cousin", "neighbor", "neighbour",
           "grandson", "granddaughter", "boyfriend", "girlfriend", "partner"}  # fmt: skip


def _generic(word: str) -> bool:
    return word in shorthand.SETTINGS or word in _NOT_QUALIFIER or word in STOP_WORDS


# Facility words that are ordinary words too: the name must be no clinical word.
_WEAK_FACILITY = {"general", "gen", "memorial", "mem", "snf", "clinic", "imaging", "assoc",
                  "associates", "pharmacy", "nh", "ltac", "ltach", "lab", "labs", "laboratory",
                  "wellness", "cardiology", "oncology", "orthopedics", "orthopaedics", "ortho",
                  "neurology", "dermatology", "urology", "pediatrics", "vna", "psc", "pavilion",
                  "drug", "drugs", "drugstore", "parish", "iop", "institute", "shelter", "peds",
                  "diagnostic", "diagnostics", "detox", "regional", "behavioral", "counseling",
                  "apothecary", "otp", "therapy", "physical therapy", "church", "chapel",
                  "episcopal", "prosthetics", "daycare", "day care", "childcare", "preschool",
                  "montessori", "library", "bakery", "bar", "pub", "restaurant", "cafe", "diner",
                  "gym", "athletics", "fitness", "hardware", "printing", "freight", "transit",
                  "logistics", "factory", "warehouse", "foods", "lutheran", "baptist",
                  "methodist", "catholic", "presbyterian", "synagogue", "temple", "mosque",
                  "dentistry", "dental", "midwifery", "infusion", "rehabilitation", "mission",
                  "residential", "authority", "tabernacle", "cathedral", "ministries",
                  "elementary", "academy", "radiology"}  # fmt: skip


def _naming(word: str) -> bool:
    """A word that can name a facility: not a setting, not a verb or a function word."""
    return (word not in shorthand.SETTINGS and word not in _NOT_QUALIFIER
            and word not in lexicon.ordinary_words() and word not in _PLACE_PREP)  # fmt: skip


def _hospital_initials(text: str, m: regex.Match[str]) -> bool:
    """ "at MVMC", "w/ GCH case manager", not "in SAH" or "to ICH". Philter's vocabulary
    holds most three-letter strings ("hmc", "mch", "gsh"), so only the clinical initials
    that end like a hospital's are kept out."""
    low = m.group("f").lower()
    if low in _CLINICAL_INITIALS or low in lexicon.drug_names() or _shorthand_word(low):
        return False
    return lexicon.zipf(low) < 3.0 and low not in lexicon.ordinary_words()  # not "reach"


def _shorthand_word(low: str) -> bool:
    return low in shorthand.SETTINGS or low in shorthand.ABBREVIATIONS or low in STOP_WORDS


# Clinical abbreviations shaped like a hospital's initials, seen after "in", "to", "with".
_CLINICAL_INITIALS = {
    "ich", "sah", "sdh", "edh", "ivh", "iph", "bph", "lvh", "rvh", "pph", "nph", "avh", "lph",
    "hh", "pmh", "fh", "sh", "hph", "dh", "uh", "ah", "oh", "eh", "mh", "ch", "rh", "gh",
    "pah", "cah", "sch", "tch", "ldh", "tsh", "fsh", "acth", "adh", "pth", "hch", "etoh", "rph",
}  # fmt: skip


def _town_department(text: str, m: regex.Match[str]) -> bool:
    """ "westbury pd", not "per pd" or "notified the police"."""
    town = m.group("t")
    last = town.split()[-1]
    if town.lower() in lexicon.place_names():
        return True
    return not (_shorthand(last) or last.lower() in lexicon.ordinary_words())


def _prefixed_town(text: str, m: regex.Match[str]) -> bool:
    """ "north verlow", not "new onset" or "lower extremity"."""
    second = m.group("t").split()[-1].lower()
    if m.group("t").lower() in lexicon.place_names():
        return True
    return not (second in lexicon.clinical_words() or second in lexicon.ordinary_words()
                or second in STOP_WORDS or lexicon.is_inflection(second))  # fmt: skip


_SPECIALTY = regex.compile(r"(?:olog\w*|iatry|iatrics|ics?|surgery|graphy|scopy|gram|ectomy"
                           r"|otomy|plasty|ist|ists|ery|ward|unit)$")  # and "hyperbaric"


def _after_care_verb(text: str, m: regex.Match[str]) -> bool:
    """ "transfer to gh", "followed at brookhaven": a short name or an abbreviation."""
    words = m.group("f").split()
    first = regex.sub(r"['’]s$", "", words[0].lower())
    if first in _PEOPLE:
        return False  # "moved to brother's home"
    abbreviation = len(first) <= 4 and first.isalpha() and first not in shorthand.ABBREVIATIONS
    # "faxed to pinewood", "RETURN TO ROSEWOOD": a rare word, not a specialty ("referred to
    # physiatry") nor a short one GeoNames lacks.
    rare = (lexicon.zipf(first) < 3.0 and first not in lexicon.drug_names()
            and not _SPECIALTY.search(first) and not _shorthand_word(first)
            and (first in lexicon.place_names() or lexicon.zipf(first) < 1.0
                 or len(first) > 5))  # fmt: skip
    if not _naming(first) or (first in lexicon.clinical_words() and not (abbreviation or rare)):
        return False
    return lexicon.zipf(first) < 4.0


RULES = [
    Rule("ADDRESS", rx(rf"\b\d{{1,6}}\s+(?:{_CAP}\s+){{1,4}}{_STREET}{_UNIT}"), 0.9, check=_street),
    Rule("ADDRESS", rx(rf"\b(?i:on|off|at|near|along|of)\s+(?P<s>(?:{_CAP}\s+){{1,3}}{_STREET})"), 0.85, group="s", check=_street),
    Rule("ADDRESS", rx(rf"\b\d{{1,6}}\s+(?:\p{{Ll}}[\p{{Ll}}'’-]+\s+){{1,3}}{_STREET_LOWER}\b{_UNIT}"), 0.8, check=_lower_street),
    Rule("ZIP", rx(r"(?<![\w-])\d{5}(?:-\d{4})?(?![\w-])"), 0.8, check=_after_address),
    # The town of an address line: "88 Quarry Rd, Belden 05732", "22 PELHAM RD, SAUGUS MA".
    Rule("LOCATION", rx(rf"(?<=,\s)(?P<c>\p{{L}}[\p{{L}}'’.-]+(?:\s\p{{L}}[\p{{L}}'’.-]+){{0,2}}?)(?=,?\s+(?:(?i:{_STATE_ABBR})\.?\s+)?\d{{5}}\b|,?\s+(?:{_STATE_ABBR})\b)"), 0.8, group="c", check=_address_town),
    Rule("ADDRESS", rx(r"\b(?i:Route|Rte|County\sRoad|State\sRoute|Highway|Hwy)\s?\d{1,4}\b"), 0.8),
    # A street typed in lower case after a place word: "daycare on kessler ave", "on 5th & birch".
    Rule("ADDRESS", rx(rf"\b(?i:on|off|at|near)\s+(?P<s>(?:(?i:[nsew]\.?)\s+)?(?:\p{{L}}[\p{{L}}'’-]+|\d+(?i:st|nd|rd|th)(?:\s+&\s+\p{{L}}+)?)(?:\s+(?i:{_STREET_LOWER})\b|(?<=&\s+\p{{L}}+)))"), 0.85, group="s", check=_lower_street_name),
    # "SR 70" and "CR 2" are a rhythm and a creatinine unless a road is meant: "off CR 2".
    Rule("ADDRESS", rx(r"\b(?i:on|off|at|near|along|via|down|up|onto)\s+(?P<r>(?:CR|SR)\s?\d{1,4})\b"), 0.8, group="r"),
    Rule("ADDRESS", rx(r"\b(?i:p\.?\s?o\.?\s+box)\s+\d+\b"), 0.9),
    Rule("ZIP", rx(rf"(?<=\b(?:{_STATE_ABBR})\.?\s+)\d{{5}}(?:-\d{{4}})?\b"), 0.9),
    Rule("ZIP", rx(r"\b(?i:zip(?:\scode)?|postcode|postal\scode)\s*:?\s*(?P<z>\d{5}(?:-\d{4})?)\b"), 0.9, group="z"),
    Rule("ZIP", rx(r"(?<![\w-])\d{5}(?=\s+(?i:zip|area|postcode)\b)"), 0.85),  # "43207 zip code folks"
    # Canadian and UK postcodes: "ON M6S 1P5", "SW1A 1AA".
    Rule("ZIP", rx(r"(?<![\w-])(?:[A-Z]\d[A-Z]\s\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})(?![\w-])"), 0.8),
    Rule("LOCATION", rx(rf"\b(?P<c>\p{{Lu}}[\p{{L}}'’.-]+(?:[ -]\p{{Lu}}[\p{{L}}'’.-]+){{0,2}}),\s+(?:{_STATE_ABBR})\b"), 0.85, group="c", check=_town_state),
    Rule("FACILITY", rx(rf"(?<!#)\b(?P<q>(?:(?:St\.?|Saint|Mt\.?|Mount)\s+)?(?:{_NOT_PREP}{_CAP}[ \t]+){{1,4}}){_FACILITY}\b"), 0.85, check=_facility),
    Rule("FACILITY", rx(r"\b(?:St\.?|Saint)\s+\p{Lu}\p{L}+(?:'s|’s)(?!\s+(?i:disease|syndrome|dance|wort))"), 0.8),
    # "the royal infirmary", "at the Royal Brisbane": hospitals in the UK and Australia.
    Rule("FACILITY", rx(r"\b(?i:the\s+royal)\s+(?!(?i:family|baby|wedding|mail|navy|marines|visit|we)\b)(?P<f>\p{L}+)"), 0.8),
    Rule("FACILITY", rx(r"\b(?i:st\.?|saint)\s+(?P<n>\p{L}+?)(?i:'s|’s|s)\b"), 0.75, check=_saint),
    Rule("FACILITY", rx(r"\b(?i:at|from|to)\s+(?P<f>(?i:st\.?|saint)\s+\p{Lu}\p{L}+)"), 0.75, group="f"),
    # A hospital by its initials after a place word: "at MVMC", "to NUH", "at sbh".
    Rule("FACILITY", rx(r"(?:\b(?i:at|to|from|in|into|via|per|with|call|called)|(?i:w/))\s+(?P<f>(?i:[a-z]{1,3}(?:mc|h|mh|gh|rh|ch|uh|rmc)))\b"), 0.7, group="f", check=_hospital_initials),
    # ... or before its staff, records or services: "BCH MRN", "PHH RN", "GSH case manager".
    Rule("FACILITY", rx(r"\b(?P<f>[A-Z]{1,3}(?:MC|H|MH|GH|RH|CH|UH|RMC))\s+(?:RN|NP|MD|SW|CM|MRN|ED|ER|CASE\s+MANAGER|RECORDS|OFFICE|SERVICES|INTAKE|ADMISSIONS)\b"), 0.7, group="f", check=_hospital_initials),
    # A town's police or fire department: "bib westbury pd", "ORCHARD HEIGHTS PD".
    Rule("LOCATION", rx(r"\b(?P<t>\p{L}[\p{L}'’-]+(?:\s\p{L}[\p{L}'’-]+)?)\s+(?i:pd|police|fd|fire\s+dep(?:t|artment)|ems)\b"), 0.75, group="t", check=_town_department),
    Rule("LOCATION", rx(r"\b(?i:by|bib|per|from|called|w/)\s+(?P<t>\p{L}[\p{L}'’-]+)\s+(?i:pd|police|fd|fire\s+dep(?:t|artment)|ems)\b"), 0.75, group="t", check=_town_department),
    # A visiting-nurse or elder-services agency named for its area: "VNA of Boston".
    Rule("FACILITY", rx(r"\b(?:(?i:vna|visiting\s+nurses?\s+(?:association|service)|elder\s+services|home\s+care|hospice)\s+(?i:of)\s+(?:(?i:the)\s+)?\p{Lu}[\p{L}'’.-]*(?:\s\p{Lu}[\p{L}'’.-]*){0,2})"), 0.8),
    # A town by its prefix after a word that places someone: "from NEW BALFOUR", "in north verlow".
    Rule("LOCATION", rx(r"\b(?i:in|from|near|outside|to)\s+(?P<t>(?i:new|north|south|east|west|port|fort|mount|mt\.?|lake|glen|upper|lower|old|little|great)\s+\p{L}[\p{L}'’-]+)"), 0.75, group="t", check=_prefixed_town),
    Rule("FACILITY", rx(r"\b(?i:cvs|walgreens|rite\s?aid|duane\s+reade|walmart|costco|kroger|publix|safeway|meijer|wegmans)\b"), 0.75),
    # Companies that serve patients at home or by phone, and the largest employers: a note
    # names them as it names a hospital ("Lincare will deliver", "drawn at LabCorp").
    Rule("FACILITY", rx(r"(?<![\w-])(?i:quest(?:\s+diagnostics)?|labcorp|bioreference|lincare|apria|option\s+care|coram|rotech|adapthealth|optum\s?rx|express\s+scripts|caremark|accredo|visiting\s+angels|comfort\s+keepers|brightstar(?:\s+care)?|amedisys|bayada|interim\s+health\s?care|home\s+instead|medline|pharmerica|omnicare|cyracom|pacific\s+interpreters|modivcare|logisticare|medicab|stop\s+(?:&|and)\s+shop|fedex|amazon)\b|\bUPS\b"), 0.75),
    Rule("FACILITY", rx(rf"(?i)\b(?:{_CARE_VERB})\s+(?:to|from|at|into|in|by)\s+(?:the\s+)?(?P<f>[\p{{L}}][\p{{L}}'’&-]*(?:\s+(?!(?i:w/))[\p{{L}}][\p{{L}}'’&-]*)?)"), 0.75, group="f", check=_after_care_verb),
]  # fmt: skip


_STRONG_CUE = regex.compile(
    r"(?i)\b(?:(?:lives?|lived|living|resides?|resided|residing|moved|relocated|stays?|staying"
    r"|home|house|born|raised|native|grew\s+up)(?:\s+(?:alone|w/|with|\w+)){0,2}\s+(?:in|to|from"
    r"|of|near|outside|back\s+to)|visiting)\s+$"
)
_LOWER_PLACE = regex.compile(r"(?<![\p{L}\p{N}])\p{Ll}[\p{Ll}'’.-]+(?:\s\p{Ll}[\p{Ll}'’.-]+){0,2}")


def _strong_cue(text: str, start: int) -> bool:
    """Whether the words before say someone lives or comes from there ("lives in ...")."""
    return bool(_STRONG_CUE.search(text, max(0, start - 30), start))


class PlaceRecognizer(RuleRecognizer):
    """The rules above, plus town and county names from the GeoNames gazetteer."""

    def __init__(self) -> None:
        super().__init__("places", RULES)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [*super().analyze(text, entities, nlp_artifacts), *self._gazetteer(text),
                *self._lower_case(text), *_any_case_facilities(text), *_where_one_lives(text),
                *_workplaces(text), *_hashtag_towns(text)]  # fmt: skip

    def _gazetteer(self, text: str):
        places = lexicon.place_names()
        excluded = lexicon.states_and_countries()
        for m in _PHRASE.finditer(text, overlapped=True):
            if word_after(text, m.end()) in EPONYM_NOUNS:
                continue  # Erdheim-Chester disease, Lyme disease
            words = _one_sentence(m.group().split())
            strong = _strong_cue(text, m.start())
            # Try the longest run first: "Cedar Rapids" before "Cedar".
            for n in range(len(words), 0, -1):
                phrase = " ".join(words[:n]).rstrip(".'’")
                low = phrase.lower()
                if low in excluded:
                    break
                start = m.start()
                end = start + len(phrase)
                prep = words_before(text, start, 1)
                after_prep = bool(prep) and prep[0] in _PLACE_PREP
                town_cue = bool(prep) and prep[0] in _TOWN_PREP
                if n == 1 and not strong and _shorthand(phrase, after_prep, town_cue):
                    continue  # ECHO, FOLEY, "came from OSH", "Para 2/16"
                if n == 1 and not (after_prep or strong) and _upper_line(text, start):
                    continue  # a note in capitals: "INSURANCE HARVARD PILGRIM"
                if n == 1 and (low in _COMPASS or low in TITLES):
                    continue  # "moved to 4 WEST", "released to Officer Trujillo"
                acronym = phrase.isupper() and len(phrase) <= 5
                if (
                    n == 1
                    and (strong or (town_cue and not acronym))
                    and _unknown(low)
                    and (not _named_before(text, start))
                ):
                    yield RecognizerResult("LOCATION", start, end, 0.6)
                    break  # "from Glenbrook": an unknown word where a town goes
                if _gazetteer_name(low) in places and (after_prep or strong or n > 1
                                                       or not lexicon.is_common_word(low)):  # fmt: skip
                    yield RecognizerResult("LOCATION", start, end, 0.85 if after_prep else 0.6)
                    break
                after_address = text[start - 2 : start] == ", " and _after_address(text, m)
                spaced = (m2 := _PLACE_SUFFIX.search(phrase)) is not None and " " in m2.group()
                if (n == len(words) and m2
                        and ((after_prep and (spaced or not phrase.isupper())) or after_address)):  # fmt: skip
                    # "from Harlow Creek": a separate geographic word outweighs a name.
                    yield RecognizerResult(
                        "LOCATION", start, end, 0.9 if " " in m2.group() else 0.7
                    )
                    break

    def _lower_case(self, text: str):
        """Towns typed in lower case, after a word that places someone: "lives in westfield",
        "from springfield" (the weaker cue needs a word that is no clinical vocabulary)."""
        places = lexicon.place_names()
        excluded = lexicon.states_and_countries()
        for m in _LOWER_PLACE.finditer(text, overlapped=True):
            prep = words_before(text, m.start(), 1)
            strong = _strong_cue(text, m.start())
            after_comma = text[max(0, m.start() - 2) : m.start()] == ", "
            if not strong and not after_comma and not (prep and prep[0] in _PLACE_PREP):
                continue
            words = m.group().split()
            first = words[0].rstrip(".'’")
            if (
                len(words) > 1
                and (suffix := _PLACE_SUFFIX.search(" ".join(words[:2])))
                and (" " in suffix.group() and not _shorthand(first))
            ):
                # a second word that is a place word: "marlowe heights", "cranston heights"
                yield RecognizerResult(
                    "LOCATION", m.start(), m.start() + len(" ".join(words[:2])), 0.7
                )
                continue
            town_cue = strong or (bool(prep) and prep[0] in _TOWN_PREP)
            if town_cue and _unknown(first) and not _named_before(text, m.start()):
                yield RecognizerResult("LOCATION", m.start(), m.start() + len(first), 0.7)
                continue  # "at home in kellerton", "in glenbrook": no dictionary knows every town
            for n in range(len(words), 0, -1):
                low = " ".join(words[:n]).rstrip(".'’")
                if low in excluded or _gazetteer_name(low) not in places:
                    continue
                weak = not strong and not after_comma and prep[0] not in _TOWN_PREP
                town = prep[0] in _TOWN_PREP and lexicon.zipf(low) < 3.6 and len(low) > 4
                if n == 1 and (weak or low in STOP_WORDS or low in shorthand.SETTINGS or low in _COMPASS
                               or (not strong and (low in lexicon.ordinary_words()
                                                   or (low in lexicon.clinical_words() and not town)
                                                   or len(low) < 4))):  # fmt: skip
                    break
                yield RecognizerResult("LOCATION", m.start(), m.start() + len(low), 0.8)
                break


_COMPASS = {"north", "south", "east", "west", "central", "upper", "lower"}

# After "lives in", "at home in": a place, in any case, unless a kind of dwelling follows.
_RESIDENCE = regex.compile(
    r"(?i)\b(?:lives?|lived|living|resides?|residing|home|they\s+live)(?:\s+(?:alone|w/|with"
    r"|\w+)){0,2}\s+in\s+(?P<p>\p{L}[\p{L}'’.-]*(?:[ -]\p{L}[\p{L}'’-]*){0,2})"
)
_DWELLING = {"apartment", "apt", "house", "home", "trailer", "town", "city", "area", "car",
             "basement", "shelter", "condo", "unit", "room", "rural", "senior", "public",
             "subsidized", "section", "building", "motel", "hotel", "tent", "van", "camper",
             "ranch", "split", "colonial", "duplex", "triplex", "mobile", "single", "family",
             "bungalow", "cottage", "studio", "cabin", "farmhouse", "level", "story"}  # fmt: skip


# Where someone works or trains: "worked a double at good sam", "job at the va in chillicothe".
_WORKPLACE = regex.compile(
    r"(?i)\b(?:work(?:s|ed|ing)?|shifts?|double|job|residency|rotation|rotating|volunteer(?:s|ed|ing)?"
    r"|nursing|attending|intern(?:ship)?|fellowship|placement|practice|practicing|years|months"
    r"|career|retiring|retired|er|ed|icu|nicu|picu|opd|wards?|unit|theatres?|department|dept"
    r"|team|crew|staff|nurses|doctors|janitor|porter|cafeteria)\b[^.!?\n]{0,24}?"
    r"\bat\s+(?:the\s+)?(?P<f>\p{L}[\p{L}'’&-]*(?:[ \t]+\p{L}[\p{L}'’&-]*){0,2})"
)
_NOT_WORKPLACE = {"home", "work", "night", "nights", "least", "all", "once", "first", "last",
                  "times", "noon", "midnight", "bedside", "hospital", "clinic", "er", "ed", "icu",
                  "office", "same", "end", "start", "beginning", "moment", "time", "front",
                  "desk", "station", "peak", "risk", "this", "that", "my", "our", "your", "his",
                  "her", "their", "a", "an", "one", "two", "stake", "ease", "rest", "fault",
                  "large", "best", "worst", "most", "random", "heart", "hand", "bay", "capacity",
                  "baseline", "goal", "par", "odds", "play", "school", "church", "bedtime",
                  "lunch", "dinner", "breakfast", "shift", "change", "handoff", "walmart",
                  "length", "speed", "full", "half", "max", "minimum", "maximum", "rounds",
                  "huddle", "report", "conference", "meeting", "discharge", "admission",
                  "morning", "evening", "signout", "sign-out", "age", "ages"}  # fmt: skip


def _workplaces(text: str):
    """A place named where someone works or trains, whatever its case: the words up to a
    preposition or a function word ("summit health" in "at summit health in bend")."""
    for m in _WORKPLACE.finditer(text):
        words = []
        for word in m["f"].split():
            low = word.lower()
            if low in STOP_WORDS or low in _PLACE_PREP or low in _TIME_WORDS:
                break
            words.append(word)
        if not words or words[0].lower() in _NOT_WORKPLACE | shorthand.SETTINGS:
            continue
        the = m.group().lower().rsplit(" at ", 1)[-1].startswith("the ")
        if the and len(words) == 1 and words[0].islower() and lexicon.zipf(words[0]) >= 2.0:
            continue  # "work at the garage", "job at the cannery": a kind of place
        phrase = " ".join(words)
        yield RecognizerResult("FACILITY", m.start("f"), m.start("f") + len(phrase), 0.86)


_TIME_WORDS = {"today", "tonight", "yesterday", "tomorrow", "now", "rn", "lol", "btw", "tbh"}


def _hashtag_towns(text: str):
    """ "#seattle", "#ColumbusOhio": a town as a hashtag places the post."""
    places = lexicon.place_names()
    excluded = lexicon.states_and_countries()
    for m in regex.finditer(r"(?<!\w)#(?P<t>\p{L}{4,})", text):
        low = m["t"].lower()
        if low in places and low not in excluded and low not in lexicon.ordinary_words():
            yield RecognizerResult("LOCATION", m.start("t"), m.end("t"), 0.7)


def _where_one_lives(text: str):
    """ "lives in marlowe", "at home in Castle Fen", "HCP LIVES IN SAINT-ARMAND": where a
    person lives is a place whatever the word, unless it is a dwelling ("lives in a
    trailer") or a care setting ("lives in assisted living")."""
    for m in _RESIDENCE.finditer(text):
        words = []
        for word in m["p"].split():
            low = word.lower().rstrip(".'’")
            if (low in STOP_WORDS or low in shorthand.SETTINGS or low in _DWELLING
                    or low in lexicon.states_and_countries() or lexicon.zipf(low) >= 4.5):  # fmt: skip
                break
            words.append(word)
            if word.endswith("."):
                break
        phrase = " ".join(words).rstrip(".'’")
        after = regex.match(r"[ \t]+(\w+)", text[m.start("p") + len(phrase) :])
        common = phrase not in lexicon.place_names() and lexicon.zipf(phrase) >= 3.5
        if len(words) == 1 and phrase.islower() and common:
            continue  # "lives in denial", "living in poverty"
        if words and not (after and after.group(1).lower() in _DWELLING):
            yield RecognizerResult("LOCATION", m.start("p"), m.start("p") + len(phrase), 0.85)


_SAINT = regex.compile(r"^(?:(?P<s>st|ste)|mt)\.?\s+")


def _gazetteer_name(low: str) -> str:
    """GeoNames spells saints and mounts out: "st. johnsbury" is "saint johnsbury"."""
    if not low.startswith(("st", "mt")):
        return low
    return _SAINT.sub(lambda m: "saint " if m.group("s") else "mount ", low)


def _one_sentence(words: list[str]) -> list[str]:
    """The words up to one that ends a sentence: "Westfield. Mrs. Haverford" is two."""
    for n, word in enumerate(words[:-1]):
        dotted = word.lower() in _DOTTED_PLACE or word.lower().rstrip(".") in TITLES
        if word.endswith(".") and len(word) > 2 and not dotted:
            return words[: n + 1]
    return words


def _upper_line(text: str, at: int) -> bool:
    """Whether the line around `at` is written in capitals."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return _in_capitals(text[start : end if end >= 0 else len(text)])


@lru_cache(maxsize=256)
def _in_capitals(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8


_TOWN_PREP = {"in", "from", "near", "outside"}


def _named_before(text: str, start: int) -> bool:
    """ "call from okafor", "note from dr": a person, not a town, comes after these."""
    return bool(regex.search(r"(?i)\b(?:call|calls|called|note|msg|message|page|vm|text|email"
                             r"|dr|md|rn|np)\s+\w+\s+$", text[max(0, start - 30) : start]))  # fmt: skip


def _unknown(word: str) -> bool:
    """A word no dictionary knows: no English, no clinical shorthand, no drug."""
    low = word.lower()
    if low.endswith(_ENGLISH_ENDINGS) or "-" in low:
        return False  # "undervaccinated", "sugar-free": made of English, not a name
    return (len(low) > 3 and lexicon.zipf(low) < 2.0 and low not in lexicon.clinical_words()
            and low not in lexicon.drug_names() and low not in lexicon.ordinary_words())  # fmt: skip


_ENGLISH_ENDINGS = ("ed", "ing", "ly", "ness", "tion", "ity", "ous", "ive", "able", "ible", "ment")


def _shorthand(word: str, after_prep: bool = False, town_cue: bool = False) -> bool:
    """A capitalised word that is clinical shorthand or a function word, unless written as a
    name is after a place word ("from Echo"), or a longer word where a town is expected ("IN
    PORTSMOUTH", "88 PELHAM RD, SAUGUS": Philter's vocabulary holds some towns)."""
    low = word.lower()
    titled = word[:1].isupper() and word[1:].islower()
    if low in shorthand.SETTINGS or low in STOP_WORDS:
        return True
    if town_cue and len(low) > 4 and low not in lexicon.drug_names():
        return False
    return low in lexicon.clinical_words() and not (titled and after_prep)


recognizer = PlaceRecognizer()
