"""Clinical shorthand that Philter's vocabulary (lexicon.clinical_words) leaves out or that
the rules need by role: where a patient goes or comes from without it naming a place.

Written for DraftRx from common US nursing, ICU and hospital-medicine abbreviations.
"""

from __future__ import annotations

# Care settings named generically: "came from OSH", "d/c to SNF", "transfer to floor".
SETTINGS = frozenset({
    "osh", "snf", "ltac", "ltach", "alf", "nh", "ecf", "icf", "ltc", "tcu", "sdu", "pcu", "imc",
    "icu", "micu", "sicu", "ccu", "cvicu", "cticu", "nicu", "picu", "neuro", "ed", "er", "or",
    "pacu", "ir", "cath", "lab", "ep", "endo", "gi", "home", "floor", "floors", "rehab", "ward",
    "unit", "hospice", "clinic", "office", "shelter", "jail", "prison", "ambulance", "ems",
    "triage", "trauma", "stepdown", "step-down", "tele", "telemetry", "psych", "bhu", "l&d",
    "ob", "mri", "ct", "xr", "radiology", "dialysis", "hd", "bed", "room", "bay", "hall",
    "outside", "another", "other", "same", "this", "that", "the", "a", "an", "our", "his", "her",
    "their", "him", "them", "us", "care", "acute", "subacute", "inpatient", "outpatient",
    "vent", "hosp", "hospital", "facility", "nursing", "assisted", "living", "group", "pt",
    "eval", "surgery", "pre-op", "preop", "post-op", "postop", "holding", "recovery", "bedside",
    "cardiac", "pulmonary", "pulm", "physical", "occupational", "short-term", "long-term", "day",
    "community", "rec", "ot", "respite", "residential", "detox", "geri", "geriatric", "adult",
    "pediatric", "peds", "chair", "van", "wheelchair", "medical", "private", "br", "bsc",
    "bathroom", "commode", "restroom", "shower", "pt's", "vna", "va", "hh", "hha", "skilled",
    "inpt", "outpt", "ip", "op", "iop", "php", "sar", "pcp", "admits", "admit", "idt", "pd",
})  # fmt: skip

# Abbreviations Philter's list lacks, seen in progress notes.
ABBREVIATIONS = frozenset({
    "ogt", "nsgy", "nsurg", "ctsurg", "vasc", "ortho", "uro", "gyn", "onc", "heme", "id",
    "renal", "pulm", "cards", "ho", "hos", "fhx", "shx", "pmhx", "pshx", "hpi", "ros", "a&o",
    "aox3", "aox4", "mae", "perrl", "perrla", "rrr", "ctab", "ntnd", "bs", "bsx4", "nabs",
    "hoh", "fent", "ota", "oob", "bair", "hugger", "rosc", "braden", "morse", "cpot",
    "rass", "ciwa", "cows", "nihss", "meld", "caprini", "picc", "cvc", "aline", "tlc", "art",
    "asa", "rue", "lue", "rle", "lle", "bue", "ble", "rn", "lpn", "cna", "pmh", "psh", "fh",
    "sh", "hx", "dx", "tx", "sx", "rx", "fx", "cc", "a/p", "s/p", "w/u", "f/u", "d/c",
    "pplat", "bfr", "tmrw", "tmw", "tomm", "br", "bsc", "ava", "lisa", "caller", "westley",
    "roc", "resus", "contin", "remi", "prop", "vec", "sux",
    # Without a capital to go by, a word no dictionary knows is taken for a name (names.py),
    # so the shorthand of nursing and ICU notes that Philter lacks is listed here.
    "molst", "polst", "serosang", "serosanguinous", "prvc", "lkw", "ccy", "bupi", "aldrete",
    "upt", "tazo", "qbl", "prec", "mitts", "masshealth", "lcws", "liws", "hfref", "hfpef",
    "hfmref", "folfox", "folfiri", "folfirinox", "bup", "bhb", "wknds", "wkends", "wknd",
    "wker", "vvi", "ddd", "tiva", "tinetti", "tici", "spica", "sevo", "sbar", "rsbi", "restr",
    "qft", "npwt", "nmbd", "niv", "msir", "lvo", "lvm", "lindegaard", "laa", "jxn", "indep",
    "ghtn", "fwf", "dobut", "dexmed", "dexmedetomidine", "cvvhdf", "cvvh", "caj", "adhf",
    "acomm", "pcomm", "accels", "decels", "abue", "glidescope", "dermabond", "biopatch",
    "bougie", "resmed", "neosure", "santyl", "trelegy", "tele-sitter", "lifeflight", "ecmo",
    "bipap", "cpap", "hfnc", "peg", "trach", "hemiwalker", "powerport", "portacath",
    "headstrike", "walkup", "abbrev", "urosource", "mhw", "cysto", "angio", "echo", "derm",
    "melanin", "ort",
    # Drugs as notes shorten them, and brands a drug list may lack.
    "sema", "dula", "tirz", "lira", "mica", "caspo", "vori", "posa", "doxy", "spiro", "furo",
    "amio", "metop", "carvedil", "vanc", "mero", "cefe", "azithro", "clinda", "dapto",
    "levoflox", "moxi", "roxanol", "roxi", "nexplanon", "mirena", "depo", "paxlovid",
    "ozempic", "wegovy", "mounjaro", "zepbound", "trulicity", "jardiance", "farxiga", "entresto",
    "eliquis", "xarelto", "narcan", "suboxone", "sublocade", "vivitrol",
    # Devices, studies and inhaler classes.
    "impella", "hsat", "psg", "laba", "lama", "saba", "ics", "maba", "cuffless", "cuffed",
    "pleurx", "dobhoff", "corpak", "yankauer", "hemovac", "shiley", "passy-muir", "omnipod",
    # The words of a note's paperwork, messages and staff.
    "opat", "edipi", "pgy", "lmom", "lmtcb", "neph", "extub", "reintub", "facesheet",
    "covermymeds", "allscripts", "cerner", "meditech", "ack", "eta", "shoutout", "mychart",
    "tbsa", "midaz", "lacrilube", "prevena", "popf", "ipu", "heliox", "imn", "phototx",
    "cardiohelp", "lifevest", "lada", "sensi", "pansens", "pansensitive", "tobii", "sosm",
    "uosm", "una", "endocatch", "prevalon", "cwocn", "woc", "wocn", "ltvv", "medflight",
    "nocturnist", "atty", "sbt", "biomed", "wound-vac", "kci", "mepilex", "allevyn", "aquacel",
    # Insurers, as a note names the plan.
    "bcbs", "aetna", "cigna", "humana", "wellcare", "uhc", "anthem", "centene",
    "ambetter", "tricare", "champva", "carefirst", "highmark", "premera",
})  # fmt: skip
