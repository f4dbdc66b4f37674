"""Command line: headless access to the same core the desktop app uses."""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from draftrx import __version__, cli_server
from draftrx.compose.prompts import TASKS
from draftrx.compose.settings import DEFAULT_CANDIDATES
from draftrx.engine.errors import EngineError
from draftrx.vault import guard
from draftrx.vault.errors import VaultError

PASSPHRASE_ENV = cli_server.PASSPHRASE_ENV


def main(argv: list[str] | None = None) -> int:
    guard.install()  # before anything else runs: no command may reach the network
    parser = _parser()
    args = parser.parse_args(argv)
    if args.time_to_show:
        return _time_to_show()
    if args.command is None:
        return _window(args)
    if args.screenshot or args.draft or args.rewrite:
        parser.error("--screenshot, --draft and --rewrite open the window; give no sub-command")
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        print("draftrx: error: standard output is closed; send it to a file or a pipe.",
              file=sys.stderr)  # fmt: skip
        return 1
    try:
        status = args.run(args)
        sys.stdout.flush()  # a reader that left shows here, not in the flush at exit
        return status
    except BrokenPipeError:
        return _reader_left()
    except (EngineError, VaultError, ValueError, OSError, sqlite3.Error) as exc:
        print(f"draftrx: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: report where, never what (the message may quote a draft)
        from draftrx.tracebacks import print_redacted

        print_redacted(exc)
        return 70


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in range, else a message that gives the range."""
    expected = f"a whole number of {low} or more" if high is None else (
        f"a whole number from {low} to {high}")  # fmt: skip

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:  # not a number, or more digits than Python converts
            raise argparse.ArgumentTypeError(f"expected {expected}, not {text[:20]!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {expected}, not {value}")
        return value

    return parse


def _temperature(text: str) -> float:
    """nan, inf and negatives are refused here: the sampler would take them silently."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 2:  # also false for nan
        raise argparse.ArgumentTypeError(
            f"expected a number from 0 (greedy) to 2, not {text[:20]!r}"
        )
    return value


def _reader_left() -> int:
    """Stop quietly when stdout's reader went away (`| head`), with a shell's SIGPIPE status.

    Python's documented recipe: stdout then points at devnull, so the flush at exit cannot
    fail a second time and print its own complaint.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="draftrx",
        description="Rewrite social-media drafts with a local model; no draft leaves the machine.",
    )
    parser.add_argument("--version", action="version", version=f"draftrx {__version__}")
    parser.add_argument("--time-to-show", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--screenshot", type=Path, metavar="OUT.png",
                        help="render the window offscreen to a PNG, then exit")  # fmt: skip
    parser.add_argument("--draft", type=Path, metavar="FILE", help="open the window on this draft")
    parser.add_argument("--rewrite", action="store_true",
                        help="with --screenshot: rewrite the draft first (real model)")  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    models = sub.add_parser("models", help="list, inspect and locate models")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    p = msub.add_parser("list", help="known models and GGUF files in the models folder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_models_list)
    p = msub.add_parser("info", help="metadata and memory estimate of a GGUF file")
    p.add_argument("path", type=Path)
    p.add_argument("--ctx", type=int, default=None, help="context size for the RAM estimate")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_models_info)
    p = msub.add_parser("path", help="print a built-in model's path (assembling it once)")
    p.add_argument("id", nargs="?", type=Path, default=None, help="model id (default: default)")
    p.set_defaults(run=_models_path)

    p = sub.add_parser("rewrite", help="stream rewrites and platform variants of a draft")
    p.add_argument("file", help="draft text file, or - for standard input")
    p.add_argument(
        "--task",
        default="educational",
        choices=TASKS,
        help="what to write (reply-*: the file is the comment, review or message)",
    )
    p.add_argument("--platform", default="", help="variants to write, e.g. x,linkedin,tiktok")
    p.add_argument(
        "--sponsored",
        nargs="?",
        const="",
        default=None,
        metavar="BRAND",
        help="mark the post sponsored (adds a disclosure)",
    )
    p.add_argument("--diff", action="store_true", help="print a word diff from the draft")
    p.add_argument(
        "--message",
        default=None,
        metavar="TEXT",
        help="the key message every variant must keep (default: found in the draft); "
        "for a reply, your point, kept inside the reply's safety lines",
    )
    p.add_argument(
        "--candidates",
        type=_whole(1, 4),
        default=DEFAULT_CANDIDATES,
        metavar="N",
        help=f"candidates per platform, 1-4; the checks pick one (default {DEFAULT_CANDIDATES})",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object when done instead of the text report",
    )
    p.add_argument("--max-tokens", type=_whole(1, 100_000), default=400)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--temperature", type=_temperature, default=None,
                   help="sampling temperature (default: the model's own recommendation, "
                        "else 0.7; 0 is greedy)")  # fmt: skip
    p.add_argument("--stats", action="store_true", help="print one JSON line of timings on stderr")
    _add_privacy_mode(p)
    _add_model_options(p)
    cli_server.add_option(p)
    p.set_defaults(run=_rewrite)

    p = sub.add_parser("check", help="check a finished post for a platform (no model)")
    p.add_argument("file", help="post text file, or - for standard input")
    p.add_argument("--platform", default=None, help="platform whose limits apply")
    p.add_argument("--reply", action="store_true", help="the text is a reply to someone")
    p.add_argument("--sponsored", action="store_true", help="the post is sponsored")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_check)

    p = sub.add_parser("deid", help="print a draft with its identifiers replaced (no model)")
    p.add_argument("file", help="draft text file, or - for standard input")
    _add_privacy_mode(p)
    p.add_argument("--keep", default="", help="finding numbers to leave as they are, e.g. 2,5")
    p.add_argument("--quasi", action="store_true", help="generalise vague-posting cues too")
    p.add_argument("--seed", type=int, default=None, help="make the stand-ins reproducible")
    p.set_defaults(run=_deid)

    p = sub.add_parser("scan", help="find identifiers in JSON Lines {id, text}; one line out each")
    p.add_argument("file", nargs="?", default="-", help="JSON Lines file (default: stdin)")
    p.set_defaults(run=_scan)

    p = sub.add_parser("eval-deid", help="recall and precision of the scanner on gold spans")
    p.add_argument(
        "datasets", nargs="*", type=Path,
        help="presidio-research JSON or DraftRx JSONL (default: the bundled clinical sets)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.add_argument("--ner", action="store_true", help="add spaCy's statistical NER")
    p.add_argument(
        "--stock", action="store_true", help="score stock Presidio instead, for comparison"
    )
    p.add_argument(
        "--disguise", action="store_true",
        help="hide a zero-width character in every gold identifier, and a look-alike letter "
        "or another script's digit in a third of them (seeded)",
    )  # fmt: skip
    p.set_defaults(run=_eval_deid)

    p = sub.add_parser(
        "eval-rewrite", help="usable posts on the rewrite gold sets, against a plain prompt"
    )
    p.add_argument("datasets", nargs="*", type=Path,
                   help="rewrite gold JSONL (default: the bundled dev and holdout)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print one JSON object with every variant")
    p.add_argument("--candidates", type=_whole(1, 4), default=None,
                   help="candidates per platform (default: as rewrite)")  # fmt: skip
    p.add_argument("--limit", type=_whole(1), default=None,
                   help="only the first N drafts of each set")  # fmt: skip
    p.add_argument("--no-baseline", action="store_true", help="skip the plain-prompt baseline")
    p.add_argument("--messages-only", action="store_true",
                   help="only find each draft's key message and score it")  # fmt: skip
    p.add_argument("--temperature", type=_temperature, default=0.0)
    p.add_argument("--max-tokens", type=_whole(1, 100_000), default=300)
    p.add_argument("--speculate", action="store_true",
                   help="guess ahead as the app does (runs then differ by rounding)")
    _add_model_options(p)
    cli_server.add_option(p)
    p.set_defaults(run=_eval_rewrite)

    p = sub.add_parser("bench", help="measure the engine against a raw llama-cpp-python loop")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="fewer tokens and rounds (< 60 s)")
    p.add_argument("--only", help="run one part",
                   choices=["engine", "speed", "models", "privacy", "vault", "gui", "server"])
    _add_model_options(p)
    cli_server.add_option(p)
    p.set_defaults(run=_bench)

    cli_server.add_parsers(sub)

    p = sub.add_parser("doctor", help="offline guard, keyring, history, model and versions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_doctor)

    history = sub.add_parser(
        "history",
        help="the encrypted drafts history",
        description=f"Without a system keyring, the passphrase is asked for (or read from "
        f"{PASSPHRASE_ENV}).",
    )
    hsub = history.add_subparsers(dest="history_command", metavar="ACTION", required=True)
    p = hsub.add_parser("list", help="saved drafts, newest first")
    p.add_argument("--search", default="", metavar="WORDS", help="only drafts with all words")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_history_list)
    p = hsub.add_parser("show", help="a draft with its rewrites, variants and checks")
    p.add_argument("id", type=int)
    p.set_defaults(run=_history_show)
    p = hsub.add_parser("export", help="one draft as Markdown or text")
    p.add_argument("id", type=int)
    p.add_argument("-o", "--output", type=Path, default=None, help="file (default: stdout)")
    p.add_argument("--format", choices=["md", "txt"], default=None,
                   help="default: from the file name, else md")  # fmt: skip
    p.set_defaults(run=_history_export)
    p = hsub.add_parser("delete", help="delete one draft and its rewrites")
    p.add_argument("id", type=int)
    p.set_defaults(run=_history_delete)
    p = hsub.add_parser("forget", help="delete the whole history and its key")
    p.add_argument("--all", action="store_true", required=True, help="required: everything")
    p.set_defaults(run=_history_forget)
    return parser


def _window(args: argparse.Namespace) -> int:
    """With no sub-command: the desktop window."""
    if args.rewrite and not (args.screenshot and args.draft):
        print("draftrx: error: --rewrite needs --screenshot and --draft", file=sys.stderr)
        return 2
    from draftrx.ui.app import run

    return run(args.screenshot, args.draft, args.rewrite)


def _time_to_show() -> int:
    """The GUI bench's fresh process: seconds from here (Qt not yet imported) to a shown window."""
    start = time.perf_counter()
    from draftrx.ui.app import time_to_show

    print(time_to_show(start))
    return 0


def _add_privacy_mode(p: argparse.ArgumentParser) -> None:
    p.add_argument("--privacy", choices=["fictionalise", "generalise", "redact"],
                   default="fictionalise", help="how identifiers are replaced")  # fmt: skip


def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, default=None,
                   help="GGUF file, or a built-in model's id from `models list`")  # fmt: skip
    p.add_argument("--threads", type=_whole(1, 1024), default=None,
                   help="CPU threads (default: cores)")  # fmt: skip
    p.add_argument("--gpu-layers", type=_whole(-1, 9999), default=None,
                   help="layers to offload (-1: all)")  # fmt: skip
    p.add_argument("--ctx", type=int, default=None, help="context size in tokens")


