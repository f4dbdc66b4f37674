"""The scanner on clinical text: the issue's targets on the gold sets, and bad input."""

from __future__ import annotations

import itertools
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from draftrx.privacy.evaluate import evaluate, gold_sets, load
from draftrx.privacy.findings import Finding, resolve_overlaps
from draftrx.privacy.scanner import CHUNK, Scanner

SYNTH = Path(__file__).parents[3] / "shared/data/presidio-synth/synth_dataset_v2.json"


def kinds(scanner: Scanner, text: str) -> dict[str, str]:
    return {text[f.start : f.end]: f.type for f in scanner.scan(text)}


# Per gold set: identifier recall, name recall, identifier precision, quasi recall (None: the
# set marks no vague-posting cues). The floors are what the scanner reached, so a change that
# loses ground fails; the tagger trained on the dev sets, so theirs sit higher.
FLOORS = {
    "clinical_dev": (0.98, 0.99, 0.80, 0.90),
    "clinical_holdout": (0.98, 0.99, 0.80, 0.90),
    "notes_dev": (0.98, 0.99, 0.92, None),
    "notes_holdout": (0.98, 0.985, 0.94, None),
    "shorthand_dev": (0.98, 0.99, 0.97, None),
    "shorthand_holdout": (0.975, 0.98, 0.93, None),
    "social_dev": (0.95, 0.98, 0.92, None),
    "social_holdout": (0.89, 0.95, 0.92, None),
    "social2_holdout": (0.90, 0.89, 0.90, None),
}


def test_every_gold_set_has_its_floor() -> None:
    assert {p.stem for p in gold_sets()} == set(FLOORS)


@pytest.mark.parametrize("path", gold_sets(), ids=lambda p: p.stem)
def test_clinical_gold_targets(scanner: Scanner, path: Path) -> None:
    recall, names, precision, quasi = FLOORS[path.stem]
    report = evaluate(load(path), scanner, path.name)
    ids = report.identifiers
    assert ids.gold >= 60
    assert ids.recall >= recall, report.misses
    assert report.by_type["NAME"].recall >= names, report.misses
    assert ids.precision >= precision
    if quasi is not None:
        assert report.quasi.recall >= quasi, report.misses


@pytest.mark.skipif(not SYNTH.exists(), reason="../shared/data/presidio-synth not beside the repo")
def test_presidio_synth_is_scored_in_presidio_format(scanner: Scanner) -> None:
    report = evaluate(load(SYNTH), scanner, SYNTH.name)
    assert report.examples == 1500
    # General multilingual PII, not clinical text (states and countries unscored, as Safe
    # Harbor allows them): measured 0.796 / 0.959 (0.773 / 0.963 before the tagger).
    assert report.identifiers.recall >= 0.78
    assert report.identifiers.precision >= 0.95
    assert report.by_type["EMAIL"].recall == 1.0 and report.by_type["SSN"].recall == 1.0


def test_sign_out_lists_and_who_signed(scanner: Scanner) -> None:
    """A room opening a sign-out line, a surname before its given name, and initials where a
    note is signed or acknowledged; shorthand ending a line is no signature."""
    text = (
        "night sign out 7w\n- 4412 delacroix-moreau 71f chf, diuresing\n"
        "2. 3307 - HALVORSEN, INGRID 92 F - hip fx, post-orif, stable\n"
        "pt Banks, Tobias (acct 55120934) to cath lab\n"
        "family updated, will call in am. switched to po - iv\n- tq\n"
        "read back, ack: rl/mp\n-- thx, vo"
    )
    found = kinds(scanner, text)
    expected = {
        "4412": "ROOM", "delacroix-moreau": "NAME", "3307": "ROOM", "HALVORSEN": "NAME",
        "INGRID": "NAME", "92 F": "AGE_90_PLUS", "Banks": "NAME", "Tobias": "NAME",
        "tq": "NAME", "rl": "NAME", "mp": "NAME", "vo": "NAME",
    }  # fmt: skip
    assert {k: found.get(k) for k in expected} == expected
    assert not {"iv", "po", "post-orif", "thx"} & set(found)


def test_scores_beside_scores_are_no_dates(scanner: Scanner) -> None:
    text = "epworth 16/24, stop-bang 6/8. naming 14/20 (8/20 at eval). ate 3/4 of lunch."
    assert kinds(scanner, text) == {}
    assert kinds(scanner, "seen 4/10 for f/u, next visit fri 6/9") == {
        "4/10": "DATE", "fri": "DATE", "6/9": "DATE"
    }


