"""`draftrx doctor`: what this installation does with drafts and models, in one report.

Support questions start here, so it prints no draft text, only states and versions.
"""

from __future__ import annotations

import configparser
import platform
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from draftrx import __version__, paths
from draftrx.vault import guard, keys
from draftrx.vault.errors import VaultDamaged
from draftrx.vault.store import connect_read_only, default_path

PACKAGES = ("llama-cpp-python", "PySide6-Essentials", "presidio-analyzer", "presidio-anonymizer",
            "spacy", "cryptography", "keyring")  # fmt: skip


def report() -> dict[str, Any]:
    return {
        "offline_guard": _guard(),
        "keyring": {"backend": keys.backend_name(), "usable": keys.usable()},
        "history": _history(),
        "folders": _folders(),
        "model": _model(),
        "servers": _servers(),
        "llama_cpp": _llama(),
        "versions": _versions(),
    }


def format_report(r: dict[str, Any]) -> str:
    g, k, h, m, ll = r["offline_guard"], r["keyring"], r["history"], r["model"], r["llama_cpp"]
    lines = [
        f"offline guard   {g['state']}" + (f" ({g['detail']})" if g.get("detail") else ""),
        f"keyring         {k['backend']} ({'usable' if k['usable'] else 'none: passphrase'})",
        f"history         {h['path']} ({h['state']})",
        "folders         " + ", ".join(f"{k} {v}" for k, v in r["folders"].items()),
        f"model           {m.get('name', '?')}: {m['state']} ({m.get('path', '')})",
        *(f"practice server {s['name']}: {s['url']} · {s['model']}, key {s['key']}; "
          f"tried {s['tried']}: {s['result']}" for s in r["servers"]),
        *(["practice server none added: every rewrite runs on this computer"]
          if not r["servers"] else []),
        f"llama.cpp       {ll['backend']} on {', '.join(ll['devices'])}; {ll['system_info']}",
        "versions        " + ", ".join(f"{n} {v}" for n, v in r["versions"].items()),
    ]
    return "\n".join(lines)


def _servers() -> list[dict[str, str]]:
    """Each practice server added, and what asking it for its models gave: reachable, key
    accepted, model there. Nothing but that question is sent."""
    from draftrx import servers
    from draftrx.engine.remote import ServerError

    found: list[dict[str, str]] = []
    try:
        added = servers.load()
    except ValueError as exc:
        return [{"name": "?", "url": "", "model": "", "key": "", "tried": "nothing",
                 "result": str(exc)}]  # fmt: skip
    for server in added.values():
        entry = {"name": server.name, "url": server.url, "model": server.model,
                 "key": server.key_in or "none", "tried": f"{server.url} /v1/models"}  # fmt: skip
        try:
            if server.key_in == "history":
                entry["result"] = "not tried: its key is behind the history's passphrase"
            else:
                servers.connect(server, servers.key_for(server)).close()
                entry["result"] = "reachable, key accepted, model there"
        except ServerError as exc:
            entry["result"] = str(exc)
        found.append(entry)
    return found


def _folders() -> dict[str, str]:
    """Everything DraftRx writes is under these three (README: what is stored where)."""
    return {"data": str(paths.data_dir()), "config": str(paths.config_dir()),
            "cache": str(paths.cache_dir())}  # fmt: skip


def _guard() -> dict[str, str]:
    """The self-test in this process, then again in a child watched by strace where the
    platform allows: a name lookup can leave before Python sees it, only a trace shows."""
    if not guard.active():
        return {"state": "off"}
    failure = guard.probe()
    if failure is not None:
        return {"state": "FAILED", "detail": failure}
    watch = guard.watched_self_test()
    if watch.leaks or watch.missed:
        seen = f"{len(watch.leaks)} network calls left the self-test" if watch.leaks else ""
        return {"state": "FAILED", "detail": "; ".join(filter(None, [seen, *watch.missed]))}
    return {"state": "on", "detail": "every outside connection, listener and name lookup "
            f"was tried and refused; {watch.detail}"}  # fmt: skip


def _history() -> dict[str, str]:
    """Read through store.connect_read_only: even a look must not checkpoint a killed
    session's -wal into the main file or rebuild its -shm."""
    path = default_path()
    if not path.exists():
        return {"path": str(path), "state": "none yet"}
    try:
        db = connect_read_only(path)
        try:
            source = db.execute("SELECT value FROM meta WHERE name = 'key_source'").fetchone()
            count = db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]
        finally:
            db.close()
    except (sqlite3.DatabaseError, VaultDamaged) as exc:
        return {"path": str(path), "state": f"unreadable: {exc}"}
    how = source[0].decode() if source else "unknown"
    return {"path": str(path), "state": f"{count} drafts, key in the {how}"}


def _model() -> dict[str, str]:
    """The model the window loads: the one chosen in Preferences, else the built-in one."""
    from draftrx.engine.models import STATE_TEXT, default_model

    chosen = _chosen_model()
    if chosen:
        path = Path(chosen)
        return {"name": path.name, "state": "chosen in Preferences" + \
                ("" if path.is_file() else ", MISSING"), "path": chosen}  # fmt: skip
    model = default_model()
    return {"name": model.name, "state": STATE_TEXT[model.state()], "path": str(model.path)}


def _chosen_model() -> str:
    """model/path in the window's app.ini (QSettings' INI format, read without Qt)."""
    ini = configparser.ConfigParser(interpolation=None)
    try:
        ini.read(paths.config_dir() / "app.ini", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return ""
    return ini.get("model", "path", fallback="").strip().strip('"')


def _llama() -> dict[str, str]:
    import llama_cpp

    from draftrx.engine import hardware

    info = llama_cpp.llama_print_system_info().decode(errors="replace").strip(" |")
    found = [f"{d.name} {d.description} ({d.kind})" for d in hardware.devices()]
    return {"backend": hardware.backend_name(), "devices": found, "system_info": info}


def _versions() -> dict[str, str]:
    found = {"draftrx": __version__, "python": platform.python_version(),
             "sqlite": sqlite3.sqlite_version}  # fmt: skip
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    found["platform"] = f"{sys.platform} {platform.machine()}"
    return found
