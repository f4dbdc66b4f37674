"""`draftrx scan` against arbitrary JSON Lines: no line stops the run, every good line is
answered, and what comes out is strict JSON (no NaN, no Infinity, no lone surrogate)."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from draftrx import cli

FAST = settings(max_examples=60, deadline=None)


def strict_json(line: str) -> object:
    def refuse(name: str) -> None:
        raise ValueError(f"{name} in the output")

    return json.loads(line, parse_constant=refuse)


surrogate = st.integers(0xD800, 0xDFFF).map(lambda c: f"\\u{c:04x}")
escaped = st.text(max_size=40).map(lambda t: json.dumps(t)[1:-1])
string = st.lists(st.one_of(escaped, surrogate), max_size=4).map(lambda p: f'"{"".join(p)}"')
number = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e999", "9" * 5000, "1e-400"]),
)
nested = st.integers(0, 50_000).map(lambda k: "[" * k + "1" + "]" * k)
value = st.one_of(string, number, nested, st.sampled_from(["null", "true", "{}", "[]"]))
object_line = st.builds(lambda i, t: f'{{"id": {i}, "text": {t}}}'.encode(), value, value)
any_line = st.one_of(
    object_line,
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    nested.map(str.encode),
).map(lambda b: b.replace(b"\n", b" "))

good_id = st.one_of(st.none(), st.integers(), st.text(max_size=20),
                    st.floats(allow_nan=False, allow_infinity=False))  # fmt: skip
good = st.tuples(good_id, st.text(max_size=300), st.booleans())


def good_line(ident: object, text: str, ascii_only: bool) -> bytes:
    return json.dumps({"id": ident, "text": text}, ensure_ascii=ascii_only).encode("utf-8")


@FAST
@given(raw=any_line)
def test_any_line_gets_one_strict_json_answer(scanner, raw: bytes) -> None:
    out = strict_json(cli._scan_line(scanner, raw, 1))
    assert isinstance(out, dict) and set(out) in ({"id", "findings"}, {"id", "error"})


@FAST
@given(case=good)
def test_a_good_line_is_scanned_and_its_id_echoed(scanner, case) -> None:
    out = strict_json(cli._scan_line(scanner, good_line(*case), 1))
    assert isinstance(out, dict) and "findings" in out and out["id"] == case[0]


@settings(max_examples=15, deadline=None)
@given(lines=st.lists(st.one_of(any_line, good.map(lambda c: good_line(*c))), max_size=12))
def test_a_file_gets_one_answer_per_line_in_order(tmp_path_factory, lines: list[bytes]) -> None:
    path: Path = tmp_path_factory.mktemp("scan") / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with redirect_stdout(stdout):
        assert cli.main(["scan", str(path)]) == 0
        stdout.flush()
    out = stdout.buffer.getvalue().decode("utf-8").splitlines()  # type: ignore[attr-defined]
    assert len(out) == len([raw for raw in lines if raw.strip()])
    assert all(isinstance(strict_json(line), dict) for line in out)


def test_an_id_holding_a_unicode_line_break_stays_on_one_line(scanner) -> None:
    """Found by the property above: JSON leaves U+0085, U+2028 and U+2029 raw in strings."""
    raw = json.dumps({"id": "a\x85b\u2028c\u2029", "text": ""}).encode()
    line = cli._scan_line(scanner, raw, 1)
    assert line.splitlines() == [line] and json.loads(line)["id"] == "a\x85b\u2028c\u2029"
