"""One history item as Markdown or plain text, for the physician's own records."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from draftrx.vault.store import Item

FORMATS = ("md", "txt")


def render(item: Item, fmt: str = "md") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"Export as one of {', '.join(FORMATS)}, not {fmt!r}.")
    md = fmt == "md"

    def heading(level: int, text: str) -> str:
        return f"{'#' * level} {text}" if md else f"{text}\n{'=-~.'[level - 1] * len(text)}"

    out = [heading(1, f"Draft {item.id}"),
           f"Saved {when(item.created)}; last changed {when(item.updated)}.",
           heading(2, "Draft"), item.text.strip()]  # fmt: skip
    for n, rewrite in enumerate(item.rewrites, 1):
        out.append(heading(2, f"Rewrite {n}: {_describe(rewrite)}"))
        for variant in rewrite.get("variants", []):
            out.append(heading(3, variant.get("platform") or "Post"))
            out.append(variant.get("text", "").strip())
            if variant.get("edited"):
                out += [heading(4, "As you edited it"), variant["edited"].strip()]
            out.extend(_checks(variant, md))
    return "\n\n".join(out) + "\n"


def write(item: Item, out: Path, fmt: str | None = None) -> None:
    """Write atomically: a temporary file in the same folder, renamed over the target."""
    text = render(item, fmt or ("txt" if out.suffix.lower() == ".txt" else "md"))
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _describe(rewrite: dict[str, Any]) -> str:
    parts = [when(rewrite["created"]), rewrite.get("task", "?"), rewrite.get("privacy", "?")]
    if rewrite.get("stopped"):
        parts.append("stopped before the end")
    return ", ".join(parts)


def _checks(variant: dict[str, Any], md: bool) -> list[str]:
    bullet = "-" if md else "*"
    lines = [f"{bullet} {c['severity']}: {c['message']}" for c in variant.get("checks", [])
             if c["severity"] != "ok"]  # fmt: skip
    if variant.get("override"):
        lines.append(f"{bullet} blocking checks overridden: {variant['override']}")
    return ["Checks:\n" + "\n".join(lines)] if lines else []