def _resolve_model(path: Path | None) -> Path:
    """A GGUF file, a built-in model's id (assembled once) or, without either, the default."""
    from draftrx.engine.models import by_id, default_model

    model = default_model() if path is None else by_id(str(path))
    if model is None:
        assert path is not None
        return path
    state = model.state()
    if state in ("bundled", "installed"):
        verb = "Checking" if state == "bundled" else "Preparing"
        print(f"{verb} the model {model.name}, once…", file=sys.stderr)
    return model.ensure()


def _load_engine(args: argparse.Namespace):  # -> Engine, or RemoteEngine with --server
    from draftrx.engine import Engine, EngineConfig

    if getattr(args, "server", None):
        if args.model is not None:
            raise ValueError("--model and --server both choose what writes: give one.")
        return cli_server.connect(args.server)
    config = EngineConfig(
        model_path=_resolve_model(args.model),
        n_ctx=args.ctx,
        n_threads=args.threads,
        n_gpu_layers=args.gpu_layers,
    )
    return Engine(config)


def _models_list(args: argparse.Namespace) -> int:
    from draftrx.engine.models import catalogue, user_models

    rows = []
    for model in catalogue():
        state = model.state()
        missing = model.missing_packages() if state == "missing" else []
        rows.append(
            {
                "id": model.id,
                "name": model.name,
                "default": model.default,
                "state": state,
                "path": str(model.path),
                "size": model.size,
                "license": model.license,
                "missing_packages": missing,
                "install": model.install,
            }
        )
    rows += [
        {
            "id": p.stem,
            "name": p.name,
            "default": False,
            "state": "user",
            "path": str(p),
            "size": p.stat().st_size,
        }
        for p in user_models()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    from draftrx.engine import hardware

    offload = "supports" if hardware.gpu_offload_supported() else "has no"
    print(f"llama.cpp build: {hardware.backend_name()} ({offload} GPU offload)")
    for row in rows:
        mark = "*" if row["default"] else " "
        size_mb = row["size"] / 2**20
        print(f"{mark} {row['id']:<40} {row['state']:<9} {size_mb:8.0f} MB  {row['path']}")
        if row.get("missing_packages"):
            print(f"    missing: {', '.join(row['missing_packages'])}; install: {row['install']}")
    return 0


def _models_info(args: argparse.Namespace) -> int:
    from draftrx.engine.engine import DEFAULT_CTX
    from draftrx.engine.gguf import read_gguf

    info = read_gguf(args.path)
    n_ctx = args.ctx or min(info.context_length or DEFAULT_CTX, DEFAULT_CTX)
    facts = {
        "path": str(info.path),
        "name": info.name,
        "architecture": info.architecture,
        "parameters": info.parameter_count,
        "quantisation": info.quantisation,
        "context_length": info.context_length,
        "chat_template": info.chat_template is not None,
        "file_size": info.file_size,
        "estimated_ram": info.estimate_ram(n_ctx),
        "estimated_ram_ctx": n_ctx,
        "gguf_version": info.version,
    }
    if args.json:
        print(json.dumps(facts, indent=2))
        return 0
    print(f"{info.name}  ({info.path})")
    print(f"  architecture    {info.architecture}")
    print(f"  parameters      {info.parameter_count / 1e9:.2f} B")
    print(f"  quantisation    {info.quantisation}")
    print(f"  context length  {info.context_length or 'unknown'}")
    print(f"  chat template   {'yes' if info.chat_template else 'no'}")
    print(f"  file size       {info.file_size / 2**20:,.0f} MB")
    ram_mb = info.estimate_ram(n_ctx) / 2**20
    print(f"  estimated RAM   {ram_mb:,.0f} MB at {n_ctx} tokens of context")
    return 0


def _models_path(args: argparse.Namespace) -> int:
    from draftrx.engine.models import by_id

    if args.id is not None and by_id(str(args.id)) is None:
        print(f"No built-in model has the id {args.id}; `draftrx models list` names them.",
              file=sys.stderr)  # fmt: skip
        return 2
    print(_resolve_model(args.id))
    return 0


def _read_draft(name: str) -> str:
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"The draft {name} is not UTF-8 text.") from None
    if not text.strip():
        raise ValueError("The draft is empty.")
    return text


