"""`draftrx bench`: measurements that span the layers, so they live above the core.

One module a part: engine (the engine against a raw llama-cpp-python loop), speed (background
prefill, batched variants, speculation), privacy (the scanner), vault (the encrypted history)
and gui (the window; the only part that imports Qt). `draftrx.bench.run` runs the parts the
command asks for. Nothing in the core (engine, compose, privacy, vault) imports this package.
"""

from __future__ import annotations

import sys


def failure(exc: BaseException) -> dict[str, str]:
    """A failed measurement as the report shows it: {"error": "Type: message"}.

    The bench runs on the project's own fixture texts, never a user's draft, so the message
    may be shown; the traceback goes to stderr without it, as every DraftRx traceback does.
    """
    from draftrx.tracebacks import print_redacted

    print_redacted(exc, sys.stderr)
    return {"error": f"{type(exc).__name__}: {exc}"}
