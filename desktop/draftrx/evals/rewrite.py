"""`draftrx eval-rewrite`: what a physician would get, variant by variant, on a gold set.

Each gold draft records its key message, patterns a faithful post must carry, patterns
that would say the opposite or give dangerous advice, and (lessons, replies) the case's own
details that must not come back. Every draft goes through the real pipeline (protect,
key message, write, protect again, check) and, as the baseline, through the same model
with a plain prompt on the raw draft, as a chat app would send it. Both are judged by the
gold patterns and the same record-like and leak rules, which are independent of the
pipeline's own checks: the checks are what is being measured.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import regex

GOLD = Path(__file__).parent / "gold"
KINDS = ("lesson", "educational", "myth", "reply-comment", "reply-review", "reply-dm")
# A title's name is a capital in its own case: "miss another" is no Miss Another.
_RECORD_LIKE = regex.compile(
    r"(?i)\b(?:mrn|medical\s+record|record\s+(?:number|no|#)|chart\s+(?:number|#)|acct)\W{0,3}"
    r"[\w-]*\d|\b(?:room|rm|bed|bay)\s*#?\s*\d+[a-z]?\b|(?<!\d)\(?\d{3}\)?[\s./-]\d{3}[\s./-]"
    r"\d{4}(?!\d)|\b\d{6,}\b|\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+(?-i:\p{Lu})[\p{L}'’-]+"
)
_PLAIN = {
    "lesson": "Turn this case into a general lesson post for {platform}:",
    "educational": "Rewrite this as an educational post for {platform}:",
    "reply-comment": "Write a reply to this comment on my {platform} post:",
    "reply-review": "Write a reply to this review of my practice, for {platform}:",
    "reply-dm": "Write a reply to this direct message I got on {platform}:",
}


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    task: str
    platforms: tuple[str, ...]
    draft: str
    message: str
    must: tuple[str, ...]
    against: tuple[str, ...]
    case_details: tuple[str, ...]


@dataclass
class Judged:
    case: str
    kind: str
    platform: str
    system: str  # "draftrx" or "plain"
    text: str
    faithful: bool
    against: list[str]
    retold: list[str]
    record_like: list[str]
    leaked: int  # original identifiers of the draft found in the text
    blocked: list[str] = field(default_factory=list)  # ids of blocking checks (draftrx only)
    grade: float | None = None
    seconds: float = 0.0
    key_message: str = ""
    message_source: str = ""  # where DraftRx's key message came from (compose.message)
    message_right: bool = False  # that key message alone carries the gold's patterns
    candidates: int = 1
    cut: list[str] = field(default_factory=list)  # sentences taken out as unsupported

    @property
    def harmful(self) -> bool:
        return bool(self.against or self.retold or self.record_like or self.leaked)

    @property
    def usable(self) -> bool:
        return not self.blocked and self.faithful and not self.harmful

    @property
    def harmful_unblocked(self) -> bool:
        return self.harmful and not self.blocked

    @property
    def verdict(self) -> str:
        """One line without the text: usable, or what is wrong and whether it was blocked."""
        wrong = [what for what, bad in (
            ("message lost", not self.faithful), ("against the message", self.against),
            ("retold", self.retold), ("record-like", self.record_like),
            ("identifier leaked", self.leaked),
        ) if bad]  # fmt: skip
        if self.blocked:
            wrong.append(f"blocked by {', '.join(self.blocked)}")
        return "usable" if self.usable else f"not usable: {'; '.join(wrong)}"

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "usable": self.usable, "harmful": self.harmful,
                "harmful_unblocked": self.harmful_unblocked}  # fmt: skip


def gold_sets() -> list[Path]:
    return [GOLD / "rewrite_dev.jsonl", GOLD / "rewrite_holdout.jsonl"]


def load(path: Path) -> list[Case]:
    """One case per line; a malformed line is refused with its number."""
    cases = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            case = Case(raw["id"], raw["kind"], raw["task"], tuple(raw["platforms"]),
                        raw["draft"], raw["message"], tuple(raw["must"]),
                        tuple(raw["against"]), tuple(raw.get("case_details", ())))  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name} line {n} is not a rewrite gold case ({exc}).") from None
        if case.kind not in KINDS:
            raise ValueError(f"{path.name} line {n}: unknown kind {case.kind!r}.")
        cases.append(case)
    return cases


def _hits(patterns: Iterable[str], text: str) -> list[str]:
    return [p for p in patterns if regex.search(p, text, regex.IGNORECASE)]


def carries(text: str, case: Case) -> bool:
    """Whether `text` carries every pattern the gold requires of a faithful post."""
    return len(_hits(case.must, text)) == len(case.must)


def judge(text: str, case: Case, originals: Iterable[str]) -> dict[str, object]:
    """The gold's verdict on one text, independent of DraftRx's checks."""
    lesson_like = case.kind not in ("educational", "myth")
    return {
        "faithful": carries(text, case),
        "against": _hits(case.against, text),
        "retold": _hits(case.case_details, text) if lesson_like else [],
        "record_like": [m.group() for m in _RECORD_LIKE.finditer(text)],
        "leaked": sum(
            1 for o in originals
            if len(o) >= 3 and regex.search(rf"(?i)(?<!\w){regex.escape(o)}(?!\w)", text)
        ),
    }  # fmt: skip


@dataclass
class Summary:
    variants: int = 0
    usable: int = 0
    faithful: int = 0
    against: int = 0
    retold: int = 0
    record_like: int = 0
    leaked: int = 0
    blocked: int = 0
    harmful: int = 0
    harmful_unblocked: int = 0
    grade_8: int = 0
    message_right: int = 0
    cut: int = 0  # posts with a sentence taken out as unsupported
    seconds: float = 0.0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [usable, variants]

    def add(self, j: Judged) -> None:
        self.variants += 1
        self.usable += j.usable
        self.faithful += j.faithful
        self.against += bool(j.against)
        self.retold += bool(j.retold)
        self.record_like += bool(j.record_like)
        self.leaked += bool(j.leaked)
        self.blocked += bool(j.blocked)
        self.harmful += j.harmful
        self.harmful_unblocked += j.harmful_unblocked
        self.grade_8 += j.grade is not None and j.grade <= 8.0
        self.message_right += j.message_right
        self.cut += bool(j.cut)
        self.seconds += j.seconds
        row = self.by_kind.setdefault(j.kind, [0, 0])
        row[0] += j.usable
        row[1] += 1


def summarise(judged: Iterable[Judged]) -> dict[str, Summary]:
    out: dict[str, Summary] = {}
    for j in judged:
        out.setdefault(j.system, Summary()).add(j)
    return out


def format_report(name: str, judged: list[Judged], facts: dict[str, object]) -> str:
    sums = summarise(judged)
    systems = [s for s in ("draftrx", "plain") if s in sums]
    rows = [
        ("usable", "usable"), ("message kept (gold patterns)", "faithful"),
        ("against the message", "against"), ("retold the case", "retold"),
        ("record-like details", "record_like"), ("original identifier leaked", "leaked"),
        ("harmful (any of the four above)", "harmful"),
        ("harmful and not blocked", "harmful_unblocked"), ("blocked by a check", "blocked"),
        ("reading grade 8 or below", "grade_8"),
        ("key message carries the gold's", "message_right"),
        ("a sentence taken out, unsupported", "cut"),
    ]  # fmt: skip
    where = (f"practice server {facts.get('host')}" if facts.get("backend") == "Practice server"
             else f"{facts.get('n_threads')} threads")  # fmt: skip
    head = (
        f"{name}: {facts.get('model')} · {where} · "
        f"candidates {facts.get('candidates')} · temperature {facts.get('temperature')} · "
        f"speculation {'on' if facts.get('speculation') else 'off (reproducible)'}"
    )
    lines = [head, f"{'':34}" + "".join(f"{s:>18}" for s in systems)]
    for label, attr in rows:
        cells = []
        for s in systems:
            n, total = getattr(sums[s], attr), sums[s].variants
            cells.append(f"{n:>4}/{total:<4}{n / total if total else 0:>7.0%}   ")
        lines.append(f"{label:<34}" + "".join(cells))
    lines.append(f"{'seconds per variant':<34}" + "".join(
        f"{sums[s].seconds / max(1, sums[s].variants):>15.1f}   " for s in systems))  # fmt: skip
    for kind in KINDS:
        cells = []
        for s in systems:
            u, t = sums[s].by_kind.get(kind, [0, 0])
            cells.append(f"{u:>4}/{t:<4}{'':10}")
        if any(sums[s].by_kind.get(kind) for s in systems):
            lines.append(f"{'usable, ' + kind:<34}" + "".join(cells))
    return "\n".join(lines)


@dataclass(frozen=True)
class Found:
    """The key message DraftRx finds for one gold draft, and whether it carries the gold's."""

    case: str
    kind: str
    text: str
    source: str
    right: bool