def _protect(draft: str, mode: str, keep: str = "", quasi: bool = False, seed: int | None = None):
    """Scan and replace identifiers; report what was done on stderr (types only, no text)."""
    from draftrx.privacy.fictionalise import Mode, fictionalise
    from draftrx.privacy.scanner import default_scanner

    findings = default_scanner().scan(draft)
    numbers = [n.strip() for n in keep.split(",") if n.strip()]
    if not all(n.isdigit() and 1 <= int(n) <= len(findings) for n in numbers):
        raise ValueError(f"--keep takes finding numbers from 1 to {len(findings)}, not {keep!r}")
    kept = {findings[int(n) - 1] for n in numbers}
    result = fictionalise(draft, findings, Mode(mode), keep=kept, quasi=quasi, seed=seed)
    _report_findings(findings, kept, mode, quasi)
    return result


def _report_findings(findings, kept, mode: str, quasi: bool = False) -> None:
    for n, f in enumerate(findings, 1):
        action = "kept" if f in kept else mode if f.blocking or quasi else "warning"
        print(f"  {n:>2} {f.type:<14} {action:<12} {f.explanation}", file=sys.stderr)


def _platforms(spec: str | None):  # -> (settings, list[Platform])
    from draftrx.compose.platforms import choose, load_platforms
    from draftrx.compose.settings import load_settings

    settings = load_settings()
    known = load_platforms(limits=settings.limits)
    return settings, choose(spec, known) if spec else []


