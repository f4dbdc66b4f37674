"""`draftrx server add|list|test|remove`, and `--server` for the commands that write.

Naming a server is the opt-in: `server add`, or `--server` on a command. A command that
uses one says so on standard error before anything is sent, and never waits for input
there, so scripts keep working.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from draftrx import servers
from draftrx.vault.errors import NeedsPassphrase, VaultError
from draftrx.vault.store import Vault, default_path

PASSPHRASE_ENV = "DRAFTRX_VAULT_PASSPHRASE"


def add_parsers(sub: Any) -> None:  # argparse's private _SubParsersAction
    server = sub.add_parser("server", help="a practice's own inference server (opt-in)")
    ssub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    p = ssub.add_parser("add", help="add or replace a server; the key is asked for "
                        f"(or read from ${servers.KEY_ENV})")  # fmt: skip
    p.add_argument("name")
    p.add_argument("url", help="base URL, e.g. https://ai.clinic.lan:8443")
    p.add_argument("--model", default="", help="model id (default: its only one)")
    p.add_argument("--ca", default="", metavar="FILE",
                   help="CA certificate (PEM) for a practice's own certificate")  # fmt: skip
    p.add_argument("--no-key", action="store_true", help="the server asks for no key")
    p.set_defaults(run=_add)
    p = ssub.add_parser("list", help="the servers added")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_list)
    p = ssub.add_parser("test", help="reachability, key, model, time to first token, tokens/s")
    p.add_argument("name", help="a server's name, or a URL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_test)
    p = ssub.add_parser("remove", help="forget a server and its key")
    p.add_argument("name")
    p.set_defaults(run=_remove)


def add_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", default=None, metavar="NAME|URL",
                   help="write on a practice server instead of this computer; only the "
                        "protected prompt is sent")  # fmt: skip


def connect(name_or_url: str):  # -> RemoteEngine
    """The server's engine, after saying on standard error what leaves this computer."""
    server = servers.find(name_or_url)
    key = servers.key_for(server, open_history)
    engine = servers.connect(server, key)
    print(f"Practice server: {engine.config.host} · {engine.config.model}. Only the protected "
          "prompt is sent (identifiers replaced here); the draft stays on this computer.",
          file=sys.stderr)  # fmt: skip
    if not engine.config.encrypted:
        print("Warning: the address is http://, so the prompt and the key cross the network "
              "unencrypted; ask the practice's IT for an https:// address.", file=sys.stderr)
    return engine


def _add(args: argparse.Namespace) -> int:
    key = None
    if not args.no_key:
        key = os.environ.get(servers.KEY_ENV)
        if key is None:
            if not sys.stdin.isatty():
                raise ValueError(f"Give the server's API key in ${servers.KEY_ENV} (no terminal "
                                 "to ask in), or --no-key for a server without one.")  # fmt: skip
            key = getpass.getpass(f"API key for {args.name} (Enter for none): ") or None
    server = servers.add(args.name, args.url, args.model, args.ca, key, open_history)
    where = {"keyring": "in the system keyring", "history": "in the drafts history",
             "": "none"}[server.key_in]  # fmt: skip
    print(f"Added {server.name}: {server.url} · {server.model}. Key: {where}.")
    return 0


def _list(args: argparse.Namespace) -> int:
    found = servers.load()
    if args.json:
        print(json.dumps([vars(s) | {"key": s.key_in or "none"} for s in found.values()],
                         indent=2))  # fmt: skip
        return 0
    if not found:
        print("No practice server added; DraftRx writes on this computer only.")
    for s in found.values():
        ca = f", CA {s.ca}" if s.ca else ""
        print(f"{s.name}  {s.url}  {s.model}  (key: {s.key_in or 'none'}{ca})")
    return 0


def _test(args: argparse.Namespace) -> int:
    server = servers.find(args.name)
    result = servers.test(server, servers.key_for(server, open_history))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['server']}: reachable, key accepted, model {result['model']} is there.")
        print(f"  time to first token {result['ttft_s']:.2f} s, "
              f"{result['decode_tok_s']:.1f} tokens/s ({result['tokens']} tokens, "
              f"stopped by {result['stop_reason']})")  # fmt: skip
    return 0


def _remove(args: argparse.Namespace) -> int:
    if not servers.remove(args.name, open_history):
        raise ValueError(f"No practice server is called '{args.name}'.")
    print(f"Removed {args.name} and its key.")
    return 0


def open_history(create: bool = True) -> Vault:
    """The drafts history, unlocked by the keyring or a passphrase ($DRAFTRX_VAULT_PASSPHRASE,
    or asked for in a terminal); made if need be, as it keeps a server's key where there is
    no keyring, unless `create` is False."""
    path = default_path()
    if not create and not path.exists():
        raise VaultError(f"There is no drafts history yet ({path}).")
    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        return Vault.open(path, passphrase)
    except NeedsPassphrase:
        if passphrase is not None or not sys.stdin.isatty():
            raise VaultError(f"The drafts history is protected by a passphrase; run this in "
                             f"a terminal or set {PASSPHRASE_ENV}.") from None  # fmt: skip
    return Vault.open(path, getpass.getpass("Drafts history passphrase: "))
