"""Every check with texts that must trip it and texts that must not."""

from __future__ import annotations

import pytest

from draftrx.compose.checks import Check, run_checks, worst
from draftrx.compose.platforms import load_platforms

PLATFORMS = load_platforms()

# Ordinary educational posts: nothing here may block, and none may trip the phrase checks.
EDUCATIONAL = [
    "Flu season peaks between December and February. A yearly flu shot is the best protection "
    "we have. It cannot give you the flu. Learn more at https://www.cdc.gov/flu.",
    "There is no cure for the common cold. Rest, drink fluids, and see a doctor if a fever "
    "lasts more than three days. #PublicHealth #ColdSeason",
    "Asthma controller inhalers work even when you feel fine. Stopping them lets the airways "
    "swell again. Talk to your doctor before you change any medicine.",
    "Sunscreen matters in winter too. Snow reflects sunlight. Pick SPF 30 or higher and "
    "reapply every two hours outside.",
    "Chest pain that spreads to the arm or jaw needs 911, not a wait-and-see. Every minute "
    "counts in a heart attack.",
    "Thanks for your question! I can't give personal medical advice here. Please reach out to "
    "your own doctor or call our office to talk privately.",
    "Antibiotics do not work on viruses. Taking them for a cold only adds side effects and "
    "resistance. Read more: mayoclinic.org",
]


def _by_id(checks: list[Check]) -> dict[str, Check]:
    return {c.id: c for c in checks}


def _check(scanner, text: str, **kwargs) -> dict[str, Check]:
    return _by_id(run_checks(text, scanner, **kwargs))


@pytest.mark.parametrize("text", EDUCATIONAL)
def test_ordinary_educational_posts_never_block(scanner, text: str) -> None:
    checks = _check(scanner, text, platform=PLATFORMS["linkedin"], reply=True)
    assert worst(list(checks.values())) != "block", [
        c for c in checks.values() if c.severity == "block"
    ]
    for id_ in ("advice", "patient_confirmation", "professionalism", "claims", "testimonial",
                "disclosure", "identifiers"):  # fmt: skip
        assert checks[id_].severity == "ok", (id_, checks[id_])


def test_every_check_has_id_severity_message_and_spans(scanner) -> None:
    checks = run_checks("Hello there.", scanner, platform=PLATFORMS["instagram"], reply=True)
    ids = [c.id for c in checks]
    assert ids == ["identifiers", "quasi_identifiers", "advice", "patient_confirmation",
                   "professionalism", "claims", "disclosure", "testimonial", "readability",
                   "length", "hashtags"]  # fmt: skip
    for c in checks:
        data = c.to_json()
        assert set(data) == {"id", "severity", "message", "spans", "overridable"}
        assert data["severity"] in {"ok", "warn", "block"} and data["message"].endswith(".")


def test_leftover_identifiers_block_with_their_spans(scanner) -> None:
    text = "Saw Maria Kowalski in room 412 on 3/14; call 614-555-0198."
    check = _check(scanner, text)["identifiers"]
    assert check.severity == "block"
    found = {text[s:e] for s, e in check.spans}
    assert {"Maria Kowalski", "614-555-0198"} <= found and any("412" in f for f in found)


def test_a_month_or_weekday_alone_is_a_clue_not_a_block(scanner) -> None:
    checks = _check(scanner, "Every October and on Mondays we see more asthma flares.")
    assert checks["identifiers"].severity == "ok"
    assert checks["quasi_identifiers"].severity == "warn"


def test_quasi_identifiers_warn(scanner) -> None:
    checks = _check(scanner, "Last night in our ER a 34-year-old teacher came in wheezing.")
    assert checks["quasi_identifiers"].severity == "warn"
    assert checks["identifiers"].severity == "ok"


@pytest.mark.parametrize(
    ("id_", "severity", "trips", "passes"),
    [
        ("advice", "warn",
         ["You should take 400 mg of ibuprofen every 6 hours.", "Stop your insulin tonight.",
          "In your case, I would recommend you double the dose.", "Take 2 tablets of Benadryl.",
          "Sounds like you have strep."],
         ["Adults should get a flu shot every year.", "Ask your doctor about the right dose.",
          "Ibuprofen can upset the stomach.", "You should talk to your doctor first."]),
        ("patient_confirmation", "block",
         ["You're welcome, glad we could help with your rash!", "Thanks for coming in yesterday.",
          "It was a pleasure to see you last week.", "Hope your knee is healing well!",
          "We're sorry your visit with us was frustrating.", "As your doctor, I can say more.",
          "When I saw you in clinic, your rash was mild.", "Your recent appointment went well."],
         ["Thank you for your kind words!", "We can't discuss anyone's care in public.",
          "Please call the office to talk privately.", "Glad this post was helpful!",
          "If you are a patient, please call us."]),
        ("professionalism", "warn",
         ["Another frequent flyer in the ER tonight.", "This drug seeker was shouting.",
          "What a bullshit excuse.", "The patient was an idiot LOL."],
         ["People with substance use disorder deserve care.", "She was frustrated and scared."]),
        ("claims", "warn",
         ["This supplement cures arthritis.", "Guaranteed results in a week.",
          "The vaccine is 100% safe.", "A miracle treatment for back pain.",
          "Completely safe with no side effects.", "Clinically proven to reverse diabetes."],
         ["There is no cure for the common cold.", "Vaccines are safe and effective.",
          "Side effects are usually mild.", "Treatment can control the disease."]),
        ("testimonial", "warn",
         ["Before and after: six months of treatment.", "My patient said it changed her life.",
          "She lost 40 lbs on this plan.", "Another success story from our clinic."],
         ["Weight loss takes time.", "Results vary from person to person."]),
    ],
)  # fmt: skip
def test_phrase_checks(
    scanner, id_: str, severity: str, trips: list[str], passes: list[str]
) -> None:
    for text in trips:
        check = _check(scanner, text, reply=True)[id_]
        assert check.severity == severity and check.spans, (text, check)
    for text in passes:
        assert _check(scanner, text, reply=True)[id_].severity == "ok", text