def _rewrite(args: argparse.Namespace) -> int:
    from draftrx.compose.pipeline import (
        Composer,
        MessageFound,
        Request,
        VariantDone,
        VariantStarted,
        VariantStats,
        VariantText,
    )
    from draftrx.engine import GenerationParams
    from draftrx.privacy.fictionalise import Mode
    from draftrx.privacy.scanner import default_scanner

    draft = _read_draft(args.file)
    settings, platforms = _platforms(args.platform)
    params = GenerationParams(
        max_tokens=args.max_tokens, temperature=args.temperature, seed=args.seed
    )
    if args.message is not None and not args.message.strip():
        raise ValueError("--message is empty; give the key message, or leave it out.")
    request = Request(draft, args.task, tuple(platforms), Mode(args.privacy),
                      sponsor=args.sponsored, seed=args.seed, message=args.message,
                      candidates=args.candidates)  # fmt: skip
    status = 0
    live = not args.json  # --json: one object at the end, nothing streamed on stdout
    shown = _Shown()
    variants: list[dict[str, object]] = []
    report: dict[str, object] = {"message": None, "variants": variants}
    with _load_engine(args) as engine:
        composer = Composer(engine.stream, default_scanner(), settings, cancel=engine.cancel,
                            batch=engine.stream_batch,
                            cancel_one=engine.cancel_sequence)  # fmt: skip
        protected = composer.protect(request)
        _report_findings(protected.findings, set(), args.privacy)
        events = composer.compose(request, params, protected)
        # Ctrl+C cancels the stream cleanly (stats still printed) instead of interrupting C code.
        interrupted: list[bool] = []

        def interrupt(*_: object) -> None:
            interrupted.append(True)
            composer.cancel()

        previous = signal.signal(signal.SIGINT, interrupt)
        try:
            for event in events:
                if isinstance(event, MessageFound):
                    report["message"] = event.message.to_json()
                    if live:
                        _out(f"Key message ({_SOURCES[event.message.source]}): "
                             f"{event.message.text}\n")  # fmt: skip
                elif isinstance(event, VariantStarted) and live:
                    shown.started(event.platform, event.attempt)
                elif isinstance(event, VariantStats):
                    if live and event.candidate == 0:
                        shown.text(event.platform, "\n")
                    if args.stats:
                        print(json.dumps(_stats_line(event.stats, engine)), file=sys.stderr)
                elif isinstance(event, VariantDone):
                    variants.append(_variant_json(event.variant))
                    if live:
                        shown.done(event.variant, args.diff)
                    status = max(status, 3 if event.variant.severity == "block" else 0)
                elif isinstance(event, VariantText) and live and event.candidate == 0:
                    shown.text(event.platform, event.text)
        finally:
            signal.signal(signal.SIGINT, previous)
            events.close()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    return 130 if interrupted else status


