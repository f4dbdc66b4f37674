"""The practice servers a physician added, and the one step that opens the way to one.

A server's address, model and CA file live in `servers.json` in the settings folder. Its
API key never does: it is kept in the OS keyring, or, on a computer without one, sealed in
the drafts history behind its passphrase. Using a server (`connect`) is the only place the
offline guard lets anything out, and only to that server's host and port.

This spans the engine (the client) and the vault (the key and the guard), so it lives
above both, beside the command line and the window that call it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from pathlib import Path

from draftrx import paths
from draftrx.engine.events import GenerationParams, TextPiece
from draftrx.engine.remote import RemoteEngine, ServerConfig, ServerError, check_url
from draftrx.vault import guard, keys
from draftrx.vault.store import Vault

KEY_ENV = "DRAFTRX_SERVER_KEY"
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")

# The history, unlocked, for a `with` (asks for its passphrase if need be).
OpenVault = Callable[[], AbstractContextManager[Vault]]


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    model: str
    ca: str = ""  # a CA certificate file (PEM) for a practice's own certificate
    key_in: str = ""  # "keyring", "history" or "" (no key)

    def config(self, key: str | None = None) -> ServerConfig:
        return ServerConfig(url=self.url, model=self.model, key=key, name=self.name,
                            ca_file=Path(self.ca) if self.ca else None)  # fmt: skip


def settings_file() -> Path:
    return paths.config_dir() / "servers.json"


def load() -> dict[str, Server]:
    """The servers added, by name; {} when none. ValueError for a file that cannot be
    read, which is never overwritten: the servers in it are the physician's."""
    path = settings_file()
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: Server(**fields) for name, fields in raw["servers"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"The practice-server settings {path} cannot be read "
                         f"({type(exc).__name__}); fix or remove the file.") from None


def _save(servers: dict[str, Server]) -> None:
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".new")
    body = {"servers": {name: asdict(s) for name, s in sorted(servers.items())}}
    fresh.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    os.replace(fresh, path)


def check_name(name: str) -> str:
    if not name or not set(name.lower()) <= _NAME_CHARS or len(name) > 40:
        raise ValueError(f"'{name}' cannot name a server: use letters, digits, - _ or ., "
                         "up to 40 characters.")  # fmt: skip
    return name.lower()


def find(name_or_url: str) -> Server:
    """A server added by name, or one given by its address (then its only model is used;
    the first rewrite says which)."""
    servers = load()
    if name_or_url.lower() in servers:
        return servers[name_or_url.lower()]
    if "://" in name_or_url:
        return Server(name="", url=check_url(name_or_url), model="")
    known = ", ".join(sorted(servers)) or "none yet: add one with `draftrx server add`"
    raise ValueError(f"No practice server is called '{name_or_url}'. Known: {known}.")


def add(
    name: str, url: str, model: str = "", ca: str = "", key: str | None = None,
    open_vault: OpenVault | None = None,
) -> Server:  # fmt: skip
    """Check the server, then keep its key and save it: `checked` and `keep` in one."""
    return keep(checked(name, url, model, ca, key), key, open_vault)


def checked(name: str, url: str, model: str = "", ca: str = "", key: str | None = None
            ) -> Server:  # fmt: skip
    """The server as it would be saved, once it has answered with this key and offers the
    model (its only one when none is given). Talks to the server; saves nothing."""
    name, url = check_name(name), check_url(url)
    load()  # settings that cannot be read are said now, before the server is asked
    if ca and not Path(ca).is_file():
        raise ValueError(f"The certificate file {ca} does not exist.")
    server = Server(name, url, model, str(Path(ca).resolve()) if ca else "")
    offered = _models(server, key)
    if not model:
        if len(offered) != 1:
            raise ValueError(f"The server offers {len(offered)} models ({', '.join(offered)}); "
                             "choose one (--model on the command line).")  # fmt: skip
        model = offered[0]
    elif model not in offered:
        raise ValueError(f"The server has no model '{model}'; it offers: "
                         f"{', '.join(offered) or 'none'}.")  # fmt: skip
    return Server(name, url, model, server.ca)


