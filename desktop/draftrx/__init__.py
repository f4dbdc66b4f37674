"""DraftRx: physicians' social-media drafts rewritten by a local model; no draft leaves."""

__version__ = "0.1.0"
APP_ID = "org.draftrx.DraftRx"  # reverse-DNS: desktop file, AppStream, macOS bundle identifier