class _Shown:
    """Variants written together, printed one after another: the first platform streams
    live, the others' text is held until the one before them is done."""

    def __init__(self) -> None:
        self.current: object = None  # the platform streaming live; None before the first
        self.held: dict[object, list[str]] = {}  # platform -> header and text not yet shown

    def started(self, platform, attempt: str) -> None:
        name = platform.name if platform else "Post"
        header = f"\n=== {name}{' (shortening)' if attempt == 'shorten' else ''} ===\n"
        if attempt == "shorten":
            self._show(platform)
        self.held.setdefault(platform, []).append(header)
        if self.current is None or attempt == "shorten":
            self._show(platform)

    def text(self, platform, text: str) -> None:
        if platform == self.current:
            _out(text)
        else:
            self.held.setdefault(platform, []).append(text)

    def done(self, variant, show_diff: bool) -> None:
        self._show(variant.platform)
        _print_variant(variant, show_diff)

    def _show(self, platform) -> None:
        self.current = platform
        _out("".join(self.held.pop(platform, [])))


_SOURCES = {"draft": "your own words", "model": "found by the model; set it with --message",
            "chosen": "your sentences that read most like your point; set it with --message",
            "library": "DraftRx's lesson on your topic; check it, set it with --message",
            "closing": "your last sentence, taken as the point; set it with --message",
            "physician": "as you set it", "task": "the reply's own",
            "reply": "your point, with the reply's standard words and safety lines"}  # fmt: skip