def test_safe_harbor_categories_in_one_note(scanner: Scanner) -> None:
    text = (
        "Mrs. K. (MRN 00482913, SSN 519-44-8820) from Harlow Creek, seen 7/22 and on Christmas "
        "Eve in bed 4, age 93, fax (614) 555-0198, kim@example.net, https://x.example.com/p, "
        "10.24.118.7, plate 7KLM392, pump serial SN-88213-KQ, member ID XJH448190221, "
        "NPI 1457382910, account #88120034, 4418 Juniper Hollow Rd, Fairbanks, AK 99709."
    )
    found = kinds(scanner, text)
    expected = {
        "K.": "NAME", "00482913": "MRN", "519-44-8820": "SSN", "Harlow Creek": "LOCATION",
        "7/22": "DATE", "Christmas Eve": "DATE", "4": "ROOM", "93": "AGE_90_PLUS",
        "(614) 555-0198": "PHONE", "kim@example.net": "EMAIL", "https://x.example.com/p": "URL",
        "10.24.118.7": "IP_ADDRESS", "7KLM392": "VEHICLE", "SN-88213-KQ": "DEVICE",
        "XJH448190221": "HEALTH_PLAN", "1457382910": "LICENSE", "88120034": "ACCOUNT",
        "4418 Juniper Hollow Rd": "ADDRESS", "Fairbanks": "LOCATION", "99709": "ZIP",
    }  # fmt: skip
    assert {k: found.get(k) for k in expected} == expected


def test_education_without_a_patient_has_no_identifiers(scanner: Scanner) -> None:
    text = (
        "Parkinson's disease is more than a tremor. Pain 7/10 after surgery is common; BP "
        "120/80 is normal. Take 1/2 tab if told to. COVID-19 vaccines and vitamin B12 are safe. "
        "Most colds clear in 7 to 10 days. May is a good month to check your skin. The HPV "
        "vaccine works best at age 9 to 12."  # "works ... at age": no workplace
    )
    assert [f for f in scanner.scan(text) if f.blocking] == []


def test_an_arrow_joins_names_in_a_handoff_and_steps_in_a_causal_chain(scanner) -> None:
    """Seen in eval-rewrite: "infant gut flora can't outcompete them -> spores germinate"
    made "spores" a name, and every "spores" of the draft became a stand-in surname."""
    chain = "Gut flora can't outcompete them -> spores germinate -> toxin -> botulism."
    assert [f for f in scanner.scan(chain) if f.blocking] == []
    handoff = "report from jansen -> okafor at 0700; Kwame -> Dr. Ostrovsky"
    found = {handoff[f.start : f.end] for f in scanner.scan(handoff) if f.type == "NAME"}
    assert {"jansen", "okafor", "Kwame", "Ostrovsky"} <= found


def test_a_doctor_after_an_article_is_a_noun_and_the_word_after_it_no_name(scanner) -> None:
    """Seen in eval-rewrite: "see a doctor soon" made "soon" a name, and the post's "as
    soon as possible" became "as Nell as possible"."""
    advice = ("See a doctor soon about a new mole. A baby needs a doctor right away; call "
              "your doctor early.")  # fmt: skip
    assert [f for f in scanner.scan(advice) if f.blocking] == []
    named = "Saw Doctor Soon on Monday. dr right signed it. Ask your own doctor Hale."
    found = {named[f.start : f.end] for f in scanner.scan(named) if f.type == "NAME"}
    assert {"Soon", "right", "Hale"} <= found


def test_a_place_or_a_name_inside_a_things_name_identifies_no_one(scanner) -> None:
    """Seen in eval-rewrite: "St. John's wort can make birth control pills less effective"
    came out as "Larchmere Falls John's wort"; the saint, the town and the hospital stay."""
    advice = ("St. John's wort weakens the pill. Ticks spread Lyme disease and Rocky Mountain "
              "spotted fever. Soak in Epsom salts; eat Brussels sprouts with Dijon mustard. "
              "IBS is diagnosed by the Rome IV criteria; the San Francisco syncope rule.")
    assert scanner.scan(advice) == []
    named = "Admitted to St. John's on Friday, then moved from Epsom to Dijon."
    found = {named[f.start : f.end] for f in scanner.scan(named)}
    assert {"St. John's", "Epsom"} <= found and any(f.startswith("Dijon") for f in found)


def test_what_a_post_cites_or_tags_is_not_an_identifier(scanner: Scanner) -> None:
    post = "Talk to your doctor. Read more at https://www.cdc.gov/flu or mayoclinic.org. #FluShot"
    assert scanner.scan(post, quasi_identifiers=False) == []
    note = "Her link is portal.lakeshorehealth.org/msg/88213. Dr. Read saw her."
    assert kinds(scanner, note) == {"portal.lakeshorehealth.org/msg/88213": "URL", "Read": "NAME"}


