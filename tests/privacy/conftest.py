"""One scanner for the privacy tests (loading spaCy and the dictionaries takes a second)."""

from __future__ import annotations

import pytest

from draftrx.privacy.scanner import Scanner


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    s = Scanner()
    s.warm()
    return s