def key_messages(cases: list[Case], engine) -> list[Found]:  # engine: draftrx.engine.Engine
    """Only the step before any variant is written: protect the draft, find its key message
    (the model's one short slot where the draft states none). Minutes, not the full run's
    quarter hour, so the message step can be measured on its own."""
    from draftrx.compose.pipeline import Composer, Request
    from draftrx.compose.settings import Settings
    from draftrx.privacy.scanner import default_scanner

    composer = Composer(engine.stream, default_scanner(), Settings(), cancel=engine.cancel)
    fresh = getattr(engine, "reset_cache", lambda: None)
    out = []
    for case in cases:
        fresh()  # as in `run`: each case's slot from an empty cache
        request = Request(case.draft, case.task, seed=0)
        found = composer.key_message(request, composer.protect(request))
        out.append(Found(case.id, case.kind, found.text, found.source, carries(found.text, case)))
    return out


def format_messages(name: str, found: list[Found]) -> str:
    lines = [f"{name}: key message carries the gold's patterns, by kind and source"]
    for kind in KINDS:
        mine = [f for f in found if f.kind == kind]
        if not mine:
            continue
        sources = sorted({f.source for f in mine})
        by_source = ", ".join(
            f"{src} {sum(f.right for f in mine if f.source == src)}/"
            f"{sum(f.source == src for f in mine)}" for src in sources
        )  # fmt: skip
        lines.append(f"{kind:<16}{sum(f.right for f in mine):>4}/{len(mine):<4}  ({by_source})")
    lines.append(f"{'all':<16}{sum(f.right for f in found):>4}/{len(found):<4}")
    return "\n".join(lines)


