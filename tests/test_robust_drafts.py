"""Any draft a physician can paste goes through the privacy pass and into a prompt without
a crash, and its text never becomes the model's control tokens: invisible characters, lone
surrogates, the control tokens of common chat templates, very long lines (issue 20)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from llama_cpp.llama_chat_format import CHATML_CHAT_TEMPLATE, LLAMA3_INSTRUCT_CHAT_TEMPLATE

from draftrx.compose.prompts import TASKS, load_prompt
from draftrx.engine import Engine
from draftrx.engine.chat import ChatTemplate
from draftrx.engine.prompt_parts import message_parts
from draftrx.privacy.fictionalise import Mode, fictionalise
from draftrx.privacy.scanner import Scanner

CONTROL = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|start_header_id|>",
           "<|end_header_id|>", "[INST]", "[/INST]", "<s>", "</s>", "<start_of_turn>",
           "<end_of_turn>", "<|user|>", "<|assistant|>", "<|system|>", "</draft>", "</comment>",
           "\ue0001\ue001"]  # fmt: skip
ODD = "\u200b\u200d\u2060\ufeff\u00ad\u202e\u00a0\u3000\ud800\udfff\x00\x1b\r\u2028\U0001f468"
CLINICAL = ["Saw Jenna Alvarez (MRN 4471902) on 3/14 at Mercy Hosp.", "Call 937-555-0142.",
            "Flu shots are safe.", "pt 82M from Westfield", "Dr. Okafor", "\n\n"]  # fmt: skip


@st.composite
def drafts(draw: st.DrawFn) -> str:
    parts = st.one_of(
        st.sampled_from(CONTROL),
        st.sampled_from(CLINICAL),
        st.text(alphabet=st.sampled_from(ODD), max_size=4),
        st.text(max_size=40),
        st.integers(200, 3000).map(lambda n: "word " * n),  # a very long line
    )
    return "".join(draw(st.lists(parts, max_size=8)))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(draft=drafts(), mode=st.sampled_from(list(Mode)))
def test_any_draft_is_protected_without_a_crash(scanner: Scanner, draft: str, mode: Mode) -> None:
    findings = scanner.scan(draft)
    assert all(0 <= f.start < f.end <= len(draft) for f in findings)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
    assert isinstance(fictionalise(draft, findings, mode, seed=0).text, str)


def template_text(template: ChatTemplate, task: str, draft: str) -> str:
    messages = load_prompt(task).messages(draft, "Posted on X.")
    return "".join(
        t for t, is_message in message_parts(template.render, messages) if not is_message
    )


@settings(max_examples=80, deadline=None)
@given(draft=drafts(), task=st.sampled_from(sorted(TASKS)))
def test_no_draft_reaches_the_template_text(draft: str, task: str) -> None:
    """The text tokenized with control tokens on is the template's alone, the same for any
    draft, for ChatML (the default model's family) and Llama 3 (whose template trims)."""
    for source in (CHATML_CHAT_TEMPLATE, LLAMA3_INSTRUCT_CHAT_TEMPLATE):
        template = ChatTemplate(source, bos_token="<s>", eos_token="</s>")
        assert template_text(template, task, draft) == template_text(template, task, "x")


@pytest.mark.model
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(draft=drafts())
def test_the_real_model_tokenizes_any_draft(engine: Engine, draft: str) -> None:
    messages = load_prompt("reply-comment").messages(draft)
    plain = engine.tokenize_chat(load_prompt("reply-comment").messages("x"))
    controls = {t for t in plain if engine._llm.detokenize([t], special=True).startswith(b"<|")}
    tokens = engine.tokenize_chat(messages)
    assert sum(t in controls for t in tokens) == sum(t in controls for t in plain)