def _variant_json(variant) -> dict[str, object]:
    def one(v) -> dict[str, object]:
        return {"text": v.text, "severity": v.severity, "checks": [c.to_json() for c in v.checks]}

    return {
        "platform": variant.platform.id if variant.platform else None,
        **one(variant),
        "posts": variant.posts,
        "shortened": variant.shortened,
        "candidates": [one(variant)] + [one(o) for o in variant.others],
    }


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _stats_line(stats, engine) -> dict[str, object]:
    return {
        "ttft_s": round(stats.ttft_s, 4),
        "prefill_tokens": stats.prefill_tokens,
        "reused_tokens": stats.reused_tokens,
        "decode_tokens": stats.decode_tokens,
        "decode_tok_s": round(stats.decode_tok_s, 2),
        "total_s": round(stats.total_s, 4),
        "stop_reason": stats.stop_reason,
        **engine.describe(),
    }


def _print_variant(variant, show_diff: bool) -> None:
    from draftrx.compose.diff import format_diff

    name = variant.platform.name if variant.platform else "Post"
    how = ", shortened" if variant.shortened else ""
    how += f", {len(variant.posts)} posts" if len(variant.posts) > 1 else ""
    how += f", best of {1 + len(variant.others)}" if variant.others else ""
    _out(f"--- {name}: final{how} ---\n{variant.text}\n")
    if show_diff:
        _out(f"--- {name}: changes from the draft ---\n")
        _out(format_diff(variant.diff, color=sys.stdout.isatty()) + "\n")
    _out(_format_checks(variant.checks))


def _format_checks(checks) -> str:
    lines = [f"  {c.severity:<5} {c.id:<20} {c.message}" for c in checks]
    return "checks:\n" + "\n".join(lines) + "\n"


