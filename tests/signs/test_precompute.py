"""Precomputing a lexicon's signs into the disk cache: the library call and ``signspark cache``."""

from __future__ import annotations

import pytest

from signspark.cli import main
from signspark.signs.hamnosys import form_cache as fc
from signspark.signs.precompute import cacheable_signs, precompute_signs

SIGNS = ["KIND", "HAUS", "LERNEN"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty sign cache (the built-in body stays where the session keeps it)."""
    from signspark.body.builtin import cache_dir as session_cache

    session = session_cache()
    monkeypatch.setattr(fc, "sign_cache_dir", lambda: tmp_path / "signs")
    yield tmp_path / "signs"
    assert session_cache() == session


def test_the_dsgs_lexicon_is_cacheable_and_fingerspelling_is_not():
    names = cacheable_signs("DSGS")
    assert len(names) > 1300 and set(SIGNS) <= set(names)
    assert cacheable_signs("ASL") == []


def test_precompute_animates_once(cache_dir, monkeypatch):
    report = precompute_signs("DSGS", SIGNS)
    assert (report.animated, report.cached, report.failed) == (3, 0, {})
    assert fc.default_form_cache().stats().files == 3
    calls = []
    monkeypatch.setattr(fc, "animate", lambda *a, **k: calls.append(a))
    seen = []
    report = precompute_signs("DSGS", SIGNS + ["NOT_A_SIGN"], progress=lambda name, outcome: seen.append(outcome))
    assert (report.animated, report.cached) == (0, 3) and calls == []
    assert list(report.failed) == ["NOT_A_SIGN"] and seen[:3] == ["cached"] * 3


def test_precompute_refuses_what_it_cannot_do(cache_dir, monkeypatch):
    with pytest.raises(ValueError, match="fingerspelled"):
        precompute_signs("ASL")
    with pytest.raises(ValueError, match="workers"):
        precompute_signs("DSGS", SIGNS, workers=0)
    monkeypatch.setenv(fc.ENV_MAX_MB, "0")
    with pytest.raises(RuntimeError, match="turned off"):
        precompute_signs("DSGS", SIGNS)


def test_cache_command(cache_dir, capsys, monkeypatch):
    assert main(["cache", "warm", "--signs", "KIND", "HAUS", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "2 DSGS signs: 2 animated, 0 already cached, 0 failed" in out and "2 signs" in out
    assert main(["cache", "warm", "--limit", "2", "--no-progress"]) == 0  # the lexicon's first two
    assert "2 DSGS signs" in capsys.readouterr().out
    assert main(["cache", "info"]) == 0
    assert f"{cache_dir}: 4 signs" in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    assert "deleted 4 cached signs" in capsys.readouterr().out
    assert main(["cache", "warm", "--signs", "KIND", "NOPE"]) == 2
    assert "no sign NOPE" in capsys.readouterr().err
    assert main(["cache", "warm", "--lang", "ASL"]) == 2
    assert "fingerspelled" in capsys.readouterr().err
    assert main(["cache", "warm", "--lang", "XYZ"]) == 2
    monkeypatch.setenv(fc.ENV_MAX_MB, "0.001")
    assert main(["cache", "warm", "--no-progress"]) == 2
    assert "raise $SIGNSPARK_SIGN_CACHE_MB" in capsys.readouterr().err
    monkeypatch.setenv(fc.ENV_MAX_MB, "0")
    assert main(["cache", "info"]) == 0 and "is off" in capsys.readouterr().out
    assert main(["cache", "warm", "--signs", "KIND"]) == 2


def test_cache_help_says_where_and_how(capsys):
    with pytest.raises(SystemExit):
        main(["cache", "--help"])
    text = capsys.readouterr().out
    for words in ("SIGNSPARK_CACHE_DIR", "XDG_CACHE_HOME", "SIGNSPARK_SIGN_CACHE_MB", "cache warm", "cache clear"):
        assert words in text


def test_warm_examples_readies_the_registry_examples(cache_dir, monkeypatch):
    from signspark.signs.dsgs.lexicon import dsgs_lexicon
    from signspark.signs.precompute import warm_examples

    dsgs_lexicon.cache_clear()  # signs that earlier tests animated are in memory and would not be written

    n = warm_examples("DSGS")  # "Die Kinder lernen", ...: signs and fingerspelled letters
    assert n >= 5 and fc.default_form_cache().stats().files >= 3
    calls = []
    monkeypatch.setattr(fc, "animate", lambda *a, **k: calls.append(a))
    assert warm_examples("DSGS") == n and calls == []