def test_vague_posting_cues_are_explained_not_blocking(scanner: Scanner) -> None:
    text = "Last night a famous actor came to our ER from Malibu; a rare case of progeria."
    quasi = [f for f in scanner.scan(text) if not f.blocking]
    assert {f.type for f in quasi} >= {"TIME_CUE", "EVENT", "CARE_SETTING", "RARE_CONDITION"}
    assert all(f.explanation.endswith(".") and len(f.explanation) > 30 for f in quasi)


def test_occupation_only_matters_with_a_place(scanner: Scanner) -> None:
    assert "OCCUPATION" not in kinds(scanner, "A teacher asked about flu shots.").values()
    assert kinds(scanner, "A teacher from Duluth asked.")["teacher"] == "OCCUPATION"


def test_offsets_are_string_indices_in_any_script(scanner: Scanner) -> None:
    text = "🌞🧑‍⚕️ 日焼け止め Mrs. Kowalski 👋 was seen 7/22 in Zürich — née Øyvindsdóttir."
    for f in scanner.scan(text):
        assert 0 <= f.start < f.end <= len(text)
    found = kinds(scanner, text)
    assert found["Kowalski"] == "NAME" and found["7/22"] == "DATE"
    assert found["Øyvindsdóttir"] == "NAME"


def test_empty_and_whitespace(scanner: Scanner) -> None:
    assert scanner.scan("") == []
    assert scanner.scan(" \n\t ") == []
    with pytest.raises(TypeError, match="needs text"):
        scanner.scan(b"bytes")  # type: ignore[arg-type]


def test_a_megabyte_is_scanned_in_pieces_with_valid_offsets(scanner: Scanner) -> None:
    line = "Mrs. Kowalski was seen on 7/22 in room 412 with her son Marcus. "
    text = line * (1_000_000 // len(line) + 1)
    assert len(text) > 2 * CHUNK
    findings = scanner.scan(text)
    names = [f for f in findings if text[f.start : f.end] == "Kowalski"]
    assert len(names) == text.count("Kowalski")
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_overlaps_resolve_to_identifiers_covering_the_union() -> None:
    fs = [Finding(0, 5, "NAME", 0.9), Finding(3, 9, "LOCATION", 0.6),
          Finding(20, 30, "TIME_CUE", 0.9), Finding(25, 28, "DATE", 0.5)]  # fmt: skip
    assert resolve_overlaps(fs) == [Finding(0, 9, "NAME", 0.9), Finding(25, 28, "DATE", 0.5)]


def test_scanning_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scanner tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    fresh = Scanner()
    assert fresh.scan("Write to jo@example.com or see www.example.org, Mr. Lee.")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_offsets_valid_for_any_text(scanner: Scanner, text: str) -> None:
    findings = scanner.scan(text)
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_tokenizer_only_pipeline_tokenises_like_the_packaged_model() -> None:
    """The scanner tokenises with a blank English pipeline (no vocabulary to load); it must
    split text exactly as the packaged en_core_web_sm does."""
    import spacy

    from draftrx.privacy import lexicon
    from draftrx.privacy.scanner import _components, _OfflineSpacy

    engine = _OfflineSpacy(ner=False)
    engine.load()
    blank = engine.nlp["en"]
    path = lexicon.spacy_model_path()
    packaged = spacy.load(path, exclude=_components(path))
    texts = [e.text for gold in gold_sets() for e in load(gold)]
    drafts = Path(__file__).parents[1] / "fixtures" / "drafts"
    texts += [p.read_text("utf-8") for p in drafts.glob("*.txt")]
    assert len(texts) >= 70  # both gold sets and the fixture drafts
    for text in texts:
        assert [(t.idx, t.text) for t in blank(text)] == [(t.idx, t.text) for t in packaged(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("In Ashbury Vale Hospital, we saw her.", ("Ashbury Vale Hospital", "FACILITY")),
        ("At Mercy General Hospital we saw her.", ("Mercy General Hospital", "FACILITY")),
        ("To Jenna Alvarez: thank you.", ("Jenna Alvarez", "NAME")),
        ("Ji-woo In came to clinic.", ("Ji-woo In", "NAME")),  # "In" ends a name here
    ],
)
def test_sentence_initial_preposition_is_not_part_of_a_name(scanner, text, found) -> None:
    assert [(text[f.start : f.end], f.type) for f in scanner.scan(text)] == [found]


def test_on_clinical_shorthand_the_scanner_beats_stock_presidio(scanner: Scanner) -> None:
    """What a user would otherwise run: Presidio's own recognizers and spaCy NER, offline."""
    from draftrx.privacy.stock import StockPresidio

    dev = next(p for p in gold_sets() if p.stem == "shorthand_dev")
    examples = load(dev)[:120]
    ours = evaluate(examples, scanner, dev.name).identifiers
    stock = evaluate(examples, StockPresidio(), dev.name).identifiers
    assert stock.gold == ours.gold > 0
    assert ours.recall >= stock.recall + 0.2 and ours.precision >= stock.precision + 0.2
