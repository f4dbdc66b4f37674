"""Tracebacks for bug reports that cannot carry a draft.

An exception's message may quote its input (a KeyError on a name, a ValueError on a
sentence), so only the type and the code locations are printed, never the message.
"""

from __future__ import annotations

import sys
import threading
import traceback
from typing import TextIO


def print_redacted(exc: BaseException, file: TextIO | None = None) -> None:
    out = file or sys.stderr
    frames = "".join(traceback.format_tb(exc.__traceback__))
    out.write(
        "Traceback (most recent call last; the message is left out, it may quote a draft):\n"
        f"{frames}{type(exc).__module__}.{type(exc).__qualname__}\n"
    )


def install_hooks() -> None:
    """Route uncaught exceptions (the GUI thread's slots, other threads) through
    print_redacted instead of Python's default printer."""
    sys.excepthook = lambda _type, exc, _tb: print_redacted(exc)
    threading.excepthook = _thread_hook


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        print_redacted(args.exc_value)
