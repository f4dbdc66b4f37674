"""The model manager lists every built-in model with its measured figures, recommends the
best that fits in free memory, and names the install line of one that is not installed."""

from __future__ import annotations

from dataclasses import replace

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
