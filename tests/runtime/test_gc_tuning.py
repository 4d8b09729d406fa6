"""The collector settings of the long-running processes."""

import gc

import pytest

from engine.core import gc_tuning


def test_thresholds_are_read_and_python_keeps_the_defaults():
    assert gc_tuning.parse("20000,50,100") == (20000, 50, 100)
    assert gc_tuning.parse(None) == (20000, 50, 100)
    assert gc_tuning.parse(" Python ") is None


@pytest.mark.parametrize("bad", ["1,2", "a,b,c", "0,10,10", "700,-1,10"])
def test_a_bad_setting_says_what_is_expected(bad):
    with pytest.raises(ValueError, match="three numbers"):
        gc_tuning.parse(bad)


def test_tune_sets_the_thresholds_and_freezes_startup_objects():
    before = gc.get_threshold()
    try:
        assert gc_tuning.tune("15000,40,90") == (15000, 40, 90)
        assert gc.get_freeze_count() > 0
        assert gc_tuning.tune("python") == (15000, 40, 90)  # left as it was
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_wsgi_entry_point_tunes_the_worker(monkeypatch, tmp_path):
    import importlib
    import sys

    before = gc.get_threshold()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'wsgi.sqlite3'}")
    monkeypatch.setenv("VB_GC_THRESHOLDS", "12345,20,30")
    sys.modules.pop("engine.app.wsgi", None)
    try:
        importlib.import_module("engine.app.wsgi")
        assert gc.get_threshold() == (12345, 20, 30)
    finally:
        sys.modules.pop("engine.app.wsgi", None)
        gc.unfreeze()
        gc.set_threshold(*before)
