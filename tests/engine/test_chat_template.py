"""A chat template is a program from the model file: a broken or hostile one is refused in
one sentence, within a time limit, and never with a traceback, a hang or gigabytes."""

from __future__ import annotations

import sys
import time

import pytest

from draftrx.engine import chat
from draftrx.engine.chat import ChatTemplate
from draftrx.engine.errors import ChatTemplateError

LOOP = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}"


def refusal(template: str) -> str:
    started = time.monotonic()
    with pytest.raises(ChatTemplateError) as refused:
        ChatTemplate(template, bos_token="<s>", eos_token="</s>", source="bad.gguf")
    assert time.monotonic() - started < chat.DEADLINE_S + 2, "the refusal took too long"
    message = str(refused.value)
    assert message.startswith("The chat template of bad.gguf ") and message.endswith(".")
    assert "\n" not in message and "Traceback" not in message
    return message


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{% for m in messages %}{{ m.content }", "not valid Jinja"),
        ("{{ m.content | no_such_filter }}", "not valid Jinja"),
        ("{{ range(10**8) | list }}", "does what a template may not"),
        ("{{ 1 / 0 }}", "cannot format a conversation (division by zero)"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "cannot format"),
        ("{{ ''.__class__.__mro__ }}", "does what a template may not"),
    ],
)
def test_a_broken_template_is_one_sentence(template: str, reason: str) -> None:
    assert reason in refusal(template)


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'a' * 10**9 }}",
        "{{ [1] * 10**9 }}",
        "{{ 10 ** 100000 }}",
        "{{ '%999999999s' % 'a' }}",
        "{{ '%999999999s' | format('a') }}",
        "{{ '{:>999999999}'.format('a') }}",
        "{{ 'a' | center(999999999) }}",
        "{{ 'a'.ljust(999999999) }}",
    ],
)
def test_one_operation_may_not_build_gigabytes(template: str) -> None:
    assert "does what a template may not" in refusal(template)


@pytest.mark.parametrize(
    "template",
    [
        "{% for a in range(99999) %}{% for b in range(99999) %}{% for c in range(99999) %}"
        "{% endfor %}{% endfor %}{% endfor %}",  # prints nothing: no output to count
        "{% for a in range(99999) %}{% for b in range(99999) %}x{% endfor %}{% endfor %}",
        "{{ lipsum(99999) }}",
    ],
)
def test_a_template_that_would_run_for_ever_is_stopped(
    template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat, "DEADLINE_S", 0.3)  # the same check, sooner
    assert "took more than 0.3 seconds" in refusal(template)


def test_a_template_that_writes_without_end_is_stopped() -> None:
    template = "{% for a in range(99999) %}{{ 'x' * 99999 }}{% endfor %}"
    assert "wrote more than" in refusal(template)


def test_a_conversation_that_breaks_the_template_is_not_quoted() -> None:
    """The probe passes; a real draft's error would quote the draft, so only its type shows."""
    last = "messages[-1].content"
    template = f"{{% if 'Alvarez' in {last} %}}{{{{ raise_exception({last}) }}}}{{% endif %}}{LOOP}"
    chat = ChatTemplate(template, bos_token="", eos_token="", source="m.gguf")
    with pytest.raises(ChatTemplateError) as refused:
        chat.render([{"role": "user", "content": "Saw Jenna Alvarez today."}])
    assert "Alvarez" not in str(refused.value) and "ValueError" in str(refused.value)


def test_a_good_template_renders_and_leaves_the_tracer_as_it_was() -> None:
    before = sys.gettrace()
    chat = ChatTemplate(LOOP + "{{ bos_token }}", bos_token="<s>", eos_token="</s>")
    assert (
        chat.render([{"role": "user", "content": "Hi 100% 1234567"}])
        == "<|user|>Hi 100% 1234567<s>"
    )
    assert sys.gettrace() is before