def _check(args: argparse.Namespace) -> int:
    from draftrx.compose.checks import run_checks, worst
    from draftrx.compose.readability import grade
    from draftrx.privacy.scanner import default_scanner

    text = _read_draft(args.file).strip()
    _, platforms = _platforms(args.platform)
    if len(platforms) > 1:
        raise ValueError("check takes one platform at a time (--platform x).")
    platform = platforms[0] if platforms else None
    checks = run_checks(text, default_scanner(), platform=platform, reply=args.reply,
                        sponsored=args.sponsored)  # fmt: skip
    g = grade(text)
    report = {
        "platform": platform.id if platform else None,
        "length": platform.length(text) if platform else len(text),
        "limit": platform.limit if platform else None,
        "grade": g.to_json() if g else None,
        "checks": [c.to_json() for c in checks],
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        limit = f" of {report['limit']}" if platform else ""
        print(f"{platform.name if platform else 'Post'}: {report['length']}{limit}"
              f" {platform.unit if platform else 'characters'}")  # fmt: skip
        _out(_format_checks(checks))
    return 3 if worst(checks) == "block" else 0


def _deid(args: argparse.Namespace) -> int:
    result = _protect(_read_draft(args.file), args.privacy, args.keep, args.quasi, args.seed)
    sys.stdout.write(result.text)
    return 0


def _scan(args: argparse.Namespace) -> int:
    from draftrx.privacy.scanner import default_scanner

    scanner = default_scanner()
    stream = sys.stdin.buffer if args.file == "-" else Path(args.file).open("rb")  # noqa: SIM115
    with stream:
        for n, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            # JSON Lines are UTF-8 whatever the terminal's encoding.
            sys.stdout.buffer.write(_scan_line(scanner, raw, n).encode("utf-8") + b"\n")
            sys.stdout.buffer.flush()
    return 0


class _BadLine(ValueError):
    """A scan input line that is not strict JSON; the message never quotes the line."""


def _refuse_constant(name: str) -> float:
    raise _BadLine(f"{name} is not a JSON number")


def _finite(literal: str) -> float:
    """Refused, not read as inf: the id is echoed and the output must stay strict JSON."""
    value = float(literal)
    if not math.isfinite(value):
        raise _BadLine("a number is too large")
    return value


def _json_int(literal: str) -> int:
    try:
        return int(literal)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise _BadLine("a number has too many digits") from None


# Line breaks to Unicode (and Python's splitlines) that JSON leaves raw inside strings.
_UNICODE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _scan_line(scanner, raw: bytes, n: int) -> str:
    """One strict JSON output line; a bad line gets an error and the run goes on. An id
    holding a Unicode line break gets it escaped, so no reader sees two lines."""
    line = json.dumps(_scan_result(scanner, raw, n), ensure_ascii=False, allow_nan=False)
    return line.translate(_UNICODE_BREAKS)


def _scan_result(scanner, raw: bytes, n: int) -> dict[str, object]:
    try:
        obj = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant,
                         parse_float=_finite, parse_int=_json_int)  # fmt: skip
    except UnicodeDecodeError:
        return {"id": None, "error": f"line {n} is not valid UTF-8"}
    except RecursionError:
        return {"id": None, "error": f"line {n} nests too deeply to read"}
    except _BadLine as exc:
        return {"id": None, "error": f"line {n} is not strict JSON: {exc}"}
    except ValueError as exc:
        return {"id": None, "error": f"line {n} is not JSON: {exc.args[0]}"}
    if not isinstance(obj, dict):
        return {"id": None, "error": f"line {n} is not a JSON object"}
    ident = obj.get("id")
    if not _utf8_json(ident):
        return {"id": None, "error": f"line {n} has an id that cannot be written back as "
                                     "JSON (a lone surrogate, or nested too deeply)"}  # fmt: skip
    text = obj.get("text")
    if not isinstance(text, str):
        return {"id": ident, "error": f'line {n} has no "text" string'}
    if not _utf8_json(text):
        return {"id": ident, "error": f'line {n} has a lone surrogate (\\ud800-\\udfff) in '
                                      'its "text", which is not Unicode text'}  # fmt: skip
    return {"id": ident, "findings": [f.to_json() for f in scanner.scan(text)]}