def test_patient_confirmation_runs_only_on_replies(scanner) -> None:
    assert "patient_confirmation" not in _check(scanner, "Glad we could help!")


def test_disclosure(scanner) -> None:
    assert _check(scanner, "Ozempic is not a cosmetic drug.")["disclosure"].severity == "warn"
    assert _check(scanner, "Use my code DOC10 for 10% off.")["disclosure"].severity == "warn"
    assert _check(scanner, "Plain post.", sponsored=True)["disclosure"].severity == "warn"
    disclosed = "Ozempic is not cosmetic.\nDisclosure: I consult for Novo Nordisk."
    assert _check(scanner, disclosed)["disclosure"].severity == "ok"
    assert _check(scanner, "#ad Try this sunscreen.", sponsored=True)["disclosure"].severity == "ok"
    assert _check(scanner, "Semaglutide lowers blood sugar.")["disclosure"].severity == "ok"


def test_length_blocks_over_the_limit_and_counts_the_platforms_way(scanner) -> None:
    x = PLATFORMS["x"]
    over = "a" * 257 + " https://example.com/a-very-long-link-indeed"  # 257 + 1 + 23 = 281
    assert _check(scanner, over, platform=x)["length"].severity == "block"
    fits = "a" * 256 + " https://example.com/a-very-long-link-indeed"  # 280
    assert _check(scanner, fits, platform=x)["length"].severity == "ok"
    emoji = "😀" * 141
    check = _check(scanner, emoji, platform=x)["length"]
    assert check.severity == "block" and "282 of 280" in check.message


def test_linkedin_hook(scanner) -> None:
    linkedin = PLATFORMS["linkedin"]
    long_opening = "Asthma " * 40 + "matters. Short next."
    check = _check(scanner, long_opening, platform=linkedin)["hook"]
    assert check.severity == "warn" and check.spans == ((0, len(long_opening) - 12),)
    ok = "Asthma controllers work when you feel fine.\n" + "More detail here. " * 30
    assert _check(scanner, ok, platform=linkedin)["hook"].severity == "ok"
    assert "hook" not in _check(scanner, ok, platform=PLATFORMS["x"])


def test_instagram_hashtags(scanner) -> None:
    six = "Stay well. #a1 #b2 #c3 #d4 #e5 #f6"
    check = _check(scanner, six, platform=PLATFORMS["instagram"])["hashtags"]
    assert check.severity == "block" and six[slice(*check.spans[0])] == "#f6"
    assert (
        _check(scanner, "Stay well. #a #b", platform=PLATFORMS["instagram"])["hashtags"].severity
        == "ok"
    )


def test_check_command_prints_the_documented_json(tmp_path) -> None:
    import json
    import subprocess
    import sys

    post = tmp_path / "post.txt"
    post.write_text("Glad we could help with your rash, Maria! Ozempic cures everything.")
    cmd = [sys.executable, "-m", "draftrx", "check", str(post), "--platform", "x", "--reply"]
    result = subprocess.run([*cmd, "--json"], capture_output=True, text=True)
    assert result.returncode == 3, result.stderr  # something blocks
    report = json.loads(result.stdout)
    assert set(report) == {"platform", "length", "limit", "grade", "checks"}
    assert report["platform"] == "x" and report["limit"] == 280 and report["length"] == 67
    assert {"flesch_kincaid", "smog", "mean"} <= set(report["grade"])
    severities = {c["id"]: c["severity"] for c in report["checks"]}
    assert severities["patient_confirmation"] == "block" and severities["claims"] == "warn"
    assert severities["identifiers"] == "block" and severities["disclosure"] == "warn"
    plain = subprocess.run(cmd, capture_output=True, text=True)
    assert (
        "X: 67 of 280 characters" in plain.stdout and "block patient_confirmation" in plain.stdout
    )
    bad = subprocess.run([*cmd[:-3], "--platform", "myspace"], capture_output=True, text=True)
    assert bad.returncode == 1 and "Unknown platform myspace; choose from x," in bad.stderr