def keep(server: Server, key: str | None, open_vault: OpenVault | None = None) -> Server:
    """Keep the key (keyring, else the history) and save the server; no network."""
    server = Server(server.name, server.url, server.model, server.ca,
                    _keep_key(server.name, key, open_vault) if key else "")  # fmt: skip
    found = load()
    found[server.name] = server
    _save(found)
    return server


def remove(name: str, open_vault: OpenVault | None = None) -> bool:
    servers = load()
    server = servers.pop(name.lower(), None)
    if server is None:
        return False
    keys.delete_text(_entry(server.name))
    if server.key_in == "history" and open_vault is not None:
        with open_vault() as vault:
            vault.drop_secret(_entry(server.name))
    _save(servers)
    return True


def key_for(server: Server, open_vault: OpenVault | None = None) -> str | None:
    """The server's key, where `add` kept it; $DRAFTRX_SERVER_KEY only for a server that
    has none kept (one given by its address), so no other server is ever sent it."""
    if not server.key_in:
        return os.environ.get(KEY_ENV) or None
    if server.key_in == "keyring":
        key = keys.load_text(_entry(server.name))
        if key is None:
            raise ServerError(f"The key for '{server.name}' is no longer in the keyring "
                              f"({keys.friendly_name()}); add the server again.")  # fmt: skip
        return key
    if server.key_in == "history":
        if open_vault is None:
            raise ServerError(f"The key for '{server.name}' is kept in the drafts history, "
                              "which needs its passphrase.")  # fmt: skip
        with open_vault() as vault:
            return vault.secret(_entry(server.name))
    return None


def connect(server: Server, key: str | None) -> RemoteEngine:
    """Open the way to this server (and only it) through the offline guard, for as long
    as the engine is open, and check it offers the model. For an address given without a
    model, its only model is taken."""
    config = server.config(key)
    release = guard.hold(config.host, config.port)
    try:
        if not server.model:
            with RemoteEngine(config, check_model=False) as probe:
                offered = probe.list_models()
            if len(offered) != 1:
                raise ServerError(f"The server offers {len(offered)} models "
                                  f"({', '.join(offered) or 'none'}); add it with "
                                  "`draftrx server add NAME URL --model M`.")  # fmt: skip
            config = Server(server.name, server.url, offered[0], server.ca).config(key)
        engine = RemoteEngine(config)
    except BaseException:
        release()
        raise
    engine.on_close = release
    return engine


def test(server: Server, key: str | None) -> dict[str, object]:
    """Reachable, key accepted, model there; then time to first token and tokens/s for a
    short answer. Raises ServerError for the first step that fails."""
    started = time.perf_counter()
    with connect(server, key) as engine:
        reached = time.perf_counter() - started
        prompt = [{"role": "user", "content": "Say in one sentence why hand washing matters."}]
        params = GenerationParams(max_tokens=48, temperature=0.0, seed=0)
        text, stats = "", None
        for event in engine.stream(prompt, params):
            if isinstance(event, TextPiece):
                text += event.text
            else:
                stats = event
        assert stats is not None
        return {"server": server.name or server.url, "url": engine.config.api_base,
                "model": engine.config.model, "models": engine.models,
                "connect_s": round(reached, 3), "ttft_s": stats.ttft_s,
                "decode_tok_s": stats.decode_tok_s, "tokens": stats.decode_tokens,
                "stop_reason": stats.stop_reason, "wrote_text": bool(text.strip())}  # fmt: skip


def offered(url: str, key: str | None = None, ca: str = "") -> list[str]:
    """The models a server offers (`/v1/models`), to choose from before adding it."""
    return _models(Server("", check_url(url), "", str(Path(ca).resolve()) if ca else ""), key)


def _models(server: Server, key: str | None) -> list[str]:
    config = server.config(key)
    release = guard.hold(config.host, config.port)  # for this one question
    try:
        with RemoteEngine(config, check_model=False) as engine:
            return engine.list_models()
    finally:
        release()


def _keep_key(name: str, key: str, open_vault: OpenVault | None) -> str:
    if keys.usable() and keys.store_text(_entry(name), key):
        return "keyring"
    if open_vault is None:
        raise ValueError("This computer has no keyring to keep the server's key in, and the "
                         "drafts history that would keep it instead is not open.")  # fmt: skip
    with open_vault() as vault:
        vault.put_secret(_entry(name), key)
    return "history"


def _entry(name: str) -> str:
    return f"server-key-{name}"
