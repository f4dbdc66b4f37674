"""Starting the window, and rendering it to a PNG offscreen (`draftrx --screenshot`)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication

from draftrx import APP_ID, __version__
from draftrx.tracebacks import install_hooks
from draftrx.ui.icon import app_icon
from draftrx.vault import guard

LOAD_TIMEOUT_MS = 300_000  # the first start assembles the default model
REWRITE_TIMEOUT_MS = 600_000


def application() -> QApplication:
    """Qt 6 scales for high-DPI screens and follows the system palette by itself."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    if app.desktopFileName() == APP_ID:
        return app
    app.setApplicationName("DraftRx")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("DraftRx")
    app.setDesktopFileName(APP_ID)  # matches packaging/linux/APP_ID.desktop
    app.setWindowIcon(app_icon())
    return app


def wait_for(signals: list[SignalInstance], timeout_ms: int) -> bool:
    """Run the event loop until one of `signals` fires; False on timeout."""
    loop = QEventLoop()
    fired: list[bool] = []
    for s in signals:
        s.connect(lambda *_: (fired.append(True), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    return bool(fired)


def no_display() -> bool:
    """Qt aborts the process when it finds no display; say so first (Linux and BSD)."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# What Qt's X11 platform (libQt6XcbQpa) links, with the package that ships each on Debian
# and Ubuntu, and on Fedora. Without one, Qt aborts with its own message and status 134.
_X11_LIBRARIES = {
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
}


def _loadable(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def missing_libraries() -> str | None:
    """On X11, the system libraries Qt needs and cannot find, in one sentence that names
    the packages; None when all are there or another platform is in use."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    x11 = platform == "xcb" or (not platform and os.environ.get("DISPLAY")
                                and not os.environ.get("WAYLAND_DISPLAY"))  # fmt: skip
    if not sys.platform.startswith("linux") or not x11:
        return None
    missing = [lib for lib in _X11_LIBRARIES if not _loadable(lib)]
    if not missing:
        return None
    debian = " ".join(dict.fromkeys(_X11_LIBRARIES[lib][0] for lib in missing))
    fedora = " ".join(dict.fromkeys(_X11_LIBRARIES[lib][1] for lib in missing))
    return (f"the window needs system libraries that are missing ({', '.join(missing)}); "
            f"install them with `sudo apt install {debian}` (Debian, Ubuntu) or "
            f"`sudo dnf install {fedora}` (Fedora), then start DraftRx again.")  # fmt: skip


def time_to_show(start: float) -> float:
    """Seconds from `start` until a new window is on screen, for `draftrx bench --only gui`.

    The window opens a new, empty drafts history, as on a first start (the bench points the
    data folder at a scratch one) and loads no model.
    """
    app = application()
    from draftrx.ui.window import MainWindow

    window = MainWindow(autoload=False)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - start
    window.close()
    return shown


def run(screenshot: Path | None = None, draft: Path | None = None, rewrite: bool = False) -> int:
    if draft is not None and (problem := _draft_problem(draft)):
        print(f"draftrx: error: {problem}", file=sys.stderr)
        return 1
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif no_display():
        print("draftrx: error: no display to open the window on. Start DraftRx from a desktop "
              "session, or use a sub-command (draftrx --help).", file=sys.stderr)  # fmt: skip
        return 2
    elif problem := missing_libraries():
        print(f"draftrx: error: {problem}", file=sys.stderr)
        return 2
    interrupted = threading.Event()
    if screenshot is None:  # from now on Ctrl+C closes the window (_until_closed), in place
        # of a KeyboardInterrupt that would land in the middle of Qt's loop
        signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    install_hooks()
    guard.install()
    app = application()
    from draftrx.ui.window import MainWindow

    window = MainWindow(history=screenshot is None)  # a screenshot leaves no history
    if draft is not None and not window.open_draft(draft):  # changed since it was checked
        print(f"draftrx: error: {window.notice.text()}", file=sys.stderr)
        window.close()  # stops the threads: Qt aborts on a thread still running at exit
        return 1
    window.show()
    if screenshot is None:
        return _until_closed(app, interrupted)
    return _screenshot(window, screenshot, draft is not None, rewrite)


def _draft_problem(path: Path) -> str | None:
    """Why `path` cannot be opened as a draft, or None; asked before any thread starts."""
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return f"The draft {path} is not UTF-8 text."
    except OSError as exc:
        return f"Could not open the draft {path}: {exc.strerror or exc}."
    return None


def _until_closed(app: QApplication, interrupted: threading.Event) -> int:
    """The event loop; Ctrl+C closes every window as their close buttons do (the draft is
    filed, the threads stop), then exits with 130.

    Python runs a signal handler only between its own bytecodes, and Qt's loop runs none
    while idle: the timer gives it a turn every 100 ms.
    """
    timer = QTimer()
    timer.timeout.connect(lambda: interrupted.is_set() and app.closeAllWindows())
    timer.start(100)
    status = app.exec()
    return 130 if interrupted.is_set() else status


def _screenshot(window, out: Path, scan: bool, rewrite: bool) -> int:
    """Wait for what the picture should show: highlights, the model, the finished rewrite."""
    if scan:
        wait_for([window.scan_worker.scanned], 60_000)
    if not window.model_ready:
        wait_for([window.worker.loaded, window.worker.load_failed], LOAD_TIMEOUT_MS)
    status = 0
    if rewrite:
        if window.rewrite():
            if not wait_for([window.idle], REWRITE_TIMEOUT_MS):
                window.stop()
                wait_for([window.idle], 10_000)
                status = 1
        else:
            status = 1
    QApplication.processEvents()
    saved = window.grab().save(str(out))
    window.close()
    if not saved:
        print(f"draftrx: error: could not write {out}", file=sys.stderr)
        return 1
    if status:
        print(f"draftrx: error: the rewrite did not finish: {window.notice.text()}",
              file=sys.stderr)  # fmt: skip
    return status
