"""The finding types DraftRx knows, with the sentence that tells a physician why each matters.

Identifiers are the HIPAA Safe Harbor categories as they show up in free text; they are
replaced before the model sees a draft. Quasi-identifiers ("vague-posting" cues) are not
removed silently: the user is told the risk and decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    IDENTIFIER = "identifier"
    QUASI = "quasi"


@dataclass(frozen=True)
class FindingType:
    name: str
    kind: Kind
    label: str
    why: str


_TYPES = [
    FindingType("NAME", Kind.IDENTIFIER, "name",
                "A name, initials or handle can identify a patient, a relative or a colleague."),
    FindingType("ADDRESS", Kind.IDENTIFIER, "street address",
                "A street or address is a location far smaller than a state."),
    FindingType("LOCATION", Kind.IDENTIFIER, "town or city",
                "A town or county narrows the patient down to the people living there."),
    FindingType("FACILITY", Kind.IDENTIFIER, "hospital or clinic",
                "Naming the facility tells readers where the patient was treated."),
    FindingType("ZIP", Kind.IDENTIFIER, "ZIP code",
                "A ZIP code pins the patient to a few thousand households."),
    FindingType("DATE", Kind.IDENTIFIER, "date",
                "Any date element other than the year (day, month, weekday, holiday) can be "
                "matched to an admission or an event."),
    FindingType("AGE_90_PLUS", Kind.IDENTIFIER, "age over 89",
                "Ages over 89 are rare enough to identify; Safe Harbor groups them as 90 or "
                "older."),
    FindingType("PHONE", Kind.IDENTIFIER, "phone or fax number",
                "A phone or fax number leads straight to a person or household."),
    FindingType("EMAIL", Kind.IDENTIFIER, "e-mail address",
                "An e-mail address names its owner."),
    FindingType("SSN", Kind.IDENTIFIER, "social security number",
                "A social security number identifies one person."),
    FindingType("MRN", Kind.IDENTIFIER, "medical record number",
                "A record number links the post to one chart."),
    FindingType("HEALTH_PLAN", Kind.IDENTIFIER, "health-plan number",
                "An insurance or member number identifies one beneficiary."),
    FindingType("ACCOUNT", Kind.IDENTIFIER, "account number",
                "An account or card number identifies one person."),
    FindingType("LICENSE", Kind.IDENTIFIER, "licence number",
                "A licence or certificate number identifies one person."),
    FindingType("VEHICLE", Kind.IDENTIFIER, "vehicle plate",
                "A licence plate identifies a vehicle and its owner."),
    FindingType("DEVICE", Kind.IDENTIFIER, "device serial",
                "A device serial number is tied to the one patient who has the device."),
    FindingType("URL", Kind.IDENTIFIER, "web address",
                "A web address can point to a person, a chart or a private message."),
    FindingType("IP_ADDRESS", Kind.IDENTIFIER, "IP address",
                "An IP address can be traced to a household or a device."),
    FindingType("ROOM", Kind.IDENTIFIER, "room or bed",
                "A room or bed number lets colleagues and visitors tell who it was."),
    FindingType("ID", Kind.IDENTIFIER, "unique code",
                "A code like this is usually unique to one record or person."),
    FindingType("TIME_CUE", Kind.QUASI, "time cue",
                "Telling readers when it happened lets anyone who was there work out who it was."),
    FindingType("CARE_SETTING", Kind.QUASI, "specific unit",
                "Naming your own unit or clinic, with a time, points to a handful of patients."),
    FindingType("EVENT", Kind.QUASI, "unusual event or person",
                "A celebrity, a news story or a crash is recognisable to the people who saw it."),
    FindingType("OCCUPATION", Kind.QUASI, "occupation",
                "An occupation together with a place can narrow a patient down to a few people."),
    FindingType("RARE_CONDITION", Kind.QUASI, "rare condition",
                "A rare condition may affect only a few people in a region."),
    FindingType("AGE", Kind.QUASI, "exact age",
                "An exact age, with a place, a time or a rare condition, can single a patient "
                "out."),
]  # fmt: skip

TYPES: dict[str, FindingType] = {t.name: t for t in _TYPES}
IDENTIFIER_TYPES = frozenset(t.name for t in _TYPES if t.kind is Kind.IDENTIFIER)
QUASI_TYPES = frozenset(t.name for t in _TYPES if t.kind is Kind.QUASI)
