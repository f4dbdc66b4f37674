"""The model manager lists every built-in model with its measured figures, recommends the
best that fits in free memory, and names the install line of one that is not installed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from draftrx.engine.models import ModelPart, by_id, catalogue, default_model, recommend
from draftrx.ui import models as manager


def _rows(dialog: manager.ModelManager) -> dict[str, str]:
    return {dialog.models.item(i).data(Qt.ItemDataRole.UserRole): dialog.models.item(i).text()
            for i in range(dialog.models.count())}  # fmt: skip


@pytest.mark.parametrize("free_gb", [0.8, 1.5, 64.0])  # 1.5: the 1.5B fits by its header only
def test_every_built_in_is_listed_and_the_best_that_fits_recommended(
    qtbot, monkeypatch: pytest.MonkeyPatch, free_gb: float
) -> None:
    monkeypatch.setattr(manager.hardware, "available_ram", lambda: int(free_gb * 2**30))
    dialog = manager.ModelManager([], "")
    qtbot.addWidget(dialog)
    rows = _rows(dialog)
    built_ins = catalogue()
    assert set(rows) == {"" if m.default else m.id for m in built_ins}
    best = recommend(built_ins, int(free_gb * 2**30))
    assert best is not None
    flagged = [key for key, text in rows.items() if "recommended" in text]
    assert flagged == ["" if best.default else best.id]
    if free_gb < 1.8:  # only the default fits
        assert best.id == default_model().id
    for i in range(dialog.models.count()):
        dialog.models.setCurrentRow(i)
        key = dialog.models.item(i).data(Qt.ItemDataRole.UserRole)
        model = default_model() if key == "" else by_id(key)
        assert model is not None and "Measured:" in dialog.details.text()
        assert ("Recommended" in dialog.details.text()) == (model.id == best.id)
        fits = model.measured is not None and model.measured.ram <= free_gb * 2**30
        assert dialog.use_button.isEnabled() == (model.state() != "missing" and fits)


def test_a_built_in_that_is_not_installed_names_its_install_line(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = catalogue()
    gone = replace(real[-1], id="not-installed", file="not-installed.gguf",
                   parts=(ModelPart("drx-gone", "drx_gone", "x"),))  # fmt: skip
    monkeypatch.setattr(manager, "catalogue", lambda: [*real, gone])
    monkeypatch.setattr(manager, "by_id", lambda ref: gone if ref == gone.id else by_id(ref))
    chosen: list[str] = []
    dialog = manager.ModelManager([], "")
    qtbot.addWidget(dialog)
    dialog.chosen.connect(chosen.append)
    assert gone.id in _rows(dialog)
    dialog.models.setCurrentRow(dialog.models.count() - 1)
    text = dialog.details.text()
    assert "drx-gone" in text and gone.install in text and not dialog.use_button.isEnabled()
    dialog.models.setCurrentRow(0)  # the default, installed by the test extra
    assert dialog.use_button.isEnabled()
    dialog.use_button.click()
    assert chosen == [""]


class _Loaded:
    """An engine that loaded: all the window asks of it before a rewrite."""

    def describe(self) -> dict[str, object]:
        return {"model": "stub", "backend": "CPU", "n_threads": 1}

    def close(self) -> None:
        pass


def _saved_model() -> str:
    from draftrx.ui import preferences

    return preferences.load(preferences.open_store()).model_path


def test_a_chosen_model_is_saved_only_once_it_has_loaded(
    qtbot, make_window, tmp_path: Path
) -> None:
    """A model that kills the process while loading must not become the one every later
    start loads: the choice is written to app.ini after it loaded, never before."""
    from draftrx.engine.errors import ModelFileError

    bad, good = tmp_path / "bad.gguf", tmp_path / "good.gguf"

    def factory(config):
        if config.model_path == bad:
            raise ModelFileError("bad.gguf cannot be run.")
        return _Loaded()

    window = make_window(engine_factory=factory)
    qtbot.waitUntil(lambda: window.model_ready, timeout=10_000)
    window._model_chosen(str(bad))
    qtbot.waitUntil(lambda: "bad.gguf cannot be run." in window.notice.text(), timeout=10_000)
    assert _saved_model() == "" and window.model_choice == ""
    window._model_chosen(str(good))
    qtbot.waitUntil(lambda: _saved_model() == str(good), timeout=10_000)
    assert window.model_ready


def test_the_window_starts_when_the_saved_model_would_abort_llama_cpp(
    qtbot, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A saved model whose header llama.cpp asserts on (block_count 0) is refused in one
    sentence before llama.cpp sees it; the window opens and offers Manage models."""
    import gguf
    import llama_cpp
    import numpy as np

    from draftrx.ui.worker import real_engine

    path = tmp_path / "zero-layers.gguf"
    writer = gguf.GGUFWriter(str(path), "qwen2")
    writer.add_block_count(0)
    writer.add_chat_template("{% for m in messages %}{{ m.content }}{% endfor %}")
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    # Reaching llama.cpp would abort pytest itself: fail the test instead.
    monkeypatch.setattr(llama_cpp, "Llama", lambda **_: pytest.fail("llama.cpp was reached"))
    window = make_window(engine_factory=real_engine, model_path=str(path))
    qtbot.waitUntil(lambda: "could not be loaded" in window.notice.text(), timeout=30_000)
    notice = window.notice.text()
    assert "zero-layers.gguf cannot be run" in notice and "block_count is 0" in notice
    assert "Manage models" in notice and window.isVisible() and not window.model_ready


def test_an_added_file_can_be_taken_off_the_list_and_stays_off(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window()
    refused = tmp_path / "broken.gguf"
    refused.write_bytes(b"GGUF" + b"\0" * 60)
    dialog = manager.ModelManager(window.prefs.extra_models, window.prefs.model_path, window)
    dialog.removed.connect(window._model_removed)
    qtbot.addWidget(dialog)
    assert not dialog.add(refused)  # refused, but listed with the reason
    assert str(refused) in _rows(dialog) and dialog.remove_button.isEnabled()
    dialog.remove_current()
    assert str(refused) not in _rows(dialog)
    dialog.models.setCurrentRow(0)  # the built-in default: not the physician's to remove
    assert not dialog.remove_button.isEnabled()
    window.prefs.extra_models.append(str(refused))  # as if added in an earlier session
    again = manager.ModelManager(window.prefs.extra_models, window.prefs.model_path, window)
    again.removed.connect(window._model_removed)
    qtbot.addWidget(again)
    again.models.setCurrentRow(list(_rows(again)).index(str(refused)))
    again.remove_current()
    assert window.prefs.extra_models == [] and str(refused) not in _rows(again)
