"""settings.toml is held to a schema: a wrong value or an unknown key is one sentence that
names the file, the key and what it takes; never a traceback, never silently ignored."""

from __future__ import annotations

import datetime
import json
import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from draftrx.compose.platforms import load_platforms
from draftrx.compose.settings import SCHEMA, load_settings

POST = Path(__file__).parents[1] / "fixtures" / "drafts" / "flu_myth.txt"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('disclosure = "x"', "disclosure is text, where a table [disclosure] of statement"),
        ('disclaimer = "abc"', "disclaimer is text, where a table [disclaimer] of long, short"),
    ],
)
def test_the_command_names_the_file_the_key_and_what_it_takes(tmp_path: Path, toml: str,
                                                              expected: str) -> None:  # fmt: skip
    """The issue's two files, through a real `draftrx check` (which reads the settings)."""
    (tmp_path / "settings.toml").write_text(toml + "\n")
    env = {**os.environ, "DRAFTRX_CONFIG_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "draftrx", "check", str(POST), "--platform", "x"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert f"The settings file {tmp_path / 'settings.toml'} has" in result.stderr
    assert expected in result.stderr


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[disclaimer]\nlong = 3", "disclaimer.long is the number 3, where text in quotes"),
        ("[disclaimer]\nmyspace = 'x'", "unknown key 'myspace' in [disclaimer]; it takes long"),
        ("[disclosure]\nstatment = 'x'", "unknown key 'statment' in [disclosure]; it takes stat"),
        ("colour = 'blue'", "unknown key 'colour'; it takes disclaimer, disclosure, limits"),
        ("[limits]\nmastodon = 5", "limits.mastodon is the number 5, where a whole number from 20"),
        ("[limits]\nmastodon = 500.0", "limits.mastodon is the number 500.0, where a whole"),
        ("[limits]\nmastodon = true", "limits.mastodon is true/false, where a whole number"),
        ("[limits]\nfriendster = 500", "unknown key 'friendster' in [limits]; it takes x,"),
        ("[disclaimer]\nx = 1979-05-27", "disclaimer.x is a date or time, where text in quotes"),
    ],
)
def test_each_wrong_value_or_unknown_key_is_named(tmp_path: Path, toml: str, expected: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(toml + "\n")
    with pytest.raises(ValueError) as refused:
        load_settings(path)
    assert str(refused.value).startswith(f"The settings file {path} has ")
    assert expected in str(refused.value)


def test_the_readme_example_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[disclaimer]\nlong = "General education."\nshort = "Not advice."\n'
        'x = "Not advice. DMs not monitored."\n[disclosure]\n'
        'statement = "I consult for Acme Pharma."\n[limits]\nmastodon = 1000\n'
    )
    read = load_settings(path)
    assert read.disclaimer_for("x") == "Not advice. DMs not monitored."
    assert read.disclaimer_for("linkedin", "short") == "Not advice."
    assert read.coi_statement == "I consult for Acme Pharma." and read.limits == {"mastodon": 1000}


# -- any TOML at all ----------------------------------------------------------------------


def toml_value(v: object) -> str:
    """TOML for the values below (tomllib reads; nothing in the project writes TOML)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):  # JSON's escapes are TOML's, but for DEL
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, list):
        return "[" + ", ".join(map(toml_value, v)) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_value(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    assert isinstance(v, datetime.date | datetime.time)
    return v.isoformat()


keys = st.one_of(st.sampled_from(["long", "short", "statement", "x", "mastodon", "tiktok"]),
                 st.text(max_size=8))  # fmt: skip
scalar = st.one_of(st.text(max_size=30), st.integers(-(2**63), 2**63 - 1), st.floats(),
                   st.booleans(), st.dates(), st.times(), st.integers(0, 2000))  # fmt: skip
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(keys, inner, max_size=3)),
                     max_leaves=6)  # fmt: skip
tables = st.dictionaries(keys, value, max_size=4)
documents = st.dictionaries(st.one_of(st.sampled_from(list(SCHEMA)), st.text(max_size=8)),
                            st.one_of(tables, value), max_size=3)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(document=documents)
def test_any_settings_file_is_read_or_refused_by_name(tmp_path_factory, document) -> None:
    path = tmp_path_factory.mktemp("config") / "settings.toml"
    text = "".join(f"{toml_value(k)} = {toml_value(v)}\n" for k, v in document.items())
    path.write_text(text, "utf-8")
    try:
        read = load_settings(path)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith(f"The settings file {path} ") and "\n" not in message
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            assert "is not valid TOML" in message
        else:  # the message names the key at fault
            assert any(repr(k) in message or (k in SCHEMA and k in message) for k in data)
    else:  # what was accepted works further on
        load_platforms(limits=read.limits)
        for platform in [None, "x", "linkedin"]:
            assert isinstance(read.disclaimer_for(platform), str)
        assert isinstance(read.coi_statement, str)