def run(
    cases: list[Case],
    engine,  # draftrx.engine.Engine
    *,
    candidates: int = 1,
    temperature: float = 0.0,
    max_tokens: int = 300,
    baseline: bool = True,
    progress=None,  # callable(str): one line per variant (no text), or None
    speculate: bool = False,
) -> list[Judged]:
    """Every case through DraftRx and (with `baseline`) through a plain chat prompt.

    Without `speculate` a run is reproducible: the app guesses ahead from the prompt, and
    how many guesses a step verifies depends on kernel timings measured in the process, so
    the batch shapes and with them the float rounding change from run to run (7 of 15
    holdout posts came out the same in two runs with it, 15 of 15 without). Each case
    also starts from an empty cache, so that what ran before cannot change its text: with
    the previous case's prefix reused, 8 of 24 holdout posts whose prompts had not changed
    wrote differently once the dev set's reply prompts changed; with the reset, two runs
    agreed on 29 of 30. A change's effect is then the change's, not the run's."""
    from draftrx.compose.pipeline import Composer, MessageFound, Request, VariantDone
    from draftrx.compose.platforms import choose, load_platforms
    from draftrx.compose.readability import grade
    from draftrx.compose.settings import Settings
    from draftrx.engine import GenerationParams
    from draftrx.engine.events import collect
    from draftrx.privacy.scanner import default_scanner

    scanner = default_scanner()
    known = load_platforms()
    composer = Composer(engine.stream, scanner, Settings(), cancel=engine.cancel,
                        batch=engine.stream_batch, cancel_one=engine.cancel_sequence)  # fmt: skip
    params = GenerationParams(max_tokens=max_tokens, temperature=temperature, seed=0,
                              speculate=speculate)  # fmt: skip
    judged: list[Judged] = []
    fresh = getattr(engine, "reset_cache", lambda: None)  # a practice server keeps its own
    for case in sorted(cases, key=lambda c: (c.task, c.id)):
        fresh()
        platforms = choose(",".join(case.platforms), known)
        findings = [f for f in scanner.scan(case.draft) if f.blocking]
        originals = [case.draft[f.start : f.end] for f in findings]
        request = Request(case.draft, case.task, tuple(platforms), seed=0, candidates=candidates)
        start = time.perf_counter()
        message, done = None, []
        for event in composer.compose(request, params):
            if isinstance(event, MessageFound):
                message = event.message
            elif isinstance(event, VariantDone):
                done.append(event.variant)
        each = (time.perf_counter() - start) / max(1, len(done))
        for v in done:
            g = grade(v.text)
            judged.append(Judged(
                case.id, case.kind, v.platform.id, "draftrx", v.text,
                **judge(v.text, case, originals),
                blocked=[c.id for c in v.checks if c.severity == "block"],
                grade=round(g.mean, 1) if g else None, seconds=round(each, 2),
                key_message=message.text if message else "",
                message_source=message.source if message else "",
                message_right=message is not None and carries(message.text, case),
                candidates=1 + len(v.others), cut=v.cut,
            ))  # fmt: skip
        if baseline:
            for platform in platforms:
                prompt = _PLAIN[case.task].format(platform=platform.name)
                start = time.perf_counter()
                plain = [{"role": "user", "content": f"{prompt}\n\n{case.draft}"}]
                text, _ = collect(engine.stream(plain, params))
                g = grade(text)
                judged.append(Judged(
                    case.id, case.kind, platform.id, "plain", text.strip(),
                    **judge(text, case, originals),
                    grade=round(g.mean, 1) if g else None,
                    seconds=round(time.perf_counter() - start, 2),
                ))  # fmt: skip
        if progress is not None:
            for j in (j for j in judged if j.case == case.id):
                progress(f"{case.id} {j.system}/{j.platform}: {j.verdict}")
    return judged
