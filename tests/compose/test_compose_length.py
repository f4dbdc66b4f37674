"""Platform counting rules and fitting: the final text never exceeds a platform's limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from draftrx.compose.fit import fit_posts, trim
from draftrx.compose.length import graphemes, mastodon, weighted, words
from draftrx.compose.platforms import Platform, choose, load_platforms

PLATFORMS = load_platforms()
DISCLAIMER = "General info, not medical advice."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("https://example.com/a/very/long/path/that/is/long hi", 26),  # a URL counts 23
        ("see cdc.gov/flu", 27),
        ("日本語", 6),  # CJK counts 2
        ("👍🏽", 2),  # emoji with skin tone: one emoji
        ("👨‍👩‍👧", 2),  # ZWJ family: one emoji
        ("🇺🇸", 2),  # flag
        ("e\u0301", 1),  # NFC: é
        ("\u201cquotes\u201d \u2013 dash", 15),  # general punctuation U+2010-U+201F counts 1
        ("…", 2),  # but the ellipsis U+2026 is outside those ranges
    ],
)
def test_x_weighted_count(text: str, expected: int) -> None:
    assert weighted(text) == expected


def test_other_counting_rules() -> None:
    assert graphemes("👨‍👩‍👧é") == 2
    assert mastodon("read https://example.org/a/long/long/long/path now") == 5 + 23 + 4
    assert words("Don't stop: 2 puffs, twice-daily.") == 5


def test_profiles_match_the_platforms_rules() -> None:
    limits = {p.id: (p.limit, p.counting) for p in PLATFORMS.values()}
    assert limits["x"] == (280, "weighted")
    assert limits["bluesky"] == (300, "graphemes")
    assert limits["threads"][0] == 500 and limits["mastodon"] == (500, "mastodon")
    assert limits["linkedin"][0] == 3000 and PLATFORMS["linkedin"].hook == 210
    assert limits["instagram"][0] == 2200 and PLATFORMS["instagram"].max_hashtags == 5
    assert limits["tiktok"] == (150, "words") and PLATFORMS["tiktok"].caption_limit == 2200
    assert "facebook" in limits
    for p in PLATFORMS.values():
        assert p.target < p.limit


def test_limit_overrides_and_bad_choices() -> None:
    assert load_platforms(limits={"mastodon": 1000})["mastodon"].limit == 1000
    with pytest.raises(ValueError, match="not a known platform"):
        load_platforms(limits={"myspace": 100})
    with pytest.raises(ValueError, match="20 or more"):
        load_platforms(limits={"mastodon": 0})
    with pytest.raises(ValueError, match="Unknown platform tiktak; choose from x, threads"):
        choose("x, tiktak", PLATFORMS)
    assert [p.id for p in choose("X,linkedin,x", PLATFORMS)] == ["x", "linkedin"]


def test_a_thread_is_numbered_and_keeps_the_disclaimer_whole() -> None:
    body = " ".join(
        f"Point {i} is about why flu shots matter every single year." for i in range(14)
    )
    posts = fit_posts(body, PLATFORMS["x"], DISCLAIMER)
    assert 1 < len(posts) <= PLATFORMS["x"].max_posts
    assert all(weighted(p) <= 280 for p in posts)
    assert [p.rsplit(" ", 1)[-1] for p in posts] == [
        f"({i}/{len(posts)})" for i in range(1, len(posts) + 1)
    ]
    assert DISCLAIMER in posts[-1]
    assert posts[0].startswith("Point 0 is about")


def test_trim_keeps_whole_sentences() -> None:
    text = "First sentence here. Second sentence is here too. Third one is the longest of all."
    p = PLATFORMS["bluesky"]
    assert trim(text, p, 50) == "First sentence here. Second sentence is here too."
    assert trim("word " * 100, p, 30).endswith("…")
    assert graphemes(trim("word " * 100, p, 30)) <= 30


def test_a_long_post_without_threads_is_cut_to_fit_with_its_disclaimer() -> None:
    p = PLATFORMS["linkedin"]
    body = "Asthma controllers work even when you feel fine. " * 120
    (post,) = fit_posts(body, p, DISCLAIMER)
    assert len(post) <= 3000 and post.endswith(DISCLAIMER)


texts = st.lists(
    st.sampled_from([*"abc de.f!? \n日😀é", "🇺🇸", "https://example.com/x ", "#tag ", "word "]),
    max_size=1500,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(body=texts, platform=st.sampled_from([p for p in PLATFORMS.values() if not p.caption_limit]))
def test_fitted_posts_never_exceed_the_limit(body: str, platform: Platform) -> None:
    posts = fit_posts(body, platform, DISCLAIMER)
    assert posts and all(platform.length(p) <= platform.limit for p in posts)
    assert len(posts) <= platform.max_posts
    assert DISCLAIMER in posts[-1]


def test_a_thread_keeps_lines_and_paragraphs() -> None:
    body = (
        "Three signs of a bad asthma flare:\n- cannot finish a sentence\n- lips turn blue\n\n"
        + ("Call 911 for any of them. " * 12)
    )
    posts = fit_posts(body, PLATFORMS["bluesky"], DISCLAIMER)
    assert len(posts) > 1
    assert posts[0].startswith(
        "Three signs of a bad asthma flare:\n- cannot finish a sentence\n- lips turn blue\n\nCall"
    )