def _utf8_json(value: object) -> bool:
    """Whether `value` can be written as UTF-8 JSON (a lone surrogate cannot)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        return False
    return True


def _eval_deid(args: argparse.Namespace) -> int:
    from draftrx.privacy.evaluate import disguised, evaluate, format_report, gold_sets, load
    from draftrx.privacy.scanner import Scanner

    if args.stock:
        from draftrx.privacy.stock import StockPresidio

        scanner = StockPresidio()
    else:
        scanner = Scanner(ner=args.ner)
    reports = []
    for path in args.datasets or gold_sets():
        try:
            examples = load(path)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path} is not in a gold format DraftRx reads ({exc}).") from None
        if args.disguise:
            examples = disguised(examples)
        reports.append(evaluate(examples, scanner, path.name))
    if args.json:
        print(json.dumps([r.to_json() for r in reports], indent=2))
    else:
        print("\n\n".join(format_report(r) for r in reports))
    return 0


def _eval_rewrite(args: argparse.Namespace) -> int:
    from draftrx.evals import rewrite

    candidates = args.candidates or DEFAULT_CANDIDATES
    report: dict[str, object] = {"sets": []}
    texts = []
    with _load_engine(args) as engine:
        facts = {**engine.describe(), "candidates": candidates, "temperature": args.temperature,
                 "speculation": args.speculate}  # fmt: skip
        report["facts"] = facts
        for path in args.datasets or rewrite.gold_sets():
            cases = rewrite.load(path)[: args.limit]
            if args.messages_only:
                found = rewrite.key_messages(cases, engine)
                report["sets"].append({"name": path.name,  # type: ignore[union-attr]
                                       "messages": [asdict(f) for f in found]})  # fmt: skip
                texts.append(rewrite.format_messages(path.name, found))
                continue
            judged = rewrite.run(
                cases, engine, candidates=candidates, temperature=args.temperature,
                max_tokens=args.max_tokens, baseline=not args.no_baseline,
                progress=lambda line: print(line, file=sys.stderr, flush=True),
                speculate=args.speculate,
            )  # fmt: skip
            sums = rewrite.summarise(judged)
            report["sets"].append({  # type: ignore[union-attr]
                "name": path.name,
                "summary": {k: v.__dict__ for k, v in sums.items()},
                "variants": [j.to_json() for j in judged],
            })  # fmt: skip
            texts.append(rewrite.format_report(path.name, judged, facts))
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else "\n\n".join(texts))
    return 0


def _bench(args: argparse.Namespace) -> int:
    """Every part runs even if one fails; a failure is reported in its place, then exit 1."""
    from functools import cache

    from draftrx.bench.run import Options, run

    model = cache(lambda: _resolve_model(args.model))
    options = Options(model, quick=args.quick, threads=args.threads,
                      gpu_layers=args.gpu_layers, ctx=args.ctx, server=args.server)  # fmt: skip
    result = run(options, only=args.only)
    print(json.dumps(result.report, indent=2) if args.json else result.text())
    if result.failed:
        print(f"draftrx: error: bench failed: {', '.join(result.failed)}", file=sys.stderr)
        return 1
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from draftrx.doctor import format_report, report

    facts = report()
    print(json.dumps(facts, indent=2) if args.json else format_report(facts))
    return 0 if facts["offline_guard"]["state"] == "on" else 1


def _open_history():  # -> Vault
    """The existing history, unlocked by the keyring or a passphrase; never a new one."""
    return cli_server.open_history(create=False)


def _history_list(args: argparse.Namespace) -> int:
    from draftrx.vault.export import when
    from draftrx.vault.store import default_path

    if not default_path().exists():
        print("[]" if args.json else f"No drafts saved yet ({default_path()}).")
        return 0
    with _open_history() as vault:
        rows = vault.drafts(args.search)
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], indent=2, ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r.id:>5}  {when(r.updated)}  {r.rewrites:>2} rewrites  {r.shown_title}")
    if not rows:
        print("No drafts match." if args.search else "No drafts saved yet.")
    return 0


def _history_item(vault, draft_id: int):  # -> Item
    try:
        return vault.get(draft_id)
    except KeyError:
        raise VaultError(f"There is no draft {draft_id} in the history.") from None


def _history_show(args: argparse.Namespace) -> int:
    from draftrx.vault.export import render

    with _open_history() as vault:
        _out(render(_history_item(vault, args.id), "md"))
    return 0


def _history_export(args: argparse.Namespace) -> int:
    from draftrx.vault.export import render, write

    with _open_history() as vault:
        item = _history_item(vault, args.id)
    if args.output is None:
        _out(render(item, args.format or "md"))
    else:
        write(item, args.output, args.format)
        print(f"Exported draft {args.id} to {args.output}.", file=sys.stderr)
    return 0


def _history_delete(args: argparse.Namespace) -> int:
    with _open_history() as vault:
        if not vault.delete(args.id):
            raise VaultError(f"There is no draft {args.id} in the history.")
    print(f"Deleted draft {args.id}.", file=sys.stderr)
    return 0


def _history_forget(args: argparse.Namespace) -> int:
    from draftrx.vault import keys
    from draftrx.vault.store import default_path, forget

    if forget():
        print(f"Forgot everything: {default_path()} and its key are gone.", file=sys.stderr)
    else:
        print(f"Forgot everything: {default_path()} is gone. It was too damaged to name its "
              f"key, so a {keys.SERVICE!r} entry may remain in the system keyring; delete it "
              "there if you wish.", file=sys.stderr)  # fmt: skip
    return 0
