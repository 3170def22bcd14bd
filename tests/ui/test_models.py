"""The Qt item models pass pytest-qt's model tester and expose the culprit by role."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester

from ui.models import HeadersModel, Roles


def test_the_headers_model_is_a_well_behaved_qt_model(qtmodeltester: ModelTester) -> None:
    model = HeadersModel()
    model.set_headers(
        (("Access-Control-Allow-Origin", "*"), ("Vary", "Origin")),
        culprit="Access-Control-Allow-Credentials",
        culprit_missing=True,
    )
    qtmodeltester.check(model)
    model.editable = True
    model.add_row("X-New", "1")
    model.remove_row(0)
    qtmodeltester.check(model)


def test_a_missing_culprit_is_a_placeholder_row_and_an_edit_clears_it() -> None:
    model = HeadersModel()
    model.set_headers(
        (("Vary", "Origin"),), culprit="Access-Control-Allow-Origin", culprit_missing=True
    )
    row = model.culprit_row()
    assert row == 1
    index = model.index(1, 1)
    assert (model.data(index), model.data(index, Roles.Missing)) == ("(missing)", True)
    assert model.headers() == (("Vary", "Origin"),)
    assert not model.setData(index, "https://app.example.test")  # not editable yet
    model.editable = True
    assert model.setData(index, "https://app.example.test")
    assert model.headers() == (
        ("Vary", "Origin"),
        ("Access-Control-Allow-Origin", "https://app.example.test"),
    )
    model.mark_culprit(None)
    assert model.culprit_row() is None
